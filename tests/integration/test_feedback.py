"""POST /feedback (issue 14) on SQLite and PostgreSQL: what is accepted and stored (masked, with
the unit the server finds), what is refused and why, the retention purge, and that nothing of a
comment reaches a public page, the API, a CSV download, /data.json or the cache."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import plotly.utils
import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import func, select

from callbacks.router import render
from dashboard.core.routes import resolve
from dashboard.core.settings import Settings
from dashboard.domain.feedback import sign_token
from dashboard.gateway import queries
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import FeedbackResponse, Unit
from dashboard.web import feedback as feedback_route
from dashboard.web.factory import create_app
from dashboard.web.pages import page_for, page_view
from data.feedback import feedback_purge_command, purge_old_comments, record_feedback
from tests.conftest import redis_pattern

#: 2027-01-15 08:00 UTC, the clock of every test here (advanced by hand, never slept).
START = 1_800_000_000.0

#: What a visitor typed: a marker, an e-mail address and a phone number.
MARKER = "Zqxj-feedback-marker-7781"
EMAIL = "jane.doe@example.org"
PHONE = "+1 (202) 555-0143"
COMMENT = f"{MARKER} the hours were wrong, write to {EMAIL} or call {PHONE}"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def make_app(url: str, clock: Clock, **overrides: object):
    settings = Settings(database_url=url, extra={"clock": clock}, **overrides)  # type: ignore[arg-type]
    return create_app(settings)


def token_for(app, path: str, language: str, issued: float) -> str:
    secret = feedback_route.form_secret(app.server.config["CXDASH_SETTINGS"])
    return sign_token(secret, issued=int(issued), page_path=path, language=language)


def answer(app, clock: Clock, path: str = "/methodology", language: str = "en", **fields):
    """The form's fields, signed 10 s before ``clock``'s now, with ``fields`` over them."""
    form = {
        "page": path,
        "lang": language,
        "token": token_for(app, path, language, clock.now - 10),
        "helpful": "no",
        "reason": "out_of_date",
        "comment": COMMENT,
        "website": "",
    }
    form.update(fields)
    return form


SAME_ORIGIN = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}


def stored(url: str, after: int = 0) -> list[FeedbackResponse]:
    """The answers stored after the one with id ``after`` (the demo has answers of its own)."""
    with session_scope(url) as session:
        query = select(FeedbackResponse).where(FeedbackResponse.id > after)
        rows = list(session.scalars(query.order_by(FeedbackResponse.id)))
        session.expunge_all()
    return rows


@pytest.fixture
def demo_url(demo_copy_url: str) -> str:
    return demo_copy_url


def last_id(url: str) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.max(FeedbackResponse.id))) or 0


def an_agency_and_service(url: str) -> tuple[str, str]:
    agency = next(a for a in queries.list_agencies(url) if a["services"])
    return str(agency["slug"]), str(agency["services"][0]["slug"])


def test_the_noscript_form_posts_and_the_answer_is_stored_masked(demo_url):
    clock = Clock()
    app = make_app(demo_url, clock)
    client = app.server.test_client()
    agency, service = an_agency_and_service(demo_url)
    before = last_id(demo_url)
    for language in ("en", "es"):
        path = f"/agency/{agency}"
        page = client.get(f"{path}?lang={language}").get_data(as_text=True)
        # Without JavaScript the form is the prerender's <noscript> one (layouts/prerender.py).
        noscripts = re.findall(r"<noscript>(.*?)</noscript>", page, re.S)
        assert any('id="feedback-widget"' in noscript for noscript in noscripts)
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        assert fields["page"] == path and fields["lang"] == language
        clock.now += 30  # a person reads the page before answering
        response = client.post(
            "/feedback",
            data={**fields, "helpful": "yes", "reason": "", "comment": COMMENT, "website": ""},
            headers=SAME_ORIGIN,
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_data(as_text=True)
        assert f'<html lang="{language}">' in body
        assert f'href="{path}' in body  # back to the page
        assert response.headers["Cache-Control"] == "no-store"
        assert MARKER not in body and EMAIL not in body
    thanks = {"en": "Thank you — your answer was recorded.", "es": "Gracias"}
    assert thanks["en"] in client.post(
        "/feedback", data=answer(app, clock), headers=SAME_ORIGIN
    ).get_data(as_text=True)
    # A service page's answer is about the service; the unit comes from the path alone.
    response = client.post(
        "/feedback",
        data=answer(app, clock, f"/agency/{agency}/{service}", "es"),
        headers={**SAME_ORIGIN, "Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.get_json()["ok"] is True
    assert thanks["es"] in response.get_json()["message"]

    rows = stored(demo_url, before)
    assert len(rows) == 4
    with session_scope(demo_url) as session:
        ids = {
            slug: session.scalar(select(Unit.id).where(Unit.slug == slug))
            for slug in (agency, service)
        }
    assert [row.unit_id for row in rows] == [ids[agency], ids[agency], None, ids[service]]
    assert [row.language for row in rows] == ["en", "es", "en", "es"]
    assert [row.helpful for row in rows] == [True, True, False, False]
    for row in rows:
        assert row.comment == f"{MARKER} the hours were wrong, write to [email] or call [phone]"
        assert row.status == "new"
    db.dispose_all()


@pytest.mark.parametrize(
    ("change", "status", "problem"),
    [
        ({"token": "1799999990.deadbeefdeadbeefdeadbeefdeadbeef"}, 400, "token"),
        ({"token": ""}, 400, "token"),
        ({"helpful": "maybe"}, 400, "helpful"),
        ({"reason": "angry"}, 400, "reason"),
        ({"comment": "x" * 1001}, 400, "comment_too_long"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(sqlite_url, change, status, problem):
    clock = Clock()
    app = make_app(sqlite_url, clock)
    client = app.server.test_client()
    headers = {**SAME_ORIGIN, "Accept": "application/json"}
    response = client.post("/feedback", data=answer(app, clock, **change), headers=headers)
    assert response.status_code == status
    assert problem in response.get_json()["problems"][0]
    assert stored(sqlite_url) == []


def test_refusals_on_both_databases(db_url):
    clock = Clock()
    app = make_app(db_url, clock, feedback_rate_limit=0)
    client = app.server.test_client()
    json_headers = {**SAME_ORIGIN, "Accept": "application/json"}

    def post(form, headers=json_headers, **options):
        return client.post("/feedback", data=form, headers=headers, **options)

    # A token for another page, or another language, is no token for this one.
    form = answer(app, clock)
    form["token"] = token_for(app, "/review", "en", clock.now - 10)
    assert post(form).get_json()["problems"] == ["token"]
    form = answer(app, clock, language="es")
    form["token"] = token_for(app, "/methodology", "en", clock.now - 10)
    assert post(form).get_json()["problems"] == ["token"]
    # Too fresh: filled in under 2 seconds (a program); stale: older than the lifetime.
    fresh = answer(app, clock, token=token_for(app, "/methodology", "en", clock.now - 1))
    assert post(fresh).get_json()["problems"] == ["token_too_fresh"]
    stale = answer(app, clock, token=token_for(app, "/methodology", "en", clock.now - 73 * 3600))
    assert post(stale).get_json()["problems"] == ["token_expired"]
    # A day-old page (the answer cache keeps pages for their day) still takes answers.
    day_old = answer(app, clock, token=token_for(app, "/methodology", "en", clock.now - 30 * 3600))
    assert post(day_old).status_code == 200
    # A language the site does not offer; a page it does not have; an embed.
    for path, language in (("/methodology", "de"), ("/agency/no-such-agency", "en")):
        form = answer(app, clock, path, language)
        assert post(form).status_code == 400
        assert post(form).get_json()["problems"] == ["language" if language == "de" else "page"]
    form = answer(app, clock, "/embed/dmv/csat_overall")
    assert post(form).get_json()["problems"] == ["page"]
    form = answer(app, clock, "/<script>")
    assert post(form).get_json()["problems"] == ["page"]
    # Another site's page posting the form.
    cross = {"Origin": "https://evil.example", "Accept": "application/json"}
    assert post(answer(app, clock), headers=cross).status_code == 403
    cross = {"Sec-Fetch-Site": "cross-site", "Accept": "application/json"}
    assert post(answer(app, clock), headers=cross).status_code == 403
    # A body larger than any answer.
    big = answer(app, clock, comment="y" * (feedback_route.BODY_MAX_BYTES + 10))
    assert post(big).status_code == 413
    # Without JavaScript, the refusal is a page in the form's language saying what was wrong.
    page = post(answer(app, clock, "/methodology", "es", helpful=""), headers=SAME_ORIGIN)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert '<html lang="es">' in text and "Elija Sí o No." in text and 'role="alert"' in text
    # Only the day-old page's answer was stored.
    assert len(stored(db_url)) == 1
    db.dispose_all()


def test_the_honeypot_answer_looks_accepted_but_is_dropped(db_url, caplog):
    clock = Clock()
    app = make_app(db_url, clock)
    client = app.server.test_client()
    filled = answer(app, clock, website="http://spam.example")
    with caplog.at_level("INFO", logger="dashboard.web.feedback"):
        html_answer = client.post("/feedback", data=filled, headers=SAME_ORIGIN)
        json_answer = client.post(
            "/feedback", data=filled, headers={**SAME_ORIGIN, "Accept": "application/json"}
        )
    honest = client.post("/feedback", data=answer(app, clock), headers=SAME_ORIGIN)
    assert html_answer.status_code == json_answer.status_code == 200
    # The program gets exactly what a person gets.
    assert html_answer.get_data() == honest.get_data()
    assert json_answer.get_json() == {
        "ok": True,
        "message": "Thank you — your answer was recorded.",
    }
    assert len(stored(db_url)) == 1
    dropped = [r for r in caplog.records if "honeypot" in r.getMessage()]
    assert len(dropped) == 2
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert MARKER not in logged and "spam.example" not in logged
    db.dispose_all()


def test_the_rate_limit_refuses_with_retry_after(sqlite_url):
    clock = Clock()
    app = make_app(sqlite_url, clock, feedback_rate_limit=3)
    client = app.server.test_client()
    for _ in range(3):
        assert (
            client.post("/feedback", data=answer(app, clock), headers=SAME_ORIGIN).status_code
            == 200
        )
    refused = client.post("/feedback", data=answer(app, clock, language="es"), headers=SAME_ORIGIN)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 3600
    assert "Vuelva a intentarlo" in refused.get_data(as_text=True)
    # The honeypot counts too: a flood of bot answers is refused like any other.
    assert (
        client.post(
            "/feedback", data=answer(app, clock, website="x"), headers=SAME_ORIGIN
        ).status_code
        == 429
    )
    # Another client has its own bucket; the same client may answer again the next hour.
    other = client.post(
        "/feedback",
        data=answer(app, clock),
        headers=SAME_ORIGIN,
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other.status_code == 200
    clock.now += wait
    assert client.post("/feedback", data=answer(app, clock), headers=SAME_ORIGIN).status_code == 200
    assert len(stored(sqlite_url)) == 5
    db.dispose_all()


def test_feedback_can_be_turned_off(sqlite_url):
    clock = Clock()
    app = make_app(sqlite_url, clock, feedback_enabled=False)
    client = app.server.test_client()
    assert 'id="feedback-widget"' not in client.get("/methodology").get_data(as_text=True)
    assert client.post("/feedback", data=answer(app, clock), headers=SAME_ORIGIN).status_code == 404
    with app.server.test_request_context():
        frame, _language, found = render(app.server.config["CXDASH_SETTINGS"], "/methodology", "")
    assert found and "feedback-widget" not in json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder)


def test_the_widget_is_on_pages_found_and_not_on_404_pages(sqlite_url):
    clock = Clock()
    app = make_app(sqlite_url, clock)
    client = app.server.test_client()
    settings = app.server.config["CXDASH_SETTINGS"]
    with app.server.test_request_context():
        frame, _language, found = render(settings, "/methodology", "?lang=es")
        page = json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder)
        assert found and '"feedback-widget"' in page and '"lang": "es"' in page
        frame, _language, found = render(settings, "/agency/no-such-agency", "")
        assert not found
        assert "feedback-widget" not in json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder)
    missing = client.get("/agency/no-such-agency")
    assert missing.status_code == 404
    assert "feedback-widget" not in missing.get_data(as_text=True)


def test_no_widget_on_an_embed_nor_a_preview(demo_url):
    clock = Clock()
    app = make_app(demo_url, clock)
    settings = app.server.config["CXDASH_SETTINGS"]
    with app.server.test_request_context():
        frame, _language, found = render(settings, "/embed/dmv/csat_overall", "")
        assert found
        assert "feedback-widget" not in json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder)
        frame, _language, found = render(settings, "/agency/dmv", "")
        assert found and "feedback-widget" in json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder)
    # The embed's index has no <noscript> form either.
    embed = app.server.test_client().get("/embed/dmv/csat_overall").get_data(as_text=True)
    assert "feedback-widget" not in embed
    assert feedback_route.takes_feedback("/preview/agency/dmv") is False
    db.dispose_all()


def test_old_comments_are_purged_by_a_process(db_url):
    """``purge_old_comments`` clears the text and keeps the answer; a served process runs it
    on its first answer of the day, by the app's clock."""
    now = dt.datetime.fromtimestamp(START, dt.UTC)
    with session_scope(db_url) as session:
        for days in (400, 366, 364, 10):
            record_feedback(
                session,
                page_path="/",
                unit_id=None,
                language="en",
                helpful=days % 2 == 0,
                reason=None,
                comment=f"{days} days ago, call 202-555-0143",
                received_at=now - dt.timedelta(days=days),
            )
    assert [row.comment for row in stored(db_url)][-1] == "10 days ago, call [phone]"
    with session_scope(db_url) as session:
        assert purge_old_comments(session, now=now, retention_days=365) == 2
    comments = [row.comment for row in stored(db_url)]
    assert comments[:2] == [None, None] and all(comments[2:])
    assert len(comments) == 4  # the answers stay, for the counts

    # A served process clears them itself on the first answer of its day.
    with session_scope(db_url) as session:
        record_feedback(
            session,
            page_path="/",
            unit_id=None,
            language="en",
            helpful=True,
            reason=None,
            comment="old",
            received_at=now - dt.timedelta(days=100),
        )
    clock = Clock()
    app = make_app(db_url, clock, feedback_retention_days=30)
    client = app.server.test_client()
    assert client.post("/feedback", data=answer(app, clock), headers=SAME_ORIGIN).status_code == 200
    assert [row.comment is None for row in stored(db_url)] == [
        True,
        True,
        True,
        False,
        True,
        False,
    ]
    db.dispose_all()


def test_the_purge_command_clears_comments_past_the_retention(db_url, monkeypatch):
    # The command runs on the wall clock: the answers are dated relative to it.
    now = dt.datetime.now(dt.UTC)
    with session_scope(db_url) as session:
        for days in (40, 1):
            record_feedback(
                session,
                page_path="/review",
                unit_id=None,
                language="es",
                helpful=True,
                reason="other",
                comment=f"{days} days ago",
                received_at=now - dt.timedelta(days=days),
            )
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("FEEDBACK_RETENTION_DAYS", "30")
    result = CliRunner().invoke(feedback_purge_command, [])
    assert result.exit_code == 0, result.output
    assert "Cleared 1 feedback comment(s) older than 30 days." in result.output
    assert [row.comment for row in stored(db_url)] == [None, "1 days ago"]
    db.dispose_all()


def _public_paths(url: str) -> list[str]:
    paths = ["/", "/methodology", "/review", "/changes", "/data", "/compare", "/equity"]
    for agency in queries.list_agencies(url):
        paths.append(f"/agency/{agency['slug']}")
        paths += [f"/agency/{agency['slug']}/{s['slug']}" for s in agency["services"]]
    return paths


def test_no_comment_reaches_a_page_the_api_a_download_or_the_cache(
    demo_url, redis_url, redis_key_prefix
):
    clock = Clock()
    settings = Settings(
        database_url=demo_url,
        cache_type="redis",
        cache_redis_url=redis_url,
        cache_key_prefix=redis_key_prefix,
        page_rate_limit=0,
        api_rate_limit=0,
        feedback_rate_limit=0,
        extra={"clock": clock},
    )
    app = create_app(settings)
    client = app.server.test_client()
    paths = _public_paths(demo_url)
    before = last_id(demo_url)
    # An answer with a comment on every page, in both languages (stored masked).
    for path in paths:
        for language in ("en", "es"):
            form = answer(app, clock, path, language)
            response = client.post("/feedback", data=form, headers=SAME_ORIGIN)
            assert response.status_code == 200, (path, response.get_data(as_text=True))
    assert len(stored(demo_url, before)) == 2 * len(paths)
    secrets = (MARKER, EMAIL, "555-0143", "[email]", "[phone]", "the hours were wrong")

    rendered: list[str] = []
    downloads = 0
    for path in paths:
        for language in ("en", "es"):
            query = f"?lang={language}"
            rendered.append(client.get(path + query).get_data(as_text=True))
            layout = client.get(
                "/_dash-layout", headers={"Referer": f"http://localhost{path}{query}"}
            )
            assert layout.status_code == 200
            rendered.append(layout.get_data(as_text=True))
            with app.server.test_request_context():
                frame, _language, found = render(settings, path, query)
                assert found, path
                rendered.append(json.dumps(frame, cls=plotly.utils.PlotlyJSONEncoder))
                route = resolve(path)
                view, _status = page_view(settings, route, {"lang": language}, language)
                charts = page_for(route).charts(view)
            for chart in charts:
                page_path = "" if path == "/" else path
                response = client.get(f"/download{page_path}/{chart.chart_id}.csv{query}")
                assert response.status_code == 200, (path, chart.chart_id)
                rendered.append(response.get_data(as_text=True))
                downloads += 1
    assert downloads > 0
    # The open-data API: its catalogue, every resource it lists (JSON and CSV), the whole
    # data set as one ZIP, and the DCAT catalogue.
    catalogue = client.get("/api/v1")
    assert catalogue.status_code == 200
    rendered.append(catalogue.get_data(as_text=True))
    api_paths = set(re.findall(r'"(/api/v1/[a-z\-]+)(?:\.csv)?"', catalogue.get_data(as_text=True)))
    api_paths |= {"/api/v1/observations", "/api/v1/units", "/api/v1/metrics"}
    for api_path in sorted(api_paths):
        for suffix in ("", ".csv"):
            response = client.get(api_path + suffix)
            if response.status_code == 200:
                rendered.append(response.get_data(as_text=True))
    archive = client.get("/api/v1/download.zip")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.get_data())) as files:
        for name in files.namelist():
            rendered.append(files.read(name).decode("utf-8", "replace"))
    data_json = client.get("/data.json")
    assert data_json.status_code == 200
    rendered.append(data_json.get_data(as_text=True))

    everything = "\n".join(rendered)
    assert "feedback-widget" in everything  # the pages were drawn, with their forms
    for secret in secrets:
        assert secret not in everything, secret

    cache = redis.Redis.from_url(redis_url)
    keys = cache.keys(redis_pattern(redis_key_prefix))
    assert keys, "pages were cached in Redis"
    cached = b"".join(cache.get(key) or b"" for key in keys if cache.type(key) == b"string")
    assert b"feedback-widget" in cached  # pages with their forms were cached (uncompressed)
    for secret in secrets:
        assert secret.encode() not in cached, secret
    db.dispose_all()
