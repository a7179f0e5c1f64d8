"""Imports serialised and always reported (issue 8, point 7), and import-contacts never
overwriting another source's figures (point 10). SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import ImportRun, Metric, Observation, StoreLock, Target, Unit
from data.commands import import_command, import_contacts_command, import_targets_command
from data.contacts import import_contacts
from data.loaders import import_observations
from data.report import ImportReport
from data.store import database_problem, describe_database_error, lock_store
from data.targets_import import import_targets
from tests.integration.test_import import HEADER, seed, table_counts, write

TARGETS_HEADER = "agency,service,metric,kind,value,comparator,effective_from,effective_to\n"


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def observations_import(url: str, path: Path, **options) -> ImportReport:
    return import_observations(url, path, settings=Settings(database_url=url), **options)


def in_force_per_day(url: str, unit_slug: str, metric: str, first: dt.date, last: dt.date):
    """{day: [values of the targets in force]} for every day from ``first`` to ``last``."""
    with session_scope(url) as session:
        targets = session.scalars(
            select(Target)
            .join(Unit, Unit.id == Target.unit_id)
            .join(Metric, Metric.id == Target.metric_id)
            .where(Unit.slug == unit_slug, Metric.code == metric)
            .where(Target.visibility == "published", Target.superseded_at.is_(None))
        ).all()
    days = {}
    day = first
    while day <= last:
        days[day] = [
            t.value
            for t in targets
            if t.effective_from <= day and (t.effective_to is None or day <= t.effective_to)
        ]
        day += dt.timedelta(days=1)
    return days


# -- the store lock -----------------------------------------------------------------------


def test_lock_row_is_created_when_missing_and_taken_again(seeded):
    with session_scope(seeded) as session:
        assert session.scalars(select(StoreLock)).all() == []
        lock_store(session)
    with session_scope(seeded) as session:
        lock_store(session)
        assert [row.id for row in session.scalars(select(StoreLock))] == [1]


@pytest.mark.parametrize("round_number", range(3))
def test_two_imports_started_together_leave_one_target_in_force_per_day(
    seeded, tmp_path, round_number
):
    """A results file with targets and a targets file, for the same unit and metric."""
    results = write(
        tmp_path,
        "results.csv",
        HEADER
        + "DMV,,csat_overall,FY2024 Q1,0.8,,,80%,,\n"
        + "DMV,,csat_overall,FY2024 Q2,0.8,,,80%,,\n"
        + "DMV,,csat_overall,FY2024 Q3,0.8,,,85%,,\n",
    )
    targets = write(
        tmp_path,
        "targets.csv",
        TARGETS_HEADER
        + "DMV,,csat_overall,numeric,90%,>=,2023-10-01,\n"
        + "DMV,,csat_overall,numeric,70%,>=,2024-01-01,\n",
    )
    barrier = threading.Barrier(2)
    reports: dict[str, ImportReport] = {}

    def run(name: str, call) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        reports[name] = call()

    calls = {
        "results": lambda: observations_import(seeded, results, publish=True),
        "targets": lambda: import_targets(seeded, targets, publish=True),
    }
    if round_number % 2:
        calls = dict(reversed(list(calls.items())))
    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for report in reports.values():
        # Succeeded, or the documented failure (never a traceback).
        assert report.ok or report.status == "failed", report.to_text()
    assert any(report.ok for report in reports.values())
    days = in_force_per_day(
        seeded, "dmv", "csat_overall", dt.date(2023, 9, 1), dt.date(2025, 12, 31)
    )
    assert all(len(values) <= 1 for values in days.values()), [
        (day, values) for day, values in days.items() if len(values) > 1
    ]
    assert all(len(values) == 1 for day, values in days.items() if day >= dt.date(2023, 10, 1))
    with session_scope(seeded) as session:
        runs = session.scalars(select(ImportRun)).all()
    assert len(runs) == 2


def test_two_imports_creating_the_same_agency_create_it_once(seeded, tmp_path):
    mapping = write(
        tmp_path,
        "new.toml",
        'name = "New"\ncreate_missing = true\n[columns]\nagency = "Agency"\nperiod = "Month"\n'
        '[[measures]]\nmetric = "csat_overall"\nvalue = "Value"\n',
    )
    files = [
        write(tmp_path, f"f{n}.csv", f"Agency,Month,Value\nParks Department,2024-0{n},0.{n}\n")
        for n in (5, 6)
    ]
    barrier = threading.Barrier(2)
    reports: list[ImportReport] = []

    def run(path: Path) -> None:
        barrier.wait()
        reports.append(observations_import(seeded, path, mapping_path=mapping))

    threads = [threading.Thread(target=run, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(report.ok for report in reports), [r.to_text() for r in reports]
    with session_scope(seeded) as session:
        parks = session.scalars(select(Unit).where(Unit.name_en == "Parks Department")).all()
        assert len(parks) == 1
        count = len(
            session.scalars(select(Observation).where(Observation.unit_id == parks[0].id)).all()
        )
    assert count == 2


# -- database errors are reported -----------------------------------------------------------


LONG_NAME = "Agency " + "x" * 9_993  # 10,000 characters


def long_name_files(tmp_path: Path) -> tuple[Path, Path]:
    mapping = write(
        tmp_path,
        "create.toml",
        'name = "Create"\ncreate_missing = true\n[columns]\nagency = "Agency"\n'
        'period = "Month"\n[[measures]]\nmetric = "csat_overall"\nvalue = "Value"\n',
    )
    data = write(tmp_path, "long.csv", f"Agency,Month,Value\n{LONG_NAME},2024-05,0.8\n")
    return data, mapping


def test_a_value_too_long_is_reported_by_the_dry_run_and_the_real_run(seeded, tmp_path):
    data, mapping = long_name_files(tmp_path)
    before = table_counts(seeded)
    dry = observations_import(seeded, data, mapping_path=mapping, dry_run=True)
    assert not dry.ok
    [problem] = dry.problems
    assert (problem.file, problem.row, problem.column) == ("long.csv", 2, "Agency")
    assert (problem.value or "").startswith("Agency xxx")
    assert "10,000 characters" in problem.reason and "at most 300" in problem.reason

    real = observations_import(seeded, data, mapping_path=mapping, publish=True)
    assert [(p.row, p.column) for p in real.problems] == [(2, "Agency")]
    after = table_counts(seeded)
    assert after["units"] == before["units"] and after["observations"] == before["observations"]
    with session_scope(seeded) as session:
        [failed] = session.scalars(select(ImportRun)).all()
    assert failed.status == "failed" and "at most 300" in (failed.message or "")


def test_the_cli_reports_a_value_too_long_in_text_and_json(seeded, tmp_path):
    data, mapping = long_name_files(tmp_path)
    runner = CliRunner()
    env = {"DATABASE_URL": seeded}
    result = runner.invoke(import_command, [str(data), "--mapping", str(mapping)], env=env)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit | None)
    assert "long.csv, row 2, column 'Agency'" in result.output and "Traceback" not in result.output
    result = runner.invoke(
        import_command, [str(data), "--mapping", str(mapping), "--format", "json"], env=env
    )
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["status"] == "failed" and payload["problems"][0]["column"] == "Agency"


def test_postgres_value_too_long_error_names_the_column(postgres_url):
    """The last net: a write PostgreSQL refuses becomes a problem naming column and limit."""
    report = ImportReport(file="f.csv")
    try:
        with session_scope(postgres_url) as session:
            session.add(Unit(slug="s", kind="agency", name_en=LONG_NAME))
            session.flush()
    except Exception as error:  # the error under test
        database_problem(report, error)
    [problem] = report.problems
    assert problem.column == "units.name_en"
    assert "at most 300 characters" in problem.reason and "10000" in problem.reason


def test_a_read_only_sqlite_store_gives_the_report_not_a_traceback(tmp_path):
    source = tmp_path / "store.sqlite3"
    url = f"sqlite:///{source}"
    db.get_engine(url)
    from dashboard.infra.models import Base

    Base.metadata.create_all(db.get_engine(url))
    seed(url)
    db.get_engine(url).dispose()
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(source, copy)
    read_only = f"sqlite:///file:{copy}?mode=ro&uri=true"
    data = write(tmp_path, "ok.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,,80%,,\n")
    runner = CliRunner()
    result = runner.invoke(
        import_command, [str(data), "--publish"], env={"DATABASE_URL": read_only}
    )
    assert result.exit_code == 1, result.output
    assert "the store is read-only" in result.output and "Traceback" not in result.output
    assert "the failed run could not be recorded" in result.output
    # A dry run only reads: it works on a read-only store.
    result = runner.invoke(
        import_command, [str(data), "--dry-run"], env={"DATABASE_URL": read_only}
    )
    assert result.exit_code == 0, result.output
    targets = write(tmp_path, "t.csv", TARGETS_HEADER + "DMV,,csat_overall,,80%,,2024-01-01,\n")
    result = runner.invoke(
        import_targets_command, [str(targets), "--format", "json"], env={"DATABASE_URL": read_only}
    )
    assert result.exit_code == 1
    assert "read-only" in json.loads(result.output)["problems"][0]["reason"]
    db.dispose_all()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("command", ["import", "import-contacts", "import-targets"])
def test_a_postgres_server_that_is_gone_gives_the_report(tmp_path, command):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/cxdash?connect_timeout=3"
    files = {
        "import": (import_command, HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,,,,\n"),
        "import-contacts": (
            import_contacts_command,
            "id,agency,channel,received,first_response\n1,DMV,email,2024-11-25 09:00,\n",
        ),
        "import-targets": (
            import_targets_command,
            TARGETS_HEADER + "DMV,,csat_overall,,80%,,2024-01-01,\n",
        ),
    }
    click_command, text = files[command]
    data = write(tmp_path, "gone.csv", text)
    runner = CliRunner()
    for output_format in ("text", "json"):
        result = runner.invoke(
            click_command, [str(data), "--format", output_format], env={"DATABASE_URL": url}
        )
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        if output_format == "json":
            payload = json.loads(result.output)
            assert payload["status"] == "failed"
            assert "cannot be reached" in payload["problems"][0]["reason"]
        else:
            assert "the store cannot be reached" in result.output
    db.dispose_all()


def test_database_errors_are_described_in_plain_words():
    import sqlite3

    from sqlalchemy.exc import OperationalError

    def described(message: str) -> str:
        error = OperationalError("INSERT", {}, sqlite3.OperationalError(message))
        return describe_database_error(error)[0]

    assert described("database or disk is full").startswith("the store's disk is full")
    assert described("attempt to write a readonly database").startswith("the store is read-only")
    assert described("database is locked").startswith("another import kept the store busy")
    assert described("no such table: units").startswith("the store has no schema")


# -- import-contacts never overwrites another source ----------------------------------------


def test_import_contacts_leaves_a_published_contacts_received_figure_alone(seeded, tmp_path):
    results = write(
        tmp_path,
        "results.csv",
        HEADER + "DMV,,contacts_received,2024-11,79150,,,,,\n",
    )
    assert observations_import(seeded, results, publish=True).ok
    contacts = write(
        tmp_path,
        "contacts.csv",
        "id,agency,channel,received,first_response\n"
        + "".join(f"m{n},DMV,email,2024-11-25 09:00,2024-11-25 10:00\n" for n in range(5)),
    )
    report = import_contacts(seeded, contacts, settings=Settings(database_url=seeded), publish=True)
    assert report.ok, report.to_text()
    with session_scope(seeded) as session:
        figures = {
            (code, o.segment_value): o.raw_value
            for o, code in session.execute(
                select(Observation, Metric.code).join(Metric, Metric.id == Observation.metric_id)
            )
        }
    assert figures[("contacts_received", "")] == 79150
    assert figures[("messages_received", "")] == 5


def test_import_contacts_refuses_to_change_a_figure_from_another_source(seeded, tmp_path):
    results = write(tmp_path, "results.csv", HEADER + "DMV,,ack_within_1bd,2024-11,0.5,,,,,\n")
    contacts = write(
        tmp_path,
        "contacts.csv",
        "id,agency,channel,received,first_response\n"
        "m1,DMV,email,2024-11-25 09:00,2024-11-25 10:00\n",
    )
    # The metric must exist for the results import: create it through a first contacts run.
    first = import_contacts(seeded, contacts, settings=Settings(database_url=seeded), publish=True)
    assert first.ok
    with session_scope(seeded) as session:
        session.query(Observation).delete()
    assert observations_import(seeded, results, publish=True).ok
    report = import_contacts(seeded, contacts, settings=Settings(database_url=seeded), publish=True)
    assert not report.ok
    [problem] = [p for p in report.problems if "another source" in p.reason]
    assert "ack_within_1bd of Department of Motor Vehicles" in problem.reason
    assert "2024-11-01 to 2024-11-30" in problem.reason and "'observations'" in problem.reason
    assert observations_of(seeded, "ack_within_1bd") == [0.5]


def observations_of(url: str, code: str) -> list[float | None]:
    with session_scope(url) as session:
        return list(
            session.scalars(
                select(Observation.raw_value)
                .join(Metric, Metric.id == Observation.metric_id)
                .where(Metric.code == code, Observation.segment_type == "")
            )
        )
