"""What every screen of the till app shares: the till's services, its settings, its printer and
who is signed in. One instance is built at start-up and handed to each screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from till.services.context import CashierError

if TYPE_CHECKING:
    from till.app import Till
    from till.printing import ReceiptPrinter
    from till.services.staff import SignedIn
    from till.settings import TillSettings


@dataclass
class UiContext:
    till: Till
    settings: TillSettings
    printer: ReceiptPrinter
    cashier: SignedIn | None = None  # set by the sign-in screen, cleared at sign-out
    demo: bool = False

    def require_cashier(self) -> SignedIn:
        if self.cashier is None:
            raise CashierError("Sign in first")
        return self.cashier
