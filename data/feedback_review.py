"""What staff do with the answers to "Did this page help you?" (issue 14, staff side).

Read the responses a member may see (filtered, counted per agency and page, paged, exported
as CSV) and change one: mark it read or actioned, link it to an action taken, write a
moderated excerpt and publish or withdraw it. Rights come from the caller
(:mod:`dashboard.web.staff_actions` passes the signed-in member); every condition on who may
see what is built here from the agency the SERVER finds for a response's unit:

- a response about a unit (an agency, or a service under it) belongs to that unit's agency:
  a member sees it when they work for that agency (``StaffMember.agency_scope``);
- a site-wide response (no unit, or a unit under no agency) is an administrator's only.

The raw ``comment`` (already masked at storage by F1's :func:`record_feedback`) is read here
for staff only; nothing here is a public read. An excerpt is staff-written text, masked
again, at most :data:`EXCERPT_MAX_CHARS` characters; only a published one reaches the public
(through :func:`dashboard.gateway.published.public_feedback_excerpt`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, select, true
from sqlalchemy.orm import Session, aliased

from dashboard.domain.csv_cells import safe_cell
from dashboard.infra.models import (
    FEEDBACK_REASONS,
    FEEDBACK_STATUSES,
    Action,
    FeedbackResponse,
    Unit,
    User,
    text_expression,
)
from data.accounts import StaffMember
from data.agency_scope import agencies_of_units

#: Longest excerpt a staff member may publish (characters, after masking).
EXCERPT_MAX_CHARS = 300
#: Rows on one page of the workspace's list.
PAGE_SIZE = 25
#: The list pages by offset: past this many rows the member narrows the filters instead (an
#: offset costs in proportion to its depth).
MAX_OFFSET = 10_000
#: Groups (agency and page) the counts table shows, the busiest first.
COUNT_GROUPS = 50
#: Largest CSV export, in rows (a bigger one asks for narrower filters).
EXPORT_MAX_ROWS = 100_000
#: The filter value that names site-wide responses (no agency) instead of an agency's slug.
SITE_WIDE = "site-wide"
#: The CSV export's columns, in order.
CSV_COLUMNS = (
    "received_at",
    "agency",
    "unit",
    "page_path",
    "language",
    "helpful",
    "reason",
    "comment",
    "status",
    "action_code",
    "action_title",
    "excerpt",
    "excerpt_published_at",
)


class FeedbackRefused(Exception):
    """The member may not see or change this response; nothing changed."""


@dataclass(frozen=True)
class FeedbackFilter:
    """What the member asked to see. ``agency`` is a slug or :data:`SITE_WIDE` (resolved and
    checked by the server); dates are whole days (UTC)."""

    agency: str | None = None
    page_path: str | None = None
    helpful: bool | None = None
    reason: str | None = None
    status: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    has_comment: bool | None = None

    def query(self) -> dict[str, str]:
        """The filter as URL parameters (the CSV link carries the page's filters)."""
        found = {
            "agency": self.agency,
            "page_path": self.page_path,
            "helpful": None if self.helpful is None else ("yes" if self.helpful else "no"),
            "reason": self.reason,
            "status": self.status,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "has_comment": None
            if self.has_comment is None
            else ("yes" if self.has_comment else "no"),
        }
        return {key: value for key, value in found.items() if value}


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get((value or "").strip().lower())


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


def parse_filter(values: Mapping[str, str | None]) -> FeedbackFilter:
    """A filter from form or URL values; anything not understood is no filter."""
    reason = values.get("reason")
    status = values.get("status")
    path = (values.get("page_path") or "").strip()[:300]
    agency = (values.get("agency") or "").strip()[:120]
    return FeedbackFilter(
        agency=agency or None,
        page_path=path or None,
        helpful=_yes_no(values.get("helpful")),
        reason=reason if reason in FEEDBACK_REASONS else None,
        status=status if status in FEEDBACK_STATUSES else None,
        since=_day(values.get("since")),
        until=_day(values.get("until")),
        has_comment=_yes_no(values.get("has_comment")),
    )


# -- rights --------------------------------------------------------------------------------


def unit_agencies(session: Session) -> dict[int, int | None]:
    """Every unit's agency (None for the enterprise), in one read of the units."""
    return agencies_of_units(session, session.scalars(select(Unit.id)).all())


def visible_condition(
    staff: StaffMember, agencies: Mapping[int, int | None]
) -> ColumnElement[bool]:
    """The responses ``staff`` may see: their agencies' units; site-wide ones for admins."""
    if staff.is_admin:
        return true()
    scope = staff.agency_scope
    if scope is None:
        # Every agency (a publisher of all agencies): whatever has an agency, without listing
        # the store's units in the statement.
        outside = sorted(unit for unit, agency in agencies.items() if agency is None)
        return and_(FeedbackResponse.unit_id.is_not(None), FeedbackResponse.unit_id.not_in(outside))
    units = sorted(
        unit
        for unit, agency in agencies.items()
        if agency is not None and (scope is None or agency in scope)
    )
    return FeedbackResponse.unit_id.in_(units) if units else false()


def may_see(staff: StaffMember, agency_id: int | None) -> bool:
    """Whether ``staff`` may see a response whose unit belongs to ``agency_id`` (None:
    site-wide)."""
    if agency_id is None:
        return staff.is_admin
    return staff.can_edit(agency_id)


def may_publish(staff: StaffMember, agency_id: int | None) -> bool:
    """Whether ``staff`` may publish an excerpt of such a response: a publisher of its agency
    (an administrator for a site-wide one), as for every other publication."""
    if agency_id is None:
        return staff.is_admin
    return staff.can_publish(agency_id)


def _filter_condition(
    session: Session,
    staff: StaffMember,
    chosen: FeedbackFilter,
    agencies: Mapping[int, int | None],
) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [visible_condition(staff, agencies)]
    if chosen.agency == SITE_WIDE:
        if not staff.is_admin:
            raise FeedbackRefused("Only an administrator sees site-wide feedback.")
        site_units = [unit for unit, agency in agencies.items() if agency is None]
        conditions.append(
            FeedbackResponse.unit_id.is_(None) | FeedbackResponse.unit_id.in_(site_units)
        )
    elif chosen.agency:
        agency_id = session.scalar(
            select(Unit.id).where(Unit.slug == chosen.agency, Unit.kind == "agency")
        )
        if agency_id is None or not staff.can_edit(agency_id):
            raise FeedbackRefused("That agency is not one you work for, or it does not exist.")
        units = sorted(unit for unit, agency in agencies.items() if agency == agency_id)
        conditions.append(FeedbackResponse.unit_id.in_(units))
    if chosen.page_path:
        conditions.append(FeedbackResponse.page_path == chosen.page_path)
    if chosen.helpful is not None:
        conditions.append(FeedbackResponse.helpful.is_(chosen.helpful))
    if chosen.reason:
        conditions.append(FeedbackResponse.reason == chosen.reason)
    if chosen.status:
        conditions.append(FeedbackResponse.status == chosen.status)
    if chosen.since:
        conditions.append(FeedbackResponse.received_at >= _midnight(chosen.since))
    if chosen.until:
        # "until" names a whole day: everything before the next midnight.
        conditions.append(
            FeedbackResponse.received_at < _midnight(chosen.until + dt.timedelta(days=1))
        )
    if chosen.has_comment is True:
        conditions.append(
            and_(FeedbackResponse.comment.is_not(None), FeedbackResponse.comment != "")
        )
    elif chosen.has_comment is False:
        conditions.append(FeedbackResponse.comment.is_(None) | (FeedbackResponse.comment == ""))
    return and_(*conditions)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


# -- reading -------------------------------------------------------------------------------


def _listing(condition: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    handler = aliased(User)
    return (
        select(
            FeedbackResponse.id,
            FeedbackResponse.received_at,
            FeedbackResponse.unit_id,
            Unit.slug.label("unit"),
            FeedbackResponse.page_path,
            FeedbackResponse.language,
            FeedbackResponse.helpful,
            FeedbackResponse.reason,
            FeedbackResponse.comment,
            FeedbackResponse.status,
            FeedbackResponse.action_id,
            Action.code.label("action_code"),
            text_expression(Action, "title", "en").label("action_title"),
            handler.username.label("handled_by"),
            FeedbackResponse.handled_at,
            FeedbackResponse.excerpt,
            FeedbackResponse.excerpt_published_at,
        )
        .outerjoin(Unit, Unit.id == FeedbackResponse.unit_id)
        .outerjoin(Action, Action.id == FeedbackResponse.action_id)
        .outerjoin(handler, handler.id == FeedbackResponse.handled_by_id)
        .where(condition)
        .order_by(FeedbackResponse.received_at.desc(), FeedbackResponse.id.desc())
    )


def _records(
    session: Session, rows: Iterable[Any], agencies: Mapping[int, int | None]
) -> list[dict[str, Any]]:
    slugs = dict(session.execute(select(Unit.id, Unit.slug).where(Unit.kind == "agency")).all())
    records = []
    for row in rows:
        record = dict(row._mapping)
        agency_id = agencies.get(record["unit_id"]) if record["unit_id"] is not None else None
        record["agency_id"] = agency_id
        record["agency"] = slugs.get(agency_id) if agency_id is not None else None
        records.append(record)
    return records


def responses_page(
    session: Session, staff: StaffMember, chosen: FeedbackFilter, page: int
) -> tuple[list[dict[str, Any]], int]:
    """(the responses of page ``page`` (from 1), how many match). The page's offset is
    bounded by :data:`MAX_OFFSET`."""
    agencies = unit_agencies(session)
    condition = _filter_condition(session, staff, chosen, agencies)
    total = int(session.scalar(select(func.count(FeedbackResponse.id)).where(condition)) or 0)
    offset = min(max(0, page - 1) * PAGE_SIZE, MAX_OFFSET)
    # The page's ids first (the filter, the order and the offset on the table alone), then
    # their columns and names: joining and naming every matching row before the sort cost
    # three times as much at 200,000 responses (bench/feedback_list.py).
    page_ids = (
        select(FeedbackResponse.id)
        .where(condition)
        .order_by(FeedbackResponse.received_at.desc(), FeedbackResponse.id.desc())
        .limit(PAGE_SIZE)
        .offset(offset)
        .scalar_subquery()
    )
    rows = session.execute(_listing(FeedbackResponse.id.in_(page_ids)))
    return _records(session, rows, agencies), total


def counts(session: Session, staff: StaffMember, chosen: FeedbackFilter) -> list[dict[str, Any]]:
    """Responses per agency and page (the busiest :data:`COUNT_GROUPS`): how many, how many
    said yes, and the share of yes."""
    agencies = unit_agencies(session)
    condition = _filter_condition(session, staff, chosen, agencies)
    responses = func.count(FeedbackResponse.id)
    query = (
        select(
            FeedbackResponse.unit_id,
            FeedbackResponse.page_path,
            responses.label("responses"),
            func.sum(case((FeedbackResponse.helpful.is_(True), 1), else_=0)).label("yes"),
        )
        .where(condition)
        .group_by(FeedbackResponse.unit_id, FeedbackResponse.page_path)
        .order_by(responses.desc(), FeedbackResponse.page_path)
        .limit(COUNT_GROUPS)
    )
    slugs = dict(session.execute(select(Unit.id, Unit.slug).where(Unit.kind == "agency")).all())
    found = []
    for unit_id, page_path, total, yes in session.execute(query):
        agency_id = agencies.get(unit_id) if unit_id is not None else None
        found.append(
            {
                "agency": slugs.get(agency_id) if agency_id is not None else None,
                "page_path": page_path,
                "responses": int(total),
                "yes": int(yes or 0),
                "yes_share": (int(yes or 0) / int(total)) if total else None,
            }
        )
    return found


def export_rows(
    session: Session, staff: StaffMember, chosen: FeedbackFilter
) -> list[dict[str, Any]]:
    """Every matching response (at most :data:`EXPORT_MAX_ROWS`), newest first."""
    agencies = unit_agencies(session)
    condition = _filter_condition(session, staff, chosen, agencies)
    rows = session.execute(_listing(condition).limit(EXPORT_MAX_ROWS))
    return _records(session, rows, agencies)


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    moment = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return moment.isoformat(timespec="seconds")


def responses_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """``rows`` (from :func:`export_rows`) as CSV text with a header row; every cell goes
    through :func:`dashboard.domain.csv_cells.safe_cell` (no formula runs in a spreadsheet)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = {
            **row,
            "received_at": _when(row.get("received_at")),
            "excerpt_published_at": _when(row.get("excerpt_published_at")),
            "helpful": "yes" if row.get("helpful") else "no",
        }
        writer.writerow(
            [
                "" if values.get(column) is None else safe_cell(str(values[column]))
                for column in CSV_COLUMNS
            ]
        )
    return buffer.getvalue()


# -- one response ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRef:
    """A response and the agency the server found for it."""

    response: FeedbackResponse
    agency_id: int | None


def response_for(session: Session, staff: StaffMember, response_id: int) -> ResponseRef:
    """The response when ``staff`` may see it; :class:`FeedbackRefused` otherwise (the same
    words for one that does not exist: ids of other agencies' responses are not revealed)."""
    response = session.get(FeedbackResponse, response_id, with_for_update=True)
    agency_id = None
    if response is not None and response.unit_id is not None:
        agency_id = agencies_of_units(session, [response.unit_id]).get(response.unit_id)
    if response is None or not may_see(staff, agency_id):
        raise FeedbackRefused("That response is not one you may see, or it does not exist.")
    return ResponseRef(response, agency_id)


def response_record(session: Session, ref: ResponseRef) -> dict[str, Any]:
    """The response as the list shows it (one row of :func:`responses_page`)."""
    rows = session.execute(_listing(FeedbackResponse.id == ref.response.id))
    return _records(
        session, rows, {ref.response.unit_id: ref.agency_id} if ref.response.unit_id else {}
    )[0]


def action_choices(session: Session, agency_id: int | None) -> list[dict[str, Any]]:
    """The actions a response of ``agency_id`` may be linked to: every action of the agency's
    units, published or draft (not a draft's changed copy of a published one)."""
    if agency_id is None:
        return []
    agencies = unit_agencies(session)
    units = [unit for unit, agency in agencies.items() if agency == agency_id]
    query = (
        select(
            Action.id,
            Action.code,
            Action.visibility,
            text_expression(Action, "title", "en").label("title"),
        )
        .where(Action.unit_id.in_(units), Action.replaces_id.is_(None))
        .order_by(Action.started_on.desc(), Action.id.desc())
    )
    return [dict(row._mapping) for row in session.execute(query)]


def set_status(ref: ResponseRef, status: str, *, user_id: int, now: dt.datetime) -> str:
    """Mark the response ``status`` (read or actioned); the status it had."""
    if status not in FEEDBACK_STATUSES:
        raise FeedbackRefused("There is no such status.")
    before = ref.response.status
    ref.response.status = status
    ref.response.handled_by_id = user_id
    ref.response.handled_at = now
    return before


def link_action(
    session: Session,
    ref: ResponseRef,
    action_id: int | None,
    *,
    user_id: int,
    now: dt.datetime,
) -> None:
    """Link the response to one of its agency's actions (None: unlink). Linking marks it
    actioned: an action was taken."""
    if action_id is not None:
        allowed = {choice["id"] for choice in action_choices(session, ref.agency_id)}
        if action_id not in allowed:
            raise FeedbackRefused("That action is not one of this agency's; nothing changed.")
        ref.response.status = "actioned"
    ref.response.action_id = action_id
    ref.response.handled_by_id = user_id
    ref.response.handled_at = now


def clean_excerpt(text: str | None) -> str | None:
    """The excerpt as it is kept: stripped, e-mails and phone numbers masked again; None when
    empty; :class:`FeedbackRefused` when longer than :data:`EXCERPT_MAX_CHARS`."""
    from dashboard.domain.feedback import mask_personal_data

    cleaned = mask_personal_data((text or "").strip()).strip()
    if not cleaned:
        return None
    if len(cleaned) > EXCERPT_MAX_CHARS:
        raise FeedbackRefused(
            f"An excerpt has at most {EXCERPT_MAX_CHARS} characters; this one has "
            f"{len(cleaned)}. Nothing was saved."
        )
    return cleaned


def save_excerpt(ref: ResponseRef, text: str | None, *, user_id: int, now: dt.datetime) -> bool:
    """Keep the moderated excerpt (an empty one removes it, and withdraws it from the public).
    Whether the public text changed (it was published)."""
    excerpt = clean_excerpt(text)
    was_public = ref.response.excerpt_published_at is not None
    ref.response.excerpt = excerpt
    if excerpt is None:
        ref.response.excerpt_published_at = None
    ref.response.handled_by_id = user_id
    ref.response.handled_at = now
    return was_public


def publish_excerpt(ref: ResponseRef, publish: bool, *, user_id: int, now: dt.datetime) -> None:
    """Publish the excerpt (``publish``) or withdraw it from the public."""
    if publish and not ref.response.excerpt:
        raise FeedbackRefused("Write an excerpt first: there is nothing to publish.")
    ref.response.excerpt_published_at = now if publish else None
    ref.response.handled_by_id = user_id
    ref.response.handled_at = now
