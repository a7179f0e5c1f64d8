"""A chart that stands on its own in a report: the exported PNG, SVG and PDF images.

It starts from the page's own figure (``layouts.figures.figure``: same traces, same target
line, same colours) and adds what a reader of a report needs without the page around it:
the title, the period shown, the unit (the y-axis title), and a footer with the sample-size
footnotes, the source, the "data as of" date and the page's permalink. A pure function.

The page's figure comes with its texts already escaped for Plotly (trace names, hover text,
ticks: ``dashboard.domain.charts.plotly_text``); what this module adds (title, period, unit,
footer) goes through the same function, once.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import textwrap
from dataclasses import dataclass

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain import formatting
from dashboard.domain.charts import ChartSpec, plotly_text
from dashboard.domain.formatting import format_day
from layouts.figures import FONT, Figure, figure

#: Size of an exported image in CSS pixels (a PNG is twice as many pixels: scale 2).
DEFAULT_WIDTH = 1000
DEFAULT_HEIGHT = 600

_TITLE_PX = 70  # title and period lines above the plot
_AXIS_PX = 34  # x-axis tick labels below the plot
_LEGEND_PX = 30
_LINE_PX = 17  # one footer line
_FOOTER_SIZE = 11

TEXT: Messages = messages(
    P_("period", "Periods shown: {start} to {end}"),
    P_("period_one", "Period shown: {end}"),
    P_("as_of", "Data as of {date}"),
    P_("no_data", "No published data yet"),
    P_("source", "Source: {source}"),
    P_("note", "Note: {note}"),
    P_("permalink", "Online: {url}"),
)


def _t(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


@dataclass(frozen=True)
class ReportContext:
    """What the image says about where its numbers come from."""

    language: str
    source: str  # "Department of Motor Vehicles, published on cxdash"
    as_of: dt.date | None  # end of the latest published period
    permalink: str  # absolute URL of the page the chart is on


def report_figure(
    spec: ChartSpec,
    context: ReportContext,
    *,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
) -> Figure:
    """The chart's figure with title, period, unit and a footer, for an image export."""
    base = copy.deepcopy(figure(spec, height=height))
    language = context.language
    chars = max(40, int(width / 6.2))  # footer characters per line at 11 px
    footer: list[str] = []
    for note in spec.notes:
        footer += textwrap.wrap(_t("note", language, note=note), chars) or [""]
    as_of = (
        _t("as_of", language, date=format_day(context.as_of, language))
        if context.as_of
        else _t("no_data", language)
    )
    footer += textwrap.wrap(f"{_t('source', language, source=context.source)}. {as_of}.", chars)
    footer.append(_t("permalink", language, url=context.permalink))

    legend_px = _LEGEND_PX * _legend_rows(base, width - 94)
    bottom = _AXIS_PX + legend_px + _LINE_PX * len(footer) + 12
    plot_px = max(height - _TITLE_PX - bottom, 60)
    layout = base["layout"]
    layout.update(
        width=width,
        height=height,
        margin={"l": 70, "r": 24, "t": _TITLE_PX, "b": bottom},
        title={
            "text": f"<b>{plotly_text(spec.title)}</b>",
            "subtitle": {
                "text": plotly_text(period_text(spec, language) or ""),
                "font": {"family": FONT, "size": 13, "color": "#495057"},
            },
            "x": 0,
            "xref": "paper",
            "xanchor": "left",
            "y": 1 - 14 / height,
            "yref": "container",
            "yanchor": "top",
            "font": {"family": FONT, "size": 18, "color": "#212529"},
        },
        hovermode=False,
        # The legend sits right under the x-axis labels and above the footer.
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -_AXIS_PX / plot_px,
            "yanchor": "top",
        },
        annotations=[
            *layout.get("annotations", []),
            {
                "text": "<br>".join(plotly_text(line) for line in footer),
                "showarrow": False,
                "align": "left",
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "yref": "paper",
                "y": -(_AXIS_PX + legend_px) / plot_px,
                "yanchor": "top",
                "font": {"family": FONT, "size": _FOOTER_SIZE, "color": "#495057"},
            },
        ],
    )
    layout["yaxis"] = {
        **layout["yaxis"],
        "title": {"text": plotly_text(spec.y_title), "font": {"size": 13}},
    }
    return base


def _legend_rows(fig: Figure, plot_width: int) -> int:
    """How many rows the horizontal legend takes (an estimate: ~7.5 px a character)."""
    rows, used = 1, 0
    for trace in fig["data"]:
        if trace.get("showlegend") is False:
            continue
        # The name is escaped for Plotly ("&amp;"): measure the text it shows ("&").
        item = 50 + int(7.5 * len(html.unescape(str(trace.get("name", "")))))
        if used and used + item > plot_width:
            rows, used = rows + 1, 0
        used += item
    return rows


def period_text(spec: ChartSpec, language: str) -> str | None:
    """The periods the chart shows, from its data: "Periods shown: Dec 2023 to Sep 2025"."""
    days = sorted(
        {
            x
            for trace in spec.traces
            if trace.kind in ("line", "bar")
            for x, y in zip(trace.x, trace.y, strict=True)
            if y is not None
        }
    )
    if not days:
        return None
    try:
        start, end = (dt.date.fromisoformat(days[0][:10]), dt.date.fromisoformat(days[-1][:10]))
    except ValueError:
        return None
    if start == end:
        return _t("period_one", language, end=month_year(end, language))
    return _t(
        "period",
        language,
        start=month_year(start, language),
        end=month_year(end, language),
    )


def month_year(day: dt.date, language: str) -> str:
    return formatting.month_year(day, language)
