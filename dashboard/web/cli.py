"""The ``cxdash`` command: set up the store, load demo data, import files, serve the app."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from data.commands import load_settings


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A click progress bar on stderr, driven by ``progress(done, total)`` callbacks."""
    with click.progressbar(length=1, label=label, file=sys.stderr, show_pos=True) as bar:
        state = {"done": 0}

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - state["done"])
            state["done"] = done

        yield progress


@click.group(help=__doc__)
@click.version_option(package_name="cxdash")
def main() -> None:
    pass


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema (runs the Alembic migrations)."""
    from dashboard.infra import db

    settings = load_settings()
    db.upgrade(settings.database_url)
    click.echo(f"Schema is up to date at {_safe_url(settings.database_url)}")


@main.command("demo")
@click.option("--replace", is_flag=True, help="Delete everything in the store first.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the store already has units.")
@click.option(
    "--keep-files",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the files the demo imports (units.csv, results-*.csv...) in this folder.",
)
def demo(replace: bool, if_empty: bool, keep_files: Path | None) -> None:
    """Fill the store with deterministic demo data (the same seed gives the same data).

    The data is written as files in the documented import formats and loaded with the
    importers, so ``--keep-files`` leaves working examples of every file.
    """
    from dashboard.infra import db
    from data.demo import DemoError, generate_demo, store_is_empty

    settings = load_settings()
    db.upgrade(settings.database_url)
    if if_empty and not store_is_empty(settings.database_url):
        click.echo("The store already has data; leaving it as it is.")
        return
    try:
        with progress_bar("Generating demo data") as progress:
            summary = generate_demo(
                settings.database_url,
                settings,
                progress=progress,
                replace=replace,
                files=keep_files,
            )
    except DemoError as error:
        raise click.ClickException(str(error)) from None
    click.echo(summary.text())


@main.command("serve")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option(
    "--threads",
    default=4,
    show_default=True,
    help="Threads per worker: a page's scripts and data load in parallel, not in a queue.",
)
@click.option("--host", default=None, help="Defaults to HOST (127.0.0.1).")
@click.option("--port", default=None, type=int, help="Defaults to PORT (8050).")
def serve(workers: int, threads: int, host: str | None, port: int | None) -> None:
    """Serve the dashboard with gunicorn."""
    import flask
    from gunicorn.app.base import BaseApplication

    settings = load_settings()
    if not settings.secret_key:
        from dashboard.core.settings import SECRET_KEY_MISSING

        # Checked here, before gunicorn starts: its workers would only print a traceback.
        raise click.ClickException(SECRET_KEY_MISSING)
    bind = f"{host or settings.host}:{port or settings.port}"

    class Server(BaseApplication):
        def load_config(self) -> None:
            for name, value in gunicorn_settings(bind, workers, threads).items():
                self.cfg.set(name, value)

        # Flask is a WSGI app; the stubs' WSGI type has a narrower start_response than Flask's.
        def load(self) -> flask.Flask:  # type: ignore[override]
            from dashboard.web.factory import create_app

            return create_app(settings).server

    click.echo(f"Serving cxdash on http://{bind}", err=True)
    Server().run()


def gunicorn_settings(bind: str, workers: int, threads: int) -> dict[str, Any]:
    """What ``cxdash serve`` sets in gunicorn (``gunicorn.conf.py`` holds the same hook for
    ``gunicorn app:server``)."""
    from dashboard.web.worker import freeze_startup_objects

    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "accesslog": "-",
        "post_worker_init": freeze_startup_objects,
    }


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _register_import_commands() -> None:
    from data.commands import import_command, import_contacts_command, import_targets_command

    main.add_command(import_command)
    main.add_command(import_contacts_command)
    main.add_command(import_targets_command)

    from data.feedback_figures import feedback_figures_command

    main.add_command(feedback_figures_command)

    from data.feedback import feedback_purge_command

    main.add_command(feedback_purge_command)

    from data.content_commands import CONTENT_COMMANDS
    from data.user_commands import user_group

    main.add_command(user_group)

    for command in CONTENT_COMMANDS:
        main.add_command(command)


_register_import_commands()
