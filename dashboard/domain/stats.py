"""Sampling uncertainty of survey shares: Wilson score intervals and small-sample flags.

A survey percentage is an estimate from the people who answered. The Wilson score interval is
used rather than the textbook "p ± z·√(p(1-p)/n)" because it stays inside 0-100% and does not
collapse to zero width at 0% or 100% (10 of 10 satisfied does not mean "certainly 100%").
All shares here are fractions from 0 to 1.
"""

from __future__ import annotations

import math

#: z for a two-sided 95% confidence level.
Z_95 = 1.959963984540054


def wilson_interval(successes: float, n: float, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval (low, high) for ``successes`` out of ``n``, as fractions.

    None when ``n`` is zero or negative (no responses, no interval). ``successes`` may be
    fractional (a weighted count) but must lie between 0 and ``n``.
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes ({successes}) must be between 0 and n ({n})")
    share = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denominator
    half_width = z / denominator * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    low, high = centre - half_width, centre + half_width
    # At 0 of n and n of n the exact end is 0 or 1; floating point lands a hair off it.
    if successes == 0:
        low = 0.0
    if successes == n:
        high = 1.0
    return max(0.0, low), min(1.0, high)


def wilson_interval_from_share(
    share: float, n: float, z: float = Z_95
) -> tuple[float, float] | None:
    """The Wilson interval for a published share (0-1) of ``n`` responses."""
    _check_share(share)
    if n <= 0:
        return None
    return wilson_interval(share * n, n, z)


def is_small_sample(n: float | None, threshold: int) -> bool:
    """True when a result rests on fewer than ``threshold`` responses.

    An unknown sample size (None) is not flagged: this function cannot tell, so callers that
    must treat "unknown" differently (for example, admin data with no sample at all) check
    ``n is None`` themselves.
    """
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return False
    return n < threshold


def significant_change(
    share_a: float,
    n_a: float | None,
    share_b: float,
    n_b: float | None,
    z: float = Z_95,
) -> bool:
    """Whether two shares differ by more than sampling error, by a two-proportion z-test.

    Uses the pooled two-proportion z-test at the given z (95% two-sided by default): the
    change is significant when |a - b| exceeds z standard errors of the difference. This is
    the test the review page uses for "movement larger than the margin of error". It is less
    conservative than asking whether the two Wilson intervals fail to overlap, which misses
    real changes (two 95% intervals can overlap while the difference is significant).

    Without both sample sizes nothing can be claimed, so the answer is False.
    """
    statistic = two_proportion_z(share_a, n_a, share_b, n_b)
    return statistic is not None and abs(statistic) > z


def two_proportion_z(
    share_a: float, n_a: float | None, share_b: float, n_b: float | None
) -> float | None:
    """The pooled two-proportion z statistic of ``share_b - share_a``; None without both
    sample sizes, or when both shares are 0 or both are 1 (nothing to test).

    Pooled: the test asks whether both samples could come from one share, so the variance is
    that of the pooled share, not of each share on its own (the unpooled form belongs to
    confidence intervals of the difference; near the threshold it gives other answers).
    """
    _check_share(share_a)
    _check_share(share_b)
    if n_a is None or n_b is None or n_a <= 0 or n_b <= 0:
        return None
    error = pooled_standard_error(share_a, n_a, share_b, n_b)
    if error <= 0:
        return None
    return (share_b - share_a) / error


def pooled_standard_error(share_a: float, n_a: float, share_b: float, n_b: float) -> float:
    """Standard error of ``share_b - share_a`` under the null hypothesis of one common share
    (the pooled share of both samples): the denominator of :func:`two_proportion_z`."""
    _check_share(share_a)
    _check_share(share_b)
    if n_a <= 0 or n_b <= 0:
        raise ValueError(f"sample sizes must be positive, not {n_a!r} and {n_b!r}")
    pooled = (share_a * n_a + share_b * n_b) / (n_a + n_b)
    return math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))


def _check_share(share: float) -> None:
    if not 0 <= share <= 1:
        raise ValueError(f"a share must be a fraction between 0 and 1, not {share!r}")
