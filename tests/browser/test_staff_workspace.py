"""The staff workspace in Chromium: every page axe-clean at 1280 and 375 px, the keyboard
works in the form modal, and an editor saves an action draft in two languages.

Each test has its own copy of the demo store (the workspace writes), with its own accounts.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dashboard.core.settings import Settings
from dashboard.infra import db
from data import accounts, drafts
from data.agency_scope import agency_by_slug
from tests.browser.conftest import LiveServer, axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
RENDER_MS = 30_000
WIDTHS = (1280, 375)
PAGES = (
    "/staff/",
    "/staff/upload",
    "/staff/content/actions",
    "/staff/content/contact-points",
    "/staff/content/closures",
    "/staff/content/targets",
    "/staff/review",
    "/staff/users",
    "/staff/audit",
)


@pytest.fixture
def staff_store(demo_database: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the demo store for this test, with an admin and an editor of dmv."""
    source = Path(demo_database.removeprefix("sqlite:///"))
    copy = tmp_path / "staff.sqlite3"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    with db.session_scope(url) as session:
        accounts.create_user(session, "admin", "admin", password=PASSWORD, display_name="Ada")
        accounts.create_user(session, "editor", "editor", password=PASSWORD, agencies=["dmv"])
    yield url
    db.get_engine(url).dispose()


@pytest.fixture
def staff_server(staff_store: str) -> Iterator[LiveServer]:
    with LiveServer(Settings(database_url=staff_store)) as server:
        yield server


@pytest.fixture
def staff_page(browser: Any, staff_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    errors: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((staff_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert outside == []
    ignorable = ("the server responded with a status of 404",)  # the 404 page's own status
    assert [e for e in errors if not any(i in e for i in ignorable)] == []


def sign_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/staff/")
    page.wait_for_url("**/staff/sign-in**")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/staff/")
    page.locator("#main-content h1").wait_for(timeout=RENDER_MS)


def open_page(page: Any, url: str) -> Any:
    response = page.goto(url)
    page.locator("#main-content h1").wait_for(timeout=RENDER_MS)
    return response


def wait_for_modal(page: Any) -> None:
    """Until the modal has faded in: half-transparent text would fail the contrast check."""
    page.wait_for_function(
        "() => { const m = document.querySelector('.modal.show');"
        " return m && getComputedStyle(m).opacity === '1'"
        " && getComputedStyle(m.querySelector('.modal-dialog')).transform === 'none'; }"
    )


def assert_axe_clean(page: Any, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def test_every_staff_page_is_axe_clean_at_both_widths(staff_page: Any, staff_server: LiveServer):
    sign_in(staff_page, staff_server, "admin")
    for width in WIDTHS:
        staff_page.set_viewport_size({"width": width, "height": 900})
        for path in PAGES:
            response = open_page(staff_page, staff_server.url + path)
            assert response.status == 200, path
            expect(staff_page.locator("h1")).to_have_count(1)
            expect(staff_page.locator("main")).to_have_count(1)
            assert_axe_clean(staff_page, f"{path} at {width}px")
        response = open_page(staff_page, staff_server.url + "/staff/no-such-page")
        assert response.status == 404
        expect(staff_page.get_by_role("heading", level=1)).to_have_text("Page not found")
        assert_axe_clean(staff_page, f"404 at {width}px")
        # The form modal, open.
        open_page(staff_page, staff_server.url + "/staff/content/actions")
        staff_page.get_by_role("button", name="New action").click()
        expect(staff_page.get_by_role("dialog")).to_be_visible()
        staff_page.get_by_label("Title (English) (required)").wait_for()
        wait_for_modal(staff_page)
        assert_axe_clean(staff_page, f"action form at {width}px")


def test_the_skip_link_the_form_modal_and_sign_out_work_with_the_keyboard(
    staff_page: Any, staff_server: LiveServer
):
    sign_in(staff_page, staff_server, "editor")
    open_page(staff_page, staff_server.url + "/staff/content/actions")
    staff_page.keyboard.press("Tab")
    skip = staff_page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    staff_page.get_by_role("button", name="New action").focus()
    staff_page.keyboard.press("Enter")
    dialog = staff_page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    staff_page.get_by_label("Title (English) (required)").wait_for()
    # Focus moves into the dialog and stays there.
    assert staff_page.evaluate("document.querySelector('.modal').contains(document.activeElement)")
    staff_page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Signing out is a POST form with the CSRF token: it ends the session.
    staff_page.get_by_role("button", name="Sign out").click()
    staff_page.wait_for_url("**/staff/sign-in?signed_out=1")
    staff_page.goto(staff_server.url + "/staff/review")
    staff_page.wait_for_url("**/staff/sign-in?next=/staff/review**")


def test_an_editor_saves_an_action_draft_in_two_languages(
    staff_page: Any, staff_server: LiveServer, staff_store: str
):
    sign_in(staff_page, staff_server, "editor")
    expect(staff_page.locator("#staff-home-user")).to_contain_text("Editor")
    open_page(staff_page, staff_server.url + "/staff/content/actions?agency=dmv")
    staff_page.get_by_role("button", name="New action").click()
    english = staff_page.get_by_label("Title (English) (required)")
    english.wait_for()
    # Saved empty: the problem is shown beside the field and tied to it.
    staff_page.get_by_role("button", name="Save draft").click()
    expect(staff_page.locator("#content-form-summary")).to_be_visible()
    expect(english).to_have_attribute("aria-invalid", "true")
    described = english.get_attribute("aria-describedby") or ""
    assert "field-title-en-problem" in described.split()
    # Then filled in, in English and Spanish.
    english.fill("Longer opening hours on Saturdays")
    staff_page.get_by_label("Title (Español)").fill("Horario ampliado los sábados")
    staff_page.get_by_label("Started on (required)").fill("2024-02-01")
    staff_page.get_by_role("button", name="Save draft").click()
    expect(staff_page.get_by_role("dialog")).to_be_hidden()
    expect(staff_page.locator("#staff-toasts")).to_contain_text("Done")
    expect(staff_page.locator("#content-table")).to_contain_text(
        "Longer opening hours on Saturdays"
    )
    with db.session_scope(staff_store) as session:
        agency = agency_by_slug(session, "dmv")
        assert agency is not None
        rows = drafts.content_rows(session, agency, "actions")
    (saved,) = [r for r in rows if r["title"].get("en") == "Longer opening hours on Saturdays"]
    assert saved["title"]["es"] == "Horario ampliado los sábados"
    assert saved["state"] == drafts.STATE_NEW
    assert saved["author"] == "editor"


def test_an_upload_check_shows_the_problems_in_the_page(
    staff_page: Any, staff_server: LiveServer, tmp_path: Path
):
    bad = tmp_path / "results.csv"
    bad.write_text("agency,metric,period,value\ndmv,csat_overall,FY2019 Q1,140%\n")
    sign_in(staff_page, staff_server, "editor")
    open_page(staff_page, staff_server.url + "/staff/upload")
    staff_page.locator("#upload-file input[type=file]").set_input_files(str(bad))
    expect(staff_page.locator("#upload-file-name")).to_have_text("Chosen: results.csv")
    staff_page.get_by_role("button", name="Check file").click()
    problems = staff_page.locator("#upload-problems")
    expect(problems).to_be_visible(timeout=RENDER_MS)
    expect(problems.locator("thead th")).to_have_text(["File", "Row", "Column", "Value", "Reason"])
    expect(problems.locator("tbody tr").first).to_contain_text("140%")
    expect(staff_page.get_by_role("button", name="Save as drafts")).to_be_disabled()
    assert_axe_clean(staff_page, "upload report")
