"""The unit of work: everything one cashier action writes commits together or not at all.

A completed sale, its lines, payments, stock movements, audit record and outbox events are
added through one ``UnitOfWork`` and committed in one SQLite transaction, before the receipt
prints. If anything fails, nothing is written and the caller still holds its cart.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self, cast

from sqlalchemy import Row, Table, bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shared import audit as chain
from shared.logs import get_logger
from shared.protocol import AuditRecordedV1, EventKind
from shared.wire import WireModel, sealed_model, sealed_typed
from till.store.db import Store, StoreError, translate
from till.store.models import AuditRecord, Base, Counter
from till.store.repos import (
    Customers,
    Documents,
    GiftVouchers,
    Parked,
    People,
    Points,
    Sales,
    Shifts,
    StockBook,
)
from till.store.types import utc_text

# Who this till is, and the last outbox seq of its epoch: an event's seq is the next one. The
# outbox keeps every event (acknowledged ones too) and a unit of work holds the store's write
# lock, so one past the highest is gap-free without a counter row to bump per event.
_IDENTITY = (
    "SELECT till_id, epoch, (SELECT coalesce(max(seq), 0) FROM outbox"
    " WHERE outbox.epoch = till_identity.epoch) AS last_seq"
    " FROM till_identity WHERE singleton = 1"
)
# Straight to the driver: a sale's hottest statement, with nothing for SQLAlchemy to compile
# or convert (``occurred_at`` goes in as ``UtcDateTime`` writes it).
_OUTBOX = (
    "INSERT INTO outbox (epoch, seq, event_id, kind, schema_version, occurred_at, payload,"
    " payload_sha256, attempts) VALUES (?, ?, ?, ?, 1, ?, ?, ?, 0)"
)
# The chain's last link of an epoch, as plain columns (no ORM object to build and track).
_LAST_LINK = (
    select(*cast(Table, AuditRecord.__table__).c)
    .where(AuditRecord.epoch == bindparam("epoch"))
    .order_by(AuditRecord.seq.desc())
    .limit(1)
)
_BUMP = text(
    "INSERT INTO counter (name, value) VALUES (:name, 1) "
    "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value"
)


log = get_logger(__name__)


class NotSetUp(StoreError):
    pass


class OutboxNews:
    """Who hears that a unit of work has committed events for head office: the till's sync,
    so that what it shows waiting (the status line) is read again at once and a push goes,
    after every write that queues events (a sale, a refund, a void, a stock document, a shift
    opened or closed, a sign-in), not at the next background read. One place, at the commit:
    no screen has to remember it, and a write that emits nothing is not news.

    The listener is called on the committing thread after the transaction is durable; it must
    return at once (the sync's ``nudge`` only sets a flag)."""

    def __init__(self) -> None:
        self._listener: Callable[[], None] | None = None

    def listen(self, listener: Callable[[], None] | None) -> None:
        self._listener = listener

    def committed(self) -> None:
        listener = self._listener
        if listener is None:
            return
        try:
            listener()
        except Exception:
            # The write is committed: a cashier must not see it fail (and ring it again)
            # because the status line could not be told; the next background read catches up.
            log.exception("outbox.news_failed")


@dataclass(frozen=True)
class Identity:
    till_id: str
    epoch: int


class UnitOfWork:
    """One transaction on the store. ``write=False`` reads only: it never waits for a writer
    (the sync agent's acknowledgements) and cannot commit."""

    def __init__(self, store: Store, *, write: bool = True, news: OutboxNews | None = None) -> None:
        self.store = store
        self.write = write
        self.news = news
        self._emitted = 0  # events queued since the last commit
        self._identity: Identity | None = None
        self._last_seq = 0
        self._last_link: chain.AuditRecord | None = None

    def __enter__(self) -> Self:
        engine = self.store.writer if self.write else self.store.engine
        self.session = Session(engine, expire_on_commit=False, autoflush=True)
        self.shifts = Shifts(self.session)
        self.sales = Sales(self.session)
        self.parked = Parked(self.session)
        self.staff = People(self.session)
        self.documents = Documents(self.session)
        self.customers = Customers(self.session)
        self.points = Points(self.session)
        self.stock = StockBook(self.session)
        self.vouchers = GiftVouchers(self.session)
        try:
            self.session.begin()
            self.session.connection()  # take the write lock now, not half-way through
        except DBAPIError as exc:
            self.session.close()
            raise translate(exc, self.store.path) or exc from exc
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self.write:
                # What was read stays readable after the transaction (a rollback would expire it).
                self.session.expunge_all()
            if self.session.in_transaction():
                self.session.rollback()
        finally:
            self.session.close()
        if (
            isinstance(exc, DBAPIError)
            and (friendly := translate(exc, self.store.path)) is not None
        ):
            raise friendly from exc

    def commit(self) -> None:
        if not self.write:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            self.session.commit()
        except DBAPIError as exc:
            raise translate(exc, self.store.path) or exc from exc
        emitted, self._emitted = self._emitted, 0
        if emitted and self.news is not None:
            self.news.committed()

    # --- identity and gap-free numbers ------------------------------------------------------

    @property
    def identity(self) -> Identity:
        if self._identity is None:
            row = self.session.connection().exec_driver_sql(_IDENTITY).first()
            if row is None:
                raise NotSetUp(
                    "this till has no identity yet: enrol it (sgpos-install) or start the demo"
                )
            self._identity = Identity(row.till_id, row.epoch)
            self._last_seq = row.last_seq
        return self._identity

    def next_seq(self) -> tuple[int, int]:
        """(epoch, seq) of the next outbox event, taken inside this transaction."""
        epoch = self.identity.epoch
        self._last_seq += 1
        return epoch, self._last_seq

    def next_number(self, counter: str) -> int:
        """The next value of a gap-free counter, taken inside this transaction."""
        # Core, not the ORM session: this runs twice per sale and the ORM's per-statement
        # bookkeeping costs more than the statement itself.
        value = self.session.connection().execute(_BUMP, {"name": counter}).scalar_one()
        return int(value)

    def peek_number(self, counter: str) -> int:
        """The value :meth:`next_number` would give next, taking nothing."""
        value = self.session.scalar(select(Counter.value).where(Counter.name == counter))
        return int(value or 0) + 1

    def insert(self, model: type[Base], rows: list[dict[str, Any]]) -> None:
        """Bulk-insert plain rows of ``model`` (one executemany, no unit-of-work bookkeeping)."""
        if rows:
            self.session.connection().execute(insert(cast(Table, model.__table__)), rows)

    # --- outbox and audit -------------------------------------------------------------------

    def emit(
        self,
        kind: EventKind,
        payload: WireModel | Callable[[], WireModel | dict[str, Any]],
        at: datetime,
    ) -> str:
        """Queue an event for head office in this same transaction; returns its event id.

        ``payload`` may be a function that builds it (building is then part of emitting, so
        ``bench.sale`` can price a sale with and without its event honestly), and build it as
        the payload model's JSON body from typed values (the sale, the hottest path)."""
        built = payload if isinstance(payload, WireModel) else payload()
        raw, digest = sealed_model(built) if isinstance(built, WireModel) else sealed_typed(built)
        epoch, seq = self.next_seq()
        event_id = str(uuid.uuid4())
        self.session.connection().exec_driver_sql(
            _OUTBOX,
            (epoch, seq, event_id, kind.value, utc_text(at), raw.decode("utf-8"), digest),
        )
        self._emitted += 1
        return event_id

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
        """Append a link to this till's audit chain and queue it for head office."""
        ident = self.identity
        if self._last_link is None:
            last = self.session.connection().execute(_LAST_LINK, {"epoch": ident.epoch}).first()
            self._last_link = to_chain(last) if last else None
        record = chain.append(
            self._last_link,
            till_id=ident.till_id,
            epoch=ident.epoch,
            occurred_at=at,
            actor=actor,
            action=action,
            subject=subject,
            before=before,
            after=after,
        )
        # The next link of this transaction follows this one without reading it back.
        self._last_link = record
        data = record.to_dict()
        self.insert(
            AuditRecord,
            [
                {
                    "till_id": record.till_id,
                    "epoch": record.epoch,
                    "seq": record.seq,
                    "occurred_at": data["occurred_at"],
                    "actor": record.actor,
                    "action": record.action,
                    "subject": record.subject,
                    "before": data["before"],
                    "after": data["after"],
                    "prev_hash": record.prev_hash,
                    "hash": record.hash,
                }
            ],
        )
        self.emit(
            EventKind.AUDIT_RECORDED, AuditRecordedV1.model_validate_json(json.dumps(data)), at
        )
        return record


def to_chain(row: AuditRecord | Row[Any]) -> chain.AuditRecord:
    """A stored link back in the chain's own form, for appending and verifying."""
    return chain.AuditRecord.from_dict(
        {
            "till_id": row.till_id,
            "epoch": row.epoch,
            "seq": row.seq,
            "occurred_at": row.occurred_at,
            "actor": row.actor,
            "action": row.action,
            "subject": row.subject,
            "before": row.before,
            "after": row.after,
            "prev_hash": row.prev_hash,
            "hash": row.hash,
        }
    )
