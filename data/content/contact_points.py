"""``cxdash import-contact-points``: how to reach a unit (phone lines, offices, web forms...).

One row per contact point; the key is the unit and the agency's own ``id`` for it (stored as
``ContactPoint.code``). Opening hours come one column per weekday (``mon`` ... ``sun``, see
:mod:`data.content.parsing`) and are stored both as structured hours and as the EN/ES text the
pages show (unless the file gives ``hours_en`` / ``hours_es`` itself).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from dashboard.infra.models import ContactPoint, ImportRun
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
from data.content.parsing import (
    WEEKDAYS,
    hours_text,
    parse_contact_value,
    parse_day_hours,
    parse_int,
    parse_languages,
)
from data.store import Catalog
from data.values import normalize_channel

CONTACT_POINT_COLUMNS = (
    "agency",
    "service",
    "id",
    "channel",
    "value",
    "address",
    *WEEKDAYS,
    "languages",
    "sort_order",
)
CONTACT_POINT_REQUIRED = ("agency", "id", "channel", REQUIRED_TEXT)


@dataclass
class _Parsed(ParsedRow):
    code: str | None
    sort_order: int | None


def parse_hours(row: Row) -> dict[str, list[list[str]]] | None:
    """The weekday columns of a row as ``ContactPoint.hours`` (None when no day is known)."""
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        periods = row.parsed(day, parse_day_hours)
        if periods is not None:
            hours[day] = periods
    return hours or None


class ContactPointImporter(ContentImporter):
    kind = "contact_points"
    subject = "contact points"
    columns = CONTACT_POINT_COLUMNS
    required = CONTACT_POINT_REQUIRED
    model = ContactPoint

    def parse(self, rows: list[Row]) -> None:
        self.parsed: list[_Parsed] = []
        for row in rows:
            code = row.text("id", required=True, limit=(ContactPoint, "code"))
            channel = row.parsed("channel", normalize_channel, required=True)
            value = None
            if channel is not None:
                value = row.parsed(
                    "value",
                    partial(parse_contact_value, channel),
                    limit=(ContactPoint, "value"),
                )
            hours = parse_hours(row)
            texts = row.texts(ContactPoint)
            # Hours in words: as the file writes them, else from the weekday columns.
            hours_columns = [column for column in texts if column.startswith("hours_")]
            for column in hours_columns:
                language = column.removeprefix("hours_")
                texts[column] = texts[column] or (hours_text(hours, language) if hours else None)
            values: dict[str, Any] = {
                "channel": channel,
                "value": value,
                "address": row.text("address"),
                "hours": hours,
                **texts,
                "languages": row.parsed(
                    "languages", parse_languages, limit=(ContactPoint, "languages")
                ),
            }
            # The hours come from the weekday columns when the file has any of them.
            has_days = any(row.has(day) for day in WEEKDAYS)
            values = row.given(values, also=("hours", *hours_columns) if has_days else ())
            sort_order = row.parsed("sort_order", parse_int)
            self.parsed.append(_Parsed(row, values, code, sort_order))

    def plan(self, session: Session) -> None:
        catalog = Catalog.load(session)
        stored = stored_by_key(session, ContactPoint)
        seen: dict[tuple[int, str], int] = {}
        position: dict[int, int] = defaultdict(int)
        for parsed in self.parsed:
            row = parsed.row
            unit_id = find_unit(catalog, row, "agency", "service")
            if unit_id is None or parsed.code is None or not row.ok:
                continue
            key = (unit_id, parsed.code)
            if repeated_id(row, seen, key, "contact point"):
                continue
            # Without a sort_order the page lists a unit's contact points in the file's order.
            parsed.values["sort_order"] = (
                parsed.sort_order if parsed.sort_order is not None else position[unit_id]
            )
            position[unit_id] += 1
            point = stored.get(key)
            changed = [] if point is None else changed_fields(point, parsed.values)
            self.plan_row(
                parsed,
                point,
                changed,
                what="contact point",
                key={"unit_id": unit_id, "code": parsed.code},
            )
        self.plan_publication(session)

    def apply(self, session: Session, run: ImportRun, now: dt.datetime) -> None:
        apply_keyed_rows(session, ContactPoint, self.planned, self.publish, run)
        self.publish_used(session)
