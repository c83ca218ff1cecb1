"""Stock on hand per outlet and product, and each product's movement history.

On hand is ``stock_on_hand``, which ingest moves by exactly what each newly stored movement
adds, so it always equals the sum of the movement ledger. Negative stock is allowed (the goods
are in the customer's hands) and flagged here for someone to count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, and_, func, literal, or_, select, tuple_

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
UNKNOWN_PRODUCT = "(product not in the catalogue)"


@dataclass(frozen=True)
class StockFilter:
    """``search`` matches product name or SKU (any case, as plain text: % and _ are not
    wildcards); ``negative_only`` keeps rows below zero."""

    outlet_id: uuid.UUID | None = None
    search: str | None = None
    negative_only: bool = False

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

    @property
    def negative(self) -> bool:
        return self.quantity < 0


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


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def stock_levels(
    conn: Connection, scope: Scope, f: StockFilter, *, after: str | None, limit: int = 100
) -> StockPage:
    """On hand per outlet and product in scope, filtered by ``f``, a page at a time."""
    limit = page_limit(limit)
    name = func.coalesce(PRODUCT.c.name, literal(UNKNOWN_PRODUCT))
    conditions = [scope.clause(ON_HAND.c.outlet_id)]
    if f.outlet_id is not None:
        conditions.append(ON_HAND.c.outlet_id == f.outlet_id)
    if f.negative_only:
        conditions.append(ON_HAND.c.quantity < 0)
    if f.search and f.search.strip():
        pattern = _like(f.search.strip())
        conditions.append(
            or_(
                PRODUCT.c.name.ilike(pattern, escape="\\"),
                PRODUCT.c.sku.ilike(pattern, escape="\\"),
            )
        )
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
        )
        for r in rows
    ]
