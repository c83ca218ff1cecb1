"""Problems shown to the cashier in plain words, and the last line of defence for bugs.

A bug in a slot must not close the till mid-sale: the global hook logs the trace and shows a
message, and the cart (in memory, or parked in the store) is still there afterwards.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from shared.logs import get_logger
from till.services.context import REFUSALS
from till.ui.keys import returns_keyboard
from till.ui.language import tr
from till.ui.refusals import translate_refusal

log = get_logger("sgpos.till.ui")


def plain_message(error: BaseException | str) -> str:
    """The words a cashier sees for ``error``, in the screen language (``till/ui/refusals.py``):
    our own errors as they are worded, anything else as a bug that was logged. A string is
    taken as already in the screen language."""
    if isinstance(error, str):
        return error
    if isinstance(error, REFUSALS):
        text = translate_refusal(str(error))
        return text[:1].upper() + text[1:]
    return tr(
        "Something went wrong: {error}.\nThe till logged the details; carry on or call support."
    ).format(error=f"{type(error).__name__}: {error}")


def show_problem(parent: QWidget | None, error: BaseException | str) -> None:
    """A message box with the problem in plain words. It does not block the caller (the box
    is window-modal and deletes itself when closed), so a problem never stalls the event loop
    or a background status update."""
    owner = parent  # never a window found by chance: at start-up some other one may be up
    if owner is not None and not owner.isVisible():
        owner = None  # a box hung on a closed window would never be seen
    box = QMessageBox(owner)
    returns_keyboard(box)
    box.setObjectName("problem")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("Problem"))
    box.setText(plain_message(error))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    ok = box.button(QMessageBox.StandardButton.Ok)
    if ok is not None:
        ok.setText(tr("OK"))
    if owner is None:
        box.exec()  # nothing to hang a window-modal box on (start-up): wait for OK
        return
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def install_exception_hook(app: QApplication) -> None:
    """Log any exception that escapes a slot and show it, instead of letting the till die."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        trace = "".join(traceback.format_exception(kind, exc, tb))
        log.error("ui.unhandled_exception", error=f"{kind.__name__}: {exc}", trace=trace)
        try:
            show_problem(app.activeWindow(), exc)
        except Exception:  # the dialog itself failed: the log still has the first trace
            log.exception("ui.problem_dialog_failed")

    sys.excepthook = hook
