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

from sqlalchemy import Table, func, insert, select
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
