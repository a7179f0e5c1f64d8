"""Which errors mean "the data store cannot be read" (dashboard/web/outage.py)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import exc as sa_exc

from dashboard.web.outage import is_store_outage


def wrapped(orig: Exception) -> sa_exc.DBAPIError:
    """What SQLAlchemy raises for a driver error: its own class, the driver's as the cause."""
    error = sa_exc.DBAPIError.instance("SELECT 1", {}, orig, psycopg.Error)
    error.__cause__ = orig
    return error


def raised_from(cause: BaseException) -> Exception:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise RuntimeError("while computing a cached value") from inner
    except RuntimeError as outer:
        return outer


def raised_during(cause: BaseException) -> Exception:
    """An error raised while handling ``cause`` (implicit chaining, no ``from``)."""
    try:
        try:
            raise cause
        except BaseException:
            raise KeyError("the cleanup failed too")  # noqa: B904  # implicit chaining on purpose
    except KeyError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        wrapped(psycopg.OperationalError("connection refused")),
        wrapped(psycopg.InterfaceError("the connection is closed")),
        psycopg.OperationalError("connection refused"),  # unwrapped
        sqlite3.OperationalError("unable to open database file"),
        sa_exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: unit")),
        sa_exc.TimeoutError("QueuePool limit reached"),
        raised_from(psycopg.OperationalError("server closed the connection")),
        raised_from(sa_exc.OperationalError("SELECT 1", {}, Exception("down"))),
        raised_during(sqlite3.OperationalError("disk I/O error")),
    ],
    ids=lambda error: type(error).__name__ + ":" + str(error)[:30],
)
def test_store_errors_wrapped_or_not_are_outages(error):
    assert is_store_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        None,
        # The values a request sent did not fit (e.g. an integer overflow): a 4xx or a bug to
        # fix, never "come back later".
        wrapped(psycopg.errors.NumericValueOutOfRange("bigint out of range")),
        sa_exc.DataError("SELECT 1", {}, sqlite3.DataError("too big")),
        raised_from(psycopg.DataError("bad value")),
    ],
)
def test_other_errors_are_not_outages(error):
    assert not is_store_outage(error)
