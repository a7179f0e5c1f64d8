"""What the open data holds: its resources (files and API collections), their columns and filters.

One table of :class:`Resource` definitions is the single source of the JSON records, the CSV
headers, the data dictionary, the OpenAPI document and the docs page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.models import (
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


@dataclass(frozen=True)
class Field:
    """One column of a resource: in the JSON records, the CSV header and the data dictionary."""

    name: str
    type: str  # one of FIELD_TYPES
    description_en: str
    description_es: str
    unit: str = ""  # unit of measure, in words ("" when the column has none)
    allowed: tuple[str, ...] = ()  # the only values it takes ("" when open)
    nullable: bool = True

    def description(self, language: str) -> str:
        return self.description_es if language == "es" else self.description_en


@dataclass(frozen=True)
class Parameter:
    """A filter a resource accepts in its query string."""

    name: str
    #: "unit", "metric", "choice", "date", "period" or "segment": how the value is checked.
    kind: str
    description_en: str
    description_es: str
    allowed: tuple[str, ...] = ()
    repeatable: bool = True  # several values (repeated or comma-separated) are OR-ed
    example: str = ""

    def description(self, language: str) -> str:
        return self.description_es if language == "es" else self.description_en


@dataclass(frozen=True)
class Resource:
    name: str  # the path segment and the CSV file stem
    title_en: str
    title_es: str
    description_en: str
    description_es: str
    fields: tuple[Field, ...]
    parameters: tuple[Parameter, ...] = ()

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
        return self.title_es if language == "es" else self.title_en

    def description(self, language: str) -> str:
        return self.description_es if language == "es" else self.description_en

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def text_field(name: str, en: str, es: str, **options: Any) -> Field:
    return Field(name, "string", en, es, **options)


def _bilingual(name: str, en: str, es: str, *, nullable: bool = True) -> tuple[Field, Field]:
    """The English and Spanish columns of one agency-provided text."""
    return (
        Field(f"{name}_en", "string", f"{en} (English).", f"{es} (inglés).", nullable=nullable),
        Field(f"{name}_es", "string", f"{en} (Spanish).", f"{es} (español)."),
    )


UNIT_SLUG = text_field(
    "unit_slug",
    "Slug of the unit (see units.csv); the key used in URLs and filters.",
    "Identificador de la unidad (ver units.csv); la clave de las URL y los filtros.",
    nullable=False,
)
METRIC_CODE = text_field(
    "metric_code",
    "Code of the metric (see metrics.csv).",
    "Código de la medida (ver metrics.csv).",
    nullable=False,
)

_UNIT_FILTER = Parameter(
    "unit",
    "unit",
    "Unit slug (see /api/v1/units). Several: repeat it or separate with commas.",
    "Identificador de la unidad (ver /api/v1/units). Varios: repítalo o sepárelos con comas.",
    example="dmv",
)
_METRIC_FILTER = Parameter(
    "metric",
    "metric",
    "Metric code (see /api/v1/metrics). Several: repeat it or separate with commas.",
    "Código de la medida (ver /api/v1/metrics). Varios: repítalo o sepárelos con comas.",
    example="csat_overall",
)

UNITS = Resource(
    name="units",
    title_en="Units",
    title_es="Unidades",
    description_en="The enterprise, its agencies and their services (program offices).",
    description_es="La administración, sus agencias y sus servicios (oficinas de programa).",
    fields=(
        text_field(
            "slug", "Unique slug of the unit.", "Identificador único de la unidad.", nullable=False
        ),
        text_field(
            "kind",
            "Level of the unit.",
            "Nivel de la unidad.",
            allowed=UNIT_KINDS,
            nullable=False,
        ),
        text_field(
            "parent_slug",
            "Slug of the unit this one belongs to; empty for the enterprise.",
            "Identificador de la unidad de la que depende; vacío para la administración.",
        ),
        text_field("code", "The agency's own code for the unit.", "Código propio de la unidad."),
        *_bilingual("name", "Name of the unit", "Nombre de la unidad", nullable=False),
        *_bilingual("description", "What the unit does", "Qué hace la unidad"),
        text_field("website", "The unit's website.", "Sitio web de la unidad."),
    ),
    parameters=(
        Parameter(
            "kind",
            "choice",
            "Only units of this level.",
            "Solo unidades de este nivel.",
            allowed=UNIT_KINDS,
            example="agency",
        ),
        Parameter(
            "parent",
            "unit",
            "Only units under this unit (its slug).",
            "Solo las unidades que dependen de esta (su identificador).",
            example="dmv",
        ),
    ),
)

METRICS = Resource(
    name="metrics",
    title_en="Metrics",
    title_es="Medidas",
    description_en="What is measured, on which scale, and how it becomes a 0–100 score.",
    description_es="Qué se mide, en qué escala y cómo se convierte en una puntuación de 0 a 100.",
    fields=(
        text_field(
            "code", "Unique code of the metric.", "Código único de la medida.", nullable=False
        ),
        *_bilingual("name", "Name of the metric", "Nombre de la medida", nullable=False),
        text_field(
            "dimension",
            "What the metric is about: accuracy, responsiveness, timeliness, satisfaction...",
            "De qué trata: exactitud, capacidad de respuesta, puntualidad, satisfacción...",
            allowed=DIMENSIONS,
            nullable=False,
        ),
        text_field(
            "scale",
            "Scale of its values: fraction (0–1), percent (0–100), mean_1_5, seconds...",
            "Escala de sus valores: fracción (0–1), porcentaje (0–100), media 1–5, segundos...",
            allowed=SCALES,
            nullable=False,
        ),
        text_field(
            "direction",
            "Whether a higher or a lower value is better.",
            "Si es mejor un valor más alto o más bajo.",
            allowed=DIRECTIONS,
            nullable=False,
        ),
        Field(
            "norm_best",
            "number",
            "Value that scores 100; empty means the scale's natural best end.",
            "Valor que puntúa 100; vacío significa el mejor extremo natural de la escala.",
            unit="the metric's scale",
        ),
        Field(
            "norm_worst",
            "number",
            "Value that scores 0; empty means the scale's natural worst end.",
            "Valor que puntúa 0; vacío significa el peor extremo natural de la escala.",
            unit="the metric's scale",
        ),
        *_bilingual("definition", "What the metric means", "Qué significa la medida"),
        *_bilingual("method", "How it is calculated", "Cómo se calcula"),
        *_bilingual("data_source", "Where the data comes from", "De dónde vienen los datos"),
        *_bilingual("target_setting", "How its targets are set", "Cómo se fijan sus metas"),
        Field(
            "is_survey",
            "boolean",
            "True for survey results: they carry a response count and small-sample flags.",
            "Verdadero para resultados de encuesta: llevan número de respuestas y aviso de "
            "muestra pequeña.",
            nullable=False,
        ),
    ),
    parameters=(
        Parameter(
            "dimension",
            "choice",
            "Only metrics of this dimension.",
            "Solo medidas de esta dimensión.",
            allowed=DIMENSIONS,
            example="timeliness",
        ),
    ),
)

TARGETS = Resource(
    name="targets",
    title_en="Targets",
    title_es="Metas",
    description_en=(
        "Posted service levels: the promise, the target and the dates it is in force. A result "
        "is judged against the target in force on the last day of its period."
    ),
    description_es=(
        "Niveles de servicio publicados: la promesa, la meta y las fechas en que rige. Un "
        "resultado se juzga contra la meta vigente el último día de su periodo."
    ),
    fields=(
        UNIT_SLUG,
        METRIC_CODE,
        text_field(
            "kind",
            "numeric (a value to meet), baseline (establish a baseline) or text (e.g. ≥10% "
            "improvement).",
            "numeric (un valor a cumplir), baseline (establecer una línea de base) o text (p. ej. "
            "mejora ≥10 %).",
            allowed=TARGET_KINDS,
            nullable=False,
        ),
        text_field(
            "comparator",
            "How a value is compared with the target value.",
            "Cómo se compara un valor con la meta.",
            allowed=COMPARATORS,
            nullable=False,
        ),
        Field(
            "value",
            "number",
            "Target value in the metric's scale; empty for non-numeric targets.",
            "Valor de la meta en la escala de la medida; vacío si la meta no es numérica.",
            unit="the metric's scale",
        ),
        *_bilingual("text", "The target in words", "La meta en palabras"),
        *_bilingual("promise", "The service promise posted to the public", "La promesa publicada"),
        Field(
            "effective_from",
            "date",
            "First day the target is in force.",
            "Primer día en que rige la meta.",
            nullable=False,
        ),
        Field(
            "effective_to",
            "date",
            "Last day the target is in force (inclusive); empty while it still is.",
            "Último día en que rige (inclusive); vacío mientras siga vigente.",
        ),
        Field(
            "superseded_at",
            "datetime",
            "When this target was corrected (UTC): replaced by another for the same dates, kept "
            "as history and never in force since; empty for a target that was not corrected.",
            "Cuándo se corrigió esta meta (UTC): otra la sustituyó para las mismas fechas; se "
            "conserva como historial y ya no rige; vacío si la meta no se corrigió.",
        ),
    ),
    parameters=(
        _UNIT_FILTER,
        _METRIC_FILTER,
        Parameter(
            "in_force_on",
            "date",
            "Only targets in force on this day (YYYY-MM-DD); corrected (superseded) targets "
            "never are.",
            "Solo metas vigentes ese día (AAAA-MM-DD); una meta corregida (sustituida) nunca "
            "lo está.",
            repeatable=False,
            example="2026-09-30",
        ),
    ),
)

OBSERVATIONS = Resource(
    name="observations",
    title_en="Observations",
    title_es="Observaciones",
    description_en=(
        "Published results: one value of one metric for one unit, period and segment. A "
        "period with no row at all was not reported either."
    ),
    description_es=(
        "Resultados publicados: un valor de una medida para una unidad, periodo y segmento. "
        "Un periodo sin fila tampoco se reportó."
    ),
    fields=(
        UNIT_SLUG,
        text_field(
            "unit_kind",
            "Level of the unit.",
            "Nivel de la unidad.",
            allowed=UNIT_KINDS,
            nullable=False,
        ),
        METRIC_CODE,
        text_field(
            "scale",
            "Scale of value (copied from the metric).",
            "Escala de value (copiada de la medida).",
            allowed=SCALES,
            nullable=False,
        ),
        text_field(
            "granularity",
            "Length of the period.",
            "Duración del periodo.",
            allowed=GRANULARITIES,
            nullable=False,
        ),
        Field(
            "period_start",
            "date",
            "First day of the period.",
            "Primer día del periodo.",
            nullable=False,
        ),
        Field(
            "period_end",
            "date",
            "Last day of the period (inclusive).",
            "Último día del periodo (inclusive).",
            nullable=False,
        ),
        text_field(
            "period_label",
            "The period as this site writes it (Mar 2024, FY2024 Q2, FY2024).",
            "El periodo como lo escribe este sitio, en inglés (Mar 2024, FY2024 Q2, FY2024).",
            nullable=False,
        ),
        Field(
            "fiscal_year",
            "integer",
            "Fiscal year of the period, named by the calendar year in which it ends.",
            "Año fiscal del periodo, con el nombre del año natural en que termina.",
            nullable=False,
        ),
        Field(
            "fiscal_quarter",
            "integer",
            "Fiscal quarter (1–4) of the period; empty for a whole fiscal year.",
            "Trimestre fiscal (1–4) del periodo; vacío para un año fiscal completo.",
            allowed=("1", "2", "3", "4"),
        ),
        text_field(
            "segment_type",
            "What the figure is broken down by; empty for the figure for everyone.",
            "Por qué se desglosa la cifra; vacío para la cifra de todo el público.",
            allowed=tuple(kind for kind in SEGMENT_TYPES if kind),
        ),
        text_field(
            "segment_value",
            "The segment (phone, email, es...); empty for the figure for everyone.",
            "El segmento (phone, email, es...); vacío para la cifra de todo el público.",
        ),
        text_field(
            "reporting_status",
            "reported; not_reported (the unit published no value: never a zero); suppressed "
            "(too few survey responses to publish the value).",
            "reported (reportado); not_reported (sin valor publicado: nunca un cero); suppressed "
            "(demasiadas pocas respuestas para publicar el valor).",
            allowed=REPORTING_STATUSES,
            nullable=False,
        ),
        Field(
            "value",
            "number",
            "The result in the metric's scale; empty when not reported or suppressed.",
            "El resultado en la escala de la medida; vacío si no se reportó o se suprimió.",
            unit="the metric's scale (see scale)",
        ),
        Field(
            "numerator",
            "number",
            "Volume that met the standard, or agreeing survey responses.",
            "Volumen que cumplió el estándar, o respuestas de acuerdo.",
            unit="count",
        ),
        Field(
            "denominator",
            "number",
            "Total volume, or the number of survey responses.",
            "Volumen total, o número de respuestas a la encuesta.",
            unit="count",
        ),
        Field(
            "response_rate",
            "number",
            "Survey response rate.",
            "Tasa de respuesta de la encuesta.",
            unit="fraction (0–1)",
        ),
        Field(
            "score",
            "number",
            "The value normalized to 0–100 (see metrics norm_best and norm_worst).",
            "El valor normalizado de 0 a 100 (ver norm_best y norm_worst de la medida).",
            unit="points (0–100)",
        ),
        Field(
            "ci_low",
            "number",
            "Lower end of the 95% Wilson interval of a survey proportion.",
            "Extremo inferior del intervalo de Wilson al 95 % de una proporción de encuesta.",
            unit="the metric's scale (see scale)",
        ),
        Field(
            "ci_high",
            "number",
            "Upper end of the 95% Wilson interval of a survey proportion.",
            "Extremo superior del intervalo de Wilson al 95 % de una proporción de encuesta.",
            unit="the metric's scale (see scale)",
        ),
        Field(
            "small_sample",
            "boolean",
            "True when a survey result rests on fewer responses than the small-sample "
            "threshold: read it with care.",
            "Verdadero si un resultado de encuesta tiene menos respuestas que el umbral de "
            "muestra pequeña: léalo con cautela.",
            nullable=False,
        ),
        Field(
            "series_break",
            "boolean",
            "True when the method or question changed here: do not compare with earlier periods.",
            "Verdadero si aquí cambió el método o la pregunta: no compare con periodos anteriores.",
            nullable=False,
        ),
        Field(
            "revised",
            "boolean",
            "True when the figure was changed after it was first published.",
            "Verdadero si la cifra cambió después de publicarse por primera vez.",
            nullable=False,
        ),
        Field(
            "earlier_value",
            "number",
            "The value first published, for a revised figure.",
            "El valor publicado primero, para una cifra revisada.",
            unit="the metric's scale (see scale)",
        ),
        Field(
            "revised_at",
            "datetime",
            "When the figure was first revised (UTC).",
            "Cuándo se revisó la cifra por primera vez (UTC).",
        ),
        Field(
            "published_at",
            "datetime",
            "When the figure was published (UTC).",
            "Cuándo se publicó la cifra (UTC).",
        ),
    ),
    parameters=(
        _UNIT_FILTER,
        _METRIC_FILTER,
        Parameter(
            "period",
            "period",
            "A fiscal year (FY2025), fiscal quarter (FY2025 Q2) or month (2025-03): only "
            "periods within it. Several: repeat it or separate with commas.",
            "Un año fiscal (FY2025), trimestre fiscal (FY2025 Q2) o mes (2025-03): solo los "
            "periodos dentro de él. Varios: repítalo o sepárelos con comas.",
            example="FY2025 Q2",
        ),
        Parameter(
            "from",
            "date",
            "Only periods that start on or after this day (YYYY-MM-DD).",
            "Solo periodos que empiezan ese día o después (AAAA-MM-DD).",
            repeatable=False,
            example="2025-01-01",
        ),
        Parameter(
            "to",
            "date",
            "Only periods that end on or before this day (YYYY-MM-DD).",
            "Solo periodos que terminan ese día o antes (AAAA-MM-DD).",
            repeatable=False,
            example="2025-12-31",
        ),
        Parameter(
            "granularity",
            "choice",
            "Only periods of this length.",
            "Solo periodos de esta duración.",
            allowed=GRANULARITIES,
            example="quarter",
        ),
        Parameter(
            "segment",
            "segment",
            "overall (the figure for everyone), a segment type (channel) or type:value "
            "(channel:phone). Without it, every segment.",
            "overall (la cifra de todo el público), un tipo de segmento (channel) o tipo:valor "
            "(channel:phone). Sin él, todos los segmentos.",
            example=OVERALL_SEGMENT,
        ),
    ),
)

ACTIONS = Resource(
    name="actions",
    title_en="Actions",
    title_es="Acciones",
    description_en="Actions the units take to improve their results.",
    description_es="Acciones que toman las unidades para mejorar sus resultados.",
    fields=(
        UNIT_SLUG,
        *_bilingual("title", "Title of the action", "Título de la acción", nullable=False),
        *_bilingual("description", "What the action does", "Qué hace la acción"),
        text_field(
            "status",
            "Where the action stands.",
            "En qué punto está la acción.",
            allowed=ACTION_STATUSES,
            nullable=False,
        ),
        Field(
            "started_on", "date", "Day the action started.", "Día en que empezó.", nullable=False
        ),
        Field("completed_on", "date", "Day it was completed.", "Día en que se completó."),
        text_field("link", "Where to read more.", "Dónde leer más."),
        Field(
            "metric_codes",
            "list",
            "Codes of the metrics it aims to improve (separated by ; in CSV).",
            "Códigos de las medidas que busca mejorar (separados por ; en CSV).",
            nullable=False,
        ),
    ),
    parameters=(
        _UNIT_FILTER,
        _METRIC_FILTER,
        Parameter(
            "status",
            "choice",
            "Only actions in this state.",
            "Solo acciones en este estado.",
            allowed=ACTION_STATUSES,
            example="completed",
        ),
    ),
)

CONTACT_POINTS = Resource(
    name="contact-points",
    title_en="Contact points",
    title_es="Puntos de contacto",
    description_en=(
        "How to reach each unit: phone lines, walk-in offices with addresses and hours, "
        "mailing addresses, web forms."
    ),
    description_es=(
        "Cómo contactar con cada unidad: teléfonos, oficinas presenciales con dirección y "
        "horario, direcciones postales, formularios web."
    ),
    fields=(
        Field(
            "id",
            "integer",
            "Number of the contact point (closures.csv refers to it).",
            "Número del punto de contacto (closures.csv lo usa).",
            nullable=False,
        ),
        UNIT_SLUG,
        text_field(
            "channel", "How people reach it.", "Cómo se accede.", allowed=CHANNELS, nullable=False
        ),
        *_bilingual(
            "label", "Name of the contact point", "Nombre del punto de contacto", nullable=False
        ),
        text_field(
            "value",
            "Phone number, e-mail address or URL.",
            "Teléfono, correo electrónico o URL.",
        ),
        text_field("address", "Street or mailing address.", "Dirección postal o física."),
        *_bilingual("hours", "Hours of operation", "Horario de atención"),
        *_bilingual("appointment", "How to book an appointment", "Cómo pedir cita"),
        text_field(
            "languages",
            "Languages served (codes, comma-separated).",
            "Idiomas en que se atiende (códigos separados por comas).",
        ),
        Field(
            "sort_order",
            "integer",
            "Order in which the unit lists it.",
            "Orden en que la unidad lo presenta.",
            nullable=False,
        ),
    ),
    parameters=(
        _UNIT_FILTER,
        Parameter(
            "channel",
            "choice",
            "Only contact points of this channel.",
            "Solo puntos de contacto de este canal.",
            allowed=CHANNELS,
            example="phone",
        ),
    ),
)

CLOSURES = Resource(
    name="closures",
    title_en="Scheduled closures",
    title_es="Cierres programados",
    description_en="Closures posted in advance: holidays, moves, training days.",
    description_es="Cierres anunciados con antelación: festivos, mudanzas, días de formación.",
    fields=(
        UNIT_SLUG,
        Field(
            "contact_point_id",
            "integer",
            "The contact point that closes (see contact-points.csv); empty for the whole unit.",
            "El punto de contacto que cierra (ver contact-points.csv); vacío si cierra la unidad.",
        ),
        Field("starts_on", "date", "First day closed.", "Primer día cerrado.", nullable=False),
        Field(
            "ends_on",
            "date",
            "Last day closed (inclusive).",
            "Último día cerrado (inclusive).",
            nullable=False,
        ),
        *_bilingual("reason", "Why it closes", "Por qué cierra", nullable=False),
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
DICTIONARY = Resource(
    name="data-dictionary",
    title_en="Data dictionary",
    title_es="Diccionario de datos",
    description_en="Every column of every file: its type, meaning, unit and allowed values.",
    description_es="Cada columna de cada archivo: su tipo, significado, unidad y valores posibles.",
    fields=(
        text_field("file", "The CSV file.", "El archivo CSV.", nullable=False),
        text_field("column", "The column's name.", "El nombre de la columna.", nullable=False),
        text_field(
            "type",
            "Type of its values.",
            "Tipo de sus valores.",
            allowed=FIELD_TYPES,
            nullable=False,
        ),
        text_field(
            "description_en", "What it means (English).", "Qué significa (inglés).", nullable=False
        ),
        text_field(
            "description_es", "What it means (Spanish).", "Qué significa (español).", nullable=False
        ),
        text_field(
            "unit", "Unit of measure; empty when none.", "Unidad de medida; vacío si no tiene."
        ),
        Field(
            "allowed_values",
            "list",
            "The only values it takes (separated by ; in CSV); empty when open.",
            "Los únicos valores que toma (separados por ; en CSV); vacío si es libre.",
            nullable=False,
        ),
        Field(
            "nullable",
            "boolean",
            "Whether the column may be empty.",
            "Si la columna puede estar vacía.",
            nullable=False,
        ),
    ),
)

#: The common query parameters of every resource.
LIMIT_PARAMETER = "limit"
OFFSET_PARAMETER = "offset"
FORMAT_PARAMETER = "format"
PAGING_PARAMETERS = (LIMIT_PARAMETER, OFFSET_PARAMETER, FORMAT_PARAMETER)
