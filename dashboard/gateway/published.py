"""What the public may see: the published-only rule, written once.

A row is public when its ``visibility`` is 'published' and nothing it hangs from is a draft
(a unit only draft rows use stays a draft; a closure of a draft contact point stays hidden).
Every public read (:mod:`dashboard.gateway.queries` for the pages,
:mod:`dashboard.gateway.open_data` for the API) filters with these conditions, and no other
module of the read side names ``visibility`` (``tests/unit/test_layers.py`` checks it).
Internal notes are never selected by a public read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from dashboard.infra.models import (
    PUBLISHED,
    Action,
    Closure,
    ContactPoint,
    FeedbackResponse,
    Metric,
    Observation,
    Target,
    Unit,
)


def public_unit(unit: Any = Unit) -> ColumnElement[bool]:
    """A unit the public may see: published (a unit only draft rows use stays a draft)."""
    return unit.visibility == PUBLISHED


def public_metric(metric: Any = Metric) -> ColumnElement[bool]:
    """A metric the public may see: published."""
    return metric.visibility == PUBLISHED


def public_observation(observation: Any = Observation) -> ColumnElement[bool]:
    """A published figure. Callers that join its unit and metric add :func:`public_unit` and
    :func:`public_metric`."""
    return observation.visibility == PUBLISHED


def public_action() -> ColumnElement[bool]:
    """A published action (the caller joins ``Unit`` and adds :func:`public_unit`)."""
    return Action.visibility == PUBLISHED


def public_target() -> ColumnElement[bool]:
    """A published target, in force or kept as history after a correction."""
    return Target.visibility == PUBLISHED


def target_in_force_condition() -> ColumnElement[bool]:
    """Targets that can be in force (D2): published and not superseded by a correction.

    A superseded target is history: shown as "target changed on ...", never judged against.
    Which of these is in force on a day is then a matter of dates
    (:func:`dashboard.domain.targets.targets_in_force`).
    """
    return and_(public_target(), Target.superseded_at.is_(None))


def public_contact_point() -> ColumnElement[bool]:
    """A published contact point of a published unit (the caller joins ``Unit``)."""
    return and_(ContactPoint.visibility == PUBLISHED, public_unit())


def public_closure() -> ColumnElement[bool]:
    """A published closure of a published unit, not of a draft contact point (the caller
    joins ``Unit``)."""
    draft_points = select(ContactPoint.id).where(ContactPoint.visibility != PUBLISHED)
    return and_(
        Closure.visibility == PUBLISHED,
        public_unit(),
        or_(Closure.contact_point_id.is_(None), Closure.contact_point_id.not_in(draft_points)),
    )


def public_feedback_excerpt() -> ColumnElement[bool]:
    """A feedback excerpt the public may see (issue 14): written by a staff member AND
    published by one. A visitor's comment is never public: a public read selects the excerpt
    columns only, never ``comment`` (the caller joins ``Unit`` and adds :func:`public_unit`)."""
    return and_(
        FeedbackResponse.excerpt.is_not(None),
        FeedbackResponse.excerpt != "",
        FeedbackResponse.excerpt_published_at.is_not(None),
    )
