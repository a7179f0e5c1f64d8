"""The methodology page's view: how every figure on the site is defined, measured and judged.

Everything about a metric comes from its definition in the store (``queries.metrics``), so the
page documents exactly the metrics that are published, in the page's language. A metric whose
definition, method, data source or target-setting text is missing in every language is not
hidden: its entry says so ("Definition missing"), the view lists it in ``incomplete``, and a
test over the demo store fails on it.

The page-wide rules are written from this deployment's settings (small-sample threshold and
policy, fiscal calendar), so the page never describes a rule the site does not apply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.core import languages
from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.formatting import format_count, format_day, month_name, month_year
from dashboard.domain.normalize import PROPORTION_SCALES, NormalizationRule, describe
from dashboard.domain.scorecard import HeadlineChoice, MetricInfo
from dashboard.domain.targets import Status, status_label, status_symbol
from dashboard.gateway import queries
from dashboard.infra.models import DIMENSIONS

#: The texts every metric must have, in the order the page shows them.
METRIC_TEXT_FIELDS = ("definition", "method", "data_source", "target_setting")

TEXT: Messages = messages(
    P_("definition", "Definition"),
    P_("method", "How it is measured"),
    P_("data_source", "Data source"),
    P_("target_setting", "How the target is set"),
    P_("scale", "Unit"),
    P_("direction", "Better when"),
    P_("normalization", "0–100 score"),
    P_("survey", "Survey measure"),
    P_("code", "Code in data files"),
    P_("missing_definition", "Definition missing"),
    P_("missing_method", "Measurement method missing"),
    P_("missing_data_source", "Data source missing"),
    P_("missing_target_setting", "Target-setting rule missing"),
    P_("direction_higher", "Higher is better"),
    P_("direction_lower", "Lower is better"),
    P_(
        "survey_proportion",
        "Yes. Shown with its 95% interval and number of responses; fewer than {n} "
        "responses is a small sample.",
    ),
    P_("survey_mean", "Yes. Shown with its number of responses; fewer than {n} is a small sample."),
)

SCALE_WORDS: Messages = messages(
    P_("fraction", "A share of the total, shown as a percentage (0% to 100%)"),
    P_("percent", "A percentage (0% to 100%)"),
    P_("mean_1_5", "An average rating on a scale from 1 to 5"),
    P_("score_0_10", "A score on a scale from 0 to 10"),
    P_("seconds", "A time in seconds"),
    P_("minutes", "A time in minutes"),
    P_("hours", "A time in hours"),
    P_("business_days", "A time in business days (weekends and public holidays do not count)"),
    P_("count", "A count"),
)

DIMENSION_WORDS: Messages = messages(
    P_("accuracy", "Accuracy"),
    P_("responsiveness", "Responsiveness"),
    P_("timeliness", "Timeliness"),
    P_("satisfaction", "Satisfaction and trust"),
    P_("access", "Access"),
    P_("other", "Other measures"),
)

DIMENSION_INTROS: Messages = messages(
    P_("accuracy", "Whether people get the right answer or decision the first time."),
    P_(
        "responsiveness",
        "How quickly an agency acknowledges and answers the people who contact it.",
    ),
    P_(
        "timeliness",
        "How long it takes to complete a service, against the time the agency promises.",
    ),
    P_("satisfaction", "What the people served say about the service, from customer surveys."),
    P_("access", "How easy it is to reach a person, mostly by phone."),
    P_("other", "Measures that give context to the others."),
)

RULE_TEXT: Messages = messages(
    P_(
        "headline_catalogue",
        "Headline measure on the scorecard: {name}, set in the metric catalogue.",
    ),
    P_(
        "headline_default",
        "Headline measure on the scorecard: {name}, the dashboard's default for this "
        "dimension (not set in the metric catalogue).",
    ),
    P_(
        "headline_only",
        "Headline measure on the scorecard: {name}, the only measure of this dimension "
        "(not set in the metric catalogue).",
    ),
    P_(
        "headline_most_results",
        "Headline measure on the scorecard: {name}, the measure of this dimension with "
        "the most published results; the headline was not set in the metric catalogue.",
    ),
    P_(
        "headline_drivers",
        "The other measures below are drivers: shown beside it, never instead of it.",
    ),
    P_("rollup_title", "Agencies, their services and the enterprise"),
    P_(
        "rollup_standard",
        "A service standard is a service's measure with a target in force in the period "
        "(a posted service level such as “We answer 80% of calls within 10 minutes”).",
    ),
    P_(
        "rollup_headline",
        "An agency's result in a dimension is its own published figure of the "
        "dimension's headline measure when it published one for the period (a published "
        "“no data” included). Otherwise it is the roll-up of its services' standards in "
        "the dimension: “5 of 7 service standards met”, counted over the standards that "
        "reported against a numeric target. The roll-up is met when every one of them "
        "met its target, not met when any missed, and not reported when none reported; "
        "standards that did not report are listed, never counted as misses.",
    ),
    P_(
        "rollup_count",
        "Across all agencies, an agency with its own figure counts once, and an agency "
        "judged on its services counts each of its standards once: for example “7 of 16 "
        "met, 43.8%”, with how many reported (“16 of 17 reported”) and the ones that did "
        "not report named. An agency with neither a figure of its own nor a service "
        "standard in the dimension counts once, as not reported: it does not measure it.",
    ),
    P_(
        "rollup_pooling",
        "A standard's result for a quarter or a year combines its months or quarters by "
        "volume: everything that met the standard over everything received, not an "
        "average of percentages.",
    ),
    P_("period_title", "Which period is shown first"),
    P_(
        "period_body",
        "The overview and the review open on the latest period the data have: the latest "
        "fiscal quarter with quarterly results (monthly results are combined into their "
        "quarters), or the latest fiscal year when a later fiscal year has yearly results "
        "only. Earlier quarters and years can be chosen.",
    ),
    P_(
        "period_year",
        "Where results are published only by fiscal year, the scorecard is yearly and "
        "the review compares each fiscal year with the one before.",
    ),
    P_("status_title", "What “met” means"),
    P_(
        "status_in_force",
        "Each result is compared with the target that was in force on the last day of its "
        "period. When a target changes, earlier results are still judged against the "
        "target of their own time, and a target that starts partway through a quarter "
        "applies to that whole quarter.",
    ),
    P_(
        "status_direction",
        "Where lower is better, such as waiting times, a result meets its target when it "
        "is at or below it.",
    ),
    P_(
        "status_list",
        "Every result has one of four statuses, always written out and marked with a "
        "symbol, never shown by colour alone:",
    ),
    P_(
        "status_precision",
        "A result is judged as published, to its full precision, never after rounding. "
        "The figure shown beside a status is rounded as usual (one decimal for a "
        "percentage) unless that rounding would contradict the status: then it shows as "
        "many more decimals as decide it. A result of 79.982% against a target of ≥ 80% "
        "is shown as “79.98%, not met”, never as “80%, not met”. Pages, tables, CSV "
        "downloads, chart images and the review all follow this rule; the open-data API "
        "gives the value as published.",
    ),
    P_(
        "status_history",
        "On any day exactly one target is in force for a service and measure. When an "
        "agency corrects a target it had published, the old one is kept as history and "
        "shown with the service level (“Target changed on <date>, from ≥ 80% to ≥ 85%”); "
        "a target that takes effect later is shown as “From <date>: ≥ 85% (was ≥ 80%)”.",
    ),
    P_("status_met", "the result reached the target."),
    P_("status_not_met", "the result fell short of the target."),
    P_(
        "status_no_target",
        "no numeric target was in force, or the target is not a number (for example "
        "“Establish baseline”).",
    ),
    P_("status_not_reported", "the agency published no figure for the period."),
    P_("not_reported_title", "“Not reported” is never zero"),
    P_(
        "not_reported_body",
        "When an agency does not report a figure, the dashboard says “Not reported”. A "
        "missing figure is never counted as zero: charts leave a gap in the line, tables "
        "say “Not reported”, and CSV downloads leave the cell empty.",
    ),
    P_(
        "not_reported_rollups",
        "Totals such as “7 of 14 met” count only the units that reported a result against "
        "a numeric target; the units that did not report, or had no target, are counted "
        "and named separately.",
    ),
    P_("uncertainty_title", "Survey results and their margin of error"),
    P_(
        "uncertainty_body",
        "Survey results are estimates from the people who answered. For a share of "
        "respondents, such as the percentage satisfied, the chart shows a shaded band: the "
        "95% Wilson score interval. Bands built this way contain the true value in about "
        "95 of every 100 samples.",
    ),
    P_(
        "uncertainty_why",
        "The Wilson interval is used rather than the simpler “plus or minus” formula "
        "because it always stays between 0% and 100% and remains honest for small samples "
        "and for shares close to 0% or 100%.",
    ),
    P_("small_title", "Small samples"),
    P_(
        "small_flag",
        "A survey result based on fewer than {n} responses is a small sample. It is shown "
        "with a “small sample” warning: read it with care, as it can change a lot from one "
        "period to the next by chance alone.",
    ),
    P_(
        "small_suppress",
        "A survey result based on fewer than {n} responses is a small sample. Its value is "
        "not shown, because it could mislead; the page says that the sample was too small "
        "instead.",
    ),
    P_("small_responses", "The number of responses is shown with every survey result."),
    P_("revisions_title", "Revised figures"),
    P_(
        "revisions_body",
        "Agencies sometimes correct a figure after publishing it. A revised figure is "
        "marked as revised and its earlier published value is shown beside it, so no "
        "published number changes silently.",
    ),
    P_("breaks_title", "Breaks in a series"),
    P_(
        "breaks_body",
        "When the way a measure is collected changes, for example a new survey question or "
        "a new case system, results before and after the change are not comparable. Charts "
        "do not join the line across such a break, so a change of method is never shown as "
        "a trend.",
    ),
    P_("fiscal_title", "Fiscal years and quarters"),
    P_(
        "fiscal_start",
        "Results are published by fiscal year and quarter. Here the fiscal year starts on "
        "{month} 1 and is named after the calendar year in which it ends.",
    ),
    P_(
        "fiscal_calendar_year",
        "Results are published by fiscal year and quarter; here the fiscal year is the "
        "calendar year.",
    ),
    P_("fiscal_example", "For example, {label} runs from {start} to {end}."),
    P_("fiscal_quarters", "Its quarters, written like “{example}”, are:"),
    P_("fiscal_quarter_item", "{label}: {first} to {last}"),
    P_("scores_title", "Scores from 0 to 100"),
    P_(
        "scores_body",
        "Measures come in different units: percentages, 1–5 ratings, seconds, days. To "
        "compare them, each result is also turned into a score from 0 to 100 along a "
        "straight line between the value that scores 0 and the value that scores 100. Each "
        "measure's rule is given below. Measures with no natural best and worst, such as "
        "counts, get no score and are shown in their own unit only.",
    ),
    P_("published_title", "Published figures only"),
    P_(
        "published_body",
        "Figures appear only after the agency publishes them; drafts and internal notes "
        "are never shown. The foot of every page gives the date the data runs to (“Data "
        "as of”) and when it was last updated.",
    ),
)


def text(key: str, language: str, **values: object) -> str:
    """A methodology text in ``language`` (``TEXT`` or ``RULE_TEXT``)."""
    return translate(TEXT if key in TEXT else RULE_TEXT, key, language, **values)


@dataclass(frozen=True)
class LocalizedText:
    """A text from the store and the language it is actually in (English when Spanish is
    missing), so the page can mark it with ``lang`` for screen readers."""

    text: str
    language: str


@dataclass(frozen=True)
class MetricFact:
    """One labelled fact about a metric: its text, or None when the store has none."""

    field: str
    label: str
    value: LocalizedText | None
    missing_text: str


@dataclass(frozen=True)
class MetricEntry:
    code: str
    anchor: str
    name: LocalizedText
    dimension: str
    facts: tuple[MetricFact, ...]  # definition, method, data source, target setting
    scale: str
    scale_text: str
    direction_text: str
    normalization: str
    survey_text: str | None  # None for measures that are not surveys

    @property
    def missing(self) -> tuple[str, ...]:
        """The text fields the store has for this metric in no language."""
        return tuple(fact.field for fact in self.facts if fact.value is None)


@dataclass(frozen=True)
class DimensionSection:
    dimension: str
    anchor: str
    title: str
    intro: str
    metrics: tuple[MetricEntry, ...]  # the headline measure first, then its drivers by name
    headline_code: str | None = None  # the dimension's headline measure on the scorecard
    headline_text: str = ""  # which measure heads the dimension, and why


@dataclass(frozen=True)
class RuleSection:
    """One page-wide rule: a titled run of paragraphs, optionally with a list."""

    anchor: str
    title: str
    paragraphs: tuple[str, ...]
    items: tuple[str, ...] = ()
    after: tuple[str, ...] = ()  # paragraphs after the list


@dataclass(frozen=True)
class MethodologyView:
    language: str
    rules: tuple[RuleSection, ...]
    dimensions: tuple[DimensionSection, ...]

    @property
    def metrics(self) -> tuple[MetricEntry, ...]:
        return tuple(entry for section in self.dimensions for entry in section.metrics)

    @property
    def incomplete(self) -> dict[str, tuple[str, ...]]:
        """Metric code -> the text fields it lacks in every language (empty when complete)."""
        return {entry.code: entry.missing for entry in self.metrics if entry.missing}


# -- metric entries ------------------------------------------------------------------------


def _present(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def localized(record: Mapping[str, Any], field: str, language: str) -> LocalizedText | None:
    """``field`` in ``language``, else along the deployment's fallback languages (the
    default language first); None when none of them has it."""
    for code in languages.fallback_order(language):
        text = _present(record.get(f"{field}_{code}"))
        if text:
            return LocalizedText(text, code)
    return None


def anchor_for(prefix: str, code: str) -> str:
    """An HTML id (and URL fragment) for a metric code or dimension: letters, digits, - and _."""
    return f"{prefix}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", code).strip("-")


def normalization_rule(record: Mapping[str, Any]) -> NormalizationRule:
    return NormalizationRule(
        scale=record["scale"],
        direction=record.get("direction") or "higher",
        best=record.get("norm_best"),
        worst=record.get("norm_worst"),
    )


def metric_entry(
    record: Mapping[str, Any], language: str, small_sample_threshold: int
) -> MetricEntry:
    """One metric's methodology entry from its store definition (``queries.metrics`` row)."""
    scale = record["scale"]
    direction = record.get("direction") or "higher"
    facts = tuple(
        MetricFact(
            field=field,
            label=text(field, language),
            value=localized(record, field, language),
            missing_text=text(f"missing_{field}", language),
        )
        for field in METRIC_TEXT_FIELDS
    )
    survey_text = None
    if record.get("is_survey"):
        key = "survey_proportion" if scale in PROPORTION_SCALES else "survey_mean"
        survey_text = text(key, language, n=format_count(small_sample_threshold, language))
    name = localized(record, "name", language) or LocalizedText(record["code"], "en")
    return MetricEntry(
        code=record["code"],
        anchor=anchor_for("metric", record["code"]),
        name=name,
        dimension=record["dimension"],
        facts=facts,
        scale=scale,
        scale_text=translate(SCALE_WORDS, scale, language),
        direction_text=text(f"direction_{direction}", language),
        normalization=describe(normalization_rule(record), language),
        survey_text=survey_text,
    )


def dimension_sections(
    records: Iterable[Mapping[str, Any]],
    language: str,
    small_sample_threshold: int,
    headlines: Mapping[str, HeadlineChoice] | None = None,
) -> tuple[DimensionSection, ...]:
    """The metrics grouped by dimension (in the ART order): the dimension's headline measure
    (``headlines``, :func:`dashboard.domain.scorecard.choose_headlines`) first, then the other
    measures, its drivers, by name; with the words that say which heads it and why."""
    headlines = headlines or {}
    by_dimension: dict[str, list[MetricEntry]] = {}
    for record in records:
        entry = metric_entry(record, language, small_sample_threshold)
        by_dimension.setdefault(entry.dimension, []).append(entry)
    sections = []
    for dimension in DIMENSIONS:
        if dimension not in by_dimension:
            continue
        choice = headlines.get(dimension)
        code = choice.metric.code if choice is not None else None
        entries = sorted(
            by_dimension[dimension],
            key=lambda e: (e.code != code, e.name.text.casefold(), e.code),
        )
        headline_text = ""
        if choice is not None:
            name = next((e.name.text for e in entries if e.code == code), choice.metric.code)
            headline_text = text(f"headline_{choice.reason.value}", language, name=name)
            if len(entries) > 1:
                headline_text += " " + text("headline_drivers", language)
        sections.append(
            DimensionSection(
                dimension=dimension,
                anchor=anchor_for("dimension", dimension),
                title=translate(DIMENSION_WORDS, dimension, language),
                intro=translate(DIMENSION_INTROS, dimension, language),
                metrics=tuple(entries),
                headline_code=code,
                headline_text=headline_text,
            )
        )
    return tuple(sections)


# -- page-wide rules -------------------------------------------------------------------------


def _month_and_year(day: dt.date, language: str) -> str:
    return month_year(day, language)


def fiscal_rule(settings: Settings, as_of: dt.date | None, language: str) -> RuleSection:
    """The fiscal calendar in words, with the fiscal year of the latest data as the example.

    Without any published data there is no year to show, so the example is left out rather
    than invented.
    """
    calendar = FiscalCalendar.from_settings(settings)
    if calendar.start_month == 1:
        paragraphs = [text("fiscal_calendar_year", language)]
    else:
        month = month_name(calendar.start_month, language)
        paragraphs = [text("fiscal_start", language, month=month)]
    items: tuple[str, ...] = ()
    if as_of is not None:
        year = calendar.fiscal_year(as_of)
        start, end = calendar.year_bounds(year)
        paragraphs.append(
            text(
                "fiscal_example",
                language,
                label=calendar.year_label(year, language),
                start=format_day(start, language),
                end=format_day(end, language),
            )
        )
        paragraphs.append(
            text("fiscal_quarters", language, example=calendar.quarter_label(year, 1, language))
        )
        items = tuple(
            text(
                "fiscal_quarter_item",
                language,
                label=calendar.quarter_label(year, q, language),
                first=_month_and_year(quarter.start, language),
                last=_month_and_year(quarter.end, language),
            )
            for q, quarter in enumerate(calendar.quarters(year), start=1)
        )
    return RuleSection(
        anchor="rule-fiscal-year",
        title=text("fiscal_title", language),
        paragraphs=tuple(paragraphs),
        items=items,
    )


def page_rules(settings: Settings, as_of: dt.date | None, language: str) -> tuple[RuleSection, ...]:
    """The rules that apply to every figure on the site, written from ``settings``."""
    threshold = format_count(settings.small_sample_threshold, language)
    small_key = "small_suppress" if settings.small_sample_policy == "suppress" else "small_flag"
    status_items = tuple(
        f"{status_symbol(status)} {status_label(status, language)}: "
        + text(f"status_{status.value}", language)
        for status in Status
    )
    return (
        RuleSection(
            anchor="rule-met",
            title=text("status_title", language),
            paragraphs=(text("status_in_force", language), text("status_list", language)),
            items=status_items,
            after=(
                text("status_direction", language),
                text("status_precision", language),
                text("status_history", language),
            ),
        ),
        RuleSection(
            anchor="rule-not-reported",
            title=text("not_reported_title", language),
            paragraphs=(
                text("not_reported_body", language),
                text("not_reported_rollups", language),
            ),
        ),
        RuleSection(
            anchor="rule-margin-of-error",
            title=text("uncertainty_title", language),
            paragraphs=(text("uncertainty_body", language), text("uncertainty_why", language)),
        ),
        RuleSection(
            anchor="rule-small-samples",
            title=text("small_title", language),
            paragraphs=(
                text(small_key, language, n=threshold),
                text("small_responses", language),
            ),
        ),
        RuleSection(
            anchor="rule-revisions",
            title=text("revisions_title", language),
            paragraphs=(text("revisions_body", language),),
        ),
        RuleSection(
            anchor="rule-series-breaks",
            title=text("breaks_title", language),
            paragraphs=(text("breaks_body", language),),
        ),
        RuleSection(
            anchor="rule-rollups",
            title=text("rollup_title", language),
            paragraphs=(
                text("rollup_standard", language),
                text("rollup_headline", language),
                text("rollup_count", language),
                text("rollup_pooling", language),
            ),
        ),
        RuleSection(
            anchor="rule-latest-period",
            title=text("period_title", language),
            paragraphs=(text("period_body", language), text("period_year", language)),
        ),
        fiscal_rule(settings, as_of, language),
        RuleSection(
            anchor="rule-scores",
            title=text("scores_title", language),
            paragraphs=(text("scores_body", language),),
        ),
        RuleSection(
            anchor="rule-published",
            title=text("published_title", language),
            paragraphs=(text("published_body", language),),
        ),
    )


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> MethodologyView:
    status = queries.data_status(database_url)
    records = queries.metrics(database_url)
    # The overview's choice, so the page names the measure the scorecard shows.
    headlines = queries.load_headline_choices(
        database_url, [MetricInfo.from_record(record) for record in records]
    )
    return MethodologyView(
        language=language,
        rules=page_rules(settings, status.as_of, language),
        dimensions=dimension_sections(
            records, language, settings.small_sample_threshold, headlines
        ),
    )
