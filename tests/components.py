"""Reading a rendered Dash frame in tests: its components and the words a reader sees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def walk(component: Any) -> Iterator[Any]:
    """Every component in a frame, depth first."""
    if component is None or isinstance(component, (str, int, float)):
        return
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from walk(child)
        return
    yield component
    yield from walk(getattr(component, "children", None))


def texts(component: Any, *, attributes: tuple[str, ...] = ()) -> str:
    """The text of a frame, joined by spaces; with ``attributes`` (``href``, ``hrefLang``),
    those attributes' values too."""
    parts: list[str] = []

    def add(node: Any) -> None:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, (list, tuple)):
            for child in node:
                add(child)
        elif node is not None and not isinstance(node, (int, float)):
            add(getattr(node, "children", None))
            for name in attributes:
                value = getattr(node, name, None)
                if isinstance(value, str):
                    parts.append(value)

    add(component)
    return " ".join(parts)


def router_request(path: str, search: str = "", rendered_url: str | None = "/elsewhere") -> dict:
    """The body dash-renderer posts when the URL changes (``callbacks/router.py``): the page
    at ``path`` + ``search`` asked for while ``rendered_url`` is on screen (another page by
    default; the same one when a link to the page shown is followed)."""
    return {
        "output": "..page.children...page.lang...rendered-url.data..",
        "outputs": [
            {"id": "page", "property": "children"},
            {"id": "page", "property": "lang"},
            {"id": "rendered-url", "property": "data"},
        ],
        "inputs": [
            {"id": "url", "property": "pathname", "value": path},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.pathname", "url.search"],
        "state": [{"id": "rendered-url", "property": "data", "value": rendered_url}],
    }
