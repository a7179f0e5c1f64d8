"""The review for the meeting (issue 13), from the demo store on SQLite and PostgreSQL: every
dimension the overview has, the same non-reporters as the overview for the same period, every
action under way beside the target it addresses, in the page and in the pack; the pack's page
numbers, chart legends and target labels, one page per sheet, and honest progress words."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.review import ActionStatus
from dashboard.infra import db
from dashboard.views import home
from dashboard.views.review import ReviewView, build
from dashboard.views.review_pack import (
    CHART_HEIGHT,
    CHART_WIDTH,
    agency_figure,
    build_pack,
    css_string,
    pack_html,
)
from dashboard.web import review_jobs
from dashboard.web.factory import create_app
from dashboard.web.pages import PageContext
from layouts.review import layout
from tests.components import texts, walk
from tests.demo_stores import DemoStores

SURGE = "Winter surge plan: cross-trained staff answer claims lines"


@pytest.fixture(scope="module")
def demo_url(demo_store: str) -> str:
    return demo_store


def view(url: str, language: str = "en", **query: str) -> ReviewView:
    return build(url, Settings(database_url=url), Route("review"), query, language)


def _page_data(review: ReviewView, url: str) -> str:
    """Every text and table cell of the rendered page, as one string."""
    page = layout(review, PageContext(review.language, "/review", {}, Settings(database_url=url)))
    parts = [texts(page)]
    for node in walk(page):
        for name in ("rows", "columns", "caption"):
            value = getattr(node, name, None)
            if value is not None:
                parts.append(str(value))
    return " ".join(parts)


def test_the_review_lists_access_like_the_overview(demo_url):
    review = view(demo_url)
    overview = home.build(demo_url, Settings(database_url=demo_url), Route("home"), {}, "en")
    assert [c.dimension for c in review.columns] == [c.dimension for c in overview.columns]
    assert "access" in {c.dimension for c in review.columns}
    assert {r.dimension for r in review.rows} >= {"access"}
    assert "Access" in _page_data(review, demo_url)


def test_non_reporters_are_the_overviews_for_the_same_period(demo_url):
    settings = Settings(database_url=demo_url)
    review = view(demo_url)
    overview = home.build(demo_url, settings, Route("home"), {}, "en")
    assert overview.period_label == review.quarter_label == "FY2026 Q3"
    on_overview = {(s.dimension, name) for s in overview.summaries for name in s.not_reported}
    on_review = {(r.dimension, r.agency_name) for r in review.not_reported}
    assert on_review == on_overview
    # Parks never published an accuracy figure: "did not report" on both pages.
    assert ("accuracy", "Department of Parks and Recreation") in on_review
    page = _page_data(review, demo_url)
    assert "Department of Parks and Recreation" in page and "No result published" in page


def test_the_winter_surge_plan_is_beside_the_target_it_addresses(demo_url):
    review = view(demo_url)
    (surge,) = [a for a in review.actions if a.action.title == SURGE]
    # In progress since 2026-03-23 (the quarter before): still what is being done.
    assert surge.status == ActionStatus.IN_PROGRESS
    assert str(surge.action.started_on) == "2026-03-23"
    assert {a.metric.code for a in surge.addresses} == {"service_level_60s", "avg_speed_answer"}
    row = next(
        r for r in review.rows if r.agency_slug == "employment-security" and r.dimension == "access"
    )
    assert surge in review.actions_for(row)
    # Planned actions are there too, with the targets they address.
    planned = [a for a in review.actions if a.status == ActionStatus.PLANNED]
    assert {a.action.title for a in planned} >= {"Video appointments for license questions"}
    assert all(a.addresses for a in planned if "csat_overall" in a.action.metric_codes)
    page = _page_data(review, demo_url)
    assert f"In progress: {SURGE}" in page  # in the table, beside the Access target
    assert "What is being done" in page and "Planned to start" in page


def test_the_pack_has_the_plan_page_numbers_legends_and_target_labels(demo_url):
    review = view(demo_url)
    document = pack_html(review, {}, as_of=None)
    assert SURGE in document and "What is being done" in document
    assert "(in progress)" in document and "planned to start" in document
    # "Page 3 of 13" in every page's bottom margin, from the page counters.
    assert f'"{css_string("Page ")}" counter(page) "{css_string(" of ")}" counter(pages)' in (
        document
    )
    assert "@bottom-right" in document
    figure = agency_figure(review, "employment-security")
    names = {t["name"] for t in figure["data"] if t.get("showlegend")}
    assert names == {"Result", "Target"} and figure["layout"]["showlegend"]
    labels = [a["text"] for a in figure["layout"]["annotations"]]
    assert "Target ≥ 80%" in labels
    # Every value axis shows its target.
    for trace in figure["data"]:
        if trace["name"] == "Target":
            suffix = trace["yaxis"][1:]
            low, high = figure["layout"][f"yaxis{suffix}"]["range"]
            assert low <= trace["y"][0] <= high


def _blank_chart(figure, fmt, *, width, height, timeout_s):  # type: ignore[no-untyped-def]
    """A chart image of the real size, without a browser (the page layout is the same)."""
    assert (width, height) == (CHART_WIDTH, CHART_HEIGHT)
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"/>'.encode()


@pytest.fixture(scope="module")
def sqlite_demo_url(tmp_path_factory, demo_stores: DemoStores) -> Iterator[str]:
    """The page layout does not depend on the database: one store is enough."""
    url = demo_stores.sqlite_copy(tmp_path_factory.mktemp("review_fit") / "demo.sqlite3")
    yield url
    db.get_engine(url).dispose()


@pytest.mark.parametrize("language, quarter", [("en", "1"), ("es", "2"), ("en", "3"), ("es", "3")])
def test_the_summary_and_each_agency_fit_one_page(sqlite_demo_url, language, quarter):
    review = view(sqlite_demo_url, language, fy="2026", q=quarter)
    pack = build_pack(review, as_of=None, render=_blank_chart)
    # FY2026 Q1 in English and Q2 in Spanish spilled the summary onto a page of its own.
    assert pack.pages == 1 + len(review.agencies) == 13


def test_progress_says_waiting_only_behind_another_build(demo_url, monkeypatch):
    settings = Settings(database_url=demo_url)
    app = create_app(settings)
    release = threading.Event()

    def slow_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(30)
        raise review_jobs.PackError("stopped by the test")

    monkeypatch.setattr(review_jobs, "build_pack", slow_build)

    def in_app(work):  # type: ignore[no-untyped-def]
        with app.server.app_context():
            work()

    with app.server.app_context():
        try:
            first = review_jobs.start(settings, review_jobs.PackRequest(2026, 3, "en"))
            # Nothing else was building: not "waiting for another".
            assert first["state"] == "queued" and first["ahead"] == 0
            deadline = time.monotonic() + 30
            while review_jobs.status(first["job"])["state"] == "queued":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            second = review_jobs.start(
                settings, review_jobs.PackRequest(2026, 2, "es"), run_in_app=in_app
            )
            assert second["state"] == "queued" and second["ahead"] == 1
        finally:
            release.set()
            # The process's build thread is shared: the next test (the other database) must
            # not find these builds still ahead of its own.
            deadline = time.monotonic() + 30
            while review_jobs.build_worker.pending() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert review_jobs.build_worker.pending() == 0
