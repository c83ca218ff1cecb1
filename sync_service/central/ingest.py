"""Applying a till's push: every event exactly once, in one PostgreSQL transaction.

For each event of a batch: a key ``(till_id, epoch, seq)`` already in ``inbox`` with the same
payload hash is a duplicate and is acknowledged; the same key with another hash is a conflict
(a till restored from an old backup, say) and is quarantined and alarmed, never dropped; a
payload that fails validation is quarantined and acknowledged so it never blocks the queue.
Valid events are projected into the fact tables with bulk statements; a fact that collides
with a different stored fact (a receipt number used twice) is quarantined too. Idempotency
lives in these constraints, so any number of server processes may share the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from psycopg2.errors import UniqueViolation
from sqlalchemy import Connection, Engine, and_, any_, cast, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY, UUID, array
from sqlalchemy.exc import IntegrityError

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
from sync_service.central.bulk import bulk_insert
from sync_service.central.projections import INBOX, PROJECTIONS, QUARANTINE, TILL, Batch, inbox_row
from sync_service.central.tills import TillAuth
from sync_service.central.trust import refuse_untrusted

log = get_logger("sgpos.ingest")
RETRIES = 3


def apply_push(
    engine: Engine, till: TillAuth, request: PushRequest, *, now: datetime
) -> PushOk | Rejected:
    foreign = [e for e in request.events if e.till_id != till.till_id]
    if foreign:
        return Rejected(
            message="the batch holds events of another till; nothing was stored",
            events=[
                EventRejection(event_id=e.event_id, reason="not this till's event")
                for e in foreign[:50]
            ],
        )
    # Two servers applying the same batch at once: the loser's insert into the inbox fails on
    # the key, and a retry then sees every event as a duplicate. The database decides.
    for attempt in range(1, RETRIES + 1):
        batch = Batch(till, now)
        try:
            with engine.begin() as conn:
                _sort(conn, batch, request.events)
                refuse_untrusted(conn, batch)  # another till's facts: refused, stored nowhere
                _project(conn, batch)
                # No ON CONFLICT for the inbox: a server that lost a race must fail and retry.
                bulk_insert(conn, INBOX, batch.inbox, on_conflict=None)
                bulk_insert(conn, QUARANTINE, batch.quarantine)
                _record_report(conn, till, request, now)
            break
        except (IntegrityError, UniqueViolation):
            if attempt == RETRIES:
                raise
            log.info("push.retry_after_race", till_id=str(till.till_id), attempt=attempt)
    if batch.quarantine:
        log.warning(
            "push.quarantined",
            till_id=str(till.till_id),
            count=len(batch.quarantine),
            reasons=sorted({q["reason"][:80] for q in batch.quarantine})[:5],
        )
    return PushOk(results=[batch.results[e.event_id] for e in request.events], server_time=now)


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
                INBOX.c.event_id == any_(cast(array([e.event_id for e in events]), ARRAY(UUID))),
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
            payload = event.parsed_payload()
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


def _project(conn: Connection, batch: Batch) -> None:
    for kind, project in PROJECTIONS.items():
        items = batch.applied.get(kind)
        if items:
            project(conn, batch, items)
    # Summaries last, once per table: the same transaction as the facts they add up.
    batch.summaries.flush(conn)
    # Every event that survived projection is applied; record it in the inbox.
    for items in batch.applied.values():
        for event, _ in items:
            if event.event_id not in batch.results:
                batch.results[event.event_id] = EventResult(
                    event_id=event.event_id, seq=event.seq, outcome=EventOutcome.APPLIED
                )
                batch.inbox.append(inbox_row(event, "applied"))


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
            clock_skew_s=round((report.sent_at - now).total_seconds()),
        )
    )
