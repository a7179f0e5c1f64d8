"""Text summaries written from a series: one or two sentences that say what a chart shows.

"Service standard met rose from 71% to 84% over FY2024; target ≥ 80% met since FY2024 Q2."
The first sentence gives the trend of the comparable points (those since the last series
break) and how the latest result stands against the target in force; the second, when there
is one, gives what a reader must know to read the chart right: a series break, a change of
target, or a result resting on too few responses. Written in English or Spanish from the
same data, so the summary, the chart and the table never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.formatting import format_alike, format_count, format_value
from dashboard.domain.series import MetricSeries, SeriesPoint
from dashboard.domain.targets import Status, describe_target

#: A change smaller than this (in display units) is "steady", not a rise or a fall.
FLAT_CHANGE = {"fraction": 1.0, "percent": 1.0, "mean_1_5": 0.05, "score_0_10": 0.1}
#: For other scales (times, counts): a change smaller than this share of the first value.
FLAT_RELATIVE_CHANGE = 0.02

TEXT: Messages = messages(
    P_("nothing", "{Name}: no results have been published for these periods."),
    P_("single", "{Name} was {value} in {period}"),
    P_("rose_year", "{Name} rose from {first} to {last} over {year}"),
    P_("fell_year", "{Name} fell from {first} to {last} over {year}"),
    P_("flat_year", "{Name} held steady at about {last} over {year}"),
    P_("rose", "{Name} rose from {first} in {start} to {last} in {end}"),
    P_("fell", "{Name} fell from {first} in {start} to {last} in {end}"),
    P_("flat", "{Name} held steady at about {last} from {start} to {end}"),
    P_("lower_better", " (lower is better)"),
    P_(
        "not_reported_latest",
        "{Name} was not reported for {period}; the last published result was {value} in "
        "{last_period}",
    ),
    P_(
        "suppressed_latest",
        "{Name} for {period} rests on too few responses to publish; the last published "
        "result was {value} in {last_period}",
    ),
    P_("all_suppressed", "{Name}: every result here rests on too few responses to publish."),
    P_("met_in", "target {target} met in {period}"),
    P_("met_since", "target {target} met since {period}"),
    P_("met_every", "target {target} met in every period shown"),
    P_("not_met_in", "target {target} not met in {period}"),
    P_("not_met_since", "target {target} not met since {period}"),
    P_("not_met_every", "target {target} not met in any period shown"),
    P_("baseline", "the target for this period is to establish a baseline"),
    P_("text_target", "target: {target} (a single result cannot meet or miss it)"),
    P_("no_target", "no target is set"),
    P_("status_in_brackets", " (target {target}, {status})"),
    # Two clauses of one sentence: "Timeliness rose from 71% to 84%; target ≥ 80% met".
    P_("clauses", "{first}; {second}"),
    P_("met_word", "met"),
    P_("not_met_word", "not met"),
    P_(
        "break_survey",
        "The survey question changed in {period}, so earlier results are not comparable.",
    ),
    P_(
        "break_method",
        "The way this is measured changed in {period}, so earlier results are not comparable.",
    ),
    P_("target_changed", "The target changed from {old} to {new} starting in {period}."),
    P_(
        "target_after_baseline",
        "After the baseline year, a target of {new} applies starting in {period}.",
    ),
    P_("small_sample", "The latest result rests on only {n} responses, so read it with caution."),
    P_(
        "breakdown_nothing",
        "{Name}: no results by {segment} have been published for these periods.",
    ),
    P_("breakdown_one", "In {period}, {name} for {group} was {value}."),
    P_(
        "breakdown_range",
        "In {period}, {name} ranged from {low} ({low_group}) to {high} ({high_group}).",
    ),
    P_("breakdown_missing", "Not reported for {groups}."),
    P_("and", " and "),
)


def _t(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


def in_sentence(name: str) -> str:
    """A metric name inside a sentence: first letter lower case, unless it is an acronym."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _value(point: SeriesPoint, scale: str, language: str) -> str:
    # With its target: a figure named beside its status never contradicts it (79.98%, not 80%).
    return format_value(point.raw, scale, language, target=point.target)


def _values_alike(points: tuple[SeriesPoint, ...], scale: str, language: str) -> list[str]:
    # Two figures of one sentence share a precision: "97.0% to 97.1%", never "97% to 97.1%".
    return format_alike([(point.raw, point.target) for point in points], scale, language)


def _is_flat(first: SeriesPoint, last: SeriesPoint, scale: str) -> bool:
    assert first.value is not None and last.value is not None
    change = abs(float(last.value) - float(first.value))
    if scale in FLAT_CHANGE:
        return change < FLAT_CHANGE[scale]
    base = abs(float(first.value))
    return change <= FLAT_RELATIVE_CHANGE * base if base else change == 0


def _status_streak(series: MetricSeries, latest: SeriesPoint) -> tuple[SeriesPoint, bool]:
    """The first point of the run of periods ending at ``latest`` with the same status against
    the same target, and whether that run covers every point shown. A not-reported period or
    a change of target ends the run (meeting an earlier, lower target is not meeting this one).
    """
    points = list(series.points)
    index = points.index(latest)
    start = latest
    for point in reversed(points[:index]):
        if point.value is None or point.status != latest.status or point.target != latest.target:
            break
        start = point
    return start, start is points[0] and points[-1] is latest


def _target_clause(series: MetricSeries, latest: SeriesPoint, language: str) -> str:
    target = latest.target
    if latest.status in (Status.MET, Status.NOT_MET):
        assert target is not None
        text = describe_target(target, series.scale, language)
        start, covers_all = _status_streak(series, latest)
        prefix = "met" if latest.status == Status.MET else "not_met"
        if covers_all and start is not latest:
            return _t(f"{prefix}_every", language, target=text)
        if start is not latest:
            return _t(f"{prefix}_since", language, target=text, period=start.label)
        return _t(f"{prefix}_in", language, target=text, period=latest.label)
    if target is None:
        return _t("no_target", language)
    if target.kind == "baseline":
        return _t("baseline", language)
    return _t("text_target", language, target=describe_target(target, series.scale, language))


def _status_in_brackets(series: MetricSeries, point: SeriesPoint, language: str) -> str:
    if point.status not in (Status.MET, Status.NOT_MET) or point.target is None:
        return ""
    word = "met_word" if point.status == Status.MET else "not_met_word"
    return _t(
        "status_in_brackets",
        language,
        target=describe_target(point.target, series.scale, language),
        status=_t(word, language),
    )


def _trend_sentence(
    series: MetricSeries, name: str, language: str, fiscal: FiscalCalendar
) -> str | None:
    """The first sentence, without its full stop; None when nothing was ever shown."""
    latest = series.latest
    shown = series.latest_reported
    if latest is None or shown is None:
        return None
    if latest is not shown:
        key = "suppressed_latest" if latest.suppressed else "not_reported_latest"
        return _t(
            key,
            language,
            Name=name,
            period=latest.label,
            value=_value(shown, series.scale, language),
            last_period=shown.label,
        ) + _status_in_brackets(series, shown, language)
    comparable = [point for point in series.since_last_break() if point.value is not None]
    if len(comparable) < 2:
        opening = _t(
            "single",
            language,
            Name=name,
            value=_value(latest, series.scale, language),
            period=latest.label,
        )
    else:
        first = comparable[0]
        if _is_flat(first, latest, series.scale):
            direction = "flat"
        else:
            assert first.raw is not None and latest.raw is not None
            direction = "rose" if latest.raw > first.raw else "fell"
        first_year = fiscal.fiscal_year_of(first.period)
        same_year = first_year == fiscal.fiscal_year_of(latest.period)
        first_text, last_text = _values_alike((first, latest), series.scale, language)
        opening = _t(
            f"{direction}_year" if same_year else direction,
            language,
            Name=name,
            first=first_text,
            last=last_text,
            start=first.label,
            end=latest.label,
            year=fiscal.year_label(first_year, language),
        )
        if series.direction == "lower" and direction != "flat":
            opening += _t("lower_better", language)
    return _t("clauses", language, first=opening, second=_target_clause(series, latest, language))


def _second_sentence(series: MetricSeries, language: str) -> str | None:
    breaks = series.breaks
    if breaks:
        key = "break_survey" if series.is_survey else "break_method"
        return _t(key, language, period=breaks[-1].label)
    # A change to a numeric target; a change to "no target" or to a target in words is
    # already said by the first sentence, which names the target in force now.
    changes = [
        (before, after)
        for before, after in series.target_changes()
        if after.target is not None and after.target.kind == "numeric"
    ]
    if changes:
        before, after = changes[-1]
        new = describe_target(after.target, series.scale, language)
        if before.target is not None and before.target.kind == "baseline":
            return _t("target_after_baseline", language, period=after.label, new=new)
        old = describe_target(before.target, series.scale, language)
        return _t("target_changed", language, old=old, new=new, period=after.label)
    latest = series.latest
    if latest is not None and latest.small_sample and not latest.suppressed:
        assert latest.responses is not None
        return _t("small_sample", language, n=format_count(latest.responses, language))
    return None


def summarize_series(
    series: MetricSeries, *, metric_name: str, language: str, fiscal: FiscalCalendar
) -> str:
    """One or two sentences on a metric's series (the points shown on its chart)."""
    first = _trend_sentence(series, metric_name, language, fiscal)
    if first is None:
        if any(point.suppressed for point in series.points):
            return _t("all_suppressed", language, Name=metric_name)
        return _t("nothing", language, Name=metric_name)
    second = _second_sentence(series, language)
    return f"{first}." + (f" {second}" if second else "")


def summarize_breakdown(
    groups: Sequence[tuple[str, MetricSeries]],
    *,
    metric_name: str,
    segment_name: str,
    language: str,
) -> str:
    """One or two sentences on a breakdown: the spread between groups in the latest period
    with any result, and which groups were not reported in it.

    ``groups`` are (group name, series) pairs, e.g. ("Email", series), ("Voicemail", series);
    ``segment_name`` names the kind of group in a sentence ("channel").
    """
    latest_end = max(
        (point.period.end for _, series in groups for point in series.reported_points),
        default=None,
    )
    if latest_end is None:
        return _t("breakdown_nothing", language, Name=metric_name, segment=segment_name)
    shown: list[tuple[str, SeriesPoint, str]] = []
    missing: list[str] = []
    label = ""
    for group, series in groups:
        point = next((p for p in series.points if p.period.end == latest_end), None)
        if point is None or point.value is None:
            missing.append(group)
            continue
        label = point.label
        shown.append((group, point, series.scale))
    name = in_sentence(metric_name)
    if len(shown) == 1:
        group, point, scale = shown[0]
        first = _t(
            "breakdown_one",
            language,
            period=label,
            name=name,
            group=group,
            value=format_value(point.raw, scale, language, target=point.target),
        )
    else:
        ordered = sorted(shown, key=lambda item: float(item[1].value or 0))
        (low_group, low, scale), (high_group, high, _) = ordered[0], ordered[-1]
        low_text, high_text = _values_alike((low, high), scale, language)
        first = _t(
            "breakdown_range",
            language,
            period=label,
            name=name,
            low=low_text,
            low_group=low_group,
            high=high_text,
            high_group=high_group,
        )
    if missing:
        joiner = _t("and", language)
        groups_text = (
            ", ".join(missing[:-1]) + joiner + missing[-1] if len(missing) > 1 else missing[0]
        )
        return f"{first} {_t('breakdown_missing', language, groups=groups_text)}"
    return first
