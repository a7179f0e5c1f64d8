"""The methodology page's view: how every figure on the site is defined, measured and judged.

Everything about a metric comes from its definition in the store (``queries.metrics``), so the
page documents exactly the metrics that are published, in the page's language. A metric whose
definition, method, data source or target-setting text is missing in every language is not
hidden: its entry says so ("Definition missing"), the view lists it in ``incomplete``, and a
test over the demo store fails on it.

The page-wide rules are written from this deployment's settings (small-sample threshold and
policy, fiscal calendar), so the page never describes a rule the site does not apply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboard import queries
from dashboard.fiscal import FiscalCalendar
from dashboard.formatting import MONTH_NAMES, format_count, format_day
from dashboard.models import DIMENSIONS
from dashboard.normalize import PROPORTION_SCALES, NormalizationRule, describe
from dashboard.routes import Route
from dashboard.scorecard import HeadlineChoice, MetricInfo
from dashboard.settings import Settings
from dashboard.targets import Status, status_label, status_symbol

#: The texts every metric must have, in the order the page shows them.
METRIC_TEXT_FIELDS = ("definition", "method", "data_source", "target_setting")

TEXT: dict[str, dict[str, str]] = {
    # Labels of the per-metric facts.
    "definition": {"en": "Definition", "es": "Definición"},
    "method": {"en": "How it is measured", "es": "Cómo se mide"},
    "data_source": {"en": "Data source", "es": "Fuente de los datos"},
    "target_setting": {"en": "How the target is set", "es": "Cómo se fija la meta"},
    "scale": {"en": "Unit", "es": "Unidad"},
    "direction": {"en": "Better when", "es": "Es mejor cuando"},
    "normalization": {"en": "0–100 score", "es": "Puntuación 0–100"},
    "survey": {"en": "Survey measure", "es": "Medida de encuesta"},
    "code": {"en": "Code in data files", "es": "Código en los archivos de datos"},
    # What the page says in place of a text the store does not have in any language.
    "missing_definition": {"en": "Definition missing", "es": "Falta la definición"},
    "missing_method": {
        "en": "Measurement method missing",
        "es": "Falta el método de medición",
    },
    "missing_data_source": {"en": "Data source missing", "es": "Falta la fuente de los datos"},
    "missing_target_setting": {
        "en": "Target-setting rule missing",
        "es": "Falta la regla para fijar la meta",
    },
    "direction_higher": {"en": "Higher is better", "es": "Más alto es mejor"},
    "direction_lower": {"en": "Lower is better", "es": "Más bajo es mejor"},
    "survey_proportion": {
        "en": (
            "Yes. Shown with its 95% interval and number of responses; fewer than {n} "
            "responses is a small sample."
        ),
        "es": (
            "Sí. Se muestra con su intervalo del 95 % y el número de respuestas; menos de {n} "
            "respuestas es una muestra pequeña."
        ),
    },
    "survey_mean": {
        "en": "Yes. Shown with its number of responses; fewer than {n} is a small sample.",
        "es": ("Sí. Se muestra con su número de respuestas; menos de {n} es una muestra pequeña."),
    },
}

SCALE_WORDS: dict[str, dict[str, str]] = {
    "fraction": {
        "en": "A share of the total, shown as a percentage (0% to 100%)",
        "es": "Una proporción del total, mostrada como porcentaje (del 0 % al 100 %)",
    },
    "percent": {"en": "A percentage (0% to 100%)", "es": "Un porcentaje (del 0 % al 100 %)"},
    "mean_1_5": {
        "en": "An average rating on a scale from 1 to 5",
        "es": "Una calificación media en una escala de 1 a 5",
    },
    "score_0_10": {
        "en": "A score on a scale from 0 to 10",
        "es": "Una puntuación en una escala de 0 a 10",
    },
    "seconds": {"en": "A time in seconds", "es": "Un tiempo en segundos"},
    "minutes": {"en": "A time in minutes", "es": "Un tiempo en minutos"},
    "hours": {"en": "A time in hours", "es": "Un tiempo en horas"},
    "business_days": {
        "en": "A time in business days (weekends and public holidays do not count)",
        "es": "Un tiempo en días hábiles (no cuentan los fines de semana ni los feriados)",
    },
    "count": {"en": "A count", "es": "Un número de casos"},
}

DIMENSION_WORDS: dict[str, dict[str, str]] = {
    "accuracy": {"en": "Accuracy", "es": "Exactitud"},
    "responsiveness": {"en": "Responsiveness", "es": "Capacidad de respuesta"},
    "timeliness": {"en": "Timeliness", "es": "Puntualidad"},
    "satisfaction": {"en": "Satisfaction and trust", "es": "Satisfacción y confianza"},
    "access": {"en": "Access", "es": "Acceso"},
    "other": {"en": "Other measures", "es": "Otras medidas"},
}

DIMENSION_INTROS: dict[str, dict[str, str]] = {
    "accuracy": {
        "en": "Whether people get the right answer or decision the first time.",
        "es": "Si las personas reciben la respuesta o decisión correcta la primera vez.",
    },
    "responsiveness": {
        "en": "How quickly an agency acknowledges and answers the people who contact it.",
        "es": "Qué tan rápido una agencia acusa recibo y responde a quienes la contactan.",
    },
    "timeliness": {
        "en": "How long it takes to complete a service, against the time the agency promises.",
        "es": "Cuánto tarda en completarse un servicio, frente al plazo que promete la agencia.",
    },
    "satisfaction": {
        "en": "What the people served say about the service, from customer surveys.",
        "es": "Lo que dicen las personas atendidas sobre el servicio, según las encuestas.",
    },
    "access": {
        "en": "How easy it is to reach a person, mostly by phone.",
        "es": "Qué tan fácil es comunicarse con una persona, sobre todo por teléfono.",
    },
    "other": {
        "en": "Measures that give context to the others.",
        "es": "Medidas que dan contexto a las demás.",
    },
}

RULE_TEXT: dict[str, dict[str, str]] = {
    # The headline measure of a dimension, and why (issue 8).
    "headline_catalogue": {
        "en": "Headline measure on the scorecard: {name}, set in the metric catalogue.",
        "es": "Medida principal en el cuadro de resultados: {name}, fijada en el catálogo "
        "de medidas.",
    },
    "headline_default": {
        "en": "Headline measure on the scorecard: {name}, the dashboard's default for this "
        "dimension (not set in the metric catalogue).",
        "es": "Medida principal en el cuadro de resultados: {name}, la medida por defecto "
        "del panel para esta dimensión (no fijada en el catálogo de medidas).",
    },
    "headline_only": {
        "en": "Headline measure on the scorecard: {name}, the only measure of this dimension "
        "(not set in the metric catalogue).",
        "es": "Medida principal en el cuadro de resultados: {name}, la única medida de esta "
        "dimensión (no fijada en el catálogo de medidas).",
    },
    "headline_most_results": {
        "en": "Headline measure on the scorecard: {name}, the measure of this dimension with "
        "the most published results; the headline was not set in the metric catalogue.",
        "es": "Medida principal en el cuadro de resultados: {name}, la medida de esta "
        "dimensión con más resultados publicados; la medida principal no se fijó en el "
        "catálogo de medidas.",
    },
    "headline_drivers": {
        "en": "The other measures below are drivers: shown beside it, never instead of it.",
        "es": "Las demás medidas de abajo son factores: se muestran junto a ella, nunca en su "
        "lugar.",
    },
    # How results of services roll up to their agency and to the enterprise (issue 8).
    "rollup_title": {
        "en": "Agencies, their services and the enterprise",
        "es": "Agencias, sus servicios y el conjunto del gobierno",
    },
    "rollup_standard": {
        "en": (
            "A service standard is a service's measure with a target in force in the period "
            "(a posted service level such as “We answer 80% of calls within 10 minutes”)."
        ),
        "es": (
            "Un estándar de servicio es una medida de un servicio con una meta vigente en el "
            "periodo (un nivel de servicio publicado, como “Respondemos el 80 % de las "
            "llamadas en 10 minutos”)."
        ),
    },
    "rollup_headline": {
        "en": (
            "An agency's result in a dimension is its own published figure of the "
            "dimension's headline measure when it published one for the period (a published "
            "“no data” included). Otherwise it is the roll-up of its services' standards in "
            "the dimension: “5 of 7 service standards met”, counted over the standards that "
            "reported against a numeric target. The roll-up is met when every one of them "
            "met its target, not met when any missed, and not reported when none reported; "
            "standards that did not report are listed, never counted as misses."
        ),
        "es": (
            "El resultado de una agencia en una dimensión es su propia cifra publicada de la "
            "medida principal de la dimensión cuando publicó una para el periodo (incluido un "
            "“sin datos” publicado). Si no, es el agregado de los estándares de sus servicios "
            "en la dimensión: “5 de 7 estándares de servicio cumplidos”, contados sobre los "
            "estándares que reportaron frente a una meta numérica. El agregado se cumple "
            "cuando todos cumplieron su meta, no se cumple cuando alguno no la cumplió y no "
            "se reporta cuando ninguno reportó; los estándares que no reportaron se nombran, "
            "nunca se cuentan como incumplimientos."
        ),
    },
    "rollup_count": {
        "en": (
            "Across all agencies, an agency with its own figure counts once, and an agency "
            "judged on its services counts each of its standards once: for example “7 of 16 "
            "met, 43.8%”, with how many reported (“16 of 17 reported”) and the ones that did "
            "not report named. An agency with neither a figure of its own nor a service "
            "standard in the dimension counts once, as not reported: it does not measure it."
        ),
        "es": (
            "En el conjunto de agencias, una agencia con cifra propia cuenta una vez, y una "
            "agencia evaluada por sus servicios cuenta cada uno de sus estándares una vez: "
            "por ejemplo “7 de 16 cumplen, 43.8%”, con cuántos reportaron (“16 de 17 "
            "reportaron”) y los que no reportaron nombrados. Una agencia sin cifra propia ni "
            "estándar de servicio en la dimensión cuenta una vez, como no reportada: no la "
            "mide."
        ),
    },
    "rollup_pooling": {
        "en": (
            "A standard's result for a quarter or a year combines its months or quarters by "
            "volume: everything that met the standard over everything received, not an "
            "average of percentages."
        ),
        "es": (
            "El resultado de un estándar para un trimestre o un año combina sus meses o "
            "trimestres por volumen: todo lo que cumplió el estándar sobre todo lo recibido, "
            "no un promedio de porcentajes."
        ),
    },
    # Which period the overview and the review show first (issue 8).
    "period_title": {
        "en": "Which period is shown first",
        "es": "Qué periodo se muestra primero",
    },
    "period_body": {
        "en": (
            "The overview and the review open on the latest period the data have: the latest "
            "fiscal quarter with quarterly results (monthly results are combined into their "
            "quarters), or the latest fiscal year when a later fiscal year has yearly results "
            "only. Earlier quarters and years can be chosen."
        ),
        "es": (
            "El resumen y la revisión se abren en el periodo más reciente de los datos: el "
            "último trimestre fiscal con resultados trimestrales (los resultados mensuales se "
            "combinan en su trimestre), o el último año fiscal cuando un año fiscal posterior "
            "solo tiene resultados anuales. Se pueden elegir trimestres y años anteriores."
        ),
    },
    "period_year": {
        "en": (
            "Where results are published only by fiscal year, the scorecard is yearly and "
            "the review compares each fiscal year with the one before."
        ),
        "es": (
            "Donde los resultados se publican solo por año fiscal, el cuadro de resultados es "
            "anual y la revisión compara cada año fiscal con el anterior."
        ),
    },
    "status_title": {"en": "What “met” means", "es": "Qué significa “cumplido”"},
    "status_in_force": {
        "en": (
            "Each result is compared with the target that was in force on the last day of its "
            "period. When a target changes, earlier results are still judged against the "
            "target of their own time, and a target that starts partway through a quarter "
            "applies to that whole quarter."
        ),
        "es": (
            "Cada resultado se compara con la meta vigente el último día de su periodo. "
            "Cuando una meta cambia, los resultados anteriores se siguen juzgando con la meta "
            "de su momento, y una meta que empieza a mitad de un trimestre se aplica a todo "
            "ese trimestre."
        ),
    },
    "status_direction": {
        "en": (
            "Where lower is better, such as waiting times, a result meets its target when it "
            "is at or below it."
        ),
        "es": (
            "Cuando más bajo es mejor, como en los tiempos de espera, un resultado cumple la "
            "meta si es igual o inferior a ella."
        ),
    },
    "status_list": {
        "en": (
            "Every result has one of four statuses, always written out and marked with a "
            "symbol, never shown by colour alone:"
        ),
        "es": (
            "Cada resultado tiene uno de cuatro estados, siempre escrito y marcado con un "
            "símbolo, nunca indicado solo con color:"
        ),
    },
    "status_precision": {
        "en": (
            "A result is judged as published, to its full precision, never after rounding. "
            "The figure shown beside a status is rounded as usual (one decimal for a "
            "percentage) unless that rounding would contradict the status: then it shows as "
            "many more decimals as decide it. A result of 79.982% against a target of ≥ 80% "
            "is shown as “79.98%, not met”, never as “80%, not met”. Pages, tables, CSV "
            "downloads, chart images and the review all follow this rule; the open-data API "
            "gives the value as published."
        ),
        "es": (
            "Un resultado se juzga tal como se publicó, con toda su precisión, nunca después "
            "de redondearlo. La cifra que acompaña a un estado se redondea como de costumbre "
            "(un decimal en un porcentaje) salvo que ese redondeo contradiga el estado: "
            "entonces muestra los decimales que lo deciden. Un resultado del 79.982% con una "
            "meta de ≥ 80% se muestra como “79.98%, no cumplido”, nunca como “80%, no "
            "cumplido”. Las páginas, las tablas, las descargas CSV, las imágenes de los "
            "gráficos y la revisión siguen esta regla; la API de datos abiertos da el valor "
            "tal como se publicó."
        ),
    },
    "status_history": {
        "en": (
            "On any day exactly one target is in force for a service and measure. When an "
            "agency corrects a target it had published, the old one is kept as history and "
            "shown with the service level (“Target changed on <date>, from ≥ 80% to ≥ 85%”); "
            "a target that takes effect later is shown as “From <date>: ≥ 85% (was ≥ 80%)”."
        ),
        "es": (
            "Cada día rige exactamente una meta para un servicio y una medida. Cuando una "
            "agencia corrige una meta que había publicado, la anterior se conserva como "
            "historial y se muestra junto al nivel de servicio (“Meta cambiada el <fecha>: de "
            "≥ 80% a ≥ 85%”); una meta que rige más adelante se muestra como “Desde el "
            "<fecha>: ≥ 85% (antes ≥ 80%)”."
        ),
    },
    f"status_{Status.MET.value}": {
        "en": "the result reached the target.",
        "es": "el resultado alcanzó la meta.",
    },
    f"status_{Status.NOT_MET.value}": {
        "en": "the result fell short of the target.",
        "es": "el resultado no alcanzó la meta.",
    },
    f"status_{Status.NO_TARGET.value}": {
        "en": (
            "no numeric target was in force, or the target is not a number (for example "
            "“Establish baseline”)."
        ),
        "es": (
            "no había una meta numérica vigente, o la meta no es un número (por ejemplo, "
            "“Establecer línea de base”)."
        ),
    },
    f"status_{Status.NOT_REPORTED.value}": {
        "en": "the agency published no figure for the period.",
        "es": "la agencia no publicó ninguna cifra para el periodo.",
    },
    "not_reported_title": {
        "en": "“Not reported” is never zero",
        "es": "“No reportado” nunca es cero",
    },
    "not_reported_body": {
        "en": (
            "When an agency does not report a figure, the dashboard says “Not reported”. A "
            "missing figure is never counted as zero: charts leave a gap in the line, tables "
            "say “Not reported”, and CSV downloads leave the cell empty."
        ),
        "es": (
            "Cuando una agencia no reporta una cifra, el panel dice “No reportado”. Una cifra "
            "que falta nunca se cuenta como cero: los gráficos dejan un hueco en la línea, las "
            "tablas dicen “No reportado” y las descargas CSV dejan la celda vacía."
        ),
    },
    "not_reported_rollups": {
        "en": (
            "Totals such as “7 of 14 met” count only the units that reported a result against "
            "a numeric target; the units that did not report, or had no target, are counted "
            "and named separately."
        ),
        "es": (
            "Los totales como “7 de 14 cumplen” cuentan solo las unidades que reportaron un "
            "resultado con una meta numérica; las que no reportaron o no tenían meta se "
            "cuentan y nombran aparte."
        ),
    },
    "uncertainty_title": {
        "en": "Survey results and their margin of error",
        "es": "Resultados de encuestas y su margen de error",
    },
    "uncertainty_body": {
        "en": (
            "Survey results are estimates from the people who answered. For a share of "
            "respondents, such as the percentage satisfied, the chart shows a shaded band: the "
            "95% Wilson score interval. Bands built this way contain the true value in about "
            "95 of every 100 samples."
        ),
        "es": (
            "Los resultados de encuestas son estimaciones a partir de las personas que "
            "respondieron. Para una proporción de respuestas, como el porcentaje de personas "
            "satisfechas, el gráfico muestra una banda sombreada: el intervalo de Wilson del "
            "95 %. Las bandas construidas así contienen el valor real en unas 95 de cada 100 "
            "muestras."
        ),
    },
    "uncertainty_why": {
        "en": (
            "The Wilson interval is used rather than the simpler “plus or minus” formula "
            "because it always stays between 0% and 100% and remains honest for small samples "
            "and for shares close to 0% or 100%."
        ),
        "es": (
            "Se usa el intervalo de Wilson en lugar de la fórmula más sencilla de “más o menos” "
            "porque siempre queda entre el 0 % y el 100 % y sigue siendo fiable con muestras "
            "pequeñas y con proporciones cercanas al 0 % o al 100 %."
        ),
    },
    "small_title": {"en": "Small samples", "es": "Muestras pequeñas"},
    "small_flag": {
        "en": (
            "A survey result based on fewer than {n} responses is a small sample. It is shown "
            "with a “small sample” warning: read it with care, as it can change a lot from one "
            "period to the next by chance alone."
        ),
        "es": (
            "Un resultado de encuesta basado en menos de {n} respuestas es una muestra "
            "pequeña. Se muestra con un aviso de “muestra pequeña”: léalo con cuidado, porque "
            "puede variar mucho de un periodo a otro solo por azar."
        ),
    },
    "small_suppress": {
        "en": (
            "A survey result based on fewer than {n} responses is a small sample. Its value is "
            "not shown, because it could mislead; the page says that the sample was too small "
            "instead."
        ),
        "es": (
            "Un resultado de encuesta basado en menos de {n} respuestas es una muestra "
            "pequeña. Su valor no se muestra, porque podría confundir; en su lugar la página "
            "indica que la muestra fue demasiado pequeña."
        ),
    },
    "small_responses": {
        "en": "The number of responses is shown with every survey result.",
        "es": "El número de respuestas se muestra con cada resultado de encuesta.",
    },
    "revisions_title": {"en": "Revised figures", "es": "Cifras revisadas"},
    "revisions_body": {
        "en": (
            "Agencies sometimes correct a figure after publishing it. A revised figure is "
            "marked as revised and its earlier published value is shown beside it, so no "
            "published number changes silently."
        ),
        "es": (
            "A veces las agencias corrigen una cifra después de publicarla. Una cifra revisada "
            "se marca como revisada y su valor publicado anterior se muestra a su lado, para "
            "que ninguna cifra publicada cambie sin aviso."
        ),
    },
    "breaks_title": {"en": "Breaks in a series", "es": "Cortes en una serie"},
    "breaks_body": {
        "en": (
            "When the way a measure is collected changes, for example a new survey question or "
            "a new case system, results before and after the change are not comparable. Charts "
            "do not join the line across such a break, so a change of method is never shown as "
            "a trend."
        ),
        "es": (
            "Cuando cambia la forma de recoger una medida, por ejemplo una nueva pregunta de "
            "encuesta o un nuevo sistema de casos, los resultados de antes y de después no son "
            "comparables. Los gráficos no unen la línea a través de ese corte, para que un "
            "cambio de método nunca se muestre como una tendencia."
        ),
    },
    "fiscal_title": {"en": "Fiscal years and quarters", "es": "Años fiscales y trimestres"},
    "fiscal_start": {
        "en": (
            "Results are published by fiscal year and quarter. Here the fiscal year starts on "
            "{month} 1 and is named after the calendar year in which it ends."
        ),
        "es": (
            "Los resultados se publican por año fiscal y trimestre. Aquí el año fiscal empieza "
            "el 1 de {month} y lleva el nombre del año natural en que termina."
        ),
    },
    "fiscal_calendar_year": {
        "en": "Results are published by fiscal year and quarter; here the fiscal year is the "
        "calendar year.",
        "es": "Los resultados se publican por año fiscal y trimestre; aquí el año fiscal es el "
        "año natural.",
    },
    "fiscal_example": {
        "en": "For example, {label} runs from {start} to {end}.",
        "es": "Por ejemplo, el {label} va del {start} al {end}.",
    },
    "fiscal_quarters": {
        "en": "Its quarters, written like “{example}”, are:",
        "es": "Sus trimestres, escritos como “{example}”, son:",
    },
    "fiscal_quarter_item": {
        "en": "{label}: {first} to {last}",
        "es": "{label}: de {first} a {last}",
    },
    "scores_title": {"en": "Scores from 0 to 100", "es": "Puntuaciones de 0 a 100"},
    "scores_body": {
        "en": (
            "Measures come in different units: percentages, 1–5 ratings, seconds, days. To "
            "compare them, each result is also turned into a score from 0 to 100 along a "
            "straight line between the value that scores 0 and the value that scores 100. Each "
            "measure's rule is given below. Measures with no natural best and worst, such as "
            "counts, get no score and are shown in their own unit only."
        ),
        "es": (
            "Las medidas vienen en unidades distintas: porcentajes, calificaciones de 1 a 5, "
            "segundos, días. Para compararlas, cada resultado también se convierte en una "
            "puntuación de 0 a 100 sobre una línea recta entre el valor que vale 0 y el que "
            "vale 100. Abajo se da la regla de cada medida. Las medidas sin un mejor y un peor "
            "valor naturales, como los recuentos, no tienen puntuación y se muestran solo en su "
            "unidad."
        ),
    },
    "published_title": {"en": "Published figures only", "es": "Solo cifras publicadas"},
    "published_body": {
        "en": (
            "Figures appear only after the agency publishes them; drafts and internal notes "
            "are never shown. The foot of every page gives the date the data runs to (“Data "
            "as of”) and when it was last updated."
        ),
        "es": (
            "Las cifras aparecen solo después de que la agencia las publica; nunca se muestran "
            "borradores ni notas internas. Al pie de cada página figuran la fecha hasta la que "
            "llegan los datos (“Datos al”) y la de la última actualización."
        ),
    },
}


def _lang(language: str) -> str:
    return "es" if language == "es" else "en"


def text(key: str, language: str, **values: object) -> str:
    """A methodology text in ``language`` (``TEXT`` or ``RULE_TEXT``)."""
    entry = TEXT.get(key) or RULE_TEXT[key]
    words = entry[_lang(language)]
    return words.format(**values) if values else words


@dataclass(frozen=True)
class LocalizedText:
    """A text from the store and the language it is actually in (English when Spanish is
    missing), so the page can mark it with ``lang`` for screen readers."""

    text: str
    language: str


@dataclass(frozen=True)
class MetricFact:
    """One labelled fact about a metric: its text, or None when the store has none."""

    field: str
    label: str
    value: LocalizedText | None
    missing_text: str


@dataclass(frozen=True)
class MetricEntry:
    code: str
    anchor: str
    name: LocalizedText
    dimension: str
    facts: tuple[MetricFact, ...]  # definition, method, data source, target setting
    scale: str
    scale_text: str
    direction_text: str
    normalization: str
    survey_text: str | None  # None for measures that are not surveys

    @property
    def missing(self) -> tuple[str, ...]:
        """The text fields the store has for this metric in no language."""
        return tuple(fact.field for fact in self.facts if fact.value is None)


@dataclass(frozen=True)
class DimensionSection:
    dimension: str
    anchor: str
    title: str
    intro: str
    metrics: tuple[MetricEntry, ...]  # the headline measure first, then its drivers by name
    headline_code: str | None = None  # the dimension's headline measure on the scorecard
    headline_text: str = ""  # which measure heads the dimension, and why


@dataclass(frozen=True)
class RuleSection:
    """One page-wide rule: a titled run of paragraphs, optionally with a list."""

    anchor: str
    title: str
    paragraphs: tuple[str, ...]
    items: tuple[str, ...] = ()
    after: tuple[str, ...] = ()  # paragraphs after the list


@dataclass(frozen=True)
class MethodologyView:
    language: str
    rules: tuple[RuleSection, ...]
    dimensions: tuple[DimensionSection, ...]

    @property
    def metrics(self) -> tuple[MetricEntry, ...]:
        return tuple(entry for section in self.dimensions for entry in section.metrics)

    @property
    def incomplete(self) -> dict[str, tuple[str, ...]]:
        """Metric code -> the text fields it lacks in every language (empty when complete)."""
        return {entry.code: entry.missing for entry in self.metrics if entry.missing}


# -- metric entries ------------------------------------------------------------------------


def _present(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def localized(record: Mapping[str, Any], field: str, language: str) -> LocalizedText | None:
    """``field`` in ``language``, else in English; None when neither is there."""
    language = _lang(language)
    if language == "es":
        spanish = _present(record.get(f"{field}_es"))
        if spanish:
            return LocalizedText(spanish, "es")
    english = _present(record.get(f"{field}_en"))
    return LocalizedText(english, "en") if english else None


def anchor_for(prefix: str, code: str) -> str:
    """An HTML id (and URL fragment) for a metric code or dimension: letters, digits, - and _."""
    return f"{prefix}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", code).strip("-")


def normalization_rule(record: Mapping[str, Any]) -> NormalizationRule:
    return NormalizationRule(
        scale=record["scale"],
        direction=record.get("direction") or "higher",
        best=record.get("norm_best"),
        worst=record.get("norm_worst"),
    )


def metric_entry(
    record: Mapping[str, Any], language: str, small_sample_threshold: int
) -> MetricEntry:
    """One metric's methodology entry from its store definition (``queries.metrics`` row)."""
    language = _lang(language)
    scale = record["scale"]
    direction = record.get("direction") or "higher"
    facts = tuple(
        MetricFact(
            field=field,
            label=text(field, language),
            value=localized(record, field, language),
            missing_text=text(f"missing_{field}", language),
        )
        for field in METRIC_TEXT_FIELDS
    )
    survey_text = None
    if record.get("is_survey"):
        key = "survey_proportion" if scale in PROPORTION_SCALES else "survey_mean"
        survey_text = text(key, language, n=format_count(small_sample_threshold, language))
    name = localized(record, "name", language) or LocalizedText(record["code"], "en")
    return MetricEntry(
        code=record["code"],
        anchor=anchor_for("metric", record["code"]),
        name=name,
        dimension=record["dimension"],
        facts=facts,
        scale=scale,
        scale_text=SCALE_WORDS[scale][language],
        direction_text=text(f"direction_{direction}", language),
        normalization=describe(normalization_rule(record), language),
        survey_text=survey_text,
    )


def dimension_sections(
    records: Iterable[Mapping[str, Any]],
    language: str,
    small_sample_threshold: int,
    headlines: Mapping[str, HeadlineChoice] | None = None,
) -> tuple[DimensionSection, ...]:
    """The metrics grouped by dimension (in the ART order): the dimension's headline measure
    (``headlines``, :func:`dashboard.scorecard.choose_headlines`) first, then the other
    measures, its drivers, by name; with the words that say which heads it and why."""
    language = _lang(language)
    headlines = headlines or {}
    by_dimension: dict[str, list[MetricEntry]] = {}
    for record in records:
        entry = metric_entry(record, language, small_sample_threshold)
        by_dimension.setdefault(entry.dimension, []).append(entry)
    sections = []
    for dimension in DIMENSIONS:
        if dimension not in by_dimension:
            continue
        choice = headlines.get(dimension)
        code = choice.metric.code if choice is not None else None
        entries = sorted(
            by_dimension[dimension],
            key=lambda e: (e.code != code, e.name.text.casefold(), e.code),
        )
        headline_text = ""
        if choice is not None:
            name = next((e.name.text for e in entries if e.code == code), choice.metric.code)
            headline_text = text(f"headline_{choice.reason.value}", language, name=name)
            if len(entries) > 1:
                headline_text += " " + text("headline_drivers", language)
        sections.append(
            DimensionSection(
                dimension=dimension,
                anchor=anchor_for("dimension", dimension),
                title=DIMENSION_WORDS[dimension][language],
                intro=DIMENSION_INTROS[dimension][language],
                metrics=tuple(entries),
                headline_code=code,
                headline_text=headline_text,
            )
        )
    return tuple(sections)


# -- page-wide rules -------------------------------------------------------------------------


def _month_and_year(day: dt.date, language: str) -> str:
    month = MONTH_NAMES[language][day.month - 1]
    return f"{month} de {day.year}" if language == "es" else f"{month} {day.year}"


def fiscal_rule(settings: Settings, as_of: dt.date | None, language: str) -> RuleSection:
    """The fiscal calendar in words, with the fiscal year of the latest data as the example.

    Without any published data there is no year to show, so the example is left out rather
    than invented.
    """
    language = _lang(language)
    calendar = FiscalCalendar.from_settings(settings)
    if calendar.start_month == 1:
        paragraphs = [text("fiscal_calendar_year", language)]
    else:
        month = MONTH_NAMES[language][calendar.start_month - 1]
        paragraphs = [text("fiscal_start", language, month=month)]
    items: tuple[str, ...] = ()
    if as_of is not None:
        year = calendar.fiscal_year(as_of)
        start, end = calendar.year_bounds(year)
        paragraphs.append(
            text(
                "fiscal_example",
                language,
                label=calendar.year_label(year, language),
                start=format_day(start, language),
                end=format_day(end, language),
            )
        )
        paragraphs.append(
            text("fiscal_quarters", language, example=calendar.quarter_label(year, 1, language))
        )
        items = tuple(
            text(
                "fiscal_quarter_item",
                language,
                label=calendar.quarter_label(year, q, language),
                first=_month_and_year(quarter.start, language),
                last=_month_and_year(quarter.end, language),
            )
            for q, quarter in enumerate(calendar.quarters(year), start=1)
        )
    return RuleSection(
        anchor="rule-fiscal-year",
        title=text("fiscal_title", language),
        paragraphs=tuple(paragraphs),
        items=items,
    )


def page_rules(settings: Settings, as_of: dt.date | None, language: str) -> tuple[RuleSection, ...]:
    """The rules that apply to every figure on the site, written from ``settings``."""
    language = _lang(language)
    threshold = format_count(settings.small_sample_threshold, language)
    small_key = "small_suppress" if settings.small_sample_policy == "suppress" else "small_flag"
    status_items = tuple(
        f"{status_symbol(status)} {status_label(status, language)}: "
        + text(f"status_{status.value}", language)
        for status in Status
    )
    return (
        RuleSection(
            anchor="rule-met",
            title=text("status_title", language),
            paragraphs=(text("status_in_force", language), text("status_list", language)),
            items=status_items,
            after=(
                text("status_direction", language),
                text("status_precision", language),
                text("status_history", language),
            ),
        ),
        RuleSection(
            anchor="rule-not-reported",
            title=text("not_reported_title", language),
            paragraphs=(
                text("not_reported_body", language),
                text("not_reported_rollups", language),
            ),
        ),
        RuleSection(
            anchor="rule-margin-of-error",
            title=text("uncertainty_title", language),
            paragraphs=(text("uncertainty_body", language), text("uncertainty_why", language)),
        ),
        RuleSection(
            anchor="rule-small-samples",
            title=text("small_title", language),
            paragraphs=(
                text(small_key, language, n=threshold),
                text("small_responses", language),
            ),
        ),
        RuleSection(
            anchor="rule-revisions",
            title=text("revisions_title", language),
            paragraphs=(text("revisions_body", language),),
        ),
        RuleSection(
            anchor="rule-series-breaks",
            title=text("breaks_title", language),
            paragraphs=(text("breaks_body", language),),
        ),
        RuleSection(
            anchor="rule-rollups",
            title=text("rollup_title", language),
            paragraphs=(
                text("rollup_standard", language),
                text("rollup_headline", language),
                text("rollup_count", language),
                text("rollup_pooling", language),
            ),
        ),
        RuleSection(
            anchor="rule-latest-period",
            title=text("period_title", language),
            paragraphs=(text("period_body", language), text("period_year", language)),
        ),
        fiscal_rule(settings, as_of, language),
        RuleSection(
            anchor="rule-scores",
            title=text("scores_title", language),
            paragraphs=(text("scores_body", language),),
        ),
        RuleSection(
            anchor="rule-published",
            title=text("published_title", language),
            paragraphs=(text("published_body", language),),
        ),
    )


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> MethodologyView:
    language = _lang(language)
    status = queries.data_status(database_url)
    records = queries.metrics(database_url)
    # The overview's choice, so the page names the measure the scorecard shows.
    headlines = queries.load_headline_choices(
        database_url, [MetricInfo.from_record(record) for record in records]
    )
    return MethodologyView(
        language=language,
        rules=page_rules(settings, status.as_of, language),
        dimensions=dimension_sections(
            records, language, settings.small_sample_threshold, headlines
        ),
    )
