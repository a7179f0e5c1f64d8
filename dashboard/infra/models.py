"""The metrics store: SQLAlchemy 2 models shared by SQLite and PostgreSQL.

Conventions that keep the two databases alike:
- optional segments are stored as '' (not NULL) so that the unique key on observations works
  the same on both (NULLs never collide in a unique index);
- every row that the public could see carries ``visibility`` ('draft' or 'published'); public
  queries filter on it in one place (``dashboard.gateway.queries``);
- timestamps are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, cast

from sqlalchemy import (
    DDL,
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
    select,
)
from sqlalchemy.event import listen
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.orm.decl_api import DeclarativeAttributeIntercept

from dashboard.core import languages as content_languages

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
#: Staff roles (issue 10): an editor drafts for named agencies; a publisher also approves and
#: publishes for named agencies (or all); an admin manages users and reads the audit log.
ROLES = ("editor", "publisher", "admin")
#: Where a publication came from: the staff workspace or ``cxdash import --publish``.
PUBLICATION_SOURCES = ("workspace", "cli")
REVIEW_NOTE_KINDS = ("submitted", "sent_back")


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


def _text_name(cls: Any, name: str) -> tuple[str, str] | None:
    """``("name", "fr")`` for ``name_fr`` when ``name`` is one of ``cls``'s translated
    fields; None for any other attribute name."""
    field, sep, language = name.rpartition("_")
    if sep and field in cls.TRANSLATED and content_languages.LANGUAGE_CODE.match(language):
        return field, language
    return None


class _TranslatedMeta(DeclarativeAttributeIntercept):
    """Class-level ``Model.<field>_<language>`` (``Unit.name_en``): the text as a correlated
    scalar subquery labelled with that name, so ``select(Action.code, Action.title_en)``,
    ``order_by(Unit.name_en)`` and ``Unit.name_es.is_(None)`` read the text rows."""

    def __getattr__(cls, name: str) -> Any:
        split = _text_name(cls, name)
        model = cls.__dict__.get("text_model")
        if split is None or model is None:
            raise AttributeError(name)
        field, language = split
        expression = (
            select(model.text)
            .where(model.owner_id == cls.id, model.language == language, model.field == field)
            .correlate_except(model)
            .scalar_subquery()
            .label(name)
        )
        #: What the expression stands for, for length checks and problems ("units.name_en").
        expression.translated = (cls, field, language)  # type: ignore[attr-defined]
        return expression


class Translated:
    """Agency content whose words are stored as rows per language (``<table>_texts``: owner,
    language, field, text), not as a column per language.

    ``TRANSLATED`` names the fields; ``texts`` holds the rows (loaded with the owner, one
    query per kind of owner). ``text(field, language)`` answers with the fallback order of
    :func:`dashboard.core.languages.fallback_order`. For compatibility, ``<field>_<language>``
    works for any language code as a constructor argument, an attribute to read (the text in
    exactly that language, or None) and to set (None removes it).
    """

    TRANSLATED: ClassVar[tuple[str, ...]] = ()
    #: The field every row must have in the default language (a name, title, label, reason).
    REQUIRED_TEXT: ClassVar[str | None] = None
    #: Maximum lengths of short fields (names, titles): other fields are unbounded text.
    TEXT_LENGTHS: ClassVar[dict[str, int]] = {}
    #: The model of the text rows, set by :func:`_texts_table`.
    text_model: ClassVar[Any] = None

    texts: Any

    def __init__(self, **kwargs: Any) -> None:
        words = {key: kwargs.pop(key) for key in list(kwargs) if _text_name(type(self), key)}
        super().__init__(**kwargs)
        for key, value in words.items():
            setattr(self, key, value)

    def __getattr__(self, name: str) -> Any:
        split = _text_name(type(self), name)
        if split is None:
            raise AttributeError(name)
        return self.exact_text(*split)

    def __setattr__(self, name: str, value: Any) -> None:
        split = _text_name(type(self), name)
        if split is None:
            super().__setattr__(name, value)
        else:
            self.set_text(split[0], split[1], value)

    def exact_text(self, field: str, language: str) -> str | None:
        """``field`` in exactly ``language``, or None."""
        for row in self.texts:
            if row.field == field and row.language == language:
                return row.text
        return None

    def text_map(self, field: str) -> dict[str, str]:
        """``{language: text}`` for ``field``."""
        return {row.language: row.text for row in self.texts if row.field == field}

    def text_record(self) -> dict[str, str | None]:
        """``{"name_en": ..., "name_es": ...}``: see :func:`text_record`."""
        return text_record(type(self), ((r.language, r.field, r.text) for r in self.texts))

    def text(self, field: str, language: str | None = None) -> str | None:
        """``field`` in ``language``, else along the deployment's fallback order, else in any
        stored language."""
        return content_languages.pick(self.text_map(field), language)

    def set_text(self, field: str, language: str, value: str | None) -> None:
        if field not in self.TRANSLATED:
            raise AttributeError(f"{type(self).__name__} has no translated field {field!r}")
        rows = self.texts
        for row in rows:
            if row.field == field and row.language == language:
                if value is None:
                    rows.remove(row)
                else:
                    row.text = value
                return
        if value is not None:
            rows.append(self.text_model(language=language, field=field, text=value))


def text_length_check(lengths: dict[str, int]) -> str:
    """The CHECK that keeps short fields (names, titles) within their limits on every
    database, as their ``String(n)`` columns did (the migration writes the same)."""
    return " AND ".join(
        f"(field <> '{field}' OR length(text) <= {limit})"
        for field, limit in sorted(lengths.items())
    )


def _texts_table(owner: type[Translated], table: str) -> type[Base]:
    """The model of ``owner``'s text rows, and ``owner.texts``: one factory for every kind of
    translated content, so that the six text tables are alike."""
    owner_table = owner.__tablename__  # type: ignore[attr-defined]
    model = type(
        f"{owner.__name__}Text",
        (Base,),
        {
            "__tablename__": table,
            "__doc__": f"The words of one {owner.__name__} in one language, a row per field.",
            "__table_args__": (
                CheckConstraint(text_length_check(owner.TEXT_LENGTHS), name="text_length"),
            ),
            "owner_id": mapped_column(
                Integer, ForeignKey(f"{owner_table}.id", ondelete="CASCADE"), primary_key=True
            ),
            "language": mapped_column(String(12), primary_key=True),
            "field": mapped_column(String(40), primary_key=True),
            "text": mapped_column(Text, nullable=False),
        },
    )
    owner.text_model = model
    owner.texts = relationship(
        model,
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=(model.language, model.field),  # type: ignore[attr-defined]
    )
    return model


class Unit(Translated, Base, metaclass=_TranslatedMeta):
    """The enterprise, an agency, or a service / program office under an agency."""

    TRANSLATED = ("name", "description")
    REQUIRED_TEXT = "name"
    TEXT_LENGTHS: ClassVar[dict[str, int]] = {"name": 300}

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
    website: Mapped[str | None] = mapped_column(String(500))
    #: A unit that only draft rows use is a draft: not public until something of it is.
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLISHED, server_default=PUBLISHED)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")

    def name(self, language: str | None = None) -> str:
        return self.text("name", language) or ""


class Metric(Translated, Base, metaclass=_TranslatedMeta):
    """What is measured, on which raw scale, and how it becomes a 0-100 score."""

    TRANSLATED = ("name", "definition", "method", "data_source", "target_setting")
    REQUIRED_TEXT = "name"
    TEXT_LENGTHS: ClassVar[dict[str, int]] = {"name": 300}

    __tablename__ = "metrics"
    __table_args__ = (
        CheckConstraint(_in("dimension", DIMENSIONS), name="dimension"),
        CheckConstraint(_in("scale", SCALES), name="scale"),
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    dimension: Mapped[str] = mapped_column(String(20))
    scale: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10), default="higher")
    #: Raw values that score 100 and 0. NULL means the scale's natural end (0 and 1 for a
    #: fraction, 1 and 5 for a mean...). Time and count scales need both to be normalized.
    norm_best: Mapped[float | None] = mapped_column(Float)
    norm_worst: Mapped[float | None] = mapped_column(Float)
    #: True for survey proportions: results get a Wilson interval and small-sample checks.
    is_survey: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The headline measure of its dimension (overall satisfaction, not a driver such as ease):
    #: set in the metric catalogue, never guessed from names.
    headline: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: A metric that only draft rows use is a draft: not public until something of it is.
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLISHED, server_default=PUBLISHED)

    def name(self, language: str | None = None) -> str:
        return self.text("name", language) or ""


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
    #: The staff member whose upload or edit this was (NULL: the command line). Drafts carry
    #: their run's id, so this is who drafted them (REQUIRE_SECOND_APPROVER).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


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
        # The open-data API's segment lookups: the distinct published segments, one index
        # seek each (migration 0007). Its page order is uq_observations_key's (read along
        # ix_observations_api_page, below, which adds the visibility and the id).
        Index("ix_observations_segments", "segment_type", "segment_value", "visibility"),
        # Migration 0008: the API's order (uq_observations_key's columns), the visibility and
        # the id, so a deep ``offset`` and the counts read index entries, never table rows
        # (the id for PostgreSQL's index-only scan; SQLite's indexes hold the rowid anyway).
        Index(
            "ix_observations_api_page",
            "unit_id",
            "metric_id",
            "granularity",
            "period_start",
            "segment_type",
            "segment_value",
            "visibility",
            "id",
        ),
        # Migration 0006: the public pages' queries (queries.latest_period_ends and the
        # scorecard pages' overall figures and offered periods) read ranges of these.
        Index(
            "ix_observations_metric_latest",
            "metric_id",
            "segment_type",
            "granularity",
            "visibility",
            "period_end",
        ),
        Index(
            "ix_observations_unit_series",
            "unit_id",
            "metric_id",
            "segment_type",
            "visibility",
            "granularity",
            "period_end",
            "period_start",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the indexes starting with unit_id serve (migration 0009).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
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


class Target(Translated, Base, metaclass=_TranslatedMeta):
    """A posted service level: the promise, the target, and when it is in force.

    ``text``: for non-numeric targets, "Establish baseline", "≥10% improvement".
    """

    TRANSLATED = ("text", "promise")
    TEXT_LENGTHS: ClassVar[dict[str, int]] = {"text": 300}

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


class Action(Translated, Base, metaclass=_TranslatedMeta):
    """An action taken to improve a unit's results."""

    TRANSLATED = ("title", "description")
    REQUIRED_TEXT = "title"
    TEXT_LENGTHS: ClassVar[dict[str, int]] = {"title": 300}

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
    status: Mapped[str] = mapped_column(String(12), default="planned")
    started_on: Mapped[dt.date] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(String(500))
    visibility: Mapped[str] = mapped_column(String(10), default=DRAFT)
    internal_note: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    #: A workspace draft that changes a published action: publication copies it onto that
    #: action and deletes the draft (which has no code, so the (unit, code) key stays unique).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))

    unit: Mapped[Unit] = relationship()
    metrics: Mapped[list[Metric]] = relationship(secondary=action_metrics)


class ContactPoint(Translated, Base, metaclass=_TranslatedMeta):
    """How to reach a unit: a phone line, a walk-in office, a mailing address, a web form.

    Translated: ``label``, ``hours`` (opening hours in words, beside the structured ``hours``
    column) and ``appointment`` (how to book one).
    """

    TRANSLATED = ("label", "hours", "appointment")
    REQUIRED_TEXT = "label"
    TEXT_LENGTHS: ClassVar[dict[str, int]] = {"label": 300}

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
    #: Phone number, e-mail address or URL.
    value: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(Text)
    #: Opening hours by weekday: {"mon": [["09:00", "16:30"]], ..., "sun": []}; a weekday
    #: missing from the mapping is unknown, an empty list is closed. NULL: only the text above.
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    languages: Mapped[str | None] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLISHED, server_default=PUBLISHED)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    #: A workspace draft that changes a published contact point (see ``Action.replaces_id``).
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_points.id", ondelete="CASCADE")
    )

    unit: Mapped[Unit] = relationship()
    closures: Mapped[list[Closure]] = relationship(back_populates="contact_point")


class Closure(Translated, Base, metaclass=_TranslatedMeta):
    """A scheduled closure, posted in advance (a holiday, a move, training day)."""

    TRANSLATED = ("reason",)
    REQUIRED_TEXT = "reason"
    TEXT_LENGTHS: ClassVar[dict[str, int]] = {"reason": 300}

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
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLISHED, server_default=PUBLISHED)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    #: A workspace draft that changes a published closure (see ``Action.replaces_id``).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("closures.id", ondelete="CASCADE"))

    contact_point: Mapped[ContactPoint | None] = relationship(back_populates="closures")


class PendingRevision(Base):
    """A drafted change to a published figure (a workspace upload): the published value stays
    public until a publisher approves; publication then keeps the old value as an
    :class:`ObservationRevision` with ``reason`` and writes these values."""

    __tablename__ = "pending_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), unique=True
    )
    raw_value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    response_rate: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    series_break: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Internal only, like ``Observation.internal_note``.
    internal_note: Mapped[str | None] = mapped_column(Text)
    #: Why the figure changes: public once published, shown beside the revised figure.
    reason: Mapped[str] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    observation: Mapped[Observation] = relationship()


class User(Base):
    """A staff account. Role and agencies are read on every request: a change applies at once."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    #: scrypt or argon2id in PHC string form; NULL: signs in through OpenID Connect only.
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(12))
    #: A publisher (or admin) for every agency rather than the agencies in ``user_agencies``.
    all_agencies: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    disabled_at: Mapped[dt.datetime | None] = mapped_column()
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column()
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column()
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    #: Bumped to end every session of the account (disable, password change, sign out all).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    agencies: Mapped[list[Unit]] = relationship(secondary="user_agencies")


user_agencies = Table(
    "user_agencies",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class AuditEntry(Base):
    """One line of the append-only audit log: who did what, when, from where.

    Never updated or deleted: the migration adds triggers that refuse both.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    #: No foreign key: the log outlives whatever it names.
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40), index=True)
    agency_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(String(500))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


# The same triggers as migration 0004, for stores built with ``create_all`` (tests): the log
# refuses UPDATE and DELETE in the database itself.
_AUDIT_TABLE = cast(Table, AuditEntry.__table__)
for _event in ("UPDATE", "DELETE"):
    listen(
        _AUDIT_TABLE,
        "after_create",
        DDL(
            f"CREATE TRIGGER audit_log_no_{_event.lower()} BEFORE {_event} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        ).execute_if(dialect="sqlite"),
    )
listen(
    _AUDIT_TABLE,
    "after_create",
    DDL(
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$; "
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only(); "
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    ).execute_if(dialect="postgresql"),
)


class ReviewNote(Base):
    """An agency's drafts submitted for review, or sent back with a comment for the editor."""

    __tablename__ = "review_notes"
    __table_args__ = (CheckConstraint(_in("kind", REVIEW_NOTE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Publication(Base):
    """One agency's part of one publication: the public "What changed" list.

    Counts are what the publication added or changed for this agency; ``reasons`` are the
    revision reasons given (public text); ``note`` the publisher's public summary.
    """

    __tablename__ = "publications"
    __table_args__ = (CheckConstraint(_in("source", PUBLICATION_SOURCES), name="source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: Internal: who approved (never shown publicly).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(12))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    figures_added: Mapped[int] = mapped_column(Integer, default=0)
    figures_revised: Mapped[int] = mapped_column(Integer, default=0)
    targets_changed: Mapped[int] = mapped_column(Integer, default=0)
    actions_changed: Mapped[int] = mapped_column(Integer, default=0)
    contact_points_changed: Mapped[int] = mapped_column(Integer, default=0)
    closures_changed: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class DataStatusRow(Base):
    """How current the published data is: ONE row (id 1), kept by every write that changes
    it (:mod:`dashboard.infra.data_status`), so that a request reads it instead of
    aggregating the observations table.

    The fields are the aggregate they replace; ``version`` goes up by one each time they
    change, so two different states never share it (cache keys are made from it).
    """

    __tablename__ = "data_status"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: End of the latest published period.
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    #: When a published observation was last published or changed.
    last_updated: Mapped[dt.datetime | None] = mapped_column()
    published_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The latest succeeded import run that is not a workspace draft save (no foreign key:
    #: replacing the demo deletes every run).
    last_import: Mapped[int | None] = mapped_column(Integer)
    refreshed_at: Mapped[dt.datetime | None] = mapped_column()


FEEDBACK_STATUSES = ("new", "read", "actioned")
#: Reason codes a visitor may tick (texts translated in the widget; codes stored).
FEEDBACK_REASONS = (
    "found_it",
    "easy_to_understand",
    "not_found",
    "hard_to_understand",
    "out_of_date",
    "other",
)


class FeedbackResponse(Base):
    """One answer to "Did this page help you?" (issue 14). Internal: never shown publicly.

    ``comment`` is stored ALREADY MASKED (e-mail addresses and phone numbers replaced, see
    :func:`dashboard.domain.feedback.mask_personal_data`) and cleared after the retention
    period; only counts, and an ``excerpt`` a staff member wrote and published, may reach a
    public page.
    """

    __tablename__ = "feedback_responses"
    __table_args__ = (
        CheckConstraint(_in("status", FEEDBACK_STATUSES), name="status"),
        CheckConstraint(_in("reason", FEEDBACK_REASONS), name="reason"),
        Index("ix_feedback_unit_received", "unit_id", "received_at"),
        # The staff list of every agency (an admin's, unfiltered) reads newest first.
        Index("ix_feedback_received", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The public path the answer is about, e.g. "/agency/dmv" (checked by the server).
    page_path: Mapped[str] = mapped_column(String(300))
    #: The agency or service of the page, found by the server from ``page_path``; None for
    #: site-wide pages.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(12))
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="new", server_default="new")
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[dt.datetime | None] = mapped_column()
    #: A moderated excerpt a staff member wrote (never the raw comment).
    excerpt: Mapped[str | None] = mapped_column(Text)
    #: Only once set may the excerpt appear publicly.
    excerpt_published_at: Mapped[dt.datetime | None] = mapped_column()


UnitText = _texts_table(Unit, "unit_texts")
MetricText = _texts_table(Metric, "metric_texts")
TargetText = _texts_table(Target, "target_texts")
ActionText = _texts_table(Action, "action_texts")
ContactPointText = _texts_table(ContactPoint, "contact_point_texts")
ClosureText = _texts_table(Closure, "closure_texts")

#: Every kind of translated content, with its text table.
TRANSLATED_MODELS: tuple[type[Translated], ...] = (
    Unit,
    Metric,
    Target,
    Action,
    ContactPoint,
    Closure,
)


def text_expression(model: Any, field: str, language: str | None = None) -> Any:
    """``model``'s ``field`` in ``language`` (the default language when None) as a correlated
    scalar subquery: for ordering by a name in SQL (``order_by(text_expression(Unit, "name"))``)."""
    language = language or content_languages.default_language()
    return getattr(model, f"{field}_{language}")


def text_record(model: Any, rows: Any = ()) -> dict[str, str | None]:
    """``{"name_en": ..., "name_es": ..., "description_en": ...}`` from ``(language, field,
    text)`` rows: every translated field of ``model`` in every configured language (None when
    missing), and any other language stored. What record dicts handed to the views carry."""
    record: dict[str, str | None] = {
        f"{field}_{language}": None
        for field in model.TRANSLATED
        for language in content_languages.content_languages()
    }
    for language, field, text in rows:
        record[f"{field}_{language}"] = text
    return record


def load_texts(session: Any, model: Any, owner_ids: Any = None) -> dict[int, dict[str, str | None]]:
    """:func:`text_record` of each of ``model``'s rows in ``owner_ids`` (every row when None),
    by owner id: one query per kind of content (a few for very many owners), never one per row."""
    texts = model.text_model
    columns = select(texts.owner_id, texts.language, texts.field, texts.text)
    grouped: dict[int, list[tuple[str, str, str]]] = {}
    if owner_ids is None:
        batches = [columns]
    else:
        ids = sorted(set(owner_ids))
        batches = [
            columns.where(texts.owner_id.in_(ids[start : start + 5000]))
            for start in range(0, len(ids), 5000)
        ]
    for query in batches:
        for owner_id, language, field, text in session.execute(query):
            grouped.setdefault(owner_id, []).append((language, field, text))
    return {owner_id: text_record(model, rows) for owner_id, rows in grouped.items()}


def with_texts(
    session: Any, model: Any, records: list[dict[str, Any]], id_key: str = "id"
) -> list[dict[str, Any]]:
    """``records`` (dicts with ``model``'s id under ``id_key``) with their texts added as
    ``<field>_<language>`` keys (:func:`load_texts`)."""
    texts = load_texts(session, model, [record[id_key] for record in records])
    empty = text_record(model)
    for record in records:
        record.update(texts.get(record[id_key], empty))
    return records


def insert_with_texts(session: Any, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk-insert ``rows`` of ``model`` given with ``<field>_<language>`` keys (as before the
    text tables): the rows in one statement, then their text rows in one more. The new ids."""
    from sqlalchemy import insert

    plain: list[dict[str, Any]] = []
    words: list[list[tuple[str, str, str]]] = []
    for row in rows:
        keep: dict[str, Any] = {}
        texts: list[tuple[str, str, str]] = []
        for key, value in row.items():
            split = _text_name(model, key)
            if split is None:
                keep[key] = value
            elif value is not None:
                texts.append((split[1], split[0], value))
        plain.append(keep)
        words.append(texts)
    if not plain:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    ids = list(session.scalars(statement.execution_options(render_nulls=True), plain))
    text_rows = [
        {"owner_id": owner_id, "language": language, "field": field, "text": text}
        for owner_id, texts in zip(ids, words, strict=True)
        for language, field, text in texts
    ]
    if text_rows:
        session.execute(insert(model.text_model), text_rows)
    return ids


#: Labels of the text columns :func:`select_with_texts` adds.
_TEXT_LABELS = ("text_language_", "text_field_", "text_text_")


def select_with_texts(query: Any, model: Any) -> Any:
    """``query`` (rows of ``model``) with its text rows outer-joined: the rows and their words
    in ONE query; :func:`records_with_texts` folds the result into one dict per row."""
    texts = model.text_model
    language, field, text = _TEXT_LABELS
    return query.add_columns(
        texts.language.label(language), texts.field.label(field), texts.text.label(text)
    ).outerjoin(texts, texts.owner_id == model.id)


def records_with_texts(rows: Any, model: Any, id_key: str = "id") -> list[dict[str, Any]]:
    """The rows of a :func:`select_with_texts` query as dicts, one per ``model`` row (in the
    query's order), each with ``<field>_<language>`` keys as :func:`text_record` makes."""
    keys = list(rows.keys())
    language_at, field_at, text_at = (keys.index(label) for label in _TEXT_LABELS)
    owner_at = keys.index(id_key)
    # Positions rather than each row's mapping: a catalogue of thousands of units is a few
    # rows each, and building a mapping per row cost more than the query.
    kept = [(i, key) for i, key in enumerate(keys) if key not in _TEXT_LABELS]
    records: dict[Any, dict[str, Any]] = {}
    empty = text_record(model)
    for row in rows:
        owner = row[owner_at]
        record = records.get(owner)
        if record is None:
            record = {key: row[i] for i, key in kept}
            record.update(empty)
            records[owner] = record
        language = row[language_at]
        if language is not None:
            record[f"{row[field_at]}_{language}"] = row[text_at]
    return list(records.values())
