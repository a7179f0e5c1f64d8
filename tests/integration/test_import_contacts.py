"""``cxdash import-contacts``: shares, medians and volumes checked against hand computation.

The business clock: US federal holidays, opening hours 08:00-17:00 (540 minutes a day).
Thanksgiving 2024 is Thursday November 28; November 23-24 and 30 are a weekend.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from dashboard.core.settings import Settings
from dashboard.domain.business_days import BusinessCalendar
from dashboard.infra.db import session_scope
from dashboard.infra.models import ImportRun, Metric, Observation, Unit
from data.commands import import_contacts_command
from data.contacts import import_contacts
from tests.integration.test_import import observation, seed, table_counts, write

HEADER = "id,agency,service,channel,received,first_response,resolved,spam\n"

# Business minutes to the first response, worked out by hand:
RECORDS = (
    # Wed 16:00 before Thanksgiving -> Fri 09:00: 60 + 60 = 120 min (2 h): acknowledged.
    "m1,DMV,,email,2024-11-27 16:00,2024-11-29 09:00,2024-11-29 12:00,no\n"
    # Fri 15:00 -> Mon 14:00: 120 + 360 = 480 min (8 h): acknowledged.
    "m2,DMV,,E-mail,2024-11-22 15:00,2024-11-25 14:00,,no\n"
    # Fri 15:00 -> Mon 16:30: 120 + 510 = 630 min (10.5 h): late.
    "m3,DMV,,email,2024-11-22 15:00:00,2024-11-25T16:30:00,,false\n"
    # Saturday 10:00 -> Mon 16:59: the clock starts Monday 08:00, 539 min: acknowledged.
    "m4,dmv,,voicemail,2024-11-23 10:00,2024-11-25 16:59,,\n"
    # Never answered: counts as not acknowledged, and not in the median.
    "m5,DMV,,voicemail,2024-11-26 10:00,,,no\n"
    # Spam: left out of every figure.
    "m6,DMV,,email,2024-11-26 11:00,,,yes\n"
    # A service's web form, answered in 30 minutes: counts for the service and the agency.
    "m7,DMV,Driver License Renewal,Web form,2024-11-25 09:00,2024-11-25 09:30,,no\n"
    # December: its own month. 09:00 -> 10:00 the same day.
    "m8,Department of Motor Vehicles,,email,2024-12-02 09:00,2024-12-02 10:00,,no\n"
)

NOVEMBER = dt.date(2024, 11, 1)
DECEMBER = dt.date(2024, 12, 1)


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def run(url: str, path: Path, **options):
    return import_contacts(url, path, settings=Settings(database_url=url), **options)


def values(url: str, unit: str, month: dt.date, segment: str = "") -> dict[str, tuple]:
    return {
        code: (
            (stored := observation(url, unit, code, month, segment)).raw_value,
            stored.numerator,
            stored.denominator,
        )
        for code in ("ack_within_1bd", "median_hours_first_response", "messages_received")
    }


def test_shares_medians_and_volumes_across_a_holiday_and_a_weekend(seeded, tmp_path):
    report = run(seeded, write(tmp_path, "contacts.csv", HEADER + RECORDS), publish=True)
    assert report.ok, report.to_text()
    assert report.rows_read == 8
    assert any("1 spam" in note for note in report.notes)
    # the three metrics are created with their definitions.
    assert sorted(report.metrics_created) == [
        "ack_within_1bd",
        "median_hours_first_response",
        "messages_received",
    ]

    # The agency overall in November: m1-m5 and m7 (m6 is spam). Acknowledged: m1, m2, m4,
    # m7. Responses in hours: 0.5, 2, 8, 8.98, 10.5 -> median 8.
    overall = values(seeded, "dmv", NOVEMBER)
    assert overall["ack_within_1bd"] == (pytest.approx(4 / 6), 4, 6)
    assert overall["median_hours_first_response"] == (8.0, None, 5)
    assert overall["messages_received"] == (6, None, None)

    email = values(seeded, "dmv", NOVEMBER, "email")  # m1, m2, m3: 2 h, 8 h, 10.5 h
    assert email["ack_within_1bd"] == (pytest.approx(2 / 3), 2, 3)
    assert email["median_hours_first_response"] == (8.0, None, 3)
    assert email["messages_received"][0] == 3

    voicemail = values(seeded, "dmv", NOVEMBER, "voicemail")  # m4 (539 min), m5 (none)
    assert voicemail["ack_within_1bd"] == (0.5, 1, 2)
    assert voicemail["median_hours_first_response"] == (pytest.approx(539 / 60, abs=1e-4), None, 1)

    service = values(seeded, "driver-license-renewal", NOVEMBER)
    assert service["ack_within_1bd"] == (1.0, 1, 1)
    assert service["median_hours_first_response"] == (0.5, None, 1)
    assert (
        values(seeded, "driver-license-renewal", NOVEMBER, "web_form")["messages_received"][0] == 1
    )

    december = values(seeded, "dmv", DECEMBER)
    assert december["ack_within_1bd"] == (1.0, 1, 1)
    assert december["median_hours_first_response"] == (1.0, None, 1)

    with session_scope(seeded) as session:
        median = session.scalars(
            select(Metric).where(Metric.code == "median_hours_first_response")
        ).one()
        stored = session.scalars(select(Observation)).all()
    assert (median.scale, median.direction, median.norm_worst) == ("hours", "lower", 18.0)
    assert median.definition_es
    assert {o.granularity for o in stored} == {"month"}
    assert {o.visibility for o in stored} == {"published"}
    # Agency: Nov overall + 3 channels, Dec overall + 1 channel; service: Nov overall + 1.
    assert len(stored) == 3 * (4 + 2 + 2)
    # Voicemail m5 had no response: the median ignores it, the share counts it as late.
    no_answers = observation(seeded, "dmv", "median_hours_first_response", NOVEMBER, "voicemail")
    assert no_answers.score == pytest.approx(100 * (1 - (539 / 60) / 18), abs=1e-3)


def test_a_state_holiday_stops_the_clock_too(seeded, tmp_path):
    # The day after Thanksgiving is a California holiday: Wed 16:00 -> Mon 09:00 is 120 min
    # there (Fri skipped) but 60 + 540 + 60 = 660 min under the federal calendar.
    records = HEADER + "c1,DMV,,email,2024-11-27 16:00,2024-12-02 09:00,,no\n"
    path = write(tmp_path, "ca.csv", records)
    federal = run(seeded, path)
    assert federal.ok
    assert observation(seeded, "dmv", "ack_within_1bd", NOVEMBER).raw_value == 0.0

    california = Settings(database_url=seeded, holiday_subdivision="CA")
    report = import_contacts(seeded, path, settings=california)
    # Overall and email rows: the share and the median change, the volumes do not.
    assert report.ok and (report.revised, report.unchanged) == (4, 2)
    assert observation(seeded, "dmv", "ack_within_1bd", NOVEMBER).raw_value == 1.0
    assert observation(seeded, "dmv", "median_hours_first_response", NOVEMBER).raw_value == 2.0


# The boundary of "within one business day" (540 opening minutes), each on its own channel.
BOUNDARY_RECORDS = (
    # Fri 10:00 -> Mon 10:00, across a weekend: 420 + 120 = 540 min, exactly one business
    # day: acknowledged.
    "b1,DMV,,email,2024-11-22 10:00,2024-11-25 10:00,,no\n"
    # Wed 10:00 -> Fri 10:00, across Thanksgiving: 420 + 120 = 540 min: acknowledged.
    "b2,DMV,,voicemail,2024-11-27 10:00,2024-11-29 10:00,,no\n"
    # Fri 10:00 -> Mon 10:01: 541 min, one minute late.
    "b3,DMV,,text,2024-11-22 10:00,2024-11-25 10:01,,no\n"
    # Wed 10:00 -> Mon 10:00, across Thanksgiving and a weekend: 420 + 540 + 120 = 1,080 min,
    # exactly two business days: late.
    "b4,DMV,,web_form,2024-11-27 10:00,2024-12-02 10:00,,no\n"
)


def test_a_reply_exactly_one_business_day_later_counts_and_no_later(seeded, tmp_path):
    report = run(seeded, write(tmp_path, "boundary.csv", HEADER + BOUNDARY_RECORDS))
    assert report.ok, report.to_text()
    acknowledged = {
        channel: observation(seeded, "dmv", "ack_within_1bd", NOVEMBER, channel).raw_value
        for channel in ("email", "voicemail", "text", "web_form")
    }
    assert acknowledged == {"email": 1.0, "voicemail": 1.0, "text": 0.0, "web_form": 0.0}
    assert values(seeded, "dmv", NOVEMBER)["ack_within_1bd"] == (0.5, 2, 4)
    hours = observation(seeded, "dmv", "median_hours_first_response", NOVEMBER, "web_form")
    assert hours.raw_value == 18.0  # two business days of 9 opening hours


def test_the_importer_asks_the_one_business_day_rule(seeded, tmp_path, monkeypatch):
    # One rule in one place: the importer does not keep a copy of it (a copy is how a reply
    # exactly one business day later once stopped counting in the import alone).
    asked: list[int] = []

    def nothing_counts(self, minutes, business_days=1):  # type: ignore[no-untyped-def]
        asked.append(len(minutes))
        return np.zeros(len(minutes), dtype=bool)

    monkeypatch.setattr(BusinessCalendar, "within_business_days", nothing_counts)
    report = run(seeded, write(tmp_path, "boundary.csv", HEADER + BOUNDARY_RECORDS))
    assert report.ok, report.to_text()
    assert asked
    assert values(seeded, "dmv", NOVEMBER)["ack_within_1bd"] == (0.0, 0, 4)


def test_reimport_is_idempotent(seeded, tmp_path):
    path = write(tmp_path, "contacts.csv", HEADER + RECORDS)
    first = run(seeded, path, publish=True)
    counts = table_counts(seeded)
    second = run(seeded, path, publish=True)
    assert second.ok and (second.inserted, second.revised) == (0, 0)
    assert second.unchanged == first.inserted
    assert table_counts(seeded) == counts


def test_every_bad_record_is_reported_and_nothing_is_written(seeded, tmp_path):
    bad = (
        HEADER
        + "b1,DMV,,email,2024-11-25 09:00,2024-11-25 10:00,,no\n"
        + "b2,Ministry of Silly Walks,,email,2024-11-25 09:00,,,no\n"
        + "b3,DMV,Passports,email,2024-11-25 09:00,,,no\n"
        + "b4,DMV,,carrier pigeon,2024-11-25 09:00,,,no\n"
        + "b5,DMV,,email,25/11/2024 09:00,,,no\n"
        + "b6,DMV,,email,2024-11-25 09:00,2024-11-25 08:00,,no\n"
        + "b7,DMV,,email,2024-11-25T09:00:00-05:00,,,no\n"
        + "b1,DMV,,email,2024-11-25 09:00,,,maybe\n"
        + "b9,DMV,,email,,,,no\n"
    )
    report = run(seeded, write(tmp_path, "bad.csv", bad), publish=True)
    found = [(p.row, p.column, p.value) for p in report.problems]
    assert found == [
        (3, "agency", "Ministry of Silly Walks"),
        (4, "service", "Passports"),
        (5, "channel", "carrier pigeon"),
        (6, "received", "25/11/2024 09:00"),
        (7, "first_response", "2024-11-25 08:00"),
        (8, "received", "2024-11-25T09:00:00-05:00"),
        (9, "id", "b1"),
        (9, "spam", "maybe"),
        (10, "received", ""),
    ]
    reasons = {p.column: p.reason for p in report.problems}
    assert "row 2 has the same id" in reasons["id"]
    assert "UTC offset" in reasons["received"] or "empty" in reasons["received"]
    assert all(p.file == "bad.csv" for p in report.problems)
    with session_scope(seeded) as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == 0
        assert session.scalar(select(func.count()).select_from(Metric)) == 8  # none created
        assert session.scalars(select(ImportRun.status)).all() == ["failed"]


def test_missing_required_columns(seeded, tmp_path):
    path = write(tmp_path, "cols.csv", "id,agency,received\n1,DMV,2024-11-25 09:00\n")
    report = run(seeded, path)
    assert [(p.row, p.column) for p in report.problems] == [(1, "channel"), (1, "first_response")]


def test_dry_run_writes_nothing(seeded, tmp_path):
    before = table_counts(seeded)
    report = run(seeded, write(tmp_path, "contacts.csv", HEADER + RECORDS), dry_run=True)
    assert report.ok and report.inserted == 24 and report.import_id is None
    assert table_counts(seeded) == before


def test_cli_json_report(seeded, tmp_path):
    path = write(tmp_path, "contacts.csv", HEADER + RECORDS)
    result = CliRunner().invoke(
        import_contacts_command, [str(path), "--format", "json"], env={"DATABASE_URL": seeded}
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["kind"] == "contacts" and payload["counts"]["inserted"] == 24
    with session_scope(seeded) as session:
        assert session.scalars(select(ImportRun.kind)).all() == ["contacts"]
        units = session.scalar(select(func.count()).select_from(Unit))
    assert units == 6

    bad = write(tmp_path, "bad.csv", HEADER + "x,Nowhere,,email,2024-11-25 09:00,,,no\n")
    result = CliRunner().invoke(import_contacts_command, [str(bad)], env={"DATABASE_URL": seeded})
    assert result.exit_code == 1
    assert "bad.csv, row 2, column 'agency', value 'Nowhere': unknown agency" in result.output
