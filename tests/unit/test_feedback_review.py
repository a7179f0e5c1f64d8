"""The staff side of feedback without a database (issue 14): filters from a form or URL, the
excerpt rules, and the CSV's cells (see tests/integration/test_staff_feedback.py for rights)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from data.feedback_review import (
    CSV_COLUMNS,
    EXCERPT_MAX_CHARS,
    FeedbackFilter,
    FeedbackRefused,
    clean_excerpt,
    parse_filter,
    responses_csv,
)


def test_a_filter_is_read_from_the_url_and_written_back_to_it() -> None:
    values = {
        "agency": "dmv",
        "page_path": "/agency/dmv",
        "helpful": "no",
        "reason": "out_of_date",
        "status": "new",
        "since": "2026-01-01",
        "until": "2026-01-31",
        "has_comment": "yes",
    }
    chosen = parse_filter(values)
    assert chosen == FeedbackFilter(
        agency="dmv",
        page_path="/agency/dmv",
        helpful=False,
        reason="out_of_date",
        status="new",
        since=dt.date(2026, 1, 1),
        until=dt.date(2026, 1, 31),
        has_comment=True,
    )
    assert chosen.query() == values


def test_what_a_filter_does_not_understand_is_no_filter() -> None:
    chosen = parse_filter(
        {
            "helpful": "maybe",
            "reason": "DROP",
            "status": "done",
            "since": "yesterday",
            "agency": " ",
        }
    )
    assert chosen == FeedbackFilter()
    assert chosen.query() == {}


def test_an_excerpt_is_masked_again_and_bounded() -> None:
    assert clean_excerpt("  ") is None
    assert clean_excerpt(None) is None
    masked = clean_excerpt("Write to jo@example.org or call 202-555-0143 please")
    assert masked is not None
    assert "jo@example.org" not in masked and "555" not in masked
    assert clean_excerpt("x" * EXCERPT_MAX_CHARS) == "x" * EXCERPT_MAX_CHARS
    with pytest.raises(FeedbackRefused):
        clean_excerpt("x" * (EXCERPT_MAX_CHARS + 1))


def test_the_csv_neutralises_formula_like_cells_and_keeps_the_text() -> None:
    row = {
        "received_at": dt.datetime(2026, 1, 5, 9, 30),
        "agency": "dmv",
        "unit": "dmv",
        "page_path": "/agency/dmv",
        "language": "es",
        "helpful": False,
        "reason": "other",
        "comment": '=HYPERLINK("http://x","y")',
        "status": "new",
        "action_code": None,
        "action_title": "@SUM(1+1)",
        "excerpt": None,
        "excerpt_published_at": None,
    }
    rows = list(csv.DictReader(io.StringIO(responses_csv([row]), newline="")))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows[0]["comment"] == "'" + row["comment"]
    assert rows[0]["action_title"] == "'@SUM(1+1)"
    assert rows[0]["received_at"] == "2026-01-05T09:30:00+00:00"
    assert rows[0]["helpful"] == "no"
    assert rows[0]["excerpt"] == "" and rows[0]["action_code"] == ""
