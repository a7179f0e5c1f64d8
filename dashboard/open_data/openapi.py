"""The OpenAPI document of the API, written from the same resource definitions, and the example
values the docs page shows.
"""

from __future__ import annotations

from typing import Any

from dashboard.core.settings import Settings
from dashboard.gateway import open_data as gateway
from dashboard.open_data.files import license_info
from dashboard.open_data.resources import (
    API_PREFIX,
    API_VERSION,
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


def _parameter_object(parameter: Parameter) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if parameter.kind == "date":
        schema["format"] = "date"
    if parameter.allowed:
        schema["enum"] = list(parameter.allowed)
    if parameter.repeatable:
        schema = {"type": "array", "items": schema}
    described: dict[str, Any] = {
        "name": parameter.name,
        "in": "query",
        "required": False,
        "description": parameter.description_en,
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


def _error_responses() -> dict[str, Any]:
    return {
        "400": _ref("responses", "BadParameter"),
        "404": _ref("responses", "NotFound"),
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
    paths: dict[str, Any] = {
        API_PREFIX: {
            "get": {
                "operationId": "getCatalog",
                "summary": "The API's resources and links",
                "tags": ["catalog"],
                "responses": {
                    "200": {
                        "description": "The catalog.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        OPENAPI_PATH: {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "tags": ["catalog"],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        ZIP_PATH: {
            "get": {
                "operationId": "downloadAll",
                "summary": "Every resource as CSV, with data-dictionary.csv and README.txt",
                "tags": ["download"],
                "responses": {
                    "200": {
                        "description": "A ZIP archive of UTF-8 CSV files.",
                        "content": {
                            "application/zip": {
                                "schema": {"type": "string", "contentMediaType": "application/zip"}
                            }
                        },
                    }
                },
            }
        },
        DICTIONARY_PATH: {
            "get": {
                "operationId": "getDataDictionary",
                "summary": dictionary().description_en,
                "tags": ["download"],
                "parameters": [_ref("parameters", "format")],
                "responses": {
                    "200": {
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
                    },
                    "400": _ref("responses", "BadParameter"),
                },
            }
        },
        f"{DICTIONARY_PATH}.csv": {
            "get": {
                "operationId": "getDataDictionaryCsv",
                "summary": dictionary().description_en + " (CSV)",
                "tags": ["download"],
                "responses": {
                    "200": {"description": "data-dictionary.csv", "content": _csv_content()}
                },
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
        operation_id = "".join(part.capitalize() for part in resource.name.split("-"))
        paths[resource.path] = {
            "get": {
                "operationId": f"list{operation_id}",
                "summary": resource.title_en,
                "description": resource.description_en,
                "tags": [resource.name],
                "parameters": [*filters, *paging, _ref("parameters", "format")],
                "responses": {
                    "200": {
                        "description": f"A page of {resource.name}.",
                        "headers": {"ETag": {"schema": {"type": "string"}}},
                        "content": {
                            "application/json": {"schema": _ref("schemas", page_name)},
                            **_csv_content(),
                        },
                    },
                    **_error_responses(),
                },
            }
        }
        paths[resource.csv_path] = {
            "get": {
                "operationId": f"list{operation_id}Csv",
                "summary": f"{resource.title_en} (CSV)",
                "description": resource.description_en
                + " Pages as the JSON does; the Link header gives the next page.",
                "tags": [resource.name],
                "parameters": [*filters, *paging],
                "responses": {
                    "200": {
                        "description": f"A page of {resource.name} as CSV.",
                        "headers": {
                            "Link": {"schema": {"type": "string"}},
                            "X-Total-Count": {"schema": {"type": "integer"}},
                        },
                        "content": _csv_content(),
                    },
                    **_error_responses(),
                },
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
                    "description": "Rows to skip (follow meta.links.next rather than counting).",
                    "schema": {"type": "integer", "minimum": 0, "default": 0},
                },
                "format": {
                    "name": FORMAT_PARAMETER,
                    "in": "query",
                    "required": False,
                    "description": "json (default) or csv.",
                    "schema": {"type": "string", "enum": list(FORMATS), "default": "json"},
                },
            },
            "responses": {
                "BadParameter": {
                    "description": "A parameter the API cannot use; the error names it.",
                    "content": {"application/json": {"schema": _ref("schemas", "Error")}},
                },
                "NotFound": {
                    "description": "No such path.",
                    "content": {"application/json": {"schema": _ref("schemas", "Error")}},
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
