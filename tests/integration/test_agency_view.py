"""The agency and service pages' view, built from the demo store on SQLite and on PostgreSQL.

Expected figures are read from the store (never typed in), so the tests follow the demo.
"""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from sqlalchemy import select

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.charts import ChartSpec
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.formatting import display_value
from dashboard.domain.targets import Status
from dashboard.gateway import queries
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    DRAFT,
    PUBLISHED,
    Action,
    Closure,
    Metric,
    Observation,
    ObservationRevision,
    Target,
    Unit,
)
from dashboard.views import NotFound
from dashboard.views.agency import AgencyView, build, charts, language_name
from data.demo import DRAFT_MARKER

FISCAL = FiscalCalendar()


@pytest.fixture(scope="module")
def demo_url(demo_store: str) -> str:
    return demo_store


def agency_view(url: str, slug: str, language: str = "en", **query: str) -> AgencyView:
    return build(
        url, Settings(database_url=url), Route("agency", {"agency": slug}), query, language
    )


def service_view(
    url: str, agency: str, service: str, language: str = "en", **query: str
) -> AgencyView:
    route = Route("service", {"agency": agency, "service": service})
    return build(url, Settings(database_url=url), route, query, language)


def revised_figure(url: str) -> dict:
    """The demo's revised figure: its unit, metric, period and both values, from the store."""
    with session_scope(url) as session:
        row = session.execute(
            select(
                Unit.slug,
                Unit.kind,
                Metric.code,
                Metric.scale,
                Observation.period_end,
                Observation.raw_value,
                ObservationRevision.raw_value,
            )
            .join(Observation, ObservationRevision.observation_id == Observation.id)
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(Observation.visibility == PUBLISHED, Observation.segment_type == "")
        ).one()
    slug, kind, code, scale, period_end, now, earlier = row
    return {
        "slug": slug,
        "kind": kind,
        "code": code,
        "period_end": period_end.isoformat(),
        "value": display_value(now, scale),
        "earlier": display_value(earlier, scale),
    }


def published_codes(url: str, slug: str) -> set[str]:
    units = {u["slug"]: u["id"] for u in queries.units(url)}
    rows = queries.published_observation_records(url, unit_ids=[units[slug]])
    return {row["metric_code"] for row in rows}


def line_points(spec: ChartSpec, name: str | None = None) -> dict[str, float | None]:
    """x -> y of a chart's result line (the first one, or the one named)."""
    trace = next(t for t in spec.traces if t.kind == "line" and (name is None or t.name == name))
    return dict(zip(trace.x, trace.y, strict=True))


def assert_table_matches_chart(spec: ChartSpec) -> None:
    """The table (and so the CSV) carries exactly the numbers the result line draws."""
    line = line_points(spec)
    for row in spec.rows:
        value = row["value"]
        drawn = line[row["period_end"]]
        if isinstance(value, (int, float)):
            assert drawn == value, (spec.chart_id, row)
        else:
            assert drawn is None, (spec.chart_id, row)  # not reported, or suppressed
    # Every drawn point is a row; the only other x values are series-break gaps.
    row_ends = {row["period_end"] for row in spec.rows}
    assert all(x in row_ends or y is None for x, y in line.items())


def test_agency_page_has_a_trend_chart_per_metric(demo_url):
    revised = revised_figure(demo_url)
    view = agency_view(demo_url, revised["slug"])
    assert view.page == "agency" and view.slug == revised["slug"]
    assert view.name and view.description
    codes = published_codes(demo_url, revised["slug"])
    assert {panel.code for panel in view.panels} == codes
    metrics = {m["code"]: m for m in queries.metrics(demo_url)}
    for panel in view.panels:
        spec = panel.chart
        assert spec.chart_id == panel.code
        assert spec.file_stem == f"{view.slug}_{panel.code.replace('_', '-')}_all"
        assert spec.summary.endswith(".")
        assert_table_matches_chart(spec)
        kinds = [trace.kind for trace in spec.traces]
        survey_share = metrics[panel.code]["is_survey"] and metrics[panel.code]["scale"] in (
            "fraction",
            "percent",
        )
        assert ("band" in kinds) == bool(survey_share), panel.code
        expected = "month" if panel.code in {"service_level_60s", "contacts_received"} else None
        if expected:
            assert panel.granularity == expected
    # Survey results carry their number of responses.
    csat = next(panel for panel in view.panels if panel.code == "csat_overall").chart
    assert any(column.key == "responses" for column in csat.columns)
    assert all(row["responses"] for row in csat.rows if isinstance(row["value"], float))
    assert pickle.loads(pickle.dumps(view)) == view
    ids = [spec.chart_id for spec in charts(view)]
    assert len(ids) == len(set(ids))


def test_target_change_is_a_dated_step_and_actions_are_drawn(demo_url):
    revised = revised_figure(demo_url)
    view = agency_view(demo_url, revised["slug"])
    panel = next(panel for panel in view.panels if panel.code == revised["code"])
    target = next(trace for trace in panel.chart.traces if trace.kind == "target")
    with session_scope(demo_url) as session:
        effective = session.scalars(
            select(Target.effective_from)
            .join(Unit, Target.unit_id == Unit.id)
            .join(Metric, Target.metric_id == Metric.id)
            .where(
                Unit.slug == revised["slug"],
                Metric.code == revised["code"],
                Target.visibility == PUBLISHED,
            )
            .order_by(Target.effective_from)
        ).all()
    assert len(effective) >= 2 and len({y for y in target.y if y is not None}) >= 2
    # The step sits at the date the new target took effect.
    assert effective[-1].isoformat() in target.x
    actions = next(trace for trace in panel.chart.traces if trace.kind == "actions")
    assert len(actions.x) >= 1 and all(y is not None for y in actions.y)
    drawn = [item for item in panel.actions if item.on_chart]
    assert len(drawn) == len(actions.x)
    published_titles = {
        a["title_en"]
        for a in queries.published_actions(demo_url)
        if a["unit_slug"] == revised["slug"] and revised["code"] in a["metric_codes"]
    }
    assert {item.title for item in panel.actions} == published_titles
    for item, text in zip(drawn, actions.text or [], strict=True):
        assert item.title in text and item.status_text in text


def test_revised_figure_shows_its_earlier_value(demo_url):
    revised = revised_figure(demo_url)
    view = agency_view(demo_url, revised["slug"])
    spec = next(panel for panel in view.panels if panel.code == revised["code"]).chart
    row = next(r for r in spec.rows if r["period_end"] == revised["period_end"])
    assert row["value"] == revised["value"]
    assert row["earlier_value"] == revised["earlier"]
    assert "Revised" in row["notes"] and f"{revised['earlier']}" in row["notes"]
    assert any("revised" in note and f"{revised['earlier']}" in note for note in spec.notes)
    assert f"{revised['earlier']}" in spec.csv_text()
    unrevised = [r for r in spec.rows if r["period_end"] != revised["period_end"]]
    assert all(r["earlier_value"] is None for r in unrevised)


def test_promises_show_the_latest_result_against_the_target_in_force(demo_url):
    view = agency_view(demo_url, "employment-security")
    assert view.promises
    written = [item for item in view.promises if not item.promise.startswith(item.metric_name)]
    assert written, "the demo posts plain-language promises"
    promise_texts = {
        row["promise_en"]
        for row in queries.published_targets(demo_url)
        if row["unit_slug"] == "employment-security" and row["promise_en"]
    }
    assert {item.promise for item in written} <= promise_texts
    panels = {panel.code: panel for panel in view.panels}
    for item in view.promises:
        last = panels[item.metric_code].chart.rows[-1]
        assert item.period_label == last["period"]
        assert item.target_text == last["target"]
        assert item.status is not None and item.status.value == last["status"]


def _agency_with_unreported_latest(url: str) -> tuple[str, str]:
    """An agency and metric whose latest quarterly result was published as not reported."""
    with session_scope(url) as session:
        latest = session.scalar(
            select(Observation.period_end)
            .where(Observation.visibility == PUBLISHED, Observation.granularity == "quarter")
            .order_by(Observation.period_end.desc())
            .limit(1)
        )
        slug, code = session.execute(
            select(Unit.slug, Metric.code)
            .join(Observation, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .join(Target, (Target.unit_id == Unit.id) & (Target.metric_id == Metric.id))
            .where(
                Unit.kind == "agency",
                Observation.visibility == PUBLISHED,
                Observation.segment_type == "",
                Observation.period_end == latest,
                Observation.raw_value.is_(None),
            )
            .limit(1)
        ).one()
    return slug, code


@pytest.mark.parametrize("language", ["en", "es"])
def test_not_reported_is_words_never_zero(demo_url, language):
    slug, code = _agency_with_unreported_latest(demo_url)
    view = agency_view(demo_url, slug, language)
    promise = next(item for item in view.promises if item.metric_code == code)
    assert promise.status == Status.NOT_REPORTED
    assert promise.value_text == ("No reportado" if language == "es" else "Not reported")
    spec = next(panel for panel in view.panels if panel.code == code).chart
    assert spec.rows[-1]["value"] is None and spec.rows[-1]["status"] == "not_reported"
    assert line_points(spec)[spec.rows[-1]["period_end"]] is None
    words = "no se reportó" if language == "es" else "was not reported"
    assert words in spec.summary


def test_breakdowns_by_channel_and_language(demo_url):
    by_channel = agency_view(demo_url, "dmv", segment="channel")
    ids = {spec.chart_id for spec in by_channel.breakdowns}
    assert "ack_within_1bd-by-channel" in ids
    spec = next(s for s in by_channel.breakdowns if s.chart_id == "ack_within_1bd-by-channel")
    units = {u["slug"]: u["id"] for u in queries.units(demo_url)}
    rows = queries.published_observation_records(
        demo_url,
        unit_ids=[units["dmv"]],
        metric_codes=["ack_within_1bd"],
        segment_types=["channel"],
    )
    channels = {row["segment_value"] for row in rows}
    lines = [trace for trace in spec.traces if trace.kind == "line"]
    assert len(lines) == len(channels) >= 2
    assert spec.summary and "ranged from" in spec.summary
    for trace in lines:
        drawn = dict(zip(trace.x, trace.y, strict=True))
        for row in (r for r in spec.rows if r["group"] == trace.name):
            value = row["value"]
            assert drawn[row["period_end"]] == (value if isinstance(value, float) else None)
    by_language = agency_view(demo_url, "dmv", "es", segment="language")
    spec = next(s for s in by_language.breakdowns if s.chart_id == "csat_overall-by-language")
    assert {trace.name for trace in spec.traces if trace.kind == "line"} == {"Inglés", "Español"}
    assert "osciló entre" in spec.summary
    # Without the parameter the page lists the breakdowns it has, and draws none.
    plain = agency_view(demo_url, "dmv")
    assert plain.breakdowns == [] and {o.value for o in plain.segment_options} == {
        "channel",
        "language",
    }


def test_metric_and_period_parameters_focus_the_page(demo_url):
    focused = agency_view(demo_url, "dmv", metric="csat_overall", period="FY2025")
    assert [panel.code for panel in focused.panels] == ["csat_overall"]
    assert [item.metric_code for item in focused.promises] == ["csat_overall"]
    assert focused.period == "FY2025" and focused.period_label == "FY2025"
    start, end = FISCAL.year_bounds(2025)
    for spec in charts(focused):
        for row in spec.rows:
            assert start.isoformat() <= row["period_end"] <= end.isoformat()
    assert focused.panels[0].chart.file_stem == "dmv_csat-overall_fy2025"
    spanish = agency_view(demo_url, "dmv", "es", period="AF2025")
    assert spanish.period == "FY2025" and spanish.period_label == "AF2025"
    # Newest year first, and the values are the same in both languages.
    latest = FISCAL.fiscal_year(queries.data_status(demo_url).as_of)
    assert spanish.period_options[0].value == FISCAL.year_label(latest)
    assert spanish.period_options[0].label == FISCAL.year_label(latest, "es")


def test_baseline_year_says_so(demo_url):
    view = agency_view(demo_url, "dmv", metric="ack_within_1bd", period="FY2024")
    spec = view.panels[0].chart
    assert {row["target"] for row in spec.rows} == {"Establish baseline"}
    assert {row["status"] for row in spec.rows} == {"no_target"}
    assert "establish a baseline" in spec.summary
    assert all(trace.kind != "target" for trace in spec.traces)  # no number to draw


def test_service_page_has_a_breadcrumb_agency_and_its_own_results(demo_url):
    agency = next(a for a in queries.list_agencies(demo_url) if a["slug"] == "employment-security")
    service = agency["services"][0]
    view = service_view(demo_url, agency["slug"], service["slug"], "es")
    assert view.page == "service"
    assert view.name == (service["name_es"] or service["name_en"])
    assert view.agency_name == (agency["name_es"] or agency["name_en"])
    assert view.agency_path == "/agency/employment-security"
    assert view.path == f"/agency/employment-security/{service['slug']}"
    assert view.services == []
    assert {panel.code for panel in view.panels} == published_codes(demo_url, service["slug"])
    for panel in view.panels:
        assert_table_matches_chart(panel.chart)


def test_agency_lists_its_services_with_small_trends(demo_url):
    agency = next(a for a in queries.list_agencies(demo_url) if a["slug"] == "dmv")
    view = agency_view(demo_url, "dmv")
    assert {item.slug for item in view.services} == {s["slug"] for s in agency["services"]}
    for item in view.services:
        assert item.path == f"/agency/dmv/{item.slug}"
        assert item.sparkline is not None and item.latest_text
        assert_table_matches_chart(item.sparkline)
        last = item.sparkline.rows[-1]
        assert last["period"] in item.latest_text


def test_contacts_and_upcoming_closures(demo_url):
    with session_scope(demo_url) as session:
        first_closure = session.scalars(select(Closure).order_by(Closure.starts_on)).first()
        unit = session.get(Unit, first_closure.unit_id)
        day = first_closure.starts_on - dt.timedelta(days=1)
        slug = unit.slug if unit.kind == "agency" else None
        enterprise_ids = session.scalars(select(Unit.id).where(Unit.kind == "enterprise")).all()
    slug = slug or "dmv"
    url = demo_url
    settings = Settings(database_url=url, extra={"today": day})
    view = build(url, settings, Route("agency", {"agency": slug}), {}, "en")
    units = {u["slug"]: u["id"] for u in queries.units(url)}
    expected = queries.closures(url, [units[slug], *enterprise_ids], ending_on_or_after=day)
    assert [(c.starts_on, c.reason) for c in view.closures] == [
        (row["starts_on"], row["reason_en"]) for row in expected
    ]
    assert view.closures
    later = Settings(database_url=url, extra={"today": dt.date(2100, 1, 1)})
    assert build(url, later, Route("agency", {"agency": slug}), {}, "en").closures == []

    items = [item for group in view.contacts for item in group.items]
    phones = [item for item in items if item.channel == "phone"]
    assert phones and all(item.href and item.href.startswith("tel:") for item in phones)
    assert any(item.channel == "walk_in" and item.address for item in items)
    for item in items:
        for name in item.languages:
            assert len(name) > 3  # a language name, not a code
    spanish = agency_view(url, slug, "es")
    spanish_items = [item for group in spanish.contacts for item in group.items]
    assert language_name("es", "es") in {n for item in spanish_items for n in item.languages}
    labels_es = {
        row["label_es"] for row in queries.contact_points(url, [units[slug]]) if row["label_es"]
    }
    assert labels_es <= {item.label for item in spanish_items}


@pytest.mark.parametrize(
    ("route", "query"),
    [
        (Route("agency", {"agency": "no-such-agency"}), {}),
        (Route("agency", {"agency": "enterprise"}), {}),
        (Route("service", {"agency": "dmv", "service": "no-such-service"}), {}),
        (Route("service", {"agency": "revenue", "service": "real-id"}), {}),  # wrong agency
        (Route("service", {"agency": "dmv", "service": "revenue"}), {}),  # an agency
        (Route("agency", {"agency": "dmv"}), {"metric": "no_such_metric"}),
        (Route("agency", {"agency": "dmv"}), {"metric": "staff_trained_cx"}),  # not measured
        (Route("agency", {"agency": "dmv"}), {"period": "not-a-year"}),
        (Route("agency", {"agency": "dmv"}), {"period": "FY1990"}),
        (Route("agency", {"agency": "dmv"}), {"segment": "hair_colour"}),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_unknown_slugs_and_bad_parameters_are_not_found(demo_url, route, query, language):
    with pytest.raises(NotFound) as raised:
        build(demo_url, Settings(database_url=demo_url), route, query, language)
    message = raised.value.message
    assert message
    if language == "es":
        assert "«" in message


def test_drafts_appear_nowhere(demo_url):
    with session_scope(demo_url) as session:
        draft_rows = session.execute(
            select(Unit.slug, Unit.kind, Metric.code, Observation.period_end)
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(Observation.visibility == DRAFT)
        ).all()
        draft_titles = session.scalars(
            select(Action.title_en).where(Action.visibility == DRAFT)
        ).all()
        draft_promises = session.scalars(
            select(Target.promise_en).where(
                Target.visibility == DRAFT, Target.promise_en.is_not(None)
            )
        ).all()
        draft_promises = [
            text
            for text in draft_promises
            if not session.scalar(
                select(Target.id).where(Target.visibility == PUBLISHED, Target.promise_en == text)
            )
        ]
    assert draft_rows and draft_titles and draft_promises
    agencies = queries.list_agencies(demo_url)
    draft_agencies = {slug for slug, kind, _code, _end in draft_rows if kind == "agency"}
    for agency in (a for a in agencies if a["slug"] in draft_agencies):
        for query in ({}, {"period": "FY2026"}, {"segment": "channel"}):
            view = agency_view(demo_url, agency["slug"], **query)
            dump = pickle.dumps(view)
            assert DRAFT_MARKER.encode() not in dump
            for title in draft_titles:
                assert title.encode() not in dump
            for text in draft_promises:
                assert text.encode() not in dump
            for spec in charts(view):
                text = spec.csv_text()
                assert DRAFT_MARKER not in text
                drafted = {
                    end.isoformat()
                    for slug, _kind, code, end in draft_rows
                    if slug == agency["slug"] and spec.chart_id.startswith(code)
                }
                assert not drafted & {row["period_end"] for row in spec.rows}, spec.chart_id


def test_series_break_is_not_joined_and_is_explained(demo_url):
    with session_scope(demo_url) as session:
        slug, kind, parent, code, start = session.execute(
            select(Unit.slug, Unit.kind, Unit.parent_id, Metric.code, Observation.period_start)
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(Observation.visibility == PUBLISHED, Observation.series_break.is_(True))
            .limit(1)
        ).one()
        parent_slug = session.get(Unit, parent).slug if kind == "service" else None
    view = (
        service_view(demo_url, parent_slug, slug, metric=code)
        if parent_slug
        else agency_view(demo_url, slug, metric=code)
    )
    spec = view.panels[0].chart
    line = next(trace for trace in spec.traces if trace.kind == "line")
    gap = line.x.index(start.isoformat())
    assert line.y[gap] is None and line.y[gap - 1] is not None and line.y[gap + 1] is not None
    assert "not comparable" in spec.summary
    assert any("not joined" in note for note in spec.notes)
    row = next(r for r in spec.rows if r["period_end"] == line.x[gap + 1])
    assert "Series break" in row["notes"]


@pytest.mark.parametrize("policy", ["flag", "suppress"])
def test_small_samples_are_flagged_or_suppressed(demo_url, policy):
    threshold = Settings().small_sample_threshold
    with session_scope(demo_url) as session:
        service, agency, code, end, value = session.execute(
            select(
                Unit.slug,
                Unit.parent_id,
                Metric.code,
                Observation.period_end,
                Observation.raw_value,
            )
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(
                Observation.visibility == PUBLISHED,
                Observation.segment_type == "",
                Unit.kind == "service",
                Metric.is_survey.is_(True),
                Metric.scale == "fraction",
                Observation.raw_value.is_not(None),
                Observation.denominator < threshold,
            )
            .limit(1)
        ).one()
        agency = session.get(Unit, agency).slug
    settings = Settings(database_url=demo_url, small_sample_policy=policy)
    route = Route("service", {"agency": agency, "service": service})
    view = build(demo_url, settings, route, {"metric": code}, "en")
    spec = view.panels[0].chart
    row = next(r for r in spec.rows if r["period_end"] == end.isoformat())
    drawn = line_points(spec)[end.isoformat()]
    assert row["small_sample"] == "Yes" and row["responses"] < threshold
    if policy == "flag":
        assert row["value"] == display_value(value, "fraction") == drawn
        assert f"fewer than {threshold} responses" in row["notes"]
        assert any("small sample" in note for note in spec.notes)
    else:
        assert row["value"] == "Suppressed" and drawn is None
        assert row["status"] is None and row.get("interval_low") is None
        assert any("not shown" in note for note in spec.notes)
        csv_line = next(
            line for line in spec.csv_text().splitlines() if line.startswith(row["period"] + ",")
        )
        assert str(display_value(value, "fraction")) not in csv_line
