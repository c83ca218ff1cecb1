"""Singapore customer details as a shop may keep them (PDPA), for members and business customers.

- A **mobile number** is 8 digits starting with 8 or 9, kept as ``+65`` and the 8 digits
  however it was typed (``9123 4567``, ``+65 9123-4567``, ``6591234567``).
- A **member number** is minted on the till that enrols the member, ``M-<outlet>-<till>-NNNNN``,
  unique by construction like a receipt number: no central allocation, so enrolment works
  offline.
- A **UEN** (ACRA's Unique Entity Number) has one of three shapes: a business ``nnnnnnnnX``,
  a local company ``yyyynnnnnX``, any other entity ``TyyPQnnnnX``.
- **No NRIC or FIN, ever** (PDPC advisory guidelines, from 1 Sep 2019): text shaped like one is
  refused wherever a person's or company's details are typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MEMBER_NO_PATTERN",
    "UEN_PATTERN",
    "CustomerDetailError",
    "MemberNumber",
    "check_no_nric",
    "mobile_number",
    "valid_uen",
]

# The member number as the protocol checks it; ``MemberNumber`` makes and reads it.
MEMBER_NO_PATTERN = r"^M-[A-Z0-9]{2,8}-[A-Z0-9]{2,8}-[0-9]{5,9}$"
UEN_PATTERN = r"^([0-9]{8}[A-Z]|[0-9]{9}[A-Z]|[RST][0-9]{2}[A-Z]{2}[0-9]{4}[A-Z])$"
# S/T (citizens and PRs), F/G/M (foreigners' FIN), 7 digits and a check letter.
_NRIC = re.compile(r"(?<![A-Z0-9])[STFGM]\s*\d{7}\s*[A-Z](?![A-Z0-9])", re.IGNORECASE)
_MEMBER = re.compile(MEMBER_NO_PATTERN)
_UEN = re.compile(UEN_PATTERN)


class CustomerDetailError(ValueError):
    """A customer detail that cannot be kept as typed; the message says what to do."""


def check_no_nric(text: str, what: str) -> None:
    """Refuse ``text`` if any part of it looks like an NRIC or FIN number."""
    if _NRIC.search(text):
        raise CustomerDetailError(
            f"the {what} looks like an NRIC or FIN number: the shop must not record one "
            "(PDPA). Leave it out"
        )


def mobile_number(typed: str) -> str:
    """``+65`` and the 8 digits of a Singapore mobile number typed any usual way."""
    digits = re.sub(r"[\s\-()]", "", typed)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("65"):
            raise CustomerDetailError(
                f"{typed.strip()!r} is not a Singapore number: only +65 mobile numbers are kept"
            )
    if len(digits) == 10 and digits.startswith("65"):
        digits = digits[2:]
    if not (digits.isascii() and digits.isdigit() and len(digits) == 8):
        raise CustomerDetailError(
            f"{typed.strip()!r} is not a mobile number: type its 8 digits, e.g. 9123 4567"
        )
    if digits[0] not in "89":
        raise CustomerDetailError(
            f"{digits} is not a mobile number (Singapore mobiles start with 8 or 9)"
        )
    return f"+65{digits}"


def valid_uen(typed: str) -> str:
    """The UEN in capitals without spaces, or CustomerDetailError saying its shapes."""
    uen = "".join(typed.split()).upper()
    if not _UEN.fullmatch(uen):
        raise CustomerDetailError(
            f"{typed.strip()!r} is not a UEN: it is 9 or 10 characters, e.g. 53312345K, "
            "201912345K or T09LL1234A"
        )
    return uen


@dataclass(frozen=True, order=True)
class MemberNumber:
    outlet_code: str
    till_code: str
    serial: int

    def __str__(self) -> str:
        return f"M-{self.outlet_code}-{self.till_code}-{self.serial:05d}"

    @classmethod
    def parse(cls, text: str) -> MemberNumber:
        compact = "".join(text.split()).upper()
        if not _MEMBER.fullmatch(compact):
            raise CustomerDetailError(
                f"{text.strip()!r} is not a member number (like M-ORC-T01-00012)"
            )
        _, outlet, till, serial = compact.split("-")
        return cls(outlet, till, int(serial))
