"""The content imports (units, metrics, actions, contact points, closures): the documented
example files, all-or-nothing, idempotence, drafts and --publish, XLSX, what the public sees."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import plotly.utils
import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    DRAFT,
    PUBLISHED,
    Action,
    Closure,
    ContactPoint,
    ImportRun,
    Metric,
    Unit,
)
from data.content import import_file

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
#: The example files in the order they depend on each other.
KINDS = ("units", "metrics", "actions", "contact-points", "closures")


def example(kind: str) -> Path:
    return EXAMPLES / f"{kind.replace('-', '_')}.csv"


def import_examples(url: str, *, publish: bool = False) -> dict[str, object]:
    reports = {}
    for kind in KINDS:
        report = import_file(url, example(kind), kind, publish=publish)
        assert report.ok, report.to_text()
        reports[kind] = report
    return reports


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def count(url: str, model: type) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model))


def example_rows(kind: str) -> int:
    with example(kind).open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


# -- the examples --------------------------------------------------------------------------


def test_every_example_imports_and_reimports_unchanged(sqlite_url):
    first = import_examples(sqlite_url)
    for kind, report in first.items():
        assert report.inserted == example_rows(kind), kind
    assert count(sqlite_url, Unit) == example_rows("units")
    assert count(sqlite_url, Metric) == example_rows("metrics")
    assert count(sqlite_url, Action) == example_rows("actions")
    assert count(sqlite_url, ContactPoint) == example_rows("contact-points")
    assert count(sqlite_url, Closure) == example_rows("closures")

    again = import_examples(sqlite_url)
    for kind, report in again.items():
        assert (report.inserted, report.revised) == (0, 0), kind
        assert report.unchanged == example_rows(kind), kind
    assert count(sqlite_url, Action) == example_rows("actions")

    with session_scope(sqlite_url) as session:
        units = {unit.slug: unit for unit in session.scalars(select(Unit))}
        assert {unit.visibility for unit in units.values()} == {DRAFT}
        assert units["driver-licensing"].parent_id == units["motor-vehicles"].id
        assert units["motor-vehicles"].parent_id == units["state"].id
        metrics = {metric.code: metric for metric in session.scalars(select(Metric))}
        assert metrics["satisfaction_overall"].headline
        assert not metrics["satisfaction_ease"].headline
        assert metrics["licence_days"].norm_worst == 20
        action = session.scalars(select(Action).where(Action.code == "DL-2024-01")).one()
        assert action.unit_id == units["driver-licensing"].id
        assert action.status == "completed"
        assert action.internal_note == "Vendor contract DMV-2291"
        assert sorted(m.code for m in action.metrics) == ["licence_days", "satisfaction_overall"]
        in_progress = session.scalars(select(Action).where(Action.code == "DMV-2024-02")).one()
        assert in_progress.status == "in_progress"
        office = session.scalars(
            select(ContactPoint).where(ContactPoint.code == "office-capitol")
        ).one()
        assert office.hours["mon"] == [["09:00", "12:00"], ["13:00", "16:30"]]
        assert office.hours["sun"] == []
        assert office.hours_en.startswith("Mon–Fri 9:00 a.m.–12:00 p.m., 1:00 p.m.–4:30 p.m.")
        assert office.hours_es.startswith("lun.–vie. 9:00–12:00, 13:00–16:30")
        assert office.languages == "en,es"
        closure = session.scalars(select(Closure).where(Closure.code == "capitol-move-2030")).one()
        assert closure.contact_point_id == office.id
        holiday = session.scalars(select(Closure).where(Closure.code == "new-year-2031")).one()
        assert holiday.unit_id == units["state"].id
        runs = session.scalars(select(ImportRun.kind).order_by(ImportRun.id)).all()
    assert runs == ["units", "metrics", "actions", "contact_points", "closures"] * 2


def test_xlsx_imports_like_the_csv(sqlite_url, tmp_path):
    import_file(sqlite_url, example("units"), "units")
    import_file(sqlite_url, example("metrics"), "metrics")
    with example("actions").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "actions.xlsx"
    workbook.save(path)

    report = import_file(sqlite_url, path, "actions")
    assert report.ok, report.to_text()
    assert report.inserted == len(rows) - 1
    again = import_file(sqlite_url, example("actions"), "actions")
    assert again.ok and again.unchanged == len(rows) - 1 and again.inserted == 0


# -- all or nothing ------------------------------------------------------------------------


def test_one_bad_row_writes_nothing_and_every_problem_is_reported(sqlite_url, tmp_path):
    import_file(sqlite_url, example("units"), "units")
    import_file(sqlite_url, example("metrics"), "metrics")
    header = ["agency", "service", "id", "title_en", "status", "started_on", "completed_on"]
    header += ["link", "measures"]
    path = write_csv(
        tmp_path / "actions.csv",
        header,
        [
            ["motor-vehicles", "", "A1", "Fine", "planned", "2024-01-01", "", "", ""],
            ["nowhere", "", "A2", "Unknown agency", "planned", "2024-01-01", "", "", ""],
            ["motor-vehicles", "", "A3", "Bad", "done", "2024-02-30", "", "javascript:x", "nope"],
            ["motor-vehicles", "", "A4", "x" * 301, "completed", "2024-02-01", "", "", ""],
            ["motor-vehicles", "", "A1", "Same id", "planned", "2024-01-01", "", "", ""],
        ],
    )
    report = import_file(sqlite_url, path, "actions", publish=True)
    assert not report.ok
    found = {(p.file, p.row, p.column, p.value) for p in report.problems}
    assert found == {
        ("actions.csv", 3, "agency", "nowhere"),
        ("actions.csv", 4, "status", "done"),
        ("actions.csv", 4, "started_on", "2024-02-30"),
        ("actions.csv", 4, "link", "javascript:x"),
        ("actions.csv", 4, "measures", "nope"),
        ("actions.csv", 5, "title_en", "x" * 301),
        ("actions.csv", 5, "completed_on", ""),
        ("actions.csv", 6, "id", "A1"),
    }
    assert "too long: 301 characters" in report.to_text()
    assert count(sqlite_url, Action) == 0
    with session_scope(sqlite_url) as session:
        run = session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
        assert (run.kind, run.status) == ("actions", "failed")
        # Nothing of the publishing import happened: the units it used are still drafts.
        assert set(session.scalars(select(Unit.visibility))) == {DRAFT}


def test_missing_required_column_and_dry_run(sqlite_url, tmp_path):
    import_file(sqlite_url, example("units"), "units")
    path = write_csv(tmp_path / "closures.csv", ["agency", "id", "starts_on"], [["dmv", "c", ""]])
    report = import_file(sqlite_url, path, "closures")
    assert {p.column for p in report.problems} == {"ends_on", "reason_en"}

    dry = import_file(sqlite_url, example("closures"), "closures", dry_run=True)
    # The example names a contact point not imported yet: a clear problem, nothing written.
    assert [p.column for p in dry.problems] == ["contact_point"]
    assert count(sqlite_url, Closure) == 0

    import_file(sqlite_url, example("metrics"), "metrics")
    import_file(sqlite_url, example("contact-points"), "contact-points")
    dry = import_file(sqlite_url, example("closures"), "closures", dry_run=True)
    assert dry.ok and dry.inserted == example_rows("closures") and dry.import_id is None
    assert count(sqlite_url, Closure) == 0


# -- updates and publication ---------------------------------------------------------------


def test_changed_row_updates_and_published_rows_need_publish(sqlite_url, tmp_path):
    import_examples(sqlite_url, publish=True)
    with example("actions").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[2][3] = "Call-back instead of holding"  # the title of DMV-2024-02
    rows[1][12] = "New internal note"  # DL-2024-01: only its internal note
    path = tmp_path / "actions.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)

    draft = import_file(sqlite_url, path, "actions")
    assert not draft.ok
    assert [(p.row, p.column) for p in draft.problems] == [(3, None)]
    assert "--publish" in draft.problems[0].reason

    published = import_file(sqlite_url, path, "actions", publish=True)
    assert published.ok, published.to_text()
    assert (published.inserted, published.revised, published.unchanged) == (0, 2, 1)
    with session_scope(sqlite_url) as session:
        titles = dict(session.execute(select(Action.code, Action.title_en)).all())
        notes = dict(session.execute(select(Action.code, Action.internal_note)).all())
    assert titles["DMV-2024-02"] == "Call-back instead of holding"
    assert notes["DL-2024-01"] == "New internal note"
    assert count(sqlite_url, Action) == example_rows("actions")


def test_draft_actions_are_not_public_and_internal_notes_never(sqlite_url):
    import_file(sqlite_url, example("units"), "units", publish=True)
    import_file(sqlite_url, example("metrics"), "metrics", publish=True)
    import_file(sqlite_url, example("actions"), "actions")
    import_file(sqlite_url, example("contact-points"), "contact-points", publish=True)
    page, api = _public_texts(sqlite_url, "/agency/motor-vehicles/driver-licensing")
    assert "Online licence renewal" not in page
    assert "Online licence renewal" not in api
    # Published contact points: the hours made at import are on the page.
    agency_page, _ = _public_texts(sqlite_url, "/agency/motor-vehicles")
    assert "Mon–Fri 9:00 a.m.–12:00 p.m., 1:00 p.m.–4:30 p.m." in agency_page

    import_file(sqlite_url, example("actions"), "actions", publish=True)
    page, api = _public_texts(sqlite_url, "/agency/motor-vehicles/driver-licensing")
    assert "Online licence renewal" in page
    assert "Online licence renewal" in api
    for text in (page, api):
        assert "Vendor contract" not in text
        assert "internal_note" not in text


def _public_texts(url: str, path: str) -> tuple[str, str]:
    from callbacks.router import render
    from dashboard.web.factory import create_app

    settings = Settings(database_url=url)
    app = create_app(settings)
    with app.server.test_request_context():
        frame, _language, found = render(settings, path, "?lang=en")
    assert found, path
    page = json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)
    response = app.server.test_client().get("/api/v1/actions")
    assert response.status_code == 200
    return page, response.get_data(as_text=True)


def test_draft_unit_published_by_publishing_content(sqlite_url):
    import_file(sqlite_url, example("units"), "units")
    import_file(sqlite_url, example("metrics"), "metrics")
    report = import_file(sqlite_url, example("closures").with_name("closures.csv"), "closures")
    assert not report.ok  # names contact points not imported yet
    import_file(sqlite_url, example("contact-points"), "contact-points", publish=True)
    with session_scope(sqlite_url) as session:
        visibility = dict(session.execute(select(Unit.slug, Unit.visibility)).all())
    # The contact points' units and their parents; a unit no published row uses stays a draft.
    assert visibility == {
        "state": PUBLISHED,
        "motor-vehicles": PUBLISHED,
        "driver-licensing": PUBLISHED,
        "vehicle-registration": DRAFT,
    }


# -- units and metrics ---------------------------------------------------------------------


def test_units_checks(sqlite_url, tmp_path):
    import_file(sqlite_url, example("units"), "units")
    path = write_csv(
        tmp_path / "units.csv",
        ["slug", "kind", "parent", "code", "name_en"],
        [
            ["new-service", "service", "", "", "A service without agency"],
            ["orphan", "service", "no-such-unit", "", "Orphan"],
            ["driver-licensing", "agency", "", "DMV-DL", "Kind changed"],
            ["Bad Slug", "agency", "", "", "Bad slug"],
            ["other-dmv", "agency", "", "DMV", "Another department"],
            ["second-state", "enterprise", "", "", "Another enterprise"],
        ],
    )
    report = import_file(sqlite_url, path, "units")
    found = {(p.row, p.column) for p in report.problems}
    assert found == {
        (2, "parent"),
        (3, "parent"),
        (4, "kind"),
        (5, "slug"),
        (6, "code"),
        (7, "kind"),
    }
    assert count(sqlite_url, Unit) == example_rows("units")


def test_headline_once_per_dimension_and_a_file_may_move_it(sqlite_url, tmp_path):
    import_file(sqlite_url, example("metrics"), "metrics")
    header = ["code", "name_en", "dimension", "scale", "headline"]
    second = write_csv(
        tmp_path / "second.csv",
        header,
        [["satisfaction_ease", "Process was easy", "satisfaction", "fraction", "yes"]],
    )
    report = import_file(sqlite_url, second, "metrics")
    assert [(p.row, p.column) for p in report.problems] == [(2, "headline")]
    assert "satisfaction_overall" in report.problems[0].reason

    moved = write_csv(
        tmp_path / "moved.csv",
        header,
        [
            ["satisfaction_ease", "Process was easy", "satisfaction", "fraction", "yes"],
            ["satisfaction_overall", "Overall satisfaction", "satisfaction", "fraction", "no"],
        ],
    )
    report = import_file(sqlite_url, moved, "metrics")
    assert report.ok, report.to_text()
    with session_scope(sqlite_url) as session:
        flagged = session.scalars(select(Metric.code).where(Metric.headline)).all()
    assert sorted(flagged) == ["calls_answered_3min", "licence_days", "satisfaction_ease"]


def test_metric_definition_checked(sqlite_url, tmp_path):
    path = write_csv(
        tmp_path / "metrics.csv",
        ["code", "name_en", "dimension", "scale", "direction", "norm_best", "norm_worst"],
        [
            ["wait", "Wait", "timeliness", "minutes", "lower", "5", "5"],
            ["odd", "Odd", "happiness", "fraction", "higher", "", ""],
        ],
    )
    report = import_file(sqlite_url, path, "metrics")
    assert {p.row for p in report.problems} == {2, 3}
    assert any(p.column == "dimension" and p.value == "happiness" for p in report.problems)
    assert any("best and worst must differ" in p.reason for p in report.problems)
    assert count(sqlite_url, Metric) == 0


# -- the command ---------------------------------------------------------------------------


def test_command_prints_the_json_report_and_exits_1_on_problems(sqlite_url, tmp_path, monkeypatch):
    from dashboard.web.cli import main

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    runner = CliRunner()
    result = runner.invoke(main, ["import-units", str(example("units")), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["kind"] == "units" and report["counts"]["inserted"] == example_rows("units")
    bad = write_csv(tmp_path / "bad.csv", ["slug", "kind", "name_en"], [["x", "agency", ""]])
    result = runner.invoke(main, ["import-units", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv, row 2, column 'name_en'" in result.stdout
    assert "Traceback" not in result.output


# -- PostgreSQL ----------------------------------------------------------------------------


def test_examples_on_postgresql(postgres_url, tmp_path):
    import_examples(postgres_url, publish=True)
    again = import_examples(postgres_url, publish=True)
    assert all(r.inserted == 0 and r.revised == 0 for r in again.values())
    # An over-long value is a problem at checking time, never a database error.
    path = write_csv(
        tmp_path / "points.csv",
        ["agency", "id", "channel", "label_en", "languages"],
        [["motor-vehicles", "long", "phone", "L" * 301, "en"]],
    )
    report = import_file(postgres_url, path, "contact-points", publish=True)
    assert [(p.row, p.column) for p in report.problems] == [(2, "label_en")]
    assert count(postgres_url, ContactPoint) == example_rows("contact-points")
    db.dispose_all()


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    monkeypatch.delenv("CACHE_TYPE", raising=False)


def test_scoring_of_a_metric_with_results_cannot_change(sqlite_url, tmp_path):
    import datetime as dt

    from dashboard.infra.models import Observation

    import_examples(sqlite_url)
    with session_scope(sqlite_url) as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.slug == "driver-licensing"))
        metric_id = session.scalar(select(Metric.id).where(Metric.code == "licence_days"))
        session.add(
            Observation(
                unit_id=unit_id,
                metric_id=metric_id,
                period_start=dt.date(2024, 7, 1),
                period_end=dt.date(2024, 9, 30),
                granularity="quarter",
                raw_value=4.0,
            )
        )
    header = ["code", "name_en", "dimension", "scale", "direction", "norm_best", "norm_worst"]
    row = ["licence_days", "Days to issue a licence", "timeliness", "business_days", "lower"]
    path = write_csv(tmp_path / "metrics.csv", header, [[*row, "0", "30"]])
    report = import_file(sqlite_url, path, "metrics")
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "norm_worst", "30")]
    renamed = write_csv(tmp_path / "renamed.csv", header, [[*row, "0", "20"]])
    assert import_file(sqlite_url, renamed, "metrics").ok
