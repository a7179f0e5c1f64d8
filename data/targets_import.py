"""``cxdash import-targets``: posted service levels and promises, with their dates.

One row per target (columns in docs/import-content.md, "Targets and promises"):
``agency, service, metric, kind, value, comparator, text_en, text_es, promise_en,
promise_es, effective_from, effective_to``. The agency and metric must exist (import them
first); the service, ``effective_to`` and the texts may be empty.

All or nothing, like every import: every cell is checked and every problem listed with its
file, row, column and value; only a file without problems is written, in one transaction
that holds the store lock. Targets follow the history rules of ``data.target_history``
(decision D2): without ``--publish`` rows are drafts and change nothing public; with it, a
different target for a start that already has one corrects it (the old one is kept as
history), a later start closes the earlier target, and a target ends where the next
published one begins. Importing the same file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashboard.core.languages import default_language
from dashboard.infra.models import COMPARATORS, TARGET_KINDS, ImportRun, Target, utcnow
from data.content.common import text_columns, unconfigured_language, unconfigured_language_reason
from data.readers import header_key
from data.report import ImportReport
from data.store import (
    Catalog,
    MetricInfo,
    UnitKey,
    check_length,
    count_target_outcomes,
    import_transaction,
    load_target_plans,
    note_previous_import,
    publish_units_and_metrics,
    read_import_table,
    record_failure,
    write_target_plans,
)
from data.target_history import UNCHANGED, TargetContent
from data.values import parse_date, parse_scaled_value

Progress = Callable[[int, int], None]

TARGET_COLUMNS = (
    "agency",
    "service",
    "metric",
    "kind",
    "value",
    "comparator",
    "effective_from",
    "effective_to",
)


def target_columns() -> tuple[str, ...]:
    """Every column a targets file may have: :data:`TARGET_COLUMNS` and the target's words
    (``text_<language>``, ``promise_<language>``) in each configured language."""
    return (*TARGET_COLUMNS, *text_columns(Target))


REQUIRED_COLUMNS = ("agency", "metric", "effective_from")

_COMPARATOR_SYMBOLS = {"≥": ">=", "≤": "<=", "=>": ">=", "=<": "<=", "==": "="}


@dataclass
class _Row:
    row: int
    unit: UnitKey
    metric: MetricInfo
    content: TargetContent
    start: dt.date
    end: dt.date | None


def import_targets(
    database_url: str,
    path: Path,
    *,
    dry_run: bool = False,
    publish: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a targets file; see the module docstring and docs/import-content.md."""
    path = Path(path)
    report = ImportReport(file=path.name, kind="targets", dry_run=dry_run, publish=publish)
    table = read_import_table(database_url, path, report)
    if table is None:
        return report
    index = table.column_index()
    headers = {header_key(name): name for name in table.header if name}
    for name in REQUIRED_COLUMNS:
        if name not in index:
            report.problem(
                table.header_row, name, None, "required column is missing from the header"
            )
    foreign = set()
    for name in table.header:
        language = unconfigured_language(Target, header_key(name)) if name else None
        if language is not None:
            foreign.add(name)
            report.problem(table.header_row, name, name, unconfigured_language_reason(language))
    columns = target_columns()
    unused = [
        name
        for name in table.header
        if name and header_key(name) not in columns and name not in foreign
    ]
    if unused:
        report.notes.append("column(s) not used: " + ", ".join(unused))
    if report.problems:
        record_failure(database_url, report, None)
        return report

    total = len(table)
    with import_transaction(database_url, report) as session:
        catalog = Catalog.load(session)
        rows: list[_Row] = []
        seen: dict[tuple[object, str, dt.date], int] = {}
        for position, (cells, number) in enumerate(
            zip(table.rows, table.row_numbers.tolist(), strict=True)
        ):
            if progress and position % 1000 == 0:
                progress(position, total)

            def cell(name: str, cells: list[str] = cells) -> str | None:
                where = index.get(name)
                text = None if where is None else cells[where].strip()
                return text or None

            checked = _check_row(cell, int(number), headers, catalog, report)
            if checked is None:
                continue
            key = (checked.unit, checked.metric.code, checked.start)
            if key in seen:
                report.problem(
                    checked.row,
                    headers.get("effective_from", "effective_from"),
                    checked.start.isoformat(),
                    f"row {seen[key]} already gives a target for this unit, metric and start",
                )
                continue
            seen[key] = checked.row
            rows.append(checked)
        if progress:
            progress(total, total)
        if report.problems:
            return report

        now = utcnow()
        plans = load_target_plans(session, ((r.unit, r.metric) for r in rows))
        for item in sorted(rows, key=lambda r: (r.start, r.row)):
            plan = plans[(item.unit, item.metric.code)]
            if publish:
                outcome, _ = plan.ledger.publish(
                    item.content, item.start, end=item.end, now=now, row=item.row
                )
            else:
                outcome, _ = plan.ledger.draft(item.content, item.start, end=item.end, row=item.row)
            plan.outcomes.append(outcome)
        count_target_outcomes(report, plans.values())
        report.unchanged = sum(
            outcome == UNCHANGED for plan in plans.values() for outcome in plan.outcomes
        )
        note_previous_import(session, report)
        if dry_run:
            return report

        run = ImportRun(
            kind=report.kind,
            file_name=report.file,
            checksum=report.checksum or "",
            rows_read=report.rows_read,
            status="succeeded",
            started_at=now,
        )
        session.add(run)
        session.flush()
        write_target_plans(session, plans.values(), run)
        if publish:
            publish_units_and_metrics(
                session,
                {r.unit for r in rows if isinstance(r.unit, int)},
                {r.metric.id for r in rows if r.metric.id is not None},
            )
            from data.publication import record_cli_publications

            # The public changelog and the audit log, in the import's transaction.
            record_cli_publications(session, run, now=now)
        run.rows_inserted = report.targets_created
        run.rows_unchanged = report.unchanged
        run.message = (
            f"{report.rows_read} rows read; {report.targets_created} new target(s), "
            f"{report.targets_published} draft(s) published, {report.targets_superseded} "
            f"corrected, {report.unchanged} unchanged"
        )
        run.finished_at = utcnow()
        session.flush()
        report.import_id = run.id
    return report


def _check_row(
    cell: Callable[[str], str | None],
    row: int,
    headers: dict[str, str],
    catalog: Catalog,
    report: ImportReport,
) -> _Row | None:
    """The row as a target, or None after reporting every problem it has."""
    before = len(report.problems)

    def problem(name: str, value: str | None, reason: str) -> None:
        report.problem(row, headers.get(name, name), value, reason)

    unit: UnitKey | None = None
    agency_text = cell("agency")
    if agency_text is None:
        problem("agency", None, "the agency is empty")
    else:
        try:
            unit = catalog.find_agency(agency_text)
        except LookupError as error:
            problem("agency", agency_text, str(error).split(" (match")[0] + _IMPORT_FIRST)
    service_text = cell("service")
    if unit is not None and service_text is not None:
        try:
            unit = catalog.find_service(unit, service_text)
        except LookupError as error:
            problem("service", service_text, str(error).split(" (match")[0] + _IMPORT_FIRST)
            unit = None

    metric: MetricInfo | None = None
    metric_text = cell("metric")
    if metric_text is None:
        problem("metric", None, "the metric is empty")
    else:
        try:
            metric = catalog.find_metric(metric_text)
        except LookupError:
            problem("metric", metric_text, "unknown metric code (import the metric first)")

    kind = (cell("kind") or "numeric").casefold()
    if kind not in TARGET_KINDS:
        problem("kind", cell("kind"), f"unknown kind; use one of {', '.join(TARGET_KINDS)}")

    value: float | None = None
    value_text = cell("value")
    if kind == "numeric" and value_text is None:
        problem("value", None, "a numeric target needs a value")
    elif kind in ("baseline", "text") and value_text is not None:
        problem("value", value_text, f"a {kind} target has no value; leave the cell empty")
    elif value_text is not None and metric is not None:
        try:
            value = parse_scaled_value(value_text, metric.scale)
        except ValueError as error:
            problem("value", value_text, str(error))

    comparator_text = cell("comparator")
    comparator = ">=" if metric is None or metric.direction == "higher" else "<="
    if comparator_text is not None:
        given = _COMPARATOR_SYMBOLS.get(comparator_text, comparator_text)
        if given not in COMPARATORS:
            problem(
                "comparator",
                comparator_text,
                f"unknown comparator; use one of {', '.join(COMPARATORS)}",
            )
        comparator = given

    texts = {name: cell(name) for name in text_columns(Target)}
    required = f"text_{default_language()}"
    if kind == "text" and texts[required] is None:
        problem(required, None, f"a text target needs its text in {required}")
    for name in (column for column in texts if column.startswith("text_")):
        check_length(
            report,
            row,
            headers.get(name, name),
            texts[name],
            getattr(Target, name),
            what="the target text",
        )

    start = _date(cell("effective_from"), "effective_from", problem, required=True)
    end = _date(cell("effective_to"), "effective_to", problem, required=False)
    if start is not None and end is not None and end < start:
        problem("effective_to", end.isoformat(), f"ends before it starts ({start.isoformat()})")

    if len(report.problems) > before or unit is None or metric is None or start is None:
        return None
    return _Row(
        row,
        unit,
        metric,
        TargetContent.of(kind, value, comparator, **texts),
        start,
        end,
    )


_IMPORT_FIRST = " (match its slug, code or name as stored; import new units first)"


def _date(
    text: str | None,
    name: str,
    problem: Callable[[str, str | None, str], None],
    *,
    required: bool,
) -> dt.date | None:
    if text is None:
        if required:
            problem(name, None, "the date is empty")
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        problem(name, text, str(error))
        return None
