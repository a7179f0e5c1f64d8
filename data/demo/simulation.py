"""The simulation: five fiscal years of results for each agency, its services and the
enterprise, recorded as rows of the long results format (docs/import-format.md).

Each agency's phone demand follows its season, its agent capacity sets the service level,
waits and abandonment, busy quarters lower satisfaction and timeliness, and the improvement
actions it publishes raise capacity or shift work to self-service from the month they
start. Survey results are drawn from the number of responses, so small offices get small,
noisy samples. The store is not touched here: :class:`ObservationRows` only collects rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from dashboard.core.settings import Settings
from dashboard.domain.fiscal import Period
from data import demo_content as content
from data.demo.timeline import (
    CHANNEL_ACK_ADJUSTMENT,
    DRAFT_MONTH_NOTE,
    NOT_REPORTED_SHARE,
    PUBLICATION_LAG_DAYS,
    SURVEY_METRICS,
    Effects,
    Row,
    Timeline,
    at_hour,
    month_number,
    unit_columns,
)
from data.demo_content import AgencySpec, ServiceSpec


@dataclass
class Revision:
    """The corrected row, imported with ``publish`` after the wrong one was published.

    ``first_published`` is when the wrong figure was published, ``revised_at`` when the
    correction was.
    """

    row: Row
    first_published: dt.datetime
    revised_at: dt.datetime


@dataclass
class ObservationRows:
    """Collects observation rows in the long format: published ones with the time each
    would have been published, drafts, and the one revision."""

    timeline: Timeline
    small_sample_threshold: int
    #: (time it would have been published, row), in the order they were simulated.
    published: list[tuple[dt.datetime, Row]] = field(default_factory=list)
    drafts: list[Row] = field(default_factory=list)
    #: Published headline values (no segment) by (unit, metric), for data-derived targets.
    values: dict[tuple[str, str], list[tuple[Period, float | None]]] = field(default_factory=dict)
    revision: Revision | None = None
    written: int = 0
    not_reported: int = 0
    small_samples: int = 0

    def add(
        self,
        unit: str,
        code: str,
        period: Period,
        raw: float | None,
        *,
        numerator: float | None = None,
        denominator: float | None = None,
        response_rate: float | None = None,
        segment: tuple[str, str] = ("", ""),
        draft: bool = False,
        note: str | None = None,
        series_break: bool = False,
    ) -> Row:
        if raw is None:
            numerator = denominator = response_rate = None
            self.not_reported += 1
        row: Row = {
            **unit_columns(unit),
            "metric": code,
            "period_start": period.start,
            "period_end": period.end,
            "granularity": period.granularity,
            "segment_type": segment[0] or None,
            "segment_value": segment[1] or None,
            "value": raw,
            "numerator": numerator,
            "denominator": denominator,
            "response_rate": response_rate,
            "series_break": True if series_break else None,
            "note": note,
        }
        self.written += 1
        if draft:
            self.drafts.append(row)
        else:
            self.published.append((self.timeline.published_at(period), row))
            if segment == ("", ""):
                self.values.setdefault((unit, code), []).append((period, raw))
        if (
            code in SURVEY_METRICS
            and denominator is not None
            and denominator < self.small_sample_threshold
        ):
            self.small_samples += 1
        return row

    def published_values(self, unit: str, code: str, year_offset: int) -> list[float]:
        return [
            value
            for period, value in self.values.get((unit, code), [])
            if value is not None and self.timeline.year_offset(period) == year_offset
        ]


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _binomial(rng: random.Random, trials: int, share: float) -> int:
    """Successes out of ``trials`` (normal approximation: fast, and exact enough here)."""
    if trials <= 0:
        return 0
    spread = math.sqrt(trials * share * (1.0 - share))
    return int(_clamp(round(rng.gauss(trials * share, spread)), 0, trials))


@dataclass
class _Month:
    period: Period
    number: int
    demand: float
    offered: int
    within_60s: int
    abandoned: int
    speed_of_answer: float
    stress: float
    #: channel -> (messages received, acknowledged within one business day)
    messages: dict[str, tuple[int, int]]


def _simulate_months(
    agency: AgencySpec, timeline: Timeline, rng: random.Random, effects: Effects
) -> list[_Month]:
    season_mean = sum(agency.season) / 12
    first_number = month_number(timeline.start)
    months = []
    for period in timeline.months:
        number = month_number(period.start)
        offset = number - timeline.today_number
        years = (number - first_number) / 12
        surge = math.prod(s.factor for s in agency.surges if s.first <= offset <= s.last)
        season = agency.season[period.start.month - 1] / season_mean
        demand = (
            agency.monthly_calls
            * season
            * surge
            * (1 + 0.015 * years)
            * math.exp(rng.gauss(0, 0.05))
        )
        deflected = min(0.6, effects.agency("deflect", agency.slug, number))
        calls = demand * (1 - deflected)
        capacity = (
            agency.monthly_calls
            * agency.capacity
            * (1 + agency.capacity_trend * years + effects.agency("capacity", agency.slug, number))
        )
        load = calls / capacity
        # Queueing in short: waits grow exponentially as the load nears capacity.
        service_level = _clamp(
            97.5 / (1 + math.exp(6.5 * (load - 1.1))) + rng.gauss(0, 1.2), 3, 99.5
        )
        speed = _clamp(6 + 18 * math.exp(5 * (load - 0.75)) * math.exp(rng.gauss(0, 0.08)), 2, 1800)
        abandon = _clamp(1.5 + 0.04 * speed + rng.gauss(0, 0.5), 0.5, 45)
        stress = max(0.0, load - 0.85)
        offered = round(calls)
        ack_gain = effects.agency("ack", agency.slug, number)
        messages = {}
        for channel, per_call in agency.written.items():
            received = round(demand * per_call * math.exp(rng.gauss(0, 0.06)))
            share = _clamp(
                agency.ack
                + ack_gain
                + CHANNEL_ACK_ADJUSTMENT[channel]
                - 0.4 * stress
                + rng.gauss(0, 0.012),
                0.3,
                0.995,
            )
            messages[channel] = (received, _binomial(rng, received, share))
        months.append(
            _Month(
                period=period,
                number=number,
                demand=demand,
                offered=offered,
                within_60s=round(offered * service_level / 100),
                abandoned=round(offered * abandon / 100),
                speed_of_answer=speed,
                stress=stress,
                messages=messages,
            )
        )
    return months


def _write_months(
    agency: AgencySpec, months: list[_Month], timeline: Timeline, writer: ObservationRows
) -> None:
    slug = agency.slug
    policy_start = timeline.year_start(content.ACK_POLICY_YEAR_OFFSET)
    revised_period = None
    if slug == content.REVISED_AGENCY:
        revised_period = timeline.months[-1 - content.REVISED_MONTHS_BACK]
    for month in months:
        offset = month.number - timeline.today_number
        if offset in content.MONTHS_MISSING.get(slug, ()):
            continue  # the report never came in: no rows at all
        period = month.period
        answered = month.offered - month.abandoned
        if period == timeline.draft_month:
            if slug in content.DRAFT_MONTH_AGENCIES:
                _write_draft_month(slug, month, writer)
            continue
        phone_missing = offset in content.PHONE_NOT_REPORTED.get(slug, ())
        note = content.PHONE_NOT_REPORTED_NOTE if phone_missing else None
        service_level = round(100 * month.within_60s / month.offered, 2)
        row = writer.add(
            slug,
            "service_level_60s",
            period,
            None if phone_missing else service_level,
            numerator=month.within_60s,
            denominator=month.offered,
            note=note,
        )
        if period == revised_period:
            _plan_revision(writer, row, slug, period, month)
        writer.add(
            slug,
            "avg_speed_answer",
            period,
            None if phone_missing else round(month.speed_of_answer, 1),
            denominator=answered,
            note=note,
        )
        writer.add(
            slug,
            "abandon_rate",
            period,
            None if phone_missing else round(100 * month.abandoned / month.offered, 2),
            numerator=month.abandoned,
            denominator=month.offered,
            note=note,
        )
        total_contacts = month.offered + sum(received for received, _ in month.messages.values())
        writer.add(
            slug, "contacts_received", period, None if phone_missing else total_contacts, note=note
        )
        writer.add(
            slug,
            "contacts_received",
            period,
            None if phone_missing else month.offered,
            segment=("channel", "phone"),
            note=note,
        )
        for channel, (received, _) in month.messages.items():
            writer.add(slug, "contacts_received", period, received, segment=("channel", channel))
        if period.start < policy_start:
            continue  # acknowledgement is measured from the responsiveness policy on
        received_all = sum(received for received, _ in month.messages.values())
        acked_all = sum(acked for _, acked in month.messages.values())
        writer.add(
            slug,
            "ack_within_1bd",
            period,
            round(acked_all / received_all, 6),
            numerator=acked_all,
            denominator=received_all,
        )
        for channel, (received, acked) in month.messages.items():
            writer.add(
                slug,
                "ack_within_1bd",
                period,
                round(acked / received, 6),
                numerator=acked,
                denominator=received,
                segment=("channel", channel),
            )


def _write_draft_month(slug: str, month: _Month, writer: ObservationRows) -> None:
    period = month.period
    offered = month.offered
    common: dict[str, Any] = {"draft": True, "note": DRAFT_MONTH_NOTE}
    writer.add(
        slug,
        "service_level_60s",
        period,
        round(100 * month.within_60s / offered, 2),
        numerator=month.within_60s,
        denominator=offered,
        **common,
    )
    writer.add(
        slug,
        "avg_speed_answer",
        period,
        round(month.speed_of_answer, 1),
        denominator=offered - month.abandoned,
        **common,
    )
    writer.add(
        slug,
        "abandon_rate",
        period,
        round(100 * month.abandoned / offered, 2),
        numerator=month.abandoned,
        denominator=offered,
        **common,
    )
    total = offered + sum(received for received, _ in month.messages.values())
    writer.add(slug, "contacts_received", period, total, **common)


def _plan_revision(
    writer: ObservationRows, row: Row, slug: str, period: Period, month: _Month
) -> None:
    """The first published service level was wrong; a later file corrects it.

    ``row`` (the first publication) gets the wrong figure; the corrected one, with the
    reason as its internal note, is imported with ``publish`` weeks later, which keeps the
    wrong one as the revision.
    """
    assert content.REVISED_METRIC == row["metric"] == "service_level_60s"
    corrected = {**row, "note": content.REVISION_REASON}
    earlier_level = round(float(row["value"]) + content.REVISED_ERROR, 2)  # type: ignore[arg-type]
    row["value"] = earlier_level
    row["numerator"] = round(month.offered * earlier_level / 100)
    row["denominator"] = month.offered
    revised_at = at_hour(period.end + dt.timedelta(days=PUBLICATION_LAG_DAYS["month"] + 26), 16)
    writer.revision = Revision(corrected, writer.timeline.published_at(period), revised_at)


@dataclass
class _Pool:
    """One agency quarter's results pooled over its services."""

    rows: int = 0
    successes: float = 0.0
    trials: float = 0.0
    invitations: float = 0.0
    weighted: float = 0.0

    def add_share(self, successes: int, trials: int, invitations: int = 0) -> None:
        self.successes += successes
        self.trials += trials
        self.invitations += invitations

    def add_mean(self, mean: float, weight: int) -> None:
        self.weighted += mean * weight
        self.trials += weight


#: Service results that add up to an agency result.
POOLED_METRICS = (
    "csat_overall",
    "ease",
    "accuracy_rate",
    "timeliness_standard",
    "processing_days",
)


@dataclass
class _Quarter:
    """One agency quarter: its conditions, and its services' results pooled as they come."""

    agency: AgencySpec
    period: Period
    index: int
    last_number: int  # month number of the quarter's last month
    stress: float  # contact-centre overload, 0 when within capacity
    activity: float  # demand relative to a typical quarter
    year_offset: int
    survey_lapsed: bool
    pools: dict[str, _Pool] = field(
        default_factory=lambda: {code: _Pool() for code in POOLED_METRICS}
    )


def simulate_agency(
    agency: AgencySpec,
    timeline: Timeline,
    rng: random.Random,
    effects: Effects,
    writer: ObservationRows,
    settings: Settings,
) -> None:
    months = _simulate_months(agency, timeline, rng, effects)
    _write_months(agency, months, timeline, writer)
    by_number = {month.number: month for month in months}
    break_quarter = next(
        q for q in timeline.quarters if timeline.year_offset(q) == content.SERIES_BREAK_YEAR_OFFSET
    )
    # Small offices get around the small-sample threshold, so some quarters fall below it.
    small_responses = min(settings.small_sample_threshold, 60)
    base_csat = sum(s.csat for s in agency.services) / len(agency.services)

    for index, period in enumerate(timeline.quarters):
        first = month_number(period.start)
        quarter_months = [by_number[first + i] for i in range(3)]
        quarter = _Quarter(
            agency=agency,
            period=period,
            index=index,
            last_number=first + 2,
            stress=sum(m.stress for m in quarter_months) / 3,
            activity=sum(m.demand for m in quarter_months) / (3 * agency.monthly_calls),
            year_offset=timeline.year_offset(period),
            survey_lapsed=(
                agency.slug == content.SURVEY_LAPSE_AGENCY and period == timeline.quarters[-1]
            ),
        )
        for service in agency.services:
            if index not in service.gaps:
                _simulate_service_quarter(service, quarter, rng, effects, writer, small_responses)
        _write_agency_quarter(
            quarter,
            rng,
            effects,
            writer,
            after_break=period >= break_quarter,
            at_break=period == break_quarter,
            base_csat=base_csat,
        )


def _simulate_service_quarter(
    service: ServiceSpec,
    quarter: _Quarter,
    rng: random.Random,
    effects: Effects,
    writer: ObservationRows,
    small_responses: int,
) -> None:
    slug, period, stress, pools = service.slug, quarter.period, quarter.stress, quarter.pools
    lapse_note = content.SURVEY_LAPSE_NOTE if quarter.survey_lapsed else None

    def gain(kind: str) -> float:
        return effects.service(kind, slug, quarter.agency.slug, quarter.last_number)

    def measured(code: str) -> bool:
        return quarter.year_offset >= service.late.get(code, 0)

    def not_reported(code: str, survey: bool = False) -> bool:
        """Write a "not reported" row when the office did not report (or its survey lapsed)."""
        lapsed = survey and quarter.survey_lapsed
        if lapsed or rng.random() < NOT_REPORTED_SHARE:
            writer.add(slug, code, period, None, note=lapse_note if lapsed else None)
            return True
        return False

    volume = service.volume * quarter.activity * math.exp(rng.gauss(0, 0.06))
    completed = max(1, round(volume))
    if service.small:
        responses = max(2, round(small_responses * rng.uniform(0.45, 1.5)))
    else:
        spread = math.exp(rng.gauss(0, 0.12))
        responses = round(service.responses * math.sqrt(quarter.activity) * spread)
    satisfied_share = _clamp(
        service.csat + gain("csat") - 0.3 * stress + rng.gauss(0, 0.012), 0.2, 0.98
    )
    rate = _clamp(service.response_rate * math.exp(rng.gauss(0, 0.1)), 0.01, 0.9)
    invitations = max(responses, round(responses / rate))
    response_rate = round(responses / invitations, 3)

    if measured("csat_overall"):
        pools["csat_overall"].rows += 1
        if not not_reported("csat_overall", survey=True):
            satisfied = _binomial(rng, responses, satisfied_share)
            pools["csat_overall"].add_share(satisfied, responses, invitations)
            writer.add(
                slug,
                "csat_overall",
                period,
                round(satisfied / responses, 6),
                numerator=satisfied,
                denominator=responses,
                response_rate=response_rate,
            )

    if service.ease and measured("ease"):
        pools["ease"].rows += 1
        if not not_reported("ease", survey=True):
            answered = max(1, round(responses * 0.97))
            mean = round(_clamp(1.9 + 2.6 * satisfied_share + rng.gauss(0, 0.05), 1, 5), 2)
            pools["ease"].add_mean(mean, answered)
            writer.add(
                slug, "ease", period, mean, denominator=answered, response_rate=response_rate
            )

    if service.accuracy is not None and measured("accuracy_rate"):
        pools["accuracy_rate"].rows += 1
        if not not_reported("accuracy_rate"):
            reviewed = int(_clamp(round(volume * 0.03), 30, 400))
            share = _clamp(
                service.accuracy + gain("accuracy") - 0.04 * stress + rng.gauss(0, 0.004),
                0.5,
                0.999,
            )
            correct = _binomial(rng, reviewed, share)
            pools["accuracy_rate"].add_share(correct, reviewed)
            writer.add(
                slug,
                "accuracy_rate",
                period,
                round(correct / reviewed, 6),
                numerator=correct,
                denominator=reviewed,
            )

    if service.timeliness is not None and measured("timeliness_standard"):
        pools["timeliness_standard"].rows += 1
        if not not_reported("timeliness_standard"):
            share = _clamp(
                service.timeliness + gain("timeliness") - 0.5 * stress + rng.gauss(0, 0.012),
                0.1,
                0.995,
            )
            on_time = round(completed * share)
            pools["timeliness_standard"].add_share(on_time, completed)
            writer.add(
                slug,
                "timeliness_standard",
                period,
                round(on_time / completed, 6),
                numerator=on_time,
                denominator=completed,
            )

    if service.processing_days is not None and measured("processing_days"):
        pools["processing_days"].rows += 1
        if not not_reported("processing_days"):
            days = round(
                service.processing_days
                * (1 + 1.2 * stress)
                * (1 - min(0.6, gain("days")))
                * math.exp(rng.gauss(0, 0.05)),
                1,
            )
            pools["processing_days"].add_mean(days, completed)
            writer.add(slug, "processing_days", period, days, denominator=completed)


def _write_agency_quarter(
    quarter: _Quarter,
    rng: random.Random,
    effects: Effects,
    writer: ObservationRows,
    *,
    after_break: bool,
    at_break: bool,
    base_csat: float,
) -> None:
    """The agency's own quarter: its services pooled, plus trust and the language split."""
    agency, pools, period = quarter.agency, quarter.pools, quarter.period
    slug = agency.slug
    lapse_note = content.SURVEY_LAPSE_NOTE if quarter.survey_lapsed else None
    csat = pools["csat_overall"]
    if csat.rows:
        if csat.trials == 0:
            writer.add(slug, "csat_overall", period, None, note=lapse_note)
        else:
            satisfied, responses = int(csat.successes), int(csat.trials)
            share = satisfied / responses
            response_rate = round(responses / csat.invitations, 3)
            writer.add(
                slug,
                "csat_overall",
                period,
                round(share, 6),
                numerator=satisfied,
                denominator=responses,
                response_rate=response_rate,
            )
            _write_language_split(quarter, satisfied, responses, share, rng, effects, writer)

        # Trust is asked of the same respondents, at agency level only.
        broken = agency.slug == content.SERIES_BREAK_AGENCY
        if csat.trials == 0:
            writer.add(
                slug, "trust", period, None, note=lapse_note, series_break=broken and at_break
            )
        else:
            asked = max(1, round(csat.trials * 0.96))
            shift = content.SERIES_BREAK_SHIFT if broken and after_break else 0.0
            share = _clamp(
                agency.trust
                + 0.7 * (csat.successes / csat.trials - base_csat)
                + shift
                + rng.gauss(0, 0.01),
                0.1,
                0.98,
            )
            trusting = _binomial(rng, asked, share)
            writer.add(
                slug,
                "trust",
                period,
                round(trusting / asked, 6),
                numerator=trusting,
                denominator=asked,
                response_rate=round(csat.trials / csat.invitations, 3),
                series_break=broken and at_break,
            )

    ease = pools["ease"]
    if ease.rows:
        mean = round(ease.weighted / ease.trials, 2) if ease.trials else None
        writer.add(
            slug,
            "ease",
            period,
            mean,
            denominator=int(ease.trials) or None,
            note=lapse_note if mean is None else None,
        )

    for code in ("accuracy_rate", "timeliness_standard"):
        pool = pools[code]
        if pool.rows:
            raw = round(pool.successes / pool.trials, 6) if pool.trials else None
            writer.add(
                slug,
                code,
                period,
                raw,
                numerator=int(pool.successes),
                denominator=int(pool.trials),
            )

    days = pools["processing_days"]
    if days.rows:
        raw = round(days.weighted / days.trials, 1) if days.trials else None
        writer.add(slug, "processing_days", period, raw, denominator=int(days.trials))


def _write_language_split(
    quarter: _Quarter,
    satisfied: int,
    responses: int,
    share: float,
    rng: random.Random,
    effects: Effects,
    writer: ObservationRows,
) -> None:
    """Split an agency's survey result into English and Spanish respondents."""
    agency, period = quarter.agency, quarter.period
    drawn = round(responses * agency.spanish_share * math.exp(rng.gauss(0, 0.1)))
    spanish = int(_clamp(drawn, 1, responses - 1))
    gap = agency.spanish_gap - effects.agency("spanish_gap", agency.slug, quarter.last_number)
    # Spanish speakers are less satisfied by the gap; the pooled result stays what it is.
    spanish_share = _clamp(share - max(0.0, gap) * (1 - agency.spanish_share), 0.05, 0.99)
    spanish_satisfied = int(
        _clamp(
            _binomial(rng, spanish, spanish_share),
            satisfied - (responses - spanish),
            satisfied,
        )
    )
    english, english_satisfied = responses - spanish, satisfied - spanish_satisfied
    writer.add(
        agency.slug,
        "csat_overall",
        period,
        round(english_satisfied / english, 6),
        numerator=english_satisfied,
        denominator=english,
        segment=("language", "en"),
    )
    writer.add(
        agency.slug,
        "csat_overall",
        period,
        round(spanish_satisfied / spanish, 6),
        numerator=spanish_satisfied,
        denominator=spanish,
        segment=("language", "es"),
    )


def simulate_enterprise(timeline: Timeline, rng: random.Random, writer: ObservationRows) -> None:
    """Staff trained in customer experience, counted once a year across all agencies."""
    for year in timeline.years:
        offset = timeline.year_offset(year)
        staff = round(5_200 * (1 + 0.012 * offset) * math.exp(rng.gauss(0, 0.01)))
        share = _clamp(0.09 + 0.14 * offset + rng.gauss(0, 0.01), 0.0, 0.95)
        trained = round(staff * share)
        writer.add(
            content.ENTERPRISE_SLUG,
            "staff_trained_cx",
            year,
            round(trained / staff, 6),
            numerator=trained,
            denominator=staff,
        )
