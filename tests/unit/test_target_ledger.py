"""The D2 target history rules, in memory (``data.target_history``): no database.

On any day exactly one published, non-superseded target is in force per unit and metric
(a target applies whatever the segment), whatever the order of drafts, publications and
corrections; a corrected target is kept as history.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest

from data.target_history import (
    CORRECTED,
    CREATED,
    DRAFT,
    DRAFTED,
    PROMOTED,
    PUBLISHED,
    UNCHANGED,
    TargetContent,
    TargetLedger,
    TargetRow,
    ledger_from,
)

JULY = dt.date(2024, 7, 1)
OCTOBER = dt.date(2024, 10, 1)
JANUARY = dt.date(2025, 1, 1)
NOW = dt.datetime(2024, 9, 2, 10, 30)
LATER = dt.datetime(2024, 9, 3, 9, 0)


def target(value: float) -> TargetContent:
    return TargetContent("numeric", value, ">=")


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


#: Every day the scenarios below can touch, with margins on both sides.
ALL_DAYS = days(dt.date(2024, 6, 1), dt.date(2025, 3, 31))


def live_on(ledger: TargetLedger, day: dt.date) -> list[TargetRow]:
    """Published, non-superseded rows covering ``day``, computed from the fields directly."""
    return [
        r
        for r in ledger.rows
        if not r.deleted
        and r.visibility == PUBLISHED
        and r.superseded_at is None
        and r.effective_from <= day
        and (r.effective_to is None or day <= r.effective_to)
    ]


def assert_one_in_force_from(ledger: TargetLedger, first: dt.date) -> None:
    """None in force before ``first``, exactly one from it on (every day checked)."""
    for day in ALL_DAYS:
        live = live_on(ledger, day)
        expected = 1 if day >= first else 0
        assert len(live) == expected, (day, [(r.content.value, r.effective_from) for r in live])
        assert ledger.in_force(day) is (live[0] if live else None), day
    assert ledger.overlaps() == []


def value_in_force(ledger: TargetLedger, day: dt.date) -> float | None:
    row = ledger.in_force(day)
    return None if row is None else row.content.value


def snapshot(ledger: TargetLedger) -> list[tuple]:
    """Everything about the published rows (history included) that a draft must not touch."""
    return [
        (
            id(r),
            r.content,
            r.effective_from,
            r.effective_to,
            r.visibility,
            r.superseded_at,
            id(r.superseded_by) if r.superseded_by is not None else None,
            r.deleted,
        )
        for r in ledger.rows
        if r.visibility == PUBLISHED
    ]


# -- corrections: another target for the same start ------------------------------------


def test_publishing_a_draft_over_a_published_target_supersedes_it_and_keeps_it():
    ledger = TargetLedger()
    outcome, old = ledger.publish(target(0.80), JULY, now=NOW)
    assert outcome == CREATED
    outcome, draft = ledger.draft(target(0.85), JULY)
    assert outcome == DRAFTED and draft is not None and draft.visibility == DRAFT
    # The draft changes nothing in force yet.
    assert old.superseded_at is None and value_in_force(ledger, JULY) == 0.80
    assert ledger.in_force(JULY, with_drafts=True) is draft

    outcome, new = ledger.publish(target(0.85), JULY, now=LATER)

    assert outcome == CORRECTED
    assert new is draft  # the draft row is promoted, not copied
    assert new.visibility == PUBLISHED and new.superseded_at is None
    assert old.superseded_at == LATER and old.superseded_by is new
    assert old in ledger.rows and not old.deleted and old.visibility == PUBLISHED
    assert old.content == target(0.80)  # history keeps what it said
    assert ledger.drafts() == []
    assert ledger.published() == [new]
    assert_one_in_force_from(ledger, JULY)
    assert all(value_in_force(ledger, day) == 0.85 for day in days(JULY, JANUARY))


def test_publishing_directly_another_target_for_the_same_start_supersedes_the_old_one():
    ledger = TargetLedger()
    _, old = ledger.publish(target(0.80), JULY, now=NOW)

    outcome, new = ledger.publish(target(0.85), JULY, now=LATER)

    assert outcome == CORRECTED
    assert new is not old
    assert (new.content, new.effective_from, new.effective_to) == (target(0.85), JULY, None)
    assert old.superseded_at == LATER and old.superseded_by is new
    assert old in ledger.rows and not old.deleted and old.content == target(0.80)
    assert ledger.published() == [new]
    assert_one_in_force_from(ledger, JULY)
    assert value_in_force(ledger, JULY) == 0.85


def test_a_chain_of_corrections_keeps_every_old_target_linked_to_its_successor():
    ledger = TargetLedger()
    _, first = ledger.publish(target(0.80), JULY, now=NOW)
    _, second = ledger.publish(target(0.85), JULY, now=LATER)
    _, third = ledger.publish(target(0.90), JULY, now=LATER + dt.timedelta(days=1))

    assert first.superseded_by is second and second.superseded_by is third
    assert first.superseded_at == LATER
    assert second.superseded_at == LATER + dt.timedelta(days=1)
    assert [r for r in ledger.rows if r.visibility == PUBLISHED] == [first, second, third]
    assert ledger.published() == [third]
    assert_one_in_force_from(ledger, JULY)


def test_a_correction_takes_over_the_end_the_old_target_had():
    ledger = TargetLedger()
    _, july = ledger.publish(target(0.80), JULY, now=NOW)
    _, october = ledger.publish(target(0.90), OCTOBER, now=NOW)
    assert july.effective_to == OCTOBER - dt.timedelta(days=1)

    _, corrected = ledger.publish(target(0.85), JULY, now=LATER)

    assert july.superseded_by is corrected
    assert corrected.effective_to == OCTOBER - dt.timedelta(days=1)
    assert october.superseded_at is None and october.effective_to is None
    assert_one_in_force_from(ledger, JULY)
    assert value_in_force(ledger, OCTOBER - dt.timedelta(days=1)) == 0.85
    assert value_in_force(ledger, OCTOBER) == 0.90


# -- drafts ----------------------------------------------------------------------------


def test_drafts_in_any_order_never_change_published_rows():
    ledger = TargetLedger()
    ledger.publish(target(0.80), JULY, now=NOW)
    ledger.publish(target(0.90), JANUARY, now=NOW)
    before = snapshot(ledger)
    in_force_before = [value_in_force(ledger, day) for day in ALL_DAYS]

    steps = [
        (target(0.85), JULY),  # over a published start
        (target(0.70), OCTOBER),  # between two published starts
        (target(0.95), JANUARY),  # over the later published start
        (target(0.60), dt.date(2024, 6, 1)),  # before everything
        (target(0.88), JULY),  # replacing a draft
        (target(0.80), JULY),  # identical to the published one: the draft goes
        (target(0.75), OCTOBER),
    ]
    for order in (steps, list(reversed(steps)), random.Random(8).sample(steps, len(steps))):
        for content, start in order:
            ledger.draft(content, start)
            assert snapshot(ledger) == before
            assert [value_in_force(ledger, day) for day in ALL_DAYS] == in_force_before
            assert_one_in_force_from(ledger, JULY)


def test_a_new_draft_for_the_same_start_replaces_the_older_draft():
    ledger = TargetLedger()
    _, first = ledger.draft(target(0.85), JULY)
    outcome, second = ledger.draft(target(0.88), JULY)

    assert outcome == DRAFTED
    assert ledger.drafts() == [second]
    assert second.content == target(0.88) and second.effective_from == JULY
    assert first is second  # the same row, rewritten: one draft per start

    # A draft for another start is another draft.
    ledger.draft(target(0.90), OCTOBER)
    assert [(d.effective_from, d.content.value) for d in ledger.drafts()] == [
        (JULY, 0.88),
        (OCTOBER, 0.90),
    ]
    # Publishing the start promotes the latest draft, not the first one.
    outcome, published = ledger.publish(target(0.88), JULY, now=NOW)
    assert outcome == PROMOTED and published is second
    assert [(d.effective_from, d.content.value) for d in ledger.drafts()] == [(OCTOBER, 0.90)]


def test_a_draft_identical_to_the_published_target_is_not_kept():
    ledger = TargetLedger()
    _, published = ledger.publish(target(0.80), JULY, now=NOW)
    ledger.draft(target(0.85), JULY)

    outcome, _ = ledger.draft(target(0.80), JULY)

    assert outcome == DRAFTED
    assert ledger.drafts() == []
    assert ledger.published() == [published] and published.superseded_at is None


def test_a_stored_draft_replaced_by_an_identical_one_is_marked_deleted_not_forgotten():
    stored = [
        _Stored(1, 0.80, JULY, None, PUBLISHED),
        _Stored(2, 0.85, JULY, None, DRAFT),
    ]
    ledger = ledger_from(stored)

    ledger.draft(target(0.80), JULY)

    (draft_row,) = [r for r in ledger.rows if r.stored is stored[1]]
    assert draft_row.deleted and draft_row.dirty  # the store deletes it
    assert ledger.drafts() == []


# -- scheduled changes: another start --------------------------------------------------


def test_a_later_published_target_closes_the_earlier_one_the_day_before():
    ledger = TargetLedger()
    _, july = ledger.publish(target(0.80), JULY, now=NOW)

    outcome, october = ledger.publish(target(0.85), OCTOBER, now=LATER)

    assert outcome == CREATED
    assert july.effective_to == OCTOBER - dt.timedelta(days=1)
    assert july.superseded_at is None  # a scheduled change is not a correction
    assert october.effective_to is None
    assert_one_in_force_from(ledger, JULY)
    assert value_in_force(ledger, OCTOBER - dt.timedelta(days=1)) == 0.80
    assert value_in_force(ledger, OCTOBER) == 0.85


def test_an_earlier_published_target_is_bounded_by_the_later_one():
    ledger = TargetLedger()
    _, october = ledger.publish(target(0.85), OCTOBER, now=NOW)

    outcome, july = ledger.publish(target(0.80), JULY, now=LATER)

    assert outcome == CREATED
    assert july.effective_to == OCTOBER - dt.timedelta(days=1)
    assert october.effective_to is None and october.superseded_at is None
    assert_one_in_force_from(ledger, JULY)
    assert value_in_force(ledger, JULY) == 0.80
    assert value_in_force(ledger, OCTOBER) == 0.85


def test_a_target_published_between_two_others_closes_one_and_is_bounded_by_the_other():
    ledger = TargetLedger()
    _, july = ledger.publish(target(0.80), JULY, now=NOW)
    _, january = ledger.publish(target(0.90), JANUARY, now=NOW)

    _, october = ledger.publish(target(0.85), OCTOBER, now=LATER)

    assert july.effective_to == OCTOBER - dt.timedelta(days=1)
    assert october.effective_to == JANUARY - dt.timedelta(days=1)
    assert january.effective_to is None
    assert_one_in_force_from(ledger, JULY)
    assert [value_in_force(ledger, d) for d in (JULY, OCTOBER, JANUARY)] == [0.80, 0.85, 0.90]


def test_a_given_end_earlier_than_the_next_start_is_kept():
    ledger = TargetLedger()
    ledger.publish(target(0.90), JANUARY, now=NOW)
    end = dt.date(2024, 8, 31)

    _, july = ledger.publish(target(0.80), JULY, end=end, now=NOW)

    assert july.effective_to == end
    assert value_in_force(ledger, end) == 0.80
    assert value_in_force(ledger, end + dt.timedelta(days=1)) is None


# -- publishing again ------------------------------------------------------------------


@pytest.mark.parametrize("with_draft", [False, True])
def test_publishing_the_same_content_again_changes_nothing(with_draft):
    ledger = TargetLedger()
    _, july = ledger.publish(target(0.80), JULY, now=NOW)
    _, october = ledger.publish(target(0.85), OCTOBER, now=NOW)
    for row in ledger.rows:
        row.dirty = False  # as if just loaded
    if with_draft:
        ledger.draft(target(0.82), JULY)
        ledger.draft(target(0.80), JULY)  # back to the published content: dropped
    before = snapshot(ledger)

    outcome, row = ledger.publish(target(0.80), JULY, now=LATER)

    assert outcome == UNCHANGED and row is july
    assert snapshot(ledger) == before
    assert len(ledger.rows) == 2 and not any(r.dirty for r in ledger.rows)
    assert ledger.drafts() == []
    assert july.superseded_at is None and october.superseded_at is None
    assert_one_in_force_from(ledger, JULY)


def test_publishing_a_draft_identical_to_the_published_target_merges_it():
    ledger = ledger_from(
        [_Stored(1, 0.80, JULY, None, PUBLISHED), _Stored(2, 0.80, JULY, None, DRAFT)]
    )
    (published,) = ledger.published()

    outcome, row = ledger.publish(target(0.80), JULY, now=LATER)

    assert outcome == UNCHANGED and row is published
    assert published.superseded_at is None and not published.dirty
    assert ledger.drafts() == []
    assert_one_in_force_from(ledger, JULY)


# -- loading stored rows ---------------------------------------------------------------


@dataclass
class _Stored:
    """Shaped like ``dashboard.infra.models.Target`` as far as ``ledger_from`` reads it."""

    id: int
    value: float
    effective_from: dt.date
    effective_to: dt.date | None
    visibility: str
    superseded_at: dt.datetime | None = None
    superseded_by_id: int | None = None
    kind: str = "numeric"
    comparator: str = ">="
    text_en: str | None = None
    text_es: str | None = None
    promise_en: str | None = None
    promise_es: str | None = None


def test_a_ledger_from_stored_rows_keeps_the_history_links_and_goes_on_correctly():
    ledger = ledger_from(
        [
            _Stored(1, 0.80, JULY, None, PUBLISHED, superseded_at=NOW, superseded_by_id=2),
            _Stored(2, 0.85, JULY, None, PUBLISHED),
        ]
    )
    old, current = ledger.rows
    assert old.superseded_by is current and old.superseded_at == NOW
    assert ledger.published() == [current]
    assert not any(r.dirty for r in ledger.rows)

    ledger.publish(target(0.90), OCTOBER, now=LATER)

    assert current.effective_to == OCTOBER - dt.timedelta(days=1) and current.dirty
    assert old.effective_to is None and not old.dirty  # history is left alone
    assert_one_in_force_from(ledger, JULY)


# -- property: any sequence of drafts and publications ---------------------------------

STARTS = (JULY, OCTOBER, JANUARY)
VALUES = (0.80, 0.85, 0.90)
#: From before the first possible start to well after the last one.
COVERED = days(JULY - dt.timedelta(days=3), JANUARY + dt.timedelta(days=40))


def expected_in_force(publications: list[tuple[dt.date, float]], day: dt.date) -> float | None:
    """The oracle, from the publications alone (drafts never matter):

    among published targets starting on or before ``day``, the one with the latest start;
    at equal start, the last published.
    """
    best: tuple[dt.date, float] | None = None
    for start, value in publications:  # in publication order
        if start <= day and (best is None or start >= best[0]):
            best = (start, value)
    return None if best is None else best[1]


def random_steps(rng: random.Random) -> list[tuple[str, dt.date, float]]:
    return [
        (rng.choice(("draft", "publish")), rng.choice(STARTS), rng.choice(VALUES))
        for _ in range(rng.randint(1, 8))
    ]


def check_after_step(
    ledger: TargetLedger,
    publications: list[tuple[dt.date, float]],
    ever_published: list[TargetRow],
    steps: list,
) -> None:
    for day in COVERED:
        live = live_on(ledger, day)
        assert len(live) <= 1, (steps, day, [(r.effective_from, r.content.value) for r in live])
        want = expected_in_force(publications, day)
        got = ledger.in_force(day)
        assert (got.content.value if got is not None else None) == want, (steps, day)
        # The row the ledger says is in force is the live one found from the fields.
        assert (live[0] if live else None) is got, (steps, day)
        # Exactly one in force as soon as something is published for the day.
        assert len(live) == (0 if want is None else 1), (steps, day)
    assert ledger.overlaps() == [], steps
    # History is kept: a row once published stays, published, never deleted.
    for row in ever_published:
        assert row in ledger.rows and not row.deleted and row.visibility == PUBLISHED, steps
    # A superseded row is never in force, and points at a published row of the ledger.
    for row in ledger.rows:
        if row.superseded_at is not None:
            assert row.superseded_by is not None and row.superseded_by in ledger.rows, steps
            assert row.superseded_by.visibility == PUBLISHED, steps
            assert all(ledger.in_force(day) is not row for day in COVERED), steps
    # One draft per start.
    draft_starts = [r.effective_from for r in ledger.drafts()]
    assert len(draft_starts) == len(set(draft_starts)), steps


def history_chains(ledger: TargetLedger) -> dict[dt.date, list[float]]:
    """Per start, the values of its published rows, oldest first, along ``superseded_by``."""
    published = [r for r in ledger.rows if r.visibility == PUBLISHED and not r.deleted]
    chains: dict[dt.date, list[float]] = {}
    for row in published:
        if any(other.superseded_by is row for other in published):
            continue  # not the first of its chain
        chain = [row]
        while chain[-1].superseded_by is not None:
            chain.append(chain[-1].superseded_by)
        assert all(r.effective_from == row.effective_from for r in chain)
        assert row.effective_from not in chains, "two histories for one start"
        chains[row.effective_from] = [r.content.value for r in chain]
    return chains


@pytest.mark.parametrize("seed", range(300))
def test_any_sequence_of_drafts_and_publications_keeps_one_true_target_in_force(seed):
    """After every step of a random sequence, compared with oracles kept beside the ledger.

    - in force on each day: see :func:`expected_in_force`;
    - history, per start: every value published there, a repeat of the current one
      dropped (publishing the same content again changes nothing);
    - drafts, per start: the latest draft, unless identical to the published target of
      its start, until a publication of another content for that start promotes it.
    """
    rng = random.Random(seed)
    steps = random_steps(rng)
    ledger = TargetLedger()
    publications: list[tuple[dt.date, float]] = []
    history: dict[dt.date, list[float]] = {}
    pending: dict[dt.date, float] = {}
    ever_published: list[TargetRow] = []
    now = dt.datetime(2024, 6, 1, 12, 0)
    for step, (action, start, value) in enumerate(steps):
        done = steps[: step + 1]
        now += dt.timedelta(hours=1)
        content = target(value)
        current = history[start][-1] if start in history else None
        if action == "publish":
            draft_row = next((d for d in ledger.drafts() if d.effective_from == start), None)
            live_before = {id(r) for r in ledger.published()}
            outcome, row = ledger.publish(content, start, now=now)
            publications.append((start, value))
            ever_published.append(row)
            assert row.visibility == PUBLISHED and row.content.same_as(content), done
            if current == value:
                assert outcome == UNCHANGED, done
            else:
                history.setdefault(start, []).append(value)
                expected = (
                    CORRECTED if current is not None else PROMOTED if start in pending else CREATED
                )
                assert outcome == expected, done
                if start in pending:
                    assert row is draft_row, done  # promoted: the same row
                pending.pop(start, None)
            if outcome == CORRECTED:
                (old,) = [r for r in ledger.rows if r.superseded_by is row]
                assert id(old) in live_before and old.superseded_at == now, done
        else:
            before = snapshot(ledger)
            ledger.draft(content, start)
            assert snapshot(ledger) == before, done
            if current == value:
                pending.pop(start, None)
            else:
                pending[start] = value
        assert {d.effective_from: d.content.value for d in ledger.drafts()} == pending, done
        assert history_chains(ledger) == history, done
        check_after_step(ledger, publications, ever_published, done)
