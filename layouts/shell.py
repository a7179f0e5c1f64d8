"""The frame every page shares: skip link, header (the government's identity, the site menu
and the language switch), breadcrumbs, main and footer (the identity's links and contact)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from dashboard.core.i18n import P_, Messages, language_name, messages, t, translate
from dashboard.core.languages import content_languages
from dashboard.core.settings import Settings
from dashboard.core.theme import FooterLink, logo_url
from dashboard.domain import navigation
from dashboard.domain.formatting import format_day
from dashboard.web import feedback as feedback_form
from layouts import feedback
from layouts.attributes import aria
from layouts.components import breadcrumbs

TEXT: Messages = messages(
    P_("changes_link", "What changed: every publication, and the reasons for revised figures"),
    P_("menu_label", "Site menu"),
    P_("footer_links_label", "About this site"),
)

#: The id of the live region that reads out what a page update changed (a search's count):
#: outside ``page``, so that it is in the document before its text changes.
ANNOUNCER_ID = "page-announcer"


@dataclass(frozen=True)
class Identity:
    """The government the site belongs to, as its theme shows it (``Settings``)."""

    government: str
    logo: str | None = None
    logo_alt: str = ""
    links: tuple[FooterLink, ...] = ()
    contact: str = ""


def identity_of(settings: Settings, language: str) -> Identity:
    return Identity(
        government=settings.government_in(language),
        logo=logo_url(settings.theme_logo),
        logo_alt=settings.theme_logo_alt,
        links=settings.footer_links,
        contact=settings.contact_text,
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
            html.Div(id=ANNOUNCER_ID, role="status", className="visually-hidden"),
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


def _link_href(path: str, language: str) -> str:
    return path if language == "en" else f"{path}?{urlencode({'lang': language})}"


def site_menu(language: str, current: str | None) -> html.Nav:
    """The site menu (``navigation.MENU``): a list of plain links that wraps on a phone, so it
    needs no script and every item is one Tab away; the current page is marked."""
    marks = navigation.current_marks(current)
    items = [
        html.Li(
            # A plain link (dcc.Link takes no aria-current): assets/cxdash.js follows it
            # without reloading the page, as dcc.Link would; without scripts it still works.
            html.A(
                navigation.label(item.label_key, language),
                href=_link_href(item.path, language),
                id=item.link_id,
                className="site-menu-link",
                **aria(current=marks.get(item.page)),
            ),
            className="site-menu-item",
        )
        for item in navigation.MENU
    ]
    return html.Nav(
        html.Ul(items, className="site-menu-list"),
        id="site-menu",
        className="site-menu",
        **aria(label=translate(TEXT, "menu_label", language)),
    )


def _identity_link(identity: Identity, language: str) -> dcc.Link:
    parts: list[Any] = []
    if identity.logo:
        parts.append(
            html.Img(
                src=identity.logo,
                alt=identity.logo_alt,
                className="site-logo",
                width="40",
                height="40",
            )
        )
    parts.append(
        html.Span(
            [
                html.Span(identity.government, className="site-name"),
                html.Span(t("site_tagline", language), className="site-tagline"),
            ],
            className="site-identity-text",
        )
    )
    return dcc.Link(parts, href=_link_href("/", language), className="site-identity")


def _feedback_widget(path: str, language: str, current: str | None) -> Any:
    """ "Did this page help you?" (issue 14) at the foot of a public page's content: only on a
    page found (``current`` set: not the 404, outage or busy pages), never on an embed (its
    own frame) or a staff preview (no public path, so no token)."""
    if current is None or current == "embed":
        return None
    token = feedback_form.page_token(path, language)
    return feedback.widget(path=path, language=language, token=token)


def page(
    *,
    content: list,
    language: str,
    path: str,
    site_name: str,
    as_of: dt.date | None,
    last_updated: dt.datetime | None,
    identity: Identity | None = None,
    current: str | None = None,
    title: str | None = None,
    crumbs: Sequence[tuple[str, str | None]] = (),
) -> list:
    """Header, main content and footer for one page in one language.

    ``identity``: the government's (default: ``site_name`` alone); ``current``: the route's
    page name, marked in the menu; ``title``: the page's ``<title>``, which the router sets
    in the browser on every navigation (``data-page-title``); ``crumbs``: (label, link) from
    the home page down to this one (the last, unlinked, is the page itself).
    """
    identity = identity or Identity(government=site_name)
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
                    [_identity_link(identity, language), language_links(path, language)],
                    className="site-header-top",
                ),
                site_menu(language, current),
            ],
            className="container",
        ),
        className="site-header",
    )
    footer_links: list[Any] = [
        html.Li(html.A(link.label, href=link.url, className="link-dark")) for link in identity.links
    ]
    footer = html.Footer(
        html.Div(
            [
                html.P(identity.government, className="fw-semibold mb-1 footer-government"),
                html.P(identity.contact, className="mb-2 footer-contact")
                if identity.contact
                else None,
                html.P(as_of_text, className="mb-1", id="data-as-of"),
                html.P(t("last_updated", language, date=updated), className="mb-1")
                if updated
                else None,
                html.P(t("footer_source", language), className="mb-0 small"),
                # The menu's pages again, each said in full: what a reader finds there.
                *[
                    html.P(
                        dcc.Link(
                            text,
                            href=_link_href(target, language),
                            className="link-dark",
                            id=f"footer-{link_id}",
                        ),
                        className="mb-0 mt-1 small",
                    )
                    for text, target, link_id in (
                        (t("open_data_link", language), "/data", "open-data-link"),
                        (t("review_link", language), "/review", "review-link"),
                        (translate(TEXT, "changes_link", language), "/changes", "changes-link"),
                        (t("methodology_link", language), "/methodology", "methodology-link"),
                    )
                ],
                html.Nav(
                    html.Ul(footer_links, className="footer-links"),
                    className="mt-2 small",
                    id="footer-links",
                    **aria(label=translate(TEXT, "footer_links_label", language)),
                )
                if footer_links
                else None,
            ],
            className="container py-3",
        ),
        className="site-footer mt-5",
    )
    body = html.Div(
        [
            breadcrumbs(crumbs, language) if crumbs else None,
            *content,
            _feedback_widget(path, language, current),
        ],
        className="container py-4",
    )
    # The router copies it to document.title on every navigation (callbacks.router).
    named: dict[str, Any] = {"data-page-title": title} if title else {}
    main = html.Main(body, id="main-content", tabIndex="-1", **named)
    return [header, main, footer]
