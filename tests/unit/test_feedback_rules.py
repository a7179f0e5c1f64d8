"""The rules of "Did this page help you?" (issue 14): masking personal data in a comment, the
signed form token, and checking an answer. Pure functions: no clock, no database."""

from __future__ import annotations

import pytest

from dashboard.domain.feedback import (
    COMMENT_MAX_CHARS,
    TOKEN_BAD,
    TOKEN_EXPIRED,
    TOKEN_TOO_FRESH,
    check_answer,
    check_token,
    mask_personal_data,
    sign_token,
)
from dashboard.infra.models import FEEDBACK_REASONS


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("write to jane.doe@example.org please", "write to [email] please"),
        ("JOHN.SMITH+dmv@Mail.Example.CO.UK", "[email]"),
        ("me at j_doe-1@sub.example.gov.", "me at [email]."),
        ("jane @ example . com", "[email]"),
        ("two: a@b.co and c.d@e.org", "two: [email] and [email]"),
        ("call 555-123-4567 today", "call [phone] today"),
        ("(555) 123-4567", "[phone]"),
        ("555.123.4567", "[phone]"),
        ("555 123 4567", "[phone]"),
        ("5551234567", "[phone]"),
        ("1-800-555-0199.", "[phone]."),
        ("+1 (202) 555-0143", "[phone]"),
        ("+1 202 555 0143", "[phone]"),
        ("+44 20 7946 0958", "[phone]"),
        ("+34 612 34 56 78", "[phone]"),
        ("+33 1 23 45 67 89", "[phone]"),
        ("+52 55 1234 5678", "[phone]"),
        ("tel: 0044 (0)20 7946 0958", "tel: [phone]"),
        ("mi número: 612-345-678", "mi número: [phone]"),
        ("555-1234", "[phone]"),
        ("call +1.202.555.0143 or mail x@y.org", "call [phone] or mail [email]"),
    ],
)
def test_e_mail_addresses_and_phone_numbers_are_masked(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "95% of calls answered",
        "only 81.5% were satisfied",
        "on 2026-03-10 at 3pm",
        "10.03.2026",
        "03/10/2026",
        "waited 45 minutes, 3.5 stars",
        "case 1,234 and $1,234,567",
        "in 2025 and 2026",
        "FY2026 Q3",
        "page 12 of 300",
        "office 12345",
        "",
    ],
)
def test_figures_and_dates_are_left_alone(text):
    assert mask_personal_data(text) == text


SECRET = "s3cret"


def token(issued: int = 1000, path: str = "/agency/dmv", language: str = "en") -> str:
    return sign_token(SECRET, issued=issued, page_path=path, language=language)


def check(value: str, *, now: float = 1100, path: str = "/agency/dmv", language: str = "en"):
    return check_token(SECRET, value, page_path=path, language=language, now=now, max_age_s=3600)


def test_a_token_is_valid_for_its_page_and_language_within_its_lifetime():
    assert check(token()) is None
    assert check(token(), now=1000 + 3600) is None
    assert check(token(), now=1000 + 3601) == TOKEN_EXPIRED
    # Filled in under 2 seconds: a program, not a person.
    assert check(token(), now=1001) == TOKEN_TOO_FRESH
    assert check(token(), now=1002) is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "1000.",
        ".abcdef",
        "-5.abcdef",
        "1000.0123456789abcdef0123456789abcdef",
        token(issued=999),  # another time, signed: but the time was changed below
    ],
)
def test_a_forged_or_tampered_token_is_refused(value):
    if value == token(issued=999):
        value = "1000." + value.split(".", 1)[1]
    assert check(value) == TOKEN_BAD


def test_a_token_names_its_page_language_and_secret():
    assert check(token(path="/review")) == TOKEN_BAD
    assert check(token(language="es")) == TOKEN_BAD
    other = sign_token("another secret", issued=1000, page_path="/agency/dmv", language="en")
    assert check(other) == TOKEN_BAD


def fields(**changes: str) -> dict[str, str]:
    form = {"page": "/agency/dmv", "lang": "es", "helpful": "yes", "reason": "", "comment": ""}
    form.update(changes)
    return form


def check_fields(form: dict[str, str], public: bool = True):
    return check_answer(
        form, languages=("en", "es"), reasons=FEEDBACK_REASONS, is_public_path=public
    )


def test_an_answer_is_checked_and_its_comment_masked():
    answer, problems = check_fields(
        fields(helpful="no", reason="out_of_date", comment="  wrong hours, call 555-123-4567\r\n")
    )
    assert problems == []
    assert answer is not None
    assert (answer.page_path, answer.language, answer.helpful) == ("/agency/dmv", "es", False)
    assert answer.reason == "out_of_date"
    assert answer.comment == "wrong hours, call [phone]"
    bare, _ = check_fields(fields())
    assert bare is not None and bare.reason is None and bare.comment is None


def test_every_problem_of_an_answer_is_named():
    answer, problems = check_fields(
        fields(helpful="", reason="angry", comment="x" * (COMMENT_MAX_CHARS + 1), lang="de"),
        public=False,
    )
    assert answer is None
    assert problems == ["helpful", "reason", "comment_too_long", "language", "page"]
    assert check_fields(fields(page="/" + "a" * 300))[1] == ["page"]


def test_a_comment_of_the_longest_length_stays_within_it_once_masked():
    comment = ("a@b.co " * 200)[:COMMENT_MAX_CHARS]
    answer, problems = check_fields(fields(comment=comment))
    assert problems == [] and answer is not None and answer.comment is not None
    assert len(answer.comment) <= COMMENT_MAX_CHARS and "@" not in answer.comment
