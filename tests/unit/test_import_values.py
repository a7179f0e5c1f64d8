"""Cell parsing, table reading and mapping checks of the importers (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.domain.fiscal import FiscalCalendar
from data.mapping import MappingError, load_mapping, parse_mapping
from data.readers import ReadError, read_table
from data.values import (
    MissingMarkers,
    normalize_channel,
    parse_bool,
    parse_count,
    parse_number,
    parse_quarter,
    parse_scaled_value,
    parse_share,
    slugify,
)

MAPPINGS = Path(__file__).resolve().parents[2] / "data" / "mappings"


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("12,345", ".", (12345.0, False)),
        ("1,204,118", ".", (1204118.0, False)),
        ("12 345", ".", (12345.0, False)),
        ("12\u00a0345.5", ".", (12345.5, False)),
        ("81%", ".", (81.0, True)),
        (" 81.5 % ", ".", (81.5, True)),
        ("-3", ".", (-3.0, False)),
        (".5", ".", (0.5, False)),
        ("12.345", ",", (12345.0, False)),
        ("81,5 %", ",", (81.5, True)),
    ],
)
def test_numbers_as_open_data_writes_them(text, decimal, expected):
    assert parse_number(text, decimal) == expected


@pytest.mark.parametrize("text", ["1,2", "12,34,5", "abc", "1.2.3", "nan", "inf", "", "%"])
def test_numbers_that_are_refused(text):
    with pytest.raises(ValueError, match="not a"):
        parse_number(text)


def test_values_convert_to_the_metric_scale():
    assert parse_scaled_value("81%", "fraction") == pytest.approx(0.81)
    assert parse_scaled_value("0.81", "fraction") == 0.81
    assert parse_scaled_value("81%", "percent") == 81
    assert parse_scaled_value("0.81", "percent", "fraction") == pytest.approx(81)
    assert parse_scaled_value("81", "fraction", "percent") == pytest.approx(0.81)
    assert parse_scaled_value("4.2", "mean_1_5") == 4.2
    assert parse_scaled_value("1:05", "seconds") == 65
    assert parse_scaled_value("1:00:30", "minutes") == 60.5
    assert parse_scaled_value("2", "seconds", "minutes") == 120
    assert parse_scaled_value("90", "hours", "minutes") == 1.5


@pytest.mark.parametrize(
    ("text", "scale", "value_format", "reason"),
    [
        ("140%", "fraction", "auto", "outside the fraction"),
        ("101", "percent", "auto", "outside the percentage"),
        ("6", "mean_1_5", "auto", "outside the 1-5 mean"),
        ("0.5", "mean_1_5", "auto", "outside the 1-5 mean"),
        ("81", "fraction", "auto", "% sign"),
        ("81", "percent", "fraction", "not a fraction"),
        ("81%", "mean_1_5", "auto", "cannot be stored"),
        ("1:05", "fraction", "auto", "duration"),
        ("-5", "seconds", "auto", "negative"),
        ("3", "count", "percent", "cannot be stored"),
    ],
)
def test_values_that_are_refused(text, scale, value_format, reason):
    with pytest.raises(ValueError, match=reason):
        parse_scaled_value(text, scale, value_format)


def test_counts_shares_flags_quarters_channels():
    assert parse_count("12,345") == 12345
    with pytest.raises(ValueError, match="percentage"):
        parse_count("12%")
    with pytest.raises(ValueError, match="negative"):
        parse_count("-1")
    assert parse_share("45%") == pytest.approx(0.45)
    assert parse_share("0.45") == 0.45
    assert parse_share("45", "percent") == pytest.approx(0.45)
    assert parse_bool("Yes") and parse_bool("x") and not parse_bool("") and not parse_bool("No")
    with pytest.raises(ValueError):
        parse_bool("maybe")
    assert [parse_quarter(t) for t in ("2", "Q3", "q4", "T1", "Quarter 2")] == [2, 3, 4, 1, 2]
    with pytest.raises(ValueError):
        parse_quarter("Q5")
    assert normalize_channel("Telephone") == "phone"
    assert normalize_channel("E-mail") == "email"
    assert normalize_channel("Web form") == "web_form"
    assert normalize_channel("walk-in") == "walk_in"
    with pytest.raises(ValueError, match="unknown channel"):
        normalize_channel("fax")
    assert slugify("Département des Véhicules  (DMV)") == "departement-des-vehicules-dmv"


def test_missing_markers_ignore_case_and_spaces():
    markers = MissingMarkers(["ND", "No Data"])
    assert "nd" in markers and " no   data " in markers and "" in markers
    assert "0" not in markers and "N/A" not in markers


def _read(tmp_path: Path, data: bytes, name: str = "t.csv", **options):
    path = tmp_path / name
    path.write_bytes(data)
    return read_table(path, **options)


def test_reader_fast_and_exact_paths_agree(tmp_path):
    rows = b"a;b;c\r\n1;2;3\r\n4;5;6\r\n"
    fast = _read(tmp_path, rows)
    exact = _read(tmp_path, rows.replace(b"4;5;6", b'"4\n4";5;6'))
    assert fast.rows == [["1", "2", "3"], ["4", "5", "6"]]
    assert exact.rows == [["1", "2", "3"], ["4\n4", "5", "6"]]
    assert fast.row_numbers.tolist() == exact.row_numbers.tolist() == [2, 3]
    assert fast.delimiter == exact.delimiter == ";"


def test_reader_finds_the_header_after_blank_lines_and_skips_title_rows(tmp_path):
    table = _read(tmp_path, b"\n\nx,y,z\n1,2,3\n")
    assert (table.header, table.header_row, table.row_numbers.tolist()) == (["x", "y", "z"], 3, [4])
    titled = _read(tmp_path, b"Service standards 2024\nx,y,z\n1,2,3\n", skip_rows=1)
    assert (titled.header, titled.row_numbers.tolist()) == (["x", "y", "z"], [3])


def test_reader_reports_overlong_rows_and_pads_short_ones(tmp_path):
    table = _read(tmp_path, b"a,b,c\n1,2\n3,4,5,6\n7,8,9\n")
    assert table.rows == [["1", "2", ""], ["3", "4", "5"], ["7", "8", "9"]]
    assert table.overlong == [(3, 4)]


def test_reader_keeps_a_last_data_row_and_drops_footers(tmp_path):
    table = _read(tmp_path, b"a,b,c\n1,2,3\n4,5,6\nGrand total,,9\nSource: Treasury, 2024\n")
    assert table.rows == [["1", "2", "3"], ["4", "5", "6"]]
    assert len(table.notes) == 2 and "totals line" in table.notes[0]


def test_reader_refuses_empty_and_xls_files(tmp_path):
    with pytest.raises(ReadError, match="empty"):
        _read(tmp_path, b"\n\n")
    with pytest.raises(ReadError, match="xls"):
        _read(tmp_path, b"whatever", name="old.xls")
    with pytest.raises(ReadError, match="XLSX"):
        _read(tmp_path, b"not a zip", name="broken.xlsx")


def test_reader_falls_back_to_windows_1252(tmp_path):
    table = _read(tmp_path, "agency,name\nDMV,Qu\u00e9bec\n".encode("cp1252"))
    assert table.rows == [["DMV", "Québec"]]
    assert "Windows-1252" in table.notes[0]


@pytest.mark.parametrize(
    "name", ["a11_quarterly_cx", "service_standards", "contact_centre_monthly"]
)
def test_shipped_mappings_are_valid(name):
    mapping = load_mapping(MAPPINGS / f"{name}.toml", FiscalCalendar())
    # A typo in an agency name must never create an agency.
    assert mapping.name and mapping.measures and not mapping.creates_agencies


def test_shipped_canada_mapping_is_valid_and_creates_departments():
    # The Canadian open-data file names its departments: a fresh store gets them created.
    mapping = load_mapping(MAPPINGS / "service_standards_canada.toml", FiscalCalendar())
    assert mapping.creates_agencies and mapping.on_invalid == "not_reported"
    assert mapping.service_key is not None and mapping.long_text == "truncate"


def test_mapping_mistakes_are_all_reported():
    with pytest.raises(MappingError) as caught:
        parse_mapping(
            {
                "name": "Bad",
                "layout": "diagonal",
                "file": {"delimiter": "#", "skip_rows": -1},
                "columns": {"agency": "A", "value": "V"},
                "constants": {"agency": "DMV"},
                "measures": [{"value": "V", "value_format": "percentish", "colour": "red"}],
                "metrics": {"x": {"name_en": "X", "dimension": "joy", "scale": "seconds"}},
            },
            FiscalCalendar(),
        )
    problems = " | ".join(caught.value.problems)
    for expected in (
        "layout",
        "delimiter",
        "skip_rows",
        "value columns belong in [[measures]]",
        "both a column and a constant",
        "colour",
        "dimension must be one of",
        "no period",
    ):
        assert expected in problems


@pytest.mark.parametrize("code", ["Avg wait (min)", "-leading-hyphen", "x" * 81, "=HYPERLINK()"])
def test_a_mapping_creates_no_metric_the_api_could_not_name(code):
    # The open-data API filters by metric code under the pattern its document states: a code
    # outside it would be a metric nobody could ask the API for.
    definition = {"name_en": "Wait", "dimension": "timeliness", "scale": "minutes"}
    with pytest.raises(MappingError) as caught:
        parse_mapping(
            {
                "name": "Codes",
                "columns": {"agency": "A", "period": "P", "value": "V"},
                "constants": {"metric": code},
                "options": {"create_missing": True},
                "metrics": {code: definition},
            },
            FiscalCalendar(),
        )
    assert any("not a metric code" in problem for problem in caught.value.problems)


def test_wide_mapping_needs_period_placeholders_and_a_fiscal_year():
    with pytest.raises(MappingError) as caught:
        parse_mapping(
            {
                "name": "Wide",
                "layout": "wide",
                "columns": {"agency": "A"},
                "wide": {"granularity": "quarter", "periods": {"q1": 1, "q5": 5}},
                "measures": [{"metric": "m", "value": "result"}],
            },
            FiscalCalendar(),
        )
    problems = " | ".join(caught.value.problems)
    assert "must contain {period}" in problems
    assert "fiscal_year" in problems
    assert "periods.q5" in problems
