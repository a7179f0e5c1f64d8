"""The API's paging cursor: opaque, tied to its filters, refused when altered (no I/O)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest

from dashboard import open_data
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.open_data import cursor as cursors
from dashboard.open_data.parameters import parse_query

KEY = (12, 7, "month", dt.date(2024, 3, 1), "channel", "phone")
SCOPE = "observations?unit=dmv"


def _forged(fields: object, scope: str = SCOPE) -> str:
    """A token with a valid check around any payload: what only a forger would send."""
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    raw = cursors._check(scope, payload) + payload
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_cursor_gives_back_its_key_for_its_filters_only():
    token = open_data.encode_cursor(KEY, SCOPE)
    assert re.fullmatch(open_data.CURSOR_PATTERN, token)
    assert open_data.decode_cursor(token, SCOPE) == KEY
    with pytest.raises(open_data.CursorError):
        open_data.decode_cursor(token, "observations?unit=parks")
    assert open_data.encode_cursor(KEY, SCOPE) == token, "the same key, the same token"


def test_any_change_to_a_cursor_is_refused():
    token = open_data.encode_cursor(KEY, SCOPE)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for at, char in enumerate(token):
        other = alphabet[(alphabet.index(char) + 1) % len(alphabet)]
        with pytest.raises(open_data.CursorError):
            open_data.decode_cursor(token[:at] + other + token[at + 1 :], SCOPE)
    for bad in ("", token[:-1], token + "A", token + "=", "x" * 2000, "a+b/", "AAAA"):
        with pytest.raises(open_data.CursorError):
            open_data.decode_cursor(bad, SCOPE)


@pytest.mark.parametrize(
    "fields",
    [
        [],
        {"unit": 1},
        [12, 7, "month", "2024-03-01", "channel"],
        [0, 7, "month", "2024-03-01", "", ""],
        [2**31, 7, "month", "2024-03-01", "", ""],
        [True, 7, "month", "2024-03-01", "", ""],
        [12.0, 7, "month", "2024-03-01", "", ""],
        [12, 7, "week", "2024-03-01", "", ""],
        [12, 7, ["month"], "2024-03-01", "", ""],
        [12, 7, "month", "2024-02-30", "", ""],
        [12, 7, "month", "2024-3-1", "", ""],
        [12, 7, "month", "2024-03-01T00:00", "", ""],
        [12, 7, "month", "2024-03-01", "x" * 31, ""],
        [12, 7, "month", "2024-03-01", "", "v" * 121],
        [12, 7, "month", "2024-03-01", "", "nul\x00"],
        [12, 7, "month", "2024-03-01", None, ""],
    ],
)
def test_a_checked_cursor_must_still_hold_a_row_key(fields):
    # The forger's form is the API's own: only the key's values stand in the way.
    valid = [12, 7, "month", "2024-03-01", "channel", "phone"]
    assert open_data.decode_cursor(_forged(valid), SCOPE) == KEY
    with pytest.raises(open_data.CursorError):
        open_data.decode_cursor(_forged(fields), SCOPE)


def test_the_longest_key_fits_the_documented_length():
    longest = (
        2**31 - 1,
        2**31 - 1,
        "fiscal_year",
        dt.date(2999, 12, 31),
        "\x01" * 30,
        "\x7f" * 120,
    )
    token = open_data.encode_cursor(longest, SCOPE)
    assert len(token) <= open_data.MAX_CURSOR_LENGTH
    assert open_data.decode_cursor(token, SCOPE) == longest
    wide = (1, 1, "month", dt.date(2024, 1, 1), "channel", "\U0001f600" * 120)
    assert open_data.decode_cursor(open_data.encode_cursor(wide, SCOPE), SCOPE) == wide


def test_the_query_reads_a_cursor_and_links_on_by_it():
    lookups = open_data.Lookups(
        unit_slugs=frozenset({"dmv"}), metric_codes=frozenset(), segments=frozenset()
    )
    calendar = FiscalCalendar(start_month=7)
    token = open_data.encode_cursor(KEY, SCOPE)
    query = parse_query(
        open_data.OBSERVATIONS, {"unit": ["dmv"], "cursor": [token]}, lookups, calendar
    )
    assert query.after == KEY and query.cursor == token and query.scope() == SCOPE
    assert query.query_string() == f"unit=dmv&limit=100&cursor={token}"
    assert query.query_string(cursor="abc") == "unit=dmv&limit=100&cursor=abc"
    with pytest.raises(open_data.BadParameter) as refused:
        parse_query(open_data.OBSERVATIONS, {"cursor": [token]}, lookups, calendar)
    assert (refused.value.parameter, refused.value.value) == ("cursor", token)
    with pytest.raises(open_data.BadParameter):
        parse_query(open_data.UNITS, {"cursor": [token]}, lookups, calendar)
