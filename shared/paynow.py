"""PayNow QR payloads: SGQR, i.e. EMVCo QR Code merchant-presented mode (MPM).

An EMVCo MPM payload is a flat run of objects, each a two-digit ID, a two-digit decimal length
and the value; templates (26, 62) nest the same encoding. PayNow lives in merchant account
template 26 under the GUID ``SG.PAYNOW``: proxy type (0 mobile, 2 UEN), proxy value, the
amount-editable flag and an optional expiry. Object 63 closes the payload with a
CRC-16/CCITT-FALSE computed over everything before its value, the ``6304`` header included.
This team writes objects in ascending ID order with the CRC last, and parsing insists on that.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Literal

__all__ = ["PayNowError", "PayNowPayload", "build_payload", "crc16", "parse_payload"]

_GUID = "SG.PAYNOW"
_PROXY_CODES = {"mobile": "0", "uen": "2"}
_PROXY_NAMES = {code: name for name, code in _PROXY_CODES.items()}
_MOBILE = re.compile(r"\+65[0-9]{8}")
_UEN = re.compile(r"[A-Z0-9]+")
_TWO_DIGITS = re.compile(r"[0-9]{2}")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
_CENT = Decimal("0.01")
# 13 characters is the EMVCo maximum length of object 54.
_MAX_AMOUNT = Decimal("9999999999.99")
# Expiry is Singapore wall-clock time; the payload carries no offset.
_SGT = timezone(timedelta(hours=8), "SGT")
_MANDATORY = {
    "00": "payload format indicator",
    "26": "PayNow merchant account",
    "52": "merchant category code",
    "53": "transaction currency",
    "58": "country code",
    "59": "merchant name",
    "60": "merchant city",
}


class PayNowError(ValueError):
    """A PayNow payload that cannot be built or parsed; the message names the field and why."""


@dataclass(frozen=True)
class PayNowPayload:
    """What a PayNow QR code asks the payer's banking app to do."""

    proxy_type: str  # "mobile", "uen", or the raw digit code of any other proxy type
    proxy_value: str
    amount: Decimal | None
    editable: bool
    expiry: date | datetime | None
    reference: str | None
    merchant_name: str
    merchant_city: str


def crc16(text: str) -> str:
    """CRC-16/CCITT-FALSE of ``text`` as four upper-case hex digits (``"123456789"`` → 29B1)."""
    crc = 0xFFFF
    for byte in text.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return f"{crc:04X}"


def _tlv(tag: str, value: str, field: str) -> str:
    if len(value) > 99:
        raise PayNowError(f"{field} is {len(value)} characters; an EMVCo object holds at most 99")
    return f"{tag}{len(value):02d}{value}"


def _text(value: str, field: str, limit: int) -> str:
    if not value:
        raise PayNowError(f"{field} must not be empty")
    if not (value.isascii() and value.isprintable()):
        raise PayNowError(f"{field} must be printable ASCII (no accents, emoji, CJK): {value!r}")
    if len(value) > limit:
        raise PayNowError(f"{field} is {len(value)} characters; the limit is {limit}: {value!r}")
    return value


def _format_amount(amount: Decimal) -> str:
    if not isinstance(amount, Decimal):
        raise PayNowError(
            f"amount must be a Decimal, not {type(amount).__name__}: money is never a float"
        )
    if not amount.is_finite():
        raise PayNowError(f"amount must be a finite number, got {amount}")
    if amount <= 0:
        raise PayNowError(f"amount must be positive, got {amount}; use None for a static code")
    if amount > _MAX_AMOUNT:
        raise PayNowError(f"amount {amount} is too large; the maximum is {_MAX_AMOUNT}")
    cents = amount.quantize(_CENT)
    if cents != amount:
        raise PayNowError(f"amount {amount} has more than 2 decimal places")
    return f"{cents:f}"


def _format_expiry(expiry: date | datetime) -> str:
    # f-strings rather than strftime: strftime does not zero-pad years before 1000 on glibc.
    if isinstance(expiry, datetime):
        if expiry.tzinfo is not None:
            expiry = expiry.astimezone(_SGT)
        return f"{expiry.year:04d}{expiry:%m%d%H%M%S}"
    if isinstance(expiry, date):
        return f"{expiry.year:04d}{expiry:%m%d}"
    raise PayNowError(f"expiry must be a date or datetime, not {type(expiry).__name__}")


def merchant_name_ascii(name: str) -> str:
    """The shop's name as a QR's merchant name (object 59) can carry it: printable ASCII, at
    most 25 characters. Accents are taken off ("Café Lumière" -> "Cafe Lumiere"); what has no
    ASCII form (Chinese, emoji) is dropped, and a name with nothing left becomes "NA", so a
    shop's name never stops it taking PayNow."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = "".join(ch if ch.isprintable() else " " for ch in plain).split()
    return " ".join(words)[:25].strip() or "NA"


def build_payload(
    *,
    proxy_type: Literal["mobile", "uen"],
    proxy_value: str,
    amount: Decimal | None,
    editable: bool,
    expiry: date | datetime | None = None,
    reference: str | None = None,
    merchant_name: str = "NA",
    merchant_city: str = "Singapore",
) -> str:
    """The PayNow QR text for these details; a naive ``expiry`` is taken as Singapore time."""
    if proxy_type == "mobile":
        if not _MOBILE.fullmatch(proxy_value):
            raise PayNowError(
                "mobile proxy_value must be +65 followed by 8 digits, e.g. +6591234567; "
                f"got {proxy_value!r}"
            )
    elif proxy_type == "uen":
        if not _UEN.fullmatch(proxy_value):
            raise PayNowError(
                f"UEN proxy_value must be non-empty and use only A-Z and 0-9; got {proxy_value!r}"
            )
    else:
        raise PayNowError(f"proxy_type must be 'mobile' or 'uen', got {proxy_type!r}")
    if amount is None and not editable:
        # A static code with a fixed amount would leave the payer nothing to pay.
        raise PayNowError("amount is None, so editable must be True: the payer enters the amount")
    account = [
        _tlv("00", _GUID, "PayNow GUID"),
        _tlv("01", _PROXY_CODES[proxy_type], "proxy_type"),
        _tlv("02", proxy_value, "proxy_value"),
        _tlv("03", "1" if editable else "0", "editable"),
    ]
    if expiry is not None:
        account.append(_tlv("04", _format_expiry(expiry), "expiry"))
    objects = [
        _tlv("00", "01", "payload format indicator"),
        _tlv("01", "11" if amount is None else "12", "point of initiation"),
        _tlv("26", "".join(account), "PayNow template (26)"),
        _tlv("52", "0000", "merchant category code"),
        _tlv("53", "702", "currency"),
    ]
    if amount is not None:
        objects.append(_tlv("54", _format_amount(amount), "amount"))
    objects += [
        _tlv("58", "SG", "country code"),
        _tlv("59", _text(merchant_name, "merchant_name", 25), "merchant_name"),
        _tlv("60", _text(merchant_city, "merchant_city", 15), "merchant_city"),
    ]
    if reference is not None:
        bill = _tlv("01", _text(reference, "reference", 25), "reference")
        objects.append(_tlv("62", bill, "additional data (62)"))
    body = "".join(objects) + "6304"
    return body + crc16(body)


def _split(text: str, where: str) -> dict[str, str]:
    objects: dict[str, str] = {}
    pos, last = 0, ""
    while pos < len(text):
        tag, size = text[pos : pos + 2], text[pos + 2 : pos + 4]
        if len(tag) + len(size) < 4:
            raise PayNowError(f"{where}: truncated object at position {pos}: {text[pos:]!r}")
        if not _TWO_DIGITS.fullmatch(tag):
            raise PayNowError(f"{where}: object ID {tag!r} at position {pos} is not two digits")
        if not _TWO_DIGITS.fullmatch(size):
            raise PayNowError(f"{where}: length {size!r} of object {tag} is not two digits")
        end = pos + 4 + int(size)
        if end > len(text):
            raise PayNowError(
                f"{where}: object {tag} declares {int(size)} characters but runs past the end "
                "(truncated payload?)"
            )
        if tag in objects:
            raise PayNowError(f"{where}: duplicate object ID {tag}")
        if tag < last:
            raise PayNowError(f"{where}: object {tag} follows {last}; IDs must be ascending")
        objects[tag], pos, last = text[pos + 4 : end], end, tag
    return objects


def _parse_amount(value: str) -> Decimal:
    if not _AMOUNT.fullmatch(value) or Decimal(value) <= 0:
        raise PayNowError(f"amount (54) must be a positive number like 12.50, got {value!r}")
    return Decimal(value)


def _parse_expiry(value: str) -> date | datetime:
    if value.isdigit() and len(value) in (8, 14):
        padded = value.ljust(14, "0")
        year = int(padded[:4])
        month, day, hour, minute, second = (int(padded[i : i + 2]) for i in range(4, 14, 2))
        try:
            if len(value) == 8:
                return date(year, month, day)
            # Singapore wall-clock time: the payload carries no offset to attach.
            return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001
        except ValueError:
            pass
    raise PayNowError(f"expiry (26.04) must be a real YYYYMMDD or YYYYMMDDHHMMSS, got {value!r}")


def parse_payload(text: str) -> PayNowPayload:
    """Read a PayNow QR text back, checking structure, CRC and the PayNow template."""
    if not (text.isascii() and text.isprintable()):
        raise PayNowError("payload must be printable ASCII; was the QR text decoded correctly?")
    top = _split(text, "payload")
    if "63" not in top:
        raise PayNowError("payload: CRC object 63 is missing")
    if list(top)[-1] != "63":
        raise PayNowError("payload: CRC object 63 must be the last object")
    found, expected = top["63"], crc16(text[:-4])
    if len(found) != 4 or found != expected:
        raise PayNowError(
            f"payload: CRC mismatch, expected {expected}, found {found!r}; "
            "the code is damaged or was mis-scanned"
        )
    for tag, name in _MANDATORY.items():
        if tag not in top:
            raise PayNowError(f"payload: mandatory object {tag} ({name}) is missing")
    if top["00"] != "01":
        raise PayNowError(f"payload format indicator (00) must be '01', got {top['00']!r}")
    if top.get("01", "11") not in ("11", "12"):
        raise PayNowError(f"point of initiation (01) must be 11 or 12, got {top['01']!r}")
    if top["53"] != "702":
        raise PayNowError(f"currency (53) must be 702 (SGD) for PayNow, got {top['53']!r}")
    account = _split(top["26"], "PayNow template (26)")
    if account.get("00") != _GUID:
        raise PayNowError(f"PayNow template (26): GUID must be {_GUID}, got {account.get('00')!r}")
    for tag, name in {"01": "proxy type", "02": "proxy value", "03": "editable"}.items():
        if tag not in account:
            raise PayNowError(f"PayNow template (26): object {tag} ({name}) is missing")
    proxy_code, editable = account["01"], account["03"]
    if not proxy_code.isdigit():
        raise PayNowError(f"PayNow template (26): proxy type must be digits, got {proxy_code!r}")
    if editable not in ("0", "1"):
        raise PayNowError(f"PayNow template (26): editable must be 0 or 1, got {editable!r}")
    return PayNowPayload(
        proxy_type=_PROXY_NAMES.get(proxy_code, proxy_code),
        proxy_value=account["02"],
        amount=_parse_amount(top["54"]) if "54" in top else None,
        editable=editable == "1",
        expiry=_parse_expiry(account["04"]) if "04" in account else None,
        reference=_split(top["62"], "additional data (62)").get("01") if "62" in top else None,
        merchant_name=top["59"],
        merchant_city=top["60"],
    )
