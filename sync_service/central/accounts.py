"""Looking after head-office accounts: the users list, password resets, deactivation, and the
second factor. The write side of the dashboard's Users and Account pages and of the
``sgpos-central`` account commands.

Every change runs as a head-office edit naming who made it and leaves a ``ho_user`` row in the
audit trail, never with a password, a hash or a second-factor secret in it. A reset password
or a deactivation signs the user out everywhere at once (sessions live in the database). No
one may deactivate their own account, and the last active admin stays: someone must be able
to sign in and put things right.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, true, update

from shared.logs import get_logger
from sync_service.central.admin.edits import AdminError, head_office_edit, record_edit
from sync_service.central.models import HeadOfficeSession, HeadOfficeUser, Outlet
from sync_service.central.second_factor import is_secret, matching_step
from sync_service.central.users import (
    UserError,
    check_password,
    hash_password,
    normalise_email,
    password_is,
)

log = get_logger("sgpos.accounts")


@dataclass(frozen=True)
class UserRow:
    user_id: uuid.UUID
    email: str
    role: str
    outlet_code: str | None
    active: bool
    second_factor: bool
    created_at: datetime
    last_sign_in_at: datetime | None


def list_users(conn: Connection) -> list[UserRow]:
    """Every head-office user, admins first, then by email."""
    rows = conn.execute(
        select(
            HeadOfficeUser.user_id,
            HeadOfficeUser.email,
            HeadOfficeUser.role,
            Outlet.code,
            HeadOfficeUser.active,
            HeadOfficeUser.totp_secret.is_not(None),
            HeadOfficeUser.created_at,
            HeadOfficeUser.last_sign_in_at,
        )
        .outerjoin(Outlet, Outlet.outlet_id == HeadOfficeUser.outlet_id)
        .order_by(HeadOfficeUser.role != "admin", HeadOfficeUser.email)
    ).all()
    return [UserRow(*row) for row in rows]


def find_user(conn: Connection, user_id: uuid.UUID) -> UserRow | None:
    return next((u for u in list_users(conn) if u.user_id == user_id), None)


def user_by_email(engine: Engine, email: str) -> uuid.UUID:
    with engine.connect() as conn:
        user_id = conn.scalar(
            select(HeadOfficeUser.user_id).where(HeadOfficeUser.email == normalise_email(email))
        )
    if user_id is None:
        raise AdminError(f"there is no head-office user {normalise_email(email)}")
    return user_id


def _user(conn: Connection, user_id: uuid.UUID) -> Any:
    user = conn.execute(
        select(HeadOfficeUser.email, HeadOfficeUser.role, HeadOfficeUser.active)
        .where(HeadOfficeUser.user_id == user_id)
        .with_for_update()
    ).first()
    if user is None:
        raise AdminError("there is no such user; nothing was changed")
    return user


def _sign_out_everywhere(conn: Connection, user_id: uuid.UUID, *, but: str | None = None) -> None:
    keep = HeadOfficeSession.token_hash != but if but is not None else true()
    conn.execute(delete(HeadOfficeSession).where(HeadOfficeSession.user_id == user_id, keep))


def _audit(conn: Connection, user_id: uuid.UUID, after: dict[str, Any]) -> None:
    record_edit(conn, table="ho_user", key=str(user_id), op="update", before=None, after=after)


def reset_password(engine: Engine, actor: str, user_id: uuid.UUID, password: str) -> str:
    """An administrator sets a new password for someone who forgot theirs; their sessions
    end. Returns the user's email."""
    try:
        check_password(password)
    except UserError as exc:
        raise AdminError(str(exc)) from None
    with head_office_edit(engine, actor) as conn:
        user = _user(conn, user_id)
        conn.execute(
            update(HeadOfficeUser)
            .where(HeadOfficeUser.user_id == user_id)
            .values(password_hash=hash_password(password))
        )
        _sign_out_everywhere(conn, user_id)
        _audit(conn, user_id, {"email": user.email, "password_reset": True})
    log.info("ho_user.password_reset", user_id=str(user_id))
    return str(user.email)


def set_active(
    engine: Engine, actor: str, user_id: uuid.UUID, *, active: bool, by: uuid.UUID | None
) -> str:
    """Let a user sign in again, or stop them (signed out everywhere at once). ``by`` is the
    acting user (None on the command line): nobody deactivates themselves."""
    with head_office_edit(engine, actor) as conn:
        user = _user(conn, user_id)
        if user.active == active:
            state = "active" if active else "deactivated"
            raise AdminError(f"{user.email} is already {state}; nothing was changed")
        if not active:
            if user_id == by:
                raise AdminError("you cannot deactivate your own account; ask another admin")
            admins = conn.scalar(
                select(func.count()).where(
                    HeadOfficeUser.role == "admin", HeadOfficeUser.active.is_(True)
                )
            )
            if user.role == "admin" and admins == 1:
                raise AdminError(
                    f"{user.email} is the last active admin; make or reactivate another admin "
                    "first, or nobody could put things right"
                )
            _sign_out_everywhere(conn, user_id)
        conn.execute(
            update(HeadOfficeUser).where(HeadOfficeUser.user_id == user_id).values(active=active)
        )
        _audit(conn, user_id, {"email": user.email, "active": active})
    log.info("ho_user.activation", user_id=str(user_id), active=active)
    return str(user.email)


def remove_second_factor(engine: Engine, actor: str, user_id: uuid.UUID) -> str:
    """For an admin who lost the phone: they sign in with the password alone again."""
    with head_office_edit(engine, actor) as conn:
        user = _user(conn, user_id)
        changed = conn.execute(
            update(HeadOfficeUser)
            .where(HeadOfficeUser.user_id == user_id, HeadOfficeUser.totp_secret.is_not(None))
            .values(totp_secret=None, totp_last_step=None)
        ).rowcount
        if not changed:
            raise AdminError(f"{user.email} has no authenticator app set up; nothing was changed")
        _audit(conn, user_id, {"email": user.email, "second_factor": False})
    log.info("ho_user.second_factor_removed", user_id=str(user_id))
    return str(user.email)


# --- what a signed-in user does to their own account -------------------------------------------


def change_own_password(
    engine: Engine, user_id: uuid.UUID, email: str, current: str, new: str, *, session: str
) -> None:
    """The user's own new password, given the current one; their other sessions end."""
    if not password_is(engine, user_id, current):
        raise AdminError("the current password is not right; nothing was changed")
    try:
        check_password(new)
    except UserError as exc:
        raise AdminError(str(exc)) from None
    with head_office_edit(engine, email) as conn:
        conn.execute(
            update(HeadOfficeUser)
            .where(HeadOfficeUser.user_id == user_id)
            .values(password_hash=hash_password(new))
        )
        _sign_out_everywhere(conn, user_id, but=session)
        _audit(conn, user_id, {"email": email, "password_changed": True})
    log.info("ho_user.password_changed", user_id=str(user_id))


def add_second_factor(
    engine: Engine, user_id: uuid.UUID, email: str, secret: str, code: str, *, now: datetime
) -> None:
    """Turn on the authenticator app whose secret was shown, once a code from it matches (so
    nobody is locked out by a mistyped secret)."""
    if not is_secret(secret):
        raise AdminError("the set-up was out of date; start again")
    step = matching_step(secret, code, now)
    if step is None:
        raise AdminError(
            "that code does not match: check the phone's clock and type the six digits the "
            "app shows now"
        )
    with head_office_edit(engine, email) as conn:
        conn.execute(
            update(HeadOfficeUser)
            .where(HeadOfficeUser.user_id == user_id)
            .values(totp_secret=secret, totp_last_step=step)
        )
        _audit(conn, user_id, {"email": email, "second_factor": True})
    log.info("ho_user.second_factor_added", user_id=str(user_id))
