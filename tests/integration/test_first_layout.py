"""The first ``/_dash-layout`` holds its page with the static HTML compacted (issue 13):
far fewer components for the renderer, the same words, every component a callback names
still a component; the router's answers are left as they were. And no DataTable bundle."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from dashboard.core.settings import Settings
from dashboard.web.factory import create_app
from tests.components import router_request
from tests.conftest import demo_store_copy


@pytest.fixture(scope="module")
def app(demo_stores, tmp_path_factory):  # type: ignore[no-untyped-def]
    with demo_store_copy(demo_stores, "sqlite", tmp_path_factory.mktemp("first_layout")) as url:
        yield create_app(Settings(database_url=url))


def _components(node, found: Counter | None = None) -> Counter:  # type: ignore[no-untyped-def]
    found = Counter() if found is None else found
    if isinstance(node, list):
        for child in node:
            _components(child, found)
    elif isinstance(node, dict) and "type" in node:
        found[node["type"]] += 1
        _components(node.get("props", {}).get("children"), found)
    return found


def _ids(node, found: set | None = None) -> set:  # type: ignore[no-untyped-def]
    """Every id in a layout's JSON, in components and inside StaticHtml's data."""
    found = set() if found is None else found
    if isinstance(node, list):
        for child in node:
            _ids(child, found)
    elif isinstance(node, dict):
        props = node.get("props") or node.get("p") or {}
        if isinstance(props.get("id"), str):
            found.add(props["id"])
        _ids(props.get("children"), found)
        _ids(props.get("tree"), found)
        _ids(node.get("c"), found)
    return found


def _words(node) -> list[str]:  # type: ignore[no-untyped-def]
    words: list[str] = []

    def add(value) -> None:  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            words.extend(value.split())
        elif isinstance(value, list):
            for child in value:
                add(child)
        elif isinstance(value, dict):
            props = value.get("props") or value.get("p") or {}
            add(props.get("children"))
            add(props.get("tree"))
            add(value.get("c"))

    add(node)
    return words


@pytest.mark.parametrize("path", ["/", "/agency/dmv", "/methodology?lang=es"])
def test_the_first_layout_is_the_routers_page_in_far_fewer_components(app, path):
    client = app.server.test_client()
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost" + path}).json
    page_path, _, search = path.partition("?")
    routed = client.post(
        "/_dash-update-component",
        json=router_request(page_path, f"?{search}" if search else ""),
    ).json["response"]["page"]["children"]
    first = layout["props"]["children"][-1]["props"]["children"]  # the page's frame

    # The same words and the same ids, in the same order of words.
    assert _words(first) == _words(routed)
    assert _ids(first) == _ids(routed)
    # The router's answer (a later navigation) is not compacted; the first layout is.
    before, after = _components(routed), _components(first)
    assert "StaticHtml" not in before
    assert after["StaticHtml"] > 0
    assert sum(after.values()) < sum(before.values()) / 2
    # What Dash and the callbacks need stays a component.
    for kind in ("Graph", "Link", "Input", "StaticTable"):
        assert after[kind] == before[kind], kind


def test_components_a_callback_names_are_never_compacted(app):
    client = app.server.test_client()
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/"}).json
    named = set()
    for output, callback in app.callback_map.items():
        for item in [*callback.get("inputs", []), *callback.get("state", [])]:
            named.add(item["id"])
        named.update(part.split(".")[0] for part in output.strip(".").split("..."))

    def in_static_data(node, inside: bool = False) -> set:  # type: ignore[no-untyped-def]
        found = set()
        if isinstance(node, list):
            for child in node:
                found |= in_static_data(child, inside)
        elif isinstance(node, dict):
            props = node.get("props") or node.get("p") or {}
            if inside and isinstance(props.get("id"), str):
                found.add(props["id"])
            found |= in_static_data(props.get("children"), inside)
            found |= in_static_data(props.get("tree"), True)
            found |= in_static_data(node.get("c"), inside)
        return found

    assert in_static_data(layout) & named == set()
    assert json.dumps(layout).count('"StaticHtml"') > 0


def test_no_data_table_library_on_a_public_page(app):
    page = app.server.test_client().get("/").get_data(as_text=True)
    sources = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert not [src for src in sources if "/dash_table/" in src]
    assert any("/dash_core_components." in src for src in sources)
    config = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page)
    assert config is not None
    children_props = json.loads(config.group(1))["children_props"]
    assert "dash_table" not in children_props
    assert "cxdash" in children_props
