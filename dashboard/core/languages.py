"""The languages agency content is written in, and the order a missing text falls back along.

Agency content (unit names, promises, actions, contact points, closures) is stored as rows per
language (``dashboard.infra.models``), so adding a language needs only configuration, a catalogue
and content rows. The app factory and the command line set the configured languages from
settings (``LANGUAGES``, ``DEFAULT_LANGUAGE``); until then the default order applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

DEFAULT_ORDER: tuple[str, ...] = ("en", "es")

#: A language code as stored and as a column suffix: ``en``, ``fr``, ``pt_br``.
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:_[a-z]{2,4})?$")

_configured: tuple[str, ...] = DEFAULT_ORDER
#: The deployment's own catalogue folders (``TRANSLATIONS_DIRS``), searched first.
_catalogue_dirs: tuple[Path, ...] = ()
#: Where numbers and dates are read (``HOLIDAY_COUNTRY``) and the deployment's own choices of
#: locale per language (``FORMAT_LOCALES``): see ``dashboard.core.i18n.format_locale``.
_format_country = "US"
_format_locales: tuple[tuple[str, str], ...] = ()


def configure(languages: Iterable[str] | None, default: str | None = None) -> None:
    """Set the deployment's content languages, the default language first."""
    global _configured
    order = [code.strip().lower() for code in (languages or DEFAULT_ORDER) if code.strip()]
    if default:
        default = default.strip().lower()
        order = [default, *(code for code in order if code != default)]
    _configured = tuple(dict.fromkeys(order)) or DEFAULT_ORDER


def configure_from_settings(settings: object) -> None:
    """:func:`configure` from a ``Settings`` (``languages`` and ``default_language``), and the
    folders of the deployment's own catalogues (``translations_dirs``)."""
    global _catalogue_dirs, _format_country, _format_locales
    configure(getattr(settings, "languages", None), getattr(settings, "default_language", None))
    _catalogue_dirs = tuple(getattr(settings, "translations_dirs", ()) or ())
    _format_country = str(getattr(settings, "holiday_country", "") or "")
    _format_locales = tuple(sorted(dict(getattr(settings, "format_locales", {}) or {}).items()))


def format_country() -> str:
    """The deployment's country (``HOLIDAY_COUNTRY``): where its numbers and dates are read."""
    return _format_country


def format_locales() -> tuple[tuple[str, str], ...]:
    """The deployment's own (language, CLDR locale) choices for numbers and dates."""
    return _format_locales


def catalogue_dirs() -> tuple[Path, ...]:
    """The deployment's own catalogue folders, searched before the shipped ones."""
    return _catalogue_dirs


def content_languages() -> tuple[str, ...]:
    """The configured languages, the default language first."""
    return _configured


def default_language() -> str:
    return _configured[0]


def fallback_order(language: str | None) -> tuple[str, ...]:
    """The languages to try for a text asked in ``language``: that language, then the
    default language, then the other configured languages."""
    if not language:
        return _configured
    return tuple(dict.fromkeys((language, *_configured)))


def pick(texts: Mapping[str, str | None], language: str | None) -> str | None:
    """The text in ``language`` from ``{language: text}``, falling back along
    :func:`fallback_order`, then to any stored text (sorted by language, for a stable answer)."""
    for code in fallback_order(language):
        text = texts.get(code)
        if text:
            return text
    for code in sorted(texts):
        if texts[code]:
            return texts[code]
    return None


def record_text(record: Mapping[str, object], field: str, language: str | None) -> str | None:
    """``field`` in ``language`` from a record dict that carries ``<field>_<language>`` keys
    (as the queries hand to the views), with the same fallback as :func:`pick`."""
    for code in fallback_order(language):
        value = record.get(f"{field}_{code}")
        if isinstance(value, str) and value:
            return value
    prefix = f"{field}_"
    texts = {
        key[len(prefix) :]: value
        for key, value in record.items()
        if key.startswith(prefix)
        and isinstance(value, str)
        and LANGUAGE_CODE.match(key[len(prefix) :])
    }
    return pick(texts, language)


def record_texts(record: Mapping[str, object], field: str) -> tuple[str, ...]:
    """Every language's ``field`` of a record dict, the configured languages first (for
    searching a name in whichever language it was typed)."""
    prefix = f"{field}_"
    found = {
        key[len(prefix) :]: value
        for key, value in record.items()
        if key.startswith(prefix) and isinstance(value, str) and value
        if LANGUAGE_CODE.match(key[len(prefix) :])
    }
    order = [
        *(code for code in _configured if code in found),
        *sorted(set(found) - set(_configured)),
    ]
    return tuple(found[code] for code in order)


def not_configured(language: str, remedy: str = "remove the column") -> str:
    """Why text in ``language`` is refused: the deployment does not publish that language."""
    configured = ",".join(_configured)
    return (
        f"text in a language this deployment does not publish ({language!r}); its languages "
        f"are {configured} (LANGUAGES): add {language} to LANGUAGES or {remedy}"
    )
