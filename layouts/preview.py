"""The banner above a staff preview of an agency page (``dashboard.web.preview``).

Staff interface text is English only (issue 10, D5): plain strings, not catalogue entries.
"""

from __future__ import annotations

from dash import html


def banner(agency_name: str, *, has_drafts: bool, refusal: str | None = None) -> html.Div:
    """What this page is: a preview of unpublished drafts, or (nothing to publish, or a
    publication that would be refused) the published page itself. A status message, so
    screen readers announce it."""
    if refusal:
        heading = "Preview not possible"
        body = f"{refusal}. This is the published page of {agency_name}."
    elif has_drafts:
        heading = "Preview: not published yet"
        body = f"This is what {agency_name} will look like after publication."
    else:
        heading = "Preview: no drafts"
        body = f"{agency_name} has nothing waiting to be published: this is the published page."
    return html.Div(
        [html.Strong(heading), " — ", body],
        role="status",
        id="preview-banner",
        className="alert alert-warning preview-banner mb-4",
    )
