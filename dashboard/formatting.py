"""Numbers as people read them, in English or Spanish, in each metric's own unit.

Display units: a fraction (0.812) is shown as a percentage (81.2%); every other scale is shown
as stored. Charts, tables and CSV downloads all use :func:`display_value`, so the three always
carry the same numbers.
"""

from __future__ import annotations

import datetime as dt
import math

from dashboard.targets import format_target_value

#: Decimals shown for each scale (in display units).
DECIMALS = {
    "fraction": 1,
    "percent": 1,
    "mean_1_5": 2,
    "score_0_10": 1,
    "seconds": 0,
    "minutes": 1,
    "hours": 1,
    "business_days": 1,
    "count": 0,
}

MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}

_NOT_REPORTED = {"en": "Not reported", "es": "No reportado"}


def display_value(value: float | None, scale: str) -> float | int | None:
    """The number a chart, table or CSV shows for a raw value (rounded, fraction -> %).

    Whole-number scales come back as ``int`` so that a table cell and a CSV field both read
    "12345", never "12345.0".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    shown = value * 100.0 if scale == "fraction" else value
    decimals = DECIMALS.get(scale, 2)
    return round(shown) if decimals == 0 else round(shown, decimals)


def display_unit(scale: str, language: str = "en") -> str:
    """The unit of the displayed number, for axis titles and table headers."""
    units = {
        "fraction": "%",
        "percent": "%",
        "mean_1_5": "1–5",
        "score_0_10": "0–10",
        "seconds": "s",
        "minutes": "min",
        "hours": "h",
        "business_days": "días hábiles" if language == "es" else "business days",
        "count": "número" if language == "es" else "count",
    }
    return units.get(scale, "")


def format_value(value: float | None, scale: str, language: str = "en") -> str:
    """A raw value in words: "81.2%", "4.05/5", "45 s", "12,345"; never "0" for missing."""
    shown = display_value(value, scale)
    if shown is None:
        return _NOT_REPORTED["es" if language == "es" else "en"]
    if scale == "count":
        return format_count(shown, language)
    # format_target_value takes raw values; undo the display conversion for fractions.
    raw = shown / 100.0 if scale == "fraction" else shown
    return format_target_value(raw, scale, language)


def format_day(day: dt.date, language: str = "en") -> str:
    """A date in words: "March 10, 2026" / "10 de marzo de 2026"."""
    if language == "es":
        return f"{day.day} de {MONTH_NAMES['es'][day.month - 1]} de {day.year}"
    return f"{MONTH_NAMES['en'][day.month - 1]} {day.day}, {day.year}"


def format_count(value: float | None, language: str = "en") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _NOT_REPORTED["es" if language == "es" else "en"]
    text = f"{round(value):,}"
    return text.replace(",", "\u00a0") if language == "es" else text


def format_score(score: float | None, language: str = "en") -> str:
    """A 0-100 normalized score, one decimal."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return _NOT_REPORTED["es" if language == "es" else "en"]
    return f"{score:.1f}"


def format_change(change: float | None, scale: str, language: str = "en") -> str:
    """A signed change in display units: "+3.2 points" for percentages, "-12 s" otherwise."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "–"
    shown = change * 100.0 if scale == "fraction" else change
    decimals = DECIMALS.get(scale, 2)
    number = f"{shown:+.{decimals}f}"
    if scale in ("fraction", "percent"):
        return f"{number} {'puntos' if language == 'es' else 'points'}"
    unit = display_unit(scale, language)
    return f"{number} {unit}" if unit and scale != "count" else number
