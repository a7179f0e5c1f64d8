"""A page's "every chart as a ZIP" control: a button, then progress in words, then the link.

The ZIP is built in the background (``dashboard.web.export_jobs``; glue in
``callbacks.exports``): the button starts the build or joins the one under way, a
dcc.Interval polls it, the words go to a polite live region ("Preparing the ZIP: 4 of 11
charts…") beside a progress bar, and a link to the finished file appears when it is ready.
Pure functions: :func:`page_zip_panel` draws the control, :func:`zip_state` words a job's
status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from dashboard.core.i18n import NP_, P_, Messages, messages, translate
from dashboard.domain.formatting import format_count
from dashboard.web.export_jobs import request_of_href
from layouts.attributes import aria

BUTTON = "page-zip-button"
REQUEST = "page-zip-request"
JOB = "page-zip-job"
POLL = "page-zip-poll"
PROGRESS = "page-zip-progress"
STATUS = "page-zip-status"
LINK = "page-zip-link"

TEXT: Messages = messages(
    P_("zip_button", "Prepare every chart on this page as one ZIP (PNG, SVG, PDF and CSV)"),
    P_("zip_progress", "Progress of the ZIP of this page's charts"),
    P_("zip_starting", "Preparing the ZIP of this page's charts…"),
    NP_(
        "zip_charts",
        "Preparing the ZIP: {done} of {count} chart…",
        "Preparing the ZIP: {done} of {count} charts…",
    ),
    NP_("zip_ready", "The ZIP is ready: {count} chart.", "The ZIP is ready: {count} charts."),
    P_("zip_download", "Download the ZIP ({size})"),
    P_("zip_failed", "The ZIP could not be made: {reason} Please try again."),
    P_("zip_lost", "The ZIP is no longer available. Please prepare it again."),
    P_("zip_error_busy", "Too many exports are being prepared right now."),
    P_("zip_error_timeout", "Drawing the charts took too long."),
    P_("zip_error_too_big", "This page's charts are too large for one ZIP."),
    P_("zip_error_not_found", "This page no longer exists."),
    P_("zip_error_unexpected", "Something went wrong on our side."),
    NP_(
        "zip_waiting",
        "Waiting for {count} other export to finish…",
        "Waiting for {count} other exports to finish…",
    ),
    P_("zip_still", "The ZIP is still being prepared. Please try again in a minute."),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def page_zip_panel(zip_href: str, language: str) -> html.Div:
    """The control for the page whose ZIP link is ``zip_href`` (``PageContext.zip_href()``)."""
    return html.Div(
        [
            html.Button(
                _t("zip_button", language),
                id=BUTTON,
                type="button",
                className="btn btn-outline-primary btn-sm",
                n_clicks=0,
            ),
            dcc.Store(id=REQUEST, data=request_of_href(zip_href).data()),
            dcc.Store(id=JOB),
            dcc.Interval(id=POLL, interval=700, disabled=True),
            html.Progress(
                id=PROGRESS,
                max=1,
                value="0",  # Dash types it as text; the browser reads it as a number
                hidden=True,
                className="page-zip-progress",
                **aria(label=_t("zip_progress", language)),
            ),
            html.P(id=STATUS, role="status", className="page-zip-status", **aria(live="polite")),
            html.Div(id=LINK),
        ],
        className="page-downloads page-zip small no-print",
        id="page-zip",
    )


@dataclass(frozen=True)
class ZipState:
    """What the control shows for a job's status."""

    words: str
    value: int
    maximum: int
    hidden: bool  # the progress bar
    link: Any
    finished: bool  # polling stops, the button is enabled again


def failed_text(status: dict[str, Any] | None, language: str) -> str:
    """Why a job failed, as a sentence in ``language``."""
    if status is None:
        return _t("zip_lost", language)
    code = status.get("error") or "unexpected"
    key = f"zip_error_{code}" if f"zip_error_{code}" in TEXT else "zip_error_unexpected"
    return _t("zip_failed", language, reason=_t(key, language))


def still_text(language: str) -> str:
    """What a script that waited for a build still under way is told."""
    return _t("zip_still", language)


def zip_state(status: dict[str, Any] | None, language: str, download_href: str) -> ZipState:
    """Words, progress and link of a job (None: the job is gone from the cache)."""
    if status is None:
        return ZipState(_t("zip_lost", language), 0, 1, True, None, True)
    state = status.get("state")
    total = int(status.get("total") or 0)
    done = min(int(status.get("done") or 0), total)
    if state == "done":
        size = f"{format_count(max(int(status.get('size') or 0) // 1024, 1), language)} KB"
        link = html.A(
            _t("zip_download", language, size=size),
            href=download_href,
            download=status.get("file_name") or "charts.zip",
            className="btn btn-primary btn-sm",
            id="page-zip-download",
        )
        words = _t("zip_ready", language, count=int(status.get("charts") or total))
        return ZipState(words, max(total, 1), max(total, 1), False, link, True)
    if state == "error":
        return ZipState(failed_text(status, language), done, max(total, 1), True, None, True)
    if total:
        words = _t("zip_charts", language, done=done, count=total)
        return ZipState(words, done, total, False, None, False)
    ahead = int(status.get("ahead") or 0)
    if state == "queued" and ahead > 0:
        # Only when other builds really are ahead of it in this worker (a ZIP or a review pack).
        return ZipState(_t("zip_waiting", language, count=ahead), 0, 1, False, None, False)
    # Queued, or loading the page: no count yet, and no claim of waiting for anyone.
    return ZipState(_t("zip_starting", language), 0, 1, False, None, False)
