"""The ``cxdash import`` and ``cxdash import-contacts`` commands (wired into dashboard.web.cli).

Both read the settings from the environment, show a progress bar on stderr for long files,
print the report (text or JSON) on stdout, and exit with status 1 when the file had any
problem (then nothing was written).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from dashboard.core import languages
from dashboard.core.settings import Settings, SettingsError
from data.report import ImportReport

#: Files with fewer work items than this finish too fast to need a progress bar.
PROGRESS_THRESHOLD = 20_000

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def load_settings() -> Settings:
    """The settings from the environment (a bad value is a usage error, not a traceback), with
    the deployment's languages configured for what follows."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        raise click.UsageError(str(error)) from None
    # The languages imported text may be in (``<field>_<language>`` columns).
    languages.configure_from_settings(settings)
    return settings


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr that appears only once the work is known to be long."""
    state: dict[str, Any] = {"bar": None, "done": 0}

    def progress(done: int, total: int) -> None:
        bar = state["bar"]
        if bar is None:
            if total < PROGRESS_THRESHOLD:
                return
            bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            bar.__enter__()
            state["bar"] = bar
        bar.length = max(total, 1)
        bar.update(max(done - state["done"], 0))
        state["done"] = done

    try:
        yield progress
    finally:
        bar = state["bar"]
        if bar is not None:
            bar.__exit__(None, None, None)


def run_guarded(
    database_url: str,
    file: Path,
    kind: str,
    *,
    dry_run: bool,
    publish: bool,
    run: Callable[[], ImportReport],
) -> ImportReport:
    """``run()``, with any database error it lets through turned into the documented report.

    The importers report database errors themselves (data.store.import_transaction,
    commit_import); this is the last net, for errors before their write transaction (the
    server gone while the catalogue is read): a report with the problem, and a failed run
    recorded when the store can still be written. Never a traceback.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from data.readers import file_checksum
    from data.store import database_problem, record_failure

    try:
        return run()
    except SQLAlchemyError as error:
        report = ImportReport(file=file.name, kind=kind, dry_run=dry_run, publish=publish)
        try:
            report.checksum = file_checksum(file.read_bytes())
        except OSError:
            report.checksum = None
        database_problem(report, error)
        record_failure(database_url, report, None)
        return report


def _finish(report: ImportReport, output_format: str) -> None:
    click.echo(report.to_json() if output_format == "json" else report.to_text())
    if not report.ok:
        sys.exit(1)


_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the report.",
)
_DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="Check everything and report; write nothing."
)
_PUBLISH = click.option(
    "--publish",
    is_flag=True,
    help="Publish the imported values (otherwise new values are drafts). Needed to change "
    "a published value; the earlier value is kept as a revision.",
)


@click.command("import")
@click.argument("file", type=_FILE)
@click.option(
    "--mapping",
    "mapping_path",
    type=_FILE,
    default=None,
    help="TOML mapping for files not in the cxdash long format (see docs/mappings.md).",
)
@_DRY_RUN
@_PUBLISH
@_FORMAT
def import_command(
    file: Path, mapping_path: Path | None, dry_run: bool, publish: bool, output_format: str
) -> None:
    """Import results from FILE (CSV or XLSX): all rows or, on any problem, none."""
    from data.loaders import import_observations

    settings = load_settings()
    with _progress(f"Importing {file.name}") as progress:
        report = run_guarded(
            settings.database_url,
            file,
            "observations",
            dry_run=dry_run,
            publish=publish,
            run=lambda: import_observations(
                settings.database_url,
                file,
                settings=settings,
                mapping_path=mapping_path,
                dry_run=dry_run,
                publish=publish,
                progress=progress,
            ),
        )
    _finish(report, output_format)


@click.command("import-contacts")
@click.argument("file", type=_FILE)
@_DRY_RUN
@_PUBLISH
@_FORMAT
def import_contacts_command(file: Path, dry_run: bool, publish: bool, output_format: str) -> None:
    """Turn raw contact records in FILE into responsiveness results per unit and month."""
    from data.contacts import import_contacts

    settings = load_settings()
    with _progress(f"Importing contacts from {file.name}") as progress:
        report = run_guarded(
            settings.database_url,
            file,
            "contacts",
            dry_run=dry_run,
            publish=publish,
            run=lambda: import_contacts(
                settings.database_url,
                file,
                settings=settings,
                dry_run=dry_run,
                publish=publish,
                progress=progress,
            ),
        )
    _finish(report, output_format)


@click.command("import-targets")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.option(
    "--publish",
    is_flag=True,
    help="Publish the targets (otherwise they are drafts). A different target for a start "
    "that already has a published one corrects it; the earlier one is kept as history.",
)
@_FORMAT
def import_targets_command(file: Path, dry_run: bool, publish: bool, output_format: str) -> None:
    """Import posted service levels and promises (targets with their dates) from FILE."""
    from data.targets_import import import_targets

    settings = load_settings()
    with _progress(f"Importing targets from {file.name}") as progress:
        report = run_guarded(
            settings.database_url,
            file,
            "targets",
            dry_run=dry_run,
            publish=publish,
            run=lambda: import_targets(
                settings.database_url,
                file,
                dry_run=dry_run,
                publish=publish,
                progress=progress,
            ),
        )
    _finish(report, output_format)
