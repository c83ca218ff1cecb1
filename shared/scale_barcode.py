"""GS1 variable-measure barcodes: the EAN-13 labels a shop's scale prints on weighed goods.

A label is ``PP IIIII [V] VVVVV C``: a prefix from 20 to 29 (GS1's restricted-circulation
range, the shop's own to use), the item's code, an optional check digit over the value, the
value itself (a price in cents or a weight in grams), and the ordinary EAN-13 check digit.
Which prefix means which layout is the shop's choice, so layouts are settings; this module
only reads digits, and does no I/O.

The item is looked up by its *base code*: the label with the value (and its check digit) set
to zeros and the EAN check digit recomputed, the code the catalogue keeps for the product.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

EAN13_DIGITS = 13
_PAYLOAD = 10  # digits between the 2-digit prefix and the EAN check digit


class ScaleBarcodeError(ValueError):
    """A label that looks like a scale's but cannot be read; the message says why."""


class Measure(StrEnum):
    PRICE = "price"  # the label carries the price to pay
    WEIGHT = "weight"  # the label carries the weight; the till prices it


@dataclass(frozen=True)
class ScaleLayout:
    """How one prefix's labels are laid out (an outlet setting)."""

    prefix: str  # "20" .. "29"
    item_digits: int = 5
    measure: Measure = Measure.WEIGHT
    decimals: int = 3  # 3: grams in a kg value; 2: cents in a dollar price
    value_check_digit: bool = False  # GS1's price/weight check digit before the value

    def __post_init__(self) -> None:
        if len(self.prefix) != 2 or not self.prefix.isdigit() or self.prefix[0] != "2":
            raise ScaleBarcodeError(f"a scale prefix is 20 to 29, not {self.prefix!r}")
        if not 1 <= self.item_digits <= 6:
            raise ScaleBarcodeError(f"item code of {self.item_digits} digits: use 1 to 6")
        if self.value_check_digit and self.value_digits not in (4, 5):
            raise ScaleBarcodeError(
                "GS1 defines a value check digit for 4- or 5-digit values only: "
                f"{self.item_digits} item digits leave {self.value_digits}"
            )
        if not 0 <= self.decimals <= 3:
            raise ScaleBarcodeError(f"{self.decimals} decimals: use 0 to 3")

    @property
    def value_digits(self) -> int:
        return _PAYLOAD - self.item_digits - int(self.value_check_digit)


@dataclass(frozen=True)
class ScaleReading:
    base_code: str  # the product's code in the catalogue
    measure: Measure
    value: Decimal  # dollars or kg


def ean13_check_digit(first12: str) -> str:
    """GS1 check digit: weights 1 and 3 alternate from the left over the first 12 digits."""
    total = sum(int(d) * (3 if n % 2 else 1) for n, d in enumerate(first12))
    return str(-total % 10)


# GS1 General Specifications, "price/weight check digit": each weighting factor maps a digit
# to a product digit (2-: double, less the tens; 5+: five times, plus the tens; 5-: less).
_TIMES_2_MINUS = (0, 2, 4, 6, 8, 9, 1, 3, 5, 7)
_TIMES_3 = (0, 3, 6, 9, 2, 5, 8, 1, 4, 7)
_TIMES_5_PLUS = (0, 5, 1, 6, 2, 7, 3, 8, 4, 9)
_TIMES_5_MINUS = (0, 5, 9, 4, 8, 3, 7, 2, 6, 1)


def value_check_digit(value: str) -> str:
    """The check digit GS1 defines over a 4- or 5-digit price or weight."""
    digits = [int(d) for d in value]
    if len(digits) == 4:
        tables = (_TIMES_2_MINUS, _TIMES_2_MINUS, _TIMES_3, _TIMES_5_MINUS)
        total = sum(t[d] for t, d in zip(tables, digits, strict=True))
        return str(total * 3 % 10)
    if len(digits) == 5:
        tables5 = (_TIMES_5_PLUS, _TIMES_2_MINUS, _TIMES_5_MINUS, _TIMES_5_PLUS, _TIMES_2_MINUS)
        total = sum(t[d] for t, d in zip(tables5, digits, strict=True))
        return str(_TIMES_5_MINUS.index(-total % 10))
    raise ScaleBarcodeError(f"a value check digit covers 4 or 5 digits, not {len(digits)}")


def base_code(layout: ScaleLayout, item: str) -> str:
    """The catalogue's code for ``item`` under ``layout``: the label with a zero value."""
    if len(item) != layout.item_digits or not item.isdigit():
        raise ScaleBarcodeError(f"item code {item!r} must be {layout.item_digits} digits")
    first12 = layout.prefix + item + "0" * (_PAYLOAD - layout.item_digits)
    return first12 + ean13_check_digit(first12)


def scale_label(layout: ScaleLayout, item: str, value: Decimal) -> str:
    """The label a scale prints for ``item`` and ``value`` (what tests and demos scan)."""
    base = base_code(layout, item)
    units = value.scaleb(layout.decimals)
    if units != units.to_integral_value() or units < 0 or units >= 10**layout.value_digits:
        raise ScaleBarcodeError(f"{value} does not fit {layout.value_digits} digits")
    digits = f"{int(units):0{layout.value_digits}d}"
    check = value_check_digit(digits) if layout.value_check_digit else ""
    first12 = base[: 2 + layout.item_digits] + check + digits
    return first12 + ean13_check_digit(first12)


def read_scale_label(code: str, layouts: tuple[ScaleLayout, ...]) -> ScaleReading | None:
    """What a scale's label says, or None if ``code`` is not one of these layouts' labels.

    A label whose prefix matches but whose check digits do not is refused with
    ``ScaleBarcodeError`` rather than rung up at a misread weight or price.
    """
    code = code.strip()
    if len(code) != EAN13_DIGITS or not code.isdigit():
        return None
    layout = next((x for x in layouts if x.prefix == code[:2]), None)
    if layout is None:
        return None
    if ean13_check_digit(code[:12]) != code[12]:
        raise ScaleBarcodeError(f"the label {code} did not scan cleanly (check digit): scan again")
    start = 2 + layout.item_digits
    value = code[start + int(layout.value_check_digit) : 12]
    if layout.value_check_digit and value_check_digit(value) != code[start]:
        raise ScaleBarcodeError(
            f"the {layout.measure.value} on label {code} did not scan cleanly "
            "(its check digit): scan again"
        )
    return ScaleReading(
        base_code=base_code(layout, code[2:start]),
        measure=layout.measure,
        value=Decimal(int(value)).scaleb(-layout.decimals),
    )
