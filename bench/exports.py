"""Time of the server-side exports, with a warm Kaleido/Chromium.

    python bench/exports.py [--n 20] [--only png] [--database-url URL]

Starts from a new SQLite demo store (unless --database-url names one), builds the app, starts
Chromium once (unmeasured, as a worker's first export does) and prints medians (and p95) of:

- ``png``: a warm PNG export of the first agency's first trend chart (1000 × 600 CSS pixels at
  scale 2, i.e. 2000 × 1200 pixels):
  - ``render_figure``: the Kaleido render alone (``dashboard.infra.exports.render_figure``);
  - ``route, rendered``: ``GET /export/agency/<slug>/<chart>.png`` through Flask's test client
    with the image cache emptied before each request (view from the page-data cache, report
    figure, render, response);
  - ``route, cached``: the same URL again (the image comes from the cache).

Each measurement is a function in ``MEASUREMENTS`` that takes the shared :class:`Bench` and
returns named lists of seconds; add one there to time another export (``--only`` picks some).
The goal of issue 4 is a warm PNG export under 0.5 s on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ first on the import path, where a module's name could
# hide a project package: import from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.demo_store import create_demo_store  # noqa: E402
from dashboard.core.routes import Route  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from dashboard.gateway import queries  # noqa: E402
from dashboard.infra import exports  # noqa: E402
from dashboard.infra.cache import cache  # noqa: E402
from dashboard.views.agency import build, charts  # noqa: E402
from dashboard.web.factory import create_app  # noqa: E402
from layouts.report_figures import DEFAULT_HEIGHT, DEFAULT_WIDTH, ReportContext, report_figure  # noqa: E402

PNG_GOAL_S = 0.5


@dataclass
class Bench:
    """What every measurement shares: the store, the app and its test client, and N."""

    database_url: str
    settings: Settings
    app: Any
    client: Any
    n: int


def _times(
    n: int, run: Callable[[], object], before: Callable[[], object] | None = None
) -> list[float]:
    found = []
    for _ in range(n):
        if before is not None:
            before()
        started = time.perf_counter()
        run()
        found.append(time.perf_counter() - started)
    return found


def measure_png(bench: Bench) -> dict[str, list[float]]:
    agency = queries.list_agencies(bench.database_url)[0]["slug"]
    view = build(bench.database_url, bench.settings, Route("agency", {"agency": agency}), {}, "en")
    spec = next(c for c in charts(view) if any(t.kind == "target" for t in c.traces))
    status = queries.data_status(bench.database_url)
    context = ReportContext("en", view.name, status.as_of, f"http://localhost/agency/{agency}")
    figure = report_figure(spec, context)
    url = f"/export/agency/{agency}/{spec.chart_id}.png"
    print(f"png: {url} ({DEFAULT_WIDTH} × {DEFAULT_HEIGHT} at scale 2)")

    def render() -> bytes:
        return exports.render_figure(
            figure, "png", width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT, scale=2
        )

    def get() -> None:
        response = bench.client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)

    def clear_images() -> None:
        with bench.app.server.app_context():
            cache.clear()  # the page view is rebuilt from the page-data cache's store below
            bench.client.get(f"/agency/{agency}")  # ... and cached again, unmeasured

    render()  # warm: Chromium started and the tab loaded
    get()
    return {
        "render_figure": _times(bench.n, render),
        "route, rendered": _times(bench.n, get, before=clear_images),
        "route, cached": _times(bench.n, get),
    }


#: A review pack is several seconds: fewer runs of it than of a PNG.
REVIEW_PACK_RUNS = 5
REVIEW_PACK_GOAL_S = 15.0


def measure_review_pack(bench: Bench) -> dict[str, list[float]]:
    """The quarterly review pack (enterprise summary + a page per agency) as a PDF.

    ``build``: dashboard.views.review_pack.build_pack on the review page's default view (the
    agencies' trend charts rendered warm, the document printed by a new headless Chromium).
    ``cached request``: asking again for the same pack, answered from the cache.
    """
    from dashboard.views.review import build as build_review
    from dashboard.views.review_pack import build_pack
    from dashboard.web import review_jobs

    view = build_review(bench.database_url, bench.settings, Route("review"), {}, "en")
    runs = min(bench.n, REVIEW_PACK_RUNS)
    print(f"review-pack: {view.quarter_label}, {len(view.agencies)} agencies, {runs} runs")
    pack = build_pack(view, as_of=None)
    print(f"  {pack.pages} pages, {len(pack.pdf) // 1024} KB")
    request = review_jobs.PackRequest(view.quarter.fiscal_year, view.quarter.quarter, "en")
    server = bench.app.server

    def in_app(work: Callable[[], None]) -> None:
        with server.app_context():
            work()

    def ask() -> dict[str, Any]:
        with server.app_context():
            return review_jobs.start(bench.settings, request, run_in_app=in_app)

    status = ask()
    while status["state"] not in ("done", "error"):
        time.sleep(0.1)
        with server.app_context():
            status = review_jobs.status(status["job"]) or status
    return {
        "build": _times(runs, lambda: build_pack(view, as_of=None)),
        "cached request": _times(bench.n, ask),
    }


#: name -> measurement; each returns {label: seconds of each run}.
MEASUREMENTS: dict[str, Callable[[Bench], dict[str, list[float]]]] = {
    "png": measure_png,
    "review-pack": measure_review_pack,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20, help="runs of each measurement")
    parser.add_argument("--only", nargs="*", choices=sorted(MEASUREMENTS), default=None)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cxdash-bench-") as directory:
        url = args.database_url or create_demo_store(Path(directory))
        settings = Settings(database_url=url, export_rate_limit=0)
        app = create_app(settings)
        bench = Bench(url, settings, app, app.server.test_client(), args.n)
        started = time.perf_counter()
        exports.warm_up()
        print(f"Chromium started (Kaleido) in {time.perf_counter() - started:.2f} s")
        for name in args.only or list(MEASUREMENTS):
            for label, seconds in MEASUREMENTS[name](bench).items():
                ordered = sorted(seconds)
                p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
                median = statistics.median(seconds)
                goal = ""
                if name == "review-pack" and label == "build":
                    met = "met" if median < REVIEW_PACK_GOAL_S else "NOT met"
                    goal = f"  (goal < {REVIEW_PACK_GOAL_S:g} s: {met})"
                if name == "png" and label != "route, cached":
                    goal = (
                        f"  (goal < {PNG_GOAL_S} s: {'met' if median < PNG_GOAL_S else 'NOT met'})"
                    )
                print(
                    f"  {name:<6} {label:<18} median {median * 1000:7.1f} ms   "
                    f"p95 {p95 * 1000:7.1f} ms   n={len(seconds)}{goal}"
                )
        exports.shutdown()


if __name__ == "__main__":
    main()
