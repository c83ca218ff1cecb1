"""Costs and the trust boundary: what a till sends moves only its own outlet's moving average.
A hostile till's deliveries at absurd costs, its taking in of a transfer sent to it, and a
refund naming another till's sale line leave the victim's averages, booked costs and sale
line costs exactly as they were."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text

from shared.demo_catalogue import DEMO_STAFF
from shared.protocol import (
    EventKind,
    EventOutcome,
    RefundCompletedV1,
    RefundLineV1,
    StockMovedV1,
    StockTransferredV1,
    TenderV1,
)
from tests.security.world import World, push, victim_books

pytestmark = pytest.mark.postgres

STAFF = DEMO_STAFF[0].staff_id


def _victims_stocked_product(world: World) -> uuid.UUID:
    with world.engine.connect() as conn:
        return uuid.UUID(
            str(
                conn.execute(
                    text(
                        "SELECT product_id FROM sgpos.stock_on_hand WHERE outlet_id = :o "
                        "ORDER BY product_id LIMIT 1"
                    ),
                    {"o": world.victim.auth.outlet_id},
                ).scalar_one()
            )
        )


def _average(world: World, outlet_id: uuid.UUID, product: uuid.UUID) -> Decimal | None:
    with world.engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT average_cost FROM sgpos.stock_on_hand "
                "WHERE outlet_id = :o AND product_id = :p"
            ),
            {"o": outlet_id, "p": product},
        ).scalar_one_or_none()
    return None if found is None else Decimal(found)


def test_a_tills_costs_move_only_its_own_outlets_average(world: World) -> None:
    victim, attacker = world.victim.auth, world.attacker.auth
    product = _victims_stocked_product(world)
    number = f"TR-{victim.outlet_code}-{victim.till_code}-000901"
    sent = StockTransferredV1(
        movement_id=uuid.uuid4(),
        transfer_no=number,
        direction="out",
        other_outlet=attacker.outlet_code,
        product_id=product,
        quantity=Decimal("-1"),
        unit_cost=Decimal("1.00"),
        staff_id=STAFF,
        moved_at=datetime.now(UTC),
    )
    (answer,) = push(
        world.engine,
        victim,
        [world.seal(EventKind.STOCK_TRANSFERRED.value, sent.model_dump(mode="json"), till=victim)],
    ).results
    assert answer.outcome is EventOutcome.APPLIED, answer.reason
    before = victim_books(world)
    absurd = StockMovedV1(
        movement_id=uuid.uuid4(),
        product_id=product,
        quantity=Decimal("1000"),
        reason="delivery",
        staff_id=STAFF,
        moved_at=datetime.now(UTC),
        unit_cost=Decimal("99999.99"),
    )
    taken_in = sent.model_copy(
        update={
            "movement_id": uuid.uuid4(),
            "direction": "in",
            "other_outlet": victim.outlet_code,
            "quantity": Decimal("1"),
        }
    )
    answers = push(
        world.engine,
        attacker,
        [
            world.seal(EventKind.STOCK_RECEIVED.value, absurd.model_dump(mode="json")),
            world.seal(EventKind.STOCK_TRANSFERRED.value, taken_in.model_dump(mode="json")),
        ],
    ).results
    assert {a.outcome for a in answers} == {EventOutcome.APPLIED}, answers
    assert victim_books(world) == before
    assert (_average(world, attacker.outlet_id, product) or 0) > 90_000


def test_a_refund_naming_another_tills_sale_line_is_not_costed_from_it(world: World) -> None:
    line_id = world.known.line_ids[0]
    before = victim_books(world)
    refund = RefundCompletedV1(
        refund_id=uuid.uuid4(),
        receipt_no=world.own_receipt(),
        original_sale_id=None,
        original_receipt_no=None,
        is_void=False,
        reason="not mine",
        shift_id=uuid.uuid4(),
        cashier_id=STAFF,
        approved_by=STAFF,
        refunded_at=datetime.now(UTC),
        lines=[
            RefundLineV1(
                line_id=line_id,
                product_id=_victims_stocked_product(world),
                name="Anything",
                quantity=Decimal("1"),
                amount=Decimal("1.09"),
                gst=Decimal("0.09"),
                gst_rate=Decimal(9),
                tax_code="SR",
            )
        ],
        tenders=[TenderV1(type="cash", amount=Decimal("1.09"))],
        total=Decimal("1.09"),
        gst_total=Decimal("0.09"),
        rounding=Decimal(0),
    )
    (answer,) = push(
        world.engine,
        world.attacker.auth,
        [world.seal(EventKind.REFUND_COMPLETED.value, refund.model_dump(mode="json"))],
    ).results
    assert answer.outcome is EventOutcome.QUARANTINED
    assert (answer.reason or "").startswith("rejected: lines[0].line_id: "), answer.reason
    assert victim_books(world) == before
