"""``cxdash import``: results files (long format or any layout a mapping describes) into the store.

The import is all or nothing, and streams: memory holds one batch of rows, not the file.

1. read the file (data.readers.stream_table: a first pass finds the header, the checksum and
   where the data ends; the rows are then read one at a time) and the mapping (data.mapping);
2. take the store lock (the first statement of the import's ONE transaction) and read the
   catalog inside it;
3. batch by batch (:data:`BATCH_ROWS` rows): turn every row into observations, checking
   *every* cell, and collect every problem with its file, row, column and value; a key
   an earlier row has is a duplicate (keys are kept compactly, records are not);
4. while the file has no problem, compare the batch with what is stored
   (data.store.plan_writes: a published value changed without ``publish`` is a problem too)
   and write it in the transaction, its new observations in a thread of their own while the
   next batch is checked (:class:`_BackgroundWrites`); targets are planned and written at
   the end, in period order over the whole file;
5. commit only when the whole file had no problem at all, recorded as an ``ImportRun``.

A file with problems writes no data: at the first problem the transaction is rolled back
(batches already written included) and the rest of the file is only checked. Its failed run
is recorded in a separate transaction (an ``ImportRun`` row with status "failed" and the
first problems in ``message``), so that an administrator can see failed attempts; no
observation, target, unit or metric is written. A dry run writes nothing at all, not even
the run.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import Dialect, Table, insert, or_, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

import data.store as store_module
from dashboard.core.languages import content_languages, default_language, not_configured
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import MONTH_ABBREVIATIONS, FiscalCalendar, Period
from dashboard.infra.db import session_factory
from dashboard.infra.models import (
    COMPARATORS,
    DRAFT,
    PUBLISHED,
    SEGMENT_TYPES,
    ImportRun,
    Metric,
    Observation,
    Target,
    Unit,
    utcnow,
)
from data.mapping import (
    ENTERPRISE_MARKER,
    Mapping,
    MappingError,
    Measure,
    WidePeriod,
    load_mapping,
    long_format_columns,
    long_format_mapping,
    render_template,
)
from data.readers import ReadError, TableStream, file_checksum, header_key, stream_table
from data.report import ImportReport
from data.store import (
    Catalog,
    MetricInfo,
    ObservationRecord,
    TargetRecord,
    UnitKey,
    WorkspaceUpload,
    WritePlan,
    _audit_upload,
    _plan_targets,
    _stored_key,
    _summary,
    _unit_id,
    apply_writes,
    check_new_entries,
    column_label,
    column_length,
    count_target_outcomes,
    fail_with_database_error,
    lock_store,
    note_previous_import,
    plan_writes,
    publish_used,
    record_failure,
    write_target_plans,
)
from data.store import _write_unit as write_unit
from data.values import (
    PROPORTION_SCALES,
    check_range,
    convert_scale,
    normalize_channel,
    parse_bool,
    parse_count,
    parse_date,
    parse_quarter,
    parse_scaled_value,
    parse_share,
)

Progress = Callable[[int, int], None]

#: A value and the rate its volumes give may differ by rounding (81% for 80.6%), not more.
RATE_TOLERANCE = 0.01

_COMPARATOR_SYMBOLS = {"≥": ">=", "≤": "<=", "=>": ">=", "=<": "<=", "==": "="}
_BASELINE = re.compile(r"baseline|l[ií]nea de base|base de r[ée]f[ée]rence", re.IGNORECASE)
# Month names by their first three letters, English and Spanish ("March", "marzo", "Sept").
_MONTH_WORDS = {
    name.lower(): number
    for names in MONTH_ABBREVIATIONS.values()
    for number, name in enumerate(names, start=1)
}


def import_observations(
    database_url: str,
    path: Path,
    *,
    settings: Settings,
    mapping_path: Path | None = None,
    dry_run: bool = False,
    publish: bool = False,
    progress: Progress | None = None,
    workspace: WorkspaceUpload | None = None,
    batch_rows: int | None = None,
) -> ImportReport:
    """Import a results file; see the module docstring and docs/import-format.md.

    ``progress(done, total)`` is called now and then with the rows checked (and, while the
    file has no problem, written) out of the file's rows.

    ``batch_rows``: rows checked and written together (:data:`BATCH_ROWS`); memory holds
    one batch, not the file.

    ``workspace``: an upload in the staff workspace (data.workspace_upload): rows outside
    the user's agencies and new units or metrics are problems, changed published figures
    become pending revisions (see :class:`data.store.WorkspaceUpload`). Never publishes.
    """
    if workspace is not None and publish:
        raise ValueError("a workspace upload saves drafts; publication is a separate step")
    path = Path(path)
    report = ImportReport(
        file=path.name,
        kind="observations",
        dry_run=dry_run,
        publish=publish,
        max_problems=MAX_PROBLEMS,
    )
    calendar = FiscalCalendar.from_settings(settings)
    mapping: Mapping | None = None
    if mapping_path is not None:
        mapping_path = Path(mapping_path)
        try:
            mapping = load_mapping(mapping_path, calendar)
        except MappingError as error:
            for problem in error.problems:
                report.problem(None, None, None, problem, file=mapping_path.name)
            _record_failure(database_url, report, path, None)
            return report
        report.mapping_name = mapping.name
    try:
        with report.timed("read"):
            table = stream_table(
                path,
                delimiter=mapping.delimiter if mapping else "auto",
                sheet=mapping.sheet if mapping else None,
                skip_rows=mapping.skip_rows if mapping else 0,
                encoding=mapping.encoding if mapping else None,
            )
    except ReadError as error:
        report.problem(None, None, None, str(error))
        _record_failure(database_url, report, path, mapping)
        return report
    report.checksum = table.checksum
    report.rows_read = len(table)
    report.notes.extend(table.notes)
    if mapping is None:
        mapping = long_format_mapping(table.header)
    elif mapping.periods_from_header:
        mapping = mapping.with_header_periods(table.header, calendar)
        if not mapping.wide_periods:
            report.problem(
                table.header_row,
                None,
                None,
                'periods = "from_header": no column header reads as a '
                f"{(mapping.wide_granularity or 'period').replace('_', ' ')} (such as FY2024 "
                "or 2023-24); list the period columns in [transposed] periods instead",
            )
    for number, width in table.overlong:
        report.problem(
            number,
            None,
            None,
            f"this row has {width} filled fields but the header has {len(table.header)} "
            "columns (an unquoted delimiter inside a value?)",
        )

    _StreamingImport(
        database_url,
        table,
        mapping,
        calendar,
        report,
        workspace=workspace,
        batch_rows=batch_rows or BATCH_ROWS,
        progress=progress,
    ).run()
    return report


# -- checking and writing, batch by batch -------------------------------------------------

#: Rows checked, planned and written together. Memory holds one batch of records (and a
#: compact key per record for the duplicate check), never the file.
BATCH_ROWS = 5000

#: Problems an import lists; more are counted (a bad column gives one per row).
MAX_PROBLEMS = 1000

#: Report counts that :func:`data.store.plan_writes` sets for the records it is given: summed
#: over the batches.
_PLAN_COUNTS = ("inserted", "revised", "unchanged", "published", "revisions_kept")


class _StreamingImport:
    """One import, all or nothing, in batches.

    Rows are checked a batch at a time; while the file has no problem, each batch is
    planned against the store and written in THE import's one transaction (the store lock is
    its first statement, so the catalog and every comparison are read inside the lock). At
    the first problem writing stops and the transaction is rolled back: the rest of the
    file is only checked, so that the report lists every problem, and the failed run is
    recorded in a transaction of its own. Targets are planned at the end, in period order
    over the whole file (their rows are kept; a row without a target is not).
    """

    def __init__(
        self,
        database_url: str,
        table: TableStream,
        mapping: Mapping,
        calendar: FiscalCalendar,
        report: ImportReport,
        *,
        workspace: WorkspaceUpload | None,
        batch_rows: int,
        progress: Progress | None,
    ) -> None:
        self.database_url = database_url
        self.table = table
        self.mapping = mapping
        self.calendar = calendar
        self.report = report
        self.workspace = workspace
        self.batch_rows = batch_rows
        self.progress = progress
        self.mapping_record = _mapping_record(mapping)
        #: Writing while the file has no problem (never for a dry run).
        self.writing = not report.dry_run and not report.problems
        #: Planning (comparing with the store) while the file has no problem.
        self.planning = not report.problems
        self.run_row: ImportRun | None = None
        self.now = utcnow()
        self.target_records: list[ObservationRecord] = []
        self.figures: Counter[tuple[int, str]] = Counter()
        self.checked_units: set[int] = set()
        self.checked_metrics: set[str] = set()
        self.counts = dict.fromkeys(_PLAN_COUNTS, 0)
        self.pending_revisions = 0
        self.writes = _BackgroundWrites()
        #: The observations' foreign keys set aside for a large import (PostgreSQL).
        self.bulk_load: _BulkLoad | None = None

    def run(self) -> None:
        report = self.report
        session = session_factory(self.database_url)()
        try:
            if self.writing:
                lock_store(session)
                self.bulk_load = _BulkLoad.begin(session, len(self.table))
            catalog = Catalog.load(session)
            builder = _RecordBuilder(
                self.table, self.mapping, catalog, self.calendar, report, self.workspace
            )
            batches = builder.batches(self.batch_rows, self.progress)
            while True:
                with report.timed("check"):
                    records = next(batches, None)  # reading and checking the rows
                if records is None:
                    break
                if self.planning and report.problems:
                    self._stop(session)
                if self.planning:
                    self._batch(session, catalog, records)
            if self.planning and report.problems:
                self._stop(session)
            if self.planning:
                self._finish(session, catalog)
            else:
                self._failed(session)
        except SQLAlchemyError as error:
            self.writes.settle()
            fail_with_database_error(session, self.database_url, report, error, self.mapping_record)
        except BaseException:
            self.writes.settle()
            session.rollback()
            raise
        finally:
            self.writes.settle()
            session.close()

    def _stop(self, session: Session) -> None:
        """The file has a problem: nothing it wrote stays; the rest is only checked."""
        self._wait_for_writes()
        session.rollback()  # a bulk load's dropped foreign keys are back too
        self.bulk_load = None
        self.planning = self.writing = False
        self.target_records.clear()

    def _failed(self, session: Session) -> None:
        self._wait_for_writes()
        session.rollback()
        self.report.import_id = None
        record_failure(self.database_url, self.report, self.mapping_record)

    def _check_new_entries(
        self, session: Session, catalog: Catalog, records: list[ObservationRecord]
    ) -> None:
        """Lengths of the new units and metrics first met in this batch, and of its records."""
        fresh = Catalog([], [])
        for identity, unit in catalog.new_units.items():
            if id(unit) not in self.checked_units:
                self.checked_units.add(id(unit))
                fresh.new_units[identity] = unit
        for key, info in catalog.new_metrics.items():
            if key not in self.checked_metrics:
                self.checked_metrics.add(key)
                fresh.new_metrics[key] = info
        check_new_entries(session, fresh, records, self.report)

    def _wait_for_writes(self) -> None:
        """The session is used again: the previous batch's bulk insert must be done."""
        with self.report.timed("write"):
            self.writes.wait()

    def _batch(self, session: Session, catalog: Catalog, records: list[ObservationRecord]) -> None:
        report = self.report
        self._wait_for_writes()
        with report.timed("check"):
            self._check_new_entries(session, catalog, records)
            if report.problems:
                return
            # Targets are planned at the end, over the whole file (see the class docstring).
            with_targets = [record for record in records if record.target is not None]
            self.target_records.extend(with_targets)
            targets = [record.target for record in with_targets]
            for record in with_targets:
                record.target = None
            workspace = self.workspace
            # Only records the store has a value for need data.store's comparison (which
            # loads each stored observation); the others are new, the bulk of a large file.
            keys = [_stored_key(record) for record in records]
            stored = _stored_keys(session, keys, self.run_row_id(session))
            fresh = records
            known: list[ObservationRecord] = []
            if stored:
                fresh = []
                for record, key in zip(records, keys, strict=True):
                    (known if key in stored else fresh).append(record)
            plan = plan_writes(
                session,
                known,
                publish=report.publish,
                report=report,
                pending_revisions=workspace is not None,
                revision_reason=workspace.reason if workspace is not None else None,
            )
            plan.inserts.extend(fresh)
            plan.records = records
            report.inserted += len(fresh)
            for record, target in zip(with_targets, targets, strict=True):
                record.target = target
            for name in _PLAN_COUNTS:
                self.counts[name] += getattr(report, name)
            self.pending_revisions += report.pending_revisions
            if report.problems or not self.writing:
                return
        with report.timed("write"):
            run = self._run(session)
            _write_new_units_and_metrics(session, catalog, publish=report.publish)
            figures = plan.published_figures() if report.publish else []
            # New observations, the bulk of a large file, go in the fastest way the
            # database offers, last, in the background (see _BackgroundWrites); apply_writes
            # does the rest (changes, revisions) first: they touch other rows.
            inserts: list[ObservationRecord] = []
            if _bulk_inserts(session.get_bind().dialect):
                inserts, plan.inserts = plan.inserts, []
            apply_writes(
                session,
                plan,
                _NO_NEW_ENTRIES,
                run,
                publish=report.publish,
                now=self.now,
                revision_reason=workspace.reason if workspace is not None else None,
            )
            for unit, kind in figures:
                self.figures[(_unit_id(unit), kind)] += 1
            if inserts:
                started = _insert_observations(
                    session, inserts, run, publish=report.publish, now=self.now, writes=self.writes
                )
                assert started, "_bulk_inserts said the driver takes them"
            # The batch is written (flushed): its objects leave the session, so that memory
            # stays one batch's.
            session.expunge_all()
            session.add(run)

    def run_row_id(self, session: Session) -> int | None:
        """The id of this import's run (made now when it writes; None for a dry run)."""
        return self._run(session).id if self.writing else None

    def _run(self, session: Session) -> ImportRun:
        if self.run_row is None:
            report = self.report
            self.run_row = ImportRun(
                kind=report.kind,
                file_name=report.file,
                checksum=report.checksum or "",
                mapping_name=None if self.mapping.builtin else self.mapping.name,
                mapping=self.mapping_record,
                rows_read=report.rows_read,
                status="succeeded",
                started_at=self.now,
                user_id=self.workspace.user_id if self.workspace is not None else None,
            )
            session.add(self.run_row)
            session.flush()
        return self.run_row

    def _finish(self, session: Session, catalog: Catalog) -> None:
        report = self.report
        self._wait_for_writes()
        if self.bulk_load is not None and not report.problems:
            with report.timed("keys"):
                self.bulk_load.restore(session)
            self.bulk_load = None
        for name, total in self.counts.items():
            setattr(report, name, total)
        report.pending_revisions = self.pending_revisions
        with report.timed("check"):
            # Headline measures: every metric the file creates, against each other too.
            known = set(report.problems)
            before = len(report.problems)
            check_new_entries(session, _new_metrics_only(catalog), [], report)
            report.problems[before:] = [
                problem for problem in report.problems[before:] if problem not in known
            ]
            targets = _plan_targets(session, self.target_records, report.publish, report, self.now)
            count_target_outcomes(report, targets)
        report.units_created = [unit.name for unit in catalog.new_units.values()]
        report.metrics_created = [metric.code for metric in catalog.new_metrics.values()]
        note_previous_import(session, report)
        if report.problems:
            self._failed(session)
            return
        if report.dry_run:
            session.rollback()
            return
        with report.timed("write"):
            run = self._run(session)
            _write_new_units_and_metrics(session, catalog, publish=report.publish)
            write_target_plans(session, targets, run)
            if report.publish and targets:
                publish_used(session, WritePlan(targets=targets))
            run.rows_inserted = report.inserted
            run.rows_revised = report.revised + report.pending_revisions
            run.rows_unchanged = report.unchanged
            run.message = _summary(report)
            run.finished_at = utcnow()
            if report.publish:
                from data.publication import record_cli_publications

                figures = self.figures
                record_cli_publications(
                    session,
                    run,
                    now=self.now,
                    figures=(key for key, count in figures.items() for _ in range(count)),
                )
            if self.workspace is not None:
                _audit_upload(session, run, report, self.workspace, self.now)
            session.commit()
        report.import_id = run.id


def _write_new_units_and_metrics(session: Session, catalog: Catalog, *, publish: bool) -> None:
    """The units and metrics first met since the last batch (drafts unless it publishes)."""
    visibility = PUBLISHED if publish else DRAFT
    for unit in catalog.new_units.values():
        write_unit(session, unit, visibility)
    for info in catalog.new_metrics.values():
        if info.id is not None:
            continue
        definition = dict(info.definition or {})
        definition.setdefault("direction", "higher")
        metric = Metric(code=info.code, visibility=visibility, **definition)
        session.add(metric)
        session.flush()
        info.id = metric.id


def _stored_keys(
    session: Session, keys: list[tuple[Any, ...] | None], run_id: int | None
) -> set[tuple[Any, ...]]:
    """Those of ``keys`` (``data.store._stored_key`` of records) the store already has a
    value for, other than those this import (run ``run_id``) wrote: key columns only, no
    object per stored row."""
    wanted = {key for key in keys if key is not None}
    if not wanted:
        return set()
    columns = OBSERVATIONS.c
    statement = select(
        columns.unit_id,
        columns.metric_id,
        columns.granularity,
        columns.period_start,
        columns.segment_type,
        columns.segment_value,
    ).where(
        columns.unit_id.in_(sorted({key[0] for key in wanted})),
        columns.metric_id.in_(sorted({key[1] for key in wanted})),
    )
    starts = {key[3] for key in wanted}
    if len(starts) <= store_module.MAX_PERIOD_FILTER:
        statement = statement.where(columns.period_start.in_(sorted(starts)))
    if run_id is not None:
        statement = statement.where(or_(columns.import_id.is_(None), columns.import_id != run_id))
    return {tuple(row) for row in session.execute(statement)} & wanted


def _bulk_inserts(dialect: Dialect) -> bool:
    """Whether :func:`_insert_observations` can write new observations with this driver:
    psycopg (COPY), or a driver taking positional parameters (an executemany of tuples)."""
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return True
    return _positional_insert(dialect) is not None


def _positional_insert(dialect: Dialect) -> str | None:
    """The INSERT of :data:`_COPY_COLUMNS` with positional parameters in that order, or None
    when the driver names its parameters."""
    statement = insert(OBSERVATIONS).compile(dialect=dialect, column_keys=list(_COPY_COLUMNS))
    if statement.positiontup is None or list(statement.positiontup) != list(_COPY_COLUMNS):
        return None
    return str(statement)


def _insert_observations(
    session: Session,
    records: list[ObservationRecord],
    run: ImportRun,
    *,
    publish: bool,
    now: dt.datetime,
    writes: _BackgroundWrites | None = None,
) -> bool:
    """New observations, with the values :func:`data.store.apply_writes` would insert;
    False (nothing done) for a driver that takes no positional parameters.

    PostgreSQL through psycopg: COPY. Otherwise one executemany of plain tuples through the
    driver, each value converted as SQLAlchemy converts it (the column type's bind
    processor): SQLAlchemy's own executemany spends more time building parameters than
    SQLite spends storing them.

    With ``writes``, the database's share of the work runs in its thread while the caller
    goes on (it must call ``writes.wait()`` before it uses the session again): the COPY; on
    SQLite the rows are staged in a temporary table (no index: quick) and moved into the
    observations with one INSERT ... SELECT, a single statement during which the driver
    lets the caller's thread run (an executemany would take the interpreter's lock back
    after every row, and wait for it each time).
    """
    dialect = session.get_bind().dialect
    driver = session.connection().connection.driver_connection
    assert driver is not None
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        run_id = run.id
        assert run_id is not None

        if writes is None:
            _copy_inserts(driver, records, run_id, publish=publish, now=now)
        else:
            # COPY into an unindexed staging table here (the rows' Python side; quick for the
            # server), then the move into the observations (the index upkeep, the server's
            # work: one statement during which the driver leaves the interpreter to the
            # import) in the thread, while the next batch is checked.
            _copy_staged(driver, records, run_id, publish=publish, now=now)
            writes.start(lambda: _move_copied_rows(driver))
        return True
    statement = _positional_insert(dialect)
    if statement is None:
        return False
    columns = OBSERVATIONS.c
    processors = {
        name: columns[name].type.dialect_impl(dialect).bind_processor(dialect) or _same_value
        for name in _COPY_COLUMNS
    }
    date, boolean = processors["period_start"], processors["series_break"]
    stamp = processors["created_at"](now)
    published_at = processors["published_at"](now if publish else None)
    visibility = PUBLISHED if publish else DRAFT
    dates: dict[dt.date, Any] = {}

    def day(value: dt.date) -> Any:
        converted = dates.get(value)
        if converted is None:
            converted = dates[value] = date(value)
        return converted

    rows = [
        (
            _unit_id(r.unit),
            r.metric.id,
            day(r.period.start),
            day(r.period.end),
            r.period.granularity,
            r.segment_type,
            r.segment_value,
            r.raw_value,
            r.numerator,
            r.denominator,
            r.response_rate,
            r.score,
            boolean(r.series_break),
            visibility,
            published_at,
            r.note,
            run.id,
            stamp,
            stamp,
        )
        for r in records
    ]
    if writes is None or dialect.name != "sqlite":
        session.connection().exec_driver_sql(statement, rows)
        return True
    _stage_rows(driver, rows)
    writes.start(lambda: _move_staged_rows(driver))
    return True


def _same_value(value: Any) -> Any:
    return value


OBSERVATIONS = cast(Table, Observation.__table__)


#: What :func:`data.store.apply_writes` inserts for a new observation, in COPY's order.
_COPY_COLUMNS = (
    "unit_id",
    "metric_id",
    "period_start",
    "period_end",
    "granularity",
    "segment_type",
    "segment_value",
    "raw_value",
    "numerator",
    "denominator",
    "response_rate",
    "score",
    "series_break",
    "visibility",
    "published_at",
    "internal_note",
    "import_id",
    "created_at",
    "updated_at",
)

#: The temporary table (the connection's own) a batch's new observations are staged in. On
#: SQLite its columns have no type, so that values keep the form they were bound in and the
#: observations table converts them as it would the parameters of an INSERT; on PostgreSQL
#: it has the observations' column types, and the order the rows came in.
_STAGED = "cxdash_staged_observations"


def _stage_rows(driver: Any, rows: list[tuple[Any, ...]]) -> None:
    columns = ", ".join(_COPY_COLUMNS)
    marks = ", ".join("?" for _ in _COPY_COLUMNS)
    statement = f"INSERT INTO temp.{_STAGED} ({columns}) VALUES ({marks})"
    try:
        driver.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGED} ({columns})")
        driver.executemany(statement, rows)
    except Exception as error:
        raise _database_error(error, statement, "sqlite3") from error


def _move_staged_rows(driver: Any) -> None:
    """SQLite: the rows :func:`_stage_rows` staged, into the observations."""
    _move_rows(driver, f"main.{Observation.__tablename__}", f"temp.{_STAGED}", "rowid", "sqlite3")


def _move_rows(
    driver: Any, target: str, staged: str, order: str, module: str, emptied_by: str = "DELETE FROM"
) -> None:
    """The ``staged`` rows into the observations (``target``) in the order they were staged
    (``order``), in the import's transaction; the staging table is left empty for the next
    batch (``emptied_by``: PostgreSQL TRUNCATEs, as a DELETE would leave every dead row of
    the file in a temporary table that no autovacuum visits)."""
    columns = ", ".join(_COPY_COLUMNS)
    statement = f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {staged} ORDER BY {order}"
    try:
        driver.execute(statement)
        driver.execute(f"{emptied_by} {staged}")
    except Exception as error:
        raise _database_error(error, statement, module) from error


def _database_error(error: Exception, statement: str, module: str) -> Exception:
    """A driver's error as SQLAlchemy raises it (reported as any database error of the
    import: data.store.database_problem); any other error as it is."""
    dbapi = sys.modules.get(module)
    if dbapi is not None and isinstance(error, dbapi.Error):
        return DBAPIError.instance(statement, None, error, dbapi.Error)
    return error


def _copy_inserts(
    driver: Any,
    records: list[ObservationRecord],
    run_id: int,
    *,
    publish: bool,
    now: dt.datetime,
    into: str = Observation.__tablename__,
) -> None:
    """New observations with PostgreSQL's COPY (``into`` the observations, or the staging
    table), in the import's transaction (on its connection, ``driver``): several times the
    rate of an INSERT executemany (the same values as :func:`data.store.apply_writes`)."""
    visibility = PUBLISHED if publish else DRAFT
    published_at = now if publish else None
    statement = f"COPY {into} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
    try:
        _copy_rows(driver, statement, records, run_id, visibility, published_at, now)
    except Exception as error:
        raise _database_error(error, statement, "psycopg") from error


def _copy_staged(
    driver: Any,
    records: list[ObservationRecord],
    run_id: int,
    *,
    publish: bool,
    now: dt.datetime,
) -> None:
    """PostgreSQL: the new observations COPYed into a temporary table of the connection's
    own, with no index (created in the import's transaction: a rolled back import leaves
    none behind); :func:`_move_copied_rows` moves them in, in the order they came."""
    columns = ", ".join(_COPY_COLUMNS)
    table = Observation.__tablename__
    statement = f"CREATE TEMP TABLE IF NOT EXISTS {_STAGED}"
    try:
        driver.execute(f"{statement} AS SELECT {columns} FROM {table} WITH NO DATA")
        driver.execute(
            f"ALTER TABLE {_STAGED} ADD COLUMN IF NOT EXISTS staged_order "
            "bigint GENERATED ALWAYS AS IDENTITY"
        )
    except Exception as error:
        raise _database_error(error, statement, "psycopg") from error
    _copy_inserts(driver, records, run_id, publish=publish, now=now, into=_STAGED)


def _move_copied_rows(driver: Any) -> None:
    """PostgreSQL: the rows :func:`_copy_staged` staged, into the observations."""
    _move_rows(driver, Observation.__tablename__, _STAGED, "staged_order", "psycopg", "TRUNCATE")


def _copy_rows(
    driver: Any,
    statement: str,
    records: list[ObservationRecord],
    run_id: int,
    visibility: str,
    published_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for r in records:
            copy.write_row(
                (
                    _unit_id(r.unit),
                    r.metric.id,
                    r.period.start,
                    r.period.end,
                    r.period.granularity,
                    r.segment_type,
                    r.segment_value,
                    r.raw_value,
                    r.numerator,
                    r.denominator,
                    r.response_rate,
                    r.score,
                    r.series_break,
                    visibility,
                    published_at,
                    r.note,
                    run_id,
                    now,
                    now,
                )
            )


class _BackgroundWrites:
    """A batch's bulk insert done in a thread of its own while the import reads and checks
    the next batch: the database's work (index upkeep, constraints) then overlaps with the
    import's, on another core, instead of following it.

    One write at a time, on the import's connection, in its transaction: the import calls
    :meth:`wait` before it uses the session again (the next batch, the end, a rollback), so
    that the connection is never used by two threads at once, and all or nothing holds. The
    write's error is raised by :meth:`wait`, as if the write had been done there.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, write: Callable[[], None]) -> None:
        self.wait()

        def run() -> None:
            try:
                write()
            except BaseException as error:  # raised again in the import's thread
                self._error = error

        self._thread = threading.Thread(target=run, name="cxdash-import-write", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Return once the write started last is done; raise its error if it failed."""
        self.settle()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def settle(self) -> None:
        """Return once the write started last is done, whatever became of it (before a
        rollback: the transaction is given up anyway)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()


#: A file of at least this many rows into a store of at most as many observations is bulk
#: loaded on PostgreSQL (see :class:`_BulkLoad`).
BULK_LOAD_MIN_ROWS = 100_000


class _BulkLoad:
    """PostgreSQL: a large import into a store it at least doubles writes its observations
    with the table's foreign keys set aside, then checks and makes them again at the end.

    The three foreign keys' triggers check every row as it is inserted, one lookup in each
    referenced table a row: ~10 s of the server's ~22 s of CPU for a million rows. Made again
    over the loaded table, each key is validated in one pass (an anti-join, ~0.2 s a million
    rows). The indexes stay: their upkeep runs in the background thread while the next
    batch is checked (:class:`_BackgroundWrites`), on the second core, whereas dropping
    and rebuilding them (measured too) adds a sort per index after the last batch, with
    nothing left to overlap it: 25 s against 22 s for a million rows on a quiet two-core
    machine, though less CPU in all.

    All in the import's transaction: the table is locked (ACCESS EXCLUSIVE, which dropping a
    constraint takes anyway: readers of the observations wait until the import ends), and
    :meth:`restore` makes the keys again from the definitions the database gave
    (``pg_get_constraintdef``), so the schema afterwards is the one before, whatever
    migration made it. DDL is transactional in PostgreSQL: an import rolled back (a problem,
    an error) leaves the keys as they were.
    """

    def __init__(self, foreign_keys: list[tuple[str, str]]) -> None:
        self.foreign_keys = foreign_keys

    @classmethod
    def begin(cls, session: Session, rows: int) -> _BulkLoad | None:
        """Set the foreign keys aside when ``rows`` (the file's) is large and the store
        holds no more observations than that; else None (rows checked as they are
        written). Called right after the store lock, before anything is written."""
        dialect = session.get_bind().dialect
        if rows < BULK_LOAD_MIN_ROWS or not (
            dialect.name == "postgresql" and dialect.driver == "psycopg"
        ):
            return None
        connection = session.connection()
        table = Observation.__tablename__
        stored = connection.exec_driver_sql(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {rows + 1}) AS counted"
        ).scalar_one()
        if stored > rows:
            return None
        connection.exec_driver_sql(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        foreign_keys = [
            (name, definition)
            for name, definition in connection.exec_driver_sql(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                f"WHERE conrelid = '{table}'::regclass AND contype = 'f' ORDER BY conname"
            )
        ]
        for name, _definition in foreign_keys:
            connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        return cls(foreign_keys)

    def restore(self, session: Session) -> None:
        """The foreign keys again, each validated over the loaded table (in the transaction)."""
        connection = session.connection()
        table = Observation.__tablename__
        for name, definition in self.foreign_keys:
            connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _new_metrics_only(catalog: Catalog) -> Catalog:
    view = Catalog([], [])
    view.new_metrics = dict(catalog.new_metrics)
    return view


#: For :func:`data.store.apply_writes`, which writes the catalog's new entries: they are
#: written here, batch by batch, before it is called.
_NO_NEW_ENTRIES = Catalog([], [])


class _SeenKeys:
    """The keys (unit, metric, period, segment) of the records met so far, compactly.

    Keeping the records for the duplicate check made an import's memory grow with the file
    (0.9 KB a row). Here each part of a key is numbered as it is first met, the four numbers
    packed into one int64 code, and the codes of earlier batches are kept in sorted numpy
    runs with their rows: 12 bytes a record. The current batch is a dict, checked row by
    row; it is compared with the runs (vectorised) when the batch ends. A key whose part
    numbers do not fit the code (a file with over a million units, say) is kept as a tuple.
    """

    _BITS = (20, 14, 15, 14)  # unit, metric, period, segment: 63 bits

    def __init__(self) -> None:
        self._numbers: tuple[dict[Any, int], ...] = ({}, {}, {}, {})
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._tuples: dict[tuple[int, ...], int] = {}
        self._batch: dict[int, int] = {}
        self._codes: list[int] = []
        self._rows: list[int] = []

    def code(self, record: ObservationRecord) -> int | tuple[int, ...]:
        """The record's key (``ObservationRecord.key``) as one number, or four."""
        # Unrolled (no loop over the parts): it runs for every record of the file.
        units, metrics, periods, segments = self._numbers
        period = record.period
        unit_number = units.get(record.unit)
        if unit_number is None:
            unit_number = units[record.unit] = len(units)
        metric_number = metrics.get(record.metric.code)
        if metric_number is None:
            metric_number = metrics[record.metric.code] = len(metrics)
        period_key = (period.granularity, period.start)
        period_number = periods.get(period_key)
        if period_number is None:
            period_number = periods[period_key] = len(periods)
        segment_key = (record.segment_type, record.segment_value)
        segment_number = segments.get(segment_key)
        if segment_number is None:
            segment_number = segments[segment_key] = len(segments)
        unit_bits, metric_bits, period_bits, segment_bits = self._BITS
        if (
            unit_number >> unit_bits
            or metric_number >> metric_bits
            or period_number >> period_bits
            or segment_number >> segment_bits
        ):
            return unit_number, metric_number, period_number, segment_number
        return (
            (((unit_number << metric_bits) | metric_number) << period_bits | period_number)
            << segment_bits
        ) | segment_number

    def first_row(self, code: int | tuple[int, ...]) -> int | None:
        """The row that has the key already, in this batch (or among tuple keys)."""
        if isinstance(code, tuple):
            return self._tuples.get(code)
        return self._batch.get(code)

    def first_row_or_add(self, record: ObservationRecord, row: int) -> int | None:
        """The row met before with the record's key in this batch (or among tuple keys);
        else None, and the key is added as ``row``'s."""
        code = self.code(record)
        first = self.first_row(code)
        if first is None:
            self.add(code, row)
        return first

    def add(self, code: int | tuple[int, ...], row: int) -> None:
        if isinstance(code, tuple):
            self._tuples[code] = row
            self._codes.append(-1)  # never in a run: codes are not negative
        else:
            self._batch[code] = row
            self._codes.append(code)
        self._rows.append(row)

    def end_batch(self) -> dict[int, int]:
        """{position in the batch: earlier row} for keys an earlier batch had."""
        codes = np.fromiter(self._codes, dtype=np.int64, count=len(self._codes))
        rows = np.fromiter(self._rows, dtype=np.int32, count=len(self._rows))
        self._batch, self._codes, self._rows = {}, [], []
        repeated: dict[int, int] = {}
        new = codes >= 0
        for run_codes, run_rows in self._runs:
            if not len(run_codes):
                continue
            at = np.minimum(np.searchsorted(run_codes, codes), len(run_codes) - 1)
            found = (run_codes[at] == codes) & new
            for position in np.flatnonzero(found).tolist():
                repeated[position] = int(run_rows[at[position]])
            new &= ~found
        if new.any():
            order = np.argsort(codes[new], kind="stable")
            self._runs.append((codes[new][order], rows[new][order]))
        # Runs merged as a binary counter does: log(n) runs, each record merged log(n) times.
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= len(self._runs[-1][0]):
            (a_codes, a_rows), (b_codes, b_rows) = self._runs[-2], self._runs[-1]
            merged_codes = np.concatenate([a_codes, b_codes])
            merged_rows = np.concatenate([a_rows, b_rows])
            order = np.argsort(merged_codes, kind="stable")
            self._runs[-2:] = [(merged_codes[order], merged_rows[order])]
        return repeated


# -- building records ---------------------------------------------------------------------


#: Distinct units, periods or segments a file may name before no more are remembered.
_CACHE_LIMIT = 100_000
_PERIOD_FIELDS = ("period", "period_start", "period_end", "fiscal_year", "quarter", "month")


@dataclass(slots=True)
class _Cell:
    text: str | None
    column: str | None  # the file's column header, or "[constants] field"


#: A cell the mapping does not read (never changed: a shared value).
_NO_CELL = _Cell(None, None)


class _RowError(Exception):
    """A row-level field is wrong: the problem is recorded and the row's measures skipped."""


class _RecordBuilder:
    def __init__(
        self,
        table: TableStream,
        mapping: Mapping,
        catalog: Catalog,
        calendar: FiscalCalendar,
        report: ImportReport,
        workspace: WorkspaceUpload | None = None,
    ) -> None:
        self.table = table
        self.mapping = mapping
        self.catalog = catalog
        self.calendar = calendar
        self.report = report
        self.workspace = workspace
        # A workspace upload never creates units or metrics (an admin does, with
        # `cxdash import-units` / `import-metrics`), whatever the mapping says.
        self.creates_agencies = mapping.creates_agencies and workspace is None
        self.creates_services = mapping.creates_services and workspace is None
        self.index = table.column_index()
        self.measures = mapping.expanded_measures()
        self._period_cache: dict[tuple[Any, ...], Period | _PeriodProblem] = {}
        self._reported_once: set[str] = set()
        self._positions: dict[str, int] = {}
        self._columns = mapping.columns
        self._lookups = {name for name, table in mapping.lookups.items() if table}
        self._markers = mapping.missing.markers
        #: First characters no missing marker starts with (compared as markers are: spaces
        #: and case do not matter, and a digit is its own case).
        self._plain_starts = frozenset("0123456789") - {
            marker.strip()[:1] for marker in self._markers
        }
        #: Notes already given, so that a row's note is listed once, not once per measure.
        self._row_notes: set[tuple[int, str]] = set()
        #: The cell each record's value came from, as written (quoted in problems).
        self._written: dict[int, str | None] = {}
        # Rows repeat their unit, period and segment: each is worked out once per distinct
        # text, then looked up (a million rows name a few hundred of each). Only results
        # that gave no problem and no note are kept, so a cached row reports what it would.
        self._unit_cache: dict[tuple[str, ...], UnitKey] = {}
        self._unit_positions = self._raw_positions(("agency", "service"))
        self._period_positions = self._raw_positions((*_PERIOD_FIELDS, "granularity"))
        self._segment_positions = self._raw_positions(("segment_type", "segment_value"))
        self._segment_cache: dict[tuple[Any, ...], tuple[str, str]] = {}
        self._reads_series_break = "series_break" in self._columns or (
            "series_break" in mapping.constants
        )
        self._lengths: dict[str, int | None] = {}
        self._by_period_columns = mapping.has_period_columns
        #: Where each row field's cell comes from (see :meth:`_source`), worked out once.
        self._sources: dict[str, tuple[int, str, bool] | _Cell] = {}
        #: Metrics by the text naming them: only those found without a problem.
        self._metric_cache: dict[str, MetricInfo] = {}
        self._value_positions: dict[int, tuple[int | None, ...]] = {}
        self._measure_parsers: dict[tuple[int, str], _MeasureParsers] = {}
        self._parsers: dict[tuple[str, ...], _Remembered] = {}

    # -- columns ------------------------------------------------------------------------

    def _check_columns(self) -> bool:
        """Every column the mapping reads must be in the header; returns False if not."""
        header_row = self.table.header_row
        ok = True
        if self.mapping.builtin:
            present = set(self.mapping.columns) | {
                key for measure, _ in self.measures for key in measure.columns()
            }
            required: list[tuple[str, ...]] = [("agency",), ("metric",)]
            if "period" not in present and not {"period_start", "period_end"} & present:
                required.append(("period",))
            elif "period" not in present:
                required.extend([("period_start",), ("period_end",)])
            if "value" not in present and not {"numerator", "denominator"} <= present:
                required.append(("value",))
            for (name,) in required:
                if name not in present:
                    ok = False
                    self.report.problem(
                        header_row, name, None, "required column is missing from the header"
                    )
            known_columns = long_format_columns()
            for name in self.table.header:
                key = header_key(name) if name else ""
                language = key.removeprefix("promise_")
                if key.startswith("promise_") and language not in content_languages():
                    ok = False
                    self.report.problem(header_row, name, name, not_configured(language))
            unused = [
                name
                for name in self.table.header
                if name
                and header_key(name) not in known_columns
                and not header_key(name).startswith("promise_")
            ]
            if unused:
                self.report.notes.append(
                    "column(s) not part of the cxdash long format were ignored: "
                    + ", ".join(unused)
                )
            return ok
        wanted = self.mapping.used_columns()
        for name in sorted(wanted):
            if header_key(name) not in self.index:
                ok = False
                self.report.problem(
                    header_row,
                    name,
                    None,
                    "the mapping reads this column but the file has no such column",
                )
        known = {header_key(name) for name in wanted | set(self.mapping.ignore)}
        unused = [name for name in self.table.header if name and header_key(name) not in known]
        if unused:
            self.report.notes.append("column(s) not used by the mapping: " + ", ".join(unused))
        return ok

    def _cell(self, cells: list[str], field: str, measure: Measure | None = None) -> _Cell:
        if measure is not None and field in ("segment_type", "segment_value"):
            constant = getattr(measure, field)
            if constant is not None:
                return _Cell(constant, f"[[measures]] {field}")
        source = self._sources.get(field)
        if source is None:
            source = self._sources[field] = self._source(field)
        if isinstance(source, _Cell):
            return source
        position, column, looked_up = source
        text = cells[position].strip()
        if looked_up:
            text = self.mapping.lookup(field, text)
        return _Cell(text, column)

    def _source(self, field: str) -> tuple[int, str, bool] | _Cell:
        """(position, column, looked up) of the column a field is read from; or its cell
        when it is a constant of the mapping or not given (shared: cells are never changed).
        """
        column = self._columns.get(field)
        if column is not None:
            return self._position(column), column, field in self._lookups
        if field in self.mapping.constants:
            return _Cell(self.mapping.constants[field], f"[constants] {field}")
        return _NO_CELL

    def _measure_cell(self, cells: list[str], column: str | None) -> _Cell:
        if column is None:
            return _NO_CELL
        return _Cell(cells[self._position(column)].strip(), column)

    def _position(self, column: str) -> int:
        position = self._positions.get(column)
        if position is None:
            position = self._positions[column] = self.index[header_key(column)]
        return position

    def _is_missing(self, text: str | None) -> bool:
        # The common cases first: "" or a marker exactly as listed; a number (no marker
        # starts with its first digit); then the full rule.
        if text is None or text in self._markers:
            return True
        if text[:1] in self._plain_starts:
            return False
        return text in self.mapping.missing

    # -- the rows -----------------------------------------------------------------------

    def batches(
        self, batch_rows: int, progress: Progress | None
    ) -> Iterator[list[ObservationRecord]]:
        """The records of every ``batch_rows`` rows of the file, checked.

        A record whose key (unit, metric, period, segment) an earlier row of the file has
        is a problem and left out: the keys seen are kept compactly (:class:`_SeenKeys`),
        not the records.
        """
        if not self._check_columns():
            return
        seen = _SeenKeys()
        total = len(self.table)
        records: list[ObservationRecord] = []
        in_batch = done = 0
        first_problem = len(self.report.problems)
        for row, cells in self.table.records():
            if progress and done % 1000 == 0:
                progress(done, total)
            done += 1
            in_batch += 1
            try:
                for record in self._row_records(cells, row):
                    first = seen.first_row_or_add(record, row)
                    if first is not None:
                        self._duplicate(record, row, first)
                        continue
                    records.append(record)
            except _RowError:
                pass
            if in_batch >= batch_rows:
                yield self._end_batch(seen, records, first_problem)
                records, in_batch = [], 0
                first_problem = len(self.report.problems)
        if in_batch:
            yield self._end_batch(seen, records, first_problem)
        if progress:
            progress(total, total)

    def _duplicate(self, record: ObservationRecord, row: int, first: int) -> None:
        self.report.problem(
            row,
            record.column,
            self._written.get(id(record)),
            f"duplicate: row {first} already has this agency/service, metric, period and segment",
        )

    def _end_batch(
        self, seen: _SeenKeys, records: list[ObservationRecord], first_problem: int
    ) -> list[ObservationRecord]:
        """The batch's records without those an earlier batch has the key of (reported
        among the batch's other problems in row order, as a file is read)."""
        repeated = seen.end_batch()
        if repeated:
            kept = []
            for position, record in enumerate(records):
                first = repeated.get(position)
                if first is None:
                    kept.append(record)
                else:
                    assert record.row is not None
                    self._duplicate(record, record.row, first)
            records = kept
            problems = self.report.problems
            problems[first_problem:] = sorted(
                problems[first_problem:], key=lambda problem: problem.row or 0
            )
        self._written.clear()
        return records

    def _problem(self, row: int, cell: _Cell, reason: str) -> None:
        self.report.problem(row, cell.column, cell.text, reason)

    def _once(
        self, key: str, reason: str, column: str | None = None, value: str | None = None
    ) -> None:
        if key not in self._reported_once:
            self._reported_once.add(key)
            self.report.problem(None, column, value, reason)

    def _row_note(self, row: int, text: str) -> None:
        """A note about a row, given once for the row however many measures it has."""
        if (row, text) not in self._row_notes:
            self._row_notes.add((row, text))
            self.report.notes.append(f"row {row}: {text}")

    def _fit(self, row: int, cell: _Cell, text: str, store_column: Any, what: str) -> str | None:
        """``text`` if the store's column holds it; else the mapping's ``long_text`` policy.

        "problem" (the default): a problem naming the row, column and limit, and None.
        "truncate": the text cut to the limit, ending with "…", listed in the report.
        A NUL character is always a problem: PostgreSQL refuses it in any text, which would
        only surface when the whole file is written, without its row and column.
        """
        if "\x00" in text:
            self.report.problem(
                row,
                cell.column,
                _preview(text),
                f"{what} holds a NUL character (0x00), which the store cannot keep; remove it",
            )
            return None
        # By the column's name, never id(): a translated column (``Unit.name_en``) is a new
        # object at each access, and a freed one's id may be reused by another column.
        label = column_label(store_column)
        limit = self._lengths.get(label, -1)
        if limit == -1:
            limit = self._lengths[label] = column_length(store_column)
        if limit is None or len(text) <= limit:
            return text
        if self.mapping.long_text == "truncate":
            cut = text[: limit - 1].rstrip() + "…"
            key = (row, f"truncated:{cell.column}")
            if key not in self._row_notes:
                self._row_notes.add(key)
                self.report.cell_note(
                    row,
                    cell.column,
                    _preview(text),
                    f'{what} of {len(text):,} characters cut to {limit} (long_text = "truncate")',
                    "truncated",
                )
            return cut
        self.report.problem(
            row,
            cell.column,
            _preview(text),
            f"{what} is {len(text):,} characters long; the store holds at most {limit} "
            f"({column_label(store_column)}). Shorten it, or set "
            f'long_text = "truncate" in the mapping to cut it to {limit} characters',
        )
        return None

    def _row_records(self, cells: list[str], row: int) -> list[ObservationRecord]:
        unit = self._unit(cells, row)
        by_column = self._by_period_columns
        long_period = None if by_column else self._long_period(cells, row)
        fiscal_year = self._fiscal_year(cells, row) if by_column else None
        series_break = self._series_break(cells, row)
        note_cell = self._cell(cells, "note")
        note = None
        if not self._is_missing(note_cell.text):
            note = self._fit(
                row, note_cell, note_cell.text or "", Observation.internal_note, "the note"
            )
        row_metric = self._cell(cells, "metric")

        records = []
        applied = False
        for measure, wide_period in self.measures:
            if measure.metric_codes is not None:
                code = measure.metric_codes.get(
                    " ".join((row_metric.text or "").split()).casefold()
                )
                if code is None:
                    continue  # this measure is for other metrics
                metric_cell = _Cell(code, row_metric.column)
            else:
                metric_cell = row_metric
            applied = True
            period = long_period or self._wide_period(wide_period, fiscal_year)
            segment = self._segment(cells, row, measure)
            metric = self._metric(measure, metric_cell, row)
            if segment is None or metric is None:
                continue
            record = self._measure_record(
                cells, row, unit, metric, period, segment, measure, series_break, note
            )
            if record is not None:
                records.append(record)
        if not applied:
            self._problem(
                row,
                row_metric,
                "no measure of the mapping takes this metric (add it to a measure's metric_codes)",
            )
        return records

    def _raw_positions(self, fields: tuple[str, ...]) -> tuple[int, ...]:
        """Where the columns of ``fields`` are (fields given as constants never vary)."""
        positions = []
        for field in fields:
            column = self._columns.get(field)
            if column is not None and header_key(column) in self.index:
                positions.append(self._position(column))
        return tuple(positions)

    def _unchanged_report(self, problems: int, notes: int) -> bool:
        return self.report.problem_count == problems and len(self.report.notes) == notes

    def _unit(self, cells: list[str], row: int) -> UnitKey:
        if self.mapping.service_key is not None:
            return self._find_unit(cells, row)
        key = tuple([cells[position] for position in self._unit_positions])
        unit = self._unit_cache.get(key)
        if unit is not None:
            return unit
        problems, notes = self.report.problem_count, len(self.report.notes)
        unit = self._find_unit(cells, row)
        if self._unchanged_report(problems, notes) and len(self._unit_cache) < _CACHE_LIMIT:
            self._unit_cache[key] = unit
        return unit

    def _find_unit(self, cells: list[str], row: int) -> UnitKey:
        agency_cell = self._cell(cells, "agency")
        if self._is_missing(agency_cell.text):
            self._problem(row, agency_cell, "the agency is empty")
            raise _RowError
        assert agency_cell.text is not None
        create = self.creates_services
        agency_text = " ".join(agency_cell.text.split())
        agency: UnitKey
        if agency_text.casefold() == ENTERPRISE_MARKER and self.workspace is not None:
            self._problem(
                row,
                agency_cell,
                "the enterprise's own figures belong to no agency; they are imported with "
                "`cxdash import`, not uploaded in the workspace",
            )
            raise _RowError
        if agency_text.casefold() == ENTERPRISE_MARKER:
            if self.catalog.enterprise_id is None:
                self._problem(
                    row,
                    agency_cell,
                    f"{ENTERPRISE_MARKER} means the enterprise unit, but the store has none "
                    "(or more than one); create it first, or name the agency",
                )
                raise _RowError
            agency = self.catalog.enterprise_id
        else:
            fitted = self._fit(row, agency_cell, agency_text, Unit.name_en, "the agency name")
            if fitted is None:
                raise _RowError
            try:
                agency = self.catalog.find_agency(fitted, self.creates_agencies)
            except LookupError as error:
                self._problem(row, agency_cell, self._unknown_unit(str(error), "agency"))
                raise _RowError from None
            self._check_scope(row, agency_cell, agency)
        if self.mapping.service_key is not None:
            return self._keyed_service(cells, row, agency)
        service_cell = self._cell(cells, "service")
        if self._is_missing(service_cell.text):
            return agency
        assert service_cell.text is not None
        service_text = " ".join(service_cell.text.split())
        fitted = self._fit(row, service_cell, service_text, Unit.name_en, "the service name")
        if fitted is None:
            raise _RowError
        try:
            return self.catalog.find_service(agency, fitted, create)
        except LookupError as error:
            self._problem(row, service_cell, self._unknown_unit(str(error), "service"))
            raise _RowError from None

    def _unknown_unit(self, reason: str, what: str) -> str:
        """In the workspace, an unknown agency or service is refused as new, not as
        something the mapping could create."""
        if self.workspace is None or not reason.startswith(("unknown", "no service")):
            return reason
        return (
            f"no {what} matches this; new agencies and services are created only by an "
            "admin with `cxdash import-units` (check the spelling, or ask an admin)"
        )

    def _check_scope(self, row: int, cell: _Cell, agency: UnitKey) -> None:
        """In the workspace, a row about an agency the user may not edit is a problem."""
        workspace = self.workspace
        if workspace is None:
            return
        if not isinstance(agency, int) or self.catalog.unit_kinds.get(agency) != "agency":
            self._problem(row, cell, "this is not an agency; name the agency of the figure")
            raise _RowError
        if not workspace.allows(agency):
            self._problem(row, cell, f"agency {cell.text} is not one you may edit")
            raise _RowError

    def _keyed_service(self, cells: list[str], row: int, agency: UnitKey) -> UnitKey:
        """The service whose code is the row's key cells joined (``[service] key``).

        Every key cell empty means the agency itself; some empty is a problem. A new service
        is named by the ``name_<language>`` templates (the default language's required).
        """
        key = self.mapping.service_key
        assert key is not None
        parts = []
        for column in key.columns:
            text = cells[self._position(column)].strip()
            parts.append("" if self._is_missing(text) else " ".join(text.split()))
        if not any(parts):
            return agency
        empty = [column for column, part in zip(key.columns, parts, strict=True) if not part]
        if empty:
            self.report.problem(
                row,
                empty[0],
                None,
                f"part of the service key ({' + '.join(key.columns)}) is empty: every key "
                "column needs a value, or all of them are empty for the agency itself",
            )
            raise _RowError
        code = key.code(parts)
        names: dict[str, str | None] = {}
        for language, template in key.names:
            name = render_template(template, lambda column: self._template_cell(cells, column))
            if name:
                where = _Cell(name, f"[service] name_{language}")
                fitted = self._fit(
                    row,
                    where,
                    name,
                    getattr(Unit, f"name_{language}"),
                    f"the service name ({language})",
                )
                if fitted is None:
                    raise _RowError
                name = fitted
            names[language] = name or None
        default = default_language()
        try:
            return self.catalog.find_service_by_code(
                agency,
                code,
                names.get(default) or code,
                self.creates_services,
                names={k: v for k, v in names.items() if v and k != default},
            )
        except LookupError as error:
            reason = self._unknown_unit(str(error), "service")
            self.report.problem(row, " + ".join(key.columns), code, reason)
            raise _RowError from None

    def _template_cell(self, cells: list[str], column: str) -> str:
        text = cells[self._position(column)].strip()
        return "" if self._is_missing(text) else text

    def _metric(self, measure: Measure, row_metric: _Cell, row: int) -> MetricInfo | None:
        found = self._metric_cache.get(measure.metric or row_metric.text or "")
        if found is not None:
            return found
        cell = _Cell(measure.metric, "[[measures]] metric") if measure.metric else row_metric
        if self._is_missing(cell.text):
            self._problem(row, cell, "the metric is empty")
            return None
        assert cell.text is not None
        try:
            found = self.catalog.find_metric(
                cell.text, self.mapping.metric_definitions, self.creates_services
            )
        except LookupError as error:
            reason = str(error)
            if self.workspace is not None:
                reason = (
                    "unknown metric code; new metrics are created only by an admin with "
                    "`cxdash import-metrics` (check the code, or ask an admin)"
                )
            if cell.column and cell.column.startswith("[["):
                # A constant: one problem for the file, not one per row.
                self._once(f"metric:{cell.text}", reason, cell.column, cell.text)
            else:
                self._problem(row, cell, reason)
            return None
        if len(self._metric_cache) < _CACHE_LIMIT:
            self._metric_cache[cell.text] = found
        return found

    # -- periods ------------------------------------------------------------------------

    def _long_period(self, cells: list[str], row: int) -> Period:
        key = tuple([cells[position] for position in self._period_positions])
        cached = self._period_cache.get(key)
        if cached is None:
            given = {name: self._cell(cells, name) for name in _PERIOD_FIELDS}
            granularity = self._cell(cells, "granularity")
            try:
                cached = self._resolve_long_period(given)
                if granularity.text and not self._is_missing(granularity.text):
                    wanted = granularity.text.strip().lower().replace(" ", "_")
                    wanted = {"year": "fiscal_year", "fy": "fiscal_year"}.get(wanted, wanted)
                    if wanted != cached.granularity:
                        raise _PeriodProblem(
                            granularity,
                            f"the period is a {cached.granularity.replace('_', ' ')}, "
                            f"not a {granularity.text}",
                        )
            except _PeriodProblem as problem:
                cached = problem
            self._period_cache[key] = cached
        if isinstance(cached, _PeriodProblem):
            self._problem(row, cached.cell, cached.reason)
            raise _RowError
        return cached

    def _resolve_long_period(self, given: dict[str, _Cell]) -> Period:
        period = given["period"]
        if not self._is_missing(period.text):
            assert period.text is not None
            try:
                return self.calendar.parse_period(period.text)
            except ValueError as error:
                raise _PeriodProblem(period, str(error)) from None
        start, end = given["period_start"], given["period_end"]
        if start.column or end.column:
            start_date = self._date(start)
            end_date = self._date(end)
            try:
                return self.calendar.infer_period(start_date, end_date)
            except ValueError as error:
                raise _PeriodProblem(end, str(error)) from None
        fiscal_year, quarter, month = given["fiscal_year"], given["quarter"], given["month"]
        year = None
        if fiscal_year.column:
            year = self._parse_fiscal_year(fiscal_year)
        if quarter.column and not self._is_missing(quarter.text):
            if year is None:
                raise _PeriodProblem(quarter, "a quarter needs a fiscal year")
            try:
                number = parse_quarter(quarter.text or "")
            except ValueError as error:
                raise _PeriodProblem(quarter, str(error)) from None
            return self.calendar.quarter_period(year, number)
        if month.column and not self._is_missing(month.text):
            return self._month(month, year)
        if year is not None:
            return self.calendar.year(year)
        empty = next((c for c in given.values() if c.column), _Cell(None, None))
        raise _PeriodProblem(empty, "the period is empty")

    def _date(self, cell: _Cell) -> dt.date:
        if self._is_missing(cell.text):
            raise _PeriodProblem(cell, "the date is empty")
        try:
            return parse_date(cell.text or "", self.mapping.date_format)
        except ValueError as error:
            raise _PeriodProblem(cell, str(error)) from None

    def _parse_fiscal_year(self, cell: _Cell) -> int:
        if self._is_missing(cell.text):
            raise _PeriodProblem(cell, "the fiscal year is empty")
        try:
            return self.calendar.parse_fiscal_year(cell.text or "")
        except ValueError as error:
            raise _PeriodProblem(cell, str(error)) from None

    def _month(self, cell: _Cell, fiscal_year: int | None) -> Period:
        text = (cell.text or "").strip()
        number = None
        if re.fullmatch(r"\d{1,2}", text) and 1 <= int(text) <= 12:
            number = int(text)
        elif text[:3].casefold() in _MONTH_WORDS and text.isalpha():
            number = _MONTH_WORDS[text[:3].casefold()]
        if number is not None:
            if fiscal_year is None:
                raise _PeriodProblem(cell, "a month without a year needs a fiscal_year column")
            return self._month_of_fiscal_year(number, fiscal_year)
        try:
            period = self.calendar.parse_period(text)
        except ValueError as error:
            raise _PeriodProblem(cell, str(error)) from None
        if period.granularity != "month":
            raise _PeriodProblem(cell, "not a month (write 2024-03 or Mar 2024)")
        return period

    def _month_of_fiscal_year(self, month: int, fiscal_year: int) -> Period:
        start = self.calendar.year_bounds(fiscal_year)[0]
        year = start.year if month >= start.month else start.year + 1
        return self.calendar.period_containing(dt.date(year, month, 1), "month")

    def _fiscal_year(self, cells: list[str], row: int) -> int | None:
        cell = self._cell(cells, "fiscal_year")
        if cell.column is None:
            return None
        try:
            return self._parse_fiscal_year(cell)
        except _PeriodProblem as problem:
            self._problem(row, problem.cell, problem.reason)
            raise _RowError from None

    def _wide_period(self, wide: WidePeriod | None, fiscal_year: int | None) -> Period:
        assert wide is not None
        if wide.fixed is not None:
            return wide.fixed
        assert wide.number is not None and fiscal_year is not None
        if self.mapping.wide_granularity == "quarter":
            return self.calendar.quarter_period(fiscal_year, wide.number)
        return self._month_of_fiscal_year(wide.number, fiscal_year)

    # -- segments and flags -------------------------------------------------------------

    def _segment(self, cells: list[str], row: int, measure: Measure) -> tuple[str, str] | None:
        # Keyed by the cells as written (the segment is a function of them): the common case,
        # a segment met before, is then one look-up.
        key = (id(measure), *[cells[position] for position in self._segment_positions])
        segment = self._segment_cache.get(key)
        if segment is not None:
            return segment
        type_cell = self._cell(cells, "segment_type", measure)
        value_cell = self._cell(cells, "segment_value", measure)
        problems, notes = self.report.problem_count, len(self.report.notes)
        segment = self._find_segment(row, type_cell, value_cell)
        if (
            segment is not None
            and self._unchanged_report(problems, notes)
            and len(self._segment_cache) < _CACHE_LIMIT
        ):
            self._segment_cache[key] = segment
        return segment

    def _find_segment(
        self, row: int, type_cell: _Cell, value_cell: _Cell
    ) -> tuple[str, str] | None:
        segment_type = "" if self._is_missing(type_cell.text) else (type_cell.text or "").strip()
        segment_type = segment_type.lower().replace(" ", "_")
        segment_value = "" if self._is_missing(value_cell.text) else (value_cell.text or "").strip()
        if segment_type not in SEGMENT_TYPES:
            self._problem(
                row,
                type_cell,
                f"unknown segment type; use one of {', '.join(s for s in SEGMENT_TYPES if s)}",
            )
            return None
        if segment_value and not segment_type:
            self._problem(row, value_cell, "a segment value needs a segment type")
            return None
        if segment_type and not segment_value:
            self._problem(row, value_cell, f"the {segment_type} segment has no value")
            return None
        fitted = self._fit(
            row, value_cell, segment_value, Observation.segment_value, "the segment value"
        )
        if fitted is None:
            return None
        segment_value = fitted
        if segment_type == "channel":
            try:
                segment_value = normalize_channel(segment_value)
            except ValueError as error:
                self._problem(row, value_cell, str(error))
                return None
        return segment_type, segment_value

    def _series_break(self, cells: list[str], row: int) -> bool:
        if not self._reads_series_break:
            return False
        cell = self._cell(cells, "series_break")
        if cell.text is None or not cell.text.strip():
            return False
        try:
            return parse_bool(cell.text)
        except ValueError as error:
            self._problem(row, cell, str(error))
            raise _RowError from None

    # -- values -------------------------------------------------------------------------

    def _measure_record(
        self,
        cells: list[str],
        row: int,
        unit: UnitKey,
        metric: MetricInfo,
        period: Period,
        segment: tuple[str, str],
        measure: Measure,
        series_break: bool,
        note: str | None,
    ) -> ObservationRecord | None:
        report = self.report
        problems_before = len(report.problems) + report.problems_omitted
        parsers = self._parsers_for(measure, metric)
        is_missing = self._is_missing
        value_position, numerator_position, denominator_position, rate_position = (
            self._measure_positions(measure)
        )
        #: Value cells that cannot be true, with why: problems, or (on_invalid =
        #: "not_reported") the observation is stored as not reported.
        invalid: list[tuple[_Cell, str]] = []
        value_text = None if value_position is None else cells[value_position].strip()
        value = numerator = denominator = response_rate = None
        if value_text is not None and not is_missing(value_text):
            try:
                value = parsers.value(value_text)
            except ValueError as error:
                invalid.append((_Cell(value_text, measure.value), str(error)))
        numerator_text = None
        if numerator_position is not None:
            numerator_text, numerator = self._optional_cell(
                cells[numerator_position], parsers.count, measure.numerator, invalid
            )
        if denominator_position is not None:
            _text, denominator = self._optional_cell(
                cells[denominator_position], parsers.count, measure.denominator, invalid
            )
        if rate_position is not None:
            _text, response_rate = self._optional_cell(
                cells[rate_position], parsers.share, measure.response_rate, invalid
            )
        if numerator is not None and denominator is not None:
            value = self._volumes_value(
                measure, metric, value, value_text, numerator, numerator_text, denominator, invalid
            )
        if invalid and self.mapping.on_invalid_for(measure) == "not_reported":
            reasons = []
            for cell, reason in invalid:
                report.cell_note(
                    row,
                    cell.column,
                    cell.text,
                    f"recorded as not reported: {reason}",
                    "not_reported",
                )
                reasons.append(f"{cell.column} = {cell.text!r}: {reason}")
            value = numerator = denominator = response_rate = None
            recorded = "not reported by the import (on_invalid): " + "; ".join(reasons)
            note = f"{note}\n{recorded}" if note else recorded
        else:
            for cell, reason in invalid:
                self._problem(row, cell, reason)
        target = self._target(cells, row, metric, measure, parsers)
        if len(report.problems) + report.problems_omitted > problems_before:
            return None
        record = ObservationRecord(
            row=row,
            column=measure.value or measure.numerator,
            unit=unit,
            metric=metric,
            period=period,
            segment_type=segment[0],
            segment_value=segment[1],
            raw_value=value,
            numerator=numerator,
            denominator=denominator,
            response_rate=response_rate,
            series_break=series_break,
            note=note,
            target=target,
            target_column=measure.target or measure.target_text,
        )
        self._written[id(record)] = value_text if measure.value is not None else numerator_text
        return record

    def _optional_cell(
        self,
        cell: str,
        parse: Callable[[str], float],
        column: str | None,
        invalid: list[tuple[_Cell, str]],
    ) -> tuple[str, float | None]:
        """(the cell's text, its number or None when it is missing); a text ``parse`` refuses
        is added to ``invalid`` with why (the caller decides: problem or not reported)."""
        text = cell.strip()
        if self._is_missing(text):
            return text, None
        try:
            return text, parse(text)
        except ValueError as error:
            invalid.append((_Cell(text, column), str(error)))
            return text, None

    def _volumes_value(
        self,
        measure: Measure,
        metric: MetricInfo,
        value: float | None,
        value_text: str | None,
        numerator: float,
        numerator_text: str | None,
        denominator: float,
        invalid: list[tuple[_Cell, str]],
    ) -> float | None:
        """The value, derived from the volumes when none is written (a fraction or percent
        metric); the volumes and the value that disagree are added to ``invalid``."""
        if numerator > denominator:
            invalid.append(
                (
                    _Cell(numerator_text, measure.numerator),
                    f"the met volume is larger than the total volume ({denominator:g})",
                )
            )
        elif denominator > 0:
            rate = numerator / denominator
            if metric.scale in PROPORTION_SCALES:
                if value is None and self._is_missing(value_text):
                    # Six decimals of a fraction (0.749794, 74.9794%): more is float noise.
                    digits = 6 if metric.scale == "fraction" else 4
                    value = round(convert_scale(rate, "fraction", metric.scale), digits)
                elif value is not None:
                    given = convert_scale(value, metric.scale, "fraction")
                    if abs(given - rate) > RATE_TOLERANCE:
                        invalid.append(
                            (
                                _Cell(value_text, measure.value),
                                f"the value says {given:.1%} but the volumes give "
                                f"{numerator:g}/{denominator:g} = {rate:.1%}",
                            )
                        )
            elif measure.value is None:
                self._once(
                    f"derive:{metric.code}",
                    f"metric {metric.code} is measured as {metric.scale}: a rate can only be "
                    "derived from volumes for a fraction or percent metric; map a value column",
                )
        return value

    def _measure_positions(self, measure: Measure) -> tuple[int | None, ...]:
        """Where a measure's value, numerator, denominator and response rate columns are."""
        positions = self._value_positions.get(id(measure))
        if positions is None:
            positions = self._value_positions[id(measure)] = tuple(
                None if column is None else self._position(column)
                for column in (
                    measure.value,
                    measure.numerator,
                    measure.denominator,
                    measure.response_rate,
                )
            )
        return positions

    def _parsers_for(self, measure: Measure, metric: MetricInfo) -> _MeasureParsers:
        """The parsers of a measure's cells for one metric (its scale and formats)."""
        key = (id(measure), metric.scale)
        parsers = self._measure_parsers.get(key)
        if parsers is None:
            decimal, scale = self.mapping.decimal, metric.scale

            def target(text: str) -> float:
                value = parse_scaled_value(text, scale, measure.target_format, decimal)
                check_range(value, scale)
                return value

            parsers = self._measure_parsers[key] = _MeasureParsers(
                value=self._remembered(
                    ("value", scale, measure.value_format),
                    lambda text: parse_scaled_value(text, scale, measure.value_format, decimal),
                ),
                count=self._remembered(("count",), lambda text: parse_count(text, decimal)),
                share=self._remembered(
                    ("share", measure.response_rate_format),
                    lambda text: parse_share(text, measure.response_rate_format, decimal),
                ),
                target=self._remembered(("target", scale, measure.target_format), target),
            )
        return parsers

    def _remembered(self, kind: tuple[str, ...], parse: Callable[[str], float]) -> _Remembered:
        """One parser per kind of cell (shared by the measures reading that kind)."""
        remembered = self._parsers.get(kind)
        if remembered is None:
            remembered = self._parsers[kind] = _Remembered(parse)
        return remembered

    def _number(self, row: int, cell: _Cell, parse: Callable[[str], float]) -> float | None:
        if self._is_missing(cell.text):
            return None
        assert cell.text is not None
        try:
            return parse(cell.text)
        except ValueError as error:
            self._problem(row, cell, str(error))
            return None

    def _target(
        self,
        cells: list[str],
        row: int,
        metric: MetricInfo,
        measure: Measure,
        parsers: _MeasureParsers,
    ) -> TargetRecord | None:
        value = None
        if measure.target is not None:
            value = self._number(row, self._measure_cell(cells, measure.target), parsers.target)
        text = None
        if measure.target_text is not None:
            text_cell = self._measure_cell(cells, measure.target_text)
            text = None if self._is_missing(text_cell.text) else text_cell.text
            if text is not None:
                text = self._fit(row, text_cell, text, Target.text_en, "the target text")
                if text is None:
                    return None
        promises: dict[str, str] = {}
        for key, column in measure.promises:
            promise = self._text(cells, row, column)
            if promise is not None:
                promises[key] = promise
        if value is None and text is None:
            if promises:
                # Once per row, not once per measure or period of the row.
                self._row_note(row, "the promise text was not stored because the row has no target")
            return None
        comparator = measure.target_comparator or (">=" if metric.direction == "higher" else "<=")
        comparator_cell = self._measure_cell(cells, measure.target_comparator_column)
        if not self._is_missing(comparator_cell.text):
            given = (comparator_cell.text or "").strip()
            given = _COMPARATOR_SYMBOLS.get(given, given)
            if given not in COMPARATORS:
                self._problem(
                    row, comparator_cell, f"unknown comparator; use one of {', '.join(COMPARATORS)}"
                )
                return None
            comparator = given
        if value is not None:
            kind = "numeric"
        else:
            kind = "baseline" if text and _BASELINE.search(text) else "text"
        texts: dict[str, str] = {f"text_{default_language()}": text} if text is not None else {}
        texts.update({key: promise for key, promise in promises.items() if promise is not None})
        return TargetRecord(kind, value, comparator, texts)

    def _text(self, cells: list[str], row: int, column: str | None) -> str | None:
        """A promise's text (None when missing, or when the store cannot keep it)."""
        cell = self._measure_cell(cells, column)
        if self._is_missing(cell.text):
            return None
        return self._fit(row, cell, cell.text or "", Target.promise_en, "the promise")


#: Distinct texts a cell parser remembers the answer for (a value, or why it is not one).
_PARSED_LIMIT = 50_000


class _Remembered:
    """A cell parser that keeps its answer for each text it is given: files repeat their
    values (shares to a decimal, the same volumes), and a look-up costs a fraction of a
    parse. A text that is not a value keeps its reason, raised again as the same ValueError.
    """

    __slots__ = ("_answers", "_parse")

    def __init__(self, parse: Callable[[str], float]) -> None:
        self._parse = parse
        self._answers: dict[str, float | str] = {}

    def __call__(self, text: str) -> float:
        answer = self._answers.get(text)
        if answer is None:
            try:
                answer = self._parse(text)
            except ValueError as error:
                answer = str(error)
            if len(self._answers) < _PARSED_LIMIT:
                self._answers[text] = answer
        if isinstance(answer, str):
            raise ValueError(answer)
        return answer


@dataclass(frozen=True, slots=True)
class _MeasureParsers:
    """How a measure's cells are read for a metric of one scale."""

    value: _Remembered
    count: _Remembered
    share: _Remembered
    target: _Remembered


def _preview(text: str, limit: int = 100) -> str:
    """The start of a very long cell, for reports (the whole text would drown them)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _PeriodProblem(Exception):
    def __init__(self, cell: _Cell, reason: str) -> None:
        super().__init__(reason)
        self.cell = cell
        self.reason = reason


# -- runs ---------------------------------------------------------------------------------


def _mapping_record(mapping: Mapping | None) -> dict[str, Any] | None:
    if mapping is None:
        return None
    if mapping.builtin:
        return {"format": "cxdash long format", "columns": sorted(mapping.used_columns())}
    return mapping.raw


def _record_failure(
    database_url: str, report: ImportReport, path: Path, mapping: Mapping | None
) -> None:
    if report.checksum is None:
        try:
            report.checksum = file_checksum(path.read_bytes())
        except OSError:
            report.checksum = None
    record_failure(database_url, report, _mapping_record(mapping))
