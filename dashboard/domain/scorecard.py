"""The enterprise scorecard: every agency's result per dimension, judged against its target.

The decisions the overview page rests on, as plain functions (no I/O):

- **One headline measure per dimension** (:func:`choose_headlines`): the metric the catalogue
  flags as the dimension's headline (``Metric.headline``); with no flag, the first code of
  :data:`HEADLINE_PREFERENCE` that the store defines (satisfaction: ``csat_overall``,
  accuracy: ``accuracy_rate``, responsiveness: ``ack_within_1bd``, timeliness:
  ``timeliness_standard``, access: ``service_level_60s``); else the dimension's only metric
  that can be normalized; else the one with the most published results (ties: code). Never
  the alphabetically first name: "Process / ease" is a driver, not overall satisfaction.
- **A result for a period** (:func:`period_result`): the figure the agency published for exactly
  that period when there is one (a published NULL is "not reported" and is not replaced).
  Otherwise the agency's figures for the parts of the period are pooled: months of a quarter,
  quarters (or months) of a fiscal year. Shares are pooled as sum of numerators over sum of
  denominators (so a busy month weighs more than a quiet one), other values as a mean weighted
  by the denominator. A pooled result says how many parts reported ("2 of 3 months"); with no
  part reported it is "not reported", never zero.
- **Status** (:func:`score_cell`): the result judged against the target in force on the
  period's last day (:func:`dashboard.domain.targets.targets_in_force`). A survey result on fewer
  responses than the small-sample threshold is flagged, or with the "suppress" policy hidden
  and counted as not reported (a hidden value can neither meet nor miss a target).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from dashboard.core import languages
from dashboard.core.i18n import NP_, P_, Messages, messages, translate
from dashboard.domain.fiscal import FiscalCalendar, Period
from dashboard.domain.formatting import format_number, format_score
from dashboard.domain.normalize import NormalizationError, NormalizationRule, normalize
from dashboard.domain.rollups import Ratio, RollUp, TrendPoint
from dashboard.domain.stats import is_small_sample
from dashboard.domain.targets import Status, TargetSpec, describe_target, judge, targets_in_force

if TYPE_CHECKING:
    from dashboard.domain.service_rollup import StandardsRollup

#: The dimensions on the scorecard, in the order of the columns: ART, then satisfaction, then
#: access (contact-centre service level).
SCORECARD_DIMENSIONS = ("accuracy", "responsiveness", "timeliness", "satisfaction", "access")

#: Preferred headline metric per dimension, best first.
HEADLINE_PREFERENCE: dict[str, tuple[str, ...]] = {
    "accuracy": ("accuracy_rate",),
    "responsiveness": ("ack_within_1bd",),
    "timeliness": ("timeliness_standard", "processing_days"),
    "satisfaction": ("csat_overall",),
    "access": ("service_level_60s", "avg_speed_answer", "abandon_rate"),
}

#: Sort orders: by name, or by one dimension's score (highest first, not reported last).
SORT_KEYS = ("name", *SCORECARD_DIMENSIONS)

#: Coarse to fine: a period is pooled from the parts one step finer that have data.
_GRANULARITY_ORDER = ("fiscal_year", "quarter", "month")

#: Raw scales whose values are shares, pooled as sum(numerator) / sum(denominator).
_SHARE_FACTOR = {"fraction": 1.0, "percent": 100.0}

TEXT: Messages = messages(
    P_("accuracy", "Accuracy"),
    P_("responsiveness", "Responsiveness"),
    P_("timeliness", "Timeliness"),
    P_("satisfaction", "Satisfaction"),
    P_("access", "Access"),
    P_("accuracy_noun", "accuracy"),
    P_("responsiveness_noun", "responsiveness"),
    P_("timeliness_noun", "timeliness"),
    P_("satisfaction_noun", "satisfaction"),
    P_("access_noun", "access"),
    P_("accuracy_score", "accuracy"),
    P_("responsiveness_score", "responsiveness"),
    P_("timeliness_score", "timeliness"),
    P_("satisfaction_score", "satisfaction"),
    P_("access_score", "access"),
    P_("met", "{met} of {total} met, {percent}"),
    P_("none_judged", "No agency or service standard could be judged against a numeric target"),
    P_("reported", "{count} of {total} reported"),
    NP_(
        "no_target",
        "{count} reported without a numeric target",
        "{count} reported without a numeric target",
    ),
    P_("coverage", "{count} of {total} measure {noun} in {year}"),
    P_(
        "trend_change",
        "Average {dimension} score {verb} {first} to {last} between {start} and {end}",
    ),
    P_("trend_same", "Average {dimension} score was {last} in both {start} and {end}"),
    P_("trend_single", "Average {dimension} score was {last} in {end}"),
    P_("trend_none", "No agency reported {noun} between {start} and {end}"),
    P_("rose", "rose from"),
    P_("fell", "fell from"),
    P_("trend_reported", "{count} of {total} agencies reported in the latest quarter ({end})"),
    P_(
        "trend_reported_year",
        "{count} of {total} agencies reported in the latest fiscal year ({end})",
    ),
)


def text(key: str, language: str, **values: Any) -> str:
    """The scorecard's words ``key`` in ``language`` (English unless Spanish is asked for)."""
    return translate(TEXT, key, language, **values)


def dimension_label(dimension: str, language: str) -> str:
    return text(dimension, language)


# -- metrics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricInfo:
    """The parts of a metric definition the scorecard needs."""

    code: str
    dimension: str
    scale: str
    direction: str = "higher"
    is_survey: bool = False
    norm_best: float | None = None
    norm_worst: float | None = None
    name_en: str = ""
    #: ``(language, name)`` pairs: the name in every language the store holds it in.
    names: tuple[tuple[str, str], ...] = ()
    headline: bool = False  # the catalogue's headline measure of its dimension

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> MetricInfo:
        return cls(
            code=record["code"],
            dimension=record["dimension"],
            scale=record["scale"],
            direction=record.get("direction") or "higher",
            is_survey=bool(record.get("is_survey")),
            norm_best=record.get("norm_best"),
            norm_worst=record.get("norm_worst"),
            name_en=record.get("name_en") or "",
            names=tuple(
                (key.removeprefix("name_"), value)
                for key, value in record.items()
                if key.startswith("name_")
                and value
                and languages.LANGUAGE_CODE.match(key.removeprefix("name_"))
            ),
            headline=bool(record.get("headline")),
        )

    @property
    def rule(self) -> NormalizationRule:
        return NormalizationRule(self.scale, self.direction, self.norm_best, self.norm_worst)

    def name(self, language: str) -> str:
        names = {"en": self.name_en, **dict(self.names)}
        return languages.pick(names, language) or self.code

    def can_be_normalized(self) -> bool:
        try:
            return self.rule.ends() is not None
        except NormalizationError:
            return False


class HeadlineReason(StrEnum):
    """Why a metric is the headline measure of its dimension (the methodology page says it)."""

    CATALOGUE = "catalogue"  # flagged in the metric catalogue (Metric.headline)
    DEFAULT = "default"  # the shipped preference list (HEADLINE_PREFERENCE)
    ONLY = "only"  # the dimension's only metric
    MOST_RESULTS = "most_results"  # the metric with the most published results


@dataclass(frozen=True)
class HeadlineChoice:
    metric: MetricInfo
    reason: HeadlineReason


def needs_result_counts(metrics: Iterable[MetricInfo]) -> bool:
    """True when some dimension can only be decided by counting published results."""
    metrics = list(metrics)
    codes = {metric.code for metric in metrics}
    for dimension in SCORECARD_DIMENSIONS:
        own = [m for m in metrics if m.dimension == dimension]
        if any(m.headline for m in own) or any(c in codes for c in HEADLINE_PREFERENCE[dimension]):
            continue
        if len([m for m in own if m.can_be_normalized()]) > 1:
            return True
    return False


def choose_headlines(
    metrics: Iterable[MetricInfo], result_counts: Mapping[str, int] | None = None
) -> dict[str, HeadlineChoice]:
    """The headline measure of each scorecard dimension the store measures, in column order.

    1. the metric flagged ``headline`` in the catalogue (at most one per dimension; should a
       store hold two, the one with the most results, then the code, wins);
    2. else the first code of :data:`HEADLINE_PREFERENCE` the store defines;
    3. else the dimension's only metric that can be normalized (scored 0-100);
    4. else, of those, the one with the most published results (``result_counts`` by code),
       ties broken by code so the choice never depends on row order.
    A dimension with no usable metric is left out (no column, not a column of zeros).
    """
    counts = result_counts or {}
    by_code = {metric.code: metric for metric in metrics}

    def most_results(candidates: list[MetricInfo]) -> MetricInfo:
        return min(candidates, key=lambda m: (-counts.get(m.code, 0), m.code))

    chosen: dict[str, HeadlineChoice] = {}
    for dimension in SCORECARD_DIMENSIONS:
        own = [m for m in by_code.values() if m.dimension == dimension]
        flagged = [m for m in own if m.headline]
        if flagged:
            chosen[dimension] = HeadlineChoice(most_results(flagged), HeadlineReason.CATALOGUE)
            continue
        preferred = [by_code[c] for c in HEADLINE_PREFERENCE[dimension] if c in by_code]
        if preferred:
            chosen[dimension] = HeadlineChoice(preferred[0], HeadlineReason.DEFAULT)
            continue
        usable = [m for m in own if m.can_be_normalized()]
        if len(usable) == 1:
            chosen[dimension] = HeadlineChoice(usable[0], HeadlineReason.ONLY)
        elif usable:
            chosen[dimension] = HeadlineChoice(most_results(usable), HeadlineReason.MOST_RESULTS)
    return chosen


def headline_metrics(
    metrics: Iterable[MetricInfo], result_counts: Mapping[str, int] | None = None
) -> dict[str, MetricInfo]:
    """The headline metric of each dimension (:func:`choose_headlines`), in column order."""
    return {dim: c.metric for dim, c in choose_headlines(metrics, result_counts).items()}


# -- a result for a period -------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One published figure of an agency's headline metric (the overall figure, no segment)."""

    period_start: date
    period_end: date
    granularity: str  # "month" | "quarter" | "fiscal_year"
    value: float | None  # None: the agency published "no data" for the period
    numerator: float | None = None
    denominator: float | None = None
    earlier_value: float | None = None  # first published value, when revised since
    revised: bool = False
    series_break: bool = False


@dataclass(frozen=True)
class PeriodResult:
    """An agency's result for one period, and what it rests on."""

    value: float | None
    denominator: float | None  # responses (surveys) or volume behind the value
    parts_reported: int
    parts_expected: int
    part_granularity: str  # granularity of the parts pooled; "" for a figure used as published
    revised: bool = False
    earlier_value: float | None = None  # only for a figure used as published
    series_break: bool = False

    @property
    def pooled(self) -> bool:
        return bool(self.part_granularity)

    @property
    def partial(self) -> bool:
        """Pooled from fewer parts than the period has (e.g. 2 of 3 months reported)."""
        return self.value is not None and self.pooled and self.parts_reported < self.parts_expected


NOT_REPORTED = PeriodResult(None, None, 0, 1, "")


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start``'s month to ``end``'s month, both included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def parts_in_period(start: date, end: date, granularity: str) -> int:
    """How many months or fiscal quarters make up the period (a quarter is 3 months)."""
    months = months_between(start, end)
    if granularity == "month":
        return months
    if granularity == "quarter":
        return max(1, months // 3)
    return 1


def pool(readings: Sequence[Reading], scale: str) -> tuple[float | None, float | None]:
    """(value, denominator) of several parts taken together; (None, None) when none reported.

    Shares with numerators and denominators: sum of numerators / sum of denominators.
    Otherwise, with denominators: the mean weighted by them. Otherwise the plain mean.
    """
    reported = [r for r in readings if not _missing(r.value)]
    if not reported:
        return None, None
    denominators = [r.denominator for r in reported]
    has_denominators = all(not _missing(d) and d > 0 for d in denominators)  # type: ignore[operator]
    total = math.fsum(denominators) if has_denominators else None  # type: ignore[arg-type]
    if len(reported) == 1:
        return reported[0].value, reported[0].denominator
    if (
        scale in _SHARE_FACTOR
        and has_denominators
        and all(not _missing(r.numerator) for r in reported)
    ):
        numerators = math.fsum(r.numerator for r in reported)  # type: ignore[misc]
        return numerators / total * _SHARE_FACTOR[scale], total  # type: ignore[operator]
    if has_denominators:
        weighted = math.fsum(r.value * r.denominator for r in reported)  # type: ignore[operator]
        return weighted / total, total  # type: ignore[operator]
    return math.fsum(r.value for r in reported) / len(reported), None  # type: ignore[misc]


def period_result(
    readings: Iterable[Reading], start: date, end: date, granularity: str, scale: str
) -> PeriodResult:
    """The agency's result for the period ``start``-``end`` (see the module docstring)."""
    inside = [r for r in readings if start <= r.period_start and r.period_end <= end]
    for reading in inside:
        if (
            reading.granularity == granularity
            and reading.period_start == start
            and reading.period_end == end
        ):
            value = None if _missing(reading.value) else reading.value
            return PeriodResult(
                value=value,
                denominator=None if _missing(reading.denominator) else reading.denominator,
                parts_reported=0 if value is None else 1,
                parts_expected=1,
                part_granularity="",
                revised=reading.revised,
                earlier_value=None if _missing(reading.earlier_value) else reading.earlier_value,
                series_break=reading.series_break,
            )
    finer = _GRANULARITY_ORDER[_GRANULARITY_ORDER.index(granularity) + 1 :]
    for part in finer:
        parts = [r for r in inside if r.granularity == part]
        if not parts:
            continue
        value, denominator = pool(parts, scale)
        return PeriodResult(
            value=value,
            denominator=denominator,
            parts_reported=sum(1 for r in parts if not _missing(r.value)),
            parts_expected=parts_in_period(start, end, part),
            part_granularity=part,
            revised=any(r.revised for r in parts if not _missing(r.value)),
            series_break=any(r.series_break for r in parts),
        )
    return NOT_REPORTED


def periods_holding(readings: Sequence[Reading], periods: Sequence[Period]) -> list[list[Reading]]:
    """For each of ``periods`` (oldest first, not overlapping), the readings inside it, in
    their order: what :func:`period_result` keeps of them for that period.

    A reading can only lie inside the last period starting on or before its first day, so
    each is placed with one bisection: a trend costs its figures plus its periods, instead of
    every period rescanning every figure (which grew with the square of the history).
    """
    starts = [period.start for period in periods]
    held: list[list[Reading]] = [[] for _ in periods]
    for reading in readings:
        index = bisect_right(starts, reading.period_start) - 1
        if index >= 0 and reading.period_end <= periods[index].end:
            held[index].append(reading)
    return held


# -- a scorecard cell ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One agency's result in one dimension for the chosen period."""

    dimension: str
    metric_code: str
    scale: str
    value: float | None  # raw scale; None when not reported or suppressed
    score: float | None  # 0-100
    status: Status
    target_text: str  # "≥ 80%", "Establish baseline"; "" when no target is in force
    denominator: float | None = None
    small_sample: bool = False
    suppressed: bool = False
    revised: bool = False
    earlier_value: float | None = None
    parts_reported: int = 0
    parts_expected: int = 1
    part_granularity: str = ""
    target: TargetSpec | None = None  # in force: the figure is shown to the precision it decides
    rollup: StandardsRollup | None = None  # set when the cell is rolled up from services

    @property
    def partial(self) -> bool:
        return (
            self.value is not None
            and bool(self.part_granularity)
            and self.parts_reported < self.parts_expected
        )


def score_cell(
    metric: MetricInfo,
    result: PeriodResult,
    targets: Sequence[TargetSpec],
    start: date,
    end: date,
    *,
    small_sample_threshold: int,
    small_sample_policy: str,
    language: str,
) -> Cell:
    """Judge a period result against the target in force on the period's last day."""
    target = targets_in_force(targets, start, end)
    value = result.value
    small = (
        metric.is_survey
        and value is not None
        and is_small_sample(result.denominator, small_sample_threshold)
    )
    suppressed = small and small_sample_policy == "suppress"
    shown = None if suppressed else value
    return Cell(
        dimension=metric.dimension,
        metric_code=metric.code,
        scale=metric.scale,
        value=shown,
        score=normalize(shown, metric.rule),
        status=judge(shown, target),
        # No target at all: no words (the cell would read "Target: No target").
        target_text=describe_target(target, metric.scale, language) if target else "",
        denominator=result.denominator,
        small_sample=small,
        suppressed=suppressed,
        revised=result.revised and shown is not None,
        earlier_value=result.earlier_value if shown is not None else None,
        parts_reported=result.parts_reported,
        parts_expected=result.parts_expected,
        part_granularity=result.part_granularity,
        target=target,
    )


# -- agencies: search, filter, sort ----------------------------------------------------------


@dataclass(frozen=True)
class AgencyRow:
    """An agency's line on the scorecard."""

    slug: str
    name: str  # in the page's language (Spanish where the store has it)
    names: tuple[str, ...]  # every language's name, for search
    cells: Mapping[str, Cell]  # by dimension

    def status(self, dimension: str) -> Status:
        cell = self.cells.get(dimension)
        return cell.status if cell is not None else Status.NOT_REPORTED

    def score(self, dimension: str) -> float | None:
        cell = self.cells.get(dimension)
        return cell.score if cell is not None else None


def fold(words: str) -> str:
    """Text for matching: no accents, case folded, spaces collapsed ("Vehículos" -> "vehiculos")."""
    decomposed = unicodedata.normalize("NFKD", words)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def matches(query: str, names: Iterable[str | None]) -> bool:
    """True when every word of ``query`` occurs in one of the names (any language).

    Case and accents do not matter: "vehiculos" finds "Vehículos", "HACIENDA" finds
    "Departamento de Hacienda". An empty query matches everything.
    """
    words = fold(query).split()
    if not words:
        return True
    return any(
        all(word in folded for word in words) for folded in (fold(name) for name in names if name)
    )


def filter_rows(
    rows: Iterable[AgencyRow], dimension: str | None, status: Status | None
) -> list[AgencyRow]:
    """Agencies whose status in ``dimension`` is ``status``.

    Without a dimension, agencies with that status in any dimension; without a status, all.
    """
    if status is None:
        return list(rows)
    dimensions = [dimension] if dimension else list(SCORECARD_DIMENSIONS)
    return [row for row in rows if any(row.status(d) == status for d in dimensions)]


def sort_rows(rows: Iterable[AgencyRow], sort: str) -> list[AgencyRow]:
    """By name (A-Z, accents ignored) or by a dimension's score, highest first.

    Agencies without a score in that dimension (not reported, suppressed) come last, by name:
    a missing score is never ranked as if it were zero.
    """
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORT_KEYS)}")
    by_name = sorted(rows, key=lambda row: (fold(row.name), row.slug))
    if sort == "name":
        return by_name
    scored = [row for row in by_name if row.score(sort) is not None]
    unscored = [row for row in by_name if row.score(sort) is None]
    return sorted(scored, key=lambda row: -(row.score(sort) or 0.0)) + unscored


# -- enterprise roll-ups ---------------------------------------------------------------------


def rollup_lines(
    dimension: str, rollup: RollUp, coverage: Ratio, year_label: str, language: str
) -> list[str]:
    """The roll-up of one dimension in words, each count with its denominator.

    ["7 of 11 met, 63.6%", "11 of 12 reported", "1 reported without a numeric target",
    "11 of 12 measure accuracy in FY2026"]
    """
    lines = []
    if rollup.met.total:
        lines.append(
            text(
                "met",
                language,
                met=format_number(rollup.met.count, language),
                total=format_number(rollup.met.total, language),
                percent=rollup.met.percent_text(language=language),
            )
        )
    else:
        lines.append(text("none_judged", language))
    lines.append(
        text(
            "reported",
            language,
            count=format_number(rollup.reported.count, language),
            total=format_number(rollup.reported.total, language),
        )
    )
    if rollup.no_target:
        count = len(rollup.no_target)
        lines.append(text("no_target", language, count=count))
    lines.append(
        text(
            "coverage",
            language,
            count=format_number(coverage.count, language),
            total=format_number(coverage.total, language),
            noun=text(f"{dimension}_noun", language),
            year=year_label,
        )
    )
    return lines


def trend_summary(
    dimension: str,
    points: Sequence[TrendPoint[Any]],
    labels: Mapping[Any, str],
    agencies: int,
    language: str,
    *,
    yearly: bool = False,
) -> str:
    """One or two sentences on an enterprise trend, written from its numbers.

    "Average satisfaction score rose from 71.2 to 74.8 between FY2022 Q1 and FY2026 Q3; 11 of
    12 agencies reported in the latest quarter (FY2026 Q3)." Scores are compared as shown
    (one decimal), so "rose" never describes a change the reader cannot see.
    """
    if not points:
        return ""
    start, end = labels[points[0].key], labels[points[-1].key]
    reported = [p for p in points if p.mean is not None]
    name = text(f"{dimension}_score", language)
    if not reported:
        sentence = text(
            "trend_none", language, noun=text(f"{dimension}_noun", language), start=start, end=end
        )
    else:
        first, last = reported[0], reported[-1]
        first_text, last_text = (
            format_score(first.mean, language),
            format_score(last.mean, language),
        )
        first_label, last_label = labels[first.key], labels[last.key]
        if first is last:
            sentence = text(
                "trend_single", language, dimension=name, last=last_text, end=last_label
            )
        elif first_text == last_text:
            sentence = text(
                "trend_same",
                language,
                dimension=name,
                last=last_text,
                start=first_label,
                end=last_label,
            )
        else:
            # Compared as shown (one decimal), not as the text (which has the language's comma).
            rose = round(last.mean or 0.0, 1) > round(first.mean or 0.0, 1)
            verb = "rose" if rose else "fell"
            sentence = text(
                "trend_change",
                language,
                dimension=name,
                verb=text(verb, language),
                first=first_text,
                last=last_text,
                start=first_label,
                end=last_label,
            )
    latest = points[-1]
    tail = text(
        "trend_reported_year" if yearly else "trend_reported",
        language,
        count=format_number(latest.units_reported, language),
        total=format_number(agencies, language),
        end=end,
    )
    return f"{sentence}; {tail}."


# -- the periods a page offers ---------------------------------------------------------------


@dataclass(frozen=True)
class OfferedPeriods:
    """What the page offers: quarters with results, and fiscal years with yearly results."""

    quarters: list[tuple[int, int]]
    annual_years: list[int]

    def __bool__(self) -> bool:
        return bool(self.quarters or self.annual_years)


def offered_quarters(
    calendar: FiscalCalendar, readings: Mapping[Any, Sequence[Reading]]
) -> list[tuple[int, int]]:
    """The fiscal quarters the page offers, oldest first.

    ``readings`` are grouped by series (agency and metric). Quarters with published quarterly
    figures; when the store has none at all, the quarters for which some series has all three
    months.
    """
    quarters = {
        calendar.quarter_of(Period(r.period_start, r.period_end, "quarter"))
        for series in readings.values()
        for r in series
        if r.granularity == "quarter"
    }
    if quarters:
        return sorted(quarters)
    complete: set[tuple[int, int]] = set()
    for series in readings.values():
        months: dict[tuple[int, int], set[dt.date]] = defaultdict(set)
        for reading in series:
            if reading.granularity == "month":
                end = reading.period_end
                months[(calendar.fiscal_year(end), calendar.quarter(end))].add(reading.period_start)
        complete |= {key for key, firsts in months.items() if len(firsts) >= 3}
    return sorted(complete)


def offered_periods(
    calendar: FiscalCalendar, readings: Mapping[Any, Sequence[Reading]]
) -> OfferedPeriods:
    """The quarters the page offers (:func:`offered_quarters`) and the fiscal years with
    yearly results (a store of yearly results gets a yearly scorecard)."""
    years = {
        calendar.fiscal_year(r.period_end)
        for series in readings.values()
        for r in series
        if r.granularity == "fiscal_year"
    }
    return OfferedPeriods(offered_quarters(calendar, readings), sorted(years))


def default_period(calendar: FiscalCalendar, offered: OfferedPeriods) -> Period | None:
    """The latest period the data have: the latest quarter, or the latest fiscal year when a
    later fiscal year has yearly results only. None when nothing is published."""
    latest_quarter = offered.quarters[-1] if offered.quarters else None
    latest_year = offered.annual_years[-1] if offered.annual_years else None
    if latest_year is not None and (latest_quarter is None or latest_year > latest_quarter[0]):
        return calendar.year(latest_year)
    if latest_quarter is not None:
        return calendar.quarter_period(*latest_quarter)
    return None
