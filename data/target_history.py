"""Target history that stays true (decision D2 of issue 8), as plain objects: no database.

A :class:`TargetLedger` holds every target of one (unit, metric) pair, as stored, and
applies the import rules to it in memory; ``data.store`` then writes what changed. Keeping
the rules here, away from the database, lets a property test drive thousands of random
sequences of drafts and publications through them.

"In force" on a day = published, not superseded, and ``effective_from <= day <=
effective_to`` (an empty end is open). The invariant kept after every operation: the
published, non-superseded targets of a pair never overlap, so on any day at most one is in
force, and it is the one most recently published for the latest start on or before that day.

Publishing a target T starting on S:

- a published, non-superseded target starting on S with the same content: nothing new (an
  identical draft for S is merged into it, i.e. dropped);
- with other content: it is kept as history (``superseded_at`` = now, ``superseded_by`` =
  T) and T takes over its end, unless a later target bounds T;
- a published target that started before S and is still open on S ends the day before S
  (a scheduled change);
- T ends the day before the next published start after S (or its own given end, if
  earlier), or stays open;
- a draft for S becomes T (promoted: same row), whatever its content.

A draft never changes a published row. There is one draft per start: a new draft for the
same start replaces the older one; a draft identical to the published target for its
start is not kept.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dashboard.core.languages import content_languages

DRAFT = "draft"
PUBLISHED = "published"

#: Outcomes of one operation, counted in the import report.
UNCHANGED = "unchanged"
CREATED = "created"
PROMOTED = "promoted"
CORRECTED = "corrected"  # a published target for the same start was superseded
DRAFTED = "drafted"  # a new draft, or a draft replaced

_ONE_DAY = dt.timedelta(days=1)


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


@dataclass(frozen=True)
class TargetContent:
    """What a target says (not when): compared to decide whether a publication is new."""

    kind: str
    value: float | None
    comparator: str
    #: The target's words, ``(column, text)`` sorted, one per non-empty ``text_<language>`` /
    #: ``promise_<language>`` (``("promise_en", "We answer within 10 minutes")``).
    texts: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(
        cls, kind: str, value: float | None, comparator: str, **texts: str | None
    ) -> TargetContent:
        """A content from its texts as keyword arguments (``text_en=...``, ``promise_fr=...``);
        None leaves a text out."""
        given = tuple(sorted((k, v) for k, v in texts.items() if v is not None))
        return cls(kind=kind, value=value, comparator=comparator, texts=given)

    def text(self, column: str) -> str | None:
        """The text of ``column`` (``text_en``, ``promise_es``), None when not given."""
        return dict(self.texts).get(column)

    def same_as(self, other: TargetContent) -> bool:
        return (
            self.kind == other.kind
            and self.comparator == other.comparator
            and _same_number(self.value, other.value)
            and self.texts == other.texts
        )

    def as_fields(self) -> dict[str, Any]:
        """The ``Target`` fields: kind, value, comparator and each text by its column."""
        return {
            "kind": self.kind,
            "value": self.value,
            "comparator": self.comparator,
            **dict(self.texts),
        }


@dataclass(eq=False)
class TargetRow:
    """One target of the pair; ``stored`` is the database row (None for a new one)."""

    content: TargetContent
    effective_from: dt.date
    effective_to: dt.date | None
    visibility: str
    superseded_at: dt.datetime | None = None
    superseded_by: TargetRow | None = None
    stored: Any = None
    deleted: bool = False
    #: Changed since loaded (to be written).
    dirty: bool = False
    #: The file row that set it, for problems.
    row: int | None = None

    @property
    def is_live_published(self) -> bool:
        return not self.deleted and self.visibility == PUBLISHED and self.superseded_at is None

    @property
    def is_draft(self) -> bool:
        return not self.deleted and self.visibility == DRAFT

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclass
class TargetLedger:
    """Every target of one (unit, metric) pair, and the D2 rules to change them."""

    rows: list[TargetRow] = field(default_factory=list)

    # -- reading ------------------------------------------------------------------------

    def published(self) -> list[TargetRow]:
        return sorted((r for r in self.rows if r.is_live_published), key=lambda r: r.effective_from)

    def drafts(self) -> list[TargetRow]:
        return sorted((r for r in self.rows if r.is_draft), key=lambda r: r.effective_from)

    def in_force(self, day: dt.date, *, with_drafts: bool = False) -> TargetRow | None:
        """The published target in force on ``day``; ``with_drafts``: as if drafts were out.

        With drafts, the view is the one a draft import compares with: the latest start on
        or before ``day`` wins, a draft over the published target of the same start.
        """
        live = [r for r in self.published() if r.covers(day)]
        if not with_drafts:
            return live[-1] if live else None
        candidates = live + [
            r for r in self.drafts() if r.effective_from <= day and self._draft_covers(r, day)
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda r: (r.effective_from, r.visibility == DRAFT))

    def _draft_covers(self, draft: TargetRow, day: dt.date) -> bool:
        return draft.effective_to is None or day <= draft.effective_to

    def overlaps(self) -> list[tuple[TargetRow, TargetRow]]:
        """Pairs of published, non-superseded targets in force on a common day (should be [])."""
        live = self.published()
        found = []
        for earlier, later in itertools.pairwise(live):
            if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                found.append((earlier, later))
        return found

    # -- changing -----------------------------------------------------------------------

    def publish(
        self,
        content: TargetContent,
        start: dt.date,
        *,
        end: dt.date | None = None,
        now: dt.datetime,
        row: int | None = None,
    ) -> tuple[str, TargetRow]:
        """Publish ``content`` from ``start`` (to ``end`` if given); see the module docstring."""
        same_start = next((r for r in self.published() if r.effective_from == start), None)
        draft = next((r for r in self.drafts() if r.effective_from == start), None)
        later = [r.effective_from for r in self.published() if r.effective_from > start]
        bound = min(later) - _ONE_DAY if later else None
        if same_start is not None:
            wanted_end = _earliest(end, bound) if end is not None else same_start.effective_to
            if same_start.content.same_as(content) and same_start.effective_to == wanted_end:
                if draft is not None and draft.content.same_as(content):
                    self._drop(draft)
                return UNCHANGED, same_start
        else:
            wanted_end = _earliest(end, bound)
        if draft is not None:
            target = draft
            target.content = content
            target.visibility = PUBLISHED
            target.effective_to = wanted_end
            target.dirty = True
            target.row = row if row is not None else target.row
            outcome = PROMOTED
        else:
            target = TargetRow(content, start, wanted_end, PUBLISHED, dirty=True, row=row)
            self.rows.append(target)
            outcome = CREATED
        if same_start is not None:
            same_start.superseded_at = now
            same_start.superseded_by = target
            same_start.dirty = True
            outcome = CORRECTED
        for earlier in self.published():
            if (
                earlier is not target
                and earlier.effective_from < start
                and (earlier.effective_to is None or earlier.effective_to >= start)
            ):
                earlier.effective_to = start - _ONE_DAY
                earlier.dirty = True
        return outcome, target

    def draft(
        self,
        content: TargetContent,
        start: dt.date,
        *,
        end: dt.date | None = None,
        row: int | None = None,
    ) -> tuple[str, TargetRow | None]:
        """Record ``content`` from ``start`` as a draft: never changes a published row."""
        same_start = next((r for r in self.published() if r.effective_from == start), None)
        existing = next((r for r in self.drafts() if r.effective_from == start), None)
        if (
            same_start is not None
            and same_start.content.same_as(content)
            and (end is None or same_start.effective_to == end)
        ):
            if existing is not None:
                self._drop(existing)
                return DRAFTED, None
            return UNCHANGED, same_start
        if existing is not None:
            if existing.content.same_as(content) and existing.effective_to == end:
                return UNCHANGED, existing
            existing.content = content
            existing.effective_to = end
            existing.dirty = True
            existing.row = row if row is not None else existing.row
            return DRAFTED, existing
        target = TargetRow(content, start, end, DRAFT, dirty=True, row=row)
        self.rows.append(target)
        return DRAFTED, target

    def _drop(self, row: TargetRow) -> None:
        if row.stored is None:
            self.rows.remove(row)
        else:
            row.deleted = True
            row.dirty = True


def _earliest(*days: dt.date | None) -> dt.date | None:
    given = [day for day in days if day is not None]
    return min(given) if given else None


def _texts_of(target: Any) -> dict[str, str | None]:
    """A stored target's words by column (``text_en``...): every language it holds."""
    if hasattr(target, "text_record"):
        return target.text_record()
    return {
        f"{name}_{code}": getattr(target, f"{name}_{code}", None)
        for name in ("text", "promise")
        for code in content_languages()
    }


def ledger_from(targets: Iterable[Any]) -> TargetLedger:
    """A ledger of stored ``dashboard.infra.models.Target`` rows (or anything shaped like them)."""
    rows: list[TargetRow] = []
    by_id: dict[int, TargetRow] = {}
    for target in targets:
        row = TargetRow(
            TargetContent.of(target.kind, target.value, target.comparator, **_texts_of(target)),
            target.effective_from,
            target.effective_to,
            target.visibility,
            superseded_at=target.superseded_at,
            stored=target,
        )
        rows.append(row)
        by_id[target.id] = row
    for row in rows:
        successor = getattr(row.stored, "superseded_by_id", None)
        if successor is not None:
            row.superseded_by = by_id.get(successor)
    return TargetLedger(rows)
