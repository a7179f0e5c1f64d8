"""A real Redis stopped and restarted under a running app: served uncached, then cached again.

The test owns its redis-server (tests/integration/servers.py, on a free port); the machine's
shared Redis is never touched. The cache's circuit breaker runs on a clock the test moves, so
"after the retry interval" needs no sleep.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator

import flask
import pytest
import redis

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.infra import db
from dashboard.infra.cache import ResilientRedisCache, cache
from dashboard.views.agency import build, charts
from dashboard.web.factory import create_app
from tests.components import router_request
from tests.demo_stores import DemoStores
from tests.integration import servers
from tests.integration.servers import RedisServer

redis_server = servers.redis_server


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory, demo_stores: DemoStores) -> Iterator[str]:
    url = demo_stores.sqlite_copy(tmp_path_factory.mktemp("cache-outage") / "demo.sqlite3")
    yield url
    db.get_engine(url).dispose()


def _backend(server: flask.Flask) -> ResilientRedisCache:
    with server.app_context():
        backend = cache.cache
    assert isinstance(backend, ResilientRedisCache)
    return backend


def test_a_redis_outage_serves_uncached_and_the_cache_comes_back(
    demo_url: str, redis_server: RedisServer
) -> None:
    agency = queries.list_agencies(demo_url)[0]["slug"]
    view = build(
        demo_url, Settings(database_url=demo_url), Route("agency", {"agency": agency}), {}, "en"
    )
    chart = charts(view)[0].chart_id
    settings = Settings(
        database_url=demo_url,
        cache_type="redis",
        cache_redis_url=redis_server.url,
        cache_key_prefix="outage-test:",
    )
    server = create_app(settings).server
    clock = Clock()
    backend = _backend(server)
    backend.breaker.clock = clock
    client = server.test_client()
    store = redis.Redis.from_url(redis_server.url, socket_timeout=5)

    def answers() -> dict[str, int]:
        return {
            "page": client.get(f"/agency/{agency}").status_code,
            "home": client.get("/").status_code,
            "callback": client.post(
                "/_dash-update-component", json=router_request(f"/agency/{agency}")
            ).status_code,
            "download": client.get(f"/download/agency/{agency}/{chart}.csv").status_code,
            "api": client.get(f"/api/v1/observations?unit={agency}&limit=5").status_code,
            "sign-in": sign_in_attempt(),
        }

    def sign_in_attempt() -> int:
        # Counted by the sign-in rate limit in the cache; a wrong password is a 401.
        page = client.get("/staff/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        form = {"username": "nobody", "password": "wrong", "csrf_token": token.group(1)}
        return client.post("/staff/sign-in", data=form).status_code

    def health() -> tuple[int, dict]:
        response = client.get("/healthz")
        return response.status_code, response.get_json()

    everything_ok = {
        "page": 200,
        "home": 200,
        "callback": 200,
        "download": 200,
        "api": 200,
        "sign-in": 401,  # a wrong password, refused as usual
    }

    # Redis up: served, and cached in Redis.
    assert answers() == everything_ok
    assert store.keys("outage-test:*"), "pages and API answers are cached in Redis"
    code, body = health()
    assert code == 200 and body["status"] == "ok"
    assert body["checks"]["cache"] == {"status": "ok", "type": "redis"}
    assert body["checks"]["database"]["status"] == "ok"
    store.close()

    # Redis down: the same answers, computed without the cache; /healthz says so.
    redis_server.stop()
    assert answers() == everything_ok
    code, body = health()
    assert code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "unavailable"
    assert body["checks"]["cache"]["error"] == "ConnectionError"

    # Redis back (empty), but the breaker has not let anyone try yet: nothing is written.
    redis_server.restart()
    store = redis.Redis.from_url(redis_server.url, socket_timeout=5)
    assert answers() == everything_ok
    assert store.keys("outage-test:*") == []
    assert health()[1]["status"] == "degraded"

    # After the retry interval the cache reconnects by itself.
    clock.now += backend.breaker.retry_after_s
    assert answers() == everything_ok
    assert store.keys("outage-test:*"), "the cache is used again"
    code, body = health()
    assert code == 200 and body["status"] == "ok"
    assert body["checks"]["cache"] == {"status": "ok", "type": "redis"}
    store.close()


def test_health_reports_each_dependency(demo_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=demo_url, cache_type="filesystem", cache_dir=str(tmp_path / "cache")
    )
    response = create_app(settings).server.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body["checks"]) == {"database", "cache", "export_browser"}
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["cache"] == {"status": "ok", "type": "filesystem"}


def test_a_missing_export_browser_is_degraded_not_down(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    response = create_app(Settings(database_url=demo_url)).server.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["export_browser"]["status"] == "unavailable"
    assert body["checks"]["cache"] == {"status": "ok", "type": "simple"}


def test_a_database_that_is_down_is_a_503_with_retry_after() -> None:
    # Nothing listens on port 1: the database server is down.
    url = "postgresql+psycopg://postgres@127.0.0.1:1/cxdash?connect_timeout=2"
    response = create_app(Settings(database_url=url)).server.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    body = response.get_json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "unavailable"
    assert body["checks"]["database"]["error"] == "OperationalError"


def test_a_redis_that_never_answers_is_a_miss_not_a_hung_request() -> None:
    # A listening socket nobody reads: the connection is accepted, no reply ever comes (a
    # blackholed or frozen Redis). The socket timeout ends the wait and opens the breaker.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        backend = ResilientRedisCache.factory(
            None,  # type: ignore[arg-type]  # the app is not used
            {"CACHE_REDIS_URL": f"redis://127.0.0.1:{port}/0"},
            [],
            {"default_timeout": 300},
        )
        assert backend.get("anything") is None
        assert backend.breaker.outage
        assert backend.breaker.last_error == "TimeoutError"
        assert backend.set("anything", 1) is False  # the breaker is open: no second wait


def test_a_review_pack_is_built_and_served_while_redis_is_down(
    demo_url: str, redis_server: RedisServer
) -> None:
    # The pack's progress and PDF live in the cache: with Redis down they are kept in this
    # process instead, so the pack is built, followed and downloaded, never "no longer
    # available" at the first poll. Still found after Redis is back.
    from dashboard.web import review_jobs

    settings = Settings(
        database_url=demo_url,
        cache_type="redis",
        cache_redis_url=redis_server.url,
        cache_key_prefix="outage-pack:",
    )
    server = create_app(settings).server
    _backend(server).breaker.clock = Clock()
    redis_server.stop()

    def in_app(work):  # type: ignore[no-untyped-def]
        with server.app_context():
            work()

    request = review_jobs.PackRequest(2026, 3, "en")
    with server.app_context():
        status = review_jobs.start(settings, request, run_in_app=in_app)
        job = status["job"]
        deadline = time.monotonic() + 120  # a bound on a hung build, not a speed check
        while status["state"] not in ("done", "error") and time.monotonic() < deadline:
            time.sleep(0.2)
            polled = review_jobs.status(job)
            assert polled is not None, "the pack's progress is kept while Redis is down"
            status = polled
    assert status["state"] == "done", status
    client = server.test_client()
    response = client.get(f"/review-pack/{job}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    redis_server.restart()
    assert client.get(f"/review-pack/{job}.pdf").status_code == 200
