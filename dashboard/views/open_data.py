"""The open-data page's view: every API endpoint, the download and the data dictionary.

Written from the same definitions the API serves (``dashboard.open_data.RESOURCES``), so the
page documents exactly the endpoints, parameters and columns that exist. Example links use a
real unit and metric from the store, so every one of them answers with data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from dashboard import open_data, queries
from dashboard.routes import Route
from dashboard.settings import Settings

#: Rows the example links ask for: enough to see the shape, small enough to read.
EXAMPLE_LIMIT = 10

TYPE_WORDS: dict[str, dict[str, str]] = {
    "string": {"en": "text", "es": "texto"},
    "integer": {"en": "whole number", "es": "número entero"},
    "number": {"en": "number", "es": "número"},
    "boolean": {"en": "true or false", "es": "true o false"},
    "date": {"en": "date (YYYY-MM-DD)", "es": "fecha (AAAA-MM-DD)"},
    "datetime": {"en": "date and time (UTC)", "es": "fecha y hora (UTC)"},
    "list": {"en": "list", "es": "lista"},
}

#: Units of measure in the data dictionary, in Spanish (the definitions hold English).
UNIT_WORDS_ES = {
    "the metric's scale": "la escala de la medida",
    "the metric's scale (see scale)": "la escala de la medida (ver scale)",
    "count": "recuento",
    "fraction (0–1)": "fracción (0–1)",
    "points (0–100)": "puntos (0–100)",
}


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


def _lang(language: str) -> str:
    return "es" if language == "es" else "en"


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
    language = _lang(language)
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


PAGING_TEXT = {
    "limit": {
        "en": f"Rows per page, 1 to {open_data.MAX_LIMIT} (default {open_data.DEFAULT_LIMIT}).",
        "es": f"Filas por página, de 1 a {open_data.MAX_LIMIT} (por defecto "
        f"{open_data.DEFAULT_LIMIT}).",
    },
    "offset": {
        "en": "Rows to skip. Easier: follow meta.links.next (JSON) or the Link header (CSV).",
        "es": "Filas que se saltan. Más fácil: siga meta.links.next (JSON) o la cabecera Link "
        "(CSV).",
    },
    "format": {
        "en": "json (default) or csv; adding .csv to the path does the same.",
        "es": "json (por defecto) o csv; añadir .csv a la ruta hace lo mismo.",
    },
}


def paging_docs(language: str) -> tuple[ParameterDoc, ...]:
    language = _lang(language)
    return (
        ParameterDoc("limit", PAGING_TEXT["limit"][language], (), str(open_data.DEFAULT_LIMIT)),
        ParameterDoc("offset", PAGING_TEXT["offset"][language], (), "0"),
        ParameterDoc("format", PAGING_TEXT["format"][language], open_data.FORMATS, "csv"),
    )


def _unit_words(unit: str, language: str) -> str:
    return UNIT_WORDS_ES.get(unit, unit) if language == "es" else unit


def file_docs(language: str) -> tuple[FileDoc, ...]:
    """The data dictionary, one entry per file of the download (the dictionary included)."""
    language = _lang(language)
    return tuple(
        FileDoc(
            file_name=resource.file_name,
            title=resource.title(language),
            columns=tuple(
                ColumnDoc(
                    name=f.name,
                    type=TYPE_WORDS[f.type][language],
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
    language = _lang(language)
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
