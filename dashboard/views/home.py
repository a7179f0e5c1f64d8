"""The enterprise overview ("/"): every agency's scorecard, enterprise roll-ups and trends.

What the page shows, and the decisions behind it (the page's notes say the same in words):

- **Period** (``period``): a fiscal quarter ("FY2026-Q3") or fiscal year ("FY2026"), parsed
  with :meth:`FiscalCalendar.parse_period`. The periods offered are the fiscal quarters for
  which agencies or their services published quarterly results (ART and satisfaction are
  reviewed quarterly), the fiscal years that hold them, and the fiscal years with yearly
  results. The default is the latest period the data have: the latest such quarter, or the
  latest fiscal year when a later year has yearly results only (a store of yearly results
  gets a yearly scorecard). Monthly contact-centre figures of a later, incomplete quarter
  are not offered. A fiscal year that is not over yet and has no yearly results runs "to
  date": up to the end of its latest offered quarter. Any other value, or a period without
  published results, is a 404.
- **Headline measure per dimension**: :func:`dashboard.domain.scorecard.choose_headlines` (the
  catalogue's flag, else the shipped preference list, else the only or most-reported one).
- **Agency results**: the agency's own published overall figure of the headline measure
  when it published one for the period; otherwise the roll-up of its services' standards
  ("5 of 7 service standards met"), :mod:`dashboard.domain.service_rollup`. A figure published for
  exactly the chosen period is used as is;
  monthly metrics (responsiveness, access) are pooled over the months of the quarter: sum of
  the months' numerators over sum of their denominators, i.e. the share of the quarter's
  whole volume, with "2 of 3 months" shown when a month is missing. Fiscal years pool their
  quarters the same way (:func:`dashboard.domain.scorecard.period_result`).
- **Status**: against the target in force on the period's last day; survey results on fewer
  responses than ``settings.small_sample_threshold`` are flagged (or hidden under the
  "suppress" policy). "Not reported" (a published NULL, or no figure at all) is never zero.
- **Roll-ups** per dimension: "7 of 16 met, 43.8%" over the units that carry figures (an
  agency with its own figure once, else each of its service standards once,
  :func:`dashboard.domain.service_rollup.enterprise_units`), "15 of 16 reported" with the units that
  did not report named, and coverage: agencies with any published figure of the dimension
  (their own or their services') during the period's fiscal year.
- **Trends**: per dimension, the unweighted mean 0-100 score of the agencies that reported,
  per fiscal quarter, up to the chosen period, with "n of N agencies reported" per quarter.
- **Search, filter, sort** (``q``, ``dim`` + ``status``, ``sort``) narrow the scorecard table
  only; roll-ups and trends always cover every agency.

Queries: units, metrics, targets, the periods on offer (distinct periods, not figures), the
agencies' overall figures of the headline metrics up to the chosen period (the trends), their
services' figures of that period, of the agencies without their own (a standards trend reads
its dimension's up to it), and
one grouped query for coverage: what the page shows, not the whole store (issue 12).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.core import languages
from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.charts import ChartSpec, TableColumn, Trace, file_stem
from dashboard.domain.fiscal import FiscalCalendar, Period
from dashboard.domain.formatting import format_score
from dashboard.domain.normalize import describe as describe_rule
from dashboard.domain.normalize import normalize
from dashboard.domain.rollups import Ratio, coverage, enterprise_trend, units_meeting_targets
from dashboard.domain.scorecard import (
    SCORECARD_DIMENSIONS,
    SORT_KEYS,
    AgencyRow,
    Cell,
    MetricInfo,
    OfferedPeriods,
    Reading,
    default_period,
    dimension_label,
    filter_rows,
    matches,
    period_result,
    periods_holding,
    rollup_lines,
    score_cell,
    sort_rows,
    trend_summary,
)
from dashboard.domain.series import thin_ticks
from dashboard.domain.service_rollup import (
    Service,
    agency_cell,
    dimension_metrics,
    enterprise_units,
    has_own_figure,
    roll_up,
    row_entries,
    service_standards,
)
from dashboard.domain.stats import is_small_sample
from dashboard.domain.targets import Status, TargetSpec
from dashboard.domain.tidy_csv import ChartSubject, chart_csv
from dashboard.gateway import queries
from dashboard.views import NotFound
from dashboard.views.readings import (
    agency_targets,
    headline_readings,
    needing_services,
    published_offered_periods,
)

#: Query parameters this page reads.
PARAMS = ("period", "sort", "dim", "status", "q", "lang")

#: Longest search text considered (a longer one is cut, not an error).
MAX_SEARCH_LENGTH = 100

TEXT: Messages = messages(
    P_(
        "bad_period",
        "“{value}” is not a fiscal quarter or fiscal year with published results. "
        "Choose a quarter from {first} to {last}, or one of those fiscal years.",
    ),
    P_(
        "bad_year",
        "“{value}” is not a fiscal year with published results. Choose one from {first} to {last}.",
    ),
    P_("bad_sort", "“{value}” is not a way to sort this page."),
    P_("bad_dim", "“{value}” is not a dimension of the scorecard."),
    P_("bad_status", "“{value}” is not a status (met, not_met, no_target, not_reported)."),
    P_("trend_title", "{dimension}: average agency score by quarter"),
    P_("trend_title_year", "{dimension}: average agency score by fiscal year"),
    P_("column_year", "Fiscal year"),
    P_("column_year_end", "Year ends"),
    P_("trend_y", "Average score (0–100)"),
    P_("trend_line", "Average score of the agencies that reported"),
    P_("trend_hover", "{quarter}: {score} ({count} of {total} agencies reported)"),
    P_("column_quarter", "Fiscal quarter"),
    P_("column_end", "Quarter ends"),
    P_("column_mean", "Average score (0–100)"),
    P_("column_reported", "Agencies reported"),
    P_("column_agencies", "Agencies"),
    P_("note_metric", "Measure behind each agency's score: {metric}. {rule}"),
    P_(
        "note_mean",
        "Agencies that did not report are left out of the average, never counted as "
        "zero; the table gives how many reported each quarter.",
    ),
    P_("standards_trend_title", "{dimension}: share of service standards met by quarter"),
    P_("standards_trend_title_year", "{dimension}: share of service standards met by fiscal year"),
    P_("standards_trend_y", "Standards met (%)"),
    P_("standards_trend_line", "Share of the service standards judged that met their target"),
    P_(
        "standards_trend_hover",
        "{quarter}: {share} ({met} of {judged} met; {reported} of {total} reported)",
    ),
    P_(
        "standards_trend_summary",
        "In {last}, {met} of {judged} service standards met their target ({share}); "
        "{reported} of {total} reported.",
    ),
    P_(
        "standards_trend_summary_none",
        "In {last}, no service standard could be judged against a numeric target; "
        "{reported} of {total} reported.",
    ),
    P_("column_met", "Standards met"),
    P_("column_judged", "Judged against a target"),
    P_("column_share", "Met (%)"),
    P_("column_standards_reported", "Reported"),
    P_("column_standards", "Service standards"),
    P_(
        "note_standards",
        "No agency publishes a figure of its own for this dimension: the chart counts "
        "its services' standards (the measures of the dimension with a target in force). "
        "Standards that did not report are left out of the share, never counted as misses.",
    ),
    P_("note_break", "{agency} changed how it measures this in {quarter} (a series break)."),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


# -- the view --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodOption:
    value: str  # the ``period`` parameter; parse_period reads it back to the same period
    label: str  # in the page's language
    granularity: str  # "quarter" | "fiscal_year"


@dataclass(frozen=True)
class DimensionColumn:
    dimension: str
    label: str
    metric_code: str
    metric_name: str
    scale: str
    is_survey: bool


@dataclass(frozen=True)
class DimensionSummary:
    """The enterprise roll-up of one dimension for the chosen period."""

    dimension: str
    label: str
    metric_name: str
    lines: list[str]  # "7 of 11 met, 63.6%", "11 of 12 reported", ...
    met: Ratio
    reported: Ratio
    coverage: Ratio
    not_reported: list[str]  # names of the agencies that did not report


@dataclass(frozen=True)
class ServiceMatch:
    agency_slug: str
    service_slug: str
    name: str
    agency_name: str


def matches_by_agency(matches: list[ServiceMatch]) -> dict[str, list[ServiceMatch]]:
    """The services a search found, by agency slug (in the order found)."""
    found: dict[str, list[ServiceMatch]] = {}
    for match in matches:
        found.setdefault(match.agency_slug, []).append(match)
    return found


@dataclass(frozen=True)
class HomeView:
    language: str
    has_data: bool
    period: str | None  # the chosen period's parameter value (None when nothing is published)
    period_label: str
    period_through: str | None  # label of the last quarter of a fiscal year still running
    period_requested: bool  # the URL named the period (forms then keep it)
    period_options: list[PeriodOption]
    fiscal_year_label: str
    columns: list[DimensionColumn]
    rows: list[AgencyRow]  # after search, filter and sort
    agencies_total: int
    sort: str
    dimension: str | None
    status: str | None
    search: str
    service_matches: list[ServiceMatch]
    summaries: list[DimensionSummary]
    charts: list[ChartSpec]
    small_sample_threshold: int
    small_sample_policy: str
    #: Whose figures each chart shows, by chart id (its CSV's agency and measure columns).
    chart_subjects: dict[str, ChartSubject] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        return bool(self.search or self.status)

    def tidy_csv(self, spec: ChartSpec, as_of: dt.date | None) -> str:
        """The chart's CSV download (``callbacks.router``, and the page's ZIP): a row per
        period, each a roll-up of the whole government (:func:`trend_subject`)."""
        return chart_csv(spec, self.chart_subjects[spec.chart_id], as_of)


# -- building it -----------------------------------------------------------------------------


def period_param(calendar: FiscalCalendar, period: Period) -> str:
    """The ``period`` value for a quarter ("FY2026-Q3") or a fiscal year ("FY2026").

    Written in English without spaces so that it reads well in a URL; ``parse_period`` reads
    every label style back to the same period (a unit test checks each calendar).
    """
    if period.granularity == "quarter":
        fiscal_year, quarter = calendar.quarter_of(period)
        return calendar.quarter_label(fiscal_year, quarter, "en").replace(" ", "-")
    if period.granularity == "fiscal_year":
        return calendar.year_label(calendar.fiscal_year_of(period), "en").replace(" ", "-")
    raise ValueError(f"the overview shows quarters and fiscal years, not {period.granularity}")


def _parse_choice(value: str | None, choices: Iterable[str], error: str, language: str) -> str:
    # A form sends an empty value for "any" ("dim="): that is no choice, not a bad one.
    if not value:
        return ""
    if value not in choices:
        raise NotFound(_t(error, language, value=value))
    return value


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> HomeView:
    calendar = FiscalCalendar.from_settings(settings)
    sort = _parse_choice(query.get("sort"), SORT_KEYS, "bad_sort", language) or "name"
    dimension = _parse_choice(query.get("dim"), SCORECARD_DIMENSIONS, "bad_dim", language)
    status = _parse_choice(query.get("status"), [s.value for s in Status], "bad_status", language)
    search = " ".join((query.get("q") or "").split())[:MAX_SEARCH_LENGTH]

    units = queries.units(database_url)
    agencies = [unit for unit in units if unit["kind"] == "agency"]
    metric_infos = [MetricInfo.from_record(m) for m in queries.metrics(database_url)]
    headline = queries.load_headline_metrics(database_url, metric_infos)
    agency_slugs = {agency["slug"] for agency in agencies}
    services = [unit for unit in units if unit["kind"] == "service"]
    agency_services = [s for s in services if s.get("parent_slug") in agency_slugs]
    by_dimension = dimension_metrics(m for m in metric_infos if m.dimension in headline)
    service_metrics = {m.code: m for ms in by_dimension.values() for m in ms}

    # The periods on offer are read as distinct periods, not from every figure.
    offered = published_offered_periods(
        database_url,
        calendar,
        [
            (agencies, [metric.code for metric in headline.values()]),
            (agency_services, service_metrics),
        ],
    )
    chosen = chosen_period(calendar, offered, query.get("period"), language)
    if chosen is None:
        return _empty_view(settings, language, agencies, headline, sort, search)
    period, start, end, through = chosen
    # What the page shows, not the store: the agencies' own figures up to the period (the
    # trends start at their first one), their services' figures of the period only (the
    # standards trend of a dimension without agency figures reads more, below).
    readings = headline_readings(database_url, agencies, headline, ending_by=end)
    rolled_up = needing_services(agencies, headline, readings, [(start, end)])
    service_readings = headline_readings(
        database_url,
        [s for s in agency_services if s["parent_slug"] in rolled_up],
        service_metrics,
        starting_from=start,
        ending_by=end,
    )
    fiscal_year = calendar.fiscal_year_of(period)
    yearly = period.granularity == "fiscal_year" and not any(
        q[0] == fiscal_year for q in offered.quarters
    )

    # Services' targets only where the page judges services: the agencies rolled up from them,
    # or every service when a dimension has no agency figure at all (its trend is the share
    # of all services' standards met). An enterprise of thousands of services whose agencies
    # publish their own figures reads the agencies' targets alone.
    trend_from_services = any(
        not any(readings.get((agency["slug"], metric.code)) for agency in agencies)
        for metric in headline.values()
    )
    judged_services = (
        agency_services
        if trend_from_services
        else [s for s in agency_services if s["parent_slug"] in rolled_up]
    )
    targets = agency_targets(database_url, agencies + judged_services, language)
    services_by_agency = _services_of(agency_services, language)
    rows = _rows(
        agencies,
        headline,
        readings,
        targets,
        start,
        end,
        period.granularity,
        settings,
        language,
        services=services_by_agency,
        by_dimension=by_dimension,
        service_readings=service_readings,
    )
    measured = queries.measured_dimensions(database_url, *calendar.year_bounds(fiscal_year))
    names = {row.slug: row.name for row in rows}
    summaries = [
        _summary(dim, metric, rows, measured, calendar.year_label(fiscal_year, language), language)
        for dim, metric in headline.items()
    ]
    period_value = period_param(calendar, period)
    government = settings.government_in(language)
    charts = []
    subjects: dict[str, ChartSubject] = {}
    for dim, metric in headline.items():
        measures = [metric]
        chart = _trend_chart(
            calendar,
            dim,
            metric,
            agencies,
            readings,
            end,
            settings,
            language,
            period_value,
            yearly=yearly,
        )
        if chart is None:  # no agency's own figure: the share of its services' standards met
            measures = by_dimension.get(dim, [])
            chart = _standards_trend_chart(
                calendar,
                dim,
                metric,
                services_by_agency,
                measures,
                # Every period up to the chosen one, for this dimension's measures only.
                headline_readings(
                    database_url,
                    agency_services,
                    {measure.code: measure for measure in measures},
                    ending_by=end,
                ),
                targets,
                end,
                settings,
                language,
                period_value,
                yearly=yearly,
            )
        if chart is not None:  # a dimension nobody reported up to the period has no chart
            charts.append(chart)
            subjects[chart.chart_id] = trend_subject(government, measures, language)

    shown, service_matches = _search(search, rows, services, names, language)
    shown = sort_rows(
        filter_rows(shown, dimension or None, Status(status) if status else None), sort
    )
    return HomeView(
        language=language,
        has_data=True,
        period=period_value,
        period_label=calendar.period_label(period, language),
        period_through=through,
        period_requested=bool(query.get("period")),
        period_options=period_options(calendar, offered, language),
        fiscal_year_label=calendar.year_label(fiscal_year, language),
        columns=_columns(headline, language),
        rows=shown,
        agencies_total=len(rows),
        sort=sort,
        dimension=dimension or None,
        status=status or None,
        search=search,
        service_matches=service_matches,
        summaries=summaries,
        charts=charts,
        small_sample_threshold=settings.small_sample_threshold,
        small_sample_policy=settings.small_sample_policy,
        chart_subjects=subjects,
    )


def trend_subject(government: str, measures: Sequence[MetricInfo], language: str) -> ChartSubject:
    """Whose figures a trend chart shows: the whole government (its name from the settings,
    as the site's identity prints it), and the measure behind each point. A standards trend
    counts the service standards of several measures: their codes joined by "|" (names by
    " | "), as docs/chart-csv.md says."""
    return ChartSubject(
        agency=government,
        unit=government,
        unit_type="all",
        measure_code="|".join(measure.code for measure in measures),
        measure=" | ".join(measure.name(language) for measure in measures),
    )


def _empty_view(
    settings: Settings,
    language: str,
    agencies: list[dict[str, Any]],
    headline: Mapping[str, MetricInfo],
    sort: str,
    search: str,
) -> HomeView:
    """Nothing published yet: the page says so (it is still a page, not a 404)."""
    return HomeView(
        language=language,
        has_data=False,
        period=None,
        period_label="",
        period_through=None,
        period_requested=False,
        period_options=[],
        fiscal_year_label="",
        columns=_columns(headline, language),
        rows=[],
        agencies_total=len(agencies),
        sort=sort,
        dimension=None,
        status=None,
        search=search,
        service_matches=[],
        summaries=[],
        charts=[],
        small_sample_threshold=settings.small_sample_threshold,
        small_sample_policy=settings.small_sample_policy,
    )


def chosen_period(
    calendar: FiscalCalendar, offered: OfferedPeriods, value: str | None, language: str
) -> tuple[Period, dt.date, dt.date, str | None] | None:
    """(period, window start, window end, "through" label) of the period the URL asks for.

    A fiscal year still running, without yearly results, ends with its latest offered
    quarter ("to date").
    """
    quarters = offered.quarters
    if not offered:
        if value:
            raise NotFound(_t("bad_period", language, value=value, first="–", last="–"))
        return None

    def refuse() -> NotFound:
        if not quarters:
            years = offered.annual_years
            return NotFound(
                _t(
                    "bad_year",
                    language,
                    value=value,
                    first=calendar.year_label(years[0], language),
                    last=calendar.year_label(years[-1], language),
                )
            )
        return NotFound(
            _t(
                "bad_period",
                language,
                value=value,
                first=calendar.quarter_label(*quarters[0], language=language),
                last=calendar.quarter_label(*quarters[-1], language=language),
            )
        )

    if not value:
        period = default_period(calendar, offered)
        assert period is not None
    else:
        try:
            period = calendar.parse_period(value)
        except ValueError:
            raise refuse() from None
        if period.granularity == "month":
            raise refuse()
    if period.granularity == "quarter":
        if calendar.quarter_of(period) not in quarters:
            raise refuse()
        return period, period.start, period.end, None
    fiscal_year = calendar.fiscal_year_of(period)
    if fiscal_year in offered.annual_years:
        return period, period.start, period.end, None
    inside = [q for q in quarters if q[0] == fiscal_year]
    if not inside:
        raise refuse()
    latest = calendar.quarter_period(*inside[-1])
    if latest.end < period.end:
        return period, period.start, latest.end, calendar.quarter_label(*inside[-1], language)
    return period, period.start, period.end, None


def period_options(
    calendar: FiscalCalendar, offered: OfferedPeriods, language: str
) -> list[PeriodOption]:
    """Quarters (newest first), then fiscal years (newest first)."""
    options = [
        PeriodOption(
            period_param(calendar, calendar.quarter_period(*quarter)),
            calendar.quarter_label(*quarter, language=language),
            "quarter",
        )
        for quarter in reversed(offered.quarters)
    ]
    years = {quarter[0] for quarter in offered.quarters} | set(offered.annual_years)
    for year in sorted(years, reverse=True):
        options.append(
            PeriodOption(
                period_param(calendar, calendar.year(year)),
                calendar.year_label(year, language),
                "fiscal_year",
            )
        )
    return options


def _columns(headline: Mapping[str, MetricInfo], language: str) -> list[DimensionColumn]:
    return [
        DimensionColumn(
            dimension=dim,
            label=dimension_label(dim, language),
            metric_code=metric.code,
            metric_name=metric.name(language),
            scale=metric.scale,
            is_survey=metric.is_survey,
        )
        for dim, metric in headline.items()
    ]


def _name(record: Mapping[str, Any], language: str) -> str:
    return languages.record_text(record, "name", language) or record.get("slug") or ""


def _rows(
    agencies: list[dict[str, Any]],
    headline: Mapping[str, MetricInfo],
    readings: Mapping[tuple[str, str], list[Reading]],
    targets: Mapping[tuple[str, str], list[TargetSpec]],
    start: dt.date,
    end: dt.date,
    granularity: str,
    settings: Settings,
    language: str,
    *,
    services: Mapping[str, list[Service]],
    by_dimension: Mapping[str, list[MetricInfo]],
    service_readings: Mapping[tuple[str, str], list[Reading]],
) -> list[AgencyRow]:
    """Each agency's cells with the roll-up rule applied (:func:`agency_cell`): its own figure
    of the headline measure, else the roll-up of its services' standards."""
    rows = []
    for agency in agencies:
        slug = agency["slug"]
        own_services = services.get(slug, [])
        cells: dict[str, Cell] = {}
        for dim, metric in headline.items():
            own = readings.get((slug, metric.code), [])
            cell = score_cell(
                metric,
                period_result(own, start, end, granularity, metric.scale),
                targets.get((slug, metric.code), []),
                start,
                end,
                small_sample_threshold=settings.small_sample_threshold,
                small_sample_policy=settings.small_sample_policy,
                language=language,
            )
            # The agency's own figure heads the cell: its services' standards are not needed.
            if own_services and not has_own_figure(own, start, end):
                standards = service_standards(
                    own_services,
                    by_dimension.get(dim, []),
                    metric,
                    service_readings,
                    targets,
                    start,
                    end,
                    granularity,
                    small_sample_threshold=settings.small_sample_threshold,
                    small_sample_policy=settings.small_sample_policy,
                    language=language,
                )
                cell = agency_cell(cell, own, metric, standards, start, end)
            cells[dim] = cell
        rows.append(
            AgencyRow(
                slug=slug,
                name=_name(agency, language),
                names=languages.record_texts(agency, "name"),
                cells=cells,
            )
        )
    return sort_rows(rows, "name")


def _services_of(services: list[dict[str, Any]], language: str) -> dict[str, list[Service]]:
    """Each agency's services (in the page's language), by agency slug."""
    grouped: dict[str, list[Service]] = defaultdict(list)
    for service in services:
        grouped[service["parent_slug"]].append(
            Service(service["slug"], _name(service, language), service["parent_slug"])
        )
    return dict(grouped)


def _summary(
    dimension: str,
    metric: MetricInfo,
    rows: Sequence[AgencyRow],
    measured: Mapping[str, set[str]],
    year_label: str,
    language: str,
) -> DimensionSummary:
    units = enterprise_units(row_entries(rows, dimension), language)
    rollup = units_meeting_targets(units.statuses)
    covered = coverage(measured, [row.slug for row in rows], dimension)
    return DimensionSummary(
        dimension=dimension,
        label=dimension_label(dimension, language),
        metric_name=metric.name(language),
        lines=rollup_lines(dimension, rollup, covered, year_label, language),
        met=rollup.met,
        reported=rollup.reported,
        coverage=covered,
        not_reported=units.named_by_agency(rollup.not_reported, language),
    )


def _trend_keys(
    calendar: FiscalCalendar, first_day: dt.date, until: dt.date, *, yearly: bool
) -> list[tuple[int, int]]:
    """The periods of a trend chart from ``first_day``'s to ``until``'s: fiscal quarters, or
    fiscal years keyed (year, 0) so that they sort like quarter keys."""
    if yearly:
        return [
            (year, 0)
            for year in range(calendar.fiscal_year(first_day), calendar.fiscal_year(until) + 1)
        ]
    keys = []
    quarter = (calendar.fiscal_year(first_day), calendar.quarter(first_day))
    last = (calendar.fiscal_year(until), calendar.quarter(until))
    while quarter <= last:
        keys.append(quarter)
        quarter = calendar.next_quarter(*quarter)
    return keys


def _trend_period(calendar: FiscalCalendar, yearly: bool) -> Callable[[tuple[int, int]], Period]:
    return lambda key: calendar.year(key[0]) if yearly else calendar.quarter_period(*key)


def _trend_label(
    calendar: FiscalCalendar, yearly: bool, language: str
) -> Callable[[tuple[int, int]], str]:
    if yearly:
        return lambda key: calendar.year_label(key[0], language)
    return lambda key: calendar.quarter_label(*key, language=language)


def _standards_trend_chart(
    calendar: FiscalCalendar,
    dimension: str,
    metric: MetricInfo,
    services: Mapping[str, list[Service]],
    measures: Sequence[MetricInfo],
    readings: Mapping[tuple[str, str], list[Reading]],
    targets: Mapping[tuple[str, str], list[TargetSpec]],
    until: dt.date,
    settings: Settings,
    language: str,
    period_value: str,
    *,
    yearly: bool = False,
) -> ChartSpec | None:
    """Where no agency publishes a figure of its own in a dimension: the share of all its
    services' standards that met their target, per period (the roll-up rule of
    :mod:`dashboard.domain.service_rollup`, applied to each period up to ``until``)."""
    every_service = [service for group in services.values() for service in group]
    codes = {measure.code for measure in measures}
    starts = [
        reading.period_start
        for service in every_service
        for code in codes
        for reading in readings.get((service.slug, code), [])
        if reading.period_end <= until
    ]
    if not starts:
        return None
    period_of, label_of = _trend_period(calendar, yearly), _trend_label(calendar, yearly, language)
    keys = _trend_keys(calendar, min(starts), until, yearly=yearly)
    periods = [period_of(key) for key in keys]
    held = {
        (service.slug, code): periods_holding(readings.get((service.slug, code), []), periods)
        for service in every_service
        for code in codes
    }
    x, y, hover, share_texts = [], [], [], []
    rows: list[dict[str, Any]] = []
    for index, key in enumerate(keys):
        period = periods[index]
        rollup = roll_up(
            dimension,
            service_standards(
                every_service,
                measures,
                metric,
                {series: inside[index] for series, inside in held.items()},
                targets,
                period.start,
                period.end,
                period.granularity,
                small_sample_threshold=settings.small_sample_threshold,
                small_sample_policy=settings.small_sample_policy,
                language=language,
            ),
        )
        if not rollup.standards:
            continue
        share = None if rollup.met.share is None else round(rollup.met.share * 100.0, 1)
        label = label_of(key)
        end = period.end.isoformat()
        x.append(end)
        y.append(share)
        counts = {
            "met": rollup.met.count,
            "judged": rollup.met.total,
            "reported": rollup.reported.count,
            "total": rollup.reported.total,
        }
        share_texts.append("–" if share is None else rollup.met.percent_text(language=language))
        hover.append(
            _t("standards_trend_hover", language, quarter=label, share=share_texts[-1], **counts)
        )
        rows.append({"quarter": label, "period_end": end, "share": share, **counts})
    if not rows:
        return None
    last = rows[-1]
    summary = _t(
        "standards_trend_summary" if last["judged"] else "standards_trend_summary_none",
        language,
        last=last["quarter"],
        share=share_texts[-1],
        **{name: last[name] for name in ("met", "judged", "reported", "total")},
    )
    label = dimension_label(dimension, language)
    return ChartSpec(
        chart_id=f"trend-{dimension}",
        title=_t(
            "standards_trend_title_year" if yearly else "standards_trend_title",
            language,
            dimension=label,
        ),
        summary=summary,
        y_title=_t("standards_trend_y", language),
        traces=[Trace(_t("standards_trend_line", language), "line", x, y, text=hover)],
        columns=[
            TableColumn("quarter", _t("column_year" if yearly else "column_quarter", language)),
            TableColumn("period_end", _t("column_year_end" if yearly else "column_end", language)),
            TableColumn("share", _t("column_share", language), "number"),
            TableColumn("met", _t("column_met", language), "number"),
            TableColumn("judged", _t("column_judged", language), "number"),
            TableColumn("reported", _t("column_standards_reported", language), "number"),
            TableColumn("total", _t("column_standards", language), "number"),
        ],
        rows=rows,
        file_stem=file_stem("enterprise", dimension, "trend", period_value),
        notes=[_t("note_standards", language)],
        y_range=(0.0, 100.0),
        x_ticks=thin_ticks((row["period_end"], row["quarter"]) for row in rows),
    )


def _trend_chart(
    calendar: FiscalCalendar,
    dimension: str,
    metric: MetricInfo,
    agencies: list[dict[str, Any]],
    readings: Mapping[tuple[str, str], list[Reading]],
    until: dt.date,
    settings: Settings,
    language: str,
    period_value: str,
    *,
    yearly: bool = False,
) -> ChartSpec | None:
    """The enterprise trend of one dimension, one point per fiscal quarter up to ``until``
    (per fiscal year for a yearly scorecard)."""
    own = {a["slug"]: readings.get((a["slug"], metric.code), []) for a in agencies}
    starts = [r.period_start for rs in own.values() for r in rs if r.period_end <= until]
    if not starts:
        return None
    keys = _trend_keys(calendar, min(starts), until, yearly=yearly)
    period_of, label_of = _trend_period(calendar, yearly), _trend_label(calendar, yearly, language)

    scores: list[tuple[str, tuple[int, int], float | None]] = []
    breaks: list[str] = []
    periods = [period_of(key) for key in keys]
    for agency in agencies:
        slug = agency["slug"]
        # Each figure is placed in its period once, not rescanned for every period.
        held = periods_holding(own[slug], periods)
        for key, period, inside in zip(keys, periods, held, strict=True):
            result = period_result(
                inside, period.start, period.end, period.granularity, metric.scale
            )
            value = result.value
            if (
                metric.is_survey
                and settings.small_sample_policy == "suppress"
                and value is not None
                and is_small_sample(result.denominator, settings.small_sample_threshold)
            ):
                value = None  # hidden on the scorecard, so kept out of the average too
            scores.append((slug, key, normalize(value, metric.rule)))
            if result.series_break:
                breaks.append(
                    _t(
                        "note_break",
                        language,
                        agency=_name(agency, language),
                        quarter=label_of(key),
                    )
                )
    points = enterprise_trend(scores)
    labels = {key: label_of(key) for key in keys}
    total = len(agencies)
    x, y, hover = [], [], []
    rows: list[dict[str, Any]] = []
    for point in points:
        shown = None if point.mean is None else round(point.mean, 1)
        end = period_of(point.key).end.isoformat()
        x.append(end)
        y.append(shown)
        hover.append(
            _t(
                "trend_hover",
                language,
                quarter=labels[point.key],
                score="–" if shown is None else format_score(shown, language),
                count=point.units_reported,
                total=total,
            )
        )
        rows.append(
            {
                "quarter": labels[point.key],
                "period_end": end,
                "mean": shown,
                "reported": point.units_reported,
                "agencies": total,
            }
        )
    label = dimension_label(dimension, language)
    return ChartSpec(
        chart_id=f"trend-{dimension}",
        title=_t("trend_title_year" if yearly else "trend_title", language, dimension=label),
        summary=trend_summary(dimension, points, labels, total, language, yearly=yearly),
        y_title=_t("trend_y", language),
        traces=[Trace(_t("trend_line", language), "line", x, y, text=hover)],
        columns=[
            TableColumn("quarter", _t("column_year" if yearly else "column_quarter", language)),
            TableColumn("period_end", _t("column_year_end" if yearly else "column_end", language)),
            TableColumn("mean", _t("column_mean", language), "number"),
            TableColumn("reported", _t("column_reported", language), "number"),
            TableColumn("agencies", _t("column_agencies", language), "number"),
        ],
        rows=rows,
        file_stem=file_stem("enterprise", dimension, "trend", period_value),
        notes=[
            _t(
                "note_metric",
                language,
                metric=metric.name(language),
                rule=describe_rule(metric.rule, language),
            ),
            _t("note_mean", language),
            *breaks,
        ],
        y_range=(0.0, 100.0),
        x_ticks=thin_ticks((row["period_end"], row["quarter"]) for row in rows),
    )


def _search(
    search: str,
    rows: list[AgencyRow],
    services: list[dict[str, Any]],
    names: Mapping[str, str],
    language: str,
) -> tuple[list[AgencyRow], list[ServiceMatch]]:
    """Agencies whose name, or one of whose services' names, matches (either language)."""
    if not search:
        return rows, []
    found = [
        ServiceMatch(
            agency_slug=service["parent_slug"],
            service_slug=service["slug"],
            name=_name(service, language),
            agency_name=names[service["parent_slug"]],
        )
        for service in services
        if service.get("parent_slug") in names
        and matches(search, languages.record_texts(service, "name"))
    ]
    with_services = {match.agency_slug for match in found}
    shown = [row for row in rows if row.slug in with_services or matches(search, row.names)]
    found.sort(key=lambda match: (match.agency_name, match.name))
    return shown, found
