"""The compare page (``/compare``): agencies side by side on one measure, with intervals.

A pure function of :class:`dashboard.views.compare.CompareView` and the page context. The
measure and period are native ``<select>`` s in a plain GET form, so the page works without
JavaScript and every view is a permalink. The chart is a dot per agency with its 95%
interval as a bar, best first (:func:`dot_figure`), with its summary above and its data
table and CSV below. The page's frame (:func:`comparison_page`), its form (:func:`choice_form`)
and its chart are the equity page's too. Agency names are data: children of
components here (React escapes them), and escaped once on their way into Plotly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from dash import dcc, html

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain.charts import ChartSpec, Trace, plotly_text, plotly_texts, series_style
from dashboard.views.compare import CompareView
from layouts.attributes import aria
from layouts.components import data_table
from layouts.figures import TARGET_COLOUR, Figure, figure, graph_config

if TYPE_CHECKING:
    from dashboard.web.pages import PageContext

TEXT: Messages = messages(
    P_("compare_title", "Compare agencies"),
    P_("compare_title_of", "Compare agencies: {metric}"),
    P_(
        "compare_intro",
        "Each agency's result on one measure for one period, with its margin of error, its "
        "target and whether it met it. Agencies that did not report are listed as such, "
        "never counted as zero.",
    ),
    P_("compare_choose", "Choose what to compare"),
    P_("compare_measure", "Measure"),
    P_("compare_period", "Period"),
    P_("compare_show", "Show"),
    P_("compare_empty", "No results have been published yet."),
    P_("compare_chart_label", "Chart: {title}"),
    P_("compare_table_label", "Data table: {title}"),
    P_("compare_csv", "Download these numbers (CSV)"),
    P_("compare_equity_link", "See results by customer group and language (equity)"),
)

#: Characters of an agency name per line of the chart's axis (longer names wrap).
_TICK_WIDTH = 22


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


class Choice(Protocol):
    """An option of a form's ``<select>``: ``dashboard.views.Option`` or a period's."""

    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...


def layout(view: CompareView, context: PageContext) -> list:
    language = context.language
    title = (
        _t("compare_title_of", language, metric=view.metric_name)
        if view.metric_name
        else _t("compare_title", language)
    )
    return comparison_page(
        "compare",
        context,
        heading=title,
        intro=html.P(_t("compare_intro", language), className="lead"),
        form=choice_form(
            "compare",
            context,
            _t("compare_choose", language),
            [
                ("metric", _t("compare_measure", language), view.metric_options, view.metric),
                ("period", _t("compare_period", language), view.period_options, view.period),
            ],
            _t("compare_show", language),
        ),
        chart=view.chart if view.has_data else None,
        empty=_t("compare_empty", language),
        other=(
            "equity",
            _t("compare_equity_link", language),
            context.link("/equity", metric=view.metric, period=view.period),
        ),
    )


def comparison_page(
    prefix: str,
    context: PageContext,
    *,
    heading: str,
    intro: html.P,
    form: html.Form,
    chart: ChartSpec | None,
    empty: str,
    other: tuple[str, str, str],
) -> list:
    """The compare and equity pages: the heading, why the page exists, the form; then the
    chart panel and a link to the other page (``other``: its name, the link's words, its
    address with the same measure and period), or the words for nothing to show."""
    body: list[Any] = [html.H1(heading, id=f"{prefix}-heading"), intro, form]
    if chart is None:
        body.append(html.P(empty, id=f"{prefix}-empty"))
        return body
    name, words, href = other
    body.append(comparison_panel(chart, context))
    body.append(html.P(dcc.Link(words, href=href, id=f"{prefix}-{name}-link"), className="small"))
    return body


def choice_form(
    prefix: str,
    context: PageContext,
    legend: str,
    choices: Sequence[tuple[str, str, Sequence[Choice], str | None]],
    button: str,
) -> html.Form:
    """A GET form of native ``<select>`` s ((name, label, options, chosen) each) that reloads
    the page with the choices in its query string, the language kept."""
    hidden = (
        [dcc.Input(type="hidden", name="lang", value=context.language, id=f"{prefix}-lang")]
        if context.language != "en"
        else []
    )
    fields = [
        html.Div(
            [
                html.Label(label, htmlFor=f"{prefix}-{name}", className="form-label"),
                html.Select(
                    [
                        html.Option(
                            option.label, value=option.value, selected=option.value == chosen
                        )
                        for option in options
                    ],
                    id=f"{prefix}-{name}",
                    name=name,
                    className="form-select",
                ),
            ],
            className="col-sm-6 col-lg-4",
        )
        for name, label, options, chosen in choices
        if options
    ]
    return html.Form(
        [
            html.Fieldset(
                [
                    html.Legend(legend, className="h6"),
                    html.Div(
                        [
                            *fields,
                            html.Div(
                                html.Button(button, type="submit", className="btn btn-primary"),
                                className="col-sm-4 col-lg-2 d-flex align-items-end",
                            ),
                        ],
                        className="row g-3",
                    ),
                ]
            ),
            *hidden,
        ],
        method="get",
        action=context.path,
        className="filters compare-filters my-4 p-3 border rounded",
        id=f"{prefix}-filter",
    )


def comparison_panel(
    spec: ChartSpec, context: PageContext, *, heading_level: int = 2
) -> html.Section:
    """The chart with its summary above, its notes, its data table and its CSV below."""
    language = context.language
    heading = getattr(html, f"H{heading_level}")
    title_id = f"chart-{spec.chart_id}-title"
    drawn = dot_figure(spec)
    return html.Section(
        [
            heading(spec.title, id=title_id, className="h4"),
            html.P(spec.summary, className="chart-summary", id=f"chart-{spec.chart_id}-summary"),
            html.Div(
                dcc.Graph(
                    id=f"chart-{spec.chart_id}",
                    figure=drawn,
                    config=graph_config(spec),
                    style={"height": f"{drawn['layout']['height']}px"},
                ),
                className="chart-graph",
                role="group",
                **aria(label=_t("compare_chart_label", language, title=spec.title)),
            ),
            html.Ul([html.Li(note) for note in spec.notes], className="chart-notes small")
            if spec.notes
            else None,
            html.Div(
                data_table(spec, language),
                className="table-responsive compare-table",
                tabIndex="0",
                role="region",
                id=f"chart-{spec.chart_id}-table",
                **aria(label=_t("compare_table_label", language, title=spec.title)),
            ),
            html.P(
                html.A(
                    _t("compare_csv", language),
                    href=context.csv_href(spec.chart_id),
                    download=f"{spec.file_stem}.csv",
                    className="chart-csv",
                    id=f"chart-{spec.chart_id}-csv",
                ),
                className="chart-downloads small",
            ),
        ],
        className="chart-panel compare-panel mb-5",
        **aria(labelledby=title_id),
    )


def _wrapped(name: str) -> str:
    """An axis label: escaped for Plotly, long names broken onto lines of ~22 characters."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= _TICK_WIDTH:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plotly_text(line) for line in lines) or plotly_text(name)


def dot_figure(spec: ChartSpec, height: int | None = None) -> Figure:
    """The chart as dots with interval bars, one row per category (agency), best at the top.

    Built on :func:`layouts.figures.figure` (fonts, colours, legend, the empty-chart words)
    with the spec's traces redrawn across: ``x`` of a trace holds the categories and ``y``
    the values; a "band" trace after a "line" trace is that line's interval (error bars), a
    "small" trace its small-sample points (drawn hollow), a "target" trace a short vertical
    tick per category. Each result series has its own marker shape as well as its colour.
    """
    categories = list(
        dict.fromkeys(
            x for trace in spec.traces if trace.kind in ("line", "target") for x in trace.x
        )
    )
    # A row per category, tall enough for a name on two lines and one dot per series.
    row = max(46, 18 + 24 * _series_count(spec.traces))
    if height is None:  # an image export gives its own
        height = min(2400, max(260, 120 + row * len(categories)))
    base = figure(spec, height=height)
    layout = base["layout"]
    show_axes = bool(categories) and layout["yaxis"].get("visible", True)
    data: list[dict[str, Any]] = []
    results = 0
    for index, trace in enumerate(spec.traces):
        if trace.kind == "line":
            # The line's own interval and small samples follow it, up to the next series.
            own: dict[str, Trace] = {}
            for after in spec.traces[index + 1 :]:
                if after.kind in ("line", "target"):
                    break
                own.setdefault(after.kind, after)
            data.append(_dots(trace, own.get("band"), own.get("small"), results))
            results += 1
        elif trace.kind == "target":
            data.append(_ticks(trace))
    labels = [plotly_text(category) for category in categories]
    # The value axis of the chart rules (target included, a stated minimum span): the base
    # figure computed it for its y axis; here values run across.
    value_range = {
        key: value for key, value in layout["yaxis"].items() if key in ("range", "tick0", "dtick")
    }
    layout["xaxis"] = {
        **value_range,
        "title": {"text": plotly_text(spec.y_title)},
        "gridcolor": "#e9ecef",
        "zeroline": False,
        "fixedrange": True,
        "automargin": True,
        "visible": show_axes,
    }
    layout["yaxis"] = {
        "type": "category",
        "categoryorder": "array",
        # The first category (the best result) at the top.
        "categoryarray": list(reversed(labels)),
        "tickmode": "array",
        "tickvals": labels,
        "ticktext": [_wrapped(category) for category in categories],
        "automargin": True,
        "fixedrange": True,
        "visible": show_axes,
    }
    layout["margin"] = {"l": 8, "r": 16, "t": 16, "b": 8}
    # The base figure's annotations label a time axis (the target's value at its line's end);
    # only its words for a chart with nothing to draw still apply here.
    if categories:
        layout.pop("annotations", None)
    if results > 1:
        layout["scattermode"] = "group"
    return {"data": data, "layout": layout}


def _series_count(traces: Sequence[Trace]) -> int:
    return sum(1 for trace in traces if trace.kind == "line")


def _dots(trace: Trace, band: Trace | None, small: Trace | None, index: int) -> dict[str, Any]:
    """One series' dots, its interval as error bars; a small sample's dot hollow."""
    style = series_style(index)
    colour = style.colour
    hollow = set(small.x) if small is not None else set()
    symbols = [f"{style.symbol}-open" if x in hollow else style.symbol for x in trace.x]
    dots: dict[str, Any] = {
        "type": "scatter",
        "orientation": "h",
        "mode": "markers",
        "name": plotly_text(trace.name),
        "x": trace.y,
        "y": [plotly_text(category) for category in trace.x],
        "marker": {
            "symbol": symbols if hollow else style.symbol,
            "size": 11,
            "color": colour,
            "line": {"color": colour, "width": 2},
        },
        "hovertemplate": "%{text}<extra></extra>" if trace.text else None,
        "text": plotly_texts(trace.text),
    }
    if band is not None and band.y_low is not None:
        plus = [
            None if high is None or value is None else max(0.0, high - value)
            for value, high in zip(trace.y, band.y, strict=False)
        ]
        minus = [
            None if low is None or value is None else max(0.0, value - low)
            for value, low in zip(trace.y, band.y_low, strict=False)
        ]
        dots["error_x"] = {
            "type": "data",
            "symmetric": False,
            "array": plus,
            "arrayminus": minus,
            "color": colour,
            "thickness": 2,
            "width": 5,
        }
    return {key: value for key, value in dots.items() if value is not None}


def _ticks(trace: Trace) -> dict[str, Any]:
    ticks: dict[str, Any] = {
        "type": "scatter",
        "orientation": "h",
        "mode": "markers",
        "name": plotly_text(trace.name),
        "x": trace.y,
        "y": [plotly_text(category) for category in trace.x],
        "marker": {
            "symbol": "line-ns-open",
            "size": 18,
            "color": TARGET_COLOUR,
            "line": {"width": 3, "color": TARGET_COLOUR},
        },
    }
    if trace.text:
        ticks["text"] = plotly_texts(trace.text)
        ticks["hovertemplate"] = "%{text}<extra></extra>"
    return ticks
