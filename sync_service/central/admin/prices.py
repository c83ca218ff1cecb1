"""Prices with an effective date-time, and applying scheduled prices when they fall due.

Every price head office sets is a row of ``sgpos.price``; ``product.price`` (what tills pull)
is always the latest of a product's price rows that has started. A price starting now is
applied in the same transaction; a future one is applied by :func:`apply_due_prices`, which the
server runs every minute. Products that have no price rows (the demo seed writes none) keep
whatever ``product.price`` holds, so nothing outside this module is ever overwritten.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, Engine, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from shared.gst import SINGAPORE
from shared.logs import get_logger
from sync_service.central.admin.edits import AdminError, head_office_edit, record_edit
from sync_service.central.models import Price, Product

log = get_logger("sgpos.admin.prices")

# The latest started price of each product whose price rows changed recently (or of every
# product when :since is null), where it differs from the product's price.
# Each product's latest started price, where it differs from the product's price: over every
# product (start-up), or only products with a price that started in (since, now] — found
# through ix_price_effective_from, then each product's history through the primary key.
_DUE = """
SELECT due.product_id, due.price, due.created_by FROM (
  SELECT DISTINCT ON (pr.product_id) pr.product_id, pr.price, pr.created_by
  FROM sgpos.price pr
  WHERE pr.effective_from <= :now {recent}
  ORDER BY pr.product_id, pr.effective_from DESC
) due JOIN sgpos.product p ON p.product_id = due.product_id
WHERE p.price <> due.price
"""
_DUE_ALL = text(_DUE.format(recent=""))
_DUE_SINCE = text(
    _DUE.format(
        recent="AND pr.product_id IN (SELECT product_id FROM sgpos.price "
        "WHERE effective_from > :since AND effective_from <= :now)"
    )
)


@dataclass(frozen=True)
class PriceSet:
    product_id: uuid.UUID
    price: Decimal
    effective_from: datetime
    applied_now: bool


@dataclass(frozen=True)
class PriceRow:
    effective_from: datetime
    price: Decimal
    created_by: str
    created_at: datetime
    state: str  # "in force", "past" or "scheduled"


def effective_moment(when: datetime | None, now: datetime) -> datetime:
    """``when`` checked against ``now``: empty or within the current minute means now (a form
    only has minutes); earlier than that is refused, because a price cannot start in the past."""
    if when is None:
        return now
    if when.tzinfo is None:
        raise AdminError("an effective date-time needs its timezone (Singapore time)")
    if when >= now:
        return when
    if when >= now.replace(second=0, microsecond=0):
        return now
    shown = when.astimezone(SINGAPORE).strftime("%Y-%m-%d %H:%M")
    raise AdminError(
        f"the effective time {shown} is in the past; leave it empty to change the price now, "
        "or choose a later time"
    )


def set_price(
    engine: Engine,
    actor: str,
    product_id: uuid.UUID,
    price: Decimal,
    when: datetime | None,
    *,
    now: datetime,
) -> PriceSet:
    """Set ``price`` from ``when`` (None: now). Applied at once when it starts now."""
    if price < 0:
        raise AdminError("a price is 0.00 or more")
    start = effective_moment(when, now)
    with head_office_edit(engine, actor) as conn:
        if conn.scalar(select(Product.product_id).where(Product.product_id == product_id)) is None:
            raise AdminError("there is no such product; it may have been deleted")
        add_price(conn, actor, product_id, price, start)
        applied = start <= now
        if applied:
            _apply(conn, product_id, price)
    log.info(
        "price.set",
        product_id=str(product_id),
        price=f"{price:.2f}",
        effective_from=start.isoformat(),
        applied_now=applied,
    )
    return PriceSet(product_id, price, start, applied)


def add_price(
    conn: Connection, actor: str, product_id: uuid.UUID, price: Decimal, start: datetime
) -> None:
    """A price row in the caller's transaction; a second price for the same product and moment
    replaces the first (the product page shows one price per moment)."""
    before = conn.execute(
        select(Price.price).where(Price.product_id == product_id, Price.effective_from == start)
    ).scalar()
    statement = pg_insert(Price).values(
        product_id=product_id, effective_from=start, price=price, created_by=actor[:120]
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[Price.product_id, Price.effective_from],
            set_={"price": statement.excluded.price, "created_by": statement.excluded.created_by},
        )
    )
    record_edit(
        conn,
        table="price",
        key=f"{product_id}@{start.isoformat()}",
        op="insert" if before is None else "update",
        before=None if before is None else {"price": f"{before:.2f}"},
        after={"price": f"{price:.2f}", "effective_from": start.isoformat()},
    )


def cancel_price(
    engine: Engine, actor: str, product_id: uuid.UUID, start: datetime, *, now: datetime
) -> None:
    """Withdraw a scheduled price that has not started yet."""
    if start <= now:
        raise AdminError("this price has already started; set a new price instead")
    with head_office_edit(engine, actor) as conn:
        gone = conn.execute(
            delete(Price)
            .where(Price.product_id == product_id, Price.effective_from == start)
            .returning(Price.price)
        ).scalar()
        if gone is None:
            raise AdminError("that scheduled price is not there any more; nothing was changed")
        record_edit(
            conn,
            table="price",
            key=f"{product_id}@{start.isoformat()}",
            op="delete",
            before={"price": f"{gone:.2f}", "effective_from": start.isoformat()},
            after=None,
        )


def apply_due_prices(engine: Engine, now: datetime, *, since: datetime | None = None) -> int:
    """Make every price that has started the product's price; the number of products changed.

    ``since`` narrows the search to products with a price starting after it (the server passes
    its previous run, less a margin); None looks at every product, as on start-up. Safe to run
    from several servers at once: the update only changes a price that still differs.
    """
    changed = 0
    with engine.begin() as conn:
        if since is None:
            due = conn.execute(_DUE_ALL, {"now": now}).all()
        else:
            due = conn.execute(_DUE_SINCE, {"now": now, "since": since}).all()
        for product_id, price, created_by in due:
            # Who scheduled it is who changed it; the trigger records it per statement.
            actor = f"scheduled by {created_by}"
            conn.execute(select(func.set_config("sgpos.actor", actor[:120], True)))
            changed += _apply(conn, product_id, price)
    if changed:
        log.info("price.schedule_applied", products=changed, at=now.isoformat())
    return changed


def _apply(conn: Connection, product_id: uuid.UUID, price: Decimal) -> int:
    result = conn.execute(
        update(Product)
        .where(Product.product_id == product_id, Product.price != price)
        .values(price=price)
    )
    return result.rowcount


def price_rows(conn: Connection, product_id: uuid.UUID, now: datetime) -> list[PriceRow]:
    """A product's prices, newest first, each marked in force, past or scheduled."""
    rows = conn.execute(
        select(Price.effective_from, Price.price, Price.created_by, Price.created_at)
        .where(Price.product_id == product_id)
        .order_by(Price.effective_from.desc())
        .limit(100)
    ).all()
    out: list[PriceRow] = []
    current_found = False
    for start, price, by, at in rows:
        if start > now:
            state = "scheduled"
        elif not current_found:
            state, current_found = "in force", True
        else:
            state = "past"
        out.append(PriceRow(start, price, by, at, state))
    return out


def schedule_margin(interval: timedelta) -> timedelta:
    """How far back each periodic run looks: two intervals, so a slow run misses nothing."""
    return interval * 2
