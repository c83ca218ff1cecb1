"""The receipts screen driven like a cashier would: receipt number, Enter, function keys."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.tender import TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.ui.backoffice import (
    MANAGER,
    Shop,
    approve_with,
    click,
    keys,
    open_shop,
    press,
    sell,
    show,
    when_modal,
)
from till.printing import PrinterSettings
from till.store.models import Refund, RefundLine, Sale
from till.ui.receipts_view import ReceiptsView

D = Decimal


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    s = open_shop(tmp_path / "till")
    s.till.shifts.open_shift(s.demo.cashier, D("100.00"))
    yield s
    s.till.close()


@pytest.fixture
def view(qtbot: QtBot, shop: Shop) -> ReceiptsView:
    v = ReceiptsView(shop.ctx)
    show(qtbot, v)
    v.refresh()
    return v


def text_of(view: QWidget, name: str) -> str:
    widget = view.findChild(QWidget, name)
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    assert isinstance(widget, QLabel), name
    return widget.text()


def find(qtbot: QtBot, view: ReceiptsView, number: str) -> None:
    view.number.clear()
    keys(qtbot, view.number, number)
    press(qtbot, view.number, Qt.Key.Key_Return)


def test_reprint_is_marked_and_counted(qtbot: QtBot, shop: Shop, view: ReceiptsView) -> None:
    sale = sell(shop)
    find(qtbot, view, sale.receipt_no.lower())
    assert sale.receipt_no in text_of(view, "receipt_text")
    assert "REPRINT" not in text_of(view, "receipt_text")
    assert "original" in text_of(view, "receipt_info")

    press(qtbot, view.number, Qt.Key.Key_F2)
    assert "REPRINT #1" in text_of(view, "receipt_text")
    assert "REPRINT #1 printed" in text_of(view, "receipt_message")
    assert b"REPRINT #1" in (shop.ctx.printer.last_output or b"")
    press(qtbot, view.number, Qt.Key.Key_F2)
    assert "REPRINT #2" in text_of(view, "receipt_text")
    assert b"REPRINT #2" in (shop.ctx.printer.last_output or b"")
    assert "reprinted 2 times" in text_of(view, "receipt_info")
    with shop.till.store.read() as s:
        assert s.scalars(select(Sale.reprint_count)).one() == 2
    assert shop.actions().count("receipt.reprinted") == 2


def test_refund_by_receipt_number_keyboard_only(
    qtbot: QtBot, shop: Shop, view: ReceiptsView
) -> None:
    sale = sell(shop, 3, TenderType.NETS)
    second = sale.totals.lines[1]
    find(qtbot, view, sale.receipt_no)
    press(qtbot, view.number, Qt.Key.Key_Tab)
    keys(qtbot, view.reason, "damaged")

    def refund_second_line(dialog: QWidget) -> None:
        table = dialog.findChild(QTableWidget, "refund_lines")
        assert table is not None and table.rowCount() == 3
        assert table.item(1, 0).text() == second.line.product.name  # type: ignore[union-attr]
        press(qtbot, table, Qt.Key.Key_Down)  # to the second item's quantity
        keys(qtbot, table, "1")  # typing opens the cell's editor
        editor = QApplication.focusWidget()
        press(qtbot, editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    seen = when_modal(qtbot, "refund_dialog", refund_second_line)
    press(qtbot, view.reason, Qt.Key.Key_F3)
    assert seen, "the refund dialog did not open"
    with shop.till.store.read() as s:
        refund = s.scalars(select(Refund)).one()
        lines = s.scalars(select(RefundLine)).all()
        assert (refund.reason, refund.is_void) == ("damaged", False)
        assert [(x.sale_line_id, x.quantity) for x in lines] == [(second.line.line_id, D(1))]
        assert refund.payments[0].type == "nets"  # paid back the way it was paid
    shown = text_of(view, "receipt_text")
    assert "REFUND" in shown and sale.receipt_no in shown and refund.receipt_no in shown
    assert f"${second.amount:,.2f} paid back by NETS" in text_of(view, "receipt_message")
    assert b"REFUND" in (shop.ctx.printer.last_output or b"")
    assert view.reason.text() == ""  # ready for the next customer
    assert "sale.refunded" in shop.actions()


def test_void_needs_a_manager_pin(qtbot: QtBot, shop: Shop, view: ReceiptsView) -> None:
    sale = sell(shop, 2)
    find(qtbot, view, sale.receipt_no)
    view.reason.setFocus()
    keys(qtbot, view.reason, "rung up twice")
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    press(qtbot, view.reason, Qt.Key.Key_F4)
    assert seen, "no approval was asked for"
    with shop.till.store.read() as s:
        refund = s.scalars(select(Refund)).one()
        assert refund.is_void and refund.approved_by == shop.demo.manager.staff_id
        assert refund.total == sale.totals.total
    assert "VOID" in text_of(view, "receipt_text")
    assert f"Voided sale: {sale.receipt_no}" in text_of(view, "receipt_text")
    assert "paid back by Cash" in text_of(view, "receipt_message")
    assert shop.actions()[-2:] == ["approval.granted", "sale.voided"]
    assert not view.void_button.isEnabled()  # the void slip is shown now
    assert view.reprint_button.isEnabled()  # which can be printed again


def test_a_cancelled_approval_voids_nothing(qtbot: QtBot, shop: Shop, view: ReceiptsView) -> None:
    sale = sell(shop, 1)
    find(qtbot, view, sale.receipt_no)
    view.reason.setText("mistake")
    seen = when_modal(qtbot, "approval", lambda d: press(qtbot, d, Qt.Key.Key_Escape))
    press(qtbot, view.number, Qt.Key.Key_F4)
    assert seen
    with shop.till.store.read() as s:
        assert s.scalars(select(Refund)).all() == []
    assert view.void_button.isEnabled() and sale.receipt_no in text_of(view, "receipt_text")


def test_unknown_receipt_number_is_explained(qtbot: QtBot, view: ReceiptsView) -> None:
    find(qtbot, view, "ORC-T01-000999")
    box = view.findChild(QMessageBox, "problem")
    assert box is not None and "No sale on this till has receipt number" in box.text()
    assert not view.reprint_button.isEnabled()


def test_refund_without_receipt_needs_a_manager(
    qtbot: QtBot, shop: Shop, view: ReceiptsView
) -> None:
    code = standard_barcodes(shop.till.store, 1)[0]
    product = shop.till.catalogue.by_barcode(code)
    assert product is not None
    view.reason.setFocus()
    keys(qtbot, view.reason, "gift, no receipt")

    def scan_two(dialog: QWidget) -> None:
        barcode = dialog.findChild(QLineEdit, "no_receipt_barcode")
        keys(qtbot, barcode, code)
        press(qtbot, barcode, Qt.Key.Key_Return)
        assert product.name in dialog.findChild(QLabel, "no_receipt_item").text()  # type: ignore[union-attr]
        qty = dialog.findChild(QLineEdit, "no_receipt_qty")
        keys(qtbot, qty, "2")  # the quantity is selected: typing replaces it
        approve_with(qtbot, MANAGER.code, MANAGER.pin)
        press(qtbot, qty, Qt.Key.Key_Return)

    seen = when_modal(qtbot, "no_receipt_dialog", scan_two)
    press(qtbot, view.reason, Qt.Key.Key_F5)
    assert seen
    with shop.till.store.read() as s:
        refund = s.scalars(select(Refund)).one()
        line = s.scalars(select(RefundLine)).one()
        assert refund.original_sale_id is None
        assert refund.approved_by == shop.demo.manager.staff_id
        assert (line.product_id, line.quantity) == (product.product_id, D(2))
    assert "paid back by Cash" in text_of(view, "receipt_message")
    assert "sale.refunded" in shop.actions()


def test_a_printer_that_is_down_offers_retry_then_a_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on: connection refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    shop = open_shop(
        tmp_path / "till",
        PrinterSettings(kind="network", host="127.0.0.1", port=port, timeout_s=1),
    )
    try:
        shop.till.shifts.open_shift(shop.demo.cashier, D("100.00"))
        sale = sell(shop, 1)
        view = ReceiptsView(shop.ctx)
        show(qtbot, view)
        find(qtbot, view, sale.receipt_no)
        problems: list[str] = []

        def choose(label: str) -> Callable[[QWidget], None]:
            def act(box: QWidget) -> None:
                assert isinstance(box, QMessageBox)
                problems.append(box.text())
                button = next(b for b in box.buttons() if b.text() == label)
                click(qtbot, button)

            return act

        seen = when_modal(qtbot, "print_problem", choose("Retry"), choose("Save as PDF"))
        press(qtbot, view.number, Qt.Key.Key_F2)
        assert len(seen) == 2
        assert all(f"127.0.0.1:{port}" in p and "Retry" in p for p in problems)
        pdf = shop.till.data_dir / "receipts" / f"{sale.receipt_no}-reprint-1.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        assert "saved as PDF" in text_of(view, "receipt_message")
        with shop.till.store.read() as s:  # counted once, before printing; retries are free
            assert s.scalars(select(Sale.reprint_count)).one() == 1
    finally:
        shop.till.close()
