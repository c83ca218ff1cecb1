"""Amounts and quantities as the cashier types and reads them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from shared.money import MoneyError, money
from till.services.context import CashierError


def dollars(amount: Decimal) -> str:
    """``$1,234.50``; a negative amount (rounding down, a discount) as ``-$0.02``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def parse_amount(text: str, *, what: str = "amount") -> Decimal:
    """Dollars and cents typed by a cashier: ``12``, ``12.5``, ``$12.50``."""
    cleaned = text.strip().removeprefix("$").replace(",", "")
    try:
        value = Decimal(cleaned)
        if not value.is_finite():
            raise InvalidOperation
        return money(value)
    except (InvalidOperation, MoneyError):
        raise CashierError(
            f"{text.strip() or 'nothing'!r} is not an {what}: type dollars and cents, e.g. 12.50"
        ) from None


def parse_quantity(text: str) -> Decimal:
    """A count (``3``) or a weight in kg (``0.875``); the cart checks it fits the product."""
    try:
        value = Decimal(text.strip())
        if not value.is_finite():
            raise InvalidOperation
        return value
    except InvalidOperation:
        raise CashierError(
            f"{text.strip() or 'nothing'!r} is not a quantity: type a number, e.g. 3 or 0.875 kg"
        ) from None
