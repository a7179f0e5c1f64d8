"""Demo stores for tests, each built once per test session and copied for every test.

``generate_demo`` takes a few seconds (it goes through the importers), and many tests only
need a store with the demo in it. :class:`DemoStores` builds each distinct demo (per
database and per settings that change it) the first time it is asked for, then gives each
caller its own copy, which the caller may change:

- SQLite: a copy of the file (SQLite's backup API, so the copy is consistent);
- PostgreSQL: ``CREATE DATABASE <copy> TEMPLATE <demo template>``, dropped afterwards.

Tests of the demo itself (tests/integration/test_demo.py) still call ``generate_demo``.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.models import Base
from data.demo import generate_demo

#: Settings that change the demo, as keyword arguments of :class:`Settings` (sorted items).
Key = tuple[tuple[str, Any], ...]


def _key(overrides: dict[str, Any]) -> Key:
    return tuple(sorted(overrides.items()))


def _fill(url: str, overrides: dict[str, Any]) -> None:
    Base.metadata.create_all(db.get_engine(url))
    generate_demo(url, Settings(database_url=url, **overrides))
    db.get_engine(url).dispose()


class DemoStores:
    """Session-wide cache of built demo stores; see the module docstring."""

    def __init__(self, folder: Path, postgres_admin_url: str) -> None:
        self.folder = folder
        self.postgres_admin_url = postgres_admin_url
        self._files: dict[Key, Path] = {}
        self._templates: dict[Key, str] = {}

    # -- SQLite ------------------------------------------------------------------------------

    def sqlite_copy(self, path: Path, **overrides: Any) -> str:
        """A copy of the demo store (built with ``overrides``) at ``path``; returns its URL."""
        key = _key(overrides)
        source = self._files.get(key)
        if source is None:
            source = self.folder / f"demo-{len(self._files)}.sqlite3"
            _fill(f"sqlite:///{source}", overrides)
            self._files[key] = source
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as original, sqlite3.connect(path) as copy:
            original.backup(copy)
        original.close()
        copy.close()
        return f"sqlite:///{path}"

    # -- PostgreSQL --------------------------------------------------------------------------

    def _admin_execute(self, statement: str) -> None:
        admin = create_engine(self.postgres_admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(statement))
        finally:
            admin.dispose()

    def _url(self, name: str) -> str:
        url = make_url(self.postgres_admin_url).set(database=name)
        return url.render_as_string(hide_password=False)

    def _template(self, overrides: dict[str, Any]) -> str:
        key = _key(overrides)
        name = self._templates.get(key)
        if name is None:
            name = f"cxdash_demo_template_{uuid.uuid4().hex[:12]}"
            self._admin_execute(f'CREATE DATABASE "{name}"')
            self._templates[key] = name  # dropped by close() even if the build fails
            _fill(self._url(name), overrides)
        return name

    @contextmanager
    def postgres_copy(self, prefix: str = "cxdash_demo", **overrides: Any) -> Iterator[str]:
        """A new database holding a copy of the demo store; dropped on the way out."""
        template = self._template(overrides)
        name = f"{prefix[:40]}_{uuid.uuid4().hex[:12]}"
        self._admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = self._url(name)
        try:
            yield url
        finally:
            db.get_engine(url).dispose()
            self._admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop the PostgreSQL templates (the SQLite files go with pytest's temporary folder)."""
        for name in self._templates.values():
            self._admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._templates.clear()
