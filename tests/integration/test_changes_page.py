"""The public "What changed" page, each agency's "last updated" date and the revision reason
beside every revised figure (issue 10, part 4), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from callbacks.router import render
from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.formatting import format_day
from dashboard.gateway import queries
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import (
    DRAFT,
    ImportRun,
    Metric,
    Observation,
    ObservationRevision,
    Publication,
    Unit,
)
from dashboard.views import agency as agency_view
from dashboard.views.changes import PAGE_SIZE
from dashboard.web.factory import create_app
from data import accounts
from layouts.figures import figure
from tests.components import texts, walk
from tests.integration.test_speed import router_request

T0 = dt.datetime(2026, 3, 2, 9, 0)
APPROVER = "approver-qz7"
IMPORTER_REASON = "replaced by import #4 of results-2026-02.csv"


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as naive UTC (PostgreSQL gives it with its zone, SQLite without)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def add_catalogue(url: str) -> dict[str, int]:
    """An enterprise with two published agencies and a draft one, and a publisher."""
    with session_scope(url) as session:
        state = Unit(slug="state", kind="enterprise", name_en="State")
        session.add(state)
        ids: dict[str, int] = {}
        for slug, name, name_es, visibility in (
            ("dmv", "Motor Vehicles", "Vehículos Motorizados", "published"),
            ("tax", "Revenue", "Hacienda", "published"),
            ("hidden-bureau", "Hidden Bureau", None, DRAFT),
        ):
            unit = Unit(
                slug=slug,
                kind="agency",
                name_en=name,
                name_es=name_es,
                parent=state,
                visibility=visibility,
            )
            session.add(unit)
            session.flush()
            ids[slug] = unit.id
        user = accounts.create_user(
            session,
            APPROVER,
            "publisher",
            password="correct horse battery staple",
            all_agencies=True,
        )
        ids["user"] = user.id
    return ids


def add_publication(url: str, agency_id: int, at: dt.datetime, **fields: Any) -> None:
    """A publication as data.publication writes one: its ImportRun (which changes the data
    version every page cache key carries) and its Publication row."""
    with session_scope(url) as session:
        run = ImportRun(
            kind="publication",
            file_name="publication",
            checksum="",
            status="succeeded",
            started_at=at,
            finished_at=at,
        )
        session.add(run)
        session.flush()
        session.add(
            Publication(
                published_at=at,
                agency_id=agency_id,
                source=fields.pop("source", "workspace"),
                import_id=run.id,
                **fields,
            )
        )


def page_text(url: str, search: str = "", path: str = "/changes") -> tuple[str, Any, bool]:
    settings = Settings(database_url=url)
    app = create_app(settings)
    with app.server.test_request_context():
        frame, _language, found = render(settings, path, search)
    return texts(frame), frame, found


def test_publications_are_listed_newest_first_with_counts_and_reasons(db_url):
    ids = add_catalogue(db_url)
    add_publication(
        db_url,
        ids["dmv"],
        T0,
        user_id=ids["user"],
        figures_added=3,
        figures_revised=1,
        targets_changed=1,
        actions_changed=2,
        reasons=f"Late returns were counted twice\n{IMPORTER_REASON}\n",
        note="The February figures, and a corrected January.",
    )
    add_publication(db_url, ids["tax"], T0 + dt.timedelta(days=1), closures_changed=1)
    add_publication(db_url, ids["hidden-bureau"], T0 + dt.timedelta(days=2), figures_added=9)

    text, _frame, found = page_text(db_url)
    assert found
    assert "What changed" in text
    assert "3 new figures; 1 revised figure; 1 target changed; 2 actions added or updated" in text
    assert "Late returns were counted twice" in text
    assert "The February figures, and a corrected January." in text
    assert "1 closure added or updated" in text
    listed = text[text.index("Publications 1 to 2 of 2") :]  # after the agency filter
    assert listed.index("Revenue") < listed.index("Motor Vehicles")  # newest first
    assert format_day(T0.date(), "en") in text
    # Never: who approved, the importer's bookkeeping, a draft agency.
    assert APPROVER not in text
    assert "replaced by import" not in text
    assert "Hidden Bureau" not in text and "9 new figures" not in text

    spanish, _frame, _found = page_text(db_url, "?lang=es")
    assert "Qué cambió" in spanish
    assert "3 cifras nuevas; 1 cifra revisada; 1 meta modificada" in spanish
    assert "Vehículos Motorizados" in spanish
    assert format_day(T0.date(), "es") in spanish
    db.dispose_all()


def test_agency_filter_and_page_numbers(db_url):
    ids = add_catalogue(db_url)
    for day in range(PAGE_SIZE * 2 + 5):
        add_publication(db_url, ids["dmv"], T0 + dt.timedelta(days=day), figures_added=day + 1)
    add_publication(db_url, ids["tax"], T0, closures_changed=1)
    client = create_app(Settings(database_url=db_url)).server.test_client()
    for path in ("/changes", "/changes?page=3", "/changes?agency=dmv", "/changes?agency=tax"):
        assert client.get(path).status_code == 200, path
    for path in (
        "/changes?page=4",
        "/changes?page=0",
        "/changes?page=-1",
        "/changes?page=two",
        "/changes?page=1e3",
        "/changes?page=99999999999",
        "/changes?agency=no-such-agency",
        "/changes?agency=hidden-bureau",
        "/changes?agency=tax&page=2",
    ):
        assert client.get(path).status_code == 404, path

    first, frame, _found = page_text(db_url)
    assert f"Publications 1 to {PAGE_SIZE} of {PAGE_SIZE * 2 + 6}" in first
    assert f"{PAGE_SIZE * 2 + 5} new figures" in first  # the newest
    links = {
        node.id: node.href
        for node in walk(frame)
        if getattr(node, "id", None) and getattr(node, "href", None)
    }
    assert links["changes-older"] == "/changes?page=2"
    assert "changes-newer" not in links
    last, _frame, _found = page_text(db_url, "?page=3")
    assert "Publications 41 to 46 of 46" in last
    assert "1 new figure" in last and "1 closure added or updated" in last

    only_tax, _frame, _found = page_text(db_url, "?agency=tax")
    assert "What changed: Revenue" in only_tax
    assert "Motor Vehicles" not in only_tax[only_tax.index("Publications 1 to 1 of 1") :]
    missing, _frame, found = page_text(db_url, "?agency=no-such-agency")
    assert not found and "no-such-agency" in missing
    db.dispose_all()


def test_an_empty_list_says_so(db_url):
    ids = add_catalogue(db_url)
    text, _frame, found = page_text(db_url)
    assert found and "Nothing has been published yet." in text
    add_publication(db_url, ids["tax"], T0, closures_changed=1)
    text, _frame, found = page_text(db_url, "?agency=dmv")
    assert found and "Motor Vehicles has not published anything here yet." in text
    db.dispose_all()


def test_staff_written_text_stays_text(db_url):
    ids = add_catalogue(db_url)
    script = "<script>alert('reason')</script>"
    link = '<a href="https://evil.example/">click</a>'
    add_publication(db_url, ids["dmv"], T0, figures_revised=1, reasons=script, note=link)
    client = create_app(Settings(database_url=db_url)).server.test_client()
    response = client.post("/_dash-update-component", json=router_request("/changes", "", None))
    assert response.status_code == 200
    payload = json.loads(response.get_data(as_text=True))
    strings: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            assert node.get("type") not in ("Script", "Iframe"), node
            assert node.get("props", {}).get("href") != "https://evil.example/"
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)
        elif isinstance(node, str):
            strings.append(node)

    collect(payload)
    # Plain strings (children), which React writes as text, never as markup.
    assert script in strings and link in strings
    db.dispose_all()


def test_the_page_follows_each_new_publication(db_url):
    """Cached like every page, under the data version a publication changes."""
    ids = add_catalogue(db_url)
    add_publication(db_url, ids["dmv"], T0, figures_added=3)
    client = create_app(Settings(database_url=db_url)).server.test_client()
    request = router_request("/changes", "", None)
    assert "3 new figures" in client.post("/_dash-update-component", json=request).text
    add_publication(db_url, ids["tax"], T0 + dt.timedelta(hours=1), targets_changed=2)
    assert "2 targets changed" in client.post("/_dash-update-component", json=request).text
    db.dispose_all()


def test_the_footer_links_to_the_page(db_url):
    add_catalogue(db_url)
    _text, frame, _found = page_text(db_url, "?lang=es", path="/methodology")
    link = next(node for node in walk(frame) if getattr(node, "id", None) == "changes-link")
    assert link.href == "/changes?lang=es"
    db.dispose_all()


# -- last updated ------------------------------------------------------------------------------


def test_last_updated_is_the_latest_publication_or_else_the_latest_figure(db_url):
    ids = add_catalogue(db_url)
    with session_scope(db_url) as session:
        metric = Metric(
            code="ack_rate",
            dimension="responsiveness",
            scale="fraction",
            name_en="Acknowledged",
        )
        session.add(metric)
        session.flush()
        service = Unit(slug="dmv-titles", kind="service", name_en="Titles", parent_id=ids["dmv"])
        session.add(service)
        session.flush()
        for unit_id, published_at in ((ids["dmv"], T0), (service.id, T0 + dt.timedelta(days=3))):
            session.add(
                Observation(
                    unit_id=unit_id,
                    metric_id=metric.id,
                    period_start=dt.date(2026, 1, 1),
                    period_end=dt.date(2026, 1, 31),
                    granularity="month",
                    raw_value=0.9,
                    visibility="published",
                    published_at=published_at,
                )
            )
    # No publication recorded yet (a store from before them): its latest figure, services too.
    assert utc(queries.agency_last_updated(db_url, "dmv")) == T0 + dt.timedelta(days=3)
    add_publication(db_url, ids["dmv"], T0 + dt.timedelta(days=10), figures_added=1)
    add_publication(db_url, ids["tax"], T0 + dt.timedelta(days=20), figures_added=1)
    assert utc(queries.agency_last_updated(db_url, "dmv")) == T0 + dt.timedelta(days=10)
    assert queries.agency_last_updated(db_url, "hidden-bureau") is None
    assert queries.agency_last_updated(db_url, "no-such-agency") is None
    db.dispose_all()


def _revised_figures(url: str, slug: str, count: int) -> tuple[str, list[Observation]]:
    """``count`` published overall figures of a non-survey metric the agency page draws."""
    with session_scope(url) as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.slug == slug))
        code = next(
            row.code
            for row in session.scalars(
                select(Metric).where(Metric.is_survey.is_(False)).order_by(Metric.code)
            )
            if session.scalar(
                select(Observation.id).where(
                    Observation.unit_id == unit_id,
                    Observation.metric_id == row.id,
                    Observation.granularity == "month",
                    Observation.segment_type == "",
                    Observation.visibility == "published",
                    Observation.raw_value.is_not(None),
                )
            )
        )
        return code, list(
            session.scalars(
                select(Observation)
                .join(Metric, Metric.id == Observation.metric_id)
                .where(
                    Observation.unit_id == unit_id,
                    Metric.code == code,
                    Observation.granularity == "month",
                    Observation.segment_type == "",
                    Observation.visibility == "published",
                    Observation.raw_value.is_not(None),
                )
                .order_by(Observation.period_end.desc())
                .limit(count)
            )
        )


def test_the_agency_page_shows_last_updated_and_the_reason_beside_revised_figures(
    demo_copy_url,
):
    url = demo_copy_url
    reason = "Counted <b>twice</b> & fixed <script>x</script>"
    code, (stated, importer) = _revised_figures(url, "dmv", 2)
    at = dt.datetime(2026, 11, 20, 12, 0)
    with session_scope(url) as session:
        agency = session.scalar(select(Unit.id).where(Unit.slug == "dmv"))
        assert agency is not None
        for observation, text in ((stated, reason), (importer, IMPORTER_REASON)):
            session.add(
                ObservationRevision(
                    observation_id=observation.id,
                    raw_value=(observation.raw_value or 0) / 2,
                    revised_at=at,
                    reason=text,
                )
            )
    add_publication(url, agency, at + dt.timedelta(hours=1), figures_revised=2, reasons=reason)

    settings = Settings(database_url=url)
    view = agency_view.build(url, settings, Route("agency", {"agency": "dmv"}), {}, "en")
    assert utc(view.last_updated) == at + dt.timedelta(hours=1)
    panel = next(panel for panel in view.panels if panel.code == code)
    rows = {row["period_end"]: row for row in panel.chart.rows}
    stated_notes = rows[stated.period_end.isoformat()]["notes"]
    importer_notes = rows[importer.period_end.isoformat()]["notes"]
    assert f"Reason: {reason}" in stated_notes and "Revised on" in stated_notes
    assert "Revised on" in importer_notes and "Reason" not in importer_notes
    assert "replaced by import" not in json.dumps(panel.chart.rows + panel.chart.notes)
    assert any(f"Reason: {reason}" in note for note in panel.chart.notes)
    hovers = [
        text for trace in panel.chart.traces if trace.kind == "line" for text in trace.text or []
    ]
    # The view's hover text is plain text; Plotly reads tags in hover text, so the figure
    # escapes it (once: "&" must not become "&amp;amp;").
    assert any(reason in hover for hover in hovers)
    drawn = [
        text
        for trace in figure(panel.chart)["data"]
        if trace.get("mode") == "lines+markers"
        for text in trace.get("text") or []
    ]
    escaped = "Counted &lt;b&gt;twice&lt;/b&gt; &amp; fixed &lt;script&gt;x&lt;/script&gt;"
    assert any(escaped in hover for hover in drawn)
    assert not any("<b>twice" in hover or "<script>" in hover for hover in drawn)

    text, frame, found = page_text(url, "?lang=es", path="/agency/dmv")
    assert found
    assert f"Última actualización: {format_day(at.date(), 'es')}" in " ".join(text.split())
    assert f"Motivo: {reason}" in text
    link = next(node for node in walk(frame) if getattr(node, "id", None) == "agency-changes-link")
    assert link.href == "/changes?agency=dmv&lang=es"
    assert link.children == "Ver qué cambió"
    db.dispose_all()
