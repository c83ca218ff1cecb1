"""Two outlets whose tills have traded, one of them hostile: the hostile-till tests' world.

The victim (a till at one outlet) rang sales, refunds and a void, moved cash, closed a shift
and opened another, received and adjusted stock and recorded a customer, all through the
till's own services where the till has one (customers and stock events are sealed by hand:
the till has no screen for them yet). The attacker is an enrolled till at another outlet that
traded too. Both tills' events were applied by the real ingest.

``victim_books`` is a fingerprint of everything that is the victim's or is figured from it:
its rows in every fact table, anything anywhere that names its sales, shifts, receipt numbers,
movements or customers, its outlet's stock and summaries, and the report figures for its
outlet. Equal before and after an attack means the attack changed nothing of the victim's.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from shared.demo_catalogue import DEMO_STAFF
from shared.gst import SINGAPORE
from shared.protocol import (
    PROTOCOL_VERSION,
    CustomerUpsertedV1,
    Event,
    EventKind,
    EventOutcome,
    PushOk,
    PushRequest,
    StockMovedV1,
    TillReport,
)
from shared.wire import payload_hash
from sync_service.central.db import central_engine
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import upgrade_central
from sync_service.central.reports.common import Period, Scope
from sync_service.central.reports.gst import gst_report
from sync_service.central.reports.journal import sales_journal
from sync_service.central.reports.overview import overview
from sync_service.central.reports.sale_detail import sale_detail
from sync_service.central.seed import seed_demo
from sync_service.central.tills import TillAuth, create_enrolment_code, enrol
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.migrations.central_support import fresh_database
from till.simulate import simulate

PRODUCTS = 20


@dataclass
class Known:
    """Everything the victim has at head office, by kind: what an attacker would name."""

    receipts: list[str] = field(default_factory=list)
    sale_ids: list[uuid.UUID] = field(default_factory=list)
    refund_ids: list[uuid.UUID] = field(default_factory=list)
    line_ids: list[uuid.UUID] = field(default_factory=list)
    shift_ids: list[uuid.UUID] = field(default_factory=list)
    cash_ids: list[uuid.UUID] = field(default_factory=list)
    stock_ids: list[uuid.UUID] = field(default_factory=list)
    customer_ids: list[uuid.UUID] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass(repr=False)
class World:
    engine: Engine
    victim: SyncedTill
    attacker: SyncedTill
    known: Known
    attacker_events: list[Event]
    days: Period
    neighbour: TillAuth  # another till at the victim's own outlet
    _seq: Iterator[int] = field(default_factory=lambda: itertools.count(100_000))
    _serial: Iterator[int] = field(default_factory=lambda: itertools.count(800_000))

    def __repr__(self) -> str:  # hypothesis shows it with every failing example
        return f"World(victim={self.victim.auth.till_id}, attacker={self.attacker.auth.till_id})"

    def next_seq(self) -> int:
        """A key of the attacker's own never used before (applied controls take theirs)."""
        return next(self._seq)

    def own_receipt(self) -> str:
        """A receipt number the attacker may use: its codes and a serial it never used."""
        auth = self.attacker.auth
        return f"{auth.outlet_code}-{auth.till_code}-{next(self._serial):06d}"

    def seal(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        event_id: uuid.UUID | None = None,
        till: TillAuth | None = None,
    ) -> Event:
        """An event as the attacker's till (or ``till``) would send it: its own till id and a
        fresh key."""
        return Event(
            event_id=event_id or uuid.uuid4(),
            till_id=(till or self.attacker.auth).till_id,
            epoch=1,
            seq=self.next_seq(),
            kind=kind,
            schema_version=1,
            occurred_at=datetime.now(UTC),
            payload=payload,
            payload_sha256=payload_hash(payload),
        )


def push(engine: Engine, till: TillAuth, events: list[Event]) -> PushOk:
    report = TillReport(
        app_version="test",
        store_revision="test",
        backlog=0,
        oldest_pending_at=None,
        sent_at=datetime.now(UTC),
    )
    result = apply_push(
        engine,
        till,
        PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events),
        now=datetime.now(UTC),
    )
    assert isinstance(result, PushOk), result
    return result


def push_all(engine: Engine, till: TillAuth, events: list[Event]) -> None:
    for start in range(0, len(events), 500):
        result = push(engine, till, events[start : start + 500])
        outcomes = {r.outcome for r in result.results}
        assert outcomes == {EventOutcome.APPLIED}, [r for r in result.results if r.reason]


def _trade(till: SyncedTill, start: datetime, seed: int) -> None:
    """A day at the till: sales and refunds, a void, cash moved, a shift closed, another
    opened with a sale in it (left open)."""
    demo = till.demo
    demo.clock.now = start
    shifts, cashier, manager = demo.till.shifts, demo.cashier, demo.manager
    shifts.open_shift(cashier, Decimal("200.00"))
    summary = simulate(demo.till, 8, seed=seed, cashier=cashier, manager=manager)
    assert summary.last_receipt is not None
    demo.till.refunds().void(
        cashier, summary.last_receipt.receipt_no, reason="rang twice", approved_by=manager
    )
    shifts.move_cash(cashier, "out", Decimal("20.00"), "float to the safe")
    report = shifts.x_report()
    # Counted to the cent in coins of 5 cents and more: a variance the limit allows.
    cents = int(report.expected_cash * 100)
    counted = {"10.00": cents // 1000, "0.05": (cents % 1000) // 5}
    shifts.close_shift(cashier, counted, approved_by=manager)
    shifts.open_shift(cashier, Decimal("150.00"))
    simulate(demo.till, 2, seed=seed + 1, cashier=cashier, manager=manager)


def _sealed_extras(till: SyncedTill, first_seq: int, at: datetime) -> list[Event]:
    """A customer and stock received and adjusted, as the till would seal them."""
    product = _a_product_id(till)
    payloads: list[tuple[EventKind, Any]] = [
        (
            EventKind.CUSTOMER_UPSERTED,
            CustomerUpsertedV1(
                customer_id=uuid.uuid4(),
                name="Tan Ah Kow",
                phone="+6591234567",
                consent_contact=True,
                consent_marketing=False,
                consent_at=at,
            ),
        ),
        (
            EventKind.STOCK_RECEIVED,
            StockMovedV1(
                movement_id=uuid.uuid4(),
                product_id=product,
                quantity=Decimal("24"),
                reason="delivery",
                staff_id=DEMO_STAFF[0].staff_id,
                moved_at=at,
            ),
        ),
        (
            EventKind.STOCK_ADJUSTED,
            StockMovedV1(
                movement_id=uuid.uuid4(),
                product_id=product,
                quantity=Decimal("-2"),
                reason="damaged",
                staff_id=DEMO_STAFF[0].staff_id,
                moved_at=at,
            ),
        ),
    ]
    return [
        Event.seal(
            event_id=uuid.uuid4(),
            till_id=till.auth.till_id,
            epoch=1,
            seq=first_seq + i,
            kind=kind,
            occurred_at=at,
            payload=payload,
        )
        for i, (kind, payload) in enumerate(payloads)
    ]


def _a_product_id(till: SyncedTill) -> uuid.UUID:
    for event in till.events():
        if event.kind == EventKind.SALE_COMPLETED:
            return uuid.UUID(event.payload["lines"][0]["product_id"])
    raise AssertionError("the till sold nothing")


def _known(events: list[Event]) -> Known:
    known = Known(events=events)
    for e in events:
        p = e.payload
        if e.kind == EventKind.SALE_COMPLETED:
            known.receipts.append(p["receipt_no"])
            known.sale_ids.append(uuid.UUID(p["sale_id"]))
            known.line_ids += [uuid.UUID(line["line_id"]) for line in p["lines"]]
        elif e.kind == EventKind.REFUND_COMPLETED:
            known.receipts.append(p["receipt_no"])
            known.refund_ids.append(uuid.UUID(p["refund_id"]))
        elif e.kind == EventKind.SHIFT_OPENED:
            known.shift_ids.append(uuid.UUID(p["shift_id"]))
        elif e.kind == EventKind.CASH_MOVED:
            known.cash_ids.append(uuid.UUID(p["movement_id"]))
        elif e.kind in (EventKind.STOCK_RECEIVED, EventKind.STOCK_ADJUSTED):
            known.stock_ids.append(uuid.UUID(p["movement_id"]))
        elif e.kind == EventKind.CUSTOMER_UPSERTED:
            known.customer_ids.append(uuid.UUID(p["customer_id"]))
    return known


def build_world(pg_server: str, base: Path) -> Iterator[World]:
    """The world, in a database of its own (dropped afterwards)."""
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        engine = central_engine(url, pool_size=2)
        try:
            seed_demo(engine, products=PRODUCTS)
            outlet_v, outlet_a = add_outlet(engine), add_outlet(engine)
            victim = enrolled_till(engine, base / "victim", outlet_v, "T01")
            attacker = enrolled_till(engine, base / "attacker", outlet_a, "T05")
            day = datetime(2025, 3, 3, 9, 0, tzinfo=SINGAPORE)
            try:
                _trade(victim, day, seed=31)
                _trade(attacker, day + timedelta(hours=1), seed=32)
                victim_events = victim.events()
                victim_events += _sealed_extras(victim, 50_000, day + timedelta(hours=5))
                attacker_events = attacker.events()
                attacker_events += _sealed_extras(attacker, 50_000, day + timedelta(hours=6))
            finally:
                victim.demo.till.close()
                attacker.demo.till.close()
            push_all(engine, victim.auth, victim_events)
            push_all(engine, attacker.auth, attacker_events)
            code = create_enrolment_code(
                engine, outlet_code=outlet_v.code, till_code="T02", created_by="test", now=day
            )
            ok = enrol(engine, code=code, now=day)
            neighbour = TillAuth(ok.till_id, outlet_v.outlet_id, outlet_v.code, "T02")
            yield World(
                engine,
                victim,
                attacker,
                _known(victim_events),
                attacker_events,
                Period(date(2025, 3, 1), date(2025, 3, 31)),
                neighbour,
            )
        finally:
            engine.dispose()


# --- the victim's books ------------------------------------------------------------------------

# Every query names the victim's till (:t), its outlet (:o) or its receipt prefix (:prefix).
BOOKS = {
    "purchase orders": "SELECT * FROM sgpos.purchase_order WHERE outlet_id = :o",
    "purchase order lines": (
        "SELECT l.* FROM sgpos.purchase_order_line l JOIN sgpos.purchase_order p USING (po_id) "
        "WHERE p.outlet_id = :o"
    ),
    "sales": "SELECT * FROM sgpos.sale WHERE till_id = :t OR outlet_id = :o",
    "sales with its receipt numbers": "SELECT * FROM sgpos.sale WHERE receipt_no LIKE :prefix",
    "sales naming its customers": (
        "SELECT s.* FROM sgpos.sale s JOIN sgpos.customer c USING (customer_id) "
        "WHERE c.outlet_id = :o"
    ),
    "sale lines": (
        "SELECT l.* FROM sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) WHERE s.till_id = :t"
    ),
    "tenders": (
        "SELECT * FROM sgpos.tender WHERE document_id IN (SELECT sale_id FROM sgpos.sale "
        "WHERE till_id = :t UNION SELECT refund_id FROM sgpos.refund WHERE till_id = :t)"
    ),
    "refunds": "SELECT * FROM sgpos.refund WHERE till_id = :t OR outlet_id = :o",
    "refunds with its receipt numbers": (
        "SELECT * FROM sgpos.refund WHERE receipt_no LIKE :prefix "
        "OR original_receipt_no LIKE :prefix"
    ),
    "refunds of its sales": (
        "SELECT * FROM sgpos.refund WHERE original_sale_id IN "
        "(SELECT sale_id FROM sgpos.sale WHERE till_id = :t)"
    ),
    "refund lines of its lines": (
        "SELECT * FROM sgpos.refund_line WHERE line_id IN (SELECT l.line_id FROM "
        "sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) WHERE s.till_id = :t) "
        "OR refund_id IN (SELECT refund_id FROM sgpos.refund WHERE till_id = :t)"
    ),
    "shifts": "SELECT * FROM sgpos.shift WHERE till_id = :t OR outlet_id = :o",
    "cash": "SELECT * FROM sgpos.cash_movement WHERE till_id = :t OR shift_id IN "
    "(SELECT shift_id FROM sgpos.shift WHERE till_id = :t)",
    "stock movements": "SELECT * FROM sgpos.stock_movement WHERE outlet_id = :o OR till_id = :t",
    "stock on hand": "SELECT * FROM sgpos.stock_on_hand WHERE outlet_id = :o",
    "audit records": "SELECT * FROM sgpos.audit_record WHERE till_id = :t",
    "audit chain marks": "SELECT * FROM sgpos.audit_chain_check WHERE till_id = :t",
    "customers": "SELECT * FROM sgpos.customer WHERE outlet_id = :o",
    "inbox": "SELECT * FROM sgpos.inbox WHERE till_id = :t",
    "quarantine": "SELECT * FROM sgpos.quarantine WHERE till_id = :t",
    "security events": "SELECT * FROM sgpos.security_event WHERE till_id = :t",
    "till": "SELECT * FROM sgpos.till WHERE till_id = :t",
    "sales by hour": "SELECT * FROM sgpos.sales_by_hour WHERE outlet_id = :o",
    "sales by tax": "SELECT * FROM sgpos.sales_by_tax WHERE outlet_id = :o",
    "sales by tender": "SELECT * FROM sgpos.sales_by_tender WHERE outlet_id = :o",
    "sales by item": "SELECT * FROM sgpos.sales_by_item WHERE outlet_id = :o",
    "sales by item and month": "SELECT * FROM sgpos.sales_by_item_month WHERE outlet_id = :o",
    "sales by staff": "SELECT * FROM sgpos.sales_by_staff WHERE outlet_id = :o OR till_id = :t",
}


def victim_books(world: World) -> dict[str, Any]:
    auth = world.victim.auth
    values = {
        "t": auth.till_id,
        "o": auth.outlet_id,
        "prefix": f"{auth.outlet_code}-%",
    }
    books: dict[str, Any] = {}
    with world.engine.connect() as conn:
        for name, query in BOOKS.items():
            # Row text, sorted: the fingerprint of exactly these rows and every column.
            books[name] = conn.execute(
                text(
                    f"SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), "
                    f"'')) FROM ({query}) AS r"
                ),
                values,
            ).one()
        scope = Scope.outlet(auth.outlet_id)
        books["report: overview"] = overview(conn, scope, world.days)
        books["report: GST"] = gst_report(conn, scope, world.days)
        books["report: journal"] = sales_journal(conn, scope, world.days, auth.outlet_id)
        books["report: sales opened"] = [
            sale_detail(conn, Scope.everything(), sale_id) for sale_id in world.known.sale_ids
        ]
        conn.rollback()
    return books


def security_events(engine: Engine, till_id: uuid.UUID) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT epoch, seq, event_id, kind, field, reason, payload_sha256 "
                    "FROM sgpos.security_event WHERE till_id = :t ORDER BY security_event_id"
                ),
                {"t": till_id},
            )
        )
