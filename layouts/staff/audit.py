"""The audit log (administrators): filter, page through, export as CSV."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from layouts.staff.shell import table

#: A select's "no choice" (dbc.Select keeps "" for its placeholder option).
ANY_ACTION = "any"
COLUMNS = (
    ("at", "When (UTC)"),
    ("username", "Who"),
    ("action", "What"),
    ("agency", "Agency"),
    ("subject", "Subject"),
    ("ip", "From"),
)


def layout(actions: Sequence[str]) -> list:
    return [
        html.H1("Audit log"),
        html.P(
            "Every sign-in, upload, edit, publication, send-back and account change: who, "
            "what, when and from where. The log cannot be changed or deleted."
        ),
        # A search landmark, not a <form>: Enter must not reload the page (filters apply as
        # they change).
        html.Div(
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Action", html_for="audit-action"),
                            dbc.Select(
                                id="audit-action",
                                options=[
                                    {"label": "Any action", "value": ANY_ACTION},
                                    *({"label": a.replace("_", " "), "value": a} for a in actions),
                                ],
                                value=ANY_ACTION,
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Username", html_for="audit-username"),
                            dbc.Input(
                                id="audit-username", type="text", autocomplete="off", debounce=True
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("From (day)", html_for="audit-since"),
                            dbc.Input(id="audit-since", type="date"),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Until (day)", html_for="audit-until"),
                            dbc.Input(id="audit-until", type="date"),
                        ],
                        md=3,
                    ),
                ],
                className="g-2 mb-3",
            ),
            id="audit-filters",
            role="search",
            **{"aria-label": "Filter the audit log"},  # type: ignore[arg-type]
        ),
        html.Div(id="audit-results"),
        html.Nav(
            dbc.Pagination(
                id="audit-page",
                active_page=1,
                max_value=1,
                fully_expanded=False,
                first_last=True,
                previous_next=True,
            ),
            **{"aria-label": "Pages of the audit log"},  # type: ignore[arg-type]
        ),
    ]


def export_href(chosen: Mapping[str, str | None]) -> str:
    query = urlencode({key: value for key, value in chosen.items() if value})
    return "/staff/audit.csv" + (f"?{query}" if query else "")


def results(
    rows: Sequence[Mapping[str, Any]],
    total: int,
    page: int,
    pages: int,
    chosen: Mapping[str, str | None],
) -> list:
    shown = [{**row, "at": str(row.get("at") or "").replace("T", " ")[:19]} for row in rows]
    return [
        html.P(
            [
                f"{total} entr{'y' if total == 1 else 'ies'}. ",
                html.A("Export CSV", href=export_href(chosen), id="audit-export", download=""),
            ]
        ),
        table(COLUMNS, shown, caption=f"Audit log, page {page} of {pages}", table_id="audit-table"),
    ]
