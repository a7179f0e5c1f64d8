"""Chart image downloads on a real page: every chart links its PNG, SVG and PDF, the page its
ZIP button, which prepares the ZIP in the background with its progress shown; the links carry
the page's permalink parameters, download real files, and axe still finds nothing."""

from __future__ import annotations

import io
import re
import struct
import threading
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.domain.fiscal import FiscalCalendar
from dashboard.gateway import queries
from dashboard.infra import exports
from tests.browser.charts import open_page
from tests.browser.conftest import AXE_SCRIPT, axe_violations

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
    # The page's ZIP is a button: it is prepared in the background (test_page_zip_progress).
    expect(page.locator("#page-zip-button")).to_be_visible()

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


class GatedRender:
    """``exports.render_figure`` held at a gate, so the test sees the ZIP under way."""

    def __init__(self) -> None:
        self.gate = threading.Event()

    def __call__(self, figure: dict, fmt: str, **kwargs: object) -> bytes:
        assert self.gate.wait(60), "the test never opened the gate"
        return f"{fmt}-image".encode()


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("es", 375)])
def test_page_zip_progress(page, live_server, monkeypatch, request, language, width):
    """Click: "Preparing … n of m charts" with a progress bar, announced politely; then the
    link to the finished ZIP, which downloads it. axe finds nothing while it is under way."""
    render = GatedRender()
    monkeypatch.setattr(exports, "render_figure", render)
    request.addfinalizer(render.gate.set)  # a failed test leaves no build waiting
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, f"{live_server.url}/?lang={language}")
    button = page.locator("#page-zip-button")
    expect(button).to_be_visible()
    status = page.locator("#page-zip-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    button.click()
    words = {
        "en": r"Preparing the ZIP: 0 of \d+ charts…",
        "es": r"Preparando el ZIP: 0 de \d+ gráficos…",
    }
    expect(status).to_have_text(re.compile(words[language]), timeout=30_000)
    expect(page.locator("#page-zip-progress")).to_be_visible()
    expect(button).to_be_disabled()
    assert zip_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    render.gate.set()
    link = page.locator("#page-zip-download")
    expect(link).to_be_visible(timeout=60_000)
    ready = {"en": "The ZIP is ready", "es": "El ZIP está listo"}[language]
    expect(status).to_contain_text(ready)
    expect(button).to_be_enabled()
    with page.expect_download() as info:
        link.click()
    body = Path(info.value.path()).read_bytes()
    assert body[:2] == b"PK"
    assert "README.txt" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert zip_violations(page) == []
    assert page.outside_requests == []


def zip_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """axe's violations inside the ZIP control (the rest of the page is other tests' business:
    test_every_chart_links_its_images_and_axe_finds_nothing scans it whole)."""
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        """async () => await axe.run('#page-zip', {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']}
        })"""
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]
