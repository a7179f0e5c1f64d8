"""The compare, equity and embeddable chart pages in a real browser (issue 13, items 6 and 7):
on a phone and a desktop, in English and Spanish, axe finds nothing, nothing is wider than
the screen, the chart is drawn with its summary and table, and the GET form works.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, dash_page_shown

pytestmark = pytest.mark.browser

PAGES = {
    "compare": "/compare",
    "equity": "/equity",
    "embed": "/embed/dmv/csat_overall",
}


@pytest.mark.parametrize("width", [375, 1280], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_page_is_axe_clean_and_fits(browser, live_server, kind, language, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}{PAGES[kind]}?lang={language}")
        expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=90_000)
        # The chart is drawn (Plotly's SVG), with its summary beside it.
        expect(page.locator(".js-plotly-plot .main-svg").first).to_be_attached(timeout=60_000)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang") == language
        assert page.locator(".chart-summary").first.inner_text().strip()
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        context.close()


def test_compare_form_works_and_is_a_permalink(page, live_server):
    page.goto(f"{live_server.url}/compare")
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=90_000)
    page.select_option("#compare-metric", "ease")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/compare?*metric=ease*", timeout=60_000)
    dash_page_shown(page, 60_000)  # a full page load: the prerender first, then Dash's page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ease", timeout=60_000)
    # A mean has no interval, and the page says why rather than drawing none silently.
    expect(page.locator(".chart-notes")).to_contain_text("standard deviation")


def test_embed_page_has_no_site_menu(page, live_server):
    page.goto(f"{live_server.url}/embed/dmv/csat_overall")
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=90_000)
    assert page.locator("header").count() == 0
    expect(page.locator("#embed-full-page")).to_have_attribute("target", "_top")
    expect(page.locator("#embed-allowed")).to_contain_text("EMBED_FRAME_ANCESTORS")


def _frame_heading(page, server_url: str, wait_ms: int) -> str | None:  # type: ignore[no-untyped-def]
    """The heading an iframe of this site's embed page shows, inside a page of the same
    origin (None when the browser refused to frame it)."""
    page.goto(f"{server_url}/api/v1")  # any page of the origin will do as the host
    page.evaluate(
        """src => {
            const frame = document.createElement('iframe');
            frame.id = 'host-frame'; frame.src = src; frame.width = 800; frame.height = 700;
            document.body.appendChild(frame);
        }""",
        f"{server_url}/embed/dmv/csat_overall",
    )
    frame = page.frame_locator("#host-frame")
    try:
        heading = frame.get_by_role("heading", level=1)
        heading.wait_for(timeout=wait_ms)
        return heading.inner_text()
    except Exception:  # refused: the frame holds Chromium's error page, with no heading
        return None


def test_embedding_follows_the_setting(browser, demo_database):
    from dashboard.core.settings import Settings
    from tests.browser.conftest import LiveServer

    with LiveServer(Settings(database_url=demo_database, embed_frame_ancestors="'self'")) as server:
        context = browser.new_context()
        try:
            heading = _frame_heading(context.new_page(), server.url, 60_000)
        finally:
            context.close()
    assert heading == "Department of Motor Vehicles: Overall satisfaction"
    with LiveServer(Settings(database_url=demo_database)) as server:
        context = browser.new_context()
        try:
            # 'none': refused. (Allowed, the same frame drew its heading above.)
            assert _frame_heading(context.new_page(), server.url, 10_000) is None
        finally:
            context.close()
