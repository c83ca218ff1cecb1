"""Refunds against a receipt, refunds without one, and voids of a completed sale.

A refund is a new fact referencing the sale, never an edit of it. It takes a receipt number
from the same gap-free series as sales, returns GST at the rate originally charged, and puts
the goods back into stock.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.cart import ApprovalNeeded, ManagerAction, ProductSnapshot, check_quantity
from shared.gst import supply_date, tax_in_inclusive
from shared.money import ZERO, round_cash_refund, round_cents
from shared.protocol import EventKind, RefundCompletedV1, RefundLineV1, TenderV1
from shared.receipt import Receipt, ReceiptNumber, render_text
from shared.refund import (
    RefundedSoFar,
    RefundLine,
    SaleTerms,
    SoldLine,
    refund_line,
    refund_sale,
    terms_from_json,
)
from shared.tender import Tender, TenderType
from till.services.checkout import tender_event
from till.services.context import CashierError, Clock, OutletProfile, utc_now
from till.services.loyalty import PointsBack, give_points_back, points_back, reverse_points
from till.services.ports import UnitOfWorkPort, UnitsOfWork
from till.services.receipts import SlipLine, UnknownReceipt, parse_receipt_no, refund_receipt
from till.services.shifts import require_open_shift
from till.services.staff import SignedIn
from till.store.models import (
    RECEIPT_COUNTER,
    Payment,
    Refund,
    Sale,
    SaleLine,
    StockMovement,
)
from till.store.models import (
    RefundLine as RefundLineRow,
)


@dataclass(frozen=True)
class RefundableLine:
    line_id: str
    name: str
    sold: Decimal
    refunded: Decimal
    amount: Decimal

    @property
    def left(self) -> Decimal:
        return self.sold - self.refunded


@dataclass(frozen=True)
class SaleForRefund:
    sale_id: str
    receipt_no: str
    sold_at: datetime
    total: Decimal
    lines: tuple[RefundableLine, ...]


@dataclass(frozen=True)
class CompletedRefund:
    refund_id: str
    receipt_no: str
    total: Decimal  # paid back, incl. cash rounding
    receipt: Receipt
    receipt_text: str
    # What re-pricing the goods kept changed against each returned unit's own share of its
    # line: negative when the kept goods lost a promotion, positive when a later refund gives
    # back what an earlier one kept (docs/promotions.md).
    repriced: Decimal = ZERO


class RefundService:
    def __init__(self, uow: UnitsOfWork, profile: OutletProfile, clock: Clock = utc_now) -> None:
        self.uow = uow
        self.profile = profile
        self.clock = clock

    def lookup(self, receipt_no: str) -> SaleForRefund:
        with self.uow(write=False) as uow:
            sale = _find(uow, receipt_no)
            so_far = uow.sales.refunded(sale.sale_id)
            return SaleForRefund(
                sale.sale_id,
                sale.receipt_no,
                sale.sold_at,
                sale.total + sale.rounding,
                tuple(
                    RefundableLine(
                        x.line_id,
                        x.name,
                        x.quantity,
                        so_far.get(x.line_id, RefundedSoFar()).quantity,
                        x.amount,
                    )
                    for x in sale.lines
                ),
            )

    def refund(
        self,
        who: SignedIn,
        receipt_no: str,
        quantities: Mapping[str, Decimal],
        *,
        reason: str,
        tender: TenderType = TenderType.CASH,
    ) -> CompletedRefund:
        """Refund some quantity of some lines of a sale, paid back by ``tender``."""
        wanted = {k: v for k, v in quantities.items() if v}
        if not wanted:
            raise CashierError("choose at least one item and quantity to refund")
        with self.uow() as uow:
            sale = _find(uow, receipt_no)
            so_far = uow.sales.refunded(sale.sale_id)
            by_id = {line.line_id: line for line in sale.lines}
            for line_id in wanted:
                if line_id not in by_id:
                    raise CashierError(f"that item is not on receipt {sale.receipt_no}")
                _not_a_gift_voucher(by_id[line_id])
            lines = _refund_lines(sale, so_far, wanted)
            result = self._record(
                uow,
                who,
                lines,
                reason=reason,
                tender=tender,
                sale=sale,
                is_void=False,
                approved_by=None,
                repriced=_repriced(sale, so_far, lines),
            )
            uow.commit()
        return result

    def void(
        self, who: SignedIn, receipt_no: str, *, reason: str, approved_by: SignedIn | None
    ) -> CompletedRefund:
        """Reverse everything still unrefunded on a sale, with a manager's approval."""
        if approved_by is None:
            raise ApprovalNeeded(ManagerAction.VOID_SALE, f"voiding sale {receipt_no}")
        with self.uow() as uow:
            sale = _find(uow, receipt_no)
            so_far = uow.sales.refunded(sale.sale_id)
            left = {
                x.line_id: x.quantity - done.quantity
                for x in sale.lines
                if (done := so_far.get(x.line_id, RefundedSoFar())).quantity < x.quantity
            }
            if not left:
                raise CashierError(f"sale {sale.receipt_no} has already been fully refunded")
            for x in sale.lines:
                _not_a_gift_voucher(x)
            lines = _refund_lines(sale, so_far, left)
            only = sale.payments[0].type if len(sale.payments) == 1 else None
            # Points come back as points whatever the money goes back as (see _record); value
            # taken from a gift voucher is paid back in cash.
            tender = (
                TenderType(only) if only and only not in ("points", "gift") else TenderType.CASH
            )
            result = self._record(
                uow,
                who,
                lines,
                reason=reason,
                tender=tender,
                sale=sale,
                is_void=True,
                approved_by=approved_by.staff_id,
                repriced=_repriced(sale, so_far, lines),
            )
            uow.commit()
        return result

    def refund_without_receipt(
        self,
        who: SignedIn,
        product: ProductSnapshot,
        quantity: Decimal,
        *,
        reason: str,
        approved_by: SignedIn | None,
    ) -> CompletedRefund:
        """Refund goods brought back with no receipt, at today's price and rate."""
        if approved_by is None:
            raise ApprovalNeeded(
                ManagerAction.REFUND_WITHOUT_RECEIPT, f"refunding {product.name} without a receipt"
            )
        qty = check_quantity(quantity, weighed=product.weighed)
        now = self.clock()
        rate = (
            product.tax_code.rate_on(supply_date(now))
            if self.profile.rules.gst_registered
            else ZERO
        )
        amount = round_cents(product.unit_price * qty)
        line = RefundLine(
            line_id="",
            product_id=product.product_id,
            name=product.name,
            quantity=qty,
            amount=amount,
            gst=tax_in_inclusive(amount, rate),
            gst_rate=rate,
            tax_code=product.tax_code.value,
        )
        with self.uow() as uow:
            result = self._record(
                uow,
                who,
                [line],
                reason=reason,
                tender=TenderType.CASH,
                sale=None,
                is_void=False,
                approved_by=approved_by.staff_id,
            )
            uow.commit()
        return result

    def _record(
        self,
        uow: UnitOfWorkPort,
        who: SignedIn,
        lines: list[RefundLine],
        *,
        reason: str,
        tender: TenderType,
        sale: Sale | None,
        is_void: bool,
        approved_by: str | None,
        repriced: Decimal = ZERO,
    ) -> CompletedRefund:
        if not reason.strip():
            raise CashierError("say why the goods are refunded (e.g. 'damaged', 'wrong size')")
        if tender not in (TenderType.CASH, TenderType.NETS, TenderType.CARD, TenderType.PAYNOW):
            raise CashierError(f"refunds cannot be paid back as {tender}")
        now = self.clock()
        shift = require_open_shift(uow)
        total = sum((line.amount for line in lines), ZERO)
        gst_total = sum((line.gst for line in lines), ZERO)
        # A sale paid partly with points is refunded partly in points (shared.loyalty).
        in_points = points_back(uow, sale, total) if sale is not None else PointsBack(0, ZERO)
        money = total - in_points.value
        paid = (
            round_cash_refund(money, self.profile.rules.cash_rounding)
            if tender is TenderType.CASH
            else money
        )
        number = ReceiptNumber(
            self.profile.outlet.code, self.profile.till_code, uow.next_number(RECEIPT_COUNTER)
        )
        refund = Refund(
            refund_id=str(uuid.uuid4()),
            receipt_no=str(number),
            original_sale_id=sale.sale_id if sale else None,
            is_void=is_void,
            reason=reason.strip()[:200],
            shift_id=shift.shift_id,
            cashier_id=who.staff_id,
            approved_by=approved_by,
            refunded_at=now,
            total=total,
            gst_total=gst_total,
            rounding=paid + in_points.value - total,
            reprint_count=0,
            repriced=repriced or None,
        )
        rows, slip, movements = [], [], []
        for line in lines:
            row = RefundLineRow(
                refund_line_id=str(uuid.uuid4()),
                refund_id=refund.refund_id,
                sale_line_id=line.line_id or None,
                product_id=line.product_id,
                name=line.name,
                quantity=line.quantity,
                amount=line.amount,
                gst=line.gst,
                gst_rate=line.gst_rate,
                tax_code=line.tax_code,
            )
            rows.append(row)
            slip.append(SlipLine.of(row, weighed=line.weighed))
            movements.append(
                StockMovement(
                    movement_id=str(uuid.uuid4()),
                    product_id=line.product_id,
                    quantity=line.quantity,
                    reason="refund",
                    source_id=row.refund_line_id,
                    moved_at=now,
                )
            )
        # Paid back the way it was paid: a PayNow transfer back is confirmed by the person
        # refunding, as a PayNow payment in is by the person who saw it arrive.
        tender_rows, tenders = [], []
        if paid > 0:
            back = Tender(
                tender,
                paid,
                reference=f"refund of {sale.receipt_no}" if sale else "refund",
                confirmed_by=who.staff_id if tender is TenderType.PAYNOW else None,
            )
            tenders.append(tender_event(back))
            tender_rows.append(
                Payment(
                    payment_id=str(uuid.uuid4()),
                    refund_id=refund.refund_id,
                    position=0,
                    type=tender.value,
                    amount=paid,
                    reference=f"refund of {sale.receipt_no}" if sale else None,
                    confirmed_by=back.confirmed_by,
                )
            )
        points_row = give_points_back(uow, sale, refund, in_points) if sale is not None else None
        if points_row is not None:
            tender_rows.append(points_row)
            tenders.append(
                tender_event(Tender(TenderType.POINTS, points_row.amount, points_row.reference))
            )
        if not tenders:
            # Nothing goes back (what is kept now costs what was paid for it all, or cash
            # rounding took the last cents): the event still says how it would have gone back.
            tenders.append(
                TenderV1(
                    type=tender.value,  # type: ignore[arg-type]
                    amount=ZERO,
                    reference=f"refund of {sale.receipt_no}" if sale else "refund",
                )
            )
        uow.sales.add_refund(refund, rows, movements, tender_rows)
        if sale is not None:
            reverse_points(uow, self.profile, sale, refund, rows)
        uow.audit(
            "sale.voided" if is_void else "sale.refunded",
            actor=who.staff_id,
            at=now,
            subject=sale.receipt_no if sale else str(number),
            after={
                "refund_receipt": str(number),
                "amount": str(paid),
                "reason": refund.reason,
                "approved_by": approved_by,
            },
        )
        uow.emit(
            EventKind.REFUND_COMPLETED,
            RefundCompletedV1(
                refund_id=uuid.UUID(refund.refund_id),
                receipt_no=refund.receipt_no,
                original_sale_id=uuid.UUID(sale.sale_id) if sale else None,
                original_receipt_no=sale.receipt_no if sale else None,
                is_void=is_void,
                reason=refund.reason,
                shift_id=uuid.UUID(shift.shift_id),
                cashier_id=uuid.UUID(who.staff_id),
                approved_by=uuid.UUID(approved_by) if approved_by else None,
                refunded_at=now,
                lines=[
                    RefundLineV1(
                        line_id=uuid.UUID(r.sale_line_id) if r.sale_line_id else None,
                        product_id=uuid.UUID(r.product_id),
                        name=r.name,
                        quantity=r.quantity,
                        amount=r.amount,
                        gst=r.gst,
                        gst_rate=r.gst_rate,
                        tax_code=r.tax_code,  # type: ignore[arg-type]
                    )
                    for r in rows
                ],
                tenders=tenders,
                total=total,
                gst_total=gst_total,
                rounding=refund.rounding,
            ),
            now,
        )
        receipt = refund_receipt(
            refund,
            slip,
            tender_rows,
            cashier=who.display_name,
            original_receipt_no=sale.receipt_no if sale else None,
            profile=self.profile,
        )
        return CompletedRefund(
            refund.refund_id, refund.receipt_no, paid, receipt, render_text(receipt), repriced
        )


def _not_a_gift_voucher(line: SaleLine) -> None:
    # Activated and perhaps already spent at another till: money back for it is head office's
    # decision (it voids the voucher first), never the till's.
    if line.voucher_serial is not None:
        raise CashierError(
            f"{line.name} cannot be refunded or voided at the till: ask head office to void "
            "the voucher, then refund it from the office"
        )


def _refund_lines(
    sale: Sale, so_far: Mapping[str, RefundedSoFar], wanted: Mapping[str, Decimal]
) -> list[RefundLine]:
    """The rule of docs/promotions.md: what the customer keeps is re-priced under the
    promotions the sale was priced with (kept with the sale at checkout)."""
    terms: SaleTerms | None = None
    if sale.promotion_terms is not None:
        terms = terms_from_json(sale.promotion_terms)
    return refund_sale(
        [_sold(x) for x in sale.lines], so_far, wanted, terms, receipt_no=sale.receipt_no
    )


def _repriced(sale: Sale, so_far: Mapping[str, RefundedSoFar], lines: list[RefundLine]) -> Decimal:
    """What re-pricing the kept goods changed in this refund, against each returned unit's own
    share of its line (the rule without promotions) after what earlier refunds gave back."""
    by_id = {x.line_id: x for x in sale.lines}
    plain = sum(
        (
            refund_line(
                _sold(by_id[x.line_id]), x.quantity, so_far.get(x.line_id, RefundedSoFar())
            ).amount
            for x in lines
        ),
        ZERO,
    )
    return sum((x.amount for x in lines), ZERO) - plain


def _sold(line: SaleLine) -> SoldLine:
    return SoldLine(
        line.line_id,
        line.product_id,
        line.name,
        line.quantity,
        line.amount,
        line.gst,
        line.gst_rate,
        line.tax_code,
        line.weighed,
        line.promotion_saving,
    )


def _find(uow: UnitOfWorkPort, receipt_no: str) -> Sale:
    number = parse_receipt_no(receipt_no)
    sale = uow.sales.by_receipt(number)
    if sale is None:
        raise UnknownReceipt(number)
    return sale
