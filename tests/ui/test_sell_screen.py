"""The sell screen: scanning, line keys, search, quick keys, park and recall."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.selling import (
    CASHIER,
    SUPERVISOR,
    keys,
    press,
    running_till,
    sign_in,
    tap,
    type_in,
    when_modal,
)
from till.store.models import ParkedCart, Sale

D = Decimal


def test_unknown_barcode_says_so_and_leaves_the_cart_alone(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        type_in(qtbot, sell.entry, till.barcodes(1)[0])
        before = sell.model.lines

        type_in(qtbot, sell.entry, "8880000000000")

        assert "no product has barcode '8880000000000'" in sell.message.text().lower()
        assert "scan again or search by name" in sell.message.text()
        assert sell.model.lines == before
        assert sell.entry.text() == ""
        assert sell.entry.hasFocus()


def test_quantity_by_star_prefix_remove_line_and_totals(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        first, second = till.barcodes(2)
        type_in(qtbot, sell.entry, f"3*{first}")
        type_in(qtbot, sell.entry, second)
        assert [p.line.quantity for p in sell.model.lines] == [3, 1]

        # Delete in the empty scan field removes the selected (last) line.
        press(qtbot, sell.entry, Qt.Key.Key_Delete)
        assert [p.line.quantity for p in sell.model.lines] == [3]
        assert "Removed" in sell.message.text()
        assert sell.totals.total.text() == f"${sell.model.lines[0].amount:,.2f}"

        # A quantity that is not whole for a packaged item is refused in plain words.
        press(qtbot, sell.entry, Qt.Key.Key_F3)
        type_in(qtbot, sell.entry, "1.5")
        assert "whole units" in sell.message.text()
        assert [p.line.quantity for p in sell.model.lines] == [3]


def test_weighed_quick_key_asks_for_the_weight(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till", demo=True) as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        bananas = next(p for p in sell.quick.products if p.name.startswith("Bananas"))
        button = sell.quick.findChild(QPushButton, f"quick_{bananas.sku}")
        tap(qtbot, button)
        assert "Weight in kg (e.g. 0.500) of Bananas" in sell.prompt_label.text()
        assert sell.model.rowCount() == 0  # nothing rung at a guessed 1 kg
        type_in(qtbot, sell.entry, "0.875")
        line = sell.model.lines[-1]
        assert line.line.quantity == D("0.875")
        assert line.amount == (D("0.875") * bananas.unit_price).quantize(D("0.01"))
        assert sell.model.data(sell.model.index(0, 1)) == "0.875 kg"


def test_quick_keys_show_whole_names_and_totals_never_show_a_blank(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till", demo=True) as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        qtbot.waitUntil(lambda: sell.quick.isVisible())
        longest = max(sell.quick.products, key=lambda p: len(p.name))
        assert len(longest.name) > 25  # longer than one line of a key
        for product in sell.quick.products:
            key = sell.quick.findChild(QPushButton, f"quick_{product.sku}")
            assert key is not None
            name = key.findChild(QLabel, "quick_name")
            assert name is not None
            # The whole name, wrapped: the label is as tall as its wrapped text needs.
            assert name.text() == product.name
            assert name.height() >= name.heightForWidth(name.width())
            assert name.geometry().bottom() <= key.rect().bottom()
        assert sell.totals.discount.text() == "$0.00"  # before anything is rung up

        tap(qtbot, sell.quick.findChild(QPushButton, f"quick_{longest.sku}"))
        if longest.weighed:
            type_in(qtbot, sell.entry, "1")
        assert [p.line.product.name for p in sell.model.lines] == [longest.name]
        assert sell.totals.discount.text() == "$0.00"  # no discount: a figure, not a blank
        press(qtbot, sell.entry, Qt.Key.Key_F4)
        type_in(qtbot, sell.entry, "0.50")
        assert sell.totals.discount.text() == "-$0.50"


def test_search_by_name_rings_up_the_chosen_product(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell

        def choose(dialog) -> None:
            query = dialog.findChild(QLineEdit, "search_query")
            keys(qtbot, query, "gardenia")
            results = dialog.findChild(QListWidget, "search_results")
            qtbot.waitUntil(lambda: results.count() > 0)
            press(qtbot, query, Qt.Key.Key_Return)

        seen = when_modal(qtbot, "search", choose)
        press(qtbot, sell.entry, Qt.Key.Key_F2)
        assert seen
        assert [p.line.product.name for p in sell.model.lines] == [
            "Gardenia Enriched White Bread 600g"
        ]
        qtbot.waitUntil(sell.entry.hasFocus)


def test_letters_in_the_scan_field_open_the_search(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell

        def pick(dialog) -> None:
            query = dialog.findChild(QLineEdit, "search_query")
            assert query.text() == "creme"
            results = dialog.findChild(QListWidget, "search_results")
            qtbot.waitUntil(lambda: results.count() > 0)
            press(qtbot, query, Qt.Key.Key_Return)

        seen = when_modal(qtbot, "search", pick)
        type_in(qtbot, sell.entry, "creme")
        assert seen
        assert sell.model.lines[0].line.product.name == "Crème Brûlée Cups 2x100g"


def test_park_and_recall_by_keys(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        for code in till.barcodes(2):
            type_in(qtbot, sell.entry, code)
        names = [p.line.product.name for p in sell.model.lines]

        keys(qtbot, sell.entry, "Mrs Tan")
        press(qtbot, sell.entry, Qt.Key.Key_F9)
        assert sell.model.rowCount() == 0
        assert "parked" in sell.message.text().lower()
        assert till.count(ParkedCart) == 1

        # Another customer is served meanwhile.
        type_in(qtbot, sell.entry, till.barcodes(3)[2])
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        type_in(qtbot, till.window.payment.entry, "")  # exact cash
        assert till.count(Sale) == 1

        def recall(dialog) -> None:
            listing = dialog.findChild(QListWidget, "recall_list")
            assert listing.item(0).text().startswith("Mrs Tan")
            press(qtbot, listing, Qt.Key.Key_Return)

        seen = when_modal(qtbot, "recall", recall)
        assert sell.entry.hasFocus()
        press(qtbot, sell.entry, Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
        assert seen
        assert [p.line.product.name for p in sell.model.lines] == names
        assert till.count(ParkedCart) == 0


def test_selling_without_an_open_shift_points_to_f8(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till", shift=False) as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        assert "press F8" in sell.banner.text() and sell.banner.isVisible()
        type_in(qtbot, sell.entry, till.barcodes(1)[0])
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        assert till.window.stack.currentWidget() is sell
        assert "Open a shift first (F8)" in sell.message.text()


def test_price_override_needs_a_manager_and_cancelling_changes_nothing(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        type_in(qtbot, sell.entry, till.barcodes(1)[0])
        price = sell.model.lines[0].line.unit_price

        def cancel(dialog) -> None:
            press(qtbot, dialog, Qt.Key.Key_Escape)

        seen = when_modal(qtbot, "approval", cancel)
        press(qtbot, sell.entry, Qt.Key.Key_F5)
        type_in(qtbot, sell.entry, "1.00")
        assert seen
        assert sell.message.text() == "Cancelled: nothing was changed"
        assert sell.model.lines[0].line.unit_price == price
        qtbot.waitUntil(sell.entry.hasFocus)  # the keyboard is back in the scan field

        def refuse_then_approve(dialog) -> None:
            # A cashier's own PIN is refused in plain words; the supervisor's is accepted.
            type_in(qtbot, dialog.findChild(QLineEdit, "approval_code"), CASHIER.code)
            type_in(qtbot, dialog.findChild(QLineEdit, "approval_pin"), CASHIER.pin)
            message = dialog.findChild(QLabel, "approval_message")
            assert "cannot approve this: it needs a manager or supervisor" in message.text()
            code = dialog.findChild(QLineEdit, "approval_code")
            code.clear()
            type_in(qtbot, code, SUPERVISOR.code)
            type_in(qtbot, dialog.findChild(QLineEdit, "approval_pin"), SUPERVISOR.pin)

        seen = when_modal(qtbot, "approval", refuse_then_approve)
        press(qtbot, sell.entry, Qt.Key.Key_F5)
        type_in(qtbot, sell.entry, "1.00")
        assert seen
        line = sell.model.lines[0].line
        assert line.unit_price == D("1.00") and line.approved_by == str(SUPERVISOR.staff_id)
        assert "(price changed)" in sell.model.data(sell.model.index(0, 0))
