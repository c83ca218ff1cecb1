"""Shifts with an in-memory unit of work: the rules of opening, moving cash and closing, and
that a refused command writes nothing. (The sums a shift's takings come from are SQL, tested
against real stores in tests/integration/test_staff_shifts_refunds.py.)"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.cart import ApprovalNeeded, ManagerAction
from shared.demo_catalogue import demo_outlet
from shared.protocol import CashMovedV1, EventKind, ShiftClosedV1
from till.services.context import CashierError, OutletProfile
from till.services.shifts import DENOMINATIONS, NoOpenShift, ShiftService
from till.services.staff import SignedIn

from .fake_uow import NO_TAKINGS, FakeUnitOfWork

D = Decimal
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CASHIER = SignedIn("7b0e4c1e-0000-4000-8000-00000000c001", "1001", "Mei Ling", "cashier")
MANAGER = SignedIn("7b0e4c1e-0000-4000-8000-00000000a001", "9001", "Mr Tan", "manager")
PROFILE = OutletProfile(demo_outlet(), "T01")


def service(uow: FakeUnitOfWork) -> ShiftService:
    return ShiftService(uow, lambda: PROFILE, lambda: NOW)


def opened(float_: str = "200.00") -> tuple[FakeUnitOfWork, ShiftService, str]:
    uow = FakeUnitOfWork()
    shifts = service(uow)
    shift_id = shifts.open_shift(MANAGER, D(float_))
    return uow, shifts, shift_id


def test_opening_a_shift_writes_it_its_audit_link_and_its_event_together() -> None:
    uow, shifts, shift_id = opened()
    assert [s.shift_id for s in uow.shifts.rows] == [shift_id]
    assert uow.kinds() == [EventKind.SHIFT_OPENED]
    assert [(a.action, a.subject) for a in uow.audits] == [("shift.opened", shift_id)]
    assert uow.commits == 1
    current = shifts.current()
    assert current is not None and current.opening_float == D("200.00")


def test_a_second_shift_and_a_negative_float_are_refused_and_write_nothing() -> None:
    uow, shifts, _ = opened()
    with pytest.raises(CashierError, match="a shift is already open"):
        shifts.open_shift(MANAGER, D("50.00"))
    fresh = FakeUnitOfWork()
    with pytest.raises(CashierError, match="cannot be negative"):
        service(fresh).open_shift(MANAGER, D("-0.05"))
    assert (uow.commits, len(uow.shifts.rows), len(uow.events)) == (1, 1, 1)
    assert (fresh.commits, fresh.shifts.rows, fresh.events) == (0, [], [])


def test_cash_moves_need_an_open_shift_an_amount_and_a_reason() -> None:
    nobody = FakeUnitOfWork()
    with pytest.raises(NoOpenShift):
        service(nobody).move_cash(CASHIER, "out", D("20.00"), "bank deposit")
    uow, shifts, shift_id = opened()
    for direction, amount, reason, message in [
        ("sideways", "1.00", "x", "either in or out"),
        ("out", "0.00", "x", "above \\$0.00"),
        ("in", "5.00", "   ", "say why"),
    ]:
        with pytest.raises(CashierError, match=message):
            shifts.move_cash(CASHIER, direction, D(amount), reason)
    shifts.move_cash(CASHIER, "out", D("20.00"), "  bank deposit ")
    (move,) = uow.shifts.movements
    assert (move.shift_id, move.direction, move.amount, move.reason) == (
        shift_id,
        "out",
        D("20.00"),
        "bank deposit",
    )
    event = uow.events[-1]
    assert isinstance(event.payload, CashMovedV1) and event.payload.amount == D("20.00")
    assert [a.action for a in uow.audits] == ["shift.opened", "cash.out"]
    assert nobody.commits == 0 and uow.commits == 2


def takings(cash: str, cash_in: str = "0.00", cash_out: str = "0.00") -> dict[str, object]:
    return {
        "tenders": {"cash": D(cash), "card": D("12.00")},
        "cash_in": D(cash_in),
        "cash_out": D(cash_out),
    }


def test_the_drawer_is_expected_to_hold_the_float_cash_takings_and_movements() -> None:
    uow, shifts, shift_id = opened("200.00")
    uow.shifts.takings_by_shift[shift_id] = dataclasses.replace(
        NO_TAKINGS,
        **takings("85.40", cash_in="50.00", cash_out="20.00"),  # type: ignore[arg-type]
    )
    assert shifts.x_report().expected_cash == D("315.40")
    assert uow.commits == 1  # an X report reads only


@given(st.dictionaries(st.sampled_from(DENOMINATIONS), st.integers(0, 400)))
def test_closing_within_the_variance_limit_needs_no_manager(counts: dict[str, int]) -> None:
    uow, shifts, shift_id = opened("0.00")
    counted = sum((D(d) * n for d, n in counts.items()), D(0))
    # The till expects exactly what was counted, give or take the outlet's limit.
    uow.shifts.takings_by_shift[shift_id] = dataclasses.replace(
        NO_TAKINGS, tenders={"cash": counted - PROFILE.variance_limit}
    )
    z = shifts.close_shift(CASHIER, counts)
    assert z.counted_cash == counted and z.variance == PROFILE.variance_limit
    assert z.counted == {d: counts.get(d, 0) for d in DENOMINATIONS}
    closed = uow.events[-1].payload
    assert isinstance(closed, ShiftClosedV1) and closed.variance == PROFILE.variance_limit
    assert closed.approved_by is None and shifts.current() is None


def test_a_variance_over_the_limit_needs_a_manager_and_writes_nothing_until_then() -> None:
    uow, shifts, _ = opened("100.00")
    short = {"50.00": 1}  # $50 counted against $100 expected
    with pytest.raises(ApprovalNeeded) as asked:
        shifts.close_shift(CASHIER, short)
    assert asked.value.action is ManagerAction.CASH_VARIANCE
    assert "-50.00 against the expected 100.00" in str(asked.value)
    assert uow.kinds() == [EventKind.SHIFT_OPENED] and shifts.current() is not None

    z = shifts.close_shift(CASHIER, short, approved_by=MANAGER)
    assert z.variance == D("-50.00")
    closed = uow.events[-1].payload
    assert isinstance(closed, ShiftClosedV1) and str(closed.approved_by) == MANAGER.staff_id
    assert uow.audits[-1].after is not None
    assert uow.audits[-1].after["approved_by"] == MANAGER.staff_id


@pytest.mark.parametrize(
    ("counts", "message"),
    [({"0.01": 3}, "not Singapore denominations: 0.01"), ({"1.00": -1}, "between 0 and 100,000")],
)
def test_impossible_counts_are_refused(counts: dict[str, int], message: str) -> None:
    uow, shifts, _ = opened()
    with pytest.raises(CashierError, match=message):
        shifts.close_shift(CASHIER, counts)
    assert uow.commits == 1 and shifts.current() is not None
