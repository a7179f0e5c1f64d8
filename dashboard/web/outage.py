"""A data store that is down or not set up: 503 with ``Retry-After``, never a 500 or traceback.

Three places meet an outage, and each answers in the form its client reads:

- a page, a download or an export: a short HTML 503 page in the visitor's language;
- the open-data API (``/api/``): a JSON 503 in the API's error shape
  (``{"error": {"status", "code", "message"}}``, :func:`dashboard.open_data.error_body`);
- a Dash page callback: Dash's renderer keeps the old page on screen when a callback answers
  anything but 200, so the router catches the outage itself and draws a message instead
  (``callbacks/router.py``, ``layouts/outage.py``).

The cause goes to the log for the operator; the visitor is told to come back later.
"""

from __future__ import annotations

import html as html_escape
import logging
import sqlite3
from collections.abc import Callable

import flask
import psycopg
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import InternalServerError

from dashboard import open_data
from dashboard.core.i18n import t
from dashboard.web import api_requests

logger = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again: long enough for a database restart
#: or failover, short enough that a reader is not told to give up.
RETRY_AFTER_SECONDS = 60

#: Errors of the data store itself: SQLAlchemy's (it wraps the driver's), and the drivers' own,
#: for code that reaches them unwrapped (a raw connection, an error re-raised from a cause).
STORE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.SQLAlchemyError,
    sqlite3.Error,
    psycopg.Error,
)
#: Store errors about the values a request sent (an integer too large for a column), not about
#: the store being there: a bug or a missing check to be seen as one, never "come back later".
NOT_AN_OUTAGE: tuple[type[Exception], ...] = (
    sa_exc.DataError,
    sqlite3.DataError,
    psycopg.DataError,
)


def store_outage(error: BaseException | None) -> BaseException | None:
    """The store error behind ``error`` when it means the store cannot be read, else None.

    Follows ``__cause__`` and ``__context__``, so an outage wrapped by other code (a cached
    computation, a helper that re-raises) is still recognised.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, NOT_AN_OUTAGE):
            return None
        if isinstance(error, STORE_ERRORS):
            return error
        error = error.__cause__ or error.__context__
    return None


def is_store_outage(error: BaseException | None) -> bool:
    return store_outage(error) is not None


def log_outage(error: BaseException) -> None:
    """One line for the operator: the store error, without a traceback per request."""
    cause = store_outage(error) or error
    logger.error("data store unavailable: %s: %s", type(cause).__name__, cause)


def html_unavailable(language: str) -> flask.Response:
    """The plain 503 page (no Dash, no script: it must draw when nothing else can)."""
    title = html_escape.escape(t("store_unavailable_title", language))
    body = html_escape.escape(t("store_unavailable_body", language))
    page = (
        f'<!DOCTYPE html><html lang="{html_escape.escape(language)}"><head>'
        '<meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title}</title></head><body><main><h1>{title}</h1><p role="alert">{body}</p>'
        "</main></body></html>"
    )
    return flask.Response(
        page,
        status=503,
        mimetype="text/html",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


def json_unavailable() -> flask.Response:
    """The open-data API's 503, in its JSON error shape."""
    body = open_data.error_body(
        503,
        "service_unavailable",
        "the data store cannot be read right now; try again later",
        retry_after=RETRY_AFTER_SECONDS,
    )
    return flask.Response(
        api_requests.json_text(body),
        status=503,
        mimetype="application/json",
        headers={
            "Retry-After": str(RETRY_AFTER_SECONDS),
            "Cache-Control": "no-store",
            "Access-Control-Allow-Origin": "*",
        },
    )


def unavailable_response(language: str) -> flask.Response:
    """The 503 for the current request: JSON under ``/api/``, the HTML page elsewhere."""
    if flask.request.path.startswith("/api/"):
        return json_unavailable()
    return html_unavailable(language)


def install(server: flask.Flask, request_language: Callable[[], str]) -> None:
    """Answer every store outage of ``server`` with a 503 (``request_language``: the
    language of the current request, for the HTML page)."""

    def store_error(error: Exception) -> flask.Response:
        if not is_store_outage(error):
            raise error  # Flask's ordinary 500 (and its log entry)
        log_outage(error)
        return unavailable_response(request_language())

    for kind in STORE_ERRORS:
        server.register_error_handler(kind, store_error)

    @server.errorhandler(InternalServerError)
    def wrapped_store_error(error: InternalServerError) -> flask.Response | InternalServerError:
        # An unhandled error of another kind whose cause is a store outage (Flask hands the
        # 500 handler the original exception).
        original = error.original_exception
        if original is None or not is_store_outage(original):
            return error
        log_outage(original)
        return unavailable_response(request_language())
