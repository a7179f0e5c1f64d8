"""The metrics store: SQLAlchemy 2 models shared by SQLite and PostgreSQL.

Conventions that keep the two databases alike:
- optional segments are stored as '' (not NULL) so that the unique key on observations works
  the same on both (NULLs never collide in a unique index);
- every row that the public could see carries ``visibility`` ('draft' or 'published'); public
  queries filter on it in one place (``dashboard.queries``);
- timestamps are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Fixed names for constraints, so that Alembic migrations are the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DRAFT = "draft"
PUBLISHED = "published"
VISIBILITIES = (DRAFT, PUBLISHED)

UNIT_KINDS = ("enterprise", "agency", "service")
DIMENSIONS = ("accuracy", "responsiveness", "timeliness", "satisfaction", "access", "other")
SCALES = (
    "fraction",
    "percent",
    "mean_1_5",
    "score_0_10",
    "seconds",
    "minutes",
    "hours",
    "business_days",
    "count",
)
DIRECTIONS = ("higher", "lower")
GRANULARITIES = ("month", "quarter", "fiscal_year")
SEGMENT_TYPES = ("", "channel", "language", "customer_group")
COMPARATORS = (">=", ">", "<=", "<", "=")
TARGET_KINDS = ("numeric", "baseline", "text")
ACTION_STATUSES = ("planned", "in_progress", "completed")
CHANNELS = ("phone", "walk_in", "mail", "email", "web_form", "video", "chat", "text", "voicemail")
IMPORT_STATUSES = ("succeeded", "failed", "dry_run")


#: When set (see :func:`frozen_clock`), the time every write stamps instead of the wall clock.
_FROZEN_NOW: ContextVar[dt.datetime | None] = ContextVar("cxdash_frozen_now", default=None)


def utcnow() -> dt.datetime:
    frozen = _FROZEN_NOW.get()
    return frozen if frozen is not None else dt.datetime.now(dt.UTC)


@contextmanager
def frozen_clock(at: dt.datetime) -> Iterator[None]:
    """Stamp writes (imports, publication, revisions) at ``at`` rather than now.

    For replaying history: the demo imports each period's files at the time an agency would
    have published them, so the same seed writes the same store.
    """
    token = _FROZEN_NOW.set(at)
    try:
        yield
    finally:
        _FROZEN_NOW.reset(token)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it as is
        dict[str, Any]: JSON,
        dt.datetime: DateTime(timezone=True),
    }


class Unit(Base):
    """The enterprise, an agency, or a service / program office under an agency."""

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str | None] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(300))
    name_es: Mapped[str | None] = mapped_column(String(300))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_es: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(500))
    #: A unit that only draft rows use is a draft: not public until something of it is.
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLISHED, server_default=PUBLISHED)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")

    def name(self, language: str = "en") -> str:
        return (self.name_es if language == "es" else None) or self.name_en


class Metric(Base):
    """What is measured, on which raw scale, and how it becomes a 0-100 score."""

    __tablename__ = "metrics"
    __table_args__ = (
        CheckConstraint(_in("dimension", DIMENSIONS), name="dimension"),
        CheckConstraint(_in("scale", SCALES), name="scale"),
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name_en: Mapped[str] = mapped_column(String(300))
    name_es: Mapped[str | None] = mapped_column(String(300))
    dimension: Mapped[str] = mapped_column(String(20))
    scale: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10), default="higher")
    #: Raw values that score 100 and 0. NULL means the scale's natural end (0 and 1 for a
    #: fraction, 1 and 5 for a mean...). Time and count scales need both to be normalized.
    norm_best: Mapped[float | None] = mapped_column(Float)
    norm_worst: Mapped[float | None] = mapped_column(Float)
    definition_en: Mapped[str | None] = mapped_column(Text)
    definition_es: Mapped[str | None] = mapped_column(Text)
    method_en: Mapped[str | None] = mapped_column(Text)
    method_es: Mapped[str | None] = mapped_column(Text)
    data_source_en: Mapped[str | None] = mapped_column(Text)
    data_source_es: Mapped[str | None] = mapped_column(Text)
    target_setting_en: Mapped[str | None] = mapped_column(Text)
    target_setting_es: Mapped[str | None] = mapped_column(Text)
    #: True for survey proportions: results get a Wilson interval and small-sample checks.
    is_survey: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The headline measure of its dimension (overall satisfaction, not a driver such as ease):
    #: set in the metric catalogue, never guessed from names.
    headline: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: A metric that only draft rows use is a draft: not public until something of it is.
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLISHED, server_default=PUBLISHED)

    def name(self, language: str = "en") -> str:
        return (self.name_es if language == "es" else None) or self.name_en


class StoreLock(Base):
    """One row that every import locks first, so that imports into one store run one after
    the other (a row lock on PostgreSQL, the write lock on SQLite)."""

    __tablename__ = "store_lock"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[dt.datetime | None] = mapped_column()


class ImportRun(Base):
    """One run of ``cxdash import`` or ``import-contacts``: what came in and what it did."""

    __tablename__ = "imports"
    __table_args__ = (CheckConstraint(_in("status", IMPORT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="observations")
    file_name: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    mapping_name: Mapped[str | None] = mapped_column(String(200))
    mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_revised: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()


class Observation(Base):
    """One value of one metric for one unit, period and (optional) segment."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint(
            "unit_id",
            "metric_id",
            "granularity",
            "period_start",
            "segment_type",
            "segment_value",
            name="uq_observations_key",
        ),
        CheckConstraint(_in("granularity", GRANULARITIES), name="granularity"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
        CheckConstraint("period_end >= period_start", name="period_order"),
        Index("ix_observations_metric_period", "metric_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    granularity: Mapped[str] = mapped_column(String(12))
    segment_type: Mapped[str] = mapped_column(String(30), default="")
    segment_value: Mapped[str] = mapped_column(String(120), default="")
    #: NULL means the unit said it had no data for the period: "not reported", never zero.
    raw_value: Mapped[float | None] = mapped_column(Float)
    #: Met volume (or agreeing responses) and total volume (or responses).
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    response_rate: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    #: The series changes method or question wording here: do not join it to what came before.
    series_break: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[str] = mapped_column(String(10), default=DRAFT)
    published_at: Mapped[dt.datetime | None] = mapped_column()
    #: Internal only: never shown on a public page, API, export or cache entry.
    internal_note: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    metric: Mapped[Metric] = relationship()
    revisions: Mapped[list[ObservationRevision]] = relationship(
        back_populates="observation", order_by="ObservationRevision.revised_at"
    )


class ObservationRevision(Base):
    """The earlier value of a published observation that was later changed."""

    __tablename__ = "observation_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), index=True)
    raw_value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    #: When the earlier value stopped being the published one.
    revised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    reason: Mapped[str | None] = mapped_column(Text)

    observation: Mapped[Observation] = relationship(back_populates="revisions")


class Target(Base):
    """A posted service level: the promise, the target, and when it is in force."""

    __tablename__ = "targets"
    __table_args__ = (
        CheckConstraint(_in("kind", TARGET_KINDS), name="kind"),
        CheckConstraint(_in("comparator", COMPARATORS), name="comparator"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
        CheckConstraint("kind != 'numeric' OR value IS NOT NULL", name="numeric_has_value"),
        Index("ix_targets_unit_metric", "unit_id", "metric_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"))
    kind: Mapped[str] = mapped_column(String(10), default="numeric")
    #: In the metric's raw scale.
    value: Mapped[float | None] = mapped_column(Float)
    comparator: Mapped[str] = mapped_column(String(2), default=">=")
    #: For non-numeric targets: "Establish baseline", "≥10% improvement".
    text_en: Mapped[str | None] = mapped_column(String(300))
    text_es: Mapped[str | None] = mapped_column(String(300))
    promise_en: Mapped[str | None] = mapped_column(Text)
    promise_es: Mapped[str | None] = mapped_column(Text)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    #: Inclusive; NULL means still in force.
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLISHED)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    #: A published target later corrected (replaced for the same dates) is kept as history:
    #: never in force again, shown publicly as "target changed on ..., from ... to ...".
    superseded_at: Mapped[dt.datetime | None] = mapped_column()
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id"))

    unit: Mapped[Unit] = relationship()
    metric: Mapped[Metric] = relationship()


action_metrics = Table(
    "action_metrics",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("metric_id", ForeignKey("metrics.id", ondelete="CASCADE"), primary_key=True),
)


class Action(Base):
    """An action taken to improve a unit's results."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(_in("status", ACTION_STATUSES), name="status"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
        UniqueConstraint("unit_id", "code", name="uq_actions_unit_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: The agency's own identifier for the action: what makes a re-import idempotent.
    code: Mapped[str | None] = mapped_column(String(80))
    title_en: Mapped[str] = mapped_column(String(300))
    title_es: Mapped[str | None] = mapped_column(String(300))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_es: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    started_on: Mapped[dt.date] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(String(500))
    visibility: Mapped[str] = mapped_column(String(10), default=DRAFT)
    internal_note: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))

    unit: Mapped[Unit] = relationship()
    metrics: Mapped[list[Metric]] = relationship(secondary=action_metrics)


class ContactPoint(Base):
    """How to reach a unit: a phone line, a walk-in office, a mailing address, a web form."""

    __tablename__ = "contact_points"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
        UniqueConstraint("unit_id", "code", name="uq_contact_points_unit_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: The agency's own identifier for the contact point: what makes a re-import idempotent.
    code: Mapped[str | None] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(12))
    label_en: Mapped[str] = mapped_column(String(300))
    label_es: Mapped[str | None] = mapped_column(String(300))
    #: Phone number, e-mail address or URL.
    value: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(Text)
    hours_en: Mapped[str | None] = mapped_column(Text)
    hours_es: Mapped[str | None] = mapped_column(Text)
    #: Opening hours by weekday: {"mon": [["09:00", "16:30"]], ..., "sun": []}; a weekday
    #: missing from the mapping is unknown, an empty list is closed. NULL: only the text above.
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    appointment_en: Mapped[str | None] = mapped_column(Text)
    appointment_es: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[str | None] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLISHED, server_default=PUBLISHED)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))

    unit: Mapped[Unit] = relationship()
    closures: Mapped[list[Closure]] = relationship(back_populates="contact_point")


class Closure(Base):
    """A scheduled closure, posted in advance (a holiday, a move, training day)."""

    __tablename__ = "closures"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="order"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
        UniqueConstraint("unit_id", "code", name="uq_closures_unit_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: The agency's own identifier for the closure: what makes a re-import idempotent.
    code: Mapped[str | None] = mapped_column(String(80))
    contact_point_id: Mapped[int | None] = mapped_column(ForeignKey("contact_points.id"))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    reason_en: Mapped[str] = mapped_column(String(300))
    reason_es: Mapped[str | None] = mapped_column(String(300))
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLISHED, server_default=PUBLISHED)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))

    contact_point: Mapped[ContactPoint | None] = relationship(back_populates="closures")
