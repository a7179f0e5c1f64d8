"""The scorecard's decisions: results per period, status, search, sort, roll-up and trend words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.rollups import Ratio, TrendPoint, units_meeting_targets
from dashboard.domain.scorecard import (
    AgencyRow,
    Cell,
    MetricInfo,
    Reading,
    filter_rows,
    fold,
    headline_metrics,
    matches,
    offered_quarters,
    parts_in_period,
    period_result,
    pool,
    rollup_lines,
    score_cell,
    sort_rows,
    trend_summary,
)
from dashboard.domain.targets import Status, TargetSpec
from dashboard.views.home import period_param

CSAT = MetricInfo("csat_overall", "satisfaction", "fraction", is_survey=True, name_en="CSAT")
SERVICE_LEVEL = MetricInfo("service_level_60s", "access", "percent", name_en="Service level")
EASE = MetricInfo("ease", "satisfaction", "mean_1_5", is_survey=True)
WAIT = MetricInfo(
    "avg_speed_answer", "access", "seconds", direction="lower", norm_best=0, norm_worst=600
)

Q3 = (date(2026, 4, 1), date(2026, 6, 30))
FY2026 = (date(2025, 10, 1), date(2026, 9, 30))
TARGET_80 = TargetSpec("numeric", 0.80, ">=", date(2021, 10, 1), None)
BASELINE = TargetSpec("baseline", None, ">=", date(2021, 10, 1), None, text="Establish baseline")


def month(year: int, number: int, value: float | None, num=None, den=None, **kw) -> Reading:
    end = date(year + number // 12, number % 12 + 1, 1)
    return Reading(date(year, number, 1), end - timedelta(days=1), "month", value, num, den, **kw)


def quarter(start: date, end: date, value: float | None, num=None, den=None, **kw) -> Reading:
    return Reading(start, end, "quarter", value, num, den, **kw)


def cell(status: Status, score: float | None, dimension: str = "satisfaction") -> Cell:
    return Cell(
        dimension, "m", "fraction", None if score is None else score / 100, score, status, ""
    )


def row(slug: str, name: str, **cells: Cell) -> AgencyRow:
    return AgencyRow(slug, name, (name,), cells)


# -- headline metrics ------------------------------------------------------------------------


def test_headline_metric_is_the_preferred_code_when_the_store_has_it():
    other = MetricInfo("zz_satisfaction", "satisfaction", "fraction")
    chosen = headline_metrics([other, CSAT, SERVICE_LEVEL, WAIT])
    assert chosen["satisfaction"] is CSAT
    assert chosen["access"] is SERVICE_LEVEL
    assert "accuracy" not in chosen  # nothing measures it: no column, not a column of zeros


def test_headline_metric_falls_back_to_the_first_normalizable_code():
    unscored = MetricInfo("a_days", "timeliness", "business_days")  # no ends: no score
    scored_b = MetricInfo("b_share", "timeliness", "fraction")
    scored_c = MetricInfo("c_share", "timeliness", "fraction")
    assert headline_metrics([scored_c, unscored, scored_b])["timeliness"] is scored_b
    assert list(headline_metrics([WAIT, CSAT])) == ["satisfaction", "access"]  # column order


# -- a result for a period -------------------------------------------------------------------


def test_a_figure_published_for_the_period_is_used_as_is():
    readings = [quarter(*Q3, 0.81, 81, 100, earlier_value=0.79, revised=True)]
    result = period_result(readings, *Q3, "quarter", "fraction")
    assert result.value == 0.81 and result.denominator == 100
    assert not result.pooled and result.revised and result.earlier_value == 0.79


def test_a_published_null_stays_not_reported_even_with_months_beside_it():
    readings = [quarter(*Q3, None), month(2026, 4, 0.9, 9, 10)]
    result = period_result(readings, *Q3, "quarter", "fraction")
    assert result.value is None and result.parts_reported == 0


def test_months_pool_by_volume_not_by_averaging_percentages():
    readings = [
        month(2026, 4, 90.0, 90, 100),
        month(2026, 5, 50.0, 450, 900),
        month(2026, 6, 100.0, 10, 10),
        month(2026, 7, 10.0, 1, 10),  # next quarter: left out
    ]
    result = period_result(readings, *Q3, "quarter", "percent")
    assert result.value == pytest.approx(100 * 550 / 1010)
    assert result.denominator == 1010
    assert (result.parts_reported, result.parts_expected) == (3, 3)
    assert result.part_granularity == "month" and not result.partial


def test_a_missing_month_is_said_not_filled_in():
    readings = [month(2026, 4, 0.9, 90, 100), month(2026, 5, None)]  # June has no row
    result = period_result(readings, *Q3, "quarter", "fraction")
    assert result.value == pytest.approx(0.9)
    assert (result.parts_reported, result.parts_expected) == (1, 3)
    assert result.partial


def test_no_figure_at_all_is_not_reported_never_zero():
    result = period_result([month(2026, 4, None)], *Q3, "quarter", "fraction")
    assert result.value is None and result.parts_reported == 0
    assert period_result([], *Q3, "quarter", "fraction").value is None


def test_a_fiscal_year_pools_its_quarters_and_means_weight_by_responses():
    readings = [
        quarter(date(2025, 10, 1), date(2025, 12, 31), 4.0, None, 100),
        quarter(date(2026, 1, 1), date(2026, 3, 31), 3.0, None, 300),
    ]
    result = period_result(readings, *FY2026, "fiscal_year", "mean_1_5")
    assert result.value == pytest.approx((4.0 * 100 + 3.0 * 300) / 400)
    assert (result.parts_reported, result.parts_expected) == (2, 4)
    assert result.part_granularity == "quarter"


def test_pool_without_denominators_is_a_plain_mean():
    assert pool([month(2026, 4, 30.0), month(2026, 5, 60.0)], "seconds") == (45.0, None)
    assert pool([month(2026, 4, None)], "seconds") == (None, None)


def test_parts_in_a_period():
    assert parts_in_period(*Q3, "month") == 3
    assert parts_in_period(*FY2026, "quarter") == 4
    assert parts_in_period(*FY2026, "month") == 12


# -- status ----------------------------------------------------------------------------------


def _score(metric, result, targets, *, threshold=30, policy="flag", language="en"):
    return score_cell(
        metric,
        result,
        targets,
        *Q3,
        small_sample_threshold=threshold,
        small_sample_policy=policy,
        language=language,
    )


def _result(value, denominator=None):
    return period_result([quarter(*Q3, value, None, denominator)], *Q3, "quarter", "fraction")


def test_status_against_the_target_in_force():
    assert _score(CSAT, _result(0.85, 500), [TARGET_80]).status is Status.MET
    assert _score(CSAT, _result(0.75, 500), [TARGET_80]).status is Status.NOT_MET
    assert _score(CSAT, _result(0.75, 500), [BASELINE]).status is Status.NO_TARGET
    assert _score(CSAT, _result(0.75, 500), []).status is Status.NO_TARGET
    raised = TargetSpec("numeric", 0.9, ">=", date(2026, 6, 1), None)
    # The raised target is in force on the quarter's last day, so it applies.
    assert _score(CSAT, _result(0.85, 500), [TARGET_80, raised]).status is Status.NOT_MET


def test_not_reported_has_no_value_and_no_score():
    scored = _score(CSAT, _result(None), [TARGET_80])
    assert scored.status is Status.NOT_REPORTED
    assert scored.value is None and scored.score is None
    assert scored.target_text == "≥ 80%"


def test_a_reported_cell_carries_its_score_and_target_words():
    scored = _score(CSAT, _result(0.85, 500), [TARGET_80], language="es")
    assert scored.score == pytest.approx(85.0)
    assert scored.target_text == "≥ 80%"
    waits = period_result([quarter(*Q3, 120.0)], *Q3, "quarter", "seconds")
    assert _score(WAIT, waits, []).score == pytest.approx(80.0)  # 0 s is 100, 600 s is 0


def test_small_survey_samples_are_flagged_or_suppressed():
    flagged = _score(CSAT, _result(0.9, 12), [TARGET_80])
    assert flagged.small_sample and not flagged.suppressed
    assert flagged.status is Status.MET and flagged.value == 0.9
    hidden = _score(CSAT, _result(0.9, 12), [TARGET_80], policy="suppress")
    assert hidden.suppressed and hidden.value is None and hidden.score is None
    assert hidden.status is Status.NOT_REPORTED
    assert not _score(CSAT, _result(0.9, 30), [TARGET_80]).small_sample
    # Admin data (not a survey) is never a "small sample".
    admin = MetricInfo("accuracy_rate", "accuracy", "fraction")
    assert not _score(admin, _result(0.9, 12), [TARGET_80]).small_sample


# -- search, filter, sort --------------------------------------------------------------------


def test_fold_removes_accents_and_case():
    assert fold("  Vehículos   MOTORIZADOS ") == "vehiculos motorizados"
    assert fold("Año Señal") == "ano senal"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("vehiculos", True),
        ("VEHÍCULOS", True),
        ("motor vehicles", True),
        ("vehicles motor", True),  # every word, in any order
        ("departamento vehiculos", True),
        ("hacienda", False),
        ("motor hacienda", False),  # words from different names do not combine
        ("", True),
    ],
)
def test_search_matches_a_name_in_either_language(query, found):
    names = ("Department of Motor Vehicles", "Departamento de Vehículos Motorizados")
    assert matches(query, names) is found


def test_filter_by_status_in_a_dimension_or_in_any():
    housing = row(
        "housing",
        "Housing",
        satisfaction=cell(Status.NOT_REPORTED, None),
        accuracy=cell(Status.MET, 95, "accuracy"),
    )
    dmv = row(
        "dmv",
        "DMV",
        satisfaction=cell(Status.MET, 85),
        accuracy=cell(Status.NOT_MET, 90, "accuracy"),
    )
    rows = [housing, dmv]
    assert filter_rows(rows, "satisfaction", Status.NOT_REPORTED) == [housing]
    assert filter_rows(rows, "accuracy", Status.MET) == [housing]
    assert filter_rows(rows, None, Status.MET) == [housing, dmv]
    assert filter_rows(rows, "satisfaction", None) == rows
    # A dimension an agency has no cell for counts as not reported.
    assert filter_rows(rows, "access", Status.NOT_REPORTED) == rows


def test_sort_by_name_ignores_accents_and_by_score_puts_not_reported_last():
    zero = row("b", "Beta", satisfaction=cell(Status.NOT_MET, 0.0))
    missing = row("a", "Álamo", satisfaction=cell(Status.NOT_REPORTED, None))
    high = row("c", "Cedro", satisfaction=cell(Status.MET, 90.0))
    rows = [high, zero, missing]
    assert [r.slug for r in sort_rows(rows, "name")] == ["a", "b", "c"]
    # A score of 0 is a result; "not reported" is not, and is never ranked as 0.
    assert [r.slug for r in sort_rows(rows, "satisfaction")] == ["c", "b", "a"]
    with pytest.raises(ValueError):
        sort_rows(rows, "colour")


# -- roll-up and trend words -----------------------------------------------------------------


def test_rollup_lines_say_every_denominator():
    rollup = units_meeting_targets(
        {
            "a": Status.MET,
            "b": Status.MET,
            "c": Status.NOT_MET,
            "d": Status.NO_TARGET,
            "e": Status.NOT_REPORTED,
        }
    )
    lines = rollup_lines("accuracy", rollup, Ratio(4, 5), "FY2026", "en")
    assert lines == [
        "2 of 3 met, 66.7%",
        "4 of 5 reported",
        "1 reported without a numeric target",
        "4 of 5 measure accuracy in FY2026",
    ]
    spanish = rollup_lines("accuracy", rollup, Ratio(4, 5), "AF2026", "es")
    assert spanish[0] == "2 de 3 cumplen, 66.7%"
    assert spanish[-1] == "4 de 5 miden la exactitud en AF2026"


def test_rollup_when_nobody_could_be_judged():
    rollup = units_meeting_targets({"a": Status.NOT_REPORTED, "b": Status.NO_TARGET})
    lines = rollup_lines("satisfaction", rollup, Ratio(1, 2), "FY2026", "en")
    assert lines[0] == "No agency or service standard could be judged against a numeric target"
    assert lines[1] == "1 of 2 reported"
    assert lines[2] == "1 reported without a numeric target"


LABELS = {1: "FY2025 Q4", 2: "FY2026 Q1", 3: "FY2026 Q2", 4: "FY2026 Q3"}


def _points(*means: float | None, reported_last: int = 11) -> list[TrendPoint[int]]:
    points = [
        TrendPoint(key, mean, 12 if mean is not None else 0, 12)
        for key, mean in zip(LABELS, means, strict=False)
    ]
    last = points[-1]
    points[-1] = TrendPoint(last.key, last.mean, reported_last, 12)
    return points


def test_trend_summary_rose_and_fell():
    rose = trend_summary("satisfaction", _points(71.24, 72.0, 73.0, 74.81), LABELS, 12, "en")
    assert rose == (
        "Average satisfaction score rose from 71.2 to 74.8 between FY2025 Q4 and FY2026 Q3; "
        "11 of 12 agencies reported in the latest quarter (FY2026 Q3)."
    )
    fell = trend_summary("accuracy", _points(80.0, 79.0), LABELS, 12, "es")
    assert fell.startswith("La puntuación media de exactitud bajó de 80.0 a 79.0 entre")
    assert "11 de 12 agencias reportaron en el último trimestre (FY2026 Q1)" in fell


def test_trend_summary_starts_at_the_first_reported_quarter():
    summary = trend_summary("access", _points(None, 60.0, 60.04, 61.0), LABELS, 12, "en")
    assert "from 60.0 to 61.0 between FY2026 Q1 and FY2026 Q3" in summary


def test_trend_summary_same_single_and_none():
    same = trend_summary("timeliness", _points(80.01, 79.99), LABELS, 12, "en")
    assert same.startswith("Average timeliness score was 80.0 in both FY2025 Q4 and FY2026 Q1")
    single = trend_summary("timeliness", _points(None, 75.0), LABELS, 12, "en")
    assert single.startswith("Average timeliness score was 75.0 in FY2026 Q1;")
    none = trend_summary("accuracy", _points(None, None, reported_last=0), LABELS, 12, "en")
    assert none == (
        "No agency reported accuracy between FY2025 Q4 and FY2026 Q1; "
        "0 of 12 agencies reported in the latest quarter (FY2026 Q1)."
    )


# -- periods ---------------------------------------------------------------------------------

CALENDARS = [
    FiscalCalendar(10, "federal"),
    FiscalCalendar(7, "state"),
    FiscalCalendar(4, "canada"),
    FiscalCalendar(1, "federal"),
    FiscalCalendar(1, "canada"),
]


@pytest.mark.parametrize("calendar", CALENDARS)
def test_period_parameter_round_trips_through_parse_period(calendar):
    for fiscal_year in (2009, 2024, 2026):
        for number in (1, 2, 3, 4):
            period = calendar.quarter_period(fiscal_year, number)
            value = period_param(calendar, period)
            assert " " not in value
            assert calendar.parse_period(value) == period, value
        year = calendar.year(fiscal_year)
        assert calendar.parse_period(period_param(calendar, year)) == year


def test_period_parameter_reads_well():
    federal = FiscalCalendar(10, "federal")
    assert period_param(federal, federal.quarter_period(2026, 3)) == "FY2026-Q3"
    assert period_param(federal, federal.year(2026)) == "FY2026"


def test_offered_quarters_are_those_with_quarterly_results_or_else_complete_months():
    federal = FiscalCalendar(10, "federal")
    quarterly = {("a", "csat"): [quarter(*Q3, 0.8)], ("a", "sl"): [month(2026, 7, 80.0)]}
    assert offered_quarters(federal, quarterly) == [(2026, 3)]
    months_only = {
        ("a", "sl"): [month(2026, 4, 1.0), month(2026, 5, 1.0), month(2026, 6, None)],
        ("b", "sl"): [month(2026, 7, 1.0), month(2026, 8, 1.0)],  # Q4 incomplete
    }
    assert offered_quarters(federal, months_only) == [(2026, 3)]
    assert offered_quarters(federal, {}) == []
