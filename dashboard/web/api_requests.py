"""The open-data API's requests and answers as plain functions (no Flask, no I/O).

``callbacks/api.py`` reads the request, calls these and :mod:`dashboard.open_data`, and wraps
the result in a response. Query parameters arrive as ``{name: [values...]}`` (every value of a
repeated parameter), as Flask's ``request.args.lists()`` gives them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.open_data import BadParameter, Resource, ResourceQuery
from dashboard.open_data.parameters import requested_format

#: Browsers and proxies may keep an answer this long; the ETag makes revalidation cheap.
CACHE_CONTROL = "public, max-age=300"
#: Headers a page on another site may read from an answer.
EXPOSED_HEADERS = "ETag, Link, X-Total-Count"

Args = Mapping[str, Sequence[str]]


def json_text(body: Any) -> str:
    """Compact JSON that keeps the columns in the documented order (jsonify sorts keys)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def etag(version: str, fingerprint: str, full_path: str) -> str:
    """The answer's ETag: the published-data version, the settings and the exact request."""
    return hashlib.sha256("|".join((version, fingerprint, full_path)).encode()).hexdigest()[:32]


def reject_parameters(args: Args, path: str) -> None:
    """For an endpoint that takes no parameters: the first one given is a BadParameter."""
    for name, values in args.items():
        raise BadParameter(name, ",".join(values), f"{path} takes no parameters")


def dictionary_format(args: Args, path_format: str | None) -> str:
    """``csv`` or ``json`` for the data dictionary, which takes ``format`` and nothing else,
    under the same rules as a resource's (given once, agreeing with a ``.csv`` path)."""
    for name, values in args.items():
        if name != open_data.FORMAT_PARAMETER:
            raise BadParameter(
                name, ",".join(values), f"{open_data.DICTIONARY_PATH} takes only format"
            )
    return requested_format(args, path_format)


def dictionary_document(rows: Sequence[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """The data dictionary as the JSON answer: its records and their ``meta``."""
    dictionary = open_data.DICTIONARY
    return {
        "data": [open_data.json_record(dictionary, row) for row in rows],
        "meta": {
            "resource": dictionary.name,
            "description": dictionary.description_en,
            "license": open_data.license_info(settings.open_data_license),
            "count": len(rows),
        },
    }


def resource_cache_key(
    resource: Resource, version: str, fingerprint: str, query: ResourceQuery
) -> str:
    """Where a page of a resource's records is cached (publishing changes ``version``)."""
    return f"api:{resource.name}:{version}:{fingerprint}:{query.query_string()}"


def count_cache_key(version: str, query: ResourceQuery) -> str:
    """Where the total of a filter set is cached: shared by all its pages and formats."""
    return f"api:count:{version}:{query.scope()}"


def zip_cache_key(version: str, fingerprint: str, base_url: str) -> str:
    """One download-all ZIP per data version, settings and site address."""
    return f"api:zip:{version}:{fingerprint}:{base_url}"


def link_header(links: Mapping[str, str]) -> str:
    """An HTTP ``Link`` header (RFC 8288) from {rel: url}; empty when there are none."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())


def not_found_message(path: str) -> str:
    return f"no API resource at {path}; see {open_data.API_PREFIX} or {open_data.OPENAPI_PATH}"


def endpoint_name(resource: Resource, path_format: str | None = None) -> str:
    """The Flask endpoint of a resource's route (``_csv`` for its ``.csv`` path)."""
    name = "api_" + resource.name.replace("-", "_")
    return name + "_csv" if path_format == "csv" else name
