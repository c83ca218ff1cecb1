"""The status line's "waiting to send" follows every write that queues events, not only a
sale: after a refund and after a stock document it shows the store's own count at once, with
no background read of the status to come (the watcher's turn is an hour away)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from shared.tender import Tender, TenderType
from tests.tills import DemoTill
from tests.ui.backoffice import reactivate, when_modal
from tests.ui.selling import Till, keys, press, running_till, sign_in, type_in
from till.store.outbox import backlog
from till.sync.settings import AgentSettings
from till.sync.status import STAND_ALONE, SyncStatus
from till.ui.receipts_view import ReceiptsView
from till.ui.stock_view import StockView
from till.ui.sync_bridge import SyncBridge

NO_BACKGROUND_READ_S = 3600.0


def pending_in_store(till: Till) -> int:
    with till.store.read() as s:
        return backlog(s).pending


def pending_shown(till: Till) -> int | None:
    found = re.match(r"(\d+) waiting to send", till.window.status.parts["pending"].text())
    return int(found.group(1)) if found else None


def test_a_refund_and_a_stock_document_refresh_the_status_line_at_once(
    qtbot: QtBot, tmp_path: Path
) -> None:
    reads: list[SyncStatus] = []

    def start(bridge: SyncBridge, demo: DemoTill) -> None:
        bridge.status_changed.connect(reads.append)
        bridge.syncing = demo.till.start_sync(
            AgentSettings(), bridge.post, watch_every_s=NO_BACKGROUND_READ_S
        )

    with running_till(qtbot, tmp_path / "till", start_sync=start) as till:
        assert till.bridge.mode == STAND_ALONE
        # The status given at start and the watcher's first read; then it sleeps an hour.
        qtbot.waitUntil(lambda: len(reads) == 2)
        sign_in(qtbot, till)
        qtbot.waitUntil(lambda: pending_shown(till) == pending_in_store(till))
        checkout = till.demo.till.checkout(till.demo.cashier)
        for code in till.barcodes(2):
            checkout.scan(code)
        sale = checkout.complete([Tender(TenderType.CASH, Decimal("500.00"))])
        qtbot.waitUntil(lambda: pending_shown(till) == pending_in_store(till))

        # A refund of the sale's first item, by keys at the receipts screen (F7).
        window = till.window
        press(qtbot, window.sell.entry, Qt.Key.Key_F7)
        receipts = window.back_office["receipts"]
        assert isinstance(receipts, ReceiptsView)
        type_in(qtbot, receipts.number, sale.receipt_no)
        press(qtbot, receipts.number, Qt.Key.Key_Tab)
        keys(qtbot, receipts.reason, "damaged")

        def refund_first_line(dialog: QWidget) -> None:
            table = dialog.findChild(QTableWidget, "refund_lines")
            assert table is not None
            keys(qtbot, table, "1")  # the first item's quantity: typing opens its editor
            editor = QApplication.focusWidget()
            assert editor is not None
            press(qtbot, editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

        before = pending_in_store(till)
        seen = when_modal(qtbot, "refund_dialog", refund_first_line)
        press(qtbot, receipts.reason, Qt.Key.Key_F3)
        assert seen, "the refund dialog did not open"
        after_refund = pending_in_store(till)
        assert after_refund > before  # the refund and its audit record are waiting
        qtbot.waitUntil(lambda: pending_shown(till) == after_refund)

        # A stock document: one item written off as damaged (F11, F2, scan, F10).
        reactivate(qtbot, window)  # as a window manager does when the dialog closes
        press(qtbot, QApplication.focusWidget() or receipts, Qt.Key.Key_Escape)
        assert window.stack.currentWidget() is window.sell
        press(qtbot, window.sell.entry, Qt.Key.Key_F11)
        stock = window.back_office["stock"]
        assert isinstance(stock, StockView)
        scan_line = stock.findChild(QLineEdit, "stock_scan")
        assert scan_line is not None
        press(qtbot, scan_line, Qt.Key.Key_F2)
        type_in(qtbot, scan_line, till.barcodes(1)[0])
        press(qtbot, scan_line, Qt.Key.Key_F10)
        qtbot.waitUntil(lambda: "adjusted" in stock.message.text())
        after_stock = pending_in_store(till)
        assert after_stock > after_refund
        qtbot.waitUntil(lambda: pending_shown(till) == after_stock)
        # Nothing but those writes woke the watcher: no read came on its own.
        assert len(reads) <= 2 + 4
