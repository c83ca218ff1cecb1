"""A cashier's day at the receipts screen, through the real window: F7, keys and taps."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.tender import Tender, TenderType
from tests.ui.backoffice import keys, press, when_modal
from tests.ui.selling import Till, running_till, sign_in
from till.services.checkout import CompletedSale
from till.store.models import Refund, RefundLine
from till.ui.receipts_view import ReceiptsView

D = Decimal


def ring(till: Till, n: int = 3, tender: TenderType = TenderType.CASH) -> CompletedSale:
    """A sale rung up on this till meanwhile (the sell screen is tested elsewhere)."""
    checkout = till.demo.till.checkout(till.demo.cashier)
    for code in till.barcodes(n):
        checkout.scan(code)
    due = checkout.totals().total
    if tender is TenderType.CASH:
        return checkout.complete([Tender(TenderType.CASH, D("500.00"))])
    return checkout.complete([Tender(tender, due, reference="APPR01")])


def receipts(qtbot: QtBot, till: Till) -> ReceiptsView:
    sign_in(qtbot, till)
    press(qtbot, till.window.sell.entry, Qt.Key.Key_F7)
    view = till.window.back_office["receipts"]
    assert isinstance(view, ReceiptsView) and till.window.stack.currentWidget() is view
    return view


def find(qtbot: QtBot, view: ReceiptsView, number: str) -> None:
    view.number.selectAll()
    keys(qtbot, view.number, number)
    press(qtbot, view.number, Qt.Key.Key_Return)


def test_asking_for_more_than_is_left_keeps_the_dialog_and_what_was_typed(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sale = ring(till, 3)
        view = receipts(qtbot, till)
        find(qtbot, view, sale.receipt_no)
        view.reason.setFocus()
        keys(qtbot, view.reason, "damaged")
        said: list[str] = []
        kept: list[str] = []

        def too_many_then_right(dialog: QWidget) -> None:
            table = dialog.findChild(QTableWidget, "refund_lines")
            assert table is not None
            keys(qtbot, table, "3")  # the first item's quantity: only 1 was sold
            press(qtbot, table, Qt.Key.Key_Down)
            keys(qtbot, table, "1")
            editor = QApplication.focusWidget()
            assert editor is not None
            press(qtbot, editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            assert dialog.isVisible(), "the dialog closed on a refused refund"
            said.append(dialog.findChild(QLabel, "refund_message").text())  # type: ignore[union-attr]
            kept.extend(table.item(row, 4).text() for row in range(3))  # type: ignore[union-attr]
            table.setFocus()
            table.setCurrentCell(0, 4)
            keys(qtbot, table, "1")
            editor = QApplication.focusWidget()
            assert editor is not None
            press(qtbot, editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

        seen = when_modal(qtbot, "refund_dialog", too_many_then_right)
        press(qtbot, view.reason, Qt.Key.Key_F3)
        assert seen
        first = sale.totals.lines[0].line.product.name
        assert said == [
            f"{first}: only 1 of 1 sold is left to refund, not 3. Change that quantity."
        ]
        assert kept == ["3", "1", "0"]
        with till.store.read() as s:
            refund = s.scalars(select(Refund)).one()  # one refund, after the correction
            lines = s.scalars(select(RefundLine.quantity)).all()
        assert refund.reason == "damaged" and lines == [D(1), D(1)]
        assert refund.receipt_no in view.message.text()
