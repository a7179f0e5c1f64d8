"""The published "Found this page helpful" figure: yes answers out of all answers, per unit
and calendar month.

Visitors answer "Did this page help you?" with yes or no (``feedback_responses``). What is
published is a count, never a comment: per unit and month, the number of "yes" answers (the
numerator), the number of answers (the denominator) and their share. The metric is a survey
fraction (``is_survey``), so the pages and the API give it the Wilson interval and the
small-sample flag of every other survey share (:mod:`dashboard.domain.stats`), from the
numerator and denominator stored with it; nothing here repeats that.

Only complete months are published: the month in progress would show a share that moves
every day. A service's answers count for the service *and* for its agency, as contact
records do (``data/contacts.py``). Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dashboard.domain.stats import wilson_interval

#: The metric the figures are published under (created by ``cxdash feedback-figures``).
HELPFUL_METRIC = "page_helpful"


@dataclass(frozen=True)
class FeedbackCount:
    """How many answers one unit got in one month with one answer (a GROUP BY row)."""

    unit_id: int
    month: dt.date  # any day of the month; only its year and month count
    helpful: bool
    count: int


@dataclass(frozen=True)
class HelpfulFigure:
    """One unit's figure for one calendar month: ``yes`` of ``answers`` found the page helpful."""

    unit_id: int
    month: dt.date  # the first day of the month
    yes: int
    answers: int

    @property
    def share(self) -> float:
        return self.yes / self.answers

    def interval(self) -> tuple[float, float] | None:
        """The Wilson interval of the share (what the pages show beside it)."""
        return wilson_interval(self.yes, self.answers)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_complete_month(today: dt.date) -> dt.date:
    """The first day of the latest calendar month that has ended before ``today``."""
    return month_start(month_start(today) - dt.timedelta(days=1))


def helpful_figures(
    counts: Iterable[FeedbackCount],
    *,
    agency_of: Mapping[int, int],
    today: dt.date,
    through: dt.date | None = None,
) -> list[HelpfulFigure]:
    """The monthly figures of every unit that had answers, sorted by unit and month.

    ``agency_of``: the agency of each service (a unit not in it is an agency, or a unit that
    rolls up to nothing); a service's answers also count for that agency. Months that have
    not ended before ``today`` are left out, and so are months after ``through`` (any day of
    the last month to include). A unit-month with no answers has no figure (not reported,
    never 0%).
    """
    last = last_complete_month(today)
    if through is not None:
        last = min(last, month_start(through))
    yes: dict[tuple[int, dt.date], int] = defaultdict(int)
    answers: dict[tuple[int, dt.date], int] = defaultdict(int)
    for row in counts:
        if row.count < 0:
            raise ValueError(f"a count of answers cannot be negative ({row.count})")
        month = month_start(row.month)
        if month > last or row.count == 0:
            continue
        units = [row.unit_id]
        agency = agency_of.get(row.unit_id)
        if agency is not None and agency != row.unit_id:
            units.append(agency)
        for unit in units:
            answers[(unit, month)] += row.count
            if row.helpful:
                yes[(unit, month)] += row.count
    return [
        HelpfulFigure(unit_id=unit, month=month, yes=yes[(unit, month)], answers=total)
        for (unit, month), total in sorted(answers.items())
    ]
