"""The open-data API as plain functions: resources, their columns, queries, files, OpenAPI.

One table of :class:`Resource` definitions (each with its :class:`Field` columns and its
filter :class:`Parameter` s) is the single source of the JSON records, the CSV headers, the
data dictionary, the OpenAPI document and the docs page, so they cannot drift apart.

Published data only: every row comes from the gateway (:mod:`dashboard.gateway.open_data`),
which filters drafts with the same conditions as the pages (:mod:`dashboard.gateway.published`)
and never selects an internal note; units, metrics, contact points and closures are drafts
until published, like everything else. Targets are listed with their history: a corrected
target keeps its row, with ``superseded_at``, and is never in force (``in_force_on`` leaves
it out).

"Not reported" is a null ``value`` with ``reporting_status`` = "not_reported", never a
zero; survey results on fewer responses than the small-sample threshold carry
``small_sample`` (and under the "suppress" policy their value is withheld as "suppressed");
a revised figure carries ``revised`` and its earlier published value.

The package, along its seams: :mod:`.resources` (the definitions), :mod:`.parameters` (query
parsing), :mod:`.cursor` (the opaque keyset cursor of the next links), :mod:`.records`
(published rows as records), :mod:`.files` (metadata, dictionary, ZIP) and :mod:`.openapi`.
Nothing here does I/O at import; the Flask glue is ``callbacks/api.py``.
"""

from dashboard.open_data.cursor import (
    CURSOR_PATTERN,
    MAX_CURSOR_LENGTH,
    CursorError,
    decode_cursor,
    encode_cursor,
)
from dashboard.open_data.files import (
    build_zip,
    catalog,
    data_dictionary,
    license_info,
    metadata,
    page_links,
    readme_text,
    settings_fingerprint,
    source_text,
)
from dashboard.open_data.openapi import (
    example_values,
    field_schema,
    openapi_document,
    openapi_path,
    resource_schema,
)
from dashboard.open_data.parameters import (
    BadParameter,
    LazyLookups,
    Lookups,
    LookupSource,
    ResourceQuery,
    error_body,
    load_lookups,
    load_names,
    load_segments,
    parse_query,
)
from dashboard.open_data.records import (
    count,
    csv_cell,
    csv_text,
    fetch,
    fetch_keyset_page,
    fetch_observations,
    json_record,
    json_value,
    observation_record,
    proportion_interval,
)
from dashboard.open_data.resources import (
    ACTIONS,
    API_PREFIX,
    API_VERSION,
    CLOSURES,
    CONTACT_POINTS,
    CSV_LIST_SEPARATOR,
    CURSOR_PARAMETER,
    DEFAULT_LIMIT,
    DICTIONARY_PATH,
    DOCS_PAGE_PATH,
    FIELD_TYPES,
    FORMAT_PARAMETER,
    FORMATS,
    LICENSE_URLS,
    LIMIT_PARAMETER,
    MAX_LIMIT,
    METRIC_CODE,
    METRICS,
    OBSERVATIONS,
    OFFSET_PARAMETER,
    OPENAPI_PATH,
    OVERALL_SEGMENT,
    PAGING_PARAMETERS,
    REPORTING_STATUSES,
    RESOURCES,
    TARGETS,
    UNIT_SLUG,
    UNITS,
    ZIP_FILE_NAME,
    ZIP_PATH,
    Field,
    Parameter,
    Resource,
    dictionary,
    dictionary_languages,
)

__all__ = [
    "ACTIONS",
    "API_PREFIX",
    "API_VERSION",
    "CLOSURES",
    "CONTACT_POINTS",
    "CSV_LIST_SEPARATOR",
    "CURSOR_PARAMETER",
    "CURSOR_PATTERN",
    "DEFAULT_LIMIT",
    "DICTIONARY_PATH",
    "DOCS_PAGE_PATH",
    "FIELD_TYPES",
    "FORMATS",
    "FORMAT_PARAMETER",
    "LICENSE_URLS",
    "LIMIT_PARAMETER",
    "MAX_CURSOR_LENGTH",
    "MAX_LIMIT",
    "METRICS",
    "METRIC_CODE",
    "OBSERVATIONS",
    "OFFSET_PARAMETER",
    "OPENAPI_PATH",
    "OVERALL_SEGMENT",
    "PAGING_PARAMETERS",
    "REPORTING_STATUSES",
    "RESOURCES",
    "TARGETS",
    "UNITS",
    "UNIT_SLUG",
    "ZIP_FILE_NAME",
    "ZIP_PATH",
    "BadParameter",
    "CursorError",
    "Field",
    "LazyLookups",
    "LookupSource",
    "Lookups",
    "Parameter",
    "Resource",
    "ResourceQuery",
    "build_zip",
    "catalog",
    "count",
    "csv_cell",
    "csv_text",
    "data_dictionary",
    "decode_cursor",
    "dictionary",
    "dictionary_languages",
    "encode_cursor",
    "error_body",
    "example_values",
    "fetch",
    "fetch_keyset_page",
    "fetch_observations",
    "field_schema",
    "json_record",
    "json_value",
    "license_info",
    "load_lookups",
    "load_names",
    "load_segments",
    "metadata",
    "observation_record",
    "openapi_document",
    "openapi_path",
    "page_links",
    "parse_query",
    "proportion_interval",
    "readme_text",
    "resource_schema",
    "settings_fingerprint",
    "source_text",
]


def __getattr__(name: str) -> Resource:
    # ``open_data.DICTIONARY`` follows the configured languages (a description column for each),
    # which are known only once the app or the command line has read its settings.
    if name == "DICTIONARY":
        return dictionary()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
