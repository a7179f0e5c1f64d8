"""Which agency a unit belongs to: the scope of a staff member's rights (issue 10).

Editors and publishers are given agencies; an agency's services (and their services) are
theirs too. Everything the workspace writes, reviews or publishes is checked against the
agency these functions find, never against an identifier the browser sent alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.infra.models import Unit


def _parents(session: Session) -> dict[int, tuple[int | None, str]]:
    return {
        row.id: (row.parent_id, row.kind)
        for row in session.execute(select(Unit.id, Unit.parent_id, Unit.kind))
    }


def agency_of_unit(session: Session, unit_id: int) -> int | None:
    """The agency a unit is or belongs to; None for the enterprise or an unknown unit."""
    parents = _parents(session)
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current in parents and current not in seen:
        seen.add(current)
        parent, kind = parents[current]
        if kind == "agency":
            return current
        current = parent
    return None


def units_of_agency(session: Session, agency_id: int) -> list[int]:
    """The agency and every unit below it, sorted by id; [] when ``agency_id`` is no agency."""
    parents = _parents(session)
    if parents.get(agency_id, (None, ""))[1] != "agency":
        return []
    children: dict[int, list[int]] = {}
    for unit, (parent, _kind) in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    found: list[int] = []
    stack = [agency_id]
    while stack:
        unit = stack.pop()
        if unit in found:
            continue
        found.append(unit)
        stack.extend(children.get(unit, ()))
    return sorted(found)


def agency_by_slug(session: Session, slug: str) -> int | None:
    """The id of the agency with this slug, or None (a service or unknown slug is no agency)."""
    return session.scalar(select(Unit.id).where(Unit.slug == slug, Unit.kind == "agency"))


def agencies_of_units(session: Session, unit_ids: Iterable[int]) -> dict[int, int | None]:
    """{unit id: its agency id (or None)} for many units in one read."""
    parents = _parents(session)
    found: dict[int, int | None] = {}
    for unit_id in unit_ids:
        current: int | None = unit_id
        seen: set[int] = set()
        agency = None
        while current is not None and current in parents and current not in seen:
            seen.add(current)
            parent, kind = parents[current]
            if kind == "agency":
                agency = current
                break
            current = parent
        found[unit_id] = agency
    return found
