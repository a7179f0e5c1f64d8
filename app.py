"""The WSGI entry point: ``gunicorn app:server``."""

from dashboard.web.factory import create_app

app = create_app()
server = app.server
