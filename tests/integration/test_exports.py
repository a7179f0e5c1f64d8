"""Chart image exports, rendered for real by Kaleido in Debian's Chromium.

The images are opened and checked: a PNG's IHDR holds the requested size × 2 (scale), a PDF
page's MediaBox the requested size in points, an SVG the chart's title, its target line and
the "data as of" footer. Also the page ZIP, the 404s, the rate limit (429), the cache, and the
time limit: a hung render fails within its limit and the next export works.
"""

from __future__ import annotations

import asyncio
import html
import io
import re
import struct
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.charts import ChartSpec
from dashboard.gateway import queries
from dashboard.infra import db, exports
from dashboard.views.agency import build, charts
from dashboard.web.factory import create_app
from tests.conftest import IN_CI, redis_pattern
from tests.demo_stores import DemoStores

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not IN_CI, reason="Debian's chromium is not installed"
)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory, demo_stores: DemoStores) -> Iterator[str]:
    url = demo_stores.sqlite_copy(tmp_path_factory.mktemp("exports") / "demo.sqlite3")
    yield url
    db.get_engine(url).dispose()


@pytest.fixture(scope="module")
def agency(demo_url) -> str:
    return queries.list_agencies(demo_url)[0]["slug"]


@pytest.fixture(scope="module")
def chart(demo_url, agency) -> ChartSpec:
    """The agency's first trend chart with a target line."""
    view = build(
        demo_url, Settings(database_url=demo_url), Route("agency", {"agency": agency}), {}, "en"
    )
    return next(c for c in charts(view) if any(t.kind == "target" for t in c.traces))


@pytest.fixture(scope="module")
def client(demo_url):  # type: ignore[no-untyped-def]
    app = create_app(Settings(database_url=demo_url, export_rate_limit=0))
    return app.server.test_client()


#: A moment 10 s into a minute (1_800_000_000 is a multiple of 60).
MID_MINUTE = 1_800_000_010.0


class _StoppedClock:
    """The ``time`` module as the rate limit sees it, with ``time()`` stopped at one moment."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


@pytest.fixture
def rate_limit_clock(monkeypatch) -> _StoppedClock:  # type: ignore[no-untyped-def]
    """The rate limit's clock stopped mid-minute, so that every request of a test falls in one
    window however slow the machine is (no waiting for the next minute, no flaky edge)."""
    from dashboard.infra import rate_limit

    clock = _StoppedClock(MID_MINUTE)
    monkeypatch.setattr(rate_limit, "time", clock)
    return clock


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", body[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", body[16:24])


def pdf_media_box(body: bytes) -> tuple[float, ...]:
    assert body.startswith(b"%PDF-"), "not a PDF"
    assert body.rstrip().endswith(b"%%EOF")
    found = re.findall(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", body)
    assert found, "no MediaBox"
    return tuple(float(n) for n in found[0].split())


def test_png_is_twice_the_requested_size(client, agency, chart):
    response = client.get(f"/export/agency/{agency}/{chart.chart_id}.png?width=800&height=500")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "image/png"
    assert png_size(response.data) == (1600, 1000)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{chart.file_stem}.png"'
    )


def test_pdf_page_is_the_requested_size(client, agency, chart):
    response = client.get(f"/export/agency/{agency}/{chart.chart_id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    # 1000 × 600 CSS pixels at 96 an inch: 750 × 450 points.
    assert pdf_media_box(response.data) == (0, 0, 750, 450)
    assert f'filename="{chart.file_stem}.pdf"' in response.headers["Content-Disposition"]


def test_svg_holds_title_target_line_and_footer(client, demo_url, agency, chart):
    response = client.get(f"/export/agency/{agency}/{chart.chart_id}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg")
    assert chart.title in svg
    target = next(t for t in chart.traces if t.kind == "target")
    assert target.name in svg  # in the legend
    assert "stroke-dasharray" in svg  # the dashed target line itself
    assert chart.y_title in svg  # the unit
    assert "Data as of" in svg
    assert f"http://localhost/agency/{agency}" in svg  # the permalink
    for note in chart.notes:
        if "listed below the chart" not in note:  # the page's pointer to its own list
            assert note.split()[0] in svg
    # The title names the agency as well as the measure; the target in force is printed.
    name = next(a["name_en"] for a in queries.list_agencies(demo_url) if a["slug"] == agency)
    assert f"{html.escape(name, quote=False)} — {chart.title}" in svg
    assert "Target in " in svg


def test_svg_lists_the_actions_in_the_image(client, demo_url, agency):
    view = build(
        demo_url, Settings(database_url=demo_url), Route("agency", {"agency": agency}), {}, "en"
    )
    panel = next(p for p in view.panels if p.actions)
    svg = client.get(f"/export/agency/{agency}/{panel.code}.svg").get_data(as_text=True)
    assert "Actions on this measure" in svg
    for action in panel.actions:
        assert html.escape(action.title, quote=False) in svg
    assert "listed below the chart" not in svg
    words = {"completed": "Done", "in_progress": "In progress since", "planned": "Planned"}
    for status in {action.status for action in panel.actions}:
        assert words[status] in svg


def test_spanish_export_speaks_spanish(client, agency, chart):
    svg = client.get(f"/export/agency/{agency}/{chart.chart_id}.svg?lang=es").get_data(as_text=True)
    assert "Datos al" in svg and "Fuente:" in svg
    assert f"/agency/{agency}?lang=es" in svg


def test_zip_holds_every_chart_in_every_format(client, demo_url, agency):
    view = build(
        demo_url, Settings(database_url=demo_url), Route("agency", {"agency": agency}), {}, "en"
    )
    specs = charts(view)
    response = client.get(f"/export/agency/{agency}.zip")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    assert f'filename="{agency}_charts.zip"' in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert "README.txt" in names
    assert len(names) == 1 + 4 * len(specs)
    for spec in specs:
        for extension in ("png", "svg", "pdf", "csv"):
            assert f"{spec.file_stem}.{extension}" in names
    first = specs[0]
    assert png_size(archive.read(f"{first.file_stem}.png")) == (2000, 1200)
    assert archive.read(f"{first.file_stem}.pdf").startswith(b"%PDF")
    csv = client.get(f"/download/agency/{agency}/{first.chart_id}.csv").data
    assert archive.read(f"{first.file_stem}.csv") == csv
    readme = archive.read("README.txt").decode()
    assert f"http://localhost/agency/{agency}" in readme and first.title in readme


def test_home_page_zip(client):
    response = client.get("/export.zip?lang=es")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "README.txt" in names and any(name.endswith(".png") for name in names)


def test_zip_is_bounded(demo_url, agency):
    app = create_app(Settings(database_url=demo_url, export_rate_limit=0, export_max_charts=1))
    response = app.server.test_client().get(f"/export/agency/{agency}.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert len(archive.namelist()) == 5
    assert "more charts are not in this ZIP" in archive.read("README.txt").decode()


@pytest.mark.parametrize(
    "path",
    [
        "/export/agency/no-such-agency/csat_overall.png",
        "/export/agency/{agency}/no_such_chart.png",
        "/export/agency/{agency}/{chart}.gif",
        "/export/agency/{agency}/{chart}",
        "/export/agency/no-such-agency.zip",
        "/export/nowhere/{chart}.svg",
        "/export/",
        "/export/agency/{agency}/{chart}.png?metric=no-such-metric",
    ],
)
def test_unknown_page_chart_or_format_is_a_404_page(client, agency, chart, path):
    response = client.get(path.format(agency=agency, chart=chart.chart_id))
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_bad_size_is_a_400_with_a_message(client, agency, chart):
    response = client.get(f"/export/agency/{agency}/{chart.chart_id}.png?width=99999")
    assert response.status_code == 400
    assert "width and height" in response.get_data(as_text=True)


def test_rate_limit_answers_429_with_retry_after(
    demo_url, agency, chart, tmp_path, rate_limit_clock
):
    # Two apps on one filesystem cache stand for two gunicorn workers: the count is shared.
    settings = Settings(
        database_url=demo_url,
        export_rate_limit=3,
        cache_type="filesystem",
        cache_dir=str(tmp_path / "cache"),
    )
    first, second = (create_app(settings).server.test_client() for _ in range(2))
    url = f"/export/agency/{agency}/{chart.chart_id}.svg"
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200
    assert first.get(url).status_code == 200
    refused = second.get(url)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "50"  # the clock stands 10 s into its minute
    assert "Too many downloads" in refused.get_data(as_text=True)
    # Another client is not limited.
    other = first.get(url, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    # The next minute is a new window.
    rate_limit_clock.now += 60
    assert second.get(url).status_code == 200


def test_repeated_export_comes_from_the_cache(client, agency, chart, monkeypatch):
    url = f"/export/agency/{agency}/{chart.chart_id}.png?width=640&height=400"
    calls: list[str] = []
    render = exports.render_figure

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[1])
        return render(*args, **kwargs)

    monkeypatch.setattr(exports, "render_figure", counting)
    first = client.get(url)
    again = client.get(url)
    # Rendered once: the second answer comes from the cache (bench/exports.py times both).
    assert calls == ["png"]
    assert again.data == first.data


def test_a_hung_render_times_out_and_the_next_export_works(monkeypatch):
    figure = {"data": [{"type": "bar", "x": [1, 2], "y": [3, 4]}], "layout": {}}
    exports.render_figure(figure, "png", width=200, height=100)  # the browser is warm

    async def hang(kaleido, figure, opts):  # type: ignore[no-untyped-def]
        # Far past the 1 s limit, yet bounded: a limit that did not work makes this test
        # fail (no ExportError) instead of hanging the suite; no stopwatch is needed.
        await asyncio.sleep(120)
        return b"rendered after all"

    monkeypatch.setattr(exports, "_kaleido_call", hang)
    with pytest.raises(exports.ExportError, match="longer than 1 seconds"):
        exports.render_figure(figure, "png", width=200, height=100, timeout_s=1)
    monkeypatch.undo()
    body = exports.render_figure(figure, "png", width=200, height=100, timeout_s=30)
    assert png_size(body) == (200, 100)


def test_a_failed_render_is_a_503_with_a_message(client, agency, chart, monkeypatch):
    async def hang(kaleido, figure, opts):  # type: ignore[no-untyped-def]
        await asyncio.sleep(3600)

    monkeypatch.setattr(exports, "_kaleido_call", hang)
    app = create_app(
        Settings(
            database_url=client.application.config["CXDASH_SETTINGS"].database_url,
            export_rate_limit=0,
            export_timeout=1,
        )
    )
    response = app.server.test_client().get(
        f"/export/agency/{agency}/{chart.chart_id}.pdf?width=555"
    )
    assert response.status_code == 503
    assert "try again" in response.get_data(as_text=True)
    monkeypatch.undo()
    # The renderer is one per process (dashboard.infra.exports._renderer), so a second app proves
    # that it recovered from the hang; that app's longer time limit keeps a real render on a
    # loaded machine from failing the test for a reason other than the code.
    recovered = create_app(
        Settings(
            database_url=client.application.config["CXDASH_SETTINGS"].database_url,
            export_rate_limit=0,
            export_timeout=60,
        )
    )
    assert (
        recovered.server.test_client()
        .get(f"/export/agency/{agency}/{chart.chart_id}.pdf?width=555")
        .status_code
        == 200
    )


@pytest.mark.parametrize(
    ("fmt", "size"),
    [
        ("gif", (100, 100, 1.0)),
        ("png", (0, 100, 1.0)),
        ("png", (100, 99999, 1.0)),
        ("png", (100, 100, 50.0)),
    ],
)
def test_bad_format_or_size_is_an_export_error(fmt, size):
    width, height, scale = size
    with pytest.raises(exports.ExportError):
        exports.render_figure({"data": []}, fmt, width=width, height=height, scale=scale)


@pytest.mark.redis
def test_rate_limit_is_counted_in_redis(
    demo_url, agency, chart, redis_url, redis_key_prefix, rate_limit_clock
):
    import redis

    settings = Settings(
        database_url=demo_url,
        export_rate_limit=1,
        cache_type="redis",
        cache_redis_url=redis_url,
        cache_key_prefix=redis_key_prefix,
    )
    client = create_app(settings).server.test_client()
    url = f"/export/agency/{agency}/{chart.chart_id}.svg"
    environ = {"REMOTE_ADDR": "192.0.2.77"}
    assert client.get(url, environ_base=environ).status_code == 200
    assert client.get(url, environ_base=environ).status_code == 429
    keys = redis.Redis.from_url(redis_url).keys(redis_pattern(redis_key_prefix + "ratelimit:"))
    assert [key for key in keys if b"192.0.2.77" in key] == keys and len(keys) == 1
