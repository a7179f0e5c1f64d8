"""The trend panels and breakdowns of an agency page: chart specs, tables, notes and hovers."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from dashboard.core import languages
from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain.charts import (
    ChartSpec,
    TableColumn,
    Trace,
    action_day,
    action_is_planned,
    every_tick,
    file_stem,
)
from dashboard.domain.formatting import display_unit, format_count, format_day, format_measure
from dashboard.domain.series import (
    MetricSeries,
    SeriesPoint,
    band_lines,
    has_numeric_target,
    result_line,
    target_step_line,
    value_near,
)
from dashboard.domain.summaries import summarize_breakdown, summarize_series
from dashboard.domain.targets import (
    TargetSpec,
    describe_target,
    status_label,
)
from dashboard.views.agency.loading import ChartContext, as_date
from dashboard.views.agency.model import ActionItem, MetricPanel
from dashboard.views.agency.text import CHANNEL_NAMES, localized, page_text, segment_value_name

#: The words the chart rules add to a chart (``dashboard.domain.charts``).
CHART_TEXT: Messages = messages(
    P_("chart_target_label", "Target {target}"),
    P_("chart_planned_trace", "Planned actions"),
    P_("chart_small_trace", "Small sample"),
)
#: An action's words on the chart: its title up to this many characters (whole words, then
#: "…"); the full title is in its hover text and in the list below the chart.
ACTION_LABEL_CHARS = 32


def chart_text(key: str, language: str, **values: object) -> str:
    return translate(CHART_TEXT, key, language, **values)


def action_label(title: str) -> str:
    """An action's title short enough to write beside its marker."""
    if len(title) <= ACTION_LABEL_CHARS:
        return title
    cut = title[: ACTION_LABEL_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–")
    return f"{cut}…"


# -- charts ------------------------------------------------------------------------------------


def restricted(context: ChartContext, series: MetricSeries) -> MetricSeries:
    start, end = context.window
    return series.restrict(start, end) if start is not None else series


def _value_label(scale: str, language: str) -> str:
    unit = display_unit(scale, language)
    return (
        page_text("col_value", language, unit=unit)
        if unit
        else page_text("col_value_plain", language)
    )


def table_columns(
    context: ChartContext,
    series: MetricSeries,
    rows: list[dict[str, Any]],
    *,
    group_label: str | None = None,
) -> list[TableColumn]:
    """The data table's columns: the optional ones only when some row has a value in them
    (fewer cells to render, and no column that is empty from top to bottom)."""
    language = context.language

    def used(key: str) -> bool:
        return any(row.get(key) is not None for row in rows)

    columns = [
        TableColumn("period", page_text("col_period", language)),
        TableColumn("period_end", page_text("col_period_end", language)),
    ]
    if group_label:
        columns.append(TableColumn("group", group_label))
    columns.append(TableColumn("value", _value_label(series.scale, language), "number"))
    if series.has_band and used("interval_low"):
        columns += [
            TableColumn("interval_low", page_text("col_low", language), "number"),
            TableColumn("interval_high", page_text("col_high", language), "number"),
        ]
    columns += [
        TableColumn("target", page_text("col_target", language)),
        TableColumn("status", page_text("col_status", language), "status"),
    ]
    if used("responses"):
        label = page_text("col_responses" if series.is_survey else "col_volume", language)
        columns.append(TableColumn("responses", label, "number"))
    if used("small_sample"):
        columns.append(TableColumn("small_sample", page_text("col_small", language)))
    if used("earlier_value"):
        # Only revised figures have an earlier value; the others were never "not reported".
        columns.append(
            TableColumn(
                "earlier_value",
                page_text("col_earlier", language),
                "number",
                missing=page_text("not_revised", language),
            )
        )
    if used("notes"):
        columns.append(TableColumn("notes", page_text("col_notes", language)))
    return columns


def table_row(
    context: ChartContext, series: MetricSeries, point: SeriesPoint, group: str | None = None
) -> dict[str, Any]:
    language = context.language
    threshold = context.settings.small_sample_threshold
    notes: list[str] = []
    if point.series_break:
        notes.append(
            page_text("note_break_survey_cell" if series.is_survey else "note_break_cell", language)
        )
    if point.suppressed:
        notes.append(page_text("note_suppressed_cell", language, n=threshold))
    elif point.small_sample:
        notes.append(page_text("note_small_cell", language, n=threshold))
    if point.revised:
        earlier = format_measure(raw_of(point.earlier_value, series.scale), series.scale, language)
        notes.append(revised_note(point, earlier, language, "note_revised_cell"))
    row: dict[str, Any] = {
        "period": point.label,
        "period_end": point.period.end.isoformat(),
        # A suppressed result is named as such, never left blank like a missing one.
        "value": page_text("suppressed", language) if point.suppressed else point.value,
        "target": describe_target(point.target, series.scale, language),
        "status": point.status.value if point.status is not None else None,
        "responses": _whole(point.responses),
        "earlier_value": point.earlier_value,
        "notes": "; ".join(notes) or None,
        # What no column shows but the tidy CSV download needs (callbacks/exports.py).
        "facts": point_facts(point),
    }
    if group is not None:
        row["group"] = group
    if series.has_band:
        row["interval_low"] = point.interval[0] if point.interval else None
        row["interval_high"] = point.interval[1] if point.interval else None
    if series.is_survey:
        row["small_sample"] = page_text("yes", language) if point.small_sample else None
    return row


def point_facts(point: SeriesPoint) -> dict[str, Any]:
    """A point's numbers and flags as data (the tidy CSV's), not as the table's words."""
    numeric = point.target is not None and point.target.kind == "numeric"
    return {
        "period_start": point.period.start.isoformat(),
        "value": None if point.suppressed else point.value,
        "target_value": point.target_value if numeric else None,
        "target_comparator": point.target.comparator if numeric and point.target else None,
        "status": point.status.value if point.status is not None else None,
        "small_sample": point.small_sample,
        "suppressed": point.suppressed,
        "revised": point.revised,
    }


def _whole(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def raw_of(display: float | int | None, scale: str) -> float | None:
    """A display value back on the raw scale (for format_measure, which takes raw values)."""
    if display is None:
        return None
    return float(display) / 100.0 if scale == "fraction" else float(display)


def _hover(context: ChartContext, series: MetricSeries, point: SeriesPoint) -> str:
    language = context.language
    if point.suppressed:
        value = page_text("suppressed", language)
    else:
        value = format_measure(point.raw, series.scale, language, target=point.target)
    parts = [page_text("hover_point", language, period=point.label, value=value)]
    if point.target is not None:
        parts.append(
            page_text(
                "hover_target",
                language,
                target=describe_target(point.target, series.scale, language),
            )
        )
    if point.status is not None and point.reported:
        parts.append(status_label(point.status, language))
    if point.responses is not None:
        n = format_count(point.responses, language)
        parts.append(
            page_text("hover_responses" if series.is_survey else "hover_volume", language, n=n)
        )
    if point.small_sample and not point.suppressed:
        parts.append(page_text("hover_small", language))
    if point.revised:
        earlier = format_measure(raw_of(point.earlier_value, series.scale), series.scale, language)
        if point.revision_reason:
            # Plain text: the figure builder escapes all hover text for Plotly, once
            # (dashboard.domain.charts.plotly_text).
            parts.append(
                page_text(
                    "hover_revised_reason",
                    language,
                    earlier=earlier,
                    reason=point.revision_reason,
                )
            )
        else:
            parts.append(page_text("hover_revised", language, earlier=earlier))
    return " · ".join(parts)


def revised_note(point: SeriesPoint, earlier: str, language: str, key: str, **values: str) -> str:
    """A revised figure's note in words (``key``: "note_revised" or "note_revised_cell"):
    when it was revised, its first published value and the reason its agency gave."""
    if point.revised_on is None:
        key += "_undated"
    else:
        values["date"] = format_day(point.revised_on, language)
    if point.revision_reason:
        return page_text(
            f"{key}_reason", language, earlier=earlier, reason=point.revision_reason, **values
        )
    return page_text(key, language, earlier=earlier, **values)


def _notes(context: ChartContext, series: MetricSeries, has_actions: bool) -> list[str]:
    language = context.language
    threshold = context.settings.small_sample_threshold
    notes: list[str] = []
    if series.has_band and any(point.interval for point in series.points):
        notes.append(page_text("note_band", language))
    if any(point.value is None and not point.suppressed for point in series.points):
        notes.append(page_text("note_gaps", language))
    for point in series.breaks:
        key = "note_break_survey" if series.is_survey else "note_break"
        notes.append(page_text(key, language, period=point.label))
    small = [p.label for p in series.points if p.small_sample and not p.suppressed]
    if small:
        notes.append(page_text("note_small", language, periods=", ".join(small), n=threshold))
    hidden = [p.label for p in series.points if p.suppressed]
    if hidden:
        notes.append(page_text("note_suppressed", language, periods=", ".join(hidden), n=threshold))
    for point in series.points:
        if not point.revised:
            continue
        earlier = format_measure(raw_of(point.earlier_value, series.scale), series.scale, language)
        notes.append(revised_note(point, earlier, language, "note_revised", period=point.label))
    if has_actions:
        notes.append(page_text("note_actions", language))
    return notes


def series_traces(
    context: ChartContext,
    series: MetricSeries,
    name: str,
    *,
    with_band: bool = True,
    style: int | None = None,
) -> list[Trace]:
    """The band, the result line (wearing ``style``, :func:`~dashboard.domain.charts
    .series_style`) and its small-sample points, drawn hollow over it."""
    traces: list[Trace] = []
    band = band_lines(series) if with_band else None
    if band is not None:
        xs, highs, lows = band
        traces.append(Trace(page_text("interval", context.language), "band", xs, highs, y_low=lows))
    xs, ys = result_line(series)
    by_x = {point.x: point for point in series.points}
    # A gap inserted before a series break has no point of its own (its x is a period start).
    hover = [_hover(context, series, by_x[x]) if x in by_x else "" for x in xs]
    traces.append(Trace(name, "line", xs, ys, text=hover, style=style))
    small = [p for p in series.points if p.small_sample and p.value is not None]
    if small:
        traces.append(
            Trace(
                chart_text("chart_small_trace", context.language),
                "small",
                [p.x for p in small],
                [p.value for p in small],
                text=[_hover(context, series, p) for p in small],
            )
        )
    return traces


def target_trace(context: ChartContext, series: MetricSeries) -> Trace | None:
    if not has_numeric_target(series):
        return None
    xs, ys = target_step_line(series)
    texts: list[str] = []
    for current in _targets_at(series, xs):
        texts.append(
            page_text(
                "hover_target_line",
                context.language,
                target=describe_target(current, series.scale, context.language),
            )
        )
    latest = next((p.target for p in reversed(series.points) if p.target_value is not None), None)
    label = (
        chart_text(
            "chart_target_label",
            context.language,
            target=describe_target(latest, series.scale, context.language),
        )
        if latest is not None
        else None
    )
    return Trace(
        page_text("target_line", context.language), "target", xs, ys, text=texts, label=label
    )


def _targets_at(series: MetricSeries, xs: list[str]) -> list[TargetSpec | None]:
    """For each x, the target of the first point at or after it: a step point (the day a new
    target took effect) carries the next period's target.

    Points are oldest first, so one bisection per x (not a scan of every point per x, which
    grew with the square of a long monthly series).
    """
    point_xs = [point.x for point in series.points]
    if any(a > b for a, b in pairwise(point_xs)):
        # Not in order (never built so): the first point in list order, as it always was.
        return [next((p.target for p in series.points if p.x >= x), None) for x in xs]
    found = [bisect_left(point_xs, x) for x in xs]
    return [series.points[i].target if i < len(point_xs) else None for i in found]


def action_item(row: Mapping[str, Any], language: str, on_chart: bool = False) -> ActionItem:
    return ActionItem(
        title=localized(row, "title", language),
        description=localized(row, "description", language),
        status=row["status"],
        status_text=page_text(f"status_{row['status']}", language),
        started_on=as_date(row["started_on"]),
        completed_on=as_date(row["completed_on"]) if row.get("completed_on") else None,
        link=row.get("link"),
        on_chart=on_chart,
    )


def action_hover(item: ActionItem, language: str) -> str:
    """An action's marker text: title, status and date."""
    parts = [item.title, item.status_text]
    if item.status == "planned":
        parts.append(
            page_text("action_starts", language, date=format_day(item.started_on, language))
        )
    else:
        parts.append(
            page_text("action_started", language, date=format_day(item.started_on, language))
        )
    if item.completed_on is not None:
        parts.append(
            page_text("action_completed", language, date=format_day(item.completed_on, language))
        )
    return " · ".join(parts)


def metric_panel(
    context: ChartContext,
    unit_slug: str,
    code: str,
    full: MetricSeries,
    action_rows: list[dict[str, Any]],
    all_items: list[ActionItem],
) -> MetricPanel:
    language = context.language
    metric = context.metrics[code]
    name = context.metric_name(code)
    series = restricted(context, full)
    start, end = context.window
    if start is None and series.points:
        start = series.points[0].period.start
    traces = series_traces(context, series, name)
    target = target_trace(context, series)
    if target is not None:
        traces.append(target)

    items: list[ActionItem] = []
    # Actions taken and planned ones are two traces: (x, y, hover text, label) of each.
    markers: dict[bool, list[tuple[str, float, str, str]]] = {False: [], True: []}
    # Markers stay within the data (the first and latest points): no axis stretched to show
    # next year's plan; the actions outside it are listed below the chart.
    first = series.points[0].period.end if series.points else None
    last = series.points[-1].period.end if series.points else None
    for row, item in zip(action_rows, all_items, strict=True):
        if code not in row["metric_codes"]:
            continue
        overlaps = marker_overlaps(item, start, end)
        day = (
            action_day(item.status, item.started_on, item.completed_on, first, last)
            if first is not None and last is not None and overlaps
            else None
        )
        if day is None:
            if overlaps or context.window[0] is None:
                # All years: an action over before the first result is listed, not drawn.
                items.append(action_item(row, language, on_chart=False))
            continue
        y = value_near(series, day)
        if y is None:
            target_values = [p.target_value for p in series.points if p.target_value is not None]
            y = target_values[-1] if target_values else None
        items.append(action_item(row, language, on_chart=y is not None))
        if y is not None:
            hover = action_hover(item, language)
            markers[action_is_planned(item.status)].append(
                (day.isoformat(), float(y), hover, action_label(item.title))
            )
    for planned in (False, True):
        if markers[planned]:
            trace_name = (
                chart_text("chart_planned_trace", language)
                if planned
                else page_text("actions_trace", language)
            )
            traces.append(
                Trace(
                    trace_name,
                    "planned" if planned else "actions",
                    [x for x, _y, _text, _label in markers[planned]],
                    [y for _x, y, _text, _label in markers[planned]],
                    text=[text for _x, _y, text, _label in markers[planned]],
                    labels=[label for _x, _y, _text, label in markers[planned]],
                )
            )

    rows = [table_row(context, series, point) for point in series.points]
    chart = ChartSpec(
        chart_id=code,
        title=name,
        summary=summarize_series(
            series, metric_name=name, language=language, fiscal=context.fiscal
        ),
        y_title=display_unit(full.scale, language),
        traces=traces,
        columns=table_columns(context, series, rows),
        rows=rows,
        file_stem=file_stem(unit_slug, code, context.period_token or "all"),
        notes=_notes(context, series, bool(markers[False] or markers[True])),
        scale=full.scale,
        x_ticks=every_tick((point.x, point.label) for point in series.points),
        empty_text=page_text("chart_not_reported", language),
    )
    return MetricPanel(
        code=code,
        name=name,
        definition=localized(metric, "definition", language),
        granularity=full.granularity,
        chart=chart,
        actions=items,
    )


def _segment_order(segment: str, value: str) -> tuple[int, str]:
    if segment == "channel":
        order = list(CHANNEL_NAMES)
        return (order.index(value) if value in order else len(order), value)
    if segment == "language":
        # The site's own languages first, then the others by code.
        order = list(dict.fromkeys(("en", "es", *languages.content_languages())))
        return (order.index(value) if value in order else len(order), value)
    return (0, value)


def _segment_style(segment: str, value: str, position: int) -> int:
    """The series style of a group: a channel or a language wears the style of its place in
    the fixed order, so "Email" is drawn alike on every chart whichever channels it has;
    other groups wear their place on the chart."""
    if segment in ("channel", "language"):
        rank, _value = _segment_order(segment, value)
        return rank
    return position


def breakdown_chart(
    context: ChartContext,
    unit: Mapping[str, Any],
    code: str,
    own: Mapping[tuple[str, str, str, str], list[dict[str, Any]]],
    overall: MetricSeries,
    segment: str,
) -> ChartSpec | None:
    language = context.language
    granularity = overall.granularity
    values = sorted(
        {v for (c, s, v, g) in own if c == code and s == segment and g == granularity},
        key=lambda value: _segment_order(segment, value),
    )
    if not values:
        return None
    name = context.metric_name(code)
    targets = [p.target for p in overall.points if p.target is not None]
    distinct_targets = list(dict.fromkeys(targets))
    groups: list[tuple[str, MetricSeries]] = []
    for value in values:
        series = context.series(
            code, granularity, own[(code, segment, value, granularity)], distinct_targets
        )
        groups.append((segment_value_name(segment, value, language), restricted(context, series)))
    traces: list[Trace] = []
    worn: set[int] = set()
    for position, ((group, series), value) in enumerate(zip(groups, values, strict=True)):
        style = _segment_style(segment, value, position)
        if style in worn:  # values outside the fixed order share its end: one each
            style = max(worn) + 1
        worn.add(style)
        traces += series_traces(context, series, group, with_band=False, style=style)
    target = target_trace(context, restricted(context, overall))
    if target is not None:
        traces.append(target)
    segment_word = page_text(f"segment_{segment}", language)
    rows = [
        table_row(context, series, point, group=group)
        for group, series in groups
        for point in series.points
    ]
    first_series = groups[0][1]
    return ChartSpec(
        chart_id=f"{code}-by-{segment}",
        title=page_text("breakdown_title", language, metric=name, segment=segment_word),
        summary=summarize_breakdown(
            groups, metric_name=name, segment_name=segment_word, language=language
        ),
        y_title=display_unit(overall.scale, language),
        traces=traces,
        columns=table_columns(
            context, first_series, rows, group_label=page_text(f"segment_{segment}_title", language)
        ),
        rows=rows,
        file_stem=file_stem(unit["slug"], code, segment, context.period_token or "all"),
        notes=_breakdown_notes(context, groups),
        scale=overall.scale,
        x_ticks=every_tick(
            (point.x, point.label) for _group, series in groups for point in series.points
        ),
        empty_text=page_text("chart_not_reported", language),
    )


def _breakdown_notes(context: ChartContext, groups: list[tuple[str, MetricSeries]]) -> list[str]:
    language = context.language
    threshold = context.settings.small_sample_threshold
    notes: list[str] = []
    if any(p.value is None and not p.suppressed for _, s in groups for p in s.points):
        notes.append(page_text("note_gaps", language))
    for group, series in groups:
        small = [p.label for p in series.points if p.small_sample and not p.suppressed]
        if small:
            periods = f"{group}: " + ", ".join(small)
            notes.append(page_text("note_small", language, periods=periods, n=threshold))
        hidden = [p.label for p in series.points if p.suppressed]
        if hidden:
            periods = f"{group}: " + ", ".join(hidden)
            notes.append(page_text("note_suppressed", language, periods=periods, n=threshold))
    return notes


def marker_overlaps(item: ActionItem, start: Any, end: Any) -> bool:
    """Whether an action overlaps the period shown (``start``-``end``, either open)."""
    ends = item.completed_on
    return (end is None or item.started_on <= end) and (
        start is None or ends is None or ends >= start
    )
