"""The open-data page's view: every API endpoint, the download and the data dictionary.

Written from the same definitions the API serves (``dashboard.open_data.RESOURCES``), so the
page documents exactly the endpoints, parameters and columns that exist. Example links use a
real unit and metric from the store, so every one of them answers with data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from dashboard import open_data
from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.open_data.parameters import MAX_OFFSET

#: Rows the example links ask for: enough to see the shape, small enough to read.
EXAMPLE_LIMIT = 10

TYPE_WORDS: Messages = messages(
    P_("string", "text"),
    P_("integer", "whole number"),
    P_("number", "number"),
    P_("boolean", "true or false"),
    P_("date", "date (YYYY-MM-DD)"),
    P_("datetime", "date and time (UTC)"),
    P_("list", "list"),
)

#: Units of measure in the data dictionary, by their English words (the definitions hold English).
UNIT_WORDS: Messages = messages(
    P_("dictionary_unit_scale", "the metric's scale"),
    P_("dictionary_unit_scale_see", "the metric's scale (see scale)"),
    P_("dictionary_unit_count", "count"),
    P_("dictionary_unit_fraction", "fraction (0–1)"),
    P_("dictionary_unit_points", "points (0–100)"),
)
_UNIT_KEYS = {message.text: key for key, message in UNIT_WORDS.items()}


@dataclass(frozen=True)
class ParameterDoc:
    name: str
    description: str
    allowed: tuple[str, ...]
    example: str


@dataclass(frozen=True)
class EndpointDoc:
    name: str
    title: str
    description: str
    path: str
    csv_path: str
    parameters: tuple[ParameterDoc, ...]
    example_json: str  # a link that answers with a few real rows
    example_csv: str


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str
    description: str
    unit: str
    allowed: tuple[str, ...]
    nullable: bool


@dataclass(frozen=True)
class FileDoc:
    file_name: str
    title: str
    columns: tuple[ColumnDoc, ...]


@dataclass(frozen=True)
class OpenDataView:
    language: str
    as_of: dt.date | None
    last_updated: dt.datetime | None
    license_name: str
    license_url: str | None
    small_sample_threshold: int
    endpoints: tuple[EndpointDoc, ...]
    files: tuple[FileDoc, ...]
    paging_parameters: tuple[ParameterDoc, ...]
    catalog_path: str = open_data.API_PREFIX
    openapi_path: str = open_data.OPENAPI_PATH
    zip_path: str = open_data.ZIP_PATH
    dictionary_csv_path: str = open_data.DICTIONARY_PATH + ".csv"
    #: Path and query of the example in the page's curl command (the layout adds the site).
    example_curl_path: str = ""
    #: Paths of the resources paged by ``cursor`` (their next links carry one).
    cursor_paths: tuple[str, ...] = tuple(r.path for r in open_data.RESOURCES if r.keyset)


def example_filters(examples: dict[str, str]) -> dict[str, dict[str, str]]:
    """Query parameters of each resource's example link, from real values in the store."""
    unit, metric = examples.get("unit"), examples.get("metric")
    by_resource: dict[str, dict[str, str]] = {
        "units": {"kind": "agency"},
        "metrics": {},
        "targets": {},
        "observations": {"segment": open_data.OVERALL_SEGMENT},
        "actions": {},
        "contact-points": {},
        "closures": {},
    }
    if unit:
        for name in ("targets", "observations", "actions", "contact-points"):
            by_resource[name]["unit"] = unit
    if metric:
        by_resource["observations"]["metric"] = metric
    if examples.get("period_end"):
        by_resource["targets"]["in_force_on"] = examples["period_end"]
    return by_resource


def _link(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode({**query, 'limit': str(EXAMPLE_LIMIT)})}"


def endpoint_docs(examples: dict[str, str], language: str) -> tuple[EndpointDoc, ...]:
    filters = example_filters(examples)
    return tuple(
        EndpointDoc(
            name=resource.name,
            title=resource.title(language),
            description=resource.description(language),
            path=resource.path,
            csv_path=resource.csv_path,
            parameters=tuple(
                ParameterDoc(p.name, p.description(language), p.allowed, p.example)
                for p in resource.parameters
            ),
            example_json=_link(resource.path, filters.get(resource.name, {})),
            example_csv=_link(resource.csv_path, filters.get(resource.name, {})),
        )
        for resource in open_data.RESOURCES
    )


PAGING_TEXT: Messages = messages(
    P_("limit", "Rows per page, 1 to {most} (default {default})."),
    P_("offset", "Rows to skip. Easier: follow meta.links.next (JSON) or the Link header (CSV)."),
    P_("format", "json (default) or csv; adding .csv to the path does the same."),
    P_(
        "paging_offset_deep",
        "At most {most}. The deeper the offset, the slower the page (the rows before it are "
        "stepped over): deep in, follow the next links, which carry a cursor.",
    ),
    P_(
        "paging_cursor",
        "Where the page starts, on {path}: the opaque token its next links carry "
        "(meta.links.next, or the Link header for CSV). Use it as given, with the same "
        "filters. Every page takes the same short time, however deep. Give cursor or offset, "
        "not both.",
    ),
)


def paging_docs(language: str) -> tuple[ParameterDoc, ...]:
    return (
        ParameterDoc(
            "limit",
            translate(
                PAGING_TEXT,
                "limit",
                language,
                most=open_data.MAX_LIMIT,
                default=open_data.DEFAULT_LIMIT,
            ),
            (),
            str(open_data.DEFAULT_LIMIT),
        ),
        ParameterDoc(
            open_data.OFFSET_PARAMETER,
            " ".join(
                (
                    translate(PAGING_TEXT, "offset", language),
                    translate(PAGING_TEXT, "paging_offset_deep", language, most=MAX_OFFSET),
                )
            ),
            (),
            "0",
        ),
        ParameterDoc(
            "format", translate(PAGING_TEXT, "format", language), open_data.FORMATS, "csv"
        ),
        # Only the keyset resources take it (the observations); their next links carry it.
        *(
            ParameterDoc(
                open_data.CURSOR_PARAMETER,
                translate(PAGING_TEXT, "paging_cursor", language, path=resource.path),
                (),
                "",
            )
            for resource in open_data.RESOURCES
            if resource.keyset
        ),
    )


def _unit_words(unit: str, language: str) -> str:
    key = _UNIT_KEYS.get(unit)
    return translate(UNIT_WORDS, key, language) if key else unit


def file_docs(language: str) -> tuple[FileDoc, ...]:
    """The data dictionary, one entry per file of the download (the dictionary included)."""
    return tuple(
        FileDoc(
            file_name=resource.file_name,
            title=resource.title(language),
            columns=tuple(
                ColumnDoc(
                    name=f.name,
                    type=translate(TYPE_WORDS, f.type, language),
                    description=f.description(language),
                    unit=_unit_words(f.unit, language),
                    allowed=f.allowed,
                    nullable=f.nullable,
                )
                for f in resource.fields
            ),
        )
        for resource in (*open_data.RESOURCES, open_data.DICTIONARY)
    )


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> OpenDataView:
    status = queries.data_status(database_url)
    examples = open_data.example_values(database_url)
    licence = open_data.license_info(settings.open_data_license)
    observations = example_filters(examples)["observations"]
    curl_query = urlencode({**observations, "limit": str(EXAMPLE_LIMIT)})
    return OpenDataView(
        language=language,
        as_of=status.as_of,
        last_updated=status.last_updated,
        license_name=licence["name"] or settings.open_data_license,
        license_url=licence["url"],
        small_sample_threshold=settings.small_sample_threshold,
        endpoints=endpoint_docs(examples, language),
        files=file_docs(language),
        paging_parameters=paging_docs(language),
        example_curl_path=f"{open_data.OBSERVATIONS.path}?{curl_query}",
    )
