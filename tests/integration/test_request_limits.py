"""Per-client limits on page data and the API (dashboard/web/request_limits.py), through the
app: 429 with Retry-After, a "Too many requests" page where Dash would otherwise show nothing,
counters shared by two apps on one Redis, and what is never limited.

The windows follow a clock the test sets (``Settings(extra={"clock": ...})``): no sleeps, and
no test fails because a minute boundary fell between two requests.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.web.factory import create_app
from tests.components import router_request as router_body
from tests.conftest import demo_store_copy

#: 15 s into a window (windows start at whole minutes since the epoch): 45 s left.
NOW = 60 * 29_000_000 + 15.0
RETRY_AFTER = "45"


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def store(demo_stores, tmp_path_factory) -> Iterator[str]:
    """The demo on SQLite, read-only (the limits do not depend on the database)."""
    with demo_store_copy(demo_stores, "sqlite", tmp_path_factory.mktemp("limits")) as url:
        yield url


@pytest.fixture(scope="module")
def agency(store: str) -> str:
    return queries.list_agencies(store)[0]["slug"]


def build(store: str, clock: Clock | None = None, **settings: Any):
    values: dict[str, Any] = {"page_rate_limit": 0, "api_rate_limit": 0, "export_rate_limit": 0}
    values.update(settings)
    extra = {"clock": clock or Clock()}
    return create_app(Settings(database_url=store, extra=extra, **values)).server


def navigate(client, path: str, search: str = "", **kwargs: Any):
    return client.post("/_dash-update-component", json=router_body(path, search), **kwargs)


def test_page_callbacks_past_the_limit_draw_the_busy_page(store, agency):
    client = build(store, page_rate_limit=3).test_client()
    pages = ["/", f"/agency/{agency}", "/methodology"]
    for path in pages:
        answer = navigate(client, path, "?lang=es")
        assert answer.status_code == 200
        assert "too-many-requests" not in answer.text
    refused = navigate(client, f"/agency/{agency}", "?lang=es")
    # A 200 the renderer draws (it drops a 429 without a word), saying why and for how long.
    assert refused.status_code == 200
    assert refused.headers["Retry-After"] == RETRY_AFTER
    assert refused.headers["Cache-Control"] == "no-store"
    response = refused.get_json()["response"]
    page = json.dumps(response["page"]["children"], ensure_ascii=False)
    assert '"id": "too-many-requests"' in page and '"role": "alert"' in page
    assert "Demasiadas solicitudes" in page and "Espere 45 segundos" in page
    assert response["page"]["lang"] == "es"
    # The next navigation (back to the previous page too) draws its page again.
    assert response["rendered-url"]["data"] is None


def test_the_busy_page_is_in_the_page_language(store):
    client = build(store, page_rate_limit=1, languages=("en", "es", "fr")).test_client()
    navigate(client, "/")
    french = navigate(client, "/methodology", "?lang=fr").get_json()["response"]
    assert "Trop de requêtes" in json.dumps(french, ensure_ascii=False)
    english = navigate(client, "/methodology").get_json()["response"]
    assert "Please wait 45 seconds" in json.dumps(english)


def test_the_router_keeps_a_page_already_drawn(store):
    client = build(store, page_rate_limit=1).test_client()
    navigate(client, "/")
    # The first load's layout holds the page; the router's call for it changes nothing.
    body = router_body("/methodology", rendered_url="/methodology")
    assert client.post("/_dash-update-component", json=body).status_code == 204


def test_other_callbacks_past_the_limit_answer_429_json(store):
    client = build(store, page_rate_limit=1).test_client()
    navigate(client, "/")
    body = {
        "output": "review-pack-status.children",
        "outputs": {"id": "review-pack-status", "property": "children"},
        "inputs": [{"id": "review-pack-poll", "property": "n_intervals", "value": 3}],
    }
    refused = client.post("/_dash-update-component", json=body)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == RETRY_AFTER
    assert refused.get_json() == {"error": "too many requests", "retry_after": 45}
    # Not even a body that is not JSON gets past the count.
    garbage = client.post("/_dash-update-component", data=b"\xff", content_type="text/plain")
    assert garbage.status_code == 429


def test_a_first_visit_past_the_limit_gets_the_busy_page_in_its_layout(store, agency):
    client = build(store, page_rate_limit=1).test_client()
    navigate(client, "/")
    refused = client.get("/_dash-layout", headers={"Referer": f"http://localhost/agency/{agency}"})
    assert refused.status_code == 200
    assert refused.headers["Retry-After"] == RETRY_AFTER
    assert refused.headers["Cache-Control"] == "no-store"
    assert "too-many-requests" in refused.text
    # The page is not marked as drawn: the router draws it once the client may ask again.
    children = refused.get_json()["props"]["children"]
    rendered = next(c["props"] for c in children if c["props"].get("id") == "rendered-url")
    assert rendered.get("data") is None


def test_csv_downloads_count_as_page_data(store, agency):
    client = build(store, page_rate_limit=1).test_client()
    navigate(client, "/")
    refused = client.get(f"/download/agency/{agency}/trend.csv?lang=es")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == RETRY_AFTER
    assert refused.text.startswith("Demasiadas solicitudes.")


def test_the_api_past_the_limit_answers_429_json(store):
    client = build(store, api_rate_limit=2).test_client()
    assert client.get("/api/v1/units").status_code == 200
    assert client.get("/api/v1/metrics.csv").status_code == 200
    refused = client.get("/api/v1/units")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == RETRY_AFTER
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    error = refused.get_json()["error"]
    assert error["status"] == 429 and error["code"] == "too_many_requests"
    assert error["retry_after"] == 45


def test_a_new_window_lets_the_client_in_again(store):
    clock = Clock()
    client = build(store, clock, api_rate_limit=1).test_client()
    assert client.get("/api/v1/units").status_code == 200
    assert client.get("/api/v1/units").status_code == 429
    clock.now += 45
    assert client.get("/api/v1/units").status_code == 200


def test_pages_and_the_api_are_counted_apart(store):
    client = build(store, page_rate_limit=1, api_rate_limit=1).test_client()
    assert client.get("/api/v1/units").status_code == 200
    assert "too-many-requests" not in navigate(client, "/").text
    assert client.get("/api/v1/units").status_code == 429
    assert "too-many-requests" in navigate(client, "/").text


def test_clients_are_counted_apart(store):
    client = build(store, api_rate_limit=1).test_client()
    first = {"REMOTE_ADDR": "192.0.2.1"}
    second = {"REMOTE_ADDR": "192.0.2.2"}
    assert client.get("/api/v1/units", environ_base=first).status_code == 200
    assert client.get("/api/v1/units", environ_base=first).status_code == 429
    assert client.get("/api/v1/units", environ_base=second).status_code == 200


def test_behind_a_proxy_the_forwarded_client_is_counted(store):
    client = build(store, api_rate_limit=1, trusted_proxies=1).test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    def get(forwarded: str):
        return client.get(
            "/api/v1/units", environ_base=proxy, headers={"X-Forwarded-For": forwarded}
        )

    assert get("192.0.2.1").status_code == 200
    assert get("192.0.2.2").status_code == 200  # another client behind the same proxy
    assert get("192.0.2.1").status_code == 429
    # What the client wrote further left is not trusted: it cannot choose another counter.
    assert get("203.0.113.9, 192.0.2.1").status_code == 429


def test_health_static_files_page_html_and_exports_are_never_limited(store, agency):
    client = build(store, page_rate_limit=1, api_rate_limit=1).test_client()
    navigate(client, "/")
    client.get("/api/v1/units")
    for _ in range(3):
        assert client.get("/healthz").status_code in (200, 503)  # never 429
        assert client.get("/assets/cxdash.css").status_code == 200
        assert client.get(f"/agency/{agency}").status_code == 200
        assert client.get("/_dash-dependencies").status_code == 200
    assert client.get("/_dash-component-suites/dash/dcc/async-graph.js").status_code != 429


def test_the_staff_app_is_not_limited(store):
    client = build(store, page_rate_limit=1).test_client()
    navigate(client, "/")
    assert navigate(client, "/").status_code == 200  # the public app is past its limit
    for _ in range(3):
        assert client.get("/staff/sign-in").status_code == 200
        assert client.get("/staff/_dash-layout").status_code != 429
        posted = client.post("/staff/_dash-update-component", json=router_body("/staff/"))
        assert posted.status_code != 429


def test_no_limit_when_set_to_zero(store):
    client = build(store, page_rate_limit=0, api_rate_limit=0).test_client()
    for _ in range(5):
        assert client.get("/api/v1/units").status_code == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_cache_that_is_down_lets_requests_through(store):
    """The counters live in Redis; with Redis unreachable the limit is not applied (and
    nothing answers 500): an outage of the cache must not become an outage of the site."""
    url = f"redis://127.0.0.1:{_free_port()}/13"
    client = build(store, api_rate_limit=1, cache_type="redis", cache_redis_url=url).test_client()
    # An unknown API path: a JSON 404 that reads neither cache nor store, only the limit.
    for _ in range(3):
        assert client.get("/api/v1/nothing-here").status_code == 404


@pytest.mark.redis
def test_counters_are_shared_by_apps_on_one_redis(store, redis_url, redis_key_prefix):
    """Two workers (two apps, as gunicorn's processes are) count one client together."""
    shared = {
        "cache_type": "redis",
        "cache_redis_url": redis_url,
        "cache_key_prefix": redis_key_prefix,
    }
    first = build(store, api_rate_limit=3, page_rate_limit=2, **shared).test_client()
    second = build(store, api_rate_limit=3, page_rate_limit=2, **shared).test_client()
    assert first.get("/api/v1/units").status_code == 200
    assert second.get("/api/v1/units").status_code == 200
    assert first.get("/api/v1/units").status_code == 200
    refused = second.get("/api/v1/units")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == RETRY_AFTER
    assert first.get("/api/v1/units").status_code == 429
    # Page data likewise, in its own counter.
    assert "too-many-requests" not in navigate(first, "/").text
    assert "too-many-requests" not in navigate(second, "/methodology").text
    assert "too-many-requests" in navigate(first, "/methodology").text
    # Another deployment on the same Redis (another prefix) has counters of its own.
    other = build(
        store, api_rate_limit=3, **{**shared, "cache_key_prefix": redis_key_prefix + "other:"}
    ).test_client()
    assert other.get("/api/v1/units").status_code == 200


@pytest.mark.parametrize(("proxies", "scheme"), [(0, "http"), (1, "https")])
def test_behind_a_trusted_proxy_links_keep_the_client_scheme(store, proxies, scheme):
    # A TLS proxy forwards plain HTTP: with TRUSTED_PROXIES set, absolute URLs follow the
    # scheme the proxy reports; without it, a client's own header is not believed.
    server = create_app(Settings(database_url=store, trusted_proxies=proxies)).server
    response = server.test_client().get(
        "/api/v1/observations.csv?limit=1", headers={"X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 200
    assert f"<{scheme}://localhost/api/v1/observations.csv?" in response.headers["Link"]
