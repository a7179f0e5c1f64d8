"""``cxdash import-closures``: closures posted in advance (a holiday, a move, a training day).

One row per closure; the key is the unit and the agency's own ``id`` for it (stored as
``Closure.code``). ``contact_point`` optionally names the unit's contact point that closes
(its id from the contact points file); without it the whole unit closes. A closure of the
enterprise (every office) names the enterprise in the ``agency`` column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dashboard.infra.models import PUBLISHED, Closure, ContactPoint, ImportRun
from data.content.common import (
    REQUIRED_TEXT,
    ContentImporter,
    ParsedRow,
    Row,
    apply_keyed_rows,
    changed_fields,
    find_unit,
    repeated_id,
    stored_by_key,
)
from data.store import Catalog
from data.values import parse_date

CLOSURE_COLUMNS = (
    "agency",
    "service",
    "id",
    "contact_point",
    "starts_on",
    "ends_on",
)
CLOSURE_REQUIRED = ("agency", "id", "starts_on", "ends_on", REQUIRED_TEXT)


@dataclass
class _Parsed(ParsedRow):
    code: str | None
    contact_point: str | None


class ClosureImporter(ContentImporter):
    kind = "closures"
    subject = "closures"
    columns = CLOSURE_COLUMNS
    required = CLOSURE_REQUIRED
    model = Closure

    def parse(self, rows: list[Row]) -> None:
        self.parsed: list[_Parsed] = []
        for row in rows:
            code = row.text("id", required=True, limit=(Closure, "code"))
            values: dict[str, Any] = {
                "starts_on": row.parsed("starts_on", parse_date, required=True),
                "ends_on": row.parsed("ends_on", parse_date, required=True),
                **row.texts(Closure),
            }
            starts, ends = values["starts_on"], values["ends_on"]
            if starts is not None and ends is not None and ends < starts:
                row.problem(
                    "ends_on",
                    row.raw("ends_on").strip(),
                    f"comes before starts_on ({starts.isoformat()})",
                )
            values = row.given(values)
            contact_point = row.text("contact_point")
            self.parsed.append(_Parsed(row, values, code, contact_point))

    def plan(self, session: Session) -> None:
        catalog = Catalog.load(session)
        stored = stored_by_key(session, Closure)
        points = stored_by_key(session, ContactPoint)
        seen: dict[tuple[int, str], int] = {}
        draft_points: dict[int, ContactPoint] = {}
        for parsed in self.parsed:
            row = parsed.row
            unit_id = find_unit(catalog, row, "agency", "service")
            if unit_id is None:
                continue
            point_id = None
            if parsed.contact_point is not None:
                point = points.get((unit_id, parsed.contact_point))
                if point is None:
                    row.problem(
                        "contact_point",
                        parsed.contact_point,
                        f"{catalog.unit_label(unit_id)} has no contact point with this id "
                        "(import it with cxdash import-contact-points first)",
                    )
                    continue
                point_id = point.id
                if point.visibility != PUBLISHED:
                    draft_points[point.id] = point
            if parsed.code is None or not row.ok:
                continue
            if row.has("contact_point"):
                parsed.values["contact_point_id"] = point_id
            key = (unit_id, parsed.code)
            if repeated_id(row, seen, key, "closure"):
                continue
            closure = stored.get(key)
            changed = [] if closure is None else changed_fields(closure, parsed.values)
            self.plan_row(
                parsed,
                closure,
                changed,
                what="closure",
                key={"unit_id": unit_id, "code": parsed.code},
            )
        self.plan_publication(session)
        # A closure of a contact point is news about that point: a publishing import publishes
        # the draft points it names, as it does the units.
        self.publish_point_ids: list[int] = []
        if self.publish:
            self.publish_point_ids = sorted(draft_points)
            if draft_points:
                self.tally.extra_notes.append(
                    "draft contact point(s) that the closures name are published too: "
                    + ", ".join(sorted(str(p.code) for p in draft_points.values()))
                )

    def apply(self, session: Session, run: ImportRun, now: dt.datetime) -> None:
        apply_keyed_rows(session, Closure, self.planned, self.publish, run)
        for point_id in self.publish_point_ids:
            point = session.get(ContactPoint, point_id)
            if point is not None:
                point.visibility = PUBLISHED
        self.publish_used(session)
