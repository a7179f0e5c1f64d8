"""Fiscal calendars: which fiscal year and quarter a day falls in, and how to write them.

Jurisdictions start their fiscal year in different months (US federal October, most states
July, Canada April) and write it differently ("FY2024", "FY2023-24", "2023-2024"), so the
calendar is a setting, never an assumption. Whatever the style, a fiscal year is *numbered*
by the calendar year in which it ends: October 2023 - September 2024 is fiscal year 2024,
and so is April 2023 - March 2024. With a January start the fiscal year is the calendar year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from babel.dates import format_skeleton

from dashboard.core.i18n import P_, Messages, format_locale, messages, translate

GRANULARITIES = ("month", "quarter", "fiscal_year")
LABEL_STYLES = ("federal", "state", "canada")

TEXT: Messages = messages(
    # Translators: the prefix of a fiscal year, as in FY2024 (Spanish: AF, año fiscal).
    P_("fiscal_year_prefix", "FY"),
    P_("quarter_label", "{year} Q{quarter}"),
)

#: Month abbreviations accepted when reading files (labels use each language's CLDR names).
MONTH_ABBREVIATIONS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
}

# Month names accepted when parsing, in either language (lower case, with common variants).
_MONTH_NUMBERS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_ABBREVIATIONS["en"], start=1)},
    **{name: number for number, name in enumerate(MONTH_ABBREVIATIONS["es"], start=1)},
    "sept": 9,
    "set": 9,
}

# Fiscal-year prefixes: "FY" in English, "AF" (año fiscal) in Spanish, "EF" (exercice) in French.
_FY_PREFIX = re.compile(r"^(?:FY|AF|EF)\s*", re.IGNORECASE)
# A quarter token anywhere in the text: "Q2" in English, "T2" (trimestre) in Spanish.
_QUARTER_TOKEN = re.compile(r"(?:^|[\s\-_/])([QT])\s*([0-9]+)(?=$|[\s\-_/])", re.IGNORECASE)
_QUARTER_SUFFIX = re.compile(r"^(?P<fy>.+?)[\s\-_/]*[QT]\s*(?P<q>[0-9]+)$", re.IGNORECASE)
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_NAME = re.compile(r"^([A-Za-zÀ-ÿ]+)\.?\s+(\d{4})$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: a calendar month, a fiscal quarter or a fiscal year.

    Periods sort by start, then end, so a list of them sorts chronologically.
    """

    start: date  # inclusive
    end: date  # inclusive
    granularity: str  # "month" | "quarter" | "fiscal_year"

    def __post_init__(self) -> None:
        if self.granularity not in GRANULARITIES:
            raise ValueError(
                f"unknown granularity {self.granularity!r}; use one of {', '.join(GRANULARITIES)}"
            )
        if self.start > self.end:
            raise ValueError(f"period starts ({self.start}) after it ends ({self.end})")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(date(year, month, 1), date(year, month, last), "month")


@dataclass(frozen=True)
class FiscalCalendar:
    """A fiscal calendar: the month the year starts and how its years are written."""

    start_month: int = 10
    label_style: str = "federal"

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"fiscal year start month must be 1-12, not {self.start_month!r}")
        if self.label_style not in LABEL_STYLES:
            raise ValueError(
                f"unknown fiscal-year label style {self.label_style!r}; "
                f"use one of {', '.join(LABEL_STYLES)}"
            )

    @classmethod
    def from_settings(cls, settings: Any) -> FiscalCalendar:
        return cls(
            start_month=settings.fiscal_year_start_month,
            label_style=settings.fiscal_year_label_style,
        )

    # -- arithmetic -------------------------------------------------------------------------

    def fiscal_year(self, day: date) -> int:
        """The fiscal year of ``day``, named by the calendar year in which that year ends."""
        if self.start_month == 1 or day.month < self.start_month:
            return day.year
        return day.year + 1

    def quarter(self, day: date) -> int:
        """The fiscal quarter (1-4) of ``day``."""
        return (day.month - self.start_month) % 12 // 3 + 1

    def year_bounds(self, fiscal_year: int) -> tuple[date, date]:
        first_year = fiscal_year if self.start_month == 1 else fiscal_year - 1
        start = date(first_year, self.start_month, 1)
        return start, _add_months(start, 12) - timedelta(days=1)

    def quarter_bounds(self, fiscal_year: int, quarter: int) -> tuple[date, date]:
        _check_quarter(quarter)
        start = _add_months(self.year_bounds(fiscal_year)[0], 3 * (quarter - 1))
        return start, _add_months(start, 3) - timedelta(days=1)

    def year(self, fiscal_year: int) -> Period:
        start, end = self.year_bounds(fiscal_year)
        return Period(start, end, "fiscal_year")

    def quarter_period(self, fiscal_year: int, quarter: int) -> Period:
        start, end = self.quarter_bounds(fiscal_year, quarter)
        return Period(start, end, "quarter")

    def quarters(self, fiscal_year: int) -> list[Period]:
        return [self.quarter_period(fiscal_year, q) for q in (1, 2, 3, 4)]

    def months(self, fiscal_year: int) -> list[Period]:
        start = self.year_bounds(fiscal_year)[0]
        firsts = (_add_months(start, i) for i in range(12))
        return [_month_period(first.year, first.month) for first in firsts]

    def period_containing(self, day: date, granularity: str) -> Period:
        if granularity == "month":
            return _month_period(day.year, day.month)
        if granularity == "quarter":
            return self.quarter_period(self.fiscal_year(day), self.quarter(day))
        if granularity == "fiscal_year":
            return self.year(self.fiscal_year(day))
        raise ValueError(
            f"unknown granularity {granularity!r}; use one of {', '.join(GRANULARITIES)}"
        )

    def fiscal_year_of(self, period: Period) -> int:
        """The fiscal year a period belongs to (that of its last day)."""
        return self.fiscal_year(period.end)

    def quarter_of(self, period: Period) -> tuple[int, int]:
        """(fiscal year, quarter) of a period's last day."""
        return self.fiscal_year(period.end), self.quarter(period.end)

    def previous_quarter(self, fiscal_year: int, quarter: int) -> tuple[int, int]:
        _check_quarter(quarter)
        return (fiscal_year - 1, 4) if quarter == 1 else (fiscal_year, quarter - 1)

    def next_quarter(self, fiscal_year: int, quarter: int) -> tuple[int, int]:
        _check_quarter(quarter)
        return (fiscal_year + 1, 1) if quarter == 4 else (fiscal_year, quarter + 1)

    def infer_period(self, start: date, end: date) -> Period:
        """The period with exactly these bounds: a calendar month, a fiscal quarter or year.

        Raises ValueError for any other span (a loader must not guess what "Feb 15 - May 14"
        means).
        """
        if start > end:
            raise ValueError(f"period starts ({start}) after it ends ({end})")
        month = _month_period(start.year, start.month)
        if (start, end) == (month.start, month.end):
            return month
        fiscal_year = self.fiscal_year(start)
        quarter = self.quarter_period(fiscal_year, self.quarter(start))
        if (start, end) == (quarter.start, quarter.end):
            return quarter
        year = self.year(fiscal_year)
        if (start, end) == (year.start, year.end):
            return year
        raise ValueError(
            f"{start} to {end} is not a calendar month, a fiscal quarter or a fiscal year "
            f"(fiscal years here start on the 1st of month {self.start_month})"
        )

    # -- labels -----------------------------------------------------------------------------

    def year_label(self, fiscal_year: int, language: str = "en") -> str:
        """FY2024 / FY2023-24 / 2023-2024 in English; AF2024 / AF2023-24 / 2023-2024 in Spanish."""
        prefix = translate(TEXT, "fiscal_year_prefix", language)
        first_year = fiscal_year - 1
        if self.start_month == 1:
            # The fiscal year is a calendar year: there is no span to write.
            return str(fiscal_year) if self.label_style == "canada" else f"{prefix}{fiscal_year}"
        if self.label_style == "federal":
            return f"{prefix}{fiscal_year}"
        if self.label_style == "state":
            return f"{prefix}{first_year}-{fiscal_year % 100:02d}"
        return f"{first_year}-{fiscal_year}"

    def quarter_label(self, fiscal_year: int, quarter: int, language: str = "en") -> str:
        """ "FY2024 Q2" in English, "T2 AF2024" (trimestre, año fiscal) in Spanish."""
        _check_quarter(quarter)
        year = self.year_label(fiscal_year, language)
        return translate(TEXT, "quarter_label", language, year=year, quarter=quarter)

    def period_label(self, period: Period, language: str = "en") -> str:
        if period.granularity == "month":
            return _month_label(period.start.year, period.start.month, language)
        if period.granularity == "quarter":
            return self.quarter_label(*self.quarter_of(period), language=language)
        return self.year_label(self.fiscal_year_of(period), language)

    # -- parsing ----------------------------------------------------------------------------

    def parse_fiscal_year(self, text: str) -> int:
        """The fiscal year written in ``text``.

        Accepts "FY2024", "FY 2024", "AF2024", "2024", "FY24" (two digits mean 20xx) and the
        two-year forms "FY2023-24", "2023-24", "2023-2024" (named by the year they end).
        """
        cleaned = _FY_PREFIX.sub("", text.strip()).strip()
        match = re.fullmatch(r"(\d{4}|\d{2})", cleaned)
        if match:
            return _full_year(match.group(1))
        match = re.fullmatch(r"(\d{4})\s*[-–/]\s*(\d{4}|\d{2})", cleaned)
        if match:
            first, second = int(match.group(1)), match.group(2)
            end = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
            if len(second) == 2 and end <= first:
                end += 100  # "1999-00" ends in 2000
            if end != first + 1:
                raise ValueError(
                    f"{text!r}: a fiscal year spans two consecutive years, like 2023-24"
                )
            if self.start_month == 1:
                raise ValueError(
                    f"{text!r}: fiscal years here are calendar years, so they do not span "
                    "two years; write FY2024"
                )
            return end
        raise ValueError(
            f"{text!r} is not a fiscal year; write it like {self.year_label(2024)} or 2024"
        )

    def parse_period(self, text: str) -> Period:
        """The period written in ``text``.

        Accepts quarters ("FY2024 Q2", "2024 Q2", "Q2 FY2024", "2023-2024 Q2", "T2 AF2024"),
        months ("2024-03", "Mar 2024", "mar 2024", or a day "2024-03-01" meaning its month)
        and fiscal years (anything :meth:`parse_fiscal_year` accepts). A bare "YYYY-MM" with
        MM from 01 to 12 is an ISO month, so write fiscal years like "2011-12" as "FY2011-12".
        """
        cleaned = " ".join(text.strip().split())
        if not cleaned:
            raise ValueError("empty period: write a month (2024-03), a quarter or a fiscal year")

        match = _ISO_DAY.fullmatch(cleaned)
        if match:
            try:
                day = date(*(int(part) for part in match.groups()))
            except ValueError as error:
                raise ValueError(f"{text!r} is not a valid date: {error}") from None
            return _month_period(day.year, day.month)

        match = _ISO_MONTH.fullmatch(cleaned)
        if match and 1 <= int(match.group(2)) <= 12:
            return _month_period(int(match.group(1)), int(match.group(2)))

        match = _MONTH_NAME.fullmatch(cleaned)
        if match and match.group(1).lower() in _MONTH_NUMBERS:
            return _month_period(int(match.group(2)), _MONTH_NUMBERS[match.group(1).lower()])

        quarter_match = _QUARTER_TOKEN.search(cleaned)
        if quarter_match:
            quarter = int(quarter_match.group(2))
            if not 1 <= quarter <= 4:
                raise ValueError(f"{text!r}: a quarter is Q1, Q2, Q3 or Q4")
            rest = (cleaned[: quarter_match.start()] + " " + cleaned[quarter_match.end() :]).strip()
            rest = rest.strip(" -_/")
        else:
            suffix = _QUARTER_SUFFIX.fullmatch(cleaned)  # "2024Q2", "FY2024Q2"
            if suffix:
                quarter = int(suffix.group("q"))
                if not 1 <= quarter <= 4:
                    raise ValueError(f"{text!r}: a quarter is Q1, Q2, Q3 or Q4")
                rest = suffix.group("fy")
            else:
                quarter, rest = 0, cleaned

        try:
            fiscal_year = self.parse_fiscal_year(rest)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a period; write a month (2024-03), a quarter "
                f"({self.quarter_label(2024, 2)}) or a fiscal year ({self.year_label(2024)})"
            ) from None
        if quarter:
            return self.quarter_period(fiscal_year, quarter)
        return self.year(fiscal_year)


def _check_quarter(quarter: int) -> None:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"a fiscal quarter is 1, 2, 3 or 4, not {quarter!r}")


def _full_year(digits: str) -> int:
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


@lru_cache(maxsize=4096)
def _month_label(year: int, month: int, language: str) -> str:
    """ "Oct 2025" in the language's form. Babel's skeleton formatting costs more than the rest
    of a chart point, and a page labels the same few dozen months over and over (bounded:
    years × 12 × languages)."""
    return format_skeleton("yMMM", date(year, month, 1), locale=format_locale(language))
