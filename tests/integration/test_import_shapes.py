"""Mappings for the shapes real open data comes in (docs/mappings.md, worked examples 2 and 6-8).

A key built from several columns (several standards per service), the enterprise as a unit,
transposed files (measures in rows, years in columns), impossible cells recorded as not
reported when the mapping says so, overlong names; and the importer's smaller defects (a
duplicate quoting a computed value, a row's note repeated per measure).

Each test runs on SQLite and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import select

from dashboard.infra.db import session_scope
from dashboard.infra.models import Metric, Observation, Unit
from data.commands import import_command
from tests.integration.test_import import (
    EXAMPLES,
    MAPPINGS,
    observation,
    run,
    seed,
    table_counts,
    write,
)


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def units_under(url: str, parent_slug: str) -> dict[str, Unit]:
    """Code -> unit, for the units under the unit ``parent_slug``."""
    with session_scope(url) as session:
        parent = session.scalars(select(Unit).where(Unit.slug == parent_slug)).one()
        units = session.scalars(select(Unit).where(Unit.parent_id == parent.id)).all()
        return {unit.code or unit.slug: unit for unit in units}


def observations_of(url: str, unit_id: int) -> list[Observation]:
    with session_scope(url) as session:
        return list(
            session.scalars(
                select(Observation)
                .where(Observation.unit_id == unit_id)
                .order_by(Observation.period_start)
            ).all()
        )


# -- 1. a key built from several columns --------------------------------------------------

KEYED_MAPPING = """
name = "Standards"
layout = "wide"
create_missing = {create}

[columns]
fiscal_year = "fy"
agency = "dept"
metric = "type"

[service]
key = ["service_id", "std_id"]
name_en = "{{service}}: {{standard}}"

[lookup.metric]
"Timeliness" = "timeliness_standard"

[wide]
granularity = "quarter"
periods = {{ q1 = 1, q2 = 2 }}

[[measures]]
numerator = "{{period}}_met"
denominator = "{{period}}_total"
"""

KEYED_FILE = (
    "fy,dept,service_id,service,std_id,standard,type,q1_met,q1_total,q2_met,q2_total\n"
    "FY2024,DMV,77,Licences,A,Mailed within 10 days,Timeliness,80,100,45,50\n"
    "FY2024,DMV,77,Licences,B,Online the same day,Timeliness,99,100,ND,ND\n"
    "FY2024,DMV,78,Licences,A,Mailed within 10 days,Timeliness,10,20,ND,30\n"
)


def test_several_standards_per_service_are_units_found_again_by_their_key(seeded, tmp_path):
    mapping = write(tmp_path, "standards.toml", KEYED_MAPPING.format(create="true"))
    path = write(tmp_path, "standards.csv", KEYED_FILE)
    report = run(seeded, path, mapping_path=mapping)
    assert report.ok, report.to_text()
    # Rows 2 and 4 share service and standard names; only the key tells them apart.
    units = units_under(seeded, "dmv")
    keyed = {code: unit for code, unit in units.items() if code in ("77-A", "77-B", "78-A")}
    assert sorted(keyed) == ["77-A", "77-B", "78-A"]
    assert {unit.kind for unit in keyed.values()} == {"service"}
    assert keyed["77-A"].name_en == "Licences: Mailed within 10 days"
    assert keyed["78-A"].name_en == "Licences: Mailed within 10 days"
    first = observations_of(seeded, keyed["77-A"].id)
    assert [(o.numerator, o.denominator, o.raw_value) for o in first] == [
        (80, 100, pytest.approx(0.8)),
        (45, 50, pytest.approx(0.9)),
    ]
    second = observations_of(seeded, keyed["78-A"].id)
    assert (second[1].raw_value, second[1].numerator, second[1].denominator) == (None, None, 30)

    before = table_counts(seeded)
    again = run(seeded, path, mapping_path=mapping)
    assert again.ok, again.to_text()
    assert (again.inserted, again.unchanged, again.units_created) == (0, 6, [])
    assert table_counts(seeded) == before

    # Without create_missing the standards found by their code are fine; a new one is not.
    strict = write(tmp_path, "strict.toml", KEYED_MAPPING.format(create="false"))
    extra = write(
        tmp_path,
        "extra.csv",
        KEYED_FILE + "FY2024,DMV,77,Licences,C,By phone,Timeliness,1,2,3,4\n",
    )
    refused = run(seeded, extra, mapping_path=strict)
    assert [(p.row, p.column, p.value) for p in refused.problems] == [
        (5, "service_id + std_id", "77-C")
    ]
    assert "no service of Department of Motor Vehicles has the code '77-C'" in (
        refused.problems[0].reason
    )


def test_a_long_key_is_shortened_with_a_stable_hash_and_a_partial_key_is_a_problem(
    seeded, tmp_path
):
    mapping = write(tmp_path, "standards.toml", KEYED_MAPPING.format(create="true"))
    long_id = "SERVICE-" + "X" * 60
    path = write(
        tmp_path,
        "long.csv",
        "fy,dept,service_id,service,std_id,standard,type,q1_met,q1_total,q2_met,q2_total\n"
        f"FY2024,DMV,{long_id},Licences,1,Mailed,Timeliness,1,2,1,2\n"
        f"FY2024,DMV,{long_id},Licences,2,Online,Timeliness,1,2,1,2\n",
    )
    report = run(seeded, path, mapping_path=mapping)
    assert report.ok, report.to_text()
    codes = [code for code in units_under(seeded, "dmv") if code.startswith("SERVICE-")]
    assert len(codes) == 2 and all(len(code) == 40 for code in codes)
    assert len(set(codes)) == 2  # the hash keeps the two standards apart
    again = run(seeded, path, mapping_path=mapping)
    assert (again.inserted, again.units_created) == (0, [])

    partial = write(
        tmp_path,
        "partial.csv",
        "fy,dept,service_id,service,std_id,standard,type,q1_met,q1_total,q2_met,q2_total\n"
        "FY2024,DMV,77,Licences,,Mailed,Timeliness,1,2,1,2\n",
    )
    refused = run(seeded, partial, mapping_path=mapping)
    assert [(p.row, p.column) for p in refused.problems] == [(2, "std_id")]
    assert "part of the service key (service_id + std_id) is empty" in refused.problems[0].reason


# -- 2. the enterprise as a unit ----------------------------------------------------------


def test_rows_attach_to_the_enterprise_by_marker_lookup_or_slug(seeded, tmp_path):
    mapping = write(
        tmp_path,
        "totals.toml",
        'name = "Totals"\n[columns]\nagency = "Level"\nperiod = "Period"\n'
        '[lookup.agency]\n"Whole state" = "@enterprise"\n'
        '[[measures]]\nmetric = "csat_overall"\nvalue = "CSAT"\n',
    )
    path = write(
        tmp_path,
        "totals.csv",
        "Level,Period,CSAT\n@enterprise,FY2023,0.79\nWhole state,FY2024,0.81\n"
        "enterprise,FY2025,0.83\n",
    )
    report = run(seeded, path, mapping_path=mapping)
    assert report.ok, report.to_text()
    values = [
        observation(seeded, "enterprise", "csat_overall", dt.date(year - 1, 10, 1)).raw_value
        for year in (2023, 2024, 2025)
    ]
    assert values == [0.79, 0.81, 0.83]


def test_the_enterprise_marker_without_an_enterprise_unit_is_a_problem(db_url, tmp_path):
    with session_scope(db_url) as session:
        session.add(
            Metric(code="csat_overall", name_en="CSAT", dimension="satisfaction", scale="fraction")
        )
    mapping = write(
        tmp_path,
        "totals.toml",
        'name = "Totals"\n[constants]\nagency = "@enterprise"\n[columns]\nperiod = "Period"\n'
        '[[measures]]\nmetric = "csat_overall"\nvalue = "CSAT"\n',
    )
    path = write(tmp_path, "totals.csv", "Period,CSAT\nFY2024,0.81\n")
    report = run(db_url, path, mapping_path=mapping)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "[constants] agency", "@enterprise")
    ]
    assert "the store has none" in report.problems[0].reason


# -- 3. transposed files ------------------------------------------------------------------


def _check_enterprise_totals(url: str, report) -> None:
    assert report.ok, report.to_text()
    assert (report.rows_read, report.inserted) == (3, 9)
    assert sorted(report.metrics_created) == ["offices_meeting_target", "offices_reporting"]
    # Federal calendar: FY2023 starts on 2022-10-01.
    share = observation(url, "enterprise", "offices_meeting_target", dt.date(2022, 10, 1))
    assert (share.granularity, share.raw_value) == ("fiscal_year", pytest.approx(43.8))
    count = observation(url, "enterprise", "offices_reporting", dt.date(2023, 10, 1))
    assert count.raw_value == 17
    paused = observation(url, "enterprise", "csat_overall", dt.date(2023, 10, 1))
    assert paused.raw_value is None
    assert paused.internal_note == "survey paused in FY2024"
    assert observation(url, "enterprise", "csat_overall", dt.date(2021, 10, 1)).raw_value == 0.79


def test_transposed_example_csv_imports(seeded):
    report = run(
        seeded,
        EXAMPLES / "enterprise_totals.csv",
        mapping_path=EXAMPLES / "enterprise_totals.toml",
    )
    _check_enterprise_totals(seeded, report)


def test_transposed_xlsx_with_percent_cells_imports_the_same(seeded, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    with (EXAMPLES / "enterprise_totals.csv").open(encoding="utf-8") as handle:
        for number, fields in enumerate(csv.reader(handle), start=1):
            if number == 1:
                sheet.append(fields)
                continue
            row = [fields[0]]
            for text in fields[1:4]:
                if text.endswith("%"):
                    row.append(float(text[:-1]) / 100)  # a 0.438 cell shown as 43.8%
                elif text == "ND":
                    row.append("ND")
                else:
                    row.append(float(text))
            sheet.append([*row, fields[4] or None])
    for cell in sheet[2][1:4]:
        cell.number_format = "0.0%"
    path = tmp_path / "enterprise_totals.xlsx"
    workbook.save(path)
    report = run(seeded, path, mapping_path=EXAMPLES / "enterprise_totals.toml")
    _check_enterprise_totals(seeded, report)


def test_transposed_with_listed_period_columns_and_an_unknown_measure(seeded, tmp_path):
    mapping = write(
        tmp_path,
        "listed.toml",
        'name = "Listed"\nlayout = "transposed"\n[constants]\nagency = "dmv"\n'
        '[columns]\nmetric = "Indicator"\n'
        '[transposed]\ngranularity = "fiscal_year"\n'
        'periods = { "2022-23" = "FY2023", "2023-24" = "FY2024" }\n'
        '[lookup.metric]\n"Trust in the agency" = "trust"\n',
    )
    path = write(
        tmp_path,
        "listed.csv",
        "Indicator,2022-23,2023-24\nTrust in the agency,70%,72%\nHappiness,1,2\n",
    )
    report = run(seeded, path, mapping_path=mapping)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (3, "Indicator", "Happiness")
    ] * 2
    path = write(tmp_path, "listed.csv", "Indicator,2022-23,2023-24\nTrust in the agency,70%,72%\n")
    report = run(seeded, path, mapping_path=mapping)
    assert report.ok, report.to_text()
    assert observation(seeded, "dmv", "trust", dt.date(2023, 10, 1)).raw_value == 0.72


def test_transposed_from_header_needs_period_headers(seeded, tmp_path):
    path = write(tmp_path, "none.csv", "Measure,Alpha,Beta\nOverall customer satisfaction,1,2\n")
    report = run(seeded, path, mapping_path=EXAMPLES / "enterprise_totals.toml")
    assert report.problems and report.problems[0].row == 1
    assert 'periods = "from_header": no column header reads as a fiscal year' in (
        report.problems[0].reason
    )


# -- 4. on_invalid = "not_reported" -------------------------------------------------------

INVALID_MAPPING = """
name = "Volumes"
{policy}
[columns]
agency = "Agency"
period = "Period"

[[measures]]
metric = "timeliness_standard"
value = "Share"
numerator = "Met"
denominator = "Total"
{measure_policy}
"""

INVALID_FILE = (
    "Agency,Period,Share,Met,Total\n"
    "DMV,2024-01,,1867,1850\n"  # more met than received
    "DMV,2024-02,140%,,\n"  # a share above 100%
    "DMV,2024-03,,-5,100\n"  # a negative count
    "DMV,2024-04,?,,\n"  # not a number
    "DMV,2024-05,0.9,90,100\n"  # fine
)


def test_impossible_cells_are_problems_by_default(seeded, tmp_path):
    mapping = write(tmp_path, "m.toml", INVALID_MAPPING.format(policy="", measure_policy=""))
    path = write(tmp_path, "volumes.csv", INVALID_FILE)
    report = run(seeded, path, mapping_path=mapping)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "Met", "1867"),
        (3, "Share", "140%"),
        (4, "Met", "-5"),
        (5, "Share", "?"),
    ]
    assert report.cell_notes == []
    assert table_counts(seeded)["observations"] == 0


@pytest.mark.parametrize("level", ["mapping", "measure"])
def test_on_invalid_not_reported_stores_each_as_not_reported_and_lists_it(seeded, tmp_path, level):
    policy = 'on_invalid = "not_reported"'
    text = INVALID_MAPPING.format(
        policy=policy if level == "mapping" else "",
        measure_policy=policy if level == "measure" else "",
    )
    mapping = write(tmp_path, "m.toml", text)
    path = write(tmp_path, "volumes.csv", INVALID_FILE)
    report = run(seeded, path, mapping_path=mapping, publish=True)
    assert report.ok, report.to_text()
    assert report.inserted == 5
    listed = [(n.row, n.column, n.value, n.action) for n in report.cell_notes]
    assert listed == [
        (2, "Met", "1867", "not_reported"),
        (3, "Share", "140%", "not_reported"),
        (4, "Met", "-5", "not_reported"),
        (5, "Share", "?", "not_reported"),
    ]
    assert "the met volume is larger than the total volume (1850)" in report.cell_notes[0].reason
    text_report = report.to_text()
    assert "row 2, column 'Met', value '1867': recorded as not reported" in text_report
    as_json = json.loads(report.to_json())
    assert as_json["problems"] == []
    assert as_json["cell_notes"][1] == {
        "file": "volumes.csv",
        "row": 3,
        "column": "Share",
        "value": "140%",
        "reason": as_json["cell_notes"][1]["reason"],
        "action": "not_reported",
    }
    assert "outside the fraction" in as_json["cell_notes"][1]["reason"]

    for month, column, written in ((1, "Met", "1867"), (2, "Share", "140%"), (4, "Share", "?")):
        stored = observation(seeded, "dmv", "timeliness_standard", dt.date(2024, month, 1))
        assert (stored.raw_value, stored.numerator, stored.denominator, stored.score) == (
            None,
            None,
            None,
            None,
        )
        assert stored.visibility == "published"
        assert stored.internal_note.startswith("not reported by the import (on_invalid): ")
        assert f"{column} = {written!r}" in stored.internal_note
    fine = observation(seeded, "dmv", "timeliness_standard", dt.date(2024, 5, 1))
    assert (fine.raw_value, fine.numerator, fine.denominator) == (0.9, 90, 100)

    again = run(seeded, path, mapping_path=mapping, publish=True)
    assert (again.inserted, again.revised, again.unchanged) == (0, 0, 5)


def test_on_invalid_does_not_excuse_row_problems(seeded, tmp_path):
    mapping = write(
        tmp_path,
        "m.toml",
        INVALID_MAPPING.format(policy='on_invalid = "not_reported"', measure_policy=""),
    )
    path = write(tmp_path, "v.csv", "Agency,Period,Share,Met,Total\nDept of Magic,2024-01,0.5,,\n")
    report = run(seeded, path, mapping_path=mapping)
    assert [(p.column, p.value) for p in report.problems] == [("Agency", "Dept of Magic")]


# -- 5. long names ------------------------------------------------------------------------

LONG_MAPPING = """
name = "New offices"
create_missing = true
{policy}
[columns]
agency = "Agency"
service = "Office"
period = "Month"

[[measures]]
metric = "trust"
value = "Trust"
"""


def test_a_name_longer_than_the_store_holds_is_a_problem_naming_the_limit(seeded, tmp_path):
    mapping = write(tmp_path, "m.toml", LONG_MAPPING.format(policy=""))
    name = "Office " + "x" * 9_993
    path = write(tmp_path, "long.csv", f"Agency,Office,Month,Trust\nDMV,{name},2024-03,0.8\n")
    report = run(seeded, path, mapping_path=mapping, dry_run=True)
    assert [(p.row, p.column) for p in report.problems] == [(2, "Office")]
    reason = report.problems[0].reason
    assert "10,000 characters long" in reason and "at most 300 (units.name_en)" in reason
    assert 'long_text = "truncate"' in reason
    assert len(report.problems[0].value) <= 100


def test_long_text_truncate_cuts_lists_and_finds_the_unit_again(seeded, tmp_path):
    mapping = write(tmp_path, "m.toml", LONG_MAPPING.format(policy='long_text = "truncate"'))
    name = "Office " + "x" * 9_993
    path = write(tmp_path, "long.csv", f"Agency,Office,Month,Trust\nDMV,{name},2024-03,0.8\n")
    report = run(seeded, path, mapping_path=mapping)
    assert report.ok, report.to_text()
    assert [(n.row, n.column, n.action) for n in report.cell_notes] == [(2, "Office", "truncated")]
    assert "10,000 characters cut to 300" in report.cell_notes[0].reason
    office = next(u for u in units_under(seeded, "dmv").values() if u.name_en.startswith("Office"))
    assert len(office.name_en) == 300 and office.name_en.endswith("…")
    assert office.name_en[:-1] == name[:299]
    again = run(seeded, path, mapping_path=mapping)
    assert again.ok and (again.inserted, again.units_created) == (0, [])


# -- 6. smaller defects -------------------------------------------------------------------


def test_a_duplicate_quotes_the_cell_as_written_not_a_computed_share(seeded, tmp_path):
    mapping = write(
        tmp_path,
        "m.toml",
        'name = "Volumes"\n[columns]\nagency = "Agency"\nperiod = "Period"\n'
        '[[measures]]\nmetric = "timeliness_standard"\nnumerator = "Met"\n'
        'denominator = "Total"\n',
    )
    path = write(
        tmp_path,
        "dupes.csv",
        'Agency,Period,Met,Total\nDMV,2024-01,"1,867","1,914"\nDMV,2024-01,"1,867","1,914"\n',
    )
    report = run(seeded, path, mapping_path=mapping)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "Met", "1,867")]


def test_a_rows_note_is_listed_once_not_once_per_period(seeded, tmp_path):
    mapping = write(
        tmp_path,
        "m.toml",
        'name = "Wide"\nlayout = "wide"\n[columns]\nfiscal_year = "fy"\nagency = "dept"\n'
        '[wide]\ngranularity = "quarter"\nperiods = { q1 = 1, q2 = 2, q3 = 3, q4 = 4 }\n'
        '[[measures]]\nmetric = "timeliness_standard"\nvalue = "{period}_result"\n'
        'target = "target"\npromise_en = "promise"\n',
    )
    path = write(
        tmp_path,
        "wide.csv",
        "fy,dept,target,promise,q1_result,q2_result,q3_result,q4_result\n"
        "FY2024,DMV,,We answer in 10 days,0.8,0.81,0.82,0.83\n"
        "FY2024,revenue,,We answer in 5 days,0.7,0.71,0.72,0.73\n",
    )
    report = run(seeded, path, mapping_path=mapping)
    assert report.ok, report.to_text()
    promise_notes = [note for note in report.notes if "promise text was not stored" in note]
    assert promise_notes == [
        "row 2: the promise text was not stored because the row has no target",
        "row 3: the promise text was not stored because the row has no target",
    ]


# -- shipped mappings ---------------------------------------------------------------------


def test_canada_example_with_the_cli_json_report(seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded)
    monkeypatch.setenv("FISCAL_YEAR_START_MONTH", "4")
    monkeypatch.setenv("FISCAL_YEAR_LABEL_STYLE", "canada")
    result = CliRunner().invoke(
        import_command,
        [
            str(EXAMPLES / "service_standards_canada.csv"),
            "--mapping",
            str(MAPPINGS / "service_standards_canada.toml"),
            "--publish",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{") :])
    assert report["ok"] and report["counts"]["inserted"] == 12
    assert [(n["row"], n["column"], n["value"]) for n in report["cell_notes"]] == [
        (3, "q2_result", "1867")
    ]
    cra = units_under(seeded, "canada-revenue-agency")
    paper = observations_of(seeded, cra["3301-2"].id)
    # 2023-2024 Q2 is July-September 2023 in Canada.
    assert paper[1].period_start == dt.date(2023, 7, 1)
    assert (paper[1].raw_value, paper[1].numerator, paper[1].denominator) == (None, None, None)
    assert paper[0].raw_value == pytest.approx(9120 / 9870, abs=1e-6)
