"""Members' points at the till: earned in the sale's own transaction, taken back in the
refund's, each a ledger row and an event with the row's id, so head office counts each once
however often a push is retried, replayed or restored (the outbox's event id and the ledger
entry's id are both keys there).

The rules are ``shared.loyalty``'s; the scheme is the outlet's, pulled from head office.

A member's balance here is what head office last said of every entry this till did not make,
plus this till's own ledger (``balance``): points this till redeemed since are taken off at
once, offline or not, and nothing is counted twice. It is never shown below zero, and no more
than it can be spent here; two tills offline at once can still both spend the same points, which
head office flags (docs/customers.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from shared.loyalty import (
    CENT,
    EligibleLine,
    expires_on,
    points_earned,
    points_redeemable,
    points_to_return,
    points_to_reverse,
)
from shared.protocol import (
    EventKind,
    LoyaltyEarnedV1,
    LoyaltyRedeemedV1,
    LoyaltyReturnedV1,
    LoyaltyReversedV1,
)
from shared.tender import Tender, TenderType
from till.services.context import CashierError, OutletProfile
from till.services.ports import UnitOfWorkPort
from till.store.models import LoyaltyEntry, Payment, Refund, RefundLine, Sale, SaleLine


@dataclass(frozen=True)
class MemberBalance:
    points: int  # never below 0
    tier: str | None
    as_of: datetime | None  # when head office last answered; None: never yet


def balance(uow: UnitOfWorkPort, customer_id: str) -> MemberBalance:
    known = uow.points.from_head_office(customer_id)
    own = uow.points.balance(customer_id)
    elsewhere = known.elsewhere if known else 0
    return MemberBalance(
        max(0, elsewhere + own), known.tier if known else None, known.as_of if known else None
    )


def redeem_points(
    uow: UnitOfWorkPort, profile: OutletProfile, sale: Sale, tenders: Sequence[Tender]
) -> int:
    """Spend the member's points the sale's ``points`` tenders stand for, within the cap and
    the balance (checked here, in the sale's own transaction); the points spent."""
    value = sum((t.amount for t in tenders if t.type is TenderType.POINTS), Decimal(0))
    if value == 0:
        return 0
    scheme = profile.loyalty
    if sale.customer_id is None or scheme is None:
        raise CashierError("points can pay only for a member's sale: attach the member first")
    points_exact = value / scheme.point_value
    points = int(points_exact)
    if points != points_exact:
        raise CashierError(
            f"${value} is not a whole number of points at ${scheme.point_value} a point"
        )
    have = balance(uow, sale.customer_id).points
    most = points_redeemable(scheme, balance=have, total=sale.total)
    if points > most:
        raise CashierError(
            f"this sale can take at most {most} points (the member has {have}; the shop allows "
            f"{scheme.redeem_max_percent}% of a sale"
            + (f", {scheme.redeem_max_points} points" if scheme.redeem_max_points else "")
            + "): take the rest another way"
        )
    entry_id = _entry(uow, sale, "redeemed", -points, sale.sold_at)
    uow.emit(
        EventKind.LOYALTY_REDEEMED,
        LoyaltyRedeemedV1(
            entry_id=entry_id,
            customer_id=uuid.UUID(sale.customer_id),
            sale_id=uuid.UUID(sale.sale_id),
            points=points,
            value=value,
            redeemed_at=sale.sold_at,
        ),
        sale.sold_at,
    )
    return points


@dataclass(frozen=True)
class PointsBack:
    points: int
    value: Decimal  # what they paid on the sale: the refund's points tender


def points_back(uow: UnitOfWorkPort, sale: Sale, refund_total: Decimal) -> PointsBack:
    """What a refund of ``refund_total`` (money value) gives back in points, for a sale paid
    partly with points (``shared.loyalty.points_to_return``); the rest is paid in money."""
    entries = uow.points.of_sale(sale.sale_id)
    redeemed = -sum(e.points for e in entries if e.kind == "redeemed")
    if redeemed <= 0:
        return PointsBack(0, Decimal(0))
    returned = sum(e.points for e in entries if e.kind == "returned")
    paid = sum((p.amount for p in sale.payments if p.type == TenderType.POINTS), Decimal(0))
    refunds_so_far = sum(
        (done.amount for done in uow.sales.refunded(sale.sale_id).values()), Decimal(0)
    )
    # refunded() does not hold this refund yet: the lines are added after this is worked out.
    points = points_to_return(
        redeemed=redeemed,
        already_returned=returned,
        sale_total=sale.total,
        refunded_so_far=refunds_so_far + refund_total,
    )
    if points == 0:
        return PointsBack(0, Decimal(0))
    value_so_far = (paid * (returned + points) / redeemed).quantize(CENT, rounding=ROUND_FLOOR)
    value_before = (paid * returned / redeemed).quantize(CENT, rounding=ROUND_FLOOR)
    return PointsBack(points, min(refund_total, value_so_far - value_before))


def give_points_back(
    uow: UnitOfWorkPort, sale: Sale, refund: Refund, back: PointsBack
) -> Payment | None:
    """Record ``back`` as the refund's points tender, a ledger entry and an event."""
    if back.points == 0 or sale.customer_id is None:
        return None
    entry_id = _entry(
        uow, sale, "returned", back.points, refund.refunded_at, refund_id=refund.refund_id
    )
    uow.emit(
        EventKind.LOYALTY_RETURNED,
        LoyaltyReturnedV1(
            entry_id=entry_id,
            customer_id=uuid.UUID(sale.customer_id),
            sale_id=uuid.UUID(sale.sale_id),
            refund_id=uuid.UUID(refund.refund_id),
            points=back.points,
            value=back.value,
            returned_at=refund.refunded_at,
        ),
        refund.refunded_at,
    )
    return Payment(
        payment_id=str(uuid.uuid4()),
        refund_id=refund.refund_id,
        position=1,
        type=TenderType.POINTS.value,
        amount=back.value,
        reference=f"{back.points} points back",
    )


def award_points(
    uow: UnitOfWorkPort, profile: OutletProfile, sale: Sale, lines: Sequence[SaleLine]
) -> int:
    """The member's points for ``sale`` (already added to ``uow``); 0 when the sale has no
    customer or the outlet no scheme."""
    if sale.customer_id is None:
        return 0  # most sales: nothing more to do on the cashier's hottest path
    scheme = profile.loyalty
    if scheme is None:
        return 0
    # A gift voucher sold earns nothing: points come when it is spent on goods.
    lines = [line for line in lines if line.voucher_serial is None]
    categories = uow.points.categories([line.product_id for line in lines])
    eligible = [EligibleLine(line.amount, categories.get(line.product_id)) for line in lines]
    known = uow.points.from_head_office(sale.customer_id)
    points = points_earned(scheme, eligible, known.tier if known else None)
    if points == 0:
        return 0
    expires = expires_on(scheme, sale.sold_at)
    entry_id = _entry(uow, sale, "earned", points, sale.sold_at, expires_on=expires)
    uow.emit(
        EventKind.LOYALTY_EARNED,
        LoyaltyEarnedV1(
            entry_id=entry_id,
            customer_id=uuid.UUID(sale.customer_id),
            sale_id=uuid.UUID(sale.sale_id),
            points=points,
            earned_at=sale.sold_at,
            expires_on=expires.date() if expires else None,
        ),
        sale.sold_at,
    )
    return points


def reverse_points(
    uow: UnitOfWorkPort,
    profile: OutletProfile,
    sale: Sale,
    refund: Refund,
    refund_lines: Sequence[RefundLine],
) -> int:
    """Take back the share of the sale's points this refund returns (see ``shared.loyalty``)."""
    if sale.customer_id is None:
        return 0
    scheme = profile.loyalty
    if scheme is None:
        return 0
    entries = uow.points.of_sale(sale.sale_id)
    earned = sum(e.points for e in entries if e.kind == "earned")
    if earned <= 0:
        return 0
    already = -sum(e.points for e in entries if e.kind == "reversed")
    categories = uow.points.categories([line.product_id for line in sale.lines])
    category_of_line = {line.line_id: categories.get(line.product_id) for line in sale.lines}
    sold = [
        EligibleLine(line.amount, category_of_line[line.line_id])
        for line in sale.lines
        if line.voucher_serial is None  # earned nothing
    ]
    refunded = uow.sales.refunded(sale.sale_id)  # includes this refund: it is flushed already
    so_far = [
        EligibleLine(done.amount, category_of_line.get(line_id))
        for line_id, done in refunded.items()
    ]
    points = points_to_reverse(
        scheme, earned=earned, already_reversed=already, sold=sold, refunded_so_far=so_far
    )
    if points == 0:
        return 0
    entry_id = _entry(
        uow, sale, "reversed", -points, refund.refunded_at, refund_id=refund.refund_id
    )
    uow.emit(
        EventKind.LOYALTY_REVERSED,
        LoyaltyReversedV1(
            entry_id=entry_id,
            customer_id=uuid.UUID(sale.customer_id),
            sale_id=uuid.UUID(sale.sale_id),
            refund_id=uuid.UUID(refund.refund_id),
            points=points,
            reversed_at=refund.refunded_at,
        ),
        refund.refunded_at,
    )
    return points


def _entry(
    uow: UnitOfWorkPort,
    sale: Sale,
    kind: str,
    points: int,
    at: datetime,
    *,
    refund_id: str | None = None,
    expires_on: datetime | None = None,
) -> uuid.UUID:
    """One row of the member's points ledger for ``sale``; its id, which its event carries."""
    assert sale.customer_id is not None
    entry_id = uuid.uuid4()
    uow.points.add(
        LoyaltyEntry(
            entry_id=str(entry_id),
            customer_id=sale.customer_id,
            kind=kind,
            points=points,
            sale_id=sale.sale_id,
            refund_id=refund_id,
            at=at,
            expires_on=expires_on,
        )
    )
    return entry_id
