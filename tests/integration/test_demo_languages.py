"""The demo in a deployment with French: every public text it writes has its French twin.

The demo writes its content as import files with a column per configured language and loads
them through the importers (``data/demo``); its French comes from the data file
``data/demo/translations/fr.json``. A text without a translation would show English on a
French page, so a gap fails here, naming the text.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.core.languages import configure_from_settings
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.models import TRANSLATED_MODELS
from data.demo import generate_demo

FRENCH = ("en", "es", "fr")


@pytest.fixture
def french_demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'fr.sqlite3'}"
    db.upgrade(url)
    settings = Settings(database_url=url, languages=FRENCH)
    configure_from_settings(settings)
    try:
        generate_demo(url, settings)
        yield url
    finally:
        configure_from_settings(Settings())
        db.dispose_all()


def test_every_english_text_of_the_demo_has_a_french_twin(french_demo):
    missing: list[str] = []
    with db.session_scope(french_demo) as session:
        for model in TRANSLATED_MODELS:
            for owner in session.scalars(select(model)):
                for field in model.TRANSLATED:
                    texts = owner.text_map(field)
                    if texts.get("en") and not texts.get("fr"):
                        english = texts["en"]
                        missing.append(f"{model.__name__}.{field}: {english}")
    assert missing == []


def test_the_demo_writes_no_french_where_the_deployment_has_none(tmp_path):
    url = f"sqlite:///{tmp_path / 'en-es.sqlite3'}"
    db.upgrade(url)
    generate_demo(url, Settings(database_url=url))
    with db.session_scope(url) as session:
        for model in TRANSLATED_MODELS:
            for owner in session.scalars(select(model)):
                for field in model.TRANSLATED:
                    assert set(owner.text_map(field)) <= {"en", "es"}
    db.dispose_all()
