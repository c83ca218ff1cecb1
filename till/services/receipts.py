"""Receipts rebuilt from what the store holds, so a reprint is exactly the original."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from shared import receipt_build as build
from shared.gst import SINGAPORE
from shared.logs import get_logger
from shared.receipt import Receipt, ReceiptNumber
from till.services.context import CashierError, Clock, OutletProfile, utc_now
from till.services.staff import SignedIn
from till.store.db import Store
from till.store.models import Payment, Refund, RefundLine, Sale, SaleLine, Staff
from till.store.types import Cents
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
        is_void=refund.is_void,
        reprint_count=refund.reprint_count,
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

    def __init__(self, store: Store, profile: OutletProfile, clock: Clock = utc_now) -> None:
        self.store = store
        self.profile = profile
        self.clock = clock

    def recent(self, days: int = 2) -> list[RecentReceipt]:
        """Sales and refund/void slips of the last ``days`` shop days (today and yesterday,
        Singapore time), newest first. Five queries whatever the count, each on an index
        (``sold_at``, ``refunded_at``, the payment and refund keys of the sale)."""
        now = self.clock().astimezone(SINGAPORE)
        since = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
        with self.store.read() as s:
            sales = s.execute(
                select(
                    Sale.sale_id, Sale.receipt_no, Sale.sold_at, _paid(Sale.total, Sale.rounding)
                )
                .where(Sale.sold_at >= since)
                .order_by(Sale.sold_at.desc())
            ).all()
            recent_sales = select(Sale.sale_id).where(Sale.sold_at >= since)
            recent_slips = select(Refund.refund_id).where(Refund.refunded_at >= since)
            paid: dict[str, list[str]] = {}
            for document_id, kind in s.execute(
                select(func.coalesce(Payment.sale_id, Payment.refund_id), Payment.type)
                .where(
                    Payment.sale_id.in_(recent_sales.scalar_subquery())
                    | Payment.refund_id.in_(recent_slips.scalar_subquery())
                )
                .order_by(Payment.position)
            ):
                paid.setdefault(document_id, []).append(build.tender_label(kind))
            status: dict[str, str] = {}
            for sale_id, is_void in s.execute(
                select(Refund.original_sale_id, Refund.is_void).where(
                    Refund.original_sale_id.in_(recent_sales.scalar_subquery())
                )
            ):
                if is_void or sale_id not in status:
                    status[sale_id] = "voided" if is_void else "refunded"
            slips = s.execute(
                select(
                    Refund.refund_id,
                    Refund.receipt_no,
                    Refund.refunded_at,
                    _paid(Refund.total, Refund.rounding),
                    Refund.is_void,
                    Sale.receipt_no,
                )
                .outerjoin(Sale, Sale.sale_id == Refund.original_sale_id)
                .where(Refund.refunded_at >= since)
            ).all()
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
        # Digits only, so the pattern holds no LIKE wildcards of the cashier's; the serial
        # follows the last "-", so "%525" matches serials ending in 525 and nothing else.
        pattern = f"%{compact}"
        with self.store.read() as s:
            found = sorted(
                set(s.scalars(select(Sale.receipt_no).where(Sale.receipt_no.like(pattern))))
                | set(s.scalars(select(Refund.receipt_no).where(Refund.receipt_no.like(pattern))))
            )
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
        with self.store.read() as s:
            refund = _refund(s, number)
            if refund is not None:
                return _stored_refund_receipt(s, refund, self.profile)
            sale = find_sale(s, number)
            return self._sale_receipt(s, sale)

    def next_copy(self, receipt_no: str) -> Receipt:
        """The receipt (sale, refund or void slip) marked as its next copy, "REPRINT #n".

        Nothing is counted yet: a copy counts only once it reached paper or a PDF
        (:meth:`count_copy`), so a reprint skipped at a dead printer leaves no gap."""
        with self.store.read() as s:
            document = _document(s, parse_receipt_no(receipt_no))
            return self._receipt(s, document, copy=document.reprint_count + 1)

    def count_copy(self, who: SignedIn, copy: Receipt) -> None:
        """Record that ``copy`` (from :meth:`next_copy`) was printed or saved.

        The counter and the audit record commit together, so every copy that reached a
        customer is numbered and traceable to who asked for it."""
        number = str(copy.number)
        with UnitOfWork(self.store) as uow:
            document = _document(uow.session, number)
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

    def _receipt(self, session: Session, document: Sale | Refund, *, copy: int) -> Receipt:
        if isinstance(document, Refund):
            receipt = _stored_refund_receipt(session, document, self.profile)
        else:
            receipt = self._sale_receipt(session, document)
        return replace(receipt, reprint_count=copy)

    def _sale_receipt(self, session: Session, sale: Sale) -> Receipt:
        return sale_receipt(
            sale, sale.lines, sale.payments, _name(session, sale.cashier_id), self.profile
        )


def _paid(total: Any, rounding: Any) -> Any:
    """Total plus cash rounding, added in SQL as cents and converted to dollars once per row
    (two conversions per row were a third of listing a busy day)."""
    return type_coerce(total + rounding, Cents)


def _document(session: Session, number: str) -> Sale | Refund:
    return _refund(session, number) or find_sale(session, number)


def parse_receipt_no(receipt_no: str) -> str:
    """A receipt number as typed (or scanned), in its one printed form; CashierError if not."""
    try:
        return str(ReceiptNumber.parse(receipt_no))
    except ValueError as exc:
        raise CashierError(str(exc)) from None
