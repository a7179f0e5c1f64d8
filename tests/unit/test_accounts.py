"""Staff accounts without a database: password hashes, roles and agency rights, the sign-in
page's ``next`` address, and the audit log's CSV escaping."""

from __future__ import annotations

import csv
import io

import pytest

from dashboard.web.staff_auth import is_open_staff_path, is_protected_path, safe_next, sign_in_url
from data import accounts
from data.accounts import AccountError, StaffMember
from data.audit import csv_cell, entries_csv

PASSWORD = "correct horse battery staple"


# --- password hashes ----------------------------------------------------------------------


def test_a_hash_names_scrypt_and_its_parameters_and_verifies() -> None:
    stored = accounts.hash_password(PASSWORD)
    scheme, params, salt, digest = stored.split("$")
    assert scheme == "scrypt"
    assert params == "n=32768,r=8,p=1"
    assert len(salt) >= 20 and len(digest) >= 40
    assert PASSWORD not in stored
    assert accounts.verify_password(PASSWORD, stored)
    assert not accounts.verify_password(PASSWORD + "!", stored)
    assert not accounts.verify_password(PASSWORD.upper(), stored)
    assert not accounts.needs_rehash(stored)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert accounts.hash_password(PASSWORD) != accounts.hash_password(PASSWORD)


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "plain",
        "md5$x$y$z",
        "scrypt$n=32768,r=8,p=1$!!!$???",
        "scrypt$n=1000,r=8,p=1$c2FsdHNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0",  # n not a power of 2
        "scrypt$n=1073741824,r=8,p=1$c2FsdHNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0",  # n too large
    ],
)
def test_an_unreadable_or_hostile_hash_never_matches(stored: str | None) -> None:
    assert not accounts.verify_password(PASSWORD, stored)


def test_weaker_stored_parameters_ask_for_a_rehash() -> None:
    weak = accounts.hash_password(PASSWORD).replace("n=32768", "n=1024")
    assert accounts.needs_rehash(weak)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12 characters"),
        ("x" * 11, "at least 12 characters"),
        ("x" * 1025, "too long"),
        (" " * 20, "only spaces"),
    ],
)
def test_password_rules_say_what_is_wrong(password: str, message: str) -> None:
    with pytest.raises(AccountError, match=message):
        accounts.hash_password(password)


def test_a_password_of_exactly_the_limits_is_accepted() -> None:
    accounts.check_password_rules("x" * 12)
    accounts.check_password_rules("x" * 1024)


def test_the_password_may_not_be_the_username() -> None:
    with pytest.raises(AccountError, match="username"):
        accounts.check_password_rules("jane.doe.admin", username="jane.doe.admin")


def test_an_over_long_password_never_verifies_and_costs_nothing() -> None:
    stored = accounts.hash_password(PASSWORD)
    assert not accounts.verify_password("x" * 1_000_000, stored)


@pytest.mark.parametrize("name", ["jane", "jane.doe", "j_doe-2", "jane@agency.gov", " Jane "])
def test_valid_usernames_are_normalized(name: str) -> None:
    assert accounts.check_username(name) == name.strip().lower()


@pytest.mark.parametrize("name", ["", "j", "-jane", "jane doe", "jané", "a" * 121, "<b>x</b>"])
def test_invalid_usernames_are_refused(name: str) -> None:
    with pytest.raises(AccountError, match="not a valid username"):
        accounts.check_username(name)


# --- roles and agencies ---------------------------------------------------------------------


def member(role: str, agencies: set[int], all_agencies: bool = False) -> StaffMember:
    return StaffMember(
        id=1,
        username="u",
        display_name=None,
        role=role,
        all_agencies=all_agencies,
        agency_ids=frozenset(agencies),
        session_version=1,
    )


def test_an_editor_edits_its_agencies_only_and_never_publishes() -> None:
    editor = member("editor", {1, 2})
    assert editor.can_edit(1) and editor.can_edit(2)
    assert not editor.can_edit(3)
    assert not editor.can_edit(None)
    assert not editor.can_publish(1)
    assert not editor.is_publisher and not editor.is_admin
    assert editor.agency_scope == frozenset({1, 2})


def test_an_editor_is_never_all_agencies_even_if_the_flag_is_set() -> None:
    editor = member("editor", {1}, all_agencies=True)
    assert editor.agency_scope == frozenset({1})
    assert not editor.can_edit(2)


def test_a_publisher_publishes_its_agencies_or_all() -> None:
    named = member("publisher", {1})
    assert named.can_publish(1) and not named.can_publish(2)
    assert named.is_publisher and not named.is_admin
    everywhere = member("publisher", set(), all_agencies=True)
    assert everywhere.agency_scope is None
    assert everywhere.can_publish(99) and everywhere.can_edit(99)
    assert not everywhere.can_publish(None)


def test_an_admin_has_every_agency() -> None:
    admin = member("admin", set())
    assert admin.is_admin and admin.is_publisher
    assert admin.agency_scope is None
    assert admin.can_edit(7) and admin.can_publish(7)


def test_a_member_is_called_by_display_name_or_username() -> None:
    assert member("editor", {1}).name == "u"
    named = StaffMember(1, "u", "Jane Doe", "editor", False, frozenset({1}), 1)
    assert named.name == "Jane Doe"


# --- where the sign-in page may send the browser ----------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/staff",
        "/staff/",
        "/staff/upload?agency=dmv",
        "/preview/agency/dmv?lang=es",
        "/preview",
    ],
)
def test_local_staff_and_preview_paths_are_accepted(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/staff",
        "//evil.example/staff",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example/staff",
        "javascript:alert(1)",
        "http:/staff",
        "/agency/dmv",
        "/",
        "/staffing",
        "/previewer/x",
        "/staff/../agency",
        "/staff/\r\nSet-Cookie: x=1",
        "/staff/\tx",
        "/staff/sign-in",
        "/staff/sign-in/oidc",
        "/staff/sign-out",
        "staff/",
        "/staff/" + "x" * 3000,
    ],
)
def test_anything_else_is_refused(target: str | None) -> None:
    assert safe_next(target) is None


def test_the_sign_in_url_keeps_only_a_safe_next() -> None:
    assert sign_in_url("/staff/users") == "/staff/sign-in?next=/staff/users"
    assert sign_in_url("https://evil.example") == "/staff/sign-in"
    assert sign_in_url(None, ended="1") == "/staff/sign-in?ended=1"


def test_which_paths_are_guarded() -> None:
    for path in ("/staff", "/staff/", "/staff/_dash-update-component", "/preview/agency/x"):
        assert is_protected_path(path)
    for path in ("/", "/staffing", "/agency/dmv", "/_dash-update-component", "/previews"):
        assert not is_protected_path(path)
    for path in ("/staff/sign-in", "/staff/sign-in/oidc/callback", "/staff/assets/x.css"):
        assert is_open_staff_path(path)
    for path in ("/staff/", "/staff/sign-ins", "/staff/users", "/staff/_dash-layout"):
        assert not is_open_staff_path(path)


# --- the audit log's CSV --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (None, ""),
        (5, "5"),
        ({"a": "=1"}, '{"a": "=1"}'),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_the_csv_has_a_header_and_escapes_every_column() -> None:
    rows = [
        {
            "id": 1,
            "at": "2026-01-01T00:00:00+00:00",
            "username": "=cmd|' /C calc'!A0",
            "user_id": None,
            "action": "sign_in_failed",
            "agency": None,
            "agency_id": None,
            "subject": "-x, with a comma",
            "detail": {"reason": "unknown account"},
            "ip": "+203.0.113.5",
            "user_agent": "@agent",
        }
    ]
    parsed = list(csv.DictReader(io.StringIO(entries_csv(rows))))
    assert len(parsed) == 1
    row = parsed[0]
    assert row["username"] == "'=cmd|' /C calc'!A0"
    assert row["subject"] == "'-x, with a comma"
    assert row["ip"] == "'+203.0.113.5"
    assert row["user_agent"] == "'@agent"
    assert row["detail"] == '{"reason": "unknown account"}'
    for value in row.values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
