"""the open-data API's keyset order and segment lookups

The API pages observations in the order of their unique key (``uq_observations_key``:
unit, metric, granularity, period start, segment type and value), which that index already
holds, so the keyset order needs no index of its own. What it lacked was a cheap way to the
distinct published segments its ``segment`` filter checks against: this index, walked one
seek per segment (dashboard/gateway/open_data.py ``_published_segments``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not in batch mode: an index alone needs no copy of the table, on SQLite either.
    op.create_index(
        "ix_observations_segments",
        "observations",
        ["segment_type", "segment_value", "visibility"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_observations_segments", table_name="observations")
