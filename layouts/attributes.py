"""HTML attributes Dash takes only as wildcard keywords (``aria-*``, ``data-*``), typed.

Their names have dashes, so they reach a component as ``**aria(labelledby="heading")``. A
plain ``**{"aria-label": ...}`` would be typed ``dict[str, str]``, which mypy checks against
every typed keyword of the component; a TypedDict names exactly the keys it holds.
"""

from __future__ import annotations

from typing import TypedDict

HtmlAttributes = TypedDict(
    "HtmlAttributes",
    {
        "aria-current": str,
        "aria-hidden": str,
        "aria-label": str,
        "aria-labelledby": str,
        "aria-live": str,
        "data-label": str,
    },
    total=False,
)


def aria(
    *,
    current: str | None = None,
    hidden: str | None = None,
    label: str | None = None,
    labelledby: str | None = None,
    live: str | None = None,
) -> HtmlAttributes:
    """``aria-*`` attributes; those left None are not set."""
    attributes: HtmlAttributes = {}
    if current is not None:
        attributes["aria-current"] = current
    if hidden is not None:
        attributes["aria-hidden"] = hidden
    if label is not None:
        attributes["aria-label"] = label
    if labelledby is not None:
        attributes["aria-labelledby"] = labelledby
    if live is not None:
        attributes["aria-live"] = live
    return attributes


def data_label(label: str) -> HtmlAttributes:
    """``data-label``: a table cell's column name, shown beside it on narrow screens."""
    return {"data-label": label}
