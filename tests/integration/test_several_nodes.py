"""Several nodes: two real ``cxdash serve`` processes on one PostgreSQL database and one Redis.

The deployment the README describes under "Running several nodes": each node is its own
gunicorn (own port, own workers, own in-process state), and the nodes share only the database,
the Redis cache (under one CACHE_KEY_PREFIX) and SECRET_KEY. Both nodes are warmed (the agency
page and an API query cached in Redis), a publisher signs in on node A and publishes the
agency's drafts over HTTP as the staff workspace's browser does, and the very next request to
node B, with no session, shows the new figure in the API and the new action on the page.
Nothing is sent from A to B: the cache keys carry the published-data version, which B reads
from the database.

PostgreSQL only: SQLite is one file on one machine, not a store for several nodes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from sqlalchemy import select

from dashboard.infra import db
from dashboard.infra.models import DRAFT, Metric, Observation, Unit
from data import accounts, publication
from data.agency_scope import agency_by_slug
from data.drafts import save_draft
from tests.components import router_request
from tests.conftest import demo_store_copy, redis_pattern, unavailable
from tests.demo_stores import DemoStores
from tests.integration.servers import free_port

AGENCY = "dmv"
PUBLISHER = "pat-publisher"
EDITOR = "ed-editor"
PASSWORD = "correct horse battery staple"
TITLE = "Saturday opening at every field office"
SECRET = "several-nodes-test-secret-" + "0" * 32
#: Seconds a node has to answer /healthz after it is started (imports, gunicorn boot).
START_TIMEOUT_S = 90.0
#: Seconds one HTTP request may take.
REQUEST_TIMEOUT_S = 60.0


def _cxdash() -> list[str]:
    """The ``cxdash`` command of this environment (the console script beside Python)."""
    script = Path(sys.executable).with_name("cxdash")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from dashboard.web.cli import main; main()"]


@dataclass
class Node:
    """One ``cxdash serve`` process (its own process group), on 127.0.0.1:``port``."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"node {self.name} exited:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)  # polling a port that is not open yet: nothing to wait on instead
        raise AssertionError(f"node {self.name} did not answer /healthz:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the whole group (gunicorn and its workers), SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(15)
        except ProcessLookupError:
            pass


def start_node(name: str, environment: dict[str, str], folder: Path) -> Node:
    port = free_port()
    log = folder / f"node-{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*_cxdash(), "serve", "--workers", "1", "--threads", "4", "--port", str(port)],
            env={**os.environ, **environment, "HOST": "127.0.0.1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own: the teardown ends the workers too
        )
    return Node(name, port, process, log)


@pytest.fixture
def shared_store(demo_stores: DemoStores, tmp_path: Path) -> Iterator[str]:
    """A PostgreSQL database of this test's own holding the demo."""
    with demo_store_copy(demo_stores, "postgres", tmp_path, "cxdash_p6_nodes") as url:
        yield url


@pytest.fixture
def nodes(
    shared_store: str, redis_url: str, redis_key_prefix: str, tmp_path: Path
) -> Iterator[tuple[Node, Node]]:
    """Two nodes, as two machines would run them: same database, Redis, prefix and key."""
    environment = {
        "DATABASE_URL": shared_store,
        "CACHE_REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": redis_key_prefix,
        "SECRET_KEY": SECRET,
        "SESSION_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
    }
    started: list[Node] = []
    try:
        for name in ("a", "b"):
            try:
                started.append(start_node(name, environment, tmp_path))
            except OSError as error:
                unavailable("cxdash serve", error)
        for node in started:
            node.wait_ready()
        yield started[0], started[1]
    finally:
        for node in started:
            node.stop()
        db.dispose_all()


# -- what the test reads through the nodes -------------------------------------------------


def agency_page(node: Node) -> str:
    """The agency page's data, as a page view asks for it (the router callback)."""
    response = requests.post(
        f"{node.base}/_dash-update-component",
        json=router_request(f"/agency/{AGENCY}"),
        timeout=REQUEST_TIMEOUT_S,
    )
    assert response.status_code == 200, (response.status_code, node.log_tail())
    return response.text


def api_figures(node: Node, metric: str, month: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{node.base}/api/v1/observations",
        params={"unit": AGENCY, "metric": metric, "segment": "overall", "period": month},
        timeout=REQUEST_TIMEOUT_S,
    )
    assert response.status_code == 200, (response.status_code, node.log_tail())
    return list(response.json()["data"])


@dataclass(frozen=True)
class DraftFigure:
    metric: str
    month: str  # YYYY-MM, as the API's period parameter takes it
    value: float


def drafted_figure(url: str) -> DraftFigure:
    """One of the demo's draft figures for the agency: overall, with a value."""
    with db.session_scope(url) as session:
        metric, start, value = session.execute(
            select(Metric.code, Observation.period_start, Observation.raw_value)
            .join(Metric, Metric.id == Observation.metric_id)
            .join(Unit, Unit.id == Observation.unit_id)
            .where(
                Unit.slug == AGENCY,
                Observation.visibility == DRAFT,
                Observation.segment_type == "",
                Observation.granularity == "month",
                Observation.raw_value.is_not(None),
                Metric.is_survey.is_(False),  # never a small sample, never suppressed
            )
            .order_by(Metric.code)
            .limit(1)
        ).one()
    return DraftFigure(metric, f"{start:%Y-%m}", float(value))


def prepare_drafts(url: str) -> None:
    """The staff accounts, and an action drafted by an editor beside the demo's draft month."""
    with db.session_scope(url) as session:
        agency_id = agency_by_slug(session, AGENCY)
        assert agency_id is not None
        editor = accounts.create_user(
            session, EDITOR, "editor", password=PASSWORD, agencies=[AGENCY]
        )
        accounts.create_user(session, PUBLISHER, "publisher", password=PASSWORD, agencies=[AGENCY])
        session.flush()
        result = save_draft(
            session,
            agency_id,
            "actions",
            {
                "unit_id": str(agency_id),
                "title": {"en": TITLE, "es": "Apertura los sábados en todas las oficinas"},
                "status": "in_progress",
                "started_on": "2026-10-01",
                "metrics": [],
            },
            row_id=None,
            user_id=editor.id,
            now=dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC),
            languages=("en", "es"),
        )
        assert result.ok, result.problems


# -- the publisher's browser, over HTTP --------------------------------------------------------


class StaffBrowser:
    """Signs in on a node and calls the staff workspace's callbacks as Dash's renderer does
    (tests/integration/test_staff_callbacks.py's Browser, over a real socket)."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.http = requests.Session()

    def sign_in(self, username: str) -> StaffBrowser:
        page = self.http.get(f"{self.node.base}/staff/sign-in", timeout=REQUEST_TIMEOUT_S)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, page.text
        response = self.http.post(
            f"{self.node.base}/staff/sign-in",
            data={"username": username, "password": PASSWORD, "csrf_token": found.group(1)},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_S,
        )
        assert response.status_code == 303, response.text
        home = self.http.get(f"{self.node.base}/staff/", timeout=REQUEST_TIMEOUT_S)
        assert home.status_code == 200  # and the _csrf_token cookie is set
        return self

    def call(self, output: str, values: dict[str, Any], triggered: str) -> requests.Response:
        dependencies = self.http.get(
            f"{self.node.base}/staff/_dash-dependencies", timeout=REQUEST_TIMEOUT_S
        ).json()
        dependency = next(d for d in dependencies if output in d["output"])

        def spec(item: dict[str, Any]) -> dict[str, Any]:
            key = f"{item['id']}.{item['property']}"
            return {"id": item["id"], "property": item["property"], "value": values.get(key)}

        outputs = []
        for part in dependency["output"].strip(".").split("..."):
            name, _, prop = part.rpartition(".")
            outputs.append({"id": name, "property": prop.split("@")[0]})
        body = {
            "output": dependency["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [spec(i) for i in dependency["inputs"]],
            "state": [spec(s) for s in dependency["state"]],
            "changedPropIds": [triggered],
        }
        token = self.http.cookies.get("_csrf_token", path="/staff") or ""
        return self.http.post(
            f"{self.node.base}/staff/_dash-update-component",
            data=json.dumps(body),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
            timeout=REQUEST_TIMEOUT_S,
        )

    def publish(self, agency: str, version: str) -> requests.Response:
        """Approve and publish, as confirmed in the review page."""
        return self.call(
            "review-message.children",
            {
                "review-publish-confirm.n_clicks": 1,
                "review-agency.data": agency,
                "review-version.data": version,
                "review-publish-note.value": "Published through node A",
            },
            "review-publish-confirm.n_clicks",
        )


def drafts_version(url: str) -> str:
    """The drafts' fingerprint the review page shows the publisher."""
    with db.session_scope(url) as session:
        agency_id = agency_by_slug(session, AGENCY)
        assert agency_id is not None
        return publication.drafts_version(session, agency_id)


def test_a_publication_through_one_node_shows_on_the_other_at_once(
    shared_store: str, nodes: tuple[Node, Node], redis_url: str, redis_key_prefix: str
) -> None:
    node_a, node_b = nodes
    prepare_drafts(shared_store)
    figure = drafted_figure(shared_store)

    # Both nodes warm: the page and the API answer cached (in the shared Redis).
    for node in (node_a, node_b):
        for _ in range(2):
            assert TITLE not in agency_page(node)
            assert api_figures(node, figure.metric, figure.month) == []
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.keys(redis_pattern(redis_key_prefix)), "the nodes cache in the shared Redis"
    finally:
        client.close()

    publisher = StaffBrowser(node_a).sign_in(PUBLISHER)
    response = publisher.publish(AGENCY, drafts_version(shared_store))
    assert response.status_code == 200, (response.text, node_a.log_tail())
    assert "published" in response.text, response.text

    # Node B's very next answers: the new figure in the API, the new action on the page.
    records = api_figures(node_b, figure.metric, figure.month)
    assert [record["value"] for record in records] == [pytest.approx(figure.value, rel=1e-3)]
    assert TITLE in agency_page(node_b)
    # And node A, which published, agrees.
    assert [r["value"] for r in api_figures(node_a, figure.metric, figure.month)] == [
        pytest.approx(figure.value, rel=1e-3)
    ]
