"""The shared machinery of background builds (review packs and page ZIPs): status records,
the claim, a build's life, and rendering many images at once."""

from __future__ import annotations

import threading
import time

import pytest
from cachelib import SimpleCache

from dashboard.infra import exports
from dashboard.web import background_jobs
from dashboard.web.background_jobs import JobRecords

RECORDS = JobRecords("test-job", "bin", 60)
JOB = "0123456789abcdef01234567"


def wait_until_finished(store: SimpleCache, limit_s: float = 10) -> dict:
    deadline = time.monotonic() + limit_s
    while True:
        found = RECORDS.status(JOB, store)
        if found is not None and found["state"] in ("done", "error"):
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.01)


def test_a_status_names_its_job_and_request_and_is_read_back():
    store = SimpleCache()
    saved = RECORDS.save(store, JOB, {"path": "/agency/dmv", "lang": "es"}, state="running", done=2)
    assert saved["job"] == JOB and saved["path"] == "/agency/dmv" and saved["done"] == 2
    assert RECORDS.status(JOB, store) == saved
    assert RECORDS.status("not-a-job", store) is None
    assert RECORDS.file(JOB, store) is None


def test_a_build_is_started_once_then_joined_then_served():
    store = SimpleCache()
    gate = threading.Event()
    builds: list[str] = []

    def build(claimed: SimpleCache) -> None:
        def work(save_progress):  # type: ignore[no-untyped-def]
            save_progress(done=1, total=2)
            assert gate.wait(10)
            builds.append("built")
            return b"the file", {"done": 2, "total": 2, "size": 8}

        background_jobs.run(RECORDS, claimed, JOB, {"lang": "en"}, work, lambda e: {})

    def start() -> dict:
        return background_jobs.start(
            RECORDS,
            JOB,
            {"lang": "en"},
            build,
            store=store,
            stale_after_s=60,
            queued={"done": 0, "total": 1},
            refused={"error": "busy"},
        )

    first = start()
    assert first["state"] == "queued" and first["total"] == 1 and first["lang"] == "en"
    # A second request while it runs joins the same job: no second build.
    assert start()["state"] in ("queued", "running")
    gate.set()
    done = wait_until_finished(store)
    assert done["state"] == "done" and done["size"] == 8
    assert RECORDS.file(JOB, store) == b"the file"
    assert store.get(RECORDS.claim_key(JOB)) is None  # the claim is released
    assert start()["state"] == "done"  # a finished file is the answer as it is
    assert builds == ["built"]


def test_a_failed_build_says_why_and_releases_its_claim():
    store = SimpleCache()
    store.add(RECORDS.claim_key(JOB), 1.0)

    def work(save_progress):  # type: ignore[no-untyped-def]
        raise ValueError("no figures")

    background_jobs.run(
        RECORDS, store, JOB, {"lang": "en"}, work, lambda error: {"error": str(error)}
    )
    found = RECORDS.status(JOB, store)
    assert found is not None and found["state"] == "error" and found["error"] == "no figures"
    assert store.get(RECORDS.claim_key(JOB)) is None
    assert not RECORDS.usable(found, JOB, 60, store)


def test_a_status_no_longer_updated_is_stale():
    old = {"state": "running", "updated_at": time.time() - 120}
    assert background_jobs.stale(old, 60)
    assert not background_jobs.stale({**old, "state": "done"}, 60)
    assert not background_jobs.stale({**old, "updated_at": time.time()}, 60)


def test_render_ahead_runs_at_once_and_hands_back_each_result_by_key():
    running, most = 0, 0
    lock = threading.Lock()

    def render(key: int) -> bytes:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        if key == 3:
            raise exports.ExportError("broken")
        return str(key).encode()

    with exports.RenderAhead(list(range(6)), render, workers=2) as ahead:
        assert [ahead.get(key) for key in (2, 0, 1)] == [b"2", b"0", b"1"]
        with pytest.raises(exports.ExportError, match="broken"):
            ahead.get(3)
    assert most == 2  # two tabs busy, never more


def test_the_content_cache_keeps_the_last_images_within_its_bound():
    cache = exports._ContentCache(limit=100)
    cache.put("a", b"x" * 20)
    cache.put("b", b"y" * 20)
    assert cache.get("a") == b"x" * 20  # "a" is now the most recent
    for key in "cdef":
        cache.put(key, b"z" * 20)
    assert cache.get("b") is None  # the least recently used went first
    assert cache.get("a") is not None
    cache.put("huge", b"h" * 90)  # more than a quarter of the bound: not kept
    assert cache.get("huge") is None


def test_a_figure_drawn_before_comes_from_the_content_cache(monkeypatch):
    drawn: list[str] = []

    def render(figure, fmt, **size):  # type: ignore[no-untyped-def]
        drawn.append(fmt)
        return f"{fmt} of {figure['layout']['title']}".encode()

    monkeypatch.setattr(exports, "render_figure", render)
    exports.forget_rendered()
    figure = {"data": [], "layout": {"title": "Parks"}}
    first = exports.render_figure_cached(figure, "svg", width=100, height=50)
    again = exports.render_figure_cached({**figure}, "svg", width=100, height=50)
    other_size = exports.render_figure_cached(figure, "svg", width=200, height=50)
    changed = {"data": [], "layout": {"title": "Roads"}}
    assert exports.render_figure_cached(changed, "svg", width=100, height=50) == b"svg of Roads"
    assert first == again == other_size == b"svg of Parks"
    assert drawn == ["svg", "svg", "svg"]  # the same figure and size: drawn once
    exports.forget_rendered()
