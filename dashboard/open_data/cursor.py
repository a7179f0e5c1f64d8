"""The API's paging cursor: where the next page starts, as an opaque token.

A cursor carries the key of the last row of a page (:data:`dashboard.gateway.open_data.
ObservationKey`) and a check tying it to the filters it was given for. The next page is then
the rows past that key in the API's order, an index seek, however deep (``offset`` makes the
database step over every row before it).

Opaque to clients, strict for the server: base64url (no padding) of a 10-byte check and the
key as compact JSON. A cursor that does not decode, fails its check (altered, or given with
other filters) or holds a key no row could have is refused, never read: the API answers a 400
naming ``cursor``, as for any bad parameter. The check is no secret (anyone may forge a cursor
for a key of their choice, which only starts a page elsewhere): it catches mistakes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
from typing import Any

from dashboard.gateway.open_data import ObservationKey
from dashboard.infra.models import GRANULARITIES

#: The token's alphabet (base64url without padding) and its longest form: a key at the
#: columns' limits, every character escaped as JSON writes a control character, fits.
CURSOR_PATTERN = "[A-Za-z0-9_-]+"
MAX_CURSOR_LENGTH = 1400
#: Bytes of the check (of SHA-256 over the version, the filters and the key).
_CHECK_BYTES = 10
#: Changes when the token's form does: older cursors are then refused, not misread.
_VERSION = b"cxdash-cursor-1"
#: The stored columns' limits (Observation): a key past them is no row's.
_SEGMENT_TYPE_LENGTH = 30
_SEGMENT_VALUE_LENGTH = 120
_MAX_ID = 2**31 - 1  # INTEGER on both databases
_DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TOKEN = re.compile(CURSOR_PATTERN)


class CursorError(ValueError):
    """A cursor this API did not give for these filters (the caller answers a 400)."""


def _check(scope: str, payload: bytes) -> bytes:
    digest = hashlib.sha256(_VERSION + b"|" + scope.encode() + b"|" + payload).digest()
    return digest[:_CHECK_BYTES]


def _payload(key: ObservationKey) -> bytes:
    unit_id, metric_id, granularity, period_start, segment_type, segment_value = key
    fields = [
        unit_id,
        metric_id,
        granularity,
        period_start.isoformat(),
        segment_type,
        segment_value,
    ]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def encode_cursor(key: ObservationKey, scope: str) -> str:
    """The cursor of the page after the row with ``key``, for the filters ``scope`` names
    (:meth:`dashboard.open_data.parameters.ResourceQuery.scope`)."""
    payload = _payload(key)
    token = base64.urlsafe_b64encode(_check(scope, payload) + payload)
    return token.rstrip(b"=").decode("ascii")


def decode_cursor(text: str, scope: str) -> ObservationKey:
    """The key ``text`` carries, if this API gave it for ``scope``; else :class:`CursorError`."""
    if len(text) > MAX_CURSOR_LENGTH or _TOKEN.fullmatch(text) is None:
        raise CursorError("not a cursor")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise CursorError("not a cursor") from None
    check, payload = raw[:_CHECK_BYTES], raw[_CHECK_BYTES:]
    if len(check) < _CHECK_BYTES or not hmac.compare_digest(check, _check(scope, payload)):
        raise CursorError("altered, or given for other filters")
    try:
        fields = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CursorError("not a cursor") from None
    key = _key(fields)
    # One token per key: another spelling of the same bytes (base64's spare bits) is refused.
    if encode_cursor(key, scope) != text:
        raise CursorError("not in its canonical form")
    return key


def _whole(value: Any) -> int:
    if type(value) is not int or not 1 <= value <= _MAX_ID:
        raise CursorError("not a row's key")
    return value


def _text(value: Any, max_length: int) -> str:
    if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
        raise CursorError("not a row's key")
    return value


def _key(fields: Any) -> ObservationKey:
    if not isinstance(fields, list) or len(fields) != 6:
        raise CursorError("not a row's key")
    unit_id, metric_id, granularity, period_start, segment_type, segment_value = fields
    if not isinstance(granularity, str) or granularity not in GRANULARITIES:
        raise CursorError("not a row's key")
    if not isinstance(period_start, str) or _DAY.fullmatch(period_start) is None:
        raise CursorError("not a row's key")
    try:
        day = dt.date.fromisoformat(period_start)
    except ValueError:
        raise CursorError("not a row's key") from None
    return (
        _whole(unit_id),
        _whole(metric_id),
        granularity,
        day,
        _text(segment_type, _SEGMENT_TYPE_LENGTH),
        _text(segment_value, _SEGMENT_VALUE_LENGTH),
    )
