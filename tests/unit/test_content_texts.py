"""Agency content stored as text rows per language: the fallback order and the compatibility
layer (``name_en`` / ``title_fr`` as constructor arguments, attributes and SQL columns)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from dashboard.core import languages
from dashboard.infra.models import (
    Action,
    ActionText,
    Base,
    ContactPoint,
    Metric,
    Target,
    Unit,
    UnitText,
    load_texts,
    text_record,
)


@pytest.fixture(autouse=True)
def _default_languages() -> Iterator[None]:
    languages.configure(("en", "es"), "en")
    yield
    languages.configure(("en", "es"), "en")


# -- the fallback order --------------------------------------------------------------------


def test_fallback_is_the_language_asked_then_the_default_then_the_others():
    languages.configure(("en", "es", "fr"), "fr")
    assert languages.content_languages() == ("fr", "en", "es")
    assert languages.default_language() == "fr"
    assert languages.fallback_order("es") == ("es", "fr", "en")
    assert languages.fallback_order("fr") == ("fr", "en", "es")
    assert languages.fallback_order(None) == ("fr", "en", "es")


def test_text_falls_back_along_the_order_then_to_any_stored_language():
    languages.configure(("en", "es", "fr"), "en")
    unit = Unit(slug="dmv", kind="agency", name_en="Motor Vehicles", name_fr="Véhicules")
    assert unit.text("name", "fr") == "Véhicules"
    assert unit.text("name", "es") == "Motor Vehicles"  # not in Spanish: the default language
    assert unit.name("es") == "Motor Vehicles"
    assert unit.name("de") == "Motor Vehicles"  # an unknown language: the default
    only_german = Unit(slug="x", kind="agency", name_de="Kraftfahrzeuge")
    assert only_german.name("en") == "Kraftfahrzeuge"  # any stored text rather than none
    assert Unit(slug="y", kind="agency").name("en") == ""


def test_an_empty_text_falls_back_like_a_missing_one():
    action = Action(title_en="Callbacks", title_es="")
    assert action.text("title", "es") == "Callbacks"
    assert action.title_es == ""  # stored as given


def test_record_text_reads_the_keys_the_queries_hand_to_the_views():
    languages.configure(("en", "es", "fr"), "en")
    record = {"slug": "dmv", "name_en": "Motor Vehicles", "name_es": None, "name_fr": "Véhicules"}
    assert languages.record_text(record, "name", "fr") == "Véhicules"
    assert languages.record_text(record, "name", "es") == "Motor Vehicles"
    assert languages.record_texts(record, "name") == ("Motor Vehicles", "Véhicules")


# -- the compatibility layer ------------------------------------------------------------------


def test_constructor_arguments_and_attributes_of_any_language_are_text_rows():
    unit = Unit(slug="dmv", kind="agency", name_en="Motor Vehicles", name_es="Vehículos")
    assert (unit.name_en, unit.name_es, unit.name_fr) == ("Motor Vehicles", "Vehículos", None)
    unit.name_fr = "Véhicules"
    unit.description_fr = "Permis"
    rows = {(row.language, row.field): row.text for row in unit.texts}
    assert rows == {
        ("en", "name"): "Motor Vehicles",
        ("es", "name"): "Vehículos",
        ("fr", "name"): "Véhicules",
        ("fr", "description"): "Permis",
    }
    unit.name_es = None  # None removes the row
    assert unit.text_map("name") == {"en": "Motor Vehicles", "fr": "Véhicules"}
    unit.name_en = "DMV"  # a new value replaces the row's text
    assert unit.name_en == "DMV" and len(unit.text_map("name")) == 2


def test_only_declared_fields_are_translated():
    assert Unit.TRANSLATED == ("name", "description")
    assert Metric.TRANSLATED == ("name", "definition", "method", "data_source", "target_setting")
    assert Target.TRANSLATED == ("text", "promise")
    assert ContactPoint.TRANSLATED == ("label", "hours", "appointment")
    with pytest.raises(AttributeError):
        _ = Unit(slug="x", kind="agency").website_en
    with pytest.raises(TypeError):
        Unit(slug="x", kind="agency", nickname_en="X")
    # The structured opening hours stay a column beside the hours in words.
    point = ContactPoint(label_en="Phone", hours={"mon": []}, hours_en="Closed Mondays")
    assert point.hours == {"mon": []} and point.hours_en == "Closed Mondays"


def test_class_attributes_are_sql_expressions_on_the_text_rows():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(
            [
                Unit(slug="b", kind="agency", name_en="Beta", name_es="Beta es"),
                Unit(slug="a", kind="agency", name_en="Alpha", name_fr="Alpha fr"),
            ]
        )
        session.flush()
        assert session.execute(select(Unit.slug, Unit.name_fr).order_by(Unit.name_en)).all() == [
            ("a", "Alpha fr"),
            ("b", None),
        ]
        assert session.scalars(select(Unit.slug).where(Unit.name_es.is_(None))).all() == ["a"]
        unit = session.scalars(select(Unit).where(Unit.name_en == "Beta")).one()
        assert unit.name("es") == "Beta es"

        texts = load_texts(session, Unit)
        assert texts[unit.id]["name_es"] == "Beta es" and texts[unit.id]["description_en"] is None
        assert text_record(Unit) == {
            "name_en": None,
            "name_es": None,
            "description_en": None,
            "description_es": None,
        }

        session.delete(unit)
        session.flush()
        assert session.scalar(select(UnitText).where(UnitText.owner_id == unit.id)) is None
        assert session.scalars(select(ActionText)).all() == []


def test_the_order_comes_from_settings_and_is_exposed_by_i18n():
    from dashboard.core.i18n import content_fallback_order
    from dashboard.core.settings import Settings

    languages.configure_from_settings(Settings(languages=("en", "es", "fr"), default_language="fr"))
    assert content_fallback_order("es") == ("es", "fr", "en")
    assert Unit(slug="x", kind="agency", name_en="Tax", name_fr="Impôt").name("es") == "Impôt"
