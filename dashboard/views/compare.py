"""Compare agencies on one measure (``/compare``): each agency's result for one period, with
its interval, its target and whether it met it.

Query parameters (every view is a permalink; a plain GET form sets them):

- ``metric``: a metric code that some agency publishes an overall figure of. By default the
  headline satisfaction measure (else the first headline measure, else the first). Unknown:
  a 404.
- ``period``: a fiscal quarter ("FY2026-Q3") or fiscal year ("FY2026") with published
  figures of the measure, as on the home page (the same parsing, offer and default: the
  latest). Anything else: a 404.

Each agency's result is the scorecard's (:func:`dashboard.domain.scorecard.period_result`:
the figure published for exactly the period, else its months or quarters pooled) judged by
:func:`~dashboard.domain.scorecard.score_cell` against the target in force on the period's
last day, small samples flagged (or hidden under the "suppress" policy). Survey shares get
their Wilson 95% interval (:mod:`dashboard.domain.comparison`); means and administrative
figures get none, and the page says why. An agency without a figure is listed as not
reported, never drawn or counted as zero. Only the agency's own figures are compared: a
roll-up of its services' standards is another measure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.core import languages
from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.core.routes import Route, path_for
from dashboard.core.settings import Settings
from dashboard.domain import comparison, tidy_csv
from dashboard.domain.charts import ChartSpec, TableColumn, Trace, file_stem
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.formatting import (
    display_unit,
    display_value,
    format_count,
    format_measure,
    not_reported,
)
from dashboard.domain.scorecard import Cell, MetricInfo, Reading, period_result, score_cell
from dashboard.domain.targets import Status, TargetSpec
from dashboard.gateway import queries
from dashboard.infra.models import DIMENSIONS
from dashboard.views import NotFound, Option
from dashboard.views.home import PeriodOption, chosen_period, period_options, period_param
from dashboard.views.readings import agency_targets, headline_readings, published_offered_periods

PARAMS = ("lang", "metric", "period")

#: Scales on which more is neither better nor worse (volumes): ranked, never judged.
NEUTRAL_SCALES = ("count",)

TEXT: Messages = messages(
    P_("compare_bad_metric", "No agency publishes results for the measure “{metric}”."),
    P_("compare_chart_title", "{metric}, {period}: result by agency"),
    P_("compare_result", "Result"),
    P_("compare_interval", "95% confidence interval"),
    P_("compare_target", "Target in force"),
    P_("compare_hover", "{agency}: {value}"),
    P_("compare_hover_interval", "{agency}: {value} (95% interval {low} to {high})"),
    P_("compare_col_agency", "Agency"),
    P_("compare_col_measure", "Measure"),
    P_("compare_col_unit", "Unit"),
    P_("compare_col_period", "Period"),
    P_("compare_col_value", "Value"),
    P_("compare_col_low", "95% interval, low"),
    P_("compare_col_high", "95% interval, high"),
    P_("compare_col_responses", "Responses or volume"),
    P_("compare_col_target", "Target"),
    P_("compare_col_comparator", "Target comparator"),
    P_("compare_col_status", "Status"),
    P_("compare_col_small", "Small sample"),
    P_("compare_col_as_of", "Data as of"),
    P_("compare_yes", "Yes"),
    P_("compare_no", "No"),
    P_(
        "compare_summary",
        "{metric}, {period}: {reported} of {total} agencies reported. "
        "Best result: {best} ({best_value}); weakest: {worst} ({worst_value}).",
    ),
    P_(
        "compare_summary_neutral",
        "{metric}, {period}: {reported} of {total} agencies reported. "
        "Highest: {best} ({best_value}); lowest: {worst} ({worst_value}).",
    ),
    P_(
        "compare_summary_one",
        "{metric}, {period}: 1 of {total} agencies reported: {best} ({value}).",
    ),
    P_("compare_summary_none", "{metric}, {period}: no agency reported."),
    P_("compare_summary_met", "{met} of {judged} met the target in force."),
    P_("compare_summary_not_reported", "Not reported: {names}."),
    P_(
        "compare_note_interval",
        "The bars are 95% confidence intervals (Wilson score interval) from the number of "
        "responses: where two agencies' bars overlap, the survey cannot tell them apart.",
    ),
    P_(
        "compare_note_mean",
        "No interval is shown: a mean needs its standard deviation for one, and none is published.",
    ),
    P_(
        "compare_note_admin",
        "No interval is shown: these figures count every case, not a sample of them.",
    ),
    P_(
        "compare_note_small",
        "Small samples (fewer than {n} responses, hollow markers), read with care: {names}.",
    ),
    P_("compare_note_suppressed", "Fewer than {n} responses, not shown: {names}."),
    P_("compare_note_partial", "{agency}: {count} of {expected} parts of the period reported."),
    P_("compare_suppressed", "Suppressed"),
    P_("compare_small_trace", "Small sample (fewer than {n} responses): hollow marker"),
)


def text(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


@dataclass(frozen=True)
class ComparisonView:
    """What the compare and equity pages have in common: one measure in one period across the
    agencies, the form's choices, and one chart (None while nothing is published)."""

    language: str
    has_data: bool
    metric: str | None
    metric_name: str
    metric_options: list[Option]
    period: str | None
    period_label: str
    period_options: list[PeriodOption]
    chart: ChartSpec | None
    agencies_total: int

    @property
    def charts(self) -> list[ChartSpec]:
        return [self.chart] if self.chart is not None else []

    def tidy_csv(self, spec: ChartSpec, as_of: dt.date | None) -> str:
        """The chart's CSV download (``callbacks.router``, and the page's ZIP): a table row a
        row, each naming its agency (:func:`tidy_facts`)."""
        return tidy_text(spec, as_of)


def charts(view: ComparisonView) -> list[ChartSpec]:
    return list(view.charts)


@dataclass(frozen=True)
class CompareRow:
    """One agency's result for the period (display units; None: nothing to show)."""

    slug: str
    name: str
    path: str
    value: float | int | None
    value_text: str  # "81.2%", "Not reported", "Suppressed"
    low: float | None
    high: float | None
    low_text: str | None  # the interval's ends in words ("76.1%"), None without one
    high_text: str | None
    responses: float | None
    target_value: float | int | None
    comparator: str | None
    target_text: str
    status: Status
    small_sample: bool
    suppressed: bool


@dataclass(frozen=True)
class CompareView(ComparisonView):
    rows: list[CompareRow]  # best first, then the agencies without a shown value


# -- shared with the equity page -------------------------------------------------------------

#: The CSV download's columns: every chart CSV's (:data:`dashboard.domain.tidy_csv.COLUMNS`,
#: docs/chart-csv.md), then the result's 95% interval and the responses (or volume) behind it.
CSV_COLUMNS = (*tidy_csv.COLUMNS, "ci_low", "ci_high", "responses")


def tidy_text(spec: ChartSpec, as_of: dt.date | None) -> str:
    """A compare or equity chart's rows as the tidy CSV: each table row carries its facts
    under ``"tidy"`` (codes and numbers, never the table's words), the agency among them."""
    day = as_of.isoformat() if as_of else None
    records = [{**row["tidy"], "as_of": day} for row in spec.rows if "tidy" in row]
    return tidy_csv.csv_text(records, CSV_COLUMNS)


def tidy_facts(
    *,
    agency: str,
    metric: MetricInfo,
    language: str,
    period_label: str,
    period: tuple[str, str],
    cell: Cell,
    value: float | int | None,
    interval: tuple[float | None, float | None],
    target: float | int | None = None,
    segment: str = "",
    group: str = "",
) -> dict[str, Any]:
    """One row of the tidy CSV (keys: :data:`CSV_COLUMNS` but ``as_of``)."""
    comparator = cell.target.comparator if target is not None and cell.target else None
    return {
        "agency": agency,
        "unit": agency,
        "unit_type": "agency",
        "measure_code": metric.code,
        "measure": metric.name(language),
        "segment": segment,
        "group": group,
        "period": period_label,
        "period_start": period[0],
        "period_end": period[1],
        "value": value,
        "value_unit": display_unit(metric.scale, language),
        "target_comparator": tidy_csv.COMPARATORS.get(comparator, comparator)
        if comparator
        else None,
        "target": _whole(target),
        "status": None if cell.suppressed else tidy_csv.STATUS_WORDS.get(cell.status.value),
        "small_sample": tidy_csv.flag(cell.small_sample),
        "suppressed": tidy_csv.flag(cell.suppressed),
        "revised": tidy_csv.flag(cell.revised),
        "ci_low": interval[0],
        "ci_high": interval[1],
        "responses": _whole(cell.denominator) if cell.value is not None else None,
    }


def _whole(number: float | int | None) -> float | int | None:
    """80.0 as 80 and 557.0 as 557 in a CSV cell; other numbers as they are."""
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def agencies_of(database_url: str) -> list[dict[str, Any]]:
    return [unit for unit in queries.units(database_url) if unit["kind"] == "agency"]


def name_of(record: Mapping[str, Any], language: str) -> str:
    return languages.record_text(record, "name", language) or record.get("slug") or ""


def metric_options(infos: Mapping[str, MetricInfo], codes: set[str], language: str) -> list[Option]:
    """The measures on offer, by dimension (ART, satisfaction, access, other), then name."""

    def key(code: str) -> tuple[int, str]:
        dimension = infos[code].dimension
        rank = DIMENSIONS.index(dimension) if dimension in DIMENSIONS else len(DIMENSIONS)
        return rank, infos[code].name(language).casefold()

    return [Option(code, infos[code].name(language)) for code in sorted(codes, key=key)]


def chosen_metric(
    database_url: str,
    infos: Mapping[str, MetricInfo],
    codes: set[str],
    asked: str | None,
    language: str,
) -> str | None:
    """The measure the URL names (NotFound when nobody publishes it), else the headline
    satisfaction measure, else the first headline measure, else the first on offer."""
    if asked:
        if asked not in codes:
            raise NotFound(text("compare_bad_metric", language, metric=asked))
        return asked
    if not codes:
        return None
    headline = queries.load_headline_metrics(database_url, list(infos.values()))
    for dimension in ("satisfaction", *headline):
        metric = headline.get(dimension)
        if metric is not None and metric.code in codes:
            return metric.code
    return metric_options(infos, codes, language)[0].value


def scored(
    metric: MetricInfo,
    readings: Sequence[Reading],
    targets: Sequence[TargetSpec],
    start: dt.date,
    end: dt.date,
    granularity: str,
    *,
    settings: Settings,
    language: str,
) -> Cell:
    """The scorecard's cell of ``readings`` for the period ``start``-``end``: pooled from
    finer periods when needed, judged against the target in force on its last day, small
    samples flagged or hidden as the settings say."""
    return score_cell(
        metric,
        period_result(readings, start, end, granularity, metric.scale),
        targets,
        start,
        end,
        small_sample_threshold=settings.small_sample_threshold,
        small_sample_policy=settings.small_sample_policy,
        language=language,
    )


def interval_of(cell: Cell, metric: MetricInfo) -> tuple[float, float] | None:
    """The 95% interval of the cell's result (raw scale), None where none can be given."""
    return comparison.share_interval(cell.value, cell.denominator, metric.scale, metric.is_survey)


def interval_display(
    bounds: tuple[float, float] | None, scale: str
) -> tuple[float | None, float | None]:
    if bounds is None:
        return None, None
    low, high = display_value(bounds[0], scale), display_value(bounds[1], scale)
    return (None if low is None else float(low)), (None if high is None else float(high))


def interval_note(metric: MetricInfo, language: str) -> str:
    """Why the chart has intervals, or why it has none."""
    if comparison.has_sampling_interval(metric.scale, metric.is_survey):
        return text("compare_note_interval", language)
    if metric.is_survey:
        return text("compare_note_mean", language)
    return text("compare_note_admin", language)


def shown_text(cell: Cell, metric: MetricInfo, language: str) -> str:
    if cell.suppressed:
        return text("compare_suppressed", language)
    if cell.value is None:
        return not_reported(language)
    return format_measure(cell.value, metric.scale, language, cell.target)


# -- building it -----------------------------------------------------------------------------


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> CompareView:
    calendar = FiscalCalendar.from_settings(settings)
    agencies = agencies_of(database_url)
    infos = {m["code"]: MetricInfo.from_record(m) for m in queries.metrics(database_url)}
    published = {
        code
        for _unit, code, _granularity in queries.published_series_keys(
            database_url, unit_ids=[agency["id"] for agency in agencies]
        )
        if code in infos
    }
    code = chosen_metric(database_url, infos, published, query.get("metric") or None, language)
    options = metric_options(infos, published, language)
    if code is None:
        return _empty(language, options, len(agencies))
    metric = infos[code]
    offered = published_offered_periods(database_url, calendar, [(agencies, [code])])
    chosen = chosen_period(calendar, offered, query.get("period") or None, language)
    if chosen is None:
        return _empty(language, options, len(agencies), metric=metric)
    period, start, end, _through = chosen
    readings = headline_readings(
        database_url, agencies, {code: metric}, starting_from=start, ending_by=end
    )
    targets = agency_targets(database_url, agencies, language)
    cells = {
        agency["slug"]: scored(
            metric,
            readings.get((agency["slug"], code), []),
            targets.get((agency["slug"], code), []),
            start,
            end,
            period.granularity,
            settings=settings,
            language=language,
        )
        for agency in agencies
    }
    rows = _rows(agencies, cells, metric, language)
    period_label = calendar.period_label(period, language)
    period_value = period_param(calendar, period)
    status = queries.data_status(database_url)
    return CompareView(
        language=language,
        has_data=True,
        metric=code,
        metric_name=metric.name(language),
        metric_options=options,
        period=period_value,
        period_label=period_label,
        period_options=period_options(calendar, offered, language),
        rows=rows,
        chart=_chart(
            rows,
            cells,
            metric,
            period_label,
            period_value,
            settings,
            language,
            status.as_of,
            (period.start.isoformat(), period.end.isoformat()),
        ),
        agencies_total=len(agencies),
    )


def _empty(
    language: str, options: list[Option], total: int, metric: MetricInfo | None = None
) -> CompareView:
    """Nothing published yet: the page says so (a page, not a 404)."""
    return CompareView(
        language=language,
        has_data=False,
        metric=metric.code if metric else None,
        metric_name=metric.name(language) if metric else "",
        metric_options=options,
        period=None,
        period_label="",
        period_options=[],
        rows=[],
        chart=None,
        agencies_total=total,
    )


def _rows(
    agencies: Sequence[Mapping[str, Any]],
    cells: Mapping[str, Cell],
    metric: MetricInfo,
    language: str,
) -> list[CompareRow]:
    rows = []
    for agency in agencies:
        cell = cells[agency["slug"]]
        bounds = interval_of(cell, metric)
        low, high = interval_display(bounds, metric.scale)
        target = cell.target
        numeric = target is not None and target.kind == "numeric" and target.value is not None
        rows.append(
            CompareRow(
                slug=agency["slug"],
                name=name_of(agency, language),
                path=path_for("agency", agency=agency["slug"]),
                value=display_value(cell.value, metric.scale, target),
                value_text=shown_text(cell, metric, language),
                low=low,
                high=high,
                low_text=format_measure(bounds[0], metric.scale, language) if bounds else None,
                high_text=format_measure(bounds[1], metric.scale, language) if bounds else None,
                responses=cell.denominator if cell.value is not None else None,
                target_value=display_value(target.value, metric.scale)
                if numeric and target is not None
                else None,
                comparator=target.comparator if numeric and target is not None else None,
                target_text=cell.target_text,
                status=cell.status,
                small_sample=cell.small_sample,
                suppressed=cell.suppressed,
            )
        )
    shown = comparison.best_first(
        [(row.slug, float(row.value)) for row in rows if row.value is not None],
        metric.direction,
    )
    order = {slug: index for index, (slug, _value) in enumerate(shown)}
    return sorted(
        rows,
        key=lambda row: (
            order.get(row.slug, len(order)),
            row.name.casefold(),
        ),
    )


def _chart(
    rows: list[CompareRow],
    cells: Mapping[str, Cell],
    metric: MetricInfo,
    period_label: str,
    period_value: str,
    settings: Settings,
    language: str,
    as_of: dt.date | None,
    bounds: tuple[str, str],
) -> ChartSpec:
    name = metric.name(language)
    drawn = [row for row in rows if row.value is not None]
    traces = [
        Trace(
            text("compare_result", language),
            "line",
            [row.name for row in drawn],
            [row.value for row in drawn],
            text=[_hover(row, language) for row in drawn],
        )
    ]
    if any(row.low is not None for row in drawn):
        traces.append(
            Trace(
                text("compare_interval", language),
                "band",
                [row.name for row in drawn],
                [row.high for row in drawn],
                y_low=[row.low for row in drawn],
            )
        )
    small_rows = [row for row in drawn if row.small_sample]
    if small_rows:
        traces.append(
            Trace(
                text("compare_small_trace", language, n=settings.small_sample_threshold),
                "small",
                [row.name for row in small_rows],
                [row.value for row in small_rows],
            )
        )
    if any(row.target_value is not None for row in drawn):
        traces.append(
            Trace(
                text("compare_target", language),
                "target",
                [row.name for row in drawn],
                [row.target_value for row in drawn],
                text=[f"{row.name}: {row.target_text}" for row in drawn],
            )
        )
    unit = display_unit(metric.scale, language)
    yes, no = text("compare_yes", language), text("compare_no", language)
    as_of_text = as_of.isoformat() if as_of else None
    table_rows = [
        {
            "agency": row.name,
            "measure": name,
            "unit": unit,
            "period": period_label,
            "value": row.value,
            "low": row.low,
            "high": row.high,
            "responses": row.responses,
            "target": row.target_value,
            "comparator": row.comparator,
            "status": row.status.value,
            "small": yes if row.small_sample else no,
            "as_of": as_of_text,
            "tidy": tidy_facts(
                agency=row.name,
                metric=metric,
                language=language,
                period_label=period_label,
                period=bounds,
                cell=cells[row.slug],
                value=row.value,
                interval=(row.low, row.high),
                target=row.target_value,
            ),
        }
        for row in rows
    ]
    threshold = settings.small_sample_threshold
    notes = [interval_note(metric, language)]
    small = [row.name for row in rows if row.small_sample and not row.suppressed]
    if small:
        notes.append(text("compare_note_small", language, n=threshold, names=", ".join(small)))
    hidden = [row.name for row in rows if row.suppressed]
    if hidden:
        notes.append(
            text("compare_note_suppressed", language, n=threshold, names=", ".join(hidden))
        )
    for row in rows:
        cell = cells[row.slug]
        if cell.partial:
            notes.append(
                text(
                    "compare_note_partial",
                    language,
                    agency=row.name,
                    count=cell.parts_reported,
                    expected=cell.parts_expected,
                )
            )
    return ChartSpec(
        chart_id="compare",
        title=text("compare_chart_title", language, metric=name, period=period_label),
        summary=_summary(rows, metric, period_label, language),
        y_title=unit,
        traces=traces,
        columns=[
            TableColumn("agency", text("compare_col_agency", language)),
            TableColumn("measure", text("compare_col_measure", language)),
            TableColumn("unit", text("compare_col_unit", language)),
            TableColumn("period", text("compare_col_period", language)),
            TableColumn("value", text("compare_col_value", language), "number"),
            TableColumn("low", text("compare_col_low", language), "number", missing="–"),
            TableColumn("high", text("compare_col_high", language), "number", missing="–"),
            TableColumn(
                "responses", text("compare_col_responses", language), "number", missing="–"
            ),
            TableColumn("target", text("compare_col_target", language), "number", missing="–"),
            TableColumn("comparator", text("compare_col_comparator", language)),
            TableColumn("status", text("compare_col_status", language), "status"),
            TableColumn("small", text("compare_col_small", language)),
            TableColumn("as_of", text("compare_col_as_of", language)),
        ],
        rows=table_rows,
        file_stem=file_stem("compare", metric.code, period_value),
        notes=notes,
        empty_text=not_reported(language),
        scale=metric.scale,
    )


def _hover(row: CompareRow, language: str) -> str:
    if row.low_text is None or row.high_text is None:
        return text("compare_hover", language, agency=row.name, value=row.value_text)
    return text(
        "compare_hover_interval",
        language,
        agency=row.name,
        value=row.value_text,
        low=row.low_text,
        high=row.high_text,
    )


def _summary(rows: list[CompareRow], metric: MetricInfo, period_label: str, language: str) -> str:
    name = metric.name(language)
    total = len(rows)
    drawn = [row for row in rows if row.value is not None]
    if not drawn:
        sentences = [text("compare_summary_none", language, metric=name, period=period_label)]
    elif len(drawn) == 1:
        sentences = [
            text(
                "compare_summary_one",
                language,
                metric=name,
                period=period_label,
                total=format_count(total, language),
                best=drawn[0].name,
                value=drawn[0].value_text,
            )
        ]
    else:
        # A volume is no better for being larger: its ends are the highest and the lowest.
        neutral = metric.scale in NEUTRAL_SCALES
        sentences = [
            text(
                "compare_summary_neutral" if neutral else "compare_summary",
                language,
                metric=name,
                period=period_label,
                reported=format_count(len(drawn), language),
                total=format_count(total, language),
                best=drawn[0].name,
                best_value=drawn[0].value_text,
                worst=drawn[-1].name,
                worst_value=drawn[-1].value_text,
            )
        ]
    judged = [row for row in rows if row.status in (Status.MET, Status.NOT_MET)]
    if judged:
        met = sum(1 for row in judged if row.status == Status.MET)
        sentences.append(
            text(
                "compare_summary_met",
                language,
                met=format_count(met, language),
                judged=format_count(len(judged), language),
            )
        )
    missing = [row.name for row in rows if row.value is None and not row.suppressed]
    if missing:
        sentences.append(text("compare_summary_not_reported", language, names=", ".join(missing)))
    return " ".join(sentences)
