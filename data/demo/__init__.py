"""``cxdash demo``: fill an empty store with a realistic, deterministic government.

The demo government (``data.demo_content``) has an enterprise, 12 agencies and 42 services.
Five fiscal years of results come out of a small simulation (:mod:`data.demo.simulation`)
rather than a table of figures.

It also plants what an honest dashboard must handle: "not reported" values (NULL, never
zero) and periods with no row at all, an agency whose latest quarter is not reported, small
samples, targets that change over time or are not numbers ("Establish baseline", "≥10%
improvement"), one series break, one revised figure with its earlier value, and drafts
(observations and actions) whose internal notes carry :data:`DRAFT_MARKER`.

The demo goes through the importers, as an agency would: its content and results are
written as files in the documented formats (docs/import-format.md,
docs/import-content.md; :mod:`data.demo.files`) and loaded with the functions the
``cxdash import*`` commands call, in a dozen runs (:mod:`data.demo.loading`). So the demo is
also a test of the import path, and ``cxdash demo --keep-files DIR`` leaves the files as
examples.

Everything derives from ``settings.demo_seed`` and a fixed "today" (never the wall clock),
so the same seed always writes the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from data import demo_content as content
from data.demo import content_rows, feedback
from data.demo.feedback import helpful_figure_count
from data.demo.files import FileWriter, Translations
from data.demo.loading import DemoRows, folder, make_room, run_imports, store_is_empty, write_files
from data.demo.simulation import ObservationRows, simulate_agency, simulate_enterprise
from data.demo.targets import target_rows
from data.demo.timeline import (
    DRAFT_MARKER,
    DemoError,
    Effects,
    Timeline,
    action_timings,
    default_today,
)

Progress = Callable[[int, int], None]

#: Where the demo's texts in languages beyond English and Spanish live: ``<language>.json``,
#: an object {English text: translation}. Adding a language to the demo's content is adding
#: a file there (and the language to ``LANGUAGES``).
TRANSLATIONS_DIR = Path(__file__).parent / "translations"


def demo_translations(directory: Path = TRANSLATIONS_DIR) -> dict[str, dict[str, str]]:
    """The demo's content translations by language, read from ``directory``."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` wrote. ``actions`` counts published actions only."""

    today: dt.date
    first_fiscal_year: int
    last_fiscal_year: int
    units: int
    agencies: int
    services: int
    metrics: int
    observations: int
    draft_observations: int
    not_reported: int
    small_samples: int
    targets: int
    actions: int
    draft_actions: int
    contact_points: int
    closures: int
    revisions: int
    seconds: float

    def text(self) -> str:
        return (
            f"Demo data for FY{self.first_fiscal_year}-FY{self.last_fiscal_year} "
            f"(data as of {self.today}) written in {self.seconds:.1f} s:\n"
            f"  {self.agencies} agencies, {self.services} services, {self.metrics} metrics\n"
            f"  {self.observations} observations ({self.draft_observations} drafts, "
            f"{self.not_reported} not reported, {self.small_samples} small samples, "
            f"{self.revisions} revised)\n"
            f"  {self.targets} targets, {self.actions} published actions "
            f"(+{self.draft_actions} drafts), {self.contact_points} contact points, "
            f"{self.closures} closures"
        )


def simulate(
    timeline: Timeline, settings: Settings, step: Callable[[], None] = lambda: None
) -> DemoRows:
    """Every row the demo imports (no store needed); ``step()`` after each agency."""
    rng = random.Random(settings.demo_seed)
    timings = action_timings(rng, timeline)
    effects = Effects(timings)
    observations = ObservationRows(timeline, settings.small_sample_threshold)
    for agency in content.AGENCIES:
        simulate_agency(agency, timeline, rng, effects, observations, settings)
        step()
    simulate_enterprise(timeline, rng, observations)
    points, closures = content_rows.contact_rows(timeline, settings)
    # A generator of its own, so that the rest of the demo is the same with or without it.
    feedback_rng = random.Random(f"{settings.demo_seed}:feedback")
    return DemoRows(
        units=content_rows.unit_rows(),
        metrics=content_rows.metric_rows(),
        targets=target_rows(timeline, observations),
        observations=observations,
        actions=content_rows.action_rows(timings),
        contact_points=points,
        closures=closures,
        feedback=feedback.feedback_rows(timeline, feedback_rng),
        complaint_metrics=[feedback.helpful_metric_row(), *feedback.complaint_metric_rows()],
        complaint_targets=feedback.complaint_target_rows(timeline),
        complaints=feedback.complaint_rows(timeline, feedback_rng),
    )


def generate_demo(
    database_url: str,
    settings: Settings,
    *,
    progress: Progress | None = None,
    today: dt.date | None = None,
    replace: bool = False,
    files: Path | None = None,
    translations: Translations | None = None,
) -> DemoSummary:
    """Write the demo government into the store at ``database_url``, through the importers.

    Refuses (:class:`DemoError`) when the store already holds data, unless ``replace`` is
    true, in which case EVERYTHING in the store is deleted first. The demo's files are
    written to ``files`` (a folder, created when missing, kept so they can be read) or to a
    temporary folder, then imported one after the other, each import in its own
    transaction; if any fails, the store is emptied again (never left half-filled) and
    :class:`DemoError` says which file and why. ``progress(done, total)`` is called as the
    work advances (once per agency simulated, then once per file imported).
    ``translations`` adds languages to the content files (default: the files in
    :data:`TRANSLATIONS_DIR`); only the deployment's ``settings.languages`` are written.
    """
    started = time.perf_counter()
    fiscal = FiscalCalendar.from_settings(settings)
    timeline = Timeline.build(fiscal, today or default_today(fiscal))
    report: Progress = progress or (lambda _done, _total: None)
    make_room(database_url, replace)

    done = 0
    total = len(content.AGENCIES) + 1

    def step() -> None:
        nonlocal done
        done += 1
        report(done, total)

    report(0, total)
    rows = simulate(timeline, settings, step)
    with folder(files) as where:
        out = FileWriter(
            where,
            demo_translations() if translations is None else translations,
            configured=settings.languages,
        )
        imports = write_files(out, timeline, rows)
        total = done + len(imports)
        report(done, total)
        run_imports(database_url, settings, imports, step)

    observations = rows.observations
    return DemoSummary(
        today=timeline.today,
        first_fiscal_year=timeline.first_year,
        last_fiscal_year=timeline.last_year,
        units=len(rows.units),
        agencies=len(content.AGENCIES),
        services=sum(len(agency.services) for agency in content.AGENCIES),
        metrics=len(rows.metrics) + len(rows.complaint_metrics),
        observations=(
            observations.written + len(rows.complaints) + helpful_figure_count(rows.feedback)
        ),
        draft_observations=len(observations.drafts),
        not_reported=observations.not_reported,
        small_samples=observations.small_samples,
        targets=len(rows.targets) + len(rows.complaint_targets),
        actions=sum(1 for action in rows.actions if not action["internal_note"]),
        draft_actions=sum(1 for action in rows.actions if action["internal_note"]),
        contact_points=len(rows.contact_points),
        closures=len(rows.closures),
        revisions=1,
        seconds=round(time.perf_counter() - started, 2),
    )


__all__ = [
    "DRAFT_MARKER",
    "TRANSLATIONS_DIR",
    "DemoError",
    "DemoSummary",
    "default_today",
    "demo_translations",
    "generate_demo",
    "store_is_empty",
]
