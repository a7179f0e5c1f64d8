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


# -- the chart rules (issue 13), as drawn ------------------------------------------------------

#: Per chart on the page: its id, accessible name, Plotly's decoded traces and axes, and the
#: boxes of its SVG, legend entries, annotations and the plot area (client pixels).
_CHART_FACTS = """(() => [...document.querySelectorAll('.chart-graph')].map(wrapper => {
    const gd = wrapper.querySelector('.js-plotly-plot');
    const svg = gd.querySelector('.main-svg').getBoundingClientRect();
    const box = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
    const size = gd._fullLayout._size;
    const gdBox = gd.getBoundingClientRect();
    return {
        id: gd.parentElement.id || gd.id,
        role: wrapper.getAttribute('role'),
        name: wrapper.getAttribute('aria-label'),
        summary: (wrapper.parentElement.querySelector('.chart-summary') || {}).textContent,
        svg: box(svg),
        plot: {left: gdBox.left + size.l, right: gdBox.left + size.l + size.w,
               top: gdBox.top + size.t, bottom: gdBox.top + size.t + size.h},
        legend: [...gd.querySelectorAll('.legend .traces')].map(
            e => box(e.getBoundingClientRect())),
        legendTexts: [...gd.querySelectorAll('.legend .legendtext')].map(e => e.textContent),
        annotations: [...gd.querySelectorAll('.annotation')].map(e => ({
            text: e.textContent, box: box(e.getBoundingClientRect())})),
        ticks: Array.from(gd._fullLayout.xaxis.ticktext || []),
        yrange: Array.from(gd._fullLayout.yaxis.range || []),
        traces: gd._fullData.map(t => ({
            name: t.name, mode: t.mode, showlegend: t.showlegend,
            x: Array.from(t.x || []), y: Array.from(t.y || []),
            symbol: t.marker ? t.marker.symbol : null,
            colour: t.line ? t.line.color : null, dash: t.line ? t.line.dash : null,
        })),
        focusable: wrapper.querySelectorAll(
            'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])').length,
    };
}))()"""


def chart_facts(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """What each chart on the page draws and where (see ``_CHART_FACTS``)."""
    return page.evaluate(_CHART_FACTS)
