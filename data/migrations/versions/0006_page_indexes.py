"""indexes the public pages' queries use

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

- ``ix_observations_metric_latest`` (metric, segment type, granularity, visibility, period
  end): the agency page's latest published period per metric and granularity is the last
  entry of one range (``queries.latest_period_ends``), not a grouping of every overall row.
- ``ix_observations_unit_series`` (unit, metric, segment type, visibility, granularity, period
  end, period start): the home page's and the review's overall figures of a series, and the
  distinct periods they offer, without reading the series' segments (``queries.overall_figures``,
  ``queries.published_periods``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_observations_metric_latest",
        "observations",
        ["metric_id", "segment_type", "granularity", "visibility", "period_end"],
    )
    op.create_index(
        "ix_observations_unit_series",
        "observations",
        [
            "unit_id",
            "metric_id",
            "segment_type",
            "visibility",
            "granularity",
            "period_end",
            "period_start",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_observations_unit_series", table_name="observations")
    op.drop_index("ix_observations_metric_latest", table_name="observations")
