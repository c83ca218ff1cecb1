"""The agent's reads and writes in the till's store: what to send, what head office answered.

Two rules carry the whole design (DESIGN §7.1, §7.4):

- An event is marked acknowledged, and the high-water mark moved past it, only after head
  office has answered for it, in one transaction with every other mark of that answer. The mark
  only moves forward and only over the contiguous prefix of the batch that was answered for, so
  the pending events are always the key range after it (``till.store.outbox``).
- A pull page's changes and its ``next_cursor`` commit in one transaction: a kill between pages
  resumes at exactly the next one, and a page that cannot be applied leaves nothing behind.

Every method is synchronous and short; the agent runs them on its one store thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import tuple_, update

from shared.gc_pause import cycle_collection_paused
from shared.protocol import Event, EventOutcome, MemberPoints, PullPage, PushOk, TillReport
from shared.wire import APP_VERSION_MAX, STORE_REVISION_MAX
from till.store.db import Store
from till.store.master import AppliedCounts, apply_changes
from till.store.models import MemberPoints as MemberPoints_
from till.store.models import OutboxEvent, SyncState, TillIdentity
from till.store.outbox import backlog, pending, sync_state, to_wire
from till.store.resend import send_again_as_asked
from till.store.uow import UnitOfWork
from till.sync.credentials import Credential, CredentialError, read_secret

Clock = Callable[[], datetime]
Key = tuple[int, int]  # (epoch, seq)
INITIAL_CURSOR = "0"  # a new till's initial load is the same walk, from the start


class NotEnrolled(RuntimeError):
    """The till has no identity, credential or head-office address to sync with."""


class CursorMoved(RuntimeError):
    """The pull cursor changed under the agent (something else pulled); the page was dropped."""


@dataclass(frozen=True)
class Target:
    """Who this till is and where head office is, as of this cycle (a re-enrolment or a new
    epoch takes effect at the next cycle without a restart)."""

    url: str
    credential: Credential
    epoch: int


@dataclass(frozen=True)
class Batch:
    keys: list[Key]
    events: list[Event]
    report: TillReport

    def describe(self) -> str:
        (e1, s1), (e2, s2) = self.keys[0], self.keys[-1]
        if len(self.keys) == 1:
            return f"the event at epoch {e1}, seq {s1}"
        if e1 == e2:
            return f"{len(self.keys)} events (epoch {e1}, seq {s1}–{s2})"
        return f"{len(self.keys)} events (epoch {e1} seq {s1} to epoch {e2} seq {s2})"


@dataclass(frozen=True)
class Acknowledged:
    counts: dict[EventOutcome, int]
    last: Key | None  # the new high-water mark; None if nothing was acknowledged
    quarantined: list[tuple[Key, str, str]]  # key, event id, reason

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class SyncBook:
    def __init__(self, store: Store, data_dir: Path, clock: Clock) -> None:
        self.store = store
        self.data_dir = data_dir
        self.clock = clock

    # --- who we are ---------------------------------------------------------------------

    def target(self, central_url: str | None) -> Target:
        with self.store.read() as s:
            ident = s.get(TillIdentity, 1)
            if ident is None:
                raise NotEnrolled(
                    "this till has no identity yet: enrol it with head office "
                    f"('sgpos-sync --data-dir {self.data_dir} enroll --central URL --code CODE')"
                )
            till_id, epoch, enrolled_url = ident.till_id, ident.epoch, ident.central_url
        url = central_url or enrolled_url
        if not url:
            raise NotEnrolled(
                "this till does not know head office's address: enrol it, or set central_url"
            )
        try:
            secret = read_secret(self.data_dir)
        except CredentialError as exc:
            raise NotEnrolled(str(exc)) from None
        return Target(url=url, credential=Credential(till_id, secret), epoch=epoch)

    # --- push ---------------------------------------------------------------------------

    def next_batch(
        self, till_id: str, limit: int, *, app_version: str, store_revision: str
    ) -> Batch | None:
        """The oldest pending events in (epoch, seq) order, with the till's report. The
        report's backlog is what waits behind this batch: once head office has applied the
        batch, that is what is still to come (head office shows it on its fleet page)."""
        with self.store.read() as s:
            rows = pending(s, limit)
            if not rows:
                return None
            waiting = backlog(s, behind=(rows[-1].epoch, rows[-1].seq))
        report = TillReport(
            app_version=app_version[:APP_VERSION_MAX],
            store_revision=store_revision[:STORE_REVISION_MAX],
            backlog=waiting.pending,
            oldest_pending_at=waiting.oldest_at,
            sent_at=self.clock(),
        )
        return Batch(
            keys=[(r.epoch, r.seq) for r in rows],
            events=[to_wire(r, till_id) for r in rows],
            report=report,
        )

    def acknowledge(self, batch: Batch, answer: PushOk) -> Acknowledged:
        """Record head office's answer for the contiguous answered prefix of ``batch`` and move
        the high-water mark to its end, all in one transaction."""
        results = {r.event_id: r for r in answer.results}
        prefix = []
        for key, event in zip(batch.keys, batch.events, strict=True):
            result = results.get(event.event_id)
            if result is None or result.seq != event.seq:
                break  # everything after an unanswered event stays pending, in order
            prefix.append((key, event, result))
        counts = dict.fromkeys(EventOutcome, 0)
        if not prefix:
            return Acknowledged(counts, None, [])
        now = self.clock()
        with UnitOfWork(self.store) as uow:
            state = sync_state(uow.session)
            uow.session.execute(
                update(OutboxEvent),
                [
                    {
                        "epoch": key[0],
                        "seq": key[1],
                        "acked_at": now,
                        "outcome": result.outcome.value,
                        "outcome_reason": result.reason,
                    }
                    for key, _, result in prefix
                ],
            )
            last = prefix[-1][0]
            if last > (state.acked_epoch, state.acked_seq):  # forward only, never back
                state.acked_epoch, state.acked_seq = last
            state.last_push_at = now
            uow.commit()
        for _, _, result in prefix:
            counts[result.outcome] += 1
        quarantined = [
            (key, str(event.event_id), result.reason or "no reason given")
            for key, event, result in prefix
            if result.outcome is EventOutcome.QUARANTINED
        ]
        return Acknowledged(counts, last, quarantined)

    def record_send_failure(self, batch: Batch, problem: str) -> None:
        """The batch did not get through: count the attempt on each event, and say why."""
        now = self.clock()
        with UnitOfWork(self.store) as uow:
            uow.session.execute(
                update(OutboxEvent)
                .where(tuple_(OutboxEvent.epoch, OutboxEvent.seq).in_(batch.keys))
                .values(attempts=OutboxEvent.attempts + 1, last_error=problem[:500]),
                execution_options={"synchronize_session": False},
            )
            state = sync_state(uow.session)
            state.last_error, state.last_error_at = problem[:500], now
            uow.commit()

    def record_problem(self, problem: str) -> None:
        now = self.clock()
        with UnitOfWork(self.store) as uow:
            state = sync_state(uow.session)
            state.last_error, state.last_error_at = problem[:500], now
            uow.commit()

    # --- pull ---------------------------------------------------------------------------

    def cursor(self) -> str:
        with self.store.read() as s:
            state = s.get(SyncState, 1)
            return state.pull_cursor if state else INITIAL_CURSOR

    def apply_page(self, cursor: str, page: PullPage, *, asked_at: datetime) -> AppliedCounts:
        """Apply ``page`` and store its ``next_cursor`` together; MasterDataError rolls both
        back (the till keeps the catalogue and the cursor it had)."""
        # Tens of thousands of short-lived rows and models per page (see shared.gc_pause).
        with cycle_collection_paused(), UnitOfWork(self.store) as uow:
            state = sync_state(uow.session)
            if state.pull_cursor != cursor:
                raise CursorMoved(
                    f"the pull cursor moved from {cursor!r} to {state.pull_cursor!r} meanwhile"
                )
            counts = apply_changes(uow.session, page.changes)
            # Head office asked for an event again: queued with the page that asked, once.
            send_again_as_asked(uow, self.clock())
            state.pull_cursor = page.next_cursor
            state.last_pull_at = self.clock()
            if not page.has_more:
                # Everything head office had committed when we asked is now on the till.
                state.prices_as_of = asked_at
            uow.commit()
        return counts

    # --- members' points ----------------------------------------------------------------

    def members(self) -> list[str]:
        with UnitOfWork(self.store) as uow:
            return uow.points.members()

    def remember_points(self, answer: MemberPoints) -> int:
        """Head office's word on each member's points, as of its answer; how many."""
        known = set(self.members())
        rows = [
            MemberPoints_(
                customer_id=str(m.customer_id),
                elsewhere=m.elsewhere,
                tier=m.tier,
                as_of=answer.as_of,
            )
            for m in answer.members
            if str(m.customer_id) in known
        ]
        with UnitOfWork(self.store) as uow:
            uow.points.remember(rows)
            uow.commit()
        return len(rows)
