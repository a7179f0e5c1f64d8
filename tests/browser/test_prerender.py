"""The prerender (issue 13): a public page's index carries its first layout as plain HTML
(layouts/prerender.py). Without JavaScript it is the page; with JavaScript, Dash's page takes
its place once drawn (assets/prerender.js), leaving one copy of the page."""

from __future__ import annotations

import re
import time

import pytest

from dashboard.gateway import queries
from tests.browser.charts import CHARTS_TIMEOUT_S, wait_for_charts
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

DUPLICATE_IDS = """(() => {
  const seen = {};
  document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
  return Object.keys(seen).filter(id => seen[id] > 1);
})()"""


def pages(demo_database: str) -> list[str]:
    agency = queries.list_agencies(demo_database)[0]
    return ["/", f"/agency/{agency['slug']}"]


def wait_for_swap(page) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + CHARTS_TIMEOUT_S
    while page.evaluate("!!document.getElementById('prerender')"):
        assert time.monotonic() < deadline, "the prerender is still there"
        time.sleep(0.1)


@pytest.mark.parametrize("which", [0, 1], ids=["home", "agency"])
def test_without_javascript_the_prerender_is_the_page(browser, live_server, demo_database, which):
    path = pages(demo_database)[which]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200
        prerender = page.locator("#prerender")
        assert prerender.count() == 1
        heading = page.get_by_role("heading", level=1)
        assert heading.count() == 1 and heading.is_visible()
        assert heading.inner_text().strip()
        assert page.get_by_role("heading", level=2).count() > 0
        # Every chart's text summary and data table are there; its empty box is not shown.
        charts = prerender.locator(".prerender-chart")
        assert charts.count() > 0
        assert all(not box.is_visible() for box in charts.all())
        summaries = prerender.locator(".chart-summary")
        assert summaries.count() > 0 and summaries.first.inner_text().strip()
        tables = prerender.locator("table")
        assert tables.count() > 0
        assert tables.first.locator("th").count() > 0 and tables.first.locator("td").count() > 0
        # The links are plain links to the other pages.
        assert page.locator("#prerender a[href='/methodology']").count() > 0
        assert page.locator("noscript").count() >= 1
        assert page.evaluate(DUPLICATE_IDS) == []
    finally:
        context.close()


@pytest.mark.parametrize("which", [0, 1], ids=["home", "agency"])
def test_after_load_one_copy_of_the_page(page, live_server, demo_database, which):
    path = pages(demo_database)[which]
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200
    page.wait_for_selector("#main-content h1", timeout=CHARTS_TIMEOUT_S * 1000)
    wait_for_charts(page)
    wait_for_swap(page)
    assert page.locator("[data-prerender-graph], .prerender-chart").count() == 0
    assert page.locator("h1").count() == 1
    assert page.locator("#react-entry-point").is_visible()
    assert page.evaluate(DUPLICATE_IDS) == []
    assert axe_violations(page) == []


def test_the_swap_keeps_scroll_and_focus(browser, live_server, demo_database):
    """Focus on a link of the prerender before Dash's page is shown moves to the same link of
    Dash's page; the scroll position is kept."""
    path = pages(demo_database)[1]
    context = browser.new_context()
    try:
        page = context.new_page()
        # Dash's layout answer held back until the prerender has been scrolled and focused.
        held: list = []
        holding = [True]

        def hold(route) -> None:  # type: ignore[no-untyped-def]
            if holding[0]:
                held.append(route)
            else:
                route.continue_()

        page.route("**/_dash-layout", hold)
        page.goto(live_server.url + path, wait_until="domcontentloaded")
        page.wait_for_selector("#prerender #prerender-main-content h1")
        link = page.locator("#prerender a[href='/methodology']").first
        link.focus()
        page.evaluate("window.scrollTo(0, 300)")
        deadline = time.monotonic() + 30
        while not held:
            assert time.monotonic() < deadline, "the layout was never asked for"
            page.wait_for_timeout(100)
        holding[0] = False
        for route in held:
            route.continue_()
        wait_for_swap(page)
        focused = page.evaluate(
            "[document.activeElement.getAttribute('href'),"
            " !!document.activeElement.closest('#react-entry-point')]"
        )
        assert focused == ["/methodology", True]
        assert page.evaluate("window.scrollY") == 300
    finally:
        context.close()


def test_no_prerender_on_the_404_page(page, live_server):
    response = page.goto(live_server.url + "/no-such-page")
    assert response is not None and response.status == 404
    assert page.locator("#prerender").count() == 0


# When each thing happened: the prerender's first chart drawn, Dash's renderer script added.
ORDER_WATCH = """(() => {
  window.__order = {};
  new MutationObserver(() => {
    const now = performance.now();
    if (!window.__order.chart && document.querySelector('#prerender .prerender-plot .main-svg')) {
      window.__order.chart = now;
    }
    if (!window.__order.dash && document.querySelector("script[src*='dash_renderer']")) {
      window.__order.dash = now;
    }
  }).observe(document, {childList: true, subtree: true});
})();"""


@pytest.mark.parametrize("which", [0, 1], ids=["home", "agency"])
def test_dash_is_loaded_after_the_first_chart(page, live_server, demo_database, which):
    """While the page is parsed only the prerender's script and Plotly run; Dash's scripts
    (and the CPU they take) come once the first chart is drawn (factory.dash_after_first_chart).
    """
    page.add_init_script(ORDER_WATCH)
    response = page.goto(live_server.url + pages(demo_database)[which])
    assert response is not None
    parsed = [src.split("?")[0] for src in re.findall(r'<script src="([^"]+)"', response.text())]
    assert parsed[0] == "/assets/prerender.js" and len(parsed) == 2
    assert re.fullmatch(r"/assets/vendor/plotly-basic-[0-9.]+\.min\.js", parsed[1])
    wait_for_swap(page)
    wait_for_charts(page)
    order = page.evaluate("window.__order")
    assert order.get("chart") is not None and order.get("dash") is not None, order
    assert order["chart"] < order["dash"]


def test_without_plotly_dash_still_loads_and_shows_its_page(browser, live_server, demo_database):
    """The prerender's charts cannot be drawn (Plotly's bundle did not come): Dash is loaded
    all the same once the page is parsed, and its page replaces the prerender."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route("**/assets/vendor/plotly-*", lambda route: route.abort())
        page.goto(live_server.url + pages(demo_database)[1])
        page.locator("#react-entry-point #main-content h1").wait_for(
            timeout=CHARTS_TIMEOUT_S * 1000
        )
        wait_for_swap(page)
        assert page.locator("#react-entry-point").is_visible()
    finally:
        context.close()
