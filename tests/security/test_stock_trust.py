"""The trust boundary on stock documents: goods received, adjusted and transferred count only
at the sending till's outlet; a till sends only transfers it numbered, and takes in only a
transfer another outlet sent to its own outlet."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from shared.demo_catalogue import DEMO_STAFF
from shared.protocol import EventKind, EventOutcome, StockMovedV1, StockTransferredV1
from tests.security.world import World, push, security_events, victim_books

pytestmark = pytest.mark.postgres

STAFF = DEMO_STAFF[0].staff_id


def _product(world: World) -> uuid.UUID:
    with world.engine.connect() as conn:
        return uuid.UUID(
            str(conn.execute(text("SELECT product_id FROM sgpos.product LIMIT 1")).scalar_one())
        )


def _transfer(
    world: World, number: str, direction: str, other: str, quantity: str = "3"
) -> dict[str, Any]:
    return StockTransferredV1(
        movement_id=uuid.uuid4(),
        transfer_no=number,
        direction=direction,  # type: ignore[arg-type]
        other_outlet=other,
        product_id=_product(world),
        quantity=Decimal(quantity) * (-1 if direction == "out" else 1),
        unit_cost=Decimal("1.20"),
        staff_id=STAFF,
        moved_at=datetime.now(UTC),
    ).model_dump(mode="json")


def _on_hand(world: World, outlet_code: str) -> Decimal:
    with world.engine.connect() as conn:
        return Decimal(
            conn.execute(
                text(
                    "SELECT coalesce(sum(h.quantity), 0) FROM sgpos.stock_on_hand h "
                    "JOIN sgpos.outlet o USING (outlet_id) WHERE o.code = :c"
                ),
                {"c": outlet_code},
            ).scalar_one()
        )


def _refused(world: World, payload: dict[str, Any], field: str) -> None:
    forged = world.seal(EventKind.STOCK_TRANSFERRED.value, payload)
    before = victim_books(world)
    (answer,) = push(world.engine, world.attacker.auth, [forged]).results
    assert answer.outcome is EventOutcome.QUARANTINED
    assert (answer.reason or "").startswith(f"rejected: {field}: "), answer.reason
    assert victim_books(world) == before
    mine = security_events(world.engine, world.attacker.auth.till_id)
    assert [e.field for e in mine if e.event_id == forged.event_id] == [field]


def test_goods_received_count_at_the_sending_tills_outlet_only(world: World) -> None:
    """There is no outlet to forge: a delivery lands where the till is, whatever it says."""
    victim, attacker = world.victim.auth, world.attacker.auth
    before_victim, before_attacker = (
        _on_hand(world, victim.outlet_code),
        _on_hand(world, attacker.outlet_code),
    )
    payload = StockMovedV1(
        movement_id=uuid.uuid4(),
        product_id=_product(world),
        quantity=Decimal("10"),
        reason="delivery",
        reference=f"for {victim.outlet_code}",
        staff_id=STAFF,
        moved_at=datetime.now(UTC),
        unit_cost=Decimal("0.90"),
    ).model_dump(mode="json")
    (answer,) = push(
        world.engine, attacker, [world.seal(EventKind.STOCK_RECEIVED.value, payload)]
    ).results
    assert answer.outcome is EventOutcome.APPLIED
    assert _on_hand(world, victim.outlet_code) == before_victim
    assert _on_hand(world, attacker.outlet_code) == before_attacker + 10


def test_a_till_sends_only_transfers_it_numbered(world: World) -> None:
    victim = world.victim.auth
    stolen = f"TR-{victim.outlet_code}-{victim.till_code}-000001"
    _refused(world, _transfer(world, stolen, "out", "ZZ9"), "transfer_no")


def test_a_till_cannot_send_a_transfer_to_its_own_outlet(world: World) -> None:
    own = world.attacker.auth
    number = f"TR-{own.outlet_code}-{own.till_code}-000002"
    _refused(world, _transfer(world, number, "out", own.outlet_code), "other_outlet")


def test_a_till_takes_in_only_a_transfer_sent_to_its_outlet(world: World) -> None:
    """The victim's transfer to a third outlet cannot be taken in (closed) by the attacker's;
    one sent to the attacker's outlet can."""
    victim, attacker = world.victim.auth, world.attacker.auth
    elsewhere = f"TR-{victim.outlet_code}-{victim.till_code}-000501"
    to_attacker = f"TR-{victim.outlet_code}-{victim.till_code}-000502"
    kind = EventKind.STOCK_TRANSFERRED.value
    sent = [
        world.seal(kind, _transfer(world, elsewhere, "out", "ZZ9"), till=victim),
        world.seal(kind, _transfer(world, to_attacker, "out", attacker.outlet_code), till=victim),
    ]
    answers = push(world.engine, victim, sent).results
    assert {a.outcome for a in answers} == {EventOutcome.APPLIED}, answers
    _refused(world, _transfer(world, elsewhere, "in", victim.outlet_code), "transfer_no")
    genuine = world.seal(
        EventKind.STOCK_TRANSFERRED.value, _transfer(world, to_attacker, "in", victim.outlet_code)
    )
    (answer,) = push(world.engine, attacker, [genuine]).results
    assert answer.outcome is EventOutcome.APPLIED, answer.reason


def test_a_transfer_taken_in_must_come_from_the_outlet_its_number_names(world: World) -> None:
    victim = world.victim.auth
    number = f"TR-{victim.outlet_code}-{victim.till_code}-000777"
    _refused(world, _transfer(world, number, "in", "ZZ9"), "transfer_no")


def test_a_transfer_cannot_name_another_tills_stock_movement(world: World) -> None:
    own = world.attacker.auth
    payload = _transfer(world, f"TR-{own.outlet_code}-{own.till_code}-000003", "out", "ZZ9")
    payload["movement_id"] = str(world.known.stock_ids[0])
    _refused(world, payload, "movement_id")
