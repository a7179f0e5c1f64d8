"""What the open-data API reads: published rows as plain dicts, filtered with the conditions of
:mod:`dashboard.gateway.published`, the same ones the pages use.

:mod:`dashboard.open_data` turns these rows into records, CSV, JSON and the OpenAPI document;
nothing there opens a session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, not_, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from dashboard.gateway.published import (
    public_closure,
    public_contact_point,
    public_metric,
    public_observation,
    public_unit,
)
from dashboard.gateway.queries import observation_value_columns, published_targets
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    Closure,
    ContactPoint,
    Metric,
    Observation,
    ObservationRevision,
    Unit,
    with_texts,
)

#: The API's order of observations: their unique key, column by column. The unique index
#: (``uq_observations_key``) holds exactly this order, and ``ix_observations_api_page`` this
#: order then the visibility and the id (migration 0008), so a page is an index range scan from
#: the last row of the page before (keyset pagination) instead of a sort of every matching row,
#: and, the key being unique, no row is skipped or given twice between pages.
KEY_COLUMNS = (
    Observation.unit_id,
    Observation.metric_id,
    Observation.granularity,
    Observation.period_start,
    Observation.segment_type,
    Observation.segment_value,
)
#: (unit id, metric id, granularity, period start, segment type, segment value) of one row.
ObservationKey = tuple[int, int, str, dt.date, str, str]


def observation_key(row: Mapping[str, Any]) -> ObservationKey:
    """Where ``row`` (as :func:`observation_page` gives it) stands in the API's order."""
    return (
        row["unit_id"],
        row["metric_id"],
        row["granularity"],
        row["period_start"],
        row["segment_type"],
        row["segment_value"],
    )


def names_in_use(
    database_url: str,
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """(unit slugs, metric codes, (segment type, segment value) pairs) the public may name.

    Drafts are left out: naming one is the same error as naming nothing.
    """
    slugs, codes = unit_and_metric_names(database_url)
    return slugs, codes, published_segments(database_url)


def unit_and_metric_names(database_url: str) -> tuple[list[str], list[str]]:
    """(unit slugs, metric codes) the public may name: two small tables."""
    with session_scope(database_url) as session:
        slugs = list(session.scalars(select(Unit.slug).where(public_unit())).all())
        codes = list(session.scalars(select(Metric.code).where(public_metric())).all())
    return slugs, codes


def published_segments(database_url: str) -> list[tuple[str, str]]:
    """The distinct (segment type, segment value) pairs of published figures, in order."""
    with session_scope(database_url) as session:
        return _published_segments(session)


def _published_segments(session: Session) -> list[tuple[str, str]]:
    """The distinct (segment type, segment value) pairs of published figures, in order.

    A loose index scan: each step seeks the next pair past the one before in
    ``ix_observations_segments`` (which holds the visibility too, so the published check
    reads no row), a query or two per pair, where ``SELECT DISTINCT`` read every
    observation (seconds at millions of rows). A store has tens of pairs, not thousands.
    """
    first = (
        select(Observation.segment_type, Observation.segment_value)
        .where(public_observation())
        .order_by(Observation.segment_type, Observation.segment_value)
        .limit(1)
    )
    found: list[tuple[str, str]] = []
    row = session.execute(first).first()
    while row is not None:
        kind, value = row[0], row[1]
        found.append((kind, value))
        # Past (kind, value): a later value of the kind, else the next kind. Two seeks, not
        # one row value comparison, which SQLite seeks by its first column only (it would
        # step over every row of the kind).
        row = (
            session.execute(
                first.where(Observation.segment_type == kind, Observation.segment_value > value)
            ).first()
            or session.execute(first.where(Observation.segment_type > kind)).first()
        )
    return found


def _observation_conditions(
    session: Session, filters: Mapping[str, Any]
) -> list[ColumnElement[bool]]:
    """The filters as conditions on the observation's own columns where possible.

    Units and metrics are named by slug and code; their ids are looked up first (a few rows),
    so that the condition is on ``unit_id`` and ``metric_id``, the first columns of the index
    the API's order uses: one unit and one metric is then a range of that index.
    """
    conditions: list[ColumnElement[bool]] = []
    if filters.get("unit"):
        ids = session.scalars(select(Unit.id).where(Unit.slug.in_(filters["unit"]))).all()
        conditions.append(Observation.unit_id.in_(sorted(ids)))
    if filters.get("metric"):
        ids = session.scalars(select(Metric.id).where(Metric.code.in_(filters["metric"]))).all()
        conditions.append(Observation.metric_id.in_(sorted(ids)))
    if filters.get("granularity"):
        conditions.append(Observation.granularity.in_(filters["granularity"]))
    if filters.get("period"):
        conditions.append(
            or_(
                *(
                    and_(Observation.period_start >= p.start, Observation.period_end <= p.end)
                    for p in filters["period"]
                )
            )
        )
    if filters.get("from") is not None:
        conditions.append(Observation.period_start >= filters["from"])
    if filters.get("to") is not None:
        conditions.append(Observation.period_end <= filters["to"])
    if filters.get("segment"):
        segments = []
        for kind, value in filters["segment"]:
            if value is None:
                segments.append(Observation.segment_type == kind)
            else:
                segments.append(
                    and_(Observation.segment_type == kind, Observation.segment_value == value)
                )
        conditions.append(or_(*segments))
    return conditions


def _hidden_parents(session: Session) -> list[ColumnElement[bool]]:
    """The public conditions on an observation's unit and metric (``public_unit()``,
    ``public_metric()``) without joining them: its ``unit_id`` and ``metric_id`` are not those
    of a draft (looked up first: a few rows, usually none, so usually no condition at all).

    What is left is on the observation's own columns, all in ``ix_observations_api_page``
    (the API's order, then the visibility): the ids of a deep page and a count are read from
    that index alone, never from the table, and never joined row by row.
    """
    drafts = union_all(
        select(literal("unit"), Unit.id).where(not_(public_unit())),
        select(literal("metric"), Metric.id).where(not_(public_metric())),
    )
    found = session.execute(drafts).all()
    draft_units = sorted(draft_id for kind, draft_id in found if kind == "unit")
    draft_metrics = sorted(draft_id for kind, draft_id in found if kind == "metric")
    conditions: list[ColumnElement[bool]] = []
    if draft_units:
        conditions.append(Observation.unit_id.not_in(draft_units))
    if draft_metrics:
        conditions.append(Observation.metric_id.not_in(draft_metrics))
    return conditions


def count_observations(
    database_url: str, filters: Mapping[str, Any], *, published_count: int | None = None
) -> int:
    """How many published observations of published units and metrics match ``filters``.

    ``published_count`` is the status row's count of published observations (:class:`
    dashboard.gateway.queries.DataStatus`, kept at write time): without filters the total is
    that less the published observations of draft units and metrics (index ranges of the few
    drafts), not a count of every row. Otherwise the matching entries of
    ``ix_observations_api_page`` are counted (the callers cache it per data version).
    """
    with session_scope(database_url) as session:
        hidden = _hidden_parents(session)
        conditions = _observation_conditions(session, filters)
        if published_count is not None and not conditions:
            if not hidden:
                return published_count
            hidden_rows = select(func.count()).select_from(Observation)
            hidden_rows = hidden_rows.where(public_observation(), not_(and_(*hidden)))
            return published_count - (session.scalar(hidden_rows) or 0)
        query = select(func.count()).select_from(Observation)
        return session.scalar(query.where(public_observation(), *hidden, *conditions)) or 0


def observation_page(
    database_url: str,
    filters: Mapping[str, Any],
    *,
    limit: int | None,
    offset: int = 0,
    after: ObservationKey | None = None,
) -> list[dict[str, Any]]:
    """Published observations matching ``filters`` in the API's order (:data:`KEY_COLUMNS`):
    those past the key ``after`` (keyset pagination), or past ``offset`` rows, at most
    ``limit`` (None: all).

    Each row as :func:`dashboard.gateway.queries.published_observations_select` gives it
    (``earlier_value`` and ``revised_at`` included), plus ``metric_id``, ``scale`` and
    ``is_survey``. The page is read from the observations alone (drafts of units and metrics
    ruled out by id, :func:`_hidden_parents`), so that both databases read it along the
    index of the API's order, however the statement ends; the unit's and the metric's columns
    are then read for the page's few units and metrics (joined, SQLite would start a range
    past a unit from the units table and sort every later row). The earlier values are read
    for the page's rows only, in another query: joined to the statement they would be an
    aggregate over every revision on every page.
    """
    if after is not None and offset:
        raise ValueError("a page starts past a key or past an offset, not both")
    with session_scope(database_url) as session:
        conditions = [
            public_observation(),
            *_hidden_parents(session),
            *_observation_conditions(session, filters),
        ]
        query = (
            select(
                Observation.id,
                Observation.unit_id,
                Observation.metric_id,
                *observation_value_columns(),
            )
            .where(*conditions)
            .order_by(*KEY_COLUMNS)
        )
        if offset:
            rows = _rows_at_offset(session, query, conditions, offset, limit)
        elif after is None:
            statement = query if limit is None else query.limit(limit)
            rows = [dict(row._mapping) for row in session.execute(statement).all()]
        else:
            rows = _rows_past(session, query, after, limit)
        rows = _with_parents(session, rows)
        first_revisions = _first_revisions(session, None if limit is None else rows)
    for row in rows:
        earlier_value, revised_at = first_revisions.get(row["id"], (None, None))
        row["earlier_value"] = earlier_value
        row["revised_at"] = revised_at
    return rows


def _with_parents(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with their unit's slug and kind and their metric's code, scale and survey flag,
    read for the page's units and metrics (published ones: a row whose unit or metric is not,
    after all, is left out)."""
    if not rows:
        return rows
    unit_ids = sorted({row["unit_id"] for row in rows})
    metric_ids = sorted({row["metric_id"] for row in rows})
    # One query for both: every pair of the page's units and metrics (a page has a few of
    # each; a whole listing, hundreds by tens).
    units: dict[int, tuple[str, str]] = {}
    metrics: dict[int, tuple[str, str, bool]] = {}
    pairs = (
        select(
            Unit.id, Unit.slug, Unit.kind, Metric.id, Metric.code, Metric.scale, Metric.is_survey
        )
        .select_from(Unit)
        .join(Metric, and_(Metric.id.in_(metric_ids), public_metric()))
        .where(Unit.id.in_(unit_ids), public_unit())
    )
    for unit_id, slug, kind, metric_id, code, scale, is_survey in session.execute(pairs).all():
        units[unit_id] = (slug, kind)
        metrics[metric_id] = (code, scale, is_survey)
    kept = []
    for row in rows:
        unit = units.get(row["unit_id"])
        metric = metrics.get(row["metric_id"])
        if unit is None or metric is None:
            continue
        row["unit_slug"], row["unit_kind"] = unit
        row["metric_code"], row["scale"], row["is_survey"] = metric
        kept.append(row)
    return kept


def _rows_at_offset(
    session: Session,
    query: Select[Any],
    conditions: list[ColumnElement[bool]],
    offset: int,
    limit: int | None,
) -> list[dict[str, Any]]:
    """The rows of ``query`` past ``offset`` of them: the ids first, then their rows.

    The ids are read from ``ix_observations_api_page`` alone (the API's order, then the
    visibility; drafts of units and metrics are ruled out by id in ``conditions``): stepping
    over the rows before the page is a walk along that index, not a read of each row. Still
    linear in ``offset``, by nature: ``cursor`` is the constant-time way deep in.
    """
    ids_query = select(Observation.id).where(*conditions).order_by(*KEY_COLUMNS).offset(offset)
    if limit is not None:
        ids_query = ids_query.limit(limit)
    ids = list(session.scalars(ids_query).all())
    rows: list[dict[str, Any]] = []
    for at in range(0, len(ids), _IDS_PER_QUERY):
        chunk = query.where(Observation.id.in_(ids[at : at + _IDS_PER_QUERY]))
        rows += [dict(row._mapping) for row in session.execute(chunk).all()]
    return rows


def _rows_past(
    session: Session, query: Select[Any], after: ObservationKey, limit: int | None
) -> list[dict[str, Any]]:
    """The rows of ``query`` (ordered by :data:`KEY_COLUMNS`) whose key comes after ``after``.

    Level by level from the deepest: the rows that share the key's first five columns and
    come after it in the sixth, then those that share four and come after it in the fifth,
    and so on up to a later unit. Each level is an equality prefix and a range of the unique
    key's index: a seek on both databases. (One row value comparison, ``(a, b, ...) > (...)``,
    says the same, but SQLite seeks it by its first column only and then steps over every
    row of the unit before the key: thousands per page.) The levels follow each other in the
    order, so the page is their rows in turn until it is full.
    """
    rows: list[dict[str, Any]] = []
    for depth in range(len(KEY_COLUMNS) - 1, -1, -1):
        wanted = None if limit is None else limit - len(rows)
        if wanted is not None and wanted <= 0:
            break
        same = [
            column == literal(value, column.type)
            for column, value in zip(KEY_COLUMNS[:depth], after[:depth], strict=True)
        ]
        column = KEY_COLUMNS[depth]
        level = query.where(*same, column > literal(after[depth], column.type))
        if wanted is not None:
            level = level.limit(wanted)
        rows += [dict(row._mapping) for row in session.execute(level).all()]
    return rows


#: Ids bound in one ``IN (...)``: a page holds at most MAX_LIMIT + 1 rows; SQLite binds 32,766.
_IDS_PER_QUERY = 5000


def _first_revisions(
    session: Session, rows: list[dict[str, Any]] | None
) -> dict[int, tuple[float | None, dt.datetime]]:
    """{observation id: (the value first published, when it was first revised)} for the
    revised ones among ``rows`` (None: every observation)."""
    query = select(
        ObservationRevision.observation_id,
        ObservationRevision.raw_value,
        ObservationRevision.revised_at,
    ).order_by(
        ObservationRevision.observation_id, ObservationRevision.revised_at, ObservationRevision.id
    )
    chunks = [query]
    if rows is not None:
        ids = [row["id"] for row in rows]
        chunks = [
            query.where(ObservationRevision.observation_id.in_(ids[at : at + _IDS_PER_QUERY]))
            for at in range(0, len(ids), _IDS_PER_QUERY)
        ]
    found: dict[int, tuple[float | None, dt.datetime]] = {}
    for chunk in chunks:
        for observation_id, raw_value, revised_at in session.execute(chunk).all():
            # The earliest revision holds the value first published (ordered above).
            found.setdefault(observation_id, (raw_value, revised_at))
    return found


def observation_rows(
    database_url: str, filters: Mapping[str, Any], *, limit: int | None, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """(rows on the page, total matching) of published observations, in the API's order."""
    rows = observation_page(database_url, filters, limit=limit, offset=offset)
    total = len(rows) if limit is None and not offset else count_observations(database_url, filters)
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
