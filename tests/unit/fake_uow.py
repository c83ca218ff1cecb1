"""An in-memory unit of work for service unit tests (cosmicpython's ``FakeUnitOfWork``).

It keeps what a service wrote in plain lists, and only what was committed: a unit of work left
without ``commit()`` (a refusal, an exception) publishes nothing, exactly as a rolled-back
SQLite transaction. The same instance serves every ``uow()`` call, so a test can look at it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from shared import audit as chain
from shared.protocol import PAYLOAD_MODELS, EventKind
from shared.refund import RefundedSoFar
from shared.wire import WireModel
from till.store.models import (
    CashMovement,
    Customer,
    LoyaltyEntry,
    MemberPoints,
    ParkedCart,
    Payment,
    Refund,
    RefundLine,
    Sale,
    SaleLine,
    Shift,
    Staff,
    StockMovement,
)
from till.store.repos import Takings

NO_TAKINGS = Takings(
    sales_count=0,
    sales_total=Decimal("0.00"),
    refunds_count=0,
    refunds_total=Decimal("0.00"),
    gst_total=Decimal("0.00"),
    rounding_total=Decimal("0.00"),
    tenders={"cash": Decimal("0.00")},
    cash_in=Decimal("0.00"),
    cash_out=Decimal("0.00"),
)


@dataclass
class FakeShifts:
    rows: list[Shift] = field(default_factory=list)
    movements: list[CashMovement] = field(default_factory=list)
    # What the store would sum for a shift: set by the test.
    takings_by_shift: dict[str, Takings] = field(default_factory=dict)
    staged: list[Shift | CashMovement] = field(default_factory=list)

    def open_one(self) -> Shift | None:
        return next((s for s in self.rows if s.closed_at is None), None)

    def get(self, shift_id: str) -> Shift | None:
        return next((s for s in self.rows if s.shift_id == shift_id), None)

    def closed(self, limit: int) -> list[Shift]:
        done = [s for s in self.rows if s.closed_at is not None]
        return sorted(done, key=lambda s: s.closed_at or s.opened_at, reverse=True)[:limit]

    def add(self, shift: Shift) -> None:
        self.staged.append(shift)

    def add_movement(self, move: CashMovement) -> None:
        self.staged.append(move)

    def takings(self, shift_id: str) -> Takings:
        return self.takings_by_shift.get(shift_id, NO_TAKINGS)

    def publish(self) -> None:
        for row in self.staged:
            (self.rows if isinstance(row, Shift) else self.movements).append(row)
        self.staged.clear()


@dataclass
class Sold:
    sale: Sale
    lines: list[SaleLine]
    movements: list[StockMovement]
    payments: list[Payment]


@dataclass
class FakeSales:
    by_number: dict[str, Sale] = field(default_factory=dict)
    sold: list[Sold] = field(default_factory=list)
    staged_sales: list[Sold] = field(default_factory=list)
    refunds: list[tuple[Refund, list[RefundLine], list[StockMovement], list[Payment]]] = field(
        default_factory=list
    )
    staged: list[tuple[Refund, list[RefundLine], list[StockMovement], list[Payment]]] = field(
        default_factory=list
    )

    def add_sale(
        self,
        sale: Sale,
        lines: list[SaleLine],
        movements: list[StockMovement],
        payments: list[Payment],
    ) -> None:
        self.staged_sales.append(Sold(sale, lines, movements, payments))

    def by_receipt(self, receipt_no: str) -> Sale | None:
        return self.by_number.get(receipt_no)

    def refunded(self, sale_id: str) -> dict[str, RefundedSoFar]:
        sale = next(s for s in self.by_number.values() if s.sale_id == sale_id)
        mine = {line.line_id for line in sale.lines}
        so_far: dict[str, RefundedSoFar] = {}
        for _, lines, _, _ in self.refunds:
            for r in lines:
                if r.sale_line_id in mine:
                    was = so_far.get(r.sale_line_id, RefundedSoFar())
                    so_far[r.sale_line_id] = RefundedSoFar(
                        was.quantity + r.quantity, was.amount + r.amount, was.gst + r.gst
                    )
        return so_far

    def add_refund(
        self,
        refund: Refund,
        lines: list[RefundLine],
        movements: list[StockMovement],
        payments: Sequence[Payment],
    ) -> None:
        self.staged.append((refund, lines, movements, list(payments)))

    def publish(self) -> None:
        self.refunds += self.staged
        self.sold += self.staged_sales
        self.staged.clear()
        self.staged_sales.clear()


@dataclass
class FakeParked:
    rows: dict[str, ParkedCart] = field(default_factory=dict)
    added: list[ParkedCart] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)

    def add(self, parked: ParkedCart) -> None:
        self.added.append(parked)

    def take(self, parked_id: str) -> ParkedCart | None:
        row = self.rows.get(parked_id)
        if row is not None:
            self.taken.append(parked_id)
        return row

    def all(self) -> list[ParkedCart]:
        return sorted(self.rows.values(), key=lambda r: r.parked_at)

    def publish(self) -> None:
        self.rows.update((p.parked_id, p) for p in self.added)
        for parked_id in self.taken:
            del self.rows[parked_id]
        self.rollback()

    def rollback(self) -> None:
        self.added.clear()
        self.taken.clear()


@dataclass
class FakeStaff:
    rows: dict[str, Staff] = field(default_factory=dict)

    def by_code(self, code: str) -> Staff | None:
        return self.rows.get(code)

    def active(self) -> list[Staff]:
        return sorted((s for s in self.rows.values() if s.active), key=lambda s: s.display_name)


@dataclass
class FakeCustomers:
    rows: dict[str, Customer] = field(default_factory=dict)
    staged: list[Customer] = field(default_factory=list)

    def get(self, customer_id: str) -> Customer | None:
        return self.rows.get(customer_id)

    def by_phone(self, phone: str) -> list[Customer]:
        return [c for c in self.rows.values() if c.phone == phone]

    def by_member_no(self, member_no: str) -> Customer | None:
        return next((c for c in self.rows.values() if c.member_no == member_no), None)

    def named(self, words: str, limit: int) -> list[Customer]:
        found = [
            c
            for c in self.rows.values()
            if words.lower() in f"{c.name or ''} {c.company_name or ''}".lower()
        ]
        return sorted(found, key=lambda c: (c.name or "", c.member_no or ""))[:limit]

    def add(self, customer: Customer) -> None:
        self.staged.append(customer)

    def publish(self) -> None:
        self.rows.update((c.customer_id, c) for c in self.staged)
        self.staged.clear()


@dataclass
class FakePoints:
    rows: list[LoyaltyEntry] = field(default_factory=list)
    staged: list[LoyaltyEntry] = field(default_factory=list)
    category_of: dict[str, str | None] = field(default_factory=dict)
    heard: dict[str, MemberPoints] = field(default_factory=dict)  # from head office

    def add(self, entry: LoyaltyEntry) -> None:
        self.staged.append(entry)

    def of_sale(self, sale_id: str) -> list[LoyaltyEntry]:
        return [e for e in self.rows if e.sale_id == sale_id]

    def balance(self, customer_id: str) -> int:
        return sum(e.points for e in self.rows if e.customer_id == customer_id)

    def categories(self, product_ids: Sequence[str]) -> dict[str, str | None]:
        return {p: self.category_of.get(p) for p in product_ids}

    def from_head_office(self, customer_id: str) -> MemberPoints | None:
        return self.heard.get(customer_id)

    def remember(self, found: Sequence[MemberPoints]) -> None:
        self.heard.update({row.customer_id: row for row in found})

    def members(self) -> list[str]:
        return sorted(self.heard)

    def publish(self) -> None:
        self.rows += self.staged
        self.staged.clear()


@dataclass(frozen=True)
class Emitted:
    kind: EventKind
    payload: WireModel
    at: datetime


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.shifts = FakeShifts()
        self.sales = FakeSales()
        self.parked = FakeParked()
        self.staff = FakeStaff()
        self.customers = FakeCustomers()
        self.points = FakePoints()
        self.counters: dict[str, int] = {}
        self._counters: dict[str, int] = {}
        self.events: list[Emitted] = []
        self.audits: list[chain.AuditRecord] = []
        self.commits = 0
        self._events: list[Emitted] = []
        self._audits: list[chain.AuditRecord] = []
        self.writing = False

    def __call__(self, *, write: bool = True) -> Self:
        self.writing = write
        return self

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Whatever was not committed is rolled back.
        self.shifts.staged.clear()
        self.sales.staged.clear()
        self.sales.staged_sales.clear()
        self.parked.rollback()
        self.customers.staged.clear()
        self.points.staged.clear()
        self._counters.clear()
        self._events.clear()
        self._audits.clear()

    def commit(self) -> None:
        assert self.writing, "a read-only unit of work cannot commit"
        self.shifts.publish()
        self.sales.publish()
        self.parked.publish()
        self.customers.publish()
        self.points.publish()
        self.counters.update(self._counters)
        self._counters.clear()
        self.events += self._events
        self.audits += self._audits
        self._events.clear()
        self._audits.clear()
        self.commits += 1

    def next_number(self, counter: str) -> int:
        value = self._counters.get(counter, self.counters.get(counter, 0)) + 1
        self._counters[counter] = value
        return value

    def peek_number(self, counter: str) -> int:
        return self.counters.get(counter, 0) + 1

    def emit(
        self,
        kind: EventKind,
        payload: WireModel | Callable[[], WireModel | dict[str, Any]],
        at: datetime,
    ) -> str:
        built = payload if isinstance(payload, WireModel) else payload()
        if not isinstance(built, WireModel):  # a JSON body: held to its model, as the server does
            built = PAYLOAD_MODELS[(kind, 1)].model_validate_json(json.dumps(built))
        self._events.append(Emitted(kind, built, at))
        return str(uuid.uuid4())

    def audit(
        self,
        action: str,
        *,
        actor: str | None,
        at: datetime,
        subject: str | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> chain.AuditRecord:
        written = self._audits or self.audits
        record = chain.append(
            written[-1] if written else None,
            till_id="00000000-0000-4000-8000-000000000001",
            epoch=1,
            occurred_at=at,
            actor=actor,
            action=action,
            subject=subject,
            before=before,
            after=after,
        )
        self._audits.append(record)
        return record

    def kinds(self) -> list[EventKind]:
        return [e.kind for e in self.events]
