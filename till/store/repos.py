"""Repositories: the store's rows as a unit of work offers them to services.

Services ask for what they mean (``uow.shifts.open_one()``, ``uow.shifts.takings(id)``) and
never hold a session, so each can be tested with the in-memory unit of work of
``tests/unit/fake_uow.py``. Each repository works inside its unit of work's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from shared.money import CENT, ZERO, round_cents
from shared.refund import RefundedSoFar
from till.store.models import (
    Base,
    CashMovement,
    Category,
    Customer,
    GiftVoucherUse,
    LoyaltyEntry,
    MemberPoints,
    ParkedCart,
    Payment,
    Product,
    ProductVariant,
    PurchaseOrder,
    Refund,
    RefundLine,
    Sale,
    SaleLine,
    Shift,
    Staff,
    StockCount,
    StockDocument,
    StockMovement,
    VoucherBatch,
)
from till.store.types import Cents

TENDER_KINDS = ("cash", "nets", "card", "paynow", "voucher", "points", "gift")


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
        in_units(self.session, movements)
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
        payments: Sequence[Payment],
    ) -> None:
        in_units(self.session, movements)
        for model, rows in (
            (Refund, [refund]),
            (RefundLine, lines),
            (StockMovement, movements),
            (Payment, list(payments)),
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


class Customers:
    """Members and business customers recorded at this till (PDPA: no NRIC column)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, customer_id: str) -> Customer | None:
        return self.session.get(Customer, customer_id)

    def by_phone(self, phone: str) -> list[Customer]:
        return list(self.session.scalars(select(Customer).where(Customer.phone == phone)))

    def by_member_no(self, member_no: str) -> Customer | None:
        return self.session.scalars(select(Customer).where(Customer.member_no == member_no)).first()

    def named(self, words: str, limit: int) -> list[Customer]:
        """Customers whose name or company contains ``words`` (any case), by name."""
        # Escaped: a typed % or _ is a character to look for, not a wildcard.
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        return list(
            self.session.scalars(
                select(Customer)
                .where(
                    Customer.name.ilike(pattern, escape="\\")
                    | Customer.company_name.ilike(pattern, escape="\\")
                )
                .order_by(Customer.name, Customer.member_no)
                .limit(limit)
            )
        )

    def add(self, customer: Customer) -> None:
        self.session.add(customer)


class GiftVouchers:
    """The gift voucher batches head office sent, and what this till did with vouchers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def batch(self, prefix: str) -> VoucherBatch | None:
        return self.session.scalar(select(VoucherBatch).where(VoucherBatch.prefix == prefix))

    def uses(self, serial: str) -> list[GiftVoucherUse]:
        query = select(GiftVoucherUse).where(GiftVoucherUse.serial == serial)
        return list(self.session.scalars(query))

    def add(self, use: GiftVoucherUse) -> None:
        self.session.add(use)


class Points:
    """Members' points ledger: entries are added, never changed."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: LoyaltyEntry) -> None:
        self.session.add(entry)

    def of_sale(self, sale_id: str) -> list[LoyaltyEntry]:
        query = select(LoyaltyEntry).where(LoyaltyEntry.sale_id == sale_id)
        return list(self.session.scalars(query))

    def balance(self, customer_id: str) -> int:
        total = self.session.scalar(
            select(func.coalesce(func.sum(LoyaltyEntry.points), 0)).where(
                LoyaltyEntry.customer_id == customer_id
            )
        )
        return int(total or 0)

    def from_head_office(self, customer_id: str) -> MemberPoints | None:
        return self.session.get(MemberPoints, customer_id)

    def remember(self, found: Sequence[MemberPoints]) -> None:
        """Head office's latest word per member replaces the one before."""
        for row in found:
            self.session.merge(row)

    def members(self) -> list[str]:
        """Every member this till knows: whose balances to ask head office for."""
        query = select(Customer.customer_id).where(Customer.member_no.is_not(None))
        return list(self.session.scalars(query.order_by(Customer.customer_id)))

    def categories(self, product_ids: Sequence[str]) -> dict[str, str | None]:
        """Each product's category, for the scheme's per-category rules."""
        rows = self.session.execute(
            select(Product.product_id, Product.category_id).where(
                Product.product_id.in_(list(product_ids))
            )
        )
        return {product_id: category_id for product_id, category_id in rows}


class StockBook:
    """Stock documents (deliveries, adjustments, stocktakes, transfers), their movements in
    the ledger, and stock on hand as this till's ledger sums it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_document(self, document: StockDocument, movements: list[StockMovement]) -> None:
        self.session.add(document)
        self.session.flush()
        in_units(self.session, movements)
        _insert(self.session, StockMovement, movements)

    def document(self, document_id: str) -> StockDocument | None:
        return self.session.get(StockDocument, document_id)

    def open_count(self) -> StockDocument | None:
        return self.session.scalars(
            select(StockDocument).where(
                StockDocument.kind == "count", StockDocument.status == "counting"
            )
        ).first()

    def counts(self, document_id: str) -> list[StockCount]:
        return list(
            self.session.scalars(
                select(StockCount)
                .where(StockCount.document_id == document_id)
                .order_by(StockCount.first_scanned_at)
            )
        )

    def count_one(self, document_id: str, product_id: str, quantity: Decimal, at: Any) -> Decimal:
        """Add ``quantity`` to the count of a product; its new counted total."""
        row = self.session.get(StockCount, (document_id, product_id))
        if row is None:
            row = StockCount(
                document_id=document_id,
                product_id=product_id,
                counted=quantity,
                first_scanned_at=at,
            )
            self.session.add(row)
        else:
            row.counted = row.counted + quantity
        self.session.flush()
        return row.counted

    def categories(self) -> list[str]:
        return list(self.session.scalars(select(Category.name).order_by(Category.name)))

    def category_named(self, name: str) -> tuple[str, str] | None:
        row = self.session.execute(
            select(Category.category_id, Category.name).where(
                func.lower(Category.name) == name.lower()
            )
        ).first()
        return (row[0], row[1]) if row else None

    def category_of(self, product_id: str) -> str | None:
        return self.session.scalar(
            select(Product.category_id).where(Product.product_id == product_id)
        )

    def products_in(self, category_id: str | None) -> list[str]:
        """Active products, of one category or all."""
        query = select(Product.product_id).where(Product.active)
        if category_id is not None:
            query = query.where(Product.category_id == category_id)
        return list(self.session.scalars(query.order_by(Product.name)))

    def products(self, product_ids: Sequence[str]) -> dict[str, tuple[str, Decimal]]:
        """Per product: its name and list price."""
        if not product_ids:
            return {}
        rows = self.session.execute(
            select(Product.product_id, Product.name, Product.price).where(
                Product.product_id.in_(list(product_ids))
            )
        )
        return {pid: (name, price) for pid, name, price in rows}

    def on_hand(self, product_ids: Sequence[str], as_of: Any = None) -> dict[str, Decimal]:
        """Per product: the sum of this till's ledger (up to ``as_of``, if given)."""
        if not product_ids:
            return {}
        query = (
            select(StockMovement.product_id, func.sum(StockMovement.quantity))
            .where(StockMovement.product_id.in_(list(product_ids)))
            .group_by(StockMovement.product_id)
        )
        if as_of is not None:
            query = query.where(StockMovement.moved_at <= as_of)
        found = {pid: Decimal(q or 0) for pid, q in self.session.execute(query)}
        return {pid: found.get(pid, ZERO) for pid in product_ids}

    def last_costs(self, product_ids: Sequence[str]) -> dict[str, Decimal]:
        """Per product: the cost per unit of the latest delivery or transfer that had one."""
        if not product_ids:
            return {}
        latest = (
            select(
                StockMovement.product_id,
                StockMovement.unit_cost,
                func.row_number()
                .over(
                    partition_by=StockMovement.product_id,
                    order_by=StockMovement.moved_at.desc(),
                )
                .label("n"),
            )
            .where(
                StockMovement.product_id.in_(list(product_ids)),
                StockMovement.unit_cost.is_not(None),
            )
            .subquery()
        )
        rows = self.session.execute(
            select(latest.c.product_id, type_coerce(latest.c.unit_cost, Cents)).where(
                latest.c.n == 1
            )
        )
        return {pid: cost for pid, cost in rows}

    def open_orders(self) -> list[dict[str, Any]]:
        """The open purchase orders head office sent, as sent (PurchaseOrderV1 as JSON)."""
        return [
            dict(d)
            for d in self.session.scalars(
                select(PurchaseOrder.definition).order_by(PurchaseOrder.number)
            )
        ]

    def packs(self, product_ids: Sequence[str]) -> dict[str, tuple[str, Decimal]]:
        """Of these products, each that is a pack: its unit product's id and units it holds."""
        return packs_of(self.session, product_ids)

    def received_on_lines(self, line_ids: Sequence[str]) -> dict[str, Decimal]:
        """Per purchase order line: what this till has received against it."""
        if not line_ids:
            return {}
        rows = self.session.execute(
            select(StockMovement.po_line_id, func.sum(StockMovement.quantity))
            .where(StockMovement.po_line_id.in_(list(line_ids)))
            .group_by(StockMovement.po_line_id)
        )
        return {str(lid): Decimal(q or 0) for lid, q in rows}


def packs_of(session: Session, product_ids: Iterable[str]) -> dict[str, tuple[str, Decimal]]:
    """Of these products, each that is a pack: its unit product's id and how many it holds."""
    ids = set(product_ids)
    if not ids:
        return {}
    # No autoflush: rows of the same document added but not yet written (a points entry of
    # the refund) must not be flushed before the document they belong to.
    with session.no_autoflush:
        rows = session.execute(
            select(
                ProductVariant.product_id, ProductVariant.pack_of, ProductVariant.pack_units
            ).where(
                ProductVariant.product_id.in_(ids),
                ProductVariant.pack_of.is_not(None),
                ProductVariant.pack_units.is_not(None),
            )
        )
        return {pid: (str(unit), Decimal(units)) for pid, unit, units in rows}


def in_units(session: Session, movements: Sequence[StockMovement]) -> None:
    """Stock is kept in units: a pack's movement (a carton sold, refunded or received) is
    rewritten, before it is stored or sent, to move its unit product by ``pack_units`` each
    at a cost per unit (docs/variants.md). A unit product is never itself a pack."""
    packs = packs_of(session, {m.product_id for m in movements})
    for m in movements:
        pack = packs.get(m.product_id)
        if pack is None:
            continue
        unit, units = pack
        m.product_id = unit
        m.quantity = m.quantity * units
        if m.unit_cost is not None:
            m.unit_cost = round_cents(m.unit_cost / units)


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

    def weighed_lines(self, line_ids: Sequence[str]) -> set[str]:
        """Which of these sold lines were weighed (their quantity is in kg)."""
        if not line_ids:
            return set()
        query = select(SaleLine.line_id).where(SaleLine.line_id.in_(line_ids), SaleLine.weighed)
        return set(self.session.scalars(query))

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
