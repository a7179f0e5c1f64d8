from __future__ import annotations

import math

import pytest

from dashboard.domain.normalize import (
    NormalizationError,
    NormalizationRule,
    describe,
    normalize,
)


@pytest.mark.parametrize(
    ("value", "rule", "score"),
    [
        (0.81, NormalizationRule("fraction"), 81.0),
        (0.0, NormalizationRule("fraction"), 0.0),
        (1.0, NormalizationRule("fraction"), 100.0),
        (81.0, NormalizationRule("percent"), 81.0),
        (4.2, NormalizationRule("mean_1_5"), 80.0),
        (1.0, NormalizationRule("mean_1_5"), 0.0),
        (3.0, NormalizationRule("mean_1_5"), 50.0),
        (7.5, NormalizationRule("score_0_10"), 75.0),
    ],
)
def test_bounded_scales_use_their_natural_ends(value, rule, score):
    assert normalize(value, rule) == pytest.approx(score)


def test_fraction_and_percent_of_the_same_share_score_the_same():
    assert normalize(0.62, NormalizationRule("fraction")) == pytest.approx(
        normalize(62.0, NormalizationRule("percent"))
    )


def test_lower_is_better_percent_reverses_the_scale():
    abandonment = NormalizationRule("percent", direction="lower")
    assert normalize(5.0, abandonment) == pytest.approx(95.0)
    assert normalize(0.0, abandonment) == pytest.approx(100.0)
    assert normalize(100.0, abandonment) == pytest.approx(0.0)


def test_seconds_need_best_and_worst():
    speed_of_answer = NormalizationRule("seconds", direction="lower", best=0, worst=600)
    assert normalize(0, speed_of_answer) == pytest.approx(100.0)
    assert normalize(150, speed_of_answer) == pytest.approx(75.0)
    assert normalize(600, speed_of_answer) == pytest.approx(0.0)
    assert normalize(30, NormalizationRule("seconds", direction="lower")) is None


def test_explicit_ends_override_natural_ones():
    strict = NormalizationRule("percent", best=90.0, worst=50.0)
    assert normalize(70.0, strict) == pytest.approx(50.0)
    only_worst = NormalizationRule("mean_1_5", worst=3.0)
    assert normalize(4.0, only_worst) == pytest.approx(50.0)


def test_scores_are_clipped_to_0_100():
    speed_of_answer = NormalizationRule("seconds", direction="lower", best=0, worst=600)
    assert normalize(1200, speed_of_answer) == 0.0
    assert normalize(-5, speed_of_answer) == 100.0
    assert normalize(40.0, NormalizationRule("percent", best=90.0, worst=50.0)) == 0.0
    assert normalize(95.0, NormalizationRule("percent", best=90.0, worst=50.0)) == 100.0


@pytest.mark.parametrize("scale", ["count", "minutes", "business_days"])
def test_unbounded_scales_without_ends_are_not_normalized(scale):
    assert normalize(12.0, NormalizationRule(scale)) is None


def test_count_with_explicit_ends_is_normalized():
    assert normalize(5, NormalizationRule("count", direction="lower", best=0, worst=10)) == (
        pytest.approx(50.0)
    )


@pytest.mark.parametrize("missing", [None, math.nan])
def test_missing_values_stay_missing(missing):
    assert normalize(missing, NormalizationRule("fraction")) is None


@pytest.mark.parametrize(
    "rule",
    [
        NormalizationRule("furlongs"),
        NormalizationRule("percent", direction="sideways"),
        NormalizationRule("seconds", best=60, worst=60),
    ],
)
def test_bad_rules_raise(rule):
    with pytest.raises(NormalizationError):
        normalize(1.0, rule)


def test_normalization_error_is_a_value_error():
    assert issubclass(NormalizationError, ValueError)


def test_describe_in_both_languages():
    rule = NormalizationRule("seconds", direction="lower", best=0, worst=600)
    assert "0 s scores 100" in describe(rule)
    assert "600 s scores 0" in describe(rule)
    assert "0 s vale 100" in describe(rule, "es")
    assert "Not normalized" in describe(NormalizationRule("count"))
    assert "No se normaliza" in describe(NormalizationRule("count"), "es")
