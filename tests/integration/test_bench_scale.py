"""bench/scale.py's code paths on a tiny store, so that the benchmark cannot rot.

The build (migrations, demo, bulk-generated observations: executemany on SQLite, COPY on
PostgreSQL), the pages it times (each must answer 200, or the benchmark stops) and the table
it prints, with a row for every page. No figure is checked: speed is the benchmark's to print.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from bench import scale
from dashboard.infra import db
from dashboard.infra.models import PUBLISHED, Observation, Unit
from tests.conftest import POSTGRES_ADMIN_URL, unavailable

TINY = 2_000


def _postgres_reachable() -> None:
    engine = create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        unavailable("PostgreSQL at " + POSTGRES_ADMIN_URL, error)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_scale_benchmark_builds_times_and_prints_every_page(
    backend: str, tmp_path: Path
) -> None:
    if backend == "postgres":
        _postgres_reachable()
    with scale.store(backend, TINY, POSTGRES_ADMIN_URL, tmp_path) as url:
        report = scale.build_store(url, TINY)
        with db.session_scope(url) as session:
            published = session.scalar(
                select(func.count(Observation.id)).where(Observation.visibility == PUBLISHED)
            )
            services = session.scalar(
                select(func.count(Unit.id)).where(Unit.slug.like(f"{scale.PREFIX}-%"))
            )
        assert report.generated == TINY
        assert report.published == published == report.published_before + TINY
        assert services and report.units > services  # generated services beside the demo's
        timings = scale.measure(url, runs=1)  # stops (SystemExit) on any answer but a 200

    assert [timing.page for timing in timings] == list(scale.PAGES)
    for timing in timings:
        if timing.page != "API cursor deep":  # only once the API pages with a cursor
            assert timing.cold_ms is not None and timing.warm_ms is not None, timing
    printed = scale.table([(f"{TINY} {backend}", timings)])
    for page in scale.PAGES:
        assert re.search(rf"^\| {re.escape(page)} \| (?:[\d,]+ / [\d,]+|n/a) \|$", printed, re.M)


def test_main_prints_the_build_and_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scale.main(["--sizes", "2k", "--backends", "sqlite", "--runs", "1", "--folder", str(tmp_path)])
    out = capsys.readouterr().out
    assert re.search(r"^2k SQLite: built in [\d.]+ s .*2,000 generated rows", out, re.M), out
    assert "| page | 2k SQLite cold / warm |" in out
    for page in scale.PAGES:
        assert f"| {page} |" in out


def test_sizes_are_read_as_written() -> None:
    assert [scale.parse_size(s) for s in ("2000", "100k", "1M", "2.5M")] == [
        2_000,
        100_000,
        1_000_000,
        2_500_000,
    ]
    assert [scale.size_label(n) for n in (2_000, 100_000, 1_000_000, 10_000_000)] == [
        "2k",
        "100k",
        "1M",
        "10M",
    ]


def test_main_times_a_store_built_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--store``: a kept store is timed as it is, nothing built."""
    with scale.store("sqlite", TINY, POSTGRES_ADMIN_URL, tmp_path) as url:
        scale.build_store(url, TINY)
        before = scale._published(url)
        capsys.readouterr()
        scale.main(["--store", url, "--runs", "1"])
        assert scale._published(url) == before
    out = capsys.readouterr().out
    assert "built in" not in out
    assert f"| page | {before:,} SQLite cold / warm |" in out
    for page in scale.PAGES:
        assert re.search(rf"^\| {re.escape(page)} \| (?:[\d,]+ / [\d,]+|n/a) \|$", out, re.M)


def test_the_api_benchmark_times_every_query_on_a_tiny_store(tmp_path: Path, capsys) -> None:
    """bench/api.py's code paths (cxdash's side; datasette is the benchmark's own dependency,
    absent here): every query answers 200 (or it stops) and the table has a row for each,
    the cursor page found 90% in as a client following next links would hold it."""
    from bench import api

    store = tmp_path / "api.sqlite3"
    api.main(["--n", str(TINY), "--runs", "1", "--store", str(store), "--datasette", "/none"])
    printed = capsys.readouterr().out
    for label in api.QUERIES.values():
        # Cold and warm always; the next page only where there is one (n/a on one page).
        row = rf"\| {re.escape(label)} \| [\d.,]+ \| ([\d.,]+|n/a) \| [\d.,]+ \|"
        assert re.search(row, printed), (label, printed)
