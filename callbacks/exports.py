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
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from dataclasses import dataclass
from typing import Any

import flask
from dash import Dash

from callbacks.pages import Page, page_for, page_view
from dashboard import exports, rate_limit
from dashboard.cache import cache
from dashboard.charts import ChartSpec, file_stem
from dashboard.i18n import normalize_language, translate
from dashboard.routes import Route, href, resolve
from dashboard.settings import Settings
from dashboard.views import NotFound
from layouts.report_figures import (
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    ReportContext,
    report_figure,
)

IMAGE_FORMATS = ("png", "svg", "pdf")
#: PNG pixels per CSS pixel: sharp on high-density screens and in print.
PNG_SCALE = 2.0
#: Bounds of the optional ``width`` and ``height`` query parameters (CSS pixels).
MIN_SIZE, MAX_SIZE = 300, 2000
#: A ZIP renders many images: it counts as this many exports against the rate limit.
ZIP_COST = 5
#: Largest ZIP the server builds.
MAX_ZIP_BYTES = 100 * 1024 * 1024

#: Query parameters that size the image; they are not part of the page's permalink.
SIZE_PARAMS = ("width", "height")

TEXT = {
    "busy": {
        "en": "Too many downloads from your address. Please wait {s} seconds and try again.",
        "es": "Demasiadas descargas desde su dirección. Espere {s} segundos e inténtelo de nuevo.",
    },
    "failed": {
        "en": "The chart image could not be made right now. Please try again in a minute. "
        "The numbers are also available as CSV on the page. ({reason})",
        "es": "No se pudo generar la imagen del gráfico. Inténtelo de nuevo en un minuto. "
        "Las cifras también están disponibles en CSV en la página. ({reason})",
    },
    "bad_size": {
        "en": "width and height must be whole numbers from {low} to {high} (pixels).",
        "es": "width y height deben ser números enteros de {low} a {high} (píxeles).",
    },
    "too_big": {
        "en": "This page's charts are too large for one ZIP; download them one by one.",
        "es": "Los gráficos de esta página son demasiado grandes para un ZIP; descárguelos uno "
        "por uno.",
    },
    "source_unit": {"en": "{name}, published on {site}", "es": "{name}, publicado en {site}"},
    "source_all": {
        "en": "figures published by each agency on {site}",
        "es": "cifras publicadas por cada agencia en {site}",
    },
}


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
    key = (
        "export:"
        + hashlib.sha256(
            "|".join(
                [
                    export.report.permalink,  # host, page path and query: the image prints it
                    spec.chart_id,
                    fmt,
                    f"{width}x{height}",
                    export.version,
                ]
            ).encode()
        ).hexdigest()
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
        scale=PNG_SCALE if fmt == "png" else 1.0,
        timeout_s=settings.export_timeout,
    )
    cache.set(key, body)
    return body


def zip_archive(settings: Settings, export: PageExport) -> tuple[bytes, list[str]]:
    """(ZIP bytes, names of the files in it): PNG, SVG, PDF and CSV of every chart."""
    charts = export.charts[: settings.export_max_charts]
    left_out = len(export.charts) - len(charts)
    buffer = io.BytesIO()
    names: list[str] = []
    stems: set[str] = set()
    total = 0
    # Each image has its own time limit; the whole archive has one too.
    deadline = time.monotonic() + max(60, 3 * settings.export_timeout)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = _manifest_head(settings, export, len(charts), left_out)
        for spec in charts:
            stem = (
                spec.file_stem
                if spec.file_stem not in stems
                else f"{spec.file_stem}_{spec.chart_id}"
            )
            stems.add(stem)
            if time.monotonic() > deadline:
                raise exports.ExportError(
                    "Making this page's images took too long; download the charts one by one."
                )
            files = [(f"{stem}.{fmt}", image(settings, export, spec, fmt)) for fmt in IMAGE_FORMATS]
            files.append((f"{stem}.csv", ("\ufeff" + spec.csv_text()).encode("utf-8")))
            for name, body in files:
                total += len(body)
                if total > MAX_ZIP_BYTES:
                    raise ExportRefused(413, _t("too_big", export.language))
                # PNG and PDF are compressed already.
                kind = (
                    zipfile.ZIP_DEFLATED if name.endswith((".svg", ".csv")) else zipfile.ZIP_STORED
                )
                archive.writestr(name, body, compress_type=kind)
                names.append(name)
            manifest.append(f"- {spec.title}: {', '.join(n for n, _ in files)}")
        archive.writestr("README.txt", "\n".join(manifest) + "\n")
    return buffer.getvalue(), ["README.txt", *names]


def _manifest_head(settings: Settings, export: PageExport, count: int, left_out: int) -> list[str]:
    report = export.report
    spanish = export.language == "es"
    lines = [
        f"{settings.site_name}: "
        + ("gráficos de " if spanish else "charts of ")
        + report.permalink,
        ("Fuente: " if spanish else "Source: ") + report.source,
        ("Datos al: " if spanish else "Data as of: ")
        + (report.as_of.isoformat() if report.as_of else "-"),
        ("Gráficos: " if spanish else "Charts: ") + str(count),
    ]
    if left_out:
        lines.append(
            f"{left_out} gráficos más no caben en este ZIP (límite {settings.export_max_charts})."
            if spanish
            else f"{left_out} more charts are not in this ZIP (limit "
            f"{settings.export_max_charts}); download them from the page."
        )
    lines += [
        "",
        "Cada gráfico: PNG (2x), SVG, PDF y sus cifras en CSV (UTF-8)."
        if spanish
        else "Each chart: PNG (2x), SVG, PDF and its numbers as CSV (UTF-8).",
        "",
    ]
    return lines


def zip_name(export: PageExport) -> str:
    parts = list(export.route.params.values()) or ["overview"]
    extra = [export.query.get(key) for key in ("metric", "segment", "period")]
    return file_stem(*parts, *extra, "es" if export.language == "es" else None, "charts")


# -- routes ------------------------------------------------------------------------------


def register(app: Dash) -> None:
    settings: Settings = app.server.config["CXDASH_SETTINGS"]
    server = app.server

    def not_found():  # type: ignore[no-untyped-def]
        # The site's own 404 page (the router draws it for any unknown path), with status 404.
        return app.index(), 404

    def refused(error: ExportRefused, language: str) -> flask.Response:
        response = flask.Response(error.message + "\n", status=error.status, mimetype="text/plain")
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
        response.headers["Content-Language"] = language
        response.headers["Cache-Control"] = "no-store"
        response.headers.update(error.headers)
        return response

    def check_rate(cost: int, language: str) -> None:
        wait = rate_limit.charge_export(settings, rate_limit.client_address(settings), cost)
        if wait is not None:
            raise ExportRefused(429, _t("busy", language, s=wait), {"Retry-After": str(wait)})

    def size(language: str) -> tuple[int, int]:
        values = []
        for name, default in (("width", DEFAULT_WIDTH), ("height", DEFAULT_HEIGHT)):
            raw = flask.request.args.get(name)
            if raw is None or raw == "":
                values.append(default)
                continue
            if not raw.isdigit() or not MIN_SIZE <= int(raw) <= MAX_SIZE:
                raise ExportRefused(400, _t("bad_size", language, low=MIN_SIZE, high=MAX_SIZE))
            values.append(int(raw))
        return values[0], values[1]

    def request_language() -> str:
        return normalize_language(flask.request.args.get("lang"), settings.default_language)

    def page_args() -> dict[str, str]:
        return {k: v for k, v in flask.request.args.to_dict().items() if k not in SIZE_PARAMS}

    def export_zip(page_path: str):  # type: ignore[no-untyped-def]
        language = request_language()
        try:
            check_rate(ZIP_COST, language)
            export = resolve_page(settings, page_path, page_args())
            if export is None:
                return not_found()
            body, _names = zip_archive(settings, export)
        except ExportRefused as error:
            return refused(error, language)
        except exports.ExportError as error:
            return refused(
                ExportRefused(503, _t("failed", language, reason=error.message)), language
            )
        return _attachment(body, "application/zip", f"{zip_name(export)}.zip")

    @server.get("/export/")
    def export_nothing():  # type: ignore[no-untyped-def]
        return not_found()

    @server.get("/export.zip")
    def export_home_zip():  # type: ignore[no-untyped-def]
        return export_zip("/")

    @server.get("/export/<path:target>")
    def export_file(target: str):  # type: ignore[no-untyped-def]
        stem, dot, extension = target.rpartition(".")
        if not dot or not stem:
            return not_found()
        if extension == "zip":
            return export_zip("/" + stem)
        if extension not in IMAGE_FORMATS:
            return not_found()
        page_path, _, chart_id = stem.rpartition("/")
        language = request_language()
        try:
            width, height = size(language)
            check_rate(1, language)
            export = resolve_page(settings, "/" + page_path, page_args())
            if export is None:
                return not_found()
            spec = next((c for c in export.charts if c.chart_id == chart_id), None)
            if spec is None:
                return not_found()
            body = image(settings, export, spec, extension, width=width, height=height)
        except ExportRefused as error:
            return refused(error, language)
        except exports.ExportError as error:
            return refused(
                ExportRefused(503, _t("failed", language, reason=error.message)), language
            )
        return _attachment(body, exports.FORMATS[extension], f"{spec.file_stem}.{extension}")


def _attachment(body: bytes, mimetype: str, file_name: str) -> flask.Response:
    response = flask.Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    # Same URL and same data give the same bytes; a short private cache spares a re-render.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
