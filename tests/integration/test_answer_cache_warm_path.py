"""The warm request path (issue 12: a cached page within 3x of a bare Flask app).

- the data version is read from the store at every request, on a Core connection
  (``answer_cache.data_version``): the same value as ``queries.data_status().version``, and
  a publication through another process changes it at the next request;
- the page HTML (Dash's index) is drawn once per language and page title (issue 13) and
  compressed once per encoding (``factory.IndexPages``): the same bytes Dash draws, security
  headers on, 404 unchanged;
- a URL found to name a page is remembered for the current data version only, in a bounded
  set (``factory.KnownPages``).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import utcnow
from dashboard.web import answer_cache, factory, pages
from dashboard.web.factory import create_app
from data import publication
from data.agency_scope import agency_by_slug
from tests.components import router_request
from tests.conftest import demo_store_copy
from tests.integration.test_answer_cache import AGENCY, AGENCY_PATH, navigate, started
from tests.integration.test_preview import add_drafts


@pytest.fixture(scope="module")
def shared_url(demo_stores, tmp_path_factory) -> Iterator[str]:
    with demo_store_copy(demo_stores, "sqlite", tmp_path_factory.mktemp("warm_path")) as url:
        yield url


@pytest.fixture
def own_url(demo_stores, tmp_path: Path) -> Iterator[str]:
    with demo_store_copy(demo_stores, "sqlite", tmp_path) as url:
        yield url


def new_app(url: str) -> Any:
    return started(create_app(Settings(database_url=url, page_rate_limit=0, api_rate_limit=0)))


def publish(url: str) -> None:
    add_drafts(url)
    with session_scope(url) as session:
        agency_id = agency_by_slug(session, AGENCY)
        assert agency_id is not None
        publication.publish_agency(session, agency_id, user_id=None, now=utcnow())


# -- the data version ------------------------------------------------------------------------


def test_the_version_is_the_gateways_and_follows_a_publication(own_url):
    before = answer_cache.data_version(own_url)
    assert before == queries.data_status(own_url).version
    publish(own_url)  # another "node": its own session, committed
    after = answer_cache.data_version(own_url)
    assert after != before
    assert after == queries.data_status(own_url).version
    db.dispose_all()


def test_the_version_is_read_per_request_not_kept(shared_url, monkeypatch):
    app = new_app(shared_url)
    client = app.server.test_client()
    reads: list[str] = []
    original = answer_cache.data_version
    monkeypatch.setattr(
        answer_cache, "data_version", lambda url: reads.append(url) or original(url)
    )
    for _ in range(3):
        assert navigate(client, AGENCY_PATH).status_code == 200
        assert client.get(AGENCY_PATH).status_code == 200
    assert len(reads) == 6, "one read per request, warm or not"


def test_a_publication_shows_at_once_in_page_and_status(own_url):
    app = new_app(own_url)
    client = app.server.test_client()
    before = navigate(client, AGENCY_PATH).get_data()
    assert client.get(AGENCY_PATH).status_code == 200
    publish(own_url)
    after = navigate(client, AGENCY_PATH).get_data()
    assert after != before
    assert client.get(AGENCY_PATH).status_code == 200
    db.dispose_all()


# -- the page HTML -------------------------------------------------------------------------


def without_prerender(index: str) -> str:
    """A page's index without its prerender (the page as plain HTML, issue 13)."""
    assert index.count('<div id="prerender"') == 1
    return re.sub(r'<div id="prerender".*?(?=<div id="react-entry-point">)', "", index, flags=re.S)


def test_the_index_is_drawn_once_per_language_and_served_as_dash_draws_it(shared_url, monkeypatch):
    import flask

    app = new_app(shared_url)
    client = app.server.test_client()
    drawn: list[int] = []
    original = app.index
    monkeypatch.setattr(app, "index", lambda *a, **k: drawn.append(1) or original(*a, **k))
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.headers.get("Content-Encoding") is None
    with app.server.test_request_context("/"):
        flask.g.cxdash_page_title = "Customer service performance — State of Example"
        # Dash's index, with the page as plain HTML before its container and Dash's scripts
        # run after the first chart (issue 13).
        assert without_prerender(plain.get_data(as_text=True)) == (
            factory.dash_after_first_chart(original().encode()).decode()
        )
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    for response in (plain, zipped):
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    # A parameter the page ignores (not ?q=, a search: its prerender shows the agencies found).
    again = client.get("/?utm_source=x", headers={"Accept-Encoding": "gzip"})
    assert again.get_data() == zipped.get_data(), "the same page, the same title"
    spanish = client.get("/?lang=es", headers={"Accept-Encoding": "identity"})
    assert '<html lang="es">' in spanish.get_data(as_text=True)
    assert client.get("/?lang=es").get_data() == spanish.get_data()
    assert len(drawn) == 2, "once in English, once in Spanish"
    methodology = client.get("/methodology?lang=es").get_data(as_text=True)
    assert "<title>Metodología — Estado de Ejemplo</title>" in methodology
    assert len(drawn) == 3, "a page with its own title is drawn once more"


def test_dash_waits_for_the_first_chart_only_where_the_prerender_has_one(shared_url):
    client = new_app(shared_url).server.test_client()
    plain = {"Accept-Encoding": "identity"}
    home = client.get("/", headers=plain).get_data()
    methodology = client.get("/methodology", headers=plain).get_data()
    assert b'<div id="prerender"' in home and b'<div id="prerender"' in methodology
    assert b"data-prerender-graph" in home and factory.LATER_TYPE in home
    # No chart in the page: Dash's scripts run as Dash's index has them.
    assert b"data-prerender-graph" not in methodology
    assert factory.LATER_TYPE not in methodology
    assert factory.dash_after_first_chart(methodology) != methodology


def test_an_unknown_page_is_still_a_404_with_the_same_page(shared_url):
    client = new_app(shared_url).server.test_client()
    home = client.get("/", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    page = (
        without_prerender(home)
        .replace(
            "<title>Customer service performance — State of Example</title>",
            "<title>Page not found — State of Example</title>",
        )
        .encode()
    )
    for path in ("/agency/no-such-agency", "/no-such-page", "/agency/no-such-agency"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 404
        assert response.headers.get("Content-Encoding") is None  # as flask-compress left it
        # Dash's own index, its scripts run as the parser reaches them (no prerender).
        assert response.get_data() != page
        assert factory.dash_after_first_chart(response.get_data()) == page
        assert "Content-Security-Policy" in response.headers


# -- known pages -----------------------------------------------------------------------------


def test_known_pages_are_remembered_per_version_only(shared_url, monkeypatch):
    app = new_app(shared_url)
    client = app.server.test_client()
    looked_up: list[str] = []
    original = pages.known_page_title
    monkeypatch.setattr(
        factory,
        "known_page_title",
        lambda s, path, args: looked_up.append(path) or original(s, path, args),
    )
    for _ in range(3):
        assert client.get(AGENCY_PATH).status_code == 200
        assert client.get("/agency/no-such-agency").status_code == 404
    assert looked_up == [AGENCY_PATH, *["/agency/no-such-agency"] * 3]
    version = answer_cache.data_version(shared_url)
    monkeypatch.setattr(answer_cache, "data_version", lambda url: version + "-next")
    assert client.get(AGENCY_PATH).status_code == 200
    assert looked_up[-1] == AGENCY_PATH, "a new version looks the page up again"


def test_known_pages_are_bounded(shared_url, monkeypatch):
    app = new_app(shared_url)
    known = app.server.extensions["cxdash_known_pages"]
    monkeypatch.setattr(factory.KnownPages, "LIMIT", 5)
    client = app.server.test_client()
    for period in range(12):
        assert client.get(f"/?q=x{period}").status_code == 200
    assert len(known) == 5


# -- the callback body check -----------------------------------------------------------------


def test_a_body_found_good_is_not_checked_again_and_bad_ones_always_are(shared_url, monkeypatch):
    from dashboard.web import request_guard

    app = new_app(shared_url)
    client = app.server.test_client()
    checked: list[int] = []
    original = request_guard.check_callback_body
    monkeypatch.setattr(
        request_guard,
        "check_callback_body",
        lambda body, callbacks: checked.append(1) or original(body, callbacks),
    )
    raw = json.dumps(router_request(AGENCY_PATH)).encode()
    for _ in range(3):
        response = client.post("/_dash-update-component", data=raw, content_type="application/json")
        assert response.status_code == 200
    assert len(checked) == 1
    # The same bytes, not sent as JSON: refused, as before.
    assert (
        client.post("/_dash-update-component", data=raw, content_type="text/plain").status_code
        == 400
    )
    bad = json.dumps({**router_request(AGENCY_PATH), "inputs": [{"id": "url"}]}).encode()
    for _ in range(2):
        response = client.post("/_dash-update-component", data=bad, content_type="application/json")
        assert response.status_code == 400
    assert len(checked) == 4


# -- the in-process cache ------------------------------------------------------------------


def test_the_simple_cache_is_bounded_in_bytes():
    from dashboard.web.answer_cache import BoundedSimpleCache

    store = BoundedSimpleCache(threshold=500, default_timeout=300, max_bytes=20_000)
    for n in range(40):
        assert store.set(f"k{n}", b"x" * 1000)
    assert store.size <= 20_000 + 1500
    assert len(store._cache) < 40
    assert store.get("k39") == b"x" * 1000, "the newest stays"
    assert store.get("k0") is None, "the oldest went first"
    assert store.set("huge", b"x" * 6000) is False and store.get("huge") is None
    held = store.size
    store.delete("k39")
    assert store.size < held
    # What the rate limits do with it.
    assert store.add("counter", 0) and store.inc("counter", 2) == 2
    assert not store.add("counter", 0)
    store.clear()
    assert store.size == 0


def test_the_apps_own_cache_is_the_bounded_one(shared_url):
    from dashboard.infra.cache import cache
    from dashboard.web.answer_cache import BoundedSimpleCache

    app = new_app(shared_url)
    assert isinstance(app.server.extensions["cache"][cache], BoundedSimpleCache)
