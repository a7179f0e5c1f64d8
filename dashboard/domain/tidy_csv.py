"""A chart's numbers as a tidy CSV: one row per period (and group), one column per fact.

The page's data table speaks to people ("≥ 80%", "Met", "Yes"), in the page's language. The
CSV download is for spreadsheets and scripts: every file has the same columns
(:data:`COLUMNS`) in the same order in every language, numbers are numbers (a target is its
value in one column and its comparator in another, never "≥ 80%" in one cell), statuses and
flags are fixed English codes, and a missing value is an empty cell, never a zero.
``docs/chart-csv.md`` documents the columns.

Names (agency, unit, measure, group, period label) are in the page's language. Every text
cell goes through :func:`dashboard.domain.csv_cells.safe_row`, so an agency's
``=HYPERLINK(...)`` is written as text; numbers stay numbers.

A pure module: the page's view (the home page's ``HomeView.tidy_csv``) or the glue
(``callbacks.exports`` for the agency and service pages) says which agency, unit and measure a
chart shows (:class:`ChartSubject`); the rows come from the chart spec, whose trend rows carry
their numbers under ``"facts"`` (``dashboard.views.agency.panels.point_facts``). A chart
without facts (the home page's enterprise trends) gives its period, its first number column as
the value, and blanks where it has no answer. Every row names an agency and a measure code: a
roll-up of the whole government names the government (its name in the settings,
``GOVERNMENT_NAME``), never a blank.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.domain.charts import ChartSpec
from dashboard.domain.csv_cells import safe_row

#: The columns of every chart CSV, in order (documented in docs/chart-csv.md).
COLUMNS: tuple[str, ...] = (
    "agency",
    "unit",
    "unit_type",
    "measure_code",
    "measure",
    "segment",
    "group",
    "period",
    "period_start",
    "period_end",
    "value",
    "value_unit",
    "target_comparator",
    "target",
    "status",
    "small_sample",
    "suppressed",
    "revised",
    "as_of",
)

#: Comparators as the CSV writes them (the store's ASCII forms as the site prints them).
COMPARATORS: Mapping[str, str] = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}

#: A status as a word (``dashboard.domain.targets.Status`` values; "not_met" is "missed").
STATUS_WORDS: Mapping[str, str] = {
    "met": "met",
    "not_met": "missed",
    "no_target": "no target",
    "not_reported": "not reported",
}


@dataclass(frozen=True)
class ChartSubject:
    """Whose numbers a chart shows, in the page's language."""

    agency: str  # "Department of Motor Vehicles"; the government's name for a roll-up of all
    unit: str  # the agency or the service the figures are of; the government for a roll-up
    unit_type: str  # "agency", "service" or "all" (a roll-up of every agency)
    #: "csat_overall"; a roll-up of several measures' standards: their codes joined by "|"
    measure_code: str
    measure: str  # "Overall satisfaction"; several measures: their names joined by " | "
    segment: str = ""  # "channel", "language", "customer_group" for a breakdown


def flag(value: Any) -> str:
    """A yes/no flag as the CSV writes it: "true" or "false"."""
    return "true" if value else "false"


def tidy_records(
    spec: ChartSpec, subject: ChartSubject, as_of: dt.date | None
) -> list[dict[str, Any]]:
    """The chart's rows as tidy records (keys: :data:`COLUMNS`)."""
    value_column = next((c.key for c in spec.columns if c.kind == "number"), None)
    period_column = spec.columns[0].key if spec.columns else "period"
    records = []
    for row in spec.rows:
        facts = row.get("facts")
        record: dict[str, Any] = {
            "agency": subject.agency,
            "unit": subject.unit,
            "unit_type": subject.unit_type,
            "measure_code": subject.measure_code,
            "measure": subject.measure,
            "segment": subject.segment if "group" in row else "",
            "group": row.get("group", ""),
            "period": row.get("period", row.get(period_column)),
            "period_start": None,
            "period_end": row.get("period_end"),
            "value": None,
            "value_unit": spec.y_title,
            "target_comparator": None,
            "target": None,
            "status": None,
            "small_sample": None,
            "suppressed": None,
            "revised": None,
            "as_of": as_of.isoformat() if as_of else None,
        }
        if isinstance(facts, Mapping):
            comparator = facts.get("target_comparator")
            record.update(
                period_start=facts.get("period_start"),
                value=_number(facts.get("value")),
                target=_number(facts.get("target_value")),
                target_comparator=COMPARATORS.get(comparator, comparator) if comparator else None,
                status=STATUS_WORDS.get(str(facts.get("status")), None),
                small_sample=flag(facts.get("small_sample")),
                suppressed=flag(facts.get("suppressed")),
                revised=flag(facts.get("revised")),
            )
            if record["status"] is None and not facts.get("suppressed"):
                # Nothing published for the period: never a zero, never a blank status. (A
                # suppressed figure was published but is not judged in public: no status.)
                record["status"] = STATUS_WORDS["not_reported"]
        elif value_column is not None:
            record["value"] = _number(row.get(value_column))
        records.append(record)
    return records


def _number(value: Any) -> float | int | None:
    """A number, or None for anything else (a "Suppressed" word is no value)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def csv_text(records: Iterable[Mapping[str, Any]], columns: Sequence[str] = COLUMNS) -> str:
    """Records as CSV text (a header row of :data:`COLUMNS`), every cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(safe_row("" if record.get(c) is None else record.get(c) for c in columns))
    return buffer.getvalue()


def chart_csv(spec: ChartSpec, subject: ChartSubject, as_of: dt.date | None) -> str:
    """The chart's tidy CSV text."""
    return csv_text(tidy_records(spec, subject, as_of))
