"""Receiving a delivery against a purchase order at the stock screen, by keys and taps: the
order pulled from head office pre-fills its lines, a partial delivery is counted in packs and
units, short and over are flagged on screen, and the movements name the order and its lines."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.demo_variants import demo_variants
from shared.protocol import EventKind, MasterChange, MasterEntity, ProductV1
from shared.purchase_wire import PurchaseOrderLineV1, PurchaseOrderV1
from tests.integration.test_checkout import standard_barcodes
from tests.tills import DemoTill
from tests.ui.backoffice import MANAGER, Shop, approve_with, click, open_shop, reactivate, show
from tests.ui.selling import keys, press, running_till, sign_in
from tests.ui.test_screens_fit import problems
from tests.ui.test_stock_view import (
    child,
    events,
    f10,
    jasmine_carton,
    message,
    on_hand,
    scan,
    table,
)
from till.app import Till
from till.store.master import apply_changes
from till.store.models import Barcode
from till.store.uow import UnitOfWork
from till.ui.stock_view import StockView

D = Decimal


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    s = open_shop(tmp_path / "till")
    s.till.shifts.open_shift(s.demo.cashier, D("100.00"))
    yield s
    s.till.close()


def send_order(shop: Shop | DemoTill, codes: list[str]) -> PurchaseOrderV1:
    """An order for 48 of the first product (packs of 24) and 6 of the second, as a pull
    brings it (the same apply path as every pulled change)."""
    stock = shop.till.stock()
    a, b = (stock.product(c) for c in codes)
    order = PurchaseOrderV1(
        po_id=uuid.uuid4(),
        number="PO-000042",
        supplier="Tan Brothers Trading",
        status="sent",
        outlet_id=uuid.uuid4(),
        lines=[
            PurchaseOrderLineV1(
                po_line_id=uuid.uuid4(),
                product_id=uuid.UUID(a.product_id),
                supplier_sku="TB-001",
                pack_size=D(24),
                ordered=D(48),
                received=D(0),
                unit_cost=D("0.85"),
            ),
            PurchaseOrderLineV1(
                po_line_id=uuid.uuid4(),
                product_id=uuid.UUID(b.product_id),
                pack_size=D(6),
                ordered=D(6),
                received=D(0),
                unit_cost=D("2.10"),
            ),
        ],
    )
    with UnitOfWork(shop.till.store) as uow:
        apply_changes(
            uow.session,
            [
                MasterChange(
                    entity=MasterEntity.PURCHASE_ORDER,
                    key=str(order.po_id),
                    op="upsert",
                    data=order.model_dump(mode="json"),
                )
            ],
        )
        uow.commit()
    return order


def test_a_partial_delivery_against_an_order_in_packs_and_units(qtbot: QtBot, shop: Shop) -> None:
    a, b = standard_barcodes(shop.till.store, 2)
    order = send_order(shop, [a, b])
    view = StockView(shop.ctx)
    show(qtbot, view)
    view.refresh()
    name_a, name_b = (shop.till.stock().product(c).name for c in (a, b))

    picker: QComboBox = child(view, QComboBox, "stock_order")
    assert picker.isVisible() and picker.count() == 2  # without an order, and PO-000042
    scan_line = child(view, QLineEdit, "stock_scan")
    qtbot.keyClick(scan_line, Qt.Key.Key_F6)  # type: ignore[no-untyped-call]
    assert "PO-000042" in picker.currentText()
    assert not child(view, QLineEdit, "stock_cost").isVisible()  # the order's costs are used
    # The order's lines are on screen before anything is scanned: all short.
    assert table(view) == [
        [name_a, "48", "0", "0", "0 x 24", "short 48"],
        [name_b, "6", "0", "0", "0 x 6", "short 6"],
    ]
    # One pack of 24 scanned, then 5 loose units; the second product does not come.
    scan(qtbot, view, a, qty="1p")
    scan(qtbot, view, a, qty="5")
    assert table(view)[0][3:] == ["29", table(view)[0][4], "short 19"]
    # The 5 were a mistake: Ctrl+Z (Remove last) takes the last scan back; two packs come in.
    qtbot.keyClick(scan_line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    scan(qtbot, view, a, qty="2p")
    rows = table(view)
    assert rows[0] == [name_a, "48", "0", "72", "3 x 24", "over 24"]
    assert rows[1][-1] == "short 6"
    grid: QTableWidget = child(view, QTableWidget, "stock_lines")
    over, short = grid.item(0, 5), grid.item(1, 5)
    assert over is not None and over.background().color().name() == "#fff4e5"
    assert short is not None and short.background().color().name() == "#fdecea"
    # Something not on the order is refused in words and changes nothing.
    other = standard_barcodes(shop.till.store, 3)[2]
    scan(qtbot, view, other)
    assert "is not on PO-000042" in message(view)
    # Remove last (a tap) once more: one pack less, then two packs as ordered.
    click(qtbot, child(view, QPushButton, "stock_remove"))
    scan(qtbot, view, a, qty="1p")
    assert table(view)[0][3:] == ["48", "2 x 24", ""]
    ref = child(view, QLineEdit, "stock_reference")
    click(qtbot, ref)
    qtbot.keyClicks(ref, "DO-881")  # type: ignore[no-untyped-call]

    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)
    qtbot.waitUntil(lambda: "received" in message(view))
    assert message(view).startswith("GR-") and "$40.80 at cost" in message(view)
    assert on_hand(shop, a) == D(48) and on_hand(shop, b) == D(0)
    sent = [json.loads(p) for p in events(shop, EventKind.STOCK_RECEIVED)]
    assert len(sent) == 1  # the line not delivered is not written
    assert sent[0]["po_id"] == str(order.po_id)
    assert sent[0]["po_line_id"] == str(order.lines[0].po_line_id)
    assert sent[0]["reference"] == "DO-881 PO-000042"
    assert sent[0]["unit_cost"] == "0.85"

    # The order is still open (head office closes it): picking it again shows what came.
    qtbot.keyClick(scan_line, Qt.Key.Key_F6)  # type: ignore[no-untyped-call]
    assert table(view) == [
        [name_a, "48", "48", "0", "0 x 24", ""],
        [name_b, "6", "0", "0", "0 x 6", "short 6"],
    ]
    # The screen with an order fits 1024x768: nothing cut.
    view.resize(1024, 768)
    qtbot.waitUntil(lambda: view.width() == 1024)
    # (The table's corner button is Qt's own, not a key: nobody taps it.)
    assert [p for p in problems(view) if "qt_tableview_cornerbutton" not in p] == []
    # F7: the rest as ordered, then saved: a second, partial-then-complete delivery.
    qtbot.keyClick(scan_line, Qt.Key.Key_F7)  # type: ignore[no-untyped-call]
    assert [r[-1] for r in table(view)] == ["", ""]
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)
    qtbot.waitUntil(lambda: "received" in message(view))
    assert on_hand(shop, b) == D(6)


def test_cartons_scanned_against_an_order_of_units_count_their_units(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The order names 48 Jasmine 500ml (packs of 24); the delivery comes as cartons and the
    receiver scans the carton's own barcode: each carton is 24 units on the order's line, at
    the order's cost per unit. A carton whose unit is not on the order is refused by name."""
    carton_code, carton_name, unit_id, unit_name = jasmine_carton()
    with running_till(qtbot, tmp_path / "till") as till:
        shop = till.demo
        other = standard_barcodes(shop.till.store, 1)[0]
        stock = shop.till.stock()
        order = send_order(shop, [_barcode_of(shop.till, unit_id), other])
        window = till.window
        sign_in(qtbot, till)
        press(qtbot, window.sell.entry, Qt.Key.Key_F11)
        view = window.back_office["stock"]
        assert isinstance(view, StockView)
        qtbot.waitUntil(view.isVisible)
        scan_line = child(view, QLineEdit, "stock_scan")
        press(qtbot, scan_line, Qt.Key.Key_F1)
        press(qtbot, scan_line, Qt.Key.Key_F6)
        assert "PO-000042" in child(view, QComboBox, "stock_order").currentText()

        scan(qtbot, view, carton_code)
        assert message(view) == (f"1 x {carton_name} = 24 units. {unit_name}: 24 in this delivery")
        assert table(view)[0] == [unit_name, "48", "0", "24", "1 x 24", "short 24"]
        # Two more cartons typed as a quantity: 72 in all, one carton over.
        scan(qtbot, view, carton_code, qty="2")
        assert message(view) == (f"2 x {carton_name} = 48 units. {unit_name}: 72 in this delivery")
        assert table(view)[0] == [unit_name, "48", "0", "72", "3 x 24", "over 24"]
        # Remove last takes the two cartons back as one scan.
        press(qtbot, scan_line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert table(view)[0] == [unit_name, "48", "0", "24", "1 x 24", "short 24"]
        scan(qtbot, view, carton_code, qty="1p")
        assert table(view)[0][3:] == ["48", "2 x 24", ""]
        # Units typed with a carton would count twice: refused, nothing added.
        scan(qtbot, view, carton_code, qty="2x24")
        assert "type how many cartons came" in message(view)
        assert table(view)[0][3] == "48"
        # A carton of a unit the order does not name is refused, saying which product.
        honey = _demo_sku("PGT-HON-1500-C12")
        honey_unit = _demo_sku("PGT-HON-1500")
        scan(qtbot, view, _barcode_of(shop.till, str(honey.product_id)))
        assert message(view) == (
            f"{honey.name} holds 12 of {honey_unit.name}, which is not on PO-000042: set it "
            "aside, and receive it without an order after saving this one"
        )
        assert [row[3] for row in table(view)] == ["48", "0"]

        keys(qtbot, child(view, QLineEdit, "stock_reference"), "DO-C24")
        seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
        f10(qtbot, view)
        qtbot.waitUntil(lambda: len(seen) == 1)
        reactivate(qtbot, view)
        qtbot.waitUntil(lambda: "received" in message(view))
        # 48 units at the order's $0.85 a unit, whatever the carton's list price.
        assert message(view).startswith("GR-") and "$40.80 at cost" in message(view)
        [sent] = [json.loads(p) for p in events(shop, EventKind.STOCK_RECEIVED)]
        assert sent["product_id"] == unit_id
        assert D(sent["quantity"]) == D(48)
        assert sent["po_line_id"] == str(order.lines[0].po_line_id)
        assert sent["po_id"] == str(order.po_id)
        assert sent["unit_cost"] == "0.85"
        assert stock.on_hand([unit_id])[unit_id] == D(48)


def _barcode_of(till: Till, product_id: str) -> str:
    with till.store.read() as s:
        return str(s.scalar(select(Barcode.code).where(Barcode.product_id == product_id)))


def _demo_sku(sku: str) -> ProductV1:
    return next(p for p in demo_variants().products if p.sku == sku)


def test_f7_in_the_real_window_takes_the_order_as_ordered_not_the_receipts(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Tried at the real window: F7 ("All as ordered") did nothing at all, because the
    window's own F7 (Receipts) was on the same key and Qt runs neither of two. A screen's own
    key wins on that screen; from selling, F7 still opens the receipts."""
    with running_till(qtbot, tmp_path / "till") as till:
        shop = till.demo
        send_order(shop, standard_barcodes(shop.till.store, 2))
        window = till.window
        sign_in(qtbot, till)
        press(qtbot, window.sell.entry, Qt.Key.Key_F11)
        view = window.back_office["stock"]
        assert isinstance(view, StockView)
        qtbot.waitUntil(view.isVisible)
        scan_line = child(view, QLineEdit, "stock_scan")
        press(qtbot, scan_line, Qt.Key.Key_F1)
        press(qtbot, scan_line, Qt.Key.Key_F6)
        assert "PO-000042" in child(view, QComboBox, "stock_order").currentText()
        press(qtbot, scan_line, Qt.Key.Key_F7)
        assert window.stack.currentWidget() is view
        assert [row[3] for row in table(view)] == ["48", "6"]  # this delivery: as ordered
        press(qtbot, scan_line, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.sell)
        press(qtbot, window.sell.entry, Qt.Key.Key_F7)
        assert window.stack.currentWidget() is window.back_office["receipts"]
