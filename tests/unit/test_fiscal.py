from __future__ import annotations

import itertools
from datetime import date

import pytest

from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar, Period

FEDERAL = FiscalCalendar(10, "federal")
STATE = FiscalCalendar(7, "state")
CANADA = FiscalCalendar(4, "canada")
CALENDAR_YEAR = FiscalCalendar(1, "federal")
ALL_CALENDARS = [FEDERAL, STATE, CANADA, CALENDAR_YEAR]


@pytest.mark.parametrize(
    ("calendar", "day", "fiscal_year", "quarter"),
    [
        # US federal: Oct 1 - Sep 30, named by the year it ends.
        (FEDERAL, date(2023, 9, 30), 2023, 4),
        (FEDERAL, date(2023, 10, 1), 2024, 1),
        (FEDERAL, date(2023, 12, 31), 2024, 1),
        (FEDERAL, date(2024, 1, 1), 2024, 2),
        (FEDERAL, date(2024, 3, 31), 2024, 2),
        (FEDERAL, date(2024, 4, 1), 2024, 3),
        (FEDERAL, date(2024, 7, 1), 2024, 4),
        (FEDERAL, date(2024, 9, 30), 2024, 4),
        # States: Jul 1 - Jun 30.
        (STATE, date(2023, 6, 30), 2023, 4),
        (STATE, date(2023, 7, 1), 2024, 1),
        (STATE, date(2023, 10, 1), 2024, 2),
        (STATE, date(2024, 1, 1), 2024, 3),
        (STATE, date(2024, 6, 30), 2024, 4),
        # Canada: Apr 1 - Mar 31.
        (CANADA, date(2023, 3, 31), 2023, 4),
        (CANADA, date(2023, 4, 1), 2024, 1),
        (CANADA, date(2023, 12, 31), 2024, 3),
        (CANADA, date(2024, 1, 1), 2024, 4),
        (CANADA, date(2024, 3, 31), 2024, 4),
        # January start: the fiscal year is the calendar year.
        (CALENDAR_YEAR, date(2023, 12, 31), 2023, 4),
        (CALENDAR_YEAR, date(2024, 1, 1), 2024, 1),
        (CALENDAR_YEAR, date(2024, 4, 1), 2024, 2),
        (CALENDAR_YEAR, date(2024, 12, 31), 2024, 4),
    ],
)
def test_fiscal_year_and_quarter_of_a_day(calendar, day, fiscal_year, quarter):
    assert calendar.fiscal_year(day) == fiscal_year
    assert calendar.quarter(day) == quarter


@pytest.mark.parametrize(
    ("calendar", "start", "end"),
    [
        (FEDERAL, date(2023, 10, 1), date(2024, 9, 30)),
        (STATE, date(2023, 7, 1), date(2024, 6, 30)),
        (CANADA, date(2023, 4, 1), date(2024, 3, 31)),
        (CALENDAR_YEAR, date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_year_bounds_of_fiscal_2024(calendar, start, end):
    assert calendar.year_bounds(2024) == (start, end)
    assert calendar.year(2024) == Period(start, end, "fiscal_year")


@pytest.mark.parametrize("calendar", ALL_CALENDARS)
def test_quarters_and_months_tile_the_year_without_gaps(calendar):
    year = calendar.year(2024)
    for parts in (calendar.quarters(2024), calendar.months(2024)):
        assert parts[0].start == year.start
        assert parts[-1].end == year.end
        for earlier, later in itertools.pairwise(parts):
            assert (later.start - earlier.end).days == 1
    assert len(calendar.months(2024)) == 12
    assert [calendar.quarter_of(q) for q in calendar.quarters(2024)] == [
        (2024, 1),
        (2024, 2),
        (2024, 3),
        (2024, 4),
    ]
    assert all(calendar.fiscal_year_of(m) == 2024 for m in calendar.months(2024))


def test_quarter_bounds_cross_calendar_year_and_leap_day():
    assert FEDERAL.quarter_bounds(2024, 1) == (date(2023, 10, 1), date(2023, 12, 31))
    assert FEDERAL.quarter_bounds(2024, 2) == (date(2024, 1, 1), date(2024, 3, 31))
    assert FEDERAL.months(2024)[4] == Period(date(2024, 2, 1), date(2024, 2, 29), "month")
    assert CANADA.quarter_bounds(2024, 4) == (date(2024, 1, 1), date(2024, 3, 31))
    assert STATE.quarter_bounds(2024, 2) == (date(2023, 10, 1), date(2023, 12, 31))


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_bad_quarter_numbers_are_refused(quarter):
    with pytest.raises(ValueError, match="quarter"):
        FEDERAL.quarter_bounds(2024, quarter)


def test_period_containing_each_granularity():
    day = date(2024, 2, 10)
    assert FEDERAL.period_containing(day, "month") == Period(
        date(2024, 2, 1), date(2024, 2, 29), "month"
    )
    assert FEDERAL.period_containing(day, "quarter") == FEDERAL.quarter_period(2024, 2)
    assert CANADA.period_containing(day, "quarter") == CANADA.quarter_period(2024, 4)
    assert STATE.period_containing(day, "fiscal_year") == STATE.year(2024)
    with pytest.raises(ValueError, match="granularity"):
        FEDERAL.period_containing(day, "week")


def test_previous_and_next_quarter_wrap_across_fiscal_years():
    assert FEDERAL.previous_quarter(2024, 1) == (2023, 4)
    assert FEDERAL.previous_quarter(2024, 3) == (2024, 2)
    assert FEDERAL.next_quarter(2024, 4) == (2025, 1)
    assert FEDERAL.next_quarter(2024, 1) == (2024, 2)


@pytest.mark.parametrize(
    ("calendar", "en", "es", "quarter_en", "quarter_es"),
    [
        (FEDERAL, "FY2024", "AF2024", "FY2024 Q2", "T2 AF2024"),
        (STATE, "FY2023-24", "AF2023-24", "FY2023-24 Q2", "T2 AF2023-24"),
        (CANADA, "2023-2024", "2023-2024", "2023-2024 Q2", "T2 2023-2024"),
        (CALENDAR_YEAR, "FY2024", "AF2024", "FY2024 Q2", "T2 AF2024"),
        # A calendar-year fiscal year spans no years, whatever the style.
        (FiscalCalendar(1, "state"), "FY2024", "AF2024", "FY2024 Q2", "T2 AF2024"),
        (FiscalCalendar(1, "canada"), "2024", "2024", "2024 Q2", "T2 2024"),
    ],
)
def test_labels_for_each_style(calendar, en, es, quarter_en, quarter_es):
    assert calendar.year_label(2024) == en
    assert calendar.year_label(2024, "es") == es
    assert calendar.quarter_label(2024, 2) == quarter_en
    assert calendar.quarter_label(2024, 2, "es") == quarter_es
    assert calendar.period_label(calendar.year(2024)) == en
    assert calendar.period_label(calendar.quarter_period(2024, 2), "es") == quarter_es


def test_state_label_across_a_century():
    assert STATE.year_label(2000) == "FY1999-00"
    assert STATE.parse_fiscal_year("FY1999-00") == 2000


def test_month_labels_in_both_languages():
    march = Period(date(2024, 3, 1), date(2024, 3, 31), "month")
    january = Period(date(2024, 1, 1), date(2024, 1, 31), "month")
    assert FEDERAL.period_label(march) == "Mar 2024"
    assert FEDERAL.period_label(march, "es") == "mar 2024"
    assert FEDERAL.period_label(january, "es") == "ene 2024"


@pytest.mark.parametrize(
    ("text", "fiscal_year"),
    [
        ("FY2024", 2024),
        ("FY 2024", 2024),
        ("fy2024", 2024),
        ("AF2024", 2024),
        ("2024", 2024),
        ("FY24", 2024),
        ("FY2023-24", 2024),
        ("2023-24", 2024),
        ("2023-2024", 2024),
        ("2023 - 2024", 2024),
        ("  FY2025 ", 2025),
    ],
)
def test_parse_fiscal_year(text, fiscal_year):
    assert STATE.parse_fiscal_year(text) == fiscal_year


@pytest.mark.parametrize("text", ["", "FY", "twenty24", "2023-25", "2024-2023", "FY2024 Q2"])
def test_parse_fiscal_year_refuses_nonsense(text):
    with pytest.raises(ValueError, match="fiscal year"):
        FEDERAL.parse_fiscal_year(text)


def test_calendar_year_fiscal_years_do_not_span_two_years():
    with pytest.raises(ValueError, match="calendar years"):
        CALENDAR_YEAR.parse_fiscal_year("2023-24")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FY2024 Q2", FEDERAL.quarter_period(2024, 2)),
        ("2024 Q2", FEDERAL.quarter_period(2024, 2)),
        ("Q2 FY2024", FEDERAL.quarter_period(2024, 2)),
        ("FY2024Q2", FEDERAL.quarter_period(2024, 2)),
        ("FY2024-Q3", FEDERAL.quarter_period(2024, 3)),
        ("q1 fy2025", FEDERAL.quarter_period(2025, 1)),
        ("T2 AF2024", FEDERAL.quarter_period(2024, 2)),
        ("2023-2024 Q2", FEDERAL.quarter_period(2024, 2)),
        ("2024-03", Period(date(2024, 3, 1), date(2024, 3, 31), "month")),
        ("2024-3", Period(date(2024, 3, 1), date(2024, 3, 31), "month")),
        ("2024-02-17", Period(date(2024, 2, 1), date(2024, 2, 29), "month")),
        ("Mar 2024", Period(date(2024, 3, 1), date(2024, 3, 31), "month")),
        ("dic 2023", Period(date(2023, 12, 1), date(2023, 12, 31), "month")),
        ("FY2024", FEDERAL.year(2024)),
        ("2023-24", FEDERAL.year(2024)),
    ],
)
def test_parse_period(text, expected):
    assert FEDERAL.parse_period(text) == expected


@pytest.mark.parametrize(
    "text", ["", "Q5 FY2024", "FY2024 Q0", "2024-13-01", "2024-02-30", "soon", "Foo 2024"]
)
def test_parse_period_refuses_nonsense(text):
    with pytest.raises(ValueError):
        FEDERAL.parse_period(text)


@pytest.mark.parametrize("calendar", ALL_CALENDARS)
@pytest.mark.parametrize("language", ["en", "es"])
def test_labels_parse_back_to_the_same_period(calendar, language):
    periods = [calendar.year(2024), *calendar.quarters(2024), *calendar.months(2024)]
    for period in periods:
        label = calendar.period_label(period, language)
        assert calendar.parse_period(label) == period, label


@pytest.mark.parametrize("calendar", ALL_CALENDARS)
def test_infer_period_recognises_exact_bounds(calendar):
    for period in [calendar.year(2024), *calendar.quarters(2024), *calendar.months(2024)]:
        assert calendar.infer_period(period.start, period.end) == period


def test_infer_period_refuses_other_spans():
    with pytest.raises(ValueError, match="not a calendar month"):
        FEDERAL.infer_period(date(2024, 2, 15), date(2024, 5, 14))
    # A calendar year is not a fiscal year in a July-start calendar.
    with pytest.raises(ValueError, match="not a calendar month"):
        STATE.infer_period(date(2024, 1, 1), date(2024, 12, 31))
    with pytest.raises(ValueError, match="after it ends"):
        FEDERAL.infer_period(date(2024, 3, 1), date(2024, 2, 1))


def test_from_settings():
    settings = Settings(fiscal_year_start_month=4, fiscal_year_label_style="canada")
    assert FiscalCalendar.from_settings(settings) == CANADA
    assert FiscalCalendar.from_settings(Settings()) == FEDERAL


def test_bad_calendars_and_periods_are_refused():
    with pytest.raises(ValueError, match="start month"):
        FiscalCalendar(13)
    with pytest.raises(ValueError, match="label style"):
        FiscalCalendar(10, "british")
    with pytest.raises(ValueError, match="granularity"):
        Period(date(2024, 1, 1), date(2024, 1, 31), "week")
    with pytest.raises(ValueError, match="after it ends"):
        Period(date(2024, 2, 1), date(2024, 1, 31), "month")


def test_periods_sort_chronologically():
    quarters = FEDERAL.quarters(2024)
    assert sorted(reversed(quarters)) == quarters
    assert Period(date(2024, 3, 1), date(2024, 3, 31), "month").contains(date(2024, 3, 31))
    assert not Period(date(2024, 3, 1), date(2024, 3, 31), "month").contains(date(2024, 4, 1))
