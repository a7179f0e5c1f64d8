"""Charts as plain data: what a chart shows, its text summary and its data table.

A view builds a :class:`ChartSpec`; ``layouts.figures`` draws it with Plotly, ``layouts
.components`` renders its summary and table, and the CSV download writes its table. All three
read the same numbers from the same spec, so the chart, the table and the CSV always agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.domain.csv_cells import safe_row

TRACE_KINDS = ("line", "target", "band", "actions", "planned", "small", "bar")
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
    markers for actions taken (under way or done), "planned": markers for actions not yet
    started; ``text`` gives each one's hover text and ``labels`` the words drawn beside it.
    "small": the small-sample points of the "line" before it, drawn hollow over it. "bar":
    volumes.
    """

    name: str
    kind: str
    x: list[str]
    y: list[float | None]
    y_low: list[float | None] | None = None
    text: list[str] | None = None
    #: "target": the words drawn at the line's latest value ("Target ≥ 95%"); None: none.
    label: str | None = None
    #: "actions" and "planned": the words drawn beside each marker.
    labels: list[str] | None = None
    #: "line": which :func:`series_style` the series wears (a breakdown passes each group's
    #: place in its segment's fixed order, so "Email" looks the same on every chart); None:
    #: its place among the chart's lines.
    style: int | None = None

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
    #: The scale of the y values ("percent", "mean_1_5", "count"...): sets the value axis by
    #: :func:`value_axis` when ``y_range`` does not fix it.
    scale: str | None = None
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


# -- the rules every public chart follows ------------------------------------------------------
#
# One place for what makes a chart honest and readable, as plain functions: the figure builders
# (``layouts.figures`` for the pages, ``layouts.report_figures`` for the images, the review
# pack) draw what these decide. Stated on the methodology page (``chart_rules`` there).

#: The least span of a value axis, in display units, per scale: one point of noise on a
#: percentage never fills the chart's height (95–97% drawn as a cliff).
MIN_SPAN: dict[str, float] = {
    "fraction": 20.0,
    "percent": 20.0,
    "mean_1_5": 1.0,
    "score_0_10": 2.0,
}
#: The values a bounded scale can take: its axis never goes past them.
SCALE_BOUNDS: dict[str, tuple[float, float]] = {
    "fraction": (0.0, 100.0),
    "percent": (0.0, 100.0),
    "mean_1_5": (1.0, 5.0),
    "score_0_10": (0.0, 10.0),
}
#: Durations and volumes start at zero: a bar or a line of a magnitude is read from zero.
FROM_ZERO = ("seconds", "minutes", "hours", "business_days", "count")
#: Headroom above and below the values, as a share of their span (no point on the frame).
_PAD = 0.05
_NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class AxisRange:
    """A value axis: ``low`` to ``high``, ticks every ``step`` from ``low`` (both ends are
    ticks, so nothing drawn, the target included, sits above the top tick)."""

    low: float
    high: float
    step: float


def nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``raw``."""
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for nice in _NICE_STEPS:
        if nice * magnitude >= raw * (1 - 1e-9):
            return nice * magnitude
    return 10.0 * magnitude  # pragma: no cover - 10 is always enough


def _finite(values: Iterable[float | int | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def value_axis(
    scale: str | None,
    values: Iterable[float | int | None],
    targets: Iterable[float | int | None] = (),
    *,
    fixed: tuple[float, float] | None = None,
) -> AxisRange | None:
    """The value axis of a chart on ``scale`` showing ``values``, always including ``targets``.

    - percentages span at least :data:`MIN_SPAN` (20 points), means on 1–5 at least 1 point,
      scores on 0–10 at least 2, centred on what is drawn and kept within the scale's bounds;
    - durations and volumes (:data:`FROM_ZERO`) start at zero;
    - a ``fixed`` range (a 0–100 score) is kept, widened only to show a target outside it;
    - the ends are whole ticks (:func:`nice_step`), the top at or above every value and target.

    None when there is nothing to draw (Plotly's default then applies).
    """
    drawn = _finite(values) + _finite(targets)
    if fixed is not None:
        low, high = float(min(fixed)), float(max(fixed))
        if drawn:
            low, high = min(low, *drawn), max(high, *drawn)
        step = nice_step((high - low) / 5) if high > low else 1.0
        return AxisRange(_on_step(low, step, math.floor), _on_step(high, step, math.ceil), step)
    if not drawn:
        return None
    low, high = min(drawn), max(drawn)
    if scale in FROM_ZERO:
        low, high = min(0.0, low), max(0.0, high)
        high += (high - low) * _PAD
        if high <= low:
            high = low + 1.0
    else:
        pad = (high - low) * _PAD
        low, high = low - pad, high + pad
        least = MIN_SPAN.get(scale or "", 0.0)
        if high - low < least:
            middle = (low + high) / 2
            low, high = middle - least / 2, middle + least / 2
        if high <= low:  # one value on a scale without a stated span
            low, high = low - max(abs(low) * 0.1, 1.0), high + max(abs(high) * 0.1, 1.0)
        bounds = SCALE_BOUNDS.get(scale or "")
        if bounds is not None:
            # Shift (not cut) a range that runs past a bound, then keep it within both.
            if low < bounds[0]:
                low, high = bounds[0], high + (bounds[0] - low)
            if high > bounds[1]:
                low, high = low - (high - bounds[1]), bounds[1]
            low, high = max(low, bounds[0]), min(high, bounds[1])
    step = nice_step((high - low) / 5)
    low, high = _on_step(low, step, math.floor), _on_step(high, step, math.ceil)
    bounds = SCALE_BOUNDS.get(scale or "")
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return AxisRange(low, high, step)


def _on_step(value: float, step: float, rounding: Any) -> float:
    """``value`` rounded (down with math.floor, up with math.ceil) to a whole ``step``."""
    return round(rounding(round(value / step, 9)) * step, 9)


# -- the time axis -----------------------------------------------------------------------------

#: At most this many labelled periods on a chart's time axis: six fit a phone's width (375 px)
#: as two-line labels without overlapping or turning sideways.
MAX_AXIS_TICKS = 6


#: Strides between labelled periods: each divides a year of months (or, from 4, is a year of
#: quarters), so the labels repeat the same month or quarter ("Jun 2023", "Jun 2024").
_TICK_STRIDES = (1, 2, 4, 6, 12, 24, 48, 96)


def axis_ticks(
    ticks: Sequence[tuple[str, str]], most: int = MAX_AXIS_TICKS
) -> list[tuple[str, str]]:
    """(x, label) ticks thinned to at most ``most``, every n-th counting back from the
    latest, which is always labelled (the period people look for first)."""
    ordered = sorted(dict(ticks).items())
    least = max(1, math.ceil(len(ordered) / most))
    step = next((stride for stride in _TICK_STRIDES if stride >= least), least)
    return ordered[::-1][::step][::-1]


def every_tick(ticks: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(x, label) of every period, in date order, once each (the first label of an x wins):
    a chart's ``x_ticks`` before :func:`axis_ticks` picks the ones it labels."""
    labels: dict[str, str] = {}
    for x, label in ticks:
        labels.setdefault(x, label)
    return tuple(sorted(labels.items()))


def tick_lines(label: str) -> list[str]:
    """A period label on two lines at its first space: "FY2022 Q1" -> "FY2022", "Q1"
    ("T1 AF2022", "nov. 2023" alike); a label without a space stays one line."""
    first, space, rest = label.partition(" ")
    return [first, rest] if space and rest else [label]


def wrap_words(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken between words (a word longer
    than a line is kept whole: never cut mid-word, never "…one business da")."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [text]


#: Characters a legend entry takes on one line: ~24 fit a phone's width beside its symbol.
LEGEND_LINE_CHARS = 24


# -- series told apart without colour ----------------------------------------------------------


@dataclass(frozen=True)
class SeriesStyle:
    colour: str
    symbol: str  # Plotly marker symbol (its "-open" variant marks a small sample)
    dash: str  # Plotly line dash


#: Colours of result series (each ≥ 3:1 against white, WCAG 1.4.11), one per marker shape:
#: a breakdown by channel has nine series at most, each with its own colour and shape.
SERIES_COLOURS = (
    "#1b3a5c",
    "#2a7ab0",
    "#5b8c2a",
    "#8c4a2a",
    "#6b6b6b",
    "#7a3f8f",
    "#1f7a7a",
    "#a63d6b",
    "#6e6a14",
)
#: Marker shapes (not the diamond: actions wear it).
SERIES_SYMBOLS = (
    "circle",
    "square",
    "triangle-up",
    "triangle-down",
    "pentagon",
    "hexagon",
    "star",
    "triangle-left",
    "triangle-right",
)
#: Line dashes, none like the target's "dash" (long dashes read as a target line); they
#: repeat, colour and shape do not.
SERIES_DASHES = ("solid", "dot", "dashdot")


def series_style(index: int) -> SeriesStyle:
    """The style of the ``index``-th result series: its colour and its marker differ from
    every other series' up to nine (:data:`SERIES_SYMBOLS`), and its dash from its
    neighbours', so colour is never the only signal (WCAG 1.4.1); beyond nine the markers
    cycle again with the colours shifted, so no two series look alike."""
    count = len(SERIES_SYMBOLS)
    return SeriesStyle(
        colour=SERIES_COLOURS[(index + index // count) % len(SERIES_COLOURS)],
        symbol=SERIES_SYMBOLS[index % count],
        dash=SERIES_DASHES[index % len(SERIES_DASHES)],
    )


# -- actions on a chart ------------------------------------------------------------------------


def action_day(
    status: str,
    started_on: dt.date,
    completed_on: dt.date | None,
    first: dt.date,
    last: dt.date,
) -> dt.date | None:
    """Where an action's marker goes on a chart whose data runs from ``first`` to ``last``
    (the first and latest points' x): never outside them, so no axis is stretched to show a
    plan for next year.

    Its start when that falls within the data; otherwise its completion when that does; an
    action under way since before the data starts sits at the first point. A planned action
    is drawn only when its (planned) start falls within the data; an action entirely before
    or after the data is not drawn (None): the page lists it below the chart.
    """
    if first <= started_on <= last:
        return started_on
    if status == "planned":
        return None
    if completed_on is not None and first <= completed_on <= last:
        return completed_on
    if started_on < first and (completed_on is None or completed_on > last):
        return first
    return None


def action_is_planned(status: str) -> bool:
    """A planned action is kept apart from those taken (under way or completed)."""
    return status == "planned"


#: Characters of an action's label per line on the chart (two lines at most).
ACTION_LABEL_LINE_CHARS = 18


def label_positions(xs: Sequence[str], first: str, last: str) -> list[str]:
    """Where each action's label goes (Plotly ``textposition``): above its marker, leaning
    into the chart near either end, so that no label runs off the chart's edge. ``xs``,
    ``first`` and ``last`` are ISO dates (the data's first and latest points)."""
    try:
        start, end = dt.date.fromisoformat(first[:10]), dt.date.fromisoformat(last[:10])
        days = [dt.date.fromisoformat(x[:10]) for x in xs]
    except ValueError:
        return ["top center"] * len(xs)
    span = max((end - start).days, 1)
    positions = []
    for day in days:
        share = (day - start).days / span
        positions.append(
            "top right" if share < 0.25 else "top left" if share > 0.75 else "top center"
        )
    return positions
