"""Complaints and compliments: the agency export through its mapping, the long-format example,
and the posted service level judged like any other target (docs/mappings.md, worked example 9)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard.core.settings import Settings
from dashboard.infra.db import session_scope
from dashboard.infra.models import Metric
from data.loaders import import_observations
from tests.integration.test_import import observation, seed

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "data" / "mappings" / "complaints_monthly.toml"
EXPORT = ROOT / "docs" / "examples" / "complaints_monthly.csv"
LONG = ROOT / "docs" / "examples" / "complaints_compliments.csv"
JANUARY, FEBRUARY = dt.date(2025, 1, 1), dt.date(2025, 2, 1)


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def run(url: str, path: Path, **options):
    return import_observations(url, path, settings=Settings(database_url=url), **options)


def test_agency_export_through_the_mapping_then_the_long_format(seeded):
    report = run(seeded, EXPORT, mapping_path=MAPPING, publish=True)
    assert report.ok, report.to_text()
    assert sorted(report.metrics_created) == [
        "complaints_answered_within_standard",
        "complaints_received",
        "compliments_received",
    ]
    assert report.units_created == []
    assert any("Total" in note or "total" in note for note in report.notes), report.notes
    assert observation(seeded, "dmv", "complaints_received", JANUARY).raw_value == 1284
    assert observation(seeded, "dmv", "compliments_received", JANUARY).raw_value == 312
    share = observation(seeded, "dmv", "complaints_answered_within_standard", JANUARY)
    assert (share.raw_value, share.denominator) == (pytest.approx(0.887), 1284)
    # "ND" is not reported, never zero.
    assert observation(seeded, "revenue", "complaints_received", FEBRUARY).raw_value is None

    # The long-format example gives the same figures with the counts behind the share, and
    # the posted service level as a target.
    long = run(seeded, LONG, publish=True)
    assert long.ok, long.to_text()
    share = observation(seeded, "dmv", "complaints_answered_within_standard", JANUARY)
    assert (share.numerator, share.denominator) == (1139, 1284)
    assert share.raw_value == pytest.approx(1139 / 1284, abs=1e-6)
    assert long.targets_created == 1


# -- complaint records through cxdash import-contacts -------------------------------------

RECORDS_HEADER = "id,agency,service,channel,received,first_response,spam,kind\n"
# Business days, US federal holidays (Thanksgiving 2024: Thursday November 28):
RECORDS = (
    # Mon Nov 4 10:00 -> Mon Nov 18 10:00: two weeks, but Veterans Day (Monday Nov 11) is a
    # holiday: 9 business days, in time.
    "c1,DMV,,email,2024-11-04 10:00,2024-11-18 10:00,no,complaint\n"
    # Mon Nov 4 10:00 -> Wed Nov 20 10:00: 11 business days: late.
    "c2,DMV,,email,2024-11-04 10:00,2024-11-20 10:00,no,Complaint\n"
    # Never answered: not in time.
    "c3,DMV,,web form,2024-11-05 09:00,,no,complaint\n"
    # A service's complaint answered the same day: counts for the service and the agency.
    "c4,DMV,Driver License Renewal,phone,2024-11-25 09:00,2024-11-25 11:00,,complaint\n"
    # Spam: left out of everything.
    "c5,DMV,,email,2024-11-06 09:00,,yes,complaint\n"
    # Compliments: counted, no standard.
    "k1,DMV,,email,2024-11-07 09:00,,no,compliment\n"
    "k2,DMV,Driver License Renewal,web form,2024-11-08 09:00,2024-11-08 10:00,no,compliment\n"
    # A message: its own figures, never a complaint.
    "m1,DMV,,email,2024-11-07 09:00,2024-11-07 10:00,no,\n"
)
NOVEMBER = dt.date(2024, 11, 1)


def test_complaint_records_answered_within_the_posted_business_days(seeded, tmp_path):
    from data.contacts import import_contacts

    path = tmp_path / "complaints.csv"
    path.write_text(RECORDS_HEADER + RECORDS, encoding="utf-8")
    report = import_contacts(seeded, path, settings=Settings(database_url=seeded))
    assert report.ok, report.to_text()
    assert sorted(report.metrics_created) == [
        "ack_within_1bd",
        "complaints_answered_within_standard",
        "complaints_received",
        "compliments_received",
        "median_hours_first_response",
        "messages_received",
    ]
    assert any("1 complaint(s) with no response" in note for note in report.notes)

    def stored(unit: str, code: str, segment: str = ""):
        found = observation(seeded, unit, code, NOVEMBER, segment)
        return found.raw_value, found.numerator, found.denominator

    # The agency: c1 in time; c2 late; c3 never answered; c4 (its service's) in time.
    assert stored("dmv", "complaints_received") == (4, None, None)
    assert stored("dmv", "complaints_answered_within_standard") == (0.5, 2, 4)
    assert stored("dmv", "complaints_answered_within_standard", "email") == (0.5, 1, 2)
    assert stored("dmv", "compliments_received") == (2, None, None)
    assert stored("driver-license-renewal", "complaints_received") == (1, None, None)
    assert stored("driver-license-renewal", "complaints_answered_within_standard") == (1, 1, 1)
    assert stored("driver-license-renewal", "compliments_received") == (1, None, None)
    # Messages count only the message.
    assert stored("dmv", "messages_received") == (1, None, None)


def test_the_posted_standard_is_a_setting_and_kinds_are_checked(seeded, tmp_path):
    from data.contacts import import_contacts

    path = tmp_path / "complaints.csv"
    path.write_text(RECORDS_HEADER + RECORDS.splitlines(keepends=True)[1], encoding="utf-8")
    # c2 took 11 business days: in time when the standard is 15.
    settings = Settings(database_url=seeded, complaint_answer_business_days=15)
    report = import_contacts(seeded, path, settings=settings, dry_run=True)
    assert report.ok and report.metrics_created == [
        "complaints_received",
        "complaints_answered_within_standard",
    ]
    report = import_contacts(seeded, path, settings=settings)
    assert (
        observation(seeded, "dmv", "complaints_answered_within_standard", NOVEMBER).numerator == 1
    )
    with session_scope(seeded) as session:
        metric = session.scalars(
            select(Metric).where(Metric.code == "complaints_answered_within_standard")
        ).one()
        assert metric.name() == "Complaints answered within 15 business days"

    bad = tmp_path / "bad.csv"
    bad.write_text(RECORDS_HEADER + "x1,DMV,,email,2024-11-04 10:00,,no,grievance\n", "utf-8")
    refused = import_contacts(seeded, bad, settings=settings)
    assert not refused.ok
    assert refused.problems[0].column == "kind" and "complaint" in refused.problems[0].reason
