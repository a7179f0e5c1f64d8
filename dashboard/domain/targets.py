"""Targets and the "met / not met" judgement.

A result is judged against the target *in force for its period*; targets change over time
(a service standard raised from 75% to 80% applies from its effective date on, never to the
past). Targets are stored in the metric's raw scale: a fraction-scale target of 0.95 is shown
as "≥ 95%". Some targets are not numbers ("Establish baseline", "≥10% improvement"); they
cannot be met or missed by a single value, so results against them are "no target".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dashboard.core.i18n import P_, Messages, messages, translate

COMPARATORS = (">=", ">", "<=", "<", "=")
TARGET_KINDS = ("numeric", "baseline", "text")

# Relative tolerance for comparisons: a value computed as 0.9500000000000001 or
# 0.9499999999999999 against a 0.95 target is 0.95, not a miss or a hit by float noise.
_RELATIVE_TOLERANCE = 1e-9

COMPARATOR_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NO_TARGET = "no_target"
    NOT_REPORTED = "not_reported"


TEXT: Messages = messages(
    P_("status_met", "Met"),
    P_("status_not_met", "Not met"),
    P_("status_no_target", "No target"),
    P_("status_not_reported", "Not reported"),
    P_("no_target", "No target"),
    P_("baseline", "Establish baseline"),
    P_("unit_business_days", "{number} business days"),
)

# A text mark beside every status, so that colour is never the only signal.
STATUS_SYMBOLS = {
    Status.MET: "✓",
    Status.NOT_MET: "✗",
    Status.NO_TARGET: "–",
    Status.NOT_REPORTED: "?",
}


@dataclass(frozen=True)
class TargetSpec:
    """A target as plain data (the domain mirror of a ``Target`` row, in one language)."""

    kind: str  # "numeric" | "baseline" | "text"
    value: float | None  # in the metric's raw scale
    comparator: str  # ">=", ">", "<=", "<", "="
    effective_from: date
    effective_to: date | None  # inclusive; None means still in force
    text: str | None = None
    promise: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in TARGET_KINDS:
            raise ValueError(f"unknown target kind {self.kind!r}")
        if self.comparator not in COMPARATORS:
            raise ValueError(f"unknown comparator {self.comparator!r}")
        if self.kind == "numeric" and self.value is None:
            raise ValueError("a numeric target needs a value")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(
                f"target ends ({self.effective_to}) before it starts ({self.effective_from})"
            )

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


def targets_in_force(
    targets: Iterable[TargetSpec], period_start: date, period_end: date
) -> TargetSpec | None:
    """The target that a result for ``period_start``-``period_end`` is judged against.

    Rule: the target in force for a period is the one effective on the period's LAST day.
    If several are, the one with the latest ``effective_from`` wins (a later target replaces
    an earlier one that was never closed); among those, the one listed last. So a target that
    starts mid-period applies to that period, because it is in force on its last day, and a
    target that ended before the last day does not. None when no target is in force.
    """
    if period_start > period_end:
        raise ValueError(f"period starts ({period_start}) after it ends ({period_end})")
    chosen: TargetSpec | None = None
    for target in targets:
        if not target.in_force_on(period_end):
            continue
        if chosen is None or target.effective_from >= chosen.effective_from:
            chosen = target
    return chosen


def judge(value: float | None, target: TargetSpec | None) -> Status:
    """Met, not met, no target, or not reported.

    A missing value is NOT_REPORTED whether or not there is a target (it is never judged as
    zero). A non-numeric target ("Establish baseline") or no target is NO_TARGET.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Status.NOT_REPORTED
    if target is None or target.kind != "numeric" or target.value is None:
        return Status.NO_TARGET
    goal = target.value
    tolerance = _RELATIVE_TOLERANCE * max(1.0, abs(goal))
    met = {
        ">=": value >= goal - tolerance,
        ">": value > goal + tolerance,
        "<=": value <= goal + tolerance,
        "<": value < goal - tolerance,
        "=": abs(value - goal) <= tolerance,
    }[target.comparator]
    return Status.MET if met else Status.NOT_MET


def status_label(status: Status, language: str = "en") -> str:
    return translate(TEXT, f"status_{Status(status).value}", language)


def status_symbol(status: Status) -> str:
    return STATUS_SYMBOLS[Status(status)]


#: How a number is written on each scale ("{number}" is the number in the page's language;
#: a percentage takes the language's percent style, business days the language's words).
_SCALE_PATTERN = {
    "mean_1_5": "{number}/5",
    "score_0_10": "{number}/10",
    "seconds": "{number} s",
    "minutes": "{number} min",
    "hours": "{number} h",
    "count": "{number}",
}


def format_target_value(
    value: float, scale: str, language: str = "en", *, decimals: int = 2, exact: bool = False
) -> str:
    """A raw-scale target value in display form: 0.95 on the fraction scale is "95%".

    At most ``decimals`` decimals, trailing zeros dropped; ``exact``: always ``decimals``
    ("4.00/5" beside "4.25/5" in a column).
    """
    # Imported here: dashboard.domain.formatting imports this module.
    from dashboard.domain.formatting import format_number, format_percent_number

    if scale not in _SCALE_PATTERN and scale not in ("percent", "fraction", "business_days"):
        raise ValueError(f"unknown scale {scale!r}")
    shown = value * 100.0 if scale == "fraction" else value
    shown = round(shown, decimals)
    if shown == 0:
        shown = 0.0  # never "-0"
    if scale in ("percent", "fraction"):
        return format_percent_number(shown, language, decimals=decimals, exact=exact)
    number = format_number(shown, language, decimals=decimals, exact=exact)
    if scale == "business_days":
        return translate(TEXT, "unit_business_days", language, number=number)
    return _SCALE_PATTERN[scale].format(number=number)


def describe_target(target: TargetSpec | None, scale: str, language: str = "en") -> str:
    """The target in words: "≥ 95%", "≤ 60 s", "Establish baseline", or "No target"."""
    if target is None:
        return translate(TEXT, "no_target", language)
    if target.kind == "baseline":
        return target.text or translate(TEXT, "baseline", language)
    if target.kind == "text":
        return target.text or translate(TEXT, "no_target", language)
    assert target.value is not None  # guaranteed by TargetSpec for numeric targets
    symbol = COMPARATOR_SYMBOLS[target.comparator]
    return f"{symbol} {format_target_value(target.value, scale, language)}"


# -- target history ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoricTarget:
    """A published target with its place in the history: a corrected one has ``superseded_at``
    (when it was corrected) and ``superseded_by`` (the id of the target that replaced it)."""

    id: int
    spec: TargetSpec
    superseded_at: date | None = None
    superseded_by: int | None = None


@dataclass(frozen=True)
class TargetChange:
    """A change of a posted target, as the public is told of it.

    ``kind`` "corrected": the target for the same dates was replaced on ``day`` ("Target
    changed on <day>, from <old> to <new>"). "scheduled": a new target takes effect on
    ``day`` ("From <day>: <new> (was <old>)"); ``old`` is None when none was in force before.
    """

    kind: str  # "corrected" | "scheduled"
    day: date
    old: TargetSpec | None
    new: TargetSpec


def target_corrections(history: Iterable[HistoricTarget]) -> list[TargetChange]:
    """Every correction of one unit's target for one metric, oldest first.

    A superseded target and the one that replaced it (itself perhaps corrected later: each
    correction is one change). A superseding target that is not in ``history`` (not public)
    is not told.
    """
    targets = list(history)
    by_id = {target.id: target for target in targets}
    changes = [
        TargetChange(
            "corrected", target.superseded_at, target.spec, by_id[target.superseded_by].spec
        )
        for target in targets
        if target.superseded_at is not None
        and target.superseded_by is not None
        and target.superseded_by in by_id
    ]
    return sorted(changes, key=lambda change: (change.day, change.new.effective_from))


def scheduled_changes(in_force: Iterable[TargetSpec], after: date) -> list[TargetChange]:
    """The targets (among those that can be in force) taking effect after ``after``, each with
    the target in force the day before it starts; oldest first. A target that only repeats
    the one before it is no change."""
    targets = sorted(in_force, key=lambda target: target.effective_from)
    changes: list[TargetChange] = []
    for target in targets:
        if target.effective_from <= after:
            continue
        eve = target.effective_from - timedelta(days=1)
        before = targets_in_force(targets, eve, eve)
        if before is not None and _same_goal(before, target):
            continue
        changes.append(TargetChange("scheduled", target.effective_from, before, target))
    return changes


def _same_goal(one: TargetSpec, other: TargetSpec) -> bool:
    return (one.kind, one.value, one.comparator, one.text) == (
        other.kind,
        other.value,
        other.comparator,
        other.text,
    )
