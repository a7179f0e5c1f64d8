"""The methodology page over a real store (SQLite and PostgreSQL): every metric is defined.

The page is generated from the metric definitions in the store; a metric that lacks its
definition, method, data source or target-setting text fails here.
"""

from __future__ import annotations

from typing import Any

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.normalize import NormalizationRule, describe
from dashboard.gateway import queries
from dashboard.infra.db import session_scope
from dashboard.infra.models import Metric
from dashboard.views import methodology as view
from dashboard.web.factory import create_app
from dashboard.web.pages import PageContext
from layouts.methodology import layout as methodology_layout

LANGUAGES = ("en", "es")


def _texts(component: Any) -> list[str]:
    if component is None:
        return []
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        return [text for child in component for text in _texts(child)]
    return _texts(getattr(component, "children", None))


def _classes(component: Any) -> list[str]:
    if component is None or isinstance(component, str):
        return []
    if isinstance(component, (list, tuple)):
        return [name for child in component for name in _classes(child)]
    own = (getattr(component, "className", None) or "").split()
    return own + _classes(getattr(component, "children", None))


def test_every_demo_metric_is_fully_defined_in_both_languages(demo_copy_url: str):
    settings = Settings(database_url=demo_copy_url)
    records = queries.metrics(settings.database_url)
    assert records, "the demo store has metrics"
    for record in records:
        for field in ("name", *view.METRIC_TEXT_FIELDS):
            for language in LANGUAGES:
                value = record[f"{field}_{language}"]
                assert value and value.strip(), f"{record['code']} has no {field}_{language}"

    for language in LANGUAGES:
        built = view.build(settings.database_url, settings, Route("methodology"), {}, language)
        assert built.incomplete == {}
        assert sorted(entry.code for entry in built.metrics) == sorted(
            record["code"] for record in records
        )
        for record in records:
            entry = next(e for e in built.metrics if e.code == record["code"])
            section = next(s for s in built.dimensions if entry in s.metrics)
            assert section.dimension == record["dimension"]
            assert entry.name.text == record[f"name_{language}"]
            assert entry.normalization == describe(
                NormalizationRule(
                    record["scale"],
                    record["direction"],
                    record["norm_best"],
                    record["norm_worst"],
                ),
                language,
            )
            for fact in entry.facts:
                assert fact.value == view.LocalizedText(
                    record[f"{fact.field}_{language}"], language
                )

        components = methodology_layout(
            built,
            PageContext(language=language, path="/methodology", query={}, settings=settings),
        )
        assert "methodology-missing" not in _classes(components)
        texts = _texts(components)
        assert view.text("missing_definition", language) not in texts
        for record in records:
            assert record[f"definition_{language}"] in texts

    # The page itself answers 200 in both languages.
    client = create_app(settings).server.test_client()
    assert client.get("/methodology").status_code == 200
    assert client.get("/methodology?lang=es").status_code == 200


def test_a_metric_without_a_definition_says_so_on_the_page(settings: Settings):
    with session_scope(settings.database_url) as session:
        session.add(
            Metric(
                code="first_contact_resolution",
                name_en="Resolved on first contact",
                dimension="accuracy",
                scale="fraction",
                direction="higher",
                method_en="Cases closed at the first contact divided by all cases.",
                data_source_en="Case system.",
                target_setting_en="Set from the baseline year.",
            )
        )
    built = view.build(settings.database_url, settings, Route("methodology"), {}, "es")
    assert built.incomplete == {"first_contact_resolution": ("definition",)}

    components = methodology_layout(
        built, PageContext(language="es", path="/methodology", query={}, settings=settings)
    )
    assert _classes(components).count("methodology-missing") == 1
    texts = _texts(components)
    assert "Falta la definición" in texts
    # Spanish is missing too, so the English method is shown rather than nothing.
    assert "Cases closed at the first contact divided by all cases." in texts
