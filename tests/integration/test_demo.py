"""``generate_demo`` on SQLite and PostgreSQL: what it writes, and that it writes it the same way.

Each generation takes a second or two, so one test per database checks many properties of
one demo store rather than generating it again for each.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.normalize import NormalizationRule, normalize
from dashboard.infra import db
from dashboard.infra.models import (
    DRAFT,
    PUBLISHED,
    Action,
    Base,
    Closure,
    ContactPoint,
    Metric,
    Observation,
    ObservationRevision,
    Target,
    Unit,
)
from data.demo import DRAFT_MARKER, DemoError, default_today, generate_demo
from data.demo.feedback import helpful_figure_count


def _count(session: Session, model: type[Base], *conditions: object) -> int:
    column = next(iter(model.__table__.primary_key.columns))
    return session.scalar(select(func.count(column)).where(*conditions)) or 0


def _observation_rows(url: str) -> list[tuple[object, ...]]:
    """Every observation, keyed by slugs and codes (ids may differ between stores)."""
    with db.session_scope(url) as session:
        rows = session.execute(
            select(
                Unit.slug,
                Metric.code,
                Observation.granularity,
                Observation.period_start,
                Observation.segment_type,
                Observation.segment_value,
                Observation.raw_value,
                Observation.numerator,
                Observation.denominator,
                Observation.response_rate,
                Observation.score,
                Observation.series_break,
                Observation.visibility,
                Observation.internal_note,
            )
            .join(Unit, Unit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
        ).all()
    return sorted(tuple(row) for row in rows)


def test_demo_store_has_an_honest_government(db_url: str, settings: Settings) -> None:
    calls: list[tuple[int, int]] = []
    summary = generate_demo(
        db_url, settings, progress=lambda done, total: calls.append((done, total))
    )

    # Progress: from 0 to the total, never backwards, at least once per agency.
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1]
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert len(calls) >= summary.agencies

    today = summary.today
    assert today == default_today(FiscalCalendar.from_settings(settings))
    assert summary.last_fiscal_year - summary.first_fiscal_year == 4

    with db.session_scope(db_url) as session:
        # -- the organisation ----------------------------------------------------------------
        assert _count(session, Unit, Unit.kind == "enterprise") == 1
        assert _count(session, Unit, Unit.kind == "agency") == summary.agencies == 12
        services = _count(session, Unit, Unit.kind == "service")
        assert services == summary.services and 36 <= services <= 45
        assert _count(session, Unit) == summary.units == 1 + 12 + services
        assert _count(session, Unit, Unit.name_es.is_(None)) == 0
        slugs = session.scalars(select(Unit.slug)).all()
        assert all(slug == slug.lower() and " " not in slug and "/" not in slug for slug in slugs)

        # -- metrics: every one explained in both languages ---------------------------------
        metrics = session.scalars(select(Metric)).all()
        assert len(metrics) == summary.metrics and 10 <= len(metrics) <= 16
        codes = {metric.code for metric in metrics}
        assert {"csat_overall", "ack_within_1bd", "contacts_received", "trust", "ease"} <= codes
        for metric in metrics:
            for column in ("definition", "method", "data_source", "target_setting"):
                assert getattr(metric, f"{column}_en"), (metric.code, column)
                assert getattr(metric, f"{column}_es"), (metric.code, column)

        # -- observations: scored by the normalization rule ---------------------------------
        assert _count(session, Observation) == summary.observations > 5_000
        rules = {
            m.id: NormalizationRule(m.scale, m.direction, m.norm_best, m.norm_worst)
            for m in metrics
        }
        for metric_id, raw, score in session.execute(
            select(Observation.metric_id, Observation.raw_value, Observation.score)
        ):
            assert score == pytest.approx(normalize(raw, rules[metric_id]))

        # Not reported is NULL, never zero, and carries no score.
        not_reported = session.scalars(
            select(Observation).where(Observation.raw_value.is_(None))
        ).all()
        assert len(not_reported) == summary.not_reported >= 1
        assert all(o.score is None and o.numerator is None for o in not_reported)

        # An agency whose latest published quarter of satisfaction is not reported.
        csat_id = session.scalar(select(Metric.id).where(Metric.code == "csat_overall"))
        latest_quarter = session.scalar(
            select(func.max(Observation.period_start)).where(
                Observation.granularity == "quarter", Observation.visibility == PUBLISHED
            )
        )
        lapsed = session.scalars(
            select(Unit.slug)
            .join(Observation, Observation.unit_id == Unit.id)
            .where(
                Unit.kind == "agency",
                Observation.metric_id == csat_id,
                Observation.period_start == latest_quarter,
                Observation.segment_type == "",
                Observation.raw_value.is_(None),
            )
        ).all()
        assert lapsed, "no agency has an unreported latest quarter"

        # Small survey samples exist, and a survey result has its responses and rate.
        small = _count(
            session,
            Observation,
            Observation.metric_id == csat_id,
            Observation.denominator < settings.small_sample_threshold,
        )
        assert small >= 1
        survey = session.scalars(
            select(Observation).where(
                Observation.metric_id == csat_id, Observation.raw_value.is_not(None)
            )
        ).first()
        assert survey is not None and survey.response_rate is not None
        assert survey.raw_value == pytest.approx(survey.numerator / survey.denominator)

        # Segments by channel and by language.
        segments = set(
            session.execute(
                select(Observation.segment_type, Observation.segment_value).distinct()
            ).all()
        )
        assert {("language", "en"), ("language", "es"), ("channel", "email")} <= segments

        # Exactly one series break.
        assert _count(session, Observation, Observation.series_break.is_(True)) == 1

        # Exactly one revision, of a published figure, holding a different earlier value.
        revisions = session.scalars(select(ObservationRevision)).all()
        assert len(revisions) == summary.revisions == 1
        revised = session.get(Observation, revisions[0].observation_id)
        assert revised is not None and revised.visibility == PUBLISHED
        assert revisions[0].raw_value != revised.raw_value
        assert revisions[0].reason and revisions[0].revised_at is not None

        # -- drafts never look published -----------------------------------------------------
        drafts = session.scalars(select(Observation).where(Observation.visibility == DRAFT)).all()
        assert len(drafts) == summary.draft_observations >= 1
        assert all(o.published_at is None and DRAFT_MARKER in o.internal_note for o in drafts)
        assert (
            _count(
                session,
                Observation,
                Observation.visibility == PUBLISHED,
                Observation.internal_note.contains(DRAFT_MARKER),
            )
            == 0
        )
        assert (
            _count(
                session,
                Observation,
                Observation.visibility == PUBLISHED,
                Observation.published_at.is_(None),
            )
            == 0
        )

        # -- actions ---------------------------------------------------------------------------
        published_actions = session.scalars(
            select(Action).where(Action.visibility == PUBLISHED)
        ).all()
        assert len(published_actions) == summary.actions and 25 <= summary.actions <= 36
        assert {a.status for a in published_actions} == {"planned", "in_progress", "completed"}
        for action in published_actions:
            assert action.title_es and action.description_en and action.description_es
            assert action.metrics, action.title_en
            assert action.link and action.link.startswith("https://example.gov/")
            assert DRAFT_MARKER not in (action.internal_note or "")
            assert (action.status == "completed") == (action.completed_on is not None)
            assert (action.status == "planned") == (action.started_on > today)
        draft_actions = session.scalars(select(Action).where(Action.visibility == DRAFT)).all()
        assert len(draft_actions) == summary.draft_actions and 3 <= len(draft_actions) <= 4
        assert all(DRAFT_MARKER in (a.internal_note or "") for a in draft_actions)

        # -- targets -----------------------------------------------------------------------
        targets = session.scalars(select(Target)).all()
        assert len(targets) == summary.targets
        baselines = [t for t in targets if t.kind == "baseline"]
        assert baselines
        assert all(
            (t.text_en, t.text_es) == ("Establish baseline", "Establecer línea de base")
            for t in baselines
        )
        assert any(t.kind == "text" and "≥10%" in (t.text_en or "") for t in targets)
        assert any(
            t.promise_en == "We acknowledge every email within one business day."
            and t.promise_es == "Acusamos recibo de cada correo electrónico en un día hábil."
            for t in targets
        )
        # A raised target: the old one ends the day before the new one starts.
        starts = {(t.unit_id, t.metric_id, t.effective_from) for t in targets}
        assert any(
            t.effective_to is not None
            and (t.unit_id, t.metric_id, t.effective_to + dt.timedelta(days=1)) in starts
            for t in targets
            if t.kind == "numeric"
        )

        # -- contact points and closures ------------------------------------------------------
        assert _count(session, ContactPoint) == summary.contact_points
        for agency in session.scalars(select(Unit).where(Unit.kind == "agency")):
            points = session.scalars(
                select(ContactPoint).where(ContactPoint.unit_id == agency.id)
            ).all()
            channels = {point.channel for point in points}
            assert {"phone", "walk_in", "mail", "web_form", "email"} <= channels, agency.slug
            assert all(point.label_es for point in points)
            phone = next(point for point in points if point.channel == "phone")
            assert "555-01" in phone.value and phone.hours_en and phone.hours_es
            walk_in = next(point for point in points if point.channel == "walk_in")
            assert walk_in.address and walk_in.appointment_en and walk_in.appointment_es
        closures = session.scalars(select(Closure)).all()
        assert len(closures) == summary.closures
        assert any(closure.starts_on > today for closure in closures)
        assert all(closure.reason_es for closure in closures)

    # -- a second run refuses, and replace=True starts again from nothing --------------------
    with pytest.raises(DemoError, match="already holds"):
        generate_demo(db_url, settings)
    with db.session_scope(db_url) as session:
        assert _count(session, Observation) == summary.observations
    before = _observation_rows(db_url)
    again = generate_demo(db_url, settings, replace=True)
    assert replace(again, seconds=0) == replace(summary, seconds=0)
    assert _observation_rows(db_url) == before


def test_same_seed_writes_the_same_data(sqlite_url: str, tmp_path) -> None:
    second_url = f"sqlite:///{tmp_path / 'second.sqlite3'}"
    Base.metadata.create_all(db.get_engine(second_url))
    third_url = f"sqlite:///{tmp_path / 'third.sqlite3'}"
    Base.metadata.create_all(db.get_engine(third_url))
    try:
        generate_demo(sqlite_url, Settings(database_url=sqlite_url, demo_seed=7))
        generate_demo(second_url, Settings(database_url=second_url, demo_seed=7))
        generate_demo(third_url, Settings(database_url=third_url, demo_seed=8))
        first = _observation_rows(sqlite_url)
        assert first == _observation_rows(second_url)
        # A different seed gives different figures (so the comparison above means something).
        assert first != _observation_rows(third_url)
    finally:
        db.get_engine(second_url).dispose()
        db.get_engine(third_url).dispose()


def test_default_today_is_the_end_of_the_last_complete_quarter() -> None:
    assert default_today(FiscalCalendar(start_month=10)) == dt.date(2026, 9, 30)
    assert default_today(FiscalCalendar(start_month=7, label_style="state")) == dt.date(2026, 9, 30)
    # Quarters Feb-Apr, May-Jul, Aug-Oct: the quarter holding 30 September is not complete.
    assert default_today(FiscalCalendar(start_month=2, label_style="state")) == dt.date(2026, 7, 31)


def test_a_state_fiscal_calendar_moves_the_demo_years(sqlite_url: str) -> None:
    settings = Settings(
        database_url=sqlite_url, fiscal_year_start_month=7, fiscal_year_label_style="state"
    )
    summary = generate_demo(sqlite_url, settings, today=dt.date(2026, 2, 15))
    assert (summary.first_fiscal_year, summary.last_fiscal_year) == (2022, 2026)
    with db.session_scope(sqlite_url) as session:
        first_quarter = session.scalar(
            select(func.min(Observation.period_start)).where(Observation.granularity == "quarter")
        )
        latest_published = session.scalar(
            select(func.max(Observation.period_end)).where(Observation.visibility == PUBLISHED)
        )
    assert first_quarter == dt.date(2021, 7, 1)
    # January 2026 is the draft month; nothing at or after it is published.
    assert latest_published == dt.date(2025, 12, 31)


def test_the_demo_keeps_its_import_files_when_asked(sqlite_url: str, tmp_path) -> None:
    """The demo goes through the importers: its files are the documented formats."""
    from data.mapping import LONG_FORMAT_COLUMNS

    folder = tmp_path / "demo-files"
    summary = generate_demo(sqlite_url, Settings(database_url=sqlite_url), files=folder)
    names = sorted(path.name for path in folder.iterdir())
    assert names == [
        "actions-proposed.csv", "actions.csv", "closures.csv", "contact_points.csv",
        "feedback.csv", "metrics-feedback.csv", "metrics.csv", "results-1-published.csv",
        "results-2-revised.csv", "results-3-published.csv", "results-4-drafts.csv",
        "results-5-complaints.csv", "targets-complaints.csv", "targets-proposed.csv",
        "targets.csv", "units.csv",
    ]  # fmt: skip
    results = sorted(folder.glob("results-*.csv"))
    rows = 0
    for path in results:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert set(lines[0].split(",")) <= set(LONG_FORMAT_COLUMNS), path.name
        rows += len(lines) - 1
    # Every observation came from a file; the revised one is in two (first wrong, then right).
    # The page_helpful figures come from the answers in feedback.csv (cxdash feedback-figures).
    with (folder / "feedback.csv").open(encoding="utf-8", newline="") as handle:
        helpful = helpful_figure_count(list(csv.DictReader(handle)))
    assert helpful > 0
    assert rows + helpful == summary.observations + summary.revisions
    with db.session_scope(sqlite_url) as session:
        assert _count(session, Observation) == summary.observations
