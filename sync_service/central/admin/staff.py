"""Till staff: their code, name, till role, the outlets they may sign in at, and their PIN.

A PIN is hashed here exactly as a till hashes one (``shared.pins``); the hash travels to the
tills in ``StaffV1.pin_hash`` and the till verifies a typed PIN against it. The PIN itself is
never stored, logged or shown, and the audit trail records that a PIN was set, not what it
is. Staff created without a PIN hold an unusable hash: they cannot sign in anywhere until
head office sets one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update

from shared.logs import get_logger
from shared.pins import PIN_HASHER
from sync_service.central.admin import fields
from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit, record_edit
from sync_service.central.models import Outlet, Staff, StaffOutlet

log = get_logger("sgpos.admin.staff")

# Not an argon2 hash, so a till's verify refuses every PIN against it (InvalidHashError).
NO_PIN = "!no PIN set"


@dataclass(frozen=True)
class StaffDetails:
    display_name: str
    role: str
    active: bool
    outlet_ids: frozenset[uuid.UUID]


def hash_pin(pin: str) -> str:
    return PIN_HASHER.hash(fields.pin("PIN", pin))


def pin_is_set(pin_hash: str) -> bool:
    return pin_hash.startswith("$argon2")


def create_staff(
    engine: Engine, actor: str, *, code: str, details: StaffDetails, pin: str | None
) -> uuid.UUID:
    staff_code = fields.staff_code("staff code", code)
    # Hashing takes a moment: do it before the transaction, which must stay short.
    pin_hash = NO_PIN if not pin else hash_pin(pin)
    staff_id = uuid.uuid4()
    with head_office_edit(engine, actor) as conn:
        _check_code_free(conn, staff_code)
        _check_outlets(conn, details.outlet_ids)
        conn.execute(
            insert(Staff).values(
                staff_id=staff_id,
                code=staff_code,
                display_name=details.display_name,
                role=details.role,
                pin_hash=pin_hash,
                active=details.active,
            )
        )
        set_outlets(conn, staff_id, details.outlet_ids)
    log.info("staff.created", staff_id=str(staff_id), code=staff_code)
    return staff_id


def update_staff(engine: Engine, actor: str, staff_id: uuid.UUID, details: StaffDetails) -> None:
    with head_office_edit(engine, actor) as conn:
        _check_outlets(conn, details.outlet_ids)
        changed = conn.execute(
            update(Staff)
            .where(Staff.staff_id == staff_id)
            .values(display_name=details.display_name, role=details.role, active=details.active)
        ).rowcount
        if not changed:
            raise AdminError("there is no such staff member; nothing was changed")
        set_outlets(conn, staff_id, details.outlet_ids)
    log.info("staff.updated", staff_id=str(staff_id))


def set_pin(engine: Engine, actor: str, staff_id: uuid.UUID, pin: str) -> None:
    pin_hash = hash_pin(pin)
    with head_office_edit(engine, actor) as conn:
        changed = conn.execute(
            update(Staff).where(Staff.staff_id == staff_id).values(pin_hash=pin_hash)
        ).rowcount
        if not changed:
            raise AdminError("there is no such staff member; no PIN was set")
        # The trigger's row leaves the hash out, so before and after look alike: say what it was.
        record_edit(
            conn,
            table="staff_pin",
            key=str(staff_id),
            op="update",
            before=None,
            after={"pin": "set"},
        )
    log.info("staff.pin_set", staff_id=str(staff_id))


def set_outlets(conn: Connection, staff_id: uuid.UUID, outlet_ids: Iterable[uuid.UUID]) -> None:
    """Exactly these outlets; rows that stay are left alone, so the audit shows only changes."""
    wanted = set(outlet_ids)
    held = set(conn.scalars(select(StaffOutlet.outlet_id).where(StaffOutlet.staff_id == staff_id)))
    if held - wanted:
        conn.execute(
            delete(StaffOutlet).where(
                StaffOutlet.staff_id == staff_id, StaffOutlet.outlet_id.in_(held - wanted)
            )
        )
    if wanted - held:
        conn.execute(
            insert(StaffOutlet),
            [{"staff_id": staff_id, "outlet_id": o} for o in sorted(wanted - held)],
        )


def outlet_ids_for_codes(conn: Connection, codes: Sequence[str]) -> dict[str, uuid.UUID]:
    wanted = [c.strip().upper() for c in codes if c.strip()]
    if not wanted:
        return {}
    return {
        code: outlet_id
        for code, outlet_id in conn.execute(
            select(Outlet.code, Outlet.outlet_id).where(Outlet.code.in_(wanted))
        ).tuples()
    }


def _check_code_free(conn: Connection, code: str) -> None:
    holder = conn.scalar(select(Staff.display_name).where(Staff.code == code))
    if holder is not None:
        raise FieldError("staff code", f"{code} is already the code of {holder}")


def _check_outlets(conn: Connection, outlet_ids: frozenset[uuid.UUID]) -> None:
    if not outlet_ids:
        return
    found = set(conn.scalars(select(Outlet.outlet_id).where(Outlet.outlet_id.in_(outlet_ids))))
    if found != set(outlet_ids):
        raise FieldError("outlets", "an outlet chosen no longer exists; reload the page")
