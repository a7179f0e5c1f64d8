"""Shared fixtures: fresh databases on SQLite and PostgreSQL, and the Redis server.

In CI (CI=true) a missing PostgreSQL or Redis server is a failure, never a skip: the suite
must prove the code works against both real servers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.models import Base
from tests.demo_stores import DemoStores

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a missing server is a failure)")
    pytest.skip(message)


@contextmanager
def new_postgres_database(prefix: str = "cxdash_test") -> Iterator[str]:
    """A new, empty PostgreSQL database; dropped (connections and all) on the way out."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        unavailable("PostgreSQL at " + POSTGRES_ADMIN_URL, error)
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        db.dispose_all()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test session."""
    with new_postgres_database() as url:
        yield url


def _fresh_schema(url: str) -> None:
    engine = db.get_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)


@pytest.fixture
def sqlite_url(tmp_path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cxdash.sqlite3'}"
    _fresh_schema(url)
    yield url
    db.get_engine(url).dispose()


@pytest.fixture
def postgres_url(postgres_server_url: str) -> str:
    _fresh_schema(postgres_server_url)
    return postgres_server_url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request) -> str:
    """Each test that takes it runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url)


@pytest.fixture
def redis_url() -> str:
    """The test Redis server's URL (TEST_REDIS_URL, else database 15), once it answers.

    The database is shared: with other test runs (scripts/test runs two at once), other
    projects, other tests. So nothing ever empties it: a test that writes to Redis takes
    ``redis_key_prefix`` too, writes only under it (``Settings(cache_key_prefix=...)``) and
    looks only at its own keys.
    """
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as error:
        unavailable("Redis at " + REDIS_URL, error)
    finally:
        client.close()
    return REDIS_URL


def delete_redis_keys(url: str, prefix: str) -> int:
    """Delete the keys under ``prefix`` (and nothing else); how many there were."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=redis_pattern(prefix), count=500))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return len(keys)
    finally:
        client.close()


def redis_pattern(prefix: str) -> str:
    """A SCAN/KEYS pattern matching exactly the keys that start with ``prefix``."""
    special = "\\*?[]^-"
    return "".join("\\" + char if char in special else char for char in prefix) + "*"


@pytest.fixture
def redis_key_prefix(redis_url: str) -> Iterator[str]:
    """A cache key prefix of this test's own (pass it as ``Settings(cache_key_prefix=...)``);
    its keys are deleted afterwards, and no other key is touched."""
    prefix = f"cxdash-test-{uuid.uuid4().hex}:"
    yield prefix
    delete_redis_keys(redis_url, prefix)


@pytest.fixture(scope="session")
def demo_stores(tmp_path_factory) -> Iterator[DemoStores]:
    """Each distinct demo store built once per session; see tests/demo_stores.py."""
    stores = DemoStores(tmp_path_factory.mktemp("demo-stores"), POSTGRES_ADMIN_URL)
    yield stores
    try:
        stores.close()
    finally:
        db.dispose_all()


@contextmanager
def demo_store_copy(
    stores: DemoStores, backend: str, folder: Path, prefix: str = "cxdash_demo"
) -> Iterator[str]:
    """A copy of the default demo store on ``backend`` ("sqlite" or "postgres")."""
    if backend == "sqlite":
        url = stores.sqlite_copy(folder / "demo.sqlite3")
        try:
            yield url
        finally:
            db.get_engine(url).dispose()
        return
    try:
        copy = stores.postgres_copy(prefix)
        url = copy.__enter__()
    except Exception as error:
        unavailable("PostgreSQL at " + POSTGRES_ADMIN_URL, error)
        raise
    try:
        yield url
    finally:
        copy.__exit__(None, None, None)


@pytest.fixture(params=["sqlite", "postgres"])
def demo_copy_url(request, demo_stores: DemoStores, tmp_path: Path) -> Iterator[str]:
    """A store of its own holding the demo, on SQLite and on PostgreSQL; may be changed."""
    with demo_store_copy(demo_stores, request.param, tmp_path) as url:
        yield url
