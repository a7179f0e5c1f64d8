"""The methodology page's domain functions and layout, without a database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dashboard.core.settings import Settings
from dashboard.domain.normalize import NormalizationRule, describe
from dashboard.views import methodology as view
from dashboard.web.pages import PageContext
from layouts import methodology as page


def metric_record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "code": "ack_within_1bd",
        "name_en": "Messages acknowledged within one business day",
        "name_es": "Mensajes con acuse de recibo en un día hábil",
        "dimension": "responsiveness",
        "scale": "fraction",
        "direction": "higher",
        "norm_best": None,
        "norm_worst": None,
        "is_survey": False,
    }
    for field in view.METRIC_TEXT_FIELDS:
        record[f"{field}_en"] = f"{field} in English"
        record[f"{field}_es"] = f"{field} en español"
    record.update(overrides)
    return record


def texts_of(component: Any) -> list[str]:
    """Every string in a Dash component tree, in document order."""
    if component is None:
        return []
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        return [text for child in component for text in texts_of(child)]
    return texts_of(getattr(component, "children", None))


def find_all(component: Any, predicate) -> list[Any]:  # type: ignore[no-untyped-def]
    found = []
    if isinstance(component, (list, tuple)):
        for child in component:
            found.extend(find_all(child, predicate))
        return found
    if component is None or isinstance(component, str):
        return found
    if predicate(component):
        found.append(component)
    found.extend(find_all(getattr(component, "children", None), predicate))
    return found


def context(language: str) -> PageContext:
    return PageContext(language=language, path="/methodology", query={}, settings=Settings())


def test_complete_metric_has_every_fact_in_the_page_language():
    entry = view.metric_entry(metric_record(), "es", 30)
    assert entry.missing == ()
    assert [fact.field for fact in entry.facts] == list(view.METRIC_TEXT_FIELDS)
    assert all(fact.value is not None and fact.value.language == "es" for fact in entry.facts)
    assert entry.name.text == "Mensajes con acuse de recibo en un día hábil"
    assert entry.anchor == "metric-ack_within_1bd"
    assert entry.scale_text.startswith("Una proporción del total")
    assert entry.direction_text == "Más alto es mejor"


def test_spanish_page_falls_back_to_english_text_and_says_so():
    entry = view.metric_entry(metric_record(method_es="  ", name_es=None), "es", 30)
    method = next(fact for fact in entry.facts if fact.field == "method")
    assert method.value == view.LocalizedText("method in English", "en")
    assert entry.name == view.LocalizedText("Messages acknowledged within one business day", "en")
    assert entry.missing == ()


@pytest.mark.parametrize("field", view.METRIC_TEXT_FIELDS)
def test_a_text_missing_in_every_language_is_flagged(field):
    entry = view.metric_entry(metric_record(**{f"{field}_en": None, f"{field}_es": ""}), "en", 30)
    assert entry.missing == (field,)
    fact = next(fact for fact in entry.facts if fact.field == field)
    assert fact.value is None
    assert fact.missing_text == view.text(f"missing_{field}", "en")


def test_normalization_rule_comes_from_the_metric_definition():
    record = metric_record(scale="seconds", direction="lower", norm_best=0.0, norm_worst=600.0)
    entry = view.metric_entry(record, "en", 30)
    expected = describe(NormalizationRule("seconds", "lower", 0.0, 600.0), "en")
    assert entry.normalization == expected
    assert "0 s scores 100" in entry.normalization
    assert "600 s scores 0" in entry.normalization
    unscored = view.metric_entry(metric_record(scale="count"), "en", 30)
    assert unscored.normalization.startswith("Not normalized")


def test_fraction_scores_are_described_in_percent_as_the_site_shows_them():
    assert "100% scores 100 and 0% scores 0" in describe(NormalizationRule("fraction"))
    lower = describe(NormalizationRule("business_days", "lower", 0, 30), "es")
    assert "0 días hábiles vale 100" in lower


def test_survey_measures_state_the_small_sample_threshold():
    share = view.metric_entry(metric_record(is_survey=True), "en", 45)
    assert share.survey_text is not None
    assert "95% interval" in share.survey_text and "45" in share.survey_text
    mean = view.metric_entry(metric_record(is_survey=True, scale="mean_1_5"), "en", 45)
    assert mean.survey_text is not None and "interval" not in mean.survey_text
    assert view.metric_entry(metric_record(), "en", 45).survey_text is None


def test_dimensions_follow_the_art_order_and_metrics_sort_by_name():
    records = [
        metric_record(code="trust", name_en="Trust", dimension="satisfaction"),
        metric_record(code="ease", name_en="Ease", dimension="satisfaction"),
        metric_record(code="accuracy_rate", name_en="Accuracy rate", dimension="accuracy"),
    ]
    sections = view.dimension_sections(records, "en", 30)
    assert [s.dimension for s in sections] == ["accuracy", "satisfaction"]
    assert [e.code for e in sections[1].metrics] == ["ease", "trust"]
    assert sections[1].anchor == "dimension-satisfaction"


def rule(rules: tuple[view.RuleSection, ...], anchor: str) -> view.RuleSection:
    return next(r for r in rules if r.anchor == anchor)


def test_small_sample_rule_follows_the_threshold_and_policy():
    flagged = rule(
        view.page_rules(Settings(small_sample_threshold=50), None, "en"), "rule-small-samples"
    )
    assert "fewer than 50 responses" in flagged.paragraphs[0]
    assert "warning" in flagged.paragraphs[0]
    suppressed = rule(
        view.page_rules(
            Settings(small_sample_threshold=1200, small_sample_policy="suppress"), None, "es"
        ),
        "rule-small-samples",
    )
    assert "menos de 1,200 respuestas" in suppressed.paragraphs[0]
    assert "no se muestra" in suppressed.paragraphs[0]


def test_met_rule_lists_every_status_with_its_symbol():
    met = rule(view.page_rules(Settings(), None, "en"), "rule-met")
    assert "last day of its period" in met.paragraphs[0]
    assert [item.split(":")[0] for item in met.items] == [
        "✓ Met",
        "✗ Not met",
        "– No target",
        "? Not reported",
    ]


def test_fiscal_rule_uses_the_configured_calendar():
    state = Settings(fiscal_year_start_month=7, fiscal_year_label_style="state")
    fiscal = view.fiscal_rule(state, dt.date(2026, 3, 31), "en")
    assert "starts on July 1" in fiscal.paragraphs[0]
    assert "FY2025-26 runs from July 1, 2025 to June 30, 2026" in fiscal.paragraphs[1]
    assert fiscal.items[0] == "FY2025-26 Q1: July 2025 to September 2025"
    assert len(fiscal.items) == 4

    federal = view.fiscal_rule(Settings(), dt.date(2026, 6, 30), "es")
    assert "el 1 de octubre" in federal.paragraphs[0]
    assert "AF2026 va del 1 de octubre de 2025 al 30 de septiembre de 2026" in federal.paragraphs[1]
    assert federal.items[2] == "T3 AF2026: de abril de 2026 a junio de 2026"

    calendar_year = view.fiscal_rule(Settings(fiscal_year_start_month=1), None, "en")
    assert "fiscal year is the calendar year" in calendar_year.paragraphs[0]
    assert calendar_year.items == ()  # no data, no example year invented


def build_view(records: list[dict[str, Any]], language: str) -> view.MethodologyView:
    return view.MethodologyView(
        language=language,
        rules=view.page_rules(Settings(), dt.date(2026, 6, 30), language),
        dimensions=view.dimension_sections(records, language, 30),
    )


def test_layout_shows_definition_missing_for_an_undefined_metric():
    records = [metric_record(definition_en=None, definition_es=None), metric_record(code="ok")]
    methodology = build_view(records, "en")
    assert methodology.incomplete == {"ack_within_1bd": ("definition",)}
    components = page.layout(methodology, context("en"))
    missing = find_all(
        components, lambda c: "methodology-missing" in (getattr(c, "className", "") or "")
    )
    assert len(missing) == 1
    assert texts_of(missing) == ["Definition missing"]


def test_layout_marks_english_fallback_text_with_its_language():
    methodology = build_view([metric_record(definition_es=None)], "es")
    components = page.layout(methodology, context("es"))
    marked = find_all(components, lambda c: getattr(c, "lang", None) == "en")
    assert texts_of(marked) == ["definition in English"]


def test_contents_link_to_every_rule_dimension_and_metric_on_the_page():
    records = [
        metric_record(),
        metric_record(code="ease", name_en="Ease", dimension="satisfaction", scale="mean_1_5"),
    ]
    components = page.layout(build_view(records, "en"), context("en"))
    ids = {c.id for c in find_all(components, lambda c: isinstance(getattr(c, "id", None), str))}
    links = [
        c.href for c in find_all(components, lambda c: str(getattr(c, "href", "")).startswith("#"))
    ]
    assert links, "the page has in-page links"
    assert {link[1:] for link in links} <= ids
    assert {"metric-ack_within_1bd", "metric-ease", "dimension-satisfaction", "rule-met"} <= {
        link[1:] for link in links
    }
    headings = find_all(components, lambda c: type(c).__name__ == "H1")
    assert len(headings) == 1


@pytest.mark.parametrize(
    ("language", "shown", "changed"),
    [
        ("en", "“79.98%, not met”", "Target changed on"),
        ("es", "«79.98%, no cumplido»", "Meta cambiada el"),
    ],
)
def test_the_precision_rule_and_target_history_are_stated(language, shown, changed):
    met = rule(view.page_rules(Settings(), None, language), "rule-met")
    text = " ".join(met.after)
    assert shown in text and "80%" in text
    assert changed in text
