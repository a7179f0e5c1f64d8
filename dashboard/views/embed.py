"""One chart for another site's page (``/embed/<agency>/<metric>``): an agency's trend of one
measure, with its summary and data table, in a frame of its own (no site menu).

The chart is the agency page's own (:func:`dashboard.views.agency.build` with ``metric``), so
the embedded chart, its table and its CSV say exactly what the agency page says. ``period``
(a fiscal year) narrows it as on the agency page. An unknown agency or measure, or a bad
period, is the agency page's 404.

Whether another site may frame it is the ``EMBED_FRAME_ANCESTORS`` setting: the response's
``Content-Security-Policy: frame-ancestors`` (``dashboard.web.request_guard``). By default
('none') no site may, and the page says so beside the code to copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain import tidy_csv
from dashboard.domain.charts import ChartSpec
from dashboard.views import agency as agency_view

PARAMS = ("lang", "period")


@dataclass(frozen=True)
class EmbedView:
    language: str
    agency_slug: str
    agency_name: str
    metric: str
    metric_name: str
    chart: ChartSpec
    #: The full page of the chart: the agency page showing only this measure.
    page_path: str
    page_query: dict[str, str]
    #: The sources allowed to frame the page ("'none'": no site may).
    frame_ancestors: str

    @property
    def embeddable(self) -> bool:
        return self.frame_ancestors.strip() != "'none'"

    @property
    def charts(self) -> list[ChartSpec]:
        return [self.chart]

    def tidy_csv(self, spec: ChartSpec, as_of: dt.date | None) -> str:
        """The chart's CSV download (``callbacks.router``): the agency page's own columns."""
        subject = tidy_csv.ChartSubject(
            self.agency_name, self.agency_name, "agency", self.metric, self.metric_name
        )
        return tidy_csv.chart_csv(spec, subject, as_of)


def charts(view: Any) -> list[ChartSpec]:
    return list(view.charts)


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> EmbedView:
    agency_slug, metric = route.params["agency"], route.params["metric"]
    asked = {"metric": metric, **({"period": query["period"]} if query.get("period") else {})}
    page = agency_view.build(
        database_url, settings, Route("agency", {"agency": agency_slug}), asked, language
    )
    panel = page.panels[0]  # the agency view refuses a metric it has no panel of (NotFound)
    return EmbedView(
        language=language,
        agency_slug=agency_slug,
        agency_name=page.name,
        metric=metric,
        metric_name=panel.name,
        chart=panel.chart,
        page_path=page.path,
        page_query=asked,
        frame_ancestors=settings.embed_frame_ancestors,
    )
