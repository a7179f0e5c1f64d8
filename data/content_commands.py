"""The content import commands: ``cxdash import-units``, ``import-metrics``,
``import-actions``, ``import-contact-points`` and ``import-closures`` (wired into
dashboard.web.cli). Like ``cxdash import``: all rows or none, drafts unless ``--publish``,
the report (text or JSON) on stdout, exit status 1 when the file had any problem.
"""

from __future__ import annotations

from pathlib import Path

import click

from data.commands import _DRY_RUN, _FILE, _FORMAT, _finish, _progress, load_settings, run_guarded

_PUBLISH = click.option(
    "--publish",
    is_flag=True,
    help="Publish the imported rows, and the draft units and metrics they use (otherwise "
    "new rows are drafts). Needed to change a published row.",
)

_HELP = {
    "units": "Import the enterprise, agencies and services from FILE (key: slug).",
    "metrics": "Import the metric catalogue from FILE (key: code), headline measures included.",
    "actions": "Import actions taken to improve from FILE (key: agency/service and id).",
    "contact-points": "Import contact points and opening hours from FILE (key: unit and id).",
    "closures": "Import scheduled closures from FILE (key: unit and id).",
}


def _content_command(name: str) -> click.Command:
    @click.command(f"import-{name}", help=_HELP[name] + " CSV or XLSX; all rows or none.")
    @click.argument("file", type=_FILE)
    @_DRY_RUN
    @_PUBLISH
    @_FORMAT
    def command(file: Path, dry_run: bool, publish: bool, output_format: str) -> None:
        from data.content import import_file

        settings = load_settings()
        click.echo(f"Importing {name.replace('-', ' ')} from {file.name}…", err=True)
        with _progress(f"Importing {file.name}") as progress:
            # The importers report database errors themselves; run_guarded is the last net
            # (the server gone before their write transaction), never a traceback.
            report = run_guarded(
                settings.database_url,
                file,
                name.replace("-", "_"),
                dry_run=dry_run,
                publish=publish,
                run=lambda: import_file(
                    settings.database_url,
                    file,
                    name,
                    dry_run=dry_run,
                    publish=publish,
                    progress=progress,
                ),
            )
        _finish(report, output_format)

    return command


import_units_command = _content_command("units")
import_metrics_command = _content_command("metrics")
import_actions_command = _content_command("actions")
import_contact_points_command = _content_command("contact-points")
import_closures_command = _content_command("closures")

CONTENT_COMMANDS = (
    import_units_command,
    import_metrics_command,
    import_actions_command,
    import_contact_points_command,
    import_closures_command,
)
