"""The home page and the review read only the periods they show (issue 12), and showing less
of the store changes nothing they show: each view equals the one built from every figure of
the store's history, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import aliased

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.scorecard import offered_periods
from dashboard.gateway import queries
from dashboard.infra.db import session_scope
from dashboard.infra.models import Metric, Observation, Unit
from dashboard.views import NotFound, home, readings, review

HOME = Route("home")
REVIEW = Route("review")


@pytest.fixture(scope="module")
def demo_url(demo_store: str) -> str:
    return demo_store


def _home(url: str, language: str = "en", **query: str) -> home.HomeView:
    return home.build(url, Settings(database_url=url), HOME, query, language)


def _review(url: str, language: str = "en", **query: str) -> review.ReviewView:
    return review.build(url, Settings(database_url=url), REVIEW, query, language)


def _whole_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages as they were: every published figure of the series read, whatever the
    period, every agency's services' figures, and the periods offered computed from those
    figures."""
    overall = queries.overall_figures

    def every_figure(database_url: str, **kwargs: Any) -> dict[str, list[Any]]:
        kwargs.update(starting_from=None, ending_by=None)
        return overall(database_url, **kwargs)

    def nothing_more(database_url: str, **kwargs: Any) -> dict[str, list[Any]]:
        return {name: [] for name in queries.FIGURE_COLUMNS}

    def offered_from_figures(database_url, calendar, groups):  # type: ignore[no-untyped-def]
        figures: dict[Any, Any] = {}
        for units, codes in groups:
            metrics = {code: SimpleNamespace(code=code) for code in codes}
            figures.update(readings.headline_readings(database_url, list(units), metrics))
        return offered_periods(calendar, figures)

    monkeypatch.setattr(queries, "overall_figures", every_figure)
    monkeypatch.setattr(queries, "last_reported_figures", nothing_more)
    monkeypatch.setattr(home, "published_offered_periods", offered_from_figures)
    monkeypatch.setattr(review, "published_offered_periods", offered_from_figures)

    def every_agency(agencies, headline, readings, periods):  # type: ignore[no-untyped-def]
        return {agency["slug"] for agency in agencies}

    monkeypatch.setattr(home, "needing_services", every_agency)
    monkeypatch.setattr(review, "needing_services", every_agency)


def _home_queries(url: str) -> list[tuple[str, dict[str, str]]]:
    """The latest period (both languages), two earlier quarters, a fiscal year over and the
    one still running ("to date"), and a 404."""
    options = _home(url).period_options
    quarters = [o.value for o in options if o.granularity == "quarter"]
    years = [o.value for o in options if o.granularity == "fiscal_year"]
    assert len(quarters) >= 6 and len(years) >= 2
    asked = [{}, {"period": quarters[1]}, {"period": quarters[5]}]
    asked += [{"period": years[0]}, {"period": years[1]}, {"period": "FY1990-Q1"}]
    return [("es", {})] + [("en", query) for query in asked]


def _review_queries(url: str) -> list[tuple[str, dict[str, str]]]:
    """The latest quarter (both languages), an earlier one, an annual review and a 404."""
    years = [option.value for option in _review(url).fiscal_year_options]
    assert len(years) >= 2
    asked = [{}, {"fy": years[1], "q": "2"}, {"fy": years[1]}, {"fy": "1990", "q": "1"}]
    return [("es", {})] + [("en", query) for query in asked]


def _views(build, url: str, asked: list[tuple[str, dict[str, str]]]) -> list[Any]:  # type: ignore[no-untyped-def]
    found = []
    for language, query in asked:
        try:
            found.append(build(url, language, **query))
        except NotFound as error:  # a 404 must stay the same 404
            found.append(str(error))
    return found


def test_home_reads_only_its_periods_and_shows_the_same(demo_url, monkeypatch):
    asked = _home_queries(demo_url)
    windowed = _views(_home, demo_url, asked)
    with monkeypatch.context() as patch:
        _whole_history(patch)
        everything = _views(_home, demo_url, asked)
    assert len(windowed) == len(everything) >= 4
    for now, before in zip(windowed, everything, strict=True):
        assert now == before


def test_review_reads_only_its_periods_and_shows_the_same(demo_url, monkeypatch):
    asked = _review_queries(demo_url)
    windowed = _views(_review, demo_url, asked)
    with monkeypatch.context() as patch:
        _whole_history(patch)
        everything = _views(_review, demo_url, asked)
    assert len(windowed) == len(everything) >= 4
    assert any(isinstance(v, review.ReviewView) and v.has_data for v in windowed)
    for now, before in zip(windowed, everything, strict=True):
        assert now == before


class _Reads:
    """What the pages asked the gateway for, and the periods of the rows they got."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, dict[str, Any], list[tuple[dt.date, dt.date]]]] = []
        for name in ("overall_figures", "last_reported_figures"):
            monkeypatch.setattr(queries, name, self._spy(name, getattr(queries, name)))

    def _spy(self, name: str, read: Any) -> Any:
        def spy(database_url: str, **kwargs: Any) -> dict[str, list[Any]]:
            columns = read(database_url, **kwargs)
            periods = list(zip(columns["period_start"], columns["period_end"], strict=True))
            self.calls.append((name, kwargs, [(_day(s), _day(e)) for s, e in periods]))
            return columns

        return spy


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def test_home_never_reads_a_period_after_the_one_shown(demo_url, monkeypatch):
    latest = _home(demo_url)
    # An earlier quarter: the figures after it are in the store but not on the page.
    earlier = [o for o in latest.period_options if o.granularity == "quarter"][3]
    reads = _Reads(monkeypatch)
    view = _home(demo_url, period=earlier.value)
    period = FiscalCalendar().parse_period(earlier.value)
    assert view.period == earlier.value
    assert reads.calls
    for name, asked, periods in reads.calls:
        assert name == "overall_figures"
        assert asked["ending_by"] == period.end
        assert all(end <= period.end for _, end in periods)
        if asked["starting_from"] is not None:  # the services' figures: the period only
            assert asked["starting_from"] == period.start
            assert all(start >= period.start for start, _ in periods)
    # The services' figures of the quarter only: fewer rows than their whole history.
    read = sum(len(periods) for _, _, periods in reads.calls)
    with session_scope(demo_url) as session:
        overall = session.scalar(
            select(func.count(Observation.id)).where(
                Observation.segment_type == "", Observation.visibility == "published"
            )
        )
    assert read < overall


def test_review_reads_its_window_and_one_last_figure_per_series(demo_url, monkeypatch):
    reads = _Reads(monkeypatch)
    view = _review(demo_url)
    assert view.quarter is not None
    calendar = view.calendar
    first, last = review.reviewed_window(calendar, view.quarter)
    this_start = review.quarter_bounds(calendar, view.quarter)[0]
    assert first < this_start <= last
    windowed = [
        periods
        for name, asked, periods in reads.calls
        # The actions' figures (what followed each) are read whole: a few series.
        if name == "overall_figures" and asked["starting_from"] is not None
    ]
    assert len(windowed) == 2  # the agencies' and their services'
    assert windowed and all(first <= s and e <= last for ps in windowed for s, e in ps)
    before = [periods for name, _, periods in reads.calls if name == "last_reported_figures"]
    assert before and all(s < first and e < this_start for ps in before for s, e in ps)


def test_latest_period_ends_equals_grouping_every_row(demo_url):
    with session_scope(demo_url) as session:
        grouped = session.execute(
            select(Metric.code, Observation.granularity, func.max(Observation.period_end))
            .join(Metric, Observation.metric_id == Metric.id)
            .where(Observation.visibility == "published", Observation.segment_type == "")
            .group_by(Metric.code, Observation.granularity)
        ).all()
    expected = {(code, granularity): end for code, granularity, end in grouped}
    assert expected
    assert queries.latest_period_ends(demo_url) == expected


def test_latest_period_ends_is_an_index_seek(demo_url):
    """The plan names migration 0006's index (PostgreSQL: with sequential scans ruled out,
    since on a store this small a scan is rightly cheaper)."""
    latest = (
        select(func.max(Observation.period_end))
        .where(
            Observation.metric_id == 1,
            Observation.segment_type == "",
            Observation.granularity == "month",
            Observation.visibility == "published",
        )
        .compile(compile_kwargs={"literal_binds": True})
    )
    with session_scope(demo_url) as session:
        if demo_url.startswith("sqlite"):
            plan = " ".join(
                str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {latest}"))
            )
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(str(row[0]) for row in session.execute(text(f"EXPLAIN {latest}")))
    assert "ix_observations_metric_latest" in plan, plan


def test_measured_dimensions_equals_the_scan_of_the_year(demo_url):
    calendar = FiscalCalendar()
    parent = aliased(Unit)
    measured_years = 0
    for year in range(2019, 2028):
        start, end = calendar.year_bounds(year)
        scanned = (
            select(Unit.slug, Unit.kind, parent.slug, Metric.dimension)
            .select_from(Observation)
            .join(Unit, Observation.unit_id == Unit.id)
            .outerjoin(parent, Unit.parent_id == parent.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(
                Observation.visibility == "published",
                Unit.kind.in_(("agency", "service")),
                Observation.raw_value.is_not(None),
                Observation.period_start >= start,
                Observation.period_end <= end,
            )
            .distinct()
        )
        expected: dict[str, set[str]] = {}
        with session_scope(demo_url) as session:
            for slug, kind, parent_slug, dimension in session.execute(scanned):
                owner = slug if kind == "agency" else parent_slug
                if owner:
                    expected.setdefault(owner, set()).add(dimension)
        assert queries.measured_dimensions(demo_url, start, end) == expected
        measured_years += bool(expected)
    assert measured_years >= 3


def test_quarters_offered_from_months_need_one_series_with_all_three(db_url):
    """A store of monthly figures offers a quarter when one series has its three months: not
    when the three are spread over several series, not from a draft month, a segment's month
    or a unit outside the page; the same answer as reading every figure."""
    months = {
        name: (dt.date(year, m, 1), (dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(1)))
        for name, (year, m) in {
            "oct": (2025, 10),
            "nov": (2025, 11),
            "dec": (2025, 12),
            "jan": (2026, 1),
            "feb": (2026, 2),
            "mar": (2026, 3),
            "apr": (2026, 4),
            "may": (2026, 5),
            "jun": (2026, 6),
            "jul": (2026, 7),
            "aug": (2026, 8),
            "sep": (2026, 9),
        }.items()
    }
    with session_scope(db_url) as session:
        units = {slug: Unit(slug=slug, kind="agency", name_en=slug) for slug in "abc"}
        metrics = {
            code: Metric(code=code, dimension="access", scale="percent", name_en=code)
            for code in ("m1", "m2")
        }
        session.add_all([*units.values(), *metrics.values()])
        session.flush()

        def figure(unit: str, code: str, name: str, **extra: Any) -> None:
            start, end = months[name]
            session.add(
                Observation(
                    unit_id=units[unit].id,
                    metric_id=metrics[code].id,
                    period_start=start,
                    period_end=end,
                    granularity="month",
                    raw_value=50.0,
                    visibility=extra.pop("visibility", "published"),
                    **extra,
                )
            )

        figure("a", "m1", "oct")  # FY2026 Q1: the three months over two series
        figure("a", "m1", "nov")
        figure("b", "m1", "dec")
        for name in ("jan", "feb", "mar"):  # FY2026 Q2: one series has all three
            figure("a", "m2", name)
        figure("b", "m1", "apr")  # FY2026 Q3: the third month is a draft, or a segment's
        figure("b", "m1", "may")
        figure("b", "m1", "jun", visibility="draft")
        figure("b", "m1", "jun", segment_type="channel", segment_value="phone")
        for name in ("jul", "aug", "sep"):  # FY2026 Q4: a unit the page does not show
            figure("c", "m1", name)
    page_units = [u for u in queries.units(db_url) if u["slug"] in ("a", "b")]
    calendar = FiscalCalendar()
    groups = [(page_units, ["m1", "m2"])]
    offered = readings.published_offered_periods(db_url, calendar, groups)
    assert offered.quarters == [(2026, 2)]
    every = readings.headline_readings(
        db_url, page_units, {code: SimpleNamespace(code=code) for code in ("m1", "m2")}
    )
    assert offered_periods(calendar, every) == offered
    # Every unit: the fourth quarter too.
    everyone = [u for u in queries.units(db_url) if u["kind"] == "agency"]
    assert readings.published_offered_periods(
        db_url, calendar, [(everyone, ["m1", "m2"])]
    ).quarters == [(2026, 2), (2026, 4)]


def test_long_lists_of_units_read_the_same_as_short_ones(demo_url):
    """Past a few dozen ids a unit list goes to PostgreSQL as one array parameter; the rows
    are the same as asking a few units at a time (ids of no unit included)."""
    from dashboard.gateway.queries import _ARRAY_FROM

    unit_ids = [u["id"] for u in queries.units(demo_url)] + [10_000_001, 10_000_002]
    assert len(unit_ids) > _ARRAY_FROM
    codes = [m["code"] for m in queries.metrics(demo_url)]

    def few_at_a_time(read: Any) -> list[Any]:
        found: list[Any] = []
        for first in range(0, len(unit_ids), 8):
            found += read(unit_ids[first : first + 8])
        return found

    def key(row: dict[str, Any]) -> Any:
        return row["id"]

    targets = queries.published_targets(demo_url, unit_ids=unit_ids)
    assert targets and sorted(targets, key=key) == sorted(
        few_at_a_time(lambda ids: queries.published_targets(demo_url, unit_ids=ids)), key=key
    )
    actions = queries.published_actions(demo_url, unit_ids=unit_ids)
    assert actions and sorted(actions, key=key) == sorted(
        few_at_a_time(lambda ids: queries.published_actions(demo_url, unit_ids=ids)), key=key
    )
    figures = queries.overall_figures(demo_url, unit_ids=unit_ids, metric_codes=codes)
    parts = [
        queries.overall_figures(demo_url, unit_ids=unit_ids[i : i + 8], metric_codes=codes)
        for i in range(0, len(unit_ids), 8)
    ]
    assert figures["unit_slug"]
    assert sorted(zip(*figures.values(), strict=True)) == sorted(
        row for part in parts for row in zip(*part.values(), strict=True)
    )


def test_an_agency_family_is_its_part_of_the_catalogue(demo_url):
    every = queries.units(demo_url)
    agency = next(
        u
        for u in every
        if u["kind"] == "agency" and any(s["parent_slug"] == u["slug"] for s in every)
    )
    slug = agency["slug"]
    family = queries.units(demo_url, family=slug)
    assert family == [
        u for u in every if u["kind"] == "enterprise" or slug in (u["slug"], u["parent_slug"])
    ]
    assert len(family) < len(every) and any(u["kind"] == "service" for u in family)
    assert queries.units(demo_url, family="no-such-agency") == [
        u for u in every if u["kind"] == "enterprise"
    ]
