"""``/healthz``: each dependency's state, for load balancers, orchestrators and operators.

``{"status": "ok" | "degraded" | "error", "checks": {"database": {...}, "cache": {...},
"export_browser": {...}}}``. Only the database is essential: without it the answer is 503
(with ``Retry-After``), so that a load balancer takes the instance out of rotation. A cache
that is down (pages are served uncached) or a missing export browser (chart images and
review packs fail, pages work) is "degraded" with a 200: restarting the instance would not
help, and taking it out of rotation would turn a slower site into no site.

Every check is cheap enough to run every few seconds: one ``SELECT 1``, one Redis PING (none
while the cache's circuit breaker is open) and a look at the browser's file; Chromium is
never started here.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import flask

from dashboard.core.settings import Settings
from dashboard.infra.cache import cache_status

#: Seconds a client is asked to wait before checking again when the database is down.
RETRY_AFTER_S = 60

#: A check whose status is one of these makes the instance "degraded" (not "error").
_DOWN = "unavailable"


def database_status(settings: Settings) -> dict[str, Any]:
    from sqlalchemy import text

    from dashboard.infra.db import get_engine

    try:
        with get_engine(settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to answer SELECT 1 is a database that is down
        # The error's class only: /healthz is public, and a message may name hosts or users.
        return {"status": _DOWN, "error": type(error).__name__}
    return {"status": "ok"}


def export_browser_path() -> str:
    """The Chromium Kaleido would start: BROWSER_PATH (choreographer's override), else PATH.

    Falls back to the review pack's printer (CHROMIUM_PATH, default /usr/bin/chromium),
    which is the same Debian package.
    """
    from dashboard.views.review_pack import CHROMIUM

    return (
        os.environ.get("BROWSER_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
        or CHROMIUM
    )


def export_browser_status(path: str | None = None) -> dict[str, Any]:
    """Whether the browser chart exports and review packs need is installed and executable.

    Only the file is looked at: starting Chromium per check would cost a second and ~100 MB.
    ``running`` says whether this worker holds a warm one (started by a first export).
    """
    from dashboard.infra.exports import is_running

    path = path if path is not None else export_browser_path()
    usable = os.path.isfile(path) and os.access(path, os.X_OK)
    found: dict[str, Any] = {"status": "ok" if usable else _DOWN, "running": is_running()}
    if not usable:
        found["error"] = "browser not found or not executable"
    return found


def health(settings: Settings) -> tuple[dict[str, Any], int]:
    """The /healthz body and its HTTP status (needs the app: the cache check reads it)."""
    checks = {
        "database": database_status(settings),
        "cache": cache_status(),
        "export_browser": export_browser_status(),
    }
    if checks["database"]["status"] != "ok":
        return {"status": "error", "checks": checks}, 503
    degraded = any(check["status"] == _DOWN for check in checks.values())
    return {"status": "degraded" if degraded else "ok", "checks": checks}, 200


def register(server: flask.Flask, settings: Settings) -> None:
    @server.get("/healthz")
    def healthz() -> flask.Response:
        body, code = health(settings)
        response = flask.jsonify(body)
        response.status_code = code
        # A health answer is about this moment: no proxy or browser may keep it.
        response.headers["Cache-Control"] = "no-store"
        if code == 503:
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response
