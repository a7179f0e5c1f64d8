"""Enterprise roll-ups: ratios over units that say what they count and what they leave out.

An enterprise figure like "percent of program offices meeting their target" is only honest
with its denominator beside it ("7 of 16 met") and with the units that did not report named,
not silently counted as misses. Missing values are never treated as zero here.

Percentages round half up (5 of 16 = 31.25% shows as 31.3%, as agencies publish it), not
Python's round-half-to-even.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

from dashboard.core.i18n import NP_, P_, Messages, messages, t, translate
from dashboard.domain.formatting import format_number, format_percent_number
from dashboard.domain.targets import Status

K = TypeVar("K", bound=Hashable)

TEXT: Messages = messages(
    P_("ratio", "{count} of {total}"),
    P_("ratio_met", "{count} of {total} met, {percent}"),
    P_("ratio_reported", "{count} of {total} reported"),
    NP_("without_target", "{count} without a target", "{count} without a target"),
)


def format_percent(share: float | None, decimals: int = 1, language: str = "en") -> str:
    """43.75% -> "43.8%" (half up; "43,8 %" in Spanish); None -> "—" (no denominator)."""
    if share is None:
        return "—"
    quantum = Decimal(1).scaleb(-decimals)
    percent = (Decimal(str(share)) * 100).quantize(quantum, rounding=ROUND_HALF_UP)
    return format_percent_number(percent, language, decimals=decimals)


@dataclass(frozen=True)
class Ratio:
    """``count`` of ``total`` units, e.g. 7 of 16."""

    count: int
    total: int

    def __post_init__(self) -> None:
        if not 0 <= self.count <= self.total:
            raise ValueError(f"a ratio needs 0 <= count <= total, not {self.count} of {self.total}")

    @property
    def share(self) -> float | None:
        """count / total as a fraction, or None when there is nothing to count."""
        return None if self.total == 0 else self.count / self.total

    def percent_text(self, decimals: int = 1, language: str = "en") -> str:
        """The share as "43.8%", computed exactly from the integers and rounded half up."""
        if self.total == 0:
            return format_percent(None)
        quantum = Decimal(1).scaleb(-decimals)
        percent = (Decimal(self.count) * 100 / Decimal(self.total)).quantize(
            quantum, rounding=ROUND_HALF_UP
        )
        return format_percent_number(percent, language, decimals=decimals)

    def text(self, language: str = "en") -> str:
        """ "7 of 16 (43.8%)" / "7 de 16 (43.8%)"; "0 of 0" without a percentage."""
        counted = translate(
            TEXT,
            "ratio",
            language,
            count=format_number(self.count, language),
            total=format_number(self.total, language),
        )
        if self.total == 0:
            return counted
        return f"{counted} ({self.percent_text(language=language)})"


@dataclass(frozen=True)
class RollUp:
    """How many units met their targets, with every exclusion visible.

    Denominators:
    - ``met`` is met / (met + not met): units that reported a value AND had a numeric target
      in force. Units that did not report, or had no numeric target, cannot meet or miss it,
      so they are outside this denominator and listed instead.
    - ``met_of_all`` is met / all units, for readers who want "of every office".
    - ``reported`` is units that reported (any status except not reported) / all units.
    """

    met: Ratio
    met_of_all: Ratio
    reported: Ratio
    met_units: tuple[str, ...]
    not_met_units: tuple[str, ...]
    no_target: tuple[str, ...]
    not_reported: tuple[str, ...]

    def text(self, language: str = "en") -> str:
        """ "7 of 16 met, 43.8%", then what was left out.

        For example "7 of 14 met, 50.0%; 15 of 16 reported; 1 without a target".
        """
        parts = [
            translate(
                TEXT,
                "ratio_met",
                language,
                count=format_number(self.met.count, language),
                total=format_number(self.met.total, language),
                percent=self.met.percent_text(language=language),
            )
        ]
        if self.not_reported:
            parts.append(
                translate(
                    TEXT,
                    "ratio_reported",
                    language,
                    count=format_number(self.reported.count, language),
                    total=format_number(self.reported.total, language),
                )
            )
        if self.no_target:
            parts.append(translate(TEXT, "without_target", language, count=len(self.no_target)))
        return t("list_separator", language).join(parts)


def units_meeting_targets(statuses: Mapping[str, Status]) -> RollUp:
    """Roll up each unit's status into "N of M met" (see :class:`RollUp` for denominators)."""
    by_status: dict[Status, list[str]] = {status: [] for status in Status}
    for unit, status in statuses.items():
        by_status[Status(status)].append(unit)
    met = sorted(by_status[Status.MET])
    not_met = sorted(by_status[Status.NOT_MET])
    no_target = sorted(by_status[Status.NO_TARGET])
    not_reported = sorted(by_status[Status.NOT_REPORTED])
    total = len(statuses)
    return RollUp(
        met=Ratio(len(met), len(met) + len(not_met)),
        met_of_all=Ratio(len(met), total),
        reported=Ratio(total - len(not_reported), total),
        met_units=tuple(met),
        not_met_units=tuple(not_met),
        no_target=tuple(no_target),
        not_reported=tuple(not_reported),
    )


def coverage(measured: Mapping[str, set[str]], units: Iterable[str], dimension: str) -> Ratio:
    """How many of ``units`` measure ``dimension`` ("4 of 16 measure accuracy").

    ``measured`` maps a unit to the dimensions it has metrics for; units missing from it
    measure nothing, and entries for units outside ``units`` are ignored.
    """
    all_units = set(units)
    count = sum(1 for unit in all_units if dimension in measured.get(unit, set()))
    return Ratio(count, len(all_units))


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def weighted_mean(
    values: Sequence[float | None], weights: Sequence[float | None] | None = None
) -> float | None:
    """The (weighted) mean of the values that are present; None when none are.

    Missing values (None or NaN) are left out, never counted as zero. A value whose weight is
    missing is left out too, because it cannot be weighted. Weights must not be negative;
    None is returned when the remaining weights add up to zero.
    """
    if weights is None:
        present = [value for value in values if not _missing(value)]
        return math.fsum(present) / len(present) if present else None  # type: ignore[arg-type]
    if len(weights) != len(values):
        raise ValueError(f"{len(values)} values but {len(weights)} weights")
    pairs: list[tuple[float, float]] = []
    for value, weight in zip(values, weights, strict=True):
        if _missing(value) or _missing(weight):
            continue
        assert value is not None and weight is not None
        if weight < 0:
            raise ValueError(f"weights must not be negative, got {weight}")
        pairs.append((value, weight))
    total_weight = math.fsum(weight for _, weight in pairs)
    if total_weight == 0:
        return None
    return math.fsum(value * weight for value, weight in pairs) / total_weight


@dataclass(frozen=True)
class TrendPoint(Generic[K]):
    """One period of an enterprise trend: the mean unit score and who it rests on."""

    key: K
    mean: float | None  # None when no unit reported: a gap, not a zero
    units_reported: int
    units_listed: int  # units with a row for this period, reported or not

    @property
    def reported(self) -> Ratio:
        return Ratio(self.units_reported, self.units_listed)


def enterprise_trend(rows: Iterable[tuple[str, K, float | None]]) -> list[TrendPoint[K]]:
    """The unweighted mean of unit scores per period, with how many units it rests on.

    ``rows`` are (unit, period key, score) with the score None when the unit did not report.
    Every unit counts once per period: a duplicate (unit, period) is an error, not averaged.
    The mean is over reporting units only, so the trend shows ``units_reported`` beside it
    (a jump may be a change in who reported, not in service). Keys must sort (dates, Periods,
    "2024-03" strings); the result is in key order.
    """
    scores: dict[K, dict[str, float | None]] = {}
    for unit, key, score in rows:
        per_unit = scores.setdefault(key, {})
        if unit in per_unit:
            raise ValueError(f"unit {unit!r} has more than one score for {key!r}")
        per_unit[unit] = score
    points: list[TrendPoint[K]] = []
    for key in sorted(scores):  # type: ignore[type-var]
        per_unit = scores[key]
        present = [score for score in per_unit.values() if not _missing(score)]
        points.append(
            TrendPoint(
                key=key,
                mean=weighted_mean(present),
                units_reported=len(present),
                units_listed=len(per_unit),
            )
        )
    return points
