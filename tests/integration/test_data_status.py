"""The published-data status row (dashboard.infra.data_status): kept current by every write
that changes published data, in that write's transaction, and read by requests as one row.

Each test runs on SQLite and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select, text, update
from sqlalchemy.orm import Session

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.gateway.published import public_observation
from dashboard.infra import db
from dashboard.infra.data_status import (
    StatusValues,
    compute_status,
    read_status_row,
    refresh_data_status,
)
from dashboard.infra.db import reading_through, session_scope
from dashboard.infra.models import DRAFT, PUBLISHED, ImportRun, Observation, Unit
from data.contacts import import_contacts
from data.content import import_file
from data.demo.loading import make_room
from data.loaders import import_observations
from data.publication import discard_figure_drafts, publish_agency
from data.targets_import import import_targets
from tests.conftest import new_postgres_database
from tests.integration.test_import import HEADER, seed, write
from tests.integration.test_workspace_upload import add_users, agency_ids, upload

NOW = dt.datetime(2024, 2, 1, 15, 30, tzinfo=dt.UTC)
TARGETS = "agency,service,metric,kind,value,comparator,text_en,promise_en,effective_from\n"


@pytest.fixture
def store(db_url: str) -> str:
    seed(db_url)
    return db_url


def aggregate(url: str) -> StatusValues:
    """The status as every request computed it before the row existed (written out again
    here, with the gateway's published rule, so the row is checked against it)."""
    last_import = (
        select(func.max(ImportRun.id))
        .where(ImportRun.status == "succeeded", ImportRun.kind != "workspace")
        .scalar_subquery()
    )
    with session_scope(url) as session:
        as_of, published, changed, count, run = session.execute(
            select(
                func.max(Observation.period_end),
                func.max(Observation.published_at),
                func.max(Observation.updated_at),
                func.count(Observation.id),
                last_import,
            ).where(public_observation())
        ).one()
    # As UTC: SQLite gives naive or aware datetimes back, as each row was written.
    moments = [d if d.tzinfo else d.replace(tzinfo=dt.UTC) for d in (published, changed) if d]
    return StatusValues(as_of, max(moments, default=None), count or 0, run)


def current(url: str) -> int:
    """The row's version, after checking that the row says what the tables say."""
    with session_scope(url) as session:
        row = read_status_row(session)
    assert row is not None, "no status row"
    version, values = row
    assert values == aggregate(url)
    status = queries.data_status(url)
    assert status.serial == version
    assert (status.as_of, status.last_updated, status.published_count, status.last_import) == (
        values.as_of,
        values.last_updated,
        values.published_count,
        values.last_import,
    )
    return version


@contextmanager
def statements(url: str) -> Iterator[list[str]]:
    """The SQL every connection of ``url``'s engine runs inside the block."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        seen.append(" ".join(statement.split()))

    engine = db.get_engine(url)
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def results(url: str, tmp_path: Path, name: str, rows: str, **options) -> None:
    report = import_observations(
        url, write(tmp_path, name, HEADER + rows), settings=Settings(database_url=url), **options
    )
    assert report.ok, report.to_text()


def test_every_publishing_write_keeps_the_row_current_and_bumps_its_version(store, tmp_path):
    """Each kind of write, in turn: the row matches the aggregate after it; the version goes
    up exactly when the aggregate's fields changed (as the old per-request key did)."""
    # A store made by create_all and never published to has no row: the read aggregates.
    assert queries.data_status(store).serial is None
    users = add_users(store)
    agencies = agency_ids(store)

    # cxdash import (drafts): nothing public, but a succeeded run (as before: any import run
    # that is not a workspace save turns the key over).
    results(store, tmp_path, "draft.csv", "DMV,,csat_overall,FY2024 Q1,0.7,,100,,,\n")
    v1 = current(store)
    assert queries.data_status(store).published_count == 0

    # cxdash import --publish: figures public.
    results(
        store,
        tmp_path,
        "pub.csv",
        "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\nrevenue,,csat_overall,FY2024 Q1,0.6,,100,,,\n",
        publish=True,
    )
    v2 = current(store)
    assert v2 > v1
    assert queries.data_status(store).published_count == 2

    # A revision of a published figure: the same count, a later change.
    results(store, tmp_path, "rev.csv", "DMV,,csat_overall,FY2024 Q1,0.82,,100,,,\n", publish=True)
    v3 = current(store)
    assert v3 > v2 and queries.data_status(store).published_count == 2

    # A workspace upload (drafts and a pending revision), then its publication.
    report = upload(
        store,
        write(tmp_path, "ws.csv", HEADER + "DMV,,trust,FY2024 Q2,0.7,,,,,\n"),
        users["ed"],
        frozenset({agencies["dmv"]}),
    )
    assert report.ok, report.to_text()
    v4 = current(store)
    before = queries.data_status(store)
    with session_scope(store) as session:
        publish_agency(session, agencies["dmv"], user_id=users["pat"], now=NOW)
    v5 = current(store)
    after = queries.data_status(store)
    assert v5 > v4 and after.version != before.version
    assert after.published_count == before.published_count + 1
    assert after.as_of is not None and before.as_of is not None and after.as_of > before.as_of

    # Targets, contact records and content: no figure needs to change for the key to.
    targets = write(
        tmp_path, "t.csv", TARGETS + "DMV,,csat_overall,numeric,0.8,>=,,We answer,2023-07-01\n"
    )
    assert import_targets(store, targets, publish=True).ok
    v6 = current(store)
    contacts = write(
        tmp_path,
        "c.csv",
        "id,agency,service,channel,received,first_response,resolved,spam\n"
        "m1,DMV,,email,2024-11-27 09:00,2024-11-27 10:00,,no\n",
    )
    assert import_contacts(store, contacts, settings=Settings(database_url=store), publish=True).ok
    v7 = current(store)
    units = write(
        tmp_path,
        "u.csv",
        "slug,kind,parent,code,name_en\nparks,agency,enterprise,PRK,Department of Parks\n",
    )
    content = import_file(store, units, "units", publish=True)
    assert content.ok, content.to_text()
    v8 = current(store)
    assert v1 < v2 < v3 < v4 < v5 < v6 < v7 < v8

    # Replacing the demo empties the store: the row says so, with a new version.
    make_room(store, replace=True)
    v9 = current(store)
    assert v9 > v8 and queries.data_status(store).published_count == 0


def test_failed_and_dry_runs_and_draft_saves_change_nothing(store, tmp_path):
    users = add_users(store)
    agencies = agency_ids(store)
    results(store, tmp_path, "pub.csv", "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n", publish=True)
    version = current(store)
    key = queries.data_status(store).version

    bad = write(tmp_path, "bad.csv", HEADER + "DMV,,csat_overall,FY2024 Q2,lots,,100,,,\n")
    report = import_observations(store, bad, settings=Settings(database_url=store), publish=True)
    assert not report.ok  # recorded as a failed run, its rows never written
    results(store, tmp_path, "dry.csv", "DMV,,trust,FY2024 Q2,0.7,,,,,\n", dry_run=True)
    assert current(store) == version

    # A draft saved in the workspace (a draft figure and a "workspace" run) and draft figures
    # discarded: the public key stays, and the save never runs the aggregate.
    with statements(store) as seen, session_scope(store) as session:
        run = ImportRun(
            kind="workspace", file_name="form", checksum="", status="succeeded", user_id=users["ed"]
        )
        session.add(run)
        session.flush()
        dmv = session.scalars(select(Unit).where(Unit.slug == "dmv")).one()
        published = session.scalars(select(Observation)).one()
        session.add(
            Observation(
                unit_id=dmv.id,
                metric_id=published.metric_id,
                period_start=dt.date(2024, 1, 1),
                period_end=dt.date(2024, 3, 31),
                granularity="quarter",
                raw_value=0.5,
                visibility=DRAFT,
                import_id=run.id,
            )
        )
    assert not [s for s in seen if "data_status" in s]
    with session_scope(store) as session:
        assert discard_figure_drafts(session, agencies["dmv"], user_id=users["ed"], now=NOW) == 1
    assert current(store) == version
    assert queries.data_status(store).version == key


def test_a_write_no_path_names_is_caught_at_commit(store, tmp_path):
    """The commit hook: an ORM change and a bulk statement that publish figures, written
    with no call to refresh_data_status, still reach the row in their transaction."""
    results(store, tmp_path, "d.csv", "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n")
    results(store, tmp_path, "e.csv", "DMV,,trust,FY2024 Q1,0.7,,,,,\n")
    start = current(store)
    first_state = queries.data_status(store)
    with session_scope(store) as session:
        first = session.scalars(select(Observation).order_by(Observation.id)).first()
        assert first is not None
        first.visibility = PUBLISHED
        first.published_at = NOW
    one = current(store)
    assert queries.data_status(store).published_count == 1
    with session_scope(store) as session:
        session.execute(
            update(Observation)
            .where(Observation.visibility == DRAFT)
            .values(visibility=PUBLISHED, published_at=NOW + dt.timedelta(hours=1))
        )
    two = current(store)
    assert queries.data_status(store).published_count == 2
    # Unpublished again: the fields of the first state come back, never its version.
    with session_scope(store) as session:
        for row in session.scalars(select(Observation)):
            row.visibility = DRAFT
    three = current(store)
    assert start < one < two < three
    again = queries.data_status(store)
    assert (again.as_of, again.last_updated, again.published_count, again.last_import) == (
        first_state.as_of,
        first_state.last_updated,
        first_state.published_count,
        first_state.last_import,
    )
    assert again.version != first_state.version


def test_a_rolled_back_publication_leaves_the_row_as_it_was(store, tmp_path):
    """The staff preview: the publication and the refreshed row are seen inside the
    transaction (read through it), and gone with its rollback."""
    users = add_users(store)
    agencies = agency_ids(store)
    results(store, tmp_path, "pub.csv", "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n", publish=True)
    report = upload(
        store,
        write(tmp_path, "ws.csv", HEADER + "DMV,,trust,FY2024 Q2,0.7,,,,,\n"),
        users["ed"],
        frozenset({agencies["dmv"]}),
    )
    assert report.ok, report.to_text()
    version = current(store)
    before = queries.data_status(store)
    with db.get_engine(store).connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="rollback_only") as session:
            publish_agency(session, agencies["dmv"], user_id=users["pat"], now=NOW)
        with reading_through(connection):
            seen = queries.data_status(store)
        transaction.rollback()
    assert seen.published_count == before.published_count + 1
    assert seen.version != before.version
    assert current(store) == version
    assert queries.data_status(store) == before


def test_two_writers_at_once_leave_a_row_with_both(store, tmp_path):
    """Each refresh locks the row before it aggregates: the second writer waits for the
    first to commit and counts its figures too (aggregating first would count only its own
    and overwrite the first's row)."""
    results(
        store,
        tmp_path,
        "d.csv",
        "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\nrevenue,,csat_overall,FY2024 Q1,0.6,,100,,,\n",
    )
    with session_scope(store) as session:
        first, second = session.scalars(select(Observation.id).order_by(Observation.id))
    holding, waiting = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def publish(observation_id: int) -> None:
        with session_scope(store) as session:
            row = session.get(Observation, observation_id)
            assert row is not None
            row.visibility, row.published_at = PUBLISHED, NOW

    def writer_a() -> None:
        try:
            with session_scope(store) as session:
                row = session.get(Observation, first)
                assert row is not None
                row.visibility, row.published_at = PUBLISHED, NOW
                refresh_data_status(session)  # the row locked, one figure counted
                holding.set()
                waiting.wait(10)
                time.sleep(0.5)  # B reaches the row (or its write) and waits for this commit
        except BaseException as error:
            errors.append(error)
            holding.set()

    def writer_b() -> None:
        try:
            holding.wait(10)
            waiting.set()
            publish(second)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    current(store)
    assert queries.data_status(store).published_count == 2


def test_a_request_reads_the_row_and_never_the_observations(store, tmp_path):
    # Without the row (never written): the aggregate, as before.
    with statements(store) as seen:
        queries.data_status(store)
    assert any("FROM observations" in s for s in seen)
    results(store, tmp_path, "pub.csv", "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n", publish=True)
    queries.data_status(store)  # the first read notes the table exists
    with statements(store) as seen:
        status = queries.data_status(store)
    assert status.published_count == 1 and status.serial is not None
    assert [s for s in seen if "data_status" in s]
    assert not [s for s in seen if "observations" in s or "imports" in s]


def test_the_demo_build_leaves_a_current_row(demo_copy_url):
    """``cxdash demo`` goes through the importers: the row is there and right."""
    assert current(demo_copy_url) > 1
    assert queries.data_status(demo_copy_url).published_count > 0


# -- migration 0005 fills the row of an existing store -----------------------------------------

_AT_0004 = [
    "INSERT INTO imports (id, kind, file_name, checksum, rows_read, rows_inserted, "
    "rows_revised, rows_unchanged, status, started_at) VALUES "
    "(1, 'observations', 'a.csv', 'x', 0, 0, 0, 0, 'succeeded', '2024-01-01 00:00:00+00'), "
    "(2, 'observations', 'b.csv', 'y', 0, 0, 0, 0, 'failed', '2024-02-01 00:00:00+00'), "
    "(3, 'workspace', 'form', 'z', 0, 0, 0, 0, 'succeeded', '2024-03-01 00:00:00+00')",
    "INSERT INTO units (id, slug, kind, visibility, created_at) "
    "VALUES (1, 'dmv', 'agency', 'published', '2024-01-01 00:00:00+00')",
    "INSERT INTO metrics (id, code, dimension, scale, direction, is_survey, headline, "
    "visibility) VALUES (1, 'csat', 'satisfaction', 'fraction', 'higher', false, true, "
    "'published')",
    "INSERT INTO observations (id, unit_id, metric_id, period_start, period_end, granularity, "
    "segment_type, segment_value, raw_value, series_break, visibility, published_at, "
    "import_id, created_at, updated_at) VALUES "
    "(1, 1, 1, '2023-07-01', '2023-09-30', 'quarter', '', '', 0.8, false, 'published', "
    "'2024-01-01 10:00:00+00', 1, '2024-01-01 10:00:00+00', '2024-01-05 10:00:00+00'), "
    "(2, 1, 1, '2023-10-01', '2023-12-31', 'quarter', '', '', 0.7, false, 'published', "
    "'2024-01-02 10:00:00+00', 1, '2024-01-02 10:00:00+00', '2024-01-02 10:00:00+00'), "
    "(3, 1, 1, '2024-01-01', '2024-03-31', 'quarter', '', '', 0.6, false, 'draft', "
    "NULL, 3, '2024-03-01 10:00:00+00', '2024-03-01 10:00:00+00')",
]


@contextmanager
def _empty_store(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'at-0004.sqlite3'}"
    else:
        with new_postgres_database("cxdash_p1_migrate") as url:
            yield url


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_migration_fills_the_row_of_a_store_with_data(backend, tmp_path):
    from alembic import command

    with _empty_store(backend, tmp_path) as url:
        config = db.alembic_config(url)
        command.upgrade(config, "0004")
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                for statement in _AT_0004:
                    connection.execute(text(statement))
        finally:
            engine.dispose()
        command.upgrade(config, "head")
        with session_scope(url) as session:
            row = read_status_row(session)
            computed = compute_status(session)
        assert row is not None
        version, values = row
        assert version == 1 and values == computed
        assert (values.as_of, values.published_count, values.last_import) == (
            dt.date(2023, 12, 31),
            2,
            1,
        )
        assert values.last_updated is not None
        assert values.last_updated.replace(tzinfo=None) == dt.datetime(2024, 1, 5, 10)
        command.downgrade(config, "0004")
        command.upgrade(config, "head")
        db.dispose_all()
