"""No 500 from a URL or a callback body outside the API (dashboard/web/request_guard.py).

Malformed bodies to Dash's callback route get a 400 with a JSON error; component-suite paths
naming no registered file, stray asset and review-pack paths get a 404; odd URLs never get a
500 or a traceback. Valid requests still work. On SQLite and PostgreSQL (PostgreSQL refuses
a NUL character in a query, which SQLite stores).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.cache import cache
from data import accounts
from tests.integration.test_speed import router_request

CALLBACK = "/_dash-update-component"
JSON = "application/json"
PASSWORD = "correct horse battery staple"

REVIEW_OUTPUT = (
    "..review-pack-job.data...review-pack-status.children...review-pack-progress.value"
    "...review-pack-progress.max...review-pack-progress.hidden...review-pack-link.children"
    "...review-pack-poll.disabled...review-pack-button.disabled.."
)


def router(path: str = "/", search: str = "") -> dict[str, Any]:
    return router_request(path, search, None)


def review_request(
    clicks: Any = 1, ticks: Any = None, request: Any = None, job: Any = None
) -> dict[str, Any]:
    """What dash-renderer posts when the review pack's button is pressed (callbacks/review.py)."""
    outputs = [
        {"id": part.rpartition(".")[0], "property": part.rpartition(".")[2]}
        for part in REVIEW_OUTPUT[2:-2].split("...")
    ]
    return {
        "output": REVIEW_OUTPUT,
        "outputs": outputs,
        "inputs": [
            {"id": "review-pack-button", "property": "n_clicks", "value": clicks},
            {"id": "review-pack-poll", "property": "n_intervals", "value": ticks},
        ],
        "changedPropIds": ["review-pack-button.n_clicks"],
        "state": [
            {"id": "review-pack-request", "property": "data", "value": request},
            {"id": "review-pack-job", "property": "data", "value": job},
        ],
    }


def changed(body: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> bytes:
    body = copy.deepcopy(body)
    edit(body)
    return json.dumps(body).encode()


def without(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda body: body.pop(key)


def setting(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda body: body.__setitem__(key, value)


def input_value(index: int, value: Any, key: str = "inputs") -> Callable[[dict[str, Any]], None]:
    return lambda body: body[key][index].__setitem__("value", value)


def input_field(index: int, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda body: body["inputs"][index].__setitem__(field, value)


def nested(depth: int) -> Any:
    value: Any = "/"
    for _ in range(depth):
        value = [value]
    return value


ROUTER = router("/methodology", "?lang=es")
REVIEW = review_request()

#: (what is wrong, raw body, content type): each one a 400, none a 500.
MALFORMED: list[tuple[str, bytes, str]] = [
    # not a JSON object
    ("not JSON", b"not json", JSON),
    ("empty body", b"", JSON),
    ("truncated JSON", json.dumps(ROUTER).encode()[:-5], JSON),
    ("invalid UTF-8", b"\xff\xfe{\x00", JSON),
    ("plain text content type", json.dumps(ROUTER).encode(), "text/plain"),
    ("form content type", b"output=page.children", "application/x-www-form-urlencoded"),
    ("null", b"null", JSON),
    ("empty list", b"[]", JSON),
    ("a list of the body", json.dumps([ROUTER]).encode(), JSON),
    ("a number", b"42", JSON),
    ("a string", b'"page.children"', JSON),
    ("true", b"true", JSON),
    ("empty object", b"{}", JSON),
    ("nesting past the parser", b"[" * 100_000 + b"]" * 100_000, JSON),
    ("nesting past the limit", changed(ROUTER, input_value(0, nested(60))), JSON),
    # output
    ("no output", changed(ROUTER, without("output")), JSON),
    ("output null", changed(ROUTER, setting("output", None)), JSON),
    ("output a number", changed(ROUTER, setting("output", 1)), JSON),
    ("output a list", changed(ROUTER, setting("output", ["page.children"])), JSON),
    ("output an object", changed(ROUTER, setting("output", {"id": "page"})), JSON),
    ("unknown output", changed(ROUTER, setting("output", "nope.children")), JSON),
    ("empty output", changed(ROUTER, setting("output", "")), JSON),
    ("clientside output", changed(ROUTER, setting("output", "document-language.data")), JSON),
    # outputs
    ("no outputs", changed(ROUTER, without("outputs")), JSON),
    ("outputs a string", changed(ROUTER, setting("outputs", "page.children")), JSON),
    ("outputs an object", changed(ROUTER, setting("outputs", {"id": "page"})), JSON),
    ("outputs too few", changed(ROUTER, lambda body: body["outputs"].pop()), JSON),
    ("outputs numbers", changed(ROUTER, setting("outputs", [1, 2, 3])), JSON),
    (
        "outputs of another component",
        changed(ROUTER, lambda body: body["outputs"][0].__setitem__("id", "nope")),
        JSON,
    ),
    (
        "outputs property a number",
        changed(ROUTER, lambda body: body["outputs"][0].__setitem__("property", 7)),
        JSON,
    ),
    # inputs
    ("no inputs", changed(ROUTER, without("inputs")), JSON),
    ("inputs null", changed(ROUTER, setting("inputs", None)), JSON),
    ("inputs an object", changed(ROUTER, setting("inputs", {"id": "url"})), JSON),
    ("inputs a string", changed(ROUTER, setting("inputs", "url.pathname")), JSON),
    ("inputs too few", changed(ROUTER, lambda body: body["inputs"].pop()), JSON),
    (
        "inputs too many",
        changed(ROUTER, lambda body: body["inputs"].append(body["inputs"][0])),
        JSON,
    ),
    ("inputs numbers", changed(ROUTER, setting("inputs", [1, 2])), JSON),
    ("input without id", changed(ROUTER, lambda body: body["inputs"][0].pop("id")), JSON),
    ("input of another component", changed(ROUTER, input_field(0, "id", "nope")), JSON),
    ("input of another property", changed(ROUTER, input_field(0, "property", "href")), JSON),
    ("input property a number", changed(ROUTER, input_field(0, "property", 1)), JSON),
    ("input id a pattern", changed(ROUTER, input_field(0, "id", {"type": "url"})), JSON),
    # the router's values
    ("pathname a number", changed(ROUTER, input_value(0, 42)), JSON),
    ("pathname a list", changed(ROUTER, input_value(0, ["/"])), JSON),
    ("pathname an object", changed(ROUTER, input_value(0, {"path": "/"})), JSON),
    ("pathname true", changed(ROUTER, input_value(0, True)), JSON),
    ("pathname with a NUL", changed(ROUTER, input_value(0, "/agency/dmv\x00")), JSON),
    ("search a number", changed(ROUTER, input_value(1, 3.5)), JSON),
    ("search a list", changed(ROUTER, input_value(1, ["?lang=es"])), JSON),
    ("search an object", changed(ROUTER, input_value(1, {"lang": "es"})), JSON),
    ("search with a NUL", changed(ROUTER, input_value(1, "?metric=\x00")), JSON),
    # state
    ("no state", changed(ROUTER, without("state")), JSON),
    ("state an object", changed(ROUTER, setting("state", {"id": "rendered-url"})), JSON),
    ("state a string", changed(ROUTER, setting("state", ["rendered-url.data"])), JSON),
    (
        "state of another component",
        changed(ROUTER, lambda body: body["state"][0].__setitem__("id", "nope")),
        JSON,
    ),
    ("rendered URL a number", changed(ROUTER, input_value(0, 5, key="state")), JSON),
    ("rendered URL a list", changed(ROUTER, input_value(0, ["/"], key="state")), JSON),
    # changedPropIds
    ("changedPropIds a string", changed(ROUTER, setting("changedPropIds", "url.search")), JSON),
    ("changedPropIds numbers", changed(ROUTER, setting("changedPropIds", [1])), JSON),
    ("changedPropIds null entry", changed(ROUTER, setting("changedPropIds", [None])), JSON),
    ("changedPropIds without a dot", changed(ROUTER, setting("changedPropIds", ["url"])), JSON),
    (
        "changedPropIds a broken pattern id",
        changed(ROUTER, setting("changedPropIds", ['{"type":.n_clicks'])),
        JSON,
    ),
    (
        "changedPropIds a pattern id not an object",
        changed(ROUTER, setting("changedPropIds", ["{1}.n_clicks"])),
        JSON,
    ),
    ("a key with a NUL", changed(ROUTER, setting("x\x00", 1)), JSON),
    # the review pack's values
    ("clicks a string", changed(REVIEW, input_value(0, "1")), JSON),
    ("clicks true", changed(REVIEW, input_value(0, True)), JSON),
    ("ticks a list", changed(REVIEW, input_value(1, [1])), JSON),
    ("pack request a list", changed(REVIEW, input_value(0, [2026, 1], key="state")), JSON),
    ("pack job a number", changed(REVIEW, input_value(1, 7, key="state")), JSON),
]


def test_the_table_is_long_enough_and_each_case_is_distinct() -> None:
    assert len(MALFORMED) >= 52
    assert len({name for name, _, _ in MALFORMED}) == len(MALFORMED)
    assert len({(body, kind) for _, body, kind in MALFORMED}) == len(MALFORMED)


@pytest.fixture(scope="module")
def client(demo_store: str) -> Iterator[Any]:
    from dashboard.web.factory import create_app

    yield create_app(Settings(database_url=demo_store)).server.test_client()
    db.dispose_all()


def test_every_malformed_callback_body_is_a_400(client: Any) -> None:
    answers = {
        name: client.post(CALLBACK, data=body, content_type=kind) for name, body, kind in MALFORMED
    }
    wrong = {name: r.status_code for name, r in answers.items() if r.status_code != 400}
    assert not wrong, wrong
    for name, response in answers.items():
        assert response.mimetype == JSON, name
        assert isinstance(response.get_json()["error"], str), name
        assert "Traceback" not in response.get_data(as_text=True), name


def test_valid_callback_bodies_still_work(client: Any) -> None:
    response = client.post(CALLBACK, json=ROUTER)
    assert response.status_code == 200, response.get_data(as_text=True)
    payload = response.get_json()["response"]
    assert payload["page"]["lang"] == "es"
    assert payload["rendered-url"]["data"] == "/methodology?lang=es"
    home = client.post(CALLBACK, json=router_request("/", "", None))
    assert home.status_code == 200
    # A URL naming no page is a valid body: the 404 page, drawn by the callback.
    missing = client.post(CALLBACK, json=router_request("/no/such/page", "?x=1", None))
    assert missing.status_code == 200
    # No pack request held by the page: the callback changes nothing.
    assert client.post(CALLBACK, json=review_request()).status_code in (200, 204)
    # The renderer leaves "value" out when a property is undefined.
    body = router("/changes")
    del body["state"][0]["value"]
    assert client.post(CALLBACK, json=body).status_code == 200


def test_a_value_the_guard_lets_through_but_the_callback_cannot_take_is_a_400(
    client: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The last line: an error raised inside a callback on the callback route is a 400, and
    logged with its traceback (it may be a bug); the same error anywhere else stays a 500."""
    from callbacks import router as router_callbacks

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise TypeError("cannot take that")

    monkeypatch.setattr(router_callbacks, "render", broken)
    with client.application.app_context():
        cache.clear()  # the page is drawn, not served from the answer cache (answer_cache.py)
    with caplog.at_level("WARNING", logger="dashboard.web.request_guard"):
        response = client.post(CALLBACK, json=router("/changes"))
    assert response.status_code == 400
    assert response.get_json() == {"error": "the callback cannot take the values it was sent"}
    assert any(record.exc_info for record in caplog.records), caplog.text


BAD_SUITE_FILES = [
    "dash/..%2f..%2fsettings.py",
    "dash/..%2F..%2F..%2Fdashboard%2Fcore%2Fsettings.py",
    "dash/%2e%2e/%2e%2e/settings.py",
    "dash/dcc/../../../settings.py",
    "dash/dcc/%2e%2e%2f%2e%2e%2fdash.py",
    "dash/__init__.py",
    "nope/x.js",
    "..%2fdash/dcc/async-graph.js",
    "dash/nope.js",
    "dash/dcc/async%00graph.js",
    "dash/dcc/async-graph.js%00.py",
    "dash//dcc/async-graph.js",
    "dash/dcc//async-graph.js",
    "dash/dcc/async-graph.vXmZ.js",  # a fingerprint Dash does not recognise: no such file
    "dash/dcc/async-graph.v1m1.py",
    "dash/dcc/",
    "dash/",
    "dash",
    "",
]


@pytest.mark.parametrize("prefix", ["/", "/staff/"])
def test_component_suite_paths_naming_no_file_are_404(prefix: str, staff_client: Any) -> None:
    for name in BAD_SUITE_FILES:
        response = staff_client.get(f"{prefix}_dash-component-suites/{name}")
        assert response.status_code == 404, (prefix, name, response.status_code)
    # The real files are still served, to both apps.
    real = staff_client.get(f"{prefix}_dash-component-suites/dash/dcc/async-graph.js")
    assert real.status_code == 200 and real.mimetype == "text/javascript"


STRAY_PATHS = [
    "/assets/",
    "/assets//etc/passwd",
    "/assets/../x",
    "/assets/%2e%2e/x",
    "/assets/nope.css",
    "/assets",
    "/_dash-nope",
    "/_dashx",
    "/_reload-hashx",
    "/_favicon.icox",
    "/healthz/x",
    "/download/",
    "/download/x",
    "/export/",
    "/export.zipx",
    "/review-pack/",
    "/review-pack/..%2f..%2fetc%2fpasswd.pdf",
    "/review-pack/../../etc/passwd.pdf",
    "/review-pack/fy2026/..%2f..%2fetc%2fpasswd.pdf",
    "/review-pack/nope",
]


def test_paths_that_name_nothing_are_404(client: Any) -> None:
    for path in STRAY_PATHS:
        for method in (client.get, client.head):
            response = method(path)
            assert response.status_code == 404, (path, method, response.status_code)
    assert client.get("/assets/cxdash.css").status_code == 200
    assert client.get("/_favicon.ico").status_code == 200


#: Odd URLs of every kind: none may answer 500 or show a traceback.
ODD_URLS = [
    "/" + "a" * 3000,
    "/agency/" + "x/" * 500,
    "/agency/dmv?metric=" + "m" * 3000,
    "/agency/d%C3%A9partement",
    "/agency/\u0434\u043c\u0432",
    "/\U0001f600",
    "/%F0%9F%98%80?lang=%F0%9F%98%80",
    "/%00",
    "/agency/%00",
    "/agency/dmv%00",
    "/agency/dmv?metric=%00",
    "/agency/dmv?segment=%00&period=%00",
    "/?lang=%00",
    "/changes?lang=%00",
    "/review?fy=%00",
    "/%ff%fe",
    "/?a=%ff%fe",
    "/%ZZ",
    "/%c0%ae%c0%ae/",
    "//",
    "//agency//dmv",
    "/./",
    "/agency/./dmv",
    "/agency/../agency/dmv",
    "/?lang=<script>alert(1)</script>",
    "/agency/dmv?lang=%3Cscript%3E",
    "/changes?lang=es&lang=fr&lang=<x>",
    "/agency/dmv?metric=a&metric=b&period=1&period=2",
    "/review?fy=99999999999999999999999&q=-1",
    "/review?fy=2026&q=9223372036854775808",
    "/agency/dmv?period=9223372036854775808",
    "/preview/agency/%00",
    "/download/agency/dmv/%00.csv",
    "/download/%00.csv?lang=%00",
    "/export/agency/dmv/%00.png",
    "/export%00.zip",
    "/_dash-layout?x=%00",
    "/_reload-hash/%00",
    "/staff/%00",
    "/_dash-component-suites/dash/..%2f..%2fsettings.py",
    "/_dash-component-suites/%00/%00.js",
    "/staff/_dash-component-suites/dash/..%2f..%2fsettings.py",
]


def test_odd_urls_never_answer_500_nor_a_traceback(client: Any) -> None:
    failures = {}
    for url in ODD_URLS:
        response = client.get(url)
        body = response.get_data(as_text=True)
        if response.status_code >= 500 or "Traceback" in body:
            failures[url] = response.status_code
    assert not failures, failures


# -- the staff workspace (/staff/): signed in, with its CSRF header --------------------------


@pytest.fixture(scope="module")
def staff_client(demo_store: str) -> Iterator[Any]:
    """The public app's server with a staff member signed in (an admin of a module store)."""
    from dashboard.web.factory import create_app

    # The module's own copy of the demo store: an account changes no public page.
    with db.session_scope(demo_store) as session:
        accounts.create_user(session, "guard-admin", "admin", password=PASSWORD)
    test_client = create_app(Settings(database_url=demo_store)).server.test_client()
    page = test_client.get("/staff/sign-in").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    response = test_client.post(
        "/staff/sign-in",
        data={"username": "guard-admin", "password": PASSWORD, "csrf_token": found.group(1)},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert test_client.get("/staff/").status_code == 200  # sets the CSRF cookie
    yield test_client
    db.dispose_all()


def staff_post(staff_client: Any, body: Any) -> Any:
    cookie = staff_client.get_cookie("_csrf_token", path="/staff")
    return staff_client.post(
        "/staff" + CALLBACK,
        data=json.dumps(body),
        content_type=JSON,
        headers={"X-CSRFToken": cookie.value if cookie else ""},
    )


def staff_router(pathname: Any, search: Any = "") -> dict[str, Any]:
    return {
        "output": "staff-page.children",
        "outputs": {"id": "staff-page", "property": "children"},
        "inputs": [
            {"id": "staff-url", "property": "pathname", "value": pathname},
            {"id": "staff-url", "property": "search", "value": search},
        ],
        "changedPropIds": ["staff-url.pathname"],
    }


def content_edit(ids: Any) -> dict[str, Any]:
    """The content page's edit buttons: a pattern-matching (ALL) input."""
    output = (
        "..content-modal.is_open...content-form.children...content-modal-title.children"
        "...content-editing.data.."
    )
    return {
        "output": output,
        "outputs": [
            {"id": "content-modal", "property": "is_open"},
            {"id": "content-form", "property": "children"},
            {"id": "content-modal-title", "property": "children"},
            {"id": "content-editing", "property": "data"},
        ],
        "inputs": [
            {"id": "content-new", "property": "n_clicks", "value": None},
            ids,
        ],
        "changedPropIds": ['{"row":1,"type":"content-edit"}.n_clicks'],
        "state": [{"id": "content-context", "property": "data", "value": None}],
    }


def test_staff_callbacks_refuse_malformed_bodies_and_still_work(staff_client: Any) -> None:
    assert staff_post(staff_client, staff_router("/staff/users")).status_code == 200
    for bad in (staff_router(42), staff_router(["/staff/"]), staff_router("/staff/", {"a": 1})):
        response = staff_post(staff_client, bad)
        assert response.status_code == 400, response.get_data(as_text=True)
    # Pattern-matching inputs: the ids the renderer sends are the pattern's, with any value.
    edit = {"id": {"row": 1, "type": "content-edit"}, "property": "n_clicks", "value": 1}
    assert staff_post(staff_client, content_edit([edit])).status_code in (200, 204)
    assert staff_post(staff_client, content_edit([])).status_code in (200, 204)
    for ids in (
        edit,  # one component where the pattern (ALL) stands for a list
        [{**edit, "id": {"row": 1}}],  # a key of the pattern missing
        [{**edit, "id": {"row": 1, "type": "content-discard"}}],  # another pattern
        [{**edit, "id": {"row": [1], "type": "content-edit"}}],  # a wildcard value a list
        [{**edit, "id": "content-edit"}],  # not a pattern id
    ):
        response = staff_post(staff_client, content_edit(ids))
        assert response.status_code == 400, (ids, response.get_data(as_text=True))


def test_stray_staff_paths_are_404(staff_client: Any) -> None:
    for path in (
        "/staff/_dash-nope",
        "/staff/_dash-component-suites/dash//dcc/async-graph.js",
        "/staff/assets/",
        "/staff/assets//etc/passwd",
        "/staff/_reload-hashx",
    ):
        response = staff_client.get(path)
        assert response.status_code == 404, (path, response.status_code)
    assert staff_client.get("/staff/assets/staff.css").status_code == 200
