"""The review pack: one PDF with the enterprise summary and a page per agency.

Built from the review page's own view (published data only), as one self-contained HTML
document (inline CSS, each agency's trend charts as an inline SVG image rendered by
:func:`dashboard.infra.exports.render_figure_cached`, every agency's at once on the warm
browser's tabs) laid out by the Jinja2 templates in
``dashboard/templates/review_pack/`` (autoescaped: :mod:`dashboard.infra.templating`), printed to
PDF in that warm browser, or by Debian's Chromium in a subprocess when that fails, each with a
hard time limit, in a temporary directory that is removed afterwards.

An annual review's pack (the view's period a :class:`~dashboard.domain.review.FiscalYear`) says
"annual" and "this year", compares each year with the previous one only (its "year ago" is
that same year) and draws each agency's last fiscal years.

Nothing here knows about requests or the cache: :mod:`dashboard.web.review_jobs` runs builds in
the background and keeps their progress and result.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import logging
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.core.languages import content_languages
from dashboard.domain.charts import plotly_text, value_axis
from dashboard.domain.formatting import display_unit, display_value, format_change, format_day
from dashboard.domain.review import ActionStatus, Addressed, ComparisonRow, ReviewedAction
from dashboard.domain.review_text import (
    MOVEMENT_SYMBOLS,
    action_status_label,
    change_text,
    movement_label,
    rule_notes,
    value_text,
    words,
)
from dashboard.domain.targets import status_label, status_symbol
from dashboard.infra.templating import render as render_template
from dashboard.views.review import ReviewView

#: Debian's Chromium (the browser tests use the same variable).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

#: Hard limit for Chromium to print the document.
PRINT_TIMEOUT_S = 60.0

#: Time limit of one chart image.
CHART_TIMEOUT_S = 20.0

#: Size (CSS pixels) of an agency's row of small trend charts.
CHART_WIDTH, CHART_HEIGHT = 1000, 215

#: At most this many actions on an agency's page (the web page lists them all).
ACTIONS_PER_PAGE = 4

#: Flags that keep Chromium from calling out to the network and from touching a profile
#: another Chromium uses.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--no-pdf-header-footer",
)

_log = logging.getLogger(__name__)

_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")

TEXT: Messages = messages(
    P_("pack_title", "Quarterly review pack, {quarter}"),
    P_("pack_title_year", "Annual review pack, {quarter}"),
    P_("as_of", "Published data as of {day}."),
    P_("made", "Made {day}."),
    P_("summary", "Enterprise summary"),
    P_("met", "Met target"),
    P_("reported", "Reported"),
    P_("improved_count", "Improved"),
    P_("declined_count", "Declined"),
    P_("missed", "Missed"),
    P_("matrix", "Status, result and real change from {previous}, by agency"),
    P_(
        "legend",
        "✓ met · ✗ not met · – no target · ? not reported; ▲ improved · ▼ declined · "
        "≈ no real change · – cannot compare.",
    ),
    P_("top_improved", "Biggest real improvements"),
    P_("top_declined", "Biggest real declines"),
    P_("silent", "Did not report"),
    P_("none", "None."),
    P_("more", "… and {count} more on the review page."),
    P_("missed_here", "Targets missed"),
    P_("moved_here", "Real changes from {previous}"),
    P_("last_reported", "last reported {quarter}"),
    P_("never_reported", "not reported recently"),
    P_("chart_alt", "Trend charts of {agency}, {first} to {last}: {details}"),
    P_("chart_unavailable", "The trend charts could not be drawn: {reason}"),
    P_("target_line", "Target"),
    P_("target_value", "Target {target}"),
    P_("result_line", "Result"),
    P_("followed", "What followed"),
    P_("too_early", "too early to judge"),
    P_("how_to_read", "How to read this pack"),
    P_("page_of", "{agency}"),
    P_("page_number", "Page {page} of {pages}"),
    P_("being_done", "What is being done"),
    P_("being_done_head", "Being done"),
    P_("action_summary_line", "{agency}: {title} ({status})"),
    P_("action_planned", "planned to start {day}"),
    P_("action_since", "since {day}"),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def _title(view: ReviewView) -> str:
    key = "pack_title_year" if view.annual else "pack_title"
    return _t(key, view.language, quarter=view.quarter_label)


def _actions_heading(view: ReviewView) -> str:
    """What is being done: actions in progress or planned, and those done in the period."""
    return _t("being_done", view.language)


#: The page area's height (letter landscape, 215.9 mm, less the pack.css margins), a little
#: under, for the fit script: a sheet taller than this is scaled down to one page.
PAGE_HEIGHT_MM = 192

#: A sheet is never scaled below this (its words must stay readable); a longer one spills.
MIN_ZOOM = 0.6

#: Lines of each list on the summary sheet (the page lists them all).
SUMMARY_LINES = 5


def css_string(text: str) -> str:
    """``text`` as the inside of a CSS string: letters and digits as they are, every other
    character as a six-digit CSS escape. Nothing in it can end the string or the style
    element, and HTML escaping leaves it as it is."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06X}" for c in text)


def page_number_parts(language: str, title: str) -> dict[str, str]:
    """The "Page {page} of {pages}" words around the page counters, as CSS strings
    (:func:`css_string`), in the order the language puts the two numbers."""
    template = TEXT["page_number"]
    text = translate(TEXT, "page_number", language, page="\x00page\x00", pages="\x00pages\x00")
    pieces = text.split("\x00")
    if len(pieces) != 5 or {pieces[1], pieces[3]} != {"page", "pages"}:
        pieces = (
            template.text.replace("{page}", "\x00page\x00")
            .replace("{pages}", "\x00pages\x00")
            .split("\x00")
        )
    return {
        "before": css_string(pieces[0]),
        "first": pieces[1],
        "between": css_string(pieces[2]),
        "second": pieces[3],
        "after": css_string(pieces[4]),
        "title": css_string(title),
    }


ERRORS: Messages = messages(
    P_("error_no_results", "No results are published yet."),
    P_("error_too_long", "it took longer than {seconds} seconds."),
    P_("error_no_printer", "the PDF printer (Chromium) is not installed on the server."),
    P_("error_print_too_long", "printing the PDF took longer than {seconds} seconds."),
    P_("error_printer_failed", "the PDF printer failed{detail}."),
    P_("error_no_yearly_review", "no yearly review is published for {label}."),
    P_("error_busy", "the server is building other review packs."),
    P_("error_unexpected", "an unexpected error occurred."),
)


class PackError(RuntimeError):
    """The pack could not be made; ``messages`` say why, for the reader, by language
    (``message_en`` / ``message_es`` as attributes too)."""

    def __init__(self, message_en: str, message_es: str | None = None, **messages: str) -> None:
        super().__init__(message_en)
        self.messages = {"en": message_en, **({"es": message_es} if message_es else {}), **messages}
        self.message_en = message_en
        self.message_es = message_es or message_en

    @classmethod
    def of(cls, key: str, **values: object) -> PackError:
        """The error ``key`` of :data:`ERRORS`, in every configured language."""
        texts = {
            code: translate(ERRORS, key, code, **values)
            for code in dict.fromkeys(("en", *content_languages()))
        }
        english = texts.pop("en")
        return cls(english, **texts)


@dataclass(frozen=True)
class Pack:
    pdf: bytes
    pages: int
    file_name: str


#: (step, done, total, agency number, agencies) -> None; called as the build goes.
Progress = Callable[[str, int, int, int, int], None]
#: render_figure's signature (a seam for tests).
Renderer = Callable[..., bytes]


def count_pages(pdf: bytes) -> int:
    """Pages of a PDF: its ``/Type /Page`` objects (not ``/Pages``)."""
    return len(_PAGE_OBJECT.findall(pdf))


def file_name(view: ReviewView) -> str:
    assert view.quarter is not None
    quarter = getattr(view.quarter, "quarter", None)  # None: an annual review
    part = f"-q{quarter}" if quarter is not None else ""
    return f"review-pack_fy{view.quarter.fiscal_year}{part}_{view.language}.pdf"


def build_pack(
    view: ReviewView,
    *,
    as_of: dt.date | None,
    progress: Progress | None = None,
    render: Renderer | None = None,
    time_limit_s: float = 120.0,
) -> Pack:
    """The review pack of ``view`` as a PDF. Raises :class:`PackError` on failure."""
    if not view.has_data or view.quarter is None:
        raise PackError.of("error_no_results")
    from dashboard.infra.exports import ExportError, RenderAhead

    if render is None:
        # By content: a pack rebuilt after a publication redraws only the charts that changed.
        from dashboard.infra.exports import render_figure_cached

        render = render_figure_cached
    started = time.monotonic()
    agencies = view.agencies
    total = len(agencies) + 2  # the agencies' charts, then the document, then printing

    def report(step: str, done: int, agency: int = 0) -> None:
        if time.monotonic() - started > time_limit_s:
            raise PackError.of("error_too_long", seconds=f"{time_limit_s:g}")
        if progress is not None:
            progress(step, done, total, agency, len(agencies))

    charts: dict[str, Chart] = {}
    failure: Chart | None = None
    names = {agency.slug: agency.name for agency in agencies}
    failed = threading.Event()

    def draw(slug: str) -> bytes:
        # After one failure the renders not yet begun are not tried: it would repeat.
        if failed.is_set():
            raise ExportError("The chart image service failed.")
        try:
            return _chart_svg(view, slug, names[slug], render)
        except ExportError:
            failed.set()
            raise

    # Every agency's charts are started at once on the browser's tabs, and taken in order.
    with RenderAhead(list(names), draw) as ahead:
        for number, agency in enumerate(agencies, start=1):
            report("agency", number - 1, number)
            if failure is None:
                try:
                    charts[agency.slug] = _chart(view, agency.slug, agency.name, ahead.get)
                except _ChartsUnavailable as error:
                    # One failure (no browser, a time-out) would repeat for every agency: the
                    # rest of the pack goes without charts; the tables hold the same numbers.
                    failure = Chart(note=str(error))
            if failure is not None:
                charts[agency.slug] = failure
    report("document", len(agencies))
    document = pack_html(view, charts, as_of=as_of)
    report("printing", len(agencies) + 1)
    remaining = max(5.0, time_limit_s - (time.monotonic() - started))
    pdf = print_pdf(document, timeout_s=min(PRINT_TIMEOUT_S, remaining))
    return Pack(pdf=pdf, pages=count_pages(pdf), file_name=file_name(view))


# -- printing --------------------------------------------------------------------------------


def print_pdf(document: str, *, timeout_s: float = PRINT_TIMEOUT_S) -> bytes:
    """Print an HTML document to PDF: in the chart images' warm browser
    (:func:`dashboard.infra.exports.print_html`), or, when that fails, with a headless
    Chromium of its own, killed after ``timeout_s``. Starting that Chromium was a third of a
    warm pack's time (bench/review_pack.py)."""
    from dashboard.infra.exports import ExportError, print_html

    if not Path(CHROMIUM).exists():
        raise PackError.of("error_no_printer")
    with tempfile.TemporaryDirectory(prefix="cxdash-pack-") as folder:
        source = Path(folder) / "pack.html"
        target = Path(folder) / "pack.pdf"
        source.write_text(document, encoding="utf-8")
        started = time.monotonic()
        try:
            pdf = print_html(str(source), timeout_s=timeout_s)
            if pdf.startswith(b"%PDF"):
                return pdf
        except ExportError:
            _log.warning("printing the pack in the warm browser failed; printing it anew")
        timeout_s = max(5.0, timeout_s - (time.monotonic() - started))
        command = [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        # Its own process group, so that a hung Chromium is killed with all its children.
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _out, errors = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise PackError.of("error_print_too_long", seconds=f"{timeout_s:g}") from None
        finally:
            _kill(process)  # Chromium may leave helpers behind in its group
        pdf = target.read_bytes() if target.exists() else b""
    if process.returncode != 0 or not pdf.startswith(b"%PDF"):
        detail = (errors or b"").decode("utf-8", "replace").strip().splitlines()[-1:]
        raise PackError.of("error_printer_failed", detail=f" ({detail[0][:200]})" if detail else "")
    return pdf


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        process.wait(2)


# -- charts ----------------------------------------------------------------------------------


def agency_figure(view: ReviewView, agency_slug: str) -> dict[str, Any]:
    """A row of small line charts, one per dimension, of the agency's last quarters (its last
    fiscal years, in an annual review), with a legend (result, target) and each target's
    value written at the end of its line, so that the image stands alone on paper."""
    language = view.language
    rows = view.rows_of(agency_slug)
    # Every text below reaches Plotly, which reads a few HTML tags in it: escaped once, here
    # (plotly_text), from the plain text the view holds. The period labels are the category
    # axis's values and so its tick labels.
    labels = [plotly_text(view.label(q)) for q in view.trend_quarters]
    count = max(len(rows), 1)
    gap = 0.06
    width = (1 - gap * (count - 1)) / count
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "margin": {"l": 40, "r": 36, "t": 30, "b": 62},
        "showlegend": True,
        # One legend for the row of charts, under it: the same two series in each.
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": -0.3,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": 10},
        },
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": "Arial, Helvetica, sans-serif", "size": 10, "color": "#212529"},
        "annotations": [],
    }
    shown_in_legend: set[str] = set()
    for index, row in enumerate(rows):
        suffix = "" if index == 0 else str(index + 1)
        left = index * (width + gap)
        values = [display_value(v, row.metric.scale) for v in row.trend]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": labels,
                "y": values,
                "name": plotly_text(_t("result_line", language)),
                "legendgroup": "result",
                "showlegend": "result" not in shown_in_legend,
                "line": {"color": "#1b3a5c", "width": 2},
                "marker": {"size": 4},
                "connectgaps": False,
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
            }
        )
        shown_in_legend.add("result")
        goal = row.target.value if row.target and row.target.kind == "numeric" else None
        shown_goal = display_value(goal, row.metric.scale) if goal is not None else None
        if shown_goal is not None:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": labels,
                    "y": [shown_goal] * len(labels),
                    "name": plotly_text(_t("target_line", language)),
                    "legendgroup": "target",
                    "showlegend": "target" not in shown_in_legend,
                    "line": {"color": "#842029", "width": 1.5, "dash": "dash"},
                    "hoverinfo": "skip",
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                }
            )
            shown_in_legend.add("target")
            # The target's value, written above the end of its line ("Target ≥ 80%").
            layout["annotations"].append(
                {
                    "text": plotly_text(
                        _t("target_value", language, target=row.this.target_text or "")
                    ),
                    "x": labels[-1],
                    "y": shown_goal,
                    "xref": f"x{suffix}",
                    "yref": f"y{suffix}",
                    "showarrow": False,
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "font": {"size": 9, "color": "#842029"},
                }
            )
        axis = value_axis(row.metric.scale, values, [shown_goal] if shown_goal is not None else [])
        layout[f"xaxis{suffix}"] = {
            "domain": [left, left + width],
            "anchor": f"y{suffix}",
            "tickangle": 0,
            "tickvals": [labels[0], labels[-1]],
            "showgrid": False,
            "linecolor": "#6c757d",
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "title": {"text": plotly_text(display_unit(row.metric.scale, language))},
            "gridcolor": "#dee2e6",
            "zeroline": False,
            **({"range": [axis.low, axis.high], "dtick": axis.step} if axis else {}),
        }
        layout["annotations"].append(
            {
                "text": f"<b>{plotly_text(_dimension_label(view, row))}</b>",
                "x": left + width / 2,
                "y": 1.12,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "xanchor": "center",
                "yanchor": "bottom",
            }
        )
    return {"data": data, "layout": layout}


def _dimension_label(view: ReviewView, row: ComparisonRow) -> str:
    return next((c.label for c in view.columns if c.dimension == row.dimension), row.dimension)


@dataclass(frozen=True)
class Chart:
    """An agency's trend charts on its sheet: an SVG image (``image``: its bytes in base64,
    shown as a ``data:`` address) with the numbers in its ``alt`` text, or, when the charts
    could not be drawn, the ``note`` that says why."""

    image: str | None = None
    alt: str = ""
    note: str = ""
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


class _ChartsUnavailable(Exception):
    """A chart could not be drawn; the argument is the note (text) that takes its place."""


def _chart_svg(view: ReviewView, slug: str, name: str, render: Renderer) -> bytes:
    """The agency's row of small trend charts, as SVG (:func:`agency_figure`)."""
    return render(
        agency_figure(view, slug),
        "svg",
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        timeout_s=CHART_TIMEOUT_S,
    )


def _chart(view: ReviewView, slug: str, name: str, svg_of: Callable[[str], bytes]) -> Chart:
    """The agency's charts as an inline SVG image, with the numbers in its alt text."""
    from dashboard.infra.exports import ExportError

    language = view.language
    rows = view.rows_of(slug)
    details = "; ".join(
        f"{_dimension_label(view, row)} " + ", ".join(value_text_short(v, row) for v in row.trend)
        for row in rows
    )
    alt = _t(
        "chart_alt",
        language,
        agency=name,
        first=view.label(view.trend_quarters[0]),
        last=view.label(view.trend_quarters[-1]),
        details=details,
    )
    try:
        svg = svg_of(slug)
    except ExportError as error:
        # A missing chart must not cost the whole pack: the table above it has the numbers.
        reason = _t("chart_unavailable", language, reason=error.message)
        raise _ChartsUnavailable(reason) from error
    # The SVG goes in as base64 (letters, digits, "+", "/", "="), which the template's
    # escaping leaves as it is: the drawing is never pasted into the document as markup.
    return Chart(image=base64.b64encode(svg).decode("ascii"), alt=alt)


def value_text_short(value: float | None, row: ComparisonRow) -> str:
    shown = display_value(value, row.metric.scale)
    return "–" if shown is None else f"{shown:g}"


# -- the document ----------------------------------------------------------------------------
#
# The templates (dashboard/templates/review_pack/) lay the document out; the functions below
# give them plain text, numbers and lists. Autoescaping is on, so every text from the data is
# escaped there; nothing here makes HTML.


def pack_html(view: ReviewView, charts: dict[str, Chart], *, as_of: dt.date | None) -> str:
    """The whole pack as one self-contained HTML document (everything escaped)."""
    title = _title(view)
    return render_template(
        "review_pack/pack.html",
        language=view.language,
        title=title,
        page_number=page_number_parts(view.language, title),
        page_height_mm=PAGE_HEIGHT_MM,
        min_zoom=MIN_ZOOM,
        summary=_summary_sheet(view, title, as_of),
        agencies=[
            _agency_sheet(view, agency.slug, agency.name, charts.get(agency.slug))
            for agency in view.agencies
        ],
    )


def _status_mark(row: ComparisonRow, language: str) -> dict[str, str]:
    status = row.status
    return {
        "css": status.value,
        "symbol": status_symbol(status),
        "label": status_label(status, language),
    }


def _summary_sheet(view: ReviewView, title: str, as_of: dt.date | None) -> dict[str, Any]:
    language = view.language
    previous = view.label(view.previous)
    compared = words(
        "compared_year" if view.annual else "compared",
        language,
        quarter=view.quarter_label,
        previous=previous,
        year_ago=view.label(view.year_ago),
    )
    actions = [
        _t(
            "action_summary_line",
            language,
            agency=a.action.unit_name,
            title=a.action.title,
            status=action_status_label(a.status, language).lower(),
        )
        for a in view.actions
    ]
    return {
        "title": title,
        "compared": compared,
        "as_of": _t("as_of", language, day=format_day(as_of, language)) if as_of else None,
        "summary_heading": _t("summary", language),
        "summary_heads": [
            words("dimension", language),
            words("measure", language),
            _t("met", language),
            _t("reported", language),
            _t("missed", language),
            _t("improved_count", language),
            _t("declined_count", language),
        ],
        "summaries": [
            {
                "label": summary.label,
                "metric_name": summary.metric_name,
                "met": summary.lines[0],
                "reported": summary.lines[1],
                "missed": summary.missed,
                "improved": summary.improved,
                "declined": summary.declined,
            }
            for summary in view.summaries
        ],
        "matrix_heading": _t("matrix", language, previous=previous),
        "agency_head": words("agency", language),
        "matrix_heads": [column.label for column in view.columns],
        "matrix": [
            {"name": agency.name, "cells": _matrix_cells(view, agency.slug)}
            for agency in view.agencies
        ],
        "legend": _t("legend", language),
        "improved": _section(_t("top_improved", language), _movers(view, view.improved), language),
        "declined": _section(_t("top_declined", language), _movers(view, view.declined), language),
        "silent": _section(
            _t("silent", language),
            [_silent_line(view, row, with_agency=True) for row in view.not_reported]
            + [
                f"{item.row.agency_name}, {item.standard.service_name}, "
                f"{_dimension_label(view, item.row)}"
                for item in view.not_reported_standards
            ],
            language,
            limit=SUMMARY_LINES,
        ),
        "actions": _section(_actions_heading(view), actions, language, limit=SUMMARY_LINES),
        "how_to_read_heading": _t("how_to_read", language),
        "how_to_read": rule_notes(language, view.small_sample_threshold, view.small_sample_policy)[
            :3
        ],
    }


def _matrix_cells(view: ReviewView, slug: str) -> list[dict[str, Any] | None]:
    """An agency's line of the matrix: per dimension its status, and its result and real
    change when it reported one (``None``: the agency has no such row)."""
    language = view.language
    rows = {row.dimension: row for row in view.rows_of(slug)}
    cells: list[dict[str, Any] | None] = []
    for column in view.columns:
        row = rows.get(column.dimension)
        if row is None:
            cells.append(None)
            continue
        reported = row.this.value is not None or row.this.suppressed
        cells.append(
            {
                "mark": _status_mark(row, language),
                "shown": (
                    value_text(row.this, language, view.small_sample_threshold)
                    if reported
                    else None
                ),
                "move": MOVEMENT_SYMBOLS[row.change_previous.movement],
            }
        )
    return cells


def _section(
    heading: str, items: Sequence[str], language: str, *, limit: int | None = None
) -> dict[str, Any]:
    """A heading and its list (at most ``limit`` lines, then how many more there are)."""
    shown = list(items if limit is None else items[:limit])
    more = (
        ""
        if limit is None or len(items) <= limit
        else _t("more", language, count=len(items) - limit)
    )
    return {
        "heading": heading,
        "listing": {"lines": shown, "more": more, "none": _t("none", language)},
    }


def _movers(view: ReviewView, rows: Sequence[ComparisonRow]) -> list[str]:
    return [
        f"{row.agency_name}, {_dimension_label(view, row)}: "
        f"{format_change(row.change_previous.difference, row.metric.scale, view.language)}"
        for row in rows
    ]


def _silent_line(view: ReviewView, row: ComparisonRow, *, with_agency: bool) -> str:
    language = view.language
    when = (
        _t("last_reported", language, quarter=view.label(row.last_reported))
        if row.last_reported
        else _t("never_reported", language)
    )
    head = f"{row.agency_name}, " if with_agency else ""
    return f"{head}{_dimension_label(view, row)} ({when})"


def _agency_sheet(view: ReviewView, slug: str, name: str, chart: Chart | None) -> dict[str, Any]:
    language = view.language
    rows = view.rows_of(slug)
    previous = view.label(view.previous)
    threshold = view.small_sample_threshold
    missed = [
        f"{_dimension_label(view, m.row)}: {value_text(m.row.this, language, threshold)}, "
        f"{words('target', language).lower()} {m.row.this.target_text}"
        for m in view.missed
        if m.row.agency_slug == slug
    ]
    moved = [
        f"{_dimension_label(view, row)}: {movement_label(row.change_previous.movement, language)} "
        f"{format_change(row.change_previous.difference, row.metric.scale, language)}"
        for row in rows
        if row.change_previous.moved
    ]
    silent = [
        _silent_line(view, row, with_agency=False)
        for row in view.not_reported
        if row.agency_slug == slug
    ]
    actions = [a for a in view.actions if a.action.agency_slug == slug]
    more = len(actions) - ACTIONS_PER_PAGE
    return {
        "name": name,
        "title": _title(view),
        "heads": _agency_heads(view),
        "rows": [_agency_row(view, row) for row in rows],
        "chart": chart,
        "missed": _section(_t("missed_here", language), missed, language),
        "moved": _section(_t("moved_here", language, previous=previous), moved, language),
        "silent": _section(_t("silent", language), silent, language),
        "actions_heading": _actions_heading(view),
        "actions": [_action(view, item) for item in actions[:ACTIONS_PER_PAGE]],
        "actions_more": _t("more", language, count=more) if more > 0 else "",
        "none": _t("none", language),
    }


def _agency_heads(view: ReviewView) -> list[str]:
    language = view.language
    # An annual review's "year ago" is its previous year: those columns would repeat.
    year_ago_heads = (
        []
        if view.annual
        else [
            words("year_ago", language, quarter=view.label(view.year_ago)),
            words("change_year_ago", language),
        ]
    )
    return [
        words("measure", language),
        words("this_year" if view.annual else "this_quarter", language, quarter=view.quarter_label),
        words("status", language),
        words("target", language),
        words("previous_quarter", language, quarter=view.label(view.previous)),
        words("change_previous", language),
        *year_ago_heads,
        _t("being_done_head", language),
    ]


def _agency_row(view: ReviewView, row: ComparisonRow) -> dict[str, Any]:
    """A line of an agency's table (``year_ago`` is ``None`` in an annual review)."""
    language, threshold = view.language, view.small_sample_threshold
    return {
        "dimension": _dimension_label(view, row),
        "metric_name": row.metric.name(language),
        "this": value_text(row.this, language, threshold),
        "mark": _status_mark(row, language),
        "target": row.this.target_text or "–",
        "previous": value_text(row.previous, language, threshold),
        "change_previous": _change(row, "previous", language),
        "year_ago": None if view.annual else value_text(row.year_ago, language, threshold),
        "change_year_ago": None if view.annual else _change(row, "year_ago", language),
        # What is being done about this target: the actions addressing it, with their status.
        "being_done": [
            f"{item.action.title} ({action_status_label(item.status, language).lower()})"
            for item in view.actions_for(row)
        ],
    }


def _change(row: ComparisonRow, which: str, language: str) -> str:
    change = row.change_previous if which == "previous" else row.change_year_ago
    return f"{MOVEMENT_SYMBOLS[change.movement]} {change_text(change, row.metric.scale, language)}"


def addressed_line(view: ReviewView, item: Addressed) -> str:
    """ "Access: Calls answered within 60 seconds 55.7%, ✗ Not met, target ≥ 80%"."""
    language = view.language
    cell = item.cell
    label = next((c.label for c in view.columns if c.dimension == item.dimension), item.dimension)
    head = f"{label}: {item.metric.name(language)} "
    head += value_text(cell, language, view.small_sample_threshold)
    if not cell.target_text:
        return head
    mark = f"{status_symbol(cell.status)} {status_label(cell.status, language)}"
    return f"{head}, {mark}, {words('target', language).lower()} {cell.target_text}"


def _action(view: ReviewView, item: ReviewedAction) -> dict[str, Any]:
    """An action on its agency's sheet, with what followed it."""
    language, threshold = view.language, view.small_sample_threshold
    action = item.action
    day = format_day(action.started_on, language) if action.started_on else "–"
    planned = item.status == ActionStatus.PLANNED
    return {
        "title": action.title,
        "unit_name": action.unit_name,
        "status": action_status_label(item.status, language),
        "started": _t("action_planned" if planned else "action_since", language, day=day),
        "addresses": [addressed_line(view, addressed) for addressed in item.addresses],
        "follow_ups": [
            {
                "label": _t("followed", language),
                "metric_name": follow.metric.name(language),
                "before": value_text(follow.before, language, threshold),
                "after": value_text(follow.after, language, threshold),
                "change": change_text(follow.change, follow.metric.scale, language),
                "early": f" ({_t('too_early', language)})" if follow.too_early else "",
            }
            for follow in item.follow_ups
        ],
    }
