"""Results files uploaded in the staff workspace (data.workspace_upload): drafts only, within
the user's agencies, changes to published figures kept pending with a reason.

Each test runs on SQLite and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.core.settings import Settings
from dashboard.gateway import open_data, queries
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    DRAFT,
    PUBLISHED,
    AuditEntry,
    ImportRun,
    ObservationRevision,
    PendingRevision,
    Unit,
    User,
)
from data.loaders import import_observations
from data.workspace_upload import MAPPINGS_DIR, shipped_mappings, upload_results
from tests.integration.test_import import HEADER, observation, seed, table_counts, write

Q1 = dt.date(2023, 10, 1)


def add_users(url: str) -> dict[str, int]:
    """An editor, a second editor and a publisher: {username: id}."""
    with session_scope(url) as session:
        users = [
            User(username="ed", role="editor"),
            User(username="eve", role="editor"),
            User(username="pat", role="publisher", all_agencies=True),
        ]
        session.add_all(users)
        session.flush()
        return {user.username: user.id for user in users}


def agency_ids(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        rows = session.execute(select(Unit.slug, Unit.id).where(Unit.kind == "agency"))
        return {slug: unit_id for slug, unit_id in rows}


@pytest.fixture
def store(db_url: str) -> str:
    seed(db_url)
    return db_url


def upload(url: str, path: Path, user_id: int, scope: frozenset[int] | None, **options):
    return upload_results(
        url,
        path,
        settings=Settings(database_url=url),
        agency_scope=scope,
        user_id=user_id,
        **options,
    )


def cli_publish(url: str, path: Path):
    report = import_observations(url, path, settings=Settings(database_url=url), publish=True)
    assert report.ok, report.to_text()
    return report


def audit_actions(url: str) -> list[tuple[str, int | None]]:
    with session_scope(url) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.user_id).order_by(AuditEntry.id)
        )
        return [(action, user_id) for action, user_id in rows]


def test_a_row_of_another_agency_is_a_problem_naming_row_column_and_value(store, tmp_path):
    users, agencies = add_users(store), agency_ids(store)
    before = table_counts(store)
    path = write(
        tmp_path,
        "mixed.csv",
        HEADER
        + "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n"
        + "revenue,,csat_overall,FY2024 Q1,0.7,,100,,,\n"
        + "Department of Revenue,Individual Income Tax Refunds,trust,FY2024 Q1,0.6,,,,,\n",
    )
    report = upload(store, path, users["ed"], frozenset({agencies["dmv"]}))

    assert not report.ok
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (3, "agency", "revenue"),
        (4, "agency", "Department of Revenue"),
    ]
    assert report.problems[0].reason == "agency revenue is not one you may edit"
    assert table_counts(store) == before  # nothing written, not even the DMV row
    assert audit_actions(store) == [("upload_rejected", users["ed"])]

    # The same file by someone who may edit every agency is saved.
    everyone = upload(store, path, users["pat"], None)
    assert everyone.ok, everyone.to_text()
    assert everyone.inserted == 3


def test_new_agencies_services_and_metrics_are_refused_in_the_workspace(store, tmp_path):
    users = add_users(store)
    before = table_counts(store)
    path = write(
        tmp_path,
        "new.csv",
        HEADER
        + "Parks Department,,csat_overall,FY2024 Q1,0.8,,100,,,\n"
        + "DMV,Boat Licences,csat_overall,FY2024 Q1,0.8,,100,,,\n"
        + "DMV,,walk_in_wait,FY2024 Q1,12,,,,,\n",
    )
    report = upload(store, path, users["pat"], None)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "agency", "Parks Department"),
        (3, "service", "Boat Licences"),
        (4, "metric", "walk_in_wait"),
    ]
    assert all("created only by an admin" in p.reason for p in report.problems)
    assert "cxdash import-units" in report.problems[0].reason
    assert "cxdash import-metrics" in report.problems[2].reason

    # A mapping that says create_missing = true does not change that.
    mapping = write(
        tmp_path,
        "create.toml",
        'name = "New office"\ncreate_missing = true\n'
        '[columns]\nagency = "Agency"\nservice = "Office"\nperiod = "Month"\n'
        '[[measures]]\nmetric = "walk_in_wait"\nvalue = "Wait (min)"\n'
        "[metrics.walk_in_wait]\n"
        'name_en = "Walk-in wait"\ndimension = "timeliness"\nscale = "minutes"\n'
        'direction = "lower"\nnorm_best = 0\nnorm_worst = 120\n',
    )
    offices = write(
        tmp_path, "offices.csv", "Agency,Office,Month,Wait (min)\nParks,Downtown,2024-05,34\n"
    )
    refused = upload(store, offices, users["pat"], None, mapping_path=mapping)
    assert not refused.ok
    assert refused.units_created == [] and refused.metrics_created == []
    assert table_counts(store) == before


def test_a_file_with_one_bad_value_writes_nothing(store, tmp_path):
    users, agencies = add_users(store), agency_ids(store)
    before = table_counts(store)
    path = write(
        tmp_path,
        "bad.csv",
        HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\nDMV,,trust,FY2024 Q1,lots,,,,,\n",
    )
    report = upload(store, path, users["ed"], frozenset({agencies["dmv"]}))
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "value", "lots")]
    assert table_counts(store) == before


def test_a_clean_upload_is_saved_as_drafts_the_public_does_not_see(store, tmp_path):
    users, agencies = add_users(store), agency_ids(store)
    path = write(
        tmp_path,
        "clean.csv",
        HEADER
        + "DMV,Driver License Renewal,csat_overall,FY2024 Q1,0.81,,1204,0.8,We answer fast,\n"
        + "dmv,,trust,FY2024 Q1,0.7,,,,,\n",
    )
    dry = upload(store, path, users["ed"], frozenset({agencies["dmv"]}), dry_run=True)
    assert dry.ok and (dry.inserted, dry.pending_revisions, dry.unchanged) == (2, 0, 0)
    assert table_counts(store)["observations"] == 0
    assert audit_actions(store) == []

    report = upload(store, path, users["ed"], frozenset({agencies["dmv"]}), ip="192.0.2.7")
    assert report.ok, report.to_text()
    assert (report.inserted, report.pending_revisions, report.targets_created) == (2, 0, 1)
    stored = observation(store, "dmv", "trust", Q1)
    assert stored.visibility == DRAFT and stored.import_id == report.import_id
    with session_scope(store) as session:
        run = session.get(ImportRun, report.import_id)
        assert (run.kind, run.status, run.user_id) == ("observations", "succeeded", users["ed"])
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.user_id, entry.username) == ("upload", users["ed"], "ed")
        assert (entry.agency_id, entry.ip) == (agencies["dmv"], "192.0.2.7")
        assert entry.detail["new_drafts"] == 2

    # Not public: the pages' and the API's reads do not see them.
    assert queries.published_observation_records(store, unit_ids=None, segment_types=None) == []
    rows, total = open_data.observation_rows(store, {}, limit=None)
    assert (rows, total) == ([], 0)
    assert queries.published_targets(store) == []

    # Uploading the same file again changes nothing.
    again = upload(store, path, users["ed"], frozenset({agencies["dmv"]}))
    assert again.ok and (again.inserted, again.revised, again.unchanged) == (0, 0, 2)


def test_a_changed_published_figure_waits_as_a_pending_revision(store, tmp_path):
    users, agencies = add_users(store), agency_ids(store)
    scope = frozenset({agencies["dmv"]})
    cli_publish(
        store, write(tmp_path, "v1.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n")
    )
    published = observation(store, "dmv", "csat_overall", Q1)
    corrected = write(
        tmp_path,
        "v2.csv",
        HEADER + "DMV,,trust,FY2024 Q1,0.5,,,,,\nDMV,,csat_overall,FY2024 Q1,0.78,,100,,,\n",
    )

    # No reason: a problem naming the first row that changes a published figure.
    refused = upload(store, corrected, users["ed"], scope)
    assert [(p.row, p.column, p.value) for p in refused.problems] == [(3, "value", "0.78")]
    assert refused.problems[0].reason.startswith("this file changes 1 published figure(s)")
    assert "give the reason for the revision" in refused.problems[0].reason
    assert table_counts(store)["observations"] == 1

    saved = upload(store, corrected, users["ed"], scope, reason="  Late survey returns  ")
    assert saved.ok, saved.to_text()
    assert (saved.inserted, saved.pending_revisions, saved.unchanged) == (1, 1, 0)
    assert saved.counts["pending_revisions"] == 1
    with session_scope(store) as session:
        pending = session.scalars(select(PendingRevision)).one()
        assert (pending.observation_id, pending.raw_value) == (published.id, 0.78)
        assert (pending.reason, pending.import_id) == ("Late survey returns", saved.import_id)
        assert pending.score == pytest.approx(78.0)
        assert session.scalar(select(func.count()).select_from(ObservationRevision)) == 0
    # The published value stays public, unchanged.
    still = observation(store, "dmv", "csat_overall", Q1)
    assert (still.raw_value, still.visibility, still.updated_at) == (
        0.8,
        PUBLISHED,
        published.updated_at,
    )
    rows = queries.published_observation_records(store, unit_ids=None)
    assert [row["raw_value"] for row in rows] == [0.8]

    # Another value for the same figure replaces the pending revision.
    second = write(tmp_path, "v3.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.79,,100,,,\n")
    replaced = upload(store, second, users["eve"], scope, reason="Recount")
    assert replaced.ok and replaced.pending_revisions == 1
    with session_scope(store) as session:
        pending = session.scalars(select(PendingRevision)).one()
        assert (pending.raw_value, pending.reason) == (0.79, "Recount")

    # The published value again: nothing left to publish, the pending revision is dropped.
    same = write(tmp_path, "v4.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n")
    withdrawn = upload(store, same, users["ed"], scope)
    assert withdrawn.ok and (withdrawn.pending_revisions, withdrawn.unchanged) == (0, 1)
    assert any("withdrawn" in note for note in withdrawn.notes)
    with session_scope(store) as session:
        assert session.scalar(select(func.count()).select_from(PendingRevision)) == 0


def test_the_command_line_still_refuses_a_changed_published_figure(store, tmp_path):
    cli_publish(
        store, write(tmp_path, "v1.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n")
    )
    changed = write(tmp_path, "v2.csv", HEADER + "DMV,,csat_overall,FY2024 Q1,0.7,,100,,,\n")
    report = import_observations(store, changed, settings=Settings(database_url=store))
    assert not report.ok and "needs --publish" in report.problems[0].reason
    with session_scope(store) as session:
        assert session.scalar(select(func.count()).select_from(PendingRevision)) == 0


def test_shipped_mappings_have_human_names():
    mappings = shipped_mappings()
    assert ("A-11 quarterly CX survey", MAPPINGS_DIR / "a11_quarterly_cx.toml") in mappings
    assert len(mappings) == len(list(MAPPINGS_DIR.glob("*.toml")))
    assert all(path.exists() and name for name, path in mappings)
