"""Money for a Singapore till: ``Decimal`` dollars everywhere, integer cents at rest.

Floats are refused outright: a float price is already wrong (0.1 + 0.2 != 0.3) before any
rounding rule can help.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_FIVE_CENTS = Decimal("0.05")
# Largest amount that fits NUMERIC(14,2) centrally; anything bigger is a typing accident.
MAX_AMOUNT = Decimal("999999999999.99")


class MoneyError(ValueError):
    """An amount that is not a valid number of dollars and cents."""


def money(value: Decimal | int | str) -> Decimal:
    """Parse an exact amount of dollars; refuses floats, NaN, infinity and fractions of a cent."""
    if isinstance(value, float | bool):
        raise TypeError(f"money must be Decimal, int or str, not {type(value).__name__}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise MoneyError(f"{value!r} is not an amount of money") from None
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not an amount of money")
    # The size first, without the context (abs() of 1e999999999 overflows): rounding such a
    # number to the cent is an arithmetic error, not an answer.
    if amount.copy_abs() > MAX_AMOUNT:
        raise MoneyError(f"{value!r} is larger than any till can take (max {MAX_AMOUNT})")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise MoneyError(f"{value!r} has a fraction of a cent")
    return amount.quantize(CENT)


def round_cents(amount: Decimal) -> Decimal:
    """Round to the nearest cent, halves away from zero (IRAS: 'rounded to the nearest cent')."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """Dollars → integer cents for storage; refuses anything that is not whole cents."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"to_cents takes a Decimal, not {type(amount).__name__}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise MoneyError(f"{amount} has a fraction of a cent and cannot be stored")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"from_cents takes an int, not {type(cents).__name__}")
    return (Decimal(cents) / 100).quantize(CENT)


class CashRounding(StrEnum):
    """How the cash amount due is rounded to the 5-cent coins in circulation (an outlet setting)."""

    OFF = "off"
    NEAREST = "nearest"
    # 'down' always favours the customer: a sale's cash due rounds down, and a refund paid
    # out in cash rounds up (down on the signed amount), so one rule serves both.
    DOWN = "down"


def round_cash(amount: Decimal, mode: CashRounding) -> Decimal:
    """The cash actually to be handed over for ``amount`` under the outlet's rounding mode."""
    if mode is CashRounding.OFF:
        return amount
    steps = amount / _FIVE_CENTS
    rounding = ROUND_HALF_UP if mode is CashRounding.NEAREST else ROUND_FLOOR
    return (steps.to_integral_value(rounding=rounding) * _FIVE_CENTS).quantize(CENT)


def round_cash_refund(amount: Decimal, mode: CashRounding) -> Decimal:
    """The cash handed back for a refund of ``amount`` (a positive sum paid out).

    The rule is defined on the signed amount (money coming in), so a payout is rounded as a
    negative sum: under ``down`` a refund of 8.92 pays 8.95, in the customer's favour.
    """
    return -round_cash(-amount, mode)


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` into cents proportional to ``weights``, summing exactly to ``total``.

    Largest-remainder method: each share is floored to the cent and the leftover cents go to
    the largest remainders (ties to the earliest). Used to spread a cart discount over lines and
    a total-rounded GST figure back onto lines, so that lines always add up to the sale.
    """
    if not weights:
        if total:
            raise MoneyError("cannot allocate a non-zero amount over no lines")
        return []
    basis = sum(weights, Decimal(0))
    if basis == 0:
        shares = [ZERO] * len(weights)
        shares[0] = total
        return shares
    sign = -1 if total < 0 else 1
    cents = abs(to_cents(total))
    exact = [Decimal(cents) * w / basis for w in weights]
    floors = [int(x) for x in exact]
    leftover = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [from_cents(sign * c) for c in floors]
