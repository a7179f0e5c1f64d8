"""What keeps pages light: the basic Plotly bundle from assets/, and compressed responses."""

from __future__ import annotations

import gzip
import json
import re

import brotli
import pytest
from plotly.offline import get_plotlyjs_version

from dashboard.core.i18n import t
from dashboard.core.settings import PROJECT_ROOT, Settings
from dashboard.web.factory import create_app
from tests.components import router_request

VENDOR = PROJECT_ROOT / "assets" / "vendor"
BASIC_BUNDLE = VENDOR / f"plotly-basic-{get_plotlyjs_version()}.min.js"
# What Chromium sends (it negotiates zstd, br, gzip or deflate).
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"


@pytest.fixture
def client(sqlite_url: str):  # type: ignore[no-untyped-def]
    return create_app(Settings(database_url=sqlite_url)).server.test_client()


def test_basic_bundle_is_the_plotly_js_version_python_plotly_draws_for():
    # dcc.Graph hands figures built by Python plotly to whatever window.Plotly is: a
    # different plotly.js version could draw them differently or not at all.
    bundles = sorted(VENDOR.glob("plotly*.js"))
    assert bundles == [BASIC_BUNDLE], f"one basic bundle, named for {get_plotlyjs_version()}"
    header = BASIC_BUNDLE.read_text(encoding="utf-8")[:300]
    match = re.search(r"plotly\.js \(basic - minified\) v(\S+)", header)
    assert match and match.group(1) == get_plotlyjs_version()
    assert "MIT License" in (VENDOR / "PLOTLY-LICENSE.txt").read_text(encoding="utf-8")


def _script_sources(html: str) -> list[str]:
    return re.findall(r'<script[^>]*src="([^"]+)"', html)


def test_pages_load_the_basic_bundle_and_never_the_full_one(client):
    page = client.get("/methodology").get_data(as_text=True)
    sources = _script_sources(page)
    assert any(src.startswith(f"/assets/vendor/{BASIC_BUNDLE.name}") for src in sources)
    # Dash's own full bundle is only fetched by dcc.Graph when window.Plotly is missing.
    assert not any("plotly.min.js" in src for src in sources)


def _get(client, path: str, accept_encoding: str | None):  # type: ignore[no-untyped-def]
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
    return client.get(path, headers=headers)


def _decoded(response) -> bytes:  # type: ignore[no-untyped-def]
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    assert encoding is None, f"unexpected encoding {encoding}"
    return body


def test_dash_bundles_and_pages_are_gzip_or_brotli_compressed(client):
    page = _get(client, "/methodology", "gzip")
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    renderer = next(
        src for src in _script_sources(_decoded(page).decode()) if "dash_renderer" in src
    )
    plain = _get(client, renderer, None)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    for encoding in ("gzip", "br"):
        compressed = _get(client, renderer, encoding)
        assert compressed.headers["Content-Encoding"] == encoding
        assert len(compressed.get_data()) < len(plain.get_data()) / 2
        assert _decoded(compressed) == plain.get_data()


def test_the_basic_bundle_is_compressed_for_a_browser(client):
    path = f"/assets/vendor/{BASIC_BUNDLE.name}"
    response = _get(client, path, "br")
    assert response.headers["Content-Encoding"] == "br"
    body = _decoded(response)
    assert body == BASIC_BUNDLE.read_bytes()
    assert len(response.get_data()) < len(body) / 2
    negotiated = _get(client, path, BROWSER_ACCEPT_ENCODING)
    assert negotiated.headers["Content-Encoding"] in ("zstd", "br", "gzip", "deflate")


def test_callback_responses_are_compressed(client):
    response = client.post(
        "/_dash-update-component",
        json=router_request("/methodology", "?lang=es", rendered_url="/"),
        headers={"Accept-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    payload = json.loads(_decoded(response))
    assert payload["response"]["page"]["lang"] == "es"
    assert payload["response"]["rendered-url"]["data"] == "/methodology?lang=es"
    assert "Metodología" in json.dumps(payload, ensure_ascii=False)


def test_the_router_does_not_draw_again_the_page_the_layout_already_holds(client):
    response = client.post(
        "/_dash-update-component",
        json=router_request("/methodology", "?lang=es", rendered_url="/methodology?lang=es"),
    )
    assert response.status_code == 204  # Dash's answer to PreventUpdate: nothing to change


def _layout(client, referrer: str | None):  # type: ignore[no-untyped-def]
    headers = {"Referer": referrer} if referrer else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def _find(node, component_id: str):  # type: ignore[no-untyped-def]
    """The component with this id in a layout's JSON."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        children = node.get("props", {}).get("children")
        return _find(children, component_id) if children is not None else None
    if isinstance(node, list):
        for child in node:
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def test_the_first_layout_already_holds_the_page_that_asked_for_it(client):
    response = client.get("/_dash-layout", headers={"Referer": "http://localhost/methodology"})
    # It differs by page: no shared cache may keep it.
    assert response.headers["Cache-Control"] == "no-store"
    assert "Referer" in response.headers["Vary"]
    layout = _layout(client, "http://localhost/methodology?lang=es")
    page = _find(layout, "page")
    assert page["props"]["lang"] == "es"
    assert "Metodología" in json.dumps(page, ensure_ascii=False)
    assert _find(layout, "rendered-url")["props"]["data"] == "/methodology?lang=es"


@pytest.mark.parametrize("referrer", [None, "https://elsewhere.example/methodology"])
def test_without_a_same_site_referrer_the_layout_leaves_the_page_to_the_router(client, referrer):
    layout = _layout(client, referrer)
    assert "Metodología" not in json.dumps(layout, ensure_ascii=False)
    assert _find(layout, "rendered-url")["props"].get("data") is None
    assert _find(layout, "main-content") is not None  # an empty main until the router runs


def test_an_unknown_page_in_the_referrer_gets_the_not_found_page(client):
    layout = _layout(client, "http://localhost/agency/no-such-agency")
    assert t("not_found_title", "en") in json.dumps(_find(layout, "page"), ensure_ascii=False)


def test_the_first_page_preloads_its_data_and_chart_code_and_skips_the_babel_polyfill(client):
    page = client.get("/methodology").get_data(as_text=True)
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="(\w+)"', page)
    assert ("/_dash-layout", "fetch") in preloads
    assert ("/_dash-component-suites/dash/dcc/async-graph.js", "script") in preloads
    for href, _kind in preloads:
        assert client.get(href).status_code == 200, href
    sources = _script_sources(page)
    assert not [src for src in sources if "polyfill" in src]
    # What Dash's bundles still need from the polyfill: the global regeneratorRuntime.
    runtime = next(src for src in sources if "regenerator-runtime" in src)
    assert "regeneratorRuntime = runtime" in client.get(runtime).get_data(as_text=True)


def test_fingerprinted_dash_bundles_are_cached_for_a_year(client):
    page = client.get("/methodology").get_data(as_text=True)
    suite = next(src for src in _script_sources(page) if src.startswith("/_dash-component-suites"))
    response = client.get(suite)
    assert response.cache_control.max_age == 31_536_000
