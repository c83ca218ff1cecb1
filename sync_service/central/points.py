"""Members' points at head office beyond what tills send: the over-redemption rule, expiry,
tiers and the balances tills are sent.

**Over-redemption.** Two tills offline at once can each spend a member's whole balance: each
knows only what head office last said plus its own ledger. When a redemption reaches head
office and the member's balance (the sum of every entry) is then below zero, the redemption
is kept (the goods have left the shop) and flagged in ``points_overdrawn`` with how many
points it spent beyond the balance (never more than it spent itself). The balance stays
negative, shown as such, and the member's next earnings pay it back first. It is bounded: each
till spends at most the balance it knew, so the whole overdraft is at most (tills that were
offline - 1) x that balance, and the cap per sale bounds it further.

**Expiry.** Points expire first-in, first-out: an earning whose ``expires_on`` has passed
lapses by what of it the member has not spent. ``expire_points`` adds one ``expired`` entry per
member and day (keyed by both, so running it twice a day adds nothing).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, case, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert

from shared.loyalty import tier_for_spend
from shared.loyalty_wire import scheme_of
from shared.protocol import MemberPoints, MemberPointsV1
from sync_service.central import models as m
from sync_service.central.reports.common import table
from sync_service.central.tills import TillAuth

LOYALTY = table(m.LoyaltyEntry)
OVERDRAWN = table(m.PointsOverdrawn)
SALE, REFUND, OUTLET = table(m.Sale), table(m.Refund), table(m.Outlet)
CUSTOMER = table(m.Customer)
EXPIRY_NAMESPACE = uuid.UUID("6b1f6c3e-9a53-4f0e-8f1e-3f5a2d7c9b10")
_IDS = ARRAY(UUID(as_uuid=True))
SGT = timezone(timedelta(hours=8), "SGT")


def _ids(keys: Iterable[uuid.UUID]) -> Any:
    return literal(sorted(set(keys)), _IDS)


def balances(conn: Connection, customers: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    wanted = set(customers)
    if not wanted:
        return {}
    rows = conn.execute(
        select(LOYALTY.c.customer_id, func.sum(LOYALTY.c.points))
        .where(LOYALTY.c.customer_id == _ids(wanted).any_())
        .group_by(LOYALTY.c.customer_id)
    )
    found = {customer: int(total) for customer, total in rows}
    return {customer: found.get(customer, 0) for customer in wanted}


@dataclass(frozen=True)
class Redemption:
    entry_id: uuid.UUID
    customer_id: uuid.UUID
    outlet_id: uuid.UUID
    till_id: uuid.UUID
    points: int  # spent: positive


def flag_overdrawn(conn: Connection, spent: Sequence[Redemption], now: datetime) -> int:
    """Flag each newly stored redemption that left its member below zero; how many."""
    if not spent:
        return 0
    # Two pushes spending the same member's points at once would each see the other's entry
    # missing: one at a time per member, in a fixed order so two pushes cannot deadlock.
    for customer in sorted({r.customer_id for r in spent}):
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 7))"),
            {"key": f"points:{customer}"},
        )
    after = balances(conn, (r.customer_id for r in spent))
    rows = []
    for r in spent:
        balance = after[r.customer_id]
        if balance < 0:
            rows.append(
                {
                    "entry_id": r.entry_id,
                    "customer_id": r.customer_id,
                    "outlet_id": r.outlet_id,
                    "till_id": r.till_id,
                    "short": min(r.points, -balance),
                    "balance_after": balance,
                    "flagged_at": now,
                }
            )
            after[r.customer_id] += r.points  # the next one (earlier in the push) saw less
    if rows:
        conn.execute(insert(OVERDRAWN).on_conflict_do_nothing(), rows)
    return len(rows)


def expire_points(engine: Engine, today: date, now: datetime) -> int:
    """Lapse every member's points whose ``expires_on`` is before ``today``; entries added."""
    with engine.begin() as conn:
        spent = func.coalesce(
            func.sum(
                case(
                    (LOYALTY.c.kind.in_(["redeemed", "returned", "expired"]), -LOYALTY.c.points),
                    else_=0,
                )
            ),
            0,
        )
        # Earned less reversed, per earning's sale: what lapses is what remains of it.
        lapsing = func.coalesce(
            func.sum(
                case(
                    (
                        LOYALTY.c.sale_id.in_(
                            select(LOYALTY.c.sale_id).where(
                                LOYALTY.c.kind == "earned", LOYALTY.c.expires_on < today
                            )
                        )
                        & LOYALTY.c.kind.in_(["earned", "reversed"]),
                        LOYALTY.c.points,
                    ),
                    else_=0,
                )
            ),
            0,
        )
        rows = conn.execute(
            select(
                LOYALTY.c.customer_id,
                func.array_agg(LOYALTY.c.outlet_id)[1].label("outlet"),
                lapsing.label("lapsing"),
                spent.label("spent"),
            ).group_by(LOYALTY.c.customer_id)
        ).all()
        entries = []
        for customer, outlet, due, used in rows:
            # ``used`` counts spending net of points given back, and what expired already.
            lapse = int(due) - int(used)
            if lapse <= 0:
                continue
            entries.append(
                {
                    "entry_id": uuid.uuid5(EXPIRY_NAMESPACE, f"{customer}:{today.isoformat()}"),
                    "till_id": None,
                    "outlet_id": outlet,
                    "customer_id": customer,
                    "kind": "expired",
                    "points": -lapse,
                    "sale_id": None,
                    "refund_id": None,
                    "occurred_at": now,
                    "expires_on": None,
                }
            )
        if not entries:
            return 0
        done = conn.execute(
            insert(LOYALTY).on_conflict_do_nothing().returning(LOYALTY.c.entry_id), entries
        )
        return len(done.all())


def member_points(
    engine: Engine, till: TillAuth, customers: Sequence[uuid.UUID], now: datetime
) -> MemberPoints:
    """Per member asked for: every entry head office holds that ``till`` did not make, and
    the tier their spend over the last 12 months reaches in ``till``'s outlet's scheme.

    Only the till's own outlet's members (or ones head office has not heard of yet: enrolled
    offline, their event still on the way) are answered: a till learns nothing of another
    outlet's customers, as it may name none (``trust.py``)."""
    asked = set(customers)
    with engine.connect() as conn:
        foreign = set(
            conn.scalars(
                select(CUSTOMER.c.customer_id).where(
                    CUSTOMER.c.customer_id == _ids(asked).any_(),
                    CUSTOMER.c.outlet_id.is_distinct_from(till.outlet_id),
                    CUSTOMER.c.outlet_id.is_not(None),
                )
            )
        )
        wanted = sorted(asked - foreign)
        elsewhere: dict[uuid.UUID, int] = dict(
            conn.execute(  # type: ignore[arg-type]
                select(LOYALTY.c.customer_id, func.sum(LOYALTY.c.points))
                .where(
                    LOYALTY.c.customer_id == _ids(wanted).any_(),
                    LOYALTY.c.till_id.is_distinct_from(till.till_id),
                )
                .group_by(LOYALTY.c.customer_id)
            ).all()
        )
        scheme = scheme_of(
            conn.scalar(select(OUTLET.c.loyalty).where(OUTLET.c.outlet_id == till.outlet_id))
        )
        spend: dict[uuid.UUID, Decimal] = {}
        if scheme is not None and scheme.tiers:
            since = now - timedelta(days=365)
            sold = select(SALE.c.customer_id, SALE.c.total.label("amount")).where(
                SALE.c.customer_id == _ids(wanted).any_(), SALE.c.sold_at >= since
            )
            back = (
                select(SALE.c.customer_id, (-REFUND.c.total).label("amount"))
                .join(SALE, SALE.c.sale_id == REFUND.c.original_sale_id)
                .where(SALE.c.customer_id == _ids(wanted).any_(), REFUND.c.refunded_at >= since)
            )
            both = sold.union_all(back).subquery()
            spend = dict(
                conn.execute(  # type: ignore[arg-type]
                    select(both.c.customer_id, func.sum(both.c.amount)).group_by(both.c.customer_id)
                ).all()
            )
    members = []
    for customer in wanted:
        tier = tier_for_spend(scheme, spend.get(customer, Decimal(0))) if scheme else None
        members.append(
            MemberPointsV1(
                customer_id=customer,
                elsewhere=int(elsewhere.get(customer) or 0),
                tier=tier.name if tier else None,
            )
        )
    return MemberPoints(as_of=now, members=members)


def business_today(now: datetime) -> date:
    return now.astimezone(SGT).date()
