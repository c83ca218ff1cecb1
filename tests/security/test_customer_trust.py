"""Members and business customers at the trust boundary: a till may enrol members of its own
outlet only, never take another customer's member number, and never send an NRIC."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from shared.protocol import EventKind, EventOutcome, MasterChange
from sync_service.central.admin.customers import anonymise_customer
from sync_service.central.pull import ON_REQUEST, pull_page
from sync_service.central.reports.common import Scope
from sync_service.central.tills import TillAuth
from tests.security.forge import fresh
from tests.security.world import World, push, security_events

pytestmark = pytest.mark.postgres


def member(world: World, outlet_code: str, **extra: Any) -> dict[str, Any]:
    """A new customer with a member number never used in this world (random serial)."""
    payload = fresh(world, EventKind.CUSTOMER_UPSERTED)
    payload["customer_id"] = str(uuid.uuid4())
    serial = random.SystemRandom().randrange(10**8, 10**9)
    payload["member_no"] = f"M-{outlet_code}-T02-{serial}"
    return {**payload, **extra}


def stored(world: World, customer_id: str) -> dict[str, Any] | None:
    with world.engine.connect() as conn:
        row = conn.execute(
            text("SELECT * FROM sgpos.customer WHERE customer_id = :c"), {"c": customer_id}
        ).one_or_none()
    return dict(row._mapping) if row is not None else None


def pulled(world: World, till: TillAuth, customer_id: str) -> list[MasterChange]:
    """Every change a till's pull from the start (asking for everything) brings of one key."""
    cursor, more, found = "0", True, []
    while more:
        page = pull_page(world.engine, till, cursor, 5000, ON_REQUEST)
        found += [c for c in page.changes if c.key == customer_id]
        cursor, more = page.next_cursor, page.has_more
    return found


def test_a_member_goes_down_to_their_outlets_tills_only_and_an_erasure_as_a_delete(
    world: World,
) -> None:
    payload = member(
        world,
        world.neighbour.outlet_code,
        name="Tan Ah Huat",
        phone="+6591230077",
        email="tan@example.com",
        consent_contact=True,
    )
    event = world.seal(EventKind.CUSTOMER_UPSERTED, payload, till=world.neighbour)
    (answer,) = push(world.engine, world.neighbour, [event]).results
    assert answer.outcome is EventOutcome.APPLIED, answer.reason
    key = payload["customer_id"]

    # The victim's till (the member's outlet) gets them, without the e-mail; the attacker's
    # till, at another outlet, asking for everything, never hears even their id.
    [down] = pulled(world, world.victim.auth, key)
    assert down.op == "upsert" and down.data is not None
    assert (down.data["phone"], down.data["member_no"]) == ("+6591230077", payload["member_no"])
    assert "email" not in down.data
    assert pulled(world, world.attacker.auth, key) == []

    anonymise_customer(world.engine, "admin@example.com", Scope.everything(), uuid.UUID(key))
    changes = pulled(world, world.victim.auth, key)
    assert [(c.op, c.data) for c in changes] == [("delete", None)]
    assert pulled(world, world.attacker.auth, key) == []


def test_a_business_customer_from_a_till_of_the_outlet_is_stored_with_every_detail(
    world: World,
) -> None:
    staff = str(uuid.uuid4())
    payload = member(
        world,
        world.neighbour.outlet_code,
        company_name="Lim Trading Pte Ltd",
        uen="201912345K",
        address_lines=["8 Shenton Way #30-01", "Singapore 068811"],
        gst_reg_no="201912345K",
        consent_purpose="membership",
        consent_by=staff,
    )
    event = world.seal(EventKind.CUSTOMER_UPSERTED, payload, till=world.neighbour)

    (answer,) = push(world.engine, world.neighbour, [event]).results

    assert answer.outcome is EventOutcome.APPLIED, answer.reason
    row = stored(world, payload["customer_id"])
    assert row is not None
    assert row["member_no"] == payload["member_no"]
    assert row["uen"] == "201912345K"
    assert row["address_lines"] == ["8 Shenton Way #30-01", "Singapore 068811"]
    assert str(row["consent_by"]) == staff
    assert row["outlet_id"] == world.neighbour.outlet_id


def test_a_member_number_of_another_outlet_is_refused(world: World) -> None:
    victim_outlet = world.victim.auth.outlet_code
    assert victim_outlet != world.attacker.auth.outlet_code
    payload = member(world, victim_outlet)
    forged = world.seal(EventKind.CUSTOMER_UPSERTED, payload)
    before = len(security_events(world.engine, world.attacker.auth.till_id))

    (answer,) = push(world.engine, world.attacker.auth, [forged]).results

    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and answer.reason.startswith("rejected: member_no: ")
    assert stored(world, payload["customer_id"]) is None
    assert len(security_events(world.engine, world.attacker.auth.till_id)) == before + 1


def test_another_customers_member_number_is_refused_and_theirs_is_unchanged(
    world: World,
) -> None:
    first = member(world, world.neighbour.outlet_code, name="First Member")
    applied = world.seal(EventKind.CUSTOMER_UPSERTED, first, till=world.neighbour)
    assert push(world.engine, world.neighbour, [applied]).results[0].outcome is (
        EventOutcome.APPLIED
    )
    second = {
        **member(world, world.neighbour.outlet_code, name="Impostor"),
        "member_no": first["member_no"],
    }
    forged = world.seal(EventKind.CUSTOMER_UPSERTED, second, till=world.neighbour)

    (answer,) = push(world.engine, world.neighbour, [forged]).results

    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None
    assert answer.reason.startswith("rejected: member_no: is the member number of another")
    assert stored(world, second["customer_id"]) is None
    kept = stored(world, first["customer_id"])
    assert kept is not None and kept["name"] == "First Member"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Tan S1234567D"),
        ("company_name", "G 7654321 X Holdings"),
        ("address_lines", ["Blk 1 #01-01", "NRIC T0123456J"]),
    ],
)
def test_an_nric_in_any_typed_field_is_quarantined_and_never_stored(
    world: World, field: str, value: Any
) -> None:
    business = {"company_name": "Lim Pte Ltd", "address_lines": ["1 Road"]}
    payload = member(world, world.neighbour.outlet_code, **{**business, field: value})
    event = world.seal(EventKind.CUSTOMER_UPSERTED, payload, till=world.neighbour)

    (answer,) = push(world.engine, world.neighbour, [event]).results

    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and "NRIC" in answer.reason
    assert stored(world, payload["customer_id"]) is None
    with world.engine.connect() as conn:
        held = conn.execute(
            text("SELECT count(*) FROM sgpos.quarantine WHERE payload::text LIKE :p"),
            {"p": "%" + (value if isinstance(value, str) else value[1]) + "%"},
        ).scalar_one()
    assert held == 1  # kept for head office to see why, as every quarantined event is


def points(world: World, customer: object, sale: object, **extra: Any) -> dict[str, Any]:
    return {
        "entry_id": str(uuid.uuid4()),
        "customer_id": str(customer),
        "sale_id": str(sale),
        "points": 1_000_000,
        "earned_at": "2025-03-01T10:00:00+08:00",
        **extra,
    }


def test_points_for_another_outlets_member_are_refused(world: World) -> None:
    victims_member = world.known.customer_ids[0]
    forged = world.seal(EventKind.LOYALTY_EARNED, points(world, victims_member, uuid.uuid4()))

    (answer,) = push(world.engine, world.attacker.auth, [forged]).results

    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and answer.reason.startswith("rejected: customer_id: ")
    with world.engine.connect() as conn:
        stored_points = conn.execute(
            text("SELECT count(*) FROM sgpos.loyalty_entry WHERE customer_id = :c"),
            {"c": victims_member},
        ).scalar_one()
    assert stored_points == 0


def test_points_on_another_tills_sale_or_another_tills_entry_are_refused(world: World) -> None:
    # The neighbour is at the victim's outlet, so the member is its shop's; the sale is not its.
    member_payload = member(world, world.neighbour.outlet_code)
    enrolled = world.seal(EventKind.CUSTOMER_UPSERTED, member_payload, till=world.neighbour)
    push(world.engine, world.neighbour, [enrolled])
    customer = member_payload["customer_id"]
    on_victims_sale = world.seal(
        EventKind.LOYALTY_EARNED,
        points(world, customer, world.known.sale_ids[0]),
        till=world.neighbour,
    )
    genuine = points(world, customer, uuid.uuid4(), points=5)
    own = world.seal(EventKind.LOYALTY_EARNED, genuine, till=world.neighbour)

    refused, applied = push(world.engine, world.neighbour, [on_victims_sale, own]).results

    assert refused.outcome is EventOutcome.QUARANTINED
    assert refused.reason is not None and refused.reason.startswith("rejected: sale_id: ")
    assert applied.outcome is EventOutcome.APPLIED, applied.reason
    # The attacker (another outlet's till) names the neighbour's entry: refused, unchanged.
    stolen = world.seal(
        EventKind.LOYALTY_REVERSED,
        {
            "entry_id": genuine["entry_id"],
            "customer_id": str(uuid.uuid4()),
            "sale_id": str(uuid.uuid4()),
            "refund_id": str(uuid.uuid4()),
            "points": 5,
            "reversed_at": "2025-03-01T11:00:00+08:00",
        },
    )
    (answer,) = push(world.engine, world.attacker.auth, [stolen]).results
    assert answer.outcome is EventOutcome.QUARANTINED
    assert answer.reason is not None and answer.reason.startswith("rejected: entry_id: ")
    with world.engine.connect() as conn:
        total = conn.execute(
            text("SELECT sum(points) FROM sgpos.loyalty_entry WHERE customer_id = :c"),
            {"c": customer},
        ).scalar_one()
    assert total == 5
