"""What has been paid and what is still due while a sale is being paid (no Qt here).

Card, NETS and PayNow pay exact amounts and never give change; only the cash part is rounded
to 5 cents (``shared.tender``), so "still due" has two faces: exact for the terminals, rounded
for the drawer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from shared.money import ZERO, CashRounding
from shared.tender import Tender, TenderType, cash_due
from till.services.context import CashierError
from till.ui.money_text import dollars

# The notes and coins a customer hands over, for the quick-amount buttons.
_ROUND_UP_TO = (Decimal(5), Decimal(10), Decimal(50), Decimal(100))
QUICK_AMOUNTS = 4


@dataclass
class PaymentState:
    total: Decimal
    rounding_mode: CashRounding
    tenders: list[Tender] = field(default_factory=list)

    @property
    def cash(self) -> Decimal:
        return sum((t.amount for t in self.tenders if t.type is TenderType.CASH), ZERO)

    @property
    def non_cash(self) -> Decimal:
        return sum((t.amount for t in self.tenders if t.type is not TenderType.CASH), ZERO)

    @property
    def exact_due(self) -> Decimal:
        """Still to pay by card, NETS or PayNow (never negative)."""
        return max(ZERO, self.total - self.non_cash - self.cash)

    @property
    def cash_due(self) -> Decimal:
        """Still to pay in cash, rounded as the outlet rounds cash (never negative)."""
        return max(ZERO, cash_due(self.total, self.non_cash, self.rounding_mode) - self.cash)

    @property
    def rounding(self) -> Decimal:
        """The rounding line if the rest is paid in cash: rounded minus exact."""
        remainder = self.total - self.non_cash
        if remainder <= 0:
            return ZERO
        return cash_due(self.total, self.non_cash, self.rounding_mode) - remainder

    @property
    def covered(self) -> bool:
        return self.cash_due == 0 and self.non_cash <= self.total and bool(self.tenders)

    @property
    def change(self) -> Decimal:
        due = cash_due(self.total, self.non_cash, self.rounding_mode)
        return max(ZERO, self.cash - due)

    def check_non_cash(self, kind: TenderType, amount: Decimal) -> None:
        if amount > self.exact_due:
            raise CashierError(
                f"{kind.value.upper() if kind is TenderType.NETS else kind.value.title()} can "
                f"take at most {dollars(self.exact_due)} here: it gives no change"
            )

    def quick_cash(self) -> list[Decimal]:
        """Exact cash, then the next round notes above it, without repeats."""
        due = self.cash_due
        if due <= 0:
            return []
        amounts = [due]
        for step in _ROUND_UP_TO:
            above = ((due // step) + 1) * step
            if above not in amounts:
                amounts.append(above)
        return amounts[:QUICK_AMOUNTS]
