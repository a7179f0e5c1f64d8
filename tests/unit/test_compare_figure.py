"""The dot-and-interval chart of the compare and equity pages (layouts.compare.dot_figure):
valid for Plotly, best result on top, interval bars from the band, names escaped once."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.domain.charts import ChartSpec, TableColumn, Trace
from layouts.compare import dot_figure


def spec(traces: list[Trace]) -> ChartSpec:
    return ChartSpec(
        chart_id="compare",
        title="Overall satisfaction, FY2026 Q3: result by agency",
        summary="",
        y_title="%",
        traces=traces,
        columns=[TableColumn("agency", "Agency")],
        rows=[],
        file_stem="compare",
        scale="fraction",
    )


def test_dots_with_intervals_and_targets_are_a_valid_plotly_figure():
    names = ["Parks <b>& Rec</b>", "Motor Vehicles", "Department of Licensing and Regulation"]
    drawn = dot_figure(
        spec(
            [
                Trace("Result", "line", names, [83.3, 79.5, 61.9], text=["a", "b", "c"]),
                Trace("95% interval", "band", names, [86.2, 80.6, 64.8], y_low=[80.0, 78.3, 58.8]),
                Trace("Target in force", "target", names, [80, 80, None]),
            ]
        )
    )
    go.Figure(drawn)  # raises on anything Plotly does not know
    dots, ticks = drawn["data"]
    assert dots["x"] == [83.3, 79.5, 61.9]
    assert dots["error_x"]["array"] == [86.2 - 83.3, 80.6 - 79.5, 64.8 - 61.9]
    assert dots["error_x"]["arrayminus"] == [83.3 - 80.0, 79.5 - 78.3, 61.9 - 58.8]
    # Names reach Plotly escaped, and the first (best) category is drawn at the top.
    assert dots["y"][0] == "Parks &lt;b&gt;&amp; Rec&lt;/b&gt;"
    axis = drawn["layout"]["yaxis"]
    assert axis["categoryarray"][-1] == dots["y"][0]
    assert "<br>" in axis["ticktext"][2]  # a long name wraps instead of widening the chart
    assert ticks["marker"]["symbol"] == "line-ns-open"
    # The value axis includes the target and spans at least the stated minimum (20 points).
    low, high = drawn["layout"]["xaxis"]["range"]
    assert low <= 58.8 and high >= 86.2 and high - low >= 20


def test_several_groups_differ_by_marker_as_well_as_colour():
    names = ["A", "B"]
    drawn = dot_figure(
        spec(
            [
                Trace("English", "line", names, [70.0, 80.0]),
                Trace("English", "band", names, [75.0, 85.0], y_low=[65.0, 75.0]),
                Trace("Spanish", "line", names, [60.0, None]),
                Trace("Spanish", "band", names, [70.0, None], y_low=[50.0, None]),
            ]
        )
    )
    go.Figure(drawn)
    english, spanish = drawn["data"]
    assert english["marker"]["symbol"] != spanish["marker"]["symbol"]
    assert english["marker"]["color"] != spanish["marker"]["color"]
    assert spanish["error_x"]["array"] == [10.0, None]  # no value, no bar: never a zero
    assert drawn["layout"]["scattermode"] == "group"


def test_a_small_sample_dot_is_hollow():
    names = ["A", "B"]
    drawn = dot_figure(
        spec(
            [
                Trace("Spanish", "line", names, [60.0, 70.0]),
                Trace("Spanish", "band", names, [70.0, 80.0], y_low=[50.0, 60.0]),
                Trace("Spanish", "small", ["B"], [70.0]),
            ]
        )
    )
    go.Figure(drawn)
    (dots,) = drawn["data"]  # the small-sample trace marks the dots; it is no series of its own
    assert dots["marker"]["symbol"] == ["circle", "circle-open"]
