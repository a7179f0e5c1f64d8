"""Opening pages and waiting for charts in a browser test."""

from __future__ import annotations

import time

from playwright.sync_api import expect

# Pages draw after their data arrives; generous because the machine may be busy.
CHARTS_TIMEOUT_S = 120

# A chart counts as drawn once Plotly has put its SVG in (each chart holds several .main-svg).
_DRAWN = """(() => {
    const graphs = [...document.querySelectorAll('.dash-graph')];
    const drawn = graphs.filter(graph => graph.querySelector('.main-svg'));
    return graphs.length > 0 && drawn.length === graphs.length ? graphs.length : 0;
})()"""


def wait_for_charts(page, timeout_s: float = CHARTS_TIMEOUT_S) -> int:  # type: ignore[no-untyped-def]
    """Wait until every chart on the page is drawn; the number of charts.

    Polled with page.evaluate: the site's Content-Security-Policy forbids the eval() that
    Playwright's wait_for_function relies on.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        count = page.evaluate(_DRAWN)
        if count:
            return count
        time.sleep(0.1)
    raise AssertionError(f"charts not drawn within {timeout_s} s")


def open_page(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page, check it answered 200, and wait for its heading and every chart."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=CHARTS_TIMEOUT_S * 1000)
    wait_for_charts(page)
