"""The till's own database: master data pulled from head office, facts made on the till,
the outbox that carries those facts up, and the sync state.

Facts are immutable once committed: a correction is a new row (a refund references its sale).
Ids are UUID strings minted on the till.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.naming import NAMING_CONVENTION
from till.store.types import BasisPoints, Cents, Milli, UtcDateTime

Id = String(36)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- master data (owned by head office, pulled down) -----------------------------------------


class Outlet(Base):
    __tablename__ = "outlet"
    outlet_id: Mapped[str] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # The rest of the outlet's settings as head office sent them (shared.protocol.OutletV1).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)


class Category(Base):
    __tablename__ = "category"
    category_id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class Product(Base):
    __tablename__ = "product"
    # An INTEGER PRIMARY KEY is SQLite's stable rowid alias: the search index points at it, and
    # VACUUM may renumber the hidden rowid of a table that lacks one.
    product_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[str] = mapped_column(Id, unique=True)
    sku: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    price: Mapped[Decimal] = mapped_column(Cents)
    tax_code: Mapped[str] = mapped_column(String(2))
    category_id: Mapped[str | None] = mapped_column(
        ForeignKey("category.category_id", ondelete="SET NULL")
    )
    weighed: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    barcodes: Mapped[list[Barcode]] = relationship(back_populates="product")
    __table_args__ = (CheckConstraint("tax_code IN ('SR', 'ZR', 'ES', 'OS')", name="tax_code"),)


class Barcode(Base):
    __tablename__ = "barcode"
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    product_id: Mapped[str] = mapped_column(
        ForeignKey("product.product_id", ondelete="CASCADE"), index=True
    )
    product: Mapped[Product] = relationship(back_populates="barcodes")


class Staff(Base):
    __tablename__ = "staff"
    staff_id: Mapped[str] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Local lockout state: the till enforces it even when head office cannot be reached.
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (CheckConstraint("role IN ('cashier', 'supervisor', 'manager')", name="role"),)


# --- the till itself ---------------------------------------------------------------------------


class TillIdentity(Base):
    """Exactly one row: who this till is and which epoch of its event sequence it is in."""

    __tablename__ = "till_identity"
    singleton: Mapped[int] = mapped_column(primary_key=True, default=1)
    till_id: Mapped[str] = mapped_column(Id)
    till_code: Mapped[str] = mapped_column(String(8))
    outlet_id: Mapped[str] = mapped_column(Id)
    # A restore from backup starts a new epoch, so an old seq is never reused with new content.
    epoch: Mapped[int] = mapped_column(default=1)
    central_url: Mapped[str | None] = mapped_column(String(300))
    enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (CheckConstraint("singleton = 1", name="singleton"),)


# The counter behind receipt numbers (sales and refunds share one serial per till).
RECEIPT_COUNTER = "receipt"


class Counter(Base):
    """Gap-free sequences (receipt numbers), bumped inside the sale's own transaction so a
    rolled-back sale never consumes a number. An outbox event's seq needs no row here: it is
    one past its epoch's highest in the outbox (``UnitOfWork.next_seq``); stores written
    before keep a stale ``outbox:<epoch>`` row, read by nothing."""

    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


# --- facts made on the till --------------------------------------------------------------------


class Shift(Base):
    __tablename__ = "shift"
    shift_id: Mapped[str] = mapped_column(Id, primary_key=True)
    opened_by: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opening_float: Mapped[Decimal] = mapped_column(Cents)
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("staff.staff_id"))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expected_cash: Mapped[Decimal | None] = mapped_column(Cents)
    counted_cash: Mapped[Decimal | None] = mapped_column(Cents)
    counted: Mapped[dict[str, int] | None] = mapped_column(JSON)
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.staff_id"))


class Sale(Base):
    __tablename__ = "sale"
    sale_id: Mapped[str] = mapped_column(Id, primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shift.shift_id"), index=True)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    sold_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    subtotal: Mapped[Decimal] = mapped_column(Cents)
    discount_total: Mapped[Decimal] = mapped_column(Cents)
    total: Mapped[Decimal] = mapped_column(Cents)
    gst_total: Mapped[Decimal] = mapped_column(Cents)
    rounding: Mapped[Decimal] = mapped_column(Cents)
    change: Mapped[Decimal] = mapped_column(Cents)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customer.customer_id"))
    reprint_count: Mapped[int] = mapped_column(default=0)
    lines: Mapped[list[SaleLine]] = relationship(order_by="SaleLine.position")
    payments: Mapped[list[Payment]] = relationship(
        primaryjoin="Sale.sale_id == Payment.sale_id", order_by="Payment.position"
    )


class SaleLine(Base):
    __tablename__ = "sale_line"
    line_id: Mapped[str] = mapped_column(Id, primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.sale_id"), index=True)
    position: Mapped[int]
    product_id: Mapped[str] = mapped_column(Id)  # no FK: a product may later leave the catalogue
    sku: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[Decimal] = mapped_column(Milli)
    unit_price: Mapped[Decimal] = mapped_column(Cents)
    list_price: Mapped[Decimal] = mapped_column(Cents)
    line_discount: Mapped[Decimal] = mapped_column(Cents)
    cart_discount: Mapped[Decimal] = mapped_column(Cents)
    amount: Mapped[Decimal] = mapped_column(Cents)
    tax_code: Mapped[str] = mapped_column(String(2))
    gst_rate: Mapped[Decimal] = mapped_column(BasisPoints)
    gst: Mapped[Decimal] = mapped_column(Cents)
    weighed: Mapped[bool] = mapped_column(default=False)
    approved_by: Mapped[str | None] = mapped_column(Id)


class Refund(Base):
    __tablename__ = "refund"
    refund_id: Mapped[str] = mapped_column(Id, primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    original_sale_id: Mapped[str | None] = mapped_column(ForeignKey("sale.sale_id"), index=True)
    is_void: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(200))
    shift_id: Mapped[str] = mapped_column(ForeignKey("shift.shift_id"), index=True)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    approved_by: Mapped[str | None] = mapped_column(Id)
    refunded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    total: Mapped[Decimal] = mapped_column(Cents)
    gst_total: Mapped[Decimal] = mapped_column(Cents)
    rounding: Mapped[Decimal] = mapped_column(Cents)
    reprint_count: Mapped[int] = mapped_column(default=0, server_default="0")
    lines: Mapped[list[RefundLine]] = relationship()
    payments: Mapped[list[Payment]] = relationship(
        primaryjoin="Refund.refund_id == Payment.refund_id", order_by="Payment.position"
    )


class RefundLine(Base):
    __tablename__ = "refund_line"
    refund_line_id: Mapped[str] = mapped_column(Id, primary_key=True)
    refund_id: Mapped[str] = mapped_column(ForeignKey("refund.refund_id"), index=True)
    sale_line_id: Mapped[str | None] = mapped_column(ForeignKey("sale_line.line_id"), index=True)
    product_id: Mapped[str] = mapped_column(Id)
    name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[Decimal] = mapped_column(Milli)
    amount: Mapped[Decimal] = mapped_column(Cents)
    gst: Mapped[Decimal] = mapped_column(Cents)
    gst_rate: Mapped[Decimal] = mapped_column(BasisPoints)
    tax_code: Mapped[str] = mapped_column(String(2))


class Payment(Base):
    """A tender taken for a sale or paid out for a refund (exactly one of the two)."""

    __tablename__ = "payment"
    payment_id: Mapped[str] = mapped_column(Id, primary_key=True)
    sale_id: Mapped[str | None] = mapped_column(ForeignKey("sale.sale_id"), index=True)
    refund_id: Mapped[str | None] = mapped_column(ForeignKey("refund.refund_id"), index=True)
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Cents)
    reference: Mapped[str | None] = mapped_column(String(200))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    confirmed_by: Mapped[str | None] = mapped_column(Id)
    __table_args__ = (
        CheckConstraint("(sale_id IS NULL) <> (refund_id IS NULL)", name="one_owner"),
        CheckConstraint(
            "type IN ('cash', 'nets', 'card', 'paynow', 'voucher')", name="payment_type"
        ),
    )


class CashMovement(Base):
    __tablename__ = "cash_movement"
    movement_id: Mapped[str] = mapped_column(Id, primary_key=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shift.shift_id"), index=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    direction: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Cents)
    reason: Mapped[str] = mapped_column(String(120))
    moved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (CheckConstraint("direction IN ('in', 'out')", name="direction"),)


class StockMovement(Base):
    """Signed movements; stock on hand is their sum. Each is keyed by its source so that it
    is counted once however often it is replayed."""

    __tablename__ = "stock_movement"
    movement_id: Mapped[str] = mapped_column(Id, primary_key=True)
    product_id: Mapped[str] = mapped_column(Id, index=True)
    quantity: Mapped[Decimal] = mapped_column(Milli)
    reason: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(Id)
    moved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (
        Index("uq_stock_movement_reason_source", "reason", "source_id", unique=True),
        CheckConstraint(
            "reason IN ('sale', 'refund', 'received', 'adjusted', 'transfer')", name="reason"
        ),
    )


class AuditRecord(Base):
    """One link of the till's hash chain (shared.audit), exactly as sealed."""

    __tablename__ = "audit_record"
    till_id: Mapped[str] = mapped_column(Id)
    epoch: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(120), index=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[Any] = mapped_column(JSON)
    after: Mapped[Any] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Customer(Base):
    """PDPA: buying never needs one; contact details only with consent; no NRIC column."""

    __tablename__ = "customer"
    customer_id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    consent_contact: Mapped[bool] = mapped_column(default=False)
    consent_marketing: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ParkedCart(Base):
    __tablename__ = "parked_cart"
    parked_id: Mapped[str] = mapped_column(Id, primary_key=True)
    parked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    parked_by: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    label: Mapped[str] = mapped_column(String(60))
    cart: Mapped[dict[str, Any]] = mapped_column(JSON)


# --- sync --------------------------------------------------------------------------------------


class OutboxEvent(Base):
    """An event waiting to go up (or already acknowledged), in gap-free seq order per epoch."""

    __tablename__ = "outbox"
    epoch: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(Id, unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int]
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly what was hashed
    payload_sha256: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    acked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))  # applied/duplicate/quarantined
    outcome_reason: Mapped[str | None] = mapped_column(String(200))
    # No index on acked_at: events are acknowledged strictly in (epoch, seq) order, so the
    # pending ones are always the primary-key range after SyncState's high-water mark, and
    # every index here costs each sale another page to write and fsync.


class SyncState(Base):
    __tablename__ = "sync_state"
    singleton: Mapped[int] = mapped_column(primary_key=True, default=1)
    pull_cursor: Mapped[str] = mapped_column(String(100), default="0")
    # High-water mark of acknowledged outbox events: it only ever moves forward.
    acked_epoch: Mapped[int] = mapped_column(default=0)
    acked_seq: Mapped[int] = mapped_column(default=0)
    prices_as_of: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_push_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_pull_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (CheckConstraint("singleton = 1", name="singleton"),)
