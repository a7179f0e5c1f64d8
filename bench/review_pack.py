"""Time of the first review pack of a fresh process (cold), then of the next ones (warm).

    python bench/review_pack.py [--database-url URL] [--language en] [--fy 2026 --q 3]

What a visitor waits for the first time anyone asks for a pack after a worker starts: the
review page's view, the agencies' trend charts (the first one starts Kaleido's Chromium; all
of them are drawn at once on its tabs), the document, and printing (in that warm browser);
then the same build again with the browser warm and every chart drawn again (the in-process
cache of images by content emptied), then once more as it is (the charts from that cache:
a pack rebuilt for data that changed elsewhere). Prints each step's time, the pages and the
size. "first chart" is the wait for the first agency's charts, "charts" for all of them.
Starts from a new SQLite demo store unless --database-url names one. bench/exports.py
--only review-pack times warm builds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the import path, where a module's name could
# hide a project package: import from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.demo_store import create_demo_store  # noqa: E402
from dashboard.core.routes import Route  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from dashboard.infra import exports  # noqa: E402
from dashboard.views.review import build as build_review  # noqa: E402
from dashboard.views.review_pack import build_pack  # noqa: E402


def build_once(url: str, language: str, query: dict[str, str]) -> dict[str, float]:
    """One pack from the view on: seconds of each step, and the whole."""
    started = time.perf_counter()
    view = build_review(url, Settings(database_url=url), Route("review"), query, language)
    marks = {"view": time.perf_counter() - started}
    seen: dict[str, float] = {}

    def progress(step: str, done: int, total: int, agency: int, agencies: int) -> None:
        seen.setdefault(f"{step} {agency}" if step == "agency" else step, time.perf_counter())

    pack = build_pack(view, as_of=None, progress=progress)
    ended = time.perf_counter()
    first_chart = seen.get("agency 2", ended) - seen.get("agency 1", ended)
    marks["first chart"] = first_chart
    marks["charts"] = seen.get("document", ended) - seen.get("agency 1", ended)
    marks["print"] = ended - seen.get("printing", ended)
    marks["total"] = ended - started
    print(f"  {pack.pages} pages, {len(pack.pdf) // 1024} KB")
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--language", default="en")
    parser.add_argument("--fy", default=None)
    parser.add_argument("--q", default=None)
    args = parser.parse_args()
    query = {key: value for key, value in (("fy", args.fy), ("q", args.q)) if value}
    with tempfile.TemporaryDirectory(prefix="cxdash-bench-") as directory:
        url = args.database_url or create_demo_store(Path(directory))
        runs = ("first (cold)", "second (warm, charts drawn again)", "third (charts cached)")
        for label in runs:
            if label != runs[-1]:
                exports.forget_rendered()
            print(f"review pack, {label}:")
            marks = build_once(url, args.language, query)
            print("  " + "   ".join(f"{name} {seconds:.2f} s" for name, seconds in marks.items()))
        exports.shutdown()


if __name__ == "__main__":
    main()
