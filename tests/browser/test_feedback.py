"""'Did this page help you?' in a real browser (issue 14), in English and Spanish: with
JavaScript (sent in place by assets/feedback.js, by keyboard alone, the answer announced in
the widget's status region and focused) and without (the index's <noscript> form posts and
the server answers with a page); axe finds nothing in the widget at 375 and 1280 px.

The form's token expires: the server's clock is one the test moves forward (no sleeps)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import FeedbackResponse
from tests.browser.conftest import AXE_SCRIPT, LiveServer

pytestmark = pytest.mark.browser

THANKS = {
    "en": "Thank you — your answer was recorded.",
    "es": "Gracias: su respuesta quedó registrada.",
}
QUESTION = {"en": "Did this page help you?", "es": "¿Le fue útil esta página?"}
COMMENT = "The opening hours were wrong; write to jane.doe@example.org"


class Clock:
    """The wall clock, plus whatever time the test lets pass."""

    def __init__(self) -> None:
        self.passed = 0.0

    def __call__(self) -> float:
        return time.time() + self.passed


@pytest.fixture
def store(demo_database: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the browser tests' demo store: these tests write answers into it."""
    source = Path(demo_database.removeprefix("sqlite:///"))
    copy = tmp_path / "feedback.sqlite3"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    yield url
    db.get_engine(url).dispose()


def answers(url: str) -> list[FeedbackResponse]:
    with session_scope(url) as session:
        newest = select(func.max(FeedbackResponse.id)).scalar_subquery()
        rows = list(session.scalars(select(FeedbackResponse).where(FeedbackResponse.id == newest)))
        session.expunge_all()
    return rows


def count(url: str) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count(FeedbackResponse.id))) or 0


def widget_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG A/AA and best-practice violations inside the widget."""
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        """async () => await axe.run({include: [['#feedback-widget']]}, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']}
        })"""
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_with_javascript_the_answer_is_sent_by_keyboard_and_announced(browser, store, language):
    clock = Clock()
    agency = queries.list_agencies(store)[0]
    path = f"/agency/{agency['slug']}"
    with LiveServer(Settings(database_url=store, extra={"clock": clock})) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto(f"{server.url}{path}?lang={language}")
            widget = page.locator("#feedback-widget")
            expect(widget.locator("legend")).to_have_text(QUESTION[language], timeout=90_000)
            before = count(store)

            # Keyboard only, from the first radio button: Space chooses, Tab moves on.
            page.locator("#feedback-helpful-yes").focus()
            page.keyboard.press("Shift+Tab")
            # The honeypot is never reached by the keyboard.
            assert page.evaluate("document.activeElement.id") != "feedback-website"
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == "feedback-helpful-yes"
            page.keyboard.press("Space")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == "feedback-reason"
            page.keyboard.press("ArrowDown")  # the first reason
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == "feedback-comment"
            page.keyboard.type(COMMENT)
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.tagName") == "BUTTON"
            clock.passed += 30  # the visitor read the page first
            page.keyboard.press("Enter")

            status = page.get_by_role("status").filter(has_text=THANKS[language])
            expect(status).to_have_text(THANKS[language])
            expect(page.locator("#feedback-status")).to_be_focused()
            expect(widget.locator("form")).to_be_hidden()
            # The page did not change: the answer was sent in place.
            assert page.url == f"{server.url}{path}?lang={language}"
            assert count(store) == before + 1
            (row,) = answers(store)
            assert (row.page_path, row.language, row.helpful) == (path, language, True)
            assert row.reason == "found_it"
            assert row.comment == "The opening hours were wrong; write to [email]"
            assert row.unit_id is not None
            assert errors == []
        finally:
            context.close()


def test_with_javascript_a_refusal_is_announced_and_the_form_stays(browser, store):
    clock = Clock()
    with LiveServer(Settings(database_url=store, extra={"clock": clock})) as server:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(f"{server.url}/methodology")
            expect(page.locator("#feedback-widget legend")).to_be_visible(timeout=90_000)
            before = count(store)
            page.locator("#feedback-helpful-no").check()
            clock.passed += 4 * 86_400  # the page was left open for four days
            page.get_by_role("button", name="Send").click()
            status = page.locator("#feedback-status")
            expect(status).to_contain_text("The form has expired")
            expect(status).to_be_focused()
            expect(page.locator("#feedback-widget form")).to_be_visible()
            assert count(store) == before
            # A page drawn today takes the answer (this one's cached drawing is of its day).
            page.goto(f"{server.url}/changes")
            expect(page.locator("#feedback-widget legend")).to_be_visible(timeout=90_000)
            page.locator("#feedback-helpful-no").check()
            page.get_by_role("button", name="Send").click()
            expect(page.locator("#feedback-status")).to_have_text(THANKS["en"])
            assert count(store) == before + 1
        finally:
            context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_without_javascript_the_noscript_form_posts_and_thanks(browser, store, language):
    clock = Clock()
    agency = queries.list_agencies(store)[0]
    service = agency["services"][0]
    path = f"/agency/{agency['slug']}/{service['slug']}"
    with LiveServer(Settings(database_url=store, extra={"clock": clock})) as server:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        try:
            page.goto(f"{server.url}{path}?lang={language}")
            form = page.locator("#feedback-widget form")
            expect(form).to_be_visible()
            expect(page.locator("#feedback-widget legend")).to_have_text(QUESTION[language])
            # The honeypot is there for programs, out of people's sight.
            honeypot = page.locator("#feedback-website")
            assert honeypot.get_attribute("tabindex") == "-1"
            assert not honeypot.is_visible() or honeypot.bounding_box()["x"] < 0  # type: ignore[index]
            before = count(store)
            page.locator("#feedback-helpful-no").check()
            page.locator("#feedback-reason").select_option("hard_to_understand")
            page.locator("#feedback-comment").fill(COMMENT + " or call 202-555-0143")
            clock.passed += 30
            page.locator("#feedback-widget button[type=submit]").click()
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.get_by_role("status")).to_contain_text(THANKS[language])
            back = page.get_by_role("link").first
            href = back.get_attribute("href")
            assert href is not None and href.startswith(path)
            assert count(store) == before + 1
            (row,) = answers(store)
            assert (row.page_path, row.language, row.helpful) == (path, language, False)
            assert row.reason == "hard_to_understand"
            assert row.comment is not None and row.comment.endswith("[email] or call [phone]")
        finally:
            context.close()


def test_without_javascript_a_refusal_page_says_what_was_wrong(browser, store):
    clock = Clock()
    with LiveServer(Settings(database_url=store, extra={"clock": clock})) as server:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        try:
            page.goto(f"{server.url}/review?lang=es")
            expect(page.locator("#feedback-widget form")).to_be_visible()
            before = count(store)
            page.locator("#feedback-helpful-yes").check()
            clock.passed += 4 * 86_400  # the page was left open for four days
            page.locator("#feedback-widget button[type=submit]").click()
            expect(page.locator("html")).to_have_attribute("lang", "es")
            expect(page.get_by_role("alert")).to_contain_text("El formulario venció")
            assert count(store) == before
        finally:
            context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_widget_is_accessible_on_a_phone_and_a_desktop(browser, store, width):
    with LiveServer(Settings(database_url=store)) as server:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            for language in ("en", "es"):
                page.goto(f"{server.url}/?lang={language}")
                widget = page.locator("#feedback-widget")
                expect(widget.locator("legend")).to_be_visible(timeout=90_000)
                assert widget_violations(page) == []
                box = widget.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        finally:
            context.close()
