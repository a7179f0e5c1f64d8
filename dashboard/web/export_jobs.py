"""A page's ZIP of charts built in the background, its progress and result in the app cache.

A ZIP renders three images of every chart of a page (17–41 s on a busy agency page): too
long for a request with nothing to show. :func:`start` names the job by what the ZIP holds
(the page, its parameters and language, the published-data version, the day and the site's
address, which the images print), so the same request finds the same job: a finished ZIP is
served at once, a running one is joined ("Preparing … 4 of 11 charts"), and a second click or
a second person never starts a second build. Progress and the finished ZIP live in the app
cache (filesystem or Redis in deployments), so every gunicorn worker can answer the polling
and the download, whichever worker builds it.

The machinery is the review pack's (:mod:`dashboard.web.review_jobs`): the same build thread
per process with its bounded queue (a ZIP and a pack share Chromium anyway), the same stores
(the app cache, or this process's memory while Redis is down) and the same claim, an atomic
``add`` in the shared cache, so that one worker anywhere builds a job. A build that takes
longer than its time limit, or fails, ends with an error status naming why (:data:`ERRORS`),
and may be started again; a "running" status no longer updated belongs to a worker that died
and is taken over.

What the ZIP holds is not decided here: the caller passes the build (``callbacks.exports``).
The finished ZIP is served at ``/export-zip/<job>.zip``, its status as JSON at
``/export-zip/<job>``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dashboard.core.routes import resolve
from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.infra.cache import cache_available
from dashboard.web import review_jobs
from dashboard.web.pages import page_day
from dashboard.web.review_jobs import PackStore

#: Seconds a finished ZIP (and its status) stays in the cache; keys change with the data.
ZIP_TIMEOUT_S = 3600

#: Where finished ZIPs (and their status, as JSON) are served.
ZIP_PREFIX = "/export-zip/"

#: Why a build failed, as the status says it (``error``); the page words each one.
ERRORS = ("busy", "timeout", "too_big", "not_found", "unexpected")

#: Longest page path and query a request may name (a page's are far shorter).
_MAX_PATH, _MAX_PARAMS, _MAX_VALUE = 300, 10, 100

_log = logging.getLogger(__name__)

#: (done, total): charts finished so far, of how many.
Progress = Callable[[int, int], None]


class BuildFailed(Exception):
    """A build that ends with one of :data:`ERRORS` (``code``)."""

    def __init__(self, code: str) -> None:
        assert code in ERRORS, code
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Built:
    body: bytes
    file_name: str
    charts: int


#: (request, progress) -> the finished ZIP; raises BuildFailed.
Build = Callable[["ZipRequest", Progress], Built]


@dataclass(frozen=True)
class ZipRequest:
    """A page's ZIP: the page's path ("/agency/dmv", "/" for home) and its own parameters."""

    path: str
    query: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, path: str, query: Mapping[str, str]) -> ZipRequest:
        return cls(path, tuple(sorted(query.items())))

    @property
    def params(self) -> dict[str, str]:
        return dict(self.query)

    @property
    def language(self) -> str | None:
        return self.params.get("lang")

    def data(self) -> dict[str, Any]:
        """The request as the page holds it (read back by :func:`request_from`)."""
        return {"path": self.path, "query": self.params}


def request_from(data: Any) -> ZipRequest | None:
    """The request a page holds (:meth:`ZipRequest.data`); None for anything else (a path that
    names no page, values that are not short texts)."""
    if not isinstance(data, Mapping):
        return None
    path, query = data.get("path"), data.get("query") or {}
    if not isinstance(path, str) or not path.startswith("/") or len(path) > _MAX_PATH:
        return None
    if resolve(path) is None or not isinstance(query, Mapping) or len(query) > _MAX_PARAMS:
        return None
    for key, value in query.items():
        if not (isinstance(key, str) and isinstance(value, str)) or len(value) > _MAX_VALUE:
            return None
    return ZipRequest.of(path, query)


def request_of_href(zip_href: str) -> ZipRequest:
    """The request of a page's ZIP link: ``/export/agency/dmv.zip?lang=es`` ->
    ("/agency/dmv", lang=es); ``/export.zip`` is the home page's."""
    parts = urlsplit(zip_href)
    path = parts.path.removesuffix(".zip").removeprefix("/export") or "/"
    return ZipRequest.of(path, dict(parse_qsl(parts.query)))


def job_id(request: ZipRequest, version: str, *extra: object) -> str:
    """The job's name: what its ZIP holds (``extra``: the day, the site's address, limits)."""
    parts = [request.path, repr(request.query), version, *map(str, extra)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def download_path(job: str) -> str:
    return f"{ZIP_PREFIX}{job}.zip"


def _status_key(job: str) -> str:
    return f"export-zip:status:{job}"


def _zip_key(job: str) -> str:
    return f"export-zip:zip:{job}"


def _claim_key(job: str) -> str:
    return f"export-zip:claim:{job}"


def is_job(job: Any) -> bool:
    """Whether ``job`` is a job's name (24 hexadecimal digits)."""
    return isinstance(job, str) and len(job) == 24 and all(c in "0123456789abcdef" for c in job)


def status(job: Any, store: PackStore | None = None) -> dict[str, Any] | None:
    """The job's status: state ("queued", "running", "done", "error"), done, total; or None."""
    if not is_job(job):
        return None
    for place in review_jobs.readable_stores(store):
        found = place.get(_status_key(job))
        if isinstance(found, dict):
            return dict(found)
    return None


def archive(job: Any, store: PackStore | None = None) -> tuple[bytes, dict[str, Any]] | None:
    """The finished ZIP and its status; None when there is none (a 404)."""
    found = status(job, store)
    if found is None or found.get("state") != "done":
        return None
    for place in review_jobs.readable_stores(store):
        body = place.get(_zip_key(job))
        if isinstance(body, bytes):
            return body, found
    return None


def time_limit(settings: Settings) -> float:
    """Seconds a build may take in all (each image has its own limit too)."""
    return max(60.0, 3 * settings.export_timeout)


def _stale(current: Mapping[str, Any], limit_s: float) -> bool:
    if current.get("state") not in ("queued", "running"):
        return False
    return time.time() - float(current.get("updated_at") or 0) > limit_s + 60


def _usable(current: Mapping[str, Any] | None, job: str, limit_s: float, store: Any) -> bool:
    """A status that is the answer as it is: a build under way, or a ZIP still in the cache."""
    if current is None or _stale(current, limit_s) or current.get("state") == "error":
        return False
    return current.get("state") != "done" or archive(job, store) is not None


def start(
    settings: Settings,
    request: ZipRequest,
    build: Build,
    *,
    key_extra: tuple[object, ...] = (),
    store: PackStore | None = None,
    run_in_app: Callable[[Callable[[], None]], None] | None = None,
) -> dict[str, Any]:
    """Start (or find) the build of a page's ZIP; its status.

    ``key_extra`` joins the job's name (whatever else changes the ZIP's bytes: the site's
    address). ``run_in_app`` wraps the background work (the caller's Flask app context, which
    the cache and the page-view cache need); by default the work runs as is.
    """
    chosen = store
    store = review_jobs.writable_store(store)
    limit_s = time_limit(settings)
    version = queries.data_status(settings.database_url).version
    job = job_id(request, version, page_day(settings), settings.export_max_charts, *key_extra)
    current = status(job, chosen)
    if _usable(current, job, limit_s, chosen):
        assert current is not None
        return current
    # Only one worker anywhere builds a job: the claim is an atomic add in the shared cache.
    claim_s = int(limit_s + 60)
    claimed_it = store.add(_claim_key(job), time.time(), timeout=claim_s)
    if not claimed_it and chosen is None and not cache_available():
        # The claim is what found the shared cache down: build in this process instead.
        store = review_jobs.local_store()
        claimed_it = store.add(_claim_key(job), time.time(), timeout=claim_s)
    if not claimed_it:
        claimed = status(job, store)
        if claimed is None:  # another worker claimed it a moment ago and is about to say so
            return {"job": job, "state": "queued", "done": 0, "total": 0}
        if claimed.get("state") in ("queued", "running") and not _stale(claimed, limit_s):
            return claimed
        # The claim outlived its build (a worker died): take the job over.
        store.set(_claim_key(job), time.time(), timeout=claim_s)
    # How many builds of this process (ZIPs and review packs share its build thread) this one
    # waits for: the page says "waiting" only when there are some.
    queued = _save(
        store,
        job,
        request,
        state="queued",
        done=0,
        total=0,
        ahead=review_jobs.build_worker.pending(),
    )

    def task() -> None:
        work = lambda: _build(request, job, store, build)  # noqa: E731
        if run_in_app is None:
            work()
        else:
            run_in_app(work)

    if not review_jobs.build_worker.submit(task):
        store.delete(_claim_key(job))
        return _save(store, job, request, state="error", error="busy")
    return queued


def _save(
    store: PackStore, job: str, request: ZipRequest, *, state: str, **fields: Any
) -> dict[str, Any]:
    record = {
        "job": job,
        "state": state,
        "path": request.path,
        "lang": request.language,
        "updated_at": time.time(),
        **fields,
    }
    store.set(_status_key(job), record, timeout=ZIP_TIMEOUT_S)
    return record


def _build(request: ZipRequest, job: str, store: PackStore, build: Build) -> None:
    _save(store, job, request, state="running", done=0, total=0)

    def progress(done: int, total: int) -> None:
        _save(store, job, request, state="running", done=done, total=total)

    try:
        built = build(request, progress)
    except BuildFailed as error:
        _save(store, job, request, state="error", error=error.code)
    except Exception:
        _log.exception("page ZIP %s failed", job)
        _save(store, job, request, state="error", error="unexpected")
    else:
        store.set(_zip_key(job), built.body, timeout=ZIP_TIMEOUT_S)
        _save(
            store,
            job,
            request,
            state="done",
            done=built.charts,
            total=built.charts,
            charts=built.charts,
            size=len(built.body),
            file_name=built.file_name,
        )
    finally:
        store.delete(_claim_key(job))


def wait(
    job: str,
    limit_s: float,
    *,
    store: PackStore | None = None,
    poll_s: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any] | None:
    """The job's status once it is done or failed, or its last status after ``limit_s``
    (None: it is gone). For the plain ``GET /export/<page>.zip`` of a script or a link
    opened in a new tab: it waits for the same job the page's button would follow."""
    deadline = clock() + limit_s
    while True:
        found = status(job, store)
        if found is None or found.get("state") in ("done", "error") or clock() >= deadline:
            return found
        sleep(poll_s)
