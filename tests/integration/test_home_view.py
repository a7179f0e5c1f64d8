"""The overview page's view, built from the demo store on SQLite and on PostgreSQL."""

from __future__ import annotations

import calendar
import datetime as dt
import pickle

import pytest
from sqlalchemy import delete, event, select

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.scorecard import SCORECARD_DIMENSIONS
from dashboard.domain.targets import Status
from dashboard.gateway import queries
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import DRAFT, PUBLISHED, Metric, Observation, Unit
from dashboard.views import NotFound
from dashboard.views.home import HomeView, build
from data.demo import DRAFT_MARKER

HOME = Route("home")


@pytest.fixture(scope="module")
def demo_url(demo_store: str) -> str:
    return demo_store


def view(url: str, language: str = "en", **query: str) -> HomeView:
    return build(url, Settings(database_url=url), HOME, query, language)


def _latest_quarter(url: str) -> tuple[dt.date, dt.date]:
    """Bounds of the latest quarter with published quarterly agency figures, from the store."""
    with session_scope(url) as session:
        start, end = session.execute(
            select(Observation.period_start, Observation.period_end)
            .join(Unit, Observation.unit_id == Unit.id)
            .where(
                Observation.visibility == PUBLISHED,
                Observation.granularity == "quarter",
                Unit.kind == "agency",
            )
            .order_by(Observation.period_start.desc())
            .limit(1)
        ).one()
    return start, end


def test_default_period_is_the_latest_quarter_with_quarterly_results(demo_url):
    home = view(demo_url)
    calendar = FiscalCalendar()
    start, end = _latest_quarter(demo_url)
    latest = calendar.period_containing(start, "quarter")
    assert (latest.start, latest.end) == (start, end)
    assert home.period == f"FY{calendar.fiscal_year(end)}-Q{calendar.quarter(end)}"
    assert home.period_options[0].value == home.period
    for option in home.period_options:
        parsed = calendar.parse_period(option.value)
        assert parsed.granularity == option.granularity
        assert calendar.period_label(parsed) == option.label
    # The month after the latest quarter is published monthly only: its quarter is not offered.
    assert all(
        calendar.parse_period(o.value).end <= end
        for o in home.period_options
        if o.granularity == "quarter"
    )


def test_every_agency_has_a_cell_per_dimension_and_links_by_slug(demo_url):
    home = view(demo_url)
    agencies = queries.list_agencies(demo_url)
    assert home.agencies_total == len(agencies) == len(home.rows)
    assert {row.slug for row in home.rows} == {a["slug"] for a in agencies}
    assert [c.dimension for c in home.columns] == list(SCORECARD_DIMENSIONS)
    for row in home.rows:
        assert set(row.cells) == set(SCORECARD_DIMENSIONS)
        for cell in row.cells.values():
            if cell.status is Status.NOT_REPORTED:
                assert cell.value is None and cell.score is None  # never a zero
            else:
                assert cell.value is not None and 0 <= cell.score <= 100


def test_housing_did_not_report_satisfaction_in_the_latest_quarter(demo_url):
    home = view(demo_url)
    housing = next(row for row in home.rows if row.slug == "housing")
    satisfaction = housing.cells["satisfaction"]
    assert satisfaction.status is Status.NOT_REPORTED
    assert satisfaction.value is None and satisfaction.score is None
    summary = next(s for s in home.summaries if s.dimension == "satisfaction")
    assert housing.name in summary.not_reported
    assert summary.reported.count == summary.reported.total - 1
    assert f"{summary.reported.count} of {summary.reported.total} reported" in summary.lines
    # Only the not-reported filter finds it.
    found = view(demo_url, dim="satisfaction", status="not_reported")
    assert [row.slug for row in found.rows] == ["housing"]


def test_rollups_agree_with_the_scorecard_cells(demo_url):
    home = view(demo_url)
    year_start, year_end = FiscalCalendar().year_bounds(2026)
    measured = _agencies_measuring(demo_url, year_start, year_end)
    for summary in home.summaries:
        statuses = [row.cells[summary.dimension].status for row in home.rows]
        met = statuses.count(Status.MET)
        judged = met + statuses.count(Status.NOT_MET)
        assert (summary.met.count, summary.met.total) == (met, judged)
        reported = len(statuses) - statuses.count(Status.NOT_REPORTED)
        assert (summary.reported.count, summary.reported.total) == (reported, len(statuses))
        assert summary.coverage.total == len(statuses)
        assert summary.coverage.count == len(measured.get(summary.dimension, set()))
        # Who reported in a quarter of the year measures the dimension in that year.
        assert summary.coverage.count >= reported
        assert summary.lines[0].startswith(f"{met} of {judged} met")


def _agencies_measuring(url: str, start: dt.date, end: dt.date) -> dict[str, set[str]]:
    with session_scope(url) as session:
        rows = session.execute(
            select(Metric.dimension, Unit.slug)
            .select_from(Observation)
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(
                Observation.visibility == PUBLISHED,
                Observation.raw_value.is_not(None),
                Unit.kind == "agency",
                Observation.period_start >= start,
                Observation.period_end <= end,
            )
        ).all()
    measuring: dict[str, set[str]] = {}
    for dimension, slug in rows:
        measuring.setdefault(dimension, set()).add(slug)
    return measuring


def test_monthly_access_is_the_quarter_volume_share_of_published_months(demo_url):
    home = view(demo_url)
    start, end = _latest_quarter(demo_url)
    with session_scope(demo_url) as session:
        months = session.execute(
            select(Unit.slug, Observation.numerator, Observation.denominator)
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(
                Metric.code == "service_level_60s",
                Observation.visibility == PUBLISHED,
                Observation.segment_type == "",
                Observation.granularity == "month",
                Observation.period_start >= start,
                Observation.period_end <= end,
                Observation.raw_value.is_not(None),
            )
        ).all()
    totals: dict[str, list[float]] = {}
    for slug, numerator, denominator in months:
        total = totals.setdefault(slug, [0.0, 0.0, 0])
        total[0] += numerator
        total[1] += denominator
        total[2] += 1
    assert totals
    for row in home.rows:
        cell = row.cells["access"]
        if row.slug not in totals:
            assert cell.status is Status.NOT_REPORTED
            continue
        numerator, denominator, count = totals[row.slug]
        assert cell.value == pytest.approx(100 * numerator / denominator)
        assert (cell.parts_reported, cell.parts_expected) == (count, 3)


def test_a_fiscal_year_runs_to_date_and_pools_its_quarters(demo_url):
    home = view(demo_url, period="FY2026")
    assert home.period == "FY2026" and home.period_through == "FY2026 Q3"
    housing = next(row for row in home.rows if row.slug == "housing")
    satisfaction = housing.cells["satisfaction"]
    # Q1 and Q2 reported, Q3 did not: the year to date rests on 2 of its 3 quarters.
    assert satisfaction.value is not None
    assert (satisfaction.parts_reported, satisfaction.parts_expected) == (2, 3)
    assert satisfaction.partial


def test_a_revised_figure_is_marked(demo_url):
    rows = queries.published_observation_records(
        demo_url,
        unit_ids=None,
        metric_codes=["service_level_60s", "csat_overall", "accuracy_rate"],
    )
    revised = [r for r in rows if r["revised_at"] is not None and r["unit_kind"] == "agency"]
    assert revised, "the demo revises an agency figure"
    first = revised[0]
    calendar = FiscalCalendar()
    quarter = calendar.period_containing(first["period_start"], "quarter")
    home = view(
        demo_url, period=f"FY{calendar.fiscal_year(quarter.end)}-Q{calendar.quarter(quarter.end)}"
    )
    row = next(r for r in home.rows if r.slug == first["unit_slug"])
    cell = next(c for c in row.cells.values() if c.metric_code == first["metric_code"])
    assert cell.revised


def test_search_finds_agencies_and_services_in_either_language(demo_url):
    home = view(demo_url, q="vehiculos")
    assert [row.slug for row in home.rows] == ["dmv"]
    assert home.service_matches
    assert all(match.agency_slug == "dmv" for match in home.service_matches)
    english = view(demo_url, q="MOTOR vehicles")
    assert [row.slug for row in english.rows] == ["dmv"]
    spanish = view(demo_url, language="es", q="hacienda")
    assert [row.name for row in spanish.rows] == ["Departamento de Hacienda"]
    nothing = view(demo_url, q="zzzz no such agency")
    assert nothing.rows == [] and nothing.service_matches == []
    assert nothing.agencies_total == home.agencies_total  # roll-ups still cover everyone
    assert [s.lines for s in nothing.summaries] == [s.lines for s in home.summaries]


def test_sort_by_score_puts_not_reported_last(demo_url):
    home = view(demo_url, sort="satisfaction")
    scores = [row.cells["satisfaction"].score for row in home.rows]
    reported = [score for score in scores if score is not None]
    assert reported == sorted(reported, reverse=True)
    assert scores[-1] is None and home.rows[-1].slug == "housing"


@pytest.mark.parametrize(
    "query",
    [
        {"period": "garbage"},
        {"period": "FY2030"},
        {"period": "FY2019-Q1"},
        {"period": "2026-03"},  # a month: the overview shows quarters and years
        {"period": "FY2026-Q4"},  # only monthly (and draft) figures: not offered
        {"sort": "colour"},
        {"dim": "happiness"},
        {"status": "maybe"},
    ],
)
def test_a_bad_parameter_is_not_found(demo_url, query):
    with pytest.raises(NotFound):
        view(demo_url, **query)


def test_not_found_speaks_the_page_language(demo_url):
    with pytest.raises(NotFound) as error:
        view(demo_url, language="es", period="FY2030")
    assert "no es un trimestre" in error.value.message


def test_spanish_view_uses_spanish_names_and_words(demo_url):
    home = view(demo_url, language="es")
    dmv = next(row for row in home.rows if row.slug == "dmv")
    assert dmv.name == "Departamento de Vehículos Motorizados"
    assert home.period_label.startswith("T")
    assert any("cumplen" in summary.lines[0] for summary in home.summaries)
    assert all("agencias reportaron" in chart.summary for chart in home.charts)


def test_trend_charts_carry_the_same_numbers_in_chart_and_table(demo_url):
    home = view(demo_url)
    assert [chart.chart_id for chart in home.charts] == [
        f"trend-{dimension}" for dimension in SCORECARD_DIMENSIONS
    ]
    _start, end = _latest_quarter(demo_url)
    for chart in home.charts:
        (line,) = chart.traces
        assert line.y == [row["mean"] for row in chart.rows]
        assert line.x == [row["period_end"] for row in chart.rows]
        assert max(line.x) == end.isoformat()
        assert all(row["agencies"] == home.agencies_total for row in chart.rows)
        summary = next(s for s in home.summaries if f"trend-{s.dimension}" == chart.chart_id)
        assert chart.rows[-1]["reported"] == summary.reported.count
        assert f"{summary.reported.count} of {home.agencies_total} agencies" in chart.summary
        csv = chart.csv_text()
        assert csv.count("\r\n") == len(chart.rows) + 1
        # The x axis is labelled by fiscal quarter (the latest always), never by day.
        assert chart.x_ticks is not None and chart.x_ticks[-1] == (
            chart.rows[-1]["period_end"],
            chart.rows[-1]["quarter"],
        )
        assert {label for _x, label in chart.x_ticks} <= {row["quarter"] for row in chart.rows}


def test_no_draft_reaches_the_view(demo_url):
    """A draft inside the chosen quarter changes nothing, and no draft text is in the view."""
    start, _end = _latest_quarter(demo_url)
    before = view(demo_url)
    with session_scope(demo_url) as session:
        unit = session.scalar(select(Unit).where(Unit.slug == "housing"))
        metric = session.scalar(select(Metric).where(Metric.code == "ack_within_1bd"))
        # A draft figure for a channel segment of the quarter's first month: never public.
        draft = Observation(
            unit=unit,
            metric=metric,
            granularity="month",
            period_start=start,
            period_end=start.replace(day=calendar.monthrange(start.year, start.month)[1]),
            segment_type="",
            segment_value="draft-probe",
            raw_value=0.0,
            numerator=0,
            denominator=1_000_000,
            visibility=DRAFT,
            internal_note=f"{DRAFT_MARKER}: probe",
        )
        session.add(draft)
    try:
        after = view(demo_url, sort="name")
    finally:
        with session_scope(demo_url) as session:
            session.execute(delete(Observation).where(Observation.segment_value == "draft-probe"))
    housing = next(row for row in before.rows if row.slug == "housing")
    housing_after = next(row for row in after.rows if row.slug == "housing")
    assert housing_after.cells == housing.cells
    assert [c.rows for c in after.charts] == [c.rows for c in before.charts]

    data = pickle.dumps(after)  # what the cache would hold
    assert DRAFT_MARKER.encode() not in data
    with session_scope(demo_url) as session:
        notes = session.scalars(
            select(Observation.internal_note).where(Observation.internal_note.is_not(None))
        ).all()
    assert notes
    for note in notes:
        assert note.encode() not in data


def test_the_view_is_built_with_few_queries(demo_url):
    engine = db.get_engine(demo_url)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        view(demo_url, period="FY2026", q="tax")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # A constant number whatever the agencies: units, metrics, the periods on offer (one
    # statement per granularity, quarters and fiscal years: a loose index scan of the periods,
    # issue 12, instead of reading every figure), the agencies' figures, their services' of the
    # period, targets, coverage.
    assert 0 < len(statements) <= 8, statements


def _ids(component, found: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    if isinstance(component, list | tuple):
        for child in component:
            _ids(child, found)
        return found
    if component is None or isinstance(component, str | int | float):
        return found
    identifier = getattr(component, "id", None)
    if isinstance(identifier, str):
        found.append(identifier)
    _ids(getattr(component, "children", None), found)
    return found


@pytest.mark.parametrize(
    ("language", "query"),
    [
        ("en", {}),
        ("es", {"q": "vehiculos", "sort": "access"}),
        ("en", {"period": "FY2026", "dim": "satisfaction", "status": "not_reported"}),
        ("es", {"q": "zzzz"}),
    ],
)
def test_layout_renders_with_unique_ids_and_links_keeping_the_language(demo_url, language, query):
    from dashboard.web.pages import PageContext
    from layouts.home import layout

    settings = Settings(database_url=demo_url)
    home = build(demo_url, settings, HOME, query, language)
    context = PageContext(language=language, path="/", query=query, settings=settings)
    components = layout(home, context)
    ids = _ids(components, [])
    assert len(ids) == len(set(ids)), ids
    assert ("scorecard" in ids) == bool(home.rows)
    assert ("no-match" in ids) == (not home.rows)
    rendered = str(components)
    if language == "es":
        assert "/agency/dmv?lang=es" in rendered or not home.rows
        assert "Cuadro de resultados por agencia" in rendered


def test_an_empty_store_is_a_page_that_says_so(db_url):
    from dashboard.web.pages import PageContext
    from layouts.home import layout

    settings = Settings(database_url=db_url)
    home = build(db_url, settings, HOME, {}, "en")
    assert not home.has_data and home.rows == [] and home.charts == []
    context = PageContext(language="en", path="/", query={}, settings=settings)
    assert "No results have been published yet." in str(layout(home, context))
    with pytest.raises(NotFound):
        build(db_url, settings, HOME, {"period": "FY2026"}, "en")
