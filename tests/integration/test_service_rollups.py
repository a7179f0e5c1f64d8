"""Issue 8, points 1-4 on small stores: results published only for services, only yearly, only
monthly; the headline measure from the catalogue; a figure never contradicts its status.

Each store is built here row by row, and the expected figures are counted here from the rows
written, not copied from the pages' output.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.review import FiscalYear, Quarter
from dashboard.domain.targets import Status
from dashboard.infra.db import session_scope
from dashboard.infra.models import PUBLISHED, Metric, Observation, Target, Unit
from dashboard.views import NotFound
from dashboard.views import agency as agency_view
from dashboard.views import home as home_view
from dashboard.views import methodology as methodology_view
from dashboard.views import review as review_view
from dashboard.web.pages import PageContext

# FY2025 Q3 of the federal calendar (October start).
Q3_START, Q3_END = dt.date(2025, 4, 1), dt.date(2025, 6, 30)
MONTHS = [
    (dt.date(2025, 4, 1), dt.date(2025, 4, 30)),
    (dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
    (dt.date(2025, 6, 1), dt.date(2025, 6, 30)),
]


def _context(settings: Settings, path: str) -> PageContext:
    return PageContext(language="en", path=path, query={}, settings=settings)


class Store:
    """Adds published units, metrics, targets and observations to a fresh store."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.units: dict[str, int] = {}
        self.metrics: dict[str, int] = {}

    def unit(self, slug: str, kind: str, name: str, parent: str | None = None) -> None:
        with session_scope(self.url) as session:
            unit = Unit(
                slug=slug,
                kind=kind,
                name_en=name,
                parent_id=self.units[parent] if parent else None,
            )
            session.add(unit)
            session.flush()
            self.units[slug] = unit.id

    def metric(self, code: str, dimension: str, scale: str, name: str, **extra) -> None:
        with session_scope(self.url) as session:
            metric = Metric(code=code, dimension=dimension, scale=scale, name_en=name, **extra)
            session.add(metric)
            session.flush()
            self.metrics[code] = metric.id

    def target(self, unit: str, metric: str, value: float, promise: str | None = None) -> None:
        with session_scope(self.url) as session:
            session.add(
                Target(
                    unit_id=self.units[unit],
                    metric_id=self.metrics[metric],
                    kind="numeric",
                    value=value,
                    comparator=">=",
                    effective_from=dt.date(2020, 10, 1),
                    promise_en=promise,
                    visibility=PUBLISHED,
                )
            )

    def result(
        self,
        unit: str,
        metric: str,
        start: dt.date,
        end: dt.date,
        granularity: str,
        value: float | None,
        numerator: float | None = None,
        denominator: float | None = None,
    ) -> None:
        with session_scope(self.url) as session:
            session.add(
                Observation(
                    unit_id=self.units[unit],
                    metric_id=self.metrics[metric],
                    period_start=start,
                    period_end=end,
                    granularity=granularity,
                    raw_value=value,
                    numerator=numerator,
                    denominator=denominator,
                    visibility=PUBLISHED,
                )
            )


# -- the seed: 7 of 16 service standards met, from services only ---------------------------

#: (agency, service, met, received); None: the standard posted a target but did not report.
SEED = [
    *[("revenue", f"revenue-{i}", met, 100) for i, met in enumerate([90, 85, 80, 95, None])],
    *[("revenue", f"revenue-{i}", met, 100) for i, met in enumerate([50, 60, 70, 79, 10], 5)],
    *[("licensing", f"licensing-{i}", met, 200) for i, met in enumerate([170, 199])],
    *[("licensing", f"licensing-{i}", met, 200) for i, met in enumerate([20, 40, 100, 150], 2)],
    ("licensing", "licensing-6", None, None),
]
#: revenue-4 reports by month: 79 of 100, 900 of 1,000 and 1 of 100. Pooled by volume that is
#: 980 of 1,200 = 81.7% (met); the mean of the monthly shares would be 60% (not met).
POOLED_MONTHS = [(79, 100), (900, 1000), (1, 100)]


@pytest.fixture
def seed_store(db_url: str) -> str:
    store = Store(db_url)
    store.unit("revenue", "agency", "Revenue")
    store.unit("licensing", "agency", "Licensing")
    store.metric("standard_met", "timeliness", "fraction", "Standard met on time")
    for agency, service, _met, _received in SEED:
        store.unit(service, "service", f"Service {service}", parent=agency)
        store.target(service, "standard_met", 0.80, promise=f"We serve {service} on time")
    for _agency, service, met, received in SEED:
        if met is not None:
            store.result(
                service, "standard_met", Q3_START, Q3_END, "quarter", met / received, met, received
            )
    for (start, end), (met, received) in zip(MONTHS, POOLED_MONTHS, strict=True):
        store.result(
            "revenue-4", "standard_met", start, end, "month", met / received, met, received
        )
    return db_url


def _expected_seed() -> tuple[int, int, int, int, list[str]]:
    """(met, judged, reported, standards, not reported services), counted from SEED."""
    met = judged = reported = 0
    silent = []
    for _agency, service, count, received in SEED:
        if service == "revenue-4":
            count, received = sum(m for m, _ in POOLED_MONTHS), sum(r for _, r in POOLED_MONTHS)
        if count is None:
            silent.append(service)
            continue
        reported += 1
        judged += 1
        met += count / received >= 0.80
    return met, judged, reported, len(SEED), silent


def test_home_rolls_up_service_standards_seven_of_sixteen(seed_store):
    settings = Settings(database_url=seed_store)
    home = home_view.build(seed_store, settings, Route("home"), {}, "en")
    met, judged, reported, total, _silent = _expected_seed()
    assert (met, judged) == (7, 16)  # the seed case
    assert home.has_data and home.period == "FY2025-Q3"
    summary = next(s for s in home.summaries if s.dimension == "timeliness")
    assert (summary.met.count, summary.met.total) == (met, judged)
    assert summary.lines[0] == "7 of 16 met, 43.8%"
    assert f"{reported} of {total} reported" in summary.lines
    assert summary.not_reported == ["Licensing (1 service standard)"]
    revenue = next(row for row in home.rows if row.slug == "revenue")
    cell = revenue.cells["timeliness"]
    assert cell.rollup is not None and cell.status is Status.NOT_MET
    assert (cell.rollup.met.count, cell.rollup.met.total) == (5, 10)  # pooled month: met
    licensing = next(row for row in home.rows if row.slug == "licensing")
    assert licensing.cells["timeliness"].rollup.lines("en") == [
        "2 of 6 service standards met (33.3%)",
        "6 of 7 service standards reported",
    ]
    from layouts.home import layout

    page = str(layout(home, _context(settings, "/")))
    assert "No results have been published yet" not in page
    assert "5 of 10 service standards met (50.0%)" in page
    assert "Did not report: Licensing (1 service standard)" in page


def test_home_trend_counts_service_standards_where_no_agency_has_its_own_figure(seed_store):
    settings = Settings(database_url=seed_store)
    home = home_view.build(seed_store, settings, Route("home"), {}, "en")
    met, judged, reported, total, _silent = _expected_seed()
    chart = next(c for c in home.charts if c.chart_id == "trend-timeliness")
    assert chart.rows[-1] == {
        "quarter": "FY2025 Q3",
        "period_end": "2025-06-30",
        "share": round(met / judged * 100, 1),
        "met": met,
        "judged": judged,
        "reported": reported,
        "total": total,
    }
    assert chart.traces[0].y[-1] == 43.8
    assert chart.summary == (
        f"In FY2025 Q3, {met} of {judged} service standards met their target (43.8%); "
        f"{reported} of {total} reported."
    )
    assert "share of service standards met" in chart.title
    assert chart.x_ticks == (("2025-06-30", "FY2025 Q3"),)  # fiscal quarters, never days


def test_review_names_a_standard_silent_now_that_reported_in_the_quarters_before(seed_store):
    # licensing-6 reported in FY2025 Q2 (not in Q3); a standard that reported only 6 quarters
    # ago is beyond the look-back, as for agencies.
    store = Store(seed_store)
    with session_scope(seed_store) as session:
        store.units = {unit.slug: unit.id for unit in session.query(Unit)}
        store.metrics = {metric.code: metric.id for metric in session.query(Metric)}
    store.result(
        "licensing-6",
        "standard_met",
        dt.date(2025, 1, 1),
        dt.date(2025, 3, 31),
        "quarter",
        0.9,
        180,
        200,
    )
    store.unit("licensing-7", "service", "Service licensing-7", parent="licensing")
    store.target("licensing-7", "standard_met", 0.80)
    store.result(
        "licensing-7",
        "standard_met",
        dt.date(2023, 10, 1),
        dt.date(2023, 12, 31),
        "quarter",
        0.9,
        180,
        200,
    )
    settings = Settings(database_url=seed_store)
    review = review_view.build(
        seed_store, settings, Route("review"), {"fy": "2025", "q": "3"}, "en"
    )
    silent = [(s.standard.service_slug, s.last_reported) for s in review.not_reported_standards]
    # Both are silent now, as the overview counts them (issue 13), each with its last quarter.
    assert silent == [("licensing-6", Quarter(2025, 2)), ("licensing-7", Quarter(2024, 1))]
    from layouts.review import layout

    page = str(layout(review, _context(settings, "/review")))
    assert "Service licensing-6, Licensing" in page
    assert "Service licensing-7, Licensing" in page


def test_review_rolls_up_services_and_names_the_standards_that_did_not_report(seed_store):
    settings = Settings(database_url=seed_store)
    review = review_view.build(seed_store, settings, Route("review"), {}, "en")
    assert review.has_data and review.quarter == Quarter(2025, 3)
    summary = next(s for s in review.summaries if s.dimension == "timeliness")
    assert (summary.met.count, summary.met.total) == (7, 16)
    assert (summary.reported.count, summary.reported.total) == (16, 17)
    # licensing-6 never reported: it counts in "16 of 17 reported", and the review's "did not
    # report" names it, as the overview does (issue 13), with no quarter reported.
    silent = [
        (s.row.agency_slug, s.standard.service_slug, s.last_reported)
        for s in review.not_reported_standards
    ]
    assert silent == [("licensing", "licensing-6", None)]
    rows = {row.agency_slug: row for row in review.rows if row.dimension == "timeliness"}
    assert rows["revenue"].this.rollup is not None
    assert not rows["revenue"].change_previous.moved  # a share of standards is not compared
    from layouts.review import layout

    page = str(layout(review, _context(settings, "/review")))
    assert "No quarterly results" not in page
    assert "Service licensing-6, Licensing" in page and "No result published" in page
    assert "5 of 10 service standards met (50.0%)" in page


def test_agency_page_summarises_and_lists_its_services_service_levels(seed_store):
    settings = Settings(database_url=seed_store)
    page = agency_view.build(seed_store, settings, Route("agency", {"agency": "revenue"}), {}, "en")
    assert [s.text for s in page.service_summaries] == [
        "5 of 10 service standards met in FY2025 Q3"
    ]
    levels = {item.service_slug: item for item in page.service_levels}
    assert set(levels) == {f"revenue-{i}" for i in range(10)}
    pooled = levels["revenue-4"]
    assert pooled.promise == "We serve revenue-4 on time"
    assert pooled.target_text == "≥ 80%"
    assert pooled.status is Status.MET and pooled.value_text == "81.7%"
    assert pooled.period_label == "FY2025 Q3"
    assert levels["revenue-9"].status is Status.NOT_MET
    licensing = agency_view.build(
        seed_store, settings, Route("agency", {"agency": "licensing"}), {}, "en"
    )
    silent = next(i for i in licensing.service_levels if i.service_slug == "licensing-6")
    assert silent.status is Status.NOT_REPORTED and silent.value_text == "Not reported"
    from layouts.agency import layout

    text = str(layout(page, _context(settings, "/agency/revenue")))
    assert "No service levels are posted" not in text
    assert "We serve revenue-4 on time" in text


# -- yearly results only ---------------------------------------------------------------------


@pytest.fixture
def annual_store(db_url: str) -> str:
    store = Store(db_url)
    store.metric("csat_overall", "satisfaction", "fraction", "Overall satisfaction")
    for slug, values in {"parks": (0.70, 0.85), "roads": (0.90, 0.75)}.items():
        store.unit(slug, "agency", slug.title())
        store.target(slug, "csat_overall", 0.80)
        for year, value in zip((2023, 2024), values, strict=True):
            start, end = dt.date(year - 1, 10, 1), dt.date(year, 9, 30)
            store.result(slug, "csat_overall", start, end, "fiscal_year", value, value * 400, 400)
    return db_url


def test_a_store_of_yearly_results_gets_a_yearly_scorecard(annual_store):
    settings = Settings(database_url=annual_store)
    home = home_view.build(annual_store, settings, Route("home"), {}, "en")
    assert home.has_data and home.period == "FY2024"
    assert [o.value for o in home.period_options] == ["FY2024", "FY2023"]
    cells = {row.slug: row.cells["satisfaction"] for row in home.rows}
    assert cells["parks"].status is Status.MET and cells["parks"].value == pytest.approx(0.85)
    assert cells["roads"].status is Status.NOT_MET
    earlier = home_view.build(annual_store, settings, Route("home"), {"period": "FY2023"}, "en")
    assert {r.slug: r.status("satisfaction") for r in earlier.rows} == {
        "parks": Status.NOT_MET,
        "roads": Status.MET,
    }
    (chart,) = home.charts
    assert [row["quarter"] for row in chart.rows] == ["FY2023", "FY2024"]
    for bad in ("FY2022", "FY2024-Q3", "nonsense"):
        with pytest.raises(NotFound):
            home_view.build(annual_store, settings, Route("home"), {"period": bad}, "en")
    from layouts.home import layout

    assert "No results have been published yet" not in str(layout(home, _context(settings, "/")))


def test_a_store_of_yearly_results_gets_an_annual_review(annual_store):
    settings = Settings(database_url=annual_store)
    review = review_view.build(annual_store, settings, Route("review"), {}, "en")
    assert review.has_data and review.annual
    assert review.quarter == FiscalYear(2024) and review.previous == FiscalYear(2023)
    rows = {row.agency_slug: row for row in review.rows}
    assert rows["parks"].this.value == pytest.approx(0.85)
    assert rows["parks"].previous.value == pytest.approx(0.70)
    assert rows["parks"].change_previous.moved  # 70% to 85% on 400 responses each
    assert rows["roads"].status is Status.NOT_MET
    assert [m.row.agency_slug for m in review.missed] == ["roads"]
    same = review_view.build(annual_store, settings, Route("review"), {"fy": "2023"}, "en")
    assert same.quarter == FiscalYear(2023)
    for query in ({"fy": "2022"}, {"fy": "2024", "q": "3"}, {"fy": "x"}, {"q": "9"}):
        with pytest.raises(NotFound):
            review_view.build(annual_store, settings, Route("review"), query, "en")
    from layouts.review import layout

    page = str(layout(review, _context(settings, "/review")))
    assert "FY2024 compared with FY2023 (previous fiscal year)." in page
    assert "No quarterly results" not in page


# -- monthly results only, and the precision rule ---------------------------------------------


@pytest.fixture
def monthly_store(db_url: str) -> str:
    store = Store(db_url)
    store.unit("calls", "agency", "Call Centre")
    store.metric("service_level_60s", "access", "percent", "Calls answered in 60 seconds")
    store.metric("accuracy_rate", "accuracy", "percent", "Accuracy")
    store.target("calls", "service_level_60s", 80.0)
    store.target("calls", "accuracy_rate", 80.0)
    for (start, end), (answered, offered) in zip(
        MONTHS, [(800, 1000), (700, 1000), (950, 1000)], strict=True
    ):
        store.result(
            "calls",
            "service_level_60s",
            start,
            end,
            "month",
            100 * answered / offered,
            answered,
            offered,
        )
        # 79.982 each month: the status says not met, so the figure must not read "80%".
        store.result("calls", "accuracy_rate", start, end, "month", 79.982)
    return db_url


def test_a_store_of_monthly_results_rolls_up_to_quarters(monthly_store):
    settings = Settings(database_url=monthly_store)
    home = home_view.build(monthly_store, settings, Route("home"), {}, "en")
    assert home.has_data and home.period == "FY2025-Q3"
    access = home.rows[0].cells["access"]
    assert access.value == pytest.approx(100 * 2450 / 3000)
    assert access.status is Status.MET


def test_a_figure_beside_its_status_never_contradicts_it(monthly_store):
    settings = Settings(database_url=monthly_store)
    home = home_view.build(monthly_store, settings, Route("home"), {}, "en")
    accuracy = home.rows[0].cells["accuracy"]
    assert accuracy.status is Status.NOT_MET
    from layouts.home import layout as home_layout

    page = str(home_layout(home, _context(settings, "/")))
    assert "79.98%" in page and "'80%'" not in page
    review = review_view.build(monthly_store, settings, Route("review"), {}, "en")
    row = next(r for r in review.rows if r.dimension == "accuracy")
    assert row.status is Status.NOT_MET
    from dashboard.domain.review_text import value_text

    assert value_text(row.this, "en", 30).startswith("79.98%")


# -- the headline measure of a dimension --------------------------------------------------------


def test_the_catalogue_flag_names_the_headline_and_the_methodology_says_so(db_url):
    store = Store(db_url)
    store.unit("parks", "agency", "Parks")
    # Alphabetically "Process / ease" would come first; the catalogue flags overall satisfaction.
    store.metric("process_ease", "satisfaction", "fraction", "Process / ease")
    store.metric("overall", "satisfaction", "fraction", "Overall satisfaction", headline=True)
    store.metric("wait_share", "timeliness", "fraction", "Served on time")
    store.metric("wait_days", "timeliness", "fraction", "Decided in 30 days")
    for code, value in (("process_ease", 0.6), ("overall", 0.9), ("wait_share", 0.7)):
        store.result("parks", code, Q3_START, Q3_END, "quarter", value)
    store.result("parks", "wait_share", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "quarter", 0.7)
    store.result("parks", "wait_days", Q3_START, Q3_END, "quarter", 0.5)
    settings = Settings(database_url=db_url)
    home = home_view.build(db_url, settings, Route("home"), {}, "en")
    columns = {c.dimension: c.metric_code for c in home.columns}
    # No flag in timeliness: the measure with the most published results (2 against 1).
    assert columns == {"satisfaction": "overall", "timeliness": "wait_share"}
    page = methodology_view.build(db_url, settings, Route("methodology"), {}, "en")
    sections = {s.dimension: s for s in page.dimensions}
    assert sections["satisfaction"].headline_code == "overall"
    assert "set in the metric catalogue" in sections["satisfaction"].headline_text
    assert "not set" not in sections["satisfaction"].headline_text
    assert sections["satisfaction"].metrics[0].code == "overall"  # drivers after it
    assert sections["timeliness"].headline_code == "wait_share"
    assert "not set in the metric catalogue" in sections["timeliness"].headline_text
