"""Review and publish: approve and publish, send back with a comment, submit for review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.staff.common import settings_of, signed_in
from dashboard.core.settings import Settings
from dashboard.web import staff_actions
from dashboard.web.staff_actions import Outcome, StaffRefused
from dashboard.web.staff_app import StaffRoute
from data.accounts import StaffMember
from layouts.staff import review, shell

MODALS = {
    "review-publish": "review-publish-modal",
    "review-send-back": "review-send-back-modal",
    "review-submit": "review-submit-modal",
}


def render(
    settings: Settings, staff: StaffMember, route: StaffRoute, query: Callable[[str], str | None]
) -> list:
    return review.layout(staff_actions.review(settings, staff), is_publisher=staff.is_publisher)


def _message(outcome: Outcome) -> dbc.Alert:
    return dbc.Alert(
        outcome.message, color="success" if outcome.ok else "danger", id="review-outcome"
    )


def register(app: Dash) -> None:
    settings = settings_of(app)

    @app.callback(
        Output("review-publish-modal", "is_open"),
        Output("review-send-back-modal", "is_open"),
        Output("review-submit-modal", "is_open"),
        Output("review-agency", "data"),
        Output("review-version", "data"),
        Input({"type": "review-publish", "agency": ALL}, "n_clicks"),
        Input({"type": "review-send-back", "agency": ALL}, "n_clicks"),
        Input({"type": "review-submit", "agency": ALL}, "n_clicks"),
        Input("review-publish-modal-cancel", "n_clicks"),
        Input("review-send-back-modal-cancel", "n_clicks"),
        Input("review-submit-modal-cancel", "n_clicks"),
        State({"type": "review-version-of", "agency": ALL}, "data"),
        prevent_initial_call=True,
    )
    def open_or_close(*args: Any) -> tuple:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        signed_in()
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict):  # a Cancel button
            return False, False, False, no_update, no_update
        which = MODALS.get(str(trigger.get("type")))
        if which is None:
            raise PreventUpdate
        agency = str(trigger.get("agency") or "")
        versions = {
            str(item["id"].get("agency")): item.get("value")
            for item in ctx.states_list[0]
            if isinstance(item.get("id"), dict)
        }
        return (
            which == "review-publish-modal",
            which == "review-send-back-modal",
            which == "review-submit-modal",
            agency,
            versions.get(agency),
        )

    @app.callback(
        Output("review-message", "children"),
        Output("review-publish-modal", "is_open", allow_duplicate=True),
        Output("review-send-back-modal", "is_open", allow_duplicate=True),
        Output("review-submit-modal", "is_open", allow_duplicate=True),
        Output("staff-toasts", "children", allow_duplicate=True),
        Output("review-send-back-problem", "children"),
        Output("review-sections", "children"),
        Input("review-publish-confirm", "n_clicks"),
        Input("review-send-back-confirm", "n_clicks"),
        Input("review-submit-confirm", "n_clicks"),
        State("review-agency", "data"),
        State("review-version", "data"),
        State("review-publish-note", "value"),
        State("review-send-back-comment", "value"),
        State("review-submit-comment", "value"),
        prevent_initial_call=True,
    )
    def confirm(
        _publish: int,
        _send_back: int,
        _submit: int,
        agency: str | None,
        version: str | None,
        note: str | None,
        comment: str | None,
        submit_comment: str | None,
    ) -> tuple:
        if not ctx.triggered or not ctx.triggered[0].get("value") or not agency:
            raise PreventUpdate
        staff = signed_in()
        trigger = ctx.triggered_id
        try:
            if trigger == "review-publish-confirm":
                outcome = staff_actions.publish(settings, staff, agency, note, version)
            elif trigger == "review-send-back-confirm":
                if not (comment or "").strip():
                    problem = shell.problem(
                        "Write a comment: the editors need to know what to change."
                    )
                    return no_update, no_update, True, no_update, no_update, problem, no_update
                outcome = staff_actions.send_back(settings, staff, agency, comment or "")
            elif trigger == "review-submit-confirm":
                outcome = staff_actions.submit_for_review(settings, staff, agency, submit_comment)
            else:
                raise PreventUpdate
        except StaffRefused as refusal:
            outcome = Outcome(False, refusal.message)
        toast = shell.toast(outcome.message, ok=outcome.ok, key=f"{trigger}-{agency}")
        sections = (
            review.sections_of(staff_actions.review(settings, staff), staff.is_publisher)
            if outcome.ok
            else no_update
        )
        return _message(outcome), False, False, False, toast, None, sections
