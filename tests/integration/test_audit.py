"""The audit log on SQLite and PostgreSQL: written in the caller's transaction, read back with
filters, exported as CSV, and append-only in the database itself."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from dashboard.infra import db
from dashboard.infra.models import AuditEntry, Unit
from data import audit

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def fill(url: str) -> int:
    with db.session_scope(url) as session:
        agency = Unit(slug="dmv", kind="agency", name_en="Motor Vehicles")
        session.add(agency)
        session.flush()
        audit.record(session, "sign_in", user_id=1, username="ada", ip="203.0.113.1", now=T0)
        audit.record(
            session,
            "publish",
            user_id=1,
            username="ada",
            agency_id=agency.id,
            subject='=HYPERLINK("http://evil")',
            detail={"figures_added": 3, "note": "+1 revised"},
            now=T0 + dt.timedelta(hours=1),
        )
        audit.record(session, "sign_in_failed", username="mallory", now=T0 + dt.timedelta(hours=2))
        return agency.id


def test_entries_newest_first_with_filters(db_url: str) -> None:
    agency_id = fill(db_url)
    with db.session_scope(db_url) as session:
        rows = audit.entries(session)
        assert [row["action"] for row in rows] == ["sign_in_failed", "publish", "sign_in"]
        publish = rows[1]
        assert publish["agency"] == "dmv" and publish["agency_id"] == agency_id
        assert publish["detail"] == {"figures_added": 3, "note": "+1 revised"}
        assert publish["at"] == (T0 + dt.timedelta(hours=1)).isoformat()
        assert rows[2]["ip"] == "203.0.113.1"
        assert [r["action"] for r in audit.entries(session, username="ADA")] == [
            "publish",
            "sign_in",
        ]
        assert [r["action"] for r in audit.entries(session, action="sign_in")] == ["sign_in"]
        since = audit.entries(session, since=T0 + dt.timedelta(minutes=30))
        assert [r["action"] for r in since] == ["sign_in_failed", "publish"]
        until = audit.entries(session, until=T0 + dt.timedelta(minutes=30))
        assert [r["action"] for r in until] == ["sign_in"]
        assert [r["action"] for r in audit.entries(session, limit=1, offset=1)] == ["publish"]
        assert audit.entries(session, agency_id=agency_id)[0]["action"] == "publish"
        assert audit.count_entries(session) == 3
        assert audit.count_entries(session, username="ada") == 2
        assert audit.count_entries(session, since=T0 + dt.timedelta(minutes=30)) == 2


def test_the_csv_export_cannot_inject_formulas(db_url: str) -> None:
    fill(db_url)
    with db.session_scope(db_url) as session:
        exported = audit.entries_csv(audit.entries(session))
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [row["action"] for row in rows] == ["sign_in_failed", "publish", "sign_in"]
    assert rows[1]["subject"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["agency"] == "dmv"


def test_long_values_are_cut_not_refused(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        audit.record(
            session,
            "sign_in_failed",
            username="u" * 500,
            subject="s" * 5000,
            user_agent="a" * 5000,
            ip="1" * 200,
            detail={"text": "x" * 50_000},
        )
    with db.session_scope(db_url) as session:
        (row,) = audit.entries(session)
    assert len(row["username"]) == 120 and len(row["subject"]) == 500
    assert len(row["user_agent"]) == 300 and len(row["ip"]) == 64
    assert set(row["detail"]) == {"truncated"}


def test_an_entry_belongs_to_the_callers_transaction(db_url: str) -> None:
    with pytest.raises(RuntimeError), db.session_scope(db_url) as session:
        audit.record(session, "publish", username="ada")
        raise RuntimeError("the publication failed")
    with db.session_scope(db_url) as session:
        assert audit.count_entries(session) == 0


def test_the_log_is_append_only_in_the_database(db_url: str) -> None:
    fill(db_url)
    engine = db.get_engine(db_url)
    statements = [
        update(AuditEntry).values(username="someone else"),
        delete(AuditEntry),
        text("UPDATE audit_log SET action = 'nothing' WHERE action = 'publish'"),
        text("DELETE FROM audit_log WHERE username = 'mallory'"),
    ]
    for statement in statements:
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(statement)
    with pytest.raises(DatabaseError, match="append-only"), db.session_scope(db_url) as session:
        entry = session.scalars(select(AuditEntry)).first()
        assert entry is not None
        entry.action = "edited"
    with db.session_scope(db_url) as session:
        assert session.scalar(select(func.count(AuditEntry.id))) == 3
        assert {r["username"] for r in audit.entries(session)} == {"ada", "mallory"}
        assert "nothing" not in {r["action"] for r in audit.entries(session)}


def test_every_documented_action_is_unique() -> None:
    assert len(set(audit.AUDIT_ACTIONS)) == len(audit.AUDIT_ACTIONS)
    assert all(len(action) <= 40 for action in audit.AUDIT_ACTIONS)
