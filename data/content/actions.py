"""``cxdash import-actions``: the actions an agency takes to improve its results.

One row per action; the key is the unit (agency, or a service of it) and the agency's own
``id`` for the action (stored as ``Action.code``). ``measures`` lists the metric codes the
action addresses, separated by ";". ``internal_note`` is for staff: it is stored, never shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dashboard.infra.models import Action, ImportRun, Metric
from data.content.common import (
    REQUIRED_TEXT,
    ContentImporter,
    ParsedRow,
    Row,
    changed_fields,
    find_unit,
    repeated_id,
    stored_by_key,
    write_planned,
)
from data.content.parsing import parse_action_status, parse_codes, parse_web_link
from data.store import Catalog
from data.values import parse_date

ACTION_COLUMNS = (
    "agency",
    "service",
    "id",
    "status",
    "started_on",
    "completed_on",
    "link",
    "measures",
    "internal_note",
)
ACTION_REQUIRED = ("agency", "id", REQUIRED_TEXT, "status", "started_on")

#: Fields the public never sees: changing only these is no publication.
_INTERNAL_FIELDS = ("internal_note",)


@dataclass
class _Parsed(ParsedRow):
    code: str | None
    measures: list[str]
    #: The ids of the measures' metrics, found when planning.
    metric_ids: list[int] = field(default_factory=list)


class ActionImporter(ContentImporter):
    kind = "actions"
    subject = "actions"
    columns = ACTION_COLUMNS
    required = ACTION_REQUIRED
    model = Action

    def parse(self, rows: list[Row]) -> None:
        self.parsed: list[_Parsed] = []
        for row in rows:
            code = row.text("id", required=True, limit=(Action, "code"))
            values: dict[str, Any] = {
                **row.texts(Action),
                "status": row.parsed("status", parse_action_status, required=True),
                "started_on": row.parsed("started_on", parse_date, required=True),
                "completed_on": row.parsed("completed_on", parse_date),
                "link": row.parsed("link", parse_web_link, limit=(Action, "link")),
                "internal_note": row.text("internal_note"),
            }
            _check_dates(row, values)
            values = row.given(values)
            measures = parse_codes(row.raw("measures"))
            self.parsed.append(_Parsed(row, values, code, measures))

    def plan(self, session: Session) -> None:
        catalog = Catalog.load(session)
        stored = stored_by_key(session, Action, selectinload(Action.metrics))
        seen: dict[tuple[int, str], int] = {}
        for parsed in self.parsed:
            row = parsed.row
            unit_id = find_unit(catalog, row, "agency", "service")
            for code in parsed.measures:
                try:
                    metric = catalog.find_metric(code)
                except LookupError:
                    row.problem("measures", code, "unknown metric code (see the metric catalogue)")
                    continue
                assert metric.id is not None
                parsed.metric_ids.append(metric.id)
            if unit_id is None or parsed.code is None or not row.ok:
                continue
            key = (unit_id, parsed.code)
            if repeated_id(row, seen, key, "action"):
                continue
            action = stored.get(key)
            changed: list[str] = []
            if action is not None:
                changed = changed_fields(action, parsed.values)
                if sorted(m.id for m in action.metrics) != sorted(parsed.metric_ids):
                    changed.append("measures")
            self.plan_row(
                parsed,
                action,
                changed,
                what="action",
                key={"unit_id": unit_id, "code": parsed.code},
                public_change=any(name not in _INTERNAL_FIELDS for name in changed),
            )
        self.plan_publication(
            session, [m for planned in self.planned for m in planned.parsed.metric_ids]
        )

    def apply(self, session: Session, run: ImportRun, now: dt.datetime) -> None:
        metrics = {metric.id: metric for metric in session.scalars(select(Metric))}
        for planned in self.planned:
            chosen = [metrics[metric_id] for metric_id in planned.parsed.metric_ids]
            write_planned(session, Action, planned, self.publish, import_id=run.id, metrics=chosen)
        self.publish_used(session)


def _check_dates(row: Row, values: dict[str, Any]) -> None:
    status, started, completed = values["status"], values["started_on"], values["completed_on"]
    if status == "completed" and completed is None and not row.raw("completed_on").strip():
        row.problem("completed_on", "", "required when the status is completed")
    if status in ("planned", "in_progress") and completed is not None:
        row.problem(
            "completed_on",
            row.raw("completed_on").strip(),
            f"only a completed action has a completion date (the status is "
            f"{status.replace('_', ' ')})",
        )
    if started is not None and completed is not None and completed < started:
        row.problem(
            "completed_on",
            row.raw("completed_on").strip(),
            f"comes before started_on ({started.isoformat()})",
        )
