"""Loading the demo's files with the importers ``cxdash import*`` uses, in as few runs as
the story needs.

The story, in import runs (each stamped with :func:`dashboard.infra.models.frozen_clock` at the
time it happens):

1. at the start of the first demo year: the units, the metric catalogue and the published
   targets;
2. the results published up to the month whose service level was published wrong, at that
   month's publication (``results-1-published.csv``);
3. the correction of that figure, weeks later, with ``publish`` (``results-2-revised.csv``):
   the importer keeps the wrong figure as the revision;
4. every later result, at "today" (``results-3-published.csv``);
5. the draft month, without ``publish`` (``results-4-drafts.csv``);
6. the proposed (draft) targets and actions, the published actions, the contact points and
   the closures.

A published figure is stamped with the time of the run that published it, so results carry
the time of their batch rather than one time per period.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from dashboard.core.settings import Settings
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    DRAFT,
    Action,
    Closure,
    ContactPoint,
    FeedbackResponse,
    ImportRun,
    Metric,
    Observation,
    ObservationRevision,
    PendingRevision,
    Publication,
    ReviewNote,
    Target,
    Unit,
    action_metrics,
    frozen_clock,
)
from data.demo import files
from data.demo.files import FileWriter
from data.demo.simulation import ObservationRows, Revision
from data.demo.timeline import DemoError, Row, Timeline, at_hour
from data.report import ImportReport


@dataclass(frozen=True)
class Import:
    """One file to import, the way ``cxdash import*`` would, at the time ``at``."""

    kind: str  # "units", "metrics", "targets", "observations", "actions", ...
    path: Path
    publish: bool
    at: dt.datetime

    def run(self, database_url: str, settings: Settings) -> ImportReport:
        with frozen_clock(self.at):
            result = self._import(database_url, settings)
        if not result.ok:
            problems = "; ".join(
                f"row {p.row}, column {p.column!r}, value {p.value!r}: {p.reason}"
                for p in result.problems[:5]
            )
            raise DemoError(f"the demo's {self.path.name} did not import: {problems}")
        return result

    def _import(self, database_url: str, settings: Settings) -> ImportReport:
        if self.kind == "observations":
            from data.loaders import import_observations

            return import_observations(
                database_url, self.path, settings=settings, publish=self.publish
            )
        if self.kind == "feedback":
            from data.demo.feedback import load_feedback

            return load_feedback(database_url, self.path, settings)
        if self.kind == "targets":
            from data.targets_import import import_targets

            return import_targets(database_url, self.path, publish=self.publish)
        from data.content import import_file

        return import_file(database_url, self.path, self.kind, publish=self.publish)


@dataclass(frozen=True)
class DemoRows:
    """Everything the demo imports, as rows of the documented files."""

    units: list[Row]
    metrics: list[Row]
    targets: list[Row]
    observations: ObservationRows
    actions: list[Row]
    contact_points: list[Row]
    closures: list[Row]
    #: Issue 14 (:mod:`data.demo.feedback`): answers to "Did this page help you?", and the
    #: complaint and compliment figures with their metrics and posted service levels.
    feedback: list[Row] = field(default_factory=list)
    complaint_metrics: list[Row] = field(default_factory=list)
    complaint_targets: list[Row] = field(default_factory=list)
    complaints: list[Row] = field(default_factory=list)


@contextmanager
def folder(keep: Path | None) -> Iterator[Path]:
    """``keep`` (created when missing), or a temporary folder removed afterwards."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="cxdash-demo-") as name:
        yield Path(name)


def _split(rows: list[Row], draft: Callable[[Row], bool]) -> tuple[list[Row], list[Row]]:
    return [r for r in rows if not draft(r)], [r for r in rows if draft(r)]


def _result_files(
    out: FileWriter, timeline: Timeline, observations: ObservationRows
) -> list[Import]:
    revision: Revision | None = observations.revision
    if revision is None:
        raise DemoError("the demo's revised figure falls outside the demo months")
    first = [row for stamp, row in observations.published if stamp <= revision.first_published]
    later = [row for stamp, row in observations.published if stamp > revision.first_published]
    published_last = max(stamp for stamp, _ in observations.published)
    write = out.write
    imports = [
        Import(
            "observations",
            write("results-1-published.csv", files.OBSERVATIONS, first),
            True,
            revision.first_published,
        ),
        Import(
            "observations",
            write("results-2-revised.csv", files.OBSERVATIONS, [revision.row]),
            True,
            revision.revised_at,
        ),
    ]
    if later:
        imports.append(
            Import(
                "observations",
                write("results-3-published.csv", files.OBSERVATIONS, later),
                True,
                published_last,
            )
        )
    drafts_at = max(published_last, at_hour(timeline.today, 16))
    path = write("results-4-drafts.csv", files.OBSERVATIONS, observations.drafts)
    imports.append(Import("observations", path, False, drafts_at))
    return imports


def write_files(out: FileWriter, timeline: Timeline, rows: DemoRows) -> list[Import]:
    """Every demo file, written by ``out``; returns the imports in the order to run them."""
    setup = at_hour(timeline.start, 9)
    later = at_hour(timeline.today, 16)
    published_targets, draft_targets = _split(rows.targets, lambda r: r["visibility"] == DRAFT)
    published_actions, draft_actions = _split(rows.actions, lambda r: bool(r["internal_note"]))
    write = out.write
    return [
        Import("units", write("units.csv", files.UNITS, rows.units), True, setup),
        Import("metrics", write("metrics.csv", files.METRICS, rows.metrics), True, setup),
        Import("targets", write("targets.csv", files.TARGETS, published_targets), True, setup),
        *_result_files(out, timeline, rows.observations),
        Import(
            "targets",
            write("targets-proposed.csv", files.TARGETS, draft_targets),
            False,
            later,
        ),
        Import("actions", write("actions.csv", files.ACTIONS, published_actions), True, later),
        Import(
            "actions",
            write("actions-proposed.csv", files.ACTIONS, draft_actions),
            False,
            later,
        ),
        Import(
            "contact-points",
            write("contact_points.csv", files.CONTACT_POINTS, rows.contact_points),
            True,
            later,
        ),
        Import("closures", write("closures.csv", files.CLOSURES, rows.closures), True, later),
        *_feedback_files(out, rows, setup, later),
    ]


def _feedback_files(
    out: FileWriter, rows: DemoRows, setup: dt.datetime, later: dt.datetime
) -> list[Import]:
    """Complaint figures (metrics and posted service levels first), then the page feedback
    and its published figures (:mod:`data.demo.feedback`)."""
    from data.demo.feedback import write_feedback

    write = out.write
    if not rows.feedback and not rows.complaints:
        return []
    return [
        Import(
            "metrics",
            write("metrics-feedback.csv", files.METRICS, rows.complaint_metrics),
            True,
            setup,
        ),
        Import(
            "targets",
            write("targets-complaints.csv", files.TARGETS, rows.complaint_targets),
            True,
            setup,
        ),
        Import(
            "observations",
            write("results-5-complaints.csv", files.OBSERVATIONS, rows.complaints),
            True,
            later,
        ),
        Import("feedback", write_feedback(out.folder / "feedback.csv", rows.feedback), True, later),
    ]


# -- the store -------------------------------------------------------------------------------


def _held(session: Session) -> dict[str, int]:
    return {
        "units": session.scalar(select(func.count(Unit.id))) or 0,
        "metrics": session.scalar(select(func.count(Metric.id))) or 0,
        "observations": session.scalar(select(func.count(Observation.id))) or 0,
    }


def store_is_empty(database_url: str) -> bool:
    """True when the store holds no units, metrics or observations."""
    with session_scope(database_url) as session:
        return not any(_held(session).values())


def make_room(database_url: str, replace: bool) -> None:
    """Refuse a store that holds data, or (``replace``) delete everything in it."""
    with session_scope(database_url) as session:
        counts = _held(session)
        if not any(counts.values()):
            return
        if not replace:
            held = ", ".join(f"{count} {name}" for name, count in counts.items() if count)
            raise DemoError(
                f"The store already holds data ({held}). The demo only fills an empty store; "
                "replace it (cxdash demo --replace) to DELETE ALL DATA and write the demo "
                "instead."
            )
        _empty(session)


def _empty(session: Session) -> None:
    session.execute(delete(action_metrics))
    # Publications and review notes name agencies and imports (the audit log names nothing
    # by key and is append-only: it stays).
    for history in (Publication, ReviewNote, PendingRevision):
        session.execute(delete(history))
    session.execute(delete(FeedbackResponse))
    for model in (Action, Closure, ContactPoint, ObservationRevision, Observation, Target):
        session.execute(delete(model))
    session.execute(delete(ImportRun))
    session.execute(delete(Metric))
    # Units refer to their parents: detach them all, then delete in one go.
    session.execute(update(Unit).values(parent_id=None))
    session.execute(delete(Unit))


def run_imports(
    database_url: str,
    settings: Settings,
    imports: list[Import],
    step: Callable[[], None],
) -> None:
    """Run ``imports`` in order; if one fails, empty the store again and re-raise."""
    try:
        for planned in imports:
            planned.run(database_url, settings)
            step()
    except BaseException:
        with session_scope(database_url) as session:
            _empty(session)
        raise
