"""What each workspace form asks for, declared once so that the staff pages render every form
the same way (issue 10, part 2): a :class:`FieldSpec` per field, in display order.

Values travel between the pages and :mod:`data.drafts` in one shape, the one
:func:`data.drafts.content_rows` gives back:

- a plain field: its text (dates ``2024-01-15``, numbers as text or numbers);
- a ``translated`` field: ``{"en": "...", "es": "..."}``, one entry per configured language;
- ``unit``: the unit's id; ``metrics``: a list of metric codes; ``select``: a choice's value;
- ``hours``: ``{"mon": "09:00-12:00, 13:00-16:30", "tue": "closed", ..., "sun": ""}`` (an
  empty day is "not known").

Choices that depend on the agency (units, metrics, contact points) come from
:func:`data.drafts.options_for`; :func:`field_choices` gives them for any field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.infra.models import (
    ACTION_STATUSES,
    CHANNELS,
    COMPARATORS,
    TARGET_KINDS,
    Action,
    Closure,
    ContactPoint,
    Target,
)
from data.content.parsing import WEEKDAYS
from data.store import column_length

#: The kinds of content the workspace writes (the keys of :data:`FORM_FIELDS`).
KINDS = ("actions", "contact_points", "closures", "targets")
#: What a row of each kind is called in summaries ("action", "contact point").
WHAT = {
    "actions": "action",
    "contact_points": "contact point",
    "closures": "closure",
    "targets": "target",
}
FIELD_KINDS = ("text", "textarea", "date", "select", "number", "url", "hours", "metrics", "unit")
#: The longest text a long (unbounded) field takes: pasted documents are no description.
LONG_TEXT_LIMIT = 10_000

WEEKDAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
assert tuple(WEEKDAY_NAMES) == WEEKDAYS


@dataclass(frozen=True)
class FieldSpec:
    """One field of a form. ``translated``: one input per configured language; ``choices``:
    fixed ``(value, label)`` pairs (agency-dependent ones come from :func:`field_choices`)."""

    name: str
    label: str
    kind: str
    required: bool
    translated: bool
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    max_length: int | None = None


def _length(model: type, attribute: str) -> int | None:
    return column_length(getattr(model, attribute))


def _words(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((value, value.replace("_", " ").capitalize()) for value in values)


_CHANNEL_LABELS = {
    "phone": "Phone",
    "walk_in": "Office (walk-in)",
    "mail": "Mail",
    "email": "E-mail",
    "web_form": "Web form",
    "video": "Video call",
    "chat": "Chat",
    "text": "Text message",
    "voicemail": "Voicemail",
}
_UNIT_HELP = "The agency, or one of its services."
_CODE_HELP = "Your own identifier for it; left empty, one is made from the {what}."

FORM_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "actions": (
        FieldSpec("unit_id", "Agency or service", "unit", True, False, help=_UNIT_HELP),
        FieldSpec(
            "title",
            "Title",
            "text",
            True,
            True,
            help="Required in the default language.",
            max_length=Action.TEXT_LENGTHS["title"],
        ),
        FieldSpec(
            "description", "Description", "textarea", False, True, max_length=LONG_TEXT_LIMIT
        ),
        FieldSpec("status", "Status", "select", True, False, choices=_words(ACTION_STATUSES)),
        FieldSpec(
            "started_on",
            "Started on",
            "date",
            True,
            False,
            help="For a planned action, when it is to start.",
        ),
        FieldSpec(
            "completed_on",
            "Completed on",
            "date",
            False,
            False,
            help="Only for a completed action (then required); not before the start.",
        ),
        FieldSpec(
            "link",
            "Link",
            "url",
            False,
            False,
            help="An https:// address where the public can read more.",
            max_length=_length(Action, "link"),
        ),
        FieldSpec(
            "metrics", "Measures it addresses", "metrics", False, False, help="Metric codes."
        ),
        FieldSpec(
            "code",
            "Identifier",
            "text",
            False,
            False,
            help=_CODE_HELP.format(what="title"),
            max_length=_length(Action, "code"),
        ),
        FieldSpec(
            "internal_note",
            "Internal note",
            "textarea",
            False,
            False,
            help="For staff only: never shown on a public page, API or download.",
            max_length=LONG_TEXT_LIMIT,
        ),
    ),
    "contact_points": (
        FieldSpec("unit_id", "Agency or service", "unit", True, False, help=_UNIT_HELP),
        FieldSpec(
            "label",
            "Label",
            "text",
            True,
            True,
            help="Required in the default language.",
            max_length=ContactPoint.TEXT_LENGTHS["label"],
        ),
        FieldSpec(
            "channel",
            "Channel",
            "select",
            True,
            False,
            choices=tuple((channel, _CHANNEL_LABELS.get(channel, channel)) for channel in CHANNELS),
        ),
        FieldSpec(
            "value",
            "Phone, e-mail or web address",
            "text",
            False,
            False,
            help="A phone number, an e-mail address or a web address, as the channel needs.",
            max_length=_length(ContactPoint, "value"),
        ),
        FieldSpec("address", "Address", "textarea", False, False, max_length=LONG_TEXT_LIMIT),
        FieldSpec(
            "hours",
            "Opening hours by weekday",
            "hours",
            False,
            False,
            help=(
                'Per day: 09:00-16:30, several periods as "09:00-12:00, 13:00-16:30", or '
                "closed; leave a day empty when it is not known."
            ),
        ),
        FieldSpec(
            "hours_text",
            "Opening hours in words",
            "textarea",
            False,
            True,
            help="Left empty, it is written from the hours by weekday.",
            max_length=LONG_TEXT_LIMIT,
        ),
        FieldSpec(
            "appointment",
            "How to book an appointment",
            "textarea",
            False,
            True,
            max_length=LONG_TEXT_LIMIT,
        ),
        FieldSpec(
            "languages",
            "Languages spoken",
            "text",
            False,
            False,
            help="Language codes: en;es;vi",
            max_length=_length(ContactPoint, "languages"),
        ),
        FieldSpec(
            "sort_order",
            "Order on the page",
            "number",
            False,
            False,
            help="A whole number; left empty, it goes after the unit's other contact points.",
        ),
        FieldSpec(
            "code",
            "Identifier",
            "text",
            False,
            False,
            help=_CODE_HELP.format(what="label"),
            max_length=_length(ContactPoint, "code"),
        ),
    ),
    "closures": (
        FieldSpec("unit_id", "Agency or service", "unit", True, False, help=_UNIT_HELP),
        FieldSpec(
            "contact_point_id",
            "Contact point that closes",
            "select",
            False,
            False,
            help="One of the unit's contact points; left empty, the whole unit closes.",
        ),
        FieldSpec("starts_on", "First day closed", "date", True, False),
        FieldSpec("ends_on", "Last day closed", "date", True, False, help="Not before the first."),
        FieldSpec(
            "reason",
            "Reason",
            "text",
            True,
            True,
            help="Required in the default language.",
            max_length=Closure.TEXT_LENGTHS["reason"],
        ),
        FieldSpec(
            "code",
            "Identifier",
            "text",
            False,
            False,
            help=_CODE_HELP.format(what="reason"),
            max_length=_length(Closure, "code"),
        ),
    ),
    "targets": (
        FieldSpec("unit_id", "Agency or service", "unit", True, False, help=_UNIT_HELP),
        FieldSpec(
            "metric",
            "Metric",
            "select",
            True,
            False,
            help="A metric the agency has figures or a target for.",
        ),
        FieldSpec(
            "kind",
            "Kind of target",
            "select",
            True,
            False,
            choices=(
                ("numeric", "A value to reach"),
                ("baseline", "Establish a baseline"),
                ("text", "In words only"),
            ),
        ),
        FieldSpec(
            "comparator",
            "Comparison",
            "select",
            False,
            False,
            choices=tuple((c, c) for c in COMPARATORS),
            help="Left empty: >= when higher is better, <= when lower is better.",
        ),
        FieldSpec(
            "value",
            "Target value",
            "number",
            False,
            False,
            help=(
                "In the metric's scale, as in results files: 80% and 0.8 both mean 80% on a "
                "share; required for a value to reach, empty otherwise."
            ),
        ),
        FieldSpec(
            "effective_from",
            "In force from",
            "date",
            True,
            False,
            help="A change of a published target keeps its start date.",
        ),
        FieldSpec(
            "effective_to",
            "In force until",
            "date",
            False,
            False,
            help="Left empty: until the next target starts.",
        ),
        FieldSpec(
            "text",
            "Target in words",
            "text",
            False,
            True,
            help="Required in the default language for a target in words.",
            max_length=Target.TEXT_LENGTHS["text"],
        ),
        FieldSpec(
            "promise",
            "Promise to the public",
            "textarea",
            False,
            True,
            max_length=LONG_TEXT_LIMIT,
        ),
    ),
}
assert set(FORM_FIELDS) == set(KINDS)
assert all(spec.kind in FIELD_KINDS for specs in FORM_FIELDS.values() for spec in specs)
assert tuple(value for value, _ in FORM_FIELDS["targets"][2].choices) == TARGET_KINDS

#: Form field -> the model's translated field, where the names differ (the structured hours
#: and the hours in words share the name ``hours`` in the model).
TEXT_FIELD_OF = {"hours_text": "hours"}


def spec_of(kind: str, name: str) -> FieldSpec:
    return next(spec for spec in FORM_FIELDS[kind] if spec.name == name)


@dataclass(frozen=True)
class ContactPointChoice:
    value: str
    label: str
    unit_id: int


@dataclass(frozen=True)
class FormOptions:
    """The agency-dependent choices of the forms (:func:`data.drafts.options_for`).

    Values are text, as a select gives them back: unit and contact point ids, metric codes.
    """

    agency_id: int
    #: The agency first, then its services: (id, name).
    units: tuple[tuple[str, str], ...]
    #: Metrics an action may address: (code, "name (code)").
    metrics: tuple[tuple[str, str], ...]
    #: Metrics a target may be set for: the agency's metrics with figures or targets.
    target_metrics: tuple[tuple[str, str], ...]
    #: How each metric's values are written (a target's value): code -> "fraction (0-1)".
    metric_scales: dict[str, str] = field(default_factory=dict)
    #: The agency's contact points (not draft changes), each with its unit.
    contact_points: tuple[ContactPointChoice, ...] = ()


def field_choices(
    kind: str, spec: FieldSpec, options: FormOptions, *, unit_id: int | None = None
) -> tuple[tuple[str, str], ...]:
    """The ``(value, label)`` choices of a select, unit or metrics field of ``kind``'s form;
    contact points only of ``unit_id`` when given."""
    if spec.choices:
        return spec.choices
    if spec.kind == "unit":
        return options.units
    if spec.kind == "metrics":
        return options.metrics
    if kind == "targets" and spec.name == "metric":
        return options.target_metrics
    if spec.name == "contact_point_id":
        return tuple(
            (point.value, point.label)
            for point in options.contact_points
            if unit_id is None or point.unit_id == unit_id
        )
    return ()
