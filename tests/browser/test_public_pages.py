"""Every kind of public page, in both languages: axe finds nothing, and bad URLs are 404s."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.gateway import queries
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def _agency_and_service(database_url: str) -> tuple[str, str]:
    agency = next(a for a in queries.list_agencies(database_url) if a["services"])
    return agency["slug"], agency["services"][0]["slug"]


def _pages(database_url: str) -> list[str]:
    agency, service = _agency_and_service(database_url)
    return ["/", f"/agency/{agency}", f"/agency/{agency}/{service}", "/methodology", "/nowhere"]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["home", "agency", "service", "methodology", "not-found"])
def test_axe_finds_no_violations(page, live_server, demo_database, kind, language):
    index = ["home", "agency", "service", "methodology", "not-found"].index(kind)
    path = _pages(demo_database)[index]
    page.goto(f"{live_server.url}{path}?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=90_000)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == language
    assert axe_violations(page) == []
    assert page.outside_requests == []


def test_every_page_says_when_its_data_is_from(page, live_server, demo_database):
    for path in _pages(demo_database)[:4]:
        page.goto(live_server.url + path)
        expect(page.locator("#data-as-of")).to_contain_text("Data as of")


@pytest.mark.parametrize(
    "path",
    [
        "/agency/no-such-agency",
        "/agency/{agency}/no-such-service",
        "/agency/{other}/{service}",  # a real service, under the wrong agency
        "/agency/{agency}?metric=no_such_metric",
        "/agency/{agency}?period=FY1888",
        "/?period=not-a-period",
        "/agency/UPPER",
        "/download/agency/{agency}/no-such-chart.csv",
    ],
)
def test_bad_slugs_and_parameters_are_helpful_404s(page, live_server, demo_database, path):
    agencies = queries.list_agencies(demo_database)
    agency, service = _agency_and_service(demo_database)
    other = next(a["slug"] for a in agencies if a["slug"] != agency)
    url = live_server.url + path.format(agency=agency, service=service, other=other)
    response = page.goto(url)
    assert response is not None and response.status == 404, url
    if "/download/" not in path:
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.get_by_role("link", name="Go to the overview of all agencies")).to_be_visible()


def test_phone_width_has_no_sideways_scroll(browser, live_server, demo_database):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    phone = context.new_page()
    try:
        for path in _pages(demo_database)[:4]:
            phone.goto(live_server.url + path)
            expect(phone.get_by_role("heading", level=1)).to_be_visible(timeout=90_000)
            phone.wait_for_load_state("networkidle")
            overflow = phone.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (path, overflow)
    finally:
        context.close()


def test_print_opens_every_data_table(page, live_server, demo_database):
    agency, _service = _agency_and_service(demo_database)
    page.goto(f"{live_server.url}/agency/{agency}")
    page.locator("details.chart-table").first.wait_for(state="attached", timeout=90_000)
    tables = page.locator("details.chart-table")
    assert tables.count() > 0
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.chart-table:not([open])").count() == 0
    page.emulate_media(media="print")
    assert page.locator("header .language-switch").is_hidden()
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.chart-table[open]").count() == 0
