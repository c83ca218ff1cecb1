"""What a service needs from the store, as protocols: a unit of work with repositories.

``till.store.uow.UnitOfWork`` is the real one (one SQLite transaction); the unit tests use an
in-memory one (``tests/unit/fake_uow.py``, cosmicpython's ``FakeUnitOfWork``). Services are
given a :class:`UnitsOfWork` factory by ``till.app`` and never build one themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from shared.audit import AuditRecord
from shared.cart import ProductSnapshot
from shared.protocol import EventKind
from shared.refund import RefundedSoFar
from shared.wire import WireModel
from till.store.models import (
    CashMovement,
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
from till.store.repos import RecentDocuments, Takings


class ProductLookup(Protocol):
    """The catalogue as a cart needs it (``till.store.catalogue.Catalogue``)."""

    def by_barcode(self, code: str) -> ProductSnapshot | None: ...
    def search(self, text: str, limit: int = 20) -> list[ProductSnapshot]: ...


class ShiftRepository(Protocol):
    def open_one(self) -> Shift | None: ...
    def get(self, shift_id: str) -> Shift | None: ...
    def closed(self, limit: int) -> list[Shift]: ...
    def add(self, shift: Shift) -> None: ...
    def add_movement(self, move: CashMovement) -> None: ...
    def takings(self, shift_id: str) -> Takings: ...


class SaleRepository(Protocol):
    def add_sale(
        self,
        sale: Sale,
        lines: list[SaleLine],
        movements: list[StockMovement],
        payments: list[Payment],
    ) -> None: ...
    def by_receipt(self, receipt_no: str) -> Sale | None: ...
    def refunded(self, sale_id: str) -> dict[str, RefundedSoFar]: ...
    def add_refund(
        self,
        refund: Refund,
        lines: list[RefundLine],
        movements: list[StockMovement],
        payment: Payment,
    ) -> None: ...


class ParkedRepository(Protocol):
    def add(self, parked: ParkedCart) -> None: ...
    def take(self, parked_id: str) -> ParkedCart | None: ...
    def all(self) -> list[ParkedCart]: ...


class StaffRepository(Protocol):
    def by_code(self, code: str) -> Staff | None: ...
    def active(self) -> list[Staff]: ...


class DocumentRepository(Protocol):
    def by_number(self, number: str) -> Sale | Refund | None: ...
    def sale_number(self, sale_id: str) -> str | None: ...
    def staff_name(self, staff_id: str) -> str: ...
    def ending_in(self, digits: str) -> list[str]: ...
    def since(self, moment: datetime) -> RecentDocuments: ...


class UnitOfWorkPort(Protocol):
    @property
    def shifts(self) -> ShiftRepository: ...
    @property
    def sales(self) -> SaleRepository: ...
    @property
    def parked(self) -> ParkedRepository: ...
    @property
    def staff(self) -> StaffRepository: ...
    @property
    def documents(self) -> DocumentRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...

    def next_number(self, counter: str) -> int:
        """The next value of a gap-free counter (receipt numbers), inside this transaction."""
        ...

    def peek_number(self, counter: str) -> int:
        """What :meth:`next_number` would give now, taking nothing."""
        ...

    def emit(
        self,
        kind: EventKind,
        payload: WireModel | Callable[[], WireModel | dict[str, Any]],
        at: datetime,
    ) -> str:
        """Queue an event for head office in this same transaction (``payload`` may be built
        by a function, then as the model's JSON body)."""
        ...

    def audit(
        self,
        action: str,
        *,
        actor: str | None,
        at: datetime,
        subject: str | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> AuditRecord:
        """Append a link to the till's audit chain (and queue it for head office)."""
        ...


class UnitsOfWork(Protocol):
    """Opens a unit of work: ``write=False`` for one that only reads."""

    def __call__(self, *, write: bool = True) -> UnitOfWorkPort: ...
