"""The workspace home: who you are, your agencies with their drafts, links to each task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.staff.shell import ROLE_NAMES, Viewer

#: How each review state reads, and its badge colour (the words carry the meaning).
STATE_WORDS = {
    "no drafts": ("No drafts", "light"),
    "in progress": ("In progress", "info"),
    "submitted": ("Submitted for review", "primary"),
    "sent back": ("Sent back", "warning"),
}


def state_badge(state: str) -> dbc.Badge:
    words, color = STATE_WORDS.get(state, (state.capitalize(), "secondary"))
    return dbc.Badge(
        words,
        color=color,
        text_color="dark" if color in ("light", "info", "warning") else None,
        className="staff-state",
    )


def layout(viewer: Viewer, agencies: Sequence[Any]) -> list:
    """``agencies``: dashboard.web.staff_actions.AgencyStatus items."""
    role = ROLE_NAMES.get(viewer.role, viewer.role)
    cards = [_agency_card(agency, viewer) for agency in agencies]
    return [
        html.H1("Staff workspace"),
        html.P(
            [
                "You are signed in as ",
                html.Strong(viewer.name),
                f" ({viewer.username}), with the role ",
                html.Strong(role),
                ".",
            ],
            id="staff-home-user",
        ),
        html.H2("Your agencies", className="h4 mt-4"),
        html.Div(cards, className="row row-cols-1 row-cols-lg-2 g-3")
        if cards
        else dbc.Alert(
            "You are not assigned to any agency yet; ask an administrator.", color="info"
        ),
        html.H2("Tasks", className="h4 mt-4"),
        html.Ul(
            [
                html.Li(dcc.Link("Upload a results file", href="/staff/upload")),
                html.Li(dcc.Link("Write and edit actions taken", href="/staff/content/actions")),
                html.Li(
                    dcc.Link(
                        "Contact points and opening hours", href="/staff/content/contact-points"
                    )
                ),
                html.Li(dcc.Link("Closures", href="/staff/content/closures")),
                html.Li(dcc.Link("Targets and promises", href="/staff/content/targets")),
                html.Li(
                    dcc.Link(
                        "Review and publish" if viewer.is_publisher else "Submit for review",
                        href="/staff/review",
                    )
                ),
                *(
                    [
                        html.Li(dcc.Link("Users and roles", href="/staff/users")),
                        html.Li(dcc.Link("Audit log", href="/staff/audit")),
                    ]
                    if viewer.is_admin
                    else []
                ),
            ]
        ),
    ]


def _agency_card(agency: Any, viewer: Viewer) -> html.Div:
    body: list[Any] = [
        html.H3(agency.name, className="h5 card-title"),
        html.P(
            [
                state_badge(agency.state),
                " ",
                f"{agency.draft_count} draft change(s)" if agency.draft_count else "",
            ],
            className="mb-2",
        ),
    ]
    if agency.state == "sent back" and agency.comment:
        body.append(
            dbc.Alert(
                [
                    html.Strong(
                        f"Comment from {agency.comment_by}: " if agency.comment_by else "Comment: "
                    ),
                    agency.comment,
                ],
                color="warning",
                className="mb-2",
            )
        )
    body.append(
        html.P(
            [
                dcc.Link("Upload", href=f"/staff/upload?agency={agency.slug}"),
                " · ",
                dcc.Link("Actions", href=f"/staff/content/actions?agency={agency.slug}"),
                " · ",
                dcc.Link(
                    "Contact points", href=f"/staff/content/contact-points?agency={agency.slug}"
                ),
                " · ",
                dcc.Link("Closures", href=f"/staff/content/closures?agency={agency.slug}"),
                " · ",
                dcc.Link("Targets", href=f"/staff/content/targets?agency={agency.slug}"),
                " · ",
                dcc.Link("Review", href=f"/staff/review#agency-{agency.slug}"),
            ],
            className="mb-0",
        )
    )
    return html.Div(
        html.Div(html.Div(body, className="card-body"), className="card h-100"),
        className="col",
        id=f"agency-{agency.slug}",
    )
