"""The open-data page (/data): the API's endpoints, the download-all link and the dictionary."""

from __future__ import annotations

from callbacks.pages import Page
from dashboard.views import open_data as open_data_view
from layouts import open_data as open_data_layout

PAGE = Page(
    build=open_data_view.build,
    layout=open_data_layout.layout,
    charts=lambda view: [],
    params=("lang",),
)
