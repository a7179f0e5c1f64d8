"""The page ZIP job's pure parts: its name, its request, and waiting for it with a clock."""

from __future__ import annotations

from cachelib import SimpleCache

from dashboard.web import export_jobs
from dashboard.web.export_jobs import ZipRequest
from layouts.page_zip import still_text


def test_a_job_is_named_by_what_its_zip_holds():
    request = ZipRequest.of("/agency/dmv", {"lang": "es", "period": "FY2026"})
    same = ZipRequest.of("/agency/dmv", {"period": "FY2026", "lang": "es"})
    name = export_jobs.job_id(request, "v1", "2026-11-30", "https://x")
    assert export_jobs.is_job(name) and name == export_jobs.job_id(
        same, "v1", "2026-11-30", "https://x"
    )
    assert name != export_jobs.job_id(request, "v2", "2026-11-30", "https://x")  # new data
    assert name != export_jobs.job_id(request, "v1", "2026-12-01", "https://x")  # another day
    assert name != export_jobs.job_id(request, "v1", "2026-11-30", "https://y")  # another site
    assert export_jobs.download_path(name) == f"/export-zip/{name}.zip"
    assert not export_jobs.is_job("../../etc/passwd") and not export_jobs.is_job(None)


def test_wait_returns_the_last_status_when_the_build_outlasts_it():
    store = SimpleCache()
    job = "a" * 24
    store.set(f"export-zip:status:{job}", {"job": job, "state": "running", "done": 2, "total": 9})
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    found = export_jobs.wait(job, 1.0, store=store, sleep=sleep, clock=lambda: now[0])
    assert found is not None and found["state"] == "running" and found["done"] == 2
    assert 4 <= len(slept) <= 6  # polled until the limit, not forever
    store.set(f"export-zip:status:{job}", {"job": job, "state": "done"})
    assert export_jobs.wait(job, 1.0, store=store, sleep=sleep)["state"] == "done"
    assert export_jobs.wait("b" * 24, 1.0, store=store, sleep=sleep) is None  # gone
    assert (
        still_text("es") == "El ZIP todavía se está preparando. Vuelva a intentarlo en un minuto."
    )
