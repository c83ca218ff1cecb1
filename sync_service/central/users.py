"""Head-office users: the people who sign in to the dashboard, with argon2id password hashes.

Roles: ``admin`` (everything), ``analyst`` (reads every outlet), ``outlet_manager`` (one
outlet, so the outlet is required for that role and refused for the others).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Literal, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync_service.central.models import HeadOfficeUser, Outlet

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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
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
                    password_hash=_hasher.hash(password),
                    role=role,
                    outlet_id=outlet_id,
                    active=True,
                )
            )
    except IntegrityError:
        raise UserError(f"a user with email {address} already exists") from None
    return user_id


def verify_user(engine: Engine, email: str, password: str) -> HeadOfficeAccount | None:
    """The active user with this email and password, or None (for any reason: say nothing)."""
    with Session(engine) as s:
        user = s.scalars(
            select(HeadOfficeUser).where(HeadOfficeUser.email == normalise_email(email))
        ).first()
        if user is None or not user.active:
            _verify(_dummy_hash(), password)
            return None
        if not _verify(user.password_hash, password):
            return None
        account = HeadOfficeAccount(
            user_id=user.user_id,
            email=user.email,
            role=cast(Role, user.role),
            outlet_id=user.outlet_id,
        )
        stored_hash = user.password_hash
    if _hasher.check_needs_rehash(stored_hash):
        # Parameters were raised since this hash was made: upgrade it while we know the password.
        with Session(engine) as s, s.begin():
            s.execute(
                update(HeadOfficeUser)
                .where(HeadOfficeUser.user_id == account.user_id)
                .values(password_hash=_hasher.hash(password))
            )
    return account


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
