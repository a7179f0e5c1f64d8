"""Mappings: a small TOML file that says how someone else's table becomes cxdash observations.

The format is documented, with worked examples, in docs/mappings.md; this module reads and
checks it. A mapping names:

- ``[file]``: how to read the file (delimiter, sheet, lines to skip, decimal mark, the
  markers that mean "not reported", the date format);
- ``[columns]``: which column holds each *row field* (agency, service, metric, the period,
  the segment, series break, internal note);
- ``[constants]``: row fields fixed for the whole file (the metric code, the segment);
- ``[lookup.<field>]``: translations from the file's words to cxdash's (a question's
  wording to a metric code, "Telephone" to the channel ``phone``);
- ``[[measures]]``: one or more values per row, each with its value / volume / target columns
  and the format the file writes them in;
- ``[wide]``: for files with one column per period, the periods and the text that
  replaces ``{period}`` in the measures' column names;
- ``[transposed]``: for files with measures in rows and periods in columns (an enterprise
  totals sheet), the period columns (listed, or every header that reads as a period);
- ``[service]``: a service (or service standard) identified by a key joined from several
  columns, with its name from a template such as ``"{service_name}: {standard}"``;
- ``[metrics.<code>]``: definitions of metrics to create when ``create_missing = true``.

The project's own long format (docs/import-format.md) is the built-in mapping returned by
:func:`long_format_mapping`.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dashboard.core import languages
from dashboard.domain.fiscal import FiscalCalendar, Period
from dashboard.infra.models import COMPARATORS, GRANULARITIES, SEGMENT_TYPES
from data.readers import header_key
from data.store import check_metric_definition
from data.values import DEFAULT_MISSING_MARKERS, TIME_FACTORS_SECONDS, MissingMarkers

#: Row fields: what identifies an observation, plus flags shared by every measure of a row.
ROW_FIELDS = (
    "agency",
    "service",
    "metric",
    "period",
    "period_start",
    "period_end",
    "fiscal_year",
    "quarter",
    "month",
    "granularity",
    "segment_type",
    "segment_value",
    "series_break",
    "note",
)

#: Measure keys that name columns ("{period}" is replaced in a wide layout).
MEASURE_COLUMNS = (
    "value",
    "numerator",
    "denominator",
    "response_rate",
    "target",
    "target_text",
    "target_comparator_column",
)
#: Measure keys ``promise_<language>`` (one per configured language) also name columns: the
#: service promise in that language.
PROMISE_PREFIX = "promise_"

#: Measure keys that are settings, not columns.
MEASURE_SETTINGS = (
    "metric",
    "metric_codes",
    "value_format",
    "response_rate_format",
    "target_format",
    "target_comparator",
    "segment_type",
    "segment_value",
    "on_invalid",
)

#: What to do with a value cell that cannot be true (more met than received, a share above
#: 100%, a negative count, text that is not a number): "problem" (the default: the file is
#: refused) or "not_reported" (stored as not reported, its reason kept and listed).
ON_INVALID = ("problem", "not_reported")

#: What to do with a text longer than the store's column: "problem" (default) or "truncate"
#: (cut to the column's length, ending with "…", each listed in the report).
LONG_TEXT = ("problem", "truncate")

#: The agency text that means the enterprise itself (the unit above every agency).
ENTERPRISE_MARKER = "@enterprise"

#: Longest code the store keeps for a unit (Unit.code): a longer joined key is shortened
#: to its beginning and a hash of the whole key.
UNIT_CODE_LENGTH = 40

_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")

#: Formats a file may write values in: "auto" (the metric's own scale; "81%" is a percentage)
#: or a scale name.
VALUE_FORMATS = (
    "auto",
    "fraction",
    "percent",
    "mean_1_5",
    "score_0_10",
    *TIME_FACTORS_SECONDS,
    "business_days",
    "count",
)

_TOP_LEVEL = {
    "name",
    "description",
    "layout",
    "create_missing",
    "file",
    "columns",
    "constants",
    "lookup",
    "measures",
    "wide",
    "transposed",
    "service",
    "metrics",
    "ignore",
    "on_invalid",
    "long_text",
}
_SERVICE_KEYS = {"key", "key_separator"}  # and name_<language> templates
_FILE_KEYS = {"delimiter", "sheet", "skip_rows", "decimal", "missing", "date_format", "encoding"}


class MappingError(ValueError):
    """A mapping file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class Measure:
    """One value taken from each row: which metric, which columns, in which format."""

    metric: str | None = None
    #: Row metric text (case-insensitive) -> metric code, for this measure only: the measure
    #: applies to the rows whose metric is listed and skips the others.
    metric_codes: dict[str, str] | None = None
    value: str | None = None
    value_format: str = "auto"
    numerator: str | None = None
    denominator: str | None = None
    response_rate: str | None = None
    response_rate_format: str = "auto"
    target: str | None = None
    target_format: str = "auto"
    target_text: str | None = None
    target_comparator: str | None = None
    target_comparator_column: str | None = None
    #: ``(promise_<language>, column)``: the columns holding the service promise, by language.
    promises: tuple[tuple[str, str], ...] = ()
    segment_type: str | None = None
    segment_value: str | None = None
    #: None: the mapping's ``on_invalid``.
    on_invalid: str | None = None

    def columns(self) -> dict[str, str]:
        """Measure key -> column name, for the keys that name a column."""
        plain = {
            key: getattr(self, key) for key in MEASURE_COLUMNS if getattr(self, key) is not None
        }
        return {**plain, **dict(self.promises)}

    def promise_column(self, language: str) -> str | None:
        return dict(self.promises).get(f"{PROMISE_PREFIX}{language}")

    def for_period(self, label: str) -> Measure:
        replaced = {key: name.replace("{period}", label) for key, name in self.columns().items()}
        promises = tuple((key, replaced[key]) for key, _ in self.promises)
        plain = {key: name for key, name in replaced.items() if key in MEASURE_COLUMNS}
        return Measure(**{**self.__dict__, **plain, "promises": promises})


@dataclass(frozen=True)
class WidePeriod:
    label: str
    #: A quarter (1-4) or calendar month (1-12) of the row's fiscal year, or a fixed period.
    number: int | None
    fixed: Period | None


@dataclass(frozen=True)
class ServiceKey:
    """A service identified by several columns (service id + standard id), not by its name."""

    #: The columns whose cells, joined with ``separator``, are the service's code.
    columns: tuple[str, ...]
    #: ``(language, template)``: templates over columns ("{service_name_en}: {service_std_en}")
    #: for a new service's name in each language (``name_<language>`` in the mapping).
    names: tuple[tuple[str, str], ...] = ()
    separator: str = "-"

    def template_columns(self) -> set[str]:
        names: set[str] = set()
        for _language, template in self.names:
            if template:
                names.update(template_fields(template))
        return names

    def code(self, parts: list[str]) -> str:
        """The unit code for these key cells; a stable hash keeps a long one within the limit."""
        joined = self.separator.join(parts)
        if len(joined) <= UNIT_CODE_LENGTH:
            return joined
        digest = hashlib.sha256(joined.encode("utf-8")).hexdigest()[:8]
        return f"{joined[: UNIT_CODE_LENGTH - 9]}~{digest}"


def template_fields(template: str) -> list[str]:
    """The column names a template such as ``"{service_name}: {standard}"`` reads."""
    return [name.strip() for name in _TEMPLATE_FIELD.findall(template)]


def render_template(template: str, value_of: Any) -> str:
    """The template with each ``{column}`` replaced by ``value_of(column)``, spaces tidied.

    Separators left dangling by an empty cell (``"Passports: "``) are trimmed.
    """
    text = _TEMPLATE_FIELD.sub(lambda match: value_of(match.group(1).strip()), template)
    return " ".join(text.split()).strip(" :;,-–—/|")


@dataclass(frozen=True)
class Mapping:
    name: str
    description: str = ""
    layout: str = "long"
    #: True: create agencies, services and defined metrics the file names; "services":
    #: services (standards) and defined metrics, never an agency; False: nothing.
    create_missing: bool | str = False
    delimiter: str = "auto"
    sheet: str | None = None
    skip_rows: int = 0
    decimal: str = "."
    encoding: str | None = None
    missing: MissingMarkers = field(default_factory=MissingMarkers)
    date_format: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    lookups: dict[str, dict[str, str]] = field(default_factory=dict)
    measures: tuple[Measure, ...] = ()
    wide_granularity: str | None = None
    wide_periods: tuple[WidePeriod, ...] = ()
    #: Transposed layout: the period columns are every header that reads as a period.
    periods_from_header: bool = False
    service_key: ServiceKey | None = None
    on_invalid: str = "problem"
    long_text: str = "problem"
    metric_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    #: True for the built-in long format: optional columns are used only when present.
    builtin: bool = False
    #: The mapping as read, kept with the import run.
    raw: dict[str, Any] = field(default_factory=dict)

    def used_columns(self) -> set[str]:
        """Every column name the mapping reads (before ``{period}`` expansion)."""
        names = set(self.columns.values())
        for measure, _ in self.expanded_measures():
            names.update(measure.columns().values())
        if self.service_key is not None:
            names.update(self.service_key.columns)
            names.update(self.service_key.template_columns())
        return names

    @property
    def creates_agencies(self) -> bool:
        return self.create_missing is True

    @property
    def creates_services(self) -> bool:
        """Services and the metrics defined under [metrics] (``true`` or ``"services"``)."""
        return self.create_missing is True or self.create_missing == "services"

    @property
    def has_period_columns(self) -> bool:
        """True for layouts with one column per period (wide and transposed)."""
        return self.layout in ("wide", "transposed")

    def on_invalid_for(self, measure: Measure) -> str:
        return measure.on_invalid or self.on_invalid

    def with_header_periods(self, header: list[str], calendar: FiscalCalendar) -> Mapping:
        """A transposed mapping with ``periods = "from_header"``: the period columns found.

        Every header that reads as a period of the layout's granularity (``FY2023``,
        ``2023-24``, ``2024 Q1``) and is not a row field column becomes a period column.
        """
        if not self.periods_from_header:
            return self
        taken = {header_key(name) for name in self.columns.values()} | {
            header_key(name) for name in self.ignore
        }
        periods = []
        for name in header:
            if not name or header_key(name) in taken:
                continue
            try:
                period = calendar.parse_period(name)
            except ValueError:
                continue
            if self.wide_granularity in (None, period.granularity):
                periods.append(WidePeriod(name, None, period))
        return replace(self, wide_periods=tuple(periods))

    def expanded_measures(self) -> list[tuple[Measure, WidePeriod | None]]:
        """Each measure once (long), or once per period with ``{period}`` filled in (wide)."""
        if not self.has_period_columns:
            return [(measure, None) for measure in self.measures]
        return [
            (measure.for_period(period.label), period)
            for period in self.wide_periods
            for measure in self.measures
        ]

    def lookup(self, field_name: str, text: str) -> str:
        table = self.lookups.get(field_name)
        if not table:
            return text
        return table.get(_fold(text), text)


# -- the built-in long format -------------------------------------------------------------

#: Columns of the long format (docs/import-format.md), in the documented order; the promise
#: columns ``promise_<language>`` of every configured language follow ``target_text``
#: (:func:`long_format_columns`).
LONG_FORMAT_COLUMNS = (
    "agency",
    "service",
    "metric",
    "period",
    "period_start",
    "period_end",
    "granularity",
    "segment_type",
    "segment_value",
    "value",
    "numerator",
    "denominator",
    "response_rate",
    "target",
    "target_comparator",
    "target_text",
    "series_break",
    "note",
)


def long_format_columns() -> tuple[str, ...]:
    """:data:`LONG_FORMAT_COLUMNS` with the promise column of each configured language."""
    at = LONG_FORMAT_COLUMNS.index("target_text") + 1
    promises = tuple(f"{PROMISE_PREFIX}{code}" for code in languages.content_languages())
    return (*LONG_FORMAT_COLUMNS[:at], *promises, *LONG_FORMAT_COLUMNS[at:])


_LONG_ROW_FIELDS = (
    "agency",
    "service",
    "metric",
    "period",
    "period_start",
    "period_end",
    "granularity",
    "segment_type",
    "segment_value",
    "series_break",
    "note",
)


def long_format_mapping(header: list[str]) -> Mapping:
    """The mapping of the project's own long format, for the columns present in ``header``."""
    present = {header_key(name): name for name in header}
    columns = {name: present[name] for name in _LONG_ROW_FIELDS if name in present}
    # Measure's column fields (str) by keyword; typed Any as Measure also has non-str fields.
    measure_columns: dict[str, Any] = {
        key: present[name]
        for key, name in (
            ("value", "value"),
            ("numerator", "numerator"),
            ("denominator", "denominator"),
            ("response_rate", "response_rate"),
            ("target", "target"),
            ("target_comparator_column", "target_comparator"),
            ("target_text", "target_text"),
        )
        if name in present
    }
    promises = tuple(
        (key, present[key])
        for key in (f"{PROMISE_PREFIX}{code}" for code in languages.content_languages())
        if key in present
    )
    return Mapping(
        name="cxdash long format",
        columns=columns,
        measures=(Measure(**measure_columns, promises=promises),),
        builtin=True,
    )


# -- reading a mapping file ---------------------------------------------------------------


def load_mapping(path: Path, calendar: FiscalCalendar) -> Mapping:
    """Read and check a mapping file; raises :class:`MappingError` listing every problem."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise MappingError(str(path), [f"cannot read the mapping: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise MappingError(str(path), [f"not valid TOML: {error}"]) from None
    return parse_mapping(raw, calendar, source=str(path))


def parse_mapping(
    raw: dict[str, Any], calendar: FiscalCalendar, source: str = "mapping"
) -> Mapping:
    """The mapping a TOML table describes; every problem in it at once, as a MappingError."""
    problems: list[str] = []
    options = _options(raw, problems)
    file_options = _file_options(raw, problems)
    columns = _columns(raw, problems)
    constants = _constants(raw, columns, problems)
    lookups = _lookups(raw, problems)
    definitions = _metric_definitions(raw, problems)
    service_key = _service_key(raw.get("service"), columns, constants, problems)
    layout = options.layout
    measures = _measures(_layout_measures(raw.get("measures"), layout), problems)
    periods = _layout_periods(raw, layout, calendar, columns, constants, problems)
    problems.extend(_period_column_problems(measures, layout))
    if layout != "transposed" and "transposed" in raw:
        problems.append('[transposed] is only used with layout = "transposed"')
    problems.extend(_metric_problems(measures, columns, constants))
    if "agency" not in columns and "agency" not in constants:
        problems.append(
            "no agency: map an agency column or set an agency constant "
            f'(agency = "{ENTERPRISE_MARKER}" for the enterprise itself)'
        )
    if layout not in ("wide", "transposed"):
        problems.extend(_period_problems(columns, constants))
    ignore = _ignore(raw, problems)

    if problems:
        raise MappingError(source, problems)
    assert options.name is not None
    return Mapping(
        name=options.name,
        description=str(raw.get("description", "")),
        layout=layout,
        create_missing=options.create_missing,
        delimiter=file_options.delimiter,
        sheet=file_options.sheet,
        skip_rows=file_options.skip_rows,
        decimal=file_options.decimal,
        encoding=file_options.encoding,
        missing=MissingMarkers(file_options.missing),
        date_format=file_options.date_format,
        columns=columns,
        constants=constants,
        lookups=lookups,
        measures=tuple(measures),
        wide_granularity=periods.granularity,
        wide_periods=periods.periods,
        periods_from_header=periods.from_header,
        service_key=service_key,
        on_invalid=options.on_invalid,
        long_text=options.long_text,
        metric_definitions=definitions,
        ignore=tuple(ignore),
        raw=raw,
    )


@dataclass(frozen=True)
class _Options:
    """The mapping's top-level settings (``name`` is None when it is missing: a problem)."""

    name: str | None
    layout: str
    on_invalid: str
    long_text: str
    create_missing: bool | str


@dataclass(frozen=True)
class _FileOptions:
    """How to read the file: the ``[file]`` table."""

    delimiter: str
    decimal: str
    skip_rows: int
    missing: list[str]
    sheet: str | None
    encoding: str | None
    date_format: str | None


@dataclass(frozen=True)
class _Periods:
    """Where a wide or transposed file's periods are (nothing for a long file)."""

    granularity: str | None = None
    periods: tuple[WidePeriod, ...] = ()
    from_header: bool = False


def _text(value: Any, where: str, problems: list[str]) -> str | None:
    """A scalar TOML value as text; anything else is a problem (and None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(f"{where} must be text")
        return None
    return str(value)


def _options(raw: dict[str, Any], problems: list[str]) -> _Options:
    unknown = sorted(set(raw) - _TOP_LEVEL)
    if unknown:
        problems.append(f"unknown top-level key(s): {', '.join(unknown)}")
    name = _text(raw.get("name"), "name", problems)
    if not name:
        problems.append("name is required (a short title for reports)")
    layout = raw.get("layout", "long")
    if layout not in ("long", "wide", "transposed"):
        problems.append('layout must be "long", "wide" or "transposed"')
    on_invalid = raw.get("on_invalid", "problem")
    if on_invalid not in ON_INVALID:
        problems.append(f"on_invalid must be one of {', '.join(map(repr, ON_INVALID))}")
        on_invalid = "problem"
    long_text = raw.get("long_text", "problem")
    if long_text not in LONG_TEXT:
        problems.append(f"long_text must be one of {', '.join(map(repr, LONG_TEXT))}")
        long_text = "problem"
    create_missing = raw.get("create_missing", False)
    if not isinstance(create_missing, bool) and create_missing != "services":
        problems.append('create_missing must be true, false or "services"')
    return _Options(name, layout, on_invalid, long_text, create_missing)


def _file_options(raw: dict[str, Any], problems: list[str]) -> _FileOptions:
    section = _table(raw, "file", problems)
    for key in sorted(set(section) - _FILE_KEYS):
        problems.append(f"[file] unknown key {key!r}")
    delimiter = section.get("delimiter", "auto")
    if delimiter not in ("auto", ",", ";", "\t", "|"):
        problems.append('[file] delimiter must be "auto", ",", ";", "\\t" or "|"')
    decimal = section.get("decimal", ".")
    if decimal not in (".", ","):
        problems.append('[file] decimal must be "." or ","')
    skip_rows = section.get("skip_rows", 0)
    if not isinstance(skip_rows, int) or isinstance(skip_rows, bool) or skip_rows < 0:
        problems.append("[file] skip_rows must be a whole number, 0 or more")
        skip_rows = 0
    missing = section.get("missing", list(DEFAULT_MISSING_MARKERS))
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        problems.append("[file] missing must be a list of texts")
        missing = list(DEFAULT_MISSING_MARKERS)
    return _FileOptions(
        delimiter=delimiter,
        decimal=decimal,
        skip_rows=skip_rows,
        missing=missing,
        sheet=section.get("sheet") or None,
        encoding=section.get("encoding") or None,
        date_format=section.get("date_format") or None,
    )


def _columns(raw: dict[str, Any], problems: list[str]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for key, value in _table(raw, "columns", problems).items():
        if key not in ROW_FIELDS:
            hint = " (value columns belong in [[measures]])" if key in MEASURE_COLUMNS else ""
            problems.append(f"[columns] unknown field {key!r}{hint}")
            continue
        column = _text(value, f"[columns] {key}", problems)
        if column:
            columns[key] = column
    return columns


def _constants(raw: dict[str, Any], columns: dict[str, str], problems: list[str]) -> dict[str, str]:
    constants: dict[str, str] = {}
    for key, value in _table(raw, "constants", problems).items():
        if key not in ROW_FIELDS:
            problems.append(f"[constants] unknown field {key!r}")
            continue
        if key in columns:
            problems.append(f"{key} is both a column and a constant; keep one")
        constant = _text(value, f"[constants] {key}", problems)
        if constant is not None:
            constants[key] = constant
    return constants


def _lookups(raw: dict[str, Any], problems: list[str]) -> dict[str, dict[str, str]]:
    lookups: dict[str, dict[str, str]] = {}
    for key, table in _table(raw, "lookup", problems).items():
        if key not in ROW_FIELDS:
            problems.append(f"[lookup.{key}] is not a row field")
            continue
        if not isinstance(table, dict):
            problems.append(f'[lookup.{key}] must be a table of "file text" = "value"')
            continue
        lookups[key] = {" ".join(str(k).split()).casefold(): str(v) for k, v in table.items()}
    return lookups


def _metric_definitions(raw: dict[str, Any], problems: list[str]) -> dict[str, dict[str, Any]]:
    definitions: dict[str, dict[str, Any]] = {}
    for code, definition in _table(raw, "metrics", problems).items():
        if not isinstance(definition, dict):
            problems.append(f"[metrics.{code}] must be a table")
            continue
        problems.extend(check_metric_definition(code, definition))
        definitions[code] = definition
    return definitions


def _layout_measures(raw_measures: Any, layout: str) -> Any:
    """``[[measures]]`` as written; in a transposed layout, each period's value is the cell
    under the period's column (one measure of that kind when none is written)."""
    if layout != "transposed":
        return raw_measures
    if raw_measures is None:
        raw_measures = [{}]
    if isinstance(raw_measures, list):
        raw_measures = [
            {"value": "{period}", **table} if isinstance(table, dict) else table
            for table in raw_measures
        ]
    return raw_measures


def _layout_periods(
    raw: dict[str, Any],
    layout: str,
    calendar: FiscalCalendar,
    columns: dict[str, str],
    constants: dict[str, str],
    problems: list[str],
) -> _Periods:
    """The periods of a wide or transposed layout, and the tables used with the wrong one."""
    periods = _Periods()
    if layout == "transposed":
        periods = _transposed(raw.get("transposed"), calendar, columns, constants, problems)
    elif layout == "wide":
        granularity, wide = _wide(raw.get("wide"), calendar, columns, constants, problems)
        periods = _Periods(granularity, wide)
    if layout != "wide" and "wide" in raw:
        problems.append('[wide] is only used with layout = "wide"')
    return periods


def _transposed(
    section: Any,
    calendar: FiscalCalendar,
    columns: dict[str, str],
    constants: dict[str, str],
    problems: list[str],
) -> _Periods:
    if "metric" not in columns:
        problems.append(
            'layout = "transposed" reads each row\'s measure from a column: map it as '
            "metric in [columns] (its text goes through [lookup.metric])"
        )
    if not (isinstance(section, dict) and section.get("periods") == "from_header"):
        granularity, periods = _wide(
            section, calendar, columns, constants, problems, name="transposed"
        )
        return _Periods(granularity, periods)
    granularity = section.get("granularity")
    if granularity is not None and granularity not in GRANULARITIES:
        problems.append(f"[transposed] granularity must be one of {', '.join(GRANULARITIES)}")
    for key in sorted(set(section) - {"granularity", "periods"}):
        problems.append(f"[transposed] unknown key {key!r}")
    return _Periods(granularity, (), from_header=True)


def _period_column_problems(measures: list[Measure], layout: str) -> list[str]:
    """In a wide or transposed layout, each measure's columns must name their period."""
    problems: list[str] = []
    if layout not in ("wide", "transposed"):
        return problems
    for index, measure in enumerate(measures, start=1):
        reads = [measure.value, measure.numerator, measure.denominator]
        if not any(name and "{period}" in name for name in reads):
            problems.append(
                f"[[measures]] #{index}: in a {layout} layout the value (or numerator and "
                "denominator) column names must contain {period}"
            )
    return problems


def _metric_problems(
    measures: list[Measure], columns: dict[str, str], constants: dict[str, str]
) -> list[str]:
    """Each measure needs a metric: its own, or the row's (a column or a constant)."""
    problems: list[str] = []
    has_metric = "metric" in columns or "metric" in constants
    for index, measure in enumerate(measures, start=1):
        if measure.metric_codes is not None and "metric" not in columns:
            problems.append(
                f"[[measures]] #{index}: metric_codes translates the metric column, so map "
                "a metric column in [columns]"
            )
        if not measure.metric and not has_metric:
            problems.append(
                f"[[measures]] #{index}: no metric (set metric in the measure, or a metric "
                "column or constant)"
            )
    return problems


def _ignore(raw: dict[str, Any], problems: list[str]) -> list[str]:
    ignore = raw.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        problems.append("ignore must be a list of column names")
        return []
    return ignore


def _fold(text: str) -> str:
    """How lookup keys are compared: case and repeated spaces do not matter."""
    return " ".join(text.split()).casefold()


def _table(raw: dict[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"[{key}] must be a table")
        return {}
    return value


def _measures(raw: Any, problems: list[str]) -> list[Measure]:
    if not isinstance(raw, list) or not raw:
        problems.append("at least one [[measures]] table is required (which column holds values)")
        return []
    measures = []
    for index, table in enumerate(raw, start=1):
        where = f"[[measures]] #{index}"
        if not isinstance(table, dict):
            problems.append(f"{where} must be a table")
            continue
        promise_keys = [key for key in table if key.startswith(PROMISE_PREFIX)]
        foreign = [
            key
            for key in promise_keys
            if key.removeprefix(PROMISE_PREFIX) not in languages.content_languages()
        ]
        for key in foreign:
            problems.append(
                f"{where}: {key}: {_foreign_language(key.removeprefix(PROMISE_PREFIX))}"
            )
        if foreign:
            continue
        unknown = sorted(
            set(table) - set(MEASURE_COLUMNS) - set(MEASURE_SETTINGS) - set(promise_keys)
        )
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
            continue
        codes = table.get("metric_codes")
        if codes is not None:
            if not isinstance(codes, dict) or not all(isinstance(v, str) for v in codes.values()):
                problems.append(f'{where}: metric_codes must be a table of "file text" = "code"')
                continue
            table = {**table, "metric_codes": {_fold(k): v for k, v in codes.items()}}
            if "metric" in table:
                problems.append(f"{where}: set metric or metric_codes, not both")
        if not all(isinstance(v, str) for k, v in table.items() if k != "metric_codes"):
            problems.append(f"{where}: every setting is text (column names, codes, formats)")
            continue
        promises = tuple((key, table[key]) for key in promise_keys)
        plain = {key: value for key, value in table.items() if key not in promise_keys}
        measure = Measure(**plain, promises=promises)
        if not measure.value and not (measure.numerator and measure.denominator):
            problems.append(f"{where}: needs a value column, or numerator and denominator columns")
        for key in ("value_format", "response_rate_format", "target_format"):
            if getattr(measure, key) not in VALUE_FORMATS:
                problems.append(f"{where}: {key} must be one of {', '.join(VALUE_FORMATS)}")
        if measure.target_comparator and measure.target_comparator not in COMPARATORS:
            problems.append(f"{where}: target_comparator must be one of {', '.join(COMPARATORS)}")
        if measure.on_invalid is not None and measure.on_invalid not in ON_INVALID:
            choices = ", ".join(map(repr, ON_INVALID))
            problems.append(f"{where}: on_invalid must be one of {choices}")
        if measure.segment_type is not None and measure.segment_type not in SEGMENT_TYPES:
            problems.append(
                f"{where}: segment_type must be one of {', '.join(s for s in SEGMENT_TYPES if s)}"
            )
        measures.append(measure)
    return measures


def _wide(
    raw: Any,
    calendar: FiscalCalendar,
    columns: dict[str, str],
    constants: dict[str, str],
    problems: list[str],
    name: str = "wide",
) -> tuple[str | None, tuple[WidePeriod, ...]]:
    if not isinstance(raw, dict):
        problems.append(f'layout = "{name}" needs a [{name}] table with granularity and periods')
        return None, ()
    for key in sorted(set(raw) - {"granularity", "periods"}):
        problems.append(f"[{name}] unknown key {key!r}")
    granularity = raw.get("granularity")
    if granularity not in GRANULARITIES:
        problems.append(f"[{name}] granularity must be one of {', '.join(GRANULARITIES)}")
    periods_raw = raw.get("periods")
    if not isinstance(periods_raw, dict) or not periods_raw:
        hint = ' (or "from_header")' if name == "transposed" else ""
        problems.append(f"[{name}] periods must be a table such as {{ q1 = 1, q2 = 2 }}{hint}")
        return granularity, ()
    periods = []
    needs_fiscal_year = False
    for label, spec in periods_raw.items():
        if isinstance(spec, int) and not isinstance(spec, bool):
            limit = {"quarter": 4, "month": 12}.get(granularity or "", 0)
            if not 1 <= spec <= limit:
                problems.append(
                    f"[{name}] periods.{label} = {spec}: with granularity {granularity} a number "
                    f"must be 1-{limit}"
                    if limit
                    else f"[{name}] periods.{label}: a fiscal-year layout names each period in "
                    'full, such as "FY2024"'
                )
                continue
            needs_fiscal_year = True
            periods.append(WidePeriod(label, spec, None))
        elif isinstance(spec, str):
            try:
                period = calendar.parse_period(spec)
            except ValueError as error:
                problems.append(f"[{name}] periods.{label}: {error}")
                continue
            if granularity and period.granularity != granularity:
                problems.append(
                    f"[{name}] periods.{label} = {spec!r} is a {period.granularity}, "
                    f"not a {granularity}"
                )
                continue
            periods.append(WidePeriod(label, None, period))
        else:
            problems.append(f"[{name}] periods.{label} must be a number or a period such as FY2024")
    if needs_fiscal_year and "fiscal_year" not in columns and "fiscal_year" not in constants:
        problems.append(f"[{name}] numbered periods need a fiscal_year column or constant")
    return granularity, tuple(periods)


def _foreign_language(language: str) -> str:
    return languages.not_configured(language, "remove the key")


def _service_key(
    raw: Any, columns: dict[str, str], constants: dict[str, str], problems: list[str]
) -> ServiceKey | None:
    if raw is None:
        return None
    required = f"name_{languages.default_language()}"
    if not isinstance(raw, dict):
        problems.append(f"[service] must be a table with key and {required}")
        return None
    name_keys = [key for key in raw if key.startswith("name_")]
    for key in sorted(set(raw) - _SERVICE_KEYS - set(name_keys)):
        problems.append(f"[service] unknown key {key!r}")
    for key in name_keys:
        if key.removeprefix("name_") not in languages.content_languages():
            problems.append(f"[service] {key}: {_foreign_language(key.removeprefix('name_'))}")
    key_columns = raw.get("key")
    if (
        not isinstance(key_columns, list)
        or not key_columns
        or not all(isinstance(name, str) and name.strip() for name in key_columns)
    ):
        problems.append(
            '[service] key must be a list of column names, such as ["service_id", "std_id"]'
        )
        key_columns = []
    templates = {}
    for code in languages.content_languages():
        name = f"name_{code}"
        template = raw.get(name)
        if template is not None and not isinstance(template, str):
            problems.append(f'[service] {name} must be text, a template such as "{{service_name}}"')
            template = None
        templates[code] = template
    if not templates[languages.default_language()]:
        problems.append(
            f"[service] {required} is required: a template naming the service, such as "
            '"{service_name_en}: {service_std_en}"'
        )
    separator = raw.get("key_separator", "-")
    if not isinstance(separator, str):
        problems.append("[service] key_separator must be text")
        separator = "-"
    if "service" in columns or "service" in constants:
        problems.append("a service column and a [service] key cannot both be set; keep one")
    names = tuple((code, template) for code, template in templates.items() if template)
    return ServiceKey(tuple(key_columns), names, separator)


def _period_problems(columns: dict[str, str], constants: dict[str, str]) -> list[str]:
    given = set(columns) | set(constants)
    if "period" in given or {"period_start", "period_end"} <= given:
        return []
    if "fiscal_year" in given or "month" in given:
        return []
    return [
        "no period: map a period column, period_start and period_end, a fiscal_year "
        "(with quarter or month), or a month"
    ]
