"""Routes a /staff URL to its page, for the member signed in on this request."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output
from dash.exceptions import PreventUpdate

from callbacks.staff import audit, content, feedback, home, review, upload, users
from callbacks.staff.common import query_value, settings_of, viewer_of
from dashboard.core.settings import Settings
from dashboard.web import staff_auth
from dashboard.web.staff_actions import StaffRefused
from dashboard.web.staff_app import staff_route
from layouts.staff import shell

PAGES = {
    "home": home.render,
    "upload": upload.render,
    "content": content.render,
    "review": review.render,
    "users": users.render,
    "audit": audit.render,
    "feedback": feedback.render,
}


def render(settings: Settings, path: str, search: str | None) -> list:
    """The frame and page for ``path``: the 404 page, a refusal or the page itself."""
    staff = staff_auth.current_staff()
    if staff is None:
        return shell.page(content=shell.signed_out(), path=path, viewer=None)
    viewer = viewer_of(staff)
    route = staff_route(path)
    content_part: list[Any]
    if route is None:
        content_part = shell.not_found(path)
    else:
        try:
            content_part = PAGES[route.page](
                settings, staff, route, lambda name: query_value(search, name)
            )
        except StaffRefused as refusal:
            content_part = shell.refused(refusal.message)
    return shell.page(content=content_part, path=path, viewer=viewer)


def register(app: Dash) -> None:
    settings = settings_of(app)

    @app.callback(
        Output("staff-page", "children"),
        Input("staff-url", "pathname"),
        Input("staff-url", "search"),
    )
    def show_page(pathname: str | None, search: str | None) -> list:
        if pathname is None:
            raise PreventUpdate
        return render(settings, pathname, search)
