"""Interface text: English in the code, every other language in a gettext catalogue.

The words of the interface (not agency content, which lives in the store with one row per
language) are written in English where they are used, each with a stable key::

    TEXT = messages(
        P_("data_as_of", "Data as of {date}"),
        NP_("services", "{count} service", "{count} services"),
    )
    translate(TEXT, "data_as_of", language, date=...)

``P_`` and ``NP_`` are markers that ``pybabel extract -F babel.cfg`` understands (the key is
the message context, ``msgctxt``; the English text is the ``msgid``). Translations live in
``dashboard/translations/<language>/LC_MESSAGES/messages.po``; each is read once per process
with Babel, so a fresh clone needs no build step. A missing, empty or fuzzy translation falls
back to the English text. Placeholders are ``str.format`` fields (``{date}``) and must be the
same in every translation (``tests/unit/test_translations.py`` checks). See
``docs/translations.md`` for adding a language.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from dashboard.core import languages as configured
from dashboard.core.settings import SOURCE_LANGUAGE, catalogue_file

DOMAIN = "messages"


class Message(NamedTuple):
    """One interface text: its key (the ``msgctxt``), English text and, for a text that
    depends on a number, the English plural."""

    key: str
    text: str
    plural: str | None = None


#: A module's table of interface texts, by key.
Messages = Mapping[str, Message]


def P_(key: str, text: str) -> Message:
    """Mark an interface text for translation: ``key`` is its stable id, ``text`` English."""
    return Message(key, text)


def NP_(key: str, singular: str, plural: str) -> Message:
    """Mark a text that depends on a number (the ``count`` or ``n`` value given to
    :func:`translate`): gettext chooses the form each language needs."""
    return Message(key, singular, plural)


def messages(*entries: Message) -> dict[str, Message]:
    """A table of interface texts by key (a repeated key is a mistake)."""
    table: dict[str, Message] = {}
    for entry in entries:
        if entry.key in table:
            raise ValueError(f"interface text {entry.key!r} is defined twice")
        table[entry.key] = entry
    return table


def catalogue_path(language: str) -> Path:
    """``language``'s catalogue: the deployment's own (``TRANSLATIONS_DIRS``) or the shipped one."""
    return catalogue_file(language, configured.catalogue_dirs())


def has_catalogue(language: str) -> bool:
    """Whether the interface can be shown in ``language`` (English always can)."""
    return language == SOURCE_LANGUAGE or catalogue_path(language).is_file()


def translations(language: str) -> gettext.NullTranslations:
    """``language``'s catalogue, read once per process (English: the texts as written).

    Entries that are fuzzy or not (fully) translated are left out, so they fall back to English.
    """
    # Resolved once per language and set of folders: this runs for every text on every page.
    return _read_catalogue(language, configured.catalogue_dirs())


@functools.cache
def _read_catalogue(language: str, folders: tuple[Path, ...]) -> gettext.NullTranslations:
    path = catalogue_file(language, folders)
    if language == SOURCE_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    for message in list(catalog)[1:]:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            catalog.delete(message.id, context=message.context)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@functools.cache
def babel_locale(language: str) -> Locale:
    """The CLDR locale of ``language`` itself: its name and the names it gives other languages."""
    try:
        return Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(SOURCE_LANGUAGE)


def format_locale(language: str) -> Locale:
    """The CLDR locale whose number and date conventions a page in ``language`` follows.

    The deployment's choice (``FORMAT_LOCALES``, e.g. ``es=es_MX``), else the language as
    written in the deployment's country (``HOLIDAY_COUNTRY``: Spanish in the United States is
    ``es_US``, "12,345.6" and "81.2%"; French in Canada ``fr_CA``), else the language's own
    (``fr``: "12 345,6").
    """
    return _format_locale(language, configured.format_country(), configured.format_locales())


@functools.cache
def _format_locale(language: str, country: str, chosen: tuple[tuple[str, str], ...]) -> Locale:
    explicit = dict(chosen).get(language)
    for candidate in (explicit, f"{language}_{country}" if country else None, language):
        try:
            locale = Locale.parse(candidate) if candidate else None
        except (ValueError, UnknownLocaleError):
            continue  # no CLDR data for this language in that country (fr_US)
        if locale is not None:
            return locale
    return babel_locale(language)


def language_name(language: str, *, in_sentence: bool = False) -> str:
    """A language's name in that language, as a reader looks for it: "Español", "Français";
    ``in_sentence``: as written inside a sentence ("español", "English")."""
    locale = babel_locale(language)
    name = locale.get_display_name(locale) or language
    return name if in_sentence else name[:1].upper() + name[1:]


def normalize_language(value: str | None, default: str = SOURCE_LANGUAGE) -> str:
    """``value`` when it names a configured language ("es", "ES", "es-MX"), else ``default``."""
    code = (value or "").strip().lower().replace("-", "_")
    languages = configured.content_languages()
    if code in languages:
        return code
    primary = code.split("_")[0]
    return primary if primary in languages else default


def _plural_number(values: dict[str, object], key: str, language: str) -> int:
    for name in ("count", "n"):
        number = values.get(name)
        if isinstance(number, int) and not isinstance(number, bool):
            values[name] = format_integer(number, language)
            return number
    raise TypeError(f"interface text {key!r} needs a whole-number count= or n= value")


def format_integer(value: int, language: str) -> str:
    """A whole number with the language's digit grouping: 12,345 / 12.345 / 12 345."""
    return format_decimal(value, format="#,##0", locale=format_locale(language))


def translate(table: Messages, key: str, language: str, /, **values: object) -> str:
    """``table[key]`` in ``language`` (English when untranslated), with ``values`` filled in.

    For a text marked with :func:`NP_` the ``count`` (or ``n``) value, a whole number, chooses
    the form and is written with the language's digit grouping.
    """
    message = table[key]
    catalogue = translations(language)
    if message.plural is None:
        text = catalogue.pgettext(message.key, message.text)
    else:
        number = _plural_number(values, key, language)
        text = catalogue.npgettext(message.key, message.text, message.plural, number)
    return text.format(**values) if values else text


MESSAGES: Messages = messages(
    P_("skip_to_content", "Skip to main content"),
    P_("site_tagline", "How well government serves the public"),
    P_("language_switch_label", "View in {language}"),
    P_("language_switch_nav", "Languages"),
    # Punctuation that follows the language's typography (French: a no-break space before ; and :).
    P_("label_colon", "{label}:"),
    P_("label_value", "{label}: {value}"),
    P_("list_separator", "; "),
    P_("home_title", "Customer service performance"),
    P_(
        "home_intro",
        "Each agency posts the service levels it promises the public. This dashboard shows "
        "how well it keeps those promises: accuracy, responsiveness, timeliness and "
        "satisfaction, and the actions it takes to improve.",
    ),
    P_("agencies_heading", "Agencies"),
    P_("no_agencies", "No agencies have been loaded yet. Run `cxdash demo` or `cxdash import`."),
    P_("data_as_of", "Data as of {date}"),
    P_("last_updated", "Last updated {date}"),
    P_("no_data_yet", "No published data yet"),
    P_("not_found_title", "Page not found"),
    P_("store_unavailable_title", "The dashboard is unavailable for a moment"),
    P_(
        "store_unavailable_body",
        "Its figures cannot be read right now. Please try again in a few minutes.",
    ),
    P_(
        "not_found_body",
        "We could not find the page {path}. It may have moved, or the address may be wrong.",
    ),
    P_("back_home", "Go to the overview of all agencies"),
    P_("methodology_link", "How the figures are measured (methodology)"),
    P_("footer_source", "Figures are published by each agency. Drafts are never shown."),
    P_("noscript", "This dashboard needs JavaScript to show its figures."),
    P_("loading", "Loading…"),
    P_("review_link", "Quarterly review: this quarter against the last, and the review pack (PDF)"),
    P_("open_data_link", "Open data: download all figures, or use the API"),
)


def t(key: str, language: str, /, **values: object) -> str:
    """The shared interface text ``key`` (:data:`MESSAGES`) in ``language``."""
    return translate(MESSAGES, key, language, **values)


def content_fallback_order(language: str | None) -> tuple[str, ...]:
    """The languages agency text (names, promises...) is looked for in, for a reader of
    ``language``: that language, then DEFAULT_LANGUAGE, then the other configured languages
    (set by the app factory from settings; see :mod:`dashboard.core.languages`)."""
    return configured.fallback_order(language)
