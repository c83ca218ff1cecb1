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
    WEIGHT = "Weight in kg (e.g. 0.500) of"


@dataclass(frozen=True)
class ScanRequest:
    code: str
    quantity: Decimal | None = None  # None: one unit, or ask for the weight


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


# What a shop scale weighs: a gram up to 50 kg. More is a typo (500 for 0.500) or a pallet.
MIN_WEIGHT, MAX_SCALE_WEIGHT = Decimal("0.001"), Decimal("50")


def parse_weight(text: str) -> Decimal:
    """A weight in kg as typed from the scale's display: ``0.5``, ``0.500``, ``1.25``."""
    typed = text.strip().lower().removesuffix("kg").strip()
    try:
        weight = Decimal(typed)
    except ArithmeticError:
        weight = Decimal("NaN")
    if not weight.is_finite():
        raise CashierError(f"{text.strip() or 'nothing'!r} is not a weight: type kg, e.g. 0.500")
    # Only a weight of a sane size is rounded: 1e999999999 kg cannot be, to the gram.
    if weight.copy_abs() <= MAX_SCALE_WEIGHT and weight != weight.quantize(MIN_WEIGHT):
        raise CashierError(f"{weight} kg is finer than a gram: type up to 3 decimals, e.g. 0.505")
    if not MIN_WEIGHT <= weight <= MAX_SCALE_WEIGHT:
        raise CashierError(
            f"{weight} kg is not a weight the scale shows: type from 0.001 to {MAX_SCALE_WEIGHT}"
            " kg (0.5 for half a kilo)"
        )
    return weight.quantize(MIN_WEIGHT)
