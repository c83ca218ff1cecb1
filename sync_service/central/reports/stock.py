"""Stock on hand per outlet and product, and each product's movement history.

On hand is ``stock_on_hand``, which ingest moves by exactly what each newly stored movement
adds, so it always equals the sum of the movement ledger. Negative stock is allowed (the goods
are in the customer's hands) and flagged here for someone to count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, and_, false, func, literal, or_, select, tuple_

from sync_service.central import models as m
from sync_service.central.reports.common import (
    NotInScope,
    ReportError,
    Scope,
    cursor_uuid,
    decode_cursor,
    encode_cursor,
    page_limit,
    table,
)

ON_HAND, MOVEMENT = table(m.StockOnHand), table(m.StockMovement)
PRODUCT, OUTLET, TILL = table(m.Product), table(m.Outlet), table(m.Till)
REORDER = table(m.ReorderRule)
UNKNOWN_PRODUCT = "(product not in the catalogue)"


@dataclass(frozen=True)
class StockFilter:
    """``search`` matches product name or SKU (any case, as plain text: % and _ are not
    wildcards); ``negative_only`` keeps rows below zero; ``at_most`` keeps rows at or below
    that quantity, ``at_reorder_point`` rows at or below their reorder point (the low-stock
    lists)."""

    outlet_id: uuid.UUID | None = None
    search: str | None = None
    negative_only: bool = False
    at_most: Decimal | None = None
    at_reorder_point: bool = False

    def __post_init__(self) -> None:
        if self.search is not None and len(self.search) > 120:
            raise ReportError("search for at most 120 characters of a product name or SKU")


@dataclass(frozen=True)
class StockRow:
    """``negative`` flags stock below zero (sold before it was received: count it)."""

    outlet_id: uuid.UUID
    outlet_code: str
    product_id: uuid.UUID
    sku: str | None
    name: str
    quantity: Decimal
    # The outlet's moving average cost per unit, or the catalogue's cost price where no goods
    # with a cost came in yet (None without either): what the stock on hand is valued at.
    unit_cost: Decimal | None = None

    @property
    def negative(self) -> bool:
        return self.quantity < 0

    @property
    def value(self) -> Decimal | None:
        if self.unit_cost is None:
            return None
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class StockPage:
    """Rows by outlet code, then product name; ``next_cursor`` None on the last page."""

    rows: tuple[StockRow, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class MovementRow:
    """One signed movement (sale -, refund +, received +, adjusted ±) and the quantity on
    hand right after it."""

    movement_id: int
    moved_at: datetime
    reason: str  # sale | refund | received | adjusted
    quantity: Decimal
    source: str  # the sale line, refund line or stock event it came from
    till_id: uuid.UUID | None
    till_code: str | None
    balance_after: Decimal
    detail: str | None = None  # the till's finer reason: damaged, count, delivery, out:JUR
    reference: str | None = None  # delivery order, stocktake or transfer number
    cost: Decimal | None = None  # the cost per unit head office booked it at


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(scope: Scope, f: StockFilter) -> list[Any]:
    conditions = [scope.clause(ON_HAND.c.outlet_id)]
    if f.outlet_id is not None:
        conditions.append(ON_HAND.c.outlet_id == f.outlet_id)
    if f.negative_only:
        conditions.append(ON_HAND.c.quantity < 0)
    if f.at_most is not None:
        conditions.append(ON_HAND.c.quantity <= f.at_most)
    if f.at_reorder_point:
        conditions.append(
            select(REORDER.c.product_id)
            .where(
                REORDER.c.outlet_id == ON_HAND.c.outlet_id,
                REORDER.c.product_id == ON_HAND.c.product_id,
                ON_HAND.c.quantity <= REORDER.c.reorder_point,
            )
            .exists()
        )
    if f.search and f.search.strip():
        pattern = _like(f.search.strip())
        conditions.append(
            or_(
                PRODUCT.c.name.ilike(pattern, escape="\\"),
                PRODUCT.c.sku.ilike(pattern, escape="\\"),
            )
        )
    return conditions


# A row's value at cost, to the cent, as StockRow.value rounds it (half up, as ``round``).
_ROW_VALUE = func.round(
    ON_HAND.c.quantity * func.coalesce(ON_HAND.c.average_cost, PRODUCT.c.cost_price), 2
)


@dataclass(frozen=True)
class StockTotals:
    """Every row a filter finds (on all its pages): how many, units on hand, value at cost
    (of the rows with a cost) and how many rows have no cost to value them at."""

    rows: int
    quantity: Decimal
    value: Decimal
    uncosted: int


def stock_totals(conn: Connection, scope: Scope, f: StockFilter) -> StockTotals:
    """The totals of ``stock_levels`` over every page of ``f``."""
    row = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(ON_HAND.c.quantity), 0),
            func.coalesce(func.sum(_ROW_VALUE), 0),
            func.count().filter(_ROW_VALUE.is_(None)),
        )
        .select_from(ON_HAND)
        .outerjoin(PRODUCT, PRODUCT.c.product_id == ON_HAND.c.product_id)
        .where(and_(*_conditions(scope, f)))
    ).one()
    return StockTotals(int(row[0]), Decimal(row[1]), Decimal(row[2]), int(row[3]))


@dataclass(frozen=True)
class OutletValuation:
    """One outlet's stock valued at cost: each product's on hand x its moving average cost
    (the catalogue cost price where none), summed; ``negative`` products below zero (valued
    below zero too), ``uncosted`` products with no cost at all (left out of the value)."""

    outlet_id: uuid.UUID
    code: str
    name: str
    products: int
    quantity: Decimal
    value: Decimal
    negative: int
    uncosted: int


def stock_valuation(conn: Connection, scope: Scope) -> list[OutletValuation]:
    """Stock at cost per outlet in ``scope``, by outlet code."""
    rows = conn.execute(
        select(
            OUTLET.c.outlet_id,
            OUTLET.c.code,
            OUTLET.c.name,
            func.count(),
            func.coalesce(func.sum(ON_HAND.c.quantity), 0),
            func.coalesce(func.sum(_ROW_VALUE), 0),
            func.count().filter(ON_HAND.c.quantity < 0),
            func.count().filter(_ROW_VALUE.is_(None)),
        )
        .select_from(ON_HAND)
        .join(OUTLET, OUTLET.c.outlet_id == ON_HAND.c.outlet_id)
        .outerjoin(PRODUCT, PRODUCT.c.product_id == ON_HAND.c.product_id)
        .where(scope.clause(ON_HAND.c.outlet_id))
        .group_by(OUTLET.c.outlet_id, OUTLET.c.code, OUTLET.c.name)
        .order_by(OUTLET.c.code)
    ).all()
    return [
        OutletValuation(o, code, name, int(n), Decimal(q), Decimal(v), int(neg), int(unc))
        for o, code, name, n, q, v, neg, unc in rows
    ]


def stock_levels(
    conn: Connection, scope: Scope, f: StockFilter, *, after: str | None, limit: int = 100
) -> StockPage:
    """On hand per outlet and product in scope, filtered by ``f``, a page at a time."""
    limit = page_limit(limit)
    name = func.coalesce(PRODUCT.c.name, literal(UNKNOWN_PRODUCT))
    unit_cost = func.coalesce(ON_HAND.c.average_cost, PRODUCT.c.cost_price)
    conditions = _conditions(scope, f)
    if after is not None:
        code, product_name, product_id = decode_cursor(after, 3)
        conditions.append(
            tuple_(OUTLET.c.code, name, ON_HAND.c.product_id)
            > tuple_(literal(code), literal(product_name), literal(cursor_uuid(product_id)))
        )
    rows = conn.execute(
        select(
            ON_HAND.c.outlet_id,
            OUTLET.c.code,
            ON_HAND.c.product_id,
            PRODUCT.c.sku,
            name,
            ON_HAND.c.quantity,
            unit_cost,
        )
        .join(OUTLET, OUTLET.c.outlet_id == ON_HAND.c.outlet_id)
        .outerjoin(PRODUCT, PRODUCT.c.product_id == ON_HAND.c.product_id)
        .where(and_(*conditions))
        .order_by(OUTLET.c.code, name, ON_HAND.c.product_id)
        .limit(limit + 1)
    ).all()
    result = tuple(StockRow(*r) for r in rows[:limit])
    last = result[-1] if len(rows) > limit else None
    return StockPage(
        rows=result,
        next_cursor=encode_cursor(last.outlet_code, last.name, last.product_id) if last else None,
    )


def stock_movements(
    conn: Connection,
    scope: Scope,
    outlet_id: uuid.UUID,
    product_id: uuid.UUID,
    *,
    limit: int = 100,
) -> list[MovementRow]:
    """The latest ``limit`` movements of a product at an outlet, newest first, each with the
    balance after it. Raises NotInScope for an outlet outside ``scope``."""
    limit = page_limit(limit)
    if not scope.allows(outlet_id):
        raise NotInScope("no such outlet, or not one you may see")
    on_hand = (
        select(ON_HAND.c.quantity)
        .where(ON_HAND.c.outlet_id == outlet_id, ON_HAND.c.product_id == product_id)
        .scalar_subquery()
    )
    # Balance after a movement = on hand now less everything that moved after it; summing
    # only the newest rows keeps a product with years of history as quick as a new one.
    recent = (
        select(
            MOVEMENT.c.movement_id,
            MOVEMENT.c.moved_at,
            MOVEMENT.c.reason,
            MOVEMENT.c.quantity,
            MOVEMENT.c.source,
            MOVEMENT.c.till_id,
            MOVEMENT.c.detail,
            MOVEMENT.c.reference,
            MOVEMENT.c.cost,
            (
                func.coalesce(on_hand, 0)
                - func.coalesce(
                    func.sum(MOVEMENT.c.quantity).over(
                        order_by=(MOVEMENT.c.moved_at.desc(), MOVEMENT.c.movement_id.desc()),
                        rows=(None, -1),
                    ),
                    0,
                )
            ).label("balance_after"),
        )
        .where(
            MOVEMENT.c.outlet_id == outlet_id,
            MOVEMENT.c.product_id == product_id,
            scope.clause(MOVEMENT.c.outlet_id),
        )
        .order_by(MOVEMENT.c.moved_at.desc(), MOVEMENT.c.movement_id.desc())
        .limit(limit)
        .subquery()
    )
    rows = conn.execute(
        select(recent, TILL.c.code)
        .outerjoin(TILL, TILL.c.till_id == recent.c.till_id)
        .order_by(recent.c.moved_at.desc(), recent.c.movement_id.desc())
    )
    return [
        MovementRow(
            movement_id=r.movement_id,
            moved_at=r.moved_at,
            reason=r.reason,
            quantity=r.quantity,
            source=r.source,
            till_id=r.till_id,
            till_code=r.code,
            balance_after=r.balance_after,
            detail=r.detail,
            reference=r.reference,
            cost=r.cost,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class TransferRow:
    """One product of one transfer: what the sending outlet dispatched and what the receiving
    outlet scanned in under the same transfer number. ``status`` flags the difference."""

    transfer_no: str
    from_code: str | None  # None until the dispatching till's half has arrived
    to_code: str | None
    product_id: uuid.UUID
    name: str
    sent: Decimal
    received: Decimal
    unit_cost: Decimal | None
    dispatched_at: datetime | None

    @property
    def in_transit(self) -> Decimal:
        """Dispatched and not yet taken in. A transfer is taken in once: what is missing then
        is a difference to look into, no longer in transit."""
        return self.sent if self.received == 0 else Decimal(0)

    @property
    def status(self) -> str:
        if self.from_code is None:
            return "received, dispatch not yet synced"
        if self.received == 0:
            return "in transit"
        if self.received < self.sent:
            return f"short by {(self.sent - self.received).normalize():f}"
        if self.received > self.sent:
            return f"over by {(self.received - self.sent).normalize():f}"
        return "received"

    @property
    def value_in_transit(self) -> Decimal:
        cost = self.unit_cost or Decimal(0)
        return (self.in_transit * cost).quantize(Decimal("0.01"), ROUND_HALF_UP)


def transfers(conn: Connection, scope: Scope, *, limit: int = 200) -> list[TransferRow]:
    """The latest transfers that left or reached an outlet in ``scope``, newest first, one row
    per transfer and product: both halves paired by the transfer number."""
    limit = page_limit(limit)
    DEST = OUTLET.alias("destination")
    out = MOVEMENT.c.detail.like("out:%")
    into = MOVEMENT.c.detail.like("in:%")
    dispatched = func.min(MOVEMENT.c.moved_at).filter(out)
    rows = conn.execute(
        select(
            MOVEMENT.c.reference,
            func.max(OUTLET.c.code).filter(out),
            func.max(func.substr(MOVEMENT.c.detail, 5)).filter(out),
            MOVEMENT.c.product_id,
            func.coalesce(func.max(PRODUCT.c.name), literal(UNKNOWN_PRODUCT)),
            func.coalesce(-func.sum(MOVEMENT.c.quantity).filter(out), 0),
            func.coalesce(func.sum(MOVEMENT.c.quantity).filter(into), 0),
            # What head office booked it out at (the sender's moving average), else the till's.
            func.coalesce(
                func.max(MOVEMENT.c.cost).filter(out), func.max(MOVEMENT.c.unit_cost).filter(out)
            ),
            dispatched,
        )
        .join(OUTLET, OUTLET.c.outlet_id == MOVEMENT.c.outlet_id)
        .outerjoin(PRODUCT, PRODUCT.c.product_id == MOVEMENT.c.product_id)
        .outerjoin(DEST, and_(out, DEST.c.code == func.substr(MOVEMENT.c.detail, 5)))
        .where(MOVEMENT.c.reason == "transfer", MOVEMENT.c.reference.is_not(None))
        .group_by(MOVEMENT.c.reference, MOVEMENT.c.product_id)
        # Either end in scope: the sender sees what it sent, the receiver what is coming.
        .having(
            func.bool_or(scope.clause(MOVEMENT.c.outlet_id))
            | func.bool_or(func.coalesce(scope.clause(DEST.c.outlet_id), false()))
        )
        .order_by(func.min(MOVEMENT.c.moved_at).desc(), MOVEMENT.c.reference, MOVEMENT.c.product_id)
        .limit(limit)
    ).all()
    return [TransferRow(*r) for r in rows]
