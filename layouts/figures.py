"""Draw a ChartSpec as a plain Plotly figure dict.

A dict is what ``dcc.Graph`` sends to the browser anyway; building it directly costs ~2 ms a
figure where ``go.Figure`` validation costs 35–60 ms and plotly.express more (an agency page
has 15 charts). ``tests/unit/test_figures.py`` checks every figure against Plotly's schema
with ``go.Figure(...)``, so the speed does not cost correctness.

Colour is never the only signal: the result is a solid line with round markers, the target a
dashed step line, the interval a shaded band, actions are diamonds, and every trace is named
in the legend and in the data table below the chart.

Every text that reaches Plotly goes through ``plotly_text`` (``dashboard.domain.charts``,
where the review pack's charts find it too): trace names, hover text, tick labels, axis
titles, annotations. Plotly reads a few HTML tags in text (``<a href>``, ``<b>``, ``<br>``)
and would make a link of an agency's ``<a href=...>`` in a legend, a hover label or an
exported SVG; the views hand over plain text, and it is escaped once, on its way in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dashboard.domain.charts import ChartSpec, Trace, plotly_text, plotly_texts

if TYPE_CHECKING:
    from dash import dcc

RESULT_COLOURS = ("#1b3a5c", "#2a7ab0", "#5b8c2a", "#8c4a2a", "#6b6b6b")
TARGET_COLOUR = "#b35900"
BAND_FILL = "rgba(27, 58, 92, 0.15)"
ACTION_COLOUR = "#6f2da8"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"


Figure = dict[str, Any]


def figure(spec: ChartSpec, *, height: int = 360, compact: bool = False) -> Figure:
    """The Plotly figure of a chart (``compact`` for sparklines: no axes, legend or hover)."""
    data: list[dict[str, Any]] = []
    results = 0
    for trace in spec.traces:
        if trace.kind == "line":
            data.append(_line(trace, RESULT_COLOURS[results % len(RESULT_COLOURS)], compact))
            results += 1
        elif trace.kind == "target":
            data.append(_target(trace))
        elif trace.kind == "band":
            data.extend(_band(trace))
        elif trace.kind == "actions":
            data.append(_actions(trace))
        elif trace.kind == "bar":
            data.append(
                _trace(
                    "bar",
                    name=plotly_text(trace.name),
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
    layout = dict(
        height=height,
        margin={"l": 4, "r": 4, "t": 4, "b": 4} if compact else {"l": 56, "r": 16, "t": 16, "b": 8},
        font={"family": FONT, "size": 13, "color": "#212529"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=not compact,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
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
            **({"range": list(spec.y_range)} if spec.y_range else {}),
        },
    )
    if not has_results and spec.empty_text and not compact:
        layout["annotations"] = [
            {
                "text": plotly_text(spec.empty_text),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 15, "color": "#495057"},
            }
        ]
    return {"data": data, "layout": layout}


def _period_ticks(spec: ChartSpec) -> dict[str, Any]:
    """One tick per period, labelled as the site writes periods (never Plotly's day ticks)."""
    if not spec.x_ticks:
        return {}
    return {
        "tickmode": "array",
        "tickvals": [x for x, _label in spec.x_ticks],
        "ticktext": [plotly_text(label) for _x, label in spec.x_ticks],
    }


def _trace(kind: str, **attributes: Any) -> dict[str, Any]:
    """A trace dict without the attributes left unset (None means "Plotly's default")."""
    return {"type": kind, **{key: value for key, value in attributes.items() if value is not None}}


def _line(trace: Trace, colour: str, compact: bool) -> dict[str, Any]:
    return _trace(
        "scatter",
        name=plotly_text(trace.name),
        x=trace.x,
        y=trace.y,
        mode="lines" if compact else "lines+markers",
        line={"color": colour, "width": 2.5},
        marker={"symbol": "circle", "size": 7},
        connectgaps=False,  # a gap is "not reported" or a series break: never join across it
        text=plotly_texts(trace.text),
        hovertemplate="%{text}<extra></extra>" if trace.text else None,
    )


def _target(trace: Trace) -> dict[str, Any]:
    return _trace(
        "scatter",
        name=plotly_text(trace.name),
        x=trace.x,
        y=trace.y,
        mode="lines",
        line={"color": TARGET_COLOUR, "width": 2, "dash": "dash", "shape": "hv"},
        connectgaps=False,
        text=plotly_texts(trace.text),
        hovertemplate="%{text}<extra></extra>" if trace.text else None,
    )


def _band(trace: Trace) -> list[dict[str, Any]]:
    lower = _trace(
        "scatter",
        name=plotly_text(trace.name),
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
        name=plotly_text(trace.name),
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


def _actions(trace: Trace) -> dict[str, Any]:
    return _trace(
        "scatter",
        name=plotly_text(trace.name),
        x=trace.x,
        y=trace.y,
        mode="markers",
        marker={
            "symbol": "diamond",
            "size": 13,
            "color": ACTION_COLOUR,
            "line": {"color": "white", "width": 1.5},
        },
        text=plotly_texts(trace.text),
        hovertemplate="%{text}<extra></extra>",
    )


def graph_config(spec: ChartSpec) -> dcc.Graph.Config:
    """Mode bar: PNG download named after the chart, no Plotly logo, no zoom tools."""
    return {
        "displaylogo": False,
        "responsive": True,
        "toImageButtonOptions": {"format": "png", "filename": spec.file_stem, "scale": 2},
        "modeBarButtonsToRemove": [
            "zoom2d",
            "pan2d",
            "select2d",
            "lasso2d",
            "zoomIn2d",
            "zoomOut2d",
            "autoScale2d",
            "resetScale2d",
            # Uploads the chart to Plotly's cloud: no request may leave this server.
            "sendChartToCloud",
        ],
    }
