"""Which layout draws each page (by its route name, as in ``dashboard.web.pages.PAGES``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.web.pages import PageContext
from layouts import agency, changes, compare, embed, equity, home, methodology, open_data, review

#: (view, context) -> the page's components.
Layout = Callable[[Any, PageContext], list]

LAYOUTS: dict[str, Layout] = {
    "home": home.layout,
    "agency": agency.layout,
    "service": agency.layout,
    "methodology": methodology.layout,
    "open_data": open_data.layout,
    "review": review.layout,
    "changes": changes.layout,
    "compare": compare.layout,
    "equity": equity.layout,
    "embed": embed.layout,
}


def layout_for(page: str) -> Layout:
    return LAYOUTS[page]
