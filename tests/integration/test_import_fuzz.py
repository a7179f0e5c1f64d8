"""Hypothesis-generated results files: random bad cells among good rows.

A valid long-format file (docs/import-format.md) of distinct results; hypothesis picks rows and
columns and puts bad values there (empty, words for numbers, out of range, impossible periods,
unknown codes, NUL, very long text, spreadsheet formulas, odd Unicode, line breaks, keys that
repeat another row's). Whatever it makes, ``cxdash import`` (``import_observations``):

- never raises: the answer is always a report;
- is all or nothing: the file imports whole (one observation for each row), or not a row of the
  store changes (only the failed run is recorded, in ``imports``);
- names, for every problem, the file, the row (a row that was changed, or the row it repeats),
  a column of the header and the value in that cell.

Bounded (a fixed number of derandomized examples, SQLite in a temporary folder) so that it is
the same quick run every time, in CI too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import string
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import Base, ImportRun
from data.loaders import import_observations
from tests.conftest import _fresh_schema
from tests.integration.test_import import seed

COLUMNS = [
    "agency",
    "service",
    "metric",
    "period",
    "value",
    "numerator",
    "denominator",
    "target",
    "promise_en",
    "note",
    "segment_type",
    "segment_value",
]
KEY_COLUMNS = ("agency", "service", "metric", "period", "segment_type", "segment_value")

#: Good rows: each a different (unit, metric, period, segment), so each is one observation.
GOOD_ROWS = [
    ["DMV", "Driver License Renewal", "csat_overall", "FY2024 Q1", "81%", "", "1,204", "80%",
     "We answer within 10 minutes", "checked by Ana", "", ""],
    ["DMV", "", "csat_overall", "FY2024 Q2", "0.79", "", "900", "", "", "", "channel", "Phone"],
    ["dmv", "vehicle-registration", "trust", "2024-03", "0.7", "", "", "", "", "", "", ""],
    ["Department of Revenue", "", "ease", "FY2024", "4.2", "", "300", "", "", "", "", ""],
    ["revenue", "", "service_level_60s", "2024-03", "", "780", "1000", "", "", "", "", ""],
    ["DOR", "tax-refunds", "avg_speed_answer", "FY2024 Q3", "95", "", "", "120", "", "", "", ""],
    ["dmv", "", "abandon_rate", "2024-04", "3.5%", "", "", "", "", "quiet month", "", ""],
    ["DMV", "", "contacts_received", "FY2023 Q4", "79,150", "", "", "", "", "", "", ""],
    ["dmv", "", "csat_overall", "2024-05", "ND", "", "", "", "", "", "", ""],
    ["revenue", "", "timeliness_standard", "FY2024 Q1", "0.91", "91", "100", "0.9",
     "Refunds within 21 days", "", "", ""],
]  # fmt: skip

BAD_VALUES = [
    "",
    " ",
    "eighty",
    "0.8.1",
    "140%",
    "-5",
    "1e309",
    "NaN",
    "inf",
    "FY2024 Q5",
    "2024-13",
    "2024-02-30",
    "31/31/2024",
    "Q0",
    "Dept of Magic",
    "happiness_index",
    "\x00",
    "0.8\x00",
    "x" * 5000,
    "9" * 400,
    '=HYPERLINK("http://example.com","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "-1+2",
    "\t=1",
    "٠٫٨",  # Arabic-Indic digits
    "０.８",  # fullwidth
    "\u202e18.0",  # right-to-left override
    "😀",
    "é" * 300,
    "line\nbreak",
    "carriage\rreturn",
    "\r\n",
    '"quoted"',
    ";",
]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Change:
    row: int  # index into the data rows
    column: str
    value: str | None  # None: copy the key of row ``source`` (a duplicate)
    source: int = 0


_cells = st.one_of(
    st.sampled_from(BAD_VALUES),
    st.text(max_size=40),
    st.text(alphabet=string.digits + ".,%-+eE ", max_size=12),
)


@st.composite
def changes(draw: st.DrawFn) -> list[Change]:
    made: list[Change] = []
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.integers(0, len(GOOD_ROWS) - 1))
        if draw(st.integers(0, 9)) == 0:
            other = draw(st.integers(0, len(GOOD_ROWS) - 2))
            source = other if other < row else other + 1
            made.append(Change(row, "key", None, source))
        else:
            made.append(Change(row, draw(st.sampled_from(COLUMNS)), draw(_cells)))
    return made


def build_rows(made: list[Change]) -> list[list[str]]:
    rows = [list(row) for row in GOOD_ROWS]
    for change in made:
        if change.value is None:
            for column in KEY_COLUMNS:
                index = COLUMNS.index(column)
                rows[change.row][index] = GOOD_ROWS[change.source][index]
        else:
            rows[change.row][COLUMNS.index(change.column)] = change.value
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> list[int]:
    """Write the file as spreadsheets do (CRLF, cells quoted when they must be); the line each
    data row starts on, as a text editor counts lines (a quoted cell may hold line breaks).

    (With a "\\n" line end, Python's csv module would leave a cell holding a lone "\\r"
    unquoted: a line break in the middle of the record, a file that means something else.)
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    lines: list[int] = []
    line = 2
    for row in rows:
        lines.append(line)
        writer.writerow(row)
        line += sum(len(_LINE_BREAK.findall(cell)) for cell in row) + 1
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return lines


def names_the_cell(value: str | None, cell: str) -> bool:
    """The reported value is the cell's text, or for a very long cell its beginning and "…"."""
    if value is None:
        return False
    if value.strip() == cell.strip():
        return True
    return value.endswith("…") and len(value) > 20 and cell.strip().startswith(value[:-1])


def fingerprint(url: str) -> str:
    """A hash of every row of every table but ``imports`` (where a failed run is recorded)."""
    digest = hashlib.sha256()
    with session_scope(url) as session:
        for table in Base.metadata.sorted_tables:
            if table.name == ImportRun.__tablename__:
                continue
            rows = session.execute(text(f"SELECT * FROM {table.name}")).all()
            for row in sorted(repr(tuple(row)) for row in rows):
                digest.update(row.encode("utf-8", "surrogatepass"))
            digest.update(f"|{table.name}:{len(rows)}|".encode())
    return digest.hexdigest()


def observation_count(url: str) -> int:
    with session_scope(url) as session:
        return len(session.execute(text("SELECT id FROM observations")).all())


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A seeded SQLite store (units and metrics of tests/integration/test_import.py)."""
    path = tmp_path_factory.mktemp("fuzz-template") / "seeded.sqlite3"
    url = f"sqlite:///{path}"
    _fresh_schema(url)
    seed(url)
    db.get_engine(url).dispose()
    return path


def test_the_good_file_imports_whole(template, tmp_path):
    store = tmp_path / "good.sqlite3"
    shutil.copyfile(template, store)
    url = f"sqlite:///{store}"
    path = tmp_path / "results.csv"
    write_csv(path, build_rows([]))
    report = import_observations(url, path, settings=Settings(database_url=url))
    assert report.ok, report.to_text()
    assert report.inserted == len(GOOD_ROWS) == observation_count(url)
    db.get_engine(url).dispose()


_counter = iter(range(10**9))


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(made=changes())
def test_bad_cells_among_good_rows_all_or_nothing_and_always_a_report(template, tmp_path, made):
    number = next(_counter)
    store = tmp_path / f"store-{number}.sqlite3"
    shutil.copyfile(template, store)
    url = f"sqlite:///{store}"
    rows = build_rows(made)
    path = tmp_path / f"fuzz-{number}.csv"
    lines = write_csv(path, rows)
    before = fingerprint(url)
    try:
        report = import_observations(url, path, settings=Settings(database_url=url), publish=True)
        assert report.to_text() and report.to_json()
        event("imported whole" if report.ok else "refused")
        with session_scope(url) as session:
            runs = session.scalars(select(ImportRun)).all()
        if report.ok:
            assert observation_count(url) == len(rows), report.to_text()
            assert [run.status for run in runs] == ["succeeded"]
            return
        assert report.problems
        assert fingerprint(url) == before, report.to_text()
        assert [run.status for run in runs] == ["failed"]
        changed = {change.row for change in made}
        changed |= {change.source for change in made if change.value is None}
        allowed_lines = {lines[row] for row in changed}
        for problem in report.problems:
            assert problem.file == path.name, problem
            assert problem.row in allowed_lines, (problem, allowed_lines)
            assert problem.column in COLUMNS, problem
            cell = rows[lines.index(problem.row)][COLUMNS.index(problem.column)]
            assert names_the_cell(problem.value, cell), problem
    finally:
        db.get_engine(url).dispose()
        store.unlink()


@pytest.mark.parametrize(
    ("column", "text"),
    [
        ("note", "checked\x00by Ana"),
        ("promise_en", "We answer\x00"),
        ("segment_value", "walk\x00in"),
        ("agency", "DMV\x00"),
    ],
)
def test_a_nul_in_a_text_cell_is_a_problem_of_its_row_on_every_store(
    db_url, tmp_path, column, text
):
    # PostgreSQL refuses NUL in any text and SQLite keeps it: either way the file is refused
    # with the row and column named, not at the final write with only the file's name.
    seed(db_url)
    rows = build_rows([Change(0, column, text)])
    if column == "segment_value":
        rows[0][COLUMNS.index("segment_type")] = "channel"
    path = tmp_path / "nul.csv"
    lines = write_csv(path, rows)
    before = fingerprint(db_url)
    report = import_observations(db_url, path, settings=Settings(database_url=db_url))
    assert [(p.row, p.column) for p in report.problems] == [(lines[0], column)], report.to_text()
    assert names_the_cell(report.problems[0].value, text)
    assert fingerprint(db_url) == before
