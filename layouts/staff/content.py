"""Actions, contact points, closures and targets: a table of rows and an edit form in a modal.

The form is rendered from ``data.drafts.FORM_FIELDS``: one input per field, and one per
configured language for a translated field ("Title (English)", "Title (Español)"). A field's
problems are shown beside it (``invalid-feedback``), tied to the input by
``aria-describedby`` (assets/staff/staff.js links ``data-describes`` elements to their input:
Dash's inputs take no ``aria-*`` attributes), and summed up above the form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.core.i18n import language_name
from layouts.staff.shell import table

FIELD = "content-field"
#: A select's "no choice" (dbc.Select keeps "" for its placeholder option); read back as "".
NONE = "none"
HOURS = "content-hours"
WEEKDAYS = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
)
#: The URL kind of each data kind.
URL_KIND = {
    "actions": "actions",
    "contact_points": "contact-points",
    "closures": "closures",
    "targets": "targets",
}
WHAT = {
    "actions": "action",
    "contact_points": "contact point",
    "closures": "closure",
    "targets": "target",
}
#: The column that names a row, per kind.
NAME_FIELD = {
    "actions": "title",
    "contact_points": "label",
    "closures": "reason",
    "targets": "text",
}


def field_id(name: str, language: str = "") -> dict[str, str]:
    return {"type": FIELD, "name": name, "language": language}


def dom_id(component_id: Mapping[str, str]) -> str:
    """The id Dash gives a pattern-matching component in the page (keys sorted, compact JSON)."""
    return json.dumps(dict(component_id), sort_keys=True, separators=(",", ":"))


def _slug(name: str, language: str) -> str:
    return f"field-{name}-{language or 'any'}"


def layout(
    *,
    title: str,
    kind: str,
    agencies: Sequence[tuple[str, str]],
    agency_slug: str,
    rows: Sequence[Mapping[str, Any]],
) -> list:
    """The page: agency switch, the rows' table, "New", and the (closed) form modal."""
    url_kind = URL_KIND[kind]
    return [
        html.H1(title),
        html.Form(
            [
                dbc.Label("Agency", html_for="content-agency", className="me-2 mb-0"),
                dbc.Select(
                    id="content-agency",
                    options=[{"label": name, "value": slug} for slug, name in agencies],
                    value=agency_slug,
                    className="w-auto mw-100",
                    name="agency",
                ),
                dbc.Button("Show", type="submit", color="secondary", outline=True, size="sm"),
            ],
            method="GET",
            action=f"/staff/content/{url_kind}",
            className="d-flex flex-wrap align-items-center gap-2 mb-3",
        ),
        html.P(
            "Every change is saved as a draft: the public sees it only once a publisher "
            "publishes the agency's drafts.",
        ),
        dbc.Button(
            f"New {WHAT[kind]}", id="content-new", color="primary", n_clicks=0, className="mb-3"
        ),
        html.Div(rows_table(kind, rows), id="content-rows"),
        dcc.Store(id="content-context", data={"kind": kind, "agency": agency_slug}),
        dcc.Store(id="content-editing"),
        dbc.Modal(
            [
                dbc.ModalHeader(dbc.ModalTitle(f"New {WHAT[kind]}", id="content-modal-title")),
                dbc.ModalBody(html.Div(id="content-form")),
                dbc.ModalFooter(
                    [
                        dbc.Button("Save draft", id="content-save", color="primary", n_clicks=0),
                        dbc.Button(
                            "Cancel",
                            id="content-cancel",
                            color="secondary",
                            outline=True,
                            n_clicks=0,
                        ),
                    ]
                ),
            ],
            id="content-modal",
            is_open=False,
            size="xl",
            scrollable=True,
            labelledby="content-modal-title",
            keyboard=True,
        ),
    ]


def _text(value: Any, language: str = "en") -> str:
    if isinstance(value, Mapping):
        return str(value.get(language) or next((v for v in value.values() if v), "") or "")
    return "" if value is None else str(value)


def _dates(kind: str, row: Mapping[str, Any]) -> str:
    first, last = {
        "actions": ("started_on", "completed_on"),
        "contact_points": ("channel", "value"),
        "closures": ("starts_on", "ends_on"),
        "targets": ("effective_from", "effective_to"),
    }[kind]
    start, end = _text(row.get(first)), _text(row.get(last))
    if kind == "contact_points":
        return " ".join(part for part in (start, end) if part)
    return f"{start} to {end}" if end else (f"from {start}" if start else "")


def rows_table(kind: str, rows: Sequence[Mapping[str, Any]]) -> Any:
    """The rows: state, unit, name, dates, author, and Edit / Discard buttons."""
    shown = []
    for row in rows:
        row_id = row.get("id")
        state = str(row.get("state") or "")
        name = _text(row.get(NAME_FIELD[kind])) or _text(row.get("metric"))
        buttons: list[Any] = []
        if state != "published, with a draft change":  # its draft is the row to edit
            buttons.append(
                dbc.Button(
                    "Edit",
                    id={"type": "content-edit", "row": str(row_id)},
                    size="sm",
                    color="primary",
                    outline=True,
                    n_clicks=0,
                    title=f"Edit: {name}",
                )
            )
        if state.startswith("draft"):
            buttons.append(
                dbc.Button(
                    "Discard draft",
                    id={"type": "content-discard", "row": str(row_id)},
                    size="sm",
                    color="danger",
                    outline=True,
                    n_clicks=0,
                    title=f"Discard the draft: {name}",
                )
            )
        shown.append(
            {
                "state": state[:1].upper() + state[1:],
                "unit": row.get("unit") or "",
                "name": name,
                "dates": _dates(kind, row),
                "author": row.get("author") or "",
                "do": html.Div(buttons, className="d-flex flex-wrap gap-1"),
            }
        )
    name_label = {
        "actions": "Title",
        "contact_points": "Label",
        "closures": "Reason",
        "targets": "Target",
    }
    dates_label = {
        "actions": "Started, completed",
        "contact_points": "Channel",
        "closures": "Closed",
        "targets": "In force",
    }
    return table(
        (
            ("state", "State"),
            ("unit", "Agency or service"),
            ("name", name_label[kind]),
            ("dates", dates_label[kind]),
            ("author", "Last changed by"),
            ("do", "Change"),
        ),
        shown,
        caption=f"{len(shown)} {WHAT[kind]}(s)",
        empty=f"No {WHAT[kind]}s yet: add one with the button above.",
        table_id="content-table",
    )


def form(
    *,
    kind: str,
    specs: Sequence[Any],
    choices: Mapping[str, Sequence[tuple[str, str]]],
    values: Mapping[str, Any],
    languages: Sequence[str],
    problems: Sequence[Mapping[str, Any]] = (),
    summary: str | None = None,
) -> list:
    """The fields of ``kind``'s form (``specs``: FieldSpec), filled with ``values``; problems
    (field, language, reason) beside their fields and summed up at the top."""
    by_field: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        key = (str(problem.get("field") or ""), str(problem.get("language") or ""))
        by_field.setdefault(key, []).append(str(problem.get("reason") or ""))
    parts: list[Any] = []
    if problems or summary:
        parts.append(
            dbc.Alert(
                [
                    html.P(summary or "The draft was not saved.", className="mb-1"),
                    html.Ul(
                        [html.Li(_problem_words(problem, specs)) for problem in problems],
                        className="mb-0",
                    )
                    if problems
                    else None,
                ],
                color="danger",
                id="content-form-summary",
            )
        )
    for spec in specs:
        if spec.translated:
            for language in languages:
                parts.append(
                    _field(
                        spec,
                        language,
                        languages[0],
                        choices.get(spec.name, ()),
                        _text_in(values.get(spec.name), language),
                        by_field.get((spec.name, language), [])
                        + (by_field.get((spec.name, ""), []) if language == languages[0] else []),
                    )
                )
        else:
            parts.append(
                _field(
                    spec,
                    "",
                    languages[0],
                    choices.get(spec.name, ()),
                    values.get(spec.name),
                    by_field.get((spec.name, ""), []),
                )
            )
    return parts


def _problem_words(problem: Mapping[str, Any], specs: Sequence[Any]) -> str:
    name = str(problem.get("field") or "")
    spec = next((s for s in specs if s.name == name), None)
    label = spec.label if spec is not None else (name or "Form")
    language = str(problem.get("language") or "")
    if language:
        label = f"{label} ({language_name(language)})"
    return f"{label}: {problem.get('reason')}"


def _text_in(value: Any, language: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(language) or "")
    return ""


def _label(spec: Any, language: str, default_language: str) -> str:
    label = spec.label
    if language:
        label = f"{label} ({language_name(language)})"
    required = spec.required and (not spec.translated or language == default_language)
    return f"{label} (required)" if required else label


def _field(
    spec: Any,
    language: str,
    default_language: str,
    choices: Sequence[tuple[str, str]],
    value: Any,
    reasons: Sequence[str],
) -> html.Div | html.Fieldset:
    component_id = field_id(spec.name, language)
    slug = _slug(spec.name, language)
    invalid = bool(reasons)
    label = _label(spec, language, default_language)
    described = []
    help_part = None
    if spec.help:
        help_part = html.Div(
            spec.help,
            className="form-text",
            id=f"{slug}-help",
            **{"data-describes": dom_id(component_id)},  # type: ignore[arg-type]
        )
        described.append(help_part)
    problem_part = None
    if invalid:
        problem_part = html.Div(
            " ".join(reasons),
            className="invalid-feedback d-block",
            id=f"{slug}-problem",
            **{"data-describes": dom_id(component_id)},  # type: ignore[arg-type]
        )
    lang_attribute = {"lang": language} if language else {}
    if spec.kind == "hours":
        return _hours(spec, value, reasons, slug, label, help_part, problem_part)
    if spec.kind == "metrics":
        selected = [str(v) for v in (value or [])] if isinstance(value, list | tuple) else []
        return html.Fieldset(
            [
                html.Legend(label, className="form-label fs-6"),
                dbc.Checklist(
                    id=component_id,
                    options=[{"label": text, "value": code} for code, text in choices],
                    value=selected,
                    inline=False,
                    class_name="staff-metrics",
                )
                if choices
                else html.P("No measures to choose from.", className="form-text"),
                help_part,
                problem_part,
            ],
            className="mb-3",
        )
    if spec.kind in ("select", "unit"):
        options = [{"label": text, "value": str(v)} for v, text in choices]
        if not spec.required or not options:
            options = [{"label": "(none)", "value": NONE}, *options]
        current = NONE if value in (None, "") else str(value)
        if current not in {option["value"] for option in options}:
            current = options[0]["value"]
        control: Any = dbc.Select(
            id=component_id, options=options, value=current, invalid=invalid, required=spec.required
        )
    elif spec.kind == "textarea":
        control = dbc.Textarea(
            id=component_id,
            value="" if value is None else str(value),
            rows=3,
            maxlength=spec.max_length,
            invalid=invalid,
            **lang_attribute,
        )
    else:
        input_type = {"date": "date", "url": "url", "number": "text"}.get(spec.kind, "text")
        extra: dict[str, Any] = {"inputmode": "decimal"} if spec.kind == "number" else {}
        if spec.max_length:
            extra["maxlength"] = spec.max_length
        control = dbc.Input(
            id=component_id,
            type=input_type,
            value="" if value is None else str(value),
            invalid=invalid,
            **extra,
        )
        if language:
            # A text in another language is marked so (screen readers switch voice).
            control = html.Div(control, lang=language)
    return html.Div(
        [
            dbc.Label(label, html_for=dom_id(component_id)),
            control,
            problem_part,
            help_part,
        ],
        className="mb-3",
    )


def _hours(
    spec: Any,
    value: Any,
    reasons: Sequence[str],
    slug: str,
    label: str,
    help_part: Any,
    problem_part: Any,
) -> html.Fieldset:
    days = value if isinstance(value, Mapping) else {}
    rows = []
    for day, name in WEEKDAYS:
        component_id = {"type": HOURS, "day": day}
        rows.append(
            dbc.Row(
                [
                    dbc.Label(name, html_for=dom_id(component_id), width=3),
                    dbc.Col(
                        dbc.Input(
                            id=component_id,
                            type="text",
                            value=str(days.get(day) or ""),
                            invalid=bool(reasons),
                            placeholder="09:00-16:30",
                        ),
                        width=9,
                    ),
                ],
                className="mb-1",
            )
        )
    return html.Fieldset(
        [html.Legend(label, className="form-label fs-6"), *rows, problem_part, help_part],
        className="mb-3",
        id=f"{slug}-set",
    )
