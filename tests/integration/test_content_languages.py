"""A language beyond English and Spanish needs configuration and content rows only: a
``name_fr`` column is imported as French text rows and served as ``name_fr`` by the API, the
downloads, the data dictionary and the OpenAPI document; a language the deployment does not
publish is refused with the file, row, column and value."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.core import languages
from dashboard.core.settings import Settings
from dashboard.infra.cache import cache
from dashboard.infra.db import session_scope
from dashboard.infra.models import Target, Unit, UnitText
from dashboard.web.cli import main
from dashboard.web.factory import create_app

UNITS = (
    "slug,kind,parent,name_en,name_es,name_fr,description_en,description_fr\n"
    "gc,enterprise,,Government,Gobierno,Gouvernement,,\n"
    "cra,agency,gc,Revenue Agency,Agencia Tributaria,Agence du revenu,Taxes,Impôts\n"
    "benefits,service,cra,Benefits,,Prestations,,\n"
)
METRICS = (
    "code,name_en,name_fr,dimension,scale,definition_en,definition_fr\n"
    "answered,Calls answered,Appels répondus,timeliness,fraction,Share answered,Part répondue\n"
)
TARGETS = (
    "agency,metric,kind,value,promise_en,promise_fr,effective_from\n"
    "cra,answered,numeric,0.8,We answer,Nous répondons,2025-04-01\n"
)


@pytest.fixture(autouse=True)
def _languages_back() -> Iterator[None]:
    yield
    languages.configure(("en", "es"), "en")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(url: str, command: str, path: Path, codes: str, *extra: str):  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": url, "LANGUAGES": codes, "DEFAULT_LANGUAGE": "en"}
    return CliRunner().invoke(main, [command, str(path), *extra], env=env)


def test_a_french_column_is_stored_and_served_as_name_fr(db_url, tmp_path):
    for command, name, text in (
        ("import-units", "units.csv", UNITS),
        ("import-metrics", "metrics.csv", METRICS),
        ("import-targets", "targets.csv", TARGETS),
    ):
        result = _import(db_url, command, _write(tmp_path, name, text), "en,es,fr", "--publish")
        assert result.exit_code == 0, result.output

    with session_scope(db_url) as session:
        rows = session.execute(
            select(UnitText.language, UnitText.text)
            .join(Unit, Unit.id == UnitText.owner_id)
            .where(Unit.slug == "cra", UnitText.field == "name")
        ).all()
        assert sorted(rows) == [
            ("en", "Revenue Agency"),
            ("es", "Agencia Tributaria"),
            ("fr", "Agence du revenu"),
        ]
        target = session.scalars(select(Target)).one()
        assert (target.promise_en, target.promise_fr) == ("We answer", "Nous répondons")

    app = create_app(Settings(database_url=db_url, languages=("en", "es", "fr")))
    with app.server.app_context():
        cache.clear()
    client = app.server.test_client()

    units = {u["slug"]: u for u in client.get("/api/v1/units").get_json()["data"]}
    agency = units["cra"]
    assert (agency["name_en"], agency["name_es"], agency["name_fr"]) == (
        "Revenue Agency",
        "Agencia Tributaria",
        "Agence du revenu",
    )
    assert (agency["description_en"], agency["description_es"], agency["description_fr"]) == (
        "Taxes",
        None,
        "Impôts",
    )
    # The existing columns stay as they were, French beside them.
    assert list(agency)[4:10] == [
        "name_en",
        "name_es",
        "name_fr",
        "description_en",
        "description_es",
        "description_fr",
    ]
    assert units["benefits"]["name_es"] is None and units["benefits"]["name_fr"] == "Prestations"
    metric = client.get("/api/v1/metrics").get_json()["data"][0]
    assert (metric["name_fr"], metric["definition_fr"]) == ("Appels répondus", "Part répondue")
    target = client.get("/api/v1/targets").get_json()["data"][0]
    assert (target["promise_en"], target["promise_fr"]) == ("We answer", "Nous répondons")

    csv_text = client.get("/api/v1/units.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert header[header.index("name_en") : header.index("name_en") + 3] == [
        "name_en",
        "name_es",
        "name_fr",
    ]

    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Units"]
    assert "name_fr" in schema["properties"] and "name_es" in schema["properties"]

    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/download.zip").get_data()))
    dictionary = list(
        csv.DictReader(io.StringIO(archive.read("data-dictionary.csv").decode("utf-8-sig")))
    )
    assert {"file": "units.csv", "column": "name_fr"} in [
        {"file": row["file"], "column": row["column"]} for row in dictionary
    ]
    assert "Agence du revenu" in archive.read("units.csv").decode("utf-8-sig")


def test_a_language_the_deployment_does_not_publish_is_refused(db_url, tmp_path):
    path = _write(tmp_path, "units.csv", UNITS)
    result = _import(db_url, "import-units", path, "en,es", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output[result.output.index("{") :])
    problems = {(p["row"], p["column"], p["value"]) for p in report["problems"]}
    assert {(1, "name_fr", "name_fr"), (1, "description_fr", "description_fr")} <= problems
    assert all("LANGUAGES" in p["reason"] for p in report["problems"])
    with session_scope(db_url) as session:
        assert session.scalars(select(Unit)).all() == []  # all or nothing


def test_the_required_name_is_the_default_languages(db_url, tmp_path):
    path = _write(tmp_path, "units.csv", "slug,kind,name_fr\ngc,enterprise,Gouvernement\n")
    result = _import(db_url, "import-units", path, "en,es,fr", "--format", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.output[result.output.index("{") :])["problems"]
    assert (problem["column"], problem["reason"]) == ("name_en", "required column is missing")


def test_a_results_mapping_takes_a_promise_and_service_names_in_french(db_url, tmp_path):
    for command, name, text in (
        ("import-units", "units.csv", UNITS),
        ("import-metrics", "metrics.csv", METRICS),
    ):
        assert _import(db_url, command, _write(tmp_path, name, text), "en,es,fr").exit_code == 0
    mapping = _write(
        tmp_path,
        "standards.toml",
        'name = "Standards"\ncreate_missing = true\n[columns]\nagency = "Dept"\n'
        'period = "Quarter"\n[service]\nkey = ["Std"]\nname_en = "{Std_en}"\n'
        'name_fr = "{Std_fr}"\n[[measures]]\nmetric = "answered"\nvalue = "Result"\n'
        'target = "Target"\npromise_en = "Promise_en"\npromise_fr = "Promise_fr"\n',
    )
    data = _write(
        tmp_path,
        "standards.csv",
        "Dept,Quarter,Std,Std_en,Std_fr,Result,Target,Promise_en,Promise_fr\n"
        "cra,2025-Q1,S1,Call us,Appelez-nous,0.9,0.8,We answer,Nous répondons\n",
    )
    result = _import(db_url, "import", data, "en,es,fr", "--mapping", str(mapping), "--publish")
    assert result.exit_code == 0, result.output
    with session_scope(db_url) as session:
        service = session.scalars(select(Unit).where(Unit.code == "S1")).one()
        assert (service.name_en, service.name_fr) == ("Call us", "Appelez-nous")
        target = session.scalars(select(Target).where(Target.unit_id == service.id)).one()
        assert (target.promise_en, target.promise_fr) == ("We answer", "Nous répondons")

    languages.configure(("en", "es"), "en")
    result = _import(db_url, "import", data, "en,es", "--mapping", str(mapping), "--dry-run")
    assert result.exit_code != 0
    assert "promise_fr" in result.output and "LANGUAGES" in result.output
