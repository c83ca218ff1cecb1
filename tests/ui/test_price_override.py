"""A price override: the manager sees what changes, and no PIN can approve an absurd price."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.selling import MANAGER, Till, press, running_till, sign_in, type_in, when_modal
from tests.ui.shelf import barcode_of
from till.settings import PriceCeilingSettings

D = Decimal
NESCAFE = "Nescafé Gold Blend 200g"


def _ring_nescafe(qtbot: QtBot, till: Till) -> None:
    sign_in(qtbot, till)
    type_in(qtbot, till.window.sell.entry, barcode_of(till, NESCAFE))


def test_a_million_dollars_is_refused_before_any_manager_is_asked(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        _ring_nescafe(qtbot, till)
        sell = till.window.sell
        seen = when_modal(qtbot, "approval", lambda d: press(qtbot, d, Qt.Key.Key_Escape))
        press(qtbot, sell.entry, Qt.Key.Key_F5)

        type_in(qtbot, sell.entry, "1000000")

        assert sell.message.text() == (
            f"$1,000,000.00 is more than this till allows for {NESCAFE} (at most $179.00; "
            "its list price is $17.90): check the price and type it again"
        )
        assert not seen, "a manager was asked to approve an impossible price"
        assert till.checkout.cart.lines[0].unit_price == D("17.90")


def test_the_approval_box_names_the_item_and_the_old_and_new_price(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        _ring_nescafe(qtbot, till)
        sell = till.window.sell
        heading: list[str] = []

        def read_then_approve(dialog: QWidget) -> None:
            heading.extend(label.text() for label in dialog.findChildren(QLabel))
            type_in(qtbot, dialog.findChild(QLineEdit, "approval_code"), MANAGER.code)
            type_in(qtbot, dialog.findChild(QLineEdit, "approval_pin"), MANAGER.pin)

        when_modal(qtbot, "approval", read_then_approve)
        press(qtbot, sell.entry, Qt.Key.Key_F5)
        type_in(qtbot, sell.entry, "120")

        assert any(f"{NESCAFE} from $17.90 to $120.00" in text for text in heading), heading
        assert till.checkout.cart.lines[0].unit_price == D("120.00")


def test_the_ceiling_is_the_tills_own_setting(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        till.ctx.settings.price_ceiling = PriceCeilingSettings(
            times_list_price=D(2), at_most=D("30")
        )
        _ring_nescafe(qtbot, till)
        sell = till.window.sell
        press(qtbot, sell.entry, Qt.Key.Key_F5)

        type_in(qtbot, sell.entry, "30.05")

        assert "(at most $30.00; its list price is $17.90)" in sell.message.text()
