"""Drafts and internal notes reach no public page, download or cache entry (both databases).

Walks every page the public can reach (home, each agency, each service, methodology, the
quarterly review and its review pack's document) through the real router in both languages,
downloads every chart's CSV, and then looks in what was rendered, downloaded and cached for
anything only a draft or an internal note holds.
"""

from __future__ import annotations

import datetime as dt
import json

import plotly.utils
import pytest
import redis
from sqlalchemy import select

from callbacks.pages import page_for, page_view
from callbacks.router import render
from dashboard import db
from dashboard.db import session_scope
from dashboard.models import DRAFT, Action, Observation, Target
from dashboard.review_pack import pack_html
from dashboard.routes import resolve
from dashboard.settings import Settings
from data.demo import DRAFT_MARKER, generate_demo


def _secrets(url: str) -> tuple[list[str], set[str]]:
    """Texts only drafts or notes hold, and the (unit, metric, period end) of draft figures."""
    with session_scope(url) as session:
        actions = session.scalars(select(Action).where(Action.visibility == DRAFT)).all()
        texts = (
            [DRAFT_MARKER]
            + [a.title_en for a in actions]
            + [a.title_es for a in actions if a.title_es]
        )
        notes = session.scalars(
            select(Observation.internal_note).where(Observation.internal_note.is_not(None))
        ).all()
        texts += list(notes)
        drafts = (
            session.execute(select(Observation.period_end).where(Observation.visibility == DRAFT))
            .scalars()
            .all()
        )
        draft_targets = session.scalars(select(Target).where(Target.visibility == DRAFT)).all()
        texts += [t.promise_en for t in draft_targets if t.promise_en]
    return texts, {day.isoformat() for day in drafts}


def _public_paths(url: str) -> list[str]:
    from dashboard import queries

    paths = ["/", "/methodology", "/review"]
    for agency in queries.list_agencies(url):
        paths.append(f"/agency/{agency['slug']}")
        paths += [f"/agency/{agency['slug']}/{s['slug']}" for s in agency["services"]]
    return paths


@pytest.fixture
def demo_url(db_url):
    generate_demo(db_url, Settings(database_url=db_url))
    return db_url


def test_no_draft_on_any_page_or_download(demo_url, redis_url):
    settings = Settings(database_url=demo_url, cache_type="redis", cache_redis_url=redis_url)
    from dashboard.factory import create_app

    app = create_app(settings)
    client = app.server.test_client()
    texts, draft_days = _secrets(demo_url)
    draft_months = {day[:7] for day in draft_days}
    assert texts and draft_days, "the demo has drafts to hide"

    rendered: list[str] = []
    downloads = 0
    with app.server.test_request_context():
        for path in _public_paths(demo_url):
            for language in ("en", "es"):
                frame, _lang, found = render(settings, path, f"?lang={language}")
                assert found, path
                rendered.append(json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder))
                route = resolve(path)
                page = page_for(route)
                view, _status = page_view(settings, route, {"lang": language}, language)
                for chart in page.charts(view):
                    for trace in chart.traces:
                        if trace.kind == "line":
                            assert not _has_value_in(trace, draft_months), (path, chart.chart_id)
                    page_path = "" if path == "/" else path
                    response = client.get(
                        f"/download{page_path}/{chart.chart_id}.csv?lang={language}"
                    )
                    assert response.status_code == 200, (path, chart.chart_id)
                    rendered.append(response.get_data(as_text=True))
                    downloads += 1
    assert downloads > 0
    # The review pack is built from the review page's view: its whole document, both languages.
    with app.server.app_context():
        for language in ("en", "es"):
            review, _status = page_view(settings, resolve("/review"), {}, language)
            rendered.append(pack_html(review, {}, as_of=None))
    everything = "\n".join(rendered)
    for text in texts:
        assert text not in everything, text

    cache = redis.Redis.from_url(redis_url)
    keys = cache.keys("cxdash:*")
    assert keys, "pages were cached in Redis"
    cached = b"".join(cache.get(key) or b"" for key in keys)
    for text in texts:
        assert text.encode() not in cached, text
    db.dispose_all()


def _has_value_in(trace, months: set[str]) -> bool:
    return any(
        str(x)[:7] in months and y is not None for x, y in zip(trace.x, trace.y, strict=True)
    )


def test_draft_months_exist_only_as_drafts(demo_url):
    """Guard for the test above: the demo's draft month has no published figure."""
    _texts, draft_days = _secrets(demo_url)
    with session_scope(demo_url) as session:
        published_days = {
            day.isoformat()
            for day in session.scalars(
                select(Observation.period_end).where(Observation.visibility != DRAFT)
            )
        }
    assert draft_days - published_days
    assert all(dt.date.fromisoformat(day) for day in draft_days)
