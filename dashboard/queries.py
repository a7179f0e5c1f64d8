"""Read queries for the public pages. Published data only: every query here filters drafts.

Each function takes the database URL and returns plain Python values (dicts, lists, dates), so
that layouts and callbacks never see a session or an ORM object, and results can be cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from dashboard.db import session_scope
from dashboard.models import PUBLISHED, Observation, Unit


@dataclass(frozen=True)
class DataStatus:
    """How current the published data is, and a key that changes whenever it does."""

    as_of: dt.date | None  # end of the latest published period
    last_updated: dt.datetime | None  # when anything was last published
    published_count: int

    @property
    def version(self) -> str:
        text = f"{self.as_of}|{self.last_updated}|{self.published_count}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def data_status(database_url: str) -> DataStatus:
    with session_scope(database_url) as session:
        as_of, last_published, last_changed, count = session.execute(
            select(
                func.max(Observation.period_end),
                func.max(Observation.published_at),
                # A revision changes a value without adding a row; updated_at catches it.
                func.max(Observation.updated_at),
                func.count(Observation.id),
            ).where(Observation.visibility == PUBLISHED)
        ).one()
    last = max((d for d in (last_published, last_changed) if d is not None), default=None)
    return DataStatus(as_of=as_of, last_updated=last, published_count=count or 0)


def list_agencies(database_url: str) -> list[dict[str, object]]:
    """Every agency with its services, ordered by English name."""
    service = aliased(Unit)
    with session_scope(database_url) as session:
        agencies = session.scalars(
            select(Unit).where(Unit.kind == "agency").order_by(Unit.name_en)
        ).all()
        rows = session.execute(
            select(service.parent_id, service.slug, service.name_en, service.name_es)
            .where(service.kind == "service")
            .order_by(service.name_en)
        ).all()
    services: dict[int, list[dict[str, str | None]]] = {}
    for parent_id, slug, name_en, name_es in rows:
        services.setdefault(parent_id, []).append(
            {"slug": slug, "name_en": name_en, "name_es": name_es}
        )
    return [
        {
            "slug": agency.slug,
            "name_en": agency.name_en,
            "name_es": agency.name_es,
            "description_en": agency.description_en,
            "description_es": agency.description_es,
            "services": services.get(agency.id, []),
        }
        for agency in agencies
    ]
