"""Tills as head office knows them: one-time enrolment codes, credentials and revocation.

A till's secret is 256 random bits shown to it once at enrolment; only its SHA-256 is stored
(a slow password hash buys nothing against a random secret of that size, and every request
checks it). Enrolment codes are stored hashed too, are short-lived and work once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from shared.protocol import EnrolOk
from sync_service.central.models import EnrolmentCode, Outlet, Till

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_VALIDITY = timedelta(hours=48)


class EnrolmentError(ValueError):
    """An enrolment code that cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class TillAuth:
    till_id: uuid.UUID
    outlet_id: uuid.UUID
    outlet_code: str
    till_code: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _normalise(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def create_enrolment_code(
    engine: Engine,
    *,
    outlet_code: str,
    till_code: str,
    created_by: str,
    now: datetime,
    valid_for: timedelta = CODE_VALIDITY,
) -> str:
    """A one-time code like ``K7QX-MP3D-9WTR`` for enrolling ``till_code`` at ``outlet_code``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    with Session(engine, expire_on_commit=False) as s, s.begin():
        outlet = s.scalars(select(Outlet).where(Outlet.code == outlet_code.upper())).first()
        if outlet is None:
            raise EnrolmentError(f"there is no outlet with code {outlet_code!r}")
        s.add(
            EnrolmentCode(
                code_hash=_digest(code),
                outlet_id=outlet.outlet_id,
                till_code=till_code.upper(),
                created_by=created_by,
                created_at=now,
                expires_at=now + valid_for,
            )
        )
    return code


def enrol(engine: Engine, *, code: str, now: datetime) -> EnrolOk:
    """Use a one-time code: create (or re-issue) the till and return its identity and secret."""
    secret = secrets.token_urlsafe(32)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        row = s.scalars(
            select(EnrolmentCode)
            .where(EnrolmentCode.code_hash == _digest(_normalise(code)))
            .with_for_update()
        ).first()
        if row is None or row.revoked_at is not None:
            raise EnrolmentError("this enrolment code is not valid; ask head office for a new one")
        if row.used_at is not None:
            raise EnrolmentError(
                "this enrolment code was already used; ask head office for a new one"
            )
        if row.expires_at <= now:
            raise EnrolmentError("this enrolment code has expired; ask head office for a new one")
        outlet = s.get(Outlet, row.outlet_id)
        assert outlet is not None
        till = s.scalars(
            select(Till).where(Till.outlet_id == row.outlet_id, Till.code == row.till_code)
        ).first()
        if till is None:
            till = Till(till_id=uuid.uuid4(), outlet_id=row.outlet_id, code=row.till_code)
            s.add(till)
        # Re-enrolling a till (a replaced machine) issues a new secret; the old one stops working.
        till.secret_hash = _digest(secret)
        till.status = "active"
        till.revoked_at = None
        till.enrolled_at = now
        row.used_at, row.till_id = now, till.till_id
    return EnrolOk(
        till_id=till.till_id,
        till_code=till.code,
        outlet_id=outlet.outlet_id,
        outlet_code=outlet.code,
        secret=secret,
    )


def authenticate(engine: Engine, till_id: uuid.UUID, secret: str) -> TillAuth | None:
    """The till behind a credential, or None if unknown, revoked or wrong."""
    with Session(engine) as s:
        row = s.execute(
            select(Till.secret_hash, Till.status, Till.outlet_id, Till.code, Outlet.code)
            .join(Outlet, Outlet.outlet_id == Till.outlet_id)
            .where(Till.till_id == till_id)
        ).first()
    if row is None or row[1] != "active":
        return None
    if not hmac.compare_digest(row[0], _digest(secret)):
        return None
    return TillAuth(till_id=till_id, outlet_id=row[2], outlet_code=row[4], till_code=row[3])


def revoke_till(engine: Engine, *, outlet_code: str, till_code: str, now: datetime) -> uuid.UUID:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        till = s.scalars(
            select(Till)
            .join(Outlet, Outlet.outlet_id == Till.outlet_id)
            .where(Outlet.code == outlet_code.upper(), Till.code == till_code.upper())
        ).first()
        if till is None:
            raise EnrolmentError(f"there is no till {till_code} at outlet {outlet_code}")
        till.status, till.revoked_at = "revoked", now
        s.execute(
            update(EnrolmentCode)
            .where(EnrolmentCode.till_id == till.till_id, EnrolmentCode.used_at.is_(None))
            .values(revoked_at=now)
        )
        return till.till_id
