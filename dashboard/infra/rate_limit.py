"""Per-client request limits (pages, the API, exports, sign-in), shared by every worker.

Each limit is a fixed window (one minute by default) per bucket and client, counted in the
app's cache (flask-caching): per worker with the simple cache, shared with the filesystem
cache (approximately: its increments are not atomic) and across workers and nodes with Redis,
where ``inc`` is one atomic ``INCRBY``. A fixed window lets a client spend up to twice its
limit across a window boundary; that is the price of one counter per client, and the limits
are set far above what a person reaches anyway.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Protocol

import flask

from dashboard.core.settings import Settings
from dashboard.infra.cache import cache

#: The rate-limit window, in seconds.
RATE_WINDOW_S = 60

_log = logging.getLogger(__name__)


class Counter(Protocol):
    """What a limit needs of a cache back end (cachelib's ``BaseCache`` has both)."""

    def add(self, key: str, value: object, timeout: int | None = None) -> bool: ...

    def inc(self, key: str, delta: int = 1) -> int | None: ...


def client_address(settings: Settings) -> str:
    """The client's address; behind ``trusted_proxies`` proxies, from X-Forwarded-For.

    Each trusted proxy appends the address it received the request from, so the client is
    the ``trusted_proxies``-th address from the right; anything further left was written by
    the client and is not trusted (docs/deployment.md).
    """
    address = flask.request.remote_addr or "unknown"
    if settings.trusted_proxies:
        forwarded = [
            part.strip()
            for part in flask.request.headers.get("X-Forwarded-For", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= settings.trusted_proxies:
            address = forwarded[-settings.trusted_proxies]
    return address


def charge(
    settings: Settings,
    bucket: str,
    client: str,
    limit: int,
    cost: int = 1,
    now: float | None = None,
    *,
    window_s: int = RATE_WINDOW_S,
    store: Counter | None = None,
) -> int | None:
    """Count ``cost`` requests of ``client`` in ``bucket``; None when allowed, else the
    seconds to wait (for ``Retry-After``) until the window ends.

    ``limit`` requests per ``window_s`` seconds; 0 means no limit. ``store`` is the app's
    cache back end unless given (tests give their own). A cache that is down, or that
    answers None, allows the request: losing the limit for a while is better than refusing
    every visitor, or answering 500, because a counter cannot be reached.
    """
    del settings  # the cache is configured from the settings once, by the app factory
    if limit <= 0:
        return None
    now = time.time() if now is None else now
    window = int(now // window_s)
    retry_after = max(1, math.ceil((window + 1) * window_s - now))
    key = f"ratelimit:{bucket}:{client}:{window}"
    try:
        backend: Counter = cache.cache if store is None else store
        # ``add`` sets the expiry once (a Redis INCRBY on a missing key would create one that
        # never expires); a few seconds past the window for clocks that differ across nodes.
        backend.add(key, 0, timeout=window_s + 5)
        used = backend.inc(key, cost)
    except Exception:  # a cache that is down must not take the site with it
        _log.warning("%s rate limit not applied: the cache is unavailable", bucket, exc_info=True)
        return None
    if used is None:
        return None
    return retry_after if int(used) > limit else None


def charge_export(
    settings: Settings,
    client: str,
    cost: int = 1,
    now: float | None = None,
    *,
    store: Counter | None = None,
) -> int | None:
    """Count ``cost`` chart image exports for ``client`` (EXPORT_RATE_LIMIT per minute)."""
    return charge(settings, "export", client, settings.export_rate_limit, cost, now, store=store)
