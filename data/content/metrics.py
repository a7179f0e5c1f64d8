"""``cxdash import-metrics``: the metric catalogue (what is measured, how it is scored, what it
means), including which measure is the headline of its dimension.

One row per metric; the key is ``code``. Definitions are checked as a mapping's are
(:func:`data.store.check_metric_definition`). Once results or targets are stored for a
metric, its scale, direction and normalization ends cannot change (every stored value and
score would silently change meaning): define a new metric instead. At most one metric per
dimension is the headline, counted after the file is applied, so one file may move the flag
from one metric to another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.infra.models import (
    DIMENSIONS,
    DIRECTIONS,
    SCALES,
    ImportRun,
    Metric,
    Observation,
    Target,
)
from data.content.common import (
    INSERTED,
    REQUIRED_TEXT,
    ContentImporter,
    ParsedRow,
    Row,
    changed_fields,
    repeated,
    write_planned,
)
from data.store import (
    METRIC_PLAIN_FIELDS,
    check_metric_definition,
    headline_conflicts,
    metric_code_problem,
)
from data.values import parse_bool, parse_number

#: The catalogue file: the metric's code, then every field a metric definition may set (its
#: texts, in every configured language, come besides: ``MetricImporter.model``).
METRIC_COLUMNS = ("code", *METRIC_PLAIN_FIELDS)
METRIC_REQUIRED = ("code", REQUIRED_TEXT, "dimension", "scale")
#: What a stored result means depends on these: fixed once results or targets exist.
_SCORING_FIELDS = ("scale", "direction", "norm_best", "norm_worst")


def parse_metric_code(text: str) -> str:
    code = text.strip()
    problem = metric_code_problem(code)
    if problem is not None:
        raise ValueError(problem)
    return code


def _choice(options: tuple[str, ...], what: str) -> Any:
    def parse(text: str) -> str:
        value = text.strip().casefold()
        if value not in options:
            raise ValueError(f"not a {what}; use one of {', '.join(options)}")
        return value

    return parse


def parse_plain_number(text: str) -> float:
    number, is_percent = parse_number(text)
    if is_percent:
        raise ValueError("write the value on the metric's own scale, without %")
    return number


@dataclass
class _Parsed(ParsedRow):
    code: str


class MetricImporter(ContentImporter):
    kind = "metrics"
    subject = "metrics"
    columns = METRIC_COLUMNS
    required = METRIC_REQUIRED
    model = Metric

    def parse(self, rows: list[Row]) -> None:
        self.parsed: list[_Parsed] = []
        for row in rows:
            code = row.parsed("code", parse_metric_code, required=True, limit=(Metric, "code"))
            texts = row.texts(Metric)
            values: dict[str, Any] = {
                **{column: texts[column] for column in texts if column.startswith("name_")},
                "dimension": row.parsed(
                    "dimension", _choice(DIMENSIONS, "dimension"), required=True
                ),
                "scale": row.parsed("scale", _choice(SCALES, "scale"), required=True),
                "direction": row.parsed("direction", _choice(DIRECTIONS, "direction")) or "higher",
                "norm_best": row.parsed("norm_best", parse_plain_number),
                "norm_worst": row.parsed("norm_worst", parse_plain_number),
                "is_survey": bool(row.parsed("is_survey", parse_bool)),
                "headline": bool(row.parsed("headline", parse_bool)),
            }
            # Free texts the methodology page shows, taken as written.
            values.update({column: text for column, text in texts.items() if column not in values})
            if row.ok and code is not None:
                definition = {
                    name: value
                    for name, value in values.items()
                    if name != "headline" and value is not None
                }
                for reason in check_metric_definition(code, definition):
                    row.problem(None, None, reason)
            values = row.given(values)
            if code is not None:
                self.parsed.append(_Parsed(row, values, code))

    def plan(self, session: Session) -> None:
        stored = {metric.code.casefold(): metric for metric in session.scalars(select(Metric))}
        used = _metrics_with_data(session)
        seen: dict[str, int] = {}
        catalogue = {
            metric.code: (metric.dimension, bool(metric.headline)) for metric in stored.values()
        }
        rows_by_code: dict[str, Row] = {}
        for parsed in self.parsed:
            row = parsed.row
            key = parsed.code.casefold()
            if repeated(row, seen, key, "code", parsed.code, "code"):
                continue
            if not row.ok:
                continue
            metric = stored.get(key)
            changed = [] if metric is None else changed_fields(metric, parsed.values)
            if metric is not None and metric.id in used:
                for name in changed:
                    if name in _SCORING_FIELDS:
                        row.problem(
                            name,
                            row.raw(name).strip(),
                            f"results or targets are stored for {metric.code}, measured with "
                            f"{name} = {getattr(metric, name)!r}; changing it would change "
                            "what they mean. Define a new metric instead",
                        )
            code = metric.code if metric is not None else parsed.code
            catalogue[code] = (
                parsed.values["dimension"],
                bool(parsed.values.get("headline", metric.headline if metric else False)),
            )
            rows_by_code[code] = row
            if not row.ok:
                continue
            planned = self.plan_row(
                parsed, metric, changed, what="metric", key={"code": parsed.code}
            )
            if planned is not None and planned.outcome == INSERTED:
                self.report.metrics_created.append(parsed.code)
        for dimension, codes in headline_conflicts(catalogue).items():
            for code in codes:
                headline_row = rows_by_code.get(code)
                if headline_row is None:
                    continue
                others = ", ".join(c for c in codes if c != code)
                headline_row.problem(
                    "headline",
                    headline_row.raw("headline").strip() or None,
                    f"{others} would also be the headline measure of {dimension}; a dimension "
                    "has one headline (set headline = no on the other row, or add a row for it)",
                )

    def apply(self, session: Session, run: ImportRun, now: dt.datetime) -> None:
        # Metrics record no import (the model has no import_id); they use no units or metrics.
        for planned in self.planned:
            write_planned(session, Metric, planned, self.publish)


def _metrics_with_data(session: Session) -> set[int]:
    with_results = session.scalars(select(Observation.metric_id).group_by(Observation.metric_id))
    with_targets = session.scalars(select(Target.metric_id).group_by(Target.metric_id))
    return set(with_results) | set(with_targets)
