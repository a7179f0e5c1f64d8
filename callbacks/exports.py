"""Chart image downloads: PNG, SVG and PDF of every chart, and a page's charts as one ZIP.

URLs mirror the CSV downloads (``/download/<page path>/<chart>.csv``) and keep the page's
query string, so an export shows exactly what its permalink shows:

- ``/export/<page path>/<chart id>.<png|svg|pdf>`` (the home page's charts:
  ``/export/<chart id>.png``), optionally ``width`` and ``height`` in CSS pixels;
- ``/export/<page path>.zip`` (the home page: ``/export.zip``): every chart of the page as
  PNG, SVG and PDF, with its CSV and a README.

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

from dataclasses import dataclass
from functools import partial
from typing import Any

import flask
from dash import Dash

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
from dashboard.web import export_files
from dashboard.web.export_files import IMAGE_FORMATS, MAX_SIZE, MIN_SIZE, ZIP_COST
from dashboard.web.pages import Page, page_for, page_view
from layouts.report_figures import (
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
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


# -- what an export is made of ------------------------------------------------------------


def resolve_page(settings: Settings, page_path: str, args: dict[str, str]) -> PageExport | None:
    """The page at ``page_path`` with the request's parameters, or None (a 404)."""
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
    host_root = flask.request.host_url.rstrip("/") if flask.has_request_context() else ""
    report = ReportContext(
        language=language,
        source=source_text(view, settings, language),
        as_of=status.as_of,
        permalink=host_root + href(path, query),
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
    )


def source_text(view: Any, settings: Settings, language: str) -> str:
    """Who publishes the figures: the agency (and service) of the page, or every agency."""
    name = getattr(view, "name", None)
    if not name:
        return _t("source_all", language, site=settings.site_name)
    if getattr(view, "page", None) == "service" and getattr(view, "agency_name", None):
        name = f"{name}, {view.agency_name}"
    return _t("source_unit", language, name=name, site=settings.site_name)


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
    figure = report_figure(spec, export.report, width=width, height=height)
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


def zip_archive(settings: Settings, export: PageExport) -> tuple[bytes, list[str]]:
    """(ZIP bytes, names of the files in it): PNG, SVG, PDF and CSV of every chart."""
    charts = export.charts[: settings.export_max_charts]
    left_out = len(export.charts) - len(charts)
    try:
        return export_files.build_zip(
            charts,
            lambda spec, fmt: image(settings, export, spec, fmt),
            _manifest_head(settings, export, len(charts), left_out),
            # Each image has its own time limit; the whole archive has one too.
            time_limit_s=max(60, 3 * settings.export_timeout),
        )
    except export_files.ZipTooLarge as error:
        raise ExportRefused(413, _t("too_big", export.language)) from error


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
    server.add_url_rule("/export/", "export_nothing", partial(not_found, app), methods=["GET"])
    server.add_url_rule(
        "/export.zip", "export_home_zip", partial(export_zip, app, settings, "/"), methods=["GET"]
    )
    server.add_url_rule(
        "/export/<path:target>", "export_file", partial(export_file, app, settings), methods=["GET"]
    )


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


def export_zip(app: Dash, settings: Settings, page_path: str) -> Answer:
    language = _request_language(settings)
    try:
        _check_rate(settings, ZIP_COST, language)
        export = resolve_page(settings, page_path, _page_args())
        if export is None:
            return not_found(app)
        body, _names = zip_archive(settings, export)
    except ExportRefused as error:
        return _refused(error, language)
    except exports.ExportError as error:
        return _render_failed(error, language)
    return _attachment(body, "application/zip", f"{zip_name(export)}.zip")


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
