"""The fleet: every till head office knows, how healthy it looks, what it quarantined, and the
events it sent about other tills' facts, refused as security events.

A till reports itself with every push (``sync_service.central.ingest``): app and store
versions, the backlog still waiting behind that push and its oldest event, and its clock.
"Last seen" is the last push or pull: a running till pulls every minute even when it sells
nothing, so a till quiet for long is switched off or cut off.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, func, select, true

from sync_service.central.models import Outlet, Quarantine, SecurityEvent, Till
from sync_service.central.reports.common import Scope

Health = Literal["green", "amber", "red", "grey"]
QUIET = timedelta(hours=1)  # amber: not seen for this long during opening hours is worth a look
SILENT = timedelta(hours=24)  # red: a whole day without contact
STUCK = timedelta(minutes=15)  # amber: an event waiting this long to be sent
STALLED = timedelta(hours=1)  # red
SKEW_WARN_S = 60  # amber: receipts show a clock that is off
SKEW_ALARM_S = 300  # red: sales may land on the wrong day near midnight
BACKLOG_WARN = 500  # amber: more than one push's worth is waiting


@dataclass(frozen=True)
class TillHealth:
    till_id: uuid.UUID
    outlet_id: uuid.UUID
    outlet_code: str
    outlet_name: str
    till_code: str
    status: str  # active | revoked
    enrolled_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    app_version: str | None
    store_revision: str | None
    backlog: int | None
    oldest_pending_at: datetime | None
    clock_skew_s: int | None
    quarantined: int
    security_events: int
    health: Health
    problems: tuple[str, ...]


@dataclass(frozen=True)
class QuarantinedEvent:
    quarantine_id: int
    epoch: int
    seq: int
    event_id: uuid.UUID
    kind: str
    reason: str
    payload: dict[str, Any]
    received_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class RefusedEvent:
    """An event the till sent naming another till's facts (sync_service.central.trust)."""

    epoch: int
    seq: int
    event_id: uuid.UUID
    kind: str
    field: str
    reason: str
    received_at: datetime


def fleet(
    conn: Connection, scope: Scope, now: datetime, *, till_id: uuid.UUID | None = None
) -> list[TillHealth]:
    """Every till the viewer may see (or just ``till_id``), by outlet and till code."""
    unresolved = (
        select(func.count())
        .select_from(Quarantine)
        .where(Quarantine.till_id == Till.till_id, Quarantine.resolved_at.is_(None))
        .scalar_subquery()
    )
    refused = (
        select(func.count())
        .select_from(SecurityEvent)
        .where(SecurityEvent.till_id == Till.till_id)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            *Till.__table__.c,
            Outlet.code.label("outlet_code"),
            Outlet.name.label("outlet_name"),
            unresolved.label("quarantined"),
            refused.label("security_events"),
        )
        .join(Outlet, Outlet.outlet_id == Till.outlet_id)
        .where(scope.clause(Till.outlet_id), true() if till_id is None else Till.till_id == till_id)
        .order_by(Outlet.code, Till.code)
    ).all()
    out = []
    for till in rows:
        health, problems = judge(till, till.quarantined, now, security_events=till.security_events)
        out.append(
            TillHealth(
                till_id=till.till_id,
                outlet_id=till.outlet_id,
                outlet_code=till.outlet_code,
                outlet_name=till.outlet_name,
                till_code=till.code,
                status=till.status,
                enrolled_at=till.enrolled_at,
                revoked_at=till.revoked_at,
                last_seen_at=till.last_seen_at,
                app_version=till.app_version,
                store_revision=till.store_revision,
                backlog=till.backlog,
                oldest_pending_at=till.oldest_pending_at,
                clock_skew_s=till.clock_skew_s,
                quarantined=till.quarantined,
                security_events=till.security_events,
                health=health,
                problems=tuple(problems),
            )
        )
    return out


def judge(
    till: Any, quarantined: int, now: datetime, *, security_events: int = 0
) -> tuple[Health, list[str]]:
    """The status colour and the reasons for it, worst first."""
    if till.status == "revoked":
        return "grey", ["revoked: it can no longer sync"]
    if till.last_seen_at is None:
        return "grey", ["enrolled, has not sent anything yet"]
    red: list[str] = []
    amber: list[str] = []
    if security_events:
        # A till naming another till's receipts, shifts or sales is tampered with or
        # impersonated: the first thing to look at, and a reason to revoke it.
        red.append(
            f"{security_events} event(s) refused for naming another till's data: "
            "a security event, look at this till"
        )
    if quarantined:
        red.append(f"{quarantined} quarantined event(s) need a look")
    quiet = now - till.last_seen_at
    if quiet > SILENT:
        red.append(f"not seen for {_span(quiet)}")
    elif quiet > QUIET:
        amber.append(f"not seen for {_span(quiet)}")
    if till.oldest_pending_at is not None:
        waiting = now - till.oldest_pending_at
        if waiting > STALLED:
            red.append(f"oldest unsent event waiting {_span(waiting)}")
        elif waiting > STUCK:
            amber.append(f"oldest unsent event waiting {_span(waiting)}")
    if till.backlog is not None and till.backlog > BACKLOG_WARN:
        amber.append(f"{till.backlog} events waiting to be sent")
    skew = abs(till.clock_skew_s or 0)
    if skew > SKEW_ALARM_S:
        red.append(f"clock off by {skew} s")
    elif skew > SKEW_WARN_S:
        amber.append(f"clock off by {skew} s")
    if red:
        return "red", red + amber
    if amber:
        return "amber", amber
    return "green", []


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def quarantined_events(
    conn: Connection, scope: Scope, till_id: uuid.UUID, *, limit: int = 100
) -> list[QuarantinedEvent] | None:
    """A till's quarantined events, newest first; None when the till is not the viewer's."""
    visible = conn.scalar(
        select(Till.till_id).where(Till.till_id == till_id, scope.clause(Till.outlet_id))
    )
    if visible is None:
        return None
    q = Quarantine
    rows = conn.execute(
        select(
            q.quarantine_id,
            q.epoch,
            q.seq,
            q.event_id,
            q.kind,
            q.reason,
            q.payload,
            q.received_at,
            q.resolved_at,
        )
        .where(q.till_id == till_id)
        .order_by(q.quarantine_id.desc())
        .limit(limit)
    ).all()
    return [QuarantinedEvent(*row) for row in rows]


def refused_events(
    conn: Connection, scope: Scope, till_id: uuid.UUID, *, limit: int = 100
) -> list[RefusedEvent] | None:
    """A till's security events, newest first; None when the till is not the viewer's."""
    visible = conn.scalar(
        select(Till.till_id).where(Till.till_id == till_id, scope.clause(Till.outlet_id))
    )
    if visible is None:
        return None
    e = SecurityEvent
    rows = conn.execute(
        select(e.epoch, e.seq, e.event_id, e.kind, e.field, e.reason, e.received_at)
        .where(e.till_id == till_id)
        .order_by(e.security_event_id.desc())
        .limit(limit)
    ).all()
    return [RefusedEvent(*row) for row in rows]
