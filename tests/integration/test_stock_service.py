"""Stock documents at the till on a real SQLite store: each commits with its movements, audit
record and outbox events, or not at all; the manager rules; the stocktake's counting rule."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from shared.audit import verify_chain
from shared.cart import ApprovalNeeded, ManagerAction, ProductSnapshot
from shared.demo_variants import demo_variants
from shared.protocol import PAYLOAD_MODELS, EventKind
from shared.tender import Tender, TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.tills import DemoTill, demo_till
from till.services.stock import (
    ADJUSTMENT_LIMIT,
    OpenOrder,
    OrderLine,
    OrderScan,
    StockError,
    StockLine,
    parse_cost,
    parse_quantity,
)
from till.store.models import (
    AuditRecord,
    Category,
    OutboxEvent,
    Product,
    StockDocument,
    StockMovement,
)
from till.store.uow import UnitOfWork, to_chain

D = Decimal


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DemoTill]:
    demo = demo_till(tmp_path / "till")
    demo.till.shifts.open_shift(demo.cashier, D("100.00"))
    yield demo
    demo.till.close()


def events(shop: DemoTill, kind: EventKind) -> list[dict[str, Any]]:
    with shop.till.store.read() as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.kind == kind.value)).all()
        out = []
        for row in rows:
            model = PAYLOAD_MODELS[(kind, 1)]
            out.append(model.model_validate_json(row.payload).model_dump(mode="json"))
        return out


def on_hand(shop: DemoTill, code: str) -> Decimal:
    stock = shop.till.stock()
    product = stock.product(code)
    return stock.on_hand([product.product_id])[product.product_id]


def test_receiving_commits_movements_audit_and_events_together(shop: DemoTill) -> None:
    stock = shop.till.stock()
    a, b = (stock.product(c) for c in standard_barcodes(shop.till.store, 2))
    done = stock.receive(
        shop.manager,
        [StockLine(a, parse_quantity("3x24"), D("0.85")), StockLine(b, D(5), D("2.10"))],
        reference="DO-88812",
    )
    assert done.number.startswith("GR-") and done.lines == 2
    assert done.value == D("71.70")  # 72 x 0.85 + 5 x 2.10
    assert stock.on_hand([a.product_id, b.product_id]) == {a.product_id: 72, b.product_id: 5}
    received = events(shop, EventKind.STOCK_RECEIVED)
    assert sorted(D(e["quantity"]) for e in received) == [5, 72]
    assert {e["reference"] for e in received} == {"DO-88812"}
    assert {e["document_id"] for e in received} == {done.document_id}
    assert {e["unit_cost"] for e in received} == {"0.85", "2.10"}
    with shop.till.store.read() as s:
        assert s.scalar(select(AuditRecord.action).order_by(AuditRecord.seq.desc())) == (
            "stock.receipt"
        )
        chain = [to_chain(r) for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert verify_chain(chain).ok


def test_a_cashier_needs_a_manager_to_receive(shop: DemoTill) -> None:
    stock = shop.till.stock()
    a = stock.product(standard_barcodes(shop.till.store, 1)[0])
    lines = [StockLine(a, D(2), D("1.00"))]
    with pytest.raises(ApprovalNeeded) as asked:
        stock.receive(shop.cashier, lines)
    assert asked.value.action is ManagerAction.STOCK_CONTROL
    with pytest.raises(StockError, match="not a manager"):
        stock.receive(shop.cashier, lines, approved_by=shop.cashier)
    done = stock.receive(shop.cashier, lines, approved_by=shop.manager)
    with shop.till.store.read() as s:
        doc = s.get(StockDocument, done.document_id)
        assert doc is not None and doc.approved_by == shop.manager.staff_id


def test_receiving_refuses_bad_input_and_writes_nothing(shop: DemoTill) -> None:
    stock = shop.till.stock()
    a = stock.product(standard_barcodes(shop.till.store, 1)[0])
    with pytest.raises(StockError, match="cost per unit"):
        stock.receive(shop.manager, [StockLine(a, D(2))])
    with pytest.raises(StockError, match="at least one item"):
        stock.receive(shop.manager, [])
    for typed, says in (
        ("abc", "not a quantity"),
        ("0", "more than zero"),
        ("1.5", "whole units"),
        ("2x", "not a quantity"),
        ("9999999", "more than"),
    ):
        with pytest.raises(StockError, match=says):
            parse_quantity(typed)
    assert parse_quantity("1.250", weighed=True) == D("1.250")
    for typed in ("-1", "0.425", "x"):
        with pytest.raises(StockError):
            parse_cost(typed)
    with pytest.raises(StockError, match="no product has barcode"):
        stock.product("0000000000000")
    with shop.till.store.read() as s:
        assert s.scalar(select(func.count()).select_from(StockDocument)) == 0


def test_adjustment_above_the_limit_needs_a_manager_pin(shop: DemoTill) -> None:
    stock = shop.till.stock()
    a = stock.product(standard_barcodes(shop.till.store, 1)[0])
    stock.receive(shop.manager, [StockLine(a, D(40), D("5.00"))])
    small = stock.adjust(shop.cashier, [StockLine(a, D(2))], "damaged")
    assert small.value == D("-10.00")
    over = int(ADJUSTMENT_LIMIT / 5) + 1
    with pytest.raises(ApprovalNeeded) as asked:
        stock.adjust(shop.cashier, [StockLine(a, D(over))], "expired")
    assert asked.value.action is ManagerAction.STOCK_ADJUSTMENT_OVER_LIMIT
    stock.adjust(shop.cashier, [StockLine(a, D(over))], "expired", approved_by=shop.manager)
    with pytest.raises(StockError, match="choose a reason"):
        stock.adjust(shop.cashier, [StockLine(a, D(1))], "lost in space")
    assert stock.on_hand([a.product_id])[a.product_id] == 40 - 2 - over
    adjusted = events(shop, EventKind.STOCK_ADJUSTED)
    assert [(e["reason"], D(e["quantity"])) for e in adjusted] == [
        ("damaged", D(-2)),
        ("expired", D(-over)),
    ]
    assert adjusted[1]["approved_by"] == shop.manager.staff_id


def test_stocktake_counts_as_of_each_items_first_scan(shop: DemoTill) -> None:
    """Sold before its first scan: already off the shelf. Sold after: counted, then sold."""
    stock = shop.till.stock()
    code_a, code_b = standard_barcodes(shop.till.store, 2)
    a, b = stock.product(code_a), stock.product(code_b)
    stock.receive(shop.manager, [StockLine(a, D(10), D("1.00")), StockLine(b, D(10), D("2.00"))])
    count = stock.start_count(shop.manager, category="")  # a shelf list: what is scanned
    checkout = shop.till.checkout(shop.cashier)
    checkout.scan(code_a)  # sold before A is counted: 9 left on the shelf
    checkout.complete([Tender(TenderType.CASH, D("500.00"))])
    stock.count(count.document_id, a, D(8))  # one more is missing
    checkout.scan(code_a)  # sold after A was counted: it was among the 8
    checkout.complete([Tender(TenderType.CASH, D("500.00"))])
    stock.count(count.document_id, b, D(6))
    stock.count(count.document_id, b, D(4))  # two scans of B add up
    variance = {v.product_id: v for v in stock.variance(count.document_id)}
    assert (variance[a.product_id].expected, variance[a.product_id].counted) == (D(9), D(8))
    assert variance[a.product_id].value == D("-1.00")
    assert variance[b.product_id].variance == 0
    done = stock.approve_count(shop.manager, count.document_id)
    assert done.lines == 1 and done.value == D("-1.00")
    # 8 on the shelf at the count, one sold since: 7.
    assert stock.on_hand([a.product_id, b.product_id]) == {a.product_id: 7, b.product_id: 10}
    adjusted = events(shop, EventKind.STOCK_ADJUSTED)
    assert [(e["reason"], D(e["quantity"]), e["reference"]) for e in adjusted] == [
        ("count", D(-1), count.number)
    ]
    assert stock.open_count() is None
    with pytest.raises(StockError, match="no longer open"):
        stock.count(count.document_id, a, D(1))


def test_a_category_count_zeroes_what_was_not_found(shop: DemoTill) -> None:
    stock = shop.till.stock()
    with shop.till.store.read() as s:
        category = s.scalars(select(Category).order_by(Category.name)).first()
        assert category is not None
        in_cat = s.scalars(
            select(Product).where(Product.category_id == category.category_id, ~Product.weighed)
        ).all()
        outside = s.scalars(
            select(Product).where(Product.category_id != category.category_id, ~Product.weighed)
        ).first()
    assert len(in_cat) >= 2 and outside is not None
    snap = [shop.till.catalogue.by_id(p.product_id) for p in (*in_cat[:2], outside)]
    first, second, other = (p for p in snap if p is not None)
    stock.receive(shop.manager, [StockLine(p, D(3), D("1.00")) for p in (first, second, other)])
    with pytest.raises(StockError, match="no category"):
        stock.start_count(shop.manager, category="No Such Aisle")
    count = stock.start_count(shop.manager, category=category.name.upper())
    with pytest.raises(StockError, match="already open"):
        stock.start_count(shop.manager)
    stock.count(count.document_id, first, D(3))
    with pytest.raises(StockError, match="not in the category"):
        stock.count(count.document_id, other, D(1))
    with pytest.raises(ApprovalNeeded):
        stock.approve_count(shop.cashier, count.document_id)
    stock.approve_count(shop.cashier, count.document_id, approved_by=shop.manager)
    assert stock.on_hand([first.product_id, second.product_id, other.product_id]) == {
        first.product_id: 3,
        second.product_id: 0,  # in the category, never scanned: not on the shelf
        other.product_id: 3,  # outside the count: untouched
    }


def jasmine(shop: DemoTill) -> tuple[ProductSnapshot, ProductSnapshot]:
    """The demo carton of 24 Jasmine 500ml and its unit, as the till's catalogue has them."""
    sku = {p.sku: p.product_id for p in demo_variants().products}
    carton = shop.till.catalogue.by_id(sku["PGT-JAS-500-C24"])
    unit = shop.till.catalogue.by_id(sku["PGT-JAS-500"])
    assert carton is not None and unit is not None
    return carton, unit


def test_a_carton_counted_is_its_units_of_the_unit_product(shop: DemoTill) -> None:
    """A category count finds one sealed carton of 24 where the books hold 30 bottles: 6
    are missing, written off from the unit product; the carton's own stock stays 0."""
    stock = shop.till.stock()
    carton, unit = jasmine(shop)
    assert stock.in_units(carton, D(2)) == StockLine(unit, D(48))
    assert stock.in_units(unit, D(5)) == StockLine(unit, D(5))  # a unit is itself
    stock.receive(shop.manager, [StockLine(unit, D(30), D("0.80"))])
    count = stock.start_count(shop.manager, category="Beverages")
    assert stock.count(count.document_id, carton, D(1)) == D(24)
    assert stock.counted(count.document_id) == [(unit.name, D(24))]
    [line] = stock.variance(count.document_id)  # every other drink: none expected, none found
    assert (line.product_id, line.expected, line.counted, line.variance, line.value) == (
        unit.product_id,
        D(30),
        D(24),
        D(-6),
        D("-4.80"),
    )
    done = stock.approve_count(shop.manager, count.document_id)
    assert (done.lines, done.value) == (1, D("-4.80"))
    adjusted = events(shop, EventKind.STOCK_ADJUSTED)
    assert [(e["product_id"], D(e["quantity"]), e["reason"]) for e in adjusted] == [
        (unit.product_id, D(-6), "count")
    ]
    assert stock.on_hand([unit.product_id, carton.product_id]) == {
        unit.product_id: 24,
        carton.product_id: 0,
    }


def test_cartons_adjusted_and_transferred_are_valued_at_their_units_cost(
    shop: DemoTill,
) -> None:
    """The carton's list price is $23.90; its 24 units cost $0.80 each when delivered."""
    stock = shop.till.stock()
    carton, unit = jasmine(shop)
    stock.receive(shop.manager, [StockLine(unit, D(120), D("0.80"))])
    # Three cartons damaged: 72 units at $0.80 is $57.60, over the limit, so a manager's PIN
    # (at the carton's list price it would have been $71.70).
    with pytest.raises(ApprovalNeeded) as asked:
        stock.adjust(shop.cashier, [StockLine(carton, D(3))], "damaged")
    assert "$57.60" in str(asked.value)
    done = stock.adjust(
        shop.cashier, [StockLine(carton, D(3))], "damaged", approved_by=shop.manager
    )
    assert done.value == D("-57.60")
    sent = stock.dispatch(shop.manager, [StockLine(carton, D(1))], "JUR")
    assert sent.value == D("-19.20")
    taken = stock.receive_transfer(shop.manager, [StockLine(carton, D(2))], "TR-JUR-T01-000009")
    assert taken.value == D("38.40")
    adjusted = events(shop, EventKind.STOCK_ADJUSTED)
    assert [(e["product_id"], D(e["quantity"])) for e in adjusted] == [(unit.product_id, D(-72))]
    moved = events(shop, EventKind.STOCK_TRANSFERRED)
    assert [(e["product_id"], D(e["quantity"]), e["unit_cost"]) for e in moved] == [
        (unit.product_id, D(-24), "0.80"),
        (unit.product_id, D(48), "0.80"),
    ]
    assert stock.on_hand([unit.product_id])[unit.product_id] == 120 - 72 - 24 + 48


def test_a_carton_scanned_against_an_order_of_its_units_counts_on_the_units_line(
    shop: DemoTill,
) -> None:
    """The order names the unit (48 Jasmine 500ml, packs of 24, $0.85 a unit); the carton's
    barcode counts 24 units on that line per carton, and the delivery is booked in units at
    the order's cost. A carton of a unit not on the order is refused by the unit's name."""
    stock = shop.till.stock()
    carton, unit = jasmine(shop)
    sku = {p.sku: p.product_id for p in demo_variants().products}
    honey = shop.till.catalogue.by_id(sku["PGT-HON-1500-C12"])
    honey_unit = shop.till.catalogue.by_id(sku["PGT-HON-1500"])
    assert honey is not None and honey_unit is not None
    line = OrderLine("a1b2c3d4-0000-4000-8000-000000000001", unit, "TB-1", D(24), D(48), D(0),
                     D("0.85"))  # fmt: skip
    order = OpenOrder("a1b2c3d4-0000-4000-8000-000000000002", "PO-000007", "Tan", "sent",
                      (line,))  # fmt: skip

    assert stock.against_order(order, carton) == OrderScan(line, D(24), carton, D(1))
    assert stock.against_order(order, carton, "2") == OrderScan(line, D(48), carton, D(2))
    assert stock.against_order(order, carton, "3p") == OrderScan(line, D(72), carton, D(3))
    # The unit itself, as before: units, or packs of the order's pack size.
    assert stock.against_order(order, unit, "2p") == OrderScan(line, D(48))
    assert stock.against_order(order, unit, "5") == OrderScan(line, D(5))
    with pytest.raises(StockError, match="type how many cartons came"):
        stock.against_order(order, carton, "2x24")
    with pytest.raises(StockError) as refused:
        stock.against_order(order, honey)
    assert str(refused.value) == (
        f"{honey.name} holds 12 of {honey_unit.name}, which is not on PO-000007: set it aside, "
        "and receive it without an order after saving this one"
    )
    with pytest.raises(StockError, match=f"{honey_unit.name} is not on PO-000007"):
        stock.against_order(order, honey_unit)

    scanned = stock.against_order(order, carton, "2")
    done = stock.receive_order(shop.manager, order, {scanned.line.po_line_id: scanned.units})
    assert done.value == D("40.80")  # 48 units at the order's $0.85
    [received] = events(shop, EventKind.STOCK_RECEIVED)
    assert (received["product_id"], D(received["quantity"]), received["po_line_id"]) == (
        unit.product_id,
        D(48),
        line.po_line_id,
    )
    assert received["unit_cost"] == "0.85"
    assert stock.on_hand([unit.product_id, carton.product_id]) == {
        unit.product_id: 48,
        carton.product_id: 0,
    }


def test_a_carton_of_a_product_no_longer_sold_is_refused(shop: DemoTill) -> None:
    stock = shop.till.stock()
    carton, unit = jasmine(shop)
    with UnitOfWork(shop.till.store) as uow:  # discontinued by head office since
        found = uow.session.scalars(
            select(Product).where(Product.product_id == unit.product_id)
        ).one()
        found.active = False
        uow.commit()
    count = stock.start_count(shop.manager, category="")
    with pytest.raises(StockError, match="no longer sells"):
        stock.count(count.document_id, carton, D(1))
    with pytest.raises(StockError, match="no longer sells"):
        stock.adjust(shop.manager, [StockLine(carton, D(1))], "damaged")
    assert stock.counted(count.document_id) == []
    assert events(shop, EventKind.STOCK_ADJUSTED) == []


def test_cancelled_count_moves_nothing(shop: DemoTill) -> None:
    stock = shop.till.stock()
    a = stock.product(standard_barcodes(shop.till.store, 1)[0])
    count = stock.start_count(shop.manager)
    stock.count(count.document_id, a, D(4))
    stock.cancel_count(shop.manager, count.document_id)
    assert stock.open_count() is None
    assert stock.on_hand([a.product_id])[a.product_id] == 0
    assert events(shop, EventKind.STOCK_ADJUSTED) == []


def test_transfers_out_and_in(shop: DemoTill) -> None:
    stock = shop.till.stock()
    a = stock.product(standard_barcodes(shop.till.store, 1)[0])
    stock.receive(shop.manager, [StockLine(a, D(12), D("1.50"))])
    here = shop.till.profile.outlet.code
    with pytest.raises(StockError, match="another outlet"):
        stock.dispatch(shop.manager, [StockLine(a, D(1))], here)
    with pytest.raises(StockError, match="not an outlet code"):
        stock.dispatch(shop.manager, [StockLine(a, D(1))], "east side!")
    sent = stock.dispatch(shop.manager, [StockLine(a, D(5))], "jur")
    assert sent.number.startswith(f"TR-{here}-") and sent.value == D("-7.50")
    with pytest.raises(StockError, match="not a transfer number"):
        stock.receive_transfer(shop.manager, [StockLine(a, D(1))], "hello")
    with pytest.raises(StockError, match="sent by this outlet"):
        stock.receive_transfer(shop.manager, [StockLine(a, D(1))], sent.number)
    stock.receive_transfer(shop.manager, [StockLine(a, D(2))], "tr-jur-t01-000007")
    assert stock.on_hand([a.product_id])[a.product_id] == 12 - 5 + 2
    moved = events(shop, EventKind.STOCK_TRANSFERRED)
    seen = [(e["direction"], e["other_outlet"], D(e["quantity"]), e["transfer_no"]) for e in moved]
    assert seen == [
        ("out", "JUR", D(-5), sent.number),
        ("in", "JUR", D(2), "TR-JUR-T01-000007"),
    ]
    assert {e["unit_cost"] for e in moved} == {"1.50"}


def test_a_failed_write_leaves_nothing(shop: DemoTill, monkeypatch: pytest.MonkeyPatch) -> None:
    stock = shop.till.stock()
    a = stock.product(standard_barcodes(shop.till.store, 1)[0])

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk gone")

    from till.store.uow import UnitOfWork

    monkeypatch.setattr(UnitOfWork, "audit", broken)
    with pytest.raises(RuntimeError):
        stock.receive(shop.manager, [StockLine(a, D(2), D("1.00"))])
    with shop.till.store.read() as s:
        assert s.scalar(select(func.count()).select_from(StockDocument)) == 0
        assert s.scalar(select(func.count()).select_from(StockMovement)) == 0
        kinds = set(s.scalars(select(OutboxEvent.kind)))
    assert EventKind.STOCK_RECEIVED.value not in kinds
