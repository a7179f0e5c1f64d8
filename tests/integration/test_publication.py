"""Review and publication of an agency's drafts (data.publication), and the publications of
the command line.

Each test runs on SQLite and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.core.settings import Settings
from dashboard.gateway import queries
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
    Observation,
    ObservationRevision,
    PendingRevision,
    Publication,
    ReviewNote,
    Target,
    Unit,
)
from data import publication as publication_module
from data.content import import_file
from data.loaders import import_observations
from data.publication import (
    PublicationRefused,
    agencies_with_drafts,
    pending_changes,
    publish_agency,
    review_state,
    send_back,
    submit_for_review,
)
from data.targets_import import import_targets
from tests.integration.test_import import HEADER, observation, seed, write
from tests.integration.test_workspace_upload import add_users, agency_ids, upload

Q1 = dt.date(2023, 10, 1)
NOW = dt.datetime(2024, 2, 1, 15, 30, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=2)


def same_time(stored: dt.datetime | None, expected: dt.datetime) -> bool:
    """SQLite gives naive UTC datetimes back, PostgreSQL aware ones."""
    assert stored is not None
    return stored.replace(tzinfo=None) == expected.replace(tzinfo=None)


@pytest.fixture
def store(db_url: str) -> str:
    seed(db_url)
    return db_url


def cli(url: str, path: Path, **options):
    report = import_observations(url, path, settings=Settings(database_url=url), **options)
    assert report.ok, report.to_text()
    return report


def workspace_run(session, user_id: int) -> int:
    run = ImportRun(
        kind="workspace", file_name="form", checksum="", status="succeeded", user_id=user_id
    )
    session.add(run)
    session.flush()
    return run.id


def add_content(url: str, user_id: int) -> dict[str, int]:
    """Published content of DMV with drafted changes (as the workspace forms write them),
    and a draft action of Revenue. Returns the ids by name."""
    with session_scope(url) as session:
        dmv = session.scalars(select(Unit).where(Unit.slug == "dmv")).one()
        revenue = session.scalars(select(Unit).where(Unit.slug == "revenue")).one()
        csat = session.scalars(select(Metric).where(Metric.code == "csat_overall")).one()
        trust = session.scalars(select(Metric).where(Metric.code == "trust")).one()
        run_id = workspace_run(session, user_id)
        action = Action(
            unit_id=dmv.id,
            code="A1",
            status="planned",
            started_on=dt.date(2024, 1, 1),
            visibility=PUBLISHED,
            title_en="Shorter forms",
            title_es="Formularios más cortos",
            description_en="Fewer questions",
            metrics=[csat],
        )
        point = ContactPoint(
            unit_id=dmv.id, code="P1", channel="phone", value="555-0100", label_en="Call us"
        )
        session.add_all([action, point])
        session.flush()
        changed_action = Action(
            unit_id=dmv.id,
            replaces_id=action.id,
            status="in_progress",
            started_on=dt.date(2024, 1, 1),
            visibility=DRAFT,
            import_id=run_id,
            title_en="Shorter forms",
            title_es="Formularios mucho más cortos",
            title_fr="Formulaires plus courts",
            metrics=[trust],
        )
        new_action = Action(
            unit_id=dmv.id,
            code="A2",
            status="planned",
            started_on=dt.date(2024, 2, 1),
            visibility=DRAFT,
            import_id=run_id,
            title_en="Chat on the website",
        )
        changed_point = ContactPoint(
            unit_id=dmv.id,
            replaces_id=point.id,
            channel="phone",
            value="555-0199",
            visibility=DRAFT,
            import_id=run_id,
            label_en="Call us",
            label_es="Llámenos",
        )
        other = Action(
            unit_id=revenue.id,
            code="R1",
            status="planned",
            started_on=dt.date(2024, 1, 1),
            visibility=DRAFT,
            import_id=run_id,
            title_en="Revenue's own draft",
        )
        session.add_all([changed_action, new_action, changed_point, other])
        session.flush()
        closure = Closure(
            unit_id=dmv.id,
            code="C1",
            contact_point_id=changed_point.id,
            starts_on=dt.date(2024, 12, 25),
            ends_on=dt.date(2024, 12, 25),
            visibility=DRAFT,
            import_id=run_id,
            reason_en="Holiday",
        )
        session.add(closure)
        session.flush()
        return {
            "action": action.id,
            "changed_action": changed_action.id,
            "new_action": new_action.id,
            "point": point.id,
            "changed_point": changed_point.id,
            "other": other.id,
            "closure": closure.id,
            "trust": trust.id,
        }


@pytest.fixture
def drafted(store: str, tmp_path: Path) -> dict:
    """Published figures of DMV and Revenue, then drafts: Ed's upload for DMV (a new figure
    with a target, a revised one), Eve's for Revenue, and content drafts of both."""
    users, agencies = add_users(store), agency_ids(store)
    cli(
        store,
        write(
            tmp_path,
            "v1.csv",
            HEADER
            + "DMV,,csat_overall,FY2024 Q1,0.8,,100,,,\n"
            + "revenue,,csat_overall,FY2024 Q1,0.6,,100,,,\n",
        ),
        publish=True,
    )
    mine = upload(
        store,
        write(
            tmp_path,
            "dmv.csv",
            HEADER
            + "DMV,,csat_overall,FY2024 Q1,0.78,,100,,,\n"
            + "DMV,,trust,FY2024 Q1,0.7,,,0.75,We keep our word,\n",
        ),
        users["ed"],
        frozenset({agencies["dmv"]}),
        reason="Late survey returns",
    )
    assert mine.ok, mine.to_text()
    theirs = upload(
        store,
        write(tmp_path, "rev.csv", HEADER + "revenue,,trust,FY2024 Q1,0.5,,,,,\n"),
        users["eve"],
        frozenset({agencies["revenue"]}),
    )
    assert theirs.ok, theirs.to_text()
    ids = add_content(store, users["ed"])
    return {"users": users, "agencies": agencies, "ids": ids, "upload": mine}


def test_pending_changes_lists_what_a_publication_will_change(drafted, store):
    dmv = drafted["agencies"]["dmv"]
    with session_scope(store) as session:
        changes = pending_changes(session, dmv, language="en")
    assert not changes.is_empty and changes.agency_slug == "dmv"
    (new,) = changes.new_figures
    assert (new.metric_code, new.is_new, new.old_value, new.new_value) == ("trust", True, None, 0.7)
    assert (new.period_label, new.author, new.reason) == ("FY2024 Q1", "ed", None)
    (revised,) = changes.revised_figures
    assert (revised.metric_code, revised.old_value, revised.new_value) == (
        "csat_overall",
        0.8,
        0.78,
    )
    assert (revised.reason, revised.author, revised.author_id) == (
        "Late survey returns",
        "ed",
        drafted["users"]["ed"],
    )
    (target,) = changes.targets
    assert target.old is None and (target.new.value, target.new.comparator) == (0.75, ">=")
    assert target.new.promise == {"en": "We keep our word"}
    actions = {change.state: change for change in changes.actions}
    assert set(actions) == {"new", "changed"}
    fields = {c.field: (c.old, c.new) for c in actions["changed"].changes}
    assert fields["status"] == ("planned", "in_progress")
    assert fields["title_es"] == ("Formularios más cortos", "Formularios mucho más cortos")
    assert fields["title_fr"] == (None, "Formulaires plus courts")
    assert fields["description_en"] == ("Fewer questions", None)
    assert fields["metrics"] == (("csat_overall",), ("trust",))
    assert "title_en" not in fields  # unchanged fields are not listed
    (point,) = changes.contact_points
    assert point.state == "changed" and point.published_id == drafted["ids"]["point"]
    assert {c.field: c.new for c in point.changes} == {"value": "555-0199", "label_es": "Llámenos"}
    (closure,) = changes.closures
    assert closure.state == "new" and closure.label == "Holiday"
    assert changes.author_ids == frozenset({drafted["users"]["ed"]})
    assert changes.review is None

    # Revenue's drafts are not DMV's.
    with session_scope(store) as session:
        theirs = pending_changes(session, drafted["agencies"]["revenue"])
    assert [f.metric_code for f in theirs.new_figures] == ["trust"]
    assert theirs.revised_figures == () and len(theirs.actions) == 1


def test_publish_agency_publishes_everything_in_one_go(drafted, store):
    users, agencies, ids = drafted["users"], drafted["agencies"], drafted["ids"]
    dmv, revenue = agencies["dmv"], agencies["revenue"]
    version = queries.data_status(store).version
    with session_scope(store) as session:
        result = publish_agency(
            session, dmv, user_id=users["pat"], now=NOW, note="Quarterly update"
        )
    assert (result.figures_added, result.figures_revised, result.targets_changed) == (1, 1, 1)
    assert (result.actions_changed, result.contact_points_changed, result.closures_changed) == (
        2,
        1,
        1,
    )
    assert (result.reasons, result.note) == ("Late survey returns", "Quarterly update")

    trust = observation(store, "dmv", "trust", Q1)
    assert trust.visibility == PUBLISHED and same_time(trust.published_at, NOW)
    csat = observation(store, "dmv", "csat_overall", Q1)
    assert (csat.raw_value, csat.visibility) == (0.78, PUBLISHED)
    assert csat.score == pytest.approx(78.0) and same_time(csat.updated_at, NOW)
    assert csat.import_id == drafted["upload"].import_id
    with session_scope(store) as session:
        revision = session.scalars(select(ObservationRevision)).one()
        assert (revision.observation_id, revision.raw_value, revision.score) == (csat.id, 0.8, 80.0)
        assert (revision.reason, revision.import_id) == ("Late survey returns", result.import_id)
        assert session.scalar(select(func.count()).select_from(PendingRevision)) == 0
        run = session.get(ImportRun, result.import_id)
        assert (run.kind, run.status, run.user_id, run.file_name) == (
            "publication",
            "succeeded",
            users["pat"],
            "publication of dmv",
        )
        target = session.scalars(select(Target)).one()
        assert target.visibility == PUBLISHED and target.promise_en == "We keep our word"

        action = session.get(Action, ids["action"])
        assert (action.code, action.status, action.visibility) == ("A1", "in_progress", PUBLISHED)
        assert action.title_es == "Formularios mucho más cortos"
        assert action.title_fr == "Formulaires plus courts"
        assert action.description_en is None
        assert [m.code for m in action.metrics] == ["trust"]
        assert session.get(Action, ids["changed_action"]) is None
        assert session.get(Action, ids["new_action"]).visibility == PUBLISHED
        point = session.get(ContactPoint, ids["point"])
        assert (point.code, point.value, point.label_es) == ("P1", "555-0199", "Llámenos")
        assert session.get(ContactPoint, ids["changed_point"]) is None
        closure = session.get(Closure, ids["closure"])
        assert (closure.visibility, closure.contact_point_id) == (PUBLISHED, ids["point"])

        # Revenue's drafts are untouched.
        assert session.get(Action, ids["other"]).visibility == DRAFT
        theirs = session.scalars(
            select(Observation).where(
                Observation.unit_id == revenue, Observation.visibility == DRAFT
            )
        ).all()
        assert len(theirs) == 1

        row = session.scalars(select(Publication).where(Publication.source == "workspace")).one()
        assert (row.agency_id, row.user_id, row.source, row.import_id) == (
            dmv,
            users["pat"],
            "workspace",
            result.import_id,
        )
        assert (row.figures_added, row.figures_revised, row.targets_changed) == (1, 1, 1)
        assert (row.actions_changed, row.contact_points_changed, row.closures_changed) == (2, 1, 1)
        assert (row.reasons, row.note) == ("Late survey returns", "Quarterly update")
        assert same_time(row.published_at, NOW)
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "publish")).one()
        assert (entry.user_id, entry.username, entry.agency_id) == (users["pat"], "pat", dmv)
        assert entry.detail["publication_id"] == row.id

    # Public now, with the stated reason; caches refresh (the version every key carries).
    assert queries.data_status(store).version != version
    assert queries.revision_reasons(store, unit_ids=[dmv]) == {csat.id: "Late survey returns"}
    with session_scope(store) as session:
        assert pending_changes(session, dmv).is_empty
        with pytest.raises(PublicationRefused, match="nothing to publish"):
            publish_agency(session, dmv, user_id=users["pat"], now=LATER)


def test_a_failure_half_way_publishes_nothing(drafted, store, monkeypatch):
    dmv = drafted["agencies"]["dmv"]

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(publication_module, "_publish_content", broken)
    with pytest.raises(RuntimeError, match="disk on fire"), session_scope(store) as session:
        publish_agency(session, dmv, user_id=drafted["users"]["pat"], now=NOW)

    assert observation(store, "dmv", "trust", Q1).visibility == DRAFT
    assert observation(store, "dmv", "csat_overall", Q1).raw_value == 0.8
    with session_scope(store) as session:
        assert session.scalar(select(func.count()).select_from(PendingRevision)) == 1
        assert session.scalar(select(func.count()).select_from(ObservationRevision)) == 0
        workspace = select(func.count()).where(Publication.source == "workspace")
        assert session.scalar(workspace) == 0
        assert session.scalars(select(Target)).one().visibility == DRAFT
        kinds = session.scalars(select(ImportRun.kind)).all()
        assert "publication" not in kinds
    with session_scope(store) as session:
        assert len(pending_changes(session, dmv).revised_figures) == 1


def test_a_second_approver_is_required_when_the_setting_is_on(drafted, store):
    users, dmv = drafted["users"], drafted["agencies"]["dmv"]
    refused = pytest.raises(PublicationRefused, match="another publisher must approve")
    with session_scope(store) as session, refused:
        publish_agency(session, dmv, user_id=users["ed"], now=NOW, require_second_approver=True)
    assert observation(store, "dmv", "trust", Q1).visibility == DRAFT
    with session_scope(store) as session:
        # Without the setting the author may publish; with it, someone else must.
        result = publish_agency(
            session, dmv, user_id=users["pat"], now=NOW, require_second_approver=True
        )
    assert result.figures_added == 1


def test_send_back_and_submit_are_the_review_conversation(drafted, store):
    users, dmv = drafted["users"], drafted["agencies"]["dmv"]
    revenue = drafted["agencies"]["revenue"]
    with session_scope(store) as session:
        listed = {item.slug: item for item in agencies_with_drafts(session, None)}
        assert set(listed) == {"dmv", "revenue"}
        assert (listed["dmv"].new_figures, listed["dmv"].revised_figures) == (1, 1)
        assert (listed["dmv"].actions, listed["dmv"].contact_points, listed["dmv"].closures) == (
            2,
            1,
            1,
        )
        assert listed["dmv"].targets == 1 and listed["dmv"].total == 7
        assert [item.slug for item in agencies_with_drafts(session, frozenset({revenue}))] == [
            "revenue"
        ]
        submit_for_review(session, dmv, user_id=users["ed"], now=NOW)
    with session_scope(store) as session:
        assert agencies_with_drafts(session, frozenset({dmv}))[0].submitted
        with pytest.raises(PublicationRefused, match="comment is required"):
            send_back(session, dmv, user_id=users["pat"], comment="  ", now=LATER)
        send_back(session, dmv, user_id=users["pat"], comment="Check the Q1 survey", now=LATER)
    with session_scope(store) as session:
        (item,) = agencies_with_drafts(session, frozenset({dmv}))
        assert not item.submitted and item.sent_back_comment == "Check the Q1 survey"
        state = pending_changes(session, dmv).review
        assert state is not None and (state.kind, state.username) == ("sent_back", "pat")
        notes = session.scalars(select(ReviewNote.kind).order_by(ReviewNote.id)).all()
        assert notes == ["submitted", "sent_back"]
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-2:] == ["submit", "send_back"]
        publish_agency(session, dmv, user_id=users["pat"], now=LATER + dt.timedelta(minutes=1))
    with session_scope(store) as session:
        # The publication closes the conversation; the notes stay as history.
        assert review_state(session, dmv) is None
        assert session.scalar(select(func.count()).select_from(ReviewNote)) == 2
        with pytest.raises(PublicationRefused, match="no drafts"):
            submit_for_review(session, dmv, user_id=users["ed"], now=LATER)


def test_discarding_a_pending_revision_keeps_the_published_value(drafted, store):
    users, dmv = drafted["users"], drafted["agencies"]["dmv"]
    csat = observation(store, "dmv", "csat_overall", Q1)
    revenue_csat = observation(store, "revenue", "csat_overall", Q1)
    with session_scope(store) as session:
        assert not publication_module.discard_pending_revision(
            session, dmv, revenue_csat.id, user_id=users["ed"], now=NOW
        )
        assert publication_module.discard_pending_revision(
            session, dmv, csat.id, user_id=users["ed"], now=NOW
        )
        assert (
            publication_module.discard_figure_drafts(session, dmv, user_id=users["ed"], now=NOW)
            == 1
        )
    with session_scope(store) as session:
        changes = pending_changes(session, dmv)
        assert changes.new_figures == () and changes.revised_figures == ()
        assert len(pending_changes(session, drafted["agencies"]["revenue"]).new_figures) == 1
    assert observation(store, "dmv", "csat_overall", Q1).raw_value == 0.8


# -- the command line ---------------------------------------------------------------------


def cli_publications(url: str) -> list[tuple[str, int, int, int, int, int]]:
    with session_scope(url) as session:
        rows = session.execute(
            select(
                Unit.slug,
                Publication.figures_added,
                Publication.figures_revised,
                Publication.targets_changed,
                Publication.actions_changed,
                Publication.import_id,
            )
            .join(Unit, Unit.id == Publication.agency_id)
            .where(Publication.source == "cli", Publication.user_id.is_(None))
            .order_by(Publication.id)
        )
        return [tuple(row) for row in rows]


def test_cli_publish_records_a_publication_per_agency(store, tmp_path):
    first = write(
        tmp_path,
        "v1.csv",
        HEADER
        + "DMV,Driver License Renewal,csat_overall,FY2024 Q1,0.8,,100,0.75,,\n"
        + "dmv,,trust,FY2024 Q1,0.7,,,,,\n"
        + "revenue,,csat_overall,FY2024 Q1,0.6,,100,,,\n",
    )
    cli(store, first, dry_run=True, publish=True)
    drafts = cli(store, first)  # drafts: nothing published, nothing recorded
    assert cli_publications(store) == []
    published = cli(store, first, publish=True)  # publishes the drafts
    assert cli_publications(store) == [
        ("dmv", 2, 0, 1, 0, published.import_id),
        ("revenue", 1, 0, 0, 0, published.import_id),
    ]
    assert drafts.import_id != published.import_id
    with session_scope(store) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "cli_publish").order_by(AuditEntry.id)
        ).all()
        assert [(e.username, e.user_id) for e in entries] == [("cli", None), ("cli", None)]
        assert entries[0].detail["figures_added"] == 2

    cli(store, first, publish=True)  # the same again: nothing changed, nothing recorded
    assert len(cli_publications(store)) == 2

    revised = cli(
        store,
        write(tmp_path, "v2.csv", HEADER + "revenue,,csat_overall,FY2024 Q1,0.65,,100,,,\n"),
        publish=True,
    )
    assert cli_publications(store)[-1] == ("revenue", 0, 1, 0, 0, revised.import_id)

    failed = import_observations(
        store,
        write(tmp_path, "bad.csv", HEADER + "dmv,,trust,FY2024 Q2,lots,,,,,\n"),
        settings=Settings(database_url=store),
        publish=True,
    )
    assert not failed.ok and len(cli_publications(store)) == 3


def test_cli_publish_of_targets_and_actions_is_recorded_too(store, tmp_path):
    targets = write(
        tmp_path,
        "targets.csv",
        "agency,metric,kind,value,effective_from\nDMV,csat_overall,numeric,0.8,2023-10-01\n",
    )
    assert import_targets(store, targets).ok  # drafts: nothing recorded
    assert cli_publications(store) == []
    report = import_targets(store, targets, publish=True)
    assert report.ok, report.to_text()
    assert cli_publications(store) == [("dmv", 0, 0, 1, 0, report.import_id)]

    actions = write(
        tmp_path,
        "actions.csv",
        "agency,id,title_en,status,started_on\n"
        "revenue,R1,Faster refunds,planned,2024-01-01\n"
        "revenue,R2,Refund tracker,planned,2024-01-01\n",
    )
    dry = import_file(store, actions, "actions", dry_run=True, publish=True)
    assert dry.ok and len(cli_publications(store)) == 1
    done = import_file(store, actions, "actions", publish=True)
    assert done.ok, done.to_text()
    assert cli_publications(store)[-1] == ("revenue", 0, 0, 0, 2, done.import_id)
    again = import_file(store, actions, "actions", publish=True)
    assert again.ok and len(cli_publications(store)) == 2


def test_a_draft_copy_of_another_agencys_row_is_refused_before_anything_is_written(drafted, store):
    users, agencies, ids = drafted["users"], drafted["agencies"], drafted["ids"]
    with session_scope(store) as session:
        revenue_action = Action(
            unit_id=agencies["revenue"],
            code="R9",
            status="planned",
            started_on=dt.date(2024, 1, 1),
            visibility=PUBLISHED,
            title_en="Revenue's published action",
        )
        session.add(revenue_action)
        session.flush()
        # A forged copy: a DMV draft claiming to change Revenue's action.
        session.get(Action, ids["new_action"]).replaces_id = revenue_action.id
    with session_scope(store) as session, pytest.raises(PublicationRefused, match="another"):
        publish_agency(session, agencies["dmv"], user_id=users["pat"], now=NOW)
    assert observation(store, "dmv", "trust", Q1).visibility == DRAFT
    with session_scope(store) as session:
        assert session.get(Action, ids["new_action"]).visibility == DRAFT
        assert session.scalar(select(func.count()).where(Publication.source == "workspace")) == 0
