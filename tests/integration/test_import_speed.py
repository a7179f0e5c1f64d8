"""The fast paths of ``cxdash import`` keep its promises (bench/import_observations.py times them).

A batch's new observations are written in the background (PostgreSQL: COPY; SQLite: staged
in a temporary table, then one INSERT ... SELECT) while the next batch is checked; cell
parses, metric look-ups and scores are remembered per text. These tests check, on SQLite
and on PostgreSQL (the ``db_url`` fixture), with the default batch size, that: a bad cell
deep in a file of several batches still rolls everything back and is named by its file,
row, column and value; a value seen before reports each row it is bad on; an error of the
background write is reported as a database problem with nothing written; what is written
is what the ORM would write, in the file's order.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from dashboard.core.settings import Settings
from dashboard.infra.db import session_scope
from dashboard.infra.models import ImportRun, Observation
from data import loaders
from tests.integration.test_import import seed, table_counts, write

HEADER = "agency,service,metric,period,value,numerator,denominator,target,promise_en,note\n"
#: Rows: more than two default batches, so that the background writes run.
ROWS = 2 * loaders.BATCH_ROWS + 1500
AGENCIES = ("DMV", "DOR")
CHANNELS = ("", "phone", "email", "web_form", "walk_in", "chat")


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def segmented(count: int) -> tuple[str, list[str]]:
    """A header with segment columns and ``count`` distinct rows under it."""
    header = "agency,metric,period,value,segment_type,segment_value,note\n"
    rows = []
    month = 0
    while len(rows) < count:
        period = f"{2000 + month // 12}-{month % 12 + 1:02d}"
        for agency in AGENCIES:
            for channel in CHANNELS:
                value = f"{(len(rows) % 90) / 100 + 0.05:.2f}"
                note = "checked" if len(rows) % 97 == 0 else ""
                kind = "channel" if channel else ""
                rows.append(f"{agency},csat_overall,{period},{value},{kind},{channel},{note}\n")
        month += 1
    return header, rows[:count]


def run(url: str, path: Path, **options: object) -> loaders.ImportReport:
    return loaders.import_observations(url, path, settings=Settings(database_url=url), **options)


def test_a_large_file_is_written_whole_in_the_files_order(seeded, tmp_path):
    header, rows = segmented(ROWS)
    path = write(tmp_path, "results.csv", header + "".join(rows))
    report = run(seeded, path)
    assert report.ok, report.to_text()
    assert report.inserted == ROWS
    with session_scope(seeded) as session:
        stored = session.execute(
            select(
                Observation.period_start,
                Observation.segment_value,
                Observation.raw_value,
                Observation.score,
                Observation.internal_note,
                Observation.import_id,
            ).order_by(Observation.id)
        ).all()
        runs = session.scalars(select(ImportRun)).all()
    assert [(r.status, r.rows_inserted) for r in runs] == [("succeeded", ROWS)]
    assert len(stored) == ROWS and {row.import_id for row in stored} == {report.import_id}
    # Ids follow the file: the rows come back in its order, with its values.
    for row, line in zip(stored, rows, strict=True):
        _agency, _metric, period, value, _kind, channel, note = line.rstrip("\n").split(",")
        assert (str(row.period_start)[:7], row.segment_value) == (period, channel)
        assert row.raw_value == pytest.approx(float(value))
        assert row.score == pytest.approx(float(value) * 100)
        assert row.internal_note == (note or None)


def test_a_bad_cell_deep_in_a_large_file_writes_nothing(seeded, tmp_path, monkeypatch):
    header, rows = segmented(ROWS)
    bad = ROWS - 7  # in the last batch: the batches before it were written in the background
    rows[bad] = rows[bad].replace(",0.", ",zero point ", 1)
    path = write(tmp_path, "results.csv", header + "".join(rows))
    written: list[int] = []
    insert = loaders._insert_observations

    def counting(session, records, *args, **options):  # type: ignore[no-untyped-def]
        written.append(len(records))
        return insert(session, records, *args, **options)

    monkeypatch.setattr(loaders, "_insert_observations", counting)
    before = table_counts(seeded)

    report = run(seeded, path, publish=True)

    assert written == [loaders.BATCH_ROWS, loaders.BATCH_ROWS]
    assert not report.ok
    [problem] = report.problems
    assert (problem.file, problem.row, problem.column) == ("results.csv", bad + 2, "value")
    assert problem.value is not None and problem.value.startswith("zero point ")
    assert "not a number" in problem.reason
    assert table_counts(seeded) == before
    with session_scope(seeded) as session:
        runs = session.scalars(select(ImportRun)).all()
    assert [(r.status, r.rows_inserted) for r in runs] == [("failed", 0)]


def test_a_bad_value_met_again_is_reported_on_each_row(seeded, tmp_path):
    # Parses are remembered per text: the reason is given again, with each row's number.
    header, rows = segmented(30)

    def with_value(index: int, value: str) -> str:
        fields = rows[index].split(",")
        fields[3] = value
        return ",".join(fields)

    for index in (3, 20):
        rows[index] = with_value(index, '"1,5"')  # a decimal comma: the reason says so
    rows[25] = with_value(25, "7")  # a fraction out of range
    path = write(tmp_path, "results.csv", header + "".join(rows))
    report = run(seeded, path)
    assert [(p.row, p.column) for p in report.problems] == [
        (5, "value"),
        (22, "value"),
        (27, "value"),
    ]
    assert report.problems[0].reason == report.problems[1].reason
    assert 'decimal = ","' in report.problems[0].reason
    assert "outside" in report.problems[2].reason
    assert table_counts(seeded)["observations"] == 0


def test_a_failed_background_write_is_a_database_problem(seeded, tmp_path, monkeypatch):
    header, rows = segmented(ROWS)
    path = write(tmp_path, "results.csv", header + "".join(rows))
    threads: list[str] = []
    real = {name: getattr(loaders, name) for name in ("_move_copied_rows", "_move_staged_rows")}

    def failing(name):  # type: ignore[no-untyped-def]
        def write_or_fail(*args, **options):  # type: ignore[no-untyped-def]
            threads.append(threading.current_thread().name)
            if len(threads) == 2:
                raise OperationalError("INSERT", None, Exception("database or disk is full"))
            return real[name](*args, **options)

        return write_or_fail

    for name in real:
        monkeypatch.setattr(loaders, name, failing(name))
    before = table_counts(seeded)

    report = run(seeded, path)

    assert threads and set(threads) == {"cxdash-import-write"}  # never the import's thread
    assert len(threads) == 2
    assert not report.ok
    assert len(report.problems) == 1 and "disk is full" in report.problems[0].reason
    assert table_counts(seeded) == before
    with session_scope(seeded) as session:
        runs = session.scalars(select(ImportRun)).all()
    assert [r.status for r in runs] == ["failed"]


def test_a_dry_run_of_a_large_file_writes_nothing(seeded, tmp_path):
    header, rows = segmented(ROWS)
    path = write(tmp_path, "results.csv", header + "".join(rows))
    before = table_counts(seeded)
    report = run(seeded, path, dry_run=True)
    assert report.ok and report.inserted == ROWS
    assert table_counts(seeded) == before
