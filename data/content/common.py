"""What every content import shares: reading the file, checking cells, the report, publication
rules and the one write transaction.

An import runs in two phases. First every row is checked on its own (``parse``): values,
dates, lengths against the model's columns. Then, inside the write transaction and after the
store lock (so that two imports never plan against the same state), every row is checked
against the store (``plan``): units, metrics, keys, publication. Only when neither phase
found a problem, and it is not a dry run, is anything written (``apply``) — all of it, in
that one transaction. A failed run is recorded as an ``ImportRun`` of the file's kind.

Publication (the same rules as results, docs/import-content.md):
- without ``--publish`` new rows are drafts; with it they are published;
- a row the store already holds with the same content is unchanged (a draft becomes
  published under ``--publish``);
- a changed row is updated; changing a *published* row is itself a publication and needs
  ``--publish`` (otherwise a problem), a draft stays a draft;
- a publishing import publishes the draft units (and their parents) and metrics that its
  rows use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.core import languages
from dashboard.infra.models import DRAFT, PUBLISHED, ImportRun, Metric, Unit, utcnow
from data.readers import header_key
from data.report import ImportReport
from data.store import Catalog, import_transaction, read_import_table, record_failure
from data.store import column_length as store_column_length

Progress = Callable[[int, int], None]
T = TypeVar("T")

#: In an importer's ``required``: the required text (name, title, label, reason) in the
#: deployment's default language (``name_en``).
REQUIRED_TEXT = "<required text>"


# -- translated columns ----------------------------------------------------------------------


def text_columns(model: Any) -> tuple[str, ...]:
    """``<field>_<language>`` for every translated field of ``model`` and configured language
    (``name_en``, ``name_es``, ``description_en``...): the text columns a file may have."""
    return tuple(
        f"{name}_{language}"
        for name in model.TRANSLATED
        for language in languages.content_languages()
    )


def required_text_column(model: Any) -> str:
    """The column of the text every row needs, in the default language (``name_en``)."""
    return f"{model.REQUIRED_TEXT}_{languages.default_language()}"


def unconfigured_language(model: Any, column: str) -> str | None:
    """The language of a ``<translated field>_<language>`` column when that language is not
    configured (``name_de`` without ``de`` in LANGUAGES); None for any other column."""
    name, sep, language = column.rpartition("_")
    if (
        sep
        and name in model.TRANSLATED
        and languages.LANGUAGE_CODE.match(language)
        and language not in languages.content_languages()
    ):
        return language
    return None


def unconfigured_language_reason(language: str) -> str:
    return languages.not_configured(language)


#: How the kinds of row are named in the report ("Actions: 2 new, ...").
INSERTED, REVISED, UNCHANGED, PROMOTED = "inserted", "revised", "unchanged", "promoted"


@dataclass
class ContentReport(ImportReport):
    """An :class:`ImportReport` whose counts are rows of one kind of content, not results."""

    #: What the counted rows are, plural: "actions", "contact points".
    subject: str = "rows"

    def to_text(self) -> str:
        lines = [f"Import of {self.file} ({self.subject})", self.outcome_line(self.subject)]
        if not self.problems:
            what = f"{self.subject.capitalize()} the import would write" if self.dry_run else None
            lines.append(
                f"Rows read: {self.rows_read}. {what or self.subject.capitalize()}: "
                f"{self.inserted} new, {self.revised} changed; {self.unchanged} already stored "
                "unchanged."
            )
            if self.published:
                lines.append(f"Also: {self.published} unchanged draft(s) published.")
            if self.units_created:
                lines.append("New units: " + ", ".join(self.units_created) + ".")
            if self.metrics_created:
                lines.append("New metrics: " + ", ".join(self.metrics_created) + ".")
        else:
            lines.append(f"Rows read: {self.rows_read}.")
        return "\n".join(lines + self.closing_lines())

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "subject": self.subject}


# -- cells ----------------------------------------------------------------------------------


def column_length(model: type, attribute: str) -> int | None:
    """The declared length of a String column (SQLite does not enforce it: we do)."""
    return store_column_length(getattr(model, attribute))


class Row:
    """One data row of the file, with helpers that report a bad cell and return None."""

    def __init__(
        self, report: ImportReport, number: int, cells: dict[str, str], header: dict[str, str]
    ) -> None:
        self.report = report
        self.number = number
        #: Cells by column key (``header_key``): the text as written.
        self.cells = cells
        #: Column key -> the header as written in the file (for problems).
        self.header = header
        self.ok = True

    def has(self, column: str) -> bool:
        """Whether the file has this column at all (a missing column leaves stored values)."""
        return column in self.header

    def raw(self, column: str) -> str:
        return self.cells.get(column, "")

    def given(self, values: dict[str, Any], also: Iterable[str] = ()) -> dict[str, Any]:
        """``values`` without the fields whose column the file does not have, so that a missing
        column leaves the stored field as it is; ``also`` names fields kept anyway (derived
        from other columns the file has)."""
        kept = set(also)
        return {name: value for name, value in values.items() if self.has(name) or name in kept}

    def problem(self, column: str | None, value: object, reason: str) -> None:
        self.ok = False
        shown = self.header.get(column, column) if column else None
        self.report.problem(self.number, shown, value, reason)

    def text(
        self,
        column: str,
        *,
        required: bool = False,
        limit: tuple[type, str] | None = None,
    ) -> str | None:
        """The cell with spaces trimmed, or None when empty; ``limit`` = (model, attribute)
        checks the length the store allows."""
        # Text is a cell parsed as itself: the same emptiness and length checks.
        return self.parsed(column, str, required=required, limit=limit)

    def texts(self, model: Any) -> dict[str, str | None]:
        """The translated fields of ``model`` in every configured language, by column
        (``name_en``...): the required text (a name) in the default language, lengths
        checked where the store limits them."""
        required = required_text_column(model) if model.REQUIRED_TEXT else None
        return {
            column: self.text(
                column,
                required=column == required,
                limit=(model, column) if column.rpartition("_")[0] in model.TEXT_LENGTHS else None,
            )
            for column in text_columns(model)
        }

    def fits(self, column: str, text: str, model: type, attribute: str) -> bool:
        """Whether ``text`` fits the model's column (a problem when it does not)."""
        length = column_length(model, attribute)
        if length is not None and len(text) > length:
            self.problem(
                column, text, f"too long: {len(text)} characters, at most {length} are allowed"
            )
            return False
        return True

    def parsed(
        self,
        column: str,
        parse: Callable[[str], T],
        *,
        required: bool = False,
        limit: tuple[type, str] | None = None,
    ) -> T | None:
        """``parse(cell)``, or None (with a problem when the cell is bad, or empty and
        required); ``limit`` checks the length of the parsed text."""
        text = self.raw(column).strip()
        if not text:
            if required:
                self.problem(column, "", "required; the cell is empty")
            return None
        try:
            value = parse(text)
        except ValueError as error:
            self.problem(column, text, str(error))
            return None
        if limit is not None and isinstance(value, str) and not self.fits(column, value, *limit):
            return None
        return value


@dataclass
class ParsedRow:
    """One row as checked on its own; each kind adds what it needs besides the values."""

    row: Row
    #: The model's fields from the file's columns (only the columns it has).
    values: dict[str, Any]


def repeated(
    row: Row, seen: dict[Any, int], key: Any, column: str, value: object, what: str
) -> bool:
    """Whether an earlier row of the file has the same ``key`` (a problem on this row naming
    that row and ``what`` they share); otherwise the key is this row's from now on."""
    if key in seen:
        row.problem(column, value, f"row {seen[key]} has the same {what}")
        return True
    seen[key] = row.number
    return False


def repeated_id(row: Row, seen: dict[Any, int], key: tuple[int, str], what: str) -> bool:
    """:func:`repeated` for the kinds keyed by unit and the agency's own ``id`` (``key[1]``)."""
    return repeated(row, seen, key, "id", key[1], f"unit and id; an id names one {what} of a unit")


def stored_by_key(session: Session, model: type[Any], *options: Any) -> dict[tuple[int, str], Any]:
    """The stored rows of ``model`` that have a code, by (unit id, code): the key the files of
    the unit-and-id kinds use. ``options``: loader options (relationships to load too)."""
    query = select(model).where(model.code.is_not(None))
    if options:
        query = query.options(*options)
    return {(stored.unit_id, stored.code): stored for stored in session.scalars(query)}


# -- units ----------------------------------------------------------------------------------


def find_unit(catalog: Catalog, row: Row, agency_column: str, service_column: str) -> int | None:
    """The unit a row is about: its agency (or the enterprise), or a service of it."""
    agency_text = row.text(agency_column, required=True)
    if agency_text is None:
        return None
    try:
        agency = catalog.find_agency(agency_text)
    except LookupError as error:
        message = str(error)
        if message.startswith("unknown agency"):
            message = (
                "unknown agency (match its slug, code or name as stored; add new units with "
                "cxdash import-units)"
            )
        row.problem(agency_column, agency_text, message)
        return None
    assert isinstance(agency, int)
    service_text = row.text(service_column)
    if service_text is None:
        return agency
    try:
        service = catalog.find_service(agency, service_text)
    except LookupError as error:
        message = str(error)
        if message.startswith("unknown service"):
            message = (
                f"unknown service of {catalog.unit_label(agency)} (match its slug, code or "
                "name as stored; add new units with cxdash import-units)"
            )
        row.problem(service_column, service_text, message)
        return None
    assert isinstance(service, int)
    return service


def draft_units_to_publish(session: Session, unit_ids: Iterable[int]) -> list[Unit]:
    """The draft units among ``unit_ids`` and their parents (a service's agency too)."""
    units = {unit.id: unit for unit in session.scalars(select(Unit))}
    found: dict[int, Unit] = {}
    for unit_id in unit_ids:
        unit = units.get(unit_id)
        while unit is not None:
            if unit.visibility != PUBLISHED:
                found[unit.id] = unit
            unit = units.get(unit.parent_id) if unit.parent_id is not None else None
    return sorted(found.values(), key=lambda u: u.id)


def draft_metrics(session: Session, metric_ids: Iterable[int]) -> list[Metric]:
    ids = set(metric_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Metric).where(Metric.id.in_(ids), Metric.visibility != PUBLISHED)
        ).all()
    )


def plan_publication(
    session: Session,
    tally: Tally,
    unit_ids: Iterable[int],
    metric_ids: Iterable[int],
    subject: str,
) -> tuple[list[int], list[int]]:
    """The draft units (and parents) and metrics that a publishing import's rows use, which
    it publishes too (D1); named in the report's notes."""
    units = draft_units_to_publish(session, unit_ids)
    metrics = draft_metrics(session, metric_ids)
    if units:
        tally.extra_notes.append(
            f"draft unit(s) that the {subject} use are published too: "
            + ", ".join(unit.slug for unit in units)
        )
    if metrics:
        tally.extra_notes.append(
            f"draft metric(s) that the {subject} use are published too: "
            + ", ".join(metric.code for metric in metrics)
        )
    return [unit.id for unit in units], [metric.id for metric in metrics]


def publish_used(session: Session, unit_ids: Iterable[int], metric_ids: Iterable[int]) -> None:
    """Publish the draft units and metrics that published rows use (D1)."""
    for unit_id in unit_ids:
        unit = session.get(Unit, unit_id)
        if unit is not None:
            unit.visibility = PUBLISHED
    for metric_id in metric_ids:
        metric = session.get(Metric, metric_id)
        if metric is not None:
            metric.visibility = PUBLISHED


# -- publication ----------------------------------------------------------------------------


def decide(
    row: Row,
    stored_visibility: str | None,
    *,
    changed: bool,
    public_change: bool,
    publish: bool,
    what: str,
) -> str | None:
    """What to do with a row: inserted, revised, unchanged, promoted; None on a problem.

    ``public_change``: the change touches what the public sees (not only an internal note).
    """
    if stored_visibility is None:
        return INSERTED
    if not changed:
        return PROMOTED if publish and stored_visibility != PUBLISHED else UNCHANGED
    if stored_visibility == PUBLISHED and public_change and not publish:
        row.problem(
            None,
            None,
            f"this {what} is published and the file changes it; changing what the public "
            "sees is a publication: import with --publish (or leave the row as stored)",
        )
        return None
    return REVISED


def new_visibility(stored_visibility: str | None, publish: bool) -> str:
    if publish:
        return PUBLISHED
    return stored_visibility or DRAFT


@dataclass
class PlannedRow:
    """A row the import writes (or leaves unchanged), as decided when planning."""

    outcome: str
    #: The kind's parsed row: its values and what else the kind needs to write it.
    parsed: Any
    #: The fields that name the row (a unit and code, a metric's code, a unit's slug and kind):
    #: written when the row is inserted, already stored otherwise.
    key: dict[str, Any]
    #: The stored row that the file's row revises, promotes or leaves unchanged; None when new.
    stored: Any


def write_planned(
    session: Session, model: type, planned: PlannedRow, publish: bool, **also: Any
) -> Any:
    """Insert the planned row as a new ``model``, or update the stored row it revises or
    promotes; None for an unchanged row. ``also``: fields written either way besides the
    file's values (the import that wrote the row, links the kind resolved)."""
    values = planned.parsed.values
    if planned.outcome == INSERTED:
        written = model(**planned.key, visibility=new_visibility(None, publish), **also, **values)
        session.add(written)
        return written
    if planned.outcome in (REVISED, PROMOTED):
        stored = planned.stored
        assert stored is not None
        for name, value in {**values, **also}.items():
            setattr(stored, name, value)
        stored.visibility = new_visibility(stored.visibility, publish)
        return stored
    return None


def apply_keyed_rows(
    session: Session, model: type, planned_rows: Iterable[PlannedRow], publish: bool, run: ImportRun
) -> None:
    """Write the planned rows of a kind with nothing to resolve at write time, each marked
    with the import that wrote it."""
    for planned in planned_rows:
        write_planned(session, model, planned, publish, import_id=run.id)


def same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        return abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(a)))  # type: ignore[arg-type]
    return a == b


def changed_fields(stored: object, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if not same(getattr(stored, name), value)]


# -- the import -----------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts of the planned work, kept on the importer and copied into the report."""

    inserted: int = 0
    revised: int = 0
    unchanged: int = 0
    promoted: int = 0
    extra_notes: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


class ContentImporter:
    """One kind of content. Subclasses set the names and columns and implement the phases."""

    #: ``ImportRun.kind`` and the report's kind.
    kind: str = ""
    #: Plural noun for the report.
    subject: str = ""
    #: Every column the file may have (header keys), and those it must have.
    columns: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    #: The model whose translated fields come as ``<field>_<language>`` columns, one per
    #: configured language (besides ``columns``).
    model: Any = None

    def all_columns(self) -> tuple[str, ...]:
        """``columns`` and the text columns of every configured language."""
        return (*self.columns, *text_columns(self.model)) if self.model else self.columns

    def required_columns(self) -> tuple[str, ...]:
        """``required``, :data:`REQUIRED_TEXT` as the column of the default language."""
        return tuple(
            required_text_column(self.model) if name == REQUIRED_TEXT else name
            for name in self.required
        )

    def __init__(self, report: ContentReport, publish: bool) -> None:
        self.report = report
        self.publish = publish
        self.tally = Tally()
        #: What ``plan`` decided, row by row, for ``apply`` to write.
        self.planned: list[PlannedRow] = []
        #: Draft units and metrics the rows use, published with them under ``--publish``.
        self.publish_unit_ids: list[int] = []
        self.publish_metric_ids: list[int] = []

    def plan_row(
        self,
        parsed: ParsedRow,
        stored: Any,
        changed: list[str],
        *,
        what: str,
        key: dict[str, Any],
        public_change: bool | None = None,
    ) -> PlannedRow | None:
        """Decide what to do with a row (see :func:`decide`; ``public_change`` defaults to
        any change), count it and plan it; None on a problem."""
        outcome = decide(
            parsed.row,
            None if stored is None else stored.visibility,
            changed=bool(changed),
            public_change=bool(changed) if public_change is None else public_change,
            publish=self.publish,
            what=what,
        )
        if outcome is None:
            return None
        self.tally.count(outcome)
        planned = PlannedRow(outcome, parsed, key, stored)
        self.planned.append(planned)
        return planned

    def plan_publication(self, session: Session, metric_ids: Iterable[int] = ()) -> None:
        """Under ``--publish``: the draft units (by the planned rows' ``unit_id``) and metrics
        that the rows use, for ``apply`` to publish too."""
        if self.publish:
            self.publish_unit_ids, self.publish_metric_ids = plan_publication(
                session,
                self.tally,
                [planned.key["unit_id"] for planned in self.planned],
                metric_ids,
                self.subject,
            )

    def publish_used(self, session: Session) -> None:
        """Publish what :meth:`plan_publication` found (in ``apply``, after the rows)."""
        publish_used(session, self.publish_unit_ids, self.publish_metric_ids)

    def parse(self, rows: list[Row]) -> None:
        """Check every row on its own (no store)."""
        raise NotImplementedError

    def plan(self, session: Session) -> None:
        """Check every row against the store and decide what to write (reads only)."""
        raise NotImplementedError

    def apply(self, session: Session, run: ImportRun, now: dt.datetime) -> None:
        """Write the plan in the caller's transaction."""
        raise NotImplementedError


def import_content(
    database_url: str,
    path: Path,
    importer_class: type[ContentImporter],
    *,
    dry_run: bool = False,
    publish: bool = False,
    progress: Progress | None = None,
) -> ContentReport:
    """Import one content file: every row or, on any problem, none."""
    path = Path(path)
    report = ContentReport(
        file=path.name,
        kind=importer_class.kind,
        subject=importer_class.subject,
        dry_run=dry_run,
        publish=publish,
    )
    importer = importer_class(report, publish)
    table = read_import_table(database_url, path, report)
    if table is None:
        return report

    index = table.column_index()
    header = {key: table.header[position] for key, position in index.items()}
    columns = importer.all_columns()
    for name in importer.required_columns():
        if name not in index:
            report.problem(table.header_row, name, None, "required column is missing")
    foreign = set()
    for name in table.header:
        language = (
            unconfigured_language(importer.model, header_key(name))
            if name and importer.model
            else None
        )
        if language is not None:
            foreign.add(name)
            report.problem(table.header_row, name, name, unconfigured_language_reason(language))
    unused = [
        name
        for name in table.header
        if name and header_key(name) not in columns and name not in foreign
    ]
    if unused:
        report.notes.append("column(s) not used: " + ", ".join(unused))
    if report.problems:
        record_failure(database_url, report, None)
        return report

    total = len(table) * 2
    if progress:
        progress(0, total)
    known = {key: position for key, position in index.items() if key in columns}
    rows = [
        Row(report, int(number), {key: str(cells[p]) for key, p in known.items()}, header)
        for number, cells in zip(table.row_numbers.tolist(), table.rows, strict=True)
    ]
    with report.timed("check"):
        importer.parse(rows)
    if progress:
        progress(len(table), total)

    # Rows with problems are still checked against the store (an unknown agency is reported
    # with a bad date of the same file). The store lock first (not for a dry run, nor when
    # nothing will be written anyway), then everything read and planned inside it; problems,
    # dry run, commit and database errors are handled by import_transaction.
    lock = not dry_run and not report.problems
    with import_transaction(database_url, report, lock=lock) as session:
        with report.timed("check"):
            importer.plan(session)
        _copy_tally(importer.tally, report)
        report.problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        if report.problems or dry_run:
            return report
        now = utcnow()
        run = ImportRun(
            kind=report.kind,
            file_name=report.file[:500],
            checksum=report.checksum or "",
            rows_read=report.rows_read,
            rows_inserted=report.inserted,
            rows_revised=report.revised,
            rows_unchanged=report.unchanged,
            status="succeeded",
            started_at=now,
        )
        session.add(run)
        session.flush()
        with report.timed("write"):
            importer.apply(session, run, now)
            session.flush()
            if publish:
                from data.publication import record_cli_publications

                # The public changelog and the audit log, in the import's transaction.
                record_cli_publications(session, run, now=now)
        run.message = (
            f"{report.rows_read} rows read; {report.inserted} new, {report.revised} changed, "
            f"{report.unchanged} unchanged {report.subject}"
        )
        run.finished_at = utcnow()
        report.import_id = run.id
    if progress and report.ok:
        progress(total, total)
    return report


def _copy_tally(tally: Tally, report: ImportReport) -> None:
    report.inserted = tally.inserted
    report.revised = tally.revised
    report.unchanged = tally.unchanged + tally.promoted
    report.published = tally.promoted
    report.notes.extend(tally.extra_notes)
