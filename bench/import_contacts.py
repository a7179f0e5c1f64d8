"""How long ``import-contacts`` takes on a million raw contact records, phase by phase.

    python bench/import_contacts.py [--records 1000000] [--database-url URL] [--keep]

Generates synthetic records (three agencies, two services, five channels, a year of
timestamps with realistic response delays, 4% spam, 6% never answered) into a temporary CSV,
imports them into a fresh SQLite database (or the given one, which must be empty and have
the schema), and prints the time of each phase. The records are random but seeded, so runs
compare.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import Base, Unit
from data.contacts import import_contacts

AGENCIES = [
    ("dmv", "DMV", "Department of Motor Vehicles"),
    ("revenue", "DOR", "Department of Revenue"),
    ("labor", "DLI", "Department of Labor"),
]
SERVICES = [
    ("driver-license-renewal", "dmv", "Driver License Renewal"),
    ("tax-refunds", "revenue", "Individual Income Tax Refunds"),
]
CHANNELS = ["email", "voicemail", "web_form", "text", "Web form"]


def generate(path: Path, size: int, seed: int = 2024) -> None:
    rng = np.random.default_rng(seed)
    received = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 365 * 24 * 3600, size).astype(
        "timedelta64[s]"
    )
    # Most answers come within hours; a long tail takes days.
    delay_minutes = rng.gamma(shape=1.2, scale=600.0, size=size).astype(np.int64)
    responded = received + delay_minutes.astype("timedelta64[m]")
    answered = rng.random(size) > 0.06
    agency = rng.integers(0, len(AGENCIES), size)
    service = np.full(size, "", dtype=object)
    for _slug, parent, name in SERVICES:
        index = [a[0] for a in AGENCIES].index(parent)
        mask = (agency == index) & (rng.random(size) < 0.5)
        service[mask] = name
    frame = pd.DataFrame(
        {
            "id": np.char.add("c", np.arange(size).astype(str)),
            "agency": np.array([a[1] for a in AGENCIES], dtype=object)[agency],
            "service": service,
            "channel": np.array(CHANNELS, dtype=object)[rng.integers(0, len(CHANNELS), size)],
            "received": pd.Series(received).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "first_response": pd.Series(responded)
            .dt.strftime("%Y-%m-%d %H:%M:%S")
            .where(answered, ""),
            "resolved": "",
            "spam": np.where(rng.random(size) < 0.04, "yes", "no"),
        }
    )
    frame.to_csv(path, index=False)


def seed_units(url: str) -> None:
    with session_scope(url) as session:
        enterprise = Unit(slug="enterprise", kind="enterprise", name_en="State of Example")
        session.add(enterprise)
        session.flush()
        ids = {}
        for slug, code, name in AGENCIES:
            unit = Unit(slug=slug, kind="agency", code=code, name_en=name, parent_id=enterprise.id)
            session.add(unit)
            session.flush()
            ids[slug] = unit.id
        for slug, parent, name in SERVICES:
            session.add(Unit(slug=slug, kind="service", name_en=name, parent_id=ids[parent]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="Keep the CSV and the database.")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cxdash-bench-"))
    csv_path = workdir / "contacts.csv"
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"

    started = time.perf_counter()
    generate(csv_path, args.records)
    generated = time.perf_counter() - started
    size_mb = csv_path.stat().st_size / 1e6
    print(f"generate  {generated:7.2f} s  ({args.records:,} records, {size_mb:.0f} MB CSV)")

    if args.database_url is None:
        Base.metadata.create_all(db.get_engine(url))
    seed_units(url)
    started = time.perf_counter()
    report = import_contacts(url, csv_path, settings=Settings(database_url=url), publish=True)
    total = time.perf_counter() - started
    if not report.ok:
        print(report.to_text()[:2000])
        raise SystemExit(1)
    for phase, seconds in report.timings.items():
        print(f"{phase:9} {seconds:7.2f} s")
    print(f"import    {total:7.2f} s  total ({report.inserted:,} observations written)")
    print(f"          {args.records / total:,.0f} records per second")
    if args.keep:
        print(f"kept in {workdir}")
    else:
        db.dispose_all()
        csv_path.unlink()
        (workdir / "bench.sqlite3").unlink(missing_ok=True)
        workdir.rmdir()


if __name__ == "__main__":
    main()
