"""Each rule of the trust boundary, tried once with each kind of fact a till can name.

A forged event is refused with its field named, stored nowhere (no fact row, no inbox row, no
quarantine row), recorded as a security event, and the victim's books and figures are exactly
as before; a genuine event of the attacker's in the same push is applied regardless.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from shared.protocol import EventKind, EventOutcome
from tests.security.forge import VICTIM_FIELDS, field_name, fresh, next_receipts, put
from tests.security.world import World, push, security_events, victim_books

pytestmark = pytest.mark.postgres

CASES = [
    pytest.param(kind, path, index, id=f"{kind.value}:{path}:{index}")
    for (kind, path) in VICTIM_FIELDS
    for index in (0, -1)
]


def stored_anywhere(world: World, event_id: object) -> list[str]:
    """The tables holding anything of ``event_id`` (by its id or its key)."""
    with world.engine.connect() as conn:
        return [
            table
            for table in ("inbox", "quarantine")
            if conn.execute(
                text(f"SELECT count(*) FROM sgpos.{table} WHERE event_id = :e"),
                {"e": event_id},
            ).scalar_one()
        ]


@pytest.mark.parametrize(("kind", "path", "index"), CASES)
def test_an_event_naming_another_tills_fact_is_refused_and_stored_nowhere(
    world: World, kind: EventKind, path: str, index: int
) -> None:
    victims = VICTIM_FIELDS[(kind, path)](world)
    assert victims, f"the victim has no {path} to name: the test proves nothing"
    forged = world.seal(kind, put(fresh(world, kind), path, victims[index]))
    genuine = world.seal(EventKind.CASH_MOVED, fresh(world, EventKind.CASH_MOVED))
    before = victim_books(world)

    result = push(world.engine, world.attacker.auth, [forged, genuine])

    refused, applied = result.results
    assert refused.outcome is EventOutcome.QUARANTINED
    assert refused.reason is not None
    assert refused.reason.startswith(f"rejected: {field_name(path)}: "), refused.reason
    assert applied.outcome is EventOutcome.APPLIED  # a forged event blocks nothing
    assert victim_books(world) == before
    assert stored_anywhere(world, forged.event_id) == []
    recorded = [e for e in security_events(world.engine, world.attacker.auth.till_id)]
    assert [(e.seq, e.field) for e in recorded if e.event_id == forged.event_id] == [
        (forged.seq, field_name(path))
    ]


@pytest.mark.parametrize("receipt", range(12))
def test_a_receipt_number_must_be_exactly_one_the_sending_till_prints(
    world: World, receipt: int
) -> None:
    number = next_receipts(world)[receipt % len(next_receipts(world))]
    forged = world.seal(
        EventKind.SALE_COMPLETED, put(fresh(world, EventKind.SALE_COMPLETED), "receipt_no", number)
    )
    before = victim_books(world)
    (answer,) = push(world.engine, world.attacker.auth, [forged]).results
    assert answer.outcome is EventOutcome.QUARANTINED
    assert (answer.reason or "").startswith("rejected: receipt_no: "), (number, answer.reason)
    assert victim_books(world) == before


def test_the_same_forged_event_sent_again_is_refused_again_and_recorded_once(
    world: World,
) -> None:
    forged = world.seal(
        EventKind.SHIFT_CLOSED,
        put(fresh(world, EventKind.SHIFT_CLOSED), "shift_id", world.known.shift_ids[0]),
    )
    first = push(world.engine, world.attacker.auth, [forged]).results[0]
    again = push(world.engine, world.attacker.auth, [forged]).results[0]
    assert first == again and (first.reason or "").startswith("rejected: shift_id: ")
    mine = security_events(world.engine, world.attacker.auth.till_id)
    assert [e.event_id for e in mine].count(forged.event_id) == 1


def test_a_genuine_event_of_the_attackers_own_is_applied(world: World) -> None:
    for kind in (EventKind.SALE_COMPLETED, EventKind.SHIFT_OPENED, EventKind.CUSTOMER_UPSERTED):
        own = world.seal(kind, fresh(world, kind))
        (answer,) = push(world.engine, world.attacker.auth, [own]).results
        assert answer.outcome is EventOutcome.APPLIED, (kind, answer.reason)


NEIGHBOUR = [
    pytest.param(kind, path, id=f"{kind.value}:{path}")
    for (kind, path) in VICTIM_FIELDS
    if path != "customer_id"
]


@pytest.mark.parametrize(("kind", "path"), NEIGHBOUR)
def test_a_till_at_the_same_outlet_may_not_touch_its_neighbours_till_facts(
    world: World, kind: EventKind, path: str
) -> None:
    """Sales, lines, shifts, cash and stock movements, receipts and audit chains are one till's
    own, even next to it at the counter."""
    neighbour = world.neighbour
    payload = _of_its_own(world, fresh(world, kind))
    payload = put(payload, path, VICTIM_FIELDS[(kind, path)](world)[-1])
    before = victim_books(world)
    (answer,) = push(world.engine, neighbour, [world.seal(kind, payload, till=neighbour)]).results
    assert answer.outcome is EventOutcome.QUARANTINED
    assert (answer.reason or "").startswith(f"rejected: {field_name(path)}: "), answer.reason
    assert victim_books(world) == before


def _of_its_own(world: World, payload: dict[str, Any]) -> dict[str, Any]:
    """The attacker's template made the neighbour's: its receipt numbers, and new shifts,
    sales and lines of its own where the template named the attacker's."""
    attacker = f"{world.attacker.auth.outlet_code}-{world.attacker.auth.till_code}-"
    own = f"{world.neighbour.outlet_code}-{world.neighbour.till_code}-"
    mine = dict(payload)
    for key in ("receipt_no", "original_receipt_no"):
        if isinstance(mine.get(key), str):
            mine[key] = str(mine[key]).replace(attacker, own)
    for key in ("shift_id", "original_sale_id"):
        if mine.get(key) is not None:
            mine[key] = str(uuid.uuid4())
    if isinstance(mine.get("lines"), list):
        mine["lines"] = [{**line, "line_id": str(uuid.uuid4())} for line in mine["lines"]]
    return mine


def test_a_till_at_the_same_outlet_may_update_the_shops_customer(world: World) -> None:
    """Customers are the outlet's, whichever of its tills served them (docs/security.md)."""
    customer = world.known.customer_ids[0]
    payload = put(fresh(world, EventKind.CUSTOMER_UPSERTED), "customer_id", customer)
    payload["consent_marketing"] = False
    event = world.seal(EventKind.CUSTOMER_UPSERTED, payload, till=world.neighbour)
    (answer,) = push(world.engine, world.neighbour, [event]).results
    assert answer.outcome is EventOutcome.APPLIED, answer.reason
    with world.engine.connect() as conn:
        owner = conn.execute(
            text("SELECT outlet_id FROM sgpos.customer WHERE customer_id = :c"), {"c": customer}
        ).scalar_one()
    assert owner == world.victim.auth.outlet_id  # still the shop's
