"""The frame every staff page shares: skip link, header with navigation and sign-out, main.

Staff pages are English only (plain strings): the public interface's catalogues are for the
public. Pure functions of their arguments: the callbacks pass who is signed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.attributes import aria

ROLE_NAMES = {"editor": "Editor", "publisher": "Publisher", "admin": "Administrator"}


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, as the frame shows them."""

    name: str
    username: str
    role: str
    is_publisher: bool
    is_admin: bool
    csrf_token: str


def app_layout() -> html.Div:
    """The layout Dash serves; the navigation callback fills ``staff-page``."""
    return html.Div(
        [
            dcc.Location(id="staff-url", refresh=False),
            html.Div(id="staff-page", children=html.Main(id="main-content", tabIndex="-1")),
            # One live region for every page's toasts: screen readers announce what is put in.
            html.Div(
                id="staff-toasts",
                className="staff-toasts",
                role="status",
                **aria(live="polite"),
            ),
        ]
    )


def nav_links(path: str, viewer: Viewer) -> list[tuple[str, str]]:
    links = [
        ("/staff/", "Home"),
        ("/staff/upload", "Upload results"),
        ("/staff/content/actions", "Actions"),
        ("/staff/content/contact-points", "Contact points"),
        ("/staff/content/closures", "Closures"),
        ("/staff/content/targets", "Targets"),
        ("/staff/review", "Review and publish" if viewer.is_publisher else "Submit for review"),
        ("/staff/feedback", "Feedback"),
    ]
    if viewer.is_admin:
        links += [("/staff/users", "Users"), ("/staff/audit", "Audit log")]
    return links


def sign_out_form(csrf_token: str) -> html.Form:
    """A plain POST form: signing out changes state, so it carries the CSRF token."""
    return html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
            html.Button("Sign out", type="submit", className="btn btn-outline-light btn-sm"),
        ],
        method="POST",
        action="/staff/sign-out",
        className="mb-0",
    )


def page(*, content: Sequence[Any], path: str, viewer: Viewer | None) -> list:
    """Header (site name, who is signed in, navigation, sign-out), then the page in <main>."""
    header_parts: list[Any] = [
        html.A("Skip to main content", href="#main-content", className="skip-link"),
    ]
    top: list[Any] = [
        dcc.Link("Staff workspace", href="/staff/", className="staff-name h4 mb-0"),
    ]
    if viewer is not None:
        top.append(
            html.Div(
                [
                    html.Span(
                        [
                            "Signed in as ",
                            html.Strong(viewer.name),
                            f" ({ROLE_NAMES.get(viewer.role, viewer.role)})",
                        ],
                        id="staff-signed-in",
                    ),
                    sign_out_form(viewer.csrf_token),
                ],
                className="d-flex flex-wrap align-items-center gap-2",
            )
        )
    header_parts.append(
        html.Div(top, className="d-flex flex-wrap justify-content-between align-items-center gap-2")
    )
    if viewer is not None:
        header_parts.append(
            html.Nav(
                html.Ul(
                    [
                        html.Li(
                            html.A(
                                label,
                                href=href,
                                **(aria(current="page") if _is_current(path, href) else {}),
                            )
                        )
                        for href, label in nav_links(path, viewer)
                    ],
                    className="list-unstyled d-flex flex-wrap gap-3 mb-0 mt-2",
                ),
                className="staff-nav",
                **aria(label="Workspace"),
            )
        )
    header = html.Header(
        html.Div(header_parts, className="container py-2"), className="staff-header"
    )
    main = html.Main(
        html.Div(list(content), className="container py-4"), id="main-content", tabIndex="-1"
    )
    footer = html.Footer(
        html.Div(
            html.P(
                [
                    "Everything you save here is a draft until a publisher publishes it. ",
                    html.A("The public site", href="/"),
                ],
                className="mb-0 small",
            ),
            className="container py-3",
        ),
        className="border-top mt-4",
    )
    return [header, main, footer]


def _is_current(path: str, href: str) -> bool:
    if href == "/staff/":
        return path.rstrip("/") == "/staff"
    return path == href


def not_found(path: str) -> list:
    return [
        html.H1("Page not found"),
        html.P(["There is no staff page at ", html.Code(path), "."]),
        html.P(dcc.Link("Back to the workspace home", href="/staff/")),
    ]


def problem(message: str) -> dbc.Alert:
    """A refusal or failure, in words, where the page shows its answer."""
    return dbc.Alert(message, color="danger", className="mb-2")


def refused(message: str) -> list:
    """A page the member may not open (or that names nothing they may see)."""
    return [
        html.H1("Not available"),
        dbc.Alert(message, color="warning"),
        html.P(dcc.Link("Back to the workspace home", href="/staff/")),
    ]


def signed_out() -> list:
    return [
        html.H1("Signed out"),
        html.P("Your session has ended. Sign in again to continue."),
        html.P(html.A("Sign in", href="/staff/sign-in", className="btn btn-primary")),
    ]


def toast(message: str, *, ok: bool, key: int | str = 0) -> dbc.Toast:
    """A short message in the live region (announced), closable with the keyboard."""
    return dbc.Toast(
        message,
        id={"type": "staff-toast", "key": str(key)},
        header="Done" if ok else "Not done",
        icon="success" if ok else "danger",
        dismissable=True,
        duration=8000 if ok else None,
        is_open=True,
    )


def table(
    columns: Sequence[tuple[str, str]],
    rows: Sequence[dict[str, Any]],
    *,
    caption: str,
    empty: str = "Nothing yet.",
    table_id: str | None = None,
) -> Any:
    """A plain accessible table: caption, column headers (scope=col); text is escaped by React."""
    if not rows:
        return html.P(empty, className="text-body-secondary")
    head = html.Thead(html.Tr([html.Th(label, scope="col") for _key, label in columns]))
    body = html.Tbody(
        [html.Tr([html.Td(_cell(row.get(key))) for key, _label in columns]) for row in rows]
    )
    attributes: dict[str, Any] = {"id": table_id} if table_id else {}
    return html.Div(
        html.Table(
            [html.Caption(caption), head, body],
            className="table table-sm table-striped align-middle caption-top",
            **attributes,
        ),
        className="table-responsive",
        # A wide table scrolls on a phone: the keyboard must reach it (focusable, named).
        tabIndex="0",
        role="region",
        **aria(label=caption),
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict | str | int | float):
        return value if not isinstance(value, dict) else str(value)
    return value
