"""Markup in agency text never becomes markup in a chart (issue 11, finding 3).

Plotly reads a few HTML tags in text (``<a href>``, ``<b>``, ``<br>``): an action title or a
metric name holding ``<a href=...>`` used to be a live link in the hover label, the legend and
the exported SVG. A demo store gets such texts (and an ``&`` in the agency's name, which must
read "&", never "&amp;amp;"); then the agency page's figures as the page callback draws them,
an exported SVG (rendered for real by Kaleido in Chromium, under a time limit), the review
page's figures, the review pack's chart and its document are searched: no ``<a`` element
from the data, no live href, and the texts there, escaped once.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly.utils
import pytest
from sqlalchemy import select

from callbacks.router import render
from dashboard.core.routes import resolve
from dashboard.core.settings import Settings
from dashboard.infra import db, exports
from dashboard.infra.db import session_scope
from dashboard.infra.models import PUBLISHED, Action, Unit
from dashboard.views.review_pack import CHART_HEIGHT, CHART_WIDTH, agency_figure, pack_html
from dashboard.web.factory import create_app
from dashboard.web.pages import page_view
from tests.components import walk
from tests.conftest import IN_CI
from tests.demo_stores import DemoStores

AGENCY = "dmv"
ACTION_TITLE = '<a href="javascript:alert(1)">Click me</a> <b>now</b>'
METRIC_NAME = '<a href="https://evil.example/">Satisfaction</a> R&D'
AGENCY_NAME = "Motor Vehicles & <i>Licensing</i>"
#: What Plotly is handed: the same words with "<" and "&" as entities, escaped once.
ACTION_ESCAPED = '&lt;a href="javascript:alert(1)"&gt;Click me&lt;/a&gt; &lt;b&gt;now&lt;/b&gt;'
METRIC_ESCAPED = '&lt;a href="https://evil.example/"&gt;Satisfaction&lt;/a&gt; R&amp;D'
#: A tag from the data that took effect (escaped, the text holds "&lt;a" / "&#60;a" instead).
LIVE = re.compile(r"<a[\s>]|<b>now|<i>Licensing")

CHROMIUM = Path("/usr/bin/chromium")
needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists() and not IN_CI, reason="Debian's chromium is not installed"
)


def mark_up(url: str) -> str:
    """Markup in published texts of ``AGENCY``; the code of the metric the action is on."""
    with session_scope(url) as session:
        agency = session.scalars(select(Unit).where(Unit.slug == AGENCY)).one()
        agency.name_en = AGENCY_NAME
        actions = session.scalars(
            select(Action).where(Action.unit_id == agency.id, Action.visibility == PUBLISHED)
        ).all()
        assert actions
        for action in actions:
            action.title_en = ACTION_TITLE
        metric = actions[0].metrics[0]
        metric.name_en = METRIC_NAME
        return str(metric.code)


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_stores: DemoStores) -> Iterator[tuple[str, str]]:
    url = demo_stores.sqlite_copy(tmp_path_factory.mktemp("markup") / "demo.sqlite3")
    code = mark_up(url)
    yield url, code
    db.get_engine(url).dispose()


@pytest.fixture(scope="module")
def settings(store) -> Settings:
    url, _code = store
    # Every export under a time limit: a hung browser fails the test instead of hanging it.
    return Settings(database_url=url, export_rate_limit=0, export_timeout=60)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in strings(item)]
    return []


def page_figures(settings: Settings, path: str) -> list[dict[str, Any]]:
    """The figures of a page as the page callback draws them (plain dicts)."""
    app = create_app(settings)
    with app.server.test_request_context():
        frame, _language, found = render(settings, path, "?lang=en")
    assert found, path
    figures = [node.figure for node in walk(frame) if getattr(node, "figure", None) is not None]
    assert figures, path
    return [json.loads(json.dumps(f, cls=plotly.utils.PlotlyJSONEncoder)) for f in figures]


def assert_escaped_once(texts: list[str]) -> None:
    for text in texts:
        assert not LIVE.search(text), text
        assert "&amp;amp;" not in text and "&amp;lt;" not in text, text


def test_agency_page_figures_carry_the_texts_escaped(settings) -> None:
    figures = page_figures(settings, f"/agency/{AGENCY}")
    texts = [text for figure in figures for text in strings(figure)]
    assert_escaped_once(texts)
    # A long legend name wraps between words (a <br> of Plotly's, never inside the data's text).
    names = [
        trace.get("name", "").replace("<br>", " ") for figure in figures for trace in figure["data"]
    ]
    # The action marker's hover label: its text, or (a labelled marker) its customdata.
    hovers = [
        text
        for figure in figures
        for trace in figure["data"]
        for text in [*(trace.get("text") or []), *(trace.get("customdata") or [])]
        if isinstance(text, str)
    ]
    assert METRIC_ESCAPED in names  # the legend
    assert any(ACTION_ESCAPED in hover for hover in hovers)  # the action marker's hover label


@needs_browser
def test_exported_svg_has_no_link_from_the_data(settings, store) -> None:
    _url, code = store
    client = create_app(settings).server.test_client()
    response = client.get(f"/export/agency/{AGENCY}/{code}.svg")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg")
    # No element made of the data's tags: no link (Plotly draws one as <a xlink:href=...>),
    # no bold or italic span.
    assert not LIVE.search(svg)
    assert "font-style:italic" not in svg.replace(" ", "")
    # The legend and the title show the metric's name as written: its "<" and "&" are
    # character references in the SVG, once ("&amp;amp;" would read "&amp;" on screen).
    shown = html.unescape(svg)
    assert METRIC_NAME in shown
    assert "&amp;amp;" not in svg and "&lt;a" not in shown
    # The footer names the agency as written ("&" once, its tags as text).
    assert AGENCY_NAME in shown


def test_review_pack_chart_and_document_carry_the_texts_escaped(settings) -> None:
    # The review page itself draws no Plotly chart: its pack has one per agency.
    app = create_app(settings)
    with app.server.app_context():
        view, _status = page_view(settings, resolve("/review"), {}, "en")
    figure = agency_figure(view, AGENCY)
    assert_escaped_once(strings(figure))
    document = pack_html(view, {}, as_of=None)
    assert not LIVE.search(document)
    assert "&amp;amp;" not in document
    # The agency's name is in the pack as written (escaped by its template, once).
    assert AGENCY_NAME in html.unescape(document)


@needs_browser
def test_review_pack_chart_svg_has_no_link_from_the_data(settings) -> None:
    app = create_app(settings)
    with app.server.app_context():
        view, _status = page_view(settings, resolve("/review"), {}, "en")
    svg = exports.render_figure(
        agency_figure(view, AGENCY), "svg", width=CHART_WIDTH, height=CHART_HEIGHT, timeout_s=60
    ).decode()
    assert svg.startswith("<svg") and not LIVE.search(svg)
