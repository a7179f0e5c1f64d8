"""An agency page reads what it shows, not its agency's whole store (issue 12): its own overall
figures (and the one breakdown asked for), one series per service (none past
SERVICE_CHARTS_MAX services: a big agency's services are listed by their standards), and its
services' figures of the one period their standards are judged in. Showing less of the store
changes nothing the page shows: each view equals the one built from every figure, on SQLite
and PostgreSQL."""

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
from dashboard.domain.targets import Status
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


def test_a_big_agency_lists_its_services_by_their_standards(demo_store, monkeypatch):
    """Past :data:`~sections.SERVICE_CHARTS_MAX` services, the page shows per dimension the
    roll-up and its exceptions (standards that missed or did not report), and one line a
    service judged from the same standards; nothing else on the page changes."""
    asked = _asked(demo_store)
    charted = [_agency(demo_store, slug, language, **query) for slug, language, query in asked]
    monkeypatch.setattr(agency_build, "SERVICE_CHARTS_MAX", 0)
    listed = [_agency(demo_store, slug, language, **query) for slug, language, query in asked]
    seen_statuses = set()
    exceptions = 0
    for with_charts, without in zip(charted, listed, strict=True):
        assert with_charts.service_charts and with_charts.service_levels_all
        assert not without.service_charts and not without.service_levels_all
        assert all(item.sparkline is None for item in without.services)
        assert [item.slug for item in with_charts.services] == [
            item.slug for item in without.services
        ]
        # The same roll-up; of the standards, only the exceptions, every one of them.
        assert without.service_summaries == with_charts.service_summaries
        wanted = {(i.service_slug, i.metric_code) for i in with_charts.service_levels}
        missed = {
            (i.service_slug, i.metric_code)
            for i in with_charts.service_levels
            if i.status in (Status.NOT_MET, Status.NOT_REPORTED)
        }
        assert {(i.service_slug, i.metric_code) for i in without.service_levels} == missed
        assert missed <= wanted
        exceptions += len(missed)
        for summary in without.service_summaries:
            mine = [i for i in without.service_levels if i.dimension == summary.dimension]
            assert len(mine) == summary.not_met_count + summary.not_reported_count
        # Each service's line: how many of its standards met, and their worst status.
        for item in without.services:
            own = [i for i in with_charts.service_levels if i.service_slug == item.slug]
            statuses = [i.status for i in own]
            judged = statuses.count(Status.MET) + statuses.count(Status.NOT_MET)
            if judged and without.language == "en":
                assert item.latest_text.startswith(
                    f"{statuses.count(Status.MET)} of {judged} service standards met in "
                )
            if Status.NOT_MET in statuses:
                assert item.status == Status.NOT_MET
            elif Status.MET in statuses:
                assert item.status == Status.MET
            seen_statuses.add(item.status)
        assert dataclasses.replace(
            with_charts,
            services=[],
            service_charts=False,
            service_levels=[],
            service_levels_all=False,
        ) == dataclasses.replace(without, services=[], service_levels=[])
    assert exceptions and len(seen_statuses) >= 2
    # The page says how its services are listed, in its language.
    from layouts.agency import layout

    for view, wanted_text in (
        (charted[0], "over time; open"),
        (listed[0], "posted service levels did"),
    ):
        context = PageContext(language=view.language, path=view.path, query={}, settings=Settings())
        assert wanted_text in str(layout(view, context))


def test_a_big_agency_reads_no_series_of_its_services(demo_store, monkeypatch):
    """Its services' lines come from the one period's figures its standards are judged on:
    no series of any service is read, and no segment the page does not show."""
    slug = _agencies_with_services(demo_store)[0]
    read: list[dict[str, Any]] = []
    for name in ("published_observation_records",):
        original = getattr(queries, name)

        def spy(database_url: str, __read: Any = original, **kwargs: Any) -> Any:
            rows = __read(database_url, **kwargs)
            read.extend(rows)
            return rows

        monkeypatch.setattr(queries, name, spy)
    keys_read: list[Any] = []
    original_keys = queries.published_series_keys

    def keys_spy(database_url: str, **kwargs: Any) -> Any:
        keys_read.append(kwargs)
        return original_keys(database_url, **kwargs)

    monkeypatch.setattr(queries, "published_series_keys", keys_spy)

    view = _agency(demo_store, slug)  # a small agency: each service's trend
    assert view.service_charts and keys_read
    assert any(row["unit_slug"] != slug for row in read)
    read.clear()
    keys_read.clear()
    monkeypatch.setattr(agency_build, "SERVICE_CHARTS_MAX", 0)
    view = _agency(demo_store, slug)
    assert view.services and view.segment_options and not view.service_charts
    assert read and all(row["segment_type"] == "" for row in read)
    assert {row["unit_slug"] for row in read} == {slug}
    assert keys_read == []
    read.clear()
    segment = view.segment_options[0].value
    _agency(demo_store, slug, segment=segment)
    assert {row["segment_type"] for row in read} == {"", segment}


def test_series_keys_equal_a_scan(demo_store):
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
