"""Drafts and internal notes reach no API answer, CSV, ZIP or cache entry (both databases).

The open-data counterpart of ``test_no_drafts_leak``: walks every page of every API resource
in JSON and CSV, the catalog, the OpenAPI document, the data dictionary, the download-all
ZIP (every file in it) and the /data page in both languages, then looks in all of it, and in
everything cached in Redis, for what only a draft or an internal note holds.
"""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import urlsplit

import plotly.utils
import pytest
import redis
from sqlalchemy import select

from callbacks.router import render
from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import DRAFT, PUBLISHED, Observation
from tests.conftest import redis_pattern
from tests.integration.test_no_drafts_leak import (
    DRAFT_AGENCY_SLUG,
    _secrets,
    add_draft_catalogue,
    add_workspace_drafts,
)


@pytest.fixture
def demo_url(demo_copy_url: str) -> str:
    """A copy of the demo store (tests/demo_stores.py), with draft catalogue entries and the
    staff workspace's drafts, review notes and audit log."""
    add_draft_catalogue(demo_copy_url)
    add_workspace_drafts(demo_copy_url)
    return demo_copy_url


def _draft_only_days(url: str) -> set[str]:
    """Period ends that only draft figures have (the demo's draft month)."""
    with session_scope(url) as session:
        drafts = set(
            session.scalars(
                select(Observation.period_end).where(Observation.visibility == DRAFT)
            ).all()
        )
        published = set(
            session.scalars(
                select(Observation.period_end).where(Observation.visibility == PUBLISHED)
            ).all()
        )
    return {day.isoformat() for day in drafts - published}


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_no_draft_in_any_api_answer_download_or_cache(demo_url, redis_url, redis_key_prefix):
    settings = Settings(
        database_url=demo_url,
        cache_type="redis",
        cache_redis_url=redis_url,
        cache_key_prefix=redis_key_prefix,
    )
    from dashboard.web.factory import create_app

    app = create_app(settings)
    client = app.server.test_client()
    texts, _draft_days = _secrets(demo_url)
    draft_only = _draft_only_days(demo_url)
    assert texts and draft_only, "the demo has drafts to hide"

    answers: list[str] = []
    observation_ends: set[str] = set()
    for resource in open_data.RESOURCES:
        url: str | None = f"{resource.path}?limit={open_data.MAX_LIMIT}"
        while url:
            response = client.get(_local(url))
            assert response.status_code == 200, url
            answers.append(response.get_data(as_text=True))
            body = response.get_json()
            if resource is open_data.OBSERVATIONS:
                observation_ends |= {record["period_end"] for record in body["data"]}
            url = body["meta"]["links"]["next"]
        csv_url: str | None = f"{resource.csv_path}?limit={open_data.MAX_LIMIT}"
        while csv_url:
            response = client.get(_local(csv_url))
            assert response.status_code == 200, csv_url
            answers.append(response.get_data(as_text=True))
            link = response.headers.get("Link", "")
            csv_url = link[1 : link.index(">")] if 'rel="next"' in link else None
    assert observation_ends, "observations were walked"
    assert not observation_ends & draft_only, "a draft-only period reached the API"

    for path in (
        open_data.API_PREFIX,
        open_data.OPENAPI_PATH,
        open_data.DICTIONARY_PATH,
        open_data.DICTIONARY_PATH + ".csv",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        answers.append(response.get_data(as_text=True))

    archive = zipfile.ZipFile(io.BytesIO(client.get(open_data.ZIP_PATH).get_data()))
    for name in archive.namelist():
        answers.append(archive.read(name).decode("utf-8"))
    zipped_observations = archive.read("observations.csv").decode("utf-8")
    for day in draft_only:
        assert f",{day}," not in zipped_observations

    with app.server.test_request_context():
        for language in ("en", "es"):
            frame, _language, found = render(settings, "/data", f"?lang={language}")
            assert found
            answers.append(json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder))

    everything = "\n".join(answers)
    for text in texts:
        assert text not in everything, text
    # A draft unit or metric is unknown to the filters, like any name that is not public.
    for query in (f"unit={DRAFT_AGENCY_SLUG}", "metric=draft_only_metric_xq"):
        response = client.get(f"{open_data.OBSERVATIONS.path}?{query}")
        assert response.status_code == 400, query

    store = redis.Redis.from_url(redis_url)
    keys = store.keys(redis_pattern(redis_key_prefix + "api:"))
    assert any(b"api:zip:" in key for key in keys), "the ZIP was cached in Redis"
    assert any(b"api:observations:" in key for key in keys), "API pages were cached"
    cached = b"".join(store.get(key) or b"" for key in store.keys(redis_pattern(redis_key_prefix)))
    for text in texts:
        assert text.encode() not in cached, text
    db.dispose_all()
