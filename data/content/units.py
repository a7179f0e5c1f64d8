"""``cxdash import-units``: the enterprise, its agencies and their services.

One row per unit; the key is ``slug`` (the unit's address in the site). ``parent`` is the
slug of the unit above: an agency's enterprise (empty: the store's only enterprise), a
service's agency (required). A parent may be a unit of the same file. A unit's kind cannot
change once stored. Every name a file may use for a unit (slug, code, English and Spanish
names) must stay unambiguous: no two agencies, and no two services of one agency, may share
one, or result files naming it could not say which unit they mean.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.core import languages
from dashboard.infra.models import UNIT_KINDS, ImportRun, Unit
from data.content.common import (
    INSERTED,
    REQUIRED_TEXT,
    ContentImporter,
    ParsedRow,
    Row,
    changed_fields,
    draft_units_to_publish,
    repeated,
    write_planned,
)
from data.content.parsing import parse_slug, parse_web_link

UNIT_COLUMNS = (
    "slug",
    "kind",
    "parent",
    "code",
    "website",
)
UNIT_REQUIRED = ("slug", "kind", REQUIRED_TEXT)
_PARENT_KIND = {"enterprise": None, "agency": "enterprise", "service": "agency"}


def _name_columns() -> tuple[str, ...]:
    """Columns whose text finds a unit (data.store.Catalog) and so must not be ambiguous: the
    slug, the code and the name in every configured language."""
    return ("slug", "code", *(f"name_{code}" for code in languages.content_languages()))


def parse_unit_kind(text: str) -> str:
    kind = text.strip().casefold()
    if kind not in UNIT_KINDS:
        raise ValueError("not a kind of unit; write agency, service or enterprise")
    return kind


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class _Parsed(ParsedRow):
    slug: str
    kind: str
    parent: str | None


class UnitImporter(ContentImporter):
    kind = "units"
    subject = "units"
    columns = UNIT_COLUMNS
    required = UNIT_REQUIRED
    model = Unit

    def parse(self, rows: list[Row]) -> None:
        self.parsed: list[_Parsed] = []
        for row in rows:
            slug = row.parsed("slug", parse_slug, required=True, limit=(Unit, "slug"))
            kind = row.parsed("kind", parse_unit_kind, required=True)
            parent = row.text("parent")
            values: dict[str, Any] = {
                "code": row.text("code", limit=(Unit, "code")),
                **row.texts(Unit),
                "website": row.parsed("website", parse_web_link, limit=(Unit, "website")),
            }
            values = row.given(values)
            if kind == "enterprise" and parent is not None:
                row.problem("parent", parent, "the enterprise has no parent; leave it empty")
            if kind == "service" and parent is None and row.ok:
                row.problem("parent", "", "a service needs its agency's slug as parent")
            if slug is not None and kind is not None:
                self.parsed.append(_Parsed(row, values, slug, kind, parent))

    def plan(self, session: Session) -> None:
        stored = {unit.slug: unit for unit in session.scalars(select(Unit))}
        by_id = {unit.id: unit for unit in stored.values()}
        in_file: dict[str, _Parsed] = {}
        seen: dict[str, int] = {}
        for parsed in self.parsed:
            if not repeated(parsed.row, seen, parsed.slug, "slug", parsed.slug, "slug"):
                in_file[parsed.slug] = parsed

        def kind_of(slug: str) -> str | None:
            if slug in in_file:
                return in_file[slug].kind
            return stored[slug].kind if slug in stored else None

        enterprises = {slug for slug, unit in stored.items() if unit.kind == "enterprise"}
        enterprises |= {slug for slug, p in in_file.items() if p.kind == "enterprise"}
        final_parent: dict[str, str | None] = {
            slug: (by_id[unit.parent_id].slug if unit.parent_id in by_id else None)
            for slug, unit in stored.items()
        }
        for parsed in in_file.values():
            row = parsed.row
            unit = stored.get(parsed.slug)
            if unit is not None and unit.kind != parsed.kind:
                row.problem(
                    "kind",
                    parsed.kind,
                    f"{parsed.slug} is stored as {unit.kind}; a unit's kind cannot change",
                )
                continue
            if parsed.kind == "enterprise" and len(enterprises) > 1:
                others = ", ".join(sorted(enterprises - {parsed.slug}))
                row.problem("kind", parsed.kind, f"there can be one enterprise only ({others})")
                continue
            wanted = _PARENT_KIND[parsed.kind]
            parent = parsed.parent
            if parsed.kind == "agency" and parent is None and len(enterprises) == 1:
                parent = next(iter(enterprises))
            if parent is not None:
                parent_kind = kind_of(parent)
                if parent_kind is None:
                    row.problem(
                        "parent",
                        parent,
                        "no unit has this slug (in the store or in this file)",
                    )
                    continue
                if parent_kind != wanted:
                    row.problem(
                        "parent",
                        parent,
                        f"the parent of {'an' if parsed.kind == 'agency' else 'a'} "
                        f"{parsed.kind} must be {'an' if wanted == 'agency' else 'the'} "
                        f"{wanted}; {parent} is {'an' if parent_kind == 'agency' else 'a'} "
                        f"{parent_kind}",
                    )
                    continue
            parsed.parent = parent
            final_parent[parsed.slug] = parent
        self._check_ambiguous_names(stored, in_file, final_parent)
        for parsed in in_file.values():
            row = parsed.row
            if not row.ok:
                continue
            unit = stored.get(parsed.slug)
            changed = []
            if unit is not None:
                changed = changed_fields(unit, parsed.values)
                if final_parent.get(parsed.slug) != (
                    by_id[unit.parent_id].slug if unit.parent_id in by_id else None
                ):
                    changed.append("parent")
            planned = self.plan_row(
                parsed,
                unit,
                changed,
                what="unit",
                key={"slug": parsed.slug, "kind": parsed.kind},
            )
            if planned is not None and planned.outcome == INSERTED:
                self.report.units_created.append(parsed.slug)
        if self.publish:
            # A unit's rows use no other unit but its parent (the file's own units are written
            # as the file says, so only stored draft parents outside it are published too).
            parents = [
                stored[p.parsed.parent].id
                for p in self.planned
                if p.parsed.parent is not None and p.parsed.parent in stored
            ]
            units = draft_units_to_publish(session, parents)
            units = [unit for unit in units if unit.slug not in in_file]
            self.publish_unit_ids = [unit.id for unit in units]
            if units:
                self.tally.extra_notes.append(
                    "draft parent unit(s) are published too: "
                    + ", ".join(unit.slug for unit in units)
                )

    def _check_ambiguous_names(
        self,
        stored: dict[str, Unit],
        in_file: dict[str, _Parsed],
        final_parent: dict[str, str | None],
    ) -> None:
        """No two agencies (or services of one agency) may answer to the same name."""
        name_columns = _name_columns()
        names: dict[str, dict[str, str | None]] = {}
        kinds: dict[str, str] = {}
        for slug, unit in stored.items():
            names[slug] = {"slug": slug, **{c: getattr(unit, c) for c in name_columns[1:]}}
            kinds[slug] = unit.kind
        for slug, parsed in in_file.items():
            names.setdefault(slug, {"slug": slug})
            names[slug].update({c: parsed.values[c] for c in name_columns if c in parsed.values})
            kinds[slug] = parsed.kind
        holders: dict[tuple[str | None, str], set[str]] = defaultdict(set)
        for slug, unit_names in names.items():
            scope = final_parent.get(slug) if kinds[slug] == "service" else None
            for text in unit_names.values():
                if text:
                    holders[(scope, _key(text))].add(slug)
        for slug, parsed in in_file.items():
            if not parsed.row.ok:
                continue  # its parent is not known for sure: its names are checked once it is
            scope = final_parent.get(slug) if parsed.kind == "service" else None
            for column in name_columns:
                text = names[slug].get(column)
                if not text:
                    continue
                others = sorted(holders[(scope, _key(text))] - {slug})
                if others:
                    where = "agencies" if scope is None else f"services of {scope}"
                    parsed.row.problem(
                        column,
                        text,
                        f"{', '.join(others)} already answers to this name among the {where}; "
                        "files naming it could not say which unit they mean",
                    )

    def apply(self, session: Session, run: ImportRun, now: dt.datetime) -> None:
        # Parents first: a new agency's id is needed to write its new services.
        ids = {unit.slug: unit.id for unit in session.scalars(select(Unit))}
        order = {"enterprise": 0, "agency": 1, "service": 2}
        for planned in sorted(self.planned, key=lambda p: order[p.parsed.kind]):
            parent = planned.parsed.parent
            parent_id = ids[parent] if parent is not None else None
            unit = write_planned(session, Unit, planned, self.publish, parent_id=parent_id)
            if planned.outcome == INSERTED:
                session.flush()
                ids[unit.slug] = unit.id
        self.publish_used(session)
