"""A member pays with points at the real till window, by keys and a tap: found at F6, the
payment screen's Points key (F6 there) refuses more than the cap allows, takes the most the
cap and the balance allow, and the rest is paid in cash; the sale's points are a ledger entry
and an event, and the receipt shows them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.backoffice import reactivate, when_modal
from tests.ui.selling import press, running_till, sign_in, tap, type_in
from tests.ui.test_customers_at_till import child
from till.services.customers import NewMember
from till.store.models import LoyaltyEntry, MemberPoints, OutboxEvent, Payment, Sale
from till.store.uow import UnitOfWork

D = Decimal


def test_a_member_pays_part_of_a_sale_with_points_within_the_cap(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        w = till.window
        member = till.demo.till.customers().enrol(
            NewMember(name="Mei Ling", mobile="98761234", consent_contact=True), till.demo.cashier
        )
        with UnitOfWork(till.store) as uow:  # what head office last said: 20,000 points
            uow.points.remember(
                [
                    MemberPoints(
                        customer_id=member.customer_id,
                        elsewhere=20000,
                        tier=None,
                        as_of=datetime.now(UTC),
                    )
                ]
            )
            uow.commit()
        sign_in(qtbot, till)
        for code in till.barcodes(3):
            type_in(qtbot, w.sell.entry, code)

        def find(dialog: QWidget) -> None:
            query = child(dialog, QLineEdit, "customer_query")
            type_in(qtbot, query, "9876 1234")
            press(qtbot, query, Qt.Key.Key_Return)

        seen = when_modal(qtbot, "customer", find)
        press(qtbot, w.sell.entry, Qt.Key.Key_F6)
        assert seen and till.checkout.customer == member
        assert "20000 points" in w.sell.message.text()
        reactivate(qtbot, w)
        qtbot.waitUntil(w.sell.entry.hasFocus)
        total = till.checkout.totals().total
        half = int(total * 50)  # the demo cap: half of the sale, a point a cent
        assert 0 < half < 5000

        press(qtbot, w.sell.entry, Qt.Key.Key_F10)
        pay = w.payment
        qtbot.keyClicks(pay.entry, str(half + 1))  # type: ignore[no-untyped-call]
        press(qtbot, pay.entry, Qt.Key.Key_F6)
        assert f"this sale can take {half} more" in pay.message.text()
        pay.entry.clear()
        tap(qtbot, pay.findChild(QWidget, "pay_points"))  # nothing typed: the most allowed
        assert "Still to pay" in pay.due.text()
        number = str(till.checkout.next_receipt_number())
        with qtbot.waitSignal(pay.completed) as done:
            press(qtbot, pay.entry, Qt.Key.Key_Return)  # the rest in cash

        with till.store.read() as s:
            sale = s.scalars(select(Sale).where(Sale.receipt_no == number)).one()
            payments = list(
                s.scalars(
                    select(Payment)
                    .where(Payment.sale_id == sale.sale_id)
                    .order_by(Payment.position)
                )
            )
            spent = s.scalars(
                select(LoyaltyEntry).where(
                    LoyaltyEntry.sale_id == sale.sale_id, LoyaltyEntry.kind == "redeemed"
                )
            ).one()
            events = [
                json.loads(e.payload)
                for e in s.scalars(
                    select(OutboxEvent).where(OutboxEvent.kind == "loyalty.redeemed")
                )
            ]
        worth = D(half) / 100
        assert [(p.type, p.amount) for p in payments] == [
            ("points", worth),
            ("cash", sale.total + sale.rounding - worth),
        ]
        assert spent.points == -half
        assert [(e["points"], e["value"], e["sale_id"]) for e in events] == [
            (half, f"{worth:.2f}", sale.sale_id)
        ]
        assert "Points" in done.args[0].sale.receipt_text
        with till.store.read() as s:
            earned = s.scalars(
                select(LoyaltyEntry.points).where(
                    LoyaltyEntry.sale_id == sale.sale_id, LoyaltyEntry.kind == "earned"
                )
            ).one()
        # Head office's word, less what this till spent since, plus what the sale earned.
        assert till.demo.till.customers().points(member.customer_id) == 20000 - half + earned
