"""Projecting applied events into the fact tables, one bulk statement per table.

A fact that collides with a different stored fact (a receipt number used twice after a till
was restored, say) is quarantined with the reason rather than silently skipped.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert

from shared.gst import supply_date
from shared.protocol import (
    AuditRecordedV1,
    CashMovedV1,
    CustomerUpsertedV1,
    Event,
    EventKind,
    EventOutcome,
    EventResult,
    RefundCompletedV1,
    SaleCompletedV1,
    SaleLineV1,
    ShiftClosedV1,
    ShiftOpenedV1,
    StockMovedV1,
    TenderV1,
)
from sync_service.central import models as m
from sync_service.central.audit_chains import advance_marks
from sync_service.central.bulk import bulk_insert
from sync_service.central.summaries import SummaryDeltas
from sync_service.central.tills import TillAuth


def _t(model: type[m.Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


INBOX, QUARANTINE, TILL = _t(m.Inbox), _t(m.Quarantine), _t(m.Till)
SALE, SALE_LINE, TENDER = _t(m.Sale), _t(m.SaleLine), _t(m.Tender)
REFUND, REFUND_LINE, SHIFT = _t(m.Refund), _t(m.RefundLine), _t(m.Shift)
CASH, STOCK, ON_HAND = _t(m.CashMovement), _t(m.StockMovement), _t(m.StockOnHand)
AUDIT, CUSTOMER = _t(m.AuditRecord), _t(m.Customer)
SALE_LINE_FIELDS = tuple(SaleLineV1.model_fields)
# The ledger's reason for a stock event's movements; with the movement id, its key.
STOCK_REASONS = {EventKind.STOCK_RECEIVED: "received", EventKind.STOCK_ADJUSTED: "adjusted"}


@dataclass
class Batch:
    """What one push will write, gathered per table so each table gets one statement."""

    till: TillAuth
    now: datetime
    results: dict[uuid.UUID, EventResult] = field(default_factory=dict)
    inbox: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    applied: dict[EventKind, list[tuple[Event, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    summaries: SummaryDeltas = field(default_factory=SummaryDeltas)

    def snapshot(self) -> Batch:
        """This batch as sorted, before projection: what a failed projection falls back to."""
        copy = Batch(self.till, self.now, dict(self.results), list(self.inbox))
        copy.quarantine = list(self.quarantine)
        for kind, items in self.applied.items():
            copy.applied[kind] = list(items)
        return copy

    def to_apply(self) -> list[tuple[Event, Any]]:
        """The events to project, in the order the till sent them."""
        items = [item for items in self.applied.values() for item in items]
        return sorted(items, key=lambda item: (item[0].epoch, item[0].seq))

    def absorb(self, other: Batch) -> None:
        """What a projection of some of this batch's events (on their own) came to."""
        self.results.update(other.results)
        self.inbox += other.inbox
        self.quarantine += other.quarantine

    def quarantine_event(self, event: Event, reason: str, *, record_inbox: bool) -> None:
        self.results[event.event_id] = EventResult(
            event_id=event.event_id,
            seq=event.seq,
            outcome=EventOutcome.QUARANTINED,
            reason=reason[:200],
        )
        self.quarantine.append(
            {
                "till_id": event.till_id,
                "epoch": event.epoch,
                "seq": event.seq,
                "event_id": event.event_id,
                "kind": storable(event.kind[:40]),
                "reason": storable(reason),
                "payload": storable(event.payload),
                "payload_sha256": event.payload_sha256,
            }
        )
        if record_inbox:
            self.inbox.append(inbox_row(event, "quarantined"))


_T = TypeVar("_T")


def storable(value: _T) -> _T:
    """``value`` with every NUL character replaced by U+FFFD: PostgreSQL stores NUL neither in
    text nor in jsonb, and a quarantined event must be stored whatever it holds. (Only kept
    aside this way; the hash stays the one the till sent.)"""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")  # type: ignore[return-value]
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [storable(v) for v in value]  # type: ignore[return-value]
    return value


def inbox_row(event: Event, outcome: str) -> dict[str, Any]:
    return {
        "till_id": event.till_id,
        "epoch": event.epoch,
        "seq": event.seq,
        "event_id": event.event_id,
        "kind": storable(event.kind[:40]),
        "payload_sha256": event.payload_sha256,
        "outcome": outcome,
        "occurred_at": event.occurred_at,
    }


def _insert_new(conn: Connection, table: Table, rows: list[dict[str, Any]], key: str) -> set[Any]:
    """Insert rows that are new; return the keys actually inserted."""
    return {r[0] for r in bulk_insert(conn, table, rows, returning=[key])}


def _tender_rows(doc: uuid.UUID, kind: str, tenders: Iterable[TenderV1]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": doc,
            "position": i,
            "document_kind": kind,
            "type": t.type,
            "amount": t.amount,
            "reference": t.reference,
            "card_last4": t.card_last4,
            "confirmed_by": t.confirmed_by,
        }
        for i, t in enumerate(tenders)
    ]


def _stock(conn: Connection, till: TillAuth, rows: list[dict[str, Any]]) -> None:
    """Insert stock movements counted once each, and move stock on hand by what went in."""
    if not rows:
        return
    for row in rows:
        row["outlet_id"], row["till_id"] = till.outlet_id, till.till_id
    inserted = bulk_insert(conn, STOCK, rows, returning=["product_id", "quantity"])
    delta: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for product_id, quantity in inserted:
        delta[product_id] += quantity
    if delta:
        bulk_insert(
            conn,
            ON_HAND,
            [
                {"outlet_id": till.outlet_id, "product_id": p, "quantity": q}
                for p, q in sorted(delta.items())
            ],
            on_conflict="(outlet_id, product_id) DO UPDATE "
            "SET quantity = stock_on_hand.quantity + EXCLUDED.quantity",
        )


def _reject_facts(
    batch: Batch, items: list[tuple[Event, Any]], kept: set[Any], attr: str, what: str
) -> list[tuple[Event, Any]]:
    survivors = []
    for event, p in items:
        if getattr(p, attr) in kept:
            # Once: a second event of the same push carrying the same fact is a conflict too,
            # or it would be reported applied and counted twice in the summaries.
            kept.discard(getattr(p, attr))
            survivors.append((event, p))
        else:
            batch.quarantine_event(
                event,
                f"conflict: {what} {getattr(p, 'receipt_no', getattr(p, attr))} is "
                "already stored for another event",
                record_inbox=True,
            )
    batch.applied[EventKind(items[0][0].kind)] = survivors
    return survivors


def _sales(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    till = batch.till
    sales: list[SaleCompletedV1] = [p for _, p in items]
    kept = _insert_new(
        conn,
        SALE,
        [
            {
                "sale_id": s.sale_id,
                "till_id": till.till_id,
                "outlet_id": till.outlet_id,
                "receipt_no": s.receipt_no,
                "shift_id": s.shift_id,
                "cashier_id": s.cashier_id,
                "sold_at": s.sold_at,
                "business_date": supply_date(s.sold_at),
                "subtotal": s.subtotal,
                "discount_total": s.discount_total,
                "total": s.total,
                "gst_total": s.gst_total,
                "rounding": s.rounding,
                "change": s.change,
                "customer_id": s.customer_id,
            }
            for s in sales
        ],
        "sale_id",
    )
    survivors = [p for _, p in _reject_facts(batch, items, kept, "sale_id", "receipt")]
    for s in survivors:
        batch.summaries.add_sale(till.outlet_id, s)
    # A sale line's row is the event's line, field for field, with where it sits in the sale.
    lines = [
        {**{f: getattr(x, f) for f in SALE_LINE_FIELDS}, "sale_id": s.sale_id, "position": i}
        for s in survivors
        for i, x in enumerate(s.lines)
    ]
    bulk_insert(conn, SALE_LINE, lines)
    tenders = [row for s in survivors for row in _tender_rows(s.sale_id, "sale", s.tenders)]
    bulk_insert(conn, TENDER, tenders)
    _stock(
        conn,
        till,
        [
            {
                "product_id": x.product_id,
                "quantity": -x.quantity,
                "reason": "sale",
                "source": str(x.line_id),
                "moved_at": s.sold_at,
            }
            for s in survivors
            for x in s.lines
        ],
    )


def _refunds(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    till = batch.till
    refunds: list[RefundCompletedV1] = [p for _, p in items]
    kept = _insert_new(
        conn,
        REFUND,
        [
            {
                "refund_id": r.refund_id,
                "till_id": till.till_id,
                "outlet_id": till.outlet_id,
                "receipt_no": r.receipt_no,
                "original_sale_id": r.original_sale_id,
                "original_receipt_no": r.original_receipt_no,
                "is_void": r.is_void,
                "reason": r.reason,
                "shift_id": r.shift_id,
                "cashier_id": r.cashier_id,
                "approved_by": r.approved_by,
                "refunded_at": r.refunded_at,
                "business_date": supply_date(r.refunded_at),
                "total": r.total,
                "gst_total": r.gst_total,
                "rounding": r.rounding,
            }
            for r in refunds
        ],
        "refund_id",
    )
    survivors = [p for _, p in _reject_facts(batch, items, kept, "refund_id", "refund receipt")]
    for r in survivors:
        batch.summaries.add_refund(till.outlet_id, r)
    lines = [
        {
            "refund_id": r.refund_id,
            "position": i,
            "line_id": x.line_id,
            "product_id": x.product_id,
            "name": x.name,
            "quantity": x.quantity,
            "amount": x.amount,
            "gst": x.gst,
            "gst_rate": x.gst_rate,
            "tax_code": x.tax_code,
        }
        for r in survivors
        for i, x in enumerate(r.lines)
    ]
    bulk_insert(conn, REFUND_LINE, lines)
    tenders = [row for r in survivors for row in _tender_rows(r.refund_id, "refund", r.tenders)]
    bulk_insert(conn, TENDER, tenders)
    _stock(
        conn,
        till,
        [
            {
                "product_id": x.product_id,
                "quantity": x.quantity,
                "reason": "refund",
                "source": f"{r.refund_id}:{i}",
                "moved_at": r.refunded_at,
            }
            for r in survivors
            for i, x in enumerate(r.lines)
        ],
    )


def _own_shift(stmt: Any) -> Any:
    """Only the till that holds a shift row changes it. sync_service.central.trust refuses an
    event naming another till's shift before this runs; this holds even against a push of
    that other till committing the same shift at the same moment."""
    return SHIFT.c.till_id == stmt.excluded.till_id


def _shifts_opened(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    opened: list[ShiftOpenedV1] = [p for _, p in items]
    stmt = insert(SHIFT)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[SHIFT.c.shift_id],
            set_={c: stmt.excluded[c] for c in ("opened_by", "opened_at", "opening_float")},
            where=_own_shift(stmt),
        ),
        [
            {
                "shift_id": o.shift_id,
                "till_id": batch.till.till_id,
                "outlet_id": batch.till.outlet_id,
                "opened_by": o.opened_by,
                "opened_at": o.opened_at,
                "opening_float": o.opening_float,
            }
            for o in opened
        ],
    )


_CLOSE_COLUMNS = (
    "closed_by",
    "closed_at",
    "expected_cash",
    "counted_cash",
    "variance",
    "counted",
    "approved_by",
    "sales_count",
    "sales_total",
    "refunds_total",
    "gst_total",
    "tenders",
)


def _shifts_closed(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    closed: list[ShiftClosedV1] = [p for _, p in items]
    stmt = insert(SHIFT)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[SHIFT.c.shift_id],
            set_={c: stmt.excluded[c] for c in _CLOSE_COLUMNS},
            where=_own_shift(stmt),
        ),
        [
            {
                "shift_id": c.shift_id,
                "till_id": batch.till.till_id,
                "outlet_id": batch.till.outlet_id,
                "closed_by": c.closed_by,
                "closed_at": c.closed_at,
                "expected_cash": c.expected_cash,
                "counted_cash": c.counted_cash,
                "variance": c.variance,
                "counted": c.counted,
                "approved_by": c.approved_by,
                "sales_count": c.sales_count,
                "sales_total": c.sales_total,
                "refunds_total": c.refunds_total,
                "gst_total": c.gst_total,
                "tenders": {k: f"{v:.2f}" for k, v in c.tenders.items()},
            }
            for c in closed
        ],
    )


def _cash(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    moves: list[CashMovedV1] = [p for _, p in items]
    conn.execute(
        insert(CASH).on_conflict_do_nothing(),
        [
            {
                "movement_id": c.movement_id,
                "till_id": batch.till.till_id,
                "shift_id": c.shift_id,
                "staff_id": c.staff_id,
                "direction": c.direction,
                "amount": c.amount,
                "reason": c.reason,
                "moved_at": c.moved_at,
            }
            for c in moves
        ],
    )


def _stock_moved(reason: str) -> Any:
    def project(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
        moves: list[StockMovedV1] = [p for _, p in items]
        _stock(
            conn,
            batch.till,
            [
                {
                    "product_id": s.product_id,
                    "quantity": s.quantity,
                    "reason": reason,
                    "source": str(s.movement_id),
                    "moved_at": s.moved_at,
                }
                for s in moves
            ],
        )

    return project


def _audit(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    # sync_service.central.trust has refused records of another till's chain already.
    rows, survivors = [], []
    for event, a in items:
        record: AuditRecordedV1 = a
        survivors.append((event, a))
        rows.append(
            {
                "till_id": record.till_id,
                "epoch": record.epoch,
                "seq": record.seq,
                "occurred_at": record.occurred_at,
                "actor": record.actor,
                "action": record.action,
                "subject": record.subject,
                "before": record.before,
                "after": record.after,
                "prev_hash": record.prev_hash,
                "hash": record.hash,
            }
        )
    inserted = {(r[0], r[1]) for r in bulk_insert(conn, AUDIT, rows, returning=["epoch", "seq"])}
    if inserted:
        advance_marks(
            conn, batch.till.till_id, [r for r in rows if (r["epoch"], r["seq"]) in inserted]
        )
    clashes = [(e, a) for e, a in survivors if (a.epoch, a.seq) not in inserted]
    if clashes:
        # The chain position is already held: the same link again is harmless, a different
        # one (a till restored without a new epoch) must be quarantined, never dropped.
        held = {
            (r.epoch, r.seq): r.hash
            for r in conn.execute(
                select(AUDIT.c.epoch, AUDIT.c.seq, AUDIT.c.hash).where(
                    AUDIT.c.till_id == batch.till.till_id,
                    or_(
                        *(and_(AUDIT.c.epoch == a.epoch, AUDIT.c.seq == a.seq) for _, a in clashes)
                    ),
                )
            )
        }
        for event, a in clashes:
            if held.get((a.epoch, a.seq)) != a.hash:
                batch.quarantine_event(
                    event,
                    f"conflict: audit record epoch {a.epoch} seq {a.seq} is already stored "
                    "with a different hash (a till restored without a new epoch?)",
                    record_inbox=True,
                )
        survivors = [(e, a) for e, a in survivors if e.event_id not in batch.results]
    batch.applied[EventKind.AUDIT_RECORDED] = survivors


def _customers(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    latest: dict[uuid.UUID, CustomerUpsertedV1] = {}
    for _, c in items:
        latest[c.customer_id] = c
    stmt = insert(CUSTOMER)
    columns = (
        "name",
        "phone",
        "email",
        "consent_contact",
        "consent_marketing",
        "consent_at",
        "withdrawn_at",
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[CUSTOMER.c.customer_id],
            set_={
                **{c: stmt.excluded[c] for c in columns},
                "updated_at": stmt.excluded.updated_at,
                "outlet_id": func.coalesce(CUSTOMER.c.outlet_id, stmt.excluded.outlet_id),
            },
            # As for shifts: another outlet's customer is never changed, even in a race.
            where=or_(
                CUSTOMER.c.outlet_id.is_(None), CUSTOMER.c.outlet_id == stmt.excluded.outlet_id
            ),
        ),
        [
            {
                **c.model_dump(include={"customer_id", *columns}),
                "outlet_id": batch.till.outlet_id,
                "updated_at": batch.now,
            }
            for c in latest.values()
        ],
    )


Projection = Callable[[Connection, Batch, list[tuple[Event, Any]]], None]

PROJECTIONS: dict[EventKind, Projection] = {
    EventKind.SHIFT_OPENED: _shifts_opened,
    EventKind.SALE_COMPLETED: _sales,
    EventKind.REFUND_COMPLETED: _refunds,
    EventKind.CASH_MOVED: _cash,
    EventKind.STOCK_RECEIVED: _stock_moved(STOCK_REASONS[EventKind.STOCK_RECEIVED]),
    EventKind.STOCK_ADJUSTED: _stock_moved(STOCK_REASONS[EventKind.STOCK_ADJUSTED]),
    EventKind.SHIFT_CLOSED: _shifts_closed,
    EventKind.AUDIT_RECORDED: _audit,
    EventKind.CUSTOMER_UPSERTED: _customers,
}


def project(conn: Connection, batch: Batch) -> None:
    """Write every event in ``batch.applied`` into the fact tables and the summaries, and
    record each one that survived as applied."""
    for kind, projection in PROJECTIONS.items():
        items = batch.applied.get(kind)
        if items:
            projection(conn, batch, items)
    # Summaries last, once per table: the same transaction as the facts they add up.
    batch.summaries.flush(conn)
    for items in batch.applied.values():
        for event, _ in items:
            if event.event_id not in batch.results:
                batch.results[event.event_id] = EventResult(
                    event_id=event.event_id, seq=event.seq, outcome=EventOutcome.APPLIED
                )
                batch.inbox.append(inbox_row(event, "applied"))
