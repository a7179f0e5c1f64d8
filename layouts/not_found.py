"""The 404 page: says what was not found and how to get back."""

from __future__ import annotations

from dash import dcc, html

from dashboard.i18n import t


def layout(path: str, language: str) -> list:
    return [
        html.H1(t("not_found_title", language)),
        html.P(t("not_found_body", language, path=path)),
        dcc.Link(t("back_home", language), href=f"/?lang={language}"),
    ]
