"""The stock screen driven by keys and taps: receive goods, adjust with a reason (a manager's
PIN above the limit), a blind stocktake approved by a manager, and transfers out and in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.demo_variants import demo_variants
from shared.protocol import EventKind
from tests.integration.test_checkout import standard_barcodes
from tests.ui.backoffice import (
    CTRL,
    MANAGER,
    Shop,
    approve_with,
    click,
    keys,
    open_shop,
    press,
    reactivate,
    show,
)
from till.services.stock import ADJUSTMENT_LIMIT, StockLine
from till.store.models import OutboxEvent
from till.ui.stock_view import SCOPE_SCANNED, StockView

D = Decimal
W = TypeVar("W", bound=QWidget)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    s = open_shop(tmp_path / "till")
    s.till.shifts.open_shift(s.demo.cashier, D("100.00"))
    yield s
    s.till.close()


@pytest.fixture
def view(qtbot: QtBot, shop: Shop) -> StockView:
    v = StockView(shop.ctx)
    show(qtbot, v)
    v.refresh()
    return v


def child(view: QWidget, kind: type[W], name: str) -> W:
    found = view.findChild(kind, name)
    if found is None:
        raise AssertionError(f"no {name} on the stock screen")
    return found


def message(view: StockView) -> str:
    label: QLabel = child(view, QLabel, "stock_message")
    return label.text()


def scan(qtbot: QtBot, view: StockView, code: str, qty: str = "", cost: str = "") -> None:
    """Quantity and cost typed first (if any), then the item scanned: Enter ends a scan."""
    if qty:
        field = child(view, QLineEdit, "stock_qty")
        click(qtbot, field)
        keys(qtbot, field, qty)
    if cost:
        field = child(view, QLineEdit, "stock_cost")
        click(qtbot, field)
        keys(qtbot, field, cost)
    line = child(view, QLineEdit, "stock_scan")
    click(qtbot, line)
    keys(qtbot, line, code)
    press(qtbot, line, Qt.Key.Key_Return)


def table(view: StockView) -> list[list[str]]:
    t: QTableWidget = child(view, QTableWidget, "stock_lines")
    return [[_text(t, r, c) for c in range(t.columnCount())] for r in range(t.rowCount())]


def _text(t: QTableWidget, row: int, col: int) -> str:
    item = t.item(row, col)
    return item.text() if item is not None else ""


def events(shop: Shop, kind: EventKind) -> list[str]:
    with shop.till.store.read() as s:
        return list(s.scalars(select(OutboxEvent.payload).where(OutboxEvent.kind == kind.value)))


def on_hand(shop: Shop, code: str) -> Decimal:
    stock = shop.till.stock()
    pid = stock.product(code).product_id
    found: Decimal = stock.on_hand([pid])[pid]
    return found


def f10(qtbot: QtBot, view: StockView) -> None:
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_F10)


def test_receiving_a_delivery_by_packs_with_a_managers_pin(
    qtbot: QtBot, shop: Shop, view: StockView
) -> None:
    a, b = standard_barcodes(shop.till.store, 2)
    ref = child(view, QLineEdit, "stock_reference")
    assert ref.hasFocus()  # receiving starts with the delivery order's number
    keys(qtbot, ref, "DO-4471")
    scan(qtbot, view, a, qty="3x24", cost="0.85")
    scan(qtbot, view, b, cost="2.10")
    assert table(view) == [
        [shop.till.stock().product(a).name, "72", "0.85", "61.20"],
        [shop.till.stock().product(b).name, "1", "2.10", "2.10"],
    ]
    # A scan without a cost is refused in words and adds nothing.
    scan(qtbot, view, b)
    assert "cost per unit" in message(view) and len(table(view)) == 2

    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)  # the cashier is no manager
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)  # as a window manager does when the dialog closes
    qtbot.waitUntil(lambda: "received" in message(view))
    assert message(view).startswith("GR-") and "$63.30 at cost" in message(view)
    assert table(view) == []
    assert (on_hand(shop, a), on_hand(shop, b)) == (D(72), D(1))
    assert len(events(shop, EventKind.STOCK_RECEIVED)) == 2
    assert "DO-4471" in events(shop, EventKind.STOCK_RECEIVED)[0]
    assert "stock.receipt" in shop.actions()


def test_enter_walks_the_fields_so_a_delivery_is_received_by_keyboard_alone(
    qtbot: QtBot, shop: Shop, view: StockView
) -> None:
    """Tried at the real window: a number typed in the reference and Enter stayed there, so
    the next scan went onto the delivery order's number. Enter now moves on, as Tab would."""
    (a,) = standard_barcodes(shop.till.store, 1)
    ref = child(view, QLineEdit, "stock_reference")
    for field, text in (
        (ref, "DO-88"),
        (child(view, QLineEdit, "stock_qty"), "2"),
        (child(view, QLineEdit, "stock_cost"), "1.10"),
    ):
        qtbot.waitUntil(field.hasFocus)
        keys(qtbot, field, text)
        press(qtbot, field, Qt.Key.Key_Return)
    line = child(view, QLineEdit, "stock_scan")
    qtbot.waitUntil(line.hasFocus)
    keys(qtbot, line, a)
    press(qtbot, line, Qt.Key.Key_Return)
    assert ref.text() == "DO-88"
    assert table(view) == [[shop.till.stock().product(a).name, "2", "1.10", "2.20"]]
    # Adjusting has no cost: Enter after the quantity goes straight to the item.
    press(qtbot, line, Qt.Key.Key_Z, CTRL)  # remove the line: a job's lines keep its screen
    assert table(view) == []
    press(qtbot, line, Qt.Key.Key_F2)
    qty = child(view, QLineEdit, "stock_qty")
    click(qtbot, qty)
    keys(qtbot, qty, "1")
    press(qtbot, qty, Qt.Key.Key_Return)
    qtbot.waitUntil(line.hasFocus)


def test_receiving_cartons_brings_in_their_units(qtbot: QtBot, shop: Shop, view: StockView) -> None:
    """A carton's own barcode received by the carton, at its cost: stock arrives in units at
    the cost per unit (docs/variants.md)."""
    variants = demo_variants()
    sku = {p.sku: p for p in variants.products}
    code = {b.product_id: b.code for b in variants.barcodes}
    carton, unit = sku["PGT-JAS-500-C24"], sku["PGT-JAS-500"]
    keys(qtbot, child(view, QLineEdit, "stock_reference"), "DO-24")
    scan(qtbot, view, code[carton.product_id], qty="2", cost="19.20")
    assert table(view) == [[carton.name, "2", "19.20", "38.40"]]
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)
    qtbot.waitUntil(lambda: "received" in message(view))
    assert "$38.40 at cost" in message(view)
    assert on_hand(shop, code[unit.product_id]) == D(48)
    assert on_hand(shop, code[carton.product_id]) == D(0)
    [received] = events(shop, EventKind.STOCK_RECEIVED)
    assert str(unit.product_id) in received and '"unit_cost":"0.80"' in received.replace(" ", "")


def jasmine_carton() -> tuple[str, str, str, str]:
    """The demo carton of 24 Jasmine 500ml and its unit: (carton's barcode, its name, the
    unit's product id, the unit's name)."""
    variants = demo_variants()
    sku = {p.sku: p for p in variants.products}
    code = {b.product_id: b.code for b in variants.barcodes}
    carton, unit = sku["PGT-JAS-500-C24"], sku["PGT-JAS-500"]
    return code[carton.product_id], carton.name, str(unit.product_id), unit.name


def receive_units(shop: Shop, product_id: str, quantity: int, cost: str) -> None:
    stock = shop.till.stock()
    unit = shop.till.catalogue.by_id(product_id)
    assert unit is not None
    stock.receive(shop.demo.manager, [StockLine(unit, D(quantity), D(cost))])


def ledger(shop: Shop, kind: EventKind) -> list[tuple[str, Decimal, str | None]]:
    """Each event's product, quantity and cost per unit, in the order written."""
    with shop.till.store.read() as s:
        rows = s.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == kind.value).order_by(OutboxEvent.seq)
        ).all()
        payloads = [json.loads(r.payload) for r in rows]
    return [(p["product_id"], D(p["quantity"]), p.get("unit_cost")) for p in payloads]


def test_a_stocktake_counts_a_scanned_carton_as_its_units(
    qtbot: QtBot, shop: Shop, view: StockView
) -> None:
    """A shelf holds one sealed carton of 24 and 3 loose bottles: the count is 27 bottles of
    the unit product, compared with the 30 the books hold, and approving writes off 3."""
    carton_code, carton_name, unit_id, unit_name = jasmine_carton()
    receive_units(shop, unit_id, 30, "0.80")
    unit_code = next(c for c in demo_variants().barcodes if str(c.product_id) == unit_id).code
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_F3)
    scope: QComboBox = child(view, QComboBox, "stock_scope")
    scope.setCurrentIndex(scope.findText(SCOPE_SCANNED))
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_F9)
    scan(qtbot, view, carton_code)
    assert message(view) == f"1 x {carton_name} = 24 units. {unit_name}: counted 24 so far"
    scan(qtbot, view, unit_code, qty="3")
    assert table(view) == [[unit_name, "27"]]  # blind, in units: no line for the carton

    f10(qtbot, view)  # the variance, in units, at the unit's cost
    assert table(view) == [[unit_name, "30", "27", "-3", "-2.40"]]
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)
    qtbot.waitUntil(lambda: "approved" in message(view))
    assert ledger(shop, EventKind.STOCK_ADJUSTED) == [(unit_id, D(-3), None)]
    assert on_hand(shop, unit_code) == 27 and on_hand(shop, carton_code) == 0


def test_a_carton_written_off_or_moved_is_its_units_at_the_units_cost(
    qtbot: QtBot, shop: Shop, view: StockView
) -> None:
    """A damaged carton, one sent to another outlet and one taken in: each line shows and
    moves 24 units of the unit product, valued at the unit's delivery cost (24 x $0.80), not
    at the carton's list price ($23.90)."""
    carton_code, carton_name, unit_id, unit_name = jasmine_carton()
    receive_units(shop, unit_id, 72, "0.80")
    scan_line = child(view, QLineEdit, "stock_scan")

    press(qtbot, scan_line, Qt.Key.Key_F2)  # adjust: damaged is the first reason
    scan(qtbot, view, carton_code)
    assert table(view) == [[unit_name, "24", "", ""]]
    assert message(view) == f"1 x {carton_name} = 24 units. {unit_name}: 24"
    f10(qtbot, view)  # $19.20 at cost: under the limit, no PIN
    qtbot.waitUntil(lambda: "adjusted" in message(view))
    assert "1 line, -$19.20 at cost." in message(view)
    assert ledger(shop, EventKind.STOCK_ADJUSTED) == [(unit_id, D(-24), None)]

    press(qtbot, scan_line, Qt.Key.Key_F4)  # send two cartons to Jurong
    keys(qtbot, child(view, QLineEdit, "stock_reference"), "JUR")
    scan(qtbot, view, carton_code, qty="2")
    assert table(view) == [[unit_name, "48", "", ""]]
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)
    qtbot.waitUntil(lambda: "sent" in message(view))
    assert "1 line, $38.40 at cost." in message(view)  # what went is worth $38.40, not less

    click(qtbot, child(view, QWidget, "mode_take_in"))  # one carton back from Jurong
    keys(qtbot, child(view, QLineEdit, "stock_reference"), "TR-JUR-T01-000007")
    scan(qtbot, view, carton_code)
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)
    qtbot.waitUntil(lambda: "taken in" in message(view))
    assert ledger(shop, EventKind.STOCK_TRANSFERRED) == [
        (unit_id, D(-48), "0.80"),
        (unit_id, D(24), "0.80"),
    ]
    unit_code = next(c for c in demo_variants().barcodes if str(c.product_id) == unit_id).code
    assert on_hand(shop, unit_code) == 72 - 24 - 48 + 24
    assert on_hand(shop, carton_code) == 0


def test_unknown_barcode_and_bad_quantity_are_answered_in_words(
    qtbot: QtBot, view: StockView, shop: Shop
) -> None:
    scan(qtbot, view, "999999999999", cost="1.00")
    assert "no product has barcode" in message(view)
    scan(qtbot, view, standard_barcodes(shop.till.store, 1)[0], qty="two", cost="1.00")
    assert "not a quantity" in message(view)
    assert table(view) == []
    f10(qtbot, view)
    assert "at least one item" in message(view)


def test_adjustments_with_a_reason_and_a_pin_above_the_limit(
    qtbot: QtBot, shop: Shop, view: StockView
) -> None:
    code = standard_barcodes(shop.till.store, 1)[0]
    stock = shop.till.stock()
    stock.receive(shop.demo.manager, [StockLine(stock.product(code), D(40), D("5.00"))])
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_F2)
    reason: QComboBox = child(view, QComboBox, "stock_reason")
    assert reason.isVisible() and not child(view, QLineEdit, "stock_cost").isVisible()
    reason.setFocus()
    press(qtbot, reason, Qt.Key.Key_Down)  # damaged, then expired
    assert reason.currentText() == "expired"
    scan(qtbot, view, code, qty="2")
    f10(qtbot, view)  # $10 at cost: under the limit, no PIN
    qtbot.waitUntil(lambda: "adjusted" in message(view))
    assert "-$10.00" in message(view)
    assert on_hand(shop, code) == 38

    over = int(ADJUSTMENT_LIMIT / 5) + 1
    scan(qtbot, view, code, qty=str(over))
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)  # as a window manager does when the dialog closes
    qtbot.waitUntil(lambda: on_hand(shop, code) == 38 - over)
    adjusted = events(shop, EventKind.STOCK_ADJUSTED)
    assert len(adjusted) == 2 and all('"reason":"expired"' in e for e in adjusted)


def test_a_blind_stocktake_approved_by_a_manager(qtbot: QtBot, shop: Shop, view: StockView) -> None:
    a, b = standard_barcodes(shop.till.store, 2)
    stock = shop.till.stock()
    stock.receive(
        shop.demo.manager,
        [
            StockLine(stock.product(a), D(5), D("1.00")),
            StockLine(stock.product(b), D(4), D("3.00")),
        ],
    )
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_F3)
    scope: QComboBox = child(view, QComboBox, "stock_scope")
    scope.setCurrentIndex(scope.findText(SCOPE_SCANNED))
    # Scanning before the count starts is refused.
    scan(qtbot, view, a)
    assert "start the count" in message(view)
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_F9)
    assert "started" in message(view)
    for _ in range(3):
        scan(qtbot, view, a)  # one scan per can on the shelf
    scan(qtbot, view, b, qty="4")
    name_a, name_b = stock.product(a).name, stock.product(b).name
    assert table(view) == [[name_a, "3"], [name_b, "4"]]  # blind: no expected quantity

    # Leaving the screen and coming back keeps the count open.
    view.refresh()
    assert table(view) == [[name_a, "3"], [name_b, "4"]]

    f10(qtbot, view)  # review: the variance, valued at cost
    assert table(view)[0] == [name_a, "5", "3", "-2", "-2.00"]
    assert "Press F10 again" in message(view)
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)  # as a window manager does when the dialog closes
    qtbot.waitUntil(lambda: "approved" in message(view))
    assert (on_hand(shop, a), on_hand(shop, b)) == (D(3), D(4))
    adjusted = events(shop, EventKind.STOCK_ADJUSTED)
    assert len(adjusted) == 1 and '"reason":"count"' in adjusted[0]
    assert shop.till.stock().open_count() is None
    assert child(view, QWidget, "stock_start").isEnabled()


def test_cancelling_a_stocktake_moves_nothing(qtbot: QtBot, shop: Shop, view: StockView) -> None:
    a = standard_barcodes(shop.till.store, 1)[0]
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_F3)
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_F9)
    scan(qtbot, view, a, qty="7")
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_K, CTRL)
    assert "cancelled" in message(view)
    assert on_hand(shop, a) == 0 and events(shop, EventKind.STOCK_ADJUSTED) == []


def test_sending_and_taking_in_transfers(qtbot: QtBot, shop: Shop, view: StockView) -> None:
    a = standard_barcodes(shop.till.store, 1)[0]
    stock = shop.till.stock()
    stock.receive(shop.demo.manager, [StockLine(stock.product(a), D(10), D("1.50"))])
    press(qtbot, child(view, QLineEdit, "stock_scan"), Qt.Key.Key_F4)
    ref = child(view, QLineEdit, "stock_reference")
    assert ref.hasFocus()
    keys(qtbot, ref, "jur")
    scan(qtbot, view, a, qty="4")
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)  # as a window manager does when the dialog closes
    qtbot.waitUntil(lambda: "sent" in message(view))
    assert message(view).startswith(f"TR-{shop.till.profile.outlet.code}-")
    assert on_hand(shop, a) == 6

    click(qtbot, child(view, QWidget, "mode_take_in"))  # by finger this time
    ref = child(view, QLineEdit, "stock_reference")
    keys(qtbot, ref, "TR-JUR-T01-000031")
    scan(qtbot, view, a, qty="2")
    assert len(table(view)) == 1, message(view)
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    f10(qtbot, view)
    qtbot.waitUntil(lambda: len(seen) == 1)
    reactivate(qtbot, view)  # as a window manager does when the dialog closes
    qtbot.waitUntil(lambda: "taken in" in message(view))
    assert on_hand(shop, a) == 8
    moved = events(shop, EventKind.STOCK_TRANSFERRED)
    assert len(moved) == 2 and '"direction":"in"' in moved[1]
