"""Feedback in the staff workspace, in Chromium (issue 14): a publisher of one agency sees its
feedback, filters it, exports it as CSV, marks a response actioned, links it to an action,
writes and publishes an excerpt, and finds the excerpt (never the comment) on the public
agency page. The page is axe-clean with a response open, at both widths.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.models import FeedbackResponse, Unit
from data import accounts
from tests.browser.conftest import LiveServer, axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
RENDER_MS = 30_000
COMMENT = "The renewal page still lists last year's fees BROWSER-COMMENT"
OTHER_COMMENT = "Nothing about refunds OTHER-AGENCY-COMMENT"
EXCERPT = "The renewal page listed last year's fees."


@pytest.fixture
def feedback_store(demo_database: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the demo with a publisher of dmv, and a response for dmv and one for
    another agency, the latest of the store."""
    source = Path(demo_database.removeprefix("sqlite:///"))
    copy = tmp_path / "feedback.sqlite3"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    with db.session_scope(url) as session:
        accounts.create_user(session, "pub", "publisher", password=PASSWORD, agencies=["dmv"])
        dmv = session.scalar(select(Unit.id).where(Unit.slug == "dmv"))
        revenue = session.scalar(select(Unit.id).where(Unit.slug == "revenue"))
        when = dt.datetime(2031, 1, 20, 10, 0, tzinfo=dt.UTC)
        session.add_all(
            [
                FeedbackResponse(
                    received_at=when,
                    page_path="/agency/dmv",
                    unit_id=dmv,
                    language="en",
                    helpful=False,
                    reason="out_of_date",
                    comment=COMMENT,
                ),
                FeedbackResponse(
                    received_at=when,
                    page_path="/agency/revenue",
                    unit_id=revenue,
                    language="en",
                    helpful=False,
                    comment=OTHER_COMMENT,
                ),
            ]
        )
    yield url
    db.get_engine(url).dispose()


@pytest.fixture
def feedback_server(feedback_store: str) -> Iterator[LiveServer]:
    with LiveServer(Settings(database_url=feedback_store)) as server:
        yield server


@pytest.fixture
def staff_page(browser: Any, feedback_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    missing: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    yield page
    context.close()
    # The browser asks for /favicon.ico on the public page; the site has none (not ours).
    assert [url for url in missing if not url.endswith("/favicon.ico")] == []
    assert [e for e in errors if "status of 404" not in e] == []


def sign_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/staff/")
    page.wait_for_url("**/staff/sign-in**")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/staff/")
    page.locator("#main-content h1").wait_for(timeout=RENDER_MS)


def toast_says(page: Any, text: str) -> None:
    expect(page.locator("#staff-toasts")).to_contain_text(text, timeout=RENDER_MS)


def test_a_publisher_sees_exports_and_handles_feedback(
    staff_page: Any, feedback_server: LiveServer
) -> None:
    page = staff_page
    sign_in(page, feedback_server, "pub")
    page.get_by_role("link", name="Feedback").click()
    page.wait_for_url(feedback_server.url + "/staff/feedback")
    table = page.locator("#feedback-table")
    expect(table).to_contain_text("BROWSER-COMMENT", timeout=RENDER_MS)
    expect(table).not_to_contain_text("OTHER-AGENCY-COMMENT")
    expect(page.locator("#feedback-counts-table")).to_contain_text("/agency/dmv")

    # Filters: this response said "no", out of date.
    page.select_option("#feedback-helpful", "yes")
    expect(table).not_to_contain_text("BROWSER-COMMENT", timeout=RENDER_MS)
    page.select_option("#feedback-helpful", "no")
    page.select_option("#feedback-reason", "out_of_date")
    expect(table).to_contain_text("BROWSER-COMMENT", timeout=RENDER_MS)

    # The CSV of what the filters show.
    with page.expect_download() as download_info:
        page.locator("#feedback-export").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {row["reason"] for row in rows} == {"out_of_date"}
    assert COMMENT in {row["comment"] for row in rows}
    assert "OTHER-AGENCY-COMMENT" not in text

    # Handle it: actioned, linked to an action, an excerpt written and published.
    table.locator("tr", has_text="BROWSER-COMMENT").get_by_role("button").click()
    detail = page.locator("#feedback-detail")
    expect(detail.locator("#feedback-comment")).to_contain_text("BROWSER-COMMENT")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], width
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Mark actioned").click()
    toast_says(page, "Marked actioned.")
    choice = page.get_by_label("Link to an action of the agency")
    action_value = choice.locator("option").nth(2).get_attribute("value")  # 0: placeholder, 1: none
    choice.select_option(action_value)
    page.get_by_role("button", name="Link", exact=True).click()
    toast_says(page, "Linked to the action.")
    page.get_by_label("Excerpt for the public (at most 300 characters)").fill(EXCERPT)
    page.get_by_role("button", name="Save excerpt").click()
    toast_says(page, "Excerpt saved.")
    page.get_by_role("button", name="Publish excerpt").click()
    toast_says(page, "Excerpt published.")
    expect(detail).to_contain_text("Actioned")
    expect(table.locator("tr", has_text="BROWSER-COMMENT")).to_contain_text("published")

    # The public agency page shows the excerpt, never the comment.
    page.goto(feedback_server.url + "/agency/dmv")
    told = page.locator("#told-us")
    expect(told).to_contain_text(EXCERPT, timeout=RENDER_MS)
    expect(told).to_contain_text("Did not find the page helpful")
    assert "BROWSER-COMMENT" not in page.content()
    assert axe_violations(page) == []
