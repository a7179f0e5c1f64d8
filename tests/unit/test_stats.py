from __future__ import annotations

import math

import pytest

from dashboard.domain.review import difference_margin
from dashboard.domain.stats import (
    Z_95,
    is_small_sample,
    pooled_standard_error,
    significant_change,
    two_proportion_z,
    wilson_interval,
    wilson_interval_from_share,
)


def test_wilson_interval_81_of_100_matches_published_value():
    low, high = wilson_interval(81, 100)
    assert low == pytest.approx(0.7222, abs=1e-4)
    assert high == pytest.approx(0.8749, abs=1e-4)


def test_wilson_interval_at_zero_has_width():
    # Upper end of 0 of n is z^2 / (n + z^2).
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(Z_95**2 / (10 + Z_95**2))
    assert high == pytest.approx(0.2775, abs=1e-4)


def test_wilson_interval_at_all_successes_mirrors_zero():
    low, high = wilson_interval(10, 10)
    assert high == 1.0
    assert low == pytest.approx(1 - 0.2775327998628892)


def test_wilson_interval_is_asymmetric_near_the_ends_and_contains_the_share():
    low, high = wilson_interval(2, 20)
    assert low < 0.1 < high
    assert (high - 0.1) > (0.1 - low)


def test_wilson_interval_narrows_with_more_responses():
    small = wilson_interval(40, 50)
    large = wilson_interval(800, 1000)
    assert (large[1] - large[0]) < (small[1] - small[0])


def test_wilson_interval_with_other_confidence_levels():
    narrow = wilson_interval(50, 100, z=1.0)
    wide = wilson_interval(50, 100)
    assert wide[0] < narrow[0] < 0.5 < narrow[1] < wide[1]


def test_no_responses_no_interval():
    assert wilson_interval(0, 0) is None
    assert wilson_interval_from_share(0.5, 0) is None


@pytest.mark.parametrize(("successes", "n"), [(11, 10), (-1, 10)])
def test_impossible_counts_are_refused(successes, n):
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(successes, n)


@pytest.mark.parametrize("share", [1.5, -0.1, 81.0])
def test_shares_must_be_fractions(share):
    with pytest.raises(ValueError, match="fraction"):
        wilson_interval_from_share(share, 100)


def test_interval_from_share_equals_interval_from_counts():
    assert wilson_interval_from_share(0.81, 100) == pytest.approx(wilson_interval(81, 100))


@pytest.mark.parametrize(
    ("n", "threshold", "small"),
    [(29, 30, True), (30, 30, False), (0, 30, True), (1000, 30, False), (None, 30, False)],
)
def test_small_sample_flag(n, threshold, small):
    assert is_small_sample(n, threshold) is small


def test_unknown_sample_size_is_not_flagged_small():
    assert is_small_sample(math.nan, 30) is False


def test_significant_change_by_two_proportion_z_test():
    # 50% -> 65% of 100 each: z = 0.15 / sqrt(.575 * .425 * .02) ~ 2.14 > 1.96.
    assert significant_change(0.50, 100, 0.65, 100)
    # 50% -> 60% of 100 each: z ~ 1.42, within sampling error.
    assert not significant_change(0.50, 100, 0.60, 100)
    # The same 10-point change is significant with 1,000 responses each.
    assert significant_change(0.50, 1000, 0.60, 1000)
    assert significant_change(0.65, 100, 0.50, 100)


def test_the_z_test_pools_the_two_samples():
    # 10% of 50 against 21% of 500. Pooled share (5 + 105) / 550 = 0.2 exactly, so
    # SE = sqrt(0.2 * 0.8 * (1/50 + 1/500)) = sqrt(0.00352) = 0.059330 and
    # z = 0.11 / 0.059330 = 1.8540 (two-sided p = 0.0637): not significant at 95%.
    # Unpooled, SE = sqrt(0.1 * 0.9 / 50 + 0.21 * 0.79 / 500) = 0.046171 and z = 2.3824, which
    # would call the change significant: the two forms disagree here.
    assert pooled_standard_error(0.10, 50, 0.21, 500) == pytest.approx(0.0593296, abs=1e-7)
    assert two_proportion_z(0.10, 50, 0.21, 500) == pytest.approx(1.85405, abs=1e-5)
    assert two_proportion_z(0.21, 500, 0.10, 50) == pytest.approx(-1.85405, abs=1e-5)
    assert not significant_change(0.10, 50, 0.21, 500)
    # Equal samples: 50% -> 65% of 100 each, pooled 0.575: z = 0.15 / 0.069911 = 2.1456.
    assert two_proportion_z(0.50, 100, 0.65, 100) == pytest.approx(2.14560, abs=1e-5)
    # The review's margin of error is the same pooled standard error, times 1.96.
    assert difference_margin(0.10, 50, 0.21, 500) == pytest.approx(1.959964 * 0.0593296, rel=1e-6)


def test_no_z_statistic_without_sample_sizes_or_variance():
    assert two_proportion_z(0.2, None, 0.9, 100) is None
    assert two_proportion_z(0.2, 100, 0.9, 0) is None
    assert two_proportion_z(1.0, 50, 1.0, 80) is None
    with pytest.raises(ValueError, match="sample sizes"):
        pooled_standard_error(0.2, 0, 0.3, 10)


def test_z_test_detects_changes_that_overlapping_intervals_would_miss():
    a, b = wilson_interval_from_share(0.50, 200), wilson_interval_from_share(0.60, 200)
    assert a[1] > b[0]  # the 95% intervals overlap...
    assert significant_change(0.50, 200, 0.60, 200)  # ...yet the change is significant


def test_no_significance_without_sample_sizes_or_difference():
    assert not significant_change(0.2, None, 0.9, 100)
    assert not significant_change(0.2, 100, 0.9, 0)
    assert not significant_change(1.0, 50, 1.0, 80)
    assert not significant_change(0.0, 50, 0.0, 80)
