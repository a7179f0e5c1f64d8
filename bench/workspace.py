"""What the staff workspace costs: sign-in, preview, publication, and the public index page.

    python bench/workspace.py [--n 10] [--database-url URL]

On a new SQLite demo store (or the store --database-url names), through Flask's test client
in this process (server time only), median and worst of N runs each:

- sign-in: one POST of the sign-in form (the scrypt hash check is most of it);
- agency page, warm: the public agency page's layout request with the page cached, and
  cold: with the page-data cache cleared first (the view built from the store);
- preview: the same page as ``/preview/agency/<slug>`` (the agency's drafts published in a
  transaction, the page built from it, the transaction rolled back; never cached);
- publication: ``data.publication.publish_agency`` of the agency's drafts, committed, on a
  fresh copy of the store each run (a draft action and a pending revision beside the demo's
  drafts);
- the public index page's size and script count, which the staff app must not change (its
  component library, dash-bootstrap-components, is loaded by /staff pages only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.demo_store import create_demo_store  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from dashboard.infra import db  # noqa: E402
from dashboard.infra.cache import cache  # noqa: E402
from dashboard.infra.db import session_scope  # noqa: E402
from dashboard.infra.models import Action  # noqa: E402
from dashboard.web.factory import create_app  # noqa: E402
from data import accounts, publication  # noqa: E402
from data.agency_scope import agency_by_slug  # noqa: E402

AGENCY = "dmv"
PASSWORD = "bench password for the workspace"
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    """(median, worst) of ``runs`` calls of ``work``, in milliseconds."""
    work()  # one unmeasured call: imports, connections
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def add_drafts(url: str) -> None:
    with session_scope(url) as session:
        agency_id = agency_by_slug(session, AGENCY)
        if agency_id is None:
            raise SystemExit(f"the store has no agency {AGENCY!r}")
        session.add(
            Action(
                unit_id=agency_id,
                status="planned",
                started_on=dt.date(2026, 12, 1),
                title_en="Bench draft action",
            )
        )


def add_publisher(url: str) -> int:
    with session_scope(url) as session:
        try:
            return accounts.find_user(session, "bench-publisher").id
        except accounts.AccountError:
            pass  # not there yet: made below
        user = accounts.create_user(
            session, "bench-publisher", "publisher", password=PASSWORD, all_agencies=True
        )
        session.flush()
        return user.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        url = args.database_url or create_demo_store(directory)
        add_drafts(url)
        add_publisher(url)
        # No sign-in rate limit: the benchmark signs in N + 1 times within a minute.
        settings = Settings(database_url=url, session_cookie_secure=False, sign_in_rate_limit=0)
        app = create_app(settings)
        client = app.server.test_client()

        def sign_in() -> None:
            client.get("/staff/sign-in")
            with client.session_transaction() as session:
                token = session.get("csrf", "")
            response = client.post(
                "/staff/sign-in",
                data={"username": "bench-publisher", "password": PASSWORD, "csrf_token": token},
            )
            assert response.status_code in (302, 303), response.status_code

        def layout(path: str) -> Callable[[], object]:
            def request() -> object:
                response = client.get(
                    "/_dash-layout", headers={"Referer": f"http://localhost{path}"}
                )
                assert response.status_code == 200, (path, response.status_code)
                return response

            return request

        def cold(path: str) -> Callable[[], object]:
            def request() -> object:
                with app.server.app_context():
                    cache.clear()
                return layout(path)()

            return request

        print(f"{'measure':<34} {'median ms':>10} {'worst ms':>10}")
        rows = [("sign-in (scrypt check)", timed(args.n, sign_in))]
        rows.append(("agency page, warm", timed(args.n, layout(f"/agency/{AGENCY}"))))
        rows.append(("agency page, cold", timed(args.n, cold(f"/agency/{AGENCY}"))))
        rows.append(("preview of the agency", timed(args.n, layout(f"/preview/agency/{AGENCY}"))))
        db.dispose_all()
        if url.startswith("sqlite:///"):
            source = Path(url.removeprefix("sqlite:///"))
            copy = directory / "publish.sqlite3"

            def publish() -> None:
                db.dispose_all()
                shutil.copyfile(source, copy)
                copy_url = f"sqlite:///{copy}"
                user_id = add_publisher(copy_url)
                with session_scope(copy_url) as session:
                    agency_id = agency_by_slug(session, AGENCY)
                    assert agency_id is not None
                    publication.publish_agency(session, agency_id, user_id=user_id, now=NOW)

            # The copy is part of each run; it is timed alone below and taken off.
            copy_ms, _ = timed(args.n, lambda: shutil.copyfile(source, copy))
            median, worst = timed(args.n, publish)
            rows.append(("publication of the agency", (median - copy_ms, worst - copy_ms)))
        for name, (median, worst) in rows:
            print(f"{name:<34} {median:>10.1f} {worst:>10.1f}")

        public = client.get("/").get_data(as_text=True)
        scripts = re.findall(r"<script src=\"([^\"]+)\"", public)
        staff_scripts = [s for s in scripts if "bootstrap" in s]
        print(
            f"public index page: {len(public.encode())} bytes, {len(scripts)} scripts, "
            f"{len(staff_scripts)} of the staff app's"
        )
        db.dispose_all()


if __name__ == "__main__":
    main()
