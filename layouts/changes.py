"""The "What changed" page: every publication, newest first, with the reasons given.

A pure function of :class:`dashboard.views.changes.ChangesView` and the page context. The
agency filter is a plain GET form and the pages are plain links, so every view is a permalink.
Reasons and notes are staff-written text: they are children of components (React escapes
them), never markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dash import dcc, html

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain.formatting import format_count
from dashboard.views.changes import ChangeItem, ChangesView, changes_href
from layouts.attributes import aria

if TYPE_CHECKING:
    from dashboard.web.pages import PageContext

TEXT: Messages = messages(
    P_("title", "What changed"),
    P_("title_of", "What changed: {agency}"),
    P_(
        "intro",
        "Each time an agency publishes new or corrected figures, targets, actions or contact "
        "details, it is listed here, newest first, with the reason it gave for each revised "
        "figure.",
    ),
    P_("filter", "Choose an agency"),
    P_("agency", "Agency"),
    P_("all_agencies", "All agencies"),
    P_("show", "Show"),
    P_("every_agency_link", "Show the changes of every agency"),
    P_("agency_page_link", "Go to the page of {agency}"),
    P_("showing", "Publications {first} to {last} of {total}"),
    P_("published_on", "Published on"),
    P_("reasons", "Reasons given for the revisions:"),
    P_("note", "Summary:"),
    P_("empty", "Nothing has been published yet."),
    P_("empty_agency", "{agency} has not published anything here yet."),
    P_("pages", "Pages of the list"),
    P_("newer", "Newer publications"),
    P_("older", "Older publications"),
    P_("page_of", "Page {page} of {pages}"),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def layout(view: ChangesView, context: PageContext) -> list:
    language = context.language
    title = (
        _t("title_of", language, agency=view.agency_name)
        if view.agency_name
        else _t("title", language)
    )
    body: list[Any] = [
        html.H1(title, id="changes-heading"),
        html.P(_t("intro", language), className="lead"),
        _filter(view, context),
    ]
    if view.agency_slug:
        body.append(
            html.P(
                [
                    dcc.Link(
                        _t("agency_page_link", language, agency=view.agency_name),
                        href=context.link(f"/agency/{view.agency_slug}"),
                    ),
                    " · ",
                    dcc.Link(
                        _t("every_agency_link", language),
                        href=context.link(changes_href()),
                        id="changes-every-agency",
                    ),
                ],
                className="small",
            )
        )
    if not view.items:
        empty = (
            _t("empty_agency", language, agency=view.agency_name)
            if view.agency_name
            else _t("empty", language)
        )
        body.append(html.P(empty, id="changes-empty", className="changes-empty"))
        return body
    body += [
        html.P(
            _t(
                "showing",
                language,
                first=format_count(view.first, language),
                last=format_count(view.last, language),
                total=format_count(view.total, language),
            ),
            className="small text-body-secondary",
            id="changes-count",
        ),
        html.Ol(
            [_item(item, context) for item in view.items],
            className="list-unstyled changes-list",
            id="changes-list",
            **aria(labelledby="changes-heading"),
        ),
        _pagination(view, context),
    ]
    return body


def _filter(view: ChangesView, context: PageContext) -> html.Form | None:
    language = context.language
    if not view.agencies:
        return None
    hidden = (
        [dcc.Input(type="hidden", name="lang", value=language, id="changes-lang")]
        if language != "en"
        else []
    )
    return html.Form(
        [
            html.Fieldset(
                [
                    html.Legend(_t("filter", language), className="h6"),
                    html.Div(
                        [
                            html.Div(
                                [
                                    html.Label(
                                        _t("agency", language),
                                        htmlFor="changes-agency",
                                        className="form-label",
                                    ),
                                    html.Select(
                                        [
                                            html.Option(
                                                _t("all_agencies", language),
                                                value="",
                                                selected=view.agency_slug is None,
                                            )
                                        ]
                                        + [
                                            html.Option(
                                                option.name,
                                                value=option.slug,
                                                selected=option.slug == view.agency_slug,
                                            )
                                            for option in view.agencies
                                        ],
                                        id="changes-agency",
                                        name="agency",
                                        className="form-select",
                                    ),
                                ],
                                className="col-sm-8 col-lg-6",
                            ),
                            html.Div(
                                html.Button(
                                    _t("show", language), type="submit", className="btn btn-primary"
                                ),
                                className="col-sm-4 col-lg-3 d-flex align-items-end",
                            ),
                        ],
                        className="row g-3",
                    ),
                ]
            ),
            *hidden,
        ],
        method="get",
        action=context.path,
        className="filters my-4 p-3 border rounded",
        id="changes-filter",
    )


def _item(item: ChangeItem, context: PageContext) -> html.Li:
    language = context.language
    parts: list[Any] = [
        html.H2(
            [
                html.Time(item.date_text, dateTime=item.published_at.isoformat()),
                " · ",
                dcc.Link(item.agency_name, href=context.link(item.agency_path)),
            ],
            className="h5 mb-1",
        ),
        html.P(item.summary, className="mb-1 changes-summary"),
    ]
    if item.reasons:
        parts += [
            html.P(_t("reasons", language), className="mb-0 fw-semibold small"),
            html.Ul([html.Li(reason) for reason in item.reasons], className="mb-1 changes-reasons"),
        ]
    if item.note:
        parts.append(
            html.P(
                [html.Span(_t("note", language), className="fw-semibold"), " ", item.note],
                className="mb-0 changes-note",
            )
        )
    return html.Li(parts, className="changes-item border-start border-4 ps-3 mb-4")


def _pagination(view: ChangesView, context: PageContext) -> html.Nav | None:
    language = context.language
    if view.pages <= 1:
        return None
    links: list[Any] = []
    if view.page > 1:
        links.append(
            dcc.Link(
                _t("newer", language),
                href=context.link(context.path, **view.page_query(view.page - 1)),
                id="changes-newer",
            )
        )
    links.append(
        html.Span(
            _t(
                "page_of",
                language,
                page=format_count(view.page, language),
                pages=format_count(view.pages, language),
            ),
            **aria(current="page"),
        )
    )
    if view.page < view.pages:
        links.append(
            dcc.Link(
                _t("older", language),
                href=context.link(context.path, **view.page_query(view.page + 1)),
                id="changes-older",
            )
        )
    return html.Nav(
        html.Ul([html.Li(link) for link in links], className="list-inline d-flex gap-3 mb-0"),
        id="changes-pages",
        **aria(label=_t("pages", language)),
    )
