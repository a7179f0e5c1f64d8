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
from sqlalchemy import event, select

from dashboard import open_data
from dashboard.core.settings import Settings
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
