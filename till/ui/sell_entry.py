"""The sell screen's one input line: it takes scans, and answers the question the cashier
asked for (a quantity, a discount, a price) so the focus never has to leave it.

A keyboard-wedge scanner types the code and Enter into whatever has the focus; keeping every
prompt in this one field means a scan can never land in a dialog by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from shared.cart import Discount
from till.services.context import CashierError
from till.ui.money_text import parse_amount, parse_quantity

# "3*8881234567890" or "0.875*8881234567890": quantity first, then the code (POS custom).
_TIMES = re.compile(r"^\s*(\d+(?:\.\d{1,3})?)\s*[*xX]\s*(\S+)\s*$")
# What a scanner sends: 8 or more digits, no decimal point. Never a quantity or a price.
_BARCODE = re.compile(r"^\d{8,}$")
# A GS1-128 code carries at most 48 characters; anything much longer is a stray paste.
MAX_SCAN_LENGTH = 64


class Prompt(Enum):
    SCAN = "Scan or type a barcode (letters search by name)"
    QUANTITY = "Quantity (or weight in kg) for"
    DISCOUNT = "Discount (10% or 2.00) for"
    PRICE = "New unit price for"
    CART_DISCOUNT = "Discount on the whole sale (10% or 2.00)"


@dataclass(frozen=True)
class ScanRequest:
    code: str
    quantity: Decimal = Decimal(1)


def looks_like_barcode(text: str) -> bool:
    return bool(_BARCODE.match(text.strip()))


def scan_request(text: str) -> ScanRequest:
    match = _TIMES.match(text)
    if match:
        return ScanRequest(match.group(2), parse_quantity(match.group(1)))
    return ScanRequest(text.strip())


def parse_discount(text: str) -> Discount | None:
    """``10%`` off, or ``2.00`` dollars off; ``0`` (or nothing) takes the discount away."""
    typed = text.strip()
    if typed in ("", "0", "0%"):
        return None
    if typed.endswith("%"):
        try:
            percent = Decimal(typed[:-1].strip())
        except ArithmeticError:
            percent = Decimal("NaN")
        if not percent.is_finite():
            raise CashierError(f"{typed!r} is not a percentage: type e.g. 10%")
        return Discount(percent=percent)
    return Discount(amount=parse_amount(typed, what="amount of discount"))
