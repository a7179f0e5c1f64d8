"""The open-data API's routes under /api/v1: thin Flask glue over ``dashboard.open_data``.

Every answer is JSON or CSV, never an HTML page or a traceback: a bad parameter is a 400
naming the parameter and its value, an unknown path under /api/ a JSON 404, a wrong method a
JSON 405. Responses carry an ETag built from the published-data version, so a client polling
for changes gets 304s until something is published, and ``Access-Control-Allow-Origin: *``,
because open data is meant to be read from other sites' pages too.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import flask
from dash import Dash
from werkzeug.exceptions import MethodNotAllowed

from dashboard import open_data, queries
from dashboard.cache import cached
from dashboard.fiscal import FiscalCalendar
from dashboard.open_data import BadParameter, Resource
from dashboard.settings import Settings

logger = logging.getLogger(__name__)

#: Browsers and proxies may keep an answer this long; the ETag makes revalidation cheap.
CACHE_CONTROL = "public, max-age=300"


def _base_url() -> str:
    return flask.request.url_root.rstrip("/")


def _args() -> dict[str, list[str]]:
    return {name: values for name, values in flask.request.args.lists()}


def _json_response(body: Any, status: int = 200) -> flask.Response:
    # json.dumps keeps the columns in the documented order (Flask's jsonify sorts keys).
    return flask.Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )


def _error(status: int, code: str, message: str, **details: Any) -> flask.Response:
    return _json_response(open_data.error_body(status, code, message, **details), status)


def _csv_response(text: str, file_name: str) -> flask.Response:
    return flask.Response(
        text.encode("utf-8"),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{file_name}"',
        },
    )


def _finish(
    response: flask.Response, status: queries.DataStatus, settings: Settings
) -> flask.Response:
    """Conditional GET by data version, cache headers, open CORS."""
    tag = hashlib.sha256(
        "|".join(
            (status.version, open_data.settings_fingerprint(settings), flask.request.full_path)
        ).encode()
    ).hexdigest()[:32]
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, X-Total-Count"
    return response.make_conditional(flask.request)


def _guarded(view: Callable[..., flask.Response]) -> Callable[..., flask.Response]:
    """Bad parameters become a 400 naming them; anything unexpected a JSON 500, logged."""

    def guarded(**kwargs: Any) -> flask.Response:
        try:
            return view(**kwargs)
        except BadParameter as error:
            response = _json_response(error.as_json(), 400)
        except Exception:
            logger.exception("open-data API failed on %s", flask.request.full_path)
            response = _error(500, "internal_error", "the server failed to answer; try again")
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    guarded.__name__ = view.__name__
    return guarded


def register(app: Dash) -> None:
    server = app.server
    settings: Settings = server.config["CXDASH_SETTINGS"]
    calendar = FiscalCalendar.from_settings(settings)
    fingerprint = open_data.settings_fingerprint(settings)

    def data_status() -> queries.DataStatus:
        return queries.data_status(settings.database_url)

    def lookups(status: queries.DataStatus) -> open_data.Lookups:
        return cached(
            f"api:lookups:{status.version}",
            lambda: open_data.load_lookups(settings.database_url),
        )

    def resource_view(resource: Resource, path_format: str | None) -> Callable[[], flask.Response]:
        def view() -> flask.Response:
            status = data_status()
            query = open_data.parse_query(
                resource, _args(), lookups(status), calendar, path_format=path_format
            )
            key = f"api:{resource.name}:{status.version}:{fingerprint}:{query.query_string()}"
            records, total = cached(
                key,
                lambda: open_data.fetch(
                    settings.database_url,
                    resource,
                    query.filters,
                    settings,
                    limit=query.limit,
                    offset=query.offset,
                ),
            )
            base = _base_url()
            if query.format == "csv":
                response = _csv_response(
                    open_data.csv_text(resource.fields, records), resource.file_name
                )
                links = open_data.page_links(base, resource, query, total)
                if links:
                    response.headers["Link"] = ", ".join(
                        f'<{url}>; rel="{rel}"' for rel, url in links.items()
                    )
                response.headers["X-Total-Count"] = str(total)
            else:
                meta = open_data.metadata(
                    status,
                    settings,
                    base_url=base,
                    resource=resource,
                    query=query,
                    total=total,
                    count=len(records),
                )
                response = _json_response({"data": records, "meta": meta})
            return _finish(response, status, settings)

        view.__name__ = f"api_{resource.name.replace('-', '_')}_{path_format or 'any'}"
        return view

    for resource in open_data.RESOURCES:
        endpoint = "api_" + resource.name.replace("-", "_")
        server.add_url_rule(
            resource.path, endpoint, _guarded(resource_view(resource, None)), methods=["GET"]
        )
        server.add_url_rule(
            resource.csv_path,
            endpoint + "_csv",
            _guarded(resource_view(resource, "csv")),
            methods=["GET"],
        )

    @_guarded
    def api_catalog() -> flask.Response:
        if flask.request.args:
            name = next(iter(flask.request.args))
            raise BadParameter(
                name, flask.request.args[name], f"{open_data.API_PREFIX} takes no parameters"
            )
        status = data_status()
        return _finish(
            _json_response(open_data.catalog(status, settings, _base_url())), status, settings
        )

    server.add_url_rule(
        open_data.API_PREFIX, "api_catalog", api_catalog, methods=["GET"], strict_slashes=False
    )

    @_guarded
    def api_openapi() -> flask.Response:
        status = data_status()
        return _finish(_json_response(open_data.openapi_document(settings)), status, settings)

    server.add_url_rule(open_data.OPENAPI_PATH, "api_openapi", api_openapi, methods=["GET"])

    def dictionary_view(path_format: str | None) -> Callable[[], flask.Response]:
        def view() -> flask.Response:
            args = _args()
            for name in args:
                if name != open_data.FORMAT_PARAMETER:
                    raise BadParameter(
                        name, ",".join(args[name]), f"{open_data.DICTIONARY_PATH} takes only format"
                    )
            requested = flask.request.args.get(open_data.FORMAT_PARAMETER)
            if requested is not None and requested not in open_data.FORMATS:
                raise BadParameter(
                    open_data.FORMAT_PARAMETER,
                    requested,
                    f"format must be one of {', '.join(open_data.FORMATS)}",
                )
            status = data_status()
            rows = open_data.data_dictionary()
            if (path_format or requested) == "csv":
                response = _csv_response(
                    open_data.csv_text(open_data.DICTIONARY.fields, rows),
                    open_data.DICTIONARY.file_name,
                )
            else:
                response = _json_response(
                    {
                        "data": [open_data.json_record(open_data.DICTIONARY, r) for r in rows],
                        "meta": {
                            "resource": open_data.DICTIONARY.name,
                            "description": open_data.DICTIONARY.description_en,
                            "license": open_data.license_info(settings.open_data_license),
                            "count": len(rows),
                        },
                    }
                )
            return _finish(response, status, settings)

        view.__name__ = f"api_dictionary_{path_format or 'any'}"
        return view

    server.add_url_rule(
        open_data.DICTIONARY_PATH,
        "api_data_dictionary",
        _guarded(dictionary_view(None)),
        methods=["GET"],
    )
    server.add_url_rule(
        open_data.DICTIONARY_PATH + ".csv",
        "api_data_dictionary_csv",
        _guarded(dictionary_view("csv")),
        methods=["GET"],
    )

    @_guarded
    def api_download_all() -> flask.Response:
        if flask.request.args:
            name = next(iter(flask.request.args))
            raise BadParameter(
                name, flask.request.args[name], f"{open_data.ZIP_PATH} takes no parameters"
            )
        status = data_status()
        base = _base_url()
        # One ZIP per data version: publishing anything changes the key, so it is never stale.
        body = cached(
            f"api:zip:{status.version}:{fingerprint}:{base}",
            lambda: open_data.build_zip(settings.database_url, settings, base),
        )
        response = flask.Response(
            body,
            mimetype="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{open_data.ZIP_FILE_NAME}"'},
        )
        return _finish(response, status, settings)

    server.add_url_rule(open_data.ZIP_PATH, "api_download_all", api_download_all, methods=["GET"])

    def api_not_found(rest: str = "") -> flask.Response:
        response = _error(
            404,
            "not_found",
            f"no API resource at {flask.request.path}; see {open_data.API_PREFIX} "
            f"or {open_data.OPENAPI_PATH}",
            path=flask.request.path,
        )
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    server.add_url_rule("/api/", "api_not_found_root", api_not_found)
    server.add_url_rule("/api/<path:rest>", "api_not_found", api_not_found)

    @server.errorhandler(MethodNotAllowed)
    def api_method_not_allowed(error: MethodNotAllowed):  # type: ignore[no-untyped-def]
        # Only the API answers in JSON; every other path keeps Flask's own answer.
        if not flask.request.path.startswith("/api/"):
            return error
        response = _error(
            405,
            "method_not_allowed",
            "the open-data API is read-only: use GET",
            method=flask.request.method,
        )
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response
