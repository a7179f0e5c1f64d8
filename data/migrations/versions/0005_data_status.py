"""the published-data status row (constant-time freshness)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

- ``data_status``: one row (id 1) saying how current the published data is (the latest
  published period end, the latest publication or change of a published figure, how many
  figures are published, the latest succeeded import that is not a workspace save) and a
  ``version`` counter bumped whenever that changes. Requests read it instead of aggregating
  the observations table; writes keep it (dashboard.infra.data_status).
- The row is filled from the store's tables here, so an existing store is right at once.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_import", sa.Integer(), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_status_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_status")),
    )
    _fill()


def _fill() -> None:
    """The row as dashboard.infra.data_status.compute_status makes it (written out here: a
    migration does not import the models, which move on)."""
    observations = sa.table(
        "observations",
        sa.column("id", sa.Integer()),
        sa.column("period_end", sa.Date()),
        sa.column("published_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("visibility", sa.String()),
    )
    imports = sa.table(
        "imports",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("kind", sa.String()),
    )
    status = sa.table(
        "data_status",
        sa.column("id", sa.Integer()),
        sa.column("version", sa.Integer()),
        sa.column("as_of", sa.Date()),
        sa.column("last_updated", sa.DateTime(timezone=True)),
        sa.column("published_count", sa.Integer()),
        sa.column("last_import", sa.Integer()),
        sa.column("refreshed_at", sa.DateTime(timezone=True)),
    )
    last_import = (
        sa.select(sa.func.max(imports.c.id))
        .where(imports.c.status == "succeeded", imports.c.kind != "workspace")
        .scalar_subquery()
    )
    connection = op.get_bind()
    as_of, last_published, last_changed, count, last_run = connection.execute(
        sa.select(
            sa.func.max(observations.c.period_end),
            sa.func.max(observations.c.published_at),
            sa.func.max(observations.c.updated_at),
            sa.func.count(observations.c.id),
            last_import,
        ).where(observations.c.visibility == "published")
    ).one()
    # SQLite gives back naive or aware datetimes, as each row was written: compare as UTC.
    moments = [
        d if d.tzinfo is not None else d.replace(tzinfo=dt.UTC)
        for d in (last_published, last_changed)
        if d is not None
    ]
    last = max(moments, default=None)
    connection.execute(
        sa.insert(status).values(
            id=1,
            version=1,
            as_of=as_of,
            last_updated=last,
            published_count=count or 0,
            last_import=last_run,
            refreshed_at=sa.func.current_timestamp(),
        )
    )


def downgrade() -> None:
    op.drop_table("data_status")
