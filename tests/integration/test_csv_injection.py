"""No CSV the app writes hands a spreadsheet a formula (issue 11, CSV injection).

A demo store whose published agency, service, metric, action, contact point and segment
texts are formula payloads (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``@SUM(1+1)``,
``-2+3``, a tab then ``=1``); then every CSV output is read back cell by cell: the API's CSV
endpoints (every resource and the data dictionary), the download-all ZIP's members, every
chart CSV of the agency's page and the CSVs inside the page's export ZIP. No cell may start
with a character a spreadsheet reads as a formula, and each payload is there, behind the
quote (so the test sees the neutralised text, not its absence). Numbers stay numbers: a
negative value is still written "-3.5", not "'-3.5".
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.infra import db, exports
from dashboard.infra.db import session_scope
from dashboard.infra.models import PUBLISHED, Action, ContactPoint, Observation, Unit
from dashboard.open_data.resources import API_PREFIX, MAX_LIMIT, RESOURCES, ZIP_PATH
from dashboard.views.agency import build, charts
from dashboard.web.factory import create_app
from tests.demo_stores import DemoStores

AGENCY = "dmv"
PAYLOADS = {
    "agency": '=HYPERLINK("http://x","y")',
    "service": "+cmd|' /C calc'!A0",
    "metric": "@SUM(1+1)",
    "action": "-2+3",
    "contact": "\t=1",
    "segment": "=hyperlink(1)",
}


def poison(url: str) -> str:
    """Put the payloads into published rows of ``AGENCY``; the metric's code."""
    with session_scope(url) as session:
        agency = session.scalars(select(Unit).where(Unit.slug == AGENCY)).one()
        agency.name_en = PAYLOADS["agency"]
        service = session.scalars(
            select(Unit).where(Unit.parent_id == agency.id, Unit.visibility == PUBLISHED)
        ).first()
        assert service is not None
        service.name_en = PAYLOADS["service"]
        action = session.scalars(
            select(Action).where(Action.unit_id == agency.id, Action.visibility == PUBLISHED)
        ).first()
        assert action is not None and action.metrics
        action.title_en = PAYLOADS["action"]
        metric = action.metrics[0]
        metric.name_en = PAYLOADS["metric"]
        contact = session.scalars(
            select(ContactPoint).where(
                ContactPoint.unit_id == agency.id, ContactPoint.visibility == PUBLISHED
            )
        ).first()
        assert contact is not None
        contact.label_en = PAYLOADS["contact"]
        observations = session.scalars(
            select(Observation).where(
                Observation.unit_id == agency.id, Observation.segment_type == "channel"
            )
        ).all()
        assert observations, "the demo has channel breakdowns"
        channel = observations[0].segment_value
        for observation in observations:
            if observation.segment_value == channel:
                observation.segment_value = PAYLOADS["segment"]
        return str(metric.code)


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_stores: DemoStores) -> Iterator[tuple[str, str]]:
    url = demo_stores.sqlite_copy(tmp_path_factory.mktemp("csv-injection") / "demo.sqlite3")
    code = poison(url)
    yield url, code
    db.get_engine(url).dispose()


@pytest.fixture(scope="module")
def client(store):  # type: ignore[no-untyped-def]
    url, _code = store
    app = create_app(Settings(database_url=url, export_rate_limit=0))
    return app.server.test_client()


def formula_like(cell: str) -> bool:
    """What a spreadsheet may run: OWASP's first characters, unless the cell is a number
    (written here, not imported from the code under test)."""
    if not cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


def cells(text: str) -> list[str]:
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    return [cell for row in rows for cell in row]


def assert_neutralised(name: str, text: str) -> list[str]:
    found = cells(text)
    dangerous = [cell for cell in found if formula_like(cell)]
    assert not dangerous, (name, dangerous[:5])
    return found


def test_api_csv_endpoints(client, store) -> None:
    found: list[str] = []
    for resource in RESOURCES:
        offset = 0
        while True:
            query = f"limit={MAX_LIMIT}&offset={offset}"
            if resource.name == "observations":
                query += f"&unit={AGENCY}"
            response = client.get(f"{resource.csv_path}?{query}")
            assert response.status_code == 200, (resource.name, response.get_data(as_text=True))
            page = assert_neutralised(resource.csv_path, response.get_data(as_text=True))
            found += page
            if "next" not in response.headers.get("Link", ""):
                break
            offset += MAX_LIMIT
    dictionary = client.get(f"{API_PREFIX}/data-dictionary.csv")
    assert dictionary.status_code == 200
    assert_neutralised("data-dictionary.csv", dictionary.get_data(as_text=True))
    for payload in PAYLOADS.values():
        assert "'" + payload in found, payload


def test_download_zip_members(client) -> None:
    response = client.get(ZIP_PATH)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    found: list[str] = []
    for name in archive.namelist():
        if name.endswith(".csv"):
            found += assert_neutralised(name, archive.read(name).decode("utf-8"))
    for payload in PAYLOADS.values():
        assert "'" + payload in found, payload


def _agency_charts(url: str, query: dict[str, str]) -> list:  # type: ignore[type-arg]
    route = Route("agency", {"agency": AGENCY})
    return charts(build(url, Settings(database_url=url), route, query, "en"))


def test_chart_csvs(client, store) -> None:
    url, _code = store
    found: list[str] = []
    # The page as it opens, and with the breakdown by channel (its group column names the
    # payload segment).
    for query in ("", "segment=channel"):
        specs = _agency_charts(url, dict([query.split("=")]) if query else {})
        assert specs
        for spec in specs:
            response = client.get(f"/download/agency/{AGENCY}/{spec.chart_id}.csv?{query}")
            assert response.status_code == 200, spec.chart_id
            found += assert_neutralised(spec.chart_id, response.get_data(as_text=True))
    assert "'" + PAYLOADS["segment"].capitalize() in found
    # Values stay numbers: no number was quoted.
    assert not any(cell.startswith("'") and cell[1:].lstrip("-").isdigit() for cell in found)


def test_page_export_zip_csvs(client, store, monkeypatch) -> None:
    # The CSVs are what this test reads: the images are stubbed (no browser needed).
    monkeypatch.setattr(exports, "render_figure", lambda *args, **kwargs: b"image")
    response = client.get(f"/export/agency/{AGENCY}.zip?segment=channel")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    found: list[str] = []
    members = [name for name in archive.namelist() if name.endswith(".csv")]
    assert members
    for name in members:
        found += assert_neutralised(name, archive.read(name).decode("utf-8"))
    assert "'" + PAYLOADS["segment"].capitalize() in found
