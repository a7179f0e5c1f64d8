"""Chart image downloads on a real page: every chart links its PNG, SVG and PDF, the page its
ZIP; the links carry the page's permalink parameters, download real files, and axe still
finds nothing."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.gateway import queries
from tests.browser.charts import open_page
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def fiscal_year(database_url: str) -> str:
    calendar = FiscalCalendar()
    return calendar.year_label(calendar.fiscal_year(queries.data_status(database_url).as_of))


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_chart_links_its_images_and_axe_finds_nothing(
    page, live_server, demo_database, language
):
    year = fiscal_year(demo_database)
    open_page(page, f"{live_server.url}/agency/dmv?period={year}&lang={language}")
    panels = page.locator("section.chart-panel")
    count = panels.count()
    assert count > 0
    word = {"en": "PNG image", "es": "Imagen PNG"}[language]
    for index in range(count):
        panel = panels.nth(index)
        title = panel.locator("h3").first.inner_text()
        csv = panel.locator("a.chart-csv").get_attribute("href")
        assert csv and csv.startswith("/download/agency/dmv/")
        images = panel.locator("a.chart-image")
        hrefs = [images.nth(i).get_attribute("href") for i in range(images.count())]
        stem = csv.split("?")[0].removeprefix("/download/").removesuffix(".csv")
        assert [h.split("?")[0] for h in hrefs] == [
            f"/export/{stem}.{f}" for f in ("png", "svg", "pdf")
        ]
        for href in hrefs:
            assert f"period={year}" in href and (language == "en" or "lang=es" in href)
        # The accessible name tells one chart's "PNG image" from another's.
        expect(panel.get_by_role("link", name=f"{word}", exact=False).first).to_have_attribute(
            "aria-label",
            f"{word} "
            + ("of the chart “" if language == "en" else "del gráfico «")
            + title
            + ("”" if language == "en" else "»"),
        )
    zip_link = page.locator("#page-downloads-zip")
    expect(zip_link).to_be_visible()
    assert zip_link.get_attribute("href").startswith("/export/agency/dmv.zip?")

    page.locator("details.chart-table").first.locator("summary").click()
    assert axe_violations(page) == []
    assert page.outside_requests == []


def test_png_link_downloads_a_real_image(page, live_server):
    open_page(page, f"{live_server.url}/agency/dmv")
    link = page.locator("a.chart-image").first
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("dmv_") and download.suggested_filename.endswith(
        ".png"
    )
    body = Path(download.path()).read_bytes()
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", body[16:24]) == (2000, 1200)


def test_home_page_offers_its_zip(page, live_server):
    open_page(page, f"{live_server.url}/")
    zip_link = page.locator("#page-downloads-zip")
    expect(zip_link).to_be_visible()
    response = page.request.get(live_server.url + zip_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.body()[:2] == b"PK"
