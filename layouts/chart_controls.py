"""What every public chart carries around its Plotly figure: its accessible name and its link.

- The graph is one image to assistive technology: ``role="img"`` named by the chart's text
  summary (what it shows, from the data), so a screen reader hears "Accuracy rate fell from
  97.1% in FY2022 Q1 to 95.6% in FY2026 Q3 …", never the tick labels ("2022 2023 … 95 95.5").
  Nothing inside it takes focus (no mode bar: ``layouts.figures.graph_config``), so the
  image role hides nothing a keyboard needs.
- "Copy link": a plain link to the chart on its page (the page's URL, with its language,
  period and breakdown, and the chart's anchor), which works without JavaScript; with it
  (``assets/charts.js``) a click copies the full address and says so in a live region.
"""

from __future__ import annotations

from typing import Any, TypedDict

from dash import dcc, html

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain.charts import ChartSpec
from layouts.figures import figure, graph_config

TEXT: Messages = messages(
    P_("chart_copy_link", "Copy link"),
    P_("chart_copy_link_label", "Copy link to the chart “{title}”"),
    P_("chart_link_copied", "Link to “{title}” copied"),
    P_("chart_link_not_copied", "Could not copy: the link is {url}"),
)

CopyAttributes = TypedDict(
    "CopyAttributes",
    {"aria-label": str, "data-copied": str, "data-failed": str},
)
GraphAttributes = TypedDict("GraphAttributes", {"aria-label": str})
StatusAttributes = TypedDict("StatusAttributes", {"aria-live": str, "aria-atomic": str})


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def chart_anchor(spec: ChartSpec) -> str:
    """The id a chart's permalink points at: its heading, so the page opens on its title."""
    return f"chart-{spec.chart_id}-title"


def chart_permalink(spec: ChartSpec, csv_href: str) -> str:
    """The chart's address on its page, from the CSV's (same page path, same query string):

    ``/download/agency/dmv/csat.csv?lang=es`` -> ``/agency/dmv?lang=es#chart-csat-title``.
    """
    path, mark, query = csv_href.partition("?")
    page = path.removeprefix("/download").rpartition("/")[0] or "/"
    return f"{page}{mark}{query}#{chart_anchor(spec)}"


def chart_graph(spec: ChartSpec, language: str, *, height: int = 360) -> html.Div:
    """The chart as one image named by its summary (the title when it has none)."""
    name = spec.summary or spec.title
    attributes: GraphAttributes = {"aria-label": name}
    return html.Div(
        dcc.Graph(
            id=f"chart-{spec.chart_id}",
            figure=figure(spec, height=height),
            config=graph_config(spec),
            style={"height": f"{height}px"},
        ),
        className="chart-graph",
        role="img",
        **attributes,
    )


def copy_link(spec: ChartSpec, language: str, csv_href: str) -> html.P:
    """A link to the chart that JavaScript turns into "copy this address", with a live
    region that says whether it was copied (and shows the address when it could not be)."""
    title = spec.title
    attributes: CopyAttributes = {
        "aria-label": _t("chart_copy_link_label", language, title=title),
        "data-copied": _t("chart_link_copied", language, title=title),
        "data-failed": _t("chart_link_not_copied", language, url="{url}"),
    }
    status: StatusAttributes = {"aria-live": "polite", "aria-atomic": "true"}
    return html.P(
        [
            html.A(
                _t("chart_copy_link", language),
                href=chart_permalink(spec, csv_href),
                className="chart-copy-link",
                id=f"chart-{spec.chart_id}-link",
                **attributes,
            ),
            " ",
            html.Span(
                className="chart-copy-status",
                id=f"chart-{spec.chart_id}-link-status",
                role="status",
                **status,
            ),
        ],
        className="chart-share small",
    )
