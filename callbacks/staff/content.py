"""Actions, contact points, closures and targets: the table, the form, save and discard.

Each call checks again who is signed in and, through dashboard.web.staff_actions, that the
agency is theirs and the row is the agency's: the browser's ids are never trusted alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.staff.common import settings_of, signed_in
from dashboard.core.languages import content_languages
from dashboard.core.settings import Settings
from dashboard.web import staff_actions
from dashboard.web.staff_actions import StaffRefused
from dashboard.web.staff_app import StaffRoute
from data.accounts import StaffMember
from data.drafts import FORM_FIELDS
from data.drafts.forms import WHAT, field_choices
from layouts.staff import content, shell


def render(
    settings: Settings, staff: StaffMember, route: StaffRoute, query: Callable[[str], str | None]
) -> list:
    kind = staff_actions.CONTENT_KINDS[route.kind or "actions"]
    agencies = staff_actions.agencies(settings, staff)
    if not agencies:
        raise StaffRefused("You are not assigned to any agency yet; ask an administrator.")
    slug = query("agency") or agencies[0].slug
    page = staff_actions.content_page(settings, staff, slug, kind)
    return content.layout(
        title=staff_actions.CONTENT_TITLES[kind],
        kind=kind,
        agencies=[(a.slug, a.name) for a in agencies],
        agency_slug=page.agency.slug,
        rows=page.rows,
    )


def form_for(
    page: staff_actions.ContentPage,
    values: dict[str, Any],
    problems: tuple[dict[str, Any], ...] = (),
    summary: str | None = None,
) -> list:
    specs = FORM_FIELDS[page.kind]
    choices = {spec.name: field_choices(page.kind, spec, page.options) for spec in specs}
    return content.form(
        kind=page.kind,
        specs=specs,
        choices=choices,
        values=values,
        languages=content_languages(),
        problems=problems,
        summary=summary,
    )


def form_values(kind: str, states: list[Any]) -> dict[str, Any]:
    """The form's values in data.drafts' shape, from the pattern-matching states."""
    translated = {spec.name for spec in FORM_FIELDS[kind] if spec.translated}
    values: dict[str, Any] = {}
    hours: dict[str, str] = {}
    for group in states:
        for item in group if isinstance(group, list) else [group]:
            component = item.get("id")
            if not isinstance(component, dict):
                continue
            value = item.get("value")
            if component.get("type") == content.HOURS:
                hours[str(component.get("day"))] = str(value or "")
            elif component.get("type") == content.FIELD:
                name, language = str(component.get("name")), str(component.get("language") or "")
                if name in translated:
                    values.setdefault(name, {})[language] = value or ""
                else:
                    values[name] = "" if value == content.NONE else value
    if hours:
        values["hours"] = hours
    return values


def _context(context: Any) -> tuple[str, str | None]:
    """(kind, agency slug) of the page's context store; a crafted body of another shape
    names nothing (then no form opens and nothing is saved)."""
    if not isinstance(context, dict):
        raise PreventUpdate
    kind, slug = context.get("kind", ""), context.get("agency")
    return str(kind), slug if isinstance(slug, str) else None


def _row_id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def register(app: Dash) -> None:
    settings = settings_of(app)

    @app.callback(
        Output("content-modal", "is_open"),
        Output("content-form", "children"),
        Output("content-modal-title", "children"),
        Output("content-editing", "data"),
        Input("content-new", "n_clicks"),
        Input({"type": "content-edit", "row": ALL}, "n_clicks"),
        State("content-context", "data"),
        prevent_initial_call=True,
    )
    def open_form(_new: int, _edits: list[int], context: dict[str, str]) -> tuple:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate  # buttons drawn anew, not clicked
        staff = signed_in()
        kind, slug = _context(context)
        if kind not in FORM_FIELDS:
            raise PreventUpdate
        try:
            page = staff_actions.content_page(settings, staff, slug, kind)
        except StaffRefused as refusal:
            return True, [shell.problem(refusal.message)], "Not available", None
        trigger = ctx.triggered_id
        if isinstance(trigger, dict):
            row_id = _row_id(trigger.get("row"))
            row = next((r for r in page.rows if r["id"] == row_id), None)
            if row is None:  # not this agency's row: the server found nothing to edit
                return True, [shell.problem(staff_actions.NOT_YOURS)], "Not available", None
            return True, form_for(page, row), f"Edit {WHAT[kind]}", row_id
        return True, form_for(page, {}), f"New {WHAT[kind]}", None

    @app.callback(
        Output("content-modal", "is_open", allow_duplicate=True),
        Input("content-cancel", "n_clicks"),
        prevent_initial_call=True,
    )
    def close_form(clicks: int) -> bool:
        if not clicks:
            raise PreventUpdate
        return False

    @app.callback(
        Output("content-form", "children", allow_duplicate=True),
        Output("content-modal", "is_open", allow_duplicate=True),
        Output("content-rows", "children"),
        Output("staff-toasts", "children", allow_duplicate=True),
        Output("content-editing", "data", allow_duplicate=True),
        Input("content-save", "n_clicks"),
        State({"type": content.FIELD, "name": ALL, "language": ALL}, "value"),
        State({"type": content.HOURS, "day": ALL}, "value"),
        State("content-context", "data"),
        State("content-editing", "data"),
        prevent_initial_call=True,
    )
    def save(
        clicks: int, _fields: list, _hours: list, context: dict[str, str], editing: Any
    ) -> tuple:
        if not clicks:
            raise PreventUpdate
        staff = signed_in()
        kind, slug = _context(context)
        if kind not in FORM_FIELDS:
            raise PreventUpdate
        values = form_values(kind, ctx.states_list[:2])
        row_id = _row_id(editing)
        try:
            outcome = staff_actions.save_content(settings, staff, slug, kind, values, row_id)
            page = staff_actions.content_page(settings, staff, slug, kind)
        except StaffRefused as refusal:
            return (
                [shell.problem(refusal.message)],
                True,
                no_update,
                shell.toast(refusal.message, ok=False, key=clicks),
                no_update,
            )
        if not outcome.ok:
            return (
                form_for(page, values, outcome.problems, outcome.message),
                True,
                no_update,
                no_update,
                no_update,
            )
        return (
            no_update,
            False,
            content.rows_table(kind, page.rows),
            shell.toast(outcome.message, ok=True, key=clicks),
            None,
        )

    @app.callback(
        Output("content-rows", "children", allow_duplicate=True),
        Output("staff-toasts", "children", allow_duplicate=True),
        Input({"type": "content-discard", "row": ALL}, "n_clicks"),
        State("content-context", "data"),
        prevent_initial_call=True,
    )
    def discard(_clicks: list[int], context: dict[str, str]) -> tuple:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        staff = signed_in()
        kind, slug = _context(context)
        trigger = ctx.triggered_id
        row_id = _row_id(trigger.get("row")) if isinstance(trigger, dict) else None
        if kind not in FORM_FIELDS or row_id is None:
            raise PreventUpdate
        try:
            outcome = staff_actions.discard_content(settings, staff, slug, kind, row_id)
            page = staff_actions.content_page(settings, staff, slug, kind)
        except StaffRefused as refusal:
            return no_update, shell.toast(refusal.message, ok=False, key=f"d{row_id}")
        return (
            content.rows_table(kind, page.rows),
            shell.toast(outcome.message, ok=outcome.ok, key=f"d{row_id}"),
        )
