"""The DCAT-US 1.1 catalogue of the open data (``/data.json``), as data.gov harvests it.

One dataset per published agency (its customer-service results: observations, targets and
actions, filtered to it) and one for the whole catalogue (the download-all ZIP), each with
its distributions (CSV files and the JSON API) and the data dictionary as ``describedBy``.
Built from published data only: the agencies, their metrics' names (keywords), their last
publication (``modified``) and their published e-mail contact come from the gateway, which
never reads a draft. The caller caches it per data version.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from dashboard.core import languages
from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.open_data.files import license_info, source_text
from dashboard.open_data.resources import (
    ACTIONS,
    API_PREFIX,
    DICTIONARY_PATH,
    DOCS_PAGE_PATH,
    OBSERVATIONS,
    TARGETS,
    ZIP_PATH,
)

CATALOG_PATH = "/data.json"
CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"
DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"

#: The fields DCAT-US 1.1 requires of every dataset (non-federal catalogues).
REQUIRED_DATASET_FIELDS = (
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
)


def _iso(moment: dt.date | dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        moment = moment.date()
    return moment.isoformat()


def _name(record: dict[str, Any]) -> str:
    return languages.record_text(record, "name", "en") or str(record.get("slug") or "")


def build_catalog(settings: Settings, base_url: str) -> dict[str, Any]:
    """The ``data.json`` document (DCAT-US 1.1) of the published open data."""
    url = settings.database_url
    status = queries.data_status(url)
    units = queries.units(url)
    enterprise = next((unit for unit in units if unit["kind"] == "enterprise"), None)
    agencies = [unit for unit in units if unit["kind"] == "agency"]
    publisher_name = (
        _name(enterprise) if enterprise else getattr(settings, "government_name", "")
    ) or settings.site_name
    publisher = {"@type": "org:Organization", "name": publisher_name}
    metrics = {metric["code"]: metric for metric in queries.metrics(url)}
    measured: dict[int, set[str]] = defaultdict(set)
    for unit_id, code, _granularity in queries.published_series_keys(
        url, unit_ids=[agency["id"] for agency in agencies]
    ):
        measured[unit_id].add(code)
    emails = _emails(url, [agency["id"] for agency in agencies])
    enterprise_email = (
        _emails(url, [enterprise["id"]]).get(enterprise["id"]) if enterprise else None
    )
    licence = license_info(settings.open_data_license)
    modified = _iso(status.last_updated) or _iso(status.as_of) or dt.date.today().isoformat()
    dictionary = {
        "describedBy": base_url + DICTIONARY_PATH + ".csv",
        "describedByType": "text/csv",
    }
    common = {
        "accessLevel": "public",
        "landingPage": base_url + DOCS_PAGE_PATH,
        "language": list(settings.languages),
        "accrualPeriodicity": "R/P3M",
        **({"license": licence["url"]} if licence["url"] else {}),
        **dictionary,
    }

    # Required by DCAT-US: the catalogue's own contact is the first agency e-mail when the
    # enterprise publishes none of its own (every dataset then still names a mailbox).
    fallback = enterprise_email or next(iter(emails.values()), None)

    def contact(email: str | None, name: str) -> dict[str, Any]:
        point: dict[str, Any] = {"@type": "vcard:Contact", "fn": name}
        chosen = email or fallback
        if chosen:
            point["hasEmail"] = f"mailto:{chosen}"
        return point

    datasets: list[dict[str, Any]] = [
        {
            "@type": "dcat:Dataset",
            "title": f"{settings.site_name}: customer-service results of every agency",
            "description": source_text(settings),
            "keyword": ["customer service", "performance", "open data"],
            "modified": modified,
            "publisher": publisher,
            "contactPoint": contact(None, publisher_name),
            "identifier": base_url + ZIP_PATH,
            **common,
            "distribution": [
                {
                    "@type": "dcat:Distribution",
                    "title": "Every published table (CSV files in a ZIP)",
                    "downloadURL": base_url + ZIP_PATH,
                    "mediaType": "application/zip",
                    "format": "ZIP",
                },
                {
                    "@type": "dcat:Distribution",
                    "title": "Open data API (JSON)",
                    "accessURL": base_url + API_PREFIX,
                    "mediaType": "application/json",
                    "format": "API",
                },
                _dictionary_distribution(base_url),
            ],
        }
    ]
    for agency in agencies:
        name = _name(agency)
        slug = agency["slug"]
        codes = sorted(measured.get(agency["id"], set()) & set(metrics))
        keywords = ["customer service", name, *(_name(metrics[code]) for code in codes)]
        updated = queries.agency_last_updated(url, slug)
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "title": f"{name}: customer-service results",
                "description": (
                    f"Customer-service results published by {name}: each measure by period "
                    "(with its number of responses or volume, and whether it met the target "
                    "in force), its targets, and the actions it is taking to improve."
                ),
                "keyword": list(dict.fromkeys(keywords)),
                "modified": _iso(updated) or modified,
                "publisher": {
                    "@type": "org:Organization",
                    "name": name,
                    "subOrganizationOf": publisher,
                },
                "contactPoint": contact(emails.get(agency["id"]), name),
                "identifier": f"{base_url}/agency/{slug}",
                **common,
                "landingPage": f"{base_url}/agency/{slug}",
                "distribution": [
                    *(
                        {
                            "@type": "dcat:Distribution",
                            "title": f"{resource.title_en} (CSV)",
                            "downloadURL": f"{base_url}{resource.csv_path}?unit={slug}",
                            "mediaType": "text/csv",
                            "format": "CSV",
                        }
                        for resource in (OBSERVATIONS, TARGETS, ACTIONS)
                    ),
                    {
                        "@type": "dcat:Distribution",
                        "title": f"{OBSERVATIONS.title_en} (JSON API)",
                        "accessURL": f"{base_url}{OBSERVATIONS.path}?unit={slug}",
                        "mediaType": "application/json",
                        "format": "API",
                    },
                    _dictionary_distribution(base_url),
                ],
            }
        )
    return {
        "@context": CONTEXT,
        "@id": base_url + CATALOG_PATH,
        "@type": "dcat:Catalog",
        "conformsTo": CONFORMS_TO,
        "describedBy": DESCRIBED_BY,
        "dataset": datasets,
    }


def _dictionary_distribution(base_url: str) -> dict[str, Any]:
    return {
        "@type": "dcat:Distribution",
        "title": "Data dictionary (CSV)",
        "downloadURL": base_url + DICTIONARY_PATH + ".csv",
        "mediaType": "text/csv",
        "format": "CSV",
    }


def _emails(database_url: str, unit_ids: list[int]) -> dict[int, str]:
    """Each unit's first published e-mail contact point."""
    found: dict[int, str] = {}
    if not unit_ids:
        return found
    for point in queries.contact_points(database_url, unit_ids):
        value = (point.get("value") or "").strip()
        if point.get("channel") == "email" and value and point["unit_id"] not in found:
            found[point["unit_id"]] = value.removeprefix("mailto:")
    return found
