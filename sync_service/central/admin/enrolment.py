"""Enrolment codes, till replacement and revocation by head office, audited like every edit.

A code is built exactly as ``sync_service.central.tills.create_enrolment_code`` builds one
(same alphabet, format, SHA-256 at rest), so ``tills.enrol`` accepts it; it is returned once,
to be shown once, and never stored or logged in clear. An ordinary code is for a new till or a
retired one; a till that is enrolled and active is taken over only by a *replacement* code,
made on purpose for that till (``replacement_code``: the dashboard's Replace and
``sgpos-central replace-till``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, insert, select, update

from shared.logs import get_logger
from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit, record_edit
from sync_service.central.models import EnrolmentCode, Outlet, Till
from sync_service.central.reports.common import Scope
from sync_service.central.tills import (
    CODE_VALIDITY,
    EnrolmentError,
    new_enrolment_code,
    refuse_if_enrolled,
    revoke_unused_codes,
)

log = get_logger("sgpos.admin.enrolment")
_TILL_CODE = re.compile(r"[A-Z0-9]{2,8}")
RECENT = timedelta(days=7)


@dataclass(frozen=True)
class NewEnrolmentCode:
    code: str  # shown once
    outlet_code: str
    till_code: str
    expires_at: datetime
    replaces_enrolled_till: bool


@dataclass(frozen=True)
class EnrolmentCodeRow:
    code_hash: str
    outlet_code: str
    till_code: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    state: str  # "waiting", "used", "expired" or "revoked"


def create_code(
    engine: Engine,
    actor: str,
    *,
    outlet_id: uuid.UUID,
    till_code: str,
    now: datetime,
    valid_for: timedelta = CODE_VALIDITY,
) -> NewEnrolmentCode:
    code_for_till = till_code.strip().upper()
    if not _TILL_CODE.fullmatch(code_for_till):
        raise FieldError(
            "till code", f"{till_code[:20]!r} is not a till code: 2 to 8 letters and digits"
        )
    with head_office_edit(engine, actor) as conn:
        outlet_code = conn.scalar(select(Outlet.code).where(Outlet.outlet_id == outlet_id))
        if outlet_code is None:
            raise FieldError("outlet", "that outlet no longer exists; reload the page")
        try:
            refuse_if_enrolled(conn, outlet_id, outlet_code, code_for_till)
        except EnrolmentError as exc:
            raise FieldError("till code", str(exc)) from None
        return _new_code(conn, outlet_id, outlet_code, code_for_till, None, actor, now, valid_for)


def replacement_code(
    engine: Engine,
    actor: str,
    till_id: uuid.UUID,
    *,
    now: datetime,
    valid_for: timedelta = CODE_VALIDITY,
) -> NewEnrolmentCode:
    """A code that enrols a new machine in place of an enrolled till (a broken or stolen one):
    the old machine's credential stops when the code is used. Audited as such."""
    with head_office_edit(engine, actor) as conn:
        till = conn.execute(
            select(Till.outlet_id, Till.code, Till.status, Outlet.code.label("outlet_code"))
            .join(Outlet, Outlet.outlet_id == Till.outlet_id)
            .where(Till.till_id == till_id)
        ).first()
        if till is None:
            raise AdminError("there is no such till; nothing was changed")
        if till.status != "active":
            raise AdminError(
                f"till {till.code} at {till.outlet_code} is retired: an ordinary enrolment code "
                "brings it back, nothing needs replacing"
            )
        return _new_code(
            conn, till.outlet_id, till.outlet_code, till.code, till_id, actor, now, valid_for
        )


def _new_code(
    conn: Connection,
    outlet_id: uuid.UUID,
    outlet_code: str,
    till_code: str,
    replaces: uuid.UUID | None,
    actor: str,
    now: datetime,
    valid_for: timedelta,
) -> NewEnrolmentCode:
    code, digest = new_enrolment_code()
    conn.execute(
        insert(EnrolmentCode).values(
            code_hash=digest,
            outlet_id=outlet_id,
            till_code=till_code,
            created_by=actor[:120],
            created_at=now,
            expires_at=now + valid_for,
            replaces_till_id=replaces,
        )
    )
    after = {
        "outlet_code": outlet_code,
        "till_code": till_code,
        "expires_at": (now + valid_for).isoformat(),
    }
    if replaces is not None:
        after["replaces_till_id"] = str(replaces)
    record_edit(
        conn, table="enrolment_code", key=digest[:16], op="insert", before=None, after=after
    )
    log.info(
        "enrolment_code.created",
        outlet_code=outlet_code,
        till_code=till_code,
        replaces_till=replaces is not None,
    )
    return NewEnrolmentCode(code, outlet_code, till_code, now + valid_for, replaces is not None)


def revoke_code(engine: Engine, actor: str, code_hash: str, *, now: datetime) -> None:
    with head_office_edit(engine, actor) as conn:
        row = conn.execute(
            update(EnrolmentCode)
            .where(
                EnrolmentCode.code_hash == code_hash,
                EnrolmentCode.used_at.is_(None),
                EnrolmentCode.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .returning(EnrolmentCode.till_code)
        ).first()
        if row is None:
            raise AdminError("that code was already used or revoked; nothing was changed")
        record_edit(
            conn,
            table="enrolment_code",
            key=code_hash[:16],
            op="update",
            before=None,
            after={"revoked_at": now.isoformat()},
        )
    log.info("enrolment_code.revoked", till_code=row.till_code)


def revoke_till(engine: Engine, actor: str, till_id: uuid.UUID, *, now: datetime) -> None:
    """The till's credential stops working at once; unused codes for it are revoked too, so
    only a code created after this can bring it back."""
    with head_office_edit(engine, actor) as conn:
        till = conn.execute(
            select(Till.outlet_id, Till.code, Till.status)
            .where(Till.till_id == till_id)
            .with_for_update()
        ).first()
        if till is None:
            raise AdminError("there is no such till; nothing was changed")
        if till.status == "revoked":
            raise AdminError(f"till {till.code} is already revoked")
        conn.execute(
            update(Till).where(Till.till_id == till_id).values(status="revoked", revoked_at=now)
        )
        revoke_unused_codes(conn, till.outlet_id, till.code, now)
        record_edit(
            conn,
            table="till",
            key=str(till_id),
            op="update",
            before={"status": "active"},
            after={"status": "revoked", "revoked_at": now.isoformat()},
        )
    log.info("till.revoked", till_id=str(till_id))


def recent_codes(conn: Connection, scope: Scope, now: datetime) -> list[EnrolmentCodeRow]:
    """Codes created in the last week, newest first, with what became of each."""
    rows = conn.execute(
        select(
            EnrolmentCode.code_hash,
            Outlet.code,
            EnrolmentCode.till_code,
            EnrolmentCode.created_by,
            EnrolmentCode.created_at,
            EnrolmentCode.expires_at,
            EnrolmentCode.used_at,
            EnrolmentCode.revoked_at,
        )
        .join(Outlet, Outlet.outlet_id == EnrolmentCode.outlet_id)
        .where(EnrolmentCode.created_at > now - RECENT, scope.clause(EnrolmentCode.outlet_id))
        .order_by(EnrolmentCode.created_at.desc())
        .limit(200)
    ).all()
    out = []
    for code_hash, outlet_code, till_code, by, created, expires, used, revoked in rows:
        if revoked is not None:
            state = "revoked"
        elif used is not None:
            state = "used"
        elif expires <= now:
            state = "expired"
        else:
            state = "waiting"
        out.append(EnrolmentCodeRow(code_hash, outlet_code, till_code, by, created, expires, state))
    return out
