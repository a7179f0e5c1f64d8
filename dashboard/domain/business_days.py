"""Business days and business minutes: weekends and public holidays do not count.

The responsiveness rule ("every message is acknowledged within one business day") needs a
clock that only runs while the office is open. A business day is a Monday to Friday that is
not a public holiday of the jurisdiction (the ``holidays`` package: a country plus, optionally,
a state or province, observed days included). Business minutes are the minutes inside the
opening hours (``business_hours``, minutes after midnight) of business days.

Timestamps are naive and mean local time in the jurisdiction (the wall clock of the office
that received the message). Timezone-aware datetimes are refused rather than silently
shifted, because the jurisdiction's time zone is not a setting.

The acknowledgement rule, exactly: a response is *within n business days* when the business
minutes between receipt and response are at most n full business days of opening minutes
(n x 540 with 08:00-17:00 hours). A message that arrives outside opening hours therefore
starts the clock at the next opening: one received on Friday at 16:00 and answered on Monday
at 09:00 took 60 + 60 = 120 business minutes, within one business day.

There are two implementations on purpose: plain-Python scalar functions that walk day by
day (easy to read and check), and numpy functions for the importer that handle a million
rows at once with ``np.busday_count``. Tests check that they agree.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import holidays as holidays_package
import numpy as np
from numpy.typing import ArrayLike

#: numpy weekmask: Monday to Friday are working days.
WEEKMASK = "1111100"


@lru_cache(maxsize=512)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    """Public holidays (observed days included) of one year, loaded once per process."""
    table = holidays_package.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(table.keys())


class BusinessCalendar:
    """Business days of one jurisdiction, with its opening hours.

    Holiday years are loaded when first needed and cached, so a calendar is cheap to create.
    """

    def __init__(
        self,
        country: str = "US",
        subdivision: str | None = None,
        business_hours: tuple[int, int] = (8 * 60, 17 * 60),
    ) -> None:
        opens, closes = business_hours
        if not 0 <= opens < closes <= 24 * 60:
            raise ValueError(
                f"business hours {business_hours!r}: opening must come before closing, "
                "both in minutes after midnight"
            )
        # Fail now on an unknown country or subdivision rather than on the first lookup.
        try:
            holidays_package.country_holidays(country, subdiv=subdivision, years=())
        except NotImplementedError as error:
            raise ValueError(f"unknown holiday jurisdiction: {error}") from None
        self.country = country
        self.subdivision = subdivision
        self.opens = opens
        self.closes = closes

    @classmethod
    def from_settings(cls, settings: Any) -> BusinessCalendar:
        return cls(
            country=settings.holiday_country,
            subdivision=settings.holiday_subdivision,
            business_hours=tuple(settings.business_hours),
        )

    @property
    def minutes_per_day(self) -> int:
        """Opening minutes of one business day (540 for 08:00-17:00)."""
        return self.closes - self.opens

    # -- holidays ---------------------------------------------------------------------------

    def holidays_in_year(self, year: int) -> frozenset[dt.date]:
        return _holiday_dates(self.country, self.subdivision, year)

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday's name, or None when ``day`` is not a public holiday."""
        if day not in self.holidays_in_year(day.year):
            return None
        table = holidays_package.country_holidays(
            self.country, subdiv=self.subdivision, years=day.year
        )
        return table.get(day)

    def holiday_array(self, first_year: int, last_year: int) -> np.ndarray:
        """Every holiday from ``first_year`` to ``last_year`` as sorted datetime64[D]."""
        days = sorted(
            day for year in range(first_year, last_year + 1) for day in self.holidays_in_year(year)
        )
        return np.array(days, dtype="datetime64[D]")

    # -- scalar arithmetic ------------------------------------------------------------------

    def is_business_day(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return day.weekday() < 5 and day not in self.holidays_in_year(day.year)

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days from ``start`` up to but not including ``end``.

        Friday to the next Monday is 1 (the Friday). Negative when ``end`` comes first.
        """
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        current = start
        while current < end:
            if self.is_business_day(current):
                count += 1
            current += dt.timedelta(days=1)
        return count

    def business_minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Minutes inside opening hours of business days from ``start`` to ``end``.

        Negative when ``end`` comes before ``start``. Seconds count as fractions of a minute.
        """
        _require_naive(start, end)
        if end < start:
            return -self.business_minutes_between(end, start)
        total = 0.0
        day = start.date()
        while day <= end.date():
            if self.is_business_day(day):
                midnight = dt.datetime.combine(day, dt.time())
                window_open = midnight + dt.timedelta(minutes=self.opens)
                window_close = midnight + dt.timedelta(minutes=self.closes)
                overlap = min(end, window_close) - max(start, window_open)
                if overlap > dt.timedelta(0):
                    total += overlap.total_seconds() / 60.0
            day += dt.timedelta(days=1)
        return total

    def acknowledged_within(
        self,
        received: dt.datetime,
        responded: dt.datetime | None,
        business_days: int = 1,
    ) -> bool:
        """Whether a response came within ``business_days`` business days of receipt.

        No response is not acknowledged. A response before receipt is an error in the data.
        """
        if responded is None:
            return False
        if responded < received:
            raise ValueError(f"response at {responded} comes before receipt at {received}")
        minutes = self.business_minutes_between(received, responded)
        return bool(self.within_business_days(minutes, business_days))

    def within_business_days(self, minutes: ArrayLike, business_days: int = 1) -> np.ndarray:
        """The acknowledgement rule itself, for business minutes from receipt to response (one
        number or an array of them): at most ``business_days`` full business days of opening
        minutes, so exactly one business day later still counts. NaN (no response) is False.

        The one place the rule is written: :meth:`acknowledged_within` and the contacts
        importer (``data.contacts``, a million rows at once) both ask it.
        """
        return np.asarray(minutes, dtype=float) <= business_days * self.minutes_per_day

    # -- vectorized arithmetic --------------------------------------------------------------

    def busday_calendar(self, first_year: int, last_year: int) -> np.busdaycalendar:
        return np.busdaycalendar(
            weekmask=WEEKMASK, holidays=self.holiday_array(first_year, last_year)
        )

    def business_minutes_between_arrays(
        self, received: np.ndarray, responded: np.ndarray
    ) -> np.ndarray:
        """Vectorized :meth:`business_minutes_between`: float minutes, NaN where either is NaT.

        Both arrays are datetime64 (any unit) of equal length, naive local time.
        """
        received = np.asarray(received)
        responded = np.asarray(responded)
        if received.shape != responded.shape:
            raise ValueError("received and responded must have the same length")
        result = np.full(received.shape, np.nan, dtype=float)
        valid = ~(np.isnat(received) | np.isnat(responded))
        if not valid.any():
            return result
        start = received[valid]
        end = responded[valid]
        start_day = start.astype("datetime64[D]")
        end_day = end.astype("datetime64[D]")
        years = np.concatenate([start_day, end_day]).astype("datetime64[Y]").astype(int) + 1970
        calendar = self.busday_calendar(int(years.min()), int(years.max()))
        # Minutes of the business clock before each timestamp on its own day.
        start_clock = self._clock_minutes(start, start_day, calendar)
        end_clock = self._clock_minutes(end, end_day, calendar)
        # Whole business days from the start day up to (not including) the end day. When the
        # end comes first the count must be minus the days from the end day up to the start
        # day; numpy's own negative count covers (end, start] instead, so order them first.
        forward = end_day >= start_day
        first = np.where(forward, start_day, end_day)
        last = np.where(forward, end_day, start_day)
        days = np.busday_count(first, last, busdaycal=calendar)
        days = np.where(forward, days, -days)
        result[valid] = days * float(self.minutes_per_day) + end_clock - start_clock
        return result

    def _clock_minutes(
        self, stamps: np.ndarray, days: np.ndarray, calendar: np.busdaycalendar
    ) -> np.ndarray:
        since_midnight = (stamps - days) / np.timedelta64(1, "m")
        inside = np.clip(since_midnight - self.opens, 0.0, float(self.minutes_per_day))
        return np.where(np.is_busday(days, busdaycal=calendar), inside, 0.0)


def _require_naive(*stamps: dt.datetime) -> None:
    for stamp in stamps:
        if stamp.tzinfo is not None:
            raise ValueError(
                f"{stamp.isoformat()} has a time zone; give local times of the jurisdiction "
                "without an offset"
            )
