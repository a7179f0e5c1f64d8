"""The quarterly review page, and the glue of its review pack: start, poll, download.

The pack is built by :mod:`dashboard.web.review_jobs` in the background; the page's button
starts it, a dcc.Interval polls its status (the words go to a polite live region), and the
finished PDF is served from the cache by ``/review-pack/<job>.pdf`` (a quarter's) or
``/review-pack/fy<year>/<job>.pdf`` (an annual review's). ``/review-pack/<job>`` answers the
same status as JSON for anything else that wants to poll. Anything else is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from dash import Dash, Input, Output, State, ctx, no_update

from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.web import review_jobs
from layouts import review as review_layout

#: Where the finished pack and the status are served (outside Dash's page routing).
PACK_PREFIX = review_jobs.PACK_PREFIX


def download_href(job: str, request: review_jobs.PackRequest | None = None) -> str:
    """The finished pack's address (a quarter's when ``request`` is None)."""
    if request is None:
        return f"{PACK_PREFIX}{job}.pdf"
    return review_jobs.download_path(job, request)


def register(app: Dash) -> None:
    settings: Settings = app.server.config["CXDASH_SETTINGS"]
    server = app.server

    def in_app(work: Callable[[], None]) -> None:
        with server.app_context():
            work()

    @app.callback(
        Output("review-pack-job", "data"),
        Output("review-pack-status", "children"),
        Output("review-pack-progress", "value"),
        Output("review-pack-progress", "max"),
        Output("review-pack-progress", "hidden"),
        Output("review-pack-link", "children"),
        Output("review-pack-poll", "disabled"),
        Output("review-pack-button", "disabled"),
        Input("review-pack-button", "n_clicks"),
        Input("review-pack-poll", "n_intervals"),
        State("review-pack-request", "data"),
        State("review-pack-job", "data"),
        prevent_initial_call=True,
    )
    def pack_progress(
        _clicks: int | None,
        _ticks: int | None,
        request: dict[str, Any] | None,
        job: str | None,
    ) -> tuple:
        wanted = review_jobs.request_from(request, settings.default_language)
        if wanted is None:  # no request, or not one the page makes
            return (no_update,) * 8
        status: dict[str, Any] | None
        if ctx.triggered_id == "review-pack-button":
            status = review_jobs.start(settings, wanted, run_in_app=in_app)
            job = status["job"]
        else:
            status = review_jobs.status(job) if isinstance(job, str) and job else None
        label = wanted.label(FiscalCalendar.from_settings(settings))
        words, value, maximum, hidden, link, finished = review_layout.pack_state(
            status, wanted.language, label, download_href(job or "", wanted)
        )
        return job, words, value, maximum, hidden, link, finished, not finished

    @server.get(f"{PACK_PREFIX}<job>.pdf")
    def review_pack_pdf(job: str) -> flask.Response:
        return _pdf_response(review_jobs.pack_for_download(job))

    @server.get(f"{PACK_PREFIX}fy<year>/<job>.pdf")
    def review_pack_year_pdf(year: str, job: str) -> flask.Response:
        return _pdf_response(review_jobs.pack_for_download(job, year))

    def _pdf_response(found: tuple[bytes, dict[str, Any]] | None) -> flask.Response:
        if found is None:
            flask.abort(404)
        body, status = found
        name = status.get("file_name") or "review-pack.pdf"
        return flask.Response(
            body,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, max-age=3600",
            },
        )

    @server.get(f"{PACK_PREFIX}<job>")
    def review_pack_status(job: str) -> tuple[dict[str, str], int] | dict[str, Any]:
        status = review_jobs.status(job)
        if status is None:
            return {"error": "no such review pack"}, 404
        return {key: value for key, value in status.items() if key != "updated_at"}

    # Anything else under the prefix names no pack (not a page for Dash's catch-all either).
    @server.get(PACK_PREFIX, defaults={"rest": ""})
    @server.get(f"{PACK_PREFIX}<path:rest>")
    def review_pack_unknown(rest: str) -> tuple[dict[str, str], int]:
        return {"error": "no such review pack"}, 404
