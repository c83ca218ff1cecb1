"""Points spent and given back at the trust boundary: a hostile till cannot spend the points
of a customer head office does not know, nor of another customer than its sale's, nor more
than its sale's points tender, nor give back more than the sale spent (points_trust.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from shared.protocol import EventKind, EventOutcome
from sync_service.central.points import member_points
from tests.security.forge import fresh
from tests.security.test_customer_trust import member
from tests.security.world import World, push, security_events

pytestmark = pytest.mark.postgres


def enrolled_member(world: World) -> str:
    """A member of the attacker's own outlet, enrolled by the attacker: genuinely its own."""
    payload = member(world, world.attacker.auth.outlet_code)
    (answer,) = push(
        world.engine, world.attacker.auth, [world.seal(EventKind.CUSTOMER_UPSERTED, payload)]
    ).results
    assert answer.outcome is EventOutcome.APPLIED, answer.reason
    return str(payload["customer_id"])


def sale_with_points(world: World, customer: str, in_points: Decimal) -> dict[str, Any]:
    """One of the attacker's own sales, for ``customer``, ``in_points`` of it paid by points."""
    sale = fresh(world, EventKind.SALE_COMPLETED)
    sale["customer_id"] = customer
    total = Decimal(sale["total"])
    assert total > in_points
    rest = total - in_points
    sale["tenders"] = [
        {"type": "card", "amount": f"{rest:.2f}", "reference": "APPR01"},
        {"type": "points", "amount": f"{in_points:.2f}"},
    ]
    sale["change"] = "0.00"
    sale["rounding"] = "0.00"
    return sale


def redeemed(customer: str, sale_id: str, points: int, value: str) -> dict[str, Any]:
    return {
        "entry_id": str(uuid.uuid4()),
        "customer_id": customer,
        "sale_id": sale_id,
        "points": points,
        "value": value,
        "redeemed_at": "2025-03-01T11:00:00+08:00",
    }


def ledger(world: World, customer: str) -> list[Any]:
    with world.engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT kind, points FROM sgpos.loyalty_entry WHERE customer_id = :c"),
                {"c": customer},
            )
        )


def test_points_of_a_customer_head_office_does_not_know_are_refused(world: World) -> None:
    nobody = str(uuid.uuid4())
    sale = sale_with_points(world, nobody, Decimal("1.00"))
    before = len(security_events(world.engine, world.attacker.auth.till_id))
    forged = world.seal(EventKind.LOYALTY_REDEEMED, redeemed(nobody, sale["sale_id"], 100, "1.00"))

    _, answer = push(
        world.engine,
        world.attacker.auth,
        [world.seal(EventKind.SALE_COMPLETED, sale), forged],
    ).results

    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and answer.reason.startswith("rejected: customer_id: ")
    assert ledger(world, nobody) == []
    assert len(security_events(world.engine, world.attacker.auth.till_id)) == before + 1


def test_another_customers_points_on_a_sale_for_someone_else_are_refused(world: World) -> None:
    buyer, victim = enrolled_member(world), enrolled_member(world)
    sale = sale_with_points(world, buyer, Decimal("1.00"))
    forged = world.seal(EventKind.LOYALTY_REDEEMED, redeemed(victim, sale["sale_id"], 100, "1.00"))

    _, answer = push(
        world.engine, world.attacker.auth, [world.seal(EventKind.SALE_COMPLETED, sale), forged]
    ).results

    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and answer.reason.startswith("rejected: customer_id: ")
    assert ledger(world, victim) == []


def test_more_points_than_the_sales_points_tender_are_refused_and_the_rest_applies(
    world: World,
) -> None:
    customer = enrolled_member(world)
    sale = sale_with_points(world, customer, Decimal("1.00"))
    sale_event = world.seal(EventKind.SALE_COMPLETED, sale)
    too_much = world.seal(
        EventKind.LOYALTY_REDEEMED, redeemed(customer, sale["sale_id"], 100_000, "1000.00")
    )
    honest = world.seal(
        EventKind.LOYALTY_REDEEMED, redeemed(customer, sale["sale_id"], 100, "1.00")
    )
    twice = world.seal(EventKind.LOYALTY_REDEEMED, redeemed(customer, sale["sale_id"], 100, "1.00"))

    applied, refused, spent, again = push(
        world.engine, world.attacker.auth, [sale_event, too_much, honest, twice]
    ).results

    assert applied.outcome is EventOutcome.APPLIED, applied.reason
    assert refused.outcome is EventOutcome.QUARANTINED
    assert refused.reason is not None and refused.reason.startswith("rejected: value: ")
    assert spent.outcome is EventOutcome.APPLIED, spent.reason
    # A second redemption of the same sale under a new entry id would spend its tender twice.
    assert again.outcome is EventOutcome.QUARANTINED
    assert again.reason is not None and again.reason.startswith("rejected: value: ")
    assert ledger(world, customer) == [("redeemed", -100)]


def test_points_on_a_sale_the_till_never_sent_are_refused(world: World) -> None:
    customer = enrolled_member(world)
    forged = world.seal(
        EventKind.LOYALTY_REDEEMED, redeemed(customer, str(uuid.uuid4()), 100, "1.00")
    )

    (answer,) = push(world.engine, world.attacker.auth, [forged]).results

    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and answer.reason.startswith("rejected: sale_id: ")


def test_points_given_back_beyond_what_the_sale_spent_are_refused(world: World) -> None:
    customer = enrolled_member(world)
    sale = sale_with_points(world, customer, Decimal("1.00"))
    spend = redeemed(customer, sale["sale_id"], 100, "1.00")
    push(
        world.engine,
        world.attacker.auth,
        [
            world.seal(EventKind.SALE_COMPLETED, sale),
            world.seal(EventKind.LOYALTY_REDEEMED, spend),
        ],
    )
    refund = fresh(world, EventKind.REFUND_COMPLETED)
    refund["original_sale_id"] = sale["sale_id"]
    refund["original_receipt_no"] = sale["receipt_no"]
    for line in refund["lines"]:
        line["line_id"] = None
    refund["tenders"] = [{"type": "points", "amount": "50.00"}]
    greedy = {
        "entry_id": str(uuid.uuid4()),
        "customer_id": customer,
        "sale_id": sale["sale_id"],
        "refund_id": refund["refund_id"],
        "points": 5000,
        "value": "50.00",
        "returned_at": "2025-03-01T12:00:00+08:00",
    }

    _, answer = push(
        world.engine,
        world.attacker.auth,
        [
            world.seal(EventKind.REFUND_COMPLETED, refund),
            world.seal(EventKind.LOYALTY_RETURNED, greedy),
        ],
    ).results

    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and answer.reason.startswith("rejected: points: ")
    assert ledger(world, customer) == [("redeemed", -100)]


def test_a_till_is_told_the_points_of_its_own_outlets_members_only(world: World) -> None:
    victims_member = world.known.customer_ids[0]
    own = uuid.UUID(enrolled_member(world))
    not_yet_heard_of = uuid.uuid4()  # enrolled offline: head office has no record yet

    answer = member_points(
        world.engine,
        world.attacker.auth,
        [victims_member, own, not_yet_heard_of],
        datetime.now(UTC),
    )

    assert {m.customer_id for m in answer.members} == {own, not_yet_heard_of}
