"""A fourth language is a catalogue and content rows, no code (issue 9).

German is not shipped: the deployment keeps its catalogue in its own folder
(``TRANSLATIONS_DIRS``), lists it in ``LANGUAGES`` and stores agency content in it as rows. The
interface then speaks German where the catalogue says so (English elsewhere), the pages show the
German content, every other page links to the German one, and the API adds ``name_de`` beside
``name_en`` and ``name_es``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from sqlalchemy import select

from callbacks.router import render
from dashboard.core import languages
from dashboard.core.i18n import MESSAGES
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.models import Unit
from dashboard.web.factory import create_app
from tests.components import texts

GERMAN = {
    "skip_to_content": "Zum Hauptinhalt springen",
    "site_tagline": "Wie gut der Staat die Öffentlichkeit bedient",
    "footer_source": "Die Zahlen veröffentlicht jede Behörde. Entwürfe werden nie gezeigt.",
}
AGENCY_IN_GERMAN = "Kraftfahrzeugbehörde"


def _catalogue(folder) -> None:
    catalog = Catalog(locale="de", domain="messages")
    for key, text in GERMAN.items():
        catalog.add(MESSAGES[key].text, text, context=key)
    path = folder / "de" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)


@pytest.fixture
def german(demo_copy_url: str, tmp_path) -> Iterator[tuple[Settings, Any]]:
    _catalogue(tmp_path)
    with db.session_scope(demo_copy_url) as session:
        agency = session.scalars(select(Unit).where(Unit.slug == "dmv")).one()
        agency.name_de = AGENCY_IN_GERMAN  # a content row in unit_texts, like any language
    settings = Settings.from_env(
        {
            "DATABASE_URL": demo_copy_url,
            "LANGUAGES": "en,es,fr,de",
            "TRANSLATIONS_DIRS": str(tmp_path),
        }
    )
    app = create_app(settings)
    try:
        with app.server.app_context():
            yield settings, app
    finally:
        languages.configure_from_settings(Settings())


@pytest.mark.parametrize("demo_copy_url", ["sqlite", "postgres"], indirect=True)
def test_a_fourth_language_needs_only_a_catalogue_and_content_rows(german):
    settings, app = german
    frame, language, found = render(settings, "/agency/dmv", "?lang=de")
    words = texts(frame)
    assert (language, found) == ("de", True)
    assert GERMAN["skip_to_content"] in words and GERMAN["footer_source"] in words
    assert AGENCY_IN_GERMAN in words
    # A text the catalogue lacks is English, never a key or an empty string.
    assert MESSAGES["open_data_link"].text in words

    english, _language, _found = render(settings, "/", "?lang=en")
    assert "Deutsch" in texts(english, attributes=("href", "hrefLang")) and "?lang=de" in texts(
        english, attributes=("href", "hrefLang")
    )

    units = app.server.test_client().get("/api/v1/units?limit=1000").get_json()["data"]
    dmv = next(unit for unit in units if unit["slug"] == "dmv")
    assert dmv["name_de"] == AGENCY_IN_GERMAN
    assert dmv["name_en"] and dmv["name_es"]  # what API consumers read today stays
    other = next(unit for unit in units if unit["slug"] != "dmv")
    assert other["name_de"] is None  # no German row: null, the pages fall back to English
