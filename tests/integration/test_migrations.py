"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from dashboard import db
from dashboard.models import Base
from tests.conftest import POSTGRES_ADMIN_URL, unavailable


def _assert_schema_matches_models(url: str) -> None:
    db.upgrade(url)
    db.upgrade(url)  # a second run is a no-op, not an error
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_on_sqlite(tmp_path):
    _assert_schema_matches_models(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")


def test_migrations_on_postgresql():
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cxdash_migrate_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        unavailable("PostgreSQL", error)
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        _assert_schema_matches_models(url)
    finally:
        db.dispose_all()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("table", sorted(Base.metadata.tables))
def test_every_table_has_a_primary_key(table):
    assert Base.metadata.tables[table].primary_key.columns
