"""``cxdash import``: every problem reported with its place, all or nothing, revisions kept.

Each test runs on SQLite and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select

from dashboard.core.settings import Settings
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    PUBLISHED,
    ImportRun,
    Metric,
    Observation,
    ObservationRevision,
    Target,
    Unit,
)
from data.commands import import_command
from data.loaders import import_observations

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
MAPPINGS = ROOT / "data" / "mappings"

METRICS = [
    # code, scale, direction, best, worst
    ("csat_overall", "fraction", "higher", None, None),
    ("trust", "fraction", "higher", None, None),
    ("ease", "mean_1_5", "higher", None, None),
    ("timeliness_standard", "fraction", "higher", None, None),
    ("service_level_60s", "percent", "higher", None, None),
    ("avg_speed_answer", "seconds", "lower", 0.0, 600.0),
    ("abandon_rate", "percent", "lower", None, None),
    ("contacts_received", "count", "higher", None, None),
]


def seed(url: str) -> None:
    """Two agencies with services, and the metrics the example mappings use."""
    with session_scope(url) as session:
        enterprise = Unit(slug="enterprise", kind="enterprise", name_en="State of Example")
        session.add(enterprise)
        session.flush()
        dmv = Unit(
            slug="dmv",
            kind="agency",
            code="DMV",
            name_en="Department of Motor Vehicles",
            name_es="Departamento de Vehículos Motorizados",
            parent_id=enterprise.id,
        )
        revenue = Unit(
            slug="revenue",
            kind="agency",
            code="DOR",
            name_en="Department of Revenue",
            parent_id=enterprise.id,
        )
        session.add_all([dmv, revenue])
        session.flush()
        session.add_all(
            [
                Unit(
                    slug="driver-license-renewal",
                    kind="service",
                    code="DMV-DLR",
                    name_en="Driver License Renewal",
                    parent_id=dmv.id,
                ),
                Unit(
                    slug="vehicle-registration",
                    kind="service",
                    name_en="Vehicle Registration",
                    parent_id=dmv.id,
                ),
                Unit(
                    slug="tax-refunds",
                    kind="service",
                    name_en="Individual Income Tax Refunds",
                    parent_id=revenue.id,
                ),
            ]
        )
        for code, scale, direction, best, worst in METRICS:
            session.add(
                Metric(
                    code=code,
                    name_en=code.replace("_", " "),
                    dimension="satisfaction",
                    scale=scale,
                    direction=direction,
                    norm_best=best,
                    norm_worst=worst,
                    is_survey=code in ("csat_overall", "trust", "ease"),
                )
            )


def table_counts(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Observation, ObservationRevision, Target, Unit, Metric)
        }


def observation(
    url: str, unit_slug: str, metric: str, start: dt.date, segment: str = ""
) -> Observation:
    with session_scope(url) as session:
        return session.execute(
            select(Observation)
            .join(Unit, Unit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(
                Unit.slug == unit_slug,
                Metric.code == metric,
                Observation.period_start == start,
                Observation.segment_value == segment,
            )
        ).scalar_one()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


HEADER = "agency,service,metric,period,value,numerator,denominator,target,promise_en,note\n"


def run(url: str, path: Path, **options) -> object:
    return import_observations(url, path, settings=Settings(database_url=url), **options)


# -- the long format ----------------------------------------------------------------------


def test_long_format_stores_values_scores_and_a_target(seeded, tmp_path):
    path = write(
        tmp_path,
        "results.csv",
        HEADER
        + 'DMV,Driver License Renewal,csat_overall,FY2024 Q1,81%,,"1,204",80%,'
        + "We answer within 10 minutes,checked by Ana\n"
        + "Department of Revenue,,ease,FY2024,4.2,,300,,,\n"
        + "revenue,,service_level_60s,2024-03,,780,1000,,,\n"
        + "dmv,,csat_overall,2024-03,ND,,,,,\n",
    )
    report = run(seeded, path)
    assert report.ok, report.to_text()
    assert (report.rows_read, report.inserted, report.targets_created) == (4, 4, 1)

    csat = observation(seeded, "driver-license-renewal", "csat_overall", dt.date(2023, 10, 1))
    assert csat.raw_value == pytest.approx(0.81)
    assert csat.score == pytest.approx(81.0)
    assert (csat.denominator, csat.granularity, csat.period_end) == (
        1204,
        "quarter",
        dt.date(2023, 12, 31),
    )
    assert csat.visibility == "draft" and csat.published_at is None
    assert csat.internal_note == "checked by Ana"
    assert csat.import_id == report.import_id

    ease = observation(seeded, "revenue", "ease", dt.date(2023, 10, 1))
    assert (ease.granularity, ease.raw_value, ease.score) == ("fiscal_year", 4.2, 80.0)
    derived = observation(seeded, "revenue", "service_level_60s", dt.date(2024, 3, 1))
    assert derived.raw_value == pytest.approx(78.0)  # 780 / 1000 on a percent metric
    not_reported = observation(seeded, "dmv", "csat_overall", dt.date(2024, 3, 1))
    assert not_reported.raw_value is None and not_reported.score is None

    with session_scope(seeded) as session:
        target = session.scalars(select(Target)).one()
        run_row = session.get(ImportRun, report.import_id)
    assert (target.value, target.comparator, target.kind) == (0.8, ">=", "numeric")
    assert target.effective_from == dt.date(2023, 10, 1) and target.effective_to is None
    assert target.promise_en == "We answer within 10 minutes"
    assert target.visibility == "draft"
    assert (run_row.status, run_row.rows_read, run_row.rows_inserted) == ("succeeded", 4, 4)
    assert run_row.checksum == report.checksum and len(run_row.checksum) == 64


# -- every class of bad input: reported with its place, nothing written --------------------

BAD_INPUTS = [
    pytest.param(
        "Dept of Magic,,csat_overall,FY2024 Q1,0.8,,,,,\n",
        ("agency", "Dept of Magic", "unknown agency"),
        id="unknown-agency",
    ),
    pytest.param(
        "DMV,Passports,csat_overall,FY2024 Q1,0.8,,,,,\n",
        ("service", "Passports", "unknown service"),
        id="unknown-service",
    ),
    pytest.param(
        "DMV,,happiness_index,FY2024 Q1,0.8,,,,,\n",
        ("metric", "happiness_index", "unknown metric"),
        id="unknown-metric",
    ),
    pytest.param(
        "DMV,,csat_overall,FY2024 Q1,eighty,,,,,\n",
        ("value", "eighty", "not a number"),
        id="unparseable-value",
    ),
    pytest.param(
        "DMV,,csat_overall,FY2024 Q1,140%,,,,,\n",
        ("value", "140%", "outside the fraction"),
        id="percentage-over-100",
    ),
    pytest.param(
        "DMV,,ease,FY2024 Q1,6,,,,,\n",
        ("value", "6", "outside the 1-5 mean range"),
        id="mean-of-6",
    ),
    pytest.param(
        "DMV,,csat_overall,FY2024 Q1,81,,,,,\n",
        ("value", "81", 'value_format = "percent"'),
        id="percent-without-sign-on-a-fraction-metric",
    ),
    pytest.param(
        "DMV,,csat_overall,FY2024 Q5,0.8,,,,,\n",
        ("period", "FY2024 Q5", "quarter"),
        id="bad-quarter",
    ),
    pytest.param(
        "DMV,,csat_overall,2024-13,0.8,,,,,\n",
        ("period", "2024-13", "not a period"),
        id="bad-month",
    ),
    pytest.param(
        'DMV,,csat_overall,FY2024 Q1,0.8,,"1,2",,,\n',
        ("denominator", "1,2", "not a number"),
        id="bad-thousands-separator",
    ),
    pytest.param(
        "DMV,,csat_overall,FY2024 Q1,,120,100,,,\n",
        ("numerator", "120", "larger than the total"),
        id="met-volume-above-total",
    ),
    pytest.param(
        "DMV,,csat_overall,FY2024 Q1,0.9,50,100,,,\n",
        ("value", "0.9", "the volumes give"),
        id="value-disagrees-with-volumes",
    ),
    pytest.param(
        "DMV,,csat_overall,FY2024 Q1,0.8,,,1.5,,\n",
        ("target", "1.5", "outside the fraction"),
        id="target-out-of-range",
    ),
    pytest.param(
        ",,csat_overall,FY2024 Q1,0.8,,,,,\n",
        ("agency", "", "the agency is empty"),
        id="empty-agency",
    ),
]


@pytest.mark.parametrize(("line", "expected"), BAD_INPUTS)
def test_bad_value_is_reported_with_file_row_column_value_and_nothing_is_written(
    seeded, tmp_path, line, expected
):
    before = table_counts(seeded)
    good = "DMV,,trust,FY2024 Q1,0.7,,,,,\n"
    path = write(tmp_path, "bad.csv", HEADER + good + line)
    report = run(seeded, path, publish=True)

    assert not report.ok
    assert len(report.problems) == 1, report.to_text()
    problem = report.problems[0]
    column, value, reason = expected
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "bad.csv",
        3,
        column,
        value,
    )
    assert reason in problem.reason
    assert table_counts(seeded) == before
    with session_scope(seeded) as session:
        failed = session.scalars(select(ImportRun)).one()
    assert failed.status == "failed" and "nothing was written" in failed.message
    assert report.import_id == failed.id


def test_missing_required_column_is_reported_on_the_header_row(seeded, tmp_path):
    path = write(tmp_path, "nometric.csv", "agency,period,value\nDMV,FY2024 Q1,0.8\n")
    report = run(seeded, path)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (1, "metric", "required column is missing from the header")
    ]
    assert table_counts(seeded)["observations"] == 0


def test_duplicate_key_rows_in_one_file(seeded, tmp_path):
    path = write(
        tmp_path,
        "dupes.csv",
        HEADER
        + "DMV,,csat_overall,FY2024 Q1,0.8,,,,,\n"
        + "DMV,,csat_overall,2024-03,0.7,,,,,\n"
        + "dmv,,CSAT_OVERALL,FY2024 Q1,0.81,,,,,\n",
    )
    report = run(seeded, path)
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.row, problem.column, problem.value) == (4, "value", "0.81")
    assert "row 2 already has" in problem.reason
    assert table_counts(seeded)["observations"] == 0


def test_every_problem_in_the_file_is_collected(seeded, tmp_path):
    path = write(
        tmp_path,
        "many.csv",
        HEADER
        + "Nowhere,,csat_overall,FY2024 Q1,0.8,,,,,\n"
        + "DMV,,csat_overall,FY2024 Q1,abc,,xyz,,,\n"
        + "DMV,,ease,sometime,4,,,,,\n"
        + "DMV,,trust,FY2024 Q1,0.8,,,,,\n",
    )
    report = run(seeded, path)
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "agency"),
        (3, "value"),
        (3, "denominator"),
        (4, "period"),
    ]
    assert table_counts(seeded)["observations"] == 0


def test_one_bad_row_among_a_hundred_writes_nothing(seeded, tmp_path):
    lines = [
        f"DMV,,csat_overall,{2000 + i // 12}-{i % 12 + 1:02d},0.{50 + i % 40},,,,,\n"
        for i in range(99)
    ]
    lines.insert(57, "DMV,,csat_overall,2031-01,1.07,,,,,\n")
    path = write(tmp_path, "hundred.csv", HEADER + "".join(lines))
    report = run(seeded, path)
    assert report.rows_read == 100
    assert [(p.row, p.value) for p in report.problems] == [(59, "1.07")]
    assert table_counts(seeded)["observations"] == 0

    del lines[57]
    path = write(tmp_path, "hundred.csv", HEADER + "".join(lines))
    report = run(seeded, path)
    assert report.ok and report.inserted == 99
    assert table_counts(seeded)["observations"] == 99


def test_bad_mapping_is_reported_and_nothing_written(seeded, tmp_path):
    mapping = write(
        tmp_path,
        "broken.toml",
        'name = "Broken"\ncolour = "blue"\n[columns]\nagency = "Agency"\nperiod = "Period"\n'
        '[[measures]]\nvalue = "Value"\nvalue_format = "percentish"\n',
    )
    path = write(tmp_path, "data.csv", "Agency,Period,Value\nDMV,2024-03,80\n")
    report = run(seeded, path, mapping_path=mapping)
    reasons = [p.reason for p in report.problems]
    assert all(p.file == "broken.toml" for p in report.problems)
    assert any("colour" in reason for reason in reasons)
    assert any("value_format" in reason for reason in reasons)
    assert any("no metric" in reason for reason in reasons)
    assert table_counts(seeded)["observations"] == 0


# -- re-imports, revisions and publication -------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(seeded, tmp_path):
    path = write(
        tmp_path,
        "q.csv",
        HEADER
        + "DMV,,csat_overall,FY2024 Q1,0.8,,100,0.75,Promise,\n"
        + "DMV,,csat_overall,FY2024 Q2,0.82,,100,0.75,Promise,\n",
    )
    first = run(seeded, path, publish=True)
    assert first.ok and first.inserted == 2 and first.targets_created == 1
    counts = table_counts(seeded)
    stored = observation(seeded, "dmv", "csat_overall", dt.date(2023, 10, 1))

    second = run(seeded, path, publish=True)
    assert second.ok, second.to_text()
    assert (second.inserted, second.revised, second.unchanged) == (0, 0, 2)
    assert second.targets_created == 0 and second.revisions_kept == 0
    assert any("imported before" in note for note in second.notes)
    assert table_counts(seeded) == counts
    again = observation(seeded, "dmv", "csat_overall", dt.date(2023, 10, 1))
    assert (again.import_id, again.updated_at) == (stored.import_id, stored.updated_at)


def test_changed_published_value_keeps_the_earlier_value_as_a_revision(seeded, tmp_path):
    original = write(tmp_path, "v1.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n")
    first = run(seeded, original, publish=True)
    assert first.ok
    published = observation(seeded, "dmv", "csat_overall", dt.date(2023, 10, 1))
    assert published.visibility == PUBLISHED and published.published_at is not None

    corrected = write(tmp_path, "v2.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.78,,100,,,\n")
    # Without --publish a published figure cannot change: refused, nothing written.
    refused = run(seeded, corrected)
    assert not refused.ok
    assert "needs --publish" in refused.problems[0].reason
    assert refused.problems[0].row == 2
    assert observation(seeded, "dmv", "csat_overall", dt.date(2023, 10, 1)).raw_value == 0.8

    revised = run(seeded, corrected, publish=True)
    assert revised.ok, revised.to_text()
    assert (revised.revised, revised.revisions_kept) == (1, 1)
    current = observation(seeded, "dmv", "csat_overall", dt.date(2023, 10, 1))
    assert current.raw_value == 0.78 and current.visibility == PUBLISHED
    assert current.import_id == revised.import_id
    with session_scope(seeded) as session:
        revision = session.scalars(select(ObservationRevision)).one()
    assert revision.observation_id == current.id
    assert (revision.raw_value, revision.denominator, revision.score) == (0.8, 100, 80.0)
    assert revision.import_id == revised.import_id
    assert revision.revised_at is not None

    # Importing the corrected file again is a no-op: no second revision.
    again = run(seeded, corrected, publish=True)
    assert again.unchanged == 1 and table_counts(seeded)["observation_revisions"] == 1


def test_published_value_is_never_downgraded_to_draft(seeded, tmp_path):
    path = write(tmp_path, "p.csv", HEADER + "DMV,,trust,FY2024 Q1,0.7,,,,,\n")
    assert run(seeded, path, publish=True).ok
    report = run(seeded, path)  # same values, no --publish
    assert report.ok and report.unchanged == 1
    assert observation(seeded, "dmv", "trust", dt.date(2023, 10, 1)).visibility == PUBLISHED


def test_draft_is_overwritten_without_revision_and_published_later(seeded, tmp_path):
    draft = write(tmp_path, "d1.csv", HEADER + "DMV,,trust,FY2024 Q1,0.7,,,,,\n")
    assert run(seeded, draft).ok
    changed = write(tmp_path, "d2.csv", HEADER + "DMV,,trust,FY2024 Q1,0.72,,,,,\n")
    report = run(seeded, changed)
    assert report.ok and (report.revised, report.revisions_kept) == (1, 0)
    stored = observation(seeded, "dmv", "trust", dt.date(2023, 10, 1))
    assert stored.raw_value == 0.72 and stored.visibility == "draft"
    assert table_counts(seeded)["observation_revisions"] == 0

    published = run(seeded, changed, publish=True)
    assert published.ok and (published.unchanged, published.published) == (1, 1)
    stored = observation(seeded, "dmv", "trust", dt.date(2023, 10, 1))
    assert stored.visibility == PUBLISHED and stored.published_at is not None


def test_a_changed_target_starts_a_new_target_and_ends_the_old_one(seeded, tmp_path):
    path = write(
        tmp_path,
        "targets.csv",
        HEADER
        + "DMV,,csat_overall,FY2024 Q1,0.8,,,75%,Old promise,\n"
        + "DMV,,csat_overall,FY2024 Q2,0.8,,,75%,,\n"
        + "DMV,,csat_overall,FY2024 Q3,0.8,,,80%,,\n"
        + "DMV,,csat_overall,FY2024 Q4,0.8,,,80%,New promise,\n",
    )
    report = run(seeded, path, publish=True)
    assert report.ok and report.targets_created == 3, report.to_text()
    with session_scope(seeded) as session:
        targets = session.scalars(select(Target).order_by(Target.effective_from)).all()
    shown = [(t.value, t.effective_from, t.effective_to, t.promise_en) for t in targets]
    assert shown == [
        (0.75, dt.date(2023, 10, 1), dt.date(2024, 3, 31), "Old promise"),
        # A new target level keeps the promise it does not restate...
        (0.8, dt.date(2024, 4, 1), dt.date(2024, 6, 30), "Old promise"),
        # ...and a new promise text is a new target from its period.
        (0.8, dt.date(2024, 7, 1), None, "New promise"),
    ]
    assert all(t.visibility == PUBLISHED for t in targets)


def test_dry_run_writes_nothing_but_reports_what_would_happen(seeded, tmp_path):
    path = write(tmp_path, "dry.csv", HEADER + "DMV,,trust,FY2024 Q1,0.7,,,0.6,,\n")
    before = table_counts(seeded)
    report = run(seeded, path, dry_run=True)
    assert report.ok and report.status == "dry_run" and report.import_id is None
    assert (report.inserted, report.targets_created) == (1, 1)
    assert table_counts(seeded) == before
    with session_scope(seeded) as session:
        assert session.scalar(select(func.count()).select_from(ImportRun)) == 0
    assert "nothing was written" in report.to_text()


def test_dry_run_of_a_bad_file_records_no_failed_run(seeded, tmp_path):
    path = write(tmp_path, "dry.csv", HEADER + "DMV,,trust,FY2024 Q1,7,,,,,\n")
    report = run(seeded, path, dry_run=True)
    assert not report.ok
    with session_scope(seeded) as session:
        assert session.scalar(select(func.count()).select_from(ImportRun)) == 0


# -- the example mappings -----------------------------------------------------------------


def test_a11_example_imports(seeded):
    report = run(
        seeded,
        EXAMPLES / "a11_quarterly_cx.csv",
        mapping_path=MAPPINGS / "a11_quarterly_cx.toml",
    )
    assert report.ok, report.to_text()
    assert (report.rows_read, report.inserted) == (12, 12)
    assert any("Report generated" in note for note in report.notes)
    # FY2025 Q1 is October-December 2024 with the federal calendar (the default).
    satisfaction = observation(
        seeded, "driver-license-renewal", "csat_overall", dt.date(2024, 10, 1)
    )
    assert (satisfaction.raw_value, satisfaction.denominator, satisfaction.response_rate) == (
        pytest.approx(0.812),
        1204,
        pytest.approx(0.12),
    )
    ease = observation(seeded, "tax-refunds", "ease", dt.date(2024, 10, 1))
    assert ease.raw_value == 3.64 and ease.score == pytest.approx(66.0)
    suppressed = observation(seeded, "vehicle-registration", "trust", dt.date(2024, 10, 1))
    assert suppressed.raw_value is None and suppressed.denominator == 18


def standard(url: str, agency_slug: str, code: str) -> Unit:
    """The service standard (a unit of kind service) with this code under the agency."""
    with session_scope(url) as session:
        agency = session.scalars(select(Unit).where(Unit.slug == agency_slug)).one()
        return session.scalars(
            select(Unit).where(Unit.parent_id == agency.id, Unit.code == code)
        ).one()


def standard_observation(
    url: str, agency_slug: str, code: str, metric: str, start: dt.date
) -> Observation:
    return observation(url, standard(url, agency_slug, code).slug, metric, start)


def test_service_standards_example_imports(seeded):
    report = run(
        seeded,
        EXAMPLES / "service_standards.csv",
        mapping_path=MAPPINGS / "service_standards.toml",
        publish=True,
    )
    assert report.ok, report.to_text()
    # Five standards of three services: each standard is a unit found by its key.
    assert (report.rows_read, report.inserted, report.targets_created) == (5, 20, 5)
    assert len(report.units_created) == 5
    assert any("totals line" in note for note in report.notes)
    online = standard(seeded, "dmv", "1021-2")
    assert online.kind == "service"
    assert online.name_en == "Driver License Renewal: We renew licences online the same day."
    assert (
        online.name_es
        == "Renovación de licencia de conducir: Renovamos las licencias en línea el mismo día."
    )
    q2 = standard_observation(
        seeded, "revenue", "2040-1", "timeliness_standard", dt.date(2025, 1, 1)
    )
    assert (q2.raw_value, q2.denominator) == (0.72, 1_204_118)
    q4 = standard_observation(seeded, "dmv", "1022-1", "timeliness_standard", dt.date(2025, 7, 1))
    assert q4.raw_value is None and q4.denominator is None
    # A result marked ND beside a reported volume: not reported, with its volume.
    paper = standard_observation(
        seeded, "revenue", "2040-2", "timeliness_standard", dt.date(2025, 1, 1)
    )
    assert paper.raw_value is None and paper.denominator == 9870
    with session_scope(seeded) as session:
        target = session.execute(
            select(Target).where(Target.unit_id == standard(seeded, "dmv", "1022-1").id)
        ).scalar_one()
    assert target.value == pytest.approx(0.9)
    # The promise's quoted field spans two lines in the file.
    assert target.promise_en.splitlines()[1] == "Online renewals are processed the same day."
    assert target.promise_es.startswith("Procesamos las renovaciones")

    again = run(
        seeded,
        EXAMPLES / "service_standards.csv",
        mapping_path=MAPPINGS / "service_standards.toml",
        publish=True,
    )
    assert again.ok and (again.inserted, again.unchanged, again.units_created) == (0, 20, [])


def test_contact_centre_example_imports(seeded):
    report = run(
        seeded,
        EXAMPLES / "contact_centre_monthly.csv",
        mapping_path=MAPPINGS / "contact_centre_monthly.toml",
    )
    assert report.ok, report.to_text()
    assert (report.rows_read, report.inserted) == (6, 24)
    january = dt.date(2025, 1, 1)
    level = observation(seeded, "dmv", "service_level_60s", january)
    assert level.raw_value == pytest.approx(100 * 30914 / 41230, abs=1e-4)
    assert (level.numerator, level.denominator) == (30914, 41230)
    asa = observation(seeded, "revenue", "avg_speed_answer", dt.date(2025, 2, 1))
    assert asa.raw_value == 65  # written as 1:05
    assert asa.score == pytest.approx(100 - 65 / 6)
    assert observation(seeded, "revenue", "avg_speed_answer", dt.date(2025, 3, 1)).raw_value is None
    abandoned = observation(seeded, "dmv", "abandon_rate", january)
    assert abandoned.raw_value == pytest.approx(6.1)
    calls = observation(seeded, "dmv", "contacts_received", january, segment="phone")
    assert (calls.segment_type, calls.raw_value) == ("channel", 41230)


def test_wide_mapping_with_canadian_calendar(seeded, tmp_path):
    settings = Settings(
        database_url=seeded, fiscal_year_start_month=4, fiscal_year_label_style="canada"
    )
    report = import_observations(
        seeded,
        EXAMPLES / "service_standards.csv",
        settings=settings,
        mapping_path=MAPPINGS / "service_standards.toml",
    )
    assert report.ok, report.to_text()
    # 2024-2025 Q1 is April-June 2024 in Canada.
    q1 = standard_observation(seeded, "dmv", "1021-1", "timeliness_standard", dt.date(2024, 4, 1))
    assert q1.period_end == dt.date(2024, 6, 30) and q1.raw_value == 0.84


def test_create_missing_creates_agencies_services_and_defined_metrics(seeded, tmp_path):
    mapping_text = (
        'name = "New office"\ncreate_missing = {flag}\n'
        '[columns]\nagency = "Agency"\nservice = "Office"\nperiod = "Month"\n'
        '[[measures]]\nmetric = "walk_in_wait"\nvalue = "Wait (min)"\n'
        "[metrics.walk_in_wait]\n"
        'name_en = "Walk-in wait"\nname_es = "Espera presencial"\n'
        'dimension = "timeliness"\nscale = "minutes"\ndirection = "lower"\n'
        "norm_best = 0\nnorm_worst = 120\n"
    )
    data = write(
        tmp_path,
        "offices.csv",
        "Agency,Office,Month,Wait (min)\n"
        "Parks Department,Downtown,2024-05,34\n"
        "Parks Department,Uptown,2024-05,12\n"
        "DMV,Driver License Renewal,2024-05,25\n",
    )
    refused = run(
        seeded, data, mapping_path=write(tmp_path, "m1.toml", mapping_text.format(flag="false"))
    )
    assert {(p.row, p.column) for p in refused.problems} >= {(2, "Agency"), (3, "Agency")}
    assert any("create_missing" in p.reason for p in refused.problems)
    assert table_counts(seeded)["units"] == 6

    created = run(
        seeded, data, mapping_path=write(tmp_path, "m2.toml", mapping_text.format(flag="true"))
    )
    assert created.ok, created.to_text()
    assert created.metrics_created == ["walk_in_wait"]
    assert created.units_created == ["Parks Department", "Downtown", "Uptown"]
    with session_scope(seeded) as session:
        parks = session.scalars(select(Unit).where(Unit.slug == "parks-department")).one()
        offices = session.scalars(select(Unit).where(Unit.parent_id == parks.id)).all()
        metric = session.scalars(select(Metric).where(Metric.code == "walk_in_wait")).one()
    assert parks.kind == "agency" and parks.parent_id is not None
    assert sorted(o.slug for o in offices) == ["downtown", "uptown"]
    assert (metric.scale, metric.direction, metric.norm_worst) == ("minutes", "lower", 120)
    wait = observation(seeded, "downtown", "walk_in_wait", dt.date(2024, 5, 1))
    assert wait.raw_value == 34 and wait.score == pytest.approx(100 - 34 / 1.2)


def test_a_mapping_cannot_make_a_second_headline_measure_of_a_dimension(seeded, tmp_path):
    with session_scope(seeded) as session:
        stored = session.scalars(select(Metric).where(Metric.dimension == "satisfaction")).first()
        assert stored is not None
        stored.headline = True
        stored_code = stored.code
    mapping_text = (
        'name = "New office"\ncreate_missing = true\n'
        '[columns]\nagency = "Agency"\nperiod = "Month"\n'
        '[[measures]]\nmetric = "courtesy"\nvalue = "Courtesy"\n'
        "[metrics.courtesy]\n"
        'name_en = "Courtesy"\ndimension = "satisfaction"\nscale = "mean_1_5"\n'
        "headline = {flag}\n"
    )
    data = write(tmp_path, "offices.csv", "Agency,Month,Courtesy\nDMV,2024-05,4.2\n")
    refused = run(
        seeded, data, mapping_path=write(tmp_path, "m1.toml", mapping_text.format(flag="true"))
    )
    (problem,) = refused.problems
    assert problem.column == "[metrics.courtesy] headline"
    assert "second headline measure of satisfaction" in problem.reason
    assert stored_code in problem.reason
    with session_scope(seeded) as session:
        assert session.scalar(select(Metric).where(Metric.code == "courtesy")) is None

    accepted = run(
        seeded, data, mapping_path=write(tmp_path, "m2.toml", mapping_text.format(flag="false"))
    )
    assert accepted.ok, accepted.to_text()
    with session_scope(seeded) as session:
        flags = dict(
            session.execute(
                select(Metric.code, Metric.headline).where(Metric.dimension == "satisfaction")
            ).all()
        )
    assert flags["courtesy"] is False and flags[stored_code] is True


# -- messy files --------------------------------------------------------------------------


def test_bom_crlf_semicolons_multiline_fields_and_trailing_lines(seeded, tmp_path):
    text = (
        "\ufeffagency;metric;period;value;denominator;note\r\n"
        'DMV;trust;2024-01;0,75;12,345;"first line\r\nsecond line"\r\n'
        "DMV;trust;2024-02;0.76;12 000;\r\n"
        "\r\n"
        "DMV;trust;2024-03;not sure;;\r\n"
        "Total;;;;24,345;\r\n"
        "Extracted 2024-04-02 07:00\r\n"
    )
    path = write(tmp_path, "messy.csv", text)
    report = run(seeded, path)
    # Line numbers count the physical lines: the quoted note spans lines 2-3.
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "value", "0,75"),
        (6, "value", "not sure"),
    ]
    assert "decimal" in report.problems[0].reason
    assert any("row 7 after the table was ignored (a totals line)" in n for n in report.notes)
    assert any("row 8 after the table" in n and "Extracted" in n for n in report.notes)

    fixed = text.replace("0,75", "0.75").replace("not sure", "0.8")
    report = run(seeded, write(tmp_path, "messy.csv", fixed))
    assert report.ok, report.to_text()
    assert report.rows_read == 3
    january = observation(seeded, "dmv", "trust", dt.date(2024, 1, 1))
    assert (january.raw_value, january.denominator) == (0.75, 12345)
    assert january.internal_note == "first line\r\nsecond line"
    assert observation(seeded, "dmv", "trust", dt.date(2024, 2, 1)).denominator == 12000


def test_decimal_comma_file_with_a_mapping(seeded, tmp_path):
    mapping = write(
        tmp_path,
        "fr.toml",
        'name = "Décimales"\n[file]\ndecimal = ","\n'
        '[columns]\nagency = "Ministère"\nperiod = "Période"\n'
        '[[measures]]\nmetric = "trust"\nvalue = "Résultat"\ndenominator = "Volume"\n',
    )
    data = write(
        tmp_path, "fr.csv", "Ministère;Période;Résultat;Volume\nDMV;2024-03;81,5 %;12.345\n"
    )
    report = run(seeded, data, mapping_path=mapping)
    assert report.ok, report.to_text()
    stored = observation(seeded, "dmv", "trust", dt.date(2024, 3, 1))
    assert (stored.raw_value, stored.denominator) == (pytest.approx(0.815), 12345)


def test_xlsx_import_and_bad_cell_row_numbers(seeded, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["agency", "metric", "period_start", "period_end", "value", "denominator"])
    sheet.append(["DMV", "trust", dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 31), 0.74, 1200])
    sheet.append([])
    sheet.append(["DMV", "trust", dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 29), 0.76, 1100])
    sheet.append(["DMV", "service_level_60s", "2024-03-01", "2024-03-31", 0.815, 900])
    sheet["E5"].number_format = "0.0%"  # shown as 81.5%: a percentage for a percent metric
    sheet.append(["DMV", "trust", dt.datetime(2024, 4, 1), dt.datetime(2024, 4, 30), "#DIV/0!", 5])
    path = tmp_path / "results.xlsx"
    workbook.save(path)

    report = run(seeded, path)
    assert [(p.file, p.row, p.column, p.value) for p in report.problems] == [
        ("results.xlsx", 6, "value", "#DIV/0!")
    ]
    assert table_counts(seeded)["observations"] == 0

    sheet["E6"] = 0.7
    workbook.save(path)
    report = run(seeded, path)
    assert report.ok, report.to_text()
    assert report.rows_read == 4
    assert observation(seeded, "dmv", "service_level_60s", dt.date(2024, 3, 1)).raw_value == 81.5
    assert observation(seeded, "dmv", "trust", dt.date(2024, 2, 1)).period_end == dt.date(
        2024, 2, 29
    )


def test_period_that_is_not_a_month_quarter_or_year(seeded, tmp_path):
    path = write(
        tmp_path,
        "span.csv",
        "agency,metric,period_start,period_end,granularity,value\n"
        "DMV,trust,2024-02-15,2024-05-14,,0.7\n"
        "DMV,trust,2024-01-01,2024-01-31,quarter,0.7\n",
    )
    report = run(seeded, path)
    assert [(p.row, p.column) for p in report.problems] == [(2, "period_end"), (3, "granularity")]


def test_segments_are_checked_and_channel_words_normalized(seeded, tmp_path):
    path = write(
        tmp_path,
        "segments.csv",
        "agency,metric,period,segment_type,segment_value,value\n"
        "DMV,trust,2024-01,channel,Telephone,0.7\n"
        "DMV,trust,2024-01,channel,carrier pigeon,0.7\n"
        "DMV,trust,2024-01,region,North,0.7\n",
    )
    report = run(seeded, path)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (3, "segment_value", "carrier pigeon"),
        (4, "segment_type", "region"),
    ]
    ok = write(tmp_path, "segments.csv", "\n".join(path.read_text().splitlines()[:2]) + "\n")
    assert run(seeded, ok).ok
    assert (
        observation(seeded, "dmv", "trust", dt.date(2024, 1, 1), segment="phone").raw_value == 0.7
    )


# -- the command --------------------------------------------------------------------------


def test_cli_prints_the_report_and_exits_1_on_problems(seeded, tmp_path):
    runner = CliRunner()
    env = {"DATABASE_URL": seeded}
    bad = write(tmp_path, "cli.csv", HEADER + "DMV,,ease,FY2024 Q1,6,,,,,\n")
    result = runner.invoke(import_command, [str(bad)], env=env)
    assert result.exit_code == 1
    assert "cli.csv, row 2, column 'value', value '6': 6/5 is outside" in result.output

    result = runner.invoke(import_command, [str(bad), "--format", "json"], env=env)
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["status"] == "failed" and payload["ok"] is False
    assert payload["problems"] == [
        {
            "file": "cli.csv",
            "row": 2,
            "column": "value",
            "value": "6",
            "reason": payload["problems"][0]["reason"],
        }
    ]

    result = runner.invoke(
        import_command,
        [
            str(EXAMPLES / "contact_centre_monthly.csv"),
            "--mapping",
            str(MAPPINGS / "contact_centre_monthly.toml"),
            "--publish",
            "--format",
            "json",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["counts"]["inserted"] == 24 and payload["status"] == "succeeded"
    assert payload["mapping"] == "Contact centre monthly report"

    result = runner.invoke(
        import_command,
        [
            str(EXAMPLES / "contact_centre_monthly.csv"),
            "--mapping",
            str(MAPPINGS / "contact_centre_monthly.toml"),
            "--dry-run",
        ],
        env=env,
    )
    assert result.exit_code == 0
    assert "Dry run" in result.output and "24 already stored unchanged" in result.output


def test_long_format_example_stores_what_the_documentation_shows(seeded):
    report = run(seeded, EXAMPLES / "long_format.csv")
    assert report.ok, report.to_text()
    assert (report.rows_read, report.inserted, report.targets_created) == (7, 7, 4)
    standard = observation(
        seeded, "driver-license-renewal", "timeliness_standard", dt.date(2024, 10, 1)
    )
    assert (standard.raw_value, standard.numerator, standard.denominator) == (
        0.840016,
        10370,
        12345,
    )
    phone = observation(seeded, "dmv", "service_level_60s", dt.date(2025, 1, 1), segment="phone")
    assert (phone.raw_value, phone.score) == (74.9794, 74.9794)
    ease = observation(seeded, "revenue", "ease", dt.date(2024, 10, 1))
    assert ease.series_break and ease.internal_note.startswith("New question wording")
    paused = observation(seeded, "revenue", "csat_overall", dt.date(2024, 10, 1))
    assert (
        paused.raw_value is None
        and paused.internal_note == "Survey paused during the system migration"
    )
    with session_scope(seeded) as session:
        targets = session.execute(
            select(
                Metric.code,
                Target.value,
                Target.comparator,
                Target.effective_from,
                Target.promise_es,
            )
            .join(Metric, Metric.id == Target.metric_id)
            .order_by(Metric.code)
        ).all()
    assert [tuple(t) for t in targets] == [
        ("avg_speed_answer", 120.0, "<=", dt.date(2025, 1, 1), None),
        ("csat_overall", 0.8, ">=", dt.date(2024, 10, 1), None),
        ("service_level_60s", 80.0, ">=", dt.date(2025, 1, 1), None),
        (
            "timeliness_standard",
            0.8,
            ">=",
            dt.date(2024, 10, 1),
            "Enviamos su licencia renovada dentro de 10 días hábiles.",
        ),
    ]


def test_columns_the_mapping_reads_must_be_in_the_file(seeded, tmp_path):
    renamed = (EXAMPLES / "a11_quarterly_cx.csv").read_text(encoding="utf-8-sig")
    renamed = renamed.replace("Response Rate", "Resp. rate").replace("Question", "Item")
    path = write(tmp_path, "renamed.csv", renamed)
    report = run(seeded, path, mapping_path=MAPPINGS / "a11_quarterly_cx.toml")
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (1, "Question", None),
        (1, "Response Rate", None),
    ]
    assert all("no such column" in p.reason for p in report.problems)
    assert any("not used by the mapping: Item, Resp. rate" in note for note in report.notes)


def test_a_question_no_measure_takes_is_a_problem(seeded, tmp_path):
    text = (EXAMPLES / "a11_quarterly_cx.csv").read_text(encoding="utf-8-sig")
    path = write(tmp_path, "a11.csv", text.replace("Q2,Trust", "Q2,Effectiveness"))
    report = run(seeded, path, mapping_path=MAPPINGS / "a11_quarterly_cx.toml")
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (12, "Question", "Effectiveness")
    ]
    assert "metric_codes" in report.problems[0].reason
    assert table_counts(seeded)["observations"] == 0


def test_conflicting_targets_for_one_period_are_a_problem(seeded, tmp_path):
    path = write(
        tmp_path,
        "segments.csv",
        "agency,metric,period,segment_type,segment_value,value,target\n"
        "DMV,trust,2024-01,channel,phone,0.7,80%\n"
        "DMV,trust,2024-01,channel,email,0.7,80%\n"
        "DMV,trust,2024-01,channel,web_form,0.7,85%\n",
    )
    report = run(seeded, path)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(4, "target", "0.85")]
    assert "row 2 gives a different target" in report.problems[0].reason
    assert table_counts(seeded)["targets"] == 0


def test_months_named_within_a_fiscal_year(seeded, tmp_path):
    mapping = write(
        tmp_path,
        "months.toml",
        'name = "Months"\n[columns]\nagency = "Agency"\nfiscal_year = "FY"\nmonth = "Month"\n'
        '[constants]\nmetric = "trust"\n[[measures]]\nvalue = "Share"\n',
    )
    data = write(
        tmp_path,
        "months.csv",
        "Agency,FY,Month,Share\nDMV,FY2024,October,0.7\nDMV,FY2024,marzo,0.71\nDMV,FY2024,3,0.72\n"
        "DMV,FY2024,Smarch,0.73\n",
    )
    report = run(seeded, data, mapping_path=mapping)
    # October of FY2024 (federal) is October 2023; "marzo" and "3" are the same month.
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (4, "Share", "0.72"),
        (5, "Month", "Smarch"),
    ]
    fixed = write(tmp_path, "months.csv", "\n".join(data.read_text().splitlines()[:3]) + "\n")
    assert run(seeded, fixed, mapping_path=mapping).ok
    assert observation(seeded, "dmv", "trust", dt.date(2023, 10, 1)).raw_value == 0.7
    assert observation(seeded, "dmv", "trust", dt.date(2024, 3, 1)).raw_value == 0.71
