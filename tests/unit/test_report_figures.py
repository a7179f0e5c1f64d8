"""The stand-alone report figure of a chart, and the export links: pure functions, no browser."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import plotly.graph_objects as go

from dashboard.domain.charts import ChartSpec, Trace
from layouts.components import chart_panel, export_href, page_downloads
from layouts.figures import figure
from layouts.report_figures import ReportContext, period_text, report_figure

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


def test_page_downloads_is_one_zip_link():
    links = _find_links(page_downloads("/export/agency/dmv.zip?lang=es", "es"), [])
    assert [link["href"] for link in links] == ["/export/agency/dmv.zip?lang=es"]
    assert "ZIP" in links[0]["children"]


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
