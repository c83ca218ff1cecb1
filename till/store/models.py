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


class Promotion(Base):
    """An automatic promotion as head office sent it (shared.promotion_wire.PromotionV1)."""

    __tablename__ = "promotion"
    promotion_id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)


class VoucherBatch(Base):
    """A series of the shop's gift vouchers as head office sent it (``VoucherBatchV1``):
    serials ``<prefix>-000001`` to ``<prefix>-<count>``; ``voided``: serials not to take."""

    __tablename__ = "voucher_batch"
    batch_id: Mapped[str] = mapped_column(Id, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(8), unique=True)
    count: Mapped[int]
    face_value: Mapped[Decimal] = mapped_column(Cents)
    expires_on: Mapped[str | None] = mapped_column(String(10))  # ISO date, inclusive
    voided: Mapped[list[str]] = mapped_column(JSON)


class PurchaseOrder(Base):
    """An open purchase order of this outlet as head office sent it
    (shared.purchase_wire.PurchaseOrderV1); dropped once closed or cancelled there."""

    __tablename__ = "purchase_order"
    po_id: Mapped[str] = mapped_column(Id, primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    supplier: Mapped[str] = mapped_column(String(120))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)


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


class ProductVariant(Base):
    """A product's family and options, or the unit product it is a pack of (a carton of 24
    sells as one line at the carton's price and moves 24 units of stock); docs/variants.md.
    As head office sent it (shared.protocol.ProductVariantV1)."""

    __tablename__ = "product_variant"
    product_id: Mapped[str] = mapped_column(
        ForeignKey("product.product_id", ondelete="CASCADE"), primary_key=True
    )
    family: Mapped[str | None] = mapped_column(String(120), index=True)
    options: Mapped[dict[str, str]] = mapped_column(JSON)
    pack_of: Mapped[str | None] = mapped_column(Id, index=True)
    pack_units: Mapped[int | None]


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
    # The promotions that applied, as they stood, for refunds that re-price what is kept
    # (shared.refund.terms_to_json); null when no promotion saved anything.
    promotion_terms: Mapped[dict[str, Any] | None] = mapped_column(JSON)
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
    # The part of line_discount that automatic promotions gave, and their names, for the
    # receipt's "You saved" and the refund of part of a promoted set (docs/promotions.md).
    promotion_saving: Mapped[Decimal] = mapped_column(Cents, default=Decimal(0), server_default="0")
    promotions: Mapped[str | None] = mapped_column(String(240))
    # A gift voucher sold on this line (its serial); the line moves no stock.
    voucher_serial: Mapped[str | None] = mapped_column(String(15))


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
    # What re-pricing what the customer keeps changed against the returned units' own share
    # (docs/promotions.md); null when nothing moved. Printed on the slip, not sent.
    repriced: Mapped[Decimal | None] = mapped_column(Cents)
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
            "type IN ('cash', 'nets', 'card', 'paynow', 'voucher', 'points', 'gift')",
            name="payment_type",
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
    # A stock document's movements (goods received, adjusted, counted, transferred) name it;
    # goods received carry their cost per unit, adjustments their reason (damaged, count...).
    document_id: Mapped[str | None] = mapped_column(Id, index=True)
    unit_cost: Mapped[Decimal | None] = mapped_column(Cents)
    detail: Mapped[str | None] = mapped_column(String(16))
    # Goods received against a purchase order: the order's line (migration 0008_purchasing).
    po_line_id: Mapped[str | None] = mapped_column(Id, index=True)
    __table_args__ = (
        Index("uq_stock_movement_reason_source", "reason", "source_id", unique=True),
        CheckConstraint(
            "reason IN ('sale', 'refund', 'received', 'adjusted', 'transfer')", name="reason"
        ),
    )


STOCK_DOCUMENT_KINDS = ("receipt", "adjustment", "count", "transfer_out", "transfer_in")


class StockDocument(Base):
    """Goods received, an adjustment, a stocktake or a transfer: who, when, which reference;
    its movements are in ``stock_movement`` (by ``document_id``). Only a stocktake is ever
    open (``counting``) for a while; the others are ``done`` as they are written."""

    __tablename__ = "stock_document"
    document_id: Mapped[str] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    reference: Mapped[str | None] = mapped_column(String(200))
    other_outlet: Mapped[str | None] = mapped_column(String(8))
    scope: Mapped[str | None] = mapped_column(String(200))
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    approved_by: Mapped[str | None] = mapped_column(Id)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (
        CheckConstraint(
            "kind IN ('receipt', 'adjustment', 'count', 'transfer_out', 'transfer_in')",
            name="kind",
        ),
        CheckConstraint("status IN ('counting', 'done', 'cancelled')", name="status"),
    )


class StockCount(Base):
    """A stocktake's blind count of one product so far, and when it was first scanned."""

    __tablename__ = "stock_count"
    document_id: Mapped[str] = mapped_column(
        ForeignKey("stock_document.document_id"), primary_key=True
    )
    product_id: Mapped[str] = mapped_column(Id, primary_key=True)
    counted: Mapped[Decimal] = mapped_column(Milli)
    first_scanned_at: Mapped[datetime] = mapped_column(UtcDateTime)


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
    """PDPA: buying never needs one; contact details only with consent; no NRIC column.

    A member has a member number minted on this till (``M-<outlet>-<till>-<serial>``, unique
    by construction like a receipt number). A business customer also has a company name, UEN
    and address: what a full tax invoice needs."""

    __tablename__ = "customer"
    customer_id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(16), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    consent_contact: Mapped[bool] = mapped_column(default=False)
    consent_marketing: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    member_no: Mapped[str | None] = mapped_column(String(24), index=True, unique=True)
    # What the customer agreed their data is for, and the staff member who recorded it.
    consent_purpose: Mapped[str | None] = mapped_column(String(200))
    consent_by: Mapped[str | None] = mapped_column(String(36))
    company_name: Mapped[str | None] = mapped_column(String(120))
    uen: Mapped[str | None] = mapped_column(String(10))
    address_lines: Mapped[list[str] | None] = mapped_column(JSON)
    gst_reg_no: Mapped[str | None] = mapped_column(String(20))


class LoyaltyEntry(Base):
    """One change to a member's points: + earned on a sale, - reversed by its refund. The
    balance is the sum; nothing here is ever updated."""

    __tablename__ = "loyalty_entry"
    entry_id: Mapped[str] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int]  # signed
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.sale_id"), index=True)
    refund_id: Mapped[str | None] = mapped_column(ForeignKey("refund.refund_id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_on: Mapped[datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (
        CheckConstraint("kind IN ('earned', 'redeemed', 'reversed', 'returned')", name="kind"),
        # One earning per sale and one reversal per refund, however a retry goes.
        Index("uq_loyalty_entry_kind_sale_refund", "kind", "sale_id", "refund_id", unique=True),
    )


class GiftVoucherUse(Base):
    """A gift voucher this till sold (``sold``, its face value) or took value from
    (``redeemed``), in the sale's own transaction. What the till knows a voucher still holds
    is its face value less what it took here; other tills' redemptions reach head office."""

    __tablename__ = "gift_voucher_use"
    use_id: Mapped[str] = mapped_column(Id, primary_key=True)
    serial: Mapped[str] = mapped_column(String(15), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Cents)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.sale_id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (CheckConstraint("kind IN ('sold', 'redeemed')", name="kind"),)


class MemberPoints(Base):
    """What head office last said about a member's points: every entry it holds that this till
    did not make (other tills', expiries). The balance at this till is that plus this till's
    own ledger, so an entry is never counted twice however the two overlap in time."""

    __tablename__ = "member_points"
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.customer_id"), primary_key=True)
    elsewhere: Mapped[int]
    tier: Mapped[str | None] = mapped_column(String(120))
    as_of: Mapped[datetime] = mapped_column(UtcDateTime)


class ParkedCart(Base):
    __tablename__ = "parked_cart"
    parked_id: Mapped[str] = mapped_column(Id, primary_key=True)
    parked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    parked_by: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    label: Mapped[str] = mapped_column(String(60))
    cart: Mapped[dict[str, Any]] = mapped_column(JSON)


# --- sync --------------------------------------------------------------------------------------


class QuarantineOutcome(Base):
    """Head office's decision on one of this till's quarantined events, as pulled
    (shared.protocol.QuarantineOutcomeV1): discarded, accepted under ``receipt_no``, or a
    request to send the event again (``resent_as``: the new event's id, once sent)."""

    __tablename__ = "quarantine_outcome"
    event_id: Mapped[str] = mapped_column(Id, primary_key=True)
    epoch: Mapped[int]
    seq: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200))
    receipt_no: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[str] = mapped_column(String(40))  # ISO 8601, as head office sent it
    resent_as: Mapped[str | None] = mapped_column(Id)


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
