"""Turning the text of a cell into a value on a metric's raw scale, or a clear reason why not.

Open data writes the same share as 0.81, 81, "81%" or "81 %", counts as "12,345", durations
as "1:05", and "not reported" as "ND", "No Data", "N/A" or an empty cell. Every parser here
raises ``ValueError`` with a sentence a person can act on; the loader attaches the file, row,
column and value to it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

from dashboard.domain.normalize import NATURAL_RANGE, SCALE_UNITS
from dashboard.infra.models import CHANNELS

#: Cells that mean "not reported" unless a mapping lists its own (compared case-insensitively).
DEFAULT_MISSING_MARKERS = ("", "ND", "N/D", "No Data", "N/A", "NA", "n.a.", "..", "-", "—")

#: Formats a file may write values in (``value_format`` in a mapping): a metric scale, or
#: "auto" for "the metric's own scale, but a value written with % is a percentage".
TIME_FACTORS_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0}
PROPORTION_SCALES = ("fraction", "percent")

_CHANNEL_SYNONYMS = {
    "telephone": "phone",
    "tel": "phone",
    "call": "phone",
    "calls": "phone",
    "e_mail": "email",
    "courriel": "email",
    "correo_electronico": "email",
    "voice_mail": "voicemail",
    "web": "web_form",
    "webform": "web_form",
    "online_form": "web_form",
    "in_person": "walk_in",
    "walkin": "walk_in",
    "counter": "walk_in",
    "sms": "text",
    "text_message": "text",
    "postal_mail": "mail",
    "post": "mail",
    "video_call": "video",
    "live_chat": "chat",
}

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_DOT_DECIMAL = re.compile(r"^[+-]?(\d{1,3}([,' ]\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")
_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}([.' ]\d{3})+|\d+)(,\d+)?$|^[+-]?,\d+$")
#: A number as most files write it ("0.81", "1204"): read with float() at once. ASCII digits
#: only (``\d`` would take other scripts' digits, which the full rules refuse).
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$")
_TRUE = {"1", "true", "yes", "y", "t", "x", "sí", "si", "oui", "vrai"}
_FALSE = {"", "0", "false", "no", "n", "f", "non", "faux"}


class MissingMarkers:
    """The set of cell texts that mean "not reported"."""

    def __init__(self, markers: Iterable[str] = DEFAULT_MISSING_MARKERS) -> None:
        self.markers = frozenset(" ".join(m.split()).casefold() for m in markers) | {""}

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        if text in self.markers:  # the common case: "" or a marker written as listed
            return True
        return " ".join(text.split()).casefold() in self.markers


def parse_number(text: str, decimal: str = ".") -> tuple[float, bool]:
    """The number in ``text`` and whether it was written as a percentage ("81%").

    Thousands separators (comma, space, apostrophe, or dot with decimal commas) must group
    digits by three, so "1,5" is refused instead of read as 15.
    """
    if decimal == "." and _PLAIN_NUMBER.fullmatch(text):
        # The common case, read as the rules below would read it.
        number = float(text)
        if math.isfinite(number):
            return number, False
    cleaned = _SPACES.sub(" ", text).strip()
    is_percent = cleaned.endswith("%")
    if is_percent:
        cleaned = cleaned[:-1].strip()
    pattern = _DOT_DECIMAL if decimal == "." else _COMMA_DECIMAL
    if not pattern.match(cleaned):
        hint = ""
        if decimal == "." and re.fullmatch(r"[+-]?\d+,\d{1,2}", cleaned):
            hint = '; if the file writes decimal commas, set decimal = "," in the mapping'
        raise ValueError(f"not a number{hint}")
    if decimal == ".":
        number_text = re.sub(r"[,' ]", "", cleaned)
    else:
        number_text = re.sub(r"[.' ]", "", cleaned).replace(",", ".")
    number = float(number_text)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number, is_percent


def parse_duration_seconds(text: str) -> float | None:
    """Seconds in "m:ss" or "h:mm:ss", or None when ``text`` is not written that way."""
    match = _DURATION.match(text.strip())
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    if int(minutes) >= 60 and hours is not None:
        raise ValueError("minutes must be below 60 in h:mm:ss")
    if float(seconds) >= 60:
        raise ValueError("seconds must be below 60")
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def convert_scale(value: float, from_scale: str, to_scale: str) -> float:
    """Convert between scales that measure the same thing (fraction/percent, time units)."""
    if from_scale == to_scale:
        return value
    if from_scale in PROPORTION_SCALES and to_scale in PROPORTION_SCALES:
        return value * 100.0 if to_scale == "percent" else value / 100.0
    if from_scale in TIME_FACTORS_SECONDS and to_scale in TIME_FACTORS_SECONDS:
        return value * TIME_FACTORS_SECONDS[from_scale] / TIME_FACTORS_SECONDS[to_scale]
    raise ValueError(
        f"a {describe_scale(from_scale)} value cannot be stored on a metric measured as "
        f"{describe_scale(to_scale)}"
    )


def describe_scale(scale: str) -> str:
    return {
        "fraction": "fraction (0-1)",
        "percent": "percentage (0-100)",
        "mean_1_5": "1-5 mean",
        "score_0_10": "0-10 score",
        "business_days": "business days",
    }.get(scale, scale)


def check_range(value: float, scale: str) -> None:
    """Refuse a value outside its scale: 140% on a percentage, a mean of 6 on 1-5."""
    if scale in NATURAL_RANGE:
        low, high = NATURAL_RANGE[scale]
        if not low <= value <= high:
            shown = _format_on_scale(value, scale)
            limits = f"{_format_on_scale(low, scale)} to {_format_on_scale(high, scale)}"
            raise ValueError(f"{shown} is outside the {describe_scale(scale)} range {limits}")
    elif value < 0:
        raise ValueError(f"a {describe_scale(scale)} value cannot be negative")


def _format_on_scale(value: float, scale: str) -> str:
    if scale == "fraction":
        return f"{value:g} ({value * 100:g}%)"
    return f"{value:g}{SCALE_UNITS.get(scale, '')}"


def parse_scaled_value(
    text: str,
    metric_scale: str,
    value_format: str = "auto",
    decimal: str = ".",
) -> float:
    """``text`` as a value on ``metric_scale``.

    ``value_format`` is how the file writes it: "auto" means the metric's own scale, except
    that "81%" is always a percentage, and "1:05" a duration, whatever the format says.
    """
    source = metric_scale if value_format == "auto" else value_format
    stripped = text.strip()
    duration = parse_duration_seconds(stripped) if ":" in stripped else None
    if duration is not None:
        if metric_scale not in TIME_FACTORS_SECONDS:
            measured = describe_scale(metric_scale)
            raise ValueError(f"a duration cannot be stored on a metric measured as {measured}")
        value = convert_scale(duration, "seconds", metric_scale)
        check_range(value, metric_scale)
        return value
    number, is_percent = parse_number(stripped, decimal)
    if is_percent:
        source = "percent"
    if source == "fraction" and metric_scale == "percent" and number > 1 and not is_percent:
        raise ValueError(
            f"{number:g} is not a fraction (0-1); if the file writes percentages, "
            'set value_format = "percent"'
        )
    value = convert_scale(number, source, metric_scale)
    try:
        check_range(value, metric_scale)
    except ValueError as error:
        hint = ""
        if metric_scale == "fraction" and not is_percent and 1 < number <= 100:
            hint = (
                "; write a percentage with its % sign (81%), or set "
                'value_format = "percent" in the mapping if the column holds percentages'
            )
        raise ValueError(f"{error}{hint}") from None
    return value


def parse_count(text: str, decimal: str = ".") -> float:
    """A volume: a non-negative number, thousands separators allowed, no percentage."""
    number, is_percent = parse_number(text, decimal)
    if is_percent:
        raise ValueError("a volume cannot be a percentage")
    if number < 0:
        raise ValueError("a volume cannot be negative")
    return number


def parse_share(text: str, value_format: str = "auto", decimal: str = ".") -> float:
    """A share such as a response rate, as a fraction 0-1 ("45%", 0.45, or 45 as percent)."""
    return parse_scaled_value(text, "fraction", value_format, decimal)


def parse_bool(text: str) -> bool:
    key = text.strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError("not yes/no (write yes, no, true, false, 1 or 0)")


def parse_date(text: str, date_format: str | None = None) -> dt.date:
    """A date: ISO 2024-03-31 (a time after it is ignored) or the mapping's ``date_format``."""
    cleaned = text.strip()
    if date_format:
        try:
            return dt.datetime.strptime(cleaned, date_format).date()
        except ValueError:
            raise ValueError(f"not a date written as {date_format}") from None
    match = re.match(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$", cleaned)
    if not match:
        raise ValueError("not a date; write it as 2024-03-31 (or set date_format in the mapping)")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise ValueError(f"not a valid date: {error}") from None


def parse_quarter(text: str) -> int:
    """1-4 from "2", "Q2", "q2", "T2" or "Quarter 2"."""
    match = re.fullmatch(r"(?:q|t|quarter|trimestre)?\s*([1-4])(?:\.0)?", text.strip().casefold())
    if not match:
        raise ValueError("not a quarter (write 1-4 or Q1-Q4)")
    return int(match.group(1))


def slugify(text: str) -> str:
    """A URL-safe identifier: "Department of Motor Vehicles" -> "department-of-motor-vehicles"."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100] or "unit"


def normalize_channel(text: str) -> str:
    """A channel code from the words files use: "Telephone" -> "phone", "E-mail" -> "email"."""
    channel = re.sub(r"[\s\-/]+", "_", text.strip().casefold())
    channel = _CHANNEL_SYNONYMS.get(channel, channel)
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel; use one of {', '.join(CHANNELS)}")
    return channel
