"""The agency and service pages in a real browser: charts, tables, CSVs, permalinks, axe.

Chart numbers are read from Plotly's decoded data (``gd._fullData``), so the tests compare
what is drawn with what the table and the CSV say.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard.domain.formatting import display_value
from dashboard.gateway import queries
from dashboard.infra.db import session_scope
from dashboard.infra.models import PUBLISHED, Metric, Observation, ObservationRevision, Unit
from tests.browser.charts import CHARTS_TIMEOUT_S, open_page, wait_for_charts
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

WAIT_MS = CHARTS_TIMEOUT_S * 1000


def traces(page, chart_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """The decoded traces of a chart: name, x and y as drawn."""
    return page.evaluate(
        """(id) => {
            const gd = document.getElementById('chart-' + id).querySelector('.js-plotly-plot');
            // A long legend name is drawn on lines (issue 13): read as one name.
            return gd._fullData.map(t => ({
                name: (t.name || '').split('<br>').join(' '), mode: t.mode,
                x: Array.from(t.x || []), y: Array.from(t.y || []),
            }));
        }""",
        chart_id,
    )


def trace_named(page, chart_id: str, name: str) -> dict:  # type: ignore[no-untyped-def]
    return next(t for t in traces(page, chart_id) if t["name"] == name)


def revised_figure(url: str) -> dict:
    """The demo's one revised figure, read from the store."""
    with session_scope(url) as session:
        slug, code, name, scale, period_end, now, earlier = session.execute(
            select(
                Unit.slug,
                Metric.code,
                Metric.name_en,
                Metric.scale,
                Observation.period_end,
                Observation.raw_value,
                ObservationRevision.raw_value,
            )
            .join(Observation, ObservationRevision.observation_id == Observation.id)
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(Observation.visibility == PUBLISHED, Observation.segment_type == "")
        ).one()
    return {
        "slug": slug,
        "code": code,
        "name": name,
        "period_end": period_end.isoformat(),
        "value": display_value(now, scale),
        "earlier": display_value(earlier, scale),
    }


def _number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None  # "Not reported", a status, an empty cell


def test_chart_shows_a_target_change_actions_and_the_revised_figure(
    page, live_server, demo_database
):
    revised = revised_figure(demo_database)
    open_page(page, f"{live_server.url}/agency/{revised['slug']}?metric={revised['code']}")
    target = trace_named(page, revised["code"], "Target in force")
    assert len({y for y in target["y"] if y is not None}) >= 2, target["y"]
    actions = trace_named(page, revised["code"], "Actions taken")
    assert len(actions["x"]) >= 1 and all(y is not None for y in actions["y"])
    # Each action drawn is also listed below the chart with its status and date.
    listed = page.locator(f"#actions-{revised['code']} > li")
    assert listed.count() >= len(actions["x"])
    expect(listed.first.locator("time").first).to_have_attribute("datetime", re.compile(r"\d{4}-"))
    # The revised figure is marked, with the value first published.
    line = trace_named(page, revised["code"], revised["name"])
    drawn = dict(zip(line["x"], line["y"], strict=True))
    assert drawn[revised["period_end"]] == revised["value"]
    notes = page.locator(f"#chart-{revised['code']}-title").locator("..").locator(".chart-notes")
    expect(notes).to_contain_text("revised")
    expect(notes).to_contain_text(f"{revised['earlier']}%")


def test_table_toggle_and_csv_carry_the_charts_numbers(page, live_server, demo_database):
    revised = revised_figure(demo_database)
    code = revised["code"]
    open_page(page, f"{live_server.url}/agency/{revised['slug']}?metric={code}")
    line = trace_named(page, code, revised["name"])
    drawn = {x: y for x, y in zip(line["x"], line["y"], strict=True)}

    details = page.locator(f"#chart-{code}-table")
    table = details.locator("table")
    expect(table).to_be_hidden()
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(table).to_be_visible()
    headers = table.locator("thead th").all_inner_texts()
    end_at, value_at = headers.index("Period end"), headers.index("Result (%)")
    earlier_at = headers.index("First published value")
    rows = [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]
    assert rows
    for cells in rows:
        assert drawn[cells[end_at]] == _number(cells[value_at]), cells
        if cells[end_at] == revised["period_end"]:
            assert _number(cells[earlier_at]) == revised["earlier"]
    assert any(cells[value_at] == "Not reported" for cells in rows) is (
        any(y is None for x, y in drawn.items() if x in {c[end_at] for c in rows})
    )

    href = page.locator(f"#chart-{code}-csv").get_attribute("href")
    assert href and href.startswith(f"/download/agency/{revised['slug']}/{code}.csv")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    assert (
        f"{revised['slug']}_{code.replace('_', '-')}_all.csv"
        in response.headers["content-disposition"]
    )
    records = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
    assert len(records) == len(rows)
    # The CSV is tidy (issue 13): one column a field, the value a plain number.
    for record in records:
        assert drawn[record["period_end"]] == _number(record["value"]), record
    revised_record = next(r for r in records if r["period_end"] == revised["period_end"])
    assert revised_record["revised"] == "true"
    assert "DRAFT" not in response.text()


def test_permalink_restores_metric_period_segment_and_language(page, live_server, demo_database):
    agency = next(a for a in queries.list_agencies(demo_database) if a["slug"] == "dmv")
    open_page(
        page,
        f"{live_server.url}/agency/dmv?metric=csat_overall&period=FY2025&segment=language&lang=es",
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(agency["name_es"])
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("#agency-metric").input_value() == "csat_overall"
    assert page.locator("#agency-period").input_value() == "FY2025"
    assert page.locator("#agency-segment").input_value() == "language"
    # One trend (the metric asked for) and its breakdown by language.
    expect(page.locator("#trends .chart-panel")).to_have_count(1)
    expect(page.locator("#chart-csat_overall")).to_be_attached()
    expect(page.locator("#chart-csat_overall-by-language")).to_be_attached()
    expect(page.get_by_role("heading", level=2, name="Resultados en AF2025")).to_be_visible()
    x = trace_named(page, "csat_overall", "Satisfacción general")["x"]
    assert x and all("2024-10-01" <= day <= "2025-09-30" for day in x)
    lines = {t["name"] for t in traces(page, "csat_overall-by-language") if t["mode"]}
    assert {"Inglés", "Español"} <= lines


def test_form_submits_a_permalink_and_back_forward_move_between_views(
    page, live_server, demo_database
):
    open_page(page, f"{live_server.url}/agency/dmv?metric=csat_overall")
    page.locator("#agency-metric").select_option("trust")
    page.locator("#agency-period").select_option("FY2025")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/agency/dmv\?metric=trust&period=FY2025"))
    expect(page.locator("#chart-trust")).to_be_attached(timeout=WAIT_MS)
    wait_for_charts(page)
    expect(page.locator("#chart-csat_overall")).to_have_count(0)

    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/agency/dmv?metric=csat_overall")
    expect(page.locator("#chart-csat_overall")).to_be_attached(timeout=WAIT_MS)
    assert page.locator("#agency-metric").input_value() == "csat_overall"
    page.go_forward()
    expect(page).to_have_url(re.compile(r"metric=trust&period=FY2025"))
    expect(page.locator("#chart-trust")).to_be_attached(timeout=WAIT_MS)

    # A link between two agency views (agency -> one of its services) and back again.
    agency = next(a for a in queries.list_agencies(demo_database) if a["slug"] == "dmv")
    service = agency["services"][0]
    heading = page.get_by_role("heading", level=1)
    # The services list (the service levels table links each service too).
    page.locator(f"#service-{service['slug']}").get_by_role(
        "link", name=service["name_en"], exact=True
    ).click()
    expect(page).to_have_url(f"{live_server.url}/agency/dmv/{service['slug']}")
    expect(heading).to_have_text(service["name_en"], timeout=WAIT_MS)
    page.go_back()
    expect(heading).to_have_text(agency["name_en"], timeout=WAIT_MS)
    page.go_forward()
    expect(heading).to_have_text(service["name_en"], timeout=WAIT_MS)
    # The breadcrumb leads back to the agency.
    expect(page.get_by_role("link", name=agency["name_en"], exact=True)).to_be_visible()


def test_services_have_sparklines_and_contacts_are_links(page, live_server, demo_database):
    agency = next(a for a in queries.list_agencies(demo_database) if a["slug"] == "dmv")
    open_page(page, f"{live_server.url}/agency/dmv?metric=csat_overall")
    expect(page.locator("#service-list > li")).to_have_count(len(agency["services"]))
    for service in agency["services"]:
        item = page.locator(f"#service-{service['slug']}")
        expect(item.locator(".js-plotly-plot")).to_be_attached()
        expect(item.get_by_role("link", name=service["name_en"], exact=True)).to_have_attribute(
            "href", f"/agency/dmv/{service['slug']}"
        )
    phones = page.locator("#contact a[href^='tel:']")
    assert phones.count() >= 1
    expect(page.locator("#contact address").first).to_be_visible()
    expect(page.locator("#contact")).to_contain_text("Spanish")


def test_bad_slug_is_a_404_page(page, live_server):
    response = page.goto(f"{live_server.url}/agency/no-such-agency")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator(".not-found-reason")).to_contain_text("no-such-agency")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["agency", "service"])
def test_axe_finds_nothing(page, live_server, demo_database, kind, language):
    agency = next(a for a in queries.list_agencies(demo_database) if a["slug"] == "dmv")
    latest = queries.data_status(demo_database).as_of
    from dashboard.domain.fiscal import FiscalCalendar

    year = FiscalCalendar().year_label(FiscalCalendar().fiscal_year(latest))
    if kind == "agency":
        # Every section: promises, all trends (one year keeps the tables short), a breakdown,
        # services with sparklines, contacts and closures.
        path = f"/agency/dmv?period={year}&segment=channel&lang={language}"
    else:
        path = f"/agency/dmv/{agency['services'][0]['slug']}?lang={language}"
    open_page(page, live_server.url + path)
    page.locator("details.chart-table").first.locator("summary").click()
    assert axe_violations(page) == []
    assert page.outside_requests == []


# -- the page answers first (issue 13) ---------------------------------------------------------


def _office_closure(url: str) -> dict:
    """The demo's longest closure of one office with opening hours (Parks' visitor center)."""
    import datetime as dt

    units = {u["id"]: u for u in queries.units(url)}
    contacts = {row["id"]: row for row in queries.contact_points(url, list(units))}
    closure = max(
        (
            c
            for c in queries.closures(url, list(units), ending_on_or_after=dt.date(1900, 1, 1))
            if c["contact_point_id"] and contacts[c["contact_point_id"]]["hours_en"]
        ),
        key=lambda c: c["ends_on"] - c["starts_on"],
    )
    return {
        "agency": units[closure["unit_id"]]["slug"],
        "label": contacts[closure["contact_point_id"]]["label_en"],
        "starts_on": closure["starts_on"],
        "ends_on": closure["ends_on"],
    }


@pytest.fixture(scope="module")
def closure_site(demo_database):  # type: ignore[no-untyped-def]
    """The demo on a day its office closure is in progress (the view's injected ``today``)."""
    import datetime as dt

    from dashboard.core.settings import Settings
    from tests.browser.conftest import LiveServer

    closure = _office_closure(demo_database)
    today = closure["starts_on"] + dt.timedelta(days=1)
    settings = Settings(database_url=demo_database, extra={"today": today})
    with LiveServer(settings) as server:
        yield server, closure


@pytest.fixture
def sized_page(browser, request):  # type: ignore[no-untyped-def]
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    yield page, width
    context.close()


@pytest.mark.parametrize("sized_page", [375], indirect=True, ids=["phone"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_on_a_phone_how_to_reach_us_is_near_the_top_and_one_key_away(
    closure_site, sized_page, language
):
    server, closure = closure_site
    page, _width = sized_page
    open_page(page, f"{server.url}/agency/{closure['agency']}?lang={language}")
    height = page.viewport_size["height"]
    # The contacts start within the first screens (below the promises), before any chart.
    contact_top = page.locator("#contact").evaluate("e => e.getBoundingClientRect().top")
    chart_top = page.locator(".js-plotly-plot").first.evaluate("e => e.getBoundingClientRect().top")
    assert contact_top < chart_top
    assert contact_top <= 2.5 * height
    # The office closed today says so where its hours are.
    closed = page.locator("#contact .contact-closed")
    expect(closed).to_have_count(1)
    expect(closed).to_contain_text({"en": "Closed through", "es": "Cerrado hasta el"}[language])
    # From the top, by keyboard: Tab to the menu's "how to reach us", Enter, and the section
    # is on screen and the next Tab goes on from there.
    name = {"en": "How to reach us", "es": "Cómo comunicarse con nosotros"}[language]
    link = page.locator("#on-this-page").get_by_role("link", name=name)
    page.keyboard.press("Tab")  # the skip link
    for _ in range(40):
        if link.evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("the menu's contact link is not reachable by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#contact'")
    # (The browser may scroll smoothly: wait for the heading to arrive on screen.)
    page.wait_for_function(
        """() => {
            const top = document.getElementById('contact-heading').getBoundingClientRect().top;
            return top >= 0 && top < innerHeight / 2;
        }"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("sized_page", [375, 1280], indirect=True, ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["agency", "service"])
def test_agency_and_service_pages_fit_and_are_axe_clean(
    closure_site, sized_page, kind, language, demo_database
):
    server, closure = closure_site
    page, width = sized_page
    if kind == "agency":
        path = f"/agency/{closure['agency']}"
    else:
        agency = next(
            a for a in queries.list_agencies(demo_database) if a["slug"] == closure["agency"]
        )
        path = f"/agency/{closure['agency']}/{agency['services'][0]['slug']}"
    open_page(page, f"{server.url}{path}?lang={language}")
    expect(page.locator("#on-this-page")).to_be_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
