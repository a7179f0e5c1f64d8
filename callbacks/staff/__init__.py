"""The staff workspace's callbacks (issue 10): thin glue over dashboard.web.staff_actions."""

from __future__ import annotations

from dash import Dash

from layouts.staff import shell


def register(app: Dash) -> None:
    """The staff app's layout, page router, every page's callbacks and the audit CSV route."""
    from callbacks.staff import audit, content, feedback, navigation, review, upload, users

    app.layout = shell.app_layout
    navigation.register(app)
    upload.register(app)
    content.register(app)
    review.register(app)
    users.register(app)
    audit.register(app)
    feedback.register(app)
