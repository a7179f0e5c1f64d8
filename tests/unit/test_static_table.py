"""Chart data tables travel as one StaticTable component of plain strings (no markup)."""

from __future__ import annotations

import json

import plotly

from dashboard.core.settings import PROJECT_ROOT
from dashboard.domain.charts import ChartSpec, TableColumn
from layouts.components import data_table
from layouts.static_table import StaticTable


def spec() -> ChartSpec:
    return ChartSpec(
        chart_id="c",
        title="Timeliness <b>rate</b>",
        summary="",
        y_title="%",
        traces=[],
        columns=[
            TableColumn("period", "Period"),
            TableColumn("value", "Result (%)", kind="number"),
            TableColumn("status", "Status", kind="status"),
            TableColumn("note", "Note"),
        ],
        rows=[
            {"period": "FY2026 Q1", "value": 84.5, "status": "met", "note": "<script>x</script>"},
            {"period": "FY2026 Q2", "value": None, "status": "not_reported", "note": None},
        ],
        file_stem="c",
    )


def test_cells_are_text_and_status_carries_a_symbol_and_words() -> None:
    table = data_table(spec(), "en")
    assert isinstance(table, StaticTable)
    assert table.caption == "Timeliness <b>rate</b>"  # drawn as text, never parsed as HTML
    assert table.columns == ["Period", "Result (%)", "Status", "Note"]
    assert table.column_classes == [None, "text-end", None, None]
    first, second = table.rows
    assert first[0] == "FY2026 Q1" and first[1] == "84.5"
    assert first[2]["text"] == "Met" and first[2]["symbol"]
    assert "status-met" in first[2]["className"]
    assert first[3] == "<script>x</script>"
    # Not reported is words, never 0 or an empty cell.
    assert second[1] == "Not reported"
    assert second[2]["text"] == "Not reported"


def test_spanish_words_in_the_table() -> None:
    rows = data_table(spec(), "es").rows
    assert rows[1][1] == "No reportado"


def test_the_table_serialises_as_one_component_of_our_namespace() -> None:
    payload = json.loads(json.dumps(data_table(spec(), "en"), cls=plotly.utils.PlotlyJSONEncoder))
    assert payload["namespace"] == "cxdash" and payload["type"] == "StaticTable"
    assert "children" not in payload["props"]


def test_the_browser_side_of_the_component_is_shipped_and_builds_no_markup() -> None:
    script = (PROJECT_ROOT / "assets" / "static-table.js").read_text(encoding="utf-8")
    assert "window.cxdash" in script and "StaticTable" in script
    assert "innerHTML" not in script and "dangerouslySetInnerHTML" not in script
