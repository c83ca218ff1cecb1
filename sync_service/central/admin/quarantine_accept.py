"""An admin accepting a quarantined sale or refund under a new receipt number.

A till restored from an old backup rings real sales under receipt numbers it had already
used: head office keeps the second one aside ("conflict: receipt ... is already stored for
another event"). When the side-by-side view shows it is a different sale (another id, other
lines), an admin accepts it: it is stored exactly as the till sent it, except that head office
books it under the first free number of the form ``<receipt number>-R<n>`` (``ORC-T01-000123-R1``),
and it is added to every summary in the same transaction, as ingest would have. The customer's
printed receipt keeps the till's number; the audit row names both.

Refused, with nothing changed: the same sale already stored under its id (sent twice: discard
it instead); a payload that is not a valid sale or refund; one naming another till's staff,
shift or stock (the trust rules of ``sync_service.central.trust`` apply as at ingest); an
event already resolved or of another till.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, Engine, select, text, update

from shared.protocol import Event, EventKind, PayloadError, RefundCompletedV1, SaleCompletedV1
from shared.wire import RECEIPT_NO_MAX
from sync_service.central.admin.edits import AdminError, head_office_edit, record_edit
from sync_service.central.admin.quarantine import announce_outcome
from sync_service.central.models import Outlet, Quarantine, Till
from sync_service.central.projections import Batch, project
from sync_service.central.tills import TillAuth
from sync_service.central.trust import find_breaches

ACCEPTABLE = {
    EventKind.SALE_COMPLETED.value: ("sale", "sale_id"),
    EventKind.REFUND_COMPLETED.value: ("refund", "refund_id"),
}
MAX_RENUMBERINGS = 99


def accept_as_new_receipt(
    engine: Engine, actor: str, till_id: uuid.UUID, quarantine_id: int, *, now: datetime
) -> str:
    """Store the quarantined sale or refund under a new receipt number; return that number."""
    with head_office_edit(engine, actor) as conn:
        row = conn.execute(
            select(
                Quarantine.till_id,
                Quarantine.epoch,
                Quarantine.seq,
                Quarantine.event_id,
                Quarantine.kind,
                Quarantine.payload,
                Quarantine.payload_sha256,
                Quarantine.received_at,
                Quarantine.resolved_at,
                Till.outlet_id,
                Till.code,
                Outlet.code.label("outlet_code"),
            )
            .join(Till, Till.till_id == Quarantine.till_id)
            .join(Outlet, Outlet.outlet_id == Till.outlet_id)
            .where(Quarantine.quarantine_id == quarantine_id, Quarantine.till_id == till_id)
            .with_for_update(of=Quarantine)
        ).first()
        if row is None:
            raise AdminError("there is no such quarantined event at this till; nothing changed")
        held = row
        if held.resolved_at is not None:
            raise AdminError("this event was already resolved; nothing was changed")
        if held.kind not in ACCEPTABLE:
            raise AdminError(
                f"only a sale or a refund can be accepted under a new receipt number; this is "
                f"{held.kind!r}: discard it with a reason, or ask the till to send it again"
            )
        what, id_field = ACCEPTABLE[held.kind]
        event = Event.model_construct(
            event_id=held.event_id,
            till_id=held.till_id,
            epoch=held.epoch,
            seq=held.seq,
            kind=held.kind,
            schema_version=1,
            occurred_at=held.received_at,
            payload=held.payload,
            payload_sha256=held.payload_sha256,
        )
        try:
            fact = event.parsed_payload()
        except PayloadError as exc:
            raise AdminError(
                f"this {what} cannot be stored as it was sent ({exc}): discard it with a reason"
            ) from None
        assert isinstance(fact, SaleCompletedV1 | RefundCompletedV1)
        fact_id = getattr(fact, id_field)
        if _stored(conn, what, id_field, fact_id):
            raise AdminError(
                f"this {what} ({id_field} {fact_id}) is already stored: it was sent twice, so "
                "accepting it would count it twice. Discard it with a reason instead"
            )
        till = TillAuth(till_id, row.outlet_id, row.outlet_code, row.code)
        breaches = find_breaches(conn, till, [(event, fact)])
        if breaches:
            breach = breaches[event.event_id]
            raise AdminError(
                f"this {what} names data that is not this till's ({breach.field}: {breach.why}); "
                "it cannot be accepted"
            )
        number = _free_number(conn, what, fact.receipt_no)
        batch = Batch(till, now)
        batch.applied[EventKind(held.kind)].append(
            (event, fact.model_copy(update={"receipt_no": number}))
        )
        project(conn, batch)
        if batch.quarantine:  # stored meanwhile by someone else: keep nothing of this try
            raise AdminError(
                "the receipt number taken was stored by another change at the same moment; "
                "nothing was saved: reload the page and try again"
            )
        conn.execute(
            update(Quarantine)
            .where(Quarantine.quarantine_id == quarantine_id)
            .values(resolved_at=now)
        )
        record_edit(
            conn,
            table="quarantine",
            key=str(quarantine_id),
            op="update",
            before={"resolved_at": None, "receipt_no": fact.receipt_no},
            after={
                "resolution": "accepted",
                "reason": f"accepted as receipt {number} (the till printed {fact.receipt_no})",
                "receipt_no": number,
                "kind": held.kind,
                "till_id": str(till_id),
                "resolved_at": now.isoformat(),
            },
        )
        announce_outcome(conn, quarantine_id)
    return number


def _stored(conn: Connection, what: str, id_field: str, fact_id: uuid.UUID) -> bool:
    sql = f"SELECT 1 FROM sgpos.{what} WHERE {id_field} = :id"  # noqa: S608 - constant names
    return conn.execute(text(sql), {"id": fact_id}).first() is not None


def _free_number(conn: Connection, what: str, receipt_no: str) -> str:
    """The first ``<receipt_no>-R<n>`` no sale or refund holds."""
    for n in range(1, MAX_RENUMBERINGS + 1):
        candidate = f"{receipt_no}-R{n}"
        if len(candidate) > RECEIPT_NO_MAX:
            break
        taken = conn.execute(
            text(
                "SELECT 1 FROM sgpos.sale WHERE receipt_no = :n "
                "UNION ALL SELECT 1 FROM sgpos.refund WHERE receipt_no = :n"
            ),
            {"n": candidate},
        ).first()
        if taken is None:
            return candidate
    raise AdminError(
        f"no new receipt number is free for {receipt_no} ({what}): discard it with a reason"
    )
