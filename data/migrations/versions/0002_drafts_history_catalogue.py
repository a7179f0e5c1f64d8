"""drafts for units and metrics, target history, headline measures, importable page content

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

- units, metrics, contact points and closures get ``visibility`` (existing rows stay
  published: they were public before);
- metrics get ``headline`` (the headline measure of a dimension, set in the catalogue);
- targets get ``superseded_at`` / ``superseded_by_id`` (a corrected target kept as history);
- actions, contact points and closures get the agency's own ``code`` (unique per unit) and the
  import that wrote them; contact points get structured opening hours;
- ``store_lock``: one row that each import locks, so imports run one after the other.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VISIBILITY = "visibility IN ('draft', 'published')"


def _visibility(batch_op, table: str) -> None:
    batch_op.add_column(
        sa.Column("visibility", sa.String(length=10), nullable=False, server_default="published")
    )
    batch_op.create_check_constraint(op.f(f"ck_{table}_visibility"), _VISIBILITY)


def _code_and_import(batch_op, table: str) -> None:
    batch_op.add_column(sa.Column("code", sa.String(length=80), nullable=True))
    batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
    batch_op.create_foreign_key(
        op.f(f"fk_{table}_import_id_imports"), "imports", ["import_id"], ["id"]
    )
    batch_op.create_unique_constraint(f"uq_{table}_unit_code", ["unit_id", "code"])


def upgrade() -> None:
    op.create_table(
        "store_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_lock")),
    )
    op.execute("INSERT INTO store_lock (id) VALUES (1)")

    with op.batch_alter_table("units", schema=None) as batch_op:
        _visibility(batch_op, "units")

    with op.batch_alter_table("metrics", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("headline", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        _visibility(batch_op, "metrics")

    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_targets_superseded_by_id_targets"), "targets", ["superseded_by_id"], ["id"]
        )

    with op.batch_alter_table("actions", schema=None) as batch_op:
        _code_and_import(batch_op, "actions")

    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        _code_and_import(batch_op, "contact_points")
        batch_op.add_column(sa.Column("hours", sa.JSON(), nullable=True))
        _visibility(batch_op, "contact_points")

    with op.batch_alter_table("closures", schema=None) as batch_op:
        _code_and_import(batch_op, "closures")
        _visibility(batch_op, "closures")


def downgrade() -> None:
    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_closures_visibility"), type_="check")
        batch_op.drop_column("visibility")
        batch_op.drop_constraint("uq_closures_unit_code", type_="unique")
        batch_op.drop_constraint(op.f("fk_closures_import_id_imports"), type_="foreignkey")
        batch_op.drop_column("import_id")
        batch_op.drop_column("code")
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contact_points_visibility"), type_="check")
        batch_op.drop_column("visibility")
        batch_op.drop_column("hours")
        batch_op.drop_constraint("uq_contact_points_unit_code", type_="unique")
        batch_op.drop_constraint(op.f("fk_contact_points_import_id_imports"), type_="foreignkey")
        batch_op.drop_column("import_id")
        batch_op.drop_column("code")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_actions_unit_code", type_="unique")
        batch_op.drop_constraint(op.f("fk_actions_import_id_imports"), type_="foreignkey")
        batch_op.drop_column("import_id")
        batch_op.drop_column("code")
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_targets_superseded_by_id_targets"), type_="foreignkey")
        batch_op.drop_column("superseded_by_id")
        batch_op.drop_column("superseded_at")
    with op.batch_alter_table("metrics", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_metrics_visibility"), type_="check")
        batch_op.drop_column("visibility")
        batch_op.drop_column("headline")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_units_visibility"), type_="check")
        batch_op.drop_column("visibility")
    op.drop_table("store_lock")
