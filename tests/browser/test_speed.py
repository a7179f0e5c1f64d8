"""Pages draw their charts with the basic Plotly bundle from assets/, and call no one else."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from plotly.offline import get_plotlyjs_version

from dashboard import queries
from dashboard.charts import TRACE_KINDS, ChartSpec, Trace
from layouts.figures import figure

pytestmark = pytest.mark.browser

# Charts render after the page's data arrives; generous because the machine may be busy.
CHARTS_TIMEOUT_S = 90


def wait_for_charts(page) -> int:  # type: ignore[no-untyped-def]
    """Wait until every chart on the page is drawn; the number of charts.

    Polled with page.evaluate: the site's Content-Security-Policy forbids the eval() that
    Playwright's wait_for_function relies on.
    """
    script = """(() => {
        const graphs = document.querySelectorAll('.dash-graph');
        const drawn = document.querySelectorAll('.dash-graph .js-plotly-plot .main-svg');
        return graphs.length > 0 && drawn.length >= graphs.length ? graphs.length : 0;
    })()"""
    deadline = time.monotonic() + CHARTS_TIMEOUT_S
    while time.monotonic() < deadline:
        charts = page.evaluate(script)
        if charts:
            return charts
        time.sleep(0.1)
    raise AssertionError(f"charts not drawn within {CHARTS_TIMEOUT_S} s")


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
    used = {trace.type for trace in figure(every_trace_kind()).data}
    assert used <= available, f"missing from the basic bundle: {used - available}"
    drawn = page.evaluate(
        """[...document.querySelectorAll('.js-plotly-plot')]
            .flatMap(plot => plot._fullData.map(trace => trace.type))"""
    )
    assert drawn and set(drawn) <= available
