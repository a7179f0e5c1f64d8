"""Page-data cache: flask-caching, simple or filesystem by default, Redis in deployments.

Keys carry the published-data version (``queries.DataStatus.version``), so publishing new
figures changes every key and nobody is served stale numbers; the timeout only bounds memory.
Only published data is ever computed into a cache entry: the queries filter drafts first,
and a staff preview (reads through a transaction holding drafts, :func:`dashboard.infra.db.
reading_through`) neither reads nor writes the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_caching import Cache

from dashboard.core.settings import Settings
from dashboard.infra.db import reading_through_connection

T = TypeVar("T")

#: Bound to the Flask server by the app factory (``cache.init_app``); holds no connection.
cache = Cache()


def cache_config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "CACHE_DEFAULT_TIMEOUT": settings.cache_default_timeout,
        "CACHE_KEY_PREFIX": "cxdash:",
    }
    if settings.cache_type == "redis":
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=settings.cache_redis_url)
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
