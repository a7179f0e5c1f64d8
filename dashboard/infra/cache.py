"""Page-data cache: flask-caching, simple or filesystem by default, Redis in deployments.

Keys carry the published-data version (``queries.DataStatus.version``), so publishing new
figures changes every key and nobody is served stale numbers; the timeout only bounds memory.
Only published data is ever computed into a cache entry: the queries filter drafts first,
and a staff preview (reads through a transaction holding drafts, :func:`dashboard.infra.db.
reading_through`) neither reads nor writes the cache.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import flask
import redis
from flask_caching import Cache
from flask_caching.backends.filesystemcache import FileSystemCache
from flask_caching.backends.rediscache import RedisCache
from flask_caching.backends.simplecache import SimpleCache
from redis.backoff import NoBackoff
from redis.retry import Retry

from dashboard.core.settings import Settings
from dashboard.infra.db import reading_through_connection

T = TypeVar("T")

#: Bound to the Flask server by the app factory (``cache.init_app``); holds no connection.
cache = Cache()


def cache_config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "CACHE_DEFAULT_TIMEOUT": settings.cache_default_timeout,
        "CACHE_KEY_PREFIX": settings.cache_key_prefix,
    }
    if settings.cache_type == "redis":
        # Our subclass of flask-caching's: an outage is a miss, never an error (see below).
        config.update(CACHE_TYPE=_RESILIENT_REDIS, CACHE_REDIS_URL=settings.cache_redis_url)
    elif settings.cache_type == "filesystem":
        config.update(CACHE_TYPE="FileSystemCache", CACHE_DIR=settings.cache_dir)
    else:
        config.update(CACHE_TYPE="SimpleCache")
    return config


def cached(key: str, compute: Callable[[], T], store: Cache | None = None) -> T:
    """The cached value for ``key``, computing and storing it on a miss.

    While a preview reads through its transaction, the value is computed and never stored
    (it may hold drafts), nor read (the entry would show the published page, not the preview).
    """
    if reading_through_connection() is not None:
        return compute()
    store = store or cache
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value)
    return value


# --- a Redis outage is a miss, not an error ---------------------------------------------------
#
# With Redis down, every page, download, API answer and callback that reads the cache used to
# raise redis.ConnectionError: a 500 for the whole site. The back end below answers each call
# the way a miss does instead, so the app serves uncached, and a circuit breaker stops asking
# Redis at all for a while (each attempt can cost a connect timeout), then tries again: the
# cache comes back by itself when Redis does.

_log = logging.getLogger(__name__)

#: Import path flask-caching loads the back end from (CACHE_TYPE).
_RESILIENT_REDIS = "dashboard.infra.cache.ResilientRedisCache"

#: Seconds Redis is left alone after a failure before the next attempt.
REDIS_RETRY_AFTER_S = 15.0
#: Socket timeouts: a Redis that does not answer (blackholed, overloaded) must not hold a
#: worker thread longer than this per attempt; a cache miss is cheaper than that wait.
REDIS_CONNECT_TIMEOUT_S = 0.5
REDIS_SOCKET_TIMEOUT_S = 0.5

#: Errors that mean "Redis is not reachable" (BusyLoadingError and authentication errors are
#: ConnectionErrors too): they open the breaker.
_OUTAGE_ERRORS: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError)


class CircuitBreaker:
    """Closed while a service answers; open for ``retry_after_s`` after it fails.

    While open, :meth:`allow` says no without contacting the service. When the interval is
    over, one caller is let through to try (the others keep skipping for another interval);
    its success closes the breaker, its failure keeps it open. The first failure of an outage
    is logged as a warning and its end as info: one pair of lines per outage, not one per
    request. ``clock`` is injectable so that tests move time instead of sleeping.
    """

    def __init__(
        self,
        name: str,
        retry_after_s: float = REDIS_RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.retry_after_s = retry_after_s
        self.clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        self.last_error: str | None = None

    @property
    def outage(self) -> bool:
        """True from the first failure until the next success."""
        return self._down_since is not None

    def retry_in(self) -> float:
        """Seconds until the next attempt is allowed (0 when closed or due)."""
        if self._down_since is None:
            return 0.0
        return max(0.0, self._retry_at - self.clock())

    def allow(self) -> bool:
        if self._down_since is None:
            return True
        with self._lock:
            if self._down_since is None:
                return True
            now = self.clock()
            if now < self._retry_at:
                return False
            # This caller probes; everyone else skips until it has an answer (or longer).
            self._retry_at = now + self.retry_after_s
            return True

    def failed(self, error: Exception) -> None:
        with self._lock:
            now = self.clock()
            self._retry_at = now + self.retry_after_s
            self.last_error = type(error).__name__
            if self._down_since is None:
                self._down_since = now
                _log.warning(
                    "%s unavailable (%s: %s): serving without it, next try in %g s",
                    self.name,
                    type(error).__name__,
                    error,
                    self.retry_after_s,
                )

    def succeeded(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            _log.info("%s available again after %.0f s", self.name, self.clock() - self._down_since)
            self._down_since = None
            self._retry_at = 0.0
            self.last_error = None


class ResilientRedisCache(RedisCache):
    """flask-caching's Redis back end, where Redis being down is a cache miss.

    Every operation answers what a miss answers when Redis cannot be reached (get → None,
    set/add/delete/has → False, inc/dec → None, get_many → Nones) and the circuit breaker
    (``breaker``) keeps further calls off Redis for ``retry_after_s``. A Redis that answers
    with an error (out of memory, a read-only replica) is a miss too, logged, without the
    breaker: it is reachable, and the next call may well succeed.
    """

    def __init__(
        self,
        *args: Any,
        retry_after_s: float = REDIS_RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.breaker = CircuitBreaker("cache (Redis)", retry_after_s, clock)

    @classmethod
    def factory(
        cls, app: flask.Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
    ) -> ResilientRedisCache:
        client = redis.Redis.from_url(
            config.get("CACHE_REDIS_URL") or "redis://localhost:6379/0",
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
            socket_timeout=REDIS_SOCKET_TIMEOUT_S,
            # One immediate retry replaces a pooled connection Redis closed (a restart);
            # redis-py's default (10 retries with backoff) would hold the request instead.
            retry=Retry(NoBackoff(), 1),
        )
        kwargs.update(host=client, key_prefix=config.get("CACHE_KEY_PREFIX") or None)
        return cls(*args, **kwargs)

    def _guarded(self, miss: Any, operation: Callable[..., Any], *args: Any) -> Any:
        if not self.breaker.allow():
            return miss
        try:
            result = operation(*args)
        except _OUTAGE_ERRORS as error:
            self.breaker.failed(error)
            return miss
        except redis.RedisError as error:
            _log.warning("cache (Redis) refused an operation: %s: %s", type(error).__name__, error)
            return miss
        self.breaker.succeeded()
        return result

    def get(self, key: str) -> Any:
        return self._guarded(None, super().get, key)

    def get_many(self, *keys: str) -> list[Any]:
        return list(self._guarded([None] * len(keys), super().get_many, *keys))

    def set(self, key: str, value: Any, timeout: Any = None) -> Any:
        return self._guarded(False, super().set, key, value, timeout)

    def add(self, key: str, value: Any, timeout: Any = None) -> Any:
        return self._guarded(False, super().add, key, value, timeout)

    def set_many(self, mapping: dict[str, Any], timeout: Any = None) -> list[Any]:
        return list(self._guarded([], super().set_many, mapping, timeout))

    def delete(self, key: str) -> bool:
        return bool(self._guarded(False, super().delete, key))

    def delete_many(self, *keys: str) -> list[Any]:
        return list(self._guarded([], super().delete_many, *keys))

    def unlink(self, *keys: str) -> Any:
        return self._guarded(None, super().unlink, *keys)

    def has(self, key: str) -> bool:
        return bool(self._guarded(False, super().has, key))

    def clear(self) -> bool:
        return bool(self._guarded(False, super().clear))

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._guarded(None, super().inc, key, delta)

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._guarded(None, super().dec, key, delta)

    def status(self) -> dict[str, Any]:
        """For /healthz: a PING, unless the breaker says Redis is down (then no contact)."""
        answered = self._guarded(False, self._read_client.ping)
        if answered and not self.breaker.outage:
            return {"status": "ok", "type": "redis"}
        found: dict[str, Any] = {"status": "unavailable", "type": "redis"}
        if self.breaker.last_error:
            found["error"] = self.breaker.last_error
        found["retry_in_s"] = round(self.breaker.retry_in(), 1)
        return found


def cache_available(store: Cache | None = None) -> bool:
    """False while the app cache is known to be down (Redis with its breaker open), so that
    what must be kept somewhere (a review pack being built) can go elsewhere meanwhile."""
    try:
        backend = (store or cache).cache
    except (KeyError, RuntimeError):  # no app, or this cache was never bound to it
        return True
    return not (isinstance(backend, ResilientRedisCache) and backend.breaker.outage)


def cache_status(store: Cache | None = None) -> dict[str, Any]:
    """The app cache's health, for /healthz: ``status`` is "ok", "unavailable" or "not used".

    Needs the app (a request or app context). Cheap: Redis gets one PING, and none while its
    breaker is open; the filesystem cache is checked for a writable directory.
    """
    store = store or cache
    try:
        backend = store.cache
    except (KeyError, RuntimeError):  # no app, or this cache was never bound to it
        return {"status": "not used", "type": "none"}
    if isinstance(backend, ResilientRedisCache):
        return backend.status()
    if isinstance(backend, FileSystemCache):
        path = str(getattr(backend, "_path", ""))
        writable = bool(path) and os.access(path, os.W_OK | os.X_OK)
        return {"status": "ok" if writable else "unavailable", "type": "filesystem"}
    if isinstance(backend, SimpleCache):
        return {"status": "ok", "type": "simple"}
    return {"status": "not used", "type": type(backend).__name__}
