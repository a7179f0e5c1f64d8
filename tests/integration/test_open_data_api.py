"""The open-data API over a real store (SQLite and PostgreSQL) with the demo data.

Every endpoint in JSON and CSV, the filters, paging by following ``next``, honest figures
(not reported, small samples, revisions), errors as JSON, the download-all ZIP, the OpenAPI
document against Flask's own URL map, and the docs page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.gateway import queries
from dashboard.infra.cache import cache
from dashboard.infra.db import session_scope
from dashboard.infra.models import PUBLISHED, Metric, Observation, ObservationRevision, Unit
from dashboard.web.factory import create_app

RESOURCES = open_data.RESOURCES
JSON_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "null": type(None),
}


@pytest.fixture
def demo_settings(demo_copy_url: str) -> Settings:
    """Settings of a copy of the demo store (tests/demo_stores.py)."""
    return Settings(database_url=demo_copy_url)


@pytest.fixture
def client(demo_settings: Settings):
    app = create_app(demo_settings)
    with app.server.app_context():
        cache.clear()
    return app.server.test_client()


def _json(client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    return response.get_json()


def _csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff"), "a byte-order mark for spreadsheets"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _conforms(value: Any, schema: dict[str, Any]) -> bool:
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if isinstance(value, bool) and "boolean" not in types:
        return False
    if not any(isinstance(value, JSON_TYPES[t]) for t in types):
        return False
    return "enum" not in schema or value in schema["enum"]


def test_every_resource_answers_in_json_and_csv_as_documented(client):
    document = _json(client, open_data.OPENAPI_PATH)
    schemas = document["components"]["schemas"]
    for resource in RESOURCES:
        body = _json(client, f"{resource.path}?limit=50")
        meta = body["meta"]
        assert meta["resource"] == resource.name
        assert meta["total"] > 0, f"the demo has {resource.name}"
        assert meta["count"] == len(body["data"]) == min(50, meta["total"])
        assert meta["data_as_of"] and meta["last_updated"].endswith("Z")
        assert meta["license"]["id"] == "CC0-1.0"
        assert meta["query"] == {"limit": 50, "offset": 0, "format": "json"}
        schema = schemas[resource.schema_name]
        for record in body["data"]:
            assert list(record) == [f.name for f in resource.fields]
            for name, value in record.items():
                assert _conforms(value, schema["properties"][name]), (resource.name, name, value)

        suffix = client.get(f"{resource.csv_path}?limit=50")
        parameter = client.get(f"{resource.path}?limit=50&format=csv")
        assert suffix.status_code == parameter.status_code == 200
        assert suffix.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert suffix.get_data() == parameter.get_data()
        text = suffix.get_data(as_text=True)
        assert "\r\n" in text
        rows = _csv_rows(text)
        assert list(rows[0]) == [f.name for f in resource.fields]
        assert len(rows) == len(body["data"])
        assert suffix.headers["X-Total-Count"] == str(meta["total"])


def test_the_catalog_links_every_resource(client):
    catalog = _json(client, open_data.API_PREFIX)
    assert [r["name"] for r in catalog["resources"]] == [r.name for r in RESOURCES]
    for entry in catalog["resources"]:
        assert client.get(_path(entry["url"])).status_code == 200
        assert client.get(_path(entry["csv"])).status_code == 200
    assert _json(client, open_data.API_PREFIX + "/") == catalog


def _all_pages(client, url: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    pages = 0
    while url:
        body = _json(client, _path(url))
        records += body["data"]
        url = body["meta"]["links"]["next"]
        pages += 1
        assert pages < 100
    return records


def test_following_next_gives_every_row_once(client, demo_settings):
    first = _json(client, "/api/v1/observations?unit=dmv&segment=overall&limit=200")
    total = first["meta"]["total"]
    assert total > 200, "enough rows for several pages"
    records = _all_pages(client, "/api/v1/observations?unit=dmv&segment=overall&limit=200")
    keys = [(r["metric_code"], r["granularity"], r["period_start"]) for r in records]
    assert len(keys) == len(set(keys)) == total

    # The next page is asked for by cursor (tests/integration/test_api_paging.py); an offset
    # page says how to go back.
    second = _json(client, _path(first["meta"]["links"]["next"]))
    assert second["meta"]["query"]["cursor"] and "offset" not in second["meta"]["query"]
    assert second["data"][0] == records[200]
    by_offset = _json(client, "/api/v1/observations?unit=dmv&segment=overall&limit=200&offset=200")
    assert by_offset["data"] == second["data"]
    assert _path(by_offset["meta"]["links"]["previous"]).endswith("offset=0")

    beyond = _json(client, f"/api/v1/observations?unit=dmv&segment=overall&offset={total}")
    assert beyond["data"] == [] and beyond["meta"]["links"]["next"] is None

    csv_page = client.get("/api/v1/observations.csv?unit=dmv&segment=overall&limit=200")
    assert 'rel="next"' in csv_page.headers["Link"]
    assert "cursor=" in csv_page.headers["Link"]

    biggest = _json(client, f"/api/v1/observations?limit={open_data.MAX_LIMIT}")
    assert len(biggest["data"]) == open_data.MAX_LIMIT


def _count_published(url: str, *conditions) -> int:
    with session_scope(url) as session:
        return session.scalar(
            select(func.count(Observation.id))
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(Observation.visibility == PUBLISHED, *conditions)
        )


def test_observation_filters(client, demo_settings):
    url = demo_settings.database_url
    calendar = FiscalCalendar.from_settings(demo_settings)
    as_of = queries.data_status(url).as_of
    year = calendar.fiscal_year(as_of) - 1
    quarter_label = calendar.quarter_label(year, 2)
    start, end = calendar.quarter_bounds(year, 2)

    by_unit = _json(client, "/api/v1/observations?unit=dmv&metric=csat_overall&limit=1000")
    assert {r["unit_slug"] for r in by_unit["data"]} == {"dmv"}
    assert {r["metric_code"] for r in by_unit["data"]} == {"csat_overall"}
    assert by_unit["meta"]["total"] == _count_published(
        url, Unit.slug == "dmv", Metric.code == "csat_overall"
    )

    in_quarter = _json(client, f"/api/v1/observations?period={quarter_label}&limit=1000")
    assert in_quarter["meta"]["query"]["period"] == [quarter_label]
    assert in_quarter["meta"]["total"] == _count_published(
        url, Observation.period_start >= start, Observation.period_end <= end
    )
    for record in in_quarter["data"]:
        assert start.isoformat() <= record["period_start"] <= record["period_end"]
        assert record["period_end"] <= end.isoformat()
    assert {r["granularity"] for r in in_quarter["data"]} == {"month", "quarter"}

    # Spanish labels and months parse too.
    spanish = _json(client, f"/api/v1/observations?period={calendar.quarter_label(year, 2, 'es')}")
    assert spanish["meta"]["total"] == in_quarter["meta"]["total"]
    month = f"{start:%Y-%m}"
    months = _json(client, f"/api/v1/observations?period={month}&granularity=month")
    assert {r["period_start"] for r in months["data"]} == {start.isoformat()}

    dated = _json(
        client, f"/api/v1/observations?from={start}&to={end}&granularity=quarter&limit=1000"
    )
    assert {r["period_label"] for r in dated["data"]} == {quarter_label}

    overall = _json(client, "/api/v1/observations?segment=overall&limit=1000")
    assert {(r["segment_type"], r["segment_value"]) for r in overall["data"]} == {(None, None)}
    assert overall["meta"]["total"] == _count_published(url, Observation.segment_type == "")
    phone = _json(client, "/api/v1/observations?segment=channel:phone&limit=1000")
    assert {(r["segment_type"], r["segment_value"]) for r in phone["data"]} == {
        ("channel", "phone")
    }
    channels = _json(client, "/api/v1/observations?segment=channel&limit=1000")
    assert {r["segment_type"] for r in channels["data"]} == {"channel"}
    assert channels["meta"]["total"] > phone["meta"]["total"]

    # Several values: repeated or comma-separated, the same rows.
    repeated = _json(client, "/api/v1/observations?unit=dmv&unit=parks&segment=overall")
    comma = _json(client, "/api/v1/observations?unit=dmv,parks&segment=overall")
    assert repeated["meta"]["total"] == comma["meta"]["total"]
    assert repeated["data"] == comma["data"]


def test_other_resources_filter(client, demo_settings):
    agencies = _json(client, "/api/v1/units?kind=agency&limit=1000")["data"]
    assert agencies and {u["kind"] for u in agencies} == {"agency"}
    services = _json(client, "/api/v1/units?parent=dmv&limit=1000")["data"]
    assert services and {u["parent_slug"] for u in services} == {"dmv"}

    timeliness = _json(client, "/api/v1/metrics?dimension=timeliness")["data"]
    assert timeliness and {m["dimension"] for m in timeliness} == {"timeliness"}

    in_force = _json(client, "/api/v1/targets?unit=dmv&in_force_on=2026-09-30&limit=1000")["data"]
    assert in_force
    for target in in_force:
        assert target["effective_from"] <= "2026-09-30"
        assert target["effective_to"] is None or target["effective_to"] >= "2026-09-30"

    completed = _json(client, "/api/v1/actions?status=completed&limit=1000")["data"]
    assert completed and {a["status"] for a in completed} == {"completed"}
    about = _json(client, "/api/v1/actions?metric=abandon_rate&limit=1000")["data"]
    assert about and all("abandon_rate" in a["metric_codes"] for a in about)

    phones = _json(client, "/api/v1/contact-points?channel=phone&unit=dmv")["data"]
    assert phones and {(c["unit_slug"], c["channel"]) for c in phones} == {("dmv", "phone")}
    assert _json(client, "/api/v1/closures?limit=1000")["meta"]["total"] > 0


def test_figures_are_honest(client, demo_settings):
    url = demo_settings.database_url
    not_reported = _all_pages(client, "/api/v1/observations?limit=1000")
    missing = [r for r in not_reported if r["reporting_status"] == "not_reported"]
    with session_scope(url) as session:
        stored_nulls = session.scalar(
            select(func.count(Observation.id)).where(
                Observation.visibility == PUBLISHED, Observation.raw_value.is_(None)
            )
        )
        revision = session.execute(
            select(ObservationRevision.raw_value, Unit.slug, Metric.code, Observation.period_start)
            .join(Observation, ObservationRevision.observation_id == Observation.id)
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
        ).first()
    assert len(missing) == stored_nulls > 0
    assert all(r["value"] is None and r["score"] is None for r in missing)
    assert not any(r["value"] is None for r in not_reported if r["reporting_status"] == "reported")

    small = [r for r in not_reported if r["small_sample"]]
    assert small, "the demo has small samples"
    threshold = demo_settings.small_sample_threshold
    assert all(r["denominator"] < threshold and r["value"] is not None for r in small)

    assert revision is not None, "the demo has a revised figure"
    revised = [r for r in not_reported if r["revised"]]
    assert len(revised) == 1
    (record,) = revised
    assert (record["unit_slug"], record["metric_code"], record["period_start"]) == (
        revision.slug,
        revision.code,
        revision.period_start.isoformat(),
    )
    assert record["earlier_value"] == revision.raw_value != record["value"]
    assert record["revised_at"]


def test_the_suppress_policy_withholds_small_samples(demo_settings):
    settings = replace(demo_settings, small_sample_policy="suppress")
    client = create_app(settings).server.test_client()
    records = _all_pages(client, "/api/v1/observations?limit=1000")
    suppressed = [r for r in records if r["reporting_status"] == "suppressed"]
    assert suppressed
    assert all(r["value"] is None and r["numerator"] is None for r in suppressed)
    assert all(r["small_sample"] for r in suppressed)
    body = _json(client, "/api/v1/observations?limit=1")
    assert body["meta"]["small_sample_policy"] == "suppress"


@pytest.mark.parametrize(
    ("url", "parameter", "value"),
    [
        ("/api/v1/observations?unit=no-such-unit", "unit", "no-such-unit"),
        ("/api/v1/targets?metric=happiness", "metric", "happiness"),
        ("/api/v1/observations?period=FY1888x", "period", "FY1888x"),
        ("/api/v1/observations?period=FY2025%20Q7", "period", "FY2025 Q7"),
        ("/api/v1/observations?from=yesterday", "from", "yesterday"),
        ("/api/v1/observations?segment=channel:fax", "segment", "channel:fax"),
        ("/api/v1/observations?limit=100000", "limit", "100000"),
        ("/api/v1/units?offset=-5", "offset", "-5"),
        ("/api/v1/units?format=xlsx", "format", "xlsx"),
        ("/api/v1/units.csv?format=json", "format", "json"),
        ("/api/v1/units?kind=planet", "kind", "planet"),
        ("/api/v1/units?unit=dmv", "unit", "dmv"),
        ("/api/v1/data-dictionary?format=pdf", "format", "pdf"),
        ("/api/v1/download.zip?unit=dmv", "unit", "dmv"),
    ],
)
def test_bad_parameters_are_json_400s_naming_them(client, url, parameter, value):
    response = client.get(url)
    assert response.status_code == 400, url
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert (error["parameter"], error["value"]) == (parameter, value)
    assert error["code"] == "bad_parameter" and error["message"]


def test_unknown_api_paths_are_json_404s_and_writes_are_405s(client):
    for url in ("/api/v2/units", "/api/v1/nothing", "/api/v1/units/dmv", "/api/", "/api/v1/x.csv"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "application/json", url
        assert response.get_json()["error"]["code"] == "not_found"
    response = client.post("/api/v1/observations", data={"value": 1})
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    # Pages keep their own 404 page.
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_an_unchanged_answer_is_a_304_and_the_api_is_open_to_other_sites(client):
    first = client.get("/api/v1/units?kind=agency")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    etag = first.headers["ETag"]
    again = client.get("/api/v1/units?kind=agency", headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = client.get("/api/v1/units?kind=service")
    assert other.headers["ETag"] != etag


def test_download_all_holds_every_resource_and_its_dictionary(client, demo_settings):
    response = client.get(open_data.ZIP_PATH)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    expected = {r.file_name for r in RESOURCES} | {"data-dictionary.csv", "README.txt"}
    assert names == expected

    dictionary = _csv_rows(archive.read("data-dictionary.csv").decode("utf-8"))
    described: dict[str, list[str]] = {}
    for row in dictionary:
        described.setdefault(row["file"], []).append(row["column"])
        assert row["description_en"] and row["description_es"] and row["type"]
    for resource in RESOURCES:
        rows = _csv_rows(archive.read(resource.file_name).decode("utf-8"))
        total = _json(client, f"{resource.path}?limit=1")["meta"]["total"]
        assert len(rows) == total, resource.name
        assert list(rows[0]) == described[resource.file_name], resource.name
    assert list(dictionary[0]) == described["data-dictionary.csv"]

    readme = archive.read("README.txt").decode("utf-8")
    status = queries.data_status(demo_settings.database_url)
    assert status.as_of.isoformat() in readme
    assert "CC0-1.0" in readme and status.version in readme

    # Cached by the data version: the second answer is the same bytes, from the cache.
    with client.application.app_context():
        keys = [k for k in cache.cache._cache if "api:zip:" in k]  # SimpleCache's own dict
    assert keys and all(status.version in k for k in keys)
    assert client.get(open_data.ZIP_PATH).get_data() == response.get_data()


def test_openapi_describes_every_api_route(client):
    """Datasette-style: a route under /api/v1 that the OpenAPI document misses fails here."""
    document = _json(client, open_data.OPENAPI_PATH)
    assert document["openapi"] == "3.1.0"
    rules = [
        rule
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith(open_data.API_PREFIX)
    ]
    assert len(rules) >= 2 * len(RESOURCES) + 4
    for rule in rules:
        path = open_data.openapi_path(rule.rule)
        assert path in document["paths"], f"{rule.rule} is not in the OpenAPI document"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (rule.rule, method)
    # ...and nothing is described that is not served.
    served = {open_data.openapi_path(rule.rule) for rule in rules}
    assert set(document["paths"]) <= served


def test_the_data_dictionary_endpoint(client):
    body = _json(client, open_data.DICTIONARY_PATH)
    assert len(body["data"]) == len(open_data.data_dictionary())
    text = client.get(open_data.DICTIONARY_PATH + ".csv").get_data(as_text=True)
    assert len(_csv_rows(text)) == len(body["data"])


def test_the_open_data_page_documents_every_endpoint_in_both_languages(client, demo_settings):
    from dashboard.core.routes import Route
    from dashboard.views import open_data as view
    from dashboard.web.pages import PageContext
    from layouts.open_data import layout as open_data_layout
    from tests.integration.test_methodology import _texts

    for language, title in (("en", "Open data"), ("es", "Datos abiertos")):
        response = client.get(f"/data?lang={language}")
        assert response.status_code == 200
        built = view.build(
            demo_settings.database_url, demo_settings, Route("open_data"), {}, language
        )
        components = open_data_layout(
            built,
            PageContext(language=language, path="/data", query={}, settings=demo_settings),
        )
        texts = _texts(components)
        assert title in texts
        for resource in RESOURCES:
            assert resource.path in texts and resource.csv_path in texts
            assert resource.file_name in texts
        # Every example link on the page answers with data.
        for endpoint in built.endpoints:
            for link in (endpoint.example_json, endpoint.example_csv):
                answer = client.get(link)
                assert answer.status_code == 200, link
        assert _json(client, built.endpoints[3].example_json)["meta"]["total"] > 0
    assert built.as_of == queries.data_status(demo_settings.database_url).as_of
    assert isinstance(built.as_of, dt.date)


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_open_data_page_documents_paging_by_cursor(client, demo_settings, language):
    """The /data page says, in each language, that the next links carry a cursor, that it is
    opaque and as quick at any depth, and that offset is bounded and slower deep in; its
    paging table lists cursor. The page's own next links do carry one."""
    from dashboard.core.i18n import translate
    from dashboard.core.routes import Route
    from dashboard.open_data.parameters import MAX_OFFSET
    from dashboard.views import open_data as view
    from dashboard.web.pages import PageContext
    from layouts.open_data import TEXT
    from layouts.open_data import layout as open_data_layout
    from tests.integration.test_methodology import _texts

    assert client.get(f"/data?lang={language}").status_code == 200
    built = view.build(demo_settings.database_url, demo_settings, Route("open_data"), {}, language)
    assert built.cursor_paths == (open_data.OBSERVATIONS.path,)
    components = open_data_layout(
        built, PageContext(language=language, path="/data", query={}, settings=demo_settings)
    )
    paragraph = translate(
        TEXT,
        "api_paging_cursor",
        language,
        path=open_data.OBSERVATIONS.path,
        max_offset=MAX_OFFSET,
    )
    assert paragraph in _texts(components)
    assert "cursor" in paragraph and "offset" in paragraph and str(MAX_OFFSET) in paragraph
    english = translate(
        TEXT, "api_paging_cursor", "en", path=open_data.OBSERVATIONS.path, max_offset=MAX_OFFSET
    )
    assert (paragraph == english) == (language == "en"), "translated"
    paging = {p.name: p for p in built.paging_parameters}
    assert list(paging) == [*open_data.PAGING_PARAMETERS, open_data.CURSOR_PARAMETER]
    assert open_data.OBSERVATIONS.path in paging["cursor"].description
    assert str(MAX_OFFSET) in paging["offset"].description
    next_link = _json(client, f"{open_data.OBSERVATIONS.path}?limit=5")["meta"]["links"]["next"]
    assert "cursor=" in next_link and "offset=" not in next_link
