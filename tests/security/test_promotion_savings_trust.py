"""A hostile till and the uplift report: which promotion saved what on a sale line is the
till's claim about its own line, so head office counts it only when it can be true (names a
promotion head office has, each once, adding up to at most the line's own discount). The sale
itself is stored as sent; another outlet's books never move (docs/promotions.md)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from shared.promotion_wire import PromotionV1
from shared.protocol import EventKind, EventOutcome
from sync_service.central.admin.promotions import save_promotion
from tests.security.forge import fresh, put
from tests.security.world import World, push

pytestmark = pytest.mark.postgres
D = Decimal


def counted(world: World, sale_id: str) -> list[tuple[Any, ...]]:
    with world.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT promotion_id, amount, outlet_id FROM sgpos.sale_line_promotion "
                    "WHERE sale_id = :s ORDER BY promotion_id"
                ),
                {"s": sale_id},
            )
        ]


def a_promotion(world: World) -> uuid.UUID:
    with world.engine.connect() as conn:
        product_id = conn.execute(text("SELECT product_id FROM sgpos.product LIMIT 1")).scalar_one()
    promo = PromotionV1(
        promotion_id=uuid.uuid4(),
        name=f"Trust {uuid.uuid4().hex[:6]}",
        kind="percent_off",
        products=[product_id],
        percent=D("10"),
    )
    return save_promotion(world.engine, "security-test@example.com", promo)


def sale_with(world: World, discount: str, savings: list[dict[str, str]]) -> dict[str, Any]:
    payload = fresh(world, EventKind.SALE_COMPLETED)
    payload = put(payload, "lines.0.line_discount", discount)
    return put(payload, "lines.0.promotion_savings", savings)


def test_only_savings_a_till_could_honestly_claim_are_counted(world: World) -> None:
    promo, other = str(a_promotion(world)), str(a_promotion(world))
    # Re-pricing the forged line is not the point: sales figures take the line as sent, as
    # they always have; what matters is what the uplift report counts.
    honest = sale_with(world, "0.30", [{"promotion_id": promo, "amount": "0.30"}])
    split = sale_with(
        world,
        "0.30",
        [{"promotion_id": promo, "amount": "0.10"}, {"promotion_id": other, "amount": "0.20"}],
    )
    inflated = sale_with(world, "0.30", [{"promotion_id": promo, "amount": "9.99"}])
    twice = sale_with(
        world,
        "0.30",
        [{"promotion_id": promo, "amount": "0.10"}, {"promotion_id": promo, "amount": "0.10"}],
    )
    unknown = sale_with(world, "0.30", [{"promotion_id": str(uuid.uuid4()), "amount": "0.30"}])
    negative = sale_with(
        world,
        "0.30",
        [{"promotion_id": promo, "amount": "0.40"}, {"promotion_id": other, "amount": "-0.10"}],
    )
    sales = (honest, split, inflated, twice, unknown, negative)
    events = [world.seal(EventKind.SALE_COMPLETED, p) for p in sales]
    result = push(world.engine, world.attacker.auth, events)
    assert {r.outcome for r in result.results} == {EventOutcome.APPLIED}
    outlet = world.attacker.auth.outlet_id
    assert counted(world, honest["sale_id"]) == [(uuid.UUID(promo), D("0.30"), outlet)]
    assert sorted(counted(world, split["sale_id"])) == sorted(
        [(uuid.UUID(promo), D("0.10"), outlet), (uuid.UUID(other), D("0.20"), outlet)]
    )
    for refused in (inflated, twice, unknown, negative):
        assert counted(world, refused["sale_id"]) == []
    # The sale is the attacker's own and is stored at its own outlet, whatever it claimed.
    with world.engine.connect() as conn:
        outlets = {
            r[0]
            for r in conn.execute(
                text("SELECT outlet_id FROM sgpos.sale WHERE sale_id = ANY(CAST(:s AS uuid[]))"),
                {"s": [p["sale_id"] for p in sales]},
            )
        }
    assert outlets == {outlet}
