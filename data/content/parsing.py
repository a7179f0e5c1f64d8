"""Plain parsers for the cells of content files (no I/O): each returns a clean value or raises
``ValueError`` with a sentence a person can act on; the importer adds file, row and column.

Opening hours are written one column per weekday (``mon`` ... ``sun``):

- ``09:00-16:30``: open from 9:00 to 16:30;
- ``09:00-12:00, 13:00-16:30``: several periods the same day (a lunch break);
- ``closed``: closed all day;
- an empty cell: not known (nothing is said about that day).

They are stored as ``ContactPoint.hours`` ({"mon": [["09:00", "16:30"]], "sun": []}) and
turned into the text the pages show ("Mon–Fri 9:00 a.m.–4:30 p.m.; Sat–Sun closed").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from dashboard.infra.models import ACTION_STATUSES

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_EN = {
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
    "sun": "Sun",
}
_WEEKDAY_ES = {
    "mon": "lun.",
    "tue": "mar.",
    "wed": "mié.",
    "thu": "jue.",
    "fri": "vie.",
    "sat": "sáb.",
    "sun": "dom.",
}
_CLOSED_WORDS = {"closed", "cerrado", "fermé", "ferme"}
_CLOCK = re.compile(r"^(\d{1,2})[:h.](\d{2})$")
_RANGE_DASHES = re.compile(r"\s*[-–—]\s*|\s+to\s+|\s+a\s+")
_HOURS_HINT = 'write hours as 09:00-16:30, several periods as "09:00-12:00, 13:00-16:30", or closed'


def parse_clock(text: str) -> str:
    """ "9:00" -> "09:00"; 24:00 is allowed as the end of a day."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} is not a time of day; {_HOURS_HINT}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise ValueError(f"{text.strip()!r} is not a time of day (00:00 to 24:00)")
    return f"{hour:02d}:{minute:02d}"


def parse_day_hours(text: str) -> list[list[str]] | None:
    """One weekday's cell: None (not known), [] (closed) or [["09:00", "12:00"], ...]."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    if cleaned.casefold() in _CLOSED_WORDS:
        return []
    periods: list[list[str]] = []
    for part in re.split(r"\s*[,;/]\s*|\s+and\s+|\s+y\s+", cleaned):
        if not part:
            continue
        ends = _RANGE_DASHES.split(part)
        if len(ends) != 2:
            raise ValueError(f"{part!r} is not an opening period; {_HOURS_HINT}")
        opens, closes = parse_clock(ends[0]), parse_clock(ends[1])
        if closes <= opens:
            raise ValueError(f"{part!r} closes before it opens")
        if periods and opens < periods[-1][1]:
            raise ValueError(
                f"{part!r} overlaps or comes before the period before it; list periods in order"
            )
        periods.append([opens, closes])
    if not periods:
        raise ValueError(_HOURS_HINT)
    return periods


def _clock_en(clock: str) -> str:
    hour, minute = (int(part) for part in clock.split(":"))
    suffix = "a.m." if hour % 24 < 12 else "p.m."
    return f"{hour % 12 or 12}:{minute:02d} {suffix}"


def _clock_es(clock: str) -> str:
    hour, minute = (int(part) for part in clock.split(":"))
    return f"{hour}:{minute:02d}"


def hours_text(hours: Mapping[str, list[list[str]]], language: str) -> str | None:
    """The text pages show: consecutive days with the same hours are grouped, days not known
    are left out. "Mon–Fri 9:00 a.m.–4:30 p.m.; Sat–Sun closed" / "lun.–vie. 9:00–16:30; ..."."""
    names = _WEEKDAY_ES if language == "es" else _WEEKDAY_EN
    clock = _clock_es if language == "es" else _clock_en
    closed = "cerrado" if language == "es" else "closed"
    groups: list[tuple[list[str], list[list[str]]]] = []
    previous: str | None = None
    for day in WEEKDAYS:
        if day not in hours:
            previous = None
            continue
        periods = [list(p) for p in hours[day]]
        if groups and previous is not None and groups[-1][1] == periods:
            groups[-1][0].append(day)
        else:
            groups.append(([day], periods))
        previous = day
    if not groups:
        return None
    parts = []
    for days, periods in groups:
        span = names[days[0]] if len(days) == 1 else f"{names[days[0]]}–{names[days[-1]]}"
        if len(days) == 2:
            span = f"{names[days[0]]}, {names[days[1]]}"
        shown = ", ".join(f"{clock(a)}–{clock(b)}" for a, b in periods) if periods else closed
        parts.append(f"{span} {shown}")
    return "; ".join(parts)


def parse_action_status(text: str) -> str:
    """planned, in_progress or completed; "In progress" and "in-progress" are accepted."""
    status = re.sub(r"[\s\-]+", "_", text.strip().casefold())
    if status not in ACTION_STATUSES:
        raise ValueError("not a status; write planned, in progress or completed")
    return status


def parse_web_link(text: str) -> str:
    """An http(s) address with a host; anything else (javascript:, a bare name) is refused."""
    link = text.strip()
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in link:
        raise ValueError("not a web address; write it as https://www.example.gov/page")
    return link


_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_PHONE = re.compile(r"^\+?[\d\s().\-]+(?:\s*(?:ext\.?|x|#)\s*\d+)?$", re.IGNORECASE)


def parse_email(text: str) -> str:
    value = text.strip().removeprefix("mailto:")
    if not _EMAIL.match(value):
        raise ValueError("not an e-mail address; write it as help@example.gov")
    return value


def parse_phone(text: str) -> str:
    value = text.strip()
    if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 3:
        raise ValueError("not a phone number; write it as (800) 555-0100 or +1 800 555 0100")
    return value


#: What a contact point's ``value`` must be for each channel.
CHANNEL_VALUE_KINDS = {
    "phone": ("phone",),
    "text": ("phone",),
    "voicemail": ("phone",),
    "email": ("email",),
    "web_form": ("url",),
    "video": ("url",),
    "chat": ("url", "phone"),
    "walk_in": ("url", "phone", "email"),
    "mail": ("url", "phone", "email"),
}
_VALUE_PARSERS = {"phone": parse_phone, "email": parse_email, "url": parse_web_link}
_VALUE_WORDS = {"phone": "a phone number", "email": "an e-mail address", "url": "a web address"}


def parse_contact_value(channel: str, text: str) -> str:
    """A contact point's phone number, e-mail address or URL, as its channel needs."""
    kinds = CHANNEL_VALUE_KINDS[channel]
    for kind in kinds:
        try:
            return _VALUE_PARSERS[kind](text)
        except ValueError:
            continue
    wanted = " or ".join(_VALUE_WORDS[kind] for kind in kinds)
    raise ValueError(f"a {channel.replace('_', '-')} contact point's value must be {wanted}")


_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")


def parse_languages(text: str) -> str | None:
    """ "en;es" (or "en, es", "EN ES") -> "en,es", the form the pages read; None when empty."""
    codes: list[str] = []
    for part in re.split(r"[;,/\s]+", text.strip()):
        if not part:
            continue
        code = part.casefold()
        if not _LANGUAGE_CODE.match(code):
            raise ValueError(f"{part!r} is not a language code; write codes such as en;es;vi")
        if code not in codes:
            codes.append(code)
    return ",".join(codes) or None


def parse_codes(text: str) -> list[str]:
    """ "a; b;;c" -> ["a", "b", "c"] (the measures an action addresses), duplicates dropped."""
    codes: list[str] = []
    for part in text.split(";"):
        code = part.strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def parse_int(text: str) -> int:
    cleaned = text.strip()
    if not re.fullmatch(r"[+-]?\d+(?:\.0+)?", cleaned):
        raise ValueError("not a whole number")
    return int(float(cleaned))


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def parse_slug(text: str) -> str:
    """A unit's address in the site (/agency/<slug>): lower-case letters, digits, hyphens."""
    slug = text.strip()
    if not _SLUG.match(slug):
        raise ValueError(
            "not a slug; use lower-case letters, digits and single hyphens (motor-vehicles)"
        )
    return slug
