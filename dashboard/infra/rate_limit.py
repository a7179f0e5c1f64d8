"""Per-client limits on costly requests (chart image exports), shared by every worker.

Counted in the app's cache (flask-caching): per worker with the simple cache, shared with the
filesystem cache (approximately) and Redis (atomically).
"""

from __future__ import annotations

import logging
import math
import time

import flask

from dashboard.core.settings import Settings
from dashboard.infra.cache import cache

#: The rate-limit window, in seconds.
RATE_WINDOW_S = 60

_log = logging.getLogger(__name__)


def client_address(settings: Settings) -> str:
    """The client's address; behind ``trusted_proxies`` proxies, from X-Forwarded-For."""
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


def charge_export(
    settings: Settings, client: str, cost: int = 1, now: float | None = None
) -> int | None:
    """Count ``cost`` exports for ``client``; None when allowed, else seconds to wait.

    A fixed one-minute window per client, counted in the app's cache (atomic on Redis).
    """
    limit = settings.export_rate_limit
    if not limit:
        return None
    now = time.time() if now is None else now
    window = int(now // RATE_WINDOW_S)
    retry_after = max(1, math.ceil((window + 1) * RATE_WINDOW_S - now))
    key = f"ratelimit:export:{client}:{window}"
    try:
        backend = cache.cache  # cachelib's back end: ``inc`` is atomic on Redis
        backend.add(key, 0, timeout=RATE_WINDOW_S + 5)
        used = backend.inc(key, cost)
    except Exception:  # a cache that is down must not take the downloads with it
        _log.warning("export rate limit not applied: the cache is unavailable", exc_info=True)
        return None
    if used is None:
        return None
    return retry_after if int(used) > limit else None
