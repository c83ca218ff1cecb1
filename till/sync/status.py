"""What a person (or the till's screen) needs to know about a till's sync, read from its store.

Everything comes from the store, not from a running agent's memory, so ``sgpos-sync status``
answers the same while the agent runs, after it crashed, or when it was never started.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.protocol import REFUSED_REASON, EventOutcome
from till.store.db import Store
from till.store.models import OutboxEvent, SyncState, TillIdentity
from till.store.outbox import backlog
from till.sync.credentials import secret_path

# The newest quarantined events listed in full; the count covers all of them.
QUARANTINE_LISTED = 50
_QUARANTINED = OutboxEvent.outcome == EventOutcome.QUARANTINED.value
_REFUSED = OutboxEvent.outcome_reason.startswith(REFUSED_REASON, autoescape=True)


def read_status(store: Store, data_dir: Path, *, now: datetime) -> dict[str, Any]:
    """A JSON-able snapshot of the till's sync state."""
    with store.read() as s:
        ident = s.get(TillIdentity, 1)
        state = s.get(SyncState, 1)
        waiting = backlog(s)
        quarantined = _quarantined(s)
        quarantined_count = len(quarantined)
        if quarantined_count == QUARANTINE_LISTED:
            quarantined_count = s.scalar(select(func.count()).where(_QUARANTINED)) or 0
        refused_count = (
            s.scalar(select(func.count()).where(_QUARANTINED, _REFUSED)) or 0
            if quarantined_count
            else 0
        )
    last_push = state.last_push_at if state else None
    last_pull = state.last_pull_at if state else None
    error_at = state.last_error_at if state else None
    last_contact = max((t for t in (last_push, last_pull) if t is not None), default=None)
    return {
        "till_id": ident.till_id if ident else None,
        "till_code": ident.till_code if ident else None,
        "outlet_id": ident.outlet_id if ident else None,
        "epoch": ident.epoch if ident else None,
        "central_url": ident.central_url if ident else None,
        "enrolled": bool(ident and ident.enrolled_at and secret_path(data_dir).exists()),
        # Online: the last time the agent spoke to head office, it worked.
        "online": last_contact is not None and (error_at is None or last_contact > error_at),
        "pending": waiting.pending,
        "oldest_pending_at": _iso(waiting.oldest_at),
        "oldest_pending_age_s": (
            round((now - waiting.oldest_at).total_seconds(), 1) if waiting.oldest_at else None
        ),
        "acked": {
            "epoch": state.acked_epoch if state else 0,
            "seq": state.acked_seq if state else 0,
        },
        "last_push_at": _iso(last_push),
        "last_pull_at": _iso(last_pull),
        "prices_as_of": _iso(state.prices_as_of if state else None),
        "pull_cursor": state.pull_cursor if state else "0",
        "last_error": state.last_error if state else None,
        "last_error_at": _iso(error_at),
        # In sync: head office holds every event this till made, each counted in its reports.
        "in_sync": waiting.pending == 0 and quarantined_count == 0,
        "quarantined_count": quarantined_count,
        "refused_count": refused_count,
        "quarantined": quarantined,
    }


def not_in_sync(status: dict[str, Any], data_dir: Path) -> str | None:
    """Why a till whose queue is empty is still not in sync, and what to do; None if it is.

    A quarantined event was acknowledged, so nothing is left to send, but head office counts it
    in no report: the till's figures and head office's differ until someone there acts."""
    count = status["quarantined_count"]
    if not count:
        return None
    latest = status["quarantined"][0]["reason"] if status["quarantined"] else "unknown"
    refused = status["refused_count"]
    security = (
        f" {refused} of them were refused as naming another till's data: a security alarm at "
        "head office — call support before trading on, this till may have been tampered with."
        if refused
        else ""
    )
    return (
        f"not in sync: every event was sent, but head office set {count} aside "
        f"(quarantined) and counts them in no report; the latest because: {latest}.{security} "
        "Nothing can be resent from here: tell head office (their Fleet page lists them under "
        f"this till) and send them 'sgpos-sync --data-dir {data_dir} status'. Selling is not "
        "affected."
    )


def _quarantined(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            OutboxEvent.event_id,
            OutboxEvent.epoch,
            OutboxEvent.seq,
            OutboxEvent.kind,
            OutboxEvent.outcome_reason,
        )
        .where(_QUARANTINED)
        .order_by(OutboxEvent.epoch.desc(), OutboxEvent.seq.desc())
        .limit(QUARANTINE_LISTED)
    )
    return [
        {
            "event_id": r.event_id,
            "epoch": r.epoch,
            "seq": r.seq,
            "kind": r.kind,
            "reason": r.outcome_reason,
        }
        for r in rows
    ]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
