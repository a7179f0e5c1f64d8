"""Review packs built in the background, with their progress and result in the app cache.

A pack takes seconds to build, too long for a request. :func:`start` names the job by what
the pack holds (fiscal year, quarter, language and the published-data version), so the same
request finds the same job: a finished pack is served at once, a running one is joined.
Progress ("agency 5 of 12") and the finished PDF live in the app cache (filesystem or Redis
in deployments), so every gunicorn worker can answer the polling and the download, whichever
worker builds it.

Bounded: one build at a time per process (a single worker thread) and at most
:data:`MAX_WAITING` builds waiting behind it; more are refused with a clear message. A build
that takes longer than :data:`BUILD_TIME_LIMIT_S`, or fails, ends with an error status that
says why, and may be started again.

Only published data is ever in a pack (it is built from the review page's view), so nothing
here can put a draft in the cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask_caching import Cache

from dashboard import queries
from dashboard.cache import cache as app_cache
from dashboard.review_pack import Pack, PackError, build_pack
from dashboard.settings import Settings

#: Seconds a finished pack (and its status) stays in the cache; keys change with the data.
PACK_TIMEOUT_S = 6 * 3600

#: A build that runs longer than this is stopped with an error.
BUILD_TIME_LIMIT_S = 120.0

#: A "running" status not updated for this long belongs to a build that died with its worker.
STALE_AFTER_S = BUILD_TIME_LIMIT_S + 60.0

#: Builds allowed to wait behind the running one in this process.
MAX_WAITING = 4

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackRequest:
    fiscal_year: int
    quarter: int
    language: str


def job_id(request: PackRequest, data_version: str) -> str:
    text = f"{request.fiscal_year}|{request.quarter}|{request.language}|{data_version}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _status_key(job: str) -> str:
    return f"review-pack:status:{job}"


def _pdf_key(job: str) -> str:
    return f"review-pack:pdf:{job}"


def _claim_key(job: str) -> str:
    return f"review-pack:claim:{job}"


def status(job: str, store: Cache | None = None) -> dict[str, Any] | None:
    """The job's status: state ("queued", "running", "done", "error"), progress, or None."""
    if not _valid(job):
        return None
    found = (store or app_cache).get(_status_key(job))
    return dict(found) if isinstance(found, dict) else None


def pdf(job: str, store: Cache | None = None) -> bytes | None:
    if not _valid(job):
        return None
    found = (store or app_cache).get(_pdf_key(job))
    return found if isinstance(found, bytes) else None


def _valid(job: str) -> bool:
    return len(job) == 24 and all(c in "0123456789abcdef" for c in job)


# -- the worker ------------------------------------------------------------------------------


class _Worker:
    """One build thread per process, created on first use (and anew after a fork)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pid: int | None = None
        self._waiting = 0

    def submit(self, task: Callable[[], None]) -> bool:
        with self._lock:
            if self._executor is None or self._pid != os.getpid():
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="cxdash-pack")
                self._pid, self._waiting = os.getpid(), 0
            if self._waiting > MAX_WAITING:
                return False
            self._waiting += 1

        def run() -> None:
            try:
                task()
            finally:
                with self._lock:
                    self._waiting -= 1

        self._executor.submit(run)
        return True


_worker = _Worker()


def start(
    settings: Settings,
    request: PackRequest,
    *,
    store: Cache | None = None,
    run_in_app: Callable[[Callable[[], None]], None] | None = None,
) -> dict[str, Any]:
    """Start (or find) the build of a pack; its status.

    ``run_in_app`` wraps the background work (the caller's Flask app context, which the
    cache and the page-view cache need); by default the work runs as is.
    """
    store = store or app_cache
    version = queries.data_status(settings.database_url).version
    job = job_id(request, version)
    current = status(job, store)
    # A finished pack (still in the cache) or a build under way is the answer as it is.
    reusable = current is not None and not _stale(current) and current["state"] != "error"
    if reusable and (current["state"] != "done" or pdf(job, store) is not None):
        return current
    # Only one worker anywhere builds a job: the claim is an atomic add in the shared cache.
    if not store.add(_claim_key(job), time.time(), timeout=int(STALE_AFTER_S)):
        claimed = status(job, store)
        if claimed is None:  # another worker claimed it a moment ago and is about to say so
            return {"job": job, "state": "queued", "done": 0, "total": 1}
        if claimed["state"] in ("queued", "running") and not _stale(claimed):
            return claimed
        # The claim outlived its build (a worker died): take the job over.
        store.set(_claim_key(job), time.time(), timeout=int(STALE_AFTER_S))
    queued = _save(store, job, request, state="queued", step="", done=0, total=1)

    def task() -> None:
        work = lambda: _build(settings, request, job, store)  # noqa: E731
        if run_in_app is None:
            work()
        else:
            run_in_app(work)

    if not _worker.submit(task):
        store.delete(_claim_key(job))
        return _save(
            store,
            job,
            request,
            state="error",
            error_en="the server is building other review packs.",
            error_es="el servidor está creando otros paquetes de revisión.",
        )
    return queued


def _stale(current: dict[str, Any]) -> bool:
    if current.get("state") not in ("queued", "running"):
        return False
    return time.time() - float(current.get("updated_at") or 0) > STALE_AFTER_S


def _save(
    store: Cache, job: str, request: PackRequest, *, state: str, **fields: Any
) -> dict[str, Any]:
    record = {
        "job": job,
        "state": state,
        "fy": request.fiscal_year,
        "q": request.quarter,
        "lang": request.language,
        "updated_at": time.time(),
        **fields,
    }
    store.set(_status_key(job), record, timeout=PACK_TIMEOUT_S)
    return record


def _build(settings: Settings, request: PackRequest, job: str, store: Cache) -> None:
    # Imported here: the registry imports every page's callbacks, which import this module.
    from callbacks.pages import page_view
    from dashboard.routes import Route
    from dashboard.views import NotFound

    _save(store, job, request, state="running", step="loading", done=0, total=1)
    try:
        query = {"fy": str(request.fiscal_year), "q": str(request.quarter)}
        view, data = page_view(settings, Route("review"), query, request.language)

        def progress(step: str, done: int, total: int, agency: int, agencies: int) -> None:
            _save(
                store,
                job,
                request,
                state="running",
                step=step,
                done=done,
                total=total,
                agency=agency,
                agencies=agencies,
            )

        pack: Pack = build_pack(
            view, as_of=data.as_of, progress=progress, time_limit_s=BUILD_TIME_LIMIT_S
        )
    except NotFound as error:
        _save(store, job, request, state="error", error_en=error.message, error_es=error.message)
    except PackError as error:
        _save(
            store,
            job,
            request,
            state="error",
            error_en=error.message_en,
            error_es=error.message_es,
        )
    except Exception:
        _log.exception("review pack %s failed", job)
        _save(
            store,
            job,
            request,
            state="error",
            error_en="an unexpected error occurred.",
            error_es="ocurrió un error inesperado.",
        )
    else:
        store.set(_pdf_key(job), pack.pdf, timeout=PACK_TIMEOUT_S)
        _save(
            store,
            job,
            request,
            state="done",
            step="done",
            done=1,
            total=1,
            pages=pack.pages,
            size=len(pack.pdf),
            file_name=pack.file_name,
        )
    finally:
        store.delete(_claim_key(job))
