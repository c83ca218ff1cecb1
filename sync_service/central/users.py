"""Head-office users: the people who sign in to the dashboard, with argon2id password hashes.

Roles: ``admin`` (everything), ``analyst`` (reads every outlet), ``outlet_manager`` (one
outlet, so the outlet is required for that role and refused for the others).

Every sign-in, let in or refused, leaves one row in the head-office audit trail
(``sign_in.ok`` / ``sign_in.failed``) with the address it came from and, for a refusal, why. A
refusal names the account only when the email typed is one; what was typed for an unknown
account is not kept (people type passwords into the email box).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync_service.central.models import HeadOfficeAudit, HeadOfficeUser, Outlet
from sync_service.central.second_factor import matching_step

Role = Literal["admin", "analyst", "outlet_manager"]
ROLES: tuple[Role, ...] = ("admin", "analyst", "outlet_manager")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; this only stops absurd input
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# argon2-cffi's defaults (RFC 9106 low-memory profile): a dashboard sign-in can afford them.
_hasher = PasswordHasher()


class UserError(ValueError):
    """A user that cannot be created; the message says why and what to do."""


@dataclass(frozen=True)
class HeadOfficeAccount:
    user_id: uuid.UUID
    email: str
    role: Role
    outlet_id: uuid.UUID | None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    engine: Engine, *, email: str, password: str, role: str, outlet_code: str | None
) -> uuid.UUID:
    """A new, active head-office user; raises ``UserError`` with what to change."""
    address = normalise_email(email)
    if not _EMAIL.fullmatch(address) or len(address) > 254:
        raise UserError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "outlet_manager" and not outlet_code:
        raise UserError("an outlet_manager needs an outlet: give --outlet CODE")
    if role != "outlet_manager" and outlet_code:
        raise UserError(f"an {role} sees every outlet; leave out the outlet")
    check_password(password)
    user_id = uuid.uuid4()
    try:
        with Session(engine) as s, s.begin():
            outlet_id = None
            if outlet_code:
                outlet_id = s.scalar(
                    select(Outlet.outlet_id).where(Outlet.code == outlet_code.strip().upper())
                )
                if outlet_id is None:
                    raise UserError(f"there is no outlet with code {outlet_code!r}")
            s.add(
                HeadOfficeUser(
                    user_id=user_id,
                    email=address,
                    password_hash=hash_password(password),
                    role=role,
                    outlet_id=outlet_id,
                    active=True,
                )
            )
    except IntegrityError:
        raise UserError(f"a user with email {address} already exists") from None
    return user_id


def check_password(password: str) -> None:
    """A password head office accepts: long enough to resist guessing, not absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_is(engine: Engine, user_id: uuid.UUID, password: str) -> bool:
    """Whether ``password`` is the user's (asked again before they change it)."""
    with Session(engine) as s:
        stored = s.scalar(
            select(HeadOfficeUser.password_hash).where(HeadOfficeUser.user_id == user_id)
        )
    return _verify(stored or _dummy_hash(), password) and stored is not None


def verify_user(engine: Engine, email: str, password: str) -> HeadOfficeAccount | None:
    """The active user with this email and password, or None (for any reason: say nothing).
    Users with a second factor need :func:`sign_in`."""
    return sign_in(engine, SignInAttempt(email, password, "", "check"), now=None, audit=False)


@dataclass(frozen=True)
class SignInAttempt:
    email: str
    password: str
    code: str  # from the authenticator app; "" when none was typed
    address: str  # where the attempt came from, for the audit trail


def sign_in(
    engine: Engine, attempt: SignInAttempt, *, now: datetime | None, audit: bool = True
) -> HeadOfficeAccount | None:
    """The account when the email, the password and (if it has one) the authenticator code
    are right; None otherwise, whatever the reason, which only the audit trail records."""
    with Session(engine) as s, s.begin():
        user = s.scalars(
            select(HeadOfficeUser)
            .where(HeadOfficeUser.email == normalise_email(attempt.email))
            .with_for_update()  # two servers checking one code: one of them accepts it
        ).first()
        # The password is hashed in every case, so time does not tell what was wrong.
        right = _verify(user.password_hash if user else _dummy_hash(), attempt.password)
        refused = _refusal(user, right, attempt, now)
        if audit:
            s.add(_audit_row(user, refused, attempt.address))
        if user is None or refused is not None:
            return None
        if now is not None:
            user.last_sign_in_at = now
        if _hasher.check_needs_rehash(user.password_hash):
            # Parameters were raised since this hash was made: upgrade it while we know it.
            user.password_hash = hash_password(attempt.password)
        return HeadOfficeAccount(
            user_id=user.user_id,
            email=user.email,
            role=cast(Role, user.role),
            outlet_id=user.outlet_id,
        )


def _refusal(
    user: HeadOfficeUser | None, right: bool, attempt: SignInAttempt, now: datetime | None
) -> str | None:
    if user is None:
        return "unknown account"
    if not right:
        return "wrong password"
    if not user.active:
        return "account deactivated"
    if user.totp_secret is None:
        return None
    step = matching_step(user.totp_secret, attempt.code, now or datetime.now(UTC))
    if step is None:
        return "authenticator code missing or wrong"
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return "authenticator code used already"
    user.totp_last_step = step  # written with the audit row: each code signs in once
    return None


def _audit_row(user: HeadOfficeUser | None, refused: str | None, address: str) -> HeadOfficeAudit:
    after: dict[str, Any] = {"address": address[:64]}
    if refused is not None:
        after["reason"] = refused
    elif user is not None:
        after["second_factor"] = user.totp_secret is not None
    return HeadOfficeAudit(
        table_name="sign_in",
        key=str(user.user_id) if user else "unknown account",
        op="ok" if refused is None else "failed",
        before=None,
        after=after,
        changed_by=user.email if user else "(unknown account)",
    )


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs as long as a wrong
    password and response times do not reveal who has an account."""
    return _hasher.hash("not a real password, only for timing")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
