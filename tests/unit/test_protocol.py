"""Wire protocol v1: strict envelopes, per-kind payload checks, limits and PDPA."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.gst import SINGAPORE
from shared.protocol import (
    ACCEPTED_VERSIONS,
    MAX_EVENTS_PER_PUSH,
    PROTOCOL_VERSION,
    CustomerUpsertedV1,
    Event,
    EventKind,
    PayloadError,
    PushRequest,
    PushResponse,
    SaleCompletedV1,
    SaleLineV1,
    ShiftOpenedV1,
    TenderV1,
    TillReport,
)
from shared.wire import payload_hash

NOW = datetime(2025, 5, 1, 10, 30, tzinfo=SINGAPORE)
TILL = uuid.uuid4()


def sale_payload(**overrides: object) -> SaleCompletedV1:
    line = SaleLineV1(
        line_id=uuid.uuid4(),
        product_id=uuid.uuid4(),
        sku="SKU1",
        name="Kopi-O 3-in-1",
        quantity=Decimal("2"),
        unit_price=Decimal("5.45"),
        list_price=Decimal("5.45"),
        line_discount=Decimal("0"),
        cart_discount=Decimal("0"),
        amount=Decimal("10.90"),
        tax_code="SR",
        gst_rate=Decimal("9"),
        gst=Decimal("0.90"),
    )
    fields: dict[str, object] = {
        "sale_id": uuid.uuid4(),
        "receipt_no": "ORC-T01-000001",
        "shift_id": uuid.uuid4(),
        "cashier_id": uuid.uuid4(),
        "sold_at": NOW,
        "lines": [line],
        "tenders": [TenderV1(type="cash", amount=Decimal("20.00"))],
        "subtotal": Decimal("10.90"),
        "discount_total": Decimal("0"),
        "total": Decimal("10.90"),
        "gst_total": Decimal("0.90"),
        "rounding": Decimal("0"),
        "change": Decimal("9.10"),
    }
    fields.update(overrides)
    return SaleCompletedV1(**fields)  # type: ignore[arg-type]


def sealed(seq: int = 1, payload: SaleCompletedV1 | None = None) -> Event:
    return Event.seal(
        event_id=uuid.uuid4(),
        till_id=TILL,
        epoch=1,
        seq=seq,
        kind=EventKind.SALE_COMPLETED,
        occurred_at=NOW,
        payload=payload or sale_payload(),
    )


def report() -> TillReport:
    return TillReport(
        app_version="0.1.0", store_revision="x", backlog=1, oldest_pending_at=NOW, sent_at=NOW
    )


def test_sealed_event_survives_the_wire_and_money_travels_as_strings() -> None:
    event = sealed()
    text = event.model_dump_json()
    assert '"total":"10.90"' in text and '"quantity":"2"' in text
    again = Event.model_validate_json(text)
    assert again == event
    parsed = again.parsed_payload()
    assert isinstance(parsed, SaleCompletedV1) and parsed.total == Decimal("10.90")


def test_a_push_request_round_trips_and_is_limited_in_size() -> None:
    req = PushRequest(protocol=PROTOCOL_VERSION, till=report(), events=[sealed(1), sealed(2)])
    assert PushRequest.model_validate_json(req.model_dump_json()) == req
    one = sealed()
    with pytest.raises(ValidationError, match="at most 500"):
        PushRequest(protocol=1, till=report(), events=[one] * (MAX_EVENTS_PER_PUSH + 1))
    with pytest.raises(ValidationError, match="at least 1"):
        PushRequest(protocol=1, till=report(), events=[])


def test_json_numbers_for_money_are_refused() -> None:
    body = sealed().model_dump(mode="json")
    body["payload"]["total"] = 10.9
    body["payload_sha256"] = "0" * 64
    event = Event.model_validate_json(json.dumps(body))  # the envelope itself is fine…
    with pytest.raises(PayloadError, match="floats are not allowed"):  # …quarantined
        event.parsed_payload()
    with pytest.raises(TypeError, match="floats are not allowed"):
        payload_hash({"total": 10.9})


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b.update(kind="sale.teleported"), "unknown event kind"),
        (lambda b: b.update(schema_version=7), "unknown event kind"),
        (lambda b: b["payload"].update(total="ten"), "sha256 does not match"),
    ],
)
def test_bad_payloads_are_reported_for_quarantine_not_raised_as_crashes(mutate, reason) -> None:
    body = sealed().model_dump(mode="json")
    mutate(body)
    event = Event.model_validate_json(json.dumps(body))
    with pytest.raises(PayloadError, match=reason):
        event.parsed_payload()


def test_payload_that_fails_its_schema_names_the_field() -> None:
    body = sealed().model_dump(mode="json")
    body["payload"]["lines"][0]["quantity"] = "1.2345"
    body["payload_sha256"] = payload_hash(body["payload"])
    with pytest.raises(PayloadError, match=r"lines\.0\.quantity.*more than 3 decimals"):
        Event.model_validate_json(json.dumps(body)).parsed_payload()


def test_envelope_is_strict_about_types_and_unknown_fields() -> None:
    body = sealed().model_dump(mode="json")
    for key, value in [("seq", "1"), ("seq", 0), ("epoch", 1.0), ("occurred_at", "yesterday")]:
        bad = {**body, key: value}
        with pytest.raises(ValidationError):
            Event.model_validate_json(json.dumps(bad))
    with pytest.raises(ValidationError, match="Extra inputs"):
        Event.model_validate_json(json.dumps({**body, "nric": "S1234567D"}))
    naive = {**body, "occurred_at": "2025-05-01T10:30:00"}
    with pytest.raises(ValidationError, match="timezone"):
        Event.model_validate_json(json.dumps(naive))


def test_customer_records_cannot_carry_an_nric() -> None:
    fields = {"customer_id": str(uuid.uuid4()), "consent_contact": False}
    fields |= {"consent_marketing": False, "consent_at": None}
    assert CustomerUpsertedV1.model_validate_json(json.dumps(fields)).name is None
    with pytest.raises(ValidationError, match="Extra inputs"):
        CustomerUpsertedV1.model_validate_json(json.dumps({**fields, "nric": "S1234567D"}))
    assert not {"nric", "fin"} & set(CustomerUpsertedV1.model_fields)


def test_card_numbers_beyond_the_last_four_digits_cannot_travel() -> None:
    with pytest.raises(ValidationError):
        TenderV1(type="card", amount=Decimal("1.00"), card_last4="4111111111111111")


def test_typed_responses_are_told_apart_by_status() -> None:
    adapter: TypeAdapter[object] = TypeAdapter(PushResponse)
    busy = adapter.validate_json('{"status": "busy", "retry_after": 5}')
    assert busy.retry_after == 5  # type: ignore[attr-defined]
    up = adapter.validate_json(
        '{"status":"upgrade_required","accepted_versions":[1],"message":"x"}'
    )
    assert up.accepted_versions == [1]  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        adapter.validate_json('{"status": "maybe"}')


def test_current_protocol_version_is_accepted() -> None:
    assert PROTOCOL_VERSION in ACCEPTED_VERSIONS and 0 not in ACCEPTED_VERSIONS


def test_every_event_kind_has_a_payload_model() -> None:
    opened = ShiftOpenedV1(
        shift_id=uuid.uuid4(), opened_by=uuid.uuid4(), opened_at=NOW, opening_float=Decimal("150")
    )
    e = Event.seal(
        event_id=uuid.uuid4(),
        till_id=TILL,
        epoch=1,
        seq=3,
        kind=EventKind.SHIFT_OPENED,
        occurred_at=NOW,
        payload=opened,
    )
    assert e.parsed_payload() == opened
    from shared.protocol import PAYLOAD_MODELS

    assert {kind for kind, _ in PAYLOAD_MODELS} == set(EventKind)
