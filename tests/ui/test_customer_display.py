"""The customer display: the lines as scanned, the total, the PayNow QR for the exact amount
(read back from the window's pixels by a real QR decoder, as the customer's phone would), the
change after the sale, and a till that sells as before when there is no second screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from shared.paynow import parse_payload
from tests.ui.selling import Till, press, running_till, sign_in, tap, type_in
from till.printing import PrinterSettings
from till.settings import CustomerDisplaySettings, TillSettings
from till.ui.customer_display import CustomerDisplay, choose_screen

D = Decimal


def _settings(**display: object) -> TillSettings:
    return TillSettings(
        printer=PrinterSettings(kind="dummy"),
        customer_display=CustomerDisplaySettings.model_validate(display),
    )


def _display(till: Till) -> CustomerDisplay:
    display = till.window.open_customer_display()
    assert display is not None
    return display


def _decoded(image: QImage) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize(
    ("names", "cashier", "choice", "chosen"),
    [
        (["eDP-1"], 0, "auto", None),  # one screen: no display, the till sells as before
        (["eDP-1", "HDMI-1"], 0, "auto", 1),
        (["HDMI-1", "eDP-1"], 1, "auto", 0),  # the one that is not the cashier's
        (["eDP-1", "HDMI-1"], 0, "off", None),
        (["eDP-1", "HDMI-1"], 0, 2, 1),
        (["eDP-1"], 0, 2, None),  # chosen but not connected
        (["eDP-1", "HDMI-1", "DP-2"], 0, "dp-2", 2),  # by name, any case
        (["eDP-1", "HDMI-1"], 0, "DP-9", None),
        ([], 0, "auto", None),
    ],
)
def test_the_display_uses_the_chosen_screen_or_none(
    names: list[str], cashier: int, choice: str | int, chosen: int | None
) -> None:
    assert choose_screen(names, cashier, choice) == chosen


@pytest.mark.parametrize("bad", [0, -1, " "])
def test_a_screen_setting_that_names_no_screen_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="screen"):
        CustomerDisplaySettings.model_validate({"screen": bad})


def test_paynow_qr_on_the_customer_display_decodes_to_the_exact_payload(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # One screen (offscreen Qt has one): chosen on purpose, the display is a window on it.
    with running_till(qtbot, tmp_path / "till", settings=_settings(screen=1)) as till:
        display = _display(till)
        assert display.isVisible() and display.screen_index == 0
        assert display.pages.currentWidget() is display.idle_page
        assert display.logo.text() == till.demo.till.profile.outlet.name

        sign_in(qtbot, till)
        sell = till.window.sell
        codes = till.barcodes(3)
        for n, code in enumerate(codes, 1):
            type_in(qtbot, sell.entry, code)
            # The line shows on the customer's side too, newest last, with the running total.
            qtbot.waitUntil(lambda n=n: display.lines.rowCount() == n)  # type: ignore[misc]
            name = till.checkout.totals().lines[-1].line.product.name
            row = display.lines.item(n - 1, 0)
            assert row is not None and row.text().startswith(name)
        total = till.checkout.totals().total
        assert display.total.text() == f"Total ${total:,.2f}"
        assert display.pages.currentWidget() is display.sale_page
        assert not display.qr_panel.isVisible()
        # The cashier's scan field kept the keyboard the whole time.
        assert sell.entry.hasFocus()

        press(qtbot, sell.entry, Qt.Key.Key_F10)
        pay = till.window.payment
        press(qtbot, pay.entry, Qt.Key.Key_F4)
        payload = pay.paynow_payload
        assert payload is not None
        qtbot.waitUntil(display.qr_panel.isVisible)
        # Beside the code the names column is narrower: each row grows to its wrapped name.
        lines = display.lines
        qtbot.waitUntil(
            lambda: all(lines.rowHeight(r) >= lines.sizeHintForRow(r) for r in range(3))
        )

        # What the customer's phone sees: the whole display window, read by zxing-cpp.
        shown = display.grab().toImage()
        assert _decoded(shown) == [payload]
        parsed = parse_payload(_decoded(shown)[0])
        assert parsed.amount == total and not parsed.editable
        assert display.qr_amount.text() == f"${total:,.2f}"
        reference = str(till.checkout.next_receipt_number())
        assert display.qr_reference.text() == f"Reference {reference}"

        # The transfer shows as received: the customer is thanked; no QR is left up.
        tap(qtbot, pay.received)
        assert till.window.stack.currentWidget() is sell
        assert display.pages.currentWidget() is display.thanks_page
        assert display.thanks.text() == "Thank you!"
        assert display.paid.text() == f"Paid ${total:,.2f}"
        assert not display.change.isVisible()
        assert _decoded(display.grab().toImage()) == []


def test_a_blank_window_holds_no_code(qtbot: QtBot) -> None:
    # The decoder finds nothing where there is nothing: the QR test cannot pass by luck.
    blank = QImage(400, 400, QImage.Format.Format_RGB32)
    blank.fill(QColor(Qt.GlobalColor.white))
    assert _decoded(blank) == []


def test_cancelled_paynow_takes_the_code_down_and_cash_shows_the_change(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(
        qtbot, tmp_path / "till", settings=_settings(screen=1, thanks_seconds=1)
    ) as till:
        display = _display(till)
        sign_in(qtbot, till)
        sell = till.window.sell
        for code in till.barcodes(2):
            type_in(qtbot, sell.entry, code)
        total = till.checkout.totals().total
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        pay = till.window.payment
        press(qtbot, pay.entry, Qt.Key.Key_F4)
        qtbot.waitUntil(display.qr_panel.isVisible)
        press(qtbot, pay.entry, Qt.Key.Key_Escape)  # the customer pays cash after all
        assert not display.qr_panel.isVisible()
        assert _decoded(display.grab().toImage()) == []

        type_in(qtbot, pay.entry, "5")  # part in cash first
        assert display.due.text() == f"Still to pay ${total - 5:,.2f}"
        type_in(qtbot, pay.entry, "100")
        settled = sell.message.text()  # what the cashier is told to hand over
        assert "Change due: " in settled
        due = settled.split("Change due: ")[1]
        assert D(due.removeprefix("$")) > 0
        assert display.pages.currentWidget() is display.thanks_page
        assert display.change.text() == f"Change due {due}"

        # The idle screen comes back by itself; the next sale's first line replaces it.
        qtbot.waitUntil(lambda: display.pages.currentWidget() is display.idle_page, timeout=3000)
        type_in(qtbot, sell.entry, till.barcodes(1)[0])
        qtbot.waitUntil(lambda: display.pages.currentWidget() is display.sale_page)
        assert display.lines.rowCount() == 1


def test_with_no_second_screen_the_till_sells_as_before(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till", settings=_settings(screen="auto")) as till:
        display = _display(till)
        assert display.screen_index is None and not display.isVisible()
        sign_in(qtbot, till)
        sell = till.window.sell
        type_in(qtbot, sell.entry, till.barcodes(1)[0])
        press(qtbot, sell.entry, Qt.Key.Key_F10)
        press(qtbot, till.window.payment.entry, Qt.Key.Key_Return)  # exact cash
        assert till.window.stack.currentWidget() is sell
        assert "done" in sell.message.text()
        assert not display.isVisible()


def test_switched_off_there_is_no_display(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till", settings=_settings(screen="off")) as till:
        assert till.window.open_customer_display() is None


SCREENS = {
    "screens": [
        {"name": "eDP-1", "x": 0, "y": 0, "width": 1366, "height": 768},
        {"name": "HDMI-1", "x": 1366, "y": 0, "width": 1024, "height": 768},
    ]
}


def _two_screens(tmp_path: Path, choice: str) -> dict[str, object]:
    """Where the display goes on a machine with two screens: a process of its own, whose
    offscreen Qt is told of both (one QApplication per process, and this one has one)."""
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(SCREENS))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.two_screens", str(tmp_path / "till"), choice],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_with_a_second_screen_the_display_fills_it(tmp_path: Path) -> None:
    seen = _two_screens(tmp_path, "auto")
    assert sorted(seen["screens"]) == ["HDMI-1", "eDP-1"]  # type: ignore[call-overload]
    assert seen["visible"] and seen["full_screen"]
    assert seen["screen"] != seen["cashier"]
    assert seen["geometry"] == seen["screen_geometry"]
    assert seen["active"]  # the cashier's window keeps the keyboard


def test_the_display_goes_to_the_screen_named_in_the_settings(tmp_path: Path) -> None:
    seen = _two_screens(tmp_path, "hdmi-1")
    assert seen["screen"] == "HDMI-1" and seen["geometry"] == [1366, 0, 1024, 768]


def test_the_idle_screen_shows_the_shops_logo_or_its_name(qtbot: QtBot, tmp_path: Path) -> None:
    logo = QImage(300, 120, QImage.Format.Format_RGB32)
    logo.fill(QColor("#c62828"))
    data = tmp_path / "till"
    data.mkdir()
    assert logo.save(str(data / "logo.png"))
    with running_till(qtbot, data, settings=_settings(screen=1, logo="logo.png")) as till:
        shown = _display(till).logo.pixmap()
        assert shown is not None and not shown.isNull()
        assert shown.toImage().pixelColor(10, 10) == QColor("#c62828")


def test_an_unreadable_logo_falls_back_to_the_shops_name(qtbot: QtBot, tmp_path: Path) -> None:
    data = tmp_path / "till"
    data.mkdir()
    (data / "logo.png").write_bytes(b"not a picture")
    with running_till(qtbot, data, settings=_settings(screen=1, logo="logo.png")) as till:
        display = _display(till)
        assert display.logo.text() == till.demo.till.profile.outlet.name
