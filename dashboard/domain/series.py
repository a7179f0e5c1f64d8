"""A metric's trend series: the periods, the numbers to draw, and what each one means.

One function, :func:`build_series`, turns published observations of one metric for one unit
(and one segment) into a :class:`MetricSeries`: a point for every expected period, including
periods with no row at all (those are "not reported", never zero), each with its display value,
the Wilson interval of a survey proportion, the target in force and the status judged against
it, the small-sample flag (or suppression), the series break, and the earlier value of a
revised figure. The trace helpers then draw it honestly:

- a not-reported or suppressed period is a ``None`` in the line (a gap, never a zero);
- a series break puts an extra ``None`` just before the break point, so the new method is
  never joined to the old one;
- the target in force is a dated step line: one value per period end, plus a step at the
  date a changed target took effect.

Pure functions on plain data: the view module does the querying.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from dashboard.domain.fiscal import FiscalCalendar, Period
from dashboard.domain.formatting import display_value
from dashboard.domain.stats import is_small_sample, wilson_interval
from dashboard.domain.targets import Status, TargetSpec, judge, targets_in_force

SMALL_SAMPLE_POLICIES = ("flag", "suppress")

#: Scales on which a survey result is a proportion (and so gets a Wilson interval).
PROPORTION_SCALES = ("fraction", "percent")


@dataclass(frozen=True)
class ObservationRow:
    """One published observation, as the series needs it (a plain mirror of the query row)."""

    period_start: dt.date
    period_end: dt.date
    raw_value: float | None
    numerator: float | None = None
    denominator: float | None = None
    series_break: bool = False
    #: The first published value of a figure that was revised later (None if never revised).
    earlier_value: float | None = None
    revised_at: dt.datetime | dt.date | None = None
    #: Why the figure was revised, as its agency stated it (public text; None when none was).
    revision_reason: str | None = None


@dataclass(frozen=True)
class SeriesPoint:
    """One period of a series. ``value`` and the other display numbers are what people see."""

    period: Period
    label: str
    #: The raw value judged against the target; None when not reported or suppressed.
    raw: float | None
    #: Display value (fraction -> percent, rounded); None when not reported or suppressed.
    value: float | int | None
    reported: bool  # a value was published for the period (even if it is suppressed here)
    suppressed: bool  # published but hidden: too few responses under the "suppress" policy
    small_sample: bool
    responses: float | None  # survey responses, or total volume for administrative data
    interval: tuple[float, float] | None  # Wilson 95% interval in display units
    target: TargetSpec | None
    target_value: float | int | None  # a numeric target in display units
    #: None when the value is suppressed (it is not judged in public).
    status: Status | None
    series_break: bool
    revised: bool
    earlier_value: float | int | None  # display units; None unless revised
    revised_on: dt.date | None
    #: The agency's stated reason for the revision; None unless revised and one was given.
    revision_reason: str | None = None

    @property
    def x(self) -> str:
        """Where the point sits on a time axis: its period's last day."""
        return self.period.end.isoformat()


@dataclass(frozen=True)
class MetricSeries:
    """A metric's points for one unit (and segment), oldest first."""

    scale: str
    direction: str  # "higher" or "lower" is better
    granularity: str
    is_survey: bool
    points: tuple[SeriesPoint, ...]

    @property
    def has_band(self) -> bool:
        """Survey proportions get an uncertainty band; means, times and counts do not."""
        return self.is_survey and self.scale in PROPORTION_SCALES

    @property
    def reported_points(self) -> list[SeriesPoint]:
        """Points with a value people can see (not reported and suppressed left out)."""
        return [point for point in self.points if point.value is not None]

    @property
    def latest(self) -> SeriesPoint | None:
        return self.points[-1] if self.points else None

    @property
    def latest_reported(self) -> SeriesPoint | None:
        reported = self.reported_points
        return reported[-1] if reported else None

    @property
    def breaks(self) -> list[SeriesPoint]:
        """Points where the method changed (the first point of each new method), after the
        first point: a break at the very start separates nothing."""
        return [point for point in self.points[1:] if point.series_break]

    def since_last_break(self) -> list[SeriesPoint]:
        """The points comparable with the latest one: those since the last series break."""
        breaks = self.breaks
        if not breaks:
            return list(self.points)
        return [point for point in self.points if point.period >= breaks[-1].period]

    def restrict(self, start: dt.date | None, end: dt.date | None) -> MetricSeries:
        """The points whose period lies within ``start``-``end`` (either may be open)."""
        kept = tuple(
            point
            for point in self.points
            if (start is None or point.period.start >= start)
            and (end is None or point.period.end <= end)
        )
        return replace(self, points=kept)

    def target_changes(self) -> list[tuple[SeriesPoint, SeriesPoint]]:
        """(before, after) pairs of consecutive points whose target in force differs."""
        return [
            (before, after)
            for before, after in zip(self.points, self.points[1:], strict=False)
            if before.target != after.target
        ]


def expected_periods(
    fiscal: FiscalCalendar, granularity: str, first: dt.date, last: dt.date
) -> list[Period]:
    """Every period of ``granularity`` from the one containing ``first`` to the last one that
    ends on or before ``last`` (a period still under way is not expected yet)."""
    periods: list[Period] = []
    period = fiscal.period_containing(first, granularity)
    while period.end <= last:
        periods.append(period)
        period = fiscal.period_containing(period.end + dt.timedelta(days=1), granularity)
    return periods


def build_series(
    observations: Iterable[ObservationRow],
    *,
    granularity: str,
    scale: str,
    direction: str = "higher",
    is_survey: bool = False,
    targets: Sequence[TargetSpec] = (),
    fiscal: FiscalCalendar,
    language: str = "en",
    small_sample_threshold: int = 30,
    small_sample_policy: str = "flag",
    through: dt.date | None = None,
) -> MetricSeries:
    """The series of one metric from its observations (one unit, one segment, one granularity).

    ``through`` is the end of the latest period anyone has reported for the metric: periods
    after this unit's last row up to it are included as not reported, so a unit that skipped
    the latest quarter shows that gap rather than quietly ending early. Periods between the
    first and last row with no row at all are not reported too.
    """
    if small_sample_policy not in SMALL_SAMPLE_POLICIES:
        raise ValueError(
            f"unknown small-sample policy {small_sample_policy!r}; "
            f"use one of {', '.join(SMALL_SAMPLE_POLICIES)}"
        )
    rows = {row.period_end: row for row in observations}
    if not rows:
        return MetricSeries(scale, direction, granularity, is_survey, ())
    first = min(row.period_start for row in rows.values())
    last = max(rows)
    if through is not None and through > last:
        last = through
    periods = {period.end: period for period in expected_periods(fiscal, granularity, first, last)}
    # A row whose bounds are not a whole period of this calendar (data from elsewhere) is
    # still shown, as its own period, rather than dropped.
    for end, row in rows.items():
        if end not in periods or periods[end].start != row.period_start:
            periods[end] = Period(row.period_start, row.period_end, granularity)
    points = tuple(
        _point(
            period,
            rows.get(end),
            scale=scale,
            is_survey=is_survey,
            targets=targets,
            fiscal=fiscal,
            language=language,
            threshold=small_sample_threshold,
            suppress=small_sample_policy == "suppress",
        )
        for end, period in sorted(periods.items())
    )
    return MetricSeries(scale, direction, granularity, is_survey, points)


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _clean(value: float | None) -> float | None:
    return None if _missing(value) else float(value)  # type: ignore[arg-type]


def _point(
    period: Period,
    row: ObservationRow | None,
    *,
    scale: str,
    is_survey: bool,
    targets: Sequence[TargetSpec],
    fiscal: FiscalCalendar,
    language: str,
    threshold: int,
    suppress: bool,
) -> SeriesPoint:
    target = targets_in_force(targets, period.start, period.end)
    target_value = (
        display_value(target.value, scale)
        if target is not None and target.kind == "numeric"
        else None
    )
    label = fiscal.period_label(period, language)
    raw = _clean(row.raw_value) if row else None
    responses = _clean(row.denominator) if row else None
    reported = raw is not None
    small = reported and is_survey and is_small_sample(responses, threshold)
    hidden = small and suppress
    earlier = _clean(row.earlier_value) if row else None
    revised = row is not None and (earlier is not None or row.revised_at is not None)
    shown = None if hidden else raw
    return SeriesPoint(
        period=period,
        label=label,
        raw=shown,
        # Beside its status: never rounded into the other side of the target (precision rule).
        value=display_value(shown, scale, target),
        reported=reported,
        suppressed=hidden,
        small_sample=small,
        responses=responses,
        interval=None if hidden or row is None else _interval(row, scale, is_survey),
        target=target,
        target_value=target_value,
        status=None if hidden else judge(raw, target),
        series_break=bool(row.series_break) if row else False,
        revised=revised and not hidden,
        earlier_value=None if hidden else display_value(earlier, scale),
        revised_on=_day(row.revised_at) if row is not None and revised and not hidden else None,
        revision_reason=row.revision_reason if row is not None and revised and not hidden else None,
    )


def _day(moment: dt.datetime | dt.date | None) -> dt.date | None:
    if moment is None:
        return None
    return moment.date() if isinstance(moment, dt.datetime) else moment


def _interval(row: ObservationRow, scale: str, is_survey: bool) -> tuple[float, float] | None:
    """The Wilson 95% interval of a survey proportion, from its numerator and denominator.

    When only the share and the number of responses were published, the agreeing count is
    the share times the responses. Display units, rounded like the value itself.
    """
    if not is_survey or scale not in PROPORTION_SCALES:
        return None
    raw = _clean(row.raw_value)
    n = _clean(row.denominator)
    if raw is None or n is None or n <= 0:
        return None
    share = raw / 100.0 if scale == "percent" else raw
    successes = _clean(row.numerator)
    if successes is None or not 0 <= successes <= n:
        if not 0 <= share <= 1:
            return None
        successes = share * n
    bounds = wilson_interval(successes, n)
    if bounds is None:
        return None
    factor = 100.0 if scale == "percent" else 1.0
    low = display_value(bounds[0] * factor, scale)
    high = display_value(bounds[1] * factor, scale)
    assert low is not None and high is not None
    return float(low), float(high)


# -- traces: what to draw ----------------------------------------------------------------------


def _with_break_gaps(series: MetricSeries) -> list[tuple[str, SeriesPoint | None]]:
    """(x, point) in order, with a (period start, None) gap before each series break."""
    drawn: list[tuple[str, SeriesPoint | None]] = []
    for index, point in enumerate(series.points):
        if point.series_break and index > 0:
            drawn.append((point.period.start.isoformat(), None))
        drawn.append((point.x, point))
    return drawn


def result_line(series: MetricSeries) -> tuple[list[str], list[float | int | None]]:
    """x (period ends) and y (display values) of the result line, gaps as None."""
    drawn = _with_break_gaps(series)
    return [x for x, _ in drawn], [point.value if point else None for _, point in drawn]


def band_lines(
    series: MetricSeries,
) -> tuple[list[str], list[float | None], list[float | None]] | None:
    """x, upper and lower bounds of the uncertainty band, or None when there is no band."""
    if not series.has_band or not any(point.interval for point in series.points):
        return None
    drawn = _with_break_gaps(series)
    xs = [x for x, _ in drawn]
    highs = [point.interval[1] if point and point.interval else None for _, point in drawn]
    lows = [point.interval[0] if point and point.interval else None for _, point in drawn]
    return xs, highs, lows


def target_step_line(series: MetricSeries) -> tuple[list[str], list[float | int | None]]:
    """The target in force as a dated step line (drawn with a horizontal-then-vertical shape).

    One value per period end (the target that period is judged against; None where there is
    no numeric target), and where the target changes an extra point on the day the new one
    took effect, so the step sits at that date rather than at the next period's end.
    """
    xs: list[str] = []
    ys: list[float | int | None] = []
    previous: SeriesPoint | None = None
    for point in series.points:
        if previous is not None and point.target != previous.target:
            step = _step_day(previous, point)
            if step is not None:
                xs.append(step.isoformat())
                ys.append(point.target_value)
        xs.append(point.x)
        ys.append(point.target_value)
        previous = point
    return xs, ys


def _step_day(before: SeriesPoint, after: SeriesPoint) -> dt.date | None:
    """The day a target change takes effect, kept strictly between the two period ends."""
    if after.target is not None:
        day = after.target.effective_from
    elif before.target is not None and before.target.effective_to is not None:
        day = before.target.effective_to + dt.timedelta(days=1)
    else:
        day = after.period.start
    day = max(day, before.period.end + dt.timedelta(days=1))
    if day >= after.period.end:
        return None  # the period end itself already carries the new value
    return day


def has_numeric_target(series: MetricSeries) -> bool:
    return any(point.target_value is not None for point in series.points)


def value_near(series: MetricSeries, day: dt.date) -> float | int | None:
    """A y value on (or near) the result line at ``day``, for placing an action marker.

    The value of the period containing the day if it was reported, else the last shown value
    before the day, else the first one after it.
    """
    before: float | int | None = None
    for point in series.points:
        if point.period.contains(day) and point.value is not None:
            return point.value
        if point.period.end < day and point.value is not None:
            before = point.value
    if before is not None:
        return before
    after = [p.value for p in series.points if p.period.start > day and p.value is not None]
    return after[0] if after else None


def marker_day(
    started_on: dt.date,
    completed_on: dt.date | None,
    window_start: dt.date | None,
    window_end: dt.date | None,
) -> dt.date | None:
    """Where an action's marker goes on a chart covering ``window_start``-``window_end``.

    Its start date when that falls in the window; otherwise its completion date when that
    does; otherwise, for an action under way through the whole window, the window's start.
    None when the action does not overlap the window at all.
    """

    def inside(day: dt.date) -> bool:
        return (window_start is None or day >= window_start) and (
            window_end is None or day <= window_end
        )

    if inside(started_on):
        return started_on
    if completed_on is not None and inside(completed_on):
        return completed_on
    still_under_way = completed_on is None or (window_end is not None and completed_on > window_end)
    if window_start is not None and started_on < window_start and still_under_way:
        return window_start
    return None


#: At most this many labelled ticks on a chart's x axis (beyond it, every n-th period).
MAX_PERIOD_TICKS = 12


def period_ticks(*series: MetricSeries) -> tuple[tuple[str, str], ...]:
    """The x-axis ticks of a chart of ``series``: (period end, period label) per period.

    A quarterly chart is labelled "FY2025 Q2", never with the days Plotly picks for a short
    date axis. Beyond :data:`MAX_PERIOD_TICKS` periods every n-th one is labelled, counting
    back from the latest, which always is.
    """
    return thin_ticks((point.x, point.label) for one in series for point in one.points)


def thin_ticks(ticks: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(period end, label) ticks in date order, one per period (the first label of a date
    wins), every n-th kept beyond :data:`MAX_PERIOD_TICKS`, counting back from the latest."""
    labels: dict[str, str] = {}
    for x, label in ticks:
        labels.setdefault(x, label)
    ordered = sorted(labels.items())
    step = max(1, math.ceil(len(ordered) / MAX_PERIOD_TICKS))
    return tuple(ordered[::-1][::step][::-1])
