"""A real PostgreSQL stopped under a running app, then started again (issue 11, findings 4-5).

While it is down: every page, download and export answers 503 with ``Retry-After`` (the API in
JSON), and navigating (the router callback) draws the outage message instead of leaving the
old page on screen. Once it is back, the same app, never restarted, answers normally again.

The server is this module's own (``initdb`` on a free port, run as the system user
``postgres``); the machine's shared one is never stopped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.infra import db
from dashboard.views.agency import build, charts
from dashboard.web.factory import create_app
from data.demo import generate_demo
from tests.conftest import unavailable
from tests.integration.servers import PostgresServer
from tests.integration.test_speed import router_request

TITLES = {
    "en": "The dashboard is unavailable for a moment",
    "es": "El panel no está disponible en este momento",
}


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    """This module's PostgreSQL with the demo store in database ``demo``; initdb runs once."""
    missing = PostgresServer.missing()
    if missing:
        unavailable("A PostgreSQL server of the test's own", RuntimeError(missing))
    with PostgresServer() as pg:
        admin = create_engine(pg.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE demo"))
        admin.dispose()
        url = pg.url("demo")
        db.upgrade(url)
        generate_demo(url, Settings(database_url=url))
        yield pg
        db.get_engine(url).dispose()


@pytest.fixture(scope="module")
def url(server: PostgresServer) -> str:
    return server.url("demo")


@pytest.fixture(scope="module")
def paths(url: str) -> dict[str, str]:
    """A URL of each kind the outage must reach, for one real agency and chart."""
    from dashboard.core.routes import Route

    agency = queries.list_agencies(url)[0]["slug"]
    view = build(url, Settings(database_url=url), Route("agency", {"agency": agency}), {}, "en")
    chart = charts(view)[0].chart_id
    return {
        "index": "/",
        "agency": f"/agency/{agency}?lang=es",
        "download": f"/download/agency/{agency}/{chart}.csv",
        "export": f"/export/agency/{agency}.zip",
        "api": "/api/v1/observations?limit=5",
        "api_csv": "/api/v1/observations.csv?limit=5",
        "api_catalog": "/api/v1",
        "api_zip": "/api/v1/download.zip",
        "agency_slug": agency,
    }


@pytest.fixture
def client(url: str) -> Any:
    # No cache between requests of a test: every answer is read from the store, so what is
    # checked is the outage path (a warm cache would only hide it).
    app = create_app(Settings(database_url=url, cache_type="null"))
    return app.server.test_client()


@pytest.fixture
def outage(server: PostgresServer) -> Iterator[PostgresServer]:
    """The server stopped for the test; started again afterwards, whatever happened."""
    server.stop()
    try:
        yield server
    finally:
        if not server.running:
            server.start()


def page_texts(payload: Any) -> list[str]:
    """Every string in a Dash component tree (JSON)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.append(node)

    walk(payload)
    return found


def find(payload: Any, element_id: str) -> dict | None:
    """The component with ``element_id`` in a Dash component tree (JSON)."""
    if isinstance(payload, dict):
        if payload.get("props", {}).get("id") == element_id:
            return payload
        children: Any = list(payload.values())
    elif isinstance(payload, list):
        children = payload
    else:
        return None
    for child in children:
        hit = find(child, element_id)
        if hit is not None:
            return hit
    return None


def navigate(client: Any, path: str, search: str = "", rendered: str = "/") -> Any:
    return client.post("/_dash-update-component", json=router_request(path, search, rendered))


def assert_html_503(response: Any, language: str = "en") -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.headers["Retry-After"] == "60"
    body = response.get_data(as_text=True)
    assert TITLES[language] in body
    assert "Traceback" not in body and "psycopg" not in body


def assert_json_503(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.headers["Retry-After"] == "60"
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == 503
    assert error["code"] == "service_unavailable"
    assert "psycopg" not in json.dumps(error)


def test_the_app_answers_normally_while_the_store_is_up(client, paths):
    for name in ("index", "agency", "download", "api", "api_csv", "api_catalog"):
        response = client.get(paths[name])
        assert response.status_code == 200, (name, response.get_data(as_text=True)[:300])
    assert navigate(client, f"/agency/{paths['agency_slug']}").status_code == 200


@pytest.mark.parametrize(
    ("name", "language"), [("index", "en"), ("agency", "es"), ("download", "en")]
)
def test_pages_and_downloads_answer_503_while_the_store_is_down(
    client, paths, outage, name, language
):
    assert_html_503(client.get(paths[name]), language)


def test_exports_answer_503_while_the_store_is_down(client, paths, outage):
    assert_html_503(client.get(paths["export"]))


@pytest.mark.parametrize("name", ["api", "api_csv", "api_catalog", "api_zip"])
def test_the_api_answers_json_503_while_the_store_is_down(client, paths, outage, name):
    assert_json_503(client.get(paths[name]))


@pytest.mark.parametrize(("search", "language"), [("", "en"), ("?lang=es", "es")])
def test_navigating_while_the_store_is_down_draws_the_outage_message(
    client, paths, outage, search, language
):
    """Dash keeps the old page on screen when a callback fails: the callback must answer 200
    with the message as the page, its heading saying the service is unavailable."""
    response = navigate(client, f"/agency/{paths['agency_slug']}", search)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    payload = response.get_json()["response"]
    message = find(payload["page"]["children"], "store-unavailable")
    assert message is not None
    assert message["props"]["role"] == "alert"
    heading = message["props"]["children"][0]
    assert heading["type"] == "H1" and heading["props"]["children"] == TITLES[language]
    assert payload["page"]["lang"] == language


def test_the_layout_of_a_page_opened_during_the_outage_holds_the_message(client, outage):
    response = client.get("/_dash-layout", headers={"Referer": "http://localhost/methodology"})
    assert response.status_code == 200
    message = find(response.get_json(), "store-unavailable")
    assert message is not None and TITLES["en"] in page_texts(message)


def test_everything_answers_again_once_the_store_is_back_without_restarting_the_app(
    client, paths, server
):
    assert client.get(paths["index"]).status_code == 200  # the pool holds live connections
    server.stop()
    try:
        assert_html_503(client.get(paths["index"]))
        assert_json_503(client.get(paths["api"]))
        assert navigate(client, "/methodology").status_code == 200
    finally:
        server.start()
    for name in ("index", "agency", "download", "api", "api_csv", "api_catalog"):
        response = client.get(paths[name])
        assert response.status_code == 200, (name, response.get_data(as_text=True)[:300])
    page = navigate(client, f"/agency/{paths['agency_slug']}").get_json()["response"]
    assert find(page["page"]["children"], "store-unavailable") is None
