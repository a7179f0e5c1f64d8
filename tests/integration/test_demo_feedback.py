"""A fresh demo shows the issue-14 figures: "Found this page helpful" and the complaint
figures with their posted service level, on the agency page and in the open data; the
demo's feedback comments reach none of it (both databases)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import plotly.utils
from sqlalchemy import select

from callbacks.router import render
from dashboard import open_data
from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import FeedbackResponse, Target
from dashboard.views.agency import build, charts
from data.demo.feedback import COMMENTS, COMPLAINT_AGENCIES

NEW_METRICS = (
    "page_helpful",
    "complaints_received",
    "compliments_received",
    "complaints_answered_within_standard",
)


def test_the_demo_publishes_the_new_figures_and_no_comment(demo_copy_url):
    url = demo_copy_url
    with session_scope(url) as session:
        comments = set(
            session.scalars(
                select(FeedbackResponse.comment).where(FeedbackResponse.comment.is_not(None))
            )
        )
        targets = session.scalars(
            select(Target).where(Target.metric.has(code="complaints_answered_within_standard"))
        ).all()
    # The demo's comments are those of data/demo/feedback.py, stored as the widget stores them.
    assert comments and comments <= {text for options in COMMENTS.values() for *_, text in options}
    assert len(targets) == len(COMPLAINT_AGENCIES)
    assert {(t.value, t.comparator) for t in targets} == {(0.9, ">=")}

    settings = Settings(database_url=url)
    from dashboard.web.factory import create_app

    app = create_app(settings)
    client = app.server.test_client()
    answers: list[str] = []
    agency = COMPLAINT_AGENCIES[0]
    for code in NEW_METRICS:
        response = client.get(f"{open_data.OBSERVATIONS.path}?unit={agency}&metric={code}")
        assert response.status_code == 200, code
        records = response.get_json()["data"]
        assert records, code
        answers.append(response.get_data(as_text=True))
    helpful = client.get(
        f"{open_data.OBSERVATIONS.path}?unit={agency}&metric=page_helpful"
    ).get_json()["data"]
    for record in helpful:
        assert 0 < record["numerator"] <= record["denominator"]
        assert record["value"] == round(record["numerator"] / record["denominator"], 6)
        assert record["ci_low"] is not None and record["ci_high"] is not None
    for resource in open_data.RESOURCES:
        for path in (resource.path, resource.csv_path):
            response = client.get(f"{path}?limit={open_data.MAX_LIMIT}")
            assert response.status_code == 200, path
            answers.append(response.get_data(as_text=True))
    for path in ("/data.json", open_data.DICTIONARY_PATH):
        answers.append(client.get(path).get_data(as_text=True))
    archive = zipfile.ZipFile(io.BytesIO(client.get(open_data.ZIP_PATH).get_data()))
    zipped = archive.read("observations.csv").decode("utf-8")
    assert all(code in zipped for code in NEW_METRICS)
    answers.extend(archive.read(name).decode("utf-8") for name in archive.namelist())

    # The agency page names the new measures, and its chart CSVs (the page ZIP's CSVs are
    # these very files: tests/integration/test_exports.py) carry counts only.
    view = build(url, settings, Route("agency", {"agency": agency}), {}, "en")
    with app.server.test_request_context():
        frame, _language, found = render(settings, f"/agency/{agency}", "?lang=en")
        assert found
        page = json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)
    for name in ("Found this page helpful", "Complaints answered within 10 business days"):
        assert name in page, name
    answers.append(page)
    chart_ids = {spec.chart_id for spec in charts(view)} | set(NEW_METRICS)
    for chart_id in sorted(chart_ids):
        response = client.get(f"/download/agency/{agency}/{chart_id}.csv?lang=en")
        assert response.status_code == 200, chart_id
        answers.append(response.get_data(as_text=True))
    standard = client.get(
        f"/download/agency/{agency}/complaints_answered_within_standard.csv?lang=en"
    ).get_data(as_text=True)
    # The posted service level is judged like any other: each month met or missed.
    statuses = {row["status"] for row in csv.DictReader(io.StringIO(standard.lstrip("\ufeff")))}
    assert statuses and statuses <= {"met", "missed"}, statuses

    everything = "\n".join(answers)
    for comment in comments:
        assert comment not in everything, comment
    db.dispose_all()
