"""The window's keys reach the receipts, shift, stock and diagnostics screens and Esc comes
back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.selling import press, running_till, sign_in, tap


def _esc_back(qtbot: QtBot, till, expected) -> None:  # type: ignore[no-untyped-def]
    focus = QApplication.focusWidget() or till.window.stack.currentWidget()
    press(qtbot, focus, Qt.Key.Key_Escape)
    assert till.window.stack.currentWidget() is expected


def test_f7_f8_f11_and_ctrl_shift_d_open_their_screens(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till", shift=False) as till:
        w = till.window
        # Diagnostics is for technicians: it opens before anybody signs in.
        press(
            qtbot,
            w.signin.code,
            Qt.Key.Key_D,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        assert w.stack.currentWidget() is w.back_office["diagnostics"]
        _esc_back(qtbot, till, w.signin)
        # Receipts and shift need a cashier.
        press(qtbot, w.signin.code, Qt.Key.Key_F8)
        assert w.stack.currentWidget() is w.signin
        assert w.signin.message.text() == "Sign in first."

        sign_in(qtbot, till)
        assert "press F8" in w.sell.banner.text()
        press(qtbot, w.sell.entry, Qt.Key.Key_F8)
        assert w.stack.currentWidget() is w.back_office["shift"]
        _esc_back(qtbot, till, w.sell)
        press(qtbot, w.sell.entry, Qt.Key.Key_F7)
        assert w.stack.currentWidget() is w.back_office["receipts"]
        _esc_back(qtbot, till, w.sell)
        press(qtbot, w.sell.entry, Qt.Key.Key_F11)
        assert w.stack.currentWidget() is w.back_office["stock"]
        _esc_back(qtbot, till, w.sell)
        assert w.sell.entry.hasFocus()


def test_the_toolbar_offers_receipts_and_shift_only_while_someone_is_signed_in(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        w = till.window

        def offered() -> set[str]:
            bar = w.toolbar
            return {
                name
                for name, action in w.toolbar_actions.items()
                if (button := bar.widgetForAction(action)) is not None and button.isEnabled()
            }

        # Before sign-in a tap on Receipts or Shift could only answer "Sign in first".
        assert offered() == {"diagnostics"}

        sign_in(qtbot, till)
        assert offered() == {"receipts", "shift", "stock", "diagnostics", "sign_out"}
        tap(qtbot, w.toolbar.widgetForAction(w.toolbar_actions["receipts"]))
        assert w.stack.currentWidget() is w.back_office["receipts"]
        _esc_back(qtbot, till, w.sell)

        tap(qtbot, w.toolbar.widgetForAction(w.toolbar_actions["sign_out"]))
        assert w.stack.currentWidget() is w.signin
        assert offered() == {"diagnostics"}
