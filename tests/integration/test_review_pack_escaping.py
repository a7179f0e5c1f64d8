"""The review pack's HTML comes from autoescaped Jinja2 templates: whatever an agency, a measure
or an action is called reaches the document as text, never as markup, on SQLite and PostgreSQL.
The templates ship with the package.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import markupsafe
import pytest

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.infra import templating
from dashboard.infra.db import session_scope
from dashboard.infra.exports import ExportError
from dashboard.infra.models import PUBLISHED, Action, Metric
from dashboard.views import review as review_view
from dashboard.views.review_pack import build_pack, pack_html
from tests.integration.test_service_rollups import Store

ROOT = Path(__file__).resolve().parents[2]

#: Names a careless import could carry: a script, quotes of both kinds and ampersands.
AGENCY = '<script>alert(1)</script> "Parks" & Rec\'s'
MEASURE = 'Overall "satisfaction" & <b>trust</b>'
ACTION = '<script>alert(1)</script> "Faster" permits & <i>fees</i>'
FAILURE = 'The chart <img src=x onerror=alert(1)> service & "co" failed.'

#: Every element the pack's templates write; anything else came from the data.
PACK_TAGS = {
    "html", "head", "meta", "title", "style", "body", "section", "h1", "h2", "h3", "p",
    "table", "thead", "tbody", "tr", "th", "td", "span", "br", "div", "ul", "li", "strong",
    "img",
}  # fmt: skip


class _Document(HTMLParser):
    """The tags, the attributes and the text of a document, as a browser would read them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def hostile_store(db_url: str) -> str:
    """An annual review of one agency whose names are all hostile, with one action."""
    store = Store(db_url)
    store.metric("csat_overall", "satisfaction", "fraction", MEASURE)
    store.unit("parks", "agency", AGENCY)
    store.target("parks", "csat_overall", 0.80)
    for year, value in ((2023, 0.70), (2024, 0.85)):
        start, end = dt.date(year - 1, 10, 1), dt.date(year, 9, 30)
        store.result("parks", "csat_overall", start, end, "fiscal_year", value, value * 400, 400)
    with session_scope(db_url) as session:
        session.add(
            Action(
                unit_id=store.units["parks"],
                title_en=ACTION,
                status="completed",
                started_on=dt.date(2023, 11, 1),
                completed_on=dt.date(2024, 3, 1),
                visibility=PUBLISHED,
                metrics=[session.get(Metric, store.metrics["csat_overall"])],
            )
        )
    return db_url


def _view(url: str) -> review_view.ReviewView:
    return review_view.build(url, Settings(database_url=url), Route("review"), {}, "en")


def _svg(*args: object, **kwargs: object) -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;ok&gt;</text></svg>'


def _assert_only_escaped(document: str) -> _Document:
    parsed = _Document(document)
    assert {tag for tag, _ in parsed.tags} <= PACK_TAGS | {"script"}
    assert not [name for _, attrs in parsed.tags for name in attrs if name.startswith("on")]
    # One script, the template's own (it fits each sheet to its page): nothing from the data
    # is in it, and nothing else is a script.
    assert document.lower().count("<script") == 1
    (script,) = re.findall(r"<script>(.*?)</script>", document, re.S)
    assert "sheets[i].style.zoom" in script and AGENCY not in script and "Parks" not in script
    assert [tag for tag, attrs in parsed.tags if tag == "script" and attrs] == []
    for raw in ('"Parks"', "& Rec", '"satisfaction"', "<b>", '"Faster"', "<i>"):
        assert raw not in document
    return parsed


def test_names_from_the_data_reach_the_pack_only_escaped(hostile_store):
    review = _view(hostile_store)
    assert review.annual and [a.name for a in review.agencies] == [AGENCY]
    assert [a.action.title for a in review.actions] == [ACTION]

    document = pack_html(review, {}, as_of=None)
    parsed = _assert_only_escaped(document)
    # Escaped once (not twice, not dropped): a reader sees the names exactly as written.
    for name in (AGENCY, MEASURE, ACTION):
        assert str(markupsafe.escape(name)) in document
    text = "".join(parsed.text)
    assert AGENCY in text and MEASURE in text and ACTION in text
    assert f"{AGENCY}: {ACTION}" in text  # the summary's list of actions


def test_chart_alt_text_and_chart_failure_notes_are_escaped(hostile_store, monkeypatch):
    review = _view(hostile_store)
    documents: list[str] = []
    monkeypatch.setattr(
        "dashboard.views.review_pack.print_pdf", lambda doc, **_: documents.append(doc)
    )
    monkeypatch.setattr("dashboard.views.review_pack.count_pages", lambda pdf: 0)

    build_pack(review, as_of=dt.date(2024, 10, 15), render=_svg)
    parsed = _assert_only_escaped(documents[-1])
    (image,) = [attrs for tag, attrs in parsed.tags if tag == "img"]
    assert AGENCY in (image["alt"] or "")  # the attribute holds the name, quotes and all
    assert (image["src"] or "").startswith("data:image/svg+xml;base64,")

    def broken(*args: object, **kwargs: object) -> bytes:
        raise ExportError(FAILURE)

    build_pack(review, as_of=None, render=broken)
    parsed = _assert_only_escaped(documents[-1])
    assert "img" not in {tag for tag, _ in parsed.tags}
    assert FAILURE in "".join(parsed.text)


def test_the_templates_autoescape_and_refuse_unknown_names():
    environment = templating.environment()
    assert environment is templating.environment()  # made once
    assert environment.from_string("{{ x }}").render(x="<b>&") == "&lt;b&gt;&amp;"
    with pytest.raises(jinja2.UndefinedError):
        environment.from_string("{{ missing }}").render()


def test_every_template_ships_with_the_package():
    """A non-editable install has only the files package-data names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["dashboard"]
    package = ROOT / "dashboard"
    templates = [p for p in (package / "templates").rglob("*") if p.is_file()]
    assert templates
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    assert set(templates) <= shipped, sorted(str(p) for p in set(templates) - shipped)
