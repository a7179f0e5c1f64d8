"""bench/page_load.py's static copy (``--static``) on the demo store, so that it cannot rot.

The copy of home and of an agency page is built through the app as the benchmark builds it,
and served by the copy's own app: every chart of the page is there with its figure, nothing
else runs (no inline script, no Dash), everything it links answers. Then the benchmark itself
runs once in Chromium (one load of home and its copy) and prints the comparison table. No
figure is checked: speed is the benchmark's to print.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import page_load, static_page
from dashboard.core.settings import Settings
from dashboard.web.factory import create_app
from tests.conftest import IN_CI, demo_store_copy

PAGES = ("/", "/agency/dmv")


@pytest.fixture(scope="module")
def store(demo_stores, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("bench_page_load")
    with demo_store_copy(demo_stores, "sqlite", folder) as url:
        yield url


@pytest.fixture(scope="module")
def client(store: str):  # type: ignore[no-untyped-def]
    return create_app(Settings(database_url=store)).server.test_client()


def fetch_from(client):  # type: ignore[no-untyped-def]
    def fetch(path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        answer = client.get(path, headers=headers)
        return answer.status_code, answer.get_data()

    return fetch


def graphs_in(node: object) -> list[dict]:
    """Every dcc.Graph in a Dash layout answer, in page order."""
    if isinstance(node, list):
        return [graph for child in node for graph in graphs_in(child)]
    if not isinstance(node, dict):
        return []
    if node.get("namespace") == "dash_core_components" and node.get("type") == "Graph":
        return [node["props"]]
    return [graph for value in (node.get("props") or {}).values() for graph in graphs_in(value)]


@pytest.mark.parametrize("path", PAGES)
def test_the_static_copy_holds_the_page_and_its_charts(client, path: str) -> None:
    fetch = fetch_from(client)
    copy = static_page.build_static_copy(fetch, path)
    layout = json.loads(
        client.get("/_dash-layout", headers={"Referer": "http://localhost" + path}).data
    )
    graphs = graphs_in(layout)
    assert graphs and copy.charts == len(graphs)
    page = copy.html
    # The page's own text and title, its language, its styles and the Plotly bundle.
    index = client.get(path).get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", index).group(1)
    assert f"<title>{title}</title>" in page
    assert '<html lang="en">' in page and "<h1" in page and 'class="skip-link"' in page
    assert re.search(r'<script defer src="/assets/vendor/plotly-[^"]+\.js', page)
    # No script runs but files (the CSP allows no other): the figures are JSON data.
    scripts = re.findall(r"<script\b([^>]*)>", page)
    assert all("src=" in s or 'type="application/json"' in s for s in scripts), scripts
    figures = re.findall(
        r'<script type="application/json" class="static-figure">(.*?)</script>', page
    )
    assert len(figures) == len(graphs)
    for figure, graph in zip(figures, graphs, strict=True):
        drawn = json.loads(figure)
        assert drawn["data"] == graph["figure"]["data"]
        assert drawn["layout"] == graph["figure"]["layout"]
    assert "dash-renderer" not in page and "_dash-" not in page.replace("_dash-graph", "")


def test_the_static_app_serves_every_file_the_copies_link(client, tmp_path: Path) -> None:
    fetch = fetch_from(client)
    static_page.write_copies(tmp_path, [static_page.build_static_copy(fetch, p) for p in PAGES])
    static = static_page.static_app(tmp_path).test_client()
    for path in PAGES:
        answer = static.get(path)
        assert answer.status_code == 200
        assert "script-src 'self';" in answer.headers["Content-Security-Policy"]
        linked = re.findall(r'(?:href|src)="(/(?:assets|static-copy|_favicon)[^"]*)"', answer.text)
        assert any("plotly" in url for url in linked)
        for url in linked:
            assert static.get(url).status_code == 200, url
    assert static.get("/agency/nowhere").status_code == 404
    gzipped = static.get(PAGES[1], headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"


def test_text_and_figures_are_escaped_in_the_copy() -> None:
    renderer = static_page.StaticRenderer()
    layout = {
        "namespace": "dash_html_components",
        "type": "Div",
        "props": {
            "children": [
                "<b>&",
                {
                    "namespace": "dash_core_components",
                    "type": "Graph",
                    "props": {"id": "g", "figure": {"data": [{"name": "</script><b>"}]}},
                },
            ],
            "title": '"quoted"',
        },
    }
    drawn = renderer.render(layout)
    assert drawn.startswith('<div title="&quot;quoted&quot;">&lt;b&gt;&amp;')
    assert "</script><b>" not in drawn and "\\u003c/script>\\u003cb>" in drawn
    assert renderer.charts == 1


def test_the_benchmark_compares_home_with_its_static_copy(store: str) -> None:
    if not Path(page_load.CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium not found at {page_load.CHROMIUM}")
        pytest.skip(f"Chromium not found at {page_load.CHROMIUM}")
    # In a process of its own: Playwright's sync API refuses to start where another test of
    # the same run (the browser tests) already runs its event loop.
    done = subprocess.run(
        [
            sys.executable,
            str(Path(page_load.__file__)),
            *("--runs", "1", "--pages", "home", "--static", "--workers", "1"),
            *("--database-url", store),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"^home \(static copy\) / +\(1 cold-cache loads, \d+ charts\)$", out, re.M)
    assert re.search(r"^  home +[\d,]+ +[\d,]+ +[\d.]+x +[\d,]+ +[\d,]+ +[\d.]+x$", out, re.M), out
