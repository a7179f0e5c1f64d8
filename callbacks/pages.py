"""The page registry: for each page, the view builder, the layout, and its charts.

The router (HTML) and the CSV downloads both go through :func:`page_view`, so a download is
built from exactly the view (and cache entry) that the page shows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard import queries
from dashboard.cache import cached
from dashboard.charts import ChartSpec
from dashboard.routes import Route, href
from dashboard.settings import Settings


@dataclass(frozen=True)
class PageContext:
    """What a layout needs besides its view: the language and where the page lives."""

    language: str
    path: str
    query: dict[str, str]
    settings: Settings

    def link(self, path: str, **query: str | None) -> str:
        """A link that keeps the page's language."""
        return href(path, {"lang": self.language if self.language != "en" else None, **query})

    def self_link(self, **changes: str | None) -> str:
        """This page with some query values changed (None removes one)."""
        return href(self.path, {**self.query, **changes})

    def csv_href(self, chart_id: str) -> str:
        page_path = "" if self.path == "/" else self.path
        return href(f"/download{page_path}/{chart_id}.csv", self.query)

    def export_href(self, chart_id: str, fmt: str) -> str:
        """A chart's image (``fmt``: png, svg or pdf), rendered on the server."""
        page_path = "" if self.path == "/" else self.path
        return href(f"/export{page_path}/{chart_id}.{fmt}", self.query)

    def zip_href(self) -> str:
        """Every chart of the page as PNG, SVG, PDF and CSV in one ZIP."""
        return href("/export.zip" if self.path == "/" else f"/export{self.path}.zip", self.query)


@dataclass(frozen=True)
class Page:
    #: (database_url, settings, route, query, language) -> view; raises views.NotFound.
    build: Callable[[str, Settings, Route, dict[str, str], str], Any]
    #: (view, context) -> list of components.
    layout: Callable[[Any, PageContext], list]
    #: view -> the charts it shows (for the CSV downloads).
    charts: Callable[[Any], list[ChartSpec]]
    #: Query parameters the page reads; others (tracking tags...) are ignored and never
    #: reach a cache key.
    params: tuple[str, ...] = ()

    def known(self, query: dict[str, str]) -> dict[str, str]:
        return {key: value for key, value in query.items() if key in self.params}


#: The callbacks module that defines each page's ``PAGE``.
PAGE_MODULES = {
    "home": "callbacks.home",
    "agency": "callbacks.agency",
    "service": "callbacks.agency",
    "methodology": "callbacks.methodology",
    "open_data": "callbacks.open_data",
    "review": "callbacks.review",
}


def page_for(route: Route) -> Page:
    # Imported when first asked for, so that importing the registry builds nothing.
    module = importlib.import_module(PAGE_MODULES[route.page])
    return module.PAGE


def page_view(
    settings: Settings, route: Route, query: dict[str, str], language: str
) -> tuple[Any, queries.DataStatus]:
    """The page's view, cached under a key that changes whenever published data does."""
    status = queries.data_status(settings.database_url)
    page = page_for(route)
    query = page.known(query)
    key = "view:" + href(
        f"/{route.page}/" + "/".join(route.params.values()),
        {**query, "lang": language, "v": status.version},
    )
    view = cached(key, lambda: page.build(settings.database_url, settings, route, query, language))
    return view, status
