"""Comparing results side by side honestly: their intervals, and when a gap is a real one.

The compare page (agencies on one measure) and the equity page (one measure by customer
group or language) put results next to each other. A reader will see a difference in any
two numbers; these functions say which differences the data can support:

- a survey share gets its Wilson 95% interval (:func:`dashboard.domain.stats.wilson_interval`)
  from the number of responses; a mean gets a normal-approximation interval only when its
  standard deviation and number of responses are both known (the store holds no standard
  deviation today, so means have none, and the pages say so); administrative figures (all
  cases counted, not a sample) have no sampling interval at all;
- a gap between a group and its agency overall is flagged only when both have an interval
  and the two do not overlap: conservative (two 95% intervals may overlap while the
  difference is significant) but never a claim the data cannot back.

Pure functions on plain numbers, in the metric's raw scale (a percent-scale share is 0-100,
a fraction-scale share 0-1).
"""

from __future__ import annotations

import math
from enum import StrEnum

from dashboard.domain.stats import Z_95, wilson_interval

#: Scales whose values are shares (a Wilson interval applies), and what 100% is on each.
SHARE_SCALES = {"fraction": 1.0, "percent": 100.0}


class Gap(StrEnum):
    """How a group's result stands against its agency overall."""

    HIGHER = "higher"  # the group's interval lies wholly above the overall's
    LOWER = "lower"  # wholly below
    WITHIN = "within"  # the intervals overlap: no difference the data can support
    UNKNOWN = "unknown"  # one of them has no interval (or no value): not judged


def has_sampling_interval(scale: str, is_survey: bool) -> bool:
    """True for survey shares, the results that get a Wilson interval."""
    return is_survey and scale in SHARE_SCALES


def share_interval(
    value: float | None, responses: float | None, scale: str, is_survey: bool
) -> tuple[float, float] | None:
    """The Wilson 95% interval of a survey share, in the metric's raw scale; None for a
    result that is not a survey share, is missing, or has no number of responses."""
    if not has_sampling_interval(scale, is_survey) or value is None or responses is None:
        return None
    if math.isnan(value) or math.isnan(responses) or responses <= 0:
        return None
    whole = SHARE_SCALES[scale]
    share = value / whole
    if not 0 <= share <= 1:
        return None
    bounds = wilson_interval(share * responses, responses)
    if bounds is None:
        return None
    return bounds[0] * whole, bounds[1] * whole


def mean_interval(
    mean: float | None, sd: float | None, responses: float | None, z: float = Z_95
) -> tuple[float, float] | None:
    """The normal-approximation 95% interval of a mean (mean ± z·sd/√n); None unless the
    mean, its standard deviation and a number of responses above one are all known."""
    if mean is None or sd is None or responses is None:
        return None
    if any(math.isnan(x) for x in (mean, sd, responses)) or sd < 0 or responses <= 1:
        return None
    half = z * sd / math.sqrt(responses)
    return mean - half, mean + half


def intervals_overlap(one: tuple[float, float], other: tuple[float, float]) -> bool:
    """True when the two closed intervals share at least one point."""
    return one[0] <= other[1] and other[0] <= one[1]


def gap(group: tuple[float, float] | None, overall: tuple[float, float] | None) -> Gap:
    """Whether a group's result differs from its agency overall, by their intervals."""
    if group is None or overall is None:
        return Gap.UNKNOWN
    if intervals_overlap(group, overall):
        return Gap.WITHIN
    return Gap.HIGHER if group[0] > overall[1] else Gap.LOWER


def best_first(values: list[tuple[str, float]], direction: str) -> list[tuple[str, float]]:
    """(name, value) pairs best first ("higher" is better: highest first), ties by name."""
    sign = -1.0 if direction == "higher" else 1.0
    return sorted(values, key=lambda pair: (sign * pair[1], pair[0]))
