"""Importing what the pages show besides results: units, the metric catalogue, actions taken,
contact points (with opening hours) and closures. One module per kind; the shared reading,
checking, publication and transaction rules are in :mod:`data.content.common`, the cell
parsers in :mod:`data.content.parsing`. Documented in docs/import-content.md.
"""

from __future__ import annotations

from pathlib import Path

from data.content.actions import ActionImporter
from data.content.closures import ClosureImporter
from data.content.common import ContentImporter, ContentReport, Progress, import_content
from data.content.contact_points import ContactPointImporter
from data.content.metrics import MetricImporter
from data.content.units import UnitImporter

#: ``cxdash import-<name>`` -> the importer of that kind of file.
IMPORTERS: dict[str, type[ContentImporter]] = {
    "units": UnitImporter,
    "metrics": MetricImporter,
    "actions": ActionImporter,
    "contact-points": ContactPointImporter,
    "closures": ClosureImporter,
}


def import_file(
    database_url: str,
    path: Path,
    name: str,
    *,
    dry_run: bool = False,
    publish: bool = False,
    progress: Progress | None = None,
) -> ContentReport:
    """Import a content file of kind ``name`` (a key of :data:`IMPORTERS`)."""
    return import_content(
        database_url,
        path,
        IMPORTERS[name],
        dry_run=dry_run,
        publish=publish,
        progress=progress,
    )


__all__ = ["IMPORTERS", "ContentReport", "import_file"]
