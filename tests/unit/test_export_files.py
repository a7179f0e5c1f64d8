"""What a chart export is made of (dashboard.web.export_files): sizes, cache keys, the ZIP."""

from __future__ import annotations

import io
import zipfile

import pytest

from dashboard.domain.charts import ChartSpec, TableColumn
from dashboard.infra.exports import ExportError
from dashboard.web import export_files
from dashboard.web.export_files import (
    MAX_SIZE,
    MIN_SIZE,
    BadSize,
    ZipTooLarge,
    build_zip,
    file_stems,
    image_cache_key,
    page_args,
    parse_size,
)

DEFAULT = (1000, 600)


def spec(chart_id: str, stem: str = "dmv_csat", title: str = "Satisfaction") -> ChartSpec:
    return ChartSpec(
        chart_id=chart_id,
        title=title,
        summary="",
        y_title="%",
        traces=[],
        columns=[TableColumn("period", "Período"), TableColumn("value", "Value", "number")],
        rows=[{"period": "FY2026 Q1", "value": 81.5}, {"period": "FY2026 Q2", "value": None}],
        file_stem=stem,
    )


def fake_render(chart: ChartSpec, fmt: str) -> bytes:
    return f"{chart.chart_id}.{fmt}".encode()


# -- size ----------------------------------------------------------------------------------


def test_size_defaults_when_absent_or_empty():
    assert parse_size({}, DEFAULT) == DEFAULT
    assert parse_size({"width": "", "height": ""}, DEFAULT) == DEFAULT
    assert parse_size({"width": "800"}, DEFAULT) == (800, 600)


def test_size_takes_the_bounds_themselves():
    assert parse_size({"width": str(MIN_SIZE), "height": str(MAX_SIZE)}, DEFAULT) == (
        MIN_SIZE,
        MAX_SIZE,
    )


@pytest.mark.parametrize(
    "args",
    [
        {"width": str(MIN_SIZE - 1)},
        {"height": str(MAX_SIZE + 1)},
        {"width": "-500"},
        {"width": "800.5"},
        {"height": "big"},
    ],
)
def test_a_bad_size_is_refused(args):
    with pytest.raises(BadSize):
        parse_size(args, DEFAULT)


def test_page_args_leave_out_the_image_size():
    args = {"lang": "es", "metric": "csat", "width": "800", "height": "400"}
    assert page_args(args) == {"lang": "es", "metric": "csat"}


# -- cache keys ----------------------------------------------------------------------------


def test_cache_key_is_stable_and_prefixed():
    key = image_cache_key("http://x/agency/dmv?lang=es", "trend", "png", 1000, 600, "v1")
    assert key == image_cache_key("http://x/agency/dmv?lang=es", "trend", "png", 1000, 600, "v1")
    assert key.startswith("export:") and len(key) == len("export:") + 64


@pytest.mark.parametrize(
    "changed",
    [
        ("http://y/agency/dmv?lang=es", "trend", "png", 1000, 600, "v1"),  # another host
        ("http://x/agency/dmv", "trend", "png", 1000, 600, "v1"),  # another query
        ("http://x/agency/dmv?lang=es", "volume", "png", 1000, 600, "v1"),
        ("http://x/agency/dmv?lang=es", "trend", "svg", 1000, 600, "v1"),
        ("http://x/agency/dmv?lang=es", "trend", "png", 1200, 600, "v1"),
        ("http://x/agency/dmv?lang=es", "trend", "png", 1000, 700, "v1"),
        ("http://x/agency/dmv?lang=es", "trend", "png", 1000, 600, "v2"),  # data published
    ],
)
def test_cache_key_changes_with_everything_the_image_shows(changed):
    base = image_cache_key("http://x/agency/dmv?lang=es", "trend", "png", 1000, 600, "v1")
    assert image_cache_key(*changed) != base


def test_png_is_drawn_at_twice_the_scale():
    assert export_files.png_scale("png") == 2.0
    assert export_files.png_scale("svg") == export_files.png_scale("pdf") == 1.0


# -- the ZIP -------------------------------------------------------------------------------


def test_file_stems_are_unique():
    charts = [spec("trend"), spec("volume"), spec("other", stem="dmv_other")]
    assert file_stems(charts) == ["dmv_csat", "dmv_csat_volume", "dmv_other"]


def test_zip_holds_every_chart_in_every_format_with_its_csv_and_a_readme():
    charts = [spec("trend", title="Trend"), spec("volume", title="Volume")]
    body, names = build_zip(charts, fake_render, ["head line", ""], time_limit_s=60)
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(names) == sorted(archive.namelist())
    assert names == [
        "README.txt",
        *(f"dmv_csat.{ext}" for ext in ("png", "svg", "pdf", "csv")),
        *(f"dmv_csat_volume.{ext}" for ext in ("png", "svg", "pdf", "csv")),
    ]
    assert archive.read("dmv_csat.png") == b"trend.png"
    assert archive.read("dmv_csat_volume.pdf") == b"volume.pdf"
    csv_bytes = archive.read("dmv_csat.csv")
    assert csv_bytes.startswith("\ufeff".encode())  # spreadsheets read the accents right
    assert csv_bytes.decode("utf-8-sig").splitlines() == [
        "Período,Value",
        "FY2026 Q1,81.5",
        "FY2026 Q2,",
    ]
    readme = archive.read("README.txt").decode()
    assert readme.splitlines() == [
        "head line",
        "",
        "- Trend: dmv_csat.png, dmv_csat.svg, dmv_csat.pdf, dmv_csat.csv",
        "- Volume: dmv_csat_volume.png, dmv_csat_volume.svg, dmv_csat_volume.pdf, "
        "dmv_csat_volume.csv",
    ]


def test_zip_stores_png_and_pdf_and_deflates_svg_and_csv():
    body, _names = build_zip([spec("trend")], fake_render, [], time_limit_s=60)
    kinds = {
        info.filename: info.compress_type for info in zipfile.ZipFile(io.BytesIO(body)).infolist()
    }
    assert kinds["dmv_csat.png"] == kinds["dmv_csat.pdf"] == zipfile.ZIP_STORED
    assert kinds["dmv_csat.svg"] == kinds["dmv_csat.csv"] == zipfile.ZIP_DEFLATED


def test_zip_of_a_page_without_charts_is_just_the_readme():
    body, names = build_zip([], fake_render, ["nothing"], time_limit_s=60)
    assert names == ["README.txt"]
    assert zipfile.ZipFile(io.BytesIO(body)).read("README.txt") == b"nothing\n"


def test_zip_too_large_is_refused():
    with pytest.raises(ZipTooLarge):
        build_zip([spec("trend")], fake_render, [], time_limit_s=60, max_bytes=10)


def test_zip_past_its_time_limit_stops():
    ticks = iter(range(0, 1000, 50))
    rendered: list[str] = []

    def render(chart: ChartSpec, fmt: str) -> bytes:
        rendered.append(chart.chart_id)
        return b"x"

    charts = [spec("a"), spec("b", stem="b"), spec("c", stem="c")]
    with pytest.raises(ExportError, match="took too long"):
        build_zip(charts, render, [], time_limit_s=60, clock=lambda: next(ticks))
    assert rendered == ["a", "a", "a"]  # the second chart was not started
