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
a customer                not a customer of another outlet: a shop's customers are its own
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
    RefundCompletedV1,
    SaleCompletedV1,
    ShiftClosedV1,
    ShiftOpenedV1,
    StockMovedV1,
)
from shared.receipt import ReceiptNumber, ReceiptNumberError
from sync_service.central import models as m
from sync_service.central.bulk import bulk_insert
from sync_service.central.projections import (
    CASH,
    CUSTOMER,
    REFUND,
    SALE,
    SALE_LINE,
    SHIFT,
    STOCK,
    STOCK_REASONS,
    Batch,
)
from sync_service.central.tills import TillAuth

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


def _stock_claims(p: StockMovedV1) -> Iterator[Claim]:
    yield Claim("movement_id", "stock movement", str(p.movement_id))


def _audit_claims(p: AuditRecordedV1) -> Iterator[Claim]:
    yield Claim("till_id", "audit chain", p.till_id)


def _customer_claims(p: CustomerUpsertedV1) -> Iterator[Claim]:
    yield Claim("customer_id", "customer", p.customer_id)


CLAIMS: dict[EventKind, Callable[[Any], Iterator[Claim]]] = {
    EventKind.SALE_COMPLETED: _sale_claims,
    EventKind.REFUND_COMPLETED: _refund_claims,
    EventKind.SHIFT_OPENED: _shift_claims,
    EventKind.SHIFT_CLOSED: _shift_claims,
    EventKind.CASH_MOVED: _cash_claims,
    EventKind.STOCK_RECEIVED: _stock_claims,
    EventKind.STOCK_ADJUSTED: _stock_claims,
    EventKind.AUDIT_RECORDED: _audit_claims,
    EventKind.CUSTOMER_UPSERTED: _customer_claims,
}


# --- whose each fact is ----------------------------------------------------------------------


def _ids(keys: Iterable[Any]) -> Any:
    # One array parameter, not one parameter per id: a push names thousands of lines.
    return literal(sorted(keys), _IDS)


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


def _customers(conn: Connection, keys: set[Any], till: TillAuth) -> set[Any]:
    # Outlet rule; a customer without an owner (recorded before owners were kept) is free.
    query = select(CUSTOMER.c.customer_id).where(
        CUSTOMER.c.customer_id == _ids(keys).any_(), CUSTOMER.c.outlet_id != till.outlet_id
    )
    return set(conn.scalars(query))


Lookup = Callable[[Connection, set[Any], TillAuth], set[Any]]
# Per fact held in the database: the keys among those asked that belong to someone else.
HELD_ELSEWHERE: dict[str, tuple[Lookup, str]] = {
    "document": (_documents, "names a sale or refund of another till"),
    "sale line": (_sale_lines, "names a sale line of another till"),
    "shift": (_shifts, "names a shift of another till"),
    "cash movement": (_cash, "names a cash movement of another till"),
    "stock movement": (_stock, "names a stock movement of another till"),
    "customer": (_customers, "names a customer of another outlet"),
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


def _in_the_event(claim: Claim, till: TillAuth) -> Breach | None:
    """The rules that need no lookup."""
    if claim.fact == "receipt" and not _own_receipt(till, claim.key):
        return Breach(
            claim.field,
            f"{str(claim.key)[:40]!r} is not a receipt number of this till "
            f"({till.outlet_code}-{till.till_code}-NNNNNN)",
        )
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
