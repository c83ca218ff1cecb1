"""The shift screen driven by keyboard: float, cash in, no-sale, X report, count and Z."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.backoffice import (
    MANAGER,
    Shop,
    approve_with,
    keys,
    open_shop,
    press,
    reactivate,
    sell,
    show,
    when_modal,
)
from till.services.shifts import DENOMINATIONS
from till.store.models import CashMovement, Shift
from till.ui.shift_view import ShiftView

D = Decimal


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    s = open_shop(tmp_path / "till")
    yield s
    s.till.close()


@pytest.fixture
def view(qtbot: QtBot, shop: Shop) -> ShiftView:
    v = ShiftView(shop.ctx)
    show(qtbot, v)
    v.refresh()
    return v


def count(qtbot: QtBot, view: QWidget, pieces: dict[str, int]) -> None:
    """Type a count into every denomination field in turn, Enter after each."""
    for denomination in DENOMINATIONS:
        field = view.findChild(QLineEdit, f"count_{denomination}")
        assert field is not None and field.hasFocus(), (
            f"the {denomination} field should have the focus"
        )
        if pieces.get(denomination):
            keys(qtbot, field, str(pieces[denomination]))
        press(qtbot, field, Qt.Key.Key_Return)


def test_open_cash_in_and_close_with_a_variance_a_manager_approves(
    qtbot: QtBot, shop: Shop, view: ShiftView
) -> None:
    # Open: the float counted by note and coin fills in the amount.
    assert view.pages.currentWidget() is view.closed_page
    view.float_count.start()
    count(qtbot, view.float_count, {"10.00": 10, "2.00": 20, "1.00": 10})
    assert view.float_amount.text() == "150.00" and view.float_amount.hasFocus()
    press(qtbot, view.float_amount, Qt.Key.Key_Return)
    assert view.pages.currentWidget() is view.open_page
    assert "float $150.00" in view.shift_heading.text()

    # Cash in with a reason, keyboard only.
    keys(qtbot, view.cash_amount, "20")
    press(qtbot, view.cash_amount, Qt.Key.Key_Return)
    keys(qtbot, view.cash_reason, "change top-up")
    press(qtbot, view.cash_reason, Qt.Key.Key_F2)
    assert "$20.00 into the drawer recorded" in view.message.text()
    sale = sell(shop, 2)  # rung up on the sell screen meanwhile
    expected = D("170.00") + sale.settlement.amount_due

    # Z: the drawer is $50 short; over the outlet's $5 limit, so a manager approves.
    press(qtbot, view.cash_amount, Qt.Key.Key_F6)
    assert view.pages.currentWidget() is view.count_page
    short = expected - D("50.00")
    notes = int(short // 10)
    coins = int((short - notes * 10) / D("0.05"))
    count(qtbot, view.close_count, {"10.00": notes, "0.05": coins})
    # Blind: Enter after 5¢ closes nothing and the expected cash is nowhere on the screen.
    assert view.pages.currentWidget() is view.count_page
    assert shop.till.shifts.current() is not None
    on_screen = " ".join(label.text() for label in view.findChildren(QLabel))
    assert f"{expected:,.2f}" not in on_screen and "expected" not in on_screen
    assert f"Counted ${short:,.2f}" in view.count_hint.text()
    last = view.close_count.fields["0.05"]
    press(qtbot, last, Qt.Key.Key_F6)  # Count done: now the till says what it expected
    assert (
        f"Counted ${short:,.2f}; the till expected ${expected:,.2f}; variance -$50.00"
        in view.count_result.text()
    )
    assert "a manager approves" in view.count_result.text()
    assert last.isReadOnly() and shop.till.shifts.current() is not None
    press(qtbot, last, Qt.Key.Key_Return)  # still nothing closes on Enter
    assert shop.till.shifts.current() is not None
    seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
    press(qtbot, last, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seen, "a variance over the limit must ask for a manager"

    assert view.pages.currentWidget() is view.report
    z = view.report.text.toPlainText()
    assert "Z REPORT" in z
    counted_lines = [line.split() for line in z.splitlines() if " x " in line]
    assert counted_lines == [
        ["10.00", "x", str(notes), f"{D('10.00') * notes:.2f}"],
        ["0.05", "x", str(coins), f"{D('0.05') * coins:.2f}"],
    ]
    assert f"Counted cash{short:>36.2f}" in z and "-50.00" in z.splitlines()[-1]
    assert "Variance -$50.00." in view.message.text()
    with shop.till.store.read() as s:
        shift = s.scalars(select(Shift)).one()
        assert shift.closed_at is not None and shift.approved_by == shop.demo.manager.staff_id
        assert shift.counted_cash == short and shift.expected_cash == expected
        assert shift.counted["10.00"] == notes and shift.counted["0.05"] == coins
        move = s.scalars(select(CashMovement)).one()
        assert (move.direction, move.amount, move.reason) == ("in", D("20.00"), "change top-up")
    assert shop.actions()[-3:] == ["drawer.counted", "approval.granted", "shift.closed"]

    reactivate(qtbot, view)
    assert view.report.text.hasFocus()
    press(qtbot, view.report.text, Qt.Key.Key_F2)  # print the Z report
    assert b"Z REPORT" in (shop.ctx.printer.last_output or b"")
    press(qtbot, view.report.text, Qt.Key.Key_Escape)
    assert view.pages.currentWidget() is view.closed_page  # ready for the next shift


def test_cancelling_the_approval_keeps_the_shift_open(
    qtbot: QtBot, shop: Shop, view: ShiftView
) -> None:
    shop.till.shifts.open_shift(shop.demo.cashier, D("100.00"))
    view.refresh()
    press(qtbot, view.cash_amount, Qt.Key.Key_F6)
    seen = when_modal(qtbot, "approval", lambda d: press(qtbot, d, Qt.Key.Key_Escape))
    field = view.close_count.fields["50.00"]
    keys(qtbot, field, "1")
    press(qtbot, view.close_count.fields["100.00"], Qt.Key.Key_F6)
    press(qtbot, field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seen
    assert shop.till.shifts.current() is not None
    assert "still open" in view.message.text()
    assert view.pages.currentWidget() is view.count_page


def test_x_report_no_sale_and_a_bad_amount(qtbot: QtBot, shop: Shop, view: ShiftView) -> None:
    shop.till.shifts.open_shift(shop.demo.cashier, D("100.00"))
    view.refresh()
    keys(qtbot, view.cash_reason, "customer needs change")
    press(qtbot, view.cash_reason, Qt.Key.Key_F4)
    assert view.message.text() == "No sale recorded."
    assert shop.actions()[-1] == "drawer.opened_no_sale"
    assert shop.ctx.printer.last_output is not None
    assert shop.ctx.printer.last_output.startswith(b"\x1bp")  # the drawer kick

    keys(qtbot, view.cash_amount, "12.345")
    press(qtbot, view.cash_amount, Qt.Key.Key_F3)
    box = view.findChild(QMessageBox, "problem")
    assert box is not None and "is not an amount: type dollars and cents" in box.text()
    with shop.till.store.read() as s:
        assert s.scalars(select(CashMovement)).all() == []

    press(qtbot, view.cash_amount, Qt.Key.Key_F5)
    assert "X REPORT" in view.report.text.toPlainText()
    assert shop.till.shifts.current() is not None  # an X report closes nothing
    press(qtbot, view.report.text, Qt.Key.Key_Escape)
    assert view.pages.currentWidget() is view.open_page
