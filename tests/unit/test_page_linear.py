"""The trends and the target line are built in one pass (issue 12), with the same results as
scanning every figure for every period: checked against that scan on generated series."""

from __future__ import annotations

import random
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.scorecard import Reading, period_result, periods_holding
from dashboard.domain.targets import TargetSpec
from dashboard.views.agency.panels import _targets_at

CALENDAR = FiscalCalendar()


def _series(rng: random.Random, first_year: int, years: int) -> list[Reading]:
    """Months, quarters and fiscal years, some missing, some "no data", some breaks."""
    found = []
    for year in range(first_year, first_year + years):
        fiscal_year = CALENDAR.year(year)
        if rng.random() < 0.3:
            found.append(_reading(rng, fiscal_year.start, fiscal_year.end, "fiscal_year"))
        for number in range(1, 5):
            quarter = CALENDAR.quarter_period(year, number)
            if rng.random() < 0.5:
                found.append(_reading(rng, quarter.start, quarter.end, "quarter"))
            day = quarter.start
            while day < quarter.end:
                month = CALENDAR.period_containing(day, "month")
                if rng.random() < 0.7:
                    found.append(_reading(rng, month.start, month.end, "month"))
                day = month.end + timedelta(days=1)
    rng.shuffle(found)  # no order is assumed
    return found


def _reading(rng: random.Random, start: date, end: date, granularity: str) -> Reading:
    value = None if rng.random() < 0.1 else rng.uniform(0.5, 1.0)
    denominator = rng.choice([None, float(rng.randint(1, 500))])
    numerator = None if value is None or denominator is None else value * denominator
    return Reading(
        start,
        end,
        granularity,
        value,
        numerator=numerator,
        denominator=denominator,
        revised=rng.random() < 0.1,
        series_break=rng.random() < 0.05,
    )


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("yearly", [False, True])
def test_periods_holding_gives_each_period_exactly_what_a_full_scan_does(seed, yearly):
    rng = random.Random(seed)
    readings = _series(rng, 2018, 6)
    if yearly:
        periods = [CALENDAR.year(year) for year in range(2018, 2024)]
    else:
        periods = [CALENDAR.quarter_period(y, q) for y in range(2018, 2024) for q in (1, 2, 3, 4)]
    held = periods_holding(readings, periods)
    assert len(held) == len(periods)
    for period, inside in zip(periods, held, strict=True):
        expected = [
            r for r in readings if period.start <= r.period_start and r.period_end <= period.end
        ]
        assert inside == expected
        for scale in ("fraction", "percent", "days"):
            assert period_result(
                inside, period.start, period.end, period.granularity, scale
            ) == period_result(readings, period.start, period.end, period.granularity, scale)


def test_periods_holding_with_gaps_and_figures_outside():
    periods = [CALENDAR.quarter_period(2024, 1), CALENDAR.quarter_period(2024, 3)]
    before = Reading(date(2020, 1, 1), date(2020, 1, 31), "month", 0.5)
    between = Reading(
        periods[0].end + timedelta(days=1), periods[0].end + timedelta(days=20), "month", 0.5
    )
    straddling = Reading(periods[0].start, periods[1].end, "fiscal_year", 0.5)
    inside = Reading(periods[1].start, periods[1].start + timedelta(days=27), "month", 0.5)
    held = periods_holding([before, between, straddling, inside], periods)
    assert held == [[], [inside]]
    assert periods_holding([inside], []) == []


def _naive(series, xs):
    return [next((p.target for p in series.points if p.x >= x), None) for x in xs]


def _target(value: float) -> TargetSpec:
    return TargetSpec(
        kind="numeric",
        value=value,
        comparator=">=",
        effective_from=date(2000, 1, 1),
        effective_to=None,
        text=None,
    )


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("ordered", [True, False])
def test_targets_at_matches_the_first_point_at_or_after_each_x(seed, ordered):
    rng = random.Random(seed)
    days = sorted({date(2020, 1, 1) + timedelta(days=rng.randint(0, 2000)) for _ in range(60)})
    points = [
        SimpleNamespace(x=day.isoformat(), target=rng.choice([None, _target(rng.random())]))
        for day in days
    ]
    if not ordered:
        rng.shuffle(points)
    series = SimpleNamespace(points=tuple(points))
    xs = sorted(
        [p.x for p in points]
        + [(date(2019, 6, 1) + timedelta(days=rng.randint(0, 2300))).isoformat() for _ in range(40)]
    )
    assert _targets_at(series, xs) == _naive(series, xs)  # type: ignore[arg-type]
