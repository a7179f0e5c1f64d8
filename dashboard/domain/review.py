"""The quarterly review: this quarter against the last one and the same quarter a year ago.

The decisions the review page (``/review``) and the review pack rest on, as plain functions
(no I/O). The page's notes say the same in words.

- **Quarters** (:class:`Quarter`): fiscal quarters of
  :class:`~dashboard.domain.fiscal.FiscalCalendar`
  (the fiscal year's start month is a setting). The previous quarter of Q1 is Q4 of the
  fiscal year before; "the same quarter last year" is the same quarter number one fiscal year
  earlier. The default is the latest period the data have (:func:`choose_period`): the latest
  quarter with published quarterly (or monthly) results, or the latest fiscal year when a
  later fiscal year has yearly results only.
- **Annual reviews** (:class:`FiscalYear`): a store of yearly results is reviewed year by
  year: this fiscal year against the previous one (the "previous" and "year ago" periods are
  then the same year), with a sparkline of the last :data:`TREND_YEARS` years.
- **Agencies without a figure of their own** are reviewed through their services' standards
  (:mod:`dashboard.domain.service_rollup`): "5 of 7 service standards met"; such a cell is not
  compared between periods (a share of standards is not a sample), and each standard that
  did not report is listed under "did not report".
- **Results** per agency and dimension come from :func:`dashboard.domain.scorecard.period_result`
  and :func:`dashboard.domain.scorecard.score_cell`, exactly as on the overview: one headline
  measure per dimension, monthly figures pooled over the quarter, judged against the target
  in force on the quarter's last day, small survey samples flagged (or hidden under the
  "suppress" policy, and then counted as not reported), revised figures marked.
- **Movement** (:func:`judge_change`): a change only counts when it is larger than what
  chance alone would produce.

  * Shares (percent or fraction scales) with a count behind both figures (survey responses,
    cases checked, contacts handled): a two-proportion z-test at 95%
    (:func:`dashboard.domain.stats.significant_change`). The margin shown is the 95% margin of
    error of the difference, so "moved" means exactly "the change is larger than its margin
    of error". For administrative counts the quarter is treated as a sample of how the
    service performs, so a large volume has a small margin.
  * A share must also move by at least :data:`MIN_SHARE_CHANGE_POINTS` (one percentage
    point): with hundreds of thousands of contacts the margin is a tenth of a point, and a
    change that small is not one a review acts on.
  * A share without counts behind both figures cannot be tested: "cannot tell", not a mover.
  * Other scales (days, seconds, counts, 1–5 averages) are published without the spread
    needed for a margin of error, so a fixed rule applies: the change must be at least
    :data:`RELATIVE_CHANGE_THRESHOLD` (10%) of the earlier value.
  * "Not reported" on either side is never zero and never a mover; neither is a change
    across a series break (a changed question or method is not a trend).
  * Improved or declined follows the measure's direction (fewer days is better).
- **Biggest movers** rank the changes that count by the size of the change on the common
  0–100 score, so that a change in seconds and one in points compare.
- **Missed targets**: this quarter's results judged "not met", with the target and the gap.
- **Units that did not report**: the units the overview counts as not reported for the same
  period (:func:`non_reporters`, through the overview's own roll-up functions), each with the
  last period it reported.
- **What is being done** (:func:`actions_under_way`): published actions (the queries filter
  drafts) in progress on the period's last day or still planned, and those started or
  completed during the period, with their status as of its last day and the targets they
  address (:func:`actions_by_target` puts them beside the rows).
  **What followed**: each measure the action addresses, for the unit that took it, in the
  quarter before the action started against the reviewed quarter, judged by the same
  movement rule. It says what happened after, not what the action caused.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.rollups import units_meeting_targets
from dashboard.domain.scorecard import (
    SCORECARD_DIMENSIONS,
    Cell,
    MetricInfo,
    Reading,
    fold,
    period_result,
    score_cell,
)
from dashboard.domain.service_rollup import (
    Service,
    StandardResult,
    agency_cell,
    enterprise_units,
    has_own_figure,
    service_standards,
)
from dashboard.domain.stats import Z_95, pooled_standard_error, significant_change
from dashboard.domain.targets import Status, TargetSpec, targets_in_force

#: The dimensions of the review: the overview's (accuracy, responsiveness, timeliness,
#: satisfaction and access), so that the meeting sees what the public sees.
REVIEW_DIMENSIONS = SCORECARD_DIMENSIONS

#: Scales whose values are shares, and the number that makes them a fraction.
SHARE_SCALES = {"fraction": 1.0, "percent": 100.0}

#: For measures without a margin of error: the smallest change, as a share of the earlier
#: value, that counts as movement.
RELATIVE_CHANGE_THRESHOLD = 0.10

#: For shares: the smallest change, in percentage points, that counts as movement even when
#: it exceeds the margin of error. With hundreds of thousands of cases a quarter the margin
#: shrinks to a tenth of a point, below anything a review would act on.
MIN_SHARE_CHANGE_POINTS = 1.0

#: Quarters in each row's sparkline (two years, the reviewed quarter last).
TREND_QUARTERS = 8

#: Fiscal years in each row's sparkline of an annual review (the reviewed year last).
TREND_YEARS = 5

#: Longest list of biggest movers in each direction.
MOVERS_LIMIT = 5

#: Sort orders of the comparison table.
SORT_KEYS = ("name", "dimension", "status", "declines", "improvements")

#: Order of statuses when sorting by status: what needs attention first.
_STATUS_ORDER = {
    Status.NOT_MET: 0,
    Status.NOT_REPORTED: 1,
    Status.NO_TARGET: 2,
    Status.MET: 3,
}


# -- quarters --------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    """A fiscal quarter: fiscal year (named by the year it ends) and quarter number 1-4."""

    fiscal_year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"a fiscal quarter is 1, 2, 3 or 4, not {self.quarter!r}")


@dataclass(frozen=True, order=True)
class FiscalYear:
    """A whole fiscal year, the period of an annual review (named by the year it ends)."""

    fiscal_year: int


#: What a review reviews: a fiscal quarter, or a whole fiscal year.
ReviewPeriod = Quarter | FiscalYear


def granularity_of(period: ReviewPeriod) -> str:
    return "fiscal_year" if isinstance(period, FiscalYear) else "quarter"


def previous_quarter(calendar: FiscalCalendar, quarter: ReviewPeriod) -> ReviewPeriod:
    """The quarter before (the fiscal year before, for a fiscal year)."""
    if isinstance(quarter, FiscalYear):
        return FiscalYear(quarter.fiscal_year - 1)
    return Quarter(*calendar.previous_quarter(quarter.fiscal_year, quarter.quarter))


def same_quarter_last_year(quarter: ReviewPeriod) -> ReviewPeriod:
    if isinstance(quarter, FiscalYear):
        return FiscalYear(quarter.fiscal_year - 1)
    return Quarter(quarter.fiscal_year - 1, quarter.quarter)


def quarters_up_to(calendar: FiscalCalendar, quarter: ReviewPeriod, count: int) -> list[Any]:
    """The ``count`` quarters ending with ``quarter``, oldest first."""
    quarters = [quarter]
    while len(quarters) < count:
        quarters.append(previous_quarter(calendar, quarters[-1]))
    return quarters[::-1]


def quarter_bounds(calendar: FiscalCalendar, quarter: ReviewPeriod) -> tuple[dt.date, dt.date]:
    if isinstance(quarter, FiscalYear):
        return calendar.year_bounds(quarter.fiscal_year)
    return calendar.quarter_bounds(quarter.fiscal_year, quarter.quarter)


def quarter_of_day(calendar: FiscalCalendar, day: dt.date) -> Quarter:
    return Quarter(calendar.fiscal_year(day), calendar.quarter(day))


def period_of_day(calendar: FiscalCalendar, day: dt.date, like: ReviewPeriod) -> ReviewPeriod:
    """The quarter (or, in an annual review, the fiscal year) that holds ``day``."""
    if isinstance(like, FiscalYear):
        return FiscalYear(calendar.fiscal_year(day))
    return quarter_of_day(calendar, day)


def default_period(quarters: Sequence[Quarter], years: Sequence[int]) -> ReviewPeriod | None:
    """The latest period the data have: the latest quarter, or the latest fiscal year when a
    later fiscal year has yearly results only. None when nothing is published."""
    latest = max(quarters, default=None)
    latest_year = max(years, default=None)
    if latest_year is not None and (latest is None or latest_year > latest.fiscal_year):
        return FiscalYear(latest_year)
    return latest


def choose_period(
    fy: str | None, q: str | None, quarters: Sequence[Quarter], years: Sequence[int]
) -> ReviewPeriod | None:
    """The period the ``fy`` and ``q`` parameters name (:func:`choose_quarter` for quarters).

    ``years`` are the fiscal years with yearly results. Without parameters: the latest period
    (:func:`default_period`). ``fy`` alone names that year's latest quarter when it has
    quarters (as it always did), else the whole year when it has yearly results.
    """
    fy_text, q_text = (fy or "").strip(), (q or "").strip()
    if not fy_text and not q_text:
        return default_period(quarters, years)
    if fy_text and not q_text:
        cleaned = fy_text.upper().removeprefix("FY").removeprefix("AF").strip()
        if cleaned.isdigit() and len(cleaned) == 4:
            year = int(cleaned)
            if year in years and not any(o.fiscal_year == year for o in quarters):
                return FiscalYear(year)
    if not quarters and years:
        # Validate the parameters the same way, then say which years there are.
        choose_quarter(fy, q, [Quarter(max(years), 1)])
        raise QuarterChoiceError("no_data", f"{fy_text} {q_text}".strip())
    return choose_quarter(fy, q, quarters)


def default_quarter(offered: Iterable[Quarter]) -> Quarter | None:
    """The latest quarter with published results; None when nothing is published."""
    return max(offered, default=None)


class QuarterChoiceError(ValueError):
    """The URL's fiscal year or quarter names no quarter with published results."""

    def __init__(self, reason: str, value: str, quarter: Quarter | None = None) -> None:
        super().__init__(f"{reason}: {value!r}")
        self.reason = reason  # "bad_fy" | "bad_q" | "no_data"
        self.value = value
        self.quarter = quarter  # the quarter asked for, when it is one


def choose_quarter(fy: str | None, q: str | None, offered: Sequence[Quarter]) -> Quarter | None:
    """The quarter the ``fy`` and ``q`` parameters name, or the default (latest) one.

    ``fy`` is a fiscal year number ("2026"); ``q`` a quarter number ("3"). Only ``fy``: that
    year's latest quarter with results. Only ``q``: that quarter of the latest fiscal year.
    Raises :class:`QuarterChoiceError` for anything else, or for a quarter without results.
    None when nothing is published at all (and no parameter was given).
    """
    fy, q = (fy or "").strip(), (q or "").strip()
    latest = default_quarter(offered)
    if not fy and not q:
        return latest
    year: int | None = None
    number: int | None = None
    if fy:
        cleaned = fy.upper().removeprefix("FY").removeprefix("AF").strip()
        if not (cleaned.isdigit() and len(cleaned) == 4):
            raise QuarterChoiceError("bad_fy", fy)
        year = int(cleaned)
    if q:
        cleaned = q.upper().removeprefix("Q").removeprefix("T").strip()
        if cleaned not in ("1", "2", "3", "4"):
            raise QuarterChoiceError("bad_q", q)
        number = int(cleaned)
    if latest is None:
        raise QuarterChoiceError("no_data", f"{fy} {q}".strip())
    if year is None:
        year = latest.fiscal_year
    if number is None:
        inside = [o for o in offered if o.fiscal_year == year]
        if not inside:
            raise QuarterChoiceError("no_data", fy)
        return max(inside)
    chosen = Quarter(year, number)
    if chosen not in set(offered):
        raise QuarterChoiceError("no_data", f"{fy} {q}".strip(), chosen)
    return chosen


# -- movement --------------------------------------------------------------------------------


class Movement(StrEnum):
    IMPROVED = "improved"
    DECLINED = "declined"
    STEADY = "steady"  # within the margin of error, or below the threshold
    NOT_COMPARABLE = "not_comparable"  # a side not reported, a series break, no sample size


class ChangeReason(StrEnum):
    BEYOND_MARGIN = "beyond_margin"
    WITHIN_MARGIN = "within_margin"
    BELOW_MINIMUM = "below_minimum"  # beyond the margin of error, but under a point
    BEYOND_THRESHOLD = "beyond_threshold"
    BELOW_THRESHOLD = "below_threshold"
    NOT_REPORTED = "not_reported"
    SERIES_BREAK = "series_break"
    NO_SAMPLE_SIZE = "no_sample_size"
    ROLLED_UP = "rolled_up"  # a roll-up of services' standards, not a sample of the measure


@dataclass(frozen=True)
class Change:
    """The change from an earlier result to a later one, and whether it counts as movement.

    ``difference`` is in the raw scale (later minus earlier; None when not comparable);
    ``margin`` is the 95% margin of error of the difference in the raw scale (shares only);
    ``score_change`` the change on the 0-100 score (for ranking movers).
    """

    difference: float | None
    movement: Movement
    reason: ChangeReason
    margin: float | None = None
    score_change: float | None = None

    @property
    def moved(self) -> bool:
        return self.movement in (Movement.IMPROVED, Movement.DECLINED)


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def difference_margin(share_a: float, n_a: float, share_b: float, n_b: float) -> float:
    """95% margin of error of the difference of two shares (fractions), pooled as in the test.

    |a - b| > this margin exactly when :func:`dashboard.domain.stats.significant_change` says the
    change is significant.
    """
    return Z_95 * pooled_standard_error(share_a, n_a, share_b, n_b)


def judge_change(
    metric: MetricInfo,
    earlier: float | None,
    earlier_n: float | None,
    later: float | None,
    later_n: float | None,
    *,
    series_break: bool = False,
    earlier_score: float | None = None,
    later_score: float | None = None,
) -> Change:
    """Whether ``later`` moved from ``earlier`` (see the module docstring for the rules)."""
    if _missing(earlier) or _missing(later):
        return Change(None, Movement.NOT_COMPARABLE, ChangeReason.NOT_REPORTED)
    assert earlier is not None and later is not None
    if series_break:
        return Change(None, Movement.NOT_COMPARABLE, ChangeReason.SERIES_BREAK)
    difference = later - earlier
    score_change = (
        None if earlier_score is None or later_score is None else later_score - earlier_score
    )
    better = Movement.IMPROVED if (difference > 0) == (metric.direction != "lower") else None
    direction = better or Movement.DECLINED
    if metric.scale in SHARE_SCALES:
        factor = SHARE_SCALES[metric.scale]
        if _missing(earlier_n) or _missing(later_n) or not earlier_n or not later_n:
            return Change(difference, Movement.NOT_COMPARABLE, ChangeReason.NO_SAMPLE_SIZE)
        assert earlier_n is not None and later_n is not None
        share_a = min(max(earlier / factor, 0.0), 1.0)
        share_b = min(max(later / factor, 0.0), 1.0)
        margin = difference_margin(share_a, earlier_n, share_b, later_n) * factor
        if significant_change(share_a, earlier_n, share_b, later_n):
            if abs(share_b - share_a) * 100.0 < MIN_SHARE_CHANGE_POINTS:
                return Change(
                    difference, Movement.STEADY, ChangeReason.BELOW_MINIMUM, margin, score_change
                )
            return Change(difference, direction, ChangeReason.BEYOND_MARGIN, margin, score_change)
        return Change(difference, Movement.STEADY, ChangeReason.WITHIN_MARGIN, margin, score_change)
    if earlier != 0 and abs(difference) >= RELATIVE_CHANGE_THRESHOLD * abs(earlier):
        return Change(difference, direction, ChangeReason.BEYOND_THRESHOLD, None, score_change)
    return Change(difference, Movement.STEADY, ChangeReason.BELOW_THRESHOLD, None, score_change)


def break_between(readings: Iterable[Reading], after: dt.date, until: dt.date) -> bool:
    """True when a series break starts after ``after`` and on or before ``until``.

    A break marks the first period measured the new way, so comparing a result before it
    with one from its start on compares two different measures.
    """
    return any(r.series_break and after < r.period_start <= until for r in readings)


# -- comparison rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class Agency:
    slug: str
    name: str  # in the review's language


@dataclass(frozen=True)
class ComparisonRow:
    """One agency's headline measure of one dimension: this quarter against two others."""

    agency_slug: str
    agency_name: str
    dimension: str
    metric: MetricInfo
    this: Cell
    previous: Cell
    year_ago: Cell
    change_previous: Change
    change_year_ago: Change
    target: TargetSpec | None  # in force on the quarter's last day
    trend: tuple[float | None, ...]  # raw values, TREND_QUARTERS quarters, oldest first
    last_reported: ReviewPeriod | None  # latest quarter before this one with a result

    @property
    def status(self) -> Status:
        return self.this.status


@dataclass(frozen=True)
class Thresholds:
    """The small-sample settings the cells are judged with."""

    small_sample_threshold: int
    small_sample_policy: str


def _cell(
    metric: MetricInfo,
    readings: Sequence[Reading],
    targets: Sequence[TargetSpec],
    bounds: tuple[dt.date, dt.date],
    thresholds: Thresholds,
    language: str,
    granularity: str = "quarter",
) -> Cell:
    start, end = bounds
    return score_cell(
        metric,
        period_result(readings, start, end, granularity, metric.scale),
        targets,
        start,
        end,
        small_sample_threshold=thresholds.small_sample_threshold,
        small_sample_policy=thresholds.small_sample_policy,
        language=language,
    )


def compare_cells(
    metric: MetricInfo,
    earlier: Cell,
    later: Cell,
    readings: Sequence[Reading],
    earlier_end: dt.date,
    later_end: dt.date,
) -> Change:
    """The change between two quarters' cells (a hidden small sample counts as not reported).

    A cell rolled up from services' standards is not compared: a share of standards met is
    not a sample of the measure.
    """
    if earlier.rollup is not None or later.rollup is not None:
        return Change(None, Movement.NOT_COMPARABLE, ChangeReason.ROLLED_UP)
    return judge_change(
        metric,
        earlier.value,
        earlier.denominator,
        later.value,
        later.denominator,
        series_break=break_between(readings, earlier_end, later_end),
        earlier_score=earlier.score,
        later_score=later.score,
    )


def comparison_rows(
    calendar: FiscalCalendar,
    quarter: ReviewPeriod,
    agencies: Sequence[Agency],
    metrics: Mapping[str, MetricInfo],
    readings: Mapping[tuple[str, str], Sequence[Reading]],
    targets: Mapping[tuple[str, str], Sequence[TargetSpec]],
    thresholds: Thresholds,
    language: str,
    *,
    services: Mapping[str, Sequence[Service]] | None = None,
    dimension_metrics: Mapping[str, Sequence[MetricInfo]] | None = None,
) -> list[ComparisonRow]:
    """A row per agency and dimension (``metrics``: the headline measure of each dimension).

    With ``services`` (by agency slug) and ``dimension_metrics`` (every measure of each
    dimension), an agency without a figure of its own in a period gets the roll-up of its
    services' standards (:func:`dashboard.domain.service_rollup.agency_cell`); their readings and
    targets are in ``readings`` and ``targets`` under the services' slugs.
    """
    window = quarters_up_to(
        calendar, quarter, TREND_YEARS if isinstance(quarter, FiscalYear) else TREND_QUARTERS
    )
    previous = previous_quarter(calendar, quarter)
    year_ago = same_quarter_last_year(quarter)
    bounds = {q: quarter_bounds(calendar, q) for q in {*window, previous, year_ago}}
    this_start, this_end = bounds[quarter]
    granularity = granularity_of(quarter)
    rows = []
    for agency in agencies:
        own_services = (services or {}).get(agency.slug, ())
        for dimension, metric in metrics.items():
            own = readings.get((agency.slug, metric.code), ())
            goals = targets.get((agency.slug, metric.code), ())
            measures = (dimension_metrics or {}).get(dimension, ())

            def cell(
                q: ReviewPeriod,
                own=own,
                goals=goals,
                metric=metric,
                own_services=own_services,
                measures=measures,
            ) -> Cell:
                result = _cell(metric, own, goals, bounds[q], thresholds, language, granularity)
                start, end = bounds[q]
                # The agency's own figure heads the cell: its services' standards are not needed.
                if not own_services or has_own_figure(own, start, end):
                    return result
                standards = service_standards(
                    own_services,
                    measures,
                    metric,
                    readings,
                    targets,
                    start,
                    end,
                    granularity,
                    small_sample_threshold=thresholds.small_sample_threshold,
                    small_sample_policy=thresholds.small_sample_policy,
                    language=language,
                )
                return agency_cell(result, own, metric, standards, start, end)

            this, before, year_before = cell(quarter), cell(previous), cell(year_ago)
            # Hidden small samples stay hidden in the sparkline too; a share of standards
            # met is not on the measure's scale, so it is not drawn.
            trend = tuple(
                (c.value if c.rollup is None else None)
                for c in (cell(q) if q != quarter else this for q in window)
            )
            rows.append(
                ComparisonRow(
                    agency_slug=agency.slug,
                    agency_name=agency.name,
                    dimension=dimension,
                    metric=metric,
                    this=this,
                    previous=before,
                    year_ago=year_before,
                    change_previous=compare_cells(
                        metric, before, this, own, bounds[previous][1], this_end
                    ),
                    change_year_ago=compare_cells(
                        metric, year_before, this, own, bounds[year_ago][1], this_end
                    ),
                    target=targets_in_force(goals, this_start, this_end),
                    trend=trend,
                    last_reported=last_reported(calendar, own, this_start, like=quarter),
                )
            )
    return rows


def last_reported(
    calendar: FiscalCalendar,
    readings: Iterable[Reading],
    before: dt.date,
    like: ReviewPeriod | None = None,
) -> ReviewPeriod | None:
    """The latest quarter (fiscal year, ``like`` one), ending before ``before``, in which the
    series has a result."""
    ends = [r.period_end for r in readings if r.period_end < before and not _missing(r.value)]
    if not ends:
        return None
    return period_of_day(calendar, max(ends), like or Quarter(2000, 1))


def sort_comparison_rows(rows: Iterable[ComparisonRow], sort: str) -> list[ComparisonRow]:
    """Sort the table. Rows that cannot be compared come last when sorting by change.

    "name": agency A-Z, then dimension order. "dimension": dimension order, then agency.
    "status": not met first, then not reported, no target, met. "declines" / "improvements":
    the changes that count, largest score change first; then the rest by name.
    """
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORT_KEYS)}")
    order = {dimension: index for index, dimension in enumerate(REVIEW_DIMENSIONS)}

    def by_name(row: ComparisonRow) -> tuple:
        return (fold(row.agency_name), row.agency_slug, order.get(row.dimension, 99))

    rows = sorted(rows, key=by_name)
    if sort == "name":
        return rows
    if sort == "dimension":
        return sorted(rows, key=lambda row: order.get(row.dimension, 99))
    if sort == "status":
        return sorted(rows, key=lambda row: _STATUS_ORDER[row.status])
    wanted = Movement.DECLINED if sort == "declines" else Movement.IMPROVED
    ranked = movers(rows, wanted, limit=None)
    return ranked + [row for row in rows if row not in ranked]


# -- the review's questions ------------------------------------------------------------------


def _size(change: Change) -> float:
    """How big a change is for ranking: the 0-100 score change, else the raw difference."""
    if change.score_change is not None:
        return abs(change.score_change)
    return abs(change.difference or 0.0)


def movers(
    rows: Iterable[ComparisonRow], movement: Movement, *, limit: int | None = MOVERS_LIMIT
) -> list[ComparisonRow]:
    """Rows whose change from the previous quarter counts and goes this way, biggest first."""
    moved = [row for row in rows if row.change_previous.movement == movement]
    moved.sort(key=lambda row: -_size(row.change_previous))
    return moved if limit is None else moved[:limit]


@dataclass(frozen=True)
class MissedTarget:
    row: ComparisonRow
    shortfall: float  # raw scale, always positive: how far the result is from the target


def missed_targets(rows: Iterable[ComparisonRow]) -> list[MissedTarget]:
    """This quarter's results judged "not met".

    Shares first, furthest from their target (in points) first; then other scales, whose
    gaps do not compare with points, by agency name.
    """
    missed = []
    for row in rows:
        if row.status != Status.NOT_MET or row.this.value is None:
            continue
        goal = row.target.value if row.target is not None else None
        missed.append(MissedTarget(row, abs(row.this.value - goal) if goal is not None else 0.0))

    def key(item: MissedTarget) -> tuple:
        factor = SHARE_SCALES.get(item.row.metric.scale)
        points = item.shortfall * 100.0 / factor if factor else 0.0
        return (factor is None, -points, fold(item.row.agency_name), item.row.dimension)

    return sorted(missed, key=key)


def non_reporters(rows: Iterable[ComparisonRow]) -> list[ComparisonRow]:
    """Rows whose agency did not report this period, exactly as the overview counts them.

    The overview's "did not report" is the enterprise roll-up's: every unit
    :func:`dashboard.domain.service_rollup.enterprise_units` counts whose status is "not
    reported" (:func:`dashboard.domain.rollups.units_meeting_targets`). The same two functions
    decide here, so the meeting and the public see the same agencies for the same period,
    however long ago they last reported (the list says when). A result hidden under the
    "suppress" small-sample policy counts as not reported there, and so here (its row says
    why). Agencies reviewed through their services' standards are listed per standard
    (:func:`silent_standards`). Rows keep their order.
    """
    rows = list(rows)
    silent = _not_reported_units(rows)
    return [
        row
        for row in rows
        if row.this.rollup is None and (row.dimension, row.agency_slug) in silent
    ]


def _not_reported_units(rows: Sequence[ComparisonRow]) -> set[tuple[str, str]]:
    """(dimension, unit key) of every unit the enterprise roll-up of each dimension counts as
    not reported: an agency by its slug, a service standard by its key."""
    by_dimension: dict[str, list[ComparisonRow]] = {}
    for row in rows:
        by_dimension.setdefault(row.dimension, []).append(row)
    silent: set[tuple[str, str]] = set()
    for dimension, own in by_dimension.items():
        units = enterprise_units(((r.agency_slug, r.agency_name, r.this) for r in own), "en")
        silent.update(
            (dimension, key) for key in units_meeting_targets(units.statuses).not_reported
        )
    return silent


@dataclass(frozen=True)
class SilentStandard:
    """A service standard of an agency reviewed through its services that did not report
    (counted as not reported by the overview's roll-up too)."""

    row: ComparisonRow
    standard: StandardResult
    last_reported: ReviewPeriod | None  # None: not in the periods read


def silent_standards(
    calendar: FiscalCalendar,
    rows: Iterable[ComparisonRow],
    quarter: ReviewPeriod,
    readings: Mapping[tuple[str, str], Sequence[Reading]],
) -> list[SilentStandard]:
    """The service standards not reported this period of the rows rolled up from services,
    as the overview counts them (:func:`non_reporters`), each with the last period it
    reported. ``readings`` are keyed by (service slug, metric code)."""
    rows = list(rows)
    silent_units = _not_reported_units(rows)
    start = quarter_bounds(calendar, quarter)[0]
    silent = []
    for row in rows:
        if row.this.rollup is None:
            continue
        for standard in row.this.rollup.standards:
            if (row.dimension, standard.key) not in silent_units:
                continue
            series = readings.get((standard.service_slug, standard.metric.code), ())
            silent.append(
                SilentStandard(row, standard, last_reported(calendar, series, start, like=quarter))
            )
    return silent


# -- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRecord:
    """A published action as plain data (in the review's language)."""

    action_id: int
    unit_slug: str  # the agency or the service that took it
    unit_name: str
    agency_slug: str
    title: str
    description: str | None
    started_on: dt.date | None
    completed_on: dt.date | None
    link: str | None
    metric_codes: tuple[str, ...]
    #: The status the agency published ("planned", "in_progress", "completed"); None: judge
    #: from the dates alone.
    published_status: str | None = None


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


def status_as_of(action: ActionRecord, day: dt.date) -> ActionStatus:
    """The action's status on ``day``, from its dates (not its status today). An action the
    agency still calls planned had not started on any day, whatever its planned start date."""
    if action.published_status == ActionStatus.PLANNED:
        return ActionStatus.PLANNED
    if action.completed_on is not None and action.completed_on <= day:
        return ActionStatus.COMPLETED
    if action.started_on is not None and action.started_on <= day:
        return ActionStatus.IN_PROGRESS
    return ActionStatus.PLANNED


def actions_in_quarter(
    actions: Iterable[ActionRecord], start: dt.date, end: dt.date
) -> list[ActionRecord]:
    """Actions started or completed from ``start`` to ``end``, by start date."""

    def inside(day: dt.date | None) -> bool:
        return day is not None and start <= day <= end

    chosen = [a for a in actions if inside(a.started_on) or inside(a.completed_on)]
    return sorted(chosen, key=lambda a: (a.started_on or end, a.action_id))


def actions_under_way(
    actions: Iterable[ActionRecord], start: dt.date, end: dt.date
) -> list[ActionRecord]:
    """What is being done, as of the period's last day: every action in progress then (started
    on or before ``end`` and not completed by it, whenever it started), every action still
    planned, and the actions started or completed during the period (``start`` to ``end``).

    In progress first, then planned, then completed; each by start date. A plan stays on the
    list until it is done: the meeting sees it beside the target it addresses, not only the
    quarter it started in.
    """
    chosen = []
    for action in actions:
        status = status_as_of(action, end)
        if status == ActionStatus.PLANNED and action.published_status not in (
            None,
            ActionStatus.PLANNED,
        ):
            # Started (or done) since, by the agency's word: whether it was planned by then
            # is not known, so an earlier review does not claim it was.
            continue
        during = any(
            day is not None and start <= day <= end
            for day in (action.started_on, action.completed_on)
        )
        if status != ActionStatus.COMPLETED or during:
            chosen.append((status, action))
    order = {ActionStatus.IN_PROGRESS: 0, ActionStatus.PLANNED: 1, ActionStatus.COMPLETED: 2}
    chosen.sort(key=lambda item: (order[item[0]], item[1].started_on or end, item[1].action_id))
    return [action for _status, action in chosen]


@dataclass(frozen=True)
class Addressed:
    """A measure an action addresses, for the unit that took it, in the reviewed period:
    its result, the target in force and the status against it (the cell's)."""

    metric: MetricInfo
    cell: Cell

    @property
    def dimension(self) -> str:
        return self.metric.dimension


@dataclass(frozen=True)
class FollowUp:
    """What one measure did after an action started (not what the action caused)."""

    metric: MetricInfo
    before_quarter: ReviewPeriod  # the quarter before the action started
    after_quarter: ReviewPeriod  # the reviewed quarter
    before: Cell
    after: Cell
    change: Change
    too_early: bool  # the action started during the reviewed quarter


@dataclass(frozen=True)
class ReviewedAction:
    action: ActionRecord
    status: ActionStatus  # as of the quarter's last day
    follow_ups: tuple[FollowUp, ...] = field(default_factory=tuple)
    #: The measures it addresses with their results and targets this period.
    addresses: tuple[Addressed, ...] = field(default_factory=tuple)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The dimensions of the measures it addresses, in order, once each."""
        return tuple(dict.fromkeys(item.dimension for item in self.addresses))


def what_followed(
    calendar: FiscalCalendar,
    action: ActionRecord,
    quarter: ReviewPeriod,
    metrics: Mapping[str, MetricInfo],
    readings: Mapping[tuple[str, str], Sequence[Reading]],
    targets: Mapping[tuple[str, str], Sequence[TargetSpec]],
    thresholds: Thresholds,
    language: str,
) -> tuple[FollowUp, ...]:
    """For each measure the action addresses (that ``metrics`` knows), before against after.

    Before: the unit's result in the quarter before the one the action started in. After:
    the reviewed quarter. Readings and targets are keyed by (unit slug, metric code).
    """
    if action.started_on is None:
        return ()
    started = period_of_day(calendar, action.started_on, quarter)
    if started > quarter:  # type: ignore[operator]
        return ()
    before_q = previous_quarter(calendar, started)
    before_bounds = quarter_bounds(calendar, before_q)
    after_bounds = quarter_bounds(calendar, quarter)
    follow_ups = []
    for code in action.metric_codes:
        metric = metrics.get(code)
        if metric is None:
            continue
        own = readings.get((action.unit_slug, code), ())
        goals = targets.get((action.unit_slug, code), ())
        granularity = granularity_of(quarter)
        before = _cell(metric, own, goals, before_bounds, thresholds, language, granularity)
        after = _cell(metric, own, goals, after_bounds, thresholds, language, granularity)
        follow_ups.append(
            FollowUp(
                metric=metric,
                before_quarter=before_q,
                after_quarter=quarter,
                before=before,
                after=after,
                change=compare_cells(metric, before, after, own, before_bounds[1], after_bounds[1]),
                too_early=started == quarter,
            )
        )
    return tuple(follow_ups)


def addressed_targets(
    action: ActionRecord,
    quarter: ReviewPeriod,
    calendar: FiscalCalendar,
    metrics: Mapping[str, MetricInfo],
    readings: Mapping[tuple[str, str], Sequence[Reading]],
    targets: Mapping[tuple[str, str], Sequence[TargetSpec]],
    thresholds: Thresholds,
    language: str,
) -> tuple[Addressed, ...]:
    """Each measure the action addresses (that ``metrics`` knows), for the unit that took it,
    in the reviewed period: result, target and status. A planned action has them too: the
    meeting sees the target a plan is meant to move."""
    bounds = quarter_bounds(calendar, quarter)
    granularity = granularity_of(quarter)
    found = []
    for code in action.metric_codes:
        metric = metrics.get(code)
        if metric is None:
            continue
        own = readings.get((action.unit_slug, code), ())
        goals = targets.get((action.unit_slug, code), ())
        found.append(
            Addressed(metric, _cell(metric, own, goals, bounds, thresholds, language, granularity))
        )
    return tuple(found)


def review_actions(
    calendar: FiscalCalendar,
    quarter: ReviewPeriod,
    actions: Iterable[ActionRecord],
    metrics: Mapping[str, MetricInfo],
    readings: Mapping[tuple[str, str], Sequence[Reading]],
    targets: Mapping[tuple[str, str], Sequence[TargetSpec]],
    thresholds: Thresholds,
    language: str,
) -> list[ReviewedAction]:
    """What is being done (:func:`actions_under_way`), each action with its status on the
    period's last day, the targets it addresses and what followed it."""
    start, end = quarter_bounds(calendar, quarter)
    return [
        ReviewedAction(
            action=action,
            status=status_as_of(action, end),
            follow_ups=what_followed(
                calendar, action, quarter, metrics, readings, targets, thresholds, language
            ),
            addresses=addressed_targets(
                action, quarter, calendar, metrics, readings, targets, thresholds, language
            ),
        )
        for action in actions_under_way(actions, start, end)
    ]


def actions_by_target(
    rows: Iterable[ComparisonRow], actions: Iterable[ReviewedAction]
) -> dict[tuple[str, str], list[ReviewedAction]]:
    """The actions beside each row they address, by (agency slug, dimension): an action of the
    agency or of one of its services that addresses a measure of the row's dimension."""
    actions = list(actions)
    found: dict[tuple[str, str], list[ReviewedAction]] = {}
    for row in rows:
        key = (row.agency_slug, row.dimension)
        for item in actions:
            if item.action.agency_slug == row.agency_slug and row.dimension in item.dimensions:
                found.setdefault(key, []).append(item)
    return found
