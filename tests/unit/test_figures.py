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
    # A band is two traces (lower edge, then the filled upper edge); a sparkline draws no
    # actions and no small-sample markers.
    dropped = 3 if compact else 0
    assert len(validated.data) == len(TRACE_KINDS) + 1 - dropped
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
    # On two lines, level: they fit a phone without turning sideways (issue 13).
    assert xaxis["ticktext"] == ["FY2026<br>Q2", "FY2026<br>Q3"]
    assert xaxis["tickangle"] == 0
    assert "tickvals" not in figure(spec_with("line"))["layout"]["xaxis"]


# -- markup in chart text (issue 11): every text reaching Plotly is escaped, once -------------

LINK = '<a href="javascript:alert(1)">x</a>'
MARKUP = f"{LINK} <b>bold</b> R&D"
ESCAPED = '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt; &lt;b&gt;bold&lt;/b&gt; R&amp;D'


def marked_up_spec(*kinds: str) -> ChartSpec:
    traces = [
        Trace(
            name=f"{MARKUP} {kind}",
            kind=kind,
            x=X,
            y=[80.0, None, 90.0],
            y_low=[70.0, None, 85.0] if kind == "band" else None,
            text=[MARKUP, MARKUP, MARKUP],
        )
        for kind in kinds
    ]
    return ChartSpec(
        chart_id="c",
        title=MARKUP,
        summary="",
        y_title=MARKUP,
        traces=traces,
        columns=[],
        rows=[],
        file_stem="chart",
        x_ticks=tuple((x, MARKUP) for x in X),
        empty_text=MARKUP,
    )


def strings(value: object) -> list[str]:
    """Every string anywhere in a figure dict (keys' values, lists, nested dicts)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in strings(item)]
    return []


def assert_no_live_markup(fig: dict) -> None:
    for text in strings(fig):
        assert "<a " not in text and "<b>bold" not in text and "R&D" not in text, text
        assert "&amp;amp;" not in text and "&amp;lt;" not in text, text  # never escaped twice


def test_names_hover_ticks_titles_and_annotations_are_escaped() -> None:
    fig = figure(marked_up_spec(*TRACE_KINDS))
    go.Figure(fig)
    assert_no_live_markup(fig)
    for trace in fig["data"]:
        # Legend names wrap onto lines (<br>, Plotly's line break) between words.
        assert trace["name"].replace("<br>", " ").startswith(ESCAPED)
    hovered = [trace for trace in fig["data"] if "text" in trace]
    assert hovered and all(trace["text"] == [ESCAPED] * 3 for trace in hovered)
    # Two-line ticks: the first line break replaces the label's first space.
    assert fig["layout"]["xaxis"]["ticktext"] == [ESCAPED.replace(" ", "<br>", 1)] * 3
    assert fig["layout"]["yaxis"]["title"]["text"] == ESCAPED
    # The spec itself keeps plain text (its table and CSV show the agency's words as written).
    assert marked_up_spec("line").traces[0].text == [MARKUP] * 3


def test_the_not_reported_annotation_is_escaped_once() -> None:
    spec = marked_up_spec("line")
    empty = replace(spec, traces=[replace(spec.traces[0], y=[None, None, None])])
    fig = figure(empty)
    assert_no_live_markup(fig)
    assert [a["text"] for a in fig["layout"]["annotations"]] == [ESCAPED]


def test_the_report_figure_escapes_legend_hover_and_its_own_texts_once() -> None:
    import datetime as dt

    from layouts.report_figures import ReportContext, report_figure

    context = ReportContext(
        language="en", source=MARKUP, as_of=dt.date(2026, 9, 30), permalink="https://x.test/a"
    )
    spec = replace(marked_up_spec(*TRACE_KINDS), notes=[MARKUP])
    fig = report_figure(spec, context)
    go.Figure(fig)
    assert_no_live_markup(fig)
    assert fig["layout"]["title"]["text"] == f"<b>{ESCAPED}</b>"
    assert fig["layout"]["yaxis"]["title"]["text"] == ESCAPED
    assert all(trace["name"].replace("<br>", " ").startswith(ESCAPED) for trace in fig["data"])
    assert ESCAPED in fig["layout"]["annotations"][-1]["text"]
