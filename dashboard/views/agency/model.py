"""What the agency page shows, as plain dataclasses the layout renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dashboard.domain.charts import ChartSpec
from dashboard.domain.targets import (
    Status,
)
from dashboard.domain.tidy_csv import ChartSubject, chart_csv
from dashboard.views import Option as Option  # the agency package's forms name it from here

# -- the view ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionItem:
    title: str
    description: str | None
    status: str  # planned | in_progress | completed
    status_text: str
    started_on: dt.date
    completed_on: dt.date | None
    link: str | None
    on_chart: bool


@dataclass(frozen=True)
class MetricPanel:
    code: str
    name: str
    definition: str | None
    granularity: str
    chart: ChartSpec
    actions: list[ActionItem]


@dataclass(frozen=True)
class PromiseItem:
    metric_code: str
    metric_name: str
    promise: str  # the posted promise, or "<metric>: <target>" when none was written
    target_text: str
    target_kind: str  # "numeric", "baseline" ("Establish baseline") or "text"
    granularity: str
    period_label: str | None
    value_text: str  # "94%", or "Not reported"; never zero for a missing value
    status: Status | None
    responses_text: str | None
    small_sample: bool
    suppressed: bool
    revised_text: str | None
    #: Why the latest result was revised, as its agency stated it (None: no reason given).
    revision_reason: str | None = None
    #: The target's history in words: corrections ("Target changed on ..., from ... to ...")
    #: and changes after the latest result ("From ...: ≥ 85% (was ≥ 80%)"), oldest first.
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceItem:
    slug: str
    name: str
    path: str
    latest_text: str
    status: Status | None
    sparkline: ChartSpec | None
    #: The metric its small chart shows (the CSV's measure code), None without a chart.
    sparkline_metric: str | None = None


@dataclass(frozen=True)
class ContactItem:
    channel: str
    channel_name: str
    label: str
    value: str | None
    href: str | None
    address: str | None
    hours: str | None
    appointment: str | None
    languages: list[str]
    #: Closed today: the last day of the closure in progress (it reopens the day after), and
    #: why. Shown where its hours are, so that nobody reads the hours of a closed office.
    closed_through: dt.date | None = None
    closed_reason: str | None = None
    #: Its next closure that has not started yet (first and last day), if one is posted.
    next_closure: tuple[dt.date, dt.date] | None = None


@dataclass(frozen=True)
class ContactGroup:
    unit_name: str
    is_this_unit: bool
    items: list[ContactItem]


@dataclass(frozen=True)
class ClosureItem:
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    place: str | None


@dataclass(frozen=True)
class FeedbackExcerpt:
    """A moderated excerpt of what a visitor told us, published by staff (issue 14)."""

    text: str
    received_on: dt.date
    helpful: bool


@dataclass(frozen=True)
class AgencyView:
    page: str  # "agency" or "service"
    language: str
    slug: str
    name: str
    description: str | None
    website: str | None
    path: str
    agency_slug: str
    agency_name: str
    agency_path: str
    metric: str | None
    period: str | None  # canonical value, e.g. "FY2025"
    period_label: str | None  # in the page language, e.g. "AF2025"
    segment: str | None
    metric_options: list[Option]
    period_options: list[Option]
    segment_options: list[Option]
    promises: list[PromiseItem]
    panels: list[MetricPanel]
    breakdowns: list[ChartSpec]
    segment_note: str | None
    services: list[ServiceItem]
    other_actions: list[ActionItem]
    contacts: list[ContactGroup]
    closures: list[ClosureItem]
    today: dt.date
    small_sample_threshold: int
    # Its services' standards (issue 8): per dimension "5 of 7 service standards met in
    # FY2025 Q3", and each service's posted service levels with the latest result.
    service_summaries: list[ServiceSummary] = field(default_factory=list)
    service_levels: list[ServiceLevelItem] = field(default_factory=list)
    #: False on a big agency (more than SERVICE_CHARTS_MAX services): ``service_levels`` then
    #: holds only the exceptions (standards that were not met or did not report); every
    #: service's full service levels are on its own page.
    service_levels_all: bool = True
    #: When the agency last published (its latest publication; issue 10), None if never.
    last_updated: dt.datetime | None = None
    #: The "What changed" page (``/changes``; the layout adds ``?agency=<agency_slug>``).
    changes_path: str | None = None
    #: Whether each service's line has its small chart (False past
    #: :data:`~dashboard.views.agency.sections.SERVICE_CHARTS_MAX` services: listed only).
    service_charts: bool = True
    #: "What people told us": the excerpts staff published, the latest first (issue 14).
    told_us: list[FeedbackExcerpt] = field(default_factory=list)

    def tidy_csv(self, spec: ChartSpec, as_of: dt.date | None) -> str:
        """The chart's CSV download and its copy in the page's ZIP: a row per point, each
        naming the agency, the unit and the measure (:func:`chart_subject`)."""
        return chart_csv(spec, chart_subject(self, spec), as_of)


def chart_subject(view: AgencyView, spec: ChartSpec) -> ChartSubject:
    """Whose figures ``spec`` shows, for its tidy CSV: the agency, the unit (the agency or one
    of its services), the measure and the breakdown."""
    unit_type = "service" if view.page == "service" else "agency"
    names = {panel.code: panel.name for panel in view.panels}
    chart_id = spec.chart_id
    line = next((trace.name for trace in spec.traces if trace.kind == "line"), spec.title)
    if chart_id in names:
        return ChartSubject(view.agency_name, view.name, unit_type, chart_id, names[chart_id])
    code, by, segment = chart_id.partition("-by-")
    if by:
        measure = names.get(code) or spec.title
        return ChartSubject(view.agency_name, view.name, unit_type, code, measure, segment)
    service = next(
        (item for item in view.services if item.sparkline and item.sparkline.chart_id == chart_id),
        None,
    )
    if service is not None:
        code = service.sparkline_metric or chart_id
        return ChartSubject(view.agency_name, service.name, "service", code, line)
    return ChartSubject(view.agency_name, view.name, unit_type, chart_id, line)


def charts(view: AgencyView) -> list[ChartSpec]:
    """Every chart the page shows (trends, breakdowns and service sparklines), for the CSVs."""
    found = [panel.chart for panel in view.panels] + list(view.breakdowns)
    found += [item.sparkline for item in view.services if item.sparkline is not None]
    return found


# -- its services' standards -------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSummary:
    """One dimension of the agency's services' standards in their latest period."""

    dimension: str
    label: str
    text: str  # "5 of 7 service standards met in FY2025 Q3"
    reported_text: str  # "7 of 8 service standards reported"
    not_reported: list[str]  # "Passports (Processing time)"
    not_met_count: int = 0
    not_reported_count: int = 0
    judged_count: int = 0  # standards that reported against a numeric target


@dataclass(frozen=True)
class ServiceLevelItem:
    """A service's posted service level: promise, target in force, latest result, status."""

    service_slug: str
    service_name: str
    service_path: str
    metric_code: str
    metric_name: str
    promise: str
    target_text: str
    value_text: str  # never zero for a missing value: "Not reported"
    period_label: str
    status: Status
    dimension: str = ""
