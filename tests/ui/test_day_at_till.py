"""A cashier's whole day at the real till in one process (tests/ui/day.py).

``SGPOS_DAY_SALES`` sets how many sales (2,000 by default), ``SGPOS_DAY_SEED`` replays a day
(each run picks and prints a seed otherwise), and ``SGPOS_DAY_SAVE=1`` saves the figures as
``bench/results/day_at_till.json`` (``make soak`` runs 10,000 sales that way).
"""

from __future__ import annotations

import os
import random
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from bench.common import save_result, summary
from shared.tender import Tender, TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.tills import demo_till
from tests.ui.day import Day
from tests.ui.selling import (
    MANAGER,
    keys,
    press,
    running_till,
    sign_in,
    type_in,
    when_modal,
)

D = Decimal


def test_a_whole_day_at_the_till(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sales = int(os.environ.get("SGPOS_DAY_SALES") or 2000)
    seed = int(os.environ.get("SGPOS_DAY_SEED") or random.SystemRandom().randrange(2**32))
    print(f"a day at the till: {sales} sales; replay with SGPOS_DAY_SEED={seed}")
    with running_till(qtbot, tmp_path / "till") as till:
        figures = Day(qtbot, till, seed).run(sales)
    result = figures.summary(seed)
    with capsys.disabled():  # the figures, not the till's log lines, on the terminal
        print()
        if os.environ.get("SGPOS_DAY_SAVE") == "1":
            save_result("day_at_till", result)
        else:
            print(summary("day_at_till", result))
    assert figures.sales >= sales  # and the carts still parked at closing time


# What the day found, each fixed since: a PayNow sale's void, Enter after a wrong PIN, and the
# selection after removing the first line.


def test_a_sale_paid_by_paynow_can_be_voided(tmp_path: Path) -> None:
    shop = demo_till(tmp_path / "till")
    try:
        till = shop.till
        till.shifts.open_shift(shop.manager, D("100.00"))
        checkout = till.checkout(shop.cashier)
        checkout.scan(standard_barcodes(till.store, 1)[0])
        number = str(checkout.next_receipt_number())
        total = checkout.totals().total
        paynow = Tender(
            TenderType.PAYNOW, total, reference=number, confirmed_by=shop.cashier.staff_id
        )
        sale = checkout.complete([paynow])
        void = till.refunds().void(
            shop.cashier, sale.receipt_no, reason="rung up twice", approved_by=shop.manager
        )
        assert void.total == total
    finally:
        shop.till.close()


def test_removing_the_first_line_leaves_a_line_selected(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        for code in till.barcodes(2):
            type_in(qtbot, sell.entry, code)
        press(qtbot, sell.entry, Qt.Key.Key_Up)
        press(qtbot, sell.entry, Qt.Key.Key_Delete)
        assert sell.model.rowCount() == 1
        press(qtbot, sell.entry, Qt.Key.Key_F3)  # a quantity for the line that is left
        assert "Scan an item first" not in sell.message.text()


def test_a_wrong_pin_then_enter_lets_the_manager_try_again(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        type_in(qtbot, sell.entry, till.barcodes(1)[0])
        open_after_wrong_pin: list[bool] = []

        def wrong_pin(dialog: QWidget) -> None:
            keys(qtbot, dialog.findChild(QLineEdit, "approval_code"), MANAGER.code)
            press(qtbot, dialog.findChild(QLineEdit, "approval_code"), Qt.Key.Key_Tab)
            type_in(qtbot, dialog.findChild(QLineEdit, "approval_pin"), "0000")
            open_after_wrong_pin.append(dialog.isVisible())
            dialog.close()

        seen = when_modal(qtbot, "approval", wrong_pin)
        press(qtbot, sell.entry, Qt.Key.Key_F5)
        type_in(qtbot, sell.entry, "1.00")
        assert seen and open_after_wrong_pin == [True]
