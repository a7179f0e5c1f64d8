"""The home page in a real browser: it loads, lists the agencies, and passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard import queries
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_home_page_lists_every_agency_from_the_store(page, live_server, demo_database):
    agencies = queries.list_agencies(demo_database)
    assert agencies, "the demo store has agencies"
    page.goto(live_server.url + "/")
    items = page.locator("#agency-list > li")
    expect(items).to_have_count(len(agencies))
    for agency in agencies:
        expect(page.get_by_role("heading", name=agency["name_en"], exact=True)).to_be_visible()
    expect(page.locator("#data-as-of")).to_contain_text("Data as of")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.outside_requests == []


def test_home_page_in_spanish_sets_lang_and_uses_spanish_names(page, live_server, demo_database):
    agencies = queries.list_agencies(demo_database)
    page.goto(live_server.url + "/?lang=es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Desempeño del servicio al público")
    first = next(a for a in agencies if a["name_es"])
    expect(page.get_by_role("heading", name=first["name_es"], exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "es"


def test_language_switch_keeps_the_page(page, live_server):
    page.goto(live_server.url + "/")
    page.locator("#language-switch").click()
    expect(page).to_have_url(live_server.url + "/?lang=es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Desempeño del servicio al público")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer service performance")


def test_unknown_url_is_a_404_page(page, live_server):
    response = page.goto(live_server.url + "/no/such/page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Go to the overview of all agencies")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/?lang=es", "/missing", "/missing?lang=es"])
def test_axe_finds_no_violations(page, live_server, path):
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(page) == []


def test_keyboard_skip_link_moves_focus_to_main(page, live_server):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
