"""The Spanish interface reads as one edited text (docs/translations.md, "Spanish style and
glossary"), and figures of the same kind share one precision (issue 13)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.formatting import format_alike
from dashboard.domain.series import ObservationRow, build_series
from dashboard.domain.summaries import summarize_breakdown, summarize_series
from dashboard.domain.targets import TargetSpec

CATALOGUE = Path(__file__).parents[2] / "dashboard/translations/es/LC_MESSAGES/messages.po"


def spanish_texts() -> list[tuple[str, str]]:
    """(msgctxt, msgstr) of every translated Spanish entry, plural forms included."""
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file)
    found = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found.extend((str(message.context), text) for text in strings if text)
    return found


def offending(pattern: str) -> list[str]:
    return [f"{context}: {text}" for context, text in spanish_texts() if re.search(pattern, text)]


@pytest.mark.parametrize(
    ("rule", "pattern"),
    [
        # es_US, the Spanish of the default format locale, writes "95%" and "43.8%", as the
        # figures that Babel formats on the same page do.
        ("no space before a percent sign", r"(\d|\})[ \u00a0]%"),
        ("no decimal comma in a percentage", r"\d,\d+ ?%"),
        ("one kind of quotation marks: « »", r"[“”]"),
        ("one spelling: periodo", r"[Pp]eríodo"),
        ("target is «meta»", r"\bobjetivos?\b"),
        ("a result is judged «frente a» its target", r"\bcontra (una|la) meta\b"),
        ("measure is «medida»", r"\bindicador(es)?\b"),
        ("agencies «reportan»", r"\binform(ó|aron|an)\b"),
        ("holidays are «días feriados»", r"\bfestivos?\b"),
        ("the calendar year is «año calendario»", r"año natural"),
        ("«muy pocas respuestas»", r"demasiadas pocas"),
        ("no gallicism «a leer»", r"\ba leer con\b"),
        # A name put after a preposition needs its article ("por el Departamento"), which the
        # catalogue cannot know: names stand after a colon instead ("Responsable: {unit}").
        (
            "no agency or unit name after a preposition",
            r"(?i)\b(de|del|a|al|por|para|con|sobre|desde) \{(agency|unit|name)\}",
        ),
    ],
)
def test_the_spanish_catalogue_follows_its_style_sheet(rule, pattern):
    assert offending(pattern) == [], rule


def test_months_and_days_are_lower_case_in_spanish_text():
    names = (
        "Enero|Febrero|Marzo|Abril|Mayo|Junio|Julio|Agosto|Septiembre|Octubre|Noviembre|"
        "Diciembre|Lunes|Martes|Miércoles|Jueves|Viernes|Sábado|Domingo"
    )
    assert offending(rf"(?<![.:] )(?<!^)\b({names})\b") == []


# -- one precision for the figures of one sentence -----------------------------------------

FEDERAL = FiscalCalendar(10, "federal")
EIGHTY = TargetSpec("numeric", 0.80, ">=", date(2021, 10, 1), None)


def test_figures_of_one_sentence_share_their_precision():
    assert format_alike([(0.97, None), (0.971, None)], "fraction") == ["97.0%", "97.1%"]
    assert format_alike([(0.97, None), (0.971, None)], "fraction", "es") == ["97.0%", "97.1%"]


def test_whole_percentages_stay_whole():
    assert format_alike([(0.84, None), (0.92, None)], "fraction") == ["84%", "92%"]
    assert format_alike([(84.0, None), (None, None)], "percent") == ["84%", "Not reported"]


def test_the_precision_rule_still_decides_the_decimals_beside_a_status():
    # 79.982% against ≥ 80% is not met: it is never shown as 80.0%.
    assert format_alike([(0.79982, EIGHTY), (0.812, EIGHTY)], "fraction") == [
        "79.98%",
        "81.2%",
    ]


def _series(values, language):
    rows = []
    for (year, quarter), value in values.items():
        start, end = FEDERAL.quarter_bounds(year, quarter)
        rows.append(ObservationRow(start, end, value))
    return build_series(
        rows,
        granularity="quarter",
        scale="fraction",
        targets=[EIGHTY],
        fiscal=FEDERAL,
        language=language,
    )


def test_a_trend_sentence_never_writes_90_beside_97_point_1():
    values = {(2025, 1): 0.90, (2025, 2): 0.95, (2025, 3): 0.971}
    english = summarize_series(
        _series(values, "en"), metric_name="Accuracy", language="en", fiscal=FEDERAL
    )
    spanish = summarize_series(
        _series(values, "es"), metric_name="Exactitud", language="es", fiscal=FEDERAL
    )
    assert "rose from 90.0% to 97.1% over FY2025" in english
    assert "subió de 90.0% a 97.1% en AF2025" in spanish


def test_a_breakdown_range_shares_its_precision():
    high = _series({(2025, 1): 0.971}, "en")
    low = _series({(2025, 1): 0.9}, "en")
    sentence = summarize_breakdown(
        [("Email", high), ("Phone", low)],
        metric_name="Accuracy",
        segment_name="channel",
        language="en",
    )
    assert "from 90.0% (Phone) to 97.1% (Email)" in sentence


def test_a_column_of_means_and_scores_keeps_its_decimals():
    """Issue 13: "4/5" never stands beside "4.25/5" in a table or a sentence."""
    from dashboard.domain.formatting import format_alike, format_measure

    assert format_measure(4.0, "mean_1_5", "en") == "4.00/5"
    assert format_measure(4.25, "mean_1_5", "es") == "4.25/5"
    assert format_measure(7.0, "score_0_10", "en") == "7.0/10"
    assert format_measure(12345, "count", "en") == "12,345"
    assert format_alike([(4.0, None), (4.25, None)], "mean_1_5") == ["4.00/5", "4.25/5"]
    assert format_alike([(4.0, None), (5.0, None)], "mean_1_5") == ["4/5", "5/5"]


def test_a_data_tables_number_column_shows_its_figures_alike():
    """Issue 13: a chart's data table never shows "78" above "68.5"; numbers in the page's
    language."""
    from dashboard.domain.charts import ChartSpec, TableColumn
    from layouts.components import data_table

    spec = ChartSpec(
        chart_id="csat",
        title="Satisfaction",
        summary="",
        y_title="%",
        traces=[],
        columns=[TableColumn("period", "Period"), TableColumn("value", "Result", "number")],
        rows=[
            {"period": "Mar", "value": 78.0},
            {"period": "Apr", "value": 68.5},
            {"period": "May", "value": None},
            {"period": "Jun", "value": 1234.25},
        ],
        file_stem="csat",
    )
    cells = [row[1] for row in data_table(spec, "en").rows]
    assert cells[:2] == ["78.00", "68.50"] and cells[3] == "1,234.25"
    assert data_table(spec, "fr").rows[1][1] == "68,50"
