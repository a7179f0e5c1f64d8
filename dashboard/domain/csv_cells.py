"""CSV cells a spreadsheet will not run as formulas (CSV injection, OWASP).

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula, and some of them also one that starts with a tab or a line break
(``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``@SUM(1+1)``). Agencies write the text the
site publishes (unit names, metric names, action titles, contact points), so every CSV the
app writes passes its cells through :func:`safe_cell`, which does what OWASP recommends: a
text cell starting with one of those characters gets a leading single quote (``'``), which
spreadsheets show as text and never evaluate. The full-width forms (``＝ ＋ － ＠``) are
included because some spreadsheet programs normalise them to the ASCII ones.

Numbers stay numbers: a number value is never changed, and neither is a text that *is* a
plain number ("-3.5", "+2", "-1e-05"), so that a numeric column (values, differences,
earlier values) stays numeric in a spreadsheet: a plain number is not a formula. A text
that merely starts like one ("-1+1", "-A1", "- see note") is neutralised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: What a spreadsheet may take for the start of a formula (OWASP's list, plus line feed and
#: the full-width forms).
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

#: A plain number, as the CSV writers print them: optional sign, digits, decimals, exponent.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (a plain number is safe)."""
    return text.startswith(DANGEROUS_STARTS) and _PLAIN_NUMBER.fullmatch(text) is None


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell that is never a formula.

    Text that could start a formula gets a leading ``'``; anything else (numbers — int,
    float, Decimal —, None, booleans, dates, plain-number text) is returned unchanged, so
    the CSV writer prints it as before.
    """
    # Only text is neutralised: a number (int, float, Decimal) is written as a number, and
    # -3.5 in a spreadsheet is a value, not a formula.
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each through :func:`safe_cell`."""
    return [safe_cell(value) for value in values]
