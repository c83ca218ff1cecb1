"""PayNow QR payloads: exact known-good output, round trips, and refusal of bad input."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.paynow import (
    PayNowError,
    PayNowPayload,
    build_payload,
    crc16,
    merchant_name_ascii,
    parse_payload,
)

KNOWN = (
    "00020101021226470009SG.PAYNOW010120208123456780301004082026030452040000530370254040.99"
    "5802SG5911testcompany6009Singapore62270123testordernumber1234567863040047"
)
KNOWN_ARGS: dict[str, Any] = {
    "proxy_type": "uen",
    "proxy_value": "12345678",
    "amount": Decimal("0.99"),
    "editable": False,
    "expiry": date(2026, 3, 4),
    "reference": "testordernumber12345678",
    "merchant_name": "testcompany",
    "merchant_city": "Singapore",
}
KNOWN_BODY = KNOWN[:-8]  # everything before "6304" and the CRC
KNOWN_ACCOUNT = "26470009SG.PAYNOW0101202081234567803010040820260304"  # object 26


def _sign(body: str) -> str:
    """A payload with a correct CRC, so parsing gets past the CRC to the fault under test."""
    return body + "6304" + crc16(body + "6304")


def _top_level_ids(payload: str) -> list[str]:
    ids, pos = [], 0
    while pos < len(payload):
        ids.append(payload[pos : pos + 2])
        pos += 4 + int(payload[pos + 2 : pos + 4])
    return ids


def test_crc_check_value() -> None:
    assert crc16("123456789") == "29B1"


def test_known_good_example_is_built_exactly() -> None:
    assert build_payload(**KNOWN_ARGS) == KNOWN


def test_known_good_example_parses_back() -> None:
    parsed = parse_payload(KNOWN)
    assert parsed.proxy_type == "uen"
    assert parsed.proxy_value == "12345678"
    assert parsed.amount == Decimal("0.99")
    assert parsed.editable is False
    assert parsed.expiry == date(2026, 3, 4)
    assert parsed.reference == "testordernumber12345678"
    assert parsed.merchant_name == "testcompany"
    assert parsed.merchant_city == "Singapore"


def test_mobile_proxy_code() -> None:
    payload = build_payload(
        proxy_type="mobile", proxy_value="+6591234567", amount=Decimal("12.5"), editable=False
    )
    assert "010100211+659123456703010" in payload
    assert "540512.50" in payload
    assert parse_payload(payload) == PayNowPayload(
        proxy_type="mobile",
        proxy_value="+6591234567",
        amount=Decimal("12.50"),
        editable=False,
        expiry=None,
        reference=None,
        merchant_name="NA",
        merchant_city="Singapore",
    )


def test_static_editable_code_has_no_amount() -> None:
    payload = build_payload(proxy_type="uen", proxy_value="201403121W", amount=None, editable=True)
    assert payload.startswith("000201010211")
    assert "54" not in _top_level_ids(payload)
    parsed = parse_payload(payload)
    assert parsed.amount is None
    assert parsed.editable is True


def test_datetime_expiry_round_trips_with_time_of_day() -> None:
    expiry = datetime(2026, 3, 4, 17, 30, 5)  # noqa: DTZ001 - PayNow expiry is Singapore time
    payload = build_payload(**{**KNOWN_ARGS, "expiry": expiry})
    assert "041420260304173005" in payload
    assert parse_payload(payload).expiry == expiry


def test_unknown_proxy_type_is_reported_as_its_raw_code() -> None:
    parsed = parse_payload(_sign(KNOWN_BODY.replace("010120", "010130")))
    assert parsed.proxy_type == "3"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"merchant_name": "x" * 26}, r"merchant_name is 26 characters; the limit is 25"),
        ({"merchant_city": "x" * 16}, r"merchant_city is 16 characters; the limit is 15"),
        ({"reference": "x" * 26}, r"reference is 26 characters; the limit is 25"),
        ({"merchant_name": ""}, r"merchant_name must not be empty"),
        ({"merchant_name": "Café Ñ"}, r"merchant_name must be printable ASCII"),
        ({"merchant_city": "新加坡"}, r"merchant_city must be printable ASCII"),
        ({"reference": "order\n1"}, r"reference must be printable ASCII"),
        ({"proxy_type": "email"}, r"proxy_type must be 'mobile' or 'uen'"),
        ({"proxy_type": "mobile", "proxy_value": "91234567"}, r"\+65 followed by 8 digits"),
        ({"proxy_type": "mobile", "proxy_value": "+659123456"}, r"\+65 followed by 8 digits"),
        ({"proxy_type": "mobile", "proxy_value": "+65912345678"}, r"\+65 followed by 8 digits"),
        ({"proxy_type": "mobile", "proxy_value": "+65 9123 4567"}, r"\+65 followed by 8 digits"),
        ({"proxy_type": "mobile", "proxy_value": "+65٩١٢٣٤٥٦٧"}, r"\+65 followed by 8 digits"),
        ({"proxy_value": ""}, r"UEN proxy_value must be non-empty"),
        ({"proxy_value": "201403121w"}, r"UEN .*only A-Z and 0-9"),
        ({"proxy_value": "2014-0312"}, r"UEN .*only A-Z and 0-9"),
        ({"proxy_value": "A" * 100}, r"proxy_value is 100 characters; .* at most 99"),
        ({"proxy_value": "A" * 80}, r"PayNow template \(26\) is \d+ characters; .* at most 99"),
        ({"amount": Decimal("-1.00")}, r"amount must be positive"),
        ({"amount": Decimal("0")}, r"amount must be positive"),
        ({"amount": Decimal("0.001")}, r"more than 2 decimal places"),
        ({"amount": Decimal("1.005")}, r"more than 2 decimal places"),
        ({"amount": Decimal("NaN")}, r"amount must be a finite number"),
        ({"amount": Decimal("sNaN")}, r"amount must be a finite number"),
        ({"amount": Decimal("Infinity")}, r"amount must be a finite number"),
        ({"amount": Decimal("10000000000.00")}, r"too large; the maximum is 9999999999.99"),
        ({"amount": 0.99}, r"amount must be a Decimal, not float"),
        ({"amount": 1}, r"amount must be a Decimal, not int"),
        ({"amount": None, "editable": False}, r"amount is None, so editable must be True"),
        ({"expiry": "20260304"}, r"expiry must be a date or datetime"),
    ],
)
def test_build_refuses_bad_input(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(PayNowError, match=message):
        build_payload(**{**KNOWN_ARGS, **changes})


def test_largest_amount_fits() -> None:
    payload = build_payload(**{**KNOWN_ARGS, "amount": Decimal("9999999999.99")})
    assert parse_payload(payload).amount == Decimal("9999999999.99")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (KNOWN[:-4] + "FFFF", r"CRC mismatch, expected 0047, found 'FFFF'"),
        (KNOWN[:-7], r"payload: truncated object at position"),
        (KNOWN[:-2], r"object 63 declares 4 characters but runs past the end"),
        (KNOWN_BODY, r"CRC object 63 is missing"),
        (KNOWN + "6401X", r"CRC object 63 must be the last object"),
        ("", r"CRC object 63 is missing"),
        (KNOWN.replace("testcompany", "testcompañy"), r"payload must be printable ASCII"),
        (_sign(KNOWN_BODY.replace("5802SG", "58XXSG")), r"length 'XX' of object 58"),
        (_sign(KNOWN_BODY.replace("5802SG", "5A02SG")), r"object ID '5A' at position"),
        (
            _sign(KNOWN_BODY.replace("520400005303702", "530370252040000")),
            r"object 52 follows 53; IDs must be ascending",
        ),
        (_sign(KNOWN_BODY.replace("5303702", "53037025303702")), r"duplicate object ID 53"),
        (_sign(KNOWN_BODY[6:]), r"mandatory object 00 \(payload format indicator\) is missing"),
        (
            _sign(KNOWN_BODY.replace(KNOWN_ACCOUNT, "")),
            r"mandatory object 26 \(PayNow merchant account\) is missing",
        ),
        (_sign(KNOWN_BODY.replace("5303702", "")), r"mandatory object 53 .* is missing"),
        (_sign(KNOWN_BODY.replace("5802SG", "")), r"mandatory object 58 .* is missing"),
        (_sign(KNOWN_BODY.replace("5303702", "5303840")), r"currency \(53\) must be 702 \(SGD\)"),
        (_sign(KNOWN_BODY.replace("000201", "000202")), r"format indicator \(00\) must be '01'"),
        (_sign(KNOWN_BODY.replace("010212", "010213")), r"point of initiation \(01\)"),
        (_sign(KNOWN_BODY.replace("SG.PAYNOW", "SG.PAYNOX")), r"GUID must be SG.PAYNOW"),
        (_sign(KNOWN_BODY.replace("0208", "0299")), r"PayNow template \(26\): object 02 .*end"),
        (_sign(KNOWN_BODY.replace("0301004", "0301204")), r"editable must be 0 or 1"),
        (_sign(KNOWN_BODY.replace("20260304", "20261304")), r"expiry \(26.04\) must be a real"),
        (_sign(KNOWN_BODY.replace("54040.99", "54040.00")), r"amount \(54\) must be a positive"),
        (_sign(KNOWN_BODY.replace("54040.99", "54041e-2")), r"amount \(54\) must be a positive"),
    ],
)
def test_parse_refuses_bad_payload(text: str, message: str) -> None:
    with pytest.raises(PayNowError, match=message):
        parse_payload(text)


VALID_PAYLOADS = [
    KNOWN,
    build_payload(proxy_type="mobile", proxy_value="+6591234567", amount=None, editable=True),
]


@given(
    payload=st.sampled_from(VALID_PAYLOADS),
    position=st.integers(min_value=0),
    replacement=st.characters(),
)
def test_any_single_character_change_is_detected(
    payload: str, position: int, replacement: str
) -> None:
    position %= len(payload)
    if payload[position] == replacement:
        replacement = "Z" if replacement != "Z" else "Y"
    damaged = payload[:position] + replacement + payload[position + 1 :]
    with pytest.raises(PayNowError):
        parse_payload(damaged)


_printable = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


@given(
    proxy=st.one_of(
        st.tuples(st.just("mobile"), st.from_regex(r"\+65[0-9]{8}", fullmatch=True)),
        st.tuples(st.just("uen"), st.from_regex(r"[A-Z0-9]{1,10}", fullmatch=True)),
    ),
    amount=st.none()
    | st.decimals(
        min_value=Decimal("0.01"),
        max_value=Decimal("9999999999.99"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    ),
    editable=st.booleans(),
    expiry=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    reference=st.none() | st.text(_printable, min_size=1, max_size=25),
    merchant_name=st.text(_printable, min_size=1, max_size=25),
    merchant_city=st.text(_printable, min_size=1, max_size=15),
)
def test_build_then_parse_round_trips(
    proxy: tuple[str, str],
    amount: Decimal | None,
    editable: bool,
    expiry: date | None,
    reference: str | None,
    merchant_name: str,
    merchant_city: str,
) -> None:
    editable = editable or amount is None  # a static code must be editable
    payload = build_payload(
        proxy_type="mobile" if proxy[0] == "mobile" else "uen",
        proxy_value=proxy[1],
        amount=amount,
        editable=editable,
        expiry=expiry,
        reference=reference,
        merchant_name=merchant_name,
        merchant_city=merchant_city,
    )
    assert parse_payload(payload) == PayNowPayload(
        proxy_type=proxy[0],
        proxy_value=proxy[1],
        amount=amount,
        editable=editable,
        expiry=expiry,
        reference=reference,
        merchant_name=merchant_name,
        merchant_city=merchant_city,
    )


@pytest.mark.parametrize(
    ("shop", "in_qr"),
    [
        ("Café Lumière", "Cafe Lumiere"),
        ("Crème Brûlée & Co. Pte Ltd", "Creme Brulee & Co. Pte Lt"),  # 25 characters
        ("小王子咖啡", "NA"),
        ("龍記 Dragon Mart", "Dragon Mart"),
        ("ｓｇ　ＭＡＲＴ", "sg MART"),  # full-width letters and space
        ("Tab\tand\nnewline", "Tab and newline"),
        ("", "NA"),
        ("😀", "NA"),
    ],
)
def test_any_shop_name_becomes_a_merchant_name_a_qr_can_carry(shop: str, in_qr: str) -> None:
    assert merchant_name_ascii(shop) == in_qr
    payload = build_payload(**{**KNOWN_ARGS, "merchant_name": merchant_name_ascii(shop)})
    assert parse_payload(payload).merchant_name == in_qr


@given(st.text(max_size=80))
def test_no_shop_name_stops_a_paynow_payload(shop: str) -> None:
    name = merchant_name_ascii(shop)
    assert 1 <= len(name) <= 25 and name.isascii() and name.isprintable()
    assert (
        parse_payload(build_payload(**{**KNOWN_ARGS, "merchant_name": name})).merchant_name == name
    )
