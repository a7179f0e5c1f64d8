"""A figure beside its status never contradicts it, and corrected targets are history only
(issue 8, points 4, 5 and 11), on the agency page, its CSV downloads, chart images and the
open-data API, on SQLite and PostgreSQL.

The store is written here: one agency with a quarterly result of 79.982% against "≥ 80%"
(not met: never shown as "80%"), a target corrected from "≥ 75%" to "≥ 80%" and a later one
of "≥ 85%" scheduled, a revised figure, results by channel and a measure never reported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.targets import Status
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    PUBLISHED,
    Metric,
    Observation,
    ObservationRevision,
    Target,
    Unit,
)
from dashboard.views.agency import AgencyView, build
from layouts.components import data_table
from layouts.figures import figure
from layouts.report_figures import ReportContext, report_figure

FISCAL = FiscalCalendar()
Q1 = FISCAL.quarter_period(2025, 1)  # Oct-Dec 2024
Q2 = FISCAL.quarter_period(2025, 2)  # Jan-Mar 2025
PUBLISHED_AT = dt.datetime(2025, 4, 20, tzinfo=dt.UTC)
CORRECTED_AT = dt.datetime(2025, 2, 10, 15, 0, tzinfo=dt.UTC)
SLUG = "ports"


def _observation(unit, metric, period, value, **extra) -> Observation:  # type: ignore[no-untyped-def]
    return Observation(
        unit=unit,
        metric=metric,
        granularity="quarter",
        period_start=period.start,
        period_end=period.end,
        raw_value=value,
        visibility=PUBLISHED,
        published_at=PUBLISHED_AT,
        **extra,
    )


def seed(url: str) -> None:
    with session_scope(url) as session:
        enterprise = Unit(slug="state", kind="enterprise", name_en="State of Example")
        ports = Unit(slug=SLUG, kind="agency", name_en="Ports Authority", parent=enterprise)
        on_time = Metric(
            code="on_time",
            name_en="Permits issued on time",
            name_es="Permisos emitidos a tiempo",
            dimension="timeliness",
            scale="percent",
            direction="higher",
        )
        never = Metric(
            code="wait_time",
            name_en="Average wait",
            dimension="access",
            scale="seconds",
            direction="lower",
        )
        session.add_all([enterprise, ports, on_time, never])
        session.flush()
        # The correction is written first: the superseded target has the higher id, so a
        # reader that still saw it would judge against it (it is listed last).
        corrected = Target(
            unit=ports,
            metric=on_time,
            value=80.0,
            comparator=">=",
            promise_en="We issue 80% of permits on time.",
            effective_from=Q1.start,
            effective_to=dt.date(2025, 6, 30),
            visibility=PUBLISHED,
        )
        session.add(corrected)
        session.flush()
        session.add_all(
            [
                Target(
                    unit=ports,
                    metric=on_time,
                    value=75.0,
                    comparator=">=",
                    promise_en="We issue 75% of permits on time.",
                    effective_from=Q1.start,
                    effective_to=dt.date(2025, 6, 30),
                    visibility=PUBLISHED,
                    superseded_at=CORRECTED_AT,
                    superseded_by_id=corrected.id,
                ),
                Target(
                    unit=ports,
                    metric=on_time,
                    value=85.0,
                    comparator=">=",
                    promise_en="We issue 85% of permits on time.",
                    effective_from=dt.date(2025, 7, 1),
                    visibility=PUBLISHED,
                ),
            ]
        )
        first = _observation(ports, on_time, Q1, 80.5)
        session.add_all(
            [
                first,
                _observation(ports, on_time, Q2, 79.982),
                _observation(
                    ports, on_time, Q1, 81.0, segment_type="channel", segment_value="phone"
                ),
                _observation(
                    ports, on_time, Q2, 79.5, segment_type="channel", segment_value="phone"
                ),
                _observation(
                    ports, on_time, Q1, 78.0, segment_type="channel", segment_value="email"
                ),
                _observation(
                    ports, on_time, Q2, 80.4, segment_type="channel", segment_value="email"
                ),
                _observation(ports, never, Q1, None),
                _observation(ports, never, Q2, None),
            ]
        )
        session.flush()
        session.add(
            ObservationRevision(
                observation_id=first.id,
                raw_value=80.1,
                revised_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
            )
        )


@pytest.fixture
def store(db_url: str) -> str:
    seed(db_url)
    yield db_url
    db.dispose_all()


def agency_view(url: str, language: str = "en", **query: str) -> AgencyView:
    return build(
        url, Settings(database_url=url), Route("agency", {"agency": SLUG}), query, language
    )


def test_the_page_never_rounds_a_miss_into_a_hit(store):
    for language in ("en", "es"):
        view = agency_view(store, language)
        (promise,) = [item for item in view.promises if item.metric_code == "on_time"]
        assert promise.status == Status.NOT_MET
        assert promise.value_text == "79.98%"
        panel = next(panel for panel in view.panels if panel.code == "on_time")
        latest = next(row for row in panel.chart.rows if row["period_end"] == Q2.end.isoformat())
        assert latest["value"] == 79.98 and latest["status"] == "not_met"
        assert "79.98%" in panel.chart.summary and "80%" not in panel.chart.summary.split(";")[0]
        line = next(trace for trace in panel.chart.traces if trace.kind == "line")
        assert 79.98 in line.y
        hover = line.text[line.x.index(Q2.end.isoformat())]
        assert "79.98%" in hover
        # A met figure keeps the usual decimals.
        earlier = next(row for row in panel.chart.rows if row["period_end"] == Q1.end.isoformat())
        assert earlier["value"] == 80.5 and earlier["status"] == "met"


def test_the_csv_and_the_chart_image_agree_with_the_status(store):
    from dashboard.web.factory import create_app

    app = create_app(Settings(database_url=store, export_rate_limit=0))
    client = app.server.test_client()
    response = client.get(f"/download/agency/{SLUG}/on_time.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    # The tidy CSV (dashboard.domain.tidy_csv): the value as a number, the status as a word.
    value, status = header.index("value"), header.index("status")
    end = header.index("period_end")
    latest = next(row for row in body if row[end] == Q2.end.isoformat())
    assert (latest[value], latest[status]) == ("79.98", "missed")
    assert not any(row[value] == "80.0" and row[status] == "missed" for row in body)

    spec = next(panel.chart for panel in agency_view(store).panels if panel.code == "on_time")
    context = ReportContext(language="en", source="Ports", as_of=Q2.end, permalink="x")
    drawn = report_figure(spec, context)
    (line,) = [trace for trace in drawn["data"] if trace.get("name") == spec.title]
    assert 79.98 in line["y"] and 80.0 not in line["y"]


def test_the_api_gives_the_value_as_published_and_targets_with_their_history(store):
    from dashboard.web.factory import create_app

    client = create_app(Settings(database_url=store)).server.test_client()
    body = client.get(f"/api/v1/observations?unit={SLUG}&metric=on_time&segment=overall").json
    values = {record["period_end"]: record["value"] for record in body["data"]}
    assert values[Q2.end.isoformat()] == 79.982

    targets = client.get(f"/api/v1/targets?unit={SLUG}").json["data"]
    assert sorted(t["value"] for t in targets) == [75.0, 80.0, 85.0]
    superseded = {t["value"]: t["superseded_at"] for t in targets}
    assert superseded[75.0] == "2025-02-10T15:00:00Z"
    assert superseded[80.0] is None and superseded[85.0] is None
    for day, expected in (("2025-01-15", [80.0]), ("2025-07-01", [85.0])):
        in_force = client.get(f"/api/v1/targets?unit={SLUG}&in_force_on={day}").json["data"]
        assert [t["value"] for t in in_force] == expected, day
    text = client.get(f"/api/v1/targets.csv?unit={SLUG}").get_data(as_text=True)
    assert "superseded_at" in text.splitlines()[0]
    dictionary = client.get("/api/v1/data-dictionary").json["data"]
    assert any(
        row["file"] == "targets.csv" and row["column"] == "superseded_at" for row in dictionary
    )


def test_a_corrected_target_is_history_on_the_page(store):
    view = agency_view(store)
    (promise,) = [item for item in view.promises if item.metric_code == "on_time"]
    # Judged against the correction, never against the target it replaced.
    assert promise.target_text == "≥ 80%"
    assert promise.promise == "We issue 80% of permits on time."
    assert promise.history == (
        "Target changed on February 10, 2025, from ≥ 75% to ≥ 80%.",
        "From July 1, 2025: ≥ 85% (was ≥ 80%).",
    )
    spanish = agency_view(store, "es")
    (promise,) = [item for item in spanish.promises if item.metric_code == "on_time"]
    assert promise.history == (
        "Meta cambiada el 10 de febrero de 2025: de ≥ 75% a ≥ 80%.",
        "Desde el 1 de julio de 2025: ≥ 85% (antes ≥ 80%).",
    )
    panel = next(panel for panel in view.panels if panel.code == "on_time")
    target_line = next(trace for trace in panel.chart.traces if trace.kind == "target")
    assert 75.0 not in target_line.y


def test_first_published_value_is_blank_for_figures_never_revised(store):
    for language, not_reported in (("en", "Not reported"), ("es", "No reportado")):
        view = agency_view(store, language)
        spec = next(panel.chart for panel in view.panels if panel.code == "on_time")
        keys = [column.key for column in spec.columns]
        assert "earlier_value" in keys
        table = data_table(spec, language)
        column = keys.index("earlier_value")
        cells = {row[keys.index("period_end")]: row[column] for row in table.rows}
        assert cells[Q1.end.isoformat()] == 80.1 or str(cells[Q1.end.isoformat()]) == "80.1"
        assert cells[Q2.end.isoformat()] == "–"
        assert not_reported not in cells.values()


def test_a_series_never_reported_draws_no_empty_axis(store):
    view = agency_view(store)
    spec = next(panel.chart for panel in view.panels if panel.code == "wait_time")
    drawn = figure(spec)
    layout = drawn["layout"]
    assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
    assert [note["text"] for note in layout["annotations"]] == ["Not reported"]
    spanish = next(p.chart for p in agency_view(store, "es").panels if p.code == "wait_time")
    assert figure(spanish)["layout"]["annotations"][0]["text"] == "No reportado"


def test_a_quarterly_breakdown_is_labelled_by_quarter(store):
    view = agency_view(store, segment="channel")
    (spec,) = view.breakdowns
    xaxis = figure(spec)["layout"]["xaxis"]
    assert xaxis["tickvals"] == [Q1.end.isoformat(), Q2.end.isoformat()]
    # Ticks on two lines, the year under the quarter (dashboard.domain.charts.tick_lines).
    assert [text.replace("<br>", " ") for text in xaxis["ticktext"]] == [
        FISCAL.period_label(Q1),
        FISCAL.period_label(Q2),
    ]
    trend = next(panel.chart for panel in view.panels if panel.code == "on_time")
    assert figure(trend)["layout"]["xaxis"]["ticktext"] == ["FY2025<br>Q1", "FY2025<br>Q2"]
