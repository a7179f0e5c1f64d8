"""The Redis cache back end: an outage is a miss, a circuit breaker, and reconnection.

A fake Redis client that can be "down" and a clock the test moves: no server, no sleeps.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
import redis

from dashboard.infra.cache import CircuitBreaker, ResilientRedisCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeRedis:
    """Just enough of redis.Redis for cachelib's RedisCache; ``down`` makes every call fail."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.down = False
        self.calls = 0
        self.error: Exception = redis.ConnectionError("Connection refused")

    def _call(self) -> None:
        self.calls += 1
        if self.down:
            raise self.error

    def get(self, name: str) -> Any:
        self._call()
        return self.data.get(name)

    def mget(self, names: list[str]) -> list[Any]:
        self._call()
        return [self.data.get(name) for name in names]

    def set(self, name: str, value: Any, ex: int | None = None) -> bool:
        self._call()
        self.data[name] = value
        return True

    def setnx(self, name: str, value: Any) -> bool:
        self._call()
        if name in self.data:
            return False
        self.data[name] = value
        return True

    def expire(self, name: str, time: int) -> bool:
        self._call()
        return True

    def incr(self, name: str, amount: int = 1) -> int:
        self._call()
        value = int(self.data.get(name, b"0")) + amount
        self.data[name] = str(value).encode()
        return value

    def delete(self, *names: str) -> int:
        self._call()
        return sum(1 for name in names if self.data.pop(name, None) is not None)

    def unlink(self, *names: str) -> int:
        return self.delete(*names)

    def exists(self, name: str) -> int:
        self._call()
        return int(name in self.data)

    def keys(self, pattern: str) -> list[str]:
        self._call()
        return [key for key in self.data if key.startswith(pattern.rstrip("*"))]

    def ping(self) -> bool:
        self._call()
        return True


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client() -> FakeRedis:
    return FakeRedis()


@pytest.fixture
def backend(client: FakeRedis, clock: Clock) -> ResilientRedisCache:
    return ResilientRedisCache(host=client, key_prefix="t:", retry_after_s=10, clock=clock)


def test_redis_up_is_an_ordinary_cache(backend: ResilientRedisCache) -> None:
    assert backend.set("k", {"a": 1})
    assert backend.get("k") == {"a": 1}
    assert backend.has("k")
    assert backend.add("n", 0) and backend.inc("n", 3) == 3 and backend.dec("n") == 2
    assert backend.get_many("k", "missing") == [{"a": 1}, None]
    assert backend.delete("k") and not backend.has("k")
    assert backend.status() == {"status": "ok", "type": "redis"}


def test_every_operation_answers_a_miss_while_redis_is_down(
    backend: ResilientRedisCache, client: FakeRedis
) -> None:
    backend.set("k", 1)
    client.down = True
    assert backend.get("k") is None
    # The breaker is open now: the rest answer a miss without a call to Redis.
    calls = client.calls
    assert backend.get_many("k", "j") == [None, None]
    assert backend.get_dict("k") == {"k": None}
    assert backend.set("k", 2) is False
    assert backend.add("k", 2) is False
    assert backend.set_many({"a": 1}) == []
    assert backend.inc("n") is None
    assert backend.dec("n") is None
    assert backend.has("k") is False
    assert backend.delete("k") is False
    assert backend.delete_many("k") == []
    assert backend.unlink("k") is None
    assert backend.clear() is False
    assert client.calls == calls, "an open breaker keeps every call off Redis"


@pytest.mark.parametrize(
    "error",
    [redis.ConnectionError("refused"), redis.TimeoutError("timed out"), redis.BusyLoadingError()],
)
def test_outage_errors_open_the_breaker(
    backend: ResilientRedisCache, client: FakeRedis, error: Exception
) -> None:
    client.down, client.error = True, error
    assert backend.get("k") is None
    assert backend.breaker.outage
    status = backend.status()
    assert status["status"] == "unavailable" and status["type"] == "redis"
    assert status["error"] == type(error).__name__


def test_a_refusal_is_a_miss_but_leaves_the_breaker_closed(
    backend: ResilientRedisCache, client: FakeRedis
) -> None:
    client.down, client.error = True, redis.ResponseError("OOM command not allowed")
    assert backend.set("k", 1) is False
    assert not backend.breaker.outage
    client.down = False
    assert backend.set("k", 1)


def test_the_breaker_retries_after_its_interval_and_reconnects(
    backend: ResilientRedisCache, client: FakeRedis, clock: Clock
) -> None:
    client.down = True
    assert backend.get("k") is None
    client.down = False  # Redis is back, but the breaker does not know yet
    clock.now += 9.9
    calls = client.calls
    assert backend.set("k", 1) is False
    assert client.calls == calls
    assert backend.status()["status"] == "unavailable"
    assert client.calls == calls, "health checks do not contact Redis while the breaker is open"
    clock.now += 0.1
    assert backend.set("k", 1)
    assert backend.get("k") == 1
    assert not backend.breaker.outage
    assert backend.status() == {"status": "ok", "type": "redis"}


def test_a_failed_retry_keeps_the_breaker_open_for_another_interval(
    backend: ResilientRedisCache, client: FakeRedis, clock: Clock
) -> None:
    client.down = True
    backend.get("k")
    clock.now += 10
    calls = client.calls
    assert backend.get("k") is None
    assert client.calls == calls + 1, "one retry when the interval is over"
    assert backend.get("k") is None
    assert client.calls == calls + 1, "then none for another interval"
    assert backend.breaker.retry_in() == pytest.approx(10)


def test_one_caller_probes_while_the_others_keep_skipping(clock: Clock) -> None:
    breaker = CircuitBreaker("thing", retry_after_s=5, clock=clock)
    breaker.failed(redis.ConnectionError("down"))
    clock.now += 5
    assert breaker.allow()
    assert not breaker.allow(), "a second caller waits for the first one's answer"
    breaker.succeeded()
    assert breaker.allow() and breaker.allow()


def test_an_outage_is_logged_once_and_its_end_once(
    backend: ResilientRedisCache, client: FakeRedis, clock: Clock, caplog: Any
) -> None:
    caplog.set_level(logging.INFO, logger="dashboard.infra.cache")
    client.down = True
    for _ in range(3):
        backend.get("k")
        clock.now += 10
    client.down = False
    backend.get("k")
    backend.get("k")
    records = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in records] == ["WARNING", "INFO"]
    assert "unavailable" in records[0][1] and "Connection refused" in records[0][1]
    assert "available again after 30 s" in records[1][1]


def test_the_configured_client_has_short_timeouts_and_no_long_retries() -> None:
    # Builds the client only: redis-py connects on first use, so there is no I/O here.
    backend = ResilientRedisCache.factory(
        None,  # type: ignore[arg-type]  # the app is not used
        {"CACHE_REDIS_URL": "redis://127.0.0.1:1/0", "CACHE_KEY_PREFIX": "p:"},
        [],
        {"default_timeout": 300},
    )
    options = backend._write_client.connection_pool.connection_kwargs
    assert options["socket_connect_timeout"] <= 1 and options["socket_timeout"] <= 1
    assert options["retry"].get_retries() <= 1
    assert backend.key_prefix == "p:"
