"""Latency of each page's data callback: cold (page-data cache empty) and warm (cached).

    python bench/callbacks.py [--n 30] [--pages home agency service methodology]
                              [--database-url URL]

Every public page is drawn by one Dash callback, the router: a POST to
``/_dash-update-component`` with the URL's path and query string as inputs, answered with the
whole page (views are built from the store, or taken from the page-data cache). This posts
exactly what the browser posts, through Flask's test client in this process (server time
only: no HTTP socket, but the JSON encoding and compression a browser would get, since the
request accepts zstd/br/gzip as Chromium does), N times per page and state:

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
from dashboard.cache import cache  # noqa: E402
from dashboard.factory import create_app  # noqa: E402
from dashboard.settings import Settings  # noqa: E402

ACCEPT_ENCODING = "gzip, deflate, br, zstd"


def router_request(path: str, search: str = "") -> dict:
    """The body dash-renderer posts when the URL changes (see ``callbacks.router``)."""
    return {
        "output": "..page.children...page.lang..",
        "outputs": [{"id": "page", "property": "children"}, {"id": "page", "property": "lang"}],
        "inputs": [
            {"id": "url", "property": "pathname", "value": path},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.pathname", "url.search"],
        "state": [],
    }


def timed_post(client, body: dict) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = client.post(
        "/_dash-update-component", json=body, headers={"Accept-Encoding": ACCEPT_ENCODING}
    )
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{body['inputs'][0]['value']}: HTTP {response.status_code}")
    return elapsed, len(response.get_data())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(share * 100) - 1]


def measure(app, page: BenchPage, n: int, search: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    client = app.server.test_client()
    body = router_request(page.path, search)
    timed_post(client, body)  # one-off process costs, unmeasured
    cold: list[float] = []
    with app.server.app_context():
        for _ in range(n):
            cache.clear()
            cold.append(timed_post(client, body)[0])
    warm: list[float] = []
    size = 0
    for _ in range(n):
        elapsed, size = timed_post(client, body)
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
        print(f"Router callback latency, N={args.n} per page and state, in-process, ms")
        header = (
            f"{'page':<12} {'path':<44} {'cold p50':>9} {'cold p95':>9} "
            f"{'warm p50':>9} {'warm p95':>9} {'KiB sent':>9}"
        )
        print(header)
        print("-" * len(header))
        for page in chosen:
            figures = measure(app, page, args.n, search)
            print(
                f"{page.name:<12} {page.path + search:<44} {figures['cold_p50']:>9.1f} "
                f"{figures['cold_p95']:>9.1f} {figures['warm_p50']:>9.1f} "
                f"{figures['warm_p95']:>9.1f} {figures['kib']:>9.1f}"
            )
        print(
            "cold: page-data cache cleared before each request; warm: view from the cache. "
            "KiB sent: the compressed response."
        )


if __name__ == "__main__":
    main()
