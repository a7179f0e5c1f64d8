"""The published-data status row: how current the public data is, kept at write time.

Every public request needs a key that changes whenever the published data does (cache keys,
the "data as of" line). Aggregating the observations for it on each request grows with the
store (2 s at a million rows on SQLite), so the ``data_status`` row
(:class:`~dashboard.infra.models.DataStatusRow`) is kept instead, in the same transaction as
each write that changes it, and a request reads one row
(:func:`dashboard.gateway.queries.data_status`).

- :func:`refresh_data_status` recomputes the row from the tables (one aggregate: it runs at
  write time, not per request) and bumps its ``version`` when any field changed, so two
  different states never share a version.
- Every ORM ``Session`` notes whether it wrote something the status depends on (a published
  observation, a succeeded import run other than a workspace draft save, or a bulk statement
  on those tables that may) and refreshes the row just before it commits, in its transaction.
  A write path cannot forget it; a workspace draft save (drafts and a "workspace" run) never
  pays the aggregate. :func:`data.publication.publish_agency` also calls
  :func:`refresh_data_status` itself: the staff preview reads the status inside a
  transaction it never commits.
- Writes that bypass the ``Session`` (statements on a raw connection, a benchmark's bulk
  loader) call :func:`refresh_data_status` themselves before committing.

The fields are the aggregate the read side computed before this row existed (the latest
published period end, the latest publication or change of a published figure, the number of
published figures, the latest succeeded non-workspace import), so a key changes exactly when
it did then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import weakref
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, event, func, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from dashboard.infra.models import PUBLISHED, DataStatusRow, ImportRun, Observation, utcnow

#: The id of the one status row.
STATUS_ID = 1
#: ``Session.info`` key: the transaction wrote something the status depends on.
_STALE = "cxdash_data_status_stale"
_TABLE = cast(Table, DataStatusRow.__table__)
#: Tables a write to which may change the status.
_WATCHED = ("observations", "imports")


@dataclass(frozen=True)
class StatusValues:
    """What the status says, as computed from the tables or read from the row."""

    as_of: dt.date | None
    last_updated: dt.datetime | None
    published_count: int
    last_import: int | None


def compute_status(session: Session) -> StatusValues:
    """The status from the tables: one aggregate over the published observations (a full
    scan; for write time and for stores without the row)."""
    # A workspace save only writes drafts: it must not turn every public cache key over.
    last_import = (
        select(func.max(ImportRun.id))
        .where(ImportRun.status == "succeeded", ImportRun.kind != "workspace")
        .scalar_subquery()
    )
    as_of, last_published, last_changed, count, last_run = session.execute(
        select(
            func.max(Observation.period_end),
            func.max(Observation.published_at),
            # A revision changes a value without adding a row; updated_at catches it.
            func.max(Observation.updated_at),
            func.count(Observation.id),
            last_import,
        ).where(Observation.visibility == PUBLISHED)  # dashboard.gateway.published's rule
    ).one()
    moments = (_utc(d) for d in (last_published, last_changed) if d is not None)
    return StatusValues(
        as_of=as_of,
        last_updated=max(moments, default=None),
        published_count=count or 0,
        last_import=last_run,
    )


def _utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as an aware UTC datetime. SQLite gives back what was written: naive UTC from
    the ORM, aware from some bulk inserts; compared or hashed, they must be one kind."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def read_status_row(session: Session) -> tuple[int, StatusValues] | None:
    """``(version, values)`` of the status row; None when it was never written."""
    row = session.execute(
        select(
            _TABLE.c.version,
            _TABLE.c.as_of,
            _TABLE.c.last_updated,
            _TABLE.c.published_count,
            _TABLE.c.last_import,
        ).where(_TABLE.c.id == STATUS_ID)
    ).first()
    if row is None:
        return None
    version, as_of, last_updated, count, last_import = row
    return version, StatusValues(
        as_of, _utc(last_updated) if last_updated else None, count or 0, last_import
    )


def version_text(serial: int | None, values: StatusValues) -> str:
    """The data version for a status (``queries.DataStatus.version`` is this): a hash that
    changes whenever the row's counter or any of its fields does."""
    text = f"{values.as_of}|{values.last_updated}|{values.published_count}|{values.last_import}"
    if serial is not None:
        # The counter tells apart two states with the same fields (a value deleted and
        # published again); the fields tell apart two stores at the same count.
        text = f"{serial}|{text}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


#: The status row's read, built once (SQLAlchemy caches its compiled form per dialect).
_READ_ROW = select(
    _TABLE.c.version,
    _TABLE.c.as_of,
    _TABLE.c.last_updated,
    _TABLE.c.published_count,
    _TABLE.c.last_import,
).where(_TABLE.c.id == STATUS_ID)


def current_version(engine: Engine | Connection) -> str | None:
    """The data version, read from the status row on a Core connection (no ORM session): what
    every cached answer checks per request, so that a publication through any node is seen
    by every node at its next request. One primary-key read, ~40 µs on SQLite; None when the
    store has no row (not migrated, or never written): the caller then asks the gateway,
    which aggregates. ``engine`` may be a connection (a preview's transaction)."""
    if isinstance(engine, Connection):
        return _version_on(engine)
    with engine.connect() as connection:
        return _version_on(connection)


def _version_on(connection: Connection) -> str | None:
    engine = connection.engine
    if engine not in _HAS_TABLE:
        if not inspect(connection).has_table(_TABLE.name):
            return None
        _HAS_TABLE.add(engine)
    row = connection.execute(_READ_ROW).first()
    if row is None:
        return None
    serial, as_of, last_updated, count, last_import = row
    values = StatusValues(
        as_of, _utc(last_updated) if last_updated else None, count or 0, last_import
    )
    return version_text(serial, values)


def refresh_data_status(session: Session) -> bool:
    """Recompute the status row from the tables in ``session``'s transaction and bump its
    version when anything changed (True then). Call it after the writes, before the commit.

    The row is locked before the aggregate runs: on PostgreSQL (read committed) a concurrent
    writer's refresh then waits for this transaction and aggregates with its rows committed,
    so the last commit leaves a complete row, never one that misses the other's writes.
    """
    session.flush()
    locked = _lock_row(session)
    if locked is None:
        _insert_row(session)
        locked = _lock_row(session)
    values = compute_status(session)
    session.info[_STALE] = False
    if locked is not None and locked == values:
        return False
    session.execute(
        update(_TABLE)
        .where(_TABLE.c.id == STATUS_ID)
        .values(
            version=_TABLE.c.version + 1,
            as_of=values.as_of,
            last_updated=values.last_updated,
            published_count=values.published_count,
            last_import=values.last_import,
            refreshed_at=utcnow(),
        )
    )
    return True


def bump_data_version(session: Session) -> None:
    """A public change the status fields cannot see (a feedback excerpt published, changed or
    withdrawn: issue 14): refresh the row and bump its version even when no field changed,
    so every cached page and answer keyed by it refreshes. In the caller's transaction."""
    if refresh_data_status(session):
        return
    session.execute(
        update(_TABLE)
        .where(_TABLE.c.id == STATUS_ID)
        .values(version=_TABLE.c.version + 1, refreshed_at=utcnow())
    )


def _lock_row(session: Session) -> StatusValues | None:
    row = session.execute(
        select(
            _TABLE.c.as_of,
            _TABLE.c.last_updated,
            _TABLE.c.published_count,
            _TABLE.c.last_import,
        )
        .where(_TABLE.c.id == STATUS_ID)
        .with_for_update()  # nothing on SQLite: the writing transaction holds the database
    ).first()
    if row is None:
        return None
    as_of, last_updated, count, last_import = row
    return StatusValues(
        as_of, _utc(last_updated) if last_updated else None, count or 0, last_import
    )


def _insert_row(session: Session) -> None:
    """The row of a store made by ``create_all`` (tests): the migration writes it otherwise.
    Race-safe: a concurrent first refresh inserts it once."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    session.execute(
        upsert(_TABLE).values(id=STATUS_ID, version=0, published_count=0).on_conflict_do_nothing()
    )


# -- the commit hook -------------------------------------------------------------------------


def _mark(session: Session) -> None:
    session.info[_STALE] = True


def _changes_status(obj: object, change: str) -> bool:
    """Whether a flushed ORM object (``change``: "new", "dirty" or "deleted") may change the
    status. Attributes are read from the instance's dict, never loaded in a flush event;
    what is not known counts as a change."""
    if isinstance(obj, ImportRun):
        if change == "deleted":
            return True
        state = inspect(obj).dict
        if change == "dirty" and not {"status", "kind"} <= state.keys():
            return True  # expired: not known
        # A new run's kind defaults to "observations".
        return bool(state.get("status") == "succeeded" and state.get("kind") != "workspace")
    if isinstance(obj, Observation):
        if change == "deleted":
            return True
        loaded = inspect(obj)
        if "visibility" not in loaded.dict:
            # A new row takes the column's default, a draft; an expired one may be published.
            return change != "new"
        if loaded.dict["visibility"] == PUBLISHED:
            return True
        # A published figure turned back into a draft.
        return PUBLISHED in loaded.attrs.visibility.history.deleted
    return False


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    # The new / dirty / deleted collections still hold what this flush wrote.
    if session.info.get(_STALE):
        return
    changes = (
        *((obj, "new") for obj in session.new),
        *((obj, "dirty") for obj in session.dirty),
        *((obj, "deleted") for obj in session.deleted),
    )
    if any(_changes_status(obj, change) for obj, change in changes):
        _mark(session)


def _on_execute(state: ORMExecuteState) -> None:
    """Bulk statements (``session.execute(insert(...))``, update, delete) on the watched
    tables. An insert whose rows are all drafts (or failed runs, or workspace saves) changes
    nothing; any other such statement may."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.session.info.get(_STALE):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in _WATCHED:
        return
    if state.is_insert and _inserts_nothing_public(name, state):
        return
    _mark(state.session)


def _inserts_nothing_public(table: str, state: ORMExecuteState) -> bool:
    statement: Any = state.statement
    if getattr(statement, "_values", None) or getattr(statement, "_multi_values", None):
        return False  # values in the statement itself: not worth reading, assume public
    parameters: Any = state.parameters
    rows = parameters if isinstance(parameters, list | tuple) else [parameters or {}]
    if not rows or not all(isinstance(row, dict) for row in rows):
        return False
    if table == "observations":
        # The column's default is a draft.
        return all(row.get("visibility") != PUBLISHED for row in rows)
    return all(row.get("status") != "succeeded" or row.get("kind") == "workspace" for row in rows)


#: Engines whose store has the status table (checked once each; a store without it was not
#: migrated yet, and the read side then aggregates).
_HAS_TABLE: weakref.WeakSet[Engine] = weakref.WeakSet()


def has_status_table(session: Session) -> bool:
    """Whether the store has the status table (a store not migrated yet has not)."""
    connection = session.connection()
    engine = connection.engine
    if engine in _HAS_TABLE:
        return True
    if inspect(connection).has_table(_TABLE.name):
        _HAS_TABLE.add(engine)
        return True
    return False


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer commit refreshes
    if not (session.info.get(_STALE) or session.new or session.dirty or session.deleted):
        return
    session.flush()  # before_commit runs before the final flush: see what it writes
    if session.info.get(_STALE) and has_status_table(session):
        refresh_data_status(session)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_STALE, None)


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "do_orm_execute", _on_execute)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_transaction_end", _after_transaction_end)
