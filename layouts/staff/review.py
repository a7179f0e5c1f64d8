"""Review and publish: per agency, what publication will change; approve, send back, submit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.staff.home import state_badge
from layouts.staff.shell import table

#: The parts of a change set, in the order a publisher reads them.
SECTIONS = (
    ("new_figures", "New figures"),
    ("revised_figures", "Revised figures"),
    ("targets", "Targets and promises"),
    ("actions", "Actions taken"),
    ("contact_points", "Contact points and opening hours"),
    ("closures", "Closures"),
)
#: Column headings for the keys a change set's rows carry; other keys are written out.
HEADINGS = {
    "unit": "Agency or service",
    "metric": "Measure",
    "period": "Period",
    "segment": "Segment",
    "value": "Value",
    "old": "Published value",
    "new": "New value",
    "old_value": "Published value",
    "new_value": "New value",
    "reason": "Reason given",
    "change": "Change",
    "kind": "Change",
    "title": "Title",
    "label": "Label",
    "text": "Target",
    "author": "Drafted by",
}


def _heading(key: str) -> str:
    return HEADINGS.get(key, key.replace("_", " ").capitalize())


def change_table(rows: Sequence[Mapping[str, Any]], caption: str) -> Any:
    keys: list[str] = []
    for row in rows:
        keys.extend(
            key for key in row if key not in keys and not key.endswith("_id") and key != "id"
        )
    return table(
        [(key, _heading(key)) for key in keys], [dict(row) for row in rows], caption=caption
    )


def layout(items: Sequence[Any], *, is_publisher: bool) -> list:
    """``items``: dashboard.web.staff_actions.ReviewItem, ``changes`` as plain dicts."""
    title = "Review and publish" if is_publisher else "Submit for review"
    intro = (
        "Each agency's drafts are published together. Read what will change, preview the "
        "public page, then approve and publish or send the drafts back with a comment."
        if is_publisher
        else "When your agency's drafts are ready, submit them: a publisher reviews and "
        "publishes them, or sends them back with a comment."
    )
    return [
        html.H1(title),
        html.P(intro),
        html.Div(id="review-message"),
        html.Div(sections_of(items, is_publisher), id="review-sections"),
        dcc.Store(id="review-agency"),
        # The drafts' fingerprint of the agency being approved: what the publisher read.
        dcc.Store(id="review-version"),
        _modal(
            "review-publish-modal",
            "Approve and publish",
            [
                html.P(
                    "Everything drafted for this agency becomes public at once, in one step.",
                    id="review-publish-what",
                ),
                dbc.Label("Public note (optional)", html_for="review-publish-note"),
                dbc.Textarea(id="review-publish-note", rows=2, maxlength=2000),
                html.Div(
                    'Shown on the public "What changed" page with this publication.',
                    className="form-text",
                ),
            ],
            "Publish now",
            "review-publish-confirm",
            "success",
        ),
        _modal(
            "review-send-back-modal",
            "Send back to the editors",
            [
                dbc.Label("Comment (required)", html_for="review-send-back-comment"),
                dbc.Textarea(id="review-send-back-comment", rows=3, maxlength=4000, required=True),
                html.Div("The editors see it on their workspace home page.", className="form-text"),
                html.Div(id="review-send-back-problem"),
            ],
            "Send back",
            "review-send-back-confirm",
            "warning",
        ),
        _modal(
            "review-submit-modal",
            "Submit for review",
            [
                dbc.Label("Note for the publisher (optional)", html_for="review-submit-comment"),
                dbc.Textarea(id="review-submit-comment", rows=2, maxlength=4000),
            ],
            "Submit",
            "review-submit-confirm",
            "primary",
        ),
    ]


def sections_of(items: Sequence[Any], is_publisher: bool) -> list:
    """One section per agency with drafts, or a note that there are none."""
    sections: list[Any] = [_agency_section(item, is_publisher) for item in items]
    return sections or [dbc.Alert("No agency you work for has drafts.", color="info")]


def _modal(
    modal_id: str, title: str, body: list, confirm: str, confirm_id: str, color: str
) -> dbc.Modal:
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(title, id=f"{modal_id}-title")),
            dbc.ModalBody(body),
            dbc.ModalFooter(
                [
                    dbc.Button(confirm, id=confirm_id, color=color, n_clicks=0),
                    dbc.Button(
                        "Cancel",
                        id=f"{modal_id}-cancel",
                        color="secondary",
                        outline=True,
                        n_clicks=0,
                    ),
                ]
            ),
        ],
        id=modal_id,
        is_open=False,
        labelledby=f"{modal_id}-title",
        keyboard=True,
    )


def _agency_section(item: Any, is_publisher: bool) -> html.Section:
    slug = item.agency.slug
    heading_id = f"agency-{slug}-heading"
    changes: Mapping[str, Sequence[Mapping[str, Any]]] = item.changes or {}
    parts: list[Any] = [
        html.H2(item.agency.name, id=heading_id, className="h3"),
        html.P([state_badge(item.state), f" {item.draft_count} draft change(s)"]),
    ]
    if item.comment:
        parts.append(dbc.Alert(["Latest note: ", item.comment], color="secondary"))
    shown = False
    for key, label in SECTIONS:
        rows = changes.get(key) or []
        if rows:
            shown = True
            parts.append(html.H3(f"{label} ({len(rows)})", className="h5 mt-3"))
            parts.append(change_table(rows, f"{label}: {item.agency.name}"))
    if not shown:
        parts.append(html.P("No changes to publish."))
    buttons: list[Any] = [
        html.A(
            "Preview the public page (opens in a new tab)",
            href=f"/preview/agency/{slug}",
            target="_blank",
            rel="noopener",
            className="btn btn-outline-primary",
            id=f"review-preview-{slug}",
        )
    ]
    if is_publisher:
        buttons += [
            dbc.Button(
                "Approve and publish",
                id={"type": "review-publish", "agency": slug},
                color="success",
                n_clicks=0,
            ),
            dbc.Button(
                "Send back",
                id={"type": "review-send-back", "agency": slug},
                color="warning",
                n_clicks=0,
            ),
        ]
    if item.state != "submitted":
        buttons.append(
            dbc.Button(
                "Submit for review",
                id={"type": "review-submit", "agency": slug},
                color="primary",
                outline=is_publisher,
                n_clicks=0,
            )
        )
    parts.append(html.Div(buttons, className="d-flex flex-wrap gap-2 mt-3"))
    parts.append(dcc.Store(id={"type": "review-version-of", "agency": slug}, data=item.version))
    return html.Section(
        parts,
        id=f"agency-{slug}",
        className="border rounded p-3 mb-4",
        **{"aria-labelledby": heading_id},  # type: ignore[arg-type]
    )
