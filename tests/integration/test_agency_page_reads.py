"""An agency page reads what it shows, not its agency's whole store (issue 12): its own overall
figures (and the one breakdown asked for), one series per service (or each service's latest
figure when the services are listed without charts), and its services' figures of the one
period their standards are judged in. Showing less of the store changes nothing the page
shows: each view equals the one built from every figure, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.scorecard import offered_periods
from dashboard.gateway import queries
from dashboard.infra.db import session_scope
from dashboard.infra.models import Metric, Observation, Unit
from dashboard.views import readings
from dashboard.views.agency import sections
from dashboard.views.agency.text import BREAKDOWN_SEGMENTS
from dashboard.web.pages import PageContext

# The package exports its ``build`` function under the module's name.
agency_build = importlib.import_module("dashboard.views.agency.build")


def _agency(url: str, slug: str, language: str = "en", **query: str) -> Any:
    route = Route("agency", {"agency": slug})
    return agency_build.build(url, Settings(database_url=url), route, query, language)


def _agencies_with_services(url: str) -> list[str]:
    units = queries.units(url)
    parents = {u["parent_slug"] for u in units if u["kind"] == "service"}
    return sorted(u["slug"] for u in units if u["kind"] == "agency" and u["slug"] in parents)


def _asked(url: str) -> list[tuple[str, str, dict[str, str]]]:
    """Each agency with services, in both languages, latest and each fiscal year offered, and
    one breakdown."""
    asked: list[tuple[str, str, dict[str, str]]] = []
    for slug in _agencies_with_services(url):
        view = _agency(url, slug)
        asked.append((slug, "en", {}))
        asked.append((slug, "es", {}))
        asked += [(slug, "en", {"period": option.value}) for option in view.period_options]
        asked += [(slug, "en", {"segment": option.value}) for option in view.segment_options[:1]]
    return asked


def _whole_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page as it was: every segment of the unit read, every figure of every service of
    every period, the periods offered computed from those figures."""
    records = queries.published_observation_records

    def every_segment(database_url: str, **kwargs: Any) -> list[dict[str, Any]]:
        kwargs["segment_types"] = None
        return [
            row
            for row in records(database_url, **kwargs)
            if row["segment_type"] in ("", *BREAKDOWN_SEGMENTS)
        ]

    def every_figure(database_url, units, metrics, **kwargs):  # type: ignore[no-untyped-def]
        return readings.headline_readings(database_url, units, metrics)

    def offered_from_figures(database_url, calendar, groups):  # type: ignore[no-untyped-def]
        figures: dict[Any, Any] = {}
        for units, codes in groups:
            metrics = {code: SimpleNamespace(code=code) for code in codes}
            figures.update(readings.headline_readings(database_url, list(units), metrics))
        return offered_periods(calendar, figures)

    def segments_from_rows(database_url, *, unit_id, segment_types):  # type: ignore[no-untyped-def]
        found = {
            row["segment_type"]
            for row in records(database_url, unit_ids=[unit_id], segment_types=None)
        }
        return [segment for segment in segment_types if segment in found]

    monkeypatch.setattr(queries, "published_observation_records", every_segment)
    monkeypatch.setattr(queries, "published_segment_types", segments_from_rows)
    monkeypatch.setattr(sections, "headline_readings", every_figure)
    monkeypatch.setattr(sections, "published_offered_periods", offered_from_figures)


def test_agency_page_reads_what_it_shows_and_shows_the_same(demo_store, monkeypatch):
    asked = _asked(demo_store)
    assert len(asked) >= 8
    windowed = [_agency(demo_store, slug, language, **query) for slug, language, query in asked]
    with monkeypatch.context() as patch:
        _whole_store(patch)
        everything = [
            _agency(demo_store, slug, language, **query) for slug, language, query in asked
        ]
    assert any(view.service_levels for view in windowed)
    assert any(view.breakdowns for view in windowed)
    for now, before in zip(windowed, everything, strict=True):
        assert now == before


def test_services_listed_without_charts_say_the_same(demo_store, monkeypatch):
    """Past :data:`~sections.SERVICE_CHARTS_MAX` services, each service's line is built from
    its latest figure alone, and reads the same as from its whole series."""
    asked = _asked(demo_store)
    charted = [_agency(demo_store, slug, language, **query) for slug, language, query in asked]
    monkeypatch.setattr(agency_build, "SERVICE_CHARTS_MAX", 0)
    listed = [_agency(demo_store, slug, language, **query) for slug, language, query in asked]
    seen_statuses = set()
    for with_charts, without in zip(charted, listed, strict=True):
        assert all(item.sparkline is not None for item in with_charts.services if item.status)
        assert all(item.sparkline is None for item in without.services)
        assert [dataclasses.replace(item, sparkline=None) for item in with_charts.services] == (
            without.services
        )
        seen_statuses |= {item.status for item in without.services}
        # Nothing else on the page depends on the services' charts; the page says which it is.
        assert with_charts.service_charts and not without.service_charts
        assert dataclasses.replace(with_charts, services=[], service_charts=False) == (
            dataclasses.replace(without, services=[])
        )
    assert len(seen_statuses) >= 2
    # The page says why there are no charts, in its language.
    from layouts.agency import layout

    for view, wanted in ((charted[0], "over time; open"), (listed[0], "latest headline")):
        context = PageContext(language=view.language, path=view.path, query={}, settings=Settings())
        assert wanted in str(layout(view, context))


def test_an_agency_page_reads_no_segment_it_does_not_show(demo_store, monkeypatch):
    slug = _agencies_with_services(demo_store)[0]
    read: list[dict[str, Any]] = []
    for name in ("published_observation_records", "latest_series_records"):
        original = getattr(queries, name)

        def spy(database_url: str, __read: Any = original, **kwargs: Any) -> Any:
            rows = __read(database_url, **kwargs)
            read.extend(rows)
            return rows

        monkeypatch.setattr(queries, name, spy)

    monkeypatch.setattr(agency_build, "SERVICE_CHARTS_MAX", 0)
    view = _agency(demo_store, slug)
    assert view.services and view.segment_options
    assert read and all(row["segment_type"] == "" for row in read)
    services = {row["unit_id"] for row in read if row["unit_slug"] != slug}
    # One figure a service: its latest.
    assert len([row for row in read if row["unit_slug"] != slug]) == len(services)
    read.clear()
    segment = view.segment_options[0].value
    _agency(demo_store, slug, segment=segment)
    assert {row["segment_type"] for row in read} == {"", segment}


def test_series_keys_and_latest_figures_equal_a_scan(demo_store):
    with session_scope(demo_store) as session:
        rows = session.execute(
            select(
                Observation.unit_id,
                Metric.code,
                Observation.granularity,
                Observation.period_end,
            )
            .join(Metric, Metric.id == Observation.metric_id)
            .join(Unit, Unit.id == Observation.unit_id)
            .where(
                Observation.visibility == "published",
                Metric.visibility == "published",
                Unit.visibility == "published",
                Observation.segment_type == "",
                Unit.kind == "service",
            )
        ).all()
        unit_ids = list(session.scalars(select(Unit.id).where(Unit.kind == "service")))
    latest: dict[tuple[int, str, str], Any] = {}
    for unit_id, code, granularity, end in rows:
        key = (unit_id, code, granularity)
        latest[key] = max(latest.get(key, end), end)
    keys = sorted(latest)
    assert keys and queries.published_series_keys(demo_store, unit_ids=unit_ids) == keys
    found = queries.latest_series_records(demo_store, series=keys)
    assert len(found) == len(keys)
    assert {(r["unit_id"], r["metric_code"], r["granularity"]): r["period_end"] for r in found} == (
        latest
    )
    # By an earlier day: each series' latest figure ending by then (none for a series that
    # starts later).
    cut = sorted(set(latest.values()))[len(set(latest.values())) // 2]
    earlier = queries.latest_series_records(demo_store, series=keys, ending_by=cut)
    expected = {}
    for unit_id, code, granularity, end in rows:
        key = (unit_id, code, granularity)
        if end <= cut:
            expected[key] = max(expected.get(key, end), end)
    assert (
        expected
        and {(r["unit_id"], r["metric_code"], r["granularity"]): r["period_end"] for r in earlier}
        == expected
    )
