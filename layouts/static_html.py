"""``StaticHtml``: a run of plain HTML components sent as ONE Dash component (issue 13).

Why: the Dash renderer's work grows with the number of components in a layout (see
``layouts/static_table.py``); an agency page is ~600 components, home ~760, most of them
paragraphs, spans and links that no callback reads or writes. Measured in Chromium, the renderer
took ~400 ms from the layout's arrival to a mounted chart on such a page against ~100 ms on a
page of 28 components. :func:`compact` replaces every run of such components by one
``StaticHtml`` holding them as plain data, which ``assets/static-html.js`` draws with
``React.createElement``: the same elements and attributes, no HTML ever parsed from a string.

A node of ``tree`` is a string or number (text), or ``{"t": tag, "p": props, "c": children}``
with React's prop names (``className``, ``tabIndex``, ``aria-*``, ``data-*``, ``style``).
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any

from dash.development.base_component import Component

#: Dash's props of an HTML component that are no attribute of the element.
_DASH_ONLY_PROPS = frozenset({"n_clicks", "n_clicks_timestamp", "disable_n_clicks", "key"})
_HTML_NAMESPACE = "dash_html_components"


class TreeComponent(Component):
    """A component whose one prop is ``tree``: HTML elements as data (see the module
    docstring), drawn by a script of ``assets/``; never an id, so no callback can name it.
    Each kind is a subclass with a ``_type`` of its own."""

    _children_props: list[str] = []  # noqa: RUF012
    _base_nodes: list[str] = []  # noqa: RUF012
    _namespace = "cxdash"
    _type = "TreeComponent"

    def __init__(self, *, tree: list[Any]) -> None:
        self._prop_names = ["tree"]
        self._valid_wildcard_attributes: list[str] = []
        self.available_properties = list(self._prop_names)
        self.available_wildcard_properties: list[str] = []
        super().__init__(tree=tree)


class StaticHtml(TreeComponent):
    """Plain HTML elements drawn as they are (``assets/static-html.js``)."""

    _children_props: list[str] = []  # noqa: RUF012
    _namespace = "cxdash"
    _type = "StaticHtml"


def _is_text(node: Any) -> bool:
    return isinstance(node, str | int | float) and not isinstance(node, bool)


def _static(node: Any, live_ids: Collection[str]) -> bool:
    """Whether ``node`` (with everything in it) can be drawn as plain data: text, or an HTML
    component whose id no callback names (and no pattern-matching id) over such children."""
    if node is None or _is_text(node):
        return True
    if isinstance(node, list | tuple):
        return all(_static(child, live_ids) for child in node)
    if not isinstance(node, Component) or getattr(node, "_namespace", None) != _HTML_NAMESPACE:
        return False
    node_id = getattr(node, "id", None)
    if node_id is not None and (not isinstance(node_id, str) or node_id in live_ids):
        return False
    return _static(getattr(node, "children", None), live_ids)


def _data(node: Any) -> Any:
    """A static node as StaticHtml's data."""
    if node is None or _is_text(node):
        return node
    if isinstance(node, list | tuple):
        return [_data(child) for child in node if child is not None]
    props = {
        name: value
        for name, value in node.to_plotly_json()["props"].items()
        if name != "children" and name not in _DASH_ONLY_PROPS and value is not None
    }
    element: dict[str, Any] = {"t": node._type.lower()}
    if props:
        element["p"] = props
    children = getattr(node, "children", None)
    if children is not None:
        element["c"] = _data(children if isinstance(children, list | tuple) else [children])
    return element


def compact(node: Any, live_ids: Collection[str]) -> Any:
    """``node`` with every run of static HTML (:func:`_static`) drawn by one StaticHtml.

    Components a callback reads or writes (``live_ids``), Dash's core components (graphs,
    links, inputs) and our own stay components; the HTML around them stays HTML components,
    and only what holds none of them is compacted. A run of static siblings becomes one
    StaticHtml, so a page of paragraphs is one component.
    """
    if isinstance(node, list | tuple):
        return _compact_children(list(node), live_ids)
    if not isinstance(node, Component):
        return node
    if _static(node, live_ids):
        return StaticHtml(tree=[_data(node)])
    children = getattr(node, "children", None)
    if not isinstance(children, list | tuple | Component):
        return node
    # A copy: the layout's own components (a module's constant, say) are never changed.
    node = copy.copy(node)
    if isinstance(children, list | tuple):
        node.children = _compact_children(list(children), live_ids)
    else:
        node.children = compact(children, live_ids)
    return node


def _compact_children(children: list[Any], live_ids: Collection[str]) -> list[Any]:
    result: list[Any] = []
    run: list[Any] = []

    def close_run() -> None:
        elements = [child for child in run if child is not None]
        if any(isinstance(child, Component) for child in elements):
            result.append(StaticHtml(tree=_data(elements)))
        else:
            result.extend(elements)  # text alone stays text
        run.clear()

    for child in children:
        if _static(child, live_ids):
            run.append(child)
            continue
        close_run()
        result.append(compact(child, live_ids))
    close_run()
    return result
