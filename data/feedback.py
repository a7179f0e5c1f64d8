"""The write side of "Did this page help you?" (issue 14): storing an answer, finding the unit
a page is about, and clearing comments older than the retention period.

Answers are internal: nothing here is read by a public page, the API, a download or the
cache (staff read them in the workspace; published figures are counts, issue 14 part 3).
A comment arrives already masked (``dashboard.domain.feedback.mask_personal_data``); it is
masked again here so that no caller can store an unmasked one.
"""

from __future__ import annotations

import datetime as dt

import click
from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from dashboard.core.routes import resolve
from dashboard.domain.feedback import COMMENT_MAX_CHARS, mask_personal_data
from dashboard.infra.models import PUBLISHED, FeedbackResponse, Unit, utcnow


def record_feedback(
    session: Session,
    *,
    page_path: str,
    unit_id: int | None,
    language: str,
    helpful: bool,
    reason: str | None,
    comment: str | None,
    received_at: dt.datetime | None = None,
) -> FeedbackResponse:
    """Add one answer in ``session``'s transaction (flushed, so it has its id)."""
    masked = mask_personal_data(comment)[:COMMENT_MAX_CHARS] if comment else None
    row = FeedbackResponse(
        page_path=page_path,
        unit_id=unit_id,
        language=language,
        helpful=helpful,
        reason=reason,
        comment=masked or None,
        received_at=received_at or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def unit_of_page(session: Session, page_path: str) -> int | None:
    """The published agency or service a public page is about (its id), None for a page about
    the whole site (home, methodology...) or a unit the public may not see."""
    route = resolve(page_path)
    if route is None or route.page not in ("agency", "service"):
        return None
    agency_slug = route.params["agency"]
    if route.page == "agency":
        return session.scalar(
            select(Unit.id).where(
                Unit.slug == agency_slug, Unit.kind == "agency", Unit.visibility == PUBLISHED
            )
        )
    parent = aliased(Unit)
    return session.scalar(
        select(Unit.id)
        .join(parent, Unit.parent_id == parent.id)
        .where(
            Unit.slug == route.params["service"],
            Unit.kind == "service",
            Unit.visibility == PUBLISHED,
            parent.slug == agency_slug,
            parent.visibility == PUBLISHED,
        )
    )


def purge_old_comments(session: Session, *, now: dt.datetime, retention_days: int) -> int:
    """Clear the comment text of answers received more than ``retention_days`` days before
    ``now`` (the yes/no, reason and page stay for the counts). The number of comments
    cleared."""
    cutoff = now - dt.timedelta(days=retention_days)
    result = session.execute(
        update(FeedbackResponse)
        .where(FeedbackResponse.received_at < cutoff, FeedbackResponse.comment.is_not(None))
        .values(comment=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@click.command("feedback-purge")
def feedback_purge_command() -> None:
    """Clear feedback comments older than FEEDBACK_RETENTION_DAYS (run it daily from cron).

    The yes/no answers and reasons stay, for the counts; only the comment text is cleared.
    Each served process also does it on its own once a day, on an answer it receives.
    """
    from dashboard.infra.db import session_scope
    from data.commands import load_settings

    settings = load_settings()
    with session_scope(settings.database_url) as session:
        cleared = purge_old_comments(
            session,
            now=dt.datetime.now(dt.UTC),
            retention_days=settings.feedback_retention_days,
        )
    click.echo(
        f"Cleared {cleared} feedback comment(s) older than {settings.feedback_retention_days} days."
    )
