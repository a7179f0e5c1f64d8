"""Read queries for the public pages. Published data only: every query here filters drafts
with the conditions of :mod:`dashboard.gateway.published` (the one place that says what the
public may see); the open-data API reads through :mod:`dashboard.gateway.open_data` with the
same conditions.

Each function takes the database URL and returns plain Python values (dicts, lists, dates), so
that layouts and callbacks never see a session or an ORM object, and results can be cached.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, func, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.orm import aliased

from dashboard.domain.scorecard import (
    HeadlineChoice,
    MetricInfo,
    choose_headlines,
    needs_result_counts,
)
from dashboard.gateway.published import (
    public_action,
    public_closure,
    public_contact_point,
    public_feedback_excerpt,
    public_metric,
    public_observation,
    public_target,
    public_unit,
    target_in_force_condition,
)
from dashboard.infra.data_status import (
    StatusValues,
    compute_status,
    has_status_table,
    read_status_row,
    version_text,
)
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    GRANULARITIES,
    Action,
    Closure,
    ContactPoint,
    FeedbackResponse,
    Metric,
    Observation,
    ObservationRevision,
    Publication,
    Target,
    Unit,
    action_metrics,
    records_with_texts,
    select_with_texts,
    text_expression,
    with_texts,
)


@dataclass(frozen=True)
class DataStatus:
    """How current the published data is, and a key that changes whenever it does."""

    as_of: dt.date | None  # end of the latest published period
    last_updated: dt.datetime | None  # when anything was last published
    published_count: int
    #: The latest successful import of any kind: a corrected target, a new contact point or
    #: a published unit changes public pages without touching an observation.
    last_import: int | None = None
    #: The status row's counter (:mod:`dashboard.infra.data_status`), bumped by every write
    #: that changes the fields above; None when the store has no row yet.
    serial: int | None = None

    @property
    def version(self) -> str:
        values = StatusValues(self.as_of, self.last_updated, self.published_count, self.last_import)
        return version_text(self.serial, values)


def data_status(database_url: str) -> DataStatus:
    """The status row, kept at write time: one primary-key read, whatever the store's size.
    A store without the row (not migrated yet, or made by ``create_all`` and never written)
    is aggregated instead, as every request did before the row existed."""
    with session_scope(database_url) as session:
        row = read_status_row(session) if has_status_table(session) else None
        if row is None:
            serial, values = None, compute_status(session)
        else:
            serial, values = row
    return DataStatus(
        as_of=values.as_of,
        last_updated=values.last_updated,
        published_count=values.published_count,
        last_import=values.last_import,
        serial=serial,
    )


def list_agencies(database_url: str) -> list[dict[str, object]]:
    """Every published agency with its published services, ordered by name in the default
    language. Names and descriptions come as ``<field>_<language>`` keys (``name_en``)."""
    query = (
        select(Unit.id, Unit.parent_id, Unit.slug, Unit.kind)
        .where(Unit.kind.in_(("agency", "service")), public_unit())
        .order_by(text_expression(Unit, "name"), Unit.id)
    )
    with session_scope(database_url) as session:
        rows = records_with_texts(session.execute(select_with_texts(query, Unit)), Unit)
    services: dict[int | None, list[dict[str, Any]]] = {}
    agencies: list[tuple[int, dict[str, Any]]] = []
    for row in rows:
        words = {k: v for k, v in row.items() if k not in ("id", "parent_id", "slug", "kind")}
        if row["kind"] == "service":
            names = {key: value for key, value in words.items() if key.startswith("name_")}
            services.setdefault(row["parent_id"], []).append({"slug": row["slug"], **names})
        else:
            agencies.append((row["id"], {"slug": row["slug"], **words}))
    return [{**record, "services": services.get(agency_id, [])} for agency_id, record in agencies]


# -- shared loaders for the public pages ---------------------------------------------------
# Each returns plain dicts of published rows only, and never an internal note: those columns
# are simply not selected.


def units(database_url: str, *, family: str | None = None) -> list[dict[str, Any]]:
    """Every published unit (enterprise, agencies, services) with its parent's slug; with
    ``family`` (an agency's slug), only the enterprise, that unit and its children: what one
    agency's page needs of a catalogue of thousands of services.

    A unit under a draft parent is left out with it (its parent's slug would name a draft).
    """
    parent = aliased(Unit)
    query = (
        select(
            Unit.id,
            Unit.slug,
            Unit.kind,
            Unit.website,
            parent.slug.label("parent_slug"),
        )
        .outerjoin(parent, Unit.parent_id == parent.id)
        .where(public_unit(), or_(Unit.parent_id.is_(None), public_unit(parent)))
        .order_by(text_expression(Unit, "name"), Unit.id)
    )
    if family is not None:
        query = query.where(
            or_(Unit.kind == "enterprise", Unit.slug == family, parent.slug == family)
        )
    with session_scope(database_url) as session:
        return records_with_texts(session.execute(select_with_texts(query, Unit)), Unit)


def metrics(database_url: str) -> list[dict[str, Any]]:
    """Every published metric definition, in a stable order (dimension, then name)."""
    with session_scope(database_url) as session:
        query = (
            select(*Metric.__table__.columns)
            .where(public_metric())
            .order_by(Metric.dimension, text_expression(Metric, "name"), Metric.id)
        )
        return records_with_texts(session.execute(select_with_texts(query, Metric)), Metric)


def published_observation_columns() -> tuple[Any, ...]:
    """The columns of a published observation as the pages read it: its ids, its unit's slug
    and kind, its metric's code, then :func:`observation_value_columns`."""
    return (
        Observation.id,
        Observation.unit_id,
        Unit.slug.label("unit_slug"),
        Unit.kind.label("unit_kind"),
        Metric.code.label("metric_code"),
        *observation_value_columns(),
    )


def observation_value_columns() -> tuple[Any, ...]:
    """The observation's own published columns, period to publication (one list for the pages,
    :func:`published_observation_columns`, and the open-data API, which reads its unit and
    metric apart: :mod:`dashboard.gateway.open_data`)."""
    return (
        Observation.period_start,
        Observation.period_end,
        Observation.granularity,
        Observation.segment_type,
        Observation.segment_value,
        Observation.raw_value,
        Observation.numerator,
        Observation.denominator,
        Observation.response_rate,
        Observation.score,
        Observation.series_break,
        Observation.published_at,
    )


def _ids_in(column: Any, ids: Iterable[int], database_url: str) -> ColumnElement[bool]:
    """``column IN ids``. On PostgreSQL a long list goes as one array parameter (``= ANY``):
    thousands of bound values (every service of every agency) cost more to send and plan than
    the query they filter took to run."""
    values = list(ids)
    if len(values) > _ARRAY_FROM and make_url(database_url).get_backend_name() == "postgresql":
        return column == func.any(bindparam(None, values, type_=ARRAY(Integer)))
    return column.in_(values)


#: Lists longer than this go to PostgreSQL as one array (:func:`_ids_in`).
_ARRAY_FROM = 32


def published_observations_select(*extra_columns: Any) -> Select[*tuple[Any, ...]]:
    """The one statement for published observations (the pages and the open-data API).

    Each row: the observation with its unit and metric, and ``earlier_value`` / ``revised_at``,
    the first published value of a figure revised later and when (NULL when it never was),
    then ``extra_columns`` (of the observation, unit or metric). Callers add their own
    filters and order; drafts are excluded here, once (draft observations, and any row of a
    draft unit or metric).
    """
    # Per row, a seek of the observation's revisions (usually none), rather than a join to
    # the first revision of every observation: that aggregated the whole revisions table,
    # which grows with the store's history, on every page's read.
    first_revision = (
        select(ObservationRevision.raw_value)
        .where(ObservationRevision.observation_id == Observation.id)
        .order_by(ObservationRevision.revised_at, ObservationRevision.id)
        .limit(1)
        .correlate(Observation)
    )
    revised_at = first_revision.with_only_columns(ObservationRevision.revised_at)
    return (
        select(
            *published_observation_columns(),
            first_revision.scalar_subquery().label("earlier_value"),
            revised_at.scalar_subquery().label("revised_at"),
            *extra_columns,
        )
        .join(Unit, Observation.unit_id == Unit.id)
        .join(Metric, Observation.metric_id == Metric.id)
        .where(public_observation(), public_unit(), public_metric())
    )


def _observations_query(
    unit_ids: Iterable[int] | None,
    metric_codes: Iterable[str] | None,
    granularity: str | None,
    segment_types: Iterable[str] | None,
) -> Select[*tuple[Any, ...]]:
    query = published_observations_select().order_by(
        Unit.slug,
        Metric.code,
        Observation.segment_type,
        Observation.segment_value,
        Observation.period_start,
    )
    if unit_ids is not None:
        query = query.where(Observation.unit_id.in_(list(unit_ids)))
    if metric_codes is not None:
        query = query.where(Metric.code.in_(list(metric_codes)))
    if granularity is not None:
        query = query.where(Observation.granularity == granularity)
    if segment_types is not None:
        query = query.where(Observation.segment_type.in_(list(segment_types)))
    return query


def published_observation_records(
    database_url: str,
    *,
    unit_ids: Iterable[int] | None,
    metric_codes: Iterable[str] | None = None,
    granularity: str | None = None,
    segment_types: Iterable[str] | None = ("",),
) -> list[dict[str, Any]]:
    """Published observations with their unit and metric and the earliest revised value, as
    plain dicts (None for a missing value), by unit, metric, segment and period.

    ``unit_ids=None`` reads every unit's (a caller says so: a page reads what it shows).
    ``segment_types=("",)`` (the default) gives the overall figures only; ``None`` gives every
    segment. ``earlier_value`` is the first published value of a figure that was revised
    later (NULL when it never was), and ``revised_at`` when that happened."""
    query = _observations_query(unit_ids, metric_codes, granularity, segment_types)
    with session_scope(database_url) as session:
        result = session.execute(query)
        keys = list(result.keys())
        return [dict(zip(keys, row, strict=True)) for row in result]


def published_targets(
    database_url: str,
    *,
    unit_ids: Iterable[int] | None = None,
    include_superseded: bool = False,
) -> list[dict[str, Any]]:
    """Published targets (posted service levels) with their unit and metric codes.

    By default only the targets that can be in force (:func:`target_in_force_condition`):
    what every status is judged against. ``include_superseded=True`` adds the corrected ones,
    kept as history (``superseded_at`` set, ``superseded_by_id`` the correcting target).
    """
    condition = public_target() if include_superseded else target_in_force_condition()
    query = (
        select(
            Target.id,
            Target.unit_id,
            Unit.slug.label("unit_slug"),
            Metric.code.label("metric_code"),
            Target.kind,
            Target.value,
            Target.comparator,
            Target.effective_from,
            Target.effective_to,
            Target.superseded_at,
            Target.superseded_by_id,
        )
        .join(Unit, Target.unit_id == Unit.id)
        .join(Metric, Target.metric_id == Metric.id)
        .where(condition, public_unit(), public_metric())
        .order_by(Unit.slug, Metric.code, Target.effective_from, Target.id)
    )
    if unit_ids is not None:
        query = query.where(_ids_in(Target.unit_id, unit_ids, database_url))
    with session_scope(database_url) as session:
        return records_with_texts(session.execute(select_with_texts(query, Target)), Target)


def published_actions(
    database_url: str, *, unit_ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """Published actions taken to improve, with the codes of the metrics they address."""
    query = (
        select(
            Action.id,
            Action.unit_id,
            Unit.slug.label("unit_slug"),
            Action.status,
            Action.started_on,
            Action.completed_on,
            Action.link,
        )
        .join(Unit, Action.unit_id == Unit.id)
        .where(public_action(), public_unit())
        .order_by(Action.started_on, Action.id)
    )
    if unit_ids is not None:
        query = query.where(_ids_in(Action.unit_id, unit_ids, database_url))
    with session_scope(database_url) as session:
        actions = records_with_texts(session.execute(select_with_texts(query, Action)), Action)
        codes: dict[int, list[str]] = {}
        if actions:
            links = session.execute(
                select(action_metrics.c.action_id, Metric.code)
                .join(Metric, Metric.id == action_metrics.c.metric_id)
                .where(action_metrics.c.action_id.in_(select(query.subquery().c.id)))
            )
            for action_id, code in links:
                codes.setdefault(action_id, []).append(code)
    for action in actions:
        action["metric_codes"] = sorted(codes.get(action["id"], []))
    return actions


#: Most published feedback excerpts a page lists (the latest published first).
FEEDBACK_EXCERPTS_MAX = 10


def published_feedback_excerpts(
    database_url: str, unit_ids: Iterable[int], *, limit: int = FEEDBACK_EXCERPTS_MAX
) -> list[dict[str, Any]]:
    """The feedback excerpts published about published units among ``unit_ids`` (issue 14):
    the staff-written excerpt, when it was received and whether the page helped. Only these
    columns: the visitor's comment is never read here."""
    ids = list(unit_ids)
    if not ids:
        return []
    query = (
        select(
            FeedbackResponse.excerpt,
            FeedbackResponse.helpful,
            FeedbackResponse.received_at,
            FeedbackResponse.excerpt_published_at,
        )
        .join(Unit, FeedbackResponse.unit_id == Unit.id)
        .where(FeedbackResponse.unit_id.in_(ids), public_feedback_excerpt(), public_unit())
        .order_by(FeedbackResponse.excerpt_published_at.desc(), FeedbackResponse.id.desc())
        .limit(limit)
    )
    with session_scope(database_url) as session:
        return [dict(row._mapping) for row in session.execute(query)]


def contact_points(database_url: str, unit_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The published contact points of published units among ``unit_ids``."""
    query = (
        select(*ContactPoint.__table__.columns)
        .join(Unit, ContactPoint.unit_id == Unit.id)
        .where(ContactPoint.unit_id.in_(list(unit_ids)), public_contact_point())
        .order_by(ContactPoint.unit_id, ContactPoint.sort_order, ContactPoint.id)
    )
    with session_scope(database_url) as session:
        rows = session.execute(select_with_texts(query, ContactPoint))
        return records_with_texts(rows, ContactPoint)


def closures(
    database_url: str, unit_ids: Iterable[int], *, ending_on_or_after: dt.date
) -> list[dict[str, Any]]:
    """Published scheduled closures that have not ended by ``ending_on_or_after``."""
    query = (
        select(*Closure.__table__.columns)
        .join(Unit, Closure.unit_id == Unit.id)
        .where(
            Closure.unit_id.in_(list(unit_ids)),
            Closure.ends_on >= ending_on_or_after,
            public_closure(),
        )
        .order_by(Closure.starts_on)
    )
    with session_scope(database_url) as session:
        return records_with_texts(session.execute(select_with_texts(query, Closure)), Closure)


# -- the headline measure of each dimension ------------------------------------------------


def load_headline_choices(
    database_url: str, metrics: Sequence[MetricInfo]
) -> dict[str, HeadlineChoice]:
    """The headline measure of each dimension and why; results are counted only when the
    count decides (no flag and no default in a dimension of several measures)."""
    counts = published_result_counts(database_url) if needs_result_counts(metrics) else None
    return choose_headlines(metrics, counts)


def load_headline_metrics(
    database_url: str, metrics: Sequence[MetricInfo]
) -> dict[str, MetricInfo]:
    """The headline measure of each dimension (:func:`load_headline_choices`)."""
    return {dim: c.metric for dim, c in load_headline_choices(database_url, metrics).items()}


def published_result_counts(database_url: str) -> dict[str, int]:
    """Published results (a figure, not "no data") per public metric's code."""
    query = (
        select(Metric.code, func.count(Observation.id))
        .join(Metric, Observation.metric_id == Metric.id)
        .join(Unit, Observation.unit_id == Unit.id)
        .where(
            public_observation(),
            Observation.raw_value.is_not(None),
            public_metric(),
            public_unit(),
        )
        .group_by(Metric.code)
    )
    with session_scope(database_url) as session:
        return {code: count for code, count in session.execute(query).all()}


def measured_dimensions(database_url: str, start: dt.date, end: dt.date) -> dict[str, set[str]]:
    """For each agency, the dimensions it published any figure of between ``start`` and ``end``.

    Any metric of the dimension and any segment counts, the agency's own or one of its
    services'; a published "no data" (NULL) does not.

    Per agency and dimension, the first of its units' metrics of the dimension with a figure
    ends the search (an existence test each, an index seek on ``uq_observations_key``: unit,
    metric, granularity, period start): the work grows with the agencies and dimensions (and,
    for a dimension an agency did not measure, with its catalogue), never with the store.
    """
    # One statement: per agency and dimension, a scalar subquery with LIMIT 1, planned as a
    # nested loop over the agency's units and the dimension's metrics with an index seek
    # each, stopping at the first figure. (An EXISTS in the WHERE clause becomes a semi-join
    # on PostgreSQL, which hashed the whole period's figures.)
    agency = aliased(Unit)
    member = aliased(Unit)
    dimensions = select(Metric.dimension).distinct().subquery()
    of_dimension = aliased(Metric)
    first_figure = (
        select(Observation.id)
        .select_from(member)
        .join(of_dimension, of_dimension.dimension == dimensions.c.dimension)
        .join(
            Observation,
            (Observation.unit_id == member.id) & (Observation.metric_id == of_dimension.id),
        )
        .where(
            or_(
                member.id == agency.id,
                and_(member.parent_id == agency.id, member.kind == "service"),
            ),
            Observation.granularity.in_(GRANULARITIES),
            Observation.period_start >= start,
            Observation.period_start <= end,
            Observation.period_end <= end,
            Observation.raw_value.is_not(None),
            public_observation(),
        )
        .correlate(agency, dimensions)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(agency.slug, dimensions.c.dimension, first_figure)
        .select_from(agency)
        .join(dimensions, true())
        .where(agency.kind == "agency")
    )
    measured: dict[str, set[str]] = defaultdict(set)
    with session_scope(database_url) as session:
        for slug, dimension, figure in session.execute(query):
            if figure is not None:
                measured[slug].add(dimension)
    return dict(measured)


def latest_period_ends(database_url: str) -> dict[tuple[str, str], dt.date]:
    """For each (metric, granularity), the end of the latest period anyone published.

    A unit whose own series stops before this is shown as "not reported" for the periods it
    skipped, rather than its chart quietly ending early.

    One ``max`` per metric and granularity, each the last entry of a range of
    ``ix_observations_metric_latest`` (an index seek on SQLite and PostgreSQL), instead of
    grouping every published overall row of the store.
    """
    latest = {
        granularity: select(func.max(Observation.period_end))
        .where(
            Observation.metric_id == Metric.id,
            Observation.segment_type == "",
            Observation.granularity == granularity,
            public_observation(),
        )
        .correlate(Metric)
        .scalar_subquery()
        .label(granularity)
        for granularity in GRANULARITIES
    }
    with session_scope(database_url) as session:
        rows = session.execute(select(Metric.code, *latest.values())).all()
    return {
        (code, granularity): end
        for code, *ends in rows
        for granularity, end in zip(latest, ends, strict=True)
        if end is not None
    }


# -- the overall figures the scorecard pages read (home, review) -----------------------------
# Plain columns (no DataFrame) of only the periods a page shows; the indexes of migration 0006
# serve them: ix_observations_unit_series (unit, metric, overall, published, granularity,
# period) narrows each series to its overall published rows without touching segments.

#: The columns of :func:`overall_figures` (what a :class:`~dashboard.domain.scorecard.Reading`
#: is built from).
FIGURE_COLUMNS = (
    "unit_slug",
    "metric_code",
    "period_start",
    "period_end",
    "granularity",
    "raw_value",
    "numerator",
    "denominator",
    "earlier_value",
    "revised_at",
    "series_break",
)


def _overall_of(
    query: Select[*tuple[Any, ...]],
    unit_ids: Iterable[int],
    metric_codes: Iterable[str],
    database_url: str,
) -> Select[*tuple[Any, ...]]:
    return query.where(
        _ids_in(Observation.unit_id, unit_ids, database_url),
        Metric.code.in_(list(metric_codes)),
        Observation.segment_type == "",
    )


def _figure_columns(query: Select[*tuple[Any, ...]], database_url: str) -> dict[str, list[Any]]:
    query = query.order_by(
        Unit.slug, Metric.code, Observation.segment_value, Observation.period_start
    )
    with session_scope(database_url) as session:
        result = session.execute(query)
        keys = list(result.keys())
        rows = result.all()
    wanted = [keys.index(name) for name in FIGURE_COLUMNS]
    return {name: [row[i] for row in rows] for name, i in zip(FIGURE_COLUMNS, wanted, strict=True)}


def overall_figures(
    database_url: str,
    *,
    unit_ids: Iterable[int],
    metric_codes: Iterable[str],
    starting_from: dt.date | None = None,
    ending_by: dt.date | None = None,
) -> dict[str, list[Any]]:
    """Published overall figures of ``unit_ids`` and ``metric_codes`` (columns
    :data:`FIGURE_COLUMNS`, one list each, in series and period order), only of the periods
    that start on or after ``starting_from`` and end by ``ending_by`` (either may be open)."""
    query = _overall_of(published_observations_select(), unit_ids, metric_codes, database_url)
    if starting_from is not None:
        query = query.where(Observation.period_start >= starting_from)
    if ending_by is not None:
        query = query.where(Observation.period_end <= ending_by)
    return _figure_columns(query, database_url)


def last_reported_figures(
    database_url: str,
    *,
    unit_ids: Iterable[int],
    metric_codes: Iterable[str],
    ending_before: dt.date,
    starting_before: dt.date,
) -> dict[str, list[Any]]:
    """Per series, its latest published figure (not "no data") ending before ``ending_before``,
    among the figures starting before ``starting_before`` (those a windowed read of
    :func:`overall_figures` left out): what "last reported" needs from before the window,
    one row (or one per granularity ending that day) a series instead of its whole history."""
    latest = (
        _overall_of(
            select(
                Observation.unit_id,
                Observation.metric_id,
                func.max(Observation.period_end).label("period_end"),
            ).join(Metric, Observation.metric_id == Metric.id),
            unit_ids,
            metric_codes,
            database_url,
        )
        .where(
            public_observation(),
            Observation.raw_value.is_not(None),
            Observation.period_end < ending_before,
            Observation.period_start < starting_before,
        )
        .group_by(Observation.unit_id, Observation.metric_id)
        .subquery()
    )
    query = (
        _overall_of(published_observations_select(), unit_ids, metric_codes, database_url)
        .join(
            latest,
            (latest.c.unit_id == Observation.unit_id)
            & (latest.c.metric_id == Observation.metric_id)
            & (latest.c.period_end == Observation.period_end),
        )
        .where(Observation.raw_value.is_not(None), Observation.period_start < starting_before)
    )
    return _figure_columns(query, database_url)


def _series_condition(
    series: Sequence[tuple[Sequence[int], Sequence[str]]],
    database_url: str,
    figure: Any = Observation,
) -> ColumnElement[bool] | None:
    """``figure`` belongs to one of ``series`` ((unit ids, metric codes) pairs); None for none.
    The caller joins ``Metric`` on the figure's metric."""
    wanted = [
        and_(_ids_in(figure.unit_id, ids, database_url), Metric.code.in_(list(codes)))
        for ids, codes in series
        if ids and codes
    ]
    return or_(*wanted) if wanted else None


def _series_figures_ending(
    query: Select[*tuple[Any, ...]], end: Any, granularity: str
) -> Select[*tuple[Any, ...]]:
    """``query`` over the published overall figures of ``granularity`` ending on ``end``, of
    published units and metrics (the caller adds which series)."""
    return (
        query.join(Metric, Observation.metric_id == Metric.id)
        .join(Unit, Observation.unit_id == Unit.id)
        .where(
            Observation.period_end == end,
            Observation.granularity == granularity,
            Observation.segment_type == "",
            public_observation(),
            public_unit(),
            public_metric(),
        )
    )


def _period_ends(codes: Sequence[str], granularity: str) -> Select[*tuple[Any, ...]]:
    """The distinct ends of the published overall periods of ``granularity`` of the metrics,
    read by a loose index scan of ``ix_observations_metric_latest``: per metric, the first end
    after the one before, one seek each (a recursive CTE, on SQLite and PostgreSQL), so the
    work grows with the periods, not with the figures published for each."""

    def first_end_after(metric: Any, after: Any = None) -> Any:
        conditions = [
            Observation.metric_id == metric,
            Observation.segment_type == "",
            Observation.granularity == granularity,
            public_observation(),
        ]
        if after is not None:
            conditions.append(Observation.period_end > after)
        return select(func.min(Observation.period_end)).where(*conditions).scalar_subquery()

    ends = (
        select(Metric.id.label("metric_id"), first_end_after(Metric.id).label("period_end"))
        .where(Metric.code.in_(list(codes)), public_metric())
        .cte("period_ends", recursive=True)
    )
    ends = ends.union_all(
        select(ends.c.metric_id, first_end_after(ends.c.metric_id, ends.c.period_end)).where(
            ends.c.period_end.is_not(None)
        )
    )
    return select(ends.c.period_end).where(ends.c.period_end.is_not(None)).distinct()


def published_periods(
    database_url: str,
    *,
    series: Sequence[tuple[Sequence[int], Sequence[str]]],
    granularity: str,
) -> list[tuple[dt.date, dt.date]]:
    """The distinct (period start, period end) of ``granularity`` of the published overall
    figures of ``series`` ((unit ids, metric codes) pairs: those units' figures of those
    metrics), oldest first: the periods a page offers, without reading the figures.

    The periods anyone published of those metrics come from :func:`_period_ends`; each is then
    kept when one of the series has a figure of it (the first one found, an index seek).
    """
    belongs = _series_condition(series, database_url)
    if belongs is None:
        return []
    codes = sorted({code for _ids, series_codes in series for code in series_codes})
    with session_scope(database_url) as session:
        ends = _period_ends(codes, granularity).subquery()
        first_start = (
            _series_figures_ending(select(Observation.period_start), ends.c.period_end, granularity)
            .where(belongs)
            .correlate(ends)
            .limit(1)
            .scalar_subquery()
        )
        found = session.execute(select(first_start, ends.c.period_end)).all()
    return sorted((start, end) for start, end in found if start is not None)


def series_with_every_period(
    database_url: str,
    *,
    series: Sequence[tuple[Sequence[int], Sequence[str]]],
    granularity: str,
    period_sets: Sequence[Sequence[dt.date]],
) -> list[bool]:
    """For each of ``period_sets`` (period ends of ``granularity``), whether one of ``series``
    published an overall figure of every one of them: a quarter is offered from monthly figures
    when a series has all three months. One query a set: the figures of its first period,
    each followed by an index seek per other period of the same series, stopping at the first
    series that has them all."""
    belongs = _series_condition(series, database_url)
    if belongs is None:
        return [False for _ in period_sets]
    answers = []
    with session_scope(database_url) as session:
        for ends in period_sets:
            if not ends:
                answers.append(False)
                continue
            first, *others = ends
            query = _series_figures_ending(select(Observation.id), first, granularity).where(
                belongs
            )
            for end in others:
                other = aliased(Observation)
                query = query.where(
                    select(other.id)
                    .where(
                        other.unit_id == Observation.unit_id,
                        other.metric_id == Observation.metric_id,
                        other.segment_type == "",
                        public_observation(other),
                        other.granularity == granularity,
                        other.period_end == end,
                    )
                    .limit(1)
                    .scalar_subquery()
                    .is_not(None)
                )
            answers.append(session.scalar(query.limit(1)) is not None)
    return answers


# -- what changed (issue 10): publications, last updated, revision reasons -------------------

#: The reason the importer writes itself when a file replaces a published figure
#: (``data/store.py``): internal bookkeeping (an import number and a file name), not a reason
#: an agency gave, so the public never sees it.
_IMPORTER_REASON = re.compile(r"^replaced by import #\d+ of ")


def is_public_reason(reason: str | None) -> bool:
    """True for a revision reason an agency stated (shown), False for none or the importer's."""
    return bool(reason and reason.strip()) and not _IMPORTER_REASON.match(reason or "")


def _public_agencies(agency: str | None) -> Select[*tuple[Any, ...]]:
    query = select(Unit.id).where(Unit.kind == "agency", public_unit())
    return query.where(Unit.slug == agency) if agency is not None else query


def publications(
    database_url: str, *, limit: int, offset: int = 0, agency: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """(one page of publications, how many there are in all), newest first.

    Only publications of published agencies (``agency``: one agency's slug). Each record:
    ``id``, ``published_at``, ``agency_id``, ``agency_slug``, the agency's ``name_<language>``
    texts, the counts (``figures_added``, ``figures_revised``, ``targets_changed``,
    ``actions_changed``, ``contact_points_changed``, ``closures_changed``), ``reasons`` and
    ``note`` (public texts). Who approved it (``user_id``) is internal and never selected.
    """
    agencies = _public_agencies(agency)
    query = (
        select(
            Publication.id,
            Publication.published_at,
            Publication.agency_id,
            Unit.slug.label("agency_slug"),
            Publication.figures_added,
            Publication.figures_revised,
            Publication.targets_changed,
            Publication.actions_changed,
            Publication.contact_points_changed,
            Publication.closures_changed,
            Publication.reasons,
            Publication.note,
        )
        .join(Unit, Publication.agency_id == Unit.id)
        .where(Publication.agency_id.in_(agencies))
        .order_by(Publication.published_at.desc(), Publication.id.desc())
        .limit(limit)
        .offset(offset)
    )
    count = select(func.count(Publication.id)).where(Publication.agency_id.in_(agencies))
    with session_scope(database_url) as session:
        total = session.scalar(count) or 0
        records = [dict(row._mapping) for row in session.execute(query)]
        with_texts(session, Unit, records, id_key="agency_id")
    return records, total


def agency_last_updated(database_url: str, agency: str) -> dt.datetime | None:
    """When a published agency's page last changed: its latest publication, or (a store
    published before publications were recorded) the latest figure it or its services
    published. None for an unknown or draft agency, or one that published nothing."""
    agency_id = _public_agencies(agency).scalar_subquery()
    with session_scope(database_url) as session:
        latest = session.scalar(
            select(func.max(Publication.published_at)).where(Publication.agency_id == agency_id)
        )
        if latest is None:
            latest = session.scalar(
                select(func.max(Observation.published_at))
                .join(Unit, Observation.unit_id == Unit.id)
                .where(
                    public_observation(),
                    public_unit(),
                    or_(Unit.id == agency_id, Unit.parent_id == agency_id),
                )
            )
    return latest


def revision_reasons(database_url: str, *, unit_ids: Iterable[int]) -> dict[int, str]:
    """{published observation id: the reason its agency gave for its latest revision} for the
    observations of ``unit_ids`` (published units) whose latest revision states one. The
    importer's own bookkeeping reasons are left out (:func:`is_public_reason`): a figure last
    replaced by a file gets no reason rather than an earlier one that no longer explains it."""
    query = (
        select(ObservationRevision.observation_id, ObservationRevision.reason)
        .join(Observation, ObservationRevision.observation_id == Observation.id)
        .join(Unit, Observation.unit_id == Unit.id)
        .where(
            Observation.unit_id.in_(list(unit_ids)),
            public_observation(),
            public_unit(),
        )
        .order_by(ObservationRevision.revised_at, ObservationRevision.id)
    )
    found: dict[int, str] = {}
    with session_scope(database_url) as session:
        for observation_id, reason in session.execute(query):
            if reason is not None and is_public_reason(reason):
                found[observation_id] = reason.strip()
            else:
                found.pop(observation_id, None)
    return found


# -- what an agency page reads of its services (work in proportion to the page) ---------------


def published_series_keys(
    database_url: str, *, unit_ids: Iterable[int]
) -> list[tuple[int, str, str]]:
    """The distinct (unit id, metric code, granularity) of the published overall figures of
    ``unit_ids``: which series each unit has, without reading them (grouped along
    ``ix_observations_unit_series``, whose leading columns these are)."""
    ids = list(unit_ids)
    if not ids:
        return []
    grouped = (
        select(Observation.unit_id, Observation.metric_id, Observation.granularity)
        .where(
            _ids_in(Observation.unit_id, ids, database_url),
            Observation.segment_type == "",
            public_observation(),
        )
        .group_by(Observation.unit_id, Observation.metric_id, Observation.granularity)
        .subquery()
    )
    query = (
        select(grouped.c.unit_id, Metric.code, grouped.c.granularity)
        .join(Metric, Metric.id == grouped.c.metric_id)
        .join(Unit, Unit.id == grouped.c.unit_id)
        .where(public_metric(), public_unit())
        .order_by(grouped.c.unit_id, Metric.code, grouped.c.granularity)
    )
    with session_scope(database_url) as session:
        return [
            (unit_id, code, granularity) for unit_id, code, granularity in session.execute(query)
        ]


def published_segment_types(
    database_url: str, *, unit_id: int, segment_types: Iterable[str]
) -> list[str]:
    """Which of ``segment_types`` the unit publishes breakdowns by (published metrics only):
    one ``EXISTS`` each, stopping at the first such figure, instead of reading the segments."""
    found = []
    with session_scope(database_url) as session:
        for segment_type in segment_types:
            held = session.scalar(
                select(Observation.id)
                .join(Metric, Observation.metric_id == Metric.id)
                .join(Unit, Observation.unit_id == Unit.id)
                .where(
                    Observation.unit_id == unit_id,
                    Observation.segment_type == segment_type,
                    public_observation(),
                    public_metric(),
                    public_unit(),
                )
                .limit(1)
            )
            if held is not None:
                found.append(segment_type)
    return found


# -- compare and equity (issue 13, item 6) --------------------------------------------------


def published_segment_metrics(
    database_url: str, *, unit_ids: Iterable[int], segment_types: Iterable[str]
) -> dict[str, set[str]]:
    """For each of ``segment_types``, the codes of the published metrics that ``unit_ids``
    publish a figure (not "no data") by that segment for: what the equity page offers,
    read as distinct pairs instead of the figures."""
    ids, types = list(unit_ids), list(segment_types)
    if not ids or not types:
        return {}
    query = (
        select(Observation.segment_type, Metric.code)
        .join(Metric, Observation.metric_id == Metric.id)
        .join(Unit, Observation.unit_id == Unit.id)
        .where(
            _ids_in(Observation.unit_id, ids, database_url),
            Observation.segment_type.in_(types),
            Observation.raw_value.is_not(None),
            public_observation(),
            public_metric(),
            public_unit(),
        )
        .distinct()
    )
    found: dict[str, set[str]] = defaultdict(set)
    with session_scope(database_url) as session:
        for segment_type, code in session.execute(query):
            found[segment_type].add(code)
    return dict(found)
