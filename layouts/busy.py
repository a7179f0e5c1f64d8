"""The page drawn when a client has asked for more pages than its limit allows.

``dashboard/web/request_limits.py`` answers the router's callback (and the first layout) with
this page when PAGE_RATE_LIMIT is reached: Dash drops a callback's 429 without a word, which
would leave the previous page on screen under the new URL. Nothing here reads the store (an
overloaded site should not be asked for more), so the footer with the data's dates is left
out, as on the store-outage page (``layouts/outage.py``).
"""

from __future__ import annotations

from dash import dcc, html

from dashboard.core.i18n import t, translate
from dashboard.web.request_limits import TEXT
from layouts import shell

#: The element tests and assistive technology find the message by.
MESSAGE_ID = "too-many-requests"


def layout(language: str, seconds: int) -> list:
    """The message: what happened and how long to wait, announced as an alert."""
    return [
        html.Div(
            [
                html.H1(translate(TEXT, "too_many_requests_title", language)),
                html.P(translate(TEXT, "too_many_requests_body", language, count=seconds)),
            ],
            id=MESSAGE_ID,
            role="alert",
        ),
        html.P(dcc.Link(t("back_home", language), href=f"/?lang={language}")),
    ]


def frame(*, path: str, language: str, site_name: str, seconds: int) -> list:
    """The page frame for ``path``: the site header (language links included) and the
    message; the header is the shell's own, its footer (the data's dates) is left out."""
    header = shell.page(
        content=[],
        language=language,
        path=path,
        site_name=site_name,
        as_of=None,
        last_updated=None,
    )[0]
    main = html.Main(
        html.Div(layout(language, seconds), className="container py-4"),
        id="main-content",
        tabIndex="-1",
    )
    return [header, main]


def app_layout(*, path: str, language: str, site_name: str, seconds: int) -> html.Div:
    """Dash's whole layout holding :func:`frame` (a first visit over the limit); the page
    is not marked as drawn, so the router draws it once the client may ask again."""
    return shell.app_layout(
        frame(path=path, language=language, site_name=site_name, seconds=seconds), language
    )
