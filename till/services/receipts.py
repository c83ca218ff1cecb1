"""Receipts rebuilt from what the store holds, so a reprint is exactly the original."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from shared import receipt_build as build
from shared.gst import SINGAPORE
from shared.logs import get_logger
from shared.receipt import CustomerDetails, Receipt, ReceiptKind, ReceiptNumber
from till.services.context import CashierError, Clock, OutletProfile, utc_now
from till.services.customers import card_of
from till.services.ports import UnitOfWorkPort, UnitsOfWork
from till.services.staff import SignedIn
from till.store.models import Payment, Refund, RefundLine, Sale, SaleLine

log = get_logger(__name__)


class UnknownReceipt(CashierError):
    def __init__(self, receipt_no: str) -> None:
        super().__init__(f"no sale on this till has receipt number {receipt_no}; check the number")


def sale_receipt(
    sale: Sale,
    sale_lines: Sequence[SaleLine],
    payments: Sequence[Payment],
    cashier: str,
    profile: OutletProfile,
    *,
    customer: CustomerDetails | None = None,
) -> Receipt:
    """The receipt of a sale from its rows (fresh from checkout, or loaded for a reprint); a
    business ``customer`` makes it a full tax invoice."""
    return build.sale_receipt(
        receipt_no=sale.receipt_no,
        sold_at=sale.sold_at,
        supplier=profile.supplier,
        lines=sale_lines,
        payments=payments,
        total=sale.total,
        gst_total=sale.gst_total,
        rounding=sale.rounding,
        change=sale.change,
        cashier=cashier,
        footer=profile.outlet.receipt_footer,
        reprint_count=sale.reprint_count,
        customer=customer,
    )


@dataclass(frozen=True)
class SlipLine:
    """A refund line as its slip prints it: weighed goods in kg, as they were sold."""

    name: str
    quantity: Decimal
    amount: Decimal
    gst: Decimal
    gst_rate: Decimal
    tax_code: str
    weighed: bool

    @classmethod
    def of(cls, row: RefundLine, *, weighed: bool) -> SlipLine:
        return cls(row.name, row.quantity, row.amount, row.gst, row.gst_rate, row.tax_code, weighed)


def refund_receipt(
    refund: Refund,
    lines: Sequence[SlipLine],
    payments: Sequence[Payment],
    *,
    cashier: str,
    original_receipt_no: str | None,
    profile: OutletProfile,
) -> Receipt:
    """The slip of a refund from its rows (fresh from the refund, or loaded for a reprint)."""
    return build.refund_receipt(
        receipt_no=refund.receipt_no,
        refunded_at=refund.refunded_at,
        supplier=profile.supplier,
        lines=lines,
        payments=payments,
        total=refund.total,
        gst_total=refund.gst_total,
        rounding=refund.rounding,
        cashier=cashier,
        original_receipt_no=original_receipt_no,
        footer=[*repriced_note(refund.repriced), *profile.outlet.receipt_footer],
        is_void=refund.is_void,
        reprint_count=refund.reprint_count,
    )


def repriced_note(repriced: Decimal | None) -> list[str]:
    """Why a refund is not the returned items' own price: what the customer keeps was
    re-priced under the sale's promotions (docs/promotions.md)."""
    if not repriced:
        return []
    if repriced < 0:
        return [f"What you keep no longer meets its promotion: ${-repriced:,.2f} less is refunded."]
    return [f"Includes ${repriced:,.2f} held back by an earlier refund of this sale."]


def _stored_refund_receipt(uow: UnitOfWorkPort, refund: Refund, profile: OutletProfile) -> Receipt:
    original = (
        uow.documents.sale_number(refund.original_sale_id) if refund.original_sale_id else None
    )
    weighed = uow.documents.weighed_lines([x.sale_line_id for x in refund.lines if x.sale_line_id])
    return refund_receipt(
        refund,
        [SlipLine.of(x, weighed=x.sale_line_id in weighed) for x in refund.lines],
        refund.payments,
        cashier=uow.documents.staff_name(refund.cashier_id),
        original_receipt_no=original,
        profile=profile,
    )


@dataclass(frozen=True)
class RecentReceipt:
    """One line of the receipts screen's list of recent sales and slips."""

    receipt_no: str
    at: datetime
    total: Decimal  # what the customer paid; negative for what a refund or void paid back
    tenders: tuple[str, ...]  # as the receipt prints them: "Cash", "NETS", ...
    status: str  # sales: "", "refunded", "voided"; slips: "refund of …", "void of …"


class ReceiptService:
    """Receipts looked up by number as they were printed, and counted reprints."""

    def __init__(self, uow: UnitsOfWork, profile: OutletProfile, clock: Clock = utc_now) -> None:
        self.uow = uow
        self.profile = profile
        self.clock = clock

    def recent(self, days: int = 2) -> list[RecentReceipt]:
        """Sales and refund/void slips of the last ``days`` shop days (today and yesterday,
        Singapore time), newest first. Five queries whatever the count, each on an index
        (``sold_at``, ``refunded_at``, the payment and refund keys of the sale)."""
        now = self.clock().astimezone(SINGAPORE)
        since = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
        with self.uow(write=False) as uow:
            found = uow.documents.since(since)
        paid = {
            document_id: [build.tender_label(kind) for kind in kinds]
            for document_id, kinds in found.tender_kinds.items()
        }
        sales, slips, status = found.sales, found.slips, found.status
        rows = [
            RecentReceipt(number, at, total, tuple(paid.get(sid, ())), status.get(sid, ""))
            for sid, number, at, total in sales
        ]
        rows += [
            RecentReceipt(
                number,
                at,
                -total,
                tuple(paid.get(rid, ())),
                f"{'void' if is_void else 'refund'} of {original or 'no receipt'}",
            )
            for rid, number, at, total, is_void, original in slips
        ]
        rows.sort(key=lambda row: row.at, reverse=True)
        return rows

    def resolve(self, text: str) -> str:
        """The full receipt number meant by ``text``: a full number as printed, or the
        digits it ends with ("525", "000525") when only one receipt on this till ends so."""
        compact = "".join(text.split())
        if not (compact.isascii() and compact.isdigit()):
            return parse_receipt_no(text)
        if len(compact) > 18:
            raise CashierError(f"{compact} is too long for a receipt number")
        with self.uow(write=False) as uow:
            found = uow.documents.ending_in(compact)
        if not found:
            raise CashierError(
                f"no receipt on this till ends in {compact}; check the number on the receipt"
            )
        if len(found) > 1:
            shown = ", ".join(found[:4]) + (f" and {len(found) - 4} more" if len(found) > 4 else "")
            raise CashierError(
                f"{compact} could be {shown}: type more of the number (e.g. {found[0][-6:]}) "
                "or choose it in the list"
            )
        return found[0]

    def look_up(self, receipt_no: str) -> Receipt:
        """The sale or refund receipt with this number (or the digits it ends with), as its
        last copy was printed."""
        number = self.resolve(receipt_no)
        with self.uow(write=False) as uow:
            return self._receipt(uow, _document(uow, number), copy=None)

    def next_copy(self, receipt_no: str) -> Receipt:
        """The receipt (sale, refund or void slip) marked as its next copy, "REPRINT #n".

        Nothing is counted yet: a copy counts only once it reached paper or a PDF
        (:meth:`count_copy`), so a reprint skipped at a dead printer leaves no gap."""
        with self.uow(write=False) as uow:
            document = _document(uow, parse_receipt_no(receipt_no))
            return self._receipt(uow, document, copy=document.reprint_count + 1)

    def tax_invoice(self, receipt_no: str) -> Receipt:
        """The sale's full tax invoice (for the A4 PDF), or CashierError saying why there is
        none: a refund, a shop not registered for GST, no business customer on the sale."""
        receipt = self.look_up(receipt_no)
        if receipt.kind is ReceiptKind.REFUND:
            raise CashierError(f"{receipt.number} is a refund slip: only a sale has a tax invoice")
        if not receipt.supplier.gst_registered:
            raise CashierError(
                f"{receipt.supplier.name} is not GST-registered, so it issues no tax invoices"
            )
        if receipt.customer is None:
            raise CashierError(
                f"sale {receipt.number} was not made out to a business customer: a full tax "
                "invoice needs the company's name and address, attached (F6) before payment"
            )
        return receipt

    def count_copy(self, who: SignedIn, copy: Receipt) -> None:
        """Record that ``copy`` (from :meth:`next_copy`) was printed or saved.

        The counter and the audit record commit together, so every copy that reached a
        customer is numbered and traceable to who asked for it."""
        number = str(copy.number)
        with self.uow() as uow:
            document = _document(uow, number)
            # Never count down: the copy on paper carries this number whatever happened since.
            document.reprint_count = max(document.reprint_count, copy.reprint_count)
            uow.audit(
                "receipt.reprinted",
                actor=who.staff_id,
                at=self.clock(),
                subject=number,
                after={"reprint": copy.reprint_count},
            )
            uow.commit()
        log.info("receipt.reprinted", receipt_no=number, reprint=copy.reprint_count)

    def _receipt(
        self, uow: UnitOfWorkPort, document: Sale | Refund, *, copy: int | None
    ) -> Receipt:
        """The document's receipt as last printed, or marked as copy ``copy``."""
        if isinstance(document, Refund):
            receipt = _stored_refund_receipt(uow, document, self.profile)
        else:
            cashier = uow.documents.staff_name(document.cashier_id)
            receipt = sale_receipt(
                document,
                document.lines,
                document.payments,
                cashier,
                self.profile,
                customer=_invoice_details(uow, document.customer_id),
            )
        return receipt if copy is None else replace(receipt, reprint_count=copy)


def _invoice_details(uow: UnitOfWorkPort, customer_id: str | None) -> CustomerDetails | None:
    # The customer's details as the till holds them now: a reprint after the business moved
    # shows the new address (documented in docs/customers.md).
    row = uow.customers.get(customer_id) if customer_id else None
    return card_of(row).invoice_details() if row else None


def _document(uow: UnitOfWorkPort, number: str) -> Sale | Refund:
    document = uow.documents.by_number(number)
    if document is None:
        raise UnknownReceipt(number)
    return document


def parse_receipt_no(receipt_no: str) -> str:
    """A receipt number as typed (or scanned), in its one printed form; CashierError if not."""
    try:
        return str(ReceiptNumber.parse(receipt_no))
    except ValueError as exc:
        raise CashierError(str(exc)) from None
