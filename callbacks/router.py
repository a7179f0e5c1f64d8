"""Routes a URL to its page layout, in the language the URL asks for."""

from __future__ import annotations

from urllib.parse import parse_qs

from dash import Dash, Input, Output, clientside_callback

from dashboard import queries
from dashboard.cache import cached
from dashboard.i18n import normalize_language
from dashboard.routes import resolve
from dashboard.settings import Settings
from layouts import home, not_found, shell


def register(app: Dash) -> None:
    settings: Settings = app.server.config["CXDASH_SETTINGS"]
    url = settings.database_url

    @app.callback(
        Output("page", "children"),
        Output("page", "lang"),
        Input("url", "pathname"),
        Input("url", "search"),
    )
    def render_page(pathname: str | None, search: str | None) -> tuple[list, str]:
        path = pathname or "/"
        query = parse_qs((search or "").lstrip("?"))
        language = normalize_language(query.get("lang", [None])[0], settings.default_language)
        status = queries.data_status(url)
        route = resolve(path)
        if route is None:
            content = not_found.layout(path, language)
        else:  # only "home" so far
            agencies = cached(f"agencies:{status.version}", lambda: queries.list_agencies(url))
            content = home.layout(agencies, language)
        frame = shell.page(
            content=content,
            language=language,
            path=path,
            site_name=settings.site_name,
            as_of=status.as_of,
            last_updated=status.last_updated,
        )
        return frame, language

    # The <html lang> and the title follow the page's language for screen readers.
    clientside_callback(
        """
        function(lang) {
            if (lang) { document.documentElement.lang = lang; }
            return lang || "";
        }
        """,
        Output("document-language", "data"),
        Input("page", "lang"),
    )
