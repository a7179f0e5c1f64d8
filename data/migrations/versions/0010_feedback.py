"""feedback answers: "Did this page help you?" (issue 14)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

- ``feedback_responses``: one row per answer to the widget at the foot of every public page;
  the comment is stored already masked and cleared after the retention period. Internal only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("page_path", sa.String(length=300), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=12), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), server_default="new", nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("excerpt_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "reason IN ('found_it', 'easy_to_understand', 'not_found', 'hard_to_understand', "
            "'out_of_date', 'other')",
            name=op.f("ck_feedback_responses_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'read', 'actioned')", name=op.f("ck_feedback_responses_status")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_feedback_responses_action_id_actions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["users.id"],
            name=op.f("fk_feedback_responses_handled_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_feedback_responses_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_responses")),
    )
    op.create_index(
        "ix_feedback_unit_received", "feedback_responses", ["unit_id", "received_at"], unique=False
    )
    op.create_index(
        "ix_feedback_received", "feedback_responses", ["received_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_feedback_received", table_name="feedback_responses")
    op.drop_index("ix_feedback_unit_received", table_name="feedback_responses")
    op.drop_table("feedback_responses")
