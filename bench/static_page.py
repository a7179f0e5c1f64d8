"""A static copy of a cxdash page, the practical limit ``bench/page_load.py --static`` measures
the page against (issue 13, "Done when").

The copy is the same page drawn without Dash: the HTML cxdash's router renders (its layout
answer, ``/_dash-layout``, holds the whole page as Dash components) written out as HTML, with
every chart's figure inline as a JSON ``<script type="application/json">`` (data, not code),
the same style sheets as the page's ``<head>``, the same Plotly bundle (``assets/vendor``)
and a loader of a few lines (:data:`LOADER`, a file: the page stays under the same
Content-Security-Policy, no inline script) that draws the figures. No React, no Dash renderer,
no callbacks, no second request for the page's data: what is left is what any page showing
these charts must load and run.

:func:`build_static_copy` renders a page through a running cxdash (any ``fetch``: HTTP in the
benchmark, Flask's test client in tests/integration/test_bench_page_load.py); :func:`wsgi_app`
is gunicorn's entry point for a folder of copies written by :func:`write_copies`, serving them
with the repository's ``assets/`` and flask-compress configured as Dash configures it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layouts.prerender import PrerenderWriter, attributes

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Where the static app serves the loader (a path no cxdash route uses).
LOADER_PATH = "/static-copy/charts.js"
#: Draws every inline figure, top of the page first, one chart per task (as assets/charts.js
#: queues dcc.Graph's draws), so that the first chart is painted before the others are drawn.
LOADER = """(function () {
  "use strict";
  var figures = Array.prototype.slice.call(
    document.querySelectorAll("script.static-figure[type='application/json']"));
  function drawNext() {
    var source = figures.shift();
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    var target = source.parentNode.querySelector(".static-plot");
    window.Plotly.newPlot(target, figure.data || [], figure.layout || {}, figure.config || {})
      .then(function () { setTimeout(drawNext, 0); });
  }
  drawNext();
})();
"""

#: ``fetch(path, headers) -> (status, body)``: a GET to the cxdash under copy.
Fetch = Callable[[str, Mapping[str, str]], tuple[int, bytes]]


@dataclass(frozen=True)
class StaticCopy:
    path: str
    html: str
    charts: int


def build_static_copy(fetch: Fetch, path: str, base_url: str = "http://localhost") -> StaticCopy:
    """The static copy of the page at ``path`` (with its query string), rendered by cxdash."""
    status, index = fetch(path, {})
    if status != 200:
        raise RuntimeError(f"{path}: cxdash answered {status}")
    status, layout = fetch("/_dash-layout", {"Referer": base_url + path})
    if status != 200:
        raise RuntimeError(f"{path}: cxdash's layout answered {status}")
    page = StaticRenderer()
    body = page.render(json.loads(layout))
    return StaticCopy(path, static_html(index.decode(), body), page.charts)


_HEAD = re.compile(r"<head>(.*?)</head>", re.S)
_HTML_LANG = re.compile(r'<html[^>]*\blang="([^"]*)"')
_KEPT_IN_HEAD = re.compile(
    r"<meta\b[^>]*>|<title>.*?</title>|<style\b.*?</style>"
    r"|<link\b[^>]*rel=\"(?:stylesheet|icon)\"[^>]*>",
    re.S,
)
_PLOTLY_SCRIPT = re.compile(r'<script\b[^>]*src="([^"]*/plotly[^"]*\.js[^"]*)"')


def static_html(index: str, body: str) -> str:
    """The copy's HTML: ``index``'s language, meta tags, title and styles (not its scripts),
    ``body`` in it, and the Plotly bundle ``index`` loads with the loader after it."""
    head = _HEAD.search(index)
    language = _HTML_LANG.search(index)
    plotly = _PLOTLY_SCRIPT.search(index)
    if head is None or plotly is None:
        raise RuntimeError("the page's HTML has no <head> or no Plotly script")
    kept = "\n    ".join(_KEPT_IN_HEAD.findall(head.group(1)))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language.group(1) if language else "en"}">\n<head>\n    {kept}\n'
        f'    <script defer src="{plotly.group(1)}"></script>\n'
        f'    <script defer src="{LOADER_PATH}"></script>\n'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


# -- charts ------------------------------------------------------------------------------------


def static_chart(props: Mapping[str, Any], number: int) -> str:
    """A chart of the copy: the box dcc.Graph draws (class ``dash-graph``, so that the
    benchmark's timer sees it), the figure as JSON data for :data:`LOADER`."""
    figure = dict(props.get("figure") or {})
    figure["config"] = {"responsive": True, **(props.get("config") or {})}
    # "<" escaped: the JSON can never close its <script> element.
    data = json.dumps(figure, separators=(",", ":")).replace("<", "\\u003c")
    box = {k: props[k] for k in ("id", "style") if k in props}
    box["className"] = props.get("className")
    inner = (
        '<div class="static-plot"></div>'
        f'<script type="application/json" class="static-figure">{data}</script>'
    )
    return f"<div{attributes(box, 'dash-graph', id_prefix='')}>{inner}</div>"


class StaticRenderer(PrerenderWriter):
    """The page's layout as HTML (``layouts/prerender``, the converter the index's prerender
    uses), with the page's own ids (no Dash page beside it) and each chart with its figure
    inline (:func:`static_chart`)."""

    def __init__(self) -> None:
        super().__init__(graph=static_chart, left_out=(), id_prefix="")


# -- serving the copies ------------------------------------------------------------------------

MANIFEST = "pages.json"


def write_copies(directory: Path, copies: Iterable[StaticCopy]) -> None:
    """Each copy as an HTML file, and a manifest of which URL path serves which file."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for number, copy in enumerate(copies):
        name = f"page-{number}.html"
        (directory / name).write_text(copy.html, encoding="utf-8")
        manifest[copy.path.split("?", 1)[0]] = name
    (directory / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def static_app(directory: Path):  # type: ignore[no-untyped-def]
    """A Flask app serving the copies in ``directory``, ``assets/`` and the loader, compressed
    by flask-compress as Dash sets it up (its default algorithms), under cxdash's CSP."""
    import flask
    from flask_compress import Compress

    from dashboard.web.factory import content_security_policy

    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    app = flask.Flask("cxdash_static_copy", static_folder=None)
    Compress(app)
    policy = content_security_policy([])  # no inline script at all: no hash to allow

    @app.get("/healthz")
    def healthz() -> flask.Response:
        return flask.Response("ok", mimetype="text/plain")

    @app.get(LOADER_PATH)
    def loader() -> flask.Response:
        return flask.Response(LOADER, mimetype="application/javascript")

    @app.get("/_favicon.ico")
    def favicon() -> flask.Response:
        import dash

        return flask.send_from_directory(Path(dash.__file__).parent, "favicon.ico")

    @app.get("/assets/<path:name>")
    def assets(name: str) -> flask.Response:
        return flask.send_from_directory(REPO_ROOT / "assets", name)

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def page(path: str) -> flask.Response:
        name = manifest.get("/" + path)
        if name is None:
            flask.abort(404)
        return flask.Response((directory / name).read_bytes(), mimetype="text/html")

    @app.after_request
    def headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        return response

    return app


def wsgi_app():  # type: ignore[no-untyped-def]
    """gunicorn's entry point (``bench.static_page:wsgi_app()``): the copies in the folder
    BENCH_STATIC_DIR names."""
    return static_app(Path(os.environ["BENCH_STATIC_DIR"]))
