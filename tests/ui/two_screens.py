"""Run by tests/ui/test_customer_display.py in a process of its own whose offscreen Qt has
the screens its configuration file lists: opens a demo till's window and customer display
with ``screen = <argv[2]>`` and prints, as JSON, where the display went."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from tests.tills import demo_till
from till.printing import PrinterSettings, ReceiptPrinter
from till.settings import CustomerDisplaySettings, TillSettings
from till.ui.context import UiContext
from till.ui.main_window import MainWindow
from till.ui.sync_bridge import SyncBridge


def _rect(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def main(data_dir: Path, choice: str) -> None:
    app = QApplication([])
    shop = demo_till(data_dir)
    screen: str | int = int(choice) if choice.isdigit() else choice
    settings = TillSettings(
        printer=PrinterSettings(kind="dummy"),
        customer_display=CustomerDisplaySettings(screen=screen),
    )
    ctx = UiContext(shop.till, settings, ReceiptPrinter(settings.printer))
    bridge = SyncBridge()
    window = MainWindow(ctx, bridge)
    window.show()
    display = window.open_customer_display()
    app.processEvents()
    assert display is not None
    print(
        json.dumps(
            {
                "screens": [s.name() for s in app.screens()],
                "cashier": window.screen().name(),
                "visible": display.isVisible(),
                "full_screen": display.isFullScreen(),
                "screen": display.screen().name() if display.isVisible() else None,
                "geometry": _rect(display.geometry()),
                "screen_geometry": _rect(display.screen().geometry()),
                "active": QApplication.activeWindow() is window,
            }
        )
    )
    display.close()
    window.printing.close()
    bridge.stop()
    shop.till.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
