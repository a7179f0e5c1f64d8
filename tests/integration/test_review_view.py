"""The quarterly review's view and its review pack, from the demo store on SQLite and PostgreSQL."""

from __future__ import annotations

import pickle
import time

import pytest

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.review import ActionStatus, Movement, Quarter
from dashboard.domain.targets import Status
from dashboard.gateway import queries
from dashboard.infra import exports
from dashboard.views import NotFound
from dashboard.views.review import ReviewView, build
from dashboard.views.review_pack import build_pack, count_pages, pack_html
from dashboard.web import review_jobs
from dashboard.web.factory import create_app

REVIEW = Route("review")

#: The aim is under 15 s on the development machine; a slow CI runner gets room.
PACK_TIME_LIMIT_S = 60.0


@pytest.fixture(scope="module")
def demo_url(demo_store: str) -> str:
    return demo_store


def view(url: str, language: str = "en", **query: str) -> ReviewView:
    return build(url, Settings(database_url=url), REVIEW, query, language)


def test_default_is_the_latest_quarter_with_quarterly_results(demo_url):
    review = view(demo_url)
    assert review.has_data
    # The demo's latest quarterly figures are FY2026 Q3 (Apr-Jun 2026, federal calendar).
    assert review.quarter == Quarter(2026, 3)
    assert review.previous == Quarter(2026, 2)
    assert review.year_ago == Quarter(2025, 3)
    assert review.quarter_label == "FY2026 Q3"
    assert review.fiscal_year_options[0].value == "2026"
    pickle.loads(pickle.dumps(review))  # cacheable


def test_a_row_per_agency_and_review_dimension(demo_url):
    review = view(demo_url)
    agencies = queries.list_agencies(demo_url)
    assert len(review.agencies) == len(agencies) == 12
    assert {c.dimension for c in review.columns} == {
        "accuracy",
        "responsiveness",
        "timeliness",
        "satisfaction",
        "access",
    }
    assert len(review.rows) == 12 * 5
    for row in review.rows:
        assert len(row.trend) == len(review.trend_quarters) == 8
        if row.this.value is None:
            assert row.change_previous.movement == Movement.NOT_COMPARABLE
            assert row.change_previous.difference is None


def test_housing_did_not_report_satisfaction_and_is_listed_not_zeroed(demo_url):
    review = view(demo_url)
    housing = next(
        r for r in review.rows if r.agency_slug == "housing" and r.dimension == "satisfaction"
    )
    assert housing.this.value is None
    assert housing.status == Status.NOT_REPORTED
    assert housing in review.not_reported
    assert housing not in review.improved + review.declined
    assert all(m.row is not housing for m in review.missed)


def test_sections_agree_with_the_rows(demo_url):
    review = view(demo_url)
    assert {id(m.row) for m in review.missed} == {
        id(r) for r in review.rows if r.status == Status.NOT_MET
    }
    assert all(r.change_previous.movement == Movement.IMPROVED for r in review.improved)
    assert all(r.change_previous.movement == Movement.DECLINED for r in review.declined)
    assert all(
        abs(r.change_previous.difference) > r.change_previous.margin for r in review.declined
    )
    for summary in review.summaries:
        own = [r for r in review.rows if r.dimension == summary.dimension]
        assert summary.reported.total == 12
        assert summary.reported.count == sum(1 for r in own if r.status != Status.NOT_REPORTED)
        assert summary.missed == sum(1 for r in own if r.status == Status.NOT_MET)


def test_actions_are_published_ones_under_way_or_done_in_the_quarter(demo_url):
    review = view(demo_url)
    start, end = FiscalCalendar().quarter_bounds(2026, 3)
    published = {a["id"] for a in queries.published_actions(demo_url)}
    assert review.actions, "the demo has actions in FY2026 Q3"
    for item in review.actions:
        action = item.action
        assert action.action_id in published
        done_in_it = any(d and start <= d <= end for d in (action.started_on, action.completed_on))
        # In progress or planned on the quarter's last day, or started or completed in it.
        assert done_in_it or item.status in (ActionStatus.IN_PROGRESS, ActionStatus.PLANNED)
        for follow in item.follow_ups:
            assert follow.after_quarter == Quarter(2026, 3)


def test_spanish_review(demo_url):
    review = view(demo_url, "es")
    assert review.quarter_label == "T3 AF2026"
    assert review.summaries[0].lines[0].endswith("%") and " de " in review.summaries[0].lines[0]


def test_an_earlier_quarter_and_every_sort(demo_url):
    review = view(demo_url, fy="2025", q="1")
    assert review.quarter == Quarter(2025, 1)
    assert review.previous == Quarter(2024, 4)
    for sort in ("name", "dimension", "status", "declines", "improvements"):
        assert len(view(demo_url, fy="2025", q="1", sort=sort).rows) == 60


@pytest.mark.parametrize(
    "query, words",
    [
        ({"fy": "2026", "q": "4"}, "FY2026 Q4"),
        ({"fy": "1999", "q": "1"}, "FY2022 Q1"),
        ({"fy": "soon"}, "not a fiscal year"),
        ({"q": "7"}, "not a quarter"),
        ({"sort": "loudest"}, "not a way to sort"),
    ],
)
def test_bad_parameters_are_a_helpful_404(demo_url, query, words):
    with pytest.raises(NotFound) as error:
        view(demo_url, **query)
    assert words in error.value.message


def test_the_page_and_its_404_over_http(demo_url):
    app = create_app(Settings(database_url=demo_url))
    client = app.server.test_client()
    assert client.get("/review").status_code == 200
    assert client.get("/review?fy=2026&q=2&sort=status&lang=es").status_code == 200
    assert client.get("/review?fy=2026&q=4").status_code == 404
    assert client.get("/review?q=x").status_code == 404
    assert client.get("/review-pack/not-a-job").status_code == 404
    assert client.get("/review-pack/0123456789abcdef01234567.pdf").status_code == 404


def test_the_review_pack_is_a_real_pdf_with_a_page_per_agency(demo_url):
    review = view(demo_url)
    steps: list[tuple] = []
    # How long it takes is bench/exports.py --only review-pack's business, not a test's.
    pack = build_pack(review, as_of=None, progress=lambda *step: steps.append(step))
    assert pack.pdf.startswith(b"%PDF")
    assert count_pages(pack.pdf) == pack.pages == 1 + len(review.agencies)
    # Progress went agency by agency, then printing.
    agencies = [s for s in steps if s[0] == "agency"]
    assert [s[3] for s in agencies] == list(range(1, 13))
    assert steps[-1][0] == "printing"


def test_the_pack_document_is_self_contained_and_escaped(demo_url):
    review = view(demo_url, "es")
    document = pack_html(review, {}, as_of=None)
    assert document.startswith("<!DOCTYPE html>")
    assert 'lang="es"' in document
    assert "http://" not in document and "https://" not in document  # nothing to fetch
    assert document.count('class="sheet"') == 1 + 12
    # One script: the pack's own, which fits each sheet to its page (nothing loaded).
    assert document.count("<script") == 1 and "<script src" not in document


def test_pack_jobs_report_progress_and_a_second_request_is_instant(demo_url):
    settings = Settings(database_url=demo_url)
    app = create_app(settings)
    server = app.server

    def in_app(work):  # type: ignore[no-untyped-def]
        with server.app_context():
            work()

    request = review_jobs.PackRequest(2026, 3, "en")
    # Charts drawn again (not from the images remembered by content): the steps take time.
    exports.forget_rendered()
    with server.app_context():
        first = review_jobs.start(settings, request, run_in_app=in_app)
        job = first["job"]
        assert first["state"] in ("queued", "running", "done")
        seen = set()
        deadline = time.monotonic() + PACK_TIME_LIMIT_S
        status = first
        while status["state"] not in ("done", "error") and time.monotonic() < deadline:
            time.sleep(0.2)
            status = review_jobs.status(job)
            seen.add(status.get("step"))
        assert status["state"] == "done", status
        assert "agency" in seen
        assert status["pages"] == 13
        # A second request is the finished job itself: done at once, nothing built again.
        second = review_jobs.start(settings, request, run_in_app=in_app)
        assert second["state"] == "done" and second["job"] == job
    client = server.test_client()
    response = client.get(f"/review-pack/{job}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    polled = client.get(f"/review-pack/{job}").get_json()
    assert polled["state"] == "done" and polled["pages"] == 13


def test_a_chart_failure_costs_the_charts_not_the_pack(demo_url):
    from dashboard.infra.exports import ExportError

    calls = []

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        raise ExportError("The chart image service could not start.")

    pack = build_pack(view(demo_url), as_of=None, render=broken)
    assert pack.pages == 13
    # Not tried again for each agency: only the charts already being drawn on the browser's
    # tabs when the first failed (they are drawn at once, one a tab).
    assert 1 <= len(calls) <= exports.TABS


def test_a_failed_build_ends_with_a_clear_error_and_can_be_retried(demo_url, monkeypatch):
    from dashboard.views.review_pack import PackError

    settings = Settings(database_url=demo_url)
    app = create_app(settings)

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PackError("printing the PDF took longer than 60 seconds.", "tardó demasiado.")

    monkeypatch.setattr(review_jobs, "build_pack", failing)
    request = review_jobs.PackRequest(2026, 2, "en")

    def in_app(work):  # type: ignore[no-untyped-def]
        with app.server.app_context():
            work()

    with app.server.app_context():
        job = review_jobs.start(settings, request, run_in_app=in_app)["job"]
        deadline = time.monotonic() + 30
        status = review_jobs.status(job)
        while status["state"] not in ("done", "error") and time.monotonic() < deadline:
            time.sleep(0.1)
            status = review_jobs.status(job)
        assert status["state"] == "error"
        assert "longer than 60 seconds" in status["error_en"]
        assert review_jobs.pdf(job) is None
        # Asking again starts a new build rather than repeating the error (and it fails too).
        assert review_jobs.start(settings, request, run_in_app=in_app)["state"] == "queued"
        while review_jobs.status(job)["state"] != "error" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert review_jobs.status(job)["state"] == "error"
