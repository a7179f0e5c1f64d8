"""Intervals and gaps of the compare and equity pages (dashboard.domain.comparison), and the
EMBED_FRAME_ANCESTORS setting."""

from __future__ import annotations

import math

import pytest

from dashboard.core.settings import Settings, SettingsError
from dashboard.domain import comparison
from dashboard.domain.comparison import Gap
from dashboard.domain.stats import wilson_interval


def test_a_survey_share_gets_its_wilson_interval_in_its_own_scale():
    low, high = wilson_interval(81, 100)
    assert comparison.share_interval(0.81, 100, "fraction", True) == pytest.approx((low, high))
    assert comparison.share_interval(81.0, 100, "percent", True) == pytest.approx(
        (low * 100, high * 100)
    )


@pytest.mark.parametrize(
    ("value", "responses", "scale", "is_survey"),
    [
        (0.81, 100, "fraction", False),  # administrative: every case counted, no sample
        (4.1, 100, "mean_1_5", True),  # a mean: needs its standard deviation
        (None, 100, "fraction", True),  # not reported
        (0.81, None, "fraction", True),  # responses unknown
        (0.81, 0, "fraction", True),
        (1.2, 100, "fraction", True),  # not a share at all
        (float("nan"), 100, "fraction", True),
    ],
)
def test_no_interval_without_a_survey_share_and_its_sample(value, responses, scale, is_survey):
    assert comparison.share_interval(value, responses, scale, is_survey) is None


def test_a_mean_interval_needs_its_standard_deviation():
    low, high = comparison.mean_interval(4.0, 1.0, 100)
    assert (low + high) / 2 == pytest.approx(4.0)
    assert high - low == pytest.approx(2 * 1.959963984540054 * 0.1)
    assert comparison.mean_interval(4.0, None, 100) is None
    assert comparison.mean_interval(4.0, 1.0, 1) is None
    assert comparison.mean_interval(4.0, -1.0, 100) is None
    assert comparison.mean_interval(math.nan, 1.0, 100) is None


@pytest.mark.parametrize(
    ("group", "overall", "gap"),
    [
        ((0.50, 0.60), (0.70, 0.80), Gap.LOWER),
        ((0.85, 0.90), (0.70, 0.80), Gap.HIGHER),
        ((0.65, 0.72), (0.70, 0.80), Gap.WITHIN),  # overlapping: no claim
        ((0.60, 0.70), (0.70, 0.80), Gap.WITHIN),  # touching ends still overlap
        ((0.72, 0.75), (0.70, 0.80), Gap.WITHIN),  # one inside the other
        (None, (0.70, 0.80), Gap.UNKNOWN),
        ((0.50, 0.60), None, Gap.UNKNOWN),
    ],
)
def test_a_gap_is_flagged_only_when_the_intervals_do_not_overlap(group, overall, gap):
    assert comparison.gap(group, overall) == gap


def test_a_real_sample_gap_and_a_noisy_one():
    overall = comparison.share_interval(0.80, 2000, "fraction", True)
    # 70% of 400 lies well below 80% of 2,000; 76% of 50 could be sampling noise.
    assert comparison.gap(comparison.share_interval(0.70, 400, "fraction", True), overall) == (
        Gap.LOWER
    )
    assert comparison.gap(comparison.share_interval(0.76, 50, "fraction", True), overall) == (
        Gap.WITHIN
    )


def test_best_first_follows_the_measures_direction():
    values = [("a", 3.0), ("b", 9.0), ("c", 5.0), ("d", 5.0)]
    assert [n for n, _ in comparison.best_first(values, "higher")] == ["b", "c", "d", "a"]
    assert [n for n, _ in comparison.best_first(values, "lower")] == ["a", "c", "d", "b"]


def test_embed_frame_ancestors_setting():
    assert Settings.from_env({}).embed_frame_ancestors == "'none'"
    assert Settings().embed_frame_ancestors == "'none'"
    assert (
        Settings.from_env({"EMBED_FRAME_ANCESTORS": "'self'  https://*.example.gov"})
    ).embed_frame_ancestors == "'self' https://*.example.gov"


@pytest.mark.parametrize(
    "value",
    [
        "https://a.gov; script-src *",  # would end the directive and add another
        "https://a.gov,https://b.gov",
        "*",
        "javascript:alert(1)",
        "'none' https://a.gov",
        "'unsafe-inline'",
    ],
)
def test_embed_frame_ancestors_refuses_what_is_no_frame_source(value):
    with pytest.raises(SettingsError, match="EMBED_FRAME_ANCESTORS"):
        Settings.from_env({"EMBED_FRAME_ANCESTORS": value})
