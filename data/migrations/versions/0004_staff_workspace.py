"""the staff workspace: accounts, audit log, pending revisions, review notes, publications

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

- ``users`` and ``user_agencies``: staff accounts, their role and the agencies they work for.
- ``audit_log``: append-only; triggers refuse UPDATE and DELETE on both databases.
- ``pending_revisions``: drafted changes to published figures, applied on publication.
- ``review_notes``: drafts submitted for review or sent back with a comment.
- ``publications``: what each publication changed, per agency (the public "What changed").
- ``replaces_id`` on actions, contact points and closures: a draft that changes a published row.
- ``imports.user_id``: who uploaded or edited (drafts carry their run's id).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=120), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("password_hash", sa.String(length=300), nullable=True),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("all_agencies", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("oidc_issuer", sa.String(length=500), nullable=True),
        sa.Column("oidc_subject", sa.String(length=255), nullable=True),
        sa.Column("session_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('editor', 'publisher', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=False)

    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('submitted', 'sent_back')", name=op.f("ck_review_notes_kind")),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["units.id"],
            name=op.f("fk_review_notes_agency_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_review_notes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_notes")),
    )
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_notes_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "user_agencies",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_user_agencies_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_agencies_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "unit_id", name=op.f("pk_user_agencies")),
    )
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("figures_added", sa.Integer(), nullable=False),
        sa.Column("figures_revised", sa.Integer(), nullable=False),
        sa.Column("targets_changed", sa.Integer(), nullable=False),
        sa.Column("actions_changed", sa.Integer(), nullable=False),
        sa.Column("contact_points_changed", sa.Integer(), nullable=False),
        sa.Column("closures_changed", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("source IN ('workspace', 'cli')", name=op.f("ck_publications_source")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["units.id"], name=op.f("fk_publications_agency_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_publications_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_publications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_publications_published_at"), ["published_at"], unique=False
        )

    op.create_table(
        "pending_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("raw_value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("response_rate", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("series_break", sa.Boolean(), nullable=False),
        sa.Column("internal_note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_pending_revisions_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_pending_revisions_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_revisions")),
        sa.UniqueConstraint("observation_id", name=op.f("uq_pending_revisions_observation_id")),
    )
    with op.batch_alter_table("pending_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_revisions_import_id"), ["import_id"], unique=False
        )

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_replaces_id_actions"),
            "actions",
            ["replaces_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_closures_replaces_id_closures"),
            "closures",
            ["replaces_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_contact_points_replaces_id_contact_points"),
            "contact_points",
            ["replaces_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_imports_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_imports_user_id_users"), "users", ["user_id"], ["id"]
        )

    _refuse_audit_changes()


_AUDIT_MESSAGE = "audit_log is append-only"


def _refuse_audit_changes() -> None:
    """The audit log is append-only in the database itself, not only by convention."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_AUDIT_MESSAGE}'; END $$"
        )
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{_AUDIT_MESSAGE}'); END"
            )


def _drop_audit_triggers() -> None:
    for event in ("update", "delete"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{event} ON audit_log")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{event}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")


def downgrade() -> None:
    _drop_audit_triggers()
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_imports_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_imports_user_id"))
        batch_op.drop_column("user_id")

    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_contact_points_replaces_id_contact_points"), type_="foreignkey"
        )
        batch_op.drop_column("replaces_id")

    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_closures_replaces_id_closures"), type_="foreignkey")
        batch_op.drop_column("replaces_id")

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_actions_replaces_id_actions"), type_="foreignkey")
        batch_op.drop_column("replaces_id")

    with op.batch_alter_table("pending_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_revisions_import_id"))

    op.drop_table("pending_revisions")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_published_at"))
        batch_op.drop_index(batch_op.f("ix_publications_agency_id"))

    op.drop_table("publications")
    op.drop_table("user_agencies")
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_notes_agency_id"))

    op.drop_table("review_notes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_email"))

    op.drop_table("users")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
