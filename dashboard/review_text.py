"""The quarterly review in words, English and Spanish: shared by the page and the review pack.

Both say the same thing about the same figure: a value with its flags (small sample, revised,
partly reported), a change with whether it counts, and the rules the review uses.
"""

from __future__ import annotations

from typing import Any

from dashboard.formatting import format_change, format_count, format_value
from dashboard.i18n import translate
from dashboard.review import (
    EXPECTED_LOOKBACK_QUARTERS,
    MIN_SHARE_CHANGE_POINTS,
    RELATIVE_CHANGE_THRESHOLD,
    ActionStatus,
    Change,
    ChangeReason,
    Movement,
)
from dashboard.scorecard import Cell

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Quarterly review", "es": "Revisión trimestral"},
    "intro": {
        "en": "Each agency's results this quarter against the previous quarter and the same "
        "quarter last year: targets missed, the real movers, who did not report, and the "
        "actions taken since the last review.",
        "es": "Los resultados de cada agencia este trimestre frente al trimestre anterior y al "
        "mismo trimestre del año pasado: metas incumplidas, los cambios reales, quién no "
        "reportó y las acciones tomadas desde la última revisión.",
    },
    "compared": {
        "en": "{quarter} compared with {previous} (previous quarter) and {year_ago} (same "
        "quarter last year).",
        "es": "{quarter} comparado con {previous} (trimestre anterior) y {year_ago} (mismo "
        "trimestre del año pasado).",
    },
    "agency": {"en": "Agency", "es": "Agencia"},
    "dimension": {"en": "Dimension", "es": "Dimensión"},
    "measure": {"en": "Measure", "es": "Medida"},
    "this_quarter": {"en": "This quarter ({quarter})", "es": "Este trimestre ({quarter})"},
    "previous_quarter": {"en": "Previous ({quarter})", "es": "Anterior ({quarter})"},
    "year_ago": {"en": "Year ago ({quarter})", "es": "Hace un año ({quarter})"},
    "change_previous": {"en": "Change vs previous", "es": "Cambio frente al anterior"},
    "change_year_ago": {"en": "Change vs year ago", "es": "Cambio frente a hace un año"},
    "status": {"en": "Status", "es": "Estado"},
    "target": {"en": "Target", "es": "Meta"},
    "trend": {"en": "Trend ({first} to {last})", "es": "Tendencia ({first} a {last})"},
    "result": {"en": "Result", "es": "Resultado"},
    "shortfall": {"en": "Gap to target", "es": "Distancia a la meta"},
    "last_reported": {"en": "Last reported", "es": "Último reporte"},
    "never": {"en": "–", "es": "–"},
    "small_sample": {"en": "small sample: {n} responses", "es": "muestra pequeña: {n} respuestas"},
    "suppressed": {
        "en": "Not shown: fewer than {n} responses",
        "es": "No se muestra: menos de {n} respuestas",
    },
    "revised_from": {
        "en": "revised; first published as {value}",
        "es": "revisado; publicado primero como {value}",
    },
    "revised": {"en": "includes revised figures", "es": "incluye cifras revisadas"},
    "parts_month": {"en": "{count} of {total} months", "es": "{count} de {total} meses"},
    "parts_quarter": {"en": "{count} of {total} quarters", "es": "{count} de {total} trimestres"},
    "improved": {"en": "Improved", "es": "Mejoró"},
    "declined": {"en": "Declined", "es": "Empeoró"},
    "steady": {"en": "No real change", "es": "Sin cambio real"},
    "not_comparable": {"en": "Cannot compare", "es": "No comparable"},
    "within_margin": {
        "en": "within the margin of error (±{margin})",
        "es": "dentro del margen de error (±{margin})",
    },
    "beyond_margin": {
        "en": "beyond the margin of error (±{margin})",
        "es": "más allá del margen de error (±{margin})",
    },
    "below_minimum": {
        "en": "beyond the margin of error (±{margin}) but under {points} point",
        "es": "más allá del margen de error (±{margin}) pero menos de {points} punto",
    },
    "short_margin": {"en": "margin ±{margin}", "es": "margen ±{margin}"},
    "short_minimum": {"en": "under {points} point", "es": "menos de {points} punto"},
    "short_threshold": {"en": "{percent}% rule", "es": "regla del {percent} %"},
    "below_threshold": {
        "en": "less than {percent}% of the earlier value",
        "es": "menos del {percent} % del valor anterior",
    },
    "beyond_threshold": {
        "en": "at least {percent}% of the earlier value",
        "es": "al menos el {percent} % del valor anterior",
    },
    "reason_not_reported": {"en": "a quarter was not reported", "es": "un trimestre no se reportó"},
    "reason_series_break": {
        "en": "the measure changed (series break)",
        "es": "la medida cambió (ruptura de serie)",
    },
    "reason_no_sample_size": {
        "en": "no sample size published, so no margin of error",
        "es": "sin tamaño de muestra publicado, no hay margen de error",
    },
    "reason_rolled_up": {
        "en": "rolled up from service standards, not compared",
        "es": "agregado de estándares de servicio, no se compara",
    },
    "compared_year": {
        "en": "{quarter} compared with {previous} (previous fiscal year).",
        "es": "{quarter} comparado con {previous} (año fiscal anterior).",
    },
    "this_year": {"en": "This year ({quarter})", "es": "Este año ({quarter})"},
    "planned": {"en": "Planned", "es": "Planificada"},
    "in_progress": {"en": "In progress", "es": "En curso"},
    "completed": {"en": "Completed", "es": "Completada"},
    "note_movement_share": {
        "en": "Movement, for percentages: a change counts only when it is larger than its "
        "margin of error, by a two-proportion test at 95% confidence using the number of "
        "responses (or cases or contacts) behind each quarter, and by at least {points} "
        "percentage point (with very large volumes the margin of error is a tenth of a point). "
        "Smaller changes are “no real change”, however they look.",
        "es": "Cambio, para porcentajes: un cambio cuenta solo si supera su margen de error, "
        "según una prueba de dos proporciones al 95 % de confianza con el número de "
        "respuestas (o casos o contactos) de cada trimestre, y por al menos {points} punto "
        "porcentual (con volúmenes muy grandes el margen de error es una décima de punto). "
        "Los cambios menores son «sin cambio real», aunque lo parezcan.",
    },
    "note_movement_other": {
        "en": "Movement, for days, seconds, counts and 1–5 averages: these figures are "
        "published without the spread needed for a margin of error, so a change counts only "
        "when it is at least {percent}% of the earlier value.",
        "es": "Cambio, para días, segundos, conteos y promedios de 1 a 5: estas cifras se "
        "publican sin la dispersión necesaria para un margen de error, así que un cambio "
        "cuenta solo si es al menos el {percent} % del valor anterior.",
    },
    "note_not_comparable": {
        "en": "“Not reported” is never counted as zero and never as a change; nor is a change "
        "across a series break (a changed question or method), or a percentage without the "
        "number of responses behind it.",
        "es": "«No reportado» nunca cuenta como cero ni como cambio; tampoco un cambio a "
        "través de una ruptura de serie (una pregunta o método cambiado), ni un porcentaje "
        "sin el número de respuestas que lo respalda.",
    },
    "note_movers": {
        "en": "Biggest movers: the changes from the previous quarter that count, largest "
        "first on the common 0–100 score; improved or declined follows each measure's "
        "direction (fewer days is better).",
        "es": "Mayores cambios: los cambios frente al trimestre anterior que cuentan, de mayor "
        "a menor en la puntuación común de 0 a 100; mejoró o empeoró según la dirección de "
        "cada medida (menos días es mejor).",
    },
    "note_status": {
        "en": "Status compares this quarter's result with the target in force on the "
        "quarter's last day. Monthly measures are combined over the quarter's months.",
        "es": "El estado compara el resultado del trimestre con la meta vigente el último día "
        "del trimestre. Las medidas mensuales se combinan en los meses del trimestre.",
    },
    "note_small": {
        "en": "Survey results from fewer than {n} responses are flagged as small samples.",
        "es": "Los resultados de encuestas con menos de {n} respuestas se marcan como "
        "muestras pequeñas.",
    },
    "note_small_suppress": {
        "en": "Survey results from fewer than {n} responses are not shown and count as not "
        "reported.",
        "es": "Los resultados de encuestas con menos de {n} respuestas no se muestran y "
        "cuentan como no reportados.",
    },
    "note_non_reporting": {
        "en": "“Did not report”: no result this quarter for a measure the agency reported in "
        "at least one of the {n} quarters before.",
        "es": "«No reportó»: sin resultado este trimestre para una medida que la agencia "
        "reportó en al menos uno de los {n} trimestres anteriores.",
    },
    "note_actions": {
        "en": "Actions: published actions started or completed during the quarter, with "
        "their status on its last day. “What followed” compares the measure the action "
        "addresses in the quarter before it started with this quarter; it shows what "
        "happened after, not what the action caused.",
        "es": "Acciones: acciones publicadas iniciadas o completadas durante el trimestre, con "
        "su estado el último día. «Qué siguió» compara la medida que la acción atiende en "
        "el trimestre anterior a su inicio con este trimestre; muestra lo que pasó después, "
        "no lo que causó la acción.",
    },
    "note_revised": {
        "en": "“Revised” marks a figure changed after it was first published; the earlier "
        "value is given.",
        "es": "«Revisado» indica una cifra cambiada después de publicarse; se indica el valor "
        "anterior.",
    },
}

MOVEMENT_SYMBOLS = {
    Movement.IMPROVED: "▲",
    Movement.DECLINED: "▼",
    Movement.STEADY: "≈",
    Movement.NOT_COMPARABLE: "–",
}


def words(key: str, language: str, **values: Any) -> str:
    return translate(TEXT, key, language, **values)


def threshold_percent() -> str:
    return f"{RELATIVE_CHANGE_THRESHOLD * 100:g}"


def value_text(cell: Cell, language: str, small_sample_threshold: int) -> str:
    """The value and its flags: "81.2% (small sample: 24 responses; revised; ...)"."""
    if cell.suppressed:
        return words("suppressed", language, n=small_sample_threshold)
    if cell.rollup is not None:
        return "; ".join(cell.rollup.lines(language))
    shown = format_value(cell.value, cell.scale, language, target=cell.target)
    flags = value_flags(cell, language)
    return f"{shown} ({'; '.join(flags)})" if flags else shown


def value_flags(cell: Cell, language: str) -> list[str]:
    if cell.value is None:
        return []
    flags = []
    if cell.small_sample:
        flags.append(words("small_sample", language, n=format_count(cell.denominator, language)))
    if cell.revised:
        flags.append(
            words(
                "revised_from",
                language,
                value=format_value(cell.earlier_value, cell.scale, language),
            )
            if cell.earlier_value is not None
            else words("revised", language)
        )
    if cell.partial:
        flags.append(
            words(
                f"parts_{cell.part_granularity}",
                language,
                count=cell.parts_reported,
                total=cell.parts_expected,
            )
        )
    return flags


def movement_label(movement: Movement, language: str) -> str:
    return words(movement.value, language)


def change_text(change: Change, scale: str, language: str) -> str:
    """ "+3.2 points: Improved, beyond the margin of error (±1.1 points)"."""
    label = movement_label(change.movement, language)
    reason = reason_text(change, scale, language)
    if change.difference is None:
        return f"{label}: {reason}"
    return f"{format_change(change.difference, scale, language)}: {label}, {reason}"


def short_change_text(change: Change, scale: str, language: str) -> str:
    """ "+3.2 points: Improved (margin ±1.1)": for table cells; the notes explain the rules."""
    label = movement_label(change.movement, language)
    if change.difference is None:
        return f"{label}: {reason_text(change, scale, language)}"
    shown = format_change(change.difference, scale, language)
    reason = change.reason
    if reason in (ChangeReason.WITHIN_MARGIN, ChangeReason.BEYOND_MARGIN):
        margin = format_change(change.margin, scale, language).lstrip("+")
        detail = words("short_margin", language, margin=margin)
    elif reason == ChangeReason.BELOW_MINIMUM:
        detail = words("short_minimum", language, points=f"{MIN_SHARE_CHANGE_POINTS:g}")
    elif reason in (ChangeReason.BELOW_THRESHOLD, ChangeReason.BEYOND_THRESHOLD):
        detail = words("short_threshold", language, percent=threshold_percent())
    else:
        detail = reason_text(change, scale, language)
    return f"{shown}: {label} ({detail})"


def reason_text(change: Change, scale: str, language: str) -> str:
    reason = change.reason
    if reason in (ChangeReason.WITHIN_MARGIN, ChangeReason.BEYOND_MARGIN):
        margin = format_change(change.margin, scale, language).lstrip("+")
        return words(reason.value, language, margin=margin)
    if reason == ChangeReason.BELOW_MINIMUM:
        margin = format_change(change.margin, scale, language).lstrip("+")
        return words(reason.value, language, margin=margin, points=f"{MIN_SHARE_CHANGE_POINTS:g}")
    if reason in (ChangeReason.BELOW_THRESHOLD, ChangeReason.BEYOND_THRESHOLD):
        return words(reason.value, language, percent=threshold_percent())
    return words(f"reason_{reason.value}", language)


def action_status_label(status: ActionStatus, language: str) -> str:
    return words(status.value, language)


def rule_notes(language: str, small_sample_threshold: int, small_sample_policy: str) -> list[str]:
    small = "note_small_suppress" if small_sample_policy == "suppress" else "note_small"
    return [
        words("note_movement_share", language, points=f"{MIN_SHARE_CHANGE_POINTS:g}"),
        words("note_movement_other", language, percent=threshold_percent()),
        words("note_not_comparable", language),
        words("note_movers", language),
        words("note_status", language),
        words(small, language, n=small_sample_threshold),
        words("note_non_reporting", language, n=EXPECTED_LOOKBACK_QUARTERS),
        words("note_actions", language),
        words("note_revised", language),
    ]
