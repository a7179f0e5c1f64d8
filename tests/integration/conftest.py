"""Integration fixtures shared by the view tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard import db
from dashboard.models import Base
from dashboard.settings import Settings
from data.demo import generate_demo
from tests.conftest import new_postgres_database


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_store(request, tmp_path_factory) -> Iterator[str]:
    """One demo store per database for the whole module (the demo takes a couple of seconds).

    Read-only by convention: tests that write use the function-scoped ``db_url`` instead.
    """
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")

    def fill(url: str) -> str:
        Base.metadata.create_all(db.get_engine(url))
        generate_demo(url, Settings(database_url=url))
        return url

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'demo.sqlite3'}"
        yield fill(url)
        db.get_engine(url).dispose()
    else:
        with new_postgres_database(f"cxdash_{name}"[:40]) as url:
            yield fill(url)
