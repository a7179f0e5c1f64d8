"""The open-data API against datasette on one SQLite file of N observations.

    python bench/api.py                          # 1M observations, 5 runs
    python bench/api.py --n 100k --runs 9
    python bench/api.py --store /tmp/api-1M.sqlite3   # build it once, then reuse it
    python bench/api.py --datasette /tmp/dsvenv/bin/datasette

The store is bench/scale.py's (the schema, the demo, then N generated published observations
in the issue's shape), written to a temporary file unless ``--store`` names one (built there
when missing, reused when present). Three queries, each through cxdash's Flask app (Flask's
test client in this process: server time, no socket) and, when a datasette is found, through
datasette serving the very same file (a subprocess on 127.0.0.1; its time is one HTTP round
trip on a kept-alive connection, so it includes the loopback, well under a millisecond):

- filtered: the observations of one service and one metric, 100 rows
  (cxdash ``?unit=&metric=&limit=100``; datasette ``?unit_id=&metric_id=&_size=100``);
- deep by offset: 100 rows 90% into the published observations, or as deep as cxdash's
  bounded ``?offset=`` goes (``MAX_OFFSET``) when that is less (datasette has none: its
  ``_next`` is the keyset way, below). An offset is linear by nature: cxdash steps over the
  index entries before the page (``ix_observations_api_page``, no table row read), where a
  cursor seeks; its ``next`` links carry a cursor, the constant-time way;
- deep by cursor: 100 rows 90% in (cxdash the ``cursor`` a client following its next links
  holds there; datasette ``?_next=`` the rowid 90% in, as its own next links carry).

cxdash is timed three ways, medians of ``--runs``: **cold** (its cache emptied before each
request: the published-data status, the parameter lookups, the total count and the page all
computed), **next page** (a page not asked before, its filters' count and lookups cached: what a
client walking the pages meets; successive pages), and **warm** (the same answer again). Datasette
caches no answer: its first request and the median of the following ones are printed.

datasette is no dependency of the project: install it apart (``python3 -m venv /tmp/dsvenv &&
/tmp/dsvenv/bin/pip install datasette``) and pass its path, or leave it out to time cxdash
alone.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

# Run as a script, Python puts bench/ first on the import path, where bench/callbacks.py would
# hide the project's ``callbacks`` package: import from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import select  # noqa: E402

from bench.scale import PREFIX, build_store, cursor_at, parse_size, size_label  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from dashboard.infra import db  # noqa: E402
from dashboard.infra.models import Metric, Observation, Unit  # noqa: E402
from dashboard.open_data.parameters import MAX_OFFSET  # noqa: E402

API = "/api/v1/observations"
DATASETTE_CANDIDATES = ("/tmp/dsvenv/bin/datasette",)
#: The queries, in the table's order.
QUERIES = {
    "filtered": "filtered: 1 unit, 1 metric, 100 rows",
    "offset": "deep by offset (at most MAX_OFFSET in; datasette: _next 90% in)",
    "cursor": "deep by cursor: 90% in (datasette: _next)",
}


@dataclass(frozen=True)
class Row:
    cold_ms: float | None = None
    next_ms: float | None = None
    warm_ms: float | None = None
    datasette_first_ms: float | None = None
    datasette_ms: float | None = None


def _ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class Subject:
    """What is asked: one service and metric with data, the published total, and the rowid
    90% into the table (datasette's keyset)."""

    unit_slug: str
    unit_id: int
    metric_code: str
    metric_id: int
    deep_rowid: int
    rows: int


def subject(url: str) -> Subject:
    with db.session_scope(url) as session:
        filtered = (
            select(Unit.slug, Unit.id, Metric.code, Metric.id)
            .join(Observation, Observation.unit_id == Unit.id)
            .join(Metric, Metric.id == Observation.metric_id)
            .order_by(Observation.id.desc())
            .limit(1)
        )
        # A generated service; on a tiny store (CI's) the generated rows may all be the
        # demo's services'.
        unit_slug, unit_id, metric_code, metric_id = (
            session.execute(
                filtered.where(Unit.kind == "service", Unit.slug.like(f"{PREFIX}-%"))
            ).one_or_none()
            or session.execute(filtered.where(Unit.kind == "service")).one()
        )
        rows = session.scalar(select(Observation.id).order_by(Observation.id.desc()).limit(1))
        deep = session.scalar(
            select(Observation.id).order_by(Observation.id).offset(int((rows or 0) * 0.9)).limit(1)
        )
    return Subject(unit_slug, unit_id, metric_code, metric_id, deep or 0, rows or 0)


# -- cxdash ---------------------------------------------------------------------------------


def time_cxdash(url: str, runs: int, target: Subject) -> dict[str, Row]:
    from dashboard.infra.cache import cache
    from dashboard.web.factory import create_app

    app = create_app(
        Settings(
            database_url=url,
            cache_type="simple",
            secret_key="bench",
            api_rate_limit=0,
            page_rate_limit=0,
        )
    )
    client = app.server.test_client()

    def get(path: str) -> dict[str, Any]:
        response = client.get(path, headers={"Accept-Encoding": "identity"})
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}: {response.get_data()[:300]!r}")
        return response.get_json()

    def clear() -> None:
        with app.server.app_context():
            cache.clear()

    total = get(f"{API}?limit=1")["meta"]["total"]
    # As deep as an offset may go (the API bounds it); the cursor goes 90% in.
    deep_offset = min(int(total * 0.9), MAX_OFFSET)
    filtered = f"{API}?{urlencode({'unit': target.unit_slug, 'metric': target.metric_code})}"
    filtered += "&limit=100"
    offset_path = f"{API}?limit=100&offset={deep_offset}"
    cursor_path = f"{API}?limit=100&cursor={cursor_at(url, int(total * 0.9))}"
    results: dict[str, Row] = {}
    for name, path in (("filtered", filtered), ("offset", offset_path), ("cursor", cursor_path)):
        get(path)  # one-off costs: imports, connections, the file's pages read once
        cold = []
        for _ in range(runs):
            clear()
            cold.append(_ms(lambda path=path: get(path))[0])
        # Pages not asked before, the count and lookups cached: successive next pages (the
        # offset ones by offset), as a client walking from here meets them.
        clear()
        body = get(path)
        nexts = []
        for step in range(1, runs + 1):
            if name in ("cursor", "filtered"):
                link = body["meta"]["links"]["next"]
                if link is None:
                    break
                elapsed, body = _ms(lambda link=link: get(_local(link)))
            else:
                elapsed, body = _ms(
                    lambda step=step: get(f"{API}?limit=100&offset={deep_offset - 100 * step}")
                )
            nexts.append(elapsed)
        get(path)
        warm = [_ms(lambda path=path: get(path))[0] for _ in range(runs)]
        results[name] = Row(
            cold_ms=statistics.median(cold),
            next_ms=statistics.median(nexts) if nexts else None,
            warm_ms=statistics.median(warm),
        )
    return results


# -- datasette ------------------------------------------------------------------------------


def find_datasette(given: str | None) -> str | None:
    for candidate in (given, *DATASETTE_CANDIDATES, shutil.which("datasette")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def datasette(executable: str, path: Path) -> Iterator[tuple[http.client.HTTPConnection, str]]:
    """datasette serving ``path`` (read-only, immutable: no change checks), and a connection."""
    port = _free_port()
    process = subprocess.Popen(
        [executable, "serve", "-i", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode() if process.stderr else ""
                    raise SystemExit(f"datasette did not start: {error[-2000:]}") from None
                time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        yield connection, path.stem
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def time_datasette(executable: str, path: Path, runs: int, target: Subject) -> dict[str, Row]:
    with datasette(executable, path) as (connection, database):

        def get(query: dict[str, Any]) -> dict[str, Any]:
            connection.request("GET", f"/{database}/observations.json?{urlencode(query)}")
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"datasette {query}: HTTP {response.status}: {body[:300]!r}")
            return json.loads(body)

        filtered = {"unit_id": target.unit_id, "metric_id": target.metric_id, "_size": 100}
        deep = {"_size": 100, "_next": target.deep_rowid}
        results: dict[str, Row] = {}
        for name, query in (("filtered", filtered), ("offset", deep)):
            first = _ms(lambda query=query: get(query))[0]
            rest = [_ms(lambda query=query: get(query))[0] for _ in range(runs)]
            results[name] = Row(datasette_first_ms=first, datasette_ms=statistics.median(rest))
        # Where datasette's own next link leads from the deep page.
        following = get(deep).get("next_url") or ""
        after = parse_qs(urlsplit(following).query).get("_next", [str(target.deep_rowid + 100)])
        cursor = {"_size": 100, "_next": after[0]}
        first = _ms(lambda: get(cursor))[0]
        rest = [_ms(lambda: get(cursor))[0] for _ in range(runs)]
        results["cursor"] = Row(datasette_first_ms=first, datasette_ms=statistics.median(rest))
    return results


# -- the report -----------------------------------------------------------------------------


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f}"


def table(cxdash: dict[str, Row], others: dict[str, Row] | None) -> str:
    header = ["query", "cxdash cold", "cxdash next page", "cxdash warm"]
    if others is not None:
        header += ["datasette first", "datasette median"]
    lines = [header, ["---"] * len(header)]
    for key, label in QUERIES.items():
        row = cxdash[key]
        line = [label, _cell(row.cold_ms), _cell(row.next_ms), _cell(row.warm_ms)]
        if others is not None:
            line += [_cell(others[key].datasette_first_ms), _cell(others[key].datasette_ms)]
        lines.append(line)
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=parse_size, default=parse_size("1M"), metavar="N")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", type=Path, default=None, help="SQLite file (kept)")
    parser.add_argument("--datasette", default=None, help="datasette executable")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cxdash-api-bench-") as tmp:
        path = args.store or Path(tmp) / f"api-{size_label(args.n)}.sqlite3"
        url = f"sqlite:///{path}"
        if not path.exists():
            started = time.perf_counter()
            report = build_store(url, args.n)
            print(
                f"store of {report.published:,} published observations built in "
                f"{time.perf_counter() - started:.1f} s: {path}",
                flush=True,
            )
        target = subject(url)
        print(
            f"{target.rows:,} observations; filtered on {target.unit_slug} / {target.metric_code}"
        )
        started = time.perf_counter()
        cxdash = time_cxdash(url, args.runs, target)
        db.dispose_all()
        print(f"cxdash timed in {time.perf_counter() - started:.1f} s", flush=True)
        executable = find_datasette(args.datasette)
        others = None
        if executable is None:
            print("datasette not found (see the docstring): cxdash alone")
        else:
            started = time.perf_counter()
            others = time_datasette(executable, path, args.runs, target)
            print(f"datasette timed in {time.perf_counter() - started:.1f} s")
        print(f"\nServer time per request, ms (median of {args.runs}; N = {target.rows:,})")
        print(table(cxdash, others))


if __name__ == "__main__":
    main()
