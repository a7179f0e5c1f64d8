"""OpenID Connect sign-in for staff (login.gov, Entra ID, Okta), through Authlib.

``GET /staff/sign-in/oidc`` sends the browser to the provider with a fresh ``state``, ``nonce``
and PKCE challenge (S256), all kept in the signed session; ``GET /staff/sign-in/oidc/callback``
checks the state, exchanges the code (with the PKCE verifier), verifies the ID token (signature,
issuer, audience, nonce, expiry) and signs in the staff account the identity is linked to
(``data.oidc_accounts``). The callback is a GET, so the workspace's CSRF token check does not
apply to it: the state parameter, bound to this browser's session, is its protection.

The provider's metadata is read on the first sign-in, never at start: the app starts, and
password sign-in works, while the provider is down. Every failure is a short page with a 4xx
or 503 status, and signs nobody in.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import flask
import requests
from authlib.common.errors import AuthlibBaseError  # type: ignore[import-untyped]
from authlib.integrations.flask_client import OAuth  # type: ignore[import-untyped]
from authlib.oauth2.rfc7523 import PrivateKeyJWT  # type: ignore[import-untyped]
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from dashboard.core.settings import Settings, SettingsError
from dashboard.infra.db import session_scope
from dashboard.infra.models import utcnow
from dashboard.infra.rate_limit import client_address
from dashboard.infra.templating import render
from dashboard.web.staff_auth import SIGN_IN_PATH as PASSWORD_SIGN_IN_PATH
from dashboard.web.staff_auth import (
    STAFF_HOME,
    charge_sign_in,
    safe_next,
    start_session,
    stylesheets,
)

SIGN_IN_PATH = "/staff/sign-in/oidc"
#: The redirect URI registered at the provider is https://<host> followed by this path: under
#: the sign-in path, which the staff guard lets signed-out visitors open
#: (``dashboard.web.staff_auth.is_open_staff_path``).
CALLBACK_PATH = SIGN_IN_PATH + "/callback"
#: Seconds to wait for the provider before telling the user it cannot be reached.
PROVIDER_TIMEOUT_S = 10

_CLIENT_NAME = "oidc"
_log = logging.getLogger(__name__)


def metadata_url(issuer: str) -> str:
    """The issuer's OpenID Provider Configuration (OpenID Connect Discovery 1.0)."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def token_endpoint_auth_method(client_secret: str | None) -> str:
    """How the client proves itself at the token endpoint, from what OIDC_CLIENT_SECRET holds.

    A PEM private key: ``private_key_jwt`` (login.gov's way); no secret: ``none``, a public
    client protected by PKCE alone (login.gov accepts that too); else ``client_secret_basic``.
    """
    if not client_secret:
        return "none"
    if client_secret.lstrip().startswith("-----BEGIN"):
        return "private_key_jwt"
    return "client_secret_basic"


def claims_email(claims: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The identity's email address and whether the provider verified it.

    ``email_verified`` must be true (some providers send the string "true"). Entra ID sends
    no ``email_verified``; its optional claim ``xms_edov`` (the email's domain is verified by
    the tenant) stands in for it.
    """
    email = claims.get("email")
    verified = claims.get("email_verified")
    if verified is None:
        verified = claims.get("xms_edov")
    is_verified = verified is True or (isinstance(verified, str) and verified.lower() == "true")
    return (email if isinstance(email, str) and email.strip() else None), is_verified


def install_oidc(server: flask.Flask, settings: Settings) -> None:
    """Add OpenID Connect sign-in to ``server`` when OIDC_ISSUER is set."""
    issuer = settings.oidc_issuer
    if not issuer:
        return
    if not settings.oidc_client_id:
        raise SettingsError("OIDC_ISSUER needs OIDC_CLIENT_ID (and usually OIDC_CLIENT_SECRET)")
    if not issuer.startswith("https://") and not os.environ.get("AUTHLIB_INSECURE_TRANSPORT"):
        raise SettingsError(
            f"OIDC_ISSUER must be an https:// URL, not {issuer!r}: identities and tokens must "
            "not cross the network in the clear."
        )
    auth_method = token_endpoint_auth_method(settings.oidc_client_secret)
    client_kwargs: dict[str, Any] = {
        "scope": settings.oidc_scopes,
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": auth_method,
        "default_timeout": PROVIDER_TIMEOUT_S,
    }
    oauth = OAuth()
    oauth.init_app(server)
    client = oauth.register(
        name=_CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=metadata_url(issuer),
        client_kwargs=client_kwargs,
        # The assertion's audience is the token endpoint Authlib posts to (login.gov's rule).
        client_auth_methods=[PrivateKeyJWT()] if auth_method == "private_key_jwt" else None,
    )
    provider = settings.oidc_provider_name

    def redirect_uri() -> str:
        # Behind a proxy that ends TLS the request looks like http; a deployment that sends
        # Secure cookies is served over https, and the provider only knows the https address.
        scheme = "https" if settings.session_cookie_secure else flask.request.scheme
        return f"{scheme}://{flask.request.host}{CALLBACK_PATH}"

    def load_metadata() -> Mapping[str, Any]:
        metadata: Mapping[str, Any] = client.load_server_metadata()
        found = str(metadata.get("issuer") or "")
        if found.rstrip("/") != issuer.rstrip("/"):
            # Discovery 1.0 §4.3: the issuer named in the document must be the one asked.
            client.server_metadata.clear()
            raise ValueError(f"the provider's metadata names issuer {found!r}, not {issuer!r}")
        return metadata

    def sign_in() -> Response:
        next_path = safe_next(flask.request.args.get("next")) or STAFF_HOME
        callback_uri = redirect_uri()
        try:
            load_metadata()
            # login.gov refuses a request without the authentication context it should apply.
            extra = {"acr_values": settings.oidc_acr_values} if settings.oidc_acr_values else {}
            authorization = client.create_authorization_url(callback_uri, **extra)
        except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
            _log.error("OpenID provider %s unavailable: %s", issuer, error)
            return _provider_unavailable(provider)
        # Authlib keeps state, nonce, PKCE verifier and redirect URI in the signed session,
        # under the state; `next` goes with them, so two sign-ins in two tabs do not mix.
        client.save_authorize_data(redirect_uri=callback_uri, next=next_path, **authorization)
        return flask.redirect(authorization["url"])

    def callback() -> Response:
        args = flask.request.args
        # Each callback is a sign-in attempt, counted with the password ones: a flood of
        # crafted callbacks can neither hammer the provider nor fill the audit log.
        wait = charge_sign_in(settings, client_address(settings), utcnow().timestamp())
        if wait is not None:
            response = _page(
                "Too many sign-in attempts",
                f"Too many sign-in attempts from your address. Wait {wait} seconds and start "
                "again.",
                429,
            )
            response.headers["Retry-After"] = str(wait)
            return response
        if args.get("error"):
            # The user cancelled, or the provider refused: nothing to check, the attempt ends.
            if args.get("state"):
                client.framework.clear_state_data(flask.session, args["state"])
            _audit_failure(settings, reason=f"provider_error:{args['error']}"[:80])
            cancelled = args["error"] == "access_denied"
            return _page(
                "Sign-in not completed",
                (
                    f"Sign-in with {provider} was cancelled."
                    if cancelled
                    else f"{provider} did not sign you in (it answered {args['error'][:80]!r})."
                ),
                400,
            )
        state = args.get("state") or ""
        state_data = client.framework.get_state_data(flask.session, state) if state else None
        if not state_data or not args.get("code"):
            _audit_failure(settings, reason="state_mismatch")
            return _page(
                "Sign-in expired",
                "This sign-in could not be checked: it expired, or it was started in another "
                "browser. Please start again.",
                400,
            )
        next_path = safe_next(state_data.get("next")) or STAFF_HOME
        try:
            token = client.authorize_access_token()
            claims = token.get("userinfo")
            if not claims:
                raise ValueError("the token response has no ID token")
            claims = dict(claims)
            email, verified = claims_email(claims)
            if email is None and load_metadata().get("userinfo_endpoint"):
                # login.gov, and providers asked for few ID token claims, say it at userinfo.
                extra = dict(client.userinfo(token=token))
                if extra.get("sub") != claims.get("sub"):
                    raise ValueError("userinfo names another subject than the ID token")
                email, verified = claims_email(extra)
        except requests.RequestException as error:
            _log.error("OpenID provider %s unavailable: %s", issuer, error)
            return _provider_unavailable(provider)
        except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
            _log.warning("OpenID sign-in refused: %s: %s", type(error).__name__, error)
            _audit_failure(settings, reason=f"invalid_response:{type(error).__name__}")
            return _page(
                "Sign-in could not be verified",
                f"The answer from {provider} could not be verified, so you are not signed in. "
                "Please start again.",
                400,
            )
        return _sign_in_identity(
            settings,
            issuer=str(claims["iss"]),
            subject=str(claims["sub"]),
            email=email,
            email_verified=verified,
            next_path=next_path,
            provider=provider,
        )

    server.add_url_rule(SIGN_IN_PATH, "staff_oidc_sign_in", sign_in, methods=["GET"])
    server.add_url_rule(CALLBACK_PATH, "staff_oidc_callback", callback, methods=["GET"])


_REFUSAL_TEXT = {
    "email_not_verified": (
        "{provider} has not verified your email address, so it cannot be matched to a staff "
        "account. Verify it there, or ask an administrator."
    ),
    "disabled": "Your staff account is disabled. Ask an administrator.",
    "locked": "Your staff account is locked for a while after failed sign-ins. Try again later.",
    "linked_to_another_identity": (
        "The staff account with your email address signs in with another identity. "
        "Ask an administrator."
    ),
}
_NO_ACCOUNT_TEXT = (
    "There is no staff account for this identity ({email}). Ask an administrator to add one."
)


def _sign_in_identity(
    settings: Settings,
    *,
    issuer: str,
    subject: str,
    email: str | None,
    email_verified: bool,
    next_path: str,
    provider: str,
) -> Response:
    from data import audit
    from data.accounts import note_sign_in
    from data.oidc_accounts import match_identity

    now = utcnow()
    detail = {"method": "oidc", "issuer": issuer, "subject": subject}
    with session_scope(settings.database_url) as session:
        match = match_identity(
            session,
            issuer=issuer,
            subject=subject,
            email=email,
            email_verified=email_verified,
            now=now,
        )
        user = match.user
        if user is None:
            audit.record(
                session,
                "sign_in_failed",
                username=email,
                detail={**detail, "reason": match.refusal},
                now=now,
                ip=client_address(settings),
                user_agent=flask.request.headers.get("User-Agent"),
            )
            text = _REFUSAL_TEXT.get(match.refusal or "", _NO_ACCOUNT_TEXT)
            return _page(
                "No staff account",
                text.format(provider=provider, email=email or "no email address given"),
                403,
            )
        note_sign_in(session, user.id, now=now)
        audit.record(
            session,
            "sign_in",
            user_id=user.id,
            username=user.username,
            detail={**detail, "linked": match.linked},
            now=now,
            ip=client_address(settings),
            user_agent=flask.request.headers.get("User-Agent"),
        )
        user_id, version = user.id, user.session_version

    start_session(user_id, version)
    return flask.redirect(next_path)


def _audit_failure(settings: Settings, *, reason: str) -> None:
    from data import audit

    with session_scope(settings.database_url) as session:
        audit.record(
            session,
            "sign_in_failed",
            detail={"method": "oidc", "reason": reason},
            ip=client_address(settings),
            user_agent=flask.request.headers.get("User-Agent"),
        )


def _provider_unavailable(provider: str) -> Response:
    response = _page(
        "Sign-in service unavailable",
        f"{provider} cannot be reached right now, so you cannot sign in with it. Please try "
        "again in a few minutes, or sign in with your password if you have one.",
        503,
    )
    response.headers["Retry-After"] = "60"
    return response


def _page(title: str, message: str, status: int) -> Response:
    """A short page that says what happened and links back to sign-in; nobody is signed in."""
    page = render(
        "staff/message.html",
        title=title,
        body=message,
        link=PASSWORD_SIGN_IN_PATH,
        stylesheets=stylesheets(),
    )
    response = flask.Response(page, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
