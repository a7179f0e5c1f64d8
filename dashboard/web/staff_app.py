"""The staff workspace: a second Dash app under /staff on the public app's Flask server.

A separate app, so that public pages carry none of its code: its own scripts, callbacks and
Bootstrap build (``assets/staff/``, which the public app ignores). Sign-in, sessions and CSRF
checks are dashboard.web.staff_auth's; the pages' reads and changes are
dashboard.web.staff_actions'. The composition root (dashboard.web.factory) wires the layout
and callbacks in (``callbacks.staff.register``): this module may not import them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import flask
from dash import Dash

from dashboard.core.settings import PROJECT_ROOT, Settings

STAFF_PREFIX = "/staff/"
STAFF_ASSETS = PROJECT_ROOT / "assets" / "staff"

INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        <noscript>The staff workspace needs JavaScript.</noscript>
        {%app_entry%}
        <div class="dash-scripts">
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""

#: Paths under /staff/ that are not pages: Dash's own, the assets, sign-in, the CSV export.
_INTERNAL = re.compile(
    r"^/staff/(?:_dash-|_reload-hash|_favicon|assets/|sign-in|sign-out|audit\.csv$|feedback\.csv$)"
)

#: The kinds of content, as URLs name them.
CONTENT_URL_KINDS = ("actions", "contact-points", "closures", "targets")


@dataclass(frozen=True)
class StaffRoute:
    """A staff page: ``page`` is home, upload, content, review, users, audit or feedback."""

    page: str
    kind: str | None = None


def staff_route(path: str | None) -> StaffRoute | None:
    """The staff page at ``path``, or None (the 404 page)."""
    path = path or STAFF_PREFIX
    if path in ("/staff", STAFF_PREFIX):
        return StaffRoute("home")
    rest = path.removeprefix(STAFF_PREFIX).rstrip("/")
    if rest in ("upload", "review", "users", "audit", "feedback"):
        return StaffRoute(rest)
    head, _, kind = rest.partition("/")
    if head == "content" and kind in CONTENT_URL_KINDS:
        return StaffRoute("content", kind)
    return None


def create_staff_app(server: flask.Flask, settings: Settings) -> Dash:
    """The staff Dash app on ``server`` (layout and callbacks: callbacks.staff.register)."""
    app = Dash(
        __name__,
        server=server,
        url_base_pathname=STAFF_PREFIX,
        title=f"Staff workspace: {settings.site_name}",
        assets_folder=str(STAFF_ASSETS),
        serve_locally=True,  # never a CDN
        compress=False,  # the public app already compresses every response of the server
        update_title=None,  # type: ignore[arg-type]  # Dash documents None
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = INDEX_STRING
    _register_not_found(app)
    _register_security_headers(app)
    return app


def _register_not_found(app: Dash) -> None:
    """An unknown /staff/ path gets HTTP 404 (the staff frame then shows its 404 page)."""

    @app.server.before_request
    def reject_unknown_staff_paths() -> tuple[str, int] | None:
        path = flask.request.path
        if not path.startswith(STAFF_PREFIX) or flask.request.method != "GET":
            return None
        if _INTERNAL.match(path) or staff_route(path) is not None:
            return None
        return app.index(), 404


def _register_security_headers(app: Dash) -> None:
    """The staff app's own script hashes in its Content-Security-Policy (computed once every
    callback is registered, at the first request)."""
    from dashboard.web.factory import content_security_policy

    policies: list[str] = []

    @app.server.after_request
    def add_staff_policy(response: flask.Response) -> flask.Response:
        if flask.request.path.startswith(STAFF_PREFIX):
            if not policies:
                policies.append(content_security_policy(app.csp_hashes()))
            response.headers["Content-Security-Policy"] = policies[0]
        return response
