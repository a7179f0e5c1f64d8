"""What the staff workspace's pages read and do, each in one transaction (issue 10, part 2).

The staff callbacks (``callbacks/staff/``) may not open a session (tests/unit/test_layers.py),
so every page's read and every change goes through one function here. Each takes the signed-in
:class:`~data.accounts.StaffMember` the server loaded for this request and checks its rights on
the agency the SERVER finds (from the slug, or from the row's unit), never on an id the browser
sent alone; a refusal raises :class:`StaffRefused` with the words to show, and nothing changes.
Every change writes its audit entry in the same transaction as the change.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.core.settings import Settings
from dashboard.infra.db import session_scope
from dashboard.infra.models import Unit, utcnow
from data import audit as audit_log
from data.accounts import StaffMember
from data.agency_scope import agency_by_slug

#: The kinds of content in URLs (``/staff/content/contact-points``) and in data.drafts.
CONTENT_KINDS = {
    "actions": "actions",
    "contact-points": "contact_points",
    "closures": "closures",
    "targets": "targets",
}
#: What each kind of content is called on its page.
CONTENT_TITLES = {
    "actions": "Actions taken",
    "contact_points": "Contact points and opening hours",
    "closures": "Closures",
    "targets": "Targets and promises",
}
ROLES = ("editor", "publisher", "admin")
AUDIT_PAGE_SIZE = 50


class StaffRefused(Exception):
    """The request is not allowed (or names nothing this member may see); nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_YOURS = "That agency is not one you work for, or it does not exist."


@dataclass(frozen=True)
class AgencyChoice:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class AgencyStatus:
    """An agency on the home page: its drafts and where they stand."""

    id: int
    slug: str
    name: str
    draft_count: int
    #: "no drafts", "in progress", "submitted" or "sent back"
    state: str
    comment: str | None = None
    comment_by: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a change did: ``ok``, the message to show, and field problems for a form."""

    ok: bool
    message: str
    problems: tuple[dict[str, Any], ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    row_id: int | None = None


@contextmanager
def _transaction(settings: Settings) -> Iterator[Session]:
    with session_scope(settings.database_url) as session:
        yield session


def record(
    session: Session,
    staff: StaffMember,
    action: str,
    *,
    agency_id: int | None = None,
    subject: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """An audit entry for ``staff``'s action, in the caller's transaction (with the client's
    address and browser when there is a request)."""
    ip, user_agent = _origin()
    audit_log.record(
        session,
        action,
        user_id=staff.id,
        username=staff.username,
        agency_id=agency_id,
        subject=subject,
        detail=detail,
        ip=ip,
        user_agent=user_agent,
    )


def _origin() -> tuple[str | None, str | None]:
    """The client's address and browser, for the audit log (none outside a request)."""
    import flask

    if not flask.has_request_context():
        return None, None
    from dashboard.web.staff_auth import client_address

    return client_address(), flask.request.headers.get("User-Agent")


# --- agencies ----------------------------------------------------------------------------


def _agency_rows(session: Session, staff: StaffMember) -> list[AgencyChoice]:
    query = select(Unit).where(Unit.kind == "agency").order_by(Unit.slug)
    scope = staff.agency_scope
    if scope is not None:
        if not scope:
            return []
        query = query.where(Unit.id.in_(sorted(scope)))
    return [
        AgencyChoice(unit.id, unit.slug, unit.text("name", "en") or unit.slug)
        for unit in session.scalars(query)
    ]


def agencies(settings: Settings, staff: StaffMember) -> list[AgencyChoice]:
    """The agencies ``staff`` works for, by slug."""
    with _transaction(settings) as session:
        return _agency_rows(session, staff)


def _agency(session: Session, staff: StaffMember, slug: str | None) -> AgencyChoice:
    """The agency with this slug when ``staff`` works for it; else :class:`StaffRefused`."""
    agency_id = agency_by_slug(session, slug) if slug else None
    if agency_id is None or not staff.can_edit(agency_id):
        raise StaffRefused(NOT_YOURS)
    unit = session.get(Unit, agency_id)
    assert unit is not None
    return AgencyChoice(unit.id, unit.slug, unit.text("name", "en") or unit.slug)


def all_agency_choices(settings: Settings) -> list[AgencyChoice]:
    """Every agency (the users page offers them to an admin)."""
    with _transaction(settings) as session:
        return [
            AgencyChoice(unit.id, unit.slug, unit.text("name", "en") or unit.slug)
            for unit in session.scalars(
                select(Unit).where(Unit.kind == "agency").order_by(Unit.slug)
            )
        ]


# --- home --------------------------------------------------------------------------------


def _state(drafts: Any) -> tuple[str, str | None, str | None]:
    """(state, comment, who wrote it) of a publication.AgencyDrafts."""
    review = drafts.review
    if review is not None and review.kind == "sent_back":
        return "sent back", review.comment, review.username
    if review is not None and review.kind == "submitted":
        return "submitted", review.comment, review.username
    return "in progress", None, None


def home(settings: Settings, staff: StaffMember) -> list[AgencyStatus]:
    """The agencies ``staff`` works for, with their drafts and review state."""
    from data import publication

    with _transaction(settings) as session:
        mine = _agency_rows(session, staff)
        found = {
            item.agency_id: item
            for item in publication.agencies_with_drafts(session, staff.agency_scope)
        }
        statuses = []
        for agency in mine:
            item = found.get(agency.id)
            if item is None or not item.total:
                statuses.append(AgencyStatus(agency.id, agency.slug, agency.name, 0, "no drafts"))
                continue
            state, comment, by = _state(item)
            statuses.append(
                AgencyStatus(
                    agency.id,
                    agency.slug,
                    agency.name,
                    int(item.total),
                    state,
                    comment=comment,
                    comment_by=by,
                )
            )
        return statuses


# --- upload ------------------------------------------------------------------------------


def shipped_mappings() -> list[tuple[str, str]]:
    """(value, label) of the mappings that ship with cxdash: the value is the file's name."""
    from data import workspace_upload

    return [(path.name, name) for name, path in workspace_upload.shipped_mappings()]


def _shipped_mapping_path(value: str) -> Path | None:
    from data import workspace_upload

    return next(
        (path for _name, path in workspace_upload.shipped_mappings() if path.name == value), None
    )


def decode_upload(contents: str | None, max_mb: int) -> bytes:
    """The bytes of a ``dcc.Upload`` data URL; :class:`StaffRefused` when too big or broken."""
    if not contents or "," not in contents:
        raise StaffRefused("Choose a file first.")
    _header, _, encoded = contents.partition(",")
    # base64 is 4 characters for 3 bytes: refuse before decoding a huge body.
    if len(encoded) * 3 // 4 > max_mb * 1024 * 1024 + 3:
        raise StaffRefused(f"The file is larger than {max_mb} MB, the largest this site takes.")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise StaffRefused("The file could not be read; choose it again.") from None


@dataclass(frozen=True)
class UploadReport:
    ok: bool
    dry_run: bool
    message: str
    problems: tuple[dict[str, str], ...]
    counts: dict[str, int]


def _report_rows(report: Any) -> tuple[dict[str, str], ...]:
    rows = []
    for problem in getattr(report, "problems", ()) or ():
        rows.append(
            {
                # The results file, or the mapping when the problem is in the mapping.
                "file": str(getattr(problem, "file", None) or getattr(report, "file", "") or ""),
                "row": "" if getattr(problem, "row", None) is None else str(problem.row),
                "column": str(getattr(problem, "column", "") or ""),
                "value": str(getattr(problem, "value", "") or ""),
                "reason": str(getattr(problem, "reason", "") or ""),
            }
        )
    return tuple(rows)


def _report_counts(report: Any) -> dict[str, int]:
    return {
        "rows_read": int(report.rows_read),
        "rows_inserted": int(report.inserted),
        "rows_revised": int(report.revised) + int(report.pending_revisions),
        "rows_unchanged": int(report.unchanged),
    }


def upload_results(
    settings: Settings,
    staff: StaffMember,
    *,
    agency_slug: str | None,
    file_name: str | None,
    contents: str | None,
    mapping_name: str | None,
    mapping_contents: str | None,
    reason: str | None,
    dry_run: bool,
    mapping_file_name: str | None = None,
) -> UploadReport:
    """Check (``dry_run``) or save as drafts a results file for one of ``staff``'s agencies."""
    from data import workspace_upload

    with _transaction(settings) as session:
        agency = _agency(session, staff, agency_slug)
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise StaffRefused("Choose a CSV or XLSX file (its name ends in .csv or .xlsx).")
    body = decode_upload(contents, settings.upload_max_mb)
    ip, user_agent = _origin()
    with tempfile.TemporaryDirectory(prefix="cxdash-upload-") as folder:
        # The file keeps its own name (reports name it) but never its path.
        safe_name = Path(file_name or f"upload{suffix}").name
        path = Path(folder) / safe_name
        path.write_bytes(body)
        mapping_path: Path | None = None
        if mapping_contents:
            # Its own name too (problems in it name it), in a folder of its own.
            mapping_path = Path(folder) / "mapping" / Path(mapping_file_name or "mapping.toml").name
            mapping_path.parent.mkdir()
            mapping_path.write_bytes(decode_upload(mapping_contents, 1))
        elif mapping_name:
            mapping_path = _shipped_mapping_path(mapping_name)
            if mapping_path is None:
                raise StaffRefused("Choose one of the mappings offered.")
        report = workspace_upload.upload_results(
            settings.database_url,
            path,
            settings=settings,
            agency_scope=frozenset({agency.id}),
            user_id=staff.id,
            mapping_path=mapping_path,
            reason=(reason or "").strip() or None,
            dry_run=dry_run,
            ip=ip,
            user_agent=user_agent,
        )
    problems = _report_rows(report)
    counts = _report_counts(report)
    ok = bool(report.ok) and not problems
    if not ok:
        message = f"{len(problems)} problem(s) found: nothing was saved."
    elif dry_run:
        message = "The file is clean: you can save it as drafts."
    else:
        message = f"Saved as drafts for {agency.name}."
    return UploadReport(ok, dry_run, message, problems, counts)


# --- content forms -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContentPage:
    agency: AgencyChoice
    kind: str
    rows: list[dict[str, Any]]
    options: Any


def content_page(
    settings: Settings, staff: StaffMember, agency_slug: str | None, kind: str
) -> ContentPage:
    from data import drafts

    with _transaction(settings) as session:
        agency = _agency(session, staff, agency_slug)
        rows = drafts.content_rows(session, agency.id, kind, language="en")
        options = drafts.options_for(session, agency.id)
        return ContentPage(agency, kind, list(rows), options)


def _check_row(session: Session, agency_id: int, kind: str, row_id: int | None) -> None:
    """The row must be one of the agency's rows of ``kind`` (the server looks it up)."""
    from data import drafts

    if row_id is None:
        return
    ids = {row["id"] for row in drafts.content_rows(session, agency_id, kind, language="en")}
    if row_id not in ids:
        raise StaffRefused("That row is not one of this agency's; nothing was changed.")


def save_content(
    settings: Settings,
    staff: StaffMember,
    agency_slug: str | None,
    kind: str,
    values: dict[str, Any],
    row_id: int | None,
) -> Outcome:
    """Save a draft (data.drafts writes the audit entry "edit" in the same transaction)."""
    from dashboard.core.languages import content_languages
    from data import drafts

    if kind not in CONTENT_TITLES:
        raise StaffRefused("There is no such kind of content.")
    with _transaction(settings) as session:
        agency = _agency(session, staff, agency_slug)
        _check_row(session, agency.id, kind, row_id)
        result = drafts.save_draft(
            session,
            agency.id,
            kind,
            values,
            row_id=row_id,
            user_id=staff.id,
            now=utcnow(),
            languages=content_languages(),
        )
        if not result.ok:
            session.rollback()
            problems = tuple(
                {
                    "field": p.field,
                    "language": p.language,
                    "value": "" if p.value is None else str(p.value),
                    "reason": p.reason,
                }
                for p in result.problems
            )
            return Outcome(False, result.summary or "Nothing saved.", problems)
        return Outcome(True, result.summary or "Draft saved.", (), row_id=result.row_id)


def discard_content(
    settings: Settings, staff: StaffMember, agency_slug: str | None, kind: str, row_id: int
) -> Outcome:
    """Discard a draft (data.drafts writes the audit entry "discard")."""
    from data import drafts

    if kind not in CONTENT_TITLES:
        raise StaffRefused("There is no such kind of content.")
    with _transaction(settings) as session:
        agency = _agency(session, staff, agency_slug)
        _check_row(session, agency.id, kind, row_id)
        done = drafts.discard_draft(
            session, agency.id, kind, row_id, user_id=staff.id, now=utcnow()
        )
        if not done:
            session.rollback()
            return Outcome(False, "Only a draft can be discarded; nothing was changed.")
    return Outcome(True, "Draft discarded.")


# --- review ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    agency: AgencyChoice
    draft_count: int
    state: str
    comment: str | None
    #: section (new_figures, revised_figures, targets, actions, ...) -> table rows
    changes: dict[str, list[dict[str, Any]]]
    #: The drafts' fingerprint when read: publishing checks they are still those.
    version: str = ""


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def _terms_text(terms: Any) -> str:
    if terms is None:
        return ""
    if terms.kind == "numeric":
        what = f"{terms.comparator} {_number(terms.value)}"
    else:
        what = terms.text.get("en") or next(iter(terms.text.values()), "") or terms.kind
    until = f" until {terms.effective_to.isoformat()}" if terms.effective_to else ""
    return f"{what} (from {terms.effective_from.isoformat()}{until})"


def _change_tables(changes: Any) -> dict[str, list[dict[str, Any]]]:
    """A publication.ChangeSet as plain table rows, in words."""

    def figure(change: Any, revised: bool) -> dict[str, Any]:
        row = {
            "unit": change.unit_name,
            "metric": change.metric_name or change.metric_code,
            "period": change.period_label,
            "segment": f"{change.segment_type}: {change.segment_value}"
            if change.segment_type
            else "",
        }
        if revised:
            row.update(
                old=_number(change.old_value),
                new=_number(change.new_value),
                reason=change.reason or "",
            )
        else:
            row["value"] = _number(change.new_value)
        row["author"] = change.author or ""
        return row

    def shown(value: Any) -> str:
        if value is None or value == "":
            return "(empty)"
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value) or "(none)"
        return str(value)

    def content(change: Any) -> dict[str, Any]:
        fields = "; ".join(
            f"{item.field.replace('_', ' ')}: {shown(item.new)}"
            if item.old is None
            else f"{item.field.replace('_', ' ')}: {shown(item.old)} → {shown(item.new)}"
            for item in change.changes
        )
        return {
            "unit": change.unit_name,
            "label": change.label,
            "change": change.state,
            "fields": fields,
            "author": change.author or "",
        }

    return {
        "new_figures": [figure(c, False) for c in changes.new_figures],
        "revised_figures": [figure(c, True) for c in changes.revised_figures],
        "targets": [
            {
                "unit": c.unit_name,
                "metric": c.metric_name or c.metric_code,
                "old": _terms_text(c.old),
                "new": _terms_text(c.new),
                "author": c.author or "",
            }
            for c in changes.targets
        ],
        "actions": [content(c) for c in changes.actions],
        "contact_points": [content(c) for c in changes.contact_points],
        "closures": [content(c) for c in changes.closures],
    }


def review(settings: Settings, staff: StaffMember) -> list[ReviewItem]:
    """The agencies with drafts that ``staff`` may see, with what publication would change."""
    from data import publication

    with _transaction(settings) as session:
        items = []
        for drafts in publication.agencies_with_drafts(session, staff.agency_scope):
            if not staff.can_edit(drafts.agency_id) or not drafts.total:
                continue
            changes = publication.pending_changes(session, drafts.agency_id, language="en")
            state, comment, _by = _state(drafts)
            items.append(
                ReviewItem(
                    AgencyChoice(drafts.agency_id, drafts.slug, drafts.name),
                    int(drafts.total),
                    state,
                    comment,
                    _change_tables(changes),
                    publication.drafts_version(session, drafts.agency_id),
                )
            )
        return items


def _words(error: Exception) -> str:
    text = str(error) or "Refused."
    if "second approver" in text:
        return "You drafted some of these changes; another publisher must approve."
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def publish(
    settings: Settings,
    staff: StaffMember,
    agency_slug: str,
    note: str | None,
    version: str | None,
) -> Outcome:
    """Publish the agency's drafts as the publisher read them (``version``: the fingerprint
    shown with the review; publication.publish_agency writes its own audit entry)."""
    from data import publication

    refusal: str | None = None
    with _transaction(settings) as session:
        agency = _agency(session, staff, agency_slug)
        if not staff.can_publish(agency.id):
            raise StaffRefused("Only a publisher for this agency may publish it.")
        if not version:
            raise StaffRefused("Open the review again: what will be published is not known.")
        try:
            with session.begin_nested():
                publication.publish_agency(
                    session,
                    agency.id,
                    user_id=staff.id,
                    now=utcnow(),
                    note=(note or "").strip() or None,
                    require_second_approver=settings.require_second_approver,
                    expected_version=version,
                )
        except publication.PublicationRefused as error:
            refusal = _words(error)
            record(
                session,
                staff,
                "publish_refused",
                agency_id=agency.id,
                subject=agency.slug,
                detail={"reason": str(error)},
            )
    if refusal is not None:
        return Outcome(False, refusal)
    return Outcome(True, f"{agency.name}: published.")


def send_back(settings: Settings, staff: StaffMember, agency_slug: str, comment: str) -> Outcome:
    """Send the drafts back with a comment (publication.send_back writes the audit entry)."""
    from data import publication

    comment = (comment or "").strip()
    if not comment:
        return Outcome(False, "Write a comment: the editors need to know what to change.")
    with _transaction(settings) as session:
        agency = _agency(session, staff, agency_slug)
        if not staff.can_publish(agency.id):
            raise StaffRefused("Only a publisher for this agency may send its drafts back.")
        try:
            publication.send_back(
                session, agency.id, user_id=staff.id, comment=comment, now=utcnow()
            )
        except publication.PublicationRefused as error:
            session.rollback()
            return Outcome(False, _words(error))
    return Outcome(True, f"{agency.name}: sent back to the editors.")


def submit_for_review(
    settings: Settings, staff: StaffMember, agency_slug: str, comment: str | None
) -> Outcome:
    """Say the drafts are ready (publication.submit_for_review writes the audit entry)."""
    from data import publication

    with _transaction(settings) as session:
        agency = _agency(session, staff, agency_slug)
        try:
            publication.submit_for_review(
                session,
                agency.id,
                user_id=staff.id,
                comment=(comment or "").strip() or None,
                now=utcnow(),
            )
        except publication.PublicationRefused as error:
            session.rollback()
            return Outcome(False, _words(error))
    return Outcome(True, f"{agency.name}: submitted for review.")


# --- users (admins) ----------------------------------------------------------------------


def _admin(staff: StaffMember) -> None:
    if not staff.is_admin:
        raise StaffRefused("Only an administrator may do this.")


def users(settings: Settings, staff: StaffMember) -> list[dict[str, Any]]:
    from data import accounts

    _admin(staff)
    with _transaction(settings) as session:
        return accounts.list_users(session)


def add_user(
    settings: Settings,
    staff: StaffMember,
    *,
    username: str,
    role: str,
    agencies: list[str],
    all_agencies: bool,
    email: str | None,
    display_name: str | None,
    password: str | None,
) -> Outcome:
    from data import accounts

    _admin(staff)
    try:
        with _transaction(settings) as session:
            user = accounts.create_user(
                session,
                username,
                role,
                password=password or None,
                agencies=agencies,
                all_agencies=all_agencies,
                email=(email or "").strip() or None,
                display_name=(display_name or "").strip() or None,
            )
            session.flush()
            record(
                session,
                staff,
                "user_added",
                subject=user.username,
                detail={
                    "role": role,
                    "agencies": sorted(agencies),
                    "all_agencies": all_agencies,
                    "password": bool(password),
                },
            )
            name = user.username
    except accounts.AccountError as error:
        return Outcome(False, str(error))
    return Outcome(True, f"Account {name} added.")


def change_role(
    settings: Settings,
    staff: StaffMember,
    *,
    username: str,
    role: str,
    agencies: list[str],
    all_agencies: bool,
) -> Outcome:
    from data import accounts

    _admin(staff)
    try:
        with _transaction(settings) as session:
            user = accounts.set_role(
                session, username, role, agencies=agencies, all_agencies=all_agencies
            )
            record(
                session,
                staff,
                "role_changed",
                subject=user.username,
                detail={"role": role, "agencies": sorted(agencies), "all_agencies": all_agencies},
            )
    except accounts.AccountError as error:
        return Outcome(False, str(error))
    return Outcome(True, f"{username}: role and agencies changed.")


def set_disabled(settings: Settings, staff: StaffMember, username: str, disabled: bool) -> Outcome:
    from data import accounts

    _admin(staff)
    if disabled and username == staff.username:
        return Outcome(False, "You cannot disable your own account.")
    try:
        with _transaction(settings) as session:
            if disabled:
                user = accounts.disable_user(session, username)
            else:
                user = accounts.enable_user(session, username)
            record(
                session,
                staff,
                "user_disabled" if disabled else "user_enabled",
                subject=user.username,
            )
    except accounts.AccountError as error:
        return Outcome(False, str(error))
    return Outcome(True, f"{username}: {'disabled' if disabled else 'enabled'}.")


# --- audit log (admins) --------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    username: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def arguments(self) -> dict[str, Any]:
        return {
            "action": self.action or None,
            "username": (self.username or "").strip() or None,
            "since": (
                dt.datetime.combine(self.since, dt.time(), tzinfo=dt.UTC) if self.since else None
            ),
            # "until" names a whole day: everything before the next midnight.
            "until": (
                dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
                if self.until
                else None
            ),
        }


def audit_page(
    settings: Settings, staff: StaffMember, chosen: AuditFilter, page: int
) -> tuple[list[dict[str, Any]], int]:
    """(entries of page ``page`` (from 1), count of all matching entries)."""
    _admin(staff)
    arguments = chosen.arguments()
    with _transaction(settings) as session:
        total = audit_log.count_entries(session, **arguments)
        rows = audit_log.entries(
            session,
            limit=AUDIT_PAGE_SIZE,
            offset=max(0, page - 1) * AUDIT_PAGE_SIZE,
            **arguments,
        )
    return rows, total


def audit_csv(settings: Settings, staff: StaffMember, chosen: AuditFilter) -> str:
    """The matching entries as CSV text; the export itself is audited (audit_exported)."""
    _admin(staff)
    arguments = chosen.arguments()
    with _transaction(settings) as session:
        rows = audit_log.entries(session, limit=1_000_000, offset=0, **arguments)
        text = audit_log.entries_csv(rows)
        record(
            session,
            staff,
            "audit_exported",
            detail={k: str(v) for k, v in arguments.items() if v is not None},
        )
    return text


# --- feedback (issue 14) -------------------------------------------------------------------

#: The changes a member may make to one response (the callback's buttons name them).
FEEDBACK_CHANGES = ("read", "actioned", "link", "excerpt", "publish", "withdraw")


@dataclass(frozen=True)
class FeedbackPage:
    """A page of the feedback list: its rows, how many match, the counts per agency and
    page, and the agencies the member may filter on."""

    rows: list[dict[str, Any]]
    total: int
    counts: list[dict[str, Any]]
    agencies: list[AgencyChoice]
    #: Whether site-wide responses (no agency) are the member's to see (administrators).
    site_wide: bool


def feedback_agencies(settings: Settings, staff: StaffMember) -> tuple[list[AgencyChoice], bool]:
    """(the agencies whose feedback ``staff`` sees, whether site-wide feedback too)."""
    with _transaction(settings) as session:
        return _agency_rows(session, staff), staff.is_admin


def feedback_page(
    settings: Settings, staff: StaffMember, chosen: Any, page: int, *, with_counts: bool = True
) -> FeedbackPage:
    """The responses ``staff`` may see that match ``chosen`` (a
    :class:`data.feedback_review.FeedbackFilter`), page ``page`` (from 1); the counts per
    agency and page too unless ``with_counts`` is False (they do not change with the page,
    and are most of its cost: a pass over every matching response)."""
    from data import feedback_review

    with _transaction(settings) as session:
        try:
            rows, total = feedback_review.responses_page(session, staff, chosen, page)
            counts = feedback_review.counts(session, staff, chosen) if with_counts else []
        except feedback_review.FeedbackRefused as refusal:
            raise StaffRefused(str(refusal)) from None
        return FeedbackPage(rows, total, counts, _agency_rows(session, staff), staff.is_admin)


@dataclass(frozen=True)
class FeedbackDetail:
    """One response as the member sees it, with the actions it may be linked to."""

    row: dict[str, Any]
    actions: list[dict[str, Any]]
    may_publish: bool


def feedback_detail(settings: Settings, staff: StaffMember, response_id: int) -> FeedbackDetail:
    from data import feedback_review

    with _transaction(settings) as session:
        try:
            ref = feedback_review.response_for(session, staff, response_id)
        except feedback_review.FeedbackRefused as refusal:
            raise StaffRefused(str(refusal)) from None
        return FeedbackDetail(
            feedback_review.response_record(session, ref),
            feedback_review.action_choices(session, ref.agency_id),
            feedback_review.may_publish(staff, ref.agency_id),
        )


def feedback_change(
    settings: Settings,
    staff: StaffMember,
    response_id: int,
    change: str,
    *,
    action_id: int | None = None,
    excerpt: str | None = None,
) -> Outcome:
    """One change to one response, with its audit entry, in one transaction: ``change`` is
    one of :data:`FEEDBACK_CHANGES`. The response's agency is the one the server finds from
    its unit; a change the member may not make raises :class:`StaffRefused`. Publishing,
    changing or withdrawing a public excerpt bumps the published-data version (cached pages
    refresh)."""
    from dashboard.infra.data_status import bump_data_version
    from data import feedback_review

    if change not in FEEDBACK_CHANGES:
        raise StaffRefused("There is no such change.")
    now = utcnow()
    detail: dict[str, Any]
    with _transaction(settings) as session:
        try:
            ref = feedback_review.response_for(session, staff, response_id)
        except feedback_review.FeedbackRefused as refusal:
            raise StaffRefused(str(refusal)) from None
        subject = f"feedback response {response_id}"
        try:
            if change in ("read", "actioned"):
                before = feedback_review.set_status(ref, change, user_id=staff.id, now=now)
                action, detail = "feedback_status", {"from": before, "to": change}
                message = f"Marked {change}."
            elif change == "link":
                feedback_review.link_action(session, ref, action_id, user_id=staff.id, now=now)
                action, detail = "feedback_action_linked", {"action_id": action_id}
                message = "Linked to the action." if action_id else "Link to the action removed."
            elif change == "excerpt":
                if ref.response.excerpt_published_at is not None and not (
                    feedback_review.may_publish(staff, ref.agency_id)
                ):
                    raise StaffRefused(
                        "This excerpt is published: only a publisher of the agency may change it."
                    )
                was_public = feedback_review.save_excerpt(ref, excerpt, user_id=staff.id, now=now)
                if was_public:
                    bump_data_version(session)
                action = "feedback_excerpt"
                detail = {"excerpt": ref.response.excerpt, "published": was_public}
                message = "Excerpt saved." if ref.response.excerpt else "Excerpt removed."
            else:
                if not feedback_review.may_publish(staff, ref.agency_id):
                    raise StaffRefused(
                        "Only a publisher of the agency may publish or withdraw an excerpt."
                    )
                publish = change == "publish"
                feedback_review.publish_excerpt(ref, publish, user_id=staff.id, now=now)
                bump_data_version(session)
                action = "feedback_excerpt_published" if publish else "feedback_excerpt_withdrawn"
                detail = {"excerpt": ref.response.excerpt}
                message = "Excerpt published." if publish else "Excerpt withdrawn."
        except feedback_review.FeedbackRefused as refusal:
            session.rollback()
            return Outcome(False, str(refusal))
        record(session, staff, action, agency_id=ref.agency_id, subject=subject, detail=detail)
    return Outcome(True, message, row_id=response_id)


def feedback_csv(settings: Settings, staff: StaffMember, chosen: Any) -> str:
    """The responses ``staff`` may see that match ``chosen``, as CSV text; the export itself
    is audited (feedback_exported)."""
    from data import feedback_review

    with _transaction(settings) as session:
        try:
            rows = feedback_review.export_rows(session, staff, chosen)
        except feedback_review.FeedbackRefused as refusal:
            raise StaffRefused(str(refusal)) from None
        text = feedback_review.responses_csv(rows)
        record(
            session,
            staff,
            "feedback_exported",
            detail={"filters": chosen.query(), "rows": len(rows)},
        )
    return text
