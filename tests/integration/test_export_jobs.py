"""A page's ZIP built in the background, the tidy chart CSVs and what an exported image says.

No browser: images are stubbed (``exports.render_figure``) where the test reads something
else, so these run anywhere; tests/integration/test_exports.py renders for real.
"""

from __future__ import annotations

import csv
import io
import threading
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.charts import file_stem
from dashboard.domain.tidy_csv import COLUMNS
from dashboard.gateway import queries
from dashboard.infra import db, exports
from dashboard.infra.models import DRAFT, Action, Observation
from dashboard.views.agency import build
from dashboard.web import export_jobs
from dashboard.web.export_jobs import ZipRequest
from dashboard.web.factory import create_app
from data.demo import DRAFT_MARKER
from layouts import page_zip
from layouts.report_figures import report_figure
from tests.demo_stores import DemoStores

#: A page with few charts: one metric's trend (a ZIP of it is quick even when rendered).
AGENCY = "dmv"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory, demo_stores: DemoStores) -> Iterator[str]:
    url = demo_stores.sqlite_copy(tmp_path_factory.mktemp("export-jobs") / "demo.sqlite3")
    yield url
    db.get_engine(url).dispose()


@pytest.fixture
def app(demo_url, tmp_path):  # type: ignore[no-untyped-def]
    # A cache directory of its own: no job of another test is found finished.
    settings = Settings(
        database_url=demo_url,
        export_rate_limit=0,
        cache_type="filesystem",
        cache_dir=str(tmp_path / "cache"),
    )
    return create_app(settings)


class StubRender:
    """``exports.render_figure`` that records what it drew and can be held at a gate."""

    def __init__(self) -> None:
        self.figures: list[dict] = []
        self.gate = threading.Event()
        self.gate.set()
        self.fail: Exception | None = None

    def __call__(self, figure: dict, fmt: str, **kwargs: Any) -> bytes:
        assert self.gate.wait(30), "the test never opened the gate"
        if self.fail is not None:
            raise self.fail
        self.figures.append(figure)
        return f"{fmt}-image".encode()


@pytest.fixture
def render(monkeypatch) -> StubRender:  # type: ignore[no-untyped-def]
    stub = StubRender()
    monkeypatch.setattr(exports, "render_figure", stub)
    return stub


def wait_for(app, job: str, states: tuple[str, ...], limit_s: float = 60) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit_s
    with app.server.app_context():
        while True:
            found = export_jobs.status(job)
            if found is not None and found["state"] in states:
                return found
            assert time.monotonic() < deadline, found
            time.sleep(0.05)


def start(app, path: str = f"/agency/{AGENCY}", **query: str) -> dict:  # type: ignore[no-untyped-def]
    settings = app.server.config["CXDASH_SETTINGS"]
    from callbacks.exports import start_zip

    with app.server.test_request_context("/"):
        return start_zip(settings, ZipRequest.of(path, query))


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


# -- the job ---------------------------------------------------------------------------------


def test_zip_job_reports_progress_then_serves_the_zip_and_a_second_request_joins(app, render):
    render.gate.clear()  # the build waits at its first image
    first = start(app, metric="csat_overall")
    job = first["job"]
    assert first["state"] in ("queued", "running")
    # Held at the first image: charts are counted, none done yet.
    running = wait_for(app, job, ("running",))
    deadline = time.monotonic() + 30
    while not running.get("total") and time.monotonic() < deadline:
        time.sleep(0.05)
        running = wait_for(app, job, ("running",))
    assert running["total"] >= 1 and running["done"] == 0
    words = page_zip.zip_state(running, "en", "x").words
    assert words.startswith(f"Preparing the ZIP: 0 of {running['total']} chart")
    # A second request (another click, another person) joins the job: no second build.
    second = start(app, metric="csat_overall")
    assert second["job"] == job and second["state"] == "running"
    render.gate.set()
    done = wait_for(app, job, ("done", "error"))
    assert done["state"] == "done", done
    assert done["charts"] == done["total"] == running["total"]
    # Each chart drawn once in each format, though two requests asked.
    assert len(render.figures) == 3 * done["total"]
    client = app.server.test_client()
    response = client.get(f"/export-zip/{job}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{done["file_name"]}"'
    )
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "README.txt" in names and len(names) == 1 + 4 * done["total"]
    polled = client.get(f"/export-zip/{job}").get_json()
    assert polled["state"] == "done" and polled["job"] == job
    state = page_zip.zip_state(done, "en", export_jobs.download_path(job))
    assert state.finished and state.words.startswith("The ZIP is ready")
    # Finished: asking again is the same job, done at once.
    assert start(app, metric="csat_overall") | {"updated_at": 0} == done | {"updated_at": 0}


def test_a_second_worker_follows_and_serves_the_job(demo_url, tmp_path, render):
    # Two apps on one filesystem cache stand for two gunicorn workers.
    settings = Settings(
        database_url=demo_url,
        export_rate_limit=0,
        cache_type="filesystem",
        cache_dir=str(tmp_path / "shared"),
    )
    one, two = create_app(settings), create_app(settings)
    render.gate.clear()
    job = start(one, metric="csat_overall")["job"]
    wait_for(one, job, ("running",))
    assert start(two, metric="csat_overall")["job"] == job  # joined, not built again
    polled = two.server.test_client().get(f"/export-zip/{job}").get_json()
    assert polled["state"] in ("queued", "running")
    render.gate.set()
    wait_for(two, job, ("done",))
    assert two.server.test_client().get(f"/export-zip/{job}.zip").data[:2] == b"PK"


def test_a_failed_build_says_why_and_may_be_started_again(app, render):
    render.fail = exports.ExportError("Making the chart image took longer than 20 seconds.")
    job = start(app, metric="csat_overall")["job"]
    failed = wait_for(app, job, ("done", "error"))
    assert failed["state"] == "error" and failed["error"] == "timeout"
    state = page_zip.zip_state(failed, "en", "x")
    assert state.finished and state.link is None
    assert state.words == (
        "The ZIP could not be made: Drawing the charts took too long. Please try again."
    )
    assert "no se pudo" in page_zip.zip_state(failed, "es", "x").words.lower()
    assert app.server.test_client().get(f"/export-zip/{job}.zip").status_code == 404
    # The plain URL answers the same failure in words, with a 503.
    response = app.server.test_client().get(f"/export/agency/{AGENCY}.zip?metric=csat_overall")
    assert response.status_code == 503
    assert "could not be made" in response.get_data(as_text=True)
    # Fixed: asking again builds again.
    render.fail = None
    again = start(app, metric="csat_overall")
    assert again["job"] == job and again["state"] in ("queued", "running", "done")
    assert wait_for(app, job, ("done", "error"))["state"] == "done"


def test_the_plain_zip_url_joins_the_job_and_waits_for_it(app, render):
    response = app.server.test_client().get(f"/export/agency/{AGENCY}.zip?metric=csat_overall")
    assert response.status_code == 200, response.get_data(as_text=True)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert "README.txt" in archive.namelist()
    # The button finds that same job finished.
    assert start(app, metric="csat_overall")["state"] == "done"


def test_the_button_callback_starts_polls_and_links(app, render):
    """The Dash callback as dash-renderer calls it: click, then ticks of the interval."""
    from dashboard.web.pages import PageContext

    query = {"metric": "csat_overall", "lang": "es"}
    context = PageContext("es", f"/agency/{AGENCY}", query, None)  # type: ignore[arg-type]
    request = export_jobs.request_of_href(context.zip_href()).data()
    assert request == {
        "path": f"/agency/{AGENCY}",
        "query": {"metric": "csat_overall", "lang": "es"},
    }
    client = app.server.test_client()
    client.get("/")  # Dash's callback map is ready

    def call(trigger: str, job: str | None) -> dict:
        body = {
            "output": "..page-zip-job.data...page-zip-status.children...page-zip-progress.value..."
            "page-zip-progress.max...page-zip-progress.hidden...page-zip-link.children..."
            "page-zip-poll.disabled...page-zip-button.disabled..",
            "outputs": [
                {"id": i, "property": p}
                for i, p in [
                    (page_zip.JOB, "data"),
                    (page_zip.STATUS, "children"),
                    (page_zip.PROGRESS, "value"),
                    (page_zip.PROGRESS, "max"),
                    (page_zip.PROGRESS, "hidden"),
                    (page_zip.LINK, "children"),
                    (page_zip.POLL, "disabled"),
                    (page_zip.BUTTON, "disabled"),
                ]
            ],
            "inputs": [
                {"id": page_zip.BUTTON, "property": "n_clicks", "value": 1},
                {"id": page_zip.POLL, "property": "n_intervals", "value": 1},
            ],
            "state": [
                {"id": page_zip.REQUEST, "property": "data", "value": request},
                {"id": page_zip.JOB, "property": "data", "value": job},
            ],
            "changedPropIds": [
                f"{trigger}.{'n_clicks' if trigger == page_zip.BUTTON else 'n_intervals'}"
            ],
        }
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["response"]

    clicked = call(page_zip.BUTTON, None)
    job = clicked[page_zip.JOB]["data"]
    assert export_jobs.is_job(job)
    assert clicked[page_zip.BUTTON]["disabled"] is True
    assert "ZIP" in clicked[page_zip.STATUS]["children"]
    wait_for(app, job, ("done",))
    polled = call(page_zip.POLL, job)
    assert polled[page_zip.POLL]["disabled"] is True
    assert polled[page_zip.STATUS]["children"].startswith("El ZIP está listo")
    link = polled[page_zip.LINK]["children"]
    assert link["props"]["href"] == f"/export-zip/{job}.zip"


@pytest.mark.parametrize(
    "path", ["/export-zip/", "/export-zip/nope", "/export-zip/nope.zip", "/export-zip/a/b"]
)
def test_unknown_zip_addresses_are_404(app, path):
    assert app.server.test_client().get(path).status_code == 404


def test_request_from_refuses_what_no_page_sends():
    assert export_jobs.request_from({"path": "/agency/dmv", "query": {"lang": "es"}}) == (
        ZipRequest.of("/agency/dmv", {"lang": "es"})
    )
    for bad in (
        None,
        "x",
        {"path": 3},
        {"path": "agency/dmv"},
        {"path": "/no-such-page/at/all"},
        {"path": "/agency/dmv", "query": {"lang": 3}},
        {"path": "/agency/dmv", "query": {"lang": "x" * 500}},
    ):
        assert export_jobs.request_from(bad) is None, bad
    assert export_jobs.request_of_href("/export.zip?lang=es") == ZipRequest.of("/", {"lang": "es"})


# -- the tidy CSV ----------------------------------------------------------------------------


def test_chart_csv_is_tidy_with_numbers_as_numbers(app, demo_url):
    client = app.server.test_client()
    status = queries.data_status(demo_url)
    agency_name = next(a for a in queries.list_agencies(demo_url) if a["slug"] == AGENCY)
    for language in ("en", "es"):
        rows = read_csv(
            client.get(f"/download/agency/{AGENCY}/csat_overall.csv?lang={language}").get_data(
                as_text=True
            )
        )
        header, body = rows[0], rows[1:]
        assert tuple(header) == COLUMNS  # the same columns in every language
        assert body
        record = [dict(zip(header, row, strict=True)) for row in body]
        assert {r["measure_code"] for r in record} == {"csat_overall"}
        assert {r["unit_type"] for r in record} == {"agency"}
        assert {r["as_of"] for r in record} == {status.as_of.isoformat()}
        assert all(r["agency"] and r["period_start"] <= r["period_end"] for r in record)
        for r in record:
            if r["value"]:
                float(r["value"])  # a number, nothing else in the cell
            if r["target"]:
                float(r["target"])
                assert r["target_comparator"] in ("≥", "≤", ">", "<", "=")
            assert r["status"] in ("met", "missed", "no target", "not reported", "")
            assert r["small_sample"] in ("true", "false")
            assert r["revised"] in ("true", "false")
            assert "%" not in r["value"] + r["target"]
        assert any(r["target"] for r in record) and any(r["status"] == "met" for r in record)
        name = agency_name.get(f"name_{language}") or agency_name["name_en"]
        assert {r["agency"] for r in record} == {r["unit"] for r in record} == {name}


def test_breakdown_and_service_csvs_name_their_measure_and_unit(app, demo_url):
    settings = app.server.config["CXDASH_SETTINGS"]
    view = build(
        demo_url, settings, Route("agency", {"agency": AGENCY}), {"segment": "channel"}, "en"
    )
    client = app.server.test_client()
    breakdown = view.breakdowns[0]
    rows = read_csv(
        client.get(f"/download/agency/{AGENCY}/{breakdown.chart_id}.csv?segment=channel").get_data(
            as_text=True
        )
    )
    record = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    code = breakdown.chart_id.partition("-by-")[0]
    assert {r["measure_code"] for r in record} == {code}
    assert {r["segment"] for r in record} == {"channel"}
    assert all(r["group"] for r in record)
    service = next(item for item in view.services if item.sparkline is not None)
    spark = service.sparkline
    assert spark is not None
    rows = read_csv(
        client.get(f"/download/agency/{AGENCY}/{spark.chart_id}.csv").get_data(as_text=True)
    )
    record = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {r["unit"] for r in record} == {service.name}
    assert {r["unit_type"] for r in record} == {"service"}
    assert {r["agency"] for r in record} == {view.agency_name}
    (code,) = {r["measure_code"] for r in record}
    assert code in {metric["code"] for metric in queries.metrics(demo_url)}
    assert spark.file_stem == file_stem(service.slug, code, "all")
    line = next(trace for trace in spark.traces if trace.kind == "line")
    assert {r["measure"] for r in record} == {line.name}


def test_home_csv_has_the_same_columns(app):
    client = app.server.test_client()
    from dashboard.web.pages import PAGES, page_view

    settings = app.server.config["CXDASH_SETTINGS"]
    with app.server.test_request_context("/"):
        view, _status = page_view(settings, Route("home"), {}, "en")
    chart = PAGES["home"].charts(view)[0]
    rows = read_csv(client.get(f"/download/{chart.chart_id}.csv").get_data(as_text=True))
    assert tuple(rows[0]) == COLUMNS
    record = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {r["unit_type"] for r in record} == {"all"}
    assert any(r["value"] for r in record)
    for r in record:
        if r["value"]:
            float(r["value"])


# -- what an image says (the figure dict: no browser) ----------------------------------------


def _panel_with(view: Any, statuses: set[str]) -> Any:
    return next(p for p in view.panels if {a.status for a in p.actions} & statuses)


def test_image_title_target_and_actions_are_in_the_image(app, demo_url):
    from callbacks.exports import report_chart, resolve_page

    settings = app.server.config["CXDASH_SETTINGS"]
    with app.server.test_request_context("/"):
        export = resolve_page(settings, f"/agency/{AGENCY}", {})
    assert export is not None
    panel = _panel_with(export.view, {"completed", "in_progress", "planned"})
    spec = next(c for c in export.charts if c.chart_id == panel.code)
    drawn, report = report_chart(export, spec)
    figure = report_figure(drawn, report)
    layout = figure["layout"]
    title = layout["title"]["text"]
    assert export.view.name in title and panel.name in title and "—" in title
    assert "Target in " in layout["title"]["subtitle"]["text"]
    texts = "\n".join(a["text"] for a in layout["annotations"])
    assert "Actions on this measure" in texts
    for action in panel.actions:
        assert action.title.replace("&", "&amp;").replace("<", "&lt;") in texts
    # The page's note points to a list "below the chart": the image has its own list instead.
    assert "listed below the chart" not in texts
    # Done before under way before planned: planned kept apart from what was done.
    lines = texts.split("<br>")
    order = ("Done", "In progress", "Planned")
    kinds = [
        next(i for i, word in enumerate(order) if line.startswith(word))
        for line in lines
        if line.startswith(order)
    ]
    assert kinds == sorted(kinds) and len(kinds) == len(panel.actions)


def test_exports_hold_no_draft_and_no_internal_note(app, demo_url, render):
    with db.session_factory(demo_url)() as session:
        secrets = [DRAFT_MARKER]
        for action in session.scalars(select(Action).where(Action.visibility == DRAFT)):
            secrets += [text for text in (action.title_en, action.title_es) if text]
        secrets += [
            note
            for note in session.scalars(
                select(Observation.internal_note).where(Observation.internal_note.is_not(None))
            )
            if note
        ]
    assert len(secrets) > 1, "the demo has drafts and notes to look for"
    response = app.server.test_client().get(f"/export/agency/{AGENCY}.zip")
    assert response.status_code == 200, response.get_data(as_text=True)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    written = [
        archive.read(name).decode("utf-8")
        for name in archive.namelist()
        if name.endswith((".csv", ".txt"))
    ]
    drawn = [repr(figure) for figure in render.figures]
    for secret in secrets:
        assert not any(secret in text for text in written + drawn), secret
