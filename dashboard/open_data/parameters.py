"""Query parameters of the API: parsed and checked against the published catalogue, or
refused with a :class:`BadParameter` naming the parameter and its value (HTTP 400).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.gateway import open_data as gateway
from dashboard.infra.models import (
    SEGMENT_TYPES,
)
from dashboard.open_data.resources import (
    DEFAULT_LIMIT,
    FORMAT_PARAMETER,
    FORMATS,
    LIMIT_PARAMETER,
    MAX_LIMIT,
    METRICS,
    OFFSET_PARAMETER,
    OVERALL_SEGMENT,
    PAGING_PARAMETERS,
    UNITS,
    Parameter,
    Resource,
)

# -- errors and the parsed query -------------------------------------------------------------


class BadParameter(ValueError):
    """A query parameter the API cannot use: answered with HTTP 400 naming it and its value."""

    def __init__(self, parameter: str, value: str | None, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value
        self.message = message

    def as_json(self) -> dict[str, Any]:
        return {
            "error": {
                "status": 400,
                "code": "bad_parameter",
                "parameter": self.parameter,
                "value": self.value,
                "message": self.message,
            }
        }


def error_body(status: int, code: str, message: str, **details: Any) -> dict[str, Any]:
    """A JSON error in the same shape as :meth:`BadParameter.as_json`."""
    return {"error": {"status": status, "code": code, "message": message, **details}}


@dataclass(frozen=True)
class Lookups:
    """What parameter values may name: every unit and metric, and the published segments."""

    unit_slugs: frozenset[str]
    metric_codes: frozenset[str]
    segments: frozenset[tuple[str, str]]  # (segment_type, segment_value) of published rows


def load_lookups(database_url: str) -> Lookups:
    slugs, codes, segments = gateway.names_in_use(database_url)
    return Lookups(
        unit_slugs=frozenset(slugs), metric_codes=frozenset(codes), segments=frozenset(segments)
    )


@dataclass(frozen=True)
class ResourceQuery:
    """A validated request for one resource: its filters, the page asked for and the format."""

    resource: str
    filters: Mapping[str, Any] = field(default_factory=dict)
    #: The filters as the client should read them back (normalized text).
    echo: Mapping[str, Any] = field(default_factory=dict)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    format: str = "json"

    def query_string(self, offset: int | None = None, *, with_format: bool = False) -> str:
        """The canonical query string of this request, at ``offset``."""
        pairs: list[tuple[str, str]] = []
        for name, value in self.echo.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((name, str(item)) for item in values)
        pairs.append((LIMIT_PARAMETER, str(self.limit)))
        pairs.append((OFFSET_PARAMETER, str(self.offset if offset is None else offset)))
        if with_format:
            pairs.append((FORMAT_PARAMETER, self.format))
        return urlencode(pairs)


def _raw_values(args: Mapping[str, Sequence[str]], name: str) -> list[str]:
    """The values of a parameter: repeated (?unit=a&unit=b) or comma-separated (?unit=a,b)."""
    values: list[str] = []
    for raw in args.get(name, ()):
        values.extend(part.strip() for part in raw.split(","))
    return values


def _one_value(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    raw = list(args.get(name, ()))
    if not raw:
        return None
    if len(raw) > 1:
        raise BadParameter(name, ",".join(raw), f"give {name} only once")
    return raw[0].strip()


def _whole_number(name: str, raw: str | None, default: int, low: int, high: int | None) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, raw, f"{name} must be a whole number") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadParameter(name, raw, f"{name} must be {bound}")
    return value


def _iso_day(name: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, raw, f"{name} must be a date written YYYY-MM-DD") from None


def _check_filter(
    parameter: Parameter, raw: str, lookups: Lookups, calendar: FiscalCalendar
) -> tuple[Any, str]:
    """(value to filter on, normalized text to echo) for one value of a filter."""
    name = parameter.name
    if raw == "":
        raise BadParameter(name, raw, f"{name} is empty")
    if parameter.kind == "unit":
        if raw not in lookups.unit_slugs:
            raise BadParameter(name, raw, f"no unit has the slug {raw!r}; see {UNITS.path}")
        return raw, raw
    if parameter.kind == "metric":
        if raw not in lookups.metric_codes:
            raise BadParameter(name, raw, f"no metric has the code {raw!r}; see {METRICS.path}")
        return raw, raw
    if parameter.kind == "choice":
        if raw not in parameter.allowed:
            raise BadParameter(name, raw, f"{name} must be one of {', '.join(parameter.allowed)}")
        return raw, raw
    if parameter.kind == "date":
        day = _iso_day(name, raw)
        return day, day.isoformat()
    if parameter.kind == "period":
        try:
            period = calendar.parse_period(raw)
        except ValueError as error:
            raise BadParameter(name, raw, str(error)) from None
        return period, calendar.period_label(period)
    if parameter.kind == "segment":
        return _segment(name, raw, lookups)
    raise AssertionError(f"unknown parameter kind {parameter.kind!r}")


def _segment(name: str, raw: str, lookups: Lookups) -> tuple[tuple[str, str | None], str]:
    """("", "") for overall, (type, None) for every value of a type, (type, value) for one."""
    if raw == OVERALL_SEGMENT:
        return ("", ""), raw
    kind, _, value = raw.partition(":")
    kinds = tuple(k for k in SEGMENT_TYPES if k)
    if kind not in kinds:
        raise BadParameter(
            name,
            raw,
            f"segment must be {OVERALL_SEGMENT}, one of {', '.join(kinds)}, or type:value",
        )
    if not value:
        return (kind, None), kind
    if (kind, value) not in lookups.segments:
        known = sorted(v for k, v in lookups.segments if k == kind)
        raise BadParameter(
            name, raw, f"no published figure has the {kind} {value!r}; known: {', '.join(known)}"
        )
    return (kind, value), f"{kind}:{value}"


def parse_query(
    resource: Resource,
    args: Mapping[str, Sequence[str]],
    lookups: Lookups,
    calendar: FiscalCalendar,
    *,
    path_format: str | None = None,
) -> ResourceQuery:
    """Validate a request's query string for ``resource``; raises :class:`BadParameter`.

    Unknown parameters are refused rather than ignored: a misspelt filter (``?units=dmv``)
    silently answering with every row would be worse than an error.
    """
    known = {p.name for p in resource.parameters} | set(PAGING_PARAMETERS)
    for name in args:
        if name not in known:
            raise BadParameter(
                name,
                ",".join(args[name]),
                f"{resource.path} takes no parameter {name!r}; it takes {', '.join(sorted(known))}",
            )
    filters: dict[str, Any] = {}
    echo: dict[str, Any] = {}
    for parameter in resource.parameters:
        if parameter.repeatable:
            raws = _raw_values(args, parameter.name)
        else:
            one = _one_value(args, parameter.name)
            raws = [] if one is None else [one]
        if not raws:
            continue
        checked = [_check_filter(parameter, raw, lookups, calendar) for raw in raws]
        if parameter.repeatable:
            filters[parameter.name] = [value for value, _label in checked]
            echo[parameter.name] = list(dict.fromkeys(text for _value, text in checked))
        else:
            filters[parameter.name], echo[parameter.name] = checked[0]
    start, end = filters.get("from"), filters.get("to")
    if start is not None and end is not None and start > end:
        raise BadParameter("from", echo["from"], "from must not be after to")
    limit = _whole_number(
        LIMIT_PARAMETER, _one_value(args, LIMIT_PARAMETER), DEFAULT_LIMIT, 1, MAX_LIMIT
    )
    offset = _whole_number(OFFSET_PARAMETER, _one_value(args, OFFSET_PARAMETER), 0, 0, None)
    requested = _one_value(args, FORMAT_PARAMETER)
    if requested is not None and requested not in FORMATS:
        raise BadParameter(
            FORMAT_PARAMETER, requested, f"format must be one of {', '.join(FORMATS)}"
        )
    if path_format is not None and requested is not None and requested != path_format:
        raise BadParameter(
            FORMAT_PARAMETER, requested, f"the path asks for {path_format}, format for {requested}"
        )
    return ResourceQuery(
        resource=resource.name,
        filters=filters,
        echo=echo,
        limit=limit,
        offset=offset,
        format=path_format or requested or "json",
    )
