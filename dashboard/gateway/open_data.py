"""What the open-data API reads: published rows as plain dicts, filtered with the conditions of
:mod:`dashboard.gateway.published`, the same ones the pages use.

:mod:`dashboard.open_data` turns these rows into records, CSV, JSON and the OpenAPI document;
nothing there opens a session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from dashboard.gateway.published import (
    public_closure,
    public_contact_point,
    public_metric,
    public_observation,
    public_unit,
)
from dashboard.gateway.queries import published_observations_select, published_targets
from dashboard.infra.db import session_scope
from dashboard.infra.models import Closure, ContactPoint, Metric, Observation, Unit, with_texts


def names_in_use(
    database_url: str,
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """(unit slugs, metric codes, (segment type, segment value) pairs) the public may name.

    Drafts are left out: naming one is the same error as naming nothing.
    """
    with session_scope(database_url) as session:
        slugs = list(session.scalars(select(Unit.slug).where(public_unit())).all())
        codes = list(session.scalars(select(Metric.code).where(public_metric())).all())
        segments = session.execute(
            select(Observation.segment_type, Observation.segment_value)
            .where(public_observation())
            .distinct()
        ).all()
    return slugs, codes, [(kind, value) for kind, value in segments]


def _observations_select(filters: Mapping[str, Any]) -> Select[Any]:
    query = published_observations_select(Metric.scale, Metric.is_survey)
    if filters.get("unit"):
        query = query.where(Unit.slug.in_(filters["unit"]))
    if filters.get("metric"):
        query = query.where(Metric.code.in_(filters["metric"]))
    if filters.get("granularity"):
        query = query.where(Observation.granularity.in_(filters["granularity"]))
    if filters.get("period"):
        query = query.where(
            or_(
                *(
                    and_(Observation.period_start >= p.start, Observation.period_end <= p.end)
                    for p in filters["period"]
                )
            )
        )
    if filters.get("from") is not None:
        query = query.where(Observation.period_start >= filters["from"])
    if filters.get("to") is not None:
        query = query.where(Observation.period_end <= filters["to"])
    if filters.get("segment"):
        conditions = []
        for kind, value in filters["segment"]:
            if value is None:
                conditions.append(Observation.segment_type == kind)
            else:
                conditions.append(
                    and_(Observation.segment_type == kind, Observation.segment_value == value)
                )
        query = query.where(or_(*conditions))
    return query


def observation_rows(
    database_url: str, filters: Mapping[str, Any], *, limit: int | None, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """(rows on the page, total matching) of published observations, in a stable order."""
    query = _observations_select(filters)
    ordered = query.order_by(
        Unit.slug,
        Metric.code,
        Observation.granularity,
        Observation.segment_type,
        Observation.segment_value,
        Observation.period_start,
        Observation.id,
    ).offset(offset)
    if limit is not None:
        ordered = ordered.limit(limit)
    with session_scope(database_url) as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = [dict(row._mapping) for row in session.execute(ordered).all()]
    return rows, total


# -- the small resources ----------------------------------------------------------------------
# A few hundred rows each: loaded whole, filtered and paged by the caller.


def unit_rows(database_url: str) -> list[dict[str, Any]]:
    """Published units whose parent (if any) is published, with their texts by language."""
    parent = aliased(Unit)
    with session_scope(database_url) as session:
        rows = session.execute(
            select(
                Unit.id,
                Unit.slug,
                Unit.kind,
                parent.slug.label("parent_slug"),
                Unit.code,
                Unit.website,
            )
            .outerjoin(parent, Unit.parent_id == parent.id)
            .where(public_unit(), or_(Unit.parent_id.is_(None), public_unit(parent)))
            .order_by(Unit.slug)
        ).all()
        return with_texts(session, Unit, [dict(row._mapping) for row in rows])


def contact_point_rows(database_url: str) -> list[dict[str, Any]]:
    with session_scope(database_url) as session:
        rows = session.execute(
            select(*ContactPoint.__table__.columns, Unit.slug.label("unit_slug"))
            .join(Unit, ContactPoint.unit_id == Unit.id)
            .where(public_contact_point())
            .order_by(Unit.slug, ContactPoint.sort_order, ContactPoint.id)
        ).all()
        return with_texts(session, ContactPoint, [dict(row._mapping) for row in rows])


def closure_rows(database_url: str) -> list[dict[str, Any]]:
    with session_scope(database_url) as session:
        rows = session.execute(
            select(*Closure.__table__.columns, Unit.slug.label("unit_slug"))
            .join(Unit, Closure.unit_id == Unit.id)
            .where(public_closure())
            .order_by(Closure.starts_on, Unit.slug, Closure.id)
        ).all()
        return with_texts(session, Closure, [dict(row._mapping) for row in rows])


def target_rows(database_url: str) -> list[dict[str, Any]]:
    """Every published target, corrected ones included (as history, with superseded_at)."""
    return published_targets(database_url, include_superseded=True)


def latest_agency_figure(database_url: str) -> tuple[str, str, dt.date] | None:
    """(unit slug, metric code, period end) of the latest published figure of an agency: real
    values for the docs page's example links."""
    with session_scope(database_url) as session:
        row = session.execute(
            select(Unit.slug, Metric.code, Observation.period_end)
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(public_observation(), Unit.kind == "agency", public_unit(), public_metric())
            .order_by(Observation.period_end.desc(), Unit.slug, Metric.code)
            .limit(1)
        ).first()
    return None if row is None else (row[0], row[1], row[2])
