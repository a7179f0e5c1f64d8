"""The methodology page: contents, the page-wide rules, then every metric by dimension.

Pure formatting of :class:`dashboard.views.methodology.MethodologyView`. In-page links are
plain ``<a href="#...">`` anchors (native scrolling, no callback). A text the store lacks in
the page's language but has in English is shown in English, marked ``lang="en"`` so screen
readers pronounce it right; a text it lacks in every language is shown as missing, in words.
"""

from __future__ import annotations

from dataclasses import replace

from dash import html
from dash.development.base_component import ComponentType

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain.charts import MIN_SPAN
from dashboard.domain.formatting import format_number
from dashboard.views.methodology import (
    DimensionSection,
    LocalizedText,
    MethodologyView,
    MetricEntry,
    MetricFact,
    RuleSection,
    text,
)
from dashboard.web.pages import PageContext
from layouts.attributes import aria

TEXT: Messages = messages(
    P_("title", "Methodology"),
    P_(
        "intro",
        "How every figure on this dashboard is defined, measured and judged. The "
        "definitions below are the ones published with the data, so they always match the "
        "measures on the other pages.",
    ),
    P_("contents", "On this page"),
    P_("rules", "How to read the figures"),
    P_("measures", "The measures"),
    P_("back_to_contents", "Back to the contents"),
    P_("headline_badge", "Headline measure"),
    P_("driver_badge", "Driver"),
    P_("no_metrics", "No measures have been defined yet."),
)

#: How the charts are drawn (the chart rules of ``dashboard.domain.charts``, issue 13).
CHART_RULES: Messages = messages(
    P_("chart_rules_title", "How the charts are drawn"),
    P_(
        "chart_rules_intro",
        "Every chart follows the same rules, so that a small change never looks like a big "
        "one and a chart can be read without telling colours apart:",
    ),
    P_(
        "chart_rules_axis",
        "The value axis always includes the target. It spans at least {percent} points for a "
        "percentage, {mean} point for a mean on the 1–5 scale and {score} points for a score "
        "from 0 to 10, even when the results move less; times and volumes start at zero.",
    ),
    P_(
        "chart_rules_target",
        "The target in force is a dashed line, with its value written at its latest point.",
    ),
    P_(
        "chart_rules_periods",
        "The time axis names fiscal periods, as the tables do, never calendar years.",
    ),
    P_(
        "chart_rules_series",
        "Each series has its own marker and line style as well as its own colour. A result "
        "from too few responses is a hollow marker (“Small sample” in the legend).",
    ),
    P_(
        "chart_rules_actions",
        "Actions taken are solid diamonds and planned actions hollow diamonds, each with its "
        "title. Only actions within the periods of the data are drawn; every action is listed "
        "below its chart.",
    ),
)

CONTENTS_ID = "methodology-contents"
RULES_ID = "rules"
MEASURES_ID = "measures"


def _t(key: str, language: str) -> str:
    return translate(TEXT, key, language)


def _text(value: LocalizedText, page_language: str) -> str | html.Span:
    """A store text, marked with its own language when it differs from the page's."""
    if value.language == page_language:
        return value.text
    return html.Span(value.text, lang=value.language)


def _back_link(language: str) -> html.P:
    return html.P(
        html.A(_t("back_to_contents", language), href=f"#{CONTENTS_ID}"),
        className="small methodology-back d-print-none",
    )


def _contents(view: MethodologyView, language: str) -> html.Nav:
    rules = html.Ul([html.Li(html.A(rule.title, href=f"#{rule.anchor}")) for rule in view.rules])
    dimensions = html.Ul(
        [
            html.Li(
                [
                    html.A(section.title, href=f"#{section.anchor}"),
                    html.Ul(
                        [
                            html.Li(html.A(_text(entry.name, language), href=f"#{entry.anchor}"))
                            for entry in section.metrics
                        ]
                    ),
                ]
            )
            for section in view.dimensions
        ]
    )
    return html.Nav(
        [
            html.H2(_t("contents", language), id=CONTENTS_ID, className="h4"),
            html.Ul(
                [
                    html.Li([html.A(_t("rules", language), href=f"#{RULES_ID}"), rules]),
                    html.Li([html.A(_t("measures", language), href=f"#{MEASURES_ID}"), dimensions])
                    if view.dimensions
                    else None,
                ]
            ),
        ],
        className="methodology-contents mb-4",
        **aria(labelledby=CONTENTS_ID),
    )


def chart_rules(language: str) -> RuleSection:
    """The chart rules in words, with the minimum spans the charts use."""

    def rule(key: str, **values: object) -> str:
        return translate(CHART_RULES, key, language, **values)

    spans = {
        name: format_number(MIN_SPAN[scale], language, decimals=0)
        for name, scale in (("percent", "percent"), ("mean", "mean_1_5"), ("score", "score_0_10"))
    }
    return RuleSection(
        anchor="rule-charts",
        title=rule("chart_rules_title"),
        paragraphs=(rule("chart_rules_intro"),),
        items=(
            rule("chart_rules_axis", **spans),
            rule("chart_rules_target"),
            rule("chart_rules_periods"),
            rule("chart_rules_series"),
            rule("chart_rules_actions"),
        ),
    )


def _rule(rule: RuleSection) -> html.Section:
    heading_id = f"{rule.anchor}-title"
    return html.Section(
        [
            html.H3(rule.title, id=heading_id, className="h5"),
            *[html.P(paragraph) for paragraph in rule.paragraphs],
            html.Ul([html.Li(item) for item in rule.items]) if rule.items else None,
            *[html.P(paragraph) for paragraph in rule.after],
        ],
        id=rule.anchor,
        className="methodology-rule",
        **aria(labelledby=heading_id),
    )


# Label and value side by side from small tablets up, stacked on phones.
_DT = "col-sm-4 col-lg-3"
_DD = "col-sm-8 col-lg-9"


def _pair(label: str, value: ComponentType, class_name: str = "") -> list:
    return [html.Dt(label, className=_DT), html.Dd(value, className=f"{_DD} {class_name}".strip())]


def _fact(fact: MetricFact, language: str) -> list:
    if fact.value is None:
        return _pair(fact.label, html.Strong(fact.missing_text), "methodology-missing text-danger")
    return _pair(fact.label, _text(fact.value, language))


def _metric(entry: MetricEntry, language: str, role: str | None = None) -> html.Article:
    """One measure; ``role`` "headline" or "driver" marks its place in its dimension."""
    heading_id = f"{entry.anchor}-title"
    rows: list = []
    for fact in entry.facts:
        rows.extend(_fact(fact, language))
    rows.extend(_pair(text("scale", language), entry.scale_text))
    rows.extend(_pair(text("direction", language), entry.direction_text))
    rows.extend(_pair(text("normalization", language), entry.normalization))
    if entry.survey_text:
        rows.extend(_pair(text("survey", language), entry.survey_text))
    rows.extend(_pair(text("code", language), html.Code(entry.code)))
    return html.Article(
        [
            html.H3(_text(entry.name, language), id=heading_id, className="h5"),
            html.P(
                _t(f"{role}_badge", language),
                className=f"small text-body-secondary mb-1 methodology-{role}",
            )
            if role
            else None,
            html.Dl(rows, className="methodology-facts row mb-0"),
        ],
        id=entry.anchor,
        className="methodology-metric border rounded p-3 mb-3"
        + (" methodology-incomplete" if entry.missing else ""),
        **aria(labelledby=heading_id),
    )


def _dimension(section: DimensionSection, language: str) -> html.Section:
    heading_id = f"{section.anchor}-title"
    return html.Section(
        [
            html.H2(section.title, id=heading_id, className="h3"),
            html.P(section.intro),
            html.P(section.headline_text, className="methodology-headline")
            if section.headline_text
            else None,
            *[
                _metric(
                    entry,
                    language,
                    None
                    if section.headline_code is None
                    else "headline"
                    if entry.code == section.headline_code
                    else "driver",
                )
                for entry in section.metrics
            ],
            _back_link(language),
        ],
        id=section.anchor,
        className="methodology-dimension",
        **aria(labelledby=heading_id),
    )


def layout(view: MethodologyView, context: PageContext) -> list:
    language = context.language
    view = replace(view, rules=(*view.rules, chart_rules(language)))
    rules = html.Section(
        [
            html.H2(_t("rules", language), id=f"{RULES_ID}-title", className="h3"),
            *[_rule(rule) for rule in view.rules],
            _back_link(language),
        ],
        id=RULES_ID,
        **aria(labelledby=f"{RULES_ID}-title"),
    )
    measures: html.Div | html.P
    if view.dimensions:
        measures = html.Div(
            [_dimension(section, language) for section in view.dimensions], id=MEASURES_ID
        )
    else:
        measures = html.P(_t("no_metrics", language), id=MEASURES_ID, className="alert alert-info")
    return [
        html.H1(_t("title", language)),
        html.P(_t("intro", language), className="lead"),
        _contents(view, language),
        rules,
        measures,
    ]
