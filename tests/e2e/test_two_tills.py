"""Two tills trade through a head-office outage, then catch up (DESIGN §1, §7).

Two tills of the Orchard demo outlet are enrolled and loaded while head office is up. Head
office then goes down; both tills keep selling, and a sync attempt says the server cannot be
reached and keeps every sale. Head office comes back (a new server process on another address,
as after a failover), ``sgpos-sync once`` drains both tills at once, and head office's figures
for each till equal the till's own: sales, gross, GST and tenders per shift, stock on hand
equal to the movement ledger (the two tills move the same outlet's stock), and each till's
audit chain verifying.

The demo's other outlet, Toa Payoh, is not GST-registered; a separate test has a till there
sell and sync.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import running_central
from tests.e2e.support_tills import (
    CHILD_ENV,
    enrolled_agent_till,
    finished,
    start_sgpos_sync,
    stop_process,
)
from tests.invariants import check_invariants, verify_central_chain

pytestmark = pytest.mark.postgres

PRODUCTS = 40


def test_two_tills_that_sold_while_head_office_was_down_drain_to_matching_totals(
    pg_url: str, tmp_path: Path
) -> None:
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    try:
        seed_demo(engine, products=PRODUCTS)
        with running_central(pg_url, tmp_path, env=CHILD_ENV) as first:
            tills = [
                enrolled_agent_till(engine, first.url, tmp_path / name, outlet_code="ORC")
                for name in ("front", "back")
            ]
        # Head office is down: the shops keep trading, and a customer brings something back.
        rung = [
            till.ring(sales, seed=20 + sales) for till, sales in zip(tills, (8, 6), strict=True)
        ]
        refund = tills[0].refund_latest_sale()
        events = [till.pending() for till in tills]

        attempts = [
            start_sgpos_sync(t.data_dir, "once", output=tmp_path / f"{t.till_code}-down.out")
            for t in tills
        ]
        try:
            for till, attempt, waiting in zip(tills, attempts, events, strict=True):
                code, said = finished(attempt, tmp_path / f"{till.till_code}-down.out")
                assert code == 1, said
                assert "connection refused" in said and f"{waiting} events still to send" in said
                assert till.pending() == waiting  # every sale kept on the till
        finally:
            for attempt in attempts:
                stop_process(attempt)

        with running_central(pg_url, tmp_path, env=CHILD_ENV) as second:
            drains = [
                start_sgpos_sync(
                    t.data_dir,
                    "once",
                    "--central",
                    second.url,
                    output=tmp_path / f"{t.till_code}-up.out",
                )
                for t in tills
            ]
            try:
                for till, drain in zip(tills, drains, strict=True):
                    code, said = finished(drain, tmp_path / f"{till.till_code}-up.out")
                    assert code == 0, said
                    assert "in sync: nothing left to send" in said
            finally:
                for drain in drains:
                    stop_process(drain)

        for till, summary in zip(tills, rung, strict=True):
            with till.store() as store:
                check_invariants(engine, store, till.till_id)
            with engine.connect() as conn:
                sales, gst = conn.execute(
                    text(
                        "SELECT count(*), coalesce(sum(gst_total), 0) FROM sgpos.sale "
                        "WHERE till_id = :t"
                    ),
                    {"t": till.till_id},
                ).one()
                refund_gst = conn.execute(
                    text("SELECT coalesce(sum(gst_total), 0) FROM sgpos.refund WHERE till_id = :t"),
                    {"t": till.till_id},
                ).scalar_one()
            # What the cashier rang is what head office reports for that till.
            assert sales == summary.sales
            refunded = refund.receipt.gst_total if till is tills[0] else Decimal(0)
            assert gst - refund_gst == summary.gst - refunded
            assert verify_central_chain(engine, till.till_id) > 0
        assert all(r.gst > Decimal(0) for r in rung)  # GST-registered: the figures are not trivial
        with engine.connect() as conn:
            refunded_at_head_office = conn.execute(
                text("SELECT till_id, gst_total FROM sgpos.refund WHERE receipt_no = :r"),
                {"r": refund.receipt_no},
            ).one()
        assert str(refunded_at_head_office.till_id) == tills[0].till_id
        assert refunded_at_head_office.gst_total == refund.receipt.gst_total
    finally:
        engine.dispose()


def test_a_till_at_an_outlet_not_registered_for_gst_sells_and_its_sales_reach_head_office(
    pg_url: str, tmp_path: Path
) -> None:
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    try:
        seed_demo(engine, products=PRODUCTS)
        with running_central(pg_url, tmp_path, env=CHILD_ENV) as server:
            till = enrolled_agent_till(engine, server.url, tmp_path / "tpy", outlet_code="TPY")
            summary = till.ring(3, seed=30)
            assert summary.gst == Decimal(0)  # not registered: no GST charged
            drain = start_sgpos_sync(till.data_dir, "once", output=tmp_path / "once.out")
            try:
                code, said = finished(drain, tmp_path / "once.out")
            finally:
                stop_process(drain)
            assert code == 0, said
        with till.store() as store:
            check_invariants(engine, store, till.till_id)
    finally:
        engine.dispose()
