"""Receipts rebuilt from what the store holds, so a reprint is exactly the original."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import receipt_build as build
from shared.logs import get_logger
from shared.receipt import Receipt, ReceiptNumber
from till.services.context import CashierError, Clock, OutletProfile, utc_now
from till.services.staff import SignedIn
from till.store.db import Store
from till.store.models import Payment, Refund, RefundLine, Sale, SaleLine, Staff
from till.store.uow import UnitOfWork

log = get_logger(__name__)


class UnknownReceipt(CashierError):
    def __init__(self, receipt_no: str) -> None:
        super().__init__(f"no sale on this till has receipt number {receipt_no}; check the number")


def find_sale(session: Session, receipt_no: str) -> Sale:
    number = parse_receipt_no(receipt_no)
    sale = session.scalars(select(Sale).where(Sale.receipt_no == number)).first()
    if sale is None:
        raise UnknownReceipt(number)
    return sale


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
    )


def refund_receipt(
    refund: Refund,
    lines: Sequence[RefundLine],
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
        footer=profile.outlet.receipt_footer,
    )


def _stored_refund_receipt(session: Session, refund: Refund, profile: OutletProfile) -> Receipt:
    original = session.get(Sale, refund.original_sale_id) if refund.original_sale_id else None
    return refund_receipt(
        refund,
        refund.lines,
        refund.payments,
        cashier=_name(session, refund.cashier_id),
        original_receipt_no=original.receipt_no if original else None,
        profile=profile,
    )


def _refund(session: Session, receipt_no: str) -> Refund | None:
    return session.scalars(select(Refund).where(Refund.receipt_no == receipt_no)).first()


class ReceiptService:
    """Receipts looked up by number as they were printed, and counted reprints."""

    def __init__(self, store: Store, profile: OutletProfile, clock: Clock = utc_now) -> None:
        self.store = store
        self.profile = profile
        self.clock = clock

    def look_up(self, receipt_no: str) -> Receipt:
        """The sale or refund receipt with this number, as its last copy was printed."""
        with self.store.read() as s:
            number = parse_receipt_no(receipt_no)
            refund = _refund(s, number)
            if refund is not None:
                return _stored_refund_receipt(s, refund, self.profile)
            sale = find_sale(s, number)
            return self._sale_receipt(s, sale)

    def reprint(self, who: SignedIn, receipt_no: str) -> Receipt:
        """Count one more copy of a sale's receipt and return it marked "REPRINT #n".

        The counter and the audit record commit together before anything prints, so every
        copy that reaches a customer is numbered and traceable to who asked for it."""
        with UnitOfWork(self.store) as uow:
            number = parse_receipt_no(receipt_no)
            if _refund(uow.session, number) is not None:
                raise CashierError(
                    f"{number} is a refund; reprint the sale it refunds or print this "
                    "refund slip from the refund screen"
                )
            sale = find_sale(uow.session, number)
            sale.reprint_count += 1
            uow.audit(
                "receipt.reprinted",
                actor=who.staff_id,
                at=self.clock(),
                subject=sale.receipt_no,
                after={"reprint": sale.reprint_count},
            )
            uow.session.flush()
            receipt = self._sale_receipt(uow.session, sale)
            uow.commit()
        log.info("receipt.reprinted", receipt_no=sale.receipt_no, reprint=sale.reprint_count)
        return receipt

    def _sale_receipt(self, session: Session, sale: Sale) -> Receipt:
        return sale_receipt(
            sale, sale.lines, sale.payments, _name(session, sale.cashier_id), self.profile
        )


def parse_receipt_no(receipt_no: str) -> str:
    """A receipt number as typed (or scanned), in its one printed form; CashierError if not."""
    try:
        return str(ReceiptNumber.parse(receipt_no))
    except ValueError as exc:
        raise CashierError(str(exc)) from None
