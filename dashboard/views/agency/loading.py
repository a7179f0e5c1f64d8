"""Reading the published rows an agency page needs, and what every chart of one page shares."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.series import (
    MetricSeries,
    ObservationRow,
    build_series,
)
from dashboard.domain.targets import (
    TargetSpec,
)
from dashboard.infra.models import DIMENSIONS
from dashboard.views.agency.text import GRANULARITY_ORDER, localized

# -- loading -----------------------------------------------------------------------------------


def _observation(row: Mapping[str, Any]) -> ObservationRow:
    revised_at = row.get("revised_at")
    if revised_at is not None and hasattr(revised_at, "to_pydatetime"):
        revised_at = revised_at.to_pydatetime()
    return ObservationRow(
        period_start=as_date(row["period_start"]),
        period_end=as_date(row["period_end"]),
        raw_value=as_float(row.get("raw_value")),
        numerator=as_float(row.get("numerator")),
        denominator=as_float(row.get("denominator")),
        series_break=bool(row.get("series_break")),
        earlier_value=as_float(row.get("earlier_value")),
        revised_at=revised_at,
        revision_reason=row.get("revision_reason"),
    )


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def as_float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def target_spec(row: Mapping[str, Any], language: str) -> TargetSpec:
    return TargetSpec(
        kind=row["kind"],
        value=as_float(row.get("value")),
        comparator=row["comparator"],
        effective_from=as_date(row["effective_from"]),
        effective_to=as_date(row["effective_to"]) if row.get("effective_to") else None,
        text=localized(row, "text", language),
        promise=localized(row, "promise", language),
    )


# -- building ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartContext:
    """What every chart of one page shares."""

    language: str
    fiscal: FiscalCalendar
    settings: Settings
    metrics: dict[str, dict[str, Any]]
    latest_ends: dict[tuple[str, str], dt.date]
    window: tuple[dt.date | None, dt.date | None]
    period_token: str | None

    def metric_name(self, code: str) -> str:
        return localized(self.metrics[code], "name", self.language)

    def series(
        self,
        code: str,
        granularity: str,
        rows: Iterable[Mapping[str, Any]],
        targets: list[TargetSpec],
    ) -> MetricSeries:
        metric = self.metrics[code]
        return build_series(
            (_observation(row) for row in rows),
            granularity=granularity,
            scale=metric["scale"],
            direction=metric["direction"],
            is_survey=bool(metric["is_survey"]),
            targets=targets,
            fiscal=self.fiscal,
            language=self.language,
            small_sample_threshold=self.settings.small_sample_threshold,
            small_sample_policy=self.settings.small_sample_policy,
            through=self.latest_ends.get((code, granularity)),
        )


def granularities(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The finest granularity each metric is published in."""
    found: dict[str, str] = {}
    for code, granularity in pairs:
        current = found.get(code)
        if current is None or GRANULARITY_ORDER.index(granularity) < GRANULARITY_ORDER.index(
            current
        ):
            found[code] = granularity
    return found


def ordered_codes(
    granularity_of: Mapping[str, str], metrics: Mapping[str, Mapping[str, Any]], language: str
) -> list[str]:
    """Accuracy, responsiveness, timeliness, satisfaction, access, then the rest."""

    def key(code: str) -> tuple[int, str]:
        metric = metrics[code]
        dimension = metric["dimension"]
        rank = DIMENSIONS.index(dimension) if dimension in DIMENSIONS else len(DIMENSIONS)
        return rank, localized(metric, "name", language).casefold()

    return sorted((code for code in granularity_of if code in metrics), key=key)
