"""A cashier who chose 中文 sees Chinese on every screen and dialog of the till, not only the
selling ones: back office (receipts, refunds, shift, cash count, reports, stock,
diagnostics), the dialogs (search, customer, approval, refund, parked sales) and the
refusals the services word in English. What may stay as it is: product, category, staff and
shop names, codes and numbers, money, key names and a few proper names (PayNow, NETS, GST...)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.selling import (
    CASHIER,
    Till,
    press,
    running_till,
    sign_in,
    tap,
    type_in,
    when_modal,
)
from tests.ui.shelf import barcode_of
from till.store.models import Category, Outlet, Product, Staff
from till.ui.receipts_view import ReceiptsView
from till.ui.stock_view import StockView

# Words that are the same in both languages: keys, payment schemes, Singapore's acronyms,
# units, and the names of things that are not the till's words.
KEPT = {
    "Enter", "Esc", "Ctrl", "Shift", "Del", "Return", "Home", "Down",
    "PayNow", "NETS", "CDC", "NRIC", "FIN", "PDPA", "UEN", "GST", "PDF", "SKU", "USB", "PIN",
    "SG", "POS", "ORC", "JUR", "TR", "Qt", "PySide6", "Python", "zip", "linux", "kg",
    "English",
}  # fmt: skip
# Labels that show technical facts (paths, versions, addresses), not words.
TECHNICAL = {"diag_store", "diag_versions", "diag_sync", "diag_till"}
WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")


def _names(till: Till) -> list[str]:
    with till.store.read() as s:
        names = [
            *s.scalars(select(Product.name)),
            *s.scalars(select(Category.name)),
            *s.scalars(select(Staff.display_name)),
            *s.scalars(select(Outlet.name)),
        ]
    return sorted({n for n in names if n}, key=len, reverse=True)


def _texts(widget: QWidget) -> list[str]:
    if widget.objectName() in TECHNICAL:
        return []
    texts: list[str] = []
    if isinstance(widget, QLabel | QAbstractButton):
        texts.append(widget.text())
    if isinstance(widget, QLineEdit) and not widget.text():
        texts.append(widget.placeholderText())
    if isinstance(widget, QGroupBox):
        texts.append(widget.title())
    if isinstance(widget, QComboBox):
        texts += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QListWidget):
        texts += [item.text() for item in widget.findItems("*", Qt.MatchFlag.MatchWildcard)]
    if isinstance(widget, QTableView) and widget.model() is not None:
        model = widget.model()
        texts += [
            str(model.headerData(c, Qt.Orientation.Horizontal) or "")
            for c in range(model.columnCount())
        ]
    if widget.isWindow():
        texts.append(widget.windowTitle())
    return texts


def english_left(root: QWidget, names: list[str]) -> list[str]:
    """Every visible text under ``root`` that still has an English word in it."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        for text in _texts(widget):
            plain = re.sub(r"<[^>]+>", " ", text)
            for name in names:
                plain = plain.replace(name, " ")
            words = [w for w in WORD.findall(plain) if w not in KEPT and w.strip("-") not in KEPT]
            # A code such as ORC-T01-000001 or GR-ORC-T01-000002 is not a word.
            words = [w for w in words if not re.fullmatch(r"[A-Z]{2,3}(-[A-Z0-9]+)*-?", w)]
            if words:
                found.append(f"{widget.objectName() or type(widget).__name__}: {text!r}")
    return found


def _chinese_cashier(qtbot: QtBot, till: Till) -> None:
    tap(qtbot, till.window.signin.language_keys["zh_CN"])
    sign_in(qtbot, till)
    qtbot.waitUntil(lambda: till.window.stack.currentWidget() is till.window.sell)


def _modal(qtbot: QtBot, name: str, open_it: Callable[[], None], names: list[str]) -> list[str]:
    """What of dialog ``name`` is still English, then close it with Esc."""
    left: list[str] = []

    def look(dialog: QWidget) -> None:
        try:
            left.extend(english_left(dialog, names))
        finally:
            dialog.close()

    seen = when_modal(qtbot, name, look)
    open_it()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    window = seen[0].parentWidget()
    if window is not None:  # back to the till's window, as a cashier's next key goes there
        window.window().activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window.window())
    return left


def _key(qtbot: QtBot, till: Till, key: Qt.Key, mod: Qt.KeyboardModifier | None = None) -> None:
    target = QApplication.focusWidget() or till.window
    if mod is None:
        press(qtbot, target, key)
    else:
        press(qtbot, target, key, mod)


def test_a_chinese_cashier_finds_no_english_on_any_screen_or_dialog(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        names = _names(till)
        window, sell = till.window, till.window.sell
        left: dict[str, list[str]] = {}
        tap(qtbot, window.signin.language_keys["zh_CN"])
        left["sign-in"] = english_left(window, names)
        _chinese_cashier(qtbot, till)

        # Selling: a line rung up, the dialogs of the sell keys.
        type_in(qtbot, sell.entry, barcode_of(till, "Nescafé Gold Blend 200g"))
        press(qtbot, sell.entry, Qt.Key.Key_F1)  # why each promotion does or does not apply
        left["sell"] = english_left(window, names)
        press(qtbot, sell.entry, Qt.Key.Key_F1)
        left["search"] = _modal(
            qtbot, "search", lambda: press(qtbot, sell.entry, Qt.Key.Key_F2), names
        )
        left["customer"] = _modal(
            qtbot, "customer", lambda: press(qtbot, sell.entry, Qt.Key.Key_F6), names
        )
        press(qtbot, sell.entry, Qt.Key.Key_F5)  # a new price needs a manager
        left["approval"] = _modal(
            qtbot, "approval", lambda: type_in(qtbot, sell.entry, "15.00"), names
        )
        press(qtbot, sell.entry, Qt.Key.Key_F9)  # park it, then look at the parked sales
        left["parked"] = _modal(
            qtbot,
            "recall",
            lambda: press(qtbot, sell.entry, Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier),
            names,
        )

        # Paying: the payment screen, then a sale done.
        type_in(qtbot, sell.entry, barcode_of(till, "Nescafé Gold Blend 200g"))
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        left["payment"] = english_left(window, names)
        type_in(qtbot, window.payment.entry, "50")
        qtbot.waitUntil(lambda: window.stack.currentWidget() is sell)
        qtbot.waitUntil(lambda: bool(window.printing.results))
        left["sale done"] = english_left(window, names)

        # Receipts (F7): the list, a receipt, refund and no-receipt dialogs, void's approval.
        press(qtbot, sell.entry, Qt.Key.Key_F7)
        receipts = window.back_office["receipts"]
        assert isinstance(receipts, ReceiptsView)
        qtbot.waitUntil(receipts.isVisible)
        receipts.list.selectRow(0)
        left["receipts"] = english_left(window, names)
        left["refund"] = _modal(
            qtbot, "refund_dialog", lambda: _key(qtbot, till, Qt.Key.Key_F3), names
        )
        left["no receipt"] = _modal(
            qtbot, "no_receipt_dialog", lambda: _key(qtbot, till, Qt.Key.Key_F5), names
        )
        press(qtbot, receipts.reason, Qt.Key.Key_Escape)

        # Shift (F8): the open shift, an X report, the blind count, past Z reports.
        press(qtbot, sell.entry, Qt.Key.Key_F8)
        shift = window.back_office["shift"]
        qtbot.waitUntil(shift.isVisible)
        left["shift"] = english_left(window, names)
        _key(qtbot, till, Qt.Key.Key_F5)
        left["x report"] = english_left(window, names)
        _key(qtbot, till, Qt.Key.Key_Escape)
        _key(qtbot, till, Qt.Key.Key_F6)
        left["count"] = english_left(window, names)
        _key(qtbot, till, Qt.Key.Key_Escape)
        _key(qtbot, till, Qt.Key.Key_F9)
        left["z reports"] = english_left(window, names)
        _key(qtbot, till, Qt.Key.Key_Escape)
        _key(qtbot, till, Qt.Key.Key_Escape)

        # Stock (F11): every mode.
        qtbot.waitUntil(sell.isVisible)
        press(qtbot, sell.entry, Qt.Key.Key_F11)
        stock = window.back_office["stock"]
        assert isinstance(stock, StockView)
        qtbot.waitUntil(stock.isVisible)
        for key in (Qt.Key.Key_F1, Qt.Key.Key_F2, Qt.Key.Key_F3, Qt.Key.Key_F4, Qt.Key.Key_F5):
            _key(qtbot, till, key)
            left[f"stock {stock.mode}"] = english_left(window, names)
        _key(qtbot, till, Qt.Key.Key_Escape)

        # Diagnostics (Ctrl+Shift+D).
        qtbot.waitUntil(sell.isVisible)
        press(
            qtbot,
            sell.entry,
            Qt.Key.Key_D,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        diagnostics = window.back_office["diagnostics"]
        qtbot.waitUntil(diagnostics.isVisible)
        left["diagnostics"] = english_left(window, names)

        english = [f"{screen}: {text}" for screen, texts in left.items() for text in texts]
        assert not english, "still in English:\n" + "\n".join(english)


def test_common_refusals_reach_a_chinese_cashier_in_chinese(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        _chinese_cashier(qtbot, till)
        window, sell = till.window, till.window.sell
        # An unknown barcode: the checkout service's refusal, translated where it is shown.
        type_in(qtbot, sell.entry, "8880000000017")
        assert sell.message.text() == "没有条码为 '8880000000017' 的商品：请重新扫描或按名称搜索"

        # A cashier's own PIN cannot approve a new price: the approval box says why.
        type_in(qtbot, sell.entry, barcode_of(till, "Nescafé Gold Blend 200g"))
        said: list[str] = []

        def refuse(dialog: QWidget) -> None:
            type_in(qtbot, dialog.findChild(QLineEdit, "approval_code"), CASHIER.code)
            type_in(qtbot, dialog.findChild(QLineEdit, "approval_pin"), CASHIER.pin)
            message = dialog.findChild(QLabel, "approval_message")
            said.append(message.text() if message is not None else "")
            dialog.close()

        seen = when_modal(qtbot, "approval", refuse)
        press(qtbot, sell.entry, Qt.Key.Key_F5)
        type_in(qtbot, sell.entry, "15.00")
        qtbot.waitUntil(lambda: bool(seen))
        assert said == [
            f"{CASHIER.display_name}（收银员）无权批准此操作：需要经理或主管。"
            "请该人员输入员工编号和密码"
        ]
        assert sell.message.text() == "已取消：没有任何更改"
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

        # A problem box (cash in with no amount) is in Chinese, title and button too.
        press(qtbot, sell.entry, Qt.Key.Key_F8)
        shift = window.back_office["shift"]
        qtbot.waitUntil(shift.isVisible)
        tap(qtbot, shift.findChild(QAbstractButton, "cash_in"))
        boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        assert [(b.windowTitle(), b.text()) for b in boxes] == [
            ("问题", "请输入金额（元），例如 20.00")
        ]
        ok = boxes[0].button(QMessageBox.StandardButton.Ok)
        assert ok is not None and ok.text() == "确定"
        boxes[0].close()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        _key(qtbot, till, Qt.Key.Key_Escape)
        qtbot.waitUntil(sell.isVisible)

        # Paying less than is due, then Ctrl+Enter: the tender rules' refusal.
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        pay = window.payment
        type_in(qtbot, pay.entry, "5")
        press(qtbot, pay.entry, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert pay.message.text() == "尚需支付 $12.90：请先收取其他付款再完成交易"
