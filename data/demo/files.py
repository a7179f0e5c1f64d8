"""Writing the demo's rows as files in the documented import formats.

Each file has a :class:`Layout`: its columns in order, where a text shown to the public is
written ``<field>_*`` and becomes one column per language, ``<field>_en``, ``<field>_es``...
A row holds the English (and Spanish) texts itself (``name_en``, ``name_es``); any other
language's text comes from a translation table, English text -> translated text. So giving
the demo a language is one data change: an entry in ``translations`` (for example French
from a ``{English: French}`` JSON file); the layouts and rows stay as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from data.demo.timeline import Row

#: The languages every demo row carries itself.
BASE_LANGUAGES = ("en", "es")

#: Translations, by language code: English text -> text in that language.
Translations = Mapping[str, Mapping[str, str]]

TEXT = "_*"


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of file; ``name_*`` stands for a column per language."""

    columns: tuple[str, ...]

    def header(self, languages: Sequence[str]) -> list[str]:
        header: list[str] = []
        for column in self.columns:
            if column.endswith(TEXT):
                field = column.removesuffix(TEXT)
                header.extend(f"{field}_{language}" for language in languages)
            else:
                header.append(column)
        return header


UNITS = Layout(("slug", "kind", "parent", "code", "name_*", "description_*", "website"))
METRICS = Layout(
    (
        "code", "name_*", "dimension", "scale", "direction", "norm_best", "norm_worst",
        "definition_*", "method_*", "data_source_*", "target_setting_*", "is_survey", "headline",
    )
)  # fmt: skip
TARGETS = Layout(
    (
        "agency", "service", "metric", "kind", "value", "comparator", "text_*", "promise_*",
        "effective_from", "effective_to",
    )
)  # fmt: skip
#: The long results format (docs/import-format.md).
OBSERVATIONS = Layout(
    (
        "agency", "service", "metric", "period_start", "period_end", "granularity",
        "segment_type", "segment_value", "value", "numerator", "denominator", "response_rate",
        "series_break", "note",
    )
)  # fmt: skip
ACTIONS = Layout(
    (
        "agency", "service", "id", "title_*", "description_*", "status", "started_on",
        "completed_on", "link", "measures", "internal_note",
    )
)  # fmt: skip
CONTACT_POINTS = Layout(
    (
        "agency", "service", "id", "channel", "label_*", "value", "address", "hours_*",
        "appointment_*", "languages", "sort_order",
    )
)  # fmt: skip
CLOSURES = Layout(("agency", "service", "id", "contact_point", "starts_on", "ends_on", "reason_*"))


def cell(value: object) -> str:
    """A value as the documented formats read it: plain numbers, ISO dates, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        return text if "e" not in text else f"{value:.12f}".rstrip("0")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class FileWriter:
    """Writes files of a :class:`Layout` into ``folder``, in ``languages``."""

    folder: Path
    translations: Translations
    #: The deployment's languages (``settings.languages``): the importers refuse columns in
    #: any other. A column is written for each that the demo has texts in.
    configured: Sequence[str] = BASE_LANGUAGES

    @property
    def languages(self) -> tuple[str, ...]:
        known = (
            *BASE_LANGUAGES,
            *(code for code in self.translations if code not in BASE_LANGUAGES),
        )
        return tuple(code for code in known if code in self.configured)

    def _text(self, row: Row, field: str, language: str) -> object:
        own = row.get(f"{field}_{language}")
        if own is not None or language in BASE_LANGUAGES:
            return own
        english = row.get(f"{field}_en")
        if not isinstance(english, str):
            return None
        return self.translations.get(language, {}).get(english)

    def _cells(self, layout: Layout, row: Row) -> list[str]:
        cells: list[str] = []
        for column in layout.columns:
            if column.endswith(TEXT):
                field = column.removesuffix(TEXT)
                cells.extend(cell(self._text(row, field, code)) for code in self.languages)
            else:
                cells.append(cell(row.get(column)))
        return cells

    def write(self, name: str, layout: Layout, rows: Iterable[Row]) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(layout.header(self.languages))
            out.writerows(self._cells(layout, row) for row in rows)
        return path
