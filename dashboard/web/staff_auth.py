"""Staff sign-in, sessions and CSRF protection for ``/staff`` and ``/preview`` (issue 10).

Flask glue only: the rules (passwords, lockout, roles) are in ``data.accounts``.

- The session is Flask's signed cookie (``SECRET_KEY``): user id, the account's
  ``session_version``, when it was issued and when it was last used. Every request reloads
  the account, so disabling it or changing its role applies at once; a session ends
  ``session_lifetime_minutes`` after sign-in and after ``session_idle_minutes`` unused.
- CSRF: a random token per session. Every POST/PUT/PATCH/DELETE under ``/staff`` and
  ``/preview`` must carry it, in the ``X-CSRFToken`` header (Dash's renderer copies it there
  from the ``_csrf_token`` cookie) or the ``csrf_token`` form field; otherwise 400 and
  nothing is done. The sign-in form has a token too, kept in the session before sign-in.
- Signed out, a page under ``/staff`` or ``/preview`` redirects to the sign-in page; any
  other request gets 401.
"""

from __future__ import annotations

import functools
import hmac
import logging
import math
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

import flask
from werkzeug.wrappers import Response as WerkzeugResponse

from dashboard.core.settings import PROJECT_ROOT, Settings
from dashboard.infra import db
from dashboard.infra import rate_limit as limits
from dashboard.infra.cache import cache
from dashboard.infra.models import utcnow
from dashboard.infra.templating import render
from data import accounts
from data import audit as audit_log

SESSION_COOKIE_NAME = "cxdash_session"
CSRF_COOKIE_NAME = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "csrf_token"
SIGN_IN_PATH = "/staff/sign-in"
SIGN_OUT_PATH = "/staff/sign-out"
STAFF_HOME = "/staff/"
#: Requests that change nothing: no CSRF token needed.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The last-used time is written back to the cookie at most this often (seconds).
_SEEN_RESOLUTION_S = 30

_SESSION_KEY = "staff"
_CSRF_KEY = "csrf"
_G_STAFF = "_cxdash_staff"
_G_ENDED = "_cxdash_staff_session_ended"
_MISSING = object()

_log = logging.getLogger(__name__)


# --- paths ---------------------------------------------------------------------------------


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


def is_protected_path(path: str) -> bool:
    """Paths that need a signed-in staff member (and a CSRF token to change anything)."""
    return _under(path, "/staff") or _under(path, "/preview")


def is_open_staff_path(path: str) -> bool:
    """Staff paths anyone may open: sign-in (OpenID Connect included), sign-out, the CSS."""
    return _under(path, SIGN_IN_PATH) or path == SIGN_OUT_PATH or path.startswith("/staff/assets/")


def _is_background_request(path: str) -> bool:
    """Requests a page's scripts make (Dash's layout, callbacks): 401, never a redirect."""
    return "/_dash-" in path or path.endswith("/_reload-hash") or "/_favicon" in path


def safe_next(value: str | None) -> str | None:
    """``value`` when it is a path of this site under /staff or /preview, else None.

    The sign-in page sends the browser there afterwards: anything else (another site,
    ``//host``, a scheme, a backslash, control characters) would be an open redirect.
    """
    if not value or len(value) > 2000:
        return None
    if "\\" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return None
    path = parts.path
    if not (_under(path, "/staff") or _under(path, "/preview")):
        return None
    if ".." in path.split("/") or _under(path, SIGN_IN_PATH) or path == SIGN_OUT_PATH:
        return None
    return value


def sign_in_url(next_path: str | None = None, **flags: str) -> str:
    """The sign-in page's address, coming back to ``next_path`` afterwards."""
    query = [f"{name}={quote(value)}" for name, value in flags.items()]
    if safe_next(next_path):
        query.insert(0, "next=" + quote(next_path or "", safe="/"))
    return SIGN_IN_PATH + ("?" + "&".join(query) if query else "")


# --- settings and clock --------------------------------------------------------------------


def _settings() -> Settings:
    settings: Settings = flask.current_app.config["CXDASH_SETTINGS"]
    return settings


def _now_s() -> int:
    """Seconds since the epoch, from the injectable clock (dashboard.infra.models.frozen_clock)."""
    return int(utcnow().timestamp())


# --- sessions ------------------------------------------------------------------------------


def start_session(user_id: int, session_version: int) -> None:
    """Sign ``user_id`` in on this browser: a new session (never one the browser brought, so
    a planted cookie cannot be taken over) with a new CSRF token.

    Call only after checking who the user is (password, or OpenID Connect).
    """
    now = _now_s()
    flask.session.clear()
    flask.session[_SESSION_KEY] = {
        "uid": int(user_id),
        "ver": int(session_version),
        "iat": now,
        "seen": now,
    }
    flask.session[_CSRF_KEY] = secrets.token_urlsafe(32)
    flask.g.pop(_G_STAFF, None)


def end_session() -> None:
    """Forget the session on this browser (its cookie is emptied in the response)."""
    flask.session.clear()
    setattr(flask.g, _G_STAFF, None)


def current_staff() -> accounts.StaffMember | None:
    """The signed-in staff member on this request, as the account is now; None when signed
    out, the session has expired, or the account was disabled or its sessions ended.

    Loaded from the database once per request (role changes apply at once) and cached on
    ``flask.g``; it also keeps the session's last-used time up to date.
    """
    cached = getattr(flask.g, _G_STAFF, _MISSING)
    if cached is not _MISSING:
        return cached  # type: ignore[return-value]
    staff = _load_current_staff()
    setattr(flask.g, _G_STAFF, staff)
    return staff


def _load_current_staff() -> accounts.StaffMember | None:
    data = flask.session.get(_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    settings = _settings()
    now = _now_s()
    try:
        user_id, version = int(data["uid"]), int(data["ver"])
        issued, seen = int(data["iat"]), int(data["seen"])
    except (KeyError, TypeError, ValueError):
        end_session()
        return None
    expired = (
        now >= issued + settings.session_lifetime_minutes * 60
        or now >= seen + settings.session_idle_minutes * 60
        or now < issued - 300  # issued in the future: a clock gone wrong, start again
    )
    if expired:
        _session_ended()
        return None
    with db.session_scope(settings.database_url) as session:
        staff = accounts.load_staff(session, user_id, version)
    if staff is None:
        _session_ended()
        return None
    if now - seen >= _SEEN_RESOLUTION_S:
        flask.session[_SESSION_KEY] = {**data, "seen": now}
    return staff


def _session_ended() -> None:
    end_session()
    setattr(flask.g, _G_ENDED, True)


def csrf_token() -> str:
    """This session's CSRF token (made on first use): for hidden ``csrf_token`` form fields."""
    token = flask.session.get(_CSRF_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        flask.session[_CSRF_KEY] = token
    return token


def _csrf_ok() -> bool:
    expected = flask.session.get(_CSRF_KEY)
    if not isinstance(expected, str) or not expected:
        return False
    sent = flask.request.headers.get(CSRF_HEADER)
    if not sent and flask.request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sent = flask.request.form.get(CSRF_FIELD)
    if not sent:
        return False
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def client_address() -> str:
    """The client's address (behind ``TRUSTED_PROXIES`` proxies, from X-Forwarded-For)."""
    return limits.client_address(_settings())


def request_audit_fields() -> dict[str, Any]:
    """Who and where, for an audit entry written in the caller's own transaction:
    ``data.audit.record(session, action, **request_audit_fields(), ...)``."""
    staff = current_staff()
    return {
        "user_id": staff.id if staff else None,
        "username": staff.username if staff else None,
        "ip": client_address(),
        "user_agent": flask.request.headers.get("User-Agent"),
    }


def audit(action: str, **fields: Any) -> None:
    """Record ``action`` in the audit log, in its own short transaction, with the current
    staff member, the client's address and browser. ``fields``: agency_id, subject, detail
    (and user_id/username to name someone other than the signed-in member)."""
    entry = {**request_audit_fields(), **fields}
    with db.session_scope(_settings().database_url) as session:
        audit_log.record(session, action, **entry)


# --- rate limit ----------------------------------------------------------------------------


def charge_sign_in(settings: Settings, client: str, now: float) -> int | None:
    """Count one sign-in attempt from ``client``: None when allowed, else seconds to wait.

    A fixed one-minute window per client in the app's cache, like the export limit
    (dashboard.infra.rate_limit): shared by every worker on Redis and the filesystem cache.
    """
    limit = settings.sign_in_rate_limit
    if not limit:
        return None
    window = int(now // limits.RATE_WINDOW_S)
    retry_after = max(1, math.ceil((window + 1) * limits.RATE_WINDOW_S - now))
    key = f"ratelimit:sign-in:{client}:{window}"
    try:
        backend = cache.cache
        backend.add(key, 0, timeout=limits.RATE_WINDOW_S + 5)
        used = backend.inc(key, 1)
    except Exception:  # a cache that is down must not lock everybody out
        _log.warning("sign-in rate limit not applied: the cache is unavailable", exc_info=True)
        return None
    if used is None:
        return None
    return retry_after if int(used) > limit else None


# --- pages ---------------------------------------------------------------------------------


def _page(
    settings: Settings,
    *,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    notice: str | None = None,
    username: str = "",
    next_path: str | None = None,
    headers: dict[str, str] | None = None,
) -> flask.Response:
    page = render(
        "staff/sign_in.html",
        site_name=settings.site_name,
        errors=errors or [],
        error_fields={field for field, _ in errors or []},
        notice=notice,
        username=username,
        next_path=safe_next(next_path) or "",
        csrf_token=csrf_token(),
        oidc_name=settings.oidc_provider_name if settings.oidc_issuer else None,
        oidc_url=sign_in_url(next_path).replace(SIGN_IN_PATH, SIGN_IN_PATH + "/oidc", 1),
        action=SIGN_IN_PATH,
        stylesheets=stylesheets(),
    )
    return flask.Response(page, status=status, mimetype="text/html", headers=headers or {})


@functools.cache
def stylesheets() -> tuple[str, ...]:
    """The vendored Bootstrap CSS the staff app serves (``assets/staff/``), for the pages
    written here; none when it is missing (the pages still work, unstyled)."""
    folder = PROJECT_ROOT / "assets" / "staff"
    return tuple(
        f"/staff/assets/{path.name}" for path in sorted(folder.glob("*bootstrap*.min.css"))
    )


def _message_page(title: str, body: str, status: int, link: str) -> flask.Response:
    page = render(
        "staff/message.html", title=title, body=body, link=link, stylesheets=stylesheets()
    )
    return flask.Response(page, status=status, mimetype="text/html")


def _wrong_credentials_message(settings: Settings) -> str:
    # The same words whether the account is unknown, the password wrong or the account
    # locked: nothing tells an attacker which usernames exist (docs/staff-workspace.md).
    return (
        "The username or password is wrong. After "
        f"{settings.sign_in_lockout_after} wrong attempts in a row an account is locked for "
        f"{settings.sign_in_lockout_minutes} minutes."
    )


def _sign_in_get() -> flask.Response | WerkzeugResponse:
    settings = _settings()
    next_path = flask.request.args.get("next")
    if current_staff() is not None:
        return flask.redirect(safe_next(next_path) or STAFF_HOME, 303)
    notice = None
    if flask.request.args.get("signed_out"):
        notice = "You have signed out."
    elif flask.request.args.get("ended"):
        notice = "Your session has ended. Sign in again to continue."
    return _page(settings, notice=notice, next_path=next_path)


def _sign_in_post() -> flask.Response | WerkzeugResponse:
    settings = _settings()
    form = flask.request.form
    username = (form.get("username") or "").strip()[:200]
    password = form.get("password") or ""
    next_path = form.get("next")
    wait = charge_sign_in(settings, client_address(), utcnow().timestamp())
    if wait is not None:
        # Not written to the audit log (a flood would flood it): the server log has it.
        _log.warning("sign-in rate limit reached for %s", client_address())
        minutes = "a minute" if wait > 30 else f"{wait} seconds"
        return _page(
            settings,
            status=429,
            errors=[("username", f"Too many sign-in attempts. Wait {minutes} and try again.")],
            username=username,
            next_path=next_path,
            headers={"Retry-After": str(wait)},
        )
    errors = []
    if not username:
        errors.append(("username", "Enter your username."))
    if not password:
        errors.append(("password", "Enter your password."))
    if errors:
        return _page(settings, status=400, errors=errors, username=username, next_path=next_path)

    now = utcnow()
    ip, user_agent = client_address(), flask.request.headers.get("User-Agent")
    with db.session_scope(settings.database_url) as session:
        result = accounts.authenticate(
            session,
            username,
            password,
            now=now,
            lockout_after=settings.sign_in_lockout_after,
            lockout_minutes=settings.sign_in_lockout_minutes,
        )
        detail: dict[str, Any]
        if result.outcome == "ok":
            action, detail = "sign_in", {"method": "password"}
        elif result.outcome == "locked":
            action = "sign_in_locked"
            until = result.locked_until.isoformat() if result.locked_until else None
            detail = {"locked_until": until, "just_locked": result.just_locked}
        else:
            action = "sign_in_failed"
            reason = {"disabled": "account disabled"}.get(result.outcome, "wrong credentials")
            detail = {"reason": reason if result.user_id else "unknown account"}
        audit_log.record(
            session,
            action,
            user_id=result.user_id,
            username=result.username,
            detail=detail,
            now=now,
            ip=ip,
            user_agent=user_agent,
        )
    if result.outcome == "ok" and result.user_id is not None:
        start_session(result.user_id, result.session_version or 1)
        return flask.redirect(safe_next(next_path) or STAFF_HOME, 303)
    if result.outcome == "disabled":
        message = "This account is disabled. Ask an administrator to enable it."
    else:
        message = _wrong_credentials_message(settings)
    return _page(
        settings, status=401, errors=[("username", message)], username=username,
        next_path=next_path,
    )  # fmt: skip


def _sign_out() -> WerkzeugResponse:
    settings = _settings()
    staff = current_staff()
    if staff is not None:
        fields = request_audit_fields()
        with db.session_scope(settings.database_url) as session:
            # Signing out ends every session of the account: a copy of the cookie taken
            # earlier stops working too.
            accounts.end_all_sessions(session, staff.id)
            audit_log.record(session, "sign_out", **fields)
    end_session()
    response = flask.redirect(sign_in_url(signed_out="1"), 303)
    response.delete_cookie(CSRF_COOKIE_NAME, path="/staff")
    return response


# --- the request guard ---------------------------------------------------------------------


def _csrf_failure() -> flask.Response:
    message = "missing or invalid CSRF token"
    if flask.request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _message_page(
            "The form has expired",
            "Nothing was changed: the form was sent without a valid security token "
            f"({message}). This happens when a page stays open for a long time or the "
            "browser blocks cookies. Open the page again and retry.",
            400,
            SIGN_IN_PATH,
        )
    return flask.Response(message, status=400, mimetype="text/plain")


def _guard() -> flask.Response | WerkzeugResponse | None:
    path = flask.request.path
    if not is_protected_path(path):
        return None
    if flask.request.method not in SAFE_METHODS and not _csrf_ok():
        return _csrf_failure()
    if is_open_staff_path(path):
        return None
    if current_staff() is not None:
        if path == "/staff":
            return flask.redirect(STAFF_HOME, 308)
        return None
    ended = bool(getattr(flask.g, _G_ENDED, False))
    if flask.request.method in ("GET", "HEAD") and not _is_background_request(path):
        target = flask.request.full_path if flask.request.query_string else path
        flags = {"ended": "1"} if ended else {}
        return flask.redirect(sign_in_url(target, **flags), 302)
    message = "Your session has ended: sign in again." if ended else "Sign in first."
    return flask.Response(message, status=401, mimetype="text/plain")


def _after(response: flask.Response) -> flask.Response:
    path = flask.request.path
    if not is_protected_path(path):
        return response
    if not path.startswith(("/staff/assets/", "/staff/_dash-component-suites/")):
        # Staff pages and previews hold drafts and names: never kept by any cache.
        response.headers["Cache-Control"] = "no-store"
    token = flask.session.get(_CSRF_KEY)
    if (
        isinstance(token, str)
        and token
        and _SESSION_KEY in flask.session
        and flask.request.cookies.get(CSRF_COOKIE_NAME) != token
    ):
        settings = _settings()
        # Readable by scripts on purpose (not HttpOnly): Dash's renderer copies it into the
        # X-CSRFToken header of every callback. SameSite=Strict: never sent cross-site.
        response.set_cookie(
            CSRF_COOKIE_NAME,
            token,
            path="/staff",
            secure=settings.session_cookie_secure,
            httponly=False,
            samesite="Strict",
        )
    return response


def install(server: flask.Flask, settings: Settings) -> None:
    """Sessions, sign-in and sign-out, and the /staff and /preview guard, on ``server``.

    Call it before any other ``before_request`` handler that may answer /staff paths.
    """
    # A Settings built in code (tests) may have no key: a random one for this process. The
    # server refuses to start without SECRET_KEY before it gets here (factory.create_app).
    server.secret_key = settings.secret_key or secrets.token_hex(32)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
    )
    server.before_request(_guard)
    server.after_request(_after)
    server.add_url_rule(
        SIGN_IN_PATH, "staff_sign_in", _sign_in_get, methods=["GET"], strict_slashes=False
    )
    server.add_url_rule(SIGN_IN_PATH, "staff_sign_in_post", _sign_in_post, methods=["POST"])
    server.add_url_rule(SIGN_OUT_PATH, "staff_sign_out", _sign_out, methods=["POST"])
