"""Applying a till's push: every event exactly once, in one PostgreSQL transaction.

For each event of a batch: a key ``(till_id, epoch, seq)`` already in ``inbox`` with the same
payload hash is a duplicate and is acknowledged; the same key with another hash is a conflict
(a till restored from an old backup, say) and is quarantined and alarmed, never dropped; a
payload that fails validation is quarantined and acknowledged so it never blocks the queue.
Valid events are projected into the fact tables with bulk statements; a fact that collides
with a different stored fact (a receipt number used twice) is quarantined too. Idempotency
lives in these constraints, so any number of server processes may share the database.

No event can block a queue (DESIGN.md §7, invariant 5). The protocol's limits are the
database's (``shared.wire``), but should PostgreSQL still refuse something an event carries,
the batch is projected again one event at a time, each under a savepoint: the event that fails
is quarantined with the database's reason and the rest of the batch applies. Only a lost race
with another server (the inbox key taken, a deadlock or serialisation failure) makes the whole
batch start again: the database decides, and the retry then sees those events as duplicates.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from datetime import datetime

import psycopg2
from sqlalchemy import Connection, Engine, and_, any_, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.exc import DBAPIError

from shared.gc_pause import cycle_collection_paused
from shared.logs import get_logger
from shared.protocol import (
    Event,
    EventKind,
    EventOutcome,
    EventRejection,
    EventResult,
    PayloadError,
    PushOk,
    PushRequest,
    Rejected,
)
from shared.wire import INT32_MAX
from sync_service.central.bulk import bulk_insert, copied_straight
from sync_service.central.db import database_error, failed_table, sqlstate
from sync_service.central.decode import parsed_payload
from sync_service.central.models import MASTER_WRITE_LOCK
from sync_service.central.projections import INBOX, QUARANTINE, TILL, Batch, project
from sync_service.central.tills import TillAuth
from sync_service.central.trust import refuse_untrusted

log = get_logger("sgpos.ingest")
ATTEMPTS = 4
DatabaseError = (DBAPIError, psycopg2.Error)


def lost_race(exc: BaseException) -> bool:
    """Another server applied (part of) the same batch first, or PostgreSQL chose this
    transaction as a deadlock or serialisation victim: start the batch again."""
    code = sqlstate(exc)
    if code in {"40001", "40P01"}:
        return True
    # The inbox is the one insert without ON CONFLICT: its key taken means the batch was won.
    return code == "23505" and failed_table(exc) == INBOX.name


def apply_push(
    engine: Engine, till: TillAuth, request: PushRequest, *, now: datetime
) -> PushOk | Rejected:
    foreign = [e for e in request.events if e.till_id != till.till_id]
    if foreign:
        return Rejected(
            message=f"{len(foreign)} event(s) belong to another till; nothing was stored",
            events=[
                EventRejection(event_id=e.event_id, reason="not this till's event")
                for e in foreign[:50]
            ],
        )
    for attempt in range(1, ATTEMPTS + 1):
        try:
            # Thousands of short-lived rows and models: no cycle collection over the whole
            # heap while they are built (shared.gc_pause).
            with cycle_collection_paused():
                batch = _apply(engine, till, request, now)
            break
        except DatabaseError as exc:
            if not lost_race(exc) or attempt == ATTEMPTS:
                raise
            log.info(
                "push.retry_after_race",
                till_id=str(till.till_id),
                attempt=attempt,
                sqlstate=sqlstate(exc),
            )
            time.sleep(0.01 * attempt + secrets.randbelow(20) / 1000)
    if batch.quarantine:
        log.warning(
            "push.quarantined",
            till_id=str(till.till_id),
            count=len(batch.quarantine),
            reasons=sorted({q["reason"][:80] for q in batch.quarantine})[:5],
        )
    return PushOk(results=[batch.results[e.event_id] for e in request.events], server_time=now)


def _apply(engine: Engine, till: TillAuth, request: PushRequest, now: datetime) -> Batch:
    with engine.begin() as conn:
        if any(e.kind == EventKind.CUSTOMER_UPSERTED for e in request.events):
            # Customers are master data (logged for the pull): like every master writer, take
            # the master writers' lock before any row lock, so a push never deadlocks with a
            # head-office edit (docs/sync.md, "Pull").
            conn.execute(select(func.pg_advisory_xact_lock(MASTER_WRITE_LOCK)))
        batch = Batch(till, now)
        _sort(conn, batch, request.events)
        refuse_untrusted(conn, batch)  # another till's facts: refused, stored nowhere
        batch = _project(conn, batch)
        # No ON CONFLICT for the inbox: a server that lost a race must fail and retry.
        bulk_insert(conn, INBOX, batch.inbox, on_conflict=None)
        bulk_insert(conn, QUARANTINE, batch.quarantine)
        _record_report(conn, till, request, now)
    return batch


def _project(conn: Connection, sorted_batch: Batch) -> Batch:
    """Project the batch the quick way: its facts copied straight into their tables. Should
    one collide with a stored fact (a receipt number used twice, say), the careful way: each
    table's rows staged and inserted skipping what is stored, the event that brought a
    collision quarantined with its reason. Should the database still refuse something, one
    event at a time. Each try starts from the batch as sorted (projection adds to it)."""
    for straight in (True, False):
        batch = sorted_batch.snapshot()
        try:
            with conn.begin_nested(), copied_straight(straight):
                project(conn, batch)
            return batch
        except Exception as exc:
            if lost_race(exc):
                raise
            if straight and sqlstate(exc) == "23505":
                log.info("push.careful", till_id=str(batch.till.till_id), error=database_error(exc))
                continue
            log.warning(
                "push.isolating", till_id=str(batch.till.till_id), error=database_error(exc)
            )
            break
    return _project_one_by_one(conn, sorted_batch)


def _project_one_by_one(conn: Connection, sorted_batch: Batch) -> Batch:
    """Project each event under its own savepoint, in the order the till sent them; one that
    cannot be stored is quarantined with the reason, the others apply."""
    batch = sorted_batch.snapshot()
    for event, payload in sorted_batch.to_apply():
        one = Batch(batch.till, batch.now)
        one.applied[EventKind(event.kind)].append((event, payload))
        try:
            with conn.begin_nested():
                project(conn, one)
        # Not only database errors: psycopg2 refuses some values before sending them, and a
        # fault of ours on one odd event must not stop the events behind it either.
        except Exception as exc:
            if lost_race(exc):
                raise
            reason = f"head office could not store this event: {database_error(exc)}"
            log.error(
                "push.event_refused_by_database",
                till_id=str(batch.till.till_id),
                epoch=event.epoch,
                seq=event.seq,
                kind=event.kind,
                error=database_error(exc),
            )
            batch.quarantine_event(event, reason, record_inbox=True)
            continue
        batch.absorb(one)
    return batch


def _sort(conn: Connection, batch: Batch, events: Sequence[Event]) -> None:
    """Split events into duplicates, conflicts, poison and the ones to apply."""
    # A batch is a run of seqs per epoch: read what is stored as primary-key ranges.
    spans: dict[int, list[int]] = {}
    for e in events:
        lo_hi = spans.setdefault(e.epoch, [e.seq, e.seq])
        lo_hi[0], lo_hi[1] = min(lo_hi[0], e.seq), max(lo_hi[1], e.seq)
    # One statement, so one snapshot: with two, a server committing the same batch in
    # between made genuine duplicates look like conflicts.
    found = conn.execute(
        select(
            INBOX.c.till_id,
            INBOX.c.epoch,
            INBOX.c.seq,
            INBOX.c.event_id,
            INBOX.c.payload_sha256,
            INBOX.c.outcome,
        ).where(
            or_(
                and_(
                    INBOX.c.till_id == batch.till.till_id,
                    or_(
                        *(
                            and_(INBOX.c.epoch == ep, INBOX.c.seq.between(lo, hi))
                            for ep, (lo, hi) in spans.items()
                        )
                    ),
                ),
                # One array parameter: 500 parameters cost more to compile than to run.
                INBOX.c.event_id == any_(literal([e.event_id for e in events], ARRAY(UUID))),
            )
        )
    ).all()
    stored = {(r.epoch, r.seq): r for r in found if r.till_id == batch.till.till_id}
    stored_ids = {r.event_id: (r.till_id, r.epoch, r.seq) for r in found}
    seen: dict[tuple[int, int], Event] = {}
    quarantined_again: list[Event] = []
    for event in events:
        key = (event.epoch, event.seq)
        earlier = stored.get(key) or seen.get(key)
        if earlier is not None:
            if earlier.payload_sha256 == event.payload_sha256:
                if getattr(earlier, "outcome", None) == "quarantined":
                    quarantined_again.append(event)  # still quarantined: say so again
                    continue
                batch.results[event.event_id] = EventResult(
                    event_id=event.event_id, seq=event.seq, outcome=EventOutcome.DUPLICATE
                )
            else:
                batch.quarantine_event(
                    event,
                    f"conflict: epoch {event.epoch} seq {event.seq} is already stored with "
                    "different content (was this till restored from a backup without "
                    "starting a new epoch?)",
                    record_inbox=False,
                )
            continue
        seen[key] = event
        other = stored_ids.get(event.event_id)  # its own key was not stored, so elsewhere
        if other is not None:
            batch.quarantine_event(
                event,
                f"conflict: event id already stored as till {other[0]} epoch "
                f"{other[1]} seq {other[2]}",
                record_inbox=False,
            )
            continue
        try:
            payload = parsed_payload(event)
        except PayloadError as exc:
            batch.quarantine_event(event, str(exc), record_inbox=True)
            continue
        batch.applied[EventKind(event.kind)].append((event, payload))

    _answer_quarantined_again(conn, batch, quarantined_again)


def _answer_quarantined_again(conn: Connection, batch: Batch, events: list[Event]) -> None:
    """A resent event that was quarantined before gets the same answer, with its reason, so
    the till's diagnostics keep showing it (its first answer may have been lost)."""
    if not events:
        return
    reasons = {
        (r.epoch, r.seq): r.reason
        for r in conn.execute(
            select(QUARANTINE.c.epoch, QUARANTINE.c.seq, QUARANTINE.c.reason).where(
                QUARANTINE.c.till_id == batch.till.till_id,
                or_(
                    *(
                        and_(
                            QUARANTINE.c.epoch == e.epoch,
                            QUARANTINE.c.seq == e.seq,
                            QUARANTINE.c.payload_sha256 == e.payload_sha256,
                        )
                        for e in events
                    )
                ),
            )
        )
    }
    for e in events:
        batch.results[e.event_id] = EventResult(
            event_id=e.event_id,
            seq=e.seq,
            outcome=EventOutcome.QUARANTINED,
            reason=(reasons.get((e.epoch, e.seq)) or "quarantined earlier")[:200],
        )


def _record_report(conn: Connection, till: TillAuth, request: PushRequest, now: datetime) -> None:
    report = request.till
    conn.execute(
        update(TILL)
        .where(TILL.c.till_id == till.till_id)
        .values(
            last_seen_at=now,
            app_version=report.app_version,
            store_revision=report.store_revision,
            backlog=report.backlog,
            oldest_pending_at=report.oldest_pending_at,
            # A till's clock a century out must not fail the push: the skew is informational.
            clock_skew_s=max(
                -INT32_MAX, min(INT32_MAX, round((report.sent_at - now).total_seconds()))
            ),
        )
    )
