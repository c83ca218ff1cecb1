"""Sign-in and a manager's approval with an in-memory unit of work: who may approve what, wrong
PINs and lock-outs, and that every attempt is on the audit trail without the PIN in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.cart import ManagerAction
from till.services.staff import (
    APPROVERS,
    LOCKOUT,
    MAX_FAILURES,
    SignedIn,
    SignInError,
    StaffService,
    hash_pin,
)
from till.store.models import Staff

from .fake_uow import FakeUnitOfWork

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Singapore
PINS = {"C01": "2468", "S01": "1357", "M01": "9753"}
ROLES = {"C01": "cashier", "S01": "supervisor", "M01": "manager"}


@cache
def pin_hash(pin: str) -> str:
    return hash_pin(pin)  # argon2id: slow on purpose, so once per PIN


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def staff_room() -> tuple[FakeUnitOfWork, StaffService, Clock]:
    uow, clock = FakeUnitOfWork(), Clock()
    for n, (code, role) in enumerate(ROLES.items()):
        uow.staff.rows[code] = Staff(
            staff_id=f"7b0e4c1e-0000-4000-8000-00000000000{n}",
            code=code,
            display_name=f"{role.title()} {code}",
            role=role,
            pin_hash=pin_hash(PINS[code]),
            active=True,
            failed_attempts=0,
            locked_until=None,
        )
    return uow, StaffService(uow, clock), clock


def me(staff: StaffService) -> SignedIn:
    return staff.sign_in("c01", PINS["C01"])


@pytest.mark.parametrize("action", list(ManagerAction))
@pytest.mark.parametrize("code", ["C01", "S01", "M01"])
def test_who_may_approve_what(code: str, action: ManagerAction) -> None:
    uow, staff, _ = staff_room()
    cashier = me(staff)
    if ROLES[code] in APPROVERS[action]:
        approver = staff.approve(code, PINS[code], action, requested_by=cashier, subject="R1")
        assert approver.code == code and uow.audits[-1].action == "approval.granted"
    else:
        with pytest.raises(SignInError, match="cannot approve this: it needs a"):
            staff.approve(code, PINS[code], action, requested_by=cashier, subject="R1")
        assert uow.audits[-1].action == "approval.refused"  # a refusal is kept, not lost
    after = uow.audits[-1].after
    assert after == {"action": action.value, "requested_by": cashier.staff_id}


def test_wrong_pins_count_down_lock_out_and_the_lock_ends() -> None:
    uow, staff, clock = staff_room()
    for left in range(MAX_FAILURES - 1, 0, -1):
        with pytest.raises(SignInError, match=rf"wrong PIN \({left} tr"):
            staff.sign_in("M01", "0000")
    with pytest.raises(SignInError, match="locked out for 5 minutes"):
        staff.sign_in("M01", "0000")
    with pytest.raises(SignInError, match="locked out after wrong PINs until 09:05"):
        staff.approve(
            "M01", PINS["M01"], ManagerAction.VOID_SALE, requested_by=me(staff), subject=None
        )
    clock.now += LOCKOUT + timedelta(seconds=1)
    assert staff.sign_in("M01", PINS["M01"]).role == "manager"
    assert uow.staff.rows["M01"].failed_attempts == 0
    assert [a.action for a in uow.audits].count("staff.pin_failed") == MAX_FAILURES


def test_unknown_and_deactivated_staff_are_refused_by_name() -> None:
    uow, staff, _ = staff_room()
    with pytest.raises(SignInError, match="no staff member has the code 'X99'"):
        staff.sign_in(" x99 ", "1234")
    uow.staff.rows["S01"].active = False
    with pytest.raises(SignInError, match="Supervisor S01 is deactivated"):
        staff.sign_in("S01", PINS["S01"])
    assert [s.code for s in staff.roster()] == ["C01", "M01"]
    assert [a.action for a in uow.audits] == ["staff.sign_in_failed", "staff.sign_in_failed"]


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="0123456789", min_size=4, max_size=8))
def test_no_pin_typed_ever_reaches_the_audit_trail(typed: str) -> None:
    uow, staff, _ = staff_room()
    cashier = me(staff)
    shown: list[str] = []  # what the cashier's screen would say
    for code in ("M01", "Q42"):
        try:
            staff.approve(code, typed, ManagerAction.VOID_SALE, requested_by=cashier)
        except SignInError as refused:
            shown.append(str(refused))
    assert not any(typed in message for message in shown)
    for record in uow.audits:
        # Ids and hashes are random hex: compare the fields a PIN could have been put in.
        said = f"{record.action} {record.subject} {record.before} {record.after}"
        assert typed not in said.replace(cashier.staff_id, "").replace(record.actor or "", "")
