"""Building an agency or service page view from its route and query parameters."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from dashboard.core.routes import Route, path_for
from dashboard.core.settings import Settings
from dashboard.domain.charts import ChartSpec
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.targets import (
    HistoricTarget,
    TargetSpec,
)
from dashboard.gateway import queries
from dashboard.views import NotFound
from dashboard.views.agency.loading import (
    ChartContext,
    as_date,
    granularities,
    ordered_codes,
    target_spec,
)
from dashboard.views.agency.model import AgencyView, FeedbackExcerpt, Option, ServiceItem
from dashboard.views.agency.panels import action_item, breakdown_chart, metric_panel
from dashboard.views.agency.sections import (
    SERVICE_CHARTS_MAX,
    contacts_and_closures,
    promise_items,
    service_item,
    service_series_code,
    service_standards_of,
)
from dashboard.views.agency.text import BREAKDOWN_SEGMENTS, localized, page_text

# -- parameters --------------------------------------------------------------------------------


def _find_units(
    units: list[dict[str, Any]], route: Route, language: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the page's unit, its agency); NotFound for a slug that names neither."""
    by_slug = {unit["slug"]: unit for unit in units}
    agency_slug = route.params.get("agency", "")
    agency = by_slug.get(agency_slug)
    if agency is None or agency["kind"] != "agency":
        raise NotFound(page_text("no_agency", language, slug=agency_slug))
    if route.page != "service":
        return agency, agency
    service_slug = route.params.get("service", "")
    service = by_slug.get(service_slug)
    if service is None or service["kind"] != "service" or service["parent_slug"] != agency_slug:
        raise NotFound(
            page_text(
                "no_service",
                language,
                agency=localized(agency, "name", language),
                slug=service_slug,
            )
        )
    return service, agency


def _fiscal_year_param(
    text: str | None, years: list[int], fiscal: FiscalCalendar, unit_name: str, language: str
) -> int | None:
    if not text:
        return None
    try:
        year = fiscal.parse_fiscal_year(text)
    except ValueError:
        year = None
    if year is None or year not in years:
        listed = ", ".join(fiscal.year_label(y, language) for y in years) or page_text(
            "no_years", language
        )
        raise NotFound(page_text("bad_period", language, period=text, unit=unit_name, years=listed))
    return year


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> AgencyView:
    fiscal = FiscalCalendar.from_settings(settings)
    all_units = queries.units(database_url, family=route.params.get("agency", ""))
    unit, agency = _find_units(all_units, route, language)
    unit_name = localized(unit, "name", language)
    services = (
        [u for u in all_units if u["kind"] == "service" and u["parent_slug"] == unit["slug"]]
        if route.page == "agency"
        else []
    )
    services.sort(key=lambda s: localized(s, "name", language).casefold())
    metrics = {metric["code"]: metric for metric in queries.metrics(database_url)}
    segment_param = query.get("segment") or None
    if segment_param is not None and segment_param not in BREAKDOWN_SEGMENTS:
        choices = ", ".join(BREAKDOWN_SEGMENTS)
        raise NotFound(page_text("bad_segment", language, segment=segment_param, choices=choices))
    # What the page shows, not the unit's whole store: its overall figures (and the segments of
    # the breakdown asked for), and of each service one series (its latest figure only when
    # the services are listed without charts).
    observations = queries.published_observation_records(
        database_url,
        unit_ids=[unit["id"]],
        segment_types=("",) if segment_param is None else ("", segment_param),
    )
    unit_ids = [unit["id"]] + [service["id"] for service in services]
    targets: dict[tuple[int, str], list[TargetSpec]] = defaultdict(list)
    for row in queries.published_targets(database_url, unit_ids=unit_ids):
        targets[(row["unit_id"], row["metric_code"])].append(target_spec(row, language))
    # The unit's own targets with the corrected ones (history, never judged against).
    target_history: dict[str, list[HistoricTarget]] = defaultdict(list)
    for row in queries.published_targets(
        database_url, unit_ids=[unit["id"]], include_superseded=True
    ):
        target_history[row["metric_code"]].append(
            HistoricTarget(
                id=row["id"],
                spec=target_spec(row, language),
                superseded_at=as_date(row["superseded_at"]) if row["superseded_at"] else None,
                superseded_by=row["superseded_by_id"],
            )
        )

    # This unit's rows, by (metric, segment type, segment value, granularity).
    own: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in observations:
        key = (row["metric_code"], row["segment_type"], row["segment_value"], row["granularity"])
        own[key].append(row)
    granularity_of = granularities((code, g) for code, s, _v, g in own if s == "")
    codes = ordered_codes(granularity_of, metrics, language)

    # Parameters: each one must name something this page has, or the page is a 404.
    metric_param = query.get("metric") or None
    if metric_param is not None and metric_param not in granularity_of:
        raise NotFound(page_text("bad_metric", language, unit=unit_name, metric=metric_param))
    years = sorted(
        {
            fiscal.fiscal_year(as_date(row["period_end"]))
            for (_c, segment, _v, _g), rows in own.items()
            if segment == ""
            for row in rows
        }
    )
    year = _fiscal_year_param(query.get("period"), years, fiscal, unit_name, language)

    window = fiscal.year_bounds(year) if year is not None else (None, None)
    context = ChartContext(
        language=language,
        fiscal=fiscal,
        settings=settings,
        metrics=metrics,
        latest_ends=queries.latest_period_ends(database_url),
        window=window,
        period_token=fiscal.year_label(year, "en") if year is not None else None,
    )
    # A big agency's page lists its services by their standards (one line a service, and the
    # standards that missed or did not report), judged from the one period's figures it reads
    # for its standards anyway; a small one has each service's trend and every standard.
    service_charts = len(services) <= SERVICE_CHARTS_MAX
    standards = service_standards_of(
        database_url, context, services, targets, agency, exceptions_only=not service_charts
    )
    listed_services: list[ServiceItem] | None = standards.pop("services", None)
    # Of each service, which series it has (its finest granularity of each metric), and the
    # one its line on this page shows.
    service_pairs: dict[int, list[tuple[str, str]]] = (
        {service["id"]: [] for service in services} if service_charts else {}
    )
    for service_id, series_code, granularity in (
        queries.published_series_keys(database_url, unit_ids=list(service_pairs))
        if service_pairs
        else []
    ):
        service_pairs[service_id].append((series_code, granularity))
    service_granularities = {
        service_id: granularities(pairs) for service_id, pairs in service_pairs.items()
    }
    service_series = set()
    for service_id, finest in service_granularities.items():
        shown = service_series_code(finest, metrics, language)
        if shown is not None:
            service_series.add((service_id, shown, finest[shown]))
    service_rows = (
        [
            row
            for row in queries.published_observation_records(
                database_url,
                unit_ids=list(service_granularities),
                metric_codes={code for _id, code, _g in service_series},
            )
            if (row["unit_id"], row["metric_code"], row["granularity"]) in service_series
        ]
        if service_series
        else []
    )
    reasons = queries.revision_reasons(database_url, unit_ids=[unit["id"], *service_granularities])
    for row in [*observations, *service_rows]:
        row["revision_reason"] = reasons.get(row["id"])
    by_service: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in service_rows:
        by_service[row["unit_id"]].append(row)

    full_series = {
        code: context.series(
            code,
            granularity_of[code],
            own[(code, "", "", granularity_of[code])],
            targets[(unit["id"], code)],
        )
        for code in codes
    }
    action_rows = queries.published_actions(database_url, unit_ids=[unit["id"]])
    actions = [action_item(row, language) for row in action_rows]
    shown_codes = [metric_param] if metric_param else codes
    panels = [
        metric_panel(context, unit["slug"], code, full_series[code], action_rows, actions)
        for code in shown_codes
    ]
    addressed = {code for row in action_rows for code in row["metric_codes"] if code in codes}
    other_actions = [
        item
        for item, row in zip(actions, action_rows, strict=True)
        if not addressed.intersection(row["metric_codes"])
    ]

    segment_types = queries.published_segment_types(
        database_url, unit_id=unit["id"], segment_types=BREAKDOWN_SEGMENTS
    )
    breakdowns: list[ChartSpec] = []
    segment_note = None
    if segment_param is not None:
        breakdowns = [
            chart
            for code in shown_codes
            if (
                chart := breakdown_chart(context, unit, code, own, full_series[code], segment_param)
            )
        ]
        if not breakdowns:
            segment_note = page_text(
                "breakdown_none",
                language,
                segment=page_text(f"segment_{segment_param}", language),
                unit=context.metric_name(metric_param) if metric_param else unit_name,
            )

    service_items = (
        listed_services
        if listed_services is not None
        else [
            service_item(
                context,
                service,
                service_granularities[service["id"]],
                by_service.get(service["id"], []),
                targets,
                agency,
            )
            for service in services
        ]
    )

    fixed_day = settings.extra.get("today")
    today = fixed_day if isinstance(fixed_day, dt.date) else dt.date.today()
    contacts, closures = contacts_and_closures(
        database_url, unit, agency, all_units, language, today
    )

    return AgencyView(
        page=route.page,
        language=language,
        slug=unit["slug"],
        name=unit_name,
        description=localized(unit, "description", language),
        website=unit.get("website"),
        path=path_for(route.page, **route.params),
        agency_slug=agency["slug"],
        agency_name=localized(agency, "name", language),
        agency_path=path_for("agency", agency=agency["slug"]),
        metric=metric_param,
        period=context.period_token,
        period_label=fiscal.year_label(year, language) if year is not None else None,
        segment=segment_param,
        metric_options=[Option(code, context.metric_name(code)) for code in codes],
        period_options=[
            Option(fiscal.year_label(y, "en"), fiscal.year_label(y, language))
            for y in reversed(years)
        ],
        segment_options=[
            Option(segment, page_text(f"segment_{segment}_title", language))
            for segment in segment_types
        ],
        promises=promise_items(
            context,
            shown_codes,
            full_series,
            {code: targets[(unit["id"], code)] for code in shown_codes},
            target_history,
        ),
        panels=panels,
        breakdowns=breakdowns,
        segment_note=segment_note,
        services=service_items,
        other_actions=other_actions,
        contacts=contacts,
        closures=closures,
        today=today,
        small_sample_threshold=settings.small_sample_threshold,
        last_updated=queries.agency_last_updated(database_url, agency["slug"]),
        changes_path=path_for("changes"),
        service_charts=service_charts,
        # The page's unit and, on an agency page, its services: what people said about them.
        told_us=[
            FeedbackExcerpt(row["excerpt"], as_date(row["received_at"]), bool(row["helpful"]))
            for row in queries.published_feedback_excerpts(database_url, unit_ids)
        ],
        **standards,
    )
