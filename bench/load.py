"""A bounded load run against a real server: throughput, latency and status codes per route.

    python bench/load.py [--connections 50] [--seconds 30] [--scenarios warm cold limited]
                         [--routes home callback api download] [--workers 2] [--threads 4]
                         [--page-limit 60] [--api-limit 60] [--redis-url URL] [--no-baseline]

Starts gunicorn on 127.0.0.1 (a free port; 2 workers of 4 threads, as ``cxdash serve``) on a
new SQLite demo store, and for each scenario and route keeps ``--connections`` keep-alive
connections busy for ``--seconds``, each sending its next request as soon as the previous
answer is in. It prints requests per second, the 50th and 99th percentile latency and the
status codes (and timeouts, connection errors) per route. Scenarios, each a server of its own:

- ``warm``: the page-data cache is on and warmed (each route asked once first), no limits;
- ``cold``: the cache is off (a NullCache: every request builds its answer from the store);
- ``limited``: the cache warm and low per-client limits (``--page-limit``, ``--api-limit``
  a minute): all connections come from one address, as a flood from one client would, and
  the excess is answered 429 at once instead of queueing into timeouts.

Routes: ``home`` (GET /, the page shell), ``callback`` (the router's POST for an agency page,
what a navigation sends), ``api`` (GET /api/v1/observations for one unit), ``download``
(an agency chart's CSV). The cache is the filesystem one (shared by the workers, as Redis is
in production) unless ``--redis-url`` names a Redis (keys under a prefix of their own, deleted
after). The client is threads and ``http.client`` in this process: on a 2-core machine it takes
CPU from the server too, so these are figures for comparing runs, not the server's ceiling.

The baseline (with the warm scenario, unless ``--no-baseline``): what the machine, gunicorn and
this client do with no application at all. Each warm route's answer is captured from cxdash
(status, body and headers, compressed as it was for this client's ``Accept-Encoding``), then
a minimal Flask app (``bench.load:baseline_app()``) that answers each route with those very
bytes and headers is served by gunicorn with the same workers, threads and backlog, and
driven the same way, once cxdash's server is stopped. The last table sets the two side by
side: req/s, p50 and p99 of each, and the ratios (baseline req/s over cxdash's; cxdash's p50
over the baseline's). It is a benchmark: it prints the figures and never fails on one.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script, Python puts bench/ first on the import path, where bench/callbacks.py would
# hide the project's ``callbacks`` package: import from the repository root instead.
if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.demo_store import REPO_ROOT, create_demo_store
from tests.components import router_request

SCENARIOS = ("warm", "cold", "limited")
ROUTES = ("home", "callback", "api", "download")
#: What Chromium accepts: the server compresses as it would for a browser.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
#: Answers that refuse the request for now.
REFUSED = ("429", "busy")
#: A request still unanswered after this long counts as a timeout.
CLIENT_TIMEOUT_S = 30.0


def wsgi_app():  # type: ignore[no-untyped-def]
    """gunicorn's entry point for the bench (``bench.load:wsgi_app()``): the app as
    ``app.py`` builds it, with the page-data cache turned off when BENCH_CACHE_OFF=1."""
    from dashboard.web import factory

    if os.environ.get("BENCH_CACHE_OFF") == "1":
        # A NullCache stores nothing: every read is a miss (and every limit counter too,
        # which is why the cold scenario runs without limits).
        factory.cache_config = lambda settings: {"CACHE_TYPE": "NullCache"}  # type: ignore[assignment]
    return factory.create_app().server


#: Response headers the baseline does not copy: gunicorn and Werkzeug write their own.
_FRAMING_HEADERS = {"content-length", "date", "server", "connection", "transfer-encoding"}


def baseline_app():  # type: ignore[no-untyped-def]
    """gunicorn's entry point for the baseline (``bench.load:baseline_app()``): a minimal
    Flask app answering each captured route (BENCH_BASELINE_ANSWERS, a JSON file written by
    :func:`write_answers`) with the very status, headers and body cxdash sent for it."""
    import flask

    answers = json.loads(Path(os.environ["BENCH_BASELINE_ANSWERS"]).read_text())
    table = {
        (answer["method"], answer["path"]): (
            base64.b64decode(answer["body"]),
            answer["status"],
            [tuple(header) for header in answer["headers"]],
        )
        for answer in answers
    }
    app = flask.Flask("cxdash_baseline")

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path: str) -> flask.Response:
        if path == "healthz":
            return flask.Response("ok", mimetype="text/plain")
        found = table.get((flask.request.method, flask.request.path))
        if found is None:
            flask.abort(404)
        body, status, headers = found
        response = flask.Response(body, status=status)
        response.headers.clear()
        response.headers.extend(headers)
        response.content_length = len(body)
        return response

    return app


# -- the requests --------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def router_body(path: str, search: str = "") -> bytes:
    """What dash-renderer posts when a link is followed (see ``callbacks/router.py``)."""
    return json.dumps(router_request(path, search)).encode()


def routes(port: int, agency: str) -> dict[str, Request]:
    """The measured requests; the download names the first CSV the agency page links to."""
    callback = Request(
        "POST",
        "/_dash-update-component",
        router_body(f"/agency/{agency}"),
        {"Content-Type": "application/json"},
    )
    status, page = send_once(port, callback)
    # Plotly's JSON writes "/" as \u002f: read the links from the decoded answer.
    text = json.dumps(json.loads(page)) if status == 200 else ""
    links = re.findall(rf'"(/download/agency/{re.escape(agency)}/[^"?]+\.csv)', text)
    if status != 200 or not links:
        raise SystemExit(f"the agency page did not render ({status}) or links no CSV")
    return {
        "home": Request("GET", "/"),
        "callback": callback,
        "api": Request("GET", f"/api/v1/observations?unit={agency}&limit=100"),
        "download": Request("GET", links[0]),
    }


def send_once(port: int, request: Request) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT_S)
    try:
        connection.request(request.method, request.path, request.body, request.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass(frozen=True)
class Captured:
    """One answer as the measured client gets it: what the baseline sends back."""

    method: str
    path: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def capture(port: int, request: Request) -> Captured:
    """``request`` sent as :func:`hammer` sends it (compression accepted), its whole answer."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING, **request.headers}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT_S)
    try:
        connection.request(request.method, request.path, request.body, headers)
        response = connection.getresponse()
        body = response.read()
        kept = [
            (name, value)
            for name, value in response.getheaders()
            if name.lower() not in _FRAMING_HEADERS
        ]
        path = request.path.split("?", 1)[0]
        return Captured(request.method, path, response.status, kept, body)
    finally:
        connection.close()


def write_answers(answers: list[Captured], file: Path) -> None:
    file.write_text(
        json.dumps(
            [
                {
                    "method": answer.method,
                    "path": answer.path,
                    "status": answer.status,
                    "headers": answer.headers,
                    "body": base64.b64encode(answer.body).decode(),
                }
                for answer in answers
            ]
        )
    )


# -- the load ------------------------------------------------------------------------------


@dataclass
class Result:
    #: (seconds, status) of every answered request; "busy" for the router's 200 that draws
    #: the "Too many requests" page (it carries Retry-After: a refusal, like a 429).
    answers: list[tuple[float, str]] = field(default_factory=list)
    #: Requests without an answer: "timeout" or "error" (connection refused, reset).
    failures: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0


def hammer(port: int, request: Request, connections: int, seconds: float) -> Result:
    """``connections`` threads, each on its own keep-alive connection, for ``seconds``."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING, **request.headers}
    results = [Result() for _ in range(connections)]
    ready = threading.Barrier(connections + 1)
    deadline = [0.0]

    def worker(result: Result) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT_S)
        ready.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                connection.request(request.method, request.path, request.body, headers)
                response = connection.getresponse()
                response.read()
            except TimeoutError:
                result.failures["timeout"] += 1
                connection.close()
                continue
            except (OSError, http.client.HTTPException):
                result.failures["error"] += 1
                connection.close()
                continue
            status = str(response.status)
            if status == "200" and response.getheader("Retry-After"):
                status = "busy"
            result.answers.append((time.perf_counter() - began, status))
            if response.will_close:
                connection.close()
        connection.close()

    threads = [threading.Thread(target=worker, args=(r,), daemon=True) for r in results]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    ready.wait()
    for thread in threads:
        thread.join(seconds + CLIENT_TIMEOUT_S + 5)
    total = Result(elapsed=time.perf_counter() - began)
    for result in results:
        total.answers.extend(result.answers)
        total.failures.update(result.failures)
    return total


def percentile_ms(values: list[float], fraction: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000:.0f}"


def summary(result: Result) -> tuple[float, float | None, float | None]:
    """(req/s, p50 ms, p99 ms) of a run; every answer and failure counts as a request."""
    count = len(result.answers) + sum(result.failures.values())
    rate = count / result.elapsed if result.elapsed else 0.0
    latencies = sorted(seconds for seconds, _status in result.answers)
    if not latencies:
        return rate, None, None

    def at(fraction: float) -> float:
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] * 1000

    return rate, at(0.5), at(0.99)


HEADER = (
    f"{'scenario':<8} {'route':<9} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
    "  statuses"
)


def report_line(scenario: str, route: str, result: Result) -> str:
    latencies = [seconds for seconds, _status in result.answers]
    statuses = Counter(status for _seconds, status in result.answers)
    statuses.update(result.failures)
    count = sum(statuses.values())
    rate = count / result.elapsed if result.elapsed else 0.0
    shown = " ".join(f"{code}:{n}" for code, n in sorted(statuses.items()))
    refused = [seconds for seconds, status in result.answers if status in REFUSED]
    allowed = [seconds for seconds, status in result.answers if status not in REFUSED]
    if refused:
        shown += (
            f"  (refused p50/p99 {percentile_ms(refused, 0.5)}/{percentile_ms(refused, 0.99)} ms;"
            f" others {percentile_ms(allowed, 0.5)}/{percentile_ms(allowed, 0.99)} ms)"
        )
    return (
        f"{scenario:<8} {route:<9} {count:>8} {rate:>7.1f} {percentile_ms(latencies, 0.5):>7} "
        f"{percentile_ms(latencies, 0.99):>7}  {shown}"
    )


COMPARISON_HEADER = (
    f"{'route':<9} {'cxdash req/s':>12} {'baseline req/s':>14} {'x slower':>8} "
    f"{'cxdash p50/p99':>15} {'baseline p50/p99':>17} {'p50 ratio':>9}  same bytes"
)


def comparison_line(route: str, cxdash: Result, baseline: Result, same: bool) -> str:
    """One route's cxdash against the baseline: the ratios are baseline req/s over cxdash's
    ("x slower": 3.0 means cxdash answers a third as many) and cxdash's p50 over the
    baseline's."""
    rate, p50, p99 = summary(cxdash)
    base_rate, base_p50, base_p99 = summary(baseline)
    slower = f"{base_rate / rate:.2f}" if rate else "-"
    p50_ratio = f"{p50 / base_p50:.2f}" if p50 is not None and base_p50 else "-"

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    return (
        f"{route:<9} {rate:>12.1f} {base_rate:>14.1f} {slower:>8} "
        f"{ms(p50) + '/' + ms(p99):>15} {ms(base_p50) + '/' + ms(base_p99):>17} "
        f"{p50_ratio:>9}  {'yes' if same else 'NO'}"
    )


# -- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(
    database_url: str,
    folder: Path,
    args: argparse.Namespace,
    *,
    cache_off: bool = False,
    page_limit: int = 0,
    api_limit: int = 0,
    baseline_answers: Path | None = None,
) -> Iterator[int]:
    """gunicorn serving the demo on a free port; stopped (and its cache keys gone) after.
    With ``baseline_answers``, the baseline app answering those instead (same settings)."""
    port = free_port()
    prefix = f"cxdash-bench-{secrets.token_hex(6)}:"
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
        PAGE_RATE_LIMIT=str(page_limit),
        API_RATE_LIMIT=str(api_limit),
        BENCH_CACHE_OFF="1" if cache_off else "0",
    )
    if baseline_answers is not None:
        env["BENCH_BASELINE_ANSWERS"] = str(baseline_answers)
    if args.redis_url:
        env.update(CACHE_TYPE="redis", CACHE_REDIS_URL=args.redis_url)
    else:
        cache_dir = folder / f"cache-{port}"
        env.update(CACHE_TYPE="filesystem", CACHE_DIR=str(cache_dir))
    log = (folder / f"gunicorn-{port}.log").open("w")
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "bench.load:baseline_app()" if baseline_answers is not None else "bench.load:wsgi_app()",
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(port, process)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        if args.redis_url:
            delete_keys(args.redis_url, prefix)


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped while starting (see its log in the temp folder)")
        try:
            if send_once(port, Request("GET", "/healthz"))[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def delete_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=prefix.replace("*", r"\*") + "*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# -- the run -------------------------------------------------------------------------------


def first_agency(database_url: str) -> str:
    from dashboard.gateway import queries
    from dashboard.infra import db

    agencies = queries.list_agencies(database_url)
    db.dispose_all()
    if not agencies:
        raise SystemExit("the store has no agencies")
    return str(agencies[0]["slug"])


def run_scenario(
    scenario: str,
    database_url: str,
    folder: Path,
    args: argparse.Namespace,
    agency: str,
    emit: Callable[[str], None],
) -> dict[str, tuple[Request, Result, Captured]]:
    """Each route driven for ``args.seconds``; per route of a warm run, (the request, its
    result, its answer as captured for the baseline)."""
    limited = scenario == "limited"
    options = {
        "cache_off": scenario == "cold",
        "page_limit": args.page_limit if limited else 0,
        "api_limit": args.api_limit if limited else 0,
    }
    measured: dict[str, tuple[Request, Result, Captured]] = {}
    with server(database_url, folder, args, **options) as port:  # type: ignore[arg-type]
        requests = routes(port, agency)
        for name in args.routes:
            if limited and name == "home":
                continue  # the page shell is never limited
            request = requests[name]
            if not limited:
                send_once(port, request)  # warm: the answer is in the cache from now on
            answer = capture(port, request) if scenario == "warm" else None
            result = hammer(port, request, args.connections, args.seconds)
            emit(report_line(scenario, name, result))
            if answer is not None:
                measured[name] = (request, result, answer)
    return measured


def run_baseline(
    measured: dict[str, tuple[Request, Result, Captured]],
    database_url: str,
    folder: Path,
    args: argparse.Namespace,
    emit: Callable[[str], None],
) -> dict[str, tuple[Result, bool]]:
    """The baseline app on the captured answers, each route driven as cxdash's was; prints
    its rows and then the comparison table. Returns per route the baseline's result and
    whether it sent the captured status, body and headers back (checked once first)."""
    answers_file = folder / "baseline-answers.json"
    write_answers([answer for _request, _result, answer in measured.values()], answers_file)
    results: dict[str, tuple[Result, bool]] = {}
    with server(database_url, folder, args, baseline_answers=answers_file) as port:
        for name, (request, _result, answer) in measured.items():
            again = capture(port, request)
            same = (again.status, again.body) == (answer.status, answer.body) and all(
                header in again.headers for header in answer.headers
            )
            send_once(port, request)
            result = hammer(port, request, args.connections, args.seconds)
            results[name] = (result, same)
            emit(report_line("baseline", name, result))
    emit("")
    emit(COMPARISON_HEADER)
    for name, (_request, result, _answer) in measured.items():
        baseline, same = results[name]
        emit(comparison_line(name, result, baseline, same))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="per route and scenario")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--routes", nargs="+", choices=ROUTES, default=list(ROUTES))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (as serve)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (as serve)")
    parser.add_argument("--page-limit", type=int, default=60, help="PAGE_RATE_LIMIT, limited")
    parser.add_argument("--api-limit", type=int, default=60, help="API_RATE_LIMIT, limited")
    parser.add_argument("--redis-url", help="count and cache in this Redis (own key prefix)")
    parser.add_argument("--database-url", help="an existing store (default: a new demo)")
    parser.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_false",
        help="skip the minimal Flask app serving the warm answers' bytes",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cxdash-load-") as temporary:
        folder = Path(temporary)
        database_url = args.database_url or create_demo_store(folder)
        agency = first_agency(database_url)
        print(
            f"{args.connections} connections, {args.seconds:g} s per route; gunicorn "
            f"{args.workers} workers x {args.threads} threads on 127.0.0.1; cache "
            f"{'redis' if args.redis_url else 'filesystem'}; limited: {args.page_limit} page "
            f"and {args.api_limit} API requests a minute; {os.cpu_count()} CPUs",
            flush=True,
        )
        print(HEADER, flush=True)

        def emit(line: str) -> None:
            print(line, flush=True)

        warm: dict[str, tuple[Request, Result, Captured]] = {}
        for scenario in args.scenarios:
            measured = run_scenario(scenario, database_url, folder, args, agency, emit)
            if scenario == "warm":
                warm = measured
        if args.baseline and warm:
            run_baseline(warm, database_url, folder, args, emit)


if __name__ == "__main__":
    main()
