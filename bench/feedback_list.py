"""What the staff feedback page costs as responses pile up (issue 14, staff side).

    python bench/feedback_list.py [--responses 200000] [--runs 5]

A new SQLite store (migrated) with 5 agencies of 20 services each and N responses spread
over them and two years; then, through dashboard.web.staff_actions as the page calls it
(server time only, no HTTP), median and worst of the runs:

- the first page, for an editor of one agency and for an administrator (every response),
  with the counts per agency and page the page reads when its filters change;
- another page of the same filters (the counts are not read again), and the last page the
  list reaches (offset bounded at data.feedback_review.MAX_OFFSET);
- the first page with filters (helpful "no", with a comment);
- the CSV export of the editor's agency (at most EXPORT_MAX_ROWS rows).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.models import FEEDBACK_REASONS, FeedbackResponse, Unit, User
from dashboard.web import staff_actions
from data import accounts
from data.feedback_review import MAX_OFFSET, PAGE_SIZE, FeedbackFilter


def build_store(url: str, responses: int) -> None:
    db.upgrade(url)
    rng = random.Random(14)
    with db.session_scope(url) as session:
        units: list[int] = []
        for a in range(5):
            agency = Unit(slug=f"agency-{a}", kind="agency")
            agency.name_en = f"Agency {a}"
            session.add(agency)
            session.flush()
            units.append(agency.id)
            for s in range(20):
                service = Unit(slug=f"agency-{a}-service-{s}", kind="service", parent_id=agency.id)
                service.name_en = f"Service {a}.{s}"
                session.add(service)
                session.flush()
                units.append(service.id)
        start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        rows = []
        for i in range(responses):
            unit = rng.choice(units)
            rows.append(
                {
                    "received_at": start + dt.timedelta(seconds=rng.randrange(2 * 365 * 86400)),
                    "page_path": f"/agency/unit-{unit}",
                    "unit_id": unit,
                    "language": "en",
                    "helpful": rng.random() < 0.6,
                    "reason": rng.choice(FEEDBACK_REASONS),
                    "comment": f"comment {i}" if rng.random() < 0.3 else None,
                    "status": "new",
                }
            )
            if len(rows) == 20_000:
                session.execute(insert(FeedbackResponse), rows)
                rows = []
        if rows:
            session.execute(insert(FeedbackResponse), rows)
        accounts.create_user(session, "editor", "editor", agencies=["agency-0"])
        accounts.create_user(session, "admin", "admin")


def member(url: str, username: str) -> accounts.StaffMember:
    with db.session_scope(url) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return accounts.staff_member(session, user)


def timed(runs: int, call: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/feedback.sqlite3"
        started = time.perf_counter()
        build_store(url, args.responses)
        print(f"store: {args.responses:,} responses in {time.perf_counter() - started:.1f} s")
        settings = Settings(database_url=url)
        editor, admin = member(url, "editor"), member(url, "admin")
        last = MAX_OFFSET // PAGE_SIZE + 1
        filtered = FeedbackFilter(helpful=False, has_comment=True)
        empty = FeedbackFilter()
        cases: list[tuple[str, Callable[[], object]]] = [
            ("editor, page 1", lambda: staff_actions.feedback_page(settings, editor, empty, 1)),
            ("admin, page 1", lambda: staff_actions.feedback_page(settings, admin, empty, 1)),
            (
                "admin, page 2 (paging: no counts)",
                lambda: staff_actions.feedback_page(settings, admin, empty, 2, with_counts=False),
            ),
            (
                f"admin, page {last} (the bound)",
                lambda: staff_actions.feedback_page(
                    settings, admin, empty, last, with_counts=False
                ),
            ),
            (
                "editor, filtered, page 1",
                lambda: staff_actions.feedback_page(settings, editor, filtered, 1),
            ),
            ("editor, CSV export", lambda: staff_actions.feedback_csv(settings, editor, empty)),
        ]
        for name, call in cases:
            median, worst = timed(args.runs, call)
            print(f"{name:34} median {median:8.1f} ms   worst {worst:8.1f} ms")
        db.dispose_all()


if __name__ == "__main__":
    main()
