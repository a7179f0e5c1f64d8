"""Public read queries on SQLite and PostgreSQL: published data only, plain values out."""

from __future__ import annotations

import datetime as dt

from dashboard import queries
from dashboard.db import session_scope
from dashboard.models import DRAFT, PUBLISHED, Metric, Observation, Unit


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
