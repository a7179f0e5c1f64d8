"""Pages draw their charts with the basic Plotly bundle from assets/, and call no one else."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from plotly.offline import get_plotlyjs_version

from dashboard.domain.charts import TRACE_KINDS, ChartSpec, Trace
from dashboard.gateway import queries
from layouts.figures import figure
from tests.browser.charts import CHARTS_TIMEOUT_S, wait_for_charts

pytestmark = pytest.mark.browser


def every_trace_kind() -> ChartSpec:
    x = ["2026-03-31", "2026-06-30"]
    traces = [
        Trace(
            name=kind,
            kind=kind,
            x=x,
            y=[1.0, 2.0],
            y_low=[0.5, 1.5] if kind == "band" else None,
            text=["a", "b"],
        )
        for kind in TRACE_KINDS
    ]
    return ChartSpec(
        chart_id="all-kinds",
        title="All kinds",
        summary="",
        y_title="",
        traces=traces,
        columns=[],
        rows=[],
        file_stem="all-kinds",
    )


def test_charts_use_the_basic_bundle_from_assets_and_never_the_full_one(
    page, live_server, demo_database
):
    agency = queries.list_agencies(demo_database)[0]
    service = agency["services"][0]
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(urlsplit(request.url).path))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/agency/{agency['slug']}/{service['slug']}")
    assert wait_for_charts(page) > 0

    version = get_plotlyjs_version()
    assert page.evaluate("window.Plotly.version") == version
    assert f"/assets/vendor/plotly-basic-{version}.min.js" in requested
    # Dash's own full bundle (package_data/plotly.min.js), loaded only without window.Plotly.
    assert not [path for path in requested if path.endswith("plotly.min.js")]
    assert page.outside_requests == []
    assert errors == []

    # Every trace type our figures can draw is in the basic bundle.
    available = set(page.evaluate("Object.keys(Plotly.PlotSchema.get().traces)"))
    used = {trace["type"] for trace in figure(every_trace_kind())["data"]}
    assert used <= available, f"missing from the basic bundle: {used - available}"
    drawn = page.evaluate(
        """[...document.querySelectorAll('.js-plotly-plot')]
            .flatMap(plot => plot._fullData.map(trace => trace.type))"""
    )
    assert drawn and set(drawn) <= available


# Records the order in which charts are drawn; registered before the page's own scripts, so
# it wraps Plotly.react beneath assets/charts.js's queue and sees the queue's order.
DRAW_ORDER = """
window.__drawOrder = [];
document.addEventListener('DOMContentLoaded', () => {
  const react = window.Plotly.react;
  window.Plotly.react = function (gd) {
    window.__drawOrder.push(gd.id || gd.parentNode.id);
    return react.apply(this, arguments);
  };
});
"""


def test_charts_are_drawn_top_first_and_still_follow_the_window_size(
    page, live_server, demo_database
):
    agency = queries.list_agencies(demo_database)[0]
    page.add_init_script(DRAW_ORDER)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/agency/{agency['slug']}")
    charts = wait_for_charts(page)
    order = page.evaluate("window.__drawOrder")
    by_position = page.evaluate(
        """[...document.querySelectorAll('.dash-graph')]
            .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
            .map(graph => graph.id)"""
    )
    assert len(order) == charts
    assert order == by_position

    # The first drawing is not redone when nothing changed size (Dash asks for a resize after
    # every first drawing); a change of window size is followed.
    first = "#" + by_position[0]
    wide = page.evaluate(f"document.querySelector('{first} .main-svg').getAttribute('width')")
    page.set_viewport_size({"width": 420, "height": 900})
    deadline = time.monotonic() + CHARTS_TIMEOUT_S
    narrow = wide
    while narrow == wide and time.monotonic() < deadline:
        time.sleep(0.1)
        narrow = page.evaluate(f"document.querySelector('{first} .main-svg').getAttribute('width')")
    assert float(narrow) < float(wide)
    assert page.evaluate("window.__drawOrder.length") == charts  # resized, not redrawn anew
