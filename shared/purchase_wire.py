"""A purchase order as master data: what head office sends the tills of the outlet it is for.

Only open orders travel (sent, or partly received); one that is fully received, cancelled or
still a draft is sent as deleted, so a till's list is exactly the orders it may receive
against. Quantities are in units (kilograms for a weighed product); ``pack_size`` says how many
units a supplier's pack holds, so the till can take a quantity in packs.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.wire import Money, Name, Quantity, ShortText, WireModel

PO_NUMBER = r"^PO-\d{6}$"
OPEN_STATUSES = ("sent", "partial")


class PurchaseOrderLineV1(WireModel):
    po_line_id: UUID
    product_id: UUID
    supplier_sku: ShortText | None = None
    pack_size: Annotated[Quantity, Field(gt=0)]
    ordered: Annotated[Quantity, Field(gt=0)]  # units
    received: Quantity  # units received so far, as head office knows it
    unit_cost: Money | None = None  # GST-exclusive, per unit


class PurchaseOrderV1(WireModel):
    po_id: UUID
    number: Annotated[str, Field(pattern=PO_NUMBER)]
    supplier: Name
    status: Literal["sent", "partial"]
    outlet_id: UUID
    sent_at: AwareDatetime | None = None
    lines: Annotated[list[PurchaseOrderLineV1], Field(min_length=1, max_length=500)]
