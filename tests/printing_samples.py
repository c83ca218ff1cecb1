"""Receipts of known content for the printing tests, and a reader for ESC/POS byte streams."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shared.paynow import build_payload
from shared.receipt import (
    CustomerDetails,
    Receipt,
    ReceiptKind,
    ReceiptLine,
    ReceiptNumber,
    ReceiptTender,
    Supplier,
)

D = Decimal
NUMBER = ReceiptNumber("ORC", "T02", 123)
ISSUED = datetime(2026, 11, 20, 6, 3, tzinfo=UTC)  # 14:03 in Singapore
ISSUED_TEXT = "20-11-2026 14:03"
SUPPLIER = Supplier(
    "Orchard Grocer Pte Ltd", ("1 Orchard Road #01-02", "Singapore 238801"), "M2-1234567-8"
)
UNREGISTERED = Supplier("Ah Seng Provision Shop", ("Blk 123 Ang Mo Kio Ave 3",), None)
CUSTOMER = CustomerDetails(
    "Tan Holdings Pte Ltd", ("10 Anson Road #20-01", "Singapore 079903"), "201912345K"
)
PAYNOW = build_payload(
    proxy_type="uen",
    proxy_value="201912345K",
    amount=D("12.35"),
    editable=False,
    reference=str(NUMBER),
    merchant_name="Orchard Grocer",
)


def sr(description: str, qty: str, unit: str, amount: str, gst: str) -> ReceiptLine:
    return ReceiptLine(description, D(qty), D(unit), D(amount), D(gst), "SR", D(9))


def simplified(**changes: Any) -> Receipt:
    """A compliant simplified tax invoice for S$12.35 paid in cash."""
    receipt = Receipt(
        number=NUMBER,
        issued_at=ISSUED,
        supplier=SUPPLIER,
        lines=(
            sr("Kaya toast set", "2", "3.50", "7.00", "0.58"),
            sr("Milo peng", "1", "5.35", "5.35", "0.44"),
        ),
        cart_discount=D(0),
        gst_by_rate=((D(9), D("12.35"), D("1.02")),),
        gst_total=D("1.02"),
        rounding=D(0),
        total=D("12.35"),
        tenders=(ReceiptTender("Cash", D("20.00")),),
        change=D("7.65"),
        cashier="Siti",
        kind=ReceiptKind.SIMPLIFIED_TAX_INVOICE,
    )
    return dataclasses.replace(receipt, **changes)


def paid_by_paynow(**changes: Any) -> Receipt:
    return simplified(
        tenders=(ReceiptTender("PayNow", D("12.35"), reference=str(NUMBER)),),
        change=D(0),
        paynow_payload=PAYNOW,
        **changes,
    )


def full(**changes: Any) -> Receipt:
    """A full tax invoice: two office chairs, S$218.00 incl. S$18.00 GST, for a company."""
    receipt = simplified(
        lines=(sr("Office chair", "2", "109.00", "218.00", "18.00"),),
        gst_by_rate=((D(9), D("218.00"), D("18.00")),),
        gst_total=D("18.00"),
        total=D("218.00"),
        tenders=(ReceiptTender("Visa", D("218.00"), reference="A1B2C3", card_last4="1234"),),
        change=D(0),
        kind=ReceiptKind.FULL_TAX_INVOICE,
        customer=CUSTOMER,
    )
    return dataclasses.replace(receipt, **changes)


def unregistered(**changes: Any) -> Receipt:
    receipt = simplified(
        supplier=UNREGISTERED,
        lines=(ReceiptLine("Rice 5kg", D(1), D("12.35"), D("12.35"), D(0), "OS", D(0)),),
        gst_by_rate=(),
        gst_total=D(0),
        kind=ReceiptKind.RECEIPT,
    )
    return dataclasses.replace(receipt, **changes)


# The ESC/POS commands our jobs use, each with its parameter bytes: ESC @, ESC ! n, ESC E n,
# ESC M n, ESC a n, ESC t n, ESC d n, ESC p m t1 t2, GS V m. Anything else fails the reader.
_COMMAND = re.compile(rb"\x1b@|\x1b[!EMatd].|\x1bp...|\x1dV.", re.DOTALL)
QR_COMMAND = b"\x1d(k"


def printed_text(job: bytes) -> str:
    """The text lines a job prints before its QR code, with the formatting commands removed."""
    text_part = job.split(QR_COMMAND)[0]
    stripped = _COMMAND.sub(b"", text_part)
    leftover = [byte for byte in stripped if byte < 0x20 and byte != 0x0A]
    assert not leftover, f"unexpected control bytes {leftover} in {stripped!r}"
    return stripped.decode("cp437")
