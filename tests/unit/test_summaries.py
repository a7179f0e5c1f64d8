"""Text summaries of a chart, in English and Spanish, written from the series itself."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.formatting import format_day
from dashboard.domain.series import ObservationRow, build_series
from dashboard.domain.summaries import in_sentence, summarize_breakdown, summarize_series
from dashboard.domain.targets import TargetSpec

FEDERAL = FiscalCalendar(10, "federal")
EIGHTY = TargetSpec("numeric", 0.80, ">=", date(2021, 10, 1), None)


def rows(
    values: dict[tuple[int, int], float | None], extra: dict | None = None
) -> list[ObservationRow]:
    found = []
    for (year, quarter), value in values.items():
        start, end = FEDERAL.quarter_bounds(year, quarter)
        options = (extra or {}).get((year, quarter), {})
        found.append(ObservationRow(start, end, value, **options))
    return found


def series(values, *, language="en", targets=(EIGHTY,), scale="fraction", **options):
    extra = options.pop("extra", {})
    return build_series(
        rows(values, extra),
        granularity="quarter",
        scale=scale,
        targets=list(targets),
        fiscal=FEDERAL,
        language=language,
        **options,
    )


def summary(values, name="Timeliness", language="en", **options) -> str:
    return summarize_series(
        series(values, language=language, **options),
        metric_name=name,
        language=language,
        fiscal=FEDERAL,
    )


FY2024 = {(2024, 1): 0.71, (2024, 2): 0.78, (2024, 3): 0.82, (2024, 4): 0.84}


def test_rise_over_a_fiscal_year_with_target_met_since():
    assert summary(FY2024) == (
        "Timeliness rose from 71% to 84% over FY2024; target ≥ 80% met since FY2024 Q3."
    )


def test_rise_over_a_fiscal_year_in_spanish():
    assert summary(FY2024, name="Puntualidad", language="es") == (
        "Puntualidad: subió de 71% a 84% en AF2024; meta ≥ 80% cumplida desde T3 AF2024."
    )


def test_fall_across_years_names_both_periods():
    values = {(2024, 4): 0.9, (2025, 1): 0.85, (2025, 2): 0.75}
    assert summary(values) == (
        "Timeliness fell from 90% in FY2024 Q4 to 75% in FY2025 Q2; target ≥ 80% not met in "
        "FY2025 Q2."
    )
    assert summary(values, name="Puntualidad", language="es") == (
        "Puntualidad: bajó de 90% en T4 AF2024 a 75% en T2 AF2025; "
        "meta ≥ 80% no cumplida en T2 AF2025."
    )


def test_flat_series_held_steady_and_met_every_period():
    values = {(2025, 1): 0.851, (2025, 2): 0.848, (2025, 3): 0.855}
    assert summary(values) == (
        "Timeliness held steady at about 85.5% over FY2025; target ≥ 80% met in every period shown."
    )
    assert summary(values, name="Puntualidad", language="es") == (
        "Puntualidad: se mantuvo estable en torno a 85.5% en AF2025; "
        "meta ≥ 80% cumplida en todos los periodos mostrados."
    )


def test_not_enough_data():
    empty = build_series([], granularity="quarter", scale="fraction", fiscal=FEDERAL)
    assert summarize_series(empty, metric_name="Trust", language="en", fiscal=FEDERAL) == (
        "Trust: no results have been published for these periods."
    )
    assert summarize_series(empty, metric_name="Confianza", language="es", fiscal=FEDERAL) == (
        "Confianza: no se han publicado resultados para estos periodos."
    )
    nothing = series({(2025, 1): None, (2025, 2): None})
    assert "no results have been published" in summarize_series(
        nothing, metric_name="Trust", language="en", fiscal=FEDERAL
    )


def test_single_result():
    assert summary({(2025, 2): 0.83}) == (
        "Timeliness was 83% in FY2025 Q2; target ≥ 80% met in FY2025 Q2."
    )


def test_latest_not_reported_gives_the_last_published_result():
    values = {(2025, 1): 0.78, (2025, 2): 0.82, (2025, 3): None}
    assert summary(values, name="Satisfaction") == (
        "Satisfaction was not reported for FY2025 Q3; the last published result was 82% in "
        "FY2025 Q2 (target ≥ 80%, met)."
    )
    assert summary(values, name="Satisfacción", language="es") == (
        "Satisfacción: no se reportó en T3 AF2025; el último resultado publicado fue 82% en "
        "T2 AF2025 (meta ≥ 80%, cumplida)."
    )


def test_series_break_compares_only_since_the_break_and_says_why():
    values = {(2025, 1): 0.90, (2025, 2): 0.60, (2025, 3): 0.66}
    text = summary(
        values,
        name="Trust",
        targets=(),
        is_survey=True,
        extra={(2025, 2): {"series_break": True}},
    )
    assert text == (
        "Trust rose from 60% to 66% over FY2025; no target is set. The survey question changed "
        "in FY2025 Q2, so earlier results are not comparable."
    )
    spanish = summary(
        values,
        name="Confianza",
        language="es",
        targets=(),
        is_survey=True,
        extra={(2025, 2): {"series_break": True}},
    )
    assert spanish.endswith(
        "La pregunta de la encuesta cambió en T2 AF2025, por lo que los resultados anteriores "
        "no son comparables."
    )


def test_method_break_for_administrative_data():
    text = summary({(2025, 1): 0.9, (2025, 2): 0.8}, extra={(2025, 2): {"series_break": True}})
    assert text.endswith(
        "The way this is measured changed in FY2025 Q2, so earlier results are not comparable."
    )
    assert text.startswith("Timeliness was 80% in FY2025 Q2")


def test_target_change_is_the_second_sentence():
    old = TargetSpec("numeric", 0.70, ">=", date(2021, 10, 1), date(2024, 9, 30))
    new = TargetSpec("numeric", 0.80, ">=", date(2024, 10, 1), None)
    values = {(2024, 4): 0.75, (2025, 1): 0.82}
    assert summary(values, targets=(old, new)) == (
        # FY2024 Q4 met the old 70% target, not this one: the streak starts at the change.
        "Timeliness rose from 75% in FY2024 Q4 to 82% in FY2025 Q1; target ≥ 80% met in "
        "FY2025 Q1. The target changed from ≥ 70% to ≥ 80% starting in FY2025 Q1."
    )
    assert summary(values, name="Puntualidad", language="es", targets=(old, new)).endswith(
        "La meta cambió de ≥ 70% a ≥ 80% a partir de T1 AF2025."
    )


def test_baseline_year_then_a_target():
    baseline = TargetSpec("baseline", None, ">=", date(2023, 10, 1), date(2024, 9, 30))
    new = TargetSpec("numeric", 0.95, ">=", date(2024, 10, 1), None)
    only_baseline = summary({(2024, 3): 0.9, (2024, 4): 0.9}, targets=(baseline,))
    assert only_baseline.endswith("the target for this period is to establish a baseline.")
    after = summary({(2024, 4): 0.9, (2025, 1): 0.9}, targets=(baseline, new))
    assert after.endswith(
        "After the baseline year, a target of ≥ 95% applies starting in FY2025 Q1."
    )


def test_text_target_is_named_not_judged():
    text_target = TargetSpec("text", None, ">=", date(2021, 10, 1), None, text="≥10% improvement")
    assert summary({(2025, 1): 0.5}, targets=(text_target,)).endswith(
        "target: ≥10% improvement (a single result cannot meet or miss it)."
    )


def test_lower_is_better_says_so():
    target = TargetSpec("numeric", 120, "<=", date(2021, 10, 1), None)
    values = {(2025, 1): 180, (2025, 2): 95}
    text = summary(
        values,
        name="Average speed of answer",
        targets=(target,),
        scale="seconds",
        direction="lower",
    )
    assert text == (
        "Average speed of answer fell from 180 s to 95 s over FY2025 (lower is better); "
        "target ≤ 120 s met in FY2025 Q2."
    )
    spanish = summary(
        values,
        name="Tiempo de respuesta",
        language="es",
        targets=(target,),
        scale="seconds",
        direction="lower",
    )
    assert "(menos es mejor)" in spanish


def test_latest_small_sample_is_a_caution():
    text = summary(
        {(2025, 1): 0.9, (2025, 2): 0.93},
        is_survey=True,
        extra={(2025, 2): {"numerator": 13, "denominator": 14}},
    )
    assert text.endswith("The latest result rests on only 14 responses, so read it with caution.")


def test_latest_suppressed_small_sample():
    text = summary(
        {(2025, 1): 0.9, (2025, 2): 0.93},
        is_survey=True,
        small_sample_policy="suppress",
        extra={(2025, 1): {"denominator": 200}, (2025, 2): {"denominator": 14}},
    )
    assert text.startswith(
        "Timeliness for FY2025 Q2 rests on too few responses to publish; the last published "
        "result was 90% in FY2025 Q1"
    )
    assert "93" not in text


def test_breakdown_gives_the_spread_and_the_missing_groups():
    email = series({(2025, 1): 0.9, (2025, 2): 0.92}, targets=())
    voicemail = series({(2025, 1): 0.8, (2025, 2): 0.84}, targets=())
    text_line = series({(2025, 1): 0.95, (2025, 2): None}, targets=())
    groups = [("Email", email), ("Voicemail", voicemail), ("Text message", text_line)]
    assert summarize_breakdown(
        groups, metric_name="Messages acknowledged", segment_name="channel", language="en"
    ) == (
        "In FY2025 Q2, messages acknowledged ranged from 84% (Voicemail) to 92% (Email). "
        "Not reported for Text message."
    )
    spanish = [
        ("Correo electrónico", series({(2025, 2): 0.92}, targets=(), language="es")),
        ("Buzón de voz", series({(2025, 2): 0.84}, targets=(), language="es")),
    ]
    assert (
        summarize_breakdown(
            spanish, metric_name="Mensajes con acuse", segment_name="canal", language="es"
        )
        == "En T2 AF2025, mensajes con acuse osciló entre 84% (Buzón de voz) y 92% "
        "(Correo electrónico)."
    )


def test_breakdown_with_nothing_published():
    groups = [("Email", series({(2025, 1): None}, targets=()))]
    assert (
        summarize_breakdown(groups, metric_name="Messages", segment_name="channel", language="en")
        == "Messages: no results by channel have been published for these periods."
    )


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "March 10, 2026"), ("es", "10 de marzo de 2026")]
)
def test_format_day(language, expected):
    assert format_day(date(2026, 3, 10), language) == expected


def test_metric_names_inside_a_sentence_keep_acronyms():
    assert in_sentence("Overall satisfaction") == "overall satisfaction"
    assert in_sentence("CX training") == "CX training"
