"""The open-data API as plain functions: resources, their columns, queries, files, OpenAPI.

One table of :class:`Resource` definitions (each with its :class:`Field` columns and its
filter :class:`Parameter` s) is the single source of the JSON records, the CSV headers, the
data dictionary, the OpenAPI document and the docs page, so they cannot drift apart.

Published data only: every query here filters drafts (``visibility``) and none selects an
internal note. Units, metrics, contact points and closures are drafts until published, like
everything else: the filters are ``dashboard.queries``' (``public_unit``, ``public_metric``,
``public_contact_point``, ``public_closure``), so the API and the pages see the same rows.
Targets are listed with their history: a corrected target keeps its row, with
``superseded_at``, and is never in force (``in_force_on`` leaves it out).

"Not reported" is a null ``value`` with ``reporting_status`` = "not_reported", never a
zero; survey results on fewer responses than the small-sample threshold carry
``small_sample`` (and under the "suppress" policy their value is withheld as "suppressed");
a revised figure carries ``revised`` and its earlier published value.

Nothing here does I/O at import; the Flask glue is ``callbacks/api.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from dashboard import queries
from dashboard.db import session_scope
from dashboard.fiscal import FiscalCalendar, Period
from dashboard.models import (
    ACTION_STATUSES,
    CHANNELS,
    COMPARATORS,
    DIMENSIONS,
    DIRECTIONS,
    GRANULARITIES,
    PUBLISHED,
    SCALES,
    SEGMENT_TYPES,
    TARGET_KINDS,
    UNIT_KINDS,
    Closure,
    ContactPoint,
    Metric,
    Observation,
    Unit,
)
from dashboard.normalize import PROPORTION_SCALES
from dashboard.settings import Settings
from dashboard.stats import is_small_sample, wilson_interval

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


def _text(name: str, en: str, es: str, **options: Any) -> Field:
    return Field(name, "string", en, es, **options)


def _bilingual(name: str, en: str, es: str, *, nullable: bool = True) -> tuple[Field, Field]:
    """The English and Spanish columns of one agency-provided text."""
    return (
        Field(f"{name}_en", "string", f"{en} (English).", f"{es} (inglés).", nullable=nullable),
        Field(f"{name}_es", "string", f"{en} (Spanish).", f"{es} (español)."),
    )


UNIT_SLUG = _text(
    "unit_slug",
    "Slug of the unit (see units.csv); the key used in URLs and filters.",
    "Identificador de la unidad (ver units.csv); la clave de las URL y los filtros.",
    nullable=False,
)
METRIC_CODE = _text(
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
        _text(
            "slug", "Unique slug of the unit.", "Identificador único de la unidad.", nullable=False
        ),
        _text(
            "kind",
            "Level of the unit.",
            "Nivel de la unidad.",
            allowed=UNIT_KINDS,
            nullable=False,
        ),
        _text(
            "parent_slug",
            "Slug of the unit this one belongs to; empty for the enterprise.",
            "Identificador de la unidad de la que depende; vacío para la administración.",
        ),
        _text("code", "The agency's own code for the unit.", "Código propio de la unidad."),
        *_bilingual("name", "Name of the unit", "Nombre de la unidad", nullable=False),
        *_bilingual("description", "What the unit does", "Qué hace la unidad"),
        _text("website", "The unit's website.", "Sitio web de la unidad."),
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
        _text("code", "Unique code of the metric.", "Código único de la medida.", nullable=False),
        *_bilingual("name", "Name of the metric", "Nombre de la medida", nullable=False),
        _text(
            "dimension",
            "What the metric is about: accuracy, responsiveness, timeliness, satisfaction...",
            "De qué trata: exactitud, capacidad de respuesta, puntualidad, satisfacción...",
            allowed=DIMENSIONS,
            nullable=False,
        ),
        _text(
            "scale",
            "Scale of its values: fraction (0–1), percent (0–100), mean_1_5, seconds...",
            "Escala de sus valores: fracción (0–1), porcentaje (0–100), media 1–5, segundos...",
            allowed=SCALES,
            nullable=False,
        ),
        _text(
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
        _text(
            "kind",
            "numeric (a value to meet), baseline (establish a baseline) or text (e.g. ≥10% "
            "improvement).",
            "numeric (un valor a cumplir), baseline (establecer una línea de base) o text (p. ej. "
            "mejora ≥10 %).",
            allowed=TARGET_KINDS,
            nullable=False,
        ),
        _text(
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
        _text(
            "unit_kind",
            "Level of the unit.",
            "Nivel de la unidad.",
            allowed=UNIT_KINDS,
            nullable=False,
        ),
        METRIC_CODE,
        _text(
            "scale",
            "Scale of value (copied from the metric).",
            "Escala de value (copiada de la medida).",
            allowed=SCALES,
            nullable=False,
        ),
        _text(
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
        _text(
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
        _text(
            "segment_type",
            "What the figure is broken down by; empty for the figure for everyone.",
            "Por qué se desglosa la cifra; vacío para la cifra de todo el público.",
            allowed=tuple(kind for kind in SEGMENT_TYPES if kind),
        ),
        _text(
            "segment_value",
            "The segment (phone, email, es...); empty for the figure for everyone.",
            "El segmento (phone, email, es...); vacío para la cifra de todo el público.",
        ),
        _text(
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
        _text(
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
        _text("link", "Where to read more.", "Dónde leer más."),
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
        _text(
            "channel", "How people reach it.", "Cómo se accede.", allowed=CHANNELS, nullable=False
        ),
        *_bilingual(
            "label", "Name of the contact point", "Nombre del punto de contacto", nullable=False
        ),
        _text(
            "value",
            "Phone number, e-mail address or URL.",
            "Teléfono, correo electrónico o URL.",
        ),
        _text("address", "Street or mailing address.", "Dirección postal o física."),
        *_bilingual("hours", "Hours of operation", "Horario de atención"),
        *_bilingual("appointment", "How to book an appointment", "Cómo pedir cita"),
        _text(
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
        _text("file", "The CSV file.", "El archivo CSV.", nullable=False),
        _text("column", "The column's name.", "El nombre de la columna.", nullable=False),
        _text(
            "type",
            "Type of its values.",
            "Tipo de sus valores.",
            allowed=FIELD_TYPES,
            nullable=False,
        ),
        _text(
            "description_en", "What it means (English).", "Qué significa (inglés).", nullable=False
        ),
        _text(
            "description_es", "What it means (Spanish).", "Qué significa (español).", nullable=False
        ),
        _text("unit", "Unit of measure; empty when none.", "Unidad de medida; vacío si no tiene."),
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
    with session_scope(database_url) as session:
        # Drafts are unknown: naming one is the same error as naming nothing.
        slugs = session.scalars(select(Unit.slug).where(queries.public_unit())).all()
        codes = session.scalars(select(Metric.code).where(queries.public_metric())).all()
        segments = session.execute(
            select(Observation.segment_type, Observation.segment_value)
            .where(Observation.visibility == PUBLISHED)
            .distinct()
        ).all()
    return Lookups(
        unit_slugs=frozenset(slugs),
        metric_codes=frozenset(codes),
        segments=frozenset((kind, value) for kind, value in segments),
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
            filters[parameter.name] = [value for value, _text in checked]
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


# -- values -----------------------------------------------------------------------------------


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp in UTC (SQLite hands them back without a zone; they are UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def json_value(value: Any) -> Any:
    """A value as JSON carries it: ISO dates, UTC timestamps ending in Z, no NaN."""
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


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: empty for null, true/false, lists joined with ";"."""
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return CSV_LIST_SEPARATOR.join(csv_cell(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def csv_text(fields: Sequence[Field], records: Iterable[Mapping[str, Any]]) -> str:
    """CSV with a header row, CRLF line ends (RFC 4180) and a UTF-8 byte-order mark, so that
    spreadsheet programs read the accents right (as the /download CSVs do)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f.name for f in fields])
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
) -> dict[str, Any]:
    """One published observation as the API gives it.

    ``row`` holds the stored columns plus ``unit_slug``, ``unit_kind``, ``metric_code``,
    ``scale``, ``is_survey``, ``earlier_value`` and ``revised_at``. A null value is
    "not_reported" (never zero). A survey result with too few responses is flagged, and under
    the "suppress" policy everything that would reveal it (value, agreeing count, score,
    interval, earlier value) is withheld; the response count stays, as the reason.
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
    fiscal_year, quarter = calendar.quarter_of(period)
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
        "period_label": calendar.period_label(period),
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


def _observations_select(filters: Mapping[str, Any]) -> Select[*tuple[Any, ...]]:
    query = queries.published_observations_select(Metric.scale, Metric.is_survey)
    if filters.get("unit"):
        query = query.where(Unit.slug.in_(filters["unit"]))
    if filters.get("metric"):
        query = query.where(Metric.code.in_(filters["metric"]))
    if filters.get("granularity"):
        query = query.where(Observation.granularity.in_(filters["granularity"]))
    if filters.get("period"):
        query = query.where(
            or_(
                *(
                    and_(Observation.period_start >= p.start, Observation.period_end <= p.end)
                    for p in filters["period"]
                )
            )
        )
    if filters.get("from") is not None:
        query = query.where(Observation.period_start >= filters["from"])
    if filters.get("to") is not None:
        query = query.where(Observation.period_end <= filters["to"])
    if filters.get("segment"):
        conditions = []
        for kind, value in filters["segment"]:
            if value is None:
                conditions.append(Observation.segment_type == kind)
            else:
                conditions.append(
                    and_(Observation.segment_type == kind, Observation.segment_value == value)
                )
        query = query.where(or_(*conditions))
    return query


def fetch_observations(
    database_url: str,
    filters: Mapping[str, Any],
    settings: Settings,
    *,
    limit: int | None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """(records on the page, total matching) of published observations, in a stable order."""
    query = _observations_select(filters)
    ordered = query.order_by(
        Unit.slug,
        Metric.code,
        Observation.granularity,
        Observation.segment_type,
        Observation.segment_value,
        Observation.period_start,
        Observation.id,
    ).offset(offset)
    if limit is not None:
        ordered = ordered.limit(limit)
    with session_scope(database_url) as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = [dict(row._mapping) for row in session.execute(ordered).all()]
    calendar = FiscalCalendar.from_settings(settings)
    records = [
        observation_record(
            row,
            calendar,
            small_sample_threshold=settings.small_sample_threshold,
            small_sample_policy=settings.small_sample_policy,
        )
        for row in rows
    ]
    return records, total


# -- the small resources ----------------------------------------------------------------------
# A few hundred rows each: loaded whole, filtered and paged in Python.


def _unit_records(database_url: str) -> list[dict[str, Any]]:
    parent = aliased(Unit)
    with session_scope(database_url) as session:
        rows = session.execute(
            select(
                Unit.slug,
                Unit.kind,
                parent.slug.label("parent_slug"),
                Unit.code,
                Unit.name_en,
                Unit.name_es,
                Unit.description_en,
                Unit.description_es,
                Unit.website,
            )
            .outerjoin(parent, Unit.parent_id == parent.id)
            .where(
                queries.public_unit(),
                or_(Unit.parent_id.is_(None), queries.public_unit(parent)),
            )
            .order_by(Unit.slug)
        ).all()
    return [dict(row._mapping) for row in rows]


def _contact_point_records(database_url: str) -> list[dict[str, Any]]:
    with session_scope(database_url) as session:
        rows = session.execute(
            select(*ContactPoint.__table__.columns, Unit.slug.label("unit_slug"))
            .join(Unit, ContactPoint.unit_id == Unit.id)
            .where(queries.public_contact_point())
            .order_by(Unit.slug, ContactPoint.sort_order, ContactPoint.id)
        ).all()
    return [dict(row._mapping) for row in rows]


def _closure_records(database_url: str) -> list[dict[str, Any]]:
    with session_scope(database_url) as session:
        rows = session.execute(
            select(*Closure.__table__.columns, Unit.slug.label("unit_slug"))
            .join(Unit, Closure.unit_id == Unit.id)
            .where(queries.public_closure())
            .order_by(Closure.starts_on, Unit.slug, Closure.id)
        ).all()
    return [dict(row._mapping) for row in rows]


def _target_records(database_url: str) -> list[dict[str, Any]]:
    """Every published target, corrected ones included (as history, with superseded_at)."""
    return queries.published_targets(database_url, include_superseded=True)


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
    "units": _unit_records,
    "metrics": queries.metrics,
    "targets": _target_records,
    "actions": queries.published_actions,
    "contact-points": _contact_point_records,
    "closures": _closure_records,
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


# -- metadata ---------------------------------------------------------------------------------


def license_info(license_id: str) -> dict[str, str | None]:
    """The licence as OpenAPI and the metadata name it: an SPDX id and where to read it."""
    if license_id.startswith(("http://", "https://")):
        return {"id": None, "name": license_id, "url": license_id}
    return {"id": license_id, "name": license_id, "url": LICENSE_URLS.get(license_id)}


def source_text(settings: Settings) -> str:
    return (
        f"{settings.site_name}: customer-service results published by each agency. "
        "Published figures only; drafts and internal notes are never included."
    )


def metadata(
    status: queries.DataStatus,
    settings: Settings,
    *,
    base_url: str,
    resource: Resource,
    query: ResourceQuery,
    total: int,
    count: int,
) -> dict[str, Any]:
    """The ``meta`` object of a JSON page: how current, whose, which query, where next."""
    path = base_url + resource.path
    next_offset = query.offset + query.limit
    previous_offset = max(query.offset - query.limit, 0)
    meta: dict[str, Any] = {
        "resource": resource.name,
        "description": resource.description_en,
        "data_as_of": json_value(status.as_of),
        "last_updated": json_value(status.last_updated),
        "data_version": status.version,
        "source": source_text(settings),
        "license": license_info(settings.open_data_license),
        "query": {
            **query.echo,
            LIMIT_PARAMETER: query.limit,
            OFFSET_PARAMETER: query.offset,
            FORMAT_PARAMETER: query.format,
        },
        "total": total,
        "count": count,
        "links": {
            "self": f"{path}?{query.query_string()}",
            "next": f"{path}?{query.query_string(next_offset)}" if next_offset < total else None,
            "previous": f"{path}?{query.query_string(previous_offset)}"
            if query.offset > 0
            else None,
            "csv": f"{base_url}{resource.csv_path}?{query.query_string()}",
            "documentation": base_url + DOCS_PAGE_PATH,
            "openapi": base_url + OPENAPI_PATH,
            "download_all": base_url + ZIP_PATH,
        },
    }
    if resource is OBSERVATIONS:
        meta["small_sample_threshold"] = settings.small_sample_threshold
        meta["small_sample_policy"] = settings.small_sample_policy
    return meta


def page_links(
    base_url: str, resource: Resource, query: ResourceQuery, total: int
) -> dict[str, str]:
    """RFC 8288 ``Link`` relations of a CSV page (next, prev), for clients that follow them."""
    links: dict[str, str] = {}
    path = base_url + resource.csv_path
    if query.offset + query.limit < total:
        links["next"] = f"{path}?{query.query_string(query.offset + query.limit)}"
    if query.offset > 0:
        links["prev"] = f"{path}?{query.query_string(max(query.offset - query.limit, 0))}"
    return links


def catalog(status: queries.DataStatus, settings: Settings, base_url: str) -> dict[str, Any]:
    """The API's front door: every resource with its links."""
    return {
        "title": f"{settings.site_name} open data API",
        "version": API_VERSION,
        "data_as_of": json_value(status.as_of),
        "last_updated": json_value(status.last_updated),
        "data_version": status.version,
        "source": source_text(settings),
        "license": license_info(settings.open_data_license),
        "resources": [
            {
                "name": resource.name,
                "title": resource.title_en,
                "description": resource.description_en,
                "url": base_url + resource.path,
                "csv": base_url + resource.csv_path,
                "parameters": [p.name for p in resource.parameters],
            }
            for resource in RESOURCES
        ],
        "links": {
            "openapi": base_url + OPENAPI_PATH,
            "documentation": base_url + DOCS_PAGE_PATH,
            "download_all": base_url + ZIP_PATH,
            "data_dictionary": base_url + DICTIONARY_PATH,
        },
    }


# -- data dictionary and the download-all ZIP -------------------------------------------------


def data_dictionary() -> list[dict[str, Any]]:
    """One row per column of every CSV file in the download (data-dictionary.csv included)."""
    return [
        {
            "file": resource.file_name,
            "column": f.name,
            "type": f.type,
            "description_en": f.description_en,
            "description_es": f.description_es,
            "unit": f.unit or None,
            "allowed_values": list(f.allowed),
            "nullable": f.nullable,
        }
        for resource in (*RESOURCES, DICTIONARY)
        for f in resource.fields
    ]


def settings_fingerprint(settings: Settings) -> str:
    """The settings that change what the API writes; part of every cache key."""
    text = "|".join(
        str(part)
        for part in (
            settings.small_sample_threshold,
            settings.small_sample_policy,
            settings.fiscal_year_start_month,
            settings.fiscal_year_label_style,
            settings.open_data_license,
            settings.site_name,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def readme_text(status: queries.DataStatus, settings: Settings, base_url: str) -> str:
    licence = license_info(settings.open_data_license)
    as_of = json_value(status.as_of) or "no published data yet"
    updated = json_value(status.last_updated) or "never"
    files = "\n".join(
        f"  {resource.file_name:<22} {resource.description_en}" for resource in RESOURCES
    )
    lines = [
        f"{settings.site_name} open data",
        "",
        f"Source:        {source_text(settings)}",
        f"Data as of:    {as_of} (the end of the latest published period)",
        f"Last updated:  {updated}",
        f"Data version:  {status.version}",
        f"Licence:       {licence['name']}" + (f" ({licence['url']})" if licence["url"] else ""),
        f"API:           {base_url}{API_PREFIX} (OpenAPI: {base_url}{OPENAPI_PATH})",
        f"Documentation: {base_url}{DOCS_PAGE_PATH}",
        "",
        "Files (UTF-8 CSV with a byte-order mark, comma-separated, CRLF line ends):",
        files,
        f"  {'data-dictionary.csv':<22} {DICTIONARY.description_en}",
        "",
        "How to read the figures:",
        "- An empty value is never a zero. reporting_status says why it is empty: not_reported",
        "  (the unit published no value) or suppressed (too few survey responses). A period",
        "  with no row at all in observations.csv was not reported either.",
        f"- small_sample is true for survey results on fewer than {settings.small_sample_threshold}"
        " responses:",
        "  read them with care; ci_low and ci_high give the 95% Wilson interval.",
        "- revised is true for a figure changed after it was first published; earlier_value",
        "  holds the value first published and revised_at when it changed.",
        "- series_break is true where the method or question changed: do not compare across it.",
        "- A result is judged against the target in force on the last day of its period",
        "  (targets.csv: effective_from to effective_to). A corrected target stays in",
        "  targets.csv as history with superseded_at set; it is never in force.",
        "- Lists (metric_codes, allowed_values) are separated by ';' within a cell.",
        "",
    ]
    return "\r\n".join(lines)


#: A fixed timestamp for every file in the ZIP, so the same data gives the same bytes.
_ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)


def build_zip(database_url: str, settings: Settings, base_url: str) -> bytes:
    """Every resource as a CSV, with data-dictionary.csv and README.txt, in one ZIP."""
    status = queries.data_status(database_url)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, text: str) -> None:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))

        add("README.txt", readme_text(status, settings, base_url))
        add(DICTIONARY.file_name, csv_text(DICTIONARY.fields, data_dictionary()))
        for resource in RESOURCES:
            records, _total = fetch(database_url, resource, {}, settings, limit=None)
            add(resource.file_name, csv_text(resource.fields, records))
    return buffer.getvalue()


# -- OpenAPI ----------------------------------------------------------------------------------

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "list": {"type": "array", "items": {"type": "string"}},
}


def field_schema(f: Field) -> dict[str, Any]:
    """A column as JSON Schema (2020-12, as OpenAPI 3.1 uses): nullable is a "null" type."""
    schema: dict[str, Any] = {**_JSON_TYPES[f.type], "description": f.description_en}
    if f.allowed and f.type != "list":
        allowed: list[Any] = [int(v) for v in f.allowed] if f.type == "integer" else list(f.allowed)
        schema["enum"] = [*allowed, None] if f.nullable else allowed
    if f.nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


def resource_schema(resource: Resource) -> dict[str, Any]:
    return {
        "type": "object",
        "description": resource.description_en,
        "properties": {f.name: field_schema(f) for f in resource.fields},
        "required": [f.name for f in resource.fields],
        "additionalProperties": False,
    }


def _parameter_object(parameter: Parameter) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if parameter.kind == "date":
        schema["format"] = "date"
    if parameter.allowed:
        schema["enum"] = list(parameter.allowed)
    if parameter.repeatable:
        schema = {"type": "array", "items": schema}
    described: dict[str, Any] = {
        "name": parameter.name,
        "in": "query",
        "required": False,
        "description": parameter.description_en,
        "schema": schema,
    }
    if parameter.repeatable:
        described.update(style="form", explode=True)
    if parameter.example:
        described["example"] = [parameter.example] if parameter.repeatable else parameter.example
    return described


_META_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "How current the data is, whose it is, the query read back, and links.",
    "properties": {
        "resource": {"type": "string"},
        "description": {"type": "string"},
        "data_as_of": {
            "type": ["string", "null"],
            "format": "date",
            "description": "End of the latest published period.",
        },
        "last_updated": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When anything was last published or revised (UTC).",
        },
        "data_version": {
            "type": "string",
            "description": "Changes whenever published data does.",
        },
        "source": {"type": "string"},
        "license": {"$ref": "#/components/schemas/License"},
        "query": {
            "type": "object",
            "description": "The filters and paging as understood (normalized).",
        },
        "total": {"type": "integer", "description": "Rows matching the filters."},
        "count": {"type": "integer", "description": "Rows on this page."},
        "links": {
            "type": "object",
            "properties": {
                name: {"type": ["string", "null"], "format": "uri"}
                for name in (
                    "self",
                    "next",
                    "previous",
                    "csv",
                    "documentation",
                    "openapi",
                    "download_all",
                )
            },
            "required": ["self", "next", "previous"],
        },
        "small_sample_threshold": {"type": "integer"},
        "small_sample_policy": {"type": "string", "enum": ["flag", "suppress"]},
    },
    "required": [
        "resource",
        "data_as_of",
        "last_updated",
        "data_version",
        "source",
        "license",
        "query",
        "total",
        "count",
        "links",
    ],
}

_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "parameter": {"type": "string", "description": "The parameter at fault."},
                "value": {"type": ["string", "null"], "description": "Its value as given."},
                "message": {"type": "string"},
            },
            "required": ["status", "code", "message"],
        }
    },
    "required": ["error"],
}

_LICENSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": ["string", "null"], "description": "SPDX identifier."},
        "name": {"type": "string"},
        "url": {"type": ["string", "null"], "format": "uri"},
    },
    "required": ["id", "name", "url"],
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _error_responses() -> dict[str, Any]:
    return {
        "400": _ref("responses", "BadParameter"),
        "404": _ref("responses", "NotFound"),
    }


def _csv_content() -> dict[str, Any]:
    return {"text/csv": {"schema": {"type": "string", "contentMediaType": "text/csv"}}}


def openapi_document(settings: Settings) -> dict[str, Any]:
    """An OpenAPI 3.1 description of every route under /api/v1."""
    licence = license_info(settings.open_data_license)
    info_license: dict[str, str] = {"name": licence["name"] or settings.open_data_license}
    if licence["id"] and licence["id"] in LICENSE_URLS:
        info_license["identifier"] = licence["id"]
    elif licence["url"]:
        info_license["url"] = licence["url"]
    paging = [
        _ref("parameters", "limit"),
        _ref("parameters", "offset"),
    ]
    paths: dict[str, Any] = {
        API_PREFIX: {
            "get": {
                "operationId": "getCatalog",
                "summary": "The API's resources and links",
                "tags": ["catalog"],
                "responses": {
                    "200": {
                        "description": "The catalog.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        OPENAPI_PATH: {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "tags": ["catalog"],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        ZIP_PATH: {
            "get": {
                "operationId": "downloadAll",
                "summary": "Every resource as CSV, with data-dictionary.csv and README.txt",
                "tags": ["download"],
                "responses": {
                    "200": {
                        "description": "A ZIP archive of UTF-8 CSV files.",
                        "content": {
                            "application/zip": {
                                "schema": {"type": "string", "contentMediaType": "application/zip"}
                            }
                        },
                    }
                },
            }
        },
        DICTIONARY_PATH: {
            "get": {
                "operationId": "getDataDictionary",
                "summary": DICTIONARY.description_en,
                "tags": ["download"],
                "parameters": [_ref("parameters", "format")],
                "responses": {
                    "200": {
                        "description": "Every column of every file.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "data": {
                                            "type": "array",
                                            "items": _ref("schemas", DICTIONARY.schema_name),
                                        }
                                    },
                                    "required": ["data"],
                                }
                            },
                            **_csv_content(),
                        },
                    },
                    "400": _ref("responses", "BadParameter"),
                },
            }
        },
        f"{DICTIONARY_PATH}.csv": {
            "get": {
                "operationId": "getDataDictionaryCsv",
                "summary": DICTIONARY.description_en + " (CSV)",
                "tags": ["download"],
                "responses": {
                    "200": {"description": "data-dictionary.csv", "content": _csv_content()}
                },
            }
        },
    }
    schemas: dict[str, Any] = {
        "Meta": _META_SCHEMA,
        "Error": _ERROR_SCHEMA,
        "License": _LICENSE_SCHEMA,
        DICTIONARY.schema_name: resource_schema(DICTIONARY),
    }
    for resource in RESOURCES:
        schemas[resource.schema_name] = resource_schema(resource)
        page_name = f"{resource.schema_name}Page"
        schemas[page_name] = {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": _ref("schemas", resource.schema_name)},
                "meta": _ref("schemas", "Meta"),
            },
            "required": ["data", "meta"],
        }
        filters = [_parameter_object(p) for p in resource.parameters]
        operation_id = "".join(part.capitalize() for part in resource.name.split("-"))
        paths[resource.path] = {
            "get": {
                "operationId": f"list{operation_id}",
                "summary": resource.title_en,
                "description": resource.description_en,
                "tags": [resource.name],
                "parameters": [*filters, *paging, _ref("parameters", "format")],
                "responses": {
                    "200": {
                        "description": f"A page of {resource.name}.",
                        "headers": {"ETag": {"schema": {"type": "string"}}},
                        "content": {
                            "application/json": {"schema": _ref("schemas", page_name)},
                            **_csv_content(),
                        },
                    },
                    **_error_responses(),
                },
            }
        }
        paths[resource.csv_path] = {
            "get": {
                "operationId": f"list{operation_id}Csv",
                "summary": f"{resource.title_en} (CSV)",
                "description": resource.description_en
                + " Pages as the JSON does; the Link header gives the next page.",
                "tags": [resource.name],
                "parameters": [*filters, *paging],
                "responses": {
                    "200": {
                        "description": f"A page of {resource.name} as CSV.",
                        "headers": {
                            "Link": {"schema": {"type": "string"}},
                            "X-Total-Count": {"schema": {"type": "integer"}},
                        },
                        "content": _csv_content(),
                    },
                    **_error_responses(),
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": f"{settings.site_name} open data API",
            "version": API_VERSION,
            "summary": "Published customer-service results, targets and actions.",
            "description": (
                "Read-only, published data only. JSON by default; CSV with the .csv suffix or "
                f"format=csv. Pages of at most {MAX_LIMIT} rows (default {DEFAULT_LIMIT}), with "
                "a next link. A null value is never a zero: see reporting_status. Errors are "
                "JSON with the parameter and value at fault."
            ),
            "license": info_license,
        },
        "servers": [{"url": "/"}],
        "externalDocs": {"description": "Open data page", "url": DOCS_PAGE_PATH},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "limit": {
                    "name": LIMIT_PARAMETER,
                    "in": "query",
                    "required": False,
                    "description": f"Rows per page, 1 to {MAX_LIMIT}.",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_LIMIT,
                        "default": DEFAULT_LIMIT,
                    },
                },
                "offset": {
                    "name": OFFSET_PARAMETER,
                    "in": "query",
                    "required": False,
                    "description": "Rows to skip (follow meta.links.next rather than counting).",
                    "schema": {"type": "integer", "minimum": 0, "default": 0},
                },
                "format": {
                    "name": FORMAT_PARAMETER,
                    "in": "query",
                    "required": False,
                    "description": "json (default) or csv.",
                    "schema": {"type": "string", "enum": list(FORMATS), "default": "json"},
                },
            },
            "responses": {
                "BadParameter": {
                    "description": "A parameter the API cannot use; the error names it.",
                    "content": {"application/json": {"schema": _ref("schemas", "Error")}},
                },
                "NotFound": {
                    "description": "No such path.",
                    "content": {"application/json": {"schema": _ref("schemas", "Error")}},
                },
            },
        },
    }


def openapi_path(flask_rule: str) -> str:
    """A Flask rule ("/api/v1/<name>") written as an OpenAPI path ("/api/v1/{name}")."""
    out, depth, name = [], 0, ""
    for char in flask_rule:
        if char == "<":
            depth, name = 1, ""
        elif char == ">" and depth:
            depth = 0
            out.append("{" + name.rpartition(":")[2] + "}")
        elif depth:
            name += char
        else:
            out.append(char)
    return "".join(out)


# -- examples for the docs page ---------------------------------------------------------------


def example_values(database_url: str) -> dict[str, str]:
    """Real values for the docs page's example links: a unit and metric that have data."""
    with session_scope(database_url) as session:
        row = session.execute(
            select(
                Unit.slug.label("unit_slug"),
                Metric.code.label("metric_code"),
                Observation.period_end,
            )
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(
                Observation.visibility == PUBLISHED,
                Unit.kind == "agency",
                queries.public_unit(),
                queries.public_metric(),
            )
            .order_by(Observation.period_end.desc(), Unit.slug, Metric.code)
            .limit(1)
        ).first()
    if row is None:
        return {}
    return {
        "unit": row.unit_slug,
        "metric": row.metric_code,
        "period_end": row.period_end.isoformat(),
    }
