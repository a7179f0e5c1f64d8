"""The frame of every page in a real browser (issue 13, trust and findability): the site menu
reached by keyboard at phone and desktop widths, a <title> per page and language, and the
home search that keeps its place, keeps focus and says how many agencies it found."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, dash_page_shown

pytestmark = pytest.mark.browser

FIRST_RENDER_MS = 60_000
WIDTHS = [375, 1280]
MENU_IDS = [
    "agencies-link",
    "compare-link",
    "equity-link",
    "review-link",
    "changes-link",
    "methodology-link",
    "open-data-link",
]


def _open(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    dash_page_shown(page, FIRST_RENDER_MS)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_menu_is_reached_by_keyboard_and_follows_the_current_page(
    page, live_server, width, language
):
    page.set_viewport_size({"width": width, "height": 800})
    _open(page, f"{live_server.url}/methodology?lang={language}")
    reached: list[str] = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if focused in MENU_IDS:
            reached.append(focused)
            assert page.evaluate(
                "(() => { const r = document.activeElement.getBoundingClientRect();"
                " return r.width > 0 && r.right <= window.innerWidth; })()"
            ), f"{focused} is off screen"
        if len(reached) == len(MENU_IDS):
            break
    assert reached == MENU_IDS
    # The header (identity, languages, menu) fits the screen.
    assert page.evaluate("document.querySelector('.site-header').scrollWidth") <= width
    expect(page.locator("#methodology-link")).to_have_attribute("aria-current", "page")
    # Enter on the focused menu item draws the page in place, and the menu follows it.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "review-link"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/review"))
    expect(page.locator("#review-link")).to_have_attribute("aria-current", "page")
    expect(page.locator("#methodology-link")).not_to_have_attribute("aria-current", "page")
    review = "Quarterly review" if language == "en" else "Revisión trimestral"
    government = "State of Example" if language == "en" else "Estado de Ejemplo"
    expect(page).to_have_title(f"{review} — {government}", timeout=FIRST_RENDER_MS)


PAGES = [
    "/",
    "/agency/dmv",
    "/agency/dmv/driver-license-renewal",
    "/review",
    "/changes",
    "/methodology",
    "/data",
    "/nowhere",
]


def test_titles_differ_per_page_and_language_on_first_load_and_after_navigation(page, live_server):
    titles: dict[tuple[str, str], str] = {}
    for language in ("en", "es"):
        for path in PAGES:
            _open(page, f"{live_server.url}{path}?lang={language}")
            titles[(path, language)] = page.title()
    assert len(set(titles.values())) == len(titles), titles
    assert titles[("/agency/dmv", "en")] == (
        "Department of Motor Vehicles — customer service results — State of Example"
    )
    assert titles[("/agency/dmv", "es")] == (
        "Departamento de Vehículos Motorizados — resultados de atención al público — "
        "Estado de Ejemplo"
    )
    assert titles[("/nowhere", "es")] == "Página no encontrada — Estado de Ejemplo"
    # Drawn in place (the router), a page gets the same title as when loaded first.
    _open(page, f"{live_server.url}/?lang=es")
    page.locator("#scorecard-dmv a").first.click()
    expect(page).to_have_title(titles[("/agency/dmv", "es")], timeout=FIRST_RENDER_MS)
    page.go_back()
    expect(page).to_have_title(titles[("/", "es")], timeout=FIRST_RENDER_MS)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("language", "label", "count", "matching"),
    [
        ("en", "Find an agency or service", "Showing 3 of 12 agencies", "Renewal"),
        ("es", "Buscar una agencia o un servicio", "Se muestran 3 de 12 agencias", "renovación"),
    ],
)
def test_home_search_keeps_its_place_and_focus_and_announces_the_count(
    page, live_server, width, language, label, count, matching
):
    page.set_viewport_size({"width": width, "height": 800})
    _open(page, f"{live_server.url}/?lang={language}")
    field = page.get_by_label(label)
    field.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    field.fill("renewal" if language == "en" else "renovacion")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=(renewal|renovacion)"))
    expect(page.locator("#scorecard > tbody > tr")).to_have_count(3, timeout=FIRST_RENDER_MS)
    announcer = page.locator("#page-announcer")
    expect(announcer).to_contain_text(count, timeout=10_000)
    assert page.evaluate("document.activeElement.id") == "search-input"
    assert page.evaluate("window.scrollY") >= scrolled * 0.5, "the page jumped to the top"
    # Each agency found through a service says which service matched.
    for row in page.locator("#scorecard > tbody > tr").all():
        expect(row.locator(".matched-services")).to_contain_text(re.compile(matching, re.I))
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["en", "es"])
def test_home_is_axe_clean_and_fits_the_screen(page, live_server, width, language):
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, f"{live_server.url}/?lang={language}")
    expect(page.locator("#scorecard > tbody > tr").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(page.locator(".site-logo")).to_be_visible()
    assert page.outside_requests == []  # type: ignore[attr-defined]
