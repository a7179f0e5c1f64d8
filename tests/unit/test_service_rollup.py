"""Issue 8: roll-ups from services, the headline measure of a dimension, any granularity."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.review import (
    FiscalYear,
    Quarter,
    QuarterChoiceError,
    choose_period,
    default_period,
    previous_quarter,
    quarter_bounds,
    quarters_up_to,
)
from dashboard.domain.scorecard import (
    AgencyRow,
    HeadlineReason,
    MetricInfo,
    Reading,
    choose_headlines,
    headline_metrics,
    needs_result_counts,
    period_result,
    score_cell,
)
from dashboard.domain.service_rollup import (
    Service,
    agency_cell,
    enterprise_units,
    roll_up,
    rollup_status,
    row_entries,
    service_standards,
)
from dashboard.domain.targets import Status, TargetSpec

STANDARD = MetricInfo("standard_met", "timeliness", "fraction", name_en="Served on time")
DAYS = MetricInfo("days", "timeliness", "business_days", direction="lower", name_en="Days")
Q3 = (date(2025, 4, 1), date(2025, 6, 30))
AT_LEAST_80 = TargetSpec("numeric", 0.80, ">=", date(2020, 10, 1), None)
BASELINE = TargetSpec("baseline", None, ">=", date(2020, 10, 1), None, text="Establish baseline")
SETTINGS = {"small_sample_threshold": 30, "small_sample_policy": "flag", "language": "en"}


def quarter(value: float | None, met: float | None = None, received: float | None = None):
    return Reading(*Q3, "quarter", value, met, received)


def standards(results: dict[str, list[Reading]], targets: dict[str, list[TargetSpec]]):
    services = [Service(slug, slug.title(), "agency") for slug in sorted({*results, *targets})]
    return service_standards(
        services,
        [STANDARD],
        STANDARD,
        {(slug, STANDARD.code): rs for slug, rs in results.items()},
        {(slug, STANDARD.code): ts for slug, ts in targets.items()},
        *Q3,
        "quarter",
        **SETTINGS,
    )


# -- counting standards ------------------------------------------------------------------------


def test_seven_of_sixteen_met_and_the_one_not_reported_is_listed_never_missed():
    shares = [0.9] * 7 + [0.5] * 9
    results = {f"s{i:02}": [quarter(share)] for i, share in enumerate(shares)}
    results["s16"] = [quarter(None)]  # published "no data"
    targets = {slug: [AT_LEAST_80] for slug in [*results, "s17"]}  # s17: target, no row
    rollup = roll_up("timeliness", standards(results, targets))
    assert (rollup.met.count, rollup.met.total) == (7, 16)
    assert rollup.met.percent_text() == "43.8%"
    assert (rollup.reported.count, rollup.reported.total) == (16, 18)
    assert [s.service_slug for s in rollup.not_reported] == ["s16", "s17"]
    assert rollup.status is Status.NOT_MET
    assert rollup.lines("en") == [
        "7 of 16 service standards met (43.8%)",
        "16 of 18 service standards reported",
    ]
    assert rollup.lines("es")[0] == "7 de 16 estándares de servicio cumplidos (43.8%)"


def test_a_standard_is_pooled_by_volume_not_by_averaging_percentages():
    months = [
        Reading(date(2025, 4, 1), date(2025, 4, 30), "month", 0.79, 79, 100),
        Reading(date(2025, 5, 1), date(2025, 5, 31), "month", 0.90, 900, 1000),
        Reading(date(2025, 6, 1), date(2025, 6, 30), "month", 0.01, 1, 100),
    ]
    (standard,) = standards({"busy": months}, {"busy": [AT_LEAST_80]})
    assert standard.cell.value == pytest.approx(980 / 1200)  # the mean would be 0.5667
    assert standard.status is Status.MET


def test_what_counts_as_a_standard():
    found = standards(
        {"no-target": [quarter(0.9)], "baseline": [quarter(0.9)], "numeric": [quarter(0.9)]},
        {"baseline": [BASELINE], "numeric": [AT_LEAST_80]},
    )
    statuses = {s.service_slug: s.status for s in found}
    # The headline measure with a result but no target is one, without a numeric target.
    assert statuses == {
        "baseline": Status.NO_TARGET,
        "no-target": Status.NO_TARGET,
        "numeric": Status.MET,
    }
    driver = service_standards(
        [Service("svc", "Svc", "agency")],
        [DAYS],
        STANDARD,
        {("svc", "days"): [quarter(12.0)]},
        {},
        *Q3,
        "quarter",
        **SETTINGS,
    )
    assert driver == []  # another measure with neither target nor headline role: not a standard


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Status.MET, Status.MET, Status.NOT_REPORTED], Status.MET),
        ([Status.MET, Status.NOT_MET], Status.NOT_MET),
        ([Status.NOT_REPORTED, Status.NOT_REPORTED], Status.NOT_REPORTED),
        ([Status.NO_TARGET, Status.NOT_REPORTED], Status.NO_TARGET),
        ([Status.NO_TARGET, Status.MET], Status.MET),
        ([], Status.NOT_REPORTED),
    ],
)
def test_rollup_status_rules(statuses, expected):
    assert rollup_status(statuses) is expected


# -- which figure heads an agency's cell ---------------------------------------------------------


def _own_cell(readings: list[Reading]):
    result = period_result(readings, *Q3, "quarter", STANDARD.scale)
    return score_cell(STANDARD, result, [AT_LEAST_80], *Q3, **SETTINGS)


def test_the_agencys_own_figure_wins_over_its_services():
    services = standards({"a": [quarter(0.5)]}, {"a": [AT_LEAST_80]})
    own = [quarter(0.95)]
    cell = agency_cell(_own_cell(own), own, STANDARD, services, *Q3)
    assert cell.rollup is None and cell.status is Status.MET
    # A published "no data" is the agency's own word for the period: it is not replaced.
    silent = [quarter(None)]
    cell = agency_cell(_own_cell(silent), silent, STANDARD, services, *Q3)
    assert cell.rollup is None and cell.status is Status.NOT_REPORTED


def test_without_an_own_figure_the_services_roll_up():
    services = standards({"a": [quarter(0.9)], "b": [quarter(0.5)]}, {"a": [AT_LEAST_80]})
    cell = agency_cell(_own_cell([]), [], STANDARD, services, *Q3)
    assert cell.rollup is not None
    assert cell.status is Status.MET  # b has no numeric target: listed, not judged
    assert (cell.rollup.met.count, cell.rollup.met.total) == (1, 1)
    assert cell.value == cell.score == pytest.approx(100.0)
    # No services' standards either: not reported, never zero.
    alone = agency_cell(_own_cell([]), [], STANDARD, [], *Q3)
    assert alone.status is Status.NOT_REPORTED and alone.value is None


def test_the_enterprise_counts_an_own_figure_once_and_each_standard_once():
    own = [quarter(0.95)]
    services = standards(
        {"a": [quarter(0.9)], "b": [quarter(0.5)]},
        {"a": [AT_LEAST_80], "b": [AT_LEAST_80], "c": [AT_LEAST_80]},
    )
    rows = [
        AgencyRow("own", "Own", ("Own",), {"timeliness": _own_cell(own)}),
        AgencyRow(
            "rolled",
            "Rolled",
            ("Rolled",),
            {"timeliness": agency_cell(_own_cell([]), [], STANDARD, services, *Q3)},
        ),
        AgencyRow("none", "None", ("None",), {}),
    ]
    units = enterprise_units(row_entries(rows, "timeliness"), "en")
    assert units.statuses == {
        "own": Status.MET,
        "a/standard_met": Status.MET,
        "b/standard_met": Status.NOT_MET,
        "c/standard_met": Status.NOT_REPORTED,
        "none": Status.NOT_REPORTED,
    }
    assert units.names["c/standard_met"] == "Rolled: C (Served on time)"
    # A summary names silent standards by agency, with how many; agencies by their name.
    assert units.named_by_agency(["c/standard_met", "none"], "en") == [
        "Rolled (1 service standard)",
        "None",
    ]
    assert units.named_by_agency(["b/standard_met", "c/standard_met"], "es") == [
        "Rolled (2 estándares de servicio)"
    ]


# -- the headline measure of a dimension ----------------------------------------------------------


def test_the_catalogue_flag_wins_and_is_never_the_alphabetical_first():
    ease = MetricInfo("ease", "satisfaction", "fraction", name_en="Process / ease")
    overall = MetricInfo("zz_overall", "satisfaction", "fraction", headline=True)
    csat = MetricInfo("csat_overall", "satisfaction", "fraction")
    chosen = choose_headlines([ease, overall, csat])
    assert chosen["satisfaction"].metric is overall  # even over the shipped default
    assert chosen["satisfaction"].reason is HeadlineReason.CATALOGUE


def test_without_a_flag_the_default_then_the_only_then_the_most_reported():
    csat = MetricInfo("csat_overall", "satisfaction", "fraction")
    ease = MetricInfo("ease", "satisfaction", "fraction")
    assert choose_headlines([ease, csat])["satisfaction"].reason is HeadlineReason.DEFAULT
    only = MetricInfo("b_share", "accuracy", "fraction")
    unscored = MetricInfo("a_days", "accuracy", "business_days")  # cannot be scored
    chosen = choose_headlines([unscored, only])["accuracy"]
    assert (chosen.metric, chosen.reason) == (only, HeadlineReason.ONLY)
    first = MetricInfo("a_share", "accuracy", "fraction")
    assert needs_result_counts([first, only])
    chosen = choose_headlines([first, only], {"b_share": 12, "a_share": 3})["accuracy"]
    assert (chosen.metric, chosen.reason) == (only, HeadlineReason.MOST_RESULTS)
    # A tie goes to the code, so the choice never depends on row order.
    assert headline_metrics([only, first], {"a_share": 5, "b_share": 5})["accuracy"] is first
    assert not needs_result_counts([csat, ease])


# -- any granularity: the review's periods ---------------------------------------------------------


def test_an_annual_review_compares_with_the_previous_fiscal_year():
    calendar = FiscalCalendar()
    year = FiscalYear(2024)
    assert previous_quarter(calendar, year) == FiscalYear(2023)
    assert quarter_bounds(calendar, year) == (date(2023, 10, 1), date(2024, 9, 30))
    assert quarters_up_to(calendar, year, 3) == [FiscalYear(2022), FiscalYear(2023), year]


def test_the_default_period_is_the_latest_the_data_have():
    quarters = [Quarter(2023, 4), Quarter(2024, 1)]
    assert default_period(quarters, [2023, 2024]) == Quarter(2024, 1)
    assert default_period(quarters, [2025]) == FiscalYear(2025)
    assert default_period([], [2022, 2023]) == FiscalYear(2023)
    assert default_period([], []) is None


def test_choose_period_keeps_old_urls_and_refuses_bad_values():
    quarters = [Quarter(2023, 3), Quarter(2023, 4)]
    assert choose_period("2023", None, quarters, [2022]) == Quarter(2023, 4)  # as it always did
    assert choose_period("2023", "3", quarters, [2022]) == Quarter(2023, 3)
    assert choose_period("FY2022", None, quarters, [2022]) == FiscalYear(2022)
    assert choose_period(None, None, [], [2021, 2022]) == FiscalYear(2022)
    for fy, q in (("2020", None), ("x", None), ("2022", "9"), ("2022", "2")):
        with pytest.raises(QuarterChoiceError):
            choose_period(fy, q, [], [2021, 2022])
