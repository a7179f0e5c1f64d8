"""The audit log (issue 10): who did what, when, from where.

Entries are added in the caller's transaction, so an action and its entry are written
together or not at all. The table is append-only: database triggers refuse UPDATE and DELETE
(``dashboard.infra.models``, migration 0004). Only admins read it (the staff workspace) and
export it as CSV; it never reaches a public page, API or cache.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dashboard.domain.csv_cells import safe_cell
from dashboard.infra.models import AuditEntry, Unit, utcnow

_Query = TypeVar("_Query", bound=Select)

#: The actions the code records (docs/staff-workspace.md explains each).
AUDIT_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_locked",
    "sign_out",
    "upload",
    "upload_rejected",
    "edit",
    "discard",
    "submit",
    "send_back",
    "publish",
    "publish_refused",
    "user_added",
    "role_changed",
    "user_disabled",
    "user_enabled",
    "password_set",
    "audit_exported",
    "cli_publish",
    "feedback_status",
    "feedback_action_linked",
    "feedback_excerpt",
    "feedback_excerpt_published",
    "feedback_excerpt_withdrawn",
    "feedback_exported",
)

#: Column widths of ``audit_log`` (longer text is cut, never refused: the log must be written).
_LIMITS = {"username": 120, "action": 40, "subject": 500, "ip": 64, "user_agent": 300}
#: Largest ``detail`` kept, as JSON text.
DETAIL_MAX_CHARS = 8000

#: The CSV export's columns, in order.
CSV_COLUMNS = (
    "id",
    "at",
    "username",
    "user_id",
    "action",
    "agency",
    "agency_id",
    "subject",
    "detail",
    "ip",
    "user_agent",
)


def _cut(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _detail(detail: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if detail is None:
        return None
    text = json.dumps(dict(detail), default=str, ensure_ascii=False)
    if len(text) > DETAIL_MAX_CHARS:
        return {"truncated": text[:DETAIL_MAX_CHARS]}
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def record(
    session: Session,
    action: str,
    *,
    user_id: int | None = None,
    username: str | None = None,
    agency_id: int | None = None,
    subject: str | None = None,
    detail: Mapping[str, Any] | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Add one entry to the log, in the caller's transaction."""
    if not action:
        raise ValueError("an audit entry needs an action")
    session.add(
        AuditEntry(
            at=now or utcnow(),
            user_id=user_id,
            username=_cut(username, _LIMITS["username"]),
            action=_cut(action, _LIMITS["action"]),
            agency_id=agency_id,
            subject=_cut(subject, _LIMITS["subject"]),
            detail=_detail(detail),
            ip=_cut(ip, _LIMITS["ip"]),
            user_agent=_cut(user_agent, _LIMITS["user_agent"]),
        )
    )
    session.flush()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _filtered(
    query: _Query,
    *,
    action: str | None,
    username: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    agency_id: int | None = None,
) -> _Query:
    if action:
        query = query.where(AuditEntry.action == action)
    if username:
        query = query.where(AuditEntry.username == username.strip().lower())
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if agency_id is not None:
        query = query.where(AuditEntry.agency_id == agency_id)
    return query


def entries(
    session: Session,
    *,
    limit: int = 100,
    offset: int = 0,
    action: str | None = None,
    username: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    agency_id: int | None = None,
) -> list[dict[str, Any]]:
    """Entries, newest first, as plain dicts (``at`` in ISO 8601 UTC; ``agency``: its slug)."""
    query = _filtered(
        select(AuditEntry, Unit.slug).outerjoin(Unit, Unit.id == AuditEntry.agency_id),
        action=action,
        username=username,
        since=since,
        until=until,
        agency_id=agency_id,
    )
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    query = query.limit(max(0, min(limit, 100_000))).offset(max(0, offset))
    rows = []
    for entry, slug in session.execute(query):
        rows.append(
            {
                "id": entry.id,
                "at": _aware(entry.at).isoformat(),
                "user_id": entry.user_id,
                "username": entry.username,
                "action": entry.action,
                "agency_id": entry.agency_id,
                "agency": slug,
                "subject": entry.subject,
                "detail": entry.detail,
                "ip": entry.ip,
                "user_agent": entry.user_agent,
            }
        )
    return rows


def count_entries(
    session: Session,
    *,
    action: str | None = None,
    username: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    agency_id: int | None = None,
) -> int:
    """How many entries :func:`entries` would give with these filters and no limit."""
    query = _filtered(
        select(func.count(AuditEntry.id)),
        action=action,
        username=username,
        since=since,
        until=until,
        agency_id=agency_id,
    )
    return int(session.scalar(query) or 0)


def csv_cell(value: Any) -> str:
    """A value as CSV text that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, Mapping | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    # CSV injection: the one rule every CSV of the app follows (dashboard.domain.csv_cells).
    return str(safe_cell(text))


def entries_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """``rows`` (from :func:`entries`) as CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()
