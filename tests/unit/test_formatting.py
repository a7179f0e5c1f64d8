"""The one precision rule: a figure shown beside its status never contradicts it."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.domain.formatting import (
    DECIMALS,
    MAX_EXTRA_DECIMALS,
    decisive_decimals,
    display_value,
    format_value,
)
from dashboard.domain.targets import Status, TargetSpec, judge

START = dt.date(2024, 7, 1)


def target(value: float, comparator: str = ">=", kind: str = "numeric") -> TargetSpec:
    return TargetSpec(
        kind=kind, value=value, comparator=comparator, effective_from=START, effective_to=None
    )


def test_a_miss_just_under_the_target_shows_the_digit_that_decides_it():
    goal = target(80.0)
    assert judge(79.982, goal) == Status.NOT_MET
    assert decisive_decimals(79.982, "percent", goal) == 2
    assert display_value(79.982, "percent", goal) == 79.98
    assert format_value(79.982, "percent", "en", target=goal) == "79.98%"
    assert format_value(79.982, "percent", "es", target=goal) == "79.98%"
    # Without the target the usual decimals (the figure alone judges nothing).
    assert display_value(79.982, "percent") == 80.0


def test_a_fraction_needs_the_decimals_of_its_percentage():
    goal = target(0.8)
    assert judge(0.79996, goal) == Status.NOT_MET
    assert decisive_decimals(0.79996, "fraction", goal) == 3
    assert display_value(0.79996, "fraction", goal) == 79.996
    assert format_value(0.79996, "fraction", "en", target=goal) == "79.996%"


@pytest.mark.parametrize(
    ("value", "comparator", "goal", "shown"),
    [
        (60.04, "<=", 60.0, 60.04),  # a wait of 60.04 s misses "≤ 60 s": never "60"
        (59.96, "<", 60.0, 59.96),  # meets "< 60": the usual 0 decimals would say 60
        (60.0004, "<=", 60.0, 60.0004),
    ],
)
def test_lower_is_better_comparators(value, comparator, goal, shown):
    spec = target(goal, comparator)
    assert display_value(value, "seconds", spec) == shown
    assert judge(display_value(value, "seconds", spec), spec) == judge(value, spec)


@pytest.mark.parametrize(
    ("value", "scale", "goal", "comparator"),
    [
        (81.24, "percent", 80.0, ">="),
        (0.8124, "fraction", 0.8, ">="),
        (0.79995, "fraction", 0.8, ">"),
        (4.051, "mean_1_5", 4.0, ">="),
        (42.0, "seconds", 60.0, "<="),
        (80.0, "percent", 80.0, ">="),
    ],
)
def test_values_the_usual_rounding_does_not_contradict_are_unchanged(
    value, scale, goal, comparator
):
    spec = target(goal, comparator)
    assert decisive_decimals(value, scale, spec) == DECIMALS[scale]
    assert display_value(value, scale, spec) == display_value(value, scale)
    assert format_value(value, scale, "en", target=spec) == format_value(value, scale, "en")


def test_met_values_keep_their_usual_decimals():
    goal = target(80.0)
    assert display_value(81.24, "percent", goal) == 81.2
    assert format_value(81.24, "percent", "en", target=goal) == "81.2%"
    assert display_value(0.8124, "fraction", target(0.8)) == 81.2
    assert display_value(42.4, "seconds", target(60.0, "<=")) == 42


def test_without_a_numeric_target_the_usual_decimals():
    assert decisive_decimals(79.982, "percent", None) == DECIMALS["percent"]
    baseline = TargetSpec(
        kind="baseline", value=None, comparator=">=", effective_from=START, effective_to=None
    )
    assert decisive_decimals(79.982, "percent", baseline) == DECIMALS["percent"]
    assert display_value(79.982, "percent", baseline) == 80.0
    assert format_value(0.7998, "fraction", "en") == "80%"
    assert format_value(None, "percent", "en", target=target(80.0)) == "Not reported"
    assert format_value(None, "percent", "es", target=target(80.0)) == "No reportado"


def test_the_shown_figure_agrees_with_its_status_wherever_it_falls():
    goal = target(0.8)
    for step in range(-200, 201):
        value = 0.8 + step * 1e-6
        shown = display_value(value, "fraction", goal)
        assert shown is not None
        if decisive_decimals(value, "fraction", goal) < DECIMALS["fraction"] + MAX_EXTRA_DECIMALS:
            assert judge(shown / 100.0, goal) == judge(value, goal), value
