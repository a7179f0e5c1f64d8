"""Which closure a contact point shows where its hours are (the agency page, issue 13)."""

from __future__ import annotations

import datetime as dt

from dashboard.views.agency.model import ContactItem
from dashboard.views.agency.sections import _with_closures

DAY = dt.date(2026, 11, 30)


def _item(channel: str = "walk_in", hours: str | None = "Daily 9:00–4:30") -> ContactItem:
    return ContactItem(
        channel=channel,
        channel_name=channel,
        label="Visitor Center",
        value=None,
        href=None,
        address="5 Lakeshore Trail",
        hours=hours,
        appointment=None,
        languages=[],
    )


def _closure(first: dt.date, last: dt.date, *, contact: int | None = 7, unit: int = 1) -> dict:
    return {
        "unit_id": unit,
        "contact_point_id": contact,
        "starts_on": first,
        "ends_on": last,
        "reason_en": "Closed for the winter season.",
    }


def _shown(item: ContactItem, closures: list[dict], today: dt.date = DAY) -> ContactItem:
    row = {"id": 7, "unit_id": 1}
    return _with_closures(item, row, closures, {1, 99}, "en", today)


def test_closed_today_through_its_last_day_then_open():
    closure = _closure(dt.date(2026, 11, 14), dt.date(2027, 2, 27))
    shown = _shown(_item(), [closure])
    assert shown.closed_through == dt.date(2027, 2, 27)
    assert shown.closed_reason == "Closed for the winter season."
    assert _shown(_item(), [closure], dt.date(2027, 2, 27)).closed_through == dt.date(2027, 2, 27)
    assert _shown(_item(), [closure], dt.date(2027, 2, 28)).closed_through is None


def test_back_to_back_closures_read_as_one_and_the_next_one_is_shown():
    closures = [
        _closure(dt.date(2026, 11, 14), dt.date(2026, 12, 31)),
        _closure(dt.date(2027, 1, 1), dt.date(2027, 2, 27)),
        _closure(dt.date(2027, 5, 1), dt.date(2027, 5, 2)),
    ]
    shown = _shown(_item(), closures)
    assert shown.closed_through == dt.date(2027, 2, 27)
    assert shown.next_closure == (dt.date(2027, 5, 1), dt.date(2027, 5, 2))
    before = _shown(_item(), closures, dt.date(2026, 11, 1))
    assert before.closed_through is None
    assert before.next_closure == (dt.date(2026, 11, 14), dt.date(2026, 12, 31))


def test_a_closure_of_another_office_does_not_close_this_one():
    shown = _shown(_item(), [_closure(dt.date(2026, 11, 1), dt.date(2026, 12, 1), contact=8)])
    assert shown.closed_through is None and shown.next_closure is None


def test_a_whole_unit_or_government_closure_closes_staffed_channels_only():
    holiday = _closure(DAY, DAY, contact=None, unit=99)  # the whole government
    assert _shown(_item("phone", "Mon–Fri 8–5"), [holiday]).closed_through == DAY
    assert _shown(_item("walk_in"), [holiday]).closed_through == DAY
    assert _shown(_item("web_form", "Open 24 hours"), [holiday]).closed_through is None
    assert _shown(_item("walk_in", hours=None), [holiday]).closed_through is None
    elsewhere = _closure(DAY, DAY, contact=None, unit=5)  # a unit that is not this one's
    assert _shown(_item("phone", "Mon–Fri 8–5"), [elsewhere]).closed_through is None
