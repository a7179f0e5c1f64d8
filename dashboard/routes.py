"""The public URL space: which paths are pages, and what they name.

Kept apart from the callbacks so that Flask can answer a bad URL with a real 404 status
before Dash serves its single-page shell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Route:
    page: str
    params: dict[str, str] = field(default_factory=dict)


def resolve(path: str | None) -> Route | None:
    """The page a path names, or None when no page lives there."""
    path = (path or "/").rstrip("/") or "/"
    if path == "/":
        return Route("home")
    return None


def is_slug(text: str) -> bool:
    return bool(_SLUG.match(text))
