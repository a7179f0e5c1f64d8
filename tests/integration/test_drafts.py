"""Workspace drafts (issue 10, part 2) on SQLite and PostgreSQL: actions, contact points with
hours, closures and targets written as drafts, edits of published rows as one draft copy, and
nothing of it (nor an internal note) in any public read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.gateway import open_data, queries
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    DRAFT,
    PUBLISHED,
    Action,
    AuditEntry,
    Closure,
    ContactPoint,
    ImportRun,
    Metric,
    Target,
    Unit,
    User,
)
from data.content import import_file
from data.content.parsing import hours_text
from data.drafts import content_rows, discard_draft, options_for, save_draft

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
LANGUAGES = ("en", "es")


def _setup(url: str) -> dict[str, int]:
    for kind in ("units", "metrics", "actions", "contact-points", "closures"):
        report = import_file(url, EXAMPLES / f"{kind.replace('-', '_')}.csv", kind, publish=True)
        assert report.ok, report.to_text()
    with session_scope(url) as session:
        state = session.scalar(select(Unit).where(Unit.slug == "state"))
        other = Unit(slug="parks", kind="agency", parent_id=state.id, name_en="Parks")
        session.add(other)
        editor = User(username="editor-a", role="editor")
        second = User(username="editor-b", role="editor")
        session.add_all([editor, second])
        session.flush()
        other_point = ContactPoint(
            unit_id=other.id, code="parks-line", channel="phone", label_en="Parks line"
        )
        other_action = Action(
            unit_id=other.id,
            code="parks-1",
            status="planned",
            started_on=dt.date(2026, 1, 1),
            title_en="Parks action",
            visibility=PUBLISHED,
        )
        session.add_all([other_point, other_action])
        dmv = session.scalar(select(Unit).where(Unit.slug == "motor-vehicles"))
        metric = session.scalar(select(Metric).where(Metric.code == "satisfaction_overall"))
        target = Target(
            unit_id=dmv.id,
            metric_id=metric.id,
            kind="numeric",
            value=0.8,
            comparator=">=",
            effective_from=dt.date(2025, 10, 1),
            visibility=PUBLISHED,
            promise_en="We aim to satisfy 8 in 10 customers.",
            promise_es="Buscamos satisfacer a 8 de cada 10.",
        )
        session.add(target)
        session.flush()
        ids = {
            "dmv": dmv.id,
            "service": session.scalar(select(Unit.id).where(Unit.slug == "driver-licensing")),
            "other": other.id,
            "editor": editor.id,
            "second": second.id,
            "other_point": other_point.id,
            "other_action": other_action.id,
            "target": target.id,
            "action": session.scalar(select(Action.id).where(Action.code == "DMV-2024-02")),
            "office": session.scalar(
                select(ContactPoint.id).where(ContactPoint.code == "office-capitol")
            ),
        }
    return ids


@pytest.fixture
def store(db_url: str) -> tuple[str, dict[str, int]]:
    return db_url, _setup(db_url)


def _action(unit_id: int, **extra: object) -> dict[str, object]:
    return {
        "unit_id": str(unit_id),
        "title": {"en": "Shorter forms", "es": "Formularios más cortos"},
        "description": {"en": "Two pages instead of six.", "es": "Dos páginas en vez de seis."},
        "status": "in_progress",
        "started_on": "2026-02-01",
        "link": "https://dmv.example.gov/forms",
        "metrics": ["satisfaction_overall"],
        "internal_note": "SECRET-NOTE-42",
        **extra,
    }


def _save(url: str, ids: dict[str, int], kind: str, values, row_id=None, user="editor"):
    with session_scope(url) as session:
        return save_draft(
            session,
            ids["dmv"],
            kind,
            values,
            row_id=row_id,
            user_id=ids[user],
            now=NOW,
            languages=LANGUAGES,
        )


def _rows(url: str, ids: dict[str, int], kind: str) -> list[dict[str, object]]:
    with session_scope(url) as session:
        return content_rows(session, ids["dmv"], kind)


def test_a_new_action_in_two_languages_is_a_draft_nobody_public_sees(store):
    url, ids = store
    result = _save(url, ids, "actions", _action(ids["dmv"]))
    assert result.ok, result.problems
    with session_scope(url) as session:
        action = session.get(Action, result.row_id)
        assert action.visibility == DRAFT
        assert action.title_es == "Formularios más cortos"
        assert action.code == "shorter-forms"
        assert [m.code for m in action.metrics] == ["satisfaction_overall"]
        run = session.get(ImportRun, action.import_id)
        assert (run.kind, run.status, run.user_id) == ("workspace", "succeeded", ids["editor"])
        assert run.file_name == "workspace: action shorter-forms"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "edit")).one()
        assert entry.username == "editor-a" and entry.agency_id == ids["dmv"]
        assert "title_es" in entry.detail["fields"]
    public = queries.published_actions(url)
    assert result.row_id not in {a["id"] for a in public}
    assert all("SECRET-NOTE-42" not in str(a) for a in public)
    [row] = [r for r in _rows(url, ids, "actions") if r["id"] == result.row_id]
    assert row["state"] == "draft (new)"
    assert row["author"] == "editor-a"
    assert row["title"] == {"en": "Shorter forms", "es": "Formularios más cortos"}
    assert row["metrics"] == ["satisfaction_overall"]
    assert row["internal_note"] == "SECRET-NOTE-42"


def test_editing_a_published_action_twice_makes_one_draft_copy(store):
    url, ids = store
    published_id = ids["action"]
    before = [a for a in queries.published_actions(url) if a["id"] == published_id]
    values = {
        **_action(ids["dmv"]),
        "code": "DMV-2024-02",
        "title": {"en": "Call-back for everyone", "es": "Devolución de llamada para todos"},
        "status": "completed",
        "completed_on": "2026-03-01",
        "started_on": "2024-09-01",
    }
    first = _save(url, ids, "actions", values, row_id=published_id)
    assert first.ok, first.problems
    values["title"] = {"en": "Call-back for all callers", "es": "Para todos"}
    second = _save(url, ids, "actions", values, row_id=published_id, user="second")
    assert second.ok, second.problems
    assert second.row_id == first.row_id
    with session_scope(url) as session:
        copies = session.scalars(select(Action).where(Action.replaces_id == published_id)).all()
        assert len(copies) == 1
        copy = copies[0]
        assert (copy.code, copy.visibility, copy.title_en) == (
            None,
            DRAFT,
            "Call-back for all callers",
        )
        assert session.get(ImportRun, copy.import_id).user_id == ids["second"]
        published = session.get(Action, published_id)
        assert published.title_en == "Call-back instead of waiting on hold"
        assert published.visibility == PUBLISHED
    assert [a for a in queries.published_actions(url) if a["id"] == published_id] == before
    states = {r["id"]: r["state"] for r in _rows(url, ids, "actions")}
    assert states[published_id] == "published, with a draft change"
    assert states[copy.id] == "draft change"
    # The copy edited through its own id stays the one copy; discarding it leaves the
    # published action as it was.
    third = _save(url, ids, "actions", values | {"link": ""}, row_id=copy.id)
    assert third.ok and third.row_id == copy.id
    with session_scope(url) as session:
        assert (
            discard_draft(
                session, ids["dmv"], "actions", published_id, user_id=ids["editor"], now=NOW
            )
            is False
        )
        assert (
            discard_draft(session, ids["other"], "actions", copy.id, user_id=ids["editor"], now=NOW)
            is False
        )
        assert discard_draft(
            session, ids["dmv"], "actions", copy.id, user_id=ids["editor"], now=NOW
        )
    with session_scope(url) as session:
        assert session.get(Action, copy.id) is None
        assert session.get(Action, published_id).visibility == PUBLISHED
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "discard")
            )
            == 1
        )
    assert [a for a in queries.published_actions(url) if a["id"] == published_id] == before


def test_an_edit_that_changes_nothing_keeps_no_copy(store):
    url, ids = store
    [row] = [r for r in _rows(url, ids, "actions") if r["id"] == ids["action"]]
    values = {
        key: row[key]
        for key in (
            "unit_id",
            "code",
            "status",
            "started_on",
            "completed_on",
            "link",
            "metrics",
            "internal_note",
            "title",
            "description",
        )
    }
    result = _save(url, ids, "actions", values, row_id=ids["action"])
    assert result.ok and result.row_id == ids["action"]
    assert "No change" in result.summary
    with session_scope(url) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Action).where(Action.replaces_id.is_not(None))
            )
            == 0
        )


def test_another_agencys_rows_units_and_points_are_not_found(store):
    url, ids = store
    refused = _save(url, ids, "actions", _action(ids["dmv"]), row_id=ids["other_action"])
    assert not refused.ok
    assert [(p.field, p.reason) for p in refused.problems] == [("id", "not found")]
    refused = _save(url, ids, "actions", _action(ids["other"]))
    assert [(p.field, p.reason) for p in refused.problems] == [("unit_id", "not found")]
    refused = _save(
        url,
        ids,
        "closures",
        {
            "unit_id": ids["dmv"],
            "contact_point_id": str(ids["other_point"]),
            "starts_on": "2030-01-01",
            "ends_on": "2030-01-02",
            "reason": {"en": "Move"},
        },
    )
    assert [(p.field, p.reason) for p in refused.problems] == [("contact_point_id", "not found")]
    with session_scope(url) as session:
        other = session.get(Action, ids["other_action"])
        assert other.title_en == "Parks action"
        assert (
            session.scalar(
                select(func.count()).select_from(ImportRun).where(ImportRun.kind == "workspace")
            )
            == 0
        )
        assert (
            discard_draft(
                session,
                ids["other"],
                "actions",
                ids["other_action"],
                user_id=ids["editor"],
                now=NOW,
            )
            is False
        )
        names = [label for _, label in options_for(session, ids["dmv"]).units]
        assert "Parks" not in names and names[0] == "Department of Motor Vehicles"


def test_a_contact_point_with_hours_is_stored_as_the_importer_stores_it(store):
    url, ids = store
    values = {
        "unit_id": ids["service"],
        "label": {"en": "Licence counter", "es": "Mostrador de licencias"},
        "channel": "walk_in",
        "address": "1 Main Street",
        "hours": {
            "mon": "09:00-12:00, 13:00-16:30",
            "tue": "9:00-16:30",
            "wed": "09:00-16:30",
            "thu": "09:00-16:30",
            "fri": "09:00-16:30",
            "sat": "closed",
            "sun": "",
        },
        "hours_text": {"en": "", "es": ""},
        "languages": "en; es",
    }
    result = _save(url, ids, "contact_points", values)
    assert result.ok, result.problems
    expected = {
        "mon": [["09:00", "12:00"], ["13:00", "16:30"]],
        **{day: [["09:00", "16:30"]] for day in ("tue", "wed", "thu", "fri")},
        "sat": [],
    }
    with session_scope(url) as session:
        point = session.get(ContactPoint, result.row_id)
        assert point.hours == expected
        assert point.visibility == DRAFT
        assert point.hours_en == hours_text(expected, "en")
        assert point.hours_es == hours_text(expected, "es")
        assert point.languages == "en,es"
        assert point.code == "licence-counter"
    assert result.row_id not in {p["id"] for p in open_data.contact_point_rows(url)}
    [row] = [r for r in _rows(url, ids, "contact_points") if r["id"] == result.row_id]
    assert row["hours"]["mon"] == "09:00-12:00, 13:00-16:30"
    assert row["hours"]["sat"] == "closed" and row["hours"]["sun"] == ""
    # Changing the hours rewrites the text that was written from them.
    row["hours"]["sat"] = "10:00-12:00"
    again = _save(url, ids, "contact_points", row, row_id=result.row_id)
    assert again.ok, again.problems
    with session_scope(url) as session:
        point = session.get(ContactPoint, result.row_id)
        assert point.hours["sat"] == [["10:00", "12:00"]]
        assert "Sat 10:00 a.m.–12:00 p.m." in point.hours_en


def test_a_closure_of_a_contact_point_and_an_edit_of_a_published_one(store):
    url, ids = store
    values = {
        "unit_id": str(ids["dmv"]),
        "contact_point_id": str(ids["office"]),
        "starts_on": "2031-05-01",
        "ends_on": "2031-05-02",
        "reason": {"en": "Floor repairs", "es": "Reparaciones"},
    }
    result = _save(url, ids, "closures", values)
    assert result.ok, result.problems
    with session_scope(url) as session:
        closure = session.get(Closure, result.row_id)
        assert (closure.contact_point_id, closure.visibility) == (ids["office"], DRAFT)
        published = session.scalar(select(Closure).where(Closure.code == "training-2030"))
        published_id = published.id
    assert result.row_id not in {c["id"] for c in open_data.closure_rows(url)}
    change = _save(
        url,
        ids,
        "closures",
        {
            "unit_id": ids["dmv"],
            "code": "training-2030",
            "starts_on": "2030-04-12",
            "ends_on": "2030-04-13",
            "reason": {"en": "Two days of training", "es": "Dos días de capacitación"},
        },
        row_id=published_id,
    )
    assert change.ok, change.problems
    public = {c["id"]: c for c in open_data.closure_rows(url)}
    assert public[published_id]["ends_on"] == dt.date(2030, 4, 12)
    assert change.row_id not in public
    # The draft contact point a closure names cannot be discarded before the closure.
    point = _save(
        url,
        ids,
        "contact_points",
        {"unit_id": ids["dmv"], "label": {"en": "Pop-up office"}, "channel": "walk_in"},
    )
    named = _save(url, ids, "closures", {**values, "contact_point_id": point.row_id})
    assert named.ok, named.problems
    with session_scope(url) as session:
        assert not discard_draft(
            session, ids["dmv"], "contact_points", point.row_id, user_id=ids["editor"], now=NOW
        )


def test_targets_follow_the_ledger(store):
    url, ids = store
    base = {
        "unit_id": ids["dmv"],
        "metric": "satisfaction_overall",
        "kind": "numeric",
        "value": "85%",
        "effective_from": "2025-10-01",
        "promise": {
            "en": "We aim to satisfy 8 in 10 customers.",
            "es": "Buscamos satisfacer a 8 de cada 10.",
        },
    }
    change = _save(url, ids, "targets", base, row_id=ids["target"])
    assert change.ok, change.problems
    with session_scope(url) as session:
        draft = session.get(Target, change.row_id)
        assert draft.visibility == DRAFT and draft.value == pytest.approx(0.85)
        assert draft.effective_from == dt.date(2025, 10, 1)
        assert session.get(ImportRun, draft.import_id).user_id == ids["editor"]
        assert session.get(Target, ids["target"]).value == pytest.approx(0.8)
    assert [t["value"] for t in open_data.target_rows(url)] == [pytest.approx(0.8)]
    rows = {r["id"]: r for r in _rows(url, ids, "targets")}
    assert rows[ids["target"]]["state"] == "published, with a draft change"
    assert rows[change.row_id]["state"] == "draft change"
    assert rows[change.row_id]["replaces_id"] == ids["target"]
    assert rows[change.row_id]["value"] == "85%"
    # A promise text change alone, through the published row: the same one draft.
    words = _save(
        url,
        ids,
        "targets",
        {
            **base,
            "value": "80%",
            "promise": {"en": "Eight in ten customers satisfied.", "es": "Ocho de cada diez."},
        },
        row_id=ids["target"],
    )
    assert words.ok and words.row_id == change.row_id
    with session_scope(url) as session:
        drafts = session.scalars(select(Target).where(Target.visibility == DRAFT)).all()
        assert [(d.value, d.promise_en) for d in drafts] == [
            (pytest.approx(0.8), "Eight in ten customers satisfied.")
        ]
    # Back to the published content: the ledger keeps no draft.
    same = _save(url, ids, "targets", {**base, "value": "0.8"}, row_id=change.row_id)
    assert same.ok and same.row_id == ids["target"]
    with session_scope(url) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Target).where(Target.visibility == DRAFT)
            )
            == 0
        )
    # A metric without figures or targets of the agency is not offered.
    refused = _save(url, ids, "targets", {**base, "metric": "licence_days"})
    assert [(p.field, p.reason) for p in refused.problems] == [("metric", "not found")]
    out_of_range = _save(url, ids, "targets", {**base, "value": "140%"})
    assert [p.field for p in out_of_range.problems] == ["value"]
    new = _save(url, ids, "targets", {**base, "effective_from": "2026-10-01", "value": "90%"})
    assert new.ok, new.problems
    with session_scope(url) as session:
        assert session.get(Target, new.row_id).visibility == DRAFT
        assert discard_draft(
            session, ids["dmv"], "targets", new.row_id, user_id=ids["editor"], now=NOW
        )
        assert not discard_draft(
            session, ids["dmv"], "targets", ids["target"], user_id=ids["editor"], now=NOW
        )


def _public_text(url: str, unit_id: int) -> str:
    """Everything the public reads of actions, contact points, closures and targets."""
    return repr(
        [
            queries.published_actions(url),
            queries.published_targets(url, include_superseded=True),
            queries.contact_points(url, [unit_id]),
            queries.closures(url, [unit_id], ending_on_or_after=dt.date(2000, 1, 1)),
            open_data.contact_point_rows(url),
            open_data.closure_rows(url),
            open_data.target_rows(url),
        ]
    )


def test_no_draft_and_no_internal_note_in_any_public_read(store):
    url, ids = store
    before = _public_text(url, ids["dmv"])
    assert "Vendor contract DMV-2291" not in before  # the example's published internal note
    saved = [
        _save(url, ids, "actions", _action(ids["dmv"], title={"en": "DRAFT-TITLE-1"})),
        _save(
            url,
            ids,
            "actions",
            _action(ids["dmv"], code="DMV-2024-02", started_on="2024-09-01"),
            row_id=ids["action"],
        ),
        _save(
            url,
            ids,
            "contact_points",
            {
                "unit_id": ids["dmv"],
                "label": {"en": "DRAFT-LABEL-2"},
                "channel": "phone",
                "value": "(800) 555-0199",
            },
        ),
        _save(
            url,
            ids,
            "closures",
            {
                "unit_id": ids["dmv"],
                "starts_on": "2031-02-01",
                "ends_on": "2031-02-01",
                "reason": {"en": "DRAFT-REASON-3"},
            },
        ),
        _save(
            url,
            ids,
            "targets",
            {
                "unit_id": ids["dmv"],
                "metric": "satisfaction_overall",
                "value": "95%",
                "kind": "numeric",
                "effective_from": "2027-01-01",
                "promise": {"en": "DRAFT-PROMISE-4"},
            },
        ),
    ]
    assert all(result.ok for result in saved), [r.problems for r in saved]
    after = _public_text(url, ids["dmv"])
    assert after == before
    for secret in ("DRAFT-", "SECRET-NOTE-42", "Vendor contract"):
        assert secret not in after


def test_a_draft_is_edited_in_place_and_its_author_is_the_last_editor(store):
    url, ids = store
    first = _save(url, ids, "actions", _action(ids["dmv"], code="NEW-1"))
    assert first.ok, first.problems
    second = _save(
        url,
        ids,
        "actions",
        _action(ids["service"], code="NEW-2", metrics=[]),
        row_id=first.row_id,
        user="second",
    )
    assert second.ok and second.row_id == first.row_id
    with session_scope(url) as session:
        action = session.get(Action, first.row_id)
        assert (action.unit_id, action.code, action.metrics) == (ids["service"], "NEW-2", [])
        assert session.get(ImportRun, action.import_id).user_id == ids["second"]
        assert (
            session.scalar(
                select(func.count()).select_from(ImportRun).where(ImportRun.kind == "workspace")
            )
            == 2
        )
    [row] = [r for r in _rows(url, ids, "actions") if r["id"] == first.row_id]
    assert (row["author"], row["unit"]) == ("editor-b", "Driver licensing")
    taken = _save(url, ids, "actions", _action(ids["dmv"], code="DMV-2024-02"))
    assert [p.field for p in taken.problems] == ["code"]
