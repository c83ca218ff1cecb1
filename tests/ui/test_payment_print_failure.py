"""A printer that does not answer never loses the sale: Retry, Save as PDF or Skip."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.offline_helpers import closed_port
from tests.ui.selling import press, running_till, sign_in, tap, type_in
from till.printing import PrinterSettings, ReceiptPrinter
from till.store.models import Sale


def _problem_box() -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        for box in widget.findChildren(QMessageBox, "sale_print_problem"):
            if box.isVisible():
                return box
    return None


def _choose(qtbot: QtBot, label: str) -> None:
    qtbot.waitUntil(lambda: _problem_box() is not None, timeout=15_000)
    box = _problem_box()
    assert box is not None
    button = next(b for b in box.buttons() if b.text() == label)
    tap(qtbot, button)


def test_dead_printer_offers_retry_then_pdf_and_keeps_the_sale(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        dead = PrinterSettings(kind="network", host="127.0.0.1", port=closed_port(), timeout_s=1)
        till.ctx.printer = ReceiptPrinter(dead)
        sign_in(qtbot, till)
        sell = till.window.sell
        type_in(qtbot, sell.entry, till.barcodes(1)[0])
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        type_in(qtbot, till.window.payment.entry, "")

        with till.store.read() as s:
            number = s.scalars(select(Sale.receipt_no)).one()  # stored before any printing
        _choose(qtbot, "Retry")
        qtbot.waitUntil(lambda: _problem_box() is None)
        qtbot.waitUntil(lambda: _problem_box() is not None, timeout=15_000)
        again = _problem_box()  # the retry failed too, and says so again
        assert again is not None
        box_text = again.text()
        assert f"Sale {number} is saved" in box_text
        assert "127.0.0.1" in box_text
        _choose(qtbot, "Save as PDF")

        pdf = till.demo.till.data_dir / "receipts" / f"{number}.pdf"
        qtbot.waitUntil(lambda: till.window.printing.results.get(number) == f"pdf {pdf}")
        assert pdf.read_bytes().startswith(b"%PDF")
        # The cashier carried on: the next sale can be rung up.
        type_in(qtbot, sell.entry, till.barcodes(1)[0])
        assert sell.model.rowCount() == 1


def test_without_a_printer_each_receipt_becomes_a_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        till.ctx.printer = ReceiptPrinter(PrinterSettings(kind="none"))
        sign_in(qtbot, till)
        sell = till.window.sell
        type_in(qtbot, sell.entry, till.barcodes(1)[0])
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        type_in(qtbot, till.window.payment.entry, "")

        with till.store.read() as s:
            number = s.scalars(select(Sale.receipt_no)).one()
        pdf = till.demo.till.data_dir / "receipts" / f"{number}.pdf"
        qtbot.waitUntil(lambda: f"Receipt saved as PDF: {pdf}" in sell.message.text())
        assert f"Sale {number} done." in sell.message.text()
        assert pdf.read_bytes().startswith(b"%PDF")
        assert _problem_box() is None  # nothing to click: this shop has no printer
