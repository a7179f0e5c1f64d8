"""OpenID Connect sign-in against a real OpenID provider (issue 10).

The provider is the npm package oidc-provider (tests/oidc/provider.mjs), started here on a free
port; ``scripts/setup --dev`` installs it. Its interaction route signs in the account named by
``login_hint`` without a human, so these tests follow the real redirects: the app's
/staff/sign-in/oidc, the provider's authorization endpoint and interactions, the app's
callback (code exchange with PKCE, ID token verification), and the signed-in session.
In CI (CI=true) a missing node or provider is a failure, elsewhere a skip.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from dashboard.core.settings import Settings, SettingsError
from dashboard.infra import db
from dashboard.infra.models import AuditEntry, User, frozen_clock
from data import accounts
from data.oidc_accounts import (
    AMBIGUOUS_EMAIL,
    DISABLED,
    EMAIL_NOT_VERIFIED,
    LINKED_TO_ANOTHER_IDENTITY,
    LOCKED,
    NO_ACCOUNT,
    find_user_for_identity,
    match_identity,
)
from tests.oidc import CLIENT_ID, CLIENT_SECRET, Provider

CALLBACK_PATH = "/staff/sign-in/oidc/callback"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SwappableApp:
    """A WSGI app that forwards to the app of the current test: one server, one port (the
    redirect URI the provider knows), a fresh app and database per test."""

    def __init__(self) -> None:
        self.target: Callable[..., Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.target is not None, "no app for this test"
        return self.target(environ, start_response)


class AppServer:
    def __init__(self) -> None:
        self.wsgi = SwappableApp()
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture(scope="module")
def app_server() -> Iterator[AppServer]:
    server = AppServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def provider(app_server: AppServer) -> Iterator[Provider]:
    running = Provider(app_server.url + CALLBACK_PATH)
    yield running
    running.close()


@pytest.fixture(autouse=True)
def plain_http_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test provider serves http on the loopback interface; production issuers are https.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


def oidc_settings(database_url: str, issuer: str, **changes: Any) -> Settings:
    fields: dict[str, Any] = {
        "database_url": database_url,
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_provider_name": "Test Provider",
        "session_cookie_secure": False,
        **changes,
    }
    return Settings(**fields)


@pytest.fixture
def site(app_server: AppServer, provider: Provider, sqlite_url: str) -> Iterator[Site]:
    from dashboard.web.factory import create_app

    app = create_app(oidc_settings(sqlite_url, provider.issuer))
    app_server.wsgi.target = app.server
    yield Site(app_server.url, sqlite_url, provider.issuer)
    app_server.wsgi.target = None


class Site:
    def __init__(self, url: str, database_url: str, issuer: str) -> None:
        self.url = url
        self.database_url = database_url
        self.issuer = issuer
        self.browser = requests.Session()

    def add_user(self, username: str, email: str | None, **changes: Any) -> None:
        with db.session_scope(self.database_url) as session:
            user = accounts.create_user(session, username, "admin", email=email)
            for name, value in changes.items():
                setattr(user, name, value)

    def user(self, username: str) -> User:
        with db.session_scope(self.database_url) as session:
            found = session.scalars(select(User).where(User.username == username)).one()
            session.expunge(found)
            return found

    def audit(self, action: str) -> list[AuditEntry]:
        with db.session_scope(self.database_url) as session:
            rows = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
            session.expunge_all()
            return rows

    def start(self, next_path: str | None = None) -> requests.Response:
        query = f"?{urlencode({'next': next_path})}" if next_path else ""
        return self.browser.get(f"{self.url}/staff/sign-in/oidc{query}", allow_redirects=False)

    def at_provider(self, account: str, next_path: str | None = None) -> str:
        """Start at the app, sign in at the provider as ``account``: the callback URL the
        provider sends the browser back to (not yet opened)."""
        start = self.start(next_path)
        assert start.status_code == 302, start.text
        location = with_query(start.headers["Location"], login_hint=account)
        assert location.startswith(self.issuer)
        for _ in range(12):
            response = self.browser.get(location, allow_redirects=False)
            assert response.status_code in (302, 303), response.text[:500]
            location = urljoin(location, response.headers["Location"])
            if location.startswith(self.url + CALLBACK_PATH):
                return location
        raise AssertionError("the provider never sent the browser back")

    def sign_in(self, account: str, next_path: str | None = None) -> requests.Response:
        return self.browser.get(self.at_provider(account, next_path), allow_redirects=False)

    def signed_in(self) -> bool:
        """The sign-in page sends a signed-in member on (303); a visitor sees the form (200)."""
        response = self.browser.get(f"{self.url}/staff/sign-in", allow_redirects=False)
        assert response.status_code in (200, 303)
        return response.status_code == 303


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


# --- the whole flow --------------------------------------------------------------------------


def test_first_sign_in_links_the_account_by_its_verified_email(site: Site):
    site.add_user("alice", "alice@agency.example.gov")

    response = site.sign_in("alice")

    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert site.signed_in()
    workspace = site.browser.get(f"{site.url}/staff/", allow_redirects=False)
    assert workspace.status_code == 200
    alice = site.user("alice")
    assert (alice.oidc_issuer, alice.oidc_subject) == (site.issuer, "alice-0001")
    assert alice.last_sign_in_at is not None
    [entry] = site.audit("sign_in")
    assert entry.username == "alice" and entry.user_id == alice.id
    assert entry.detail == {
        "method": "oidc",
        "issuer": site.issuer,
        "subject": "alice-0001",
        "linked": True,
    }
    assert entry.ip == "127.0.0.1"


def test_later_sign_ins_go_by_the_link_not_the_email(site: Site):
    site.add_user("alice", "alice@agency.example.gov")
    assert site.sign_in("alice").status_code == 302
    with db.session_scope(site.database_url) as session:
        user = session.scalars(select(User).where(User.username == "alice")).one()
        user.email = "alice.new@agency.example.gov"
    site.browser = requests.Session()

    assert site.sign_in("alice").status_code == 302
    assert site.signed_in()
    assert [(e.detail or {}).get("linked") for e in site.audit("sign_in")] == [True, False]


def test_the_email_is_matched_whatever_its_case(site: Site):
    site.add_user("bob", "bob@agency.example.gov")

    assert site.sign_in("bob").status_code == 302
    assert site.signed_in()
    assert site.user("bob").oidc_subject == "bob-0002"


def test_the_page_asked_for_is_where_sign_in_ends(site: Site):
    site.add_user("alice", "alice@agency.example.gov")

    response = site.sign_in("alice", next_path="/preview/agency/dmv?lang=es")

    assert response.headers["Location"] == "/preview/agency/dmv?lang=es"


@pytest.mark.parametrize("outside", ["https://evil.example/", "//evil.example/x", "/api/v1/x"])
def test_a_next_path_outside_the_workspace_is_ignored(site: Site, outside: str):
    site.add_user("alice", "alice@agency.example.gov")

    assert site.sign_in("alice", next_path=outside).headers["Location"] == "/staff/"


def test_the_sign_in_page_offers_the_provider(site: Site):
    page = site.browser.get(f"{site.url}/staff/sign-in?next=/staff/upload")

    assert page.status_code == 200
    assert "Sign in with Test Provider" in page.text
    assert 'href="/staff/sign-in/oidc?next=/staff/upload"' in page.text


# --- refusals ------------------------------------------------------------------------------


def _assert_refused(site: Site, response: requests.Response, status: int, words: str) -> None:
    assert response.status_code == status
    assert words in response.text
    assert "Traceback" not in response.text
    assert not site.signed_in()
    assert site.audit("sign_in") == []


def test_an_identity_without_a_staff_account_is_refused(site: Site):
    site.add_user("alice", "alice@agency.example.gov")

    response = site.sign_in("stranger")

    _assert_refused(site, response, 403, "There is no staff account for this identity")
    assert "Ask an administrator" in response.text
    [entry] = site.audit("sign_in_failed")
    assert entry.username == "stranger@elsewhere.example"
    assert entry.detail is not None and entry.detail["reason"] == NO_ACCOUNT
    assert site.user("alice").oidc_subject is None


def test_an_email_the_provider_has_not_verified_matches_no_account(site: Site):
    site.add_user("carol", "carol@agency.example.gov")

    response = site.sign_in("carol")

    _assert_refused(site, response, 403, "has not verified your email address")
    assert site.user("carol").oidc_subject is None
    [entry] = site.audit("sign_in_failed")
    assert entry.detail is not None and entry.detail["reason"] == EMAIL_NOT_VERIFIED


def test_a_disabled_account_is_refused(site: Site):
    site.add_user("alice", "alice@agency.example.gov")
    with db.session_scope(site.database_url) as session:
        accounts.disable_user(session, "alice")

    response = site.sign_in("alice")

    _assert_refused(site, response, 403, "disabled")
    assert site.user("alice").oidc_subject is None


def test_a_disabled_account_already_linked_is_refused(site: Site):
    site.add_user("alice", "alice@agency.example.gov")
    assert site.sign_in("alice").status_code == 302
    with db.session_scope(site.database_url) as session:
        accounts.disable_user(session, "alice")
    site.browser = requests.Session()

    response = site.sign_in("alice")

    assert response.status_code == 403
    assert not site.signed_in()


def test_a_locked_account_is_refused(site: Site):
    locked_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    site.add_user("alice", "alice@agency.example.gov", locked_until=locked_until)

    response = site.sign_in("alice")

    _assert_refused(site, response, 403, "locked")


def test_an_account_linked_to_another_identity_is_not_taken_over(site: Site):
    site.add_user("alice", "alice@agency.example.gov")
    assert site.sign_in("alice").status_code == 302
    site.browser = requests.Session()

    response = site.sign_in("alice2")  # another subject with the same verified address

    assert response.status_code == 403
    assert not site.signed_in()
    assert site.user("alice").oidc_subject == "alice-0001"


def test_a_tampered_state_is_refused(site: Site):
    site.add_user("alice", "alice@agency.example.gov")
    callback = site.at_provider("alice")
    state = dict(parse_qsl(urlsplit(callback).query))["state"]

    response = site.browser.get(with_query(callback, state=state + "x"), allow_redirects=False)

    _assert_refused(site, response, 400, "Please start again")
    [entry] = site.audit("sign_in_failed")
    assert entry.detail == {"method": "oidc", "reason": "state_mismatch"}


def test_a_callback_opened_in_another_browser_is_refused(site: Site):
    site.add_user("alice", "alice@agency.example.gov")
    callback = site.at_provider("alice")

    response = requests.get(callback, allow_redirects=False)  # no session cookie

    assert response.status_code == 400
    assert not site.signed_in()


def test_a_callback_is_used_once(site: Site):
    site.add_user("alice", "alice@agency.example.gov")
    callback = site.at_provider("alice")
    assert site.browser.get(callback, allow_redirects=False).status_code == 302
    site.browser.cookies.clear(domain="127.0.0.1", path="/", name="cxdash_session")

    again = site.browser.get(callback, allow_redirects=False)

    assert again.status_code == 400
    assert not site.signed_in()


def test_cancelling_at_the_provider_signs_nobody_in(site: Site):
    site.add_user("alice", "alice@agency.example.gov")

    response = site.sign_in("cancel")

    _assert_refused(site, response, 400, "was cancelled")
    [entry] = site.audit("sign_in_failed")
    assert entry.detail == {"method": "oidc", "reason": "provider_error:access_denied"}


def test_callbacks_count_as_sign_in_attempts(site: Site):
    from dashboard.web.factory import create_app

    settings = oidc_settings(site.database_url, site.issuer, sign_in_rate_limit=2)
    client = create_app(settings).server.test_client()
    with frozen_clock(NOW):  # one rate-limit window for all three
        statuses = [client.get(f"{CALLBACK_PATH}?code=x&state=forged").status_code for _ in "abc"]

    assert statuses == [400, 400, 429]
    assert len(site.audit("sign_in_failed")) == 2


def test_a_provider_that_is_down_gets_a_clear_503(app_server: AppServer, sqlite_url: str):
    from dashboard.web.factory import create_app

    # The app starts without asking the provider: it is only asked at the first sign-in.
    down = f"http://127.0.0.1:{_free_port()}"
    app = create_app(oidc_settings(sqlite_url, down))
    app_server.wsgi.target = app.server
    try:
        assert requests.get(f"{app_server.url}/staff/sign-in").status_code == 200
        response = requests.get(f"{app_server.url}/staff/sign-in/oidc", allow_redirects=False)
    finally:
        app_server.wsgi.target = None

    assert response.status_code == 503
    assert "Test Provider cannot be reached right now" in response.text
    assert response.headers["Retry-After"] == "60"
    assert "Traceback" not in response.text


def test_a_provider_that_goes_down_before_the_callback_gets_a_503(
    app_server: AppServer, sqlite_url: str
):
    from dashboard.web.factory import create_app

    running = Provider(app_server.url + CALLBACK_PATH)
    try:
        app_server.wsgi.target = create_app(oidc_settings(sqlite_url, running.issuer)).server
        site = Site(app_server.url, sqlite_url, running.issuer)
        site.add_user("alice", "alice@agency.example.gov")
        callback = site.at_provider("alice")
        running.close()  # the code can no longer be exchanged

        response = site.browser.get(callback, allow_redirects=False)

        _assert_refused(site, response, 503, "cannot be reached right now")
    finally:
        app_server.wsgi.target = None
        running.close()


def test_metadata_naming_another_issuer_is_refused(
    site: Site, sqlite_url: str, caplog: pytest.LogCaptureFixture
):
    from dashboard.web.factory import create_app

    # The same provider under another name: its metadata names 127.0.0.1, not localhost.
    elsewhere = site.issuer.replace("127.0.0.1", "localhost")
    site_app = create_app(oidc_settings(sqlite_url, elsewhere))
    response = site_app.server.test_client().get("/staff/sign-in/oidc")

    assert response.status_code == 503
    assert f"names issuer '{site.issuer}'" in caplog.text


def test_an_http_issuer_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, sqlite_url: str):
    from dashboard.web.factory import create_app

    monkeypatch.delenv("AUTHLIB_INSECURE_TRANSPORT")
    with pytest.raises(SettingsError, match="https://"):
        create_app(oidc_settings(sqlite_url, "http://idp.example.gov"))


# --- private_key_jwt (login.gov's client authentication) -------------------------------------


def test_private_key_jwt_client_signs_in(app_server: AppServer, sqlite_url: str):
    from joserfc.jwk import RSAKey

    from dashboard.web.factory import create_app

    key = RSAKey.generate_key(2048)
    jwks = {"keys": [key.as_dict(private=False)]}
    running = Provider(app_server.url + CALLBACK_PATH, env={"CLIENT_JWKS": json.dumps(jwks)})
    try:
        pem = key.as_pem(private=True).decode()
        settings = oidc_settings(
            sqlite_url, running.issuer, oidc_client_id=CLIENT_ID + "-jwt", oidc_client_secret=pem
        )
        app_server.wsgi.target = create_app(settings).server
        site = Site(app_server.url, sqlite_url, running.issuer)
        site.add_user("alice", "alice@agency.example.gov")

        response = site.sign_in("alice")

        assert response.status_code == 302, response.text
        assert site.signed_in()
    finally:
        app_server.wsgi.target = None
        running.close()


def test_a_public_client_signs_in_with_pkce_alone(app_server: AppServer, site: Site):
    from dashboard.web.factory import create_app

    settings = oidc_settings(
        site.database_url,
        site.issuer,
        oidc_client_id=CLIENT_ID + "-public",
        oidc_client_secret=None,
    )
    app_server.wsgi.target = create_app(settings).server
    site.add_user("alice", "alice@agency.example.gov")

    response = site.sign_in("alice")

    assert response.status_code == 302, response.text
    assert site.signed_in()


# --- small rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email": "a@x.gov", "email_verified": True}, ("a@x.gov", True)),
        ({"email": "a@x.gov", "email_verified": "true"}, ("a@x.gov", True)),
        ({"email": "a@x.gov", "email_verified": False}, ("a@x.gov", False)),
        ({"email": "a@x.gov", "email_verified": "yes please"}, ("a@x.gov", False)),
        ({"email": "a@x.gov"}, ("a@x.gov", False)),
        ({"email": "a@x.gov", "xms_edov": True}, ("a@x.gov", True)),  # Entra ID
        ({"email": "a@x.gov", "email_verified": False, "xms_edov": True}, ("a@x.gov", False)),
        ({"email": "  ", "email_verified": True}, (None, True)),
        ({}, (None, False)),
    ],
)
def test_the_email_counts_only_when_the_provider_verified_it(
    claims: dict[str, Any], expected: tuple[str | None, bool]
):
    from dashboard.web.staff_oidc import claims_email

    assert claims_email(claims) == expected


def test_the_client_authentication_follows_the_secret():
    from dashboard.web.staff_oidc import metadata_url, token_endpoint_auth_method

    assert token_endpoint_auth_method("s3cret") == "client_secret_basic"
    assert token_endpoint_auth_method("-----BEGIN PRIVATE KEY-----\n...") == "private_key_jwt"
    assert token_endpoint_auth_method(None) == "none"
    assert metadata_url("https://secure.login.gov/") == (
        "https://secure.login.gov/.well-known/openid-configuration"
    )


# --- matching rules, on both databases -------------------------------------------------------


ISSUER = "https://idp.example.gov"


def _match(session: Any, subject: str, email: str | None, verified: bool = True) -> Any:
    return match_identity(
        session, issuer=ISSUER, subject=subject, email=email, email_verified=verified, now=NOW
    )


def test_matching_links_once_and_then_follows_the_link(db_url: str):
    with db.session_scope(db_url) as session:
        accounts.create_user(session, "alice", "admin", email="Alice@Agency.example.gov")
        first = _match(session, "s-1", "alice@agency.EXAMPLE.gov")
        assert first.user is not None and first.linked
        again = _match(session, "s-1", "someone.else@example.gov", verified=False)
        assert again.user is first.user and not again.linked
        assert _match(session, "s-2", "alice@agency.example.gov").refusal == (
            LINKED_TO_ANOTHER_IDENTITY
        )


def test_matching_refuses_what_it_cannot_be_sure_of(db_url: str):
    with db.session_scope(db_url) as session:
        accounts.create_user(session, "ann", "admin", email="shared@example.gov")
        accounts.create_user(session, "ben", "admin", email="SHARED@example.gov")
        accounts.create_user(session, "cy", "admin", email="cy@example.gov")
        assert _match(session, "s-1", "shared@example.gov").refusal == AMBIGUOUS_EMAIL
        assert _match(session, "s-2", "cy@example.gov", verified=False).refusal == (
            EMAIL_NOT_VERIFIED
        )
        assert _match(session, "s-3", None).refusal == NO_ACCOUNT
        assert _match(session, "s-4", "nobody@example.gov").refusal == NO_ACCOUNT
        linked = select(User.username).where(User.oidc_subject.is_not(None))
        assert session.scalars(linked).all() == []


def test_a_lockout_ends_and_disabling_refuses(db_url: str):
    with db.session_scope(db_url) as session:
        user = accounts.create_user(session, "dee", "admin", email="dee@example.gov")
        user.locked_until = NOW + dt.timedelta(minutes=5)
        session.flush()
        assert _match(session, "s-1", "dee@example.gov").refusal == LOCKED
        later = NOW + dt.timedelta(minutes=6)
        found = find_user_for_identity(
            session,
            issuer=ISSUER,
            subject="s-1",
            email="dee@example.gov",
            email_verified=True,
            now=later,
        )
        assert found is user
        accounts.disable_user(session, "dee", now=later)
        assert _match(session, "s-1", "dee@example.gov").refusal == DISABLED


def test_the_authentication_context_is_asked_of_the_provider(
    app_server: AppServer, provider: Provider, sqlite_url: str
):
    # login.gov refuses an authorization request without acr_values (OIDC_ACR_VALUES).
    from dashboard.web.factory import create_app

    acr = "urn:acr.login.gov:auth-only"
    settings = oidc_settings(sqlite_url, provider.issuer, oidc_acr_values=acr)
    app_server.wsgi.target = create_app(settings).server
    try:
        site = Site(app_server.url, sqlite_url, provider.issuer)
        site.add_user("alice", "alice@agency.example.gov")
        start = site.start()
        assert dict(parse_qsl(urlsplit(start.headers["Location"]).query))["acr_values"] == acr
        site.browser.cookies.clear()
        assert site.sign_in("alice").status_code == 302
        assert site.signed_in()
    finally:
        app_server.wsgi.target = None


def test_no_authentication_context_is_asked_unless_configured(site: Site):
    start = site.start()
    assert "acr_values" not in dict(parse_qsl(urlsplit(start.headers["Location"]).query))
