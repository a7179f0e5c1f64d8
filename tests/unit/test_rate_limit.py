"""Per-client fixed-window limits (dashboard.infra.rate_limit), on an in-memory counter with
an injected clock: no sleeps, no wall clock."""

from __future__ import annotations

import pytest
from cachelib import SimpleCache

from dashboard.core.settings import Settings
from dashboard.infra import rate_limit
from dashboard.web.request_limits import bucket_of, is_router_call, router_inputs

SETTINGS = Settings()
#: 16 whole windows after the epoch: the window runs from 960 s to 1020 s.
START = 960.0


def charge(store, now, *, limit=3, cost=1, bucket="page", client="192.0.2.1"):
    return rate_limit.charge(SETTINGS, bucket, client, limit, cost, now, store=store)


def test_the_request_past_the_limit_waits_for_the_window_to_end():
    store = SimpleCache()
    assert [charge(store, START + 10) for _ in range(3)] == [None, None, None]
    assert charge(store, START + 10) == 50
    assert charge(store, START + 59.5) == 1  # never "0 seconds": at least one
    assert charge(store, START + 60) is None  # a new window


def test_cost_counts_several_requests_at_once():
    store = SimpleCache()
    assert charge(store, START, limit=5, cost=5) is None
    assert charge(store, START, limit=5, cost=1) == 60


def test_buckets_and_clients_are_counted_apart():
    store = SimpleCache()
    assert charge(store, START, limit=1) is None
    assert charge(store, START, limit=1) == 60
    assert charge(store, START, limit=1, bucket="api") is None
    assert charge(store, START, limit=1, client="2001:db8::1") is None


def test_retry_after_is_whole_seconds_rounded_up():
    store = SimpleCache()
    charge(store, START + 0.25, limit=1)
    assert charge(store, START + 0.25, limit=1) == 60  # 59.75 s to go
    assert rate_limit.charge(SETTINGS, "x", "c", 1, 2, START, window_s=10, store=store) == 10


class Broken:
    """A cache that is down."""

    def add(self, key, value, timeout=None):
        raise ConnectionError("cache down")

    def inc(self, key, delta=1):
        raise ConnectionError("cache down")


class Unanswering(SimpleCache):
    """A resilient cache back end during an outage: ``inc`` answers None."""

    def inc(self, key, delta=1):
        return None


@pytest.mark.parametrize("store", [Broken(), Unanswering()])
def test_a_cache_that_is_down_lets_requests_through(store):
    assert [charge(store, START, limit=1) for _ in range(5)] == [None] * 5


def test_no_limit_counts_nothing():
    assert charge(Broken(), START, limit=0) is None


def test_export_limit_is_its_own_bucket_of_its_own_size():
    store = SimpleCache()
    settings = Settings(export_rate_limit=2)
    assert rate_limit.charge_export(settings, "c", 2, START, store=store) is None
    assert rate_limit.charge_export(settings, "c", 1, START, store=store) == 60
    assert store.get("ratelimit:export:c:16") == 3


@pytest.mark.parametrize(
    ("path", "method", "bucket"),
    [
        ("/_dash-update-component", "POST", "page"),
        ("/_dash-layout", "GET", "page"),
        ("/download/agency/dmv/trend.csv", "GET", "page"),
        ("/api/v1/observations", "GET", "api"),
        ("/api/v1/observations", "OPTIONS", None),
        ("/api", "GET", "api"),
        ("/staff/_dash-update-component", "POST", None),
        ("/staff/_dash-layout", "GET", None),
        ("/healthz", "GET", None),
        ("/assets/site.css", "GET", None),
        ("/_dash-component-suites/dash/dcc/async-graph.js", "GET", None),
        ("/agency/dmv", "GET", None),
        ("/export/agency/dmv/trend.png", "GET", None),  # EXPORT_RATE_LIMIT, in the route
        ("/apiary", "GET", None),
    ],
)
def test_which_requests_are_limited(path, method, bucket):
    assert bucket_of(path, method) == bucket


ROUTER_BODY = {
    "output": "..page.children...page.lang...rendered-url.data..",
    "outputs": [
        {"id": "page", "property": "children"},
        {"id": "page", "property": "lang"},
        {"id": "rendered-url", "property": "data"},
    ],
    "inputs": [
        {"id": "url", "property": "pathname", "value": "/agency/dmv"},
        {"id": "url", "property": "search", "value": "?lang=es"},
    ],
    "state": [{"id": "rendered-url", "property": "data", "value": "/"}],
}


def test_the_router_callback_is_recognised_and_read():
    assert is_router_call(ROUTER_BODY)
    assert router_inputs(ROUTER_BODY) == ("/agency/dmv", "?lang=es")


@pytest.mark.parametrize(
    "body",
    [None, [], 3, "x", {}, {"outputs": "page"}, {"outputs": [{"id": "review-pack-status"}]}],
)
def test_anything_else_is_not_the_router(body):
    assert not is_router_call(body)


def test_unreadable_router_inputs_fall_back_to_the_home_page():
    body = {**ROUTER_BODY, "inputs": [{"id": "url", "property": "pathname", "value": 7}, None]}
    assert router_inputs(body) == ("/", "")
