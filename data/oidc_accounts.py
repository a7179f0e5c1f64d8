"""Which staff account an OpenID Connect identity signs in as (issue 10).

An identity is its issuer and subject (``iss``, ``sub``): stable at the provider, unlike an
email address. The first sign-in of an account is matched by the email address the provider
has *verified*, and links the account to that identity; every later sign-in goes by the link.
Accounts are never created here: an administrator grants a role and agencies first
(``cxdash user add NAME --role editor --agency SLUG --email E --no-password``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.infra.models import User, utcnow

#: Why an identity signs in as no account (the audit log records it; the page does not say).
NO_ACCOUNT = "no_account"
EMAIL_NOT_VERIFIED = "email_not_verified"
LINKED_TO_ANOTHER_IDENTITY = "linked_to_another_identity"
AMBIGUOUS_EMAIL = "ambiguous_email"
DISABLED = "disabled"
LOCKED = "locked"


@dataclass(frozen=True)
class IdentityMatch:
    """The account an identity signs in as, or why there is none."""

    user: User | None
    refusal: str | None = None
    #: The account was linked to the identity by this match (its first OIDC sign-in).
    linked: bool = False


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every time stored is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _refusal_of(user: User, now: dt.datetime) -> str | None:
    if user.disabled_at is not None:
        return DISABLED
    if user.locked_until is not None and _aware(user.locked_until) > now:
        return LOCKED
    return None


def match_identity(
    session: Session,
    *,
    issuer: str,
    subject: str,
    email: str | None,
    email_verified: bool,
    now: dt.datetime | None = None,
) -> IdentityMatch:
    """The account ``(issuer, subject)`` signs in as, linking it on its first sign-in.

    An account already linked to the identity is the one, whatever its email says now. Else an
    account whose email is ``email`` (case-insensitive), when the provider verified it and the
    account is linked to no other identity: it is linked (in the caller's transaction).
    Disabled and locked accounts are refused, and so is an address two accounts share.
    """
    now = now or utcnow()
    linked = session.scalars(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    ).one_or_none()
    if linked is not None:
        refusal = _refusal_of(linked, now)
        return IdentityMatch(None, refusal) if refusal else IdentityMatch(linked)

    address = (email or "").strip().lower()
    if not address:
        return IdentityMatch(None, NO_ACCOUNT)
    candidates = session.scalars(
        select(User).where(func.lower(func.trim(User.email)) == address)
    ).all()
    if not candidates:
        return IdentityMatch(None, NO_ACCOUNT)
    if not email_verified:
        return IdentityMatch(None, EMAIL_NOT_VERIFIED)
    if len(candidates) > 1:
        return IdentityMatch(None, AMBIGUOUS_EMAIL)
    user = candidates[0]
    if user.oidc_subject is not None or user.oidc_issuer is not None:
        return IdentityMatch(None, LINKED_TO_ANOTHER_IDENTITY)
    refusal = _refusal_of(user, now)
    if refusal:
        return IdentityMatch(None, refusal)
    user.oidc_issuer = issuer
    user.oidc_subject = subject
    session.flush()
    return IdentityMatch(user, linked=True)


def find_user_for_identity(
    session: Session,
    *,
    issuer: str,
    subject: str,
    email: str | None,
    email_verified: bool,
    now: dt.datetime | None = None,
) -> User | None:
    """The enabled, unlocked account the identity signs in as, or None (see match_identity)."""
    return match_identity(
        session,
        issuer=issuer,
        subject=subject,
        email=email,
        email_verified=email_verified,
        now=now,
    ).user
