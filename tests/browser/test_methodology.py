"""The methodology page in a real browser: every metric, in-page contents, and axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.gateway import queries
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("language", "title", "missing"),
    [("en", "Methodology", "Definition missing"), ("es", "Metodología", "Falta la definición")],
)
def test_methodology_lists_every_metric_from_the_store(
    page, live_server, demo_database, language, title, missing
):
    page.goto(f"{live_server.url}/methodology?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert page.evaluate("document.documentElement.lang") == language
    metrics = queries.metrics(demo_database)
    assert metrics, "the demo store has metrics"
    for metric in metrics:
        article = page.locator(f"#metric-{metric['code']}")
        expect(article.get_by_role("heading", level=3)).to_have_text(metric[f"name_{language}"])
        expect(article).to_contain_text(metric[f"definition_{language}"])
        expect(article).to_contain_text(metric[f"data_source_{language}"])
    expect(page.locator(".methodology-missing")).to_have_count(0)
    expect(page.get_by_text(missing)).to_have_count(0)
    assert page.outside_requests == []


def test_contents_link_scrolls_to_the_metric_and_keeps_the_page(page, live_server, demo_database):
    metric = queries.metrics(demo_database)[-1]
    page.goto(live_server.url + "/methodology")
    contents = page.get_by_role("navigation", name="On this page")
    contents.get_by_role("link", name=metric["name_en"], exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/methodology#metric-{metric['code']}")
    expect(page.locator(f"#metric-{metric['code']}")).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).to_have_text("Methodology")
    page.get_by_role("link", name="Back to the contents").last.click()
    expect(page.locator("#methodology-contents")).to_be_in_viewport()


@pytest.mark.parametrize("path", ["/methodology", "/methodology?lang=es"])
def test_axe_finds_no_violations_on_methodology(page, live_server, path):
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".methodology-metric").first).to_be_visible()
    assert axe_violations(page) == []
