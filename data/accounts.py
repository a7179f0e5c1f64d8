"""Staff accounts (issue 10): password hashes, roles and agency rights, sign-in and lockout.

The rules live here, as plain functions of a SQLAlchemy session; the web layer
(``dashboard.web.staff_auth``) and the ``cxdash user`` commands only call them. Functions
write in the caller's transaction and never commit.

Passwords are hashed with scrypt (RFC 7914, ``hashlib.scrypt``) and stored as a PHC-like
string that names its parameters, so stronger parameters can be introduced later without
breaking the hashes already stored: ``scrypt$n=32768,r=8,p=1$<salt>$<hash>`` (base64).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.infra.models import ROLES, Unit, User, user_agencies, utcnow
from data.agency_scope import agency_by_slug

#: scrypt cost: 2**15 x 8 x 1 takes ~32 MiB and some tens of milliseconds per hash, the
#: interactive-login parameters recommended by OWASP's password storage cheat sheet.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
#: Largest parameters a stored hash may name (a tampered row must not exhaust memory).
_MAX_N, _MAX_R, _MAX_P = 2**20, 32, 16
_SALT_BYTES = 16
_HASH_BYTES = 32

PASSWORD_MIN_LENGTH = 12
#: Longer passwords are refused: hashing megabytes of input is a denial of service.
PASSWORD_MAX_LENGTH = 1024

#: Usernames: lower case letters, digits and . _ - @ (an e-mail address is a username too).
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,119}$")

SignInOutcome = Literal["ok", "bad_credentials", "locked", "disabled"]


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


# --- passwords --------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * r * n + 1024 * 1024,
        dklen=length,
    )


def check_password_rules(password: str, *, username: str | None = None) -> None:
    """Raise AccountError when ``password`` may not be used (length; not the username)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(
            f"The password is too short: use at least {PASSWORD_MIN_LENGTH} characters "
            "(a few unrelated words make a long password that is easy to remember)."
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(f"The password is too long: at most {PASSWORD_MAX_LENGTH} characters.")
    if not password.strip():
        raise AccountError("The password may not be only spaces.")
    if username is not None and password.strip().lower() == username.lower():
        raise AccountError("The password may not be the username.")


def hash_password(password: str) -> str:
    """The scrypt hash of ``password`` with a random salt, as a self-describing string."""
    check_password_rules(password)
    return _hash(password)


def _hash(password: str) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, _HASH_BYTES)
    return f"scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    try:
        scheme, params, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return None
        values = dict(part.split("=", 1) for part in params.split(","))
        n, r, p = int(values["n"]), int(values["r"]), int(values["p"])
        salt_bytes, digest_bytes = _unb64(salt), _unb64(digest)
    except (ValueError, KeyError):
        return None
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
        return None
    if not 8 <= len(digest_bytes) <= 128:
        return None
    return n, r, p, salt_bytes, digest_bytes


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (compared in constant time); False for a
    missing or unreadable hash and for a password longer than any that can be set."""
    if stored is None or len(password) > PASSWORD_MAX_LENGTH:
        return False
    parsed = _parse_hash(stored)
    if parsed is None:
        return False
    n, r, p, salt, digest = parsed
    return hmac.compare_digest(_scrypt(password, salt, n, r, p, len(digest)), digest)


@functools.cache
def _dummy_hash() -> str:
    """A hash nobody knows the password of: checked for unknown usernames so that a sign-in
    takes as long whether or not the account exists."""
    return _hash(secrets.token_urlsafe(24))


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` uses weaker parameters than today's (rehash on the next sign-in)."""
    parsed = _parse_hash(stored)
    return parsed is None or parsed[:3] != (SCRYPT_N, SCRYPT_R, SCRYPT_P)


# --- who may do what ----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    """A signed-in staff member as the server sees them on this request."""

    id: int
    username: str
    display_name: str | None
    role: str
    all_agencies: bool
    agency_ids: frozenset[int]
    session_version: int

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_publisher(self) -> bool:
        """A publisher or an admin: may approve, send back and publish."""
        return self.role in ("publisher", "admin")

    @property
    def agency_scope(self) -> frozenset[int] | None:
        """The agencies this member works for; None: every agency (admins and all-agencies
        publishers; an editor is never all-agencies)."""
        if self.is_admin or (self.role == "publisher" and self.all_agencies):
            return None
        return self.agency_ids

    def can_edit(self, agency_id: int | None) -> bool:
        """May write drafts for ``agency_id`` (the agency the server found for the row)."""
        if agency_id is None:
            return False
        scope = self.agency_scope
        return scope is None or agency_id in scope

    def can_publish(self, agency_id: int | None) -> bool:
        """May approve, send back and publish ``agency_id``'s drafts."""
        return self.is_publisher and self.can_edit(agency_id)

    @property
    def name(self) -> str:
        """What the interface calls this member."""
        return self.display_name or self.username


@dataclass(frozen=True)
class SignInResult:
    """What :func:`authenticate` found. ``user_id`` is set when the account exists."""

    outcome: SignInOutcome
    username: str
    user_id: int | None = None
    session_version: int | None = None
    #: Until when the account is locked ("locked" outcomes).
    locked_until: dt.datetime | None = None
    #: This attempt is the one that locked the account.
    just_locked: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


# --- helpers ------------------------------------------------------------------------------


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back without their zone; they were stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def check_username(username: str) -> str:
    """The normalized username, or AccountError saying what is wrong with it."""
    name = normalize_username(username)
    if not USERNAME_PATTERN.match(name):
        raise AccountError(
            f"{username!r} is not a valid username: use 2 to 120 characters, lower case "
            "letters, digits and . _ - @, starting with a letter or digit."
        )
    return name


def _check_role(role: str) -> str:
    value = (role or "").strip().lower()
    if value not in ROLES:
        raise AccountError(f"{role!r} is not a role: choose one of {', '.join(ROLES)}.")
    return value


def _agencies(session: Session, slugs: Iterable[str]) -> list[Unit]:
    found: list[Unit] = []
    unknown: list[str] = []
    for slug in dict.fromkeys(s.strip() for s in slugs if s and s.strip()):
        agency_id = agency_by_slug(session, slug)
        if agency_id is None:
            unknown.append(slug)
        else:
            found.append(session.get_one(Unit, agency_id))
    if unknown:
        raise AccountError(
            f"No agency has the slug {', '.join(repr(s) for s in unknown)} "
            "(an agency's slug is the last part of its page address, /agency/<slug>)."
        )
    return found


def _check_scope(role: str, agencies: list[Unit], all_agencies: bool) -> None:
    if role == "editor" and all_agencies:
        raise AccountError(
            "An editor works for named agencies only: give --agency, not --all-agencies."
        )
    if role == "admin" and agencies:
        raise AccountError("An admin has every agency already: leave out --agency.")
    if role == "publisher" and all_agencies and agencies:
        raise AccountError("Give either --agency or --all-agencies, not both.")
    if role in ("editor", "publisher") and not all_agencies and not agencies:
        raise AccountError(
            f"A {role} needs at least one agency: give --agency SLUG"
            + (" or --all-agencies." if role == "publisher" else ".")
        )


def find_user(session: Session, username: str) -> User:
    """The account named ``username``, or AccountError."""
    user = session.scalar(select(User).where(User.username == normalize_username(username)))
    if user is None:
        raise AccountError(f"There is no account named {username!r}.")
    return user


# --- account management -------------------------------------------------------------------


def create_user(
    session: Session,
    username: str,
    role: str,
    *,
    password: str | None = None,
    agencies: Iterable[str] = (),
    all_agencies: bool = False,
    email: str | None = None,
    display_name: str | None = None,
    now: dt.datetime | None = None,
) -> User:
    """A new account. ``agencies`` are agency slugs. No password: OpenID Connect sign-in only."""
    name = check_username(username)
    role = _check_role(role)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise AccountError(f"There is already an account named {name!r}.")
    units = _agencies(session, agencies)
    _check_scope(role, units, all_agencies)
    if password is not None:
        check_password_rules(password, username=name)
    email = (email or "").strip() or None
    if email is not None and (len(email) > 320 or "@" not in email):
        raise AccountError(f"{email!r} is not an e-mail address.")
    display_name = (display_name or "").strip() or None
    if display_name is not None and len(display_name) > 200:
        raise AccountError("The display name is too long: at most 200 characters.")
    user = User(
        username=name,
        role=role,
        all_agencies=all_agencies and role != "admin",
        email=email,
        display_name=display_name,
        password_hash=hash_password(password) if password is not None else None,
        failed_sign_ins=0,
        session_version=1,
        created_at=now or utcnow(),
    )
    user.agencies = units
    session.add(user)
    session.flush()
    return user


def set_role(
    session: Session,
    username: str,
    role: str,
    *,
    agencies: Iterable[str] | None = None,
    all_agencies: bool | None = None,
) -> User:
    """Change an account's role and agencies (None keeps them, where the role allows).

    Takes effect on the account's next request: every request reloads the account.
    """
    user = find_user(session, username)
    role = _check_role(role)
    units = _agencies(session, agencies) if agencies is not None else list(user.agencies)
    if all_agencies is None:
        all_agencies = user.all_agencies and role == "publisher" and agencies is None
    if role == "admin":
        if agencies is not None:
            _check_scope(role, units, all_agencies)
        units, all_agencies = [], False
    elif all_agencies and agencies is None:
        units = []
    _check_scope(role, units, all_agencies)
    user.role = role
    user.all_agencies = all_agencies
    user.agencies = units
    session.flush()
    return user


def disable_user(session: Session, username: str, *, now: dt.datetime | None = None) -> User:
    """Disable an account: it can no longer sign in and its sessions end at once."""
    user = find_user(session, username)
    if user.disabled_at is None:
        user.disabled_at = now or utcnow()
        user.session_version += 1
    session.flush()
    return user


def enable_user(session: Session, username: str) -> User:
    """Enable a disabled account again (and lift a lockout)."""
    user = find_user(session, username)
    user.disabled_at = None
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    return user


def set_password(session: Session, username: str, password: str) -> User:
    """Set a new password; every session of the account ends and a lockout is lifted."""
    user = find_user(session, username)
    check_password_rules(password, username=user.username)
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    return user


def end_all_sessions(session: Session, user_id: int) -> None:
    """End every session of the account (signing out signs out everywhere)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1
        session.flush()


def _iso(moment: dt.datetime | None) -> str | None:
    moment = _aware(moment)
    return moment.isoformat() if moment is not None else None


def list_users(session: Session) -> list[dict[str, Any]]:
    """Every account, by username: role, agencies (slugs), state. Never the password hash."""
    slugs = {row.id: row.slug for row in session.execute(select(Unit.id, Unit.slug))}
    memberships: dict[int, list[str]] = {}
    for row in session.execute(select(user_agencies.c.user_id, user_agencies.c.unit_id)):
        memberships.setdefault(row.user_id, []).append(slugs.get(row.unit_id, str(row.unit_id)))
    now = utcnow()
    rows = []
    for user in session.scalars(select(User).order_by(User.username)):
        locked_until = _aware(user.locked_until)
        rows.append(
            {
                "id": user.id,
                "username": user.username,
                "display_name": user.display_name,
                "email": user.email,
                "role": user.role,
                "all_agencies": user.role == "admin" or bool(user.all_agencies),
                "agencies": sorted(memberships.get(user.id, [])),
                "disabled": user.disabled_at is not None,
                "disabled_at": _iso(user.disabled_at),
                "locked": locked_until is not None and locked_until > now,
                "locked_until": _iso(locked_until),
                "has_password": user.password_hash is not None,
                "single_sign_on": user.oidc_subject is not None,
                "last_sign_in_at": _iso(user.last_sign_in_at),
                "created_at": _iso(user.created_at),
            }
        )
    return rows


def staff_member(session: Session, user: User) -> StaffMember:
    agency_ids = session.scalars(
        select(user_agencies.c.unit_id).where(user_agencies.c.user_id == user.id)
    ).all()
    return StaffMember(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        all_agencies=bool(user.all_agencies) and user.role != "editor",
        agency_ids=frozenset(agency_ids),
        session_version=user.session_version,
    )


def load_staff(session: Session, user_id: int, session_version: int) -> StaffMember | None:
    """The account behind a session, as it is now; None when it is gone, disabled or its
    sessions were ended (another ``session_version``)."""
    user = session.get(User, user_id)
    if user is None or user.disabled_at is not None or user.session_version != session_version:
        return None
    return staff_member(session, user)


# --- sign-in ------------------------------------------------------------------------------


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    now: dt.datetime,
    lockout_after: int,
    lockout_minutes: int,
) -> SignInResult:
    """Check a username and password; count failures and lock the account after
    ``lockout_after`` in a row, for ``lockout_minutes``.

    A locked account is refused even with the right password, and its failures are not counted
    while locked (the lock does not grow). Unknown accounts, accounts without a password
    (single sign-on only) and wrong passwords take the same time and give the same outcome.
    Writes in the caller's transaction; the caller writes the audit entry.
    """
    name = normalize_username(username)[:120]
    user = None
    if USERNAME_PATTERN.match(name):
        user = session.scalar(select(User).where(User.username == name).with_for_update())
    if user is None or user.password_hash is None:
        verify_password(password, _dummy_hash())
        return SignInResult("bad_credentials", name, user.id if user is not None else None)
    locked_until = _aware(user.locked_until)
    password_ok = verify_password(password, user.password_hash)
    if locked_until is not None and locked_until > now:
        return SignInResult("locked", name, user.id, locked_until=locked_until)
    if not password_ok:
        if user.disabled_at is not None:
            return SignInResult("bad_credentials", name, user.id)
        failures = (user.failed_sign_ins or 0) + 1
        if failures >= lockout_after:
            until = now + dt.timedelta(minutes=lockout_minutes)
            user.failed_sign_ins = 0
            user.locked_until = until
            session.flush()
            return SignInResult("locked", name, user.id, locked_until=until, just_locked=True)
        user.failed_sign_ins = failures
        session.flush()
        return SignInResult("bad_credentials", name, user.id)
    if user.disabled_at is not None:
        return SignInResult("disabled", name, user.id)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = _hash(password)
    session.flush()
    return SignInResult("ok", name, user.id, user.session_version)


def note_sign_in(session: Session, user_id: int, *, now: dt.datetime) -> None:
    """Stamp a sign-in that did not go through :func:`authenticate` (OpenID Connect)."""
    user = session.get(User, user_id)
    if user is not None:
        user.last_sign_in_at = now
        session.flush()
