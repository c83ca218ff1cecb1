"""Staff sign-in by PIN, lockout after repeated failures, and manager approval of one action.

PINs are hashed as ``shared.pins`` says. Every attempt, good or bad, is written to the audit
chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2.exceptions import InvalidHashError, VerificationError

from shared.cart import ManagerAction
from shared.gst import SINGAPORE
from shared.pins import PIN_HASHER, PIN_PATTERN
from till.services.context import CashierError, Clock, utc_now
from till.services.ports import UnitsOfWork

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)

# Who may approve what: supervisors cover day-to-day price decisions, managers the rest.
APPROVERS: dict[ManagerAction, frozenset[str]] = {
    ManagerAction.DISCOUNT_OVER_LIMIT: frozenset({"supervisor", "manager"}),
    ManagerAction.PRICE_OVERRIDE: frozenset({"supervisor", "manager"}),
    ManagerAction.VOID_SALE: frozenset({"manager"}),
    ManagerAction.REFUND_WITHOUT_RECEIPT: frozenset({"manager"}),
    ManagerAction.CASH_VARIANCE: frozenset({"manager"}),
    ManagerAction.STOCK_CONTROL: frozenset({"manager"}),
    ManagerAction.STOCK_ADJUSTMENT_OVER_LIMIT: frozenset({"manager"}),
}


class SignInError(CashierError):
    pass


class NotAnApprover(SignInError):
    """The PIN was right, but this person's role may not approve the action."""


def hash_pin(pin: str) -> str:
    if not PIN_PATTERN.fullmatch(pin):
        raise SignInError("a PIN is 4 to 8 digits")
    return PIN_HASHER.hash(pin)


@dataclass(frozen=True)
class SignedIn:
    staff_id: str
    code: str
    display_name: str
    role: str


@dataclass(frozen=True)
class StaffEntry:
    code: str
    display_name: str
    role: str


class StaffService:
    def __init__(self, uow: UnitsOfWork, clock: Clock = utc_now) -> None:
        self.uow = uow
        self.clock = clock

    def roster(self) -> list[StaffEntry]:
        """Active staff, for the sign-in screen."""
        with self.uow(write=False) as uow:
            return [StaffEntry(r.code, r.display_name, r.role) for r in uow.staff.active()]

    def sign_in(self, code: str, pin: str) -> SignedIn:
        who = self._check_pin(code, pin, purpose="sign-in")
        with self.uow() as uow:
            uow.audit("staff.signed_in", actor=who.staff_id, at=self.clock())
            uow.commit()
        return who

    def sign_out(self, who: SignedIn) -> None:
        with self.uow() as uow:
            uow.audit("staff.signed_out", actor=who.staff_id, at=self.clock())
            uow.commit()

    def approve(
        self,
        code: str,
        pin: str,
        action: ManagerAction,
        *,
        requested_by: SignedIn,
        subject: str | None = None,
    ) -> SignedIn:
        """A manager's (or supervisor's) PIN approving one action; returns the approver."""
        approver = self._check_pin(code, pin, purpose="approval")
        allowed = APPROVERS[action]
        granted = approver.role in allowed
        with self.uow() as uow:
            uow.audit(
                "approval.granted" if granted else "approval.refused",
                actor=approver.staff_id,
                at=self.clock(),
                subject=subject,
                after={"action": action.value, "requested_by": requested_by.staff_id},
            )
            uow.commit()
        if not granted:
            roles = " or ".join(sorted(allowed))
            raise NotAnApprover(
                f"{approver.display_name} ({approver.role}) cannot approve this: it needs a "
                f"{roles}. Ask one to type their staff code and PIN"
            )
        return approver

    def _check_pin(self, code: str, pin: str, *, purpose: str) -> SignedIn:
        now = self.clock()
        code = code.strip().upper()
        failure: str | None = None
        with self.uow() as uow:
            staff = uow.staff.by_code(code)
            if staff is None:
                failure = f"no staff member has the code {code!r}"
                uow.audit(
                    "staff.sign_in_failed",
                    actor=None,
                    at=now,
                    subject=code,
                    after={"reason": "unknown code", "purpose": purpose},
                )
            elif not staff.active:
                failure = f"{staff.display_name} is deactivated; ask a manager"
                uow.audit(
                    "staff.sign_in_failed",
                    actor=staff.staff_id,
                    at=now,
                    after={"reason": "deactivated", "purpose": purpose},
                )
            elif staff.locked_until is not None and staff.locked_until > now:
                # Shop time: the till's clock runs in UTC, its cashiers in Singapore.
                until = staff.locked_until.astimezone(SINGAPORE).strftime("%H:%M")
                failure = f"{staff.display_name} is locked out after wrong PINs until {until}"
                uow.audit(
                    "staff.sign_in_failed",
                    actor=staff.staff_id,
                    at=now,
                    after={"reason": "locked", "purpose": purpose},
                )
            elif not _verify(staff.pin_hash, pin):
                staff.failed_attempts += 1
                left = MAX_FAILURES - staff.failed_attempts
                if left <= 0:
                    staff.locked_until = now + LOCKOUT
                    staff.failed_attempts = 0
                    failure = f"wrong PIN: {staff.display_name} is locked out for 5 minutes"
                else:
                    failure = f"wrong PIN ({left} {'try' if left == 1 else 'tries'} left)"
                uow.audit(
                    "staff.pin_failed",
                    actor=staff.staff_id,
                    at=now,
                    after={"purpose": purpose, "locked": left <= 0},
                )
            else:
                staff.failed_attempts = 0
                staff.locked_until = None
                who = SignedIn(staff.staff_id, staff.code, staff.display_name, staff.role)
            uow.commit()  # a failed attempt is itself a fact worth keeping
        if failure is not None:
            raise SignInError(failure)
        return who


def _verify(pin_hash: str, pin: str) -> bool:
    try:
        return PIN_HASHER.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
