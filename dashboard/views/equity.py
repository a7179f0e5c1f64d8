"""Equity of service (``/equity``): one measure by customer group or language, across agencies.

Oregon's equity policy asks agencies to show whether every group of customers is served as
well as the others; this page puts each agency's results by group beside its overall result.

Query parameters (every view is a permalink; a plain GET form sets them):

- ``segment``: "language" or "customer_group" (:data:`EQUITY_SEGMENTS`: the breakdowns the
  store holds that describe people, not channels), by default the first one published. A
  region breakdown would join them here once the store holds one. Unknown, or a breakdown
  nobody publishes: a 404.
- ``metric``: a measure some agency publishes by that segment (default: the headline
  satisfaction measure when it is one). Unknown: a 404.
- ``period``: a fiscal quarter or year with published figures by that segment, as on the
  home page (default: the latest). Anything else: a 404.

Each result is the scorecard's (:func:`dashboard.domain.scorecard.period_result` and
:func:`~dashboard.domain.scorecard.score_cell`: pooled from finer periods when needed, small
samples flagged or hidden). A group's gap from its agency overall is flagged only when the
two 95% intervals do not overlap (:func:`dashboard.domain.comparison.gap`); without
intervals (means, administrative counts) no gap is claimed, and the page says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.core.routes import Route, path_for
from dashboard.core.settings import Settings
from dashboard.domain import comparison
from dashboard.domain.charts import ChartSpec, TableColumn, Trace, file_stem
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.formatting import display_unit, display_value, format_count, not_reported
from dashboard.domain.scorecard import (
    Cell,
    MetricInfo,
    Reading,
    offered_periods,
)
from dashboard.gateway import queries
from dashboard.views import NotFound, Option
from dashboard.views.agency.text import BREAKDOWN_SEGMENTS, segment_value_name
from dashboard.views.compare import (
    ComparisonView,
    agencies_of,
    chosen_metric,
    interval_display,
    interval_note,
    interval_of,
    metric_options,
    name_of,
    scored,
    shown_text,
    tidy_facts,
)
from dashboard.views.compare import charts as charts  # the page registry's, as for compare
from dashboard.views.home import chosen_period, period_options, period_param

PARAMS = ("lang", "metric", "segment", "period")

#: Breakdowns that describe customers (not the channel they used), in the order offered.
EQUITY_SEGMENTS = tuple(
    segment for segment in ("customer_group", "language", "region") if segment in BREAKDOWN_SEGMENTS
)

OVERALL = ""

TEXT: Messages = messages(
    P_("equity_segment_customer_group", "Customer group"),
    P_("equity_segment_language", "Language"),
    P_("equity_segment_region", "Region"),
    P_("equity_segment_customer_group_noun", "customer group"),
    P_("equity_segment_language_noun", "language"),
    P_("equity_segment_region_noun", "region"),
    P_(
        "equity_bad_segment",
        "“{segment}” is not a breakdown published by any agency. Published: {choices}.",
    ),
    P_("equity_no_breakdowns", "none yet"),
    P_("equity_bad_metric", "No agency publishes “{metric}” by {segment}."),
    P_("equity_chart_title", "{metric} by {segment}, {period}"),
    P_("equity_overall", "Agency overall"),
    P_("equity_col_agency", "Agency"),
    P_("equity_col_group", "Group"),
    P_("equity_col_measure", "Measure"),
    P_("equity_col_period", "Period"),
    P_("equity_col_value", "Value ({unit})"),
    P_("equity_col_low", "95% interval, low"),
    P_("equity_col_high", "95% interval, high"),
    P_("equity_col_responses", "Responses or volume"),
    P_("equity_col_overall", "Agency overall ({unit})"),
    P_("equity_col_gap", "Gap from the agency overall"),
    P_("equity_col_small", "Small sample"),
    P_("equity_col_as_of", "Data as of"),
    P_("equity_gap_higher", "Higher: the intervals do not overlap"),
    P_("equity_gap_lower", "Lower: the intervals do not overlap"),
    P_("equity_gap_within", "No clear gap: the intervals overlap"),
    P_("equity_gap_unknown", "Not judged: no interval"),
    P_("equity_yes", "Yes"),
    P_("equity_no", "No"),
    P_(
        "equity_summary",
        "{metric} by {segment}, {period}: {agencies} of {total} agencies reported results by "
        "{segment}.",
    ),
    P_("equity_summary_none", "{metric} by {segment}, {period}: no agency reported."),
    P_("equity_summary_gaps", "Gaps larger than the margin of error: {gaps}."),
    P_(
        "equity_summary_no_gaps",
        "No group's result differs from its agency overall by more than the margin of error.",
    ),
    P_("equity_summary_unjudged", "Gaps cannot be judged for this measure: it has no interval."),
    P_("equity_gap_item_higher", "{agency}, {group}: higher ({value} against {overall})"),
    P_("equity_gap_item_lower", "{agency}, {group}: lower ({value} against {overall})"),
    P_(
        "equity_note_small",
        "Small samples (fewer than {n} responses, hollow markers), read with care: {names}.",
    ),
    P_("equity_note_suppressed", "Fewer than {n} responses, not shown: {names}."),
    P_(
        "equity_note_gap",
        "A gap is flagged only when the group's 95% interval and its agency's overall "
        "interval do not overlap; smaller differences may be sampling noise.",
    ),
)


def text(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


def segment_title(segment: str, language: str) -> str:
    return text(f"equity_segment_{segment}", language)


@dataclass(frozen=True)
class EquityRow:
    """One group's result at one agency (display units; None: nothing to show)."""

    agency_slug: str
    agency_name: str
    agency_path: str
    group: str  # the segment value in words ("Spanish")
    value: float | int | None
    value_text: str
    low: float | None
    high: float | None
    responses: float | None
    overall: float | int | None
    overall_text: str
    gap: comparison.Gap
    small_sample: bool
    suppressed: bool
    #: The row of the tidy CSV (:func:`dashboard.views.compare.tidy_facts`).
    facts: dict[str, Any]


@dataclass(frozen=True)
class EquityView(ComparisonView):
    """The compare page's measure and period, by segment: a row (and CSV row) per agency and
    group."""

    segment: str | None
    segment_label: str
    segment_options: list[Option]
    rows: list[EquityRow]


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> EquityView:
    calendar = FiscalCalendar.from_settings(settings)
    agencies = agencies_of(database_url)
    by_segment = queries.published_segment_metrics(
        database_url, unit_ids=[agency["id"] for agency in agencies], segment_types=EQUITY_SEGMENTS
    )
    published = [segment for segment in EQUITY_SEGMENTS if by_segment.get(segment)]
    segment_options = [Option(segment, segment_title(segment, language)) for segment in published]
    asked = query.get("segment") or None
    if asked is not None and asked not in published:
        choices = ", ".join(published) or text("equity_no_breakdowns", language)
        raise NotFound(text("equity_bad_segment", language, segment=asked, choices=choices))
    segment = asked or (published[0] if published else None)
    if segment is None:
        return _empty(language, segment_options, [], len(agencies))
    infos = {m["code"]: MetricInfo.from_record(m) for m in queries.metrics(database_url)}
    codes = {code for code in by_segment[segment] if code in infos}
    options = metric_options(infos, codes, language)
    try:
        code = chosen_metric(database_url, infos, codes, query.get("metric") or None, language)
    except NotFound:
        noun = text(f"equity_segment_{segment}_noun", language)
        raise NotFound(
            text("equity_bad_metric", language, metric=query.get("metric"), segment=noun)
        ) from None
    assert code is not None  # the segment is published, so some measure is
    metric = infos[code]

    records = queries.published_observation_records(
        database_url,
        unit_ids=[agency["id"] for agency in agencies],
        metric_codes=[code],
        segment_types=(OVERALL, segment),
    )
    readings: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    for record in records:
        readings[(record["unit_slug"], record["segment_value"])].append(_reading(record))
    offered = offered_periods(
        calendar, {key: found for key, found in readings.items() if key[1] != OVERALL}
    )
    chosen = chosen_period(calendar, offered, query.get("period") or None, language)
    if chosen is None:
        return _empty(language, segment_options, options, len(agencies), segment, metric)
    period, start, end, _through = chosen

    def cell_of(found: list[Reading]) -> Cell:
        # No target: a group is judged against its agency overall, not against a promise.
        return scored(
            metric, found, [], start, end, period.granularity, settings=settings, language=language
        )

    period_label = calendar.period_label(period, language)
    rows: list[EquityRow] = []
    for agency in sorted(agencies, key=lambda a: name_of(a, language).casefold()):
        slug = agency["slug"]
        values = sorted(value for (s, value) in readings if s == slug and value != OVERALL)
        if not values:
            continue
        overall = cell_of(readings.get((slug, OVERALL), []))
        overall_bounds = interval_of(overall, metric)
        for value in values:
            cell = cell_of(readings[(slug, value)])
            bounds = interval_of(cell, metric)
            low, high = interval_display(bounds, metric.scale)
            group = segment_value_name(segment, value, language)
            rows.append(
                EquityRow(
                    agency_slug=slug,
                    agency_name=name_of(agency, language),
                    agency_path=path_for("agency", agency=slug),
                    group=group,
                    value=display_value(cell.value, metric.scale),
                    value_text=shown_text(cell, metric, language),
                    low=low,
                    high=high,
                    responses=cell.denominator if cell.value is not None else None,
                    overall=display_value(overall.value, metric.scale),
                    overall_text=shown_text(overall, metric, language),
                    gap=comparison.gap(bounds, overall_bounds),
                    small_sample=cell.small_sample,
                    suppressed=cell.suppressed,
                    facts=tidy_facts(
                        agency=name_of(agency, language),
                        metric=metric,
                        language=language,
                        period_label=period_label,
                        period=(period.start.isoformat(), period.end.isoformat()),
                        cell=cell,
                        value=display_value(cell.value, metric.scale),
                        interval=(low, high),
                        segment=segment,
                        group=group,
                    ),
                )
            )
    period_value = period_param(calendar, period)
    status = queries.data_status(database_url)
    return EquityView(
        language=language,
        has_data=True,
        segment=segment,
        segment_label=segment_title(segment, language),
        segment_options=segment_options,
        metric=code,
        metric_name=metric.name(language),
        metric_options=options,
        period=period_value,
        period_label=period_label,
        period_options=period_options(calendar, offered, language),
        rows=rows,
        chart=_chart(
            rows, metric, segment, period_label, period_value, settings, language, status.as_of
        ),
        agencies_total=len(agencies),
    )


def _reading(record: Mapping[str, Any]) -> Reading:
    return Reading(
        period_start=_day(record["period_start"]),
        period_end=_day(record["period_end"]),
        granularity=record["granularity"],
        value=record["raw_value"],
        numerator=record["numerator"],
        denominator=record["denominator"],
        earlier_value=record.get("earlier_value"),
        revised=record.get("revised_at") is not None,
        series_break=bool(record.get("series_break")),
    )


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _empty(
    language: str,
    segment_options: list[Option],
    options: list[Option],
    total: int,
    segment: str | None = None,
    metric: MetricInfo | None = None,
) -> EquityView:
    return EquityView(
        language=language,
        has_data=False,
        segment=segment,
        segment_label=segment_title(segment, language) if segment else "",
        segment_options=segment_options,
        metric=metric.code if metric else None,
        metric_name=metric.name(language) if metric else "",
        metric_options=options,
        period=None,
        period_label="",
        period_options=[],
        rows=[],
        chart=None,
        agencies_total=total,
    )


def gap_text(gap: comparison.Gap, language: str) -> str:
    return text(f"equity_gap_{gap.value}", language)


def _chart(
    rows: list[EquityRow],
    metric: MetricInfo,
    segment: str,
    period_label: str,
    period_value: str,
    settings: Settings,
    language: str,
    as_of: dt.date | None,
) -> ChartSpec:
    name = metric.name(language)
    unit = display_unit(metric.scale, language)
    groups = list(dict.fromkeys(row.group for row in rows))
    traces: list[Trace] = []
    banded = any(row.low is not None for row in rows)
    # One series per group (each an agency per y position), then the agencies' overall.
    for group in groups:
        drawn = [row for row in rows if row.group == group and row.value is not None]
        traces.append(
            Trace(
                group,
                "line",
                [row.agency_name for row in drawn],
                [row.value for row in drawn],
                text=[f"{row.agency_name}, {group}: {row.value_text}" for row in drawn],
            )
        )
        if banded:
            traces.append(
                Trace(
                    group,
                    "band",
                    [row.agency_name for row in drawn],
                    [row.high for row in drawn],
                    y_low=[row.low for row in drawn],
                )
            )
        small_rows = [row for row in drawn if row.small_sample]
        if small_rows:
            traces.append(
                Trace(
                    group,
                    "small",
                    [row.agency_name for row in small_rows],
                    [row.value for row in small_rows],
                )
            )
    overall_rows = list({row.agency_slug: row for row in rows if row.overall is not None}.values())
    if overall_rows:
        traces.append(
            Trace(
                text("equity_overall", language),
                "target",
                [row.agency_name for row in overall_rows],
                [row.overall for row in overall_rows],
                text=[f"{row.agency_name}: {row.overall_text}" for row in overall_rows],
            )
        )
    yes, no = text("equity_yes", language), text("equity_no", language)
    table_rows = [
        {
            "agency": row.agency_name,
            "group": row.group,
            "measure": name,
            "period": period_label,
            "value": row.value,
            "low": row.low,
            "high": row.high,
            "responses": row.responses,
            "overall": row.overall,
            "gap": gap_text(row.gap, language),
            "small": yes if row.small_sample else no,
            "as_of": as_of.isoformat() if as_of else None,
            "tidy": row.facts,
        }
        for row in rows
    ]
    threshold = settings.small_sample_threshold
    notes = [interval_note(metric, language), text("equity_note_gap", language)]
    small = [f"{r.agency_name} ({r.group})" for r in rows if r.small_sample and not r.suppressed]
    if small:
        notes.append(text("equity_note_small", language, n=threshold, names=", ".join(small)))
    hidden = [f"{r.agency_name} ({r.group})" for r in rows if r.suppressed]
    if hidden:
        names = ", ".join(hidden)
        notes.append(text("equity_note_suppressed", language, n=threshold, names=names))
    segment_noun = text(f"equity_segment_{segment}_noun", language)
    return ChartSpec(
        chart_id="equity",
        title=text(
            "equity_chart_title", language, metric=name, segment=segment_noun, period=period_label
        ),
        summary=_summary(rows, metric, segment_noun, period_label, language),
        y_title=unit,
        traces=traces,
        columns=[
            TableColumn("agency", text("equity_col_agency", language)),
            TableColumn("group", text("equity_col_group", language)),
            TableColumn("measure", text("equity_col_measure", language)),
            TableColumn("period", text("equity_col_period", language)),
            TableColumn("value", text("equity_col_value", language, unit=unit), "number"),
            TableColumn("low", text("equity_col_low", language), "number", missing="–"),
            TableColumn("high", text("equity_col_high", language), "number", missing="–"),
            TableColumn("responses", text("equity_col_responses", language), "number", missing="–"),
            TableColumn("overall", text("equity_col_overall", language, unit=unit), "number"),
            TableColumn("gap", text("equity_col_gap", language)),
            TableColumn("small", text("equity_col_small", language)),
            TableColumn("as_of", text("equity_col_as_of", language)),
        ],
        rows=table_rows,
        file_stem=file_stem("equity", metric.code, segment, period_value),
        notes=notes,
        empty_text=not_reported(language),
        scale=metric.scale,
    )


def _summary(
    rows: list[EquityRow], metric: MetricInfo, segment: str, period_label: str, language: str
) -> str:
    name = metric.name(language)
    reporting = {row.agency_slug for row in rows if row.value is not None}
    total = len({row.agency_slug for row in rows})
    if not reporting:
        return text(
            "equity_summary_none", language, metric=name, segment=segment, period=period_label
        )
    sentences = [
        text(
            "equity_summary",
            language,
            metric=name,
            segment=segment,
            period=period_label,
            agencies=format_count(len(reporting), language),
            total=format_count(total, language),
        )
    ]
    if not comparison.has_sampling_interval(metric.scale, metric.is_survey):
        sentences.append(text("equity_summary_unjudged", language))
        return " ".join(sentences)
    gaps = [
        text(
            f"equity_gap_item_{row.gap.value}",
            language,
            group=row.group,
            agency=row.agency_name,
            value=row.value_text,
            overall=row.overall_text,
        )
        for row in rows
        if row.gap in (comparison.Gap.HIGHER, comparison.Gap.LOWER)
    ]
    if gaps:
        sentences.append(text("equity_summary_gaps", language, gaps="; ".join(gaps)))
    else:
        sentences.append(text("equity_summary_no_gaps", language))
    return " ".join(sentences)
