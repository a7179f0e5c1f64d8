"""The staff preview of an agency page (issue 10, D6) on SQLite and PostgreSQL.

``/preview/agency/<slug>`` shows the public page as it will be once the agency's drafts are
published: drawn in a transaction where ``data.publication.publish_agency`` ran, then rolled
back. The drafts show there and nowhere else: not on the public page, not in the API, not
in any cache entry (SimpleCache and Redis), and the database is left exactly as it was.
Signed out, a preview URL leads to sign-in; staff of another agency get the 404 page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from dashboard.core.routes import previewed_path
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.cache import cache
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    DRAFT,
    GRANULARITIES,
    PUBLISHED,
    Action,
    AuditEntry,
    ImportRun,
    Metric,
    Observation,
    ObservationRevision,
    PendingRevision,
    Publication,
    Target,
    Unit,
)
from dashboard.web import staff_auth
from dashboard.web.factory import create_app
from data import accounts, publication
from data.agency_scope import agency_by_slug
from data.demo import DRAFT_MARKER
from tests.integration.test_speed import router_request

PASSWORD = "correct horse battery staple"
AGENCY = "dmv"
OTHER_AGENCY = "parks"
DRAFT_ACTION = "Preview marker qz91: a drafted action"
DRAFT_REASON = "Preview marker qz92: late returns were counted twice"
BANNER = "Preview: not published yet"
PARENT = aliased(Unit)


def add_drafts(url: str) -> int:
    """A draft action and a pending revision (with its reason) of a published figure of the
    agency; returns the revised observation's id."""
    with session_scope(url) as session:
        agency_id = agency_by_slug(session, AGENCY)
        assert agency_id is not None
        session.add(
            Action(
                unit_id=agency_id,
                status="planned",
                started_on=dt.date(2026, 10, 1),
                visibility=DRAFT,
                title_en=DRAFT_ACTION,
            )
        )
        observation = _shown_figure(session, agency_id)
        session.add(
            PendingRevision(
                observation_id=observation.id,
                raw_value=(observation.raw_value or 0) + 1,
                numerator=observation.numerator,
                denominator=observation.denominator,
                response_rate=observation.response_rate,
                score=observation.score,
                series_break=observation.series_break,
                reason=DRAFT_REASON,
            )
        )
        return observation.id


def _shown_figure(session: Any, unit_id: int) -> Observation:
    """The latest overall figure of a non-survey metric in its finest granularity (a point
    of a trend chart the agency page draws)."""
    rows = session.execute(
        select(Observation, Metric.is_survey)
        .join(Metric, Metric.id == Observation.metric_id)
        .where(
            Observation.unit_id == unit_id,
            Observation.visibility == PUBLISHED,
            Observation.segment_type == "",
            Observation.raw_value.is_not(None),
            Metric.visibility == PUBLISHED,
        )
    ).all()
    finest: dict[int, int] = {}
    for observation, _survey in rows:
        rank = GRANULARITIES.index(observation.granularity)
        finest[observation.metric_id] = min(finest.get(observation.metric_id, rank), rank)
    candidates = [
        observation
        for observation, survey in rows
        if not survey
        and GRANULARITIES.index(observation.granularity) == finest[observation.metric_id]
    ]
    assert candidates, "the demo agency publishes an administrative measure"
    return max(candidates, key=lambda o: (o.period_end, o.id))


def snapshot(url: str) -> dict[str, Any]:
    """What a preview must not change: counts of every table it writes, and the figures."""
    with session_scope(url) as session:
        counts = {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (
                Observation,
                ObservationRevision,
                PendingRevision,
                Action,
                Target,
                Publication,
                ImportRun,
                AuditEntry,
            )
        }
        counts["published"] = session.scalar(
            select(func.count(Observation.id)).where(Observation.visibility == PUBLISHED)
        )
        counts["published_actions"] = session.scalar(
            select(func.count(Action.id)).where(Action.visibility == PUBLISHED)
        )
        counts["values"] = session.scalar(select(func.sum(Observation.raw_value)))
    return counts


def add_user(url: str, username: str, role: str = "editor", **options: Any) -> int:
    with session_scope(url) as session:
        return accounts.create_user(session, username, role, password=PASSWORD, **options).id


def staff_app(settings: Settings) -> Any:
    """The app, with a route that signs a user in through ``staff_auth.start_session`` (the
    sign-in form is tested in test_staff_auth.py; here only the session matters)."""
    app = create_app(settings)

    @app.server.get("/_dash-test-sign-in/<int:user_id>")
    def test_sign_in(user_id: int) -> str:
        staff_auth.start_session(user_id, 1)
        return "signed in"

    return app


def sign_in(client: Any, user_id: int) -> None:
    response = client.get(f"/_dash-test-sign-in/{user_id}")
    assert response.status_code == 200, response.status_code


def layout(client: Any, page_url: str) -> tuple[str, Any]:
    response = client.get("/_dash-layout", headers={"Referer": "http://localhost" + page_url})
    assert response.status_code == 200
    return response.get_data(as_text=True), response


def routed(client: Any, path: str, search: str = "") -> str:
    response = client.post("/_dash-update-component", json=router_request(path, search, None))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def cached_bytes(app: Any) -> bytes:
    """Every entry of the app's page cache (SimpleCache or Redis), as stored."""
    backend = app.server.extensions["cache"][cache]
    if hasattr(backend, "_write_client"):
        client = backend._write_client
        keys = client.keys(backend.key_prefix + "*")
        assert keys, "pages were cached in Redis"
        return b"".join(client.get(key) or b"" for key in keys)
    entries = backend._cache
    assert entries, "pages were cached"
    return b"".join(value for _expires, value in entries.values())


def build_app(url: str, cache_kind: str, redis_url: str | None, key_prefix: str = "") -> Any:
    if cache_kind == "redis":
        # A key prefix of this test's own: other tests' entries are never read or removed.
        settings = Settings(
            database_url=url,
            cache_type="redis",
            cache_redis_url=redis_url,
            cache_key_prefix=key_prefix,
        )
    else:
        settings = Settings(database_url=url)
    return staff_app(settings)


def decoded(text: str) -> str:
    """A JSON body with its escapes undone (accents, quotes), for searching."""
    return json.dumps(json.loads(text), ensure_ascii=False)


@pytest.mark.parametrize("cache_kind", ["simple", "redis"])
def test_drafts_show_in_the_preview_and_nowhere_else(demo_copy_url, cache_kind, request):
    url = demo_copy_url
    redis_url = request.getfixturevalue("redis_url") if cache_kind == "redis" else None
    prefix = request.getfixturevalue("redis_key_prefix") if cache_kind == "redis" else ""
    add_drafts(url)
    editor = add_user(url, "dmv-editor", agencies=[AGENCY])
    app = build_app(url, cache_kind, redis_url, prefix)
    client = app.server.test_client()
    public = app.server.test_client()  # a visitor, never signed in

    before_text, _ = layout(public, f"/agency/{AGENCY}")
    assert DRAFT_ACTION not in decoded(before_text)
    sign_in(client, editor)
    before = snapshot(url)
    index = client.get(f"/preview/agency/{AGENCY}")
    assert index.status_code == 200
    assert index.headers["Cache-Control"] == "no-store"
    assert "noindex" in index.headers["X-Robots-Tag"]

    shown, response = layout(client, f"/preview/agency/{AGENCY}")
    shown = decoded(shown)
    assert BANNER in shown and DRAFT_ACTION in shown
    assert f"Reason: {DRAFT_REASON}" in shown  # beside the revised figure
    assert DRAFT_MARKER not in shown  # internal notes stay internal, even in a preview
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert response.headers["Cache-Control"] == "no-store"

    with session_scope(url) as session:
        service = session.scalars(
            select(Unit.slug)
            .join(Unit.parent.of_type(PARENT))
            .where(PARENT.slug == AGENCY, Unit.kind == "service")
        ).first()
    assert service is not None
    assert client.get(f"/preview/agency/{AGENCY}/{service}").status_code == 200
    service_page = decoded(layout(client, f"/preview/agency/{AGENCY}/{service}")[0])
    assert BANNER in service_page

    # The router callback (links inside the preview), in Spanish: the same preview.
    spanish = decoded(routed(client, f"/preview/agency/{AGENCY}", "?lang=es"))
    assert BANNER in spanish and DRAFT_ACTION in spanish
    assert f"Motivo: {DRAFT_REASON}" in spanish

    # Nothing of it anywhere public, before or after.
    for text in (
        layout(public, f"/agency/{AGENCY}")[0],
        routed(public, f"/agency/{AGENCY}"),
        routed(public, f"/agency/{AGENCY}", "?lang=es"),
        routed(public, "/changes"),
        layout(client, f"/agency/{AGENCY}")[0],  # staff see the public page as it is
    ):
        text = decoded(text)
        assert DRAFT_ACTION not in text and DRAFT_REASON not in text and BANNER not in text
    for resource in ("units", "targets", "observations", "actions"):
        body = public.get(f"/api/v1/{resource}.csv").get_data(as_text=True)
        assert DRAFT_ACTION not in body and DRAFT_REASON not in body, resource
    stored = cached_bytes(app)
    for marker in (DRAFT_ACTION, DRAFT_REASON, BANNER):
        assert marker.encode() not in stored, marker

    assert snapshot(url) == before  # rolled back: not one row more, less or changed
    db.dispose_all()


def test_signed_out_a_preview_leads_to_sign_in_and_reveals_nothing(demo_copy_url):
    add_drafts(demo_copy_url)
    client = create_app(Settings(database_url=demo_copy_url)).server.test_client()
    response = client.get(f"/preview/agency/{AGENCY}?lang=es")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in?next=/preview/agency/")
    for text in (
        layout(client, f"/preview/agency/{AGENCY}")[0],
        routed(client, f"/preview/agency/{AGENCY}"),
    ):
        text = decoded(text)
        assert DRAFT_ACTION not in text and BANNER not in text
        assert "Page not found" in text


def test_staff_of_another_agency_get_the_404_page(demo_copy_url):
    add_drafts(demo_copy_url)
    editor = add_user(demo_copy_url, "parks-editor", agencies=[OTHER_AGENCY])
    client = staff_app(Settings(database_url=demo_copy_url)).server.test_client()
    sign_in(client, editor)
    before = snapshot(demo_copy_url)
    assert client.get(f"/preview/agency/{AGENCY}").status_code == 404
    assert client.get("/preview/agency/no-such-agency").status_code == 404
    assert client.get("/preview/methodology").status_code == 404
    for text in (
        layout(client, f"/preview/agency/{AGENCY}")[0],
        routed(client, f"/preview/agency/{AGENCY}"),
    ):
        text = decoded(text)
        assert DRAFT_ACTION not in text and BANNER not in text
        assert "Page not found" in text
    # Their own agency they may preview.
    assert client.get(f"/preview/agency/{OTHER_AGENCY}").status_code == 200
    assert snapshot(demo_copy_url) == before


def test_an_agency_without_drafts_previews_as_its_published_page(demo_copy_url):
    with session_scope(demo_copy_url) as session:
        agencies = session.scalars(select(Unit).where(Unit.kind == "agency")).all()
        empty = next(
            agency.slug
            for agency in agencies
            if publication.pending_changes(session, agency.id).is_empty
        )
    admin = add_user(demo_copy_url, "admin-user", "admin")
    client = staff_app(Settings(database_url=demo_copy_url)).server.test_client()
    sign_in(client, admin)
    assert client.get(f"/preview/agency/{empty}").status_code == 200
    shown = decoded(layout(client, f"/preview/agency/{empty}")[0])
    assert "Preview: no drafts" in shown and "this is the published page" in shown
    assert BANNER not in shown


def test_the_preview_serves_the_public_apps_page(demo_copy_url):
    """Same index page (scripts and styles) as the public page: the public Dash app."""
    admin = add_user(demo_copy_url, "admin-user", "admin")
    client = staff_app(Settings(database_url=demo_copy_url)).server.test_client()
    sign_in(client, admin)
    preview = client.get(f"/preview/agency/{AGENCY}").get_data(as_text=True)
    public = client.get(f"/agency/{AGENCY}").get_data(as_text=True)
    # The public page's index also carries the page as plain HTML (its prerender, issue 13);
    # a preview's never does: its drafts stay in the staff member's session.
    assert 'id="prerender"' in public and 'id="prerender"' not in preview
    prerender = re.compile(r'<div id="prerender".*?(?=<div id="react-entry-point">)', re.S)
    public = prerender.sub("", public)
    assets = re.compile(r'(?:src|href)="([^"]+)"')
    assert assets.findall(preview) == assets.findall(public)


def test_preview_urls_name_agency_and_service_pages_only():
    assert previewed_path("/preview/agency/dmv") == "/agency/dmv"
    assert previewed_path("/preview/agency/dmv/titles/") == "/agency/dmv/titles"
    for path in ("/preview", "/preview/", "/preview/changes", "/preview/agency", "/agency/dmv"):
        assert previewed_path(path) is None, path
    assert previewed_path("/preview/agency/DMV") is None  # not a slug
    assert previewed_path("/preview/agency/dmv/a/b") is None
