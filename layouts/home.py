"""The enterprise overview page: period choice, roll-ups, the agency scorecard and trends.

A pure function of the view (``dashboard.views.home``) and the page context. Controls are
plain GET forms with native controls, so every state of the page is a permalink and the
browser's back and forward buttons work without any callback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dash import dcc, html

from dashboard.core.i18n import NP_, P_, Messages, messages, t, translate
from dashboard.domain.formatting import format_count, format_measure, format_score
from dashboard.domain.scorecard import Cell, dimension_label
from dashboard.domain.targets import Status, status_label
from dashboard.views.home import DimensionSummary, HomeView, ServiceMatch, matches_by_agency
from layouts.attributes import aria, data_label
from layouts.components import chart_panel, page_downloads, status_badge

if TYPE_CHECKING:
    from dashboard.web.pages import PageContext

TEXT: Messages = messages(
    P_("period_label", "Period"),
    P_("quarters", "Fiscal quarters"),
    P_("years", "Fiscal years"),
    P_("show_period", "Show this period"),
    P_("period_through", "{year} is not over yet: results to date, through {quarter}."),
    P_("no_data", "No results have been published yet."),
    P_("rollups_heading", "Across all agencies, {period}"),
    P_(
        "rollups_intro",
        "How many agencies met their target in each dimension, how many reported, and "
        "how many measure it at all. An agency without a figure of its own counts through "
        "its services' standards, each once. Agencies and standards that did not report are "
        "counted as not reported, never as a miss.",
    ),
    P_("did_not_report", "Did not report: {names}"),
    P_("scorecard_heading", "Agency scorecard"),
    P_(
        "scorecard_caption",
        "Each agency's result in {period} against the target in force: status, the "
        "result in its unit and its score from 0 to 100.",
    ),
    P_("agency", "Agency"),
    P_("search_label", "Find an agency or service (English or Spanish)"),
    P_("dim_label", "Dimension"),
    P_("any_dimension", "Any dimension"),
    P_("status_label", "Status"),
    P_("any_status", "Any status"),
    P_("sort_label", "Sort by"),
    P_("sort_name", "Agency name (A–Z)"),
    P_("sort_dimension", "{dimension} score (highest first)"),
    P_("apply", "Apply"),
    P_("clear", "Clear search and filters"),
    P_("showing", "Showing {count} of {total} agencies."),
    P_("no_match", "No agency matches your search and filters."),
    P_("services_heading", "Services matching “{query}”"),
    P_("service_of", "{service}, {agency}"),
    NP_(
        "services_found",
        "{count} service matches “{query}”.",
        "{count} services match “{query}”.",
    ),
    P_("matching_services", "Matching services:"),
    P_("score", "Score {score} of 100"),
    P_("from_services", "From its services' standards"),
    P_("target", "Target: {target}"),
    P_("small_sample", "Small sample: {n} responses"),
    P_("suppressed", "Not shown: fewer than {n} responses"),
    P_("revised_from", "Revised; first published as {value}"),
    P_("revised", "Includes revised figures"),
    P_("parts_month", "{count} of {total} months reported"),
    P_("parts_quarter", "{count} of {total} quarters reported"),
    P_("notes_heading", "How to read the scorecard"),
    P_(
        "note_status",
        "Met (✓) and Not met (✗) compare the result with the target in force on the "
        "last day of the period. No target (–): the agency has no numeric target for it "
        "(for example “Establish baseline”). Not reported (?): the agency published no "
        "figure; it is never counted as zero.",
    ),
    P_("note_metrics", "Each dimension is judged on one headline measure: {metrics}."),
    P_(
        "note_pooling",
        "Monthly measures are combined over the months of the period: the share of the "
        "whole period's volume (all months' counts added up), not an average of monthly "
        "percentages. A fiscal year combines its quarters the same way. When a month or "
        "quarter is missing, the cell says how many were reported.",
    ),
    P_(
        "note_small_flag",
        "Survey results based on fewer than {n} responses are marked “Small sample”: "
        "read them with caution.",
    ),
    P_(
        "note_small_suppress",
        "Survey results based on fewer than {n} responses are not shown and count as not reported.",
    ),
    P_(
        "note_revised",
        "“Revised” marks a figure changed after it was first published; the earlier "
        "value is given.",
    ),
    P_(
        "note_score",
        "Scores put every measure on the same 0–100 scale so that agencies compare; "
        "the methodology page explains each rule.",
    ),
    P_("trends_heading", "Trends across agencies"),
    P_(
        "trends_intro",
        "Each dimension over time, up to {period}: the average score of the agencies "
        "that reported or, where only services report, the share of their service standards "
        "that met the target.",
    ),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def layout(view: HomeView, context: PageContext) -> list:
    language = view.language
    heading = [
        html.H1(t("home_title", language)),
        html.P(t("home_intro", language), className="lead"),
    ]
    if not view.has_data:
        return [*heading, html.P(_t("no_data", language), className="alert alert-info")]
    return [
        *heading,
        _period_form(view, context),
        # Outside the form, which is not printed: the reader of a printout needs it too.
        html.P(
            _t("period_through", language, year=view.period_label, quarter=view.period_through),
            className="small",
            id="period-through",
        )
        if view.period_through
        else None,
        _rollups(view),
        _scorecard_section(view, context),
        _trends(view, context),
    ]


# -- controls --------------------------------------------------------------------------------


def _hidden(name: str, value: str | None) -> dcc.Input | None:
    if not value:
        return None
    return dcc.Input(type="hidden", name=name, value=value)


def _option(label: str, value: str, chosen: str | None) -> html.Option:
    return html.Option(label, value=value, selected=value == chosen)


def _period_form(view: HomeView, context: PageContext) -> html.Form:
    language = view.language
    quarters = [o for o in view.period_options if o.granularity == "quarter"]
    years = [o for o in view.period_options if o.granularity == "fiscal_year"]
    return html.Form(
        [
            html.Div(
                [
                    html.Label(
                        _t("period_label", language), htmlFor="period-select", className="me-2"
                    ),
                    html.Select(
                        [
                            # A store of yearly results has no quarters: no empty group.
                            html.Optgroup(
                                [_option(o.label, o.value, view.period) for o in quarters],
                                label=_t("quarters", language),
                            )
                            if quarters
                            else None,
                            html.Optgroup(
                                [_option(o.label, o.value, view.period) for o in years],
                                label=_t("years", language),
                            ),
                        ],
                        id="period-select",
                        name="period",
                        className="form-select d-inline-block w-auto me-2",
                    ),
                    html.Button(
                        _t("show_period", language),
                        type="submit",
                        className="btn btn-primary",
                        id="period-submit",
                    ),
                ],
                className="d-flex flex-wrap align-items-center gap-2",
            ),
            _hidden("lang", language),
            _hidden("sort", view.sort if view.sort != "name" else None),
            _hidden("dim", view.dimension),
            _hidden("status", view.status),
            _hidden("q", view.search),
        ],
        method="get",
        action=context.path,
        className="filters period-form mt-4 mb-3",
        id="period-form",
    )


def _filter_form(view: HomeView, context: PageContext) -> html.Form:
    language = view.language
    dimensions = [(c.dimension, c.label) for c in view.columns]
    sort_options = [("name", _t("sort_name", language))] + [
        (dim, _t("sort_dimension", language, dimension=label)) for dim, label in dimensions
    ]

    def field(label_key: str, control_id: str, control: Any) -> html.Div:
        return html.Div(
            [
                html.Label(_t(label_key, language), htmlFor=control_id, className="form-label"),
                control,
            ],
            className="col-12 col-md-6 col-lg-3",
        )

    return html.Form(
        [
            html.Div(
                [
                    field(
                        "search_label",
                        "search-input",
                        dcc.Input(
                            id="search-input",
                            type="search",
                            name="q",
                            value=view.search,
                            className="form-control",
                            autoComplete="off",
                        ),
                    ),
                    field(
                        "dim_label",
                        "dim-select",
                        html.Select(
                            [_option(_t("any_dimension", language), "", view.dimension or "")]
                            + [_option(label, dim, view.dimension) for dim, label in dimensions],
                            id="dim-select",
                            name="dim",
                            className="form-select",
                        ),
                    ),
                    field(
                        "status_label",
                        "status-select",
                        html.Select(
                            [_option(_t("any_status", language), "", view.status or "")]
                            + [
                                _option(status_label(status, language), status.value, view.status)
                                for status in Status
                            ],
                            id="status-select",
                            name="status",
                            className="form-select",
                        ),
                    ),
                    field(
                        "sort_label",
                        "sort-select",
                        html.Select(
                            [_option(label, key, view.sort) for key, label in sort_options],
                            id="sort-select",
                            name="sort",
                            className="form-select",
                        ),
                    ),
                ],
                className="row g-3",
            ),
            _hidden("lang", language),
            _hidden("period", view.period if view.period_requested else None),
            html.Div(
                [
                    html.Button(
                        _t("apply", language),
                        type="submit",
                        className="btn btn-primary",
                        id="filter-submit",
                    ),
                    dcc.Link(_t("clear", language), href=_reset_href(view, context), id="reset")
                    if view.filtered or view.sort != "name" or view.dimension
                    else None,
                ],
                className="d-flex flex-wrap align-items-center gap-3 mt-3",
            ),
        ],
        method="get",
        action=context.path,
        className="filters scorecard-form mb-3",
        id="filter-form",
    )


def _reset_href(view: HomeView, context: PageContext) -> str:
    return context.link(context.path, period=view.period if view.period_requested else None)


# -- roll-ups --------------------------------------------------------------------------------


def _rollups(view: HomeView) -> html.Section:
    language = view.language
    return html.Section(
        [
            html.H2(
                _t("rollups_heading", language, period=view.period_label),
                id="rollups-heading",
                className="h3",
            ),
            html.P(_t("rollups_intro", language), className="rollups-intro"),
            html.Ul(
                [_rollup_card(summary, language) for summary in view.summaries],
                className="row list-unstyled g-3 rollup-cards",
                id="rollups",
            ),
        ],
        className="mb-5",
        **aria(labelledby="rollups-heading"),
    )


def _rollup_card(summary: DimensionSummary, language: str) -> html.Li:
    first, *rest = summary.lines
    return html.Li(
        html.Div(
            [
                html.H3(summary.label, className="h5 mb-1"),
                html.P(summary.metric_name, className="small text-body-secondary mb-2"),
                html.P(first, className="rollup-met fw-semibold mb-1"),
                html.Ul([html.Li(line) for line in rest], className="small mb-0 ps-3"),
                html.P(
                    _t(
                        "did_not_report",
                        language,
                        names=t("list_separator", language).join(summary.not_reported),
                    ),
                    className="small mt-2 mb-0 rollup-not-reported",
                )
                if summary.not_reported
                else None,
            ],
            className="card card-body h-100",
        ),
        className="col-12 col-sm-6 col-lg-4 col-xl rollup-card",
        id=f"rollup-{summary.dimension}",
    )


# -- the scorecard ---------------------------------------------------------------------------


def _scorecard_section(view: HomeView, context: PageContext) -> html.Section:
    language = view.language
    content: list[Any] = [
        html.H2(_t("scorecard_heading", language), id="scorecard-heading", className="h3"),
        _filter_form(view, context),
    ]
    if view.search and view.service_matches:
        content.append(_service_matches(view, context))
    if view.rows:
        content += [
            html.P(
                [
                    _t("showing", language, count=len(view.rows), total=view.agencies_total),
                    " "
                    + _t(
                        "services_found",
                        language,
                        count=len(view.service_matches),
                        query=view.search,
                    )
                    if view.search and view.service_matches
                    else None,
                ],
                id="scorecard-count",
                className="small",
            ),
            html.Div(_scorecard_table(view, context), className="table-responsive"),
        ]
    else:
        content.append(
            html.Div(
                [
                    html.P(_t("no_match", language), className="mb-1"),
                    dcc.Link(
                        _t("clear", language),
                        href=_reset_href(view, context),
                        className="alert-link",
                    ),
                ],
                className="alert alert-info",
                id="no-match",
            )
        )
    content.append(_notes(view))
    return html.Section(content, className="mb-5", **aria(labelledby="scorecard-heading"))


def _service_matches(view: HomeView, context: PageContext) -> html.Div:
    language = view.language
    return html.Div(
        [
            html.H3(_t("services_heading", language, query=view.search), className="h5"),
            html.Ul(
                [
                    html.Li(
                        dcc.Link(
                            _t(
                                "service_of",
                                language,
                                service=match.name,
                                agency=match.agency_name,
                            ),
                            href=context.link(f"/agency/{match.agency_slug}/{match.service_slug}"),
                        )
                    )
                    for match in view.service_matches
                ],
                id="service-matches",
            ),
        ],
        className="mb-3",
    )


def _scorecard_table(view: HomeView, context: PageContext) -> html.Table:
    language = view.language
    header = html.Tr(
        [html.Th(_t("agency", language), scope="col")]
        + [
            html.Th(
                [
                    column.label,
                    html.Br(),
                    html.Span(column.metric_name, className="small fw-normal"),
                ],
                scope="col",
            )
            for column in view.columns
        ]
    )
    matched = matches_by_agency(view.service_matches) if view.search else {}
    body = [
        html.Tr(
            [
                html.Th(
                    [
                        dcc.Link(row.name, href=context.link(f"/agency/{row.slug}")),
                        _matched_services(matched.get(row.slug, []), language, context),
                    ],
                    scope="row",
                )
            ]
            + [_cell(row.cells[column.dimension], column.label, view) for column in view.columns],
            id=f"scorecard-{row.slug}",
        )
        for row in view.rows
    ]
    return html.Table(
        [
            html.Caption(_t("scorecard_caption", language, period=view.period_label)),
            html.Thead(header),
            html.Tbody(body),
        ],
        className="table scorecard align-top",
        id="scorecard",
    )


def _matched_services(
    matches: list[ServiceMatch], language: str, context: PageContext
) -> html.Div | None:
    """Which of the agency's services the search found ("renewal": Driver license renewal),
    under its name, so that a reader sees why the agency is listed."""
    if not matches:
        return None
    return html.Div(
        [
            _t("matching_services", language),
            " ",
            *[
                part
                for index, match in enumerate(matches)
                for part in ([t("list_separator", language)] if index else [])
                + [
                    dcc.Link(
                        match.name,
                        href=context.link(f"/agency/{match.agency_slug}/{match.service_slug}"),
                    )
                ]
            ],
        ],
        className="small fw-normal matched-services",
    )


def _rollup_cell(cell: Cell, label: str, view: HomeView) -> html.Td:
    """A cell rolled up from the agency's services: counts, and the standards not reported."""
    language = view.language
    rollup = cell.rollup
    assert rollup is not None
    first, *rest = rollup.lines(language)
    parts: list[Any] = [
        html.Div(status_badge(cell.status, language), className="mb-1"),
        html.Div(first, className="scorecard-value rollup-value"),
        *[html.Div(line, className="small") for line in rest],
        html.Div(_t("from_services", language), className="small text-body-secondary"),
    ]
    return html.Td(
        parts,
        className=f"scorecard-cell cell-{cell.status.value.replace('_', '-')} rollup-cell",
        **data_label(label),
    )


def _cell(cell: Cell, label: str, view: HomeView) -> html.Td:
    language = view.language
    if cell.rollup is not None:
        return _rollup_cell(cell, label, view)
    parts: list[Any] = [html.Div(status_badge(cell.status, language), className="mb-1")]
    if cell.value is not None:
        parts.append(
            html.Div(
                format_measure(cell.value, cell.scale, language, target=cell.target),
                className="scorecard-value",
            )
        )
        parts.append(
            html.Div(
                _t("score", language, score=format_score(cell.score, language)),
                className="small",
            )
        )
    if cell.suppressed:
        parts.append(
            html.Div(
                _t("suppressed", language, n=view.small_sample_threshold),
                className="small-sample",
            )
        )
    if cell.target_text:
        parts.append(
            html.Div(
                _t("target", language, target=cell.target_text),
                className="small text-body-secondary",
            )
        )
    if cell.small_sample and not cell.suppressed:
        parts.append(
            html.Div(
                _t("small_sample", language, n=format_count(cell.denominator, language)),
                className="small-sample",
            )
        )
    if cell.revised:
        parts.append(
            html.Div(
                _t(
                    "revised_from",
                    language,
                    value=format_measure(cell.earlier_value, cell.scale, language),
                )
                if cell.earlier_value is not None
                else _t("revised", language),
                className="revised-mark",
            )
        )
    if cell.partial:
        parts.append(
            html.Div(
                _t(
                    f"parts_{cell.part_granularity}",
                    language,
                    count=cell.parts_reported,
                    total=cell.parts_expected,
                ),
                className="partial-mark small",
            )
        )
    return html.Td(
        parts,
        className=f"scorecard-cell cell-{cell.status.value.replace('_', '-')}",
        **data_label(label),
    )


def _notes(view: HomeView) -> html.Div:
    language = view.language
    metrics = "; ".join(
        f"{dimension_label(c.dimension, language)}: {c.metric_name}" for c in view.columns
    )
    small = "note_small_suppress" if view.small_sample_policy == "suppress" else "note_small_flag"
    return html.Div(
        [
            html.H3(_t("notes_heading", language), className="h5"),
            html.Ul(
                [
                    html.Li(_t("note_status", language)),
                    html.Li(_t("note_metrics", language, metrics=metrics)),
                    html.Li(_t("note_pooling", language)),
                    html.Li(_t(small, language, n=view.small_sample_threshold)),
                    html.Li(_t("note_revised", language)),
                    html.Li(_t("note_score", language)),
                ],
                className="small",
            ),
        ],
        className="scorecard-notes mt-3",
        id="scorecard-notes",
    )


# -- trends ----------------------------------------------------------------------------------


def _trends(view: HomeView, context: PageContext) -> html.Section:
    language = view.language
    return html.Section(
        [
            html.H2(_t("trends_heading", language), id="trends-heading", className="h3"),
            html.P(_t("trends_intro", language, period=view.period_label)),
            page_downloads(context.zip_href(), language) if view.charts else None,
            html.Div(
                [
                    html.Div(
                        chart_panel(
                            spec,
                            language,
                            csv_href=context.csv_href(spec.chart_id),
                            heading_level=3,
                            height=300,
                        ),
                        className="col-12 col-xl-6",
                    )
                    for spec in view.charts
                ],
                className="row",
            ),
        ],
        **aria(labelledby="trends-heading"),
    )
