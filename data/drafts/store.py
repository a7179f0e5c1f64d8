"""What the workspace reads about one agency's content: the :class:`~data.drafts.checks.Scope`
the checks need, the choices of the forms, and the rows the pages list (published and drafts,
with who drafted them). Everything is limited to ``units_of_agency``: nothing of another
agency is read into an answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dashboard.core import languages as content_languages
from dashboard.infra.models import (
    PUBLISHED,
    Action,
    Closure,
    ContactPoint,
    ImportRun,
    Metric,
    Observation,
    Target,
    Unit,
    User,
    action_metrics,
    load_texts,
)
from data.agency_scope import units_of_agency
from data.drafts.checks import MetricRef, RowRef, Scope, hours_to_form
from data.drafts.forms import FORM_FIELDS, TEXT_FIELD_OF, ContactPointChoice, FormOptions
from data.values import describe_scale

#: The model behind each kind of form.
MODELS: dict[str, Any] = {
    "actions": Action,
    "contact_points": ContactPoint,
    "closures": Closure,
    "targets": Target,
}

STATE_PUBLISHED = "published"
STATE_PUBLISHED_WITH_CHANGE = "published, with a draft change"
STATE_NEW = "draft (new)"
STATE_CHANGE = "draft change"


def unit_names(session: Session, unit_ids: Iterable[int], language: str | None) -> dict[int, str]:
    ids = list(unit_ids)
    if not ids:
        return {}
    units = session.scalars(select(Unit).where(Unit.id.in_(ids))).all()
    return {unit.id: unit.name(language) or unit.slug for unit in units}


def _metric_refs(session: Session, condition: Any, language: str | None) -> dict[str, MetricRef]:
    metrics = session.scalars(select(Metric).where(condition).order_by(Metric.code)).all()
    return {
        metric.code: MetricRef(
            metric.id, metric.code, metric.scale, metric.direction, metric.name(language)
        )
        for metric in metrics
    }


def agency_metric_condition(unit_ids: list[int]) -> Any:
    """Metrics the agency has figures (drafts too) or targets for."""
    with_figures = select(Observation.metric_id).where(Observation.unit_id.in_(unit_ids))
    with_targets = select(Target.metric_id).where(Target.unit_id.in_(unit_ids))
    return or_(Metric.id.in_(with_figures), Metric.id.in_(with_targets))


def action_metric_condition(unit_ids: list[int], used: Any) -> Any:
    """Metrics an action may address: any published metric, and the agency's own drafts
    (with its figures, targets or actions), never another agency's draft metric."""
    addressed = (
        select(action_metrics.c.metric_id)
        .join(Action, Action.id == action_metrics.c.action_id)
        .where(Action.unit_id.in_(unit_ids))
    )
    return or_(Metric.visibility == PUBLISHED, used, Metric.id.in_(addressed))


def load_scope(
    session: Session, agency_id: int, kind: str, *, language: str | None = None
) -> Scope:
    """What the checks of ``kind``'s form need to know about the agency."""
    unit_ids = units_of_agency(session, agency_id)
    scope = Scope(agency_id, unit_names(session, unit_ids, language))
    if not unit_ids:
        return scope
    used = agency_metric_condition(unit_ids)
    if kind == "actions":
        scope.metrics = _metric_refs(session, action_metric_condition(unit_ids, used), language)
    if kind == "targets":
        scope.target_metrics = _metric_refs(session, used, language)
    if kind == "closures":
        scope.contact_points = {
            point_id: unit_id
            for point_id, unit_id in session.execute(
                select(ContactPoint.id, ContactPoint.unit_id).where(
                    ContactPoint.unit_id.in_(unit_ids), ContactPoint.replaces_id.is_(None)
                )
            )
        }
    scope.rows = _row_refs(session, kind, unit_ids)
    return scope


def _row_refs(session: Session, kind: str, unit_ids: list[int]) -> dict[int, RowRef]:
    model = MODELS[kind]
    if kind == "targets":
        rows = session.execute(
            select(
                Target.id,
                Target.unit_id,
                Target.visibility,
                Metric.code,
                Target.effective_from,
                Target.superseded_at,
            )
            .join(Metric, Metric.id == Target.metric_id)
            .where(Target.unit_id.in_(unit_ids))
        )
        return {
            row_id: RowRef(
                row_id,
                unit_id,
                None,
                visibility == PUBLISHED,
                metric_code=code,
                effective_from=start,
                superseded=superseded is not None,
            )
            for row_id, unit_id, visibility, code, start, superseded in rows
        }
    keyed = session.execute(
        select(model.id, model.unit_id, model.code, model.visibility, model.replaces_id).where(
            model.unit_id.in_(unit_ids)
        )
    )
    return {
        row_id: RowRef(row_id, unit_id, code, visibility == PUBLISHED, replaces_id)
        for row_id, unit_id, code, visibility, replaces_id in keyed
    }


def options_for(session: Session, agency_id: int, *, language: str | None = None) -> FormOptions:
    """The choices of the forms for ``agency_id``: its units (the agency first), the metrics
    actions and targets may name, its contact points (not draft changes)."""
    unit_ids = units_of_agency(session, agency_id)
    names = unit_names(session, unit_ids, language)
    ordered = sorted(unit_ids, key=lambda unit: (unit != agency_id, names[unit].casefold()))
    units = tuple((str(unit), names[unit]) for unit in ordered)
    if not unit_ids:
        return FormOptions(agency_id, units, (), ())
    used = agency_metric_condition(unit_ids)
    for_actions = _metric_refs(session, action_metric_condition(unit_ids, used), language)
    for_targets = _metric_refs(session, used, language)
    points = session.scalars(
        select(ContactPoint)
        .where(ContactPoint.unit_id.in_(unit_ids), ContactPoint.replaces_id.is_(None))
        .order_by(ContactPoint.unit_id, ContactPoint.sort_order, ContactPoint.id)
    ).all()
    return FormOptions(
        agency_id,
        units,
        tuple((code, _metric_label(ref)) for code, ref in for_actions.items()),
        tuple((code, _metric_label(ref)) for code, ref in for_targets.items()),
        {code: describe_scale(ref.scale) for code, ref in for_actions.items()}
        | {code: describe_scale(ref.scale) for code, ref in for_targets.items()},
        tuple(
            ContactPointChoice(
                str(point.id),
                f"{point.text('label', language) or point.code or point.id}"
                + (f" ({names[point.unit_id]})" if point.unit_id != agency_id else ""),
                point.unit_id,
            )
            for point in points
        ),
    )


def _metric_label(ref: MetricRef) -> str:
    return f"{ref.name} ({ref.code})" if ref.name and ref.name != ref.code else ref.code


# -- the rows the pages list -----------------------------------------------------------------


def _authors(session: Session, import_ids: Iterable[int | None]) -> dict[int, tuple[Any, Any]]:
    """import id -> (username or None, when)."""
    ids = sorted({i for i in import_ids if i is not None})
    if not ids:
        return {}
    rows = session.execute(
        select(ImportRun.id, User.username, ImportRun.started_at)
        .outerjoin(User, User.id == ImportRun.user_id)
        .where(ImportRun.id.in_(ids))
    )
    return {run_id: (username, started) for run_id, username, started in rows}


def _by_language(texts: dict[str, str | None], field: str) -> dict[str, str | None]:
    """``{"en": ..., "es": ...}`` of ``field`` from a :func:`load_texts` record: every
    configured language (None when missing) and any other language stored."""
    found: dict[str, str | None] = dict.fromkeys(content_languages.content_languages())
    prefix = f"{field}_"
    for key, text in texts.items():
        language = key[len(prefix) :]
        if (
            key.startswith(prefix)
            and content_languages.LANGUAGE_CODE.match(language)
            and (text is not None or language not in found)
        ):
            found[language] = text
    return found


def target_value_text(value: float | None, scale: str) -> str:
    """A stored target value written as the form (and a targets file) takes it back."""
    if value is None:
        return ""
    if scale == "fraction":
        return f"{value * 100:.10g}%"
    return f"{value:.10g}"


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""


def content_rows(
    session: Session, agency_id: int, kind: str, *, language: str = "en"
) -> list[dict[str, Any]]:
    """Every row of ``kind`` of the agency's units, published and draft, each with ``id``,
    ``state``, ``replaces_id``, ``unit`` (its name), ``author``, ``edited_at`` and the form's
    fields in the form's shape. Corrected targets (history) are left out."""
    if kind not in MODELS:
        raise ValueError(f"unknown kind of content {kind!r}")
    unit_ids = units_of_agency(session, agency_id)
    if not unit_ids:
        return []
    model = MODELS[kind]
    query = select(model).where(model.unit_id.in_(unit_ids))
    if kind == "targets":
        query = query.where(Target.superseded_at.is_(None))
    stored = list(session.scalars(query.order_by(model.id)))
    if not stored:
        return []
    names = unit_names(session, unit_ids, language)
    texts = load_texts(session, model, [row.id for row in stored])
    authors = _authors(session, (row.import_id for row in stored))
    replaces = _replaces(kind, stored)
    changed = {published for published in replaces.values() if published is not None}
    by_id = {row.id: row for row in stored}
    extra = _extra(session, kind, stored, language)
    records = []
    for row in stored:
        replaces_id = replaces.get(row.id)
        if row.visibility == PUBLISHED:
            state = STATE_PUBLISHED_WITH_CHANGE if row.id in changed else STATE_PUBLISHED
        else:
            state = STATE_CHANGE if replaces_id is not None else STATE_NEW
        author, edited = authors.get(row.import_id, (None, None))
        record: dict[str, Any] = {
            "id": row.id,
            "state": state,
            "replaces_id": replaces_id,
            "unit": names.get(row.unit_id, ""),
            "author": author,
            "edited_at": edited.isoformat() if edited is not None else None,
        }
        own = texts.get(row.id, {})
        for spec in FORM_FIELDS[kind]:
            if spec.translated:
                record[spec.name] = _by_language(own, TEXT_FIELD_OF.get(spec.name, spec.name))
        record.update(_fields(kind, row, by_id.get(replaces_id) if replaces_id else None))
        record.update(extra.get(row.id, {}))
        records.append(record)
    records.sort(key=lambda r: (r["unit"].casefold(), _order(kind, r), r["replaces_id"] or r["id"]))
    return records


def _replaces(kind: str, stored: list[Any]) -> dict[int, int | None]:
    """Row id -> the published row its draft changes (targets: the live published target of
    the same unit, metric and start)."""
    if kind != "targets":
        return {row.id: row.replaces_id for row in stored}
    live = {
        (row.unit_id, row.metric_id, row.effective_from): row.id
        for row in stored
        if row.visibility == PUBLISHED
    }
    return {
        row.id: None
        if row.visibility == PUBLISHED
        else live.get((row.unit_id, row.metric_id, row.effective_from))
        for row in stored
    }


def _order(kind: str, record: dict[str, Any]) -> Any:
    if kind == "actions":
        return (record["started_on"],)
    if kind == "contact_points":
        return (record["sort_order"],)
    if kind == "closures":
        return (record["starts_on"],)
    return (record["metric"], record["effective_from"])


def _fields(kind: str, row: Any, published: Any) -> dict[str, Any]:
    """The plain (not translated) fields of the form, as the form takes them."""
    if kind == "targets":
        return {
            "unit_id": row.unit_id,
            "kind": row.kind,
            "comparator": row.comparator,
            "effective_from": _iso(row.effective_from),
            "effective_to": _iso(row.effective_to),
        }
    code = row.code if published is None else published.code
    if kind == "actions":
        return {
            "unit_id": row.unit_id,
            "code": code or "",
            "status": row.status,
            "started_on": _iso(row.started_on),
            "completed_on": _iso(row.completed_on),
            "link": row.link or "",
            "internal_note": row.internal_note or "",
        }
    if kind == "contact_points":
        return {
            "unit_id": row.unit_id,
            "code": code or "",
            "channel": row.channel,
            "value": row.value or "",
            "address": row.address or "",
            "hours": hours_to_form(row.hours),
            "languages": row.languages or "",
            "sort_order": row.sort_order,
        }
    if kind == "closures":
        return {
            "unit_id": row.unit_id,
            "code": code or "",
            "contact_point_id": row.contact_point_id,
            "starts_on": _iso(row.starts_on),
            "ends_on": _iso(row.ends_on),
        }
    raise ValueError(f"unknown kind of content {kind!r}")


def _extra(
    session: Session, kind: str, stored: list[Any], language: str | None
) -> dict[int, dict[str, Any]]:
    """What a kind adds from other tables: an action's metric codes, a closure's contact
    point label, a target's metric and its value as written."""
    ids = [row.id for row in stored]
    found: dict[int, dict[str, Any]] = {}
    if kind == "actions":
        codes: dict[int, list[str]] = {row_id: [] for row_id in ids}
        for action_id, code in session.execute(
            select(action_metrics.c.action_id, Metric.code)
            .join(Metric, Metric.id == action_metrics.c.metric_id)
            .where(action_metrics.c.action_id.in_(ids))
        ):
            codes[action_id].append(code)
        found = {row_id: {"metrics": sorted(c)} for row_id, c in codes.items()}
    elif kind == "closures":
        point_ids = {row.contact_point_id for row in stored if row.contact_point_id is not None}
        points = {
            point.id: point
            for point in session.scalars(select(ContactPoint).where(ContactPoint.id.in_(point_ids)))
        }
        for row in stored:
            point = points.get(row.contact_point_id) if row.contact_point_id else None
            found[row.id] = {
                "contact_point": (point.text("label", language) or point.code) if point else None
            }
    elif kind == "targets":
        metric_ids = {row.metric_id for row in stored}
        metrics = {
            metric.id: metric
            for metric in session.scalars(select(Metric).where(Metric.id.in_(metric_ids)))
        }
        for row in stored:
            metric = metrics[row.metric_id]
            found[row.id] = {
                "metric": metric.code,
                "metric_name": metric.name(language),
                "value": target_value_text(row.value, metric.scale),
            }
    return found
