"""agency content as text rows per language instead of ``_en`` / ``_es`` columns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Each kind of translated content gets a text table (``unit_texts``, ``metric_texts``,
``target_texts``, ``action_texts``, ``contact_point_texts``, ``closure_texts``): owner, language,
field and text, keyed by (owner_id, language, field), deleted with their owner. Every non-null
``<field>_en`` / ``<field>_es`` value becomes a row; the columns are dropped. Adding a language
then needs no migration.

Downgrade restores the ``_en`` / ``_es`` columns from the ``en`` / ``es`` rows (text in any
other language is lost); a required English text that only exists in another language is
filled from that language, so that the old NOT NULL holds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The two languages of the old columns: this migration's own subject, frozen here.
_OLD_LANGUAGES = ("en", "es")

#: owner table -> (text table, {field: (type of the old columns, English required)}).
_CONTENT: dict[str, tuple[str, dict[str, tuple[sa.types.TypeEngine, bool]]]] = {
    "units": (
        "unit_texts",
        {"name": (sa.String(length=300), True), "description": (sa.Text(), False)},
    ),
    "metrics": (
        "metric_texts",
        {
            "name": (sa.String(length=300), True),
            "definition": (sa.Text(), False),
            "method": (sa.Text(), False),
            "data_source": (sa.Text(), False),
            "target_setting": (sa.Text(), False),
        },
    ),
    "targets": (
        "target_texts",
        {"text": (sa.String(length=300), False), "promise": (sa.Text(), False)},
    ),
    "actions": (
        "action_texts",
        {"title": (sa.String(length=300), True), "description": (sa.Text(), False)},
    ),
    "contact_points": (
        "contact_point_texts",
        {
            "label": (sa.String(length=300), True),
            "hours": (sa.Text(), False),
            "appointment": (sa.Text(), False),
        },
    ),
    "closures": ("closure_texts", {"reason": (sa.String(length=300), True)}),
}


def upgrade() -> None:
    for owner, (table, fields) in _CONTENT.items():
        op.create_table(
            table,
            sa.Column("owner_id", sa.Integer(), nullable=False),
            sa.Column("language", sa.String(length=12), nullable=False),
            sa.Column("field", sa.String(length=40), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["owner_id"],
                [f"{owner}.id"],
                name=op.f(f"fk_{table}_owner_id_{owner}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("owner_id", "language", "field", name=op.f(f"pk_{table}")),
            sa.CheckConstraint(
                " AND ".join(
                    f"(field <> '{field}' OR length(text) <= {getattr(type_, 'length', 0)})"
                    for field, (type_, _required) in sorted(fields.items())
                    if getattr(type_, "length", None)
                ),
                name=op.f(f"ck_{table}_text_length"),
            ),
        )
        for field in fields:
            for language in _OLD_LANGUAGES:
                column = f"{field}_{language}"
                op.execute(
                    sa.text(
                        f"INSERT INTO {table} (owner_id, language, field, text) "
                        f"SELECT id, :language, :field, {column} FROM {owner} "
                        f"WHERE {column} IS NOT NULL"
                    ).bindparams(language=language, field=field)
                )
        with op.batch_alter_table(owner, schema=None) as batch_op:
            for field in fields:
                for language in _OLD_LANGUAGES:
                    batch_op.drop_column(f"{field}_{language}")


def downgrade() -> None:
    for owner, (table, fields) in reversed(_CONTENT.items()):
        with op.batch_alter_table(owner, schema=None) as batch_op:
            for field, (type_, _required) in fields.items():
                for language in _OLD_LANGUAGES:
                    batch_op.add_column(sa.Column(f"{field}_{language}", type_, nullable=True))
        for field, (_type, required) in fields.items():
            for language in _OLD_LANGUAGES:
                row = (
                    f"SELECT text FROM {table} WHERE {table}.owner_id = {owner}.id "
                    f"AND {table}.field = :field"
                )
                value = f"({row} AND {table}.language = :language)"
                if required and language == _OLD_LANGUAGES[0]:
                    # The old column is NOT NULL: take any language rather than lose the row.
                    value = f"COALESCE({value}, ({row} ORDER BY {table}.language LIMIT 1), '')"
                op.execute(
                    sa.text(f"UPDATE {owner} SET {field}_{language} = {value}").bindparams(
                        language=language, field=field
                    )
                )
        with op.batch_alter_table(owner, schema=None) as batch_op:
            for field, (type_, required) in fields.items():
                if required:
                    batch_op.alter_column(
                        f"{field}_{_OLD_LANGUAGES[0]}", existing_type=type_, nullable=False
                    )
        op.drop_table(table)
