"""Repositories: the store's rows as a unit of work offers them to services.

Services ask for what they mean (``uow.shifts.open_one()``, ``uow.shifts.takings(id)``) and
never hold a session, so each can be tested with the in-memory unit of work of
``tests/unit/fake_uow.py``. Each repository works inside its unit of work's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from shared.money import CENT, ZERO
from shared.refund import RefundedSoFar
from till.store.models import (
    Base,
    CashMovement,
    ParkedCart,
    Payment,
    Refund,
    RefundLine,
    Sale,
    SaleLine,
    Shift,
    Staff,
    StockMovement,
)
from till.store.types import Cents

TENDER_KINDS = ("cash", "nets", "card", "paynow", "voucher")


@dataclass(frozen=True)
class Takings:
    """What a shift took and paid out, summed from its sales, refunds and cash movements."""

    sales_count: int
    sales_total: Decimal  # what customers paid, incl. GST and cash rounding
    refunds_count: int
    refunds_total: Decimal
    gst_total: Decimal  # GST on sales less GST refunded
    rounding_total: Decimal
    tenders: dict[str, Decimal]  # net by tender type (cash after change and refunds)
    cash_in: Decimal
    cash_out: Decimal


class Shifts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_one(self) -> Shift | None:
        return self.session.scalars(select(Shift).where(Shift.closed_at.is_(None))).first()

    def get(self, shift_id: str) -> Shift | None:
        return self.session.get(Shift, shift_id)

    def closed(self, limit: int) -> list[Shift]:
        """The last ``limit`` closed shifts, newest first."""
        return list(
            self.session.scalars(
                select(Shift)
                .where(Shift.closed_at.is_not(None))
                .order_by(Shift.closed_at.desc())
                .limit(limit)
            )
        )

    def add(self, shift: Shift) -> None:
        self.session.add(shift)

    def add_movement(self, move: CashMovement) -> None:
        self.session.add(move)

    def takings(self, shift_id: str) -> Takings:
        session, sid = self.session, shift_id

        def total(column: Any, *where: Any) -> Decimal:
            # SUM keeps the column's type, so the Cents decorator already gives dollars.
            value = session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where))
            return Decimal(value or 0).quantize(CENT)

        sales_count = session.scalar(select(func.count()).where(Sale.shift_id == sid)) or 0
        refunds_count = session.scalar(select(func.count()).where(Refund.shift_id == sid)) or 0
        sale_rounding = total(Sale.rounding, Sale.shift_id == sid)
        refund_rounding = total(Refund.rounding, Refund.shift_id == sid)
        change = total(Sale.change, Sale.shift_id == sid)
        tenders: dict[str, Decimal] = {}
        for kind in TENDER_KINDS:
            taken = total(
                Payment.amount,
                Payment.type == kind,
                Payment.sale_id.in_(select(Sale.sale_id).where(Sale.shift_id == sid)),
            )
            paid_out = total(
                Payment.amount,
                Payment.type == kind,
                Payment.refund_id.in_(select(Refund.refund_id).where(Refund.shift_id == sid)),
            )
            net = taken - paid_out - (change if kind == "cash" else ZERO)
            if net or kind == "cash":
                tenders[kind] = net
        return Takings(
            sales_count=int(sales_count),
            sales_total=total(Sale.total, Sale.shift_id == sid) + sale_rounding,
            refunds_count=int(refunds_count),
            refunds_total=total(Refund.total, Refund.shift_id == sid) + refund_rounding,
            gst_total=total(Sale.gst_total, Sale.shift_id == sid)
            - total(Refund.gst_total, Refund.shift_id == sid),
            rounding_total=sale_rounding - refund_rounding,
            tenders=tenders,
            cash_in=total(
                CashMovement.amount, CashMovement.shift_id == sid, CashMovement.direction == "in"
            ),
            cash_out=total(
                CashMovement.amount, CashMovement.shift_id == sid, CashMovement.direction == "out"
            ),
        )


class Sales:
    """Completed sales and the refunds against them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_sale(
        self,
        sale: Sale,
        lines: list[SaleLine],
        movements: list[StockMovement],
        payments: list[Payment],
    ) -> None:
        # Core statements, not the ORM's unit of work (as for refunds): this is the hottest
        # write path of the till and every millisecond is the cashier's.
        for model, rows in (
            (Sale, [sale]),
            (SaleLine, lines),
            (StockMovement, movements),
            (Payment, payments),
        ):
            _insert(self.session, model, rows)

    def by_receipt(self, receipt_no: str) -> Sale | None:
        return self.session.scalars(select(Sale).where(Sale.receipt_no == receipt_no)).first()

    def refunded(self, sale_id: str) -> dict[str, RefundedSoFar]:
        """Per sale line id: what its refunds so far took back."""
        rows = self.session.execute(
            select(
                RefundLine.sale_line_id,
                func.sum(RefundLine.quantity),
                func.sum(RefundLine.amount),
                func.sum(RefundLine.gst),
            )
            .join(SaleLine, SaleLine.line_id == RefundLine.sale_line_id)
            .where(SaleLine.sale_id == sale_id)
            .group_by(RefundLine.sale_line_id)
        )
        return {line_id: RefundedSoFar(qty, amount, gst) for line_id, qty, amount, gst in rows}

    def add_refund(
        self,
        refund: Refund,
        lines: list[RefundLine],
        movements: list[StockMovement],
        payment: Payment,
    ) -> None:
        for model, rows in (
            (Refund, [refund]),
            (RefundLine, lines),
            (StockMovement, movements),
            (Payment, [payment]),
        ):
            _insert(self.session, model, rows)


class People:
    """The till's staff as head office last sent them (PIN hashes, lock-outs)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_code(self, code: str) -> Staff | None:
        return self.session.scalars(select(Staff).where(Staff.code == code)).first()

    def active(self) -> list[Staff]:
        return list(
            self.session.scalars(select(Staff).where(Staff.active).order_by(Staff.display_name))
        )


class Parked:
    """Carts put aside to serve the next customer."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, parked: ParkedCart) -> None:
        self.session.add(parked)

    def take(self, parked_id: str) -> ParkedCart | None:
        """The parked cart, removed (once: a second take finds nothing)."""
        row = self.session.get(ParkedCart, parked_id)
        if row is not None:
            self.session.delete(row)
        return row

    def all(self) -> list[ParkedCart]:
        return list(self.session.scalars(select(ParkedCart).order_by(ParkedCart.parked_at)))


def _insert(session: Session, model: type[Base], rows: Sequence[Base]) -> None:
    if rows:
        columns = [c.key for c in model.__mapper__.column_attrs]
        session.connection().execute(
            insert(cast(Table, model.__table__)),
            [{k: getattr(row, k) for k in columns} for row in rows],
        )


@dataclass(frozen=True)
class RecentDocuments:
    """Sales and refund slips since a moment, as the receipts list shows them."""

    sales: list[tuple[str, str, Any, Decimal]]  # sale id, number, sold at, paid
    slips: list[tuple[str, str, Any, Decimal, bool, str | None]]  # + is void, original number
    tender_kinds: dict[str, list[str]]  # document id -> tender types in order
    status: dict[str, str]  # sale id -> "refunded" or "voided"


class Documents:
    """Receipts as issued: sales and refund/void slips by number, and the day's list."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_number(self, number: str) -> Sale | Refund | None:
        s = self.session
        refund = s.scalars(select(Refund).where(Refund.receipt_no == number)).first()
        return refund or s.scalars(select(Sale).where(Sale.receipt_no == number)).first()

    def sale_number(self, sale_id: str) -> str | None:
        return self.session.scalar(select(Sale.receipt_no).where(Sale.sale_id == sale_id))

    def staff_name(self, staff_id: str) -> str:
        staff = self.session.get(Staff, staff_id)
        return staff.display_name if staff else "?"

    def ending_in(self, digits: str) -> list[str]:
        """Every receipt number of this till whose serial ends in ``digits`` (digits only)."""
        if not digits.isdigit():
            raise ValueError("digits only: the pattern must hold no LIKE wildcard")
        # The serial follows the last "-", so "%525" matches serials ending in 525 only.
        pattern = f"%{digits}"
        s = self.session
        return sorted(
            set(s.scalars(select(Sale.receipt_no).where(Sale.receipt_no.like(pattern))))
            | set(s.scalars(select(Refund.receipt_no).where(Refund.receipt_no.like(pattern))))
        )

    def since(self, moment: Any) -> RecentDocuments:
        """Five queries whatever the count, each on an index (``sold_at``, ``refunded_at``,
        the payment and refund keys of the sale)."""
        s = self.session
        sales = s.execute(
            select(Sale.sale_id, Sale.receipt_no, Sale.sold_at, _paid(Sale.total, Sale.rounding))
            .where(Sale.sold_at >= moment)
            .order_by(Sale.sold_at.desc())
        ).all()
        recent_sales = select(Sale.sale_id).where(Sale.sold_at >= moment)
        recent_slips = select(Refund.refund_id).where(Refund.refunded_at >= moment)
        kinds: dict[str, list[str]] = {}
        for document_id, kind in s.execute(
            select(func.coalesce(Payment.sale_id, Payment.refund_id), Payment.type)
            .where(
                Payment.sale_id.in_(recent_sales.scalar_subquery())
                | Payment.refund_id.in_(recent_slips.scalar_subquery())
            )
            .order_by(Payment.position)
        ):
            kinds.setdefault(document_id, []).append(kind)
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
            .where(Refund.refunded_at >= moment)
        ).all()
        return RecentDocuments(
            [tuple(r) for r in sales],
            [tuple(r) for r in slips],
            kinds,
            status,
        )


def _paid(total: Any, rounding: Any) -> Any:
    """Total plus cash rounding, added in SQL as cents and converted to dollars once per row
    (two conversions per row were a third of listing a busy day)."""
    return type_coerce(total + rounding, Cents)
