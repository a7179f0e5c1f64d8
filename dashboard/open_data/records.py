"""Published rows as API records: observations with their honest status (not reported, small
sample, suppressed, revised) and the small resources (units, metrics, targets, actions,
contact points, closures). Drafts and internal notes are never selected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from dashboard.core.settings import Settings
from dashboard.domain.csv_cells import safe_cell, safe_row
from dashboard.domain.fiscal import FiscalCalendar, Period
from dashboard.domain.normalize import PROPORTION_SCALES
from dashboard.domain.stats import is_small_sample, wilson_interval
from dashboard.gateway import open_data as gateway
from dashboard.gateway import queries
from dashboard.open_data.cursor import encode_cursor
from dashboard.open_data.parameters import ResourceQuery
from dashboard.open_data.resources import CSV_LIST_SEPARATOR, OBSERVATIONS, Field, Resource

# -- values -----------------------------------------------------------------------------------


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp in UTC (SQLite hands them back without a zone; they are UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


#: Types JSON carries as they are (exactly these: a subclass goes the long way below).
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def json_value(value: Any) -> Any:
    """A value as JSON carries it: ISO dates, UTC timestamps ending in Z, no NaN."""
    # Most values of a record are text, whole numbers, booleans, nulls or floats: one lookup
    # of their type, not the chain of isinstance checks (it was most of a page's time).
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    if kind is float:
        return None if math.isnan(value) else value
    if isinstance(value, dt.datetime):
        moment = _utc(value)
        assert moment is not None
        return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    return value


def _csv_text_of(value: Any) -> str:
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return CSV_LIST_SEPARATOR.join(_csv_text_of(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: empty for null, true/false, lists joined with ";", and text a
    spreadsheet could run as a formula ("=HYPERLINK(...)") behind a leading "'" (numbers,
    such as -3.5, stay numbers: :mod:`dashboard.domain.csv_cells`)."""
    return str(safe_cell(_csv_text_of(value)))


def csv_text(fields: Sequence[Field], records: Iterable[Mapping[str, Any]]) -> str:
    """CSV with a header row, CRLF line ends (RFC 4180) and a UTF-8 byte-order mark, so that
    spreadsheet programs read the accents right (as the /download CSVs do)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(f.name for f in fields))
    for record in records:
        writer.writerow([csv_cell(record.get(f.name)) for f in fields])
    return "\ufeff" + buffer.getvalue()


def json_record(resource: Resource, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's columns, in the resource's order, as JSON values (nothing else leaks)."""
    return {f.name: json_value(record.get(f.name)) for f in resource.fields}


# -- observations: the honest record ----------------------------------------------------------


def proportion_interval(
    value: float | None, numerator: float | None, denominator: float | None, scale: str
) -> tuple[float, float] | None:
    """The 95% Wilson interval of a survey proportion, in its own scale (fraction or percent).

    From the agreeing count when it is there, else from the share times the responses.
    """
    if scale not in PROPORTION_SCALES or value is None or denominator is None or denominator <= 0:
        return None
    factor = 100.0 if scale == "percent" else 1.0
    share = value / factor
    successes = numerator
    if successes is None or not 0 <= successes <= denominator:
        if not 0 <= share <= 1:
            return None
        successes = share * denominator
    bounds = wilson_interval(successes, denominator)
    if bounds is None:
        return None
    return round(bounds[0] * factor, 6), round(bounds[1] * factor, 6)


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def observation_record(
    row: Mapping[str, Any],
    calendar: FiscalCalendar,
    *,
    small_sample_threshold: int,
    small_sample_policy: str,
    periods: dict[Period, tuple[str, int, int]] | None = None,
) -> dict[str, Any]:
    """One published observation as the API gives it.

    ``row`` holds the stored columns plus ``unit_slug``, ``unit_kind``, ``metric_code``,
    ``scale``, ``is_survey``, ``earlier_value`` and ``revised_at``. A null value is
    "not_reported" (never zero). A survey result with too few responses is flagged, and under
    the "suppress" policy everything that would reveal it (value, agreeing count, score,
    interval, earlier value) is withheld; the response count stays, as the reason.

    ``periods`` keeps each period's (label, fiscal year, quarter) across the rows of one page,
    which share a few periods (a label is a locale lookup, the costliest thing in a record).
    """
    value = _number(row.get("raw_value"))
    numerator = _number(row.get("numerator"))
    denominator = _number(row.get("denominator"))
    scale = row["scale"]
    is_survey = bool(row.get("is_survey"))
    small = value is not None and is_survey and is_small_sample(denominator, small_sample_threshold)
    suppressed = small and small_sample_policy == "suppress"
    earlier = _number(row.get("earlier_value"))
    revised = earlier is not None or row.get("revised_at") is not None
    period = Period(row["period_start"], row["period_end"], row["granularity"])
    terms = None if periods is None else periods.get(period)
    if terms is None:
        terms = (calendar.period_label(period), *calendar.quarter_of(period))
        if periods is not None:
            periods[period] = terms
    label, fiscal_year, quarter = terms
    interval = (
        proportion_interval(value, numerator, denominator, scale)
        if is_survey and not suppressed
        else None
    )
    if value is None:
        status = "not_reported"
    elif suppressed:
        status = "suppressed"
    else:
        status = "reported"
    return {
        "unit_slug": row["unit_slug"],
        "unit_kind": row["unit_kind"],
        "metric_code": row["metric_code"],
        "scale": scale,
        "granularity": row["granularity"],
        "period_start": row["period_start"],
        "period_end": row["period_end"],
        "period_label": label,
        "fiscal_year": fiscal_year,
        "fiscal_quarter": None if row["granularity"] == "fiscal_year" else quarter,
        "segment_type": row["segment_type"] or None,
        "segment_value": row["segment_value"] or None,
        "reporting_status": status,
        "value": None if suppressed else value,
        "numerator": None if suppressed else numerator,
        "denominator": denominator,
        "response_rate": _number(row.get("response_rate")),
        "score": None if suppressed or value is None else _number(row.get("score")),
        "ci_low": interval[0] if interval else None,
        "ci_high": interval[1] if interval else None,
        "small_sample": small,
        "series_break": bool(row.get("series_break")),
        "revised": revised and not suppressed,
        "earlier_value": None if suppressed else earlier,
        "revised_at": None if suppressed else row.get("revised_at"),
        "published_at": row.get("published_at"),
    }


def _observation_records(
    rows: Iterable[Mapping[str, Any]], settings: Settings
) -> list[dict[str, Any]]:
    calendar = FiscalCalendar.from_settings(settings)
    periods: dict[Period, tuple[str, int, int]] = {}
    return [
        observation_record(
            row,
            calendar,
            small_sample_threshold=settings.small_sample_threshold,
            small_sample_policy=settings.small_sample_policy,
            periods=periods,
        )
        for row in rows
    ]


def fetch_observations(
    database_url: str,
    filters: Mapping[str, Any],
    settings: Settings,
    *,
    limit: int | None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """(records on the page, total matching) of published observations, in the API's order
    (:data:`dashboard.gateway.open_data.KEY_COLUMNS`)."""
    rows, total = gateway.observation_rows(database_url, filters, limit=limit, offset=offset)
    return _observation_records(rows, settings), total


def fetch_keyset_page(
    database_url: str, resource: Resource, query: ResourceQuery, settings: Settings
) -> tuple[list[dict[str, Any]], str | None]:
    """(JSON records on the page, the cursor of the next page or None on the last) of a
    :attr:`Resource.keyset` resource: past the query's cursor, then its offset. The total is
    :func:`count`, apart: it depends on the filters only, so it is cached apart."""
    if resource is not OBSERVATIONS:
        raise AssertionError(f"{resource.name} is not paged by cursor")
    # One row more than the page tells whether there is a next page, without counting.
    rows = gateway.observation_page(
        database_url, query.filters, limit=query.limit + 1, offset=query.offset, after=query.after
    )
    following = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        following = encode_cursor(gateway.observation_key(rows[-1]), query.scope())
    records = _observation_records(rows, settings)
    return [json_record(resource, record) for record in records], following


def count(
    database_url: str,
    resource: Resource,
    filters: Mapping[str, Any],
    *,
    published_count: int | None = None,
) -> int:
    """How many published records of a :attr:`Resource.keyset` resource match ``filters``
    (``published_count``: the status row's, which spares a count of every row when there
    are no filters; :func:`dashboard.gateway.open_data.count_observations`)."""
    if resource is not OBSERVATIONS:
        raise AssertionError(f"{resource.name} is not paged by cursor")
    return gateway.count_observations(database_url, filters, published_count=published_count)


# -- the small resources ----------------------------------------------------------------------
# A few hundred rows each: loaded whole, filtered and paged in Python.


def _in(values: Sequence[Any] | None, value: Any) -> bool:
    return not values or value in values


def _keep(resource: str, record: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
    if resource == "units":
        return _in(filters.get("kind"), record["kind"]) and _in(
            filters.get("parent"), record["parent_slug"]
        )
    if resource == "metrics":
        return _in(filters.get("dimension"), record["dimension"])
    if resource == "targets":
        day = filters.get("in_force_on")
        in_force = day is None or (
            record["superseded_at"] is None
            and record["effective_from"] <= day
            and (record["effective_to"] is None or day <= record["effective_to"])
        )
        return (
            in_force
            and _in(filters.get("unit"), record["unit_slug"])
            and _in(filters.get("metric"), record["metric_code"])
        )
    if resource == "actions":
        metrics = filters.get("metric")
        return (
            _in(filters.get("unit"), record["unit_slug"])
            and _in(filters.get("status"), record["status"])
            and (not metrics or bool(set(metrics) & set(record["metric_codes"])))
        )
    if resource == "contact-points":
        return _in(filters.get("unit"), record["unit_slug"]) and _in(
            filters.get("channel"), record["channel"]
        )
    if resource == "closures":
        return _in(filters.get("unit"), record["unit_slug"])
    raise AssertionError(f"unknown resource {resource!r}")


_LOADERS: dict[str, Callable[[str], list[dict[str, Any]]]] = {
    "units": gateway.unit_rows,
    "metrics": queries.metrics,
    "targets": gateway.target_rows,
    "actions": queries.published_actions,
    "contact-points": gateway.contact_point_rows,
    "closures": gateway.closure_rows,
}


def fetch(
    database_url: str,
    resource: Resource,
    filters: Mapping[str, Any],
    settings: Settings,
    *,
    limit: int | None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """(JSON records on the page, total matching) for ``resource``; ``limit=None`` gives all."""
    if resource is OBSERVATIONS:
        records, total = fetch_observations(
            database_url, filters, settings, limit=limit, offset=offset
        )
    else:
        matching = [
            record
            for record in _LOADERS[resource.name](database_url)
            if _keep(resource.name, record, filters)
        ]
        total = len(matching)
        end = None if limit is None else offset + limit
        records = matching[offset:end]
    return [json_record(resource, record) for record in records], total
