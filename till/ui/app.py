"""Start the till app: open (and migrate) the store, load the settings, start syncing if the
till is enrolled, show the window; on quit, stop the agent and close the store."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import QApplication

from shared.config import ConfigError
from shared.logs import configure_logging, get_logger
from till.app import Till, open_till
from till.printing import ReceiptPrinter
from till.services.context import CashierError, StoreProblem
from till.settings import TillSettings, agent_settings
from till.ui.context import UiContext
from till.ui.errors import install_exception_hook, show_problem
from till.ui.main_window import MainWindow
from till.ui.sync_bridge import SyncBridge

log = get_logger("sgpos.till")

DEMO_FLOAT = Decimal("200.00")


def run_app(data_dir: Path, *, demo: bool = False, argv: Sequence[str] = ()) -> int:
    """Run the till until its window closes; the exit status for the shell."""
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("SG-POS till")
    install_exception_hook(app)
    try:
        settings = TillSettings.for_till(data_dir)
        configure_logging(
            log_file=data_dir / "logs" / "till.log", level=settings.log_level, console=False
        )
        till = open_till(data_dir)
    except (ConfigError, StoreProblem) as exc:
        show_problem(None, exc)
        return 1
    bridge = SyncBridge()
    try:
        if demo:
            prepare_demo(till)
        till.profile  # noqa: B018  (refuse to start before the outlet's settings are here)
        printer = ReceiptPrinter(settings.printer, columns=settings.columns)
        ctx = UiContext(till, settings, printer, demo=demo)
        bridge.syncing = till.start_sync(agent_settings(data_dir), bridge.post)
        window = MainWindow(ctx, bridge)
        window.showMaximized()  # the window manager fits it to the screen, frame and all
        # Active from the start, so its keys (F7, F11, F12 ...) work before anything is
        # clicked, also where no window manager activates it (a till's kiosk session).
        window.activateWindow()
        window.open_customer_display()  # after the till's own window: it keeps the keyboard
        log.info("till.started", data_dir=str(data_dir), demo=demo, sync=bridge.mode)
        return app.exec()
    except (ConfigError, StoreProblem, CashierError) as exc:
        show_problem(None, exc)
        return 1
    finally:
        bridge.stop()
        till.close()


def prepare_demo(till: Till) -> None:
    """Seed the demo catalogue and staff, and open a shift so the demo sells at once."""
    from till.demo import ensure_demo_till

    _, manager = ensure_demo_till(till)
    if till.shifts.current() is None:
        till.shifts.open_shift(manager, DEMO_FLOAT)
