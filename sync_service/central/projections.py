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

from sqlalchemy import Connection, Table, and_, case, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert

from shared.gst import supply_date
from shared.money import round_cents
from shared.protocol import (
    AuditRecordedV1,
    CashMovedV1,
    CustomerUpsertedV1,
    Event,
    EventKind,
    EventOutcome,
    EventResult,
    LoyaltyRedeemedV1,
    LoyaltyReversedV1,
    RefundCompletedV1,
    SaleCompletedV1,
    SaleLineV1,
    ShiftClosedV1,
    ShiftOpenedV1,
    StockMovedV1,
    StockTransferredV1,
    TenderV1,
    VoucherRedeemedV1,
    VoucherSoldV1,
)
from sync_service.central import costing
from sync_service.central import models as m
from sync_service.central.audit_chains import advance_marks
from sync_service.central.bulk import bulk_insert
from sync_service.central.points import Redemption, flag_overdrawn
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
LOYALTY = _t(m.LoyaltyEntry)
VOUCHER, VOUCHER_SALE = _t(m.GiftVoucher), _t(m.GiftVoucherSale)
VOUCHER_REDEMPTION = _t(m.GiftVoucherRedemption)
LINE_PROMOTION = _t(m.SaleLinePromotion)
# A sale line's own columns; which promotion saved what goes to sale_line_promotion.
SALE_LINE_FIELDS = tuple(f for f in SaleLineV1.model_fields if f != "promotion_savings")
# The ledger's reason for a stock event's movements; with the movement id, its key.
STOCK_REASONS = {
    EventKind.STOCK_RECEIVED: "received",
    EventKind.STOCK_ADJUSTED: "adjusted",
    EventKind.STOCK_TRANSFERRED: "transfer",
}


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


def _stock(
    conn: Connection,
    till: TillAuth,
    rows: list[dict[str, Any]],
    costs_in: dict[str, Decimal | None] | None = None,
) -> dict[str, Decimal | None]:
    """Insert stock movements counted once each, move stock on hand by what went in, and cost
    them (``sync_service.central.costing``): goods in at ``costs_in[source]`` where known,
    goods out at the moving average. A pack's movement (a carton) moves its unit product
    (``_in_units``). Returns the cost per unit (per pack for a pack) each newly stored
    movement was booked at, by source."""
    if not rows:
        return {}
    costs_in = dict(costs_in or {})
    for row in rows:
        row["outlet_id"], row["till_id"] = till.outlet_id, till.till_id
    packs = _in_units(conn, rows)
    for source, units in packs.items():  # a pack's cost in, per unit it holds
        cost_in = costs_in.get(source)
        if cost_in is not None:
            costs_in[source] = cost_in / units
    # Locked first, so a position cannot move between reading and writing it back.
    before = costing.lock_positions(conn, till.outlet_id, (r["product_id"] for r in rows))

    def booked(stored: list[dict[str, Any]]) -> dict[uuid.UUID, costing.Position]:
        positions = dict(before)
        for row in stored:
            product = row["product_id"]
            positions[product], row["cost"] = costing.book(
                positions[product], row["quantity"], costs_in.get(row["source"])
            )
        return positions

    # Costed as if every movement is new (the rule); one that was stored before is not.
    positions = booked(rows)
    inserted = {s for (s,) in bulk_insert(conn, STOCK, rows, returning=["source"])}
    if len(inserted) < len(rows):
        kept = [r for r in rows if r["source"] in inserted]
        positions = booked(kept)
        if kept:
            conn.execute(
                text(
                    "UPDATE sgpos.stock_movement m SET cost = v.c FROM unnest("
                    "CAST(:r AS text[]), CAST(:s AS text[]), CAST(:c AS numeric[])) AS v(r, s, c)"
                    " WHERE m.reason = v.r AND m.source = v.s"
                ),
                {
                    "r": [r["reason"] for r in kept],
                    "s": [r["source"] for r in kept],
                    "c": [r["cost"] for r in kept],
                },
            )
    costing.store_positions(conn, till.outlet_id, positions)
    # A pack's movement was booked per unit: its cost per pack is that times the units in it.
    return {
        r["source"]: r["cost"] * packs[r["source"]]
        if r["cost"] is not None and r["source"] in packs
        else r["cost"]
        for r in rows
        if r["source"] in inserted
    }


_PACKS = text(
    "SELECT product_id, pack_of, pack_units FROM sgpos.product_variant "
    "WHERE pack_of IS NOT NULL AND product_id = ANY(CAST(:keys AS uuid[]))"
)


def _in_units(conn: Connection, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Stock is kept in units: a pack's movement (a carton sold or refunded) moves its unit
    product by ``pack_units`` each, at a cost per unit (docs/variants.md). Tills that know
    packs already send received stock in units; a unit product is never a pack itself."""
    keys = sorted({str(r["product_id"]) for r in rows})
    packs = {p: (unit, units) for p, unit, units in conn.execute(_PACKS, {"keys": keys})}
    moved_as_packs: dict[str, int] = {}  # the units in each pack moved, by movement source
    if not packs:
        return moved_as_packs
    for row in rows:
        pack = packs.get(uuid.UUID(str(row["product_id"])))
        if pack is None:
            continue
        row["product_id"], units = pack
        moved_as_packs[row["source"]] = units
        row["quantity"] = row["quantity"] * units
        if row.get("unit_cost") is not None:
            row["unit_cost"] = round_cents(row["unit_cost"] / units)
    return moved_as_packs


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
    # Stock first: each line is costed at the outlet's moving average as its stock goes out.
    booked = _stock(
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
            if x.voucher_serial is None  # a gift voucher is not goods: no stock moves
        ],
    )
    # A sale line's row is the event's line, field for field, with where it sits in the sale
    # and what the goods cost; the summaries get the same cost, once, with the sale.
    lines = []
    for s in survivors:
        costs = []
        for i, x in enumerate(s.lines):
            unit_cost = booked.get(str(x.line_id))
            costs.append(costing.line_cost(x.quantity, unit_cost))
            lines.append(
                {
                    **{f: getattr(x, f) for f in SALE_LINE_FIELDS},
                    "sale_id": s.sale_id,
                    "position": i,
                    "unit_cost": unit_cost,
                    "cost": costs[-1],
                }
            )
        batch.summaries.add_sale(till.outlet_id, till.till_id, s, costs)
    bulk_insert(conn, SALE_LINE, lines)
    _line_promotions(conn, till, survivors)
    tenders = [row for s in survivors for row in _tender_rows(s.sale_id, "sale", s.tenders)]
    bulk_insert(conn, TENDER, tenders)


_KNOWN_PROMOTIONS = text(
    "SELECT promotion_id FROM sgpos.promotion WHERE promotion_id = ANY(CAST(:keys AS uuid[]))"
)


def _line_promotions(conn: Connection, till: TillAuth, sales: list[SaleCompletedV1]) -> None:
    """Which promotion saved what on each line, for the uplift report. Only what a till can
    honestly say is counted: a line's savings must name each promotion once, be positive and
    add up to at most its own discount, or none of them is counted; a saving naming a
    promotion head office does not have is not counted. The line itself, and so every sales
    and GST figure, is stored as it came either way (a till from before December 2026 sends
    no savings)."""
    savings = []
    for s in sales:
        for x in s.lines:
            said = list(x.promotion_savings or ())
            ids = {saving.promotion_id for saving in said}
            total = sum((saving.amount for saving in said), Decimal(0))
            positive = all(saving.amount > 0 for saving in said)
            if said and positive and len(ids) == len(said) and total <= x.line_discount:
                savings += [(s, x, saving) for saving in said]
    if not savings:
        return
    wanted = sorted({str(saving.promotion_id) for _, _, saving in savings})
    known = {row[0] for row in conn.execute(_KNOWN_PROMOTIONS, {"keys": wanted})}
    bulk_insert(
        conn,
        LINE_PROMOTION,
        [
            {
                "line_id": x.line_id,
                "promotion_id": saving.promotion_id,
                "sale_id": s.sale_id,
                "outlet_id": till.outlet_id,
                "business_date": supply_date(s.sold_at),
                "amount": saving.amount,
            }
            for s, x, saving in savings
            if saving.promotion_id in known
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
    # Refunded goods come back at the cost they were sold at (the outlet's average where the
    # sold line is unknown here): that cost is given back, and goes into the average.
    sold_lines = {x.line_id for r in survivors for x in r.lines if x.line_id is not None}
    sold_at_cost: dict[uuid.UUID, Decimal | None] = {}
    vouchers: set[uuid.UUID] = set()  # lines that sold a gift voucher: not goods
    if sold_lines:
        found = conn.execute(
            select(SALE_LINE.c.line_id, SALE_LINE.c.unit_cost, SALE_LINE.c.voucher_serial).where(
                SALE_LINE.c.line_id.in_(sold_lines)
            )
        )
        for line_id, unit_cost, serial in found:
            sold_at_cost[line_id] = unit_cost
            if serial is not None:
                vouchers.add(line_id)
    # A gift voucher given back moves no stock and has no cost (a till refuses to refund one;
    # this keeps a till that sends one anyway from moving a product that does not exist).
    booked = _stock(
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
            if x.line_id not in vouchers
        ],
        {
            f"{r.refund_id}:{i}": sold_at_cost.get(x.line_id) if x.line_id else None
            for r in survivors
            for i, x in enumerate(r.lines)
        },
    )
    lines = []
    for r in survivors:
        costs = [
            costing.line_cost(x.quantity, booked.get(f"{r.refund_id}:{i}"))
            for i, x in enumerate(r.lines)
        ]
        lines += [
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
                "cost": cost,
            }
            for i, (x, cost) in enumerate(zip(r.lines, costs, strict=True))
        ]
        # The cost given back goes into the summaries once, with the refund.
        batch.summaries.add_refund(till.outlet_id, till.till_id, r, costs, vouchers)
    bulk_insert(conn, REFUND_LINE, lines)
    tenders = [row for r in survivors for row in _tender_rows(r.refund_id, "refund", r.tenders)]
    bulk_insert(conn, TENDER, tenders)


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
        rows = [
            {
                "product_id": s.product_id,
                "quantity": s.quantity,
                "reason": reason,
                "source": str(s.movement_id),
                "moved_at": s.moved_at,
                "detail": s.reason,
                "reference": s.reference,
                "unit_cost": s.unit_cost,
                # Only goods received count against an order (trust.py checked the line).
                "po_line_id": s.po_line_id if reason == "received" else None,
            }
            for s in moves
        ]
        booked = _stock(
            conn,
            batch.till,
            rows,
            # Goods received come in at their cost; found or counted over, at the average.
            {str(s.movement_id): s.unit_cost for s in moves if reason == "received"},
        )
        _receive_against_orders(
            conn,
            [
                (r["product_id"], r["quantity"], r["po_line_id"])
                for r in rows
                if r["source"] in booked
            ],
        )

    return project


PO, PO_LINE = _t(m.PurchaseOrder), _t(m.PurchaseOrderLine)


def _receive_against_orders(conn: Connection, inserted: list[tuple[Any, ...]]) -> None:
    """Add what was received (each movement once: only those inserted now) to its order
    line, then mark each order touched partial, or received when every line is in full.

    The order's update takes the master writers' lock and logs a change, so the outlet's
    tills see the new received quantities, or drop the order once it is closed. A cancelled
    or already-received order keeps its status; what arrives against it still counts."""
    received: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for _, quantity, po_line_id in inserted:
        if po_line_id is not None:
            received[po_line_id] += quantity
    if not received:
        return
    orders: set[uuid.UUID] = set()
    for line_id, quantity in sorted(received.items(), key=lambda lq: lq[0].int):
        po_id = conn.scalar(
            PO_LINE.update()
            .where(PO_LINE.c.po_line_id == line_id)
            .values(received=PO_LINE.c.received + quantity)
            .returning(PO_LINE.c.po_id)
        )
        if po_id is not None:
            orders.add(po_id)
    for po_id in sorted(orders, key=lambda p: p.int):
        short = (
            select(func.count())
            .where(PO_LINE.c.po_id == po_id, PO_LINE.c.received < PO_LINE.c.quantity)
            .scalar_subquery()
        )
        conn.execute(
            PO.update()
            .where(PO.c.po_id == po_id, PO.c.status.in_(("sent", "partial")))
            .values(
                status=case((short == 0, "received"), else_="partial"),
                closed_at=case((short == 0, func.now()), else_=None),
                updated_at=func.now(),
            )
        )


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
        "member_no",
        "consent_purpose",
        "consent_by",
        "company_name",
        "uen",
        "address_lines",
        "gst_reg_no",
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[CUSTOMER.c.customer_id],
            set_={
                **{c: stmt.excluded[c] for c in columns},
                "updated_at": stmt.excluded.updated_at,
                "outlet_id": func.coalesce(CUSTOMER.c.outlet_id, stmt.excluded.outlet_id),
            },
            # As for shifts: another outlet's customer is never changed, even in a race; and
            # a customer anonymised at head office stays so, whatever a till still holds.
            where=and_(
                or_(
                    CUSTOMER.c.outlet_id.is_(None),
                    CUSTOMER.c.outlet_id == stmt.excluded.outlet_id,
                ),
                CUSTOMER.c.anonymised_at.is_(None),
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


def _points(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    # Keyed by the till's entry id: an entry sent again (a retry whose answer was lost, a
    # till restored from a backup that replays it under a new epoch) adds nothing.
    rows = []
    for _, p in items:
        reversal = isinstance(p, LoyaltyReversedV1)
        rows.append(
            {
                "entry_id": p.entry_id,
                "till_id": batch.till.till_id,
                "outlet_id": batch.till.outlet_id,
                "customer_id": p.customer_id,
                "kind": "reversed" if reversal else "earned",
                "points": -p.points if reversal else p.points,
                "sale_id": p.sale_id,
                "refund_id": p.refund_id if reversal else None,
                "occurred_at": p.reversed_at if reversal else p.earned_at,
                "expires_on": None if reversal else p.expires_on,
            }
        )
    conn.execute(insert(LOYALTY).on_conflict_do_nothing(), rows)


def _vouchers_sold(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    # Keyed by the sale line: the same voucher sold again on another line (two offline tills)
    # is a second row, which the reconciliation flags; the same event again adds nothing.
    sold: list[VoucherSoldV1] = [p for _, p in items]
    rows = [
        {
            "line_id": p.line_id,
            "serial": p.serial,
            "sale_id": p.sale_id,
            "till_id": batch.till.till_id,
            "outlet_id": batch.till.outlet_id,
            "amount": p.amount,
            "sold_at": p.sold_at,
            "business_date": supply_date(p.sold_at),
        }
        for p in sold
    ]
    conn.execute(insert(VOUCHER_SALE).on_conflict_do_nothing(), rows)


def _vouchers_redeemed(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    # Accepted even when the voucher holds less than this by now (another till took it while
    # both were offline): the goods are gone, so it is stored and flagged, never refused.
    taken: list[VoucherRedeemedV1] = [p for _, p in items]
    rows = [
        {
            "redemption_id": p.redemption_id,
            "serial": p.serial,
            "sale_id": p.sale_id,
            "till_id": batch.till.till_id,
            "outlet_id": batch.till.outlet_id,
            "amount": p.amount,
            "redeemed_at": p.redeemed_at,
            "business_date": supply_date(p.redeemed_at),
        }
        for p in taken
    ]
    conn.execute(insert(VOUCHER_REDEMPTION).on_conflict_do_nothing(), rows)


def _points_spent(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    """Points spent on a sale (negative) or given back by its refund (positive); a
    redemption that leaves its member below zero is flagged (``points.flag_overdrawn``)."""
    rows = []
    for _, p in items:
        spent = isinstance(p, LoyaltyRedeemedV1)
        rows.append(
            {
                "entry_id": p.entry_id,
                "till_id": batch.till.till_id,
                "outlet_id": batch.till.outlet_id,
                "customer_id": p.customer_id,
                "kind": "redeemed" if spent else "returned",
                "points": -p.points if spent else p.points,
                "sale_id": p.sale_id,
                "refund_id": None if spent else p.refund_id,
                "occurred_at": p.redeemed_at if spent else p.returned_at,
                "expires_on": None,
                "value": p.value,
            }
        )
    stored = set(
        conn.scalars(
            insert(LOYALTY).on_conflict_do_nothing().returning(LOYALTY.c.entry_id), rows
        ).all()
    )
    flag_overdrawn(
        conn,
        [
            Redemption(r["entry_id"], r["customer_id"], r["outlet_id"], r["till_id"], -r["points"])
            for r in rows
            if r["kind"] == "redeemed" and r["entry_id"] in stored
        ],
        batch.now,
    )


def _stock_transferred(conn: Connection, batch: Batch, items: list[tuple[Event, Any]]) -> None:
    """Both halves of a transfer go into the ledger of the outlet whose till sent them (the
    sender's out, the receiver's in), under the transfer's number. Goods taken in come at the
    cost head office booked them out at the sender (the cost the event carries while the
    sender's half has not arrived)."""
    moves: list[StockTransferredV1] = [p for _, p in items]
    numbers = sorted({t.transfer_no for t in moves if t.direction == "in"})
    sent_at: dict[tuple[str, uuid.UUID], Decimal] = {}
    if numbers:
        sent_at = {
            (ref, product): cost
            for ref, product, cost in conn.execute(
                select(STOCK.c.reference, STOCK.c.product_id, func.max(STOCK.c.cost))
                .where(
                    STOCK.c.reason == STOCK_REASONS[EventKind.STOCK_TRANSFERRED],
                    STOCK.c.reference.in_(numbers),
                    STOCK.c.quantity < 0,
                    STOCK.c.cost.is_not(None),
                )
                .group_by(STOCK.c.reference, STOCK.c.product_id)
            ).tuples()
        }
    _stock(
        conn,
        batch.till,
        [
            {
                "product_id": t.product_id,
                "quantity": t.quantity,
                "reason": STOCK_REASONS[EventKind.STOCK_TRANSFERRED],
                "source": str(t.movement_id),
                "moved_at": t.moved_at,
                # Where the goods went or came from: "out:JUR", "in:ORC".
                "detail": f"{t.direction}:{t.other_outlet}",
                "reference": t.transfer_no,
                "unit_cost": t.unit_cost,
            }
            for t in moves
        ],
        {
            str(t.movement_id): sent_at.get((t.transfer_no, t.product_id), t.unit_cost)
            for t in moves
            if t.direction == "in"
        },
    )


Projection = Callable[[Connection, Batch, list[tuple[Event, Any]]], None]

# In this order within one push. Stock documents before sales: goods received and sold in
# the same push are sold at the cost they came in at (docs/stock.md, "The cost method").
PROJECTIONS: dict[EventKind, Projection] = {
    EventKind.SHIFT_OPENED: _shifts_opened,
    EventKind.STOCK_RECEIVED: _stock_moved(STOCK_REASONS[EventKind.STOCK_RECEIVED]),
    EventKind.STOCK_ADJUSTED: _stock_moved(STOCK_REASONS[EventKind.STOCK_ADJUSTED]),
    EventKind.STOCK_TRANSFERRED: _stock_transferred,
    EventKind.SALE_COMPLETED: _sales,
    EventKind.REFUND_COMPLETED: _refunds,
    EventKind.CASH_MOVED: _cash,
    EventKind.SHIFT_CLOSED: _shifts_closed,
    EventKind.AUDIT_RECORDED: _audit,
    EventKind.CUSTOMER_UPSERTED: _customers,
    EventKind.LOYALTY_EARNED: _points,
    EventKind.LOYALTY_REVERSED: _points,
    EventKind.VOUCHER_SOLD: _vouchers_sold,
    EventKind.VOUCHER_REDEEMED: _vouchers_redeemed,
    EventKind.LOYALTY_REDEEMED: _points_spent,
    EventKind.LOYALTY_RETURNED: _points_spent,
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
