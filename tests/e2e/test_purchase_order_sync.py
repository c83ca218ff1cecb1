"""A purchase order end to end over the real server and PostgreSQL: head office sends it, the
outlet's till pulls it, receives a partial delivery and then the rest against it, and head
office shows it partly received, then received (closed); the till then drops it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from sync_service.central.admin.purchasing import save_draft, save_supplier, send_order
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import central_server
from tests.e2e.support_tills import AgentTill, _sign_in, enrolled_agent_till
from till.sync.agent import SyncAgent
from till.sync.settings import AgentSettings

pytestmark = pytest.mark.postgres
D = Decimal


@pytest.fixture(scope="module")
def head_office(pg_url: str) -> Iterator[tuple[Engine, str]]:
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    seed_demo(engine, products=200)
    try:
        with central_server(pg_url) as url:
            yield engine, url
    finally:
        engine.dispose()


def sync(till: AgentTill) -> None:
    with SyncAgent(till.data_dir, AgentSettings.load()) as agent:
        assert asyncio.run(agent.sync_once()), agent.last_problem


def state(engine: Engine, po_id: uuid.UUID) -> tuple[str, list[Decimal]]:
    with engine.connect() as conn:
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


def test_a_sent_order_is_received_in_two_deliveries_and_closes_at_head_office(
    tmp_path: Path, head_office: tuple[Engine, str]
) -> None:
    engine, url = head_office
    with engine.connect() as conn:
        skus = list(
            conn.scalars(
                text(
                    "SELECT sku FROM sgpos.product WHERE active AND NOT weighed "
                    "ORDER BY sku LIMIT 2"
                )
            )
        )
    name = f"Supplier {uuid.uuid4().hex[:6]}"
    save_supplier(engine, "buyer@example.com", None, {"name": name})
    form = {"supplier": name, "outlet": "ORC", "lines": f"{skus[0]} 2x12\n{skus[1]} 6"}
    po_id = save_draft(engine, "buyer@example.com", None, form)
    send_order(engine, "buyer@example.com", po_id)

    till = enrolled_agent_till(engine, url, tmp_path / "till")  # the initial load brings it
    with till.opened() as opened:
        stock = opened.stock()
        (order,) = [o for o in stock.open_orders() if o.po_id == str(po_id)]
        assert [(ln.ordered, ln.received_before) for ln in order.lines] == [
            (D(24), D(0)),
            (D(6), D(0)),
        ]
        manager = _sign_in(opened, "manager")
        first = order.lines[0]
        stock.receive_order(manager, order, {first.po_line_id: D(12)}, reference="DO-1")
    sync(till)
    assert state(engine, po_id) == ("partial", [D(12), D(0)])

    with till.opened() as opened:
        stock = opened.stock()
        (order,) = [o for o in stock.open_orders() if o.po_id == str(po_id)]
        assert order.status == "partial"
        assert [ln.outstanding for ln in order.lines] == [D(12), D(6)]
        manager = _sign_in(opened, "manager")
        rest = {ln.po_line_id: ln.outstanding for ln in order.lines}
        stock.receive_order(manager, order, rest, reference="DO-2")
    sync(till)
    assert state(engine, po_id) == ("received", [D(24), D(6)])
    with engine.connect() as conn:
        moved = conn.execute(
            text(
                "SELECT count(*), sum(m.quantity) FROM sgpos.stock_movement m "
                "JOIN sgpos.purchase_order_line l USING (po_line_id) WHERE l.po_id = :p"
            ),
            {"p": po_id},
        ).one()
    assert (moved[0], D(moved[1])) == (3, D(30))

    sync(till)  # the closed order comes down as deleted
    with till.opened() as opened:
        assert not [o for o in opened.stock().open_orders() if o.po_id == str(po_id)]
