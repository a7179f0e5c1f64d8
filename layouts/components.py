"""Building blocks shared by the pages: chart panels, status badges, "data as of" notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain.charts import ChartSpec, TableColumn
from dashboard.domain.formatting import format_number, not_reported, shared_decimals
from dashboard.domain.targets import Status, status_label, status_symbol
from layouts.attributes import aria
from layouts.chart_controls import chart_graph, copy_link
from layouts.page_zip import page_zip_panel
from layouts.static_table import Cell, StaticTable, cell

TEXT: Messages = messages(
    P_("show_table", "Show the data table"),
    P_("download_csv", "Download these numbers (CSV)"),
    P_("images", "Image:"),
    P_("png", "PNG image"),
    P_("svg", "SVG image"),
    P_("pdf", "PDF"),
    P_("image_label", "{kind} of the chart “{title}”"),
    P_("page_zip", "Download every chart on this page (ZIP: PNG, SVG, PDF and CSV)"),
    P_("breadcrumbs_label", "Breadcrumb"),
)

#: Image formats the server renders for every chart (``callbacks.exports``).
IMAGE_FORMATS = ("png", "svg", "pdf")


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def status_badge(status: Status | str, language: str) -> html.Span:
    """Status as a symbol and words as well as colour (colour is never the only signal)."""
    status = Status(status)
    return html.Span(
        [
            html.Span(status_symbol(status), **aria(hidden="true")),
            " ",
            status_label(status, language),
        ],
        className=f"status-badge status-{status.value.replace('_', '-')}",
    )


def data_table(spec: ChartSpec, language: str) -> StaticTable:
    """The chart's numbers as a table: one component, however many cells (see StaticTable)."""
    # A number column shows all its figures with the same decimals, in the page's language.
    decimals = {
        column.key: shared_decimals(row.get(column.key) for row in spec.rows)
        for column in spec.columns
    }
    return StaticTable(
        caption=spec.title,
        columns=[column.label for column in spec.columns],
        column_classes=["text-end" if c.kind == "number" else None for c in spec.columns],
        rows=[
            [_cell(row, column, language, decimals[column.key]) for column in spec.columns]
            for row in spec.rows
        ],
        className="table table-sm table-striped chart-data-table",
    )


def _cell(row: dict[str, Any], column: TableColumn, language: str, decimals: int = 0) -> Cell:
    value = row.get(column.key)
    if column.kind == "status" and value:
        status = Status(value)
        return cell(
            status_label(status, language),
            symbol=status_symbol(status),
            class_name=f"status-badge status-{status.value.replace('_', '-')}",
        )
    if value is None:
        if column.missing is not None:
            return column.missing
        return "–" if column.kind != "number" else _not_reported(language)
    if column.kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(float(value), language, decimals=decimals)
    return str(value)


def export_href(csv_href: str, fmt: str) -> str:
    """The chart's image URL, from its CSV URL: same page path, chart id and query string.

    ``/download/agency/dmv/csat.csv?lang=es`` -> ``/export/agency/dmv/csat.png?lang=es``.
    """
    path, mark, query = csv_href.partition("?")
    if path.startswith("/download/"):
        path = "/export/" + path.removeprefix("/download/")
    return path.removesuffix(".csv") + f".{fmt}" + mark + query


def chart_downloads(spec: ChartSpec, language: str, csv_href: str) -> html.P:
    """The CSV of a chart's numbers and its PNG, SVG and PDF images: one line, few components."""
    links: list[Any] = [
        html.A(
            _t("download_csv", language),
            href=csv_href,
            download=f"{spec.file_stem}.csv",
            className="chart-csv",
            id=f"chart-{spec.chart_id}-csv",
        ),
        f" · {_t('images', language)} ",
    ]
    for index, fmt in enumerate(IMAGE_FORMATS):
        kind = _t(fmt, language)
        links += [" · "] if index else []
        links += [
            html.A(
                kind,
                href=export_href(csv_href, fmt),
                download=f"{spec.file_stem}.{fmt}",
                className="chart-image",
                **aria(label=_t("image_label", language, kind=kind, title=spec.title)),
            ),
        ]
    return html.P(links, className="chart-downloads small", id=f"chart-{spec.chart_id}-downloads")


def page_downloads(zip_href: str, language: str) -> html.Div:
    """A ZIP of every chart on the page (images and CSVs), prepared in the background with
    its progress shown (``layouts.page_zip``, glue in ``callbacks.exports``)."""
    return page_zip_panel(zip_href, language)


def _not_reported(language: str) -> str:
    return not_reported(language)


def chart_panel(
    spec: ChartSpec, language: str, *, csv_href: str, heading_level: int = 3, height: int = 360
) -> html.Section:
    """A chart with its text summary, a data-table toggle, its CSV and its images."""
    heading = getattr(html, f"H{heading_level}")
    title_id = f"chart-{spec.chart_id}-title"
    return html.Section(
        [
            heading(spec.title, id=title_id, className="h5"),
            html.P(spec.summary, className="chart-summary", id=f"chart-{spec.chart_id}-summary"),
            # One image named by the summary; nothing in it takes focus (layouts.chart_controls).
            chart_graph(spec, language, height=height),
            html.Ul([html.Li(note) for note in spec.notes], className="chart-notes small")
            if spec.notes
            else None,
            html.Details(
                [html.Summary(_t("show_table", language)), data_table(spec, language)],
                className="chart-table",
                id=f"chart-{spec.chart_id}-table",
            ),
            chart_downloads(spec, language, csv_href),
            copy_link(spec, language, csv_href),
        ],
        className="chart-panel mb-5",
        **aria(labelledby=title_id),
    )


def breadcrumbs(crumbs: Sequence[tuple[str, str | None]], language: str) -> html.Nav:
    """Where the page sits: (label, link) from the home page down; the last item is this page
    (no link, ``aria-current="page"``). A ``nav`` with an ordered list, as screen readers
    expect of a breadcrumb trail."""
    items = []
    last = len(crumbs) - 1
    for index, (label, link) in enumerate(crumbs):
        if index == last or link is None:
            items.append(
                html.Li(
                    label,
                    className="breadcrumb-item active",
                    **aria(current="page" if index == last else None),
                )
            )
        else:
            items.append(html.Li(dcc.Link(label, href=link), className="breadcrumb-item"))
    return html.Nav(
        html.Ol(items, className="breadcrumb"),
        className="site-breadcrumbs",
        **aria(label=_t("breadcrumbs_label", language)),
    )
