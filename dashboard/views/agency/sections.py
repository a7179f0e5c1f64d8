"""The other sections of an agency page: posted service levels, services and their standards,
and how to reach the agency (contact points and closures).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from dashboard.core.i18n import t
from dashboard.core.routes import path_for
from dashboard.domain.charts import ChartSpec, file_stem
from dashboard.domain.formatting import (
    display_unit,
    format_count,
    format_day,
    format_measure,
    format_number,
)
from dashboard.domain.scorecard import (
    SCORECARD_DIMENSIONS,
    MetricInfo,
    default_period,
    dimension_label,
    headline_metrics,
)
from dashboard.domain.series import (
    MetricSeries,
    period_ticks,
)
from dashboard.domain.service_rollup import (
    Service,
    dimension_metrics,
    roll_up,
    rollup_status,
    service_standards,
)
from dashboard.domain.summaries import summarize_series
from dashboard.domain.targets import (
    HistoricTarget,
    Status,
    TargetSpec,
    describe_target,
    scheduled_changes,
    target_corrections,
)
from dashboard.gateway import queries
from dashboard.views.agency.loading import (
    ChartContext,
    as_date,
    ordered_codes,
)
from dashboard.views.agency.model import (
    ClosureItem,
    ContactGroup,
    ContactItem,
    PromiseItem,
    ServiceItem,
    ServiceLevelItem,
    ServiceSummary,
)
from dashboard.views.agency.panels import (
    raw_of,
    restricted,
    series_traces,
    table_columns,
    table_row,
    target_trace,
)
from dashboard.views.agency.text import (
    HEADLINE_METRICS,
    channel_name,
    language_name,
    localized,
    page_text,
)
from dashboard.views.readings import headline_readings, published_offered_periods

# -- posted service levels -------------------------------------------------------------------


def promise_items(
    context: ChartContext,
    codes: list[str],
    full_series: Mapping[str, MetricSeries],
    in_force: Mapping[str, list[TargetSpec]] | None = None,
    history: Mapping[str, list[HistoricTarget]] | None = None,
) -> list[PromiseItem]:
    """Each metric's target in force for its latest period, with that period's result and
    the target's history (corrections, and changes that take effect after that period)."""
    language = context.language
    items: list[PromiseItem] = []
    for code in codes:
        series = full_series[code]
        latest = series.latest
        if latest is None or latest.target is None:
            continue
        target = latest.target
        name = context.metric_name(code)
        target_text = describe_target(target, series.scale, language)
        revised_text = None
        if latest.revised:
            revised_text = format_measure(
                raw_of(latest.earlier_value, series.scale), series.scale, language
            )
        items.append(
            PromiseItem(
                metric_code=code,
                metric_name=name,
                promise=target.promise
                or page_text("promise_default", language, metric=name, target=target_text),
                target_text=target_text,
                target_kind=target.kind,
                granularity=series.granularity,
                period_label=latest.label,
                value_text=page_text("suppressed", language)
                if latest.suppressed
                else format_measure(latest.raw, series.scale, language, target=target),
                status=latest.status,
                responses_text=page_text(
                    "responses_count", language, n=format_count(latest.responses, language)
                )
                if series.is_survey and latest.responses is not None
                else None,
                small_sample=latest.small_sample,
                suppressed=latest.suppressed,
                revised_text=revised_text,
                revision_reason=latest.revision_reason if latest.revised else None,
                history=_target_history(
                    (in_force or {}).get(code, []),
                    (history or {}).get(code, []),
                    latest.period.end,
                    series.scale,
                    language,
                ),
            )
        )
    # Written promises first: they are what the agency posted for the public.
    items.sort(key=lambda item: item.promise.startswith(item.metric_name + ":"))
    return items


def _target_history(
    in_force: list[TargetSpec],
    history: list[HistoricTarget],
    latest_end: dt.date,
    scale: str,
    language: str,
) -> tuple[str, ...]:
    """A promise's target history in words (D2): every correction, then every change that
    takes effect after the latest result's period."""
    texts = [
        page_text(
            "target_corrected",
            language,
            date=format_day(change.day, language),
            old=describe_target(change.old, scale, language),
            new=describe_target(change.new, scale, language),
        )
        for change in target_corrections(history)
    ]
    for change in scheduled_changes(in_force, latest_end):
        new = describe_target(change.new, scale, language)
        day = format_day(change.day, language)
        if change.old is None:
            texts.append(page_text("target_scheduled_first", language, date=day, new=new))
        else:
            old = describe_target(change.old, scale, language)
            texts.append(page_text("target_scheduled", language, date=day, new=new, old=old))
    return tuple(texts)


# -- services ----------------------------------------------------------------------------------


#: Beyond this many services, an agency page lists its services without a small chart each
#: (each service's own page has its charts): a chart a service costs the page a series read and
#: drawn per service, and an agency of hundreds of offices would be a page of hundreds of charts.
SERVICE_CHARTS_MAX = 12


def service_series_code(
    granularity_of: Mapping[str, str], metrics: Mapping[str, Mapping[str, Any]], language: str
) -> str | None:
    """The metric a service's line on its agency page shows: the first of
    :data:`HEADLINE_METRICS` it publishes, else its first metric in page order."""
    code = next((c for c in HEADLINE_METRICS if c in granularity_of), None)
    if code is None:
        code = next(iter(ordered_codes(granularity_of, metrics, language)), None)
    return code


def service_item(
    context: ChartContext,
    service: Mapping[str, Any],
    granularity_of: Mapping[str, str],
    rows: list[dict[str, Any]],
    targets: Mapping[tuple[int, str], list[TargetSpec]],
    agency: Mapping[str, Any],
) -> ServiceItem:
    """A service's line, with its chart, on the page of an agency of a few services (a big
    agency lists its services by their standards instead): how its
    :func:`service_series_code` metric stands (``rows``: that series' figures)."""
    language = context.language
    name = localized(service, "name", language)
    path = path_for("service", agency=agency["slug"], service=service["slug"])
    code = service_series_code(granularity_of, context.metrics, language)
    if code is None:
        return ServiceItem(
            service["slug"], name, path, page_text("service_no_data", language), None, None
        )
    granularity = granularity_of[code]
    full = context.series(code, granularity, rows, list(targets.get((service["id"], code), [])))
    series = restricted(context, full)
    metric_name = context.metric_name(code)
    latest = series.latest
    if latest is None:
        return ServiceItem(
            service["slug"], name, path, page_text("service_no_data", language), None, None
        )
    value = (
        page_text("suppressed", language)
        if latest.suppressed
        else format_measure(latest.raw, series.scale, language, target=latest.target)
    )
    text = page_text(
        "service_latest", language, metric=metric_name, value=value, period=latest.label
    )
    traces = series_traces(context, series, metric_name, with_band=False)
    target = target_trace(context, series)
    if target is not None:
        traces.append(target)
    table_rows = [table_row(context, series, point) for point in series.points]
    sparkline = ChartSpec(
        chart_id=f"service-{service['slug']}",
        title=t("label_value", language, label=name, value=metric_name),
        summary=summarize_series(
            series, metric_name=metric_name, language=language, fiscal=context.fiscal
        ),
        y_title=display_unit(series.scale, language),
        traces=traces,
        columns=table_columns(context, series, table_rows),
        rows=table_rows,
        file_stem=file_stem(service["slug"], code, context.period_token or "all"),
        x_ticks=period_ticks(series),
        empty_text=page_text("chart_not_reported", language),
    )
    return ServiceItem(
        service["slug"], name, path, text, latest.status, sparkline, sparkline_metric=code
    )


def service_standards_of(
    database_url: str,
    context: ChartContext,
    services: list[dict[str, Any]],
    targets: Mapping[tuple[int, str], list[TargetSpec]],
    agency: Mapping[str, Any],
    *,
    exceptions_only: bool = False,
) -> dict[str, Any]:
    """``service_summaries`` and ``service_levels`` of an agency page (empty elsewhere).

    The period is the latest one the services' data have (a quarter, or a fiscal year for
    yearly results: :func:`dashboard.domain.scorecard.default_period`); results of finer periods
    are pooled by volume and judged against the target in force, exactly as the overview's
    roll-up (:mod:`dashboard.domain.service_rollup`). Only that period's figures are read
    (the periods on offer come from SQL, as on the overview).

    With ``exceptions_only`` (a big agency: more than :data:`SERVICE_CHARTS_MAX` services),
    ``service_levels`` holds only the standards that were not met or did not report, and
    ``services`` each service's line in the compact list, judged from the same standards
    (how many of its standards met in the period): the page shows one line a service and
    the exceptions, not every service × measure, and reads nothing else for its services.
    """
    if not services:
        return {}
    language = context.language
    infos = [MetricInfo.from_record(record) for record in context.metrics.values()]
    by_code = {info.code: info for info in infos}
    offered = published_offered_periods(database_url, context.fiscal, [(services, by_code)])
    period = default_period(context.fiscal, offered)
    if period is None:
        if exceptions_only:
            return {
                "service_levels_all": False,
                "services": [_listed_service(s, agency, [], "", language) for s in services],
            }
        return {}
    goals = {
        (service["slug"], code): specs
        for service in services
        for (unit_id, code), specs in targets.items()
        if unit_id == service["id"]
    }
    headline = headline_metrics(infos)
    by_dimension = dimension_metrics(infos)
    # Only the figures a standard can use: a dimension's headline measure, and the measures
    # of a dimension some service posts a target for (every other measure is no standard).
    targeted = {code for _slug, code in goals}
    needed = {
        metric.code: metric
        for dimension, measures in by_dimension.items()
        for metric in measures
        if metric.code in targeted or metric.code == headline.get(dimension, measures[0]).code
    }
    readings = headline_readings(
        database_url, services, needed, starting_from=period.start, ending_by=period.end
    )
    units = [Service(s["slug"], localized(s, "name", language), agency["slug"]) for s in services]
    paths = {
        s["slug"]: path_for("service", agency=agency["slug"], service=s["slug"]) for s in services
    }
    period_label = context.fiscal.period_label(period, language)
    summaries: list[ServiceSummary] = []
    levels: list[ServiceLevelItem] = []
    statuses_of: dict[str, list[Status]] = {s["slug"]: [] for s in services}
    for dimension in SCORECARD_DIMENSIONS:
        measures = by_dimension.get(dimension, [])
        if not measures:
            continue
        standards = service_standards(
            units,
            measures,
            headline.get(dimension, measures[0]),
            readings,
            goals,
            period.start,
            period.end,
            period.granularity,
            small_sample_threshold=context.settings.small_sample_threshold,
            small_sample_policy=context.settings.small_sample_policy,
            language=language,
        )
        if not standards:
            continue
        rollup = roll_up(dimension, standards)
        _met, reported = rollup.lines(language)
        summaries.append(
            ServiceSummary(
                dimension=dimension,
                label=dimension_label(dimension, language),
                text=_rollup_text(rollup, period_label, language),
                reported_text=reported,
                not_reported=[s.label(language) for s in rollup.not_reported],
                not_met_count=len(rollup.not_met),
                not_reported_count=len(rollup.not_reported),
                judged_count=rollup.met.total,
            )
        )
        for standard in standards:
            statuses_of[standard.service_slug].append(standard.status)
            if exceptions_only and standard.status not in _EXCEPTIONS:
                continue
            cell = standard.cell
            metric_name = standard.metric.name(language)
            target_text = cell.target_text
            promise = (cell.target.promise if cell.target is not None else None) or page_text(
                "promise_default", language, metric=metric_name, target=target_text or "–"
            )
            levels.append(
                ServiceLevelItem(
                    service_slug=standard.service_slug,
                    service_name=standard.service_name,
                    service_path=paths[standard.service_slug],
                    metric_code=standard.metric.code,
                    metric_name=metric_name,
                    promise=promise,
                    target_text=target_text,
                    value_text=page_text("suppressed", language)
                    if cell.suppressed
                    else format_measure(cell.value, cell.scale, language, target=cell.target),
                    period_label=period_label,
                    status=cell.status,
                    dimension=dimension,
                )
            )
    if not exceptions_only:
        levels.sort(key=lambda item: (item.service_name.casefold(), item.metric_name.casefold()))
        return {"service_summaries": summaries, "service_levels": levels}
    # Within a dimension: misses first, then the standards that did not report, by service.
    levels.sort(
        key=lambda item: (
            item.status != Status.NOT_MET,
            item.service_name.casefold(),
            item.metric_name.casefold(),
        )
    )
    return {
        "service_summaries": summaries,
        "service_levels": levels,
        "service_levels_all": False,
        "services": [
            _listed_service(s, agency, statuses_of[s["slug"]], period_label, language)
            for s in services
        ],
    }


#: The standards a big agency's page lists one by one: those that missed or did not report.
_EXCEPTIONS = (Status.NOT_MET, Status.NOT_REPORTED)


def _listed_service(
    service: Mapping[str, Any],
    agency: Mapping[str, Any],
    statuses: list[Status],
    period_label: str,
    language: str,
) -> ServiceItem:
    """A service's line in a big agency's compact list: how many of its standards met in the
    period, with the status of them all (missed when any missed; "not reported" is never a
    miss)."""
    name = localized(service, "name", language)
    path = path_for("service", agency=agency["slug"], service=service["slug"])
    if not statuses:
        text = (
            page_text("service_no_standards", language, period=period_label)
            if period_label
            else page_text("service_no_data", language)
        )
        return ServiceItem(service["slug"], name, path, text, None, None)
    met = statuses.count(Status.MET)
    judged = met + statuses.count(Status.NOT_MET)
    if judged:
        text = page_text(
            "service_standards_met",
            language,
            met=format_number(met, language),
            total=format_number(judged, language),
            period=period_label,
        )
    elif all(status == Status.NOT_REPORTED for status in statuses):
        text = page_text("service_standards_not_reported", language, period=period_label)
    else:
        text = page_text("standards_none_judged", language, period=period_label)
    return ServiceItem(service["slug"], name, path, text, rollup_status(statuses), None)


def _rollup_text(rollup: Any, period_label: str, language: str) -> str:
    from dashboard.domain.service_rollup import text as rollup_text

    if not rollup.met.total:
        return page_text("standards_none_judged", language, period=period_label)
    return rollup_text(
        "met_in",
        language,
        met=format_number(rollup.met.count, language),
        total=format_number(rollup.met.total, language),
        period=period_label,
    )


# -- how to reach us ---------------------------------------------------------------------------

_PHONE_KEEP = re.compile(r"[^0-9+]")


def contact_href(channel: str, value: str | None) -> str | None:
    """A link for a contact point: tel: for phones, sms: for text lines, mailto: for e-mail."""
    if not value:
        return None
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value
    if channel in ("phone", "voicemail"):
        digits = _PHONE_KEEP.sub("", value)
        return f"tel:{digits}" if digits else None
    if channel == "text":
        digits = _PHONE_KEEP.sub("", value)
        return f"sms:{digits}" if digits else None
    if channel == "email" or "@" in value:
        return f"mailto:{value}"
    return None


def _contact_item(row: Mapping[str, Any], language: str) -> ContactItem:
    codes = [code for code in (row.get("languages") or "").split(",") if code.strip()]
    return ContactItem(
        channel=row["channel"],
        channel_name=channel_name(row["channel"], language),
        label=localized(row, "label", language),
        value=row.get("value"),
        href=contact_href(row["channel"], row.get("value")),
        address=row.get("address"),
        hours=localized(row, "hours", language),
        appointment=localized(row, "appointment", language),
        languages=[language_name(code, language) for code in codes],
    )


def contacts_and_closures(
    database_url: str,
    unit: Mapping[str, Any],
    agency: Mapping[str, Any],
    all_units: list[dict[str, Any]],
    language: str,
    today: dt.date,
) -> tuple[list[ContactGroup], list[ClosureItem]]:
    """The unit's contact points (and its agency's, on a service page), and the closures of
    the unit, its agency and the whole government that have not ended by ``today``.

    A contact point closed today carries the closure where its hours are: a closure of that
    contact point, or of its whole unit, its agency or the whole government when people answer
    it during opening hours (:data:`_STAFFED`; a web form does not close for a holiday)."""
    enterprise_ids = [u["id"] for u in all_units if u["kind"] == "enterprise"]
    chain = [unit] if unit["id"] == agency["id"] else [unit, agency]
    rows = queries.contact_points(database_url, [u["id"] for u in chain])
    names = {u["id"]: localized(u, "name", language) for u in all_units}
    closure_rows = queries.closures(
        database_url, [u["id"] for u in chain] + enterprise_ids, ending_on_or_after=today
    )
    labels = {row["id"]: localized(row, "label", language) for row in rows}
    groups = []
    for member in chain:
        items = [
            _with_closures(
                _contact_item(row, language),
                row,
                closure_rows,
                {row["unit_id"], agency["id"], *enterprise_ids},
                language,
                today,
            )
            for row in rows
            if row["unit_id"] == member["id"]
        ]
        if items:
            groups.append(
                ContactGroup(
                    unit_name=localized(member, "name", language),
                    is_this_unit=member["id"] == unit["id"],
                    items=items,
                )
            )
    closures = [
        ClosureItem(
            starts_on=as_date(row["starts_on"]),
            ends_on=as_date(row["ends_on"]),
            reason=localized(row, "reason", language),
            place=labels.get(row["contact_point_id"])
            if row.get("contact_point_id")
            else names.get(row["unit_id"]),
        )
        for row in closure_rows
    ]
    return groups, closures


#: The channels a closure of a whole unit closes: people answer them during opening hours
#: (a web form or an e-mail box still takes messages on a holiday).
_STAFFED = ("phone", "walk_in", "video", "chat", "text")


def _with_closures(
    item: ContactItem,
    row: Mapping[str, Any],
    closure_rows: list[dict[str, Any]],
    covering: set[int],
    language: str,
    today: dt.date,
) -> ContactItem:
    """The contact point with its closure today (through the last day of overlapping or
    back-to-back closures) and its next closure that has not started. ``covering``: the units
    whose closures of every staffed contact point close this one too (its own, its agency,
    the whole government)."""
    applies = [
        closure
        for closure in closure_rows
        if closure.get("contact_point_id") == row["id"]
        or (
            not closure.get("contact_point_id")
            and item.channel in _STAFFED
            and item.hours
            and closure["unit_id"] in covering
        )
    ]
    spans = [(as_date(c["starts_on"]), as_date(c["ends_on"]), c) for c in applies]
    current = [span for span in spans if span[0] <= today <= span[1]]
    upcoming = sorted((span for span in spans if span[0] > today), key=lambda span: span[0])
    closed_through = None
    reason = None
    if current:
        # Back-to-back closures read as one: closed through the last day of the chain.
        _start, end, closure = max(current, key=lambda span: span[1])
        for first, last, _ in sorted(spans, key=lambda span: span[0]):
            if first <= end + dt.timedelta(days=1) and last > end:
                end = last
        closed_through = end
        reason = localized(closure, "reason", language)
    after = closed_through + dt.timedelta(days=1) if closed_through is not None else today
    following = next((span for span in upcoming if span[0] > after), None)
    return dataclasses.replace(
        item,
        closed_through=closed_through,
        closed_reason=reason,
        next_closure=(following[0], following[1]) if following else None,
    )
