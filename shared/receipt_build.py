"""A sale's or refund's receipt from its stored rows, the same on the till and at head office.

The till prints from its SQLite rows; head office shows the receipt "exactly as printed" from
the rows it received. Both pass their rows here, so the two can never drift apart. Rows are
read through small protocols: an ORM row or a frozen dataclass with these attributes will do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from shared.receipt import (
    CustomerDetails,
    Receipt,
    ReceiptKind,
    ReceiptLine,
    ReceiptNumber,
    ReceiptTender,
    Supplier,
    choose_kind,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TENDER_LABELS = {
    "cash": "Cash",
    "nets": "NETS",
    "card": "Card",
    "paynow": "PayNow",
    "voucher": "Voucher",
    "gift": "Gift voucher",
    "points": "Points",
}


class TaxedLine(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def amount(self) -> Decimal: ...  # GST-inclusive, after every discount
    @property
    def gst(self) -> Decimal: ...
    @property
    def tax_code(self) -> str: ...
    @property
    def gst_rate(self) -> Decimal: ...


class SoldLine(TaxedLine, Protocol):
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def line_discount(self) -> Decimal: ...
    @property
    def cart_discount(self) -> Decimal: ...  # this line's share of a whole-sale discount
    @property
    def weighed(self) -> bool: ...


class RefundedLine(TaxedLine, Protocol):
    @property
    def weighed(self) -> bool: ...  # quantity in kg, as the line was sold


class Payment(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def reference(self) -> str | None: ...
    @property
    def card_last4(self) -> str | None: ...


def tender_label(kind: str) -> str:
    return TENDER_LABELS.get(kind, kind.title())


def receipt_tenders(payments: Sequence[Payment]) -> tuple[ReceiptTender, ...]:
    return tuple(
        ReceiptTender(
            label=tender_label(p.type),
            amount=p.amount,
            reference=p.reference,
            card_last4=p.card_last4,
        )
        for p in payments
    )


def gst_by_rate(lines: Sequence[TaxedLine]) -> tuple[tuple[Decimal, Decimal, Decimal], ...]:
    """Per standard rate: the line amounts (after any whole-sale discount) and their GST."""
    sums: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in lines:
        if line.tax_code == "SR" and line.gst_rate > 0:
            amount, gst = sums.get(line.gst_rate, (ZERO, ZERO))
            sums[line.gst_rate] = (amount + line.amount, gst + line.gst)
    return tuple((rate, amount, gst) for rate, (amount, gst) in sorted(sums.items()))


def _promotions(line: SoldLine) -> str | None:
    # Rows from before promotions (and head office's, which does not receive them) have none.
    names: str | None = getattr(line, "promotions", None)
    return names or None


def _promotion_saving(line: SoldLine) -> Decimal:
    saving: Decimal | None = getattr(line, "promotion_saving", None)
    return saving or ZERO


def sale_receipt(
    *,
    receipt_no: str,
    sold_at: datetime,
    supplier: Supplier,
    lines: Sequence[SoldLine],
    payments: Sequence[Payment],
    total: Decimal,
    gst_total: Decimal,
    rounding: Decimal,
    change: Decimal,
    cashier: str,
    footer: Sequence[str],
    reprint_count: int = 0,
    customer: CustomerDetails | None = None,
) -> Receipt:
    """A sale's receipt; ``total`` is before cash rounding, as the sale row holds it. A
    ``customer`` (a business that asked for it) makes it a full tax invoice."""
    return Receipt(
        number=ReceiptNumber.parse(receipt_no),
        issued_at=sold_at,
        supplier=supplier,
        lines=tuple(
            ReceiptLine(
                description=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                # Lines print before the whole-sale discount, which gets a line of its own.
                amount=line.amount + line.cart_discount,
                gst=line.gst,
                tax_code=line.tax_code,
                gst_rate=line.gst_rate,
                discount=line.line_discount,
                weighed=line.weighed,
                cart_discount=line.cart_discount,
                promotion=_promotions(line),
            )
            for line in lines
        ),
        saved=sum((_promotion_saving(line) for line in lines), ZERO),
        cart_discount=sum((line.cart_discount for line in lines), ZERO),
        gst_by_rate=gst_by_rate(lines),
        gst_total=gst_total,
        rounding=rounding,
        total=total + rounding,
        tenders=receipt_tenders(payments),
        change=change,
        cashier=cashier,
        kind=choose_kind(
            supplier=supplier,
            total=total,
            tax_codes=[line.tax_code for line in lines],
            rates=[line.gst_rate for line in lines],
            customer=customer,
        ),
        customer=customer,
        reprint_count=reprint_count,
        footer=tuple(footer),
    )


def refund_receipt(
    *,
    receipt_no: str,
    refunded_at: datetime,
    supplier: Supplier,
    lines: Sequence[RefundedLine],
    payments: Sequence[Payment],
    total: Decimal,
    gst_total: Decimal,
    rounding: Decimal,
    cashier: str,
    original_receipt_no: str | None,
    footer: Sequence[str],
    is_void: bool = False,
    reprint_count: int = 0,
) -> Receipt:
    """A refund (or void) slip; ``total`` is before cash rounding, as the refund row holds it."""
    return Receipt(
        number=ReceiptNumber.parse(receipt_no),
        issued_at=refunded_at,
        supplier=supplier,
        lines=tuple(
            ReceiptLine(
                description=line.name,
                quantity=line.quantity,
                unit_price=(line.amount / line.quantity).quantize(CENT),
                amount=line.amount,
                gst=line.gst,
                tax_code=line.tax_code,
                gst_rate=line.gst_rate,
                weighed=line.weighed,
            )
            for line in lines
        ),
        cart_discount=ZERO,
        gst_by_rate=gst_by_rate(lines),
        gst_total=gst_total,
        rounding=rounding,
        total=total + rounding,
        tenders=receipt_tenders(payments),
        change=ZERO,
        cashier=cashier,
        kind=ReceiptKind.REFUND,
        original_number=ReceiptNumber.parse(original_receipt_no) if original_receipt_no else None,
        footer=tuple(footer),
        is_void=is_void,
        reprint_count=reprint_count,
    )
