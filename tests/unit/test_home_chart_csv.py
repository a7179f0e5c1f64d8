"""The home page's chart CSVs: every row names whom it is about (the government, for a roll-up
of every agency) and the measure it shows, never a blank agency or the chart's id."""

from __future__ import annotations

import csv
import datetime as dt
import io

from dashboard.domain.charts import ChartSpec, TableColumn, Trace
from dashboard.domain.scorecard import MetricInfo
from dashboard.domain.tidy_csv import COLUMNS
from dashboard.views.home import HomeView, trend_subject

SATISFACTION = MetricInfo(
    "csat_overall",
    "satisfaction",
    "fraction",
    is_survey=True,
    name_en="Overall satisfaction",
    names=(("en", "Overall satisfaction"), ("es", "Satisfacción general")),
)
PROCESSING = MetricInfo(
    "processing_days", "timeliness", "business_days", "lower", name_en="Processing time"
)
STANDARD = MetricInfo("timeliness_standard", "timeliness", "fraction", name_en="On time")


def trend_spec(chart_id: str) -> ChartSpec:
    """A home trend as the view draws it: a period column, then numbers (no "facts")."""
    return ChartSpec(
        chart_id=chart_id,
        title="Satisfaction: average agency score by quarter",
        summary="",
        y_title="Average score (0–100)",
        traces=[Trace("Average", "line", ["2026-03-31", "2026-06-30"], [71.5, 72.0])],
        columns=[
            TableColumn("quarter", "Fiscal quarter"),
            TableColumn("period_end", "Quarter ends"),
            TableColumn("mean", "Average score (0–100)", "number"),
            TableColumn("reported", "Agencies reported", "number"),
        ],
        rows=[
            {"quarter": "FY2026 Q2", "period_end": "2026-03-31", "mean": 71.5, "reported": 11},
            {"quarter": "FY2026 Q3", "period_end": "2026-06-30", "mean": 72.0, "reported": 12},
        ],
        file_stem="enterprise_satisfaction_trend",
    )


def home_view(charts: list[ChartSpec], subjects: dict) -> HomeView:
    return HomeView(
        language="en",
        has_data=True,
        period="FY2026-Q3",
        period_label="FY2026 Q3",
        period_through=None,
        period_requested=False,
        period_options=[],
        fiscal_year_label="FY2026",
        columns=[],
        rows=[],
        agencies_total=12,
        sort="name",
        dimension=None,
        status=None,
        search="",
        service_matches=[],
        summaries=[],
        charts=charts,
        small_sample_threshold=30,
        small_sample_policy="flag",
        chart_subjects=subjects,
    )


def records(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_an_average_score_trend_is_the_governments_and_names_its_headline_measure():
    subject = trend_subject("State of Example", [SATISFACTION], "en")
    assert (subject.agency, subject.unit, subject.unit_type) == (
        "State of Example",
        "State of Example",
        "all",
    )
    assert (subject.measure_code, subject.measure) == ("csat_overall", "Overall satisfaction")
    # Names in the page's language, the code never translated.
    spanish = trend_subject("Estado de Ejemplo", [SATISFACTION], "es")
    assert (spanish.agency, spanish.measure_code, spanish.measure) == (
        "Estado de Ejemplo",
        "csat_overall",
        "Satisfacción general",
    )


def test_a_standards_trend_names_every_measure_it_counts():
    subject = trend_subject("State of Example", [PROCESSING, STANDARD], "en")
    assert subject.measure_code == "processing_days|timeliness_standard"
    assert subject.measure == "Processing time | On time"
    assert subject.agency == "State of Example"


def test_the_home_views_csv_fills_agency_and_measure_on_every_row():
    spec = trend_spec("trend-satisfaction")
    view = home_view(
        [spec], {spec.chart_id: trend_subject("State of Example", [SATISFACTION], "en")}
    )
    rows = records(view.tidy_csv(spec, dt.date(2026, 8, 31)))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 2
    for row in rows:
        assert row["agency"] == row["unit"] == "State of Example"
        assert row["unit_type"] == "all"
        assert row["measure_code"] == "csat_overall"  # not the chart's id
        assert row["measure"] == "Overall satisfaction"
        assert row["as_of"] == "2026-08-31"
    assert [row["period"] for row in rows] == ["FY2026 Q2", "FY2026 Q3"]
    assert [row["value"] for row in rows] == ["71.5", "72.0"]
    # No target or status of their own: empty, never invented.
    assert {row["status"] for row in rows} == {""}
    assert {row["target"] for row in rows} == {""}


def test_a_government_name_that_looks_like_a_formula_is_written_as_text():
    spec = trend_spec("trend-satisfaction")
    view = home_view([spec], {spec.chart_id: trend_subject("=cmd()", [SATISFACTION], "en")})
    rows = records(view.tidy_csv(spec, None))
    assert {row["agency"] for row in rows} == {"'=cmd()"}
