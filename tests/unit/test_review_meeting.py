"""The review for the meeting (issue 13): the overview's dimensions and non-reporters, every
action in progress or planned beside the target it addresses, honest pack progress words,
and the pack's page numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.review import (
    REVIEW_DIMENSIONS,
    ActionRecord,
    ActionStatus,
    Agency,
    Quarter,
    Thresholds,
    actions_by_target,
    actions_under_way,
    comparison_rows,
    non_reporters,
    quarter_bounds,
    review_actions,
)
from dashboard.domain.rollups import units_meeting_targets
from dashboard.domain.scorecard import SCORECARD_DIMENSIONS, MetricInfo, Reading
from dashboard.domain.service_rollup import enterprise_units
from dashboard.domain.targets import Status, TargetSpec
from dashboard.views.review_pack import css_string, page_number_parts
from layouts.review import pack_state

FEDERAL = FiscalCalendar(10, "federal")
Q3 = Quarter(2026, 3)  # April to June 2026
CSAT = MetricInfo("csat_overall", "satisfaction", "fraction", "higher", is_survey=True)
ACCURACY = MetricInfo("accuracy_rate", "accuracy", "fraction", "higher")
SERVICE_LEVEL = MetricInfo("service_level_60s", "access", "percent", "higher")
METRICS = {m.code: m for m in (CSAT, ACCURACY, SERVICE_LEVEL)}
HEADLINE = {"accuracy": ACCURACY, "satisfaction": CSAT, "access": SERVICE_LEVEL}
THRESHOLDS = Thresholds(30, "flag")
AGENCIES = [
    Agency("esd", "Employment Security"),
    Agency("parks", "Parks"),
    Agency("tax", "Revenue"),
]


def _quarter(fy: int, q: int, value: float | None, n: float | None = 1000) -> Reading:
    start, end = FEDERAL.quarter_bounds(fy, q)
    counted = None if value is None or n is None else value * n
    return Reading(start, end, "quarter", value, counted, n)


def _target(value: float) -> TargetSpec:
    return TargetSpec("numeric", value, ">=", dt.date(2020, 1, 1), None)


def _readings() -> dict[tuple[str, str], list[Reading]]:
    return {
        ("esd", "service_level_60s"): [_quarter(2026, 2, 61.5), _quarter(2026, 3, 55.7)],
        ("esd", "csat_overall"): [_quarter(2026, 2, 0.70), _quarter(2026, 3, 0.72)],
        ("esd", "accuracy_rate"): [_quarter(2026, 3, 0.93)],
        # Parks never published an accuracy figure: the overview says "did not report".
        ("parks", "csat_overall"): [_quarter(2026, 3, 0.78)],
        ("parks", "service_level_60s"): [_quarter(2026, 3, 88.0)],
        # Revenue reported satisfaction last quarter, not this one.
        ("tax", "csat_overall"): [_quarter(2026, 2, 0.81)],
        ("tax", "accuracy_rate"): [_quarter(2026, 3, 0.97)],
        ("tax", "service_level_60s"): [_quarter(2026, 3, 90.0)],
    }


TARGETS = {
    ("esd", "service_level_60s"): [_target(80.0)],
    ("esd", "csat_overall"): [_target(0.8)],
    ("parks", "csat_overall"): [_target(0.8)],
}


def _rows():  # type: ignore[no-untyped-def]
    return comparison_rows(FEDERAL, Q3, AGENCIES, HEADLINE, _readings(), TARGETS, THRESHOLDS, "en")


def test_the_review_has_the_overviews_dimensions_access_included() -> None:
    assert REVIEW_DIMENSIONS == SCORECARD_DIMENSIONS
    assert "access" in REVIEW_DIMENSIONS


def test_non_reporters_are_the_ones_the_overviews_roll_up_counts() -> None:
    rows = _rows()
    silent = non_reporters(rows)
    assert {(r.agency_slug, r.dimension) for r in silent} == {
        ("parks", "accuracy"),  # never reported: listed all the same, as on the overview
        ("tax", "satisfaction"),
    }
    # The overview's own functions, dimension by dimension, name the same agencies.
    for dimension in HEADLINE:
        own = [r for r in rows if r.dimension == dimension]
        units = enterprise_units(((r.agency_slug, r.agency_name, r.this) for r in own), "en")
        overview = set(units_meeting_targets(units.statuses).not_reported)
        assert overview == {r.agency_slug for r in silent if r.dimension == dimension}
    parks = next(r for r in silent if r.agency_slug == "parks")
    assert parks.last_reported is None and parks.this.status == Status.NOT_REPORTED


def _action(
    action_id: int,
    started: dt.date | None,
    completed: dt.date | None = None,
    *,
    status: str | None = None,
    unit: str = "esd",
    agency: str = "esd",
    codes: tuple[str, ...] = ("service_level_60s",),
) -> ActionRecord:
    return ActionRecord(
        action_id=action_id,
        unit_slug=unit,
        unit_name=unit,
        agency_slug=agency,
        title=f"Action {action_id}",
        description=None,
        started_on=started,
        completed_on=completed,
        link=None,
        metric_codes=codes,
        published_status=status,
    )


def test_what_is_being_done_keeps_every_action_in_progress_or_planned() -> None:
    start, end = quarter_bounds(FEDERAL, Q3)
    surge = _action(1, dt.date(2026, 3, 23), status="in_progress")  # started last quarter
    planned = _action(2, dt.date(2026, 11, 11), status="planned")
    done_now = _action(3, dt.date(2025, 12, 4), dt.date(2026, 4, 24), status="completed")
    done_before = _action(4, dt.date(2024, 1, 1), dt.date(2024, 6, 1), status="completed")
    # Started after the quarter and done since: not claimed as "planned" back then.
    later = _action(5, dt.date(2026, 8, 1), dt.date(2026, 9, 1), status="completed")
    # Still called planned, though its planned start has passed: planned, not in progress.
    overdue = _action(6, dt.date(2026, 5, 1), status="planned")
    chosen = actions_under_way([later, done_before, planned, done_now, overdue, surge], start, end)
    assert chosen == [surge, overdue, planned, done_now]


def test_each_action_carries_the_targets_it_addresses_planned_ones_too() -> None:
    surge = _action(1, dt.date(2026, 3, 23), status="in_progress")
    planned = _action(2, dt.date(2026, 11, 11), status="planned", codes=("csat_overall", "unknown"))
    reviewed = review_actions(
        FEDERAL, Q3, [planned, surge], METRICS, _readings(), TARGETS, THRESHOLDS, "en"
    )
    assert [item.status for item in reviewed] == [ActionStatus.IN_PROGRESS, ActionStatus.PLANNED]
    (level,) = reviewed[0].addresses
    assert level.metric.code == "service_level_60s" and level.dimension == "access"
    assert level.cell.value == pytest.approx(55.7)
    assert level.cell.status == Status.NOT_MET and level.cell.target_text
    # What followed: the quarter before it started (FY2026 Q1, not reported) against now.
    assert [f.metric.code for f in reviewed[0].follow_ups] == ["service_level_60s"]
    # A plan has its target (the unknown measure is left out) and nothing followed yet.
    (csat,) = reviewed[1].addresses
    assert csat.dimension == "satisfaction" and csat.cell.status == Status.NOT_MET
    assert reviewed[1].follow_ups == ()


def test_actions_sit_beside_the_rows_of_their_agency_and_dimension() -> None:
    rows = _rows()
    surge = _action(1, dt.date(2026, 3, 23), status="in_progress")
    # A service's action counts for its agency.
    line = _action(
        2,
        dt.date(2026, 5, 7),
        status="in_progress",
        unit="reservations",
        agency="parks",
        codes=("csat_overall",),
    )
    reviewed = review_actions(
        FEDERAL, Q3, [surge, line], METRICS, _readings(), TARGETS, THRESHOLDS, "en"
    )
    beside = actions_by_target(rows, reviewed)
    assert [i.action.action_id for i in beside[("esd", "access")]] == [1]
    assert [i.action.action_id for i in beside[("parks", "satisfaction")]] == [2]
    assert ("esd", "satisfaction") not in beside
    assert ("parks", "access") not in beside


def test_progress_words_say_waiting_only_when_other_builds_are_ahead() -> None:
    alone = {"state": "queued", "done": 0, "total": 1, "ahead": 0}
    words, *_rest = pack_state(alone, "en", "FY2026 Q3", "/review-pack/x.pdf")
    assert words == "Starting the review pack…"
    assert "Waiting" not in words
    behind = {**alone, "ahead": 2}
    words, *_rest = pack_state(behind, "en", "FY2026 Q3", "/review-pack/x.pdf")
    assert words == "Waiting: the server is preparing 2 other downloads first…"
    # A status without the count (another worker claimed the job a moment ago) is starting.
    words, *_rest = pack_state({"state": "queued"}, "es", "T3 AF2026", "/x.pdf")
    assert words == "Iniciando el paquete de revisión…"


def test_page_numbers_are_css_strings_nothing_can_break_out_of() -> None:
    escaped = css_string('Página "1" </style>')
    assert escaped.replace("\\", "").isalnum()
    assert escaped.startswith("P\\0000E1gina\\000020\\000022")
    parts = page_number_parts("es", "Paquete")
    assert (parts["first"], parts["second"]) == ("page", "pages")
    assert parts["before"] == css_string("Página ")
    assert parts["between"] == css_string(" de ")
    assert page_number_parts("en", "Pack")["between"] == css_string(" of ")
