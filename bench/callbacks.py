"""Latency of the requests that carry each page's data: cold (page-data cache empty) and warm.

    python bench/callbacks.py [--n 30] [--pages home agency service methodology]
                              [--database-url URL]

A page's data reaches the browser in one of two requests (see ``callbacks.router``):

- first load: Dash's ``GET /_dash-layout``, which holds the page the Referer header names;
- navigation (a link followed inside the app, back/forward): the router callback, a POST to
  ``/_dash-update-component`` with the URL's path and query string as inputs.

Both answer with the whole page (the view built from the store, or taken from the page-data
cache). This sends exactly what the browser sends, through Flask's test client in this
process (server time only: no HTTP socket, but the JSON encoding and compression a browser
would get, since the request accepts zstd/br/gzip as Chromium does), N times per page, request
and state:

- cold: the page-data cache is cleared before each request, as for the first visitor after
  new figures are published (the view is built from the store);
- warm: the view comes from the cache, as for every later visitor.

Each page is requested once, unmeasured, before timing, so one-off costs of the process (module
imports, database connections) are not counted. Uses a new SQLite demo store unless
--database-url names one (a PostgreSQL URL works too).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the import path, where this file's name would
# hide the project's ``callbacks`` package: import from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.demo_store import BenchPage, create_demo_store, pages  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from dashboard.infra.cache import cache  # noqa: E402
from dashboard.web.factory import create_app  # noqa: E402
from tests.components import router_request  # noqa: E402

ACCEPT_ENCODING = "gzip, deflate, br, zstd"


def timed_request(client, kind: str, path: str, search: str) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """(milliseconds, bytes sent) of one first-load or navigation request."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING}
    started = time.perf_counter()
    if kind == "first load":
        headers["Referer"] = f"http://localhost{path}{search}"
        response = client.get("/_dash-layout", headers=headers)
    else:
        response = client.post(
            "/_dash-update-component", json=router_request(path, search), headers=headers
        )
    elapsed = (time.perf_counter() - started) * 1000
    body = response.get_data()
    if response.status_code != 200 or (b"main-content" not in body and len(body) < 1000):
        raise SystemExit(f"{kind} {path}: HTTP {response.status_code}, {len(body)} bytes")
    return elapsed, len(body)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(share * 100) - 1]


def measure(app, page: BenchPage, kind: str, n: int, search: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    client = app.server.test_client()
    timed_request(client, kind, page.path, search)  # one-off process costs, unmeasured
    cold: list[float] = []
    with app.server.app_context():
        for _ in range(n):
            cache.clear()
            cold.append(timed_request(client, kind, page.path, search)[0])
    warm: list[float] = []
    size = 0
    for _ in range(n):
        elapsed, size = timed_request(client, kind, page.path, search)
        warm.append(elapsed)
    return {
        "cold_p50": statistics.median(cold),
        "cold_p95": percentile(cold, 0.95),
        "warm_p50": statistics.median(warm),
        "warm_p95": percentile(warm, 0.95),
        "kib": size / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=30, help="requests per page and state")
    parser.add_argument("--pages", nargs="+", default=["home", "agency", "service", "methodology"])
    parser.add_argument("--lang", default="en", choices=("en", "es"))
    parser.add_argument("--database-url", help="an existing store (default: a new demo store)")
    args = parser.parse_args()
    search = "" if args.lang == "en" else f"?lang={args.lang}"

    with tempfile.TemporaryDirectory(prefix="cxdash-bench-") as tmp:
        database_url = args.database_url or create_demo_store(Path(tmp))
        app = create_app(Settings(database_url=database_url, cache_type="simple"))
        chosen = pages(database_url, tuple(args.pages))
        print(f"Page data latency, N={args.n} per page, request and state, in-process, ms")
        header = (
            f"{'page':<12} {'request':<11} {'path':<40} {'cold p50':>9} {'cold p95':>9} "
            f"{'warm p50':>9} {'warm p95':>9} {'KiB sent':>9}"
        )
        print(header)
        print("-" * len(header))
        for page in chosen:
            for kind in ("first load", "navigation"):
                figures = measure(app, page, kind, args.n, search)
                path = page.path + search
                print(
                    f"{page.name:<12} {kind:<11} {path:<40} {figures['cold_p50']:>9.1f} "
                    f"{figures['cold_p95']:>9.1f} {figures['warm_p50']:>9.1f} "
                    f"{figures['warm_p95']:>9.1f} {figures['kib']:>9.1f}"
                )
        print(
            "first load: GET /_dash-layout (the page named by the Referer); navigation: the "
            "router callback.\ncold: page-data cache cleared before each request; warm: view "
            "from the cache. KiB sent: the compressed response."
        )


if __name__ == "__main__":
    main()
