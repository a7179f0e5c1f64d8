"""``cxdash feedback-figures``: the "Did this page help you?" answers -> monthly figures.

Reads the stored answers (``feedback_responses``) as counts only, grouped by unit, month of
receipt and answer -- never a comment, a reason or a page -- and writes, per unit and
complete calendar month, the share of "yes" answers with its count (numerator) and the
number of answers (denominator) as observations of the metric ``page_helpful``
(:mod:`dashboard.domain.feedback_figures`). The metric is created when missing: a survey
fraction (``is_survey``), so the pages and the API give it a Wilson interval and the
small-sample flag like every other survey share.

It writes through the import machinery (:func:`data.store.commit_import`): one import run of
kind ``feedback``, everything or nothing, drafts unless ``publish`` (then published at once,
and a changed published figure keeps its earlier value as a revision; without ``publish``
such a change is a problem and nothing is written). Drafts are published the normal way,
with the agency's other drafts in the staff workspace's review
(:func:`data.publication.publish_agency`). It never overwrites a figure of ``page_helpful``
that another source wrote. Run again, it changes nothing (the figures are reported
unchanged).

Months are those of the time of receipt as stored (UTC, like every time in the schema).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.core.settings import Settings
from dashboard.domain.feedback_figures import (
    HELPFUL_METRIC,
    FeedbackCount,
    HelpfulFigure,
    helpful_figures,
    last_complete_month,
    month_start,
)
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.infra.db import session_factory
from dashboard.infra.models import FeedbackResponse, Unit, utcnow
from data.commands import _DRY_RUN, _FORMAT, _finish, _progress, load_settings
from data.report import ImportReport
from data.store import Catalog, MetricInfo, ObservationRecord, commit_import, record_failure
from data.values import convert_scale

Progress = Callable[[int, int], None]

#: What the import run is recorded as (``imports.kind``), and the "file" it names.
FEEDBACK_KIND = "feedback"
SOURCE_NAME = "feedback_responses"

HELPFUL_DEFINITION: dict[str, Any] = {
    "name_en": "Found this page helpful",
    "name_es": "Le resultó útil esta página",
    "dimension": "satisfaction",
    "scale": "fraction",
    "direction": "higher",
    "is_survey": True,
    "headline": False,
    "definition_en": (
        'Share of the visitors who answered "Did this page help you?" on the agency\'s and '
        "its services' pages of this dashboard who answered yes, per calendar month."
    ),
    "definition_es": (
        "Proporción de los visitantes que respondieron «¿Le resultó útil esta página?» en "
        "las páginas de la agencia y de sus servicios en este tablero que respondieron sí, "
        "por mes calendario."
    ),
    "method_en": (
        "Counted from the answers stored by the dashboard: yes answers out of all answers "
        "received in the month. A service's answers also count for its agency. Visitors "
        "choose to answer, so the share describes those who answered, not every visitor. "
        "Comments are never published."
    ),
    "method_es": (
        "Contado a partir de las respuestas guardadas por el tablero: respuestas afirmativas "
        "sobre todas las respuestas recibidas en el mes. Las respuestas de un servicio "
        "cuentan también para su agencia. Los visitantes eligen responder, así que la "
        "proporción describe a quienes respondieron, no a todos los visitantes. Los "
        "comentarios nunca se publican."
    ),
    "data_source_en": 'Answers to "Did this page help you?" stored by this dashboard.',
    "data_source_es": "Respuestas a «¿Le resultó útil esta página?» guardadas por este tablero.",
    "target_setting_en": "No target: the figure shows whether the published pages help.",
    "target_setting_es": "Sin meta: la cifra muestra si las páginas publicadas ayudan.",
}


def feedback_counts(session: Session, *, before: dt.date) -> list[FeedbackCount]:
    """The stored answers received before ``before``, counted per unit, month and answer.

    Only these three columns and a count are read: never a comment. Answers on pages of no
    unit (site-wide pages) have no unit and are left out.
    """
    received = FeedbackResponse.received_at
    if session.get_bind().dialect.name == "postgresql":
        month: Any = func.date_trunc("month", received)
    else:
        month = func.strftime("%Y-%m-01", received)
    statement = (
        select(FeedbackResponse.unit_id, month, FeedbackResponse.helpful, func.count())
        .where(FeedbackResponse.unit_id.is_not(None))
        .where(received < dt.datetime.combine(before, dt.time()))
        .group_by(FeedbackResponse.unit_id, month, FeedbackResponse.helpful)
    )
    return [
        FeedbackCount(unit_id=int(unit), month=_as_date(start), helpful=bool(yes), count=int(n))
        for unit, start, yes, n in session.execute(statement)
    ]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def agencies_of_services(session: Session) -> dict[int, int]:
    """{service id: its agency's id}: a service's answers count for its agency too."""
    rows = session.execute(
        select(Unit.id, Unit.parent_id).where(Unit.kind == "service", Unit.parent_id.is_not(None))
    )
    return {int(unit): int(parent) for unit, parent in rows if parent is not None}


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` -> the first day of that month (ValueError otherwise)."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM (2026-10)") from None


def write_feedback_figures(
    database_url: str,
    *,
    settings: Settings,
    through: dt.date | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
    publish: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Write the ``page_helpful`` figures of every complete month up to ``through``.

    ``today`` (default: the store's clock, :func:`dashboard.infra.models.utcnow`) decides
    which months are complete. ``through`` later than the last complete month is a problem.
    """
    report = ImportReport(file=SOURCE_NAME, kind=FEEDBACK_KIND, dry_run=dry_run, publish=publish)
    today = today or utcnow().date()
    last = last_complete_month(today)
    if through is not None and month_start(through) > last:
        report.problem(
            None,
            "through",
            through.strftime("%Y-%m"),
            f"this month has not ended yet; the last complete month is {last:%Y-%m}",
        )
        record_failure(database_url, report, None)
        return report
    last = month_start(through) if through is not None else last
    fiscal = FiscalCalendar.from_settings(settings)
    session = session_factory(database_url)()
    try:
        first_of_next = (last + dt.timedelta(days=32)).replace(day=1)
        with report.timed("read"):
            counts = feedback_counts(session, before=first_of_next)
            agency_of = agencies_of_services(session)
        report.rows_read = sum(row.count for row in counts)
        if progress:
            progress(0, report.rows_read)
        with report.timed("aggregate"):
            figures = helpful_figures(counts, agency_of=agency_of, today=today, through=last)
        catalog = Catalog.load(session)
        metric = catalog.find_metric(
            HELPFUL_METRIC, {HELPFUL_METRIC: HELPFUL_DEFINITION}, create=True
        )
        if metric.scale not in ("fraction", "percent"):
            report.problem(
                None,
                None,
                HELPFUL_METRIC,
                f"the stored metric {HELPFUL_METRIC} is measured as {metric.scale}; these "
                "figures need fraction or percent",
            )
        records = [_record(figure, metric, fiscal) for figure in figures]
        if not figures:
            report.notes.append(f"no answers in complete months up to {last:%Y-%m}")
        with report.timed("write"):
            commit_import(
                session,
                database_url,
                records=records,
                catalog=catalog,
                report=report,
                mapping_record=None,
                mapping_name=None,
                progress=progress,
                work_done=report.rows_read,
                sole_source=FEEDBACK_KIND,
            )
    finally:
        session.close()
    return report


def _record(figure: HelpfulFigure, metric: MetricInfo, fiscal: FiscalCalendar) -> ObservationRecord:
    return ObservationRecord(
        row=None,
        column=None,
        unit=figure.unit_id,
        metric=metric,
        period=fiscal.period_containing(figure.month, "month"),
        raw_value=round(convert_scale(figure.share, "fraction", metric.scale), 6),
        numerator=float(figure.yes),
        denominator=float(figure.answers),
    )


# -- the command ------------------------------------------------------------------------------


def _month_option(
    _context: click.Context, _parameter: click.Parameter, value: str | None
) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_month(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command("feedback-figures")
@click.option(
    "--through",
    metavar="YYYY-MM",
    callback=_month_option,
    default=None,
    help="The last month to write (default: the last complete month).",
)
@_DRY_RUN
@click.option(
    "--publish",
    is_flag=True,
    help="Publish the figures at once (otherwise they are drafts, published with the agency's "
    "other drafts in the staff workspace's review). Needed to change a published figure; the "
    "earlier value is kept as a revision.",
)
@_FORMAT
def feedback_figures_command(
    through: dt.date | None, dry_run: bool, publish: bool, output_format: str
) -> None:
    """Write the "Found this page helpful" figures (page_helpful) of complete months from the
    stored feedback answers: counts only, never comments."""
    from sqlalchemy.exc import SQLAlchemyError

    from data.store import database_problem

    settings = load_settings()
    with _progress("Counting feedback answers") as progress:
        try:
            report = write_feedback_figures(
                settings.database_url,
                settings=settings,
                through=through,
                dry_run=dry_run,
                publish=publish,
                progress=progress,
            )
        except SQLAlchemyError as error:  # the store down before the write transaction
            report = ImportReport(
                file=SOURCE_NAME, kind=FEEDBACK_KIND, dry_run=dry_run, publish=publish
            )
            database_problem(report, error)
    _finish(report, output_format)
