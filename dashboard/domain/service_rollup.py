"""Roll-ups from services: an agency's result when it publishes none of its own.

The documented rule (the methodology page states it, :data:`TEXT` ``rule_*``):

- A **service standard** is a (service, measure) pair in a dimension with a target in force
  in the period (on its last day), or the dimension's headline measure with a result but no
  target at all. Its result for the period is :func:`dashboard.domain.scorecard.period_result`
  (a figure published for the period as is; finer periods pooled by volume: sum met over
  sum received), judged like any scorecard cell.
- **Which figure heads an agency's cell** (:func:`agency_cell`): the agency's OWN published
  figure of the dimension's headline measure when it published one for the period (a
  published "no data" counts: the agency said it did not report). Otherwise, when its
  services have standards in the dimension, the roll-up of those standards: "n of m service
  standards met (x%)" over the standards that reported against a numeric target, with the
  standards that did not report listed, never counted as misses.
- **Status of a roll-up** (:func:`rollup_status`): met when every standard judged against a
  numeric target met it, not met when any missed, not reported when none reported, no
  target when standards reported but none against a numeric target.
- **Enterprise counts** (:func:`enterprise_units`): an agency with its own figure counts once;
  otherwise each of its service standards counts once ("7 of 16 met, 43.8%"); an agency
  with neither counts once, as not reported.

Plain functions, no I/O: the views load readings and targets and call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dashboard.core.i18n import NP_, P_, Messages, messages, translate
from dashboard.domain.formatting import format_number
from dashboard.domain.rollups import Ratio
from dashboard.domain.scorecard import (
    AgencyRow,
    Cell,
    MetricInfo,
    Reading,
    period_result,
    score_cell,
)
from dashboard.domain.targets import Status, TargetSpec, targets_in_force

TEXT: Messages = messages(
    P_("met", "{met} of {total} service standards met ({percent})"),
    P_("met_in", "{met} of {total} service standards met in {period}"),
    P_("none_judged", "No service standard reported against a numeric target"),
    P_("reported", "{count} of {total} service standards reported"),
    P_("not_reported", "Not reported: {names}"),
    P_("standard", "{service} ({metric})"),
    P_("standard_of", "{agency}: {standard}"),
    NP_(
        "standards_of",
        "{agency} ({count} service standard)",
        "{agency} ({count} service standards)",
    ),
    P_("from_services", "Rolled up from its services' standards"),
)


def text(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


@dataclass(frozen=True)
class Service:
    """A service as the roll-up needs it."""

    slug: str
    name: str  # in the page's language
    agency_slug: str


@dataclass(frozen=True)
class StandardResult:
    """One service standard's result in the period, judged as a scorecard cell."""

    service_slug: str
    service_name: str
    agency_slug: str
    metric: MetricInfo
    cell: Cell

    @property
    def status(self) -> Status:
        return self.cell.status

    @property
    def key(self) -> str:
        return f"{self.service_slug}/{self.metric.code}"

    def label(self, language: str) -> str:
        return text(
            "standard", language, service=self.service_name, metric=self.metric.name(language)
        )


@dataclass(frozen=True)
class StandardsRollup:
    """The standards of one agency's services in one dimension, counted."""

    dimension: str
    standards: tuple[StandardResult, ...]
    status: Status
    met: Ratio  # met / (met + not met): standards judged against a numeric target
    reported: Ratio  # standards with a result / all standards

    @property
    def not_reported(self) -> tuple[StandardResult, ...]:
        return tuple(s for s in self.standards if s.status == Status.NOT_REPORTED)

    @property
    def not_met(self) -> tuple[StandardResult, ...]:
        return tuple(s for s in self.standards if s.status == Status.NOT_MET)

    def lines(self, language: str) -> list[str]:
        """ "5 of 7 service standards met (71.4%)", "7 of 8 service standards reported"."""
        first = (
            text(
                "met",
                language,
                met=format_number(self.met.count, language),
                total=format_number(self.met.total, language),
                percent=self.met.percent_text(language=language),
            )
            if self.met.total
            else text("none_judged", language)
        )
        return [
            first,
            text(
                "reported",
                language,
                count=format_number(self.reported.count, language),
                total=format_number(self.reported.total, language),
            ),
        ]


def rollup_status(statuses: Iterable[Status]) -> Status:
    """Met when every judged standard met; not met when any missed; not reported when none
    reported; no target when results came only without a numeric target."""
    statuses = list(statuses)
    if Status.NOT_MET in statuses:
        return Status.NOT_MET
    if Status.MET in statuses:
        return Status.MET
    if Status.NO_TARGET in statuses:
        return Status.NO_TARGET
    return Status.NOT_REPORTED


def roll_up(dimension: str, standards: Sequence[StandardResult]) -> StandardsRollup:
    statuses = [s.status for s in standards]
    met = statuses.count(Status.MET)
    judged = met + statuses.count(Status.NOT_MET)
    reported = len(statuses) - statuses.count(Status.NOT_REPORTED)
    return StandardsRollup(
        dimension=dimension,
        standards=tuple(standards),
        status=rollup_status(statuses),
        met=Ratio(met, judged),
        reported=Ratio(reported, len(statuses)),
    )


def has_own_figure(readings: Iterable[Reading], start: date, end: date) -> bool:
    """True when the unit published anything (a figure or "no data") for the period's parts."""
    return any(start <= r.period_start and r.period_end <= end for r in readings)


def service_standards(
    services: Sequence[Service],
    metrics: Sequence[MetricInfo],
    headline: MetricInfo,
    readings: Mapping[tuple[str, str], Sequence[Reading]],
    targets: Mapping[tuple[str, str], Sequence[TargetSpec]],
    start: date,
    end: date,
    granularity: str,
    *,
    small_sample_threshold: int,
    small_sample_policy: str,
    language: str,
) -> list[StandardResult]:
    """The standards of ``services`` in one dimension (``metrics``: the dimension's measures).

    Readings and targets are keyed by (service slug, metric code).
    """
    found = []
    for service in services:
        for metric in metrics:
            own = readings.get((service.slug, metric.code), ())
            goals = targets.get((service.slug, metric.code), ())
            target = targets_in_force(goals, start, end)
            result = period_result(own, start, end, granularity, metric.scale)
            if target is None and not (metric.code == headline.code and result.value is not None):
                continue
            cell = score_cell(
                metric,
                result,
                goals,
                start,
                end,
                small_sample_threshold=small_sample_threshold,
                small_sample_policy=small_sample_policy,
                language=language,
            )
            found.append(
                StandardResult(service.slug, service.name, service.agency_slug, metric, cell)
            )
    return found


def rollup_cell(headline: MetricInfo, rollup: StandardsRollup) -> Cell:
    """A scorecard cell that carries a roll-up: its value and score are the share of judged
    standards that met (in percent), so that sorting by score ranks it; never a zero when
    nothing was judged."""
    share = rollup.met.share
    value = None if share is None else share * 100.0
    return Cell(
        dimension=rollup.dimension,
        metric_code=headline.code,
        scale="percent",
        value=value,
        score=value,
        status=rollup.status,
        target_text="",
        rollup=rollup,
    )


def agency_cell(
    own_cell: Cell,
    own_readings: Iterable[Reading],
    headline: MetricInfo,
    standards: Sequence[StandardResult],
    start: date,
    end: date,
) -> Cell:
    """The agency's cell in one dimension (the module docstring's rule): its own figure when
    it published one for the period, else the roll-up of its services' standards."""
    if has_own_figure(own_readings, start, end) or not standards:
        return own_cell
    return rollup_cell(headline, roll_up(own_cell.dimension, standards))


@dataclass(frozen=True)
class EnterpriseUnits:
    """The units an enterprise roll-up counts, with their names (page language)."""

    statuses: dict[str, Status]
    names: dict[str, str]
    #: The agency (name) of each service standard counted, by the standard's key.
    agencies: dict[str, str]

    def named_by_agency(self, keys: Iterable[str], language: str) -> list[str]:
        """``keys`` named compactly, in order: an agency counted itself by its name, the
        service standards of one agency as "Agency (3 service standards)". The full names
        are on each agency's page; a list of long promise texts would drown a summary."""
        standards: dict[str, int] = {}
        named: list[str] = []
        for key in keys:
            if key in self.agencies:
                agency = self.agencies[key]
                if agency not in standards:
                    named.append(agency)
                standards[agency] = standards.get(agency, 0) + 1
            else:
                named.append(self.names[key])
        return [
            text(
                "standards_of",
                language,
                agency=name,
                count=standards[name],
            )
            if name in standards
            else name
            for name in named
        ]


def enterprise_units(
    entries: Iterable[tuple[str, str, Cell | None]], language: str
) -> EnterpriseUnits:
    """The units one dimension's enterprise roll-up counts, from (agency slug, agency name,
    its cell in the dimension): an agency with its own figure counts once; an agency rolled
    up from its services counts each standard once; an agency with neither counts once, as
    not reported (a missing cell is not reported)."""
    statuses: dict[str, Status] = {}
    names: dict[str, str] = {}
    agencies: dict[str, str] = {}
    for slug, name, cell in entries:
        if cell is None or cell.rollup is None:
            statuses[slug] = cell.status if cell is not None else Status.NOT_REPORTED
            names[slug] = name
            continue
        for standard in cell.rollup.standards:
            statuses[standard.key] = standard.status
            names[standard.key] = text(
                "standard_of", language, agency=name, standard=standard.label(language)
            )
            agencies[standard.key] = name
    return EnterpriseUnits(statuses, names, agencies)


def row_entries(rows: Iterable[AgencyRow], dimension: str) -> list[tuple[str, str, Cell | None]]:
    """Scorecard rows as :func:`enterprise_units` entries."""
    return [(row.slug, row.name, row.cells.get(dimension)) for row in rows]


def dimension_metrics(metrics: Iterable[MetricInfo]) -> dict[str, list[MetricInfo]]:
    """Every metric by dimension, by code (the measures a service standard can be about)."""
    grouped: dict[str, list[MetricInfo]] = {}
    for metric in sorted(metrics, key=lambda m: m.code):
        grouped.setdefault(metric.dimension, []).append(metric)
    return grouped
