"""The words of the agency page: its text table and the names of channels, languages and
segments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard.core import languages
from dashboard.core.i18n import P_, Messages, babel_locale, messages, translate
from dashboard.infra.models import SEGMENT_TYPES

GRANULARITY_ORDER = ("month", "quarter", "fiscal_year")

#: The metric a service's small trend shows: the first of these it publishes.
HEADLINE_METRICS = (
    "csat_overall",
    "timeliness_standard",
    "accuracy_rate",
    "processing_days",
    "ack_within_1bd",
    "service_level_60s",
    "ease",
    "trust",
)

BREAKDOWN_SEGMENTS = tuple(segment for segment in SEGMENT_TYPES if segment)

TEXT: Messages = messages(
    P_("no_agency", "There is no agency at this address (“{slug}”)."),
    P_("no_service", "{agency} has no service at this address (“{slug}”)."),
    P_("bad_metric", "{unit} publishes no results for the metric “{metric}”."),
    P_(
        "bad_period",
        "“{period}” is not a fiscal year with published results for {unit}. "
        "Years with results: {years}.",
    ),
    P_("no_years", "none yet"),
    P_("bad_segment", "“{segment}” is not a breakdown we publish; use one of: {choices}."),
    P_("result", "Result"),
    P_("target_line", "Target in force"),
    P_("interval", "95% confidence interval"),
    P_("actions_trace", "Actions taken"),
    P_("col_period", "Period"),
    P_("col_period_end", "Period end"),
    P_("col_group", "{segment}"),
    P_("col_value", "Result ({unit})"),
    P_("col_value_plain", "Result"),
    P_("col_low", "95% interval, low"),
    P_("col_high", "95% interval, high"),
    P_("col_target", "Target"),
    P_("col_status", "Status"),
    P_("col_responses", "Responses"),
    P_("col_volume", "Volume"),
    P_("col_earlier", "First published value"),
    P_("not_revised", "–"),
    P_("chart_not_reported", "Not reported"),
    P_("col_small", "Small sample"),
    P_("col_notes", "Notes"),
    P_("yes", "Yes"),
    P_("suppressed", "Suppressed"),
    P_("note_suppressed_cell", "Fewer than {n} responses: not shown"),
    P_("note_small_cell", "Small sample: fewer than {n} responses"),
    P_("note_revised_cell", "Revised on {date}; first published as {earlier}"),
    P_("note_revised_cell_undated", "Revised; first published as {earlier}"),
    P_(
        "note_revised_cell_reason",
        "Revised on {date}; first published as {earlier}. Reason: {reason}",
    ),
    P_(
        "note_revised_cell_undated_reason",
        "Revised; first published as {earlier}. Reason: {reason}",
    ),
    P_("note_break_cell", "Series break: the method changed here"),
    P_("note_break_survey_cell", "Series break: the survey question changed here"),
    P_(
        "note_band",
        "The shaded band is the 95% confidence interval (Wilson score interval) from the "
        "number of responses.",
    ),
    P_("note_gaps", "Gaps in the line are periods that were not reported (never counted as zero)."),
    P_(
        "note_break",
        "{period}: the way this is measured changed, so the line is not joined across the change.",
    ),
    P_(
        "note_break_survey",
        "{period}: the survey question changed, so the line is not joined across the change.",
    ),
    P_("note_small", "{periods}: fewer than {n} responses (small sample); read with caution."),
    P_("note_suppressed", "{periods}: not shown because fewer than {n} people responded."),
    P_("note_revised", "{period}: revised on {date}; first published as {earlier}."),
    P_("note_revised_undated", "{period}: revised; first published as {earlier}."),
    P_(
        "note_revised_reason",
        "{period}: revised on {date}; first published as {earlier}. Reason: {reason}",
    ),
    P_(
        "note_revised_undated_reason",
        "{period}: revised; first published as {earlier}. Reason: {reason}",
    ),
    P_("note_actions", "Diamonds mark actions taken to improve (listed below the chart)."),
    P_("hover_point", "{period}: {value}"),
    P_("hover_target", "target {target}"),
    P_("hover_responses", "{n} responses"),
    P_("hover_volume", "volume {n}"),
    P_("hover_small", "small sample"),
    P_("hover_revised", "revised, first published as {earlier}"),
    P_("hover_revised_reason", "revised, first published as {earlier} (reason: {reason})"),
    P_("hover_target_line", "Target in force: {target}"),
    P_("action_started", "started {date}"),
    P_("action_starts", "starts {date}"),
    P_("action_completed", "completed {date}"),
    P_("status_planned", "Planned"),
    P_("status_in_progress", "In progress"),
    P_("status_completed", "Completed"),
    P_("breakdown_title", "{metric} by {segment}"),
    P_("segment_channel", "channel"),
    P_("segment_language", "language"),
    P_("segment_customer_group", "customer group"),
    P_("segment_channel_title", "Channel"),
    P_("segment_language_title", "Language"),
    P_("segment_customer_group_title", "Customer group"),
    P_("responses_count", "{n} responses"),
    P_("service_latest", "{metric}: {value} in {period}"),
    P_("service_no_data", "No results published yet."),
    P_("service_standards_met", "{met} of {total} service standards met in {period}"),
    P_("service_standards_not_reported", "Its service standards did not report in {period}"),
    P_("service_no_standards", "No posted service level to judge in {period}"),
    P_(
        "standards_none_judged", "No service standard reported against a numeric target in {period}"
    ),
    P_("breakdown_none", "No results by {segment} are published for {unit}."),
    P_("promise_default", "{metric}: {target}"),
    P_("target_corrected", "Target changed on {date}, from {old} to {new}."),
    P_("target_scheduled", "From {date}: {new} (was {old})."),
    P_("target_scheduled_first", "From {date}: {new}."),
)

#: Contact channels in words, in the order pages list them.
CHANNEL_NAMES: Messages = messages(
    P_("phone", "Phone"),
    P_("walk_in", "In person"),
    P_("mail", "Mail"),
    P_("email", "Email"),
    P_("web_form", "Web form"),
    P_("video", "Video call"),
    P_("chat", "Chat"),
    P_("text", "Text message"),
    P_("voicemail", "Voicemail"),
)

#: Names of the languages agencies list (ISO 639) that CLDR does not name in every language;
#: every other code is named from Babel's locale data.
LANGUAGE_NAMES: Messages = messages(
    P_("language_ase", "American Sign Language"),
)


def page_text(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


def localized(record: Mapping[str, Any], name: str, language: str) -> Any:
    """``name`` in ``language`` from the store where present, else along the deployment's
    fallback languages (the default language first)."""
    return languages.record_text(record, name, language)


def channel_name(channel: str, language: str) -> str:
    if channel not in CHANNEL_NAMES:
        return channel.replace("_", " ").capitalize()
    return translate(CHANNEL_NAMES, channel, language)


def language_name(code: str, language: str) -> str:
    """A language code in words ("vi" -> "Vietnamese" / "vietnamita")."""
    code = code.strip()
    key = f"language_{code.lower()}"
    if key in LANGUAGE_NAMES:
        return translate(LANGUAGE_NAMES, key, language)
    return babel_locale(language).languages.get(code.lower().replace("-", "_")) or code


def segment_value_name(segment: str, value: str, language: str) -> str:
    if segment == "channel":
        return channel_name(value, language)
    if segment == "language":
        name = language_name(value, language)
        return name[0].upper() + name[1:]
    return value.replace("_", " ").capitalize()
