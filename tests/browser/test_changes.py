"""The "What changed" page in a real browser: axe at phone and desktop widths in English and
Spanish, the agency filter, and the keyboard path from an agency page to its changes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, dash_page_shown

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize(("language", "title"), [("en", "What changed"), ("es", "Qué cambió")])
def test_axe_finds_no_violations_on_the_changes_page(page, live_server, width, language, title):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/changes?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#changes-list > li").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == language
    government = "State of Example" if language == "en" else "Estado de Ejemplo"
    expect(page).to_have_title(f"{title} — {government}")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.outside_requests == []


def test_the_agency_filter_and_the_next_page(page, live_server):
    page.goto(live_server.url + "/changes")
    dash_page_shown(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed")
    page.get_by_label("Agency", exact=True).select_option("dmv")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{live_server.url}/changes?agency=dmv")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What changed: Department of Motor Vehicles"
    )
    agencies = page.locator("#changes-list h2 a")
    expect(agencies.first).to_be_visible()
    assert set(agencies.all_inner_texts()) == {"Department of Motor Vehicles"}


def test_keyboard_reaches_what_changed_from_an_agency_page(page, live_server):
    page.goto(live_server.url + "/agency/dmv?lang=es")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#agency-last-updated")).to_contain_text("Última actualización:")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "agency-changes-link":
            break
    else:
        pytest.fail("the link to what changed is not reachable with the keyboard")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/changes?agency=dmv&lang=es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Qué cambió: Departamento de Vehículos Motorizados"
    )
    assert page.evaluate("document.documentElement.lang") == "es"
    expect(page).to_have_title(
        "Qué cambió: Departamento de Vehículos Motorizados — Estado de Ejemplo"
    )
