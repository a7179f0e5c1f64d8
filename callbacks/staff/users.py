"""Users and roles (administrators): add accounts, change role and agencies, disable, enable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.staff.common import settings_of, signed_in
from dashboard.core.settings import Settings
from dashboard.web import staff_actions
from dashboard.web.staff_actions import Outcome, StaffRefused
from dashboard.web.staff_app import StaffRoute
from data.accounts import StaffMember
from layouts.staff import shell, users


def render(
    settings: Settings, staff: StaffMember, route: StaffRoute, query: Callable[[str], str | None]
) -> list:
    accounts = staff_actions.users(settings, staff)  # refuses anyone but an admin
    agencies = [(a.slug, a.name) for a in staff_actions.all_agency_choices(settings)]
    return users.layout(accounts, agencies)


def register(app: Dash) -> None:
    settings = settings_of(app)

    @app.callback(
        Output("users-message", "children"),
        Output("users-table-holder", "children"),
        Output("staff-toasts", "children", allow_duplicate=True),
        Input("users-add", "n_clicks"),
        Input("users-change", "n_clicks"),
        Input("users-disable", "n_clicks"),
        Input("users-enable", "n_clicks"),
        State("users-add-username", "value"),
        State("users-add-display-name", "value"),
        State("users-add-email", "value"),
        State("users-add-password", "value"),
        State("users-add-role", "value"),
        State("users-add-all", "value"),
        State("users-add-agencies", "value"),
        State("users-change-username", "value"),
        State("users-change-role", "value"),
        State("users-change-all", "value"),
        State("users-change-agencies", "value"),
        prevent_initial_call=True,
    )
    def change(
        _add: int,
        _change: int,
        _disable: int,
        _enable: int,
        username: str | None,
        display_name: str | None,
        email: str | None,
        password: str | None,
        role: str | None,
        all_agencies: list[str] | None,
        agencies: list[str] | None,
        target: str | None,
        new_role: str | None,
        new_all: list[str] | None,
        new_agencies: list[str] | None,
    ) -> tuple[Any, Any, Any]:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        staff = signed_in()
        trigger = ctx.triggered_id
        try:
            if trigger == "users-add":
                outcome = staff_actions.add_user(
                    settings,
                    staff,
                    username=(username or "").strip(),
                    role=role or "editor",
                    agencies=list(agencies or []),
                    all_agencies=bool(all_agencies),
                    email=email,
                    display_name=display_name,
                    password=password,
                )
            elif trigger == "users-change" and target:
                outcome = staff_actions.change_role(
                    settings,
                    staff,
                    username=target,
                    role=new_role or "editor",
                    agencies=list(new_agencies or []),
                    all_agencies=bool(new_all),
                )
            elif trigger in ("users-disable", "users-enable") and target:
                outcome = staff_actions.set_disabled(
                    settings, staff, target, trigger == "users-disable"
                )
            else:
                raise PreventUpdate
            listing = users.users_table(staff_actions.users(settings, staff))
        except StaffRefused as refusal:
            outcome, listing = Outcome(False, refusal.message), None
        message = dbc.Alert(
            outcome.message, color="success" if outcome.ok else "danger", id="users-outcome"
        )
        toast = shell.toast(
            outcome.message, ok=outcome.ok, key=f"{trigger}-{ctx.triggered[0]['value']}"
        )
        return message, listing if listing is not None else no_update, toast
