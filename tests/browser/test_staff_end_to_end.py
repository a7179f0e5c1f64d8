"""Issue 10, "Done when": the whole staff path in Chromium, from sign-in to the public page.

An editor of the DMV signs in, uploads a results file with a bad cell (sees the problem in
the page, nothing is saved), uploads the fixed file (a figure for a new quarter and a
revision of a published one, with its reason), writes an action in English and Spanish,
submits, and previews the agency page. Meanwhile the public page and the API show none of
it. A publisher (another person) then approves and publishes, and the public page, the API
and "What changed" show it. Signed out, staff and preview URLs lead to sign-in and reveal
nothing of the drafts.

The test has its own copy of the demo store (it writes) and its own app.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, text

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.models import Metric, Observation, PendingRevision, Unit
from data import accounts
from data.demo import DRAFT_MARKER
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
#: Generous: two shared cores, and another test run may be going on.
STEP_MS = 30_000
AGENCY = "dmv"
AGENCY_NAME = "Department of Motor Vehicles"
EDITOR = "edna.editor"
PUBLISHER = "pablo.publisher"
METRIC = "csat_overall"
#: The demo publishes the DMV's satisfaction up to FY2026 Q3: Q4 is a new figure.
NEW_PERIOD, NEW_START, NEW_VALUE = "FY2026 Q4", "2026-07-01", 0.815
REVISED_PERIOD, REVISED_START, REVISED_VALUE = "FY2026 Q3", "2026-04-01", 0.8
REASON = "E2E marker qx72: late survey returns were added"
ACTION_EN = "E2E marker qx71: text reminders before a license expires"
ACTION_ES = "E2E marker qx71: recordatorios por texto antes de que venza la licencia"
DESCRIPTION_EN = "We send a text message 30 days before a driver license expires."
DESCRIPTION_ES = "Enviamos un mensaje de texto 30 días antes de que venza la licencia."
#: A draft action the demo gives the DMV: never public before publication.
DEMO_DRAFT_ACTION = "Close the Eastside office on Saturdays"
#: A published action of the DMV, to know the public page has drawn its actions.
PUBLISHED_ACTION = "Video appointments for license questions"
BANNER = "Preview: not published yet"


@pytest.fixture
def store(demo_database: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the demo store, with an editor and a publisher of the DMV."""
    copy = tmp_path / "end-to-end.sqlite3"
    shutil.copy(Path(demo_database.removeprefix("sqlite:///")), copy)
    url = f"sqlite:///{copy}"
    with db.session_scope(url) as session:
        accounts.create_user(
            session, EDITOR, "editor", password=PASSWORD, agencies=[AGENCY], display_name="Edna"
        )
        accounts.create_user(
            session,
            PUBLISHER,
            "publisher",
            password=PASSWORD,
            agencies=[AGENCY],
            display_name="Pablo",
        )
    yield url
    db.get_engine(url).dispose()


@pytest.fixture
def server(store: str) -> Iterator[LiveServer]:
    with LiveServer(Settings(database_url=store)) as live:
        yield live


class Browsing:
    """New browser contexts that record requests leaving the server and console errors."""

    def __init__(self, browser: Any, server: LiveServer) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[Any] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []

    def page(self) -> Any:
        context = self.browser.new_context()
        context.set_default_timeout(STEP_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "request",
            lambda r: (
                self.outside.append(r.url)
                if not r.url.startswith((self.server.url, "data:", "blob:"))
                else None
            ),
        )
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def _console(self, message: Any) -> None:
        # A failed load is judged by its response (below), which names the URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response: Any) -> None:
        # Chromium asks for /favicon.ico on its own for the plain-HTML sign-in page.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{response.status} {response.url}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser: Any, server: LiveServer) -> Iterator[Browsing]:
    opened = Browsing(browser, server)
    expect.set_options(timeout=STEP_MS)
    try:
        yield opened
    finally:
        expect.set_options(timeout=None)  # Playwright's default again, for other tests
        opened.close()
    assert opened.outside == [], f"requests left the server: {opened.outside}"
    assert opened.errors == [], f"errors in the browser console: {opened.errors}"
    assert opened.failed == [], f"failed requests: {opened.failed}"


# -- the store, read directly (what the pages must agree with) --------------------------------


def figure(url: str, start: str) -> tuple[str, float | None] | None:
    """(visibility, value to 6 places) of the DMV's overall satisfaction in the quarter from
    ``start``."""
    with db.session_scope(url) as session:
        row = session.execute(
            select(Observation.visibility, Observation.raw_value)
            .join(Unit, Unit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(
                Unit.slug == AGENCY,
                Metric.code == METRIC,
                Observation.granularity == "quarter",
                Observation.period_start == start,
                Observation.segment_type == "",
            )
        ).one_or_none()
        if row is None:
            return None
        return str(row[0]), None if row[1] is None else round(row[1], 6)


def action_states(url: str) -> list[str]:
    """The visibility of every action titled :data:`ACTION_EN` (for a failure's message)."""
    with db.session_scope(url) as session:
        rows = session.execute(
            text(
                "SELECT a.visibility FROM actions a JOIN action_texts t ON t.owner_id = a.id"
                " WHERE t.field = 'title' AND t.language = 'en' AND t.text = :title"
            ),
            {"title": ACTION_EN},
        )
        return [str(row[0]) for row in rows]


def leak_details(shown: Any, url: str) -> str:
    """Where a draft showed, and what the store says of it: enough to chase a leak."""
    where = shown.first.evaluate("e => (e.closest('[id]') || e).outerHTML.slice(0, 1500)")
    return f"actions in the store: {action_states(url)}; shown in: {where}"


def pending_reasons(url: str) -> list[str]:
    with db.session_scope(url) as session:
        return [str(r) for r in session.scalars(select(PendingRevision.reason))]


# -- pages -------------------------------------------------------------------------------------


def results_file(folder: Path, name: str, revised_value: str) -> Path:
    """A results file in the long format (docs/import-format.md)."""
    path = folder / name
    path.write_text(
        "agency,metric,period,value\n"
        f"{AGENCY},{METRIC},{NEW_PERIOD},81.5%\n"
        f"{AGENCY},{METRIC},{REVISED_PERIOD},{revised_value}\n",
        encoding="utf-8",
    )
    return path


def sign_in(page: Any, server: LiveServer, username: str, path: str) -> None:
    """Open ``path`` signed out, sign in through the form (typing, Enter), land on ``path``."""
    page.goto(server.url + path)
    page.wait_for_url(f"**/staff/sign-in?next={path}**")
    page.locator("#username").press_sequentially(username)
    page.locator("#password").press_sequentially(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(server.url + path)
    expect(page.locator("#main-content h1"), f"{path} after sign-in").to_be_visible()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/sign-in?signed_out=1")


def open_staff_page(page: Any, url: str) -> None:
    page.goto(url)
    expect(page.locator("#main-content h1"), url).to_be_visible()


def open_public_page(page: Any, url: str) -> None:
    """A public page, drawn by the public app (the heading shows once its layout is in)."""
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    expect(page.locator("#main-content h1").first, url).to_be_visible()


def api(page: Any, server: LiveServer, path: str) -> list[dict[str, Any]]:
    response = page.request.get(server.url + path)
    assert response.status == 200, f"{path}: HTTP {response.status}"
    body = response.json()
    assert body["meta"]["total"] == len(body["data"]), f"{path}: paged; ask for fewer rows"
    return list(body["data"])


def action_titles(page: Any, server: LiveServer) -> set[str]:
    rows = api(page, server, f"/api/v1/actions?unit={AGENCY}")
    return {row["title_en"] for row in rows} | {row["title_es"] for row in rows}


def quarter(page: Any, server: LiveServer, start: str) -> dict[str, Any] | None:
    rows = api(
        page,
        server,
        f"/api/v1/observations?unit={AGENCY}&metric={METRIC}&granularity=quarter"
        f"&from={REVISED_START}",
    )
    found = [r for r in rows if r["period_start"] == start and not r["segment_type"]]
    return found[0] if found else None


# -- the test ----------------------------------------------------------------------------------


def test_sign_in_upload_write_preview_publish_and_the_public_sees_it(
    browsing: Browsing, server: LiveServer, store: str, tmp_path: Path
) -> None:
    assert figure(store, NEW_START) is None, "the demo has no figure for the new quarter"
    assert figure(store, REVISED_START) is not None, "the demo publishes the revised quarter"
    published_before = figure(store, REVISED_START)
    assert published_before is not None and published_before[0] == "published"

    # 1. Signed out: staff pages and the preview lead to sign-in and show nothing of drafts.
    stranger = browsing.page()
    for path in ("/staff/", "/staff/upload", "/staff/review", f"/preview/agency/{AGENCY}"):
        stranger.goto(server.url + path)
        stranger.wait_for_url(f"**/staff/sign-in?next={path}")
        expect(stranger.get_by_role("heading", level=1)).to_have_text(
            "Sign in to the cxdash staff workspace"
        )
        body = stranger.locator("body").inner_text()
        for secret in (DRAFT_MARKER, DEMO_DRAFT_ACTION, AGENCY_NAME):
            assert secret not in body, f"signed-out {path} shows {secret!r}"

    # 2. The editor signs in (on the way to the upload page) and checks a file with a bad cell.
    editor = browsing.page()
    sign_in(editor, server, EDITOR, "/staff/upload")
    expect(editor.get_by_role("heading", level=1)).to_have_text("Upload a results file")
    editor.locator("#upload-agency").select_option(AGENCY)
    upload = editor.locator("#upload-file input[type=file]")
    upload.set_input_files(str(results_file(tmp_path, "results-with-a-typo.csv", "abc")))
    expect(editor.locator("#upload-file-name")).to_have_text("Chosen: results-with-a-typo.csv")
    editor.get_by_role("button", name="Check file").click()
    problems = editor.locator("#upload-problems")
    expect(problems, "the problems of the file, as a table").to_be_visible()
    expect(problems.locator("thead th")).to_have_text(["File", "Row", "Column", "Value", "Reason"])
    expect(problems.locator("tbody tr"), "one bad cell, one problem").to_have_count(1)
    cells = problems.locator("tbody tr").first.locator("td")
    expect(cells.nth(0), "the file, by its own name").to_have_text("results-with-a-typo.csv")
    expect(cells.nth(1), "the row a text editor shows").to_have_text("3")
    expect(cells.nth(2)).to_have_text("value")
    expect(cells.nth(3)).to_have_text("abc")
    expect(cells.nth(4), "a reason").not_to_be_empty()
    expect(editor.locator("#upload-message")).to_have_class(re.compile(r"\balert-danger\b"))
    expect(editor.get_by_role("button", name="Save as drafts")).to_be_disabled()
    assert figure(store, NEW_START) is None, "a file with a problem saved a figure"
    assert pending_reasons(store) == [], "a file with a problem saved a revision"

    # 3. The fixed file: a new quarter's figure and a revision of a published one, with a reason.
    upload.set_input_files(str(results_file(tmp_path, "results.csv", "80%")))
    expect(editor.locator("#upload-file-name")).to_have_text("Chosen: results.csv")
    editor.get_by_label("Reason for revising published figures").fill(REASON)
    editor.get_by_role("button", name="Check file").click()
    expect(editor.locator("#upload-result h2")).to_have_text("Result of the check")
    expect(editor.locator("#upload-message")).to_have_class(re.compile(r"\balert-success\b"))
    expect(editor.locator("#upload-problems")).to_have_count(0)
    save = editor.get_by_role("button", name="Save as drafts")
    expect(save, "a clean file may be saved").to_be_enabled()
    assert figure(store, NEW_START) is None, "the check (a dry run) saved a figure"
    save.click()
    expect(editor.locator("#upload-result h2")).to_have_text("Result")
    expect(editor.locator("#upload-message")).to_have_class(re.compile(r"\balert-success\b"))
    expect(save, "saved once: a second click cannot save it again").to_be_disabled()
    assert figure(store, NEW_START) == ("draft", NEW_VALUE)
    assert figure(store, REVISED_START) == published_before, "the published value stays"
    assert pending_reasons(store) == [REASON]

    # 4. An action, written in English and Spanish, saved as a draft, then submitted.
    open_staff_page(editor, f"{server.url}/staff/content/actions?agency={AGENCY}")
    editor.get_by_role("button", name="New action").click()
    dialog = editor.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Title (English) (required)").fill(ACTION_EN)
    dialog.get_by_label("Title (Español)").fill(ACTION_ES)
    dialog.get_by_label("Description (English)").fill(DESCRIPTION_EN)
    dialog.get_by_label("Description (Español)").fill(DESCRIPTION_ES)
    dialog.get_by_label("Status (required)").select_option("in_progress")
    dialog.get_by_label("Started on (required)").fill("2026-10-15")
    # The public page lists actions under the measure they address.
    dialog.locator("fieldset").filter(has_text="Measures it addresses").locator(
        f"input[type=checkbox][value={METRIC}]"
    ).check()
    dialog.get_by_role("button", name="Save draft").click()
    expect(dialog, "the form closes once the draft is saved").to_be_hidden()
    saved = editor.locator("#content-table tbody tr").filter(has_text=ACTION_EN)
    expect(saved, "the action is listed").to_have_count(1)
    expect(saved).to_contain_text("Draft")

    open_staff_page(editor, f"{server.url}/staff/review")
    section = editor.locator(f"#agency-{AGENCY}")
    expect(section).to_contain_text(ACTION_EN)
    section.get_by_role("button", name="Submit for review").click()
    submit = editor.locator("#review-submit-modal")
    expect(submit).to_be_visible()
    submit.get_by_role("button", name="Submit", exact=True).click()
    expect(editor.locator("#review-outcome")).to_have_class(re.compile(r"\balert-success\b"))

    # 5. The preview shows the drafts, in both languages; the public page and the API do not.
    preview = f"{server.url}/preview/agency/{AGENCY}"
    open_public_page(editor, preview)
    expect(editor.locator("#preview-banner")).to_contain_text(BANNER)
    expect(editor.get_by_text(ACTION_EN).first, "the drafted action, previewed").to_be_visible()
    open_public_page(editor, preview + "?lang=es")
    expect(editor.locator("#preview-banner")).to_be_visible()
    expect(editor.get_by_text(ACTION_ES).first, "the Spanish title, previewed").to_be_visible()

    assert action_states(store) == ["draft"], "the preview left the action a draft"
    assert figure(store, NEW_START) == ("draft", NEW_VALUE), "and the new figure too"
    public = browsing.page()
    open_public_page(public, f"{server.url}/agency/{AGENCY}")
    expect(public.get_by_text(PUBLISHED_ACTION).first, "the page drew its actions").to_be_visible()
    # Drawn (the published action shows): the draft is not there, nor anywhere on the page.
    shown = public.get_by_text(ACTION_EN)
    assert shown.count() == 0, f"a draft on the public page: {leak_details(shown, store)}"
    expect(public.locator("#preview-banner")).to_have_count(0)
    assert ACTION_EN not in action_titles(public, server), "a draft action in the API"
    assert quarter(public, server, NEW_START) is None, "a draft figure in the API"
    revised = quarter(public, server, REVISED_START)
    assert revised is not None and revised["revised"] is False, "an unpublished revision shows"

    # A signed-out visitor still cannot open the preview.
    stranger.goto(preview)
    stranger.wait_for_url(f"**/staff/sign-in?next=/preview/agency/{AGENCY}")
    assert ACTION_EN not in stranger.locator("body").inner_text()

    # 6. The editor signs out; the publisher reviews the changes and publishes them.
    open_staff_page(editor, f"{server.url}/staff/")
    sign_out(editor)
    publisher = browsing.page()
    sign_in(publisher, server, PUBLISHER, "/staff/review")
    expect(publisher.get_by_role("heading", level=1)).to_have_text("Review and publish")
    section = publisher.locator(f"#agency-{AGENCY}")
    expect(section.get_by_role("heading", level=2)).to_have_text(AGENCY_NAME)
    expect(section, "the new figure").to_contain_text(NEW_PERIOD)
    expect(section, "the revision's reason").to_contain_text(REASON)
    expect(section, "the action").to_contain_text(ACTION_EN)
    section.get_by_role("button", name="Approve and publish").click()
    confirm = publisher.locator("#review-publish-modal")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Publish now").click()
    expect(publisher.locator("#review-outcome")).to_have_class(re.compile(r"\balert-success\b"))
    expect(confirm).to_be_hidden()
    assert figure(store, NEW_START) == ("published", NEW_VALUE)
    assert figure(store, REVISED_START) == ("published", REVISED_VALUE)
    assert pending_reasons(store) == []

    # 7. Signed out, the public sees it: agency page (both languages), API, "What changed".
    reader = browsing.page()
    open_public_page(reader, f"{server.url}/agency/{AGENCY}")
    expect(reader.get_by_text(ACTION_EN).first, "the published action").to_be_visible()
    open_public_page(reader, f"{server.url}/agency/{AGENCY}?lang=es")
    expect(reader.get_by_text(ACTION_ES).first, "the published action in Spanish").to_be_visible()
    assert {ACTION_EN, ACTION_ES} <= action_titles(reader, server), "the action in the API"
    new = quarter(reader, server, NEW_START)
    assert new is not None and new["value"] == pytest.approx(NEW_VALUE), new
    revised = quarter(reader, server, REVISED_START)
    assert revised is not None, "the revised figure in the API"
    assert revised["revised"] is True and revised["value"] == pytest.approx(REVISED_VALUE)
    assert revised["earlier_value"] == pytest.approx(published_before[1])

    open_public_page(reader, f"{server.url}/changes?agency={AGENCY}")
    latest = reader.locator("#changes-list > li").first
    expect(latest, "the newest publication is the DMV's").to_contain_text(AGENCY_NAME)
    expect(latest.locator(".changes-reasons"), "with its reason").to_contain_text(REASON)
