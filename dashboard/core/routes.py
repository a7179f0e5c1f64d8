"""The public URL space: which paths are pages, and what they name.

Kept apart from the callbacks so that Flask can answer a bad URL with a real 404 status
before Dash serves its single-page shell. Every view is a permalink: the path names the page
(agency, service) and the query string carries the rest (period, metric, segment, language).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: A metric code as the catalogue writes them ("csat_overall"), in an embed path.
_METRIC_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


@dataclass(frozen=True)
class Route:
    page: str
    params: dict[str, str] = field(default_factory=dict)


def resolve(path: str | None) -> Route | None:
    """The page a path names, or None when no page can live there."""
    path = (path or "/").rstrip("/") or "/"
    parts = [part for part in path.split("/") if part]
    if not parts:
        return Route("home")
    if parts == ["methodology"]:
        return Route("methodology")
    if parts == ["data"]:
        return Route("open_data")
    if parts == ["review"]:
        return Route("review")
    if parts == ["changes"]:
        return Route("changes")
    # Issue 13, item 6 and 7: comparing agencies, equity, one chart for an iframe.
    if parts == ["compare"]:
        return Route("compare")
    if parts == ["equity"]:
        return Route("equity")
    if parts[0] == "embed" and len(parts) == 3 and is_slug(parts[1]) and is_metric_code(parts[2]):
        return Route("embed", {"agency": parts[1], "metric": parts[2]})
    if parts[0] == "agency" and len(parts) in (2, 3) and all(is_slug(p) for p in parts[1:]):
        if len(parts) == 2:
            return Route("agency", {"agency": parts[1]})
        return Route("service", {"agency": parts[1], "service": parts[2]})
    return None


def path_for(page: str, **params: str) -> str:
    if page == "home":
        return "/"
    if page == "methodology":
        return "/methodology"
    if page == "open_data":
        return "/data"
    if page == "review":
        return "/review"
    if page == "changes":
        return "/changes"
    if page == "compare":
        return "/compare"
    if page == "equity":
        return "/equity"
    if page == "embed":
        return f"/embed/{params['agency']}/{params['metric']}"
    if page == "agency":
        return f"/agency/{params['agency']}"
    if page == "service":
        return f"/agency/{params['agency']}/{params['service']}"
    raise ValueError(f"unknown page {page!r}")


#: Where staff preview an agency page before it is published (issue 10, D6):
#: ``/preview/agency/<slug>`` and ``/preview/agency/<slug>/<service>``.
PREVIEW_PREFIX = "/preview"


def previewed_path(path: str | None) -> str | None:
    """The public page a preview URL shows ("/preview/agency/dmv" -> "/agency/dmv"), or None
    when ``path`` is no preview of an agency or service page."""
    path = (path or "").rstrip("/")
    if not path.startswith(PREVIEW_PREFIX + "/"):
        return None
    public = path.removeprefix(PREVIEW_PREFIX)
    route = resolve(public)
    if route is None or route.page not in ("agency", "service"):
        return None
    return public


def preview_path(public_path: str) -> str:
    """The preview URL of an agency or service page ("/agency/dmv" -> "/preview/agency/dmv")."""
    return PREVIEW_PREFIX + public_path


def is_slug(text: str) -> bool:
    return bool(_SLUG.match(text))


def is_metric_code(text: str) -> bool:
    return bool(_METRIC_CODE.match(text))


def parse_query(search: str | None) -> dict[str, str]:
    """The first value of each query parameter ("?lang=es&period=2026-Q3")."""
    parsed = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    return {key: values[0] for key, values in parsed.items() if values}


def href(path: str, query: Mapping[str, str | None]) -> str:
    """A link to ``path`` with the non-empty query values, in a stable order."""
    kept = {key: value for key, value in sorted(query.items()) if value}
    return f"{path}?{urlencode(kept)}" if kept else path
