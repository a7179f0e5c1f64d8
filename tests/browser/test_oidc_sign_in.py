"""Signing in with OpenID Connect in Chromium: the button on the sign-in page, the real test
provider (tests/oidc) and back to the workspace, signed in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from dashboard.core.settings import Settings
from dashboard.infra import db
from data import accounts
from tests.browser.conftest import axe_violations
from tests.oidc import CLIENT_ID, CLIENT_SECRET, Provider

pytestmark = pytest.mark.browser


class _Forward:
    """The app, set once the provider (which must know the app's port) is running."""

    target: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.target(environ, start_response)


@pytest.fixture
def oidc_site(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from dashboard.web.factory import create_app

    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the test provider is plain http
    forward = _Forward()
    server = make_server("127.0.0.1", 0, forward, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    provider = Provider(f"{url}/staff/sign-in/oidc/callback", env={"OIDC_TEST_ACCOUNT": "alice"})
    try:
        settings = Settings(
            database_url=sqlite_url,
            oidc_issuer=provider.issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_provider_name="Agency Login",
            session_cookie_secure=False,
        )
        forward.target = create_app(settings).server
        with db.session_scope(sqlite_url) as session:
            accounts.create_user(session, "alice", "admin", email="alice@agency.example.gov")
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield url
        server.shutdown()
        thread.join(timeout=5)
    finally:
        provider.close()


def test_the_sign_in_button_signs_in_through_the_provider(browser, oidc_site: str):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{oidc_site}/staff/sign-in")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Sign in with Agency Login").click()
        page.wait_for_url(f"{oidc_site}/staff/**")
        assert "/staff/sign-in" not in page.url
        # Signed in: the sign-in page now sends the browser on to the workspace.
        page.goto(f"{oidc_site}/staff/sign-in")
        page.wait_for_url(f"{oidc_site}/staff/")
    finally:
        context.close()
