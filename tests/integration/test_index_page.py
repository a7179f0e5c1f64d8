"""The first HTML response already speaks the page's language, before any script runs."""

from __future__ import annotations

import pytest

from dashboard.core.i18n import t
from dashboard.core.settings import Settings
from dashboard.web.factory import create_app


@pytest.mark.parametrize(
    ("query", "language"), [("", "en"), ("?lang=es", "es"), ("?lang=xx", "en")]
)
def test_html_lang_and_noscript_follow_the_url(sqlite_url, query, language):
    client = create_app(Settings(database_url=sqlite_url)).server.test_client()
    body = client.get(f"/methodology{query}").get_data(as_text=True)
    assert f'<html lang="{language}">' in body
    assert body.count("<noscript>") == 1
    assert f"<noscript>{t('noscript', language)}</noscript>" in body
    assert "{%" not in body  # no placeholder left unfilled
