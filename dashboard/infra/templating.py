"""Jinja2 templates for the HTML documents the server writes itself (the review pack).

The templates live in ``dashboard/templates/`` and ship with the package (package data in
``pyproject.toml``). Autoescaping is on for every template: any text from the data reaches
the document escaped; nothing from the data is ever marked safe. A name a template uses but
the code does not pass is an error (``StrictUndefined``), not an empty string.

The environment is made on first use and kept: importing this module does no work.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2


@functools.cache
def environment() -> jinja2.Environment:
    """The one template environment (made once, on first use)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: Any) -> str:
    """The template ``name`` (a path under ``dashboard/templates/``) rendered with ``context``."""
    return environment().get_template(name).render(**context)
