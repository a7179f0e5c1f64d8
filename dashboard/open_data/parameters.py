"""Query parameters of the API: parsed and checked against the published catalogue, or
refused with a :class:`BadParameter` naming the parameter and its value (HTTP 400).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import urlencode

from dashboard.domain.fiscal import FiscalCalendar, Period
from dashboard.gateway import open_data as gateway
from dashboard.infra.models import (
    SEGMENT_TYPES,
)
from dashboard.open_data.cursor import CursorError, decode_cursor
from dashboard.open_data.resources import (
    CURSOR_PARAMETER,
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

# -- the rules a value must follow (the OpenAPI document states the same ones) --------------

#: The deepest page an ``offset`` may ask for. An offset steps over every row before it, so
#: its cost grows with its depth (about 0.9 s at 9 million rows on PostgreSQL, bench/scale.py):
#: bounded, a request costs the same however big the store grows. The observations page
#: deeper by ``cursor`` (their next links carry one: any depth at once); every other resource
#: is far smaller than this; the whole data set is one file away (the ZIP) anyway.
MAX_OFFSET = 100_000
#: Most values one filter may take: each becomes a condition in the query, and SQLite refuses
#: statements past a few hundred OR-ed terms or thousands of bound values.
MAX_VALUES = 50

#: Years a date or period may name: four digits, and far enough either way for any record
#: (year 0 or 10000 has no date; a bound keeps both databases' date types in range).
_YEAR = "[12][0-9]{3}"
_FY_PREFIX = "(?:[Ff][Yy]|[Aa][Ff]|[Ee][Ff])"
_QUARTER = "[QqTt][1-4]"
#: One segment value: no comma (it separates values), no control character, and no space at
#: either end.
_SEGMENT_VALUE = r"[^,\x00-\x20\x7f](?:[^,\x00-\x1f\x7f]*[^,\x00-\x20\x7f])?"
_SEGMENT_VALUE_LENGTH = 120  # Observation.segment_value


@dataclass(frozen=True)
class ValueRule:
    """What one value of a filter must look like: a regular expression the whole value matches
    (JSON Schema's ``pattern``, anchored) and a length; said in words for the 400."""

    pattern: str  # unanchored: :attr:`anchored` is the JSON Schema form
    max_length: int
    words: str

    @property
    def anchored(self) -> str:
        return f"^(?:{self.pattern})$"

    def matches(self, value: str) -> bool:
        return len(value) <= self.max_length and re.fullmatch(self.pattern, value) is not None


#: By :attr:`Parameter.kind` (a "choice" has its list of values instead).
VALUE_RULES: dict[str, ValueRule] = {
    # Slugs are made by data/values.slugify and checked by data/content/parsing.
    "unit": ValueRule(
        "[a-z0-9]+(?:-[a-z0-9]+)*",
        120,  # Unit.slug
        "a unit slug: lower-case letters and digits, words joined by hyphens",
    ),
    # As data/content/metrics.parse_metric_code checks them.
    "metric": ValueRule(
        r"[A-Za-z0-9][A-Za-z0-9_.\-]*",
        80,  # Metric.code
        "a metric code: letters, digits, '_', '.' and '-'",
    ),
    "period": ValueRule(
        f"{_FY_PREFIX}?{_YEAR}(?: ?{_QUARTER})?|{_QUARTER} {_FY_PREFIX}?{_YEAR}"
        f"|{_YEAR}-(?:0[1-9]|1[0-2])",
        9,
        "a fiscal year (FY2025), a fiscal quarter (FY2025 Q2) or a month (2025-03), "
        "years 1000 to 2999",
    ),
    "date": ValueRule(
        f"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])",
        10,
        "a date written YYYY-MM-DD, years 1000 to 2999",
    ),
    "segment": ValueRule(
        f"{OVERALL_SEGMENT}|(?:{'|'.join(k for k in SEGMENT_TYPES if k)})(?::{_SEGMENT_VALUE})?",
        max(len(k) for k in SEGMENT_TYPES) + 1 + _SEGMENT_VALUE_LENGTH,
        f"{OVERALL_SEGMENT}, a segment type ({', '.join(k for k in SEGMENT_TYPES if k)}) "
        "or type:value",
    ),
}

#: A whole number as a query string writes it (an optional minus, then digits only).
_WHOLE_NUMBER = re.compile("-?[0-9]+")
#: Digits past which a number is out of every bound without reading it.
_MAX_DIGITS = 20


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


class LookupSource(Protocol):
    """What :func:`parse_query` checks names against: :class:`Lookups`, or
    :class:`LazyLookups`, which reads each part only when a parameter names something in it."""

    @property
    def unit_slugs(self) -> frozenset[str]: ...

    @property
    def metric_codes(self) -> frozenset[str]: ...

    @property
    def segments(self) -> frozenset[tuple[str, str]]: ...


#: (unit slugs, metric codes) the public may name.
Names = tuple[frozenset[str], frozenset[str]]


class LazyLookups:
    """:class:`Lookups` read on first need, in two parts: the unit and metric names (two small
    tables) and the published segments (a walk of an index). A request naming no unit, metric
    or segment value (a plain page, a ``cursor`` page) reads neither; one naming a unit and a
    metric reads only the names."""

    def __init__(
        self, names: Callable[[], Names], segments: Callable[[], frozenset[tuple[str, str]]]
    ) -> None:
        self._load_names = names
        self._load_segments = segments

    @cached_property
    def _names(self) -> Names:
        return self._load_names()

    @property
    def unit_slugs(self) -> frozenset[str]:
        return self._names[0]

    @property
    def metric_codes(self) -> frozenset[str]:
        return self._names[1]

    @cached_property
    def segments(self) -> frozenset[tuple[str, str]]:
        return self._load_segments()


def load_names(database_url: str) -> Names:
    """The unit slugs and metric codes the public may name (the first part of the lookups)."""
    slugs, codes = gateway.unit_and_metric_names(database_url)
    return frozenset(slugs), frozenset(codes)


def load_segments(database_url: str) -> frozenset[tuple[str, str]]:
    """The published (segment type, segment value) pairs (the second part of the lookups)."""
    return frozenset(gateway.published_segments(database_url))


def load_lookups(database_url: str) -> Lookups:
    slugs, codes = load_names(database_url)
    return Lookups(unit_slugs=slugs, metric_codes=codes, segments=load_segments(database_url))


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
    #: The ``cursor`` as given (the page starts past the row it names), and that row's key.
    cursor: str | None = None
    after: gateway.ObservationKey | None = None

    def _filter_pairs(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for name, value in self.echo.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((name, str(item)) for item in values)
        return pairs

    def scope(self) -> str:
        """The resource and its filters, normalized, without the paging: what a cursor is
        given for, and what the total count is cached by."""
        return f"{self.resource}?{urlencode(self._filter_pairs())}"

    def query_string(
        self, offset: int | None = None, *, cursor: str | None = None, with_format: bool = False
    ) -> str:
        """The canonical query string of this request, at ``offset``, or at ``cursor``
        (by default where this request starts: its cursor or its offset)."""
        pairs = self._filter_pairs()
        pairs.append((LIMIT_PARAMETER, str(self.limit)))
        if cursor is None and offset is None and self.cursor is not None:
            cursor = self.cursor
        if cursor is not None:
            pairs.append((CURSOR_PARAMETER, cursor))
        else:
            pairs.append((OFFSET_PARAMETER, str(self.offset if offset is None else offset)))
        if with_format:
            pairs.append((FORMAT_PARAMETER, self.format))
        return urlencode(pairs)


def _raw_values(args: Mapping[str, Sequence[str]], name: str) -> list[str]:
    """The values of a parameter: repeated (?unit=a&unit=b) or comma-separated (?unit=a,b).

    A value is taken as written; only around the commas of a list are spaces ignored
    (``?unit=dmv, parks``). More than :data:`MAX_VALUES` is a 400.
    """
    values: list[str] = []
    for raw in args.get(name, ()):
        if "," in raw:
            values.extend(part.strip() for part in raw.split(","))
        else:
            values.append(raw)
    if len(values) > MAX_VALUES:
        raise BadParameter(
            name,
            ",".join(args.get(name, ())),
            f"{name} takes at most {MAX_VALUES} values, not {len(values)}",
        )
    return values


def _one_value(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    raw = list(args.get(name, ()))
    if not raw:
        return None
    if len(raw) > 1:
        raise BadParameter(name, ",".join(raw), f"give {name} only once")
    return raw[0]


def _whole_number(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    """``raw`` as a whole number from ``low`` to ``high``; ``default`` when not given."""
    if raw is None:
        return default
    bounds = f"a whole number from {low} to {high}"
    if _WHOLE_NUMBER.fullmatch(raw) is None:
        raise BadParameter(name, raw, f"{name} must be {bounds}, not {raw!r}")
    # A thousand-digit number needs no reading to be out of bounds (and int() refuses one of
    # more than 4,300 digits, leading zeros included).
    digits = raw.lstrip("-").lstrip("0") or "0"
    value = None
    if len(digits) <= _MAX_DIGITS:
        value = -int(digits) if raw.startswith("-") else int(digits)
    if value is None or not low <= value <= high:
        raise BadParameter(name, raw, f"{name} must be {bounds}, not {raw}")
    return value


def _iso_day(name: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, raw, f"{name} {raw!r} is not a day of the calendar") from None


def api_period_label(calendar: FiscalCalendar, period: Period) -> str:
    """A period as the API writes it back (in ``meta.query`` and the paging links): "FY2025",
    "FY2025 Q2" or "2025-03", whatever the configured label style, so that every label it
    gives is one it accepts (a state-style "FY2024-25" is not: years are named by their end)."""
    if period.granularity == "month":
        return f"{period.start.year:04d}-{period.start.month:02d}"
    if period.granularity == "quarter":
        year, quarter = calendar.quarter_of(period)
        return f"FY{year} Q{quarter}"
    return f"FY{calendar.fiscal_year_of(period)}"


def _check_filter(
    parameter: Parameter, raw: str, lookups: LookupSource, calendar: FiscalCalendar
) -> tuple[Any, str]:
    """(value to filter on, normalized text to echo) for one value of a filter."""
    name = parameter.name
    if raw == "":
        raise BadParameter(name, raw, f"{name} is empty")
    if parameter.kind == "choice":
        if raw not in parameter.allowed:
            raise BadParameter(name, raw, f"{name} must be one of {', '.join(parameter.allowed)}")
        return raw, raw
    rule = VALUE_RULES.get(parameter.kind)
    if rule is None:
        raise AssertionError(f"unknown parameter kind {parameter.kind!r}")
    if not rule.matches(raw):
        raise BadParameter(name, raw, f"{name} must be {rule.words}, not {raw!r}")
    # Well formed; now it must name something (published).
    if parameter.kind == "unit":
        if raw not in lookups.unit_slugs:
            raise BadParameter(name, raw, f"no unit has the slug {raw!r}; see {UNITS.path}")
        return raw, raw
    if parameter.kind == "metric":
        if raw not in lookups.metric_codes:
            raise BadParameter(name, raw, f"no metric has the code {raw!r}; see {METRICS.path}")
        return raw, raw
    if parameter.kind == "date":
        day = _iso_day(name, raw)
        return day, day.isoformat()
    if parameter.kind == "period":
        try:
            period = calendar.parse_period(raw)
        except ValueError as error:
            raise BadParameter(name, raw, str(error)) from None
        return period, api_period_label(calendar, period)
    return _segment(name, raw, lookups)


def _segment(name: str, raw: str, lookups: LookupSource) -> tuple[tuple[str, str | None], str]:
    """("", "") for overall, (type, None) for every value of a type, (type, value) for one.

    ``raw`` follows :data:`VALUE_RULES` ["segment"]; a value must be one that published
    figures have, and the 400 lists only those: never a draft's.
    """
    if raw == OVERALL_SEGMENT:
        return ("", ""), raw
    kind, _, value = raw.partition(":")
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
    lookups: LookupSource,
    calendar: FiscalCalendar,
    *,
    path_format: str | None = None,
) -> ResourceQuery:
    """Validate a request's query string for ``resource``; raises :class:`BadParameter`.

    Unknown parameters are refused rather than ignored: a misspelt filter (``?units=dmv``)
    silently answering with every row would be worse than an error.
    """
    known = {p.name for p in resource.parameters} | set(PAGING_PARAMETERS)
    if resource.keyset:
        known.add(CURSOR_PARAMETER)
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
    try:
        offset = _whole_number(
            OFFSET_PARAMETER, _one_value(args, OFFSET_PARAMETER), 0, 0, MAX_OFFSET
        )
    except BadParameter as error:
        if not resource.keyset:
            raise
        raise BadParameter(
            error.parameter,
            error.value,
            f"{error.message}: deeper pages are found by cursor (follow meta.links.next, "
            "which carries one)",
        ) from None
    query = ResourceQuery(
        resource=resource.name,
        filters=filters,
        echo=echo,
        limit=limit,
        offset=offset,
        format=requested_format(args, path_format),
    )
    cursor = _one_value(args, CURSOR_PARAMETER)
    if cursor is None:
        return query
    if args.get(OFFSET_PARAMETER):
        raise BadParameter(
            CURSOR_PARAMETER, cursor, "cursor takes the place of offset: give one of them"
        )
    return dataclasses.replace(query, cursor=cursor, after=_cursor_key(cursor, query.scope()))


def _cursor_key(cursor: str, scope: str) -> gateway.ObservationKey:
    """The key of the row a ``cursor`` names, if this API gave it for these filters."""
    if cursor == "":
        raise BadParameter(CURSOR_PARAMETER, cursor, "cursor is empty")
    try:
        return decode_cursor(cursor, scope)
    except CursorError as error:
        raise BadParameter(
            CURSOR_PARAMETER,
            cursor,
            f"cursor is not one this API gave for these filters ({error}): follow "
            "meta.links.next (JSON) or the Link header (CSV) from a first page",
        ) from None


def requested_format(args: Mapping[str, Sequence[str]], path_format: str | None) -> str:
    """``json`` or ``csv``: the ``format`` parameter (given once) or the path's ``.csv``, which
    must agree with it."""
    requested = _one_value(args, FORMAT_PARAMETER)
    if requested is not None and requested not in FORMATS:
        raise BadParameter(
            FORMAT_PARAMETER, requested, f"format must be one of {', '.join(FORMATS)}"
        )
    if path_format is not None and requested is not None and requested != path_format:
        raise BadParameter(
            FORMAT_PARAMETER, requested, f"the path asks for {path_format}, format for {requested}"
        )
    return path_format or requested or "json"
