"""View models: each public page's data, built from the queries and the domain functions.

A view module per page exposes ``build(database_url, settings, route, query, language)``
returning a plain dataclass (cacheable, no ORM objects), and raises :class:`NotFound` for a
slug or parameter that names nothing, which the app turns into a 404 page.
"""

from __future__ import annotations

from dataclasses import dataclass


class NotFound(LookupError):
    """The URL names a unit, metric, period or segment that does not exist."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Option:
    """One choice of a page's form (a ``<select>``'s option): the query parameter's value, and
    its label in the page's language."""

    value: str
    label: str
