"""Browser fixtures: a fresh app on a free port per test, driven by Debian's Chromium.

Playwright drives /usr/bin/chromium (Debian's package); it never downloads a browser.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard.core.settings import Settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"
# Flags that keep Chromium from calling out to the network (this machine has none).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> str:
    """One SQLite store with the demo data, shared read-only by the browser tests."""
    from dashboard.infra import db
    from data.demo import generate_demo

    path = tmp_path_factory.mktemp("browser") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    generate_demo(url, Settings(database_url=url))
    return url


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        from dashboard.web.factory import create_app

        self.app = create_app(settings)
        self._server = make_server("127.0.0.1", 0, self.app.server, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(demo_database: str) -> Iterator[LiveServer]:
    """A fresh app (Dash's own tests do the same) serving the demo store."""
    with LiveServer(Settings(database_url=demo_database)) as server:
        yield server


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []

    def watch(request) -> None:  # type: ignore[no-untyped-def]
        if not request.url.startswith((live_server.url, "data:", "blob:")):
            outside.append(request.url)

    page.on("request", watch)
    page.outside_requests = outside  # type: ignore[attr-defined]
    # Console errors (a CSP refusal, a failed callback) fail the test that caused them.
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
    ignorable = ("the server responded with a status of 404",)  # the 404 page's own status
    assert [e for e in errors if not any(i in e for i in ignorable)] == []


def dash_page_shown(page, timeout: float = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until Dash's page has replaced the prerender (assets/prerender.js).

    Until the swap both copies are in the document (Dash's hidden), so a query by label or
    role would find two of each control; a test of Dash's page waits for the swap first.
    """
    page.locator("#main-content h1").wait_for(timeout=timeout)
    page.locator("#prerender").wait_for(state="detached", timeout=timeout)


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page and return its violations."""
    # Evaluated through the DevTools protocol: the page's CSP (rightly) refuses inline scripts.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']}
        })"""
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
