"""Charts as plain data: what a chart shows, its text summary and its data table.

A view builds a :class:`ChartSpec`; ``layouts.figures`` draws it with Plotly, ``layouts
.components`` renders its summary and table, and the CSV download writes its table. All three
read the same numbers from the same spec, so the chart, the table and the CSV always agree.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from typing import Any

from dashboard.domain.csv_cells import safe_row

TRACE_KINDS = ("line", "target", "band", "actions", "bar")
_UNSAFE = re.compile(r"[^a-z0-9]+")


def plotly_text(text: str) -> str:
    """Plain text as Plotly's pseudo-HTML, the one place every chart text is escaped.

    Plotly reads a few HTML tags in text (``<a href>``, ``<b>``, ``<br>``): an agency's
    ``<a href=...>`` in an action title or a metric name would be a live link in a legend, a
    hover label or an exported SVG. ``<`` and ``&`` become entities, which Plotly shows as
    the characters again ("R&D <team>" reads "R&D <team>"); quotes need no escaping, the
    text never sits in an attribute. Specs and views hold plain text; only the figure
    builders (``layouts.figures``, ``layouts.report_figures``, the review pack's charts) call
    this, once per text, so nothing is escaped twice.
    """
    return html.escape(text, quote=False)


def plotly_texts(texts: list[str] | None) -> list[str] | None:
    """:func:`plotly_text` of each text (None stays None: "no text")."""
    return None if texts is None else [plotly_text(text) for text in texts]


def file_stem(*parts: object) -> str:
    """A safe, meaningful file name stem: "motor-vehicles_csat-overall_fy2026"."""
    words = [_UNSAFE.sub("-", str(part).lower()).strip("-") for part in parts if part]
    return "_".join(word for word in words if word) or "chart"


@dataclass(frozen=True)
class Trace:
    """One drawn series. ``x`` are ISO dates (period ends); ``y`` are display values.

    kind "line": a result series; ``None`` in ``y`` is a gap (not reported, or a series
    break), never a zero. "target": the target in force as a dated step line. "band": the
    uncertainty interval, ``y`` is the upper and ``y_low`` the lower bound. "actions":
    markers for actions taken, ``text`` gives each one's title. "bar": volumes.
    """

    name: str
    kind: str
    x: list[str]
    y: list[float | None]
    y_low: list[float | None] | None = None
    text: list[str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in TRACE_KINDS:
            raise ValueError(f"unknown trace kind {self.kind!r}")
        if len(self.x) != len(self.y):
            raise ValueError(f"trace {self.name!r}: {len(self.x)} x values, {len(self.y)} y")


@dataclass(frozen=True)
class TableColumn:
    key: str
    label: str
    #: "text", "number" (display value), or "status".
    kind: str = "text"
    #: What a cell without a value says, when an empty cell does not mean "not reported"
    #: (a figure never revised has no earlier value: "–"). None: the table's default.
    missing: str | None = None


@dataclass(frozen=True)
class ChartSpec:
    """Everything needed to draw, describe, tabulate and download one chart."""

    chart_id: str  # unique on its page; used in the CSV URL
    title: str
    summary: str  # one or two sentences written from the data
    y_title: str
    traces: list[Trace]
    columns: list[TableColumn]
    rows: list[dict[str, Any]]
    file_stem: str
    notes: list[str] = field(default_factory=list)  # footnotes: small samples, revisions
    y_range: tuple[float, float] | None = None
    #: The x axis's ticks, (ISO date, label) one per period, so that a quarterly chart is
    #: labelled by quarter and never by day; None lets Plotly choose.
    x_ticks: tuple[tuple[str, str], ...] | None = None
    #: What the chart says when it has no result to draw ("Not reported"), in its language.
    empty_text: str | None = None

    def csv_text(self) -> str:
        """The data table as CSV (UTF-8 text with a header row), exactly the table's values;
        text a spreadsheet could run as a formula gets a leading "'" (numbers stay numbers:
        :mod:`dashboard.domain.csv_cells`)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(safe_row(column.label for column in self.columns))
        for row in self.rows:
            writer.writerow(
                safe_row("" if row.get(c.key) is None else row.get(c.key) for c in self.columns)
            )
        return buffer.getvalue()
