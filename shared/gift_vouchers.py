"""The shop's own gift vouchers: serial numbers, what a voucher is worth, and whether a till
may sell or take one.

A batch is a series: a prefix head office chooses (``GV50``), a count and a face value; its
vouchers are numbered ``<prefix>-000001`` upwards, so a serial names its batch by its prefix.
A voucher is sold (activated) at a till for its face value and then redeemed, in one go or in
parts, until nothing is left or it expires. No change is ever given from a voucher: what is not
used stays on it (docs/customers.md, "Gift vouchers").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.cart import SaleError

PREFIX_PATTERN = r"^[A-Z][A-Z0-9]{1,7}$"
SERIAL_PATTERN = r"^[A-Z][A-Z0-9]{1,7}-\d{6}$"
MAX_BATCH = 10000  # vouchers in one batch
_SERIAL = re.compile(SERIAL_PATTERN)
_PREFIX = re.compile(PREFIX_PATTERN)


class VoucherError(SaleError):
    """A gift voucher cannot be sold or taken; the message says why and what to do."""


def serial_of(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def parse_serial(text: str) -> tuple[str, int]:
    """``(prefix, number)`` of a serial as typed or scanned (spaces and case forgiven)."""
    serial = text.strip().upper().replace(" ", "")
    if not _SERIAL.match(serial):
        raise VoucherError(
            f"{text.strip()[:30]!r} is not a gift voucher serial (like GV50-000123): "
            "scan the barcode on the voucher or type the number printed under it"
        )
    prefix, number = serial.split("-")
    return prefix, int(number)


def check_prefix(prefix: str) -> str:
    if not _PREFIX.match(prefix):
        raise VoucherError(
            f"{prefix[:20]!r} is not a series prefix: 2 to 8 capital letters or digits, "
            "starting with a letter (GV50)"
        )
    return prefix


@dataclass(frozen=True)
class VoucherBatch:
    """A series as the till knows it from head office."""

    batch_id: str
    prefix: str
    count: int
    face_value: Decimal
    expires_on: date | None
    voided: frozenset[str] = frozenset()

    def holds(self, number: int) -> bool:
        return 1 <= number <= self.count


def check_sellable(
    batch: VoucherBatch | None, serial: str, today: date, *, sold_here: bool
) -> None:
    """Refuse selling ``serial`` that does not exist, is void, expired or already sold here."""
    _check_usable(batch, serial, today)
    if sold_here:
        raise VoucherError(f"gift voucher {serial} was already sold at this till")


def check_redeemable(
    batch: VoucherBatch | None,
    serial: str,
    today: date,
    amount: Decimal,
    remaining: Decimal,
) -> None:
    """Refuse taking ``amount`` from ``serial`` when it does not exist, is void or expired,
    or holds less than ``amount`` (``remaining``: face value less this till's redemptions)."""
    _check_usable(batch, serial, today)
    if remaining <= 0:
        raise VoucherError(f"gift voucher {serial} is used up: take another payment")
    if amount > remaining:
        raise VoucherError(
            f"gift voucher {serial} has ${remaining:,.2f} left, less than ${amount:,.2f}: "
            f"take ${remaining:,.2f} from it and the rest another way (no change is given)"
        )


def _check_usable(batch: VoucherBatch | None, serial: str, today: date) -> None:
    _, number = parse_serial(serial)
    if batch is None or not batch.holds(number):
        raise VoucherError(
            f"no gift voucher {serial} was issued by head office: check the number, or "
            "the till has not yet received that batch (sync, then try again)"
        )
    if serial in batch.voided:
        raise VoucherError(f"gift voucher {serial} was voided by head office: do not accept it")
    if batch.expires_on is not None and today > batch.expires_on:
        raise VoucherError(
            f"gift voucher {serial} expired on {batch.expires_on:%d %b %Y}: it cannot be used"
        )
