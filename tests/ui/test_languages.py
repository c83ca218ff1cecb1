"""English and Simplified Chinese screens, chosen per cashier at sign-in and remembered on this
till; the customer display follows the cashier; receipts stay in the outlet's language."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.escpos_reader import read
from tests.ui.selling import (
    CASHIER,
    SUPERVISOR,
    Till,
    press,
    running_till,
    sign_in,
    tap,
    type_in,
)
from till.printing import PrinterSettings
from till.settings import CustomerDisplaySettings, TillSettings
from till.ui import language

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "till" / "ui" / "i18n" / "till_zh_CN.ts"


def _key(till: Till, name: str) -> str:
    key = till.window.findChild(QPushButton, name)
    assert key is not None, name
    return key.text()


def _settings() -> TillSettings:
    return TillSettings(
        printer=PrinterSettings(kind="dummy"),
        customer_display=CustomerDisplaySettings(screen=1),
    )


def test_a_cashier_who_chooses_chinese_sells_in_chinese_and_the_receipt_stays_english(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till", settings=_settings()) as till:
        display = till.window.open_customer_display()
        assert display is not None
        signin = till.window.signin
        assert _key(till, "sell_pay") == "Pay\nF10"
        tap(qtbot, signin.language_keys["zh_CN"])
        assert signin.title.text() == "登录"  # the sign-in screen switches at once
        sign_in(qtbot, till)

        sell = till.window.sell
        assert _key(till, "sell_pay") == "付款\nF10"
        assert _key(till, "sell_park") == "挂单\nF9"
        assert till.window.toolbar_actions["receipts"].text() == "收据 (F7)"
        assert sell.model.headerData(0, Qt.Orientation.Horizontal) == "商品"
        assert display.welcome.text() == "欢迎光临"
        for code in till.barcodes(2):
            type_in(qtbot, sell.entry, code)
        total = till.checkout.totals().total
        qtbot.waitUntil(lambda: display.lines.rowCount() == 2)
        assert display.total.text() == f"合计 ${total:,.2f}"

        press(qtbot, sell.entry, Qt.Key.Key_F10)
        pay = till.window.payment
        assert _key(till, "pay_cash") == "现金\nEnter/F1"
        assert pay.total.text() == f"合计 ${total:,.2f}"
        type_in(qtbot, pay.entry, "100")
        assert display.thanks.text() == "谢谢惠顾！"
        assert display.change.text().startswith("找零 $")

        qtbot.waitUntil(lambda: bool(till.window.printing.results))
        paper = read(till.ctx.printer.last_output or b"")
        words = "\n".join(paper.lines)
        assert "TAX INVOICE" in words and "Cash" in words  # the outlet's language on paper
        assert not any("一" <= ch <= "鿿" for ch in words)

        press(qtbot, sell.entry, Qt.Key.Key_F12)  # sign out: English for the next cashier
        assert language.current() == "en"
        assert _key(till, "sell_pay") == "Pay\nF10"
        assert display.welcome.text() == "Welcome"


def test_the_language_is_remembered_per_cashier(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        signin = till.window.signin
        tap(qtbot, signin.language_keys["zh_CN"])
        sign_in(qtbot, till)
        assert _key(till, "sell_pay") == "付款\nF10"
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F12)

        sign_in(qtbot, till, SUPERVISOR.code, SUPERVISOR.pin)  # another cashier: English
        assert _key(till, "sell_pay") == "Pay\nF10"
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F12)

        type_in(qtbot, signin.code, CASHIER.code)  # the first again: Chinese, by themselves
        assert signin.language == "zh_CN" and signin.title.text() == "登录"
        type_in(qtbot, signin.pin, CASHIER.pin)
        assert _key(till, "sell_pay") == "付款\nF10"
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F12)


def test_every_screen_string_is_translated_and_the_qm_is_current(tmp_path: Path) -> None:
    tools = Path(sys.executable).parent  # the venv's PySide6 tools
    lupdate, lrelease = str(tools / "pyside6-lupdate"), str(tools / "pyside6-lrelease")
    fresh = tmp_path / "till_zh_CN.ts"
    shutil.copy(TS, fresh)
    sources = sorted(str(p) for p in (ROOT / "till" / "ui").glob("*.py"))
    done = subprocess.run(
        [lupdate, *sources, "-ts", str(fresh), "-no-obsolete"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "(0 new and" in done.stdout, done.stdout  # nothing marked that the .ts lacks
    assert 'type="unfinished"' not in fresh.read_text(encoding="utf-8")
    qm = tmp_path / "till_zh_CN.qm"
    subprocess.run([lrelease, str(TS), "-qm", str(qm)], capture_output=True, check=True)
    assert qm.read_bytes() == (TS.parent / "till_zh_CN.qm").read_bytes(), "run make translations"
