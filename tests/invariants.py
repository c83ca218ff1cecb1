"""DESIGN.md §7 checked for one till against head office, after the till has synced.

``check_invariants(engine, till_store, till_id)`` reads the till's SQLite store and the central
``sgpos`` schema and fails with an AssertionError naming the invariant and what broke:

1. every sale and refund committed on the till is present centrally, with the same receipt
   number, totals and tenders, or (only ever) kept in quarantine with a reason;
2. every acknowledged outbox event ``(epoch, seq)`` is in ``sgpos.inbox`` once, with the same
   event id and payload hash; its facts' stock movements are there once each; central stock on
   hand equals the sum of the movement ledger for every outlet and product;
3. the till's active products (ids, prices) equal head office's when it has pulled to the head;
4. the till's high-water mark is at or after ``previous_mark``, head office holds the event it
   names, and exactly the events up to it are acknowledged;
5. every event the till records as quarantined is in ``sgpos.quarantine``, every event head
   office quarantined shows as quarantined on the till, and nothing is left pending behind them;
6. the till's own takings per shift (sales, gross, GST, rounding, tenders by type, refunds)
   equal head office's figures for that till (``totals=False`` skips this for a till restored
   from a backup, whose later sales only head office still has).

``verify_central_chain(engine, till_id)`` verifies the till's audit chains as head office holds
them, one chain per epoch, with ``shared.audit.verify_chain``.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from shared.audit import AuditRecord as ChainRecord
from shared.audit import verify_chain
from shared.protocol import EventKind, EventOutcome
from till.store.db import Store
from till.store.models import (
    OutboxEvent,
    Product,
    Refund,
    Sale,
    StockMovement,
    SyncState,
)

Key = tuple[int, int]  # (epoch, seq)
Mark = tuple[int, int]
_SALE_FIELDS = (
    "receipt_no",
    "subtotal",
    "discount_total",
    "total",
    "gst_total",
    "rounding",
    "change",
)
_REFUND_FIELDS = ("receipt_no", "total", "gst_total", "rounding")
_ACKED_AS_STORED = {EventOutcome.APPLIED.value, EventOutcome.DUPLICATE.value}


class InvariantBroken(AssertionError):
    pass


def _broken(number: int, message: str) -> InvariantBroken:
    return InvariantBroken(f"DESIGN §7.{number}: {message}")


# --- what the till holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Event:
    key: Key
    event_id: str
    kind: str
    payload: dict[str, Any]
    sha256: str
    acked: bool
    outcome: str | None


@dataclass
class _Till:
    events: dict[Key, _Event]
    sales: dict[str, dict[str, Any]]
    refunds: dict[str, dict[str, Any]]
    products: dict[str, Decimal]
    cursor: str
    mark: Mark
    fact_events: dict[str, _Event] = field(default_factory=dict)  # sale/refund id -> its event


def _read_till(store: Store) -> _Till:
    with store.read() as s:
        events = {
            (r.epoch, r.seq): _Event(
                key=(r.epoch, r.seq),
                event_id=r.event_id,
                kind=r.kind,
                payload=_json_object(r.payload),
                sha256=r.payload_sha256,
                acked=r.acked_at is not None,
                outcome=r.outcome,
            )
            for r in s.scalars(select(OutboxEvent))
        }
        # What each sale and refund line moved in the till's own ledger: its quantity, or a
        # carton's units (stock is kept in units, docs/variants.md).
        ledger = {
            (m.reason, m.source_id): m.quantity
            for m in s.scalars(
                select(StockMovement).where(StockMovement.reason.in_(("sale", "refund")))
            )
        }
        sales = {
            x.sale_id: {
                **{f: getattr(x, f) for f in (*_SALE_FIELDS, "shift_id")},
                "tenders": [(p.type, p.amount) for p in x.payments],
                "lines": {
                    ln.line_id: -ledger.get(("sale", ln.line_id), -ln.quantity) for ln in x.lines
                },
            }
            for x in s.scalars(select(Sale))
        }
        refunds = {
            r.refund_id: {
                **{f: getattr(r, f) for f in (*_REFUND_FIELDS, "shift_id")},
                "tenders": [(p.type, p.amount) for p in r.payments],
                "quantity": sum(
                    (ledger.get(("refund", ln.refund_line_id), ln.quantity) for ln in r.lines),
                    Decimal(0),
                ),
            }
            for r in s.scalars(select(Refund))
        }
        products = {p.product_id: p.price for p in s.scalars(select(Product).where(Product.active))}
        state = s.get(SyncState, 1)
    till = _Till(
        events=events,
        sales=sales,
        refunds=refunds,
        products=products,
        cursor=state.pull_cursor if state else "0",
        mark=(state.acked_epoch, state.acked_seq) if state else (0, 0),
    )
    for event in events.values():
        if event.kind == EventKind.SALE_COMPLETED and "sale_id" in event.payload:
            till.fact_events[str(event.payload["sale_id"])] = event
        elif event.kind == EventKind.REFUND_COMPLETED and "refund_id" in event.payload:
            till.fact_events[str(event.payload["refund_id"])] = event
    return till


def _json_object(raw: str) -> dict[str, Any]:
    value = json.loads(raw)
    return value if isinstance(value, dict) else {}


# --- what head office holds ------------------------------------------------------------------


@dataclass
class _Central:
    inbox: dict[Key, tuple[str, str, str]]  # event_id, payload hash, outcome
    quarantine: dict[tuple[int, int, str], str]  # (epoch, seq, hash) -> reason
    sales: dict[str, dict[str, Any]]
    refunds: dict[str, dict[str, Any]]
    movements: dict[tuple[str, str], Decimal]  # (reason, source) -> quantity
    audit: dict[Key, str]  # (epoch, seq) -> hash
    products: dict[str, Decimal]
    head: int | None  # the highest change_id head office holds
    stock_mismatches: list[Any]


def _read_central(conn: Connection, till_id: str) -> _Central:
    t = {"t": till_id}

    def rows(sql: str) -> list[Any]:
        return list(conn.execute(text(sql), t))

    inbox = {
        (r.epoch, r.seq): (str(r.event_id), r.payload_sha256, r.outcome)
        for r in rows(
            "SELECT epoch, seq, event_id, payload_sha256, outcome FROM sgpos.inbox "
            "WHERE till_id = :t"
        )
    }
    quarantine = {
        (r.epoch, r.seq, r.payload_sha256): r.reason
        for r in rows(
            "SELECT epoch, seq, payload_sha256, reason FROM sgpos.quarantine WHERE till_id = :t"
        )
    }
    tenders: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for r in rows(
        "SELECT document_id, type, amount FROM sgpos.tender WHERE document_id IN "
        "(SELECT sale_id FROM sgpos.sale WHERE till_id = :t UNION ALL "
        " SELECT refund_id FROM sgpos.refund WHERE till_id = :t) ORDER BY document_id, position"
    ):
        tenders[str(r.document_id)].append((r.type, r.amount))
    sales = {
        str(r.sale_id): {
            **{f: getattr(r, f) for f in _SALE_FIELDS},
            "shift_id": str(r.shift_id),
            "tenders": tenders[str(r.sale_id)],
        }
        for r in rows(
            "SELECT sale_id, shift_id, receipt_no, subtotal, discount_total, total, gst_total, "
            "rounding, change FROM sgpos.sale WHERE till_id = :t"
        )
    }
    refunds = {
        str(r.refund_id): {
            **{f: getattr(r, f) for f in _REFUND_FIELDS},
            "shift_id": str(r.shift_id),
            "tenders": tenders[str(r.refund_id)],
        }
        for r in rows(
            "SELECT refund_id, shift_id, receipt_no, total, gst_total, rounding "
            "FROM sgpos.refund WHERE till_id = :t"
        )
    }
    movements = {
        (r.reason, r.source): r.quantity
        for r in rows(
            "SELECT reason, source, quantity FROM sgpos.stock_movement WHERE till_id = :t"
        )
    }
    audit = {
        (r.epoch, r.seq): r.hash
        for r in rows("SELECT epoch, seq, hash FROM sgpos.audit_record WHERE till_id = :t")
    }
    products = {
        str(r.product_id): r.price
        for r in conn.execute(text("SELECT product_id, price FROM sgpos.product WHERE active"))
    }
    head = conn.scalar(text("SELECT max(change_id) FROM sgpos.change_log"))
    stock_mismatches = list(
        conn.execute(
            text(
                "SELECT coalesce(h.outlet_id, l.outlet_id) AS outlet_id, "
                "coalesce(h.product_id, l.product_id) AS product_id, "
                "h.quantity AS on_hand, l.quantity AS ledger "
                "FROM sgpos.stock_on_hand h FULL JOIN ("
                "  SELECT outlet_id, product_id, sum(quantity) AS quantity "
                "  FROM sgpos.stock_movement GROUP BY outlet_id, product_id"
                ") l ON (h.outlet_id, h.product_id) = (l.outlet_id, l.product_id) "
                "WHERE h.quantity IS DISTINCT FROM l.quantity"
            )
        )
    )
    return _Central(
        inbox=inbox,
        quarantine=quarantine,
        sales=sales,
        refunds=refunds,
        movements=movements,
        audit=audit,
        products=products,
        head=int(head) if head is not None else None,
        stock_mismatches=stock_mismatches,
    )


# --- the checks ------------------------------------------------------------------------------


def check_invariants(
    engine: Engine,
    till_store: Store,
    till_id: str | uuid.UUID,
    *,
    previous_mark: Mark = (0, 0),
    totals: bool = True,
) -> None:
    """Assert DESIGN §7 for the till whose store is ``till_store`` (see the module docstring)."""
    till_id = str(till_id)
    till = _read_till(till_store)
    with engine.connect() as conn:
        central = _read_central(conn, till_id)
    _quarantined_events(till, central)  # 5 first: it explains a missing fact best
    _facts_present(till, central)  # 1
    _applied_once(till, central)  # 2
    _master_data(till, central)  # 3
    _high_water_mark(till, central, previous_mark)  # 4
    if totals:
        _takings(till, central)  # 6


def high_water_mark(till_store: Store) -> Mark:
    """The till's acknowledged (epoch, seq), to pass to a later ``check_invariants``."""
    with till_store.read() as s:
        state = s.get(SyncState, 1)
        return (state.acked_epoch, state.acked_seq) if state else (0, 0)


def _quarantined_in(central: _Central, event: _Event) -> str | None:
    return central.quarantine.get((*event.key, event.sha256))


def _quarantined_events(till: _Till, central: _Central) -> None:
    for event in sorted(till.events.values(), key=lambda e: e.key):
        reason = _quarantined_in(central, event)
        if event.outcome == EventOutcome.QUARANTINED and reason is None:
            raise _broken(
                5,
                f"event epoch {event.key[0]} seq {event.key[1]} ({event.kind}) is quarantined "
                "on the till but not in sgpos.quarantine: head office cannot see it",
            )
        if reason is not None and event.acked and event.outcome != EventOutcome.QUARANTINED:
            raise _broken(
                5,
                f"head office quarantined event epoch {event.key[0]} seq {event.key[1]} "
                f"({event.kind}: {reason[:120]}) but the till records it as {event.outcome!r}, "
                "so the till's diagnostics ('sgpos-sync status') do not show it",
            )
    pending = sorted(e.key for e in till.events.values() if not e.acked)
    if pending:
        quarantined = [e.key for e in till.events.values() if e.outcome == "quarantined"]
        behind = f" (behind quarantined events {sorted(quarantined)[:3]})" if quarantined else ""
        raise _broken(
            5 if quarantined else 1,
            f"{len(pending)} events are still pending{behind}, the first at epoch "
            f"{pending[0][0]} seq {pending[0][1]}: the queue did not drain",
        )


def _facts_present(till: _Till, central: _Central) -> None:
    for kind, own, theirs in (
        ("sale", till.sales, central.sales),
        ("refund", till.refunds, central.refunds),
    ):
        for fact_id, mine in own.items():
            stored = theirs.get(fact_id)
            if stored is None:
                event = till.fact_events.get(fact_id)
                if event is not None and _quarantined_in(central, event) is not None:
                    continue  # kept aside with a reason; checked under §7.5
                raise _broken(
                    1,
                    f"{kind} {mine['receipt_no']} ({fact_id}) was committed on the till but is "
                    "neither at head office nor in quarantine",
                )
            differs = [
                f"{f}: till {mine[f]!r}, central {stored[f]!r}"
                for f in (*(_SALE_FIELDS if kind == "sale" else _REFUND_FIELDS), "tenders")
                if mine[f] != stored[f]
            ]
            if differs:
                raise _broken(
                    1, f"{kind} {mine['receipt_no']} differs at head office: {'; '.join(differs)}"
                )


def _applied_once(till: _Till, central: _Central) -> None:
    for event in sorted(till.events.values(), key=lambda e: e.key):
        if not event.acked or event.outcome not in _ACKED_AS_STORED:
            continue
        stored = central.inbox.get(event.key)
        where = f"event epoch {event.key[0]} seq {event.key[1]} ({event.kind})"
        if stored is None:
            raise _broken(
                2, f"{where} was acknowledged as {event.outcome!r} but is not in sgpos.inbox"
            )
        if stored[:2] != (event.event_id, event.sha256):
            raise _broken(
                2,
                f"{where} was acknowledged as {event.outcome!r} but sgpos.inbox holds another "
                f"event under its key (event id {stored[0]}); the till's one is lost",
            )
        if event.kind == EventKind.AUDIT_RECORDED and stored[2] == "applied":
            record = (int(event.payload["epoch"]), int(event.payload["seq"]))
            if central.audit.get(record) != event.payload["hash"]:
                raise _broken(
                    2,
                    f"{where} was applied, but head office's audit record epoch {record[0]} "
                    f"seq {record[1]} is {'missing' if record not in central.audit else 'another'}"
                    ": the till's audit record was dropped",
                )
    for sale_id, sale in till.sales.items():
        if sale_id not in central.sales:
            continue
        for line_id, quantity in sale["lines"].items():
            moved = central.movements.get(("sale", line_id))
            if moved != -quantity:
                raise _broken(
                    2,
                    f"sale {sale['receipt_no']} line {line_id} sold {quantity} but head office's "
                    f"stock ledger moved {moved}",
                )
    for refund_id, refund in till.refunds.items():
        if refund_id not in central.refunds:
            continue
        moved = sum(
            (
                q
                for (reason, source), q in central.movements.items()
                if reason == "refund" and source.startswith(f"{refund_id}:")
            ),
            Decimal(0),
        )
        if moved != refund["quantity"]:
            raise _broken(
                2,
                f"refund {refund['receipt_no']} took back {refund['quantity']} but head "
                f"office's stock ledger moved {moved}",
            )
    if central.stock_mismatches:
        first = central.stock_mismatches[0]
        raise _broken(
            2,
            f"{len(central.stock_mismatches)} stock-on-hand rows differ from the movement "
            f"ledger, e.g. outlet {first.outlet_id} product {first.product_id}: on hand "
            f"{first.on_hand}, ledger {first.ledger}",
        )


def _cursor_position(cursor: str) -> int:
    """The change id a till's cursor stands after."""
    return 0 if cursor == "0" else int(cursor.removeprefix("v2."))


def _master_data(till: _Till, central: _Central) -> None:
    at = _cursor_position(till.cursor)
    head = central.head or 0
    if at < head:
        raise _broken(
            3,
            f"the till's pull cursor {till.cursor!r} is behind head office's head "
            f"v2.{head}: let 'sgpos-sync once' finish before checking",
        )
    if till.products != central.products:
        missing = sorted(central.products.keys() - till.products.keys())
        extra = sorted(till.products.keys() - central.products.keys())
        priced = sorted(
            p
            for p in central.products.keys() & till.products.keys()
            if central.products[p] != till.products[p]
        )
        raise _broken(
            3,
            f"the till's active products differ from head office's at its cursor: "
            f"{len(missing)} missing (e.g. {missing[:2]}), {len(extra)} extra (e.g. "
            f"{extra[:2]}), {len(priced)} priced differently (e.g. {priced[:2]})",
        )


def _high_water_mark(till: _Till, central: _Central, previous: Mark) -> None:
    mark = till.mark
    if mark < previous:
        raise _broken(4, f"the high-water mark moved back from {previous} to {mark}")
    if mark != (0, 0):
        at_mark = till.events.get(mark)
        held = mark in central.inbox or (
            at_mark is not None and _quarantined_in(central, at_mark) is not None
        )
        if not held:
            raise _broken(4, f"the high-water mark {mark} names an event head office does not hold")
    wrong = sorted(e.key for e in till.events.values() if e.acked != (e.key <= mark))
    if wrong:
        raise _broken(
            4,
            f"acknowledged events are not exactly those up to the mark {mark}: "
            f"{len(wrong)} differ, the first at epoch {wrong[0][0]} seq {wrong[0][1]}",
        )


@dataclass
class _Takings:
    sales: int = 0
    gross: Decimal = Decimal(0)
    gst: Decimal = Decimal(0)
    rounding: Decimal = Decimal(0)
    tenders: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    refunds: int = 0
    refunded: Decimal = Decimal(0)
    refund_gst: Decimal = Decimal(0)
    refund_tenders: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def comparable(self) -> tuple[Any, ...]:
        return (
            self.sales,
            self.gross,
            self.gst,
            self.rounding,
            dict(self.tenders),
            self.refunds,
            self.refunded,
            self.refund_gst,
            dict(self.refund_tenders),
        )


def _per_shift(sales: dict[str, Any], refunds: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    shifts: dict[str, _Takings] = defaultdict(_Takings)
    for sale in sales.values():
        day = shifts[sale["shift_id"]]
        day.sales += 1
        day.gross += sale["total"]
        day.gst += sale["gst_total"]
        day.rounding += sale["rounding"]
        for kind, amount in sale["tenders"]:
            day.tenders[kind] += amount
    for refund in refunds.values():
        day = shifts[refund["shift_id"]]
        day.refunds += 1
        day.refunded += refund["total"]
        day.refund_gst += refund["gst_total"]
        for kind, amount in refund["tenders"]:
            day.refund_tenders[kind] += amount
    return {shift: takings.comparable() for shift, takings in shifts.items()}


def _takings(till: _Till, central: _Central) -> None:
    unknown = sorted(central.sales.keys() - till.sales.keys())
    if unknown:
        raise _broken(
            6,
            f"head office holds {len(unknown)} sales of this till that the till does not, "
            f"e.g. {central.sales[unknown[0]]['receipt_no']}",
        )
    own, theirs = _per_shift(till.sales, till.refunds), _per_shift(central.sales, central.refunds)
    for shift in sorted(own.keys() | theirs.keys()):
        if own.get(shift) != theirs.get(shift):
            raise _broken(
                6,
                f"shift {shift}: the till's takings (sales, gross, GST, rounding, tenders, "
                f"refunds, refunded, refund GST, refund tenders) are {own.get(shift)}, head "
                f"office's are {theirs.get(shift)}",
            )


# --- the audit trail as head office holds it -------------------------------------------------


def verify_central_chain(engine: Engine, till_id: str | uuid.UUID) -> int:
    """Verify every epoch's audit chain of ``till_id`` in ``sgpos.audit_record``; the number of
    records verified."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT till_id, epoch, seq, occurred_at, actor, action, subject, before, after, "
                "prev_hash, hash FROM sgpos.audit_record WHERE till_id = :t ORDER BY epoch, seq"
            ),
            {"t": str(till_id)},
        ).mappings()
        chains: dict[int, list[ChainRecord]] = defaultdict(list)
        for row in rows:
            chains[row["epoch"]].append(
                ChainRecord.from_dict({**row, "till_id": str(row["till_id"])})
            )
    for epoch, records in sorted(chains.items()):
        verdict = verify_chain(records)
        if not verdict.ok:
            raise InvariantBroken(
                f"till {till_id} epoch {epoch}: head office's audit chain is broken at record "
                f"{verdict.first_bad_seq}: {verdict.reason}"
            )
    return sum(len(records) for records in chains.values())
