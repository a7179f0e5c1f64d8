"""``cxdash user``: staff accounts from the command line (wired into dashboard.web.cli).

Every change is written with its audit entry (actor "cli") in one transaction. Problems are
clear messages and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from dashboard.infra.models import ROLES, utcnow
from data import accounts, audit
from data.commands import load_settings

#: The audit log's name for changes made with ``cxdash user``.
CLI_ACTOR = "cli"

T = TypeVar("T")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the configured DATABASE_URL"


@contextmanager
def _store() -> Iterator[Session]:
    """A transaction on the configured store; every failure becomes a ClickException."""
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard.infra import db

    settings = load_settings()
    try:
        with db.session_scope(settings.database_url) as session:
            yield session
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        first_line = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause)
        raise click.ClickException(
            f"The store at {_safe_url(settings.database_url)} cannot be used ({first_line}). "
            "Is the database running, and has `cxdash init-db` been run?"
        ) from None


def _record(session: Session, action: str, username: str, detail: dict[str, Any]) -> None:
    audit.record(session, action, username=CLI_ACTOR, subject=username, detail=detail)


def _read_password(from_stdin: bool, username: str) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
    else:
        password = click.prompt(
            f"Password for {username}", hide_input=True, confirmation_prompt=True
        )
    try:
        accounts.check_password_rules(password, username=accounts.normalize_username(username))
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    return password


def _run(work: Callable[[Session], T]) -> T:
    with _store() as session:
        return work(session)


_ROLE = click.option(
    "--role",
    required=True,
    type=click.Choice(ROLES, case_sensitive=False),
    help="editor: drafts for its agencies; publisher: also approves and publishes; "
    "admin: everything, users and the audit log.",
)
_AGENCY = click.option(
    "--agency",
    "agencies",
    multiple=True,
    metavar="SLUG",
    help="An agency (its slug, as in /agency/<slug>) the account works for; repeat for more.",
)
_ALL_AGENCIES = click.option(
    "--all-agencies", is_flag=True, help="A publisher for every agency (not for editors)."
)
_PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)


@click.group("user")
def user_group() -> None:
    """Staff accounts of the workspace: add, change role, disable, enable, set password."""


@user_group.command("add")
@click.argument("username")
@_ROLE
@_AGENCY
@_ALL_AGENCIES
@click.option("--email", default=None, help="E-mail address (also matched by single sign-on).")
@click.option("--name", "display_name", default=None, help="The name the workspace shows.")
@_PASSWORD_STDIN
@click.option(
    "--no-password",
    is_flag=True,
    help="No password: the account signs in through OpenID Connect only.",
)
def add_user(
    username: str,
    role: str,
    agencies: tuple[str, ...],
    all_agencies: bool,
    email: str | None,
    display_name: str | None,
    password_stdin: bool,
    no_password: bool,
) -> None:
    """Add a staff account (asks for its password twice unless --password-stdin)."""
    if no_password and password_stdin:
        raise click.UsageError("Give --no-password or --password-stdin, not both.")
    try:
        accounts.check_username(username)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    password = None if no_password else _read_password(password_stdin, username)

    def work(session: Session) -> str:
        user = accounts.create_user(
            session,
            username,
            role,
            password=password,
            agencies=agencies,
            all_agencies=all_agencies,
            email=email,
            display_name=display_name,
            now=utcnow(),
        )
        detail = {
            "role": user.role,
            "agencies": sorted(agencies),
            "all_agencies": user.all_agencies,
            "password": password is not None,
        }
        _record(session, "user_added", user.username, detail)
        return user.username

    name = _run(work)
    click.echo(f"Added {name} ({role.lower()}).")


@user_group.command("set-role")
@click.argument("username")
@_ROLE
@_AGENCY
@_ALL_AGENCIES
def set_role(username: str, role: str, agencies: tuple[str, ...], all_agencies: bool) -> None:
    """Change an account's role (and agencies); it applies on the account's next request."""

    def work(session: Session) -> str:
        user = accounts.set_role(
            session,
            username,
            role,
            agencies=agencies or None,
            all_agencies=True if all_agencies else (False if agencies else None),
        )
        slugs = sorted(unit.slug for unit in user.agencies)
        detail = {"role": user.role, "agencies": slugs, "all_agencies": user.all_agencies}
        _record(session, "role_changed", user.username, detail)
        scope = "all agencies" if user.all_agencies or user.role == "admin" else ", ".join(slugs)
        return f"{user.username} is now {user.role} ({scope})."

    click.echo(_run(work))


@user_group.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Disable an account: no more sign-ins, and its open sessions end at once."""

    def work(session: Session) -> str:
        user = accounts.disable_user(session, username, now=utcnow())
        _record(session, "user_disabled", user.username, {})
        return user.username

    click.echo(f"Disabled {_run(work)}.")


@user_group.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Enable a disabled account again (also lifts a sign-in lockout)."""

    def work(session: Session) -> str:
        user = accounts.enable_user(session, username)
        _record(session, "user_enabled", user.username, {})
        return user.username

    click.echo(f"Enabled {_run(work)}.")


@user_group.command("set-password")
@click.argument("username")
@_PASSWORD_STDIN
def set_password(username: str, password_stdin: bool) -> None:
    """Set an account's password; its open sessions end and a lockout is lifted."""
    _run(lambda session: accounts.find_user(session, username))  # an unknown name: no prompt
    password = _read_password(password_stdin, username)

    def work(session: Session) -> str:
        user = accounts.set_password(session, username, password)
        _record(session, "password_set", user.username, {})
        return user.username

    click.echo(f"Password set for {_run(work)}.")


@user_group.command("list")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def list_users(output_format: str) -> None:
    """List the staff accounts."""
    rows = _run(accounts.list_users)
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No staff accounts yet. Add the first admin with:")
        click.echo("    cxdash user add USERNAME --role admin")
        return
    table = [("USERNAME", "ROLE", "AGENCIES", "STATE", "LAST SIGN-IN")]
    for row in rows:
        state = "disabled" if row["disabled"] else ("locked" if row["locked"] else "active")
        scope = "all" if row["all_agencies"] else ",".join(row["agencies"]) or "-"
        table.append(
            (row["username"], row["role"], scope, state, (row["last_sign_in_at"] or "-")[:16])
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
