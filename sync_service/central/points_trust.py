"""What a till may say about points spent and given back, beyond whose facts they name
(``trust.py``): the ledger may only move by what a sale or refund of the sending till paid.

========================  ===============================================================
the event                 it must
========================  ===============================================================
points redeemed           name a customer head office knows (stored, or sent in the same
                          push), and a sale of the sending till (stored, or in the same push)
                          that is for that customer and has a ``points`` tender; its value,
                          with every other redemption of the sale, not more than that tender
points returned           name a refund of the sending till of that sale, with a ``points``
                          tender at least its value; with every other return of the sale, not
                          more points than the sale spent
========================  ===============================================================

A breach is refused like any other (``trust.refuse_untrusted``): stored nowhere, answered as
quarantined with ``rejected: <field>:``, recorded as a security event.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Connection, func, literal, select
from sqlalchemy.dialects.postgresql import UUID

from shared.protocol import (
    Event,
    EventKind,
    LoyaltyRedeemedV1,
    LoyaltyReturnedV1,
)
from sync_service.central import models as m
from sync_service.central.tills import TillAuth

SALE, REFUND, TENDER = m.Sale.__table__, m.Refund.__table__, m.Tender.__table__
CUSTOMER, LOYALTY = m.Customer.__table__, m.LoyaltyEntry.__table__
_IDS = ARRAY(UUID(as_uuid=True))
POINTS = "points"


@dataclass
class Document:
    """A sale or refund as far as points care: whose, for whom, what points paid."""

    customer_id: uuid.UUID | None
    points_tender: Decimal
    sale_id: uuid.UUID | None = None  # a refund's original sale


@dataclass
class Spent:
    """Per sale: what redemptions already stored (or earlier in this push) spent and got
    back."""

    value: Decimal = Decimal(0)
    points: int = 0
    returned: int = 0
    entries: set[uuid.UUID] = field(default_factory=set)


def _ids(keys: Iterable[uuid.UUID]) -> Any:
    return literal(sorted(set(keys)), _IDS)


def _points_tenders(conn: Connection, ids: set[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    if not ids:
        return {}
    rows = conn.execute(
        select(TENDER.c.document_id, func.sum(TENDER.c.amount))
        .where(TENDER.c.document_id == _ids(ids).any_(), TENDER.c.type == POINTS)
        .group_by(TENDER.c.document_id)
    )
    return {doc: Decimal(amount) for doc, amount in rows}


def _documents(
    conn: Connection,
    till: TillAuth,
    items: list[tuple[Event, Any]],
    sales: set[uuid.UUID],
    refunds: set[uuid.UUID],
) -> dict[uuid.UUID, Document]:
    found: dict[uuid.UUID, Document] = {}
    # The same push: projected before the points events are. (Sales and refunds are decoded
    # by msgspec, not as the pydantic models: told apart by the event's kind.)
    for event, p in items:
        if event.kind in (EventKind.SALE_COMPLETED, EventKind.REFUND_COMPLETED):
            paid = sum((t.amount for t in p.tenders if t.type == POINTS), Decimal(0))
            if event.kind == EventKind.SALE_COMPLETED:
                found[p.sale_id] = Document(p.customer_id, paid)
            else:
                found[p.refund_id] = Document(None, paid, p.original_sale_id)
    wanted_sales = sales - found.keys()
    wanted_refunds = refunds - found.keys()
    tenders = _points_tenders(conn, wanted_sales | wanted_refunds)
    if wanted_sales:
        for sale_id, customer_id in conn.execute(
            select(SALE.c.sale_id, SALE.c.customer_id).where(
                SALE.c.sale_id == _ids(wanted_sales).any_(), SALE.c.till_id == till.till_id
            )
        ):
            found[sale_id] = Document(customer_id, tenders.get(sale_id, Decimal(0)))
    if wanted_refunds:
        for refund_id, sale_id in conn.execute(
            select(REFUND.c.refund_id, REFUND.c.original_sale_id).where(
                REFUND.c.refund_id == _ids(wanted_refunds).any_(),
                REFUND.c.till_id == till.till_id,
            )
        ):
            found[refund_id] = Document(None, tenders.get(refund_id, Decimal(0)), sale_id)
    return found


def _spent(conn: Connection, sales: set[uuid.UUID]) -> dict[uuid.UUID, Spent]:
    spent: dict[uuid.UUID, Spent] = defaultdict(Spent)
    if not sales:
        return spent
    for sale_id, entry_id, kind, points, value in conn.execute(
        select(
            LOYALTY.c.sale_id, LOYALTY.c.entry_id, LOYALTY.c.kind, LOYALTY.c.points, LOYALTY.c.value
        ).where(
            LOYALTY.c.sale_id == _ids(sales).any_(),
            LOYALTY.c.kind.in_(["redeemed", "returned"]),
        )
    ):
        _count(spent[sale_id], entry_id, kind, points, value)
    return spent


def _count(spent: Spent, entry_id: uuid.UUID, kind: str, points: int, value: Any) -> None:
    spent.entries.add(entry_id)
    if kind == "redeemed":
        spent.points += abs(points)
        spent.value += Decimal(value or 0)
    else:
        spent.returned += abs(points)


def _known_customers(
    conn: Connection, items: list[tuple[Event, Any]], asked: set[uuid.UUID]
) -> set[uuid.UUID]:
    known = {p.customer_id for e, p in items if e.kind == EventKind.CUSTOMER_UPSERTED}
    rest = asked - known
    if rest:
        known |= set(
            conn.scalars(
                select(CUSTOMER.c.customer_id).where(CUSTOMER.c.customer_id == _ids(rest).any_())
            )
        )
    return known


def find_points_breaches(
    conn: Connection, till: TillAuth, items: list[tuple[Event, Any]]
) -> dict[uuid.UUID, tuple[str, str]]:
    """Per refused event id: (field, why)."""
    spending = (EventKind.LOYALTY_REDEEMED, EventKind.LOYALTY_RETURNED)
    moves = [(e, p) for e, p in items if e.kind in spending]
    if not moves:
        return {}
    sales = {p.sale_id for _, p in moves}
    refunds = {p.refund_id for _, p in moves if isinstance(p, LoyaltyReturnedV1)}
    documents = _documents(conn, till, items, sales, refunds)
    customers = _known_customers(conn, items, {p.customer_id for _, p in moves})
    spent = _spent(conn, sales)
    breaches: dict[uuid.UUID, tuple[str, str]] = {}
    for event, p in sorted(moves, key=lambda item: (item[0].epoch, item[0].seq)):
        why = _breach(p, documents, customers, spent[p.sale_id])
        if why is not None:
            breaches[event.event_id] = why
        elif p.entry_id not in spent[p.sale_id].entries:
            kind = "redeemed" if isinstance(p, LoyaltyRedeemedV1) else "returned"
            value = p.value if kind == "redeemed" else None
            _count(spent[p.sale_id], p.entry_id, kind, p.points, value)
    return breaches


def _breach(
    p: LoyaltyRedeemedV1 | LoyaltyReturnedV1,
    documents: dict[uuid.UUID, Document],
    customers: set[uuid.UUID],
    spent: Spent,
) -> tuple[str, str] | None:
    if p.customer_id not in customers:
        return ("customer_id", "spends the points of a customer head office does not know")
    sale = documents.get(p.sale_id)
    if sale is None:
        return ("sale_id", "names a sale this till has not sent")
    if sale.customer_id != p.customer_id:
        return ("customer_id", "spends the points of a customer the sale is not for")
    if p.entry_id in spent.entries:
        return None  # sent again: the ledger's key makes it add nothing
    if isinstance(p, LoyaltyRedeemedV1):
        if spent.value + p.value > sale.points_tender:
            return (
                "value",
                f"spends ${spent.value + p.value} of points on a sale whose points tender "
                f"is ${sale.points_tender}",
            )
        return None
    refund = documents.get(p.refund_id)
    if refund is None or refund.sale_id != p.sale_id:
        return ("refund_id", "names no refund of this sale from this till")
    if p.value > refund.points_tender:
        return (
            "value",
            f"gives back more than the refund's points tender (${refund.points_tender})",
        )
    if spent.returned + p.points > spent.points:
        return ("points", f"gives back more points than the sale spent ({spent.points})")
    return None
