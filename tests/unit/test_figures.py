"""Figures are plain dicts for speed; Plotly's own validator must still accept every one."""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import pytest

from dashboard.domain.charts import TRACE_KINDS, ChartSpec, Trace
from layouts.figures import TARGET_COLOUR, figure

X = ["2026-03-31", "2026-06-30", "2026-09-30"]


def spec_with(*kinds: str, y_range: tuple[float, float] | None = None) -> ChartSpec:
    traces = [
        Trace(
            name=f"{kind} trace",
            kind=kind,
            x=X,
            y=[80.0, None, 90.0],
            y_low=[70.0, None, 85.0] if kind == "band" else None,
            text=["a", "b", "c"],
        )
        for kind in kinds
    ]
    return ChartSpec(
        chart_id="c",
        title="Chart",
        summary="",
        y_title="Result (%)",
        traces=traces,
        columns=[],
        rows=[],
        file_stem="chart",
        y_range=y_range,
    )


@pytest.mark.parametrize("compact", [False, True])
def test_every_trace_kind_gives_a_figure_plotly_accepts(compact: bool) -> None:
    fig = figure(spec_with(*TRACE_KINDS, y_range=(0, 100)), compact=compact)
    validated = go.Figure(fig)  # raises on any attribute Plotly does not know
    # A band is two traces (lower edge, then the filled upper edge).
    assert len(validated.data) == len(TRACE_KINDS) + 1
    assert validated.layout.yaxis.range == (0, 100)


def test_gaps_are_never_joined_and_the_target_is_a_dashed_step_line() -> None:
    fig = figure(spec_with("line", "target"))
    line, target = fig["data"]
    assert line["connectgaps"] is False and target["connectgaps"] is False
    assert line["y"] == [80.0, None, 90.0]
    assert target["line"] == {"color": TARGET_COLOUR, "width": 2, "dash": "dash", "shape": "hv"}


def test_unset_attributes_are_left_out_rather_than_sent_as_null() -> None:
    spec = spec_with("line")
    spec = replace(spec, traces=[replace(spec.traces[0], text=None)])
    (line,) = figure(spec)["data"]
    assert "text" not in line and "hovertemplate" not in line


def test_sparklines_have_no_axes_legend_or_hover() -> None:
    fig = figure(spec_with("line"), height=60, compact=True)
    layout = fig["layout"]
    assert layout["height"] == 60
    assert layout["showlegend"] is False and layout["hovermode"] is False
    assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False


def test_a_chart_with_no_result_says_so_and_draws_no_empty_axis() -> None:
    spec = spec_with("line")
    empty = replace(
        spec,
        traces=[replace(spec.traces[0], y=[None, None, None])],
        empty_text="Not reported",
    )
    fig = figure(empty)
    go.Figure(fig)
    assert fig["layout"]["xaxis"]["visible"] is False
    assert fig["layout"]["yaxis"]["visible"] is False
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["Not reported"]
    # With a target line the axes have a real range: drawn, and the text still says why.
    with_target = replace(empty, traces=[*empty.traces, spec_with("target").traces[0]])
    fig = figure(with_target)
    assert fig["layout"]["yaxis"]["visible"] is True
    assert fig["layout"]["annotations"][0]["text"] == "Not reported"
    # A chart with results has no such text.
    assert "annotations" not in figure(replace(spec, empty_text="Not reported"))["layout"]


def test_period_ticks_label_the_x_axis_by_period() -> None:
    ticks = (("2026-03-31", "FY2026 Q2"), ("2026-06-30", "FY2026 Q3"))
    fig = figure(replace(spec_with("line"), x_ticks=ticks))
    go.Figure(fig)
    xaxis = fig["layout"]["xaxis"]
    assert xaxis["tickmode"] == "array"
    assert xaxis["tickvals"] == ["2026-03-31", "2026-06-30"]
    assert xaxis["ticktext"] == ["FY2026 Q2", "FY2026 Q3"]
    assert "tickvals" not in figure(spec_with("line"))["layout"]["xaxis"]
