"""Public read queries on SQLite and PostgreSQL: published data only, plain values out."""

from __future__ import annotations

import datetime as dt

from dashboard.gateway import queries
from dashboard.infra.db import session_scope
from dashboard.infra.models import DRAFT, PUBLISHED, Metric, Observation, Unit


def _seed(url: str) -> None:
    with session_scope(url) as session:
        enterprise = Unit(slug="enterprise", kind="enterprise", name_en="State of Example")
        dmv = Unit(
            slug="motor-vehicles",
            kind="agency",
            name_en="Department of Motor Vehicles",
            name_es="Departamento de Vehículos Motorizados",
            parent=enterprise,
        )
        parks = Unit(slug="parks", kind="agency", name_en="Parks Department", parent=enterprise)
        renewal = Unit(slug="license-renewal", kind="service", name_en="Renewals", parent=dmv)
        metric = Metric(
            code="csat",
            name_en="Satisfaction",
            dimension="satisfaction",
            scale="fraction",
            direction="higher",
            is_survey=True,
        )
        session.add_all([enterprise, dmv, parks, renewal, metric])
        session.flush()
        session.add_all(
            [
                Observation(
                    unit=dmv,
                    metric=metric,
                    granularity="quarter",
                    period_start=dt.date(2024, 1, 1),
                    period_end=dt.date(2024, 3, 31),
                    raw_value=0.8,
                    score=80,
                    visibility=PUBLISHED,
                    published_at=dt.datetime(2024, 4, 15, tzinfo=dt.UTC),
                ),
                # A later draft must not move "data as of".
                Observation(
                    unit=dmv,
                    metric=metric,
                    granularity="quarter",
                    period_start=dt.date(2024, 4, 1),
                    period_end=dt.date(2024, 6, 30),
                    raw_value=0.9,
                    score=90,
                    visibility=DRAFT,
                ),
            ]
        )


def test_list_agencies_with_services_in_name_order(db_url):
    _seed(db_url)
    agencies = queries.list_agencies(db_url)
    assert [a["slug"] for a in agencies] == ["motor-vehicles", "parks"]
    assert agencies[0]["name_es"] == "Departamento de Vehículos Motorizados"
    assert agencies[0]["services"] == [
        {"slug": "license-renewal", "name_en": "Renewals", "name_es": None}
    ]
    assert agencies[1]["services"] == []


def test_data_status_ignores_drafts_and_its_version_changes_on_publish(db_url):
    _seed(db_url)
    before = queries.data_status(db_url)
    assert before.as_of == dt.date(2024, 3, 31)
    assert before.published_count == 1
    with session_scope(db_url) as session:
        draft = session.query(Observation).filter_by(visibility=DRAFT).one()
        draft.visibility = PUBLISHED
        draft.published_at = dt.datetime(2024, 7, 15, tzinfo=dt.UTC)
    after = queries.data_status(db_url)
    assert after.as_of == dt.date(2024, 6, 30)
    assert after.version != before.version


def test_empty_store_has_no_data_date(db_url):
    status = queries.data_status(db_url)
    assert status.as_of is None and status.published_count == 0
    assert queries.list_agencies(db_url) == []


def test_drafts_of_the_catalogue_are_not_public(db_url):
    """D1: a draft unit, metric, contact point or closure reaches no public read."""
    from dashboard.infra.models import Closure, ContactPoint

    _seed(db_url)
    with session_scope(db_url) as session:
        dmv = session.query(Unit).filter_by(slug="motor-vehicles").one()
        draft_agency = Unit(
            slug="draft-agency", kind="agency", name_en="Draft agency", visibility=DRAFT
        )
        session.add_all(
            [
                draft_agency,
                Unit(
                    slug="draft-service",
                    kind="service",
                    name_en="Draft service",
                    parent=dmv,
                    visibility=DRAFT,
                ),
                # Published itself, but under a draft agency: its parent's slug would leak.
                Unit(slug="orphan", kind="service", name_en="Orphan", parent=draft_agency),
                Metric(
                    code="draft_metric",
                    name_en="Draft metric",
                    dimension="other",
                    scale="count",
                    visibility=DRAFT,
                ),
            ]
        )
        point = ContactPoint(unit=dmv, channel="phone", label_en="Draft line", visibility=DRAFT)
        public_point = ContactPoint(unit=dmv, channel="email", label_en="Email us")
        session.add_all([point, public_point])
        session.flush()
        day = dt.date(2030, 1, 1)
        session.add_all(
            [
                Closure(
                    unit_id=dmv.id, starts_on=day, ends_on=day, reason_en="Draft", visibility=DRAFT
                ),
                Closure(
                    unit_id=dmv.id,
                    starts_on=day,
                    ends_on=day,
                    reason_en="Of a draft line",
                    contact_point_id=point.id,
                ),
                Closure(unit_id=dmv.id, starts_on=day, ends_on=day, reason_en="Holiday"),
                Closure(
                    unit_id=draft_agency.id, starts_on=day, ends_on=day, reason_en="Draft unit"
                ),
            ]
        )
        dmv_id, draft_id = dmv.id, draft_agency.id
    slugs = {unit["slug"] for unit in queries.units(db_url)}
    assert slugs == {"enterprise", "motor-vehicles", "parks", "license-renewal"}
    assert [a["slug"] for a in queries.list_agencies(db_url)] == ["motor-vehicles", "parks"]
    assert [s["slug"] for s in queries.list_agencies(db_url)[0]["services"]] == ["license-renewal"]
    assert [m["code"] for m in queries.metrics(db_url)] == ["csat"]
    points = queries.contact_points(db_url, [dmv_id, draft_id])
    assert [p["label_en"] for p in points] == ["Email us"]
    closures = queries.closures(db_url, [dmv_id, draft_id], ending_on_or_after=dt.date(2029, 1, 1))
    assert [c["reason_en"] for c in closures] == ["Holiday"]


def test_targets_in_force_leave_out_corrected_ones(db_url):
    """D2: a superseded target is history: only listed when history is asked for."""
    from dashboard.infra.models import Target

    _seed(db_url)
    with session_scope(db_url) as session:
        dmv = session.query(Unit).filter_by(slug="motor-vehicles").one()
        metric = session.query(Metric).filter_by(code="csat").one()
        new = Target(unit=dmv, metric=metric, value=0.85, effective_from=dt.date(2024, 1, 1))
        session.add(new)
        session.flush()
        session.add(
            Target(
                unit=dmv,
                metric=metric,
                value=0.8,
                effective_from=dt.date(2024, 1, 1),
                superseded_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
                superseded_by_id=new.id,
            )
        )
    assert [t["value"] for t in queries.published_targets(db_url)] == [0.85]
    history = queries.published_targets(db_url, include_superseded=True)
    assert [(t["value"], t["superseded_by_id"] is not None) for t in history] == [
        (0.85, False),
        (0.8, True),
    ]


def test_data_version_changes_with_every_import_of_any_kind(db_url):
    """A corrected target or a new contact point changes public pages without touching an
    observation: cached pages and API answers must not outlive it."""
    from dashboard.infra.models import ImportRun

    _seed(db_url)
    before = queries.data_status(db_url)
    with session_scope(db_url) as session:
        session.add(ImportRun(kind="targets", file_name="t.csv", checksum="x", status="failed"))
    assert queries.data_status(db_url).version == before.version  # a failed run wrote nothing
    with session_scope(db_url) as session:
        session.add(ImportRun(kind="targets", file_name="t.csv", checksum="x", status="succeeded"))
    assert queries.data_status(db_url).version != before.version
