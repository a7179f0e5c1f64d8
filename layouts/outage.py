"""The page drawn when the data store cannot be read: says so, and how to get back later.

Drawn by the router instead of the page a link asked for (``callbacks/router.py``): without
it, Dash keeps the previous page on screen under the new URL. Nothing here reads the store,
so the usual header and footer (which show the data's dates) are replaced by a plain one.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard.core.i18n import t
from layouts.shell import language_links

#: The element tests and assistive technology find the message by.
MESSAGE_ID = "store-unavailable"


def layout(language: str) -> list:
    """The message itself: the page's heading says the service is unavailable."""
    return [
        html.Div(
            [
                html.H1(t("store_unavailable_title", language)),
                html.P(t("store_unavailable_body", language)),
            ],
            id=MESSAGE_ID,
            role="alert",
        ),
        html.P(dcc.Link(t("back_home", language), href=f"/?lang={language}")),
    ]


def frame(*, path: str, language: str, site_name: str) -> list:
    """The whole page frame (header, main) around :func:`layout`, for ``path``."""
    header = html.Header(
        html.Div(
            [
                html.A(t("skip_to_content", language), href="#main-content", className="skip-link"),
                html.Div(
                    [
                        dcc.Link(
                            site_name,
                            href=f"/?lang={language}",
                            className="site-name h4 mb-0 text-decoration-none",
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
    main = html.Main(
        html.Div(layout(language), className="container py-4"), id="main-content", tabIndex="-1"
    )
    return [header, main]
