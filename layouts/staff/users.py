"""Users and roles (administrators): the accounts, adding one, changing role and agencies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from layouts.staff.shell import ROLE_NAMES, table

ROLE_OPTIONS = [{"label": name, "value": role} for role, name in ROLE_NAMES.items()]


def layout(users: Sequence[Mapping[str, Any]], agencies: Sequence[tuple[str, str]]) -> list:
    """``users``: data.accounts.list_users rows; ``agencies``: (slug, name)."""
    return [
        html.H1("Users and roles"),
        html.P(
            "Editors write drafts for their agencies; publishers also approve and publish "
            "them; administrators manage accounts and read the audit log. Every change here "
            "is written to the audit log and applies at the account's next click."
        ),
        html.Div(id="users-message"),
        html.Div(users_table(users), id="users-table-holder"),
        html.H2("Add a user", className="h4 mt-4"),
        _account_form("add", agencies, with_identity=True),
        dbc.Button("Add user", id="users-add", color="primary", n_clicks=0, className="mb-4"),
        html.H2("Change a user", className="h4 mt-4"),
        html.Div(
            [
                dbc.Label("User", html_for="users-change-username"),
                dbc.Select(
                    id="users-change-username",
                    options=[{"label": u["username"], "value": u["username"]} for u in users],
                    value=users[0]["username"] if users else None,
                ),
            ],
            className="mb-3",
        ),
        _account_form("change", agencies, with_identity=False),
        html.Div(
            [
                dbc.Button(
                    "Change role and agencies", id="users-change", color="primary", n_clicks=0
                ),
                dbc.Button(
                    "Disable account", id="users-disable", color="danger", outline=True, n_clicks=0
                ),
                dbc.Button(
                    "Enable account", id="users-enable", color="secondary", outline=True, n_clicks=0
                ),
            ],
            className="d-flex flex-wrap gap-2 mb-4",
        ),
    ]


def users_table(users: Sequence[Mapping[str, Any]]) -> Any:
    rows = [
        {
            "username": user["username"],
            "name": user.get("display_name") or "",
            "role": ROLE_NAMES.get(user["role"], user["role"]),
            "agencies": "All agencies"
            if user.get("all_agencies")
            else ", ".join(user.get("agencies") or []),
            "sign_in": ("password" if user.get("has_password") else "")
            + (" and single sign-on" if user.get("single_sign_on") else "")
            or "single sign-on only",
            "state": "Disabled" if user.get("disabled") else "Active",
            "last": user.get("last_sign_in_at") or "never",
        }
        for user in users
    ]
    return table(
        (
            ("username", "Username"),
            ("name", "Name"),
            ("role", "Role"),
            ("agencies", "Agencies"),
            ("sign_in", "Signs in with"),
            ("state", "State"),
            ("last", "Last sign-in (UTC)"),
        ),
        rows,
        caption=f"{len(rows)} account(s)",
        table_id="users-table",
    )


def _account_form(
    prefix: str, agencies: Sequence[tuple[str, str]], *, with_identity: bool
) -> html.Div:
    parts: list[Any] = []
    if with_identity:
        parts += [
            _input(
                f"users-{prefix}-username",
                "Username (required)",
                "text",
                "Lower case letters, digits and . _ @ -",
            ),
            _input(f"users-{prefix}-display-name", "Name", "text", None),
            _input(f"users-{prefix}-email", "E-mail", "email", None),
            _input(
                f"users-{prefix}-password",
                "Initial password",
                "password",
                "At least 12 characters. Leave empty for single sign-on (OpenID Connect) only.",
                autocomplete="new-password",
            ),
        ]
    parts += [
        html.Div(
            [
                dbc.Label("Role", html_for=f"users-{prefix}-role"),
                dbc.Select(id=f"users-{prefix}-role", options=ROLE_OPTIONS, value="editor"),
            ],
            className="mb-3",
        ),
        html.Fieldset(
            [
                html.Legend("Agencies", className="form-label fs-6"),
                dbc.Checklist(
                    id=f"users-{prefix}-all",
                    options=[{"label": "All agencies (publishers only)", "value": "all"}],
                    value=[],
                ),
                dbc.Checklist(
                    id=f"users-{prefix}-agencies",
                    options=[{"label": name, "value": slug} for slug, name in agencies],
                    value=[],
                ),
            ],
            className="mb-3",
        ),
    ]
    return html.Div(parts)


def _input(
    component_id: str, label: str, kind: str, help_text: str | None, autocomplete: str = "off"
) -> html.Div:
    return html.Div(
        [
            dbc.Label(label, html_for=component_id),
            dbc.Input(id=component_id, type=kind, autocomplete=autocomplete),
            html.Div(help_text, className="form-text") if help_text else None,
        ],
        className="mb-3",
    )
