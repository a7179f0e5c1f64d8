"""Integration fixtures shared by the view tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import demo_store_copy


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_store(request, tmp_path_factory) -> Iterator[str]:
    """One demo store per database for the whole module (the demo takes a couple of seconds).

    Read-only by convention: tests that write use the function-scoped ``db_url`` instead.
    """
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")

    stores = request.getfixturevalue("demo_stores")
    folder = tmp_path_factory.mktemp(name)
    with demo_store_copy(stores, request.param, folder, f"cxdash_{name}"[:40]) as url:
        yield url
