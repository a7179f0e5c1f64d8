"""The open-data page: the download, how to read the data, every API endpoint, the dictionary.

Pure formatting of :class:`dashboard.views.open_data.OpenDataView`. API links are plain
``<a href>`` (they leave the app for a JSON or CSV answer); tables are ``StaticTable`` s, one
component each, because the data dictionary alone has over a hundred rows.
"""

from __future__ import annotations

import flask
from dash import html

from callbacks.pages import PageContext
from dashboard.formatting import format_day
from dashboard.i18n import translate
from dashboard.open_data import MAX_LIMIT
from dashboard.views.open_data import EndpointDoc, FileDoc, OpenDataView, ParameterDoc
from layouts.static_table import StaticTable

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Open data", "es": "Datos abiertos"},
    "intro": {
        "en": (
            "Every figure published on this dashboard is open data: download it all at once, "
            "or ask the API for just what you need, as JSON or CSV. Only published figures are "
            "included; drafts and internal notes never are."
        ),
        "es": (
            "Cada cifra publicada en este panel es un dato abierto: descárguelo todo de una vez "
            "o pida a la API solo lo que necesite, en JSON o CSV. Solo se incluyen cifras "
            "publicadas; nunca borradores ni notas internas."
        ),
    },
    "contents": {"en": "On this page", "es": "En esta página"},
    "download_title": {"en": "Download all data", "es": "Descargar todos los datos"},
    "download_body": {
        "en": (
            "One ZIP file holds every resource as a CSV file (UTF-8, opens in any spreadsheet), "
            "the data dictionary, and a README with the source, the date and the licence."
        ),
        "es": (
            "Un archivo ZIP contiene cada recurso como archivo CSV (UTF-8, se abre en cualquier "
            "hoja de cálculo), el diccionario de datos y un README con la fuente, la fecha y la "
            "licencia."
        ),
    },
    "download_zip": {
        "en": "Download all data (ZIP of CSV files)",
        "es": "Descargar todos los datos (ZIP con archivos CSV)",
    },
    "download_dictionary": {
        "en": "Data dictionary (CSV)",
        "es": "Diccionario de datos (CSV)",
    },
    "as_of": {
        "en": "The data runs to {date}.",
        "es": "Los datos llegan hasta el {date}.",
    },
    "no_data": {"en": "No data has been published yet.", "es": "Aún no se han publicado datos."},
    "license": {"en": "Licence:", "es": "Licencia:"},
    "reading_title": {"en": "How to read the data", "es": "Cómo leer los datos"},
    "reading_not_reported": {
        "en": (
            "An empty value is never a zero. The column reporting_status says why it is "
            "empty: not_reported (the unit published no value) or suppressed (too few survey "
            "responses). A period with no row at all was not reported either."
        ),
        "es": (
            "Un valor vacío nunca es un cero. La columna reporting_status dice por qué está "
            "vacío: not_reported (la unidad no publicó valor) o suppressed (demasiadas pocas "
            "respuestas). Un periodo sin ninguna fila tampoco se reportó."
        ),
    },
    "reading_small": {
        "en": (
            "small_sample is true for survey results on fewer than {n} responses: read them "
            "with care. ci_low and ci_high give the 95% margin of error (Wilson interval)."
        ),
        "es": (
            "small_sample es true para resultados de encuesta con menos de {n} respuestas: "
            "léalos con cautela. ci_low y ci_high dan el margen de error al 95 % (intervalo de "
            "Wilson)."
        ),
    },
    "reading_revised": {
        "en": (
            "revised is true for a figure changed after it was first published; earlier_value "
            "keeps the value first published."
        ),
        "es": (
            "revised es true para una cifra cambiada después de publicarse; earlier_value "
            "conserva el valor publicado primero."
        ),
    },
    "reading_break": {
        "en": (
            "series_break is true where the method or survey question changed: results before "
            "and after are not comparable."
        ),
        "es": (
            "series_break es true donde cambió el método o la pregunta: los resultados de antes "
            "y de después no son comparables."
        ),
    },
    "reading_targets": {
        "en": (
            "A result is judged against the target in force on the last day of its period "
            "(targets: effective_from to effective_to)."
        ),
        "es": (
            "Un resultado se juzga contra la meta vigente el último día de su periodo (targets: "
            "effective_from a effective_to)."
        ),
    },
    "api_title": {"en": "The API", "es": "La API"},
    "api_intro": {
        "en": (
            "A read-only web API under {prefix}. Every address answers in JSON; add .csv to "
            "the path (or format=csv) for CSV. JSON answers carry meta: the date the data runs "
            "to, when it was last updated, the licence and your query read back."
        ),
        "es": (
            "Una API web de solo lectura bajo {prefix}. Cada dirección responde en JSON; añada "
            ".csv a la ruta (o format=csv) para CSV. Las respuestas JSON llevan meta: la fecha "
            "hasta la que llegan los datos, la última actualización, la licencia y su consulta."
        ),
    },
    "api_paging": {
        "en": (
            "Answers come in pages of at most {max} rows; meta.links.next (or, for CSV, the "
            "Link header) gives the next page. For everything at once, use the download above."
        ),
        "es": (
            "Las respuestas llegan en páginas de como máximo {max} filas; meta.links.next (o, en "
            "CSV, la cabecera Link) da la página siguiente. Para todo de una vez, use la "
            "descarga de arriba."
        ),
    },
    "api_errors": {
        "en": (
            "A parameter the API cannot use (an unknown unit, a bad period, a page too large) "
            "gets HTTP 400 with a JSON error naming the parameter and its value."
        ),
        "es": (
            "Un parámetro que la API no puede usar (una unidad desconocida, un periodo "
            "erróneo, una página demasiado grande) recibe HTTP 400 con un error JSON que nombra "
            "el parámetro y su valor."
        ),
    },
    "api_example": {
        "en": "For example, from a terminal:",
        "es": "Por ejemplo, desde una terminal:",
    },
    "openapi_link": {
        "en": "API description for tools (OpenAPI 3.1, JSON)",
        "es": "Descripción de la API para herramientas (OpenAPI 3.1, JSON)",
    },
    "catalog_link": {
        "en": "List of endpoints (JSON)",
        "es": "Lista de direcciones (JSON)",
    },
    "paging_caption": {
        "en": "Parameters every endpoint takes",
        "es": "Parámetros que aceptan todas las direcciones",
    },
    "parameter": {"en": "Parameter", "es": "Parámetro"},
    "meaning": {"en": "Meaning", "es": "Significado"},
    "values": {"en": "Values", "es": "Valores"},
    "example": {"en": "Example", "es": "Ejemplo"},
    "endpoints_title": {"en": "Endpoints", "es": "Direcciones"},
    "filters_caption": {"en": "Filters of {path}", "es": "Filtros de {path}"},
    "no_filters": {"en": "No filters.", "es": "Sin filtros."},
    "example_json": {"en": "Example: {title} as JSON", "es": "Ejemplo: {title} en JSON"},
    "example_csv": {"en": "Example: {title} as CSV", "es": "Ejemplo: {title} en CSV"},
    "addresses": {"en": "Addresses:", "es": "Direcciones:"},
    "dictionary_title": {"en": "Data dictionary", "es": "Diccionario de datos"},
    "dictionary_intro": {
        "en": (
            "Every column of every file, in the order of the CSV files and the JSON records. "
            "Lists are separated by ; in CSV."
        ),
        "es": (
            "Cada columna de cada archivo, en el orden de los CSV y de los registros JSON. Las "
            "listas se separan con ; en CSV."
        ),
    },
    "columns_caption": {"en": "Columns of {file}", "es": "Columnas de {file}"},
    "column": {"en": "Column", "es": "Columna"},
    "type": {"en": "Type", "es": "Tipo"},
    "unit": {"en": "Unit", "es": "Unidad"},
    "allowed": {"en": "Allowed values", "es": "Valores posibles"},
    "nullable": {"en": "May be empty", "es": "Puede estar vacía"},
    "yes": {"en": "yes", "es": "sí"},
    "no": {"en": "no", "es": "no"},
}

DOWNLOAD_ID = "download"
READING_ID = "reading"
API_ID = "api"
DICTIONARY_ID = "dictionary"


def _t(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


def _section(anchor: str, title: str, children: list) -> html.Section:
    heading_id = f"{anchor}-title"
    return html.Section(
        [html.H2(title, id=heading_id, className="h3"), *children],
        id=anchor,
        className="open-data-section mb-5",
        **{"aria-labelledby": heading_id},
    )


def _table(table_id: str, caption: str, columns: list, rows: list) -> html.Div:
    # Scrolls sideways on a phone rather than the page; keyboard users can scroll it too.
    return html.Div(
        StaticTable(
            id=table_id,
            caption=caption,
            columns=columns,
            rows=rows,
            row_headers=True,
            className="table table-sm align-top",
        ),
        className="table-responsive",
        tabIndex="0",
        role="region",
        **{"aria-label": caption},
    )


def _contents(language: str) -> html.Nav:
    heading = "open-data-contents"
    entries = [
        (DOWNLOAD_ID, "download_title"),
        (READING_ID, "reading_title"),
        (API_ID, "api_title"),
        (DICTIONARY_ID, "dictionary_title"),
    ]
    return html.Nav(
        [
            html.H2(_t("contents", language), id=heading, className="h5"),
            html.Ul([html.Li(html.A(_t(key, language), href=f"#{a}")) for a, key in entries]),
        ],
        className="mb-4",
        **{"aria-labelledby": heading},
    )


def _download(view: OpenDataView, language: str) -> html.Section:
    as_of = (
        _t("as_of", language, date=format_day(view.as_of, language))
        if view.as_of
        else _t("no_data", language)
    )
    licence = (
        html.A(view.license_name, href=view.license_url, lang="en")
        if view.license_url
        else html.Span(view.license_name, lang="en")
    )
    return _section(
        DOWNLOAD_ID,
        _t("download_title", language),
        [
            html.P(_t("download_body", language)),
            html.Ul(
                [
                    html.Li(
                        html.A(
                            _t("download_zip", language),
                            href=view.zip_path,
                            id="open-data-zip",
                            className="fw-bold",
                        )
                    ),
                    html.Li(
                        html.A(
                            _t("download_dictionary", language),
                            href=view.dictionary_csv_path,
                            id="open-data-dictionary-csv",
                        )
                    ),
                ]
            ),
            html.P(as_of, id="open-data-as-of"),
            html.P([_t("license", language), " ", licence], id="open-data-license"),
        ],
    )


def _reading(view: OpenDataView, language: str) -> html.Section:
    items = [
        _t("reading_not_reported", language),
        _t("reading_small", language, n=view.small_sample_threshold),
        _t("reading_revised", language),
        _t("reading_break", language),
        _t("reading_targets", language),
    ]
    return _section(
        READING_ID, _t("reading_title", language), [html.Ul([html.Li(i) for i in items])]
    )


def _parameter_row(parameter: ParameterDoc) -> list:
    return [
        parameter.name,
        parameter.description,
        ", ".join(parameter.allowed),
        parameter.example,
    ]


def _parameter_columns(language: str) -> list:
    return [
        _t("parameter", language),
        _t("meaning", language),
        _t("values", language),
        _t("example", language),
    ]


def _endpoint(endpoint: EndpointDoc, language: str) -> html.Section:
    heading_id = f"endpoint-{endpoint.name}-title"
    caption = _t("filters_caption", language, path=endpoint.path)
    filters = (
        _table(
            f"endpoint-{endpoint.name}-filters",
            caption,
            _parameter_columns(language),
            [_parameter_row(p) for p in endpoint.parameters],
        )
        if endpoint.parameters
        else html.P(_t("no_filters", language))
    )
    return html.Section(
        [
            html.H4(endpoint.title, id=heading_id, className="h5"),
            html.P(endpoint.description),
            html.P(
                [
                    _t("addresses", language),
                    " ",
                    html.Code(endpoint.path),
                    ", ",
                    html.Code(endpoint.csv_path),
                ]
            ),
            filters,
            html.Ul(
                [
                    html.Li(
                        html.A(
                            _t("example_json", language, title=endpoint.title),
                            href=endpoint.example_json,
                            className="open-data-example",
                        )
                    ),
                    html.Li(
                        html.A(
                            _t("example_csv", language, title=endpoint.title),
                            href=endpoint.example_csv,
                            className="open-data-example",
                        )
                    ),
                ]
            ),
        ],
        id=f"endpoint-{endpoint.name}",
        className="open-data-endpoint border rounded p-3 mb-3",
        **{"aria-labelledby": heading_id},
    )


def _site_origin() -> str:
    """This site's address for the curl example (empty outside a request, as in tests)."""
    return flask.request.url_root.rstrip("/") if flask.has_request_context() else ""


def _api(view: OpenDataView, language: str) -> html.Section:
    return _section(
        API_ID,
        _t("api_title", language),
        [
            html.P(_t("api_intro", language, prefix=view.catalog_path)),
            html.P(_t("api_paging", language, max=MAX_LIMIT)),
            html.P(_t("api_errors", language)),
            html.P(_t("api_example", language)),
            html.Pre(
                html.Code(f"curl '{_site_origin()}{view.example_curl_path}'"),
                className="bg-light border rounded p-2",
                lang="en",
            ),
            html.Ul(
                [
                    html.Li(
                        html.A(_t("openapi_link", language), href=view.openapi_path, id="openapi")
                    ),
                    html.Li(html.A(_t("catalog_link", language), href=view.catalog_path)),
                ]
            ),
            _table(
                "open-data-paging",
                _t("paging_caption", language),
                _parameter_columns(language),
                [_parameter_row(p) for p in view.paging_parameters],
            ),
            html.H3(_t("endpoints_title", language), className="h4 mt-4"),
            *[_endpoint(endpoint, language) for endpoint in view.endpoints],
        ],
    )


def _file(file: FileDoc, language: str) -> html.Section:
    anchor = "file-" + file.file_name.removesuffix(".csv")
    heading_id = f"{anchor}-title"
    caption = _t("columns_caption", language, file=file.file_name)
    rows = [
        [
            column.name,
            column.type,
            column.description,
            column.unit,
            ", ".join(column.allowed),
            _t("yes" if column.nullable else "no", language),
        ]
        for column in file.columns
    ]
    return html.Section(
        [
            html.H3([html.Code(file.file_name), f" – {file.title}"], id=heading_id, className="h5"),
            _table(
                f"{anchor}-columns",
                caption,
                [
                    _t("column", language),
                    _t("type", language),
                    _t("meaning", language),
                    _t("unit", language),
                    _t("allowed", language),
                    _t("nullable", language),
                ],
                rows,
            ),
        ],
        id=anchor,
        className="open-data-file mb-4",
        **{"aria-labelledby": heading_id},
    )


def _dictionary(view: OpenDataView, language: str) -> html.Section:
    return _section(
        DICTIONARY_ID,
        _t("dictionary_title", language),
        [html.P(_t("dictionary_intro", language)), *[_file(f, language) for f in view.files]],
    )


def layout(view: OpenDataView, context: PageContext) -> list:
    language = context.language
    return [
        html.H1(_t("title", language)),
        html.P(_t("intro", language), className="lead"),
        _contents(language),
        _download(view, language),
        _reading(view, language),
        _api(view, language),
        _dictionary(view, language),
    ]
