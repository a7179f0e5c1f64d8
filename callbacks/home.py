"""The home page: the enterprise overview (scorecard, roll-ups, trends)."""

from __future__ import annotations

from callbacks.pages import Page
from dashboard.views import home as home_view
from layouts import home as home_layout

PAGE = Page(
    build=home_view.build,
    layout=home_layout.layout,
    charts=lambda view: list(view.charts),
    params=home_view.PARAMS,
)
