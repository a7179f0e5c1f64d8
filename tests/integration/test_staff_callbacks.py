"""The staff workspace's callbacks, called as the browser calls them (Flask's test client).

Each callback checks again who is signed in and the agency the SERVER finds for the row or
slug: an editor of one agency who crafts a callback body naming another agency's row or slug
is refused and nothing changes; a signed-out or token-less callback changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from dashboard.core.settings import Settings
from dashboard.infra import db
from dashboard.infra.models import Action, AuditEntry, Publication
from data import accounts, drafts, publication
from data.agency_scope import agency_by_slug

PASSWORD = "correct horse battery staple"
EDITOR_A, EDITOR_B, PUBLISHER_A, ADMIN = "editor-a", "editor-b", "publisher-a", "admin"
AGENCY_A, AGENCY_B = "dmv", "revenue"


@pytest.fixture
def store(demo_copy_url: str) -> str:
    with db.session_scope(demo_copy_url) as session:
        accounts.create_user(session, EDITOR_A, "editor", password=PASSWORD, agencies=[AGENCY_A])
        accounts.create_user(session, EDITOR_B, "editor", password=PASSWORD, agencies=[AGENCY_B])
        accounts.create_user(
            session, PUBLISHER_A, "publisher", password=PASSWORD, agencies=[AGENCY_A]
        )
        accounts.create_user(session, ADMIN, "admin", password=PASSWORD)
    return demo_copy_url


def make_app(url: str, **settings: Any) -> Any:
    from dashboard.web.factory import create_app

    return create_app(Settings(database_url=url, **settings))


class Browser:
    """A test client that signs in and calls the staff app's callbacks like Dash's renderer."""

    def __init__(self, app: Any) -> None:
        self.client = app.server.test_client()
        self._dependencies: list[dict[str, Any]] | None = None

    def sign_in(self, username: str) -> Browser:
        page = self.client.get("/staff/sign-in").get_data(as_text=True)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found, page
        response = self.client.post(
            "/staff/sign-in",
            data={"username": username, "password": PASSWORD, "csrf_token": found.group(1)},
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        assert self.client.get("/staff/").status_code == 200  # sets the _csrf_token cookie
        return self

    @property
    def token(self) -> str | None:
        cookie = self.client.get_cookie("_csrf_token", path="/staff")
        return cookie.value if cookie else None

    def dependencies(self) -> list[dict[str, Any]]:
        if self._dependencies is None:
            self._dependencies = self.client.get("/staff/_dash-dependencies").get_json()
        return self._dependencies

    def call(
        self,
        output: str,
        values: dict[str, Any],
        triggered: str,
        *,
        token: str | bool | None = True,
    ) -> Any:
        """Call the callback whose output names ``output`` with ``values`` ("id.prop" ->
        value; a pattern input's key is its pattern, its value a list of (id, value))."""
        dependency = next(d for d in self.dependencies() if output in d["output"])

        def spec(item: dict[str, Any]) -> Any:
            key = f"{item['id']}.{item['property']}"
            value = values.get(key)
            if item["id"].startswith("{"):
                return [
                    {"id": component, "property": item["property"], "value": v}
                    for component, v in (value or [])
                ]
            return {"id": item["id"], "property": item["property"], "value": value}

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
        headers = {}
        if token is True:
            headers["X-CSRFToken"] = self.token or ""
        elif isinstance(token, str):
            headers["X-CSRFToken"] = token
        return self.client.post(
            "/staff/_dash-update-component",
            data=json.dumps(body),
            content_type="application/json",
            headers=headers,
        )

    def page(self, path: str, search: str = "") -> Any:
        return self.call(
            "staff-page.children",
            {"staff-url.pathname": path, "staff-url.search": search},
            "staff-url.pathname",
        )


def action_values(title_en: str, title_es: str, unit_id: int) -> list[tuple[dict, Any]]:
    fields = {
        ("unit_id", ""): str(unit_id),
        ("title", "en"): title_en,
        ("title", "es"): title_es,
        ("description", "en"): "",
        ("description", "es"): "",
        ("status", ""): "completed",
        ("started_on", ""): "2024-01-15",
        ("completed_on", ""): "2024-03-01",
        ("link", ""): "",
        ("metrics", ""): [],
        ("code", ""): "",
        ("internal_note", ""): "",
    }
    return [
        ({"type": "content-field", "name": name, "language": language}, value)
        for (name, language), value in fields.items()
    ]


def save_action(
    browser: Browser, agency: str, unit_id: int, title: str, editing: int | None = None, **kw: Any
) -> Any:
    return browser.call(
        "content-form.children@",
        {
            "content-save.n_clicks": 1,
            '{"language":["ALL"],"name":["ALL"],"type":"content-field"}.value': action_values(
                title, title + " (es)", unit_id
            ),
            '{"day":["ALL"],"type":"content-hours"}.value': [],
            "content-context.data": {"kind": "actions", "agency": agency},
            "content-editing.data": editing,
        },
        "content-save.n_clicks",
        **kw,
    )


def agency_id(url: str, slug: str) -> int:
    with db.session_scope(url) as session:
        found = agency_by_slug(session, slug)
        assert found is not None
        return found


def action_rows(url: str, slug: str) -> list[dict[str, Any]]:
    with db.session_scope(url) as session:
        return drafts.content_rows(session, agency_id(url, slug), "actions")


def count_actions(url: str) -> int:
    with db.session_scope(url) as session:
        return session.scalar(select(func.count(Action.id))) or 0


@pytest.fixture
def app(store: str) -> Iterator[Any]:
    yield make_app(store)


def test_editor_saves_an_action_draft_in_two_languages(app: Any, store: str) -> None:
    browser = Browser(app).sign_in(EDITOR_A)
    response = save_action(browser, AGENCY_A, agency_id(store, AGENCY_A), "Shorter queues")
    assert response.status_code == 200, response.get_data(as_text=True)
    saved = [r for r in action_rows(store, AGENCY_A) if r["title"].get("en") == "Shorter queues"]
    assert len(saved) == 1
    assert saved[0]["state"].startswith("draft")
    assert saved[0]["title"]["es"] == "Shorter queues (es)"
    assert saved[0]["author"] == EDITOR_A


def test_a_form_with_problems_saves_nothing_and_says_why(app: Any, store: str) -> None:
    browser = Browser(app).sign_in(EDITOR_A)
    before = count_actions(store)
    response = save_action(browser, AGENCY_A, agency_id(store, AGENCY_A), "")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "content-form-summary" in text
    assert "invalid-feedback" in text
    assert count_actions(store) == before


def test_an_editor_cannot_save_for_another_agency(app: Any, store: str) -> None:
    browser = Browser(app).sign_in(EDITOR_A)
    before = count_actions(store)
    # The slug and the unit both name agency B: the server refuses on the slug.
    response = save_action(browser, AGENCY_B, agency_id(store, AGENCY_B), "Crafted")
    assert response.status_code == 200
    assert "not one you work for" in response.get_data(as_text=True)
    # Own slug, another agency's unit: data.drafts refuses the unit.
    response = save_action(browser, AGENCY_A, agency_id(store, AGENCY_B), "Crafted")
    assert count_actions(store) == before
    assert not [r for r in action_rows(store, AGENCY_B) if r["title"].get("en") == "Crafted"]


def test_an_editor_cannot_change_or_discard_another_agencys_row(app: Any, store: str) -> None:
    other = Browser(app).sign_in(EDITOR_B)
    assert save_action(other, AGENCY_B, agency_id(store, AGENCY_B), "B's draft").status_code == 200
    (row,) = [r for r in action_rows(store, AGENCY_B) if r["title"].get("en") == "B's draft"]
    browser = Browser(app).sign_in(EDITOR_A)
    response = save_action(
        browser, AGENCY_A, agency_id(store, AGENCY_A), "Overwritten", editing=row["id"]
    )
    assert "not one of this agency" in response.get_data(as_text=True)
    response = browser.call(
        "content-rows.children@",
        {
            '{"row":["ALL"],"type":"content-discard"}.n_clicks': [
                ({"type": "content-discard", "row": str(row["id"])}, 1)
            ],
            "content-context.data": {"kind": "actions", "agency": AGENCY_A},
        },
        json.dumps({"row": str(row["id"]), "type": "content-discard"}, separators=(",", ":"))
        + ".n_clicks",
    )
    assert response.status_code in (200, 204)
    (after,) = [r for r in action_rows(store, AGENCY_B) if r["id"] == row["id"]]
    assert after["title"]["en"] == "B's draft"


def test_a_signed_out_callback_changes_nothing(app: Any, store: str) -> None:
    browser = Browser(app).sign_in(EDITOR_A)
    token = browser.token
    browser.dependencies()
    browser.client.delete_cookie("cxdash_session")
    before = count_actions(store)
    response = save_action(browser, AGENCY_A, agency_id(store, AGENCY_A), "Nobody", token=token)
    assert response.status_code in (400, 401)
    assert count_actions(store) == before


def test_a_callback_without_the_csrf_token_is_refused(app: Any, store: str) -> None:
    browser = Browser(app).sign_in(EDITOR_A)
    before = count_actions(store)
    for token in (None, "not-the-token"):
        response = save_action(browser, AGENCY_A, agency_id(store, AGENCY_A), "Forged", token=token)
        assert response.status_code == 400
    assert count_actions(store) == before


def drafts_version(browser: Browser, agency: str) -> str:
    """What the review page holds for ``agency``: its drafts' fingerprint as they stand."""
    url = browser.client.application.config["CXDASH_SETTINGS"].database_url
    with db.session_scope(url) as session:
        return publication.drafts_version(session, agency_id(url, agency))


def publish_call(
    browser: Browser, agency: str, note: str = "", version: str | None = "current"
) -> Any:
    """Approve and publish, as read in the review page (``version``: "current", the drafts'
    fingerprint now; or the one given, or None when the page sent none)."""
    return browser.call(
        "review-message.children",
        {
            "review-publish-confirm.n_clicks": 1,
            "review-agency.data": agency,
            "review-version.data": (
                drafts_version(browser, agency) if version == "current" else version
            ),
            "review-publish-note.value": note,
        },
        "review-publish-confirm.n_clicks",
    )


def publications(url: str) -> int:
    with db.session_scope(url) as session:
        return session.scalar(select(func.count(Publication.id))) or 0


def test_only_a_publisher_of_the_agency_publishes(app: Any, store: str) -> None:
    editor = Browser(app).sign_in(EDITOR_A)
    save_action(editor, AGENCY_A, agency_id(store, AGENCY_A), "To publish")
    before = publications(store)
    assert "Only a publisher" in publish_call(editor, AGENCY_A).get_data(as_text=True)
    other = Browser(app).sign_in(EDITOR_B)
    assert "not one you work for" in publish_call(other, AGENCY_A).get_data(as_text=True)
    assert publications(store) == before
    publisher = Browser(app).sign_in(PUBLISHER_A)
    response = publish_call(publisher, AGENCY_A, "New action")
    assert "published" in response.get_data(as_text=True)
    assert publications(store) == before + 1
    (row,) = [r for r in action_rows(store, AGENCY_A) if r["title"].get("en") == "To publish"]
    assert row["state"] == drafts.STATE_PUBLISHED


def test_a_publisher_publishes_only_the_drafts_they_read(app: Any, store: str) -> None:
    editor = Browser(app).sign_in(EDITOR_A)
    save_action(editor, AGENCY_A, agency_id(store, AGENCY_A), "Read by the publisher")
    publisher = Browser(app).sign_in(PUBLISHER_A)
    read = drafts_version(publisher, AGENCY_A)
    # The editor adds a draft while the publisher reads the review.
    save_action(editor, AGENCY_A, agency_id(store, AGENCY_A), "Added after the review")
    before = publications(store)
    text = publish_call(publisher, AGENCY_A, version=read).get_data(as_text=True)
    assert "changed since you opened the review" in text
    text = publish_call(publisher, AGENCY_A, version=None).get_data(as_text=True)
    assert "Open the review again" in text
    assert publications(store) == before
    states = {r["title"].get("en"): r["state"] for r in action_rows(store, AGENCY_A)}
    assert states["Read by the publisher"] == drafts.STATE_NEW
    # Read again: published, both.
    assert "published" in publish_call(publisher, AGENCY_A).get_data(as_text=True)
    assert publications(store) == before + 1


def test_a_second_approver_is_required_when_configured(store: str) -> None:
    app = make_app(store, require_second_approver=True)
    publisher = Browser(app).sign_in(PUBLISHER_A)
    save_action(publisher, AGENCY_A, agency_id(store, AGENCY_A), "Own draft")
    before = publications(store)
    text = publish_call(publisher, AGENCY_A).get_data(as_text=True)
    assert "another publisher must approve" in text
    assert publications(store) == before
    with db.session_scope(store) as session:
        refused = session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "publish_refused")
        )
    assert refused == 1


def test_send_back_needs_a_comment_and_the_editor_sees_it(app: Any, store: str) -> None:
    editor = Browser(app).sign_in(EDITOR_A)
    save_action(editor, AGENCY_A, agency_id(store, AGENCY_A), "Needs work")
    publisher = Browser(app).sign_in(PUBLISHER_A)

    def send_back(comment: str) -> Any:
        return publisher.call(
            "review-message.children",
            {
                "review-send-back-confirm.n_clicks": 1,
                "review-agency.data": AGENCY_A,
                "review-send-back-comment.value": comment,
            },
            "review-send-back-confirm.n_clicks",
        )

    assert "Write a comment" in send_back("  ").get_data(as_text=True)
    assert "sent back" in send_back("Please add the Spanish title").get_data(as_text=True)
    home = editor.page("/staff/").get_data(as_text=True)
    assert "Please add the Spanish title" in home
    assert "Sent back" in home


def test_pages_render_for_each_role_and_admin_pages_are_refused_to_others(
    app: Any, store: str
) -> None:
    editor = Browser(app).sign_in(EDITOR_A)
    for path in ("/staff/", "/staff/upload", "/staff/content/actions", "/staff/review"):
        response = editor.page(path)
        assert response.status_code == 200, path
        assert "<h1" not in response.get_data(as_text=True)  # JSON, not HTML
        assert '"type":"H1"' in response.get_data(as_text=True).replace(" ", ""), path
    for kind in ("contact-points", "closures", "targets"):
        assert editor.page(f"/staff/content/{kind}").status_code == 200
    assert "Only an administrator" in editor.page("/staff/users").get_data(as_text=True)
    assert "Only an administrator" in editor.page("/staff/audit").get_data(as_text=True)
    # Another agency's content page: refused, and its rows are not in the answer.
    text = editor.page("/staff/content/actions", f"?agency={AGENCY_B}").get_data(as_text=True)
    assert "not one you work for" in text
    assert editor.client.get("/staff/audit.csv").status_code == 404
    assert editor.client.get("/staff/no-such-page").status_code == 404
    admin = Browser(app).sign_in(ADMIN)
    assert "Users and roles" in admin.page("/staff/users").get_data(as_text=True)
    assert "Audit log" in admin.page("/staff/audit").get_data(as_text=True)


def test_the_audit_export_is_for_admins_and_is_audited(app: Any, store: str) -> None:
    admin = Browser(app).sign_in(ADMIN)
    response = admin.client.get("/staff/audit.csv?action=sign_in")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert "sign_in" in text and EDITOR_A not in text.split("\n", 1)[0]
    with db.session_scope(store) as session:
        exported = session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "audit_exported")
        )
    assert exported == 1


def test_an_admin_adds_a_user_and_changes_a_role(app: Any, store: str) -> None:
    admin = Browser(app).sign_in(ADMIN)
    values = {
        "users-add.n_clicks": 1,
        "users-add-username.value": "new-editor",
        "users-add-display-name.value": "New Editor",
        "users-add-email.value": "",
        "users-add-password.value": PASSWORD,
        "users-add-role.value": "editor",
        "users-add-all.value": [],
        "users-add-agencies.value": [AGENCY_B],
    }
    response = admin.call("users-message.children", values, "users-add.n_clicks")
    assert "added" in response.get_data(as_text=True)
    change = {
        "users-change.n_clicks": 1,
        "users-change-username.value": EDITOR_A,
        "users-change-role.value": "publisher",
        "users-change-all.value": [],
        "users-change-agencies.value": [AGENCY_A],
    }
    admin.call("users-message.children", change, "users-change.n_clicks")
    with db.session_scope(store) as session:
        listed = {u["username"]: u for u in accounts.list_users(session)}
        actions = set(session.scalars(select(AuditEntry.action)))
    assert listed["new-editor"]["agencies"] == [AGENCY_B]
    assert listed[EDITOR_A]["role"] == "publisher"
    assert {"user_added", "role_changed"} <= actions
    # An editor's crafted call to the same callback changes nothing.
    editor = Browser(app).sign_in(EDITOR_B)
    values["users-add-username.value"] = "crafted"
    text = editor.call("users-message.children", values, "users-add.n_clicks").get_data(
        as_text=True
    )
    assert "Only an administrator" in text
    with db.session_scope(store) as session:
        assert "crafted" not in {u["username"] for u in accounts.list_users(session)}


def test_an_upload_check_shows_its_problems_in_the_page(app: Any, store: str) -> None:
    import base64

    browser = Browser(app).sign_in(EDITOR_A)
    body = "unit,metric,period\nnot-a-unit,nothing,someday\n"
    contents = "data:text/csv;base64," + base64.b64encode(body.encode()).decode()
    response = browser.call(
        "upload-result.children",
        {
            "upload-check.n_clicks": 1,
            "upload-agency.value": AGENCY_A,
            "upload-file.contents": contents,
            "upload-file.filename": "results.csv",
            "upload-mapping.value": "",
            "upload-mapping-file.contents": None,
            "upload-reason.value": "",
            "upload-clean.data": None,
        },
        "upload-check.n_clicks",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text
    assert "upload-problems" in text
    assert "nothing was saved" in text
    # Another agency, crafted: refused before the file is read.
    response = browser.call(
        "upload-result.children",
        {
            "upload-check.n_clicks": 2,
            "upload-agency.value": AGENCY_B,
            "upload-file.contents": contents,
            "upload-file.filename": "results.csv",
        },
        "upload-check.n_clicks",
    )
    assert "not one you work for" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["actions", "contact_points", "closures", "targets"])
def test_every_kind_of_form_opens_new_and_for_an_existing_row(
    app: Any, store: str, kind: str
) -> None:
    browser = Browser(app).sign_in(EDITOR_A)
    context = {"kind": kind, "agency": AGENCY_A}
    response = browser.call(
        "content-modal.is_open...",
        {"content-new.n_clicks": 1, "content-context.data": context},
        "content-new.n_clicks",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text
    assert "(English)" in text and "(Espa" in text  # one field per configured language
    with db.session_scope(store) as session:
        rows = drafts.content_rows(session, agency_id(store, AGENCY_A), kind)
    if not rows:
        return
    row_id = str(rows[0]["id"])
    response = browser.call(
        "content-modal.is_open...",
        {
            '{"row":["ALL"],"type":"content-edit"}.n_clicks': [
                ({"type": "content-edit", "row": row_id}, 1)
            ],
            "content-context.data": context,
        },
        json.dumps({"row": row_id, "type": "content-edit"}, separators=(",", ":")) + ".n_clicks",
    )
    assert response.status_code == 200
    assert "Edit " in response.get_data(as_text=True)


def upload_call(browser: Browser, button: str, clicks: int, csv_text: str, clean: Any) -> Any:
    import base64

    contents = "data:text/csv;base64," + base64.b64encode(csv_text.encode()).decode()
    return browser.call(
        "upload-result.children",
        {
            f"{button}.n_clicks": clicks,
            "upload-agency.value": AGENCY_A,
            "upload-file.contents": contents,
            "upload-file.filename": "results.csv",
            "upload-mapping.value": "none",
            "upload-mapping-file.contents": None,
            "upload-reason.value": "",
            "upload-clean.data": clean,
        },
        f"{button}.n_clicks",
    )


def test_a_clean_file_is_checked_then_saved_as_drafts(app: Any, store: str) -> None:
    from dashboard.infra.models import Observation

    browser = Browser(app).sign_in(EDITOR_A)
    csv_text = "agency,metric,period,value\ndmv,csat_overall,FY2019 Q1,81%\n"
    # Saving without a clean check first is refused.
    response = upload_call(browser, "upload-save", 1, csv_text, None)
    assert "check it again" in response.get_data(as_text=True)
    checked = upload_call(browser, "upload-check", 1, csv_text, None).get_json()
    outputs = checked["response"]
    text = json.dumps(outputs)
    assert "The file is clean" in text, text
    clean = outputs["upload-clean"]["data"]
    assert clean and outputs["upload-save"]["disabled"] is False

    def drafts_count() -> int:
        with db.session_scope(store) as session:
            return (
                session.scalar(
                    select(func.count(Observation.id)).where(Observation.published_at.is_(None))
                )
                or 0
            )

    before = drafts_count()
    saved = upload_call(browser, "upload-save", 1, csv_text, clean).get_data(as_text=True)
    assert "Saved as drafts" in saved, saved
    assert drafts_count() == before + 1
    with db.session_scope(store) as session:
        assert "upload" in set(session.scalars(select(AuditEntry.action)))


def test_public_pages_carry_none_of_the_staff_code(sqlite_url: str) -> None:
    client = make_app(sqlite_url).server.test_client()
    public = client.get("/").get_data(as_text=True)
    # Scripts, and those run after the first chart (factory.dash_after_first_chart).
    scripts = re.findall(r'<script (?:src|type="[^"]+" data-src)="([^"]+)"', public)
    assert scripts and not [src for src in scripts if "dash_bootstrap_components" in src]
    # Not even the names of its components in the page's Dash configuration.
    assert "dash_bootstrap_components" not in public
    assert "/assets/staff/" not in public and "staff.css" not in public
    public_callbacks = json.dumps(client.get("/_dash-dependencies").get_json())
    assert "content-save" not in public_callbacks and "upload-check" not in public_callbacks
    assert client.get("/staff/assets/staff.css").status_code == 200


def test_a_file_in_another_layout_is_read_with_an_uploaded_mapping(app: Any, store: str) -> None:
    """A file in the agency's own layout, with a mapping chosen in the page: checked, then
    saved as a draft figure; a broken mapping is reported by name, and nothing is saved."""
    import base64

    from dashboard.infra.models import Observation

    def data_url(text: str, kind: str) -> str:
        return f"data:{kind};base64," + base64.b64encode(text.encode()).decode()

    mapping = (
        'name = "DMV satisfaction export"\n'
        '[constants]\nagency = "dmv"\n'
        '[columns]\nperiod = "Quarter"\n'
        '[[measures]]\nmetric = "csat_overall"\nvalue = "Share satisfied"\n'
    )
    file_text = "Quarter,Share satisfied\nFY2019 Q2,77%\n"

    def call(button: str, clicks: int, mapping_text: str, clean: Any = None) -> Any:
        return browser.call(
            "upload-result.children",
            {
                f"{button}.n_clicks": clicks,
                "upload-agency.value": AGENCY_A,
                "upload-file.contents": data_url(file_text, "text/csv"),
                "upload-file.filename": "dmv-export.csv",
                "upload-mapping.value": "none",
                "upload-mapping-file.contents": data_url(mapping_text, "application/toml"),
                "upload-mapping-file.filename": "dmv.toml",
                "upload-reason.value": "",
                "upload-clean.data": clean,
            },
            f"{button}.n_clicks",
        )

    def stored() -> int:
        with db.session_scope(store) as session:
            return (
                session.scalar(
                    select(func.count(Observation.id)).where(
                        Observation.period_start == dt.date(2019, 1, 1)
                    )
                )
                or 0
            )

    browser = Browser(app).sign_in(EDITOR_A)
    before = stored()
    broken = call("upload-check", 1, mapping.replace("[[measures]]", "[[measurez]]"))
    assert "dmv.toml" in broken.get_data(as_text=True)
    assert stored() == before
    checked = call("upload-check", 2, mapping).get_json()["response"]
    assert "The file is clean" in json.dumps(checked), checked
    saved = call("upload-save", 1, mapping, checked["upload-clean"]["data"])
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert stored() == before + 1


def test_a_request_body_beyond_any_upload_is_refused_unread(store: str) -> None:
    app = make_app(store, upload_max_mb=1)
    browser = Browser(app).sign_in(EDITOR_A)
    body = b"x" * (6 * 1024 * 1024)
    for path in ("/staff/_dash-update-component", "/_dash-update-component"):
        response = browser.client.post(
            path,
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": browser.token or ""},
        )
        assert response.status_code == 413, (path, response.status_code)


@pytest.mark.parametrize("context", [["actions"], "actions", 7, {"kind": ["actions"]}])
def test_a_context_of_another_shape_opens_nothing(app: Any, context: Any) -> None:
    browser = Browser(app).sign_in(EDITOR_A)
    response = browser.call(
        "content-modal.is_open...",
        {"content-new.n_clicks": 1, "content-context.data": context},
        "content-new.n_clicks",
    )
    assert response.status_code == 204, response.get_data(as_text=True)
