"""Quarantined events: what each one conflicts with, and an admin discarding one with a reason.

A sale or refund kept aside because its receipt number (or id) was already stored is shown
beside the stored record, field by field, so an admin sees at once whether it is the same
sale sent twice under another id, or a different sale that reused a number. Discarding marks
the event resolved (it stops counting against the till's health) and writes who, when and
why to the head-office audit trail; nothing is applied and nothing is deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, text, update

from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit, record_edit
from sync_service.central.models import Quarantine, Till
from sync_service.central.reports.common import Scope

MIN_REASON, MAX_REASON = 3, 300
# (label, payload key, stored column) compared side by side.
_SALE_FIELDS = (
    ("Receipt number", "receipt_no", "receipt_no"),
    ("Sale id", "sale_id", "sale_id"),
    ("Sold at", "sold_at", "sold_at"),
    ("Till", None, "till"),
    ("Cashier", "cashier_id", "cashier_id"),
    ("Total", "total", "total"),
    ("GST", "gst_total", "gst_total"),
)
_REFUND_FIELDS = (
    ("Receipt number", "receipt_no", "receipt_no"),
    ("Refund id", "refund_id", "refund_id"),
    ("Refunded at", "refunded_at", "refunded_at"),
    ("Till", None, "till"),
    ("Original receipt", "original_receipt_no", "original_receipt_no"),
    ("Total", "total", "total"),
    ("Reason", "reason", "reason"),
)


@dataclass(frozen=True)
class SideBySide:
    """The quarantined event's fields beside the stored record's; ``rows`` are
    (label, this event's value, the stored value, whether they differ)."""

    stored_what: str  # "sale" | "refund"
    stored_link: str | None
    rows: tuple[tuple[str, str, str, bool], ...]


@dataclass(frozen=True)
class Resolution:
    resolved_by: str
    resolved_at: datetime
    reason: str
    outcome: str = "discarded"  # discarded | accepted (under a new receipt number)


def conflicting_record(
    conn: Connection, scope: Scope, till_code: str, payload: dict[str, Any]
) -> SideBySide | None:
    """The stored sale or refund this event's receipt number or id collides with, in scope;
    None when there is none (an invalid payload, say)."""
    if "sale_id" in payload and "lines" in payload:
        row = conn.execute(
            text(
                "SELECT s.receipt_no, s.sale_id, s.sold_at, o.code || '-' || t.code AS till, "
                "s.cashier_id, s.total, s.gst_total, s.outlet_id FROM sgpos.sale s "
                "JOIN sgpos.till t ON t.till_id = s.till_id "
                "JOIN sgpos.outlet o ON o.outlet_id = s.outlet_id "
                "WHERE s.receipt_no = :no OR s.sale_id::text = :id LIMIT 1"
            ),
            {"no": str(payload.get("receipt_no", "")), "id": str(payload.get("sale_id", ""))},
        ).first()
        fields, what, link = _SALE_FIELDS, "sale", "/ho/sales/{sale_id}"
    elif "refund_id" in payload:
        row = conn.execute(
            text(
                "SELECT r.receipt_no, r.refund_id, r.refunded_at, o.code || '-' || t.code AS till, "
                "r.original_receipt_no, r.total, r.reason, r.outlet_id, r.original_sale_id "
                "FROM sgpos.refund r JOIN sgpos.till t ON t.till_id = r.till_id "
                "JOIN sgpos.outlet o ON o.outlet_id = r.outlet_id "
                "WHERE r.receipt_no = :no OR r.refund_id::text = :id LIMIT 1"
            ),
            {"no": str(payload.get("receipt_no", "")), "id": str(payload.get("refund_id", ""))},
        ).first()
        fields, what, link = _REFUND_FIELDS, "refund", "/ho/sales/{original_sale_id}"
    else:
        return None
    if row is None or not scope.allows(row.outlet_id):
        return None
    stored = row._mapping
    rows = []
    for label, key, column in fields:
        mine = till_code if key is None else _text(payload.get(key))
        theirs = _text(stored[column])
        rows.append((label, mine, theirs, _same(mine, theirs) is False))
    target = None
    if what == "sale" or stored.get("original_sale_id"):
        target = link.format(**{str(k): stored[k] for k in stored if str(k).endswith("_id")})
    return SideBySide(what, target, tuple(rows))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _same(a: str, b: str) -> bool:
    try:  # moments and amounts written differently can still be equal
        return datetime.fromisoformat(a.replace("Z", "+00:00")) == datetime.fromisoformat(
            b.replace("Z", "+00:00")
        )
    except ValueError:
        pass
    try:
        from decimal import Decimal, InvalidOperation

        return Decimal(a) == Decimal(b)
    except (InvalidOperation, ValueError):
        return a.strip().lower() == b.strip().lower()


def resolutions(conn: Connection, quarantine_ids: list[int]) -> dict[int, Resolution]:
    """Who resolved each of these events, when and why (from the head-office audit trail)."""
    if not quarantine_ids:
        return {}
    found: dict[int, Resolution] = {}
    for key, by, at, after in conn.execute(
        text(
            "SELECT key, changed_by, changed_at, after FROM sgpos.ho_audit "
            "WHERE table_name = 'quarantine' AND key = ANY(:keys) ORDER BY audit_id"
        ),
        {"keys": [str(i) for i in quarantine_ids]},
    ):
        after = after or {}
        outcome = str(after.get("resolution", "discarded"))
        found[int(key)] = Resolution(by, at, str(after.get("reason", "")), outcome)
    return found


def announce_outcome(conn: Connection, quarantine_id: int) -> None:
    """Log the decision for the pull, keyed by the event's id as the till knows it, in the
    decision's transaction (which holds the master
    writers' lock, so the change's id follows commit order): the till that sent the event
    learns it at its next pull (``with=quarantine``)."""
    conn.execute(
        text(
            "INSERT INTO sgpos.change_log (entity, key, op) SELECT 'quarantine', "
            "event_id::text, 'upsert' FROM sgpos.quarantine WHERE quarantine_id = :q"
        ),
        {"q": quarantine_id},
    )


def request_resend(
    engine: Engine, actor: str, till_id: uuid.UUID, quarantine_id: int, *, now: datetime
) -> None:
    """Ask the till to send the event's record again, as a new event (for one head office
    could not take then: a product it did not know yet, say). Resolved and audited here; what
    the till sends comes through ingest like any event, under the trust rules."""
    with head_office_edit(engine, actor) as conn:
        event = _unresolved(conn, till_id, quarantine_id)
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
            before={"resolved_at": None},
            after={
                "resolution": "resend",
                "reason": "head office asked the till to send it again",
                "kind": event.kind,
                "till_id": str(till_id),
                "resolved_at": now.isoformat(),
            },
        )
        announce_outcome(conn, quarantine_id)


def _unresolved(conn: Connection, till_id: uuid.UUID, quarantine_id: int) -> Any:
    event = conn.execute(
        select(Quarantine.quarantine_id, Quarantine.resolved_at, Quarantine.kind)
        .join(Till, Till.till_id == Quarantine.till_id)
        .where(Quarantine.quarantine_id == quarantine_id, Quarantine.till_id == till_id)
        .with_for_update(of=Quarantine)
    ).first()
    if event is None:
        raise AdminError("there is no such quarantined event at this till; nothing changed")
    if event.resolved_at is not None:
        raise AdminError("this event was already resolved; nothing was changed")
    return event


def discard(
    engine: Engine,
    actor: str,
    till_id: uuid.UUID,
    quarantine_id: int,
    reason: str,
    *,
    now: datetime,
) -> None:
    """Mark a quarantined event of ``till_id`` discarded, with ``reason``, audited."""
    why = " ".join(reason.split())
    if not MIN_REASON <= len(why) <= MAX_REASON:
        raise FieldError(
            "reason", f"say why it is discarded, in {MIN_REASON} to {MAX_REASON} characters"
        )
    with head_office_edit(engine, actor) as conn:
        event = _unresolved(conn, till_id, quarantine_id)
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
            before={"resolved_at": None},
            after={
                "resolution": "discarded",
                "reason": why,
                "kind": event.kind,
                "till_id": str(till_id),
                "resolved_at": now.isoformat(),
            },
        )
        announce_outcome(conn, quarantine_id)
