"""Replaying history through the importer (a back-fill of earlier periods): imports stamped
at a given time (``frozen_clock``), and month-by-month files that find the values they
change.

Each test runs on SQLite and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dashboard.infra.db import session_scope
from dashboard.infra.models import ImportRun, ObservationRevision, frozen_clock, utcnow
from data import store
from tests.integration.test_import import HEADER, observation, run, seed, write

PUBLISHED_ON = dt.datetime(2024, 4, 12, 15, 0, tzinfo=dt.UTC)
REVISED_ON = dt.datetime(2024, 5, 8, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def _aware(stamp: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back; they are UTC."""
    return stamp if stamp is None or stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def test_frozen_clock_stamps_only_inside_it() -> None:
    with frozen_clock(PUBLISHED_ON):
        assert utcnow() == PUBLISHED_ON
        with frozen_clock(REVISED_ON):
            assert utcnow() == REVISED_ON
        assert utcnow() == PUBLISHED_ON
    assert utcnow() != PUBLISHED_ON


@pytest.mark.parametrize("filter_by_period", [True, False])
def test_month_files_publish_and_revise_at_their_own_time(
    seeded: str, tmp_path, monkeypatch, filter_by_period: bool
) -> None:
    if not filter_by_period:
        # Beyond MAX_PERIOD_FILTER starts, stored values are looked up without the period.
        monkeypatch.setattr(store, "MAX_PERIOD_FILTER", 0)
    march = write(tmp_path, "march.csv", HEADER + "DMV,,service_level_60s,2024-03,71.5,,,,,\n")
    april = write(tmp_path, "april.csv", HEADER + "DMV,,service_level_60s,2024-04,74,,,,,\n")
    corrected = write(
        tmp_path, "march-v2.csv", HEADER + "DMV,,service_level_60s,2024-03,77.7,,,,,recounted\n"
    )
    with frozen_clock(PUBLISHED_ON):
        assert run(seeded, march, publish=True).ok
    with frozen_clock(PUBLISHED_ON + dt.timedelta(days=30)):
        assert run(seeded, april, publish=True).ok
    with frozen_clock(REVISED_ON):
        report = run(seeded, corrected, publish=True)
    assert report.ok and (report.inserted, report.revised, report.revisions_kept) == (0, 1, 1)

    revised = observation(seeded, "dmv", "service_level_60s", dt.date(2024, 3, 1))
    assert revised.raw_value == 77.7 and revised.internal_note == "recounted"
    assert _aware(revised.created_at) == PUBLISHED_ON
    assert _aware(revised.updated_at) == REVISED_ON
    untouched = observation(seeded, "dmv", "service_level_60s", dt.date(2024, 4, 1))
    assert untouched.raw_value == 74
    assert _aware(untouched.published_at) == PUBLISHED_ON + dt.timedelta(days=30)
    with session_scope(seeded) as session:
        revision = session.scalars(select(ObservationRevision)).one()
        runs = session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    assert revision.raw_value == 71.5 and _aware(revision.revised_at) == REVISED_ON
    assert [_aware(r.started_at) for r in runs] == [
        PUBLISHED_ON,
        PUBLISHED_ON + dt.timedelta(days=30),
        REVISED_ON,
    ]
