"""What the open data holds: its resources (files and API collections), their columns and filters.

One table of :class:`Resource` definitions is the single source of the JSON records, the CSV
headers, the data dictionary, the OpenAPI document and the docs page.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from dashboard.core.i18n import P_, Message, Messages, babel_locale, messages, translate
from dashboard.core.languages import content_languages
from dashboard.infra.models import (
    ACTION_STATUSES,
    CHANNELS,
    COMPARATORS,
    DIMENSIONS,
    DIRECTIONS,
    GRANULARITIES,
    SCALES,
    SEGMENT_TYPES,
    TARGET_KINDS,
    UNIT_KINDS,
)

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"
#: Rows per page when the request does not say, and the most it may ask for. Bounded pages
#: keep every response small; the whole data set is one file away (the ZIP).
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
FORMATS = ("json", "csv")
OPENAPI_PATH = f"{API_PREFIX}/openapi.json"
ZIP_PATH = f"{API_PREFIX}/download.zip"
DICTIONARY_PATH = f"{API_PREFIX}/data-dictionary"
DOCS_PAGE_PATH = "/data"
ZIP_FILE_NAME = "cxdash-open-data.zip"

REPORTING_STATUSES = ("reported", "not_reported", "suppressed")
#: The value of the ``segment`` filter that means "the figure for everyone".
OVERALL_SEGMENT = "overall"
#: How a list is written in one CSV cell.
CSV_LIST_SEPARATOR = ";"
#: Field types as the data dictionary names them.
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "list")

#: Licence identifiers (SPDX and the usual government licences) and where to read them.
LICENSE_URLS = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "PDDL-1.0": "https://opendatacommons.org/licenses/pddl/1-0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "OGL-Canada-2.0": "https://open.canada.ca/en/open-government-licence-canada",
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}


# -- definitions ------------------------------------------------------------------------------


#: Words of the data dictionary that are not one column's description.
TEXT: Messages = messages(
    # Translators: a column of agency text in one language: "Name of the unit (English)."
    P_("column_in_language", "{text} ({language})."),
)


@dataclass(frozen=True)
class Field:
    """One column of a resource: in the JSON records, the CSV header and the data dictionary."""

    name: str
    type: str  # one of FIELD_TYPES
    text: Message  # what it means, in English (translated in the catalogues)
    unit: str = ""  # unit of measure, in words ("" when the column has none)
    allowed: tuple[str, ...] = ()  # the only values it takes ("" when open)
    nullable: bool = True
    #: For a column of agency text in one language (``name_en``): that language.
    column_language: str | None = None

    def description(self, language: str) -> str:
        text = translate({"text": self.text}, "text", language)
        if self.column_language is None:
            return text
        name = babel_locale(language).languages.get(self.column_language, self.column_language)
        return translate(TEXT, "column_in_language", language, text=text, language=name)

    @property
    def description_en(self) -> str:
        return self.description("en")

    @property
    def description_es(self) -> str:
        return self.description("es")


@dataclass(frozen=True)
class Parameter:
    """A filter a resource accepts in its query string."""

    name: str
    #: "unit", "metric", "choice", "date", "period" or "segment": how the value is checked.
    kind: str
    text: Message  # what it does, in English (translated in the catalogues)
    allowed: tuple[str, ...] = ()
    repeatable: bool = True  # several values (repeated or comma-separated) are OR-ed
    example: str = ""

    def description(self, language: str) -> str:
        return translate({"text": self.text}, "text", language)

    @property
    def description_en(self) -> str:
        return self.description("en")


class Columns(Sequence[Field]):
    """A resource's columns as declared, each agency text's columns (``name_en``, ``name_es``)
    followed by the same text in every further configured language (``name_fr`` with
    LANGUAGES=en,es,fr): the records, CSV headers, dictionary and OpenAPI schema all read
    the columns from here, so a language needs configuration only."""

    def __init__(self, declared: Iterable[Field]) -> None:
        self.declared = tuple(declared)
        self._by_languages: dict[tuple[str, ...], tuple[Field, ...]] = {}

    def _columns(self) -> tuple[Field, ...]:
        codes = content_languages()
        found = self._by_languages.get(codes)
        if found is None:
            found = self._by_languages[codes] = _with_languages(self.declared, codes)
        return found

    def __iter__(self) -> Iterator[Field]:
        return iter(self._columns())

    def __len__(self) -> int:
        return len(self._columns())

    @overload
    def __getitem__(self, index: int) -> Field: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Field, ...]: ...
    def __getitem__(self, index: int | slice) -> Field | tuple[Field, ...]:
        return self._columns()[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Columns) and other.declared == self.declared

    def __hash__(self) -> int:
        return hash(self.declared)

    def __repr__(self) -> str:
        return f"Columns({self.declared!r})"


def _stem(column: Field | None) -> str | None:
    """``name`` for the column ``name_en`` of an agency text; None for other columns."""
    if column is None or column.column_language is None:
        return None
    return column.name.removesuffix(f"_{column.column_language}")


def _with_languages(declared: tuple[Field, ...], codes: tuple[str, ...]) -> tuple[Field, ...]:
    """``declared``, each text's last language column followed by the further ``codes``
    (alike, the language changed: ``name_es`` -> ``name_fr``)."""
    columns: list[Field] = []
    for position, column in enumerate(declared):
        columns.append(column)
        stem = _stem(column)
        following = declared[position + 1] if position + 1 < len(declared) else None
        if stem is None or _stem(following) == stem:
            continue
        have = {f.column_language for f in declared if _stem(f) == stem}
        columns.extend(
            dataclasses.replace(column, name=f"{stem}_{code}", column_language=code)
            for code in codes
            if code not in have
        )
    return tuple(columns)


@dataclass(frozen=True)
class Resource:
    name: str  # the path segment and the CSV file stem
    title_text: Message
    description_text: Message
    #: The columns (:class:`Columns`: agency text in every configured language).
    fields: Sequence[Field]
    parameters: tuple[Parameter, ...] = ()
    #: Paged by ``cursor`` (keyset: the next link starts past the page's last row, an index
    #: seek at any depth) as well as ``offset``. The small resources page by offset only.
    keyset: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.fields, Columns):
            object.__setattr__(self, "fields", Columns(self.fields))

    @property
    def path(self) -> str:
        return f"{API_PREFIX}/{self.name}"

    @property
    def csv_path(self) -> str:
        return f"{self.path}.csv"

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def schema_name(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("-"))

    def title(self, language: str) -> str:
        return translate({"title": self.title_text}, "title", language)

    def description(self, language: str) -> str:
        return translate({"description": self.description_text}, "description", language)

    @property
    def title_en(self) -> str:
        return self.title("en")

    @property
    def description_en(self) -> str:
        return self.description("en")

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def text_field(name: str, text: Message, **options: Any) -> Field:
    return Field(name, "string", text, **options)


def _bilingual(name: str, text: Message, *, nullable: bool = True) -> tuple[Field, Field]:
    """The English and Spanish columns of one agency-provided text."""
    return (
        Field(f"{name}_en", "string", text, nullable=nullable, column_language="en"),
        Field(f"{name}_es", "string", text, column_language="es"),
    )


UNIT_SLUG = text_field(
    "unit_slug",
    P_("unit_slug", "Slug of the unit (see units.csv); the key used in URLs and filters."),
    nullable=False,
)
METRIC_CODE = text_field(
    "metric_code",
    P_("metric_code", "Code of the metric (see metrics.csv)."),
    nullable=False,
)

_UNIT_FILTER = Parameter(
    "unit",
    "unit",
    P_("filter.unit", "Unit slug (see /api/v1/units). Several: repeat it or separate with commas."),
    example="dmv",
)
_METRIC_FILTER = Parameter(
    "metric",
    "metric",
    P_(
        "filter.metric",
        "Metric code (see /api/v1/metrics). Several: repeat it or separate with commas.",
    ),
    example="csat_overall",
)

UNITS = Resource(
    name="units",
    title_text=P_("units:title", "Units"),
    description_text=P_(
        "units:description", "The enterprise, its agencies and their services (program offices)."
    ),
    fields=(
        text_field("slug", P_("units.slug", "Unique slug of the unit."), nullable=False),
        text_field(
            "kind",
            P_("units.kind", "Level of the unit."),
            allowed=UNIT_KINDS,
            nullable=False,
        ),
        text_field(
            "parent_slug",
            P_(
                "units.parent_slug",
                "Slug of the unit this one belongs to; empty for the enterprise.",
            ),
        ),
        text_field("code", P_("units.code", "The agency's own code for the unit.")),
        *_bilingual("name", P_("units.name", "Name of the unit"), nullable=False),
        *_bilingual("description", P_("units.description", "What the unit does")),
        text_field("website", P_("units.website", "The unit's website.")),
    ),
    parameters=(
        Parameter(
            "kind",
            "choice",
            P_("units.filter.kind", "Only units of this level."),
            allowed=UNIT_KINDS,
            example="agency",
        ),
        Parameter(
            "parent",
            "unit",
            P_("units.filter.parent", "Only units under this unit (its slug)."),
            example="dmv",
        ),
    ),
)

METRICS = Resource(
    name="metrics",
    title_text=P_("metrics:title", "Metrics"),
    description_text=P_(
        "metrics:description", "What is measured, on which scale, and how it becomes a 0–100 score."
    ),
    fields=(
        text_field("code", P_("metrics.code", "Unique code of the metric."), nullable=False),
        *_bilingual("name", P_("metrics.name", "Name of the metric"), nullable=False),
        text_field(
            "dimension",
            P_(
                "metrics.dimension",
                "What the metric is about: accuracy, responsiveness, timeliness, satisfaction...",
            ),
            allowed=DIMENSIONS,
            nullable=False,
        ),
        text_field(
            "scale",
            P_(
                "metrics.scale",
                "Scale of its values: fraction (0–1), percent (0–100), mean_1_5, seconds...",
            ),
            allowed=SCALES,
            nullable=False,
        ),
        text_field(
            "direction",
            P_("metrics.direction", "Whether a higher or a lower value is better."),
            allowed=DIRECTIONS,
            nullable=False,
        ),
        Field(
            "norm_best",
            "number",
            P_(
                "metrics.norm_best",
                "Value that scores 100; empty means the scale's natural best end.",
            ),
            unit="the metric's scale",
        ),
        Field(
            "norm_worst",
            "number",
            P_(
                "metrics.norm_worst",
                "Value that scores 0; empty means the scale's natural worst end.",
            ),
            unit="the metric's scale",
        ),
        *_bilingual("definition", P_("metrics.definition", "What the metric means")),
        *_bilingual("method", P_("metrics.method", "How it is calculated")),
        *_bilingual("data_source", P_("metrics.data_source", "Where the data comes from")),
        *_bilingual("target_setting", P_("metrics.target_setting", "How its targets are set")),
        Field(
            "is_survey",
            "boolean",
            P_(
                "metrics.is_survey",
                "True for survey results: they carry a response count and small-sample flags.",
            ),
            nullable=False,
        ),
    ),
    parameters=(
        Parameter(
            "dimension",
            "choice",
            P_("metrics.filter.dimension", "Only metrics of this dimension."),
            allowed=DIMENSIONS,
            example="timeliness",
        ),
    ),
)

TARGETS = Resource(
    name="targets",
    title_text=P_("targets:title", "Targets"),
    description_text=P_(
        "targets:description",
        "Posted service levels: the promise, the target and the dates it is in force. A result "
        "is judged against the target in force on the last day of its period.",
    ),
    fields=(
        UNIT_SLUG,
        METRIC_CODE,
        text_field(
            "kind",
            P_(
                "targets.kind",
                "numeric (a value to meet), baseline (establish a baseline) or text (e.g. ≥10% "
                "improvement).",
            ),
            allowed=TARGET_KINDS,
            nullable=False,
        ),
        text_field(
            "comparator",
            P_("targets.comparator", "How a value is compared with the target value."),
            allowed=COMPARATORS,
            nullable=False,
        ),
        Field(
            "value",
            "number",
            P_(
                "targets.value",
                "Target value in the metric's scale; empty for non-numeric targets.",
            ),
            unit="the metric's scale",
        ),
        *_bilingual("text", P_("targets.text", "The target in words")),
        *_bilingual("promise", P_("targets.promise", "The service promise posted to the public")),
        Field(
            "effective_from",
            "date",
            P_("targets.effective_from", "First day the target is in force."),
            nullable=False,
        ),
        Field(
            "effective_to",
            "date",
            P_(
                "targets.effective_to",
                "Last day the target is in force (inclusive); empty while it still is.",
            ),
        ),
        Field(
            "superseded_at",
            "datetime",
            P_(
                "targets.superseded_at",
                "When this target was corrected (UTC): replaced by another for the same dates, "
                "kept as history and never in force since; empty for a target that was not "
                "corrected.",
            ),
        ),
    ),
    parameters=(
        _UNIT_FILTER,
        _METRIC_FILTER,
        Parameter(
            "in_force_on",
            "date",
            P_(
                "targets.filter.in_force_on",
                "Only targets in force on this day (YYYY-MM-DD); corrected (superseded) targets "
                "never are.",
            ),
            repeatable=False,
            example="2026-09-30",
        ),
    ),
)

OBSERVATIONS = Resource(
    name="observations",
    title_text=P_("observations:title", "Observations"),
    description_text=P_(
        "observations:description",
        "Published results: one value of one metric for one unit, period and segment. A "
        "period with no row at all was not reported either.",
    ),
    fields=(
        UNIT_SLUG,
        text_field(
            "unit_kind",
            P_("observations.unit_kind", "Level of the unit."),
            allowed=UNIT_KINDS,
            nullable=False,
        ),
        METRIC_CODE,
        text_field(
            "scale",
            P_("observations.scale", "Scale of value (copied from the metric)."),
            allowed=SCALES,
            nullable=False,
        ),
        text_field(
            "granularity",
            P_("observations.granularity", "Length of the period."),
            allowed=GRANULARITIES,
            nullable=False,
        ),
        Field(
            "period_start",
            "date",
            P_("observations.period_start", "First day of the period."),
            nullable=False,
        ),
        Field(
            "period_end",
            "date",
            P_("observations.period_end", "Last day of the period (inclusive)."),
            nullable=False,
        ),
        text_field(
            "period_label",
            P_(
                "observations.period_label",
                "The period as this site writes it (Mar 2024, FY2024 Q2, FY2024).",
            ),
            nullable=False,
        ),
        Field(
            "fiscal_year",
            "integer",
            P_(
                "observations.fiscal_year",
                "Fiscal year of the period, named by the calendar year in which it ends.",
            ),
            nullable=False,
        ),
        Field(
            "fiscal_quarter",
            "integer",
            P_(
                "observations.fiscal_quarter",
                "Fiscal quarter (1–4) of the period; empty for a whole fiscal year.",
            ),
            allowed=("1", "2", "3", "4"),
        ),
        text_field(
            "segment_type",
            P_(
                "observations.segment_type",
                "What the figure is broken down by; empty for the figure for everyone.",
            ),
            allowed=tuple(kind for kind in SEGMENT_TYPES if kind),
        ),
        text_field(
            "segment_value",
            P_(
                "observations.segment_value",
                "The segment (phone, email, es...); empty for the figure for everyone.",
            ),
        ),
        text_field(
            "reporting_status",
            P_(
                "observations.reporting_status",
                "reported; not_reported (the unit published no value: never a zero); suppressed "
                "(too few survey responses to publish the value).",
            ),
            allowed=REPORTING_STATUSES,
            nullable=False,
        ),
        Field(
            "value",
            "number",
            P_(
                "observations.value",
                "The result in the metric's scale; empty when not reported or suppressed.",
            ),
            unit="the metric's scale (see scale)",
        ),
        Field(
            "numerator",
            "number",
            P_(
                "observations.numerator",
                "Volume that met the standard, or agreeing survey responses.",
            ),
            unit="count",
        ),
        Field(
            "denominator",
            "number",
            P_("observations.denominator", "Total volume, or the number of survey responses."),
            unit="count",
        ),
        Field(
            "response_rate",
            "number",
            P_("observations.response_rate", "Survey response rate."),
            unit="fraction (0–1)",
        ),
        Field(
            "score",
            "number",
            P_(
                "observations.score",
                "The value normalized to 0–100 (see metrics norm_best and norm_worst).",
            ),
            unit="points (0–100)",
        ),
        Field(
            "ci_low",
            "number",
            P_(
                "observations.ci_low",
                "Lower end of the 95% Wilson interval of a survey proportion.",
            ),
            unit="the metric's scale (see scale)",
        ),
        Field(
            "ci_high",
            "number",
            P_(
                "observations.ci_high",
                "Upper end of the 95% Wilson interval of a survey proportion.",
            ),
            unit="the metric's scale (see scale)",
        ),
        Field(
            "small_sample",
            "boolean",
            P_(
                "observations.small_sample",
                "True when a survey result rests on fewer responses than the small-sample "
                "threshold: read it with care.",
            ),
            nullable=False,
        ),
        Field(
            "series_break",
            "boolean",
            P_(
                "observations.series_break",
                "True when the method or question changed here: do not compare with earlier "
                "periods.",
            ),
            nullable=False,
        ),
        Field(
            "revised",
            "boolean",
            P_(
                "observations.revised",
                "True when the figure was changed after it was first published.",
            ),
            nullable=False,
        ),
        Field(
            "earlier_value",
            "number",
            P_("observations.earlier_value", "The value first published, for a revised figure."),
            unit="the metric's scale (see scale)",
        ),
        Field(
            "revised_at",
            "datetime",
            P_("observations.revised_at", "When the figure was first revised (UTC)."),
        ),
        Field(
            "published_at",
            "datetime",
            P_("observations.published_at", "When the figure was published (UTC)."),
        ),
    ),
    parameters=(
        _UNIT_FILTER,
        _METRIC_FILTER,
        Parameter(
            "period",
            "period",
            P_(
                "observations.filter.period",
                "A fiscal year (FY2025), fiscal quarter (FY2025 Q2) or month (2025-03): only "
                "periods within it. Several: repeat it or separate with commas.",
            ),
            example="FY2025 Q2",
        ),
        Parameter(
            "from",
            "date",
            P_(
                "observations.filter.from",
                "Only periods that start on or after this day (YYYY-MM-DD).",
            ),
            repeatable=False,
            example="2025-01-01",
        ),
        Parameter(
            "to",
            "date",
            P_(
                "observations.filter.to",
                "Only periods that end on or before this day (YYYY-MM-DD).",
            ),
            repeatable=False,
            example="2025-12-31",
        ),
        Parameter(
            "granularity",
            "choice",
            P_("observations.filter.granularity", "Only periods of this length."),
            allowed=GRANULARITIES,
            example="quarter",
        ),
        Parameter(
            "segment",
            "segment",
            P_(
                "observations.filter.segment",
                "overall (the figure for everyone), a segment type (channel) or type:value "
                "(channel:phone). Without it, every segment.",
            ),
            example=OVERALL_SEGMENT,
        ),
    ),
    keyset=True,
)

ACTIONS = Resource(
    name="actions",
    title_text=P_("actions:title", "Actions"),
    description_text=P_("actions:description", "Actions the units take to improve their results."),
    fields=(
        UNIT_SLUG,
        *_bilingual("title", P_("actions.title", "Title of the action"), nullable=False),
        *_bilingual("description", P_("actions.description", "What the action does")),
        text_field(
            "status",
            P_("actions.status", "Where the action stands."),
            allowed=ACTION_STATUSES,
            nullable=False,
        ),
        Field(
            "started_on",
            "date",
            P_("actions.started_on", "Day the action started."),
            nullable=False,
        ),
        Field("completed_on", "date", P_("actions.completed_on", "Day it was completed.")),
        text_field("link", P_("actions.link", "Where to read more.")),
        Field(
            "metric_codes",
            "list",
            P_(
                "actions.metric_codes",
                "Codes of the metrics it aims to improve (separated by ; in CSV).",
            ),
            nullable=False,
        ),
    ),
    parameters=(
        _UNIT_FILTER,
        _METRIC_FILTER,
        Parameter(
            "status",
            "choice",
            P_("actions.filter.status", "Only actions in this state."),
            allowed=ACTION_STATUSES,
            example="completed",
        ),
    ),
)

CONTACT_POINTS = Resource(
    name="contact-points",
    title_text=P_("contact-points:title", "Contact points"),
    description_text=P_(
        "contact-points:description",
        "How to reach each unit: phone lines, walk-in offices with addresses and hours, "
        "mailing addresses, web forms.",
    ),
    fields=(
        Field(
            "id",
            "integer",
            P_("contact-points.id", "Number of the contact point (closures.csv refers to it)."),
            nullable=False,
        ),
        UNIT_SLUG,
        text_field(
            "channel",
            P_("contact-points.channel", "How people reach it."),
            allowed=CHANNELS,
            nullable=False,
        ),
        *_bilingual(
            "label", P_("contact-points.label", "Name of the contact point"), nullable=False
        ),
        text_field(
            "value",
            P_("contact-points.value", "Phone number, e-mail address or URL."),
        ),
        text_field("address", P_("contact-points.address", "Street or mailing address.")),
        *_bilingual("hours", P_("contact-points.hours", "Hours of operation")),
        *_bilingual("appointment", P_("contact-points.appointment", "How to book an appointment")),
        text_field(
            "languages",
            P_("contact-points.languages", "Languages served (codes, comma-separated)."),
        ),
        Field(
            "sort_order",
            "integer",
            P_("contact-points.sort_order", "Order in which the unit lists it."),
            nullable=False,
        ),
    ),
    parameters=(
        _UNIT_FILTER,
        Parameter(
            "channel",
            "choice",
            P_("contact-points.filter.channel", "Only contact points of this channel."),
            allowed=CHANNELS,
            example="phone",
        ),
    ),
)

CLOSURES = Resource(
    name="closures",
    title_text=P_("closures:title", "Scheduled closures"),
    description_text=P_(
        "closures:description", "Closures posted in advance: holidays, moves, training days."
    ),
    fields=(
        UNIT_SLUG,
        Field(
            "contact_point_id",
            "integer",
            P_(
                "closures.contact_point_id",
                "The contact point that closes (see contact-points.csv); empty for the whole unit.",
            ),
        ),
        Field("starts_on", "date", P_("closures.starts_on", "First day closed."), nullable=False),
        Field(
            "ends_on",
            "date",
            P_("closures.ends_on", "Last day closed (inclusive)."),
            nullable=False,
        ),
        *_bilingual("reason", P_("closures.reason", "Why it closes"), nullable=False),
    ),
    parameters=(_UNIT_FILTER,),
)

#: Every resource the API serves, in the order the docs list them.
RESOURCES: tuple[Resource, ...] = (
    UNITS,
    METRICS,
    TARGETS,
    OBSERVATIONS,
    ACTIONS,
    CONTACT_POINTS,
    CLOSURES,
)

#: The columns of data-dictionary.csv (it describes itself too).
#: The description columns of the data dictionary: English and Spanish always (readers of the
#: file rely on them), then every other configured language (:func:`dictionary`).
_DICTIONARY_LANGUAGES = ("en", "es")
_DESCRIPTION = P_("data-dictionary.description", "What it means")

DICTIONARY = Resource(
    name="data-dictionary",
    title_text=P_("data-dictionary:title", "Data dictionary"),
    description_text=P_(
        "data-dictionary:description",
        "Every column of every file: its type, meaning, unit and allowed values.",
    ),
    fields=(
        text_field("file", P_("data-dictionary.file", "The CSV file."), nullable=False),
        text_field("column", P_("data-dictionary.column", "The column's name."), nullable=False),
        text_field(
            "type",
            P_("data-dictionary.type", "Type of its values."),
            allowed=FIELD_TYPES,
            nullable=False,
        ),
        *(
            Field(
                f"description_{code}",
                "string",
                _DESCRIPTION,
                nullable=False,
                column_language=code,
            )
            for code in _DICTIONARY_LANGUAGES
        ),
        text_field("unit", P_("data-dictionary.unit", "Unit of measure; empty when none.")),
        Field(
            "allowed_values",
            "list",
            P_(
                "data-dictionary.allowed_values",
                "The only values it takes (separated by ; in CSV); empty when open.",
            ),
            nullable=False,
        ),
        Field(
            "nullable",
            "boolean",
            P_("data-dictionary.nullable", "Whether the column may be empty."),
            nullable=False,
        ),
    ),
)


def dictionary_languages() -> tuple[str, ...]:
    """The languages data-dictionary.csv describes every column in: ``description_<code>``."""
    return tuple(dict.fromkeys((*_DICTIONARY_LANGUAGES, *content_languages())))


@functools.cache
def _dictionary(codes: tuple[str, ...]) -> Resource:
    extra = tuple(
        Field(f"description_{code}", "string", _DESCRIPTION, nullable=False, column_language=code)
        for code in codes
        if code not in {f.column_language for f in DICTIONARY.fields}
    )
    if not extra:
        return DICTIONARY
    at = max(i for i, f in enumerate(DICTIONARY.fields) if f.name.startswith("description_")) + 1
    fields = (*DICTIONARY.fields[:at], *extra, *DICTIONARY.fields[at:])
    return dataclasses.replace(DICTIONARY, fields=fields)


def dictionary() -> Resource:
    """The data dictionary's own definition, with a description column per configured language."""
    return _dictionary(dictionary_languages())


#: The common query parameters of every resource.
LIMIT_PARAMETER = "limit"
OFFSET_PARAMETER = "offset"
FORMAT_PARAMETER = "format"
PAGING_PARAMETERS = (LIMIT_PARAMETER, OFFSET_PARAMETER, FORMAT_PARAMETER)
#: Where the next page starts, on a :attr:`Resource.keyset` resource (taken from its links).
CURSOR_PARAMETER = "cursor"
