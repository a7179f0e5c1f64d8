"""layouts/prerender.py: a page's layout as plain HTML, everything from data escaped."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from dash import dcc, html
from dash._utils import to_json

from layouts import prerender
from layouts.static_html import StaticHtml
from layouts.static_table import StaticTable, cell

HOSTILE = '<script>alert(1)</script>"onload="alert(2)\' &amp; <img src=x onerror=alert(3)>'


def serialized(component: object) -> object:
    return json.loads(to_json(component))


class Elements(HTMLParser):
    """Every element's tag and attributes, and the text, as a browser's parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(markup: str) -> Elements:
    parser = Elements()
    parser.feed(markup)
    parser.close()
    return parser


def test_hostile_text_stays_text() -> None:
    markup = prerender.prerender(serialized(html.Div([html.P(HOSTILE), HOSTILE])))
    page = parsed(markup)
    assert [tag for tag, _ in page.elements] == ["div", "p"]
    assert "".join(page.text) == HOSTILE * 2
    assert "<script" not in markup


def test_hostile_attribute_values_stay_in_their_attribute() -> None:
    layout = html.A(
        "x", href="/agency?q=" + HOSTILE, title=HOSTILE, className=HOSTILE, **{"data-x": HOSTILE}
    )
    page = parsed(prerender.prerender(serialized(layout)))
    assert len(page.elements) == 1
    tag, attributes = page.elements[0]
    assert tag == "a"
    assert set(attributes) == {"href", "title", "class", "data-x"}
    assert attributes["title"] == HOSTILE
    assert attributes["class"] == HOSTILE
    assert attributes["data-x"] == HOSTILE
    assert attributes["href"] == "/agency?q=" + HOSTILE


def test_no_script_url_no_event_handler_no_script_element() -> None:
    layout = {
        "type": "Div",
        "namespace": "dash_html_components",
        "props": {
            "onClick": "alert(1)",
            "onmouseover": "alert(2)",
            'bad"name': "x",
            "children": [
                {"type": "A", "namespace": "dash_html_components", "props": {"href": url}}
                for url in ("javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:x")
            ]
            + [
                {"type": "Script", "namespace": "dash_html_components", "props": {"children": "x"}},
                {"type": "Iframe", "namespace": "dash_html_components", "props": {"src": "/"}},
                {"type": "A", "namespace": "dash_html_components", "props": {"href": "/ok"}},
                {"type": "A", "namespace": "dash_html_components", "props": {"href": "mailto:a@b"}},
            ],
        },
    }
    page = parsed(prerender.prerender(layout))
    assert page.elements == [
        ("div", {}),
        ("a", {}),
        ("a", {}),
        ("a", {}),
        ("a", {"href": "/ok"}),
        ("a", {"href": "mailto:a@b"}),
    ]


def test_static_html_data_is_escaped_and_checked() -> None:
    tree = [
        {"t": "p", "p": {"className": HOSTILE}, "c": [HOSTILE]},
        {"t": "img src=x onerror=alert(1)", "c": ["gone"]},
        {"t": "script", "c": ["alert(1)"]},
    ]
    page = parsed(prerender.prerender(serialized(StaticHtml(tree=tree))))
    assert page.elements == [("p", {"class": HOSTILE})]
    assert "".join(page.text) == HOSTILE


def test_table_cells_and_caption_are_escaped() -> None:
    table = StaticTable(
        columns=[HOSTILE, "b"],
        rows=[[HOSTILE, cell(HOSTILE, symbol=HOSTILE, class_name=HOSTILE, href="javascript:x")]],
        caption=HOSTILE,
        row_headers=True,
    )
    markup = prerender.prerender(serialized(table))
    page = parsed(markup)
    assert "<script" not in markup
    assert ("a", {}) in page.elements  # the javascript: URL is dropped
    assert "".join(page.text).count(HOSTILE) == 5  # caption, heading, row head, symbol, text


def test_style_values_cannot_leave_the_attribute() -> None:
    page = parsed(prerender.prerender(serialized(html.Div(style={"color": 'red"><script>'}))))
    assert page.elements == [("div", {"style": 'color:red"><script>'})]


def test_ids_and_references_to_ids_are_prefixed() -> None:
    layout = html.Div(
        [
            html.A("Skip", href="#main-content"),
            html.Label("Name", htmlFor="name"),
            html.Main(id="main-content", **{"aria-labelledby": "a b"}),
            html.A("Elsewhere", href="/page#main-content"),
        ]
    )
    page = parsed(prerender.prerender(serialized(layout)))
    attributes = [attrs for _, attrs in page.elements]
    assert attributes[1] == {"href": "#prerender-main-content"}
    assert attributes[2] == {"for": "prerender-name"}
    assert attributes[3] == {
        "id": "prerender-main-content",
        "aria-labelledby": "prerender-a prerender-b",
    }
    assert attributes[4] == {"href": "/page#main-content"}


def test_feedback_widget_is_left_out() -> None:
    layout = html.Div(
        [html.P("kept"), html.Div([html.Form(dcc.Input(id="feedback-text"))], id="feedback-widget")]
    )
    page = parsed(prerender.prerender(serialized(layout)))
    assert [tag for tag, _ in page.elements] == ["div", "p"]
    static = StaticHtml(tree=[{"t": "div", "p": {"id": "feedback-widget"}, "c": ["form"]}, "x"])
    assert prerender.prerender(serialized(static)) == "x"


def test_charts_are_numbered_empty_boxes_without_their_figure() -> None:
    figure = {"data": [{"type": "bar", "y": [1], "name": HOSTILE}], "layout": {}}
    layout = html.Div(
        [
            dcc.Graph(id="chart-a-graph", figure=figure, className="chart", style={"height": 300}),
            dcc.Graph(figure=figure),
            dcc.Store(id="s", data=HOSTILE),
            dcc.Link("Home", href="/"),
        ]
    )
    markup = prerender.prerender(serialized(layout))
    page = parsed(markup)
    assert "bar" not in markup and "<script" not in markup  # the figures stay in the layout
    boxes = [attrs for tag, attrs in page.elements if "data-prerender-graph" in attrs]
    assert [box["data-prerender-graph"] for box in boxes] == ["0", "1"]
    assert boxes[0]["id"] == "prerender-chart-a-graph"
    assert boxes[0]["class"] == "prerender-chart chart"
    assert boxes[0]["style"] == "height:300px"
    assert ("a", {"href": "/"}) in page.elements
