"""Shared by the page benchmarks: a throwaway demo store and the pages worth measuring."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from dashboard.core.settings import Settings
from dashboard.gateway import queries
from dashboard.infra import db
from data.demo import generate_demo

#: The repository root (gunicorn runs ``app:server`` from here).
REPO_ROOT = Path(__file__).resolve().parent.parent


def create_demo_store(directory: Path) -> str:
    """A new SQLite store in ``directory`` with the schema (``cxdash init-db``) and the demo."""
    url = f"sqlite:///{directory / 'bench.sqlite3'}"
    started = time.perf_counter()
    db.upgrade(url)  # what ``cxdash init-db`` runs
    generate_demo(url, Settings(database_url=url))
    db.dispose_all()
    print(f"Demo store written to {directory} in {time.perf_counter() - started:.1f} s")
    return url


@dataclass(frozen=True)
class BenchPage:
    name: str
    path: str


def pages(database_url: str, names: tuple[str, ...]) -> list[BenchPage]:
    """Home, the first agency (by English name), its first service, and methodology."""
    agencies = queries.list_agencies(database_url)
    if not agencies:
        raise SystemExit("the store has no agencies (load the demo with `cxdash demo`)")
    agency = agencies[0]
    service = agency["services"][0] if agency["services"] else None
    known = {
        "home": "/",
        "agency": f"/agency/{agency['slug']}",
        "service": f"/agency/{agency['slug']}/{service['slug']}" if service else None,
        "methodology": "/methodology",
    }
    chosen = []
    for name in names:
        if name not in known:
            raise SystemExit(f"unknown page {name!r}; choose from {', '.join(known)}")
        if known[name] is not None:
            chosen.append(BenchPage(name, known[name]))
    return chosen
