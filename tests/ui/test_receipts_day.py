"""A cashier's day at the receipts screen, through the real window: F7, keys and taps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.tender import Tender, TenderType
from tests.ui.backoffice import (
    CTRL,
    MANAGER,
    approve_with,
    click,
    dead_printer,
    keys,
    press,
    reactivate,
    when_modal,
)
from tests.ui.selling import Till, running_till, sign_in
from till.services.checkout import CompletedSale
from till.store.models import AuditRecord, Refund, RefundLine
from till.ui.receipts_view import ReceiptsView

D = Decimal


def ring(till: Till, n: int = 3, tender: TenderType = TenderType.CASH) -> CompletedSale:
    """A sale rung up on this till meanwhile (the sell screen is tested elsewhere)."""
    checkout = till.demo.till.checkout(till.demo.cashier)
    for code in till.barcodes(n):
        checkout.scan(code)
    due = checkout.totals().total
    if tender is TenderType.CASH:
        return checkout.complete([Tender(TenderType.CASH, D("500.00"))])
    return checkout.complete([Tender(tender, due, reference="APPR01")])


def receipts(qtbot: QtBot, till: Till) -> ReceiptsView:
    sign_in(qtbot, till)
    press(qtbot, till.window.sell.entry, Qt.Key.Key_F7)
    view = till.window.back_office["receipts"]
    assert isinstance(view, ReceiptsView) and till.window.stack.currentWidget() is view
    return view


def find(qtbot: QtBot, view: ReceiptsView, number: str) -> None:
    view.number.selectAll()
    keys(qtbot, view.number, number)
    press(qtbot, view.number, Qt.Key.Key_Return)


def test_asking_for_more_than_is_left_keeps_the_dialog_and_what_was_typed(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sale = ring(till, 3)
        view = receipts(qtbot, till)
        find(qtbot, view, sale.receipt_no)
        view.reason.setFocus()
        keys(qtbot, view.reason, "damaged")
        said: list[str] = []
        kept: list[str] = []

        def too_many_then_right(dialog: QWidget) -> None:
            table = dialog.findChild(QTableWidget, "refund_lines")
            assert table is not None
            keys(qtbot, table, "3")  # the first item's quantity: only 1 was sold
            press(qtbot, table, Qt.Key.Key_Down)
            keys(qtbot, table, "1")
            editor = QApplication.focusWidget()
            assert editor is not None
            press(qtbot, editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            assert dialog.isVisible(), "the dialog closed on a refused refund"
            said.append(dialog.findChild(QLabel, "refund_message").text())  # type: ignore[union-attr]
            kept.extend(table.item(row, 4).text() for row in range(3))  # type: ignore[union-attr]
            table.setFocus()
            table.setCurrentCell(0, 4)
            keys(qtbot, table, "1")
            editor = QApplication.focusWidget()
            assert editor is not None
            press(qtbot, editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

        seen = when_modal(qtbot, "refund_dialog", too_many_then_right)
        press(qtbot, view.reason, Qt.Key.Key_F3)
        assert seen
        first = sale.totals.lines[0].line.product.name
        assert said == [
            f"{first}: only 1 of 1 sold is left to refund, not 3. Change that quantity."
        ]
        assert kept == ["3", "1", "0"]
        with till.store.read() as s:
            refund = s.scalars(select(Refund)).one()  # one refund, after the correction
            lines = s.scalars(select(RefundLine.quantity)).all()
        assert refund.reason == "damaged" and lines == [D(1), D(1)]
        assert refund.receipt_no in view.message.text()


def choose(qtbot: QtBot, label: str, texts: list[str] | None = None) -> Callable[[QWidget], None]:
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        if texts is not None:
            texts.append(box.text())
        click(qtbot, next(b for b in box.buttons() if b.text() == label))

    return act


def test_a_refund_slip_skipped_at_a_dead_printer_is_printed_later_and_counted_once(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sale = ring(till, 2)
        view = receipts(qtbot, till)
        find(qtbot, view, sale.receipt_no)
        view.reason.setFocus()
        keys(qtbot, view.reason, "wrong size")
        dead_printer(till.ctx)

        def one_item(dialog: QWidget) -> None:
            table = dialog.findChild(QTableWidget, "refund_lines")
            keys(qtbot, table, "1")
            press(qtbot, QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)

        slip = when_modal(qtbot, "refund_dialog", one_item)
        skipped = when_modal(qtbot, "print_problem", choose(qtbot, "Skip"))
        press(qtbot, view.reason, Qt.Key.Key_F3)
        assert slip and skipped
        with till.store.read() as s:
            refund_no = s.scalars(select(Refund.receipt_no)).one()
        assert "slip not printed" in view.message.text()
        assert view.info.text() == f"Refund slip for sale {sale.receipt_no} (original)."
        assert view.reprint_button.isEnabled() and not view.refund_button.isEnabled()

        # F2 at the dead printer, skipped again: no copy exists, none is counted.
        reactivate(qtbot, till.window)
        skipped = when_modal(qtbot, "print_problem", choose(qtbot, "Skip"))
        press(qtbot, view.number, Qt.Key.Key_F2)
        assert skipped and "skipped; F2 tries again" in view.message.text()
        with till.store.read() as s:
            assert s.scalars(select(Refund.reprint_count)).one() == 0
        assert "receipt.reprinted" not in till_actions(till)

        # Then saved as a PDF: that copy is REPRINT #1, counted once.
        reactivate(qtbot, till.window)
        saved = when_modal(qtbot, "print_problem", choose(qtbot, "Save as PDF"))
        press(qtbot, view.number, Qt.Key.Key_F2)
        assert saved
        pdf = till.demo.till.data_dir / "receipts" / f"{refund_no}-reprint-1.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        assert view.message.text() == f"REPRINT #1 saved as PDF: {pdf}."
        assert "REPRINT #1" in view.text.toPlainText()
        with till.store.read() as s:
            assert s.scalars(select(Refund.reprint_count)).one() == 1
        assert till_actions(till).count("receipt.reprinted") == 1


def test_a_void_slip_says_void(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sale = ring(till, 2, TenderType.NETS)
        view = receipts(qtbot, till)
        find(qtbot, view, sale.receipt_no)
        view.reason.setFocus()
        keys(qtbot, view.reason, "rung up twice")
        seen = approve_with(qtbot, MANAGER.code, MANAGER.pin)
        press(qtbot, view.reason, Qt.Key.Key_F4)
        assert seen
        slip = [line.strip() for line in view.text.toPlainText().splitlines()]
        assert "VOID" in slip and "REFUND" not in slip
        assert f"Voided sale: {sale.receipt_no}" in slip
        assert view.info.text() == f"Void slip of sale {sale.receipt_no} (original)."
        assert b"VOID" in (till.ctx.printer.last_output or b"")


def till_actions(till: Till) -> list[str]:
    with till.store.read() as s:
        return list(s.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


def test_recent_sales_newest_first_searchable_and_the_number_by_its_last_digits(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        clock = till.demo.clock
        today = clock.now.replace(hour=9, minute=0)
        clock.now = today - timedelta(days=3)
        old = ring(till, 1)  # ORC-T01-000001: too old for the list, still found by number
        clock.now = today - timedelta(days=1) + timedelta(hours=9)  # yesterday 18:00
        yesterday = ring(till, 4, TenderType.NETS)  # an amount no other sale has
        clock.now = today
        todays = [ring(till, 1 + n % 3) for n in range(11)]  # 000003 … 000013
        refunds = till.demo.till.refunds()
        line = todays[1].totals.lines[0].line
        refunds.refund(till.demo.cashier, todays[1].receipt_no, {line.line_id: D(1)}, reason="x")
        refunds.void(
            till.demo.cashier, todays[2].receipt_no, reason="y", approved_by=till.demo.manager
        )
        view = receipts(qtbot, till)

        table = view.list
        model = table.model()

        def shown() -> list[list[str]]:
            return [
                [model.index(r, c).data() for c in range(model.columnCount())]
                for r in range(model.rowCount())
            ]

        rows = shown()
        assert [r[0] for r in rows] == [f"ORC-T01-{n:06d}" for n in range(15, 1, -1)]
        assert rows[0][4] == f"void of {todays[2].receipt_no}" and rows[0][2].startswith("-")
        assert rows[1][4] == f"refund of {todays[1].receipt_no}"
        by_number = {r[0]: r for r in rows}
        assert by_number[todays[1].receipt_no][4] == "refunded"
        assert by_number[todays[2].receipt_no][4] == "voided"
        assert by_number[todays[0].receipt_no][4] == ""
        due = yesterday.settlement.amount_due
        assert by_number[yesterday.receipt_no][1:4] == ["yesterday 18:00", f"{due:,.2f}", "NETS"]

        # The last digits: "3" could be 000003 or 000013; "13" is one receipt.
        find(qtbot, view, "3")
        assert [r[0] for r in shown()] == ["ORC-T01-000013", "ORC-T01-000003"]
        box = view.findChildren(QMessageBox, "problem")[-1]
        assert "3 could be ORC-T01-000003, ORC-T01-000013" in box.text()
        box.close()
        reactivate(qtbot, till.window)
        find(qtbot, view, "13")
        assert view.receipt is not None and str(view.receipt.number) == todays[10].receipt_no
        find(qtbot, view, "000001")  # three days old: not in the list, found all the same
        assert view.receipt is not None and str(view.receipt.number) == old.receipt_no

        # An amount several receipts share: listed, and Enter asks to choose.
        same = f"{todays[0].settlement.amount_due:.2f}"
        find(qtbot, view, same)
        matching = shown()
        assert len(matching) >= 4 and all(r[2].lstrip("-") == same for r in matching)
        assert view.message.text() == (
            f"{len(matching)} recent receipts match '{same}': Down, then choose one."
        )

        # An amount finds yesterday's NETS sale; Enter opens the one match.
        find(qtbot, view, f"${due:,.2f}")
        assert [r[0] for r in shown()] == [yesterday.receipt_no]
        assert view.receipt is not None and str(view.receipt.number) == yesterday.receipt_no

        # Down goes into the list; moving along it shows each receipt, F2 reprints it.
        view.number.selectAll()
        keys(qtbot, view.number, "0")
        press(qtbot, view.number, Qt.Key.Key_Backspace)  # an empty search lists them all
        press(qtbot, view.number, Qt.Key.Key_Down)
        assert table.hasFocus() and view.receipt is not None
        assert str(view.receipt.number) == "ORC-T01-000015"
        press(qtbot, table, Qt.Key.Key_Down)
        press(qtbot, table, Qt.Key.Key_Down)
        assert str(view.receipt.number) == todays[10].receipt_no
        press(qtbot, table, Qt.Key.Key_F2)
        assert view.message.text() == "REPRINT #1 printed."
