"""Upload a results file: check it (dry run) and show the report, then save it as drafts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.staff.common import settings_of, signed_in
from dashboard.core.settings import Settings
from dashboard.web import staff_actions
from dashboard.web.staff_actions import StaffRefused
from dashboard.web.staff_app import StaffRoute
from data.accounts import StaffMember
from layouts.staff import shell, upload


def render(
    settings: Settings, staff: StaffMember, route: StaffRoute, query: Callable[[str], str | None]
) -> list:
    agencies = [(a.slug, a.name) for a in staff_actions.agencies(settings, staff)]
    if not agencies:
        raise StaffRefused("You are not assigned to any agency yet; ask an administrator.")
    return upload.layout(
        agencies, query("agency"), staff_actions.shipped_mappings(), settings.upload_max_mb
    )


def fingerprint(*parts: Any) -> str:
    """What was checked: saving is offered only for exactly the file and choices checked."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def register(app: Dash) -> None:
    settings = settings_of(app)

    @app.callback(
        Output("upload-file-name", "children"),
        Input("upload-file", "filename"),
    )
    def show_file_name(name: str | None) -> str:
        return upload.file_name_text(name)

    @app.callback(
        Output("upload-mapping-name", "children"),
        Input("upload-mapping-file", "filename"),
    )
    def show_mapping_name(name: str | None) -> str:
        return f"Chosen: {name}" if name else "No mapping file chosen."

    @app.callback(
        Output("upload-result", "children"),
        Output("upload-clean", "data"),
        Output("upload-save", "disabled"),
        Output("staff-toasts", "children", allow_duplicate=True),
        Input("upload-check", "n_clicks"),
        Input("upload-save", "n_clicks"),
        State("upload-agency", "value"),
        State("upload-file", "contents"),
        State("upload-file", "filename"),
        State("upload-mapping", "value"),
        State("upload-mapping-file", "contents"),
        State("upload-mapping-file", "filename"),
        State("upload-reason", "value"),
        State("upload-clean", "data"),
        prevent_initial_call=True,
    )
    def check_or_save(
        _check: int,
        _save: int,
        agency: str | None,
        contents: str | None,
        file_name: str | None,
        mapping: str | None,
        mapping_contents: str | None,
        mapping_file_name: str | None,
        reason: str | None,
        clean: str | None,
    ) -> tuple[Any, Any, bool, Any]:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate  # the buttons were drawn, not clicked
        staff = signed_in()
        saving = ctx.triggered_id == "upload-save"
        checked = fingerprint(agency, contents, file_name, mapping, mapping_contents, reason)
        if saving and clean != checked:
            message = "The file or its choices changed since the check: check it again."
            return (
                upload.result(ok=False, dry_run=True, message=message, problems=(), counts={}),
                None,
                True,
                no_update,
            )
        if not contents:
            message = "Choose a results file first."
            return (
                upload.result(ok=False, dry_run=True, message=message, problems=(), counts={}),
                None,
                True,
                no_update,
            )
        try:
            report = staff_actions.upload_results(
                settings,
                staff,
                agency_slug=agency,
                file_name=file_name,
                contents=contents,
                mapping_name=None if mapping in (None, "", upload.NO_MAPPING) else mapping,
                mapping_contents=mapping_contents,
                mapping_file_name=mapping_file_name,
                reason=reason,
                dry_run=not saving,
            )
        except StaffRefused as refusal:
            return (
                upload.result(
                    ok=False, dry_run=not saving, message=refusal.message, problems=(), counts={}
                ),
                None,
                True,
                no_update,
            )
        result = upload.result(
            ok=report.ok,
            dry_run=report.dry_run,
            message=report.message,
            problems=report.problems,
            counts=report.counts,
        )
        if saving:
            toast = shell.toast(report.message, ok=report.ok, key=checked[:8])
            # Saved: the same file cannot be saved twice by a second click.
            return result, None, True, toast if report.ok else no_update
        return result, checked if report.ok else None, not report.ok, no_update
