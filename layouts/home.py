"""The home page: the agencies in the store (the scorecard arrives with the public views)."""

from __future__ import annotations

from dash import html

from dashboard.i18n import t


def _localized(record: dict, field: str, language: str) -> str | None:
    return (record.get(f"{field}_es") if language == "es" else None) or record.get(f"{field}_en")


def layout(agencies: list[dict], language: str) -> list:
    heading = html.H1(t("home_title", language))
    intro = html.P(t("home_intro", language), className="lead")
    if not agencies:
        return [heading, intro, html.P(t("no_agencies", language), className="alert alert-info")]
    items = []
    for agency in agencies:
        services = agency["services"]
        count = (
            t("services_count_one", language)
            if len(services) == 1
            else t("services_count", language, n=len(services))
        )
        items.append(
            html.Li(
                [
                    html.H3(_localized(agency, "name", language), className="h5 mb-1"),
                    html.P(count, className="text-body-secondary small mb-1"),
                    html.Ul(
                        [html.Li(_localized(s, "name", language)) for s in services],
                        className="small mb-0",
                    )
                    if services
                    else None,
                ],
                className="list-group-item py-3",
            )
        )
    return [
        heading,
        intro,
        html.H2(t("agencies_heading", language), className="h3 mt-4"),
        html.Ul(items, className="list-group agency-list", id="agency-list"),
    ]
