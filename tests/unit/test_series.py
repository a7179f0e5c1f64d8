"""Trend series: expected periods, targets as dated steps, bands, gaps, small samples, revisions."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.series import (
    ObservationRow,
    band_lines,
    build_series,
    expected_periods,
    marker_day,
    period_ticks,
    result_line,
    target_step_line,
    value_near,
)
from dashboard.domain.stats import wilson_interval
from dashboard.domain.targets import Status, TargetSpec

FEDERAL = FiscalCalendar(10, "federal")


def quarter_row(fiscal_year: int, quarter: int, value: float | None, **extra) -> ObservationRow:
    start, end = FEDERAL.quarter_bounds(fiscal_year, quarter)
    return ObservationRow(start, end, value, **extra)


def month_row(year: int, month: int, value: float | None, **extra) -> ObservationRow:
    period = FEDERAL.period_containing(date(year, month, 1), "month")
    return ObservationRow(period.start, period.end, value, **extra)


def numeric(
    value: float, start: date, end: date | None = None, comparator: str = ">="
) -> TargetSpec:
    return TargetSpec("numeric", value, comparator, start, end)


OLD = numeric(0.70, date(2021, 10, 1), date(2024, 9, 30))
NEW = numeric(0.80, date(2024, 10, 1))


def quarterly(rows, **options):
    options.setdefault("scale", "fraction")
    return build_series(rows, granularity="quarter", fiscal=FEDERAL, **options)


def test_expected_periods_cover_whole_periods_only():
    quarters = expected_periods(FEDERAL, "quarter", date(2024, 10, 1), date(2025, 8, 31))
    assert [FEDERAL.period_label(q) for q in quarters] == [
        "FY2025 Q1",
        "FY2025 Q2",
        "FY2025 Q3",
    ]  # Q4 (July-September) is still under way on August 31
    months = expected_periods(FEDERAL, "month", date(2025, 11, 15), date(2026, 2, 28))
    assert [m.start for m in months] == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_display_values_are_percentages_for_fractions_and_status_is_judged_per_period():
    series = quarterly([quarter_row(2024, 4, 0.75), quarter_row(2025, 1, 0.75)], targets=[OLD, NEW])
    assert [p.value for p in series.points] == [75.0, 75.0]
    # The same 75% met the old 70% target and misses the new 80% one.
    assert [p.status for p in series.points] == [Status.MET, Status.NOT_MET]
    assert [p.target_value for p in series.points] == [70.0, 80.0]
    assert [p.label for p in series.points] == ["FY2024 Q4", "FY2025 Q1"]


def test_target_change_is_a_step_at_its_effective_date():
    rows = [quarter_row(2024, q, 0.75) for q in (3, 4)] + [quarter_row(2025, 1, 0.82)]
    series = quarterly(rows, targets=[OLD, NEW])
    xs, ys = target_step_line(series)
    assert xs == ["2024-06-30", "2024-09-30", "2024-10-01", "2024-12-31"]
    assert ys == [70.0, 70.0, 80.0, 80.0]
    assert len(set(ys)) == 2


def test_target_step_on_a_monthly_series_sits_between_the_two_month_ends():
    rows = [month_row(2024, 9, 0.9), month_row(2024, 10, 0.9)]
    mid_month = numeric(0.95, date(2024, 10, 15))
    series = build_series(
        rows,
        granularity="month",
        scale="fraction",
        targets=[numeric(0.9, date(2020, 1, 1), date(2024, 10, 14)), mid_month],
        fiscal=FEDERAL,
    )
    xs, ys = target_step_line(series)
    assert xs == ["2024-09-30", "2024-10-15", "2024-10-31"]
    assert ys == [90.0, 95.0, 95.0]


def test_no_numeric_target_is_a_gap_in_the_target_line_never_zero():
    baseline = TargetSpec("baseline", None, ">=", date(2023, 10, 1), date(2024, 9, 30))
    rows = [quarter_row(2024, 4, 0.8), quarter_row(2025, 1, 0.9)]
    series = quarterly(rows, targets=[baseline, NEW])
    _xs, ys = target_step_line(series)
    assert ys[0] is None
    assert ys[-1] == 80.0
    assert series.points[0].status == Status.NO_TARGET
    assert 0 not in ys


def test_band_is_the_wilson_interval_of_a_survey_proportion():
    series = quarterly([quarter_row(2025, 1, 0.8, numerator=160, denominator=200)], is_survey=True)
    low, high = wilson_interval(160, 200)
    assert series.points[0].interval == (round(low * 100, 1), round(high * 100, 1))
    band = band_lines(series)
    assert band is not None
    xs, highs, lows = band
    assert xs == ["2024-12-31"]
    assert highs == [round(high * 100, 1)] and lows == [round(low * 100, 1)]


def test_band_from_share_and_responses_when_the_count_agreeing_is_not_published():
    series = quarterly([quarter_row(2025, 1, 0.8, denominator=200)], is_survey=True)
    low, high = wilson_interval(160, 200)
    assert series.points[0].interval == (round(low * 100, 1), round(high * 100, 1))


@pytest.mark.parametrize(
    ("scale", "is_survey", "value"),
    [
        ("mean_1_5", True, 4.1),  # a survey mean is not a proportion
        ("fraction", False, 0.8),  # administrative data has no sampling error
    ],
)
def test_no_band_unless_a_survey_proportion(scale, is_survey, value):
    series = quarterly(
        [quarter_row(2025, 1, value, numerator=160, denominator=200)],
        scale=scale,
        is_survey=is_survey,
    )
    assert series.points[0].interval is None
    assert band_lines(series) is None
    assert not series.has_band


def test_percent_scale_survey_band_is_in_percent():
    series = quarterly(
        [quarter_row(2025, 1, 80.0, numerator=160, denominator=200)],
        scale="percent",
        is_survey=True,
    )
    low, high = wilson_interval(160, 200)
    assert series.points[0].interval == (round(low * 100, 1), round(high * 100, 1))


def test_series_break_is_a_gap_before_the_break_point():
    rows = [
        quarter_row(2024, 4, 0.70),
        quarter_row(2025, 1, 0.60, series_break=True),
        quarter_row(2025, 2, 0.62),
    ]
    series = quarterly(rows)
    xs, ys = result_line(series)
    assert xs == ["2024-09-30", "2024-10-01", "2024-12-31", "2025-03-31"]
    assert ys == [70.0, None, 60.0, 62.0]
    assert [p.label for p in series.breaks] == ["FY2025 Q1"]
    assert [p.label for p in series.since_last_break()] == ["FY2025 Q1", "FY2025 Q2"]


def test_break_on_the_first_point_separates_nothing():
    series = quarterly([quarter_row(2025, 1, 0.6, series_break=True), quarter_row(2025, 2, 0.6)])
    assert result_line(series)[1] == [60.0, 60.0]
    assert series.breaks == []


def test_not_reported_values_and_missing_rows_are_gaps_not_zeros():
    rows = [quarter_row(2024, 3, 0.7), quarter_row(2024, 4, None), quarter_row(2025, 2, 0.8)]
    series = quarterly(rows, targets=[OLD, NEW])
    labels = [p.label for p in series.points]
    # FY2025 Q1 has no row at all: it is still a period, and it was not reported.
    assert labels == ["FY2024 Q3", "FY2024 Q4", "FY2025 Q1", "FY2025 Q2"]
    assert [p.value for p in series.points] == [70.0, None, None, 80.0]
    assert [p.status for p in series.points] == [
        Status.MET,
        Status.NOT_REPORTED,
        Status.NOT_REPORTED,
        Status.MET,
    ]
    assert result_line(series)[1] == [70.0, None, None, 80.0]
    assert series.latest_reported is series.points[-1]


def test_series_runs_through_the_latest_period_anyone_reported():
    series = quarterly([quarter_row(2025, 1, 0.7)], through=date(2025, 6, 30))
    assert [p.label for p in series.points] == ["FY2025 Q1", "FY2025 Q2", "FY2025 Q3"]
    assert series.latest is not None and series.latest.status == Status.NOT_REPORTED
    assert series.latest_reported is series.points[0]


def test_small_sample_is_flagged_under_the_flag_policy():
    rows = [quarter_row(2025, 1, 0.9, numerator=9, denominator=10)]
    series = quarterly(rows, is_survey=True, small_sample_threshold=30)
    point = series.points[0]
    assert point.small_sample and not point.suppressed
    assert point.value == 90.0 and point.status == Status.NO_TARGET
    assert point.interval is not None


def test_small_sample_is_hidden_under_the_suppress_policy():
    rows = [
        quarter_row(2025, 1, 0.9, numerator=9, denominator=10),
        quarter_row(2025, 2, 0.8, numerator=80, denominator=100),
    ]
    series = quarterly(
        rows,
        is_survey=True,
        targets=[NEW],
        small_sample_threshold=30,
        small_sample_policy="suppress",
    )
    hidden, shown = series.points
    assert hidden.suppressed and hidden.small_sample and hidden.reported
    assert hidden.value is None and hidden.raw is None and hidden.interval is None
    assert hidden.status is None  # not judged in public
    assert hidden.responses == 10  # the reason it is hidden can be shown
    assert result_line(series)[1] == [None, 80.0]
    assert shown.value == 80.0 and shown.status == Status.MET and not shown.small_sample


def test_administrative_volumes_are_never_small_samples():
    series = quarterly([quarter_row(2025, 1, 0.9, numerator=9, denominator=10)])
    assert not series.points[0].small_sample


def test_unknown_small_sample_policy_is_an_error():
    with pytest.raises(ValueError, match="small-sample policy"):
        quarterly([quarter_row(2025, 1, 0.9)], small_sample_policy="hide")


def test_revised_figure_keeps_its_earlier_value():
    revised_at = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)
    rows = [
        month_row(2026, 1, 44.08, earlier_value=37.88, revised_at=revised_at),
        month_row(2026, 2, 50.0),
    ]
    series = build_series(rows, granularity="month", scale="percent", fiscal=FEDERAL)
    revised, plain = series.points
    assert revised.revised and revised.value == 44.1 and revised.earlier_value == 37.9
    assert revised.revised_on == date(2026, 3, 10)
    assert not plain.revised and plain.earlier_value is None and plain.revised_on is None


def test_restrict_keeps_the_periods_of_a_window():
    rows = [quarter_row(2024, 4, 0.7), quarter_row(2025, 1, 0.7), quarter_row(2025, 2, 0.7)]
    series = quarterly(rows).restrict(*FEDERAL.year_bounds(2025))
    assert [p.label for p in series.points] == ["FY2025 Q1", "FY2025 Q2"]


def test_spanish_period_labels():
    series = build_series(
        [quarter_row(2025, 1, 0.7)],
        granularity="quarter",
        scale="fraction",
        fiscal=FEDERAL,
        language="es",
    )
    assert series.points[0].label == "T1 AF2025"


def test_action_markers_go_at_the_start_inside_the_window():
    window = FEDERAL.year_bounds(2025)
    assert marker_day(date(2025, 3, 1), None, *window) == date(2025, 3, 1)
    # Started before the year, completed in it: the completion date.
    assert marker_day(date(2024, 5, 1), date(2025, 2, 1), *window) == date(2025, 2, 1)
    # Under way through the whole year: the year's first day.
    assert marker_day(date(2024, 5, 1), None, *window) == window[0]
    assert marker_day(date(2024, 5, 1), date(2025, 12, 1), *window) == window[0]
    # Over before the year began, or not started until after it: not on this chart.
    assert marker_day(date(2023, 5, 1), date(2024, 2, 1), *window) is None
    assert marker_day(date(2025, 11, 1), None, *window) is None
    # An open window (all years) takes any start date, even a planned one ahead.
    assert marker_day(date(2026, 11, 11), None, date(2021, 10, 1), None) == date(2026, 11, 11)


def test_action_marker_sits_on_the_line():
    rows = [quarter_row(2025, 1, 0.7), quarter_row(2025, 2, None), quarter_row(2025, 3, 0.8)]
    series = quarterly(rows)
    assert value_near(series, date(2024, 11, 5)) == 70.0  # inside a reported period
    assert value_near(series, date(2025, 2, 5)) == 70.0  # not reported: the last value before
    assert value_near(series, date(2024, 1, 1)) == 70.0  # before the series: the first value
    assert value_near(series, date(2026, 11, 11)) == 80.0  # after it: the last value


def test_the_shown_value_never_contradicts_its_status():
    """79.982% against "≥ 80%" is 79.98 in the chart, table and CSV, never 80.0."""
    series = quarterly([quarter_row(2025, 1, 0.79982), quarter_row(2025, 2, 0.8124)], targets=[NEW])
    missed, met = series.points
    assert (missed.value, missed.status) == (79.98, Status.NOT_MET)
    assert (met.value, met.status) == (81.2, Status.MET)


def test_period_ticks_one_per_period_labelled_as_the_site_writes_them():
    series = quarterly([quarter_row(2025, 1, 0.8), quarter_row(2025, 2, 0.9)])
    assert period_ticks(series) == (
        ("2024-12-31", FEDERAL.quarter_label(2025, 1)),
        ("2025-03-31", FEDERAL.quarter_label(2025, 2)),
    )
    monthly = build_series(
        [month_row(2023, 1, 0.8), month_row(2025, 12, 0.9)],
        granularity="month",
        scale="fraction",
        fiscal=FEDERAL,
    )
    ticks = period_ticks(monthly)
    assert 1 < len(ticks) <= 12
    assert ticks[-1][0] == "2025-12-31"  # the latest period is always labelled
