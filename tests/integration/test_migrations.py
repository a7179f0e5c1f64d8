"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from dashboard.infra import db
from dashboard.infra.models import Base, Unit
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

    from dashboard.web.cli import main

    store = tmp_path / "instance" / "nested" / "cxdash.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{store}")
    result = CliRunner().invoke(main, ["init-db"])
    assert result.exit_code == 0, result.output
    assert "observations" in inspect(create_engine(f"sqlite:///{store}")).get_table_names()


# -- 0003: agency content as text rows per language ------------------------------------------

#: Content written at 0002, in the old ``_en`` / ``_es`` columns: every translated column of
#: every kind, so that the round trip proves none is lost.
_AT_0002 = [
    "INSERT INTO imports (id, kind, file_name, checksum, rows_read, rows_inserted, "
    "rows_revised, rows_unchanged, status, started_at) VALUES (1, 'units', 'u.csv', 'x', 0, 0, "
    "0, 0, 'succeeded', '2026-01-01 00:00:00+00')",
    "INSERT INTO units (id, slug, kind, name_en, name_es, description_en, description_es, "
    "visibility, created_at) VALUES (1, 'dmv', 'agency', 'Motor Vehicles', 'Vehículos', "
    "'Licences', 'Licencias', 'published', '2026-01-01 00:00:00+00')",
    "INSERT INTO units (id, slug, kind, parent_id, name_en, visibility, created_at) "
    "VALUES (2, 'titles', 'service', 1, 'Titles', 'draft', '2026-01-01 00:00:00+00')",
    "INSERT INTO metrics (id, code, name_en, name_es, dimension, scale, direction, "
    "definition_en, definition_es, method_en, method_es, data_source_en, data_source_es, "
    "target_setting_en, target_setting_es, is_survey, headline, visibility) VALUES (1, 'csat', "
    "'Satisfaction', 'Satisfacción', 'satisfaction', 'fraction', 'higher', 'Def', 'Def es', "
    "'Method', 'Método', 'Survey', 'Encuesta', 'Baseline', 'Línea', false, true, 'published')",
    "INSERT INTO targets (id, unit_id, metric_id, kind, value, comparator, text_en, text_es, "
    "promise_en, promise_es, effective_from, visibility) VALUES (1, 1, 1, 'text', NULL, '>=', "
    "'Establish baseline', 'Establecer línea de base', 'We answer', 'Respondemos', "
    "'2025-01-01', 'published')",
    "INSERT INTO actions (id, unit_id, code, title_en, title_es, description_en, "
    "description_es, status, started_on, visibility) VALUES (1, 1, 'a1', 'Callbacks', "
    "'Devolución', 'More staff', 'Más personal', 'planned', '2025-02-01', 'published')",
    "INSERT INTO contact_points (id, unit_id, code, channel, label_en, label_es, hours_en, "
    "hours_es, appointment_en, appointment_es, sort_order, visibility) VALUES (1, 1, 'c1', "
    "'phone', 'Phone', 'Teléfono', 'Mon-Fri', 'lun-vie', 'Online', 'En línea', 0, 'published')",
    "INSERT INTO closures (id, unit_id, code, contact_point_id, starts_on, ends_on, reason_en, "
    "reason_es, visibility) VALUES (1, 1, 'h1', 1, '2025-12-25', '2025-12-25', 'Holiday', "
    "'Feriado', 'published')",
]

#: (owner table, text table, {field: columns}) of every translated field at 0002.
_TRANSLATED = {
    "units": ("unit_texts", ("name", "description")),
    "metrics": ("metric_texts", ("name", "definition", "method", "data_source", "target_setting")),
    "targets": ("target_texts", ("text", "promise")),
    "actions": ("action_texts", ("title", "description")),
    "contact_points": ("contact_point_texts", ("label", "hours", "appointment")),
    "closures": ("closure_texts", ("reason",)),
}


def _old_values(connection) -> dict[tuple[str, int, str, str], str]:
    """(table, id, field, language) -> text of every non-null old column."""
    values = {}
    for table, (_texts, fields) in _TRANSLATED.items():
        columns = [f"{name}_{code}" for name in fields for code in ("en", "es")]
        query = f"SELECT id, {', '.join(columns)} FROM {table}"
        for row in connection.execute(text(query)):
            for column, value in zip(columns, row[1:], strict=True):
                if value is not None:
                    name, _sep, code = column.rpartition("_")
                    values[(table, row[0], name, code)] = value
    return values


def _round_trip(url: str) -> None:
    from alembic import command

    config = db.alembic_config(url)
    command.upgrade(config, "0002")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in _AT_0002:
                connection.execute(text(statement))
            before = _old_values(connection)
        assert len(before) == 31  # every translated column but the draft service's Spanish name

        command.upgrade(config, "head")
        with engine.connect() as connection:
            rows = {}
            for table, (texts, _fields) in _TRANSLATED.items():
                query = f"SELECT owner_id, field, language, text FROM {texts}"
                for owner_id, name, code, value in connection.execute(text(query)):
                    rows[(table, owner_id, name, code)] = value
            columns = {c["name"] for c in inspect(connection).get_columns("units")}
            assert (
                compare_metadata(
                    MigrationContext.configure(connection, opts={"compare_type": True}),
                    Base.metadata,
                )
                == []
            )
        assert rows == before  # every value is a row, and nothing else is
        assert not {"name_en", "name_es", "description_en"} & columns

        # The models read what the migration wrote.
        with db.session_scope(url) as session:
            unit = session.get(Unit, 1)
            assert unit is not None
            assert (unit.name_en, unit.name_es, unit.name("es")) == (
                "Motor Vehicles",
                "Vehículos",
                "Vehículos",
            )
            unit.name_fr = "Véhicules"  # a third language: a row, no migration
        db.dispose_all()

        command.downgrade(config, "0002")
        with engine.connect() as connection:
            assert _old_values(connection) == before  # French is dropped, nothing else lost
            tables = set(inspect(connection).get_table_names())
        assert "unit_texts" not in tables
        command.upgrade(config, "head")  # and up again
    finally:
        engine.dispose()


def test_content_migrates_to_text_rows_and_back_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'content.sqlite3'}")


def test_content_migrates_to_text_rows_and_back_on_postgresql():
    with new_postgres_database("cxdash_texts") as url:
        _round_trip(url)
