"""A link followed past PAGE_RATE_LIMIT shows "Too many requests" (issue 11, finding 10).

Dash's renderer drops a callback's 429 without a word: the URL would change and the old page
stay on screen. The limit answers the router's callback with a page saying so instead, and
the next window draws pages again. The windows follow a clock the test moves (no sleeps).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from tests.browser.conftest import LiveServer, axe_violations

pytestmark = pytest.mark.browser

TITLE = "Too many requests"


class Clock:
    def __init__(self) -> None:
        self.now = 60 * 29_000_000 + 15.0  # 45 s left in the window

    def __call__(self) -> float:
        return self.now


def test_a_link_followed_past_the_limit_says_too_many_requests(browser, demo_database):
    agency = queries.list_agencies(demo_database)[0]
    clock = Clock()
    # A first load makes two page-data requests: the layout and the router's call.
    settings = Settings(database_url=demo_database, page_rate_limit=2, extra={"clock": clock})
    with LiveServer(settings) as server:
        context = browser.new_context()
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto(server.url + "/")
            expect(page.get_by_role("heading", level=1)).not_to_have_text(TITLE, timeout=90_000)
            link = page.get_by_role("link", name=agency["name_en"], exact=True)
            expect(link).to_be_visible()

            link.click()
            expect(page).to_have_url(f"{server.url}/agency/{agency['slug']}")
            alert = page.get_by_role("alert")
            expect(alert).to_be_visible(timeout=30_000)
            expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
            expect(alert).to_contain_text("Please wait 45 seconds")
            assert axe_violations(page) == []

            # The next minute: the same link draws its page.
            clock.now += 45
            page.go_back()
            expect(page.get_by_role("heading", level=1)).not_to_have_text(TITLE, timeout=30_000)
            link = page.get_by_role("link", name=agency["name_en"], exact=True)
            link.click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(
                agency["name_en"], timeout=30_000
            )
        finally:
            context.close()
    # The refusal was answered with a page, not a failed request.
    assert errors == []
