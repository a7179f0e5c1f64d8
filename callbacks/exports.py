"""Chart image downloads: PNG, SVG and PDF of every chart, and a page's charts as one ZIP.

URLs mirror the CSV downloads (``/download/<page path>/<chart>.csv``) and keep the page's
query string, so an export shows exactly what its permalink shows:

- ``/export/<page path>/<chart id>.<png|svg|pdf>`` (the home page's charts:
  ``/export/<chart id>.png``), optionally ``width`` and ``height`` in CSS pixels;
- ``/export/<page path>.zip`` (the home page: ``/export.zip``): every chart of the page as
  PNG, SVG and PDF, with its CSV and a README. The ZIP is built in the background
  (:mod:`dashboard.web.export_jobs`): the page's button starts or joins the job and follows
  its progress ("Preparing … 4 of 11 charts"), then links ``/export-zip/<job>.zip``; this
  plain URL (a script, a link opened in a new tab) joins the same job and waits for it.

The CSV of a chart (``/download/...csv``, and in the ZIP) is tidy
(:mod:`dashboard.domain.tidy_csv`): agency, unit, measure, period, value and target as
numbers, status and flags as codes, as-of date; the same columns in every language. An
image's title names the agency and the measure, its subtitle the target in force, and the
actions on the measure are listed in the image itself (:mod:`layouts.report_figures`).

Published data only: images are drawn from the page's own cached view, which holds nothing
else. A rendered image is cached under its URL and the data version, so a repeated export is
instant and publishing new figures changes every key. Exports are rate-limited per client
through the app's cache (shared by the workers on the filesystem and Redis back ends).
An unknown page, chart or format is the site's 404 page; a failed or slow render is a 503
with a message, never a hung worker.

This module is the glue: what an export holds (sizes, cache keys, file names, the ZIP) is
decided by plain functions in :mod:`dashboard.web.export_files`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import flask
from dash import Dash, Input, Output, State, ctx, no_update

from dashboard.core.i18n import (
    P_,
    SOURCE_LANGUAGE,
    Messages,
    messages,
    normalize_language,
    translate,
)
from dashboard.core.routes import Route, href, resolve
from dashboard.core.settings import Settings
from dashboard.domain.charts import ChartSpec, file_stem
from dashboard.infra import exports, rate_limit
from dashboard.infra.cache import cache
from dashboard.views import NotFound
from dashboard.views.agency import AgencyView
from dashboard.views.agency.text import page_text as agency_text
from dashboard.web import export_files, export_jobs
from dashboard.web.export_files import IMAGE_FORMATS, MAX_SIZE, MIN_SIZE, ZIP_COST
from dashboard.web.export_jobs import BuildFailed, Built, ZipRequest
from dashboard.web.pages import Page, page_for, page_view
from layouts import page_zip
from layouts.compare import dot_figure
from layouts.figures import Figure
from layouts.figures import figure as figure_of_periods
from layouts.report_figures import (
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    ReportAction,
    ReportContext,
    report_figure,
)

TEXT: Messages = messages(
    P_("busy", "Too many downloads from your address. Please wait {s} seconds and try again."),
    P_(
        "failed",
        "The chart image could not be made right now. Please try again in a minute. "
        "The numbers are also available as CSV on the page. ({reason})",
    ),
    P_("bad_size", "width and height must be whole numbers from {low} to {high} (pixels)."),
    P_("too_big", "This page's charts are too large for one ZIP; download them one by one."),
    P_("source_unit", "{name}, published on {site}"),
    P_("source_all", "figures published by each agency on {site}"),
    # The README.txt of a page's ZIP of charts.
    P_("manifest_title", "{site}: charts of {permalink}"),
    P_("manifest_source", "Source: {source}"),
    P_("manifest_as_of", "Data as of: {date}"),
    P_("manifest_charts", "Charts: {count}"),
    P_(
        "manifest_left_out",
        "{count} more charts are not in this ZIP (limit {most}); download them from the page.",
    ),
    P_("manifest_each", "Each chart: PNG (2x), SVG, PDF and its numbers as CSV (UTF-8)."),
)


def _t(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


class ExportRefused(Exception):
    """A request that gets a short text answer instead of a file (400, 429, 503)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class PageExport:
    """A resolved page: its charts and what the images say about them."""

    page_path: str  # "/agency/dmv", "/" for home
    route: Route
    page: Page
    query: dict[str, str]  # the page's own parameters (the permalink's)
    language: str
    charts: list[ChartSpec]
    version: str
    report: ReportContext
    view: Any = None


# -- what an export is made of ------------------------------------------------------------


def host_root() -> str:
    """This site's address as the request names it ("https://example.gov"), or ""."""
    return flask.request.host_url.rstrip("/") if flask.has_request_context() else ""


def resolve_page(
    settings: Settings, page_path: str, args: dict[str, str], root: str | None = None
) -> PageExport | None:
    """The page at ``page_path`` with the request's parameters, or None (a 404). ``root`` is
    the site's address the images print (default: the request's)."""
    route = resolve(page_path)
    if route is None:
        return None
    page = page_for(route)
    query = page.known(args)
    language = normalize_language(args.get("lang"), settings.default_language)
    try:
        view, status = page_view(settings, route, query, language)
    except NotFound:
        return None
    path = page_path.rstrip("/") or "/"
    if root is None:
        root = host_root()
    report = ReportContext(
        language=language,
        source=source_text(view, settings, language),
        as_of=status.as_of,
        permalink=root + href(path, query),
    )
    return PageExport(
        page_path=path,
        route=route,
        page=page,
        query=query,
        language=language,
        charts=list(page.charts(view)),
        version=status.version,
        report=report,
        view=view,
    )


def chart_csv_text(view: Any, spec: ChartSpec, as_of: Any) -> str:
    """The chart's tidy CSV (with a byte-order mark, so spreadsheets read the accents): every
    page's view writes its own rows (``tidy_csv``), saying whose figures each row holds; the
    ZIP's CSVs are the download's."""
    return "\ufeff" + view.tidy_csv(spec, as_of)


def report_chart(export: PageExport, spec: ChartSpec) -> tuple[ChartSpec, ReportContext]:
    """The chart and context an image is drawn from: the title names the agency (or service),
    the actions on the measure are listed in the image, and the page's note that points to a
    list "below the chart" gives way to the image's own."""
    view = export.view
    if not isinstance(view, AgencyView):
        return spec, export.report
    # A service's figures are named with their agency (report_figure does not name the unit
    # twice when the chart's title starts with it).
    unit = f"{view.name}, {view.agency_name}" if view.page == "service" else view.name
    panel = next((p for p in view.panels if p.code == spec.chart_id), None)
    actions = tuple(
        ReportAction(item.title, item.status, item.started_on, item.completed_on)
        for item in (panel.actions if panel is not None else [])
    )
    page_note = _page_actions_note(export.language)
    if page_note in spec.notes:
        spec = dataclasses.replace(spec, notes=[n for n in spec.notes if n != page_note])
    return spec, dataclasses.replace(export.report, unit_name=unit, actions=actions)


def _page_actions_note(language: str) -> str | None:
    try:
        return agency_text("note_actions", language)
    except KeyError:  # the page says it no more
        return None


def source_text(view: Any, settings: Settings, language: str) -> str:
    """Who publishes the figures: the agency (and service) of the page, or every agency."""
    name = getattr(view, "name", None)
    if not name:
        return _t("source_all", language, site=settings.site_name)
    if getattr(view, "page", None) == "service" and getattr(view, "agency_name", None):
        name = f"{name}, {view.agency_name}"
    return _t("source_unit", language, name=name, site=settings.site_name)


#: Pages whose charts are not drawn over periods: agencies across, with intervals, drawn by
#: the page's own figure (as on the page).
CHARTS_ACROSS_AGENCIES: dict[str, Callable[..., Figure]] = {
    "compare": dot_figure,
    "equity": dot_figure,
}


def image(
    settings: Settings,
    export: PageExport,
    spec: ChartSpec,
    fmt: str,
    *,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
) -> bytes:
    """The chart's image, from the cache when this URL was rendered on this data before."""
    key = export_files.image_cache_key(
        export.report.permalink, spec.chart_id, fmt, width, height, export.version
    )
    body = cache.get(key)
    if isinstance(body, bytes):
        return body
    drawn, report = report_chart(export, spec)
    draw = CHARTS_ACROSS_AGENCIES.get(export.route.page, figure_of_periods)
    figure = report_figure(drawn, report, width=width, height=height, draw=draw)
    body = exports.render_figure(
        figure,
        fmt,
        width=width,
        height=height,
        scale=export_files.png_scale(fmt),
        timeout_s=settings.export_timeout,
    )
    cache.set(key, body)
    return body


def zip_archive(
    settings: Settings, export: PageExport, progress: export_files.Progress | None = None
) -> tuple[bytes, list[str]]:
    """(ZIP bytes, names of the files in it): PNG, SVG, PDF and CSV of every chart."""
    charts = export.charts[: settings.export_max_charts]
    left_out = len(export.charts) - len(charts)
    as_of = export.report.as_of
    # Keyed by position: the archive hands back the same ChartSpec objects, in its order.
    position = {id(spec): index for index, spec in enumerate(charts)}
    app = flask.current_app._get_current_object()  # type: ignore[attr-defined]

    def draw(key: tuple[int, str]) -> bytes:
        # On a render thread: the image cache is the app's.
        with app.app_context():
            return image(settings, export, charts[key[0]], key[1])

    # Every image of the page is started at once on the browser's tabs; the archive takes
    # them in its order, chart by chart, and says how far it is.
    keys = [(index, fmt) for index in range(len(charts)) for fmt in export_files.IMAGE_FORMATS]
    try:
        with exports.RenderAhead(keys, draw) as ahead:
            return export_files.build_zip(
                charts,
                lambda spec, fmt: ahead.get((position[id(spec)], fmt)),
                _manifest_head(settings, export, len(charts), left_out),
                # Each image has its own time limit; the whole archive has one too.
                time_limit_s=export_jobs.time_limit(settings),
                csv_of=lambda spec: chart_csv_text(export.view, spec, as_of).encode("utf-8"),
                progress=progress,
            )
    except export_files.ZipTooLarge as error:
        raise ExportRefused(413, _t("too_big", export.language)) from error


def zip_build(settings: Settings, root: str) -> export_jobs.Build:
    """The background build of a page's ZIP (the images print ``root``, the site's address)."""

    def build(request: ZipRequest, progress: export_jobs.Progress) -> Built:
        export = resolve_page(settings, request.path, request.params, root)
        if export is None:
            raise BuildFailed("not_found")
        try:
            body, _names = zip_archive(settings, export, progress)
        except ExportRefused as error:
            raise BuildFailed("too_big") from error
        except exports.ExportError as error:
            raise BuildFailed("timeout") from error
        count = min(len(export.charts), settings.export_max_charts)
        return Built(body, f"{zip_name(export)}.zip", count)

    return build


def _manifest_head(settings: Settings, export: PageExport, count: int, left_out: int) -> list[str]:
    report = export.report
    language = export.language
    lines = [
        _t("manifest_title", language, site=settings.site_name, permalink=report.permalink),
        _t("manifest_source", language, source=report.source),
        _t("manifest_as_of", language, date=report.as_of.isoformat() if report.as_of else "-"),
        _t("manifest_charts", language, count=count),
    ]
    if left_out:
        lines.append(
            _t("manifest_left_out", language, count=left_out, most=settings.export_max_charts)
        )
    lines += ["", _t("manifest_each", language), ""]
    return lines


def zip_name(export: PageExport) -> str:
    parts = list(export.route.params.values()) or ["overview"]
    extra = [export.query.get(key) for key in ("metric", "segment", "period")]
    language = None if export.language == SOURCE_LANGUAGE else export.language
    return file_stem(*parts, *extra, language, "charts")


# -- routes ------------------------------------------------------------------------------


#: What a route answers: a file, a short refusal, or the site's 404 page with its status.
Answer = flask.Response | tuple[str, int]


def register(app: Dash) -> None:
    settings: Settings = app.server.config["CXDASH_SETTINGS"]
    server = app.server
    server.config["CXDASH_RUN_IN_APP"] = partial(_run_in_app, server)
    server.add_url_rule("/export/", "export_nothing", partial(not_found, app), methods=["GET"])
    server.add_url_rule(
        "/export.zip", "export_home_zip", partial(export_zip, app, settings, "/"), methods=["GET"]
    )
    server.add_url_rule(
        "/export/<path:target>", "export_file", partial(export_file, app, settings), methods=["GET"]
    )
    server.add_url_rule(
        f"{export_jobs.ZIP_PREFIX}<job>.zip", "export_zip_file", zip_file, methods=["GET"]
    )
    server.add_url_rule(
        f"{export_jobs.ZIP_PREFIX}<job>", "export_zip_status", zip_status, methods=["GET"]
    )
    # Anything else under the prefix names no ZIP (not a page for Dash's catch-all either).
    server.add_url_rule(
        export_jobs.ZIP_PREFIX,
        "export_zip_unknown",
        zip_unknown,
        defaults={"rest": ""},
        methods=["GET"],
    )
    server.add_url_rule(
        f"{export_jobs.ZIP_PREFIX}<path:rest>", "export_zip_unknown_path", zip_unknown
    )
    register_zip_callback(app, settings)


def not_found(app: Dash) -> tuple[str, int]:
    # The site's own 404 page (the router draws it for any unknown path), with status 404.
    return app.index(), 404


def export_file(app: Dash, settings: Settings, target: str) -> Answer:
    """``/export/<page path>/<chart>.<format>`` or ``/export/<page path>.zip``."""
    stem, dot, extension = target.rpartition(".")
    if not dot or not stem:
        return not_found(app)
    if extension == "zip":
        return export_zip(app, settings, "/" + stem)
    if extension not in IMAGE_FORMATS:
        return not_found(app)
    page_path, _, chart_id = stem.rpartition("/")
    return export_image(app, settings, "/" + page_path, chart_id, extension)


def _run_in_app(server: flask.Flask, work: Callable[[], None]) -> None:
    with server.app_context():
        work()


def start_zip(settings: Settings, request: ZipRequest) -> dict[str, Any]:
    """Start or join the build of a page's ZIP (in the background); its status."""
    root = host_root()
    return export_jobs.start(
        settings,
        request,
        zip_build(settings, root),
        key_extra=(root,),
        run_in_app=flask.current_app.config["CXDASH_RUN_IN_APP"],
    )


def export_zip(app: Dash, settings: Settings, page_path: str) -> Answer:
    """``GET /export/<page>.zip``: joins (or starts) the page's ZIP job and waits for it."""
    language = _request_language(settings)
    try:
        _check_rate(settings, ZIP_COST, language)
        export = resolve_page(settings, page_path, _page_args())
        if export is None:
            return not_found(app)
        started = start_zip(settings, ZipRequest.of(export.page_path, export.query))
        found = export_jobs.wait(started["job"], export_jobs.time_limit(settings) + 30)
        if found is not None and found.get("state") == "done":
            finished = export_jobs.archive(started["job"])
            if finished is not None:
                body, status = finished
                return _attachment(body, "application/zip", status["file_name"])
        raise _zip_refusal(found, language)
    except ExportRefused as error:
        return _refused(error, language)


def _zip_refusal(found: dict[str, Any] | None, language: str) -> ExportRefused:
    if found is not None and found.get("state") in ("queued", "running"):
        # Waited as long as a build may take, and it is still under way (queued behind others).
        return ExportRefused(503, page_zip.still_text(language), {"Retry-After": "60"})
    if found is not None and found.get("error") == "too_big":
        return ExportRefused(413, _t("too_big", language))
    return ExportRefused(503, page_zip.failed_text(found, language))


def zip_file(job: str) -> flask.Response:
    found = export_jobs.archive(job)
    if found is None:
        flask.abort(404)
    body, status = found
    return _attachment(body, "application/zip", status.get("file_name") or "charts.zip")


def zip_status(job: str) -> tuple[dict[str, str], int] | dict[str, Any]:
    found = export_jobs.status(job)
    if found is None:
        return {"error": "no such ZIP"}, 404
    return {key: value for key, value in found.items() if key != "updated_at"}


def zip_unknown(rest: str) -> tuple[dict[str, str], int]:
    return {"error": "no such ZIP"}, 404


def register_zip_callback(app: Dash, settings: Settings) -> None:
    """The page's "Prepare a ZIP" button: start or join the job, then poll its progress."""

    @app.callback(
        Output(page_zip.JOB, "data"),
        Output(page_zip.STATUS, "children"),
        Output(page_zip.PROGRESS, "value"),
        Output(page_zip.PROGRESS, "max"),
        Output(page_zip.PROGRESS, "hidden"),
        Output(page_zip.LINK, "children"),
        Output(page_zip.POLL, "disabled"),
        Output(page_zip.BUTTON, "disabled"),
        Input(page_zip.BUTTON, "n_clicks"),
        Input(page_zip.POLL, "n_intervals"),
        State(page_zip.REQUEST, "data"),
        State(page_zip.JOB, "data"),
        prevent_initial_call=True,
    )
    def zip_progress(_clicks: Any, _ticks: Any, data: Any, job: Any) -> tuple[Any, ...]:
        wanted = export_jobs.request_from(data)
        if wanted is None:  # no request, or not one a page makes
            return (no_update,) * 8
        language = normalize_language(wanted.language, settings.default_language)
        status: dict[str, Any] | None
        if ctx.triggered_id == page_zip.BUTTON:
            try:
                _check_rate(settings, ZIP_COST, language)
            except ExportRefused as error:
                return (no_update, error.message, 0, 1, True, None, True, False)
            status = start_zip(settings, wanted)
            job = status["job"]
        else:
            status = export_jobs.status(job)
        job = job if export_jobs.is_job(job) else None
        state = page_zip.zip_state(status, language, export_jobs.download_path(job) if job else "")
        return (
            job,
            state.words,
            state.value,
            state.maximum,
            state.hidden,
            state.link,
            state.finished,
            not state.finished,
        )


def export_image(app: Dash, settings: Settings, page_path: str, chart_id: str, fmt: str) -> Answer:
    language = _request_language(settings)
    try:
        width, height = _size(language)
        _check_rate(settings, 1, language)
        export = resolve_page(settings, page_path, _page_args())
        spec = _chart(export, chart_id)
        if export is None or spec is None:
            return not_found(app)
        body = image(settings, export, spec, fmt, width=width, height=height)
    except ExportRefused as error:
        return _refused(error, language)
    except exports.ExportError as error:
        return _render_failed(error, language)
    return _attachment(body, exports.FORMATS[fmt], f"{spec.file_stem}.{fmt}")


def _chart(export: PageExport | None, chart_id: str) -> ChartSpec | None:
    if export is None:
        return None
    return next((c for c in export.charts if c.chart_id == chart_id), None)


def _refused(error: ExportRefused, language: str) -> flask.Response:
    response = flask.Response(error.message + "\n", status=error.status, mimetype="text/plain")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Language"] = language
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(error.headers)
    return response


def _render_failed(error: exports.ExportError, language: str) -> flask.Response:
    return _refused(ExportRefused(503, _t("failed", language, reason=error.message)), language)


def _check_rate(settings: Settings, cost: int, language: str) -> None:
    wait = rate_limit.charge_export(settings, rate_limit.client_address(settings), cost)
    if wait is not None:
        raise ExportRefused(429, _t("busy", language, s=wait), {"Retry-After": str(wait)})


def _size(language: str) -> tuple[int, int]:
    try:
        return export_files.parse_size(flask.request.args, (DEFAULT_WIDTH, DEFAULT_HEIGHT))
    except export_files.BadSize as error:
        raise ExportRefused(400, _t("bad_size", language, low=MIN_SIZE, high=MAX_SIZE)) from error


def _request_language(settings: Settings) -> str:
    return normalize_language(flask.request.args.get("lang"), settings.default_language)


def _page_args() -> dict[str, str]:
    return export_files.page_args(flask.request.args.to_dict())


def _attachment(body: bytes, mimetype: str, file_name: str) -> flask.Response:
    response = flask.Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    # Same URL and same data give the same bytes; a short private cache spares a re-render.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
