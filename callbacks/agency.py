"""The agency page and the service page (one view builder and layout serve both routes)."""

from __future__ import annotations

from callbacks.pages import Page
from dashboard.views import agency as agency_view
from layouts import agency as agency_layout

PAGE = Page(
    build=agency_view.build,
    layout=agency_layout.layout,
    charts=agency_view.charts,
    params=("lang", "metric", "period", "segment"),
)
