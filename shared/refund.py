"""Refunds against a sold line: partial quantities, at the GST rate originally charged.

Amounts are worked out cumulatively (what all refunds of this line so far should total, minus
what was already returned) so that repeated partial refunds can never add up to more than was
paid, and refunding the last unit returns exactly what is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.cart import SaleError, check_quantity
from shared.money import ZERO, round_cents


class RefundError(SaleError):
    pass


@dataclass(frozen=True)
class SoldLine:
    line_id: str
    product_id: str
    name: str
    quantity: Decimal
    amount: Decimal  # GST-inclusive, after every discount: what the customer paid for it
    gst: Decimal
    gst_rate: Decimal
    tax_code: str
    weighed: bool = False


@dataclass(frozen=True)
class RefundedSoFar:
    quantity: Decimal = Decimal(0)
    amount: Decimal = ZERO
    gst: Decimal = ZERO


@dataclass(frozen=True)
class RefundLine:
    line_id: str  # the sold line this returns
    product_id: str
    name: str
    quantity: Decimal
    amount: Decimal  # positive: what goes back to the customer
    gst: Decimal
    gst_rate: Decimal  # the rate charged on the original sale, whatever today's rate is
    tax_code: str


def refund_line(sold: SoldLine, quantity: Decimal, already: RefundedSoFar) -> RefundLine:
    quantity = check_quantity(quantity, weighed=sold.weighed)
    left = sold.quantity - already.quantity
    if quantity > left:
        raise RefundError(
            f"{sold.name}: {quantity} asked but only {left} of {sold.quantity} sold "
            "is left to refund"
        )
    share = (already.quantity + quantity) / sold.quantity
    return RefundLine(
        line_id=sold.line_id,
        product_id=sold.product_id,
        name=sold.name,
        quantity=quantity,
        amount=round_cents(sold.amount * share) - already.amount,
        gst=round_cents(sold.gst * share) - already.gst,
        gst_rate=sold.gst_rate,
        tax_code=sold.tax_code,
    )
