"""The workspace home page: the member's agencies with their drafts and review state."""

from __future__ import annotations

from collections.abc import Callable

from callbacks.staff.common import viewer_of
from dashboard.core.settings import Settings
from dashboard.web import staff_actions
from dashboard.web.staff_app import StaffRoute
from data.accounts import StaffMember
from layouts.staff import home


def render(
    settings: Settings, staff: StaffMember, route: StaffRoute, query: Callable[[str], str | None]
) -> list:
    return home.layout(viewer_of(staff), staff_actions.home(settings, staff))
