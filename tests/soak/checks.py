"""What a soak round checks once everything is healed, drained and stopped.

For every till: DESIGN §7 as ``tests.invariants.check_invariants`` checks it (nothing lost,
nothing doubled, the mark only forward, quarantine seen on both sides, stock on hand equal to
the movement ledger, master data at the head, and the till's takings per shift equal head
office's — except for a till restored or replaced, whose later sales only head office still
has), its audit chains as head office holds them, and the soak's own counts: sales on the
till missing at head office (lost), sales or events stored twice (doubled), quarantined events
that are not the poison the round added (or poison not quarantined), and for every store a
till left behind, that what it had acknowledged is at head office with the same content.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from tests.invariants import InvariantBroken, check_invariants, verify_central_chain
from tests.soak.fleet import SoakTill
from till.store.db import Store


@dataclass
class TillVerdict:
    till: int
    sales: int
    lost: int
    doubled: int
    quarantined: int
    poison: int
    unexpected_quarantine: int
    poison_not_quarantined: int
    abandoned: int  # unsent events of a dead machine's store: gone with it, as in a shop
    audit_records: int
    problems: list[str] = field(default_factory=list)


def _rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def _store_rows(path: Path, sql: str) -> list[Any]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def check_till(
    engine: Engine, till: SoakTill, previous_mark: tuple[int, int] | None
) -> TillVerdict:
    problems: list[str] = []
    store_sales = {r[0] for r in _store_rows(till.store_path, "SELECT sale_id FROM sale")}
    central = _rows(
        engine,
        "SELECT sale_id::text, receipt_no FROM sgpos.sale WHERE till_id = :t",
        t=till.till_id,
    )
    central_ids = [r[0] for r in central]
    inbox = {
        (r.epoch, r.seq): r.payload_sha256
        for r in _rows(
            engine,
            "SELECT epoch, seq, payload_sha256 FROM sgpos.inbox WHERE till_id = :t",
            t=till.till_id,
        )
    }
    # An event is its key and its content: a replaced machine that head office had heard
    # nothing from starts again at epoch 1, so a key alone may name two different events.
    held = {
        (r.epoch, r.seq, r.payload_sha256)
        for r in _rows(
            engine,
            "SELECT epoch, seq, payload_sha256 FROM sgpos.quarantine WHERE till_id = :t",
            t=till.till_id,
        )
    }
    quarantined_sales = _quarantined_sale_ids(till.store_path, {(e, q) for e, q, _ in held})
    lost = len(store_sales - set(central_ids) - quarantined_sales)
    doubled = len(central_ids) - len(set(central_ids))
    doubled += len(central) - len({r[1] for r in central})
    doubled += _rows(
        engine,
        "SELECT count(*) - count(DISTINCT event_id) FROM sgpos.inbox WHERE till_id = :t",
        t=till.till_id,
    )[0][0]
    unexpected = held - till.poison
    in_store = {
        (e, q, h)
        for e, q, h in _store_rows(till.store_path, "SELECT epoch, seq, payload_sha256 FROM outbox")
    }
    missing_poison = (till.poison & in_store) - held
    if lost:
        problems.append(f"{lost} sales on till {till.index} are not at head office")
    if doubled:
        problems.append(f"{doubled} sales or events of till {till.index} are stored twice")
    if unexpected:
        problems.append(
            f"till {till.index}: head office quarantined {len(unexpected)} events that are not "
            f"poison, e.g. {sorted(unexpected)[:3]}"
        )
    if missing_poison:
        problems.append(
            f"till {till.index}: poison events {sorted(missing_poison)[:3]} are not quarantined"
        )

    abandoned = 0
    for old in till.old_stores:
        for epoch, seq, digest, acked in _store_rows(
            old, "SELECT epoch, seq, payload_sha256, acked_at IS NOT NULL FROM outbox"
        ):
            if acked and inbox.get((epoch, seq)) != digest:
                problems.append(
                    f"till {till.index}: the old store {old.parent.name} had event epoch {epoch} "
                    f"seq {seq} acknowledged, but head office does not hold it"
                )
            elif not acked and (epoch, seq) not in inbox:
                abandoned += 1

    store = Store.open(till.store_path)
    try:
        check_invariants(
            engine,
            store,
            till.till_id,
            previous_mark=previous_mark or (0, 0),
            totals=not till.tainted,
        )
    except InvariantBroken as broken:
        problems.append(f"till {till.index}: {broken}")
    finally:
        store.close()
    audit = 0
    try:
        audit = verify_central_chain(engine, till.till_id)
    except InvariantBroken as broken:
        problems.append(f"till {till.index}: {broken}")
    return TillVerdict(
        till=till.index,
        sales=len(store_sales),
        lost=lost,
        doubled=doubled,
        quarantined=len(held),
        poison=len(till.poison),
        unexpected_quarantine=len(unexpected),
        poison_not_quarantined=len(missing_poison),
        abandoned=abandoned,
        audit_records=audit,
        problems=problems,
    )


def _quarantined_sale_ids(store: Path, held: set[tuple[int, int]]) -> set[str]:
    """Sales of the till whose event head office set aside (they count as kept, not lost)."""
    rows = _store_rows(
        store,
        "SELECT epoch, seq, json_extract(payload, '$.sale_id') FROM outbox "
        "WHERE kind = 'sale.completed'",
    )
    return {str(sale_id) for epoch, seq, sale_id in rows if (epoch, seq) in held}


def store_mark(till: SoakTill) -> tuple[int, int]:
    rows = _store_rows(till.store_path, "SELECT acked_epoch, acked_seq FROM sync_state")
    return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)
