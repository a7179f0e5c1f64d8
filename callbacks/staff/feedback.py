"""Feedback (issue 14): the list, counts and pages, one response's changes, the CSV route."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import flask
from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.staff.common import settings_of, signed_in
from dashboard.core.settings import Settings
from dashboard.web import staff_actions, staff_auth
from dashboard.web.staff_actions import StaffRefused
from dashboard.web.staff_app import StaffRoute
from data.accounts import StaffMember
from data.feedback_review import (
    EXCERPT_MAX_CHARS,
    MAX_OFFSET,
    PAGE_SIZE,
    FeedbackFilter,
    parse_filter,
)
from layouts.staff import feedback, shell

FILTERS = ("agency", "page_path", "helpful", "reason", "status", "since", "until", "has_comment")


def render(
    settings: Settings, staff: StaffMember, route: StaffRoute, query: Callable[[str], str | None]
) -> list:
    agencies, site_wide = staff_actions.feedback_agencies(settings, staff)
    return feedback.layout([(a.slug, a.name) for a in agencies], site_wide=site_wide)


def chosen_filter(values: dict[str, str | None]) -> FeedbackFilter:
    """The filters as chosen: "any" is no filter."""
    return parse_filter(
        {key: (None if value == feedback.ANY else value) for key, value in values.items()}
    )


def _detail(settings: Settings, staff: StaffMember, response_id: int) -> Any:
    found = staff_actions.feedback_detail(settings, staff, response_id)
    return feedback.detail(
        found.row, found.actions, may_publish=found.may_publish, max_excerpt=EXCERPT_MAX_CHARS
    )


def _one_value(states: list[dict[str, Any]], response_id: int) -> Any:
    """The value of the pattern control of ``response_id`` among ``states`` (one shown)."""
    for item in states:
        identity = item.get("id")
        if isinstance(identity, dict) and identity.get("response") == response_id:
            return item.get("value")
    return None


def register(app: Dash) -> None:
    settings = settings_of(app)

    @app.callback(
        Output("feedback-results", "children"),
        Output("feedback-counts", "children"),
        Output("feedback-page", "max_value"),
        Output("feedback-page", "active_page"),
        Input("feedback-agency", "value"),
        Input("feedback-path", "value"),
        Input("feedback-helpful", "value"),
        Input("feedback-reason", "value"),
        Input("feedback-status", "value"),
        Input("feedback-since", "value"),
        Input("feedback-until", "value"),
        Input("feedback-has-comment", "value"),
        Input("feedback-page", "active_page"),
        Input("feedback-changed", "data"),
    )
    def show(*values: Any) -> tuple[Any, Any, int, int]:
        staff = signed_in()
        *filters, page, _changed = values
        chosen = chosen_filter(dict(zip(FILTERS, filters, strict=True)))
        paging = ctx.triggered_id == "feedback-page"
        if not paging and ctx.triggered_id != "feedback-changed":
            page = 1  # new filters: back to the first page
        page = max(1, int(page or 1))
        try:
            # Another page of the same filters: the counts stay as they are.
            found = staff_actions.feedback_page(
                settings, staff, chosen, page, with_counts=not paging
            )
        except StaffRefused as refusal:
            return shell.problem(refusal.message), None, 1, 1
        reachable = min(found.total, MAX_OFFSET + PAGE_SIZE)
        pages = max(1, math.ceil(reachable / PAGE_SIZE))
        page = min(page, pages)
        shown = feedback.results(found.rows, found.total, page, pages, chosen.query())
        if found.total > reachable:
            shown.insert(
                1,
                shell.problem(
                    f"Only the first {reachable} responses can be paged through: narrow the "
                    "filters (the CSV export has every matching response)."
                ),
            )
        return shown, no_update if paging else feedback.counts(found.counts), pages, page

    @app.callback(
        Output("feedback-detail", "children"),
        Input({"type": "feedback-open", "response": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def open_response(_clicks: list[int | None]) -> Any:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        staff = signed_in()
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict):
            raise PreventUpdate
        try:
            return _detail(settings, staff, int(trigger["response"]))
        except (StaffRefused, ValueError, TypeError) as refusal:
            return shell.problem(getattr(refusal, "message", "That response cannot be opened."))

    @app.callback(
        Output("staff-toasts", "children", allow_duplicate=True),
        Output("feedback-detail", "children", allow_duplicate=True),
        Output("feedback-changed", "data"),
        Input({"type": "feedback-do", "do": ALL, "response": ALL}, "n_clicks"),
        State({"type": "feedback-action", "response": ALL}, "value"),
        State({"type": "feedback-excerpt", "response": ALL}, "value"),
        State("feedback-changed", "data"),
        prevent_initial_call=True,
    )
    def change(_clicks: list[int | None], _actions: Any, _excerpts: Any, changed: Any) -> tuple:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        staff = signed_in()
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict):
            raise PreventUpdate
        try:
            response_id = int(trigger["response"])
        except (KeyError, TypeError, ValueError):
            raise PreventUpdate from None
        what = str(trigger.get("do") or "")
        action_value = _one_value(ctx.states_list[0], response_id)
        try:
            action_id = int(action_value) if action_value else None
        except (TypeError, ValueError):
            action_id = None
        excerpt = _one_value(ctx.states_list[1], response_id)
        try:
            outcome = staff_actions.feedback_change(
                settings,
                staff,
                response_id,
                what,
                action_id=action_id,
                excerpt=str(excerpt)[: EXCERPT_MAX_CHARS * 4] if excerpt else None,
            )
        except StaffRefused as refusal:
            return shell.toast(refusal.message, ok=False, key=response_id), no_update, no_update
        toast = shell.toast(outcome.message, ok=outcome.ok, key=f"{response_id}-{what}")
        if not outcome.ok:
            return toast, no_update, no_update
        return toast, _detail(settings, staff, response_id), int(changed or 0) + 1

    @app.server.get("/staff/feedback.csv")
    def feedback_csv() -> flask.Response:
        staff = staff_auth.current_staff()
        if staff is None:
            flask.abort(404)
        chosen = chosen_filter({key: flask.request.args.get(key) for key in FILTERS})
        try:
            text = staff_actions.feedback_csv(settings, staff, chosen)
        except StaffRefused:
            flask.abort(403)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        return flask.Response(
            ("\ufeff" + text).encode("utf-8"),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="feedback-{stamp}.csv"',
                "Content-Type": "text/csv; charset=utf-8",
                # Staff data: never in a shared or browser cache.
                "Cache-Control": "no-store, private",
            },
        )
