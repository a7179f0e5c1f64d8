"""The review's sparkline in words keeps one precision per sentence (issue 13): "97.0%; 97.1%",
never "97%" beside "97.1%", in every language."""

from __future__ import annotations

import re

import pytest

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.views.review import build
from layouts.review import trend_words

PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s?%")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_trend_sentence_writes_its_percentages_alike(demo_store, language):
    review = build(demo_store, Settings(database_url=demo_store), Route("review"), {}, language)
    sentences = [
        trend_words(row, review)
        for row in review.rows
        if row.metric.scale in ("fraction", "percent") and row.trend
    ]
    assert sentences, "the demo's review has percentage trends"
    mixed = [
        sentence
        for sentence in sentences
        if len({bool(re.search(r"[.,]", figure)) for figure in PERCENT.findall(sentence)}) > 1
    ]
    assert mixed == []
    # Some sentence needs a decimal, so the rule is exercised, not vacuous.
    assert any(re.search(r"\d[.,]\d\s?%", sentence) for sentence in sentences)
