"""Time of a page's ZIP of charts (every chart as PNG, SVG, PDF and CSV), warm Chromium.

    python bench/page_zip.py [--n 3] [--page /agency/dmv] [--database-url URL]

Starts from a new SQLite demo store (unless --database-url names one), builds the app, starts
Chromium once (unmeasured) and prints, for ``GET /export<page>.zip`` through Flask's test
client, the median and worst of ``--n`` runs with the cache emptied before each (every image
rendered: what the first person to ask waits), then the same URL again (from the cache).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the import path: import from the repository root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.demo_store import create_demo_store  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from dashboard.infra import exports  # noqa: E402
from dashboard.infra.cache import cache  # noqa: E402
from dashboard.web.factory import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=3, help="runs with an empty cache")
    parser.add_argument("--page", default="/agency/dmv", help="page path ('/' for home)")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = "/export.zip" if args.page == "/" else f"/export{args.page}.zip"

    with tempfile.TemporaryDirectory(prefix="cxdash-bench-") as directory:
        database_url = args.database_url or create_demo_store(Path(directory))
        settings = Settings(database_url=database_url, export_rate_limit=0)
        app = create_app(settings)
        client = app.server.test_client()
        exports.warm_up()

        def get() -> int:
            response = client.get(url)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            return len(response.data)

        cold: list[float] = []
        size = 0
        for _ in range(args.n):
            with app.server.app_context():
                cache.clear()
            client.get(args.page)  # the page view cached again, unmeasured
            started = time.perf_counter()
            size = get()
            cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        get()
        cached = time.perf_counter() - started
        print(f"{url}: {size // 1024} KB")
        print(
            f"  rendered: median {statistics.median(cold):.2f} s, worst {max(cold):.2f} s, "
            f"n={len(cold)}"
        )
        print(f"  cached:   {cached:.2f} s")
        exports.shutdown()


if __name__ == "__main__":
    main()
