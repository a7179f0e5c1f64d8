"""Schemathesis fuzzes the open-data API from its own OpenAPI document (/api/v1/openapi.json).

For every operation it generates requests the document allows and checks each answer: never a
5xx, a status code the operation declares, the declared content type, and a body that follows
the declared schema. Bounded and repeatable for CI: a fixed number of examples per operation,
derandomized (the same requests every run), no deadline (the machine may be busy), and no
example database written to the work tree. It runs on a copy of the SQLite demo store, in
process (WSGI), with the per-client rate limits off: a burst of generated requests is the point.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.infra.cache import cache
from dashboard.web.factory import create_app
from tests.conftest import demo_store_copy

#: Examples per operation: enough to reach every parameter and its bounds, small enough that
#: the whole run stays well under a minute on two cores.
MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(demo_stores, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder: Path = tmp_path_factory.mktemp("api_fuzz")
    with demo_store_copy(demo_stores, "sqlite", folder) as url:
        app = create_app(Settings(database_url=url, api_rate_limit=0, page_rate_limit=0))
        with app.server.app_context():
            cache.clear()
        yield schemathesis.openapi.from_wsgi(open_data.OPENAPI_PATH, app.server)


def _fuzz(operation: Any) -> None:
    """Every generated request of one operation, answered as its document says."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: Any) -> None:
        # Identity: the WSGI test client, unlike an HTTP client, would not undo flask-compress.
        case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

    answers_as_documented()


def test_the_api_answers_every_request_its_document_allows_as_documented(api_schema) -> None:
    # One test, each operation in turn (schemathesis's lazy pytest fixture needs a pytest
    # internal that pytest 9 no longer has); every operation runs, and all failures show.
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # Every resource in JSON and CSV, the catalog, the ZIP and the dictionary (schemathesis
    # leaves out the document it was loaded from).
    assert len(operations) == 2 * len(open_data.RESOURCES) + 4, [o.label for o in operations]
    for operation in operations:
        try:
            _fuzz(operation)
        except Exception as error:  # a failed check, with the request that reproduces it
            failures[operation.label] = f"{type(error).__name__}: {error}"
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
