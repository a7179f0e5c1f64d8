"""What the home page and the quarterly review both read: each agency's published headline
figures and the targets posted for them, as plain values (:class:`Reading`, :class:`TargetSpec`)
keyed by (agency slug, metric code). Rows come from the gateway; nothing here opens a session.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from dashboard.core import languages
from dashboard.domain.scorecard import MetricInfo, Reading
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
    database_url: str, agencies: list[dict[str, Any]], headline: Mapping[str, MetricInfo]
) -> dict[tuple[str, str], list[Reading]]:
    """Each agency's published overall figures of the headline metrics, by (slug, code)."""
    if not agencies or not headline:
        return {}
    frame = queries.published_observations(
        database_url,
        unit_ids=[agency["id"] for agency in agencies],
        metric_codes=[metric.code for metric in headline.values()],
        segment_types=("",),
    )
    # Column lists rather than per-row dicts: a few thousand rows, built once per cache miss.
    columns = {name: frame[name].tolist() for name in _READING_COLUMNS}
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


_READING_COLUMNS = (
    "unit_slug",
    "metric_code",
    "period_start",
    "period_end",
    "granularity",
    "raw_value",
    "numerator",
    "denominator",
    "earlier_value",
    "revised_at",
    "series_break",
)


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
