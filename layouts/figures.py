"""Draw a ChartSpec as a plain Plotly figure dict.

A dict is what ``dcc.Graph`` sends to the browser anyway; building it directly costs ~2 ms a
figure where ``go.Figure`` validation costs 35–60 ms and plotly.express more (an agency page
has 15 charts). ``tests/unit/test_figures.py`` checks every figure against Plotly's schema
with ``go.Figure(...)``, so the speed does not cost correctness.

The chart rules (``dashboard.domain.charts``) are applied here, for every public chart: a value
axis that includes the target and spans at least the scale's stated minimum (no magnified
noise), at most six period ticks on two lines (they fit a phone without turning sideways), the
target's value written at its line's end, series told apart by marker and dash as well as
colour, small-sample points hollow (with a "small sample" legend entry), actions taken as solid
diamonds and planned ones as hollow diamonds, each labelled, and a horizontal legend below
the plot whose names wrap instead of being cut.

Colour is never the only signal: the result is a line with markers, the target a dashed step
line, the interval a shaded band, actions are diamonds, and every trace is named in the
legend and in the data table below the chart.

Every text that reaches Plotly goes through ``plotly_text`` (``dashboard.domain.charts``,
where the review pack's charts find it too): trace names, hover text, tick labels, axis
titles, annotations. Plotly reads a few HTML tags in text (``<a href>``, ``<b>``, ``<br>``)
and would make a link of an agency's ``<a href=...>`` in a legend, a hover label or an
exported SVG; the views hand over plain text, and it is escaped once, on its way in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dashboard.domain.charts import (
    ACTION_LABEL_LINE_CHARS,
    LEGEND_LINE_CHARS,
    AxisRange,
    ChartSpec,
    Trace,
    axis_ticks,
    label_positions,
    plotly_text,
    plotly_texts,
    series_style,
    tick_lines,
    value_axis,
    wrap_words,
)

if TYPE_CHECKING:
    from dash import dcc

TARGET_COLOUR = "#b35900"
#: The target's label: the target's colour darkened to 4.5:1 on white (text, WCAG 1.4.3).
TARGET_TEXT_COLOUR = "#8a4500"
BAND_FILL = "rgba(27, 58, 92, 0.15)"
ACTION_COLOUR = "#6f2da8"
SMALL_SAMPLE_COLOUR = "#495057"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"
#: Where the target's label goes below its line instead of above: in the top tenth of the axis
#: (above it would be past the top tick).
_LABEL_BELOW_SHARE = 0.1


Figure = dict[str, Any]


def figure(spec: ChartSpec, *, height: int = 360, compact: bool = False) -> Figure:
    """The Plotly figure of a chart (``compact`` for sparklines: no axes, legend or hover)."""
    data: list[dict[str, Any]] = []
    lines = 0
    last_line: dict[str, Any] | None = None
    small_shown = False
    for trace in spec.traces:
        if trace.kind == "line":
            style_index = trace.style if trace.style is not None else lines
            last_line = _line(trace, style_index, compact)
            data.append(last_line)
            lines += 1
        elif trace.kind == "small":
            if compact:
                continue
            data.append(_small(trace, last_line, first=not small_shown))
            small_shown = True
        elif trace.kind == "target":
            data.append(_target(trace))
        elif trace.kind == "band":
            data.extend(_band(trace))
        elif trace.kind in ("actions", "planned"):
            if compact:
                continue
            data.append(_actions(trace, planned=trace.kind == "planned", span=_span(spec)))
        elif trace.kind == "bar":
            data.append(
                _trace(
                    "bar",
                    name=_legend_name(trace.name),
                    x=trace.x,
                    y=trace.y,
                    marker={"color": "#2a7ab0"},
                )
            )
    # A chart with no result at all (a series never reported) would draw an empty axis with
    # Plotly's made-up range (−1 to 4): it says so in words instead, and draws axes only when
    # something else (the target line) gives them a real range.
    has_results = any(
        y is not None for t in spec.traces if t.kind in ("line", "bar", "band") for y in t.y
    )
    has_lines = has_results or any(
        y is not None for t in spec.traces if t.kind == "target" for y in t.y
    )
    show_axes = not compact and has_lines
    # A sparkline keeps Plotly's range (or the spec's): it shows a shape, not values.
    axis = _value_axis(spec) if not compact else None
    if compact and spec.y_range is not None:
        axis = value_axis(None, [], [], fixed=spec.y_range)
    layout = dict(
        height=height,
        margin={"l": 4, "r": 4, "t": 4, "b": 4}
        if compact
        else {"l": 56, "r": 16, "t": 16, "b": 8, "autoexpand": True},
        font={"family": FONT, "size": 13, "color": "#212529"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=not compact,
        # Below the plot, under the two-line period ticks, one entry after another: entries
        # that do not fit the width go on the next row, and each name wraps (never cut).
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -0.2,
            "yanchor": "top",
            "traceorder": "normal",
            "font": {"size": 12},
        },
        hovermode=False if compact else "closest",
        xaxis={
            "visible": show_axes,
            "type": "date",
            "showgrid": False,
            "linecolor": "#6c757d",
            "fixedrange": True,
            **_period_ticks(spec),
        },
        yaxis={
            "visible": show_axes,
            "title": {"text": plotly_text(spec.y_title)},
            "gridcolor": "#e9ecef",
            "zeroline": False,
            "fixedrange": True,
            **(
                {"range": [axis.low, axis.high], "tick0": axis.low, "dtick": axis.step}
                if axis is not None and not compact
                else {"range": [axis.low, axis.high]}
                if axis is not None
                else {}
            ),
        },
    )
    annotations: list[dict[str, Any]] = []
    if show_axes and axis is not None:
        annotations += _target_labels(spec, axis.low, axis.high)
    if not has_results and spec.empty_text and not compact:
        annotations.append(
            {
                "text": plotly_text(spec.empty_text),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 15, "color": "#495057"},
            }
        )
    if annotations:
        layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def _value_axis(spec: ChartSpec) -> AxisRange | None:
    """The chart's value axis by the rule of :func:`dashboard.domain.charts.value_axis`."""
    values: list[float | int | None] = []
    targets: list[float | int | None] = []
    for trace in spec.traces:
        if trace.kind in ("line", "bar", "band", "small"):
            values += trace.y
            values += trace.y_low or []
        elif trace.kind == "target":
            targets += trace.y
    if spec.y_range is None and spec.scale is None:
        # A chart that states no scale: Plotly's own range, widened to show its target.
        if not any(t is not None for t in targets):
            return None
        return value_axis(None, values, targets)
    return value_axis(spec.scale, values, targets, fixed=spec.y_range)


def _period_ticks(spec: ChartSpec) -> dict[str, Any]:
    """At most six ticks, labelled as the site writes periods, on two lines (never Plotly's
    day or calendar-year ticks, never turned sideways)."""
    if not spec.x_ticks:
        return {}
    ticks = axis_ticks(spec.x_ticks)
    return {
        "tickmode": "array",
        "tickvals": [x for x, _label in ticks],
        "ticktext": [
            "<br>".join(plotly_text(line) for line in tick_lines(label)) for _x, label in ticks
        ],
        "tickangle": 0,
        "automargin": True,
    }


def _legend_name(name: str) -> str:
    """A legend entry's name on lines short enough for a phone (escaped line by line)."""
    return "<br>".join(plotly_text(line) for line in wrap_words(name, LEGEND_LINE_CHARS))


def _trace(kind: str, **attributes: Any) -> dict[str, Any]:
    """A trace dict without the attributes left unset (None means "Plotly's default")."""
    return {"type": kind, **{key: value for key, value in attributes.items() if value is not None}}


def _line(trace: Trace, style_index: int, compact: bool) -> dict[str, Any]:
    style = series_style(style_index)
    return _trace(
        "scatter",
        name=_legend_name(trace.name),
        x=trace.x,
        y=trace.y,
        mode="lines" if compact else "lines+markers",
        line={"color": style.colour, "width": 2.5, "dash": style.dash},
        marker={"symbol": style.symbol, "size": 8, "color": style.colour},
        connectgaps=False,  # a gap is "not reported" or a series break: never join across it
        # A result of 100% sits on the top tick: its marker is drawn whole, not cut in half.
        cliponaxis=False,
        text=plotly_texts(trace.text),
        hovertemplate="%{text}<extra></extra>" if trace.text else None,
    )


def _small(trace: Trace, line: dict[str, Any] | None, *, first: bool) -> dict[str, Any]:
    """Small-sample points: hollow (white inside, the series' outline) over the line's own
    markers; one "small sample" legend entry for the chart."""
    marker = (line or {}).get("marker", {})
    colour = marker.get("color", SMALL_SAMPLE_COLOUR)
    return _trace(
        "scatter",
        name=_legend_name(trace.name),
        x=trace.x,
        y=trace.y,
        mode="markers",
        marker={
            "symbol": marker.get("symbol", "circle"),
            "size": 11,
            "color": "white",
            "line": {"color": colour, "width": 2},
        },
        legendgroup="small-sample",
        showlegend=first,
        cliponaxis=False,
        text=plotly_texts(trace.text),
        hovertemplate="%{text}<extra></extra>" if trace.text else None,
    )


def _target(trace: Trace) -> dict[str, Any]:
    return _trace(
        "scatter",
        name=_legend_name(trace.name),
        x=trace.x,
        y=trace.y,
        mode="lines",
        line={"color": TARGET_COLOUR, "width": 2, "dash": "dash", "shape": "hv"},
        connectgaps=False,
        text=plotly_texts(trace.text),
        hovertemplate="%{text}<extra></extra>" if trace.text else None,
    )


def _target_labels(spec: ChartSpec, low: float, high: float) -> list[dict[str, Any]]:
    """The target's value written at its line's latest point ("Target ≥ 95%"): on the side of
    the line where the latest results are not (the words never cover a result), and never
    past the top or the bottom tick."""
    labels = []
    for trace in spec.traces:
        if trace.kind != "target" or not trace.label:
            continue
        last = next(
            (
                (x, y)
                for x, y in zip(reversed(trace.x), reversed(trace.y), strict=True)
                if y is not None
            ),
            None,
        )
        if last is None:
            continue
        x, y = last
        below = _label_below(spec, float(y), low, high)
        labels.append(
            {
                "text": plotly_text(trace.label),
                "x": x,
                "y": y,
                "xref": "x",
                "yref": "y",
                "xanchor": "right",
                "yanchor": "top" if below else "bottom",
                "yshift": -3 if below else 3,
                "showarrow": False,
                "font": {"size": 12, "color": TARGET_TEXT_COLOUR},
            }
        )
    return labels


def _label_below(spec: ChartSpec, target: float, low: float, high: float) -> bool:
    """Whether the target's label goes below its line: where the latest results are above
    it (the last third of each result line), unless there is no room below."""
    room = (high - low) * _LABEL_BELOW_SHARE
    if high - target < room:
        return True
    if target - low < room:
        return False
    latest = [
        float(y)
        for trace in spec.traces
        if trace.kind == "line"
        for y in trace.y[-max(1, len(trace.y) // 3) :]
        if y is not None
    ]
    above = sum(1 for y in latest if y >= target)
    return above * 2 > len(latest)


def _band(trace: Trace) -> list[dict[str, Any]]:
    lower = _trace(
        "scatter",
        name=_legend_name(trace.name),
        x=trace.x,
        y=trace.y_low,
        mode="lines",
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
        connectgaps=False,
        legendgroup=plotly_text(trace.name),
    )
    upper = _trace(
        "scatter",
        name=_legend_name(trace.name),
        x=trace.x,
        y=trace.y,
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor=BAND_FILL,
        hoverinfo="skip",
        connectgaps=False,
        legendgroup=plotly_text(trace.name),
    )
    return [lower, upper]


def _span(spec: ChartSpec) -> tuple[str, str] | None:
    """The first and latest x of the chart's results."""
    xs = [x for t in spec.traces if t.kind in ("line", "bar") for x in t.x]
    return (min(xs), max(xs)) if xs else None


def _actions(trace: Trace, *, planned: bool, span: tuple[str, str] | None) -> dict[str, Any]:
    """Actions taken as solid diamonds, planned ones as hollow diamonds, each labelled (on
    two short lines, leaning into the chart near its edges)."""
    labels = (
        [
            "<br>".join(plotly_text(line) for line in wrap_words(label, ACTION_LABEL_LINE_CHARS))
            for label in trace.labels
        ]
        if trace.labels
        else None
    )
    positions = label_positions(trace.x, *span) if labels and span else None
    return _trace(
        "scatter",
        name=_legend_name(trace.name),
        x=trace.x,
        y=trace.y,
        mode="markers+text" if labels else "markers",
        marker={
            "symbol": "diamond-open" if planned else "diamond",
            "size": 15,
            "color": ACTION_COLOUR,
            "line": {
                "color": ACTION_COLOUR if planned else "white",
                "width": 2 if planned else 1.5,
            },
        },
        text=labels if labels else plotly_texts(trace.text),
        textposition=positions or ("top center" if labels else None),
        textfont={"size": 12, "color": ACTION_COLOUR} if labels else None,
        cliponaxis=False if labels else None,
        customdata=plotly_texts(trace.text) if labels else None,
        hovertemplate=("%{customdata}" if labels else "%{text}") + "<extra></extra>",
    )


def graph_config(spec: ChartSpec) -> dcc.Graph.Config:
    """No mode bar: its buttons were tab stops with English labels on every chart, and each
    chart's PNG, SVG, PDF and CSV are links below it (``layouts.components``). No zooming
    either (the axes are fixed): a chart is read, not explored."""
    return {
        "displayModeBar": False,
        "displaylogo": False,
        "responsive": True,
        "scrollZoom": False,
        "doubleClick": False,
        "showTips": False,
    }
