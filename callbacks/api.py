"""The open-data API's routes under /api/v1: thin Flask glue over ``dashboard.open_data``.

Every answer is JSON or CSV, never an HTML page or a traceback: a bad parameter is a 400
naming the parameter and its value, an unknown path under /api/ a JSON 404, a wrong method a
JSON 405. Responses carry an ETag built from the published-data version, so a client polling
for changes gets 304s until something is published, and ``Access-Control-Allow-Origin: *``,
because open data is meant to be read from other sites' pages too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import flask
from dash import Dash
from werkzeug.exceptions import MethodNotAllowed

from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.gateway import queries
from dashboard.infra.cache import cached
from dashboard.open_data import BadParameter, Resource
from dashboard.web import answer_cache, api_requests, outage

logger = logging.getLogger(__name__)

#: A route's view: keyword arguments from the URL rule, a response.
Answer = Callable[..., flask.Response]


@dataclass(frozen=True)
class Api:
    """What every route reads: the settings, and what is derived from them once."""

    settings: Settings
    calendar: FiscalCalendar
    fingerprint: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Api:
        return cls(
            settings=settings,
            calendar=FiscalCalendar.from_settings(settings),
            fingerprint=open_data.settings_fingerprint(settings),
        )

    def data_status(self) -> queries.DataStatus:
        return queries.data_status(self.settings.database_url)

    def lookups(self, status: queries.DataStatus) -> open_data.LazyLookups:
        """What parameters may name, read (and cached per data version) part by part, only
        when a parameter names something: a plain or ``cursor`` page reads none of it."""
        url = self.settings.database_url
        return open_data.LazyLookups(
            names=lambda: cached(f"api:names:{status.version}", lambda: open_data.load_names(url)),
            segments=lambda: cached(
                f"api:segments:{status.version}", lambda: open_data.load_segments(url)
            ),
        )


def register(app: Dash) -> None:
    server = app.server
    api = Api.from_settings(server.config["CXDASH_SETTINGS"])

    def route(path: str, endpoint: str, view: Answer, **options: Any) -> None:
        server.add_url_rule(path, endpoint, _guarded(view), methods=["GET"], **options)

    for resource in open_data.RESOURCES:
        for path, path_format in ((resource.path, None), (resource.csv_path, "csv")):
            route(
                path,
                api_requests.endpoint_name(resource, path_format),
                partial(resource_answer, api, resource, path_format),
            )
    route(open_data.API_PREFIX, "api_catalog", partial(catalog_answer, api), strict_slashes=False)
    route(open_data.OPENAPI_PATH, "api_openapi", partial(openapi_answer, api))
    route(open_data.DICTIONARY_PATH, "api_data_dictionary", partial(dictionary_answer, api, None))
    route(
        open_data.DICTIONARY_PATH + ".csv",
        "api_data_dictionary_csv",
        partial(dictionary_answer, api, "csv"),
    )
    route(open_data.ZIP_PATH, "api_download_all", partial(download_all_answer, api))
    server.add_url_rule("/api/", "api_not_found_root", api_not_found)
    server.add_url_rule("/api/<path:rest>", "api_not_found", api_not_found)
    server.register_error_handler(MethodNotAllowed, api_method_not_allowed)


# -- the answers ---------------------------------------------------------------------------


def resource_answer(api: Api, resource: Resource, path_format: str | None) -> flask.Response:
    """A page of a resource's published records, as JSON or CSV: a warm page is one cache
    read of the finished body (``answer_cache``), ETag and CORS added per request."""
    status = api.data_status()
    key = answer_cache.api_key(
        flask.request.path, _args(), status.version, origin=_base_url(), fingerprint=api.fingerprint
    )
    stored = answer_cache.cached_answer(
        key,
        lambda: answer_cache.StoredAnswer.of(_resource_page(api, resource, path_format, status)),
    )
    return _finish(stored.response(), status, api.settings)


def _resource_page(
    api: Api, resource: Resource, path_format: str | None, status: queries.DataStatus
) -> flask.Response:
    settings = api.settings
    query = open_data.parse_query(
        resource, _args(), api.lookups(status), api.calendar, path_format=path_format
    )
    page_key = api_requests.resource_cache_key(resource, status.version, api.fingerprint, query)
    next_cursor: str | None = None
    if resource.keyset:
        # The page and the total apart: every page of one filter set shares one count (it
        # reads every matching index entry), computed once per data version; without filters
        # it starts from the status row's count, kept at write time.
        total = cached(
            api_requests.count_cache_key(status.version, query),
            lambda: open_data.count(
                settings.database_url,
                resource,
                query.filters,
                published_count=status.published_count,
            ),
        )
        records, next_cursor = cached(
            page_key,
            lambda: open_data.fetch_keyset_page(settings.database_url, resource, query, settings),
        )
    else:
        records, total = cached(
            page_key,
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
        response = _csv_response(open_data.csv_text(resource.fields, records), resource.file_name)
        links = api_requests.link_header(
            open_data.page_links(base, resource, query, total, next_cursor)
        )
        if links:
            response.headers["Link"] = links
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
            next_cursor=next_cursor,
        )
        response = _json_response({"data": records, "meta": meta})
    return response


def catalog_answer(api: Api) -> flask.Response:
    api_requests.reject_parameters(_args(), open_data.API_PREFIX)
    status = api.data_status()
    body = open_data.catalog(status, api.settings, _base_url())
    return _finish(_json_response(body), status, api.settings)


def openapi_answer(api: Api) -> flask.Response:
    api_requests.reject_parameters(_args(), open_data.OPENAPI_PATH)
    status = api.data_status()
    body = open_data.openapi_document(api.settings)
    return _finish(_json_response(body), status, api.settings)


def dictionary_answer(api: Api, path_format: str | None) -> flask.Response:
    wanted = api_requests.dictionary_format(_args(), path_format)
    status = api.data_status()
    rows = open_data.data_dictionary()
    if wanted == "csv":
        dictionary = open_data.DICTIONARY
        response = _csv_response(open_data.csv_text(dictionary.fields, rows), dictionary.file_name)
    else:
        response = _json_response(api_requests.dictionary_document(rows, api.settings))
    return _finish(response, status, api.settings)


def download_all_answer(api: Api) -> flask.Response:
    api_requests.reject_parameters(_args(), open_data.ZIP_PATH)
    settings = api.settings
    status = api.data_status()
    base = _base_url()
    # One ZIP per data version: publishing anything changes the key, so it is never stale.
    body = cached(
        api_requests.zip_cache_key(status.version, api.fingerprint, base),
        lambda: open_data.build_zip(settings.database_url, settings, base),
    )
    response = flask.Response(
        body,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{open_data.ZIP_FILE_NAME}"'},
    )
    return _finish(response, status, settings)


def api_not_found(rest: str = "") -> flask.Response:
    path = flask.request.path
    response = _error(404, "not_found", api_requests.not_found_message(path), path=path)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def api_method_not_allowed(error: MethodNotAllowed) -> MethodNotAllowed | flask.Response:
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


# -- reading the request, building the response ---------------------------------------------


def _base_url() -> str:
    return flask.request.url_root.rstrip("/")


def _args() -> dict[str, list[str]]:
    return {name: values for name, values in flask.request.args.lists()}


def _json_response(body: Any, status: int = 200) -> flask.Response:
    return flask.Response(api_requests.json_text(body), status=status, mimetype="application/json")


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
    fingerprint = open_data.settings_fingerprint(settings)
    response.set_etag(api_requests.etag(status.version, fingerprint, flask.request.full_path))
    response.headers["Cache-Control"] = api_requests.CACHE_CONTROL
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = api_requests.EXPOSED_HEADERS
    # In place: a 304 without a body when the client's ETag matches.
    response.make_conditional(flask.request)
    return response


def _guarded(view: Answer) -> Answer:
    """Bad parameters become a 400 naming them; a data store that is down a JSON 503 with
    ``Retry-After`` (dashboard/web/outage.py); anything else unexpected a JSON 500, logged."""

    def guarded(**kwargs: Any) -> flask.Response:
        try:
            return view(**kwargs)
        except BadParameter as error:
            response = _json_response(error.as_json(), 400)
        except Exception as error:
            if outage.is_store_outage(error):
                outage.log_outage(error)
                return outage.json_unavailable()
            logger.exception("open-data API failed on %s", flask.request.full_path)
            response = _error(500, "internal_error", "the server failed to answer; try again")
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return guarded
