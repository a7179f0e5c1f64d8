"""The page ZIP control's words for each state of its job: honest, in the page's language."""

from __future__ import annotations

import pytest

from dashboard.domain.formatting import format_count
from layouts.page_zip import failed_text, zip_state


def test_queued_says_it_is_preparing_not_that_it_waits_for_another():
    state = zip_state({"state": "queued", "done": 0, "total": 0, "ahead": 0}, "en", "/x.zip")
    assert state.words == "Preparing the ZIP of this page's charts…"
    assert "another" not in state.words and not state.finished and state.link is None


def test_queued_behind_other_builds_says_how_many():
    status = {"state": "queued", "done": 0, "total": 0, "ahead": 2}
    assert zip_state(status, "en", "").words == "Waiting for 2 other exports to finish…"
    status["ahead"] = 1
    assert zip_state(status, "es", "").words == "Esperando a que termine 1 exportación más…"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Preparing the ZIP: 4 of 11 charts…"),
        ("es", "Preparando el ZIP: 4 de 11 gráficos…"),
        ("fr", "Préparation du ZIP : 4 sur 11 graphiques…"),
    ],
)
def test_running_counts_charts(language, words):
    state = zip_state({"state": "running", "done": 4, "total": 11}, language, "/x.zip")
    assert (state.words, state.value, state.maximum, state.hidden) == (words, 4, 11, False)


def test_one_chart_is_singular():
    assert zip_state({"state": "running", "done": 0, "total": 1}, "en", "").words == (
        "Preparing the ZIP: 0 of 1 chart…"
    )


def test_done_links_the_file_with_its_size():
    status = {
        "state": "done",
        "done": 3,
        "total": 3,
        "charts": 3,
        "size": 2_500_000,
        "file_name": "dmv_charts.zip",
    }
    state = zip_state(status, "es", "/export-zip/abc.zip")
    assert state.finished and state.words == "El ZIP está listo: 3 gráficos."
    props = state.link.to_plotly_json()["props"]
    assert props["href"] == "/export-zip/abc.zip" and props["download"] == "dmv_charts.zip"
    # The size in KB, written as the site writes numbers in Spanish.
    assert props["children"] == f"Descargar el ZIP ({format_count(2441, 'es')} KB)"


def test_gone_and_failed_say_so():
    assert zip_state(None, "en", "").words == (
        "The ZIP is no longer available. Please prepare it again."
    )
    assert failed_text({"state": "error", "error": "busy"}, "en") == (
        "The ZIP could not be made: Too many exports are being prepared right now. "
        "Please try again."
    )
    # An unknown code is still a sentence, never a key.
    assert "went wrong" in failed_text({"state": "error", "error": "??"}, "en")
