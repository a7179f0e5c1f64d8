"""bench/load.py and bench/memory.py on a small store, so that the benchmarks cannot rot.

Each starts gunicorn on 127.0.0.1 like the benchmark does. No figure is checked (speed and
memory are the benchmarks' to print); what is checked: every answer was a 200, the baseline
sent cxdash's captured bytes back, and each table has its rows.
"""

from __future__ import annotations

import re

import pytest

from bench import load, memory


def test_the_load_benchmark_runs_warm_beside_its_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = "--seconds 0.5 --connections 2 --scenarios warm --routes home callback"
    load.main(argv.split())
    out = capsys.readouterr().out
    for route in ("home", "callback"):
        assert re.search(rf"^warm +{route} +\d+ .*  200:\d+$", out, re.M), out
        assert re.search(rf"^baseline +{route} +\d+ .*  200:\d+$", out, re.M), out
        # cxdash req/s, baseline req/s, the ratio, p50/p99 of each, the p50 ratio, same bytes
        row = rf"^{route} +[\d.]+ +[\d.]+ +[\d.]+ +\d+/\d+ +\d+/\d+ +[\d.]+  yes$"
        assert re.search(row, out, re.M), out


def test_the_baseline_app_answers_with_the_captured_bytes(tmp_path, monkeypatch) -> None:
    answers = [
        load.Captured("GET", "/", 200, [("Content-Type", "text/html"), ("X-A", "1")], b"<p>"),
        load.Captured(
            "POST",
            "/_dash-update-component",
            200,
            [("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
            b"\x1f\x8b zipped",
        ),
    ]
    file = tmp_path / "answers.json"
    load.write_answers(answers, file)
    monkeypatch.setenv("BENCH_BASELINE_ANSWERS", str(file))
    client = load.baseline_app().test_client()
    home = client.get("/")
    assert home.get_data() == b"<p>" and home.headers["X-A"] == "1"
    assert home.headers["Content-Type"] == "text/html"
    posted = client.post("/_dash-update-component", data=b"{}")
    assert posted.get_data() == b"\x1f\x8b zipped"
    assert posted.headers["Content-Encoding"] == "gzip"
    assert client.get("/healthz").status_code == 200
    assert client.get("/other").status_code == 404


def test_the_memory_benchmark_reads_the_workers_memory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    memory.main(["--views", "20", "--every", "10"])
    out = capsys.readouterr().out
    assert [int(n) for n in re.findall(r"^ +(\d+) +[\d.]+$", out, re.M)] == [0, 10, 20]
    assert "growth from 200 to 20 views: n/a" in out
    assert re.search(r"statuses data 200:20 html 200:20$", out, re.M), out
