"""A store that is not set up or is down: a short 503 page, never a 500 or a traceback."""

from __future__ import annotations

import pytest

from dashboard.core.settings import Settings
from dashboard.web.factory import create_app


@pytest.fixture
def client(tmp_path):  # type: ignore[no-untyped-def]
    # A SQLite file with no schema: `cxdash init-db` was never run.
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return create_app(Settings(database_url=url)).server.test_client()


@pytest.mark.parametrize(
    ("path", "language", "words"),
    [
        ("/", "en", "The dashboard is unavailable for a moment"),
        ("/agency/health?lang=es", "es", "El panel no está disponible en este momento"),
        ("/methodology", "en", "try again in a few minutes"),
    ],
)
def test_pages_answer_503_with_a_plain_message(client, path, language, words):
    response = client.get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    body = response.get_data(as_text=True)
    assert words in body
    assert f'<html lang="{language}">' in body
    assert "Traceback" not in body and "sqlite" not in body.lower()


def test_a_store_that_is_down_gives_503_pages_and_a_failing_health_check():
    # Nothing listens on port 1: the database server is down.
    url = "postgresql+psycopg://postgres@127.0.0.1:1/cxdash?connect_timeout=2"
    client = create_app(Settings(database_url=url)).server.test_client()
    page = client.get("/")
    assert page.status_code == 503
    assert "try again in a few minutes" in page.get_data(as_text=True)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["status"] == "error"
