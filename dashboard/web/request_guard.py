"""Edge checks for what Dash serves by itself: no 500 from a URL or a callback body.

Dash trusts whatever reaches its routes. An unknown component-suite file raises Dash's
``DependencyException``; a callback body that dash-renderer would never send (a number for a
pathname, no ``inputs``, an output no callback has) raises wherever Dash or the callback first
trips over it. Both were 500s. Here they get the status that belongs:

- a component-suite path naming no file Dash registered: 404;
- a path under a Dash app's own names (``_dash-…``, ``assets/``…) that only Dash's catch-all
  page route matched (``/assets/``, ``/_dash-component-suites/dash//x.js``): 404;
- a callback body whose shape is not Dash's protocol, that names no registered server callback,
  whose inputs and state are not the callback's, or whose values are not of the types the
  callback takes (:data:`VALUE_TYPES`): 400 with a JSON ``{"error": ...}``;
- an error a callback still raises on a value it cannot take (TypeError, ValueError...): 400,
  logged with its traceback (it may also be a bug). Only on the callback route: anywhere else
  such an error stays Flask's 500.

Page paths (those Dash's page routes match) are checked by ``factory.reject_unknown_paths``
with :func:`is_page_request`: a path that no other route claims is a page or a 404.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

import flask
from dash import Dash
from dash.exceptions import DependencyException

from dashboard.core.settings import Settings

_log = logging.getLogger(__name__)

CALLBACK_ROUTE = "_dash-update-component"
_CATCH_ALL = "<path:path>"

#: What a Dash app serves under its prefix by itself: a path starting with one of these that
#: only the page catch-all matched names nothing.
DASH_OWN_NAMES = ("_dash-", "_reload-hash", "_favicon", "assets")

#: Deeper than any body dash-renderer sends for this site's callbacks (a pattern-matching
#: input is 3 levels, a stored dict 2 more); a deeper one is refused before anything walks it.
MAX_DEPTH = 32

#: Pattern-matching wildcards as Dash writes them in a callback's id (``{"row": ["ALL"]}``).
_WILDCARDS = ("ALL", "MATCH", "ALLSMALLER")
#: The wildcards that stand for a list of components (MATCH stands for one).
_MANY = ("ALL", "ALLSMALLER")

#: (component id, property) -> the types its value may have in a callback body: what each
#: server callback that reads it accepts (callbacks/router.py, callbacks/review.py and the
#: staff router, callbacks/staff/navigation.py). Anything else never reaches the callback.
VALUE_TYPES: Mapping[tuple[str, str], tuple[type, ...]] = {
    ("url", "pathname"): (str, type(None)),
    ("url", "search"): (str, type(None)),
    ("rendered-url", "data"): (str, type(None)),
    ("review-pack-button", "n_clicks"): (int, type(None)),
    ("review-pack-poll", "n_intervals"): (int, type(None)),
    ("review-pack-request", "data"): (dict, type(None)),
    ("review-pack-job", "data"): (str, type(None)),
    ("staff-url", "pathname"): (str, type(None)),
    ("staff-url", "search"): (str, type(None)),
}

#: Errors a callback raises on a value it cannot take: a 400 on the callback route.
BAD_INPUT_ERRORS: tuple[type[Exception], ...] = (
    TypeError,
    ValueError,
    LookupError,
    AttributeError,
)


class BadCallbackBody(ValueError):
    """A callback body that is not what dash-renderer sends; the message says why."""


def install(app: Dash, settings: Settings) -> None:
    """The checks on ``app``'s Flask server, for every Dash app on it (the public app and the
    staff workspace under /staff/, created later on the same server)."""
    server = app.server
    server.before_request(_refuse_stray_dash_paths)
    server.before_request(_check_callback_body)
    # Registered before the factory's security headers, so it runs after them (Flask runs
    # after_request functions last registered first) and amends what they set.
    server.after_request(partial(_embed_framing, settings.embed_frame_ancestors))
    server.register_error_handler(DependencyException, _unknown_component_file)
    for kind in BAD_INPUT_ERRORS:
        server.register_error_handler(kind, _bad_callback_input)


# -- which route answers ---------------------------------------------------------------------


def _routed_app() -> tuple[Dash, str] | None:
    """(the Dash app, the endpoint) when a Dash app's own route matched this request."""
    rule = flask.request.url_rule
    if rule is None or rule.endpoint is None:
        return None
    view = flask.current_app.view_functions.get(rule.endpoint)
    owner = getattr(view, "__self__", None)  # Dash routes are the app's bound methods
    if not isinstance(owner, Dash):
        return None
    return owner, rule.endpoint


def is_page_request(app: Dash) -> bool:
    """True when ``app``'s page routes (its index or catch-all) matched this request: no other
    route (Dash's own, the assets, a download, the API, the staff app...) claims the path, so
    it must be a page of ``app`` or a 404."""
    rule = flask.request.url_rule
    prefix = app.config.routes_pathname_prefix
    return rule is not None and rule.endpoint in (prefix, prefix + _CATCH_ALL)


def _refuse_stray_dash_paths() -> flask.Response | None:
    """A path under a Dash app's own names that only its catch-all matched: a 404, not the
    app's page (``/staff/_dash-component-suites/dash//x.js``, ``/staff/assets/``)."""
    routed = _routed_app()
    if routed is None:
        return None
    owner, endpoint = routed
    prefix = owner.config.routes_pathname_prefix
    if endpoint != prefix + _CATCH_ALL:
        return None
    rest = flask.request.path.removeprefix(prefix)
    if not rest.startswith(DASH_OWN_NAMES):
        return None
    return _not_found()


def _not_found() -> flask.Response:
    return flask.Response("Not found\n", status=404, mimetype="text/plain")


def _unknown_component_file(error: DependencyException) -> flask.Response:
    # Dash raises it for a package or file it did not register (a typo, a probe, a path
    # with "..": Dash never reads such a file, it only refuses late, as a 500).
    _log.info("no such component-suite file: %s", flask.request.path)
    return _not_found()


# -- framing: the embeddable chart pages only (issue 13, item 7) -----------------------------

#: The page paths another site may frame, when EMBED_FRAME_ANCESTORS allows it.
EMBED_PREFIX = "/embed/"
_FRAME_ANCESTORS = re.compile(r"frame-ancestors [^;]*")


def _embed_framing(frame_ancestors: str, response: flask.Response) -> flask.Response:
    """An embed page's response names the sites that may frame it (``frame-ancestors``); every
    other response keeps the site's own policy (``'none'`` and ``X-Frame-Options: DENY``)."""
    if not flask.request.path.startswith(EMBED_PREFIX):
        return response
    directive = f"frame-ancestors {frame_ancestors}"
    policy = response.headers.get("Content-Security-Policy")
    if policy is not None and "frame-ancestors" in policy:
        response.headers["Content-Security-Policy"] = _FRAME_ANCESTORS.sub(
            lambda _match: directive, policy
        )
    elif policy is not None:
        response.headers["Content-Security-Policy"] = f"{policy}; {directive}"
    else:
        response.headers["Content-Security-Policy"] = directive
    if frame_ancestors == "'none'":
        response.headers["X-Frame-Options"] = "DENY"
    else:
        # Browsers that know frame-ancestors ignore it; older ones would refuse every frame.
        response.headers.pop("X-Frame-Options", None)
    return response


# -- callback bodies -------------------------------------------------------------------------


def _bad_request(message: str) -> flask.Response:
    response = flask.jsonify({"error": message})
    response.status_code = 400
    response.headers["Cache-Control"] = "no-store"
    return response


def _callback_app() -> Dash | None:
    """The Dash app whose callback route this POST is for, or None."""
    routed = _routed_app()
    if routed is None or flask.request.method != "POST":
        return None
    owner, endpoint = routed
    if endpoint != owner.config.routes_pathname_prefix + CALLBACK_ROUTE:
        return None
    return owner


#: Bodies already found good, per Dash app: the same bytes are good again (the check is a
#: function of the body and the app's callbacks, which are all registered at start-up). A
#: navigation posts one of a few bodies over and over, and the check cost ~50 µs of a warm
#: answer. Bounded: bodies up to :data:`_KNOWN_BODY_MAX` bytes, :data:`_KNOWN_BODIES` per app.
_KNOWN_BODY_MAX = 2048
_KNOWN_BODIES = 256
_known_bodies: weakref.WeakKeyDictionary[Dash, dict[bytes, None]] = weakref.WeakKeyDictionary()
_known_lock = threading.Lock()


def _known_good(owner: Dash, raw: bytes) -> bool:
    known = _known_bodies.get(owner)
    return known is not None and raw in known


def _remember_good(owner: Dash, raw: bytes) -> None:
    if len(raw) > _KNOWN_BODY_MAX:
        return
    with _known_lock:
        known = _known_bodies.setdefault(owner, {})
        while len(known) >= _KNOWN_BODIES:
            del known[next(iter(known))]
        known[raw] = None


def _check_callback_body() -> flask.Response | None:
    owner = _callback_app()
    if owner is None:
        return None
    request = flask.request
    # Only a JSON body can have been found good (get_json reads nothing else).
    raw = request.get_data(cache=True) if request.is_json else b""
    if raw and _known_good(owner, raw):
        return None
    try:
        # silent: None for another content type or bad JSON. Flask keeps the parsed body for
        # Dash's own get_json(); RecursionError is what a deeply nested body raises.
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
    try:
        check_callback_body(body, owner.callback_map)
    except BadCallbackBody as error:
        _log.info("refused a callback body on %s: %s", request.path, error)
        return _bad_request(str(error))
    if raw:
        _remember_good(owner, raw)
    return None


def _bad_callback_input(error: Exception) -> flask.Response:
    if _callback_app() is None:
        raise error  # anywhere else: Flask's ordinary 500 and its log entry
    _log.warning(
        "a callback failed on the values it was sent (%s: %s)",
        type(error).__name__,
        error,
        exc_info=error,
    )
    return _bad_request("the callback cannot take the values it was sent")


def check_callback_body(body: Any, callback_map: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise :class:`BadCallbackBody` unless ``body`` is a request dash-renderer could send for
    a server callback of ``callback_map`` (a Dash app's ``callback_map``)."""
    if not isinstance(body, dict):
        raise BadCallbackBody("the body must be a JSON object (Content-Type: application/json)")
    _check_depth_and_text(body)
    output = body.get("output")
    if not isinstance(output, str):
        raise BadCallbackBody("'output' must be a string")
    callback = callback_map.get(output)
    if callback is None or "callback" not in callback:
        # "callback" missing: a clientside callback, which the server never runs.
        raise BadCallbackBody("'output' names no server callback")
    if not callback.get("no_output"):
        _check_outputs(body.get("outputs"), output)
    for key in ("inputs", "state"):
        _check_dependencies(key, body.get(key, [] if key == "state" else None), callback[key])
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(_is_prop_id(item) for item in changed):
        raise BadCallbackBody("'changedPropIds' must be a list of 'id.property' strings")


def _check_depth_and_text(body: Any) -> None:
    """No nesting deeper than MAX_DEPTH, and no NUL character in any string (no store can
    hold one, and no form field sends one)."""
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise BadCallbackBody("a string holds a NUL character")
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise BadCallbackBody(f"the body is nested deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    raise BadCallbackBody("a key holds a NUL character")
                stack.append((item, depth + 1))


def _output_specs(output: str) -> list[tuple[str, str]]:
    """(id, property) of each output a callback_map key names (``..a.b...c.d..`` or ``a.b``)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    specs = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        specs.append((component, prop))
    return specs


def _check_outputs(outputs: Any, output: str) -> None:
    specs = _output_specs(output)
    if output.startswith(".."):
        if not isinstance(outputs, list) or len(outputs) != len(specs):
            raise BadCallbackBody(f"'outputs' must be a list of the callback's {len(specs)}")
        posted = outputs
    else:
        posted = [outputs]
    for item, (component, prop) in zip(posted, specs, strict=True):
        if not _matches_dependency(item, component, prop):
            raise BadCallbackBody("'outputs' are not the callback's outputs")


def _check_dependencies(key: str, posted: Any, declared: Sequence[Mapping[str, Any]]) -> None:
    if not isinstance(posted, list) or len(posted) != len(declared):
        raise BadCallbackBody(f"'{key}' must be a list of the callback's {len(declared)} {key}")
    for item, spec in zip(posted, declared, strict=True):
        component, prop = spec["id"], spec["property"]
        if not _matches_dependency(item, component, prop):
            raise BadCallbackBody(f"'{key}' are not the callback's {key}")
        for entry in _entries(item):
            allowed = VALUE_TYPES.get((component, prop))
            value = entry.get("value")
            if allowed is not None and not _is_instance(value, allowed):
                raise BadCallbackBody(f"'{component}.{prop}' has a value of the wrong type")


def _entries(item: Any) -> Iterator[dict[str, Any]]:
    yield from item if isinstance(item, list) else [item]


def _is_instance(value: Any, allowed: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in allowed:
        return False  # JSON true is no click count
    return isinstance(value, allowed)


def _pattern(component: str) -> dict[str, Any] | None:
    """The pattern of a pattern-matching id as the callback map writes it, else None."""
    if not component.startswith("{"):
        return None
    pattern = json.loads(component)
    return pattern if isinstance(pattern, dict) else None


def _is_wildcard(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 1 and value[0] in _WILDCARDS


def _matches_dependency(item: Any, component: str, prop: str) -> bool:
    """``item`` is what dash-renderer posts for the dependency ``component.prop``: one
    ``{id, property, value}``, or a list of them for an ALL / ALLSMALLER pattern."""
    pattern = _pattern(component)
    if pattern is None:
        return _matches_one(item, prop) and item.get("id") == component
    many = any(_is_wildcard(value) and value[0] in _MANY for value in pattern.values())
    if not many:
        return _matches_one(item, prop) and _fits_pattern(item.get("id"), pattern)
    return isinstance(item, list) and all(
        _matches_one(entry, prop) and _fits_pattern(entry.get("id"), pattern) for entry in item
    )


def _matches_one(item: Any, prop: str) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("property"), str):
        return False
    # A duplicate output's property carries "@<hash>" in the callback map, not in the body.
    return bool(item["property"].split("@")[0] == prop.split("@")[0])


def _fits_pattern(component: Any, pattern: Mapping[str, Any]) -> bool:
    if not isinstance(component, dict) or set(component) != set(pattern):
        return False
    for key, wanted in pattern.items():
        value = component[key]
        if _is_wildcard(wanted):
            if not isinstance(value, str | int | float | bool):
                return False
        elif value != wanted:
            return False
    return True


def _is_prop_id(item: Any) -> bool:
    """An ``id.property`` string whose id, when it is a pattern-matching one, is a JSON object
    (Dash's ``ctx.triggered_id`` parses it)."""
    if not isinstance(item, str):
        return False
    component, dot, prop = item.rpartition(".")
    if not dot or not component or not prop:
        return False
    if component.startswith("{"):
        try:
            parsed = json.loads(component)
        except (ValueError, RecursionError):
            return False
        return isinstance(parsed, dict)
    return True
