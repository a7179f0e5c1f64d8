"""layouts/static_html.compact: runs of plain HTML become one StaticHtml; anything a callback
or Dash itself needs stays a component."""

from __future__ import annotations

from dash import dcc, html

from layouts.static_html import StaticHtml, compact
from tests.components import walk


def _kinds(node) -> list[str]:  # type: ignore[no-untyped-def]
    return [type(component).__name__ for component in walk(node)]


def test_a_run_of_static_siblings_becomes_one_component_with_the_same_elements():
    frame = [
        html.H1("Title", id="heading", className="h2"),
        html.P(["Some ", html.Strong("bold"), " text"], **{"aria-label": "x", "data-kind": "y"}),
        html.Img(src="/a.svg", alt="A"),
    ]
    (only,) = compact(frame, frozenset())
    assert isinstance(only, StaticHtml)
    assert only.tree == [
        {"t": "h1", "p": {"id": "heading", "className": "h2"}, "c": ["Title"]},
        {
            "t": "p",
            "p": {"aria-label": "x", "data-kind": "y"},
            "c": ["Some ", {"t": "strong", "c": ["bold"]}, " text"],
        },
        {"t": "img", "p": {"src": "/a.svg", "alt": "A"}},
    ]


def test_live_components_and_dash_components_stay_and_split_the_runs():
    graph = dcc.Graph(id="chart", figure={})
    frame = html.Main(
        [
            html.P("before"),
            html.Div(id="search-results"),  # a callback writes it
            html.P("between"),
            html.Section([html.H2("Chart"), graph]),
            html.P("after"),
            "plain text",
        ],
        id="main-content",
    )
    compacted = compact(frame, frozenset({"search-results"}))
    assert compacted is not frame and len(frame.children) == 6  # the layout's own untouched
    assert _kinds(compacted) == [
        "Main",
        "StaticHtml",
        "Div",
        "StaticHtml",
        "Section",
        "StaticHtml",
        "Graph",
        "StaticHtml",
    ]
    section = compacted.children[3]
    assert section.children[1] is graph
    # The last run holds the text that followed the paragraph.
    assert compacted.children[-1].tree == [{"t": "p", "c": ["after"]}, "plain text"]


def test_pattern_matching_ids_and_text_alone_are_left_as_they_are():
    button = html.Button("Go", id={"type": "go", "index": 1})
    frame = html.Div([button, "just text"])
    compacted = compact(frame, frozenset())
    assert compacted.children == [button, "just text"]


def test_dash_only_props_are_not_written_as_attributes():
    (only,) = compact([html.A("Link", href="/x", n_clicks=0)], frozenset())
    assert only.tree == [{"t": "a", "p": {"href": "/x"}, "c": ["Link"]}]
