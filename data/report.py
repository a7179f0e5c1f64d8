"""What an import found and what it did: problems, notes and counts, as text or JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

#: Import outcomes, the same words as ``ImportRun.status``.
SUCCEEDED = "succeeded"
FAILED = "failed"
DRY_RUN = "dry_run"


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong with the input; any problem stops the whole file from being written.

    ``row`` is the 1-based line number a person sees in a text editor (for a record whose
    quoted field spans lines, the line it starts on), or the row number of a spreadsheet.
    It is None for problems with the whole file (an unreadable file, a bad mapping).
    ``column`` is the column header as written in the file (or a mapping setting).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def to_text(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            where.append(f"value {_shorten(self.value)!r}")
        return f"{', '.join(where)}: {self.reason}"


@dataclass(frozen=True, slots=True)
class CellNote:
    """A cell the mapping said to import differently (``action``): listed, never silent.

    ``action`` is "not_reported" (an impossible value stored as not reported, on_invalid) or
    "truncated" (a text cut to the store's length, long_text).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    action: str

    def to_text(self) -> str:
        return ImportProblem(self.file, self.row, self.column, self.value, self.reason).to_text()


@dataclass
class ImportReport:
    """The outcome of one import. ``ok`` is True when there were no problems."""

    file: str
    kind: str = "observations"
    mapping_name: str | None = None
    checksum: str | None = None
    dry_run: bool = False
    publish: bool = False
    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Data rows read from the file (records, not lines; ignored trailing lines excluded).
    rows_read: int = 0
    #: Observations (rows of the store) new, changed, and already stored with the same values.
    inserted: int = 0
    revised: int = 0
    unchanged: int = 0
    #: Of the unchanged observations, drafts that this import published.
    published: int = 0
    #: Earlier published values kept as revisions.
    revisions_kept: int = 0
    #: Workspace uploads: changes to published figures saved as pending revisions (the
    #: published value stays public until a publisher approves).
    pending_revisions: int = 0
    targets_created: int = 0
    #: Draft targets this import published, and published targets it corrected (kept as
    #: history: superseded, never in force again).
    targets_published: int = 0
    targets_superseded: int = 0
    units_created: list[str] = field(default_factory=list)
    metrics_created: list[str] = field(default_factory=list)
    #: The ImportRun row: None for a dry run, or when it could not be recorded.
    import_id: int | None = None
    #: Seconds spent in each phase (read, check, aggregate, write), for benchmarks.
    timings: dict[str, float] = field(default_factory=dict)
    #: Cells the mapping told the import to adjust rather than refuse (on_invalid =
    #: "not_reported", long_text = "truncate"), each also written as a line in ``notes``.
    cell_notes: list[CellNote] = field(default_factory=list)
    #: Problems kept (and listed) at most; beyond, they are only counted (``problem_count``).
    #: None keeps every one. A column wrong on every row of a million-row file makes a
    #: million problems: the first thousand tell what to fix, and memory stays bounded.
    max_problems: int | None = None
    #: Problems found beyond ``max_problems``, counted, not kept.
    problems_omitted: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        """Every problem found, listed or not (see ``max_problems``)."""
        return len(self.problems) + self.problems_omitted

    @property
    def status(self) -> str:
        if self.problems:
            return FAILED
        return DRY_RUN if self.dry_run else SUCCEEDED

    @property
    def counts(self) -> dict[str, int]:
        return {
            "read": self.rows_read,
            "inserted": self.inserted,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "published": self.published,
            "revisions_kept": self.revisions_kept,
            "pending_revisions": self.pending_revisions,
            "targets_created": self.targets_created,
            "targets_published": self.targets_published,
            "targets_superseded": self.targets_superseded,
        }

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        """Add the time spent in the ``with`` block to ``timings[phase]``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.timings[phase] = self.timings.get(phase, 0.0) + elapsed

    def problem(
        self,
        row: int | None,
        column: str | None,
        value: object,
        reason: str,
        file: str | None = None,
    ) -> None:
        if self.max_problems is not None and len(self.problems) >= self.max_problems:
            self.problems_omitted += 1
            return
        text = None if value is None else str(value)
        line = None if row is None else int(row)  # numpy integers are not JSON numbers
        self.problems.append(ImportProblem(file or self.file, line, column, text, reason))

    def cell_note(
        self, row: int | None, column: str | None, value: str | None, reason: str, action: str
    ) -> None:
        """A cell imported as the mapping says (not reported, truncated): a note, not a problem."""
        line = None if row is None else int(row)
        note = CellNote(self.file, line, column, value, reason, action)
        self.cell_notes.append(note)
        self.notes.append(note.to_text())

    def outcome_line(self, written: str) -> str:
        """Failed, dry run, or imported (as drafts or published) ``written``: "values"."""
        if self.problems:
            return (
                f"FAILED: {self.problem_count} problem(s); nothing was written. "
                "Fix every problem listed below and import the file again."
            )
        if self.dry_run:
            return "Dry run: the file is valid; nothing was written."
        suffix = f" as import #{self.import_id}" if self.import_id is not None else ""
        state = "published" if self.publish else "drafts (not public until published)"
        return f"Imported{suffix}; new and changed {written} are {state}."

    def closing_lines(self) -> list[str]:
        """The notes, then every problem."""
        lines = []
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  - {note}" for note in self.notes)
        if self.problems:
            lines.append(f"Problems ({self.problem_count}):")
            lines.extend(f"  - {problem.to_text()}" for problem in self.problems)
            if self.problems_omitted:
                lines.append(
                    f"  ... and {self.problems_omitted} more, not listed (the first "
                    f"{len(self.problems)} are)"
                )
        return lines

    def to_text(self) -> str:
        title = f"Import of {self.file}"
        if self.mapping_name:
            title += f" (mapping: {self.mapping_name})"
        lines = [title, self.outcome_line("values")]
        if not self.problems and self.kind == "targets":
            what = "Targets the import would write" if self.dry_run else "Targets"
            lines.append(
                f"Rows read: {self.rows_read}. {what}: {self.targets_created} new, "
                f"{self.targets_published} draft(s) published, {self.targets_superseded} "
                f"published target(s) corrected (kept as history); {self.unchanged} already "
                "stored unchanged."
            )
            return "\n".join(lines + self.closing_lines())
        if not self.problems:
            what = "Observations the import would write" if self.dry_run else "Observations"
            lines.append(
                f"Rows read: {self.rows_read}. {what}: {self.inserted} new, "
                f"{self.revised} changed; {self.unchanged} already stored unchanged."
            )
            extras = []
            if self.published:
                extras.append(f"{self.published} unchanged draft(s) published")
            if self.revisions_kept:
                extras.append(f"{self.revisions_kept} earlier published value(s) kept as revisions")
            if self.pending_revisions:
                extras.append(
                    f"{self.pending_revisions} change(s) to published figures waiting for "
                    "publication (the published values stay public until then)"
                )
            if self.targets_created:
                extras.append(f"{self.targets_created} new target(s)")
            if self.targets_published:
                extras.append(f"{self.targets_published} draft target(s) published")
            if self.targets_superseded:
                extras.append(
                    f"{self.targets_superseded} published target(s) corrected (the earlier "
                    "one kept as history)"
                )
            if self.units_created:
                extras.append("new units: " + ", ".join(self.units_created))
            if self.metrics_created:
                extras.append("new metrics: " + ", ".join(self.metrics_created))
            if extras:
                lines.append("Also: " + "; ".join(extras) + ".")
        else:
            lines.append(f"Rows read: {self.rows_read}.")
        return "\n".join(lines + self.closing_lines())

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "mapping": self.mapping_name,
            "checksum": self.checksum,
            "status": self.status,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "publish": self.publish,
            "import_id": self.import_id,
            "counts": self.counts,
            "units_created": list(self.units_created),
            "metrics_created": list(self.metrics_created),
            "notes": list(self.notes),
            "cell_notes": [asdict(note) for note in self.cell_notes],
            "problems": [asdict(problem) for problem in self.problems],
            "problem_count": self.problem_count,
            "timings": {phase: round(seconds, 3) for phase, seconds in self.timings.items()},
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _shorten(value: str, limit: int = 80) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
