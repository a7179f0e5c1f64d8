"""Server time per page on big stores: builds stores of N observations, then times each page.

    python bench/scale.py                                   # 1M and 10M, SQLite and PostgreSQL
    python bench/scale.py --sizes 100k 1M --backends sqlite postgres [--runs 5]
    python bench/scale.py --sizes 1M --backends postgres --postgres-url postgresql+psycopg://...
    python bench/scale.py --store sqlite:////path/to/1M.sqlite3 postgresql+psycopg://.../db

Each store has the project's schema (``cxdash init-db``: the migrations), the demo government
(12 agencies, their services, metrics, targets, actions, content; deterministic) and then N
generated observations in the issue's shape (issue 12): hundreds of further services under the
12 agencies, more metrics (copies of the demo's), monthly periods over five fiscal years, and
segments (overall, channels, languages, customer groups), all published. The generator is
seeded: the same size gives the same store. Rows are written in bulk, not through the
importers (which ``bench/import_observations.py`` measures): big ``executemany`` batches with
relaxed pragmas on SQLite, ``COPY`` on PostgreSQL. A PostgreSQL store is a database of its own
(``cxdash_p6_scale_...``) created on the server ``--postgres-url`` names and dropped afterwards;
a SQLite store is a file in a temporary folder.

Then, through Flask's test client in this process (server time: no socket, as in
bench/callbacks.py), each page is requested ``--runs`` times cold (the cache cleared before each
request, as for the first visitor after a publication) and ``--runs`` times warm, after one
unmeasured request, and the medians are printed in ms:

- home, agency, review: the router callback (the POST a page view makes);
- API filtered: /api/v1/observations for one service and one metric, 100 rows;
- API offset deep: 100 rows at an offset 90% into the published observations, or at the
  deepest offset the API takes (``MAX_OFFSET``) when that is less;
- API cursor deep: 100 rows by ``cursor`` 90% into the published observations, when the API
  pages with one (the cursor a client following the next links would hold there).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ first on the import path, where bench/callbacks.py would
# hide the project's ``callbacks`` package: import from the repository root instead. (Imported
# as ``bench.scale``, by its test, the path is the caller's and is left alone.)
if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from dashboard.core.settings import Settings
from dashboard.domain.normalize import NormalizationRule, normalize
from dashboard.infra import db
from dashboard.infra.models import PUBLISHED, Metric, Observation, Unit
from dashboard.open_data.cursor import encode_cursor
from dashboard.open_data.parameters import MAX_OFFSET, ResourceQuery
from dashboard.open_data.resources import OBSERVATIONS
from data.demo import generate_demo
from tests.components import router_request

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_SIZES = ("1M", "10M")
BACKENDS = ("sqlite", "postgres")
SEED = 12

#: Every generated unit and metric has this prefix in its slug or code.
PREFIX = "scale"
#: Months of monthly results per series: five fiscal years, as the demo.
MONTHS = 60
#: The overall figure and the segments each series is broken down by.
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("", ""),
    ("channel", "phone"),
    ("channel", "web"),
    ("channel", "walk_in"),
    ("channel", "mail"),
    ("language", "en"),
    ("language", "es"),
    ("customer_group", "individuals"),
    ("customer_group", "businesses"),
)
#: Metrics added to the demo's (each a copy of one of them under another code).
EXTRA_METRICS = 12
#: Metrics measured by a generated service (the headline ones always among them).
METRICS_PER_SERVICE = 6
#: Rows per bulk statement / COPY chunk.
BATCH = 50_000

#: The rows the pages are timed on, in the issue's order.
PAGES = ("home", "agency", "review", "API filtered", "API offset deep", "API cursor deep")

COLUMNS = (
    "unit_id",
    "metric_id",
    "period_start",
    "period_end",
    "granularity",
    "segment_type",
    "segment_value",
    "raw_value",
    "numerator",
    "denominator",
    "score",
    "series_break",
    "visibility",
    "published_at",
    "created_at",
    "updated_at",
)


def parse_size(value: str) -> int:
    """``2000``, ``100k``, ``1M``, ``2.5M`` -> a number of observations."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", value)
    if not found:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size (write 2000, 100k, 1M)")
    number, unit = float(found.group(1)), found.group(2).lower()
    return int(number * {"": 1, "k": 1_000, "m": 1_000_000}[unit])


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000 and n % 100 == 0:
        return f"{n / 1_000:g}k"
    return str(n)


# -- the store ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    url: str
    generated: int
    #: Published observations before the generated ones (the demo's) and after.
    published_before: int
    published: int
    units: int
    metrics: int
    demo_seconds: float
    bulk_seconds: float

    @property
    def seconds(self) -> float:
        return self.demo_seconds + self.bulk_seconds


@dataclass(frozen=True)
class _Series:
    unit_id: int
    metric_id: int
    low: float
    high: float
    rule: NormalizationRule
    survey: bool


def _month_bounds(last_month: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of ``months`` months ending with ``last_month``'s, newest first."""
    bounds = []
    year, month = last_month.year, last_month.month
    for _ in range(months):
        start = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        bounds.append((start, nxt - dt.timedelta(days=1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return bounds


def _add_metrics(url: str) -> None:
    """Copies of the demo's metrics under other codes: more series per agency."""
    with db.session_scope(url) as session:
        templates = session.scalars(
            select(Metric).where(Metric.visibility == PUBLISHED).order_by(Metric.code)
        ).all()
        for number in range(EXTRA_METRICS):
            template = templates[number % len(templates)]
            session.add(
                Metric(
                    code=f"{PREFIX}_{number}_{template.code}"[:80],
                    dimension=template.dimension,
                    scale=template.scale,
                    direction=template.direction,
                    norm_best=template.norm_best,
                    norm_worst=template.norm_worst,
                    is_survey=template.is_survey,
                    headline=False,
                    visibility=PUBLISHED,
                    name_en=f"{template.name('en')} ({number + 2})",
                    name_es=f"{template.name('es') or template.name('en')} ({number + 2})",
                )
            )


def _add_services(url: str, per_agency: int) -> None:
    """``per_agency`` further services under each agency (ORM: hundreds of rows)."""
    with db.session_scope(url) as session:
        agencies = session.scalars(
            select(Unit).where(Unit.kind == "agency").order_by(Unit.slug)
        ).all()
        for agency in agencies:
            english = agency.name("en")
            spanish = agency.name("es") or english
            for number in range(1, per_agency + 1):
                session.add(
                    Unit(
                        slug=f"{PREFIX}-{agency.slug}-{number}",
                        kind="service",
                        parent_id=agency.id,
                        code=f"S{agency.id}-{number}",
                        visibility=PUBLISHED,
                        name_en=f"{english}: office {number}",
                        name_es=f"{spanish}: oficina {number}",
                    )
                )


@dataclass
class _Catalogue:
    """What the generator reads from the store: metrics, the demo's value ranges, the
    latest month, and the monthly keys already taken."""

    metrics: list[Metric]
    ranges: dict[int, tuple[float, float]]
    latest: dt.date
    existing: set[tuple[Any, ...]]

    def series(self, unit_id: int, kind: str, rng: random.Random) -> list[_Series]:
        """An agency measures every metric; a service its headline ones and a few more."""
        headline = [metric for metric in self.metrics if metric.headline]
        if kind == "agency":
            chosen = list(self.metrics)
        else:
            others = [metric for metric in self.metrics if not metric.headline]
            extra = max(0, METRICS_PER_SERVICE - len(headline))
            chosen = headline + rng.sample(others, min(extra, len(others)))
        return [self._one(unit_id, metric) for metric in chosen]

    def _one(self, unit_id: int, metric: Metric) -> _Series:
        by_code = {m.code: m for m in self.metrics}
        origin = metric.code.split("_", 2)[2] if metric.code.startswith(f"{PREFIX}_") else ""
        template = by_code.get(origin, metric)
        low, high = self.ranges.get(template.id) or (None, None)
        if low is None or high is None:
            low, high = (0.5, 0.95) if metric.scale == "fraction" else (1.0, 100.0)
        rule = NormalizationRule(
            metric.scale, metric.direction, metric.norm_best, metric.norm_worst
        )
        return _Series(unit_id, metric.id, float(low), float(high), rule, metric.is_survey)


def _catalogue(url: str) -> _Catalogue:
    with db.session_scope(url) as session:
        metrics = list(
            session.scalars(
                select(Metric).where(Metric.visibility == PUBLISHED).order_by(Metric.id)
            ).all()
        )
        ranges = {
            metric_id: (low, high)
            for metric_id, low, high in session.execute(
                select(
                    Observation.metric_id,
                    func.min(Observation.raw_value),
                    func.max(Observation.raw_value),
                )
                .where(Observation.visibility == PUBLISHED)
                .group_by(Observation.metric_id)
            )
        }
        latest = session.scalar(
            select(func.max(Observation.period_end)).where(
                Observation.visibility == PUBLISHED, Observation.granularity == "month"
            )
        ) or dt.date(2024, 9, 30)
        existing = {
            tuple(row)
            for row in session.execute(
                select(
                    Observation.unit_id,
                    Observation.metric_id,
                    Observation.period_start,
                    Observation.segment_type,
                    Observation.segment_value,
                ).where(Observation.granularity == "month")
            )
        }
    return _Catalogue(metrics, ranges, latest, existing)


def _units(url: str, slug_like: str | None = None) -> list[tuple[int, str]]:
    query = select(Unit.id, Unit.kind).where(
        Unit.kind.in_(("agency", "service")), Unit.visibility == PUBLISHED
    )
    if slug_like is not None:
        query = query.where(Unit.slug.like(slug_like))
    with db.session_scope(url) as session:
        return [(unit_id, kind) for unit_id, kind in session.execute(query.order_by(Unit.id))]


def generate_rows(
    url: str, n: int, seed: int = SEED, *, sqlite: bool = False
) -> Iterator[tuple[Any, ...]]:
    """``n`` published monthly observations (tuples in :data:`COLUMNS` order), newest month
    first, across every agency and service and every segment; none the store already holds.
    With ``sqlite``, dates and flags come as SQLAlchemy stores them there (text, 0/1).

    Adds the metrics, then as many services as it takes for :data:`MONTHS` months of the
    grid to hold ``n`` rows (so the oldest month is the one left partly empty).
    """
    rng = random.Random(seed)
    _add_metrics(url)
    catalogue = _catalogue(url)
    series = [
        item for unit_id, kind in _units(url) for item in catalogue.series(unit_id, kind, rng)
    ]
    agencies = sum(1 for _unit_id, kind in _units(url) if kind == "agency")
    missing = n * 1.02 / MONTHS - len(series) * len(SEGMENTS)
    per_service = METRICS_PER_SERVICE * len(SEGMENTS)
    _add_services(url, max(1, math.ceil(missing / (per_service * max(agencies, 1)))))
    series += [
        item
        for unit_id, kind in _units(url, f"{PREFIX}-%")
        for item in catalogue.series(unit_id, kind, rng)
    ]
    # The store is prepared now; the rows come as the writer asks for them.
    return _rows(catalogue, series, n, rng, sqlite)


def _rows(
    catalogue: _Catalogue, series: list[_Series], n: int, rng: random.Random, sqlite: bool
) -> Iterator[tuple[Any, ...]]:
    written = 0
    false: Any = 0 if sqlite else False
    for start, end in _month_bounds(catalogue.latest, MONTHS):
        published_at: Any = dt.datetime.combine(end + dt.timedelta(days=20), dt.time(12), dt.UTC)
        first: Any = start
        last: Any = end
        if sqlite:
            # As SQLAlchemy writes them on SQLite: ISO dates, naive "YYYY-MM-DD HH:MM:SS.ffffff".
            first, last = start.isoformat(), end.isoformat()
            published_at = published_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        for item in series:
            for segment_type, segment_value in SEGMENTS:
                key = (item.unit_id, item.metric_id, start, segment_type, segment_value)
                if key in catalogue.existing:
                    continue
                value = round(item.low + (item.high - item.low) * rng.random(), 4)
                numerator = denominator = None
                if item.survey:
                    denominator = float(rng.randint(40, 2_000))
                    if item.rule.scale == "fraction":
                        numerator = float(round(value * denominator))
                        value = round(numerator / denominator, 4)
                yield (
                    item.unit_id,
                    item.metric_id,
                    first,
                    last,
                    "month",
                    segment_type,
                    segment_value,
                    value,
                    numerator,
                    denominator,
                    normalize(value, item.rule),
                    false,
                    PUBLISHED,
                    published_at,
                    published_at,
                    published_at,
                )
                written += 1
                if written >= n:
                    return
    raise RuntimeError(f"the grid holds only {written} new rows, fewer than {n}")


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_sqlite(url: str, rows: Iterator[tuple[Any, ...]]) -> None:
    raw = db.get_engine(url).raw_connection()
    try:
        connection: Any = raw.driver_connection
        # A throwaway store: no need to survive a crash while it is written.
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-262144")
        statement = (
            f"INSERT INTO observations ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in COLUMNS)})"
        )
        for batch in _batches(rows, BATCH):
            connection.executemany(statement, batch)
            connection.commit()
    finally:
        raw.close()


def _write_postgres(url: str, rows: Iterator[tuple[Any, ...]]) -> None:
    raw = db.get_engine(url).raw_connection()
    try:
        connection: Any = raw.driver_connection
        with connection.cursor() as cursor:
            for batch in _batches(rows, BATCH * 4):
                with cursor.copy(f"COPY observations ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                connection.commit()
    finally:
        raw.close()


def _analyze(url: str) -> None:
    """Planner statistics for the new rows and indexes, as a store that has been running has
    (autovacuum on PostgreSQL; ``ANALYZE`` run by its operator on SQLite)."""
    raw = db.get_engine(url).raw_connection()
    try:
        connection: Any = raw.driver_connection
        if url.startswith("sqlite"):
            connection.execute("ANALYZE")
            connection.commit()
            return
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        connection.autocommit = False
    finally:
        raw.close()


@contextmanager
def _indexes_dropped(url: str) -> Iterator[None]:
    """The observations' secondary indexes (the models', as the migrations made them) dropped
    while the rows go in and built again after: one sort each instead of a random insert per
    row and index. The unique key stays, so a duplicate row still fails."""
    engine = db.get_engine(url)
    present = {index["name"] for index in inspect(engine).get_indexes("observations")}
    table: Any = Observation.__table__
    dropped = [index for index in table.indexes if index.name in present]
    with engine.begin() as connection:
        for index in dropped:
            index.drop(connection)
    try:
        yield
    finally:
        with engine.begin() as connection:
            for index in dropped:
                index.create(connection)


def refresh_derived(url: str) -> None:
    """The published-data status row (dashboard.infra.data_status), recomputed as a
    publication leaves it: the bulk rows bypassed the ORM session that keeps it."""
    from dashboard.infra.data_status import refresh_data_status

    with db.session_scope(url) as session:
        refresh_data_status(session)


def build_store(url: str, n: int, seed: int = SEED) -> BuildReport:
    """The schema (migrations), the demo, then ``n`` generated published observations."""
    started = time.perf_counter()
    db.upgrade(url)
    generate_demo(url, Settings(database_url=url))
    demo_seconds = time.perf_counter() - started
    before = _published(url)
    started = time.perf_counter()
    rows = generate_rows(url, n, seed, sqlite=url.startswith("sqlite"))
    with _indexes_dropped(url):
        if url.startswith("sqlite"):
            _write_sqlite(url, rows)
        else:
            _write_postgres(url, rows)
    _analyze(url)
    refresh_derived(url)
    bulk_seconds = time.perf_counter() - started
    with db.session_scope(url) as session:
        units = session.scalar(select(func.count(Unit.id)))
        metrics = session.scalar(select(func.count(Metric.id)))
    return BuildReport(
        url, n, before, _published(url), units or 0, metrics or 0, demo_seconds, bulk_seconds
    )


def _published(url: str) -> int:
    with db.session_scope(url) as session:
        count = session.scalar(
            select(func.count(Observation.id)).where(Observation.visibility == PUBLISHED)
        )
    return count or 0


@contextmanager
def postgres_database(admin_url: str, label: str) -> Iterator[str]:
    """A new database of this benchmark's own on ``admin_url``'s server; dropped afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"cxdash_p6_scale_{label.lower()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            db.dispose_all()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def store(backend: str, n: int, postgres_url: str, folder: Path | None = None) -> Iterator[str]:
    """An empty store of ``backend`` (its URL), removed afterwards."""
    if backend == "postgres":
        with postgres_database(postgres_url, size_label(n)) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="cxdash-scale-", dir=folder) as tmp:
        url = f"sqlite:///{Path(tmp) / f'scale-{size_label(n)}.sqlite3'}"
        try:
            yield url
        finally:
            db.dispose_all()


# -- the timings --------------------------------------------------------------------------

ACCEPT_ENCODING = "gzip, deflate, br, zstd"


@dataclass(frozen=True)
class Timing:
    page: str
    path: str
    cold_ms: float | None
    warm_ms: float | None


def _router_body(path: str) -> dict[str, Any]:
    """What dash-renderer posts when a link to ``path`` is followed."""
    return router_request(path)


def _request(client: Any, page: str, path: str, *, compressed: bool = True) -> tuple[float, Any]:
    """(milliseconds, response) of one request for ``page`` at ``path``; a failure stops.
    ``compressed``: as a browser asks (the compression is part of the server's time)."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING} if compressed else {}
    started = time.perf_counter()
    if page.startswith("API"):
        response = client.get(path, headers=headers)
    else:
        response = client.post("/_dash-update-component", json=_router_body(path), headers=headers)
    body = response.get_data()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{page} {path}: HTTP {response.status_code}: {body[:300]!r}")
    return elapsed, response


def page_paths(url: str, client: Any) -> dict[str, str]:
    """The path timed for each page (the deep cursor only when the API has one)."""
    with db.session_scope(url) as session:
        agency = session.scalar(
            select(Unit.slug).where(Unit.kind == "agency", Unit.slug == "dmv")
        ) or session.scalar(select(Unit.slug).where(Unit.kind == "agency").order_by(Unit.slug))
        service, metric = (
            session.execute(
                select(Unit.slug, Metric.code)
                .join(Observation, Observation.unit_id == Unit.id)
                .join(Metric, Metric.id == Observation.metric_id)
                .where(Unit.kind == "service", Unit.slug.like(f"{PREFIX}-%"))
                .order_by(Observation.id)
                .limit(1)
            ).one_or_none()
            or session.execute(
                select(Unit.slug, Metric.code)
                .join(Observation, Observation.unit_id == Unit.id)
                .join(Metric, Metric.id == Observation.metric_id)
                .where(Unit.kind == "service")
                .limit(1)
            ).one()
        )
    api = "/api/v1/observations"
    paths = {
        "home": "/",
        "agency": f"/agency/{agency}",
        "review": "/review",
        "API filtered": f"{api}?unit={service}&metric={metric}&limit=100",
    }
    _ms, first = _request(client, "API offset deep", f"{api}?limit=1", compressed=False)
    total = int(first.get_json()["meta"]["total"])
    deep_at = max(0, int(total * 0.9))
    # As deep as an offset may go (the API bounds it); deeper is the cursor's.
    deep = f"{api}?limit=100&offset={min(deep_at, MAX_OFFSET)}"
    paths["API offset deep"] = deep
    _ms, page = _request(client, "API offset deep", deep, compressed=False)
    following = page.get_json()["meta"]["links"].get("next")
    if following and "cursor=" in following:
        paths["API cursor deep"] = f"{api}?limit=100&cursor={cursor_at(url, deep_at)}"
    return paths


def cursor_at(url: str, position: int) -> str:
    """The cursor of the unfiltered observations' next link after the row at ``position`` in
    the API's order (the one a client following next links from the start would hold)."""
    order = (
        Observation.unit_id,
        Observation.metric_id,
        Observation.granularity,
        Observation.period_start,
        Observation.segment_type,
        Observation.segment_value,
    )
    with db.session_scope(url) as session:
        key = session.execute(
            select(*order)
            .where(Observation.visibility == PUBLISHED)
            .order_by(*order)
            .offset(max(0, position - 1))
            .limit(1)
        ).one()
    return encode_cursor(tuple(key), ResourceQuery(resource=OBSERVATIONS.name).scope())


def measure(url: str, runs: int) -> list[Timing]:
    """Median cold and warm server time of each page of :data:`PAGES` on the store at ``url``."""
    from dashboard.infra.cache import cache
    from dashboard.web.factory import create_app
    from dashboard.web.worker import freeze_startup_objects

    app = create_app(Settings(database_url=url, cache_type="simple", secret_key="bench"))
    freeze_startup_objects()  # as a served worker does once its app is loaded
    try:
        return _timed_pages(app, url, runs, cache)
    finally:
        gc.unfreeze()  # this process goes on (tests, other stores)


def _timed_pages(app: Any, url: str, runs: int, cache: Any) -> list[Timing]:
    client = app.server.test_client()
    with app.server.app_context():
        paths = page_paths(url, client)
    timings = []
    for page in PAGES:
        path = paths.get(page)
        if path is None:
            timings.append(Timing(page, "(no cursor in the API's next link)", None, None))
            continue
        _request(client, page, path)  # one-off process costs (imports, connections)
        cold = []
        for _ in range(runs):
            with app.server.app_context():
                cache.clear()
            cold.append(_request(client, page, path)[0])
        _request(client, page, path)
        warm = [_request(client, page, path)[0] for _ in range(runs)]
        timings.append(Timing(page, path, statistics.median(cold), statistics.median(warm)))
    return timings


# -- the report ---------------------------------------------------------------------------


def _cell(timing: Timing) -> str:
    if timing.cold_ms is None or timing.warm_ms is None:
        return "n/a"
    return f"{timing.cold_ms:,.0f} / {timing.warm_ms:,.0f}"


def table(results: Sequence[tuple[str, Sequence[Timing]]]) -> str:
    """The issue's table: a row per page, a "cold / warm" column per store."""
    header = ["page", *(f"{name} cold / warm" for name, _ in results)]
    rows = [header, ["---"] * len(header)]
    for index, page in enumerate(PAGES):
        rows.append([page, *(_cell(timings[index]) for _, timings in results)])
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=None, metavar="N")
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--runs", type=int, default=5, help="requests per page and state")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin URL")
    parser.add_argument("--folder", type=Path, default=None, help="where SQLite stores go")
    parser.add_argument(
        "--store",
        nargs="+",
        default=[],
        metavar="URL",
        help="time these existing stores (built earlier, e.g. kept from a run) and build none; "
        "each is brought to the schema's head first",
    )
    args = parser.parse_args(argv)
    sizes = args.sizes or [parse_size(size) for size in DEFAULT_SIZES]

    results: list[tuple[str, Sequence[Timing]]] = []

    def timed(name: str, url: str) -> None:
        timings = measure(url, args.runs)
        for timing in timings:
            print(f"  {timing.page:<16} {_cell(timing):>16}  {timing.path}", flush=True)
        results.append((name, timings))

    for url in args.store:  # kept stores: timed as they are
        db.upgrade(url)
        kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        name = f"{_published(url):,} {kind}"
        print(f"{name}: {url}", flush=True)
        timed(name, url)
    for n in [] if args.store else sizes:
        for backend in args.backends:
            name = f"{size_label(n)} {'SQLite' if backend == 'sqlite' else 'PostgreSQL'}"
            with store(backend, n, args.postgres_url, args.folder) as url:
                report = build_store(url, n, args.seed)
                print(
                    f"{name}: built in {report.seconds:.1f} s (demo {report.demo_seconds:.1f} s, "
                    f"{report.generated:,} generated rows {report.bulk_seconds:.1f} s, "
                    f"{report.generated / max(report.bulk_seconds, 1e-9):,.0f} rows/s); "
                    f"{report.published:,} published observations, {report.units:,} units, "
                    f"{report.metrics} metrics",
                    flush=True,
                )
                timed(name, url)
    print(f"\nServer time per request, median of {args.runs} runs, ms (cold / warm)")
    print(table(results))


if __name__ == "__main__":
    main()
