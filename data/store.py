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
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dashboard.db import session_factory
from dashboard.fiscal import Period
from dashboard.models import (
    DIMENSIONS,
    DIRECTIONS,
    DRAFT,
    PUBLISHED,
    SCALES,
    ImportRun,
    Metric,
    Observation,
    ObservationRevision,
    Target,
    Unit,
    utcnow,
)
from dashboard.normalize import NormalizationError, NormalizationRule, normalize
from dashboard.targets import TargetSpec, targets_in_force
from data.report import ImportReport
from data.values import slugify

#: Metric fields a mapping (or the contacts importer) may set when it creates a metric.
METRIC_DEFINITION_FIELDS = (
    "name_en",
    "name_es",
    "dimension",
    "scale",
    "direction",
    "norm_best",
    "norm_worst",
    "definition_en",
    "definition_es",
    "method_en",
    "method_es",
    "data_source_en",
    "data_source_es",
    "target_setting_en",
    "target_setting_es",
    "is_survey",
)


def check_metric_definition(code: str, definition: dict[str, Any]) -> list[str]:
    """Reasons a metric definition cannot be used (empty when it can)."""
    problems = []
    unknown = sorted(set(definition) - set(METRIC_DEFINITION_FIELDS))
    if unknown:
        problems.append(f"metric {code}: unknown field(s) {', '.join(unknown)}")
    for required in ("name_en", "dimension", "scale"):
        if not definition.get(required):
            problems.append(f"metric {code}: {required} is required")
    if definition.get("dimension") and definition["dimension"] not in DIMENSIONS:
        problems.append(f"metric {code}: dimension must be one of {', '.join(DIMENSIONS)}")
    if definition.get("scale") and definition["scale"] not in SCALES:
        problems.append(f"metric {code}: scale must be one of {', '.join(SCALES)}")
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


UnitKey = int | NewUnit


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

    @property
    def rule(self) -> NormalizationRule:
        return NormalizationRule(self.scale, self.direction, self.norm_best, self.norm_worst)

    def score(self, raw_value: float | None) -> float | None:
        return normalize(raw_value, self.rule)


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
        enterprises = []
        for unit in units:
            self.unit_names[unit.id] = unit.name_en
            self.unit_kinds[unit.id] = unit.kind
            self.slugs.add(unit.slug)
            keys = {_key(k) for k in (unit.slug, unit.code, unit.name_en, unit.name_es) if k}
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

    def _new_unit(self, kind: str, name: str, parent: int | NewUnit | None) -> NewUnit:
        clean = " ".join(name.split())
        identity = (kind, parent, _key(clean))
        if identity not in self.new_units:
            base = slugify(clean)
            slug, counter = base, 2
            while slug in self.slugs:
                slug, counter = f"{base}-{counter}", counter + 1
            self.slugs.add(slug)
            self.new_units[identity] = NewUnit(kind, clean, slug, parent)
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
    text_en: str | None = None
    promise_en: str | None = None
    promise_es: str | None = None


@dataclass
class ObservationRecord:
    """One value ready for the store, with where it came from (for problems)."""

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


@dataclass
class _TargetChange:
    unit: UnitKey
    metric: MetricInfo
    record: TargetRecord
    effective_from: dt.date
    effective_to: dt.date | None
    #: Existing targets to close the day before ``effective_from`` (once this one is public).
    close: list[Target]
    #: An existing target starting the same day that this one replaces in place.
    replace: Target | None = None
    #: An existing draft target with the same content that only needs publishing.
    promote: Target | None = None
    #: The file row that set it (for problems).
    row: int | None = None


@dataclass
class WritePlan:
    inserts: list[ObservationRecord] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    promotions: list[Observation] = field(default_factory=list)
    unchanged: int = 0
    targets: list[_TargetChange] = field(default_factory=list)

    @property
    def work(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.promotions) + len(self.targets)


def plan_writes(
    session: Session,
    records: list[ObservationRecord],
    *,
    publish: bool,
    report: ImportReport,
) -> WritePlan:
    """Compare records with the store (reading only) and decide what each one does."""
    plan = WritePlan()
    existing = _existing_observations(session, records)
    for record in records:
        stored = existing.get(_stored_key(record))
        if stored is None:
            plan.inserts.append(record)
            continue
        new = _record_fields(record)
        public_change = any(not _same(getattr(stored, k), new[k]) for k in _PUBLIC_FIELDS)
        note_change = not _same(stored.internal_note, record.note)
        if not public_change and not note_change:
            plan.unchanged += 1
            if publish and stored.visibility != PUBLISHED:
                plan.promotions.append(stored)
            continue
        is_published = stored.visibility == PUBLISHED
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
    plan.targets = _plan_targets(session, records, publish, report)
    report.targets_created = sum(1 for change in plan.targets if change.promote is None)
    return plan


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


def _spec(target: Target) -> TargetSpec:
    return TargetSpec(
        kind=target.kind,
        value=target.value,
        comparator=target.comparator,
        effective_from=target.effective_from,
        effective_to=target.effective_to,
        text=target.text_en,
        promise=target.promise_en,
    )


def _target_matches(stored: Target | _TargetChange, wanted: TargetRecord) -> bool:
    """Whether the target in force already says what the file says (fields it gives)."""
    current = stored.record if isinstance(stored, _TargetChange) else stored
    if current.kind != wanted.kind or current.comparator != wanted.comparator:
        return False
    if not _same(current.value, wanted.value):
        return False
    for name in ("text_en", "promise_en", "promise_es"):
        given = getattr(wanted, name)
        if given is not None and given != getattr(current, name):
            return False
    return True


def _plan_targets(
    session: Session, records: list[ObservationRecord], publish: bool, report: ImportReport
) -> list[_TargetChange]:
    """New targets where a file's target differs from the one in force for the period.

    Records are taken in period order, so a service standard repeated on every quarter
    creates one target, and a raised standard creates a second from the quarter it changes.
    """
    with_targets = [r for r in records if r.target is not None]
    if not with_targets:
        return []
    pairs: dict[tuple[Any, str], list[ObservationRecord]] = defaultdict(list)
    for record in with_targets:
        pairs[(record.unit, record.metric.code)].append(record)
    stored_by_pair: dict[tuple[int, int], list[Target]] = defaultdict(list)
    unit_ids = {r.unit for r in with_targets if isinstance(r.unit, int)}
    metric_ids = {r.metric.id for r in with_targets if r.metric.id is not None}
    if unit_ids and metric_ids:
        statement = select(Target).where(
            Target.unit_id.in_(sorted(unit_ids)), Target.metric_id.in_(sorted(metric_ids))
        )
        for target in session.scalars(statement):
            stored_by_pair[(target.unit_id, target.metric_id)].append(target)

    changes: list[_TargetChange] = []
    for pair_records in pairs.values():
        first = pair_records[0]
        stored: list[Target] = []
        if isinstance(first.unit, int) and first.metric.id is not None:
            stored = stored_by_pair.get((first.unit, first.metric.id), [])
        planned: list[_TargetChange] = []
        for record in sorted(pair_records, key=lambda r: r.period.start):
            assert record.target is not None
            candidates: list[tuple[TargetSpec, Target | _TargetChange]] = [
                (_spec(t), t) for t in stored
            ] + [
                (
                    TargetSpec(
                        kind=p.record.kind,
                        value=p.record.value,
                        comparator=p.record.comparator,
                        effective_from=p.effective_from,
                        effective_to=p.effective_to,
                    ),
                    p,
                )
                for p in planned
            ]
            specs = [spec for spec, _ in candidates]
            in_force = targets_in_force(specs, record.period.start, record.period.end)
            current = next((obj for spec, obj in candidates if spec is in_force), None)
            if current is not None and _target_matches(current, record.target):
                if (
                    publish
                    and isinstance(current, Target)
                    and current.visibility != PUBLISHED
                    and not any(p.promote is current for p in planned)
                ):
                    change = _TargetChange(
                        record.unit,
                        record.metric,
                        record.target,
                        current.effective_from,
                        current.effective_to,
                        close=_targets_to_close(stored, planned, current.effective_from),
                        promote=current,
                    )
                    planned.append(change)
                continue
            start = record.period.start
            clash = next((p for p in planned if p.effective_from == start), None)
            if clash is not None and clash.promote is None:
                # Two rows of the file (segments of one period) disagree about the target.
                report.problem(
                    record.row,
                    record.target_column,
                    _show(record.target.value) if record.target.value is not None else None,
                    f"row {clash.row} gives a different target for this unit, metric and "
                    "period; a target applies to the unit and metric, whatever the segment",
                )
                continue
            later = [t.effective_from for t in stored if t.effective_from > start] + [
                p.effective_from for p in planned if p.effective_from > start
            ]
            end = min(later) - dt.timedelta(days=1) if later else None
            target = record.target
            if current is not None:
                # Fields the file leaves out (a promise) carry over from the target replaced.
                source = current.record if isinstance(current, _TargetChange) else current
                target.text_en = target.text_en or source.text_en
                target.promise_en = target.promise_en or source.promise_en
                target.promise_es = target.promise_es or source.promise_es
            for earlier in planned:
                # A target this import adds ends where the next one it adds begins.
                if earlier.effective_from < start and (
                    earlier.effective_to is None or earlier.effective_to >= start
                ):
                    earlier.effective_to = start - dt.timedelta(days=1)
            same_day = next((t for t in stored if t.effective_from == start), None)
            planned.append(
                _TargetChange(
                    record.unit,
                    record.metric,
                    target,
                    start,
                    end,
                    close=_targets_to_close(stored, planned, start),
                    replace=same_day,
                    row=record.row,
                )
            )
        changes.extend(planned)
    return changes


def _targets_to_close(
    stored: list[Target], planned: list[_TargetChange], start: dt.date
) -> list[Target]:
    """Stored targets that began before ``start`` and are still open on it."""
    return [
        t
        for t in stored
        if t.effective_from < start and (t.effective_to is None or t.effective_to >= start)
    ]


# -- writing ------------------------------------------------------------------------------


def _write_new_units_and_metrics(session: Session, catalog: Catalog) -> None:
    for unit in catalog.new_units.values():
        _write_unit(session, unit)
    for info in catalog.new_metrics.values():
        definition = dict(info.definition or {})
        definition.setdefault("direction", "higher")
        metric = Metric(code=info.code, **definition)
        session.add(metric)
        session.flush()
        info.id = metric.id


def _write_unit(session: Session, unit: NewUnit) -> int:
    if unit.id is not None:
        return unit.id
    parent_id = unit.parent
    if isinstance(parent_id, NewUnit):
        parent_id = _write_unit(session, parent_id)
    row = Unit(slug=unit.slug, kind=unit.kind, parent_id=parent_id, name_en=unit.name)
    session.add(row)
    session.flush()
    unit.id = row.id
    return row.id


def _unit_id(unit: UnitKey) -> int:
    if isinstance(unit, NewUnit):
        assert unit.id is not None, "new units are written before observations"
        return unit.id
    return unit


def apply_writes(
    session: Session,
    plan: WritePlan,
    catalog: Catalog,
    run: ImportRun,
    *,
    publish: bool,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the plan in the caller's transaction; ``progress(n)`` reports n more rows done."""
    _write_new_units_and_metrics(session, catalog)
    visibility = PUBLISHED if publish else DRAFT
    published_at = now if publish else None

    chunk = 5000
    for start in range(0, len(plan.inserts), chunk):
        batch = plan.inserts[start : start + chunk]
        session.execute(
            insert(Observation),
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
                ObservationRevision(
                    observation_id=stored.id,
                    raw_value=stored.raw_value,
                    numerator=stored.numerator,
                    denominator=stored.denominator,
                    score=stored.score,
                    revised_at=now,
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

    for change in plan.targets:
        _apply_target(session, change, run, publish)
        if progress:
            progress(1)
    session.flush()


def _apply_target(session: Session, change: _TargetChange, run: ImportRun, publish: bool) -> None:
    visibility = PUBLISHED if publish else DRAFT
    if publish:
        # Only a public target ends the one before it; a draft must not change what the
        # public sees.
        for earlier in change.close:
            earlier.effective_to = change.effective_from - dt.timedelta(days=1)
    if change.promote is not None:
        change.promote.visibility = PUBLISHED
        return
    record = change.record
    fields = {
        "kind": record.kind,
        "value": record.value,
        "comparator": record.comparator,
        "text_en": record.text_en,
        "promise_en": record.promise_en,
        "promise_es": record.promise_es,
        "visibility": visibility,
        "import_id": run.id,
    }
    if change.replace is not None and (publish or change.replace.visibility == DRAFT):
        for name, value in fields.items():
            setattr(change.replace, name, value)
        return
    session.add(
        Target(
            unit_id=_unit_id(change.unit),
            metric_id=change.metric.id,
            effective_from=change.effective_from,
            effective_to=change.effective_to,
            **fields,
        )
    )


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
) -> None:
    """Plan, then write everything in ``session``'s one transaction, or nothing at all.

    Nothing is written when the report already has problems, when planning finds one (a
    published value changed without ``publish``), or for a dry run. A failed run is then
    recorded in its own transaction by :func:`record_failure`.
    """
    try:
        if report.problems:
            session.rollback()
            record_failure(database_url, report, mapping_record)
            return
        plan = plan_writes(session, records, publish=report.publish, report=report)
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
        )
        session.add(run)
        session.flush()
        apply_writes(session, plan, catalog, run, publish=report.publish, now=now, progress=advance)
        run.rows_inserted = report.inserted
        run.rows_revised = report.revised
        run.rows_unchanged = report.unchanged
        run.message = _summary(report)
        run.finished_at = utcnow()
        session.commit()
        report.import_id = run.id
    except BaseException:
        session.rollback()
        raise


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
    if len(report.problems) > 50:
        shown += f"\n... and {len(report.problems) - 50} more"
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
            message=f"{len(report.problems)} problem(s); nothing was written.\n{shown}",
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
