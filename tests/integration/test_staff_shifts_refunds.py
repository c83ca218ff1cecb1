"""Sign-in, approvals, shifts with X/Z reports, refunds and voids on a real till store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared.audit import verify_chain
from shared.cart import ApprovalNeeded, ManagerAction
from shared.demo_catalogue import DEMO_STAFF
from shared.gst import SINGAPORE
from shared.refund import RefundError
from shared.tender import Tender, TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.tills import DemoTill, demo_till
from till.services.context import CashierError
from till.services.receipts import UnknownReceipt
from till.services.staff import LOCKOUT, MAX_FAILURES, NotAnApprover, SignInError
from till.store.models import AuditRecord, Outlet, Refund, Staff, StockMovement
from till.store.uow import UnitOfWork, to_chain

D = Decimal
CASHIER = next(m for m in DEMO_STAFF if m.role == "cashier")
SUPERVISOR = next(m for m in DEMO_STAFF if m.role == "supervisor")
MANAGER = next(m for m in DEMO_STAFF if m.role == "manager")


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DemoTill]:
    t = demo_till(tmp_path / "till")
    yield t
    t.till.close()


def actions(shop: DemoTill) -> list[str]:
    with shop.till.store.read() as s:
        return list(s.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


def chain_ok(shop: DemoTill) -> bool:
    with shop.till.store.read() as s:
        rows = s.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
        return verify_chain([to_chain(r) for r in rows]).ok


def test_wrong_pins_count_down_then_lock_the_staff_member_out(shop: DemoTill) -> None:
    staff = shop.till.staff
    for left in range(MAX_FAILURES - 1, 0, -1):
        with pytest.raises(SignInError, match=f"{left} tr"):
            staff.sign_in(CASHIER.code, "0000")
    with pytest.raises(SignInError, match="locked out for 5 minutes"):
        staff.sign_in(CASHIER.code, "0000")
    with pytest.raises(SignInError, match="locked out"):
        staff.sign_in(CASHIER.code, CASHIER.pin)  # even the right PIN waits
    # The time it says is shop time, whatever zone the till's clock runs in.
    shop.clock.now = shop.clock.now.astimezone(UTC)
    until = (shop.clock.now + LOCKOUT).astimezone(SINGAPORE).strftime("%H:")
    with pytest.raises(SignInError, match=f"until {until}"):
        staff.sign_in(CASHIER.code, CASHIER.pin)
    shop.clock.now += LOCKOUT
    assert staff.sign_in(CASHIER.code, CASHIER.pin).display_name == CASHIER.display_name
    assert actions(shop).count("staff.pin_failed") == MAX_FAILURES
    assert chain_ok(shop)


def test_unknown_and_deactivated_staff_cannot_sign_in(shop: DemoTill) -> None:
    with pytest.raises(SignInError, match="no staff member has the code"):
        shop.till.staff.sign_in("ZZ9", "1234")
    with UnitOfWork(shop.till.store) as uow:
        member = uow.session.scalars(select(Staff).where(Staff.code == CASHIER.code)).one()
        member.active = False
        uow.commit()
    with pytest.raises(SignInError, match="deactivated"):
        shop.till.staff.sign_in(CASHIER.code, CASHIER.pin)
    assert actions(shop)[-2:] == ["staff.sign_in_failed", "staff.sign_in_failed"]


def test_approvals_need_the_right_role(shop: DemoTill) -> None:
    staff = shop.till.staff
    ok = staff.approve(
        SUPERVISOR.code,
        SUPERVISOR.pin,
        ManagerAction.DISCOUNT_OVER_LIMIT,
        requested_by=shop.cashier,
    )
    assert ok.role == "supervisor"
    refused = r"Priya Nair \(supervisor\) cannot approve this: it needs a manager\. Ask one"
    with pytest.raises(NotAnApprover, match=refused):
        staff.approve(
            SUPERVISOR.code, SUPERVISOR.pin, ManagerAction.VOID_SALE, requested_by=shop.cashier
        )
    with pytest.raises(SignInError, match="wrong PIN"):
        staff.approve(MANAGER.code, "0000", ManagerAction.VOID_SALE, requested_by=shop.cashier)
    assert actions(shop)[-3:] == ["approval.granted", "approval.refused", "staff.pin_failed"]


def sell(shop: DemoTill, n: int = 2, tender: TenderType = TenderType.CASH):
    checkout = shop.till.checkout(shop.cashier)
    for code in standard_barcodes(shop.till.store, n):
        checkout.scan(code)
    due = checkout.totals().total
    if tender is TenderType.CASH:
        return checkout.complete([Tender(TenderType.CASH, D("500.00"))])
    return checkout.complete([Tender(tender, due, reference="APPR01")])


def test_x_and_z_reports_add_up_and_a_big_variance_needs_a_manager(shop: DemoTill) -> None:
    shifts = shop.till.shifts
    shifts.open_shift(shop.cashier, D("150.00"))
    with pytest.raises(CashierError, match="already open"):
        shifts.open_shift(shop.cashier, D("150.00"))
    cash_sale = sell(shop)
    card_sale = sell(shop, 3, TenderType.CARD)
    shifts.move_cash(shop.cashier, "out", D("100.00"), "bank deposit")
    shifts.move_cash(shop.cashier, "in", D("20.00"), "change top-up")
    x = shifts.x_report()
    cash_kept = cash_sale.settlement.amount_due
    assert x.sales_count == 2
    assert x.sales_total == cash_kept + card_sale.settlement.amount_due
    assert x.tenders["cash"] == cash_kept and x.tenders["card"] == card_sale.settlement.amount_due
    assert x.expected_cash == D("150.00") + cash_kept - D("100.00") + D("20.00")
    assert "X REPORT" in x.render_text()

    short = {"50.00": 1}  # far less than expected
    with pytest.raises(ApprovalNeeded) as err:
        shifts.close_shift(shop.cashier, short)
    assert err.value.action is ManagerAction.CASH_VARIANCE
    assert shifts.current() is not None  # still open
    z = shifts.close_shift(shop.cashier, short, approved_by=shop.manager)
    assert z.counted_cash == D("50.00") and z.variance == D("50.00") - x.expected_cash
    assert "Z REPORT" in z.render_text() and "Variance" in z.render_text()
    assert shifts.current() is None
    assert {"shift.opened", "cash.out", "cash.in", "shift.closed"} <= set(actions(shop))
    shifts.open_shift(shop.cashier, D("10.00"))
    with pytest.raises(CashierError, match="Singapore denominations"):
        shifts.close_shift(shop.cashier, {"0.01": 3})


def test_refunds_are_partial_capped_at_what_was_sold_and_restock(shop: DemoTill) -> None:
    shop.till.shifts.open_shift(shop.cashier, D("100.00"))
    sale = sell(shop, 1)
    line = sale.totals.lines[0]
    refunds = shop.till.refunds()
    first = refunds.refund(
        shop.cashier, sale.receipt_no, {line.line.line_id: D(1)}, reason="damaged"
    )
    assert first.receipt_no == "ORC-T01-000002"  # same gap-free series as sales
    assert first.receipt.original_number is not None
    assert "REFUND" in first.receipt_text and sale.receipt_no in first.receipt_text
    with pytest.raises(RefundError, match="only 0 of 1"):
        refunds.refund(shop.cashier, sale.receipt_no, {line.line.line_id: D(1)}, reason="again")
    with pytest.raises(UnknownReceipt):
        refunds.refund(shop.cashier, "ORC-T01-009999", {line.line.line_id: D(1)}, reason="x")
    with shop.till.store.read() as s:
        back = s.scalar(
            select(func.sum(StockMovement.quantity)).where(
                StockMovement.product_id == line.line.product.product_id
            )
        )
    assert back == 0  # sold one, took one back
    assert first.total == line.amount  # the paid amount, at the rate charged


def test_void_needs_a_manager_and_reverses_what_is_left(shop: DemoTill) -> None:
    shop.till.shifts.open_shift(shop.cashier, D("100.00"))
    sale = sell(shop, 3, TenderType.NETS)
    refunds = shop.till.refunds()
    one = sale.totals.lines[0]
    refunds.refund(
        shop.cashier, sale.receipt_no, {one.line.line_id: one.line.quantity}, reason="wrong item"
    )
    with pytest.raises(ApprovalNeeded):
        refunds.void(shop.cashier, sale.receipt_no, reason="mistake", approved_by=None)
    void = refunds.void(shop.cashier, sale.receipt_no, reason="mistake", approved_by=shop.manager)
    assert void.total == sale.totals.total - one.amount
    with shop.till.store.read() as s:
        rows = s.scalars(select(Refund).order_by(Refund.receipt_no)).all()
        assert [r.is_void for r in rows] == [False, True]
        assert rows[1].payments[0].type == "nets"  # paid back the way it was paid
    with pytest.raises(CashierError, match="already been fully refunded"):
        refunds.void(shop.cashier, sale.receipt_no, reason="again", approved_by=shop.manager)
    assert "sale.voided" in actions(shop) and chain_ok(shop)


def test_refund_without_receipt_needs_a_manager(shop: DemoTill) -> None:
    shop.till.shifts.open_shift(shop.cashier, D("100.00"))
    product = shop.till.catalogue.by_barcode(standard_barcodes(shop.till.store, 1)[0])
    assert product is not None
    refunds = shop.till.refunds()
    with pytest.raises(ApprovalNeeded, match="without a receipt"):
        refunds.refund_without_receipt(shop.cashier, product, D(1), reason="gift", approved_by=None)
    done = refunds.refund_without_receipt(
        shop.cashier, product, D(1), reason="gift", approved_by=shop.manager
    )
    assert done.receipt.original_number is None and done.total >= product.unit_price - D("0.02")


def test_a_cash_refund_rounds_up_when_the_outlet_rounds_cash_down(shop: DemoTill) -> None:
    with UnitOfWork(shop.till.store) as uow:
        outlet = uow.session.scalars(select(Outlet)).one()
        outlet.settings = {**outlet.settings, "cash_rounding": "down"}
        uow.commit()
    shop.till.shifts.open_shift(shop.cashier, D("100.00"))
    bananas = shop.till.catalogue.search("Bananas per kg")[0]
    assert bananas.weighed and bananas.unit_price == D("2.90")

    # 3.076 kg at $2.90/kg is $8.92; the customer gets $8.95 back, never $8.90.
    done = shop.till.refunds().refund_without_receipt(
        shop.cashier, bananas, D("3.076"), reason="bruised", approved_by=shop.manager
    )

    assert done.total == D("8.95")
    with shop.till.store.read() as s:
        refund = s.scalars(select(Refund)).one()
        assert (refund.total, refund.rounding) == (D("8.92"), D("0.03"))


def test_a_refund_of_weighed_goods_prints_kg_on_its_slip_and_on_every_reprint(
    shop: DemoTill,
) -> None:
    shop.till.shifts.open_shift(shop.cashier, D("100.00"))
    bananas = shop.till.catalogue.search("Bananas per kg")[0]
    checkout = shop.till.checkout(shop.cashier)
    line = checkout.add(bananas, D("1.234"))
    sale = checkout.complete([Tender(TenderType.CASH, D("50.00"))])

    done = shop.till.refunds().refund(
        shop.cashier, sale.receipt_no, {line.line_id: D("0.500")}, reason="bruised"
    )

    assert "0.500 kg" in done.receipt_text and "/kg" in done.receipt_text
    receipts = shop.till.receipts()
    for again in (receipts.look_up(done.receipt_no), receipts.next_copy(done.receipt_no)):
        assert [x.weighed for x in again.lines] == [True]
        assert again.lines[0].quantity == D("0.500")
