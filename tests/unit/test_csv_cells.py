"""CSV injection: text a spreadsheet could run as a formula gets a leading quote; numbers and
plain-number text stay as they are (OWASP's rule, dashboard.domain.csv_cells)."""

from __future__ import annotations

import csv
import decimal
import io

import pytest

from dashboard.core.i18n import P_
from dashboard.domain.charts import ChartSpec, TableColumn
from dashboard.domain.csv_cells import DANGEROUS_STARTS, is_dangerous, safe_cell, safe_row
from dashboard.open_data import records
from dashboard.open_data.resources import Field
from data import audit

ATTACKS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "-1+1",
    "-A1",
    "@SUM(1+1)",
    "\t=1",
    "\r=1",
    "\n=1",
    "\uff1d1+1",  # full-width "="
    "- see note",
    "-",
    "+",
    "=",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_text_that_could_start_a_formula_gets_a_quote(text: str) -> None:
    assert is_dangerous(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["-3.5", "+2", "-1e-05", "-7", "-.5", "3.5", "plain", "", "a=b", "2024-01-01", "'=1"]
)
def test_plain_numbers_and_ordinary_text_are_unchanged(text: str) -> None:
    assert not is_dangerous(text)
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-3.5, -7, decimal.Decimal("-2.25"), 0, None, True, False])
def test_non_text_values_are_returned_as_they_are(value: object) -> None:
    assert safe_cell(value) is value


def test_every_owasp_character_is_in_the_list() -> None:
    assert set("=+-@\t\r") <= set(DANGEROUS_STARTS)


def test_safe_row_neutralises_each_cell() -> None:
    assert safe_row(["=1", -3.5, "-3.5", None, "ok"]) == ["'=1", -3.5, "-3.5", None, "ok"]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def _assert_no_formula(text: str) -> None:
    for row in _cells(text):
        for cell in row:
            assert not is_dangerous(cell), (cell, row)


def test_open_data_csv_neutralises_text_but_keeps_numbers() -> None:
    fields = [Field("name", "string", P_("name", "n")), Field("value", "number", P_("value", "v"))]
    rows = [{"name": attack, "value": -3.5} for attack in ATTACKS]
    rows.append({"name": ["=a", "b"], "value": None})
    text = records.csv_text(fields, rows)
    _assert_no_formula(text)
    body = _cells(text)[1:]
    assert body[0] == ['\'=HYPERLINK("http://x","y")', "-3.5"]
    assert body[-1] == ["'=a;b", ""]


def test_chart_csv_neutralises_labels_and_cells() -> None:
    spec = ChartSpec(
        chart_id="c",
        title="t",
        summary="s",
        y_title="y",
        traces=[],
        columns=[TableColumn("group", "@Group"), TableColumn("value", "Value", "number")],
        rows=[{"group": attack, "value": -3.5} for attack in ATTACKS],
        file_stem="c",
    )
    text = spec.csv_text()
    _assert_no_formula(text)
    assert _cells(text)[0] == ["'@Group", "Value"]
    assert all(row[1] == "-3.5" for row in _cells(text)[1:])


def test_audit_csv_uses_the_same_rule() -> None:
    text = audit.entries_csv([{"subject": attack, "id": -3} for attack in ATTACKS])
    _assert_no_formula(text)
    assert audit.csv_cell("-3.5") == "-3.5"
