"""Starting the app the way ``sgpos-till`` does, and the last line of defence for bugs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from shared.demo_catalogue import DEMO_STAFF
from till.app import open_till
from till.ui.app import run_app
from till.ui.errors import install_exception_hook
from till.ui.main_window import MainWindow


def test_demo_start_seeds_the_till_opens_a_shift_and_shows_the_pins(
    qtbot: QtBot, tmp_path: Path
) -> None:
    seen: dict[str, object] = {}

    def look() -> None:
        window = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None
        )
        # No waiting for sync news: the line says what it knows from the first look.
        if window is None or not window.isVisible():
            QTimer.singleShot(50, look)
            return
        seen["pins"] = window.signin.demo_pins.text()
        seen["title"] = window.windowTitle()
        seen["status"] = window.status.text()
        window.close()

    QTimer.singleShot(0, look)
    assert run_app(tmp_path / "demo", demo=True) == 0

    assert all(f"{m.code}/{m.pin}" in str(seen["pins"]) for m in DEMO_STAFF)
    assert "Orchard Minimart" in str(seen["title"])
    assert re.fullmatch(
        r"Stand-alone \(not connected to head office\)  ·  \d+ waiting to send", str(seen["status"])
    )
    till = open_till(tmp_path / "demo")
    try:
        assert till.shifts.current() is not None
        assert (tmp_path / "demo" / "logs" / "till.log").is_file()
    finally:
        till.close()


def test_a_folder_without_a_till_is_refused_in_plain_words(qtbot: QtBot, tmp_path: Path) -> None:
    # Another window up and active (as a test before this one may leave): the refusal must
    # still wait for OK, not hang itself on that window and return at once.
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other)
    said: list[str] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            said.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(20, read_and_close)

    QTimer.singleShot(0, read_and_close)
    assert run_app(tmp_path / "empty") == 1
    assert said and "has no identity yet: enrol it (sgpos-install) or run the demo" in said[0]


def test_an_unexpected_error_is_logged_and_shown_not_fatal(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    qtbot.waitExposed(parent)
    parent.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is parent)
    before = sys.excepthook
    try:
        install_exception_hook(QApplication.instance())
        try:
            raise KeyError("line-42")
        except KeyError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = before
    box = parent.findChild(QMessageBox, "problem")
    assert box is not None and box.isVisible()
    assert "Something went wrong: KeyError: 'line-42'" in box.text()
    assert "carry on or call support" in box.text()
