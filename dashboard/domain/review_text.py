"""The quarterly review in words, English and Spanish: shared by the page and the review pack.

Both say the same thing about the same figure: a value with its flags (small sample, revised,
partly reported), a change with whether it counts, and the rules the review uses.
"""

from __future__ import annotations

from typing import Any

from dashboard.core.i18n import P_, Messages, messages, t, translate
from dashboard.domain.formatting import format_change, format_count, format_measure
from dashboard.domain.review import (
    MIN_SHARE_CHANGE_POINTS,
    RELATIVE_CHANGE_THRESHOLD,
    ActionStatus,
    Change,
    ChangeReason,
    Movement,
)
from dashboard.domain.scorecard import Cell

TEXT: Messages = messages(
    P_("title", "Quarterly review"),
    P_(
        "intro",
        "Each agency's results this quarter against the previous quarter and the same "
        "quarter last year: targets missed, the real movers, who did not report, and the "
        "actions taken since the last review.",
    ),
    P_(
        "compared",
        "{quarter} compared with {previous} (previous quarter) and {year_ago} (same "
        "quarter last year).",
    ),
    P_("agency", "Agency"),
    P_("dimension", "Dimension"),
    P_("measure", "Measure"),
    P_("this_quarter", "This quarter ({quarter})"),
    P_("previous_quarter", "Previous ({quarter})"),
    P_("year_ago", "Year ago ({quarter})"),
    P_("change_previous", "Change vs previous"),
    P_("change_year_ago", "Change vs year ago"),
    P_("status", "Status"),
    P_("target", "Target"),
    P_("trend", "Trend ({first} to {last})"),
    P_("result", "Result"),
    P_("shortfall", "Gap to target"),
    P_("last_reported", "Last reported"),
    P_("never", "–"),
    P_("small_sample", "small sample: {n} responses"),
    P_("suppressed", "Not shown: fewer than {n} responses"),
    P_("revised_from", "revised; first published as {value}"),
    P_("revised", "includes revised figures"),
    P_("parts_month", "{count} of {total} months"),
    P_("parts_quarter", "{count} of {total} quarters"),
    P_("improved", "Improved"),
    P_("declined", "Declined"),
    P_("steady", "No real change"),
    P_("not_comparable", "Cannot compare"),
    P_("within_margin", "within the margin of error (±{margin})"),
    P_("beyond_margin", "beyond the margin of error (±{margin})"),
    P_("below_minimum", "beyond the margin of error (±{margin}) but under {points} point"),
    P_("short_margin", "margin ±{margin}"),
    P_("short_minimum", "under {points} point"),
    P_("short_threshold", "{percent}% rule"),
    P_("below_threshold", "less than {percent}% of the earlier value"),
    P_("beyond_threshold", "at least {percent}% of the earlier value"),
    P_("reason_not_reported", "a quarter was not reported"),
    P_("reason_series_break", "the measure changed (series break)"),
    P_("reason_no_sample_size", "no sample size published, so no margin of error"),
    P_("reason_rolled_up", "rolled up from service standards, not compared"),
    P_("compared_year", "{quarter} compared with {previous} (previous fiscal year)."),
    P_("this_year", "This year ({quarter})"),
    P_("planned", "Planned"),
    P_("in_progress", "In progress"),
    P_("completed", "Completed"),
    P_(
        "note_movement_share",
        "Movement, for percentages: a change counts only when it is larger than its "
        "margin of error, by a two-proportion test at 95% confidence using the number of "
        "responses (or cases or contacts) behind each quarter, and by at least {points} "
        "percentage point (with very large volumes the margin of error is a tenth of a point). "
        "Smaller changes are “no real change”, however they look.",
    ),
    P_(
        "note_movement_other",
        "Movement, for days, seconds, counts and 1–5 averages: these figures are "
        "published without the spread needed for a margin of error, so a change counts only "
        "when it is at least {percent}% of the earlier value.",
    ),
    P_(
        "note_not_comparable",
        "“Not reported” is never counted as zero and never as a change; nor is a change "
        "across a series break (a changed question or method), or a percentage without the "
        "number of responses behind it.",
    ),
    P_(
        "note_movers",
        "Biggest movers: the changes from the previous quarter that count, largest "
        "first on the common 0–100 score; improved or declined follows each measure's "
        "direction (fewer days is better).",
    ),
    P_(
        "note_status",
        "Status compares this quarter's result with the target in force on the "
        "quarter's last day. Monthly measures are combined over the quarter's months.",
    ),
    P_("note_small", "Survey results from fewer than {n} responses are flagged as small samples."),
    P_(
        "note_small_suppress",
        "Survey results from fewer than {n} responses are not shown and count as not reported.",
    ),
    P_(
        "note_non_reporting_overview",
        "“Did not report”: no result this period for a dimension's headline measure (or "
        "for a service standard, where an agency is reviewed through its services), "
        "counted exactly as on the overview; the last period reported is given.",
    ),
    P_(
        "note_actions_under_way",
        "What is being done: every published action in progress or planned on the "
        "period's last day, and those completed during it, each beside the targets it "
        "addresses. “What followed” compares the measure the action addresses in the "
        "quarter before it started with this period; it shows what happened after, not "
        "what the action caused.",
    ),
    P_(
        "note_revised",
        "“Revised” marks a figure changed after it was first published; the earlier "
        "value is given.",
    ),
)

MOVEMENT_SYMBOLS = {
    Movement.IMPROVED: "▲",
    Movement.DECLINED: "▼",
    Movement.STEADY: "≈",
    Movement.NOT_COMPARABLE: "–",
}


def words(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def threshold_percent() -> str:
    return f"{RELATIVE_CHANGE_THRESHOLD * 100:g}"


def value_text(cell: Cell, language: str, small_sample_threshold: int) -> str:
    """The value and its flags: "81.2% (small sample: 24 responses; revised; ...)"."""
    if cell.suppressed:
        return words("suppressed", language, n=small_sample_threshold)
    if cell.rollup is not None:
        return "; ".join(cell.rollup.lines(language))
    shown = format_measure(cell.value, cell.scale, language, target=cell.target)
    flags = value_flags(cell, language)
    return f"{shown} ({'; '.join(flags)})" if flags else shown


def value_flags(cell: Cell, language: str) -> list[str]:
    if cell.value is None:
        return []
    flags = []
    if cell.small_sample:
        flags.append(words("small_sample", language, n=format_count(cell.denominator, language)))
    if cell.revised:
        flags.append(
            words(
                "revised_from",
                language,
                value=format_measure(cell.earlier_value, cell.scale, language),
            )
            if cell.earlier_value is not None
            else words("revised", language)
        )
    if cell.partial:
        flags.append(
            words(
                f"parts_{cell.part_granularity}",
                language,
                count=cell.parts_reported,
                total=cell.parts_expected,
            )
        )
    return flags


def movement_label(movement: Movement, language: str) -> str:
    return words(movement.value, language)


def change_text(change: Change, scale: str, language: str) -> str:
    """ "+3.2 points: Improved, beyond the margin of error (±1.1 points)"."""
    label = movement_label(change.movement, language)
    reason = reason_text(change, scale, language)
    if change.difference is None:
        return t("label_value", language, label=label, value=reason)
    return t(
        "label_value",
        language,
        label=format_change(change.difference, scale, language),
        value=f"{label}, {reason}",
    )


def short_change_text(change: Change, scale: str, language: str) -> str:
    """ "+3.2 points: Improved (margin ±1.1)": for table cells; the notes explain the rules."""
    label = movement_label(change.movement, language)
    if change.difference is None:
        return t("label_value", language, label=label, value=reason_text(change, scale, language))
    shown = format_change(change.difference, scale, language)
    reason = change.reason
    if reason in (ChangeReason.WITHIN_MARGIN, ChangeReason.BEYOND_MARGIN):
        margin = format_change(change.margin, scale, language).lstrip("+")
        detail = words("short_margin", language, margin=margin)
    elif reason == ChangeReason.BELOW_MINIMUM:
        detail = words("short_minimum", language, points=f"{MIN_SHARE_CHANGE_POINTS:g}")
    elif reason in (ChangeReason.BELOW_THRESHOLD, ChangeReason.BEYOND_THRESHOLD):
        detail = words("short_threshold", language, percent=threshold_percent())
    else:
        detail = reason_text(change, scale, language)
    return t("label_value", language, label=shown, value=f"{label} ({detail})")


def reason_text(change: Change, scale: str, language: str) -> str:
    reason = change.reason
    if reason in (ChangeReason.WITHIN_MARGIN, ChangeReason.BEYOND_MARGIN):
        margin = format_change(change.margin, scale, language).lstrip("+")
        return words(reason.value, language, margin=margin)
    if reason == ChangeReason.BELOW_MINIMUM:
        margin = format_change(change.margin, scale, language).lstrip("+")
        return words(reason.value, language, margin=margin, points=f"{MIN_SHARE_CHANGE_POINTS:g}")
    if reason in (ChangeReason.BELOW_THRESHOLD, ChangeReason.BEYOND_THRESHOLD):
        return words(reason.value, language, percent=threshold_percent())
    return words(f"reason_{reason.value}", language)


def action_status_label(status: ActionStatus, language: str) -> str:
    return words(status.value, language)


def rule_notes(language: str, small_sample_threshold: int, small_sample_policy: str) -> list[str]:
    small = "note_small_suppress" if small_sample_policy == "suppress" else "note_small"
    return [
        words("note_movement_share", language, points=f"{MIN_SHARE_CHANGE_POINTS:g}"),
        words("note_movement_other", language, percent=threshold_percent()),
        words("note_not_comparable", language),
        words("note_movers", language),
        words("note_status", language),
        words(small, language, n=small_sample_threshold),
        words("note_non_reporting_overview", language),
        words("note_actions_under_way", language),
        words("note_revised", language),
    ]
