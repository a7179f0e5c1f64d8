"""The first HTML response already speaks the page's language, before any script runs."""

from __future__ import annotations

import re

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
    # The message, once; the page's prerender may hold one more: the feedback form (issue 14).
    assert body.count(f"<noscript>{t('noscript', language)}</noscript>") == 1
    others = re.findall(r"<noscript>(.*?)</noscript>", body, re.S)[1:]
    assert all('id="feedback-widget"' in other for other in others)
    assert body.count("<noscript>") <= 2
    assert "{%" not in body  # no placeholder left unfilled
