"""Background builds: their status records, results and claims in the app cache, in one place.

The review pack (:mod:`dashboard.web.review_jobs`) and the page ZIP
(:mod:`dashboard.web.export_jobs`) are both builds too long for a request. Both are named by
what they hold (a "job", 24 hexadecimal digits), and both keep, under keys of their own
prefix:

- a status record (a dict: ``job``, ``state`` "queued", "running", "done" or "error",
  ``updated_at``, what names the request, and the build's own fields: progress, error, size);
- the finished file (bytes), once it is done;
- a claim, an atomic ``add`` in the shared cache, so that one worker anywhere builds a job.

:class:`JobRecords` reads and writes those three for one kind of job; :func:`start` finds or
starts a job (a finished file or a build under way is the answer as it is; a claim that
outlived its worker is taken over); :func:`run` is a build's life: its result or its error
saved, its claim released. Builds run on one thread per process (:data:`build_worker`) with
a bounded queue, shared by packs and ZIPs (they share Chromium anyway). While the shared
cache is down (a Redis outage) a job lives in this process's memory (:func:`local_store`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import flask
from cachelib import SimpleCache
from flask_caching import Cache

from dashboard.infra.cache import cache as app_cache
from dashboard.infra.cache import cache_available

#: Builds allowed to wait behind the running one in this process.
MAX_WAITING = 4

#: The app cache (flask-caching) or this process's fallback (cachelib): the same calls.
JobStore = Cache | SimpleCache

#: Seconds a job kept in this process's memory (during a cache outage) lives at most.
_LOCAL_TIMEOUT_S = 6 * 3600

_log = logging.getLogger(__name__)


def local_store() -> SimpleCache:
    """Where jobs go while the shared cache is down (a Redis outage): this process's memory,
    one store per app, so that a build can still be followed and downloaded (from this
    worker) instead of being "no longer available" at the first poll. Read after the shared
    cache, so a job built during the outage is still found once Redis is back."""
    extensions = flask.current_app.extensions
    found = extensions.get("cxdash_local_packs")
    if found is None:
        found = extensions.setdefault(
            "cxdash_local_packs", SimpleCache(threshold=20, default_timeout=_LOCAL_TIMEOUT_S)
        )
    return found


def readable_stores(store: JobStore | None) -> tuple[JobStore, ...]:
    return (store,) if store is not None else (app_cache, local_store())


def writable_store(store: JobStore | None) -> JobStore:
    if store is not None:
        return store
    return app_cache if cache_available() else local_store()


def is_job(job: Any) -> bool:
    """Whether ``job`` is a job's name (24 hexadecimal digits)."""
    return isinstance(job, str) and len(job) == 24 and all(c in "0123456789abcdef" for c in job)


def stale(current: Mapping[str, Any], after_s: float) -> bool:
    """A "queued" or "running" status not updated for ``after_s`` seconds: its build died
    with its worker."""
    if current.get("state") not in ("queued", "running"):
        return False
    return time.time() - float(current.get("updated_at") or 0) > after_s


@dataclass(frozen=True)
class JobRecords:
    """One kind of job's records in the cache: ``<prefix>:status:<job>``,
    ``<prefix>:<result>:<job>`` (the file) and ``<prefix>:claim:<job>``."""

    prefix: str  # "review-pack", "export-zip"
    result: str  # "pdf", "zip"
    timeout_s: int  # how long a status and its file stay in the cache

    def status_key(self, job: str) -> str:
        return f"{self.prefix}:status:{job}"

    def result_key(self, job: str) -> str:
        return f"{self.prefix}:{self.result}:{job}"

    def claim_key(self, job: str) -> str:
        return f"{self.prefix}:claim:{job}"

    def status(self, job: Any, store: JobStore | None = None) -> dict[str, Any] | None:
        """The job's status record (a copy), or None."""
        if not is_job(job):
            return None
        for place in readable_stores(store):
            found = place.get(self.status_key(job))
            if isinstance(found, dict):
                return dict(found)
        return None

    def file(self, job: Any, store: JobStore | None = None) -> bytes | None:
        """The finished file, or None."""
        if not is_job(job):
            return None
        for place in readable_stores(store):
            found = place.get(self.result_key(job))
            if isinstance(found, bytes):
                return found
        return None

    def save(
        self,
        store: JobStore,
        job: str,
        identity: Mapping[str, Any],
        *,
        state: str,
        **fields: Any,
    ) -> dict[str, Any]:
        """Write the job's status: ``identity`` names the request (period and language, page
        and language), ``fields`` the build's own (progress, error, size)."""
        record = {"job": job, "state": state, **identity, "updated_at": time.time(), **fields}
        store.set(self.status_key(job), record, timeout=self.timeout_s)
        return record

    def usable(
        self, current: Mapping[str, Any] | None, job: str, after_s: float, store: Any
    ) -> bool:
        """A status that is the answer as it is: a build under way, or a file still cached."""
        if current is None or stale(current, after_s) or current.get("state") == "error":
            return False
        return current.get("state") != "done" or self.file(job, store) is not None


def start(
    records: JobRecords,
    job: str,
    identity: Mapping[str, Any],
    build: Callable[[JobStore], None],
    *,
    store: JobStore | None,
    stale_after_s: float,
    queued: Mapping[str, Any],
    refused: Mapping[str, Any],
    run_in_app: Callable[[Callable[[], None]], None] | None = None,
) -> dict[str, Any]:
    """Find or start ``job``; its status.

    ``build(store)`` is the work, run on the build thread (inside ``run_in_app``, the caller's
    Flask app context, when given) with the store the claim was made in. ``queued`` are the
    fields of a job waiting to start (progress at zero), ``refused`` those of a job the full
    queue turned away.
    """
    chosen = store
    store = writable_store(store)
    current = records.status(job, chosen)
    # A finished file (still in the cache) or a build under way is the answer as it is.
    if records.usable(current, job, stale_after_s, chosen):
        assert current is not None
        return current
    # Only one worker anywhere builds a job: the claim is an atomic add in the shared cache.
    claim_s = int(stale_after_s)
    claimed_it = store.add(records.claim_key(job), time.time(), timeout=claim_s)
    if not claimed_it and chosen is None and not cache_available():
        # The claim is what found the shared cache down: build in this process instead.
        store = local_store()
        claimed_it = store.add(records.claim_key(job), time.time(), timeout=claim_s)
    if not claimed_it:
        claimed = records.status(job, store)
        if claimed is None:  # another worker claimed it a moment ago and is about to say so
            return {"job": job, "state": "queued", "done": 0, "total": queued.get("total", 0)}
        if claimed.get("state") in ("queued", "running") and not stale(claimed, stale_after_s):
            return claimed
        # The claim outlived its build (a worker died): take the job over.
        store.set(records.claim_key(job), time.time(), timeout=claim_s)
    # How many builds of this process this one waits for: the page says "waiting" only when
    # there are some, "starting" otherwise (the build thread picks it up at once).
    waiting = records.save(
        store, job, identity, state="queued", **queued, ahead=build_worker.pending()
    )
    claimed_store = store

    def task() -> None:
        work = lambda: build(claimed_store)  # noqa: E731
        if run_in_app is None:
            work()
        else:
            run_in_app(work)

    if not build_worker.submit(task):
        store.delete(records.claim_key(job))
        return records.save(store, job, identity, state="error", **refused)
    return waiting


#: Saves the job's progress: keyword fields of a "running" status.
SaveProgress = Callable[..., None]


def run(
    records: JobRecords,
    store: JobStore,
    job: str,
    identity: Mapping[str, Any],
    build: Callable[[SaveProgress], tuple[bytes, dict[str, Any]]],
    failure: Callable[[Exception], dict[str, Any]],
) -> None:
    """A build's life: ``build(save_progress)`` returns the file and the fields of its
    "done" status; an exception becomes an "error" status with ``failure(error)``'s fields.
    The claim is released however it ends."""

    def save_progress(**fields: Any) -> None:
        records.save(store, job, identity, state="running", **fields)

    try:
        body, done = build(save_progress)
    except Exception as error:
        records.save(store, job, identity, state="error", **failure(error))
    else:
        store.set(records.result_key(job), body, timeout=records.timeout_s)
        records.save(store, job, identity, state="done", **done)
    finally:
        store.delete(records.claim_key(job))


class BuildWorker:
    """One build thread per process, created on first use (and anew after a fork)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pid: int | None = None
        self._waiting = 0

    def pending(self) -> int:
        """Builds this process has running or waiting now (a new one waits for all of them)."""
        with self._lock:
            if self._executor is None or self._pid != os.getpid():
                return 0
            return self._waiting

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


build_worker = BuildWorker()
