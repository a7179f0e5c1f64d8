"""Paging the observations by cursor (keyset) and by offset, on SQLite and PostgreSQL.

Following ``next`` (JSON ``meta.links`` or the CSV ``Link`` header) from a first page gives
every published row matching the filters exactly once, in the documented order (the
observations' unique key: unit, metric, granularity, period start, segment), and never a
draft; a cursor given with other filters, or altered, is a 400 naming ``cursor``; ``offset``
still works, and its pages agree with the cursor's. The truth is read from the store directly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import event, func, select

from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.gateway import open_data as gateway
from dashboard.gateway import queries
from dashboard.infra import db
from dashboard.infra.cache import cache
from dashboard.infra.db import session_scope
from dashboard.infra.models import DRAFT, PUBLISHED, Metric, Observation, Unit
from dashboard.web.factory import create_app
from tests.integration.test_no_drafts_leak import DRAFT_AGENCY_SLUG, add_draft_catalogue

PATH = open_data.OBSERVATIONS.path
#: A draft figure among published ones: on a published unit and metric, in the middle of
#: their series, so that a page walking past it would show it if drafts leaked.
DRAFT_SEGMENT = "draft-only-paging-xq-44"

Key = tuple[str, str, str, str, str, str]


@pytest.fixture
def store(demo_copy_url: str) -> str:
    add_draft_catalogue(demo_copy_url)
    with session_scope(demo_copy_url) as session:
        unit_id, metric_id = session.execute(
            select(Observation.unit_id, Observation.metric_id)
            .join(Unit, Unit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(Unit.slug == "dmv", Metric.visibility == PUBLISHED)
            .limit(1)
        ).one()
        session.add(
            Observation(
                unit_id=unit_id,
                metric_id=metric_id,
                period_start=dt.date(2024, 1, 1),
                period_end=dt.date(2024, 1, 31),
                granularity="month",
                segment_type="customer_group",
                segment_value=DRAFT_SEGMENT,
                raw_value=0.5,
                visibility=DRAFT,
            )
        )
    return demo_copy_url


@pytest.fixture
def client(store: str) -> Iterator[Any]:
    app = create_app(Settings(database_url=store, api_rate_limit=0, page_rate_limit=0))
    with app.server.app_context():
        cache.clear()
    yield app.server.test_client()
    db.dispose_all()


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _json(client: Any, url: str) -> dict[str, Any]:
    response = client.get(_local(url))
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return response.get_json()


def _key(record: dict[str, Any]) -> Key:
    return (
        record["unit_slug"],
        record["metric_code"],
        record["granularity"],
        record["period_start"],
        record["segment_type"] or "",
        record["segment_value"] or "",
    )


def _published_keys(url: str, *conditions: Any) -> list[Key]:
    """Every published row matching ``conditions``, in the documented order, from the store."""
    with session_scope(url) as session:
        rows = session.execute(
            select(
                Unit.slug,
                Metric.code,
                Observation.granularity,
                Observation.period_start,
                Observation.segment_type,
                Observation.segment_value,
            )
            .join(Unit, Observation.unit_id == Unit.id)
            .join(Metric, Observation.metric_id == Metric.id)
            .where(
                Observation.visibility == PUBLISHED,
                Unit.visibility == PUBLISHED,
                Metric.visibility == PUBLISHED,
                *conditions,
            )
            .order_by(
                Observation.unit_id,
                Observation.metric_id,
                Observation.granularity,
                Observation.period_start,
                Observation.segment_type,
                Observation.segment_value,
            )
        ).all()
    return [(s, c, g, p.isoformat(), t, v) for s, c, g, p, t, v in rows]


def _walk_json(client: Any, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(every record, every page's meta) following meta.links.next from ``url``."""
    records: list[dict[str, Any]] = []
    metas: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        body = _json(client, next_url)
        records += body["data"]
        metas.append(body["meta"])
        next_url = body["meta"]["links"]["next"]
        assert len(metas) < 200
    return records, metas


def _walk_csv(client: Any, url: str) -> list[Key]:
    keys: list[Key] = []
    next_url: str | None = url
    while next_url:
        response = client.get(_local(next_url))
        assert response.status_code == 200, next_url
        text = response.get_data(as_text=True).removeprefix("\ufeff")
        for row in csv.DictReader(io.StringIO(text, newline="")):
            keys.append(
                (
                    row["unit_slug"],
                    row["metric_code"],
                    row["granularity"],
                    row["period_start"],
                    row["segment_type"],
                    row["segment_value"],
                )
            )
        link = response.headers.get("Link", "")
        next_url = link[1 : link.index(">")] if 'rel="next"' in link else None
    return keys


def _cursor_of(url: str) -> str:
    (cursor,) = parse_qs(urlsplit(url).query)["cursor"]
    return cursor


FILTER_SETS = [
    ({}, (), 1000),
    (
        {"unit": "dmv", "segment": "overall"},
        (Unit.slug == "dmv", Observation.segment_type == ""),
        37,
    ),
    (
        {"metric": "contacts_received", "granularity": "month", "segment": "channel"},
        (
            Metric.code == "contacts_received",
            Observation.granularity == "month",
            Observation.segment_type == "channel",
        ),
        50,
    ),
    ({"unit": "dmv"}, (Unit.slug == "dmv",), 250),
]


def test_following_next_gives_every_row_once_in_order_and_never_a_draft(client, store):
    for params, conditions, limit in FILTER_SETS:
        expected = _published_keys(store, *conditions)
        assert len(expected) > limit, (params, "enough rows for several pages")
        query = urlencode({**params, "limit": limit})
        records, metas = _walk_json(client, f"{PATH}?{query}")
        assert [_key(r) for r in records] == expected, params
        assert {m["total"] for m in metas} == {len(expected)}
        assert [m["count"] for m in metas[:-1]] == [limit] * (len(metas) - 1)
        # Every page after the first is asked for by cursor, and reads it back.
        for meta in metas[1:]:
            assert set(meta["query"]) == {*params, "limit", "cursor", "format"}
            assert meta["links"]["previous"] is None
        assert metas[0]["query"]["offset"] == 0 and metas[-1]["links"]["next"] is None
        assert _walk_csv(client, f"{open_data.OBSERVATIONS.csv_path}?{query}") == expected, params
    everything = _published_keys(store)
    assert not any(key[5] == DRAFT_SEGMENT for key in everything)
    assert not any(key[0] == DRAFT_AGENCY_SLUG for key in everything)


def test_offset_still_works_and_leads_on_by_cursor(client, store):
    expected = _published_keys(store, Unit.slug == "dmv")
    page = _json(client, f"{PATH}?unit=dmv&limit=40&offset=120")
    assert [_key(r) for r in page["data"]] == expected[120:160]
    meta = page["meta"]
    assert meta["query"]["offset"] == 120 and meta["total"] == len(expected)
    assert _local(meta["links"]["previous"]).endswith("offset=80")
    following = _json(client, meta["links"]["next"])
    assert [_key(r) for r in following["data"]] == expected[160:200]
    # The same page by cursor and by offset: one order, whichever way it is reached.
    by_offset = _json(client, f"{PATH}?unit=dmv&limit=40&offset=160")
    assert by_offset["data"] == following["data"]
    beyond = _json(client, f"{PATH}?unit=dmv&offset={len(expected)}")
    assert beyond["data"] == [] and beyond["meta"]["links"]["next"] is None
    # The limit may change between pages; the cursor keeps its place.
    wider = _json(client, _local(meta["links"]["next"]).replace("limit=40", "limit=100"))
    assert [_key(r) for r in wider["data"]] == expected[160:260]


def _refused(client: Any, url: str, parameter: str, value: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    error = response.get_json()["error"]
    assert (error["parameter"], error["value"]) == (parameter, value), error
    assert error["code"] == "bad_parameter" and error["message"]


def test_a_cursor_for_other_filters_or_altered_is_a_400(client):
    first = _json(client, f"{PATH}?unit=dmv&limit=10")
    cursor = _cursor_of(first["meta"]["links"]["next"])
    assert _json(client, f"{PATH}?unit=dmv&limit=10&cursor={cursor}")["data"]
    # Other filters, none, or another format's path with other filters.
    for query in ("", "unit=dmv&segment=overall&", "metric=csat_overall&"):
        _refused(client, f"{PATH}?{query}cursor={cursor}", "cursor", cursor)
    _refused(client, f"{PATH}.csv?segment=overall&cursor={cursor}", "cursor", cursor)
    # Altered: a character changed anywhere, cut short, lengthened, or not base64url at all.
    for at in (0, len(cursor) // 2, len(cursor) - 1):
        changed = cursor[:at] + ("A" if cursor[at] != "A" else "B") + cursor[at + 1 :]
        _refused(client, f"{PATH}?unit=dmv&cursor={changed}", "cursor", changed)
    for bad in (cursor[:-4], cursor + "AAAA", "x", "AAAA", "not a cursor", "=" * 8, "é"):
        _refused(client, f"{PATH}?{urlencode({'unit': 'dmv', 'cursor': bad})}", "cursor", bad)
    _refused(client, f"{PATH}?unit=dmv&cursor=", "cursor", "")
    # Not with offset, not twice, and only where the resource pages by cursor.
    _refused(client, f"{PATH}?unit=dmv&cursor={cursor}&offset=0", "cursor", cursor)
    _refused(
        client, f"{PATH}?unit=dmv&cursor={cursor}&cursor={cursor}", "cursor", f"{cursor},{cursor}"
    )
    _refused(client, f"/api/v1/units?cursor={cursor}", "cursor", cursor)


def test_offset_is_bounded_and_past_its_bound_points_to_the_cursor(client):
    """An offset costs its depth (every row before it is stepped over): bounded, no request
    can ask the database for millions. Past the bound the 400 says how to go deeper."""
    from dashboard.open_data.parameters import MAX_OFFSET

    assert _json(client, f"{PATH}?offset={MAX_OFFSET}")["meta"]["query"]["offset"] == MAX_OFFSET
    response = client.get(f"{PATH}?offset={MAX_OFFSET + 1}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["parameter"], error["value"]) == ("offset", str(MAX_OFFSET + 1))
    assert str(MAX_OFFSET) in error["message"] and "cursor" in error["message"]
    # A resource without a cursor has the same bound, and no cursor to point to.
    error = client.get(f"/api/v1/units?offset={MAX_OFFSET + 1}").get_json()["error"]
    assert error["parameter"] == "offset" and "cursor" not in error["message"]


def test_the_segments_the_filter_knows_are_the_published_ones(store):
    """The lookups' loose index scan finds what SELECT DISTINCT over published rows does."""
    with session_scope(store) as session:
        distinct = set(
            session.execute(
                select(Observation.segment_type, Observation.segment_value)
                .where(Observation.visibility == PUBLISHED)
                .distinct()
            ).all()
        )
    segments = open_data.load_lookups(store).segments
    assert segments == {(kind, value) for kind, value in distinct}
    assert len(segments) > 3 and ("customer_group", DRAFT_SEGMENT) not in segments


# SQLite's plan only: PostgreSQL plans by table statistics (bench/api.py shows its plans).
@pytest.mark.parametrize("demo_copy_url", ["sqlite"], indirect=True)
def test_a_deep_page_is_read_in_index_order_on_sqlite(client, store):
    """The page's statements are seeks into the unique key's index: no sort of the matches
    (EXPLAIN QUERY PLAN says ``USE TEMP B-TREE FOR ORDER BY`` when SQLite sorts) and no walk
    from the start of the index."""
    engine = db.get_engine(store)
    statements: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "ORDER BY observations.unit_id" in statement:
            statements.append((statement, parameters))

    first = _json(client, f"{PATH}?limit=500")
    event.listen(engine, "before_cursor_execute", keep)
    try:
        _json(client, first["meta"]["links"]["next"])
        _json(client, f"{PATH}?unit=dmv&metric=csat_overall&limit=100")
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    # The cursor page level by level (gateway/open_data.py _rows_past), then the filtered one.
    assert len(statements) >= 2
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            details = " | ".join(str(row[-1]) for row in plan)
            assert "TEMP B-TREE" not in details, details
            # A seek into the index, never a walk from its start.
            assert "SEARCH observations USING INDEX" in details, details


def _add_published_rows_of_drafts(url: str) -> None:
    """Published observations hanging from a draft service and from a draft metric: counted in
    the status row's published count, never in the API's total or pages."""
    with session_scope(url) as session:
        draft_service = session.scalars(
            select(Unit).where(Unit.slug == "unpublished-harbour-permits")
        ).one()
        draft_metric = session.scalars(
            select(Metric).where(Metric.code == "draft_only_metric_xq")
        ).one()
        dmv = session.scalars(select(Unit).where(Unit.slug == "dmv")).one()
        metric = session.scalars(
            select(Metric).where(Metric.visibility == PUBLISHED).order_by(Metric.id).limit(1)
        ).one()
        for unit, measure in ((draft_service, metric), (dmv, draft_metric)):
            session.add(
                Observation(
                    unit_id=unit.id,
                    metric_id=measure.id,
                    period_start=dt.date(2024, 2, 1),
                    period_end=dt.date(2024, 2, 29),
                    granularity="month",
                    raw_value=0.75,
                    visibility=PUBLISHED,
                )
            )


@pytest.fixture
def store_with_hidden_rows(store: str) -> str:
    _add_published_rows_of_drafts(store)
    return store


def test_the_total_and_a_deep_offset_leave_out_published_rows_of_drafts(store_with_hidden_rows):
    """The total without filters starts from the status row's count (kept at write time),
    less the published rows of draft units and metrics; a deep ``offset`` reads its ids from
    the index with those drafts ruled out by id. Both agree with the store."""
    store = store_with_hidden_rows
    expected = _published_keys(store)
    with session_scope(store) as session:
        published = session.scalar(
            select(func.count()).select_from(Observation).where(Observation.visibility == PUBLISHED)
        )
    status = queries.data_status(store)
    assert status.published_count == published == len(expected) + 2
    assert gateway.count_observations(store, {}) == len(expected)
    assert gateway.count_observations(store, {}, published_count=status.published_count) == len(
        expected
    )
    app = create_app(Settings(database_url=store, api_rate_limit=0, page_rate_limit=0))
    with app.server.app_context():
        cache.clear()
    client = app.server.test_client()
    try:
        first = _json(client, f"{PATH}?limit=1")
        assert first["meta"]["total"] == len(expected)
        deep = len(expected) - 60
        page = _json(client, f"{PATH}?limit=50&offset={deep}")
        assert [_key(r) for r in page["data"]] == expected[deep : deep + 50]
        # Its next link carries a cursor, and leads on to the last rows.
        following = page["meta"]["links"]["next"]
        assert "cursor=" in following and "offset=" not in following
        assert [_key(r) for r in _json(client, following)["data"]] == expected[deep + 50 :]
    finally:
        db.dispose_all()


def _observation_statements(
    store: str, client: Any, urls: list[str], *, walk: bool
) -> list[tuple[str, Any]]:
    """The statements on the observations that asking ``urls`` runs (each followed by its next
    links to the end when ``walk``)."""
    engine = db.get_engine(store)
    statements: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "ORDER BY observations.unit_id" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        for url in urls:
            if walk:
                _walk_json(client, url)
            else:
                _json(client, url)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return statements


@pytest.mark.parametrize("demo_copy_url", ["sqlite"], indirect=True)
def test_every_cursor_page_and_a_deep_offset_read_along_the_index_on_sqlite(client, store):
    """Every page of a walk by cursor, unit boundaries included (where a page goes on past a
    unit: ``unit_id > ?``, which SQLite, the units joined, began from the units table and
    sorted), is a seek without a sort; a deep ``offset`` walks ``ix_observations_api_page``
    alone (a covering index: no table row read for the rows before the page), then reads its
    rows by id."""
    total = _json(client, f"{PATH}?limit=1")["meta"]["total"]
    walked = _observation_statements(store, client, [f"{PATH}?limit=500"], walk=True)
    assert any("observations.unit_id > " in statement for statement, _ in walked)
    deep = _observation_statements(
        store, client, [f"{PATH}?limit=100&offset={total - 150}"], walk=False
    )
    engine = db.get_engine(store)
    with engine.connect() as connection:

        def plan(statement: str, parameters: Any) -> str:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return " | ".join(str(row[-1]) for row in rows)

        # The first page reads the index from its start; every later one seeks into it.
        assert "TEMP B-TREE" not in plan(*walked[0])
        for statement, parameters in walked[1:]:
            details = plan(statement, parameters)
            assert "TEMP B-TREE" not in details and "SCAN" not in details, details
            assert "SEARCH observations USING INDEX" in details, details
        ids = [s for s in deep if s[0].lstrip().startswith("SELECT observations.id \n")]
        assert len(ids) == 1, deep
        details = plan(*ids[0])
        assert "COVERING INDEX ix_observations_api_page" in details, details
        assert "TEMP B-TREE" not in details, details
        # The page's own rows: by primary key (sorting its at most 100 rows is no walk).
        for statement, parameters in deep:
            if (statement, parameters) != ids[0]:
                assert "USING INTEGER PRIMARY KEY" in plan(statement, parameters)


@pytest.mark.parametrize("demo_copy_url", ["postgres"], indirect=True)
def test_a_deep_offset_can_be_an_index_only_scan_on_postgresql(client, store):
    """The ids of a deep ``offset`` page are all in ``ix_observations_api_page`` (the order,
    the visibility and the id): PostgreSQL can step over the rows before the page in the
    index alone. The planner chooses by the table's statistics (on the small demo store a
    sequential scan may win), so it is asked to avoid scans of the table and sorts here."""
    total = _json(client, f"{PATH}?limit=1")["meta"]["total"]
    deep = _observation_statements(
        store, client, [f"{PATH}?limit=100&offset={total - 150}"], walk=False
    )
    ids = [s for s in deep if s[0].lstrip().startswith("SELECT observations.id \n")]
    assert len(ids) == 1, deep
    engine = db.get_engine(store)
    with engine.connect() as connection:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        connection.exec_driver_sql("SET LOCAL enable_incremental_sort = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        statement, parameters = ids[0]
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        details = " | ".join(str(row[0]) for row in rows)
        connection.rollback()
    assert "Index Only Scan using ix_observations_api_page" in details, details
