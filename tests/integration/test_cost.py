"""Cost at head office, through the real ingest into PostgreSQL: the moving average per outlet
and product, the cost of goods sold on each sale line, refunds at the sale's cost, transfers
at the sender's cost; replaying events changes no cost."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text

from shared.demo_catalogue import DEMO_STAFF
from shared.protocol import (
    PROTOCOL_VERSION,
    Event,
    EventKind,
    EventOutcome,
    PushOk,
    PushRequest,
    RefundCompletedV1,
    RefundLineV1,
    SaleCompletedV1,
    SaleLineV1,
    StockMovedV1,
    StockTransferredV1,
    TenderV1,
    TillReport,
)
from sync_service.central import costing
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import upgrade_central
from sync_service.central.tills import TillAuth, create_enrolment_code, enrol
from tests.central import add_outlet
from tests.migrations.central_support import fresh_database

pytestmark = pytest.mark.postgres

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
STAFF = DEMO_STAFF[0].staff_id
_seq = itertools.count(1)
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = create_engine(pg_url)
    yield eng
    eng.dispose()


def _till(engine: Engine, code: str | None = None) -> TillAuth:
    outlet = add_outlet(engine, code)
    enrolment = create_enrolment_code(
        engine, outlet_code=outlet.code, till_code="T01", created_by="test", now=NOW
    )
    ok = enrol(engine, code=enrolment, now=NOW)
    return TillAuth(ok.till_id, outlet.outlet_id, outlet.code, "T01")


def _second_till(engine: Engine, first: TillAuth) -> TillAuth:
    enrolment = create_enrolment_code(
        engine, outlet_code=first.outlet_code, till_code="T02", created_by="test", now=NOW
    )
    ok = enrol(engine, code=enrolment, now=NOW)
    return TillAuth(ok.till_id, first.outlet_id, first.outlet_code, "T02")


def _product(engine: Engine, cost_price: str | None = None) -> uuid.UUID:
    product_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sgpos.product (product_id, sku, name, price, tax_code, weighed, "
                "active, cost_price) VALUES (:p, :sku, 'Kopi-O beans 500g', 9.90, 'SR', false, "
                "true, :c)"
            ),
            {"p": product_id, "sku": f"SKU-{product_id.hex[:10]}", "c": cost_price},
        )
    return product_id


def _seal(till: TillAuth, kind: EventKind, payload: Any) -> Event:
    return Event.seal(
        event_id=uuid.uuid4(),
        till_id=till.till_id,
        epoch=1,
        seq=next(_seq),
        kind=kind,
        occurred_at=NOW,
        payload=payload,
    )


def _push(engine: Engine, till: TillAuth, events: list[Event]) -> None:
    report = TillReport(
        app_version="test", store_revision="t", backlog=0, oldest_pending_at=None, sent_at=NOW
    )
    result = apply_push(
        engine,
        till,
        PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events),
        now=NOW,
    )
    assert isinstance(result, PushOk), result
    assert {r.outcome for r in result.results} <= {EventOutcome.APPLIED, EventOutcome.DUPLICATE}, [
        r for r in result.results if r.reason
    ]


def received(till: TillAuth, product: uuid.UUID, qty: str, cost: str | None) -> Event:
    return _seal(
        till,
        EventKind.STOCK_RECEIVED,
        StockMovedV1(
            movement_id=uuid.uuid4(),
            product_id=product,
            quantity=Decimal(qty),
            reason="delivery",
            staff_id=STAFF,
            moved_at=NOW,
            unit_cost=None if cost is None else Decimal(cost),
        ),
    )


def adjusted(till: TillAuth, product: uuid.UUID, qty: str) -> Event:
    return _seal(
        till,
        EventKind.STOCK_ADJUSTED,
        StockMovedV1(
            movement_id=uuid.uuid4(),
            product_id=product,
            quantity=Decimal(qty),
            reason="damaged" if Decimal(qty) < 0 else "found",
            staff_id=STAFF,
            moved_at=NOW,
        ),
    )


def sold(till: TillAuth, product: uuid.UUID, qty: str) -> tuple[Event, uuid.UUID]:
    """A sale of ``qty`` at $10.90 a unit (GST 9% included); and its line's id."""
    quantity = Decimal(qty)
    amount = (quantity * Decimal("10.90")).quantize(Decimal("0.01"))
    gst = (amount * 9 / 109).quantize(Decimal("0.01"))
    line_id = uuid.uuid4()
    sale = SaleCompletedV1(
        sale_id=uuid.uuid4(),
        receipt_no=f"{till.outlet_code}-{till.till_code}-{next(_serial):06d}",
        shift_id=uuid.uuid4(),
        cashier_id=STAFF,
        sold_at=NOW,
        lines=[
            SaleLineV1(
                line_id=line_id,
                product_id=product,
                sku="KOPI",
                name="Kopi-O beans 500g",
                quantity=quantity,
                unit_price=Decimal("10.90"),
                list_price=Decimal("10.90"),
                line_discount=Decimal(0),
                cart_discount=Decimal(0),
                amount=amount,
                tax_code="SR",
                gst_rate=Decimal(9),
                gst=gst,
            )
        ],
        tenders=[TenderV1(type="cash", amount=amount)],
        subtotal=amount,
        discount_total=Decimal(0),
        total=amount,
        gst_total=gst,
        rounding=Decimal(0),
        change=Decimal(0),
    )
    return _seal(till, EventKind.SALE_COMPLETED, sale), line_id


def refunded(
    till: TillAuth, product: uuid.UUID, line_id: uuid.UUID | None, qty: str
) -> tuple[Event, uuid.UUID]:
    quantity = Decimal(qty)
    amount = (quantity * Decimal("10.90")).quantize(Decimal("0.01"))
    gst = (amount * 9 / 109).quantize(Decimal("0.01"))
    refund = RefundCompletedV1(
        refund_id=uuid.uuid4(),
        receipt_no=f"{till.outlet_code}-{till.till_code}-{next(_serial):06d}",
        original_sale_id=None,
        original_receipt_no=None,
        is_void=False,
        reason="changed mind",
        shift_id=uuid.uuid4(),
        cashier_id=STAFF,
        approved_by=STAFF,
        refunded_at=NOW,
        lines=[
            RefundLineV1(
                line_id=line_id,
                product_id=product,
                name="Kopi-O beans 500g",
                quantity=quantity,
                amount=amount,
                gst=gst,
                gst_rate=Decimal(9),
                tax_code="SR",
            )
        ],
        tenders=[TenderV1(type="cash", amount=amount)],
        total=amount,
        gst_total=gst,
        rounding=Decimal(0),
    )
    return _seal(till, EventKind.REFUND_COMPLETED, refund), refund.refund_id


def transferred(
    till: TillAuth, number: str, direction: str, other: str, product: uuid.UUID, qty: str, cost: str
) -> Event:
    return _seal(
        till,
        EventKind.STOCK_TRANSFERRED,
        StockTransferredV1(
            movement_id=uuid.uuid4(),
            transfer_no=number,
            direction=direction,  # type: ignore[arg-type]
            other_outlet=other,
            product_id=product,
            quantity=Decimal(qty) * (-1 if direction == "out" else 1),
            unit_cost=Decimal(cost),
            staff_id=STAFF,
            moved_at=NOW + timedelta(minutes=1),
        ),
    )


def position(engine: Engine, till: TillAuth, product: uuid.UUID) -> tuple[Decimal, Decimal | None]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT quantity, average_cost FROM sgpos.stock_on_hand "
                "WHERE outlet_id = :o AND product_id = :p"
            ),
            {"o": till.outlet_id, "p": product},
        ).one()
    return row.quantity, row.average_cost


def line(engine: Engine, line_id: uuid.UUID) -> tuple[Decimal | None, Decimal | None]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT unit_cost, cost FROM sgpos.sale_line WHERE line_id = :l"), {"l": line_id}
        ).one()
    return row.unit_cost, row.cost


def test_deliveries_average_sales_cost_at_it_and_refunds_give_back_the_sales_cost(
    engine: Engine,
) -> None:
    till = _till(engine)
    kopi = _product(engine, cost_price="3.00")
    # Sold before any delivery: the catalogue's cost price stands in; stock goes to -2.
    first, first_line = sold(till, kopi, "2")
    _push(engine, till, [first])
    assert line(engine, first_line) == (Decimal("3.0000"), Decimal("6.00"))
    assert position(engine, till, kopi) == (Decimal("-2"), None)
    # Into negative stock: the average is the delivery's cost.
    _push(engine, till, [received(till, kopi, "12", "4.00")])
    assert position(engine, till, kopi) == (Decimal("10"), Decimal("4.0000"))
    # (10 x 4.00 + 20 x 5.50) / 30 = 5.00
    _push(engine, till, [received(till, kopi, "20", "5.50")])
    assert position(engine, till, kopi) == (Decimal("30"), Decimal("5.0000"))
    sale, sale_line = sold(till, kopi, "3")
    _push(engine, till, [sale])
    assert line(engine, sale_line) == (Decimal("5.0000"), Decimal("15.00"))
    # (27 x 5.00 + 3 x 8.00) / 30 = 5.30
    _push(engine, till, [received(till, kopi, "3", "8.00")])
    assert position(engine, till, kopi) == (Decimal("30"), Decimal("5.3000"))
    # The refund of the sale at 5.00 gives back 2 x 5.00 and brings the average to
    # (30 x 5.30 + 2 x 5.00) / 32 = 5.28125 -> 5.2813.
    back, refund_id = refunded(till, kopi, sale_line, "2")
    _push(engine, till, [back])
    with engine.connect() as conn:
        cost = conn.scalar(
            text("SELECT cost FROM sgpos.refund_line WHERE refund_id = :r"), {"r": refund_id}
        )
    assert cost == Decimal("10.00")
    assert position(engine, till, kopi) == (Decimal("32"), Decimal("5.2813"))
    # Goods found, or a delivery without a cost, come in at the average and leave it alone;
    # breakage goes out at it (in one push: deliveries are stored before adjustments).
    _push(
        engine,
        till,
        [adjusted(till, kopi, "1"), received(till, kopi, "2", None), adjusted(till, kopi, "-5")],
    )
    assert position(engine, till, kopi) == (Decimal("30"), Decimal("5.2813"))
    with engine.connect() as conn:
        booked = conn.execute(
            text(
                "SELECT reason, quantity, cost FROM sgpos.stock_movement "
                "WHERE outlet_id = :o AND product_id = :p ORDER BY movement_id"
            ),
            {"o": till.outlet_id, "p": kopi},
        ).all()
    assert [(r, q, c) for r, q, c in booked] == [
        ("sale", Decimal("-2"), Decimal("3.0000")),
        ("received", Decimal("12"), Decimal("4.0000")),
        ("received", Decimal("20"), Decimal("5.5000")),
        ("sale", Decimal("-3"), Decimal("5.0000")),
        ("received", Decimal("3"), Decimal("8.0000")),
        ("refund", Decimal("2"), Decimal("5.0000")),
        ("received", Decimal("2"), Decimal("5.2813")),
        ("adjusted", Decimal("1"), Decimal("5.2813")),
        ("adjusted", Decimal("-5"), Decimal("5.2813")),
    ]


def test_without_a_delivery_or_a_cost_price_the_cost_is_unknown(engine: Engine) -> None:
    till = _till(engine)
    tea = _product(engine)
    sale, line_id = sold(till, tea, "1")
    _push(engine, till, [sale])
    assert line(engine, line_id) == (None, None)


def test_goods_received_and_sold_in_one_push_are_sold_at_the_delivery_cost(
    engine: Engine,
) -> None:
    till = _till(engine)
    kopi = _product(engine, cost_price="3.00")
    sale, line_id = sold(till, kopi, "4")
    _push(engine, till, [received(till, kopi, "24", "4.20"), sale])
    assert line(engine, line_id) == (Decimal("4.2000"), Decimal("16.80"))
    assert position(engine, till, kopi) == (Decimal("20"), Decimal("4.2000"))


def test_a_transfer_comes_in_at_the_cost_it_left_the_sender_with(engine: Engine) -> None:
    sender, receiver = _till(engine), _till(engine)
    kopi = _product(engine, cost_price="3.00")
    number = f"TR-{sender.outlet_code}-{sender.till_code}-000001"
    _push(
        engine, sender, [received(sender, kopi, "10", "4.00"), received(sender, kopi, "10", "5.00")]
    )
    # The till says 5.00 (its latest delivery); head office's average at the sender is 4.50.
    _push(
        engine,
        sender,
        [transferred(sender, number, "out", receiver.outlet_code, kopi, "4", "5.00")],
    )
    _push(engine, receiver, [received(receiver, kopi, "4", "6.00")])
    _push(
        engine,
        receiver,
        [transferred(receiver, number, "in", sender.outlet_code, kopi, "4", "5.00")],
    )
    assert position(engine, sender, kopi) == (Decimal("16"), Decimal("4.5000"))
    # (4 x 6.00 + 4 x 4.50) / 8 = 5.25
    assert position(engine, receiver, kopi) == (Decimal("8"), Decimal("5.2500"))


def test_replaying_every_event_changes_no_cost(engine: Engine) -> None:
    """Exactly once: the same events pushed again (all, then in a different mix with new
    ones) leave every average, movement cost and line cost as it was."""
    till = _till(engine)
    kopi = _product(engine, cost_price="3.00")
    sale, line_id = sold(till, kopi, "3")
    events = [received(till, kopi, "10", "4.00"), sale, received(till, kopi, "5", "7.00")]
    _push(engine, till, events)

    def books() -> list[Any]:
        with engine.connect() as conn:
            return [
                *conn.execute(
                    text(
                        "SELECT quantity, average_cost FROM sgpos.stock_on_hand "
                        "WHERE outlet_id = :o"
                    ),
                    {"o": till.outlet_id},
                ).all(),
                *conn.execute(
                    text(
                        "SELECT movement_id, quantity, cost FROM sgpos.stock_movement "
                        "WHERE outlet_id = :o ORDER BY movement_id"
                    ),
                    {"o": till.outlet_id},
                ).all(),
                line(engine, line_id),
            ]

    before = books()
    # Stock documents are costed before the sales of the same push:
    # (10 x 4.00 + 5 x 7.00) / 15 = 5.00, and the sale goes out at it.
    assert position(engine, till, kopi) == (Decimal("12"), Decimal("5.0000"))
    assert line(engine, line_id) == (Decimal("5.0000"), Decimal("15.00"))
    _push(engine, till, events)
    _push(engine, till, list(reversed(events)))
    assert books() == before
    # A new delivery in the same push as replays is costed as if the replays were not there.
    _push(engine, till, [*events, received(till, kopi, "12", "3.00")])
    # (12 x 5.00 + 12 x 3.00) / 24 = 4.00
    assert position(engine, till, kopi) == (Decimal("24"), Decimal("4.0000"))


# --- the averaging rule, against an independent computation in SQL ---------------------------

moves = st.lists(
    st.tuples(
        st.integers(min_value=-20, max_value=30),
        st.one_of(st.none(), st.integers(min_value=1, max_value=2000)),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves=moves)
def test_the_moving_average_equals_a_recomputation_from_the_ledger(
    engine: Engine, moves: list[tuple[int, int | None]]
) -> None:
    """Random deliveries (with or without a cost), breakages and finds, pushed one by one:
    the stored average equals a recursive SQL recomputation over the ledger in the order it
    was stored, and every movement's booked cost is the average before it (goods out) or
    its own cost (goods in with one)."""
    till = _till(engine)
    kopi = _product(engine, cost_price="2.50")
    for quantity, cents in moves:
        if quantity > 0:
            cost = None if cents is None else str(Decimal(cents) / 100)
            event = received(till, kopi, str(quantity), cost)
        else:
            event = adjusted(till, kopi, str(quantity))
        _push(engine, till, [event])
    with engine.connect() as conn:
        expected = conn.execute(
            text(
                """
                WITH RECURSIVE ledger AS (
                  SELECT row_number() OVER (ORDER BY movement_id) AS n, quantity, unit_cost
                    FROM sgpos.stock_movement WHERE outlet_id = :o AND product_id = :p),
                walk(n, on_hand, average) AS (
                  SELECT 0::bigint, 0::numeric, NULL::numeric
                  UNION ALL
                  SELECT l.n, w.on_hand + l.quantity,
                         CASE WHEN l.quantity <= 0 OR l.unit_cost IS NULL THEN w.average
                              WHEN w.average IS NULL OR w.on_hand <= 0 THEN l.unit_cost
                              ELSE round((w.on_hand * w.average + l.quantity * l.unit_cost)
                                         / (w.on_hand + l.quantity), 4) END
                    FROM walk w JOIN ledger l ON l.n = w.n + 1)
                SELECT on_hand, average FROM walk ORDER BY n DESC LIMIT 1
                """
            ),
            {"o": till.outlet_id, "p": kopi},
        ).one()
    assert position(engine, till, kopi) == (expected.on_hand, expected.average)
    # And the pure rule agrees, step by step, with what was stored.
    state = costing.Position(Decimal(0), None, Decimal("2.50"))
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT quantity, unit_cost, cost FROM sgpos.stock_movement "
                "WHERE outlet_id = :o AND product_id = :p ORDER BY movement_id"
            ),
            {"o": till.outlet_id, "p": kopi},
        ).all()
    for quantity, unit_cost, cost in stored:
        state, booked = costing.book(state, quantity, unit_cost)
        assert cost == booked


def test_two_tills_of_an_outlet_pushing_at_once_keep_one_true_average(engine: Engine) -> None:
    """Two tills of one outlet push deliveries and sales at the same moment, each push sent
    twice at once (a retry racing the original): every movement is costed once, in the order
    the ledger stored them, and the average is the one that order gives."""
    first = _till(engine)
    second = _second_till(engine, first)
    kopi = _product(engine, cost_price="3.00")
    plans: dict[uuid.UUID, list[Event]] = {}
    for till, costs in ((first, ["4.00", "4.40", "3.90"]), (second, ["5.10", "4.75", "5.00"])):
        events: list[Event] = []
        for cost in costs:
            events.append(received(till, kopi, "6", cost))
            events.append(sold(till, kopi, "2")[0])
        plans[till.till_id] = events
    errors: list[BaseException] = []

    def send(till: TillAuth) -> None:
        try:
            for event in plans[till.till_id]:
                _push(engine, till, [event])
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    racers = [threading.Thread(target=send, args=(t,)) for t in (first, second, first, second)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert errors == []
    with engine.connect() as conn:
        ledger = conn.execute(
            text(
                "SELECT quantity, unit_cost, cost FROM sgpos.stock_movement "
                "WHERE outlet_id = :o AND product_id = :p ORDER BY movement_id"
            ),
            {"o": first.outlet_id, "p": kopi},
        ).all()
        lines = conn.execute(
            text(
                "SELECT l.unit_cost, m.cost FROM sgpos.sale_line l JOIN sgpos.stock_movement m "
                "ON m.reason = 'sale' AND m.source = l.line_id::text WHERE l.product_id = :p"
            ),
            {"p": kopi},
        ).all()
    assert len(ledger) == 12 and len(lines) == 6
    state = costing.Position(Decimal(0), None, Decimal("3.00"))
    for quantity, unit_cost, cost in ledger:
        state, booked = costing.book(state, quantity, unit_cost)
        assert cost == booked
    assert (
        position(engine, first, kopi)
        == (state.quantity, state.average)
        == (
            Decimal(24),
            state.average,
        )
    )
    assert all(unit_cost == cost for unit_cost, cost in lines)


COSTS = {
    "movements": "SELECT movement_id, cost FROM sgpos.stock_movement ORDER BY movement_id",
    "sale lines": "SELECT line_id, unit_cost, cost FROM sgpos.sale_line ORDER BY line_id",
    "refund lines": "SELECT refund_id, position, cost FROM sgpos.refund_line ORDER BY 1, 2",
    "averages": "SELECT outlet_id, product_id, quantity, average_cost FROM sgpos.stock_on_hand "
    "ORDER BY 1, 2",
    # What the breakdowns read: the summaries' cost follows the lines'.
    "item summaries": "SELECT business_date, outlet_id, product_id, cost, refund_cost, uncosted "
    "FROM sgpos.sales_by_item ORDER BY 1, 2, 3",
    "month summaries": "SELECT month, outlet_id, product_id, cost, refund_cost, uncosted "
    "FROM sgpos.sales_by_item_month ORDER BY 1, 2, 3",
    "staff summaries": "SELECT business_date, outlet_id, till_id, cashier_id, hour, cost, "
    "refund_cost, uncosted FROM sgpos.sales_by_staff ORDER BY 1, 2, 3, 4, 5",
}
SUMMARIES = ("sales_by_item", "sales_by_item_month", "sales_by_staff")


def test_recost_books_rows_stored_without_costs_as_ingest_would_have(
    pg_server: str,
    monkeypatch: pytest.MonkeyPatch,
    central_cli: Callable[..., tuple[int, str, str]],
) -> None:
    """``sgpos-central recost`` on a ledger whose costs were never kept (as before migration
        0015_cost) books exactly what ingest books as events arrive, and puts the breakdown
    summaries' cost back to what ingest kept; run twice, nothing moves."""
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        engine = create_engine(url)
        try:
            sender, receiver = _till(engine), _till(engine)
            kopi = _product(engine, cost_price="3.00")
            sale, line_id = sold(sender, kopi, "3")
            number = f"TR-{sender.outlet_code}-{sender.till_code}-000001"
            _push(engine, sender, [sold(sender, kopi, "1")[0]])  # at the cost price
            _push(engine, sender, [received(sender, kopi, "10", "4.00")])
            _push(engine, sender, [sale])
            _push(engine, sender, [received(sender, kopi, "5", "7.00")])
            _push(engine, sender, [refunded(sender, kopi, line_id, "1")[0]])
            _push(engine, sender, [adjusted(sender, kopi, "-1")])
            out = transferred(sender, number, "out", receiver.outlet_code, kopi, "4", "7.00")
            _push(engine, sender, [out])
            _push(engine, receiver, [received(receiver, kopi, "2", "9.00")])
            taken = transferred(receiver, number, "in", sender.outlet_code, kopi, "4", "7.00")
            _push(engine, receiver, [taken])

            def costs() -> dict[str, list[Any]]:
                with engine.connect() as conn:
                    return {k: list(conn.execute(text(q)).all()) for k, q in COSTS.items()}

            booked = costs()
            with engine.begin() as conn:
                conn.execute(text("UPDATE sgpos.stock_movement SET cost = NULL"))
                conn.execute(text("UPDATE sgpos.sale_line SET unit_cost = NULL, cost = NULL"))
                conn.execute(text("UPDATE sgpos.refund_line SET cost = NULL"))
                conn.execute(text("UPDATE sgpos.stock_on_hand SET average_cost = NULL"))
                for table in SUMMARIES:  # as ingest kept them with no line costed
                    conn.execute(
                        text(
                            f"UPDATE sgpos.{table} SET cost = 0, refund_cost = 0, "
                            "uncosted = uncosted + 1"
                        )
                    )
            assert costs() != booked
            # The command on this database, not the run's (central_cli set that one first).
            monkeypatch.setenv("SGPOS_CENTRAL_DB_URL", url)
            for _ in range(2):
                code, said, err = central_cli("recost")
                assert code == 0, err
                assert "9 stock movements, 2 sale lines, 1 refund lines" in said, said
                assert costs() == booked
        finally:
            engine.dispose()
