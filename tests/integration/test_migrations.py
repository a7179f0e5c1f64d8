"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from dashboard import db
from dashboard.models import Base
from tests.conftest import new_postgres_database


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
    with new_postgres_database("cxdash_migrate") as url:
        _assert_schema_matches_models(url)


@pytest.mark.parametrize("table", sorted(Base.metadata.tables))
def test_every_table_has_a_primary_key(table):
    assert Base.metadata.tables[table].primary_key.columns


def test_init_db_creates_the_store_folder_on_a_fresh_clone(tmp_path, monkeypatch):
    # A fresh clone has no instance/ folder: `cxdash init-db` must make it, not fail.
    from click.testing import CliRunner

    from dashboard.cli import main

    store = tmp_path / "instance" / "nested" / "cxdash.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{store}")
    result = CliRunner().invoke(main, ["init-db"])
    assert result.exit_code == 0, result.output
    assert "observations" in inspect(create_engine(f"sqlite:///{store}")).get_table_names()
