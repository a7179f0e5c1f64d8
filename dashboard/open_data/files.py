"""The files around the records: metadata, the catalogue, the data dictionary, the README and
the download-all ZIP.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.open_data.parameters import ResourceQuery
from dashboard.open_data.records import csv_text, fetch, json_value
from dashboard.open_data.resources import (
    API_PREFIX,
    API_VERSION,
    CURSOR_PARAMETER,
    DICTIONARY_PATH,
    DOCS_PAGE_PATH,
    FORMAT_PARAMETER,
    LICENSE_URLS,
    LIMIT_PARAMETER,
    OBSERVATIONS,
    OFFSET_PARAMETER,
    OPENAPI_PATH,
    RESOURCES,
    ZIP_PATH,
    Resource,
    dictionary,
    dictionary_languages,
)

# -- metadata ---------------------------------------------------------------------------------


def license_info(license_id: str) -> dict[str, str | None]:
    """The licence as OpenAPI and the metadata name it: an SPDX id and where to read it."""
    if license_id.startswith(("http://", "https://")):
        return {"id": None, "name": license_id, "url": license_id}
    return {"id": license_id, "name": license_id, "url": LICENSE_URLS.get(license_id)}


def source_text(settings: Settings) -> str:
    return (
        f"{settings.site_name}: customer-service results published by each agency. "
        "Published figures only; drafts and internal notes are never included."
    )


def metadata(
    status: queries.DataStatus,
    settings: Settings,
    *,
    base_url: str,
    resource: Resource,
    query: ResourceQuery,
    total: int,
    count: int,
    next_cursor: str | None = None,
) -> dict[str, Any]:
    """The ``meta`` object of a JSON page: how current, whose, which query, where next.

    On a :attr:`Resource.keyset` resource the next link carries ``next_cursor`` (None on the
    last page); elsewhere it is the next offset.
    """
    path = base_url + resource.path
    following = _following(query, total, next_cursor, keyset=resource.keyset)
    previous = _previous(query)
    paging: dict[str, Any] = (
        {CURSOR_PARAMETER: query.cursor}
        if query.cursor is not None
        else {OFFSET_PARAMETER: query.offset}
    )
    meta: dict[str, Any] = {
        "resource": resource.name,
        "description": resource.description_en,
        "data_as_of": json_value(status.as_of),
        "last_updated": json_value(status.last_updated),
        "data_version": status.version,
        "source": source_text(settings),
        "license": license_info(settings.open_data_license),
        "query": {
            **query.echo,
            LIMIT_PARAMETER: query.limit,
            **paging,
            FORMAT_PARAMETER: query.format,
        },
        "total": total,
        "count": count,
        "links": {
            "self": f"{path}?{query.query_string()}",
            "next": None if following is None else f"{path}?{following}",
            "previous": None if previous is None else f"{path}?{previous}",
            "csv": f"{base_url}{resource.csv_path}?{query.query_string()}",
            "documentation": base_url + DOCS_PAGE_PATH,
            "openapi": base_url + OPENAPI_PATH,
            "download_all": base_url + ZIP_PATH,
        },
    }
    if resource is OBSERVATIONS:
        meta["small_sample_threshold"] = settings.small_sample_threshold
        meta["small_sample_policy"] = settings.small_sample_policy
    return meta


def page_links(
    base_url: str,
    resource: Resource,
    query: ResourceQuery,
    total: int,
    next_cursor: str | None = None,
) -> dict[str, str]:
    """RFC 8288 ``Link`` relations of a CSV page (next, prev), for clients that follow them."""
    links: dict[str, str] = {}
    path = base_url + resource.csv_path
    following = _following(query, total, next_cursor, keyset=resource.keyset)
    if following is not None:
        links["next"] = f"{path}?{following}"
    previous = _previous(query)
    if previous is not None:
        links["prev"] = f"{path}?{previous}"
    return links


def _following(
    query: ResourceQuery, total: int, next_cursor: str | None, *, keyset: bool
) -> str | None:
    """The next page's query string, or None on the last page."""
    if keyset:
        return None if next_cursor is None else query.query_string(cursor=next_cursor)
    next_offset = query.offset + query.limit
    return query.query_string(next_offset) if next_offset < total else None


def _previous(query: ResourceQuery) -> str | None:
    """The page before's query string: by offset, so only on a page asked for by offset (a
    cursor leads forward only; the links of the pages before hold the way back)."""
    if query.cursor is not None or query.offset <= 0:
        return None
    return query.query_string(max(query.offset - query.limit, 0))


def catalog(status: queries.DataStatus, settings: Settings, base_url: str) -> dict[str, Any]:
    """The API's front door: every resource with its links."""
    return {
        "title": f"{settings.site_name} open data API",
        "version": API_VERSION,
        "data_as_of": json_value(status.as_of),
        "last_updated": json_value(status.last_updated),
        "data_version": status.version,
        "source": source_text(settings),
        "license": license_info(settings.open_data_license),
        "resources": [
            {
                "name": resource.name,
                "title": resource.title_en,
                "description": resource.description_en,
                "url": base_url + resource.path,
                "csv": base_url + resource.csv_path,
                "parameters": [p.name for p in resource.parameters],
            }
            for resource in RESOURCES
        ],
        "links": {
            "openapi": base_url + OPENAPI_PATH,
            "documentation": base_url + DOCS_PAGE_PATH,
            "download_all": base_url + ZIP_PATH,
            "data_dictionary": base_url + DICTIONARY_PATH,
        },
    }


# -- data dictionary and the download-all ZIP -------------------------------------------------


def data_dictionary() -> list[dict[str, Any]]:
    """One row per column of every CSV file in the download (data-dictionary.csv included)."""
    return [
        {
            "file": resource.file_name,
            "column": f.name,
            "type": f.type,
            **{f"description_{code}": f.description(code) for code in dictionary_languages()},
            "unit": f.unit or None,
            "allowed_values": list(f.allowed),
            "nullable": f.nullable,
        }
        for resource in (*RESOURCES, dictionary())
        for f in resource.fields
    ]


def settings_fingerprint(settings: Settings) -> str:
    """The settings that change what the API writes; part of every cache key."""
    text = "|".join(
        str(part)
        for part in (
            settings.small_sample_threshold,
            settings.small_sample_policy,
            settings.fiscal_year_start_month,
            settings.fiscal_year_label_style,
            settings.open_data_license,
            settings.site_name,
            # Each further configured language adds its columns (name_fr ...) to the records.
            ",".join(settings.languages),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def readme_text(status: queries.DataStatus, settings: Settings, base_url: str) -> str:
    licence = license_info(settings.open_data_license)
    as_of = json_value(status.as_of) or "no published data yet"
    updated = json_value(status.last_updated) or "never"
    files = "\n".join(
        f"  {resource.file_name:<22} {resource.description_en}" for resource in RESOURCES
    )
    lines = [
        f"{settings.site_name} open data",
        "",
        f"Source:        {source_text(settings)}",
        f"Data as of:    {as_of} (the end of the latest published period)",
        f"Last updated:  {updated}",
        f"Data version:  {status.version}",
        f"Licence:       {licence['name']}" + (f" ({licence['url']})" if licence["url"] else ""),
        f"API:           {base_url}{API_PREFIX} (OpenAPI: {base_url}{OPENAPI_PATH})",
        f"Documentation: {base_url}{DOCS_PAGE_PATH}",
        "",
        "Files (UTF-8 CSV with a byte-order mark, comma-separated, CRLF line ends):",
        files,
        f"  {'data-dictionary.csv':<22} {dictionary().description_en}",
        "",
        "How to read the figures:",
        "- An empty value is never a zero. reporting_status says why it is empty: not_reported",
        "  (the unit published no value) or suppressed (too few survey responses). A period",
        "  with no row at all in observations.csv was not reported either.",
        f"- small_sample is true for survey results on fewer than {settings.small_sample_threshold}"
        " responses:",
        "  read them with care; ci_low and ci_high give the 95% Wilson interval.",
        "- revised is true for a figure changed after it was first published; earlier_value",
        "  holds the value first published and revised_at when it changed.",
        "- series_break is true where the method or question changed: do not compare across it.",
        "- A result is judged against the target in force on the last day of its period",
        "  (targets.csv: effective_from to effective_to). A corrected target stays in",
        "  targets.csv as history with superseded_at set; it is never in force.",
        "- Lists (metric_codes, allowed_values) are separated by ';' within a cell.",
        "- So that a spreadsheet never runs a cell as a formula, a text cell starting with",
        "  =, +, -, @, a tab or a line break starts with an apostrophe ('): remove it to get",
        "  the text as published. Numbers such as -3.5 are written as they are.",
        "",
    ]
    return "\r\n".join(lines)


#: A fixed timestamp for every file in the ZIP, so the same data gives the same bytes.
_ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)


def build_zip(database_url: str, settings: Settings, base_url: str) -> bytes:
    """Every resource as a CSV, with data-dictionary.csv and README.txt, in one ZIP."""
    status = queries.data_status(database_url)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, text: str) -> None:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))

        add("README.txt", readme_text(status, settings, base_url))
        add(dictionary().file_name, csv_text(dictionary().fields, data_dictionary()))
        for resource in RESOURCES:
            records, _total = fetch(database_url, resource, {}, settings, limit=None)
            add(resource.file_name, csv_text(resource.fields, records))
    return buffer.getvalue()
