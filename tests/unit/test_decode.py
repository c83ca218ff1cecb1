"""Head office's fast decoder never accepts what pydantic refuses, nor reads a value otherwise.

Payloads are generated around a valid sale or refund with values at and past every limit
(lengths, counts, money and quantity forms, moments, ids, patterns, floats, unknown and missing
fields). For each: the event through ``decode.parsed_payload`` must get pydantic's verdict and
message, and whatever the fast path itself accepts must be accepted by the model with the very
same values.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from shared.protocol import (
    Event,
    EventKind,
    PayloadError,
    PushRequest,
    RefundCompletedV1,
    SaleCompletedV1,
)
from shared.wire import canonical_json, canonical_typed_json
from sync_service.central import decode

TILL = uuid.UUID("6a1c1c0e-0000-4000-8000-000000000001")


def _line(n: int) -> dict[str, Any]:
    return {
        "line_id": str(uuid.UUID(int=n + 10)),
        "product_id": str(uuid.UUID(int=n + 1000)),
        "sku": "SKU-1",
        "name": "Kopi-O 1kg",
        "quantity": "1.5",
        "unit_price": "12.50",
        "list_price": "12.50",
        "line_discount": "0.00",
        "cart_discount": "0.00",
        "amount": "18.75",
        "tax_code": "SR",
        "gst_rate": "9",
        "gst": "1.55",
        "approved_by": None,
    }


SALE: dict[str, Any] = {
    "sale_id": str(uuid.UUID(int=1)),
    "receipt_no": "ORC-T01-000001",
    "shift_id": str(uuid.UUID(int=2)),
    "cashier_id": str(uuid.UUID(int=3)),
    "sold_at": "2026-12-04T10:00:00.123456Z",
    "lines": [_line(0)],
    "tenders": [{"type": "card", "amount": "18.75", "reference": "A1", "card_last4": "1234"}],
    "subtotal": "18.75",
    "discount_total": "0.00",
    "total": "18.75",
    "gst_total": "1.55",
    "rounding": "0.00",
    "change": "0.00",
    "customer_id": None,
}
REFUND: dict[str, Any] = {
    "refund_id": str(uuid.UUID(int=4)),
    "receipt_no": "ORC-T01-000002",
    "original_sale_id": str(uuid.UUID(int=1)),
    "original_receipt_no": "ORC-T01-000001",
    "is_void": False,
    "reason": "wrong size",
    "shift_id": str(uuid.UUID(int=2)),
    "cashier_id": str(uuid.UUID(int=3)),
    "approved_by": None,
    "refunded_at": "2026-12-04T18:00:00+08:00",
    "lines": [
        {
            "line_id": str(uuid.UUID(int=10)),
            "product_id": str(uuid.UUID(int=1000)),
            "name": "Kopi-O 1kg",
            "quantity": "1.5",
            "amount": "18.75",
            "gst": "1.55",
            "gst_rate": "9",
            "tax_code": "SR",
        }
    ],
    "tenders": [{"type": "cash", "amount": "18.75"}],
    "total": "18.75",
    "gst_total": "1.55",
    "rounding": "0.00",
}

_NUMBERISH = [
    "0", "0.00", "-0.00", "12.50", "12.5", "12.500", "1.005", "0.375", "0.3755", "1.5000",
    "999999.999", "1000000.000", "-999999.999", "999999999999.99", "1000000000000.00",
    "-999999999999.99", "100", "100.00", "100.01", "101", "-9", "9.0", "9.00", "9.000",
    "1E+1", "1e2", "1E-2", " 1.00", "1.00 ", "1.00\n", "+1.00", "١.٠٠", "１.００", "NaN",
    "Infinity", "-Infinity", "", ".50", "1.", "0001.00", "1_000.00", "0x10", "１",
]  # fmt: skip
_MOMENTS = [
    "2026-12-04T10:00:00Z", "2026-12-04T10:00:00.5+08:00", "2026-12-04T10:00:00.1234567Z",
    "2026-12-04T10:00:00+0800", "2026-12-04 10:00:00Z", "2026-12-04t10:00:00z",
    "2026-12-04T10:00:00", "2026-02-30T10:00:00Z", "2026-12-04T24:00:00Z",
    "2026-12-04T23:59:60Z", "2026-12-04T10:00:00-00:00", "2026-12-04T10:00:00+23:59",
    "2026-12-04T10:00:00+24:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
    "2026-12-04T10:00:00.Z", "2026-12-04T10:00Z", "2026-12-04", "2026-12-04T10:00:00Z\n",
    "２０２６-12-04T10:00:00Z", "1700000000",
]  # fmt: skip
_IDS = [
    str(uuid.UUID(int=7)), str(uuid.UUID(int=7)).upper(), uuid.UUID(int=7).hex,
    "{" + str(uuid.UUID(int=7)) + "}", "urn:uuid:" + str(uuid.UUID(int=7)), "", "not-a-uuid",
    str(uuid.UUID(int=7)) + "\n", " " + str(uuid.UUID(int=7)),
]  # fmt: skip
_TEXTS = [
    "", "a", "x" * 40, "x" * 41, "x" * 120, "x" * 121, "é" * 120, "é" * 121, "😀" * 120,
    "😀" * 121, "x" * 200, "x" * 201, "line\nbreak", "tab\there", "1234", "123", "12345",
    "1234\n", "١٢٣٤", "１２３４", " 1234", "SR", "ZR", "sr", "XX", "cash", "nets", "voucher",
    "gift",
]  # fmt: skip
_ANY = st.one_of(
    st.sampled_from(_NUMBERISH + _MOMENTS + _IDS + _TEXTS),
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(max_size=8),
    st.just([]),
    st.just({}),
)


@st.composite
def payloads(draw: st.DrawFn) -> tuple[type[Any], str, dict[str, Any]]:
    model, kind, base = draw(
        st.sampled_from(
            [
                (SaleCompletedV1, EventKind.SALE_COMPLETED, SALE),
                (RefundCompletedV1, EventKind.REFUND_COMPLETED, REFUND),
            ]
        )
    )
    body = copy.deepcopy(base)
    lines = draw(st.sampled_from([0, 1, 1, 1, 2, 3, 500, 501]))
    body["lines"] = [{**body["lines"][0], "line_id": str(uuid.uuid4())} for _ in range(lines)]
    tenders = draw(st.sampled_from([0, 1, 1, 1, 2, 10, 11]))
    body["tenders"] = [dict(body["tenders"][0]) for _ in range(tenders)]
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(["top", "lines", "tenders"]))
        listed = body.get(target) if target != "top" else [body]
        if not isinstance(listed, list) or not listed or not isinstance(listed[0], dict):
            continue
        holder = listed[0]
        if not holder:
            continue
        action = draw(st.sampled_from(["set", "set", "set", "drop", "extra"]))
        key = draw(st.sampled_from(sorted(holder)))
        if action == "set":
            holder[key] = draw(_ANY)
        elif action == "drop":
            del holder[key]
        else:
            holder[draw(st.sampled_from(["extra", "nric", "Total"]))] = draw(_ANY)
    return model, kind, body


def _event(kind: str, body: dict[str, Any]) -> Event:
    return Event.model_construct(
        event_id=uuid.uuid4(),
        till_id=TILL,
        epoch=1,
        seq=1,
        kind=kind,
        schema_version=1,
        occurred_at=datetime.fromisoformat("2026-12-04T10:00:00+00:00"),
        payload=body,
        payload_sha256=hashlib.sha256(canonical_json(body)).hexdigest(),
    )


def _plain(value: Any) -> Any:
    """A decoded value as comparable Python: Structs and models as dicts, exact decimals."""
    if isinstance(value, msgspec.Struct):
        return {f: _plain(getattr(value, f)) for f in value.__struct_fields__}
    if isinstance(value, BaseModel):
        return {f: _plain(getattr(value, f)) for f in type(value).model_fields}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return ("decimal", str(value))
    if isinstance(value, datetime):
        return ("moment", value.isoformat(), value.utcoffset())
    return value


def _fast(kind: str, body: dict[str, Any]) -> Any:
    grammar, typed = decode.FAST[(kind, 1)]
    raw = canonical_json(body)
    grammar(raw)
    return typed(raw)


def _verdict(call: Any) -> tuple[str, Any]:
    try:
        return "accepted", _plain(call())
    except PayloadError as exc:
        return "refused", str(exc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads())
def test_the_fast_path_agrees_with_pydantic(case: tuple[type[Any], str, dict[str, Any]]) -> None:
    model, kind, body = case
    event = _event(kind, body)
    assert _verdict(lambda: decode.parsed_payload(event)) == _verdict(event.parsed_payload)
    try:
        fast = _fast(kind, body)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return  # refused in C: pydantic decided, as compared above
    try:
        slow = model.model_validate_json(canonical_json(body))
    except ValidationError as exc:
        pytest.fail(f"the fast path accepted what the model refuses: {exc}")
    assert _plain(fast) == _plain(slow)


def test_the_fast_path_takes_what_our_tills_write() -> None:
    for kind, body in [(EventKind.SALE_COMPLETED, SALE), (EventKind.REFUND_COMPLETED, REFUND)]:
        assert isinstance(decode.parsed_payload(_event(kind, body)), msgspec.Struct)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("quantity", "1.00\n"),  # Python's $ would take it
        ("amount", "١.٠٠"),  # Decimal would take Arabic-Indic digits; PostgreSQL would not
        ("amount", "1E+1"),
        ("gst_rate", "100.01"),
        ("quantity", "1000000"),
    ],
)
def test_forms_pydantic_decides(where: str, value: str) -> None:
    body = copy.deepcopy(SALE)
    body["lines"][0][where] = value
    with pytest.raises(msgspec.ValidationError):
        _fast(EventKind.SALE_COMPLETED, body)
    event = _event(EventKind.SALE_COMPLETED, body)
    assert _verdict(lambda: decode.parsed_payload(event)) == _verdict(event.parsed_payload)


def _push_body(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "protocol": 1,
        "till": {
            "app_version": "1.4.0",
            "store_revision": "0002_product_search",
            "backlog": 0,
            "oldest_pending_at": None,
            "sent_at": "2026-12-04T10:00:01Z",
        },
        "events": events,
    }


def _envelope(seq: int) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "till_id": str(TILL),
        "epoch": 1,
        "seq": seq,
        "kind": EventKind.SALE_COMPLETED.value,
        "schema_version": 1,
        "occurred_at": "2026-12-04T10:00:00.5+08:00",
        "payload": SALE,
        "payload_sha256": hashlib.sha256(canonical_json(SALE)).hexdigest(),
    }


@st.composite
def push_bodies(draw: st.DrawFn) -> bytes:
    count = draw(st.sampled_from([0, 1, 2, 500, 501]))
    body = _push_body([_envelope(n + 1) for n in range(count)])
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(["top", "till", "event", "payload"]))
        if target == "top":
            holder: Any = body
        elif target == "till":
            holder = body.get("till")
        else:
            events = body.get("events")
            holder = events[0] if isinstance(events, list) and events else None
            if target == "payload" and isinstance(holder, dict):
                payload = holder.get("payload")
                holder = dict(payload) if isinstance(payload, dict) else None
                body["events"][0]["payload"] = holder
        if not isinstance(holder, dict) or not holder:
            continue
        action = draw(st.sampled_from(["set", "set", "set", "drop", "extra"]))
        key = draw(st.sampled_from(sorted(holder)))
        if action == "set":
            holder[key] = draw(_ANY | st.sampled_from([[1.5], {"a": 1e300}, 2**70, -(2**70)]))
        elif action == "drop":
            del holder[key]
        else:
            holder[draw(st.sampled_from(["extra", "Protocol"]))] = draw(_ANY)
    text = json.dumps(body, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        text = text.replace('"protocol": 1', '"protocol": 1, "protocol": 1', 1)
    return text.encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(push_bodies())
def test_the_fast_envelope_agrees_with_pydantic(body: bytes) -> None:
    fast = decode.push_request(body)
    try:
        slow = PushRequest.model_validate_json(body)
    except ValidationError as exc:
        if fast is not None:
            pytest.fail(f"the fast path accepted a push the model refuses: {exc}")
        return
    if fast is not None:
        assert _plain(fast) == _plain(slow)
        assert [e.payload for e in fast.events] == [e.payload for e in slow.events]


def test_the_fast_envelope_takes_what_our_agents_send() -> None:
    body = json.dumps(_push_body([_envelope(1), _envelope(2)])).encode()
    fast = decode.push_request(body)
    assert fast is not None and _plain(fast) == _plain(PushRequest.model_validate_json(body))


_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**64 - 1),
        st.text(st.characters(exclude_categories=["Cs"])),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(st.characters(exclude_categories=["Cs"])), inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(), _JSON, max_size=6))
def test_the_hash_is_checked_over_the_same_bytes_as_the_tills(payload: dict[str, Any]) -> None:
    """Tills seal typed payloads, and the fast path checks hashes, by serialising in C; for
    anything without floats or lone surrogates the bytes are exactly ``canonical_json``'s."""
    assert canonical_typed_json(payload) == canonical_json(payload)
