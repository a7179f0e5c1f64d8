"""The audit log (administrators): filters, pages and the CSV export route."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import flask
from dash import Dash, Input, Output, ctx
from dash.exceptions import PreventUpdate

from callbacks.staff.common import settings_of, signed_in
from dashboard.core.settings import Settings
from dashboard.web import staff_actions, staff_auth
from dashboard.web.staff_actions import AuditFilter, StaffRefused
from dashboard.web.staff_app import StaffRoute
from data.accounts import StaffMember
from data.audit import AUDIT_ACTIONS
from layouts.staff import audit


def render(
    settings: Settings, staff: StaffMember, route: StaffRoute, query: Callable[[str], str | None]
) -> list:
    if not staff.is_admin:
        raise StaffRefused("Only an administrator may read the audit log.")
    return audit.layout(AUDIT_ACTIONS)


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def chosen_filter(
    action: str | None, username: str | None, since: str | None, until: str | None
) -> AuditFilter:
    return AuditFilter(
        action=action if action in AUDIT_ACTIONS else None,
        username=(username or "").strip()[:120] or None,
        since=_day(since),
        until=_day(until),
    )


def register(app: Dash) -> None:
    settings = settings_of(app)

    @app.callback(
        Output("audit-results", "children"),
        Output("audit-page", "max_value"),
        Output("audit-page", "active_page"),
        Input("audit-action", "value"),
        Input("audit-username", "value"),
        Input("audit-since", "value"),
        Input("audit-until", "value"),
        Input("audit-page", "active_page"),
    )
    def show(
        action: str | None,
        username: str | None,
        since: str | None,
        until: str | None,
        page: int | None,
    ) -> tuple[Any, int, int]:
        staff = signed_in()
        chosen = chosen_filter(action, username, since, until)
        if ctx.triggered_id != "audit-page":
            page = 1  # new filters: back to the first page
        page = max(1, int(page or 1))
        try:
            rows, total = staff_actions.audit_page(settings, staff, chosen, page)
        except StaffRefused:
            raise PreventUpdate from None
        pages = max(1, math.ceil(total / staff_actions.AUDIT_PAGE_SIZE))
        page = min(page, pages)
        query = {
            "action": chosen.action,
            "username": chosen.username,
            "since": chosen.since.isoformat() if chosen.since else None,
            "until": chosen.until.isoformat() if chosen.until else None,
        }
        return audit.results(rows, total, page, pages, query), pages, page

    @app.server.get("/staff/audit.csv")
    def audit_csv() -> flask.Response:
        staff = staff_auth.current_staff()
        if staff is None or not staff.is_admin:
            flask.abort(404)
        args = flask.request.args
        chosen = chosen_filter(
            args.get("action"), args.get("username"), args.get("since"), args.get("until")
        )
        text = staff_actions.audit_csv(settings, staff, chosen)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        return flask.Response(
            ("\ufeff" + text).encode("utf-8"),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"',
                "Content-Type": "text/csv; charset=utf-8",
                "Cache-Control": "no-store",
            },
        )
