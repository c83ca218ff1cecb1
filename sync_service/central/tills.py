"""Tills as head office knows them: one-time enrolment codes, credentials and revocation.

A till's secret is 256 random bits shown to it once at enrolment; only its SHA-256 is stored
(a slow password hash buys nothing against a random secret of that size, and every request
checks it). Enrolment codes are stored hashed too, are short-lived and work once.

Who may become a till: a code names an outlet and a till code. Using it revokes every other
code still waiting for that till, so a forgotten code cannot take the till over later. A till
that is enrolled and active is never taken over by an ordinary code: head office retires it
first (its credential stops), or makes a code on purpose to *replace* it with a new machine
(``replaces_till_id``), which is audited. Every enrolment is written to the head-office audit
trail.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Connection, Engine, cast, func, or_, select, union_all, update
from sqlalchemy.orm import Session

from shared.protocol import EnrolOk, TillRetired, TillState
from sync_service.central.models import (
    EnrolmentCode,
    HeadOfficeAudit,
    Inbox,
    Outlet,
    Refund,
    Sale,
    Till,
)

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


def new_enrolment_code() -> tuple[str, str]:
    """A fresh one-time code like ``K7QX-MP3D-9WTR`` and the digest head office stores."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    return code, _digest(code)


def refuse_if_enrolled(
    db: Session | Connection, outlet_id: uuid.UUID, outlet_code: str, till_code: str
) -> None:
    """An ordinary code is for a new till or a retired one: an active till is only ever taken
    over on purpose, by a replacement code."""
    active = db.scalar(
        select(Till.till_id).where(
            Till.outlet_id == outlet_id, Till.code == till_code, Till.status == "active"
        )
    )
    if active is not None:
        raise EnrolmentError(
            f"till {till_code} at {outlet_code} is enrolled and syncing, so a code cannot take "
            "it over: retire it first (sgpos-central revoke-till, or Revoke on the fleet page), "
            "or replace it with a new machine on purpose (sgpos-central replace-till, or "
            "Replace on the fleet page)"
        )


def create_enrolment_code(
    engine: Engine,
    *,
    outlet_code: str,
    till_code: str,
    created_by: str,
    now: datetime,
    valid_for: timedelta = CODE_VALIDITY,
) -> str:
    """A one-time code like ``K7QX-MP3D-9WTR`` for enrolling ``till_code`` at ``outlet_code``
    (a new till, or one head office retired)."""
    code, digest = new_enrolment_code()
    with Session(engine, expire_on_commit=False) as s, s.begin():
        outlet = s.scalars(select(Outlet).where(Outlet.code == outlet_code.upper())).first()
        if outlet is None:
            raise EnrolmentError(f"there is no outlet with code {outlet_code!r}")
        refuse_if_enrolled(s, outlet.outlet_id, outlet.code, till_code.upper())
        s.add(
            EnrolmentCode(
                code_hash=digest,
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
    digest = _digest(_normalise(code))
    with Session(engine, expire_on_commit=False) as s, s.begin():
        named = s.execute(
            select(EnrolmentCode.outlet_id, EnrolmentCode.till_code).where(
                EnrolmentCode.code_hash == digest
            )
        ).first()
        if named is not None:
            # Two codes for one till used at once: one after the other, so the second finds
            # itself revoked by the first instead of both creating the till.
            s.execute(select(func.pg_advisory_xact_lock(_till_lock(*named))))
        row = s.scalars(
            select(EnrolmentCode).where(EnrolmentCode.code_hash == digest).with_for_update()
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
            select(Till)
            .where(Till.outlet_id == row.outlet_id, Till.code == row.till_code)
            .with_for_update()
        ).first()
        before = None
        if till is None:
            till = Till(till_id=uuid.uuid4(), outlet_id=row.outlet_id, code=row.till_code)
            s.add(till)
        else:
            if till.status == "active" and row.replaces_till_id != till.till_id:
                raise EnrolmentError(
                    f"till {till.code} at {outlet.code} is already enrolled and this code "
                    "cannot take it over; ask head office to retire the old till first, or to "
                    "make a code that replaces it"
                )
            before = {"status": till.status, "enrolled_at": till.enrolled_at.isoformat()}
        # A new machine for the till (replaced, or back after retirement) gets a new secret;
        # the old one stops working.
        till.secret_hash = _digest(secret)
        till.status = "active"
        till.revoked_at = None
        till.enrolled_at = now
        row.used_at, row.till_id = now, till.till_id
        s.flush()
        # Any other code still waiting for this till dies now: only this machine holds it.
        revoke_unused_codes(s, row.outlet_id, row.till_code, now)
        s.add(
            HeadOfficeAudit(
                table_name="till",
                key=str(till.till_id),
                op="insert" if before is None else "update",
                before=before,
                after={
                    "status": "active",
                    "enrolled_at": now.isoformat(),
                    "outlet_code": outlet.code,
                    "till_code": till.code,
                    "enrolment_code": digest[:16],
                    "replaced": row.replaces_till_id is not None,
                },
                changed_by=f"enrolment code of {row.created_by}"[:120],
            )
        )
    return EnrolOk(
        till_id=till.till_id,
        till_code=till.code,
        outlet_id=outlet.outlet_id,
        outlet_code=outlet.code,
        secret=secret,
    )


def _till_lock(outlet_id: uuid.UUID, till_code: str) -> Any:
    return func.hashtextextended(f"sgpos.enrol:{outlet_id}:{till_code}", 0)


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


SEEN_EVERY = timedelta(minutes=1)


def mark_seen(engine: Engine, till_id: uuid.UUID, now: datetime) -> None:
    """A till that asked for changes is alive: an idle till pulls but has nothing to push,
    and head office's fleet page must not show it as gone quiet."""
    with engine.begin() as conn:
        conn.execute(
            update(Till)
            .where(Till.till_id == till_id)
            # At most one write a minute per till: an initial load pulls dozens of pages.
            .where(or_(Till.last_seen_at.is_(None), Till.last_seen_at < now - SEEN_EVERY))
            .values(last_seen_at=now)
        )


def revoke_unused_codes(
    db: Session | Connection, outlet_id: uuid.UUID, till_code: str, now: datetime
) -> None:
    """Codes waiting to enrol this till stop working with its credential, so only a code made
    after a revocation can bring it back. A code names its till by outlet and till code: its
    ``till_id`` is only filled in when it is used."""
    db.execute(
        update(EnrolmentCode)
        .where(
            EnrolmentCode.outlet_id == outlet_id,
            EnrolmentCode.till_code == till_code,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def find_till(engine: Engine, *, outlet_code: str, till_code: str) -> uuid.UUID:
    """The till known by these codes; EnrolmentError when there is none."""
    with Session(engine) as s:
        till_id = s.scalar(
            select(Till.till_id)
            .join(Outlet, Outlet.outlet_id == Till.outlet_id)
            .where(Outlet.code == outlet_code.upper(), Till.code == till_code.upper())
        )
    if till_id is None:
        raise EnrolmentError(f"there is no till {till_code} at outlet {outlet_code}")
    return till_id


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
        revoke_unused_codes(s, till.outlet_id, till.code, now)
        return till.till_id


def till_state(engine: Engine, till: TillAuth, *, now: datetime) -> TillState:
    """The highest epoch and receipt serial head office holds from ``till``: a till restored
    from a backup starts above both, so it never reuses a key or a receipt number."""
    # ORC-T02-000123 → 123: the serial is the digits after the last dash.
    serial = r"(\d+)$"
    serials = union_all(
        select(cast(func.substring(Sale.receipt_no, serial), BigInteger).label("n")).where(
            Sale.till_id == till.till_id
        ),
        select(cast(func.substring(Refund.receipt_no, serial), BigInteger).label("n")).where(
            Refund.till_id == till.till_id
        ),
    ).subquery()
    with Session(engine) as s:
        epoch = s.scalar(select(func.max(Inbox.epoch)).where(Inbox.till_id == till.till_id))
        receipt = s.scalar(select(func.max(serials.c.n)))
    return TillState(
        till_id=till.till_id,
        outlet_code=till.outlet_code,
        till_code=till.till_code,
        highest_epoch=int(epoch or 0),
        highest_receipt=int(receipt or 0),
        server_time=now,
    )


def retire_till(engine: Engine, till_id: uuid.UUID, *, now: datetime) -> TillRetired:
    """A till decommissioned by its technician: revoked like ``revoke_till``. Idempotent: a
    till already revoked keeps its first revocation time."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        till = s.get(Till, till_id, with_for_update=True)
        if till is None:
            raise EnrolmentError(f"there is no till {till_id}")
        if till.status != "revoked" or till.revoked_at is None:
            till.status, till.revoked_at = "revoked", now
        revoke_unused_codes(s, till.outlet_id, till.code, now)
        retired_at = till.revoked_at
    return TillRetired(till_id=till_id, retired_at=retired_at)
