"""gunicorn's settings for ``gunicorn app:server`` (read from the working directory: the
container's entry point); ``cxdash serve`` sets the same hook itself."""

from dashboard.web.worker import freeze_startup_objects


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    freeze_startup_objects(worker)
