"""What every staff callback needs: who is signed in (checked on every call), the frame."""

from __future__ import annotations

from urllib.parse import parse_qs

from dash import Dash
from dash.exceptions import PreventUpdate

from dashboard.core.settings import Settings
from dashboard.web import staff_auth
from data.accounts import StaffMember
from layouts.staff.shell import Viewer


def settings_of(app: Dash) -> Settings:
    settings: Settings = app.server.config["CXDASH_SETTINGS"]
    return settings


def signed_in() -> StaffMember:
    """The member signed in on this request; a callback from anyone else does nothing.

    staff_auth's guard already answers a signed-out callback with 401; this is the second
    check, in the callback itself, so that no callback ever runs for nobody.
    """
    staff = staff_auth.current_staff()
    if staff is None:
        raise PreventUpdate
    return staff


def viewer_of(staff: StaffMember) -> Viewer:
    return Viewer(
        name=staff.name,
        username=staff.username,
        role=staff.role,
        is_publisher=staff.is_publisher,
        is_admin=staff.is_admin,
        csrf_token=staff_auth.csrf_token(),
    )


def query_value(search: str | None, name: str) -> str | None:
    values = parse_qs((search or "").lstrip("?")).get(name)
    return values[0] if values else None
