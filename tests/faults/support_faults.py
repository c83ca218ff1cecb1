"""Helpers of the sync fault tests: draining and checking a till, reading what head office
holds, poison events, store backups, and a push stalled inside its transaction."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from shared.wire import sealed_payload
from tests.e2e.central_process import CentralProcess
from tests.e2e.support_tills import AgentTill, sgpos_sync, wait_for
from tests.invariants import check_invariants, high_water_mark
from till.store.models import AuditRecord, OutboxEvent, Sale
from till.store.paths import store_file
from till.store.uow import UnitOfWork


def drain(
    engine: Engine,
    till: AgentTill,
    *,
    env: dict[str, str] | None = None,
    totals: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Let the agent finish normally (``sgpos-sync once`` exits 0, or 3 when head office set
    events aside: sent, but not in sync), then check DESIGN §7."""
    with till.store() as store:
        before = high_water_mark(store)
    done = sgpos_sync(till.data_dir, "once", env=env)
    finished = 3 if till.status_field("quarantined_count") else 0
    assert done.returncode == finished, f"sgpos-sync once did not finish: {done.stderr}"
    with till.store() as store:
        check_invariants(engine, store, till.till_id, previous_mark=before, totals=totals)
    return done


def outcomes(till: AgentTill) -> Counter[str | None]:
    with till.store() as store, store.read() as s:
        return Counter(s.scalars(select(OutboxEvent.outcome)))


def central_sales(engine: Engine, till_id: str) -> dict[str, str]:
    """receipt number -> sale id of the till's sales at head office."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT receipt_no, sale_id FROM sgpos.sale WHERE till_id = :t"), {"t": till_id}
        )
        return {r.receipt_no: str(r.sale_id) for r in rows}


def quarantined(engine: Engine, till_id: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT epoch, seq, kind, reason, payload_sha256 FROM sgpos.quarantine "
                    "WHERE till_id = :t ORDER BY epoch, seq"
                ),
                {"t": till_id},
            )
        )


def not_finished(run: subprocess.CompletedProcess[str] | tuple[int, str], events: int) -> str:
    """Assert a sync run stopped short, saying how many events wait; its message."""
    code, message = (run.returncode, run.stderr) if not isinstance(run, tuple) else run
    assert code == 1, message
    assert f"{events} events still to send" in message, message
    return message


def add_poison(till: AgentTill, kind: str, payload: dict[str, Any]) -> tuple[int, int]:
    """An outbox event with a correct hash but a payload head office cannot accept, committed
    through the till's own unit of work like any fact; its (epoch, seq)."""
    raw, digest = sealed_payload(payload)
    with till.store() as store, UnitOfWork(store) as uow:
        epoch, seq = uow.next_seq()
        uow.insert(
            OutboxEvent,
            [
                {
                    "epoch": epoch,
                    "seq": seq,
                    "event_id": str(uuid.uuid4()),
                    "kind": kind,
                    "schema_version": 1,
                    "occurred_at": datetime.now(UTC),
                    "payload": raw.decode(),
                    "payload_sha256": digest,
                    "attempts": 0,
                }
            ],
        )
        uow.commit()
    return epoch, seq


def sale_like(till: AgentTill, **changes: str) -> dict[str, Any]:
    """The till's latest sale payload (with lines: not a poison one) under a new sale and line
    id, with ``receipt_no`` or the first line's ``name`` changed."""
    with till.store() as store, store.read() as s:
        raws = s.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.kind == "sale.completed")
            .order_by(OutboxEvent.epoch.desc(), OutboxEvent.seq.desc())
        )
        payload: dict[str, Any] = next(
            p for p in map(json.loads, raws) if isinstance(p.get("lines"), list) and p["lines"]
        )
    payload["sale_id"] = str(uuid.uuid4())
    payload["lines"] = payload["lines"][:1]
    payload["lines"][0]["line_id"] = str(uuid.uuid4())
    if "receipt_no" in changes:
        payload["receipt_no"] = changes["receipt_no"]
    if "name" in changes:
        payload["lines"][0]["name"] = changes["name"]
    return payload


def audit_like(till: AgentTill, *, occurred_at: str) -> dict[str, Any]:
    """An audit record payload of this till (not a link of its real chain)."""
    return {
        "till_id": till.till_id,
        "epoch": 9_999,
        "seq": 1,
        "occurred_at": occurred_at,
        "actor": None,
        "action": "drawer.opened",
        "subject": None,
        "before": None,
        "after": None,
        "prev_hash": "0" * 64,
        "hash": "f" * 64,
    }


def copy_store(source: Path, target: Path) -> None:
    """A whole store copied with SQLite's online backup API (DESIGN §4), never a file copy."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def outbox_keys(till: AgentTill) -> dict[tuple[int, int], str]:
    """(epoch, seq) -> payload hash of every event in the till's outbox."""
    with till.store() as store, store.read() as s:
        rows = s.execute(select(OutboxEvent.epoch, OutboxEvent.seq, OutboxEvent.payload_sha256))
        return {(e, q): h for e, q, h in rows}


def receipts(till: AgentTill) -> dict[str, str]:
    """receipt number -> sale id of the sales on the till."""
    with till.store() as store, store.read() as s:
        return {r: i for r, i in s.execute(select(Sale.receipt_no, Sale.sale_id))}


# A push of the central server's, asleep in the trigger of push_stalled_before_commit.
_SLEEPING_PUSH = text(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
    "AND application_name = 'sgpos-central' AND wait_event = 'PgSleep' "
    "AND query LIKE '%sgpos.inbox%'"
)


@contextmanager
def push_stalled_before_commit(engine: Engine, till_id: str) -> Iterator[None]:
    """A temporary trigger that makes a push of ``till_id`` sleep once its inbox rows are in,
    inside the push's transaction: after every projection, before the commit."""
    name = f"test_stall_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE FUNCTION public.{name}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_sleep(120); RETURN NULL; END $$"
            )
        )
        conn.execute(
            text(
                f"CREATE TRIGGER {name} AFTER INSERT ON sgpos.inbox FOR EACH ROW "
                f"WHEN (NEW.till_id = '{uuid.UUID(till_id)}'::uuid) "
                f"EXECUTE FUNCTION public.{name}()"
            )
        )
    try:
        yield
    finally:
        end_sleeping_pushes(engine)
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(f"DROP TRIGGER {name} ON sgpos.inbox"))
            conn.execute(text(f"DROP FUNCTION public.{name}()"))


def sleeping_pushes(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(_SLEEPING_PUSH).scalars())


def end_sleeping_pushes(engine: Engine) -> None:
    """PostgreSQL notices a dead client only when it next talks to it, so a backend sleeping in
    the trigger would hold its transaction (and the inbox keys) for the whole pg_sleep: end it,
    as the operating system's TCP keepalive would in time, and wait until it is gone."""
    with engine.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM (" + _SLEEPING_PUSH.text + ") AS sleeping")
        )
        conn.commit()
    wait_for("the dead server's transaction to end", lambda: not sleeping_pushes(engine))


def kill(server: CentralProcess) -> None:
    """SIGKILL: no clean shutdown, no answer for what is in flight."""
    server.process.kill()
    server.process.wait(20)


@dataclass
class Restored:
    """A till whose disk died after a backup: what the backup holds, and what head office got
    from the till after the backup was taken (and the till no longer has)."""

    backup: Path
    backed_up_events: set[tuple[int, int]]
    backed_up_receipts: set[str]
    lost_events: dict[tuple[int, int], str]  # (epoch, seq) -> payload hash
    lost_audit: dict[tuple[int, int], str]  # audit (epoch, seq) -> hash
    at_head_office: dict[str, str]  # receipt -> sale id


def restore_from_old_backup(engine: Engine, till: AgentTill, tmp_path: Path) -> Restored:
    store_path, backup = store_file(till.data_dir), tmp_path / "backup.sqlite"
    till.ring(3, seed=11)
    copy_store(store_path, backup)  # the nightly backup, its sales not yet sent
    conn = sqlite3.connect(backup)
    try:
        backed_up_events = {(e, s) for e, s in conn.execute("SELECT epoch, seq FROM outbox")}
        backed_up_receipts = {r for (r,) in conn.execute("SELECT receipt_no FROM sale")}
    finally:
        conn.close()
    # After the backup: two sign-ins and a sale twice. They reach head office; the disk dies.
    till.ring(1, seed=12)
    till.ring(1, seed=16)
    drain(engine, till)
    with till.store() as store, store.read() as s:
        lost_audit = {(a.epoch, a.seq): a.hash for a in s.scalars(select(AuditRecord))}
    restored = Restored(
        backup,
        backed_up_events,
        backed_up_receipts,
        outbox_keys(till),
        lost_audit,
        central_sales(engine, till.till_id),
    )
    copy_store(backup, store_path)
    return restored
