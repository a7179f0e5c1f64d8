"""The staff workspace's content forms (issue 10, part 2): actions taken, contact points with
their opening hours, closures, targets and promise texts, written as drafts.

Plain functions on a SQLAlchemy session in the caller's transaction (the caller commits); no
web framework. The pages render :data:`FORM_FIELDS` generically, fill choices from
:func:`options_for`, list :func:`content_rows` and call :func:`save_draft` /
:func:`discard_draft`. Drafts follow decision D1 (docs in :mod:`data.drafts.write`).
"""

from __future__ import annotations

from data.drafts.checks import FieldProblem, hours_to_form
from data.drafts.forms import (
    FORM_FIELDS,
    KINDS,
    ContactPointChoice,
    FieldSpec,
    FormOptions,
    field_choices,
)
from data.drafts.store import (
    STATE_CHANGE,
    STATE_NEW,
    STATE_PUBLISHED,
    STATE_PUBLISHED_WITH_CHANGE,
    content_rows,
    options_for,
)
from data.drafts.write import DraftResult, discard_draft, save_draft

__all__ = [
    "FORM_FIELDS",
    "KINDS",
    "STATE_CHANGE",
    "STATE_NEW",
    "STATE_PUBLISHED",
    "STATE_PUBLISHED_WITH_CHANGE",
    "ContactPointChoice",
    "DraftResult",
    "FieldProblem",
    "FieldSpec",
    "FormOptions",
    "content_rows",
    "discard_draft",
    "field_choices",
    "hours_to_form",
    "options_for",
    "save_draft",
]
