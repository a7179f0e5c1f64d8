"""The agency page (``/agency/<slug>``) and the service page (``/agency/<agency>/<service>``).

One builder serves both: a service page is an agency page for a service, with a breadcrumb
back to its agency and no list of services. Query parameters (every view is a permalink):

- ``metric``: a metric code the unit publishes; the page then shows only that metric's trend
  (and its breakdown), with a link back to all metrics. An unknown code is a 404.
- ``period``: a fiscal year ("FY2025"; "AF2025" and the other written forms are accepted)
  with published results for the unit. It limits every trend chart, breakdown and service
  sparkline to that fiscal year's periods and the actions taken in it. The posted service
  levels always show the latest result: they are today's promises, not history.
- ``segment``: "channel", "language" or "customer_group": the breakdown charts for that
  segment type (by default the page lists which breakdowns exist, as links, rather than
  drawing them all, to keep the first load light). An unknown segment type is a 404.

Upcoming closures are those that have not ended by the day the view is built (the wall-clock
date, not the data's as-of date, so that people see closures that are still ahead of them;
cached views live at most ``cache_default_timeout`` seconds). Tests fix the day with
``Settings(extra={"today": date})``.

Published data only: every loader here filters drafts, and internal notes are never read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from dashboard import queries
from dashboard.charts import ChartSpec, TableColumn, Trace, file_stem
from dashboard.db import session_scope
from dashboard.fiscal import FiscalCalendar
from dashboard.formatting import display_unit, format_count, format_day, format_value
from dashboard.i18n import translate
from dashboard.models import DIMENSIONS, PUBLISHED, SEGMENT_TYPES, Metric, Observation
from dashboard.routes import Route, path_for
from dashboard.scorecard import (
    SCORECARD_DIMENSIONS,
    MetricInfo,
    Reading,
    default_period,
    dimension_label,
    headline_metrics,
    offered_periods,
)
from dashboard.series import (
    MetricSeries,
    ObservationRow,
    SeriesPoint,
    band_lines,
    build_series,
    has_numeric_target,
    marker_day,
    period_ticks,
    result_line,
    target_step_line,
    value_near,
)
from dashboard.service_rollup import Service, dimension_metrics, roll_up, service_standards
from dashboard.settings import Settings
from dashboard.summaries import summarize_breakdown, summarize_series
from dashboard.targets import (
    HistoricTarget,
    Status,
    TargetSpec,
    describe_target,
    scheduled_changes,
    status_label,
    target_corrections,
)
from dashboard.views import NotFound

#: Finest first: a metric published both monthly and quarterly is charted monthly.
GRANULARITY_ORDER = ("month", "quarter", "fiscal_year")

#: The metric a service's small trend shows: the first of these it publishes.
HEADLINE_METRICS = (
    "csat_overall",
    "timeliness_standard",
    "accuracy_rate",
    "processing_days",
    "ack_within_1bd",
    "service_level_60s",
    "ease",
    "trust",
)

BREAKDOWN_SEGMENTS = tuple(segment for segment in SEGMENT_TYPES if segment)

TEXT: dict[str, dict[str, str]] = {
    "no_agency": {
        "en": "There is no agency at this address (“{slug}”).",
        "es": "No hay ninguna agencia en esta dirección («{slug}»).",
    },
    "no_service": {
        "en": "{agency} has no service at this address (“{slug}”).",
        "es": "{agency} no tiene ningún servicio en esta dirección («{slug}»).",
    },
    "bad_metric": {
        "en": "{unit} publishes no results for the metric “{metric}”.",
        "es": "{unit} no publica resultados del indicador «{metric}».",
    },
    "bad_period": {
        "en": "“{period}” is not a fiscal year with published results for {unit}. "
        "Years with results: {years}.",
        "es": "«{period}» no es un año fiscal con resultados publicados de {unit}. "
        "Años con resultados: {years}.",
    },
    "no_years": {"en": "none yet", "es": "ninguno todavía"},
    "bad_segment": {
        "en": "“{segment}” is not a breakdown we publish; use one of: {choices}.",
        "es": "«{segment}» no es un desglose que publiquemos; use uno de: {choices}.",
    },
    "result": {"en": "Result", "es": "Resultado"},
    "target_line": {"en": "Target in force", "es": "Meta vigente"},
    "interval": {"en": "95% confidence interval", "es": "Intervalo de confianza del 95%"},
    "actions_trace": {"en": "Actions taken", "es": "Acciones tomadas"},
    "col_period": {"en": "Period", "es": "Periodo"},
    "col_period_end": {"en": "Period end", "es": "Fin del periodo"},
    "col_group": {"en": "{segment}", "es": "{segment}"},
    "col_value": {"en": "Result ({unit})", "es": "Resultado ({unit})"},
    "col_value_plain": {"en": "Result", "es": "Resultado"},
    "col_low": {"en": "95% interval, low", "es": "Intervalo del 95%, mínimo"},
    "col_high": {"en": "95% interval, high", "es": "Intervalo del 95%, máximo"},
    "col_target": {"en": "Target", "es": "Meta"},
    "col_status": {"en": "Status", "es": "Estado"},
    "col_responses": {"en": "Responses", "es": "Respuestas"},
    "col_volume": {"en": "Volume", "es": "Volumen"},
    "col_earlier": {"en": "First published value", "es": "Valor publicado primero"},
    "not_revised": {"en": "–", "es": "–"},
    "chart_not_reported": {"en": "Not reported", "es": "No reportado"},
    "col_small": {"en": "Small sample", "es": "Muestra pequeña"},
    "col_notes": {"en": "Notes", "es": "Notas"},
    "yes": {"en": "Yes", "es": "Sí"},
    "suppressed": {"en": "Suppressed", "es": "Suprimido"},
    "note_suppressed_cell": {
        "en": "Fewer than {n} responses: not shown",
        "es": "Menos de {n} respuestas: no se muestra",
    },
    "note_small_cell": {
        "en": "Small sample: fewer than {n} responses",
        "es": "Muestra pequeña: menos de {n} respuestas",
    },
    "note_revised_cell": {
        "en": "Revised on {date}; first published as {earlier}",
        "es": "Revisado el {date}; publicado primero como {earlier}",
    },
    "note_revised_cell_undated": {
        "en": "Revised; first published as {earlier}",
        "es": "Revisado; publicado primero como {earlier}",
    },
    "note_break_cell": {
        "en": "Series break: the method changed here",
        "es": "Ruptura de la serie: el método cambió aquí",
    },
    "note_break_survey_cell": {
        "en": "Series break: the survey question changed here",
        "es": "Ruptura de la serie: la pregunta de la encuesta cambió aquí",
    },
    "note_band": {
        "en": "The shaded band is the 95% confidence interval (Wilson score interval) from the "
        "number of responses.",
        "es": "La banda sombreada es el intervalo de confianza del 95% (intervalo de Wilson) "
        "calculado con el número de respuestas.",
    },
    "note_gaps": {
        "en": "Gaps in the line are periods that were not reported (never counted as zero).",
        "es": "Los huecos en la línea son periodos sin datos reportados (nunca se cuentan como "
        "cero).",
    },
    "note_break": {
        "en": "{period}: the way this is measured changed, so the line is not joined across "
        "the change.",
        "es": "{period}: cambió la forma de medir, por lo que la línea no se une a través del "
        "cambio.",
    },
    "note_break_survey": {
        "en": "{period}: the survey question changed, so the line is not joined across the change.",
        "es": "{period}: cambió la pregunta de la encuesta, por lo que la línea no se une a "
        "través del cambio.",
    },
    "note_small": {
        "en": "{periods}: fewer than {n} responses (small sample); read with caution.",
        "es": "{periods}: menos de {n} respuestas (muestra pequeña); léase con cautela.",
    },
    "note_suppressed": {
        "en": "{periods}: not shown because fewer than {n} people responded.",
        "es": "{periods}: no se muestra porque respondieron menos de {n} personas.",
    },
    "note_revised": {
        "en": "{period}: revised on {date}; first published as {earlier}.",
        "es": "{period}: revisado el {date}; publicado primero como {earlier}.",
    },
    "note_revised_undated": {
        "en": "{period}: revised; first published as {earlier}.",
        "es": "{period}: revisado; publicado primero como {earlier}.",
    },
    "note_actions": {
        "en": "Diamonds mark actions taken to improve (listed below the chart).",
        "es": "Los rombos marcan las acciones tomadas para mejorar (listadas bajo el gráfico).",
    },
    "hover_point": {"en": "{period}: {value}", "es": "{period}: {value}"},
    "hover_target": {"en": "target {target}", "es": "meta {target}"},
    "hover_responses": {"en": "{n} responses", "es": "{n} respuestas"},
    "hover_volume": {"en": "volume {n}", "es": "volumen {n}"},
    "hover_small": {"en": "small sample", "es": "muestra pequeña"},
    "hover_revised": {
        "en": "revised, first published as {earlier}",
        "es": "revisado, antes {earlier}",
    },
    "hover_target_line": {"en": "Target in force: {target}", "es": "Meta vigente: {target}"},
    "action_started": {"en": "started {date}", "es": "iniciada el {date}"},
    "action_starts": {"en": "starts {date}", "es": "comienza el {date}"},
    "action_completed": {"en": "completed {date}", "es": "terminada el {date}"},
    "status_planned": {"en": "Planned", "es": "Planificada"},
    "status_in_progress": {"en": "In progress", "es": "En curso"},
    "status_completed": {"en": "Completed", "es": "Terminada"},
    "breakdown_title": {"en": "{metric} by {segment}", "es": "{metric} por {segment}"},
    "segment_channel": {"en": "channel", "es": "canal"},
    "segment_language": {"en": "language", "es": "idioma"},
    "segment_customer_group": {"en": "customer group", "es": "grupo de clientes"},
    "segment_channel_title": {"en": "Channel", "es": "Canal"},
    "segment_language_title": {"en": "Language", "es": "Idioma"},
    "segment_customer_group_title": {"en": "Customer group", "es": "Grupo de clientes"},
    "responses_count": {"en": "{n} responses", "es": "{n} respuestas"},
    "service_latest": {
        "en": "{metric}: {value} in {period}",
        "es": "{metric}: {value} en {period}",
    },
    "service_no_data": {
        "en": "No results published yet.",
        "es": "Aún no hay resultados publicados.",
    },
    "standards_none_judged": {
        "en": "No service standard reported against a numeric target in {period}",
        "es": "Ningún estándar de servicio reportó frente a una meta numérica en {period}",
    },
    "breakdown_none": {
        "en": "No results by {segment} are published for {unit}.",
        "es": "No se publican resultados por {segment} de {unit}.",
    },
    "promise_default": {"en": "{metric}: {target}", "es": "{metric}: {target}"},
    "target_corrected": {
        "en": "Target changed on {date}, from {old} to {new}.",
        "es": "Meta cambiada el {date}: de {old} a {new}.",
    },
    "target_scheduled": {
        "en": "From {date}: {new} (was {old}).",
        "es": "Desde el {date}: {new} (antes {old}).",
    },
    "target_scheduled_first": {"en": "From {date}: {new}.", "es": "Desde el {date}: {new}."},
}

CHANNEL_NAMES = {
    "phone": ("Phone", "Teléfono"),
    "walk_in": ("In person", "En persona"),
    "mail": ("Mail", "Correo postal"),
    "email": ("Email", "Correo electrónico"),
    "web_form": ("Web form", "Formulario web"),
    "video": ("Video call", "Videollamada"),
    "chat": ("Chat", "Chat"),
    "text": ("Text message", "Mensaje de texto"),
    "voicemail": ("Voicemail", "Buzón de voz"),
}

#: Language names for the codes agencies list (ISO 639), in English and Spanish.
LANGUAGE_NAMES = {
    "en": ("English", "inglés"),
    "es": ("Spanish", "español"),
    "vi": ("Vietnamese", "vietnamita"),
    "zh": ("Chinese", "chino"),
    "so": ("Somali", "somalí"),
    "ru": ("Russian", "ruso"),
    "ar": ("Arabic", "árabe"),
    "ko": ("Korean", "coreano"),
    "tl": ("Tagalog", "tagalo"),
    "fr": ("French", "francés"),
    "ht": ("Haitian Creole", "criollo haitiano"),
    "pt": ("Portuguese", "portugués"),
    "uk": ("Ukrainian", "ucraniano"),
    "fa": ("Persian", "persa"),
    "am": ("Amharic", "amárico"),
    "km": ("Khmer", "jemer"),
    "hmn": ("Hmong", "hmong"),
    "ja": ("Japanese", "japonés"),
    "hi": ("Hindi", "hindi"),
    "pa": ("Punjabi", "panyabí"),
    "pl": ("Polish", "polaco"),
    "de": ("German", "alemán"),
    "it": ("Italian", "italiano"),
    "ti": ("Tigrinya", "tigriña"),
    "ne": ("Nepali", "nepalí"),
    "my": ("Burmese", "birmano"),
    "ase": ("American Sign Language", "lengua de señas americana"),
}


def _t(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


def _localized(record: Mapping[str, Any], name: str, language: str) -> Any:
    """Spanish from the store where present, English otherwise."""
    return (record.get(f"{name}_es") if language == "es" else None) or record.get(f"{name}_en")


def channel_name(channel: str, language: str) -> str:
    names = CHANNEL_NAMES.get(channel)
    if names is None:
        return channel.replace("_", " ").capitalize()
    return names[1] if language == "es" else names[0]


def language_name(code: str, language: str) -> str:
    """A language code in words ("vi" -> "Vietnamese" / "vietnamita")."""
    names = LANGUAGE_NAMES.get(code.strip().lower())
    if names is None:
        return code.strip()
    return names[1] if language == "es" else names[0]


def segment_value_name(segment: str, value: str, language: str) -> str:
    if segment == "channel":
        return channel_name(value, language)
    if segment == "language":
        name = language_name(value, language)
        return name[0].upper() + name[1:]
    return value.replace("_", " ").capitalize()


# -- the view ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class ActionItem:
    title: str
    description: str | None
    status: str  # planned | in_progress | completed
    status_text: str
    started_on: dt.date
    completed_on: dt.date | None
    link: str | None
    on_chart: bool


@dataclass(frozen=True)
class MetricPanel:
    code: str
    name: str
    definition: str | None
    granularity: str
    chart: ChartSpec
    actions: list[ActionItem]


@dataclass(frozen=True)
class PromiseItem:
    metric_code: str
    metric_name: str
    promise: str  # the posted promise, or "<metric>: <target>" when none was written
    target_text: str
    target_kind: str  # "numeric", "baseline" ("Establish baseline") or "text"
    granularity: str
    period_label: str | None
    value_text: str  # "94%", or "Not reported"; never zero for a missing value
    status: Status | None
    responses_text: str | None
    small_sample: bool
    suppressed: bool
    revised_text: str | None
    #: The target's history in words: corrections ("Target changed on ..., from ... to ...")
    #: and changes after the latest result ("From ...: ≥ 85% (was ≥ 80%)"), oldest first.
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceItem:
    slug: str
    name: str
    path: str
    latest_text: str
    status: Status | None
    sparkline: ChartSpec | None


@dataclass(frozen=True)
class ContactItem:
    channel: str
    channel_name: str
    label: str
    value: str | None
    href: str | None
    address: str | None
    hours: str | None
    appointment: str | None
    languages: list[str]


@dataclass(frozen=True)
class ContactGroup:
    unit_name: str
    is_this_unit: bool
    items: list[ContactItem]


@dataclass(frozen=True)
class ClosureItem:
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    place: str | None


@dataclass(frozen=True)
class AgencyView:
    page: str  # "agency" or "service"
    language: str
    slug: str
    name: str
    description: str | None
    website: str | None
    path: str
    agency_slug: str
    agency_name: str
    agency_path: str
    metric: str | None
    period: str | None  # canonical value, e.g. "FY2025"
    period_label: str | None  # in the page language, e.g. "AF2025"
    segment: str | None
    metric_options: list[Option]
    period_options: list[Option]
    segment_options: list[Option]
    promises: list[PromiseItem]
    panels: list[MetricPanel]
    breakdowns: list[ChartSpec]
    segment_note: str | None
    services: list[ServiceItem]
    other_actions: list[ActionItem]
    contacts: list[ContactGroup]
    closures: list[ClosureItem]
    today: dt.date
    small_sample_threshold: int
    # Its services' standards (issue 8): per dimension "5 of 7 service standards met in
    # FY2025 Q3", and each service's posted service levels with the latest result.
    service_summaries: list[ServiceSummary] = field(default_factory=list)
    service_levels: list[ServiceLevelItem] = field(default_factory=list)


def charts(view: AgencyView) -> list[ChartSpec]:
    """Every chart the page shows (trends, breakdowns and service sparklines), for the CSVs."""
    found = [panel.chart for panel in view.panels] + list(view.breakdowns)
    found += [item.sparkline for item in view.services if item.sparkline is not None]
    return found


# -- loading -----------------------------------------------------------------------------------


def latest_period_ends(database_url: str) -> dict[tuple[str, str], dt.date]:
    """For each (metric, granularity), the end of the latest period anyone published.

    A unit whose own series stops before this is shown as "not reported" for the periods it
    skipped, rather than its chart quietly ending early.
    """
    with session_scope(database_url) as session:
        rows = session.execute(
            select(Metric.code, Observation.granularity, func.max(Observation.period_end))
            .join(Metric, Observation.metric_id == Metric.id)
            .where(Observation.visibility == PUBLISHED, Observation.segment_type == "")
            .group_by(Metric.code, Observation.granularity)
        ).all()
    return {(code, granularity): end for code, granularity, end in rows}


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        return False


def _records(frame: Any) -> list[dict[str, Any]]:
    """DataFrame rows as dicts with None (not NaN/NaT) for missing values."""
    records = frame.to_dict("records")
    return [{key: (None if _missing(v) else v) for key, v in row.items()} for row in records]


def _observation(row: Mapping[str, Any]) -> ObservationRow:
    revised_at = row.get("revised_at")
    if revised_at is not None and hasattr(revised_at, "to_pydatetime"):
        revised_at = revised_at.to_pydatetime()
    return ObservationRow(
        period_start=_as_date(row["period_start"]),
        period_end=_as_date(row["period_end"]),
        raw_value=_float(row.get("raw_value")),
        numerator=_float(row.get("numerator")),
        denominator=_float(row.get("denominator")),
        series_break=bool(row.get("series_break")),
        earlier_value=_float(row.get("earlier_value")),
        revised_at=revised_at,
    )


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _target_spec(row: Mapping[str, Any], language: str) -> TargetSpec:
    return TargetSpec(
        kind=row["kind"],
        value=_float(row.get("value")),
        comparator=row["comparator"],
        effective_from=_as_date(row["effective_from"]),
        effective_to=_as_date(row["effective_to"]) if row.get("effective_to") else None,
        text=_localized(row, "text", language),
        promise=_localized(row, "promise", language),
    )


# -- parameters --------------------------------------------------------------------------------


def _find_units(
    units: list[dict[str, Any]], route: Route, language: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the page's unit, its agency); NotFound for a slug that names neither."""
    by_slug = {unit["slug"]: unit for unit in units}
    agency_slug = route.params.get("agency", "")
    agency = by_slug.get(agency_slug)
    if agency is None or agency["kind"] != "agency":
        raise NotFound(_t("no_agency", language, slug=agency_slug))
    if route.page != "service":
        return agency, agency
    service_slug = route.params.get("service", "")
    service = by_slug.get(service_slug)
    if service is None or service["kind"] != "service" or service["parent_slug"] != agency_slug:
        raise NotFound(
            _t(
                "no_service",
                language,
                agency=_localized(agency, "name", language),
                slug=service_slug,
            )
        )
    return service, agency


def _fiscal_year_param(
    text: str | None, years: list[int], fiscal: FiscalCalendar, unit_name: str, language: str
) -> int | None:
    if not text:
        return None
    try:
        year = fiscal.parse_fiscal_year(text)
    except ValueError:
        year = None
    if year is None or year not in years:
        listed = ", ".join(fiscal.year_label(y, language) for y in years) or _t(
            "no_years", language
        )
        raise NotFound(_t("bad_period", language, period=text, unit=unit_name, years=listed))
    return year


# -- building ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What every chart of one page shares."""

    language: str
    fiscal: FiscalCalendar
    settings: Settings
    metrics: dict[str, dict[str, Any]]
    latest_ends: dict[tuple[str, str], dt.date]
    window: tuple[dt.date | None, dt.date | None]
    period_token: str | None

    def metric_name(self, code: str) -> str:
        return _localized(self.metrics[code], "name", self.language)

    def series(
        self,
        code: str,
        granularity: str,
        rows: Iterable[Mapping[str, Any]],
        targets: list[TargetSpec],
    ) -> MetricSeries:
        metric = self.metrics[code]
        return build_series(
            (_observation(row) for row in rows),
            granularity=granularity,
            scale=metric["scale"],
            direction=metric["direction"],
            is_survey=bool(metric["is_survey"]),
            targets=targets,
            fiscal=self.fiscal,
            language=self.language,
            small_sample_threshold=self.settings.small_sample_threshold,
            small_sample_policy=self.settings.small_sample_policy,
            through=self.latest_ends.get((code, granularity)),
        )


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> AgencyView:
    language = "es" if language == "es" else "en"
    fiscal = FiscalCalendar.from_settings(settings)
    all_units = queries.units(database_url)
    unit, agency = _find_units(all_units, route, language)
    unit_name = _localized(unit, "name", language)
    services = (
        [u for u in all_units if u["kind"] == "service" and u["parent_slug"] == unit["slug"]]
        if route.page == "agency"
        else []
    )
    services.sort(key=lambda s: _localized(s, "name", language).casefold())
    metrics = {metric["code"]: metric for metric in queries.metrics(database_url)}
    unit_ids = [unit["id"]] + [service["id"] for service in services]
    observations = _records(
        queries.published_observations(database_url, unit_ids=unit_ids, segment_types=None)
    )
    targets: dict[tuple[int, str], list[TargetSpec]] = defaultdict(list)
    for row in queries.published_targets(database_url, unit_ids=unit_ids):
        targets[(row["unit_id"], row["metric_code"])].append(_target_spec(row, language))
    # The unit's own targets with the corrected ones (history, never judged against).
    target_history: dict[str, list[HistoricTarget]] = defaultdict(list)
    for row in queries.published_targets(
        database_url, unit_ids=[unit["id"]], include_superseded=True
    ):
        target_history[row["metric_code"]].append(
            HistoricTarget(
                id=row["id"],
                spec=_target_spec(row, language),
                superseded_at=_as_date(row["superseded_at"]) if row["superseded_at"] else None,
                superseded_by=row["superseded_by_id"],
            )
        )

    # This unit's rows, by (metric, segment type, segment value, granularity).
    own: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    by_service: dict[int, dict[tuple[str, str], list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in observations:
        if row["unit_id"] == unit["id"]:
            key = (
                row["metric_code"],
                row["segment_type"],
                row["segment_value"],
                row["granularity"],
            )
            own[key].append(row)
        elif row["segment_type"] == "":
            by_service[row["unit_id"]][(row["metric_code"], row["granularity"])].append(row)

    granularity_of = _granularities((code, g) for code, s, _v, g in own if s == "")
    codes = _ordered_codes(granularity_of, metrics, language)

    # Parameters: each one must name something this page has, or the page is a 404.
    metric_param = query.get("metric") or None
    if metric_param is not None and metric_param not in granularity_of:
        raise NotFound(_t("bad_metric", language, unit=unit_name, metric=metric_param))
    years = sorted(
        {
            fiscal.fiscal_year(_as_date(row["period_end"]))
            for (_c, segment, _v, _g), rows in own.items()
            if segment == ""
            for row in rows
        }
    )
    year = _fiscal_year_param(query.get("period"), years, fiscal, unit_name, language)
    segment_param = query.get("segment") or None
    if segment_param is not None and segment_param not in BREAKDOWN_SEGMENTS:
        choices = ", ".join(BREAKDOWN_SEGMENTS)
        raise NotFound(_t("bad_segment", language, segment=segment_param, choices=choices))

    window = fiscal.year_bounds(year) if year is not None else (None, None)
    context = _Context(
        language=language,
        fiscal=fiscal,
        settings=settings,
        metrics=metrics,
        latest_ends=latest_period_ends(database_url),
        window=window,
        period_token=fiscal.year_label(year, "en") if year is not None else None,
    )

    full_series = {
        code: context.series(
            code,
            granularity_of[code],
            own[(code, "", "", granularity_of[code])],
            targets[(unit["id"], code)],
        )
        for code in codes
    }
    action_rows = queries.published_actions(database_url, unit_ids=[unit["id"]])
    actions = [_action_item(row, language) for row in action_rows]
    shown_codes = [metric_param] if metric_param else codes
    panels = [
        _panel(context, unit["slug"], code, full_series[code], action_rows, actions)
        for code in shown_codes
    ]
    addressed = {code for row in action_rows for code in row["metric_codes"] if code in codes}
    other_actions = [
        item
        for item, row in zip(actions, action_rows, strict=True)
        if not addressed.intersection(row["metric_codes"])
    ]

    segment_types = sorted(
        {segment for (_c, segment, _v, _g) in own if segment},
        key=BREAKDOWN_SEGMENTS.index,
    )
    breakdowns: list[ChartSpec] = []
    segment_note = None
    if segment_param is not None:
        breakdowns = [
            chart
            for code in shown_codes
            if (chart := _breakdown(context, unit, code, own, full_series[code], segment_param))
        ]
        if not breakdowns:
            segment_note = _t(
                "breakdown_none",
                language,
                segment=_t(f"segment_{segment_param}", language),
                unit=context.metric_name(metric_param) if metric_param else unit_name,
            )

    service_items = [
        _service_item(context, service, by_service.get(service["id"], {}), targets, agency)
        for service in services
    ]

    fixed_day = settings.extra.get("today")
    today = fixed_day if isinstance(fixed_day, dt.date) else dt.date.today()
    contacts, closures = _contacts_and_closures(
        database_url, unit, agency, all_units, language, today
    )

    return AgencyView(
        page=route.page,
        language=language,
        slug=unit["slug"],
        name=unit_name,
        description=_localized(unit, "description", language),
        website=unit.get("website"),
        path=path_for(route.page, **route.params),
        agency_slug=agency["slug"],
        agency_name=_localized(agency, "name", language),
        agency_path=path_for("agency", agency=agency["slug"]),
        metric=metric_param,
        period=context.period_token,
        period_label=fiscal.year_label(year, language) if year is not None else None,
        segment=segment_param,
        metric_options=[Option(code, context.metric_name(code)) for code in codes],
        period_options=[
            Option(fiscal.year_label(y, "en"), fiscal.year_label(y, language))
            for y in reversed(years)
        ],
        segment_options=[
            Option(segment, _t(f"segment_{segment}_title", language)) for segment in segment_types
        ],
        promises=_promises(
            context,
            shown_codes,
            full_series,
            {code: targets[(unit["id"], code)] for code in shown_codes},
            target_history,
        ),
        panels=panels,
        breakdowns=breakdowns,
        segment_note=segment_note,
        services=service_items,
        other_actions=other_actions,
        contacts=contacts,
        closures=closures,
        today=today,
        small_sample_threshold=settings.small_sample_threshold,
        **_service_standards_of(context, services, by_service, targets, agency),
    )


def _granularities(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The finest granularity each metric is published in."""
    found: dict[str, str] = {}
    for code, granularity in pairs:
        current = found.get(code)
        if current is None or GRANULARITY_ORDER.index(granularity) < GRANULARITY_ORDER.index(
            current
        ):
            found[code] = granularity
    return found


def _ordered_codes(
    granularity_of: Mapping[str, str], metrics: Mapping[str, Mapping[str, Any]], language: str
) -> list[str]:
    """Accuracy, responsiveness, timeliness, satisfaction, access, then the rest."""

    def key(code: str) -> tuple[int, str]:
        metric = metrics[code]
        dimension = metric["dimension"]
        rank = DIMENSIONS.index(dimension) if dimension in DIMENSIONS else len(DIMENSIONS)
        return rank, _localized(metric, "name", language).casefold()

    return sorted((code for code in granularity_of if code in metrics), key=key)


# -- charts ------------------------------------------------------------------------------------


def _restricted(context: _Context, series: MetricSeries) -> MetricSeries:
    start, end = context.window
    return series.restrict(start, end) if start is not None else series


def _value_label(scale: str, language: str) -> str:
    unit = display_unit(scale, language)
    return _t("col_value", language, unit=unit) if unit else _t("col_value_plain", language)


def _table_columns(
    context: _Context,
    series: MetricSeries,
    rows: list[dict[str, Any]],
    *,
    group_label: str | None = None,
) -> list[TableColumn]:
    """The data table's columns: the optional ones only when some row has a value in them
    (fewer cells to render, and no column that is empty from top to bottom)."""
    language = context.language

    def used(key: str) -> bool:
        return any(row.get(key) is not None for row in rows)

    columns = [
        TableColumn("period", _t("col_period", language)),
        TableColumn("period_end", _t("col_period_end", language)),
    ]
    if group_label:
        columns.append(TableColumn("group", group_label))
    columns.append(TableColumn("value", _value_label(series.scale, language), "number"))
    if series.has_band and used("interval_low"):
        columns += [
            TableColumn("interval_low", _t("col_low", language), "number"),
            TableColumn("interval_high", _t("col_high", language), "number"),
        ]
    columns += [
        TableColumn("target", _t("col_target", language)),
        TableColumn("status", _t("col_status", language), "status"),
    ]
    if used("responses"):
        label = _t("col_responses" if series.is_survey else "col_volume", language)
        columns.append(TableColumn("responses", label, "number"))
    if used("small_sample"):
        columns.append(TableColumn("small_sample", _t("col_small", language)))
    if used("earlier_value"):
        # Only revised figures have an earlier value; the others were never "not reported".
        columns.append(
            TableColumn(
                "earlier_value",
                _t("col_earlier", language),
                "number",
                missing=_t("not_revised", language),
            )
        )
    if used("notes"):
        columns.append(TableColumn("notes", _t("col_notes", language)))
    return columns


def _row(
    context: _Context, series: MetricSeries, point: SeriesPoint, group: str | None = None
) -> dict[str, Any]:
    language = context.language
    threshold = context.settings.small_sample_threshold
    notes: list[str] = []
    if point.series_break:
        notes.append(
            _t("note_break_survey_cell" if series.is_survey else "note_break_cell", language)
        )
    if point.suppressed:
        notes.append(_t("note_suppressed_cell", language, n=threshold))
    elif point.small_sample:
        notes.append(_t("note_small_cell", language, n=threshold))
    if point.revised:
        earlier = format_value(_raw_of(point.earlier_value, series.scale), series.scale, language)
        if point.revised_on is not None:
            notes.append(
                _t(
                    "note_revised_cell",
                    language,
                    date=format_day(point.revised_on, language),
                    earlier=earlier,
                )
            )
        else:
            notes.append(_t("note_revised_cell_undated", language, earlier=earlier))
    row: dict[str, Any] = {
        "period": point.label,
        "period_end": point.period.end.isoformat(),
        # A suppressed result is named as such, never left blank like a missing one.
        "value": _t("suppressed", language) if point.suppressed else point.value,
        "target": describe_target(point.target, series.scale, language),
        "status": point.status.value if point.status is not None else None,
        "responses": _whole(point.responses),
        "earlier_value": point.earlier_value,
        "notes": "; ".join(notes) or None,
    }
    if group is not None:
        row["group"] = group
    if series.has_band:
        row["interval_low"] = point.interval[0] if point.interval else None
        row["interval_high"] = point.interval[1] if point.interval else None
    if series.is_survey:
        row["small_sample"] = _t("yes", language) if point.small_sample else None
    return row


def _whole(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _raw_of(display: float | int | None, scale: str) -> float | None:
    """A display value back on the raw scale (for format_value, which takes raw values)."""
    if display is None:
        return None
    return float(display) / 100.0 if scale == "fraction" else float(display)


def _hover(context: _Context, series: MetricSeries, point: SeriesPoint) -> str:
    language = context.language
    if point.suppressed:
        value = _t("suppressed", language)
    else:
        value = format_value(point.raw, series.scale, language, target=point.target)
    parts = [_t("hover_point", language, period=point.label, value=value)]
    if point.target is not None:
        parts.append(
            _t(
                "hover_target",
                language,
                target=describe_target(point.target, series.scale, language),
            )
        )
    if point.status is not None and point.reported:
        parts.append(status_label(point.status, language))
    if point.responses is not None:
        n = format_count(point.responses, language)
        parts.append(_t("hover_responses" if series.is_survey else "hover_volume", language, n=n))
    if point.small_sample and not point.suppressed:
        parts.append(_t("hover_small", language))
    if point.revised:
        earlier = format_value(_raw_of(point.earlier_value, series.scale), series.scale, language)
        parts.append(_t("hover_revised", language, earlier=earlier))
    return " · ".join(parts)


def _notes(context: _Context, series: MetricSeries, has_actions: bool) -> list[str]:
    language = context.language
    threshold = context.settings.small_sample_threshold
    notes: list[str] = []
    if series.has_band and any(point.interval for point in series.points):
        notes.append(_t("note_band", language))
    if any(point.value is None and not point.suppressed for point in series.points):
        notes.append(_t("note_gaps", language))
    for point in series.breaks:
        key = "note_break_survey" if series.is_survey else "note_break"
        notes.append(_t(key, language, period=point.label))
    small = [p.label for p in series.points if p.small_sample and not p.suppressed]
    if small:
        notes.append(_t("note_small", language, periods=", ".join(small), n=threshold))
    hidden = [p.label for p in series.points if p.suppressed]
    if hidden:
        notes.append(_t("note_suppressed", language, periods=", ".join(hidden), n=threshold))
    for point in series.points:
        if not point.revised:
            continue
        earlier = format_value(_raw_of(point.earlier_value, series.scale), series.scale, language)
        if point.revised_on is not None:
            notes.append(
                _t(
                    "note_revised",
                    language,
                    period=point.label,
                    date=format_day(point.revised_on, language),
                    earlier=earlier,
                )
            )
        else:
            notes.append(_t("note_revised_undated", language, period=point.label, earlier=earlier))
    if has_actions:
        notes.append(_t("note_actions", language))
    return notes


def _series_traces(
    context: _Context, series: MetricSeries, name: str, *, with_band: bool = True
) -> list[Trace]:
    traces: list[Trace] = []
    band = band_lines(series) if with_band else None
    if band is not None:
        xs, highs, lows = band
        traces.append(Trace(_t("interval", context.language), "band", xs, highs, y_low=lows))
    xs, ys = result_line(series)
    by_x = {point.x: point for point in series.points}
    # A gap inserted before a series break has no point of its own (its x is a period start).
    hover = [_hover(context, series, by_x[x]) if x in by_x else "" for x in xs]
    traces.append(Trace(name, "line", xs, ys, text=hover))
    return traces


def _target_trace(context: _Context, series: MetricSeries) -> Trace | None:
    if not has_numeric_target(series):
        return None
    xs, ys = target_step_line(series)
    texts: list[str] = []
    for x in xs:
        # A step point (the day a new target took effect) carries the next period's target.
        current = next((p.target for p in series.points if p.x >= x), None)
        texts.append(
            _t(
                "hover_target_line",
                context.language,
                target=describe_target(current, series.scale, context.language),
            )
        )
    return Trace(_t("target_line", context.language), "target", xs, ys, text=texts)


def _action_item(row: Mapping[str, Any], language: str, on_chart: bool = False) -> ActionItem:
    return ActionItem(
        title=_localized(row, "title", language),
        description=_localized(row, "description", language),
        status=row["status"],
        status_text=_t(f"status_{row['status']}", language),
        started_on=_as_date(row["started_on"]),
        completed_on=_as_date(row["completed_on"]) if row.get("completed_on") else None,
        link=row.get("link"),
        on_chart=on_chart,
    )


def action_hover(item: ActionItem, language: str) -> str:
    """An action's marker text: title, status and date."""
    parts = [item.title, item.status_text]
    if item.status == "planned":
        parts.append(_t("action_starts", language, date=format_day(item.started_on, language)))
    else:
        parts.append(_t("action_started", language, date=format_day(item.started_on, language)))
    if item.completed_on is not None:
        parts.append(_t("action_completed", language, date=format_day(item.completed_on, language)))
    return " · ".join(parts)


def _panel(
    context: _Context,
    unit_slug: str,
    code: str,
    full: MetricSeries,
    action_rows: list[dict[str, Any]],
    all_items: list[ActionItem],
) -> MetricPanel:
    language = context.language
    metric = context.metrics[code]
    name = context.metric_name(code)
    series = _restricted(context, full)
    start, end = context.window
    if start is None and series.points:
        start = series.points[0].period.start
    traces = _series_traces(context, series, name)
    target = _target_trace(context, series)
    if target is not None:
        traces.append(target)

    items: list[ActionItem] = []
    marker_x: list[str] = []
    marker_y: list[float | None] = []
    marker_text: list[str] = []
    for row, item in zip(action_rows, all_items, strict=True):
        if code not in row["metric_codes"]:
            continue
        day = marker_day(item.started_on, item.completed_on, start, end)
        if day is None:
            if context.window[0] is None:
                # All years: an action over before the first result is listed, not drawn.
                items.append(_action_item(row, language, on_chart=False))
            continue
        y = value_near(series, day)
        if y is None:
            target_values = [p.target_value for p in series.points if p.target_value is not None]
            y = target_values[-1] if target_values else None
        drawn = y is not None
        items.append(_action_item(row, language, on_chart=drawn))
        if drawn:
            marker_x.append(day.isoformat())
            marker_y.append(float(y))  # type: ignore[arg-type]
            marker_text.append(action_hover(item, language))
    if marker_x:
        traces.append(
            Trace(_t("actions_trace", language), "actions", marker_x, marker_y, text=marker_text)
        )

    rows = [_row(context, series, point) for point in series.points]
    chart = ChartSpec(
        chart_id=code,
        title=name,
        summary=summarize_series(
            series, metric_name=name, language=language, fiscal=context.fiscal
        ),
        y_title=display_unit(full.scale, language),
        traces=traces,
        columns=_table_columns(context, series, rows),
        rows=rows,
        file_stem=file_stem(unit_slug, code, context.period_token or "all"),
        notes=_notes(context, series, bool(marker_x)),
        x_ticks=period_ticks(series),
        empty_text=_t("chart_not_reported", language),
    )
    return MetricPanel(
        code=code,
        name=name,
        definition=_localized(metric, "definition", language),
        granularity=full.granularity,
        chart=chart,
        actions=items,
    )


def _segment_order(segment: str, value: str) -> tuple[int, str]:
    if segment == "channel":
        order = list(CHANNEL_NAMES)
        return (order.index(value) if value in order else len(order), value)
    if segment == "language":
        order = ["en", "es"]
        return (order.index(value) if value in order else len(order), value)
    return (0, value)


def _breakdown(
    context: _Context,
    unit: Mapping[str, Any],
    code: str,
    own: Mapping[tuple[str, str, str, str], list[dict[str, Any]]],
    overall: MetricSeries,
    segment: str,
) -> ChartSpec | None:
    language = context.language
    granularity = overall.granularity
    values = sorted(
        {v for (c, s, v, g) in own if c == code and s == segment and g == granularity},
        key=lambda value: _segment_order(segment, value),
    )
    if not values:
        return None
    name = context.metric_name(code)
    targets = [p.target for p in overall.points if p.target is not None]
    distinct_targets = list(dict.fromkeys(targets))
    groups: list[tuple[str, MetricSeries]] = []
    for value in values:
        series = context.series(
            code, granularity, own[(code, segment, value, granularity)], distinct_targets
        )
        groups.append((segment_value_name(segment, value, language), _restricted(context, series)))
    traces: list[Trace] = []
    for group, series in groups:
        traces += _series_traces(context, series, group, with_band=False)
    target = _target_trace(context, _restricted(context, overall))
    if target is not None:
        traces.append(target)
    segment_word = _t(f"segment_{segment}", language)
    rows = [
        _row(context, series, point, group=group)
        for group, series in groups
        for point in series.points
    ]
    first_series = groups[0][1]
    return ChartSpec(
        chart_id=f"{code}-by-{segment}",
        title=_t("breakdown_title", language, metric=name, segment=segment_word),
        summary=summarize_breakdown(
            groups, metric_name=name, segment_name=segment_word, language=language
        ),
        y_title=display_unit(overall.scale, language),
        traces=traces,
        columns=_table_columns(
            context, first_series, rows, group_label=_t(f"segment_{segment}_title", language)
        ),
        rows=rows,
        file_stem=file_stem(unit["slug"], code, segment, context.period_token or "all"),
        notes=_breakdown_notes(context, groups),
        x_ticks=period_ticks(*(series for _group, series in groups)),
        empty_text=_t("chart_not_reported", language),
    )


def _breakdown_notes(context: _Context, groups: list[tuple[str, MetricSeries]]) -> list[str]:
    language = context.language
    threshold = context.settings.small_sample_threshold
    notes: list[str] = []
    if any(p.value is None and not p.suppressed for _, s in groups for p in s.points):
        notes.append(_t("note_gaps", language))
    for group, series in groups:
        small = [p.label for p in series.points if p.small_sample and not p.suppressed]
        if small:
            periods = f"{group}: " + ", ".join(small)
            notes.append(_t("note_small", language, periods=periods, n=threshold))
        hidden = [p.label for p in series.points if p.suppressed]
        if hidden:
            periods = f"{group}: " + ", ".join(hidden)
            notes.append(_t("note_suppressed", language, periods=periods, n=threshold))
    return notes


# -- posted service levels -------------------------------------------------------------------


def _promises(
    context: _Context,
    codes: list[str],
    full_series: Mapping[str, MetricSeries],
    in_force: Mapping[str, list[TargetSpec]] | None = None,
    history: Mapping[str, list[HistoricTarget]] | None = None,
) -> list[PromiseItem]:
    """Each metric's target in force for its latest period, with that period's result and
    the target's history (corrections, and changes that take effect after that period)."""
    language = context.language
    items: list[PromiseItem] = []
    for code in codes:
        series = full_series[code]
        latest = series.latest
        if latest is None or latest.target is None:
            continue
        target = latest.target
        name = context.metric_name(code)
        target_text = describe_target(target, series.scale, language)
        revised_text = None
        if latest.revised:
            revised_text = format_value(
                _raw_of(latest.earlier_value, series.scale), series.scale, language
            )
        items.append(
            PromiseItem(
                metric_code=code,
                metric_name=name,
                promise=target.promise
                or _t("promise_default", language, metric=name, target=target_text),
                target_text=target_text,
                target_kind=target.kind,
                granularity=series.granularity,
                period_label=latest.label,
                value_text=_t("suppressed", language)
                if latest.suppressed
                else format_value(latest.raw, series.scale, language, target=target),
                status=latest.status,
                responses_text=_t(
                    "responses_count", language, n=format_count(latest.responses, language)
                )
                if series.is_survey and latest.responses is not None
                else None,
                small_sample=latest.small_sample,
                suppressed=latest.suppressed,
                revised_text=revised_text,
                history=_target_history(
                    (in_force or {}).get(code, []),
                    (history or {}).get(code, []),
                    latest.period.end,
                    series.scale,
                    language,
                ),
            )
        )
    # Written promises first: they are what the agency posted for the public.
    items.sort(key=lambda item: item.promise.startswith(item.metric_name + ":"))
    return items


def _target_history(
    in_force: list[TargetSpec],
    history: list[HistoricTarget],
    latest_end: dt.date,
    scale: str,
    language: str,
) -> tuple[str, ...]:
    """A promise's target history in words (D2): every correction, then every change that
    takes effect after the latest result's period."""
    texts = [
        _t(
            "target_corrected",
            language,
            date=format_day(change.day, language),
            old=describe_target(change.old, scale, language),
            new=describe_target(change.new, scale, language),
        )
        for change in target_corrections(history)
    ]
    for change in scheduled_changes(in_force, latest_end):
        new = describe_target(change.new, scale, language)
        day = format_day(change.day, language)
        if change.old is None:
            texts.append(_t("target_scheduled_first", language, date=day, new=new))
        else:
            old = describe_target(change.old, scale, language)
            texts.append(_t("target_scheduled", language, date=day, new=new, old=old))
    return tuple(texts)


# -- services ----------------------------------------------------------------------------------


def _service_item(
    context: _Context,
    service: Mapping[str, Any],
    rows: Mapping[tuple[str, str], list[dict[str, Any]]],
    targets: Mapping[tuple[int, str], list[TargetSpec]],
    agency: Mapping[str, Any],
) -> ServiceItem:
    language = context.language
    name = _localized(service, "name", language)
    path = path_for("service", agency=agency["slug"], service=service["slug"])
    granularity_of = _granularities(rows)
    code = next((c for c in HEADLINE_METRICS if c in granularity_of), None)
    if code is None:
        code = next(iter(_ordered_codes(granularity_of, context.metrics, language)), None)
    if code is None:
        return ServiceItem(service["slug"], name, path, _t("service_no_data", language), None, None)
    granularity = granularity_of[code]
    full = context.series(
        code, granularity, rows[(code, granularity)], list(targets.get((service["id"], code), []))
    )
    series = _restricted(context, full)
    metric_name = context.metric_name(code)
    latest = series.latest
    if latest is None:
        return ServiceItem(service["slug"], name, path, _t("service_no_data", language), None, None)
    value = (
        _t("suppressed", language)
        if latest.suppressed
        else format_value(latest.raw, series.scale, language, target=latest.target)
    )
    text = _t("service_latest", language, metric=metric_name, value=value, period=latest.label)
    traces = _series_traces(context, series, metric_name, with_band=False)
    target = _target_trace(context, series)
    if target is not None:
        traces.append(target)
    table_rows = [_row(context, series, point) for point in series.points]
    sparkline = ChartSpec(
        chart_id=f"service-{service['slug']}",
        title=f"{name}: {metric_name}",
        summary=summarize_series(
            series, metric_name=metric_name, language=language, fiscal=context.fiscal
        ),
        y_title=display_unit(series.scale, language),
        traces=traces,
        columns=_table_columns(context, series, table_rows),
        rows=table_rows,
        file_stem=file_stem(service["slug"], code, context.period_token or "all"),
        x_ticks=period_ticks(series),
        empty_text=_t("chart_not_reported", language),
    )
    return ServiceItem(service["slug"], name, path, text, latest.status, sparkline)


# -- its services' standards -------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSummary:
    """One dimension of the agency's services' standards in their latest period."""

    dimension: str
    label: str
    text: str  # "5 of 7 service standards met in FY2025 Q3"
    reported_text: str  # "7 of 8 service standards reported"
    not_reported: list[str]  # "Passports (Processing time)"


@dataclass(frozen=True)
class ServiceLevelItem:
    """A service's posted service level: promise, target in force, latest result, status."""

    service_slug: str
    service_name: str
    service_path: str
    metric_code: str
    metric_name: str
    promise: str
    target_text: str
    value_text: str  # never zero for a missing value: "Not reported"
    period_label: str
    status: Status


def _service_standards_of(
    context: _Context,
    services: list[dict[str, Any]],
    by_service: Mapping[int, Mapping[tuple[str, str], list[dict[str, Any]]]],
    targets: Mapping[tuple[int, str], list[TargetSpec]],
    agency: Mapping[str, Any],
) -> dict[str, Any]:
    """``service_summaries`` and ``service_levels`` of an agency page (empty elsewhere).

    The period is the latest one the services' data have (a quarter, or a fiscal year for
    yearly results: :func:`dashboard.scorecard.default_period`); results of finer periods
    are pooled by volume and judged against the target in force, exactly as the overview's
    roll-up (:mod:`dashboard.service_rollup`).
    """
    if not services:
        return {}
    language = context.language
    readings: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    for service in services:
        for (code, granularity), rows in by_service.get(service["id"], {}).items():
            for row in rows:
                readings[(service["slug"], code)].append(
                    Reading(
                        period_start=_as_date(row["period_start"]),
                        period_end=_as_date(row["period_end"]),
                        granularity=granularity,
                        value=_float(row.get("raw_value")),
                        numerator=_float(row.get("numerator")),
                        denominator=_float(row.get("denominator")),
                    )
                )
    period = default_period(context.fiscal, offered_periods(context.fiscal, readings))
    if period is None:
        return {}
    goals = {
        (service["slug"], code): specs
        for service in services
        for (unit_id, code), specs in targets.items()
        if unit_id == service["id"]
    }
    infos = [MetricInfo.from_record(record) for record in context.metrics.values()]
    headline = headline_metrics(infos)
    by_dimension = dimension_metrics(infos)
    units = [Service(s["slug"], _localized(s, "name", language), agency["slug"]) for s in services]
    paths = {
        s["slug"]: path_for("service", agency=agency["slug"], service=s["slug"]) for s in services
    }
    period_label = context.fiscal.period_label(period, language)
    summaries: list[ServiceSummary] = []
    levels: list[ServiceLevelItem] = []
    for dimension in SCORECARD_DIMENSIONS:
        measures = by_dimension.get(dimension, [])
        if not measures:
            continue
        standards = service_standards(
            units,
            measures,
            headline.get(dimension, measures[0]),
            readings,
            goals,
            period.start,
            period.end,
            period.granularity,
            small_sample_threshold=context.settings.small_sample_threshold,
            small_sample_policy=context.settings.small_sample_policy,
            language=language,
        )
        if not standards:
            continue
        rollup = roll_up(dimension, standards)
        _met, reported = rollup.lines(language)
        summaries.append(
            ServiceSummary(
                dimension=dimension,
                label=dimension_label(dimension, language),
                text=_rollup_text(rollup, period_label, language),
                reported_text=reported,
                not_reported=[s.label(language) for s in rollup.not_reported],
            )
        )
        for standard in standards:
            cell = standard.cell
            metric_name = standard.metric.name(language)
            target_text = cell.target_text
            promise = (cell.target.promise if cell.target is not None else None) or _t(
                "promise_default", language, metric=metric_name, target=target_text or "–"
            )
            levels.append(
                ServiceLevelItem(
                    service_slug=standard.service_slug,
                    service_name=standard.service_name,
                    service_path=paths[standard.service_slug],
                    metric_code=standard.metric.code,
                    metric_name=metric_name,
                    promise=promise,
                    target_text=target_text,
                    value_text=_t("suppressed", language)
                    if cell.suppressed
                    else format_value(cell.value, cell.scale, language, target=cell.target),
                    period_label=period_label,
                    status=cell.status,
                )
            )
    levels.sort(key=lambda item: (item.service_name.casefold(), item.metric_name.casefold()))
    return {"service_summaries": summaries, "service_levels": levels}


def _rollup_text(rollup: Any, period_label: str, language: str) -> str:
    from dashboard.service_rollup import text as rollup_text

    if not rollup.met.total:
        return _t("standards_none_judged", language, period=period_label)
    return rollup_text(
        "met_in",
        language,
        met=f"{rollup.met.count:,}",
        total=f"{rollup.met.total:,}",
        period=period_label,
    )


# -- how to reach us ---------------------------------------------------------------------------

_PHONE_KEEP = re.compile(r"[^0-9+]")


def contact_href(channel: str, value: str | None) -> str | None:
    """A link for a contact point: tel: for phones, sms: for text lines, mailto: for e-mail."""
    if not value:
        return None
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value
    if channel in ("phone", "voicemail"):
        digits = _PHONE_KEEP.sub("", value)
        return f"tel:{digits}" if digits else None
    if channel == "text":
        digits = _PHONE_KEEP.sub("", value)
        return f"sms:{digits}" if digits else None
    if channel == "email" or "@" in value:
        return f"mailto:{value}"
    return None


def _contact_item(row: Mapping[str, Any], language: str) -> ContactItem:
    codes = [code for code in (row.get("languages") or "").split(",") if code.strip()]
    return ContactItem(
        channel=row["channel"],
        channel_name=channel_name(row["channel"], language),
        label=_localized(row, "label", language),
        value=row.get("value"),
        href=contact_href(row["channel"], row.get("value")),
        address=row.get("address"),
        hours=_localized(row, "hours", language),
        appointment=_localized(row, "appointment", language),
        languages=[language_name(code, language) for code in codes],
    )


def _contacts_and_closures(
    database_url: str,
    unit: Mapping[str, Any],
    agency: Mapping[str, Any],
    all_units: list[dict[str, Any]],
    language: str,
    today: dt.date,
) -> tuple[list[ContactGroup], list[ClosureItem]]:
    """The unit's contact points (and its agency's, on a service page), and the closures of
    the unit, its agency and the whole government that have not ended by ``today``."""
    enterprise_ids = [u["id"] for u in all_units if u["kind"] == "enterprise"]
    chain = [unit] if unit["id"] == agency["id"] else [unit, agency]
    rows = queries.contact_points(database_url, [u["id"] for u in chain])
    groups = []
    labels: dict[int, str] = {}
    for member in chain:
        items = [_contact_item(row, language) for row in rows if row["unit_id"] == member["id"]]
        for row in rows:
            labels[row["id"]] = _localized(row, "label", language)
        if items:
            groups.append(
                ContactGroup(
                    unit_name=_localized(member, "name", language),
                    is_this_unit=member["id"] == unit["id"],
                    items=items,
                )
            )
    names = {u["id"]: _localized(u, "name", language) for u in all_units}
    closure_rows = queries.closures(
        database_url, [u["id"] for u in chain] + enterprise_ids, ending_on_or_after=today
    )
    closures = [
        ClosureItem(
            starts_on=_as_date(row["starts_on"]),
            ends_on=_as_date(row["ends_on"]),
            reason=_localized(row, "reason", language),
            place=labels.get(row["contact_point_id"])
            if row.get("contact_point_id")
            else names.get(row["unit_id"]),
        )
        for row in closure_rows
    ]
    return groups, closures
