"""Sync protocol v1: what tills and the central server say to each other (DESIGN.md §5).

Every model is strict and closed. Event payloads are validated per kind *after* the envelope,
so a poison event can be quarantined and acknowledged without blocking the events behind it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from shared.customers import MEMBER_NO_PATTERN, UEN_PATTERN, check_no_nric
from shared.gift_vouchers import PREFIX_PATTERN, SERIAL_PATTERN
from shared.promotion_wire import PromotionV1
from shared.purchase_wire import PurchaseOrderV1
from shared.wire import (
    APP_VERSION_MAX,
    AUDIT_MOMENT_MAX,
    STAFF_REF_MAX,
    STORE_REVISION_MAX,
    Code,
    Count,
    Money,
    Name,
    PositiveInt,
    Quantity,
    Rate,
    ReceiptNo,
    Seq,
    Sha256Hex,
    ShortText,
    WireModel,
    payload_hash,
    sealed_payload,
)

PROTOCOL_VERSION = 1
# The server accepts the current version and the one before it, so tills can upgrade late.
ACCEPTED_VERSIONS = frozenset({PROTOCOL_VERSION - 1, PROTOCOL_VERSION} - {0})
PROTOCOL_HEADER = "SGPOS-Protocol"

MAX_EVENTS_PER_PUSH = 500
MAX_PAYLOAD_BYTES = 256 * 1024
MAX_BODY_BYTES = 16 * 1024 * 1024  # after gzip is undone
MAX_PULL_PAGE = 5000


class EventKind(StrEnum):
    SALE_COMPLETED = "sale.completed"
    REFUND_COMPLETED = "refund.completed"
    SHIFT_OPENED = "shift.opened"
    SHIFT_CLOSED = "shift.closed"
    CASH_MOVED = "cash.moved"
    STOCK_RECEIVED = "stock.received"
    STOCK_ADJUSTED = "stock.adjusted"
    STOCK_TRANSFERRED = "stock.transferred"
    AUDIT_RECORDED = "audit.recorded"
    CUSTOMER_UPSERTED = "customer.upserted"
    LOYALTY_EARNED = "loyalty.earned"
    LOYALTY_REVERSED = "loyalty.reversed"
    LOYALTY_REDEEMED = "loyalty.redeemed"
    LOYALTY_RETURNED = "loyalty.returned"
    VOUCHER_SOLD = "voucher.sold"
    VOUCHER_REDEEMED = "voucher.redeemed"


TaxCodeText = Literal["SR", "ZR", "ES", "OS"]
# "points" (a member's points spent) was added in December 2026 with loyalty.redeemed; "gift"
# (the shop's own gift voucher) in December 2026 too; "voucher" is a government one (CDC, SG60).
TenderText = Literal["cash", "nets", "card", "paynow", "voucher", "points", "gift"]
GiftSerial = Annotated[str, Field(pattern=SERIAL_PATTERN)]


# --- event payloads (schema_version 1) ------------------------------------------------------


class PromotionSavingV1(WireModel):
    """What one automatic promotion took off one sale line (head office's uplift report)."""

    promotion_id: UUID
    amount: Money  # counted only when positive (see SaleLineV1.promotion_savings)


class SaleLineV1(WireModel):
    line_id: UUID
    product_id: UUID
    sku: Name
    name: Name
    quantity: Quantity
    unit_price: Money  # charged, GST-inclusive
    list_price: Money  # catalogue price when rung up
    line_discount: Money
    cart_discount: Money
    amount: Money  # what the customer paid for this line
    tax_code: TaxCodeText
    gst_rate: Rate
    gst: Money
    approved_by: UUID | None = None
    # Sold by weight: the quantity is in kg and the prices are per kg, as the receipt says.
    # Added in December 2026; a till from before sends no such field and sold nothing weighed
    # that head office's copy of the receipt could tell apart.
    weighed: bool = False
    # Which automatic promotions gave the line's promotion saving, and how much each (part of
    # ``line_discount``). Added December 2026; a till from before sends none, and its lines'
    # savings are counted in no promotion's uplift.
    # Head office counts them only when they name promotions it has, each once, with positive
    # amounts adding up to at most the line's discount (central projections._line_promotions).
    promotion_savings: Annotated[list[PromotionSavingV1], Field(max_length=20)] = Field(
        default_factory=list
    )
    # A gift voucher sold (December 2026): its serial; the line is out of scope of GST and
    # moves no stock. A till from before sends none and sold no gift voucher. Left out of the
    # JSON when there is none, so an ordinary sale reads the same to a head office from
    # before gift vouchers.
    voucher_serial: GiftSerial | None = None

    @model_serializer(mode="wrap")
    def _without_voucher_serial(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        body: dict[str, Any] = handler(self)
        if body.get("voucher_serial", "") is None:
            del body["voucher_serial"]
        return body


class TenderV1(WireModel):
    type: TenderText
    amount: Money
    reference: ShortText | None = None
    card_last4: Annotated[str, Field(pattern=r"^\d{4}$")] | None = None
    confirmed_by: UUID | None = None


class SaleCompletedV1(WireModel):
    sale_id: UUID
    receipt_no: ReceiptNo
    shift_id: UUID
    cashier_id: UUID
    sold_at: AwareDatetime
    lines: Annotated[list[SaleLineV1], Field(min_length=1, max_length=500)]
    tenders: Annotated[list[TenderV1], Field(min_length=1, max_length=10)]
    subtotal: Money
    discount_total: Money
    total: Money
    gst_total: Money
    rounding: Money
    change: Money
    customer_id: UUID | None = None


class RefundLineV1(WireModel):
    line_id: UUID | None  # the sold line; None for a refund without receipt
    product_id: UUID
    name: Name
    quantity: Quantity
    amount: Money
    gst: Money
    gst_rate: Rate
    tax_code: TaxCodeText


class RefundCompletedV1(WireModel):
    refund_id: UUID
    receipt_no: ReceiptNo
    original_sale_id: UUID | None
    original_receipt_no: ReceiptNo | None
    is_void: bool
    reason: ShortText
    shift_id: UUID
    cashier_id: UUID
    approved_by: UUID | None
    refunded_at: AwareDatetime
    lines: Annotated[list[RefundLineV1], Field(min_length=1, max_length=500)]
    tenders: Annotated[list[TenderV1], Field(min_length=1, max_length=10)]
    total: Money
    gst_total: Money
    rounding: Money


class ShiftOpenedV1(WireModel):
    shift_id: UUID
    opened_by: UUID
    opened_at: AwareDatetime
    opening_float: Money


class ShiftClosedV1(WireModel):
    shift_id: UUID
    closed_by: UUID
    closed_at: AwareDatetime
    expected_cash: Money
    counted_cash: Money
    variance: Money
    counted: dict[Annotated[str, Field(pattern=r"^\d+\.\d{2}$")], Count]
    approved_by: UUID | None
    sales_count: Count
    sales_total: Money
    refunds_total: Money
    gst_total: Money
    tenders: dict[TenderText, Money]


class CashMovedV1(WireModel):
    movement_id: UUID
    shift_id: UUID
    staff_id: UUID
    direction: Literal["in", "out"]
    amount: Money
    reason: Name
    moved_at: AwareDatetime


class StockMovedV1(WireModel):
    """Goods received or a count adjustment; sales and refunds move stock through their lines."""

    movement_id: UUID
    product_id: UUID
    quantity: Quantity  # signed: received and found positive, damaged and lost negative
    reason: Name
    reference: ShortText | None = None
    staff_id: UUID
    moved_at: AwareDatetime
    # Added in December 2026 with receiving and stocktakes at the till; a till from before
    # sends none. The document (delivery, adjustment, stocktake) the movement belongs to, the
    # cost per unit of goods received (GST-exclusive), and who approved it.
    document_id: UUID | None = None
    unit_cost: Money | None = None
    approved_by: UUID | None = None
    # Added with purchase orders (issue 16): goods received against an order head office
    # sent this outlet name the order and its line. Absent: received without an order.
    po_id: UUID | None = None
    po_line_id: UUID | None = None


class StockTransferredV1(WireModel):
    """Stock leaving an outlet for another (``out``, quantity negative) or arriving from one
    (``in``, positive). Both halves name the same transfer number, printed on the dispatch
    note: head office pairs them, and what left and has not arrived is in transit."""

    movement_id: UUID
    transfer_no: Annotated[str, Field(pattern=r"^TR-[A-Z0-9]{1,8}-[A-Z0-9]{1,8}-\d{6}$")]
    direction: Literal["out", "in"]
    other_outlet: Code  # where it goes to (out) or came from (in)
    product_id: UUID
    quantity: Quantity  # signed: out negative, in positive
    unit_cost: Money | None = None
    staff_id: UUID
    approved_by: UUID | None = None
    moved_at: AwareDatetime


class AuditRecordedV1(WireModel):
    """An audit record exactly as sealed on the till (see shared.audit)."""

    till_id: UUID
    epoch: PositiveInt
    seq: Seq
    occurred_at: Annotated[str, Field(max_length=AUDIT_MOMENT_MAX)]
    actor: Annotated[str, Field(max_length=STAFF_REF_MAX)] | None
    action: Name
    subject: ShortText | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: Sha256Hex
    hash: Sha256Hex


Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class CustomerUpsertedV1(WireModel):
    """PDPA: contact details only with consent; there is deliberately no NRIC/FIN field, and
    text shaped like an NRIC or FIN number is refused in every field a person types.

    The member and business fields were added in December 2026; a till from before sends none
    of them, which reads as a customer with no member number and no business details."""

    customer_id: UUID
    name: Name | None = None
    phone: Annotated[str, Field(pattern=r"^\+?\d{8,15}$")] | None = None
    email: Email | None = None
    consent_contact: bool
    consent_marketing: bool
    consent_at: AwareDatetime | None
    withdrawn_at: AwareDatetime | None = None
    member_no: Annotated[str, Field(pattern=MEMBER_NO_PATTERN)] | None = None
    consent_purpose: ShortText | None = None
    consent_by: UUID | None = None  # the staff member who recorded the consent
    company_name: Name | None = None
    uen: Annotated[str, Field(pattern=UEN_PATTERN)] | None = None
    address_lines: Annotated[list[Name], Field(max_length=4)] | None = None
    gst_reg_no: Annotated[str, Field(pattern=r"^[A-Z0-9-]{8,20}$")] | None = None

    @field_validator("name", "company_name", "consent_purpose", "address_lines", "email")
    @classmethod
    def _no_nric(cls, value: Any) -> Any:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                check_no_nric(text, "text")
        return value


class LoyaltyEarnedV1(WireModel):
    """A member's points for a sale: one ledger entry, keyed by ``entry_id``."""

    entry_id: UUID
    customer_id: UUID
    sale_id: UUID
    points: Count
    earned_at: AwareDatetime
    expires_on: date | None = None


class LoyaltyReversedV1(WireModel):
    """Points taken back by a refund of the sale that earned them (a negative entry)."""

    entry_id: UUID
    customer_id: UUID
    sale_id: UUID
    refund_id: UUID
    points: Count  # how many are taken back: a positive number
    reversed_at: AwareDatetime


class VoucherSoldV1(WireModel):
    """A gift voucher activated by selling it: its line in the sale names the same serial."""

    serial: GiftSerial
    sale_id: UUID
    line_id: UUID
    amount: Money  # the face value charged
    sold_at: AwareDatetime


class VoucherRedeemedV1(WireModel):
    """Part or all of a gift voucher's value taken as a tender of a sale, keyed by
    ``redemption_id``; the sale's ``gift`` tender carries the same serial as its reference."""

    redemption_id: UUID
    serial: GiftSerial
    sale_id: UUID
    amount: Money
    redeemed_at: AwareDatetime


class LoyaltyRedeemedV1(WireModel):
    """Points a member spent on a sale (its ``points`` tender): one negative ledger entry.
    Added in December 2026."""

    entry_id: UUID
    customer_id: UUID
    sale_id: UUID
    points: PositiveInt  # how many were spent: a positive number
    value: Money  # what they paid: the sale's points tender
    redeemed_at: AwareDatetime


class LoyaltyReturnedV1(WireModel):
    """Points given back by a refund of a sale paid partly with points (a positive entry).
    Added in December 2026."""

    entry_id: UUID
    customer_id: UUID
    sale_id: UUID
    refund_id: UUID
    points: PositiveInt
    value: Money  # the refund's points tender
    returned_at: AwareDatetime


PAYLOAD_MODELS: dict[tuple[EventKind, int], type[WireModel]] = {
    (EventKind.SALE_COMPLETED, 1): SaleCompletedV1,
    (EventKind.REFUND_COMPLETED, 1): RefundCompletedV1,
    (EventKind.SHIFT_OPENED, 1): ShiftOpenedV1,
    (EventKind.SHIFT_CLOSED, 1): ShiftClosedV1,
    (EventKind.CASH_MOVED, 1): CashMovedV1,
    (EventKind.STOCK_RECEIVED, 1): StockMovedV1,
    (EventKind.STOCK_ADJUSTED, 1): StockMovedV1,
    (EventKind.STOCK_TRANSFERRED, 1): StockTransferredV1,
    (EventKind.AUDIT_RECORDED, 1): AuditRecordedV1,
    (EventKind.CUSTOMER_UPSERTED, 1): CustomerUpsertedV1,
    (EventKind.LOYALTY_EARNED, 1): LoyaltyEarnedV1,
    (EventKind.LOYALTY_REVERSED, 1): LoyaltyReversedV1,
    (EventKind.VOUCHER_SOLD, 1): VoucherSoldV1,
    (EventKind.VOUCHER_REDEEMED, 1): VoucherRedeemedV1,
    (EventKind.LOYALTY_REDEEMED, 1): LoyaltyRedeemedV1,
    (EventKind.LOYALTY_RETURNED, 1): LoyaltyReturnedV1,
}


class PayloadError(ValueError):
    """An event whose payload cannot be accepted; the reason goes to quarantine."""


# --- envelope and messages ------------------------------------------------------------------


class Event(WireModel):
    event_id: UUID
    till_id: UUID
    epoch: PositiveInt
    seq: Seq
    kind: str  # checked per event, so an unknown kind is quarantined, not the whole batch
    schema_version: PositiveInt
    occurred_at: AwareDatetime  # the till's clock: informational only, never ordering
    payload: dict[str, Any]
    payload_sha256: Sha256Hex

    @classmethod
    def seal(
        cls,
        *,
        event_id: UUID,
        till_id: UUID,
        epoch: int,
        seq: int,
        kind: EventKind,
        occurred_at: datetime,
        payload: WireModel,
    ) -> Event:
        body = payload.model_dump(mode="json")
        return cls(
            event_id=event_id,
            till_id=till_id,
            epoch=epoch,
            seq=seq,
            kind=kind.value,
            schema_version=1,
            occurred_at=occurred_at,
            payload=body,
            payload_sha256=payload_hash(body),
        )

    def parsed_payload(self) -> WireModel:
        """The payload as its typed model; PayloadError says why it cannot be accepted."""
        try:
            raw, digest = sealed_payload(self.payload)  # serialised once: size, hash, parse
        except TypeError as exc:
            raise PayloadError(str(exc)) from None
        if len(raw) > MAX_PAYLOAD_BYTES:
            raise PayloadError(f"payload is larger than {MAX_PAYLOAD_BYTES} bytes")
        if digest != self.payload_sha256:
            raise PayloadError("payload_sha256 does not match the payload (corrupted in transit?)")
        if holds_nul(raw):
            raise PayloadError("payload holds a NUL character (\\u0000), which cannot be stored")
        try:
            model = PAYLOAD_MODELS[(EventKind(self.kind), self.schema_version)]
        except (ValueError, KeyError):
            raise PayloadError(
                f"unknown event kind {self.kind!r} version {self.schema_version}"
            ) from None
        try:
            return model.model_validate_json(raw)
        except ValidationError as exc:
            raise PayloadError(f"invalid {self.kind} payload: {_first_error(exc)}") from None


# A JSON \u0000 escape whose backslash is not itself escaped: a NUL character in a string.
# PostgreSQL stores NUL neither in text nor in jsonb.
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def holds_nul(canonical: bytes) -> bool:
    return b"\\u0000" in canonical and _NUL.search(canonical) is not None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "payload"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err['msg']}{more}"


class TillReport(WireModel):
    """What a till says about itself with every push, for head office's fleet view."""

    app_version: Annotated[str, Field(max_length=APP_VERSION_MAX)]
    store_revision: Annotated[str, Field(max_length=STORE_REVISION_MAX)]
    # Events still waiting behind this push's batch, and the oldest of them.
    backlog: Count
    oldest_pending_at: AwareDatetime | None
    sent_at: AwareDatetime  # compared with the server's clock to flag skew


class PushRequest(WireModel):
    protocol: int
    till: TillReport
    events: Annotated[list[Event], Field(min_length=1, max_length=MAX_EVENTS_PER_PUSH)]


class EventOutcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # same key and hash already stored: acknowledged
    QUARANTINED = "quarantined"  # invalid or conflicting: kept aside, acknowledged


# An event naming another till's facts is answered QUARANTINED with a reason starting so:
# "rejected: <field>: why" (sync_service.central.trust). Every accepted version of the agent
# acknowledges a quarantined event, so the queue keeps draining; the prefix lets a till and its
# support desk tell a refusal apart from an invalid or conflicting event.
REFUSED_REASON = "rejected: "


class EventResult(WireModel):
    event_id: UUID
    seq: Seq
    outcome: EventOutcome
    reason: ShortText | None = None


class PushOk(WireModel):
    status: Literal["ok"] = "ok"
    results: list[EventResult]
    server_time: AwareDatetime


class EventRejection(WireModel):
    event_id: UUID | None
    reason: ShortText


class Busy(WireModel):
    status: Literal["busy"] = "busy"
    retry_after: Annotated[int, Field(ge=1, le=3600)]
    message: ShortText = "the server is busy; retry later"


class Failed(WireModel):
    """HTTP 500: head office failed on this request, stored nothing, and has logged why. A
    fault of the server's, not of what was sent: the till keeps its events, counts the
    attempt and tries again after its backoff (never at once, as it would after 'busy')."""

    status: Literal["failed"] = "failed"
    message: ShortText


class UpgradeRequired(WireModel):
    status: Literal["upgrade_required"] = "upgrade_required"
    accepted_versions: list[int]
    message: ShortText


class Unauthorized(WireModel):
    status: Literal["unauthorized"] = "unauthorized"
    message: ShortText


class Rejected(WireModel):
    """The request as a whole is refused and nothing was written."""

    status: Literal["rejected"] = "rejected"
    message: ShortText
    events: list[EventRejection] = Field(default_factory=list)


ErrorBody = Busy | Failed | UpgradeRequired | Unauthorized | Rejected
PushResponse = Annotated[PushOk | ErrorBody, Field(discriminator="status")]


class MasterEntity(StrEnum):
    OUTLET = "outlet"
    CATEGORY = "category"
    PRODUCT = "product"
    BARCODE = "barcode"
    STAFF = "staff"
    # Sent only to tills that ask for it (``/v1/pull?with=promotion``): a till from before
    # promotions would refuse a page holding an entity it does not know.
    PROMOTION = "promotion"
    # Open purchase orders of the till's outlet (``?with=purchase_order``), likewise on request.
    PURCHASE_ORDER = "purchase_order"
    # Likewise ``with=variant``: a product's family and options, or the unit it is a pack of.
    VARIANT = "variant"
    # Gift voucher series, likewise only on request (``with=voucher_batch``).
    VOUCHER_BATCH = "voucher_batch"
    # What head office decided about one of this till's quarantined events; sent only to the
    # till that sent the event, and only when it asks (``with=quarantine``).
    QUARANTINE_OUTCOME = "quarantine"
    # Likewise ``with=customer``: the members and business customers of the till's own outlet,
    # so that one enrolled at another till of the shop is found here too (docs/customers.md).
    CUSTOMER = "customer"


# The entities sent only to a till that asks for them (``/v1/pull?with=...``): an older till
# would refuse a page holding an entity it does not know. In the order head office learnt
# them, the newest last: a till drops the newest word each time an older head office refuses
# one (``till.sync.client``).
SENT_ON_REQUEST: tuple[MasterEntity, ...] = (
    MasterEntity.PROMOTION,
    MasterEntity.PURCHASE_ORDER,
    MasterEntity.VARIANT,
    MasterEntity.VOUCHER_BATCH,
    MasterEntity.QUARANTINE_OUTCOME,
    MasterEntity.CUSTOMER,
)


class MasterChange(WireModel):
    entity: MasterEntity
    key: Name
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None


class PullPage(WireModel):
    status: Literal["ok"] = "ok"
    cursor: Annotated[str, Field(max_length=100)]  # opaque: send it back unchanged
    next_cursor: Annotated[str, Field(max_length=100)]
    has_more: bool
    changes: list[MasterChange]


class ProductV1(WireModel):
    product_id: UUID
    sku: Name
    name: Name
    price: Annotated[Money, Field(ge=0)]
    tax_code: TaxCodeText
    category_id: UUID | None
    weighed: bool
    active: bool


# A family has at most this many options (size, colour, flavour) and a pack at most this many
# units; docs/variants.md.
MAX_OPTIONS = 3
MAX_PACK_UNITS = 10_000
OptionText = Annotated[str, Field(min_length=1, max_length=40)]


class ProductVariantV1(WireModel):
    """What makes a product a variant of a family, a pack of another product, or both. Keyed
    by the product it describes; a product without one is a plain product."""

    product_id: UUID
    family: Name | None = None
    # Option name to value, e.g. {"Size": "330ml", "Flavour": "Original"}.
    options: Annotated[dict[OptionText, OptionText], Field(max_length=MAX_OPTIONS)] = Field(
        default_factory=dict
    )
    pack_of: UUID | None = None
    pack_units: Annotated[int, Field(ge=2, le=MAX_PACK_UNITS)] | None = None

    @model_validator(mode="after")
    def _whole(self) -> ProductVariantV1:
        if (self.pack_of is None) != (self.pack_units is None):
            raise ValueError("a pack needs both pack_of and pack_units")
        if self.pack_of == self.product_id:
            raise ValueError("a pack cannot be a pack of itself")
        if self.family is None and self.options:
            raise ValueError("options belong to a family")
        if self.family is not None and not self.options:
            raise ValueError("a family's variant needs at least one option")
        if self.family is None and self.pack_of is None:
            raise ValueError("neither a family's variant nor a pack")
        return self


class BarcodeV1(WireModel):
    code: Annotated[str, Field(pattern=r"^[0-9A-Za-z\-]{1,48}$")]
    product_id: UUID


class CategoryV1(WireModel):
    category_id: UUID
    name: Name


class StaffV1(WireModel):
    staff_id: UUID
    code: Annotated[str, Field(pattern=r"^[A-Z0-9]{1,12}$")]
    display_name: Name
    role: Literal["cashier", "supervisor", "manager"]
    pin_hash: Annotated[str, Field(max_length=200)]  # argon2 hash, never the PIN
    active: bool
    outlet_ids: list[UUID]


class CategoryMultiplierV1(WireModel):
    category_id: UUID
    multiplier: Rate


class TierV1(WireModel):
    name: Name
    min_spend: Annotated[Money, Field(ge=0)]  # over the last 12 months
    multiplier: Rate


class LoyaltySchemeV1(WireModel):
    points_per_dollar: Rate
    category_multipliers: Annotated[
        list[CategoryMultiplierV1], Field(max_length=200, default_factory=list)
    ]
    excluded_categories: Annotated[list[UUID], Field(max_length=200, default_factory=list)]
    expiry_days: Annotated[int, Field(ge=1, le=3660)] | None = None
    # Spending points and tiers (December 2026); a head office from before sends none of
    # these: a point is worth a cent, up to the whole sale, no tiers.
    point_value: Annotated[Money, Field(gt=0, le=100)] = Decimal("0.01")
    redeem_max_percent: Rate = Decimal(100)
    redeem_max_points: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    expiry_months: Annotated[int, Field(ge=1, le=120)] | None = None  # wins over expiry_days
    tiers: list[TierV1] = Field(default_factory=list, max_length=10)


class OutletV1(WireModel):
    outlet_id: UUID
    code: Code
    name: Name
    address_lines: Annotated[list[Name], Field(max_length=5)]
    gst_reg_no: Annotated[str, Field(max_length=20)] | None
    gst_rounding: Literal["line", "total"]
    cash_rounding: Literal["off", "nearest", "down"]
    discount_limit_percent: Rate
    variance_limit: Money
    paynow_uen: Annotated[str, Field(max_length=20)] | None
    receipt_footer: Annotated[list[Name], Field(max_length=5)]
    # The outlet's membership points scheme (December 2026); None: members earn no points.
    loyalty: LoyaltySchemeV1 | None = None


class VoucherBatchV1(WireModel):
    """A series of gift vouchers: serials ``<prefix>-000001`` to ``<prefix>-<count>``, each
    worth ``face_value`` until ``expires_on`` (inclusive); ``voided``: serials not to accept."""

    batch_id: UUID
    prefix: Annotated[str, Field(pattern=PREFIX_PATTERN)]
    count: Annotated[int, Field(ge=1, le=10000)]
    face_value: Annotated[Money, Field(gt=0)]
    expires_on: date | None
    voided: Annotated[list[GiftSerial], Field(max_length=10000, default_factory=list)]


class QuarantineOutcomeV1(WireModel):
    """Head office's decision on a quarantined event: ``discarded`` (with the reason; never
    counted), ``accepted`` (stored under ``receipt_no``, a new receipt number) or ``resend``
    (the till is asked to send the event's record again, as a new event)."""

    event_id: UUID
    epoch: PositiveInt
    seq: Seq
    outcome: Literal["discarded", "accepted", "resend"]
    reason: ShortText
    receipt_no: ReceiptNo | None = None
    decided_at: AwareDatetime


class CustomerV1(WireModel):
    """A member or business customer of the till's outlet, as head office sends it down: what
    a till needs to find and serve them (name, mobile, member number, business details) and
    their consent record. No e-mail: no till screen uses it. The mobile comes only while the
    customer consents to be contacted; an erased customer comes as a delete."""

    customer_id: UUID
    name: Name | None = None
    phone: Annotated[str, Field(pattern=r"^\+?\d{8,15}$")] | None = None
    member_no: Annotated[str, Field(pattern=MEMBER_NO_PATTERN)] | None = None
    consent_contact: bool
    consent_marketing: bool
    consent_at: AwareDatetime | None = None
    withdrawn_at: AwareDatetime | None = None
    consent_purpose: ShortText | None = None
    consent_by: UUID | None = None
    company_name: Name | None = None
    uen: Annotated[str, Field(pattern=UEN_PATTERN)] | None = None
    address_lines: Annotated[list[Name], Field(max_length=4)] | None = None
    gst_reg_no: Annotated[str, Field(pattern=r"^[A-Z0-9-]{8,20}$")] | None = None

    @field_validator("name", "company_name", "consent_purpose", "address_lines")
    @classmethod
    def _no_nric(cls, value: Any) -> Any:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                check_no_nric(text, "text")
        return value


MASTER_MODELS: dict[MasterEntity, type[WireModel]] = {
    MasterEntity.OUTLET: OutletV1,
    MasterEntity.CATEGORY: CategoryV1,
    MasterEntity.PRODUCT: ProductV1,
    MasterEntity.BARCODE: BarcodeV1,
    MasterEntity.STAFF: StaffV1,
    MasterEntity.PROMOTION: PromotionV1,
    MasterEntity.PURCHASE_ORDER: PurchaseOrderV1,
    MasterEntity.VARIANT: ProductVariantV1,
    MasterEntity.VOUCHER_BATCH: VoucherBatchV1,
    MasterEntity.QUARANTINE_OUTCOME: QuarantineOutcomeV1,
    MasterEntity.CUSTOMER: CustomerV1,
}


class MemberPointsRequest(WireModel):
    """``POST /v1/points``: the members whose balances a till wants (December 2026)."""

    customer_ids: Annotated[list[UUID], Field(max_length=MAX_PULL_PAGE)]


class MemberPointsV1(WireModel):
    customer_id: UUID
    # Every entry head office holds that the asking till did not make (other tills' earnings
    # and redemptions, expiries, head office's own): the till adds its own ledger to it.
    elsewhere: int
    tier: Name | None = None


class MemberPoints(WireModel):
    status: Literal["ok"] = "ok"
    as_of: AwareDatetime
    members: list[MemberPointsV1]


class EnrolRequest(WireModel):
    protocol: int
    code: Annotated[str, Field(pattern=r"^[A-Z0-9-]{8,32}$")]
    hostname: ShortText
    app_version: ShortText


class EnrolOk(WireModel):
    status: Literal["ok"] = "ok"
    till_id: UUID
    till_code: Code
    outlet_id: UUID
    outlet_code: Code
    secret: Annotated[str, Field(min_length=32, max_length=128)]  # shown once, stored hashed


class Health(WireModel):
    status: Literal["ok", "degraded"]
    protocol: int
    accepted_versions: list[int]
    server_time: AwareDatetime
    database: Literal["ok", "unreachable"]


class TillState(WireModel):
    """``GET /v1/till/state``: what head office holds from the asking till, so a till restored
    from a backup can move its epoch and receipt counter past everything already sent."""

    status: Literal["ok"] = "ok"
    till_id: UUID
    outlet_code: Code
    till_code: Code
    highest_epoch: Annotated[int, Field(ge=0)]  # 0: no event received yet
    highest_receipt: Annotated[int, Field(ge=0)]  # serial of its sales and refunds; 0: none
    server_time: AwareDatetime


class TillRetired(WireModel):
    """``POST /v1/till/retire``: the asking till is revoked; its credential is refused from now."""

    status: Literal["ok"] = "ok"
    till_id: UUID
    retired_at: AwareDatetime
