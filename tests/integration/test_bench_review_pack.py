"""bench/review_pack.py's code path on the demo store, so that the benchmark cannot rot: one
pack built and its steps timed. No figure is checked: speed is the benchmark's to print."""

from __future__ import annotations

from bench import review_pack
from dashboard.infra import db
from tests.demo_stores import DemoStores


def test_the_review_pack_benchmark_builds_a_pack_and_times_its_steps(
    tmp_path, demo_stores: DemoStores, capsys
):
    url = demo_stores.sqlite_copy(tmp_path / "demo.sqlite3")
    try:
        marks = review_pack.build_once(url, "en", {})
    finally:
        db.get_engine(url).dispose()
    assert set(marks) == {"view", "first chart", "charts", "print", "total"}
    assert all(seconds >= 0 for seconds in marks.values())
    assert marks["total"] >= marks["view"]
    assert " pages, " in capsys.readouterr().out
