"""The WSGI entry point: ``gunicorn app:server``."""

from dashboard.factory import create_app

app = create_app()
server = app.server
