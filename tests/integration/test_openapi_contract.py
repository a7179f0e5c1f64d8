"""The OpenAPI document and the server agree, parameter by parameter.

The document (/api/v1/openapi.json) is read as a client would, and each of its operations is
asked with values its schemas allow and values they refuse:

- a value the schema allows is answered 200, or, for a value that must name something (a unit
  slug, a metric code, a segment), 400 exactly when nothing published has that name;
- a value the schema refuses is a 400 naming the parameter and the value as given;
- an unknown parameter is a 400 on every operation;
- every route Flask serves under /api/v1 is in the document, and every documented one is served.

Values come from three places: a fixed corpus of awkward strings (empty, spaces, overflowing
integers, odd dates and periods, unicode digits...), each operation's enums and examples, and
strings Hypothesis generates from each documented pattern (derandomized: the same every run).
Whether a value is allowed is decided by a JSON Schema validator over the document's schema,
never by the server's own rules, so a drift between the two fails here.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.infra.cache import cache
from dashboard.infra.db import session_scope
from dashboard.infra.models import DRAFT, Metric, Observation, Unit
from dashboard.open_data.parameters import MAX_OFFSET, MAX_VALUES
from dashboard.web.factory import create_app
from tests.conftest import demo_store_copy

#: Strings no schema should be trusted with: each is sent to every parameter of every operation.
CORPUS = (
    "",
    " ",
    "\t",
    "0",
    "1",
    "-1",
    "-0",
    "+1",
    "01",
    "1.5",
    "1e3",
    "0x10",
    "1_000",
    "١٢",  # Arabic-Indic digits: int() reads them, a query string should not
    "999",
    "1000",
    "1001",
    str(MAX_OFFSET),
    str(MAX_OFFSET + 1),
    "9223372036854775807",
    "9223372036854775808",
    "1" * 5000,
    "0" * 5000 + "1",
    "true",
    "null",
    "json",
    "csv",
    "xlsx",
    "JSON",
    "dmv",
    "DMV",
    " dmv",
    "dmv ",
    "dmv\n",
    "no-such-unit",
    "-dmv",
    "dmv--x",
    "csat_overall",
    "csat overall",
    "agency",
    "quarter",
    "overall",
    "overall:x",
    "channel",
    "channel:",
    "channel:phone",
    "channel: phone",
    "channel:fax",
    "mood",
    "mood:happy",
    "FY2025",
    "fy2025",
    "FY2025 Q2",
    "FY2025Q2",
    "T2 AF2025",
    "Q2 FY2025",
    "FY2025 Q5",
    "FY2025  Q2",
    "FY0000",
    "FY9999",
    "FY99999999999999999999",
    "2025-03",
    "2025-13",
    "2025-3",
    "0000-01",
    "Mar 2025",
    "FY2023-24",
    "2024-03-01",
    "2024-02-30",
    "2024-3-1",
    "20240301",
    "2024-W10-1",
    "0001-01-01",
    "9999-12-31",
    "2024-03-01T00:00:00",
    "yesterday",
    "x" * 200,
    "é",
    "\x00",
    "<script>",
    "'; DROP TABLE units; --",
)

RESOURCE_PATHS = {r.path for r in open_data.RESOURCES} | {r.csv_path for r in open_data.RESOURCES}
#: What a parameter already asked with the whole corpus is asked again with elsewhere.
SHORT_CORPUS = ("", " ", "-1", "9223372036854775808", "dmv ", "FY2025 Q2", "2024-02-30", "\x00")
#: Parameters whose values must name something published, and where the truth is kept.
LOOKUP_BOUND = {"unit": "unit_slugs", "parent": "unit_slugs", "metric": "metric_codes"}


@pytest.fixture(scope="module")
def store_url(demo_stores, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("openapi_contract")
    with demo_store_copy(demo_stores, "sqlite", folder) as url:
        yield url


@pytest.fixture(scope="module")
def client(store_url: str):
    app = create_app(Settings(database_url=store_url, api_rate_limit=0, page_rate_limit=0))
    with app.server.app_context():
        cache.clear()
    return app.server.test_client()


@pytest.fixture(scope="module")
def document(client) -> dict[str, Any]:
    response = client.get(open_data.OPENAPI_PATH)
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture(scope="module")
def lookups(store_url: str) -> open_data.Lookups:
    return open_data.load_lookups(store_url)


# -- reading the document ----------------------------------------------------------------------


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, item["get"]) for path, item in document["paths"].items()]


def _parameters(document: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [_resolve(document, p) for p in operation.get("parameters", [])]


@functools.cache
def _validator(schema_json: str) -> Any:
    return jsonschema_rs.Draft202012Validator(json.loads(schema_json), validate_formats=True)


def _allowed(parameter: dict[str, Any], value: str) -> bool:
    """Whether the document allows ``value`` (one query-string value) for ``parameter``."""
    schema = parameter["schema"]
    instance: Any = value
    if schema["type"] == "integer":
        # A query string writes an integer in decimal; anything else is not one.
        if re.fullmatch(r"-?[0-9]+", value):
            digits = value.lstrip("-").lstrip("0") or "0"  # int() refuses 4,301 digits
            instance = int(digits[:40]) * (-1 if value.startswith("-") else 1)
            instance = instance if len(digits) <= 40 else 10**40
    elif schema["type"] == "array":
        instance = [value]
    return _validator(json.dumps(schema, sort_keys=True)).is_valid(instance)


def _named_value(parameter: dict[str, Any], value: str, lookups: open_data.Lookups) -> bool:
    """For a lookup-bound parameter: whether ``value`` names something published."""
    name = parameter["name"]
    if name in LOOKUP_BOUND:
        return value in getattr(lookups, LOOKUP_BOUND[name])
    if name == "segment" and ":" in value:
        kind, _, rest = value.partition(":")
        return (kind, rest) in lookups.segments
    if name == open_data.CURSOR_PARAMETER:
        # Opaque: only a cursor the API gave (for these filters: none here) names a row.
        try:
            open_data.decode_cursor(value, f"{open_data.OBSERVATIONS.name}?")
        except open_data.CursorError:
            return False
    return True


def _get(client, path: str, pairs: list[tuple[str, str]]):
    return client.get(f"{path}?{urlencode(pairs)}" if pairs else path)


def _assert_refused(response, name: str, value: str) -> None:
    assert response.status_code == 400, (name, value, response.status_code)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert (error["parameter"], error["value"]) == (name, value)
    assert error["code"] == "bad_parameter" and error["message"]


def _check(client, path, parameter, value, lookups) -> None:
    """Ask ``path`` with ``parameter`` = ``value`` alone; the answer must match the document."""
    name = parameter["name"]
    # One row a page keeps the answers small; the paging parameters are asked alone.
    paged = path in RESOURCE_PATHS and name not in open_data.PAGING_PARAMETERS
    page = [("limit", "1")] if paged else []
    response = _get(client, path, [(name, value), *page])
    if not _allowed(parameter, value) or not _named_value(parameter, value, lookups):
        _assert_refused(response, name, value)
    else:
        assert response.status_code == 200, (path, name, value, response.get_data()[:300])


# -- the tests ---------------------------------------------------------------------------------


def test_every_api_route_is_documented_and_every_documented_one_is_served(client, document):
    rules = [
        rule
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith(open_data.API_PREFIX)
    ]
    served: dict[str, set[str]] = {}
    for rule in rules:
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        served.setdefault(open_data.openapi_path(rule.rule), set()).update(methods)
    documented = {path: set(item) for path, item in document["paths"].items()}
    assert served == documented
    for path in documented:
        assert _get(client, path, []).status_code == 200, path


def test_every_operation_declares_every_answer_it_can_give(document):
    for path, operation in _operations(document):
        assert set(operation["responses"]) == {"200", "304", "400", "429", "503"}, path
        for code in ("400", "429", "503"):
            response = _resolve(document, operation["responses"][code])
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (path, code)
        for code in ("429", "503"):
            assert "Retry-After" in _resolve(document, operation["responses"][code])["headers"]


def test_every_parameter_accepts_what_its_schema_allows_and_refuses_the_rest(
    client, document, lookups
):
    # The whole corpus on each distinct parameter (name and schema) once; where the same one
    # comes again (unit on five resources, each JSON one on its .csv twin), a few values.
    seen: set[tuple[str, str]] = set()
    checked = 0
    for path, operation in _operations(document):
        for parameter in _parameters(document, operation):
            schema = parameter["schema"]
            key = (parameter["name"], json.dumps(schema, sort_keys=True))
            values = list(SHORT_CORPUS if key in seen else CORPUS)
            seen.add(key)
            items = schema.get("items", schema)
            values += [str(v) for v in items.get("enum", ())]
            example = parameter.get("example")
            values += [str(v) for v in (example if isinstance(example, list) else [example])]
            if parameter["name"] in LOOKUP_BOUND:
                values += sorted(getattr(lookups, LOOKUP_BOUND[parameter["name"]]))[:3]
            for value in dict.fromkeys(values):
                if schema["type"] == "array" and "," in value:
                    continue  # a comma separates values: see the list tests below
                _check(client, path, parameter, value, lookups)
                checked += 1
    assert checked > 1000


def _patterned(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path, parameter) for every parameter whose values follow a pattern."""
    found = []
    for path, operation in _operations(document):
        for parameter in _parameters(document, operation):
            if "pattern" in parameter["schema"].get("items", parameter["schema"]):
                found.append((path, parameter))
    return found


def test_values_generated_from_each_pattern_are_accepted_or_name_nothing(client, document, lookups):
    patterned = _patterned(document)
    assert {p["name"] for _path, p in patterned} >= {"unit", "metric", "period", "from", "segment"}
    for path, parameter in patterned:
        _generated_values_answered_as_documented(client, path, parameter, lookups)


def _generated_values_answered_as_documented(client, path, parameter, lookups) -> None:
    pattern = parameter["schema"].get("items", parameter["schema"])["pattern"]

    @given(value=st.from_regex(pattern, fullmatch=True))
    @settings(
        max_examples=15,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answered_as_documented(value: str) -> None:
        _check(client, path, parameter, value, lookups)

    answered_as_documented()


def test_every_known_value_of_a_lookup_bound_filter_is_accepted(client, lookups):
    for slug in sorted(lookups.unit_slugs):
        assert _get(client, "/api/v1/closures", [("unit", slug)]).status_code == 200, slug
    for code in sorted(lookups.metric_codes):
        assert _get(client, "/api/v1/targets", [("metric", code)]).status_code == 200, code
    for kind, value in sorted(lookups.segments):
        segment = f"{kind}:{value}" if kind else "overall"
        response = _get(client, "/api/v1/observations", [("segment", segment), ("limit", "1")])
        assert response.status_code == 200, segment


def test_unknown_parameters_are_refused_everywhere(client, document):
    for path, _operation in _operations(document):
        _assert_refused(_get(client, path, [("nonsense", "1")]), "nonsense", "1")


def test_lists_are_bounded_and_commas_split_them(client, lookups):
    slugs = sorted(lookups.unit_slugs)
    assert (
        _get(client, "/api/v1/closures", [("unit", f"{slugs[0]}, {slugs[1]}")]).status_code == 200
    )
    many = [("unit", slugs[i % len(slugs)]) for i in range(MAX_VALUES)]
    assert _get(client, "/api/v1/closures", many).status_code == 200
    response = _get(client, "/api/v1/closures", [*many, ("unit", slugs[0])])
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "unit"
    periods = ",".join(f"FY{2000 + i}" for i in range(MAX_VALUES))
    assert _get(client, "/api/v1/observations", [("period", periods)]).status_code == 200


def test_a_format_on_a_csv_path_must_say_csv(client):
    for path in ("/api/v1/units.csv", open_data.DICTIONARY_PATH + ".csv"):
        assert _get(client, path, [("format", "csv")]).status_code == 200
        _assert_refused(_get(client, path, [("format", "json")]), "format", "json")
    _assert_refused(
        _get(client, open_data.DICTIONARY_PATH, [("format", "csv"), ("format", "csv")]),
        "format",
        "csv,csv",
    )


def test_from_after_to_is_the_one_cross_parameter_refusal(client):
    response = _get(client, "/api/v1/observations", [("from", "2025-02-01"), ("to", "2025-01-01")])
    _assert_refused(response, "from", "2025-02-01")


def test_the_period_written_back_is_one_the_api_accepts(client, lookups):
    for period in ("fy2025 q2", "T2 AF2025", "2025-03", "FY2025"):
        body = _get(client, "/api/v1/observations", [("period", period), ("limit", "1")])
        assert body.status_code == 200, period
        (echo,) = body.get_json()["meta"]["query"]["period"]
        assert re.fullmatch(r"FY[0-9]{4}( Q[1-4])?|[0-9]{4}-[0-9]{2}", echo), echo
        again = _get(client, "/api/v1/observations", [("period", echo), ("limit", "1")])
        assert again.get_json()["meta"]["total"] == body.get_json()["meta"]["total"]


# -- both databases: deep offsets and draft segments -------------------------------------------


@pytest.fixture
def backend_client(demo_copy_url: str):
    app = create_app(Settings(database_url=demo_copy_url, api_rate_limit=0, page_rate_limit=0))
    with app.server.app_context():
        cache.clear()
    return app.server.test_client()


def test_offsets_past_the_documented_maximum_are_400s_not_overflows(backend_client):
    """Finding 4: ``offset=9223372036854775808`` was a 500 on SQLite and PostgreSQL."""
    document = backend_client.get(open_data.OPENAPI_PATH).get_json()
    offset = document["components"]["parameters"]["offset"]["schema"]
    assert offset["maximum"] == MAX_OFFSET
    for value in ("9223372036854775808", "9223372036854775807", str(MAX_OFFSET + 1), "9" * 400):
        for path in ("/api/v1/observations", "/api/v1/units.csv"):
            _assert_refused(_get(backend_client, path, [("offset", value)]), "offset", value)
    deepest = _get(backend_client, "/api/v1/observations", [("offset", str(MAX_OFFSET))])
    assert deepest.status_code == 200 and deepest.get_json()["data"] == []
    message = _get(backend_client, "/api/v1/units", [("offset", "9223372036854775808")])
    assert str(MAX_OFFSET) in message.get_json()["error"]["message"]


DRAFT_SEGMENT = "draft-only-group-xq-91"


def _add_draft_segment(url: str) -> None:
    """A draft figure, on a published unit and metric, for a segment nothing published has."""
    with session_scope(url) as session:
        published = session.execute(
            select(Observation.unit_id, Observation.metric_id)
            .join(Unit, Unit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(Observation.visibility != DRAFT)
            .limit(1)
        ).one()
        session.add(
            Observation(
                unit_id=published.unit_id,
                metric_id=published.metric_id,
                period_start=dt.date(2024, 1, 1),
                period_end=dt.date(2024, 1, 31),
                granularity="month",
                segment_type="customer_group",
                segment_value=DRAFT_SEGMENT,
                raw_value=0.5,
                visibility=DRAFT,
            )
        )


def test_a_bad_segment_lists_only_published_values_never_a_draft(demo_copy_url, backend_client):
    """Finding 9: without the published-only filter, the 400 listed draft segment values."""
    _add_draft_segment(demo_copy_url)
    for asked in ("customer_group:no-such-group", f"customer_group:{DRAFT_SEGMENT}"):
        response = _get(backend_client, "/api/v1/observations", [("segment", asked)])
        _assert_refused(response, "segment", asked)
        listed = response.get_json()["error"]["message"].split("known:", 1)[1]
        assert DRAFT_SEGMENT not in listed, listed
