"""The chart rules (issue 13), as plain functions: the value axis, the period ticks, the series
styles and where actions go. Every public chart is drawn by these (``layouts.figures``)."""

from __future__ import annotations

import datetime as dt
import math
from itertools import pairwise

import pytest

from dashboard.domain.charts import (
    MAX_AXIS_TICKS,
    MIN_SPAN,
    SCALE_BOUNDS,
    SERIES_SYMBOLS,
    action_day,
    action_is_planned,
    axis_ticks,
    nice_step,
    series_style,
    tick_lines,
    value_axis,
    wrap_words,
)

# -- the value axis ----------------------------------------------------------------------------


def _is_tick(value: float, low: float, step: float) -> bool:
    return math.isclose((value - low) / step, round((value - low) / step), abs_tol=1e-6)


@pytest.mark.parametrize(
    ("scale", "values", "targets"),
    [
        ("percent", [95.1, 97.1, 96.0], [95.0]),  # accuracy: a point of noise, target 95%
        ("fraction", [83.0, 95.6], [95.0]),  # the messages chart: target at the top
        ("percent", [99.2, 99.9], [100.0]),
        ("percent", [1.0, 3.0], [5.0]),  # abandonment: near zero
        ("mean_1_5", [3.82, 4.02], [4.0]),
        ("mean_1_5", [4.9, 5.0], []),
        ("score_0_10", [7.1, 7.3], [8.0]),
        ("seconds", [20, 120], [60]),
        ("count", [70000, 120000], []),
        ("business_days", [5.0, 7.0], []),
        (None, [40.0, 42.0], [50.0]),
    ],
)
def test_the_axis_includes_every_value_and_target_and_ends_on_ticks(scale, values, targets):
    axis = value_axis(scale, values, targets)
    assert axis is not None
    assert axis.low < axis.high  # never inverted, never empty
    for value in [*values, *targets]:
        assert axis.low <= value <= axis.high, (value, axis)
    # The top is a tick: no target above the top tick.
    assert _is_tick(axis.high, axis.low, axis.step)
    assert (axis.high - axis.low) / axis.step <= 10  # a readable number of ticks


@pytest.mark.parametrize("scale", list(MIN_SPAN))
def test_noise_is_never_magnified_past_the_stated_minimum_span(scale):
    low, high = SCALE_BOUNDS[scale]
    middle = (low + high) / 2
    axis = value_axis(scale, [middle, middle + (high - low) / 1000], [])
    assert axis is not None
    assert axis.high - axis.low >= MIN_SPAN[scale]


def test_a_percentage_axis_never_passes_0_or_100_and_shifts_rather_than_shrinks():
    axis = value_axis("percent", [96.0, 97.1], [95.0])
    assert axis is not None
    assert axis.high == 100.0 and axis.low <= 80.0
    axis = value_axis("percent", [1.0, 2.0], [])
    assert axis is not None
    assert axis.low == 0.0 and axis.high >= 20.0


def test_the_accuracy_chart_of_the_issue_spans_twenty_points_with_its_target():
    # 95–97% with a 95% target used to fill the chart (94.9 to 97.3).
    axis = value_axis("percent", [97.1, 95.4, 95.1, 97.0, 95.6], [95.0])
    assert axis is not None
    assert (axis.low, axis.high) == (80.0, 100.0)


def test_durations_and_volumes_start_at_zero():
    for scale in ("seconds", "minutes", "hours", "business_days", "count"):
        axis = value_axis(scale, [500.0, 520.0], [])
        assert axis is not None and axis.low == 0.0, scale


def test_a_fixed_range_is_kept_and_widened_only_for_a_target_outside_it():
    axis = value_axis("percent", [50.0, 60.0], [], fixed=(0.0, 100.0))
    assert axis is not None and (axis.low, axis.high) == (0.0, 100.0)
    axis = value_axis(None, [5.0], [120.0], fixed=(0.0, 100.0))
    assert axis is not None and axis.high >= 120.0


def test_nothing_to_draw_has_no_axis_and_a_lone_value_gets_a_real_span():
    assert value_axis("percent", [None, None], []) is None
    axis = value_axis(None, [-3.0], [])
    assert axis is not None and axis.low < -3.0 < axis.high


def test_nice_steps():
    assert nice_step(4.0) == 5.0
    assert nice_step(0.2) == pytest.approx(0.2)
    assert nice_step(0.21) == pytest.approx(0.25)
    assert nice_step(11_000.0) == 20_000.0
    assert nice_step(0.0) == 1.0


# -- the time axis -----------------------------------------------------------------------------


def test_ticks_are_thinned_counting_back_from_the_latest_period():
    quarters = [(f"2026-{i:02d}", f"Q{i}") for i in range(1, 20)]
    kept = axis_ticks(quarters)
    assert len(kept) <= MAX_AXIS_TICKS
    assert kept[-1] == quarters[-1]
    xs = [x for x, _ in kept]
    assert xs == sorted(xs)
    few = quarters[:4]
    assert axis_ticks(few) == few


@pytest.mark.parametrize(
    ("label", "lines"),
    [
        ("FY2022 Q1", ["FY2022", "Q1"]),
        ("T1 AF2022", ["T1", "AF2022"]),
        ("FY2022", ["FY2022"]),
        ("2021-2022", ["2021-2022"]),
    ],
)
def test_period_labels_go_on_two_lines_at_their_first_space(label, lines):
    assert tick_lines(label) == lines


def test_legend_names_wrap_between_words_and_are_never_cut():
    name = "Messages acknowledged within one business day"
    lines = wrap_words(name, 24)
    assert " ".join(lines) == name
    assert all(len(line) <= 24 for line in lines)
    spanish = "Mensajes con acuse de recibo en un día hábil"
    assert " ".join(wrap_words(spanish, 24)) == spanish
    assert wrap_words("Supercalifragilisticexpialidocious", 10) == [
        "Supercalifragilisticexpialidocious"
    ]


# -- series told apart without colour ----------------------------------------------------------


def test_every_series_differs_from_every_other_in_colour_marker_and_dash():
    count = len(SERIES_SYMBOLS)
    styles = [series_style(i) for i in range(count)]
    assert len({s.colour for s in styles}) == count
    assert len({s.symbol for s in styles}) == count
    # A dash repeats only with a different marker and colour, never between neighbours, and
    # is never the target's dash.
    assert all(a.dash != b.dash for a, b in pairwise(styles))
    assert all(s.dash not in ("dash", "longdash", "longdashdot") for s in styles)
    assert all(s.symbol not in ("diamond", "diamond-open") for s in styles)  # actions' shape
    # Beyond the markers' count, (colour, marker) pairs still differ.
    many = [series_style(i) for i in range(count * 2)]
    assert len({(s.colour, s.symbol) for s in many}) == count * 2


# -- actions -----------------------------------------------------------------------------------

FIRST, LAST = dt.date(2021, 12, 31), dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("status", "started", "completed", "expected"),
    [
        ("completed", dt.date(2024, 3, 24), dt.date(2024, 7, 19), dt.date(2024, 3, 24)),
        ("in_progress", dt.date(2026, 3, 23), None, dt.date(2026, 3, 23)),
        # Started before the data, still under way: at the first point.
        ("in_progress", dt.date(2020, 1, 1), None, FIRST),
        # Started before the data, completed within it: at its completion.
        ("completed", dt.date(2021, 6, 1), dt.date(2022, 2, 1), dt.date(2022, 2, 1)),
        # Entirely before the data: not drawn (listed below the chart).
        ("completed", dt.date(2020, 1, 1), dt.date(2020, 6, 1), None),
        # A plan for after the latest result never stretches the axis to 2027.
        ("planned", dt.date(2026, 11, 11), None, None),
        # A plan whose start falls within the data is drawn (as planned).
        ("planned", dt.date(2026, 5, 1), None, dt.date(2026, 5, 1)),
        ("planned", dt.date(2020, 5, 1), None, None),
    ],
)
def test_actions_are_drawn_only_within_the_datas_span(status, started, completed, expected):
    day = action_day(status, started, completed, FIRST, LAST)
    assert day == expected
    if day is not None:
        assert FIRST <= day <= LAST


def test_planned_actions_are_kept_apart_from_those_taken():
    assert action_is_planned("planned")
    assert not action_is_planned("in_progress") and not action_is_planned("completed")


def test_action_labels_lean_into_the_chart_near_its_edges():
    from dashboard.domain.charts import label_positions

    xs = ["2022-01-31", "2024-03-24", "2026-05-31"]
    assert label_positions(xs, "2021-12-31", "2026-06-30") == [
        "top right",
        "top center",
        "top left",
    ]
    assert label_positions(["not a date"], "2021-12-31", "2026-06-30") == ["top center"]


def test_five_years_of_months_are_labelled_once_a_year_on_the_latest_month():
    from dashboard.domain.charts import every_tick

    months = [(f"{2021 + (m + 9) // 12}-{(m + 9) % 12 + 1:02d}-28", f"M{m}") for m in range(59)]
    kept = axis_ticks(every_tick(reversed(months)))
    assert kept[-1] == months[-1]
    # Every 12th month counting back from the latest: the same month each year.
    assert len({x[5:7] for x, _label in kept}) == 1
    assert len(kept) <= MAX_AXIS_TICKS
