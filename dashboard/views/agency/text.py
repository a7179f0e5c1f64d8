"""The words of the agency page: its text table and the names of channels, languages and
segments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard.i18n import translate
from dashboard.models import SEGMENT_TYPES

GRANULARITY_ORDER = ("month", "quarter", "fiscal_year")

#: The metric a service's small trend shows: the first of these it publishes.
HEADLINE_METRICS = (
    "csat_overall",
    "timeliness_standard",
    "accuracy_rate",
    "processing_days",
    "ack_within_1bd",
    "service_level_60s",
    "ease",
    "trust",
)

BREAKDOWN_SEGMENTS = tuple(segment for segment in SEGMENT_TYPES if segment)

TEXT: dict[str, dict[str, str]] = {
    "no_agency": {
        "en": "There is no agency at this address (“{slug}”).",
        "es": "No hay ninguna agencia en esta dirección («{slug}»).",
    },
    "no_service": {
        "en": "{agency} has no service at this address (“{slug}”).",
        "es": "{agency} no tiene ningún servicio en esta dirección («{slug}»).",
    },
    "bad_metric": {
        "en": "{unit} publishes no results for the metric “{metric}”.",
        "es": "{unit} no publica resultados del indicador «{metric}».",
    },
    "bad_period": {
        "en": "“{period}” is not a fiscal year with published results for {unit}. "
        "Years with results: {years}.",
        "es": "«{period}» no es un año fiscal con resultados publicados de {unit}. "
        "Años con resultados: {years}.",
    },
    "no_years": {"en": "none yet", "es": "ninguno todavía"},
    "bad_segment": {
        "en": "“{segment}” is not a breakdown we publish; use one of: {choices}.",
        "es": "«{segment}» no es un desglose que publiquemos; use uno de: {choices}.",
    },
    "result": {"en": "Result", "es": "Resultado"},
    "target_line": {"en": "Target in force", "es": "Meta vigente"},
    "interval": {"en": "95% confidence interval", "es": "Intervalo de confianza del 95%"},
    "actions_trace": {"en": "Actions taken", "es": "Acciones tomadas"},
    "col_period": {"en": "Period", "es": "Periodo"},
    "col_period_end": {"en": "Period end", "es": "Fin del periodo"},
    "col_group": {"en": "{segment}", "es": "{segment}"},
    "col_value": {"en": "Result ({unit})", "es": "Resultado ({unit})"},
    "col_value_plain": {"en": "Result", "es": "Resultado"},
    "col_low": {"en": "95% interval, low", "es": "Intervalo del 95%, mínimo"},
    "col_high": {"en": "95% interval, high", "es": "Intervalo del 95%, máximo"},
    "col_target": {"en": "Target", "es": "Meta"},
    "col_status": {"en": "Status", "es": "Estado"},
    "col_responses": {"en": "Responses", "es": "Respuestas"},
    "col_volume": {"en": "Volume", "es": "Volumen"},
    "col_earlier": {"en": "First published value", "es": "Valor publicado primero"},
    "not_revised": {"en": "–", "es": "–"},
    "chart_not_reported": {"en": "Not reported", "es": "No reportado"},
    "col_small": {"en": "Small sample", "es": "Muestra pequeña"},
    "col_notes": {"en": "Notes", "es": "Notas"},
    "yes": {"en": "Yes", "es": "Sí"},
    "suppressed": {"en": "Suppressed", "es": "Suprimido"},
    "note_suppressed_cell": {
        "en": "Fewer than {n} responses: not shown",
        "es": "Menos de {n} respuestas: no se muestra",
    },
    "note_small_cell": {
        "en": "Small sample: fewer than {n} responses",
        "es": "Muestra pequeña: menos de {n} respuestas",
    },
    "note_revised_cell": {
        "en": "Revised on {date}; first published as {earlier}",
        "es": "Revisado el {date}; publicado primero como {earlier}",
    },
    "note_revised_cell_undated": {
        "en": "Revised; first published as {earlier}",
        "es": "Revisado; publicado primero como {earlier}",
    },
    "note_break_cell": {
        "en": "Series break: the method changed here",
        "es": "Ruptura de la serie: el método cambió aquí",
    },
    "note_break_survey_cell": {
        "en": "Series break: the survey question changed here",
        "es": "Ruptura de la serie: la pregunta de la encuesta cambió aquí",
    },
    "note_band": {
        "en": "The shaded band is the 95% confidence interval (Wilson score interval) from the "
        "number of responses.",
        "es": "La banda sombreada es el intervalo de confianza del 95% (intervalo de Wilson) "
        "calculado con el número de respuestas.",
    },
    "note_gaps": {
        "en": "Gaps in the line are periods that were not reported (never counted as zero).",
        "es": "Los huecos en la línea son periodos sin datos reportados (nunca se cuentan como "
        "cero).",
    },
    "note_break": {
        "en": "{period}: the way this is measured changed, so the line is not joined across "
        "the change.",
        "es": "{period}: cambió la forma de medir, por lo que la línea no se une a través del "
        "cambio.",
    },
    "note_break_survey": {
        "en": "{period}: the survey question changed, so the line is not joined across the change.",
        "es": "{period}: cambió la pregunta de la encuesta, por lo que la línea no se une a "
        "través del cambio.",
    },
    "note_small": {
        "en": "{periods}: fewer than {n} responses (small sample); read with caution.",
        "es": "{periods}: menos de {n} respuestas (muestra pequeña); léase con cautela.",
    },
    "note_suppressed": {
        "en": "{periods}: not shown because fewer than {n} people responded.",
        "es": "{periods}: no se muestra porque respondieron menos de {n} personas.",
    },
    "note_revised": {
        "en": "{period}: revised on {date}; first published as {earlier}.",
        "es": "{period}: revisado el {date}; publicado primero como {earlier}.",
    },
    "note_revised_undated": {
        "en": "{period}: revised; first published as {earlier}.",
        "es": "{period}: revisado; publicado primero como {earlier}.",
    },
    "note_actions": {
        "en": "Diamonds mark actions taken to improve (listed below the chart).",
        "es": "Los rombos marcan las acciones tomadas para mejorar (listadas bajo el gráfico).",
    },
    "hover_point": {"en": "{period}: {value}", "es": "{period}: {value}"},
    "hover_target": {"en": "target {target}", "es": "meta {target}"},
    "hover_responses": {"en": "{n} responses", "es": "{n} respuestas"},
    "hover_volume": {"en": "volume {n}", "es": "volumen {n}"},
    "hover_small": {"en": "small sample", "es": "muestra pequeña"},
    "hover_revised": {
        "en": "revised, first published as {earlier}",
        "es": "revisado, antes {earlier}",
    },
    "hover_target_line": {"en": "Target in force: {target}", "es": "Meta vigente: {target}"},
    "action_started": {"en": "started {date}", "es": "iniciada el {date}"},
    "action_starts": {"en": "starts {date}", "es": "comienza el {date}"},
    "action_completed": {"en": "completed {date}", "es": "terminada el {date}"},
    "status_planned": {"en": "Planned", "es": "Planificada"},
    "status_in_progress": {"en": "In progress", "es": "En curso"},
    "status_completed": {"en": "Completed", "es": "Terminada"},
    "breakdown_title": {"en": "{metric} by {segment}", "es": "{metric} por {segment}"},
    "segment_channel": {"en": "channel", "es": "canal"},
    "segment_language": {"en": "language", "es": "idioma"},
    "segment_customer_group": {"en": "customer group", "es": "grupo de clientes"},
    "segment_channel_title": {"en": "Channel", "es": "Canal"},
    "segment_language_title": {"en": "Language", "es": "Idioma"},
    "segment_customer_group_title": {"en": "Customer group", "es": "Grupo de clientes"},
    "responses_count": {"en": "{n} responses", "es": "{n} respuestas"},
    "service_latest": {
        "en": "{metric}: {value} in {period}",
        "es": "{metric}: {value} en {period}",
    },
    "service_no_data": {
        "en": "No results published yet.",
        "es": "Aún no hay resultados publicados.",
    },
    "standards_none_judged": {
        "en": "No service standard reported against a numeric target in {period}",
        "es": "Ningún estándar de servicio reportó frente a una meta numérica en {period}",
    },
    "breakdown_none": {
        "en": "No results by {segment} are published for {unit}.",
        "es": "No se publican resultados por {segment} de {unit}.",
    },
    "promise_default": {"en": "{metric}: {target}", "es": "{metric}: {target}"},
    "target_corrected": {
        "en": "Target changed on {date}, from {old} to {new}.",
        "es": "Meta cambiada el {date}: de {old} a {new}.",
    },
    "target_scheduled": {
        "en": "From {date}: {new} (was {old}).",
        "es": "Desde el {date}: {new} (antes {old}).",
    },
    "target_scheduled_first": {"en": "From {date}: {new}.", "es": "Desde el {date}: {new}."},
}

CHANNEL_NAMES = {
    "phone": ("Phone", "Teléfono"),
    "walk_in": ("In person", "En persona"),
    "mail": ("Mail", "Correo postal"),
    "email": ("Email", "Correo electrónico"),
    "web_form": ("Web form", "Formulario web"),
    "video": ("Video call", "Videollamada"),
    "chat": ("Chat", "Chat"),
    "text": ("Text message", "Mensaje de texto"),
    "voicemail": ("Voicemail", "Buzón de voz"),
}

#: Language names for the codes agencies list (ISO 639), in English and Spanish.
LANGUAGE_NAMES = {
    "en": ("English", "inglés"),
    "es": ("Spanish", "español"),
    "vi": ("Vietnamese", "vietnamita"),
    "zh": ("Chinese", "chino"),
    "so": ("Somali", "somalí"),
    "ru": ("Russian", "ruso"),
    "ar": ("Arabic", "árabe"),
    "ko": ("Korean", "coreano"),
    "tl": ("Tagalog", "tagalo"),
    "fr": ("French", "francés"),
    "ht": ("Haitian Creole", "criollo haitiano"),
    "pt": ("Portuguese", "portugués"),
    "uk": ("Ukrainian", "ucraniano"),
    "fa": ("Persian", "persa"),
    "am": ("Amharic", "amárico"),
    "km": ("Khmer", "jemer"),
    "hmn": ("Hmong", "hmong"),
    "ja": ("Japanese", "japonés"),
    "hi": ("Hindi", "hindi"),
    "pa": ("Punjabi", "panyabí"),
    "pl": ("Polish", "polaco"),
    "de": ("German", "alemán"),
    "it": ("Italian", "italiano"),
    "ti": ("Tigrinya", "tigriña"),
    "ne": ("Nepali", "nepalí"),
    "my": ("Burmese", "birmano"),
    "ase": ("American Sign Language", "lengua de señas americana"),
}


def page_text(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


def localized(record: Mapping[str, Any], name: str, language: str) -> Any:
    """Spanish from the store where present, English otherwise."""
    return (record.get(f"{name}_es") if language == "es" else None) or record.get(f"{name}_en")


def channel_name(channel: str, language: str) -> str:
    names = CHANNEL_NAMES.get(channel)
    if names is None:
        return channel.replace("_", " ").capitalize()
    return names[1] if language == "es" else names[0]


def language_name(code: str, language: str) -> str:
    """A language code in words ("vi" -> "Vietnamese" / "vietnamita")."""
    names = LANGUAGE_NAMES.get(code.strip().lower())
    if names is None:
        return code.strip()
    return names[1] if language == "es" else names[0]


def segment_value_name(segment: str, value: str, language: str) -> str:
    if segment == "channel":
        return channel_name(value, language)
    if segment == "language":
        name = language_name(value, language)
        return name[0].upper() + name[1:]
    return value.replace("_", " ").capitalize()
