"""A page's ZIP of charts built in the background, its progress and result in the app cache.

A ZIP renders three images of every chart of a page (17–41 s on a busy agency page): too
long for a request with nothing to show. :func:`start` names the job by what the ZIP holds
(the page, its parameters and language, the published-data version, the day and the site's
address, which the images print), so the same request finds the same job: a finished ZIP is
served at once, a running one is joined ("Preparing … 4 of 11 charts"), and a second click or
a second person never starts a second build. Progress and the finished ZIP live in the app
cache (filesystem or Redis in deployments), so every gunicorn worker can answer the polling
and the download, whichever worker builds it.

The machinery is the review pack's too (:mod:`dashboard.web.background_jobs`): the same
build thread per process with its bounded queue (a ZIP and a pack share Chromium anyway), the
same stores (the app cache, or this process's memory while Redis is down), the same status
records and the same claim, an atomic ``add`` in the shared cache, so that one worker
anywhere builds a job. A build that takes
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
from dashboard.web import background_jobs
from dashboard.web.background_jobs import JobRecords, SaveProgress
from dashboard.web.background_jobs import JobStore as PackStore
from dashboard.web.pages import page_day

#: Seconds a finished ZIP (and its status) stays in the cache; keys change with the data.
ZIP_TIMEOUT_S = 3600

#: Where finished ZIPs (and their status, as JSON) are served.
ZIP_PREFIX = "/export-zip/"

#: Why a build failed, as the status says it (``error``); the page words each one.
ERRORS = ("busy", "timeout", "too_big", "not_found", "unexpected")

#: Longest page path and query a request may name (a page's are far shorter).
_MAX_PATH, _MAX_PARAMS, _MAX_VALUE = 300, 10, 100

#: The status, ZIP and claim of each job in the cache (:mod:`dashboard.web.background_jobs`).
RECORDS = JobRecords("export-zip", "zip", ZIP_TIMEOUT_S)

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


def is_job(job: Any) -> bool:
    """Whether ``job`` is a job's name (24 hexadecimal digits)."""
    return background_jobs.is_job(job)


def status(job: Any, store: PackStore | None = None) -> dict[str, Any] | None:
    """The job's status: state ("queued", "running", "done", "error"), done, total; or None."""
    return RECORDS.status(job, store)


def archive(job: Any, store: PackStore | None = None) -> tuple[bytes, dict[str, Any]] | None:
    """The finished ZIP and its status; None when there is none (a 404)."""
    found = status(job, store)
    if found is None or found.get("state") != "done":
        return None
    body = RECORDS.file(job, store)
    return (body, found) if body is not None else None


def time_limit(settings: Settings) -> float:
    """Seconds a build may take in all (each image has its own limit too)."""
    return max(60.0, 3 * settings.export_timeout)


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
    limit_s = time_limit(settings)
    version = queries.data_status(settings.database_url).version
    job = job_id(request, version, page_day(settings), settings.export_max_charts, *key_extra)
    return background_jobs.start(
        RECORDS,
        job,
        _identity(request),
        lambda claimed: _build(request, job, claimed, build),
        store=store,
        stale_after_s=limit_s + 60,
        queued={"done": 0, "total": 0},
        refused={"error": "busy"},
        run_in_app=run_in_app,
    )


def _identity(request: ZipRequest) -> dict[str, Any]:
    """What names the ZIP in its status: the page and its language."""
    return {"path": request.path, "lang": request.language}


def _build(request: ZipRequest, job: str, store: PackStore, build: Build) -> None:
    def run(save_progress: SaveProgress) -> tuple[bytes, dict[str, Any]]:
        save_progress(done=0, total=0)
        built = build(request, lambda done, total: save_progress(done=done, total=total))
        done = {"done": built.charts, "total": built.charts, "charts": built.charts}
        return built.body, {**done, "size": len(built.body), "file_name": built.file_name}

    def failure(error: Exception) -> dict[str, Any]:
        if isinstance(error, BuildFailed):
            return {"error": error.code}
        _log.error("page ZIP %s failed", job, exc_info=error)
        return {"error": "unexpected"}

    background_jobs.run(RECORDS, store, job, _identity(request), run, failure)


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
