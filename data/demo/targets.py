"""The demo's targets, as rows of the targets file (docs/import-content.md, import-targets):
service standards, targets raised last year, "Establish baseline" years followed by
targets derived from the baseline's results, text targets, and draft (proposed) targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dashboard.infra.models import DRAFT, PUBLISHED
from data import demo_content as content
from data.demo.simulation import ObservationRows
from data.demo.timeline import (
    BASELINE_TEXT,
    FISCAL_YEARS,
    IMPROVEMENT_TEXT,
    Row,
    Timeline,
    unit_columns,
)
from data.demo_content import AgencySpec, ServiceSpec


class _TargetRows:
    def __init__(self, timeline: Timeline):
        self.timeline = timeline
        self.directions = {spec.code: spec.direction for spec in content.METRICS}
        self.rows: list[Row] = []

    def add(
        self,
        unit: str,
        code: str,
        kind: str,
        start: dt.date,
        end: dt.date | None = None,
        *,
        value: float | None = None,
        promise: tuple[str, str] | None = None,
        text: tuple[str, str] | None = None,
        visibility: str = PUBLISHED,
    ) -> None:
        self.rows.append(
            {
                **unit_columns(unit),
                "metric": code,
                "kind": kind,
                "value": value,
                "comparator": "<=" if self.directions[code] == "lower" else ">=",
                "text_en": text[0] if text else None,
                "text_es": text[1] if text else None,
                "promise_en": promise[0] if promise else None,
                "promise_es": promise[1] if promise else None,
                "effective_from": start,
                "effective_to": end,
                "visibility": visibility,
            }
        )

    def numeric(
        self,
        unit: str,
        code: str,
        value: float,
        start: dt.date,
        end: dt.date | None = None,
        promise: tuple[str, str] | None = None,
    ) -> None:
        self.add(unit, code, "numeric", start, end, value=value, promise=promise)

    def raised(
        self,
        unit: str,
        code: str,
        before: float,
        after: float,
        promise: Callable[[float], tuple[str, str] | None] = lambda _v: None,
    ) -> None:
        """A target raised at the start of last fiscal year; the old one ends the day before."""
        raised_on = self.timeline.year_start(FISCAL_YEARS - 2)
        self.numeric(
            unit,
            code,
            before,
            self.timeline.start,
            raised_on - dt.timedelta(days=1),
            promise(before),
        )
        self.numeric(unit, code, after, raised_on, None, promise(after))

    def baseline_then(
        self, unit: str, code: str, year_offset: int, promise: tuple[str, str] | None = None
    ) -> dt.date:
        """An "Establish baseline" year; returns the day the next target starts."""
        start = self.timeline.year_start(year_offset)
        following = self.timeline.year_start(year_offset + 1)
        self.add(
            unit,
            code,
            "baseline",
            start,
            following - dt.timedelta(days=1),
            promise=promise,
            text=BASELINE_TEXT,
        )
        return following


def target_rows(timeline: Timeline, writer: ObservationRows) -> list[Row]:
    targets = _TargetRows(timeline)
    start = timeline.start

    def from_baseline(
        unit: str, code: str, year_offset: int, fallback: float, margin: float, ceiling: float
    ) -> float:
        """A target set from the baseline year's published results."""
        values = writer.published_values(unit, code, year_offset)
        level = sum(values) / len(values) if values else fallback
        return round(min(ceiling, level + margin), 2)

    for agency in content.AGENCIES:
        for service in agency.services:
            _service_targets(targets, service, from_baseline)
        _agency_targets(targets, agency, start)

    # The enterprise set itself a training goal after counting where it stood.
    following = targets.baseline_then(content.ENTERPRISE_SLUG, "staff_trained_cx", 0)
    targets.numeric(content.ENTERPRISE_SLUG, "staff_trained_cx", 0.5, following)
    # A proposal for next fiscal year, not yet approved: a draft, never public.
    targets.add(
        "dmv",
        "service_level_60s",
        "numeric",
        timeline.fiscal.year_bounds(timeline.last_year + 1)[0],
        value=85.0,
        promise=(
            "We answer 85% of calls within 60 seconds.",
            "Contestamos el 85% de las llamadas en 60 segundos.",
        ),
        visibility=DRAFT,
    )
    return targets.rows


def _service_targets(
    targets: _TargetRows,
    service: ServiceSpec,
    from_baseline: Callable[[str, str, int, float, float, float], float],
) -> None:
    slug = service.slug
    start = targets.timeline.start

    late = service.late.get("csat_overall", 0)
    if late:
        following = targets.baseline_then(slug, "csat_overall", late)
        level = from_baseline(slug, "csat_overall", late, service.csat, 0.03, 0.95)
        targets.numeric(slug, "csat_overall", level, following)
    elif service.csat >= 0.80:
        targets.raised(slug, "csat_overall", 0.80, 0.85)
    else:
        targets.numeric(slug, "csat_overall", 0.75 if service.csat < 0.72 else 0.80, start)

    if service.ease:
        targets.numeric(slug, "ease", 4.0, targets.timeline.year_start(service.late.get("ease", 0)))

    if service.accuracy is not None:
        late = service.late.get("accuracy_rate", 0)
        if late:
            following = targets.baseline_then(slug, "accuracy_rate", late)
            level = from_baseline(slug, "accuracy_rate", late, service.accuracy, 0.01, 0.99)
            targets.numeric(slug, "accuracy_rate", level, following)
        else:
            targets.numeric(
                slug, "accuracy_rate", 0.97 if service.accuracy >= 0.96 else 0.95, start
            )

    if service.timeliness is not None:
        promise = (service.promise_en or "", service.promise_es or "")
        late = service.late.get("timeliness_standard", 0)
        if late:
            following = targets.baseline_then(slug, "timeliness_standard", late, promise)
            targets.numeric(
                slug, "timeliness_standard", service.timeliness_target, following, promise=promise
            )
        elif service.timeliness_target_before is not None:
            targets.raised(
                slug,
                "timeliness_standard",
                service.timeliness_target_before,
                service.timeliness_target,
                lambda _value: promise,
            )
        else:
            targets.numeric(
                slug, "timeliness_standard", service.timeliness_target, start, promise=promise
            )

    if service.processing_days is not None:
        late = service.late.get("processing_days", 0)
        if late:
            following = targets.baseline_then(slug, "processing_days", late)
            targets.add(slug, "processing_days", "text", following, text=IMPROVEMENT_TEXT)
        elif service.standard_days is not None:
            targets.numeric(slug, "processing_days", round(service.standard_days * 0.7, 1), start)


def _agency_targets(targets: _TargetRows, agency: AgencySpec, start: dt.date) -> None:
    slug = agency.slug

    def answer_promise(level: float) -> tuple[str, str]:
        return (
            f"We answer {level:g}% of calls within 60 seconds.",
            f"Contestamos el {level:g} % de las llamadas en 60 segundos.",
        )

    if agency.capacity < 1.1:
        targets.raised(slug, "service_level_60s", 70.0, 80.0, answer_promise)
    else:
        targets.numeric(slug, "service_level_60s", 80.0, start, promise=answer_promise(80.0))
    targets.numeric(
        slug,
        "avg_speed_answer",
        120.0,
        start,
        promise=(
            "On average, we answer calls within 2 minutes.",
            "En promedio, contestamos las llamadas en menos de 2 minutos.",
        ),
    )
    targets.numeric(slug, "abandon_rate", 8.0, start)

    ack_promise = (content.ACK_PROMISE_EN, content.ACK_PROMISE_ES)
    following = targets.baseline_then(
        slug, "ack_within_1bd", content.ACK_POLICY_YEAR_OFFSET, ack_promise
    )
    targets.numeric(slug, "ack_within_1bd", 0.95, following, promise=ack_promise)

    targets.numeric(slug, "csat_overall", 0.80, start)
    if agency.trust_target == "improve":
        following = targets.baseline_then(slug, "trust", 0)
        targets.add(slug, "trust", "text", following, text=IMPROVEMENT_TEXT)
    else:
        targets.numeric(slug, "trust", 0.70, start)
    if any(service.ease for service in agency.services):
        targets.numeric(slug, "ease", 4.0, start)
    if any(service.accuracy is not None for service in agency.services):
        targets.numeric(slug, "accuracy_rate", 0.95, start)
    if any(service.timeliness is not None for service in agency.services):
        targets.numeric(slug, "timeliness_standard", 0.80, start)


# -- actions ---------------------------------------------------------------------------------
