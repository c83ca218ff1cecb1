"""Two outlets that traded on real tills and synced through the real ingest path, for the
report tests.

Outlet A's till sells on the evening of 31 December 2023 (GST 8%), then on 2 January 2024
refunds one of those sales (at 8%, the rate originally charged) and sells more at 9%. Outlet
B's till sells on 2 January 2024. Each till pushes its outbox with ``apply_push`` in batches,
and then pushes everything again, as a till whose acknowledgements were lost would: the
replay must change nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text, update

from shared.demo_catalogue import DEMO_STAFF
from shared.gst import SINGAPORE
from shared.protocol import PROTOCOL_VERSION, EventOutcome, PushOk, PushRequest, TillReport
from sync_service.central import models as m
from sync_service.central.ingest import apply_push
from sync_service.central.reports import Period, Scope
from tests.central import SyncedTill, add_outlet, enrolled_till
from till.simulate import simulate
from till.store.models import Outlet
from till.store.uow import UnitOfWork

NEW_YEAR_EVE = datetime(2023, 12, 31, 20, 0, tzinfo=SINGAPORE)
JAN_2 = datetime(2024, 1, 2, 10, 0, tzinfo=SINGAPORE)
PERIOD = Period(date(2023, 12, 31), date(2024, 1, 2))


@dataclass
class ReportShop:
    engine: Engine
    outlet_a: m.Outlet
    outlet_b: m.Outlet
    till_a: SyncedTill
    till_b: SyncedTill
    refunded_2023_receipt: str  # the 8% sale refunded in 2024

    @property
    def both(self) -> Scope:
        return Scope(frozenset({self.outlet_a.outlet_id, self.outlet_b.outlet_id}))

    @property
    def ids(self) -> tuple[uuid.UUID, uuid.UUID]:
        return self.outlet_a.outlet_id, self.outlet_b.outlet_id

    def close(self) -> None:
        self.till_a.demo.till.close()
        self.till_b.demo.till.close()


def push_all(engine: Engine, till: SyncedTill, *, batch: int = 40) -> list[EventOutcome]:
    events = till.events()
    report = TillReport(
        app_version="test",
        store_revision="test",
        backlog=len(events),
        oldest_pending_at=None,
        sent_at=datetime.now(UTC),
    )
    outcomes: list[EventOutcome] = []
    for start in range(0, len(events), batch):
        request = PushRequest(
            protocol=PROTOCOL_VERSION, till=report, events=events[start : start + batch]
        )
        answer = apply_push(engine, till.auth, request, now=datetime.now(UTC))
        assert isinstance(answer, PushOk), answer
        outcomes += [r.outcome for r in answer.results]
    return outcomes


def _till_at(engine: Engine, data_dir: Path, outlet: m.Outlet, start: datetime) -> SyncedTill:
    till = enrolled_till(engine, data_dir, outlet, "T01")
    # As if the till had pulled its outlet's settings: receipts carry head office's name.
    with UnitOfWork(till.demo.till.store) as uow:
        uow.session.execute(update(Outlet).values(name=outlet.name))
        uow.commit()
    till.demo.clock.now = start
    till.demo.till.shifts.open_shift(till.demo.cashier, Decimal("200.00"))
    return till


def _ring(till: SyncedTill, sales: int, seed: int) -> None:
    simulate(till.demo.till, sales, seed=seed, cashier=till.demo.cashier, manager=till.demo.manager)


def build_shop(engine: Engine, base: Path) -> ReportShop:
    outlet_a, outlet_b = add_outlet(engine), add_outlet(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sgpos.staff_outlet (staff_id, outlet_id) VALUES (:s, :o) "
                "ON CONFLICT DO NOTHING"
            ),
            [{"s": s.staff_id, "o": o.outlet_id} for s in DEMO_STAFF for o in (outlet_a, outlet_b)],
        )
    till_a = _till_at(engine, base / "a", outlet_a, NEW_YEAR_EVE)
    _ring(till_a, 18, seed=21)
    with till_a.demo.till.store.read() as s:
        first = s.execute(
            text(
                "SELECT receipt_no FROM sale WHERE sale_id NOT IN "
                "(SELECT original_sale_id FROM refund WHERE original_sale_id IS NOT NULL) "
                "ORDER BY sold_at LIMIT 1"
            )
        ).scalar_one()
    till_a.demo.clock.now = JAN_2
    refunds = till_a.demo.till.refunds()
    sold = refunds.lookup(first)
    refunds.refund(
        till_a.demo.cashier,
        first,
        {line.line_id: line.left for line in sold.lines},
        reason="faulty",
    )
    _ring(till_a, 18, seed=22)
    till_b = _till_at(engine, base / "b", outlet_b, JAN_2)
    _ring(till_b, 20, seed=23)
    for till in (till_a, till_b):
        assert set(push_all(engine, till)) == {EventOutcome.APPLIED}
    return ReportShop(engine, outlet_a, outlet_b, till_a, till_b, first)


def rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def one(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).one()
