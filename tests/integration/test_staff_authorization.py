"""Authorisation sweep of the staff workspace (issue 10, "Done when": authorisation tests).

Every callback registered on the staff Dash app and every Flask route under /staff/ (and the
/preview/ pages) is called as a member of agency A only, with crafted values that name agency
B (its slug, its units, its rows), the way Dash's renderer sends them. Each call must be a
refusal or a no-op: no table changes (the audit log may only grow), and no text of B's drafts
is in the answer. The same sweep runs signed out and without the CSRF token.

The sweep knows each callback by name (:data:`CASES`): a callback added without an entry fails
:func:`test_every_callback_and_route_has_an_authorisation_case`, so a new callback cannot
ship without its authorisation case. Helpers come from test_staff_callbacks.py.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select, text

from callbacks.staff.upload import fingerprint
from dashboard.core.languages import content_languages
from dashboard.infra import db
from dashboard.infra.models import Action, Base, FeedbackResponse, Observation, Unit
from data import accounts, drafts
from data.drafts import FORM_FIELDS
from tests.integration.test_staff_callbacks import (
    ADMIN,
    AGENCY_A,
    AGENCY_B,
    EDITOR_A,
    EDITOR_B,
    PASSWORD,
    PUBLISHER_A,
    Browser,
    agency_id,
    drafts_version,
    make_app,
    save_action,
)

KINDS = tuple(FORM_FIELDS)  # actions, contact_points, closures, targets
SECRET = "B-DRAFT-SECRET"  # in every draft text of agency B: never in an answer to A
CRAFTED = "CRAFTED-BY-A"  # the text of A's crafted forms
EDITOR_AB = "editor-ab"
UPDATE = "/staff/_dash-update-component"


# --- the store: agency B with drafts of every kind --------------------------------------------


@dataclass
class Target:
    """What the sweep aims at: agency B's ids as the server holds them, and A's own rows (the
    shape of a valid form)."""

    a_units: list[int]
    b_units: list[int]
    a_rows: dict[str, list[dict[str, Any]]]
    b_rows: dict[str, list[dict[str, Any]]]
    b_observations: list[int]
    #: Feedback on B's pages (issue 14), its comments carrying SECRET, and B's actions.
    b_feedback: list[int] = field(default_factory=list)
    b_actions: list[int] = field(default_factory=list)


def with_b_feedback(url: str, b_units: list[int]) -> list[int]:
    """Answers on B's agency page, one with a published excerpt: A may see none of them."""
    now = dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC)
    with db.session_scope(url) as session:
        rows = [
            FeedbackResponse(
                received_at=now,
                page_path=f"/agency/{AGENCY_B}",
                unit_id=b_units[0],
                language="en",
                helpful=number % 2 == 0,
                comment=f"{SECRET} feedback {number}",
                excerpt=f"{SECRET} excerpt" if number == 0 else None,
                excerpt_published_at=now if number == 0 else None,
            )
            for number in range(2)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def units_of(url: str, slug: str) -> list[int]:
    top = agency_id(url, slug)
    with db.session_scope(url) as session:
        ids = {top}
        while True:
            more = set(session.scalars(select(Unit.id).where(Unit.parent_id.in_(ids)))) - ids
            if not more:
                return sorted(ids)
            ids |= more


def rows_of(url: str, slug: str) -> dict[str, list[dict[str, Any]]]:
    with db.session_scope(url) as session:
        found = agency_id(url, slug)
        return {kind: drafts.content_rows(session, found, kind) for kind in KINDS}


def field_states(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """A form's values (content_rows' shape) as the pattern-matching states of the save
    callback, as the renderer sends them."""
    fields, hours = [], []
    for spec in FORM_FIELDS[kind]:
        value = values.get(spec.name)
        if spec.kind == "hours":
            for day, text_ in sorted((value or {}).items()):
                hours.append(({"type": "content-hours", "day": day}, text_))
        elif spec.translated:
            for language in content_languages():
                fields.append(
                    (
                        {"type": "content-field", "name": spec.name, "language": language},
                        (value or {}).get(language, ""),
                    )
                )
        else:
            shown = "" if value is None else value
            if spec.name in ("unit_id", "contact_point_id") and shown != "":
                shown = str(shown)
            fields.append(({"type": "content-field", "name": spec.name, "language": ""}, shown))
    return {
        '{"language":["ALL"],"name":["ALL"],"type":"content-field"}.value': fields,
        '{"day":["ALL"],"type":"content-hours"}.value': hours,
    }


def secret_values(kind: str, row: dict[str, Any], tag: str, marker: str = SECRET) -> dict[str, Any]:
    """``row`` with ``marker`` in every translated text field (a crafted form sends its own
    marker, which a form with problems may show back: that is not B's draft)."""
    values = dict(row)
    for spec in FORM_FIELDS[kind]:
        if spec.translated and spec.kind in ("text", "textarea"):
            values[spec.name] = {lang: f"{marker} {tag} {lang}" for lang in content_languages()}
    return values


def with_b_drafts(app: Any, url: str) -> Target:
    """Agency B gets a draft of every kind (by its own editor, through the callbacks), each
    carrying SECRET, and a draft figure from an upload."""
    editor = Browser(app).sign_in(EDITOR_B)
    response = save_action(editor, AGENCY_B, agency_id(url, AGENCY_B), f"{SECRET} new action")
    assert response.status_code == 200, response.get_data(as_text=True)
    for kind, rows in rows_of(url, AGENCY_B).items():
        published = [r for r in rows if r["state"] == drafts.STATE_PUBLISHED]
        if not published:
            continue
        row = published[0]
        values = {
            **field_states(kind, secret_values(kind, row, kind)),
            "content-save.n_clicks": 1,
            "content-context.data": {"kind": kind, "agency": AGENCY_B},
            "content-editing.data": row["id"],
        }
        call(editor, SAVE, values, "content-save.n_clicks")
    csv_text = f"agency,metric,period,value\n{AGENCY_B},csat_overall,FY2019 Q1,77%\n"
    for button, clean in (("upload-check", None), ("upload-save", "checked")):
        values = upload_values(AGENCY_B, csv_text)
        if clean:
            values["upload-clean.data"] = fingerprint_of(values)
        call(editor, UPLOAD, values, f"{button}.n_clicks")
    b_rows = rows_of(url, AGENCY_B)
    drafted = [
        kind
        for kind, rows in b_rows.items()
        if any(SECRET in json.dumps(r) and r["state"] != drafts.STATE_PUBLISHED for r in rows)
    ]
    assert "actions" in drafted, b_rows["actions"]
    b_units = units_of(url, AGENCY_B)
    with db.session_scope(url) as session:
        observations = list(
            session.scalars(select(Observation.id).where(Observation.unit_id.in_(b_units)))
        )
        actions = list(session.scalars(select(Action.id).where(Action.unit_id.in_(b_units))))
    return Target(
        a_units=units_of(url, AGENCY_A),
        b_units=b_units,
        a_rows=rows_of(url, AGENCY_A),
        b_rows=b_rows,
        b_observations=observations,
        b_feedback=with_b_feedback(url, b_units),
        b_actions=actions,
    )


# --- calling a callback by its key in callback_map -------------------------------------------

NAV = "staff-page.children"
UPLOAD = "..upload-result.children...upload-clean.data...upload-save.disabled...staff-toasts"
SAVE = "..content-form.children@"


def dependency(browser: Browser, output: str) -> dict[str, Any]:
    found = [d for d in browser.dependencies() if d["output"].startswith(output)]
    assert len(found) == 1, (output, [d["output"] for d in found])
    return found[0]


def body_of(dep: dict[str, Any], values: dict[str, Any], triggered: str) -> dict[str, Any]:
    """The body Dash's renderer posts for ``dep`` (as test_staff_callbacks.Browser.call)."""

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
    for part in dep["output"].strip(".").split("..."):
        name, _, prop = part.rpartition(".")
        outputs.append({"id": name, "property": prop.split("@")[0]})
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [spec(i) for i in dep["inputs"]],
        "state": [spec(s) for s in dep["state"]],
        "changedPropIds": [triggered],
    }


def post(browser: Browser, body: dict[str, Any], token: str | bool | None = True) -> Any:
    headers = {}
    if token is True:
        headers["X-CSRFToken"] = browser.token or ""
    elif isinstance(token, str):
        headers["X-CSRFToken"] = token
    return browser.client.post(
        UPDATE, data=json.dumps(body), content_type="application/json", headers=headers
    )


def call(browser: Browser, output: str, values: dict[str, Any], triggered: str) -> Any:
    return post(browser, body_of(dependency(browser, output), values, triggered))


def pattern(component: dict[str, Any], prop: str) -> str:
    return json.dumps(component, separators=(",", ":"), sort_keys=True) + "." + prop


# --- the crafted cases, one builder per registered callback ------------------------------------

Case = tuple[str, dict[str, Any], str]  # (what it tries, values "id.prop" -> value, triggered)


def upload_values(agency: str, csv_text: str) -> dict[str, Any]:
    contents = "data:text/csv;base64," + base64.b64encode(csv_text.encode()).decode()
    return {
        "upload-check.n_clicks": 1,
        "upload-save.n_clicks": 1,
        "upload-agency.value": agency,
        "upload-file.contents": contents,
        "upload-file.filename": "results.csv",
        "upload-mapping.value": "none",
        "upload-mapping-file.contents": None,
        "upload-reason.value": "crafted",
        "upload-clean.data": None,
    }


def fingerprint_of(values: dict[str, Any]) -> str:
    """The "clean" token the check would have returned: anyone can compute it."""
    return fingerprint(
        values["upload-agency.value"],
        values["upload-file.contents"],
        values["upload-file.filename"],
        values["upload-mapping.value"],
        values["upload-mapping-file.contents"],
        values["upload-reason.value"],
    )


STAFF_PAGES = (
    "/staff/",
    "/staff/upload",
    *(f"/staff/content/{kind}" for kind in ("actions", "contact-points", "closures", "targets")),
    "/staff/review",
    "/staff/users",
    "/staff/audit",
    "/staff/feedback",
    "/staff/no-such-page",
)


def page_cases(t: Target) -> list[Case]:
    cases = []
    for path in STAFF_PAGES:
        for search in ("", f"?agency={AGENCY_B}", f"?agency={AGENCY_A}"):
            cases.append(
                (
                    f"page {path}{search}",
                    {"staff-url.pathname": path, "staff-url.search": search},
                    "staff-url.pathname",
                )
            )
    return cases


def file_name_cases(t: Target) -> list[Case]:
    return [("file name", {"upload-file.filename": f"{AGENCY_B}.csv"}, "upload-file.filename")]


def mapping_name_cases(t: Target) -> list[Case]:
    return [
        (
            "mapping name",
            {"upload-mapping-file.filename": "b.toml"},
            "upload-mapping-file.filename",
        )
    ]


def upload_cases(t: Target) -> list[Case]:
    b_file = f"agency,metric,period,value\n{AGENCY_B},csat_overall,FY2019 Q2,12%\n"
    cases: list[Case] = []
    for agency in (AGENCY_B, AGENCY_A):  # B's slug; own slug with B's rows in the file
        for button in ("upload-check", "upload-save"):
            values = upload_values(agency, b_file)
            values["upload-clean.data"] = fingerprint_of(values)
            cases.append((f"{button} {agency} B's file", values, f"{button}.n_clicks"))
    return cases


def some(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A draft and a published row (the sweep aims at a few of B's rows of each kind)."""
    drafted = [r for r in rows if r["state"] != drafts.STATE_PUBLISHED and SECRET in str(r)][:1]
    published = [r for r in rows if r["state"] == drafts.STATE_PUBLISHED][:1]
    return drafted + published


def b_row_ids(t: Target, kind: str) -> list[int]:
    return [row["id"] for row in some(t.b_rows[kind])]


def open_form_cases(t: Target) -> list[Case]:
    cases: list[Case] = []
    for kind in KINDS:
        context_b = {"kind": kind, "agency": AGENCY_B}
        cases.append(
            (
                f"new {kind} for B",
                {"content-new.n_clicks": 1, "content-context.data": context_b},
                "content-new.n_clicks",
            )
        )
        for row_id in b_row_ids(t, kind):
            edit = {"type": "content-edit", "row": str(row_id)}
            for agency in (AGENCY_A, AGENCY_B):
                cases.append(
                    (
                        f"edit {kind} {row_id} of B as {agency}",
                        {
                            '{"row":["ALL"],"type":"content-edit"}.n_clicks': [(edit, 1)],
                            "content-context.data": {"kind": kind, "agency": agency},
                        },
                        pattern(edit, "n_clicks"),
                    )
                )
    return cases


def close_form_cases(t: Target) -> list[Case]:
    return [("cancel", {"content-cancel.n_clicks": 1}, "content-cancel.n_clicks")]


def save_cases(t: Target) -> list[Case]:
    cases: list[Case] = []

    def case(what: str, kind: str, agency: str, values: dict[str, Any], editing: Any) -> None:
        cases.append(
            (
                f"save {kind}: {what}",
                {
                    **field_states(kind, values),
                    "content-save.n_clicks": 1,
                    "content-context.data": {"kind": kind, "agency": agency},
                    "content-editing.data": editing,
                },
                "content-save.n_clicks",
            )
        )

    for kind in KINDS:
        mine = t.a_rows[kind] or t.b_rows[kind]
        if not mine:
            continue
        own = secret_values(kind, mine[0], "crafted", CRAFTED)
        on_b = {**own, "unit_id": t.b_units[0]}
        case("new for B", kind, AGENCY_B, on_b, None)
        for b_unit in t.b_units[:3]:  # own slug, a unit of B
            case(f"new on B's unit {b_unit}", kind, AGENCY_A, {**own, "unit_id": b_unit}, None)
        for row in some(t.b_rows[kind]):
            values = secret_values(kind, row, "crafted", CRAFTED)
            case(f"B's row {row['id']} under B", kind, AGENCY_B, values, row["id"])
            case(f"B's row {row['id']} under A", kind, AGENCY_A, values, row["id"])
            case(f"B's row {row['id']}, A's unit", kind, AGENCY_A, {**own}, row["id"])
        for row in t.a_rows[kind][:2]:  # move A's own row to B's unit
            values = {**secret_values(kind, row, "moved", CRAFTED), "unit_id": t.b_units[0]}
            case(f"A's row {row['id']} moved to B", kind, AGENCY_A, values, row["id"])
        if kind == "closures":  # A's closure of one of B's contact points
            for point in some(t.b_rows["contact_points"]):
                values = {**own, "contact_point_id": point["id"]}
                case(f"closure of B's contact point {point['id']}", kind, AGENCY_A, values, None)
    return cases


def discard_cases(t: Target) -> list[Case]:
    cases: list[Case] = []
    for kind in KINDS:
        for row_id in b_row_ids(t, kind):
            discard = {"type": "content-discard", "row": str(row_id)}
            for agency in (AGENCY_A, AGENCY_B):
                cases.append(
                    (
                        f"discard {kind} {row_id} of B as {agency}",
                        {
                            '{"row":["ALL"],"type":"content-discard"}.n_clicks': [(discard, 1)],
                            "content-context.data": {"kind": kind, "agency": agency},
                        },
                        pattern(discard, "n_clicks"),
                    )
                )
    return cases


def review_modal_cases(t: Target) -> list[Case]:
    cases: list[Case] = []
    for which in ("review-publish", "review-send-back", "review-submit"):
        button = {"type": which, "agency": AGENCY_B}
        cases.append(
            (
                f"open {which} for B",
                {f'{{"agency":["ALL"],"type":"{which}"}}.n_clicks': [(button, 1)]},
                pattern(button, "n_clicks"),
            )
        )
        cases.append(
            (
                f"cancel {which}",
                {f"{which}-modal-cancel.n_clicks": 1},
                f"{which}-modal-cancel.n_clicks",
            )
        )
    return cases


def review_confirm_cases(t: Target) -> list[Case]:
    return [
        (
            f"{button} for B",
            {
                f"{button}.n_clicks": 1,
                "review-agency.data": AGENCY_B,
                "review-publish-note.value": "crafted",
                "review-send-back-comment.value": "crafted comment",
                "review-submit-comment.value": "crafted comment",
            },
            f"{button}.n_clicks",
        )
        for button in (
            "review-publish-confirm",
            "review-send-back-confirm",
            "review-submit-confirm",
        )
    ]


def users_cases(t: Target) -> list[Case]:
    base = {
        "users-add-username.value": "crafted-admin",
        "users-add-display-name.value": "Crafted",
        "users-add-email.value": "",
        "users-add-password.value": PASSWORD,
        "users-add-role.value": "admin",
        "users-add-all.value": ["all"],
        "users-add-agencies.value": [AGENCY_B],
        "users-change-role.value": "admin",
        "users-change-all.value": ["all"],
        "users-change-agencies.value": [AGENCY_A, AGENCY_B],
    }
    cases: list[Case] = [("add an admin", {**base, "users-add.n_clicks": 1}, "users-add.n_clicks")]
    for who in (EDITOR_A, PUBLISHER_A, EDITOR_B, ADMIN):
        for button in ("users-change", "users-disable", "users-enable"):
            cases.append(
                (
                    f"{button} {who}",
                    {**base, "users-change-username.value": who, f"{button}.n_clicks": 1},
                    f"{button}.n_clicks",
                )
            )
    return cases


def audit_cases(t: Target) -> list[Case]:
    values = {
        "audit-action.value": None,
        "audit-username.value": EDITOR_B,
        "audit-since.value": None,
        "audit-until.value": None,
        "audit-page.active_page": 1,
    }
    return [
        ("audit filter", values, "audit-username.value"),
        ("audit page", {**values, "audit-page.active_page": 2}, "audit-page.active_page"),
    ]


FEEDBACK_FILTERS = {
    "feedback-path.value": None,
    "feedback-helpful.value": "any",
    "feedback-reason.value": "any",
    "feedback-status.value": "any",
    "feedback-since.value": None,
    "feedback-until.value": None,
    "feedback-has-comment.value": "any",
    "feedback-page.active_page": 1,
    "feedback-changed.data": 0,
}


def feedback_list_cases(t: Target) -> list[Case]:
    cases: list[Case] = []
    for agency in (AGENCY_B, "site-wide", "any"):
        values = {**FEEDBACK_FILTERS, "feedback-agency.value": agency}
        cases.append((f"feedback of {agency}", values, "feedback-agency.value"))
        values = {**values, "feedback-path.value": f"/agency/{AGENCY_B}"}
        cases.append((f"feedback of {agency}, B's page", values, "feedback-path.value"))
    return cases


def feedback_open_cases(t: Target) -> list[Case]:
    cases: list[Case] = []
    for response in t.b_feedback:
        button = {"type": "feedback-open", "response": response}
        cases.append(
            (
                f"open B's feedback {response}",
                {'{"response":["ALL"],"type":"feedback-open"}.n_clicks': [(button, 1)]},
                pattern(button, "n_clicks"),
            )
        )
    return cases


def feedback_change_cases(t: Target) -> list[Case]:
    cases: list[Case] = []
    for response in t.b_feedback:
        for change in ("read", "actioned", "link", "excerpt", "publish", "withdraw"):
            button = {"type": "feedback-do", "do": change, "response": response}
            action = {"type": "feedback-action", "response": response}
            excerpt = {"type": "feedback-excerpt", "response": response}
            cases.append(
                (
                    f"{change} B's feedback {response}",
                    {
                        '{"do":["ALL"],"response":["ALL"],"type":"feedback-do"}.n_clicks': [
                            (button, 1)
                        ],
                        '{"response":["ALL"],"type":"feedback-action"}.value': [
                            (action, t.b_actions[0] if t.b_actions else None)
                        ],
                        '{"response":["ALL"],"type":"feedback-excerpt"}.value': [
                            (excerpt, CRAFTED)
                        ],
                        "feedback-changed.data": 0,
                    },
                    pattern(button, "n_clicks"),
                )
            )
    return cases


#: Every staff callback, by module and name -> its crafted cases. A callback added to the staff
#: app without a line here fails test_every_callback_and_route_has_an_authorisation_case.
CASES: dict[str, Callable[[Target], list[Case]]] = {
    "callbacks.staff.navigation.show_page": page_cases,
    "callbacks.staff.upload.show_file_name": file_name_cases,
    "callbacks.staff.upload.show_mapping_name": mapping_name_cases,
    "callbacks.staff.upload.check_or_save": upload_cases,
    "callbacks.staff.content.open_form": open_form_cases,
    "callbacks.staff.content.close_form": close_form_cases,
    "callbacks.staff.content.save": save_cases,
    "callbacks.staff.content.discard": discard_cases,
    "callbacks.staff.review.open_or_close": review_modal_cases,
    "callbacks.staff.review.confirm": review_confirm_cases,
    "callbacks.staff.users.change": users_cases,
    "callbacks.staff.audit.show": audit_cases,
    "callbacks.staff.feedback.show": feedback_list_cases,
    "callbacks.staff.feedback.open_response": feedback_open_cases,
    "callbacks.staff.feedback.change": feedback_change_cases,
}

#: Every Flask rule under /staff/ (rule, methods) -> how the sweep exercises it.
STAFF_RULES = {
    ("/staff/", "GET"): "GET as A: the staff index",
    ("/staff/<path:path>", "GET"): "GET every page, with ?agency=B",
    ("/staff/_dash-layout", "GET"): "GET as A",
    ("/staff/_dash-dependencies", "GET"): "GET as A",
    ("/staff/_dash-update-component", "POST"): "every callback, CASES",
    ("/staff/_reload-hash", "GET"): "GET as A",
    ("/staff/_favicon.ico", "GET"): "GET as A",
    ("/staff/assets/<path:filename>", "GET"): "static files: GET staff.css",
    (
        "/staff/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        "GET",
    ): "static scripts (no data)",
    ("/staff/audit.csv", "GET"): "GET as A: 404",
    ("/staff/feedback.csv", "GET"): "GET as A with ?agency=B: 403, none of B's feedback",
    ("/staff/sign-in", "GET"): "GET as A",
    ("/staff/sign-in", "POST"): "signed-out / token-less sweep",
    ("/staff/sign-out", "POST"): "token-less sweep",
}


def callbacks_of(staff_app: Any) -> dict[str, str]:
    """callback_map key -> module.name of the function, for every registered callback."""
    named = {}
    for key, entry in staff_app.callback_map.items():
        function = entry["callback"]
        named[key] = f"{function.__module__}.{function.__name__}"
    return named


# --- fixtures -----------------------------------------------------------------------------


@dataclass
class World:
    url: str
    app: Any  # the public Dash app (its server carries both)
    staff_app: Any
    target: Target


@pytest.fixture
def world(demo_copy_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from dashboard.web import staff_app as staff_module

    url = demo_copy_url
    with db.session_scope(url) as session:
        accounts.create_user(session, EDITOR_A, "editor", password=PASSWORD, agencies=[AGENCY_A])
        accounts.create_user(session, EDITOR_B, "editor", password=PASSWORD, agencies=[AGENCY_B])
        accounts.create_user(
            session, PUBLISHER_A, "publisher", password=PASSWORD, agencies=[AGENCY_A]
        )
        accounts.create_user(
            session, EDITOR_AB, "editor", password=PASSWORD, agencies=[AGENCY_A, AGENCY_B]
        )
        accounts.create_user(session, ADMIN, "admin", password=PASSWORD)
    made: list[Any] = []
    original = staff_module.create_staff_app

    def capture(server: Any, settings: Any) -> Any:
        made.append(original(server, settings))
        return made[-1]

    monkeypatch.setattr(staff_module, "create_staff_app", capture)
    app = make_app(url)
    (staff_app,) = made
    yield World(url, app, staff_app, with_b_drafts(app, url))


# --- the snapshot: nothing changed -------------------------------------------------------------


#: Logs: a refused request may add to them (the audit log's refusal entries; a refused
#: upload's failed import run), never change or remove what they hold.
LOGS = ("audit_log", "imports")


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, tuple[int, str]]  # every table: (rows, content hash); logs up to a point


def snapshot(url: str, upto: dict[str, int]) -> Snapshot:
    tables = {}
    with db.get_engine(url).connect() as connection:
        for table in Base.metadata.sorted_tables:
            order = ", ".join(c.name for c in table.primary_key.columns) or "1"
            where = f"WHERE id <= {int(upto[table.name])}" if table.name in upto else ""
            query = f"SELECT * FROM {table.name} {where} ORDER BY {order}"
            rows = connection.execute(text(query)).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            tables[table.name] = (len(rows), digest)
    return Snapshot(tables)


def log_ends(url: str) -> dict[str, int]:
    with db.get_engine(url).connect() as connection:
        return {
            name: int(connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {name}")).scalar())
            for name in LOGS
        }


class Unchanged:
    """``with Unchanged(url, what):`` fails when any table changed, but for entries added to
    the logs; an import run added must have brought nothing in."""

    def __init__(self, url: str, what: str) -> None:
        self.url, self.what = url, what

    def __enter__(self) -> Unchanged:
        self.upto = log_ends(self.url)
        self.before = snapshot(self.url, self.upto)
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is not None:
            return
        after = snapshot(self.url, self.upto)
        changed = [
            name for name in self.before.tables if self.before.tables[name] != after.tables[name]
        ]
        assert not changed, f"{self.what}: changed {changed}"
        with db.get_engine(self.url).connect() as connection:
            added = connection.execute(
                text("SELECT status, rows_inserted, rows_revised FROM imports WHERE id > :upto"),
                {"upto": self.upto["imports"]},
            ).all()
        assert all(row[1] == 0 and row[2] == 0 for row in added), (self.what, added)


def assert_no_b_draft(response: Any, what: str) -> None:
    assert SECRET.encode() not in response.get_data(), f"{what}: B's draft text in the answer"


# --- the sweep ---------------------------------------------------------------------------------


def every_case(world: World, browser: Browser) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Callback name -> (what it tries, the request body) of each crafted case."""
    named = callbacks_of(world.staff_app)
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, name in sorted(named.items(), key=lambda item: item[1]):
        dep = next(d for d in browser.dependencies() if d["output"] == key)
        found[name] = [
            (what, body_of(dep, values, triggered))
            for what, values, triggered in CASES[name](world.target)
        ]
    return found


def counts(url: str) -> dict[str, int]:
    """Rows of every table but the audit log (cheap: checked after every single call)."""
    with db.get_engine(url).connect() as connection:
        return {
            table.name: int(connection.execute(text(f"SELECT COUNT(*) FROM {table.name}")).scalar())
            for table in Base.metadata.sorted_tables
            if table.name not in LOGS
        }


def sweep(
    world: World,
    groups: dict[str, list[tuple[str, dict[str, Any]]]],
    send: Callable[[dict[str, Any]], Any],
    check: Callable[[Any, str], None],
    *,
    per_call: bool = True,
) -> int:
    """Send every case; per call the row counts stay, per callback the whole content stays
    (and the audit log only grows). ``per_call=False``: only the answers are checked here,
    for requests refused before any callback runs (the caller checks the store once)."""
    sent = 0
    for name, cases in groups.items():
        with Unchanged(world.url, name) if per_call else contextlib.nullcontext():
            for what, body in cases:
                label = f"{name}: {what}"
                before = counts(world.url) if per_call else None
                response = send(body)
                check(response, label)
                assert_no_b_draft(response, label)
                if per_call:
                    assert counts(world.url) == before, label
                sent += 1
    return sent


def test_every_callback_and_route_has_an_authorisation_case(world: World) -> None:
    Browser(world.app).sign_in(EDITOR_A).page("/staff/")  # Dash fills callback_map
    named = callbacks_of(world.staff_app)
    assert len(set(named.values())) == len(named)
    assert set(named.values()) == set(CASES), (
        "every staff callback needs its authorisation case in CASES (and no stale ones)"
    )
    for name, builder in CASES.items():
        assert builder(world.target), name
    rules = {
        (rule.rule, method)
        for rule in world.app.server.url_map.iter_rules()
        if rule.rule.startswith(("/staff", "/preview"))
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert rules == set(STAFF_RULES), "a new /staff/ or /preview/ route needs its case here"
    # B has drafts of its own and rows of each kind to aim at
    assert world.target.b_rows["actions"] and world.target.b_observations


@pytest.mark.parametrize("who", [EDITOR_A, PUBLISHER_A])
def test_a_member_of_a_cannot_reach_b_through_any_callback(world: World, who: str) -> None:
    browser = Browser(world.app).sign_in(who)

    def refused_or_nothing(response: Any, label: str) -> None:
        assert response.status_code in (200, 204), (label, response.get_data(as_text=True))

    count = sweep(world, every_case(world, browser), lambda b: post(browser, b), refused_or_nothing)
    assert count > 50
    # The member's own agency still works (the refusals above are not a broken app).
    assert save_action(browser, AGENCY_A, agency_id(world.url, AGENCY_A), "Own").status_code == 200
    rows = rows_of(world.url, AGENCY_A)["actions"]
    assert [r for r in rows if r["title"].get("en") == "Own"]


def test_the_sweep_sees_what_a_member_of_b_may_do(world: World) -> None:
    """A control: the same cases sent by an editor of A and B do reach B (a draft shows or a
    row changes), so the sweep above would see a missing check."""
    member = Browser(world.app).sign_in(EDITOR_AB)
    groups = every_case(world, member)
    for name in (
        "callbacks.staff.content.save",
        "callbacks.staff.content.open_form",
        "callbacks.staff.feedback.show",
        "callbacks.staff.feedback.open_response",
        "callbacks.staff.feedback.change",
    ):
        with pytest.raises(AssertionError, match=name):
            sweep(world, {name: groups[name]}, lambda b: post(member, b), lambda r, label: None)


def test_signed_out_and_token_less_callbacks_change_nothing(world: World) -> None:
    member = Browser(world.app).sign_in(EDITOR_AB)  # B's own editor: every case would work
    token = member.token
    groups = every_case(world, member)

    def status(expected: tuple[int, ...]) -> Callable[[Any, str], None]:
        def check(response: Any, label: str) -> None:
            assert response.status_code in expected, (label, response.status_code)

        return check

    # Refused at the door, before any callback runs: one look at the whole store, before
    # and after all of them, proves nothing changed (a change would still be there).
    with Unchanged(world.url, "callbacks without a valid token, or signed out"):
        for sent in (None, "not-the-token", "x" * 43):
            sweep(
                world,
                groups,
                lambda b, sent=sent: post(member, b, token=sent),
                status((400,)),
                per_call=False,
            )
        member.client.delete_cookie("cxdash_session")
        stranger = Browser(world.app)  # never signed in
        for client, sent in ((member, token), (stranger, None), (stranger, token)):
            sweep(
                world,
                groups,
                lambda b, client=client, sent=sent: post(client, b, token=sent),
                status((400, 401)),
                per_call=False,
            )
    # The form posts: signed out or without the token, refused.
    with Unchanged(world.url, "sign-in/out posts"):
        form = {"username": EDITOR_B, "password": PASSWORD}
        assert stranger.client.post("/staff/sign-in", data=form).status_code == 400
        assert stranger.client.post("/staff/sign-out", data={}).status_code in (400, 401)


def test_pages_routes_and_previews_show_nothing_of_b(world: World) -> None:
    browser = Browser(world.app).sign_in(EDITOR_A)
    client = browser.client
    paths = [
        *STAFF_PAGES,
        *(f"{path}?agency={AGENCY_B}" for path in STAFF_PAGES),
        "/staff",
        "/staff/_dash-layout",
        "/staff/_dash-dependencies",
        "/staff/_reload-hash",
        "/staff/_favicon.ico",
        "/staff/assets/staff.css",
        "/staff/sign-in",
    ]
    with Unchanged(world.url, "GET /staff/"):
        for path in paths:
            response = client.get(path)
            assert response.status_code in (200, 303, 308, 404), (path, response.status_code)
            assert_no_b_draft(response, path)
        assert client.get("/staff/audit.csv").status_code == 404
        # B's feedback: refused when asked for by name, absent from A's own export.
        for query, expected in ((f"?agency={AGENCY_B}", 403), ("", 200), ("?agency=any", 200)):
            response = client.get(f"/staff/feedback.csv{query}")
            assert response.status_code == expected, (query, response.status_code)
            assert_no_b_draft(response, f"feedback.csv{query}")
        # B's preview: the ordinary 404, nothing of B's drafts.
        with db.session_scope(world.url) as session:
            slugs = [session.get(Unit, unit).slug for unit in world.target.b_units[:4]]
        for slug in slugs:
            for path in (f"/preview/agency/{AGENCY_B}", f"/preview/agency/{AGENCY_B}/{slug}"):
                response = client.get(path)
                assert response.status_code == 404, path
                assert_no_b_draft(response, path)
        # A's own preview works and holds nothing of B's drafts.
        own = client.get(f"/preview/agency/{AGENCY_A}")
        assert own.status_code == 200
        assert_no_b_draft(own, "A's preview")
        # The public router callback, asked for B's preview page: nothing of B's drafts.
        for response in router_answers(client, f"/preview/agency/{AGENCY_B}"):
            assert_no_b_draft(response, "public router on B's preview")
    # The same call by B's own editor shows B's drafts: the check above can see a leak.
    own_b = Browser(world.app).sign_in(EDITOR_B).client
    assert any(
        SECRET.encode() in response.get_data()
        for response in router_answers(own_b, f"/preview/agency/{AGENCY_B}")
    )


def router_answers(client: Any, path: str) -> list[Any]:
    """The public app's callbacks that draw a page for a pathname, called for ``path``."""
    public = client.get("/_dash-dependencies").get_json()
    router = [
        d
        for d in public
        if "staff" not in d["output"] and any(i["property"] == "pathname" for i in d["inputs"])
    ]
    assert router
    answers = []
    for dep in router:
        values = {f"{i['id']}.{i['property']}": None for i in dep["inputs"] + dep["state"]}
        for item in dep["inputs"]:
            if item["property"] == "pathname":
                values[f"{item['id']}.pathname"] = path
            if item["property"] == "search":
                values[f"{item['id']}.search"] = ""
        trigger = next(i for i in dep["inputs"] if i["property"] == "pathname")
        body = body_of(dep, values, f"{trigger['id']}.pathname")
        answers.append(
            client.post(
                "/_dash-update-component", data=json.dumps(body), content_type="application/json"
            )
        )
    return answers


# --- role changes apply at once ----------------------------------------------------------------


def new_action_for_b(browser: Browser, url: str) -> Any:
    return save_action(browser, AGENCY_B, agency_id(url, AGENCY_B), "After the change")


def test_a_role_change_applies_to_the_very_next_callback(world: World) -> None:
    member = Browser(world.app).sign_in(EDITOR_AB)
    context = {"kind": "actions", "agency": AGENCY_B}
    opened = call(
        member,
        "..content-modal.is_open...",
        {"content-new.n_clicks": 1, "content-context.data": context},
        "content-new.n_clicks",
    )
    assert "New " in opened.get_data(as_text=True)  # B is theirs for now
    admin = Browser(world.app).sign_in(ADMIN)
    response = admin.call(
        "users-message.children",
        {
            "users-change.n_clicks": 1,
            "users-change-username.value": EDITOR_AB,
            "users-change-role.value": "editor",
            "users-change-all.value": [],
            "users-change-agencies.value": [AGENCY_A],
        },
        "users-change.n_clicks",
    )
    assert "changed" in response.get_data(as_text=True)
    with Unchanged(world.url, "after losing B"):
        opened = call(
            member,
            "..content-modal.is_open...",
            {"content-new.n_clicks": 2, "content-context.data": context},
            "content-new.n_clicks",
        )
        assert "not one you work for" in opened.get_data(as_text=True)
        refused = new_action_for_b(member, world.url)
        assert "not one you work for" in refused.get_data(as_text=True)
        page = member.page("/staff/content/actions", f"?agency={AGENCY_B}")
        assert "not one you work for" in page.get_data(as_text=True)
        assert_no_b_draft(page, "page after losing B")
        assert member.client.get(f"/preview/agency/{AGENCY_B}").status_code == 404
    # Still A's editor, in the same session.
    own = save_action(member, AGENCY_A, agency_id(world.url, AGENCY_A), "Still mine")
    assert "not one you work for" not in own.get_data(as_text=True)


def test_a_lost_publisher_right_applies_at_once(world: World) -> None:
    publisher = Browser(world.app).sign_in(PUBLISHER_A)
    with db.session_scope(world.url) as session:
        accounts.set_role(session, PUBLISHER_A, "editor", agencies=[AGENCY_A])
    with Unchanged(world.url, "publish after losing the role"):
        response = publisher.call(
            "review-message.children",
            {
                "review-publish-confirm.n_clicks": 1,
                "review-agency.data": AGENCY_A,
                "review-version.data": drafts_version(publisher, AGENCY_A),
                "review-publish-note.value": "",
            },
            "review-publish-confirm.n_clicks",
        )
        assert "Only a publisher" in response.get_data(as_text=True)


def test_a_disabled_member_is_refused_on_the_next_request(world: World) -> None:
    member = Browser(world.app).sign_in(EDITOR_AB)
    token = member.token
    member.dependencies()  # loaded while signed in, as an open page has them
    admin = Browser(world.app).sign_in(ADMIN)
    response = admin.call(
        "users-message.children",
        {"users-disable.n_clicks": 1, "users-change-username.value": EDITOR_AB},
        "users-disable.n_clicks",
    )
    assert "disabled" in response.get_data(as_text=True)
    with Unchanged(world.url, "after being disabled"):
        for agency in (AGENCY_A, AGENCY_B):
            refused = save_action(
                member, agency, agency_id(world.url, agency), "Disabled", token=token
            )
            assert refused.status_code in (400, 401), refused.get_data(as_text=True)
        assert member.client.get("/staff/").status_code == 302
        assert member.client.get(f"/preview/agency/{AGENCY_A}").status_code == 302
