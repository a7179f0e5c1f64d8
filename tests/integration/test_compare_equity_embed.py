"""Compare agencies, equity by group, the embeddable chart and the DCAT-US catalogue (issue 13,
items 6 and 7), on SQLite and PostgreSQL: the numbers are the store's, "not reported" is
never a zero, bad parameters are the 404 page, the CSVs are tidy, ``/data.json`` names no
draft, and an embed page's ``frame-ancestors`` follows its setting.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import select

from dashboard.core.routes import Route, resolve
from dashboard.core.settings import Settings
from dashboard.domain import comparison, tidy_csv
from dashboard.domain.stats import wilson_interval
from dashboard.infra.db import session_scope
from dashboard.infra.models import DRAFT, Metric, Observation, Unit
from dashboard.open_data.dcat import REQUIRED_DATASET_FIELDS
from dashboard.views import NotFound
from dashboard.views import compare as compare_view
from dashboard.views import equity as equity_view
from dashboard.web.factory import create_app
from tests.components import router_request


def published_figures(url: str, code: str, segment_type: str = "") -> list[dict[str, Any]]:
    """Every published quarterly figure of ``code`` (and segment type), straight from the store."""
    with session_scope(url) as session:
        rows = session.execute(
            select(
                Unit.slug,
                Observation.segment_value,
                Observation.period_end,
                Observation.raw_value,
                Observation.denominator,
            )
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(
                Metric.code == code,
                Observation.segment_type == segment_type,
                Observation.granularity == "quarter",
                Observation.visibility == "published",
                Unit.kind == "agency",
            )
        ).all()
    return [{"slug": s, "value": v, "raw": r, "n": n, "end": str(e)[:10]} for s, v, e, r, n in rows]


def build(url: str, module: Any, page: str, query: dict[str, str], language: str = "en") -> Any:
    return module.build(url, Settings(database_url=url), Route(page), query, language)


# -- compare -------------------------------------------------------------------------------


def test_compare_values_are_the_stores_and_not_reported_is_never_zero(demo_store):
    view = build(demo_store, compare_view, "compare", {"metric": "csat_overall"})
    figures = published_figures(demo_store, "csat_overall")
    latest = max(f["end"] for f in figures)
    in_store = {f["slug"]: f for f in figures if f["end"] == latest}
    assert view.metric == "csat_overall" and view.period == "FY2026-Q3"
    assert len(view.rows) == view.agencies_total == 12
    for row in view.rows:
        figure = in_store.get(row.slug)
        if figure is None or figure["raw"] is None:
            assert row.value is None and row.value_text == "Not reported"
            assert row.status.value == "not_reported"
            continue
        assert row.value == round(figure["raw"] * 100, 1)
        assert row.responses == figure["n"]
        low, high = wilson_interval(figure["raw"] * figure["n"], figure["n"])
        assert (row.low, row.high) == (round(low * 100, 1), round(high * 100, 1))
    # The demo's housing agency skipped the latest quarter: listed, not drawn, not a zero.
    missing = [row for row in view.rows if row.value is None]
    assert [row.slug for row in missing] == ["housing"]
    assert view.rows[-1].slug == "housing"  # reported results first, best first
    shown = [row.value for row in view.rows if row.value is not None]
    assert shown == sorted(shown, reverse=True)
    chart = view.chart
    assert "Not reported: Department of Housing" in chart.summary
    assert 0 not in chart.traces[0].y and None not in chart.traces[0].y
    assert len(chart.traces[0].y) == 11


def test_compare_means_and_admin_figures_say_why_they_have_no_interval(demo_store):
    ease = build(demo_store, compare_view, "compare", {"metric": "ease"})
    assert all(row.low is None for row in ease.rows)
    assert any("standard deviation" in note for note in ease.chart.notes)
    days = build(demo_store, compare_view, "compare", {"metric": "processing_days"})
    assert any("count every case" in note for note in days.chart.notes)
    assert "band" not in [trace.kind for trace in days.chart.traces]


@pytest.mark.parametrize(
    "query",
    [{"metric": "nope"}, {"period": "FY1999"}, {"period": "2026-13"}, {"metric": "<script>"}],
)
def test_compare_bad_parameters_are_not_found(demo_store, query):
    with pytest.raises(NotFound):
        build(demo_store, compare_view, "compare", query)


def test_compare_csv_is_tidy_and_leaves_not_reported_empty(demo_store):
    app = create_app(Settings(database_url=demo_store))
    response = app.server.test_client().get("/download/compare/compare.csv?metric=csat_overall")
    assert response.status_code == 200
    records = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert tuple(records[0]) == (*tidy_csv.COLUMNS, "ci_low", "ci_high", "responses")
    assert len(records) == 12 and len({r["agency"] for r in records}) == 12
    housing = next(r for r in records if r["agency"].startswith("Department of Housing"))
    assert housing["value"] == "" and housing["status"] == "not reported"
    assert housing["ci_low"] == "" and housing["responses"] == ""
    judged = [r for r in records if r["status"] in ("met", "missed")]
    assert judged and all(r["target"] == "80" and r["target_comparator"] == "≥" for r in judged)
    assert all(r["measure_code"] == "csat_overall" and r["period"] == "FY2026 Q3" for r in records)
    dmv = next(r for r in records if r["agency"] == "Department of Motor Vehicles")
    row = next(
        row for row in build(demo_store, compare_view, "compare", {}).rows if row.slug == "dmv"
    )
    assert float(dmv["value"]) == row.value and float(dmv["ci_low"]) == row.low


def test_compare_image_export_draws_the_agencies_across(demo_store):
    """The chart image is the page's own chart (an agency a row, with its interval), not a
    chart over periods with nothing on it."""
    app = create_app(Settings(database_url=demo_store))
    response = app.server.test_client().get(
        "/export/compare/compare.svg?metric=csat_overall&lang=en"
    )
    assert response.status_code == 200, response.data[:300]
    svg = response.data.decode("utf-8")
    # Names wrap between words on the category axis.
    for words in ("Department of Revenue", "Department of Motor", "Vehicles", "Target in force"):
        assert f">{words}<" in svg, words


# -- equity --------------------------------------------------------------------------------


def test_equity_values_are_the_stores_and_gaps_need_intervals_apart(demo_store):
    view = build(demo_store, equity_view, "equity", {})
    assert view.segment == "language" and view.metric == "csat_overall"
    figures = published_figures(demo_store, "csat_overall", "language")
    latest = max(f["end"] for f in figures)
    in_store = {(f["slug"], f["value"]): f for f in figures if f["end"] == latest}
    overall = {
        f["slug"]: f for f in published_figures(demo_store, "csat_overall") if f["end"] == latest
    }
    names = {"en": "English", "es": "Spanish"}
    assert view.rows
    flagged = 0
    for row in view.rows:
        code = next(c for c, name in names.items() if name == row.group)
        figure = in_store.get((row.agency_slug, code))
        if figure is None or figure["raw"] is None:
            assert row.value is None and row.value_text != "0"
            continue
        assert row.value == round(figure["raw"] * 100, 1)
        group = comparison.share_interval(figure["raw"], figure["n"], "fraction", True)
        whole = overall[row.agency_slug]
        agency = comparison.share_interval(whole["raw"], whole["n"], "fraction", True)
        apart = group[1] < agency[0] or agency[1] < group[0]
        assert (row.gap in (comparison.Gap.HIGHER, comparison.Gap.LOWER)) == apart
        flagged += apart
    assert flagged >= 1  # the demo holds one real gap (Spanish at Human Services)
    assert "Gaps larger than the margin of error" in view.chart.summary


@pytest.mark.parametrize(
    "query",
    [
        {"segment": "channel"},  # a breakdown, but of channels, not people
        {"segment": "customer_group"},  # nobody publishes it in the demo
        {"segment": "region<b>"},
        {"metric": "ease"},  # not published by language
        {"period": "FY2000"},
    ],
)
def test_equity_bad_parameters_are_not_found(demo_store, query):
    with pytest.raises(NotFound):
        build(demo_store, equity_view, "equity", query)


def test_equity_csv_columns(demo_store):
    app = create_app(Settings(database_url=demo_store))
    response = app.server.test_client().get("/download/equity/equity.csv?lang=es")
    assert response.status_code == 200
    records = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert tuple(records[0]) == (*tidy_csv.COLUMNS, "ci_low", "ci_high", "responses")
    assert {r["segment"] for r in records} == {"language"}
    assert {r["group"] for r in records} == {"Inglés", "Español"}
    assert all(r["agency"].startswith(("Departamento", "Agencia")) or r["agency"] for r in records)


# -- the pages through the router, and their HTTP status --------------------------------------


@pytest.mark.parametrize(
    ("path", "search", "heading"),
    [
        ("/compare", "", "Compare agencies: Overall satisfaction"),
        ("/compare", "?lang=es", "Comparar agencias: Satisfacción general"),
        ("/equity", "", "Equity of service: Overall satisfaction by language"),
        ("/equity", "?lang=es", "Equidad del servicio: Satisfacción general por idioma"),
        ("/embed/dmv/csat_overall", "", "Department of Motor Vehicles: Overall satisfaction"),
    ],
)
def test_pages_render_through_the_router(demo_store, path, search, heading):
    app = create_app(Settings(database_url=demo_store))
    client = app.server.test_client()
    assert client.get(path + search).status_code == 200
    answer = client.post("/_dash-update-component", json=router_request(path, search))
    assert answer.status_code == 200
    body = json.loads(answer.data)["response"]["page"]["children"]
    assert heading in json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize(
    "path",
    [
        "/compare?metric=nope",
        "/compare?period=FY1999",
        "/equity?segment=channel",
        "/equity?metric=%3Cscript%3E",
        "/embed/dmv/nope",
        "/embed/nobody/csat_overall",
        "/embed/dmv/csat_overall?period=FY1999",
        "/embed/dmv",
    ],
)
def test_bad_urls_are_the_404_page(demo_store, path):
    app = create_app(Settings(database_url=demo_store))
    client = app.server.test_client()
    assert client.get(path).status_code == 404
    target, _, search = path.partition("?")
    answer = client.post(
        "/_dash-update-component", json=router_request(target, f"?{search}" if search else "")
    )
    assert answer.status_code == 200
    assert "Page not found" in json.dumps(json.loads(answer.data), ensure_ascii=False)


def test_routes_name_the_new_pages():
    assert resolve("/compare") == Route("compare")
    assert resolve("/equity/") == Route("equity")
    assert resolve("/embed/dmv/csat_overall") == Route(
        "embed", {"agency": "dmv", "metric": "csat_overall"}
    )
    assert resolve("/embed/dmv/csat overall") is None
    assert resolve("/embed/DMV/csat_overall") is None


# -- embedding ------------------------------------------------------------------------------


def test_embed_refuses_every_frame_by_default(demo_store):
    app = create_app(Settings(database_url=demo_store))
    client = app.server.test_client()
    response = client.get("/embed/dmv/csat_overall")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    answer = client.post("/_dash-update-component", json=router_request("/embed/dmv/csat_overall"))
    page = json.dumps(json.loads(answer.data), ensure_ascii=False)
    assert "EMBED_FRAME_ANCESTORS" in page and "site-header" not in page


def test_embed_frame_ancestors_come_from_the_setting_for_embeds_only(demo_store):
    allowed = "https://www.example.gov 'self'"
    app = create_app(Settings(database_url=demo_store, embed_frame_ancestors=allowed))
    client = app.server.test_client()
    embed = client.get("/embed/dmv/csat_overall")
    policy = embed.headers["Content-Security-Policy"]
    assert f"frame-ancestors {allowed}" in policy and "'none'" not in policy.split("frame-")[1]
    assert "script-src 'self'" in policy  # the rest of the policy is kept
    assert "X-Frame-Options" not in embed.headers
    for other in ("/compare", "/agency/dmv", "/"):
        response = client.get(other)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
    answer = client.post("/_dash-update-component", json=router_request("/embed/dmv/csat_overall"))
    assert "<iframe src=" in json.dumps(json.loads(answer.data))


# -- the DCAT-US catalogue ------------------------------------------------------------------


def test_data_json_is_dcat_us_with_no_drafts(demo_copy_url):
    with session_scope(demo_copy_url) as session:
        state = session.scalar(select(Unit).where(Unit.kind == "enterprise"))
        session.add(
            Unit(
                slug="secret-bureau",
                kind="agency",
                name_en="Secret Bureau",
                parent=state,
                visibility=DRAFT,
            )
        )
        session.add(
            Metric(
                code="secret_measure",
                dimension="other",
                scale="count",
                name_en="Secret measure",
                visibility=DRAFT,
            )
        )
    app = create_app(Settings(database_url=demo_copy_url))
    client = app.server.test_client()
    response = client.get("/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "Secret" not in response.get_data(as_text=True)
    catalog = response.get_json()
    assert catalog["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert catalog["describedBy"].startswith("https://project-open-data.cio.gov/v1.1/")
    datasets = catalog["dataset"]
    assert len(datasets) == 1 + 12  # the whole catalogue, then each published agency
    for dataset in datasets:
        assert all(dataset.get(field) for field in REQUIRED_DATASET_FIELDS), dataset["title"]
        assert dataset["accessLevel"] == "public"
        assert dataset["contactPoint"]["fn"]
        assert dataset["contactPoint"]["hasEmail"].startswith("mailto:")
        assert dataset["publisher"]["name"]
        assert dataset["modified"][:4].isdigit()
        assert dataset["describedBy"].endswith("/api/v1/data-dictionary.csv")
        for distribution in dataset["distribution"]:
            assert distribution["mediaType"] in ("text/csv", "application/json", "application/zip")
            assert distribution.get("downloadURL") or distribution.get("accessURL")
    identifiers = [dataset["identifier"] for dataset in datasets]
    assert len(set(identifiers)) == len(identifiers)
    dmv = next(d for d in datasets if d["identifier"].endswith("/agency/dmv"))
    assert "Overall satisfaction" in dmv["keyword"]
    csv_link = next(
        d["downloadURL"]
        for d in dmv["distribution"]
        if "observations.csv" in d.get("downloadURL", "")
    )
    path = csv_link.removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    # Cached per data version, with an ETag: unchanged data is a 304.
    again = client.get("/data.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    # The open-data page links to it.
    page = client.post("/_dash-update-component", json=router_request("/data"))
    assert "/data.json" in json.dumps(json.loads(page.data))


# -- text from the data is escaped everywhere -------------------------------------------------

MARKED_UP = '=HYPERLINK("https://evil.example") <b>Motor</b> & <i>Vehicles</i>'


def test_agency_names_are_escaped_in_charts_and_csv(demo_copy_url):
    with session_scope(demo_copy_url) as session:
        agency = session.scalars(select(Unit).where(Unit.slug == "dmv")).one()
        agency.name_en = MARKED_UP
    app = create_app(Settings(database_url=demo_copy_url))
    client = app.server.test_client()
    for path in ("/compare", "/equity"):
        answer = client.post("/_dash-update-component", json=router_request(path))
        page = json.loads(answer.data)["response"]["page"]["children"]
        figures = [
            node["props"]["figure"] for node in _nodes(page) if "figure" in node.get("props", {})
        ]
        plotted = json.dumps(figures)
        assert "<b>Motor" not in plotted and "<i>Vehicles" not in plotted
        assert "&lt;b&gt;Motor&lt;/b&gt; &amp; &lt;i&gt;Vehicles&lt;/i&gt;" in plotted
        name = path.strip("/")
        download = client.get(f"/download/{name}/{name}.csv")
        records = list(csv.DictReader(io.StringIO(download.data.decode("utf-8-sig"))))
        # A spreadsheet reads the name as text, never as a formula to run.
        assert "'" + MARKED_UP in {record["agency"] for record in records}
    catalogue = client.get("/data.json").get_json()
    assert any(dataset["publisher"]["name"] == MARKED_UP for dataset in catalogue["dataset"])


def _nodes(tree: Any) -> list[dict[str, Any]]:
    """Every component of a Dash JSON tree, depth first."""
    found: list[dict[str, Any]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            found.append(node)
            stack.append(node.get("props", {}).get("children"))
    return found


def test_an_empty_store_says_so(db_url):
    app = create_app(Settings(database_url=db_url))
    client = app.server.test_client()
    for path, words in (
        ("/compare", "No results have been published yet."),
        ("/equity", "No agency has published results by customer group or language yet."),
    ):
        assert client.get(path).status_code == 200
        answer = client.post("/_dash-update-component", json=router_request(path))
        assert words in answer.get_data(as_text=True)
    assert client.get("/embed/dmv/csat_overall").status_code == 404
    catalogue = client.get("/data.json").get_json()
    assert len(catalogue["dataset"]) == 1  # the whole catalogue, no agency yet
