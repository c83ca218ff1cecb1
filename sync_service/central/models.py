"""The central store: schema ``sgpos`` in PostgreSQL.

Master data (owned by head office) flows down to tills through ``change_log``, which triggers
fill whenever a master table changes. Facts (sales, refunds, shifts, cash and stock movements,
audit records, customers) arrive from tills as events, are recorded once in ``inbox`` keyed by
``(till_id, epoch, seq)``, and are projected into their tables in the same transaction.
Idempotency lives in these constraints, not in server memory, so any number of server
processes can share the database.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.naming import NAMING_CONVENTION
from shared.wire import (
    APP_VERSION_MAX,
    AUDIT_MOMENT_MAX,
    NAME_MAX,
    RECEIPT_NO_MAX,
    SHORT_TEXT_MAX,
    STAFF_REF_MAX,
    STORE_REVISION_MAX,
)

SCHEMA = "sgpos"
MONEY = Numeric(14, 2)
QUANTITY = Numeric(12, 3)
RATE = Numeric(5, 2)
UNIT_COST = Numeric(14, 4)  # a cost per unit: an average of costs keeps four places
# Running totals (summaries, stock on hand): each amount added fits its own column, but no
# bound holds for a sum of them, so these are exact and unbounded (migration 0008).
SUM = Numeric()
Moment = DateTime(timezone=True)
Id = UUID(as_uuid=True)


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)


def _now() -> Any:
    return text("now()")


# --- organisation and master data -----------------------------------------------------------


class Company(Base):
    __tablename__ = "company"
    company_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))


class Outlet(Base):
    __tablename__ = "outlet"
    outlet_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.company_id"))
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    address_lines: Mapped[list[str]] = mapped_column(JSONB)
    gst_reg_no: Mapped[str | None] = mapped_column(String(20))
    gst_rounding: Mapped[str] = mapped_column(String(5))
    cash_rounding: Mapped[str] = mapped_column(String(7))
    discount_limit_percent: Mapped[Decimal] = mapped_column(RATE)
    variance_limit: Mapped[Decimal] = mapped_column(MONEY)
    paynow_uen: Mapped[str | None] = mapped_column(String(20))
    receipt_footer: Mapped[list[str]] = mapped_column(JSONB)
    # The membership points scheme (shared.protocol.LoyaltySchemeV1 as JSON); None: no points.
    loyalty: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class TaxCode(Base):
    __tablename__ = "tax_code"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    description: Mapped[str] = mapped_column(String(NAME_MAX))


class Category(Base):
    __tablename__ = "category"
    category_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))


class Product(Base):
    __tablename__ = "product"
    product_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    sku: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    price: Mapped[Decimal] = mapped_column(MONEY)  # the price in force now, GST-inclusive
    tax_code: Mapped[str] = mapped_column(ForeignKey("tax_code.code"))
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("category.category_id", ondelete="SET NULL")
    )
    weighed: Mapped[bool]
    active: Mapped[bool]
    # Cost per unit, GST-exclusive: what the product is costed at where no goods with a cost
    # have come in at an outlet yet (migration 0015_cost).
    cost_price: Mapped[Decimal | None] = mapped_column(MONEY)
    __table_args__ = (CheckConstraint("price >= 0", name="price_not_negative"),)


class ProductVariant(Base):
    """What makes a product a variant of a family (``family`` and ``options``), a pack of
    another product (``pack_of``, ``pack_units``), or both; docs/variants.md. Sent to tills as
    ``shared.protocol.ProductVariantV1``. A pack's unit and count never change once written:
    sales made before and after must move stock the same way."""

    __tablename__ = "product_variant"
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product.product_id", ondelete="CASCADE"), primary_key=True
    )
    family: Mapped[str | None] = mapped_column(String(NAME_MAX), index=True)
    options: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    pack_of: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("product.product_id", ondelete="RESTRICT"), index=True
    )
    pack_units: Mapped[int | None]
    __table_args__ = (
        CheckConstraint("(pack_of IS NULL) = (pack_units IS NULL)", name="pack_whole"),
        CheckConstraint("pack_units IS NULL OR pack_units BETWEEN 2 AND 10000", name="pack_units"),
        CheckConstraint("pack_of IS NULL OR pack_of <> product_id", name="pack_not_itself"),
        CheckConstraint("family IS NOT NULL OR pack_of IS NOT NULL", name="variant_or_pack"),
    )


class Promotion(Base):
    """An automatic promotion; ``definition`` is its ``shared.promotion_wire.PromotionV1``
    (as JSON), which is what tills are sent and what both ends price with."""

    __tablename__ = "promotion"
    promotion_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime | None] = mapped_column(Moment)
    ends_at: Mapped[datetime | None] = mapped_column(Moment)
    active: Mapped[bool]
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())


class Supplier(Base):
    """Who head office buys from; ``payment_terms_days`` is the credit the supplier gives."""

    __tablename__ = "supplier"
    supplier_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    uen: Mapped[str | None] = mapped_column(String(10))
    contact: Mapped[str | None] = mapped_column(String(SHORT_TEXT_MAX))
    payment_terms_days: Mapped[int] = mapped_column(SmallInteger)
    active: Mapped[bool]
    updated_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    __table_args__ = (
        CheckConstraint("payment_terms_days BETWEEN 0 AND 365", name="payment_terms_days"),
    )


class SupplierProduct(Base):
    """A product a supplier sells: their SKU, how many units a pack holds, the last cost."""

    __tablename__ = "supplier_product"
    supplier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("supplier.supplier_id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product.product_id", ondelete="CASCADE"), primary_key=True
    )
    supplier_sku: Mapped[str | None] = mapped_column(String(40))
    pack_size: Mapped[Decimal] = mapped_column(QUANTITY)
    last_cost: Mapped[Decimal | None] = mapped_column(MONEY)  # per unit, GST-exclusive
    __table_args__ = (CheckConstraint("pack_size > 0", name="pack_size_positive"),)


class ReorderRule(Base):
    """Per outlet and product: order when on hand and on order fall to ``reorder_point``, up
    to ``reorder_level``."""

    __tablename__ = "reorder_rule"
    outlet_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("outlet.outlet_id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product.product_id", ondelete="CASCADE"), primary_key=True
    )
    reorder_point: Mapped[Decimal] = mapped_column(QUANTITY)
    reorder_level: Mapped[Decimal] = mapped_column(QUANTITY)
    __table_args__ = (
        CheckConstraint(
            "reorder_point >= 0 AND reorder_level > reorder_point", name="levels_in_order"
        ),
    )


class PurchaseOrder(Base):
    """An order to a supplier for one outlet. Draft (head office edits it), sent (its lines go
    to the outlet's tills), partial, received (closed by the tills' deliveries) or cancelled.
    Master data: writes take the master writers' lock and log a change for the pull."""

    __tablename__ = "purchase_order"
    po_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    serial: Mapped[int] = mapped_column(unique=True)
    supplier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supplier.supplier_id"))
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(SHORT_TEXT_MAX))
    created_by: Mapped[str] = mapped_column(String(NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    sent_at: Mapped[datetime | None] = mapped_column(Moment)
    closed_at: Mapped[datetime | None] = mapped_column(Moment)
    updated_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'sent', 'partial', 'received', 'cancelled')", name="status"
        ),
    )


class PurchaseOrderLine(Base):
    """Units ordered at a cost; ``received`` adds up the tills' deliveries against the line."""

    __tablename__ = "purchase_order_line"
    po_line_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    po_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("purchase_order.po_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product.product_id"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)  # units ordered
    pack_size: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    received: Mapped[Decimal] = mapped_column(SUM, server_default=text("0"))
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("pack_size > 0", name="pack_size_positive"),
    )


class Price(Base):
    """Price history, including changes scheduled for a future moment."""

    __tablename__ = "price"
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product.product_id", ondelete="CASCADE")
    )
    effective_from: Mapped[datetime] = mapped_column(Moment)
    price: Mapped[Decimal] = mapped_column(MONEY)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    __table_args__ = (
        PrimaryKeyConstraint("product_id", "effective_from"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        Index("ix_price_effective_from", "effective_from"),  # the minute's price schedule
    )


class Barcode(Base):
    __tablename__ = "barcode"
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product.product_id", ondelete="CASCADE"), index=True
    )


class Staff(Base):
    __tablename__ = "staff"
    staff_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(SHORT_TEXT_MAX))
    active: Mapped[bool]
    __table_args__ = (CheckConstraint("role IN ('cashier', 'supervisor', 'manager')", name="role"),)


class StaffOutlet(Base):
    __tablename__ = "staff_outlet"
    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff.staff_id", ondelete="CASCADE"), primary_key=True
    )
    outlet_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("outlet.outlet_id", ondelete="CASCADE"), primary_key=True
    )


# Every statement writing a master table takes this transaction-level advisory lock first (a
# trigger, migration 0005), so master writers commit one at a time in change_id order. Its eight
# bytes spell "SGPOSMDW".
MASTER_WRITE_LOCK = 0x5347504F534D4457


class ChangeLog(Base):
    """One row per change of master data, written by triggers; the pull cursor walks it.

    Writers hold ``MASTER_WRITE_LOCK`` from their first master statement until they end, so
    ``change_id`` grows in commit order and a pull walks plain ``change_id`` order
    (docs/sync.md). ``txid`` says which transaction wrote the row.
    """

    __tablename__ = "change_log"
    change_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    txid: Mapped[int] = mapped_column(
        BigInteger, server_default=text("pg_current_xact_id()::text::bigint")
    )
    entity: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(NAME_MAX))
    op: Mapped[str] = mapped_column(String(6))
    changed_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())


class HeadOfficeAudit(Base):
    """Every head-office edit of master data, written by triggers."""

    __tablename__ = "ho_audit"
    audit_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(NAME_MAX))
    op: Mapped[str] = mapped_column(String(6))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    changed_by: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(Moment, server_default=_now(), index=True)


# --- tills, enrolment, head-office users -----------------------------------------------------


class Till(Base):
    __tablename__ = "till"
    till_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    code: Mapped[str] = mapped_column(String(8))
    secret_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of a random 256-bit secret
    status: Mapped[str] = mapped_column(String(10))
    enrolled_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    revoked_at: Mapped[datetime | None] = mapped_column(Moment)
    last_seen_at: Mapped[datetime | None] = mapped_column(Moment)
    app_version: Mapped[str | None] = mapped_column(String(APP_VERSION_MAX))
    store_revision: Mapped[str | None] = mapped_column(String(STORE_REVISION_MAX))
    backlog: Mapped[int | None]
    oldest_pending_at: Mapped[datetime | None] = mapped_column(Moment)
    clock_skew_s: Mapped[int | None]
    __table_args__ = (
        UniqueConstraint("outlet_id", "code"),
        CheckConstraint("status IN ('active', 'revoked')", name="status"),
    )


class EnrolmentCode(Base):
    __tablename__ = "enrolment_code"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    till_code: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    expires_at: Mapped[datetime] = mapped_column(Moment)
    used_at: Mapped[datetime | None] = mapped_column(Moment)
    till_id: Mapped[uuid.UUID | None] = mapped_column(Id)
    revoked_at: Mapped[datetime | None] = mapped_column(Moment)
    # Set only by "replace this till": the one kind of code that enrols over an active till.
    replaces_till_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("till.till_id"))


class HeadOfficeUser(Base):
    __tablename__ = "ho_user"
    user_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    outlet_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outlet.outlet_id"))
    active: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(Moment)
    # An authenticator app's shared secret (base32), and the last 30-second step whose code
    # was accepted, so each code signs in once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'analyst', 'outlet_manager')", name="role"),
    )


class HeadOfficeSession(Base):
    """A signed-in dashboard visitor; the cookie holds the token, the table its SHA-256."""

    __tablename__ = "ho_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ho_user.user_id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    expires_at: Mapped[datetime] = mapped_column(Moment)


# --- events from tills --------------------------------------------------------------------


class Inbox(Base):
    """Every event ever received, once: the heart of exactly-once application."""

    __tablename__ = "inbox"
    till_id: Mapped[uuid.UUID] = mapped_column(Id)
    epoch: Mapped[int]
    seq: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[uuid.UUID] = mapped_column(Id, unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(12))  # applied | quarantined
    occurred_at: Mapped[datetime] = mapped_column(Moment)  # the till's clock, informational
    received_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    __table_args__ = (
        PrimaryKeyConstraint("till_id", "epoch", "seq"),
        CheckConstraint("outcome IN ('applied', 'quarantined')", name="outcome"),
    )


class Quarantine(Base):
    """Events kept aside with the reason: invalid, or conflicting with what is stored."""

    __tablename__ = "quarantine"
    quarantine_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    till_id: Mapped[uuid.UUID] = mapped_column(Id, index=True)
    epoch: Mapped[int]
    seq: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[uuid.UUID] = mapped_column(Id)
    kind: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    resolved_at: Mapped[datetime | None] = mapped_column(Moment)
    # The same bad event sent again is one quarantine entry, not one per retry.
    __table_args__ = (UniqueConstraint("till_id", "epoch", "seq", "payload_sha256"),)


class SecurityEvent(Base):
    """An event a till sent about another till's facts, refused (``sync_service.central.trust``).

    The event itself is stored nowhere, not even in the inbox or quarantine: only which till
    sent it, its key and hash, the field that broke the rule and why.
    """

    __tablename__ = "security_event"
    security_event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    till_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("till.till_id"))
    epoch: Mapped[int]
    seq: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[uuid.UUID] = mapped_column(Id)
    kind: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    # The same event sent again is one security event, not one per retry.
    __table_args__ = (UniqueConstraint("till_id", "epoch", "seq", "payload_sha256"),)


class Sale(Base):
    __tablename__ = "sale"
    sale_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    till_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("till.till_id"))
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    receipt_no: Mapped[str] = mapped_column(String(RECEIPT_NO_MAX), unique=True)
    shift_id: Mapped[uuid.UUID] = mapped_column(Id)
    cashier_id: Mapped[uuid.UUID] = mapped_column(Id)
    sold_at: Mapped[datetime] = mapped_column(Moment)
    business_date: Mapped[date] = mapped_column(Date)  # Singapore date of supply
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    discount_total: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    gst_total: Mapped[Decimal] = mapped_column(MONEY)
    rounding: Mapped[Decimal] = mapped_column(MONEY)
    change: Mapped[Decimal] = mapped_column(MONEY)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Id)
    __table_args__ = (
        Index("ix_sale_outlet_id_business_date", "outlet_id", "business_date"),
        # The sales explorer lists newest first, filtered by outlet, till or cashier.
        Index("ix_sale_sold_at_sale_id", "sold_at", "sale_id"),
        Index("ix_sale_outlet_id_sold_at_sale_id", "outlet_id", "sold_at", "sale_id"),
        Index("ix_sale_till_id_sold_at_sale_id", "till_id", "sold_at", "sale_id"),
        Index("ix_sale_cashier_id_sold_at_sale_id", "cashier_id", "sold_at", "sale_id"),
    )


class SaleLine(Base):
    __tablename__ = "sale_line"
    line_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sale.sale_id"), index=True)
    position: Mapped[int]
    product_id: Mapped[uuid.UUID] = mapped_column(Id, index=True)
    sku: Mapped[str] = mapped_column(String(NAME_MAX))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    list_price: Mapped[Decimal] = mapped_column(MONEY)
    line_discount: Mapped[Decimal] = mapped_column(MONEY)
    cart_discount: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    tax_code: Mapped[str] = mapped_column(String(2))
    gst_rate: Mapped[Decimal] = mapped_column(RATE)
    gst: Mapped[Decimal] = mapped_column(MONEY)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(Id)
    weighed: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Cost of the goods sold, booked when head office stored the line (migration 0015_cost):
    # per unit (the outlet's moving average then) and for the line; None if unknown.
    unit_cost: Mapped[Decimal | None] = mapped_column(UNIT_COST)
    cost: Mapped[Decimal | None] = mapped_column(MONEY)
    voucher_serial: Mapped[str | None] = mapped_column(String(15))  # a gift voucher sold


class SaleLinePromotion(Base):
    """What one automatic promotion took off one sale line, as the till said
    (``SaleLineV1.promotion_savings``), with the sale's outlet and date for the uplift report
    (docs/promotions.md). Lines from tills before December 2026 have none."""

    __tablename__ = "sale_line_promotion"
    line_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    promotion_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(Id)
    outlet_id: Mapped[uuid.UUID] = mapped_column(Id)
    business_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    __table_args__ = (
        Index("ix_sale_line_promotion_promotion_id_business_date", "promotion_id", "business_date"),
    )


class Tender(Base):
    """A payment taken for a sale or paid out for a refund (``document_id`` is either)."""

    __tablename__ = "tender"
    document_id: Mapped[uuid.UUID] = mapped_column(Id)
    position: Mapped[int]
    document_kind: Mapped[str] = mapped_column(String(6))
    type: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reference: Mapped[str | None] = mapped_column(String(SHORT_TEXT_MAX))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    confirmed_by: Mapped[uuid.UUID | None] = mapped_column(Id)
    __table_args__ = (
        PrimaryKeyConstraint("document_id", "position"),
        CheckConstraint("document_kind IN ('sale', 'refund')", name="document_kind"),
    )


class Refund(Base):
    __tablename__ = "refund"
    refund_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    till_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("till.till_id"), index=True)
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    receipt_no: Mapped[str] = mapped_column(String(RECEIPT_NO_MAX), unique=True)
    original_sale_id: Mapped[uuid.UUID | None] = mapped_column(Id, index=True)
    original_receipt_no: Mapped[str | None] = mapped_column(String(RECEIPT_NO_MAX))
    is_void: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(SHORT_TEXT_MAX))
    shift_id: Mapped[uuid.UUID] = mapped_column(Id)
    cashier_id: Mapped[uuid.UUID] = mapped_column(Id)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(Id)
    refunded_at: Mapped[datetime] = mapped_column(Moment)
    business_date: Mapped[date] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(MONEY)
    gst_total: Mapped[Decimal] = mapped_column(MONEY)
    rounding: Mapped[Decimal] = mapped_column(MONEY)
    __table_args__ = (Index("ix_refund_outlet_id_business_date", "outlet_id", "business_date"),)


class RefundLine(Base):
    __tablename__ = "refund_line"
    refund_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("refund.refund_id"))
    position: Mapped[int]
    line_id: Mapped[uuid.UUID | None] = mapped_column(Id)  # the sold line, if any
    product_id: Mapped[uuid.UUID] = mapped_column(Id)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    gst: Mapped[Decimal] = mapped_column(MONEY)
    gst_rate: Mapped[Decimal] = mapped_column(RATE)
    tax_code: Mapped[str] = mapped_column(String(2))
    # The cost the refunded goods were sold at, given back (None if unknown).
    cost: Mapped[Decimal | None] = mapped_column(MONEY)
    __table_args__ = (PrimaryKeyConstraint("refund_id", "position"),)


class Shift(Base):
    __tablename__ = "shift"
    shift_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    till_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("till.till_id"), index=True)
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    opened_by: Mapped[uuid.UUID | None] = mapped_column(Id)
    opened_at: Mapped[datetime | None] = mapped_column(Moment)
    opening_float: Mapped[Decimal | None] = mapped_column(MONEY)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(Id)
    closed_at: Mapped[datetime | None] = mapped_column(Moment)
    expected_cash: Mapped[Decimal | None] = mapped_column(MONEY)
    counted_cash: Mapped[Decimal | None] = mapped_column(MONEY)
    variance: Mapped[Decimal | None] = mapped_column(MONEY)
    counted: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(Id)
    sales_count: Mapped[int | None]
    sales_total: Mapped[Decimal | None] = mapped_column(MONEY)
    refunds_total: Mapped[Decimal | None] = mapped_column(MONEY)
    gst_total: Mapped[Decimal | None] = mapped_column(MONEY)
    tenders: Mapped[dict[str, str] | None] = mapped_column(JSONB)


class CashMovement(Base):
    __tablename__ = "cash_movement"
    movement_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    till_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("till.till_id"))
    shift_id: Mapped[uuid.UUID] = mapped_column(Id, index=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(Id)
    direction: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(String(NAME_MAX))
    moved_at: Mapped[datetime] = mapped_column(Moment)


class StockMovement(Base):
    """Signed movements per outlet; stock on hand is their sum. ``(reason, source)`` keys each
    movement to the fact that caused it, so it is counted once however often it arrives."""

    __tablename__ = "stock_movement"
    movement_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    product_id: Mapped[uuid.UUID] = mapped_column(Id)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    reason: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(80))
    till_id: Mapped[uuid.UUID | None] = mapped_column(Id)
    moved_at: Mapped[datetime] = mapped_column(Moment)
    # What the till said beside the quantity (stock documents, December 2026): its finer
    # reason (damaged, count, delivery; out/in of a transfer), the document's reference (a
    # delivery order, a stocktake or transfer number) and the cost per unit.
    detail: Mapped[str | None] = mapped_column(String(NAME_MAX))
    reference: Mapped[str | None] = mapped_column(String(SHORT_TEXT_MAX))
    unit_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    # Goods received against a purchase order: the order's line (migration 0014_purchasing).
    po_line_id: Mapped[uuid.UUID | None] = mapped_column(Id)
    # The cost per unit head office booked it at: goods in at their own cost, goods out at the
    # outlet's moving average then (migration 0015_cost).
    cost: Mapped[Decimal | None] = mapped_column(UNIT_COST)
    __table_args__ = (
        UniqueConstraint("reason", "source"),
        Index("ix_stock_movement_outlet_id_product_id", "outlet_id", "product_id"),
    )


class StockOnHand(Base):
    __tablename__ = "stock_on_hand"
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"), primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(SUM)
    # Moving average cost per unit (None until goods with a cost come in; migration 0015_cost).
    average_cost: Mapped[Decimal | None] = mapped_column(UNIT_COST)


class AuditRecord(Base):
    """A till's audit chain link exactly as sealed on the till."""

    __tablename__ = "audit_record"
    till_id: Mapped[uuid.UUID] = mapped_column(Id)
    epoch: Mapped[int]
    seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[str] = mapped_column(String(AUDIT_MOMENT_MAX))
    actor: Mapped[str | None] = mapped_column(String(STAFF_REF_MAX))
    action: Mapped[str] = mapped_column(String(NAME_MAX), index=True)
    subject: Mapped[str | None] = mapped_column(String(SHORT_TEXT_MAX))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (
        PrimaryKeyConstraint("till_id", "epoch", "seq"),
        # The audit trail lists newest first; occurred_at is UTC ISO text, so text order is
        # time order.
        Index("ix_audit_record_occurred_at", "occurred_at"),
    )


class Customer(Base):
    """PDPA: contact details only with consent; no NRIC column, by design. ``outlet_id`` is
    the outlet whose tills may change the customer (None: recorded before owners were kept)."""

    __tablename__ = "customer"
    customer_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    outlet_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outlet.outlet_id"))
    name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    phone: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    consent_contact: Mapped[bool]
    consent_marketing: Mapped[bool]
    consent_at: Mapped[datetime | None] = mapped_column(Moment)
    withdrawn_at: Mapped[datetime | None] = mapped_column(Moment)
    updated_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    # Members and business customers (December 2026): the till's member number, what the
    # consent is for and who recorded it; the company, UEN and address of a full tax invoice.
    member_no: Mapped[str | None] = mapped_column(String(24), index=True, unique=True)
    consent_purpose: Mapped[str | None] = mapped_column(String(200))
    consent_by: Mapped[uuid.UUID | None] = mapped_column(Id)
    company_name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    uen: Mapped[str | None] = mapped_column(String(10))
    address_lines: Mapped[list[str] | None] = mapped_column(JSONB)
    gst_reg_no: Mapped[str | None] = mapped_column(String(20))
    # PDPA erasure on request: every personal detail cleared, the sales and points kept; a
    # till's later upsert of the customer changes nothing (projections.py).
    anonymised_at: Mapped[datetime | None] = mapped_column(Moment)


class LoyaltyEntry(Base):
    """One change to a member's points, as the till that made it recorded it: + earned on a
    sale, - reversed by its refund, - redeemed (spent) on a sale, + returned by its refund; or
    made here: - expired (no till, no sale). Keyed by the till's entry id, so a replayed event
    adds nothing; a member's balance is the sum of their entries."""

    __tablename__ = "loyalty_entry"
    entry_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    till_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("till.till_id"))
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(Id, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int]  # signed
    sale_id: Mapped[uuid.UUID | None] = mapped_column(Id)
    refund_id: Mapped[uuid.UUID | None] = mapped_column(Id)
    occurred_at: Mapped[datetime] = mapped_column(Moment)
    expires_on: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    value: Mapped[Decimal | None] = mapped_column(MONEY)  # what points spent or given back paid
    __table_args__ = (
        CheckConstraint(
            "kind IN ('earned', 'redeemed', 'reversed', 'returned', 'expired')", name="kind"
        ),
        # Only an expiry is head office's own; everything else is a till's, for a sale.
        CheckConstraint("(kind = 'expired') = (till_id IS NULL AND sale_id IS NULL)", name="owner"),
    )


class PointsOverdrawn(Base):
    """A redemption that took a member's balance below zero when it reached head office: two
    tills offline at once spent the same points. Kept visible (the member report, the
    customer's page) until someone at head office settles it; the balance stays negative
    and later earnings pay it back first (docs/customers.md)."""

    __tablename__ = "points_overdrawn"
    entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("loyalty_entry.entry_id"), primary_key=True
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(Id, index=True)
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    till_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("till.till_id"))
    short: Mapped[int]  # points spent beyond the balance: at most what this entry spent
    balance_after: Mapped[int]
    flagged_at: Mapped[datetime] = mapped_column(Moment)
    settled_at: Mapped[datetime | None] = mapped_column(Moment)
    settled_by: Mapped[str | None] = mapped_column(String(120))
    __table_args__ = (CheckConstraint("short > 0", name="short_positive"),)


class VoucherBatch(Base):
    """A series of the shop's own gift vouchers, issued by head office; master data pulled by
    tills (``change_log`` entity ``voucher_batch``). Voiding one of its vouchers touches
    ``updated_at`` so the batch, with its voided serials, goes down to the tills again."""

    __tablename__ = "voucher_batch"
    batch_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(8), unique=True)
    count: Mapped[int]
    face_value: Mapped[Decimal] = mapped_column(MONEY)
    expires_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    updated_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    __table_args__ = (
        CheckConstraint("count BETWEEN 1 AND 10000", name="count"),
        CheckConstraint("face_value > 0", name="face_value"),
    )


class GiftVoucher(Base):
    """One voucher of a batch by its serial: issued, or voided by head office. What was sold
    and redeemed are facts from tills, in the two tables below."""

    __tablename__ = "gift_voucher"
    serial: Mapped[str] = mapped_column(String(15), primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("voucher_batch.batch_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(6), server_default="issued")
    voided_at: Mapped[datetime | None] = mapped_column(Moment)
    __table_args__ = (CheckConstraint("status IN ('issued', 'void')", name="status"),)


class GiftVoucherSale(Base):
    """A gift voucher sold (activated) at a till, keyed by its sale line: once however often
    the event comes. Two rows for one serial is a voucher sold twice, flagged."""

    __tablename__ = "gift_voucher_sale"
    line_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    serial: Mapped[str] = mapped_column(String(15), index=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(Id)
    till_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("till.till_id"))
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    sold_at: Mapped[datetime] = mapped_column(Moment)
    business_date: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())


class GiftVoucherRedemption(Base):
    """Value taken from a gift voucher as a tender, keyed by the till's redemption id. A
    voucher whose redemptions add up to more than its face value (offline tills each taking
    it) is over-redeemed: accepted, since the goods are gone, and flagged for head office."""

    __tablename__ = "gift_voucher_redemption"
    redemption_id: Mapped[uuid.UUID] = mapped_column(Id, primary_key=True)
    serial: Mapped[str] = mapped_column(String(15), index=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(Id)
    till_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("till.till_id"))
    outlet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outlet.outlet_id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    redeemed_at: Mapped[datetime] = mapped_column(Moment)
    business_date: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())


# --- summaries kept by ingest, in the same transaction as the facts ------------------------
#
# The dashboard's figures over a year of every outlet would otherwise sum millions of sale
# lines per page. Ingest adds each newly stored sale and refund to these rows (never a
# duplicate: only facts whose insert succeeded are added), so they always equal the facts.


class SalesByHour(Base):
    """Sales and refunds per outlet, Singapore business date and hour of the day."""

    __tablename__ = "sales_by_hour"
    outlet_id: Mapped[uuid.UUID] = mapped_column(Id)
    business_date: Mapped[date] = mapped_column(Date)
    hour: Mapped[int] = mapped_column(SmallInteger)  # 0..23, Singapore time
    sales_count: Mapped[int]
    sales_total: Mapped[Decimal] = mapped_column(SUM)  # GST included, before cash rounding
    sales_gst: Mapped[Decimal] = mapped_column(SUM)
    sales_rounding: Mapped[Decimal] = mapped_column(SUM)
    refund_count: Mapped[int]
    refund_total: Mapped[Decimal] = mapped_column(SUM)
    refund_gst: Mapped[Decimal] = mapped_column(SUM)
    refund_rounding: Mapped[Decimal] = mapped_column(SUM)
    __table_args__ = (PrimaryKeyConstraint("outlet_id", "business_date", "hour"),)


class SalesByTax(Base):
    """Line amounts (GST included) and GST per outlet, date, tax code and rate; refunds at the
    rate originally charged, dated when refunded."""

    __tablename__ = "sales_by_tax"
    outlet_id: Mapped[uuid.UUID] = mapped_column(Id)
    business_date: Mapped[date] = mapped_column(Date)
    tax_code: Mapped[str] = mapped_column(String(2))
    gst_rate: Mapped[Decimal] = mapped_column(RATE)
    sales_amount: Mapped[Decimal] = mapped_column(SUM)
    sales_gst: Mapped[Decimal] = mapped_column(SUM)
    refund_amount: Mapped[Decimal] = mapped_column(SUM)
    refund_gst: Mapped[Decimal] = mapped_column(SUM)
    __table_args__ = (PrimaryKeyConstraint("outlet_id", "business_date", "tax_code", "gst_rate"),)


class SalesByTender(Base):
    """Money taken per outlet, date and tender type (cash net of change) and paid back."""

    __tablename__ = "sales_by_tender"
    outlet_id: Mapped[uuid.UUID] = mapped_column(Id)
    business_date: Mapped[date] = mapped_column(Date)
    tender_type: Mapped[str] = mapped_column(String(10))
    sales_amount: Mapped[Decimal] = mapped_column(SUM)
    refund_amount: Mapped[Decimal] = mapped_column(SUM)
    __table_args__ = (PrimaryKeyConstraint("outlet_id", "business_date", "tender_type"),)


class SalesByItem(Base):
    """Sales and refunds per outlet, Singapore business date and product: what the breakdowns
    by item and by category read instead of the sale lines (migration 0019). Goods only: a
    gift voucher sold is not added (``sync_service.central.summaries``).

    ``sales`` counts the sales holding the product (once per sale however many lines);
    ``category_sales`` counts the sales whose first line of ``category_id`` is this product,
    so its sum over a category is the number of sales holding that category. The category
    is the product's when the day's first fact of it was stored."""

    __tablename__ = "sales_by_item"
    outlet_id: Mapped[uuid.UUID] = mapped_column(Id)
    business_date: Mapped[date] = mapped_column(Date)
    product_id: Mapped[uuid.UUID] = mapped_column(Id)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Id)
    quantity: Mapped[Decimal] = mapped_column(SUM)  # sold units; a weighed line counts as one
    sales: Mapped[int]
    category_sales: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(SUM)  # GST included, before cash rounding
    discount: Mapped[Decimal] = mapped_column(SUM)  # line and cart discounts
    gst: Mapped[Decimal] = mapped_column(SUM)
    refund_amount: Mapped[Decimal] = mapped_column(SUM)
    refund_gst: Mapped[Decimal] = mapped_column(SUM)
    # Cost of goods sold on the sale lines and given back by the refund lines, as stored on
    # each line (``sync_service.central.costing``), and how many of those lines had no cost.
    cost: Mapped[Decimal] = mapped_column(SUM)
    refund_cost: Mapped[Decimal] = mapped_column(SUM)
    uncosted: Mapped[int]
    # Date first: a report's period is a range of dates over every outlet or a few.
    __table_args__ = (PrimaryKeyConstraint("business_date", "outlet_id", "product_id"),)


class SalesByItemMonth(Base):
    """``sales_by_item`` rolled up per calendar month (``month`` is its first day): what a
    breakdown by item or category reads for the whole months of its period, a twentieth of
    the rows of their days."""

    __tablename__ = "sales_by_item_month"
    outlet_id: Mapped[uuid.UUID] = mapped_column(Id)
    month: Mapped[date] = mapped_column(Date)
    product_id: Mapped[uuid.UUID] = mapped_column(Id)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Id)
    quantity: Mapped[Decimal] = mapped_column(SUM)
    sales: Mapped[int]
    category_sales: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(SUM)
    discount: Mapped[Decimal] = mapped_column(SUM)
    gst: Mapped[Decimal] = mapped_column(SUM)
    refund_amount: Mapped[Decimal] = mapped_column(SUM)
    refund_gst: Mapped[Decimal] = mapped_column(SUM)
    # Cost of goods sold on the sale lines and given back by the refund lines, as stored on
    # each line (``sync_service.central.costing``), and how many of those lines had no cost.
    cost: Mapped[Decimal] = mapped_column(SUM)
    refund_cost: Mapped[Decimal] = mapped_column(SUM)
    uncosted: Mapped[int]
    __table_args__ = (PrimaryKeyConstraint("month", "outlet_id", "product_id"),)


class SalesByStaff(Base):
    """Sales and refunds per outlet, business date, till, staff member and hour (Singapore
    time): what the breakdowns by outlet, till, staff, hour, day, week and month read. A sale
    of goods falls on exactly one row (a gift voucher sold is not goods: not added); a refund
    on the row of the till and staff member who paid it."""

    __tablename__ = "sales_by_staff"
    outlet_id: Mapped[uuid.UUID] = mapped_column(Id)
    business_date: Mapped[date] = mapped_column(Date)
    till_id: Mapped[uuid.UUID] = mapped_column(Id)
    cashier_id: Mapped[uuid.UUID] = mapped_column(Id)
    hour: Mapped[int] = mapped_column(SmallInteger)
    quantity: Mapped[Decimal] = mapped_column(SUM)
    sales: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(SUM)
    discount: Mapped[Decimal] = mapped_column(SUM)
    gst: Mapped[Decimal] = mapped_column(SUM)
    refund_amount: Mapped[Decimal] = mapped_column(SUM)
    refund_gst: Mapped[Decimal] = mapped_column(SUM)
    # Cost of goods sold on the sale lines and given back by the refund lines, as stored on
    # each line (``sync_service.central.costing``), and how many of those lines had no cost.
    cost: Mapped[Decimal] = mapped_column(SUM)
    refund_cost: Mapped[Decimal] = mapped_column(SUM)
    uncosted: Mapped[int]
    __table_args__ = (
        PrimaryKeyConstraint("business_date", "outlet_id", "till_id", "cashier_id", "hour"),
    )


class AuditChainCheck(Base):
    """How far each till's audit chain is verified: records 1..verified_seq re-hashed and
    linked, the last one's hash kept, so a page view only checks what arrived since. A trigger
    moves the mark back when a stored record is changed or deleted."""

    __tablename__ = "audit_chain_check"
    till_id: Mapped[uuid.UUID] = mapped_column(Id)
    epoch: Mapped[int]
    verified_seq: Mapped[int] = mapped_column(BigInteger)
    verified_hash: Mapped[str] = mapped_column(String(64))
    head_seq: Mapped[int] = mapped_column(BigInteger)  # the highest seq stored
    verified_at: Mapped[datetime] = mapped_column(Moment, server_default=_now())
    __table_args__ = (PrimaryKeyConstraint("till_id", "epoch"),)
