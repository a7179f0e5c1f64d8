"""The cell parsers of the content imports (data.content.parsing): hours, statuses, links,
contact values, languages."""

from __future__ import annotations

import pytest

from data.content.parsing import (
    hours_text,
    parse_action_status,
    parse_clock,
    parse_codes,
    parse_contact_value,
    parse_day_hours,
    parse_int,
    parse_languages,
    parse_slug,
    parse_web_link,
)
from data.store import headline_conflicts


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("09:00-16:30", [["09:00", "16:30"]]),
        ("9:00 - 16:30", [["09:00", "16:30"]]),
        ("09:00–16:30", [["09:00", "16:30"]]),
        ("09:00-12:00, 13:00-16:30", [["09:00", "12:00"], ["13:00", "16:30"]]),
        ("09:00-12:00; 13:00-16:30", [["09:00", "12:00"], ["13:00", "16:30"]]),
        ("00:00-24:00", [["00:00", "24:00"]]),
        ("closed", []),
        ("Closed", []),
        ("cerrado", []),
        ("", None),
        ("   ", None),
    ],
)
def test_day_hours(cell, expected):
    assert parse_day_hours(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("9 to 5", "not a time of day"),
        ("16:30-09:00", "closes before it opens"),
        ("09:00-12:00, 11:00-16:30", "overlaps"),
        ("13:00-16:30, 09:00-12:00", "overlaps or comes before"),
        ("25:00-26:00", "00:00 to 24:00"),
        ("09:60-10:00", "00:00 to 24:00"),
        ("open", "not an opening period"),
        ("09:00", "not an opening period"),
    ],
)
def test_day_hours_refused(cell, reason):
    with pytest.raises(ValueError, match=reason):
        parse_day_hours(cell)


def test_clock_pads_the_hour():
    assert parse_clock("9:05") == "09:05"
    assert parse_clock("24:00") == "24:00"
    with pytest.raises(ValueError):
        parse_clock("24:30")


def test_hours_text_groups_consecutive_days_in_both_languages():
    week = {day: [["08:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    week.update(sat=[["09:00", "12:00"]], sun=[])
    assert (
        hours_text(week, "en")
        == "Mon–Fri 8:00 a.m.–5:00 p.m.; Sat 9:00 a.m.–12:00 p.m.; Sun closed"
    )
    assert hours_text(week, "es") == "lun.–vie. 8:00–17:00; sáb. 9:00–12:00; dom. cerrado"


def test_hours_text_split_day_two_days_and_unknown_days():
    hours = {
        "mon": [["09:00", "12:00"], ["13:00", "16:30"]],
        "tue": [["09:00", "12:00"], ["13:00", "16:30"]],
        "thu": [["12:00", "24:00"]],
        "sat": [],
        "sun": [],
    }
    # Wednesday and Friday are not known: left out, and they break the groups.
    assert hours_text(hours, "en") == (
        "Mon, Tue 9:00 a.m.–12:00 p.m., 1:00 p.m.–4:30 p.m.; Thu 12:00 p.m.–12:00 a.m.; "
        "Sat, Sun closed"
    )
    assert hours_text(hours, "es") == (
        "lun., mar. 9:00–12:00, 13:00–16:30; jue. 12:00–24:00; sáb., dom. cerrado"
    )


def test_hours_text_of_nothing_known_is_none():
    assert hours_text({}, "en") is None


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("planned", "planned"),
        ("In progress", "in_progress"),
        ("in-progress", "in_progress"),
        ("in_progress", "in_progress"),
        ("COMPLETED", "completed"),
    ],
)
def test_action_status(cell, status):
    assert parse_action_status(cell) == status


def test_action_status_refused():
    with pytest.raises(ValueError, match="planned, in progress or completed"):
        parse_action_status("done")


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "www.example.gov", "ftp://example.gov/x", "https://", "http://a b"],
)
def test_web_link_only_http(link):
    with pytest.raises(ValueError, match="not a web address"):
        parse_web_link(link)


def test_web_link_kept_as_written():
    assert parse_web_link(" https://dmv.example.gov/a?b=1 ") == "https://dmv.example.gov/a?b=1"


@pytest.mark.parametrize(
    ("channel", "value", "expected"),
    [
        ("phone", "(800) 555-0100", "(800) 555-0100"),
        ("phone", "+1 800 555 0100 ext. 12", "+1 800 555 0100 ext. 12"),
        ("email", "help@example.gov", "help@example.gov"),
        ("email", "mailto:help@example.gov", "help@example.gov"),
        ("web_form", "https://example.gov/contact", "https://example.gov/contact"),
        ("walk_in", "https://example.gov/offices", "https://example.gov/offices"),
        ("chat", "(800) 555-0100", "(800) 555-0100"),
    ],
)
def test_contact_value(channel, value, expected):
    assert parse_contact_value(channel, value) == expected


@pytest.mark.parametrize(
    ("channel", "value", "wanted"),
    [
        ("phone", "call us", "a phone number"),
        ("email", "help at example", "an e-mail address"),
        ("web_form", "example.gov/contact", "a web address"),
        ("text", "https://example.gov", "a phone number"),
    ],
)
def test_contact_value_refused(channel, value, wanted):
    with pytest.raises(ValueError, match=wanted):
        parse_contact_value(channel, value)


def test_languages():
    assert parse_languages("en;es") == "en,es"
    assert parse_languages("EN, es; vi") == "en,es,vi"
    assert parse_languages("en;en") == "en"
    assert parse_languages(" ") is None
    with pytest.raises(ValueError, match="not a language code"):
        parse_languages("English")


def test_codes_and_numbers():
    assert parse_codes("a; b;;c;a") == ["a", "b", "c"]
    assert parse_codes("") == []
    assert parse_int("3") == 3
    assert parse_int("3.0") == 3
    with pytest.raises(ValueError):
        parse_int("3.5")


def test_slug():
    assert parse_slug("motor-vehicles") == "motor-vehicles"
    for bad in ("Motor Vehicles", "motor--vehicles", "-dmv", "dmv/x"):
        with pytest.raises(ValueError, match="not a slug"):
            parse_slug(bad)


def test_headline_conflicts_after_the_file():
    catalogue = {
        "sat_overall": ("satisfaction", True),
        "sat_ease": ("satisfaction", True),
        "calls": ("responsiveness", True),
        "days": ("timeliness", False),
    }
    assert headline_conflicts(catalogue) == {"satisfaction": ["sat_ease", "sat_overall"]}
    catalogue["sat_ease"] = ("satisfaction", False)  # the file moves the flag
    assert headline_conflicts(catalogue) == {}
