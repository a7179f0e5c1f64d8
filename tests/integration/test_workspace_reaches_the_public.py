"""From the workspace to the public: XLSX uploads, and a publication seen by every worker.

Two apps sharing one Redis cache stand for two workers (or two nodes): each caches the agency
page, a publisher publishes a drafted action, and the very next page each serves shows it.
The cache keys carry the published-data version, which the publication changes in the
database both workers read (``queries.data_status``); nothing has to reach the other worker.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import plotly.utils
import redis
from openpyxl import Workbook
from sqlalchemy import select

from callbacks.router import render
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import DRAFT, Observation, User
from dashboard.web.factory import create_app
from data import accounts, publication
from data.agency_scope import agency_by_slug
from data.drafts import save_draft
from data.workspace_upload import upload_results
from tests.conftest import redis_pattern
from tests.integration.test_import import HEADER, seed
from tests.integration.test_workspace_upload import agency_ids, upload

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
TITLE = "Evening phone hours for renewals"


def _worker(url: str, redis_url: str, prefix: str):
    settings = Settings(
        database_url=url, cache_type="redis", cache_redis_url=redis_url, cache_key_prefix=prefix
    )
    return create_app(settings), settings


def _agency_page(app, settings: Settings) -> str:
    with app.server.test_request_context():
        frame, _language, found = render(settings, "/agency/dmv", "?lang=en")
    assert found
    return json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def test_a_publication_shows_on_every_worker_at_once(
    demo_copy_url: str, redis_url: str, redis_key_prefix: str
):
    prefix = redis_key_prefix  # both workers share it, as a deployment's workers do
    workers = [_worker(demo_copy_url, redis_url, prefix) for _ in range(2)]
    with session_scope(demo_copy_url) as session:
        agency_id = agency_by_slug(session, "dmv")
        assert agency_id is not None
        editor = accounts.create_user(session, "ed", "editor", agencies=["dmv"])
        publisher = accounts.create_user(session, "pat", "publisher", all_agencies=True)
        session.flush()
        editor_id, publisher_id = editor.id, publisher.id

    for app, settings in workers:
        assert TITLE not in _agency_page(app, settings)
    store = redis.Redis.from_url(redis_url)
    assert store.keys(redis_pattern(prefix)), "the agency page was cached in Redis"

    with session_scope(demo_copy_url) as session:
        result = save_draft(
            session,
            agency_id,
            "actions",
            {
                "unit_id": str(agency_id),
                "title": {"en": TITLE, "es": "Horario telefónico de tarde"},
                "status": "in_progress",
                "started_on": "2026-10-01",
                "metrics": ["csat_overall"],
            },
            row_id=None,
            user_id=editor_id,
            now=NOW,
            languages=("en", "es"),
        )
        assert result.ok, result.problems
    # A draft: neither worker shows it (their cached pages stay right).
    for app, settings in workers:
        assert TITLE not in _agency_page(app, settings)

    with session_scope(demo_copy_url) as session:
        publication.publish_agency(session, agency_id, user_id=publisher_id, now=NOW)
    for app, settings in workers:
        assert TITLE in _agency_page(app, settings)
    db.dispose_all()


def test_an_xlsx_results_file_is_uploaded_like_a_csv(db_url: str, tmp_path: Path):
    seed(db_url)
    with session_scope(db_url) as session:
        editor = User(username="ed", role="editor")
        session.add(editor)
        session.flush()
        editor_id = editor.id
    dmv = agency_ids(db_url)["dmv"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["DMV", "Driver License Renewal", "csat_overall", "FY2024 Q1", 0.81, None, 1204])
    sheet.append(["dmv", None, "trust", "FY2024 Q1", "not a number"])
    path = tmp_path / "results.xlsx"
    workbook.save(path)

    refused = upload(db_url, path, editor_id, frozenset({dmv}))
    assert not refused.ok
    assert [(p.row, p.value) for p in refused.problems] == [(3, "not a number")]

    sheet.delete_rows(3)
    workbook.save(path)
    report = upload_results(
        db_url,
        path,
        settings=Settings(database_url=db_url),
        agency_scope=frozenset({dmv}),
        user_id=editor_id,
    )
    assert report.ok, report.to_text()
    assert report.inserted == 1
    with session_scope(db_url) as session:
        stored = session.scalars(select(Observation)).one()
        assert stored.visibility == DRAFT and stored.raw_value == 0.81
