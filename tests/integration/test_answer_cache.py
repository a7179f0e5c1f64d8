"""Finished answers kept whole (dashboard/web/answer_cache.py): a warm page is one cache read.

The router callback's answer and the first ``/_dash-layout`` are kept, serialized (and
compressed per ``Content-Encoding``), under a key of path, normalized query, language, data
version, site address and day. Checked here: a second identical request is served without
drawing the page again and byte for byte what Dash itself sends; a publication changes the
answer; languages and queries get entries of their own while junk parameters share one; the
router still answers "no update" for the page on screen; previews neither read nor write the
cache; the 404, outage and "too many requests" pages are never kept; the entries are shared
between workers through Redis. And the helper for the API's JSON and CSV pages.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
import redis
from sqlalchemy import exc as sa_exc

import callbacks.router as router
from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.cache import cache
from dashboard.infra.db import session_scope
from dashboard.infra.models import utcnow
from dashboard.web import answer_cache, pages
from dashboard.web.answer_cache import StoredAnswer
from dashboard.web.factory import create_app
from data import publication
from data.agency_scope import agency_by_slug
from tests.components import router_request
from tests.conftest import demo_store_copy, redis_pattern
from tests.integration.test_preview import (
    AGENCY,
    DRAFT_ACTION,
    add_drafts,
    add_user,
    sign_in,
    staff_app,
)

AGENCY_PATH = f"/agency/{AGENCY}"


@pytest.fixture(scope="module")
def shared_url(demo_stores, tmp_path_factory) -> Iterator[str]:
    """A demo store on SQLite for the module's read-only tests."""
    with demo_store_copy(demo_stores, "sqlite", tmp_path_factory.mktemp("answer_cache")) as url:
        yield url


@pytest.fixture
def own_url(demo_stores, tmp_path: Path) -> Iterator[str]:
    """A demo store of this test's own (it publishes)."""
    with demo_store_copy(demo_stores, "sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Every page drawn (``callbacks.router.render``), by path and query."""
    drawn: list[str] = []
    original = router.render

    def counting(settings: Settings, path: str, search: str | None) -> Any:
        drawn.append(path + (search or ""))
        return original(settings, path, search)

    monkeypatch.setattr(router, "render", counting)
    return drawn


def new_app(url: str, **options: Any) -> Any:
    return started(create_app(Settings(database_url=url, page_rate_limit=0, **options)))


def started(app: Any) -> Any:
    """``app`` past its first request, in which Dash builds its layout once to check it
    (drawing the page when that request is a first load): not a page any visitor gets."""
    assert app.server.test_client().get("/_dash-dependencies").status_code == 200
    return app


def navigate(client: Any, path: str, search: str = "", **headers: str) -> Any:
    return client.post(
        "/_dash-update-component", json=router_request(path, search), headers=headers
    )


def first_load(client: Any, url: str, **headers: str) -> Any:
    return client.get("/_dash-layout", headers={"Referer": "http://localhost" + url, **headers})


def answer_keys(app: Any) -> list[str]:
    """Keys of the answer entries in the app's SimpleCache."""
    backend = app.server.extensions["cache"][cache]
    return [key for key in backend._cache if "answer:" in key]


def dash_only(monkeypatch) -> None:
    """Turn the answer cache off: every request goes to Dash's own dispatch."""
    monkeypatch.setattr(answer_cache, "usable", lambda: False)


@pytest.mark.parametrize("kind", ["navigation", "first load"])
def test_a_second_request_is_served_from_the_cache_byte_for_byte(
    shared_url, renders, monkeypatch, kind
):
    def ask(client: Any, **headers: str) -> Any:
        if kind == "navigation":
            return navigate(client, AGENCY_PATH, "?lang=es", **headers)
        return first_load(client, AGENCY_PATH + "?lang=es", **headers)

    with monkeypatch.context() as patch:
        dash_only(patch)
        reference = ask(new_app(shared_url).server.test_client())
    assert reference.status_code == 200 and renders
    renders.clear()

    app = new_app(shared_url)
    client = app.server.test_client()
    first = ask(client)
    second = ask(client)
    assert len(renders) == 1, "the second answer comes from the cache"
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data() == reference.get_data()
    assert second.mimetype == reference.mimetype == "application/json"
    assert "Content-Security-Policy" in second.headers  # per-request headers still added

    # Compressed as a browser asks: kept compressed, the same JSON once decoded.
    zipped = ask(client, **{"Accept-Encoding": "gzip"})
    again = ask(client, **{"Accept-Encoding": "gzip"})
    assert len(renders) == 1
    assert zipped.headers["Content-Encoding"] == again.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in again.headers["Vary"]
    assert zipped.get_data() == again.get_data()
    assert gzip.decompress(again.get_data()) == reference.get_data()
    db.dispose_all()


def test_the_page_on_screen_still_gets_no_update(shared_url, renders):
    client = new_app(shared_url).server.test_client()
    assert navigate(client, AGENCY_PATH).status_code == 200
    on_screen = router_request(AGENCY_PATH, "", rendered_url=AGENCY_PATH)
    response = client.post("/_dash-update-component", json=on_screen)
    assert response.status_code == 204 and not response.get_data()
    assert renders == [AGENCY_PATH]


def test_languages_and_queries_get_entries_of_their_own(shared_url, renders):
    app = new_app(shared_url)
    client = app.server.test_client()
    english = navigate(client, "/").get_data()
    spanish = navigate(client, "/", "?lang=es").get_data()
    assert english != spanish
    assert json.loads(spanish)["response"]["page"]["lang"] == "es"
    assert renders == ["/", "/?lang=es"]

    # Parameters the page does not read share the entry; the answer still names the URL
    # asked for, which the router compares with the next one.
    tagged = navigate(client, "/", "?utm_source=news&lang=es").get_data()
    assert renders == ["/", "/?lang=es"]
    assert json.loads(tagged)["response"]["rendered-url"]["data"] == "/?utm_source=news&lang=es"
    assert tagged.replace(b"utm_source=news&", b"") == spanish

    # The order of the parameters does not matter; their values do.
    metric = json.loads(navigate(client, AGENCY_PATH).get_data())
    options = _metric_codes(metric)
    assert len(options) >= 2, "the demo agency has several measures"
    one = navigate(client, AGENCY_PATH, f"?metric={options[1]}&lang=es").get_data()
    other = navigate(client, AGENCY_PATH, f"?lang=es&metric={options[1]}").get_data()
    assert len(renders) == 4
    assert without_url(one) == without_url(other) and one != other
    assert navigate(client, AGENCY_PATH, f"?metric={options[0]}&lang=es").get_data() != one
    assert len(renders) == 5
    keys = answer_keys(app)
    assert len(keys) == 5 and all(":router:" in key for key in keys)
    db.dispose_all()


def without_url(body: bytes) -> dict:
    """A router answer without the URL it names."""
    answer = json.loads(body)
    answer["response"]["rendered-url"]["data"] = None
    return answer


def _metric_codes(answer: dict) -> list[str]:
    """The metric codes the agency page offers (its links carry ``metric=<code>``)."""
    text = json.dumps(answer)
    codes: list[str] = []
    for part in text.split("metric=")[1:]:
        code = part.split("&")[0].split('"')[0]
        if code and code not in codes:
            codes.append(code)
    return codes


def test_a_new_day_draws_the_page_again(shared_url, renders):
    day = {"today": dt.date(2026, 11, 30)}
    app = started(create_app(Settings(database_url=shared_url, page_rate_limit=0, extra=day)))
    client = app.server.test_client()
    navigate(client, AGENCY_PATH)
    navigate(client, AGENCY_PATH)
    day["today"] = dt.date(2026, 12, 1)  # closures current "today" are on the page
    navigate(client, AGENCY_PATH)
    assert renders == [AGENCY_PATH, AGENCY_PATH]


def test_a_publication_changes_the_answer(own_url, renders):
    client = new_app(own_url).server.test_client()
    before = navigate(client, AGENCY_PATH).get_data()
    assert navigate(client, AGENCY_PATH).get_data() == before
    assert DRAFT_ACTION.encode() not in before

    add_drafts(own_url)
    assert navigate(client, AGENCY_PATH).get_data() == before, "drafts change nothing public"
    with session_scope(own_url) as session:
        agency_id = agency_by_slug(session, AGENCY)
        assert agency_id is not None
        publication.publish_agency(session, agency_id, user_id=None, now=utcnow())
    after = navigate(client, AGENCY_PATH).get_data()
    assert after != before and DRAFT_ACTION.encode() in after
    assert renders == [AGENCY_PATH, AGENCY_PATH]  # the first answer, then the published one
    db.dispose_all()


def test_a_preview_neither_reads_nor_writes_the_answer_cache(own_url, monkeypatch):
    add_drafts(own_url)
    editor = add_user(own_url, "dmv-editor", agencies=[AGENCY])
    app = started(staff_app(Settings(database_url=own_url, page_rate_limit=0)))
    public = app.server.test_client()
    staff = app.server.test_client()
    sign_in(staff, editor)
    # The public page is kept first: a preview must not be served from it.
    assert DRAFT_ACTION.encode() not in navigate(public, AGENCY_PATH).get_data()
    kept = set(answer_keys(app))
    served: list[str] = []
    original = answer_cache.serve_page
    monkeypatch.setattr(
        answer_cache,
        "serve_page",
        lambda key, **kwargs: served.append(key) or original(key, **kwargs),
    )
    preview = f"/preview{AGENCY_PATH}"
    for _ in range(2):
        assert DRAFT_ACTION.encode() in navigate(staff, preview).get_data()
        assert DRAFT_ACTION.encode() in first_load(staff, preview).get_data()
    assert served == [] and set(answer_keys(app)) == kept
    backend = app.server.extensions["cache"][cache]
    assert not any(DRAFT_ACTION.encode() in value for _expires, value in backend._cache.values())

    # Anything drawn while a preview reads through its transaction: not looked up, not kept.
    asked = app.server.test_request_context(
        "/_dash-update-component", method="POST", json=router_request(AGENCY_PATH)
    )
    with asked, db.get_engine(own_url).connect() as connection, db.reading_through(connection):
        assert not answer_cache.usable()
        assert router.cached_page_answer(app.server.config["CXDASH_SETTINGS"]) is None
    db.dispose_all()


def test_the_404_page_is_not_kept(shared_url, renders):
    app = new_app(shared_url)
    client = app.server.test_client()
    for path in ("/agency/no-such-agency", "/no-such-page"):
        for _ in range(2):
            response = navigate(client, path)
            assert response.status_code == 200 and b"main-content" in response.get_data()
            assert first_load(client, path).status_code == 200
    assert len(renders) == 8
    assert answer_keys(app) == []


def test_the_outage_page_is_not_kept(shared_url, monkeypatch):
    drawn: list[str] = []

    def store_down(settings: Settings, path: str, search: str | None) -> Any:
        drawn.append(path)
        raise sa_exc.OperationalError("SELECT 1", None, Exception("connection refused"))

    monkeypatch.setattr(router, "render", store_down)
    app = new_app(shared_url)
    client = app.server.test_client()
    for _ in range(2):
        assert navigate(client, AGENCY_PATH).status_code == 200
        assert first_load(client, AGENCY_PATH).status_code == 200
    assert len(drawn) == 4
    assert answer_keys(app) == []


def test_a_kept_page_still_counts_against_the_rate_limit(shared_url, renders):
    clock = {"now": 1_000_000.0}
    settings = Settings(
        database_url=shared_url, page_rate_limit=2, extra={"clock": lambda: clock["now"]}
    )
    client = started(create_app(settings)).server.test_client()
    page = navigate(client, AGENCY_PATH).get_data()
    assert navigate(client, AGENCY_PATH).get_data() == page
    busy = navigate(client, AGENCY_PATH)
    assert busy.status_code == 200 and busy.get_data() != page  # "Too many requests"
    assert busy.headers["Retry-After"]
    assert len(renders) == 1
    clock["now"] += 120
    assert navigate(client, AGENCY_PATH).get_data() == page  # the busy page was not kept
    assert len(renders) == 1


def test_workers_share_answers_through_redis(shared_url, redis_url, redis_key_prefix, renders):
    def worker() -> Any:
        return new_app(
            shared_url,
            cache_type="redis",
            cache_redis_url=redis_url,
            cache_key_prefix=redis_key_prefix,
        ).server.test_client()

    one, two = worker(), worker()
    first = navigate(one, AGENCY_PATH, **{"Accept-Encoding": "br"})
    second = navigate(two, AGENCY_PATH, **{"Accept-Encoding": "br"})
    layout = first_load(two, AGENCY_PATH).get_data()
    assert first_load(one, AGENCY_PATH).get_data() == layout
    assert first.get_data() == second.get_data()
    assert second.headers["Content-Encoding"] == "br"
    assert renders == [AGENCY_PATH, AGENCY_PATH]  # one navigation, one first load
    client = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in client.keys(redis_pattern(redis_key_prefix + "answer:"))]
    assert any(":router:" in key and key.endswith("|br") for key in keys), keys
    assert any(":layout:" in key for key in keys), keys
    db.dispose_all()


def test_a_known_page_is_not_read_back_for_its_status(shared_url, monkeypatch):
    app = new_app(shared_url)
    client = app.server.test_client()
    assert client.get(AGENCY_PATH).status_code == 200
    views: list[str] = []
    original = pages.page_view
    monkeypatch.setattr(
        pages, "page_view", lambda *args: views.append(args[1].page) or original(*args)
    )
    assert client.get(AGENCY_PATH).status_code == 200
    assert client.get("/agency/no-such-agency").status_code == 404
    assert client.get("/agency/no-such-agency").status_code == 404
    assert views == ["agency", "agency"], "only the unknown page is looked up again"


# -- the helper for the API's answers ------------------------------------------------------


def test_api_answers_are_kept_per_path_query_and_version(shared_url):
    app = new_app(shared_url)
    built: list[int] = []

    def build() -> StoredAnswer:
        built.append(1)
        response = flask.Response("a,b\r\n1,2\r\n", headers={"Content-Type": "text/csv"})
        response.headers["Link"] = '</api/v1/units?cursor=x>; rel="next"'
        response.headers["X-Total-Count"] = "2"
        response.headers["ETag"] = '"per-request"'
        return StoredAnswer.of(response)

    key = answer_cache.api_key(
        "/api/v1/units.csv", {"unit": ["dmv"], "limit": ["2"]}, "v1", origin="http://x"
    )
    with app.server.test_request_context("/api/v1/units.csv"):
        first = answer_cache.cached_answer(key, build)
        second = answer_cache.cached_answer(key, build)
        assert built == [1] and first == second
        response = second.response()
        assert response.get_data() == b"a,b\r\n1,2\r\n"
        assert response.headers["Content-Type"] == "text/csv"
        assert response.headers["X-Total-Count"] == "2"
        assert "ETag" not in response.headers  # the caller's, per request
        answer_cache.cached_answer(
            answer_cache.api_key("/api/v1/units.csv", {"unit": ["dmv"]}, "v2"), build
        )
        assert built == [1, 1]

        # An error answer is not kept, nor an exception.
        refused = StoredAnswer(b'{"error": "bad"}', status=400)
        error_key = answer_cache.api_key("/api/v1/units", {"limit": ["-1"]}, "v1")
        assert answer_cache.cached_answer(error_key, lambda: refused).status == 400
        assert cache.get(error_key) is None


def test_api_keys_normalize_the_query():
    key = answer_cache.api_key
    assert key("/p", {"a": ["1"], "b": ["2"]}, "v") == key("/p", {"b": ["2"], "a": ["1"]}, "v")
    assert key("/p", {"a": ["1", "2"]}, "v") != key("/p", {"a": ["2", "1"]}, "v")
    assert key("/p", {"a": ["1&b=2"]}, "v") != key("/p", {"a": ["1"], "b": ["2"]}, "v")
    assert key("/p", {}, "v") != key("/p", {}, "w") != key("/q", {}, "w")
    assert key("/p", {}, "v", origin="http://a") != key("/p", {}, "v", origin="http://b")
    assert key("/p", {}, "v", fingerprint="f1") != key("/p", {}, "v", fingerprint="f2")
    long = key("/p", {"a": ["x" * 1000]}, "v")
    assert len(long) <= answer_cache.MAX_KEY_LENGTH
    assert long != key("/p", {"a": ["x" * 999]}, "v")


def test_api_answers_are_not_kept_during_a_preview(shared_url):
    app = new_app(shared_url)
    built: list[int] = []

    def build() -> StoredAnswer:
        built.append(1)
        return StoredAnswer(b"{}")

    key = answer_cache.api_key("/api/v1/units", {}, "v1")
    with app.server.test_request_context("/api/v1/units"):
        cache.set(key, StoredAnswer(b'{"published": true}'))
        with db.get_engine(shared_url).connect() as connection, db.reading_through(connection):
            assert answer_cache.cached_answer(key, build).body == b"{}"  # not read
            answer_cache.cached_answer(key, build)
        assert built == [1, 1]
        assert cache.get(key) == StoredAnswer(b'{"published": true}')  # not written
    db.dispose_all()


def test_a_warm_api_page_is_the_kept_body_with_its_headers(shared_url, monkeypatch):
    # callbacks/api.py keeps a page's finished body: a second request builds nothing, and
    # its ETag, CORS headers and 304 are still made per request.
    import callbacks.api as api

    built: list[str] = []
    build = api._resource_page

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(flask.request.full_path)
        return build(*args, **kwargs)

    monkeypatch.setattr(api, "_resource_page", counting)
    client = new_app(shared_url).server.test_client()
    path = "/api/v1/observations.csv?unit=dmv&limit=3"
    first, second = client.get(path), client.get(path)
    assert len(built) == 1
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    for header in ("ETag", "Link", "X-Total-Count", "Access-Control-Allow-Origin"):
        assert first.headers[header] == second.headers[header]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and len(built) == 1
    assert client.get(path.replace("limit=3", "limit=4")).status_code == 200
    assert len(built) == 2
