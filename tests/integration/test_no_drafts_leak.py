"""Drafts and internal notes reach no public page, download or cache entry (both databases).

Walks every page the public can reach (home, each agency, each service, methodology, the
quarterly review and its review pack's document) through the real router in both languages,
downloads every chart's CSV, and then looks in what was rendered, downloaded and cached for
anything only a draft or an internal note holds. Besides the demo's drafts, the store gets a
draft agency (with a service), a draft metric, a draft contact point and a draft closure, as
a draft import leaves them: none may show anywhere, and the draft agency's address is a 404.

The staff workspace's drafts (issue 10) too: drafts written through its forms (a new action,
changes to a published action, contact point and target, a new closure), a pending revision
of a published figure with its reason and note, review comments, and an audit log naming
staff and an attacker's username; a preview of the agency is drawn first, so that nothing of
it may stay behind in a cache entry either.
"""

from __future__ import annotations

import datetime as dt
import json

import plotly.utils
import pytest
import redis
from sqlalchemy import select

from callbacks.router import render
from dashboard.core.routes import resolve
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    DRAFT,
    Action,
    Closure,
    ContactPoint,
    Metric,
    Observation,
    PendingRevision,
    Target,
    Unit,
    User,
)
from dashboard.views.review_pack import pack_html
from dashboard.web.pages import page_for, page_view
from data.demo import DRAFT_MARKER
from tests.conftest import redis_pattern

DRAFT_AGENCY_SLUG = "bureau-of-unpublished-harbours"


def add_draft_catalogue(url: str) -> None:
    """A draft agency with a draft service and a draft target, a draft metric, and a draft
    contact point and closure on a published agency: what a draft import leaves behind."""
    with session_scope(url) as session:
        agency = session.scalars(select(Unit).where(Unit.kind == "agency").limit(1)).one()
        draft_agency = Unit(
            slug=DRAFT_AGENCY_SLUG,
            kind="agency",
            name_en="Bureau of Unpublished Harbours",
            name_es="Oficina de Puertos Inéditos",
            description_en="Draft agency description xq-17",
            parent_id=agency.parent_id,
            visibility=DRAFT,
        )
        draft_service = Unit(
            slug="unpublished-harbour-permits",
            kind="service",
            name_en="Unpublished Harbour Permits",
            parent=draft_agency,
            visibility=DRAFT,
        )
        metric = Metric(
            code="draft_only_metric_xq",
            name_en="Draft-only measure of quayside waits",
            name_es="Medida borrador de esperas en el muelle",
            definition_en="Draft definition xq-23",
            dimension="timeliness",
            scale="fraction",
            direction="higher",
            visibility=DRAFT,
        )
        session.add_all([draft_agency, draft_service, metric])
        session.flush()
        period_start = dt.date(2024, 1, 1)
        session.add_all(
            [
                Target(
                    unit_id=draft_agency.id,
                    metric_id=metric.id,
                    value=0.9,
                    promise_en="Draft promise of the draft agency xq-31",
                    effective_from=period_start,
                    visibility=DRAFT,
                ),
            ]
        )
        point = ContactPoint(
            unit_id=agency.id,
            code="draft-hotline",
            channel="phone",
            label_en="Draft hotline for harbour permits xq-41",
            label_es="Línea borrador de permisos portuarios xq-41",
            value="+1 555 010 9941",
            visibility=DRAFT,
        )
        session.add(point)
        session.flush()
        today = dt.date.today()
        session.add_all(
            [
                Closure(
                    unit_id=agency.id,
                    code="draft-closure",
                    starts_on=today + dt.timedelta(days=3),
                    ends_on=today + dt.timedelta(days=4),
                    reason_en="Draft closure for quayside inventory xq-53",
                    reason_es="Cierre borrador por inventario xq-53",
                    visibility=DRAFT,
                ),
                # A published closure of a draft contact point is not public either.
                Closure(
                    unit_id=agency.id,
                    code="draft-point-closure",
                    contact_point_id=point.id,
                    starts_on=today + dt.timedelta(days=5),
                    ends_on=today + dt.timedelta(days=6),
                    reason_en="Hotline closed for the draft switchboard xq-59",
                ),
            ]
        )


#: The agency the workspace drafts below belong to (a demo agency).
WORKSPACE_AGENCY = "dmv"
#: Texts only the workspace's drafts, review notes and audit log hold.
WORKSPACE_SECRETS = (
    "Workspace draft action xq-63",
    "Acción borrador del espacio xq-63",
    "Workspace draft description xq-64",
    "Workspace internal note xq-65",
    "Edited published action xq-66",
    "Edited hotline label xq-67",
    "Workspace closure reason xq-68",
    "Workspace promise xq-69",
    "Pending revision reason xq-70",
    "Pending revision note xq-71",
    "Submitted for review xq-72",
    "Sent back because xq-73",
    "xq-editor-74",
    "Editor Display Name xq-75",
    "xq-attacker-76",
)


def add_workspace_drafts(url: str) -> None:
    """What the staff workspace leaves before publication, written by its own functions."""
    from data import accounts, audit, publication
    from data.agency_scope import agency_by_slug
    from data.drafts import content_rows, save_draft

    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    languages = ("en", "es")
    with session_scope(url) as session:
        agency_id = agency_by_slug(session, WORKSPACE_AGENCY)
        assert agency_id is not None
        editor = accounts.create_user(
            session,
            "xq-editor-74",
            "editor",
            password="correct horse battery staple",
            agencies=[WORKSPACE_AGENCY],
            display_name="Editor Display Name xq-75",
        )
        publisher = accounts.create_user(
            session,
            "xq-publisher",
            "publisher",
            password="correct horse battery staple",
            all_agencies=True,
        )
        session.flush()

        def save(kind: str, values: dict, row_id: int | None = None) -> None:
            result = save_draft(
                session,
                agency_id,
                kind,
                values,
                row_id=row_id,
                user_id=editor.id,
                now=now,
                languages=languages,
            )
            assert result.ok, (kind, result.problems)

        save(
            "actions",
            {
                "unit_id": str(agency_id),
                "title": {"en": WORKSPACE_SECRETS[0], "es": WORKSPACE_SECRETS[1]},
                "description": {"en": WORKSPACE_SECRETS[2]},
                "status": "planned",
                "started_on": "2026-12-01",
                "internal_note": WORKSPACE_SECRETS[3],
            },
        )
        published = {
            kind: next(
                r for r in content_rows(session, agency_id, kind) if r["state"] == "published"
            )
            for kind in ("actions", "contact_points", "targets")
        }
        action = dict(published["actions"])
        save(
            "actions",
            action | {"title": {**action["title"], "en": WORKSPACE_SECRETS[4]}},
            action["id"],
        )
        point = dict(published["contact_points"])
        save(
            "contact_points",
            point | {"label": {**point["label"], "en": WORKSPACE_SECRETS[5]}},
            point["id"],
        )
        target = dict(published["targets"])
        save(
            "targets",
            target | {"promise": {**(target.get("promise") or {}), "en": WORKSPACE_SECRETS[7]}},
            target["id"],
        )
        save(
            "closures",
            {
                "unit_id": str(agency_id),
                "starts_on": "2027-01-04",
                "ends_on": "2027-01-05",
                "reason": {"en": WORKSPACE_SECRETS[6]},
            },
        )
        figure = session.scalars(
            select(Observation)
            .where(Observation.unit_id == agency_id, Observation.visibility != DRAFT)
            .limit(1)
        ).one()
        session.add(
            PendingRevision(
                observation_id=figure.id,
                raw_value=(figure.raw_value or 0) + 0.5,
                numerator=figure.numerator,
                denominator=figure.denominator,
                response_rate=figure.response_rate,
                score=figure.score,
                series_break=figure.series_break,
                internal_note=WORKSPACE_SECRETS[9],
                reason=WORKSPACE_SECRETS[8],
            )
        )
        publication.submit_for_review(
            session, agency_id, user_id=editor.id, comment=WORKSPACE_SECRETS[10], now=now
        )
        publication.send_back(
            session, agency_id, user_id=publisher.id, comment=WORKSPACE_SECRETS[11], now=now
        )
        audit.record(
            session,
            "sign_in_failed",
            username=WORKSPACE_SECRETS[14],
            subject=WORKSPACE_SECRETS[14],
            ip="203.0.113.9",
            now=now,
        )


def _preview_workspace_agency(app, url: str) -> None:
    """Draw the agency's staff preview (drafts published in a transaction rolled back)."""
    from dashboard.web import staff_auth

    with session_scope(url) as session:
        publisher = session.scalars(select(User).where(User.username == "xq-publisher")).one()
        user_id, version = publisher.id, publisher.session_version

    @app.server.get("/_dash-test-leak-sign-in")
    def sign_in() -> str:
        staff_auth.start_session(user_id, version)
        return "signed in"

    client = app.server.test_client()
    assert client.get("/_dash-test-leak-sign-in").status_code == 200
    page = f"http://localhost/preview/agency/{WORKSPACE_AGENCY}"
    for search in ("", "?lang=es"):
        response = client.get("/_dash-layout", headers={"Referer": page + search})
        assert response.status_code == 200
        body = json.dumps(response.get_json(), ensure_ascii=False)
        # The preview does show the drafts: the walk below proves they stay there.
        assert WORKSPACE_SECRETS[0 if not search else 1] in body


def _secrets(url: str) -> tuple[list[str], set[str]]:
    """Texts only drafts or notes hold, and the (unit, metric, period end) of draft figures."""
    draft_texts: list[str] = []
    with session_scope(url) as session:
        for model in (Unit, Metric, ContactPoint, Closure):
            for row in session.scalars(select(model).where(model.visibility == DRAFT)):
                if getattr(row, "replaces_id", None) is not None:
                    # A workspace draft change copies the published row: only what it changes
                    # is secret (WORKSPACE_SECRETS), the rest is public already.
                    continue
                texts_of_row = [
                    getattr(row, name, None)
                    for name in (
                        "slug",
                        "code",
                        "name_en",
                        "name_es",
                        "description_en",
                        "definition_en",
                        "label_en",
                        "label_es",
                        "value",
                        "reason_en",
                        "reason_es",
                    )
                ]
                draft_texts.extend(
                    text
                    for text in texts_of_row
                    if isinstance(text, str) and len(text) > 8 and text != "draft-hotline"
                )
        draft_points = session.scalars(
            select(ContactPoint.id).where(ContactPoint.visibility == DRAFT)
        ).all()
        for closure in session.scalars(
            select(Closure).where(Closure.contact_point_id.in_(draft_points))
        ):
            draft_texts.append(closure.reason_en)
        actions = session.scalars(
            select(Action).where(Action.visibility == DRAFT, Action.replaces_id.is_(None))
        ).all()
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
    return texts + draft_texts + list(WORKSPACE_SECRETS), {day.isoformat() for day in drafts}


def _public_paths(url: str) -> list[str]:
    from dashboard.gateway import queries

    paths = ["/", "/methodology", "/review"]
    for agency in queries.list_agencies(url):
        paths.append(f"/agency/{agency['slug']}")
        paths += [f"/agency/{agency['slug']}/{s['slug']}" for s in agency["services"]]
    return paths


@pytest.fixture
def demo_url(demo_copy_url: str) -> str:
    """A copy of the demo store (tests/demo_stores.py), with draft catalogue entries."""
    add_draft_catalogue(demo_copy_url)
    add_workspace_drafts(demo_copy_url)
    return demo_copy_url


def test_no_draft_on_any_page_or_download(demo_url, redis_url, redis_key_prefix):
    settings = Settings(
        database_url=demo_url,
        cache_type="redis",
        cache_redis_url=redis_url,
        cache_key_prefix=redis_key_prefix,
        # Every page and download of the site from one client: more than a visitor's minute.
        page_rate_limit=0,
    )
    from dashboard.web.factory import create_app

    app = create_app(settings)
    _preview_workspace_agency(app, demo_url)
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
    # The draft agency has no page (and so neither has its service).
    with app.server.test_request_context():
        for path in (
            f"/agency/{DRAFT_AGENCY_SLUG}",
            f"/agency/{DRAFT_AGENCY_SLUG}/unpublished-harbour-permits",
        ):
            _frame, _lang, found = render(settings, path, "?lang=en")
            assert not found, path
    assert client.get(f"/download/agency/{DRAFT_AGENCY_SLUG}/csat_overall.csv").status_code == 404

    cache = redis.Redis.from_url(redis_url)
    keys = cache.keys(redis_pattern(redis_key_prefix))
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
