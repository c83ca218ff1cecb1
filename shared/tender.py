"""How a sale is paid: tenders, split payment, change and the 5-cent cash rounding line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from shared.cart import SaleError
from shared.money import ZERO, CashRounding, money, round_cash


class TenderType(StrEnum):
    CASH = "cash"
    NETS = "nets"
    CARD = "card"
    PAYNOW = "paynow"
    VOUCHER = "voucher"
    GIFT = "gift"  # the shop's own gift voucher, by its serial
    POINTS = "points"  # a member's points spent (shared.loyalty)


class InsufficientTender(SaleError):
    def __init__(self, still_due: Decimal) -> None:
        super().__init__(f"${still_due} is still due: take another payment before completing")
        self.still_due = still_due


_LAST4 = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Tender:
    type: TenderType
    amount: Decimal
    reference: str | None = None  # card/NETS approval code, PayNow reference, voucher number
    card_last4: str | None = None  # never more of a card number than this
    confirmed_by: str | None = None  # staff who saw the PayNow transfer arrive

    def __post_init__(self) -> None:
        if money(self.amount) <= 0:
            raise SaleError(f"a {self.type} payment must be more than $0.00")
        if self.card_last4 is not None and not _LAST4.fullmatch(self.card_last4):
            raise SaleError("record only the last 4 digits of a card, never the full number")
        if self.card_last4 is not None and self.type not in (TenderType.CARD, TenderType.NETS):
            raise SaleError("only a card or NETS payment has card digits")
        if self.type in (TenderType.CARD, TenderType.NETS) and not self.reference:
            raise SaleError(f"enter the approval code printed by the {self.type} terminal")
        if self.type is TenderType.VOUCHER and not (self.reference or "").strip():
            # A government voucher (CDC, SG60) is claimed back from the scheme by its
            # reference: without one the shop cannot be reimbursed.
            raise SaleError("enter the voucher's reference (the voucher app's transaction ID)")
        if self.type is TenderType.GIFT and not (self.reference or "").strip():
            raise SaleError("scan or type the gift voucher's serial number")
        if self.type is TenderType.PAYNOW and not self.confirmed_by:
            raise SaleError("confirm that the PayNow transfer has arrived before accepting it")


@dataclass(frozen=True)
class Settlement:
    total: Decimal  # what the goods cost
    rounding: Decimal  # cash rounding adjustment, signed, its own receipt line
    amount_due: Decimal  # total + rounding
    tendered: Decimal
    change: Decimal


def cash_due(total: Decimal, non_cash_paid: Decimal, mode: CashRounding) -> Decimal:
    """What is left to pay in cash after non-cash tenders, rounded as the outlet chose."""
    return round_cash(total - non_cash_paid, mode)


def settle(total: Decimal, tenders: Sequence[Tender], mode: CashRounding) -> Settlement:
    """Check ``tenders`` pay ``total`` and work out rounding and change.

    Rounding applies only to the part paid in cash; card, NETS, PayNow and vouchers pay exact
    amounts and never give change.
    """
    non_cash = sum((t.amount for t in tenders if t.type is not TenderType.CASH), ZERO)
    cash = sum((t.amount for t in tenders if t.type is TenderType.CASH), ZERO)
    if non_cash > total:
        raise SaleError(
            f"non-cash payments of ${non_cash} exceed the ${total} due; "
            "card, NETS, PayNow and vouchers give no change"
        )
    remainder = total - non_cash
    rounding = ZERO
    if cash > 0:
        rounding = cash_due(total, non_cash, mode) - remainder
    due = remainder + rounding
    if cash < due:
        raise InsufficientTender(due - cash)
    return Settlement(
        total=total,
        rounding=rounding,
        amount_due=total + rounding,
        tendered=cash + non_cash,
        change=cash - due,
    )
