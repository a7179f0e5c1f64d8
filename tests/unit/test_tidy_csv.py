"""The tidy chart CSV: the same columns always, numbers as numbers, words as codes, and cells
a spreadsheet never runs as formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io

from dashboard.domain.charts import ChartSpec, TableColumn, Trace
from dashboard.domain.tidy_csv import COLUMNS, ChartSubject, chart_csv, tidy_records

SUBJECT = ChartSubject(
    '=HYPERLINK("http://x")', "Licensing", "service", "csat_overall", "Overall satisfaction"
)
AS_OF = dt.date(2026, 6, 30)


def facts(**changes: object) -> dict:
    values: dict = {
        "period_start": "2026-01-01",
        "value": 81.5,
        "target_value": 80,
        "target_comparator": ">=",
        "status": "met",
        "small_sample": False,
        "suppressed": False,
        "revised": False,
    }
    values.update(changes)
    return values


def spec(rows: list[dict]) -> ChartSpec:
    return ChartSpec(
        chart_id="csat_overall",
        title="Overall satisfaction",
        summary="",
        y_title="%",
        traces=[Trace("Overall satisfaction", "line", ["2026-03-31"], [81.5])],
        columns=[TableColumn("period", "Period"), TableColumn("value", "Result (%)", "number")],
        rows=rows,
        file_stem="x",
    )


def parsed(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_trend_row_is_tidy():
    row = {
        "period": "FY2026 Q3",
        "period_end": "2026-03-31",
        "value": 81.5,
        "target": "≥ 80%",
        "facts": facts(),
    }
    (record,) = parsed(chart_csv(spec([row]), SUBJECT, AS_OF))
    assert record == {
        "agency": '\'=HYPERLINK("http://x")',  # text, never a formula
        "unit": "Licensing",
        "unit_type": "service",
        "measure_code": "csat_overall",
        "measure": "Overall satisfaction",
        "segment": "",
        "group": "",
        "period": "FY2026 Q3",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "value": "81.5",
        "value_unit": "%",
        "target_comparator": "≥",
        "target": "80",
        "status": "met",
        "small_sample": "false",
        "suppressed": "false",
        "revised": "false",
        "as_of": "2026-06-30",
    }


def test_missing_suppressed_and_missed_are_words_never_zero():
    rows = [
        {
            "period": "Q1",
            "period_end": "2025-09-30",
            "value": None,
            "facts": facts(value=None, status=None),
        },
        {
            "period": "Q2",
            "period_end": "2025-12-31",
            "value": "Suppressed",
            "facts": facts(value=None, status=None, suppressed=True, small_sample=True),
        },
        {
            "period": "Q3",
            "period_end": "2026-03-31",
            "value": -3.5,
            "group": "Phone",
            "facts": facts(value=-3.5, status="not_met", target_comparator="<=", revised=True),
        },
    ]
    subject = ChartSubject("DMV", "DMV", "agency", "wait", "Wait", segment="channel")
    missing, hidden, missed = parsed(chart_csv(spec(rows), subject, None))
    assert (missing["value"], missing["status"]) == ("", "not reported")
    assert (hidden["value"], hidden["status"], hidden["suppressed"]) == ("", "", "true")
    assert hidden["small_sample"] == "true"
    assert (missed["value"], missed["status"], missed["target_comparator"]) == (
        "-3.5",
        "missed",
        "≤",
    )
    assert (missed["segment"], missed["group"], missed["revised"]) == ("channel", "Phone", "true")
    assert missing["segment"] == "" and missing["as_of"] == ""


def test_a_chart_without_facts_gives_its_period_and_first_number():
    chart = ChartSpec(
        chart_id="enterprise",
        title="Share met",
        summary="",
        y_title="%",
        traces=[],
        columns=[TableColumn("quarter", "Quarter"), TableColumn("share", "Share", "number")],
        rows=[{"quarter": "FY2026 Q1", "period_end": "2025-09-30", "share": 62.5}],
        file_stem="x",
    )
    (record,) = tidy_records(chart, ChartSubject("", "", "all", "enterprise", "Share met"), AS_OF)
    assert (record["period"], record["period_end"], record["value"]) == (
        "FY2026 Q1",
        "2025-09-30",
        62.5,
    )
    assert record["target"] is None and record["status"] is None
