"""The equity page (``/equity``): one measure by customer group or language, across agencies.

A pure function of :class:`dashboard.views.equity.EquityView` and the page context: the same
GET form of native ``<select>`` s and the same dot-and-interval chart as the compare page
(:mod:`layouts.compare`), each group a series with its own marker shape, the agency overall
a tick beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dash import html

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.views.equity import EquityView
from dashboard.views.equity import text as equity_text
from layouts.compare import choice_form, comparison_page

if TYPE_CHECKING:
    from dashboard.web.pages import PageContext

TEXT: Messages = messages(
    P_("equity_title", "Equity of service"),
    P_("equity_title_of", "Equity of service: {metric} by {segment}"),
    P_(
        "equity_why",
        "Oregon's equity policy asks agencies to show that every group of customers is served "
        "as well as the others, so results are published by customer group and language "
        "beside each agency's overall result.",
    ),
    P_("equity_choose", "Choose what to show"),
    P_("equity_segment", "Breakdown"),
    P_("equity_measure", "Measure"),
    P_("equity_period", "Period"),
    P_("equity_show", "Show"),
    P_("equity_empty", "No agency has published results by customer group or language yet."),
    P_("equity_compare_link", "Compare agencies on this measure"),
)


def _t(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def layout(view: EquityView, context: PageContext) -> list:
    language = context.language
    title = (
        _t(
            "equity_title_of",
            language,
            metric=view.metric_name,
            segment=equity_text(f"equity_segment_{view.segment}_noun", language),
        )
        if view.metric_name and view.segment_label
        else _t("equity_title", language)
    )
    return comparison_page(
        "equity",
        context,
        heading=title,
        intro=html.P(_t("equity_why", language), className="lead", id="equity-why"),
        form=choice_form(
            "equity",
            context,
            _t("equity_choose", language),
            [
                ("segment", _t("equity_segment", language), view.segment_options, view.segment),
                ("metric", _t("equity_measure", language), view.metric_options, view.metric),
                ("period", _t("equity_period", language), view.period_options, view.period),
            ],
            _t("equity_show", language),
        ),
        chart=view.chart if view.has_data else None,
        empty=_t("equity_empty", language),
        other=(
            "compare",
            _t("equity_compare_link", language),
            context.link("/compare", metric=view.metric, period=view.period),
        ),
    )
