"""A worker's memory over page views: does it stay flat once the pages are warm?

    python bench/memory.py [--views 1000] [--every 100] [--database-url URL]
                           [--cache simple|filesystem|redis] [--redis-url URL] [--threads 4]

Starts gunicorn on 127.0.0.1 (one worker of ``--threads`` threads: the one process whose
memory is read) on a store (``--database-url``, default a new SQLite demo store), then makes
``--views`` page views, each what a browser sends for a page: ``GET`` of the page's URL (the
HTML shell) and the router callback's ``POST /_dash-update-component`` that draws it. The
views go round a fixed pool of URLs (shuffled, seeded) over every page kind: home, each
agency, ``--services`` services (24, spread over the agencies), review, changes, methodology
and data, in English and Spanish, and
query variants (period, metric, segment, sort...) read from the links the pages themselves
draw. It prints the worker's resident memory (``VmRSS`` of ``/proc/<pid>/status``) after 0,
``--every``, 2 x ``--every``... views, and the growth from 200 views to the last.

The cache is what ``cxdash serve`` gets with no cache configured (``simple``: in the
worker's own memory, so it counts here) unless ``--cache`` says otherwise (``filesystem``
in a temporary folder; ``redis`` under a key prefix of its own, deleted after). Limits are
off (one client makes every request). It prints figures and never fails on one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

# Run as a script, Python puts bench/ first on the import path, where bench/callbacks.py would
# hide the project's ``callbacks`` package: import from the repository root instead.
if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.demo_store import REPO_ROOT, create_demo_store
from bench.load import ACCEPT_ENCODING, Request, delete_keys, free_port, router_body, wait_until_up

#: The query parameters a varied URL may carry (the pages' own, ``lang`` apart).
VARIED = ("period", "metric", "segment", "sort", "dim", "status", "fy", "page", "agency")
#: Query variants read from each base page's links (at most).
VARIANTS_PER_PAGE = 4
LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class View:
    """A page view: its path and query string ("" or "?...")."""

    path: str
    search: str = ""

    @property
    def url(self) -> str:
        return self.path + self.search


def base_pages(database_url: str, services: int) -> list[str]:
    """Every page kind's paths: home, review, changes, methodology, data, each agency, and
    ``services`` services taken evenly from all of them (a big store has hundreds)."""
    from dashboard.gateway import queries
    from dashboard.infra import db

    agencies = queries.list_agencies(database_url)
    db.dispose_all()
    paths = ["/", "/review", "/changes", "/methodology", "/data"]
    every_service: list[str] = []
    for agency in agencies:
        paths.append(f"/agency/{agency['slug']}")
        every_service.extend(f"/agency/{agency['slug']}/{s['slug']}" for s in agency["services"])
    step = max(1, len(every_service) // max(1, services))
    return paths + every_service[::step][:services]


def with_language(search: str, language: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(search.lstrip("?")) if k != "lang"]
    if language != "en":
        pairs.append(("lang", language))
    from urllib.parse import urlencode

    text = urlencode(pairs)
    return f"?{text}" if text else ""


_LINK = re.compile(r'"href":\s*"(/[^"]*\?[^"]*)"')


def linked_variants(answer: bytes, path: str) -> list[str]:
    """Query strings of the links an answer draws to ``path`` itself with varied
    parameters (a period, a metric...)."""
    text = json.dumps(json.loads(answer))  # Plotly's JSON writes "/" as \u002f
    found: list[str] = []
    for link in _LINK.findall(text):
        parts = urlsplit(link)
        if parts.path != path:
            continue
        names = {name for name, _value in parse_qsl(parts.query)}
        if names and names <= {*VARIED, "lang"} and names & set(VARIED):
            search = with_language("?" + parts.query, "en")
            if search and search not in found:
                found.append(search)
    return found


def pool_of_views(client: Client, paths: list[str], seed: int) -> list[View]:
    """The URLs the views go round: each path in each language, and up to
    :data:`VARIANTS_PER_PAGE` query variants of each path in each language."""
    views: list[View] = []
    for path in paths:
        variants = [""]
        status, answer = client.navigate(path, "")
        if status == 200:
            variants += linked_variants(answer, path)[:VARIANTS_PER_PAGE]
        for search in variants:
            views.extend(View(path, with_language(search, lang)) for lang in LANGUAGES)
    random.Random(seed).shuffle(views)
    return views


class Client:
    """One keep-alive connection, sending what a browser sends for a page view."""

    def __init__(self, port: int) -> None:
        import http.client

        self.port = port
        self._http = http.client
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def send(self, request: Request) -> tuple[int, bytes]:
        headers = {"Accept-Encoding": "identity", **request.headers}
        for attempt in (1, 2):
            try:
                self._connection.request(request.method, request.path, request.body, headers)
                response = self._connection.getresponse()
                body = response.read()
                if response.will_close:
                    self._reconnect()
                return response.status, body
            except (OSError, self._http.HTTPException):
                self._reconnect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _reconnect(self) -> None:
        self._connection.close()
        self._connection = self._http.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def navigate(self, path: str, search: str) -> tuple[int, bytes]:
        body = router_body(path, search)
        return self.send(
            Request(
                "POST",
                "/_dash-update-component",
                body,
                {"Content-Type": "application/json"},
            )
        )

    def view(self, view: View) -> tuple[int, int]:
        """(status of the HTML, status of the page data); compressed as a browser asks."""
        html = self.send(Request("GET", view.url, None, {"Accept-Encoding": ACCEPT_ENCODING}))
        body = router_body(view.path, view.search)
        data = self.send(
            Request(
                "POST",
                "/_dash-update-component",
                body,
                {"Content-Type": "application/json", "Accept-Encoding": ACCEPT_ENCODING},
            )
        )
        return html[0], data[0]

    def close(self) -> None:
        self._connection.close()


# -- the worker --------------------------------------------------------------------------


def worker_pid(master: int) -> int:
    """The one worker gunicorn forked (``/proc/<master>/task/<master>/children``)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("gunicorn started no worker")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for process {pid}")


@contextmanager
def server(database_url: str, folder: Path, args: argparse.Namespace) -> Iterator[tuple[int, int]]:
    """gunicorn (1 worker) serving the store: (port, the worker's pid); stopped after."""
    port = free_port()
    prefix = f"cxdash-bench-mem-{secrets.token_hex(6)}:"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CACHE_", "PAGE_RATE", "API_RATE", "EXPORT_RATE", "TRUSTED_"))
    }
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        SESSION_COOKIE_SECURE="false",
        CACHE_KEY_PREFIX=prefix,
        PAGE_RATE_LIMIT="0",
        API_RATE_LIMIT="0",
    )
    if args.cache == "redis":
        env.update(CACHE_TYPE="redis", CACHE_REDIS_URL=args.redis_url)
    elif args.cache == "filesystem":
        env.update(CACHE_TYPE="filesystem", CACHE_DIR=str(folder / f"cache-{port}"))
    else:
        env.update(CACHE_TYPE="simple")
    log = (folder / f"gunicorn-{port}.log").open("w")
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        str(args.threads),
        "--timeout",
        "600",
        "bench.load:wsgi_app()",
    ]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(port, process)
        yield port, worker_pid(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        if args.cache == "redis":
            delete_keys(args.redis_url, prefix)


# -- the run -------------------------------------------------------------------------------


@dataclass
class Run:
    #: (views made, RSS in MiB) at each reading.
    readings: list[tuple[int, float]]
    pool: int
    statuses: dict[str, int]
    seconds: float

    def growth(self, since: int = 200) -> float | None:
        """MiB gained from the reading at ``since`` views to the last."""
        at = dict(self.readings)
        if since not in at or not self.readings:
            return None
        return self.readings[-1][1] - at[since]


def measure(database_url: str, folder: Path, args: argparse.Namespace) -> Run:
    paths = base_pages(database_url, args.services)
    with server(database_url, folder, args) as (port, pid):
        client = Client(port)
        try:
            readings = [(0, rss_mib(pid))]
            pool = pool_of_views(client, paths, args.seed)
            # The pool was drawn in English by the same worker: read again, as view 0.
            readings = [(0, rss_mib(pid))]
            statuses: dict[str, int] = {}
            began = time.perf_counter()
            for done in range(1, args.views + 1):
                html, data = client.view(pool[(done - 1) % len(pool)])
                for status in (f"html {html}", f"data {data}"):
                    statuses[status] = statuses.get(status, 0) + 1
                if done % args.every == 0 or done == args.views:
                    readings.append((done, rss_mib(pid)))
                    if args.progress:
                        print(f"  {done} views: {readings[-1][1]:.1f} MiB", flush=True)
            seconds = time.perf_counter() - began
        finally:
            client.close()
    return Run(readings, len(pool), statuses, seconds)


def report(run: Run) -> str:
    lines = [f"{'views':>6} {'RSS MiB':>8}"]
    lines += [f"{views:>6} {rss:>8.1f}" for views, rss in run.readings]
    growth = run.growth()
    shown = " ".join(f"{name}:{count}" for name, count in sorted(run.statuses.items()))
    last = run.readings[-1][0]
    lines.append(
        f"growth from 200 to {last} views: "
        + (f"{growth:+.1f} MiB" if growth is not None else "n/a (fewer than 200 views)")
    )
    lines.append(f"{run.pool} distinct URLs in the pool; {run.seconds:.0f} s; statuses {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--views", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100, help="read the RSS every N views")
    parser.add_argument("--database-url", help="an existing store (default: a new demo)")
    parser.add_argument("--cache", choices=("simple", "filesystem", "redis"), default="simple")
    parser.add_argument("--redis-url", help="with --cache redis (keys under a prefix of their own)")
    parser.add_argument("--threads", type=int, default=4, help="threads of the one worker")
    parser.add_argument("--services", type=int, default=24, help="service pages in the pool")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--progress", action="store_true", help="print each reading as it comes")
    args = parser.parse_args(argv)
    if args.cache == "redis" and not args.redis_url:
        parser.error("--cache redis needs --redis-url")

    with tempfile.TemporaryDirectory(prefix="cxdash-memory-") as temporary:
        folder = Path(temporary)
        database_url = args.database_url or create_demo_store(folder)
        store = database_url.rsplit("/", 1)[-1] if database_url.startswith("sqlite") else "PG"
        print(
            f"{args.views} page views (GET of the page and its router callback) on one gunicorn "
            f"worker of {args.threads} threads; cache {args.cache}; store {store}",
            flush=True,
        )
        run = measure(database_url, folder, args)
        print(report(run), flush=True)


if __name__ == "__main__":
    main()
