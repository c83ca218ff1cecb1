"""SIGKILL a till while it completes sales, again and again, at random moments.

After every kill the store must hold each sale wholly (lines, payments, stock movements,
outbox event) or not at all, the outbox sequence and the receipt numbers must have no gaps,
and the audit chain must verify.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from shared.audit import verify_chain
from shared.protocol import EventKind
from tests.tills import demo_till
from till.app import open_till
from till.store.models import (
    AuditRecord,
    Counter,
    OutboxEvent,
    Payment,
    Refund,
    Sale,
    SaleLine,
    StockMovement,
)
from till.store.uow import to_chain

ROUNDS = 12
ROOT = Path(__file__).resolve().parents[2]


def ring_and_kill(data_dir: Path, seed: int, rng: random.Random) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.ring_sales", str(data_dir), str(seed)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "ready", child.stderr.read() if child.stderr else line
    time.sleep(rng.uniform(0.05, 0.8))
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL, "the till stopped by itself: it crashed"


def check_invariants(data_dir: Path) -> int:
    till = open_till(data_dir)
    try:
        with till.store.read() as s:
            assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            sales = s.scalars(select(Sale)).all()
            sale_events = {
                json.loads(e.payload)["sale_id"]
                for e in s.scalars(
                    select(OutboxEvent).where(OutboxEvent.kind == EventKind.SALE_COMPLETED)
                )
            }
            assert sale_events == {x.sale_id for x in sales}
            for sale in sales:
                assert sale.lines and sale.payments, f"{sale.receipt_no} is half-written"
                moved = s.scalar(
                    select(func.count()).where(
                        StockMovement.source_id.in_([x.line_id for x in sale.lines])
                    )
                )
                assert moved == len(sale.lines)
                paid = sum(p.amount for p in sale.payments)
                assert paid - sale.change == sale.total + sale.rounding
            seqs = s.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.seq)).all()
            assert seqs == list(range(1, len(seqs) + 1)), "outbox sequence has a gap"
            counter = s.get(Counter, "outbox:1")
            assert counter is None or counter.value == len(seqs)
            numbers = sorted(
                int(n.rsplit("-", 1)[1])
                for n in [
                    *s.scalars(select(Sale.receipt_no)),
                    *s.scalars(select(Refund.receipt_no)),
                ]
            )
            assert numbers == list(range(1, len(numbers) + 1)), "receipt numbers have a gap"
            orphans = s.scalar(
                select(func.count()).where(~SaleLine.sale_id.in_(select(Sale.sale_id)))
            )
            orphan_payments = s.scalar(
                select(func.count()).where(
                    Payment.sale_id.is_not(None), ~Payment.sale_id.in_(select(Sale.sale_id))
                )
            )
            assert orphans == 0 and orphan_payments == 0
            chain = [to_chain(r) for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
            verdict = verify_chain(chain)
            assert verdict.ok, verdict.reason
            return len(sales)
    finally:
        till.close()


def test_sigkill_mid_sale_never_leaves_half_a_sale(tmp_path: Path) -> None:
    data_dir = tmp_path / "till"
    setup = demo_till(data_dir, products=200)
    setup.till.shifts.open_shift(setup.cashier, Decimal("200.00"))
    setup.till.close()
    rng = random.Random(20261120)
    counts = []
    for round_ in range(ROUNDS):
        ring_and_kill(data_dir, round_, rng)
        counts.append(check_invariants(data_dir))
    assert counts == sorted(counts) and counts[-1] > counts[0], counts  # sales kept coming
