"""How far each till's audit chain is verified, kept in ``audit_chain_check``.

Ingest re-hashes each audit record as it is stored and moves the chain's mark forward over
every record that links and hashes correctly, in the same transaction, so the dashboard never
re-hashes a year of records per page view: it checks only what lies beyond the mark. A trigger
(migration 0003) moves the mark back when a stored record is changed or deleted, so tampering
after the fact is found at the next look.

Chains left behind their head (every chain right after the upgrade to revision 0003, which
marks them verified up to nothing, and a chain whose stored record was changed) are caught up
by ``catch_up``, which the server runs in the background every minute.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, update
from sqlalchemy.dialects.postgresql import insert

from shared.audit import GENESIS_HASH, ChainVerdict, verify_chain
from shared.audit import AuditRecord as ChainRecord
from sync_service.central import models as m


def _t(model: type[m.Base]) -> Table:
    t = model.__table__
    assert isinstance(t, Table)
    return t


AUDIT, CHECK = _t(m.AuditRecord), _t(m.AuditChainCheck)
# Records re-hashed per chain in one go; beyond it the rest waits for the next look.
CATCH_UP_LIMIT = 5000


@dataclass(frozen=True)
class Mark:
    """Records 1..verified_seq are verified; ``verified_hash`` is record verified_seq's."""

    verified_seq: int
    verified_hash: str
    head_seq: int


def chain_record(row: Mapping[str, Any]) -> ChainRecord | None:
    """A stored row as the till sealed it; None when it cannot even be read as a record."""
    try:
        return ChainRecord.from_dict(
            {
                "till_id": str(row["till_id"]),
                "epoch": row["epoch"],
                "seq": row["seq"],
                "occurred_at": row["occurred_at"],
                "actor": row["actor"],
                "action": row["action"],
                "subject": row["subject"],
                "before": row["before"],
                "after": row["after"],
                "prev_hash": row["prev_hash"],
                "hash": row["hash"],
            }
        )
    except ValueError:
        return None


def stored_records(
    conn: Connection, till_id: uuid.UUID, epoch: int, after_seq: int, limit: int
) -> list[Mapping[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            select(AUDIT)
            .where(AUDIT.c.till_id == till_id, AUDIT.c.epoch == epoch, AUDIT.c.seq > after_seq)
            .order_by(AUDIT.c.seq)
            .limit(limit)
        ).mappings()
    ]


def verify_from(mark: Mark, rows: Iterable[Mapping[str, Any]]) -> tuple[ChainVerdict, int, str]:
    """Verify ``rows`` (in seq order) as the continuation after ``mark``; the verdict and the
    last good (seq, hash)."""
    records: list[ChainRecord] = []
    unreadable: int | None = None
    for row in rows:
        record = chain_record(row)
        if record is None:
            unreadable = int(row["seq"])
            break
        records.append(record)
    verdict = verify_chain(
        records, expect_start_seq=mark.verified_seq + 1, expect_prev_hash=mark.verified_hash
    )
    good = records[: verdict.checked]
    seq, digest = (good[-1].seq, good[-1].hash) if good else (mark.verified_seq, mark.verified_hash)
    if verdict.ok and unreadable is not None:
        verdict = ChainVerdict(
            ok=False,
            checked=verdict.checked,
            first_bad_seq=seq + 1,
            reason=f"record {unreadable}: stored fields are not a valid audit record (tampered)",
        )
    return verdict, seq, digest


def advance_marks(conn: Connection, till_id: uuid.UUID, records: list[Mapping[str, Any]]) -> None:
    """After ingest stored ``records`` (rows of audit_record) for a till: move each touched
    chain's mark over what now verifies, and its head to the highest seq stored."""
    by_epoch: dict[int, list[Mapping[str, Any]]] = {}
    for r in records:
        by_epoch.setdefault(int(r["epoch"]), []).append(r)
    for epoch in sorted(by_epoch):
        fresh = sorted(by_epoch[epoch], key=lambda r: int(r["seq"]))
        row = conn.execute(
            select(CHECK.c.verified_seq, CHECK.c.verified_hash, CHECK.c.head_seq)
            .where(CHECK.c.till_id == till_id, CHECK.c.epoch == epoch)
            .with_for_update()
        ).first()
        mark = Mark(*row) if row else Mark(0, GENESIS_HASH, 0)
        head = max(mark.head_seq, int(fresh[-1]["seq"]))
        if int(fresh[0]["seq"]) == mark.verified_seq + 1 and _contiguous(fresh):
            rows = fresh  # the usual case: the batch continues the verified chain
        elif mark.verified_seq < head:
            rows = stored_records(conn, till_id, epoch, mark.verified_seq, CATCH_UP_LIMIT)
        else:
            rows = []
        _, seq, digest = verify_from(mark, rows)
        stmt = insert(CHECK).values(
            till_id=till_id, epoch=epoch, verified_seq=seq, verified_hash=digest, head_seq=head
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[CHECK.c.till_id, CHECK.c.epoch],
                set_={
                    "verified_seq": stmt.excluded.verified_seq,
                    "verified_hash": stmt.excluded.verified_hash,
                    "head_seq": stmt.excluded.head_seq,
                    "verified_at": stmt.excluded.verified_at,
                },
            )
        )


def catch_up(engine: Engine, limit: int = CATCH_UP_LIMIT) -> int:
    """One step for every chain whose mark is behind its head: re-hash up to ``limit`` stored
    records beyond the mark and move it over what verifies. Each chain in a short transaction
    of its own, its mark row locked as ingest locks it. Returns how many records the marks
    moved over: 0 once every chain is verified to its head or stops at a broken link."""
    with engine.connect() as conn:
        behind = conn.execute(
            select(CHECK.c.till_id, CHECK.c.epoch).where(CHECK.c.verified_seq < CHECK.c.head_seq)
        ).all()
    moved = 0
    for till_id, epoch in behind:
        where = (CHECK.c.till_id == till_id, CHECK.c.epoch == epoch)
        with engine.begin() as conn:
            row = conn.execute(
                select(CHECK.c.verified_seq, CHECK.c.verified_hash, CHECK.c.head_seq)
                .where(*where)
                .with_for_update()
            ).first()
            if row is None or row.verified_seq >= row.head_seq:
                continue  # ingest moved it meanwhile
            mark = Mark(*row)
            rows = stored_records(conn, till_id, epoch, mark.verified_seq, limit)
            _, seq, digest = verify_from(mark, rows)
            if seq > mark.verified_seq:
                conn.execute(
                    update(CHECK)
                    .where(*where)
                    .values(verified_seq=seq, verified_hash=digest, verified_at=func.now())
                )
                moved += seq - mark.verified_seq
    return moved


def _contiguous(rows: list[Mapping[str, Any]]) -> bool:
    return all(int(b["seq"]) == int(a["seq"]) + 1 for a, b in pairwise(rows))
