"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("mapping_name", sa.String(length=200), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_inserted", sa.Integer(), nullable=False),
        sa.Column("rows_revised", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('succeeded', 'failed', 'dry_run')", name=op.f("ck_imports_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imports_checksum"), ["checksum"], unique=False)

    op.create_table(
        "metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("name_es", sa.String(length=300), nullable=True),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("scale", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("norm_best", sa.Float(), nullable=True),
        sa.Column("norm_worst", sa.Float(), nullable=True),
        sa.Column("definition_en", sa.Text(), nullable=True),
        sa.Column("definition_es", sa.Text(), nullable=True),
        sa.Column("method_en", sa.Text(), nullable=True),
        sa.Column("method_es", sa.Text(), nullable=True),
        sa.Column("data_source_en", sa.Text(), nullable=True),
        sa.Column("data_source_es", sa.Text(), nullable=True),
        sa.Column("target_setting_en", sa.Text(), nullable=True),
        sa.Column("target_setting_es", sa.Text(), nullable=True),
        sa.Column("is_survey", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "dimension IN ('accuracy', 'responsiveness', 'timeliness', 'satisfaction', 'access', 'other')",
            name=op.f("ck_metrics_dimension"),
        ),
        sa.CheckConstraint("direction IN ('higher', 'lower')", name=op.f("ck_metrics_direction")),
        sa.CheckConstraint(
            "scale IN ('fraction', 'percent', 'mean_1_5', 'score_0_10', 'seconds', 'minutes', 'hours', 'business_days', 'count')",
            name=op.f("ck_metrics_scale"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics")),
        sa.UniqueConstraint("code", name=op.f("uq_metrics_code")),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("name_es", sa.String(length=300), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("description_es", sa.Text(), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('enterprise', 'agency', 'service')", name=op.f("ck_units_kind")
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name=op.f("fk_units_parent_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("slug", name=op.f("uq_units_slug")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("title_es", sa.String(length=300), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("description_es", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("internal_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'completed')", name=op.f("ck_actions_status")
        ),
        sa.CheckConstraint(
            "visibility IN ('draft', 'published')", name=op.f("ck_actions_visibility")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_actions_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "contact_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("label_en", sa.String(length=300), nullable=False),
        sa.Column("label_es", sa.String(length=300), nullable=True),
        sa.Column("value", sa.String(length=300), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("hours_en", sa.Text(), nullable=True),
        sa.Column("hours_es", sa.Text(), nullable=True),
        sa.Column("appointment_en", sa.Text(), nullable=True),
        sa.Column("appointment_es", sa.Text(), nullable=True),
        sa.Column("languages", sa.String(length=200), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'walk_in', 'mail', 'email', 'web_form', 'video', 'chat', 'text', 'voicemail')",
            name=op.f("ck_contact_points_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_contact_points_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_points")),
    )
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_points_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("granularity", sa.String(length=12), nullable=False),
        sa.Column("segment_type", sa.String(length=30), nullable=False),
        sa.Column("segment_value", sa.String(length=120), nullable=False),
        sa.Column("raw_value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("response_rate", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("series_break", sa.Boolean(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("internal_note", sa.Text(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "granularity IN ('month', 'quarter', 'fiscal_year')",
            name=op.f("ck_observations_granularity"),
        ),
        sa.CheckConstraint(
            "visibility IN ('draft', 'published')", name=op.f("ck_observations_visibility")
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_observations_period_order")),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_observations_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"], ["metrics.id"], name=op.f("fk_observations_metric_id_metrics")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_observations_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
        sa.UniqueConstraint(
            "unit_id",
            "metric_id",
            "granularity",
            "period_start",
            "segment_type",
            "segment_value",
            name="uq_observations_key",
        ),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observations_import_id"), ["import_id"], unique=False)
        batch_op.create_index(
            "ix_observations_metric_period", ["metric_id", "period_start"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_observations_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("comparator", sa.String(length=2), nullable=False),
        sa.Column("text_en", sa.String(length=300), nullable=True),
        sa.Column("text_es", sa.String(length=300), nullable=True),
        sa.Column("promise_en", sa.Text(), nullable=True),
        sa.Column("promise_es", sa.Text(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "comparator IN ('>=', '>', '<=', '<', '=')", name=op.f("ck_targets_comparator")
        ),
        sa.CheckConstraint(
            "kind != 'numeric' OR value IS NOT NULL", name=op.f("ck_targets_numeric_has_value")
        ),
        sa.CheckConstraint("kind IN ('numeric', 'baseline', 'text')", name=op.f("ck_targets_kind")),
        sa.CheckConstraint(
            "visibility IN ('draft', 'published')", name=op.f("ck_targets_visibility")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_targets_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"], ["metrics.id"], name=op.f("fk_targets_metric_id_metrics")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_targets_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
    )
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.create_index("ix_targets_unit_metric", ["unit_id", "metric_id"], unique=False)

    op.create_table(
        "action_metrics",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_metrics_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"],
            ["metrics.id"],
            name=op.f("fk_action_metrics_metric_id_metrics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", "metric_id", name=op.f("pk_action_metrics")),
    )
    op.create_table(
        "closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("contact_point_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason_en", sa.String(length=300), nullable=False),
        sa.Column("reason_es", sa.String(length=300), nullable=True),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_closures_order")),
        sa.ForeignKeyConstraint(
            ["contact_point_id"],
            ["contact_points.id"],
            name=op.f("fk_closures_contact_point_id_contact_points"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_closures_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closures")),
    )
    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_closures_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "observation_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("raw_value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("revised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_observation_revisions_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_observation_revisions_observation_id_observations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_revisions")),
    )
    with op.batch_alter_table("observation_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_observation_revisions_observation_id"), ["observation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("observation_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_revisions_observation_id"))

    op.drop_table("observation_revisions")
    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closures_unit_id"))

    op.drop_table("closures")
    op.drop_table("action_metrics")
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_index("ix_targets_unit_metric")

    op.drop_table("targets")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observations_unit_id"))
        batch_op.drop_index("ix_observations_metric_period")
        batch_op.drop_index(batch_op.f("ix_observations_import_id"))

    op.drop_table("observations")
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_points_unit_id"))

    op.drop_table("contact_points")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_unit_id"))

    op.drop_table("actions")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_parent_id"))

    op.drop_table("units")
    op.drop_table("metrics")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imports_checksum"))

    op.drop_table("imports")
