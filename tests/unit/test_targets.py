from __future__ import annotations

from datetime import date

import pytest

from dashboard.domain.targets import (
    Status,
    TargetSpec,
    describe_target,
    format_target_value,
    judge,
    status_label,
    status_symbol,
    targets_in_force,
)


def numeric(value, comparator=">=", start=date(2020, 1, 1), end=None, **extra):
    return TargetSpec("numeric", value, comparator, start, end, **extra)


OLD = numeric(0.75, end=date(2023, 12, 31))
NEW = numeric(0.80, start=date(2024, 1, 1))


def test_target_changing_on_jan_1_applies_from_the_quarter_ending_mar_31():
    # The quarter ending Dec 31 is judged against the old target, the next against the new.
    assert targets_in_force([OLD, NEW], date(2023, 10, 1), date(2023, 12, 31)) == OLD
    assert targets_in_force([OLD, NEW], date(2024, 1, 1), date(2024, 3, 31)) == NEW


def test_effective_to_is_inclusive():
    ends_on_last_day = numeric(0.9, end=date(2024, 3, 31))
    assert targets_in_force([ends_on_last_day], date(2024, 1, 1), date(2024, 3, 31)) is (
        ends_on_last_day
    )
    ends_day_before = numeric(0.9, end=date(2024, 3, 30))
    assert targets_in_force([ends_day_before], date(2024, 1, 1), date(2024, 3, 31)) is None


def test_target_starting_mid_period_applies_when_in_force_on_the_last_day():
    mid = numeric(0.9, start=date(2024, 2, 15))
    assert targets_in_force([mid], date(2024, 1, 1), date(2024, 3, 31)) == mid
    # ...but not to a period that ended before it started.
    assert targets_in_force([mid], date(2023, 10, 1), date(2023, 12, 31)) is None


def test_target_that_lapsed_mid_period_does_not_apply():
    lapsed = numeric(0.9, start=date(2023, 1, 1), end=date(2024, 2, 14))
    assert targets_in_force([lapsed], date(2024, 1, 1), date(2024, 3, 31)) is None


def test_latest_start_wins_when_several_are_in_force():
    open_old = numeric(0.75, start=date(2020, 1, 1))
    open_new = numeric(0.85, start=date(2023, 7, 1))
    for order in ([open_old, open_new], [open_new, open_old]):
        assert targets_in_force(order, date(2024, 1, 1), date(2024, 3, 31)) == open_new
    # Before the newer one started, the older one is still in force.
    assert targets_in_force([open_new, open_old], date(2023, 4, 1), date(2023, 6, 30)) == (open_old)


def test_among_targets_starting_the_same_day_the_one_listed_last_wins():
    # A corrected target entered on the same effective date replaces the earlier entry; the
    # tie is decided by order, not by which came first.
    first = numeric(0.75, start=date(2023, 7, 1))
    corrected = numeric(0.80, start=date(2023, 7, 1))
    older = numeric(0.70, start=date(2020, 1, 1))
    assert targets_in_force([first, corrected], date(2024, 1, 1), date(2024, 3, 31)) is corrected
    assert targets_in_force([corrected, first], date(2024, 1, 1), date(2024, 3, 31)) is first
    assert targets_in_force([first, older, corrected], date(2024, 1, 1), date(2024, 3, 31)) is (
        corrected
    )


def test_no_targets_none_in_force():
    assert targets_in_force([], date(2024, 1, 1), date(2024, 3, 31)) is None
    with pytest.raises(ValueError, match="after it ends"):
        targets_in_force([NEW], date(2024, 3, 31), date(2024, 1, 1))


@pytest.mark.parametrize(
    ("value", "comparator", "goal", "status"),
    [
        (0.95, ">=", 0.95, Status.MET),
        (0.95 * 3 / 3, ">=", 0.95, Status.MET),  # 0.9499999999999998 is 0.95, not a miss
        (0.949, ">=", 0.95, Status.NOT_MET),
        (0.96, ">", 0.95, Status.MET),
        (0.95, ">", 0.95, Status.NOT_MET),
        (0.02 + 0.93, ">", 0.95, Status.NOT_MET),  # 0.9500000000000001 is not above 0.95
        (60, "<=", 60, Status.MET),
        (61, "<=", 60, Status.NOT_MET),
        (59, "<", 60, Status.MET),
        (60, "<", 60, Status.NOT_MET),
        (0.3 * 3, "=", 0.9, Status.MET),
        (0.91, "=", 0.9, Status.NOT_MET),
        (0, ">=", 0, Status.MET),
    ],
)
def test_judge_numeric_targets(value, comparator, goal, status):
    assert judge(value, numeric(goal, comparator)) is status


def test_missing_value_is_not_reported_never_a_miss():
    assert judge(None, NEW) is Status.NOT_REPORTED
    assert judge(None, None) is Status.NOT_REPORTED
    assert judge(float("nan"), NEW) is Status.NOT_REPORTED


def test_zero_is_a_value_not_a_missing_report():
    assert judge(0.0, NEW) is Status.NOT_MET
    assert judge(0.0, None) is Status.NO_TARGET


def test_baseline_and_text_targets_cannot_be_met():
    baseline = TargetSpec("baseline", None, ">=", date(2024, 1, 1), None)
    text = TargetSpec("text", None, ">=", date(2024, 1, 1), None, text="≥10% improvement")
    assert judge(0.99, baseline) is Status.NO_TARGET
    assert judge(0.99, text) is Status.NO_TARGET
    assert judge(0.99, None) is Status.NO_TARGET


def test_invalid_targets_are_refused():
    with pytest.raises(ValueError, match="needs a value"):
        TargetSpec("numeric", None, ">=", date(2024, 1, 1), None)
    with pytest.raises(ValueError, match="comparator"):
        numeric(0.9, "=>")
    with pytest.raises(ValueError, match="kind"):
        TargetSpec("stretch", 0.9, ">=", date(2024, 1, 1), None)
    with pytest.raises(ValueError, match="before it starts"):
        numeric(0.9, start=date(2024, 1, 1), end=date(2023, 12, 31))


def test_status_labels_and_symbols():
    assert [status_label(s) for s in Status] == ["Met", "Not met", "No target", "Not reported"]
    assert [status_label(s, "es") for s in Status] == [
        "Cumplido",
        "No cumplido",
        "Sin meta",
        "No reportado",
    ]
    symbols = [status_symbol(s) for s in Status]
    assert len(set(symbols)) == 4 and all(symbols)
    assert status_label("met") == "Met"  # the stored string works too


@pytest.mark.parametrize(
    ("target", "scale", "language", "text"),
    [
        (numeric(0.95), "fraction", "en", "≥ 95%"),
        (numeric(80, ">="), "percent", "en", "≥ 80%"),
        (numeric(0.125, ">="), "fraction", "en", "≥ 12.5%"),
        (numeric(60, "<="), "seconds", "en", "≤ 60 s"),
        (numeric(0.05, "<"), "fraction", "en", "< 5%"),
        (numeric(4.2, ">="), "mean_1_5", "en", "≥ 4.2/5"),
        (numeric(10, "<="), "business_days", "en", "≤ 10 business days"),
        (numeric(10, "<="), "business_days", "es", "≤ 10 días hábiles"),
        (numeric(1200, "<="), "count", "en", "≤ 1,200"),
        (
            TargetSpec("baseline", None, ">=", date(2024, 1, 1), None),
            "percent",
            "en",
            ("Establish baseline"),
        ),
        (
            TargetSpec("baseline", None, ">=", date(2024, 1, 1), None),
            "percent",
            "es",
            ("Establecer línea de base"),
        ),
        (
            TargetSpec("text", None, ">=", date(2024, 1, 1), None, text="≥10% improvement"),
            ("percent"),
            "en",
            "≥10% improvement",
        ),
        (None, "percent", "en", "No target"),
        (None, "percent", "es", "Sin meta"),
    ],
)
def test_describe_target(target, scale, language, text):
    assert describe_target(target, scale, language) == text


def test_format_target_value_refuses_unknown_scales():
    with pytest.raises(ValueError, match="scale"):
        format_target_value(1.0, "furlongs")
