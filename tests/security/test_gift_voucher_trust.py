"""Gift vouchers at the trust boundary: a till may take value only from a voucher head office
issued, never more than its face value in one event, sell one only at its face value, and
never name another till's sale or redemption."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from shared.protocol import EventKind, EventOutcome
from tests.gift_voucher_support import new_batch
from tests.security.world import World, push, security_events

pytestmark = pytest.mark.postgres


def redemption(serial: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "redemption_id": str(uuid.uuid4()),
        "serial": serial,
        "sale_id": str(uuid.uuid4()),
        "amount": amount,
        "redeemed_at": datetime.now(UTC).isoformat(),
        **extra,
    }


def sold(serial: str, amount: str) -> dict[str, Any]:
    return {
        "serial": serial,
        "sale_id": str(uuid.uuid4()),
        "line_id": str(uuid.uuid4()),
        "amount": amount,
        "sold_at": datetime.now(UTC).isoformat(),
    }


def stored(world: World, serial: str) -> int:
    with world.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM sgpos.gift_voucher_redemption WHERE serial = :s)"
                    " + (SELECT count(*) FROM sgpos.gift_voucher_sale WHERE serial = :s)"
                ),
                {"s": serial},
            ).scalar_one()
        )


def refused(world: World, kind: EventKind, payload: dict[str, Any], field: str) -> None:
    before = len(security_events(world.engine, world.attacker.auth.till_id))
    (answer,) = push(world.engine, world.attacker.auth, [world.seal(kind, payload)]).results
    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and answer.reason.startswith(f"rejected: {field}: ")
    assert stored(world, payload["serial"]) == 0
    assert len(security_events(world.engine, world.attacker.auth.till_id)) == before + 1


def test_a_till_may_take_part_of_a_voucher_head_office_issued(world: World) -> None:
    serial = f"{new_batch(world.engine, face_value='50.00')}-000001"
    event = world.seal(EventKind.VOUCHER_REDEEMED, redemption(serial, "20.00"))

    (answer,) = push(world.engine, world.attacker.auth, [event]).results

    assert answer.outcome is EventOutcome.APPLIED, answer.reason
    assert stored(world, serial) == 1


def test_redeeming_a_serial_head_office_never_issued_is_refused(world: World) -> None:
    prefix = new_batch(world.engine, count=5)
    refused(world, EventKind.VOUCHER_REDEEMED, redemption(f"{prefix}-000006", "1.00"), "serial")
    refused(world, EventKind.VOUCHER_REDEEMED, redemption("NOSUCH-000001", "1.00"), "serial")


def test_taking_more_than_a_voucher_is_worth_in_one_event_is_refused(world: World) -> None:
    serial = f"{new_batch(world.engine, face_value='50.00')}-000002"
    refused(world, EventKind.VOUCHER_REDEEMED, redemption(serial, "50.01"), "serial")


def test_selling_a_voucher_below_its_face_value_or_one_never_issued_is_refused(
    world: World,
) -> None:
    prefix = new_batch(world.engine, face_value="100.00")
    refused(world, EventKind.VOUCHER_SOLD, sold(f"{prefix}-000001", "1.00"), "serial")
    refused(world, EventKind.VOUCHER_SOLD, sold(f"{prefix}-999999", "100.00"), "serial")


def test_a_redemption_naming_another_tills_sale_is_refused(world: World) -> None:
    serial = f"{new_batch(world.engine)}-000003"
    victims_sale = world.known.sale_ids[0]
    payload = redemption(serial, "5.00", sale_id=str(victims_sale))
    refused(world, EventKind.VOUCHER_REDEEMED, payload, "sale_id")


def test_a_redemption_id_another_till_used_is_refused_and_theirs_stands(world: World) -> None:
    serial = f"{new_batch(world.engine)}-000004"
    theirs = redemption(serial, "5.00")
    (ok,) = push(
        world.engine,
        world.neighbour,
        [world.seal(EventKind.VOUCHER_REDEEMED, theirs, till=world.neighbour)],
    ).results
    assert ok.outcome is EventOutcome.APPLIED, ok.reason
    forged = {**theirs, "amount": "45.00", "sale_id": str(uuid.uuid4())}

    (answer,) = push(
        world.engine, world.attacker.auth, [world.seal(EventKind.VOUCHER_REDEEMED, forged)]
    ).results

    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and answer.reason.startswith("rejected: redemption_id: ")
    with world.engine.connect() as conn:
        amount = conn.execute(
            text("SELECT amount FROM sgpos.gift_voucher_redemption WHERE redemption_id = :r"),
            {"r": theirs["redemption_id"]},
        ).scalar_one()
    assert str(amount) == "5.00"
