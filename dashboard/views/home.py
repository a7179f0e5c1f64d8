"""The home page's view: the agencies in the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard import queries
from dashboard.routes import Route
from dashboard.settings import Settings


@dataclass(frozen=True)
class HomeView:
    agencies: list[dict[str, Any]]


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> HomeView:
    return HomeView(agencies=queries.list_agencies(database_url))
