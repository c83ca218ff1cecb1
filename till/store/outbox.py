"""Reading the outbox: what is pending, and each row as the wire event it stands for.

Events are acknowledged strictly in (epoch, seq) order, and SyncState keeps the high-water
mark of the last acknowledged one; so "pending" is always a primary-key range scan that starts
after the mark and never a walk through the acknowledged history.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from shared.protocol import Event
from till.store.models import OutboxEvent, SyncState


def to_wire(row: OutboxEvent, till_id: str) -> Event:
    """The event exactly as it was hashed when the fact was committed."""
    return Event(
        event_id=uuid.UUID(row.event_id),
        till_id=uuid.UUID(till_id),
        epoch=row.epoch,
        seq=row.seq,
        kind=row.kind,
        schema_version=row.schema_version,
        occurred_at=row.occurred_at,
        payload=json.loads(row.payload),
        payload_sha256=row.payload_sha256,
    )


def sync_state(session: Session) -> SyncState:
    """The one SyncState row, created on first use."""
    state = session.get(SyncState, 1)
    if state is None:
        state = SyncState(singleton=1, pull_cursor="0", acked_epoch=0, acked_seq=0)
        session.add(state)
        session.flush()
    return state


def _after_mark(session: Session) -> ColumnElement[bool]:
    state = session.get(SyncState, 1)
    return _after((state.acked_epoch, state.acked_seq) if state else (0, 0))


def unacknowledged(session: Session) -> ColumnElement[bool]:
    """A condition on OutboxEvent: not yet acknowledged by head office."""
    return _after_mark(session)


def _after(key: tuple[int, int]) -> ColumnElement[bool]:
    epoch, seq = key
    return or_(OutboxEvent.epoch > epoch, and_(OutboxEvent.epoch == epoch, OutboxEvent.seq > seq))


def pending(session: Session, limit: int) -> list[OutboxEvent]:
    """The oldest unacknowledged events, in the order they must be sent."""
    query = (
        select(OutboxEvent)
        .where(_after_mark(session))
        .order_by(OutboxEvent.epoch, OutboxEvent.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_at: datetime | None


def backlog(session: Session, *, behind: tuple[int, int] | None = None) -> Backlog:
    """Unacknowledged events; with ``behind`` an (epoch, seq), only those after it."""
    where = _after_mark(session)
    if behind is not None:
        where = and_(where, _after(behind))
    count, oldest = session.execute(
        select(func.count(), func.min(OutboxEvent.occurred_at)).where(where)
    ).one()
    return Backlog(int(count), oldest)
