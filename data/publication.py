"""Review and publication of an agency's drafts (issue 10, decision D3).

Everything the staff workspace writes is a draft in the main tables (D1): draft
observations, pending revisions of published figures, draft targets, and draft actions,
contact points and closures (a draft with ``replaces_id`` is a changed copy of a published
row). This module

- reads what a publication of one agency would change (:func:`pending_changes`,
  :func:`agencies_with_drafts`), for the publisher's review page;
- publishes all of it in the caller's transaction (:func:`publish_agency`): the figures, the
  revisions with their reasons kept, the targets by the history rules of
  ``data.target_history``, the content (changed copies folded into the rows they change),
  the units and metrics they use; one ``ImportRun`` of kind "publication" (which changes
  ``dashboard.gateway.queries.data_status().version``, so every cache refreshes), one
  :class:`Publication` row for the public "What changed" page, one audit entry;
- records the review conversation (:func:`submit_for_review`, :func:`send_back`) as
  ``ReviewNote`` rows, which are history: an agency's *open* review state is its latest note
  after its latest workspace publication (:func:`review_state`);
- records the publications of ``cxdash import* --publish`` the same way
  (:func:`record_cli_publications`, called by the importers' commit paths).

Every function here works on the agency's units as :func:`data.agency_scope.units_of_agency`
finds them: the caller checks that the user may act for the agency; this module never
touches another agency's rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, selectinload

from dashboard.domain.fiscal import FiscalCalendar, Period
from dashboard.infra.data_status import refresh_data_status
from dashboard.infra.models import (
    DRAFT,
    PUBLICATION_SOURCES,
    PUBLISHED,
    Action,
    Closure,
    ContactPoint,
    ImportRun,
    Metric,
    Observation,
    PendingRevision,
    Publication,
    ReviewNote,
    Target,
    Unit,
    User,
)
from data.agency_scope import agencies_of_units, units_of_agency
from data.store import (
    MetricInfo,
    TargetPlan,
    earlier_value,
    lock_store,
    publish_units_and_metrics,
    write_target_plans,
)
from data.target_history import UNCHANGED, ledger_from

#: The kinds of draft content, as named in counts and :class:`ContentChange`.
ACTION, CONTACT_POINT, CLOSURE = "action", "contact_point", "closure"


class PublicationRefused(Exception):
    """A publication, submission or send-back that cannot be done; the message says why in
    words for the page (nothing was written)."""


# -- what a publication will change -------------------------------------------------------


@dataclass(frozen=True)
class FigureChange:
    """A figure a publication adds (``old_value`` None, ``is_new``) or revises."""

    observation_id: int
    unit_id: int
    unit_name: str
    metric_code: str
    metric_name: str
    period_start: dt.date
    period_end: dt.date
    granularity: str
    #: "FY2024 Q2", "Mar 2024" in the language asked for.
    period_label: str
    segment_type: str
    segment_value: str
    is_new: bool
    #: The published value (None for a new figure; a published "not reported" is None too:
    #: ``is_new`` tells them apart).
    old_value: float | None
    new_value: float | None
    new_numerator: float | None
    new_denominator: float | None
    #: The stated reason of a revision (public once published); None for a new figure.
    reason: str | None
    #: Username of the staff member whose upload drafted it (None: the command line).
    author: str | None
    author_id: int | None


@dataclass(frozen=True)
class TargetTerms:
    """What a target says, and when it is in force."""

    kind: str
    value: float | None
    comparator: str
    #: ``{language: text}``; ``promise`` likewise.
    text: dict[str, str]
    promise: dict[str, str]
    effective_from: dt.date
    effective_to: dt.date | None


@dataclass(frozen=True)
class TargetChange:
    """A draft target: ``old`` is the published target in force on its first day (None when
    there is none), which the draft corrects (same start) or follows (later start)."""

    target_id: int
    unit_id: int
    unit_name: str
    metric_code: str
    metric_name: str
    old: TargetTerms | None
    new: TargetTerms
    author: str | None
    author_id: int | None


@dataclass(frozen=True)
class FieldChange:
    """One field of a content row: ``field`` is the attribute (``status``) or the text as
    ``<field>_<language>`` (``title_es``); values as stored (dates, strings, dicts)."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ContentChange:
    """A draft action, contact point or closure: ``state`` "new" (every field given, old
    values None) or "changed" (a copy of the published row ``published_id``; only the fields
    that differ)."""

    kind: str
    draft_id: int
    published_id: int | None
    state: str
    unit_id: int
    unit_name: str
    #: Title, label or reason in the language asked for (the draft's).
    label: str
    changes: tuple[FieldChange, ...]
    author: str | None
    author_id: int | None


@dataclass(frozen=True)
class ReviewState:
    """The open review note of an agency: drafts submitted, or sent back with a comment."""

    kind: str
    comment: str | None
    at: dt.datetime
    user_id: int | None
    username: str | None


@dataclass(frozen=True)
class ChangeSet:
    """Everything a publication of one agency would change."""

    agency_id: int
    agency_slug: str
    agency_name: str
    new_figures: tuple[FigureChange, ...] = ()
    revised_figures: tuple[FigureChange, ...] = ()
    targets: tuple[TargetChange, ...] = ()
    actions: tuple[ContentChange, ...] = ()
    contact_points: tuple[ContentChange, ...] = ()
    closures: tuple[ContentChange, ...] = ()
    #: Staff who drafted any of it (ImportRun.user_id of the drafts' runs).
    author_ids: frozenset[int] = frozenset()
    review: ReviewState | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.new_figures
            or self.revised_figures
            or self.targets
            or self.actions
            or self.contact_points
            or self.closures
        )


@dataclass(frozen=True)
class AgencyDrafts:
    """An agency with drafts waiting, for the publisher's list."""

    agency_id: int
    slug: str
    name: str
    new_figures: int = 0
    revised_figures: int = 0
    targets: int = 0
    actions: int = 0
    contact_points: int = 0
    closures: int = 0
    review: ReviewState | None = None

    @property
    def total(self) -> int:
        return (
            self.new_figures
            + self.revised_figures
            + self.targets
            + self.actions
            + self.contact_points
            + self.closures
        )

    @property
    def submitted(self) -> bool:
        return self.review is not None and self.review.kind == "submitted"

    @property
    def sent_back_comment(self) -> str | None:
        if self.review is not None and self.review.kind == "sent_back":
            return self.review.comment
        return None


@dataclass(frozen=True)
class PublicationResult:
    """What :func:`publish_agency` did (the counts are the Publication row's)."""

    publication_id: int
    import_id: int
    agency_id: int
    figures_added: int
    figures_revised: int
    targets_changed: int
    actions_changed: int
    contact_points_changed: int
    closures_changed: int
    #: The distinct revision reasons, one per line (public).
    reasons: str | None
    note: str | None


#: Fields compared and copied, besides the texts, per kind of content.
_CONTENT_FIELDS: dict[str, tuple[str, ...]] = {
    ACTION: ("unit_id", "status", "started_on", "completed_on", "link", "internal_note"),
    CONTACT_POINT: (
        "unit_id",
        "channel",
        "value",
        "address",
        "hours",
        "languages",
        "sort_order",
    ),
    CLOSURE: ("unit_id", "contact_point_id", "starts_on", "ends_on"),
}
_CONTENT_MODELS: dict[str, Any] = {ACTION: Action, CONTACT_POINT: ContactPoint, CLOSURE: Closure}


def _draft_observations(units: Sequence[int]) -> Any:
    return select(Observation).where(
        Observation.unit_id.in_(units), Observation.visibility == DRAFT
    )


def _pending_of(units: Sequence[int]) -> Any:
    return (
        select(PendingRevision)
        .join(Observation, Observation.id == PendingRevision.observation_id)
        .where(Observation.unit_id.in_(units))
        .options(selectinload(PendingRevision.observation))
    )


def _draft_rows(model: Any, units: Sequence[int]) -> Any:
    return select(model).where(model.unit_id.in_(units), model.visibility == DRAFT)


def _authors(session: Session, import_ids: Iterable[int | None]) -> dict[int, tuple[int, str]]:
    """{import id: (user id, username)} for the runs staff made (CLI runs have no user)."""
    ids = sorted({i for i in import_ids if i is not None})
    if not ids:
        return {}
    rows = session.execute(
        select(ImportRun.id, User.id, User.username)
        .join(User, User.id == ImportRun.user_id)
        .where(ImportRun.id.in_(ids))
    )
    return {run_id: (user_id, username) for run_id, user_id, username in rows}


def review_state(session: Session, agency_id: int) -> ReviewState | None:
    """The agency's open review note: its latest note after its latest workspace publication
    (a publication closes the conversation before it; notes stay as history)."""
    published = session.scalar(
        select(func.max(Publication.published_at)).where(
            Publication.agency_id == agency_id, Publication.source == "workspace"
        )
    )
    query = select(ReviewNote).where(ReviewNote.agency_id == agency_id)
    if published is not None:
        query = query.where(ReviewNote.at > published)
    note = session.scalars(query.order_by(ReviewNote.at.desc(), ReviewNote.id.desc())).first()
    if note is None:
        return None
    user = session.get(User, note.user_id) if note.user_id is not None else None
    return ReviewState(
        kind=note.kind,
        comment=note.comment,
        at=note.at,
        user_id=note.user_id,
        username=user.username if user is not None else None,
    )


def pending_changes(
    session: Session,
    agency_id: int,
    *,
    language: str = "en",
    calendar: FiscalCalendar | None = None,
) -> ChangeSet:
    """Everything a publication of ``agency_id`` would change, read from its drafts.

    ``calendar`` labels periods (the deployment's fiscal calendar; the federal one when
    None). Reads only; an unknown agency has an empty change set.
    """
    calendar = calendar or FiscalCalendar()
    agency = session.get(Unit, agency_id)
    units = units_of_agency(session, agency_id)
    if agency is None or not units:
        return ChangeSet(agency_id, "", "")
    unit_names = {
        unit.id: unit.name(language)
        for unit in session.scalars(select(Unit).where(Unit.id.in_(units)))
    }
    drafts = list(session.scalars(_draft_observations(units)))
    pending = list(session.scalars(_pending_of(units)))
    targets = list(session.scalars(_draft_rows(Target, units)))
    content = {
        kind: list(session.scalars(_draft_rows(model, units)))
        for kind, model in _CONTENT_MODELS.items()
    }
    authors = _authors(
        session,
        [
            *(o.import_id for o in drafts),
            *(p.import_id for p in pending),
            *(t.import_id for t in targets),
            *(row.import_id for rows in content.values() for row in rows),
        ],
    )
    metric_ids = {o.metric_id for o in drafts} | {t.metric_id for t in targets}
    metric_ids |= {p.observation.metric_id for p in pending}
    metrics = {
        metric.id: metric
        for metric in session.scalars(select(Metric).where(Metric.id.in_(sorted(metric_ids))))
    }

    def author(import_id: int | None) -> tuple[int | None, str | None]:
        found = authors.get(import_id) if import_id is not None else None
        return found if found is not None else (None, None)

    def figure(
        observation: Observation, values: Any, is_new: bool, reason: str | None
    ) -> FigureChange:
        metric = metrics[observation.metric_id]
        period = Period(observation.period_start, observation.period_end, observation.granularity)
        author_id, username = author(values.import_id)
        return FigureChange(
            observation_id=observation.id,
            unit_id=observation.unit_id,
            unit_name=unit_names.get(observation.unit_id, ""),
            metric_code=metric.code,
            metric_name=metric.name(language),
            period_start=observation.period_start,
            period_end=observation.period_end,
            granularity=observation.granularity,
            period_label=calendar.period_label(period, language),
            segment_type=observation.segment_type,
            segment_value=observation.segment_value,
            is_new=is_new,
            old_value=None if is_new else observation.raw_value,
            new_value=values.raw_value,
            new_numerator=values.numerator,
            new_denominator=values.denominator,
            reason=reason,
            author=username,
            author_id=author_id,
        )

    def figure_order(change: FigureChange) -> tuple[Any, ...]:
        return (
            change.unit_name,
            change.metric_code,
            change.period_start,
            change.segment_type,
            change.segment_value,
        )

    new_figures = sorted((figure(o, o, True, None) for o in drafts), key=figure_order)
    revised = sorted((figure(p.observation, p, False, p.reason) for p in pending), key=figure_order)
    target_changes = _target_changes(session, targets, unit_names, metrics, language, author)
    changes = {
        kind: _content_changes(session, kind, rows, unit_names, language, author)
        for kind, rows in content.items()
    }
    return ChangeSet(
        agency_id=agency_id,
        agency_slug=agency.slug,
        agency_name=agency.name(language),
        new_figures=tuple(new_figures),
        revised_figures=tuple(revised),
        targets=tuple(target_changes),
        actions=tuple(changes[ACTION]),
        contact_points=tuple(changes[CONTACT_POINT]),
        closures=tuple(changes[CLOSURE]),
        author_ids=frozenset(user_id for user_id, _name in authors.values()),
        review=review_state(session, agency_id),
    )


def _terms(target: Target) -> TargetTerms:
    return TargetTerms(
        kind=target.kind,
        value=target.value,
        comparator=target.comparator,
        text=target.text_map("text"),
        promise=target.text_map("promise"),
        effective_from=target.effective_from,
        effective_to=target.effective_to,
    )


def _target_changes(
    session: Session,
    drafts: list[Target],
    unit_names: dict[int, str],
    metrics: dict[int, Metric],
    language: str,
    author: Any,
) -> list[TargetChange]:
    pairs = sorted({(t.unit_id, t.metric_id) for t in drafts})
    ledgers = {}
    for unit_id, metric_id in pairs:
        stored = session.scalars(
            select(Target)
            .where(Target.unit_id == unit_id, Target.metric_id == metric_id)
            .order_by(Target.id)
        ).all()
        ledgers[(unit_id, metric_id)] = ledger_from(stored)
    changes = []
    for draft in sorted(drafts, key=lambda t: (t.unit_id, t.metric_id, t.effective_from)):
        current = ledgers[(draft.unit_id, draft.metric_id)].in_force(draft.effective_from)
        metric = metrics[draft.metric_id]
        author_id, username = author(draft.import_id)
        changes.append(
            TargetChange(
                target_id=draft.id,
                unit_id=draft.unit_id,
                unit_name=unit_names.get(draft.unit_id, ""),
                metric_code=metric.code,
                metric_name=metric.name(language),
                old=_terms(current.stored) if current is not None else None,
                new=_terms(draft),
                author=username,
                author_id=author_id,
            )
        )
    return changes


def _content_values(kind: str, row: Any) -> dict[str, Any]:
    """The fields of a content row that a change may touch, texts in every language."""
    values = {name: getattr(row, name) for name in _CONTENT_FIELDS[kind]}
    if kind == ACTION:
        values["metrics"] = tuple(sorted(metric.code for metric in row.metrics))
    values.update(row.text_record())
    return values


def _label(kind: str, row: Any, language: str) -> str:
    field_name = {ACTION: "title", CONTACT_POINT: "label", CLOSURE: "reason"}[kind]
    return row.text(field_name, language) or ""


def _content_changes(
    session: Session,
    kind: str,
    drafts: list[Any],
    unit_names: dict[int, str],
    language: str,
    author: Any,
) -> list[ContentChange]:
    model = _CONTENT_MODELS[kind]
    changes = []
    for draft in sorted(drafts, key=lambda row: row.id):
        new = _content_values(kind, draft)
        published = session.get(model, draft.replaces_id) if draft.replaces_id else None
        if published is None:
            fields = tuple(
                FieldChange(name, None, value)
                for name, value in new.items()
                if value not in (None, "", (), {}) and name != "unit_id"
            )
            state = "new"
        else:
            old = _content_values(kind, published)
            fields = tuple(
                FieldChange(name, old.get(name), value)
                for name, value in new.items()
                if old.get(name) != value
            )
            state = "changed"
        # The unit by name (both are units of the agency), not by id.
        fields = tuple(
            FieldChange("unit", unit_names.get(c.old), unit_names.get(c.new))
            if c.field == "unit_id"
            else c
            for c in fields
        )
        author_id, username = author(draft.import_id)
        changes.append(
            ContentChange(
                kind=kind,
                draft_id=draft.id,
                published_id=draft.replaces_id,
                state=state,
                unit_id=draft.unit_id,
                unit_name=unit_names.get(draft.unit_id, ""),
                label=_label(kind, draft, language),
                changes=fields,
                author=username,
                author_id=author_id,
            )
        )
    return changes


def _count_by_unit(session: Session, query: Any) -> dict[int, int]:
    return {unit_id: count for unit_id, count in session.execute(query)}


def agencies_with_drafts(
    session: Session, agency_scope: frozenset[int] | None, *, language: str = "en"
) -> list[AgencyDrafts]:
    """The agencies in ``agency_scope`` (None: all) that have drafts, with counts per kind
    and their open review state, ordered by name."""
    counts: dict[str, dict[int, int]] = {
        "new_figures": _count_by_unit(
            session,
            select(Observation.unit_id, func.count())
            .where(Observation.visibility == DRAFT)
            .group_by(Observation.unit_id),
        ),
        "revised_figures": _count_by_unit(
            session,
            select(Observation.unit_id, func.count())
            .join(PendingRevision, PendingRevision.observation_id == Observation.id)
            .group_by(Observation.unit_id),
        ),
    }
    for name, model in (
        ("targets", Target),
        ("actions", Action),
        ("contact_points", ContactPoint),
        ("closures", Closure),
    ):
        counts[name] = _count_by_unit(
            session,
            select(model.unit_id, func.count())
            .where(model.visibility == DRAFT)
            .group_by(model.unit_id),
        )
    units = {unit for by_unit in counts.values() for unit in by_unit}
    agency_of = agencies_of_units(session, units)
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    for name, by_unit in counts.items():
        for unit, count in by_unit.items():
            agency = agency_of.get(unit)
            if agency is not None and (agency_scope is None or agency in agency_scope):
                totals[agency][name] += count
    agencies = {
        unit.id: unit for unit in session.scalars(select(Unit).where(Unit.id.in_(sorted(totals))))
    }
    found = [
        AgencyDrafts(
            agency_id=agency_id,
            slug=agencies[agency_id].slug,
            name=agencies[agency_id].name(language),
            review=review_state(session, agency_id),
            **dict(tally),
        )
        for agency_id, tally in totals.items()
        if agency_id in agencies
    ]
    return sorted(found, key=lambda item: (item.name.casefold(), item.agency_id))


# -- publishing ---------------------------------------------------------------------------


@dataclass
class _Drafts:
    """The drafts of one agency's units, loaded inside the store lock."""

    observations: list[Observation] = field(default_factory=list)
    pending: list[PendingRevision] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    content: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, units: Sequence[int]) -> _Drafts:
        return cls(
            observations=list(session.scalars(_draft_observations(units))),
            pending=list(session.scalars(_pending_of(units))),
            targets=list(session.scalars(_draft_rows(Target, units))),
            content={
                kind: list(session.scalars(_draft_rows(model, units)))
                for kind, model in _CONTENT_MODELS.items()
            },
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.observations
            or self.pending
            or self.targets
            or any(rows for rows in self.content.values())
        )

    def version(self) -> str:
        """A fingerprint of these drafts: every row and the run that last wrote it (an edit
        writes a new run), so that any new, changed or discarded draft changes it."""
        rows = [("figure", o.id, o.import_id) for o in self.observations]
        rows += [("revision", p.id, p.import_id) for p in self.pending]
        rows += [("target", t.id, t.import_id) for t in self.targets]
        rows += [(kind, r.id, r.import_id) for kind, found in self.content.items() for r in found]
        text = "|".join(f"{kind}:{row_id}:{run}" for kind, row_id, run in sorted(rows, key=str))
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def import_ids(self) -> set[int]:
        ids = {o.import_id for o in self.observations}
        ids |= {p.import_id for p in self.pending}
        ids |= {t.import_id for t in self.targets}
        ids |= {row.import_id for rows in self.content.values() for row in rows}
        return {i for i in ids if i is not None}


def _username(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.username if user is not None else None


def _agency(session: Session, agency_id: int) -> tuple[Unit, list[int]]:
    agency = session.get(Unit, agency_id)
    units = units_of_agency(session, agency_id)
    if agency is None or not units:
        raise PublicationRefused("there is no such agency")
    return agency, units


def drafts_version(session: Session, agency_id: int) -> str:
    """The fingerprint of the agency's drafts as they stand (see ``publish_agency``'s
    ``expected_version``); the same for the same drafts, whoever asks."""
    _found, units = _agency(session, agency_id)
    return _Drafts.load(session, units).version()


def publish_agency(
    session: Session,
    agency_id: int,
    *,
    user_id: int | None,
    now: dt.datetime,
    note: str | None = None,
    require_second_approver: bool = False,
    source: str = "workspace",
    expected_version: str | None = None,
) -> PublicationResult:
    """Publish every draft of the agency's units, in the CALLER's transaction (the caller
    commits, or rolls back: a preview publishes and rolls back).

    Takes the store lock first. Refuses (:class:`PublicationRefused`, nothing written but the
    lock: the caller rolls back, and may then record a "publish_refused" audit entry in a
    transaction of its own) when there is nothing to publish; with ``expected_version``
    (:func:`drafts_version` when the publisher read the changes) when the drafts are no
    longer those; or with ``require_second_approver`` when ``user_id`` drafted any of it (the
    author of a draft is the ``ImportRun.user_id`` of its ``import_id``).

    Then: draft figures published; pending revisions applied, the published value kept as
    an ``ObservationRevision`` with the stated reason; draft targets published by the
    history rules; draft actions, contact points and closures published, a changed copy
    folded into the row it changes (fields, texts in every language, an action's metrics)
    and deleted; the units and metrics they use published; an ``ImportRun`` (kind
    "publication"), a :class:`Publication` and an audit entry.
    """
    if source not in PUBLICATION_SOURCES:
        raise ValueError(f"unknown publication source {source!r}")
    lock_store(session)
    agency, units = _agency(session, agency_id)
    drafts = _Drafts.load(session, units)
    if drafts.is_empty:
        raise PublicationRefused(f"{agency.name()} has nothing to publish")
    if expected_version is not None and drafts.version() != expected_version:
        # The publisher approves what they read: drafts added, edited or discarded since
        # then would be published (or dropped) unseen.
        raise PublicationRefused(
            "the drafts changed since you opened the review (added, edited or discarded): "
            "nothing was published; read the changes again, then approve"
        )
    if require_second_approver and user_id is not None:
        authors = {author for author, _name in _authors(session, drafts.import_ids()).values()}
        if user_id in authors:
            raise PublicationRefused(
                "a second approver is required: you drafted some of these changes, so "
                "another publisher must approve them"
            )
    _check_copies(session, drafts, set(units))
    username = _username(session, user_id)
    run = ImportRun(
        kind="publication",
        file_name=f"publication of {agency.slug}"[:500],
        checksum="",
        status="succeeded",
        user_id=user_id,
        started_at=now,
        finished_at=now,
    )
    session.add(run)
    session.flush()

    used_units: set[int] = set()
    used_metrics: set[int] = set()
    reasons: list[str] = []
    figures_revised = _apply_pending(session, drafts.pending, run, now, reasons)
    for pending_row in drafts.pending:
        used_units.add(pending_row.observation.unit_id)
        used_metrics.add(pending_row.observation.metric_id)
    figures_added = len(drafts.observations)
    for observation in drafts.observations:
        used_units.add(observation.unit_id)
        used_metrics.add(observation.metric_id)
    ids = sorted(o.id for o in drafts.observations)
    for start in range(0, len(ids), 5000):
        session.execute(
            sql_update(Observation)
            .where(Observation.id.in_(ids[start : start + 5000]))
            .values(visibility=PUBLISHED, published_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    targets_changed = _publish_targets(session, drafts.targets, run, now)
    used_units |= {t.unit_id for t in drafts.targets}
    used_metrics |= {t.metric_id for t in drafts.targets}
    for rows in drafts.content.values():
        used_units |= {row.unit_id for row in rows}
    used_metrics |= _publish_content(session, drafts.content, set(units))
    publish_units_and_metrics(session, used_units, used_metrics)

    counts = {
        "figures_added": figures_added,
        "figures_revised": figures_revised,
        "targets_changed": targets_changed,
        "actions_changed": len(drafts.content[ACTION]),
        "contact_points_changed": len(drafts.content[CONTACT_POINT]),
        "closures_changed": len(drafts.content[CLOSURE]),
    }
    note_text = (note or "").strip() or None
    reasons_text = "\n".join(reasons) or None
    publication = Publication(
        published_at=now,
        agency_id=agency_id,
        user_id=user_id,
        source=source,
        import_id=run.id,
        reasons=reasons_text,
        note=note_text,
        **counts,
    )
    session.add(publication)
    run.rows_inserted = figures_added
    run.rows_revised = figures_revised
    run.message = f"publication of {agency.slug}: " + ", ".join(
        f"{count} {name.replace('_', ' ')}" for name, count in counts.items()
    )
    session.flush()
    from data import audit

    audit.record(
        session,
        "publish",
        user_id=user_id,
        username=username,
        agency_id=agency_id,
        subject=f"publication of {agency.slug}",
        detail={"publication_id": publication.id, "import_id": run.id, **counts},
        now=now,
    )
    session.flush()
    result = PublicationResult(
        publication_id=publication.id,
        import_id=run.id,
        agency_id=agency_id,
        reasons=reasons_text,
        note=note_text,
        **counts,
    )
    # Here and not only at commit (dashboard.infra.data_status's hook): the staff preview
    # reads the status in this transaction and never commits it.
    refresh_data_status(session)
    # The figures were published by bulk statements: what the session holds is stale.
    session.expire_all()
    return result


def _apply_pending(
    session: Session,
    pending: list[PendingRevision],
    run: ImportRun,
    now: dt.datetime,
    reasons: list[str],
) -> int:
    """Pending revisions: the published value kept as a revision with the stated reason,
    the new values written and published, the pending row deleted."""
    for item in pending:
        observation = item.observation
        if observation.visibility == PUBLISHED:
            session.add(earlier_value(observation, now=now, import_id=run.id, reason=item.reason))
        observation.raw_value = item.raw_value
        observation.numerator = item.numerator
        observation.denominator = item.denominator
        observation.response_rate = item.response_rate
        observation.score = item.score
        observation.series_break = item.series_break
        observation.internal_note = item.internal_note
        # The upload that drafted these values (and so its author) stays the figure's source.
        observation.import_id = item.import_id
        observation.visibility = PUBLISHED
        observation.published_at = now
        observation.updated_at = now
        reason = (item.reason or "").strip()
        if reason and reason not in reasons:
            reasons.append(reason)
        session.delete(item)
    session.flush()
    return len(pending)


def _publish_targets(
    session: Session, drafts: list[Target], run: ImportRun, now: dt.datetime
) -> int:
    """Draft targets through the history rules (data.target_history): a draft for a start
    that has a published target corrects it (kept as history), a later one follows it."""
    if not drafts:
        return 0
    metrics = {
        metric.id: metric
        for metric in session.scalars(
            select(Metric).where(Metric.id.in_(sorted({t.metric_id for t in drafts})))
        )
    }
    plans = []
    changed = 0
    for unit_id, metric_id in sorted({(t.unit_id, t.metric_id) for t in drafts}):
        stored = session.scalars(
            select(Target)
            .where(Target.unit_id == unit_id, Target.metric_id == metric_id)
            .order_by(Target.id)
        ).all()
        ledger = ledger_from(stored)
        metric = metrics[metric_id]
        plan = TargetPlan(
            unit_id,
            MetricInfo(
                metric.code,
                metric.scale,
                metric.direction,
                metric.norm_best,
                metric.norm_worst,
                metric.id,
            ),
            ledger,
        )
        for row in ledger.drafts():
            outcome, _ = ledger.publish(
                row.content, row.effective_from, end=row.effective_to, now=now
            )
            plan.outcomes.append(outcome)
            changed += outcome != UNCHANGED
        plans.append(plan)
    write_target_plans(session, plans, run)
    return changed


def _copy_texts(source: Any, target: Any) -> None:
    """``target``'s texts become ``source``'s, in every language either has."""
    wanted = {(row.field, row.language): row.text for row in source.texts}
    present = {(row.field, row.language) for row in target.texts}
    for field_name, language in sorted(present | set(wanted)):
        target.set_text(field_name, language, wanted.get((field_name, language)))


def _check_copies(session: Session, drafts: _Drafts, units: set[int]) -> None:
    """Refuse, before anything is written, a changed copy of a row of another agency."""
    for kind, rows in drafts.content.items():
        model = _CONTENT_MODELS[kind]
        for draft in rows:
            if draft.replaces_id is None:
                continue
            published = session.get(model, draft.replaces_id)
            if published is None or published.unit_id not in units:
                raise PublicationRefused(
                    f"a draft {kind.replace('_', ' ')} (#{draft.id}) changes a row of another "
                    "agency; discard it"
                )


def _publish_content(session: Session, content: dict[str, list[Any]], units: set[int]) -> set[int]:
    """Draft actions, contact points and closures published; changed copies folded into the
    published rows they change, then deleted. Returns the metric ids actions use."""
    metric_ids: set[int] = set()
    copies: list[Any] = []
    contact_point_ids: dict[int, int] = {}
    for kind in (CONTACT_POINT, ACTION, CLOSURE):
        model = _CONTENT_MODELS[kind]
        if kind == CLOSURE and contact_point_ids:
            # Closures of a changed copy of a contact point belong to the published one.
            for closure in session.scalars(
                select(Closure).where(Closure.contact_point_id.in_(sorted(contact_point_ids)))
            ):
                assert closure.contact_point_id is not None
                closure.contact_point_id = contact_point_ids[closure.contact_point_id]
        for draft in content[kind]:
            if kind == ACTION:
                metric_ids |= {metric.id for metric in draft.metrics}
            if draft.replaces_id is None:
                draft.visibility = PUBLISHED
                continue
            published = session.get(model, draft.replaces_id)
            assert published is not None, "checked by _check_copies"
            for name in _CONTENT_FIELDS[kind]:
                if kind == CLOSURE and name == "contact_point_id":
                    value = draft.contact_point_id
                    value = contact_point_ids.get(value, value) if value is not None else None
                    published.contact_point_id = value
                    continue
                setattr(published, name, getattr(draft, name))
            if kind == ACTION:
                published.metrics = list(draft.metrics)
            _copy_texts(draft, published)
            published.import_id = draft.import_id
            published.visibility = PUBLISHED
            if kind == CONTACT_POINT:
                contact_point_ids[draft.id] = published.id
            copies.append(draft)
        session.flush()
    for draft in copies:
        session.delete(draft)
    session.flush()
    return metric_ids


# -- the review conversation --------------------------------------------------------------


def submit_for_review(
    session: Session,
    agency_id: int,
    *,
    user_id: int,
    comment: str | None = None,
    now: dt.datetime,
) -> ReviewNote:
    """The editor says the agency's drafts are ready: a "submitted" note (and audit)."""
    agency, units = _agency(session, agency_id)
    if _Drafts.load(session, units).is_empty:
        raise PublicationRefused(f"{agency.name()} has no drafts to submit")
    return _note(session, agency, "submitted", user_id, (comment or "").strip() or None, now)


def send_back(
    session: Session, agency_id: int, *, user_id: int, comment: str, now: dt.datetime
) -> ReviewNote:
    """The publisher sends the drafts back with a comment the editor sees (and audit)."""
    text = (comment or "").strip()
    if not text:
        raise PublicationRefused("say what should change: a comment is required")
    agency, units = _agency(session, agency_id)
    if _Drafts.load(session, units).is_empty:
        raise PublicationRefused(f"{agency.name()} has no drafts to send back")
    return _note(session, agency, "sent_back", user_id, text, now)


def _note(
    session: Session,
    agency: Unit,
    kind: str,
    user_id: int,
    comment: str | None,
    now: dt.datetime,
) -> ReviewNote:
    note = ReviewNote(agency_id=agency.id, user_id=user_id, kind=kind, comment=comment, at=now)
    session.add(note)
    session.flush()
    from data import audit

    audit.record(
        session,
        "submit" if kind == "submitted" else "send_back",
        user_id=user_id,
        username=_username(session, user_id),
        agency_id=agency.id,
        subject=f"{agency.slug}",
        detail={"comment": comment, "review_note_id": note.id},
        now=now,
    )
    return note


# -- discarding figure drafts -------------------------------------------------------------


def discard_pending_revision(
    session: Session, agency_id: int, observation_id: int, *, user_id: int, now: dt.datetime
) -> bool:
    """Drop the pending revision of one figure of the agency (the published value stays);
    False when there is none (or the figure is another agency's)."""
    _agency_row, units = _agency(session, agency_id)
    pending = session.scalars(
        _pending_of(units).where(PendingRevision.observation_id == observation_id)
    ).first()
    if pending is None:
        return False
    session.delete(pending)
    session.flush()
    _audit_discard(session, agency_id, user_id, now, {"pending_revisions": [observation_id]})
    return True


def discard_figure_drafts(
    session: Session,
    agency_id: int,
    *,
    user_id: int,
    now: dt.datetime,
    observation_ids: Iterable[int] | None = None,
) -> int:
    """Delete the agency's draft figures (those of ``observation_ids``, or all) and their
    pending revisions (likewise); returns how many rows were dropped. Published figures are
    never deleted here."""
    _agency_row, units = _agency(session, agency_id)
    wanted = None if observation_ids is None else sorted(set(observation_ids))
    drafts = select(Observation.id).where(
        Observation.unit_id.in_(units), Observation.visibility == DRAFT
    )
    pending = (
        select(PendingRevision.id)
        .join(Observation, Observation.id == PendingRevision.observation_id)
        .where(Observation.unit_id.in_(units))
    )
    if wanted is not None:
        drafts = drafts.where(Observation.id.in_(wanted))
        pending = pending.where(PendingRevision.observation_id.in_(wanted))
    draft_ids = list(session.scalars(drafts))
    pending_ids = list(session.scalars(pending))
    if pending_ids:
        session.execute(delete(PendingRevision).where(PendingRevision.id.in_(pending_ids)))
    if draft_ids:
        session.execute(
            delete(PendingRevision).where(PendingRevision.observation_id.in_(draft_ids))
        )
        session.execute(delete(Observation).where(Observation.id.in_(draft_ids)))
    dropped = len(draft_ids) + len(pending_ids)
    if dropped:
        _audit_discard(
            session,
            agency_id,
            user_id,
            now,
            {"draft_figures": len(draft_ids), "pending_revisions": len(pending_ids)},
        )
    session.expire_all()
    return dropped


def _audit_discard(
    session: Session, agency_id: int, user_id: int, now: dt.datetime, detail: dict[str, Any]
) -> None:
    from data import audit

    audit.record(
        session,
        "discard",
        user_id=user_id,
        username=_username(session, user_id),
        agency_id=agency_id,
        subject="figures",
        detail=detail,
        now=now,
    )


# -- publications of the command line ----------------------------------------------------


def record_cli_publications(
    session: Session,
    run: ImportRun,
    *,
    now: dt.datetime,
    figures: Iterable[tuple[int, str]] = (),
) -> list[Publication]:
    """Record what a ``cxdash import* --publish`` run made public, per agency: a
    :class:`Publication` (source "cli") and an audit entry ("cli_publish", username "cli"),
    in the import's transaction (called by every importer's commit path, after its writes).

    ``figures``: (unit id, "added" | "revised") for the observations the run published or
    revised (the results importers know them from their plan); targets, actions, contact
    points and closures are found by the run's id (the rows it wrote, published). Units
    outside any agency (the enterprise) and agencies with nothing changed get nothing.
    """
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for unit_id, kind in figures:
        counts[unit_id][f"figures_{kind}"] += 1
    for model, name in (
        (Target, "targets_changed"),
        (Action, "actions_changed"),
        (ContactPoint, "contact_points_changed"),
        (Closure, "closures_changed"),
    ):
        rows = session.execute(
            select(model.unit_id, func.count())
            .where(model.import_id == run.id, model.visibility == PUBLISHED)
            .group_by(model.unit_id)
        )
        for unit_id, count in rows:
            counts[unit_id][name] += count
    agency_of = agencies_of_units(session, counts)
    by_agency: dict[int, Counter[str]] = defaultdict(Counter)
    for unit_id, tally in counts.items():
        agency = agency_of.get(unit_id)
        if agency is not None:
            by_agency[agency].update(tally)
    from data import audit

    written = []
    for agency_id, tally in sorted(by_agency.items()):
        if not sum(tally.values()):
            continue
        fields = {
            name: tally.get(name, 0)
            for name in (
                "figures_added",
                "figures_revised",
                "targets_changed",
                "actions_changed",
                "contact_points_changed",
                "closures_changed",
            )
        }
        publication = Publication(
            published_at=now,
            agency_id=agency_id,
            user_id=None,
            source="cli",
            import_id=run.id,
            reasons=None,
            note=None,
            **fields,
        )
        session.add(publication)
        session.flush()
        audit.record(
            session,
            "cli_publish",
            user_id=None,
            username="cli",
            agency_id=agency_id,
            subject=f"{run.kind} import #{run.id} of {run.file_name}"[:500],
            detail={"publication_id": publication.id, "import_id": run.id, **fields},
            now=now,
        )
        written.append(publication)
    return written
