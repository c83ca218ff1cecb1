"""What a person (or the till's screen) needs to know about a till's sync, read from its store.

Everything comes from the store, not from a running agent's memory, so ``sgpos-sync status``
answers the same while the agent runs, after it crashed, or when it was never started. The
running agent adds only what it alone knows (``halted``), and the app how it syncs (``mode``).
One typed, immutable :class:`SyncStatus` travels from the agent to the screens; JSON
(``as_json``) is made only at the edges: ``sgpos-sync status``, the doctor, the support bundle.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.protocol import REFUSED_REASON, EventOutcome
from till.store.db import Store
from till.store.models import OutboxEvent, QuarantineOutcome, SyncState, TillIdentity
from till.store.outbox import backlog
from till.sync.credentials import secret_path

# The newest quarantined events listed in full; the count covers all of them.
QUARANTINE_LISTED = 50
_QUARANTINED = OutboxEvent.outcome == EventOutcome.QUARANTINED.value
_REFUSED = OutboxEvent.outcome_reason.startswith(REFUSED_REASON, autoescape=True)

# How the till app syncs, chosen once at start-up: it runs the agent itself; the installed
# headless service (another process) holds the agent's lock; or nobody syncs (not enrolled, or
# the agent could not start).
Mode = Literal["agent", "service", "stand-alone", ""]
AGENT: Mode = "agent"
SERVICE: Mode = "service"
STAND_ALONE: Mode = "stand-alone"


@dataclass(frozen=True)
class Quarantined:
    """An event head office set aside: acknowledged, but counted in no report."""

    event_id: str
    epoch: int
    seq: int
    kind: str
    reason: str | None
    # What head office decided, in words (pulled: till.store.resend); None while it has not.
    decision: str | None = None


@dataclass(frozen=True)
class SyncStatus:
    till_id: str | None
    till_code: str | None
    outlet_id: str | None
    epoch: int | None
    central_url: str | None
    enrolled: bool
    # Online: the last time the agent spoke to head office, it worked.
    online: bool
    pending: int
    oldest_pending_at: datetime | None
    oldest_pending_age_s: float | None
    acked_epoch: int
    acked_seq: int
    last_push_at: datetime | None
    last_pull_at: datetime | None
    prices_as_of: datetime | None
    pull_cursor: str
    last_error: str | None
    last_error_at: datetime | None
    quarantined_count: int
    refused_count: int
    quarantined: tuple[Quarantined, ...]
    # What the running agent has stopped doing, and why (direction -> problem).
    halted: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    mode: Mode = ""
    # Quarantined events head office has not decided on yet (discard, accept, resend).
    undecided_count: int = 0

    @property
    def in_sync(self) -> bool:
        """Head office holds every event this till made, each counted in its reports."""
        return self.pending == 0 and self.quarantined_count == 0

    @property
    def last_contact(self) -> datetime | None:
        return max((t for t in (self.last_push_at, self.last_pull_at) if t), default=None)

    def but(self, **changes: Any) -> SyncStatus:
        """A copy with ``changes`` (``halted``, ``mode``, ``last_error``)."""
        if "halted" in changes:
            changes["halted"] = MappingProxyType(dict(changes["halted"]))
        return dataclasses.replace(self, **changes)

    def as_json(self) -> dict[str, Any]:
        """The JSON shape ``sgpos-sync status`` prints (a public surface: add, don't rename)."""
        return {
            "till_id": self.till_id,
            "till_code": self.till_code,
            "outlet_id": self.outlet_id,
            "epoch": self.epoch,
            "central_url": self.central_url,
            "enrolled": self.enrolled,
            "online": self.online,
            "pending": self.pending,
            "oldest_pending_at": _iso(self.oldest_pending_at),
            "oldest_pending_age_s": self.oldest_pending_age_s,
            "acked": {"epoch": self.acked_epoch, "seq": self.acked_seq},
            "last_push_at": _iso(self.last_push_at),
            "last_pull_at": _iso(self.last_pull_at),
            "prices_as_of": _iso(self.prices_as_of),
            "pull_cursor": self.pull_cursor,
            "last_error": self.last_error,
            "last_error_at": _iso(self.last_error_at),
            "in_sync": self.in_sync,
            "quarantined_count": self.quarantined_count,
            "undecided_count": self.undecided_count,
            "refused_count": self.refused_count,
            "quarantined": [dataclasses.asdict(q) for q in self.quarantined],
            "halted": dict(self.halted),
            **({"mode": self.mode} if self.mode else {}),
        }


def sync_status(store: Store, data_dir: Path, *, now: datetime) -> SyncStatus:
    """The till's sync state, read from its store."""
    with store.read() as s:
        ident = s.get(TillIdentity, 1)
        state = s.get(SyncState, 1)
        waiting = backlog(s)
        quarantined = _quarantined(s)
        quarantined_count = len(quarantined)
        if quarantined_count == QUARANTINE_LISTED:
            quarantined_count = s.scalar(select(func.count()).where(_QUARANTINED)) or 0
        undecided_count = (
            s.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .outerjoin(QuarantineOutcome, QuarantineOutcome.event_id == OutboxEvent.event_id)
                .where(_QUARANTINED, QuarantineOutcome.event_id.is_(None))
            )
            or 0
            if quarantined_count
            else 0
        )
        refused_count = (
            s.scalar(select(func.count()).where(_QUARANTINED, _REFUSED)) or 0
            if quarantined_count
            else 0
        )
    last_push = state.last_push_at if state else None
    last_pull = state.last_pull_at if state else None
    error_at = state.last_error_at if state else None
    last_contact = max((t for t in (last_push, last_pull) if t is not None), default=None)
    return SyncStatus(
        till_id=ident.till_id if ident else None,
        till_code=ident.till_code if ident else None,
        outlet_id=ident.outlet_id if ident else None,
        epoch=ident.epoch if ident else None,
        central_url=ident.central_url if ident else None,
        enrolled=bool(ident and ident.enrolled_at and secret_path(data_dir).exists()),
        online=last_contact is not None and (error_at is None or last_contact > error_at),
        pending=waiting.pending,
        oldest_pending_at=waiting.oldest_at,
        oldest_pending_age_s=(
            round((now - waiting.oldest_at).total_seconds(), 1) if waiting.oldest_at else None
        ),
        acked_epoch=state.acked_epoch if state else 0,
        acked_seq=state.acked_seq if state else 0,
        last_push_at=last_push,
        last_pull_at=last_pull,
        prices_as_of=state.prices_as_of if state else None,
        pull_cursor=state.pull_cursor if state else "0",
        last_error=state.last_error if state else None,
        last_error_at=error_at,
        quarantined_count=quarantined_count,
        refused_count=refused_count,
        quarantined=quarantined,
        undecided_count=undecided_count,
    )


def read_status(store: Store, data_dir: Path, *, now: datetime) -> dict[str, Any]:
    """:func:`sync_status` as JSON-able values (what ``sgpos-sync status`` prints)."""
    return sync_status(store, data_dir, now=now).as_json()


def not_in_sync(status: SyncStatus, data_dir: Path) -> str | None:
    """Why a till whose queue is empty is still not in sync, and what to do; None if it is.

    A quarantined event was acknowledged, so nothing is left to send, but head office counts it
    in no report: the till's figures and head office's differ until someone there acts."""
    count = status.undecided_count
    if not count:
        return None
    latest = (status.quarantined[0].reason or "unknown") if status.quarantined else "unknown"
    refused = status.refused_count
    security = (
        f" {refused} of them were refused as naming another till's data: a security alarm at "
        "head office — call support before trading on, this till may have been tampered with."
        if refused
        else ""
    )
    return (
        f"not in sync: every event was sent, but head office set {count} aside "
        f"(quarantined) and counts them in no report; the latest because: {latest}.{security} "
        "Nothing can be fixed from here: tell head office (their Fleet page lists them under "
        "this till: they discard each one, "
        "accept it under a new receipt number or ask this till to send it again; the decision "
        f"shows here after the next sync) and send them 'sgpos-sync --data-dir {data_dir} "
        "status'. Selling is not affected."
    )


def _quarantined(session: Session) -> tuple[Quarantined, ...]:
    o = QuarantineOutcome
    rows = session.execute(
        select(
            OutboxEvent.event_id,
            OutboxEvent.epoch,
            OutboxEvent.seq,
            OutboxEvent.kind,
            OutboxEvent.outcome_reason,
            o.outcome,
            o.reason.label("decided_because"),
            o.receipt_no,
            o.resent_as,
        )
        .outerjoin(o, o.event_id == OutboxEvent.event_id)
        .where(_QUARANTINED)
        .order_by(OutboxEvent.epoch.desc(), OutboxEvent.seq.desc())
        .limit(QUARANTINE_LISTED)
    )
    return tuple(
        Quarantined(r.event_id, r.epoch, r.seq, r.kind, r.outcome_reason, _decision(r))
        for r in rows
    )


def _decision(row: Any) -> str | None:
    if row.outcome is None:
        return None
    if row.outcome == "accepted":
        return f"accepted by head office as receipt {row.receipt_no}"
    if row.outcome == "resend":
        if row.resent_as:
            return f"head office asked for it again: sent again as event {row.resent_as}"
        return "head office asked for it again, but this till no longer holds it"
    return f"discarded by head office: {row.decided_because}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
