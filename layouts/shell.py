"""The frame every page shares: skip link, header with language switch, main, footer."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from dash import dcc, html

from dashboard.core.i18n import P_, Messages, language_name, messages, t, translate
from dashboard.core.languages import content_languages
from dashboard.domain.formatting import format_day
from layouts.attributes import aria

TEXT: Messages = messages(
    P_("changes_link", "What changed: every publication, and the reasons for revised figures"),
)


def app_layout(
    frame: list | None = None, language: str | None = None, rendered_url: str | None = None
) -> html.Div:
    """The layout Dash serves. With a ``frame`` the page is already in it (the first load
    then needs no round trip to the router callback); without, the router callback fills
    ``page``. ``rendered_url`` (path and query) names the page the frame shows."""
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="document-language"),
            dcc.Store(id="rendered-url", data=rendered_url),
            html.Div(
                id="page",
                children=(
                    frame if frame is not None else html.Main(id="main-content", tabIndex="-1")
                ),
                lang=language,
            ),
        ]
    )


def language_href(path: str, language: str) -> str:
    """The same page in ``language`` (the language lives in the URL)."""
    return f"{path}?{urlencode({'lang': language})}"


def language_links(path: str, language: str) -> html.Nav:
    """Links to the page in every other configured language, each named in its own language
    (and marked so: ``lang``, ``hreflang``), so a reader finds the one they read."""
    links = [
        html.A(
            language_name(other),
            href=language_href(path, other),
            lang=other,
            hrefLang=other,
            title=t(
                "language_switch_label", other, language=language_name(other, in_sentence=True)
            ),
            className="btn btn-outline-light btn-sm",
            id=f"language-switch-{other}",
        )
        for other in content_languages()
        if other != language
    ]
    return html.Nav(
        links,
        id="language-switch",
        className="language-switch d-flex flex-wrap gap-2",
        **aria(label=t("language_switch_nav", language)),
    )


def format_date(day: dt.date | dt.datetime | None, language: str) -> str | None:
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        day = day.date()
    return format_day(day, language)


def page(
    *,
    content: list,
    language: str,
    path: str,
    site_name: str,
    as_of: dt.date | None,
    last_updated: dt.datetime | None,
) -> list:
    """Header, main content and footer for one page in one language."""
    as_of_text = (
        t("data_as_of", language, date=format_date(as_of, language))
        if as_of
        else t("no_data_yet", language)
    )
    updated = format_date(last_updated, language)
    header = html.Header(
        html.Div(
            [
                html.A(t("skip_to_content", language), href="#main-content", className="skip-link"),
                html.Div(
                    [
                        html.Div(
                            [
                                dcc.Link(
                                    site_name,
                                    href=f"/?lang={language}",
                                    className="site-name h4 mb-0 text-decoration-none",
                                ),
                                html.P(t("site_tagline", language), className="mb-0 small"),
                            ]
                        ),
                        language_links(path, language),
                    ],
                    className="d-flex justify-content-between align-items-center py-3 gap-3",
                ),
            ],
            className="container",
        ),
        className="site-header",
    )
    footer = html.Footer(
        html.Div(
            [
                html.P(as_of_text, className="mb-1", id="data-as-of"),
                html.P(t("last_updated", language, date=updated), className="mb-1")
                if updated
                else None,
                html.P(t("footer_source", language), className="mb-0 small"),
                html.P(
                    dcc.Link(
                        t("open_data_link", language),
                        href="/data" if language == "en" else f"/data?lang={language}",
                        className="link-dark",
                        id="open-data-link",
                    ),
                    className="mb-0 mt-1 small",
                ),
                html.P(
                    dcc.Link(
                        t("review_link", language),
                        href="/review" if language == "en" else f"/review?lang={language}",
                        className="link-dark",
                        id="review-link",
                    ),
                    className="mb-0 mt-1 small",
                ),
                html.P(
                    dcc.Link(
                        translate(TEXT, "changes_link", language),
                        href="/changes" if language == "en" else f"/changes?lang={language}",
                        className="link-dark",
                        id="changes-link",
                    ),
                    className="mb-0 mt-1 small",
                ),
            ],
            className="container py-3",
        ),
        className="site-footer mt-5",
    )
    main = html.Main(
        html.Div(content, className="container py-4"), id="main-content", tabIndex="-1"
    )
    return [header, main, footer]
