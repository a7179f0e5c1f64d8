"""The rules of "Did this page help you?" (issue 14) as plain functions: masking personal data
in a comment, the signed form token, and checking a submitted answer. No I/O: the clock and
the secret are arguments.

Why a signed token and not a cookie: anonymous visitors get no cookie (no session to steal,
nothing to consent to), so the form itself carries proof that this site drew it: an HMAC of
the issue time, the page path and the language under the app's secret. A cross-site page
cannot forge it, and the route also refuses cross-site ``Origin``/``Sec-Fetch-Site``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

#: Longest comment kept, in characters (the textarea's ``maxlength`` too).
COMMENT_MAX_CHARS = 1000
#: Longest page path accepted (the column is 300 characters).
PAGE_PATH_MAX_CHARS = 300
#: A token younger than this was filled by a program, not read by a person.
TOKEN_MIN_AGE_S = 2

# -- masking ----------------------------------------------------------------------------------

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"

# An e-mail address, also written with spaces around "@" or as "name at example dot org" is
# not attempted: the common typed forms are what a visitor pastes.
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+\s?@\s?[A-Za-z0-9\-]+(?:\s?\.\s?[A-Za-z0-9\-]+)*\s?\.\s?[A-Za-z]{2,}"
)
# A phone number: an optional "+" and country code, then groups of digits separated by
# spaces, dots, dashes or with an area code in brackets, 7 to 15 digits in all (E.164 allows
# at most 15). Figures such as "95%", "2026-03-10", "3.5" or "1,234" have too few digits, or
# are dates, and are left alone (see :func:`_is_phone`).
_PHONE = re.compile(
    r"(?<![\w/])(?:(?:\+|00)\s?\d{1,3}[\s.\-]?)?(?:\(\s?\d{1,4}\s?\)[\s.\-]?)?\d(?:[\s.\-]?\d){5,14}(?![\w%/])"
)
_DATE_LIKE = re.compile(r"^\d{4}[.\-]\d{1,2}[.\-]\d{1,2}$|^\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}$")


def _is_phone(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    if not 7 <= digits <= 15:
        return False
    stripped = candidate.strip()
    # A date (2026-03-10, 10.03.2026) has 8 digits too: not a phone number.
    return not _DATE_LIKE.match(stripped)


def mask_personal_data(text: str) -> str:
    """``text`` with every e-mail address replaced by "[email]" and every phone number (US and
    international forms, with spaces, dots, dashes or brackets) by "[phone]"."""
    masked = _EMAIL.sub(EMAIL_MASK, text)

    def phone(match: re.Match[str]) -> str:
        return PHONE_MASK if _is_phone(match.group(0)) else match.group(0)

    return _PHONE.sub(phone, masked)


# -- the signed form token --------------------------------------------------------------------


def _signature(secret: str, issued: int, page_path: str, language: str) -> str:
    message = f"feedback|{issued}|{page_path}|{language}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def sign_token(secret: str, *, issued: int, page_path: str, language: str) -> str:
    """The form token: "<issue time>.<signature>" (seconds since the epoch)."""
    return f"{issued}.{_signature(secret, issued, page_path, language)}"


#: Why a token is refused (codes; the route turns them into words).
TOKEN_BAD = "token"
TOKEN_TOO_FRESH = "token_too_fresh"
TOKEN_EXPIRED = "token_expired"


def check_token(
    secret: str,
    token: str,
    *,
    page_path: str,
    language: str,
    now: float,
    max_age_s: int,
    min_age_s: int = TOKEN_MIN_AGE_S,
) -> str | None:
    """None when ``token`` was signed by ``secret`` for this page and language between
    ``max_age_s`` and ``min_age_s`` seconds ago; else why not (``TOKEN_*``)."""
    issued_text, _, signature = token.partition(".")
    if not issued_text.isdigit() or len(issued_text) > 12 or not signature:
        return TOKEN_BAD
    issued = int(issued_text)
    expected = _signature(secret, issued, page_path, language)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return TOKEN_BAD
    age = now - issued
    if age < min_age_s:
        return TOKEN_TOO_FRESH
    if age > max_age_s:
        return TOKEN_EXPIRED
    return None


# -- checking an answer -----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A submitted answer that passed every check (the comment already masked)."""

    page_path: str
    language: str
    helpful: bool
    reason: str | None
    comment: str | None


#: Problem codes of :func:`check_answer` (each has a sentence in the route).
PROBLEMS = (
    "helpful",
    "reason",
    "comment_too_long",
    "language",
    "page",
)


def check_answer(
    fields: dict[str, str],
    *,
    languages: tuple[str, ...],
    reasons: tuple[str, ...],
    is_public_path: bool,
) -> tuple[Answer | None, list[str]]:
    """The answer in a form's ``fields`` (``page``, ``lang``, ``helpful``, ``reason``,
    ``comment``), or None and the problems (codes of :data:`PROBLEMS`)."""
    problems: list[str] = []
    helpful_text = fields.get("helpful", "")
    if helpful_text not in ("yes", "no"):
        problems.append("helpful")
    reason = fields.get("reason", "").strip() or None
    if reason is not None and reason not in reasons:
        problems.append("reason")
    comment_text = fields.get("comment", "").replace("\r\n", "\n").strip()
    if len(comment_text) > COMMENT_MAX_CHARS:
        problems.append("comment_too_long")
    language = fields.get("lang", "")
    if language not in languages:
        problems.append("language")
    page_path = fields.get("page", "")
    if not is_public_path or len(page_path) > PAGE_PATH_MAX_CHARS:
        problems.append("page")
    if problems:
        return None, problems
    # A mask may be a character longer than what it hides ("a@b.co"): the column keeps 1,000.
    comment = mask_personal_data(comment_text)[:COMMENT_MAX_CHARS] if comment_text else None
    return (
        Answer(
            page_path=page_path,
            language=language,
            helpful=helpful_text == "yes",
            reason=reason,
            comment=comment,
        ),
        [],
    )
