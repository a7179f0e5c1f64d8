"""The open-data page: the download, how to read the data, every API endpoint, the dictionary.

Pure formatting of :class:`dashboard.views.open_data.OpenDataView`. API links are plain
``<a href>`` (they leave the app for a JSON or CSV answer); tables are ``StaticTable`` s, one
component each, because the data dictionary alone has over a hundred rows.
"""

from __future__ import annotations

from dash import html

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain.formatting import format_day
from dashboard.open_data import MAX_LIMIT
from dashboard.open_data.parameters import MAX_OFFSET
from dashboard.views.open_data import EndpointDoc, FileDoc, OpenDataView, ParameterDoc
from dashboard.web.pages import PageContext
from layouts.attributes import aria
from layouts.static_table import StaticTable

TEXT: Messages = messages(
    P_("title", "Open data"),
    P_(
        "intro",
        "Every figure published on this dashboard is open data: download it all at once, "
        "or ask the API for just what you need, as JSON or CSV. Only published figures are "
        "included; drafts and internal notes never are.",
    ),
    P_("contents", "On this page"),
    P_("download_title", "Download all data"),
    P_(
        "download_body",
        "One ZIP file holds every resource as a CSV file (UTF-8, opens in any spreadsheet), "
        "the data dictionary, and a README with the source, the date and the licence.",
    ),
    P_("download_zip", "Download all data (ZIP of CSV files)"),
    P_("download_dictionary", "Data dictionary (CSV)"),
    P_("as_of", "The data runs to {date}."),
    P_("no_data", "No data has been published yet."),
    P_("license", "Licence:"),
    P_("reading_title", "How to read the data"),
    P_(
        "reading_not_reported",
        "An empty value is never a zero. The column reporting_status says why it is "
        "empty: not_reported (the unit published no value) or suppressed (too few survey "
        "responses). A period with no row at all was not reported either.",
    ),
    P_(
        "reading_small",
        "small_sample is true for survey results on fewer than {n} responses: read them "
        "with care. ci_low and ci_high give the 95% margin of error (Wilson interval).",
    ),
    P_(
        "reading_revised",
        "revised is true for a figure changed after it was first published; earlier_value "
        "keeps the value first published.",
    ),
    P_(
        "reading_break",
        "series_break is true where the method or survey question changed: results before "
        "and after are not comparable.",
    ),
    P_(
        "reading_targets",
        "A result is judged against the target in force on the last day of its period "
        "(targets: effective_from to effective_to).",
    ),
    P_(
        "reading_formulas",
        "So that a spreadsheet never runs a cell as a formula, a text cell that starts "
        "with =, +, -, @, a tab or a line break starts with an apostrophe (') in the CSV "
        "files: remove it to get the text as published. Numbers such as -3.5 are "
        "written as they are.",
    ),
    P_("api_title", "The API"),
    P_(
        "api_intro",
        "A read-only web API under {prefix}. Every address answers in JSON; add .csv to "
        "the path (or format=csv) for CSV. JSON answers carry meta: the date the data runs "
        "to, when it was last updated, the licence and your query read back.",
    ),
    P_(
        "api_paging",
        "Answers come in pages of at most {max} rows; meta.links.next (or, for CSV, the "
        "Link header) gives the next page. For everything at once, use the download above.",
    ),
    P_(
        "api_paging_cursor",
        "On {path}, the next links carry a cursor: an opaque token marking where the next "
        "page starts. Use it as given, with the same filters; do not build or change one. "
        "With a cursor every page takes the same short time, however deep. offset still "
        "works (up to {max_offset}), but the deeper it goes the slower the page, because "
        "the rows before it are stepped over.",
    ),
    P_(
        "api_errors",
        "A parameter the API cannot use (an unknown unit, a bad period, a page too large) "
        "gets HTTP 400 with a JSON error naming the parameter and its value.",
    ),
    P_("api_example", "For example, from a terminal:"),
    P_("openapi_link", "API description for tools (OpenAPI 3.1, JSON)"),
    P_("catalog_link", "List of endpoints (JSON)"),
    P_(
        "dcat_link",
        "Catalogue of the datasets for data.gov and other harvesters (DCAT-US data.json)",
    ),
    P_("paging_caption", "Parameters every endpoint takes"),
    P_("parameter", "Parameter"),
    P_("meaning", "Meaning"),
    P_("values", "Values"),
    P_("example", "Example"),
    P_("endpoints_title", "Endpoints"),
    P_("filters_caption", "Filters of {path}"),
    P_("no_filters", "No filters."),
    P_("example_json", "Example: {title} as JSON"),
    P_("example_csv", "Example: {title} as CSV"),
    P_("addresses", "Addresses:"),
    P_("dictionary_title", "Data dictionary"),
    P_(
        "dictionary_intro",
        "Every column of every file, in the order of the CSV files and the JSON records. "
        "Lists are separated by ; in CSV.",
    ),
    P_("columns_caption", "Columns of {file}"),
    P_("column", "Column"),
    P_("type", "Type"),
    P_("unit", "Unit"),
    P_("allowed", "Allowed values"),
    P_("nullable", "May be empty"),
    P_("yes", "yes"),
    P_("no", "no"),
)

DOWNLOAD_ID = "download"
READING_ID = "reading"
API_ID = "api"
DICTIONARY_ID = "dictionary"
EXAMPLE_LABEL_ID = "open-data-example-label"


def _t(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


def _section(anchor: str, title: str, children: list) -> html.Section:
    heading_id = f"{anchor}-title"
    return html.Section(
        [html.H2(title, id=heading_id, className="h3"), *children],
        id=anchor,
        className="open-data-section mb-5",
        **aria(labelledby=heading_id),
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
        **aria(label=caption),
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
        **aria(labelledby=heading),
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
        _t("reading_formulas", language),
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
        **aria(labelledby=heading_id),
    )


def _api(view: OpenDataView, language: str, site_origin: str) -> html.Section:
    return _section(
        API_ID,
        _t("api_title", language),
        [
            html.P(_t("api_intro", language, prefix=view.catalog_path)),
            html.P(_t("api_paging", language, max=MAX_LIMIT)),
            *(
                [
                    html.P(
                        _t(
                            "api_paging_cursor",
                            language,
                            path=", ".join(view.cursor_paths),
                            max_offset=MAX_OFFSET,
                        ),
                        id="open-data-cursor",
                    )
                ]
                if view.cursor_paths
                else []
            ),
            html.P(_t("api_errors", language)),
            html.P(_t("api_example", language), id=EXAMPLE_LABEL_ID),
            html.Pre(
                html.Code(f"curl '{site_origin}{view.example_curl_path}'"),
                className="bg-light border rounded p-2",
                lang="en",
                # It scrolls sideways on a phone: focusable, so the keyboard can scroll it, and
                # a named region, so that a screen reader says what the focus landed on.
                tabIndex="0",
                role="region",
                **aria(labelledby=EXAMPLE_LABEL_ID),
            ),
            html.Ul(
                [
                    html.Li(
                        html.A(_t("openapi_link", language), href=view.openapi_path, id="openapi")
                    ),
                    html.Li(html.A(_t("catalog_link", language), href=view.catalog_path)),
                    # Issue 13: the DCAT-US catalogue that data.gov and other harvesters read.
                    html.Li(
                        html.A(_t("dcat_link", language), href="/data.json", id="dcat-catalog")
                    ),
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
        **aria(labelledby=heading_id),
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
        _api(view, language, context.site_origin),
        _dictionary(view, language),
    ]
