"""Business days, business minutes and the one-business-day acknowledgement rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dashboard.core.settings import Settings
from dashboard.domain.business_days import BusinessCalendar

D = dt.date
T = dt.datetime


@pytest.fixture
def federal() -> BusinessCalendar:
    return BusinessCalendar("US", None, (8 * 60, 17 * 60))


def test_weekends_are_not_business_days(federal):
    assert federal.is_business_day(D(2024, 11, 22))  # Friday
    assert not federal.is_business_day(D(2024, 11, 23))  # Saturday
    assert not federal.is_business_day(D(2024, 11, 24))  # Sunday
    assert federal.is_business_day(D(2024, 11, 25))  # Monday


def test_us_federal_holidays_are_not_business_days(federal):
    assert not federal.is_business_day(D(2024, 11, 28))  # Thanksgiving
    assert not federal.is_business_day(D(2024, 7, 4))  # Independence Day (Thursday)
    assert federal.is_business_day(D(2024, 11, 29))  # the Friday after: federal workday
    assert federal.holiday_name(D(2024, 11, 28)) == "Thanksgiving Day"
    assert federal.holiday_name(D(2024, 11, 29)) is None


def test_observed_holiday_on_a_friday(federal):
    # July 4, 2026 is a Saturday; the federal holiday is observed on Friday July 3.
    assert not federal.is_business_day(D(2026, 7, 3))


def test_state_subdivision_adds_its_holidays(federal):
    california = BusinessCalendar("US", "CA")
    # The day after Thanksgiving is a California state holiday, not a federal one.
    assert federal.is_business_day(D(2024, 11, 29))
    assert not california.is_business_day(D(2024, 11, 29))
    # Cesar Chavez Day 2024 fell on a Sunday and was observed on Monday April 1.
    assert not california.is_business_day(D(2024, 4, 1))
    assert federal.is_business_day(D(2024, 4, 1))


def test_unknown_jurisdiction_is_refused():
    with pytest.raises(ValueError, match="unknown holiday jurisdiction"):
        BusinessCalendar("XX")
    with pytest.raises(ValueError, match="unknown holiday jurisdiction"):
        BusinessCalendar("US", "ZZ")


def test_bad_hours_are_refused():
    with pytest.raises(ValueError, match="opening must come before closing"):
        BusinessCalendar("US", None, (17 * 60, 8 * 60))


def test_from_settings_uses_the_jurisdiction_and_hours():
    settings = Settings(holiday_country="US", holiday_subdivision="CA", business_hours=(540, 1020))
    calendar = BusinessCalendar.from_settings(settings)
    assert calendar.subdivision == "CA"
    assert calendar.minutes_per_day == 480


def test_business_days_between_counts_start_not_end(federal):
    assert federal.business_days_between(D(2024, 11, 22), D(2024, 11, 25)) == 1
    # Mon 25 .. Mon Dec 2: Mon, Tue, Wed, Fri (Thanksgiving skipped) = 4.
    assert federal.business_days_between(D(2024, 11, 25), D(2024, 12, 2)) == 4
    assert federal.business_days_between(D(2024, 12, 2), D(2024, 11, 25)) == -4
    assert federal.business_days_between(D(2024, 11, 25), D(2024, 11, 25)) == 0


def test_business_minutes_count_only_opening_hours(federal):
    # Friday 16:00 -> Monday 09:00: 60 minutes on Friday, 60 on Monday.
    assert federal.business_minutes_between(T(2024, 11, 22, 16), T(2024, 11, 25, 9)) == 120
    # Received at night: the clock starts at the next opening.
    assert federal.business_minutes_between(T(2024, 11, 25, 22), T(2024, 11, 26, 8, 30)) == 30
    # Across Thanksgiving: Wed 16:30 -> Fri 08:15 = 30 + 15.
    assert federal.business_minutes_between(T(2024, 11, 27, 16, 30), T(2024, 11, 29, 8, 15)) == 45
    # Seconds count as fractions of a minute; reversed order is negative.
    assert federal.business_minutes_between(T(2024, 11, 25, 9), T(2024, 11, 25, 9, 0, 30)) == 0.5
    assert federal.business_minutes_between(T(2024, 11, 25, 10), T(2024, 11, 25, 9)) == -60


def test_timezone_aware_times_are_refused(federal):
    aware = T(2024, 11, 25, 9, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="time zone"):
        federal.business_minutes_between(aware, T(2024, 11, 25, 10))


def test_friday_afternoon_answered_monday_morning_is_within_one_business_day(federal):
    assert federal.acknowledged_within(T(2024, 11, 22, 15, 30), T(2024, 11, 25, 10))
    # Answered Monday 15:31: 90 + 451 = 541 business minutes, one more than a business day.
    assert not federal.acknowledged_within(T(2024, 11, 22, 15, 30), T(2024, 11, 25, 15, 31))
    # Exactly one business day later is still within.
    assert federal.acknowledged_within(T(2024, 11, 22, 15, 30), T(2024, 11, 25, 15, 30))


def test_acknowledgement_across_a_holiday_and_with_no_response(federal):
    # Wednesday before Thanksgiving 14:00, answered Friday 11:00: 180 + 180 minutes.
    assert federal.acknowledged_within(T(2024, 11, 27, 14), T(2024, 11, 29, 11))
    assert not federal.acknowledged_within(T(2024, 11, 27, 14), None)
    assert federal.acknowledged_within(T(2024, 11, 27, 14), T(2024, 12, 2, 11), business_days=2)
    with pytest.raises(ValueError, match="before receipt"):
        federal.acknowledged_within(T(2024, 11, 27, 14), T(2024, 11, 27, 13))


@pytest.mark.parametrize("days", [1, 2, 3])
def test_a_reply_exactly_n_business_days_later_counts_and_one_minute_more_does_not(federal, days):
    # From Wednesday 10:00 before Thanksgiving (Thu 28, then a weekend): the n-th business
    # day after it, at the same time of day, is Fri 29, Mon 2 Dec, Tue 3 Dec.
    received = T(2024, 11, 27, 10)
    same_time = {1: T(2024, 11, 29, 10), 2: T(2024, 12, 2, 10), 3: T(2024, 12, 3, 10)}[days]
    assert federal.business_minutes_between(received, same_time) == days * 540
    assert federal.acknowledged_within(received, same_time, business_days=days)
    one_minute_more = same_time + dt.timedelta(minutes=1)
    assert not federal.acknowledged_within(received, one_minute_more, business_days=days)
    # n + 1 business days later is late for n.
    later = {1: T(2024, 12, 2, 10), 2: T(2024, 12, 3, 10), 3: T(2024, 12, 4, 10)}[days]
    assert not federal.acknowledged_within(received, later, business_days=days)
    assert federal.acknowledged_within(received, later, business_days=days + 1)


def test_the_rule_on_minutes_is_the_same_for_one_number_and_an_array(federal):
    minutes = np.array([0.0, 539.0, 540.0, 540.5, 1080.0, np.nan])
    assert federal.within_business_days(minutes).tolist() == [True, True, True, False, False, False]
    assert federal.within_business_days(minutes, 2).tolist() == [True] * 5 + [False]
    assert federal.within_business_days(540.0) and not federal.within_business_days(541.0)
    # A shorter opening day shortens the business day (09:00-17:00: 480 minutes).
    short = BusinessCalendar("US", None, (9 * 60, 17 * 60))
    assert short.within_business_days(480.0) and not short.within_business_days(481.0)


def _random_stamps(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    minutes_in_two_years = 60 * 24 * 730
    received = np.datetime64("2023-11-01T00:00:00") + rng.integers(
        0, minutes_in_two_years * 60, size
    ).astype("timedelta64[s]")
    delay = rng.integers(-60 * 24 * 2, 60 * 24 * 12, size).astype("timedelta64[m]")
    responded = received + delay
    return received, responded


@pytest.mark.parametrize("subdivision", [None, "CA"])
def test_vectorized_minutes_equal_the_scalar_walk(subdivision):
    calendar = BusinessCalendar("US", subdivision, (8 * 60 + 30, 17 * 60))
    rng = np.random.default_rng(20241128)
    received, responded = _random_stamps(rng, 3000)
    responded[::37] = np.datetime64("NaT")
    vectorized = calendar.business_minutes_between_arrays(received, responded)
    for index in range(len(received)):
        if np.isnat(responded[index]):
            assert np.isnan(vectorized[index])
            continue
        start = received[index].astype("datetime64[s]").item()
        end = responded[index].astype("datetime64[s]").item()
        expected = calendar.business_minutes_between(start, end)
        assert vectorized[index] == pytest.approx(expected, abs=1e-9), (start, end)


def test_vectorized_handles_known_cases_and_all_nat(federal):
    received = np.array(["2024-11-22T16:00", "2024-11-27T16:30", "NaT"], dtype="datetime64[m]")
    responded = np.array(
        ["2024-11-25T09:00", "2024-11-29T08:15", "2024-11-29T08:15"], dtype="datetime64[m]"
    )
    assert federal.business_minutes_between_arrays(received, responded)[:2].tolist() == [120, 45]
    nothing = np.array(["NaT"], dtype="datetime64[s]")
    assert np.isnan(federal.business_minutes_between_arrays(nothing, nothing)).all()
    with pytest.raises(ValueError, match="same length"):
        federal.business_minutes_between_arrays(received, responded[:2])


def test_vectorized_takes_a_million_rows_at_once(federal):
    # Its speed is bench/import_contacts.py's business; here, that a million rows go through
    # in one call and agree with the row-by-row rule.
    rng = np.random.default_rng(7)
    received, responded = _random_stamps(rng, 1_000_000)
    minutes = federal.business_minutes_between_arrays(received, responded)
    assert minutes.shape == (1_000_000,)
    for index in range(0, 1_000_000, 50_000):
        start = received[index].astype("datetime64[s]").item()
        end = responded[index].astype("datetime64[s]").item()
        assert minutes[index] == pytest.approx(federal.business_minutes_between(start, end))
