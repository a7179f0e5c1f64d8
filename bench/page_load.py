"""First-visit page load: bytes on the wire, time to the first chart and to all charts.

    python bench/page_load.py [--runs 5] [--pages home agency] [--database-url URL] [--static]

Writes the demo into a temporary SQLite store (unless --database-url names one), serves it
with gunicorn (2 workers of 4 threads, as ``cxdash serve`` does) on a free loopback port, and
loads each page in headless Chromium (Debian's /usr/bin/chromium) ``--runs`` times, each time
in a NEW browser context: an empty HTTP cache and no cookies, as for a first-time visitor.

The server side is warm: each page is loaded once, unmeasured, before the runs, so the page
data is in the (shared, filesystem) page-data cache, as it is for every visitor but the first
after a publication. ``bench/callbacks.py`` measures the cold server side.

Figures (medians over the runs):
- bytes: the sum of every response's encoded (compressed) size as Chromium's network stack
  received it (CDP ``Network.loadingFinished.encodedDataLength``, headers included), from
  navigation until all charts are drawn and the network is idle;
- first chart / all charts: milliseconds from navigation start (``performance.now()``) until
  the first / every ``dcc.Graph`` on the page has an SVG drawn by Plotly and is no longer
  pending (dcc.Graph drops ``dash-graph--pending`` once ``Plotly.react`` has resolved). The
  first chart is the first a visitor sees: a chart of the prerender (``#prerender``, drawn by
  assets/prerender.js before Dash's page is shown), or of Dash's page once it is shown (never
  one of Dash's while it is still hidden behind the prerender); all charts are Dash's, once
  its page is shown;
- Dash's page shown: milliseconds until the page is Dash's (the prerender swapped out for it,
  or Dash's page drawn on a page without a prerender): from then on every control is Dash's.

Goal (issue 3): an agency page's first load under 900 KiB on the wire and its first chart
under 1.0 s (median).

``--static``: each page is also served as a STATIC COPY (``bench/static_page.py``: the same
page as cxdash renders it, with the same style sheets, charts and Plotly bundle, the figures
inline in the HTML, no Dash renderer and no callbacks) by a second gunicorn with the same
workers and threads, and loaded the same way, runs alternating between the two; a last table
puts each page's first chart and bytes beside its copy's. The copy is the practical limit of a
page with these charts; the goal of issue 13 is home and agency within 1.2x of it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Import from the repository root, as bench/callbacks.py must (see there).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import static_page  # noqa: E402
from bench.demo_store import REPO_ROOT, BenchPage, create_demo_store, pages  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Flags that keep Chromium from calling anything but the server under test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GOALS = {"agency": {"kib": 900, "first_chart_ms": 1000}}

# Runs in every page before its own scripts: records when the first and the last chart is drawn.
CHART_TIMER = """
(() => {
  const marks = {firstChart: null, allCharts: null, charts: 0, pageShown: null};
  window.__benchMarks = marks;
  const drawn = (graph) => {
    const plot = graph.querySelector('.js-plotly-plot');
    return plot && plot.querySelector('.main-svg')
      && !plot.classList.contains('dash-graph--pending');
  };
  const check = () => {
    const now = performance.now();
    // The prerender's charts (assets/prerender.js) are seen while it is there; Dash's only
    // once the prerender is gone (before that they are drawn in a hidden page).
    const prerendered = document.querySelectorAll('#prerender .prerender-chart');
    if (marks.firstChart === null && Array.from(prerendered).some(drawn)) {
      marks.firstChart = now;
    }
    if (document.getElementById('prerender')) { return; }
    // Dash's page is the page: the prerender gone (or never there) and Dash's page drawn.
    if (marks.pageShown === null && document.querySelector('#react-entry-point #main-content')) {
      marks.pageShown = now;
    }
    const graphs = document.querySelectorAll('.dash-graph');
    if (!graphs.length) { return; }
    const done = Array.from(graphs).filter(drawn).length;
    if (done > 0 && marks.firstChart === null) { marks.firstChart = now; }
    if (done === graphs.length && marks.charts !== graphs.length) {
      marks.allCharts = now;
      marks.charts = graphs.length;
    }
  };
  new MutationObserver(check).observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['class'],
  });
})();
"""

# Read with page.evaluate, polled from Python: the site's Content-Security-Policy forbids the
# eval() that Playwright's wait_for_function would need.
ALL_DRAWN = """(() => {
  const graphs = document.querySelectorAll('.dash-graph');
  return !document.getElementById('prerender') && graphs.length > 0
    && window.__benchMarks.charts === graphs.length;
})()"""


def wait_until(tab, expression: str, timeout_ms: int) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_ms / 1000
    while not tab.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout_ms} ms: {expression}")
        time.sleep(0.05)


# Where the time goes: scripts parsed, and the request and answer that carry the page's data
# (Dash's layout, which holds the first page: see callbacks/router.layout_for_request).
MILESTONES = """(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const update = performance.getEntriesByType('resource')
    .filter(entry => entry.name.includes('/_dash-layout'))[0];
  return {
    scriptsReady: nav ? nav.domContentLoadedEventEnd : null,
    dataRequested: update ? update.requestStart : null,
    dataReceived: update ? update.responseEnd : null,
  };
})()"""


@dataclass
class Run:
    bytes: int
    requests: int
    first_chart_ms: float | None
    all_charts_ms: float | None
    charts: int
    scripts_ready_ms: float | None = None
    #: Dash's page shown (the prerender swapped out, or Dash's page drawn where there is none):
    #: from then on every control works as a Dash control.
    page_shown_ms: float | None = None
    data_requested_ms: float | None = None
    data_received_ms: float | None = None
    by_resource: Counter[str] = field(default_factory=Counter)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_secret_key() -> str:
    """The environment's SECRET_KEY, or a throwaway one: the benchmark signs nobody in."""
    return os.environ.get("SECRET_KEY") or secrets.token_hex(32)


def start_gunicorn(
    database_url: str,
    port: int,
    workers: int,
    cache_dir: Path,
    app: str = "app:server",
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # Both workers share one page-data cache, as they share Redis in a deployment.
        "CACHE_TYPE": "filesystem",
        "CACHE_DIR": str(cache_dir),
        # The server refuses to start without one (the staff workspace signs sessions with it).
        "SECRET_KEY": env_secret_key(),
        **(extra_env or {}),
    }
    env.pop("CACHE_REDIS_URL", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--threads",
        "4",  # as ``cxdash serve``
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]
    server = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            time.sleep(0.25)
    stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def resource_name(url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    return "/" + path


def load(browser, base_url: str, page: BenchPage, timeout_ms: int) -> Run:  # type: ignore[no-untyped-def]
    context = browser.new_context()  # a new, empty HTTP cache
    tab = context.new_page()
    tab.add_init_script(CHART_TIMER)
    cdp = context.new_cdp_session(tab)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    received: Counter[str] = Counter()
    outside: list[str] = []

    def on_response(event: dict) -> None:
        urls[event["requestId"]] = event["response"]["url"]

    def on_finished(event: dict) -> None:
        url = urls.get(event["requestId"], "?")
        if not url.startswith(("data:", "blob:")):
            received[resource_name(url)] += int(event["encodedDataLength"])

    def on_request(request) -> None:  # type: ignore[no-untyped-def]
        if not request.url.startswith((base_url, "data:", "blob:")):
            outside.append(request.url)

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    tab.on("request", on_request)
    tab.goto(base_url + page.path, wait_until="load", timeout=timeout_ms)
    # The router renders the whole page at once: its heading and every chart container.
    tab.wait_for_selector("#main-content h1", timeout=timeout_ms)
    if tab.locator(".dash-graph").count():
        wait_until(tab, ALL_DRAWN, timeout_ms)
    tab.wait_for_load_state("networkidle", timeout=timeout_ms)
    marks = tab.evaluate("window.__benchMarks")
    milestones = tab.evaluate(MILESTONES)
    charts = tab.evaluate("document.querySelectorAll('.dash-graph').length")
    context.close()
    if outside:
        raise SystemExit(f"{page.path} requested third-party URLs: {outside}")
    return Run(
        bytes=sum(received.values()),
        requests=len(received),
        first_chart_ms=marks["firstChart"],
        page_shown_ms=marks["pageShown"],
        all_charts_ms=marks["allCharts"] if charts and marks["charts"] == charts else None,
        charts=charts,
        scripts_ready_ms=milestones["scriptsReady"],
        data_requested_ms=milestones["dataRequested"],
        data_received_ms=milestones["dataReceived"],
        by_resource=received,
    )


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present and len(present) == len(values) else None


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms"


def report(page: BenchPage, runs: list[Run]) -> None:
    kib = statistics.median(run.bytes for run in runs) / 1024
    first = median([run.first_chart_ms for run in runs])
    every = median([run.all_charts_ms for run in runs])
    charts = max(run.charts for run in runs)
    print(f"\n{page.name} {page.path}  ({len(runs)} cold-cache loads, {charts} charts)")
    print(
        f"  bytes on the wire   median {kib:,.1f} KiB   (runs: "
        + ", ".join(f"{run.bytes / 1024:,.0f}" for run in runs)
        + ")"
    )
    print(f"  requests            median {statistics.median(run.requests for run in runs):.0f}")
    print(
        f"  first chart drawn   median {ms(first)}   (runs: "
        + ", ".join(ms(run.first_chart_ms) for run in runs)
        + ")"
    )
    print(
        f"  all charts drawn    median {ms(every)}   (runs: "
        + ", ".join(ms(run.all_charts_ms) for run in runs)
        + ")"
    )
    print(
        f"  Dash's page shown   median {ms(median([run.page_shown_ms for run in runs]))}   (runs: "
        + ", ".join(ms(run.page_shown_ms) for run in runs)
        + ")"
    )
    print(
        "  where the time goes (medians): scripts ready "
        f"{ms(median([run.scripts_ready_ms for run in runs]))}, page data requested "
        f"{ms(median([run.data_requested_ms for run in runs]))}, received "
        f"{ms(median([run.data_received_ms for run in runs]))}"
    )
    goal = GOALS.get(page.name)
    if goal:
        verdict_bytes = "met" if kib < goal["kib"] else "NOT met"
        verdict_chart = "met" if first is not None and first < goal["first_chart_ms"] else "NOT met"
        print(
            f"  goal: < {goal['kib']} KiB ({verdict_bytes}), "
            f"first chart < {goal['first_chart_ms']} ms ({verdict_chart})"
        )
    print("  largest responses (last run, encoded KiB):")
    for name, size in runs[-1].by_resource.most_common(8):
        print(f"    {size / 1024:8.1f}  {name}")


def http_fetch(base_url: str):  # type: ignore[no-untyped-def]
    """A ``static_page.Fetch`` over HTTP from the server at ``base_url``."""

    def fetch(path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(base_url + path, headers=dict(headers))
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    return fetch


def build_static_copies(base_url: str, chosen: list[BenchPage], directory: Path) -> None:
    """Render each page once through cxdash and write its static copy into ``directory``."""
    fetch = http_fetch(base_url)
    copies = []
    for page in chosen:
        copy = static_page.build_static_copy(fetch, page.path, base_url)
        print(
            f"Static copy of {page.path}: {len(copy.html) / 1024:,.0f} KiB of HTML, "
            f"{copy.charts} charts"
        )
        copies.append(copy)
    static_page.write_copies(directory, copies)


@dataclass
class Comparison:
    page: BenchPage
    cxdash: list[Run]
    static: list[Run]


def ratio(value: float | None, limit: float | None) -> str:
    return "—" if value is None or not limit else f"{value / limit:.2f}x"


def compare(comparisons: list[Comparison]) -> None:
    """The table of issue 13's "Done when": each page beside its static copy (medians)."""
    print("\nAgainst the static copy (medians; ratio = cxdash / static copy):")
    header = ("page", "cxdash ms", "static ms", "ratio", "cxdash KiB", "static KiB", "ratio")
    rows = []
    for item in comparisons:
        first = median([run.first_chart_ms for run in item.cxdash])
        limit = median([run.first_chart_ms for run in item.static])
        kib = statistics.median(run.bytes for run in item.cxdash) / 1024
        static_kib = statistics.median(run.bytes for run in item.static) / 1024
        rows.append(
            (
                item.page.name,
                "—" if first is None else f"{first:,.0f}",
                "—" if limit is None else f"{limit:,.0f}",
                ratio(first, limit),
                f"{kib:,.0f}",
                f"{static_kib:,.0f}",
                ratio(kib, static_kib),
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  "
            + "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", nargs="+", default=["home", "agency"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="an existing store (default: a new demo store)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per page load")
    parser.add_argument(
        "--static",
        action="store_true",
        help="also load a static copy of each page (figures inline, no Dash) and compare",
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="cxdash-bench-") as tmp:
        directory = Path(tmp)
        database_url = args.database_url or create_demo_store(directory)
        chosen = pages(database_url, tuple(args.pages))
        port = free_port()
        server = start_gunicorn(database_url, port, args.workers, directory / "cache")
        servers = [server]
        base_url = f"http://127.0.0.1:{port}"
        timeout_ms = int(args.timeout * 1000)
        try:
            static_url = None
            if args.static:
                build_static_copies(base_url, chosen, directory / "static")
                static_port = free_port()
                servers.append(
                    start_gunicorn(
                        database_url,
                        static_port,
                        args.workers,
                        directory / "static-cache",
                        app="bench.static_page:wsgi_app()",
                        extra_env={"BENCH_STATIC_DIR": str(directory / "static")},
                    )
                )
                static_url = f"http://127.0.0.1:{static_port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                print(
                    f"Serving {database_url} with gunicorn ({args.workers} workers) at {base_url}"
                    + (f"; the static copies at {static_url}" if static_url else "")
                )
                print(
                    "Browser cache: cold (a new context per load). Server page-data cache: "
                    "warm (one unmeasured load per page first)."
                )
                comparisons = []
                for page in chosen:
                    load(browser, base_url, page, timeout_ms)  # warm the server, unmeasured
                    if static_url is None:
                        runs = [load(browser, base_url, page, timeout_ms) for _ in range(args.runs)]
                        report(page, runs)
                        continue
                    load(browser, static_url, page, timeout_ms)
                    runs, static_runs = [], []
                    for _ in range(args.runs):  # alternating: both see the same machine
                        runs.append(load(browser, base_url, page, timeout_ms))
                        static_runs.append(load(browser, static_url, page, timeout_ms))
                    report(page, runs)
                    report(BenchPage(f"{page.name} (static copy)", page.path), static_runs)
                    comparisons.append(Comparison(page, runs, static_runs))
                if comparisons:
                    compare(comparisons)
                browser.close()
        finally:
            for running in servers:
                stop(running)


if __name__ == "__main__":
    main()
