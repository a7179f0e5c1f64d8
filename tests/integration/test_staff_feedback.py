"""Feedback in the staff workspace (issue 14, staff side), and what of it reaches the public.

- Rights: a member of agency A neither sees, nor exports, nor changes agency B's feedback
  (through staff_actions, through a crafted callback body, through the CSV URL); site-wide
  feedback is an administrator's.
- The CSV: the member's rows with the page's filters, a formula-like comment neutralised,
  never cached, never without sign-in; the export is audited, and so is every change.
- A published excerpt reaches the agency page (the cached page refreshes: the data version
  changes) and leaves it when withdrawn; the visitor's comment never reaches a public page,
  the API, /data.json, a CSV or ZIP download, or the shared cache.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import plotly.utils
import pytest
import redis
from sqlalchemy import select

from callbacks.router import render
from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.data_status import current_version
from dashboard.infra.models import (
    PUBLISHED,
    Action,
    AuditEntry,
    FeedbackResponse,
    Unit,
    User,
)
from dashboard.open_data.resources import RESOURCES, ZIP_PATH
from dashboard.views.agency import build, charts
from dashboard.web import staff_actions
from dashboard.web.factory import create_app
from dashboard.web.staff_actions import StaffRefused
from data import accounts
from data.feedback_review import EXCERPT_MAX_CHARS, FeedbackFilter
from tests.conftest import redis_pattern
from tests.integration.test_staff_callbacks import Browser

PASSWORD = "correct horse battery staple"
PUBLISHER_ALL = "fb-publisher-all"
EDITOR_A, EDITOR_B, PUBLISHER_A, ADMIN = "fb-editor-a", "fb-editor-b", "fb-publisher-a", "fb-admin"
AGENCY_A, AGENCY_B = "dmv", "revenue"
#: What visitors wrote (masked already, as F1's record_feedback stores it): none of it may
#: ever reach a public page, the API, a download or the cache.
COMMENT_A = '=HYPERLINK("http://x.example","y") RAWCOMMENT-A the queue was too long'
COMMENT_A_SERVICE = "RAWCOMMENT-A-SERVICE the form lost my answers"
COMMENT_B = "RAWCOMMENT-B nothing about my refund"
COMMENT_SITE = "RAWCOMMENT-SITE where is the search"
EXCERPT = "The queue at the office was too long <b>EXCERPT-OK</b>"
RAW_MARK = "RAWCOMMENT"


def _unit_id(session: Any, slug: str) -> int:
    found = session.scalar(select(Unit.id).where(Unit.slug == slug))
    assert found is not None, slug
    return int(found)


def _response(**values: Any) -> FeedbackResponse:
    values.setdefault("language", "en")
    values.setdefault("received_at", dt.datetime(2031, 1, 20, 10, 0, tzinfo=dt.UTC))
    return FeedbackResponse(**values)


@pytest.fixture
def store(demo_copy_url: str) -> Iterator[tuple[str, dict[str, int]]]:
    """The demo with four members and four responses (A's agency, A's service, B, site-wide)."""
    with db.session_scope(demo_copy_url) as session:
        accounts.create_user(session, EDITOR_A, "editor", password=PASSWORD, agencies=[AGENCY_A])
        accounts.create_user(session, EDITOR_B, "editor", password=PASSWORD, agencies=[AGENCY_B])
        accounts.create_user(
            session, PUBLISHER_A, "publisher", password=PASSWORD, agencies=[AGENCY_A]
        )
        accounts.create_user(session, ADMIN, "admin", password=PASSWORD)
        accounts.create_user(
            session, PUBLISHER_ALL, "publisher", password=PASSWORD, all_agencies=True
        )
        agency_a = _unit_id(session, AGENCY_A)
        service_a = session.scalar(
            select(Unit.id).where(Unit.parent_id == agency_a, Unit.visibility == PUBLISHED)
        )
        assert service_a is not None
        rows = {
            "a": _response(
                page_path=f"/agency/{AGENCY_A}",
                unit_id=agency_a,
                helpful=False,
                reason="out_of_date",
                comment=COMMENT_A,
            ),
            "a_service": _response(
                page_path=f"/agency/{AGENCY_A}/service",
                unit_id=service_a,
                helpful=True,
                reason="found_it",
                comment=COMMENT_A_SERVICE,
                received_at=dt.datetime(2031, 1, 21, 10, 0, tzinfo=dt.UTC),
            ),
            "a_no_comment": _response(
                page_path=f"/agency/{AGENCY_A}", unit_id=agency_a, helpful=True
            ),
            "b": _response(
                page_path=f"/agency/{AGENCY_B}",
                unit_id=_unit_id(session, AGENCY_B),
                helpful=False,
                reason="not_found",
                comment=COMMENT_B,
            ),
            "site": _response(page_path="/", unit_id=None, helpful=False, comment=COMMENT_SITE),
        }
        session.add_all(rows.values())
        session.flush()
        ids = {name: row.id for name, row in rows.items()}
    yield demo_copy_url, ids


def member(url: str, username: str) -> accounts.StaffMember:
    with db.session_scope(url) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return accounts.staff_member(session, user)


#: The seeded responses are the store's latest (the demo has feedback of its own before them).
SEEDED_FROM = dt.date(2031, 1, 1)


def seen(url: str, username: str, chosen: FeedbackFilter | None = None) -> set[int]:
    """The ids of the seeded responses ``username`` sees with ``chosen``."""
    chosen = chosen or FeedbackFilter()
    found = staff_actions.feedback_page(
        Settings(database_url=url),
        member(url, username),
        replace(chosen, since=chosen.since or SEEDED_FROM),
        1,
    )
    return {int(row["id"]) for row in found.rows}


def response(url: str, response_id: int) -> FeedbackResponse:
    with db.session_scope(url) as session:
        found = session.get(FeedbackResponse, response_id)
        assert found is not None
        session.expunge(found)
        return found


def audit_actions(url: str) -> list[str]:
    with db.session_scope(url) as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.like("feedback%"))
                .order_by(AuditEntry.id)
            )
        )


def test_each_member_sees_only_their_agencies_feedback(store: tuple[str, dict[str, int]]) -> None:
    url, ids = store
    a_rows = {ids["a"], ids["a_service"], ids["a_no_comment"]}
    assert seen(url, EDITOR_A) == a_rows
    assert seen(url, EDITOR_B) == {ids["b"]}
    assert seen(url, ADMIN) == set(ids.values())
    # A publisher of every agency: every agency's, but site-wide feedback is an admin's.
    assert seen(url, PUBLISHER_ALL) == set(ids.values()) - {ids["site"]}
    assert seen(url, ADMIN, FeedbackFilter(agency="site-wide")) == {ids["site"]}
    # Filters: agency, page, helpful, reason, comment or not, days.
    assert seen(url, ADMIN, FeedbackFilter(agency=AGENCY_A)) == a_rows
    assert seen(url, EDITOR_A, FeedbackFilter(helpful=True)) == {
        ids["a_service"],
        ids["a_no_comment"],
    }
    assert seen(url, EDITOR_A, FeedbackFilter(reason="out_of_date")) == {ids["a"]}
    assert seen(url, EDITOR_A, FeedbackFilter(has_comment=False)) == {ids["a_no_comment"]}
    assert seen(url, EDITOR_A, FeedbackFilter(page_path=f"/agency/{AGENCY_A}/service")) == {
        ids["a_service"]
    }
    assert seen(url, EDITOR_A, FeedbackFilter(since=dt.date(2031, 1, 21))) == {ids["a_service"]}
    assert seen(url, EDITOR_A, FeedbackFilter(until=dt.date(2031, 1, 20))) == a_rows - {
        ids["a_service"]
    }
    # Another agency, or site-wide feedback, named in the filter: refused, not emptied.
    with pytest.raises(StaffRefused):
        seen(url, EDITOR_A, FeedbackFilter(agency=AGENCY_B))
    with pytest.raises(StaffRefused):
        seen(url, EDITOR_A, FeedbackFilter(agency="site-wide"))
    # The counts per agency and page: A's only, with the share that said yes.
    page = staff_actions.feedback_page(
        Settings(database_url=url), member(url, EDITOR_A), FeedbackFilter(since=SEEDED_FROM), 1
    )
    by_page = {group["page_path"]: group for group in page.counts}
    assert set(by_page) == {f"/agency/{AGENCY_A}", f"/agency/{AGENCY_A}/service"}
    assert (by_page[f"/agency/{AGENCY_A}"]["responses"], by_page[f"/agency/{AGENCY_A}"]["yes"]) == (
        2,
        1,
    )
    assert by_page[f"/agency/{AGENCY_A}"]["agency"] == AGENCY_A


def test_a_member_cannot_change_another_agencys_feedback(
    store: tuple[str, dict[str, int]],
) -> None:
    url, ids = store
    settings = Settings(database_url=url)
    editor_a = member(url, EDITOR_A)
    for change in ("read", "actioned", "excerpt", "publish", "link"):
        with pytest.raises(StaffRefused):
            staff_actions.feedback_change(settings, editor_a, ids["b"], change, excerpt="x")
        with pytest.raises(StaffRefused):
            staff_actions.feedback_change(settings, editor_a, ids["site"], change, excerpt="x")
    with pytest.raises(StaffRefused):
        staff_actions.feedback_detail(settings, editor_a, ids["b"])
    untouched = response(url, ids["b"])
    assert (untouched.status, untouched.excerpt, untouched.handled_by_id) == ("new", None, None)
    assert audit_actions(url) == []
    # An editor writes an excerpt for their agency but a publisher publishes it.
    assert staff_actions.feedback_change(
        settings, editor_a, ids["a"], "excerpt", excerpt="Too long a queue"
    ).ok
    with pytest.raises(StaffRefused):
        staff_actions.feedback_change(settings, editor_a, ids["a"], "publish")
    assert response(url, ids["a"]).excerpt_published_at is None
    # An action of another agency cannot be linked.
    with db.session_scope(url) as session:
        b_action = session.scalar(
            select(Action.id).where(Action.unit_id == _unit_id(session, AGENCY_B))
        )
    outcome = staff_actions.feedback_change(
        settings, editor_a, ids["a"], "link", action_id=b_action
    )
    assert not outcome.ok
    assert response(url, ids["a"]).action_id is None


def _change_body(browser: Browser, response_id: int, change: str) -> Any:
    dependency = next(d for d in browser.dependencies() if "feedback-changed.data" in d["output"])
    pattern = dependency["inputs"][0]["id"]
    button = {"do": change, "response": response_id, "type": "feedback-do"}
    return browser.call(
        "feedback-changed.data",
        {
            f"{pattern}.n_clicks": [(button, 1)],
            f"{dependency['state'][0]['id']}.value": [],
            f"{dependency['state'][1]['id']}.value": [
                ({"response": response_id, "type": "feedback-excerpt"}, "crafted")
            ],
            "feedback-changed.data": 0,
        },
        json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks",
    )


def test_a_crafted_callback_cannot_change_another_agencys_feedback(
    store: tuple[str, dict[str, int]],
) -> None:
    url, ids = store
    app = create_app(Settings(database_url=url))
    editor_a = Browser(app).sign_in(EDITOR_A)
    answer = _change_body(editor_a, ids["b"], "read")
    assert answer.status_code == 200
    assert "Not done" in answer.get_data(as_text=True)
    assert response(url, ids["b"]).status == "new"
    # The same call for the member's own agency does the change.
    assert _change_body(editor_a, ids["a"], "read").status_code == 200
    assert response(url, ids["a"]).status == "read"
    # Signed out (no session, no CSRF token), the callback is refused before it runs.
    signed_out = Browser(app)
    signed_out._dependencies = editor_a.dependencies()
    assert _change_body(signed_out, ids["a"], "actioned").status_code in (400, 401, 403)
    assert response(url, ids["a"]).status == "read"
    # The page lists the member's responses only.
    page = editor_a.page("/staff/feedback").get_data(as_text=True)
    assert "feedback-results" in page
    listing = editor_a.call(
        "feedback-results.children",
        {"feedback-page.active_page": 1, "feedback-changed.data": 0},
        "feedback-page.active_page",
    ).get_data(as_text=True)
    assert "RAWCOMMENT-A" in listing
    assert "RAWCOMMENT-B" not in listing and "RAWCOMMENT-SITE" not in listing


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_the_csv_export_is_the_members_rows_neutralised_and_audited(
    store: tuple[str, dict[str, int]],
) -> None:
    url, _ids = store
    app = create_app(Settings(database_url=url))
    # Never without sign-in.
    anonymous = app.server.test_client()
    refused = anonymous.get("/staff/feedback.csv")
    assert refused.status_code in (302, 401, 403)
    assert RAW_MARK not in refused.get_data(as_text=True)

    editor_a = Browser(app).sign_in(EDITOR_A)
    answer = editor_a.client.get("/staff/feedback.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "no-store" in answer.headers["Cache-Control"]
    rows = csv_rows(answer.get_data(as_text=True))
    assert list(rows[0]) == [
        "received_at",
        "agency",
        "unit",
        "page_path",
        "language",
        "helpful",
        "reason",
        "comment",
        "status",
        "action_code",
        "action_title",
        "excerpt",
        "excerpt_published_at",
    ]
    comments = {row["comment"] for row in rows}
    assert "'" + COMMENT_A in comments  # the formula is neutralised, the text kept
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row.values())
    assert COMMENT_B not in comments and COMMENT_SITE not in comments
    assert {row["agency"] for row in rows} == {AGENCY_A}
    # The page's filters.
    helpful = csv_rows(
        editor_a.client.get(
            f"/staff/feedback.csv?helpful=yes&since={SEEDED_FROM.isoformat()}"
        ).get_data(as_text=True)
    )
    assert {row["helpful"] for row in helpful} == {"yes"} and len(helpful) == 2
    # Another agency named: refused, nothing exported.
    other = editor_a.client.get(f"/staff/feedback.csv?agency={AGENCY_B}")
    assert other.status_code == 403
    assert RAW_MARK not in other.get_data(as_text=True)
    assert audit_actions(url) == ["feedback_exported", "feedback_exported"]


def test_every_change_is_audited_and_shown_in_the_detail(store: tuple[str, dict[str, int]]) -> None:
    url, ids = store
    settings = Settings(database_url=url)
    publisher = member(url, PUBLISHER_A)
    with db.session_scope(url) as session:
        action_id = session.scalar(
            select(Action.id).where(Action.unit_id == _unit_id(session, AGENCY_A))
        )
    assert action_id is not None
    steps = [
        ("read", {}),
        ("actioned", {}),
        ("link", {"action_id": action_id}),
        ("excerpt", {"excerpt": "Call me at 555-123-4567 or jo@example.org: too long a wait"}),
        ("publish", {}),
        ("withdraw", {}),
    ]
    for change, values in steps:
        outcome = staff_actions.feedback_change(settings, publisher, ids["a"], change, **values)
        assert outcome.ok, (change, outcome.message)
    found = response(url, ids["a"])
    assert (found.status, found.action_id, found.excerpt_published_at) == (
        "actioned",
        action_id,
        None,
    )
    # The excerpt was masked again when saved.
    assert found.excerpt is not None
    assert "555" not in found.excerpt and "jo@example.org" not in found.excerpt
    assert "[phone]" in found.excerpt and "[email]" in found.excerpt
    assert audit_actions(url) == [
        "feedback_status",
        "feedback_status",
        "feedback_action_linked",
        "feedback_excerpt",
        "feedback_excerpt_published",
        "feedback_excerpt_withdrawn",
    ]
    detail = staff_actions.feedback_detail(settings, publisher, ids["a"])
    assert detail.may_publish and action_id in {a["id"] for a in detail.actions}
    assert detail.row["handled_by"] == PUBLISHER_A
    # Too long an excerpt is refused, and nothing changes.
    long_one = staff_actions.feedback_change(
        settings, publisher, ids["a"], "excerpt", excerpt="x" * (EXCERPT_MAX_CHARS + 1)
    )
    assert not long_one.ok
    assert response(url, ids["a"]).excerpt == found.excerpt


def _agency_page(app: Any, settings: Settings) -> str:
    with app.server.test_request_context():
        frame, _language, found = render(settings, f"/agency/{AGENCY_A}", "?lang=en")
    assert found
    return json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def _readable(value: bytes) -> str:
    """A cached value as text, whatever its encoding (compressed answers included)."""
    texts = [value.decode("utf-8", "replace")]
    for unpack in (gzip.decompress, zlib.decompress):
        with contextlib.suppress(Exception):
            texts.append(unpack(value).decode("utf-8", "replace"))
    with contextlib.suppress(Exception):
        import brotli

        texts.append(brotli.decompress(value).decode("utf-8", "replace"))
    return "\n".join(texts)


def test_a_published_excerpt_reaches_the_agency_page_and_no_comment_ever_does(
    store: tuple[str, dict[str, int]], redis_url: str, redis_key_prefix: str
) -> None:
    url, ids = store
    settings = Settings(
        database_url=url,
        cache_type="redis",
        cache_redis_url=redis_url,
        cache_key_prefix=redis_key_prefix,
        export_rate_limit=0,
    )
    app = create_app(settings)
    staff = Settings(database_url=url)
    publisher = member(url, PUBLISHER_A)

    before = _agency_page(app, settings)  # cached now
    assert "EXCERPT-OK" not in before and RAW_MARK not in before
    assert staff_actions.feedback_change(staff, publisher, ids["a"], "excerpt", excerpt=EXCERPT).ok
    # Written, not published: not public, and the cached page stays as it was.
    version = current_version(db.get_engine(url))
    assert "EXCERPT-OK" not in _agency_page(app, settings)
    assert staff_actions.feedback_change(staff, publisher, ids["a"], "publish").ok
    assert current_version(db.get_engine(url)) != version
    shown = _agency_page(app, settings)
    assert "EXCERPT-OK" in shown and "What people told us" in shown
    assert RAW_MARK not in shown
    # The excerpt is text: its markup is a string in the component tree, never HTML.
    assert "<b>EXCERPT-OK</b>" in shown

    client = app.server.test_client()
    public: list[str] = [shown]
    for path in (f"/agency/{AGENCY_A}", "/data.json", "/api/v1/data-dictionary"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        public.append(answer.get_data(as_text=True))
    for resource in RESOURCES:
        for path in (resource.path, resource.csv_path):
            answer = client.get(f"{path}?limit=1000")
            assert answer.status_code == 200, path
            public.append(answer.get_data(as_text=True))
    archive = zipfile.ZipFile(io.BytesIO(client.get(ZIP_PATH).data))
    public += [archive.read(name).decode("utf-8") for name in archive.namelist()]
    view = build(url, settings, Route("agency", {"agency": AGENCY_A}), {}, "en")
    assert [item.text for item in view.told_us] == [EXCERPT]
    for spec in charts(view):
        answer = client.get(f"/download/agency/{AGENCY_A}/{spec.chart_id}.csv")
        assert answer.status_code == 200, spec.chart_id
        public.append(answer.get_data(as_text=True))
    for text in public:
        assert RAW_MARK not in text
        assert COMMENT_A not in text
    # Nor the shared cache, whatever it holds.
    cache = redis.Redis.from_url(redis_url)
    keys = cache.keys(redis_pattern(redis_key_prefix))
    assert keys
    for key in keys:
        value = cache.get(key)
        if value is not None:
            assert RAW_MARK not in _readable(value), key

    # Withdrawn: the page no longer shows it (the cached page refreshed again).
    assert staff_actions.feedback_change(staff, publisher, ids["a"], "withdraw").ok
    after = _agency_page(app, settings)
    assert "EXCERPT-OK" not in after and "What people told us" not in after


def test_a_service_excerpt_shows_on_its_page_and_its_agencys(
    store: tuple[str, dict[str, int]],
) -> None:
    url, ids = store
    settings = Settings(database_url=url)
    publisher = member(url, PUBLISHER_A)
    with db.session_scope(url) as session:
        found = session.get(FeedbackResponse, ids["a_service"])
        assert found is not None and found.unit_id is not None
        service = session.get(Unit, found.unit_id)
        assert service is not None
        service_slug = service.slug
    text = "The form kept my answers this time"
    assert staff_actions.feedback_change(
        settings, publisher, ids["a_service"], "excerpt", excerpt=text
    ).ok
    assert staff_actions.feedback_change(settings, publisher, ids["a_service"], "publish").ok
    service_view = build(
        url, settings, Route("service", {"agency": AGENCY_A, "service": service_slug}), {}, "es"
    )
    assert [(item.text, item.helpful) for item in service_view.told_us] == [(text, True)]
    agency_view = build(url, settings, Route("agency", {"agency": AGENCY_A}), {}, "en")
    assert text in [item.text for item in agency_view.told_us]
    other = build(url, settings, Route("agency", {"agency": AGENCY_B}), {}, "en")
    assert text not in [item.text for item in other.told_us]
