"""The demo's page feedback and complaint figures (issue 14).

- **Page feedback**: answers to "Did this page help you?" on agency and service pages over the
  last :data:`FEEDBACK_MONTHS` complete months (about three in four say yes; a few carry a
  comment with no personal data), written to ``feedback.csv`` and stored as the widget
  stores them; then ``cxdash feedback-figures --publish`` turns them into the published
  ``page_helpful`` figures.
- **Complaints and compliments**: for :data:`COMPLAINT_AGENCIES`, monthly volumes and the
  share of complaints answered within 10 business days, in the long format
  (``results-5-complaints.csv``, the layout of docs/examples/complaints_compliments.csv);
  the three metrics (and ``page_helpful``) in ``metrics-feedback.csv``; the posted service
  level ("answered within 10 business days, 90% of the time") in ``targets-complaints.csv``.

Deterministic: everything derives from the random generator the caller seeds.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from sqlalchemy import insert

from dashboard.core.settings import Settings
from dashboard.domain.feedback import mask_personal_data
from dashboard.domain.fiscal import Period
from dashboard.infra.db import session_scope
from dashboard.infra.models import FeedbackResponse
from data import demo_content as content
from data.demo.timeline import Row, Timeline
from data.report import ImportReport

#: Complete months of page feedback before the demo's "today".
FEEDBACK_MONTHS = 6
#: Complete months of complaint figures.
COMPLAINT_MONTHS = 12
#: The agencies that publish complaint and compliment figures in the demo.
COMPLAINT_AGENCIES = ("dmv", "revenue", "human-services", "veterans")
#: The posted service level: complaints answered within this many business days ...
COMPLAINT_ANSWER_DAYS = 10
#: ... this share of the time.
COMPLAINT_TARGET = 0.9

FEEDBACK_COLUMNS = ("page_path", "language", "received_at", "helpful", "reason", "comment")

#: Comments visitors leave (nothing personal: the widget masks e-mails and phone numbers).
COMMENTS = {
    True: (
        ("found_it", "en", "Found the office hours straight away."),
        ("easy_to_understand", "en", "Clear chart, thank you."),
        ("found_it", "es", "Encontré el horario de atención enseguida."),
    ),
    False: (
        ("not_found", "en", "I could not find how to book an appointment."),
        ("out_of_date", "en", "The closure list looks out of date."),
        ("hard_to_understand", "es", "No entiendo qué significa la meta."),
    ),
}
NO_COMMENT_REASONS = {True: ("found_it", "easy_to_understand"), False: ("not_found", "other")}


def _recent_months(timeline: Timeline, count: int) -> list[Period]:
    """The last ``count`` months published: before the draft month (whose results the
    demo keeps as drafts), and complete."""
    published = [
        month
        for month in timeline.months
        if month.start < timeline.draft_month.start and month.end < timeline.today
    ]
    return published[-count:]


def feedback_rows(timeline: Timeline, rng: random.Random) -> list[Row]:
    """Answers on every agency's page and on its first two services' pages, per month."""
    rows: list[Row] = []
    for month in _recent_months(timeline, FEEDBACK_MONTHS):
        days = (month.end - month.start).days + 1
        for agency in content.AGENCIES:
            pages = [(f"/agency/{agency.slug}", rng.randint(25, 70))]
            pages += [
                (f"/agency/{agency.slug}/{service.slug}", rng.randint(4, 30))
                for service in agency.services[:2]
            ]
            # Each agency's pages help a slightly different share of visitors.
            helpful_share = 0.62 + 0.25 * rng.random()
            for path, answers in pages:
                for _ in range(answers):
                    helpful = rng.random() < helpful_share
                    received = dt.datetime.combine(
                        month.start + dt.timedelta(days=rng.randrange(days)),
                        dt.time(rng.randint(7, 21), rng.randrange(60)),
                    )
                    if rng.random() < 0.08:
                        reason, language, comment = rng.choice(COMMENTS[helpful])
                    else:
                        reason = rng.choice(NO_COMMENT_REASONS[helpful])
                        language, comment = rng.choice(("en", "en", "en", "es")), None
                    rows.append(
                        {
                            "page_path": path,
                            "language": language,
                            "received_at": received.isoformat(sep=" "),
                            "helpful": "yes" if helpful else "no",
                            "reason": reason,
                            "comment": comment,
                        }
                    )
    return rows


def helpful_figure_count(rows: list[Row]) -> int:
    """How many ``page_helpful`` figures the answers make: one per page and month (every
    agency's own page has answers each month, so its figure is the roll-up's)."""
    return len({(row["page_path"], str(row["received_at"])[:7]) for row in rows})


def write_feedback(path: Path, rows: list[Row]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, FEEDBACK_COLUMNS, lineterminator="\n")
        out.writeheader()
        out.writerows(rows)
    return path


def load_feedback(database_url: str, path: Path, settings: Settings) -> ImportReport:
    """Store the answers of ``path`` as the widget does (the unit found from the page by
    :func:`data.feedback.unit_of_page`, the comment masked), then publish their figures
    (``cxdash feedback-figures --publish``).

    The rows go in with one INSERT rather than through ``record_feedback``, which adds and
    flushes each answer as an object (right for the widget's one at a time): several thousand
    answers took a second that way, 20-40% of the whole demo; now about 8%."""
    from data.feedback import unit_of_page
    from data.feedback_figures import write_feedback_figures

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with session_scope(database_url) as session:
        units = {page: unit_of_page(session, page) for page in {row["page_path"] for row in rows}}
        session.execute(
            insert(FeedbackResponse),
            [
                {
                    "page_path": row["page_path"],
                    "unit_id": units[row["page_path"]],
                    "language": row["language"],
                    "helpful": row["helpful"] == "yes",
                    "reason": row["reason"] or None,
                    "comment": mask_personal_data(row["comment"]) if row["comment"] else None,
                    "received_at": dt.datetime.fromisoformat(row["received_at"]),
                    "status": "new",
                }
                for row in rows
            ],
        )
    return write_feedback_figures(database_url, settings=settings, publish=True)


# -- complaints and compliments -------------------------------------------------------------

COMPLAINT_PROMISE = (
    f"We answer complaints within {COMPLAINT_ANSWER_DAYS} business days, "
    f"{COMPLAINT_TARGET:.0%} of the time.",
    f"Respondemos las quejas en un plazo de {COMPLAINT_ANSWER_DAYS} días hábiles, "
    f"el {COMPLAINT_TARGET:.0%} de las veces.",
)


def helpful_metric_row() -> Row:
    """``page_helpful`` as ``cxdash feedback-figures`` would create it, in the metrics file
    so that its texts come in every language the demo writes."""
    from data.feedback_figures import HELPFUL_DEFINITION, HELPFUL_METRIC

    return {"code": HELPFUL_METRIC, **HELPFUL_DEFINITION}


def complaint_metric_rows() -> list[Row]:
    """The three metrics, with every text the methodology page shows."""
    common: Row = {
        "data_source_en": "The agency's complaints and compliments register.",
        "data_source_es": "El registro de quejas y felicitaciones de la agencia.",
    }
    return [
        {
            **common,
            "code": "complaints_received",
            "name_en": "Complaints received",
            "name_es": "Quejas recibidas",
            "dimension": "other",
            "scale": "count",
            "direction": "higher",
            "definition_en": "Complaints about the agency's services received in the month.",
            "definition_es": "Quejas sobre los servicios de la agencia recibidas en el mes.",
            "method_en": "Counted from the register, by month of receipt. A volume, not scored.",
            "method_es": "Contadas en el registro, por mes de recepción. Un volumen, sin puntaje.",
            "target_setting_en": "No target: more complaints may mean easier ways to complain.",
            "target_setting_es": "Sin meta: más quejas pueden indicar que quejarse es más fácil.",
            "is_survey": False,
            "headline": False,
        },
        {
            **common,
            "code": "compliments_received",
            "name_en": "Compliments received",
            "name_es": "Felicitaciones recibidas",
            "dimension": "other",
            "scale": "count",
            "direction": "higher",
            "definition_en": "Compliments about the agency's services received in the month.",
            "definition_es": (
                "Felicitaciones sobre los servicios de la agencia recibidas en el mes."
            ),
            "method_en": "Counted from the register, by month of receipt. A volume, not scored.",
            "method_es": "Contadas en el registro, por mes de recepción. Un volumen, sin puntaje.",
            "target_setting_en": "No target.",
            "target_setting_es": "Sin meta.",
            "is_survey": False,
            "headline": False,
        },
        {
            **common,
            "code": "complaints_answered_within_standard",
            "name_en": f"Complaints answered within {COMPLAINT_ANSWER_DAYS} business days",
            "name_es": f"Quejas respondidas en {COMPLAINT_ANSWER_DAYS} días hábiles",
            "dimension": "responsiveness",
            "scale": "fraction",
            "direction": "higher",
            "definition_en": (
                f"Share of the complaints received in the month that were answered within "
                f"{COMPLAINT_ANSWER_DAYS} business days."
            ),
            "definition_es": (
                f"Proporción de las quejas recibidas en el mes que se respondieron en un plazo "
                f"de {COMPLAINT_ANSWER_DAYS} días hábiles."
            ),
            "method_en": (
                "Business days skip weekends and public holidays; a complaint never answered "
                "counts as not answered in time."
            ),
            "method_es": (
                "Los días hábiles excluyen fines de semana y feriados; una queja sin respuesta "
                "cuenta como no respondida a tiempo."
            ),
            "target_setting_en": "The posted service level: 90% within 10 business days.",
            "target_setting_es": "El nivel de servicio publicado: 90% en 10 días hábiles.",
            "is_survey": False,
            "headline": False,
        },
    ]


def complaint_rows(timeline: Timeline, rng: random.Random) -> list[Row]:
    """Monthly volumes and the answered-in-time share, long format, for a few agencies."""
    rows: list[Row] = []
    for slug in COMPLAINT_AGENCIES:
        base = rng.randint(40, 260)
        on_time = 0.8 + 0.15 * rng.random()
        for month in _recent_months(timeline, COMPLAINT_MONTHS):
            complaints = max(1, round(base * (0.8 + 0.4 * rng.random())))
            answered = min(complaints, round(complaints * (on_time + 0.06 * (rng.random() - 0.5))))
            common: Row = {"agency": slug, "service": "", "period_start": month.start}
            common |= {"period_end": month.end, "granularity": "month"}
            rows.append({**common, "metric": "complaints_received", "value": float(complaints)})
            compliments = round(complaints * (0.2 + 0.3 * rng.random()))
            rows.append({**common, "metric": "compliments_received", "value": float(compliments)})
            rows.append(
                {
                    **common,
                    "metric": "complaints_answered_within_standard",
                    "numerator": float(answered),
                    "denominator": float(complaints),
                    "value": round(answered / complaints, 4),
                }
            )
    return rows


def complaint_target_rows(timeline: Timeline) -> list[Row]:
    """The posted service level of each agency that publishes complaint figures."""
    return [
        {
            "agency": slug,
            "service": "",
            "metric": "complaints_answered_within_standard",
            "kind": "numeric",
            "value": COMPLAINT_TARGET,
            "comparator": ">=",
            "text_en": None,
            "text_es": None,
            "promise_en": COMPLAINT_PROMISE[0],
            "promise_es": COMPLAINT_PROMISE[1],
            "effective_from": timeline.start,
            "effective_to": None,
        }
        for slug in COMPLAINT_AGENCIES
    ]
