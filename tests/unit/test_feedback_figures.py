"""The monthly "Found this page helpful" figure: counts, roll-up to agencies, complete months."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.domain.feedback_figures import (
    FeedbackCount,
    HelpfulFigure,
    helpful_figures,
    last_complete_month,
)
from dashboard.domain.stats import wilson_interval

D = dt.date
AGENCY, SERVICE, OTHER_AGENCY = 1, 11, 2
AGENCY_OF = {SERVICE: AGENCY}


def count(unit: int, month: dt.date, helpful: bool, n: int) -> FeedbackCount:
    return FeedbackCount(unit_id=unit, month=month, helpful=helpful, count=n)


def by_key(figures: list[HelpfulFigure]) -> dict[tuple[int, dt.date], tuple[int, int]]:
    return {(f.unit_id, f.month): (f.yes, f.answers) for f in figures}


def test_last_complete_month() -> None:
    assert last_complete_month(D(2026, 11, 30)) == D(2026, 10, 1)
    assert last_complete_month(D(2026, 11, 1)) == D(2026, 10, 1)
    assert last_complete_month(D(2026, 1, 15)) == D(2025, 12, 1)


def test_yes_share_with_its_count_per_unit_and_month() -> None:
    figures = helpful_figures(
        [
            count(OTHER_AGENCY, D(2026, 9, 3), True, 30),
            count(OTHER_AGENCY, D(2026, 9, 28), False, 10),
            count(OTHER_AGENCY, D(2026, 10, 1), True, 1),
        ],
        agency_of=AGENCY_OF,
        today=D(2026, 11, 30),
    )
    assert by_key(figures) == {
        (OTHER_AGENCY, D(2026, 9, 1)): (30, 40),
        (OTHER_AGENCY, D(2026, 10, 1)): (1, 1),
    }
    september = figures[0]
    assert september.share == pytest.approx(0.75)
    # The interval is the one every survey share gets, not a copy of it.
    assert september.interval() == wilson_interval(30, 40)
    high = figures[1].interval()
    assert high is not None and high[1] == 1.0  # 1 of 1: the exact upper end


def test_a_service_counts_for_itself_and_its_agency() -> None:
    figures = helpful_figures(
        [
            count(SERVICE, D(2026, 9, 10), True, 8),
            count(SERVICE, D(2026, 9, 11), False, 2),
            count(AGENCY, D(2026, 9, 12), False, 5),
        ],
        agency_of=AGENCY_OF,
        today=D(2026, 11, 30),
    )
    assert by_key(figures) == {
        (AGENCY, D(2026, 9, 1)): (8, 15),
        (SERVICE, D(2026, 9, 1)): (8, 10),
    }


def test_only_complete_months_up_to_through() -> None:
    counts = [
        count(AGENCY, D(2026, 8, 31), True, 1),
        count(AGENCY, D(2026, 9, 30), True, 2),
        count(AGENCY, D(2026, 10, 31), False, 3),
        count(AGENCY, D(2026, 11, 29), True, 4),  # this month: not over on the 30th
    ]
    months = [f.month for f in helpful_figures(counts, agency_of={}, today=D(2026, 11, 30))]
    assert months == [D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1)]
    through = helpful_figures(counts, agency_of={}, today=D(2026, 11, 30), through=D(2026, 9, 1))
    assert [f.month for f in through] == [D(2026, 8, 1), D(2026, 9, 1)]
    # A "through" in the future does not let the month in progress in.
    later = helpful_figures(counts, agency_of={}, today=D(2026, 11, 30), through=D(2027, 1, 1))
    assert [f.month for f in later] == months


def test_no_answers_is_no_figure_and_all_no_is_zero() -> None:
    figures = helpful_figures(
        [count(AGENCY, D(2026, 9, 1), True, 0), count(OTHER_AGENCY, D(2026, 9, 1), False, 4)],
        agency_of={},
        today=D(2026, 11, 30),
    )
    assert by_key(figures) == {(OTHER_AGENCY, D(2026, 9, 1)): (0, 4)}
    assert figures[0].share == 0.0
    with pytest.raises(ValueError, match="negative"):
        helpful_figures(
            [count(AGENCY, D(2026, 9, 1), True, -1)], agency_of={}, today=D(2026, 11, 30)
        )
