"""The demo's calendar and its constants: which periods exist, when they are published,
and when the improvement actions happen (their effects feed the simulation)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dashboard.domain.fiscal import FiscalCalendar, Period
from data import demo_content as content
from data.demo_content import ActionSpec

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
    "Mejora de ≥10% respecto al año de línea de base",
)

#: A row of a demo file: column name -> value (formatted by :mod:`data.demo.files`).
Row = dict[str, object]


class DemoError(RuntimeError):
    """The demo cannot be written (the store is not empty and replace was not asked for)."""


def default_today(fiscal: FiscalCalendar) -> dt.date:
    """The end of the latest fiscal quarter that is complete before :data:`DEMO_ANCHOR`."""
    day = DEMO_ANCHOR - dt.timedelta(days=1)
    year, quarter = fiscal.fiscal_year(day), fiscal.quarter(day)
    end = fiscal.quarter_bounds(year, quarter)[1]
    if end > day:
        year, quarter = fiscal.previous_quarter(year, quarter)
        end = fiscal.quarter_bounds(year, quarter)[1]
    return end


def month_number(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def first_of_month(number: int, day: int = 1) -> dt.date:
    return dt.date(number // 12, number % 12 + 1, day)


def at_hour(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Timeline:
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
    def build(cls, fiscal: FiscalCalendar, today: dt.date) -> Timeline:
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
        return month_number(self.today)

    def year_start(self, year_offset: int) -> dt.date:
        return self.fiscal.year_bounds(self.first_year + year_offset)[0]

    def year_offset(self, period: Period) -> int:
        return self.fiscal.fiscal_year(period.end) - self.first_year

    def published_at(self, period: Period) -> dt.datetime:
        lag = dt.timedelta(days=PUBLICATION_LAG_DAYS[period.granularity])
        return at_hour(min(period.end + lag, self.today), 15)


# -- actions and their effects ---------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
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


AGENCY_OF = {
    **{agency.slug: agency.slug for agency in content.AGENCIES},
    **{service.slug: agency.slug for agency in content.AGENCIES for service in agency.services},
}


def action_timings(rng: random.Random, timeline: Timeline) -> list[Timing]:
    timings = []
    for spec in (*content.ACTIONS, *content.DRAFT_ACTIONS):
        start_number = timeline.today_number + spec.start
        started_on = first_of_month(start_number, rng.randint(1, 28))
        completed_on = None
        if spec.months is not None:
            completed_on = first_of_month(start_number + spec.months, rng.randint(1, 28))
        if started_on > timeline.today:
            status, completed_on = "planned", None
        elif completed_on is not None and completed_on <= timeline.today:
            status = "completed"
        else:
            status, completed_on = "in_progress", None
        timings.append(
            Timing(
                spec=spec,
                agency=AGENCY_OF[spec.unit],
                started_on=started_on,
                completed_on=completed_on,
                status=status,
                start_number=start_number,
                ramp_months=max(spec.months or 4, 1),
            )
        )
    return timings


class Effects:
    """The summed effect of the actions started so far, by kind."""

    def __init__(self, timings: Iterable[Timing]) -> None:
        self._timings = [t for t in timings if t.spec.effects]

    def _sum(self, kind: str, month_number: int, applies: Callable[[Timing], bool]) -> float:
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


def unit_columns(slug: str) -> Row:
    """The ``agency`` and ``service`` cells naming a unit (the enterprise is an "agency")."""
    agency = AGENCY_OF.get(slug, slug)
    return {"agency": agency, "service": None if agency == slug else slug}
