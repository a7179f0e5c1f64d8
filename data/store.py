"""Where imported values meet the store: finding units and metrics, and writing observations.

Both importers (``data.loaders`` for result files, ``data.contacts`` for raw contact records)
turn their input into :class:`ObservationRecord` objects, then:

1. :func:`plan_writes` compares every record with what is stored (read-only) and decides,
   per record, insert / revise / unchanged. A change to a *published* value without
   ``publish`` is a problem (see below), found here, before anything is written.
2. :func:`apply_writes` performs the plan inside the caller's single transaction.

Publication rules (documented in docs/import-format.md):

- Without ``publish`` new values are drafts. An already-published observation is never
  turned back into a draft: if the file carries the same values it stays published
  (unchanged); if the file carries *different* values the import is refused, because
  changing a published figure is itself a publication and needs ``--publish``.
- With ``publish`` every imported observation is published. When a published value changes,
  the earlier value is kept as an ``ObservationRevision`` (with the time and the import that
  replaced it) so that the public can see that, and what, was revised. A draft is simply
  overwritten: it was never public.
- Re-importing the same values changes nothing: no new rows, no revisions.
- A staff upload in the workspace (:class:`WorkspaceUpload`, issue 10) never publishes: a
  changed published value becomes a ``PendingRevision`` (with the reason the uploader
  gives) that the published value keeps waiting for, until ``data.publication`` publishes
  the agency's drafts. A publishing import records a ``Publication`` per agency it changed
  (``data.publication.record_cli_publications``) in its transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, event, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dashboard.core.languages import (
    LANGUAGE_CODE,
    content_languages,
    default_language,
    not_configured,
)
from dashboard.domain.fiscal import Period
from dashboard.domain.normalize import NormalizationError, NormalizationRule, normalize
from dashboard.infra.db import session_factory
from dashboard.infra.models import (
    DIMENSIONS,
    DIRECTIONS,
    DRAFT,
    PUBLISHED,
    SCALES,
    ImportRun,
    Metric,
    Observation,
    ObservationRevision,
    PendingRevision,
    StoreLock,
    Target,
    Unit,
    utcnow,
)
from data.readers import RawTable, ReadError, file_checksum, read_table
from data.report import ImportReport
from data.target_history import (
    CORRECTED,
    CREATED,
    DRAFTED,
    PROMOTED,
    TargetContent,
    TargetLedger,
    TargetRow,
    ledger_from,
)
from data.values import slugify

#: Metric fields a mapping (or the contacts importer) may set when it creates a metric,
#: besides its texts (:func:`metric_definition_fields`).
METRIC_PLAIN_FIELDS = (
    "dimension",
    "scale",
    "direction",
    "norm_best",
    "norm_worst",
    "is_survey",
    "headline",
)


def metric_definition_fields() -> tuple[str, ...]:
    """Every field a metric definition may set: its texts as ``<field>_<language>`` for each
    configured language (``name_en``, ``definition_es``...), and the plain fields."""
    return (
        *(f"{name}_{code}" for name in Metric.TRANSLATED for code in content_languages()),
        *METRIC_PLAIN_FIELDS,
    )


#: What a metric code may be (Metric.code): the open-data API filters by it and its OpenAPI
#: document states this pattern (dashboard/open_data/parameters.py), so no other code is made.
METRIC_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
METRIC_CODE_MAX_LENGTH = 80


def metric_code_problem(code: str) -> str | None:
    """Why ``code`` cannot be a metric code, or None when it can."""
    if not METRIC_CODE.match(code) or len(code) > METRIC_CODE_MAX_LENGTH:
        return (
            f"not a metric code; use up to {METRIC_CODE_MAX_LENGTH} letters, digits, '_', '.' "
            "and '-', starting with a letter or digit (satisfaction_overall)"
        )
    return None


def check_metric_definition(code: str, definition: dict[str, Any]) -> list[str]:
    """Reasons a metric definition cannot be used (empty when it can)."""
    problems = []
    code_problem = metric_code_problem(code)
    if code_problem is not None:
        problems.append(f"metric {code!r}: {code_problem}")
    allowed = set(metric_definition_fields())
    unknown = []
    for key in sorted(set(definition) - allowed):
        name, _sep, language = key.rpartition("_")
        if name in Metric.TRANSLATED and LANGUAGE_CODE.match(language):
            problems.append(f"metric {code}: {key}: {not_configured(language, 'remove it')}")
        else:
            unknown.append(key)
    if unknown:
        problems.append(f"metric {code}: unknown field(s) {', '.join(unknown)}")
    for required in (f"name_{default_language()}", "dimension", "scale"):
        if not definition.get(required):
            problems.append(f"metric {code}: {required} is required")
    if definition.get("dimension") and definition["dimension"] not in DIMENSIONS:
        problems.append(f"metric {code}: dimension must be one of {', '.join(DIMENSIONS)}")
    if definition.get("scale") and definition["scale"] not in SCALES:
        problems.append(f"metric {code}: scale must be one of {', '.join(SCALES)}")
    for flag in ("is_survey", "headline"):
        if flag in definition and not isinstance(definition[flag], bool):
            problems.append(f"metric {code}: {flag} must be true or false")
    direction = definition.get("direction", "higher")
    if direction not in DIRECTIONS:
        problems.append(f"metric {code}: direction must be higher or lower")
    if not problems:
        try:
            NormalizationRule(
                definition["scale"],
                direction,
                definition.get("norm_best"),
                definition.get("norm_worst"),
            ).ends()
        except NormalizationError as error:
            problems.append(f"metric {code}: {error}")
    return problems


# -- units and metrics --------------------------------------------------------------------


@dataclass(eq=False)
class NewUnit:
    """A unit the import will create (``create_missing``); ``id`` is set once written."""

    kind: str
    name: str
    slug: str
    parent: int | NewUnit | None
    id: int | None = None
    #: The agency's own id for it (a key joined from several columns); unique per parent.
    code: str | None = None
    #: Its name in the other configured languages (``name`` is the default language's).
    names: dict[str, str] = field(default_factory=dict)


UnitKey = int | NewUnit


#: Scores a metric remembers (:meth:`MetricInfo.score`), at most.
_SCORES_KEPT = 50_000
_NOT_SCORED = object()


@dataclass(eq=False)
class MetricInfo:
    """What an importer needs to know about a metric; ``id`` is None until a new one is written."""

    code: str
    scale: str
    direction: str
    norm_best: float | None
    norm_worst: float | None
    id: int | None = None
    definition: dict[str, Any] | None = None  # set for a metric the import creates
    _scores: dict[float, float | None] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def rule(self) -> NormalizationRule:
        # Made once: every record of an import scores its value with it, and the fields it
        # is made of are never changed once the metric is known.
        return NormalizationRule(self.scale, self.direction, self.norm_best, self.norm_worst)

    def score(self, raw_value: float | None) -> float | None:
        # Remembered per value: an import scores a million values, most of them repeated
        # (shares to a decimal); the rule never changes (see ``rule``).
        if raw_value is None:
            return None
        scores = self._scores
        score = scores.get(raw_value, _NOT_SCORED)
        if score is _NOT_SCORED:
            score = normalize(raw_value, self.rule)
            if len(scores) < _SCORES_KEPT:
                scores[raw_value] = score
        return cast(float | None, score)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


class Catalog:
    """Every unit and metric in the store, found by the names files use for them.

    An agency is found by its slug, code, English or Spanish name (case and spacing do not
    matter); a service the same way among its agency's services. Units and metrics the
    import creates are remembered, so that one file can name a new agency many times.
    """

    def __init__(self, units: Iterable[Unit], metrics: Iterable[Metric]) -> None:
        self.unit_names: dict[int, str] = {}
        self.unit_kinds: dict[int, str] = {}
        self.slugs: set[str] = set()
        self._agencies: dict[str, set[int]] = defaultdict(set)
        self._services: dict[tuple[int, str], set[int]] = defaultdict(set)
        self._any_service: dict[str, set[int]] = defaultdict(set)
        self._service_codes: dict[tuple[int | None, str], set[int]] = defaultdict(set)
        enterprises = []
        for unit in units:
            self.unit_names[unit.id] = unit.name()
            self.unit_kinds[unit.id] = unit.kind
            self.slugs.add(unit.slug)
            if unit.kind == "service" and unit.code:
                self._service_codes[(unit.parent_id, _key(unit.code))].add(unit.id)
            names = unit.text_map("name").values()
            keys = {_key(k) for k in (unit.slug, unit.code, *names) if k}
            for key in keys:
                if unit.kind == "service":
                    if unit.parent_id is not None:
                        self._services[(unit.parent_id, key)].add(unit.id)
                    self._any_service[key].add(unit.id)
                else:
                    self._agencies[key].add(unit.id)
            if unit.kind == "enterprise":
                enterprises.append(unit.id)
        self.enterprise_id = enterprises[0] if len(enterprises) == 1 else None
        self.metrics: dict[str, MetricInfo] = {
            metric.code.casefold(): MetricInfo(
                metric.code,
                metric.scale,
                metric.direction,
                metric.norm_best,
                metric.norm_worst,
                metric.id,
            )
            for metric in metrics
        }
        self.new_units: dict[tuple[str, int | NewUnit | None, str], NewUnit] = {}
        self.new_metrics: dict[str, MetricInfo] = {}

    @classmethod
    def load(cls, session: Session) -> Catalog:
        return cls(session.scalars(select(Unit)).all(), session.scalars(select(Metric)).all())

    def stored_unit(self, kind: str, parent: int | None, key: str) -> int | None:
        """The stored unit a new unit's identity (``new_units`` key) names, if exactly one."""
        if key.startswith("code:"):
            found = self._service_codes.get((parent, key.removeprefix("code:")), set())
        elif kind == "service":
            found = self._services.get((parent, key), set()) if parent is not None else set()
        else:
            found = {
                unit for unit in self._agencies.get(key, set()) if self.unit_kinds[unit] == kind
            }
        return next(iter(found)) if len(found) == 1 else None

    def unit_label(self, unit: UnitKey) -> str:
        if isinstance(unit, NewUnit):
            return f"{unit.name} (new)"
        return self.unit_names.get(unit, str(unit))

    def find_agency(self, text: str, create: bool = False) -> UnitKey:
        key = _key(text)
        found = self._agencies.get(key, set())
        if len(found) == 1:
            return next(iter(found))
        if len(found) > 1:
            raise LookupError(f"{len(found)} agencies are called this; use the agency's slug")
        if create:
            return self._new_unit("agency", text, self.enterprise_id)
        if key in self._any_service:
            raise LookupError("this is a service, not an agency; put it in the service column")
        raise LookupError(
            "unknown agency (match its slug, code or name as stored, or set "
            "create_missing = true in the mapping to create it)"
        )

    def find_service(self, agency: UnitKey, text: str, create: bool = False) -> UnitKey:
        key = _key(text)
        if isinstance(agency, NewUnit):
            return self._new_unit("service", text, agency)
        found = self._services.get((agency, key), set())
        if len(found) == 1:
            return next(iter(found))
        if len(found) > 1:
            raise LookupError(f"{len(found)} services of this agency are called this")
        if create:
            return self._new_unit("service", text, agency)
        raise LookupError(
            f"unknown service of {self.unit_label(agency)} (match its slug, code or name, or "
            "set create_missing = true in the mapping to create it)"
        )

    def find_service_by_code(
        self,
        agency: UnitKey,
        code: str,
        name: str,
        create: bool = False,
        names: dict[str, str] | None = None,
    ) -> UnitKey:
        """The service of ``agency`` whose code is ``code`` (a key built from several columns).

        Only the code identifies it (names may repeat: several standards of one service);
        ``name`` (and ``names`` in other languages) are used when it is created.
        """
        if not isinstance(agency, NewUnit):
            found = self._service_codes.get((agency, _key(code)), set())
            if len(found) == 1:
                return next(iter(found))
            if len(found) > 1:
                raise LookupError(f"{len(found)} services of this agency have the code {code!r}")
        if create:
            return self._new_unit("service", name, agency, code=code, names=names)
        raise LookupError(
            f"no service of {self.unit_label(agency)} has the code {code!r} (set "
            "create_missing = true in the mapping to create it)"
        )

    def _new_unit(
        self,
        kind: str,
        name: str,
        parent: int | NewUnit | None,
        code: str | None = None,
        names: dict[str, str] | None = None,
    ) -> NewUnit:
        clean = " ".join(name.split())
        identity = (kind, parent, f"code:{_key(code)}" if code else _key(clean))
        if identity not in self.new_units:
            base = slugify(clean)
            slug, counter = base, 2
            while slug in self.slugs:
                slug, counter = f"{base}-{counter}", counter + 1
            self.slugs.add(slug)
            self.new_units[identity] = NewUnit(
                kind, clean, slug, parent, code=code, names=dict(names or {})
            )
        return self.new_units[identity]

    def find_metric(
        self, code: str, definitions: dict[str, dict[str, Any]] | None = None, create: bool = False
    ) -> MetricInfo:
        key = code.strip().casefold()
        if key in self.metrics:
            return self.metrics[key]
        if key in self.new_metrics:
            return self.new_metrics[key]
        definition = (definitions or {}).get(code.strip())
        if definition is not None and create:
            info = MetricInfo(
                code.strip(),
                definition["scale"],
                definition.get("direction", "higher"),
                definition.get("norm_best"),
                definition.get("norm_worst"),
                definition=definition,
            )
            self.new_metrics[key] = info
            return info
        if definition is not None:
            raise LookupError(
                "unknown metric; the mapping defines it under [metrics], set "
                "create_missing = true to create it"
            )
        raise LookupError(
            "unknown metric code (create the metric first, or define it in the mapping)"
        )


# -- observations -------------------------------------------------------------------------


@dataclass
class TargetRecord:
    """A target given next to a value: in force from the period's start if it is new."""

    kind: str  # numeric | baseline | text
    value: float | None
    comparator: str
    #: The words the file gives, by column: ``text_<language>``, ``promise_<language>``.
    texts: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ObservationRecord:
    """One value ready for the store, with where it came from (for problems).

    Slotted: an import makes one per value of the file (a batch's worth at a time).
    """

    row: int | None
    column: str | None
    unit: UnitKey
    metric: MetricInfo
    period: Period
    segment_type: str = ""
    segment_value: str = ""
    raw_value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    response_rate: float | None = None
    series_break: bool = False
    note: str | None = None
    target: TargetRecord | None = None
    #: The column the target came from (for problems).
    target_column: str | None = None
    score: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.score = self.metric.score(self.raw_value)

    def key(self) -> tuple[Any, ...]:
        return (
            self.unit,
            self.metric.code,
            self.period.granularity,
            self.period.start,
            self.segment_type,
            self.segment_value,
        )


_PUBLIC_FIELDS = (
    "raw_value",
    "numerator",
    "denominator",
    "response_rate",
    "score",
    "series_break",
    "period_end",
)


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _record_fields(record: ObservationRecord) -> dict[str, Any]:
    return {
        "raw_value": record.raw_value,
        "numerator": record.numerator,
        "denominator": record.denominator,
        "response_rate": record.response_rate,
        "score": record.score,
        "series_break": record.series_break,
        "period_end": record.period.end,
    }


@dataclass
class _Update:
    existing: Observation
    record: ObservationRecord
    public_change: bool
    keep_revision: bool


#: The longest revision reason an upload may give (it is shown publicly beside the figure).
MAX_REASON_LENGTH = 2000


@dataclass(frozen=True)
class WorkspaceUpload:
    """A results file uploaded in the staff workspace (issue 10), not ``cxdash import``.

    The same importer, with these differences: rows must be about agencies in
    ``agency_scope`` (None: every agency) and name existing units and metrics (new ones are
    created only by an admin with ``cxdash import-units`` / ``import-metrics``); nothing is
    published; a changed *published* figure becomes a :class:`PendingRevision` carrying
    ``reason`` (required then) instead of a problem; the run records ``user_id``.
    """

    agency_scope: frozenset[int] | None
    user_id: int
    reason: str | None = None
    #: For the audit entry of a saved upload (where the request came from).
    ip: str | None = None
    user_agent: str | None = None

    def allows(self, agency_id: int) -> bool:
        return self.agency_scope is None or agency_id in self.agency_scope


@dataclass
class _Pending:
    """A change to a published figure that waits for publication (a workspace upload)."""

    existing: Observation
    record: ObservationRecord
    #: The pending revision already stored for the figure (replaced), if any.
    stored: PendingRevision | None


@dataclass
class TargetPlan:
    """The targets of one (unit, metric) pair, with this import's changes applied in memory."""

    unit: UnitKey
    metric: MetricInfo
    ledger: TargetLedger
    outcomes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(row.dirty for row in self.ledger.rows)


@dataclass
class WritePlan:
    inserts: list[ObservationRecord] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    promotions: list[Observation] = field(default_factory=list)
    unchanged: int = 0
    targets: list[TargetPlan] = field(default_factory=list)
    #: Every record of the import (what a publishing import publishes the units of).
    records: list[ObservationRecord] = field(default_factory=list)
    #: Workspace uploads: changes to published figures, kept as pending revisions, and the
    #: pending revisions the file withdraws (it gives the published values again).
    pending: list[_Pending] = field(default_factory=list)
    withdrawn: list[PendingRevision] = field(default_factory=list)

    @property
    def work(self) -> int:
        return (
            len(self.inserts)
            + len(self.updates)
            + len(self.promotions)
            + len(self.pending)
            + len(self.withdrawn)
            + sum(1 for plan in self.targets if plan.changed)
        )

    def published_figures(self) -> list[tuple[UnitKey, str]]:
        """(unit, "added" | "revised") for every figure a publishing import makes public or
        changes publicly; read before :func:`apply_writes` (which publishes the drafts)."""
        figures: list[tuple[UnitKey, str]] = [(record.unit, "added") for record in self.inserts]
        for update in self.updates:
            if update.keep_revision:
                figures.append((update.record.unit, "revised"))
            elif update.existing.visibility != PUBLISHED:
                figures.append((update.record.unit, "added"))
        figures.extend((stored.unit_id, "added") for stored in self.promotions)
        return figures


def plan_writes(
    session: Session,
    records: list[ObservationRecord],
    *,
    publish: bool,
    report: ImportReport,
    sole_source: str | None = None,
    pending_revisions: bool = False,
    revision_reason: str | None = None,
) -> WritePlan:
    """Compare records with the store (reading only) and decide what each one does.

    ``sole_source``: an import kind ("contacts"); a stored observation this import would
    change or publish that another kind of import (or no import: the demo, a hand edit)
    wrote is a problem, naming unit, metric, period and source.

    ``pending_revisions`` (a workspace upload, never with ``publish``): a changed published
    figure is not a problem but a pending revision (replacing one already pending for it),
    which needs ``revision_reason``; a file giving the published values again withdraws the
    figure's pending revision.
    """
    if pending_revisions and publish:
        raise ValueError("pending revisions are for drafts: an import that publishes has none")
    plan = WritePlan(records=records)
    existing = _existing_observations(session, records)
    sources = _import_kinds(session, existing.values()) if sole_source else {}
    pending = _pending_revisions(session, existing.values()) if pending_revisions else {}
    for record in records:
        key = _stored_key(record)
        stored = existing.get(key) if key is not None else None
        if stored is None:
            plan.inserts.append(record)
            continue
        new = _record_fields(record)
        public_change = any(not _same(getattr(stored, k), new[k]) for k in _PUBLIC_FIELDS)
        note_change = not _same(stored.internal_note, record.note)
        would_publish = publish and stored.visibility != PUBLISHED
        if sole_source and (public_change or note_change or would_publish):
            source = sources.get(stored.import_id) if stored.import_id is not None else None
            if source != sole_source:
                _foreign_observation_problem(report, record, stored, source)
                continue
        is_published = stored.visibility == PUBLISHED
        if pending_revisions and is_published:
            waiting = pending.get(stored.id)
            if public_change:
                plan.pending.append(_Pending(stored, record, waiting))
                continue
            if waiting is not None:
                plan.withdrawn.append(waiting)
        if not public_change and not note_change:
            plan.unchanged += 1
            if publish and stored.visibility != PUBLISHED:
                plan.promotions.append(stored)
            continue
        if is_published and public_change and not publish:
            report.problem(
                record.row,
                record.column,
                _show(record.raw_value),
                f"the published value for this period is {_show(stored.raw_value)}; changing "
                "a published figure needs --publish (the earlier value is then kept as a "
                "revision)",
            )
            continue
        plan.updates.append(
            _Update(stored, record, public_change, keep_revision=is_published and public_change)
        )
    report.inserted = len(plan.inserts)
    report.revised = len(plan.updates)
    report.unchanged = plan.unchanged
    report.published = len(plan.promotions)
    report.revisions_kept = sum(1 for update in plan.updates if update.keep_revision)
    report.pending_revisions = len(plan.pending)
    if plan.pending:
        _check_revision_reason(report, plan.pending, revision_reason)
    if plan.withdrawn:
        report.notes.append(
            f"{len(plan.withdrawn)} pending revision(s) withdrawn: the file gives the "
            "published value(s) again"
        )
    plan.targets = _plan_targets(session, records, publish, report, utcnow())
    count_target_outcomes(report, plan.targets)
    return plan


def _pending_revisions(
    session: Session, observations: Iterable[Observation]
) -> dict[int, PendingRevision]:
    """The pending revisions of these (published) observations, by observation id."""
    ids = sorted({o.id for o in observations if o.visibility == PUBLISHED})
    found: dict[int, PendingRevision] = {}
    for start in range(0, len(ids), 5000):
        batch = ids[start : start + 5000]
        statement = select(PendingRevision).where(PendingRevision.observation_id.in_(batch))
        for pending in session.scalars(statement):
            found[pending.observation_id] = pending
    return found


def _check_revision_reason(
    report: ImportReport, pending: list[_Pending], reason: str | None
) -> None:
    """A file that changes published figures must say why (the reason is published)."""
    first = min(pending, key=lambda item: (item.record.row is None, item.record.row or 0))
    text = (reason or "").strip()
    if not text:
        report.problem(
            first.record.row,
            first.record.column,
            _show(first.record.raw_value),
            f"this file changes {len(pending)} published figure(s) (this row's is "
            f"{_show(first.existing.raw_value)}); give the reason for the revision",
        )
    elif len(text) > MAX_REASON_LENGTH:
        report.problem(
            None,
            None,
            text[:80] + "…",
            f"the reason for the revision is {len(text):,} characters long; at most "
            f"{MAX_REASON_LENGTH:,} are allowed",
        )


def _import_kinds(session: Session, observations: Iterable[Observation]) -> dict[int, str]:
    ids = sorted({o.import_id for o in observations if o.import_id is not None})
    if not ids:
        return {}
    rows = session.execute(select(ImportRun.id, ImportRun.kind).where(ImportRun.id.in_(ids)))
    return {row.id: row.kind for row in rows}


def _foreign_observation_problem(
    report: ImportReport, record: ObservationRecord, stored: Observation, source: str | None
) -> None:
    where = f"import #{stored.import_id} of kind {source!r}" if source else "no import (demo data)"
    segment = f", {record.segment_type} {record.segment_value}" if record.segment_type else ""
    report.problem(
        record.row,
        record.column,
        _show(record.raw_value),
        f"{record.metric.code} of {stored.unit.name()}, "
        f"{record.period.start.isoformat()} to {record.period.end.isoformat()}{segment} is "
        f"already stored ({_show(stored.raw_value)}) from {where}; this import does not "
        "overwrite figures from another source (remove that figure first, or use another "
        "metric)",
    )


def _show(value: float | None) -> str:
    return "not reported" if value is None else f"{value:g}"


def _stored_key(record: ObservationRecord) -> tuple[Any, ...] | None:
    if not isinstance(record.unit, int) or record.metric.id is None:
        return None
    return (
        record.unit,
        record.metric.id,
        record.period.granularity,
        record.period.start,
        record.segment_type,
        record.segment_value,
    )


#: Up to this many distinct period starts, the stored observations a file may change are
#: looked up by period too (beyond it, the list of starts would be longer than it saves).
MAX_PERIOD_FILTER = 500


def _existing_observations(
    session: Session, records: list[ObservationRecord]
) -> dict[tuple[Any, ...], Observation]:
    unit_ids = {r.unit for r in records if isinstance(r.unit, int)}
    metric_ids = {r.metric.id for r in records if r.metric.id is not None}
    if not unit_ids or not metric_ids:
        return {}
    wanted = {key for key in map(_stored_key, records) if key is not None}
    found: dict[tuple[Any, ...], Observation] = {}
    statement = select(Observation).where(
        Observation.unit_id.in_(sorted(unit_ids)), Observation.metric_id.in_(sorted(metric_ids))
    )
    # Only the periods of the file: a month's file should not load every stored month.
    starts = {key[3] for key in wanted}
    if len(starts) <= MAX_PERIOD_FILTER:
        statement = statement.where(Observation.period_start.in_(sorted(starts)))
    for observation in session.scalars(statement):
        key = (
            observation.unit_id,
            observation.metric_id,
            observation.granularity,
            observation.period_start,
            observation.segment_type,
            observation.segment_value,
        )
        if key in wanted:
            found[key] = observation
    return found


def target_content(record: TargetRecord) -> TargetContent:
    return TargetContent.of(record.kind, record.value, record.comparator, **record.texts)


def _target_matches(current: TargetContent, wanted: TargetRecord) -> bool:
    """Whether the target in force already says what the file says (fields it gives)."""
    if current.kind != wanted.kind or current.comparator != wanted.comparator:
        return False
    if not _same(current.value, wanted.value):
        return False
    for name, given in wanted.texts.items():
        if given is not None and given != current.text(name):
            return False
    return True


def load_target_plans(
    session: Session, pairs: Iterable[tuple[UnitKey, MetricInfo]]
) -> dict[tuple[Any, str], TargetPlan]:
    """A :class:`TargetPlan` per (unit, metric), holding the pair's stored targets."""
    plans: dict[tuple[Any, str], TargetPlan] = {}
    wanted: dict[tuple[int, int], tuple[Any, str]] = {}
    for unit, metric in pairs:
        key = (unit, metric.code)
        if key in plans:
            continue
        plans[key] = TargetPlan(unit, metric, TargetLedger())
        if isinstance(unit, int) and metric.id is not None:
            wanted[(unit, metric.id)] = key
    unit_ids = sorted({unit for unit, _ in wanted})
    metric_ids = sorted({metric for _, metric in wanted})
    if unit_ids and metric_ids:
        by_pair: dict[tuple[Any, str], list[Target]] = defaultdict(list)
        statement = (
            select(Target)
            .where(Target.unit_id.in_(unit_ids), Target.metric_id.in_(metric_ids))
            .order_by(Target.id)
        )
        for target in session.scalars(statement):
            pair = wanted.get((target.unit_id, target.metric_id))
            if pair is not None:
                by_pair[pair].append(target)
        for key, targets in by_pair.items():
            plans[key].ledger = ledger_from(targets)
    return plans


def _plan_targets(
    session: Session,
    records: list[ObservationRecord],
    publish: bool,
    report: ImportReport,
    now: dt.datetime,
) -> list[TargetPlan]:
    """Targets given next to values, applied to the stored history by the D2 rules.

    Records are taken in period order: the target a file gives for a period is compared
    with the one in force on the period's last day (published ones for a publishing
    import; drafts included for a draft import). The same standard repeated on every
    quarter therefore changes nothing after the first; a raised standard is a new target
    from the period it changes (a correction when a target already starts that day).
    """
    with_targets = [r for r in records if r.target is not None]
    if not with_targets:
        return []
    plans = load_target_plans(session, ((r.unit, r.metric) for r in with_targets))
    by_pair: dict[tuple[Any, str], list[ObservationRecord]] = defaultdict(list)
    for record in with_targets:
        by_pair[(record.unit, record.metric.code)].append(record)
    for key, pair_records in by_pair.items():
        plan = plans[key]
        ledger = plan.ledger
        set_here: dict[dt.date, ObservationRecord] = {}
        for record in sorted(pair_records, key=lambda r: r.period.start):
            wanted = record.target
            assert wanted is not None
            current = ledger.in_force(record.period.end, with_drafts=not publish)
            if current is not None and _target_matches(current.content, wanted):
                continue
            start = record.period.start
            clash = set_here.get(start)
            if clash is not None:
                # Two rows of the file (segments of one period) disagree about the target.
                report.problem(
                    record.row,
                    record.target_column,
                    _show(wanted.value)
                    if wanted.value is not None
                    else wanted.texts.get(f"text_{default_language()}"),
                    f"row {clash.row} gives a different target for this unit, metric and "
                    "period; a target applies to the unit and metric, whatever the segment",
                )
                continue
            content = target_content(wanted)
            if current is not None:
                # Fields the file leaves out (a promise) carry over from the target replaced.
                old = current.content
                words = {**dict(old.texts), **{k: v for k, v in content.texts if v}}
                content = replace(content, texts=tuple(sorted(words.items())))
            if publish:
                outcome, _ = ledger.publish(content, start, now=now, row=record.row)
            else:
                outcome, _ = ledger.draft(content, start, row=record.row)
            plan.outcomes.append(outcome)
            set_here[start] = record
    return [plan for plan in plans.values() if plan.changed]


def count_target_outcomes(report: ImportReport, plans: Iterable[TargetPlan]) -> None:
    """Add the plans' outcomes to the report's target counts."""
    for plan in plans:
        for outcome in plan.outcomes:
            if outcome in (CREATED, CORRECTED, DRAFTED):
                report.targets_created += 1
            if outcome == PROMOTED:
                report.targets_published += 1
            if outcome == CORRECTED:
                report.targets_superseded += 1


# -- writing ------------------------------------------------------------------------------


def _write_new_units_and_metrics(
    session: Session, catalog: Catalog, *, publish: bool = False
) -> None:
    """Units and metrics the import creates: drafts unless it publishes (decision D1)."""
    visibility = PUBLISHED if publish else DRAFT
    for unit in catalog.new_units.values():
        _write_unit(session, unit, visibility)
    for info in catalog.new_metrics.values():
        definition = dict(info.definition or {})
        definition.setdefault("direction", "higher")
        metric = Metric(code=info.code, visibility=visibility, **definition)
        session.add(metric)
        session.flush()
        info.id = metric.id


def _write_unit(session: Session, unit: NewUnit, visibility: str = DRAFT) -> int:
    if unit.id is not None:
        return unit.id
    parent_id = unit.parent
    if isinstance(parent_id, NewUnit):
        parent_id = _write_unit(session, parent_id, visibility)
    row = Unit(
        visibility=visibility,
        slug=unit.slug,
        kind=unit.kind,
        parent_id=parent_id,
        code=unit.code,
        **{f"name_{default_language()}": unit.name},
        **{f"name_{language}": name for language, name in unit.names.items()},
    )
    session.add(row)
    session.flush()
    unit.id = row.id
    return row.id


def _unit_id(unit: UnitKey) -> int:
    if isinstance(unit, NewUnit):
        assert unit.id is not None, "new units are written before observations"
        return unit.id
    return unit


OBSERVATIONS = cast(Table, Observation.__table__)


def apply_writes(
    session: Session,
    plan: WritePlan,
    catalog: Catalog,
    run: ImportRun,
    *,
    publish: bool,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
    revision_reason: str | None = None,
) -> None:
    """Write the plan in the caller's transaction; ``progress(n)`` reports n more rows done.

    ``revision_reason``: the reason stored with the plan's pending revisions (a workspace
    upload; :func:`plan_writes` made sure there is one when there are any).
    """
    _write_new_units_and_metrics(session, catalog, publish=publish)
    visibility = PUBLISHED if publish else DRAFT
    published_at = now if publish else None

    chunk = 5000
    for start in range(0, len(plan.inserts), chunk):
        batch = plan.inserts[start : start + chunk]
        # A Core insert of the table: one executemany per chunk (the ORM's bulk insert would
        # split it into a statement per pattern of NULLs and build its own parameters first).
        session.execute(
            insert(OBSERVATIONS),
            [
                {
                    "unit_id": _unit_id(r.unit),
                    "metric_id": r.metric.id,
                    "period_start": r.period.start,
                    "period_end": r.period.end,
                    "granularity": r.period.granularity,
                    "segment_type": r.segment_type,
                    "segment_value": r.segment_value,
                    "raw_value": r.raw_value,
                    "numerator": r.numerator,
                    "denominator": r.denominator,
                    "response_rate": r.response_rate,
                    "score": r.score,
                    "series_break": r.series_break,
                    "visibility": visibility,
                    "published_at": published_at,
                    "internal_note": r.note,
                    "import_id": run.id,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in batch
            ],
        )
        if progress:
            progress(len(batch))

    for update in plan.updates:
        stored, record = update.existing, update.record
        if update.keep_revision:
            session.add(
                earlier_value(
                    stored,
                    now=now,
                    import_id=run.id,
                    reason=f"replaced by import #{run.id} of {run.file_name}",
                )
            )
        for name, value in _record_fields(record).items():
            setattr(stored, name, value)
        stored.internal_note = record.note
        stored.import_id = run.id
        stored.updated_at = now
        if publish:
            if stored.visibility != PUBLISHED or update.public_change:
                stored.published_at = now
            stored.visibility = PUBLISHED
        if progress:
            progress(1)

    for stored in plan.promotions:
        stored.visibility = PUBLISHED
        stored.published_at = now
        stored.updated_at = now
        if progress:
            progress(1)

    _write_pending(session, plan, run, (revision_reason or "").strip(), now)
    if progress and (plan.pending or plan.withdrawn):
        progress(len(plan.pending) + len(plan.withdrawn))

    write_target_plans(session, plan.targets, run, progress=progress)
    if publish:
        publish_used(session, plan)
    session.flush()


def _write_pending(
    session: Session, plan: WritePlan, run: ImportRun, reason: str, now: dt.datetime
) -> None:
    """Pending revisions: the published figure stays as it is until publication."""
    for withdrawn in plan.withdrawn:
        session.delete(withdrawn)
    for item in plan.pending:
        fields = _record_fields(item.record)
        values = {
            "raw_value": fields["raw_value"],
            "numerator": fields["numerator"],
            "denominator": fields["denominator"],
            "response_rate": fields["response_rate"],
            "score": fields["score"],
            "series_break": fields["series_break"],
            "internal_note": item.record.note,
            "reason": reason,
            "import_id": run.id,
            "created_at": now,
        }
        if item.stored is None:
            session.add(PendingRevision(observation_id=item.existing.id, **values))
        else:
            for name, value in values.items():
                setattr(item.stored, name, value)


def earlier_value(
    stored: Observation, *, now: dt.datetime, import_id: int, reason: str
) -> ObservationRevision:
    """The published value of ``stored`` kept as a revision, before a new value replaces it
    (an import with --publish, or a workspace publication with the reason its editor gave)."""
    return ObservationRevision(
        observation_id=stored.id,
        raw_value=stored.raw_value,
        numerator=stored.numerator,
        denominator=stored.denominator,
        score=stored.score,
        revised_at=now,
        import_id=import_id,
        reason=reason,
    )


def publish_used(session: Session, plan: WritePlan) -> None:
    """A publishing import publishes every unit and metric its rows use (decision D1)."""
    units = {_unit_id(record.unit) for record in plan.records}
    units |= {_unit_id(target.unit) for target in plan.targets}
    metrics = {record.metric.id for record in plan.records if record.metric.id is not None}
    metrics |= {target.metric.id for target in plan.targets if target.metric.id is not None}
    publish_units_and_metrics(session, units, metrics)


def publish_units_and_metrics(
    session: Session, unit_ids: Iterable[int], metric_ids: Iterable[int]
) -> None:
    """Publish these units with their parents (a service's agency, up to the enterprise)
    and these metrics: what a published row uses must be public (decision D1).

    Every publishing import calls this, inside its transaction, with the units and metrics
    of the rows it publishes.
    """
    pending = set(unit_ids)
    seen: set[int] = set()
    while pending:
        batch = sorted(pending - seen)
        if not batch:
            break
        seen.update(batch)
        parents = session.execute(
            select(Unit.parent_id).where(Unit.id.in_(batch), Unit.parent_id.is_not(None))
        ).scalars()
        pending = {parent for parent in parents if parent is not None}
    if seen:
        session.execute(
            sql_update(Unit)
            .where(Unit.id.in_(sorted(seen)), Unit.visibility != PUBLISHED)
            .values(visibility=PUBLISHED)
            .execution_options(synchronize_session=False)
        )
    metric_list = sorted(set(metric_ids))
    if metric_list:
        session.execute(
            sql_update(Metric)
            .where(Metric.id.in_(metric_list), Metric.visibility != PUBLISHED)
            .values(visibility=PUBLISHED)
            .execution_options(synchronize_session=False)
        )


def write_target_plans(
    session: Session,
    plans: Iterable[TargetPlan],
    run: ImportRun,
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write what the plans changed: new and changed targets, dropped drafts, history links.

    New rows are flushed first, so that a superseded target can point at its successor.
    """
    linked: list[TargetRow] = []
    for plan in plans:
        if not plan.changed:
            continue
        unit_id = _unit_id(plan.unit)
        assert plan.metric.id is not None, "new metrics are written before targets"
        for row in plan.ledger.rows:
            if not row.dirty:
                continue
            if row.deleted:
                if row.stored is not None:
                    session.delete(row.stored)
                continue
            values = {
                **row.content.as_fields(),
                "effective_from": row.effective_from,
                "effective_to": row.effective_to,
                "visibility": row.visibility,
                "superseded_at": row.superseded_at,
            }
            if row.stored is None:
                row.stored = Target(
                    unit_id=unit_id, metric_id=plan.metric.id, import_id=run.id, **values
                )
                session.add(row.stored)
            else:
                # Texts the content no longer has are removed (None) from the stored row.
                content = {
                    **{name: None for name in row.stored.text_record()},
                    **row.content.as_fields(),
                }
                values.update(content)
                changed_content = any(
                    getattr(row.stored, name) != value for name, value in content.items()
                )
                # Read before the values are set: a promoted draft is this run's too.
                promoted = row.stored.visibility != row.visibility
                for name, value in values.items():
                    setattr(row.stored, name, value)
                if changed_content or promoted:
                    row.stored.import_id = run.id
            if row.superseded_by is not None:
                linked.append(row)
        if progress:
            progress(1)
    session.flush()
    for row in linked:
        assert row.superseded_by is not None and row.superseded_by.stored is not None
        row.stored.superseded_by_id = row.superseded_by.stored.id
    session.flush()


# -- the import transaction ---------------------------------------------------------------


def commit_import(
    session: Session,
    database_url: str,
    *,
    records: list[ObservationRecord],
    catalog: Catalog,
    report: ImportReport,
    mapping_record: dict[str, Any] | None,
    mapping_name: str | None,
    progress: Callable[[int, int], None] | None,
    work_done: int,
    sole_source: str | None = None,
    workspace: WorkspaceUpload | None = None,
) -> None:
    """Lock, plan, then write everything in ``session``'s one transaction, or nothing at all.

    The store lock is taken first (:func:`lock_store`; not for a dry run), then the catalog
    is brought up to date (units and metrics another import created while this one waited
    are used, not created twice) and the plan is made inside the lock: two imports into one
    store end as if run one after the other.

    Nothing is written when the report already has problems, when checking or planning
    finds one (a string longer than its column, a second headline measure, a published
    value changed without ``publish``), or for a dry run. A failed run is then recorded in
    its own transaction by :func:`record_failure`. A database error at any point ends the
    same way, reported by :func:`database_problem`, never as a traceback.

    ``sole_source``: the import kind that must be the only writer of the observations this
    import would change (``import-contacts`` never overwrites figures from another source).

    ``workspace``: a staff upload (:class:`WorkspaceUpload`): changed published figures
    become pending revisions, the run records the user, an "upload" audit entry is written
    with it. A publishing import (``report.publish``) records a publication per agency it
    changed (:func:`data.publication.record_cli_publications`), in the same transaction.
    """
    try:
        if report.problems:
            session.rollback()
            record_failure(database_url, report, mapping_record)
            return
        if not report.dry_run:
            lock_store(session)
        rebind_after_lock(session, catalog, records, report)
        check_new_entries(session, catalog, records, report)
        if not report.problems:
            plan = plan_writes(
                session,
                records,
                publish=report.publish,
                report=report,
                sole_source=sole_source,
                pending_revisions=workspace is not None,
                revision_reason=workspace.reason if workspace is not None else None,
            )
        report.units_created = [unit.name for unit in catalog.new_units.values()]
        report.metrics_created = [metric.code for metric in catalog.new_metrics.values()]
        note_previous_import(session, report)
        if report.problems or report.dry_run:
            session.rollback()
            if report.problems:
                record_failure(database_url, report, mapping_record)
            return

        total = work_done + plan.work
        done = work_done

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress(done, total)

        now = utcnow()
        run = ImportRun(
            kind=report.kind,
            file_name=report.file,
            checksum=report.checksum or "",
            mapping_name=mapping_name,
            mapping=mapping_record,
            rows_read=report.rows_read,
            status="succeeded",
            started_at=now,
            user_id=workspace.user_id if workspace is not None else None,
        )
        session.add(run)
        session.flush()
        figures = plan.published_figures() if report.publish else []
        apply_writes(
            session,
            plan,
            catalog,
            run,
            publish=report.publish,
            now=now,
            progress=advance,
            revision_reason=workspace.reason if workspace is not None else None,
        )
        run.rows_inserted = report.inserted
        run.rows_revised = report.revised + report.pending_revisions
        run.rows_unchanged = report.unchanged
        run.message = _summary(report)
        run.finished_at = utcnow()
        if report.publish:
            from data.publication import record_cli_publications

            record_cli_publications(
                session, run, now=now, figures=[(_unit_id(u), kind) for u, kind in figures]
            )
        if workspace is not None:
            _audit_upload(session, run, report, workspace, now)
        session.commit()
        report.import_id = run.id
    except SQLAlchemyError as error:
        fail_with_database_error(session, database_url, report, error, mapping_record)
    except BaseException:
        session.rollback()
        raise


def _audit_upload(
    session: Session,
    run: ImportRun,
    report: ImportReport,
    workspace: WorkspaceUpload,
    now: dt.datetime,
) -> None:
    """The "upload" audit entry of a saved workspace upload, in its transaction."""
    from dashboard.infra.models import User
    from data import audit

    agencies = sorted({agency for agency in _agencies_of(session, run) if agency is not None})
    user = session.get(User, workspace.user_id)
    audit.record(
        session,
        "upload",
        user_id=workspace.user_id,
        username=user.username if user is not None else None,
        agency_id=agencies[0] if len(agencies) == 1 else None,
        subject=f"upload #{run.id} of {run.file_name}"[:500],
        detail={
            "import_id": run.id,
            "file": run.file_name,
            "agencies": agencies,
            "new_drafts": report.inserted,
            "changed_drafts": report.revised,
            "pending_revisions": report.pending_revisions,
            "unchanged": report.unchanged,
            "reason": (workspace.reason or "").strip() or None,
        },
        ip=workspace.ip,
        user_agent=workspace.user_agent,
        now=now,
    )


def _agencies_of(session: Session, run: ImportRun) -> list[int | None]:
    """The agencies of the units whose observations or pending revisions ``run`` wrote."""
    from data.agency_scope import agencies_of_units

    units = set(session.scalars(select(Observation.unit_id).where(Observation.import_id == run.id)))
    units |= set(
        session.scalars(
            select(Observation.unit_id)
            .join(PendingRevision, PendingRevision.observation_id == Observation.id)
            .where(PendingRevision.import_id == run.id)
        )
    )
    return list(agencies_of_units(session, units).values())


def rebind_after_lock(
    session: Session, catalog: Catalog, records: list[ObservationRecord], report: ImportReport
) -> None:
    """Use the units and metrics another import created while this one waited for the lock.

    The catalog was read before the lock; a unit or metric it would create may exist now
    (two imports naming the same new agency). Found ones replace the new ones in the
    records; a new unit whose slug is now taken gets another.
    """
    if not catalog.new_units and not catalog.new_metrics:
        return
    fresh = Catalog.load(session)
    found: dict[NewUnit, int] = {}
    for identity, unit in list(catalog.new_units.items()):
        kind, parent, key = identity
        if isinstance(parent, NewUnit) and parent in found:
            parent = unit.parent = found[parent]
        existing = None if isinstance(parent, NewUnit) else fresh.stored_unit(kind, parent, key)
        if existing is not None:
            found[unit] = existing
            del catalog.new_units[identity]
    taken = set(fresh.slugs)
    for unit in catalog.new_units.values():
        if unit.slug in taken:
            base, counter = unit.slug, 2
            while f"{base}-{counter}" in taken:
                counter += 1
            unit.slug = f"{base}-{counter}"
        taken.add(unit.slug)
    for record in records:
        if isinstance(record.unit, NewUnit) and record.unit in found:
            record.unit = found[record.unit]
    for key, info in list(catalog.new_metrics.items()):
        stored = fresh.metrics.get(key)
        if stored is None:
            continue
        if stored.rule != info.rule:
            report.problem(
                None,
                None,
                info.code,
                f"metric {info.code} was created by another import meanwhile, measured as "
                f"{stored.scale} ({stored.direction} is better), not as this file defines it; "
                "import the file again",
            )
            continue
        info.id = stored.id
        info.definition = None
        del catalog.new_metrics[key]


def _first_rows(records: list[ObservationRecord]) -> dict[NewUnit, int | None]:
    """The first file row naming each new unit (directly or through one of its services)."""
    rows: dict[NewUnit, int | None] = {}
    for record in records:
        unit: Any = record.unit
        while isinstance(unit, NewUnit):
            rows.setdefault(unit, record.row)
            unit = unit.parent
    return rows


def check_new_entries(
    session: Session, catalog: Catalog, records: list[ObservationRecord], report: ImportReport
) -> None:
    """Lengths of every string the import will write, and headline measures, before writing.

    SQLite does not enforce ``String(n)``; PostgreSQL refuses the write. Both are checked
    here, for a dry run too, so that the report names the row, column and value.
    """
    first_rows = _first_rows(records)
    for unit in catalog.new_units.values():
        row = first_rows.get(unit)
        column = "service" if unit.kind == "service" else "agency"
        default = default_language()
        for language, name in ((default, unit.name), *unit.names.items()):
            name_column = getattr(Unit, f"name_{language}")
            check_length(report, row, column, name, name_column, what=f"the {column} name")
        check_length(report, row, column, unit.code, Unit.code, what=f"the {column} code")
        check_length(report, row, column, unit.slug, Unit.slug, what="the unit slug")
    for info in catalog.new_metrics.values():
        definition = info.definition or {}
        check_length(report, None, "metric", info.code, Metric.code, what="the metric code")
        for name, value in definition.items():
            model_column = getattr(Metric, name, None)
            if isinstance(value, str) and model_column is not None:
                check_length(
                    report,
                    None,
                    f"[metrics.{info.code}] {name}",
                    value,
                    model_column,
                    what=f"the metric's {name}",
                )
    check_record_lengths(records, report)
    new_flags = {
        info.code: (str((info.definition or {}).get("dimension", "")), bool(_headline(info)))
        for info in catalog.new_metrics.values()
    }
    if any(flag for _, flag in new_flags.values()):
        stored = session.execute(
            select(Metric.code, Metric.dimension).where(Metric.headline.is_(True))
        ).all()
        catalogue = {code: (dimension, True) for code, dimension in stored}
        catalogue.update(new_flags)
        for dimension, codes in headline_conflicts(catalogue).items():
            for code in codes:
                if code not in new_flags:
                    continue
                others = ", ".join(other for other in codes if other != code)
                report.problem(
                    None,
                    f"[metrics.{code}] headline",
                    "true",
                    f"metric {code} would be a second headline measure of {dimension}: "
                    f"{others} is one already; a dimension has one headline measure (set "
                    "headline = false on the other, or leave this one unflagged)",
                )


def check_record_lengths(records: Iterable[ObservationRecord], report: ImportReport) -> None:
    """Segment values and target texts of ``records`` longer than the store's columns, as
    :func:`check_length` reports them (one problem per row and target text column).

    The limits are looked up once, not per record: an import checks every record it writes.
    """
    segment_limit = column_length(Observation.segment_value)
    text_limits: dict[str, int | None] = {}
    reported: set[tuple[int | None, str]] = set()
    for record in records:
        if segment_limit is not None and len(record.segment_value) > segment_limit:
            check_length(
                report,
                record.row,
                record.column,
                record.segment_value,
                Observation.segment_value,
                what="the segment value",
            )
        target = record.target
        if target is None:
            continue
        for name, value in target.texts.items():
            if value is None or not name.startswith("text_"):
                continue
            limit = text_limits.get(name, -1)
            if limit == -1:
                limit = text_limits[name] = column_length(getattr(Target, name))
            if limit is None or len(value) <= limit or (record.row, name) in reported:
                continue
            reported.add((record.row, name))
            check_length(
                report,
                record.row,
                record.target_column,
                value,
                getattr(Target, name),
                what="the target text",
            )


def _headline(info: MetricInfo) -> bool | None:
    value = (info.definition or {}).get("headline")
    return None if value is None else bool(value)


def headline_conflicts(catalogue: dict[str, tuple[str, bool]]) -> dict[str, list[str]]:
    """Dimensions that would have more than one headline measure (decision D3).

    ``catalogue``: {code: (dimension, headline)} for the metrics as they would be after the
    import (the store's, with what the file defines or changes applied). Returns
    {dimension: [codes]} for every dimension with more than one flagged code. Pure: no I/O.
    """
    flagged: dict[str, list[str]] = defaultdict(list)
    for code, (dimension, headline) in sorted(catalogue.items()):
        if headline:
            flagged[dimension].append(code)
    return {dimension: codes for dimension, codes in flagged.items() if len(codes) > 1}


def _summary(report: ImportReport) -> str:
    text = (
        f"{report.rows_read} rows read; {report.inserted} new, {report.revised} changed, "
        f"{report.unchanged} unchanged observations"
    )
    if report.notes:
        text += "\nNotes:\n" + "\n".join(f"- {note}" for note in report.notes)
    return text


def note_previous_import(session: Session, report: ImportReport) -> None:
    if not report.checksum:
        return
    previous = session.execute(
        select(ImportRun.id, ImportRun.finished_at)
        .where(ImportRun.checksum == report.checksum, ImportRun.status == "succeeded")
        .order_by(ImportRun.id.desc())
        .limit(1)
    ).first()
    if previous is not None:
        when = previous.finished_at.date().isoformat() if previous.finished_at else "earlier"
        report.notes.append(
            f"this exact file was imported before (import #{previous.id}, {when}); "
            "values already stored are left as they are"
        )


def read_import_table(database_url: str, path: Path, report: ImportReport) -> RawTable | None:
    """Read the file of an import that takes no mapping, into ``report`` (checksum, rows,
    notes, over-long rows as problems). None, with the problem reported and the failed run
    recorded, when the file cannot be read at all."""
    try:
        with report.timed("read"):
            table = read_table(path)
    except ReadError as error:
        report.problem(None, None, None, str(error))
        try:
            report.checksum = file_checksum(path.read_bytes())
        except OSError:
            report.checksum = None
        record_failure(database_url, report, None)
        return None
    report.checksum = table.checksum
    report.rows_read = len(table)
    report.notes.extend(table.notes)
    for number, width in table.overlong:
        report.problem(number, None, None, f"this row has {width} filled fields")
    return table


def record_failure(
    database_url: str, report: ImportReport, mapping_record: dict[str, Any] | None
) -> None:
    """Record a failed run in its own transaction: the attempt is kept, never its data.

    A dry run records nothing. If the store cannot be written (it is down, or has no schema)
    the report says so in a note; its problems are the real news.
    """
    if report.dry_run:
        return
    shown = "\n".join(problem.to_text() for problem in report.problems[:50])
    if report.problem_count > 50:
        shown += f"\n... and {report.problem_count - 50} more"
    session = session_factory(database_url)()
    try:
        run = ImportRun(
            kind=report.kind,
            file_name=report.file,
            checksum=report.checksum or "",
            mapping_name=report.mapping_name,
            mapping=mapping_record,
            rows_read=report.rows_read,
            status="failed",
            message=f"{report.problem_count} problem(s); nothing was written.\n{shown}",
            finished_at=utcnow(),
        )
        session.add(run)
        session.commit()
        report.import_id = run.id
    except Exception:  # the report already holds the problems; recording is a courtesy
        session.rollback()
        report.notes.append("the failed run could not be recorded in the store")
    finally:
        session.close()


# -- the store lock, lengths and database errors ------------------------------------------

#: How long a SQLite import waits for another one to finish (dashboard.infra.db sets the same
#: busy timeout on every SQLite connection).
SQLITE_WAIT_SECONDS = 30


def lock_store(session: Session) -> None:
    """Take the store lock: the FIRST statement of an import's write transaction.

    Every import (results, contacts, targets, actions, contact points, closures, units,
    metrics) calls this before it reads what it compares with, so that two imports into one
    store run one after the other: the second waits here until the first has committed or
    rolled back, then reads the store as the first left it.

    - PostgreSQL: ``SELECT id FROM store_lock WHERE id = 1 FOR UPDATE`` (a row lock, held to
      the end of the transaction; READ COMMITTED, so later statements see the first import's
      rows).
    - SQLite: an UPDATE of that row, i.e. the database's write lock; a second writer waits
      for the busy timeout (30 s, dashboard.infra.db) and then fails with "database is locked",
      which :func:`database_problem` reports. On SQLite this must really be the first
      statement that writes: the driver starts the transaction there.

    A store made by ``Base.metadata.create_all`` (tests) has no lock row; it is inserted,
    race-safely (``ON CONFLICT DO NOTHING``). Everything the session had loaded before is
    expired, so that it is read again inside the lock.
    """
    _lock_connection(session.connection())
    session.expire_all()


def _lock_connection(connection: Connection) -> None:
    now = utcnow()
    table = cast(Table, StoreLock.__table__)
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert

        statement = select(table.c.id).where(table.c.id == 1).with_for_update()
        if connection.execute(statement).first() is None:
            connection.execute(upsert(table).values(id=1, taken_at=now).on_conflict_do_nothing())
            connection.execute(statement)
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]

        taken = connection.execute(sql_update(table).where(table.c.id == 1).values(taken_at=now))
        if taken.rowcount == 0:
            connection.execute(upsert(table).values(id=1, taken_at=now).on_conflict_do_nothing())


def column_length(model_column: Any) -> int | None:
    """The maximum length of a String column (``Unit.name_en`` -> 300); None for Text."""
    translated = getattr(model_column, "translated", None)
    if translated is not None:
        owner, field, _language = translated
        return owner.TEXT_LENGTHS.get(field)
    expression = getattr(model_column, "expression", model_column)
    return getattr(expression.type, "length", None)


def column_label(model_column: Any) -> str:
    translated = getattr(model_column, "translated", None)
    if translated is not None:
        owner, field, language = translated
        return f"{owner.__tablename__}.{field}_{language}"
    expression = getattr(model_column, "expression", model_column)
    table = getattr(expression, "table", None)
    return f"{table.name}.{expression.name}" if table is not None else str(expression.name)


def check_length(
    report: ImportReport,
    row: int | None,
    column: str | None,
    value: str | None,
    model_column: Any,
    *,
    what: str | None = None,
) -> bool:
    """Refuse a string longer than the store's column (``String(n)``); True when it fits.

    Run on every backend at dry-run and planning time: PostgreSQL would refuse the write
    with a database error, SQLite would silently store it. ``column`` is the file's column
    (for the problem), ``model_column`` the store's (``Unit.name_en``); ``what`` names the
    thing in the reason ("agency name").
    """
    if value is None:
        return True
    limit = column_length(model_column)
    if limit is None or len(value) <= limit:
        return True
    name = what or "the value"
    report.problem(
        row,
        column,
        value,
        f"{name} is {len(value):,} characters long; the store holds at most {limit} "
        f"({column_label(model_column)})",
    )
    return False


def describe_database_error(error: BaseException) -> tuple[str, str | None, str | None]:
    """(reason, store column or None, value or None) for a database error, in plain words."""
    orig = getattr(error, "orig", None) or error
    message = str(orig).strip()
    first_line = message.splitlines()[0] if message else type(orig).__name__
    lowered = message.casefold()
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or ""
    sqlite_name = getattr(orig, "sqlite_errorname", "") or ""
    is_sqlite = type(orig).__module__.startswith("sqlite3")
    nothing = "nothing was written"

    if (
        sqlstate == "22001"
        or "value too long" in lowered
        or "string data right" in lowered
        or ((sqlstate == "23514" or "check constraint" in lowered) and "text_length" in lowered)
    ):
        found = _overlong_parameter(error)
        if found is not None:
            label, limit, value = found
            return (
                f"too long for {label} (at most {limit} characters, this value has "
                f"{len(value)}); {nothing}",
                label,
                _shorten_value(value),
            )
        return (f"a value is too long for its column ({first_line}); {nothing}", None, None)
    if (
        sqlstate == "53100"
        or sqlite_name == "SQLITE_FULL"
        or "disk is full" in lowered
        or "no space left" in lowered
    ):
        return (f"the store's disk is full ({first_line}); {nothing}", None, None)
    if (
        sqlstate == "25006"
        or sqlite_name.startswith("SQLITE_READONLY")
        or "readonly database" in lowered
        or "read-only" in lowered
    ):
        return (
            f"the store is read-only ({first_line}); {nothing}. Import into a store this "
            "process may write to",
            None,
            None,
        )
    if sqlstate == "42501":
        return (
            f"the database user may not write to the store ({first_line}); {nothing}",
            None,
            None,
        )
    if sqlite_name == "SQLITE_BUSY" or "database is locked" in lowered:
        return (
            f"another import kept the store busy for more than {SQLITE_WAIT_SECONDS} seconds; "
            f"{nothing}. Import the file again when it has finished",
            None,
            None,
        )
    if sqlstate == "23505" or "unique constraint" in lowered or "duplicate key" in lowered:
        return (
            "another import wrote the same rows at the same time "
            f"({first_line}); {nothing}. Import the file again: it will be compared with "
            "what the other import stored",
            None,
            None,
        )
    if sqlstate in ("42P01", "42703") or "no such table" in lowered or "no such column" in lowered:
        return (
            f"the store has no schema or an old one ({first_line}); {nothing}. Run "
            "`cxdash init-db` first",
            None,
            None,
        )
    if sqlstate.startswith("23"):
        return (f"the store refused a row ({first_line}); {nothing}", None, None)
    if (
        sqlstate.startswith("08")
        or sqlstate.startswith("57P")
        or getattr(error, "connection_invalidated", False)
        or (not is_sqlite and ("connect" in lowered or "server closed" in lowered))
        or "unable to open database" in lowered
    ):
        return (
            f"the store cannot be reached ({first_line}); {nothing}. Check that the database "
            "is running and that DATABASE_URL points to it, then import again",
            None,
            None,
        )
    reason = f"the store refused the write ({type(orig).__name__}: {first_line}); {nothing}"
    return (reason, None, None)


def database_problem(report: ImportReport, error: BaseException) -> None:
    """Add ``error`` (a SQLAlchemy or DB-API error) to ``report`` as an :class:`ImportProblem`.

    The reason says what happened in plain words: a value too long for a column (with the
    column and its maximum), the disk full, a read-only store, an unreachable server, another
    import writing the same rows, a missing schema. Nothing of the import was written (the
    caller rolls back; :func:`import_transaction` does it all).
    """
    reason, column, value = describe_database_error(error)
    report.problem(None, column, value, reason)


def fail_with_database_error(
    session: Session | None,
    database_url: str,
    report: ImportReport,
    error: BaseException,
    mapping_record: dict[str, Any] | None = None,
) -> None:
    """Roll back, report ``error`` and record the failed run (best effort)."""
    if session is not None:
        # The connection may be gone: the server then rolls back on its own.
        with suppress(Exception):
            session.rollback()
    report.import_id = None
    database_problem(report, error)
    record_failure(database_url, report, mapping_record)


@contextmanager
def import_transaction(
    database_url: str,
    report: ImportReport,
    *,
    mapping_record: dict[str, Any] | None = None,
    lock: bool | None = None,
) -> Iterator[Session]:
    """One import's write transaction: locked, committed or rolled back, always reported.

    Usage (every importer)::

        with import_transaction(database_url, report) as session:
            catalog = Catalog.load(session)  # read INSIDE the lock
            ...  # check, plan, add rows; report.problem(...) for every problem
            # report.import_id = run.id once an ImportRun(kind=report.kind, ...) is flushed
        return report

    - The store lock (:func:`lock_store`) is taken as the transaction begins, before the
      block's first statement; ``lock`` defaults to "not a dry run" (a dry run only reads).
    - On leaving the block: problems in ``report`` -> rollback and a failed run recorded
      (:func:`record_failure`); a dry run -> rollback; otherwise commit.
    - Any SQLAlchemy error in the block or at commit (value too long, disk full, read-only
      store, server gone, unique violation, SQLite busy) -> rollback, the error added to the
      report by :func:`database_problem`, ``report.import_id`` cleared, a failed run recorded
      when the store can still be written; the error is NOT re-raised (check ``report.ok``).
    - Any other exception is re-raised after a rollback.
    """
    session: Session | None = None
    try:
        session = session_factory(database_url)()
        if lock if lock is not None else not report.dry_run:
            # Locked as the transaction begins, i.e. before the block's first statement; an
            # error there (server gone, read-only store) surfaces inside the block.
            event.listen(session, "after_begin", _lock_on_begin)
        yield session
        if report.problems:
            session.rollback()
            report.import_id = None
            record_failure(database_url, report, mapping_record)
        elif report.dry_run:
            session.rollback()
        else:
            session.commit()
    except SQLAlchemyError as error:
        fail_with_database_error(session, database_url, report, error, mapping_record)
    except BaseException:
        if session is not None:
            session.rollback()
        raise
    finally:
        if session is not None:
            session.close()


def _lock_on_begin(_session: Session, _transaction: Any, connection: Connection) -> None:
    _lock_connection(connection)


def _shorten_value(value: str, limit: int = 200) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


_INSERT_COLUMNS = re.compile(r"^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+\S+\s*\(([^)]*)\)", re.I)
_WRITE_TABLE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE)\s+\"?(\w+)\"?", re.I)


def _overlong_parameter(error: BaseException) -> tuple[str, int, str] | None:
    """Which parameter of the failed statement is longer than its column, if one is."""
    from dashboard.infra.models import TRANSLATED_MODELS, Base

    statement = getattr(error, "statement", None) or ""
    match = _WRITE_TABLE.match(statement)
    if match is None or match.group(1) not in Base.metadata.tables:
        return None
    table = Base.metadata.tables[match.group(1)]
    params = getattr(error, "params", None)
    rows = params if isinstance(params, list | tuple) else [params]
    owner = next((m for m in TRANSLATED_MODELS if m.text_model.__table__ is table), None)
    if owner is not None and isinstance(params, tuple) and not isinstance(params[0], tuple):
        rows = [params]  # one row of positional parameters (SQLite)
    names = _INSERT_COLUMNS.search(statement)
    for row in rows:
        if isinstance(row, list | tuple) and names is not None:
            row = dict(zip((n.strip(' "') for n in names.group(1).split(",")), row, strict=False))
        if not isinstance(row, dict):
            continue
        if owner is not None:
            limit = owner.TEXT_LENGTHS.get(str(row.get("field")))
            value = row.get("text")
            if limit is not None and isinstance(value, str) and len(value) > limit:
                table_name = owner.__tablename__  # type: ignore[attr-defined]
                return f"{table_name}.{row['field']}_{row['language']}", limit, value
            continue
        for name, value in row.items():
            column = table.columns.get(name)
            if column is None or not isinstance(value, str):
                continue
            limit = getattr(column.type, "length", None)
            if limit is not None and len(value) > limit:
                return f"{table.name}.{name}", limit, value
    return None
