"""Customers at the real till window, by keys and taps: enrol a business customer with consent
at F6, sell to them, and save their full tax invoice as an A4 PDF from the receipts screen;
find a member by mobile number, take them off again; an NRIC typed as a name is refused."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.backoffice import reactivate, when_modal
from tests.ui.selling import CASHIER, Till, keys, press, running_till, sign_in, tap, type_in
from till.services.customers import CustomerCard, NewMember
from till.store.models import Customer, OutboxEvent, Sale
from till.ui.receipts_view import ReceiptsView

D = Decimal
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


W = TypeVar("W", bound=QWidget)


def child(dialog: QWidget, kind: type[W], name: str) -> W:
    found = dialog.findChild(kind, name)
    assert isinstance(found, kind), name
    return found


def attached(till: Till) -> CustomerCard | None:
    return till.checkout.customer


def ring_two_items(qtbot: QtBot, till: Till) -> None:
    sign_in(qtbot, till)
    for code in till.barcodes(2):
        type_in(qtbot, till.window.sell.entry, code)


def pay_cash_exact(qtbot: QtBot, till: Till) -> str:
    w = till.window
    press(qtbot, w.sell.entry, Qt.Key.Key_F10)
    number = str(till.checkout.next_receipt_number())
    with qtbot.waitSignal(w.payment.completed):
        press(qtbot, w.payment.entry, Qt.Key.Key_Return)  # nothing typed: cash, what is due
    return number


def enrol_business(qtbot: QtBot) -> list[QWidget]:
    def fill(dialog: QWidget) -> None:
        query = child(dialog, QLineEdit, "customer_query")
        type_in(qtbot, query, "9123 4567")
        hint = child(dialog, QLabel, "customer_hint")
        assert "No member matches" in hint.text()
        press(qtbot, query, Qt.Key.Key_N, CTRL)
        mobile = child(dialog, QLineEdit, "customer_mobile")
        assert mobile.text() == "9123 4567"  # what was searched for is carried over
        name = child(dialog, QLineEdit, "customer_name")
        assert name.hasFocus()
        keys(qtbot, name, "Lim Ah Kow")
        consent = child(dialog, QCheckBox, "customer_consent")
        press(qtbot, consent, Qt.Key.Key_Space)
        assert consent.isChecked()
        assert not child(dialog, QCheckBox, "customer_marketing").isChecked()
        keys(qtbot, child(dialog, QLineEdit, "customer_company"), "Lim Trading Pte Ltd")
        keys(qtbot, child(dialog, QLineEdit, "customer_uen"), "201912345k")
        address = child(dialog, QPlainTextEdit, "customer_address")
        keys(qtbot, address, "8 Shenton Way #30-01")
        press(qtbot, address, Qt.Key.Key_Return)
        keys(qtbot, address, "Singapore 068811")
        gst = child(dialog, QLineEdit, "customer_gst_reg_no")
        keys(qtbot, gst, "201912345K")
        press(qtbot, gst, Qt.Key.Key_S, CTRL)

    return when_modal(qtbot, "customer", fill)


def test_a_business_customer_enrolled_at_f6_gets_an_a4_tax_invoice_from_the_receipts_screen(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        w = till.window
        ring_two_items(qtbot, till)
        seen = enrol_business(qtbot)
        press(qtbot, w.sell.entry, Qt.Key.Key_F6)
        assert seen, "the customer dialog never opened"

        shown = w.sell.customer
        assert shown.isVisible()
        assert "Lim Trading Pte Ltd (Lim Ah Kow)" in shown.text()
        assert "****4567" in shown.text() and "91234567" not in shown.text()
        assert "full tax invoice" in w.sell.message.text()
        qtbot.waitUntil(w.sell.entry.hasFocus)
        number = pay_cash_exact(qtbot, till)
        assert not w.sell.customer.isVisible()  # the next sale starts without a customer

        with till.store.read() as s:
            customer = s.scalars(select(Customer)).one()
            sale = s.scalars(select(Sale).where(Sale.receipt_no == number)).one()
            kinds = [e.kind for e in s.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))]
            sale_event = s.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.kind == "sale.completed")
            ).one()
        assert customer.uen == "201912345K" and customer.consent_by == str(CASHIER.staff_id)
        assert customer.phone == "+6591234567" and not customer.consent_marketing
        assert sale.customer_id == customer.customer_id
        assert json.loads(sale_event)["customer_id"] == customer.customer_id
        assert kinds.index("customer.upserted") < kinds.index("sale.completed")
        qtbot.waitUntil(lambda: w.printing.results.get(number) == "printed")
        assert b"TAX INVOICE" in (till.ctx.printer.last_output or b"")

        press(qtbot, w.sell.entry, Qt.Key.Key_F7)
        view = w.stack.currentWidget()
        assert isinstance(view, ReceiptsView)
        type_in(qtbot, view.number, number[-3:])
        assert view.invoice_button.isEnabled()
        press(qtbot, view.number, Qt.Key.Key_F6)

        saved = till.demo.till.data_dir / "invoices" / f"{number}.pdf"
        assert str(saved) in view.message.text()
        reader = PdfReader(io.BytesIO(saved.read_bytes()))
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        for particular in (
            "TAX INVOICE",
            f"Invoice No {number}",
            "Lim Trading Pte Ltd",
            "8 Shenton Way #30-01",
            "Singapore 068811",
            "UEN 201912345K",
            "GST Reg No: 201912345K",
            f"Total incl. GST {sale.total:,.2f}",
        ):
            assert particular in text, particular


def test_a_member_is_found_by_mobile_attached_and_taken_off_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        w = till.window
        member = till.demo.till.customers().enrol(
            NewMember(name="Jane Tan", mobile="87654321", consent_contact=True), till.demo.cashier
        )
        ring_two_items(qtbot, till)

        def find(dialog: QWidget) -> None:
            query = child(dialog, QLineEdit, "customer_query")
            type_in(qtbot, query, "+65 8765 4321")
            assert child(dialog, QListWidget, "customer_results").count() == 1
            press(qtbot, query, Qt.Key.Key_Return)  # Enter again: attach the one found

        seen = when_modal(qtbot, "customer", find)
        press(qtbot, w.sell.entry, Qt.Key.Key_F6)
        assert seen
        assert attached(till) == member
        assert member.member_no and member.member_no in w.sell.customer.text()

        def take_off(dialog: QWidget) -> None:
            assert "Attached now: Jane Tan" in child(dialog, QLabel, "customer_hint").text()
            press(qtbot, child(dialog, QLineEdit, "customer_query"), Qt.Key.Key_F6, SHIFT)

        seen = when_modal(qtbot, "customer", take_off)
        tap(qtbot, w.sell.findChild(QWidget, "sell_customer"))  # the Customer button, by finger
        assert seen
        assert attached(till) is None
        assert not w.sell.customer.isVisible()
        reactivate(qtbot, w)  # as a window manager does when a dialog closes
        qtbot.waitUntil(w.sell.entry.hasFocus)
        number = pay_cash_exact(qtbot, till)
        with till.store.read() as s:
            sale = s.scalars(select(Sale).where(Sale.receipt_no == number)).one()
        assert sale.customer_id is None


def test_an_nric_typed_as_a_name_is_refused_and_nothing_is_kept(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        w = till.window
        ring_two_items(qtbot, till)
        errors: list[str] = []

        def fill(dialog: QWidget) -> None:
            tap(qtbot, child(dialog, QWidget, "customer_new"))
            name = child(dialog, QLineEdit, "customer_name")
            keys(qtbot, name, "Tan S1234567D")
            press(qtbot, name, Qt.Key.Key_S, CTRL)
            errors.append(child(dialog, QLabel, "customer_error").text())
            assert QApplication.activeModalWidget() is dialog  # still open: fix or Esc
            press(qtbot, name, Qt.Key.Key_Escape)

        seen = when_modal(qtbot, "customer", fill)
        press(qtbot, w.sell.entry, Qt.Key.Key_F6)
        assert seen
        assert errors and "NRIC" in errors[0]
        assert attached(till) is None
        assert till.count(Customer) == 0


def test_the_attached_member_withdraws_consent_at_ctrl_w(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        w = till.window
        member = till.demo.till.customers().enrol(
            NewMember(name="Jane Tan", mobile="87654321", consent_contact=True), till.demo.cashier
        )
        ring_two_items(qtbot, till)
        till.checkout.attach_customer(member)

        def withdraw(dialog: QWidget) -> None:
            assert child(dialog, QWidget, "customer_withdraw").isEnabled()
            press(qtbot, child(dialog, QLineEdit, "customer_query"), Qt.Key.Key_W, CTRL)

        seen = when_modal(qtbot, "customer", withdraw)
        press(qtbot, w.sell.entry, Qt.Key.Key_F6)
        assert seen
        now = attached(till)
        assert now is not None and now.phone is None  # still the sale's member, no mobile
        assert "****" not in w.sell.customer.text()
        with till.store.read() as s:
            row = s.get(Customer, member.customer_id)
        assert row is not None and row.phone is None and row.withdrawn_at is not None
