"""The 404 page: says what was not found and how to get back."""

from __future__ import annotations

from dash import dcc, html

from dashboard.core.i18n import t


def layout(path: str, language: str, reason: str | None = None) -> list:
    return [
        html.H1(t("not_found_title", language)),
        html.P(t("not_found_body", language, path=path)),
        html.P(reason, className="not-found-reason") if reason else None,
        html.Ul(
            [
                html.Li(dcc.Link(t("back_home", language), href=f"/?lang={language}")),
                html.Li(
                    dcc.Link(t("methodology_link", language), href=f"/methodology?lang={language}")
                ),
            ]
        ),
    ]
