"""A chart that stands on its own in a report: the exported PNG, SVG and PDF images.

It starts from the page's own figure (``layouts.figures.figure``: same traces, same target
line, same colours) and adds what a reader of a report needs without the page around it:
the title with the agency (or service) and the measure ("Department of Motor Vehicles —
Overall satisfaction"), the period shown and the target in force, the unit (the y-axis
title), the actions on the measure listed in the image itself (done, in progress, and planned
apart), and a footer with the sample-size footnotes, the source, the "data as of" date and the
page's permalink. A pure function.

The page's figure comes with its texts already escaped for Plotly (trace names, hover text,
ticks: ``dashboard.domain.charts.plotly_text``); what this module adds (title, period, unit,
footer) goes through the same function, once.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import textwrap
from collections.abc import Callable
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
_TITLE_LINE_PX = 24  # each further line of a long title
_AXIS_PX = 34  # x-axis tick labels below the plot
_LEGEND_PX = 30
_LEGEND_LINE_PX = 17  # each further line of a wrapped legend name
_TICK_LINE_PX = 17  # each further line of a tick label
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
    P_("image_title_unit", "{unit} — {title}"),
    P_("image_target", "Target: {target}"),
    P_("image_target_in", "Target in {period}: {target}"),
    P_("image_actions_heading", "Actions on this measure"),
    P_("image_action_done", "Done, completed {date}: {title}"),
    P_("image_action_done_undated", "Done (started {date}): {title}"),
    P_("image_action_in_progress", "In progress since {date}: {title}"),
    P_("image_action_planned", "Planned, to start {date}: {title}"),
    P_("image_actions_more", "… and {count} more, listed on the page."),
    P_("image_actions_marked", "Diamonds on the chart mark the actions listed below."),
)


def _t(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


#: The order actions are listed in: what was done, what is under way, then (apart) plans.
ACTION_ORDER = ("completed", "in_progress", "planned")

_MIN_PLOT_PX = 180  # the plot keeps at least this height; actions past it are counted only


@dataclass(frozen=True)
class ReportAction:
    """An action on the chart's measure, as the image lists it (published actions only)."""

    title: str
    status: str  # "planned", "in_progress" or "completed"
    started_on: dt.date
    completed_on: dt.date | None = None


@dataclass(frozen=True)
class ReportContext:
    """What the image says about where its numbers come from."""

    language: str
    source: str  # "Department of Motor Vehicles, published on cxdash"
    as_of: dt.date | None  # end of the latest published period
    permalink: str  # absolute URL of the page the chart is on
    #: Whose figures these are, for the title ("Department of Motor Vehicles"); "" when the
    #: chart's own title says it (figures of every agency, a service's small chart).
    unit_name: str = ""
    #: The actions on the chart's measure, listed below the chart.
    actions: tuple[ReportAction, ...] = ()


def report_figure(
    spec: ChartSpec,
    context: ReportContext,
    *,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    draw: Callable[..., Figure] = figure,
) -> Figure:
    """The chart's figure with title, period, unit and a footer, for an image export;
    ``draw`` makes the chart itself (the page's own: periods across by default)."""
    base = copy.deepcopy(draw(spec, height=height))
    language = context.language
    chars = max(40, int(width / 6.2))  # footer characters per line at 11 px
    footer: list[str] = []
    if any(trace.kind == "actions" for trace in spec.traces) and context.actions:
        footer += textwrap.wrap(_t("image_actions_marked", language), chars)
    for note in spec.notes:
        footer += textwrap.wrap(_t("note", language, note=note), chars) or [""]
    as_of = (
        _t("as_of", language, date=format_day(context.as_of, language))
        if context.as_of
        else _t("no_data", language)
    )
    footer += textwrap.wrap(f"{_t('source', language, source=context.source)}. {as_of}.", chars)
    footer.append(_t("permalink", language, url=context.permalink))

    title = spec.title
    if context.unit_name and not title.startswith(context.unit_name):
        title = _t("image_title_unit", language, unit=context.unit_name, title=title)
    # A long title (an agency and a measure) wraps rather than running off the image.
    title_lines = textwrap.wrap(title, max(30, int(width / 10.5))) or [""]
    top = _TITLE_PX + _TITLE_LINE_PX * (len(title_lines) - 1)

    legend_px = _legend_px(base, width - 94)
    axis_px = _axis_px(base)
    fixed = top + axis_px + legend_px + _LINE_PX * len(footer) + 12
    action_lines = actions_text(
        context.actions, language, chars, max_lines=(height - fixed - _MIN_PLOT_PX) // _LINE_PX
    )
    actions_px = _LINE_PX * len(action_lines) + (8 if action_lines else 0)
    bottom = fixed - top + actions_px
    plot_px = max(height - top - bottom, 60)
    layout = base["layout"]
    subtitle = " · ".join(
        text for text in (period_text(spec, language), target_text(spec, language)) if text
    )
    action_notes = (
        [
            {
                # The heading is bold; every text in it is escaped (plotly_text) first.
                "text": "<br>".join(
                    f"<b>{plotly_text(line)}</b>" if index == 0 else plotly_text(line)
                    for index, line in enumerate(action_lines)
                ),
                "showarrow": False,
                "align": "left",
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "yref": "paper",
                "y": -(axis_px + legend_px) / plot_px,
                "yanchor": "top",
                "font": {"family": FONT, "size": _FOOTER_SIZE + 1, "color": "#212529"},
            }
        ]
        if action_lines
        else []
    )
    layout.update(
        width=width,
        height=height,
        margin={"l": 70, "r": 24, "t": top, "b": bottom},
        title={
            "text": "<br>".join(f"<b>{plotly_text(line)}</b>" for line in title_lines),
            "subtitle": {
                "text": plotly_text(subtitle),
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
            "y": -axis_px / plot_px,
            "yanchor": "top",
        },
        annotations=[
            *layout.get("annotations", []),
            *action_notes,
            {
                "text": "<br>".join(plotly_text(line) for line in footer),
                "showarrow": False,
                "align": "left",
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "yref": "paper",
                "y": -(axis_px + legend_px + actions_px) / plot_px,
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


def actions_text(
    actions: tuple[ReportAction, ...], language: str, chars: int, *, max_lines: int = 12
) -> list[str]:
    """The lines listing the actions (a heading first), done ones first and planned ones last,
    each with its status, date and title; those past ``max_lines`` are counted, not listed."""
    if not actions or max_lines < 3:
        return []
    ordered = sorted(
        actions,
        key=lambda a: (
            ACTION_ORDER.index(a.status) if a.status in ACTION_ORDER else len(ACTION_ORDER),
            a.completed_on or a.started_on,
        ),
    )
    lines = [_t("image_actions_heading", language)]
    for index, action in enumerate(ordered):
        wrapped = textwrap.wrap(action_line(action, language), chars) or [""]
        left = len(ordered) - index
        # Room for this action, and for the "and n more" line when others follow it.
        if len(lines) + len(wrapped) + (1 if left > 1 else 0) > max_lines:
            lines.append(_t("image_actions_more", language, count=left))
            break
        lines += wrapped
    return lines


def action_line(action: ReportAction, language: str) -> str:
    """ "Done, completed 12 March 2026: Online renewals" (the status, a date and the title)."""
    started = format_day(action.started_on, language)
    if action.status == "completed":
        if action.completed_on is not None:
            done = format_day(action.completed_on, language)
            return _t("image_action_done", language, date=done, title=action.title)
        return _t("image_action_done_undated", language, date=started, title=action.title)
    if action.status == "planned":
        return _t("image_action_planned", language, date=started, title=action.title)
    return _t("image_action_in_progress", language, date=started, title=action.title)


def target_text(spec: ChartSpec, language: str) -> str | None:
    """The target in force in the chart's latest period: "Target in FY2026 Q2: ≥ 80%".

    Read from the chart's own table (the page's words for the target), on the latest row that
    has a numeric target; None when the chart draws no target line.
    """
    if not any(trace.kind == "target" for trace in spec.traces):
        return None
    latest: dict | None = None
    for row in spec.rows:
        facts = row.get("facts")
        numeric = isinstance(facts, dict) and facts.get("target_value") is not None
        if (
            numeric
            and row.get("target")
            and (latest is None or str(row.get("period_end")) >= str(latest.get("period_end")))
        ):
            latest = row
    if latest is None:
        return None
    if latest.get("period"):
        return _t("image_target_in", language, period=latest["period"], target=latest["target"])
    return _t("image_target", language, target=latest["target"])


def _legend_px(fig: Figure, plot_width: int) -> int:
    """The horizontal legend's height: its rows (an estimate: ~7.5 px a character), each as
    tall as its tallest name (a long name may be wrapped over lines with <br>)."""
    height, row_lines, used = 0, 1, 0
    for trace in fig["data"]:
        if trace.get("showlegend") is False:
            continue
        # The name is escaped for Plotly ("&amp;"): measure the text it shows ("&").
        lines = html.unescape(str(trace.get("name", ""))).split("<br>")
        item = 50 + int(7.5 * max(len(line) for line in lines))
        if used and used + item > plot_width:
            height += _LEGEND_PX + _LEGEND_LINE_PX * (row_lines - 1)
            row_lines, used = 1, 0
        row_lines = max(row_lines, len(lines))
        used += item
    return height + _LEGEND_PX + _LEGEND_LINE_PX * (row_lines - 1)


def _axis_px(fig: Figure) -> int:
    """The x axis's tick labels' height: a label may be two lines ("Q3<br>FY2026")."""
    ticks = fig["layout"].get("xaxis", {}).get("ticktext") or [""]
    lines = max(str(text).count("<br>") + 1 for text in ticks)
    return _AXIS_PX + _TICK_LINE_PX * (lines - 1)


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
