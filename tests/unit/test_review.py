"""The quarterly review's decisions: quarters, movement, missed targets, non-reporters, actions."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.review import (
    ActionRecord,
    ActionStatus,
    Agency,
    ChangeReason,
    Movement,
    Quarter,
    QuarterChoiceError,
    Thresholds,
    actions_in_quarter,
    break_between,
    choose_quarter,
    comparison_rows,
    default_quarter,
    difference_margin,
    judge_change,
    missed_targets,
    movers,
    non_reporters,
    previous_quarter,
    quarter_bounds,
    quarters_up_to,
    review_actions,
    same_quarter_last_year,
    sort_comparison_rows,
    status_as_of,
)
from dashboard.domain.scorecard import MetricInfo, Reading
from dashboard.domain.stats import significant_change
from dashboard.domain.targets import Status, TargetSpec

FEDERAL = FiscalCalendar(10, "federal")
STATE = FiscalCalendar(7, "state")
CSAT = MetricInfo("csat_overall", "satisfaction", "fraction", "higher", is_survey=True)
ACCURACY = MetricInfo("accuracy_rate", "accuracy", "fraction", "higher")
DAYS = MetricInfo("processing_days", "timeliness", "business_days", "lower")
THRESHOLDS = Thresholds(small_sample_threshold=30, small_sample_policy="flag")


# -- quarters --------------------------------------------------------------------------------


def test_previous_quarter_of_q1_is_q4_of_the_fiscal_year_before() -> None:
    assert previous_quarter(FEDERAL, Quarter(2026, 1)) == Quarter(2025, 4)
    assert previous_quarter(FEDERAL, Quarter(2026, 3)) == Quarter(2026, 2)
    assert same_quarter_last_year(Quarter(2026, 1)) == Quarter(2025, 1)


def test_quarter_bounds_follow_the_fiscal_start_month() -> None:
    # Federal FY2026 Q1 is Oct-Dec 2025; a July-start (state) FY2026 Q1 is Jul-Sep 2025.
    assert quarter_bounds(FEDERAL, Quarter(2026, 1)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert quarter_bounds(STATE, Quarter(2026, 1)) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    # The quarter before state FY2026 Q1 is Apr-Jun 2025 (FY2025 Q4).
    before = previous_quarter(STATE, Quarter(2026, 1))
    assert before == Quarter(2025, 4)
    assert quarter_bounds(STATE, before) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    year_ago = same_quarter_last_year(Quarter(2026, 1))
    assert quarter_bounds(STATE, year_ago) == (dt.date(2024, 7, 1), dt.date(2024, 9, 30))


def test_quarters_up_to_runs_oldest_first_across_fiscal_years() -> None:
    assert quarters_up_to(STATE, Quarter(2026, 2), 4) == [
        Quarter(2025, 3),
        Quarter(2025, 4),
        Quarter(2026, 1),
        Quarter(2026, 2),
    ]


def test_default_quarter_is_the_latest_with_data() -> None:
    offered = [Quarter(2025, 4), Quarter(2026, 3), Quarter(2026, 1)]
    assert default_quarter(offered) == Quarter(2026, 3)
    assert default_quarter([]) is None
    assert choose_quarter(None, None, offered) == Quarter(2026, 3)


def test_choose_quarter_reads_the_parameters_and_refuses_quarters_without_data() -> None:
    offered = [Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 3)]
    assert choose_quarter("2026", "1", offered) == Quarter(2026, 1)
    assert choose_quarter("FY2025", "Q4", offered) == Quarter(2025, 4)
    assert choose_quarter("2025", None, offered) == Quarter(2025, 4)  # that year's latest
    assert choose_quarter(None, "1", offered) == Quarter(2026, 1)  # the latest year's Q1
    for fy, q, reason in [
        ("twenty", "1", "bad_fy"),
        ("2026", "5", "bad_q"),
        ("2026", "2", "no_data"),
        ("2019", None, "no_data"),
    ]:
        with pytest.raises(QuarterChoiceError) as error:
            choose_quarter(fy, q, offered)
        assert error.value.reason == reason
    with pytest.raises(QuarterChoiceError) as error:
        choose_quarter("2026", "2", offered)
    assert error.value.quarter == Quarter(2026, 2)


# -- movement --------------------------------------------------------------------------------


def test_share_change_counts_only_beyond_the_margin_of_error() -> None:
    # 80% -> 84% on 200 responses each: the margin of the difference is about 7.5 points.
    small = judge_change(CSAT, 0.80, 200, 0.84, 200)
    assert small.movement == Movement.STEADY
    assert small.reason == ChangeReason.WITHIN_MARGIN
    assert small.margin == pytest.approx(difference_margin(0.80, 200, 0.84, 200))
    assert abs(small.difference) < small.margin
    assert not significant_change(0.80, 200, 0.84, 200)
    # The same 4 points on 3,000 responses each is real.
    large = judge_change(CSAT, 0.80, 3000, 0.84, 3000)
    assert large.movement == Movement.IMPROVED
    assert large.reason == ChangeReason.BEYOND_MARGIN
    assert abs(large.difference) > large.margin
    assert significant_change(0.80, 3000, 0.84, 3000)


def test_margin_and_test_agree_at_the_boundary() -> None:
    for n in (50, 120, 400, 1500):
        for later in (0.70, 0.74, 0.78, 0.82):
            change = judge_change(CSAT, 0.70, n, later, n)
            if change.reason == ChangeReason.BELOW_MINIMUM:
                continue
            assert change.moved == (abs(later - 0.70) > change.margin)


def test_a_decline_follows_the_measures_direction() -> None:
    assert judge_change(CSAT, 0.84, 3000, 0.80, 3000).movement == Movement.DECLINED
    # Fewer days is better: 10 -> 8 days is an improvement, 10 -> 12 a decline.
    assert judge_change(DAYS, 10.0, None, 8.0, None).movement == Movement.IMPROVED
    assert judge_change(DAYS, 10.0, None, 12.0, None).movement == Movement.DECLINED


def test_percent_scale_shares_are_tested_as_fractions() -> None:
    metric = MetricInfo("service_level_60s", "access", "percent", "higher")
    change = judge_change(metric, 80.0, 3000, 84.0, 3000)
    assert change.movement == Movement.IMPROVED
    assert change.margin == pytest.approx(difference_margin(0.80, 3000, 0.84, 3000) * 100)


def test_tiny_changes_on_huge_volumes_are_not_movers() -> None:
    # 90.0% -> 90.4% on 800,000 cases each is beyond the margin, but under a point.
    change = judge_change(ACCURACY, 0.900, 800_000, 0.904, 800_000)
    assert significant_change(0.900, 800_000, 0.904, 800_000)
    assert change.movement == Movement.STEADY
    assert change.reason == ChangeReason.BELOW_MINIMUM


def test_a_share_without_sample_sizes_cannot_be_judged() -> None:
    change = judge_change(CSAT, 0.60, None, 0.90, 500)
    assert change.movement == Movement.NOT_COMPARABLE
    assert change.reason == ChangeReason.NO_SAMPLE_SIZE
    assert not change.moved


def test_other_scales_move_only_by_ten_percent_of_the_earlier_value() -> None:
    assert judge_change(DAYS, 10.0, None, 10.9, None).movement == Movement.STEADY
    assert judge_change(DAYS, 10.0, None, 10.9, None).reason == ChangeReason.BELOW_THRESHOLD
    assert judge_change(DAYS, 10.0, None, 11.0, None).movement == Movement.DECLINED
    assert judge_change(DAYS, 10.0, None, 11.0, None).reason == ChangeReason.BEYOND_THRESHOLD


def test_not_reported_is_never_zero_and_never_a_mover() -> None:
    for earlier, later in [(None, 0.9), (0.9, None), (None, None), (float("nan"), 0.5)]:
        change = judge_change(CSAT, earlier, 1000, later, 1000)
        assert change.movement == Movement.NOT_COMPARABLE
        assert change.reason == ChangeReason.NOT_REPORTED
        assert change.difference is None  # not "-90 points"


def test_a_change_across_a_series_break_is_not_a_trend() -> None:
    change = judge_change(CSAT, 0.60, 3000, 0.90, 3000, series_break=True)
    assert change.movement == Movement.NOT_COMPARABLE
    assert change.reason == ChangeReason.SERIES_BREAK
    readings = [_quarter(2026, 2, 0.9, 100, series_break=True)]
    q1_end = quarter_bounds(FEDERAL, Quarter(2026, 1))[1]
    q2_end = quarter_bounds(FEDERAL, Quarter(2026, 2))[1]
    assert break_between(readings, q1_end, q2_end)
    assert not break_between(readings, q2_end, q2_end + dt.timedelta(days=90))


# -- comparison rows -------------------------------------------------------------------------


def _quarter(
    fy: int,
    q: int,
    value: float | None,
    n: float | None,
    *,
    calendar: FiscalCalendar = FEDERAL,
    series_break: bool = False,
    earlier: float | None = None,
) -> Reading:
    start, end = calendar.quarter_bounds(fy, q)
    return Reading(
        start,
        end,
        "quarter",
        value,
        None if value is None or n is None else value * n,
        n,
        earlier_value=earlier,
        revised=earlier is not None,
        series_break=series_break,
    )


def _target(value: float) -> TargetSpec:
    return TargetSpec("numeric", value, ">=", dt.date(2020, 1, 1), None)


AGENCIES = [Agency("dmv", "Motor Vehicles"), Agency("parks", "Parks"), Agency("tax", "Revenue")]


def _rows(calendar: FiscalCalendar = FEDERAL, policy: str = "flag"):  # type: ignore[no-untyped-def]
    q = Quarter(2026, 3)

    def series(values: list[tuple[int, int, float | None, float | None]]) -> list[Reading]:
        return [_quarter(fy, qq, v, n, calendar=calendar) for fy, qq, v, n in values]

    readings = {
        # Up 6 points on 3,000 responses: a real improvement; meets the 80% target.
        ("dmv", "csat_overall"): series(
            [(2025, 3, 0.79, 3000), (2026, 2, 0.78, 3000), (2026, 3, 0.84, 3000)]
        ),
        # Down 6 points on 40 responses: within the margin; misses the target.
        ("parks", "csat_overall"): series(
            [(2025, 3, 0.75, 40), (2026, 2, 0.76, 40), (2026, 3, 0.70, 40)]
        ),
        # Reported last quarter, not this one: a non-reporter, never a mover.
        ("tax", "csat_overall"): series(
            [(2025, 3, 0.80, 900), (2026, 2, 0.81, 900), (2026, 3, None, None)]
        ),
        # Reported two years ago only: not expected now.
        ("dmv", "accuracy_rate"): series([(2024, 2, 0.95, 800)]),
        ("parks", "accuracy_rate"): series(
            [(2025, 3, 0.97, 800), (2026, 2, 0.98, 800), (2026, 3, 0.90, 800)]
        ),
        ("tax", "accuracy_rate"): series(
            [(2025, 3, 0.97, 20), (2026, 2, 0.97, 20), (2026, 3, 0.96, 20)]
        ),
    }
    targets = {(a.slug, code): [_target(0.8)] for a in AGENCIES for code in ("csat_overall",)}
    targets[("parks", "accuracy_rate")] = [_target(0.95)]
    rows = comparison_rows(
        calendar,
        q,
        AGENCIES,
        {"accuracy": ACCURACY, "satisfaction": CSAT},
        readings,
        targets,
        Thresholds(30, policy),
        "en",
    )
    return q, rows


def _row(rows, slug: str, dimension: str):  # type: ignore[no-untyped-def]
    return next(r for r in rows if r.agency_slug == slug and r.dimension == dimension)


@pytest.mark.parametrize("calendar", [FEDERAL, STATE])
def test_rows_compare_this_previous_and_year_ago(calendar: FiscalCalendar) -> None:
    _q, rows = _rows(calendar)
    assert len(rows) == 6
    dmv = _row(rows, "dmv", "satisfaction")
    assert (dmv.this.value, dmv.previous.value, dmv.year_ago.value) == (0.84, 0.78, 0.79)
    assert dmv.change_previous.movement == Movement.IMPROVED
    assert dmv.change_previous.difference == pytest.approx(0.06)
    assert dmv.status == Status.MET
    assert dmv.trend[-3:] == (None, 0.78, 0.84)
    assert len(dmv.trend) == 8


def test_small_samples_are_flagged_and_hidden_under_suppress() -> None:
    _q, rows = _rows()
    tax = _row(rows, "tax", "accuracy")
    assert not tax.this.small_sample  # accuracy is not a survey
    parks = _row(rows, "parks", "satisfaction")
    assert not parks.this.small_sample  # 40 responses >= 30
    _q, suppressed = _rows(policy="suppress")
    assert _row(suppressed, "parks", "satisfaction").this.value == 0.70


def test_small_survey_samples_are_flagged() -> None:
    q = Quarter(2026, 3)
    readings = {("dmv", "csat_overall"): [_quarter(2026, 3, 0.9, 12), _quarter(2026, 2, 0.5, 12)]}
    flag = comparison_rows(
        FEDERAL, q, AGENCIES[:1], {"satisfaction": CSAT}, readings, {}, THRESHOLDS, "en"
    )
    assert flag[0].this.small_sample and flag[0].this.value == 0.9
    hidden = comparison_rows(
        FEDERAL,
        q,
        AGENCIES[:1],
        {"satisfaction": CSAT},
        readings,
        {},
        Thresholds(30, "suppress"),
        "en",
    )
    assert hidden[0].this.value is None and hidden[0].this.suppressed
    # A hidden value is not a mover; the overview counts it as not reported, and so does the
    # review (its "last reported" says why).
    assert hidden[0].change_previous.movement == Movement.NOT_COMPARABLE
    assert non_reporters(hidden) == hidden


def test_revised_figures_are_marked_with_their_earlier_value() -> None:
    q = Quarter(2026, 3)
    readings = {("dmv", "csat_overall"): [_quarter(2026, 3, 0.84, 500, earlier=0.82)]}
    rows = comparison_rows(
        FEDERAL, q, AGENCIES[:1], {"satisfaction": CSAT}, readings, {}, THRESHOLDS, "en"
    )
    assert rows[0].this.revised and rows[0].this.earlier_value == 0.82


def test_missed_targets_list_each_result_below_its_target_with_the_gap() -> None:
    _q, rows = _rows()
    missed = missed_targets(rows)
    assert [(m.row.agency_slug, m.row.dimension) for m in missed] == [
        ("parks", "satisfaction"),  # 70% against 80%: 10 points short
        ("parks", "accuracy"),  # 90% against 95%: 5 points short
    ]
    assert missed[0].shortfall == pytest.approx(0.10)
    assert missed[0].row.this.target_text == "≥ 80%"
    # Not reported is not a miss.
    assert all(m.row.agency_slug != "tax" for m in missed)


def test_movers_hold_only_changes_that_count_biggest_first() -> None:
    _q, rows = _rows()
    improved = movers(rows, Movement.IMPROVED)
    declined = movers(rows, Movement.DECLINED)
    assert [(r.agency_slug, r.dimension) for r in improved] == [("dmv", "satisfaction")]
    # Parks accuracy fell 8 points on 800 cases (real); parks satisfaction fell 6 points on
    # 40 responses (within the margin), so it is not a mover.
    assert [(r.agency_slug, r.dimension) for r in declined] == [("parks", "accuracy")]
    everyone = {(r.agency_slug, r.dimension) for r in improved + declined}
    assert ("tax", "satisfaction") not in everyone  # not reported is never a mover


def test_the_biggest_movement_comes_first_and_the_limit_keeps_the_biggest() -> None:
    # Seven agencies, each up (or down) by a different number of points on 3,000 responses
    # (all real changes); listed by name in an order that is neither biggest nor smallest first.
    changes = {"a": 5, "b": 15, "c": 3, "d": 9, "e": 12, "f": 7, "g": -4}
    agencies = [Agency(slug, f"Agency {slug.upper()}") for slug in changes]
    readings = {
        (slug, "csat_overall"): [
            _quarter(2026, 2, 0.70, 3000),
            _quarter(2026, 3, 0.70 + points / 100, 3000),
        ]
        for slug, points in changes.items()
    }
    rows = comparison_rows(
        FEDERAL, Quarter(2026, 3), agencies, {"satisfaction": CSAT}, readings, {}, THRESHOLDS, "en"
    )
    everyone = movers(rows, Movement.IMPROVED, limit=None)
    assert [r.agency_slug for r in everyone] == ["b", "e", "d", "f", "a", "c"]
    # The list shown holds the five biggest, not the five smallest.
    assert [r.agency_slug for r in movers(rows, Movement.IMPROVED)] == ["b", "e", "d", "f", "a"]
    assert [r.agency_slug for r in movers(rows, Movement.DECLINED)] == ["g"]
    ranked = sort_comparison_rows(rows, "improvements")
    assert [r.agency_slug for r in ranked] == ["b", "e", "d", "f", "a", "c", "g"]


def test_non_reporters_are_every_row_without_a_result_this_quarter() -> None:
    _q, rows = _rows()
    silent = non_reporters(rows)
    assert {(r.agency_slug, r.dimension) for r in silent} == {
        ("tax", "satisfaction"),
        # DMV accuracy was last reported two years ago: it still did not report (the
        # overview says so too), with the quarter it last did.
        ("dmv", "accuracy"),
    }
    assert _row(rows, "tax", "satisfaction").last_reported == Quarter(2026, 2)
    assert _row(rows, "dmv", "accuracy").last_reported == Quarter(2024, 2)
    assert all(r.this.status == Status.NOT_REPORTED for r in silent)


def test_sorting_keeps_every_row_and_puts_attention_first() -> None:
    _q, rows = _rows()
    by_status = sort_comparison_rows(rows, "status")
    assert by_status[0].status == Status.NOT_MET
    assert len(by_status) == len(rows)
    declines = sort_comparison_rows(rows, "declines")
    assert (declines[0].agency_slug, declines[0].dimension) == ("parks", "accuracy")
    assert len(declines) == len(rows)
    with pytest.raises(ValueError):
        sort_comparison_rows(rows, "bogus")


# -- actions ---------------------------------------------------------------------------------


def _action(
    started: dt.date | None, completed: dt.date | None = None, codes: tuple[str, ...] = ()
) -> ActionRecord:
    return ActionRecord(
        action_id=1,
        unit_slug="dmv",
        unit_name="Motor Vehicles",
        agency_slug="dmv",
        title="Online renewals",
        description=None,
        started_on=started,
        completed_on=completed,
        link=None,
        metric_codes=codes,
    )


def test_actions_of_the_quarter_are_those_started_or_completed_in_it() -> None:
    start, end = quarter_bounds(FEDERAL, Quarter(2026, 3))  # Apr-Jun 2026
    inside = _action(dt.date(2026, 5, 1))
    finished = _action(dt.date(2025, 11, 1), dt.date(2026, 6, 1))
    earlier = _action(dt.date(2025, 11, 1))
    later = _action(dt.date(2026, 8, 1))
    chosen = actions_in_quarter([later, inside, earlier, finished], start, end)
    assert chosen == [finished, inside]


def test_status_is_judged_on_the_quarters_last_day_not_today() -> None:
    action = _action(dt.date(2026, 5, 1), dt.date(2026, 9, 1))
    assert status_as_of(action, dt.date(2026, 6, 30)) == ActionStatus.IN_PROGRESS
    assert status_as_of(action, dt.date(2026, 9, 30)) == ActionStatus.COMPLETED
    assert status_as_of(action, dt.date(2026, 4, 1)) == ActionStatus.PLANNED


def test_what_followed_compares_the_quarter_before_the_start_with_this_quarter() -> None:
    q = Quarter(2026, 3)
    readings = {
        ("dmv", "csat_overall"): [
            _quarter(2025, 4, 0.70, 2000),  # before: the action started in FY2026 Q1
            _quarter(2026, 3, 0.80, 2000),
        ]
    }
    action = _action(dt.date(2025, 11, 15), dt.date(2026, 5, 1), codes=("csat_overall", "x"))
    reviewed = review_actions(
        FEDERAL, q, [action], {"csat_overall": CSAT}, readings, {}, THRESHOLDS, "en"
    )
    assert len(reviewed) == 1
    assert reviewed[0].status == ActionStatus.COMPLETED
    (follow,) = reviewed[0].follow_ups  # the unknown code "x" is left out
    assert follow.before_quarter == Quarter(2025, 4)
    assert (follow.before.value, follow.after.value) == (0.70, 0.80)
    assert follow.change.movement == Movement.IMPROVED
    assert not follow.too_early


def test_an_action_started_this_quarter_is_too_early_to_judge() -> None:
    q = Quarter(2026, 3)
    readings = {("dmv", "csat_overall"): [_quarter(2026, 2, 0.7, 500)]}
    action = _action(dt.date(2026, 5, 15), codes=("csat_overall",))
    (reviewed,) = review_actions(
        FEDERAL, q, [action], {"csat_overall": CSAT}, readings, {}, THRESHOLDS, "en"
    )
    (follow,) = reviewed.follow_ups
    assert follow.too_early
    assert follow.after.value is None  # this quarter not reported: never zero
    assert follow.change.movement == Movement.NOT_COMPARABLE
