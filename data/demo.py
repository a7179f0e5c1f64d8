"""``cxdash demo``: fill an empty store with a realistic, deterministic government.

The demo government (``data.demo_content``) has an enterprise, 12 agencies and 42 services.
Five fiscal years of results come out of a small simulation rather than a table of figures:
each agency's phone demand follows its season (tax season, winter claims, summer licensing),
its agent capacity sets the service level, waits and abandonment, busy quarters lower
satisfaction and timeliness, and the improvement actions it publishes raise capacity or
shift work to self-service from the month they start. Survey results are drawn from the
number of responses, so small offices get small, noisy samples.

It also plants what an honest dashboard must handle: "not reported" values (NULL, never
zero) and periods with no row at all, an agency whose latest quarter is not reported, small
samples, targets that change over time or are not numbers ("Establish baseline", "≥10%
improvement"), one series break, one revised figure with its earlier value, and drafts
(observations and actions) whose internal notes carry :data:`DRAFT_MARKER`.

Everything derives from ``settings.demo_seed`` and a fixed "today" (never the wall clock),
so the same seed always writes the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import holidays
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from dashboard.db import session_scope
from dashboard.fiscal import FiscalCalendar, Period
from dashboard.models import (
    DRAFT,
    PUBLISHED,
    Action,
    Closure,
    ContactPoint,
    ImportRun,
    Metric,
    Observation,
    ObservationRevision,
    Target,
    Unit,
    action_metrics,
)
from dashboard.normalize import NormalizationRule, normalize
from dashboard.settings import Settings
from data import demo_content as content
from data.demo_content import ActionSpec, AgencySpec, ServiceSpec

#: Every internal note on a draft row contains this, so tests can prove drafts never leak.
DRAFT_MARKER = "DRAFT-ONLY"

#: The demo's "today" is the end of the latest complete fiscal quarter before this date.
DEMO_ANCHOR = dt.date(2026, 10, 1)

#: Demo years: the fiscal year of "today" and the four before it.
FISCAL_YEARS = 5

DRAFT_MONTH_NOTE = (
    f"{DRAFT_MARKER}: preliminary figures from the phone system, awaiting review by the data "
    "steward."
)

#: Days after a period ends until its figures are published.
PUBLICATION_LAG_DAYS = {"month": 12, "quarter": 30, "fiscal_year": 45}

#: Share of service results that a program office fails to report in a given quarter.
NOT_REPORTED_SHARE = 0.015

#: Acknowledgement within a business day is easier for some channels than others.
CHANNEL_ACK_ADJUSTMENT = {"email": 0.0, "web_form": 0.01, "voicemail": -0.05, "text": 0.02}

SURVEY_METRICS = ("csat_overall", "ease", "trust")

BASELINE_TEXT = ("Establish baseline", "Establecer línea de base")
IMPROVEMENT_TEXT = (
    "≥10% improvement over the baseline year",
    "Mejora de ≥10 % respecto al año de línea de base",
)

Progress = Callable[[int, int], None]


class DemoError(RuntimeError):
    """The demo cannot be written (the store is not empty and replace was not asked for)."""


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` wrote. ``actions`` counts published actions only."""

    today: dt.date
    first_fiscal_year: int
    last_fiscal_year: int
    units: int
    agencies: int
    services: int
    metrics: int
    observations: int
    draft_observations: int
    not_reported: int
    small_samples: int
    targets: int
    actions: int
    draft_actions: int
    contact_points: int
    closures: int
    revisions: int
    seconds: float

    def text(self) -> str:
        return (
            f"Demo data for FY{self.first_fiscal_year}-FY{self.last_fiscal_year} "
            f"(data as of {self.today}) written in {self.seconds:.1f} s:\n"
            f"  {self.agencies} agencies, {self.services} services, {self.metrics} metrics\n"
            f"  {self.observations} observations ({self.draft_observations} drafts, "
            f"{self.not_reported} not reported, {self.small_samples} small samples, "
            f"{self.revisions} revised)\n"
            f"  {self.targets} targets, {self.actions} published actions "
            f"(+{self.draft_actions} drafts), {self.contact_points} contact points, "
            f"{self.closures} closures"
        )


def store_is_empty(database_url: str) -> bool:
    """True when the store holds no units, metrics or observations."""
    with session_scope(database_url) as session:
        return not any(_held(session).values())


def default_today(fiscal: FiscalCalendar) -> dt.date:
    """The end of the latest fiscal quarter that is complete before :data:`DEMO_ANCHOR`."""
    day = DEMO_ANCHOR - dt.timedelta(days=1)
    year, quarter = fiscal.fiscal_year(day), fiscal.quarter(day)
    end = fiscal.quarter_bounds(year, quarter)[1]
    if end > day:
        year, quarter = fiscal.previous_quarter(year, quarter)
        end = fiscal.quarter_bounds(year, quarter)[1]
    return end


def generate_demo(
    database_url: str,
    settings: Settings,
    *,
    progress: Progress | None = None,
    today: dt.date | None = None,
    replace: bool = False,
) -> DemoSummary:
    """Write the demo government into the store at ``database_url``.

    Refuses (:class:`DemoError`) when the store already holds data, unless ``replace`` is
    true, in which case EVERYTHING in the store is deleted first. All of it happens in one
    transaction: on any error the store is left as it was. ``progress(done, total)`` is
    called as the work advances (once per agency, plus setup and finishing steps).
    """
    started = time.perf_counter()
    fiscal = FiscalCalendar.from_settings(settings)
    timeline = _Timeline.build(fiscal, today or default_today(fiscal))
    rng = random.Random(settings.demo_seed)
    total_steps = len(content.AGENCIES) + 3
    report: Progress = progress or (lambda _done, _total: None)

    with session_scope(database_url) as session:
        _make_room(session, replace)
        report(0, total_steps)
        units = _insert_units(session, timeline)
        metrics = _insert_metrics(session)
        report(1, total_steps)

        timings = _action_timings(rng, timeline)
        effects = _Effects(timings)
        writer = _ObservationWriter(timeline, units, metrics, settings.small_sample_threshold)
        for step, agency in enumerate(content.AGENCIES, start=2):
            _simulate_agency(agency, timeline, rng, effects, writer, settings)
            writer.flush(session)
            report(step, total_steps)
        _simulate_enterprise(timeline, rng, writer)
        writer.flush(session)
        revisions = _insert_revision(session, writer, units, metrics)
        report(total_steps - 1, total_steps)

        target_rows = _targets(timeline, writer, units, metrics)
        session.execute(insert(Target).execution_options(render_nulls=True), target_rows)
        actions = _insert_actions(session, timings, units, metrics, timeline)
        contact_points, closures = _insert_contacts(session, units, timeline, settings)
        report(total_steps, total_steps)

    agencies = len(content.AGENCIES)
    services = sum(len(agency.services) for agency in content.AGENCIES)
    return DemoSummary(
        today=timeline.today,
        first_fiscal_year=timeline.first_year,
        last_fiscal_year=timeline.last_year,
        units=len(units),
        agencies=agencies,
        services=services,
        metrics=len(metrics),
        observations=writer.written,
        draft_observations=writer.drafts,
        not_reported=writer.not_reported,
        small_samples=writer.small_samples,
        targets=len(target_rows),
        actions=sum(1 for action in actions if action.visibility == PUBLISHED),
        draft_actions=sum(1 for action in actions if action.visibility == DRAFT),
        contact_points=contact_points,
        closures=closures,
        revisions=revisions,
        seconds=round(time.perf_counter() - started, 2),
    )


# -- time ------------------------------------------------------------------------------------


def _month_number(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _first_of_month(number: int, day: int = 1) -> dt.date:
    return dt.date(number // 12, number % 12 + 1, day)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


@dataclass(frozen=True)
class _Timeline:
    """The demo's calendar: which periods exist and which are published."""

    fiscal: FiscalCalendar
    today: dt.date
    first_year: int
    last_year: int
    #: Every simulated month, the draft month (the latest complete one) last.
    months: tuple[Period, ...]
    #: Published quarters and complete fiscal years.
    quarters: tuple[Period, ...]
    years: tuple[Period, ...]

    @classmethod
    def build(cls, fiscal: FiscalCalendar, today: dt.date) -> _Timeline:
        last_year = fiscal.fiscal_year(today)
        first_year = last_year - (FISCAL_YEARS - 1)
        draft_month = fiscal.period_containing(today, "month")
        if draft_month.end > today:
            draft_month = fiscal.period_containing(
                draft_month.start - dt.timedelta(days=1), "month"
            )
        years = range(first_year, last_year + 1)
        months = [m for y in years for m in fiscal.months(y) if m.start <= draft_month.start]
        quarters = [q for y in years for q in fiscal.quarters(y) if q.end < draft_month.start]
        complete = [fiscal.year(y) for y in years if fiscal.year(y).end < draft_month.start]
        if len(quarters) < 4 * (FISCAL_YEARS - 2):
            raise DemoError(f"today={today} leaves too few complete quarters for the demo")
        return cls(
            fiscal, today, first_year, last_year, tuple(months), tuple(quarters), tuple(complete)
        )

    @property
    def start(self) -> dt.date:
        return self.fiscal.year_bounds(self.first_year)[0]

    @property
    def draft_month(self) -> Period:
        return self.months[-1]

    @property
    def today_number(self) -> int:
        return _month_number(self.today)

    def year_start(self, year_offset: int) -> dt.date:
        return self.fiscal.year_bounds(self.first_year + year_offset)[0]

    def year_offset(self, period: Period) -> int:
        return self.fiscal.fiscal_year(period.end) - self.first_year

    def published_at(self, period: Period) -> dt.datetime:
        lag = dt.timedelta(days=PUBLICATION_LAG_DAYS[period.granularity])
        return _at(min(period.end + lag, self.today), 15)


# -- actions and their effects ---------------------------------------------------------------


@dataclass(frozen=True)
class _Timing:
    """When an action happens relative to "today", and so its status."""

    spec: ActionSpec
    agency: str
    started_on: dt.date
    completed_on: dt.date | None
    status: str
    start_number: int
    ramp_months: int

    def weight(self, month_number: int) -> float:
        """How much of the action's effect is felt in a month (0 to 1)."""
        if self.status == "planned" or month_number < self.start_number:
            return 0.0
        return min(1.0, (month_number - self.start_number + 1) / self.ramp_months)


_AGENCY_OF = {
    **{agency.slug: agency.slug for agency in content.AGENCIES},
    **{service.slug: agency.slug for agency in content.AGENCIES for service in agency.services},
}


def _action_timings(rng: random.Random, timeline: _Timeline) -> list[_Timing]:
    timings = []
    for spec in (*content.ACTIONS, *content.DRAFT_ACTIONS):
        start_number = timeline.today_number + spec.start
        started_on = _first_of_month(start_number, rng.randint(1, 28))
        completed_on = None
        if spec.months is not None:
            completed_on = _first_of_month(start_number + spec.months, rng.randint(1, 28))
        if started_on > timeline.today:
            status, completed_on = "planned", None
        elif completed_on is not None and completed_on <= timeline.today:
            status = "completed"
        else:
            status, completed_on = "in_progress", None
        timings.append(
            _Timing(
                spec=spec,
                agency=_AGENCY_OF[spec.unit],
                started_on=started_on,
                completed_on=completed_on,
                status=status,
                start_number=start_number,
                ramp_months=max(spec.months or 4, 1),
            )
        )
    return timings


class _Effects:
    """The summed effect of the actions started so far, by kind."""

    def __init__(self, timings: Iterable[_Timing]) -> None:
        self._timings = [t for t in timings if t.spec.effects]

    def _sum(self, kind: str, month_number: int, applies: Callable[[_Timing], bool]) -> float:
        total = 0.0
        for timing in self._timings:
            if not applies(timing):
                continue
            for effect_kind, amount in timing.spec.effects:
                if effect_kind == kind:
                    total += amount * timing.weight(month_number)
        return total

    def agency(self, kind: str, agency: str, month_number: int) -> float:
        """Effects on an agency's contact centre: its own actions and its services'."""
        return self._sum(kind, month_number, lambda t: t.agency == agency)

    def service(self, kind: str, service: str, agency: str, month_number: int) -> float:
        """Effects on one service's results: its own actions and agency-wide ones."""
        return self._sum(kind, month_number, lambda t: t.spec.unit in (service, agency))


# -- reference rows --------------------------------------------------------------------------


def _held(session: Session) -> dict[str, int]:
    return {
        "units": session.scalar(select(func.count(Unit.id))) or 0,
        "metrics": session.scalar(select(func.count(Metric.id))) or 0,
        "observations": session.scalar(select(func.count(Observation.id))) or 0,
    }


def _make_room(session: Session, replace: bool) -> None:
    counts = _held(session)
    if not any(counts.values()):
        return
    if not replace:
        held = ", ".join(f"{count} {name}" for name, count in counts.items() if count)
        raise DemoError(
            f"The store already holds data ({held}). The demo only fills an empty store; "
            "replace it (cxdash demo --replace) to DELETE ALL DATA and write the demo instead."
        )
    session.execute(delete(action_metrics))
    for model in (Action, Closure, ContactPoint, ObservationRevision, Observation, Target):
        session.execute(delete(model))
    session.execute(delete(ImportRun))
    session.execute(delete(Metric))
    # Units refer to their parents: detach them all, then delete in one go.
    session.execute(update(Unit).values(parent_id=None))
    session.execute(delete(Unit))


def _insert_units(session: Session, timeline: _Timeline) -> dict[str, Unit]:
    created = _at(timeline.start, 9)
    enterprise = Unit(
        slug=content.ENTERPRISE_SLUG,
        kind="enterprise",
        code="EX",
        name_en=content.GOVERNMENT_NAME_EN,
        name_es=content.GOVERNMENT_NAME_ES,
        description_en="Customer service results of every state agency.",
        description_es="Resultados del servicio al público de todas las agencias estatales.",
        website=content.WEBSITE,
        created_at=created,
    )
    units = {enterprise.slug: enterprise}
    for agency in content.AGENCIES:
        agency_unit = Unit(
            slug=agency.slug,
            kind="agency",
            parent=enterprise,
            code=agency.code,
            name_en=agency.name_en,
            name_es=agency.name_es,
            description_en=agency.description_en,
            description_es=agency.description_es,
            website=f"{content.WEBSITE}/{agency.slug}",
            created_at=created,
        )
        units[agency.slug] = agency_unit
        for service in agency.services:
            units[service.slug] = Unit(
                slug=service.slug,
                kind="service",
                parent=agency_unit,
                code=service.code,
                name_en=service.name_en,
                name_es=service.name_es,
                description_en=service.description_en,
                description_es=service.description_es,
                website=f"{content.WEBSITE}/{agency.slug}/{service.slug}",
                created_at=created,
            )
    session.add_all(units.values())
    session.flush()
    return units


def _insert_metrics(session: Session) -> dict[str, Metric]:
    metrics = {
        spec.code: Metric(
            code=spec.code,
            name_en=spec.name_en,
            name_es=spec.name_es,
            dimension=spec.dimension,
            scale=spec.scale,
            direction=spec.direction,
            norm_best=spec.norm_best,
            norm_worst=spec.norm_worst,
            definition_en=spec.definition_en,
            definition_es=spec.definition_es,
            method_en=spec.method_en,
            method_es=spec.method_es,
            data_source_en=spec.data_source_en,
            data_source_es=spec.data_source_es,
            target_setting_en=spec.target_setting_en,
            target_setting_es=spec.target_setting_es,
            is_survey=spec.is_survey,
            headline=spec.headline,
        )
        for spec in content.METRICS
    }
    session.add_all(metrics.values())
    session.flush()
    return metrics


# -- observations ----------------------------------------------------------------------------


@dataclass
class _PendingRevision:
    unit: str
    metric: str
    period: Period
    earlier: dict[str, float | None]
    revised_at: dt.datetime


@dataclass
class _ObservationWriter:
    """Collects observation rows (scored, stamped) and writes them in bulk."""

    timeline: _Timeline
    units: dict[str, Unit]
    metrics: dict[str, Metric]
    small_sample_threshold: int
    pending: list[dict[str, object]] = field(default_factory=list)
    #: Published headline values (no segment) by (unit, metric), for data-derived targets.
    values: dict[tuple[str, str], list[tuple[Period, float | None]]] = field(default_factory=dict)
    revision: _PendingRevision | None = None
    written: int = 0
    drafts: int = 0
    not_reported: int = 0
    small_samples: int = 0

    def __post_init__(self) -> None:
        self.rules = {
            code: NormalizationRule(m.scale, m.direction, m.norm_best, m.norm_worst)
            for code, m in self.metrics.items()
        }

    def add(
        self,
        unit: str,
        code: str,
        period: Period,
        raw: float | None,
        *,
        numerator: float | None = None,
        denominator: float | None = None,
        response_rate: float | None = None,
        segment: tuple[str, str] = ("", ""),
        draft: bool = False,
        note: str | None = None,
        series_break: bool = False,
    ) -> dict[str, object]:
        if raw is None:
            numerator = denominator = response_rate = None
            self.not_reported += 1
        stamp = _at(self.timeline.today, 9) if draft else self.timeline.published_at(period)
        row: dict[str, object] = {
            "unit_id": self.units[unit].id,
            "metric_id": self.metrics[code].id,
            "period_start": period.start,
            "period_end": period.end,
            "granularity": period.granularity,
            "segment_type": segment[0],
            "segment_value": segment[1],
            "raw_value": raw,
            "numerator": numerator,
            "denominator": denominator,
            "response_rate": response_rate,
            "score": normalize(raw, self.rules[code]),
            "series_break": series_break,
            "visibility": DRAFT if draft else PUBLISHED,
            "published_at": None if draft else stamp,
            "internal_note": note,
            "import_id": None,
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.pending.append(row)
        if draft:
            self.drafts += 1
        elif segment == ("", ""):
            self.values.setdefault((unit, code), []).append((period, raw))
        if (
            code in SURVEY_METRICS
            and denominator is not None
            and denominator < self.small_sample_threshold
        ):
            self.small_samples += 1
        return row

    def flush(self, session: Session) -> None:
        if self.pending:
            # render_nulls: one multi-row statement, instead of a batch per pattern of NULLs.
            session.execute(insert(Observation).execution_options(render_nulls=True), self.pending)
            self.written += len(self.pending)
            self.pending = []

    def published_values(self, unit: str, code: str, year_offset: int) -> list[float]:
        return [
            value
            for period, value in self.values.get((unit, code), [])
            if value is not None and self.timeline.year_offset(period) == year_offset
        ]


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _binomial(rng: random.Random, trials: int, share: float) -> int:
    """Successes out of ``trials`` (normal approximation: fast, and exact enough here)."""
    if trials <= 0:
        return 0
    spread = math.sqrt(trials * share * (1.0 - share))
    return int(_clamp(round(rng.gauss(trials * share, spread)), 0, trials))


@dataclass
class _Month:
    period: Period
    number: int
    demand: float
    offered: int
    within_60s: int
    abandoned: int
    speed_of_answer: float
    stress: float
    #: channel -> (messages received, acknowledged within one business day)
    messages: dict[str, tuple[int, int]]


def _simulate_months(
    agency: AgencySpec, timeline: _Timeline, rng: random.Random, effects: _Effects
) -> list[_Month]:
    season_mean = sum(agency.season) / 12
    first_number = _month_number(timeline.start)
    months = []
    for period in timeline.months:
        number = _month_number(period.start)
        offset = number - timeline.today_number
        years = (number - first_number) / 12
        surge = math.prod(s.factor for s in agency.surges if s.first <= offset <= s.last)
        season = agency.season[period.start.month - 1] / season_mean
        demand = (
            agency.monthly_calls
            * season
            * surge
            * (1 + 0.015 * years)
            * math.exp(rng.gauss(0, 0.05))
        )
        deflected = min(0.6, effects.agency("deflect", agency.slug, number))
        calls = demand * (1 - deflected)
        capacity = (
            agency.monthly_calls
            * agency.capacity
            * (1 + agency.capacity_trend * years + effects.agency("capacity", agency.slug, number))
        )
        load = calls / capacity
        # Queueing in short: waits grow exponentially as the load nears capacity.
        service_level = _clamp(
            97.5 / (1 + math.exp(6.5 * (load - 1.1))) + rng.gauss(0, 1.2), 3, 99.5
        )
        speed = _clamp(6 + 18 * math.exp(5 * (load - 0.75)) * math.exp(rng.gauss(0, 0.08)), 2, 1800)
        abandon = _clamp(1.5 + 0.04 * speed + rng.gauss(0, 0.5), 0.5, 45)
        stress = max(0.0, load - 0.85)
        offered = round(calls)
        ack_gain = effects.agency("ack", agency.slug, number)
        messages = {}
        for channel, per_call in agency.written.items():
            received = round(demand * per_call * math.exp(rng.gauss(0, 0.06)))
            share = _clamp(
                agency.ack
                + ack_gain
                + CHANNEL_ACK_ADJUSTMENT[channel]
                - 0.4 * stress
                + rng.gauss(0, 0.012),
                0.3,
                0.995,
            )
            messages[channel] = (received, _binomial(rng, received, share))
        months.append(
            _Month(
                period=period,
                number=number,
                demand=demand,
                offered=offered,
                within_60s=round(offered * service_level / 100),
                abandoned=round(offered * abandon / 100),
                speed_of_answer=speed,
                stress=stress,
                messages=messages,
            )
        )
    return months


def _write_months(
    agency: AgencySpec, months: list[_Month], timeline: _Timeline, writer: _ObservationWriter
) -> None:
    slug = agency.slug
    policy_start = timeline.year_start(content.ACK_POLICY_YEAR_OFFSET)
    revised_period = None
    if slug == content.REVISED_AGENCY:
        revised_period = timeline.months[-1 - content.REVISED_MONTHS_BACK]
    for month in months:
        offset = month.number - timeline.today_number
        if offset in content.MONTHS_MISSING.get(slug, ()):
            continue  # the report never came in: no rows at all
        period = month.period
        answered = month.offered - month.abandoned
        if period == timeline.draft_month:
            if slug in content.DRAFT_MONTH_AGENCIES:
                _write_draft_month(slug, month, writer)
            continue
        phone_missing = offset in content.PHONE_NOT_REPORTED.get(slug, ())
        note = content.PHONE_NOT_REPORTED_NOTE if phone_missing else None
        service_level = round(100 * month.within_60s / month.offered, 2)
        row = writer.add(
            slug,
            "service_level_60s",
            period,
            None if phone_missing else service_level,
            numerator=month.within_60s,
            denominator=month.offered,
            note=note,
        )
        if period == revised_period:
            _plan_revision(writer, row, slug, period, month)
        writer.add(
            slug,
            "avg_speed_answer",
            period,
            None if phone_missing else round(month.speed_of_answer, 1),
            denominator=answered,
            note=note,
        )
        writer.add(
            slug,
            "abandon_rate",
            period,
            None if phone_missing else round(100 * month.abandoned / month.offered, 2),
            numerator=month.abandoned,
            denominator=month.offered,
            note=note,
        )
        total_contacts = month.offered + sum(received for received, _ in month.messages.values())
        writer.add(
            slug, "contacts_received", period, None if phone_missing else total_contacts, note=note
        )
        writer.add(
            slug,
            "contacts_received",
            period,
            None if phone_missing else month.offered,
            segment=("channel", "phone"),
            note=note,
        )
        for channel, (received, _) in month.messages.items():
            writer.add(slug, "contacts_received", period, received, segment=("channel", channel))
        if period.start < policy_start:
            continue  # acknowledgement is measured from the responsiveness policy on
        received_all = sum(received for received, _ in month.messages.values())
        acked_all = sum(acked for _, acked in month.messages.values())
        writer.add(
            slug,
            "ack_within_1bd",
            period,
            round(acked_all / received_all, 6),
            numerator=acked_all,
            denominator=received_all,
        )
        for channel, (received, acked) in month.messages.items():
            writer.add(
                slug,
                "ack_within_1bd",
                period,
                round(acked / received, 6),
                numerator=acked,
                denominator=received,
                segment=("channel", channel),
            )


def _write_draft_month(slug: str, month: _Month, writer: _ObservationWriter) -> None:
    period = month.period
    offered = month.offered
    common: dict[str, Any] = {"draft": True, "note": DRAFT_MONTH_NOTE}
    writer.add(
        slug,
        "service_level_60s",
        period,
        round(100 * month.within_60s / offered, 2),
        numerator=month.within_60s,
        denominator=offered,
        **common,
    )
    writer.add(
        slug,
        "avg_speed_answer",
        period,
        round(month.speed_of_answer, 1),
        denominator=offered - month.abandoned,
        **common,
    )
    writer.add(
        slug,
        "abandon_rate",
        period,
        round(100 * month.abandoned / offered, 2),
        numerator=month.abandoned,
        denominator=offered,
        **common,
    )
    total = offered + sum(received for received, _ in month.messages.values())
    writer.add(slug, "contacts_received", period, total, **common)


def _plan_revision(
    writer: _ObservationWriter, row: dict[str, object], slug: str, period: Period, month: _Month
) -> None:
    """The first published service level was wrong; the row now holds the corrected one."""
    earlier_level = round(float(row["raw_value"]) + content.REVISED_ERROR, 2)  # type: ignore[arg-type]
    earlier_within = round(month.offered * earlier_level / 100)
    revised_at = _at(period.end + dt.timedelta(days=PUBLICATION_LAG_DAYS["month"] + 26), 16)
    writer.revision = _PendingRevision(
        unit=slug,
        metric=content.REVISED_METRIC,
        period=period,
        earlier={
            "raw_value": earlier_level,
            "numerator": earlier_within,
            "denominator": month.offered,
            "score": normalize(earlier_level, writer.rules[content.REVISED_METRIC]),
        },
        revised_at=revised_at,
    )
    row["updated_at"] = revised_at


@dataclass
class _Pool:
    """One agency quarter's results pooled over its services."""

    rows: int = 0
    successes: float = 0.0
    trials: float = 0.0
    invitations: float = 0.0
    weighted: float = 0.0

    def add_share(self, successes: int, trials: int, invitations: int = 0) -> None:
        self.successes += successes
        self.trials += trials
        self.invitations += invitations

    def add_mean(self, mean: float, weight: int) -> None:
        self.weighted += mean * weight
        self.trials += weight


#: Service results that add up to an agency result.
POOLED_METRICS = (
    "csat_overall",
    "ease",
    "accuracy_rate",
    "timeliness_standard",
    "processing_days",
)


@dataclass
class _Quarter:
    """One agency quarter: its conditions, and its services' results pooled as they come."""

    agency: AgencySpec
    period: Period
    index: int
    last_number: int  # month number of the quarter's last month
    stress: float  # contact-centre overload, 0 when within capacity
    activity: float  # demand relative to a typical quarter
    year_offset: int
    survey_lapsed: bool
    pools: dict[str, _Pool] = field(
        default_factory=lambda: {code: _Pool() for code in POOLED_METRICS}
    )


def _simulate_agency(
    agency: AgencySpec,
    timeline: _Timeline,
    rng: random.Random,
    effects: _Effects,
    writer: _ObservationWriter,
    settings: Settings,
) -> None:
    months = _simulate_months(agency, timeline, rng, effects)
    _write_months(agency, months, timeline, writer)
    by_number = {month.number: month for month in months}
    break_quarter = next(
        q for q in timeline.quarters if timeline.year_offset(q) == content.SERIES_BREAK_YEAR_OFFSET
    )
    # Small offices get around the small-sample threshold, so some quarters fall below it.
    small_responses = min(settings.small_sample_threshold, 60)
    base_csat = sum(s.csat for s in agency.services) / len(agency.services)

    for index, period in enumerate(timeline.quarters):
        first = _month_number(period.start)
        quarter_months = [by_number[first + i] for i in range(3)]
        quarter = _Quarter(
            agency=agency,
            period=period,
            index=index,
            last_number=first + 2,
            stress=sum(m.stress for m in quarter_months) / 3,
            activity=sum(m.demand for m in quarter_months) / (3 * agency.monthly_calls),
            year_offset=timeline.year_offset(period),
            survey_lapsed=(
                agency.slug == content.SURVEY_LAPSE_AGENCY and period == timeline.quarters[-1]
            ),
        )
        for service in agency.services:
            if index not in service.gaps:
                _simulate_service_quarter(service, quarter, rng, effects, writer, small_responses)
        _write_agency_quarter(
            quarter,
            rng,
            effects,
            writer,
            after_break=period >= break_quarter,
            at_break=period == break_quarter,
            base_csat=base_csat,
        )


def _simulate_service_quarter(
    service: ServiceSpec,
    quarter: _Quarter,
    rng: random.Random,
    effects: _Effects,
    writer: _ObservationWriter,
    small_responses: int,
) -> None:
    slug, period, stress, pools = service.slug, quarter.period, quarter.stress, quarter.pools
    lapse_note = content.SURVEY_LAPSE_NOTE if quarter.survey_lapsed else None

    def gain(kind: str) -> float:
        return effects.service(kind, slug, quarter.agency.slug, quarter.last_number)

    def measured(code: str) -> bool:
        return quarter.year_offset >= service.late.get(code, 0)

    def not_reported(code: str, survey: bool = False) -> bool:
        """Write a "not reported" row when the office did not report (or its survey lapsed)."""
        lapsed = survey and quarter.survey_lapsed
        if lapsed or rng.random() < NOT_REPORTED_SHARE:
            writer.add(slug, code, period, None, note=lapse_note if lapsed else None)
            return True
        return False

    volume = service.volume * quarter.activity * math.exp(rng.gauss(0, 0.06))
    completed = max(1, round(volume))
    if service.small:
        responses = max(2, round(small_responses * rng.uniform(0.45, 1.5)))
    else:
        spread = math.exp(rng.gauss(0, 0.12))
        responses = round(service.responses * math.sqrt(quarter.activity) * spread)
    satisfied_share = _clamp(
        service.csat + gain("csat") - 0.3 * stress + rng.gauss(0, 0.012), 0.2, 0.98
    )
    rate = _clamp(service.response_rate * math.exp(rng.gauss(0, 0.1)), 0.01, 0.9)
    invitations = max(responses, round(responses / rate))
    response_rate = round(responses / invitations, 3)

    if measured("csat_overall"):
        pools["csat_overall"].rows += 1
        if not not_reported("csat_overall", survey=True):
            satisfied = _binomial(rng, responses, satisfied_share)
            pools["csat_overall"].add_share(satisfied, responses, invitations)
            writer.add(
                slug,
                "csat_overall",
                period,
                round(satisfied / responses, 6),
                numerator=satisfied,
                denominator=responses,
                response_rate=response_rate,
            )

    if service.ease and measured("ease"):
        pools["ease"].rows += 1
        if not not_reported("ease", survey=True):
            answered = max(1, round(responses * 0.97))
            mean = round(_clamp(1.9 + 2.6 * satisfied_share + rng.gauss(0, 0.05), 1, 5), 2)
            pools["ease"].add_mean(mean, answered)
            writer.add(
                slug, "ease", period, mean, denominator=answered, response_rate=response_rate
            )

    if service.accuracy is not None and measured("accuracy_rate"):
        pools["accuracy_rate"].rows += 1
        if not not_reported("accuracy_rate"):
            reviewed = int(_clamp(round(volume * 0.03), 30, 400))
            share = _clamp(
                service.accuracy + gain("accuracy") - 0.04 * stress + rng.gauss(0, 0.004),
                0.5,
                0.999,
            )
            correct = _binomial(rng, reviewed, share)
            pools["accuracy_rate"].add_share(correct, reviewed)
            writer.add(
                slug,
                "accuracy_rate",
                period,
                round(correct / reviewed, 6),
                numerator=correct,
                denominator=reviewed,
            )

    if service.timeliness is not None and measured("timeliness_standard"):
        pools["timeliness_standard"].rows += 1
        if not not_reported("timeliness_standard"):
            share = _clamp(
                service.timeliness + gain("timeliness") - 0.5 * stress + rng.gauss(0, 0.012),
                0.1,
                0.995,
            )
            on_time = round(completed * share)
            pools["timeliness_standard"].add_share(on_time, completed)
            writer.add(
                slug,
                "timeliness_standard",
                period,
                round(on_time / completed, 6),
                numerator=on_time,
                denominator=completed,
            )

    if service.processing_days is not None and measured("processing_days"):
        pools["processing_days"].rows += 1
        if not not_reported("processing_days"):
            days = round(
                service.processing_days
                * (1 + 1.2 * stress)
                * (1 - min(0.6, gain("days")))
                * math.exp(rng.gauss(0, 0.05)),
                1,
            )
            pools["processing_days"].add_mean(days, completed)
            writer.add(slug, "processing_days", period, days, denominator=completed)


def _write_agency_quarter(
    quarter: _Quarter,
    rng: random.Random,
    effects: _Effects,
    writer: _ObservationWriter,
    *,
    after_break: bool,
    at_break: bool,
    base_csat: float,
) -> None:
    """The agency's own quarter: its services pooled, plus trust and the language split."""
    agency, pools, period = quarter.agency, quarter.pools, quarter.period
    slug = agency.slug
    lapse_note = content.SURVEY_LAPSE_NOTE if quarter.survey_lapsed else None
    csat = pools["csat_overall"]
    if csat.rows:
        if csat.trials == 0:
            writer.add(slug, "csat_overall", period, None, note=lapse_note)
        else:
            satisfied, responses = int(csat.successes), int(csat.trials)
            share = satisfied / responses
            response_rate = round(responses / csat.invitations, 3)
            writer.add(
                slug,
                "csat_overall",
                period,
                round(share, 6),
                numerator=satisfied,
                denominator=responses,
                response_rate=response_rate,
            )
            _write_language_split(quarter, satisfied, responses, share, rng, effects, writer)

        # Trust is asked of the same respondents, at agency level only.
        broken = agency.slug == content.SERIES_BREAK_AGENCY
        if csat.trials == 0:
            writer.add(
                slug, "trust", period, None, note=lapse_note, series_break=broken and at_break
            )
        else:
            asked = max(1, round(csat.trials * 0.96))
            shift = content.SERIES_BREAK_SHIFT if broken and after_break else 0.0
            share = _clamp(
                agency.trust
                + 0.7 * (csat.successes / csat.trials - base_csat)
                + shift
                + rng.gauss(0, 0.01),
                0.1,
                0.98,
            )
            trusting = _binomial(rng, asked, share)
            writer.add(
                slug,
                "trust",
                period,
                round(trusting / asked, 6),
                numerator=trusting,
                denominator=asked,
                response_rate=round(csat.trials / csat.invitations, 3),
                series_break=broken and at_break,
            )

    ease = pools["ease"]
    if ease.rows:
        mean = round(ease.weighted / ease.trials, 2) if ease.trials else None
        writer.add(
            slug,
            "ease",
            period,
            mean,
            denominator=int(ease.trials) or None,
            note=lapse_note if mean is None else None,
        )

    for code in ("accuracy_rate", "timeliness_standard"):
        pool = pools[code]
        if pool.rows:
            raw = round(pool.successes / pool.trials, 6) if pool.trials else None
            writer.add(
                slug,
                code,
                period,
                raw,
                numerator=int(pool.successes),
                denominator=int(pool.trials),
            )

    days = pools["processing_days"]
    if days.rows:
        raw = round(days.weighted / days.trials, 1) if days.trials else None
        writer.add(slug, "processing_days", period, raw, denominator=int(days.trials))


def _write_language_split(
    quarter: _Quarter,
    satisfied: int,
    responses: int,
    share: float,
    rng: random.Random,
    effects: _Effects,
    writer: _ObservationWriter,
) -> None:
    """Split an agency's survey result into English and Spanish respondents."""
    agency, period = quarter.agency, quarter.period
    drawn = round(responses * agency.spanish_share * math.exp(rng.gauss(0, 0.1)))
    spanish = int(_clamp(drawn, 1, responses - 1))
    gap = agency.spanish_gap - effects.agency("spanish_gap", agency.slug, quarter.last_number)
    # Spanish speakers are less satisfied by the gap; the pooled result stays what it is.
    spanish_share = _clamp(share - max(0.0, gap) * (1 - agency.spanish_share), 0.05, 0.99)
    spanish_satisfied = int(
        _clamp(
            _binomial(rng, spanish, spanish_share),
            satisfied - (responses - spanish),
            satisfied,
        )
    )
    english, english_satisfied = responses - spanish, satisfied - spanish_satisfied
    writer.add(
        agency.slug,
        "csat_overall",
        period,
        round(english_satisfied / english, 6),
        numerator=english_satisfied,
        denominator=english,
        segment=("language", "en"),
    )
    writer.add(
        agency.slug,
        "csat_overall",
        period,
        round(spanish_satisfied / spanish, 6),
        numerator=spanish_satisfied,
        denominator=spanish,
        segment=("language", "es"),
    )


def _simulate_enterprise(
    timeline: _Timeline, rng: random.Random, writer: _ObservationWriter
) -> None:
    """Staff trained in customer experience, counted once a year across all agencies."""
    for year in timeline.years:
        offset = timeline.year_offset(year)
        staff = round(5_200 * (1 + 0.012 * offset) * math.exp(rng.gauss(0, 0.01)))
        share = _clamp(0.09 + 0.14 * offset + rng.gauss(0, 0.01), 0.0, 0.95)
        trained = round(staff * share)
        writer.add(
            content.ENTERPRISE_SLUG,
            "staff_trained_cx",
            year,
            round(trained / staff, 6),
            numerator=trained,
            denominator=staff,
        )


def _insert_revision(
    session: Session, writer: _ObservationWriter, units: dict[str, Unit], metrics: dict[str, Metric]
) -> int:
    revision = writer.revision
    if revision is None:
        raise DemoError("the demo's revised figure falls outside the demo months")
    observation_id = session.scalar(
        select(Observation.id).where(
            Observation.unit_id == units[revision.unit].id,
            Observation.metric_id == metrics[revision.metric].id,
            Observation.granularity == revision.period.granularity,
            Observation.period_start == revision.period.start,
            Observation.segment_type == "",
            Observation.segment_value == "",
        )
    )
    session.execute(
        insert(ObservationRevision),
        [
            {
                "observation_id": observation_id,
                **revision.earlier,
                "revised_at": revision.revised_at,
                "import_id": None,
                "reason": content.REVISION_REASON,
            }
        ],
    )
    return 1


# -- targets ---------------------------------------------------------------------------------


class _TargetRows:
    def __init__(self, timeline: _Timeline, units: dict[str, Unit], metrics: dict[str, Metric]):
        self.timeline = timeline
        self.units = units
        self.metrics = metrics
        self.rows: list[dict[str, object]] = []

    def add(
        self,
        unit: str,
        code: str,
        kind: str,
        start: dt.date,
        end: dt.date | None = None,
        *,
        value: float | None = None,
        promise: tuple[str, str] | None = None,
        text: tuple[str, str] | None = None,
        visibility: str = PUBLISHED,
    ) -> None:
        metric = self.metrics[code]
        self.rows.append(
            {
                "unit_id": self.units[unit].id,
                "metric_id": metric.id,
                "kind": kind,
                "value": value,
                "comparator": "<=" if metric.direction == "lower" else ">=",
                "text_en": text[0] if text else None,
                "text_es": text[1] if text else None,
                "promise_en": promise[0] if promise else None,
                "promise_es": promise[1] if promise else None,
                "effective_from": start,
                "effective_to": end,
                "visibility": visibility,
                "import_id": None,
            }
        )

    def numeric(
        self,
        unit: str,
        code: str,
        value: float,
        start: dt.date,
        end: dt.date | None = None,
        promise: tuple[str, str] | None = None,
    ) -> None:
        self.add(unit, code, "numeric", start, end, value=value, promise=promise)

    def raised(
        self,
        unit: str,
        code: str,
        before: float,
        after: float,
        promise: Callable[[float], tuple[str, str] | None] = lambda _v: None,
    ) -> None:
        """A target raised at the start of last fiscal year; the old one ends the day before."""
        raised_on = self.timeline.year_start(FISCAL_YEARS - 2)
        self.numeric(
            unit,
            code,
            before,
            self.timeline.start,
            raised_on - dt.timedelta(days=1),
            promise(before),
        )
        self.numeric(unit, code, after, raised_on, None, promise(after))

    def baseline_then(
        self, unit: str, code: str, year_offset: int, promise: tuple[str, str] | None = None
    ) -> dt.date:
        """An "Establish baseline" year; returns the day the next target starts."""
        start = self.timeline.year_start(year_offset)
        following = self.timeline.year_start(year_offset + 1)
        self.add(
            unit,
            code,
            "baseline",
            start,
            following - dt.timedelta(days=1),
            promise=promise,
            text=BASELINE_TEXT,
        )
        return following


def _targets(
    timeline: _Timeline,
    writer: _ObservationWriter,
    units: dict[str, Unit],
    metrics: dict[str, Metric],
) -> list[dict[str, object]]:
    targets = _TargetRows(timeline, units, metrics)
    start = timeline.start

    def from_baseline(
        unit: str, code: str, year_offset: int, fallback: float, margin: float, ceiling: float
    ) -> float:
        """A target set from the baseline year's published results."""
        values = writer.published_values(unit, code, year_offset)
        level = sum(values) / len(values) if values else fallback
        return round(min(ceiling, level + margin), 2)

    for agency in content.AGENCIES:
        for service in agency.services:
            _service_targets(targets, service, from_baseline)
        _agency_targets(targets, agency, start)

    # The enterprise set itself a training goal after counting where it stood.
    following = targets.baseline_then(content.ENTERPRISE_SLUG, "staff_trained_cx", 0)
    targets.numeric(content.ENTERPRISE_SLUG, "staff_trained_cx", 0.5, following)
    # A proposal for next fiscal year, not yet approved: a draft, never public.
    targets.add(
        "dmv",
        "service_level_60s",
        "numeric",
        timeline.fiscal.year_bounds(timeline.last_year + 1)[0],
        value=85.0,
        promise=(
            "We answer 85% of calls within 60 seconds.",
            "Contestamos el 85 % de las llamadas en 60 segundos.",
        ),
        visibility=DRAFT,
    )
    return targets.rows


def _service_targets(
    targets: _TargetRows,
    service: ServiceSpec,
    from_baseline: Callable[[str, str, int, float, float, float], float],
) -> None:
    slug = service.slug
    start = targets.timeline.start

    late = service.late.get("csat_overall", 0)
    if late:
        following = targets.baseline_then(slug, "csat_overall", late)
        level = from_baseline(slug, "csat_overall", late, service.csat, 0.03, 0.95)
        targets.numeric(slug, "csat_overall", level, following)
    elif service.csat >= 0.80:
        targets.raised(slug, "csat_overall", 0.80, 0.85)
    else:
        targets.numeric(slug, "csat_overall", 0.75 if service.csat < 0.72 else 0.80, start)

    if service.ease:
        targets.numeric(slug, "ease", 4.0, targets.timeline.year_start(service.late.get("ease", 0)))

    if service.accuracy is not None:
        late = service.late.get("accuracy_rate", 0)
        if late:
            following = targets.baseline_then(slug, "accuracy_rate", late)
            level = from_baseline(slug, "accuracy_rate", late, service.accuracy, 0.01, 0.99)
            targets.numeric(slug, "accuracy_rate", level, following)
        else:
            targets.numeric(
                slug, "accuracy_rate", 0.97 if service.accuracy >= 0.96 else 0.95, start
            )

    if service.timeliness is not None:
        promise = (service.promise_en or "", service.promise_es or "")
        late = service.late.get("timeliness_standard", 0)
        if late:
            following = targets.baseline_then(slug, "timeliness_standard", late, promise)
            targets.numeric(
                slug, "timeliness_standard", service.timeliness_target, following, promise=promise
            )
        elif service.timeliness_target_before is not None:
            targets.raised(
                slug,
                "timeliness_standard",
                service.timeliness_target_before,
                service.timeliness_target,
                lambda _value: promise,
            )
        else:
            targets.numeric(
                slug, "timeliness_standard", service.timeliness_target, start, promise=promise
            )

    if service.processing_days is not None:
        late = service.late.get("processing_days", 0)
        if late:
            following = targets.baseline_then(slug, "processing_days", late)
            targets.add(slug, "processing_days", "text", following, text=IMPROVEMENT_TEXT)
        elif service.standard_days is not None:
            targets.numeric(slug, "processing_days", round(service.standard_days * 0.7, 1), start)


def _agency_targets(targets: _TargetRows, agency: AgencySpec, start: dt.date) -> None:
    slug = agency.slug

    def answer_promise(level: float) -> tuple[str, str]:
        return (
            f"We answer {level:g}% of calls within 60 seconds.",
            f"Contestamos el {level:g} % de las llamadas en 60 segundos.",
        )

    if agency.capacity < 1.1:
        targets.raised(slug, "service_level_60s", 70.0, 80.0, answer_promise)
    else:
        targets.numeric(slug, "service_level_60s", 80.0, start, promise=answer_promise(80.0))
    targets.numeric(
        slug,
        "avg_speed_answer",
        120.0,
        start,
        promise=(
            "On average, we answer calls within 2 minutes.",
            "En promedio, contestamos las llamadas en menos de 2 minutos.",
        ),
    )
    targets.numeric(slug, "abandon_rate", 8.0, start)

    ack_promise = (content.ACK_PROMISE_EN, content.ACK_PROMISE_ES)
    following = targets.baseline_then(
        slug, "ack_within_1bd", content.ACK_POLICY_YEAR_OFFSET, ack_promise
    )
    targets.numeric(slug, "ack_within_1bd", 0.95, following, promise=ack_promise)

    targets.numeric(slug, "csat_overall", 0.80, start)
    if agency.trust_target == "improve":
        following = targets.baseline_then(slug, "trust", 0)
        targets.add(slug, "trust", "text", following, text=IMPROVEMENT_TEXT)
    else:
        targets.numeric(slug, "trust", 0.70, start)
    if any(service.ease for service in agency.services):
        targets.numeric(slug, "ease", 4.0, start)
    if any(service.accuracy is not None for service in agency.services):
        targets.numeric(slug, "accuracy_rate", 0.95, start)
    if any(service.timeliness is not None for service in agency.services):
        targets.numeric(slug, "timeliness_standard", 0.80, start)


# -- actions ---------------------------------------------------------------------------------


def _insert_actions(
    session: Session,
    timings: list[_Timing],
    units: dict[str, Unit],
    metrics: dict[str, Metric],
    timeline: _Timeline,
) -> list[Action]:
    actions = []
    for timing in timings:
        spec = timing.spec
        agency = timing.agency
        path = agency if spec.unit == agency else f"{agency}/{spec.unit}"
        actions.append(
            Action(
                unit=units[spec.unit],
                title_en=spec.title_en,
                title_es=spec.title_es,
                description_en=spec.description_en,
                description_es=spec.description_es,
                status=timing.status,
                started_on=timing.started_on,
                completed_on=timing.completed_on,
                link=None
                if spec.internal_note
                else f"{content.WEBSITE}/{path}/improvements/{spec.key}",
                visibility=DRAFT if spec.internal_note else PUBLISHED,
                internal_note=spec.internal_note,
                metrics=[metrics[code] for code in spec.metrics],
            )
        )
    session.add_all(actions)
    session.flush()
    return actions


# -- contact points and closures -------------------------------------------------------------


def _clock_en(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    suffix = "a.m." if hour % 24 < 12 else "p.m."
    return f"{hour % 12 or 12}:{minute:02d} {suffix}"


def _clock_es(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    return f"{hour}:{minute:02d}"


def business_hours_text(business_hours: tuple[int, int]) -> tuple[str, str]:
    """("Mon–Fri 8:00 a.m.–5:00 p.m.", "lun.–vie. 8:00–17:00") from the settings' hours."""
    opens, closes = business_hours
    return (
        f"Mon–Fri {_clock_en(opens)}–{_clock_en(closes)}",
        f"lun.–vie. {_clock_es(opens)}–{_clock_es(closes)}",
    )


ONLINE_HOURS = (
    "Open 24 hours a day; we reply within one business day.",
    "Disponible las 24 horas; respondemos en un día hábil.",
)

#: Lines run by a service rather than its agency: (service, label EN, label ES, number, hours).
SERVICE_LINES = (
    ("unemployment-claims", "Claims line", "Línea de solicitudes", "(800) 555-0150", None),
    (
        "tax-refunds",
        "Refund status line (automated)",
        "Línea automática de estado del reembolso",
        "(800) 555-0151",
        ("24 hours a day, 7 days a week", "las 24 horas, los 7 días de la semana"),
    ),
    (
        "medicaid-enrollment",
        "Renewal help line",
        "Línea de ayuda para renovaciones",
        "(800) 555-0152",
        None,
    ),
)


def _insert_contacts(
    session: Session, units: dict[str, Unit], timeline: _Timeline, settings: Settings
) -> tuple[int, int]:
    hours = business_hours_text(settings.business_hours)
    points: list[ContactPoint] = []
    by_agency: dict[str, list[ContactPoint]] = {}
    for number, agency in enumerate(content.AGENCIES, start=1):
        base = f"{content.WEBSITE}/{agency.slug}"
        appointment = (
            f"Book an appointment at {base}/appointments or call {agency.phone_number}. "
            "Walk-in customers are served as time allows.",
            f"Reserve una cita en {base}/appointments o llame al {agency.phone_number}. "
            "Se atiende sin cita según la disponibilidad.",
        )
        agency_points = [
            ContactPoint(
                channel="phone",
                label_en="Customer service line",
                label_es="Línea de atención al cliente",
                value=agency.phone_number,
                hours_en=hours[0],
                hours_es=hours[1],
                languages=agency.languages,
            )
        ]
        for office in agency.offices:
            agency_points.append(
                ContactPoint(
                    channel="walk_in",
                    label_en=office.label_en,
                    label_es=office.label_es,
                    address=office.address,
                    hours_en=office.hours_en or hours[0],
                    hours_es=office.hours_es or hours[1],
                    appointment_en=appointment[0],
                    appointment_es=appointment[1],
                    languages=agency.languages,
                )
            )
        agency_points.append(
            ContactPoint(
                channel="mail",
                label_en="Mailing address",
                label_es="Dirección postal",
                address=f"{agency.name_en}, PO Box {1000 + number}, Capitol City, EX 90001",
            )
        )
        agency_points.append(
            ContactPoint(
                channel="web_form",
                label_en="Online contact form",
                label_es="Formulario de contacto en línea",
                value=f"{base}/contact",
                hours_en=ONLINE_HOURS[0],
                hours_es=ONLINE_HOURS[1],
                languages="en,es",
            )
        )
        agency_points.append(
            ContactPoint(
                channel="email",
                label_en="Email",
                label_es="Correo electrónico",
                value=f"{agency.slug}.help@example.gov",
                hours_en=ONLINE_HOURS[0],
                hours_es=ONLINE_HOURS[1],
                languages="en,es",
            )
        )
        if agency.text_line:
            agency_points.append(
                ContactPoint(
                    channel="text",
                    label_en="Text message line",
                    label_es="Línea de mensajes de texto",
                    value=f"(800) 555-{160 + number:04d}",
                    hours_en=hours[0],
                    hours_es=hours[1],
                    languages="en,es",
                )
            )
        if agency.video:
            agency_points.append(
                ContactPoint(
                    channel="video",
                    label_en="Video appointment",
                    label_es="Cita por video",
                    value=f"{base}/video",
                    hours_en=hours[0],
                    hours_es=hours[1],
                    appointment_en=f"Book a video appointment at {base}/video.",
                    appointment_es=f"Reserve una cita por video en {base}/video.",
                    languages=agency.languages,
                )
            )
        for order, point in enumerate(agency_points):
            point.unit = units[agency.slug]
            point.sort_order = order
        by_agency[agency.slug] = agency_points
        points.extend(agency_points)

    for slug, label_en, label_es, phone, line_hours in SERVICE_LINES:
        line_hours = line_hours or hours
        points.append(
            ContactPoint(
                unit=units[slug],
                channel="phone",
                label_en=label_en,
                label_es=label_es,
                value=phone,
                hours_en=line_hours[0],
                hours_es=line_hours[1],
                languages="en,es",
                sort_order=0,
            )
        )

    closures = [_closure(spec, units, by_agency, timeline) for spec in content.CLOSURES]
    closures.extend(_holiday_closures(units, timeline, settings))
    session.add_all(points)
    session.add_all(closures)
    session.flush()
    return len(points), len(closures)


def _closure(
    spec: content.ClosureSpec,
    units: dict[str, Unit],
    by_agency: dict[str, list[ContactPoint]],
    timeline: _Timeline,
) -> Closure:
    points = by_agency[spec.agency]
    point = None
    if isinstance(spec.contact, int):
        point = [p for p in points if p.channel == "walk_in"][spec.contact]
    elif isinstance(spec.contact, str):
        point = next(p for p in points if p.channel == spec.contact)
    return Closure(
        unit_id=units[spec.agency].id,
        contact_point=point,
        starts_on=timeline.today + dt.timedelta(days=spec.first),
        ends_on=timeline.today + dt.timedelta(days=spec.last),
        reason_en=spec.reason_en,
        reason_es=spec.reason_es,
    )


def _holiday_name_es(name: str) -> str:
    parts = []
    for part in name.split("; "):
        observed = part.endswith(" (observed)")
        base = part.removesuffix(" (observed)")
        spanish = content.HOLIDAY_NAMES_ES.get(base, base)
        parts.append(f"{spanish} (día feriado trasladado)" if observed else spanish)
    return "; ".join(parts)


def _holiday_closures(
    units: dict[str, Unit], timeline: _Timeline, settings: Settings
) -> list[Closure]:
    """All state offices close on the next public holidays that fall on a weekday."""
    calendar = holidays.country_holidays(
        settings.holiday_country,
        subdiv=settings.holiday_subdivision,
        years=[timeline.today.year, timeline.today.year + 1],
    )
    upcoming = sorted(
        (day, name) for day, name in calendar.items() if day > timeline.today and day.weekday() < 5
    )[: content.HOLIDAY_CLOSURES]
    return [
        Closure(
            unit_id=units[content.ENTERPRISE_SLUG].id,
            starts_on=day,
            ends_on=day,
            reason_en=f"All state offices and phone lines closed for {name}.",
            reason_es=(
                "Todas las oficinas y líneas telefónicas del estado cierran por "
                f"{_holiday_name_es(name)}."
            ),
        )
        for day, name in upcoming
    ]
