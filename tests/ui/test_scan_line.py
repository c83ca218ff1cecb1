"""The scan line under abuse: a huge paste, and a scan that arrives while the search is open."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.selling import keys, press, running_till, sign_in, type_in, when_modal
from tests.ui.shelf import barcode_of
from till.ui.sell_entry import MAX_SCAN_LENGTH


def test_a_huge_paste_is_refused_plainly_and_never_widens_the_window(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        window, sell = till.window, till.window.sell
        width = window.width()
        QGuiApplication.clipboard().setText("9" * 5000)

        sell.entry.paste()
        press(qtbot, sell.entry, Qt.Key.Key_Return)
        qtbot.wait(50)  # let any layout request run

        assert sell.message.text() == (
            f"That is too long for a barcode or a name (at most {MAX_SCAN_LENGTH} characters):"
            " nothing was rung up. Scan the item again"
        )
        assert sell.entry.text() == "" and sell.model.rowCount() == 0
        assert window.width() == width and window.minimumSizeHint().width() <= width
        # The scan line still works.
        type_in(qtbot, sell.entry, barcode_of(till, "Nescafé Gold Blend 200g"))
        assert sell.model.rowCount() == 1


def test_an_unknown_long_code_does_not_widen_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        window, sell = till.window, till.window.sell
        width = window.width()

        type_in(qtbot, sell.entry, "9" * MAX_SCAN_LENGTH)
        qtbot.wait(50)

        assert sell.message.text().startswith("No product has barcode '9999")
        assert window.width() == width and window.minimumSizeHint().width() <= width


def test_a_scan_while_the_search_is_open_is_rung_up_and_the_scan_line_has_the_keys(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        nescafe = barcode_of(till, "Nescafé Gold Blend 200g")

        def scan_into_search(dialog: QWidget) -> None:
            type_in(qtbot, dialog.findChild(QLineEdit, "search_query"), nescafe)

        seen = when_modal(qtbot, "search", scan_into_search)
        type_in(qtbot, sell.entry, "milo")
        assert seen, "the search never opened"

        assert [line.product.name for line in till.checkout.cart.lines] == [
            "Nescafé Gold Blend 200g"
        ]
        qtbot.waitUntil(lambda: QApplication.focusWidget() is sell.entry)
        keys(qtbot, QApplication.focusWidget(), nescafe)
        press(qtbot, QApplication.focusWidget(), Qt.Key.Key_Return)
        assert till.checkout.cart.lines[0].quantity == 2


def test_after_the_search_is_closed_the_scan_line_has_the_keys(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell

        seen = when_modal(qtbot, "search", lambda d: press(qtbot, d, Qt.Key.Key_Escape))
        type_in(qtbot, sell.entry, "milo")
        assert seen

        qtbot.waitUntil(lambda: QApplication.focusWidget() is sell.entry)
