"""Payment: insufficient tender, cash rounding and change, NETS approval codes, taking back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.selling import Till, keys, press, running_till, sign_in, type_in
from tests.ui.shelf import barcode_of
from till.store.models import Payment, Sale

D = Decimal


def _to_payment(qtbot: QtBot, till: Till, codes: list[str]) -> Decimal:
    sign_in(qtbot, till)
    sell = till.window.sell
    for code in codes:
        type_in(qtbot, sell.entry, code)
    total = till.checkout.totals().total
    press(qtbot, sell.entry, Qt.Key.Key_F10)
    assert till.window.stack.currentWidget() is till.window.payment
    return total


def test_insufficient_tender_is_refused_and_nothing_is_stored(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        total = _to_payment(qtbot, till, till.barcodes(3))
        pay = till.window.payment
        type_in(qtbot, pay.entry, "1")
        assert pay.due.text() == f"Still to pay ${total - 1:,.2f}"

        press(qtbot, pay.entry, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

        assert "is still due: take another payment before completing" in pay.message.text()
        assert till.count(Sale) == 0
        assert till.window.stack.currentWidget() is pay

        # Esc is refused while a payment is held; Del takes it back, then Esc goes back.
        press(qtbot, pay.entry, Qt.Key.Key_Escape)
        assert till.window.stack.currentWidget() is pay
        assert "remove them first" in pay.message.text()
        press(qtbot, pay.entry, Qt.Key.Key_Delete)
        press(qtbot, pay.entry, Qt.Key.Key_Escape)
        assert till.window.stack.currentWidget() is till.window.sell
        assert till.window.sell.model.rowCount() == 3


def test_cash_is_rounded_to_five_cents_and_change_is_shown(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        # Shelf prices end in 0 or 5 cents; 2 cents off one line makes the total uneven.
        sign_in(qtbot, till)
        sell = till.window.sell
        for code in till.barcodes(2):
            type_in(qtbot, sell.entry, code)
        press(qtbot, sell.entry, Qt.Key.Key_F4)
        type_in(qtbot, sell.entry, "0.02")
        total = till.checkout.totals().total
        assert total % D("0.05") != 0
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        pay = till.window.payment
        rounded = pay.state.cash_due
        assert rounded % D("0.05") == 0 and abs(rounded - total) < D("0.03")
        assert f"In cash: ${rounded:,.2f}" in pay.rounding.text()
        exact = pay.findChild(QPushButton, "pay_quick_0")
        assert exact is not None and exact.text() == "Exact cash"

        type_in(qtbot, pay.entry, "100")

        assert f"Change due: ${D(100) - rounded:,.2f}" in till.window.sell.message.text()
        with till.store.read() as s:
            sale = s.scalars(select(Sale)).one()
        assert sale.rounding == rounded - total
        assert sale.change == D(100) - rounded


def test_nets_needs_the_terminal_approval_code(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        total = _to_payment(qtbot, till, till.barcodes(2))
        pay = till.window.payment
        press(qtbot, pay.entry, Qt.Key.Key_F2)
        assert "approval code" in pay.hint.text()
        type_in(qtbot, pay.entry, "")
        assert "Enter the approval code printed by the nets terminal" in pay.message.text()
        type_in(qtbot, pay.entry, "A1B2C3")

        with till.store.read() as s:
            payment = s.scalars(select(Payment)).one()
        assert (payment.type, payment.amount, payment.reference) == ("nets", total, "A1B2C3")
        # No cash changed hands: the drawer stays shut.
        qtbot.waitUntil(lambda: len(till.window.printing.results) == 1)
        assert b"\x1bp" not in (till.ctx.printer.last_output or b"")


def test_card_cannot_take_more_than_is_due(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        total = _to_payment(qtbot, till, till.barcodes(1))
        pay = till.window.payment
        keys(qtbot, pay.entry, f"{total + 5}")
        press(qtbot, pay.entry, Qt.Key.Key_F3)
        assert f"Card can take at most ${total:,.2f}" in pay.message.text()
        assert pay.state.tenders == []


def test_the_amount_typed_before_going_back_is_gone_when_payment_opens_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell, pay = till.window.sell, till.window.payment
        type_in(qtbot, sell.entry, barcode_of(till, "Nescafé Gold Blend 200g"))
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        keys(qtbot, pay.entry, "50")
        press(qtbot, pay.entry, Qt.Key.Key_F3)  # a card for more than is due: refused
        assert "$17.90" in pay.message.text()
        press(qtbot, pay.entry, Qt.Key.Key_Escape)
        assert till.window.stack.currentWidget() is sell

        press(qtbot, sell.entry, Qt.Key.Key_F10)

        assert pay.entry.text() == "" and pay.message.text() == ""
        type_in(qtbot, pay.entry, "5")
        assert [(t.type.value, t.amount) for t in pay.state.tenders] == [("cash", D("5.00"))]
        assert pay.due.text() == "Still to pay $12.90"
        assert till.count(Sale) == 0
