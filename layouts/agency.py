"""The agency and service pages: an on-this-page menu, the promises and how to reach the unit
(each office's closure today where its hours are), then its services' standards, the trends with
their actions, breakdowns and services. The first screen answers "does it do what it promises?"
and "how do I reach it?"; the charts follow. A big agency (more than SERVICE_CHARTS_MAX services)
shows per dimension its roll-up and the exceptions, and one line a service.

A pure function of the view (``dashboard.views.agency``) and the page context: every number
and sentence comes from the view; this module only arranges and words the interface. Controls
are a plain GET form, so every view is a permalink and back/forward work natively.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from dash import dcc, html

from dashboard.core.i18n import P_, Messages, messages, t, translate
from dashboard.domain.formatting import format_day, format_number
from dashboard.domain.targets import Status, status_label, status_symbol
from dashboard.views.agency import (
    ActionItem,
    AgencyView,
    ClosureItem,
    ContactGroup,
    ContactItem,
    FeedbackExcerpt,
    MetricPanel,
    PromiseItem,
    ServiceItem,
    ServiceLevelItem,
)
from layouts.attributes import aria
from layouts.components import chart_panel, page_downloads, status_badge
from layouts.figures import figure
from layouts.static_table import StaticTable, cell

if TYPE_CHECKING:
    from dashboard.web.pages import PageContext

TEXT: Messages = messages(
    P_("breadcrumb", "Breadcrumb"),
    P_("home", "All agencies"),
    P_("website", "Website of {name}"),
    P_("service_of", "A service of {agency}"),
    P_("controls", "Choose what to show"),
    P_("metric", "Measure"),
    P_("all_metrics", "All measures"),
    P_("period", "Fiscal year"),
    P_("all_periods", "All years"),
    P_("segment", "Breakdown"),
    P_("no_segment", "No breakdown"),
    P_("show", "Show"),
    P_("promises", "Posted service levels"),
    P_(
        "promises_intro",
        "What {name} promises the public, with the latest result against each promise.",
    ),
    P_("standards_heading", "Service levels posted by its services"),
    P_(
        "standards_intro",
        "Each service's promise, the target in force and its latest result. A standard "
        "that did not report is listed as not reported, never as a miss.",
    ),
    P_("standards_not_reported", "Not reported: {names}"),
    P_("standard_result", "{period}: {value} · target {target}"),
    P_("standard_service", "Service"),
    P_("standard_promise", "Promise"),
    P_("standard_latest", "Latest result"),
    P_("standard_status", "Status"),
    P_("standards_caption", "Posted service levels of the services of {name}"),
    P_("no_promises", "No service levels are posted for {name} yet."),
    P_("latest_month", "Last month ({period})"),
    P_("latest_quarter", "Last quarter ({period})"),
    P_("latest_fiscal_year", "Last year ({period})"),
    P_("target", "target {target}"),
    P_("baseline", "this is a baseline year: the result sets the starting point, it is not judged"),
    P_("text_target", "this target is judged over the year, not on a single result"),
    P_("small_sample", "small sample (fewer than {n} responses)"),
    P_("suppressed", "not shown: fewer than {n} responses"),
    P_("revised", "revised; first published as {earlier}"),
    P_("revised_reason", "revised; first published as {earlier}. Reason: {reason}"),
    P_("last_updated", "Last updated:"),
    P_("see_changes", "See what changed"),
    P_("trend", "Trend"),
    P_("trends", "Results over time"),
    P_("trends_in", "Results in {period}"),
    P_("no_results", "No results have been published for {name} yet."),
    P_("all_measures_link", "Show all measures for {name}"),
    P_("all_years_link", "Show all years"),
    P_("about_measure", "About this measure:"),
    P_("actions", "Actions taken to improve: {metric}"),
    P_("no_actions", "No actions addressing this measure are published for this period."),
    P_("started", "started"),
    P_("starts", "starts"),
    P_("completed", "completed"),
    P_("not_on_chart", "(not drawn: no result to place it on)"),
    P_("more_about_action", "More about “{title}”"),
    P_("breakdowns", "Breakdowns"),
    P_("breakdowns_intro", "Results split by group, where {name} publishes them:"),
    P_("results_by", "Results by {segment}"),
    P_("hide_breakdown", "Hide the breakdown"),
    P_("services", "Services"),
    P_(
        "services_intro",
        "Each service's headline result over time; open a service for all its results.",
    ),
    P_("other_actions", "Other actions taken to improve"),
    P_("contact", "How to reach {name}"),
    P_("no_contacts", "No contact information is published yet."),
    P_("hours", "Hours:"),
    P_("appointments", "Appointments:"),
    P_("languages", "Languages:"),
    P_("closures", "Upcoming closures"),
    P_("no_closures", "No closures are scheduled."),
    P_("closure_range", "to"),
    P_("on_this_page", "On this page"),
    P_("nav_promises", "What we promise"),
    P_("nav_contact", "How to reach us"),
    P_("nav_results", "Results over time"),
    P_("nav_services", "Services"),
    P_("nav_actions", "Actions to improve"),
    P_("closed_through", "Closed through {date}"),
    P_("closes", "Closed from {start} to {end}"),
    P_("closed_on", "Closed on {date}"),
    P_("usual_hours", "Usual hours:"),
    P_(
        "standards_intro_big",
        "{name} has {count} services. For each kind of standard: how many met their target, "
        "then every standard that missed it or did not report. Each service's page has all "
        "its service levels.",
    ),
    P_("standards_exceptions_caption", "{dimension}: standards that missed or did not report"),
    P_("standards_no_exceptions", "Every standard that reported met its target."),
    P_(
        "services_intro_compact",
        "How each service's posted service levels did; open a service for all its service "
        "levels and results over time.",
    ),
    P_("services_caption", "The services of {name}"),
    P_("service_standing", "Service levels"),
    P_("told_us", "What people told us"),
    P_(
        "told_us_intro",
        "Excerpts of comments left on this site, chosen and shortened by our staff, who "
        "removed anything personal.",
    ),
    P_("told_us_helpful", "Found the page helpful"),
    P_("told_us_not_helpful", "Did not find the page helpful"),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def _time(day: dt.date, language: str) -> html.Time:
    return html.Time(format_day(day, language), dateTime=day.isoformat())


def layout(view: AgencyView, context: PageContext) -> list:
    """What the agency promises and how to reach it first, then the results behind them."""
    language = context.language
    return [
        _breadcrumb(view, context),
        html.H1(view.name),
        html.P(_t("service_of", language, agency=view.agency_name), className="lead mb-1")
        if view.page == "service"
        else None,
        html.P(view.description, className="lead") if view.description else None,
        html.P(
            html.A(_t("website", language, name=view.name), href=view.website),
            className="small",
        )
        if view.website
        else None,
        _last_updated(view, context),
        _on_this_page(view, language),
        _promises(view, context),
        _contacts(view, language),
        _service_standards(view, context) if view.page == "agency" else None,
        _controls(view, context),
        page_downloads(context.zip_href(), language) if view.panels else None,
        _trends(view, context),
        _breakdowns(view, context),
        _services(view, context) if view.page == "agency" else None,
        _other_actions(view, language) if view.other_actions else None,
        _told_us(view, language) if view.told_us else None,
    ]


def _on_this_page(view: AgencyView, language: str) -> html.Nav:
    """Links to the page's sections, so that the contacts are one step from the top."""
    promises = "promises" if view.promises or not view.service_levels else "standards"
    links: list[tuple[str, str]] = [
        (promises, _t("nav_promises", language)),
        ("contact", _t("nav_contact", language)),
        ("trends", _t("nav_results", language)),
    ]
    if view.page == "agency" and view.services:
        links.append(("services", _t("nav_services", language)))
    actions = next(
        (f"actions-{panel.code}-heading" for panel in view.panels if panel.actions),
        "other-actions" if view.other_actions else None,
    )
    if actions:
        links.append((actions, _t("nav_actions", language)))
    return html.Nav(
        [
            html.H2(_t("on_this_page", language), className="h6 mb-1", id="on-this-page-heading"),
            html.Ul(
                [html.Li(html.A(text, href=f"#{target}")) for target, text in links],
                className="on-this-page-list",
            ),
        ],
        className="on-this-page",
        id="on-this-page",
        **aria(labelledby="on-this-page-heading"),
    )


def _last_updated(view: AgencyView, context: PageContext) -> html.P | None:
    """When the agency last published, and a link to what it changed."""
    language = context.language
    parts: list[Any] = []
    if view.last_updated is not None:
        day = view.last_updated.date()
        parts += [_t("last_updated", language), " ", _time(day, language)]
    if view.changes_path:
        if parts:
            parts.append(" · ")
        parts.append(
            dcc.Link(
                _t("see_changes", language),
                href=context.link(view.changes_path, agency=view.agency_slug),
                id="agency-changes-link",
            )
        )
    if not parts:
        return None
    return html.P(parts, className="small agency-last-updated", id="agency-last-updated")


def _breadcrumb(view: AgencyView, context: PageContext) -> html.Nav:
    language = context.language
    crumbs = [
        html.Li(dcc.Link(_t("home", language), href=context.link("/")), className="breadcrumb-item")
    ]
    if view.page == "service":
        crumbs.append(
            html.Li(
                dcc.Link(view.agency_name, href=context.link(view.agency_path)),
                className="breadcrumb-item",
            )
        )
    crumbs.append(html.Li(view.name, className="breadcrumb-item active", **aria(current="page")))
    return html.Nav(
        html.Ol(crumbs, className="breadcrumb"), **aria(label=_t("breadcrumb", language))
    )


def _select(
    name: str, label: str, first: str, options: list[tuple[str, str]], chosen: str | None
) -> html.Div:
    control_id = f"agency-{name}"
    return html.Div(
        [
            html.Label(label, htmlFor=control_id, className="form-label"),
            html.Select(
                [html.Option(first, value="", selected=chosen is None)]
                + [
                    html.Option(text, value=value, selected=value == chosen)
                    for value, text in options
                ],
                id=control_id,
                name=name,
                className="form-select",
            ),
        ],
        className="col-sm-6 col-lg-3",
    )


def _controls(view: AgencyView, context: PageContext) -> html.Form | None:
    language = context.language
    if not view.metric_options:
        return None
    fields = [
        _select(
            "metric",
            _t("metric", language),
            _t("all_metrics", language),
            [(o.value, o.label) for o in view.metric_options],
            view.metric,
        ),
        _select(
            "period",
            _t("period", language),
            _t("all_periods", language),
            [(o.value, o.label) for o in view.period_options],
            view.period,
        ),
    ]
    if view.segment_options:
        fields.append(
            _select(
                "segment",
                _t("segment", language),
                _t("no_segment", language),
                [(o.value, o.label) for o in view.segment_options],
                view.segment,
            )
        )
    hidden = (
        [dcc.Input(type="hidden", name="lang", value=language, id="agency-lang")]
        if language != "en"
        else []
    )
    return html.Form(
        [
            html.Fieldset(
                [
                    html.Legend(_t("controls", language), className="h6"),
                    html.Div(
                        [
                            *fields,
                            html.Div(
                                html.Button(
                                    _t("show", language), type="submit", className="btn btn-primary"
                                ),
                                className="col-sm-6 col-lg-3 d-flex align-items-end",
                            ),
                        ],
                        className="row g-3",
                    ),
                ],
            ),
            *hidden,
        ],
        method="get",
        action=context.path,
        className="filters my-4 p-3 border rounded",
        id="agency-controls",
    )


# -- promises ----------------------------------------------------------------------------------


def _promises(view: AgencyView, context: PageContext) -> html.Section | None:
    language = context.language
    heading = html.H2(_t("promises", language), id="promises-heading", className="h3")
    if not view.promises and view.service_levels:
        return None  # its services post them: the next section lists them
    if not view.promises:
        return html.Section(
            [heading, html.P(_t("no_promises", language, name=view.name))],
            id="promises",
            **aria(labelledby="promises-heading"),
        )
    return html.Section(
        [
            heading,
            html.P(_t("promises_intro", language, name=view.name)),
            html.Ul(
                [_promise(item, view, context) for item in view.promises],
                className="list-unstyled promise-list",
                id="promise-list",
            ),
        ],
        className="mb-5",
        id="promises",
        **aria(labelledby="promises-heading"),
    )


def _promise(item: PromiseItem, view: AgencyView, context: PageContext) -> html.Li:
    """The promise, then on one line whether it was kept (symbol and words first), the latest
    result, the target and a link to its trend: a phone shows several promises a screen."""
    language = context.language
    threshold = view.small_sample_threshold
    result: list[Any] = []
    if item.target_kind == "baseline":
        result.append(html.Span(_t("baseline", language), className="baseline-note"))
    elif item.target_kind == "text" and item.status == Status.NO_TARGET:
        result.append(html.Span(_t("text_target", language), className="baseline-note"))
    elif item.status is not None:
        result.append(status_badge(item.status, language))
    if result:
        result.append(" · ")
    result += [
        t(
            "label_colon",
            language,
            label=_t(f"latest_{item.granularity}", language, period=item.period_label),
        )
        + " ",
        html.Strong(item.value_text),
        " · ",
        _t("target", language, target=item.target_text),
    ]
    extras: list[Any] = []
    if item.responses_text:
        extras.append(item.responses_text)
    if item.suppressed:
        extras.append(html.Span(_t("suppressed", language, n=threshold), className="small-sample"))
    elif item.small_sample:
        extras.append(
            html.Span(_t("small_sample", language, n=threshold), className="small-sample")
        )
    if item.revised_text:
        revised = (
            _t("revised_reason", language, earlier=item.revised_text, reason=item.revision_reason)
            if item.revision_reason
            else _t("revised", language, earlier=item.revised_text)
        )
        extras.append(html.Span(revised, className="revised-mark"))
    for extra in extras:
        result += [" · ", extra]
    result += [
        " · ",
        dcc.Link(
            # Its name says which trend ("Trend (Ease)"), as a list of the page's links reads.
            [
                _t("trend", language),
                html.Span(f" ({item.metric_name})", className="visually-hidden"),
            ],
            href=context.self_link(metric=item.metric_code),
            className="promise-trend",
        ),
    ]
    return html.Li(
        [
            html.P(html.Strong(item.promise), className="mb-1 promise-text"),
            html.P(result, className="mb-0 promise-result"),
            html.Ul(
                [html.Li(text) for text in item.history],
                className="small mb-0 target-history",
                id=f"promise-{item.metric_code}-history",
            )
            if item.history
            else None,
        ],
        className="promise border-start border-4 ps-3 mb-3",
        id=f"promise-{item.metric_code}",
    )


def _service_standards(view: AgencyView, context: PageContext) -> html.Section | None:
    """Per dimension "5 of 7 service standards met in FY2025 Q3", then every service level
    (a big agency: per dimension, only the standards that missed or did not report)."""
    language = context.language
    if not view.service_summaries and not view.service_levels:
        return None
    heading = html.H2(_t("standards_heading", language), id="standards-heading", className="h3")
    if not view.service_levels_all:
        body: list[Any] = [
            heading,
            html.P(
                _t(
                    "standards_intro_big",
                    language,
                    name=view.name,
                    count=format_number(len(view.services), language),
                )
            ),
        ]
        for summary in view.service_summaries:
            body += _dimension_exceptions(view, summary, context)
        return html.Section(
            body, className="mb-5", id="standards", **aria(labelledby="standards-heading")
        )
    summaries = html.Ul(
        [
            html.Li(
                [
                    html.Strong(t("label_colon", language, label=summary.label) + " "),
                    summary.text,
                    html.Span(f" · {summary.reported_text}", className="small"),
                    html.Div(
                        _t(
                            "standards_not_reported",
                            language,
                            names=t("list_separator", language).join(summary.not_reported),
                        ),
                        className="small",
                    )
                    if summary.not_reported
                    else None,
                ],
                id=f"standards-{summary.dimension}",
            )
            for summary in view.service_summaries
        ],
        className="standards-summary",
        id="standards-summary",
    )
    table = _levels_table(
        view.service_levels,
        context,
        table_id="service-levels",
        caption=_t("standards_caption", language, name=view.name),
    )
    return html.Section(
        [
            heading,
            html.P(_t("standards_intro", language)),
            summaries,
            html.Div(table, className="table-responsive"),
        ],
        className="mb-5",
        id="standards",
        **aria(labelledby="standards-heading"),
    )


def _dimension_exceptions(view: AgencyView, summary: Any, context: PageContext) -> list[Any]:
    """A big agency's dimension: its roll-up sentence, then its misses and non-reporters."""
    language = context.language
    exceptions = [item for item in view.service_levels if item.dimension == summary.dimension]
    parts: list[Any] = [
        html.H3(summary.label, className="h5 mt-4", id=f"standards-{summary.dimension}-heading"),
        html.P(
            [summary.text, html.Span(f" · {summary.reported_text}", className="small")],
            id=f"standards-{summary.dimension}",
            className="standards-rollup",
        ),
    ]
    if not exceptions:
        if summary.judged_count:
            parts.append(html.P(_t("standards_no_exceptions", language), className="small"))
        return parts
    table = _levels_table(
        exceptions,
        context,
        table_id=f"exceptions-{summary.dimension}",
        caption=_t("standards_exceptions_caption", language, dimension=summary.label),
    )
    parts.append(html.Div(table, className="table-responsive"))
    return parts


def _levels_table(
    items: list[ServiceLevelItem], context: PageContext, *, table_id: str, caption: str
) -> StaticTable:
    language = context.language
    return StaticTable(
        id=table_id,
        caption=caption,
        # Four columns, the answer (met or not) first and the target beside the result it
        # judges: narrow enough for a phone.
        columns=[
            _t("standard_service", language),
            _t("standard_status", language),
            _t("standard_latest", language),
            _t("standard_promise", language),
        ],
        rows=[
            [
                cell(item.service_name, href=context.link(item.service_path)),
                _status_cell(item.status, language),
                _t(
                    "standard_result",
                    language,
                    period=item.period_label,
                    value=item.value_text,
                    target=item.target_text or "–",
                ),
                item.promise,
            ]
            for item in items
        ],
        row_headers=True,
        className="table table-sm align-top",
    )


def _status_cell(status: Status, language: str) -> dict[str, Any]:
    return cell(
        status_label(status, language),
        symbol=status_symbol(status),
        class_name=f"status-badge status-{status.value.replace('_', '-')}",
    )


# -- trends ------------------------------------------------------------------------------------


def _trends(view: AgencyView, context: PageContext) -> html.Section:
    language = context.language
    title = (
        _t("trends_in", language, period=view.period_label)
        if view.period_label
        else _t("trends", language)
    )
    links = []
    if view.metric:
        links.append(
            dcc.Link(
                _t("all_measures_link", language, name=view.name),
                href=context.self_link(metric=None),
            )
        )
    if view.period:
        links.append(dcc.Link(_t("all_years_link", language), href=context.self_link(period=None)))
    body: list[Any] = [html.H2(title, id="trends-heading", className="h3")]
    if links:
        body.append(html.P([item for link in links for item in (link, " ")], className="small"))
    if not view.panels:
        body.append(html.P(_t("no_results", language, name=view.name)))
    body += [_panel(panel, context) for panel in view.panels]
    return html.Section(body, id="trends", **aria(labelledby="trends-heading"))


def _panel(panel: MetricPanel, context: PageContext) -> html.Div:
    language = context.language
    parts: list[Any] = [
        chart_panel(panel.chart, language, csv_href=context.csv_href(panel.code), heading_level=3)
    ]
    details: list[Any] = []
    if panel.definition:
        details.append(
            html.P(
                [html.Strong(_t("about_measure", language)), " ", panel.definition],
                className="small metric-definition",
            )
        )
    details.append(
        html.H4(
            _t("actions", language, metric=panel.name),
            className="h6",
            id=f"actions-{panel.code}-heading",
        )
    )
    if panel.actions:
        details.append(
            html.Ul(
                [_action(item, language) for item in panel.actions],
                className="action-list",
                id=f"actions-{panel.code}",
            )
        )
    else:
        details.append(html.P(_t("no_actions", language), className="small text-body-secondary"))
    parts.append(html.Div(details, className="metric-details mb-5"))
    return html.Div(parts, className="metric-block", id=f"metric-{panel.code}")


def _action(item: ActionItem, language: str) -> html.Li:
    dates: list[Any] = [
        " · ",
        _t("starts" if item.status == "planned" else "started", language),
        " ",
        _time(item.started_on, language),
    ]
    if item.completed_on is not None:
        dates += [" · ", _t("completed", language), " ", _time(item.completed_on, language)]
    body: list[Any] = [
        html.Strong(item.title),
        " · ",
        html.Span(item.status_text, className=f"action-status action-{item.status}"),
        *dates,
    ]
    if not item.on_chart:
        body += [" ", html.Span(_t("not_on_chart", language), className="small")]
    if item.description:
        body.append(html.Br())
        body.append(html.Span(item.description, className="small"))
    if item.link:
        body += [
            " ",
            html.A(_t("more_about_action", language, title=item.title), href=item.link),
        ]
    return html.Li(body, className="mb-2")


# -- breakdowns --------------------------------------------------------------------------------


def _breakdowns(view: AgencyView, context: PageContext) -> html.Section | None:
    language = context.language
    if view.segment is None:
        if not view.segment_options:
            return None
        return html.Section(
            [
                html.H2(_t("breakdowns", language), id="breakdowns-heading", className="h3"),
                html.P(_t("breakdowns_intro", language, name=view.name)),
                html.Ul(
                    [
                        html.Li(
                            dcc.Link(
                                _t("results_by", language, segment=option.label.lower()),
                                href=context.self_link(segment=option.value),
                            )
                        )
                        for option in view.segment_options
                    ]
                ),
            ],
            className="mb-5",
            id="breakdowns",
            **aria(labelledby="breakdowns-heading"),
        )
    label = next((o.label for o in view.segment_options if o.value == view.segment), view.segment)
    body: list[Any] = [
        html.H2(
            _t("results_by", language, segment=label.lower()),
            id="breakdowns-heading",
            className="h3",
        ),
        html.P(
            dcc.Link(_t("hide_breakdown", language), href=context.self_link(segment=None)),
            className="small",
        ),
    ]
    if view.segment_note:
        body.append(html.P(view.segment_note))
    body += [
        chart_panel(chart, language, csv_href=context.csv_href(chart.chart_id), heading_level=3)
        for chart in view.breakdowns
    ]
    return html.Section(body, id="breakdowns", **aria(labelledby="breakdowns-heading"))


# -- services ----------------------------------------------------------------------------------


def _services(view: AgencyView, context: PageContext) -> html.Section | None:
    language = context.language
    if not view.services:
        return None
    heading = html.H2(_t("services", language), id="services-heading", className="h3")
    if not view.service_charts:
        # One line a service in one component: a big agency lists hundreds.
        table = StaticTable(
            id="service-list",
            caption=_t("services_caption", language, name=view.name),
            columns=[
                _t("standard_service", language),
                _t("standard_status", language),
                _t("service_standing", language),
            ],
            rows=[
                [
                    cell(item.name, href=context.link(item.path)),
                    _status_cell(item.status, language) if item.status else "–",
                    item.latest_text,
                ]
                for item in view.services
            ],
            row_headers=True,
            className="table table-sm align-top service-compact",
        )
        return html.Section(
            [
                heading,
                html.P(_t("services_intro_compact", language)),
                html.Div(table, className="table-responsive"),
            ],
            className="mb-5",
            id="services",
            **aria(labelledby="services-heading"),
        )
    return html.Section(
        [
            heading,
            html.P(_t("services_intro", language)),
            html.Ul(
                [_service(item, context) for item in view.services],
                className="list-unstyled row g-3 service-list",
                id="service-list",
            ),
        ],
        className="mb-5",
        id="services",
        **aria(labelledby="services-heading"),
    )


def _service(item: ServiceItem, context: PageContext) -> html.Li:
    language = context.language
    sparkline = (
        html.Div(
            dcc.Graph(
                id=f"spark-{item.slug}",
                figure=figure(item.sparkline, height=60, compact=True),
                config={"staticPlot": True, "displayModeBar": False},
                style={"height": "60px"},
            ),
            className="sparkline",
            **aria(hidden="true"),  # the sentence beside it says the same in words
        )
        if item.sparkline is not None
        else None
    )
    return html.Li(
        html.Div(
            [
                html.H3(
                    dcc.Link(item.name, href=context.link(item.path)),
                    className="h6 mb-1",
                ),
                sparkline,
                html.P(
                    [item.latest_text]
                    + ([" ", status_badge(item.status, language)] if item.status else []),
                    className="small mb-0",
                ),
            ],
            className="border rounded p-2 h-100",
        ),
        className="col-sm-6 col-lg-4",
        id=f"service-{item.slug}",
    )


def _other_actions(view: AgencyView, language: str) -> html.Section:
    return html.Section(
        [
            html.H2(_t("other_actions", language), id="other-actions-heading", className="h3"),
            html.Ul([_action(item, language) for item in view.other_actions]),
        ],
        className="mb-5",
        id="other-actions",
        **aria(labelledby="other-actions-heading"),
    )


def _told_us(view: AgencyView, language: str) -> html.Section:
    """Excerpts staff published (issue 14): text as React writes it (escaped), never HTML."""
    return html.Section(
        [
            html.H2(_t("told_us", language), id="told-us-heading", className="h3"),
            html.P(_t("told_us_intro", language)),
            html.Ul(
                [_excerpt(item, language) for item in view.told_us],
                className="list-unstyled",
            ),
        ],
        className="mb-5",
        id="told-us",
        **aria(labelledby="told-us-heading"),
    )


def _excerpt(item: FeedbackExcerpt, language: str) -> html.Li:
    verdict = "told_us_helpful" if item.helpful else "told_us_not_helpful"
    return html.Li(
        html.Figure(
            [
                html.Blockquote(html.P(item.text, className="mb-0"), className="mb-1"),
                html.Figcaption(
                    [_time(item.received_on, language), " · ", _t(verdict, language)],
                    className="small text-body-secondary",
                ),
            ],
            className="border-start ps-3 mb-0",
        ),
        className="mb-3",
    )


# -- how to reach us ---------------------------------------------------------------------------


def _contacts(view: AgencyView, language: str) -> html.Section:
    heading = html.H2(_t("contact", language, name=view.name), id="contact-heading", className="h3")
    body: list[Any] = [heading]
    if not view.contacts:
        body.append(html.P(_t("no_contacts", language)))
    # On a service page the agency's own contacts follow the service's, under its name.
    several = len(view.contacts) > 1 or (view.contacts and not view.contacts[0].is_this_unit)
    for group in view.contacts:
        body.append(_contact_group(group, language, with_heading=bool(several)))
    body.append(html.H3(_t("closures", language), className="h5 mt-4", id="closures-heading"))
    if view.closures:
        body.append(
            html.Ul([_closure(item, language) for item in view.closures], id="closure-list")
        )
    else:
        body.append(html.P(_t("no_closures", language), id="closure-list"))
    return html.Section(body, id="contact", className="mb-5", **aria(labelledby="contact-heading"))


def _contact_group(group: ContactGroup, language: str, *, with_heading: bool) -> html.Div:
    items = html.Ul(
        [_contact(item, language) for item in group.items],
        className="list-unstyled contact-list",
    )
    if not with_heading:
        return html.Div(items)
    return html.Div([html.H3(group.unit_name, className="h5 mt-3"), items])


def _contact(item: ContactItem, language: str) -> html.Li:
    heading: list[Any] = [html.Strong(item.label)]
    if item.channel_name.casefold() != item.label.casefold():
        heading.append(html.Span(f" ({item.channel_name})", className="text-body-secondary"))
    lines: list[Any] = [html.Div(heading)]
    if item.value:
        # A web form is named by its label; a phone number or address is its own best name.
        text = item.label if item.channel == "web_form" and item.href else item.value
        lines.append(html.Div(html.A(text, href=item.href) if item.href else item.value))
    if item.address:
        lines.append(html.Address(item.address, className="mb-0"))
    if item.closed_through is not None:
        # Above the hours, which are not today's: nobody should travel to a closed office.
        lines.append(
            html.Div(
                [
                    html.Span("✗", **aria(hidden="true")),
                    " ",
                    html.Strong(
                        _t(
                            "closed_through",
                            language,
                            date=format_day(item.closed_through, language),
                        )
                    ),
                    html.Span([" · ", item.closed_reason]) if item.closed_reason else None,
                ],
                className="contact-closed",
            )
        )
    for key, value in (
        ("usual_hours" if item.closed_through is not None else "hours", item.hours),
        ("appointments", item.appointment),
        ("languages", ", ".join(item.languages)),
    ):
        if value:
            lines.append(
                html.Div([html.Span(_t(key, language), className="fw-semibold"), " ", value])
            )
    if item.next_closure is not None:
        first, last = item.next_closure
        lines.append(
            html.Div(
                _t(
                    "closes",
                    language,
                    start=format_day(first, language),
                    end=format_day(last, language),
                )
                if first != last
                else _t("closed_on", language, date=format_day(first, language)),
                className="contact-closing small",
            )
        )
    return html.Li(
        lines, className="mb-3" + (" is-closed" if item.closed_through is not None else "")
    )


def _closure(item: ClosureItem, language: str) -> html.Li:
    dates: list[Any] = [_time(item.starts_on, language)]
    if item.ends_on != item.starts_on:
        dates += [" ", _t("closure_range", language), " ", _time(item.ends_on, language)]
    # The place, unless the reason already names it ("Lakeside Visitor Center closed...").
    place = [" (", item.place, ")"] if item.place and item.place not in item.reason else []
    return html.Li([html.Strong(dates), ": ", item.reason, *place])
