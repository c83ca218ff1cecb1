"""Parsing what a person typed (in a form or a CSV cell) into checked values.

Each function raises ``FieldError(field, reason)`` in words a shop manager understands; the
same checks serve the dashboard's forms and the CSV import, so both refuse the same things.
Limits follow the tills' wire models (shared/protocol.py): what head office accepts, every
till can load.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from shared.gst import SINGAPORE, TaxCode
from shared.pins import PIN_PATTERN
from shared.text import unseen_character
from shared.wire import MAX_MONEY
from sync_service.central.admin.edits import FieldError

MAX_NAME = 120
_BARCODE = re.compile(r"[0-9A-Za-z\-]{1,48}")
_STAFF_CODE = re.compile(r"[A-Z0-9]{1,12}")
_NUMBER = re.compile(r"\d+(\.\d+)?")
_MOMENT = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}):(\d{2}))?")
TILL_ROLES = ("cashier", "supervisor", "manager")
TAX_CODES = tuple(c.value for c in TaxCode)
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def name(field: str, value: str | None, *, limit: int = MAX_NAME) -> str:
    text = (value or "").strip()
    if not text:
        raise FieldError(field, "missing; it is required")
    if len(text) > limit:
        raise FieldError(field, f"too long: {len(text)} characters, at most {limit}")
    unseen = unseen_character(text)
    if unseen is not None:
        raise FieldError(
            field,
            f"contains a character that is invisible or changes how the name shows ({unseen}); "
            "type the name again without it",
        )
    return text


def optional_name(field: str, value: str | None) -> str | None:
    return name(field, value) if (value or "").strip() else None


def price(field: str, value: str | None) -> Decimal:
    """Dollars, GST-inclusive, at most two decimals: ``3.50``, ``12``, ``0.95``."""
    text = (value or "").strip()
    if not text:
        raise FieldError(field, "missing; give the price in dollars, such as 3.50")
    if text.startswith("-") and _NUMBER.fullmatch(text[1:]):
        raise FieldError(field, f"{text} is negative; a price is 0.00 or more")
    if not _NUMBER.fullmatch(text):
        raise FieldError(field, f"{text[:30]!r} is not a number; write it like 3.50")
    try:
        amount = Decimal(text)
    except InvalidOperation:  # the pattern admits only digits and one point; kept for safety
        raise FieldError(field, f"{text[:30]!r} is not a number; write it like 3.50") from None
    # The size first: 30 digits cannot even be rounded to the cent (an error, not an answer).
    if amount > MAX_MONEY:
        raise FieldError(field, f"{text[:30]} is too large (at most {MAX_MONEY})")
    if amount != amount.quantize(Decimal("0.01")):
        raise FieldError(field, f"{text[:30]} has more than 2 decimals; prices are in cents")
    return amount.quantize(Decimal("0.01"))


def tax_code(field: str, value: str | None) -> str:
    code = (value or "").strip().upper()
    if not code:
        raise FieldError(field, f"missing; use one of {', '.join(TAX_CODES)}")
    if code not in TAX_CODES:
        known = ", ".join(TAX_CODES)
        raise FieldError(field, f"unknown tax code {code[:10]!r}; use one of {known}")
    return code


def barcode(field: str, value: str | None) -> str:
    code = (value or "").strip()
    if not code:
        raise FieldError(field, "missing")
    if not _BARCODE.fullmatch(code):
        raise FieldError(
            field,
            f"{code[:60]!r} is not a barcode: 1 to 48 letters, digits or dashes, no spaces",
        )
    return code


def barcodes(field: str, value: str | None) -> list[str]:
    """Several barcodes in one cell, separated by spaces or semicolons."""
    return [barcode(field, part) for part in re.split(r"[\s;]+", (value or "").strip()) if part]


def flag(field: str, value: str | None, *, default: bool) -> bool:
    text = (value or "").strip().lower()
    if not text:
        return default
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise FieldError(field, f"{text[:20]!r} is not yes or no")


def staff_code(field: str, value: str | None) -> str:
    code = (value or "").strip().upper()
    if not code:
        raise FieldError(field, "missing; it is what the cashier types at the till")
    if not _STAFF_CODE.fullmatch(code):
        raise FieldError(field, f"{code[:20]!r} is not a staff code: 1 to 12 letters and digits")
    return code


def till_role(field: str, value: str | None) -> str:
    role = (value or "").strip().lower()
    if role not in TILL_ROLES:
        shown = role[:20] or "nothing"
        raise FieldError(field, f"{shown!r} is not a till role; use {', '.join(TILL_ROLES)}")
    return role


def pin(field: str, value: str | None) -> str:
    """The PIN itself is never echoed back in a message."""
    text = value or ""
    if not PIN_PATTERN.fullmatch(text):
        raise FieldError(field, "a PIN is 4 to 8 digits")
    return text


def moment(field: str, value: str | None) -> datetime | None:
    """A Singapore date-time (``2026-12-01 09:00``, ``2026-12-01T09:00`` or a date, meaning
    its midnight) as an aware datetime; empty means none."""
    text = (value or "").strip()
    if not text:
        return None
    match = _MOMENT.fullmatch(text)
    if match is None:
        raise FieldError(field, f"{text[:30]!r} is not a date and time like 2026-12-01 09:00")
    day, hour, minute = match[1], match[2] or "0", match[3] or "0"
    try:
        naive = datetime.strptime(f"{day} {hour}:{minute}", "%Y-%m-%d %H:%M")  # noqa: DTZ007
    except ValueError:
        raise FieldError(field, f"{text[:30]!r} is not a real date and time") from None
    # Head office thinks in Singapore time whatever the server's own timezone is.
    return naive.replace(tzinfo=SINGAPORE)
