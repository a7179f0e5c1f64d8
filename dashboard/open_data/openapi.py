"""The OpenAPI document of the API, written from the same resource definitions, and the example
values the docs page shows.
"""

from __future__ import annotations

from typing import Any

from dashboard.core.settings import Settings
from dashboard.gateway import open_data as gateway
from dashboard.open_data.cursor import CURSOR_PATTERN, MAX_CURSOR_LENGTH
from dashboard.open_data.files import license_info
from dashboard.open_data.parameters import MAX_OFFSET, MAX_VALUES, VALUE_RULES
from dashboard.open_data.resources import (
    API_PREFIX,
    API_VERSION,
    CURSOR_PARAMETER,
    DEFAULT_LIMIT,
    DICTIONARY_PATH,
    DOCS_PAGE_PATH,
    FORMAT_PARAMETER,
    FORMATS,
    LICENSE_URLS,
    LIMIT_PARAMETER,
    MAX_LIMIT,
    OFFSET_PARAMETER,
    OPENAPI_PATH,
    RESOURCES,
    ZIP_PATH,
    Field,
    Parameter,
    Resource,
    dictionary,
)

# -- OpenAPI ----------------------------------------------------------------------------------

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "list": {"type": "array", "items": {"type": "string"}},
}


def field_schema(f: Field) -> dict[str, Any]:
    """A column as JSON Schema (2020-12, as OpenAPI 3.1 uses): nullable is a "null" type."""
    schema: dict[str, Any] = {**_JSON_TYPES[f.type], "description": f.description_en}
    if f.allowed and f.type != "list":
        allowed: list[Any] = [int(v) for v in f.allowed] if f.type == "integer" else list(f.allowed)
        schema["enum"] = [*allowed, None] if f.nullable else allowed
    if f.nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


def resource_schema(resource: Resource) -> dict[str, Any]:
    return {
        "type": "object",
        "description": resource.description_en,
        "properties": {f.name: field_schema(f) for f in resource.fields},
        "required": [f.name for f in resource.fields],
        "additionalProperties": False,
    }


#: What an unknown but well-formed value is answered with, by parameter kind.
_UNKNOWN_VALUE = {
    "unit": "A slug that names no published unit is a 400 (see /api/v1/units).",
    "metric": "A code that names no published metric is a 400 (see /api/v1/metrics).",
    "segment": "A type:value that no published figure has is a 400, which lists those that do.",
}


def value_schema(parameter: Parameter) -> dict[str, Any]:
    """One value of a filter as JSON Schema: exactly what the server accepts
    (:data:`dashboard.open_data.parameters.VALUE_RULES`, or the choice's list)."""
    if parameter.allowed:
        return {"type": "string", "enum": list(parameter.allowed)}
    rule = VALUE_RULES[parameter.kind]
    schema: dict[str, Any] = {
        "type": "string",
        "minLength": 1,
        "maxLength": rule.max_length,
        "pattern": rule.anchored,
    }
    if parameter.kind == "date":
        schema["format"] = "date"
    return schema


def _parameter_object(parameter: Parameter) -> dict[str, Any]:
    schema = value_schema(parameter)
    description = parameter.description_en
    if not parameter.allowed:
        description += f" Each value: {VALUE_RULES[parameter.kind].words}."
    if parameter.kind in _UNKNOWN_VALUE:
        description += " " + _UNKNOWN_VALUE[parameter.kind]
    if parameter.repeatable:
        schema = {"type": "array", "items": schema, "maxItems": MAX_VALUES}
        description += (
            f" At most {MAX_VALUES} values; spaces around the commas of a list are ignored."
        )
    described: dict[str, Any] = {
        "name": parameter.name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }
    if parameter.repeatable:
        described.update(style="form", explode=True)
    if parameter.example:
        described["example"] = [parameter.example] if parameter.repeatable else parameter.example
    return described


_META_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "How current the data is, whose it is, the query read back, and links.",
    "properties": {
        "resource": {"type": "string"},
        "description": {"type": "string"},
        "data_as_of": {
            "type": ["string", "null"],
            "format": "date",
            "description": "End of the latest published period.",
        },
        "last_updated": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When anything was last published or revised (UTC).",
        },
        "data_version": {
            "type": "string",
            "description": "Changes whenever published data does.",
        },
        "source": {"type": "string"},
        "license": {"$ref": "#/components/schemas/License"},
        "query": {
            "type": "object",
            "description": "The filters and paging as understood (normalized).",
        },
        "total": {"type": "integer", "description": "Rows matching the filters."},
        "count": {"type": "integer", "description": "Rows on this page."},
        "links": {
            "type": "object",
            "properties": {
                name: {"type": ["string", "null"], "format": "uri"}
                for name in (
                    "self",
                    "next",
                    "previous",
                    "csv",
                    "documentation",
                    "openapi",
                    "download_all",
                )
            },
            "required": ["self", "next", "previous"],
        },
        "small_sample_threshold": {"type": "integer"},
        "small_sample_policy": {"type": "string", "enum": ["flag", "suppress"]},
    },
    "required": [
        "resource",
        "data_as_of",
        "last_updated",
        "data_version",
        "source",
        "license",
        "query",
        "total",
        "count",
        "links",
    ],
}

_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "parameter": {"type": "string", "description": "The parameter at fault."},
                "value": {"type": ["string", "null"], "description": "Its value as given."},
                "message": {"type": "string"},
                "path": {"type": "string", "description": "The path that has no resource."},
                "method": {"type": "string", "description": "The method that is refused."},
                "retry_after": {
                    "type": "integer",
                    "description": "Seconds to wait before asking again (as Retry-After).",
                },
            },
            "required": ["status", "code", "message"],
        }
    },
    "required": ["error"],
}

_LICENSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": ["string", "null"], "description": "SPDX identifier."},
        "name": {"type": "string"},
        "url": {"type": ["string", "null"], "format": "uri"},
    },
    "required": ["id", "name", "url"],
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _responses(ok: dict[str, Any]) -> dict[str, Any]:
    """Every answer an operation can give: ``ok`` (200), then the same 304, 400, 429 and 503
    for all (each refuses unknown parameters with a 400). 404 and 405 answer paths and
    methods outside the document: they are described under components."""
    return {
        "200": ok,
        "304": _ref("responses", "NotModified"),
        "400": _ref("responses", "BadParameter"),
        "429": _ref("responses", "TooManyRequests"),
        "503": _ref("responses", "Unavailable"),
    }


def _format_parameter(formats: tuple[str, ...]) -> dict[str, Any]:
    """``format``: json or csv on a JSON path; on a ``.csv`` path only csv (it may be given)."""
    return {
        "name": FORMAT_PARAMETER,
        "in": "query",
        "required": False,
        "description": " or ".join(formats) + (" (default)" if len(formats) > 1 else "") + ".",
        "schema": {"type": "string", "enum": list(formats), "default": formats[0]},
    }


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": _ref("schemas", "Error")}}


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before asking again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def _csv_content() -> dict[str, Any]:
    return {"text/csv": {"schema": {"type": "string", "contentMediaType": "text/csv"}}}


def openapi_document(settings: Settings) -> dict[str, Any]:
    """An OpenAPI 3.1 description of every route under /api/v1."""
    licence = license_info(settings.open_data_license)
    info_license: dict[str, str] = {"name": licence["name"] or settings.open_data_license}
    if licence["id"] and licence["id"] in LICENSE_URLS:
        info_license["identifier"] = licence["id"]
    elif licence["url"]:
        info_license["url"] = licence["url"]
    paging = [
        _ref("parameters", "limit"),
        _ref("parameters", "offset"),
    ]
    json_object = {"application/json": {"schema": {"type": "object"}}}
    paths: dict[str, Any] = {
        API_PREFIX: {
            "get": {
                "operationId": "getCatalog",
                "summary": "The API's resources and links",
                "tags": ["catalog"],
                "responses": _responses({"description": "The catalog.", "content": json_object}),
            }
        },
        OPENAPI_PATH: {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "tags": ["catalog"],
                "responses": _responses(
                    {"description": "The OpenAPI 3.1 document.", "content": json_object}
                ),
            }
        },
        ZIP_PATH: {
            "get": {
                "operationId": "downloadAll",
                "summary": "Every resource as CSV, with data-dictionary.csv and README.txt",
                "tags": ["download"],
                "responses": _responses(
                    {
                        "description": "A ZIP archive of UTF-8 CSV files.",
                        "content": {
                            "application/zip": {
                                "schema": {"type": "string", "contentMediaType": "application/zip"}
                            }
                        },
                    }
                ),
            }
        },
        DICTIONARY_PATH: {
            "get": {
                "operationId": "getDataDictionary",
                "summary": dictionary().description_en,
                "tags": ["download"],
                "parameters": [_format_parameter(FORMATS)],
                "responses": _responses(
                    {
                        "description": "Every column of every file.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "data": {
                                            "type": "array",
                                            "items": _ref("schemas", dictionary().schema_name),
                                        }
                                    },
                                    "required": ["data"],
                                }
                            },
                            **_csv_content(),
                        },
                    }
                ),
            }
        },
        f"{DICTIONARY_PATH}.csv": {
            "get": {
                "operationId": "getDataDictionaryCsv",
                "summary": dictionary().description_en + " (CSV)",
                "tags": ["download"],
                "parameters": [_format_parameter(("csv",))],
                "responses": _responses(
                    {"description": "data-dictionary.csv", "content": _csv_content()}
                ),
            }
        },
    }
    schemas: dict[str, Any] = {
        "Meta": _META_SCHEMA,
        "Error": _ERROR_SCHEMA,
        "License": _LICENSE_SCHEMA,
        dictionary().schema_name: resource_schema(dictionary()),
    }
    for resource in RESOURCES:
        schemas[resource.schema_name] = resource_schema(resource)
        page_name = f"{resource.schema_name}Page"
        schemas[page_name] = {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": _ref("schemas", resource.schema_name)},
                "meta": _ref("schemas", "Meta"),
            },
            "required": ["data", "meta"],
        }
        filters = [_parameter_object(p) for p in resource.parameters]
        # A keyset resource also takes the cursor its next links carry.
        resource_paging = [*paging, _ref("parameters", "cursor")] if resource.keyset else paging
        operation_id = "".join(part.capitalize() for part in resource.name.split("-"))
        paths[resource.path] = {
            "get": {
                "operationId": f"list{operation_id}",
                "summary": resource.title_en,
                "description": resource.description_en,
                "tags": [resource.name],
                "parameters": [*filters, *resource_paging, _format_parameter(FORMATS)],
                "responses": _responses(
                    {
                        "description": f"A page of {resource.name}.",
                        "headers": {"ETag": {"schema": {"type": "string"}}},
                        "content": {
                            "application/json": {"schema": _ref("schemas", page_name)},
                            **_csv_content(),
                        },
                    }
                ),
            }
        }
        paths[resource.csv_path] = {
            "get": {
                "operationId": f"list{operation_id}Csv",
                "summary": f"{resource.title_en} (CSV)",
                "description": resource.description_en
                + " Pages as the JSON does; the Link header gives the next page.",
                "tags": [resource.name],
                "parameters": [*filters, *resource_paging, _format_parameter(("csv",))],
                "responses": _responses(
                    {
                        "description": f"A page of {resource.name} as CSV.",
                        "headers": {
                            "ETag": {"schema": {"type": "string"}},
                            "Link": {"schema": {"type": "string"}},
                            "X-Total-Count": {"schema": {"type": "integer"}},
                        },
                        "content": _csv_content(),
                    }
                ),
            }
        }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": f"{settings.site_name} open data API",
            "version": API_VERSION,
            "summary": "Published customer-service results, targets and actions.",
            "description": (
                "Read-only, published data only. JSON by default; CSV with the .csv suffix or "
                f"format=csv. Pages of at most {MAX_LIMIT} rows (default {DEFAULT_LIMIT}), with "
                "a next link. A null value is never a zero: see reporting_status. Errors are "
                "JSON with the parameter and value at fault."
            ),
            "license": info_license,
        },
        "servers": [{"url": "/"}],
        "externalDocs": {"description": "Open data page", "url": DOCS_PAGE_PATH},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "limit": {
                    "name": LIMIT_PARAMETER,
                    "in": "query",
                    "required": False,
                    "description": f"Rows per page, 1 to {MAX_LIMIT}.",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_LIMIT,
                        "default": DEFAULT_LIMIT,
                    },
                },
                "offset": {
                    "name": OFFSET_PARAMETER,
                    "in": "query",
                    "required": False,
                    "description": (
                        f"Rows to skip, 0 to {MAX_OFFSET} (follow meta.links.next rather than "
                        "counting: where a resource takes a cursor, its next links carry one, "
                        "which finds a deep page at once where an offset steps over every "
                        "row before it)."
                    ),
                    "schema": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": MAX_OFFSET,
                        "default": 0,
                    },
                },
                "cursor": {
                    "name": CURSOR_PARAMETER,
                    "in": "query",
                    "required": False,
                    "description": (
                        "Where the page starts: past the last row of the page before. Opaque; "
                        "take it from meta.links.next (JSON) or the Link header (CSV) and keep "
                        "the same filters (limit and format may change). Constant time: a page "
                        "found by cursor is as quick at any depth, where an offset steps over "
                        "every row before the page. Rows come in a fixed order (unit, metric, "
                        "granularity, period start, segment), so following next gives every "
                        "row once. Not with offset. A cursor the API did not give for these "
                        "filters is a 400."
                    ),
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_CURSOR_LENGTH,
                        "pattern": f"^(?:{CURSOR_PATTERN})$",
                    },
                },
            },
            "responses": {
                "NotModified": {
                    "description": "Unchanged since the ETag given in If-None-Match.",
                    "headers": {"ETag": {"schema": {"type": "string"}}},
                },
                "BadParameter": {
                    "description": (
                        "A parameter the API cannot use: unknown, given twice, malformed, out "
                        "of bounds, or naming no published unit, metric or segment. The error "
                        "names the parameter and its value."
                    ),
                    "content": _error_content(),
                },
                "TooManyRequests": {
                    "description": "Too many requests from this client; wait Retry-After.",
                    "headers": _RETRY_AFTER,
                    "content": _error_content(),
                },
                "Unavailable": {
                    "description": "The data store cannot be read right now; wait Retry-After.",
                    "headers": _RETRY_AFTER,
                    "content": _error_content(),
                },
                "NotFound": {
                    "description": "Any other path under /api/: no such resource.",
                    "content": _error_content(),
                },
                "MethodNotAllowed": {
                    "description": "Any method but GET (the API is read-only); see Allow.",
                    "headers": {"Allow": {"schema": {"type": "string"}}},
                    "content": _error_content(),
                },
            },
        },
    }


def openapi_path(flask_rule: str) -> str:
    """A Flask rule ("/api/v1/<name>") written as an OpenAPI path ("/api/v1/{name}")."""
    out, depth, name = [], 0, ""
    for char in flask_rule:
        if char == "<":
            depth, name = 1, ""
        elif char == ">" and depth:
            depth = 0
            out.append("{" + name.rpartition(":")[2] + "}")
        elif depth:
            name += char
        else:
            out.append(char)
    return "".join(out)


# -- examples for the docs page ---------------------------------------------------------------


def example_values(database_url: str) -> dict[str, str]:
    """Real values for the docs page's example links: a unit and metric that have data."""
    latest = gateway.latest_agency_figure(database_url)
    if latest is None:
        return {}
    unit, metric, period_end = latest
    return {"unit": unit, "metric": metric, "period_end": period_end.isoformat()}
