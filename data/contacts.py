"""``cxdash import-contacts``: raw contact records -> responsiveness results per unit and month.

The input is one row per voicemail, text, email or web-form message (columns in
docs/import-format.md): ``id, agency, service, channel, received, first_response, resolved,
spam``. For every unit, calendar month (of receipt) and channel, and for the unit overall
(segment ""), it stores:

- ``ack_within_1bd``: the share of messages acknowledged within one business day
  (dashboard.domain.business_days: weekends and the jurisdiction's holidays do not count, the
  clock runs only in opening hours). Spam and phishing are left out of the numerator and
  the denominator; a message with no response counts as not acknowledged.
- ``median_hours_first_response``: the median business hours to the first response, over
  the messages that got one (its denominator). No responses at all: not reported (NULL).
- ``messages_received``: the number of messages, spam excluded (a metric of its own: a
  "contacts received" figure published from another source may include calls).

Complaints and compliments (an optional ``kind`` column: ``message``, the default,
``complaint`` or ``compliment``) are counted the same way, per unit, month and channel, and
never as messages:

- ``complaints_received`` and ``compliments_received``: the numbers received, spam excluded.
- ``complaints_answered_within_standard``: the share of complaints whose first response came
  within ``COMPLAINT_ANSWER_BUSINESS_DAYS`` business days (the posted standard, 10 by
  default), on the same business clock; a complaint never answered counts as not answered
  in time. Its target ("90% of the time") is a normal target row.

These three metrics are created (with the number of days in their names) only when a file
has such records.

It never overwrites a figure from another source: an observation it would change that was
written by another kind of import (or by none: the demo) is a problem naming unit, metric,
period and source, and nothing is written.

A record naming a service counts for that service *and* for its agency; a record naming only
the agency counts for the agency. The three metrics are created when missing. Everything is
vectorized: a million records take seconds (bench/import_contacts.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dashboard.core.settings import Settings
from dashboard.domain.business_days import BusinessCalendar
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.infra.db import session_factory
from data.readers import RawTable
from data.report import ImportReport
from data.store import (
    Catalog,
    MetricInfo,
    ObservationRecord,
    commit_import,
    read_import_table,
    record_failure,
)
from data.values import MissingMarkers, convert_scale, normalize_channel, parse_bool

Progress = Callable[[int, int], None]

CONTACT_COLUMNS = (
    "id",
    "agency",
    "service",
    "channel",
    "received",
    "first_response",
    "resolved",
    "spam",
    "kind",
)
REQUIRED_COLUMNS = ("id", "agency", "channel", "received", "first_response")

ACK_METRIC = "ack_within_1bd"
MEDIAN_METRIC = "median_hours_first_response"
#: Messages only: never ``contacts_received``, which a results file may define to include
#: calls (a published 79,150 must not become the email count, 5).
VOLUME_METRIC = "messages_received"
MESSAGE_METRICS = (ACK_METRIC, MEDIAN_METRIC, VOLUME_METRIC)

COMPLAINTS_METRIC = "complaints_received"
COMPLIMENTS_METRIC = "compliments_received"
COMPLAINTS_ANSWERED_METRIC = "complaints_answered_within_standard"

#: What a record is (the ``kind`` column); empty or no column: a message.
RECORD_KINDS = ("message", "complaint", "compliment")
_KIND_WORDS = {
    "": "message",
    "message": "message",
    "messages": "message",
    "complaint": "complaint",
    "complaints": "complaint",
    "queja": "complaint",
    "compliment": "compliment",
    "compliments": "compliment",
    "felicitación": "compliment",
    "felicitacion": "compliment",
}

_OFFSET = r"(?:[zZ]|[+-]\d{2}:?\d{2})\s*$"


def contact_metric_definitions(
    calendar: BusinessCalendar, complaint_days: int = 10
) -> dict[str, dict[str, Any]]:
    """Definitions of the metrics, used to create them when they are missing."""
    day_hours = calendar.minutes_per_day / 60
    return {
        **complaint_metric_definitions(complaint_days),
        ACK_METRIC: {
            "name_en": "Messages acknowledged within one business day",
            "name_es": "Mensajes con acuse de recibo en un día hábil",
            "dimension": "responsiveness",
            "scale": "fraction",
            "direction": "higher",
            "definition_en": (
                "Share of voicemails, text messages, emails and web-form messages acknowledged "
                "within one business day of receipt. Spam and phishing are not counted; a "
                "message never answered counts as not acknowledged."
            ),
            "definition_es": (
                "Proporción de mensajes de voz, mensajes de texto, correos electrónicos y "
                "mensajes de formularios web con acuse de recibo dentro de un día hábil desde "
                "su recepción. No se cuentan el correo no deseado ni el phishing; un mensaje "
                "sin respuesta cuenta como sin acuse de recibo."
            ),
            "method_en": (
                "Business time between receipt and first response, counting only opening "
                "hours of weekdays that are not public holidays. A message received outside "
                "opening hours starts the clock at the next opening."
            ),
            "method_es": (
                "Tiempo hábil entre la recepción y la primera respuesta, contando solo el "
                "horario de atención de los días laborables que no son feriados. Un mensaje "
                "recibido fuera de horario empieza a contar en la siguiente apertura."
            ),
        },
        MEDIAN_METRIC: {
            "name_en": "Median business hours to first response",
            "name_es": "Mediana de horas hábiles hasta la primera respuesta",
            "dimension": "responsiveness",
            "scale": "hours",
            "direction": "lower",
            "norm_best": 0.0,
            "norm_worst": 2 * day_hours,
            "definition_en": (
                "Half of the messages that got a response were answered within this many "
                "business hours (opening hours of business days). Spam is not counted."
            ),
            "definition_es": (
                "La mitad de los mensajes que recibieron respuesta se contestaron dentro de "
                "este número de horas hábiles (horario de atención de los días hábiles). No se "
                "cuenta el correo no deseado."
            ),
            "method_en": (
                f"Scored 100 at 0 hours and 0 at two business days ({2 * day_hours:g} hours)."
            ),
            "method_es": (
                f"Vale 100 con 0 horas y 0 con dos días hábiles ({2 * day_hours:g} horas)."
            ),
        },
        VOLUME_METRIC: {
            "name_en": "Messages received",
            "name_es": "Mensajes recibidos",
            "dimension": "other",
            "scale": "count",
            "direction": "higher",
            "definition_en": (
                "Number of voicemails, text messages, emails and web-form messages received "
                "in the month, spam and phishing excluded."
            ),
            "definition_es": (
                "Número de mensajes de voz, mensajes de texto, correos electrónicos y mensajes "
                "de formularios web recibidos en el mes, sin contar el correo no deseado ni el "
                "phishing."
            ),
        },
    }


def complaint_metric_definitions(days: int) -> dict[str, dict[str, Any]]:
    """The complaint and compliment metrics; ``days``: the posted standard in business days."""
    return {
        COMPLAINTS_METRIC: {
            "name_en": "Complaints received",
            "name_es": "Quejas recibidas",
            "dimension": "other",
            "scale": "count",
            "direction": "higher",
            "definition_en": (
                "Number of complaints received in the month, spam and phishing excluded."
            ),
            "definition_es": (
                "Número de quejas recibidas en el mes, sin contar el correo no deseado ni el "
                "phishing."
            ),
        },
        COMPLIMENTS_METRIC: {
            "name_en": "Compliments received",
            "name_es": "Felicitaciones recibidas",
            "dimension": "other",
            "scale": "count",
            "direction": "higher",
            "definition_en": (
                "Number of compliments received in the month, spam and phishing excluded."
            ),
            "definition_es": (
                "Número de felicitaciones recibidas en el mes, sin contar el correo no deseado "
                "ni el phishing."
            ),
        },
        COMPLAINTS_ANSWERED_METRIC: {
            "name_en": f"Complaints answered within {days} business days",
            "name_es": f"Quejas respondidas en {days} días hábiles",
            "dimension": "responsiveness",
            "scale": "fraction",
            "direction": "higher",
            "definition_en": (
                f"Share of the complaints received in the month that were answered within "
                f"{days} business days of receipt. A complaint never answered counts as not "
                "answered in time."
            ),
            "definition_es": (
                f"Proporción de las quejas recibidas en el mes que se respondieron en un plazo "
                f"de {days} días hábiles desde su recepción. Una queja sin respuesta cuenta "
                "como no respondida a tiempo."
            ),
            "method_en": (
                "Business time between receipt and first response, counting only opening "
                "hours of weekdays that are not public holidays."
            ),
            "method_es": (
                "Tiempo hábil entre la recepción y la primera respuesta, contando solo el "
                "horario de atención de los días laborables que no son feriados."
            ),
        },
    }


def import_contacts(
    database_url: str,
    path: Path,
    *,
    settings: Settings,
    dry_run: bool = False,
    publish: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import raw contact records; see the module docstring and docs/import-format.md."""
    path = Path(path)
    report = ImportReport(file=path.name, kind="contacts", dry_run=dry_run, publish=publish)
    business = BusinessCalendar.from_settings(settings)
    fiscal = FiscalCalendar.from_settings(settings)
    table = read_import_table(database_url, path, report)
    if table is None:
        return report
    if progress:
        progress(0, len(table))

    missing = [name for name in REQUIRED_COLUMNS if table.column(name) is None]
    for name in missing:
        report.problem(table.header_row, name, None, "required column is missing from the header")
    extra = [
        name for name in table.header if name and name.strip().casefold() not in CONTACT_COLUMNS
    ]
    if extra:
        report.notes.append("column(s) not used: " + ", ".join(extra))
    if missing:
        record_failure(database_url, report, None)
        return report

    session = session_factory(database_url)()
    try:
        catalog = Catalog.load(session)
        with report.timed("check"):
            checked = _check_records(table, catalog, business, report)
        records: list[ObservationRecord] = []
        if not report.problems:
            days = settings.complaint_answer_business_days
            kinds = set(checked.kind[~checked.spam].tolist()) or {"message"}
            metrics = _metrics(catalog, business, report, kinds, days)
            if not report.problems:
                with report.timed("aggregate"):
                    records = _aggregate(checked, metrics, fiscal, business, report, days)
        report.problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        if progress:
            progress(len(table), len(table))
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
                work_done=len(table),
                sole_source=report.kind,
            )
    finally:
        session.close()
    return report


# -- checking -----------------------------------------------------------------------------


class _Checked:
    """The valid parts of the records, as arrays (only used when there are no problems)."""

    def __init__(self, size: int) -> None:
        self.unit = np.full(size, -1, dtype=np.int64)
        self.agency = np.full(size, -1, dtype=np.int64)
        self.channel = np.empty(size, dtype=object)
        self.spam = np.zeros(size, dtype=bool)
        self.kind = np.full(size, "message", dtype=object)
        self.received = np.full(size, np.datetime64("NaT"), dtype="datetime64[us]")
        self.responded = np.full(size, np.datetime64("NaT"), dtype="datetime64[us]")
        self.minutes = np.full(size, np.nan)


def _problems_for(
    report: ImportReport,
    table: RawTable,
    mask: np.ndarray,
    column: str,
    values: pd.Series,
    reason: str | Callable[[int], str],
) -> None:
    """One problem per row where ``mask`` is True (loops only over the bad rows)."""
    for position in np.flatnonzero(mask):
        text = reason(int(position)) if callable(reason) else reason
        report.problem(int(table.row_numbers[position]), column, values.iloc[position], text)


def _check_records(
    table: RawTable, catalog: Catalog, business: BusinessCalendar, report: ImportReport
) -> _Checked:
    size = len(table)
    checked = _Checked(size)
    markers = MissingMarkers([""])

    def column(name: str) -> pd.Series:
        series = table.column(name)
        if series is None:
            return pd.Series([""] * size, dtype=str)
        return series

    ids = column("id")
    header = {name.strip().casefold(): name for name in table.header}

    def label(name: str) -> str:
        return header.get(name, name)

    _problems_for(
        report, table, (ids.str.len() == 0).to_numpy(), label("id"), ids, "the id is empty"
    )
    duplicated = (ids.duplicated(keep="first") & (ids != "")).to_numpy()
    if duplicated.any():
        first_row: dict[str, int] = {}
        for position in np.flatnonzero(ids.duplicated(keep=False).to_numpy()):
            first_row.setdefault(ids.iloc[position], int(table.row_numbers[position]))
        _problems_for(
            report,
            table,
            duplicated,
            label("id"),
            ids,
            lambda p: f"duplicate id: row {first_row[ids.iloc[p]]} has the same id",
        )

    # Agencies, services, channels and spam flags take few distinct values: resolve each
    # distinct value once, then spread the answer to the rows with numpy.
    agencies = column("agency")
    codes, uniques = pd.factorize(agencies)
    agency_ids = np.full(len(uniques), -1, dtype=np.int64)
    agency_errors: dict[int, str] = {}
    for index, text in enumerate(uniques):
        if text.strip() in markers:
            agency_errors[index] = "the agency is empty"
            continue
        try:
            found = catalog.find_agency(text.strip())
        except LookupError as error:
            agency_errors[index] = str(error).replace(
                "unknown agency (match its slug, code or name as stored, or set "
                "create_missing = true in the mapping to create it)",
                "unknown agency (match its slug, code or name as stored)",
            )
            continue
        agency_ids[index] = found if isinstance(found, int) else -1
    checked.agency = agency_ids[codes]
    bad_agency = checked.agency < 0
    _problems_for(
        report,
        table,
        bad_agency,
        label("agency"),
        agencies,
        lambda p: agency_errors[int(codes[p])],
    )
    checked.unit = checked.agency.copy()

    services = table.column("service")
    if services is not None:
        service_codes, service_names = pd.factorize(services)
        named = np.array([bool(name.strip()) for name in service_names], dtype=bool)
        has_service = (named[service_codes] if len(service_names) else named) & ~bad_agency
        if has_service.any():
            # Resolve each distinct (agency, service) pair once.
            pairs = checked.agency * len(service_names) + service_codes
            unique_pairs, pair_index = np.unique(pairs[has_service], return_inverse=True)
            service_ids = np.full(len(unique_pairs), -1, dtype=np.int64)
            service_errors: dict[int, str] = {}
            for index, pair in enumerate(unique_pairs.tolist()):
                agency_id, name_code = divmod(pair, len(service_names))
                try:
                    found = catalog.find_service(agency_id, service_names[name_code].strip())
                except LookupError as error:
                    service_errors[index] = str(error).split(" (match")[0]
                    continue
                service_ids[index] = found if isinstance(found, int) else -1
            positions = np.flatnonzero(has_service)
            resolved = service_ids[pair_index]
            checked.unit[positions] = resolved
            bad_service = np.zeros(size, dtype=bool)
            bad_service[positions[resolved < 0]] = True
            pair_of = dict(zip(positions.tolist(), pair_index.tolist(), strict=True))
            _problems_for(
                report,
                table,
                bad_service,
                label("service"),
                services,
                lambda p: service_errors[pair_of[p]],
            )

    channels = column("channel")
    codes, uniques = pd.factorize(channels)
    channel_codes = np.empty(len(uniques), dtype=object)
    channel_errors: dict[int, str] = {}
    for index, text in enumerate(uniques):
        try:
            channel_codes[index] = normalize_channel(text)
        except ValueError as error:
            channel_errors[index] = str(error)
    checked.channel = channel_codes[codes] if len(uniques) else np.empty(0, dtype=object)
    bad_channel = np.isin(codes, list(channel_errors)) if channel_errors else np.zeros(size, bool)
    _problems_for(
        report, table, bad_channel, label("channel"), channels, lambda p: channel_errors[codes[p]]
    )

    spam = table.column("spam")
    if spam is not None:
        codes_spam, uniques = pd.factorize(spam)
        flags = np.zeros(len(uniques), dtype=bool)
        spam_errors: dict[int, str] = {}
        for index, text in enumerate(uniques):
            try:
                flags[index] = parse_bool(text)
            except ValueError as error:
                spam_errors[index] = str(error)
        checked.spam = flags[codes_spam] if len(uniques) else np.zeros(0, dtype=bool)
        bad_spam = np.isin(codes_spam, list(spam_errors)) if spam_errors else np.zeros(size, bool)
        _problems_for(
            report, table, bad_spam, label("spam"), spam, lambda p: spam_errors[codes_spam[p]]
        )
    else:
        report.notes.append("no spam column: every record counts as a genuine message")

    _check_kinds(table, checked, report, label("kind"))

    received_text = column("received")
    received, bad = _parse_stamps(received_text, required=True)
    _report_stamps(report, table, bad, label("received"), received_text)
    checked.received = received
    responded_text = column("first_response")
    responded, bad = _parse_stamps(responded_text, required=False)
    _report_stamps(report, table, bad, label("first_response"), responded_text)
    checked.responded = responded
    both = ~np.isnat(received) & ~np.isnat(responded)
    early = np.zeros(size, dtype=bool)
    early[both] = responded[both] < received[both]
    _problems_for(
        report,
        table,
        early,
        label("first_response"),
        responded_text,
        lambda p: (
            f"the first response comes before the message was received ({received_text.iloc[p]})"
        ),
    )
    if table.column("resolved") is not None:
        resolved_text = column("resolved")
        resolved, bad = _parse_stamps(resolved_text, required=False)
        _report_stamps(report, table, bad, label("resolved"), resolved_text)
        both = ~np.isnat(received) & ~np.isnat(resolved)
        early = np.zeros(size, dtype=bool)
        early[both] = resolved[both] < received[both]
        _problems_for(
            report,
            table,
            early,
            label("resolved"),
            resolved_text,
            "resolved before the message was received",
        )
    if not report.problems:
        checked.minutes = business.business_minutes_between_arrays(received, responded)
    return checked


def _check_kinds(table: RawTable, checked: _Checked, report: ImportReport, label: str) -> None:
    """The optional ``kind`` column: message (also when empty), complaint or compliment."""
    kinds = table.column("kind")
    if kinds is None:
        return
    codes, uniques = pd.factorize(kinds)
    kind_codes = np.empty(len(uniques), dtype=object)
    errors: dict[int, str] = {}
    for index, text in enumerate(uniques):
        kind = _KIND_WORDS.get(" ".join(text.split()).casefold())
        if kind is None:
            errors[index] = f"the kind is one of {', '.join(RECORD_KINDS)}"
        kind_codes[index] = kind or "message"
    if len(uniques):
        checked.kind = kind_codes[codes]
    bad = np.isin(codes, list(errors)) if errors else np.zeros(len(kinds), bool)
    _problems_for(report, table, bad, label, kinds, lambda p: errors[codes[p]])


def _parse_stamps(text: pd.Series, *, required: bool) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Naive local timestamps; (values, {reason: rows that have that problem})."""
    empty = (text.str.strip() == "").to_numpy() if len(text) else np.zeros(0, bool)
    try:
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            offset = ~empty
            parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
        else:
            offset = np.zeros(len(text), dtype=bool)
    except ValueError:  # some stamps carry a UTC offset and some do not
        offset = text.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool)
        parsed = pd.to_datetime(text.where(~offset, ""), format="ISO8601", errors="coerce")
    values = parsed.to_numpy(dtype="datetime64[us]")
    unparsed = np.isnat(values) & ~empty & ~offset
    problems = {
        "not a date and time; write it as 2024-03-01 09:30 (local time)": unparsed,
        "has a UTC offset; give the local time of the jurisdiction without one": offset,
    }
    if required:
        problems["the time received is empty"] = empty
    return values, problems


def _report_stamps(
    report: ImportReport,
    table: RawTable,
    problems: dict[str, np.ndarray],
    column: str,
    text: pd.Series,
) -> None:
    for reason, mask in problems.items():
        _problems_for(report, table, mask, column, text, reason)


# -- aggregating --------------------------------------------------------------------------


def _metrics(
    catalog: Catalog,
    business: BusinessCalendar,
    report: ImportReport,
    kinds: set[str],
    complaint_days: int,
) -> dict[str, MetricInfo]:
    """The metrics the records' kinds need (created when missing), scales checked."""
    definitions = contact_metric_definitions(business, complaint_days)
    needed = {
        "message": MESSAGE_METRICS,
        "complaint": (COMPLAINTS_METRIC, COMPLAINTS_ANSWERED_METRIC),
        "compliment": (COMPLIMENTS_METRIC,),
    }
    codes = [code for kind in RECORD_KINDS if kind in kinds for code in needed[kind]]
    metrics = {code: catalog.find_metric(code, definitions, create=True) for code in codes}
    allowed = {
        ACK_METRIC: ("fraction", "percent"),
        MEDIAN_METRIC: ("seconds", "minutes", "hours"),
        VOLUME_METRIC: ("count",),
        COMPLAINTS_METRIC: ("count",),
        COMPLIMENTS_METRIC: ("count",),
        COMPLAINTS_ANSWERED_METRIC: ("fraction", "percent"),
    }
    for code in codes:
        scales = allowed[code]
        if metrics[code].scale not in scales:
            report.problem(
                None,
                None,
                code,
                f"the stored metric {code} is measured as {metrics[code].scale}; this import "
                f"needs one of {', '.join(scales)}",
            )
    return metrics


def _aggregate(
    checked: _Checked,
    metrics: dict[str, MetricInfo],
    fiscal: FiscalCalendar,
    business: BusinessCalendar,
    report: ImportReport,
    complaint_days: int = 10,
) -> list[ObservationRecord]:
    genuine = ~checked.spam
    spam_count = int(checked.spam.sum())
    if spam_count:
        report.notes.append(f"{spam_count} spam or phishing record(s) left out of every figure")
    unanswered = genuine & np.isnat(checked.responded)
    # A file of messages only (no kind column, or every kind a message) takes the path it
    # took before complaints existed: no kind column in the frame, no filtering copies.
    only_messages = not (checked.kind != "message").any()
    for kind, outcome in (
        ("message", "message(s) with no response count as not acknowledged"),
        ("complaint", "complaint(s) with no response count as not answered in time"),
    ):
        count = int((unanswered if only_messages else unanswered & (checked.kind == kind)).sum())
        if count and (kind == "message" or not only_messages):
            report.notes.append(f"{count} {outcome}")
    columns = {
        "unit": checked.unit[genuine],
        "agency": checked.agency[genuine],
        "month": checked.received[genuine].astype("datetime64[M]"),
        "channel": checked.channel[genuine],
        "minutes": checked.minutes[genuine],
    }
    if not only_messages:
        columns["kind"] = checked.kind[genuine]
    frame = pd.DataFrame(columns)
    # A record of a service also counts for its agency.
    agency_rows = frame[frame["unit"] != frame["agency"]].assign(unit=lambda f: f["agency"])
    frame = pd.concat([frame, agency_rows], ignore_index=True)
    if only_messages:
        return _message_records(frame, metrics, fiscal, business)
    records: list[ObservationRecord] = []
    if ACK_METRIC in metrics:
        messages = frame[frame["kind"] == "message"]
        records += _message_records(messages.copy(), metrics, fiscal, business)
    complaints = frame[frame["kind"] == "complaint"].copy()
    if len(complaints):
        # No response (NaN) is not answered in time.
        complaints["in_time"] = business.within_business_days(
            complaints["minutes"].to_numpy(), complaint_days
        )
        records += _volume_records(
            complaints, metrics[COMPLAINTS_METRIC], fiscal, metrics[COMPLAINTS_ANSWERED_METRIC]
        )
    compliments = frame[frame["kind"] == "compliment"].copy()
    if len(compliments):
        compliments["in_time"] = False  # not used: compliments have no standard
        records += _volume_records(compliments, metrics[COMPLIMENTS_METRIC], fiscal, None)
    return records


def _message_records(
    frame: pd.DataFrame,
    metrics: dict[str, MetricInfo],
    fiscal: FiscalCalendar,
    business: BusinessCalendar,
) -> list[ObservationRecord]:
    """The three message figures of ``frame`` (changed in place: it is the caller's own)."""
    frame["hours"] = frame["minutes"] / 60.0
    frame["responded"] = frame["minutes"].notna()
    # No response (NaN) is not acknowledged.
    frame["ack"] = business.within_business_days(frame["minutes"].to_numpy())
    return _records_from_frame(frame, metrics, fiscal)


def _by_unit_month_channel(frame: pd.DataFrame, aggregations: dict[str, Any]) -> pd.DataFrame:
    """``aggregations`` per unit, month and channel, and per unit and month (channel "")."""
    by_channel = frame.groupby(["unit", "month", "channel"], sort=True).agg(**aggregations)
    overall = frame.groupby(["unit", "month"], sort=True).agg(**aggregations)
    overall["channel"] = ""
    overall = overall.set_index("channel", append=True)
    return pd.concat([overall, by_channel]).sort_index()


class _Periods:
    """The fiscal month of each ``datetime64[M]`` value, worked out once."""

    def __init__(self, fiscal: FiscalCalendar) -> None:
        self.fiscal = fiscal
        self.known: dict[Any, Any] = {}

    def __call__(self, month: Any) -> Any:
        if month not in self.known:
            day = pd.Timestamp(month).date()
            self.known[month] = self.fiscal.period_containing(
                dt.date(day.year, day.month, 1), "month"
            )
        return self.known[month]


def _volume_records(
    frame: pd.DataFrame,
    volume: MetricInfo,
    fiscal: FiscalCalendar,
    share: MetricInfo | None,
) -> list[ObservationRecord]:
    """Per unit, month and channel (and overall): the number of records and, with ``share``,
    the share whose ``in_time`` is true (numerator and denominator stored)."""
    groups = _by_unit_month_channel(
        frame, {"count": ("in_time", "size"), "met": ("in_time", "sum")}
    )
    period_of = _Periods(fiscal)
    records: list[ObservationRecord] = []
    row: Any
    for (unit, month, channel), row in zip(
        groups.index.tolist(), groups.itertuples(index=False), strict=True
    ):
        common: dict[str, Any] = {
            "row": None,
            "column": None,
            "unit": int(unit),
            "period": period_of(month),
            "segment_type": "channel" if channel else "",
            "segment_value": channel,
        }
        count = float(row.count)
        records.append(ObservationRecord(metric=volume, raw_value=count, **common))
        if share is not None:
            value = convert_scale(float(row.met) / count, "fraction", share.scale)
            records.append(
                ObservationRecord(
                    metric=share,
                    raw_value=round(value, 6),
                    numerator=float(row.met),
                    denominator=count,
                    **common,
                )
            )
    return records


def _records_from_frame(
    frame: pd.DataFrame, metrics: dict[str, MetricInfo], fiscal: FiscalCalendar
) -> list[ObservationRecord]:
    aggregations = {
        "count": ("ack", "size"),
        "acked": ("ack", "sum"),
        "responded": ("responded", "sum"),
        "median_hours": ("hours", "median"),
    }
    groups = _by_unit_month_channel(frame, aggregations)

    ack, median, volume = metrics[ACK_METRIC], metrics[MEDIAN_METRIC], metrics[VOLUME_METRIC]
    period_of = _Periods(fiscal)
    records: list[ObservationRecord] = []
    row: Any  # a named tuple of the aggregations (its field ``count`` hides tuple.count)
    for (unit, month, channel), row in zip(
        groups.index.tolist(), groups.itertuples(index=False), strict=True
    ):
        period = period_of(month)
        segment = ("channel", channel) if channel else ("", "")
        count = float(row.count)
        records.append(
            ObservationRecord(
                row=None,
                column=None,
                unit=int(unit),
                metric=volume,
                period=period,
                segment_type=segment[0],
                segment_value=segment[1],
                raw_value=count,
            )
        )
        share = float(row.acked) / count
        records.append(
            ObservationRecord(
                row=None,
                column=None,
                unit=int(unit),
                metric=ack,
                period=period,
                segment_type=segment[0],
                segment_value=segment[1],
                raw_value=round(convert_scale(share, "fraction", ack.scale), 6),
                numerator=float(row.acked),
                denominator=count,
            )
        )
        responded = float(row.responded)
        median_value = None
        if responded and not np.isnan(row.median_hours):
            median_value = round(convert_scale(float(row.median_hours), "hours", median.scale), 4)
        records.append(
            ObservationRecord(
                row=None,
                column=None,
                unit=int(unit),
                metric=median,
                period=period,
                segment_type=segment[0],
                segment_value=segment[1],
                raw_value=median_value,
                denominator=responded,
            )
        )
    return records
