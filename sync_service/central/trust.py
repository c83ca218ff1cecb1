"""What a till may say about what: every fact an event carries is bound to the till sending it.

The credential proves which till is pushing; everything inside an event is only that till's
claim. Before a push writes anything, ``refuse_untrusted`` checks every event's claims here, in
one place, against these rules (docs/security.md lists them with the tests that try each):

========================  ===============================================================
the event names           it must be
========================  ===============================================================
a receipt number          ``<outlet>-<till>-<serial>`` of the sending till, as it prints them
                          (a sale's, a refund's, and the sale a refund or void names)
a sale or refund id       not a sale or refund of another till
a sale line               not a line of another till's sale (sold, or being refunded)
the sale refunded/voided  a sale of the sending till: a till refunds from its own store
a shift                   not a shift of another till
a cash movement           not a movement of another till (and its shift as above)
a stock movement          not a movement of another till; the stock is always counted at the
                          sending till's outlet, whatever the event says
a transfer sent           numbered by the sending till (``TR-<outlet>-<till>-<serial>``), to
                          another outlet
a transfer taken in       from the other outlet its number names, and not one that outlet
                          sent to a third outlet
a purchase order          an order of the sending till's outlet that head office has sent
                          (a draft never reached a till); named with one of its own lines,
                          and only by goods received
a customer                not a customer of another outlet: a shop's customers are its own
a member number           ``M-<outlet>-<till>-<serial>`` of the sending till's outlet, and not
                          the number of another customer
a points entry            not an entry of another till; its customer not another outlet's; its
                          sale (and refund) not another till's; points spent or given back
                          also by ``points_trust``'s rules (a known customer, the sale's own
                          points tender, no more than it)
an audit record           of the sending till's own chain
========================  ===============================================================

An id no till has sent yet is the sender's to claim: ids are random UUIDs minted on the till,
and no till is ever sent another till's facts, so it cannot name another's id before that
till's own event has arrived (and then the id is taken). A customer recorded before owners
were kept belongs to the first outlet that sends it again.

An event that breaks a rule is *refused*: it is stored in no fact table, not in the inbox and
not in quarantine, and is recorded as a ``security_event`` (which till, its key, the field,
why). The till is answered with the outcome every accepted protocol version acknowledges,
``quarantined``, and a reason starting ``rejected: <field>:``, so its queue keeps draining and
the events behind the forged one are applied as usual.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Connection, String, Table, literal, select, union_all
from sqlalchemy.dialects.postgresql import UUID

from shared.logs import get_logger
from shared.protocol import (
    REFUSED_REASON,
    AuditRecordedV1,
    CashMovedV1,
    CustomerUpsertedV1,
    Event,
    EventKind,
    EventOutcome,
    EventResult,
    LoyaltyEarnedV1,
    LoyaltyRedeemedV1,
    LoyaltyReturnedV1,
    LoyaltyReversedV1,
    RefundCompletedV1,
    SaleCompletedV1,
    ShiftClosedV1,
    ShiftOpenedV1,
    StockMovedV1,
    StockTransferredV1,
    VoucherRedeemedV1,
    VoucherSoldV1,
)
from shared.receipt import ReceiptNumber, ReceiptNumberError
from sync_service.central import models as m
from sync_service.central.bulk import bulk_insert
from sync_service.central.points_trust import find_points_breaches
from sync_service.central.projections import (
    CASH,
    CUSTOMER,
    LOYALTY,
    REFUND,
    SALE,
    SALE_LINE,
    SHIFT,
    STOCK,
    STOCK_REASONS,
    VOUCHER,
    VOUCHER_REDEMPTION,
    Batch,
)
from sync_service.central.tills import TillAuth

PointsPayload = LoyaltyEarnedV1 | LoyaltyReversedV1 | LoyaltyRedeemedV1 | LoyaltyReturnedV1

log = get_logger("sgpos.trust")

_SECURITY = m.SecurityEvent.__table__
_IDS = ARRAY(UUID(as_uuid=True))


@dataclass(frozen=True)
class Breach:
    """The first claim of an event that is not the sending till's to make."""

    field: str
    why: str

    def answer(self) -> str:
        return f"{REFUSED_REASON}{self.field}: {self.why}; nothing was stored"[:200]


# --- which facts an event names ----------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """``field`` of an event names ``key`` of one kind of ``fact``: a receipt or an audit chain
    (checked in the event itself) or one of ``HELD_ELSEWHERE`` (looked up)."""

    field: str
    fact: str
    key: Any


def _sale_claims(p: SaleCompletedV1) -> Iterator[Claim]:
    yield Claim("receipt_no", "receipt", p.receipt_no)
    yield Claim("sale_id", "document", p.sale_id)
    yield Claim("shift_id", "shift", p.shift_id)
    for i, line in enumerate(p.lines):
        yield Claim(f"lines[{i}].line_id", "sale line", line.line_id)
    if p.customer_id is not None:
        yield Claim("customer_id", "customer", p.customer_id)


def _refund_claims(p: RefundCompletedV1) -> Iterator[Claim]:
    yield Claim("receipt_no", "receipt", p.receipt_no)
    yield Claim("refund_id", "document", p.refund_id)
    yield Claim("shift_id", "shift", p.shift_id)
    if p.original_receipt_no is not None:
        yield Claim("original_receipt_no", "receipt", p.original_receipt_no)
    if p.original_sale_id is not None:
        yield Claim("original_sale_id", "document", p.original_sale_id)
    for i, line in enumerate(p.lines):
        if line.line_id is not None:
            yield Claim(f"lines[{i}].line_id", "sale line", line.line_id)


def _shift_claims(p: ShiftOpenedV1 | ShiftClosedV1) -> Iterator[Claim]:
    yield Claim("shift_id", "shift", p.shift_id)


def _cash_claims(p: CashMovedV1) -> Iterator[Claim]:
    yield Claim("movement_id", "cash movement", p.movement_id)
    yield Claim("shift_id", "shift", p.shift_id)


def _received_claims(p: StockMovedV1) -> Iterator[Claim]:
    yield Claim("movement_id", "stock movement", str(p.movement_id))
    if p.po_id is not None or p.po_line_id is not None:
        yield Claim("po_id", "order named whole", (p.po_id, p.po_line_id))
        yield Claim("po_id", "purchase order", p.po_id)
        yield Claim("po_line_id", "purchase order line", (p.po_id, p.po_line_id))


def _adjusted_claims(p: StockMovedV1) -> Iterator[Claim]:
    yield Claim("movement_id", "stock movement", str(p.movement_id))
    if p.po_id is not None or p.po_line_id is not None:
        yield Claim("po_id", "order on an adjustment", p.po_id)


def _transfer_claims(p: StockTransferredV1) -> Iterator[Claim]:
    yield Claim("movement_id", "stock movement", str(p.movement_id))
    yield Claim("transfer_no", "transfer", (p.direction, p.transfer_no, p.other_outlet))
    if p.direction == "in":
        yield Claim("transfer_no", "transfer sent", p.transfer_no)


def _audit_claims(p: AuditRecordedV1) -> Iterator[Claim]:
    yield Claim("till_id", "audit chain", p.till_id)


def _customer_claims(p: CustomerUpsertedV1) -> Iterator[Claim]:
    yield Claim("customer_id", "customer", p.customer_id)
    if p.member_no is not None:
        yield Claim("member_no", "member number", (p.member_no, p.customer_id))


def _points_claims(p: PointsPayload) -> Iterator[Claim]:
    yield Claim("entry_id", "points entry", p.entry_id)
    yield Claim("customer_id", "customer", p.customer_id)
    yield Claim("sale_id", "document", p.sale_id)
    if isinstance(p, LoyaltyReversedV1 | LoyaltyReturnedV1):
        yield Claim("refund_id", "document", p.refund_id)


def _voucher_sold_claims(p: VoucherSoldV1) -> Iterator[Claim]:
    yield Claim("serial", "gift voucher sold", (p.serial, p.amount))
    yield Claim("sale_id", "document", p.sale_id)
    yield Claim("line_id", "sale line", p.line_id)


def _voucher_redeemed_claims(p: VoucherRedeemedV1) -> Iterator[Claim]:
    yield Claim("serial", "gift voucher taken", (p.serial, p.amount))
    yield Claim("redemption_id", "voucher redemption", p.redemption_id)
    yield Claim("sale_id", "document", p.sale_id)


CLAIMS: dict[EventKind, Callable[[Any], Iterator[Claim]]] = {
    EventKind.SALE_COMPLETED: _sale_claims,
    EventKind.REFUND_COMPLETED: _refund_claims,
    EventKind.SHIFT_OPENED: _shift_claims,
    EventKind.SHIFT_CLOSED: _shift_claims,
    EventKind.CASH_MOVED: _cash_claims,
    EventKind.STOCK_RECEIVED: _received_claims,
    EventKind.STOCK_ADJUSTED: _adjusted_claims,
    EventKind.STOCK_TRANSFERRED: _transfer_claims,
    EventKind.AUDIT_RECORDED: _audit_claims,
    EventKind.CUSTOMER_UPSERTED: _customer_claims,
    EventKind.LOYALTY_EARNED: _points_claims,
    EventKind.LOYALTY_REVERSED: _points_claims,
    EventKind.LOYALTY_REDEEMED: _points_claims,
    EventKind.LOYALTY_RETURNED: _points_claims,
    EventKind.VOUCHER_SOLD: _voucher_sold_claims,
    EventKind.VOUCHER_REDEEMED: _voucher_redeemed_claims,
}


# --- whose each fact is ----------------------------------------------------------------------


def _ids(keys: Iterable[Any]) -> Any:
    # One array parameter, not one parameter per id: a push names thousands of lines.
    return literal(list(keys), _IDS)


def _held_by_others(table: Table, key: str, owner: str, keys: set[Any], mine: uuid.UUID) -> Any:
    return select(table.c[key]).where(
        table.c[key] == _ids(keys).any_(), table.c[owner].is_distinct_from(mine)
    )


def _documents(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    # Sales and refunds share the tender table's document id: one id space for both.
    query = union_all(
        _held_by_others(SALE, "sale_id", "till_id", keys, till.till_id),
        _held_by_others(REFUND, "refund_id", "till_id", keys, till.till_id),
    )
    return set(conn.scalars(query))


def _sale_lines(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    query = (
        select(SALE_LINE.c.line_id)
        .join(SALE, SALE.c.sale_id == SALE_LINE.c.sale_id)
        .where(SALE_LINE.c.line_id == _ids(keys).any_(), SALE.c.till_id != till.till_id)
    )
    return set(conn.scalars(query))


def _shifts(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    return set(conn.scalars(_held_by_others(SHIFT, "shift_id", "till_id", keys, till.till_id)))


def _cash(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    return set(conn.scalars(_held_by_others(CASH, "movement_id", "till_id", keys, till.till_id)))


def _stock(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    # A stock event's movement id is its ledger source, under the reason of its kind: one id
    # space for goods received and counts adjusted, whichever kind names it.
    query = select(STOCK.c.source).where(
        STOCK.c.source == literal(sorted(keys), ARRAY(String())).any_(),
        STOCK.c.reason.in_(sorted(STOCK_REASONS.values())),
        STOCK.c.till_id.is_distinct_from(till.till_id),
    )
    return set(conn.scalars(query))


def _transfers_sent_elsewhere(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    # The dispatching half names where the goods go ("out:<outlet code>"): only that outlet
    # takes them in.
    query = select(STOCK.c.reference).where(
        STOCK.c.reference == literal(sorted(keys), ARRAY(String())).any_(),
        STOCK.c.reason == STOCK_REASONS[EventKind.STOCK_TRANSFERRED],
        STOCK.c.detail.like("out:%"),
        STOCK.c.detail != f"out:{till.outlet_code}",
    )
    return set(conn.scalars(query))


def _customers(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    # Outlet rule; a customer without an owner (recorded before owners were kept) is free.
    query = select(CUSTOMER.c.customer_id).where(
        CUSTOMER.c.customer_id == _ids(keys).any_(), CUSTOMER.c.outlet_id != till.outlet_id
    )
    return set(conn.scalars(query))


def _member_numbers(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    # (member number, customer) pairs whose number another customer already holds.
    numbers = sorted({number for number, _ in keys})
    rows = conn.execute(
        select(CUSTOMER.c.member_no, CUSTOMER.c.customer_id).where(
            CUSTOMER.c.member_no == literal(numbers, ARRAY(String())).any_()
        )
    )
    held: dict[str, uuid.UUID] = {number: owner for number, owner in rows}
    return {(number, owner) for number, owner in keys if held.get(number, owner) != owner}


def _points_entries(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    return set(conn.scalars(_held_by_others(LOYALTY, "entry_id", "till_id", keys, till.till_id)))


def _face_values(conn: Connection, keys: set[Any]) -> dict[str, Any]:
    serials = sorted({serial for serial, _ in keys})
    query = (
        select(VOUCHER.c.serial, m.VoucherBatch.face_value)
        .join(m.VoucherBatch, m.VoucherBatch.batch_id == VOUCHER.c.batch_id)
        .where(VOUCHER.c.serial == literal(serials, ARRAY(String())).any_())
    )
    return {serial: value for serial, value in conn.execute(query)}


def _vouchers_sold_wrongly(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    # A voucher head office never issued, or sold for other than its face value.
    face = _face_values(conn, keys)
    return {(serial, amount) for serial, amount in keys if face.get(serial) != amount}


def _vouchers_taken_wrongly(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    # A voucher head office never issued, or more taken from it at once than it is worth.
    # Less than its face value but more than is left (offline tills) is accepted and flagged.
    face = _face_values(conn, keys)
    return {
        (serial, amount) for serial, amount in keys if serial not in face or amount > face[serial]
    }


def _redemptions(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    table = VOUCHER_REDEMPTION
    return set(conn.scalars(_held_by_others(table, "redemption_id", "till_id", keys, till.till_id)))


def _orders_of_others(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    po = m.PurchaseOrder
    wanted = {k for k in keys if k is not None}
    query = select(po.po_id).where(po.po_id == _ids(wanted).any_(), po.outlet_id != till.outlet_id)
    return set(conn.scalars(query)) if wanted else set()


def _lines_not_sent_here(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    # (order, line) pairs naming no line of that order that head office sent this outlet:
    # an unknown order or line, a line of another order, or an order still a draft.
    po, line = m.PurchaseOrder, m.PurchaseOrderLine
    pairs = {(o, ln) for o, ln in keys if o is not None and ln is not None}
    if not pairs:
        return set()
    rows = conn.execute(
        select(line.po_line_id, line.po_id)
        .join(po, po.po_id == line.po_id)
        .where(
            line.po_line_id == _ids({ln for _, ln in pairs}).any_(),
            po.outlet_id == till.outlet_id,
            po.status != "draft",
        )
    )
    known = {(o, ln) for ln, o in rows}
    return pairs - known


Lookup = Callable[[Connection, set[Any], TillAuth], set[Any]]
# Per fact held in the database: the keys among those asked that belong to someone else.
HELD_ELSEWHERE: dict[str, tuple[Lookup, str]] = {
    "document": (_documents, "names a sale or refund of another till"),
    "sale line": (_sale_lines, "names a sale line of another till"),
    "shift": (_shifts, "names a shift of another till"),
    "cash movement": (_cash, "names a cash movement of another till"),
    "stock movement": (_stock, "names a stock movement of another till"),
    "customer": (_customers, "names a customer of another outlet"),
    "member number": (_member_numbers, "is the member number of another customer"),
    "points entry": (_points_entries, "names a points entry of another till"),
    "transfer sent": (_transfers_sent_elsewhere, "takes in a transfer sent to another outlet"),
    "gift voucher sold": (
        _vouchers_sold_wrongly,
        "is not a gift voucher head office issued, or not sold at its face value",
    ),
    "gift voucher taken": (
        _vouchers_taken_wrongly,
        "is not a gift voucher head office issued, or more than its face value is taken",
    ),
    "voucher redemption": (_redemptions, "names a gift voucher redemption of another till"),
    "purchase order": (_orders_of_others, "names a purchase order of another outlet"),
    "purchase order line": (
        _lines_not_sent_here,
        "names no line of a purchase order head office sent this outlet",
    ),
}


def _own_receipt(till: TillAuth, text: Any) -> bool:
    """Exactly a receipt number this till prints: its outlet and till codes, a serial."""
    try:
        number = ReceiptNumber.parse(text)
    except ReceiptNumberError:
        return False
    return (
        str(number) == text
        and number.outlet_code == till.outlet_code
        and number.till_code == till.till_code
    )


def _transfer_breach(claim: Claim, till: TillAuth) -> Breach | None:
    """A till sends only its own transfers (``TR-<outlet>-<till>-NNNNNN``, as it numbers
    them) to another outlet, and takes in only transfers another outlet sent."""
    direction, number, other = claim.key
    parts = str(number).split("-")
    if direction == "out":
        if parts[1:3] != [till.outlet_code, till.till_code]:
            return Breach(
                claim.field,
                f"{str(number)[:40]!r} is not a transfer number of this till "
                f"(TR-{till.outlet_code}-{till.till_code}-NNNNNN)",
            )
        if other == till.outlet_code:
            return Breach("other_outlet", "a transfer to the sending till's own outlet")
        return None
    if parts[1] != other or other == till.outlet_code:
        return Breach(claim.field, "a transfer taken in must come from the other outlet it names")
    return None


def _in_the_event(claim: Claim, till: TillAuth) -> Breach | None:
    """The rules that need no lookup."""
    if claim.fact == "receipt" and not _own_receipt(till, claim.key):
        return Breach(
            claim.field,
            f"{str(claim.key)[:40]!r} is not a receipt number of this till "
            f"({till.outlet_code}-{till.till_code}-NNNNNN)",
        )
    if claim.fact == "member number" and claim.key[0].split("-")[1] != till.outlet_code:
        return Breach(
            claim.field,
            f"{claim.key[0]!r} is not a member number of this outlet "
            f"(M-{till.outlet_code}-<till>-NNNNN)",
        )
    if claim.fact == "transfer":
        return _transfer_breach(claim, till)
    if claim.fact == "order named whole" and None in claim.key:
        return Breach(claim.field, "a purchase order is named by its id and its line's, both")
    if claim.fact == "order on an adjustment":
        return Breach(claim.field, "only goods received are counted against a purchase order")
    if claim.fact == "audit chain" and claim.key != till.till_id:
        return Breach(claim.field, "an audit record of another till's chain")
    return None


def find_breaches(
    conn: Connection, till: TillAuth, items: Iterable[tuple[Event, Any]]
) -> dict[uuid.UUID, Breach]:
    """Per refused event id, the first of its claims that breaks a rule."""
    claims = [(event, list(CLAIMS[EventKind(event.kind)](payload))) for event, payload in items]
    wanted: dict[str, set[Any]] = {}
    for _, made in claims:
        for claim in made:
            if claim.fact in HELD_ELSEWHERE:
                wanted.setdefault(claim.fact, set()).add(claim.key)
    # One statement per kind of fact for the whole push, however many events name it.
    taken = {
        fact: HELD_ELSEWHERE[fact][0](conn, keys, till) for fact, keys in sorted(wanted.items())
    }
    breaches: dict[uuid.UUID, Breach] = {}
    for event, made in claims:
        for claim in made:
            breach = _in_the_event(claim, till)
            if breach is None and claim.key in taken.get(claim.fact, ()):
                breach = Breach(claim.field, HELD_ELSEWHERE[claim.fact][1])
            if breach is not None:
                breaches[event.event_id] = breach
                break
    return breaches


# --- refusing ------------------------------------------------------------------------------


def refuse_untrusted(conn: Connection, batch: Batch) -> None:
    """Take every event that names another till's facts out of ``batch`` before it is
    projected: answer it as refused and record a security event, in the push's transaction."""
    items = [item for kind_items in batch.applied.values() for item in kind_items]
    breaches = find_breaches(conn, batch.till, items)
    trusted = [(e, p) for e, p in items if e.event_id not in breaches]
    for event_id, (where, why) in find_points_breaches(conn, batch.till, trusted).items():
        breaches[event_id] = Breach(where, why)
    if not breaches:
        return
    for kind, kind_items in list(batch.applied.items()):
        batch.applied[kind] = [(e, p) for e, p in kind_items if e.event_id not in breaches]
    rows = []
    for event, _ in items:
        breach = breaches.get(event.event_id)
        if breach is None:
            continue
        batch.results[event.event_id] = EventResult(
            event_id=event.event_id,
            seq=event.seq,
            outcome=EventOutcome.QUARANTINED,
            reason=breach.answer(),
        )
        rows.append(
            {
                "till_id": batch.till.till_id,
                "epoch": event.epoch,
                "seq": event.seq,
                "event_id": event.event_id,
                "kind": event.kind[:40],
                "field": breach.field[:80],
                "reason": breach.why,
                "payload_sha256": event.payload_sha256,
            }
        )
    # The same forged event sent again is one security event (its key and hash), not one a try.
    assert isinstance(_SECURITY, Table)
    bulk_insert(conn, _SECURITY, rows)
    log.warning(
        "push.refused_foreign_facts",
        till_id=str(batch.till.till_id),
        count=len(rows),
        fields=sorted({str(r["field"]) for r in rows})[:5],
        event_ids=[str(r["event_id"]) for r in rows[:10]],
    )
