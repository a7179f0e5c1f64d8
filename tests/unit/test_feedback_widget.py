"""The "Did this page help you?" widget (layouts/feedback.py): a plain form with the fields
the route reads, a honeypot out of people's reach, labels in the page's language, and the
same form written as escaped HTML for the index's <noscript>."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import plotly.utils
from dash._utils import to_json

from dashboard.infra.models import FEEDBACK_REASONS
from dashboard.web import feedback as feedback_route
from layouts import feedback, prerender


def nodes(tree):  # type: ignore[no-untyped-def]
    """Every element of a widget tree, depth first."""
    if isinstance(tree, dict):
        yield tree
        for child in tree.get("c") or []:
            yield from nodes(child)


def by_id(tree, element_id: str) -> dict:  # type: ignore[no-untyped-def]
    return next(n for n in nodes(tree) if (n.get("p") or {}).get("id") == element_id)


def test_the_form_posts_every_field_the_route_reads():
    tree = feedback.form_tree(path="/agency/dmv", language="es", token="1.abc")
    form = next(n for n in nodes(tree) if n["t"] == "form")
    assert form["p"]["method"] == "post" and form["p"]["action"] == feedback_route.PATH
    names = [n["p"]["name"] for n in nodes(form) if "name" in (n.get("p") or {})]
    assert names == ["page", "lang", "token", "website", "helpful", "helpful", "reason", "comment"]
    hidden = {
        n["p"]["name"]: n["p"]["value"] for n in nodes(form) if n["p"].get("type") == "hidden"
    }
    assert hidden == {"page": "/agency/dmv", "lang": "es", "token": "1.abc"}
    assert feedback.HONEYPOT_FIELD == feedback_route.HONEYPOT_FIELD
    options = [n["p"]["value"] for n in nodes(by_id(tree, "feedback-reason")) if n["t"] == "option"]
    assert options == ["", *FEEDBACK_REASONS]
    comment = by_id(tree, "feedback-comment")
    assert comment["p"]["maxLength"] == 1000
    assert comment["p"]["aria-describedby"] == "feedback-comment-hint"


def test_the_honeypot_is_out_of_reach_of_people_and_assistive_technology():
    tree = feedback.form_tree(path="/", language="en", token="1.abc")
    trap = next(
        n for n in nodes(tree) if "feedback-trap" in (n.get("p") or {}).get("className", "")
    )
    assert trap["p"]["aria-hidden"] == "true"
    field = by_id(trap, "feedback-website")
    assert field["p"]["tabIndex"] == "-1" and field["p"]["autoComplete"] == "off"
    label = next(n for n in nodes(trap) if n["t"] == "label")
    assert label["p"]["htmlFor"] == "feedback-website" and label["c"] == ["Leave this empty"]


def test_yes_and_no_are_a_group_with_a_legend_and_the_answer_region_is_live():
    tree = feedback.form_tree(path="/", language="es", token="1.abc")
    assert tree["p"]["id"] == feedback.WIDGET_ID and tree["p"]["lang"] == "es"
    fieldset = next(n for n in nodes(tree) if n["t"] == "fieldset")
    legend = next(n for n in nodes(fieldset) if n["t"] == "legend")
    assert legend["c"] == ["¿Le fue útil esta página?"]
    radios = [n for n in nodes(fieldset) if n["t"] == "input"]
    assert [(r["p"]["type"], r["p"]["value"]) for r in radios] == [
        ("radio", "yes"),
        ("radio", "no"),
    ]
    labels = [n["c"][0] for n in nodes(fieldset) if n["t"] == "label"]
    assert labels == ["Sí", "No"]
    status = by_id(tree, feedback.STATUS_ID)
    assert status["p"]["role"] == "status" and status["p"]["aria-live"] == "polite"
    hint = by_id(tree, "feedback-comment-hint")
    assert "No incluya datos personales" in hint["c"][0]


def test_no_widget_without_a_token():
    assert feedback.widget(path="/", language="en", token=None) is None
    widget = feedback.widget(path="/", language="en", token="1.abc")
    assert widget is not None
    assert json.loads(json.dumps(widget, cls=plotly.utils.PlotlyJSONEncoder))["type"] == (
        "FeedbackForm"
    )


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def test_the_noscript_form_is_the_same_form_with_everything_escaped():
    """The prerender (layouts/prerender.py) writes the widget as the same form inside
    <noscript>, its own ids kept: what a visitor without JavaScript answers with."""
    path = '/agency/x"><script>alert(1)</script>'
    widget = feedback.widget(path=path, language="en", token='1.a"b')
    written = prerender.prerender(json.loads(to_json(widget)))
    assert written.startswith("<noscript>") and written.endswith("</noscript>")
    html = written.removeprefix("<noscript>").removesuffix("</noscript>")
    assert "<script>" not in html and "prerender-" not in html
    parser = _Elements()
    parser.feed(html)
    tags = [tag for tag, _ in parser.found]
    tree = feedback.form_tree(path=path, language="en", token='1.a"b')
    assert tags == [n["t"] for n in nodes(tree)]
    hidden = {a["name"]: a["value"] for t, a in parser.found if a.get("type") == "hidden"}
    assert hidden == {"page": path, "lang": "en", "token": '1.a"b'}
    honeypot = next(a for t, a in parser.found if a.get("id") == "feedback-website")
    assert honeypot == {
        "type": "text",
        "id": "feedback-website",
        "name": "website",
        "tabindex": "-1",
        "autocomplete": "off",
    }
    assert re.search(r'<textarea [^>]*maxlength="1000"', html)
    assert "required" in html and '<label for="feedback-helpful-yes">Yes</label>' in html
