"""A large import into a store it at least doubles is bulk loaded on PostgreSQL (issue 12).

``data.loaders._BulkLoad`` sets the observations' foreign keys aside in the import's
transaction and makes them again (validated over the loaded table) at its end. These tests lower the
threshold (``BULK_LOAD_MIN_ROWS``) so that a short file takes that path, and check that the
schema afterwards is the one before, after a good import and after a failed one (DDL rolled
back with the rest), that the foreign keys still hold, that revisions of published figures
are kept as on the ordinary path, and that the path is not taken when the store is larger
than the file, nor on SQLite.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from dashboard.core.settings import Settings
from dashboard.infra.db import session_scope
from dashboard.infra.models import ImportRun, Observation, ObservationRevision
from data import loaders
from data.report import ImportReport
from tests.integration.test_import import seed, table_counts, write

HEADER = "agency,service,metric,period,value,numerator,denominator,target,promise_en,note\n"
BATCH = 4


def month(index: int) -> str:
    return f"{2015 + index // 12}-{index % 12 + 1:02d}"


def rows(count: int, value: str = "0.8", metric: str = "csat_overall") -> list[str]:
    return [f"DMV,,{metric},{month(i)},{value},,,,,\n" for i in range(count)]


def run(url: str, path: Path, **options: object) -> ImportReport:
    return loaders.import_observations(
        url, path, settings=Settings(database_url=url), batch_rows=BATCH, **options
    )


def schema(url: str) -> dict[str, object]:
    """The observations' indexes and constraints as the database describes them."""
    with session_scope(url) as session:
        indexes = session.execute(
            text(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), indisvalid "
                "FROM pg_index WHERE indrelid = 'observations'::regclass ORDER BY 1"
            )
        ).all()
        constraints = session.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                "WHERE conrelid = 'observations'::regclass ORDER BY 1"
            )
        ).all()
    return {
        "indexes": [tuple(row) for row in indexes],
        "constraints": [tuple(r) for r in constraints],
    }


@pytest.fixture
def seeded(postgres_url: str) -> str:
    seed(postgres_url)
    return postgres_url


@pytest.fixture
def bulk_loads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Threshold lowered to 10 rows; for each import, whether it was bulk loaded."""
    taken: list[bool] = []
    begin = loaders._BulkLoad.begin

    def spying(session, rows):  # type: ignore[no-untyped-def]
        bulk = begin(session, rows)
        taken.append(bulk is not None)
        return bulk

    monkeypatch.setattr(loaders, "BULK_LOAD_MIN_ROWS", 10)
    monkeypatch.setattr(loaders._BulkLoad, "begin", staticmethod(spying))
    return taken


def test_a_bulk_load_leaves_the_same_indexes_and_constraints(seeded, tmp_path, bulk_loads):
    before = schema(seeded)
    assert len(before["indexes"]) >= 8 and any(  # type: ignore[arg-type]
        "FOREIGN KEY" in definition
        for _name, definition, _valid in before["constraints"]  # type: ignore[attr-defined]
    )
    path = write(tmp_path, "results.csv", HEADER + "".join(rows(30)))

    report = run(seeded, path, publish=True)

    assert report.ok, report.to_text()
    assert bulk_loads == [True]
    assert report.inserted == 30
    assert schema(seeded) == before
    with session_scope(seeded) as session:
        stored = session.scalars(select(Observation).order_by(Observation.id)).all()
        assert [o.period_start for o in stored][:2] == [dt.date(2015, 1, 1), dt.date(2015, 2, 1)]
        assert {o.import_id for o in stored} == {report.import_id}
    # The foreign keys are back and enforced.
    with pytest.raises(IntegrityError), session_scope(seeded) as session:
        session.execute(
            text(
                "INSERT INTO observations (unit_id, metric_id, period_start, period_end, "
                "granularity, segment_type, segment_value, series_break, visibility, "
                "created_at, updated_at) VALUES (999999, 1, '2030-01-01', '2030-01-31', "
                "'month', '', '', false, 'draft', now(), now())"
            )
        )


def test_a_failed_bulk_load_writes_nothing_and_restores_the_schema(seeded, tmp_path, bulk_loads):
    before_schema, before_counts = schema(seeded), table_counts(seeded)
    lines = rows(30)
    lines[26] = f"DMV,,csat_overall,{month(26)},eighty,,,,,\n"  # after six written batches
    path = write(tmp_path, "results.csv", HEADER + "".join(lines))

    report = run(seeded, path, publish=True)

    assert not report.ok
    assert bulk_loads == [True]
    assert [(p.row, p.value) for p in report.problems] == [(28, "eighty")]
    assert table_counts(seeded) == before_counts
    assert schema(seeded) == before_schema
    with session_scope(seeded) as session:
        runs = session.scalars(select(ImportRun)).all()
    assert [(r.status, r.rows_inserted) for r in runs] == [("failed", 0)]


def test_a_bulk_load_keeps_the_earlier_value_of_a_revised_published_figure(
    seeded, tmp_path, bulk_loads
):
    first = write(tmp_path, "first.csv", HEADER + "".join(rows(3)))
    assert run(seeded, first, publish=True).ok
    # 30 rows against 3 stored: bulk loaded; the first three months are revised.
    second = write(tmp_path, "second.csv", HEADER + "".join(rows(30, value="0.9")))

    report = run(seeded, second, publish=True)

    assert report.ok, report.to_text()
    assert bulk_loads == [False, True]  # the first file is under the lowered threshold
    assert (report.inserted, report.revised) == (27, 3)
    with session_scope(seeded) as session:
        revisions = session.scalars(select(ObservationRevision)).all()
        values = set(session.scalars(select(Observation.raw_value)))
    assert sorted(r.raw_value for r in revisions) == [0.8, 0.8, 0.8]
    assert values == {0.9}


def test_no_bulk_load_into_a_store_larger_than_the_file(seeded, tmp_path, bulk_loads):
    first = write(tmp_path, "first.csv", HEADER + "".join(rows(30)))
    assert run(seeded, first, publish=True).ok
    before = schema(seeded)
    second = write(tmp_path, "second.csv", HEADER + "".join(rows(12, metric="trust")))

    report = run(seeded, second, publish=True)

    assert report.ok, report.to_text()
    assert bulk_loads == [True, False]
    assert report.inserted == 12 and "keys" not in report.timings
    assert schema(seeded) == before


def test_no_bulk_load_below_the_threshold(seeded, tmp_path):
    path = write(tmp_path, "results.csv", HEADER + "".join(rows(30)))
    report = run(seeded, path, publish=True)
    assert report.ok, report.to_text()
    assert "keys" not in report.timings  # 30 rows < BULK_LOAD_MIN_ROWS


def test_no_bulk_load_on_sqlite(sqlite_url, tmp_path, bulk_loads):
    seed(sqlite_url)
    path = write(tmp_path, "results.csv", HEADER + "".join(rows(30)))
    report = run(sqlite_url, path, publish=True)
    assert report.ok, report.to_text()
    assert bulk_loads == [False] and report.inserted == 30
