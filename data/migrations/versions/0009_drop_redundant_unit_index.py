"""the observations' own index on unit_id, redundant

Every index that starts with ``unit_id`` (the unique key, ``ix_observations_unit_series``,
``ix_observations_api_page``) serves what this one did (a unit's observations, the foreign
key's checks), and each index is upkeep on every observation written: one fewer makes a large
import's inserts cheaper (issue 12).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_observations_unit_id", table_name="observations")


def downgrade() -> None:
    op.create_index("ix_observations_unit_id", "observations", ["unit_id"], unique=False)
