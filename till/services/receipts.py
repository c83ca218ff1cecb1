"""Receipts rebuilt from what the store holds, so a reprint is exactly the original."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.money import ZERO
from shared.receipt import (
    Receipt,
    ReceiptKind,
    ReceiptLine,
    ReceiptNumber,
    ReceiptTender,
    choose_kind,
)
from till.services.context import CashierError, OutletProfile
from till.store.models import Payment, Refund, Sale, SaleLine, Staff

TENDER_LABELS = {
    "cash": "Cash",
    "nets": "NETS",
    "card": "Card",
    "paynow": "PayNow",
    "voucher": "Voucher",
}


class UnknownReceipt(CashierError):
    def __init__(self, receipt_no: str) -> None:
        super().__init__(f"no sale on this till has receipt number {receipt_no}; check the number")


def find_sale(session: Session, receipt_no: str) -> Sale:
    try:
        number = str(ReceiptNumber.parse(receipt_no))
    except ValueError as exc:
        raise CashierError(str(exc)) from None
    sale = session.scalars(select(Sale).where(Sale.receipt_no == number)).first()
    if sale is None:
        raise UnknownReceipt(number)
    return sale


def _tenders(payments: Sequence[Payment]) -> tuple[ReceiptTender, ...]:
    return tuple(
        ReceiptTender(
            label=TENDER_LABELS[p.type],
            amount=p.amount,
            reference=p.reference,
            card_last4=p.card_last4,
        )
        for p in payments
    )


def _gst_by_rate(
    rows: list[tuple[Decimal, Decimal, Decimal, str]],
) -> tuple[tuple[Decimal, Decimal, Decimal], ...]:
    sums: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for rate, amount, gst, code in rows:
        if code == "SR" and rate > 0:
            a, g = sums.get(rate, (ZERO, ZERO))
            sums[rate] = (a + amount, g + gst)
    return tuple((rate, a, g) for rate, (a, g) in sorted(sums.items()))


def _name(session: Session, staff_id: str) -> str:
    staff = session.get(Staff, staff_id)
    return staff.display_name if staff else "?"


def sale_receipt(
    sale: Sale,
    sale_lines: Sequence[SaleLine],
    payments: Sequence[Payment],
    cashier: str,
    profile: OutletProfile,
) -> Receipt:
    """The receipt of a sale from its rows (fresh from checkout, or loaded for a reprint)."""
    supplier = profile.supplier
    lines = tuple(
        ReceiptLine(
            description=line.name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount + line.cart_discount,
            gst=line.gst,
            tax_code=line.tax_code,
            gst_rate=line.gst_rate,
            discount=line.line_discount,
        )
        for line in sale_lines
    )
    kind = choose_kind(
        supplier=supplier,
        total=sale.total,
        tax_codes=[line.tax_code for line in sale_lines],
        rates=[line.gst_rate for line in sale_lines],
        customer=None,
    )
    return Receipt(
        number=ReceiptNumber.parse(sale.receipt_no),
        issued_at=sale.sold_at,
        supplier=supplier,
        lines=lines,
        cart_discount=sum((line.cart_discount for line in sale_lines), ZERO),
        gst_by_rate=_gst_by_rate([(x.gst_rate, x.amount, x.gst, x.tax_code) for x in sale_lines]),
        gst_total=sale.gst_total,
        rounding=sale.rounding,
        total=sale.total + sale.rounding,
        tenders=_tenders(payments),
        change=sale.change,
        cashier=cashier,
        kind=kind,
        reprint_count=sale.reprint_count,
        footer=tuple(profile.outlet.receipt_footer),
    )


def refund_receipt(session: Session, refund: Refund, profile: OutletProfile) -> Receipt:
    original = session.get(Sale, refund.original_sale_id) if refund.original_sale_id else None
    lines = tuple(
        ReceiptLine(
            description=line.name,
            quantity=line.quantity,
            unit_price=(line.amount / line.quantity).quantize(Decimal("0.01")),
            amount=line.amount,
            gst=line.gst,
            tax_code=line.tax_code,
            gst_rate=line.gst_rate,
        )
        for line in refund.lines
    )
    return Receipt(
        number=ReceiptNumber.parse(refund.receipt_no),
        issued_at=refund.refunded_at,
        supplier=profile.supplier,
        lines=lines,
        cart_discount=ZERO,
        gst_by_rate=_gst_by_rate([(x.gst_rate, x.amount, x.gst, x.tax_code) for x in refund.lines]),
        gst_total=refund.gst_total,
        rounding=refund.rounding,
        total=refund.total + refund.rounding,
        tenders=_tenders(refund.payments),
        change=ZERO,
        cashier=_name(session, refund.cashier_id),
        kind=ReceiptKind.REFUND,
        original_number=ReceiptNumber.parse(original.receipt_no) if original else None,
        footer=tuple(profile.outlet.receipt_footer),
    )
