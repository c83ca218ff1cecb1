"""Signing in and out: PIN by keys or pad, lockout after wrong PINs, demo PINs in demo only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.selling import CASHIER, press, running_till, tap, type_in
from till.store.models import AuditRecord


def test_five_wrong_pins_lock_the_cashier_out(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        screen = till.window.signin
        type_in(qtbot, screen.code, CASHIER.code)
        for left in (4, 3, 2, 1):
            # The code stays after a wrong PIN and the PIN field has the keyboard again.
            assert screen.pin.hasFocus() and screen.code.text() == CASHIER.code
            type_in(qtbot, screen.pin, "0000")
            expected = f"({left} {'try' if left == 1 else 'tries'} left)"
            assert screen.message.text() == f"Wrong PIN {expected}"
            assert till.window.stack.currentWidget() is screen
        type_in(qtbot, screen.pin, "0000")
        assert "locked out for 5 minutes" in screen.message.text()

        # Even the right PIN is refused now, and the screen says until when.
        type_in(qtbot, screen.pin, CASHIER.pin)
        assert "is locked out after wrong PINs until" in screen.message.text()
        assert till.window.stack.currentWidget() is screen
        assert till.ctx.cashier is None
        with till.store.read() as s:
            actions = list(s.scalars(select(AuditRecord.action)))
        assert actions.count("staff.pin_failed") == 5


def test_on_screen_pad_signs_in_and_f12_signs_out(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        screen = till.window.signin
        tap(qtbot, screen.findChild(QPushButton, f"roster_{CASHIER.code}"))
        assert screen.code.text() == CASHIER.code
        for key in [*CASHIER.pin, "enter"]:
            tap(qtbot, screen.findChild(QPushButton, f"pad_{key}"))
        assert till.window.stack.currentWidget() is till.window.sell
        assert CASHIER.display_name in till.window.sell.cashier.text()

        # Not with a sale half rung up...
        type_in(qtbot, till.window.sell.entry, till.barcodes(1)[0])
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F12)
        assert till.window.stack.currentWidget() is till.window.sell
        assert "before signing out" in till.window.sell.message.text()
        # ...but once it is parked.
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F9)
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F12)
        assert till.window.stack.currentWidget() is screen
        assert f"{CASHIER.display_name} signed out." == screen.message.text()
        assert till.ctx.cashier is None


def test_demo_pins_are_shown_in_demo_mode_only(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "real") as till:
        assert not till.window.signin.demo_pins.isVisible()
        assert CASHIER.pin not in till.window.signin.demo_pins.text()
    with running_till(qtbot, tmp_path / "demo", demo=True) as till:
        label = till.window.signin.demo_pins
        assert label.isVisible()
        assert f"{CASHIER.code}/{CASHIER.pin}" in label.text()
