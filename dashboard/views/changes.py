"""The "What changed" page's view (``/changes``): every publication, newest first.

One entry per agency per publication (``dashboard.infra.models.Publication``): when, which
agency, what was added or revised in words ("3 new figures; 1 revised figure"), the revision
reasons the agency gave and the publisher's public note. Who approved it is internal and is
never read. Only publications of published agencies are listed.

Query parameters (every view is a permalink):

- ``agency``: an agency's slug: only its publications. An unknown slug is a 404.
- ``page``: 1, 2, ... (``PAGE_SIZE`` entries a page). Anything else, or a page past the last,
  is a 404: a bounded offset, never a scan of an unbounded one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dashboard.core.i18n import NP_, P_, Messages, messages, t, translate
from dashboard.core.languages import record_text
from dashboard.core.routes import Route, href, path_for
from dashboard.core.settings import Settings
from dashboard.domain.formatting import format_day
from dashboard.gateway import queries
from dashboard.views import NotFound

PARAMS = ("lang", "agency", "page")

#: Publications a page lists.
PAGE_SIZE = 20

#: The counts of a publication, in the order they are told.
COUNTS = (
    "figures_added",
    "figures_revised",
    "targets_changed",
    "actions_changed",
    "contact_points_changed",
    "closures_changed",
)

TEXT: Messages = messages(
    NP_("figures_added", "{count} new figure", "{count} new figures"),
    NP_("figures_revised", "{count} revised figure", "{count} revised figures"),
    NP_("targets_changed", "{count} target changed", "{count} targets changed"),
    NP_("actions_changed", "{count} action added or updated", "{count} actions added or updated"),
    NP_(
        "contact_points_changed",
        "{count} contact point added or updated",
        "{count} contact points added or updated",
    ),
    NP_(
        "closures_changed",
        "{count} closure added or updated",
        "{count} closures added or updated",
    ),
    P_("nothing_counted", "No figures, targets or contact details changed"),
    P_("no_agency", "There is no agency at this address (“{slug}”)."),
    P_("bad_page", "“{page}” is not a page of this list. Pages: 1 to {last}."),
)


def text(key: str, language: str, **values: object) -> str:
    return translate(TEXT, key, language, **values)


@dataclass(frozen=True)
class AgencyOption:
    slug: str
    name: str


@dataclass(frozen=True)
class ChangeItem:
    """One agency's part of one publication."""

    published_at: dt.datetime
    date_text: str
    agency_slug: str
    agency_name: str
    agency_path: str
    summary: str  # "3 new figures; 1 revised figure"
    reasons: tuple[str, ...]  # the revision reasons the agency gave (public text)
    note: str | None  # the publisher's public summary


@dataclass(frozen=True)
class ChangesView:
    language: str
    items: list[ChangeItem]
    total: int
    page: int
    pages: int
    first: int  # position of the first item shown (1-based; 0 when none)
    last: int
    agency_slug: str | None
    agency_name: str | None
    agencies: list[AgencyOption]

    def page_query(self, page: int) -> dict[str, str | None]:
        """The query of another page of this list (the language is the context's)."""
        return {"agency": self.agency_slug, "page": str(page) if page > 1 else None}


def summary(record: dict[str, Any], language: str) -> str:
    """What a publication added or changed, in words: "3 new figures; 1 revised figure"."""
    parts = [text(key, language, count=int(record[key])) for key in COUNTS if record.get(key)]
    if not parts:
        return text("nothing_counted", language)
    return t("list_separator", language).join(parts)


def reasons_of(stored: str | None) -> tuple[str, ...]:
    """The reasons of a publication, one a line in the store, without blanks, repeats or the
    importer's own bookkeeping (``queries.is_public_reason``)."""
    lines = (line.strip() for line in (stored or "").splitlines())
    return tuple(dict.fromkeys(line for line in lines if queries.is_public_reason(line)))


def _page_number(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    number = int(raw)
    return number if number >= 1 else None


def build(
    database_url: str, settings: Settings, route: Route, query: dict[str, str], language: str
) -> ChangesView:
    agencies = [
        AgencyOption(unit["slug"], record_text(unit, "name", language) or unit["slug"])
        for unit in queries.units(database_url)
        if unit["kind"] == "agency"
    ]
    agencies.sort(key=lambda option: option.name.casefold())
    slug = query.get("agency") or None
    chosen = next((option for option in agencies if option.slug == slug), None)
    if slug is not None and chosen is None:
        raise NotFound(text("no_agency", language, slug=slug))

    raw_page = query.get("page")
    page = _page_number(raw_page)
    if page is None:
        raise NotFound(text("bad_page", language, page=raw_page, last=1))
    records, total = queries.publications(
        database_url, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, agency=slug
    )
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        raise NotFound(text("bad_page", language, page=raw_page, last=pages))

    items = [
        ChangeItem(
            published_at=record["published_at"],
            date_text=format_day(_day(record["published_at"]), language),
            agency_slug=record["agency_slug"],
            agency_name=record_text(record, "name", language) or record["agency_slug"],
            agency_path=path_for("agency", agency=record["agency_slug"]),
            summary=summary(record, language),
            reasons=reasons_of(record.get("reasons")),
            note=(record.get("note") or "").strip() or None,
        )
        for record in records
    ]
    first = (page - 1) * PAGE_SIZE + 1 if items else 0
    return ChangesView(
        language=language,
        items=items,
        total=total,
        page=page,
        pages=pages,
        first=first,
        last=first + len(items) - 1 if items else 0,
        agency_slug=chosen.slug if chosen else None,
        agency_name=chosen.name if chosen else None,
        agencies=agencies,
    )


def _day(moment: dt.datetime | dt.date) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def changes_href(agency: str | None = None) -> str:
    """The "What changed" page, of one agency when ``agency`` is given (no language)."""
    return href(path_for("changes"), {"agency": agency})
