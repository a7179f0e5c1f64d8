"""The stand-alone report figure of a chart, and the export links: pure functions, no browser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys

import plotly.graph_objects as go

from dashboard.domain.charts import ChartSpec, Trace
from layouts.components import chart_panel, export_href, page_downloads
from layouts.figures import figure
from layouts.report_figures import (
    ReportAction,
    ReportContext,
    action_line,
    actions_text,
    period_text,
    report_figure,
    target_text,
)

X = ["2025-12-31", "2026-03-31", "2026-06-30"]
CONTEXT = ReportContext(
    language="en",
    source="Department of Examples, published on cxdash",
    as_of=dt.date(2026, 6, 30),
    permalink="https://dash.example.gov/agency/examples?period=FY2026",
)


def spec(**changes: object) -> ChartSpec:
    values: dict = dict(
        chart_id="csat_overall",
        title="Overall satisfaction <b>& trust</b>",
        summary="",
        y_title="%",
        traces=[
            Trace(name="Overall satisfaction", kind="line", x=X, y=[80.0, None, 84.0]),
            Trace(name="Target in force", kind="target", x=X, y=[85.0, 85.0, 85.0]),
        ],
        columns=[],
        rows=[],
        file_stem="examples_csat-overall_all",
        notes=["Fewer than 30 responses in 2026-Q1: read with care."],
    )
    values.update(changes)
    return ChartSpec(**values)


def footer(fig: dict) -> str:
    return fig["layout"]["annotations"][-1]["text"]


def test_report_figure_is_a_valid_plotly_figure_with_everything_a_report_needs():
    fig = report_figure(spec(), CONTEXT, width=900, height=500)
    go.Figure(fig)  # Plotly's own validator
    layout = fig["layout"]
    assert (layout["width"], layout["height"]) == (900, 500)
    assert "Overall satisfaction" in layout["title"]["text"]
    assert "&lt;b&gt;" in layout["title"]["text"], "agency text is escaped, never markup"
    assert layout["title"]["subtitle"]["text"] == "Periods shown: December 2025 to June 2026"
    assert layout["yaxis"]["title"]["text"] == "%"
    assert [t["name"] for t in fig["data"]] == ["Overall satisfaction", "Target in force"]
    text = footer(fig)
    assert "Note: Fewer than 30 responses" in text
    assert "Source: Department of Examples, published on cxdash" in text
    assert "Data as of June 30, 2026" in text
    assert "https://dash.example.gov/agency/examples?period=FY2026" in text


def test_report_figure_leaves_the_page_figure_alone():
    chart = spec()
    before = figure(chart)
    report_figure(chart, CONTEXT)
    assert figure(chart) == before


def test_report_figure_in_spanish():
    context = ReportContext("es", "Departamento de Ejemplos", dt.date(2026, 6, 30), "https://x/")
    fig = report_figure(spec(), context)
    assert "Datos al 30 de junio de 2026" in footer(fig)
    assert "Fuente: Departamento de Ejemplos" in footer(fig)
    assert fig["layout"]["title"]["subtitle"]["text"].startswith("Periodos: de diciembre de 2025")


def test_no_published_data_is_said_in_words():
    context = ReportContext("en", "cxdash", None, "https://x/")
    assert "No published data yet" in footer(report_figure(spec(traces=[]), context))
    assert period_text(spec(traces=[]), "en") is None


def test_long_notes_wrap_and_move_the_plot_up():
    short = report_figure(spec(notes=[]), CONTEXT)
    long = report_figure(spec(notes=["word " * 120]), CONTEXT)
    assert footer(long).count("<br>") > footer(short).count("<br>") + 2
    assert long["layout"]["margin"]["b"] > short["layout"]["margin"]["b"]


def test_export_links_mirror_the_csv_link():
    assert (
        export_href("/download/agency/dmv/csat.csv?lang=es&period=FY2026", "png")
        == "/export/agency/dmv/csat.png?lang=es&period=FY2026"
    )
    assert export_href("/download/enterprise_satisfaction.csv", "pdf") == (
        "/export/enterprise_satisfaction.pdf"
    )


def _find_links(node: object, found: list) -> list:
    if isinstance(node, list | tuple):
        for child in node:
            _find_links(child, found)
    elif hasattr(node, "to_plotly_json"):
        props = node.to_plotly_json()["props"]
        if type(node).__name__ == "A":
            found.append(props)
        _find_links(props.get("children"), found)
    return found


def test_chart_panel_links_every_format_with_names_a_screen_reader_can_tell_apart():
    panel = chart_panel(spec(), "en", csv_href="/download/agency/dmv/csat_overall.csv?lang=en")
    links = {link["href"]: link for link in _find_links(panel, [])}
    for fmt, word in (("png", "PNG image"), ("svg", "SVG image"), ("pdf", "PDF")):
        link = links[f"/export/agency/dmv/csat_overall.{fmt}?lang=en"]
        assert link["children"] == word
        assert link["aria-label"].startswith(word) and "Overall satisfaction" in link["aria-label"]
        assert link["download"] == f"examples_csat-overall_all.{fmt}"
    assert "/download/agency/dmv/csat_overall.csv?lang=en" in links


def test_page_downloads_is_the_zip_button_holding_its_page():
    panel = page_downloads("/export/agency/dmv.zip?lang=es&period=FY2026", "es")
    found = panel.to_plotly_json()["props"]["children"]
    button = next(c for c in found if getattr(c, "id", None) == "page-zip-button")
    assert "ZIP" in button.children and button.type == "button"
    request = next(c for c in found if getattr(c, "id", None) == "page-zip-request")
    assert request.data == {
        "path": "/agency/dmv",
        "query": {"lang": "es", "period": "FY2026"},
    }
    assert _find_links(panel, []) == []  # no link until the ZIP is ready


def test_importing_the_export_modules_starts_no_browser():
    code = """
import sys
import callbacks.exports, dashboard.infra.exports, layouts.report_figures
from dashboard.web.factory import create_app
from dashboard.core.settings import Settings
create_app(Settings(database_url="sqlite://"))
assert "kaleido" not in sys.modules and "choreographer" not in sys.modules, "imported"
assert not dashboard.infra.exports.is_running()
print("idle")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "idle"


ACTIONS = (
    ReportAction("Winter surge plan", "in_progress", dt.date(2026, 3, 23)),
    ReportAction("New <b>queue</b> system", "planned", dt.date(2027, 1, 4)),
    ReportAction("Online renewals", "completed", dt.date(2025, 9, 1), dt.date(2026, 2, 2)),
)


def test_title_names_the_unit_and_the_subtitle_the_target():
    rows = [
        {
            "period": "FY2026 Q1",
            "period_end": "2025-12-31",
            "target": "≥ 80%",
            "facts": {"target_value": 80},
        },
        {
            "period": "FY2026 Q2",
            "period_end": "2026-03-31",
            "target": "≥ 85%",
            "facts": {"target_value": 85},
        },
        {
            "period": "FY2026 Q3",
            "period_end": "2026-06-30",
            "target": "No target",
            "facts": {"target_value": None},
        },
    ]
    context = dataclasses.replace(CONTEXT, unit_name="Department of Motor Vehicles")
    fig = report_figure(spec(rows=rows), context)
    title = fig["layout"]["title"]
    assert title["text"].startswith("<b>Department of Motor Vehicles — Overall satisfaction")
    assert title["subtitle"]["text"].endswith("· Target in FY2026 Q2: ≥ 85%")
    assert target_text(spec(rows=rows), "es") == "Meta en FY2026 Q2: ≥ 85%"
    # No target line drawn, no target printed.
    assert target_text(spec(rows=rows, traces=spec().traces[:1]), "en") is None


def test_actions_are_listed_in_the_image_done_first_planned_apart():
    context = dataclasses.replace(CONTEXT, actions=ACTIONS)
    chart = spec(traces=[*spec().traces, Trace("Actions", "actions", X[:1], [80.0])])
    fig = report_figure(chart, context)
    annotations = fig["layout"]["annotations"]
    listed = annotations[-2]["text"].split("<br>")
    assert listed == [
        "<b>Actions on this measure</b>",
        "Done, completed February 2, 2026: Online renewals",
        "In progress since March 23, 2026: Winter surge plan",
        "Planned, to start January 4, 2027: New &lt;b&gt;queue&lt;/b&gt; system",
    ]
    assert "Diamonds on the chart mark the actions listed below." in footer(fig)
    # The list sits between the legend and the footer: the plot gave it room.
    plain = report_figure(chart, CONTEXT)
    assert fig["layout"]["margin"]["b"] > plain["layout"]["margin"]["b"]
    assert annotations[-1]["y"] < annotations[-2]["y"]
    assert "Actions on this measure" not in str(plain["layout"]["annotations"])
    assert "listed below" not in footer(plain)  # no list, no promise of one


def test_actions_past_the_room_are_counted_not_dropped_silently():
    many = tuple(
        ReportAction(f"Action {i}", "completed", dt.date(2026, 1, i), dt.date(2026, 2, i))
        for i in range(1, 21)
    )
    lines = actions_text(many, "en", 120, max_lines=6)
    assert len(lines) == 6 and lines[-1] == "… and 16 more, listed on the page."
    assert actions_text(many, "en", 120, max_lines=2) == []
    assert action_line(ACTIONS[1], "es") == (
        "Planificada, con inicio el 4 de enero de 2027: New <b>queue</b> system"
    )


def test_a_long_title_wraps_and_moves_the_plot_down():
    context = dataclasses.replace(CONTEXT, unit_name="Department of Licensing and Regulation")
    long = report_figure(
        spec(title="Processing time within the service standard, by channel of contact"), context
    )
    assert long["layout"]["title"]["text"].count("<br>") == 1
    assert long["layout"]["margin"]["t"] > report_figure(spec(), CONTEXT)["layout"]["margin"]["t"]
