"""``cxdash feedback-figures``: the "Found this page helpful" figures, from the stored answers
to the public page and the open data -- counts only, never a comment (both databases)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import plotly.utils
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from callbacks.router import render
from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    DRAFT,
    PUBLISHED,
    FeedbackResponse,
    ImportRun,
    Metric,
    Observation,
    ObservationRevision,
    Unit,
)
from data.feedback_figures import feedback_figures_command, write_feedback_figures
from data.publication import publish_agency
from tests.integration.test_import import seed

TODAY = dt.date(2026, 11, 30)
SEPTEMBER, OCTOBER, NOVEMBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)
#: What visitors wrote: none of it may reach a public answer.
EMAIL, PHONE = "jane.doe.fb@example.org", "(555) 013-4477"
COMMENT = f"Call me on {PHONE} or write to {EMAIL}: Xq7 the renewal form was confusing"


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def _units(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        return {slug: id_ for slug, id_ in session.execute(select(Unit.slug, Unit.id))}


def add_answers(url: str, slug: str, month: dt.date, yes: int, no: int, day: int = 3) -> None:
    """``yes`` + ``no`` answers on the unit's page in ``month``, every one with a comment."""
    unit = _units(url)[slug]
    with session_scope(url) as session:
        for number in range(yes + no):
            session.add(
                FeedbackResponse(
                    received_at=dt.datetime.combine(
                        month.replace(day=day), dt.time(10, number % 60)
                    ),
                    page_path=f"/agency/{slug}",
                    unit_id=unit,
                    language="en",
                    helpful=number < yes,
                    reason="other",
                    comment=COMMENT,
                )
            )


def _figure(url: str, slug: str, month: dt.date) -> Observation | None:
    with session_scope(url) as session:
        found = session.scalars(
            select(Observation)
            .join(Metric, Metric.id == Observation.metric_id)
            .join(Unit, Unit.id == Observation.unit_id)
            .where(
                Metric.code == "page_helpful",
                Unit.slug == slug,
                Observation.period_start == month,
                Observation.granularity == "month",
            )
        ).one_or_none()
        if found is not None:
            session.expunge(found)
        return found


def run(url: str, **options):
    return write_feedback_figures(url, settings=Settings(database_url=url), today=TODAY, **options)


def test_complete_months_as_drafts_rolled_up_idempotent(seeded):
    add_answers(seeded, "driver-license-renewal", SEPTEMBER, yes=30, no=10)
    add_answers(seeded, "dmv", SEPTEMBER, yes=5, no=5)
    add_answers(seeded, "revenue", OCTOBER, yes=3, no=1)
    add_answers(seeded, "revenue", NOVEMBER, yes=9, no=0)  # this month: not over yet
    with session_scope(seeded) as session:  # a site-wide page: no unit, no figure
        session.add(FeedbackResponse(page_path="/", language="es", helpful=False, comment=EMAIL))

    report = run(seeded)
    assert report.ok, report.to_text()
    assert report.metrics_created == ["page_helpful"]
    assert report.inserted == 3  # the service, its agency (its answers + the service's), revenue
    service = _figure(seeded, "driver-license-renewal", SEPTEMBER)
    agency = _figure(seeded, "dmv", SEPTEMBER)
    revenue = _figure(seeded, "revenue", OCTOBER)
    assert service and agency and revenue
    assert (service.raw_value, service.numerator, service.denominator) == (0.75, 30, 40)
    assert (agency.raw_value, agency.numerator, agency.denominator) == (0.7, 35, 50)
    assert (revenue.raw_value, revenue.numerator, revenue.denominator) == (0.75, 3, 4)
    assert {service.visibility, agency.visibility, revenue.visibility} == {DRAFT}
    assert _figure(seeded, "revenue", NOVEMBER) is None
    with session_scope(seeded) as session:
        metric = session.scalars(select(Metric).where(Metric.code == "page_helpful")).one()
        assert (metric.scale, metric.dimension, metric.is_survey, metric.headline) == (
            "fraction",
            "satisfaction",
            True,
            False,
        )
        assert metric.name("es") == "Le resultó útil esta página"
        run_row = session.get(ImportRun, report.import_id)
        assert run_row is not None and run_row.kind == "feedback"

    again = run(seeded)
    assert again.ok and (again.inserted, again.revised, again.unchanged) == (0, 0, 3)

    through = run(seeded, through=SEPTEMBER, dry_run=True)
    assert through.ok and through.unchanged == 2  # October left out
    future = run(seeded, through=NOVEMBER)
    assert not future.ok and "has not ended yet" in future.problems[0].reason


def test_published_changes_are_revisions_and_other_sources_are_left_alone(seeded, tmp_path):
    add_answers(seeded, "revenue", OCTOBER, yes=3, no=1)
    assert run(seeded, publish=True).ok
    assert _figure(seeded, "revenue", OCTOBER).visibility == PUBLISHED
    add_answers(seeded, "revenue", OCTOBER, yes=0, no=4, day=20)  # late rows for that month
    refused = run(seeded)
    assert not refused.ok and "needs --publish" in refused.problems[0].reason
    assert _figure(seeded, "revenue", OCTOBER).denominator == 4
    revised = run(seeded, publish=True)
    assert revised.ok and revised.revisions_kept == 1
    figure = _figure(seeded, "revenue", OCTOBER)
    assert (figure.raw_value, figure.denominator) == (0.375, 8)
    with session_scope(seeded) as session:
        earlier = session.scalars(
            select(ObservationRevision).where(ObservationRevision.observation_id == figure.id)
        ).one()
        assert earlier.raw_value == 0.75

    # A page_helpful figure another import wrote is never overwritten.
    from data.loaders import import_observations

    path = tmp_path / "helpful.csv"
    path.write_text("agency,metric,period,value\nDMV,page_helpful,2026-10,0.5\n", encoding="utf-8")
    other = import_observations(seeded, path, settings=Settings(database_url=seeded))
    assert other.ok, other.to_text()
    add_answers(seeded, "dmv", OCTOBER, yes=1, no=1)
    clash = run(seeded)
    assert (
        not clash.ok
        and "does not overwrite figures from another source" in clash.problems[0].reason
    )


def test_command_line(seeded, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded)
    add_answers(seeded, "revenue", SEPTEMBER, yes=2, no=2)
    runner = CliRunner()
    bad = runner.invoke(feedback_figures_command, ["--through", "Sept 2026"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    result = runner.invoke(feedback_figures_command, ["--through", "2026-09", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["inserted"] == 1
    assert _figure(seeded, "revenue", SEPTEMBER).visibility == DRAFT


def test_published_figure_reaches_the_page_and_api_but_no_comment(seeded):
    add_answers(seeded, "dmv", SEPTEMBER, yes=33, no=7)
    assert run(seeded).ok
    agency = _units(seeded)["dmv"]
    with session_scope(seeded) as session:
        publish_agency(session, agency, user_id=None, now=dt.datetime(2026, 11, 30, 12))
    settings = Settings(database_url=seeded)
    from dashboard.web.factory import create_app

    app = create_app(settings)
    client = app.server.test_client()
    answers: list[str] = []

    response = client.get(f"{open_data.OBSERVATIONS.path}?unit=dmv&metric=page_helpful")
    assert response.status_code == 200
    (record,) = response.get_json()["data"]
    assert (record["value"], record["numerator"], record["denominator"]) == (0.825, 33, 40)
    assert record["period_start"] == "2026-09-01" and record["ci_low"] < 0.825 < record["ci_high"]
    csv_text = client.get(
        f"{open_data.OBSERVATIONS.csv_path}?unit=dmv&metric=page_helpful"
    ).get_data(as_text=True)
    assert "page_helpful" in csv_text and "0.825" in csv_text

    for resource in open_data.RESOURCES:
        for path in (resource.path, resource.csv_path):
            response = client.get(f"{path}?limit={open_data.MAX_LIMIT}")
            assert response.status_code == 200, path
            answers.append(response.get_data(as_text=True))
    metrics = client.get(f"{open_data.METRICS.path}?limit={open_data.MAX_LIMIT}").get_json()
    assert "page_helpful" in {metric["code"] for metric in metrics["data"]}
    for path in ("/data.json", open_data.DICTIONARY_PATH, open_data.OPENAPI_PATH):
        response = client.get(path)
        assert response.status_code == 200, path
        answers.append(response.get_data(as_text=True))
    archive = zipfile.ZipFile(io.BytesIO(client.get(open_data.ZIP_PATH).get_data()))
    assert "page_helpful" in archive.read("observations.csv").decode("utf-8")
    answers.extend(archive.read(name).decode("utf-8") for name in archive.namelist())

    with app.server.test_request_context():
        for language, name in (
            ("en", "Found this page helpful"),
            ("es", "Le resultó útil esta página"),
        ):
            frame, _language, found = render(settings, "/agency/dmv", f"?lang={language}")
            assert found
            page = json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)
            assert name in page, language
            answers.append(page)

    everything = "\n".join(answers)
    for secret in (COMMENT, EMAIL, PHONE, "Xq7 the renewal"):
        assert secret not in everything, secret
    db.dispose_all()
