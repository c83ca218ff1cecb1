"""The manager's approval box, typed into as a manager does: code, Enter, PIN, Enter.

Keys go to whatever has the keyboard focus, as on a real till, so a PIN that escaped the box
would show up in the scan line or on screen.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from shared.cart import ManagerAction
from tests.ui.selling import (
    CASHIER,
    MANAGER,
    SUPERVISOR,
    Till,
    keys,
    press,
    running_till,
    sign_in,
    type_in,
    when_modal,
)
from tests.ui.shelf import barcode_of
from till.ui.approval import ApprovalDialog
from till.ui.look import TOUCH

D = Decimal


def _focused(qtbot: QtBot, till: Till) -> QWidget:
    """Where the next key goes; with no window active, the window manager's pick: the till."""
    widget = QApplication.focusWidget()
    if widget is None:
        till.window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _type_at_focus(qtbot: QtBot, till: Till, text: str, box: QWidget | None = None) -> None:
    """Type ``text`` and Enter wherever the focus is, re-reading it after every key. With
    ``box``, first wait (on a loaded machine) until the box has the keyboard, as a cashier
    looks up before typing: whatever has the focus then gets the keys."""
    for key in [*text, None]:
        if box is not None and box.isVisible():
            # The box is the active window and the keyboard is where the box put it (after
            # Enter on the code, the PIN): on a loaded machine the platform may lag behind.
            def settled(box: QWidget = box) -> bool:
                focus = QApplication.focusWidget()
                return box.isActiveWindow() and focus is box.focusWidget() and focus is not None

            if not settled():
                box.activateWindow()
            qtbot.waitUntil(settled, timeout=5000)
        if key is None:
            press(qtbot, _focused(qtbot, till), Qt.Key.Key_Return)
        else:
            keys(qtbot, _focused(qtbot, till), key)


def _ring_and_override(qtbot: QtBot, till: Till, price: str, answer: list[str]) -> list[str]:
    """Ring Nescafé, ask for a new price; ``answer`` is typed into the approval box."""
    sign_in(qtbot, till)
    sell = till.window.sell
    type_in(qtbot, sell.entry, barcode_of(till, "Nescafé Gold Blend 200g"))
    press(qtbot, sell.entry, Qt.Key.Key_F5)
    texts: list[str] = []

    def fill(dialog: QWidget) -> None:
        # A window manager activates a new modal box; the offscreen platform may need a nudge.
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        for text in answer:
            _type_at_focus(qtbot, till, text, dialog)
        message = dialog.findChild(QLabel, "approval_message")
        texts.append(message.text() if message is not None else "")
        if dialog.isVisible():
            press(qtbot, _focused(qtbot, till), Qt.Key.Key_Escape)

    seen = when_modal(qtbot, "approval", fill)
    type_in(qtbot, sell.entry, price)
    assert seen, "the approval box never opened"
    return texts  # what the box said when the typing was done


def test_enter_moves_from_staff_code_to_pin_then_approves(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        said = _ring_and_override(qtbot, till, "15.00", [MANAGER.code, MANAGER.pin])

        sell = till.window.sell
        line = till.checkout.cart.lines[0]
        assert line.unit_price == D("15.00"), f"not approved; the box said {said}"
        assert line.approved_by == str(MANAGER.staff_id)
        assert sell.message.text() == "Nescafé Gold Blend 200g: price now $15.00."
        assert sell.entry.text() == ""
        qtbot.waitUntil(sell.entry.hasFocus)


def test_a_pin_never_lands_in_the_scan_line(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        _ring_and_override(qtbot, till, "15.00", [MANAGER.code, MANAGER.pin])

        sell = till.window.sell
        shown = " ".join(w.text() for w in till.window.findChildren(QLabel))
        assert MANAGER.pin not in shown and MANAGER.pin not in sell.entry.text()
        assert "No product has barcode" not in sell.message.text()


def test_a_refused_approver_is_told_why_and_the_pin_is_cleared(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        # A cashier cannot approve a price change; the box stays open and says who can.
        [message] = _ring_and_override(qtbot, till, "15.00", [CASHIER.code, CASHIER.pin])

        assert message == (
            "Tan Mei Ling (cashier) cannot approve this: it needs a manager or supervisor. "
            "Ask one to type their staff code and PIN"
        )
        assert till.checkout.cart.lines[0].unit_price == D("17.90")
        assert till.window.sell.message.text() == "Cancelled: nothing was changed"


def test_a_supervisor_may_approve_a_price_change(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        _ring_and_override(qtbot, till, "16.00", [SUPERVISOR.code, SUPERVISOR.pin])

        assert till.checkout.cart.lines[0].approved_by == str(SUPERVISOR.staff_id)


def test_the_approval_box_is_never_shorter_than_its_keypad(qtbot: QtBot, tmp_path: Path) -> None:
    """Seen at the real window with no window manager: approving a stocktake, the box came
    up 57 px short of what it holds, the keypad's keys on top of each other and its Enter
    cut off by the line under it. Every key and field now has its own room."""
    with running_till(qtbot, tmp_path / "till") as till:
        dialog = ApprovalDialog(
            till.window,
            till.ctx,
            ManagerAction.STOCK_CONTROL,
            "Approving a stocktake is a manager's job: a manager must approve with their PIN",
            None,
        )
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        parts = [
            w
            for w in dialog.findChildren(QWidget)
            if isinstance(w, QAbstractButton | QLineEdit | QLabel) and w.isVisibleTo(dialog)
        ]
        boxes = {w: QRect(w.mapTo(dialog, w.rect().topLeft()), w.size()) for w in parts}
        whole = dialog.rect()
        assert all(whole.contains(box) for box in boxes.values())
        for a, b in itertools.combinations(parts, 2):
            overlap = boxes[a].intersected(boxes[b])
            assert overlap.height() <= 1 or overlap.width() <= 1, (a.text(), b.text())
        assert all(b.height() >= TOUCH for b in dialog.findChildren(QAbstractButton))
