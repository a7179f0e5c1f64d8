"""A realistic multi-department service-standards file through the shipped Canada mapping.

tests/fixtures/service_standards_realistic.csv is shaped like the Government of Canada's
quarterly service-standards open data (five departments, several standards per service,
met and total volumes per quarter, "ND" cells, English and French names, a few cells with
more met than received). It is imported with ``cxdash import --publish`` and every stored
value is compared with what this test computes from the file itself with pandas: never
with numbers copied from the importer's output.

Each test runs on SQLite and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.infra.db import session_scope
from dashboard.infra.models import Metric, Observation, Target, Unit, UnitText
from data.commands import import_command

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "service_standards_realistic.csv"
MAPPING = ROOT / "data" / "mappings" / "service_standards_canada.toml"

#: The standard types the file uses and the metrics the mapping stores them as.
METRIC_OF_TYPE = {
    "Timeliness": "timeliness_standard",
    "Accuracy": "accuracy_standard",
    "Access": "access_standard",
}
UNIT_NAME_LIMIT = 300  # Unit.name_en is String(300)


def read_expected() -> pd.DataFrame:
    """The file's data rows as pandas reads them, with the line each row starts on."""
    frame = pd.read_csv(FIXTURE, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame = frame[frame["service_id"] != ""].reset_index(drop=True)  # the footer line
    # A record starts one line after the previous one, plus the line breaks in its fields.
    breaks = frame.apply(lambda row: sum(str(v).count("\n") for v in row), axis=1)
    frame["line"] = 2 + (1 + breaks).cumsum() - (1 + breaks)
    return frame


def volume(text: str) -> int | None:
    return None if text.strip().upper() == "ND" else int(text.replace(",", ""))


def quarter_start(fiscal_year: str, quarter: int) -> dt.date:
    """Canadian fiscal quarters: "2023-2024" runs from April 2023 to March 2024."""
    first_year = int(fiscal_year[:4])
    month = 4 + 3 * (quarter - 1)
    return dt.date(first_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def share(text: str) -> float:
    text = text.strip()
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


@pytest.fixture
def imported(db_url: str, monkeypatch) -> tuple[str, dict]:
    with session_scope(db_url) as session:
        session.add(Unit(slug="gc", kind="enterprise", name_en="Government of Canada"))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("FISCAL_YEAR_START_MONTH", "4")
    monkeypatch.setenv("FISCAL_YEAR_LABEL_STYLE", "canada")
    result = CliRunner().invoke(
        import_command,
        [str(FIXTURE), "--mapping", str(MAPPING), "--publish", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    return db_url, json.loads(result.output[result.output.index("{") :])


def stored_observations(url: str) -> dict[tuple[str, str, str, dt.date], Observation]:
    """(agency name, standard code, metric code, period start) -> observation."""
    with session_scope(url) as session:
        agency = Unit.__table__.alias("agency")
        # The agency's English name: a text row since names are stored per language.
        name = UnitText.__table__.alias("agency_name")
        rows = session.execute(
            select(Observation, name.c.text, Unit.code, Metric.code)
            .join(Unit, Unit.id == Observation.unit_id)
            .join(agency, agency.c.id == Unit.parent_id)
            .join(
                name,
                (name.c.owner_id == agency.c.id)
                & (name.c.language == "en")
                & (name.c.field == "name"),
            )
            .join(Metric, Metric.id == Observation.metric_id)
        ).all()
        return {
            (agency_name, code, metric, obs.period_start): obs
            for obs, agency_name, code, metric in rows
        }


def test_every_cell_of_the_realistic_file_is_stored_as_the_file_says(imported):
    url, report = imported
    expected = read_expected()
    stored = stored_observations(url)

    assert report["ok"] and report["problems"] == []
    assert report["counts"]["read"] == len(expected)
    assert len(stored) == 4 * len(expected)
    assert expected["department_name_en"].nunique() == 5

    impossible = set()
    checked = {"value": 0, "not_reported": 0, "impossible": 0}
    for row in expected.itertuples(index=False):
        code = f"{row.service_id}-{row.service_std_id}"
        metric = METRIC_OF_TYPE[row.service_std_type]
        for quarter in range(1, 5):
            met_text = getattr(row, f"q{quarter}_result")
            total_text = getattr(row, f"q{quarter}_volume")
            met, total = volume(met_text), volume(total_text)
            key = (row.department_name_en, code, metric, quarter_start(row.fiscal_yr, quarter))
            observation = stored.pop(key)
            assert observation.visibility == "published"
            got = (observation.raw_value, observation.numerator, observation.denominator)
            if met is not None and total is not None and met > total:
                # Impossible: not reported, with its reason kept internally.
                assert got == (None, None, None), key
                assert f"q{quarter}_result = {met_text!r}" in observation.internal_note
                assert "larger than the total volume" in observation.internal_note
                impossible.add((int(row.line), f"q{quarter}_result", met_text))
                checked["impossible"] += 1
            elif met is None or not total:
                # ND (or nothing received): not reported, never a zero.
                assert observation.raw_value is None and observation.score is None, key
                assert (observation.numerator, observation.denominator) == (met, total), key
                checked["not_reported"] += 1
            else:
                assert observation.raw_value == pytest.approx(met / total, abs=1e-6), key
                assert (observation.numerator, observation.denominator) == (met, total), key
                assert observation.score == pytest.approx(100 * met / total, abs=1e-4), key
                assert observation.internal_note is None
                checked["value"] += 1
    assert stored == {}  # nothing stored that the file does not hold
    assert checked["impossible"] == 4 and checked["not_reported"] > 10 and checked["value"] > 100

    # Each impossible cell is listed in the report, with its row, column and value.
    listed = {
        (note["row"], note["column"], note["value"])
        for note in report["cell_notes"]
        if note["action"] == "not_reported"
    }
    assert listed == impossible


def test_standards_are_units_named_from_the_file_with_their_targets(imported):
    url, report = imported
    expected = read_expected()
    with session_scope(url) as session:
        agencies = {
            unit.name_en: unit
            for unit in session.scalars(select(Unit).where(Unit.kind == "agency")).all()
        }
        standards = {
            (unit.parent_id, unit.code): unit
            for unit in session.scalars(select(Unit).where(Unit.kind == "service")).all()
        }
        targets = session.scalars(select(Target)).all()

    assert set(agencies) == set(expected["department_name_en"])
    keys = expected[["department_name_en", "service_id", "service_std_id"]].drop_duplicates()
    assert len(standards) == len(keys)
    truncated = set()
    for row in expected.itertuples(index=False):
        unit = standards[
            (agencies[row.department_name_en].id, f"{row.service_id}-{row.service_std_id}")
        ]
        name = " ".join(f"{row.service_name_en}: {row.service_std_en}".split())
        if len(name) > UNIT_NAME_LIMIT:
            assert unit.name_en == name[: UNIT_NAME_LIMIT - 1] + "…"
            truncated.add((int(row.line), name[:40]))
        else:
            assert unit.name_en == name
        # The target in force on the first day of the row's fiscal year is the row's.
        day = quarter_start(row.fiscal_yr, 1)
        in_force = [
            t
            for t in targets
            if t.unit_id == unit.id
            and t.visibility == "published"
            and getattr(t, "superseded_at", None) is None
            and t.effective_from <= day
            and (t.effective_to is None or t.effective_to >= day)
        ]
        assert [t.value for t in in_force] == [pytest.approx(share(row.service_std_target))]
        assert in_force[0].promise_en == row.service_std_en
    truncations = [n for n in report["cell_notes"] if n["action"] == "truncated"]
    assert {(n["row"], n["value"][:40]) for n in truncations} == truncated
    assert truncated  # the file has a standard too long for a unit name


def test_importing_the_realistic_file_again_changes_nothing(imported, monkeypatch):
    _, first = imported
    result = CliRunner().invoke(
        import_command,
        [str(FIXTURE), "--mapping", str(MAPPING), "--publish", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    again = json.loads(result.output[result.output.index("{") :])
    assert again["counts"]["inserted"] == 0 and again["counts"]["revised"] == 0
    assert again["counts"]["unchanged"] == first["counts"]["inserted"]
    assert again["units_created"] == [] and again["metrics_created"] == []
