"""Results files uploaded in the staff workspace (issue 10, part 2): saved as drafts.

The same importer as ``cxdash import`` (data.loaders.import_observations, with a
:class:`data.store.WorkspaceUpload`), all or nothing, with its problems (file, row, column,
value, reason) for the page to show as a table. What differs from the command line:

- every row must be about an agency the user may edit (``agency_scope``; None: all);
  a row about another agency is a problem naming its row, column and value;
- units and metrics must exist: a file naming a new agency, service or metric is refused
  (an admin creates them with ``cxdash import-units`` / ``import-metrics``), whatever the
  mapping's ``create_missing`` says;
- nothing is published: new figures are drafts, and a row that changes a *published*
  figure becomes a pending revision (the published value stays public until a publisher
  approves, data.publication.publish_agency); the file then needs a ``reason`` (public,
  shown beside the revised figure). A pending revision of the same figure is replaced; a
  file giving the published value again withdraws it;
- the run records the user (``ImportRun.user_id``), who is the drafts' author, and an
  "upload" audit entry is written with it ("upload_rejected" for a file with problems).
"""

from __future__ import annotations

import tomllib
from contextlib import suppress
from pathlib import Path

from dashboard.core.settings import Settings
from dashboard.infra.db import session_scope
from dashboard.infra.models import User
from data.loaders import Progress, import_observations
from data.report import ImportReport
from data.store import WorkspaceUpload

#: The mappings shipped with cxdash (docs/mappings.md).
MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"


def shipped_mappings() -> list[tuple[str, Path]]:
    """(human name, path) of every shipped mapping, by name: the page's choice of layouts."""
    found = []
    for path in sorted(MAPPINGS_DIR.glob("*.toml")):
        name = path.stem.replace("_", " ")
        with suppress(OSError, tomllib.TOMLDecodeError):
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            if isinstance(raw.get("name"), str) and raw["name"].strip():
                name = raw["name"].strip()
        found.append((name, path))
    return sorted(found, key=lambda item: item[0].casefold())


def upload_results(
    database_url: str,
    path: Path,
    *,
    settings: Settings,
    agency_scope: frozenset[int] | None,
    user_id: int,
    mapping_path: Path | None = None,
    reason: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> ImportReport:
    """Check (``dry_run``) or save a results file as drafts; see the module docstring.

    ``report.ok`` says whether it was (or would be) saved; ``report.problems`` lists every
    problem; ``report.inserted`` new drafts, ``report.revised`` drafts changed,
    ``report.pending_revisions`` changes to published figures, ``report.unchanged`` rows
    already stored as the file gives them. ``ip`` and ``user_agent`` go to the audit entry.
    """
    path = Path(path)
    workspace = WorkspaceUpload(
        agency_scope=agency_scope,
        user_id=user_id,
        reason=reason,
        ip=ip,
        user_agent=user_agent,
    )
    report = import_observations(
        database_url,
        path,
        settings=settings,
        mapping_path=mapping_path,
        dry_run=dry_run,
        publish=False,
        progress=progress,
        workspace=workspace,
    )
    if not report.ok and not dry_run:
        _audit_rejected(database_url, report, workspace)
    return report


def _audit_rejected(database_url: str, report: ImportReport, workspace: WorkspaceUpload) -> None:
    """The "upload_rejected" audit entry, in its own transaction (the upload wrote nothing)."""
    from data import audit

    first = report.problems[0].to_text() if report.problems else None
    try:
        with session_scope(database_url) as session:
            user = session.get(User, workspace.user_id)
            audit.record(
                session,
                "upload_rejected",
                user_id=workspace.user_id,
                username=user.username if user is not None else None,
                subject=f"upload of {report.file}",
                detail={
                    "file": report.file,
                    "import_id": report.import_id,
                    "problems": len(report.problems),
                    "first_problem": first,
                },
                ip=workspace.ip,
                user_agent=workspace.user_agent,
            )
    except Exception:  # the report holds the problems; the log entry is a courtesy
        report.notes.append("the rejected upload could not be recorded in the audit log")
