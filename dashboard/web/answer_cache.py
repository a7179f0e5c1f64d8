"""Finished answers kept whole: a warm page or API request is one cache read and the bytes.

The page-data cache (``dashboard.infra.cache``) keeps views; turning a view into a Dash
layout, then JSON, then a compressed body cost more than building the view itself (a warm
router callback: 51% layout, 36% JSON, compression and Flask). Here the serialized answer is
kept instead, in the same app cache (Redis in deployments, so shared by every worker and
node), under a key naming everything the bytes depend on:

- the kind of answer ("router": the router callback's POST, "layout": Dash's first
  ``/_dash-layout``, "api": an open-data page), the path and the query *as the page reads
  it* (unknown parameters dropped, sorted: :func:`normalized_query`), the language;
- the published-data version (``queries.data_status().version``): a publication changes
  every key, so nobody is served figures older than the store's;
- this site's address (``request.url_root``: the open-data page prints it in its examples)
  and the day (the agency page lists the closures current *today*).

A page answer carries the URL it draws (``rendered-url``, which the router compares to
decide that the page on screen is already the right one) verbatim, tracking parameters
included. So the page is kept as a template with :data:`URL_SLOT` where the URL goes
(:func:`fill`), under the normalized key: ``/?utm_source=x`` and ``/`` share one entry.
Compressed variants (per ``Content-Encoding``) are kept only for the canonical URL of the key
(``href(path, known query)``, what the site's own links produce), so junk parameters cannot
multiply entries; any other URL gets the template filled in and compressed per request.

Never kept: the 404 page, the outage and "too many requests" pages (their callers say so
with ``keep``), previews (their paths are never looked up here) and anything computed while a
staff preview reads through its drafts transaction (:func:`usable`): nothing is read from or
written to the cache then, so no draft can reach an entry, nor a cached page a preview.
Cookies, security headers, ``Vary`` and the rest are added to every response by the app's
``after_request`` hooks: an entry holds the body and its type, nothing of the request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import flask
from flask_caching import Cache
from flask_caching.backends.simplecache import SimpleCache

from dashboard.gateway import queries
from dashboard.infra.cache import cache
from dashboard.infra.data_status import current_version
from dashboard.infra.db import get_engine, reading_through_connection

#: Where the URL of the page goes in a kept page answer (a JSON string in the template).
URL_SLOT = "__cxdash_rendered_url_6a1f0c__"

#: Response headers an API answer keeps (everything else is per request: ETag, CORS...).
KEPT_HEADERS = ("Content-Disposition", "Link", "X-Total-Count")

#: Keys longer than this keep a readable head and a hash of the rest.
MAX_KEY_LENGTH = 240


@dataclass(frozen=True)
class StoredAnswer:
    """A finished answer: its body (compressed when ``encoding`` says so) and its type."""

    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    #: ``Content-Encoding`` of ``body`` (None: not compressed).
    encoding: str | None = None
    status: int = 200

    @classmethod
    def of(cls, response: flask.Response) -> StoredAnswer:
        """What a response built the ordinary way says, to be kept (the API's answers)."""
        return cls(
            body=response.get_data(),
            content_type=response.headers.get("Content-Type", "application/json"),
            headers=tuple(
                (name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers
            ),
            status=response.status_code,
        )

    def response(self) -> flask.Response:
        response = flask.Response(self.body, status=self.status)
        response.headers["Content-Type"] = self.content_type
        for name, value in self.headers:
            response.headers[name] = value
        if self.encoding:
            # flask-compress leaves a response that says its encoding alone (and adds
            # Vary: Accept-Encoding, as for any other).
            response.headers["Content-Encoding"] = self.encoding
        return response


def usable() -> bool:
    """False while a staff preview reads through its drafts transaction: then nothing is read
    from this cache (it holds the published page, not the preview) nor written to it (the
    answer may hold drafts)."""
    return reading_through_connection() is None


def data_version(database_url: str) -> str:
    """The published-data version, read from the store at every call (never kept in the
    process: a publication through another node must show at this node's next request).

    The status row on a Core connection, no ORM session (~40 µs on SQLite instead of ~280);
    the same value as ``queries.data_status(url).version``, which a store without the row
    still falls back to (it aggregates)."""
    connection = reading_through_connection()
    version = current_version(connection if connection is not None else get_engine(database_url))
    if version is None:
        return queries.data_status(database_url).version
    return version


# -- keys ----------------------------------------------------------------------------------


def normalized_query(query: Mapping[str, str] | Mapping[str, Sequence[str]]) -> str:
    """The query as a stable text: parameters sorted by name; a parameter's values (several
    for the API's repeated filters) kept in their order, which may matter to the answer."""
    parts: list[str] = []
    for name in sorted(query):
        value = query[name]
        values = [value] if isinstance(value, str) else list(value)
        parts.extend(f"{_quoted(name)}={_quoted(item)}" for item in values)
    return "&".join(parts)


def answer_key(
    kind: str,
    *,
    path: str,
    query: Mapping[str, str] | Mapping[str, Sequence[str]],
    version: str,
    language: str = "",
    origin: str = "",
    day: str = "",
    extra: str = "",
) -> str:
    """The cache key of an answer: every input its bytes depend on (see the module's text).

    ``extra``: anything else the caller's answer depends on (the API's settings fingerprint).
    """
    head = f"answer:{kind}:{version}:{language}:{day}:"
    rest = f"{origin}|{extra}|{path}?{normalized_query(query)}"
    if len(head) + len(rest) > MAX_KEY_LENGTH:
        digest = hashlib.sha256(rest.encode("utf-8", "surrogatepass")).hexdigest()
        rest = f"{rest[: MAX_KEY_LENGTH - len(head) - 70]}#{digest}"
    return head + rest


def _quoted(text: str) -> str:
    return text.replace("%", "%25").replace("&", "%26").replace("=", "%3D")


# -- page answers (the router callback, the first layout) -----------------------------------


def fill(template: bytes, url_json: bytes) -> bytes:
    """The template with the page's URL (already a JSON string) in :data:`URL_SLOT`."""
    return template.replace(b'"' + URL_SLOT.encode() + b'"', url_json, 1)


def serve_page(
    key: str,
    *,
    url_json: bytes,
    canonical: bool,
    build: Callable[[], tuple[bytes, bool]],
    store: Cache | None = None,
) -> flask.Response:
    """A page answer from the cache, or built by ``build`` and kept.

    ``build()`` gives (the JSON template, with :data:`URL_SLOT` where the URL goes; whether
    it may be kept: False for the 404 and outage pages). ``url_json``: the URL as a JSON
    string; ``canonical``: whether it is the one URL ``key`` stands for (then compressed
    variants are kept too). The caller has checked :func:`usable`.
    """
    store = store or cache
    encoding = chosen_encoding() if canonical else None
    variant = f"{key}|{encoding}"
    if encoding:
        hit = store.get(variant)
        if isinstance(hit, StoredAnswer):
            return hit.response()
    template = store.get(key)
    keep = True
    if not isinstance(template, bytes):
        template, keep = build()
        if keep:
            store.set(key, template)
    body = fill(template, url_json)
    if encoding and keep and len(body) >= min_size():
        answer = StoredAnswer(compress(body, encoding), encoding=encoding)
        store.set(variant, answer)
        return answer.response()
    return StoredAnswer(body).response()


# -- API answers (JSON and CSV pages) ------------------------------------------------------


def api_key(
    path: str,
    args: Mapping[str, str] | Mapping[str, Sequence[str]],
    version: str,
    *,
    origin: str = "",
    fingerprint: str = "",
) -> str:
    """The key of an open-data answer: its path, every query parameter (the API refuses
    unknown ones, so none is dropped), the data version, the site's address (its links and
    ``meta`` name it) and the settings that shape answers (``open_data.settings_fingerprint``)."""
    return answer_key(
        "api", path=path, query=args, version=version, origin=origin, extra=fingerprint
    )


def cached_answer(
    key: str, build: Callable[[], StoredAnswer], store: Cache | None = None
) -> StoredAnswer:
    """The kept answer for ``key``, or ``build()``'s, kept when it is a 200.

    For the API (``callbacks/api.py``)::

        key = answer_cache.api_key(request.path, args, status.version, origin=base, ...)
        stored = answer_cache.cached_answer(key, lambda: StoredAnswer.of(build_response()))
        return _finish(stored.response(), status, settings)  # ETag, CORS: per request

    An error raised by ``build`` (a bad parameter) passes through, and nothing is kept. The
    body is kept uncompressed: flask-compress compresses it per request, which keeps the
    API's ETags (suffixed with the encoding by flask-compress) as they are.
    """
    if not usable():
        return build()
    store = store or cache
    hit = store.get(key)
    if isinstance(hit, StoredAnswer):
        return hit
    answer = build()
    if answer.status == 200:
        store.set(key, answer)
    return answer


# -- compression, as flask-compress would do it -----------------------------------------------


def _compressor() -> Any | None:
    """The app's flask-compress instance (Dash creates it and keeps no reference to it)."""
    app = flask.current_app
    found = app.extensions.get("cxdash_compress")
    if found is None:
        from flask_compress import Compress

        for function in app.after_request_funcs.get(None, []):
            owner = getattr(function, "__self__", None)
            if isinstance(owner, Compress):
                found = owner
                break
        app.extensions["cxdash_compress"] = found or False
    return found or None


def chosen_encoding() -> str | None:
    """The ``Content-Encoding`` flask-compress would answer this request with, or None."""
    compressor = _compressor()
    if compressor is None:
        return None
    from flask_compress.flask_compress import _choose_algorithm

    accepted = flask.request.headers.get("Accept-Encoding", "")
    chosen: str | None = _choose_algorithm(compressor.enabled_algorithms, accepted)
    return chosen


def compress(body: bytes, encoding: str) -> bytes:
    """``body`` compressed as flask-compress would (its levels, from the app's config)."""
    from flask_compress.flask_compress import _compress_data

    return _compress_data(flask.current_app, body, encoding)


def min_size() -> int:
    """flask-compress's COMPRESS_MIN_SIZE: smaller bodies go uncompressed."""
    return int(flask.current_app.config.get("COMPRESS_MIN_SIZE", 500))


# -- the in-process cache, bounded in bytes ----------------------------------------------------

#: What the in-process cache (``CACHE_TYPE`` simple: each worker its own) may hold, in bytes of
#: its serialized entries. flask-caching's SimpleCache only counts entries (500): a page's
#: view and its finished answers are a few KiB on the demo and far more on a big store, so
#: by count alone a worker's memory grew with the size of whatever pages had been asked.
SIMPLE_CACHE_MAX_BYTES = 32 * 1024 * 1024
#: Import path flask-caching loads the bounded back end from (``CACHE_TYPE``).
BOUNDED_SIMPLE_CACHE = "dashboard.web.answer_cache.BoundedSimpleCache"
#: Bytes counted per entry besides its value (the key, the tuple, the dict slot).
_ENTRY_OVERHEAD = 200


def _entry_size(key: str, item: Any) -> int:
    value = item[1] if isinstance(item, tuple) and len(item) == 2 else item
    size = len(value) if isinstance(value, bytes | bytearray | str) else 64
    return size + len(key) + _ENTRY_OVERHEAD


class _SizedEntries(dict[str, Any]):
    """SimpleCache's entry dict, keeping the total size of what it holds (cachelib only
    sets, pops and clears it, always under the cache's lock)."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def __setitem__(self, key: str, item: Any) -> None:
        old = dict.get(self, key)
        if old is not None:
            self.size -= _entry_size(key, old)
        super().__setitem__(key, item)
        self.size += _entry_size(key, item)

    def __delitem__(self, key: str) -> None:
        item = self[key]
        super().__delitem__(key)
        self.size -= _entry_size(key, item)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            item = super().pop(key)
            self.size -= _entry_size(key, item)
            return item
        return default[0] if default else super().pop(key)

    def clear(self) -> None:
        super().clear()
        self.size = 0


class BoundedSimpleCache(SimpleCache):
    """flask-caching's in-process cache with a budget in bytes as well as in entries
    (:data:`SIMPLE_CACHE_MAX_BYTES`): over either, the entries that expire first go first
    (cachelib's own pruning), so a worker's memory stays flat however many pages it draws.
    An entry bigger than a quarter of the budget is not kept at all."""

    def __init__(self, *args: Any, max_bytes: int = SIMPLE_CACHE_MAX_BYTES, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._max_bytes = max_bytes
        self._cache: _SizedEntries = _SizedEntries()

    @property
    def size(self) -> int:
        """Bytes held (serialized values, keys and a fixed overhead per entry)."""
        return self._cache.size

    def _over_threshold(self) -> bool:
        return len(self._cache) > self._threshold or self._cache.size > self._max_bytes

    def _serialized(self, key: str, value: Any) -> bytes | None:
        data: Any = self.serializer.dumps(value)
        return None if _entry_size(key, data) > self._max_bytes // 4 else data

    def set(self, key: str, value: Any, timeout: Any = None) -> bool | None:
        data = self._serialized(key, value)
        with self._lock:
            if data is None:
                self._cache.pop(key, None)
                return False
            expires = self._normalize_timeout(timeout)
            self._prune()
            self._cache[key] = (expires, data)
            return True

    def add(self, key: str, value: Any, timeout: Any = None) -> bool:
        kept = self._serialized(key, value)
        with self._lock:
            if kept is None or self.has(key):
                return False
            expires = self._normalize_timeout(timeout)
            self._prune()
            self._cache[key] = (expires, kept)
            return True
