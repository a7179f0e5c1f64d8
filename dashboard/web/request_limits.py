"""Per-client limits on the costly public requests: page data and the open-data API.

A ``before_request`` hook counts each request of a limited kind against the client's window
(``dashboard.infra.rate_limit``; PAGE_RATE_LIMIT and API_RATE_LIMIT a minute, shared by every
worker when the cache is Redis) and, over the limit, answers at once, before any page or
query is built, so that a flood costs a counter increment per request instead of a page:

- the open-data API (``/api/...``): HTTP 429, the API's JSON error, ``Retry-After``;
- a page's data (Dash's ``/_dash-update-component`` and ``/_dash-layout`` of the public app,
  and ``/download/`` CSVs): HTTP 429 with ``Retry-After``, except where Dash would then keep
  the previous page on screen without a word (its renderer ignores a callback's error
  status): the router's callback and the first layout answer 200 with a "Too many requests"
  page (``layouts/busy.py``), the way a store outage is drawn (``layouts/outage.py``).

Chart image exports count in their own, smaller bucket (EXPORT_RATE_LIMIT, in
``callbacks/exports.py``). Never limited here: ``/healthz`` (a load balancer polls it),
static files (``/assets/``, Dash's scripts), page HTML (a small fixed shell) and the staff
workspace under ``/staff/`` (signed in, with its own sign-in limit).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol, TypeGuard
from urllib.parse import urlsplit

import flask
from dash._utils import to_json

from dashboard import open_data
from dashboard.core.i18n import NP_, P_, Messages, messages, normalize_language, translate
from dashboard.core.routes import parse_query
from dashboard.core.settings import Settings
from dashboard.infra import rate_limit

TEXT: Messages = messages(
    P_("too_many_requests_title", "Too many requests"),
    NP_(
        "too_many_requests_body",
        "This site has had more requests from your connection than it can answer just now. "
        "Please wait {count} second and try again.",
        "This site has had more requests from your connection than it can answer just now. "
        "Please wait {count} seconds and try again.",
    ),
)

#: The public app's Dash endpoints that build a page (the staff app's live under /staff/).
CALLBACK_PATH = "/_dash-update-component"
LAYOUT_PATH = "/_dash-layout"

#: The router callback's output that holds the page (``callbacks/router.py``).
_PAGE_OUTPUT = {"id": "page", "property": "children"}


class BusyPages(Protocol):
    """What draws the "Too many requests" page (``layouts/busy.py``)."""

    def frame(self, *, path: str, language: str, site_name: str, seconds: int) -> list: ...

    def app_layout(self, *, path: str, language: str, site_name: str, seconds: int) -> Any: ...


def bucket_of(path: str, method: str) -> str | None:
    """The limit a request counts against: "page", "api", or None (not limited here)."""
    if path == "/api" or path.startswith("/api/"):
        # A CORS preflight is answered by Flask without touching the data.
        return None if method == "OPTIONS" else "api"
    if (path == CALLBACK_PATH and method == "POST") or path == LAYOUT_PATH:
        return "page"
    if path.startswith("/download/"):
        return "page"
    return None


def limit_of(settings: Settings, bucket: str) -> int:
    return settings.api_rate_limit if bucket == "api" else settings.page_rate_limit


def install(server: flask.Flask, settings: Settings, busy: BusyPages) -> None:
    """Count and refuse over-limit requests of ``server``'s public app.

    ``Settings(extra={"clock": callable})`` (tests only) sets the clock the windows are
    counted by, in seconds since the epoch.
    """
    clock = settings.extra.get("clock")

    @server.before_request
    def limit_requests() -> flask.Response | None:
        request = flask.request
        bucket = bucket_of(request.path, request.method)
        if bucket is None:
            return None
        limit = limit_of(settings, bucket)
        if not limit:
            return None
        client = rate_limit.client_address(settings)
        now = float(clock()) if callable(clock) else None
        wait = rate_limit.charge(settings, bucket, client, limit, now=now)
        if wait is None:
            return None
        return refusal(settings, busy, bucket, wait)


def refusal(settings: Settings, busy: BusyPages, bucket: str, wait: int) -> flask.Response:
    """The answer to an over-limit request of ``bucket`` that may retry in ``wait`` seconds."""
    request = flask.request
    if bucket == "api":
        return api_refusal(wait)
    if request.path == CALLBACK_PATH:
        body = request.get_json(silent=True)
        if is_router_call(body):
            return router_refusal(settings, busy, wait, body)
        return json_refusal(wait)
    if request.path == LAYOUT_PATH:
        path, search = _referred_page()
        language = _language(settings, search)
        layout = busy.app_layout(
            path=path, language=language, site_name=settings.site_name, seconds=wait
        )
        return _with_retry(_dash_json(to_json(layout)), wait)
    language = normalize_language(request.args.get("lang"), settings.default_language)
    text = message(language, wait)
    return _with_retry(
        flask.Response(text + "\n", status=429, mimetype="text/plain", headers=_lang(language)),
        wait,
    )


def message(language: str, wait: int) -> str:
    """ "Too many requests" and how long to wait, in ``language``."""
    title = translate(TEXT, "too_many_requests_title", language)
    return f"{title}. {translate(TEXT, 'too_many_requests_body', language, count=wait)}"


def api_refusal(wait: int) -> flask.Response:
    body = open_data.error_body(
        429,
        "too_many_requests",
        f"too many requests from this client; try again in {wait} s",
        retry_after=wait,
    )
    response = flask.Response(json.dumps(body), status=429, mimetype="application/json")
    # Open data is read from other sites' pages: they must be able to read the refusal too.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    return _with_retry(response, wait)


def json_refusal(wait: int) -> flask.Response:
    body = {"error": "too many requests", "retry_after": wait}
    return _with_retry(
        flask.Response(json.dumps(body), status=429, mimetype="application/json"), wait
    )


def is_router_call(body: object) -> TypeGuard[Mapping[str, Any]]:
    """Whether a callback request body is the router's: the one that draws a page."""
    if not isinstance(body, Mapping):
        return False
    outputs = body.get("outputs")
    return isinstance(outputs, list) and _PAGE_OUTPUT in outputs


def router_inputs(body: Mapping[str, Any]) -> tuple[str, str]:
    """(pathname, search) the router was asked to draw; "/" and "" when unreadable."""
    values: dict[str, str] = {}
    for item in body.get("inputs") or []:
        if isinstance(item, Mapping) and item.get("id") == "url":
            value = item.get("value")
            if isinstance(value, str):
                values[str(item.get("property"))] = value
    return values.get("pathname") or "/", values.get("search") or ""


def _rendered_url(body: Mapping[str, Any]) -> object:
    """The router's ``rendered-url`` state: the page already on screen."""
    for item in body.get("state") or []:
        if isinstance(item, Mapping) and item.get("id") == "rendered-url":
            return item.get("value")
    return None


def router_refusal(
    settings: Settings, busy: BusyPages, wait: int, body: Mapping[str, Any]
) -> flask.Response:
    """The router callback's answer over the limit: the "Too many requests" page, in a 200.

    Dash's renderer drops a callback's error answer without a word (the old page would stay
    under the new URL), so the page says it instead. ``rendered-url`` is emptied, so that the
    next navigation, back to the previous page included, draws its page again.
    """
    path, search = router_inputs(body)
    if _rendered_url(body) == path + search:
        # The layout already holds this page (the router would not update anything): keep it.
        return flask.Response(status=204)
    language = _language(settings, search)
    frame = busy.frame(path=path, language=language, site_name=settings.site_name, seconds=wait)
    answer = {
        "multi": True,
        "response": {
            "page": {"children": frame, "lang": language},
            "rendered-url": {"data": None},
        },
    }
    return _with_retry(_dash_json(to_json(answer)), wait)


def _dash_json(text: str) -> flask.Response:
    response = flask.Response(text, status=200, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _with_retry(response: flask.Response, wait: int) -> flask.Response:
    response.headers["Retry-After"] = str(wait)
    response.headers["Cache-Control"] = "no-store"
    return response


def _lang(language: str) -> dict[str, str]:
    return {"Content-Language": language}


def _language(settings: Settings, search: str) -> str:
    return normalize_language(parse_query(search).get("lang"), settings.default_language)


def _referred_page() -> tuple[str, str]:
    """(path, query string) of the page whose layout is asked for (its Referer), or "/"."""
    referrer = urlsplit(flask.request.referrer or "")
    if not referrer.path or referrer.netloc != flask.request.host:
        return "/", ""
    return referrer.path, f"?{referrer.query}" if referrer.query else ""
