"""Shifts: open with a float, cash in and out, the X report (read-only) and the Z report
(close: counted cash per denomination against what the till expects)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from shared.cart import ApprovalNeeded, ManagerAction
from shared.gst import SINGAPORE
from shared.money import ZERO, money
from shared.protocol import CashMovedV1, EventKind, ShiftClosedV1, ShiftOpenedV1
from till.services.context import CashierError, Clock, OutletProfile, utc_now
from till.services.ports import UnitOfWorkPort, UnitsOfWork
from till.services.staff import SignedIn
from till.store.models import CashMovement, Shift

# Singapore notes and coins in circulation; 1-cent coins have not been issued since 2002.
DENOMINATIONS: tuple[str, ...] = (
    "100.00",
    "50.00",
    "10.00",
    "5.00",
    "2.00",
    "1.00",
    "0.50",
    "0.20",
    "0.10",
    "0.05",
)


class NoOpenShift(CashierError):
    def __init__(self) -> None:
        super().__init__("no shift is open: open a shift with the cash float first")


@dataclass(frozen=True)
class ShiftReport:
    shift_id: str
    opened_at: datetime
    opening_float: Decimal
    sales_count: int
    sales_total: Decimal  # what customers paid, incl. GST and cash rounding
    refunds_count: int
    refunds_total: Decimal
    gst_total: Decimal  # GST on sales less GST refunded
    rounding_total: Decimal
    tenders: dict[str, Decimal]  # net takings by tender type (cash after change and refunds)
    cash_in: Decimal
    cash_out: Decimal
    expected_cash: Decimal
    closed_at: datetime | None = None
    counted_cash: Decimal | None = None
    counted: dict[str, int] = field(default_factory=dict)

    @property
    def variance(self) -> Decimal | None:
        return None if self.counted_cash is None else self.counted_cash - self.expected_cash

    def render_text(self, *, width: int = 42) -> str:
        title = "Z REPORT (SHIFT CLOSED)" if self.closed_at else "X REPORT (SHIFT OPEN)"
        rows: list[tuple[str, str]] = [
            ("Opened", self.opened_at.astimezone(SINGAPORE).strftime("%d-%m-%Y %H:%M")),
            ("Opening float", f"{self.opening_float:.2f}"),
            ("Sales", f"{self.sales_count}  {self.sales_total:.2f}"),
            ("Refunds", f"{self.refunds_count}  {-self.refunds_total:.2f}"),
            ("GST included", f"{self.gst_total:.2f}"),
            ("Cash rounding", f"{self.rounding_total:.2f}"),
        ]
        rows += [(f"  {kind.upper()}", f"{amount:.2f}") for kind, amount in self.tenders.items()]
        rows += [
            ("Cash in", f"{self.cash_in:.2f}"),
            ("Cash out", f"{-self.cash_out:.2f}"),
            ("Expected cash", f"{self.expected_cash:.2f}"),
        ]
        if self.closed_at is not None and self.counted_cash is not None:
            rows.append(("Closed", self.closed_at.astimezone(SINGAPORE).strftime("%d-%m-%Y %H:%M")))
            rows += [
                (f"  {d} x {n}", f"{Decimal(d) * n:.2f}") for d, n in self.counted.items() if n
            ]
            rows += [
                ("Counted cash", f"{self.counted_cash:.2f}"),
                ("Variance", f"{self.variance:+.2f}"),
            ]
        lines = [title.center(width), "-" * width]
        lines += [f"{label}{value:>{width - len(label)}}" for label, value in rows]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DrawerCount:
    """A committed blind count: what the cashier counted against what the till expected."""

    counted: dict[str, int]
    counted_cash: Decimal
    expected_cash: Decimal
    limit: Decimal  # the outlet's variance limit; above it a manager approves the close

    @property
    def variance(self) -> Decimal:
        return self.counted_cash - self.expected_cash

    @property
    def needs_manager(self) -> bool:
        return abs(self.variance) > self.limit


@dataclass(frozen=True)
class ClosedShift:
    shift_id: str
    opened_at: datetime
    closed_at: datetime
    variance: Decimal


def _checked(counted: dict[str, int]) -> Decimal:
    unknown = set(counted) - set(DENOMINATIONS)
    if unknown:
        raise CashierError(f"not Singapore denominations: {', '.join(sorted(unknown))}")
    if any(n < 0 or n > 100_000 for n in counted.values()):
        raise CashierError("a count must be between 0 and 100,000 pieces")
    return sum((Decimal(d) * n for d, n in counted.items()), ZERO)


class ShiftService:
    def __init__(
        self, uow: UnitsOfWork, profile: Callable[[], OutletProfile], clock: Clock = utc_now
    ) -> None:
        self.uow = uow
        self.profile = profile
        self.clock = clock

    def open_shift(self, who: SignedIn, opening_float: Decimal) -> str:
        amount = money(opening_float)
        if amount < 0:
            raise CashierError("the opening float cannot be negative")
        now = self.clock()
        with self.uow() as uow:
            if uow.shifts.open_one() is not None:
                raise CashierError("a shift is already open: close it (Z report) first")
            shift = Shift(
                shift_id=str(uuid.uuid4()),
                opened_by=who.staff_id,
                opened_at=now,
                opening_float=amount,
            )
            uow.shifts.add(shift)
            uow.audit(
                "shift.opened",
                actor=who.staff_id,
                at=now,
                subject=shift.shift_id,
                after={"opening_float": str(amount)},
            )
            uow.emit(
                EventKind.SHIFT_OPENED,
                ShiftOpenedV1(
                    shift_id=uuid.UUID(shift.shift_id),
                    opened_by=uuid.UUID(who.staff_id),
                    opened_at=now,
                    opening_float=amount,
                ),
                now,
            )
            uow.commit()
        return shift.shift_id

    def current(self) -> Shift | None:
        with self.uow(write=False) as uow:
            return uow.shifts.open_one()

    def move_cash(self, who: SignedIn, direction: str, amount: Decimal, reason: str) -> None:
        value = money(amount)
        if direction not in ("in", "out"):
            raise CashierError("cash moves either in or out of the drawer")
        if value <= 0:
            raise CashierError("enter an amount above $0.00")
        if not reason.strip():
            raise CashierError("say why the cash is moving (e.g. 'bank deposit', 'change top-up')")
        now = self.clock()
        with self.uow() as uow:
            shift = require_open_shift(uow)
            move = CashMovement(
                movement_id=str(uuid.uuid4()),
                shift_id=shift.shift_id,
                staff_id=who.staff_id,
                direction=direction,
                amount=value,
                reason=reason.strip()[:120],
                moved_at=now,
            )
            uow.shifts.add_movement(move)
            uow.audit(
                f"cash.{direction}",
                actor=who.staff_id,
                at=now,
                subject=move.movement_id,
                after={"amount": str(value), "reason": move.reason},
            )
            uow.emit(
                EventKind.CASH_MOVED,
                CashMovedV1(
                    movement_id=uuid.UUID(move.movement_id),
                    shift_id=uuid.UUID(shift.shift_id),
                    staff_id=uuid.UUID(who.staff_id),
                    direction=move.direction,  # type: ignore[arg-type]
                    amount=value,
                    reason=move.reason,
                    moved_at=now,
                ),
                now,
            )
            uow.commit()

    def no_sale(self, who: SignedIn, reason: str) -> None:
        """The drawer opened without a sale: always on the audit trail."""
        with self.uow() as uow:
            require_open_shift(uow)
            uow.audit(
                "drawer.opened_no_sale",
                actor=who.staff_id,
                at=self.clock(),
                after={"reason": reason.strip()[:120] or "not given"},
            )
            uow.commit()

    def x_report(self) -> ShiftReport:
        with self.uow(write=False) as uow:
            return shift_report(uow, require_open_shift(uow))

    def closed_shifts(self, limit: int = 31) -> list[ClosedShift]:
        """The last ``limit`` closed shifts, newest first: where a Z report is found again."""
        with self.uow(write=False) as uow:
            rows = uow.shifts.closed(limit)
            return [
                ClosedShift(
                    x.shift_id,
                    x.opened_at,
                    x.closed_at,
                    x.counted_cash - x.expected_cash,
                )
                for x in rows
                if x.closed_at is not None
                and x.counted_cash is not None
                and x.expected_cash is not None
            ]

    def z_report(self, shift_id: str) -> ShiftReport:
        """A closed shift's Z report, rebuilt from the store exactly as it was at the close."""
        with self.uow(write=False) as uow:
            shift = uow.shifts.get(shift_id)
            if shift is None or shift.closed_at is None:
                raise CashierError("that shift is not closed: its Z report does not exist yet")
            report = shift_report(uow, shift)
            return replace(
                report,
                # As counted and expected when it closed, not recomputed.
                expected_cash=shift.expected_cash or ZERO,
                closed_at=shift.closed_at,
                counted_cash=shift.counted_cash,
                counted=dict(shift.counted or {}),
            )

    def count_drawer(self, who: SignedIn, counted: dict[str, int]) -> DrawerCount:
        """Commit a blind count: only now does the cashier learn what the till expected.

        Every committed count goes on the audit trail with its variance, so counting again
        until the drawer "matches" shows as a string of counts, not as one clean close."""
        counted_cash = _checked(counted)
        limit = self.profile().variance_limit
        now = self.clock()
        with self.uow() as uow:
            shift = require_open_shift(uow)
            report = shift_report(uow, shift)
            result = DrawerCount(
                counted={d: n for d, n in counted.items() if n},
                counted_cash=counted_cash,
                expected_cash=report.expected_cash,
                limit=limit,
            )
            uow.audit(
                "drawer.counted",
                actor=who.staff_id,
                at=now,
                subject=shift.shift_id,
                after={
                    "expected": str(result.expected_cash),
                    "counted": str(counted_cash),
                    "variance": str(result.variance),
                },
            )
            uow.commit()
        return result

    def close_shift(
        self, who: SignedIn, counted: dict[str, int], *, approved_by: SignedIn | None = None
    ) -> ShiftReport:
        counted_cash = _checked(counted)
        limit = self.profile().variance_limit
        now = self.clock()
        with self.uow() as uow:
            shift = require_open_shift(uow)
            report = shift_report(uow, shift)
            variance = counted_cash - report.expected_cash
            if abs(variance) > limit and approved_by is None:
                raise ApprovalNeeded(
                    ManagerAction.CASH_VARIANCE,
                    f"the drawer is {variance:+.2f} against the expected {report.expected_cash}",
                )
            shift.closed_at, shift.closed_by = now, who.staff_id
            shift.expected_cash, shift.counted_cash = report.expected_cash, counted_cash
            shift.counted = {d: counted.get(d, 0) for d in DENOMINATIONS}
            shift.approved_by = approved_by.staff_id if approved_by else None
            closed = replace(
                report, closed_at=now, counted_cash=counted_cash, counted=shift.counted
            )
            uow.audit(
                "shift.closed",
                actor=who.staff_id,
                at=now,
                subject=shift.shift_id,
                after={
                    "expected": str(report.expected_cash),
                    "counted": str(counted_cash),
                    "approved_by": shift.approved_by,
                },
            )
            uow.emit(EventKind.SHIFT_CLOSED, _closed_event(closed, who, shift.approved_by), now)
            uow.commit()
        return closed


def require_open_shift(uow: UnitOfWorkPort) -> Shift:
    shift = uow.shifts.open_one()
    if shift is None:
        raise NoOpenShift()
    return shift


def shift_report(uow: UnitOfWorkPort, shift: Shift) -> ShiftReport:
    t = uow.shifts.takings(shift.shift_id)
    return ShiftReport(
        shift_id=shift.shift_id,
        opened_at=shift.opened_at,
        opening_float=shift.opening_float,
        sales_count=t.sales_count,
        sales_total=t.sales_total,
        refunds_count=t.refunds_count,
        refunds_total=t.refunds_total,
        gst_total=t.gst_total,
        rounding_total=t.rounding_total,
        tenders=dict(t.tenders),
        cash_in=t.cash_in,
        cash_out=t.cash_out,
        expected_cash=shift.opening_float + t.tenders["cash"] + t.cash_in - t.cash_out,
    )


def _closed_event(report: ShiftReport, who: SignedIn, approved_by: str | None) -> ShiftClosedV1:
    assert report.closed_at is not None and report.counted_cash is not None
    variance = report.variance
    assert variance is not None
    return ShiftClosedV1(
        shift_id=uuid.UUID(report.shift_id),
        closed_by=uuid.UUID(who.staff_id),
        closed_at=report.closed_at,
        expected_cash=report.expected_cash,
        counted_cash=report.counted_cash,
        variance=variance,
        counted=report.counted,
        approved_by=uuid.UUID(approved_by) if approved_by else None,
        sales_count=report.sales_count,
        sales_total=report.sales_total,
        refunds_total=report.refunds_total,
        gst_total=report.gst_total,
        tenders=report.tenders,  # type: ignore[arg-type]
    )
