"""Staff accounts, sign-in, sessions and CSRF on SQLite and PostgreSQL (issue 10).

The ``cxdash user`` commands run through click's CliRunner against DATABASE_URL; the web
side through Flask's test client on ``create_app(Settings(...))``. Time is a frozen clock
(dashboard.infra.models.frozen_clock), never a sleep.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import flask
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from dashboard.core.settings import SECRET_KEY_MISSING, Settings, SettingsError
from dashboard.infra import db
from dashboard.infra.models import AuditEntry, Unit, User, frozen_clock
from dashboard.web import staff_auth
from dashboard.web.cli import main as cxdash
from dashboard.web.factory import create_app
from data import accounts
from data.agency_scope import agency_by_slug

PASSWORD = "correct horse battery staple"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


# --- fixtures and helpers ---------------------------------------------------------------------


def add_agencies(url: str) -> None:
    with db.session_scope(url) as session:
        state = Unit(slug="state", kind="enterprise", name_en="State")
        session.add(state)
        for slug, name in (("dmv", "Motor Vehicles"), ("tax", "Revenue")):
            session.add(Unit(slug=slug, kind="agency", name_en=name, parent=state))
        session.add(Unit(slug="dmv-licences", kind="service", name_en="Licences", parent=state))


def add_user(url: str, username: str, role: str = "editor", **options: Any) -> int:
    options.setdefault("password", PASSWORD)
    if role == "editor":
        options.setdefault("agencies", ["dmv"])
    with db.session_scope(url) as session:
        return accounts.create_user(session, username, role, **options).id


def agency_id(url: str, slug: str) -> int:
    with db.session_scope(url) as session:
        found = agency_by_slug(session, slug)
    assert found is not None
    return found


def audit_actions(url: str) -> list[tuple[str, str | None]]:
    with db.session_scope(url) as session:
        return [
            (row.action, row.username)
            for row in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def whoami_routes(server: flask.Flask, url: str) -> None:
    """Two test routes under /staff: one reads the member, one changes the store.

    Named like Dash's own requests (``/staff/_dash-…``), which the staff app leaves to their
    routes: signed out, they get 401 rather than a redirect.
    """

    @server.get("/staff/_dash-test-whoami")
    def whoami() -> dict[str, Any]:
        staff = staff_auth.current_staff()
        assert staff is not None  # the guard let the request through
        return {
            "username": staff.username,
            "role": staff.role,
            "agencies": sorted(staff.agency_ids),
            "all": staff.agency_scope is None,
        }

    @server.post("/staff/_dash-test-change")
    def change() -> dict[str, str]:
        staff_auth.audit("edit", subject="test change")
        return {"changed": "yes"}


class Browser:
    """A test client that reads the sign-in form's CSRF token like a browser would."""

    def __init__(self, server: flask.Flask) -> None:
        self.client = server.test_client()

    def sign_in_form(self, query: str = "") -> str:
        page = self.client.get("/staff/sign-in" + query)
        assert page.status_code == 200, page.status_code
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match
        return match.group(1)

    def sign_in(self, username: str, password: str = PASSWORD, next_path: str | None = None) -> Any:
        token = self.sign_in_form()
        form = {"username": username, "password": password, "csrf_token": token}
        if next_path is not None:
            form["next"] = next_path
        return self.client.post("/staff/sign-in", data=form)

    def csrf_cookie(self) -> str | None:
        cookie = self.client.get_cookie("_csrf_token", path="/staff")
        return cookie.value if cookie else None

    def whoami(self) -> Any:
        return self.client.get("/staff/_dash-test-whoami")


@pytest.fixture
def store(db_url: str) -> str:
    add_agencies(db_url)
    return db_url


def build(url: str, **settings: Any) -> flask.Flask:
    server = create_app(Settings(database_url=url, **settings)).server
    whoami_routes(server, url)
    return server


@pytest.fixture
def server(store: str) -> flask.Flask:
    return build(store)


# --- the cxdash user commands -----------------------------------------------------------------


def run(url: str, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(
        cxdash, list(args), input=input, env={"DATABASE_URL": url}, catch_exceptions=False
    )


def test_user_commands_add_list_change_disable_enable(store: str) -> None:
    added = run(store, "user", "add", "Ada", "--role", "admin", "--password-stdin",
                input=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Added ada (admin)" in added.output
    prompted = run(
        store, "user", "add", "ed", "--role", "editor", "--agency", "dmv", "--name", "Ed Itor",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output  # hidden input
    sso = run(store, "user", "add", "pub@state.gov", "--role", "publisher", "--all-agencies",
              "--no-password", "--email", "pub@state.gov")  # fmt: skip
    assert sso.exit_code == 0, sso.output

    listed = json.loads(run(store, "user", "list", "--format", "json").output)
    by_name = {row["username"]: row for row in listed}
    assert set(by_name) == {"ada", "ed", "pub@state.gov"}
    assert by_name["ed"]["agencies"] == ["dmv"] and by_name["ed"]["display_name"] == "Ed Itor"
    assert by_name["pub@state.gov"]["has_password"] is False
    assert by_name["pub@state.gov"]["all_agencies"] is True
    assert all("password_hash" not in row and "$" not in json.dumps(row) for row in listed)
    text = run(store, "user", "list").output
    assert "ed" in text and "editor" in text and "dmv" in text

    changed = run(store, "user", "set-role", "ed", "--role", "publisher", "--agency", "tax")
    assert changed.exit_code == 0 and "publisher (tax)" in changed.output
    assert run(store, "user", "disable", "ed").exit_code == 0
    assert json.loads(run(store, "user", "list", "--format", "json").output)[1]["disabled"]
    assert run(store, "user", "enable", "ed").exit_code == 0
    new_password = run(store, "user", "set-password", "ed", "--password-stdin",
                       input="another long password\n")  # fmt: skip
    assert new_password.exit_code == 0, new_password.output
    with db.session_scope(store) as session:
        ed = session.scalars(select(User).where(User.username == "ed")).one()
        assert accounts.verify_password("another long password", ed.password_hash)
        assert ed.session_version == 3  # disabled once, password set once
    assert audit_actions(store) == [
        ("user_added", "cli"),
        ("user_added", "cli"),
        ("user_added", "cli"),
        ("role_changed", "cli"),
        ("user_disabled", "cli"),
        ("user_enabled", "cli"),
        ("password_set", "cli"),
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "x y", "--role", "admin", "--no-password"], None, "not a valid username"),
        (["add", "eve", "--role", "editor", "--no-password"], None, "at least one agency"),
        (["add", "eve", "--role", "editor", "--agency", "nope", "--no-password"], None, "nope"),
        (["add", "eve", "--role", "editor", "--all-agencies", "--no-password"], None, "editor"),
        (["add", "eve", "--role", "editor", "--agency", "dmv-licences", "--no-password"], None,
         "No agency has the slug"),
        (["add", "eve", "--role", "admin", "--password-stdin"], "short\n", "at least 12"),
        (["add", "eve", "--role", "boss", "--no-password"], None, "boss"),
        (["add", "ada", "--role", "admin", "--no-password"], None, "already an account"),
        (["set-role", "nobody", "--role", "admin"], None, "no account named"),
        (["set-role", "ada", "--role", "admin", "--agency", "dmv"], None, "every agency"),
        (["disable", "nobody"], None, "no account named"),
        (["set-password", "nobody", "--password-stdin"], PASSWORD + "\n", "no account named"),
    ],
)  # fmt: skip
def test_user_command_mistakes_are_clear_and_change_nothing(
    store: str, args: list[str], stdin: str | None, message: str
) -> None:
    add_user(store, "ada", "admin")
    before = audit_actions(store)
    result = run(store, "user", *args, input=stdin)
    assert result.exit_code != 0
    assert message.lower() in result.output.lower()
    assert "Traceback" not in result.output
    assert audit_actions(store) == before
    with db.session_scope(store) as session:
        assert session.scalar(select(func.count(User.id))) == 1


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://nobody@127.0.0.1:1/none", "sqlite:///{tmp}/empty.sqlite3"],
)
def test_user_commands_without_a_usable_store_say_so(url: str, tmp_path) -> None:
    result = run(url.format(tmp=tmp_path), "user", "list")
    assert result.exit_code == 1
    assert "cannot be used" in result.output and "cxdash init-db" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_to_start_without_a_secret_key(tmp_path) -> None:
    result = CliRunner().invoke(
        cxdash, ["serve"], env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
                                "SECRET_KEY": ""},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "SECRET_KEY is not set" in result.output
    assert "secrets.token_hex" in result.output


def test_the_app_from_the_environment_needs_a_secret_key(monkeypatch, sqlite_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SettingsError) as refused:
        create_app()
    assert str(refused.value) == SECRET_KEY_MISSING
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    assert create_app().server.secret_key == "k" * 64


def test_settings_built_in_code_get_a_random_key_per_app(sqlite_url: str) -> None:
    first = create_app(Settings(database_url=sqlite_url)).server.secret_key
    second = create_app(Settings(database_url=sqlite_url)).server.secret_key
    assert first and second and first != second and len(str(first)) >= 32


# --- signing in and out -----------------------------------------------------------------------


def test_sign_in_page_is_an_accessible_form(server: flask.Flask) -> None:
    page = server.test_client().get("/staff/sign-in")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="en">' in html and "<title>Sign in" in html
    assert '<label class="form-label" for="username">' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert "<script" not in html  # works without JavaScript
    assert "Sign in with" not in html  # no OpenID provider configured
    assert page.headers["Cache-Control"] == "no-store"


def test_sign_in_page_offers_the_openid_provider_when_configured(store: str) -> None:
    server = build(
        store, oidc_issuer="https://login.example", oidc_client_id="c", oidc_provider_name="Okta"
    )
    html = server.test_client().get("/staff/sign-in?next=/staff/upload").text
    assert "Sign in with Okta" in html
    assert 'href="/staff/sign-in/oidc?next=/staff/upload"' in html


def test_sign_in_and_out(server: flask.Flask, store: str) -> None:
    add_user(store, "ed")
    browser = Browser(server)
    signed_out = browser.client.get("/staff/upload?agency=dmv")
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"] == "/staff/sign-in?next=/staff/upload%3Fagency%3Ddmv"
    assert browser.whoami().status_code == 401

    signed_in = browser.sign_in("Ed", next_path="/staff/_dash-test-whoami")
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == "/staff/_dash-test-whoami"
    cookies = signed_in.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("cxdash_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" in session_cookie and "Path=/;" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith("_csrf_token="))
    assert "HttpOnly" not in csrf_cookie and "SameSite=Strict" in csrf_cookie
    assert "Path=/staff" in csrf_cookie and "Secure" in csrf_cookie
    assert browser.whoami().json == {"username": "ed", "role": "editor",
                                     "agencies": [agency_id(store, "dmv")],
                                     "all": False}  # fmt: skip

    # Signed in, the sign-in page sends the member on.
    again = browser.client.get("/staff/sign-in?next=/staff/_dash-test-whoami")
    assert again.status_code == 303 and again.headers["Location"] == "/staff/_dash-test-whoami"

    token = browser.csrf_cookie()
    assert token
    out = browser.client.post("/staff/sign-out", data={"csrf_token": token})
    assert out.status_code == 303
    assert out.headers["Location"] == "/staff/sign-in?signed_out=1"
    assert "You have signed out." in browser.client.get(out.headers["Location"]).text
    assert browser.whoami().status_code == 401
    assert audit_actions(store) == [("sign_in", "ed"), ("sign_out", "ed")]


def test_cookies_are_not_secure_when_the_setting_is_off(store: str) -> None:
    add_user(store, "ed")
    browser = Browser(build(store, session_cookie_secure=False))
    cookies = browser.sign_in("ed").headers.getlist("Set-Cookie")
    assert cookies and all("Secure" not in cookie for cookie in cookies)
    assert all("HttpOnly" in c for c in cookies if c.startswith("cxdash_session="))


def test_sign_in_starts_a_new_session(server: flask.Flask, store: str) -> None:
    """Session fixation: nothing of the session the browser brought survives sign-in."""
    add_user(store, "ed")
    browser = Browser(server)
    before_token = browser.sign_in_form()
    before = browser.client.get_cookie("cxdash_session")
    assert before is not None
    browser.sign_in("ed")
    after = browser.client.get_cookie("cxdash_session")
    assert after is not None and after.value != before.value
    assert browser.csrf_cookie() not in (None, before_token)


def test_sign_out_ends_every_copy_of_the_session(server: flask.Flask, store: str) -> None:
    add_user(store, "ed")
    browser = Browser(server)
    browser.sign_in("ed")
    stolen = browser.client.get_cookie("cxdash_session")
    assert stolen is not None
    browser.client.post("/staff/sign-out", headers={"X-CSRFToken": browser.csrf_cookie() or ""})
    thief = server.test_client()
    thief.set_cookie("cxdash_session", stolen.value)
    assert thief.get("/staff/_dash-test-whoami").status_code == 401


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/staff", "/\\evil.example", "/agency/dmv",
     "javascript:alert(1)"],
)  # fmt: skip
def test_no_open_redirect_after_sign_in(server: flask.Flask, store: str, next_path: str) -> None:
    add_user(store, "ed")
    response = Browser(server).sign_in("ed", next_path=next_path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"


def test_a_wrong_password_and_an_unknown_user_read_the_same(
    server: flask.Flask, store: str
) -> None:
    add_user(store, "ed")
    browser = Browser(server)
    wrong = browser.sign_in("ed", "not the password at all")
    unknown = browser.sign_in("nobody", "not the password at all")
    no_password = add_user(store, "sso", "admin", password=None)
    assert no_password
    sso = browser.sign_in("sso", "not the password at all")
    for response in (wrong, unknown, sso):
        assert response.status_code == 401
        assert "The username or password is wrong." in response.text
        assert 'role="alert"' in response.text
        assert "<title>Error: Sign in" in response.text
    assert browser.whoami().status_code == 401
    entries = audit_actions(store)
    assert entries == [("sign_in_failed", "ed"), ("sign_in_failed", "nobody"),
                       ("sign_in_failed", "sso")]  # fmt: skip


def test_an_empty_form_says_what_is_missing(server: flask.Flask) -> None:
    browser = Browser(server)
    token = browser.sign_in_form()
    response = browser.client.post("/staff/sign-in", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Enter your username." in response.text and "Enter your password." in response.text
    assert 'href="#password"' in response.text


def test_text_from_the_form_is_escaped(server: flask.Flask) -> None:
    browser = Browser(server)
    response = browser.sign_in("<script>alert(1)</script>", "x" * 12)
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_lockout_after_failed_attempts_then_unlock_after_the_wait(store: str) -> None:
    add_user(store, "ed")
    server = build(store, sign_in_lockout_after=3, sign_in_lockout_minutes=15,
                   sign_in_rate_limit=0)  # fmt: skip
    browser = Browser(server)
    with frozen_clock(T0):
        for _ in range(3):
            assert browser.sign_in("ed", "wrong password here").status_code == 401
        locked = browser.sign_in("ed")  # the right password, but locked
        assert locked.status_code == 401
        assert "The username or password is wrong." in locked.text
        assert browser.whoami().status_code == 401
    with frozen_clock(T0 + dt.timedelta(minutes=14, seconds=59)):
        assert browser.sign_in("ed").status_code == 401
    with frozen_clock(T0 + dt.timedelta(minutes=15, seconds=1)):
        assert browser.sign_in("ed").status_code == 303
        assert browser.whoami().status_code == 200
    actions = [action for action, _ in audit_actions(store)]
    assert actions == ["sign_in_failed", "sign_in_failed", "sign_in_locked",
                       "sign_in_locked", "sign_in_locked", "sign_in"]  # fmt: skip
    with db.session_scope(store) as session:
        ed = session.scalars(select(User).where(User.username == "ed")).one()
        assert ed.failed_sign_ins == 0 and ed.locked_until is None


def test_a_disabled_account_cannot_sign_in(server: flask.Flask, store: str) -> None:
    add_user(store, "ed")
    with db.session_scope(store) as session:
        accounts.disable_user(session, "ed", now=T0)
    response = Browser(server).sign_in("ed")
    assert response.status_code == 401 and "disabled" in response.text
    wrong = Browser(server).sign_in("ed", "wrong password here")
    assert "disabled" not in wrong.text


def test_sign_in_rate_limit_per_client(store: str) -> None:
    add_user(store, "ed")
    server = build(store, sign_in_rate_limit=3)
    browser = Browser(server)
    with frozen_clock(T0):
        for _ in range(3):
            assert browser.sign_in("ed", "wrong password here").status_code == 401
        refused = browser.sign_in("ed")
        assert refused.status_code == 429
        assert "Too many sign-in attempts" in refused.text
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert browser.whoami().status_code == 401
        # Another client is not held up.
        other = server.test_client()
        other.environ_base["REMOTE_ADDR"] = "203.0.113.9"
        page = other.get("/staff/sign-in").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        allowed = other.post("/staff/sign-in", data={"username": "ed", "password": PASSWORD,
                                                     "csrf_token": token.group(1)})  # fmt: skip
        assert allowed.status_code == 303
    with frozen_clock(T0 + dt.timedelta(minutes=1)):
        assert browser.sign_in("ed").status_code == 303
    assert len([a for a, _ in audit_actions(store) if a == "sign_in_failed"]) == 3


# --- sessions ---------------------------------------------------------------------------------


def test_a_session_ends_after_its_lifetime(store: str) -> None:
    add_user(store, "ed")
    browser = Browser(build(store, session_lifetime_minutes=60, session_idle_minutes=30))
    with frozen_clock(T0):
        browser.sign_in("ed")
    # Used every 20 minutes, so never idle, but only an hour long.
    for minutes in (20, 40, 59):
        with frozen_clock(T0 + dt.timedelta(minutes=minutes)):
            assert browser.whoami().status_code == 200
    with frozen_clock(T0 + dt.timedelta(minutes=60)):
        ended = browser.client.get("/staff/upload")
        assert ended.status_code == 302
        assert ended.headers["Location"] == "/staff/sign-in?next=/staff/upload&ended=1"
        assert "Your session has ended" in browser.client.get(ended.headers["Location"]).text


def test_a_session_ends_when_idle(store: str) -> None:
    add_user(store, "ed")
    browser = Browser(build(store, session_lifetime_minutes=600, session_idle_minutes=30))
    with frozen_clock(T0):
        browser.sign_in("ed")
    with frozen_clock(T0 + dt.timedelta(minutes=29)):
        assert browser.whoami().status_code == 200
    with frozen_clock(T0 + dt.timedelta(minutes=58)):
        assert browser.whoami().status_code == 200  # 29 minutes after the last request
    with frozen_clock(T0 + dt.timedelta(minutes=88, seconds=1)):
        assert browser.whoami().status_code == 401
        token = browser.sign_in_form()  # signed out again: a new form
        refused = browser.client.post("/staff/_dash-test-change", headers={"X-CSRFToken": token})
        assert refused.status_code == 401


def test_a_disabled_account_is_signed_out_at_once(server: flask.Flask, store: str) -> None:
    add_user(store, "ed")
    browser = Browser(server)
    browser.sign_in("ed")
    assert browser.whoami().status_code == 200
    with db.session_scope(store) as session:
        accounts.disable_user(session, "ed", now=T0)
    assert browser.whoami().status_code == 401
    with db.session_scope(store) as session:
        accounts.enable_user(session, "ed")
    assert browser.whoami().status_code == 401  # that session stays ended


def test_a_new_password_ends_open_sessions(server: flask.Flask, store: str) -> None:
    add_user(store, "ed")
    browser = Browser(server)
    browser.sign_in("ed")
    with db.session_scope(store) as session:
        accounts.set_password(session, "ed", "a brand new password")
    assert browser.whoami().status_code == 401


def test_a_role_change_applies_on_the_next_request(server: flask.Flask, store: str) -> None:
    add_user(store, "ed")
    browser = Browser(server)
    browser.sign_in("ed")
    assert browser.whoami().json["role"] == "editor"
    with db.session_scope(store) as session:
        accounts.set_role(session, "ed", "publisher", all_agencies=True)
    assert browser.whoami().json == {"username": "ed", "role": "publisher",
                                     "agencies": [], "all": True}  # fmt: skip
    with db.session_scope(store) as session:
        accounts.set_role(session, "ed", "editor", agencies=["tax"])
    assert browser.whoami().json["agencies"] == [agency_id(store, "tax")]


def test_signed_out_requests_are_sent_to_sign_in_or_refused(server: flask.Flask) -> None:
    client = server.test_client()
    preview = client.get("/preview/agency/dmv?lang=es")
    assert preview.status_code == 302
    assert preview.headers["Location"] == "/staff/sign-in?next=/preview/agency/dmv%3Flang%3Des"
    assert client.get("/staff").status_code == 302
    assert client.get("/staff/_dash-layout").status_code == 401
    assert client.get("/staff/_dash-dependencies").status_code == 401
    browser = Browser(server)
    token = browser.sign_in_form()
    for path in (
        "/staff/_dash-update-component",
        "/staff/_dash-test-change",
        "/preview/agency/dmv",
    ):
        response = browser.client.post(path, json={}, headers={"X-CSRFToken": token})
        assert response.status_code == 401, path
        assert "Traceback" not in response.text
    assert client.get("/staff/assets/whatever.css").status_code != 302


# --- CSRF -------------------------------------------------------------------------------------


def changes(url: str) -> int:
    return sum(1 for action, _ in audit_actions(url) if action == "edit")


def test_csrf_token_required_for_every_change(server: flask.Flask, store: str) -> None:
    add_user(store, "ed")
    browser = Browser(server)
    browser.sign_in("ed")
    token = browser.csrf_cookie()
    assert token
    for headers, data in (
        ({}, None),
        ({"X-CSRFToken": "wrong"}, None),
        ({"X-CSRFToken": token[:-1]}, None),
        ({}, {"csrf_token": "wrong"}),
    ):
        response = browser.client.post("/staff/_dash-test-change", headers=headers, data=data)
        assert response.status_code == 400
        assert "missing or invalid CSRF token" in response.text
        for method in ("put", "patch", "delete"):
            refused = getattr(browser.client, method)("/staff/_dash-test-change", headers=headers)
            assert refused.status_code == 400
    dash = browser.client.post("/staff/_dash-update-component", json={"output": "x"})
    assert dash.status_code == 400
    assert changes(store) == 0
    assert browser.client.post("/staff/_dash-test-change", headers={"X-CSRFToken": token}).json
    assert browser.client.post("/staff/_dash-test-change", data={"csrf_token": token}).json
    assert changes(store) == 2


def test_a_token_of_another_session_is_refused(server: flask.Flask, store: str) -> None:
    add_user(store, "ed")
    add_user(store, "mo")
    ed, mo = Browser(server), Browser(server)
    ed.sign_in("ed")
    mo.sign_in("mo")
    assert ed.csrf_cookie() != mo.csrf_cookie()
    response = ed.client.post("/staff/_dash-test-change", headers={"X-CSRFToken": mo.csrf_cookie()})
    assert response.status_code == 400
    assert changes(store) == 0


def test_sign_in_and_sign_out_forms_need_the_token(server: flask.Flask, store: str) -> None:
    add_user(store, "ed")
    browser = Browser(server)
    browser.sign_in_form()
    refused = browser.client.post("/staff/sign-in", data={"username": "ed", "password": PASSWORD})
    assert refused.status_code == 400 and "The form has expired" in refused.text
    # A form made for another browser's session does not help either.
    other_token = Browser(server).sign_in_form()
    forged = browser.client.post(
        "/staff/sign-in", data={"username": "ed", "password": PASSWORD, "csrf_token": other_token}
    )
    assert forged.status_code == 400
    assert browser.whoami().status_code == 401
    assert audit_actions(store) == []

    browser.sign_in("ed")
    assert browser.client.post("/staff/sign-out").status_code == 400
    assert browser.whoami().status_code == 200


def test_public_pages_carry_no_session_cookie(server: flask.Flask) -> None:
    response = server.test_client().get("/healthz")
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_trusted_proxy_address_is_the_client(store: str) -> None:
    add_user(store, "ed")
    server = build(store, trusted_proxies=1)
    browser = Browser(server)
    token = browser.sign_in_form()
    browser.client.post(
        "/staff/sign-in",
        data={"username": "ed", "password": PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-For": "198.51.100.7", "User-Agent": "TestBrowser/1"},
    )
    with db.session_scope(store) as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.ip, entry.user_agent, entry.user_id) == ("198.51.100.7", "TestBrowser/1", 1)
