"""``StaticTable``: a whole read-only table as ONE Dash component.

Why: the Dash renderer's cost grows faster than linearly with the number of components in a
layout (plotly/dash#3846). A data table built from ``html.Tr``/``html.Td`` costs one component
per cell; an agency page's tables alone held ~3,000 of them and delayed its first chart by
seconds. This component carries the table as plain data (strings, never markup) and a ~60-line
React function in ``assets/static-table.js`` draws it with ``React.createElement``, so nothing
is parsed as HTML and there is no injection risk.

A cell is a string, or a dict with ``text`` and optionally ``symbol`` (drawn aria-hidden
before the text: a status icon), ``className``, ``href`` (a link) and ``sort`` (not shown).
A cell with ``spark`` (a list of numbers, None for a gap) is drawn as a tiny inline SVG line,
hidden from screen readers, with its ``text`` (the same numbers in words) visually hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash.development.base_component import Component

Cell = str | dict[str, Any] | None


def cell(
    text: str,
    *,
    symbol: str | None = None,
    class_name: str | None = None,
    href: str | None = None,
) -> dict[str, Any]:
    """A table cell with an icon, a class or a link (plain text cells are just strings)."""
    value: dict[str, Any] = {"text": text}
    if symbol:
        value["symbol"] = symbol
    if class_name:
        value["className"] = class_name
    if href:
        value["href"] = href
    return value


def sparkline_cell(text: str, numbers: list[float | None]) -> dict[str, Any]:
    """A cell drawn as a sparkline of ``numbers``; ``text`` says the same for screen readers."""
    return {"text": text, "spark": [None if n is None else float(n) for n in numbers]}


class StaticTable(Component):
    """A read-only table: caption, column headings and rows of cells (see module docstring).

    ``row_headers``: the first cell of each row names the row (``<th scope="row">``) so that
    a screen reader announces it with every value. ``card_labels``: each data cell carries
    its column's heading (``data-label``) and the table explicit ARIA roles, for a style sheet
    that lays it out as one card per row on a narrow screen (``assets/review.css``). A cell
    may stack several values (``{"lines": [...]}``).
    """

    # Declared like Dash's own Component declares them (instance attributes with a default).
    _children_props: list[str] = []  # noqa: RUF012
    _base_nodes: list[str] = []  # noqa: RUF012
    _namespace = "cxdash"
    _type = "StaticTable"

    def __init__(
        self,
        *,
        columns: Sequence[Cell],
        rows: Sequence[Sequence[Cell]],
        caption: str | None = None,
        row_headers: bool = False,
        column_classes: list[str | None] | None = None,
        className: str | None = None,
        id: str | None = None,
        card_labels: bool = False,
    ) -> None:
        self._prop_names = [
            "id",
            "caption",
            "columns",
            "rows",
            "row_headers",
            "column_classes",
            "className",
            "card_labels",
        ]
        self._valid_wildcard_attributes: list[str] = []
        self.available_properties = list(self._prop_names)
        self.available_wildcard_properties: list[str] = []
        props = {
            "id": id,
            "caption": caption,
            "columns": list(columns),
            "rows": [list(row) for row in rows],
            "row_headers": row_headers,
            "column_classes": column_classes,
            "className": className,
            "card_labels": card_labels or None,
        }
        super().__init__(**{key: value for key, value in props.items() if value is not None})
