"""The embeddable chart page (``/embed/<agency>/<metric>``): one chart, its summary and its
data table, in a frame of its own for another site's iframe (no menu, no site header).

:func:`layout` draws the page's content and :func:`frame` the minimal frame around it (the
router uses it instead of the site's shell for this page alone): the source and its date,
and a link to the full page, which opens outside the iframe.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from dash import dcc, html

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.core.routes import href
from dashboard.domain.formatting import format_day
from dashboard.views.embed import EmbedView
from layouts.attributes import aria
from layouts.components import data_table
from layouts.figures import figure, graph_config

if TYPE_CHECKING:
    from dashboard.web.pages import PageContext

TEXT: Messages = messages(
    P_("embed_title", "{agency}: {metric}"),
    P_("embed_chart_label", "Chart: {title}"),
    P_("embed_show_table", "Show the data table"),
    P_("embed_csv", "Download these numbers (CSV)"),
    P_("embed_full_page", "See this chart on the page of {agency}"),
    P_("embed_code", "Embed this chart on another site"),
    P_("embed_code_label", "Code to copy into your page"),
    P_(
        "embed_code_allowed",
        "Copy this code into a page of a site allowed to show this chart: {sites}.",
    ),
    P_(
        "embed_code_refused",
        "This site does not allow other sites to show its charts in a frame yet (its "
        "EMBED_FRAME_ANCESTORS setting is 'none'): link to the chart instead.",
    ),
    P_("embed_source", "Source: {site}"),
    P_("embed_as_of", "Data as of {date}"),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def layout(view: EmbedView, context: PageContext) -> list:
    language = context.language
    spec = view.chart
    title_id = "embed-heading"
    page_link = href(
        view.page_path,
        {**view.page_query, "lang": language if language != "en" else None},
    )
    embed_src = context.site_origin + context.self_link()
    return [
        html.H1(
            _t("embed_title", language, agency=view.agency_name, metric=view.metric_name),
            id=title_id,
            className="h4",
        ),
        html.P(spec.summary, className="chart-summary", id=f"chart-{spec.chart_id}-summary"),
        html.Div(
            dcc.Graph(
                id=f"chart-{spec.chart_id}",
                figure=figure(spec, height=320),
                config=graph_config(spec),
                style={"height": "320px"},
            ),
            className="chart-graph",
            role="group",
            **aria(label=_t("embed_chart_label", language, title=spec.title)),
        ),
        html.Ul([html.Li(note) for note in spec.notes], className="chart-notes small")
        if spec.notes
        else None,
        html.Details(
            [
                html.Summary(_t("embed_show_table", language)),
                html.Div(
                    data_table(spec, language),
                    className="table-responsive",
                    tabIndex="0",
                    role="region",
                    **aria(label=spec.title),
                ),
            ],
            className="chart-table",
            id=f"chart-{spec.chart_id}-table",
        ),
        html.P(
            [
                html.A(
                    _t("embed_csv", language),
                    href=context.csv_href(spec.chart_id),
                    download=f"{spec.file_stem}.csv",
                    id="embed-csv",
                ),
                " · ",
                # Out of the iframe: the full page is a page of this site, not of the host's.
                html.A(
                    _t("embed_full_page", language, agency=view.agency_name),
                    href=page_link,
                    target="_top",
                    id="embed-full-page",
                ),
            ],
            className="chart-downloads small",
        ),
        html.Details(
            [
                html.Summary(_t("embed_code", language)),
                html.P(
                    _t("embed_code_allowed", language, sites=view.frame_ancestors)
                    if view.embeddable
                    else _t("embed_code_refused", language),
                    id="embed-allowed",
                    className="small",
                ),
                html.Label(
                    _t("embed_code_label", language), htmlFor="embed-code", className="small"
                )
                if view.embeddable
                else None,
                dcc.Textarea(
                    id="embed-code",
                    value=_iframe_code(embed_src, spec.title),
                    readOnly=True,
                    rows=3,
                    className="form-control font-monospace small",
                )
                if view.embeddable
                else None,
            ],
            className="embed-code small",
            id="embed-code-details",
        ),
    ]


def _iframe_code(src: str, title: str) -> str:
    """The iframe to copy (its title attribute names the chart for screen readers)."""
    quoted = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return (
        f'<iframe src="{src.replace("&", "&amp;").replace(chr(34), "&quot;")}" '
        f'title="{quoted}" width="100%" height="640" style="border:0"></iframe>'
    )


def frame(
    *,
    content: list,
    view: EmbedView,
    language: str,
    site_name: str,
    as_of: dt.date | None,
    home: str,
) -> list:
    """The minimal frame of an embedded chart: the content, then its source and date. The
    ``<title>`` (``data-page-title``, read by the router's title callback) names the chart."""
    heading = _t("embed_title", language, agency=view.agency_name, metric=view.metric_name)
    titled: dict[str, Any] = {"data-page-title": f"{heading} · {site_name}"}
    source: list[Any] = [
        html.A(
            _t("embed_source", language, site=site_name),
            href=home,
            target="_top",
            className="site-name",
        )
    ]
    if as_of is not None:
        source += [" · ", _t("embed_as_of", language, date=format_day(as_of, language))]
    return [
        html.Main(
            html.Div(content, className="container-fluid py-2 embed-page"),
            id="main-content",
            tabIndex="-1",
            **titled,
        ),
        html.Footer(
            html.P(source, className="mb-0 small", id="data-as-of"),
            className="container-fluid pb-2 embed-footer",
        ),
    ]
