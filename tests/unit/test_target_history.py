"""Target history in words (D2): corrections and scheduled changes, from plain data."""

from __future__ import annotations

import datetime as dt

from dashboard.domain.targets import (
    HistoricTarget,
    TargetSpec,
    scheduled_changes,
    target_corrections,
)


def spec(value: float, start: dt.date, end: dt.date | None = None) -> TargetSpec:
    return TargetSpec("numeric", value, ">=", start, end)


JULY = dt.date(2024, 7, 1)


def test_a_correction_names_the_old_and_the_new_target_on_its_day():
    old = HistoricTarget(1, spec(0.8, JULY), dt.date(2024, 9, 2), 2)
    new = HistoricTarget(2, spec(0.85, JULY))
    (change,) = target_corrections([new, old])
    assert (change.kind, change.day) == ("corrected", dt.date(2024, 9, 2))
    assert change.old.value == 0.8 and change.new.value == 0.85


def test_a_chain_of_corrections_is_one_change_each_oldest_first():
    first = HistoricTarget(1, spec(0.8, JULY), dt.date(2024, 9, 2), 2)
    second = HistoricTarget(2, spec(0.85, JULY), dt.date(2024, 10, 1), 3)
    third = HistoricTarget(3, spec(0.9, JULY))
    changes = target_corrections([third, second, first])
    assert [(c.old.value, c.new.value) for c in changes] == [(0.8, 0.85), (0.85, 0.9)]


def test_a_correction_whose_replacement_is_not_public_is_not_told():
    assert target_corrections([HistoricTarget(1, spec(0.8, JULY), dt.date(2024, 9, 2), 7)]) == []
    assert target_corrections([HistoricTarget(1, spec(0.8, JULY))]) == []


def test_scheduled_changes_after_a_day_with_the_target_they_replace():
    now = spec(0.8, JULY, dt.date(2025, 6, 30))
    later = spec(0.85, dt.date(2025, 7, 1))
    (change,) = scheduled_changes([later, now], after=dt.date(2025, 3, 31))
    assert (change.kind, change.day) == ("scheduled", dt.date(2025, 7, 1))
    assert change.old == now and change.new == later
    # Already in force by then: not a scheduled change.
    assert scheduled_changes([now, later], after=dt.date(2025, 9, 30)) == []


def test_a_first_target_or_a_repeated_one():
    first = spec(0.8, dt.date(2025, 7, 1))
    (change,) = scheduled_changes([first], after=dt.date(2025, 3, 31))
    assert change.old is None
    same = spec(0.8, dt.date(2026, 7, 1))
    closed = spec(0.8, dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert len(scheduled_changes([closed, same], after=dt.date(2025, 3, 31))) == 1
