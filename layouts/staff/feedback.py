"""Feedback (issue 14): what visitors answered to "Did this page help you?", for staff.

A member sees the responses of the agencies they work for (administrators also the site-wide
ones), filters them, reads the counts per agency and page, exports them as CSV, and handles
one at a time: mark it read or actioned, link it to an action taken, write a moderated
excerpt and publish it. Comments never leave the workspace; only a published excerpt does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.attributes import aria
from layouts.staff.shell import table

#: A select's "no choice" (dbc.Select keeps "" for its placeholder option).
ANY = "any"
SITE_WIDE = "site-wide"
#: The action select's "no action" (unlinks).
NO_ACTION = "none"
REASON_NAMES = {
    "found_it": "Found what they needed",
    "easy_to_understand": "Easy to understand",
    "not_found": "Did not find what they needed",
    "hard_to_understand": "Hard to understand",
    "out_of_date": "Out of date",
    "other": "Other",
}
STATUS_NAMES = {"new": "New", "read": "Read", "actioned": "Actioned"}
#: Longest comment shown in the list (the whole comment is in the response's panel).
LIST_COMMENT_CHARS = 120
COLUMNS = (
    ("received", "Received (UTC)"),
    ("agency", "Agency"),
    ("page_path", "Page"),
    ("helpful", "Helpful"),
    ("reason", "Reason"),
    ("comment", "Comment"),
    ("status", "Status"),
    ("action", "Action"),
    ("excerpt", "Excerpt"),
    ("open", "Handle"),
)
COUNT_COLUMNS = (
    ("agency", "Agency"),
    ("page_path", "Page"),
    ("responses", "Responses"),
    ("yes", "Said yes"),
)


def _select(
    select_id: str, label: str, options: Sequence[tuple[str, str]], *, md: int = 3
) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=select_id),
            dbc.Select(
                id=select_id,
                options=[{"label": text, "value": value} for value, text in options],
                value=ANY,
            ),
        ],
        md=md,
    )


def layout(agencies: Sequence[tuple[str, str]], *, site_wide: bool) -> list:
    """The page: filters, counts, the list with its pages, and the panel of one response.
    ``agencies``: (slug, name) of the agencies the member works for."""
    agency_options = [(ANY, "Every agency I see"), *agencies]
    if site_wide:
        agency_options.append((SITE_WIDE, "Site-wide pages (no agency)"))
    yes_no = [(ANY, "Any"), ("yes", "Yes"), ("no", "No")]
    return [
        html.H1("Feedback"),
        html.P(
            "What visitors answered to “Did this page help you?” on the public pages of the "
            "agencies you work for. Comments were masked when they arrived (e-mail addresses "
            "and phone numbers replaced) and are never shown to the public: only an excerpt "
            "that a publisher writes here and publishes appears on the agency's page."
        ),
        html.Div(
            [
                dbc.Row(
                    [
                        _select("feedback-agency", "Agency", agency_options),
                        dbc.Col(
                            [
                                dbc.Label("Page (path)", html_for="feedback-path"),
                                dbc.Input(
                                    id="feedback-path",
                                    type="text",
                                    placeholder="/agency/…",
                                    autocomplete="off",
                                    debounce=True,
                                ),
                            ],
                            md=3,
                        ),
                        _select("feedback-helpful", "Helpful", yes_no, md=2),
                        _select(
                            "feedback-reason",
                            "Reason",
                            [(ANY, "Any reason"), *REASON_NAMES.items()],
                            md=2,
                        ),
                        _select(
                            "feedback-status", "Status", [(ANY, "Any"), *STATUS_NAMES.items()], md=2
                        ),
                    ],
                    className="g-2 mb-2",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label("From (day)", html_for="feedback-since"),
                                dbc.Input(id="feedback-since", type="date"),
                            ],
                            md=3,
                        ),
                        dbc.Col(
                            [
                                dbc.Label("Until (day)", html_for="feedback-until"),
                                dbc.Input(id="feedback-until", type="date"),
                            ],
                            md=3,
                        ),
                        _select("feedback-has-comment", "With a comment", yes_no, md=2),
                    ],
                    className="g-2 mb-3",
                ),
            ],
            id="feedback-filters",
            role="search",
            **aria(label="Filter the feedback"),
        ),
        # Bumped by every change, so that the list and counts are read again.
        dcc.Store(id="feedback-changed", data=0),
        html.Div(id="feedback-detail"),
        html.Div(id="feedback-results"),
        html.Nav(
            dbc.Pagination(
                id="feedback-page",
                active_page=1,
                max_value=1,
                fully_expanded=False,
                first_last=True,
                previous_next=True,
            ),
            **aria(label="Pages of the feedback"),
        ),
        html.H2("Responses per agency and page", className="h4 mt-4"),
        html.Div(id="feedback-counts"),
    ]


def export_href(chosen: Mapping[str, str]) -> str:
    query = urlencode({key: value for key, value in chosen.items() if value})
    return "/staff/feedback.csv" + (f"?{query}" if query else "")


def _when(value: Any) -> str:
    return str(value or "").replace("T", " ")[:16]


def _short(text: str | None) -> str:
    if not text:
        return ""
    return text if len(text) <= LIST_COMMENT_CHARS else text[: LIST_COMMENT_CHARS - 1] + "…"


def _action_text(row: Mapping[str, Any]) -> str:
    if not row.get("action_id"):
        return ""
    code = row.get("action_code")
    title = row.get("action_title") or ""
    return f"{code}: {title}" if code else title


def _action_label(action: Mapping[str, Any]) -> str:
    code, title = action.get("code"), action.get("title") or ""
    state = "published" if action.get("visibility") == "published" else "draft"
    return f"{code}: {title} ({state})" if code else f"{title} ({state})"


def _excerpt_state(row: Mapping[str, Any]) -> str:
    if not row.get("excerpt"):
        return ""
    return "published" if row.get("excerpt_published_at") else "written, not published"


def results(
    rows: Sequence[Mapping[str, Any]],
    total: int,
    page: int,
    pages: int,
    chosen: Mapping[str, str],
) -> list:
    shown = [
        {
            "received": _when(row.get("received_at")),
            "agency": row.get("agency") or "(site-wide)",
            "page_path": row.get("page_path"),
            "helpful": "Yes" if row.get("helpful") else "No",
            "reason": REASON_NAMES.get(row.get("reason") or "", ""),
            "comment": _short(row.get("comment")),
            "status": STATUS_NAMES.get(row.get("status") or "", row.get("status")),
            "action": _action_text(row),
            "excerpt": _excerpt_state(row),
            "open": html.Button(
                "Open",
                id={"type": "feedback-open", "response": int(row["id"])},
                className="btn btn-outline-primary btn-sm",
                **aria(label=f"Open the response received {_when(row.get('received_at'))}"),
            ),
        }
        for row in rows
    ]
    return [
        html.P(
            [
                f"{total} response{'' if total == 1 else 's'}. ",
                html.A("Export CSV", href=export_href(chosen), id="feedback-export", download=""),
            ]
        ),
        table(
            COLUMNS,
            shown,
            caption=f"Feedback, page {page} of {pages}",
            empty="No responses match.",
            table_id="feedback-table",
        ),
    ]


def counts(groups: Sequence[Mapping[str, Any]]) -> Any:
    shown = [
        {
            "agency": group.get("agency") or "(site-wide)",
            "page_path": group.get("page_path"),
            "responses": group["responses"],
            "yes": f"{round(100 * group['yes_share'])}% ({group['yes']} of {group['responses']})"
            if group.get("yes_share") is not None
            else "",
        }
        for group in groups
    ]
    return table(
        COUNT_COLUMNS,
        shown,
        caption="Responses per agency and page (the busiest first)",
        empty="No responses match.",
        table_id="feedback-counts-table",
    )


def _button(
    label: str, change: str, response_id: int, *, color: str = "secondary", outline: bool = False
) -> Any:
    return dbc.Button(
        label,
        id={"type": "feedback-do", "do": change, "response": response_id},
        color=color,
        outline=outline,
        size="sm",
        className="me-2 mb-2",
    )


def detail(
    row: Mapping[str, Any],
    actions: Sequence[Mapping[str, Any]],
    *,
    may_publish: bool,
    max_excerpt: int,
) -> html.Section:
    """One response: what the visitor said, and what a member may do with it."""
    response_id = int(row["id"])
    facts = [
        ("Received (UTC)", _when(row.get("received_at"))),
        ("Agency", row.get("agency") or "(site-wide)"),
        ("Unit", row.get("unit") or ""),
        ("Page", row.get("page_path") or ""),
        ("Language", row.get("language") or ""),
        ("Helpful", "Yes" if row.get("helpful") else "No"),
        ("Reason", REASON_NAMES.get(row.get("reason") or "", "")),
        ("Status", STATUS_NAMES.get(row.get("status") or "", "")),
        (
            "Handled",
            f"{row.get('handled_by') or ''} {_when(row.get('handled_at'))}".strip(),
        ),
        ("Action", _action_text(row) or "none"),
        (
            "Excerpt",
            "published " + _when(row.get("excerpt_published_at"))
            if row.get("excerpt_published_at")
            else ("written, not published" if row.get("excerpt") else "none"),
        ),
    ]
    action_options = [{"label": _action_label(a), "value": str(a["id"])} for a in actions]
    excerpt_id = {"type": "feedback-excerpt", "response": response_id}
    action_id = {"type": "feedback-action", "response": response_id}
    publishing: list[Any] = []
    if may_publish:
        publishing = [
            _button("Publish excerpt", "publish", response_id, color="primary"),
            _button("Withdraw excerpt", "withdraw", response_id, color="danger", outline=True),
        ]
    else:
        publishing = [
            html.P("A publisher of the agency publishes excerpts.", className="small text-muted")
        ]
    return html.Section(
        [
            html.H2(f"Response {response_id}", className="h4", id="feedback-detail-heading"),
            html.Dl(
                [
                    part
                    for label, value in facts
                    for part in (
                        html.Dt(label, className="col-sm-3"),
                        html.Dd(value, className="col-sm-9"),
                    )
                ],
                className="row mb-2",
            ),
            html.H3("Comment", className="h6"),
            html.Blockquote(
                html.P(row.get("comment") or "(no comment)", className="mb-0"),
                className="border-start ps-3 mb-3",
                id="feedback-comment",
            ),
            html.Div(
                [
                    _button("Mark read", "read", response_id),
                    _button("Mark actioned", "actioned", response_id),
                ]
            ),
            html.H3("Action taken", className="h6 mt-3"),
            # A label around its control: pattern ids have no stable element id to point at.
            html.Div(
                [
                    html.Label(
                        [
                            html.Span("Link to an action of the agency", className="d-block"),
                            dbc.Select(
                                id=action_id,
                                options=[
                                    {"label": "No action", "value": NO_ACTION},
                                    *action_options,
                                ],
                                value=str(row["action_id"]) if row.get("action_id") else NO_ACTION,
                                style={"maxWidth": "32rem"},
                            ),
                        ],
                        className="me-2 mb-2",
                    ),
                    _button("Link", "link", response_id),
                ],
                className="d-flex flex-wrap align-items-end",
            ),
            html.H3("Moderated excerpt", className="h6 mt-3"),
            html.P(
                "Write it in your own words or quote a part of the comment: no names, no "
                "contact details (e-mail addresses and phone numbers are masked again when you "
                "save). It appears on the agency's public page only once published.",
                className="small text-muted mb-1",
            ),
            html.Label(
                [
                    html.Span(
                        f"Excerpt for the public (at most {max_excerpt} characters)",
                        className="d-block",
                    ),
                    dbc.Textarea(
                        id=excerpt_id,
                        value=row.get("excerpt") or "",
                        maxLength=max_excerpt,
                        rows=3,
                    ),
                ],
                className="d-block mb-2",
            ),
            html.Div([_button("Save excerpt", "excerpt", response_id), *publishing]),
        ],
        className="card card-body mb-4",
        id=f"feedback-response-{response_id}",
        **aria(labelledby="feedback-detail-heading"),
    )
