"""``cxdash import-targets`` and target history through both importers (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.infra.db import session_scope
from dashboard.infra.models import ImportRun, Metric, Target, Unit
from data.commands import import_targets_command
from data.targets_import import import_targets
from tests.integration.test_import import HEADER, run, seed, table_counts, write
from tests.integration.test_import_integrity import in_force_per_day

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "targets.csv"
COLUMNS = "agency,service,metric,kind,value,comparator,text_en,promise_en,effective_from\n"


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def targets(url: str) -> list[tuple]:
    with session_scope(url) as session:
        rows = session.scalars(select(Target).order_by(Target.effective_from, Target.id)).all()
        return [
            (t.value, t.effective_from, t.effective_to, t.visibility, t.superseded_at is not None)
            for t in rows
        ]


def assert_one_in_force_per_day(url: str, unit: str = "dmv", metric: str = "csat_overall"):
    days = in_force_per_day(url, unit, metric, dt.date(2023, 1, 1), dt.date(2026, 12, 31))
    assert all(len(values) <= 1 for values in days.values())


def test_the_documented_example_imports_and_twice_changes_nothing(seeded):
    first = import_targets(seeded, EXAMPLE, publish=True)
    assert first.ok, first.to_text()
    assert (first.rows_read, first.targets_created) == (4, 4)
    with session_scope(seeded) as session:
        stored = session.scalars(select(Target).order_by(Target.id)).all()
        shown = [(t.value, t.effective_from, t.effective_to, t.kind) for t in stored]
        assert stored[0].promise_es and stored[3].text_es == "Establecer línea de base"
    assert shown == [
        (0.8, dt.date(2023, 10, 1), dt.date(2024, 9, 30), "numeric"),
        (0.85, dt.date(2024, 10, 1), None, "numeric"),
        (0.9, dt.date(2023, 10, 1), None, "numeric"),
        (None, dt.date(2023, 10, 1), dt.date(2024, 9, 30), "baseline"),
    ]
    before = table_counts(seeded)
    again = import_targets(seeded, EXAMPLE, publish=True)
    assert again.ok and (again.targets_created, again.unchanged) == (0, 4)
    after = table_counts(seeded)
    assert after["targets"] == before["targets"]
    assert_one_in_force_per_day(seeded)


def test_every_problem_is_reported_with_row_column_and_value(seeded, tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        COLUMNS
        + "Nowhere,,csat_overall,,80%,,,,2024-01-01\n"
        + "DMV,,no_such_metric,,80%,,,,2024-01-01\n"
        + "DMV,,csat_overall,numeric,,,,,2024-01-01\n"
        + "DMV,,csat_overall,,140%,,,,2024-01-01\n"
        + "DMV,,csat_overall,,80%,~,,,2024-01-01\n"
        + "DMV,,csat_overall,,80%,,,,01/02/2024\n"
        + "DMV,,trust,text,,,,,2024-01-01\n"
        + f"DMV,,trust,text,,,{'x' * 400},,2024-02-01\n",
    )
    report = import_targets(seeded, path, publish=True)
    found = {(p.row, p.column) for p in report.problems}
    assert found == {
        (2, "agency"),
        (3, "metric"),
        (4, "value"),
        (5, "value"),
        (6, "comparator"),
        (7, "effective_from"),
        (8, "text_en"),
        (9, "text_en"),
    }, report.to_text()
    assert table_counts(seeded)["targets"] == 0
    with session_scope(seeded) as session:
        [failed] = session.scalars(select(ImportRun)).all()
    assert (failed.kind, failed.status) == ("targets", "failed")


def test_drafts_then_publication_and_corrections_keep_history(seeded, tmp_path):
    published = write(tmp_path, "a.csv", COLUMNS + "DMV,,csat_overall,,0.80,,,,2024-01-01\n")
    draft = write(tmp_path, "b.csv", COLUMNS + "DMV,,csat_overall,,0.85,,,,2024-01-01\n")
    assert import_targets(seeded, published, publish=True).ok
    assert import_targets(seeded, draft).ok
    assert targets(seeded) == [
        (0.8, dt.date(2024, 1, 1), None, "published", False),
        (0.85, dt.date(2024, 1, 1), None, "draft", False),
    ]
    report = import_targets(seeded, draft, publish=True)
    assert report.ok and report.targets_superseded == 1
    assert targets(seeded) == [
        (0.8, dt.date(2024, 1, 1), None, "published", True),
        (0.85, dt.date(2024, 1, 1), None, "published", False),
    ]
    with session_scope(seeded) as session:
        old, new = session.scalars(select(Target).order_by(Target.id)).all()
        assert old.superseded_by_id == new.id
    assert_one_in_force_per_day(seeded)


def test_a_results_file_draft_then_published_corrects_the_target(seeded, tmp_path):
    """The issue's case: draft 0.85 over a published 0.80 for the same start, then publish."""
    first = write(tmp_path, "r1.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,,80%,,\n")
    second = write(tmp_path, "r2.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,,85%,,\n")
    assert run(seeded, first, publish=True).ok
    assert run(seeded, second).ok
    assert run(seeded, second, publish=True).ok
    assert targets(seeded) == [
        (0.8, dt.date(2023, 10, 1), None, "published", True),
        (0.85, dt.date(2023, 10, 1), None, "published", False),
    ]
    assert_one_in_force_per_day(seeded)
    # Publishing directly a different target for the same start: the same history.
    third = write(tmp_path, "r3.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,,90%,,\n")
    assert run(seeded, third, publish=True).ok
    assert [t[0] for t in targets(seeded) if not t[4]] == [0.9]
    assert_one_in_force_per_day(seeded)


def test_a_draft_import_creates_draft_units_and_metrics_a_publishing_one_publishes_them(
    seeded, tmp_path
):
    mapping = write(
        tmp_path,
        "m.toml",
        'name = "New"\ncreate_missing = true\n[columns]\nagency = "Agency"\n'
        'service = "Office"\nperiod = "Month"\n[[measures]]\nmetric = "wait"\nvalue = "Wait"\n'
        '[metrics.wait]\nname_en = "Wait"\ndimension = "timeliness"\nscale = "minutes"\n'
        'direction = "lower"\nnorm_best = 0\nnorm_worst = 60\n',
    )
    data = write(tmp_path, "d.csv", "Agency,Office,Month,Wait\nParks,Downtown,2024-05,12\n")
    assert run(seeded, data, mapping_path=mapping).ok

    def visibilities() -> dict[str, str]:
        with session_scope(seeded) as session:
            units = session.execute(select(Unit.name_en, Unit.visibility)).all()
            metrics = session.execute(select(Metric.code, Metric.visibility)).all()
        return {name: v for name, v in [*units, *metrics] if name in ("Parks", "Downtown", "wait")}

    assert visibilities() == {"Parks": "draft", "Downtown": "draft", "wait": "draft"}
    assert run(seeded, data, mapping_path=mapping, publish=True).ok
    assert visibilities() == {"Parks": "published", "Downtown": "published", "wait": "published"}


def test_cli_json_and_dry_run(seeded, tmp_path):
    runner = CliRunner()
    env = {"DATABASE_URL": seeded}
    result = runner.invoke(import_targets_command, [str(EXAMPLE), "--dry-run"], env=env)
    assert result.exit_code == 0 and "Targets the import would write: 4 new" in result.output
    assert table_counts(seeded)["targets"] == 0
    result = runner.invoke(
        import_targets_command, [str(EXAMPLE), "--publish", "--format", "json"], env=env
    )
    payload = json.loads(result.output)
    assert result.exit_code == 0 and payload["kind"] == "targets"
    assert payload["counts"]["targets_created"] == 4 and payload["import_id"] is not None
