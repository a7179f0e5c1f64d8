"""How long ``cxdash import`` takes on a long-format results file of N rows, and its peak memory.

    python bench/import_observations.py [--rows 100000] [--backends sqlite postgresql]
        [--publish] [--batch-rows N] [--code /path/to/other/checkout] [--keep]

Generates a long-format CSV (docs/import-format.md) of N distinct results, seeded so that
runs compare: 12 agencies with 20 services each, 10 metrics on their scales (fractions
written as "81.3%" or "0.813", volumes with thousands separators, durations in seconds),
monthly periods, each result overall and by five channels, a target on every overall
headline row. The store is made fresh for each backend (a temporary SQLite file; a
PostgreSQL database of its own, ``cxdash_p5_bench_<pid>``, dropped after) with the units
and metrics the file names, then ``data.loaders.import_observations`` runs in a child
process of its own, so that the peak resident memory printed (``ru_maxrss``) is the
import's alone (the interpreter and the project's imports included). On PostgreSQL it also
prints the CPU seconds of the import's server backends (from /proc, when the server runs on
this machine): unlike the wall-clock time, a figure a busy machine hardly changes.

``--code`` runs the import with another checkout of the project (e.g. ``mkdir /tmp/old &&
git archive HEAD | tar -x -C /tmp/old`` for the code before a change), on the same file
and stores. The tables are made by this checkout's models (``seed_store`` runs here)
whichever code imports, so that both write into the same schema and indexes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

AGENCIES = [
    ("dmv", "DMV", "Department of Motor Vehicles"),
    ("revenue", "DOR", "Department of Revenue"),
    ("labor", "DLI", "Department of Labor"),
    ("health", "DOH", "Department of Health"),
    ("parks", "DPR", "Department of Parks"),
    ("transit", "DOT", "Department of Transportation"),
    ("housing", "DHS", "Department of Housing"),
    ("education", "DOE", "Department of Education"),
    ("justice", "DOJ", "Department of Justice"),
    ("energy", "DEN", "Department of Energy"),
    ("water", "DWR", "Department of Water Resources"),
    ("veterans", "DVA", "Department of Veterans Affairs"),
]
SERVICES_PER_AGENCY = 20
#: code, scale, direction, best, worst, dimension, headline (one a dimension)
METRICS = [
    ("csat_overall", "fraction", "higher", None, None, "satisfaction", True),
    ("trust", "fraction", "higher", None, None, "satisfaction", False),
    ("ease", "mean_1_5", "higher", None, None, "satisfaction", False),
    ("timeliness_standard", "fraction", "higher", None, None, "timeliness", True),
    ("service_level_60s", "percent", "higher", None, None, "responsiveness", True),
    ("avg_speed_answer", "seconds", "lower", 0.0, 600.0, "responsiveness", False),
    ("abandon_rate", "percent", "lower", None, None, "access", True),
    ("contacts_received", "count", "higher", None, None, "other", False),
    ("first_contact_resolution", "fraction", "higher", None, None, "accuracy", True),
    ("complaints_rate", "percent", "lower", None, None, "accuracy", False),
]
CHANNELS = ["", "phone", "email", "web_form", "walk_in", "chat"]
COLUMNS = [
    "agency",
    "service",
    "metric",
    "period",
    "value",
    "numerator",
    "denominator",
    "target",
    "segment_type",
    "segment_value",
    "note",
]


def generate(path: Path, rows: int, seed: int = 2024) -> None:
    """``rows`` distinct results: unit x metric x channel x month, months last."""
    rng = random.Random(seed)
    units = [(code, "") for _slug, code, _name in AGENCIES] + [
        (code, f"{slug}-service-{number}")
        for slug, code, _name in AGENCIES
        for number in range(1, SERVICES_PER_AGENCY + 1)
    ]
    combos = [
        (unit, metric, channel) for unit in units for metric in METRICS for channel in CHANNELS
    ]
    months = -(-rows // len(combos))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        written = 0
        for month in range(months):
            year, month_of_year = 2015 + month // 12, month % 12 + 1
            period = f"{year}-{month_of_year:02d}"
            for (agency, service), metric, channel in combos:
                if written == rows:
                    return
                code, scale = metric[0], metric[1]
                numerator = denominator = target = note = ""
                if scale == "fraction":
                    share = rng.uniform(0.5, 0.99)
                    total = rng.randint(200, 20000)
                    met = round(share * total)
                    value = f"{met / total:.1%}" if written % 2 else f"{met / total:.4f}"
                    numerator, denominator = str(met), f"{total:,}"
                    if metric[6] and not channel:
                        target = "80%"
                elif scale == "percent":
                    value = f"{rng.uniform(1, 99):.1f}"
                elif scale == "mean_1_5":
                    value = f"{rng.uniform(2.5, 4.9):.2f}"
                elif scale == "seconds":
                    value = str(rng.randint(5, 590))
                else:
                    value = f"{rng.randint(100, 500000):,}"
                if written % 97 == 0:
                    note = "checked by the agency"
                writer.writerow(
                    [
                        agency,
                        service,
                        code,
                        period,
                        value,
                        numerator,
                        denominator,
                        target,
                        "channel" if channel else "",
                        channel,
                        note,
                    ]
                )
                written += 1


def seed_store(url: str) -> None:
    from dashboard.infra import db
    from dashboard.infra.db import session_scope
    from dashboard.infra.models import Base, Metric, Unit

    Base.metadata.create_all(db.get_engine(url))
    with session_scope(url) as session:
        enterprise = Unit(slug="enterprise", kind="enterprise", name_en="State of Example")
        session.add(enterprise)
        session.flush()
        for slug, code, name in AGENCIES:
            agency = Unit(
                slug=slug, kind="agency", code=code, name_en=name, parent_id=enterprise.id
            )
            session.add(agency)
            session.flush()
            for number in range(1, SERVICES_PER_AGENCY + 1):
                session.add(
                    Unit(
                        slug=f"{slug}-service-{number}",
                        kind="service",
                        name_en=f"{name} service {number}",
                        parent_id=agency.id,
                    )
                )
        for code, scale, direction, best, worst, dimension, headline in METRICS:
            session.add(
                Metric(
                    code=code,
                    name_en=code.replace("_", " "),
                    dimension=dimension,
                    scale=scale,
                    direction=direction,
                    norm_best=best,
                    norm_worst=worst,
                    headline=headline,
                )
            )
    db.dispose_all()


def child(args: argparse.Namespace) -> None:
    """Run in a process of its own: one import, then its figures as JSON on stdout.

    ``cpu`` (user + system seconds of the process, imports included) says what the import
    costs when the machine is busy and the wall-clock time says little; ``main_cpu`` is the
    share of the import's own thread (its bulk inserts run in another, see
    ``data.loaders._BackgroundWrites``): on an idle machine of two cores or more the wall
    time is about the larger of the two shares."""
    import resource

    from dashboard.core.settings import Settings
    from data.loaders import import_observations

    backends = _watch_server_processes()
    options = {"batch_rows": args.batch_rows} if args.batch_rows else {}
    started = time.perf_counter()
    report = import_observations(
        args.child_url,
        Path(args.child_file),
        settings=Settings(database_url=args.child_url),
        publish=args.publish,
        **options,
    )
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "ok": report.ok,
                "seconds": seconds,
                "cpu": usage.ru_utime + usage.ru_stime,
                "main_cpu": time.thread_time(),
                "server_cpu": _server_cpu(backends),
                "peak_mib": peak,
                "inserted": report.inserted,
                "timings": report.timings,
                "problems": [p.to_text() for p in report.problems[:5]],
            }
        )
    )


def _watch_server_processes() -> list[int]:
    """The process ids of the PostgreSQL backends the import connects to (filled as it
    connects): on this machine their CPU time is readable in /proc after the import, as the
    engine's pool keeps its connections open."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    backends: list[int] = []

    @event.listens_for(Engine, "connect")
    def remember(dbapi_connection: object, _record: object) -> None:
        if type(dbapi_connection).__module__.startswith("psycopg"):
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("SELECT pg_backend_pid()")
            backends.append(int(cursor.fetchone()[0]))
            cursor.close()

    return backends


def _server_cpu(backends: list[int]) -> float | None:
    """User + system seconds of those backends (None when the server is on another
    machine: no /proc entry). Unlike the wall-clock time, it hardly depends on the load."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in backends:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total if backends else None


def run_import(url: str, path: Path, args: argparse.Namespace) -> dict[str, object]:
    code = Path(args.code).resolve() if args.code else ROOT
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child-url",
        url,
        "--child-file",
        str(path),
    ]
    if args.publish:
        command.append("--publish")
    if args.batch_rows:
        command += ["--batch-rows", str(args.batch_rows)]
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(command, cwd=code, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the import failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def postgres_database() -> tuple[str, object]:
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cxdash_p5_bench_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return url, (admin, name)


def drop_postgres(handle: object) -> None:
    from sqlalchemy import text

    admin, name = handle  # type: ignore[misc]
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--publish", action="store_true", help="Import with --publish.")
    parser.add_argument("--batch-rows", type=int, default=None)
    parser.add_argument("--code", default=None, help="Another checkout of the project to run.")
    parser.add_argument("--keep", action="store_true", help="Keep the CSV and SQLite store.")
    parser.add_argument("--child-url", help=argparse.SUPPRESS)
    parser.add_argument("--child-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_url:
        child(args)
        return
    sys.path.insert(0, str(ROOT))

    workdir = Path(tempfile.mkdtemp(prefix="cxdash-bench-import-"))
    csv_path = workdir / "observations.csv"
    started = time.perf_counter()
    generate(csv_path, args.rows)
    size_mb = csv_path.stat().st_size / 1e6
    print(
        f"generate  {time.perf_counter() - started:7.2f} s  ({args.rows:,} rows, "
        f"{size_mb:.0f} MB CSV){'  code: ' + args.code if args.code else ''}"
    )
    for backend in args.backends:
        handle = None
        if backend == "sqlite":
            url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        else:
            url, handle = postgres_database()
        try:
            seed_store(url)
            result = run_import(url, csv_path, args)
        finally:
            if handle is not None:
                drop_postgres(handle)
        if not result["ok"]:
            print(f"{backend}: the import failed: {result['problems']}")
            continue
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        phases = ", ".join(
            f"{phase} {value:.1f} s"
            for phase, value in result["timings"].items()  # type: ignore[attr-defined]
        )
        print(
            f"{backend:10} {seconds:7.2f} s  {args.rows / seconds:9,.0f} rows/s  "
            f"CPU {float(result['cpu']):6.1f} s "  # type: ignore[arg-type]
            f"(main thread {float(result.get('main_cpu', 0.0)):5.1f} s)  "  # type: ignore[arg-type]
            + (
                f"server CPU {float(result['server_cpu']):5.1f} s  "  # type: ignore[arg-type]
                if result.get("server_cpu") is not None
                else ""
            )
            + f"peak {float(result['peak_mib']):6.0f} MiB  "  # type: ignore[arg-type]
            f"({result['inserted']:,} observations; {phases})"
        )
    if args.keep:
        print(f"kept in {workdir}")
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
