"""Receipts and GST tax invoices as IRAS expects them from a Singapore retailer.

The sale engine computes every figure (line GST, GST per rate, cash rounding, change); this
module only holds them, decides which kind of document a sale gets, checks that document
against the IRAS particulars for its kind, and lays it out for thermal paper
(``render_text``, implemented in ``shared.receipt_text``).

Sign convention: a REFUND carries negative amounts (lines, GST, total, tenders), exactly as
they print. Discounts are always positive magnitudes: on a sale they reduce what the customer
pays, on a refund they reduce what is paid back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from shared.gst import tax_in_inclusive

__all__ = [
    "CustomerDetails",
    "Receipt",
    "ReceiptKind",
    "ReceiptLine",
    "ReceiptNumber",
    "ReceiptNumberError",
    "ReceiptTender",
    "Supplier",
    "choose_kind",
    "missing_particulars",
    "render_text",
]

TAX_CODES = frozenset({"SR", "ZR", "ES", "OS"})
# IRAS: a simplified tax invoice is allowed only up to this total, GST included.
SIMPLIFIED_LIMIT = Decimal("1000")
_CODE = re.compile(r"[A-Z0-9]{2,8}")
_SERIAL = re.compile(r"[0-9]+")
_LAST4 = re.compile(r"[0-9]{4}")
_EXAMPLE = "e.g. ORC-T02-000123"
_MAX_SERIAL = 10**18 - 1
_MAX_MAGNITUDE = Decimal(10**12)


class ReceiptNumberError(ValueError):
    """A receipt number that cannot be built or parsed; the message says which part and why."""


@dataclass(frozen=True, order=True)
class ReceiptNumber:
    """Outlet + till + gap-free serial: unique across the chain without any coordination."""

    outlet_code: str
    till_code: str
    number: int

    def __post_init__(self) -> None:
        for field, code in (("outlet code", self.outlet_code), ("till code", self.till_code)):
            if not isinstance(code, str) or not _CODE.fullmatch(code):
                raise ReceiptNumberError(
                    f"{field} must be 2-8 characters, each A-Z (upper case) or 0-9; got {code!r}"
                )
        # bool is an int subclass; True would otherwise print as serial 000001.
        if not isinstance(self.number, int) or isinstance(self.number, bool):
            raise ReceiptNumberError(f"serial number must be an int, got {self.number!r}")
        if self.number < 1:
            raise ReceiptNumberError(f"serial number must be 1 or more, got {self.number}")
        # The serial is stored as a 64-bit SQLite INTEGER on the till.
        if self.number > _MAX_SERIAL:
            raise ReceiptNumberError(f"serial number must be at most {_MAX_SERIAL}")

    def __str__(self) -> str:
        return f"{self.outlet_code}-{self.till_code}-{self.number:06d}"

    @classmethod
    def parse(cls, text: str) -> ReceiptNumber:
        """Read a receipt number as typed or scanned: any case, stray spaces allowed."""
        if not isinstance(text, str):
            raise ReceiptNumberError(f"receipt number must be text, got {type(text).__name__}")
        compact = "".join(text.split())
        if not compact:
            raise ReceiptNumberError(
                f"receipt number is empty; expected OUTLET-TILL-NUMBER, {_EXAMPLE}"
            )
        # Checked before upper(): "ı".upper() is an ASCII "I" and would sneak through.
        if not compact.isascii():
            raise ReceiptNumberError(
                f"receipt number {text!r} may only use A-Z, 0-9 and '-', {_EXAMPLE}"
            )
        parts = compact.upper().split("-")
        if len(parts) != 3:
            raise ReceiptNumberError(
                f"receipt number {text!r} must have three parts OUTLET-TILL-NUMBER, {_EXAMPLE}"
            )
        outlet, till, serial = parts
        if not _SERIAL.fullmatch(serial):
            raise ReceiptNumberError(
                f"receipt number {text!r}: the serial part {serial!r} must be digits only"
            )
        if len(serial.lstrip("0")) > 18:
            raise ReceiptNumberError(f"receipt number {text!r}: the serial part is too long")
        try:
            return cls(outlet, till, int(serial))
        except ReceiptNumberError as exc:
            raise ReceiptNumberError(f"receipt number {text!r}: {exc}") from None

    def next(self) -> ReceiptNumber:
        """The number the same till issues next; serials are gap-free."""
        return ReceiptNumber(self.outlet_code, self.till_code, self.number + 1)


class ReceiptKind(StrEnum):
    SIMPLIFIED_TAX_INVOICE = "simplified_tax_invoice"
    FULL_TAX_INVOICE = "full_tax_invoice"
    RECEIPT = "receipt"
    REFUND = "refund"


TAX_INVOICE_KINDS = frozenset({ReceiptKind.SIMPLIFIED_TAX_INVOICE, ReceiptKind.FULL_TAX_INVOICE})


def _decimal(value: object, field: str) -> Decimal:
    # Money arriving as a float has already lost cents (0.1 + 0.2), so it is refused outright.
    if isinstance(value, float):
        raise TypeError(f"{field} is a float ({value!r}); money must be a decimal.Decimal")
    if not isinstance(value, Decimal):
        raise TypeError(f"{field} must be a decimal.Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{field} must be a finite number, got {value}")
    # Beyond this, Decimal arithmetic at the default 28-digit precision starts to round.
    if abs(value) >= _MAX_MAGNITUDE:
        raise ValueError(f"{field} {value} is implausibly large")
    return value


def _cents(value: object, field: str) -> Decimal:
    amount = _decimal(value, field)
    # A receipt prints 2 decimals; a third would be silently rounded away on paper.
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{field} {amount} has more than 2 decimal places")
    return amount


def _lines_of_text(value: object, field: str) -> None:
    # Checked because a bare string is iterable too and would print one character per line.
    if not isinstance(value, tuple) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{field} must be a tuple of strings, got {value!r}")


@dataclass(frozen=True)
class Supplier:
    name: str
    address_lines: tuple[str, ...]
    gst_reg_no: str | None  # None = not GST-registered

    def __post_init__(self) -> None:
        _lines_of_text(self.address_lines, "supplier address_lines")
        if self.gst_reg_no is not None and not self.gst_reg_no.strip():
            raise ValueError("supplier gst_reg_no is blank; use None if not GST-registered")

    @property
    def gst_registered(self) -> bool:
        return self.gst_reg_no is not None


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    address_lines: tuple[str, ...]
    gst_reg_no: str | None = None

    def __post_init__(self) -> None:
        _lines_of_text(self.address_lines, "customer address_lines")


@dataclass(frozen=True)
class ReceiptLine:
    description: str
    quantity: Decimal
    unit_price: Decimal  # GST-inclusive, may have more than 2 decimals (priced per gram)
    amount: Decimal  # GST-inclusive, after this line's discount (before a whole-sale discount)
    # GST charged on the line: after its share of any whole-sale discount, so with such a
    # discount it is less than the GST contained in ``amount``. 0 unless SR.
    gst: Decimal
    tax_code: str  # "SR" | "ZR" | "ES" | "OS"
    gst_rate: Decimal  # percent; 0 unless SR
    discount: Decimal = Decimal("0")  # positive amount taken off this line
    weighed: bool = False  # quantity in kg, unit_price per kg
    # This line's share of a whole-sale discount (positive), so a full tax invoice can state
    # each type of supply's amount after it; 0 where the share is not known.
    cart_discount: Decimal = Decimal("0")
    promotion: str | None = None  # the promotions that gave (part of) the discount

    def __post_init__(self) -> None:
        _decimal(self.quantity, "quantity")
        _decimal(self.unit_price, "unit_price")
        _cents(self.amount, "line amount")
        _cents(self.gst, "line gst")
        _decimal(self.gst_rate, "gst_rate")
        if _cents(self.discount, "line discount") < 0:
            raise ValueError(f"line discount must be 0 or positive, got {self.discount}")
        if self.tax_code not in TAX_CODES:
            raise ValueError(f"tax_code must be one of SR, ZR, ES, OS; got {self.tax_code!r}")
        if self.tax_code == "SR":
            # Rate 0 only where no GST is charged: a supplier not registered for GST.
            if self.gst_rate < 0 or (self.gst_rate == 0 and self.gst):
                raise ValueError(f"an SR line with GST needs a positive rate, got {self.gst_rate}")
        elif self.gst or self.gst_rate:
            # GST on a zero-rated or exempt item is an overcharge the customer would see.
            raise ValueError(f"a {self.tax_code} line carries no GST and a gst_rate of 0")

    @property
    def amount_excl_gst(self) -> Decimal:
        """``amount - gst``: right only on a sale without a whole-sale discount (see
        :meth:`Receipt.line_excl_gst`)."""
        return self.amount - self.gst


@dataclass(frozen=True)
class ReceiptTender:
    label: str  # "Cash", "NETS", "Visa", "PayNow", "Voucher"
    amount: Decimal
    reference: str | None = None
    card_last4: str | None = None

    def __post_init__(self) -> None:
        _cents(self.amount, f"{self.label} tender amount")
        if self.card_last4 is not None and not (
            isinstance(self.card_last4, str) and _LAST4.fullmatch(self.card_last4)
        ):
            # Anything longer risks a full card number reaching paper.
            raise ValueError(f"card_last4 must be exactly 4 digits, got {self.card_last4!r}")


@dataclass(frozen=True)
class Receipt:
    number: ReceiptNumber
    issued_at: datetime  # timezone-aware; printed in Singapore time
    supplier: Supplier
    lines: tuple[ReceiptLine, ...]
    cart_discount: Decimal  # positive; taken off after the line amounts
    gst_by_rate: tuple[tuple[Decimal, Decimal, Decimal], ...]  # (rate %, taxable incl. GST, GST)
    gst_total: Decimal
    rounding: Decimal  # signed cash rounding adjustment
    total: Decimal  # sum(line amounts) - cart_discount + rounding, on a sale
    tenders: tuple[ReceiptTender, ...]
    change: Decimal
    cashier: str
    kind: ReceiptKind
    customer: CustomerDetails | None = None
    reprint_count: int = 0  # 0 = the original print
    original_number: ReceiptNumber | None = None  # the receipt a REFUND reverses
    is_void: bool = False  # a REFUND of everything left on a sale, approved as a void
    paynow_payload: str | None = None
    footer: tuple[str, ...] = ()
    saved: Decimal = Decimal("0")  # what automatic promotions took off: "You saved"

    def line_excl_gst(self, line: ReceiptLine) -> Decimal:
        """A line's amount excluding GST, before any whole-sale discount.

        With a whole-sale discount a line's ``amount`` is before it but its ``gst`` after it, so
        the GST is taken out of the line's own amount instead; the discount line then carries
        the rest and the excl. GST column still adds up to the total."""
        if not self.cart_discount or line.tax_code != "SR" or line.gst_rate <= 0:
            return line.amount_excl_gst
        return line.amount - tax_in_inclusive(line.amount, line.gst_rate)

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ReceiptKind):
            raise TypeError(f"kind must be a ReceiptKind, got {self.kind!r}")
        if not isinstance(self.issued_at, datetime) or self.issued_at.utcoffset() is None:
            raise ValueError(
                f"issued_at must be a timezone-aware datetime, got {self.issued_at!r}; "
                "a naive time is ambiguous once it leaves the till"
            )
        if _cents(self.cart_discount, "cart_discount") < 0:
            raise ValueError(f"cart_discount must be 0 or positive, got {self.cart_discount}")
        for field in ("gst_total", "rounding", "total", "change"):
            _cents(getattr(self, field), field)
        for rate, taxable, gst in self.gst_by_rate:
            _decimal(rate, "gst_by_rate rate")
            _cents(taxable, "gst_by_rate taxable amount")
            _cents(gst, "gst_by_rate GST")
        if (
            not isinstance(self.reprint_count, int)
            or isinstance(self.reprint_count, bool)
            or self.reprint_count < 0
        ):
            raise ValueError(f"reprint_count must be an int >= 0, got {self.reprint_count!r}")
        _lines_of_text(self.footer, "footer")


def choose_kind(
    *,
    supplier: Supplier,
    total: Decimal,
    tax_codes: Iterable[str],
    rates: Iterable[Decimal],
    customer: CustomerDetails | None,
    is_refund: bool = False,
) -> ReceiptKind:
    """The document a sale gets.

    ``rates`` are the GST rates of the items; zeros (ZR/ES/OS items) are ignored because the
    tax codes already judge those. A given ``customer`` means the customer asked for a full
    tax invoice; IRAS does not require the customer's own GST number on it.
    """
    _decimal(total, "total")
    codes = set(tax_codes)
    if unknown := codes - TAX_CODES:
        raise ValueError(f"unknown tax codes {sorted(unknown)}; expected SR, ZR, ES or OS")
    gst_rates = {_decimal(rate, "rate") for rate in rates} - {Decimal(0)}
    if is_refund:
        return ReceiptKind.REFUND
    if not supplier.gst_registered:
        return ReceiptKind.RECEIPT
    if customer is not None:
        return ReceiptKind.FULL_TAX_INVOICE
    if (
        total <= SIMPLIFIED_LIMIT
        and "SR" in codes
        and not codes & {"ZR", "ES"}
        and len(gst_rates) == 1
    ):
        return ReceiptKind.SIMPLIFIED_TAX_INVOICE
    # Documented decision: GST is still broken down per rate, and the customer may ask for
    # a full tax invoice.
    return ReceiptKind.RECEIPT


def missing_particulars(receipt: Receipt) -> list[str]:
    """What this receipt lacks, or gets wrong, for its kind under IRAS rules; [] = compliant."""
    problems: list[str] = []
    supplier, kind, lines = receipt.supplier, receipt.kind, receipt.lines
    carries_gst = (
        receipt.gst_total != 0
        or bool(receipt.gst_by_rate)
        or any(line.tax_code == "SR" or line.gst for line in lines)
    )
    if kind in TAX_INVOICE_KINDS:
        if not supplier.gst_registered:
            problems.append(
                "supplier GST registration number: a supplier that is not GST-registered "
                "must not issue a tax invoice"
            )
        if not supplier.name.strip():
            problems.append("supplier name")
        if not any(line.strip() for line in supplier.address_lines):
            problems.append("supplier address")
        if not lines:
            problems.append("description of goods: no lines")
        problems += [
            f"description of goods on line {index}"
            for index, line in enumerate(lines, start=1)
            if not line.description.strip()
        ]
    if not supplier.gst_registered and carries_gst:
        problems.append("no GST: a supplier that is not GST-registered must not charge GST")
    if kind is ReceiptKind.SIMPLIFIED_TAX_INVOICE:
        problems += _simplified_problems(receipt)
    if kind is ReceiptKind.FULL_TAX_INVOICE:
        customer = receipt.customer
        if customer is None or not customer.name.strip():
            problems.append("customer name")
        if customer is None or not any(line.strip() for line in customer.address_lines):
            problems.append("customer address")
    if (
        kind in {ReceiptKind.FULL_TAX_INVOICE, ReceiptKind.RECEIPT}
        and supplier.gst_registered
        and any(line.tax_code == "SR" for line in lines)
        and not receipt.gst_by_rate
    ):
        problems.append("GST rate and amount: no GST breakdown for the standard-rated items")
    if kind is ReceiptKind.REFUND and receipt.original_number is None:
        problems.append("original receipt number")
    return problems


def _simplified_problems(receipt: Receipt) -> list[str]:
    problems = []
    if receipt.total > SIMPLIFIED_LIMIT:
        problems.append(
            f"simplified tax invoice needs a total of at most S$1,000.00 including GST, "
            f"got {receipt.total:.2f}: issue a full tax invoice"
        )
    codes = {line.tax_code for line in receipt.lines}
    if "ZR" in codes:
        problems.append("simplified tax invoice must not include zero-rated (ZR) items")
    if "ES" in codes:
        problems.append("simplified tax invoice must not include exempt (ES) items")
    rates = {line.gst_rate for line in receipt.lines if line.tax_code == "SR"}
    rates |= {rate for rate, _, _ in receipt.gst_by_rate}
    if len(rates) > 1:
        problems.append("simplified tax invoice must have all items at one GST rate")
    return problems


def render_text(receipt: Receipt, *, width: int = 42) -> str:
    """The receipt as plain text for a 42- or 48-column thermal printer."""
    # Imported here because the layout module needs this module's types at import time.
    from shared.receipt_text import render

    return render(receipt, width=width)
