"""Every chart CSV names whom each row is about and the measure it shows (docs/chart-csv.md):
the home page's trends are the government's (its name from the settings) with the headline
measure's code, a standards trend names the measures it counts, and a page's ZIP holds the
same CSVs as the downloads (compare, equity and embed included), never a blank agency or a
chart id where a measure code belongs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from callbacks.exports import resolve_page
from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.tidy_csv import COLUMNS
from dashboard.gateway import queries
from dashboard.infra import db, exports
from dashboard.views import agency as agency_view
from dashboard.views import home as home_view
from dashboard.web import export_files
from dashboard.web.factory import create_app
from tests.demo_stores import DemoStores
from tests.integration.test_service_rollups import Store


def records(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def download(client: Any, page: str, chart_id: str, query: str = "") -> list[dict[str, str]]:
    path = "/download" + page.rstrip("/") + f"/{chart_id}.csv" + (f"?{query}" if query else "")
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.data.startswith("\ufeff".encode())
    return records(response.data)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_home_chart_csvs_name_the_government_and_the_headline_measure(demo_store, language):
    settings = Settings(database_url=demo_store)
    home = home_view.build(demo_store, settings, Route("home"), {}, language)
    headline = {column.dimension: column for column in home.columns}
    assert home.charts  # the demo has a trend for every dimension
    client = create_app(settings).server.test_client()
    government = settings.government_in(language)
    assert government  # "State of Example", "Estado de Ejemplo"
    for chart in home.charts:
        rows = download(client, "/", chart.chart_id, f"lang={language}")
        assert tuple(rows[0]) == COLUMNS
        assert len(rows) == len(chart.rows)
        column = headline[chart.chart_id.removeprefix("trend-")]
        for row in rows:
            assert row["agency"] == row["unit"] == government
            assert row["unit_type"] == "all"
            assert row["measure_code"] == column.metric_code != chart.chart_id
            assert row["measure"] == column.metric_name
            assert row["period"] and row["period_end"] and row["as_of"]
        # The same numbers as the chart's table, period by period.
        assert [float(r["value"]) if r["value"] else None for r in rows] == [
            row["mean"] for row in chart.rows
        ]


def test_a_government_named_in_the_settings_is_the_csvs_agency(demo_store):
    settings = Settings(database_url=demo_store, government_name="State of Oregon")
    client = create_app(settings).server.test_client()
    rows = download(client, "/", "trend-satisfaction")
    assert {row["agency"] for row in rows} == {"State of Oregon"}


def test_a_standards_trend_names_the_measures_whose_standards_it_counts(db_url):
    # No agency publishes a timeliness figure of its own: the home chart is the share of
    # the services' standards met, over two measures.
    store = Store(db_url)
    store.unit("revenue", "agency", "Revenue")
    store.metric("standard_met", "timeliness", "fraction", "Standard met on time")
    store.metric("processing_days", "timeliness", "business_days", "Processing time")
    store.unit("revenue-1", "service", "Returns", parent="revenue")
    store.target("revenue-1", "standard_met", 0.80)
    start, end = dt.date(2025, 4, 1), dt.date(2025, 6, 30)
    store.result("revenue-1", "standard_met", start, end, "quarter", 0.9, 90, 100)
    settings = Settings(database_url=db_url)
    home = home_view.build(db_url, settings, Route("home"), {}, "en")
    chart = next(c for c in home.charts if c.chart_id == "trend-timeliness")
    assert "share of service standards met" in chart.title
    codes = {metric["code"] for metric in queries.metrics(db_url)}
    rows = download(create_app(settings).server.test_client(), "/", chart.chart_id)
    assert rows
    for row in rows:
        assert row["agency"] == "State of Example"
        counted = row["measure_code"].split("|")
        assert "standard_met" in counted and set(counted) <= codes


# -- a page's ZIP holds the downloads' CSVs ----------------------------------------------------


@pytest.fixture(scope="module")
def zip_store(tmp_path_factory, demo_stores: DemoStores) -> Iterator[str]:
    url = demo_stores.sqlite_copy(tmp_path_factory.mktemp("chart-csv-zip") / "demo.sqlite3")
    yield url
    db.get_engine(url).dispose()


@pytest.mark.parametrize(
    ("zip_path", "page"),
    [
        ("/export.zip", "/"),
        ("/export/compare.zip", "/compare"),
        ("/export/equity.zip", "/equity"),
        ("/export/embed/dmv/csat_overall.zip", "/embed/dmv/csat_overall"),
    ],
)
def test_a_pages_zip_holds_the_same_csvs_as_its_downloads(
    zip_store, tmp_path, monkeypatch, zip_path, page
):
    # The images are not what this test reads: drawn as placeholders, no browser needed.
    monkeypatch.setattr(exports, "render_figure", lambda figure, fmt, **kw: fmt.encode())
    settings = Settings(
        database_url=zip_store,
        export_rate_limit=0,
        cache_type="filesystem",
        cache_dir=str(tmp_path / "cache"),
    )
    app = create_app(settings).server
    client = app.test_client()
    response = client.get(zip_path)
    assert response.status_code == 200, response.data[:200]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    with app.test_request_context("/"):
        export = resolve_page(settings, page, {})
    assert export is not None and export.charts
    codes = {metric["code"] for metric in queries.metrics(zip_store)}
    for spec, stem in zip(export.charts, export_files.file_stems(export.charts), strict=True):
        rows = records(archive.read(f"{stem}.csv"))
        assert rows, stem
        # Each is the chart's own download, row for row: an agency and a measure code on each.
        assert rows == download(client, page, spec.chart_id)
        for row in rows:
            assert row["agency"] and row["unit"], (stem, row)
            assert set(row["measure_code"].split("|")) <= codes, (stem, row)


def test_a_services_small_chart_csv_names_the_service_and_its_metric(demo_store):
    """The agency page's service charts: the unit is the service, the measure code the metric
    the small chart shows (the view says it; no guess from file names)."""
    settings = Settings(database_url=demo_store)
    client = create_app(settings).server.test_client()
    codes = {str(metric["code"]) for metric in queries.metrics(demo_store)}
    view = agency_view.build(demo_store, settings, Route("agency", {"agency": "dmv"}), {}, "en")
    charted = [item for item in view.services if item.sparkline is not None]
    assert charted, "the demo's DMV lists services with small charts"
    for item in charted:
        assert item.sparkline is not None
        rows = download(client, "/agency/dmv", item.sparkline.chart_id)
        assert rows, item.slug
        assert {row["unit"] for row in rows} == {item.name}
        assert {row["unit_type"] for row in rows} == {"service"}
        assert {row["measure_code"] for row in rows} == {item.sparkline_metric}
        assert item.sparkline_metric in codes
