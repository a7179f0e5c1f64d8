"""The open-data page in a real browser: reached from the footer, links that work, and axe."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import expect

from dashboard import open_data
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "title"), [("en", "Open data"), ("es", "Datos abiertos")])
def test_axe_finds_no_violations_on_the_open_data_page(page, live_server, language, title):
    page.goto(f"{live_server.url}/data?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title, timeout=90_000)
    expect(page.locator("#file-observations-columns tbody tr").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == language
    assert axe_violations(page) == []
    assert page.outside_requests == []


@pytest.mark.parametrize(
    ("language", "link", "title"),
    [
        ("en", "Open data: download all figures, or use the API", "Open data"),
        ("es", "Datos abiertos: descargue todas las cifras o use la API", "Datos abiertos"),
    ],
)
def test_the_footer_links_to_the_open_data_page(page, live_server, language, link, title):
    page.goto(f"{live_server.url}/methodology?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=90_000)
    page.get_by_role("contentinfo").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert page.url.startswith(f"{live_server.url}/data")
    assert page.evaluate("document.documentElement.lang") == language


def test_every_link_on_the_page_answers(page, live_server):
    page.goto(f"{live_server.url}/data")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open data", timeout=90_000)

    zip_link = page.get_by_role("link", name="Download all data (ZIP of CSV files)")
    response = page.request.get(live_server.url + zip_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(response.body())).namelist())
    assert {"README.txt", "data-dictionary.csv", "observations.csv"} <= names

    examples = page.locator("a.open-data-example")
    assert examples.count() == 2 * len(open_data.RESOURCES)
    for index in range(examples.count()):
        href = examples.nth(index).get_attribute("href")
        answer = page.request.get(live_server.url + href)
        assert answer.status == 200, href

    page.get_by_role("link", name="API description for tools (OpenAPI 3.1, JSON)").click()
    assert page.url == f"{live_server.url}{open_data.OPENAPI_PATH}"
    assert '"openapi"' in page.content()


def test_phone_width_has_no_sideways_scroll_on_the_open_data_page(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    phone = context.new_page()
    try:
        phone.goto(live_server.url + "/data")
        expect(phone.get_by_role("heading", level=1)).to_be_visible(timeout=90_000)
        phone.wait_for_load_state("networkidle")
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
    finally:
        context.close()
