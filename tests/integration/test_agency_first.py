"""The agency and service pages answer first (issue 13): what the unit promises and how to reach
it come before the charts, with an on-this-page menu; an office closed today says so where its
hours are; a big agency lists its services by their standards, with the exceptions.

Expected dates and names are read from the demo store, never typed in.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from dash.development.base_component import Component

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.formatting import format_day
from dashboard.domain.targets import Status
from dashboard.gateway import queries
from dashboard.views.agency import AgencyView
from dashboard.web.pages import PageContext
from layouts.agency import layout

agency_build = importlib.import_module("dashboard.views.agency.build")


def _view(url: str, route: Route, language: str = "en", today: dt.date | None = None) -> AgencyView:
    extra = {"today": today} if today is not None else {}
    return agency_build.build(url, Settings(database_url=url, extra=extra), route, {}, language)


def _page(view: AgencyView) -> list[Any]:
    context = PageContext(language=view.language, path=view.path, query={}, settings=Settings())
    return layout(view, context)


def _walk(node: Any) -> Iterator[Any]:
    """Every component and string of a layout, in document order."""
    if node is None:
        return
    if isinstance(node, (list, tuple)):
        for child in node:
            yield from _walk(child)
        return
    yield node
    if isinstance(node, Component):
        yield from _walk(getattr(node, "children", None))


def _ids(tree: list[Any]) -> list[str]:
    return [
        node.id for node in _walk(tree) if isinstance(node, Component) and getattr(node, "id", None)
    ]


def _text(node: Any) -> str:
    return " ".join(part for part in _walk(node) if isinstance(part, str))


def _by_id(tree: list[Any], wanted: str) -> Any:
    return next(
        node
        for node in _walk(tree)
        if isinstance(node, Component) and getattr(node, "id", None) == wanted
    )


def _lakeside(url: str) -> dict[str, Any]:
    """The demo's closure of one office with opening hours: its agency, office and dates."""
    units = {u["id"]: u for u in queries.units(url)}
    closures = queries.closures(url, list(units), ending_on_or_after=dt.date(1900, 1, 1))
    contacts = {row["id"]: row for row in queries.contact_points(url, list(units))}
    closure = max(
        (
            c
            for c in closures
            if c["contact_point_id"] and contacts[c["contact_point_id"]]["hours_en"]
        ),
        key=lambda c: c["ends_on"] - c["starts_on"],
    )
    office = contacts[closure["contact_point_id"]]
    return {
        "agency": units[closure["unit_id"]]["slug"],
        "label": office["label_en"],
        "hours": office["hours_en"],
        "starts_on": closure["starts_on"],
        "ends_on": closure["ends_on"],
    }


def test_promises_and_contacts_come_before_the_charts(demo_store):
    for slug in ("dmv", "parks"):
        view = _view(demo_store, Route("agency", {"agency": slug}))
        assert view.panels and view.contacts
        page = _page(view)
        ids = _ids(page)
        first_chart = next(i for i, name in enumerate(ids) if name.startswith("chart-"))
        assert ids.index("on-this-page") < ids.index("contact") < first_chart
        assert ids.index("promises" if view.promises else "standards") < ids.index("contact")
        assert ids.index("contact") < ids.index("agency-controls") < ids.index("trends")
        assert ids.index("trends") < ids.index("services")
        # Every entry of the menu leads to a section of this page.
        menu = _by_id(page, "on-this-page")
        targets = [
            node.href[1:]
            for node in _walk(menu)
            if isinstance(node, Component) and node._type == "A"
        ]
        assert targets[:3] == ["promises" if view.promises else "standards", "contact", "trends"]
        assert set(targets) <= set(ids)


def test_service_page_has_the_same_structure(demo_store):
    agency = next(a for a in queries.list_agencies(demo_store) if a["slug"] == "dmv")
    view = _view(
        demo_store, Route("service", {"agency": "dmv", "service": agency["services"][0]["slug"]})
    )
    ids = _ids(_page(view))
    first_chart = next(i for i, name in enumerate(ids) if name.startswith("chart-"))
    assert ids.index("on-this-page") < ids.index("promises") < ids.index("contact") < first_chart
    assert "services" not in ids


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_closed_office_says_so_where_its_hours_are(demo_store, language):
    closure = _lakeside(demo_store)
    route = Route("agency", {"agency": closure["agency"]})
    during = closure["starts_on"] + dt.timedelta(days=1)
    view = _view(demo_store, route, language, today=during)
    office = next(
        item for group in view.contacts for item in group.items if item.closed_through is not None
    )
    assert office.closed_through == closure["ends_on"]
    page = _page(view)
    text = _text(_by_id(page, "contact"))
    closed = {"en": "Closed through", "es": "Cerrado hasta el"}[language]
    shown = f"{closed} {format_day(closure['ends_on'], language)}"
    assert shown in text
    # The closed state comes before the usual hours, and the closure is still listed.
    usual = {"en": "Usual hours:", "es": "Horario habitual:"}[language]
    assert text.index(shown) < text.index(usual)
    assert language != "en" or closure["hours"] in text[text.index(usual) :]
    assert len(_by_id(page, "closure-list").children) >= 1
    # Other contact points stay open.
    assert sum(1 for g in view.contacts for i in g.items if i.closed_through) == 1

    # The day after its last day, it is open again, with its hours.
    after = _view(demo_store, route, language, today=closure["ends_on"] + dt.timedelta(days=1))
    assert all(item.closed_through is None for g in after.contacts for item in g.items)
    assert closed not in _text(_by_id(_page(after), "contact"))

    # Before it starts, the office shows it is coming, and the list has it.
    before = _view(demo_store, route, language, today=closure["starts_on"] - dt.timedelta(days=1))
    office = next(
        item
        for g in before.contacts
        for item in g.items
        if item.next_closure is not None and item.channel == "walk_in"
    )
    assert office.closed_through is None
    assert office.next_closure == (closure["starts_on"], closure["ends_on"])
    assert any(c.starts_on == closure["starts_on"] for c in before.closures)


def test_a_closed_office_in_english_names_its_dates(demo_store):
    closure = _lakeside(demo_store)
    view = _view(
        demo_store, Route("agency", {"agency": closure["agency"]}), today=closure["ends_on"]
    )
    text = _text(_by_id(_page(view), "contact"))
    assert f"Closed through {format_day(closure['ends_on'], 'en')}" in text
    assert "Hours:" not in text.split(closure["label"])[1].split("Usual hours:")[0]


def test_a_big_agency_page_shows_roll_ups_exceptions_and_one_line_a_service(
    demo_store, monkeypatch
):
    small = _view(demo_store, Route("agency", {"agency": "dmv"}))
    small_page = _page(small)
    assert "service-levels" in _ids(small_page)
    monkeypatch.setattr(agency_build, "SERVICE_CHARTS_MAX", len(small.services) - 1)
    view = _view(demo_store, Route("agency", {"agency": "dmv"}))
    page = _page(view)
    ids = _ids(page)
    # No service × measure table: per dimension its sentence and its exceptions.
    assert "service-levels" not in ids
    assert view.service_summaries
    for summary in view.service_summaries:
        assert summary.text in _text(_by_id(page, f"standards-{summary.dimension}"))
        count = summary.not_met_count + summary.not_reported_count
        if count:
            table = _by_id(page, f"exceptions-{summary.dimension}")
            assert len(table.rows) == count
            for row in table.rows:
                assert row[0]["href"].startswith("/agency/dmv/")
                assert row[1]["text"] in ("Not met", "Not reported")
        else:
            assert f"exceptions-{summary.dimension}" not in ids
    assert all(item.status in (Status.NOT_MET, Status.NOT_REPORTED) for item in view.service_levels)
    # Every service, one line each, with its status in words and a link to its page.
    services = _by_id(page, "service-list")
    assert [row[0]["href"] for row in services.rows] == [item.path for item in view.services]
    assert all(
        isinstance(row[1], dict) and row[1]["symbol"] for row in services.rows if row[1] != "–"
    )
    assert all(not name.startswith("spark-") for name in ids)
