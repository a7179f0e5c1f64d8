"""The page registry: for each page, its view builder, its charts and the parameters it reads.

The router (HTML), the CSV downloads, the chart exports and the review pack all go through
:func:`page_view`, so a download is built from exactly the view (and cache entry) that the
page shows. Which layout draws a page is the layouts' business (``layouts.pages``); Dash
glue lives in ``callbacks/``. Nothing here imports either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.core.i18n import normalize_language
from dashboard.core.routes import Route, href, resolve
from dashboard.core.settings import Settings
from dashboard.domain import navigation
from dashboard.domain.charts import ChartSpec
from dashboard.gateway import queries
from dashboard.infra.cache import cache, cached
from dashboard.infra.db import reading_through_connection
from dashboard.views import NotFound
from dashboard.views import agency as agency_view
from dashboard.views import changes as changes_view
from dashboard.views import compare as compare_view
from dashboard.views import embed as embed_view
from dashboard.views import equity as equity_view
from dashboard.views import home as home_view
from dashboard.views import methodology as methodology_view
from dashboard.views import open_data as open_data_view
from dashboard.views import review as review_view


@dataclass(frozen=True)
class PageContext:
    """What a layout needs besides its view: the language and where the page lives."""

    language: str
    path: str
    query: dict[str, str]
    settings: Settings
    #: This site's address ("https://example.gov", no trailing slash), for the examples a
    #: page prints; empty when the page is drawn outside a request (tests, the review pack).
    site_origin: str = ""

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
    #: view -> the charts it shows (for the CSV downloads and the chart exports).
    charts: Callable[[Any], list[ChartSpec]]
    #: Query parameters the page reads; others (tracking tags...) are ignored and never
    #: reach a cache key.
    params: tuple[str, ...] = ()

    def known(self, query: Mapping[str, str]) -> dict[str, str]:
        return {key: value for key, value in query.items() if key in self.params}


def _no_charts(view: Any) -> list[ChartSpec]:
    return []


_AGENCY = Page(
    build=agency_view.build,
    charts=agency_view.charts,
    params=("lang", "metric", "period", "segment"),
)

#: Every page by its route name (``Route.page``); the service page shares the agency's.
PAGES: dict[str, Page] = {
    "home": Page(
        build=home_view.build,
        charts=lambda view: list(view.charts),
        params=home_view.PARAMS,
    ),
    "agency": _AGENCY,
    "service": _AGENCY,
    "methodology": Page(build=methodology_view.build, charts=_no_charts, params=("lang",)),
    "open_data": Page(build=open_data_view.build, charts=_no_charts, params=("lang",)),
    "review": Page(build=review_view.build, charts=_no_charts, params=review_view.PARAMS),
    "changes": Page(build=changes_view.build, charts=_no_charts, params=changes_view.PARAMS),
    # Issue 13, items 6 and 7: compare agencies, equity, one chart for another site's frame.
    "compare": Page(
        build=compare_view.build, charts=compare_view.charts, params=compare_view.PARAMS
    ),
    "equity": Page(build=equity_view.build, charts=equity_view.charts, params=equity_view.PARAMS),
    "embed": Page(build=embed_view.build, charts=embed_view.charts, params=embed_view.PARAMS),
}


def page_for(route: Route) -> Page:
    return PAGES[route.page]


def page_day(settings: Settings) -> str:
    """The day pages are drawn for (ISO): the agency page lists the closures current that day
    (``views.agency``, which reads the same ``Settings.extra["today"]`` in tests), so a day
    is part of every page's cache key, not only the data version."""
    fixed = settings.extra.get("today")
    return (fixed if isinstance(fixed, dt.date) else dt.date.today()).isoformat()


def page_view(
    settings: Settings, route: Route, query: Mapping[str, str], language: str
) -> tuple[Any, queries.DataStatus]:
    """The page's view, cached under a key that changes whenever published data does."""
    status = queries.data_status(settings.database_url)
    page = page_for(route)
    known = page.known(query)
    key = "view:" + href(
        f"/{route.page}/" + "/".join(route.params.values()),
        {**known, "lang": language, "v": status.version, "day": page_day(settings)},
    )
    view = cached(key, lambda: page.build(settings.database_url, settings, route, known, language))
    return view, status


def page_title(settings: Settings, page: str | None, view: Any, language: str) -> str:
    """The ``<title>`` of a page (by its route name) drawn from ``view``; ``page`` None: the
    404 page. Titles differ per page and language (``dashboard.domain.navigation``)."""
    government = settings.government_in(language)
    if page is None:
        return navigation.page_title(
            language, government, page=navigation.not_found_heading(language)
        )
    if page == "agency":
        return navigation.page_title(language, government, agency=view.name)
    if page == "service":
        return navigation.page_title(
            language, government, agency=view.agency_name, service=view.name
        )
    if page == "home":
        heading = navigation.home_heading(language)
    elif page == "changes":
        heading = navigation.changes_heading(language, getattr(view, "agency_name", None))
    elif page == "embed":
        heading = f"{view.agency_name}: {view.metric_name}"
    else:
        # A page outside the menu and this list gets the government's name alone here; the
        # router then puts its heading first in the browser (callbacks.router).
        heading = navigation.menu_label(page, language) or ""
    return navigation.page_title(language, government, page=heading or None)


def known_page_title(settings: Settings, path: str, args: Mapping[str, str]) -> str | None:
    """The ``<title>`` of the page a URL names, None when it names none (a 404).

    A title found once is remembered, per data version and day, as a cache entry of its own
    (reading the whole view back from the cache only to learn that it exists cost most of a
    ``GET /``). Only pages that exist are remembered: an address that names none costs its
    lookup each time and adds no entry."""
    route = resolve(path)
    if route is None:
        return None
    language = normalize_language(args.get("lang"), settings.default_language)
    flag: str | None = None
    if reading_through_connection() is None:
        status = queries.data_status(settings.database_url)
        flag = "title:" + href(
            f"/{route.page}/" + "/".join(route.params.values()),
            {
                **page_for(route).known(args),
                "lang": language,
                "v": status.version,
                "day": page_day(settings),
                "g": settings.government_name,
            },
        )
        title = cache.get(flag)
        if isinstance(title, str):
            return title
    try:
        view, _status = page_view(settings, route, args, language)
    except NotFound:
        return None
    title = page_title(settings, route.page, view, language)
    if flag is not None:
        cache.set(flag, title)
    return title


def is_known_url(settings: Settings, path: str, args: Mapping[str, str]) -> bool:
    """True when a URL names a page that exists (for the HTTP status of the first response)."""
    return known_page_title(settings, path, args) is not None
