"""The quarterly review page: period choice, the review's questions, the comparison table.

A pure function of the view (``dashboard.views.review``) and the page context. The period
and sort choices are one plain GET form with native selects, so every state of the page is a
permalink. The review pack panel is the only interactive part (callbacks/review.py).

On a phone the page was 42,733 px tall: its parts now open and close (:func:`collapsible`,
native ``<details>``). The rule: targets missed and measures not reported are open (the
meeting's agenda); each dimension's rows of the comparison, the movers, the actions and the
notes are closed, each summary line saying what it holds ("Timeliness — 9 met, 2 missed, 1
did not report"). "On this page" jumps to each part; printing opens them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dash import dcc, html

from dashboard.core.i18n import NP_, P_, Messages, messages, t, translate
from dashboard.domain.formatting import display_value, format_alike, format_change, format_day
from dashboard.domain.review import (
    SORT_KEYS,
    ActionStatus,
    Addressed,
    ComparisonRow,
    FollowUp,
    MissedTarget,
    ReviewedAction,
    quarter_bounds,
)
from dashboard.domain.review_text import (
    MOVEMENT_SYMBOLS,
    action_status_label,
    change_text,
    rule_notes,
    short_change_text,
    value_text,
    words,
)
from dashboard.domain.scorecard import dimension_label
from dashboard.domain.targets import status_label, status_symbol
from dashboard.views.review import DimensionReview, ReviewView
from dashboard.web.review_jobs import PackRequest
from layouts.attributes import aria
from layouts.static_table import Cell, StaticTable, cell, sparkline_cell

if TYPE_CHECKING:
    from dashboard.web.pages import PageContext

TEXT: Messages = messages(
    P_("fy_label", "Fiscal year"),
    P_("q_label", "Quarter"),
    P_("sort_label", "Sort the table by"),
    P_("sort_name", "Agency name (A–Z)"),
    P_("sort_dimension", "Dimension"),
    P_("sort_status", "Status (not met first)"),
    P_("sort_declines", "Biggest declines first"),
    P_("sort_improvements", "Biggest improvements first"),
    P_("show", "Show this quarter"),
    P_("no_data", "No quarterly results have been published yet."),
    P_(
        "print",
        "To print this review, use your browser's Print command: the page prints "
        "without its menus and forms.",
    ),
    P_("pack_heading", "Review pack"),
    P_(
        "pack_intro",
        "One PDF for the meeting: the summary across agencies, then a page per agency "
        "with its results, targets missed, real changes, actions and small trend charts.",
    ),
    P_("pack_button", "Build the review pack (PDF)"),
    P_("pack_progress", "Review pack progress"),
    NP_(
        "pack_waiting",
        "Waiting: the server is preparing {count} other download first…",
        "Waiting: the server is preparing {count} other downloads first…",
    ),
    P_("pack_starting", "Starting the review pack…"),
    P_("pack_loading", "Gathering the figures…"),
    P_("pack_agency", "Drawing agency {done} of {total}…"),
    P_("pack_printing", "Printing the PDF…"),
    P_("pack_ready", "The review pack is ready ({pages} pages)."),
    P_("pack_download", "Download the review pack for {quarter} (PDF, {size})"),
    P_("pack_failed", "The review pack could not be made: {reason} Please try again."),
    P_("pack_lost", "The review pack is no longer available. Please build it again."),
    P_("summary_heading", "Across all agencies"),
    P_("missed_heading", "Targets missed this quarter"),
    P_(
        "missed_caption",
        "Results in {quarter} that did not meet the target in force, furthest from the "
        "target first.",
    ),
    P_("missed_none", "Every result judged against a numeric target met it."),
    P_("movers_heading", "Biggest movers"),
    P_(
        "movers_intro",
        "Changes from {previous} larger than the margin of error (or, for measures "
        "without one, the threshold explained below).",
    ),
    P_("improved_heading", "Improved"),
    P_("declined_heading", "Declined"),
    P_("improved_caption", "Biggest real improvements since {previous}"),
    P_("declined_caption", "Biggest real declines since {previous}"),
    P_("improved_none", "No result improved by more than its margin of error."),
    P_("declined_none", "No result declined by more than its margin of error."),
    P_("silent_heading", "Did not report"),
    P_(
        "silent_caption_all",
        "Measures with no result in {quarter}, as the overview counts them, and when each "
        "was last reported",
    ),
    P_("standard_of", "{service}, {agency}"),
    P_("silent_none_all", "Every agency reported a result for every dimension in {quarter}."),
    P_("action_dates", "Status on {day}: {status}. Started {started}."),
    P_("action_completed", "Completed {day}."),
    P_("action_by", "By {unit}"),
    P_("action_more", "More about this action"),
    P_("followed_caption", "What followed: {before} (before it started) against {after}"),
    P_("before", "Before ({quarter})"),
    P_("after", "After ({quarter})"),
    P_("change", "Change"),
    P_("too_early", "Started during {quarter}: too early to judge."),
    P_("no_followed", "No published measure of results to follow for this action."),
    P_("table_heading", "Every agency, every dimension"),
    P_(
        "table_caption",
        "Each agency's result in {quarter}, {previous} and {year_ago}, the change and "
        "whether it counts, the status against the target, and the last {count} quarters.",
    ),
    P_("trend_words", "{label}: {value}"),
    P_("notes_heading", "How to read this review"),
    P_("no_target", "No target"),
    P_("being_done_heading", "What is being done"),
    P_("contents", "On this page"),
    P_(
        "being_done_intro",
        "Every published action in progress or planned on {day}, and those completed during "
        "{quarter}, each with the targets it addresses.",
    ),
    P_("being_done_none", "No published action is in progress, planned or completed in {quarter}."),
    P_("group_in_progress", "In progress"),
    P_("group_planned", "Planned"),
    P_("group_completed", "Completed during {quarter}"),
    P_("planned_dates", "Planned to start {day}."),
    P_("addresses", "Addresses"),
    P_("addressed_line", "{measure}: {result}, {status}, target {target}"),
    P_("addressed_no_target", "{measure}: {result}, no target"),
    P_("being_done", "What is being done"),
    P_("action_line", "{status}: {title}"),
    P_("target_of", "Target {target}"),
    P_("never_published", "No result published"),
    P_("suppressed_now", "Not shown this quarter: fewer than {n} responses"),
    # The collapsible sections (issue 13): each <summary> line says what its section holds.
    P_("dimension_headline", "{dimension} — {met}, {missed}, {silent}"),
    NP_("headline_met", "{count} met", "{count} met"),
    NP_("headline_missed", "{count} missed", "{count} missed"),
    NP_("headline_silent", "{count} did not report", "{count} did not report"),
    NP_("missed_summary", "{count} target missed", "{count} targets missed"),
    NP_("silent_summary", "{count} measure not reported", "{count} measures not reported"),
    P_("movers_summary", "{improved}, {declined}"),
    NP_("headline_improved", "{count} improved", "{count} improved"),
    NP_("headline_declined", "{count} declined", "{count} declined"),
    P_("notes_summary", "The rules behind the words and marks"),
    P_(
        "sections_hint",
        "Each part opens and closes with its title line; targets missed and measures not "
        "reported are open, and printing opens every part.",
    ),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def review_table(**props: Any) -> StaticTable:
    """A review table: a cell may stack several values (:func:`stacked`), and on a narrow
    screen each row is a card whose values carry their column's heading
    (``card_labels``, ``assets/review.css``), so that no review table is wider than the
    screen. A real table with headers for screen readers."""
    return StaticTable(card_labels=True, **props)


def stacked(*values: Cell) -> dict[str, Any]:
    """One cell holding several values, one under the other (empty ones left out)."""
    return {"lines": [value for value in values if value]}


def layout(view: ReviewView, context: PageContext) -> list:
    language = view.language
    heading = [
        html.H1(words("title", language)),
        html.P(words("intro", language), className="lead"),
    ]
    if not view.has_data:
        return [*heading, html.P(_t("no_data", language), className="alert alert-info")]
    return [
        html.Div(
            [
                *heading,
                _period_form(view, context),
                html.P(
                    words(
                        "compared_year" if view.annual else "compared",
                        language,
                        quarter=view.quarter_label,
                        previous=view.label(view.previous),
                        year_ago=view.label(view.year_ago),
                    ),
                    className="review-compared fw-semibold",
                    id="review-compared",
                ),
                _contents(view),
                html.P(_t("print", language), className="small no-print"),
                pack_panel(view),
                _summary(view),
                _missed(view),
                _movers(view),
                _not_reported(view),
                _actions(view, context),
                _comparison(view, context),
                _notes(view),
            ],
            className="review-page",
        )
    ]


def _contents(view: ReviewView) -> html.Nav:
    """Links to the review's questions: on a phone the page is long, the table last."""
    language = view.language
    sections = [
        ("review-summary", _t("summary_heading", language)),
        ("review-missed", _t("missed_heading", language)),
        ("review-movers", _t("movers_heading", language)),
        ("review-silent", _t("silent_heading", language)),
        ("review-actions", _t("being_done_heading", language)),
        ("review-table-section", _t("table_heading", language)),
        ("review-notes", _t("notes_heading", language)),
    ]
    dimensions = [
        html.Li(html.A(summary.label, href=f"#{dimension_section_id(summary.dimension)}"))
        for summary in view.summaries
    ]
    return html.Nav(
        [
            html.H2(_t("contents", language), id="review-contents-heading", className="h6 mb-1"),
            html.Ul(
                [html.Li(html.A(label, href=f"#{target}")) for target, label in sections],
                className="review-contents",
            ),
            # The jump menu's second row: straight to one dimension's section of the table.
            html.Ul(dimensions, className="review-contents review-contents-dimensions")
            if dimensions
            else None,
            html.P(_t("sections_hint", language), className="small mb-0 mt-1"),
        ],
        className="no-print mb-3",
        **aria(labelledby="review-contents-heading"),
    )


# -- controls --------------------------------------------------------------------------------


def _option(label: str, value: str, chosen: str | None) -> html.Option:
    return html.Option(label, value=value, selected=value == chosen)


def _select(label: str, control_id: str, name: str, options: list[html.Option]) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=control_id, className="form-label"),
            html.Select(options, id=control_id, name=name, className="form-select"),
        ],
        className="col-12 col-sm-4 col-lg-3",
    )


def _period_form(view: ReviewView, context: PageContext) -> html.Form:
    language = view.language
    assert view.quarter is not None
    fy = str(view.quarter.fiscal_year)
    q = "" if view.annual else str(getattr(view.quarter, "quarter", ""))
    return html.Form(
        [
            html.Div(
                [
                    _select(
                        _t("fy_label", language),
                        "review-fy",
                        "fy",
                        [_option(o.label, o.value, fy) for o in view.fiscal_year_options],
                    ),
                    _select(
                        _t("q_label", language),
                        "review-q",
                        "q",
                        [_option(o.label, o.value, q) for o in view.quarter_options],
                    ),
                    _select(
                        _t("sort_label", language),
                        "review-sort",
                        "sort",
                        [_option(_t(f"sort_{key}", language), key, view.sort) for key in SORT_KEYS],
                    ),
                    html.Div(
                        html.Button(
                            _t("show", language),
                            type="submit",
                            className="btn btn-primary",
                            id="review-submit",
                        ),
                        className="col-12 col-lg-3 d-flex align-items-end",
                    ),
                ],
                className="row g-3",
            ),
            dcc.Input(type="hidden", name="lang", value=language) if language != "en" else None,
        ],
        method="get",
        action=context.path,
        className="filters review-form mt-3 mb-3",
        id="review-form",
    )


# -- the review pack panel -------------------------------------------------------------------


def pack_panel(view: ReviewView) -> html.Section:
    """The button, then a progress bar and words announced politely, then the link."""
    language = view.language
    assert view.quarter is not None
    return html.Section(
        [
            html.H2(_t("pack_heading", language), id="review-pack-heading", className="h4"),
            html.P(_t("pack_intro", language), className="small"),
            html.Button(
                _t("pack_button", language),
                id="review-pack-button",
                type="button",
                className="btn btn-outline-primary",
                n_clicks=0,
            ),
            # The period (a quarter, or a whole fiscal year) the pack reviews.
            dcc.Store(
                id="review-pack-request",
                data=PackRequest.of(view.quarter, language).data(),
            ),
            dcc.Store(id="review-pack-job"),
            dcc.Interval(id="review-pack-poll", interval=600, disabled=True),
            html.Progress(
                id="review-pack-progress",
                max=1,
                value="0",  # Dash types it as text; the browser reads it as a number
                hidden=True,
                # Shown (display: block) only once a build starts: assets/review.css.
                className="review-pack-progress w-100 mt-3",
                **aria(label=_t("pack_progress", language)),
            ),
            html.P(
                id="review-pack-status",
                role="status",
                className="mt-2 mb-1",
                **aria(live="polite"),
            ),
            html.Div(id="review-pack-link"),
        ],
        className="review-pack card card-body mb-4 no-print",
        id="review-pack",
        **aria(labelledby="review-pack-heading"),
    )


def pack_state(
    status: dict[str, Any] | None, language: str, quarter_label: str, download_href: str
) -> tuple[str, int, int, bool, Any, bool]:
    """(words, progress value, progress max, progress hidden, link, polling stops) of a job."""
    if status is None:
        return _t("pack_lost", language), 0, 1, True, None, True
    state = status.get("state")
    total = max(int(status.get("total") or 1), 1)
    done = min(int(status.get("done") or 0), total)
    if state == "done":
        size = f"{max(int(status.get('size') or 0) // 1024, 1):,} KB"
        link = html.A(
            _t("pack_download", language, quarter=quarter_label, size=size),
            href=download_href,
            download=status.get("file_name") or "review-pack.pdf",
            className="btn btn-primary",
            id="review-pack-download",
        )
        words_ = _t("pack_ready", language, pages=status.get("pages") or "")
        return words_, total, total, False, link, True
    if state == "error":
        reason = status.get(f"error_{language}") or status.get("error_en") or ""
        return _t("pack_failed", language, reason=reason), done, total, True, None, True
    step = status.get("step")
    if state == "queued":
        # Only a build really waiting for others says so; a build about to start says that.
        ahead = int(status.get("ahead") or 0)
        words_ = (
            _t("pack_waiting", language, count=ahead)
            if ahead > 0
            else _t("pack_starting", language)
        )
    elif step == "agency":
        words_ = _t(
            "pack_agency",
            language,
            done=status.get("agency") or 0,
            total=status.get("agencies") or 0,
        )
    elif step == "printing":
        words_ = _t("pack_printing", language)
    else:
        words_ = _t("pack_loading", language)
    return words_, done, total, False, None, False


# -- the review's questions ------------------------------------------------------------------


def _section(section_id: str, heading: str, content: list[Any]) -> html.Section:
    return html.Section(
        [html.H2(heading, id=f"{section_id}-heading", className="h3"), *content],
        className="review-section mb-5",
        id=section_id,
        **aria(labelledby=f"{section_id}-heading"),
    )


def collapsible(summary: Any, content: list[Any], *, open_: bool, **props: Any) -> html.Details:
    """A part of the review that opens and closes with its title line: a native
    ``<details>``, so it works without JavaScript and from the keyboard (Enter or Space on the
    summary). The summary says what the part holds ("Timeliness — 9 met, 2 missed, 1 did not
    report"), so a closed part still answers the meeting's first question. Printing opens
    every part (``assets/review_sections.css``, ``assets/review_sections.js``)."""
    return html.Details(
        [html.Summary(summary, className="review-collapsible-summary"), *content],
        open=open_,
        className="review-collapsible",
        **props,
    )


def dimension_section_id(dimension: str) -> str:
    return f"review-dimension-{dimension}"


def dimension_headline(summary: DimensionReview, language: str) -> str:
    """ "Timeliness — 9 met, 2 missed, 1 did not report": the enterprise roll-up's counts,
    the same as the summary card's (agencies judged against a target, agencies reporting)."""
    met, reported = summary.met, summary.reported
    return _t(
        "dimension_headline",
        language,
        dimension=summary.label,
        met=_t("headline_met", language, count=met.count),
        missed=_t("headline_missed", language, count=met.total - met.count),
        silent=_t("headline_silent", language, count=reported.total - reported.count),
    )


def _scroll_region(table: Any, labelled_by: str) -> html.Div:
    """A table that may scroll sideways on a narrow screen: a named region that takes focus,
    so that keyboard users can scroll it too (WCAG 2.1.1; axe "scrollable-region-focusable")."""
    # Named by the table's own caption where it has one: the section around it already
    # carries the heading's name, and two landmarks may not share one.
    caption = getattr(table, "caption", None)
    name = aria(label=caption) if isinstance(caption, str) else aria(labelledby=labelled_by)
    return html.Div(table, className="table-responsive", tabIndex="0", role="region", **name)


def _summary(view: ReviewView) -> html.Section:
    language = view.language
    return _section(
        "review-summary",
        f"{_t('summary_heading', language)}, {view.quarter_label}",
        [
            html.Ul(
                [_summary_card(summary) for summary in view.summaries],
                # As many cards a row as fit (all five dimensions on a desktop).
                className="review-summary-cards list-unstyled",
            )
        ],
    )


def _summary_card(summary: DimensionReview) -> html.Li:
    first, *rest = summary.lines
    return html.Li(
        html.Div(
            [
                html.H3(summary.label, className="h5 mb-1"),
                html.P(summary.metric_name, className="small text-body-secondary mb-2"),
                html.P(first, className="fw-semibold mb-1"),
                html.Ul([html.Li(line) for line in rest], className="small mb-0 ps-3"),
            ],
            className="card card-body h-100",
        ),
        id=f"review-summary-{summary.dimension}",
    )


def _status_cell(row: ComparisonRow, language: str) -> Cell:
    status = row.status
    return cell(
        status_label(status, language),
        symbol=status_symbol(status),
        class_name=f"status-badge status-{status.value.replace('_', '-')}",
    )


def _change_cell(row: ComparisonRow, which: str, language: str) -> Cell:
    change = row.change_previous if which == "previous" else row.change_year_ago
    return cell(
        short_change_text(change, row.metric.scale, language),
        symbol=MOVEMENT_SYMBOLS[change.movement],
        class_name=f"movement movement-{change.movement.value.replace('_', '-')}",
    )


def _agency_link(row: ComparisonRow, context: PageContext) -> Cell:
    return cell(row.agency_name, href=context.link(f"/agency/{row.agency_slug}"))


def _dimension(row: ComparisonRow, view: ReviewView) -> str:
    label = next((c.label for c in view.columns if c.dimension == row.dimension), row.dimension)
    return t("label_value", view.language, label=label, value=row.metric.name(view.language))


def _standard_measure(row: ComparisonRow, metric_name: str, view: ReviewView) -> str:
    return _standard_measure_of(row.dimension, metric_name, view)


def _standard_measure_of(dimension: str, metric_name: str, view: ReviewView) -> str:
    label = next((c.label for c in view.columns if c.dimension == dimension), None)
    if label is None:
        label = dimension_label(dimension, view.language)
    return t("label_value", view.language, label=label, value=metric_name)


def _missed(view: ReviewView) -> html.Section:
    language = view.language
    if not view.missed:
        return _section(
            "review-missed",
            _t("missed_heading", language),
            [html.P(_t("missed_none", language))],
        )
    return _section(
        "review-missed",
        _t("missed_heading", language),
        [
            collapsible(
                _t("missed_summary", language, count=len(view.missed)),
                [_missed_table(view)],
                open_=True,
                id="review-missed-details",
            )
        ],
    )


def _missed_table(view: ReviewView) -> html.Div:
    language = view.language
    return _scroll_region(
        review_table(
            id="review-missed-table",
            caption=_t("missed_caption", language, quarter=view.quarter_label),
            columns=[
                words("agency", language),
                words("measure", language),
                words("result", language),
                words("target", language),
                words("shortfall", language),
                _t("being_done", language),
            ],
            rows=[_missed_row(item, view) for item in view.missed],
            row_headers=True,
            className="table table-sm review-table",
        ),
        "review-missed-heading",
    )


def _missed_row(item: MissedTarget, view: ReviewView) -> list[Cell]:
    language = view.language
    row = item.row
    return [
        row.agency_name,
        _dimension(row, view),
        value_text(row.this, language, view.small_sample_threshold),
        row.this.target_text or "–",
        # A roll-up of services' standards has no single gap: its words say how many missed.
        "–"
        if row.this.rollup is not None
        else format_change(item.shortfall, row.metric.scale, language).lstrip("+"),
        _being_done(row, view),
    ]


def _being_done(row: ComparisonRow, view: ReviewView) -> Cell:
    """The actions addressing the row's agency and dimension, or "–"."""
    found = view.actions_for(row)
    if not found:
        return "–"
    return stacked(*(_action_link(item, view.language) for item in found))


def _movers(view: ReviewView) -> html.Section:
    language = view.language
    previous = view.label(view.previous)

    def table(kind: str, rows: list[ComparisonRow]) -> list[Any]:
        heading = html.H3(
            _t(f"{kind}_heading", language), id=f"review-{kind}-heading", className="h5"
        )
        if not rows:
            return [heading, html.P(_t(f"{kind}_none", language), id=f"review-{kind}-none")]
        return [
            heading,
            _scroll_region(
                review_table(
                    id=f"review-{kind}-table",
                    caption=_t(f"{kind}_caption", language, previous=previous),
                    columns=[
                        words("agency", language),
                        words("measure", language),
                        words("previous_quarter", language, quarter=previous),
                        words("this_quarter", language, quarter=view.quarter_label),
                        words("change_previous", language),
                    ],
                    rows=[
                        [
                            row.agency_name,
                            _dimension(row, view),
                            value_text(row.previous, language, view.small_sample_threshold),
                            value_text(row.this, language, view.small_sample_threshold),
                            _change_cell(row, "previous", language),
                        ]
                        for row in rows
                    ],
                    row_headers=True,
                    className="table table-sm review-table",
                ),
                f"review-{kind}-heading",
            ),
        ]

    summary = _t(
        "movers_summary",
        language,
        improved=_t("headline_improved", language, count=len(view.improved)),
        declined=_t("headline_declined", language, count=len(view.declined)),
    )
    return _section(
        "review-movers",
        _t("movers_heading", language),
        [
            collapsible(
                summary,
                [
                    html.P(_t("movers_intro", language, previous=previous)),
                    html.Div(
                        [
                            html.Div(table("improved", view.improved), className="col-12 col-xl-6"),
                            html.Div(table("declined", view.declined), className="col-12 col-xl-6"),
                        ],
                        className="row",
                    ),
                ],
                open_=False,
                id="review-movers-details",
            )
        ],
    )


def _not_reported(view: ReviewView) -> html.Section:
    language = view.language
    if not view.not_reported and not view.not_reported_standards:
        return _section(
            "review-silent",
            _t("silent_heading", language),
            [html.P(_t("silent_none_all", language, quarter=view.quarter_label))],
        )
    count = len(view.not_reported) + len(view.not_reported_standards)
    return _section(
        "review-silent",
        _t("silent_heading", language),
        [
            collapsible(
                _t("silent_summary", language, count=count),
                [_silent_table(view)],
                open_=True,
                id="review-silent-details",
            )
        ],
    )


def _silent_table(view: ReviewView) -> StaticTable:
    language = view.language
    return review_table(
        id="review-silent-table",
        caption=_t("silent_caption_all", language, quarter=view.quarter_label),
        columns=[
            words("agency", language),
            words("measure", language),
            words("last_reported", language),
        ],
        rows=[
            [row.agency_name, _dimension(row, view), _last_reported(row, view)]
            for row in view.not_reported
        ]
        + [
            [
                _t(
                    "standard_of",
                    language,
                    agency=item.row.agency_name,
                    service=item.standard.service_name,
                ),
                _standard_measure(item.row, item.standard.metric.name(language), view),
                view.label(item.last_reported)
                if item.last_reported
                else _t("never_published", language),
            ]
            for item in view.not_reported_standards
        ],
        row_headers=True,
        className="table table-sm review-table",
    )


def _last_reported(row: ComparisonRow, view: ReviewView) -> str:
    """When the agency last reported the measure; a hidden small sample says so (the overview
    counts it as not reported too)."""
    language = view.language
    if row.this.suppressed:
        return _t("suppressed_now", language, n=view.small_sample_threshold)
    if row.last_reported is None:
        return _t("never_published", language)
    return view.label(row.last_reported)


def _actions(view: ReviewView, context: PageContext) -> html.Section:
    """What is being done: in progress, then planned, then completed during the period; each
    action with the targets it addresses (and what followed, once it has started)."""
    language = view.language
    assert view.quarter is not None
    end = quarter_bounds(view.calendar, view.quarter)[1]
    heading = _t("being_done_heading", language)
    if not view.actions:
        return _section(
            "review-actions",
            heading,
            [html.P(_t("being_done_none", language, quarter=view.quarter_label))],
        )
    groups = []
    counts = []
    for status in (ActionStatus.IN_PROGRESS, ActionStatus.PLANNED, ActionStatus.COMPLETED):
        items = [item for item in view.actions if item.status == status]
        if not items:
            continue
        group_label = _t(f"group_{status.value}", language, quarter=view.quarter_label)
        counts.append(f"{group_label} ({len(items)})")
        group_id = f"review-actions-{status.value.replace('_', '-')}"
        groups.append(
            html.Div(
                [
                    html.H3(
                        group_label,
                        id=f"{group_id}-heading",
                        className="h5",
                    ),
                    html.Ul(
                        [_action(item, view, context) for item in items],
                        className="list-unstyled review-actions",
                    ),
                ],
                id=group_id,
            )
        )
    return _section(
        "review-actions",
        heading,
        [
            # Closed: each action is also linked from the rows it addresses, and a link to
            # one opens this part (the browser opens a <details> holding a link's target).
            collapsible(
                ", ".join(counts),
                [
                    html.P(
                        _t(
                            "being_done_intro",
                            language,
                            day=format_day(end, language),
                            quarter=view.quarter_label,
                        )
                    ),
                    *groups,
                ],
                open_=False,
                id="review-actions-details",
            )
        ],
    )


def action_dates(item: ReviewedAction, view: ReviewView) -> str:
    """ "Status on June 30, 2026: In progress. Started May 7, 2026." (+ "Completed ..."); a
    planned action: "Planned to start November 11, 2026." """
    language = view.language
    assert view.quarter is not None
    end = quarter_bounds(view.calendar, view.quarter)[1]
    action = item.action
    if item.status == ActionStatus.PLANNED:
        return _t(
            "planned_dates",
            language,
            day=format_day(action.started_on, language) if action.started_on else "–",
        )
    text = _t(
        "action_dates",
        language,
        status=action_status_label(item.status, language),
        day=format_day(end, language),
        started=format_day(action.started_on, language) if action.started_on else "–",
    )
    if action.completed_on is not None and action.completed_on <= end:
        text += " " + _t(
            "action_completed", language, day=format_day(action.completed_on, language)
        )
    return text


def addressed_text(item: Addressed, view: ReviewView) -> str:
    """ "Calls answered within 60 seconds: 55.7%, ✗ Not met, target ≥ 80%"."""
    language = view.language
    cell_ = item.cell
    result = value_text(cell_, language, view.small_sample_threshold)
    measure = _standard_measure_of(item.dimension, item.metric.name(language), view)
    if not cell_.target_text:
        return _t("addressed_no_target", language, measure=measure, result=result)
    status = f"{status_symbol(cell_.status)} {status_label(cell_.status, language)}"
    return _t(
        "addressed_line",
        language,
        measure=measure,
        result=result,
        status=status,
        target=cell_.target_text,
    )


def _action(item: ReviewedAction, view: ReviewView, context: PageContext) -> html.Li:
    language = view.language
    action = item.action
    agency = next((a.name for a in view.agencies if a.slug == action.agency_slug), "")
    by = action.unit_name if action.unit_name == agency else f"{action.unit_name}, {agency}"
    return html.Li(
        html.Article(
            [
                html.H4(
                    action.title, id=f"review-action-{action.action_id}-title", className="h6 mb-1"
                ),
                html.P(
                    [
                        _t("action_by", language, unit=by),
                        ". ",
                        action_dates(item, view),
                    ],
                    className="small mb-1",
                ),
                html.P(action.description, className="mb-2") if action.description else None,
                html.Div(
                    [
                        html.P(_t("addresses", language), className="small fw-semibold mb-0"),
                        html.Ul(
                            [html.Li(addressed_text(a, view)) for a in item.addresses],
                            className="small mb-2 ps-3",
                        ),
                    ],
                    className="review-addresses",
                )
                if item.addresses
                else None,
                _follow_ups(item, view) if item.status != ActionStatus.PLANNED else None,
                html.A(_t("action_more", language), href=action.link, className="small")
                if action.link
                else None,
            ],
            className="card card-body",
            **aria(labelledby=f"review-action-{action.action_id}-title"),
        ),
        className="mb-3 review-action",
        id=f"review-action-{action.action_id}",
    )


def _follow_ups(item: ReviewedAction, view: ReviewView) -> Any:
    language = view.language
    if not item.follow_ups:
        return html.P(_t("no_followed", language), className="small")
    first = item.follow_ups[0]
    return _scroll_region(
        [
            review_table(
                caption=_t(
                    "followed_caption",
                    language,
                    before=view.label(first.before_quarter),
                    after=view.label(first.after_quarter),
                ),
                columns=[
                    words("measure", language),
                    _t("before", language, quarter=view.label(first.before_quarter)),
                    _t("after", language, quarter=view.label(first.after_quarter)),
                    _t("change", language),
                ],
                rows=[_follow_up_row(f, view) for f in item.follow_ups],
                row_headers=True,
                className="table table-sm review-table mb-1",
            ),
            html.P(_t("too_early", language, quarter=view.quarter_label), className="small")
            if any(f.too_early for f in item.follow_ups)
            else None,
        ],
        f"review-action-{item.action.action_id}-title",
    )


def _follow_up_row(follow_up: FollowUp, view: ReviewView) -> list[Cell]:
    language = view.language
    change = follow_up.change
    return [
        follow_up.metric.name(language),
        value_text(follow_up.before, language, view.small_sample_threshold),
        value_text(follow_up.after, language, view.small_sample_threshold),
        cell(
            change_text(change, follow_up.metric.scale, language),
            symbol=MOVEMENT_SYMBOLS[change.movement],
            class_name=f"movement movement-{change.movement.value.replace('_', '-')}",
        ),
    ]


# -- the comparison table --------------------------------------------------------------------


def trend_words(row: ComparisonRow, view: ReviewView) -> str:
    """The sparkline's numbers in words: "FY2024 Q4: 80.1%; …; FY2026 Q3: 81.2%"."""
    # One precision for the whole sentence: "97.0%; 97.1%", never "97%; 97.1%" (issue 13).
    values = format_alike([(value, None) for value in row.trend], row.metric.scale, view.language)
    return "; ".join(
        _t("trend_words", view.language, label=view.label(quarter), value=value)
        for quarter, value in zip(view.trend_quarters, values, strict=True)
    )


def _comparison(view: ReviewView, context: PageContext) -> html.Section:
    """Every agency and dimension: this period's result stacked with its status, target and
    what is being done about it; the previous period (and the same one a year ago) stacked
    with the change; the trend. Six columns fit a desktop column; a phone shows a card per
    row."""
    language = view.language
    previous, year_ago = view.label(view.previous), view.label(view.year_ago)
    first, last = view.trend_quarters[0], view.trend_quarters[-1]
    threshold = view.small_sample_threshold
    # An annual review's "year ago" is its previous year: that column would repeat.
    year_ago_column: list[Cell] = (
        [] if view.annual else [words("year_ago", language, quarter=year_ago)]
    )
    columns: list[Cell] = [
        words("agency", language),
        words("measure", language),
        words("this_year" if view.annual else "this_quarter", language, quarter=view.quarter_label),
        words("previous_quarter", language, quarter=previous),
        *year_ago_column,
        words("trend", language, first=view.label(first), last=view.label(last)),
    ]

    def year_ago_cell(row: ComparisonRow) -> list[Cell]:
        if view.annual:
            return []
        return [
            stacked(
                value_text(row.year_ago, language, threshold),
                _change_cell(row, "year_ago", language),
            )
        ]

    def table_row(row: ComparisonRow) -> list[Cell]:
        return [
            _agency_link(row, context),
            _dimension(row, view),
            _this_cell(row, view),
            stacked(
                value_text(row.previous, language, threshold),
                _change_cell(row, "previous", language),
            ),
            *year_ago_cell(row),
            sparkline_cell(
                trend_words(row, view),
                [display_value(value, row.metric.scale) for value in row.trend],
            ),
        ]

    caption = _t(
        "table_caption",
        language,
        quarter=view.quarter_label,
        previous=previous,
        year_ago=year_ago,
        count=len(view.trend_quarters),
    )
    # One part a dimension, each closed: its summary line gives the counts, and its missed
    # and silent rows are already open above ("Targets missed", "Did not report"). On a
    # phone the twelve agencies' cards of five dimensions were most of a 42,733 px page.
    parts = []
    for summary in view.summaries:
        rows = [row for row in view.rows if row.dimension == summary.dimension]
        if not rows:
            continue
        section_id = dimension_section_id(summary.dimension)
        parts.append(
            collapsible(
                dimension_headline(summary, language),
                [
                    _scroll_region(
                        review_table(
                            id=f"review-table-{summary.dimension}",
                            caption=t("label_value", language, label=summary.label, value=caption),
                            columns=columns,
                            rows=[table_row(row) for row in rows],
                            row_headers=True,
                            className="table table-sm review-table review-comparison align-top",
                        ),
                        "review-table-section-heading",
                    )
                ],
                open_=False,
                id=section_id,
            )
        )
    return _section("review-table-section", _t("table_heading", language), parts)


def _this_cell(row: ComparisonRow, view: ReviewView) -> dict[str, Any]:
    """This period's result, its status, the target, and the actions addressing it."""
    language = view.language
    target = row.this.target_text
    return stacked(
        value_text(row.this, language, view.small_sample_threshold),
        _status_cell(row, language),
        _t("target_of", language, target=target) if target else _t("no_target", language),
        *(_action_link(item, language) for item in view.actions_for(row)),
    )


def _action_link(item: ReviewedAction, language: str) -> Cell:
    """ "In progress: Winter surge plan…", linked to the action's card on the page."""
    return cell(
        _t(
            "action_line",
            language,
            status=action_status_label(item.status, language),
            title=item.action.title,
        ),
        symbol="▸",
        class_name="review-being-done",
        href=f"#review-action-{item.action.action_id}",
    )


def _notes(view: ReviewView) -> html.Section:
    language = view.language
    return _section(
        "review-notes",
        _t("notes_heading", language),
        [
            collapsible(
                _t("notes_summary", language),
                [
                    html.Ul(
                        [
                            html.Li(note)
                            for note in rule_notes(
                                language, view.small_sample_threshold, view.small_sample_policy
                            )
                        ],
                        className="small",
                    )
                ],
                open_=False,
                id="review-notes-details",
            )
        ],
    )
