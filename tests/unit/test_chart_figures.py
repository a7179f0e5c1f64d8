"""The chart rules as drawn: every public figure goes through ``layouts.figures`` (issue 13)."""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go

from dashboard.domain.charts import ChartSpec, Trace
from layouts.chart_controls import chart_graph, chart_permalink, copy_link
from layouts.figures import figure, graph_config

X = ["2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30"]


def spec(*traces: Trace, scale: str | None = "percent", **changes) -> ChartSpec:  # type: ignore[no-untyped-def]
    return replace(
        ChartSpec(
            chart_id="accuracy_rate",
            title="Accuracy rate",
            summary="Accuracy rate fell from 97.1% in FY2025 Q4 to 95.6% in FY2026 Q3.",
            y_title="%",
            traces=list(traces),
            columns=[],
            rows=[],
            file_stem="chart",
            scale=scale,
            x_ticks=tuple((x, f"FY2026 Q{i}") for i, x in enumerate(X, start=1)),
        ),
        **changes,
    )


RESULT = Trace("Accuracy rate", "line", X, [97.1, 95.4, 96.2, 95.6], text=["a"] * 4)
TARGET = Trace("Target in force", "target", X, [95.0] * 4, label="Target ≥ 95%")


def test_the_value_axis_includes_the_target_and_spans_twenty_points():
    fig = figure(spec(RESULT, TARGET))
    go.Figure(fig)
    yaxis = fig["layout"]["yaxis"]
    low, high = yaxis["range"]
    assert (low, high) == (80.0, 100.0)
    # Ticks from the bottom end every step: the top end is a tick, above the target.
    assert yaxis["tick0"] == low and (high - low) % yaxis["dtick"] == 0


def test_the_target_value_is_written_on_the_chart_never_past_the_top_tick():
    fig = figure(spec(RESULT, TARGET))
    (label,) = fig["layout"]["annotations"]
    assert label["text"] == "Target ≥ 95%"
    assert label["x"] == X[-1] and label["y"] == 95.0
    # Results above the target: the words go below the line, never over a result.
    assert label["yanchor"] == "top"
    under = replace(RESULT, y=[91.0, 92.0, 90.5, 91.2])
    (label,) = figure(spec(under, TARGET))["layout"]["annotations"]
    assert label["yanchor"] == "bottom"
    # A target at the top of the axis is labelled below its line, inside the plot.
    full = replace(TARGET, y=[100.0] * 4, label="Target 100%")
    fig = figure(spec(RESULT, full))
    (label,) = fig["layout"]["annotations"]
    assert fig["layout"]["yaxis"]["range"][1] == 100.0
    assert label["yanchor"] == "top"


def test_series_differ_by_marker_and_dash_as_well_as_colour():
    email = replace(RESULT, name="Email")
    phone = replace(RESULT, name="Phone")
    fig = figure(spec(email, phone))
    first, second = fig["data"]
    assert first["marker"]["symbol"] != second["marker"]["symbol"]
    assert first["line"]["dash"] != second["line"]["dash"]
    assert first["line"]["color"] != second["line"]["color"]
    # A breakdown's fixed style: the same channel looks alike on every chart.
    fig = figure(spec(replace(phone, style=1), replace(email, style=0)))
    assert fig["data"][1]["marker"]["symbol"] == first["marker"]["symbol"]


def test_small_sample_points_are_hollow_with_one_legend_entry():
    small = Trace("Small sample", "small", [X[1]], [95.4], text=["small sample"])
    other = replace(RESULT, name="Web form")
    fig = figure(spec(RESULT, small, other, replace(small, x=[X[2]], y=[96.2])))
    go.Figure(fig)
    hollow = [t for t in fig["data"] if t.get("legendgroup") == "small-sample"]
    assert len(hollow) == 2
    assert [t["showlegend"] for t in hollow] == [True, False]
    line, first_small, other_line, second_small = fig["data"]
    assert first_small["marker"]["color"] == "white"
    assert first_small["marker"]["symbol"] == line["marker"]["symbol"]
    assert second_small["marker"]["symbol"] == other_line["marker"]["symbol"]
    assert second_small["marker"]["line"]["color"] == other_line["line"]["color"]


def test_actions_taken_and_planned_are_drawn_apart_and_labelled():
    taken = Trace(
        "Actions taken",
        "actions",
        [X[1]],
        [95.4],
        text=["Call-back · Completed"],
        labels=["Call-back"],
    )
    planned = Trace(
        "Planned actions",
        "planned",
        [X[2]],
        [96.2],
        text=["Surge plan · Planned"],
        labels=["Surge plan"],
    )
    fig = figure(spec(RESULT, taken, planned))
    go.Figure(fig)
    _line, done, plan = fig["data"]
    assert done["marker"]["symbol"] == "diamond" and plan["marker"]["symbol"] == "diamond-open"
    assert done["mode"] == plan["mode"] == "markers+text"
    assert done["text"] == ["Call-back"] and plan["text"] == ["Surge plan"]
    # The hover says which: the status is in each action's hover text.
    assert done["customdata"] == ["Call-back · Completed"]
    assert plan["customdata"] == ["Surge plan · Planned"]
    assert [done["name"], plan["name"]] == ["Actions taken", "Planned actions"]


def test_legend_is_horizontal_below_the_plot_and_long_names_wrap():
    long = replace(RESULT, name="Messages acknowledged within one business day")
    fig = figure(spec(long, TARGET))
    legend = fig["layout"]["legend"]
    assert legend["orientation"] == "h" and legend["y"] < 0 and legend["yanchor"] == "top"
    name = fig["data"][0]["name"]
    assert name.replace("<br>", " ") == "Messages acknowledged within one business day"
    assert all(len(line) <= 24 for line in name.split("<br>"))


def test_at_most_six_period_ticks():
    many = tuple((f"2026-01-{day:02d}", f"FY2026 Q{day}") for day in range(1, 20))
    fig = figure(spec(RESULT, x_ticks=many))
    assert len(fig["layout"]["xaxis"]["tickvals"]) <= 6
    assert fig["layout"]["xaxis"]["tickvals"][-1] == many[-1][0]


def test_no_mode_bar_and_no_zoom():
    config = graph_config(spec(RESULT))
    assert config["displayModeBar"] is False
    layout = figure(spec(RESULT))["layout"]
    assert layout["xaxis"]["fixedrange"] and layout["yaxis"]["fixedrange"]


def test_the_graph_is_one_image_named_by_the_summary():
    chart = spec(RESULT)
    graph = chart_graph(chart, "en")
    assert graph.role == "img"
    assert getattr(graph, "aria-label") == chart.summary
    # Without a summary, its title; never the tick labels.
    assert getattr(chart_graph(replace(chart, summary=""), "en"), "aria-label") == "Accuracy rate"


def test_copy_link_points_at_the_chart_on_its_page_in_every_language():
    chart = spec(RESULT)
    assert (
        chart_permalink(chart, "/download/agency/dmv/accuracy_rate.csv?lang=es&period=fy2026")
        == "/agency/dmv?lang=es&period=fy2026#chart-accuracy_rate-title"
    )
    assert chart_permalink(chart, "/download/accuracy_rate.csv") == "/#chart-accuracy_rate-title"
    block = copy_link(chart, "es", "/download/agency/dmv/accuracy_rate.csv?lang=es")
    link, _space, status = block.children
    assert link.href == "/agency/dmv?lang=es#chart-accuracy_rate-title"
    assert link.children == "Copiar enlace"
    assert getattr(link, "data-copied") == "Enlace a «Accuracy rate» copiado"
    assert "{url}" in getattr(link, "data-failed")
    assert getattr(status, "aria-live") == "polite" and status.role == "status"


def test_action_labels_are_escaped_once_and_wrapped():
    taken = Trace(
        "Actions taken",
        "actions",
        [X[-1]],
        [95.6],
        text=["<b>R&D</b> call-back · Completed"],
        labels=["<b>R&D</b> call-back option when the wait is long"],
    )
    fig = figure(spec(RESULT, taken))
    go.Figure(fig)
    (label,) = fig["data"][1]["text"]
    assert "<b>" not in label and "&lt;b&gt;R&amp;D&lt;/b&gt;" in label
    assert "&amp;amp;" not in label
    assert all(len(line) <= 30 for line in label.split("<br>"))
    assert fig["data"][1]["textposition"] == ["top left"]  # at the latest point
    assert fig["data"][1]["customdata"] == ["&lt;b&gt;R&amp;D&lt;/b&gt; call-back · Completed"]


def test_copy_links_name_contains_its_visible_words_in_every_language():
    # axe (label-content-name-mismatch): speech users say what they see.
    for language in ("en", "es", "fr"):
        link = copy_link(spec(RESULT), language, "/download/agency/dmv/x.csv").children[0]
        assert link.children.lower() in getattr(link, "aria-label").lower(), language
