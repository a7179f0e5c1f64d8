"""The one gateway to the database: engines, sessions, and schema upgrades.

No engine exists until something asks for one, so importing cxdash never touches a database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Imported for its Session hooks: every commit that changed published data refreshes the
# published-data status row in its own transaction (dashboard.infra.data_status).
from dashboard.infra import data_status as _data_status  # noqa: F401

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "data" / "migrations"


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless each connection asks for them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_engines: dict[str, Engine] = {}
# gunicorn serves with threads: two first requests must not each create an engine (and pool).
_engines_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    """One engine (and pool) per database URL for the life of the process."""
    engine = _engines.get(url)
    if engine is None:
        with _engines_lock:
            engine = _engines.get(url)
            if engine is None:
                engine = _engines[url] = _create_engine(url)
    return engine


def _ensure_sqlite_directory(url: str) -> None:
    """SQLite creates the file but not its folder (``instance/`` on a fresh clone)."""
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1].split("?", 1)[0]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(url, pool_pre_ping=True)


#: The connection every read goes through instead of the engine, while a staff preview is
#: drawn (:func:`reading_through`); None otherwise.
_READING_THROUGH: ContextVar[Connection | None] = ContextVar("cxdash_reading_through", default=None)


@contextmanager
def reading_through(connection: Connection) -> Iterator[None]:
    """Every session opened in this context reads (and writes) through ``connection``.

    For the staff preview (issue 10, D6): the caller has begun a transaction on
    ``connection``, published an agency's drafts in it and will roll it back; the normal
    public reads then see the page as it will be. Sessions join that transaction without
    ever committing it ("rollback_only"), and :func:`dashboard.infra.cache.cached` neither
    reads nor writes while this is on, so a draft never reaches a cache entry. Context
    variables are per thread (and per task), so other requests keep reading the engine.
    """
    token = _READING_THROUGH.set(connection)
    try:
        yield
    finally:
        _READING_THROUGH.reset(token)


def reading_through_connection() -> Connection | None:
    """The connection of :func:`reading_through`, when it is on."""
    return _READING_THROUGH.get()


def session_factory(url: str) -> sessionmaker[Session]:
    connection = _READING_THROUGH.get()
    if connection is not None:
        # The Session never commits the preview's transaction; closing it leaves it alone.
        return sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only"
        )
    engine = get_engine(url)
    factory = _factories.get(engine)
    if factory is None:
        # One per engine: a sessionmaker makes a Session class of its own, and building one
        # per query cost more than a small query (the data version is read every request).
        factory = _factories[engine] = sessionmaker(engine, expire_on_commit=False)
    return factory


_factories: dict[Engine, sessionmaker[Session]] = {}


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is ConfigParser's interpolation character; a password may contain it.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    from alembic import command

    # Alembic opens its own engine (data/migrations/env.py), so the folder is made here too.
    _ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), "head")


def dispose_all() -> None:
    """Close every pooled connection (tests drop databases after this)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _factories.clear()
