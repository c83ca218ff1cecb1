"""Sync protocol v1: what tills and the central server say to each other (DESIGN.md §5).

Every model is strict and closed. Event payloads are validated per kind *after* the envelope,
so a poison event can be quarantined and acknowledged without blocking the events behind it.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, ValidationError

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
    AUDIT_RECORDED = "audit.recorded"
    CUSTOMER_UPSERTED = "customer.upserted"


TaxCodeText = Literal["SR", "ZR", "ES", "OS"]
TenderText = Literal["cash", "nets", "card", "paynow", "voucher"]


# --- event payloads (schema_version 1) ------------------------------------------------------


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
    """PDPA: contact details only with consent; there is deliberately no NRIC/FIN field."""

    customer_id: UUID
    name: Name | None = None
    phone: Annotated[str, Field(pattern=r"^\+?\d{8,15}$")] | None = None
    email: Email | None = None
    consent_contact: bool
    consent_marketing: bool
    consent_at: AwareDatetime | None
    withdrawn_at: AwareDatetime | None = None


PAYLOAD_MODELS: dict[tuple[EventKind, int], type[WireModel]] = {
    (EventKind.SALE_COMPLETED, 1): SaleCompletedV1,
    (EventKind.REFUND_COMPLETED, 1): RefundCompletedV1,
    (EventKind.SHIFT_OPENED, 1): ShiftOpenedV1,
    (EventKind.SHIFT_CLOSED, 1): ShiftClosedV1,
    (EventKind.CASH_MOVED, 1): CashMovedV1,
    (EventKind.STOCK_RECEIVED, 1): StockMovedV1,
    (EventKind.STOCK_ADJUSTED, 1): StockMovedV1,
    (EventKind.AUDIT_RECORDED, 1): AuditRecordedV1,
    (EventKind.CUSTOMER_UPSERTED, 1): CustomerUpsertedV1,
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


MASTER_MODELS: dict[MasterEntity, type[WireModel]] = {
    MasterEntity.OUTLET: OutletV1,
    MasterEntity.CATEGORY: CategoryV1,
    MasterEntity.PRODUCT: ProductV1,
    MasterEntity.BARCODE: BarcodeV1,
    MasterEntity.STAFF: StaffV1,
}


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
