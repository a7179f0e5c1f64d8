"""A page's first layout as plain HTML, for the index page itself (issue 13: progressive
enhancement by server-side prerender).

Pure: a component tree, as Dash serializes it (``{"type", "namespace", "props"}``, the shape of
a ``/_dash-layout`` answer, ``StaticHtml`` data included), in; an HTML string out. The index
of a public page carries it in ``#prerender`` before Dash's ``#react-entry-point``, so that the
page is read (and, once Plotly has loaded, its charts drawn by ``assets/prerender.js``) before
React, Dash's renderer and dcc have run; without JavaScript it *is* the page. ``bench/
static_page.py`` writes its static copies with the same converter.

Everything that comes from data is escaped: text with :func:`html.escape`, every attribute
value quoted and escaped, attribute and tag names checked against a strict pattern (anything
else dropped), no ``on…`` attribute, no URL other than a relative one or http(s), mailto and
tel, no ``<script>``, ``<style>`` or ``<iframe>`` element.

Ids are prefixed (:data:`ID_PREFIX`), and so are the attributes that name an id (``for``,
``aria-labelledby``, ``href="#…"``...), so that the prerender, while Dash's page is drawn
beside it, never duplicates an id of Dash's. An element with an id in ``left_out`` is left
out with what it holds.

The feedback form (``layouts/feedback.py``, a ``FeedbackForm``) is written where the page has
it, inside ``<noscript>`` with its own ids: a visitor without JavaScript answers with it (as a
plain form post), and with JavaScript its markup is never parsed, so Dash's own form, drawn
after the swap, is the only one (issue 14).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

#: Put before every id of the prerender (and every reference to one).
ID_PREFIX = "prerender-"
#: Elements left out of the prerender by default, with what they hold.
LEFT_OUT_IDS = frozenset({"feedback-widget"})
#: The class of a chart's box in the prerender (assets/prerender.js draws into it).
CHART_CLASS = "prerender-chart"

_VOID = {"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Elements never written: code, or a document of their own.
_DROPPED_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed"}
_TAG = re.compile(r"^[a-z][a-z0-9]*$")
_ATTRIBUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_.:-]*$")
#: Dash/React props that are no HTML attribute.
_NOT_ATTRIBUTES = {
    "children",
    "key",
    "setProps",
    "n_clicks",
    "n_clicks_timestamp",
    "disable_n_clicks",
    "loading_state",
    "persistence",
    "persisted_props",
    "persistence_type",
}
_RENAMED = {"className": "class", "htmlFor": "for"}
_UNITLESS = {"opacity", "zIndex", "fontWeight", "lineHeight", "flex", "flexGrow", "order"}
#: Attributes whose value is one id, or ids separated by spaces.
_ID_REFERENCES = {
    "for",
    "list",
    "form",
    "headers",
    "aria-labelledby",
    "aria-describedby",
    "aria-controls",
    "aria-owns",
    "aria-activedescendant",
    "aria-details",
    "aria-errormessage",
    "aria-flowto",
}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "cite"}
_SAFE_URL = re.compile(r"^(?:https?:|mailto:|tel:|[^:]*$)", re.I)
_CSS_NAME = re.compile(r"^-?[a-zA-Z][a-zA-Z0-9-]*$")

#: ``graph(props, number) -> HTML``: how a chart (dcc.Graph's props, its 0-based number in
#: the page) is written.
GraphWriter = Callable[[Mapping[str, Any], int], str]


def _attribute_name(name: str) -> str:
    if name in _RENAMED:
        return _RENAMED[name]
    if name.startswith(("aria-", "data-")):
        return name
    return name.lower()  # tabIndex, hrefLang, colSpan, dateTime...


def _style(style: Mapping[str, Any]) -> str:
    def rule(name: str, value: Any) -> str | None:
        css_name = re.sub(r"[A-Z]", lambda m: "-" + m.group(0).lower(), name)
        if not _CSS_NAME.match(css_name):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = f"{value}" if name in _UNITLESS else f"{value}px"
        return f"{css_name}:{value}"

    rules = (rule(name, value) for name, value in style.items() if value is not None)
    return ";".join(r for r in rules if r)


def _safe_url(value: str) -> bool:
    # Browsers ignore tabs and newlines in a URL's scheme ("java\tscript:").
    return bool(_SAFE_URL.match(re.sub(r"[\x00-\x20]", "", value)))


def attributes(
    props: Mapping[str, Any], extra_class: str | None = None, id_prefix: str = ID_PREFIX
) -> str:
    """``props`` (React's names) as HTML attributes, every value escaped, ids (and references
    to ids) prefixed with ``id_prefix``."""
    parts = []
    classes = " ".join(str(c) for c in (extra_class, props.get("className")) if c)
    if classes:
        parts.append(f'class="{html.escape(classes)}"')
    for name, value in props.items():
        if name in _NOT_ATTRIBUTES or name == "className" or value is None or value is False:
            continue
        if not isinstance(name, str) or not _ATTRIBUTE.match(name) or name.lower()[:2] == "on":
            continue
        if name == "style" and isinstance(value, Mapping):
            value = _style(value)
        elif isinstance(value, dict | list):
            continue  # a component's data, no attribute
        attribute = _attribute_name(name)
        if value is True:
            parts.append(attribute)
            continue
        text = str(value)
        if attribute == "id":
            text = id_prefix + text
        elif attribute in _ID_REFERENCES:
            text = " ".join(id_prefix + part for part in text.split())
        elif attribute in _URL_ATTRIBUTES:
            if not _safe_url(text):
                continue
            if attribute == "href" and text.startswith("#") and len(text) > 1:
                text = "#" + id_prefix + text[1:]
        parts.append(f'{attribute}="{html.escape(text)}"')
    return (" " + " ".join(parts)) if parts else ""


def chart_box(props: Mapping[str, Any], number: int) -> str:
    """A chart's box as the prerender writes it: dcc.Graph's outer box (its class and style,
    so the page is laid out as Dash will lay it out, but not ``dash-graph``: that names Dash's
    graphs), empty, numbered in the page's order of graphs; assets/prerender.js draws the
    figure the layout answer holds for that graph."""
    box = {k: props[k] for k in ("id", "style") if k in props}
    box["className"] = props.get("className")
    box["data-prerender-graph"] = number
    opening = f"<div{attributes(box, CHART_CLASS)}>"
    return f'{opening}<div class="prerender-plot"></div></div>'


class PrerenderWriter:
    """Writes a Dash layout (``{"type", "namespace", "props"}`` trees) as HTML."""

    def __init__(
        self,
        graph: GraphWriter = chart_box,
        left_out: Collection[str] = LEFT_OUT_IDS,
        id_prefix: str = ID_PREFIX,
    ) -> None:
        self._graph = graph
        self._id_prefix = id_prefix
        self._left_out = frozenset(left_out)
        self.charts = 0

    def _attributes(self, props: Mapping[str, Any], extra_class: str | None = None) -> str:
        return attributes(props, extra_class, self._id_prefix)

    def _leaves_out(self, props: Mapping[str, Any]) -> bool:
        node_id = props.get("id")
        return isinstance(node_id, str) and node_id in self._left_out

    def render(self, node: Any) -> str:
        if node is None or node is False or node is True:
            return ""
        if isinstance(node, str):
            return html.escape(node, quote=False)
        if isinstance(node, int | float):
            return html.escape(str(node))
        if isinstance(node, list | tuple):
            return "".join(self.render(child) for child in node)
        if not isinstance(node, Mapping) or "type" not in node:
            return ""
        props = node.get("props") or {}
        if self._leaves_out(props):
            return ""
        namespace, kind = node.get("namespace"), str(node["type"])
        if namespace == "dash_html_components":
            return self.element(kind.lower(), props)
        if namespace == "dash_core_components":
            return self.core(kind, props)
        if "rows" in props and "columns" in props:
            return self.table(props)  # StaticTable and the review's tables
        if kind == "StaticHtml":
            return self.tree(props.get("tree"))  # layouts/static_html.py
        if kind == "FeedbackForm":  # layouts/feedback.py: see the module docstring
            form = PrerenderWriter(left_out=(), id_prefix="").tree(props.get("tree"))
            return f"<noscript>{form}</noscript>" if form else ""
        return self.render(props.get("children"))

    def tree(self, node: Any) -> str:
        """StaticHtml's data (``{"t": tag, "p": props, "c": children}`` or text) as HTML."""
        if isinstance(node, list | tuple):
            return "".join(self.tree(child) for child in node)
        if not isinstance(node, Mapping):
            return self.render(node)
        props = node.get("p") or {}
        if self._leaves_out(props):
            return ""
        return self._element(str(node.get("t", "")), props, self.tree(node.get("c") or []))

    def element(self, tag: str, props: Mapping[str, Any], extra_class: str | None = None) -> str:
        return self._element(tag, props, self.render(props.get("children")), extra_class)

    def _element(
        self, tag: str, props: Mapping[str, Any], inner: str, extra_class: str | None = None
    ) -> str:
        if not _TAG.match(tag) or tag in _DROPPED_TAGS:
            return ""
        opening = f"<{tag}{self._attributes(props, extra_class)}>"
        if tag in _VOID:
            return opening
        return f"{opening}{inner}</{tag}>"

    def core(self, kind: str, props: Mapping[str, Any]) -> str:
        if kind == "Link":
            kept = {k: v for k, v in props.items() if k not in ("refresh", "target")}
            return self.element("a", kept)
        if kind == "Graph":
            number = self.charts
            self.charts += 1
            return self._graph(props, number)
        if kind in ("Location", "Store", "Interval", "Download"):
            return ""
        if kind == "Input":
            kept = {k: v for k, v in props.items() if k not in ("debounce", "n_submit")}
            return self.element("input", kept)
        if kind == "Textarea":
            return self.element("textarea", {**props, "children": props.get("value")})
        return self.render(props.get("children"))

    def table(self, props: Mapping[str, Any]) -> str:
        """A table sent as data, written as assets/static-table.js draws it."""
        classes = props.get("column_classes") or []
        columns = props.get("columns") or []
        cards = bool(props.get("card_labels"))

        def role(name: str) -> str | None:
            return name if cards else None

        def cell(tag: str, value: Any, index: int, attrs: Mapping[str, Any]) -> str:
            column_class = classes[index] if index < len(classes) else None
            opening = f"<{tag}{self._attributes({'className': column_class, **attrs})}>"
            return f"{opening}{self.cell(value)}</{tag}>"

        head = "".join(
            cell("th", v, i, {"scope": "col", "role": role("columnheader")})
            for i, v in enumerate(columns)
        )
        rows = []
        for row in props.get("rows") or []:
            cells = [
                cell("th", v, i, {"scope": "row", "role": role("rowheader")})
                if props.get("row_headers") and i == 0
                else cell(
                    "td",
                    v,
                    i,
                    {
                        "role": role("cell"),
                        "data-label": _plain(columns[i]) if cards and i < len(columns) else None,
                    },
                )
                for i, v in enumerate(row)
            ]
            rows.append(f"<tr{self._attributes({'role': role('row')})}>{''.join(cells)}</tr>")
        caption = props.get("caption")
        group = self._attributes({"role": role("rowgroup")})
        table = {"id": props.get("id"), "className": props.get("className"), "role": role("table")}
        return (
            f"<table{self._attributes(table)}>"
            + (f"<caption>{html.escape(str(caption), quote=False)}</caption>" if caption else "")
            + f"<thead{group}><tr{self._attributes({'role': role('row')})}>{head}</tr></thead>"
            + f"<tbody{group}>{''.join(rows)}</tbody></table>"
        )

    def cell(self, value: Any) -> str:
        if isinstance(value, Mapping) and isinstance(value.get("lines"), list):
            return "".join(
                f'<span class="cell-line">{self.piece(line)}</span>' for line in value["lines"]
            )
        return self.piece(value)

    def piece(self, value: Any) -> str:
        """One value of a cell: text, or ``{text, symbol, className, href, spark}``."""
        if value is None:
            return ""
        if not isinstance(value, Mapping):
            return html.escape(str(value), quote=False)
        text = html.escape(str(value.get("text") or ""), quote=False)
        if isinstance(value.get("spark"), list):
            # The sparkline itself is drawn by script; its text says the same numbers.
            return f'<span class="visually-hidden">{text}</span>'
        if value.get("href"):
            text = f"<a{self._attributes({'href': value['href']})}>{text}</a>"
        symbol = value.get("symbol")
        inner = (
            f'<span aria-hidden="true">{html.escape(str(symbol), quote=False)}</span> '
            if symbol
            else ""
        ) + text
        if value.get("className"):
            inner = f"<span{self._attributes({'className': value['className']})}>{inner}</span>"
        return inner


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("text") or "")
    return "" if value is None else str(value)


def prerender(layout: Any, left_out: Collection[str] = LEFT_OUT_IDS) -> str:
    """The page's layout (serialized components) as the prerender's HTML."""
    return PrerenderWriter(left_out=left_out).render(layout)
