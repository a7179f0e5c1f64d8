"""``cxdash import`` streams: a batch of rows in memory, never the file, all or nothing kept.

The import checks and writes a file ``batch_rows`` rows at a time in one transaction. These
tests use a small batch size so that a short file spans many batches, and check the
structure, not a size or a time (bench/import_observations.py prints those): no more than a
batch of records is ever planned at once; a bad cell after several batches were written
leaves the store as it was, with one failed run; a key repeated batches apart is a
duplicate; a published value changed batches later still needs --publish.

Each test runs on SQLite and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from dashboard.core.settings import Settings
from dashboard.infra.db import session_scope
from dashboard.infra.models import PUBLISHED, ImportRun, Observation
from data import loaders
from data.readers import read_table, stream_table
from tests.integration.test_import import seed, table_counts, write

HEADER = "agency,service,metric,period,value,numerator,denominator,target,promise_en,note\n"
BATCH = 4


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def month(index: int) -> str:
    return f"{2015 + index // 12}-{index % 12 + 1:02d}"


def rows(count: int, value: str = "0.8") -> list[str]:
    """``count`` distinct results (one a month) of DMV's satisfaction."""
    return [f"DMV,,csat_overall,{month(i)},{value},,,,,\n" for i in range(count)]


def run(url: str, path: Path, **options: object) -> loaders.ImportReport:
    return loaders.import_observations(
        url, path, settings=Settings(database_url=url), batch_rows=BATCH, **options
    )


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """The records planned and the new observations written, per batch, as the import goes."""
    seen: dict[str, list[int]] = {"planned": [], "written": []}
    stored_keys, insert_observations = loaders._stored_keys, loaders._insert_observations

    def planning(session, records, *args):  # type: ignore[no-untyped-def]
        seen["planned"].append(len(records))
        return stored_keys(session, records, *args)

    def inserting(session, records, *args, **options):  # type: ignore[no-untyped-def]
        seen["written"].append(len(records))
        return insert_observations(session, records, *args, **options)

    monkeypatch.setattr(loaders, "_stored_keys", planning)
    monkeypatch.setattr(loaders, "_insert_observations", inserting)
    return seen


def test_no_more_than_a_batch_of_rows_is_planned_at_once(seeded, tmp_path, batches):
    path = write(tmp_path, "results.csv", HEADER + "".join(rows(30)))
    report = run(seeded, path, publish=True)
    assert report.ok, report.to_text()
    assert (report.rows_read, report.inserted) == (30, 30)
    assert max(batches["planned"]) <= BATCH
    assert sum(batches["planned"]) == 30 and len(batches["planned"]) == 8
    assert batches["written"] == batches["planned"]
    with session_scope(seeded) as session:
        stored = session.scalars(select(Observation)).all()
        runs = session.scalars(select(ImportRun)).all()
    assert len(stored) == 30 and {o.visibility for o in stored} == {PUBLISHED}
    assert {o.import_id for o in stored} == {report.import_id}
    assert [(r.status, r.rows_inserted) for r in runs] == [("succeeded", 30)]
    # Written past the ORM (COPY, or the driver's executemany), stored as the ORM stores:
    # the same text for the same time, on SQLite too.
    with session_scope(seeded) as session:
        stamps = session.execute(text("SELECT DISTINCT created_at, published_at FROM observations"))
        started = session.execute(text("SELECT started_at FROM imports")).scalar_one()
        days = session.execute(text("SELECT period_start FROM observations WHERE id = 1"))
    assert list(stamps) == [(started, started)]
    assert str(days.scalar_one()) == "2015-01-01"


def test_a_bad_cell_after_several_written_batches_writes_nothing(seeded, tmp_path, batches):
    lines = rows(30)
    lines[26] = f"DMV,,csat_overall,{month(26)},eighty,,,,,\n"  # line 28 of the file
    path = write(tmp_path, "results.csv", HEADER + "".join(lines))
    before = table_counts(seeded)

    report = run(seeded, path, publish=True)

    # Six batches were written in the import's transaction before the bad row was met.
    assert batches["written"] == [BATCH] * 6
    assert not report.ok
    assert [(p.file, p.row, p.column, p.value) for p in report.problems] == [
        ("results.csv", 28, "value", "eighty")
    ]
    assert "not a number" in report.problems[0].reason
    assert table_counts(seeded) == before
    with session_scope(seeded) as session:
        runs = session.scalars(select(ImportRun)).all()
    assert [(r.status, r.rows_inserted) for r in runs] == [("failed", 0)]
    assert runs[0].id == report.import_id and "eighty" in (runs[0].message or "")


def test_every_bad_cell_is_reported_though_writing_stopped_at_the_first(seeded, tmp_path):
    lines = rows(30)
    for index in (5, 17, 29):
        lines[index] = f"DMV,,csat_overall,{month(index)},140%,,,,,\n"
    path = write(tmp_path, "results.csv", HEADER + "".join(lines))
    report = run(seeded, path)
    assert [p.row for p in report.problems] == [7, 19, 31]
    assert table_counts(seeded)["observations"] == 0


def test_the_failed_run_counts_the_problems_beyond_those_listed(seeded, tmp_path, monkeypatch):
    # The report lists MAX_PROBLEMS at most and counts the rest: so does the failed run.
    monkeypatch.setattr(loaders, "MAX_PROBLEMS", 5)
    path = write(tmp_path, "results.csv", HEADER + "".join(rows(12, value="140%")))
    report = run(seeded, path)
    assert (len(report.problems), report.problem_count) == (5, 12)
    with session_scope(seeded) as session:
        failed = session.scalars(select(ImportRun)).one()
    assert (failed.message or "").startswith("12 problem(s); nothing was written.")


def test_a_key_repeated_batches_apart_is_a_duplicate(seeded, tmp_path):
    lines = rows(20)
    lines[17] = lines[1].replace("0.8", "0.7")  # line 19 repeats line 3's key
    path = write(tmp_path, "results.csv", HEADER + "".join(lines))
    before = table_counts(seeded)
    report = run(seeded, path)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(19, "value", "0.7")]
    assert "duplicate: row 3 already has" in report.problems[0].reason
    assert table_counts(seeded) == before


def test_keys_too_many_to_pack_are_still_compared(seeded, tmp_path, monkeypatch):
    # Two bits a key part: units, metrics and periods beyond the fourth are kept as tuples.
    monkeypatch.setattr(loaders._SeenKeys, "_BITS", (2, 2, 2, 2))
    lines = rows(12)
    lines.append(lines[1].replace("0.8", "0.7"))  # packed key, repeated
    lines.append(lines[9].replace("0.8", "0.6"))  # tuple key, repeated
    path = write(tmp_path, "results.csv", HEADER + "".join(lines))
    report = run(seeded, path)
    assert [(p.row, p.value) for p in report.problems] == [(14, "0.7"), (15, "0.6")]
    assert "row 3 already" in report.problems[0].reason
    assert "row 11 already" in report.problems[1].reason


def test_a_published_value_changed_batches_later_needs_publish(seeded, tmp_path):
    first = write(tmp_path, "first.csv", HEADER + "".join(rows(20)))
    assert run(seeded, first, publish=True).ok
    lines = rows(20)
    lines[18] = f"DMV,,csat_overall,{month(18)},0.5,,,,,\n"
    second = write(tmp_path, "second.csv", HEADER + "".join(lines))
    before = table_counts(seeded)

    report = run(seeded, second)

    assert [(p.row, p.column) for p in report.problems] == [(20, "value")]
    assert "needs --publish" in report.problems[0].reason
    assert table_counts(seeded) == before

    report = run(seeded, second, publish=True)
    assert report.ok, report.to_text()
    assert (report.inserted, report.revised, report.unchanged, report.revisions_kept) == (
        0,
        1,
        19,
        1,
    )


def test_a_dry_run_counts_every_batch_and_writes_nothing(seeded, tmp_path):
    path = write(tmp_path, "results.csv", HEADER + "".join(rows(30)))
    before = table_counts(seeded)
    report = run(seeded, path, dry_run=True)
    assert report.ok and report.inserted == 30 and report.import_id is None
    assert table_counts(seeded) == before


# -- the streaming reader reads what the whole-file reader reads ---------------------------

FILES = [
    pytest.param(
        b"\xef\xbb\xbfagency;metric;value\r\nDMV;csat;0,8\r\n\r\nDOR;csat;0,7\r\n"
        b"Total;;1,5\r\nExtracted 2024-05-01\r\n",
        id="bom-crlf-semicolons-blank-and-trailing-lines",
    ),
    pytest.param(
        b'agency,note,value\nDMV,"two\nlines",1\nDOR,"a ""quoted"" word",2\n\nDLI,x,3,extra\n',
        id="multiline-quoted-and-overlong",
    ),
    pytest.param(b"\n\nagency,value,\nDMV,1\nDOR,2,,\n", id="leading-blanks-short-rows"),
    pytest.param("agency,value\nDépartement,1\n".encode("cp1252"), id="windows-1252"),
    pytest.param(b"agency,value\nDMV,1\nDOR,2", id="no-final-newline"),
]


@pytest.mark.parametrize("data", FILES)
def test_the_stream_reads_what_the_whole_file_reader_reads(tmp_path, data):
    path = tmp_path / "table.csv"
    path.write_bytes(data)
    whole, stream = read_table(path), stream_table(path)
    assert (stream.header, stream.header_row, stream.checksum, stream.delimiter) == (
        whole.header,
        whole.header_row,
        whole.checksum,
        whole.delimiter,
    )
    assert (stream.notes, stream.overlong, len(stream)) == (whole.notes, whole.overlong, len(whole))
    assert list(stream.records()) == list(zip(whole.row_numbers.tolist(), whole.rows, strict=True))
