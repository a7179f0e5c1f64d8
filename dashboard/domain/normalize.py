"""Normalization of every raw scale to a 0-100 score, so that different offices' results compare.

One rule covers every scale: a straight line from the raw value that scores 0 (``worst``) to
the one that scores 100 (``best``), clipped to 0-100. Scales with natural ends (a fraction,
a percentage, a 1-5 agreement mean, a 0-10 rating) default to those ends; time and count
scales have none, so a metric on them must state its own ``best`` and ``worst`` (for example
an average speed of answer: 0 s scores 100, 600 s scores 0) or it is not normalized.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel.numbers import format_decimal

from dashboard.core.i18n import P_, Messages, format_locale, messages, translate

TEXT: Messages = messages(
    P_("business_days", "business days"),
    P_("not_normalized", "Not normalized: shown in its raw unit only."),
    P_(
        "linear",
        "Linear 0–100 score: {best} scores 100 and {worst} scores 0; values beyond either end "
        "are clipped to 0 or 100.",
    ),
)

#: Natural (low, high) ends of the bounded scales.
NATURAL_RANGE: dict[str, tuple[float, float]] = {
    "fraction": (0.0, 1.0),
    "percent": (0.0, 100.0),
    "mean_1_5": (1.0, 5.0),
    "score_0_10": (0.0, 10.0),
}

#: Scales with no natural ends: they need explicit best and worst values.
UNBOUNDED_SCALES = ("seconds", "minutes", "hours", "business_days", "count")

#: Raw scales whose values are shares of a whole (a Wilson interval applies).
PROPORTION_SCALES = ("fraction", "percent")

SCALE_UNITS = {
    "fraction": "",
    "percent": "%",
    "mean_1_5": "/5",
    "score_0_10": "/10",
    "seconds": " s",
    "minutes": " min",
    "hours": " h",
    "business_days": " business days",
    "count": "",
}


class NormalizationError(ValueError):
    """A rule that cannot produce a score (unknown scale, or missing ends)."""


@dataclass(frozen=True)
class NormalizationRule:
    scale: str
    direction: str = "higher"
    best: float | None = None
    worst: float | None = None

    def ends(self) -> tuple[float, float] | None:
        """(worst, best) in raw units, or None when the metric is not normalized."""
        if self.scale not in NATURAL_RANGE and self.scale not in UNBOUNDED_SCALES:
            raise NormalizationError(f"unknown scale {self.scale!r}")
        if self.direction not in ("higher", "lower"):
            raise NormalizationError(f"unknown direction {self.direction!r}")
        if self.best is not None and self.worst is not None:
            if self.best == self.worst:
                raise NormalizationError("best and worst must differ")
            return self.worst, self.best
        if self.scale in NATURAL_RANGE:
            low, high = NATURAL_RANGE[self.scale]
            worst, best = (low, high) if self.direction == "higher" else (high, low)
            return (
                self.worst if self.worst is not None else worst,
                self.best if self.best is not None else best,
            )
        return None


def normalize(value: float | None, rule: NormalizationRule) -> float | None:
    """The 0-100 score of a raw value, or None when the value is missing or not scorable."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    ends = rule.ends()
    if ends is None:
        return None
    worst, best = ends
    score = (value - worst) / (best - worst) * 100.0
    return round(min(100.0, max(0.0, score)), 4)


def describe(rule: NormalizationRule, language: str = "en") -> str:
    """The rule in plain words, for the methodology page."""
    ends = rule.ends()
    # A fraction is read as a percentage everywhere on the site, so its ends are written so.
    unit = "%" if rule.scale == "fraction" else SCALE_UNITS.get(rule.scale, "")
    if rule.scale == "business_days":
        unit = " " + translate(TEXT, "business_days", language)
    if ends is None:
        return translate(TEXT, "not_normalized", language)
    worst, best = ends
    if rule.scale == "fraction":
        worst, best = worst * 100.0, best * 100.0
    return translate(
        TEXT,
        "linear",
        language,
        best=_fmt(best, language) + unit,
        worst=_fmt(worst, language) + unit,
    )


def _fmt(value: float, language: str = "en") -> str:
    return format_decimal(value, format="0.######", locale=format_locale(language))
