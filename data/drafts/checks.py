"""Checking what a workspace form sent, before anything is written: plain functions of the
values and of a :class:`Scope` (what the agency has), no database.

Every problem names the form field (``hours.mon`` for one weekday), the language of a
translated field, the value as sent and a reason a person can act on. A unit, metric,
contact point or row that is not the agency's is "not found", exactly like one that does not
exist: the answer never tells one agency what another has.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from dashboard.core.languages import LANGUAGE_CODE, not_configured
from dashboard.infra.models import ACTION_STATUSES, CHANNELS, COMPARATORS, TARGET_KINDS
from data.content.parsing import (
    WEEKDAYS,
    parse_action_status,
    parse_codes,
    parse_contact_value,
    parse_day_hours,
    parse_int,
    parse_languages,
    parse_web_link,
)
from data.drafts.forms import FORM_FIELDS, WEEKDAY_NAMES, WHAT, FieldSpec
from data.values import describe_scale, parse_date, parse_scaled_value

NOT_FOUND = "not found"
#: Characters no text may hold: PostgreSQL refuses NUL, and none of them is typed on purpose.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_COMPARATOR_SYMBOLS = {"≥": ">=", "≤": "<=", "=>": ">=", "=<": "<=", "==": "="}


@dataclass(frozen=True)
class FieldProblem:
    """Why a value cannot be saved: ``field`` (None: the row itself), ``language`` for a
    translated field, the ``value`` as sent."""

    field: str | None
    language: str | None
    value: Any
    reason: str


@dataclass(frozen=True)
class MetricRef:
    id: int
    code: str
    scale: str
    direction: str
    name: str = ""


@dataclass(frozen=True)
class RowRef:
    """A stored row of the kind being edited, of one of the agency's units."""

    id: int
    unit_id: int
    code: str | None
    published: bool
    replaces_id: int | None = None
    #: Targets: the metric's code, the start, and whether a correction made it history.
    metric_code: str | None = None
    effective_from: dt.date | None = None
    superseded: bool = False


@dataclass
class Scope:
    """What one agency has, as the checks need it (:func:`data.drafts.store.load_scope`)."""

    agency_id: int
    #: The agency's units: id -> name.
    units: dict[int, str]
    #: Metrics an action may address / a target may be set for, by code.
    metrics: dict[str, MetricRef] = field(default_factory=dict)
    target_metrics: dict[str, MetricRef] = field(default_factory=dict)
    #: The agency's contact points (not draft changes): id -> unit id.
    contact_points: dict[int, int] = field(default_factory=dict)
    #: The rows of the kind being edited, by id.
    rows: dict[int, RowRef] = field(default_factory=dict)

    def code_owner(self, unit_id: int, code: str) -> int | None:
        for row in self.rows.values():
            if row.unit_id == unit_id and row.code == code:
                return row.id
        return None


@dataclass
class Checked:
    """Clean values by form field (translated: ``{language: text or None}`` for every
    language), the problems, and the stored row being edited (None for a new one)."""

    values: dict[str, Any]
    problems: list[FieldProblem]
    row: RowRef | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class _Problems:
    def __init__(self) -> None:
        self.found: list[FieldProblem] = []

    def add(self, name: str | None, value: Any, reason: str, language: str | None = None) -> None:
        self.found.append(FieldProblem(name, language, value, reason))


# -- single values --------------------------------------------------------------------------


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean_text(
    raw: Any,
    spec: FieldSpec,
    problems: _Problems,
    language: str | None = None,
) -> str | None:
    """Text with surrounding spaces removed (None when empty), checked for length and for
    characters nobody types."""
    if _blank(raw):
        return None
    if not isinstance(raw, str):
        problems.add(spec.name, raw, "not text", language)
        return None
    text = raw.strip()
    if spec.kind not in ("textarea",):
        text = " ".join(text.split()) if "\n" in text or "\r" in text else text
    if _CONTROL.search(text):
        problems.add(spec.name, raw, "contains a control character; retype the text", language)
        return None
    if spec.max_length is not None and len(text) > spec.max_length:
        problems.add(
            spec.name,
            raw,
            f"too long: {len(text)} characters, at most {spec.max_length} are allowed",
            language,
        )
        return None
    return text


def clean_date(raw: Any, spec: FieldSpec, problems: _Problems) -> dt.date | None:
    if _blank(raw):
        if spec.required:
            problems.add(spec.name, raw, "required")
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        problems.add(spec.name, raw, "not a date; write it as 2024-03-31")
        return None
    try:
        return parse_date(raw)
    except ValueError as error:
        problems.add(spec.name, raw, str(error).replace(" (or set date_format in the mapping)", ""))
        return None


def clean_https(raw: Any, spec: FieldSpec, problems: _Problems) -> str | None:
    """An https:// address with a host (no javascript:, no plain http)."""
    text = clean_text(raw, spec, problems)
    if text is None:
        return None
    try:
        link = parse_web_link(text)
    except ValueError as error:
        problems.add(spec.name, raw, str(error))
        return None
    if urlsplit(link).scheme.lower() != "https":
        problems.add(spec.name, raw, "only https:// addresses are accepted")
        return None
    return link


def clean_choice(raw: Any, spec: FieldSpec, problems: _Problems) -> str | None:
    if _blank(raw):
        if spec.required:
            problems.add(spec.name, raw, "required; choose one")
        return None
    allowed = [value for value, _ in spec.choices]
    if not isinstance(raw, str) or raw.strip() not in allowed:
        problems.add(spec.name, raw, f"not one of the choices ({', '.join(allowed)})")
        return None
    return raw.strip()


def clean_id(raw: Any) -> int | None:
    """An id as a select sends it (text or a number); None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"\s*\d{1,18}\s*", raw):
        return int(raw)
    return None


def clean_translated(
    raw: Any, spec: FieldSpec, problems: _Problems, languages: Sequence[str]
) -> dict[str, str | None]:
    """``{language: text}`` for every language of ``languages``; the required text must be
    there in the default (first) language. A plain text counts as the default language's."""
    texts: dict[str, str | None] = dict.fromkeys(languages)
    if _blank(raw):
        given: Mapping[str, Any] = {}
    elif isinstance(raw, str):
        given = {languages[0]: raw}
    elif isinstance(raw, Mapping):
        given = raw
    else:
        problems.add(spec.name, raw, "not text by language")
        given = {}
    for language, text in given.items():
        if language not in texts:
            if _blank(text):
                continue
            code = str(language)
            shown = code if LANGUAGE_CODE.match(code) else repr(code)
            problems.add(spec.name, text, not_configured(shown, "leave it out"), code)
            continue
        texts[language] = clean_text(text, spec, problems, language)
    if (
        spec.required
        and texts[languages[0]] is None
        and not _reported(problems, spec.name, languages[0])
    ):
        problems.add(
            spec.name, given.get(languages[0]), "required in the default language", languages[0]
        )
    return texts


def _reported(problems: _Problems, name: str, language: str | None = None) -> bool:
    """Whether ``name`` (in ``language``) already has a problem: one reason per value."""
    return any(
        problem.field == name and problem.language in (None, language) for problem in problems.found
    )


# -- hours ----------------------------------------------------------------------------------


def hours_to_form(hours: Mapping[str, Any] | None) -> dict[str, str]:
    """Stored hours (``{"mon": [["09:00", "16:30"]], "sun": []}``) as the form shows them:
    ``{"mon": "09:00-16:30", ..., "sun": "closed"}``, "" for a day not known."""
    shown = dict.fromkeys(WEEKDAYS, "")
    for day in WEEKDAYS:
        if hours is None or day not in hours:
            continue
        periods = hours[day]
        shown[day] = ", ".join(f"{a}-{b}" for a, b in periods) if periods else "closed"
    return shown


def clean_hours(
    raw: Any, spec: FieldSpec, problems: _Problems
) -> dict[str, list[list[str]]] | None:
    """The weekly schedule as ``ContactPoint.hours`` stores it (the importer's shape), or
    None when no day is known. A day is text ("09:00-12:00, 13:00-16:30", "closed", "") or
    a list of [opens, closes] pairs."""
    if _blank(raw):
        return None
    if not isinstance(raw, Mapping):
        problems.add(spec.name, raw, "not hours by weekday")
        return None
    hours: dict[str, list[list[str]]] = {}
    for day, value in raw.items():
        name = f"{spec.name}.{day}"
        if day not in WEEKDAYS:
            problems.add(name, value, f"not a weekday; use {', '.join(WEEKDAYS)}")
            continue
        if isinstance(value, list | tuple):
            try:
                value = ", ".join(f"{pair[0]}-{pair[1]}" for pair in value) if value else "closed"
            except (IndexError, KeyError, TypeError):
                problems.add(name, value, "not opening periods")
                continue
        if value is None:
            continue
        if not isinstance(value, str):
            problems.add(name, value, "not text")
            continue
        try:
            periods = parse_day_hours(value)
        except ValueError as error:
            problems.add(name, value, f"{WEEKDAY_NAMES[day]}: {error}")
            continue
        if periods is not None:
            hours[day] = periods
    ordered = {day: hours[day] for day in WEEKDAYS if day in hours}
    return ordered or None


# -- the forms ------------------------------------------------------------------------------


def check_values(
    kind: str,
    values: Mapping[str, Any],
    scope: Scope,
    *,
    row_id: int | None,
    languages: Sequence[str],
) -> Checked:
    """Every field of ``kind``'s form checked; keys that are no field are ignored."""
    if kind not in FORM_FIELDS:
        raise ValueError(f"unknown kind of content {kind!r}")
    if not languages:
        raise ValueError("at least one language is needed")
    problems = _Problems()
    row: RowRef | None = None
    if row_id is not None:
        row = scope.rows.get(row_id) if clean_id(row_id) is not None else None
        if row is None:
            problems.add("id", row_id, NOT_FOUND)
            return Checked({}, problems.found)
        if row.superseded:
            problems.add(
                "id", row_id, "this target was corrected and is kept as history; it cannot change"
            )
            return Checked({}, problems.found, row)

    clean: dict[str, Any] = {}
    for spec in FORM_FIELDS[kind]:
        raw = values.get(spec.name)
        if spec.translated:
            clean[spec.name] = clean_translated(raw, spec, problems, languages)
        elif spec.kind == "unit":
            unit_id = clean_id(raw)
            if _blank(raw):
                problems.add(spec.name, raw, "required; choose the agency or one of its services")
            elif unit_id is None or unit_id not in scope.units:
                problems.add(spec.name, raw, NOT_FOUND)
            clean[spec.name] = unit_id if unit_id in scope.units else None
        elif spec.kind == "date":
            clean[spec.name] = clean_date(raw, spec, problems)
        elif spec.kind == "url":
            clean[spec.name] = clean_https(raw, spec, problems)
        elif spec.kind == "hours":
            clean[spec.name] = clean_hours(raw, spec, problems)
        elif spec.kind == "select" and spec.choices:
            clean[spec.name] = _choice(kind, spec, raw, problems)
        elif spec.kind in ("text", "textarea"):
            clean[spec.name] = clean_text(raw, spec, problems)
        else:
            clean[spec.name] = raw  # checked by the kind below
    _CHECKS[kind](clean, values, scope, problems, row, languages)
    if row is not None and clean.get("unit_id") is not None:
        _check_same_unit(kind, clean, scope, problems, row)
    return Checked(clean, problems.found, row)


def _choice(kind: str, spec: FieldSpec, raw: Any, problems: _Problems) -> str | None:
    # Words people write for a status or comparator are accepted, as files may write them.
    if kind == "actions" and spec.name == "status" and isinstance(raw, str) and raw.strip():
        try:
            return parse_action_status(raw)
        except ValueError as error:
            problems.add(spec.name, raw, str(error))
            return None
    if spec.name == "comparator" and isinstance(raw, str):
        raw = _COMPARATOR_SYMBOLS.get(raw.strip(), raw.strip())
    if spec.name == "channel" and isinstance(raw, str):
        raw = raw.strip()
    return clean_choice(raw, spec, problems)


def _check_same_unit(
    kind: str, clean: dict[str, Any], scope: Scope, problems: _Problems, row: RowRef
) -> None:
    """A published row (or its draft change) stays with its unit."""
    published = row.published or row.replaces_id is not None
    if published and clean["unit_id"] != row.unit_id:
        problems.add(
            "unit_id",
            clean["unit_id"],
            f"a published {WHAT[kind]} stays with its unit; add a new one for the other unit",
        )


def _check_code(
    kind: str, clean: dict[str, Any], scope: Scope, problems: _Problems, row: RowRef | None
) -> None:
    code = clean.get("code")
    unit_id = clean.get("unit_id")
    published = None
    if row is not None and row.published:
        published = row
    elif row is not None and row.replaces_id is not None:
        published = scope.rows.get(row.replaces_id)
    if published is not None:
        if code is not None and code != published.code:
            problems.add(
                "code",
                code,
                f"the identifier of a published {WHAT[kind]} cannot change "
                f"(it is {published.code!r})",
            )
        return
    if code is None or unit_id is None:
        return
    owner = scope.code_owner(unit_id, code)
    if owner is not None and (row is None or owner != row.id):
        problems.add(
            "code", code, f"another {WHAT[kind]} of this unit has this identifier; choose another"
        )


def _check_action(
    clean: dict[str, Any],
    values: Mapping[str, Any],
    scope: Scope,
    problems: _Problems,
    row: RowRef | None,
    languages: Sequence[str],
) -> None:
    status, started, completed = clean["status"], clean["started_on"], clean["completed_on"]
    raw_completed = values.get("completed_on")
    if status == "completed" and completed is None and _blank(raw_completed):
        problems.add("completed_on", raw_completed, "required when the status is completed")
    if status in ("planned", "in_progress") and completed is not None:
        problems.add(
            "completed_on",
            raw_completed,
            "only a completed action has a completion date (the status is "
            f"{status.replace('_', ' ')}); leave it empty",
        )
    if started is not None and completed is not None and completed < started:
        problems.add(
            "completed_on", raw_completed, f"comes before the start ({started.isoformat()})"
        )
    raw = values.get("metrics")
    codes: list[str] = []
    if isinstance(raw, str):
        given = parse_codes(raw)
    elif isinstance(raw, list | tuple):
        given = [str(code).strip() for code in raw if isinstance(code, str) and code.strip()]
        if len(given) != len([code for code in raw if not _blank(code)]):
            problems.add("metrics", raw, "not a list of metric codes")
    elif _blank(raw):
        given = []
    else:
        problems.add("metrics", raw, "not a list of metric codes")
        given = []
    for code in given:
        if code not in scope.metrics:
            problems.add("metrics", code, f"{NOT_FOUND}: no metric has this code")
        elif code not in codes:
            codes.append(code)
    clean["metrics"] = codes
    assert ACTION_STATUSES
    _check_code("actions", clean, scope, problems, row)


def _check_contact_point(
    clean: dict[str, Any],
    values: Mapping[str, Any],
    scope: Scope,
    problems: _Problems,
    row: RowRef | None,
    languages: Sequence[str],
) -> None:
    channel = clean["channel"]
    assert channel is None or channel in CHANNELS
    if clean["value"] is not None and channel is not None:
        try:
            clean["value"] = parse_contact_value(channel, clean["value"])
        except ValueError as error:
            problems.add("value", values.get("value"), str(error))
    if clean["languages"] is not None:
        try:
            clean["languages"] = parse_languages(clean["languages"])
        except ValueError as error:
            problems.add("languages", values.get("languages"), str(error))
    raw = values.get("sort_order")
    clean["sort_order"] = None
    if isinstance(raw, bool) or not (_blank(raw) or isinstance(raw, int | float | str)):
        problems.add("sort_order", raw, "not a whole number")
    elif isinstance(raw, int):
        clean["sort_order"] = raw
    elif not _blank(raw):
        try:
            number = parse_int(str(raw))
        except ValueError as error:
            problems.add("sort_order", raw, str(error))
        else:
            if abs(number) > 1_000_000:
                problems.add("sort_order", raw, "too large; use a number below 1,000,000")
            else:
                clean["sort_order"] = number
    _check_code("contact_points", clean, scope, problems, row)


def _check_closure(
    clean: dict[str, Any],
    values: Mapping[str, Any],
    scope: Scope,
    problems: _Problems,
    row: RowRef | None,
    languages: Sequence[str],
) -> None:
    starts, ends = clean["starts_on"], clean["ends_on"]
    if starts is not None and ends is not None and ends < starts:
        problems.add(
            "ends_on", values.get("ends_on"), f"comes before the first day ({starts.isoformat()})"
        )
    raw = values.get("contact_point_id")
    clean["contact_point_id"] = None
    if not _blank(raw):
        point_id = clean_id(raw)
        unit_id = clean["unit_id"]
        if point_id is None or point_id not in scope.contact_points:
            problems.add("contact_point_id", raw, NOT_FOUND)
        elif unit_id is not None and scope.contact_points[point_id] != unit_id:
            problems.add(
                "contact_point_id",
                raw,
                "this contact point belongs to another unit; choose one of "
                f"{scope.units[unit_id]}'s",
            )
        else:
            clean["contact_point_id"] = point_id
    _check_code("closures", clean, scope, problems, row)


def _check_target(
    clean: dict[str, Any],
    values: Mapping[str, Any],
    scope: Scope,
    problems: _Problems,
    row: RowRef | None,
    languages: Sequence[str],
) -> None:
    raw_metric = values.get("metric")
    metric = None
    if _blank(raw_metric):
        problems.add("metric", raw_metric, "required; choose a metric")
    elif not isinstance(raw_metric, str) or raw_metric.strip() not in scope.target_metrics:
        problems.add("metric", raw_metric, NOT_FOUND)
    else:
        metric = scope.target_metrics[raw_metric.strip()]
    clean["metric"] = metric.code if metric else None
    kind = clean["kind"] or "numeric"
    assert kind in TARGET_KINDS
    clean["kind"] = kind
    if clean["comparator"] is None and metric is not None:
        clean["comparator"] = ">=" if metric.direction == "higher" else "<="
    assert clean["comparator"] is None or clean["comparator"] in COMPARATORS

    raw_value = values.get("value")
    clean["value"] = None
    if kind == "numeric" and _blank(raw_value):
        problems.add("value", raw_value, "a target value is required for a value to reach")
    elif kind != "numeric" and not _blank(raw_value):
        problems.add("value", raw_value, "this kind of target has no value; leave it empty")
    elif not _blank(raw_value):
        clean["value"] = _target_value(raw_value, metric, problems)

    if (
        kind == "text"
        and clean["text"][languages[0]] is None
        and not _reported(problems, "text", languages[0])
    ):
        problems.add(
            "text", None, "a target in words needs its text in the default language", languages[0]
        )
    starts, ends = clean["effective_from"], clean["effective_to"]
    if starts is not None and ends is not None and ends < starts:
        problems.add(
            "effective_to",
            values.get("effective_to"),
            f"ends before it starts ({starts.isoformat()})",
        )
    if row is not None and row.published and metric is not None:
        for name, before, after in (
            ("metric", row.metric_code, metric.code),
            ("effective_from", row.effective_from, starts),
        ):
            if after is not None and before != after:
                problems.add(
                    name,
                    values.get(name),
                    "a change of a published target keeps its metric and start; add a new "
                    "target for another metric or start",
                )
    if (
        row is not None
        and not row.published
        and metric is not None
        and starts is not None
        and clean["unit_id"] is not None
    ):
        for other in scope.rows.values():
            if (
                other.id != row.id
                and not other.published
                and other.unit_id == clean["unit_id"]
                and other.metric_code == metric.code
                and other.effective_from == starts
            ):
                problems.add(
                    "effective_from",
                    values.get("effective_from"),
                    "another draft target of this unit and metric starts on this day; edit "
                    "that draft or choose another day",
                )


def _target_value(raw: Any, metric: MetricRef | None, problems: _Problems) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        problems.add("value", raw, "not a number")
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        problems.add("value", raw, "not a finite number")
        return None
    text = raw if isinstance(raw, str) else repr(raw)
    if metric is None:
        return None
    try:
        return parse_scaled_value(text, metric.scale)
    except ValueError as error:
        problems.add("value", raw, f"{error} (the metric is a {describe_scale(metric.scale)})")
        return None


_CHECKS = {
    "actions": _check_action,
    "contact_points": _check_contact_point,
    "closures": _check_closure,
    "targets": _check_target,
}
