"""The review pack of an annual review: a store with fiscal-year results only, on SQLite and
PostgreSQL. The page offers the pack, the job carries the year, the pack is built for the
year, served at an address that names the year, and anything else there is a 404.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.review import FiscalYear, Quarter
from dashboard.views import review as review_view
from dashboard.views.review_pack import build_pack, count_pages, file_name, pack_html
from dashboard.web import review_jobs
from dashboard.web.factory import create_app
from dashboard.web.review_jobs import PackRequest, download_path, job_id, request_from
from tests.integration.test_service_rollups import Store, _context

#: As in test_review_view: a slow CI runner gets room.
PACK_TIME_LIMIT_S = 60.0

#: (agency, FY2023, FY2024) overall satisfaction; the target is 80%.
RESULTS = {"parks": (0.70, 0.85), "roads": (0.90, 0.75)}


@pytest.fixture
def annual_store(db_url: str) -> str:
    store = Store(db_url)
    store.metric("csat_overall", "satisfaction", "fraction", "Overall satisfaction")
    for slug, values in RESULTS.items():
        store.unit(slug, "agency", slug.title())
        store.target(slug, "csat_overall", 0.80)
        for year, value in zip((2023, 2024), values, strict=True):
            start, end = dt.date(year - 1, 10, 1), dt.date(year, 9, 30)
            store.result(slug, "csat_overall", start, end, "fiscal_year", value, value * 400, 400)
    return db_url


def _view(url: str, language: str = "en", **query: str) -> review_view.ReviewView:
    return review_view.build(url, Settings(database_url=url), Route("review"), query, language)


def _wait(job: str) -> dict:
    deadline = time.monotonic() + PACK_TIME_LIMIT_S
    status = review_jobs.status(job)
    while status["state"] not in ("done", "error") and time.monotonic() < deadline:
        time.sleep(0.2)
        status = review_jobs.status(job)
    return status


# -- the request the page holds ----------------------------------------------------------------


def test_the_request_carries_the_period_and_reads_back():
    year, quarter = PackRequest.of(FiscalYear(2025), "es"), PackRequest.of(Quarter(2026, 3), "en")
    assert year == PackRequest(2025, None, "es") and year.annual and year.kind == "fiscal_year"
    assert year.period == FiscalYear(2025) and year.query() == {"fy": "2025"}
    assert quarter == PackRequest(2026, 3, "en") and quarter.kind == "quarter"
    assert quarter.query() == {"fy": "2026", "q": "3"}
    for request in (year, quarter):
        assert request_from(request.data()) == request
    # A page rendered before annual packs holds no "period": its quarter still reads.
    assert request_from({"fy": 2026, "q": 3, "lang": "es"}) == PackRequest(2026, 3, "es")
    assert request_from({"fy": "2025", "q": None, "lang": "xx"}, "fr") == PackRequest(
        2025, None, "fr"
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        "2025",
        [2025, 3],
        {},
        {"fy": "soon", "q": 3},
        {"fy": True, "q": 3},
        {"fy": 25, "q": 3},
        {"fy": "20250", "q": 3},
        {"fy": 2026, "q": 7},
        {"fy": 2026, "q": "x"},
        {"fy": 2026, "q": 2.5},
        {"period": "quarter", "fy": 2026},
        {"period": "fiscal_year", "fy": 2026, "q": 3},
        {"period": "month", "fy": 2026, "q": 3},
    ],
)
def test_anything_else_is_no_request(data):
    assert request_from(data) is None


def test_the_job_and_its_address_name_the_period():
    year, quarter = PackRequest(2025, None, "en"), PackRequest(2025, 1, "en")
    assert job_id(year, "v1") != job_id(quarter, "v1")
    assert job_id(year, "v1") == job_id(PackRequest(2025, None, "en"), "v1")
    job = job_id(year, "v1")
    assert download_path(job, year) == f"/review-pack/fy2025/{job}.pdf"
    # A quarter's address is what it always was.
    assert download_path("abc", quarter) == "/review-pack/abc.pdf"


# -- the pack of a year ------------------------------------------------------------------------


def test_the_page_offers_the_pack_of_the_year(annual_store):
    settings = Settings(database_url=annual_store)
    review = _view(annual_store)
    assert review.annual and review.quarter == FiscalYear(2024)
    from layouts.review import layout

    page = str(layout(review, _context(settings, "/review")))
    assert "review-pack-button" in page
    assert "'period': 'fiscal_year'" in page and "'fy': 2024" in page


def test_the_pack_of_a_year_is_a_real_pdf(annual_store):
    review = _view(annual_store)
    steps: list[tuple] = []
    pack = build_pack(review, as_of=None, progress=lambda *step: steps.append(step))
    assert pack.pdf.startswith(b"%PDF")
    assert count_pages(pack.pdf) == pack.pages == 1 + len(RESULTS)
    assert pack.file_name == file_name(review) == "review-pack_fy2024_en.pdf"
    assert [s[3] for s in steps if s[0] == "agency"] == [1, 2]

    document = pack_html(review, {}, as_of=None)
    assert "Annual review pack, FY2024" in document
    assert "FY2024 compared with FY2023 (previous fiscal year)." in document
    assert "This year (FY2024)" in document and "Previous (FY2023)" in document
    assert "Year ago" not in document and "Quarterly" not in document
    assert "What is being done" in document
    spanish = pack_html(_view(annual_store, "es", fy="2023"), {}, as_of=None)
    assert "Paquete de revisión anual, AF2023" in spanish


def test_the_job_of_a_year_builds_and_is_served_at_the_year_only(annual_store):
    settings = Settings(database_url=annual_store)
    app = create_app(settings)
    server = app.server

    def in_app(work):  # type: ignore[no-untyped-def]
        with server.app_context():
            work()

    request = PackRequest(2024, None, "en")
    with server.app_context():
        first = review_jobs.start(settings, request, run_in_app=in_app)
        job = first["job"]
        status = _wait(job)
    assert status["state"] == "done", status
    assert status["period"] == "fiscal_year" and status["fy"] == 2024 and status["q"] is None
    assert status["pages"] == 1 + len(RESULTS)
    assert status["file_name"] == "review-pack_fy2024_en.pdf"

    client = server.test_client()
    response = client.get(download_path(job, request))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert 'filename="review-pack_fy2024_en.pdf"' in response.headers["Content-Disposition"]
    assert client.get(f"/review-pack/{job}").get_json()["period"] == "fiscal_year"
    # Another year, a year that is not one, a quarter's address: a 404, never a 500.
    for bad in (
        f"/review-pack/fy2023/{job}.pdf",
        f"/review-pack/fyabcd/{job}.pdf",
        f"/review-pack/fy99999999999999999999/{job}.pdf",
        f"/review-pack/fy/{job}.pdf",
        f"/review-pack/{job}.pdf",
        "/review-pack/fy2024/0123456789abcdef01234567.pdf",
        "/review-pack/fy2024/not-a-job.pdf",
        "/review-pack/fy2024",
    ):
        assert client.get(bad).status_code == 404, bad


def test_the_page_and_the_button_of_an_annual_review_over_http(annual_store):
    app = create_app(Settings(database_url=annual_store))
    client = app.server.test_client()
    assert client.get("/review").status_code == 200
    assert client.get("/review?fy=2023&lang=es").status_code == 200
    assert client.get("/review?fy=2022").status_code == 404
    assert client.get("/review?fy=x").status_code == 404

    def click(request_data):  # type: ignore[no-untyped-def]
        outputs = [
            ("review-pack-job", "data"),
            ("review-pack-status", "children"),
            ("review-pack-progress", "value"),
            ("review-pack-progress", "max"),
            ("review-pack-progress", "hidden"),
            ("review-pack-link", "children"),
            ("review-pack-poll", "disabled"),
            ("review-pack-button", "disabled"),
        ]
        return client.post(
            "/_dash-update-component",
            json={
                "output": "".join(f"..{i}.{p}.." for i, p in outputs).replace("....", "..."),
                "outputs": [{"id": i, "property": p} for i, p in outputs],
                "inputs": [
                    {"id": "review-pack-button", "property": "n_clicks", "value": 1},
                    {"id": "review-pack-poll", "property": "n_intervals", "value": None},
                ],
                "changedPropIds": ["review-pack-button.n_clicks"],
                "state": [
                    {"id": "review-pack-request", "property": "data", "value": request_data},
                    {"id": "review-pack-job", "property": "data", "value": None},
                ],
            },
        )

    started = click(PackRequest(2024, None, "en").data())
    assert started.status_code == 200
    answer = started.get_json()["response"]
    job = answer["review-pack-job"]["data"]
    assert job == job_id(PackRequest(2024, None, "en"), _version(annual_store))
    with app.server.app_context():
        assert _wait(job)["state"] == "done"
    # A request the page never makes changes nothing (no 500).
    for bad in ({"fy": "x", "q": None}, {"period": "fiscal_year", "fy": 2024, "q": 9}, None):
        answer = click(bad)
        assert answer.status_code in (200, 204), answer.status_code
        assert answer.status_code == 204 or not answer.get_json().get("response"), answer.data


def _version(url: str) -> str:
    from dashboard.gateway import queries

    return queries.data_status(url).version


def test_an_annual_pack_of_a_year_with_quarters_or_without_results_is_an_error(db_url):
    store = Store(db_url)
    store.metric("csat_overall", "satisfaction", "fraction", "Overall satisfaction")
    store.unit("parks", "agency", "Parks")
    store.result(
        "parks", "csat_overall", dt.date(2022, 10, 1), dt.date(2023, 9, 30), "fiscal_year", 0.8
    )
    store.result(
        "parks", "csat_overall", dt.date(2023, 10, 1), dt.date(2023, 12, 31), "quarter", 0.9
    )
    settings = Settings(database_url=db_url)
    app = create_app(settings)

    def in_app(work):  # type: ignore[no-untyped-def]
        with app.server.app_context():
            work()

    with app.server.app_context():
        # FY2024 has quarterly results: "fy=2024" is its latest quarter, not the year.
        job = review_jobs.start(settings, PackRequest(2024, None, "en"), run_in_app=in_app)["job"]
        status = _wait(job)
        assert status["state"] == "error" and "no yearly review" in status["error_en"]
        job = review_jobs.start(settings, PackRequest(2021, None, "en"), run_in_app=in_app)["job"]
        assert _wait(job)["state"] == "error"
        assert review_jobs.pdf(job) is None
