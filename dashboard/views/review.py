"""The quarterly review ("/review"): this quarter against the previous one and a year ago.

Parameters: ``fy`` (fiscal year number, "2026"), ``q`` (quarter, "3"), ``sort`` (one of
:data:`dashboard.domain.review.SORT_KEYS`) and ``lang``. Without ``fy`` and ``q`` the latest period
the data have is reviewed (:func:`dashboard.domain.review.choose_period`): the latest quarter with
quarterly (or monthly) results, or the latest fiscal year with yearly results only (an
annual review: this year against the previous one; ``fy`` alone names it). A fiscal year or
quarter that names no period with results, or an unknown sort, is a 404 that says which
there are. Agencies without figures of their own are reviewed through their services'
standards (:mod:`dashboard.domain.service_rollup`).

The decisions (movement, non-reporting, actions and what followed) are in
:mod:`dashboard.domain.review`; this module loads the published data and puts the answers together.

Queries (published rows only): units, metrics, the periods on offer, the headline measures'
overall figures of every agency and its services for the periods reviewed and drawn
(:func:`reviewed_window`, plus each series' last figure before them), the published actions
of the agencies and their services, the figures of the measures those actions address for the
units that took them, and targets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.core import languages
from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.review import (
    REVIEW_DIMENSIONS,
    SORT_KEYS,
    TREND_QUARTERS,
    TREND_YEARS,
    ActionRecord,
    Agency,
    ComparisonRow,
    FiscalYear,
    MissedTarget,
    Movement,
    Quarter,
    QuarterChoiceError,
    ReviewedAction,
    ReviewPeriod,
    SilentStandard,
    Thresholds,
    actions_by_target,
    actions_under_way,
    choose_period,
    comparison_rows,
    missed_targets,
    movers,
    non_reporters,
    previous_quarter,
    quarter_bounds,
    quarters_up_to,
    review_actions,
    same_quarter_last_year,
    silent_standards,
    sort_comparison_rows,
)
from dashboard.domain.rollups import Ratio, units_meeting_targets
from dashboard.domain.scorecard import (
    MetricInfo,
    dimension_label,
    text,
)
from dashboard.domain.service_rollup import Service, dimension_metrics, enterprise_units
from dashboard.gateway import queries
from dashboard.views import NotFound, Option

# The overview's loaders read exactly what the review needs (published overall figures and
# published targets of any units); reused rather than copied so both pages agree.
from dashboard.views.readings import agency_targets as published_targets
from dashboard.views.readings import headline_readings as published_readings
from dashboard.views.readings import needing_services, published_offered_periods

#: Query parameters this page reads.
PARAMS = ("fy", "q", "sort", "lang")

TEXT: Messages = messages(
    P_("quarter_short", "Q{quarter}"),
    P_("bad_fy", "“{value}” is not a fiscal year. Choose one from {first} to {last}."),
    P_("bad_q", "“{value}” is not a quarter: use 1, 2, 3 or 4."),
    P_(
        "no_data",
        "No quarterly results are published for “{value}”. Choose a quarter from "
        "{first} to {last}.",
    ),
    P_(
        "no_data_year",
        "No results are published for “{value}”. Choose a fiscal year from {first} to {last}.",
    ),
    P_("whole_year", "Whole fiscal year"),
    P_("nothing_published", "No quarterly results have been published yet."),
    P_("bad_sort", "“{value}” is not a way to sort this review."),
    P_("improved", "{count} improved"),
    P_("declined", "{count} declined"),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


@dataclass(frozen=True)
class ReviewColumn:
    dimension: str
    label: str
    metric_code: str
    metric_name: str
    scale: str


@dataclass(frozen=True)
class DimensionReview:
    """The enterprise roll-up of one dimension for the reviewed quarter."""

    dimension: str
    label: str
    metric_name: str
    met: Ratio  # of the agencies judged against a numeric target
    reported: Ratio  # of all agencies
    missed: int
    improved: int
    declined: int
    lines: list[str]


@dataclass(frozen=True)
class ReviewView:
    language: str
    has_data: bool
    fiscal_start_month: int
    fiscal_label_style: str
    quarter: ReviewPeriod | None  # a fiscal quarter, or a FiscalYear in an annual review
    previous: ReviewPeriod | None
    year_ago: ReviewPeriod | None
    trend_quarters: list[Any]  # the sparkline's quarters (years), oldest first
    fiscal_year_options: list[Option]
    quarter_options: list[Option]
    sort: str
    columns: list[ReviewColumn]
    agencies: list[Agency]
    rows: list[ComparisonRow]  # sorted as asked
    summaries: list[DimensionReview]
    missed: list[MissedTarget]
    improved: list[ComparisonRow]
    declined: list[ComparisonRow]
    not_reported: list[ComparisonRow]
    actions: list[ReviewedAction]
    not_reported_standards: list[SilentStandard]  # of agencies reviewed through services
    small_sample_threshold: int
    small_sample_policy: str
    #: The actions beside each row they address, by (agency slug, dimension).
    actions_by_target: dict[tuple[str, str], list[ReviewedAction]] = field(default_factory=dict)

    @property
    def calendar(self) -> FiscalCalendar:
        return FiscalCalendar(self.fiscal_start_month, self.fiscal_label_style)

    @property
    def annual(self) -> bool:
        """An annual review: this fiscal year against the previous one."""
        return isinstance(self.quarter, FiscalYear)

    def label(self, quarter: ReviewPeriod | None) -> str:
        if quarter is None:
            return ""
        if isinstance(quarter, FiscalYear):
            return self.calendar.year_label(quarter.fiscal_year, self.language)
        return self.calendar.quarter_label(quarter.fiscal_year, quarter.quarter, self.language)

    @property
    def quarter_label(self) -> str:
        return self.label(self.quarter)

    def actions_for(self, row: ComparisonRow) -> list[ReviewedAction]:
        """The actions that address the row's agency and dimension (what is being done)."""
        return self.actions_by_target.get((row.agency_slug, row.dimension), [])

    def rows_of(self, agency_slug: str) -> list[ComparisonRow]:
        """An agency's rows in dimension order (for its page of the pack)."""
        order = {dimension: index for index, dimension in enumerate(REVIEW_DIMENSIONS)}
        rows = [row for row in self.rows if row.agency_slug == agency_slug]
        return sorted(rows, key=lambda row: order.get(row.dimension, 99))


def _name(record: Mapping[str, Any], language: str) -> str:
    return languages.record_text(record, "name", language) or record.get("slug") or ""


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> ReviewView:
    calendar = FiscalCalendar.from_settings(settings)
    sort = query.get("sort") or "name"
    if sort not in SORT_KEYS:
        raise NotFound(_t("bad_sort", language, value=sort))

    units = queries.units(database_url)
    agency_records = [unit for unit in units if unit["kind"] == "agency"]
    agencies = [Agency(a["slug"], _name(a, language)) for a in agency_records]
    all_metrics = [MetricInfo.from_record(m) for m in queries.metrics(database_url)]
    overview = queries.load_headline_metrics(database_url, all_metrics)
    headline = {dim: overview[dim] for dim in REVIEW_DIMENSIONS if dim in overview}
    agency_slugs = {a.slug for a in agencies}
    service_records = [
        u for u in units if u["kind"] == "service" and u.get("parent_slug") in agency_slugs
    ]
    by_dimension = dimension_metrics(m for m in all_metrics if m.dimension in headline)
    service_metrics = {m.code: m for ms in by_dimension.values() for m in ms}
    services: dict[str, list[Service]] = {}
    for record in service_records:
        services.setdefault(record["parent_slug"], []).append(
            Service(record["slug"], _name(record, language), record["parent_slug"])
        )

    periods = published_offered_periods(
        database_url,
        calendar,
        [
            (agency_records, [metric.code for metric in headline.values()]),
            (service_records, service_metrics),
        ],
    )
    offered = [Quarter(*key) for key in periods.quarters]
    try:
        quarter = choose_period(query.get("fy"), query.get("q"), offered, periods.annual_years)
    except QuarterChoiceError as error:
        raise NotFound(
            _choice_message(error, offered, periods.annual_years, calendar, language)
        ) from None
    thresholds = Thresholds(settings.small_sample_threshold, settings.small_sample_policy)
    if quarter is None:
        return _empty_view(settings, language, sort, headline, agencies)
    # Only the periods the review compares and draws (the sparkline's, the previous one and
    # a year ago), plus each series' last figure before them ("last reported").
    first_day, last_day = reviewed_window(calendar, quarter)
    this_start = quarter_bounds(calendar, quarter)[0]
    readings = published_readings(
        database_url,
        agency_records,
        headline,
        starting_from=first_day,
        ending_by=last_day,
        last_reported_before=this_start,
    )
    # Only the services of agencies without a figure of their own in a period shown.
    rolled_up = needing_services(
        agency_records,
        headline,
        readings,
        [quarter_bounds(calendar, period) for period in reviewed_periods(calendar, quarter)],
    )
    service_readings = published_readings(
        database_url,
        [record for record in service_records if record["parent_slug"] in rolled_up],
        service_metrics,
        starting_from=first_day,
        ending_by=last_day,
        last_reported_before=this_start,
    )

    # Actions of the agencies and of their services, and the measures they address.
    by_slug = {unit["slug"]: unit for unit in units}
    # A unit with no agency (a service without a parent) is left out: .get gives None for it.
    agency_of: dict[str, str] = {
        unit["slug"]: unit["slug"] if unit["kind"] == "agency" else unit["parent_slug"]
        for unit in units
        if unit["kind"] == "agency" or unit.get("parent_slug") is not None
    }
    action_rows = queries.published_actions(
        database_url,
        unit_ids=[u["id"] for u in units if agency_of.get(u["slug"]) in agency_slugs],
    )
    actions = [
        ActionRecord(
            action_id=a["id"],
            unit_slug=a["unit_slug"],
            unit_name=_name(by_slug[a["unit_slug"]], language),
            agency_slug=agency_of[a["unit_slug"]],
            title=languages.record_text(a, "title", language) or "",
            description=languages.record_text(a, "description", language),
            started_on=_date(a["started_on"]),
            completed_on=_date(a["completed_on"]),
            link=a.get("link"),
            metric_codes=tuple(a["metric_codes"]),
            published_status=a.get("status"),
        )
        for a in action_rows
    ]
    # What is being done: in progress or planned on the period's last day, or started or
    # completed during it.
    relevant = actions_under_way(actions, *quarter_bounds(calendar, quarter))
    # Only measures that say how well people are served (not volumes or training counts).
    followed = {m.code: m for m in all_metrics if m.dimension != "other" and m.can_be_normalized()}
    action_units = [by_slug[slug] for slug in sorted({a.unit_slug for a in relevant})]
    action_codes = {code for a in relevant for code in a.metric_codes if code in followed}
    action_readings = published_readings(
        database_url, action_units, {code: followed[code] for code in action_codes}
    )
    targets = published_targets(
        database_url,
        agency_records
        + service_records
        + [u for u in action_units if u["kind"] not in ("agency", "service")],
        language,
    )

    rows = comparison_rows(
        calendar,
        quarter,
        agencies,
        headline,
        {**service_readings, **readings},
        targets,
        thresholds,
        language,
        services=services,
        dimension_metrics=by_dimension,
    )
    reviewed = review_actions(
        calendar,
        quarter,
        relevant,
        followed,
        {**readings, **action_readings},
        targets,
        thresholds,
        language,
    )
    improved = movers(rows, Movement.IMPROVED)
    declined = movers(rows, Movement.DECLINED)
    missed = missed_targets(rows)
    return ReviewView(
        language=language,
        has_data=True,
        fiscal_start_month=calendar.start_month,
        fiscal_label_style=calendar.label_style,
        quarter=quarter,
        previous=previous_quarter(calendar, quarter),
        year_ago=same_quarter_last_year(quarter),
        trend_quarters=quarters_up_to(
            calendar, quarter, TREND_YEARS if isinstance(quarter, FiscalYear) else TREND_QUARTERS
        ),
        fiscal_year_options=_year_options(calendar, offered, periods.annual_years, language),
        quarter_options=[Option("", _t("whole_year", language))]
        if isinstance(quarter, FiscalYear)
        else [Option(str(n), _t("quarter_short", language, quarter=n)) for n in (1, 2, 3, 4)],
        sort=sort,
        columns=_columns(headline, language),
        agencies=sorted(agencies, key=lambda a: a.name.casefold()),
        rows=sort_comparison_rows(rows, sort),
        summaries=[
            _summary(dim, metric, rows, missed, language) for dim, metric in headline.items()
        ],
        missed=missed,
        improved=improved,
        declined=declined,
        not_reported=non_reporters(sort_comparison_rows(rows, "name")),
        actions=reviewed,
        actions_by_target=actions_by_target(rows, reviewed),
        not_reported_standards=silent_standards(
            calendar, sort_comparison_rows(rows, "name"), quarter, service_readings
        ),
        small_sample_threshold=settings.small_sample_threshold,
        small_sample_policy=settings.small_sample_policy,
    )


def reviewed_periods(calendar: FiscalCalendar, quarter: ReviewPeriod) -> list[ReviewPeriod]:
    """The periods a review of ``quarter`` shows results of: the sparkline's quarters (years,
    ending with ``quarter``), the previous one and the same one a year ago."""
    return [
        *quarters_up_to(
            calendar, quarter, TREND_YEARS if isinstance(quarter, FiscalYear) else TREND_QUARTERS
        ),
        previous_quarter(calendar, quarter),
        same_quarter_last_year(quarter),
    ]


def reviewed_window(calendar: FiscalCalendar, quarter: ReviewPeriod) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the periods a review of ``quarter`` reads figures of
    (:func:`reviewed_periods`)."""
    bounds = [quarter_bounds(calendar, period) for period in reviewed_periods(calendar, quarter)]
    return min(start for start, _ in bounds), max(end for _, end in bounds)


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _choice_message(
    error: QuarterChoiceError,
    offered: list[Quarter],
    years: list[int],
    calendar: FiscalCalendar,
    language: str,
) -> str:
    if not offered and years:
        if error.reason == "bad_q":
            return _t("bad_q", language, value=error.value)
        key = "bad_fy" if error.reason == "bad_fy" else "no_data_year"
        return _t(
            key,
            language,
            value=error.value,
            first=calendar.year_label(min(years), language),
            last=calendar.year_label(max(years), language),
        )
    if not offered:
        return _t("nothing_published", language)
    first, last = min(offered), max(offered)
    if error.reason == "bad_fy":
        return _t(
            "bad_fy",
            language,
            value=error.value,
            first=first.fiscal_year,
            last=last.fiscal_year,
        )
    if error.reason == "bad_q":
        return _t("bad_q", language, value=error.value)
    asked = error.quarter
    return _t(
        "no_data",
        language,
        value=calendar.quarter_label(asked.fiscal_year, asked.quarter, language)
        if asked
        else error.value,
        first=calendar.quarter_label(first.fiscal_year, first.quarter, language),
        last=calendar.quarter_label(last.fiscal_year, last.quarter, language),
    )


def _year_options(
    calendar: FiscalCalendar, offered: list[Quarter], annual: list[int], language: str
) -> list[Option]:
    years = sorted({q.fiscal_year for q in offered} | set(annual), reverse=True)
    return [Option(str(year), calendar.year_label(year, language)) for year in years]


def _columns(headline: Mapping[str, MetricInfo], language: str) -> list[ReviewColumn]:
    return [
        ReviewColumn(dim, dimension_label(dim, language), m.code, m.name(language), m.scale)
        for dim, m in headline.items()
    ]


def _summary(
    dimension: str,
    metric: MetricInfo,
    rows: Sequence[ComparisonRow],
    missed: Sequence[MissedTarget],
    language: str,
) -> DimensionReview:
    own = [row for row in rows if row.dimension == dimension]
    units = enterprise_units(((r.agency_slug, r.agency_name, r.this) for r in own), language)
    rollup = units_meeting_targets(units.statuses)
    improved = sum(1 for r in own if r.change_previous.movement == Movement.IMPROVED)
    declined = sum(1 for r in own if r.change_previous.movement == Movement.DECLINED)
    if rollup.met.total:
        met_line = text(
            "met",
            language,
            met=rollup.met.count,
            total=rollup.met.total,
            percent=rollup.met.percent_text(language=language),
        )
    else:
        met_line = text("none_judged", language)
    lines = [
        met_line,
        text("reported", language, count=rollup.reported.count, total=rollup.reported.total),
        f"{_t('improved', language, count=improved)}, {_t('declined', language, count=declined)}",
    ]
    return DimensionReview(
        dimension=dimension,
        label=dimension_label(dimension, language),
        metric_name=metric.name(language),
        met=rollup.met,
        reported=rollup.reported,
        missed=sum(1 for m in missed if m.row.dimension == dimension),
        improved=improved,
        declined=declined,
        lines=lines,
    )


def _empty_view(
    settings: Settings,
    language: str,
    sort: str,
    headline: Mapping[str, MetricInfo],
    agencies: list[Agency],
) -> ReviewView:
    """Nothing published yet: the page says so (still a page, not a 404)."""
    return ReviewView(
        language=language,
        has_data=False,
        fiscal_start_month=settings.fiscal_year_start_month,
        fiscal_label_style=settings.fiscal_year_label_style,
        quarter=None,
        previous=None,
        year_ago=None,
        trend_quarters=[],
        fiscal_year_options=[],
        quarter_options=[],
        sort=sort,
        columns=_columns(headline, language),
        agencies=agencies,
        rows=[],
        summaries=[],
        missed=[],
        improved=[],
        declined=[],
        not_reported=[],
        actions=[],
        not_reported_standards=[],
        small_sample_threshold=settings.small_sample_threshold,
        small_sample_policy=settings.small_sample_policy,
    )
