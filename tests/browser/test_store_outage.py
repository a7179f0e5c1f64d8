"""A link followed while the data store is down shows the outage message (issue 11, finding 5).

Before the fix the URL changed and the old page stayed on screen with no word of why: Dash
keeps a callback's old output when the callback fails. The store here is a SQLite file that
is taken away mid-test (a folder put in its place: SQLite then cannot open it) and put back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.infra import db
from tests.browser.conftest import LiveServer, axe_violations

pytestmark = pytest.mark.browser

TITLE = "The dashboard is unavailable for a moment"


def take_away(path: Path, url: str) -> Path:
    """Make the store unreadable: the file moved aside, a folder in its place, and the
    pooled connections (which still hold the old file open) closed."""
    aside = path.with_suffix(".away")
    path.rename(aside)
    path.mkdir()
    db.get_engine(url).dispose()
    return aside


def put_back(path: Path, aside: Path, url: str) -> None:
    path.rmdir()
    aside.rename(path)
    db.get_engine(url).dispose()


def test_following_a_link_while_the_store_is_down_shows_the_message(
    browser, demo_database, tmp_path
):
    path = tmp_path / "store.sqlite3"
    shutil.copyfile(demo_database.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    agency = queries.list_agencies(url)[0]
    with LiveServer(Settings(database_url=url)) as server:
        context = browser.new_context()
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto(server.url + "/")
            home_heading = page.get_by_role("heading", level=1)
            expect(home_heading).to_be_visible(timeout=90_000)
            expect(home_heading).not_to_have_text(TITLE)

            aside = take_away(path, url)
            try:
                page.get_by_role("link", name=agency["name_en"], exact=True).click()
                expect(page).to_have_url(f"{server.url}/agency/{agency['slug']}")
                alert = page.get_by_role("alert")
                expect(alert).to_be_visible(timeout=30_000)
                expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
                expect(alert).to_contain_text("try again in a few minutes")
                assert axe_violations(page) == []
            finally:
                put_back(path, aside, url)

            # Back: the same server, never restarted, draws pages again.
            page.get_by_role("link", name="Go to the overview of all agencies").click()
            expect(page.get_by_role("heading", level=1)).not_to_have_text(TITLE, timeout=30_000)
            expect(page.get_by_role("link", name=agency["name_en"], exact=True)).to_be_visible()
        finally:
            context.close()
    # The outage was answered with a page, not a failed request.
    assert errors == []
