"""A third language is configuration and a catalogue: the demo site in French (issue 9)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from callbacks.router import render
from dashboard.core import languages
from dashboard.core.i18n import MESSAGES
from dashboard.core.settings import Settings
from dashboard.web.factory import create_app
from tests.components import texts, walk

PAGES = ("/", "/agency/dmv", "/review", "/methodology", "/data", "/no/such/page")


@pytest.fixture(scope="module")
def settings(demo_store: str) -> Iterator[Settings]:
    configured = languages.content_languages()
    settings = Settings(database_url=demo_store, languages=("en", "es", "fr"))
    app = create_app(settings)  # reads LANGUAGES: the interface, the links, the content order
    with app.server.app_context():
        yield settings
    languages.configure(configured)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_speaks_french(settings, path):
    frame, language, _found = render(settings, path, "?lang=fr")
    assert language == "fr"
    words = texts(frame)
    assert "Passer au contenu principal" in words
    for key in ("skip_to_content", "footer_source", "open_data_link"):
        assert MESSAGES[key].text not in words, key
    assert "{" not in words.replace("{…}", "")  # every placeholder filled


@pytest.mark.parametrize("path", PAGES[:3])
def test_the_language_links_name_each_other_language_in_itself(settings, path):
    frame, _language, _found = render(settings, path, "?lang=fr")
    nav = next(c for c in walk(frame) if getattr(c, "id", None) == "language-switch")
    links = {link.hrefLang: link for link in walk(nav.children)}
    assert set(links) == {"en", "es"}
    assert links["en"].children == "English" and links["en"].lang == "en"
    assert links["es"].children == "Español" and links["es"].lang == "es"
    assert links["es"].href == f"{path}?lang=es"


def test_french_numbers_and_dates_follow_french_conventions(settings):
    frame, _language, _found = render(settings, "/review", "?lang=fr")
    words = texts(frame)
    assert " %" in words or "\u00a0%" in words
    assert "AF20" in words or "T1 " in words or "T2 " in words  # French fiscal labels
