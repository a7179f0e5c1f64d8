"""What the home page and the quarterly review both read: each agency's published headline
figures and the targets posted for them, as plain values (:class:`Reading`, :class:`TargetSpec`)
keyed by (agency slug, metric code). Rows come from the gateway; nothing here opens a session.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dashboard.core import languages
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.scorecard import MetricInfo, OfferedPeriods, Reading, offered_periods
from dashboard.domain.service_rollup import has_own_figure
from dashboard.domain.targets import TargetSpec
from dashboard.gateway import queries


def _clean(value: Any) -> Any:
    """A pandas cell as a plain value: NaN and NaT (missing) become None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    # NaT is the one value that differs from itself besides NaN.
    if value != value:
        return None
    return value


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def headline_readings(
    database_url: str,
    agencies: list[dict[str, Any]],
    headline: Mapping[str, MetricInfo],
    *,
    starting_from: dt.date | None = None,
    ending_by: dt.date | None = None,
    last_reported_before: dt.date | None = None,
) -> dict[tuple[str, str], list[Reading]]:
    """Each unit's published overall figures of the metrics, by (slug, code).

    Only the periods inside ``starting_from``-``ending_by`` (either may be open): what the page
    shows, not the store's whole history. With ``last_reported_before``, each series also gets
    its latest figure ending before that day from before the window, so that "last reported"
    reads the same as over the whole history.
    """
    if not agencies or not headline:
        return {}
    unit_ids = [agency["id"] for agency in agencies]
    codes = [metric.code for metric in headline.values()]
    readings = _readings_of(
        queries.overall_figures(
            database_url,
            unit_ids=unit_ids,
            metric_codes=codes,
            starting_from=starting_from,
            ending_by=ending_by,
        )
    )
    if last_reported_before is not None and starting_from is not None:
        earlier = _readings_of(
            queries.last_reported_figures(
                database_url,
                unit_ids=unit_ids,
                metric_codes=codes,
                ending_before=last_reported_before,
                starting_before=starting_from,
            )
        )
        for key, found in earlier.items():
            # Oldest first, like a read of the whole history.
            readings[key] = sorted([*found, *readings.get(key, [])], key=_by_start)
    return readings


def _by_start(reading: Reading) -> dt.date:
    return reading.period_start


def _readings_of(columns: Mapping[str, list[Any]]) -> dict[tuple[str, str], list[Reading]]:
    readings: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    for index, slug in enumerate(columns["unit_slug"]):
        readings[(slug, columns["metric_code"][index])].append(
            Reading(
                period_start=_as_date(columns["period_start"][index]),
                period_end=_as_date(columns["period_end"][index]),
                granularity=columns["granularity"][index],
                value=_clean(columns["raw_value"][index]),
                numerator=_clean(columns["numerator"][index]),
                denominator=_clean(columns["denominator"][index]),
                earlier_value=_clean(columns["earlier_value"][index]),
                revised=_clean(columns["revised_at"][index]) is not None,
                series_break=bool(_clean(columns["series_break"][index])),
            )
        )
    return dict(readings)


def needing_services(
    agencies: Sequence[Mapping[str, Any]],
    headline: Mapping[str, MetricInfo],
    readings: Mapping[tuple[str, str], Sequence[Reading]],
    periods: Iterable[tuple[dt.date, dt.date]],
) -> set[str]:
    """Slugs of the agencies without a figure of their own for some headline measure in some
    of ``periods``: only their cells are rolled up from their services' standards
    (:func:`~dashboard.domain.service_rollup.agency_cell`), so only their services' figures
    are read."""
    bounds = list(periods)
    return {
        agency["slug"]
        for agency in agencies
        if any(
            not has_own_figure(readings.get((agency["slug"], metric.code), ()), start, end)
            for metric in headline.values()
            for start, end in bounds
        )
    }


def published_offered_periods(
    database_url: str,
    calendar: FiscalCalendar,
    groups: Sequence[tuple[Sequence[Mapping[str, Any]], Iterable[str]]],
) -> OfferedPeriods:
    """:func:`~dashboard.domain.scorecard.offered_periods` of the units' overall figures of the
    metrics (``groups``: (units, metric codes) pairs), read as distinct periods in SQL rather
    than from every figure: the quarters and fiscal years published; only in a store without
    quarterly figures, each series' months (a quarter is offered when a series has all three).
    """
    series = [([unit["id"] for unit in units], list(codes)) for units, codes in groups]
    periods: dict[tuple[Any, ...], list[Reading]] = defaultdict(list)
    for granularity in ("quarter", "fiscal_year"):
        for start, end in queries.published_periods(
            database_url, series=series, granularity=granularity
        ):
            periods[("",)].append(Reading(_as_date(start), _as_date(end), granularity, None))
    if not any(r.granularity == "quarter" for r in periods[("",)]):
        # No quarterly figures: a quarter is offered when some series has its three months.
        # The quarters all three of whose months anyone published are the candidates; each is
        # then checked for one series holding them all.
        by_quarter: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
        for _start, end in queries.published_periods(
            database_url, series=series, granularity="month"
        ):
            ending = _as_date(end)
            by_quarter[(calendar.fiscal_year(ending), calendar.quarter(ending))].append(ending)
        candidates = [
            (quarter, ends) for quarter, ends in sorted(by_quarter.items()) if len(ends) >= 3
        ]
        held = queries.series_with_every_period(
            database_url,
            series=series,
            granularity="month",
            period_sets=[ends for _quarter, ends in candidates],
        )
        for (quarter, _ends), complete in zip(candidates, held, strict=True):
            if complete:
                periods[("",)].append(Reading(*_quarter_bounds(calendar, quarter), "quarter", None))
    return offered_periods(calendar, periods)


def _quarter_bounds(calendar: FiscalCalendar, quarter: tuple[int, int]) -> tuple[dt.date, dt.date]:
    period = calendar.quarter_period(*quarter)
    return period.start, period.end


def agency_targets(
    database_url: str, agencies: list[dict[str, Any]], language: str
) -> dict[tuple[str, str], list[TargetSpec]]:
    targets: dict[tuple[str, str], list[TargetSpec]] = defaultdict(list)
    if not agencies:
        return {}
    for row in queries.published_targets(database_url, unit_ids=[a["id"] for a in agencies]):
        words = languages.record_text(row, "text", language)
        targets[(row["unit_slug"], row["metric_code"])].append(
            TargetSpec(
                kind=row["kind"],
                value=row["value"],
                comparator=row["comparator"],
                effective_from=_as_date(row["effective_from"]),
                effective_to=_as_date(row["effective_to"]) if row["effective_to"] else None,
                text=words,
            )
        )
    return dict(targets)
