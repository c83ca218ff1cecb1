"""Closing the day through the real window: F8, F6, a blind count, an explicit close."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.backoffice import CTRL, click, dead_printer, reactivate, when_modal
from tests.ui.selling import keys, press, running_till, sign_in
from till.services.shifts import DENOMINATIONS
from till.store.models import AuditRecord
from till.ui.shift_view import ShiftView


def test_the_count_is_blind_and_enter_after_the_last_coin_closes_nothing(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:  # float $100, no sales
        sign_in(qtbot, till)
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F8)
        view = till.window.back_office["shift"]
        assert isinstance(view, ShiftView)
        press(qtbot, view.cash_amount, Qt.Key.Key_F6)
        assert view.pages.currentWidget() is view.count_page
        press(qtbot, QApplication.focusWidget(), Qt.Key.Key_F6)  # F6 again, nothing counted
        assert view.count_result.text() == "" and "Nothing is counted yet" in view.count_hint.text()
        counts = {"50.00": "1", "10.00": "4", "2.00": "2"}  # $94.00: $6 short
        for denomination in DENOMINATIONS:
            field = QApplication.focusWidget()
            assert field is view.close_count.fields[denomination]
            keys(qtbot, field, counts.get(denomination, ""))
            press(qtbot, field, Qt.Key.Key_Return)
        # Enter after 5c: nothing closed, and nothing on screen tells what the till expects.
        assert till.demo.till.shifts.current() is not None
        words = " ".join(x.text() for x in view.count_page.findChildren(QLabel) if x.isVisible())
        assert "expected" not in words and "100.00" not in words
        assert "Counted $94.00. Check it, then F6" in view.count_hint.text()

        press(qtbot, QApplication.focusWidget(), Qt.Key.Key_F6)
        assert view.count_result.text().startswith(
            "Counted $94.00; the till expected $100.00; variance -$6.00."
        )
        press(qtbot, QApplication.focusWidget(), Qt.Key.Key_F5)  # count again: blank, blind
        assert view.close_count.total() == 0 and view.count_result.text() == ""
        keys(qtbot, QApplication.focusWidget(), "1")  # one $100 note
        press(qtbot, QApplication.focusWidget(), Qt.Key.Key_F6)
        assert "variance $0.00" in view.count_result.text()
        press(
            qtbot,
            QApplication.focusWidget(),
            Qt.Key.Key_Return,
            Qt.KeyboardModifier.ControlModifier,
        )
        assert till.demo.till.shifts.current() is None
        assert "Z REPORT" in view.report.text.toPlainText()
        assert view.message.text() == "Shift closed. Variance $0.00."
        with till.store.read() as s:
            counted = s.scalars(
                select(AuditRecord.after).where(AuditRecord.action == "drawer.counted")
            ).all()
        assert [c["variance"] for c in counted] == ["-6.00", "0.00"]


def test_a_z_report_skipped_at_a_dead_printer_is_found_again_and_saved_as_pdf(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F8)
        view = till.window.back_office["shift"]
        assert isinstance(view, ShiftView)
        press(qtbot, view.cash_amount, Qt.Key.Key_F6)
        keys(qtbot, QApplication.focusWidget(), "1")  # one $100 note: the float
        press(qtbot, QApplication.focusWidget(), Qt.Key.Key_F6)
        press(qtbot, QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)
        z = view.report.text.toPlainText()
        assert "Z REPORT" in z
        dead_printer(till.ctx)
        offered: list[list[str]] = []

        def skip(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            offered.append([b.text() for b in box.buttons()])
            click(qtbot, next(b for b in box.buttons() if b.text() == "Skip"))

        seen = when_modal(qtbot, "print_problem", skip)
        press(qtbot, view.report.text, Qt.Key.Key_F2)
        assert seen and "Save as PDF" in offered[0]
        assert "not printed. F2 prints it again." in view.report.outcome.text()
        reactivate(qtbot, till.window)
        press(qtbot, view.report.text, Qt.Key.Key_Escape)
        assert view.pages.currentWidget() is view.closed_page

        # Later, a manager finds it under Past Z reports (F9) and saves it as a PDF.
        press(qtbot, view.float_amount, Qt.Key.Key_F9)
        assert view.pages.currentWidget() is view.z_page and view.z_list.count() == 1
        assert "variance $0.00" in view.z_list.item(0).text()
        press(qtbot, view.z_list, Qt.Key.Key_Return)
        assert view.report.text.toPlainText() == z  # exactly as it was at the close
        seen = when_modal(
            qtbot,
            "print_problem",
            lambda box: click(qtbot, next(b for b in box.buttons() if b.text() == "Save as PDF")),  # type: ignore[attr-defined]
        )
        press(qtbot, view.report.text, Qt.Key.Key_F2)
        assert seen
        (pdf,) = (till.demo.till.data_dir / "reports").glob("z-report-*.pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
        assert view.report.outcome.text() == f"Report saved as PDF: {pdf}."
