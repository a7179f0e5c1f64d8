"""``/data.json``: the DCAT-US catalogue of the open data (``dashboard.open_data.dcat``).

Cached per data version (and site address, which every URL in it carries); answered with the
API's ETag and CORS headers, so a harvester polling it gets 304s until something is
published.
"""

from __future__ import annotations

import json

import flask
from dash import Dash

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.infra.cache import cached
from dashboard.open_data import settings_fingerprint
from dashboard.open_data.dcat import CATALOG_PATH, build_catalog


def register(app: Dash) -> None:
    settings: Settings = app.server.config["CXDASH_SETTINGS"]
    fingerprint = settings_fingerprint(settings)

    @app.server.get(CATALOG_PATH)
    def data_json() -> flask.Response:
        status = queries.data_status(settings.database_url)
        base_url = flask.request.url_root.rstrip("/")
        key = f"data.json:{status.version}:{fingerprint}:{base_url}"
        body = cached(key, lambda: json.dumps(build_catalog(settings, base_url), indent=2))
        etag = f"{status.version}-{fingerprint}"
        if flask.request.if_none_match.contains(etag):
            unchanged = flask.Response(status=304)
            unchanged.set_etag(etag)
            return unchanged
        response = flask.Response(body, mimetype="application/json")
        response.set_etag(etag)
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cache-Control"] = "public, max-age=300"
        return response
