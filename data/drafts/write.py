"""Saving and discarding workspace drafts (decision D1), in the CALLER's transaction.

- A new row is a draft (``visibility`` draft) whose ``import_id`` names an
  ``ImportRun(kind="workspace", user_id=<author>)``: every save writes a run, so the author
  of a draft is always its last editor.
- Editing a draft updates it in place.
- Editing a published action, contact point or closure writes (or updates) ONE draft copy:
  ``replaces_id`` = the published row, ``code`` NULL (the published row keeps the unit's
  key), every text in every language and the action's metrics copied, then changed. The
  published row is not touched; publication copies the draft onto it and deletes the draft.
  A copy that ends up the same as the published row is removed ("no change").
- Targets and promise texts are draft ``Target`` rows written through
  :class:`data.target_history.TargetLedger` (one draft per unit, metric and start; a draft for
  the start of a published target replaces it on publication).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.infra.models import DRAFT, Closure, ImportRun, Metric, Target, User
from data import audit
from data.agency_scope import units_of_agency
from data.content.parsing import hours_text
from data.drafts.checks import Checked, FieldProblem, Scope, check_values
from data.drafts.forms import FORM_FIELDS, KINDS, TEXT_FIELD_OF, WHAT
from data.drafts.store import MODELS, load_scope
from data.store import MetricInfo, load_target_plans, write_target_plans
from data.target_history import UNCHANGED, TargetContent
from data.values import slugify

#: The plain columns each kind's form writes (besides texts and an action's metrics).
COLUMNS = {
    "actions": (
        "unit_id",
        "code",
        "status",
        "started_on",
        "completed_on",
        "link",
        "internal_note",
    ),
    "contact_points": (
        "unit_id",
        "code",
        "channel",
        "value",
        "address",
        "hours",
        "languages",
        "sort_order",
    ),
    "closures": ("unit_id", "code", "contact_point_id", "starts_on", "ends_on"),
}
#: The translated field that names a row (and its generated code).
_NAMING_TEXT = {"actions": "title", "contact_points": "label", "closures": "reason"}


@dataclass
class DraftResult:
    """What :func:`save_draft` did: ``ok`` and the id of the row that now holds the content
    (the draft; the published row when nothing differs from it), or the problems."""

    ok: bool
    problems: list[FieldProblem] = field(default_factory=list)
    row_id: int | None = None
    summary: str = ""


def save_draft(
    session: Session,
    agency_id: int,
    kind: str,
    values: Mapping[str, Any],
    *,
    row_id: int | None,
    user_id: int,
    now: dt.datetime,
    languages: Sequence[str],
) -> DraftResult:
    """Check ``values`` (``kind``'s form, :data:`data.drafts.forms.FORM_FIELDS`) and save
    them as a draft of ``agency_id``: a new row (``row_id`` None) or a change of the row
    ``row_id``. Nothing is written when there is any problem. The caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of content {kind!r}")
    scope = load_scope(session, agency_id, kind)
    checked = check_values(kind, values, scope, row_id=row_id, languages=languages)
    if checked.problems:
        count = len(checked.problems)
        return DraftResult(
            False,
            checked.problems,
            None,
            f"Nothing saved: {count} problem{'s' if count != 1 else ''} to fix.",
        )
    if kind == "targets":
        return _save_target(session, scope, checked, user_id=user_id, now=now, languages=languages)
    return _save_row(session, scope, kind, checked, user_id=user_id, now=now, languages=languages)


def discard_draft(
    session: Session,
    agency_id: int,
    kind: str,
    row_id: int,
    *,
    user_id: int,
    now: dt.datetime,
) -> bool:
    """Delete the draft ``row_id`` of ``kind`` if it is a draft of ``agency_id``'s units.

    False (nothing changed) for anything else: a published row, another agency's row, an
    unknown id, or a draft contact point that closures still name (discard those first).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of content {kind!r}")
    model = MODELS[kind]
    row = session.get(model, row_id) if isinstance(row_id, int) else None
    if row is None or row.visibility != DRAFT:
        return False
    if row.unit_id not in units_of_agency(session, agency_id):
        return False
    if kind == "contact_points":
        named = session.scalar(
            select(func.count()).select_from(Closure).where(Closure.contact_point_id == row.id)
        )
        if named:
            return False
    subject = _subject(kind, row)
    replaces_id = getattr(row, "replaces_id", None)
    session.delete(row)
    session.flush()
    audit.record(
        session,
        "discard",
        user_id=user_id,
        username=_username(session, user_id),
        agency_id=agency_id,
        subject=subject,
        detail={"kind": kind, "row_id": row_id, "replaces_id": replaces_id},
        now=now,
    )
    return True


# -- actions, contact points, closures -------------------------------------------------------


def _state(kind: str, row: Any) -> dict[str, Any]:
    """A stored row's content as plain values: columns, texts by (field, language), an
    action's metric ids. What is compared and copied."""
    state: dict[str, Any] = {name: getattr(row, name) for name in COLUMNS[kind]}
    state["hours"] = copy.deepcopy(state["hours"]) if "hours" in state else None
    if kind != "contact_points":
        state.pop("hours")
    state["texts"] = {(text.field, text.language): text.text for text in row.texts}
    if kind == "actions":
        state["metrics"] = sorted(metric.id for metric in row.metrics)
    return state


def _public_part(state: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in state.items() if key != "code"}


def _merge(
    kind: str,
    base: dict[str, Any] | None,
    checked: Checked,
    scope: Scope,
    languages: Sequence[str],
) -> dict[str, Any]:
    """The content after the form's values are applied to ``base`` (None for a new row)."""
    clean = checked.values
    state: dict[str, Any] = dict(base) if base else {"texts": {}}
    texts = dict(state["texts"])
    for name in COLUMNS[kind]:
        value = clean.get(name)
        if name in ("code", "sort_order") and value is None and base is not None:
            continue  # left empty: keep the stored identifier and place
        state[name] = value
    for spec in FORM_FIELDS[kind]:
        if not spec.translated:
            continue
        text_field = TEXT_FIELD_OF.get(spec.name, spec.name)
        for language in languages:
            texts[(text_field, language)] = clean[spec.name][language]
    if kind == "contact_points":
        # Hours in words: as written, else from the weekly hours (as the importer writes
        # them); a text that was itself generated follows the hours when they change.
        before = (base or {}).get("hours")
        for language in languages:
            given = texts.get(("hours", language))
            generated_before = hours_text(before, language) if before else None
            if given is None or (
                base is not None
                and given == base["texts"].get(("hours", language))
                and given == generated_before
            ):
                texts[("hours", language)] = (
                    hours_text(state["hours"], language) if state["hours"] else None
                )
    state["texts"] = {key: text for key, text in texts.items() if text is not None}
    if kind == "actions":
        state["metrics"] = sorted(scope.metrics[code].id for code in clean["metrics"])
    return state


def _changed(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Names of what differs: columns, ``<field>_<language>`` texts, ``metrics``."""
    before = before or {"texts": {}}
    names = [
        key
        for key in after
        if key != "texts" and before.get(key) != after.get(key) and not (key == "code" and before)
    ]
    old, new = before["texts"], after["texts"]
    names += sorted(
        f"{text_field}_{language}"
        for text_field, language in set(old) | set(new)
        if old.get((text_field, language)) != new.get((text_field, language))
    )
    return names


def _write_state(session: Session, kind: str, row: Any, state: dict[str, Any]) -> None:
    for name in COLUMNS[kind]:
        if name == "code" and row.replaces_id is not None:
            continue
        setattr(row, name, copy.deepcopy(state[name]))
    wanted = state["texts"]
    for text in list(row.texts):
        if (text.field, text.language) not in wanted:
            row.texts.remove(text)
    for (text_field, language), text in wanted.items():
        row.set_text(text_field, language, text)
    if kind == "actions":
        ids = state["metrics"]
        row.metrics = (
            list(session.scalars(select(Metric).where(Metric.id.in_(ids)).order_by(Metric.id)))
            if ids
            else []
        )


def _new_code(kind: str, scope: Scope, unit_id: int, state: dict[str, Any], lang: str) -> str:
    """An identifier for a new row: its title (label, reason) as a slug, unique in the unit."""
    text = state["texts"].get((_NAMING_TEXT[kind], lang)) or WHAT[kind]
    base = slugify(text)[:70].strip("-") or "item"
    code, number = base, 1
    while scope.code_owner(unit_id, code) is not None:
        number += 1
        code = f"{base}-{number}"
    return code


def _next_sort_order(session: Session, unit_id: int) -> int:
    from dashboard.infra.models import ContactPoint

    highest = session.scalar(
        select(func.max(ContactPoint.sort_order)).where(
            ContactPoint.unit_id == unit_id, ContactPoint.replaces_id.is_(None)
        )
    )
    return 0 if highest is None else highest + 1


def _save_row(
    session: Session,
    scope: Scope,
    kind: str,
    checked: Checked,
    *,
    user_id: int,
    now: dt.datetime,
    languages: Sequence[str],
) -> DraftResult:
    model = MODELS[kind]
    what = WHAT[kind]
    ref = checked.row
    published: Any = None
    target: Any = None
    if ref is not None and ref.published:
        published = session.get(model, ref.id)
        target = session.scalars(
            select(model).where(model.replaces_id == ref.id).order_by(model.id)
        ).first()
    elif ref is not None:
        target = session.get(model, ref.id)
        if ref.replaces_id is not None:
            published = session.get(model, ref.replaces_id)
    base_row = target if target is not None else published
    before = _state(kind, base_row) if base_row is not None else None
    after = _merge(kind, before, checked, scope, languages)

    if published is not None and _public_part(after) == _public_part(_state(kind, published)):
        # The change undoes itself: the published row stays, no draft is kept.
        if target is not None:
            session.delete(target)
            session.flush()
            _audit(session, scope, kind, published, user_id, now, ["draft change removed"])
            return DraftResult(
                True, [], published.id, f"No change from the published {what}: draft removed."
            )
        return DraftResult(True, [], published.id, f"No change from the published {what}.")
    changed = _changed(before, after)
    if target is not None and not changed:
        return DraftResult(True, [], target.id, f"No change: the draft {what} is as saved.")

    if target is None:
        unit_id = after["unit_id"]
        if published is None:
            if after.get("code") is None:
                after["code"] = _new_code(kind, scope, unit_id, after, languages[0])
            if kind == "contact_points" and after.get("sort_order") is None:
                after["sort_order"] = _next_sort_order(session, unit_id)
        target = model(unit_id=unit_id, visibility=DRAFT)
        if published is not None:
            target.replaces_id = published.id
            target.code = None
        session.add(target)
    _write_state(session, kind, target, after)
    session.flush()
    code = published.code if published is not None else target.code
    run = _run(session, kind, code, checked, user_id, now, new=before is None)
    target.import_id = run.id
    session.flush()
    _audit(session, scope, kind, target, user_id, now, changed, code=code)
    if published is not None:
        summary = (
            f"Draft change of the published {what} {code!r} saved; the public sees it once "
            "published."
        )
    elif before is None:
        summary = f"New draft {what} {code!r} saved; the public sees it once published."
    else:
        summary = f"Draft {what} {code!r} saved."
    return DraftResult(True, [], target.id, summary)


# -- targets --------------------------------------------------------------------------------


def _target_texts(stored: Target | None) -> dict[str, str | None]:
    return dict(stored.text_record()) if stored is not None else {}


def _save_target(
    session: Session,
    scope: Scope,
    checked: Checked,
    *,
    user_id: int,
    now: dt.datetime,
    languages: Sequence[str],
) -> DraftResult:
    clean = checked.values
    metric = scope.target_metrics[clean["metric"]]
    unit_id = clean["unit_id"]
    start: dt.date = clean["effective_from"]
    ref = checked.row
    edited = session.get(Target, ref.id) if ref is not None else None
    # Texts of languages the form does not show are kept, as a copy keeps them.
    words = _target_texts(edited)
    for name in ("text", "promise"):
        for language in languages:
            words[f"{name}_{language}"] = clean[name][language]
    content = TargetContent.of(clean["kind"], clean["value"], clean["comparator"], **words)

    info = MetricInfo(metric.code, metric.scale, metric.direction, None, None, id=metric.id)
    plan = load_target_plans(session, [(unit_id, info)])[(unit_id, metric.code)]
    moved = False
    if ref is not None and not ref.published:
        same_key = (ref.unit_id, ref.metric_code, ref.effective_from) == (
            unit_id,
            metric.code,
            start,
        )
        if not same_key:
            # The draft moves to another unit, metric or start: the old draft goes.
            moved = True
            old = next((r for r in plan.ledger.rows if r.stored is edited), None)
            if old is not None:
                old.deleted = True
                old.dirty = True
            elif edited is not None:
                session.delete(edited)
    outcome, written = plan.ledger.draft(content, start, end=clean["effective_to"])
    published = next((r for r in plan.ledger.published() if r.effective_from == start), None)
    if outcome == UNCHANGED and not moved:
        kept = written.stored.id if written is not None and written.stored is not None else None
        return DraftResult(True, [], kept, "No change to the target.")
    label = f"{metric.code} from {start.isoformat()}"
    run = _run(session, "targets", label, checked, user_id, now, new=ref is None)
    write_target_plans(session, [plan], run)
    if written is not None and written.stored is not None and written.visibility == DRAFT:
        written.stored.import_id = run.id
        session.flush()
        row_id: int | None = written.stored.id
        summary = f"Draft target for {label} saved; the public sees it once published."
    else:
        row_id = published.stored.id if published is not None and published.stored else None
        summary = f"The target for {label} is the same as the published one: no draft is kept."
    changed = sorted(
        name
        for name in ("kind", "value", "comparator", "effective_to", *words)
        if edited is None or getattr(edited, name, None) != clean_value(clean, name)
    )
    audit.record(
        session,
        "edit",
        user_id=user_id,
        username=_username(session, user_id),
        agency_id=scope.agency_id,
        subject=f"target {scope.units.get(unit_id, unit_id)}: {label}",
        detail={"kind": "targets", "row_id": row_id, "fields": changed},
        now=now,
    )
    return DraftResult(True, [], row_id, summary)


def clean_value(clean: Mapping[str, Any], name: str) -> Any:
    field_name, _, language = name.rpartition("_")
    if field_name in ("text", "promise"):
        return clean[field_name].get(language)
    return clean.get(name)


# -- shared ---------------------------------------------------------------------------------


def _run(
    session: Session,
    kind: str,
    code: str | None,
    checked: Checked,
    user_id: int,
    now: dt.datetime,
    *,
    new: bool,
) -> ImportRun:
    """The ImportRun a save is recorded as: its ``user_id`` is the draft's author."""
    digest = hashlib.sha256(
        json.dumps(checked.values, default=str, sort_keys=True).encode()
    ).hexdigest()
    run = ImportRun(
        kind="workspace",
        file_name=f"workspace: {WHAT[kind]} {code or ''}".strip()[:500],
        checksum=digest,
        rows_read=1,
        rows_inserted=1 if new else 0,
        rows_revised=0 if new else 1,
        status="succeeded",
        message=f"{'new' if new else 'changed'} draft {WHAT[kind]}",
        started_at=now,
        finished_at=now,
        user_id=user_id,
    )
    session.add(run)
    session.flush()
    return run


def _username(session: Session, user_id: int) -> str | None:
    return session.scalar(select(User.username).where(User.id == user_id))


def _subject(kind: str, row: Any) -> str:
    code = getattr(row, "code", None)
    return f"{WHAT[kind]} {code or '#' + str(row.id)}"


def _audit(
    session: Session,
    scope: Scope,
    kind: str,
    row: Any,
    user_id: int,
    now: dt.datetime,
    changed: list[str],
    *,
    code: str | None = None,
) -> None:
    audit.record(
        session,
        "edit",
        user_id=user_id,
        username=_username(session, user_id),
        agency_id=scope.agency_id,
        subject=f"{WHAT[kind]} {code or row.code or '#' + str(row.id)}",
        detail={
            "kind": kind,
            "row_id": row.id,
            "replaces_id": getattr(row, "replaces_id", None),
            "fields": changed,
        },
        now=now,
    )
