"""the open-data API's paging: its order with the visibility, in one index

The API orders observations by their unique key (``uq_observations_key``), and every row it
counts or steps over must be published. With the unique index alone, each row past a deep
``offset`` (and each row counted) is a read of the table for its visibility: a random read per
row, over a second at a million rows. This index holds the key's columns, the visibility and
the id, so the ids of a deep page and the counts are read from the index alone (an index-only
scan on PostgreSQL, which needs the id in the index; a covering index on SQLite, whose indexes
hold the rowid anyway); the page's rows are then read by id. ``cursor`` pages stay seeks
(dashboard/gateway/open_data.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not in batch mode: an index alone needs no copy of the table, on SQLite either.
    op.create_index(
        "ix_observations_api_page",
        "observations",
        [
            "unit_id",
            "metric_id",
            "granularity",
            "period_start",
            "segment_type",
            "segment_value",
            "visibility",
            "id",
        ],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_observations_api_page", table_name="observations")
