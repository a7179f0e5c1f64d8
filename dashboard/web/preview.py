"""The staff preview of an agency page (issue 10, D6): ``/preview/agency/<slug>[/<service>]``.

The public page exactly as it will look once the agency's drafts are published: the normal
view and layout code (``callbacks.router``) run inside :func:`previewing`, a database
transaction in which ``data.publication.publish_agency`` has published every draft of the
agency, and which is then rolled back. While it is open every read goes through that
transaction (``dashboard.infra.db.reading_through``) and the page cache is neither read nor
written (``dashboard.infra.cache.cached``), so no draft reaches a cache entry, another request
or the database.

Who may look: signed out, the staff guard (``web/staff_auth.py``) sends the browser to the
sign-in page; signed in without rights to the agency (or an unknown one), the answer is the
ordinary 404 page, so a preview URL reveals nothing. The Dash layout request and the router
callback check the same way (:func:`preview_target`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import flask
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from dashboard.core.languages import record_text
from dashboard.core.routes import previewed_path, resolve
from dashboard.core.settings import Settings
from dashboard.infra.db import get_engine, reading_through, session_scope
from dashboard.infra.models import Unit, load_texts, utcnow
from dashboard.web import staff_auth

#: Headers of every preview response: never indexed, never kept by any cache.
PREVIEW_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}


@dataclass(frozen=True)
class PreviewTarget:
    """A preview a signed-in staff member may see."""

    preview_path: str  # "/preview/agency/dmv"
    public_path: str  # "/agency/dmv"
    agency_id: int
    agency_slug: str
    staff_id: int


@dataclass(frozen=True)
class PreviewState:
    """What the preview's transaction found: whether there was anything to publish, why a
    publication would be refused (then the page is the published one), and the agency's
    name texts (``name_<language>``) as they will be published."""

    has_drafts: bool
    refusal: str | None = None
    agency_texts: dict[str, str | None] = field(default_factory=dict)

    def agency_name(self, language: str, fallback: str) -> str:
        return record_text(self.agency_texts, "name", language) or fallback


def is_preview_path(path: str | None) -> bool:
    return bool(path) and (path == "/preview" or str(path).startswith("/preview/"))


def preview_target(settings: Settings, path: str) -> PreviewTarget | None:
    """The preview ``path`` names, when the signed-in staff member may see it; None (the 404
    page) for a path that is no preview, an unknown agency, or an agency not theirs."""
    public = previewed_path(path)
    if public is None or not flask.has_request_context():
        return None
    staff = staff_auth.current_staff()
    if staff is None:
        return None
    route = resolve(public)
    if route is None:
        return None
    slug = route.params["agency"]
    with session_scope(settings.database_url) as session:
        agency_id = session.scalar(select(Unit.id).where(Unit.slug == slug, Unit.kind == "agency"))
    if agency_id is None or not staff.can_edit(agency_id):
        return None
    return PreviewTarget(
        preview_path=path.rstrip("/"),
        public_path=public,
        agency_id=agency_id,
        agency_slug=slug,
        staff_id=staff.id,
    )


@contextmanager
def previewing(settings: Settings, target: PreviewTarget) -> Iterator[PreviewState]:
    """Inside: every read sees the agency as it will be once its drafts are published.

    One connection, one transaction: the publication is written in it, the page is read
    through it, and it is rolled back on the way out whatever happens. The Sessions never
    commit it ("rollback_only"): ``publish_agency`` works in its caller's transaction, and a
    stray ``commit()`` would still not reach the database. A publication that would be
    refused (nothing to publish, or a draft it cannot apply) leaves the published page, with
    the reason; ``require_second_approver`` never applies to a preview.
    """
    # Imported here: the write side is only needed while a preview is drawn.
    from data import publication

    with get_engine(settings.database_url).connect() as connection:
        transaction = connection.begin()
        try:
            refusal: str | None = None
            with _session(connection) as session:
                try:
                    publication.publish_agency(
                        session,
                        target.agency_id,
                        user_id=target.staff_id,
                        now=utcnow(),
                        source="workspace",
                        require_second_approver=False,
                    )
                    session.flush()
                except publication.PublicationRefused as error:
                    refusal = str(error)
            if refusal is not None:
                # Whatever it wrote before refusing goes: the page is the published one.
                transaction.rollback()
                transaction = connection.begin()
            with _session(connection) as session:
                texts = load_texts(session, Unit, [target.agency_id]).get(target.agency_id, {})
                has_drafts = refusal is None or not (
                    publication.pending_changes(session, target.agency_id).is_empty
                )
            state = PreviewState(
                has_drafts=has_drafts,
                refusal=refusal if has_drafts else None,
                agency_texts=dict(texts),
            )
            with reading_through(connection):
                yield state
        finally:
            if transaction.is_active:
                transaction.rollback()


@contextmanager
def _session(connection: Connection) -> Iterator[Session]:
    session = Session(
        bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only"
    )
    try:
        yield session
    finally:
        session.close()


def mark_response(response: flask.Response) -> flask.Response:
    """Add :data:`PREVIEW_HEADERS` to a response that holds (or may hold) a preview."""
    for name, value in PREVIEW_HEADERS.items():
        response.headers[name] = value
    return response
