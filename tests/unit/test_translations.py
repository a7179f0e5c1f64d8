"""The interface catalogues: every message of the code is translated, with the same placeholders.

The messages are extracted from the source tree at test time (as ``pybabel extract`` does, with
the keywords of pyproject.toml), so a new English text without its translations fails here,
naming it.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from dashboard.core import i18n, languages
from dashboard.core.settings import PROJECT_ROOT, TRANSLATIONS_DIR, Settings

#: The languages cxdash ships a catalogue for (English is the source language).
SHIPPED = ("es", "fr")


def _extracted() -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(context, msgid) -> the English text(s) (singular, plural) of every message in the code."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = pyproject["tool"]["babel"]["extract_messages"]
    keywords = parse_keywords(options["keywords"].split())
    with (PROJECT_ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[tuple[str | None, str], tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=keywords
    ):
        texts = message if isinstance(message, tuple) else (message,)
        found[(context, texts[0])] = texts
    return found


EXTRACTED = _extracted()


def _catalogue(language: str):
    with i18n.catalogue_path(language).open("rb") as handle:
        return read_po(handle, domain=i18n.DOMAIN)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_code_has_messages_to_translate():
    assert len(EXTRACTED) > 500
    assert (None, "Skip to main content") not in EXTRACTED  # every message has its key
    assert ("skip_to_content", "Skip to main content") in EXTRACTED


@pytest.mark.parametrize("language", SHIPPED)
def test_catalogue_parses_and_names_its_language(language):
    catalogue = _catalogue(language)
    assert str(catalogue.locale) == language
    assert catalogue.plural_forms


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_of_the_code_is_translated(language):
    catalogue = _catalogue(language)
    problems = []
    for (context, msgid), texts in sorted(EXTRACTED.items(), key=str):
        message = catalogue.get(texts if len(texts) > 1 else msgid, context=context)
        if message is None:
            problems.append(f"missing: [{context}] {msgid!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: [{context}] {msgid!r}")
        elif not all(s.strip() for s in strings):
            problems.append(f"untranslated: [{context}] {msgid!r}")
    assert problems == [], f"{language}: {len(problems)} messages need a translation"


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_the_placeholders(language):
    problems = []
    for message in _catalogue(language):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(_fields(text) for text in ids))
        for text in strings:
            try:
                fields = _fields(text)
            except ValueError as error:
                problems.append(f"[{message.context}] {text!r}: {error}")
                continue
            if fields != wanted:
                problems.append(
                    f"[{message.context}] {text!r}: {sorted(fields)} != {sorted(wanted)}"
                )
    assert problems == []


@pytest.mark.parametrize("language", SHIPPED)
def test_no_obsolete_entries(language):
    """Every entry of a catalogue is still used by the code (pybabel update removes the rest)."""
    catalogue = _catalogue(language)
    unused = [
        f"[{m.context}] {m.id!r}"
        for m in catalogue
        if m.id and (m.context, m.id if isinstance(m.id, str) else m.id[0]) not in EXTRACTED
    ]
    assert unused == [] and not catalogue.obsolete


def test_runtime_reads_translations_and_falls_back_to_english(tmp_path, monkeypatch):
    table = i18n.messages(
        i18n.P_("skip_to_content", "Skip to main content"),
        i18n.P_("no_such_message", "Only in English"),
    )
    assert i18n.translate(table, "skip_to_content", "es") == "Saltar al contenido principal"
    assert i18n.translate(table, "skip_to_content", "en") == "Skip to main content"
    assert i18n.translate(table, "no_such_message", "es") == "Only in English"
    assert i18n.translate(table, "skip_to_content", "xx") == "Skip to main content"


def test_a_fuzzy_translation_is_not_used(tmp_path, monkeypatch):
    folder = tmp_path / "zz" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: zz\\n"\n\n'
        '#, fuzzy\nmsgctxt "a"\nmsgid "One"\nmsgstr "Uno"\n\n'
        'msgctxt "b"\nmsgid "Two"\nmsgstr "Dos"\n\n'
        'msgctxt "c"\nmsgid "Three"\nmsgstr ""\n',
        encoding="utf-8",
    )
    # A deployment's own catalogue folder (TRANSLATIONS_DIRS), searched before the shipped one.
    languages.configure_from_settings(
        Settings(languages=("en", "zz"), translations_dirs=(tmp_path,))
    )
    try:
        table = i18n.messages(i18n.P_("a", "One"), i18n.P_("b", "Two"), i18n.P_("c", "Three"))
        assert [i18n.translate(table, key, "zz") for key in "abc"] == ["One", "Dos", "Three"]
    finally:
        languages.configure_from_settings(Settings())


def test_plural_messages_follow_each_language():
    table = i18n.messages(
        i18n.NP_(
            "standards_of",
            "{agency} ({count} service standard)",
            "{agency} ({count} service standards)",
        )
    )
    assert (
        i18n.translate(table, "standards_of", "en", agency="A", count=1) == "A (1 service standard)"
    )
    assert (
        i18n.translate(table, "standards_of", "en", agency="A", count=0)
        == "A (0 service standards)"
    )
    assert (
        i18n.translate(table, "standards_of", "fr", agency="A", count=0) == "A (0 norme de service)"
    )
    assert i18n.translate(table, "standards_of", "es", agency="A", count=1200) == (
        "A (1,200 estándares de servicio)"
    )


def test_shipped_catalogues_are_the_ones_in_the_package():
    found = sorted(p.parent.parent.name for p in Path(TRANSLATIONS_DIR).glob("*/LC_MESSAGES/*.po"))
    assert tuple(found) == SHIPPED


def test_only_configured_languages_are_served():
    from dashboard.core import languages

    before = languages.content_languages()
    try:
        languages.configure(("en", "es"))
        assert i18n.normalize_language("fr", "en") == "en"
        assert i18n.normalize_language("ES", "en") == "es"
        assert i18n.normalize_language("es-MX", "en") == "es"
        languages.configure(("en", "es", "fr"), "fr")
        assert i18n.normalize_language("fr", "en") == "fr"
        assert i18n.normalize_language(None, "fr") == "fr"
        assert i18n.normalize_language("de", "en") == "en"
    finally:
        languages.configure(before)


def test_numbers_and_dates_follow_each_language():
    import datetime as dt

    from dashboard.domain.formatting import format_count, format_day, format_value, month_year

    day = dt.date(2026, 3, 10)
    assert [format_day(day, code) for code in ("en", "es", "fr")] == [
        "March 10, 2026",
        "10 de marzo de 2026",
        "10 mars 2026",
    ]
    assert month_year(day, "fr") == "mars 2026"
    # Spanish as written in the deployment's country (HOLIDAY_COUNTRY=US: es_US); French has
    # no United States variant in CLDR, so its own.
    assert [format_count(12345, code) for code in ("en", "es", "fr")] == [
        "12,345",
        "12,345",
        "12\u202f345",
    ]
    assert format_value(0.812, "fraction", "en") == "81.2%"
    assert format_value(0.812, "fraction", "fr") == "81,2\u00a0%"
    assert format_value(None, "fraction", "fr") == "Non déclaré"


def test_language_links_name_each_language_in_itself():
    from dash import html

    from dashboard.core import languages
    from layouts.shell import language_links

    before = languages.content_languages()
    try:
        languages.configure(("en", "es", "fr"))
        nav = language_links("/review", "es")
        links = [link for link in nav.children if isinstance(link, html.A)]
        assert [(a.children, a.lang, a.hrefLang, a.href) for a in links] == [
            ("English", "en", "en", "/review?lang=en"),
            ("Français", "fr", "fr", "/review?lang=fr"),
        ]
        assert links[1].title == "Voir en français"
    finally:
        languages.configure(before)


def test_the_data_dictionary_has_a_description_column_per_configured_language():
    from dashboard import open_data
    from dashboard.core import languages

    before = languages.content_languages()
    try:
        languages.configure(("en", "es"))
        assert "description_fr" not in open_data.data_dictionary()[0]
        languages.configure(("en", "es", "fr"))
        rows = open_data.data_dictionary()
        names = [f.name for f in open_data.DICTIONARY.fields]
        assert names[3:6] == ["description_en", "description_es", "description_fr"]
        name_en = next(row for row in rows if row["column"] == "name_en")
        assert name_en["description_en"] == "Name of the unit (English)."
        assert name_en["description_es"] == "Nombre de la unidad (inglés)."
        assert name_en["description_fr"] == "Nom de l'unité (anglais)."
        assert len(rows) == sum(len(r.fields) for r in (*open_data.RESOURCES, open_data.DICTIONARY))
    finally:
        languages.configure(before)


def test_numbers_follow_the_deployments_country_or_its_choice():
    from dashboard.domain.formatting import format_count, format_value

    try:
        # Spain's Spanish where the deployment says so.
        languages.configure_from_settings(Settings(format_locales={"es": "es_ES"}))
        assert format_count(12345, "es") == "12.345"
        assert format_value(0.812, "fraction", "es") == "81,2\u00a0%"
        # A Canadian deployment: French and English as written in Canada.
        languages.configure_from_settings(Settings(holiday_country="CA"))
        assert format_count(12345, "fr") == "12\u00a0345"
        assert format_value(0.812, "fraction", "en") == "81.2%"
        # Spanish has no Canadian variant in CLDR: its own conventions.
        assert format_count(12345, "es") == "12.345"
    finally:
        languages.configure_from_settings(Settings())
    assert format_count(12345, "es") == "12,345"  # the United States (es_US) again
