"""The demo's file writer: documented columns, and one column per language from a table."""

from __future__ import annotations

import csv
import datetime as dt

from data.demo import files
from data.demo.files import FileWriter, Layout


def _read(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_cells_are_written_as_the_import_formats_read_them(tmp_path) -> None:
    layout = Layout(("code", "value", "day", "flag", "empty"))
    path = FileWriter(tmp_path, {}).write(
        "x.csv",
        layout,
        [{"code": "a", "value": 12.0, "day": dt.date(2025, 1, 31), "flag": True, "empty": None}],
    )
    assert _read(path) == [
        {"code": "a", "value": "12", "day": "2025-01-31", "flag": "yes", "empty": ""}
    ]
    assert files.cell(0.815) == "0.815" and files.cell(1e-7) == "0.0000001"


def test_a_language_is_one_translation_table(tmp_path) -> None:
    rows = [
        {"slug": "dmv", "kind": "agency", "name_en": "Motor Vehicles", "name_es": "Vehículos"},
        {"slug": "tax", "kind": "agency", "name_en": "Revenue", "name_es": "Ingresos"},
    ]
    plain = _read(FileWriter(tmp_path, {}).write("plain.csv", files.UNITS, rows))
    assert list(plain[0]) == [
        "slug", "kind", "parent", "code", "name_en", "name_es", "description_en",
        "description_es", "website",
    ]  # fmt: skip

    french = {"fr": {"Motor Vehicles": "Véhicules automobiles"}}
    writer = FileWriter(tmp_path, french, configured=("en", "es", "fr"))
    written = _read(writer.write("fr.csv", files.UNITS, rows))
    assert list(written[0])[4:10] == [
        "name_en", "name_es", "name_fr", "description_en", "description_es", "description_fr",
    ]  # fmt: skip
    assert written[0]["name_fr"] == "Véhicules automobiles"
    assert written[1]["name_fr"] == ""  # no translation: left empty, never the English
    assert written[0]["name_es"] == "Vehículos"


def test_only_the_deployments_languages_are_written(tmp_path) -> None:
    # The importers refuse a column in a language the deployment does not publish.
    rows = [{"slug": "dmv", "kind": "agency", "name_en": "Motor Vehicles", "name_es": "Vehículos"}]
    french = {"fr": {"Motor Vehicles": "Véhicules automobiles"}}
    written = _read(FileWriter(tmp_path, french).write("en-es.csv", files.UNITS, rows))
    assert "name_fr" not in written[0]
    english_only = FileWriter(tmp_path, french, configured=("en",))
    assert list(_read(english_only.write("en.csv", files.UNITS, rows))[0])[4:6] == [
        "name_en",
        "description_en",
    ]
