from __future__ import annotations

import math
from datetime import date

import pytest

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.rollups import (
    Ratio,
    coverage,
    enterprise_trend,
    format_percent,
    units_meeting_targets,
    weighted_mean,
)
from dashboard.domain.targets import Status

OFFICES = [f"Office {letter}" for letter in "ABCDEFGHIJKLMNOP"]  # 16 program offices


def statuses(met: int, not_met: int, no_target: int = 0, not_reported: int = 0):
    kinds = (
        [Status.MET] * met
        + [Status.NOT_MET] * not_met
        + [Status.NO_TARGET] * no_target
        + [Status.NOT_REPORTED] * not_reported
    )
    assert len(kinds) <= len(OFFICES)
    return dict(zip(OFFICES, kinds, strict=False))


@pytest.mark.parametrize(
    ("count", "total", "text"),
    [
        # The enterprise figures published in the domain document.
        (7, 16, "7 of 16 (43.8%)"),
        (4, 16, "4 of 16 (25.0%)"),
        (5, 16, "5 of 16 (31.3%)"),  # 31.25 rounds half up, not to even
        (6, 16, "6 of 16 (37.5%)"),
        (1083, 4933, "1,083 of 4,933 (22.0%)"),
        (9, 24, "9 of 24 (37.5%)"),
        (0, 0, "0 of 0"),
    ],
)
def test_ratio_text_reproduces_published_figures(count, total, text):
    assert Ratio(count, total).text() == text


def test_ratio_share_and_spanish_text():
    assert Ratio(7, 16).share == pytest.approx(0.4375)
    assert Ratio(0, 0).share is None
    assert Ratio(7, 16).text("es") == "7 de 16 (43.8%)"


@pytest.mark.parametrize(("count", "total"), [(17, 16), (-1, 16)])
def test_impossible_ratios_are_refused(count, total):
    with pytest.raises(ValueError, match="count"):
        Ratio(count, total)


def test_format_percent_rounds_half_up_and_shows_missing_as_a_dash():
    assert format_percent(5 / 16) == "31.3%"
    assert format_percent(0.125, decimals=0) == "13%"
    assert format_percent(None) == "—"


def test_seven_of_sixteen_offices_met_their_target():
    rollup = units_meeting_targets(statuses(met=7, not_met=9))
    assert rollup.text() == "7 of 16 met, 43.8%"
    assert rollup.text("es") == "7 de 16 cumplen, 43.8%"
    assert rollup.met == rollup.met_of_all == Ratio(7, 16)
    assert rollup.reported == Ratio(16, 16)
    assert rollup.met_units == tuple(OFFICES[:7])
    assert rollup.not_met_units == tuple(OFFICES[7:])


def test_not_reported_units_are_excluded_from_the_met_denominator_and_listed():
    rollup = units_meeting_targets(statuses(met=7, not_met=6, not_reported=3))
    assert rollup.met == Ratio(7, 13)  # not 7 of 16: no report is not a miss
    assert rollup.met_of_all == Ratio(7, 16)
    assert rollup.reported == Ratio(13, 16)
    assert rollup.not_reported == ("Office N", "Office O", "Office P")
    assert rollup.text() == "7 of 13 met, 53.8%; 13 of 16 reported"


def test_units_without_a_numeric_target_are_reported_but_cannot_meet_one():
    rollup = units_meeting_targets(statuses(met=7, not_met=5, no_target=2, not_reported=2))
    assert rollup.met == Ratio(7, 12)
    assert rollup.reported == Ratio(14, 16)
    assert rollup.no_target == ("Office M", "Office N")
    assert rollup.text() == "7 of 12 met, 58.3%; 14 of 16 reported; 2 without a target"
    assert rollup.text("es") == "7 de 12 cumplen, 58.3%; 14 de 16 reportan; 2 sin meta"


def test_rollup_with_nothing_judged_has_no_percentage():
    rollup = units_meeting_targets(statuses(met=0, not_met=0, not_reported=4))
    assert rollup.met == Ratio(0, 0)
    assert rollup.met.share is None
    assert rollup.text() == "0 of 0 met, —; 0 of 4 reported"


def test_rollup_accepts_stored_status_strings():
    rollup = units_meeting_targets({"A": "met", "B": "not_met"})
    assert rollup.met == Ratio(1, 2)


@pytest.mark.parametrize(
    ("dimension", "measuring", "text"),
    [
        ("accuracy", 4, "4 of 16 (25.0%)"),
        ("responsiveness", 5, "5 of 16 (31.3%)"),
        ("timeliness", 6, "6 of 16 (37.5%)"),
    ],
)
def test_coverage_of_a_dimension(dimension, measuring, text):
    measured = {office: {"satisfaction"} for office in OFFICES}
    for office in OFFICES[:measuring]:
        measured[office] = {"satisfaction", dimension}
    ratio = coverage(measured, OFFICES, dimension)
    assert ratio == Ratio(measuring, 16)
    assert ratio.text() == text


def test_coverage_counts_units_missing_from_the_map_and_ignores_outsiders():
    measured = {"Office A": {"accuracy"}, "Elsewhere": {"accuracy"}}
    assert coverage(measured, OFFICES, "accuracy") == Ratio(1, 16)
    assert coverage({}, [], "accuracy") == Ratio(0, 0)


def test_weighted_mean_ignores_missing_values_never_counts_them_as_zero():
    assert weighted_mean([80.0, None, 60.0]) == pytest.approx(70.0)
    assert weighted_mean([80.0, math.nan, 60.0]) == pytest.approx(70.0)
    assert weighted_mean([None, None]) is None
    assert weighted_mean([]) is None
    assert weighted_mean([0.0, 100.0]) == pytest.approx(50.0)


def test_weighted_mean_with_weights():
    assert weighted_mean([80.0, 60.0], [3, 1]) == pytest.approx(75.0)
    # A missing value drops its weight too, and so does a missing weight.
    assert weighted_mean([80.0, None, 60.0], [1, 100, 1]) == pytest.approx(70.0)
    assert weighted_mean([80.0, 10.0, 60.0], [1, None, 1]) == pytest.approx(70.0)
    assert weighted_mean([80.0], [0]) is None


def test_weighted_mean_refuses_bad_weights():
    with pytest.raises(ValueError, match="weights"):
        weighted_mean([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="negative"):
        weighted_mean([1.0, 2.0], [1.0, -1.0])


def test_enterprise_trend_means_reported_units_and_counts_them():
    calendar = FiscalCalendar()
    q1, q2, q3 = calendar.quarters(2024)[:3]
    rows = [
        ("A", q2, 70.0),
        ("B", q2, None),
        ("A", q1, 60.0),
        ("B", q1, 80.0),
        ("C", q1, 100.0),
        ("A", q3, None),
    ]
    trend = enterprise_trend(rows)
    assert [point.key for point in trend] == [q1, q2, q3]
    assert trend[0].mean == pytest.approx(80.0)
    assert (trend[0].units_reported, trend[0].units_listed) == (3, 3)
    assert trend[1].mean == pytest.approx(70.0)  # B's gap is not a zero
    assert trend[1].reported == Ratio(1, 2)
    assert trend[2].mean is None
    assert trend[2].units_reported == 0


def test_enterprise_trend_with_date_keys_and_duplicates():
    trend = enterprise_trend([("A", date(2024, 2, 1), 50.0), ("A", date(2024, 1, 1), 40.0)])
    assert [point.key for point in trend] == [date(2024, 1, 1), date(2024, 2, 1)]
    with pytest.raises(ValueError, match="more than one score"):
        enterprise_trend([("A", date(2024, 1, 1), 50.0), ("A", date(2024, 1, 1), 40.0)])
