"""Numbers as people read them, in each language, in each metric's own unit.

Digits, separators, percent signs, month names and dates follow CLDR (Babel's locale data) for
the language as written in the deployment's country (:func:`dashboard.core.i18n.format_locale`):
"12,345" and "81.2%" in English and in the United States' Spanish (es_US); "12.345" and
"81,2 %" in Spain's Spanish; "12 345" and "81,2 %" in French.

Display units: a fraction (0.812) is shown as a percentage (81.2%); every other scale is shown
as stored. Charts, tables and CSV downloads all use :func:`display_value`, so the three always
carry the same numbers.

**One precision rule** (stated on the methodology page): a status is judged on the value as
published, to its full precision; the figure shown next to a status is rounded to the scale's
usual decimals (:data:`DECIMALS`) unless that rounding would contradict the status, in which
case it shows as many more decimals as decide it (at most :data:`MAX_EXTRA_DECIMALS`): 79.982
against "≥ 80%" is "79.98%, not met", never "80%, not met". Pass the target in force
(``target=``) wherever a figure is shown beside its status: pages, CSV, API, exports, review.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_skeleton, get_month_names
from babel.numbers import NumberPattern, format_decimal, format_percent, parse_pattern

from dashboard.core.i18n import P_, Messages, format_locale, messages, translate
from dashboard.domain.targets import Status, TargetSpec, format_target_value, judge

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

TEXT: Messages = messages(
    P_("not_reported", "Not reported"),
    P_("unit_business_days", "business days"),
    P_("unit_count", "count"),
    P_("change_points", "{number} points"),
)


def not_reported(language: str = "en") -> str:
    """ "Not reported", the words shown instead of a missing figure (never "0")."""
    return translate(TEXT, "not_reported", language)


def month_name(month: int, language: str = "en") -> str:
    """A month's name as written in a date: "March", "marzo", "mars"."""
    return get_month_names("wide", "format", locale=format_locale(language))[month]


def month_year(day: dt.date, language: str = "en") -> str:
    """A month and its year: "March 2026", "marzo de 2026", "mars 2026"."""
    return format_skeleton("yMMMM", day, locale=format_locale(language))


def format_number(
    value: float, language: str = "en", *, decimals: int = 0, exact: bool = True
) -> str:
    """``value`` with the language's separators: ``decimals`` decimals, or (``exact=False``) at
    most that many, trailing zeros dropped."""
    return _formatted_number(value, format_locale(language), decimals, exact)


def format_percent_number(
    percent: float | Decimal, language: str = "en", *, decimals: int = 1, exact: bool = True
) -> str:
    """A number of percent (43.75 -> "43.8%", "43,8 %") in the language's percent style."""
    return _formatted_percent(percent, format_locale(language), decimals, exact)


# A page formats the same few thousand figures on every build, and Babel parses its pattern on
# every call: both results are remembered (the locale is part of the key).
@functools.lru_cache(maxsize=16_384)
def _formatted_number(value: float, locale: Locale, decimals: int, exact: bool) -> str:
    fraction = ("0" if exact else "#") * decimals
    pattern = _pattern("#,##0" + (f".{fraction}" if decimals else ""))
    return format_decimal(value, format=pattern, locale=locale)


@functools.lru_cache(maxsize=16_384)
def _formatted_percent(percent: float | Decimal, locale: Locale, decimals: int, exact: bool) -> str:
    fraction = ("0" if exact else "#") * decimals
    written = locale.percent_formats[None].pattern.split(";")[0]
    pattern = _pattern(written.replace("#,##0", "#,##0" + (f".{fraction}" if decimals else ""), 1))
    value = Decimal(str(percent)) / 100 if not isinstance(percent, Decimal) else percent / 100
    return format_percent(value, format=pattern, locale=locale, decimal_quantization=True)


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


#: How many decimals beyond the scale's usual ones a figure may gain to agree with its status.
MAX_EXTRA_DECIMALS = 4


def decisive_decimals(value: float, scale: str, target: TargetSpec | None) -> int:
    """Decimals (in display units) that show ``value`` without contradicting its status.

    The scale's usual decimals, or more when the rounded figure would be judged otherwise
    than the value itself (79.982 against "≥ 80%": 80.0 would meet it, so 79.98).
    """
    usual = DECIMALS.get(scale, 2)
    if target is None or target.kind != "numeric" or target.value is None:
        return usual
    status = judge(value, target)
    if status not in (Status.MET, Status.NOT_MET):
        return usual
    factor = 100.0 if scale == "fraction" else 1.0
    for decimals in range(usual, usual + MAX_EXTRA_DECIMALS + 1):
        if judge(round(value * factor, decimals) / factor, target) == status:
            return decimals
    return usual + MAX_EXTRA_DECIMALS


def display_value(
    value: float | None, scale: str, target: TargetSpec | None = None
) -> float | int | None:
    """The number a chart, table or CSV shows for a raw value (rounded, fraction -> %).

    Whole-number scales come back as ``int`` so that a table cell and a CSV field both read
    "12345", never "12345.0". With the ``target`` in force, the precision rule above applies.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    shown = value * 100.0 if scale == "fraction" else value
    decimals = decisive_decimals(value, scale, target)
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
        "business_days": translate(TEXT, "unit_business_days", language),
        "count": translate(TEXT, "unit_count", language),
    }
    return units.get(scale, "")


def format_value(
    value: float | None, scale: str, language: str = "en", target: TargetSpec | None = None
) -> str:
    """A raw value in words: "81.2%", "4.05/5", "45 s", "12,345"; never "0" for missing.

    With the ``target`` in force the figure never contradicts its status (module docstring).
    """
    shown = display_value(value, scale, target)
    if shown is None:
        return not_reported(language)
    if scale == "count" and isinstance(shown, int):
        return format_count(shown, language)
    assert value is not None
    decimals = decisive_decimals(value, scale, target)
    # format_target_value takes raw values; undo the display conversion for fractions.
    raw = shown / 100.0 if scale == "fraction" else shown
    return format_target_value(raw, scale, language, decimals=max(2, decimals))


def format_measure(
    value: float | None, scale: str, language: str = "en", target: TargetSpec | None = None
) -> str:
    """:func:`format_value` for figures shown side by side (a table column, a scorecard): a
    figure always has its scale's decimals, so that "97.0%" stands beside "97.1%" and "4.00/5"
    beside "4.25/5", never "97%" or "4/5" (issue 13). Counts as :func:`format_value`."""
    if scale == "count":
        return format_value(value, scale, language, target=target)
    shown = display_value(value, scale, target)
    if shown is None:
        return not_reported(language)
    assert value is not None
    decimals = decisive_decimals(value, scale, target)
    if scale in ("fraction", "percent"):
        return format_percent_number(float(shown), language, decimals=decimals, exact=True)
    return format_target_value(float(shown), scale, language, decimals=decimals, exact=True)


def format_alike(
    figures: Sequence[tuple[float | None, TargetSpec | None]], scale: str, language: str = "en"
) -> list[str]:
    """Figures of one sentence ("rose from 97.0% to 97.1%"), each ``(value, target)``: whole
    percentages read as :func:`format_value` writes them ("from 84% to 92%"), but as soon as one
    of them needs a decimal they all show their scale's decimals, as :func:`format_measure`
    does, so that "97%" never stands beside "97.1%", nor "4/5" beside "4.25/5" (issue 13)."""
    if scale != "count":
        shown = [display_value(value, scale, target) for value, target in figures]
        if any(number is not None and not float(number).is_integer() for number in shown):
            return [format_measure(value, scale, language, target) for value, target in figures]
    return [format_value(value, scale, language, target) for value, target in figures]


def shared_decimals(values: Iterable[object], most: int = 3) -> int:
    """The decimals a column of numbers needs for every figure to show as it was rounded,
    all alike: [78.0, 68.5] needs 1 ("78.0", "68.5"; never "78" above "68.5", issue 13).
    Values that are not numbers (a "Suppressed" note) are ignored; at most ``most``."""
    needed = 0
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            continue
        text = f"{float(value):.{most}f}".rstrip("0")
        needed = max(needed, len(text.partition(".")[2]))
    return needed


def format_day(day: dt.date, language: str = "en") -> str:
    """A date in words: "March 10, 2026" / "10 de marzo de 2026" / "10 mars 2026"."""
    return format_date(day, "long", locale=format_locale(language))


def format_count(value: float | None, language: str = "en") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return not_reported(language)
    return format_number(round(value), language)


def format_score(score: float | None, language: str = "en") -> str:
    """A 0-100 normalized score, one decimal."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return not_reported(language)
    return format_number(score, language, decimals=1)


def format_change(change: float | None, scale: str, language: str = "en") -> str:
    """A signed change in display units: "+3.2 points" for percentages, "-12 s" otherwise."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "–"
    shown = change * 100.0 if scale == "fraction" else change
    decimals = DECIMALS.get(scale, 2)
    sign = "-" if math.copysign(1.0, shown) < 0 else "+"
    number = sign + format_number(abs(shown), language, decimals=decimals)
    if scale in ("fraction", "percent"):
        return translate(TEXT, "change_points", language, number=number)
    unit = display_unit(scale, language)
    return f"{number} {unit}" if unit and scale != "count" else number
