"""The methodology page: every metric's definition from the store, and the page-wide rules."""

from __future__ import annotations

from callbacks.pages import Page
from dashboard.views import methodology as methodology_view
from layouts import methodology as methodology_layout

PAGE = Page(
    build=methodology_view.build,
    layout=methodology_layout.layout,
    charts=lambda view: [],
    params=("lang",),
)
