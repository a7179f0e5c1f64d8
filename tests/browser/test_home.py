"""The overview page in a real browser: scorecard, forms, permalinks, charts, CSV and axe."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from dashboard.gateway import queries
from tests.browser.conftest import axe_violations, dash_page_shown

pytestmark = pytest.mark.browser


#: The first render draws five charts; on a busy machine that can take several seconds.
FIRST_RENDER_MS = 30_000


def _rows(page):  # type: ignore[no-untyped-def]
    return page.locator("#scorecard > tbody > tr")


def _open(page, url: str):  # type: ignore[no-untyped-def]
    """Go to ``url`` and wait until the router has rendered the page."""
    response = page.goto(url)
    dash_page_shown(page, FIRST_RENDER_MS)
    return response


def _submit(page, button: str, url_part: str) -> None:  # type: ignore[no-untyped-def]
    """Submit a form (a full page load) and wait for the new page to render."""
    page.locator(button).click()
    page.wait_for_url(f"**{url_part}**", timeout=FIRST_RENDER_MS)
    dash_page_shown(page, FIRST_RENDER_MS)


def test_home_page_shows_every_agency_from_the_store(page, live_server, demo_database):
    agencies = queries.list_agencies(demo_database)
    assert agencies, "the demo store has agencies"
    _open(page, live_server.url + "/")
    expect(_rows(page)).to_have_count(len(agencies))
    for agency in agencies:
        link = page.get_by_role("link", name=agency["name_en"], exact=True)
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", f"/agency/{agency['slug']}")
    expect(page.locator("#data-as-of")).to_contain_text("Data as of")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.outside_requests == []


def test_home_page_in_spanish_sets_lang_and_uses_spanish_names(page, live_server, demo_database):
    agencies = queries.list_agencies(demo_database)
    _open(page, live_server.url + "/?lang=es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Desempeño del servicio al público")
    first = next(a for a in agencies if a["name_es"])
    link = page.get_by_role("link", name=first["name_es"], exact=True)
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"/agency/{first['slug']}?lang=es")
    expect(page.locator("#scorecard caption")).to_contain_text("frente a la meta vigente")
    assert page.evaluate("document.documentElement.lang") == "es"


def test_scorecard_shows_the_agency_that_did_not_report_as_not_reported(page, live_server):
    _open(page, live_server.url + "/")
    housing = page.locator("#scorecard-housing")
    satisfaction = housing.locator('td[data-label="Satisfaction"]')
    expect(satisfaction.locator(".status-badge")).to_have_text("? Not reported")
    # No number (never a zero) and no score: the status and the target in force only.
    expect(satisfaction.locator(".scorecard-value")).to_have_count(0)
    expect(satisfaction).not_to_contain_text("Score")
    expect(satisfaction).to_contain_text("Target: ≥ 80%")
    expect(page.locator("#rollup-satisfaction")).to_contain_text("Did not report:")
    expect(page.locator("#rollup-satisfaction")).to_contain_text(
        "Department of Housing and Community Development"
    )
    # Another agency's satisfaction cell has a value, a score and a target.
    dmv = page.locator('#scorecard-dmv td[data-label="Satisfaction"]')
    expect(dmv).to_contain_text("%")
    expect(dmv).to_contain_text("Score")
    expect(dmv).to_contain_text("Target: ≥ 80%")


def test_filter_search_and_sort_are_permalinks_with_back_and_forward(page, live_server):
    _open(page, live_server.url + "/")
    expect(_rows(page)).to_have_count(12)

    page.get_by_label("Dimension").select_option("satisfaction")
    page.get_by_label("Status").select_option("not_reported")
    _submit(page, "#filter-submit", "status=not_reported")
    expect(_rows(page)).to_have_count(1)
    expect(page.locator("#scorecard-housing")).to_be_visible()
    filtered_url = page.url

    page.reload()
    dash_page_shown(page, FIRST_RENDER_MS)
    expect(_rows(page)).to_have_count(1, timeout=FIRST_RENDER_MS)
    expect(page.get_by_label("Status")).to_have_value("not_reported")
    expect(page.get_by_label("Dimension")).to_have_value("satisfaction")

    page.go_back()
    expect(_rows(page)).to_have_count(12, timeout=FIRST_RENDER_MS)
    page.go_forward()
    expect(page).to_have_url(filtered_url)
    expect(_rows(page)).to_have_count(1, timeout=FIRST_RENDER_MS)

    page.locator("#reset").click()
    expect(_rows(page)).to_have_count(12, timeout=FIRST_RENDER_MS)

    page.get_by_label("Sort by").select_option("satisfaction")
    _submit(page, "#filter-submit", "sort=satisfaction")
    # Highest satisfaction first; the agency that did not report comes last, not as a zero.
    expect(_rows(page).last).to_have_id("scorecard-housing")


def test_search_finds_agency_and_services_without_accents(page, live_server):
    _open(page, live_server.url + "/?lang=es")
    page.get_by_label("Buscar una agencia o un servicio").fill("vehiculos")
    _submit(page, "#filter-submit", "q=vehiculos")
    expect(_rows(page)).to_have_count(1)
    expect(page.locator("#scorecard-dmv")).to_contain_text("Departamento de Vehículos Motorizados")
    services = page.locator("#service-matches a")
    expect(services.first).to_have_attribute("href", "/agency/dmv/vehicle-registration?lang=es")
    expect(page.get_by_label("Buscar una agencia o un servicio")).to_have_value("vehiculos")

    _open(page, live_server.url + "/?q=no+such+agency+anywhere")
    expect(page.locator("#no-match")).to_contain_text("No agency matches")
    page.locator("#no-match a").click()
    expect(_rows(page)).to_have_count(12, timeout=FIRST_RENDER_MS)


def test_period_form_chooses_a_fiscal_year_to_date(page, live_server):
    _open(page, live_server.url + "/")
    expect(page.get_by_label("Period")).to_have_value("FY2026-Q3")
    page.get_by_label("Period").select_option("FY2026")
    _submit(page, "#period-submit", "period=FY2026")
    expect(page.locator("#period-through")).to_contain_text("through FY2026 Q3")
    expect(page.locator("#rollups-heading")).to_have_text("Across all agencies, FY2026")
    expect(page.get_by_label("Period")).to_have_value("FY2026")
    page.go_back()
    expect(page.get_by_label("Period")).to_have_value("FY2026-Q3", timeout=FIRST_RENDER_MS)


def test_bad_period_is_a_helpful_404(page, live_server):
    response = _open(page, live_server.url + "/?period=FY1999")
    assert response is not None and response.status == 404
    expect(page.locator(".not-found-reason")).to_contain_text("FY2022 Q1")


def test_table_toggle_and_csv_match_the_chart(page, live_server):
    _open(page, live_server.url + "/")
    chart_id = "trend-satisfaction"
    graph = page.locator(f"#chart-{chart_id} .js-plotly-plot")
    expect(graph).to_be_attached()
    page.wait_for_function(
        f"document.querySelector('#chart-{chart_id} .js-plotly-plot')._fullData !== undefined"
    )
    drawn = page.evaluate(
        f"Array.from(document.querySelector('#chart-{chart_id} .js-plotly-plot')._fullData[0].y)"
    )

    table = page.locator(f"#chart-{chart_id}-table table")
    expect(table).to_be_hidden()
    page.locator(f"#chart-{chart_id}-table summary").click()
    expect(table).to_be_visible()
    expect(page.locator(f"#chart-{chart_id}-table")).to_have_attribute("open", "")

    with page.expect_download() as download_info:
        page.locator(f"#chart-{chart_id}-csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as file:
        text = file.read()
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == len(drawn) > 4
    # The tidy CSV (docs/chart-csv.md): the number in "value", its unit beside it.
    downloaded = [float(r["value"]) if r["value"] else None for r in records]
    assert downloaded == drawn
    assert {r["value_unit"] for r in records} == {"Average score (0–100)"}
    # The table shows the same numbers.
    cells = table.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert [float(c) for c in cells if c != "Not reported"] == [y for y in drawn if y is not None]


def test_language_switch_keeps_the_page(page, live_server):
    _open(page, live_server.url + "/")
    page.locator("#language-switch").click()
    expect(page).to_have_url(live_server.url + "/?lang=es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Desempeño del servicio al público", timeout=FIRST_RENDER_MS
    )
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Customer service performance", timeout=FIRST_RENDER_MS
    )


def test_unknown_url_is_a_404_page(page, live_server):
    response = _open(page, live_server.url + "/no/such/page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Go to the overview of all agencies")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?lang=es",
        "/?dim=satisfaction&status=not_reported",
        "/?q=vehiculos&lang=es&sort=access",
        "/?period=FY2026&q=zzzz",
        "/missing",
        "/missing?lang=es",
    ],
)
def test_axe_finds_no_violations(page, live_server, path):
    _open(page, live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(page) == []


def test_phone_width_does_not_scroll_sideways(page, live_server):
    page.set_viewport_size({"width": 375, "height": 800})
    _open(page, live_server.url + "/")
    expect(_rows(page)).to_have_count(12)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Each result is labelled with its dimension when the table is stacked.
    label = page.evaluate(
        "getComputedStyle(document.querySelector('#scorecard td'), '::before').content"
    )
    assert label.strip('"') == "Accuracy"


def test_keyboard_skip_link_moves_focus_to_main(page, live_server):
    _open(page, live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
