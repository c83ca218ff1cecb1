"""One sale opened: its lines, tenders and refunds, and the receipt exactly as printed.

The receipt is rebuilt the way the till builds it (``till.services.receipts``): the same
``shared.receipt.Receipt`` from the same stored figures, rendered by the same
``render_text``, so the same sale gives the same text. The supplier block comes from the
outlet as head office holds it now; a later rename of the outlet shows the new name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from shared import receipt_build as build
from shared.protocol import SaleLineV1
from shared.receipt import Receipt, Supplier, render_text
from sync_service.central import models as m
from sync_service.central.reports.common import Scope, dollars, table

SALE, LINE, TENDER = table(m.Sale), table(m.SaleLine), table(m.Tender)
REFUND, REFUND_LINE = table(m.Refund), table(m.RefundLine)
OUTLET, TILL, STAFF = table(m.Outlet), table(m.Till), table(m.Staff)


# A sold line is the line the till sent, as head office stored it (``amount`` paid for it after
# line and cart discounts, GST included): the protocol's own type, compared by value.
DetailLine = SaleLineV1
# A stored line's own columns (which promotion saved what is in sale_line_promotion).
_LINE_FIELDS = tuple(f for f in SaleLineV1.model_fields if f != "promotion_savings")


@dataclass(frozen=True)
class DetailTender:
    """A payment; for cash, ``amount`` is what was handed over (change is on the sale)."""

    position: int
    tender_type: str
    amount: Decimal
    reference: str | None
    card_last4: str | None

    @property
    def type(self) -> str:
        return self.tender_type


@dataclass(frozen=True)
class DetailRefundLine:
    position: int
    name: str
    quantity: Decimal
    amount: Decimal  # paid back, GST included
    tax_code: str
    gst_rate: Decimal  # the rate originally charged
    gst: Decimal
    weighed: bool = False  # quantity in kg, as the line was sold


@dataclass(frozen=True)
class DetailRefund:
    """A refund or void against the sale; ``paid`` = total + rounding; ``receipt_text`` as
    the till printed the refund slip."""

    refund_id: uuid.UUID
    receipt_no: str
    refunded_at: datetime
    is_void: bool
    reason: str
    total: Decimal
    gst_total: Decimal
    rounding: Decimal
    lines: tuple[DetailRefundLine, ...]
    tenders: tuple[DetailTender, ...]
    receipt_text: str

    @property
    def paid(self) -> Decimal:
        return self.total + self.rounding


@dataclass(frozen=True)
class SaleDetail:
    """Everything about one sale. ``total`` GST included before cash rounding; ``paid`` =
    total + rounding; ``receipt_text`` the receipt as printed (42 columns)."""

    sale_id: uuid.UUID
    receipt_no: str
    sold_at: datetime
    business_date: date
    outlet_id: uuid.UUID
    outlet_code: str
    outlet_name: str
    till_id: uuid.UUID
    till_code: str
    cashier_id: uuid.UUID
    cashier_name: str | None
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    gst_total: Decimal
    rounding: Decimal
    change: Decimal
    lines: tuple[DetailLine, ...]
    tenders: tuple[DetailTender, ...]
    refunds: tuple[DetailRefund, ...]
    receipt_text: str

    @property
    def paid(self) -> Decimal:
        return self.total + self.rounding


def _tenders(conn: Connection, document_id: uuid.UUID) -> tuple[DetailTender, ...]:
    rows = conn.execute(
        select(
            TENDER.c.position,
            TENDER.c.type,
            TENDER.c.amount,
            TENDER.c.reference,
            TENDER.c.card_last4,
        )
        .where(TENDER.c.document_id == document_id)
        .order_by(TENDER.c.position)
    )
    return tuple(DetailTender(r[0], r[1], dollars(r[2]), r[3], r[4]) for r in rows)


def sale_detail(
    conn: Connection, scope: Scope, sale_id: uuid.UUID, *, width: int = 42
) -> SaleDetail | None:
    """The sale with its lines, tenders, refunds and receipt; None when it does not exist or
    belongs to an outlet outside ``scope`` (the two are not told apart)."""
    head = (
        conn.execute(
            select(
                SALE,
                OUTLET.c.code.label("outlet_code"),
                OUTLET.c.name.label("outlet_name"),
                OUTLET.c.address_lines,
                OUTLET.c.gst_reg_no,
                OUTLET.c.receipt_footer,
                TILL.c.code.label("till_code"),
                STAFF.c.display_name.label("cashier_name"),
            )
            .join(OUTLET, OUTLET.c.outlet_id == SALE.c.outlet_id)
            .join(TILL, TILL.c.till_id == SALE.c.till_id)
            .outerjoin(STAFF, STAFF.c.staff_id == SALE.c.cashier_id)
            .where(SALE.c.sale_id == sale_id, scope.clause(SALE.c.outlet_id))
        )
        .mappings()
        .first()
    )
    if head is None:
        return None
    lines = tuple(
        # Read back from our own rows, which the protocol's validation let in: not re-checked.
        # (Which promotion saved what is kept apart, in sale_line_promotion: not needed here.)
        SaleLineV1.model_construct(**{f: r._mapping[f] for f in _LINE_FIELDS})
        for r in conn.execute(
            select(LINE).where(LINE.c.sale_id == sale_id).order_by(LINE.c.position)
        )
    )
    tenders = _tenders(conn, sale_id)
    supplier = Supplier(
        name=head["outlet_name"],
        address_lines=tuple(head["address_lines"] or ()),
        gst_reg_no=head["gst_reg_no"],
    )
    footer = tuple(head["receipt_footer"] or ())
    receipt = _sale_receipt(head, lines, tenders, supplier, footer)
    return SaleDetail(
        sale_id=head["sale_id"],
        receipt_no=head["receipt_no"],
        sold_at=head["sold_at"],
        business_date=head["business_date"],
        outlet_id=head["outlet_id"],
        outlet_code=head["outlet_code"],
        outlet_name=head["outlet_name"],
        till_id=head["till_id"],
        till_code=head["till_code"],
        cashier_id=head["cashier_id"],
        cashier_name=head["cashier_name"],
        subtotal=head["subtotal"],
        discount_total=head["discount_total"],
        total=head["total"],
        gst_total=head["gst_total"],
        rounding=head["rounding"],
        change=head["change"],
        lines=lines,
        tenders=tenders,
        refunds=_refunds(conn, sale_id, supplier, footer, width),
        receipt_text=render_text(receipt, width=width),
    )


def _sale_receipt(
    head: Any,
    lines: tuple[DetailLine, ...],
    tenders: tuple[DetailTender, ...],
    supplier: Supplier,
    footer: tuple[str, ...],
) -> Receipt:
    return build.sale_receipt(
        receipt_no=head["receipt_no"],
        sold_at=head["sold_at"],
        supplier=supplier,
        lines=lines,
        payments=tenders,
        total=head["total"],
        gst_total=head["gst_total"],
        rounding=head["rounding"],
        change=head["change"],
        cashier=head["cashier_name"] or "?",
        footer=footer,
    )


def _refunds(
    conn: Connection, sale_id: uuid.UUID, supplier: Supplier, footer: tuple[str, ...], width: int
) -> tuple[DetailRefund, ...]:
    heads = conn.execute(
        select(REFUND, STAFF.c.display_name.label("cashier_name"))
        .outerjoin(STAFF, STAFF.c.staff_id == REFUND.c.cashier_id)
        .where(REFUND.c.original_sale_id == sale_id)
        .order_by(REFUND.c.refunded_at, REFUND.c.receipt_no)
    ).mappings()
    refunds = []
    for r in heads.all():
        lines = tuple(
            DetailRefundLine(
                x.position,
                x.name,
                x.quantity,
                x.amount,
                x.tax_code,
                x.gst_rate,
                x.gst,
                bool(x.weighed),
            )
            for x in conn.execute(
                select(REFUND_LINE, LINE.c.weighed)
                .outerjoin(LINE, LINE.c.line_id == REFUND_LINE.c.line_id)
                .where(REFUND_LINE.c.refund_id == r["refund_id"])
                .order_by(REFUND_LINE.c.position)
            )
        )
        tenders = _tenders(conn, r["refund_id"])
        receipt = build.refund_receipt(
            receipt_no=r["receipt_no"],
            refunded_at=r["refunded_at"],
            supplier=supplier,
            lines=lines,
            payments=tenders,
            total=r["total"],
            gst_total=r["gst_total"],
            rounding=r["rounding"],
            cashier=r["cashier_name"] or "?",
            original_receipt_no=r["original_receipt_no"],
            footer=footer,
        )
        refunds.append(
            DetailRefund(
                refund_id=r["refund_id"],
                receipt_no=r["receipt_no"],
                refunded_at=r["refunded_at"],
                is_void=r["is_void"],
                reason=r["reason"],
                total=r["total"],
                gst_total=r["gst_total"],
                rounding=r["rounding"],
                lines=lines,
                tenders=tenders,
                receipt_text=render_text(receipt, width=width),
            )
        )
    return tuple(refunds)
