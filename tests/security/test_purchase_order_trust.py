"""The trust boundary on purchase orders: a till receives only against an order head office
sent its own outlet, naming one of that order's lines, and only goods received name an order.
Anything else is refused (recorded as a security event, nothing stored); goods received against
its own order count once however often they arrive, and close the order when all is in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from shared.demo_catalogue import DEMO_STAFF
from shared.protocol import EventKind, EventOutcome, MasterEntity, StockMovedV1
from sync_service.central.admin.purchasing import save_draft, save_supplier, send_order
from sync_service.central.pull import pull_page
from sync_service.central.tills import TillAuth
from tests.security.world import World, push, security_events, victim_books

pytestmark = pytest.mark.postgres

STAFF = DEMO_STAFF[0].staff_id
D = Decimal


def _skus(world: World) -> list[str]:
    with world.engine.connect() as conn:
        return list(
            conn.scalars(text("SELECT sku FROM sgpos.product WHERE active ORDER BY sku LIMIT 2"))
        )


def _order(world: World, till: TillAuth, *, send: bool = True) -> tuple[uuid.UUID, list[Any]]:
    """An order for 10 and 5 units delivered to ``till``'s outlet; its id and lines."""
    name = f"Supplier {uuid.uuid4().hex[:8]}"
    save_supplier(world.engine, "buyer@example.com", None, {"name": name})
    a, b = _skus(world)
    form = {"supplier": name, "outlet": till.outlet_code, "lines": f"{a} 10\n{b} 5"}
    po_id = save_draft(world.engine, "buyer@example.com", None, form)
    if send:
        send_order(world.engine, "buyer@example.com", po_id)
    with world.engine.connect() as conn:
        lines = conn.execute(
            text(
                "SELECT po_line_id, product_id, quantity FROM sgpos.purchase_order_line "
                "WHERE po_id = :p ORDER BY position"
            ),
            {"p": po_id},
        ).all()
    return po_id, list(lines)


def _received(line: Any, quantity: str, po_id: Any, po_line_id: Any) -> dict[str, Any]:
    return StockMovedV1(
        movement_id=uuid.uuid4(),
        product_id=line.product_id,
        quantity=D(quantity),
        reason="delivery",
        reference="DO-1",
        staff_id=STAFF,
        moved_at=datetime.now(UTC),
        unit_cost=D("0.85"),
        po_id=po_id,
        po_line_id=po_line_id,
    ).model_dump(mode="json")


def _state(world: World, po_id: uuid.UUID) -> tuple[str, list[Decimal]]:
    with world.engine.connect() as conn:
        status = conn.execute(
            text("SELECT status FROM sgpos.purchase_order WHERE po_id = :p"), {"p": po_id}
        ).scalar_one()
        received = conn.scalars(
            text(
                "SELECT received FROM sgpos.purchase_order_line WHERE po_id = :p ORDER BY position"
            ),
            {"p": po_id},
        ).all()
    return status, [D(r) for r in received]


def _refused(
    world: World, payload: dict[str, Any], field: str, kind: EventKind = EventKind.STOCK_RECEIVED
) -> str:
    forged = world.seal(kind.value, payload)
    before = victim_books(world)
    (answer,) = push(world.engine, world.attacker.auth, [forged]).results
    assert answer.outcome is EventOutcome.QUARANTINED
    assert (answer.reason or "").startswith(f"rejected: {field}: "), answer.reason
    assert victim_books(world) == before
    mine = security_events(world.engine, world.attacker.auth.till_id)
    assert [e.field for e in mine if e.event_id == forged.event_id] == [field]
    return answer.reason or ""


def test_a_till_cannot_receive_against_another_outlets_order(world: World) -> None:
    po_id, lines = _order(world, world.victim.auth)
    reason = _refused(world, _received(lines[0], "10", po_id, lines[0].po_line_id), "po_id")
    assert "another outlet" in reason
    # Nor close it by naming its lines under an order of its own.
    own_id, _ = _order(world, world.attacker.auth)
    _refused(world, _received(lines[0], "10", own_id, lines[0].po_line_id), "po_line_id")
    assert _state(world, po_id) == ("sent", [D(0), D(0)])


def test_an_unknown_order_or_line_is_refused(world: World) -> None:
    po_id, lines = _order(world, world.attacker.auth)
    _refused(world, _received(lines[0], "1", uuid.uuid4(), uuid.uuid4()), "po_line_id")
    _refused(world, _received(lines[0], "1", po_id, uuid.uuid4()), "po_line_id")
    reason = _refused(world, _received(lines[0], "1", po_id, None), "po_id")
    assert "both" in reason
    assert _state(world, po_id) == ("sent", [D(0), D(0)])


def test_a_draft_never_reached_a_till_and_cannot_be_received(world: World) -> None:
    po_id, lines = _order(world, world.attacker.auth, send=False)
    _refused(world, _received(lines[0], "10", po_id, lines[0].po_line_id), "po_line_id")
    assert _state(world, po_id) == ("draft", [D(0), D(0)])


def test_only_goods_received_count_against_an_order(world: World) -> None:
    po_id, lines = _order(world, world.attacker.auth)
    payload = _received(lines[0], "-3", po_id, lines[0].po_line_id)
    payload["reason"] = "damaged"
    _refused(world, payload, "po_id", EventKind.STOCK_ADJUSTED)
    assert _state(world, po_id) == ("sent", [D(0), D(0)])


def test_deliveries_against_its_own_order_count_once_and_close_it(world: World) -> None:
    till = world.attacker.auth
    po_id, (first, second) = _order(world, till)
    kind = EventKind.STOCK_RECEIVED.value
    part = world.seal(kind, _received(first, "4", po_id, first.po_line_id))
    (answer,) = push(world.engine, till, [part]).results
    assert answer.outcome is EventOutcome.APPLIED, answer.reason
    assert _state(world, po_id) == ("partial", [D(4), D(0)])
    # The same delivery sent again (a retry after a lost answer) is not counted twice.
    push(world.engine, till, [part])
    assert _state(world, po_id) == ("partial", [D(4), D(0)])
    # The rest, one unit over on the second line: received in full, the order closes.
    rest = [
        world.seal(kind, _received(first, "6", po_id, first.po_line_id)),
        world.seal(kind, _received(second, "6", po_id, second.po_line_id)),
    ]
    answers = push(world.engine, till, rest).results
    assert {a.outcome for a in answers} == {EventOutcome.APPLIED}
    assert _state(world, po_id) == ("received", [D(10), D(6)])
    # Closed: the outlet's tills are sent it as deleted, so they stop offering it.
    cursor, last = "0", None
    while True:
        page = pull_page(world.engine, till, cursor, 5000, frozenset({MasterEntity.PURCHASE_ORDER}))
        for change in page.changes:
            if change.key == str(po_id):
                last = change
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert last is not None and last.op == "delete"
