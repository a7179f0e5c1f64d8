"""The quarterly review in a real browser: table, permalinks, back/forward, axe, review pack."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, dash_page_shown

pytestmark = pytest.mark.browser

FIRST_RENDER_MS = 30_000
#: Building the pack (the first chart image starts a browser) and printing it.
PACK_MS = 90_000


def _rows(page):  # type: ignore[no-untyped-def]
    """The comparison's rows: one table a dimension, each in a part that opens (issue 13)."""
    return page.locator(".review-comparison tbody tr")


def _open_dimensions(page) -> None:  # type: ignore[no-untyped-def]
    """Open every dimension's part as a reader would: a click on its summary line."""
    parts = page.locator("#review-table-section > details")
    for index in range(parts.count()):
        part = parts.nth(index)
        if part.get_attribute("open") is None:
            part.locator("> summary").click()
            expect(part).to_have_attribute("open", "")


def _open(page, url: str):  # type: ignore[no-untyped-def]
    response = page.goto(url)
    dash_page_shown(page, FIRST_RENDER_MS)
    return response


def test_review_page_shows_every_agency_and_dimension_with_sparklines(page, live_server):
    _open(page, live_server.url + "/review")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly review")
    expect(page.locator("#review-compared")).to_contain_text(
        "FY2026 Q3 compared with FY2026 Q2 (previous quarter) and FY2025 Q3"
    )
    expect(_rows(page)).to_have_count(12 * 5)
    # Each row's trend: a tiny SVG hidden from screen readers, and its numbers as text.
    first_trend = _rows(page).first.locator("td").last
    expect(first_trend.locator("svg.sparkline")).to_have_attribute("aria-hidden", "true")
    expect(first_trend.locator(".visually-hidden")).to_contain_text("FY2026 Q3:")
    # Housing did not report satisfaction: listed, and "Not reported" in the table, not zero.
    expect(page.locator("#review-silent-table")).to_contain_text(
        "Department of Housing and Community Development"
    )
    housing = _rows(page).filter(has_text="Department of Housing").filter(has_text="Satisfaction")
    expect(housing.locator("td").nth(1).locator(".cell-line").first).to_have_text("Not reported")
    expect(housing).to_contain_text("Cannot compare")
    expect(page.locator("#review-notes")).to_contain_text("margin of error")
    expect(page.locator("#review-link")).to_have_attribute("href", "/review")
    assert page.outside_requests == []


def test_period_picker_is_a_permalink_with_back_and_forward(page, live_server):
    _open(page, live_server.url + "/review")
    expect(page.get_by_label("Fiscal year")).to_have_value("2026")
    expect(page.get_by_label("Quarter", exact=True)).to_have_value("3")
    page.get_by_label("Fiscal year").select_option("2025")
    page.get_by_label("Quarter", exact=True).select_option("2")
    page.get_by_label("Sort the table by").select_option("declines")
    page.locator("#review-submit").click()
    page.wait_for_url("**fy=2025**", timeout=FIRST_RENDER_MS)
    expect(page.locator("#review-compared")).to_contain_text(
        "FY2025 Q2 compared with FY2025 Q1", timeout=FIRST_RENDER_MS
    )
    chosen = page.url
    assert "q=2" in chosen and "sort=declines" in chosen

    page.reload()
    dash_page_shown(page, FIRST_RENDER_MS)
    expect(page.locator("#review-compared")).to_contain_text("FY2025 Q2", timeout=FIRST_RENDER_MS)
    expect(page.get_by_label("Sort the table by")).to_have_value("declines")

    page.go_back()
    expect(page.locator("#review-compared")).to_contain_text(
        "FY2026 Q3 compared", timeout=FIRST_RENDER_MS
    )
    page.go_forward()
    expect(page).to_have_url(chosen)
    expect(page.locator("#review-compared")).to_contain_text(
        "FY2025 Q2 compared", timeout=FIRST_RENDER_MS
    )


def test_a_quarter_without_results_is_a_helpful_404(page, live_server):
    response = _open(page, live_server.url + "/review?fy=2026&q=4")
    assert response is not None and response.status == 404
    expect(page.locator(".not-found-reason")).to_contain_text("FY2022 Q1 to FY2026 Q3")


def test_review_in_spanish(page, live_server):
    _open(page, live_server.url + "/review?lang=es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisión trimestral")
    expect(page.locator("#review-compared")).to_contain_text("T3 AF2026 comparado con")
    expect(page.locator("#review-pack-button")).to_have_text("Crear el paquete de revisión (PDF)")
    assert page.evaluate("document.documentElement.lang") == "es"


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", ["/review", "/review?lang=es"])
def test_fits_the_screen_and_axe_finds_no_violations(page, live_server, path, width):
    """No panning on a phone, no table wider than its column on a desktop (issue 13: the
    table was 1,299 px in a 1,116 px column, and a phone panned to 1,200 px)."""
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, live_server.url + path)
    expect(_rows(page)).to_have_count(60)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Closed parts fit too (their summary lines wrap); then every part open, as in a meeting.
    _open_dimensions(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    widths = page.evaluate(
        """() => [...document.querySelectorAll('.review-comparison')].map(table =>
                  [table.getBoundingClientRect().width,
                   document.querySelector('#review-table-section').clientWidth])"""
    )
    assert len(widths) == 5 and all(table > 0 for table, _ in widths)
    if width == 1280:
        assert all(table <= column for table, column in widths)
        # A real table at a desktop width, with the change vs a year ago and the trend in view.
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.review-comparison')).display")
            == "table"
        )
        last = page.evaluate(
            """() => Math.max(...[...document.querySelectorAll(
                '.review-comparison thead th:last-child')].map(
                th => th.getBoundingClientRect().right))"""
        )
        assert last <= width
    else:
        # A card per row: every value under its heading (data-label), nothing cut off.
        label = _rows(page).first.locator("td").nth(1).get_attribute("data-label") or ""
        assert label.startswith(("This quarter", "Este trimestre"))
        assert (
            page.evaluate(
                "getComputedStyle(document.querySelector('.review-comparison tbody tr')).display"
            )
            == "block"
        )
    # Every region that scrolls can be reached and scrolled with the keyboard.
    unreachable = page.evaluate(
        """() => [...document.querySelectorAll('#main-content *')].filter(e => {
            const style = getComputedStyle(e);
            const scrolls = /(auto|scroll)/.test(style.overflowX) && e.scrollWidth > e.clientWidth;
            return scrolls && !(e.tabIndex >= 0 && (e.getAttribute('aria-label') ||
                                                   e.getAttribute('aria-labelledby')));
        }).map(e => e.id || e.className)"""
    )
    assert unreachable == []
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/review", "/review?lang=es"])
def test_on_a_phone_the_review_is_a_list_of_parts_that_open(page, live_server, path):
    """Issue 13: the review was 42,733 px tall at 375 px. Now each dimension and each
    question is a native <details> whose summary line says what it holds; targets missed and
    measures not reported are open, the rest closed, and a link of the jump menu opens its
    part."""
    page.set_viewport_size({"width": 375, "height": 900})
    _open(page, live_server.url + path)
    expect(_rows(page)).to_have_count(60)
    page.wait_for_load_state("networkidle")
    parts = page.locator("#review-table-section > details.review-collapsible")
    expect(parts).to_have_count(5)
    first = parts.first.locator("summary")
    # "Timeliness — 9 met, 2 missed, 1 did not report" (the summary card's counts).
    spanish = "lang=es" in path
    pattern = (
        r"^.+ — \d+ (cumplió|cumplieron), \d+ no (cumplió|cumplieron), \d+ no (reportó|reportaron)$"
        if spanish
        else r"^.+ — \d+ met, \d+ missed, \d+ did not report$"
    )
    expect(first).to_have_text(re.compile(pattern))
    opened = page.evaluate(
        "[...document.querySelectorAll('details.review-collapsible')].filter(d => d.open)"
        ".map(d => d.id)"
    )
    assert sorted(opened) == ["review-missed-details", "review-silent-details"]
    expect(parts.first.locator("table")).to_be_hidden()

    # The keyboard opens a part: focus its summary line, press Enter.
    first.focus()
    page.keyboard.press("Enter")
    expect(parts.first.locator("table")).to_be_visible()
    page.keyboard.press("Enter")
    expect(parts.first.locator("table")).to_be_hidden()

    # The page as it opens is a fraction of the page with every part open (which is the page
    # as it was: the same content). The open parts (missed and not reported) are what is
    # left; the five dimensions' cards, the movers, the actions and the notes were the rest.
    collapsed = page.evaluate("document.documentElement.scrollHeight")
    page.evaluate(
        "document.querySelectorAll('details.review-collapsible').forEach(d => d.open = true)"
    )
    expanded = page.evaluate("document.documentElement.scrollHeight")
    always_open = page.evaluate(
        """() => document.querySelector('#review-missed-details').getBoundingClientRect().height
               + document.querySelector('#review-silent-details').getBoundingClientRect().height"""
    )
    # What is shown closed is the open parts plus the rest of the page without the closed
    # parts' content: well under half of the whole, and no more than the open parts plus a
    # fixed allowance for the headings, forms and summary cards.
    assert collapsed < expanded / 2
    assert collapsed < always_open + (expanded - always_open) / 3
    page.evaluate(
        "document.querySelectorAll('#review-table-section details').forEach(d => d.open = false)"
    )

    # The jump menu: its dimension link opens that dimension's part.
    link = page.locator(".review-contents-dimensions a").nth(1)
    target = (link.get_attribute("href") or "").lstrip("#")
    link.click()
    expect(page.locator(f"#{target}")).to_have_attribute("open", "")
    expect(page.locator(f"#{target} table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(page) == []


def test_the_winter_surge_plan_is_beside_the_access_target(page, live_server):
    _open(page, live_server.url + "/review")
    _open_dimensions(page)
    row = (
        _rows(page)
        .filter(has_text="Employment Security Department")
        .filter(has_text="Calls answered within 60 seconds")
    )
    link = row.get_by_role("link", name="In progress: Winter surge plan")
    expect(link).to_be_visible()
    link.click()
    # The link leads to the action on the page, with the targets it addresses.
    action = page.locator("#review-actions-in-progress article").filter(
        has_text="Winter surge plan"
    )
    expect(action).to_contain_text("Status on June 30, 2026: In progress. Started March 23, 2026.")
    expect(action.locator(".review-addresses")).to_contain_text("target ≥ 80%")
    expect(page.locator("#review-actions-planned")).to_contain_text(
        "Video appointments for license questions"
    )
    expect(page.locator("#review-silent-table")).to_contain_text(
        "Department of Parks and Recreation"
    )


def test_print_hides_forms_and_the_pack_panel(page, live_server):
    _open(page, live_server.url + "/review")
    page.emulate_media(media="print")
    expect(page.locator("#review-form")).to_be_hidden()
    expect(page.locator("#review-pack")).to_be_hidden()
    # Every part opens on paper, closed ones too.
    expect(page.locator(".review-comparison")).to_have_count(5)
    for table in page.locator(".review-comparison").all():
        expect(table).to_be_visible()
    expect(page.locator("#review-notes li").first).to_be_visible()
    breaks = page.evaluate("getComputedStyle(document.querySelector('#review-movers')).breakBefore")
    assert breaks == "page"


def test_review_pack_shows_progress_then_a_download_link(page, live_server):
    _open(page, live_server.url + "/review")
    status = page.locator("#review-pack-status")
    expect(status).to_have_attribute("aria-live", "polite")
    page.locator("#review-pack-button").click()
    # Progress words while it builds ("Drawing agency 3 of 12…", "Printing the PDF…").
    expect(status).to_contain_text("…", timeout=FIRST_RENDER_MS)
    expect(page.locator("#review-pack-progress")).to_be_visible()
    link = page.locator("#review-pack-download")
    expect(link).to_be_visible(timeout=PACK_MS)
    expect(status).to_contain_text("The review pack is ready (13 pages)")
    href = link.get_attribute("href")
    assert href and href.startswith("/review-pack/") and href.endswith(".pdf")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"
    assert axe_violations(page) == []


def test_an_annual_review_builds_the_pack_of_the_year(browser, sqlite_url):
    """A store of yearly results only: the pack panel is there, and its PDF names the year."""
    import datetime as dt

    from dashboard.core.settings import Settings
    from tests.browser.conftest import LiveServer
    from tests.integration.test_service_rollups import Store

    store = Store(sqlite_url)
    store.metric("csat_overall", "satisfaction", "fraction", "Overall satisfaction")
    for slug, values in {"parks": (0.70, 0.85), "roads": (0.90, 0.75)}.items():
        store.unit(slug, "agency", slug.title())
        store.target(slug, "csat_overall", 0.80)
        for year, value in zip((2023, 2024), values, strict=True):
            start, end = dt.date(year - 1, 10, 1), dt.date(year, 9, 30)
            store.result(slug, "csat_overall", start, end, "fiscal_year", value, value * 400, 400)
    with LiveServer(Settings(database_url=sqlite_url)) as server:
        context = browser.new_context()
        try:
            page = context.new_page()
            _open(page, server.url + "/review?fy=2024")
            expect(page.locator("#review-compared")).to_contain_text(
                "FY2024 compared with FY2023 (previous fiscal year)"
            )
            page.locator("#review-pack-button").click()
            link = page.locator("#review-pack-download")
            expect(link).to_be_visible(timeout=PACK_MS)
            expect(page.locator("#review-pack-status")).to_contain_text(
                "The review pack is ready (3 pages)"
            )
            expect(link).to_contain_text("FY2024")
            expect(link).to_have_attribute("download", "review-pack_fy2024_en.pdf")
            href = link.get_attribute("href")
            assert href and href.startswith("/review-pack/fy2024/") and href.endswith(".pdf")
            response = page.request.get(server.url + href)
            assert response.status == 200
            assert response.body().startswith(b"%PDF")
            assert page.request.get(server.url + href.replace("fy2024", "fy2023")).status == 404
            assert axe_violations(page) == []
        finally:
            context.close()
