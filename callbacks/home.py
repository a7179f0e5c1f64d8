"""The home page."""

from __future__ import annotations

from callbacks.pages import Page, PageContext
from dashboard.views import home as home_view
from layouts import home as home_layout


def _layout(view: home_view.HomeView, context: PageContext) -> list:
    return home_layout.layout(view.agencies, context.language)


PAGE = Page(build=home_view.build, layout=_layout, charts=lambda view: [], params=())
