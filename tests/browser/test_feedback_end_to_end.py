"""Issue 14 end to end in a real browser: the per-client limit and the honeypot refuse answers
(the limit says so, the honeypot looks accepted and stores nothing), and answers given on a
page become, once the month is over and the figures are published, the page's own "Found this
page helpful" figure, small sample flagged, with none of the comments anywhere on the page.

The server's clock is one the test sets (no sleeps)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.infra.db import session_scope
from dashboard.infra.models import Metric, Observation, Unit
from dashboard.web.feedback import RATE_WINDOW_S
from data.feedback_figures import write_feedback_figures
from tests.browser import test_feedback
from tests.browser.conftest import LiveServer
from tests.browser.test_feedback import THANKS, Clock, count

pytestmark = pytest.mark.browser

#: The same fixture as test_feedback's: a copy of the demo store these tests write into.
store = test_feedback.store

RATE_WORDS = {
    "en": "You have sent many answers in a short time",
    "es": "Ha enviado muchas respuestas en poco tiempo",
}


def answer(page, url: str, clock: Clock, helpful: str, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    widget = page.locator("#feedback-widget")
    expect(widget.locator("legend")).to_be_visible(timeout=90_000)
    page.locator(f"#feedback-helpful-{helpful}").check()
    if comment:
        page.locator("#feedback-comment").fill(comment)
    clock.passed += 30  # the visitor read the page first
    widget.locator("button[type=submit]").click()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_limit_refuses_a_client_past_its_answers_and_says_when_to_come_back(
    browser, store, language
):
    clock = Clock()
    # The limit counts per fixed window (feedback.RATE_WINDOW_S, an hour): the clock reads two
    # minutes into the current window, so that the three answers (90 s of reading) fall in one,
    # whatever the wall clock (at 16:59 the third one came in the next hour's window).
    now = time.time()
    clock.passed = now // RATE_WINDOW_S * RATE_WINDOW_S + 120 - now
    settings = Settings(database_url=store, feedback_rate_limit=2, extra={"clock": clock})
    with LiveServer(settings) as server:
        context = browser.new_context()
        page = context.new_page()
        try:
            before = count(store)
            url = f"{server.url}/methodology?lang={language}"
            for _ in range(2):
                answer(page, url, clock, "yes")
                expect(page.locator("#feedback-status")).to_have_text(THANKS[language])
            answer(page, url, clock, "no")
            status = page.locator("#feedback-status")
            expect(status).to_contain_text(RATE_WORDS[language])
            expect(status).to_be_focused()
            expect(page.locator("#feedback-widget form")).to_be_visible()
            assert count(store) == before + 2
        finally:
            context.close()


def test_a_program_that_fills_the_honeypot_is_thanked_and_nothing_is_stored(browser, store):
    clock = Clock()
    with LiveServer(Settings(database_url=store, extra={"clock": clock})) as server:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(f"{server.url}/?lang=es")
            expect(page.locator("#feedback-widget legend")).to_be_visible(timeout=90_000)
            before = count(store)
            # What a form-filling program does: every field, the hidden one included.
            page.locator("#feedback-website").fill("http://spam.example", force=True)
            page.locator("#feedback-helpful-yes").check()
            page.locator("#feedback-comment").fill("Buy now at spam.example")
            clock.passed += 30
            page.locator("#feedback-widget button[type=submit]").click()
            expect(page.locator("#feedback-status")).to_have_text(THANKS["es"])
            assert count(store) == before
        finally:
            context.close()


def _page_helpful(url: str, slug: str, month: dt.date) -> Observation | None:
    with session_scope(url) as session:
        found = session.scalars(
            select(Observation)
            .join(Metric, Metric.id == Observation.metric_id)
            .join(Unit, Unit.id == Observation.unit_id)
            .where(
                Metric.code == "page_helpful",
                Unit.slug == slug,
                Observation.period_start == month,
                Observation.segment_type == "",
            )
        ).one_or_none()
        if found is not None:
            session.expunge(found)
        return found


def test_answers_become_the_pages_published_figure_after_the_month(browser, store):
    """Three answers on an agency's page in October 2026 (2 yes, 1 no): nothing public until
    the month is over and its figures are published; then the agency page shows 66.7% with
    its count and the small-sample flag, and no comment."""
    agency = queries.list_agencies(store)[-1]
    slug = agency["slug"]
    october = dt.date(2026, 10, 1)
    assert _page_helpful(store, slug, october) is None
    clock = Clock()
    clock.passed = dt.datetime(2026, 10, 15, 15, tzinfo=dt.UTC).timestamp() - time.time()
    secret = "Xq7-browser comment, write to jo@example.org"
    with LiveServer(Settings(database_url=store, extra={"clock": clock})) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            url = f"{server.url}/agency/{slug}"
            for helpful in ("yes", "yes", "no"):
                answer(page, url, clock, helpful, comment=secret)
                expect(page.locator("#feedback-status")).to_have_text(THANKS["en"])
        finally:
            context.close()
    assert _page_helpful(store, slug, october) is None  # answers alone publish nothing

    settings = Settings(database_url=store)
    report = write_feedback_figures(
        store, settings=settings, today=dt.date(2026, 11, 30), publish=True
    )
    assert report.ok, report.to_text()
    figure = _page_helpful(store, slug, october)
    assert figure is not None
    assert (figure.numerator, figure.denominator, figure.visibility) == (2, 3, "published")

    with LiveServer(settings) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            page.goto(f"{server.url}/agency/{slug}?metric=page_helpful")
            panel = page.locator("#metric-page_helpful")
            expect(panel).to_be_visible(timeout=90_000)
            expect(panel).to_contain_text("Found this page helpful")
            expect(panel).to_contain_text("66.7% in Oct 2026")
            expect(panel).to_contain_text("only 3 responses")
            row = panel.locator("table tr", has_text="Oct 2026")
            expect(row).to_contain_text("66.7")
            expect(row).to_contain_text("Small sample")
            body = page.locator("body").inner_text()
            assert "Xq7" not in body and "jo@example.org" not in body
            assert "[email]" not in body
        finally:
            context.close()
