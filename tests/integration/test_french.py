"""A third language is configuration and a catalogue: the demo site in French (issue 9)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from callbacks.router import render
from dashboard.core import languages
from dashboard.core.i18n import MESSAGES
from dashboard.core.settings import Settings
from dashboard.web.factory import create_app

PAGES = ("/", "/agency/dmv", "/review", "/methodology", "/data", "/no/such/page")


@pytest.fixture(scope="module")
def settings(demo_store: str) -> Iterator[Settings]:
    configured = languages.content_languages()
    settings = Settings(database_url=demo_store, languages=("en", "es", "fr"))
    app = create_app(settings)  # reads LANGUAGES: the interface, the links, the content order
    with app.server.app_context():
        yield settings
    languages.configure(configured)


def _walk(component: Any) -> Iterator[Any]:
    if component is None or isinstance(component, (str, int, float)):
        return
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from _walk(child)
        return
    yield component
    yield from _walk(getattr(component, "children", None))


def _texts(component: Any) -> str:
    parts: list[str] = []

    def add(node: Any) -> None:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, (list, tuple)):
            for child in node:
                add(child)
        elif node is not None and not isinstance(node, (int, float)):
            add(getattr(node, "children", None))

    add(component)
    return " ".join(parts)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_speaks_french(settings, path):
    frame, language, _found = render(settings, path, "?lang=fr")
    assert language == "fr"
    words = _texts(frame)
    assert "Passer au contenu principal" in words
    for key in ("skip_to_content", "footer_source", "open_data_link"):
        assert MESSAGES[key].text not in words, key
    assert "{" not in words.replace("{…}", "")  # every placeholder filled


@pytest.mark.parametrize("path", PAGES[:3])
def test_the_language_links_name_each_other_language_in_itself(settings, path):
    frame, _language, _found = render(settings, path, "?lang=fr")
    nav = next(c for c in _walk(frame) if getattr(c, "id", None) == "language-switch")
    links = {link.hrefLang: link for link in _walk(nav.children)}
    assert set(links) == {"en", "es"}
    assert links["en"].children == "English" and links["en"].lang == "en"
    assert links["es"].children == "Español" and links["es"].lang == "es"
    assert links["es"].href == f"{path}?lang=es"


def test_french_numbers_and_dates_follow_french_conventions(settings):
    frame, _language, _found = render(settings, "/review", "?lang=fr")
    words = _texts(frame)
    assert " %" in words or "\u00a0%" in words
    assert "AF20" in words or "T1 " in words or "T2 " in words  # French fiscal labels
