"""Central ingest and pull on a real PostgreSQL database, fed by real till stores."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from shared.audit import AuditRecord as ChainRecord
from shared.audit import verify_chain
from shared.protocol import (
    MASTER_MODELS,
    PROTOCOL_VERSION,
    Event,
    EventOutcome,
    PullPage,
    PushOk,
    PushRequest,
    Rejected,
    TillReport,
)
from shared.tender import Tender, TenderType
from shared.wire import payload_hash
from sync_service.central import models as m
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import upgrade_central
from sync_service.central.pull import BadCursor, pull_page
from sync_service.central.reports.common import Scope
from sync_service.central.reports.sale_detail import sale_detail
from tests.central import SyncedTill, add_outlet, enrolled_till
from till.simulate import simulate

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = create_engine(pg_url)
    yield eng
    eng.dispose()


@pytest.fixture
def till(engine: Engine, tmp_path: Path) -> Iterator[SyncedTill]:
    t = enrolled_till(engine, tmp_path / "till", add_outlet(engine), "T01")
    t.demo.till.shifts.open_shift(t.demo.cashier, Decimal("200.00"))
    # A day with its deliveries, a shelf count, a breakage and a transfer: stock is received
    # before it is sold.
    simulate(t.demo.till, 25, seed=3, cashier=t.demo.cashier, manager=t.demo.manager, stock=True)
    yield t
    t.demo.till.close()


def push(engine: Engine, till: SyncedTill, events: list[Event]) -> PushOk | Rejected:
    report = TillReport(
        app_version="test",
        store_revision="0002",
        backlog=len(events),
        oldest_pending_at=None,
        sent_at=NOW,
    )
    request = PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events)
    return apply_push(engine, till.auth, request, now=NOW)


def scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_a_tills_events_land_once_and_central_totals_equal_the_tills(
    engine: Engine, till: SyncedTill
) -> None:
    events = till.events()
    result = push(engine, till, events)
    assert isinstance(result, PushOk)
    assert {r.outcome for r in result.results} == {EventOutcome.APPLIED}
    tid = till.auth.till_id
    with till.demo.till.store.read() as s:
        local = s.execute(text("SELECT count(*), sum(total), sum(gst_total) FROM sale")).one()
        local_refunds = s.execute(text("SELECT count(*), sum(total) FROM refund")).one()
        local_tenders = dict(
            s.execute(
                text(
                    "SELECT type, sum(amount) FROM payment WHERE sale_id IS NOT NULL GROUP BY type"
                )
            ).all()
        )
    with engine.connect() as conn:
        central = conn.execute(
            text("SELECT count(*), sum(total), sum(gst_total) FROM sgpos.sale WHERE till_id=:t"),
            {"t": tid},
        ).one()
        refunds = conn.execute(
            text("SELECT count(*), sum(total) FROM sgpos.refund WHERE till_id = :t"), {"t": tid}
        ).one()
        tenders = dict(
            conn.execute(
                text(
                    "SELECT t.type, sum(t.amount) FROM sgpos.tender t JOIN sgpos.sale s "
                    "ON s.sale_id = t.document_id WHERE s.till_id = :t GROUP BY t.type"
                ),
                {"t": tid},
            ).all()
        )
        on_hand = conn.execute(
            text("SELECT coalesce(sum(quantity), 0) FROM sgpos.stock_on_hand WHERE outlet_id = :o"),
            {"o": till.auth.outlet_id},
        ).scalar()
        moved = conn.execute(
            text(
                "SELECT coalesce(sum(quantity), 0) FROM sgpos.stock_movement WHERE outlet_id = :o"
            ),
            {"o": till.auth.outlet_id},
        ).scalar()
        audit = (
            conn.execute(
                text("SELECT * FROM sgpos.audit_record WHERE till_id = :t ORDER BY epoch, seq"),
                {"t": tid},
            )
            .mappings()
            .all()
        )
    assert central[0] == local[0] and central[1] * 100 == local[1] and central[2] * 100 == local[2]
    assert refunds[0] == local_refunds[0]
    assert {k: v * 100 for k, v in tenders.items()} == local_tenders
    assert on_hand == moved > 0  # stock on hand is the sum of the movement ledger
    with engine.connect() as conn:
        per_product = conn.execute(
            text(
                "SELECT h.product_id, h.quantity, (SELECT sum(quantity) FROM sgpos.stock_movement "
                "m WHERE m.outlet_id = h.outlet_id AND m.product_id = h.product_id) "
                "FROM sgpos.stock_on_hand h WHERE h.outlet_id = :o"
            ),
            {"o": till.auth.outlet_id},
        ).all()
        kinds = dict(
            conn.execute(
                text(
                    "SELECT coalesce(detail, reason), count(*) FROM sgpos.stock_movement "
                    "WHERE outlet_id = :o GROUP BY 1"
                ),
                {"o": till.auth.outlet_id},
            ).all()
        )
    # Every product was received before it was sold: none is below zero, each equals its ledger.
    assert per_product and all(q == ledger >= 0 for _, q, ledger in per_product)
    assert kinds["delivery"] > 0 and kinds["count"] >= 1 and kinds["damaged"] == 1
    assert kinds["out:TPY"] == 1 and kinds["sale"] > 0
    chain = [ChainRecord.from_dict({**dict(r), "till_id": str(r["till_id"])}) for r in audit]
    assert len(chain) > 0 and verify_chain(chain).ok


def test_the_same_batch_twice_is_acknowledged_as_duplicates_and_changes_nothing(
    engine: Engine, till: SyncedTill
) -> None:
    events = till.events()
    push(engine, till, events)
    before = scalar(engine, "SELECT count(*) FROM sgpos.sale_line")
    again = push(engine, till, events)
    assert isinstance(again, PushOk)
    assert {r.outcome for r in again.results} == {EventOutcome.DUPLICATE}
    assert scalar(engine, "SELECT count(*) FROM sgpos.sale_line") == before


def tampered(event: Event, **payload_changes: object) -> Event:
    payload = {**event.payload, **payload_changes}
    return event.model_copy(update={"payload": payload, "payload_sha256": payload_hash(payload)})


def test_same_seq_with_different_content_is_quarantined_never_dropped(
    engine: Engine, till: SyncedTill
) -> None:
    events = till.events()
    push(engine, till, events)
    sale_event = next(e for e in events if e.kind == "sale.completed")
    forged = tampered(sale_event, total="0.01")
    result = push(engine, till, [forged])
    assert isinstance(result, PushOk)
    [outcome] = result.results
    assert outcome.outcome is EventOutcome.QUARANTINED and "conflict" in (outcome.reason or "")
    kept = scalar(
        engine, "SELECT total FROM sgpos.sale WHERE sale_id = :s", s=sale_event.payload["sale_id"]
    )
    assert kept == Decimal(sale_event.payload["total"])  # the original stands
    assert (
        scalar(
            engine, "SELECT count(*) FROM sgpos.quarantine WHERE event_id = :e", e=forged.event_id
        )
        == 1
    )
    push(engine, till, [forged])  # sent again: still one quarantine entry
    assert (
        scalar(
            engine, "SELECT count(*) FROM sgpos.quarantine WHERE event_id = :e", e=forged.event_id
        )
        == 1
    )


def test_a_poison_event_is_quarantined_and_the_queue_keeps_draining(
    engine: Engine, till: SyncedTill
) -> None:
    events = till.events()
    poison = tampered(events[3], lines="not a list")
    result = push(engine, till, [*events[:3], poison, *events[4:]])
    assert isinstance(result, PushOk)
    outcomes = [r.outcome for r in result.results]
    assert outcomes[3] is EventOutcome.QUARANTINED
    assert outcomes.count(EventOutcome.APPLIED) == len(events) - 1
    assert "invalid" in (result.results[3].reason or "") or "unknown" in (
        result.results[3].reason or ""
    )


def test_events_of_another_till_are_refused_and_nothing_is_written(
    engine: Engine, till: SyncedTill
) -> None:
    events = till.events()
    stranger = events[0].model_copy(update={"till_id": uuid.uuid4()})
    before = scalar(engine, "SELECT count(*) FROM sgpos.inbox")
    result = push(engine, till, [*events[1:], stranger])
    assert isinstance(result, Rejected) and result.events[0].event_id == stranger.event_id
    assert scalar(engine, "SELECT count(*) FROM sgpos.inbox") == before


def test_a_receipt_number_used_twice_is_caught(engine: Engine, till: SyncedTill) -> None:
    events = till.events()
    push(engine, till, events)
    sale = next(e for e in events if e.kind == "sale.completed")
    # A till restored from an old backup: new epoch, but its receipt counter went back too.
    replay = tampered(sale, sale_id=str(uuid.uuid4()))
    replay = replay.model_copy(update={"epoch": 2, "seq": 1, "event_id": uuid.uuid4()})
    result = push(engine, till, [replay])
    assert isinstance(result, PushOk)
    assert result.results[0].outcome is EventOutcome.QUARANTINED
    assert sale.payload["receipt_no"] in (result.results[0].reason or "")


def test_the_same_sale_twice_in_one_push_is_applied_and_counted_once(
    engine: Engine, till: SyncedTill
) -> None:
    events = till.events()
    sale = next(e for e in events if e.kind == "sale.completed")
    last = events[-1]
    # A till bug or a bad replay: the same sale again under the next sequence number.
    again = sale.model_copy(update={"seq": last.seq + 1, "event_id": uuid.uuid4()})
    result = push(engine, till, [*events, again])
    assert isinstance(result, PushOk)
    assert result.results[-1].outcome is EventOutcome.QUARANTINED
    sale_id, total = sale.payload["sale_id"], Decimal(sale.payload["total"])
    assert scalar(engine, "SELECT count(*) FROM sgpos.sale WHERE sale_id = :s", s=sale_id) == 1
    totals = "SELECT coalesce(sum({}), 0) FROM sgpos.{} WHERE outlet_id = :o"
    stored = scalar(engine, totals.format("total", "sale"), o=till.auth.outlet_id)
    summed = scalar(engine, totals.format("sales_total", "sales_by_hour"), o=till.auth.outlet_id)
    assert summed == stored and total <= stored  # the summaries count the sale once


def test_the_till_report_updates_the_fleet_view(engine: Engine, till: SyncedTill) -> None:
    push(engine, till, till.events()[:5])
    with Session(engine) as s:
        row = s.get(m.Till, till.auth.till_id)
        assert row is not None
        assert row.last_seen_at == NOW and row.backlog == 5 and row.app_version == "test"


# --- pull --------------------------------------------------------------------------------------


def add_product(engine: Engine, name: str) -> uuid.UUID:
    pid = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sgpos.product (product_id, sku, name, price, tax_code, weighed, "
                "active) VALUES (:p, :sku, :n, 1.50, 'SR', false, true)"
            ),
            {"p": pid, "sku": f"SKU-{pid.hex[:10]}", "n": name},
        )
    return pid


def pull_all(engine: Engine, till: SyncedTill, cursor: str = "0") -> tuple[str, list]:
    """Pull until head office says there is nothing more."""
    changes = []
    while True:
        page = pull_page(engine, till.auth, cursor, 500)
        changes += page.changes
        cursor = page.next_cursor
        if not page.has_more:
            return cursor, changes


def test_pull_walks_every_change_and_then_only_new_ones(engine: Engine, till: SyncedTill) -> None:
    head, everything = pull_all(engine, till)
    assert any(c.entity == "outlet" and c.key == str(till.auth.outlet_id) for c in everything)
    assert all(c.key == str(till.auth.outlet_id) for c in everything if c.entity == "outlet")
    for change in everything:  # pages are built without models: each must still validate
        if change.op == "upsert":
            MASTER_MODELS[change.entity].model_validate_json(json.dumps(change.data))
    wire = PullPage.model_validate_json(pull_page(engine, till.auth, "0", 50).model_dump_json())
    assert wire.changes
    pid = add_product(engine, "Kaya Toast Spread 250g")
    head2, fresh = pull_all(engine, till, head)
    assert [(c.entity, c.key, c.op) for c in fresh] == [("product", str(pid), "upsert")]
    assert fresh[0].data is not None and fresh[0].data["price"] == "1.50"
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM sgpos.product WHERE product_id = :p"), {"p": pid})
    _, gone = pull_all(engine, till, head2)
    assert [(c.key, c.op) for c in gone] == [(str(pid), "delete")]
    with pytest.raises(BadCursor):
        pull_page(engine, till.auth, "v1.x.y'; DROP TABLE", 10)


def test_a_cursor_never_skips_a_change_committed_by_a_transaction_open_across_pulls(
    engine: Engine, till: SyncedTill
) -> None:
    head, _ = pull_all(engine, till)
    slow_id = uuid.uuid4()
    slow = engine.connect()
    slow_tx = slow.begin()
    slow.execute(
        text(
            "INSERT INTO sgpos.product (product_id, sku, name, price, tax_code, weighed, active)"
            " VALUES (:p, :s, 'Slow Kopi 200g', 3.20, 'SR', false, true)"
        ),
        {"p": slow_id, "s": f"SKU-{slow_id.hex[:10]}"},
    )
    # A second writer queues behind the open one (the master writers' lock) instead of
    # committing a change the cursor could pass over.
    fast: list[uuid.UUID] = []
    writer = threading.Thread(target=lambda: fast.append(add_product(engine, "Fast Teh 200g")))
    writer.start()
    writer.join(timeout=1.0)
    assert writer.is_alive() and not fast
    cursor, seen = pull_all(engine, till, head)  # answers at once, with neither
    assert seen == [] and cursor == head
    slow_tx.commit()
    slow.close()
    writer.join(timeout=30)
    assert fast
    _, later = pull_all(engine, till, cursor)
    keys = [c.key for c in later]
    assert keys.index(str(slow_id)) < keys.index(str(fast[0]))  # nothing skipped, in order


def test_a_cursor_of_the_previous_form_resumes_without_skipping(
    engine: Engine, till: SyncedTill
) -> None:
    first = add_product(engine, "Milo 400g")
    second = add_product(engine, "Horlicks 400g")
    with engine.connect() as conn:
        (txid, change_id), (later_txid, _) = conn.execute(
            text(
                "SELECT txid, change_id FROM sgpos.change_log WHERE key IN (:a, :b) "
                "ORDER BY change_id"
            ),
            {"a": str(first), "b": str(second)},
        ).all()
    assert later_txid > txid
    # A till that pulled up to the first product from a server before migration 0005.
    _, changes = pull_all(engine, till, f"v1.{txid}.{change_id}")
    assert [c.key for c in changes] == [str(second)]


def test_staff_of_another_outlet_never_reach_this_till(engine: Engine, till: SyncedTill) -> None:
    other = add_outlet(engine)
    head, _ = pull_all(engine, till)
    sid = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO sgpos.staff VALUES (:s, :c, 'Ah Huat', 'cashier', 'x', true)"),
            {"s": sid, "c": "Z" + sid.hex[:6].upper()},
        )
        conn.execute(
            text("INSERT INTO sgpos.staff_outlet VALUES (:s, :o)"), {"s": sid, "o": other.outlet_id}
        )
    _, changes = pull_all(engine, till, head)
    staff = [c for c in changes if c.key == str(sid)]
    assert staff and all(c.op == "delete" for c in staff)


def test_concurrent_pushes_of_the_same_batch_apply_each_event_once(
    engine: Engine, till: SyncedTill
) -> None:
    events = till.events()
    results: list[object] = []
    errors: list[BaseException] = []

    def go() -> None:
        try:
            results.append(push(engine, till, events))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sales = scalar(
        engine, "SELECT count(*) FROM sgpos.sale WHERE till_id = :t", t=till.auth.till_id
    )
    with till.demo.till.store.read() as s:
        assert sales == s.execute(text("SELECT count(*) FROM sale")).scalar()
    assert scalar(
        engine, "SELECT count(*) FROM sgpos.inbox WHERE till_id = :t", t=till.auth.till_id
    ) == len(events)
    assert errors == []
    for result in results:  # every racer acknowledged every event, applied or duplicate
        assert isinstance(result, PushOk) and len(result.results) == len(events)
        assert {r.outcome for r in result.results} <= {EventOutcome.APPLIED, EventOutcome.DUPLICATE}


def test_text_with_tabs_backslashes_and_line_breaks_is_stored_exactly(
    engine: Engine, till: SyncedTill
) -> None:
    # Head office writes facts with COPY, whose text format gives these characters meanings.
    events = till.events()
    sale = next(e for e in events if e.kind == "sale.completed")
    awkward = "Kopi\tO \\N 1kg\r\nline two \\ \\\\ é"
    lines = [{**sale.payload["lines"][0], "name": awkward, "sku": "\\."}]
    lines += sale.payload["lines"][1:]
    odd = tampered(sale, lines=lines)
    result = push(engine, till, [odd if e is sale else e for e in events])
    assert isinstance(result, PushOk)
    assert {r.outcome for r in result.results} == {EventOutcome.APPLIED}
    stored = scalar(
        engine,
        "SELECT name || '|' || sku FROM sgpos.sale_line WHERE line_id = :id",
        id=lines[0]["line_id"],
    )
    assert stored == f"{awkward}|\\."


def test_head_office_prints_a_weighed_refund_in_kg_as_the_till_did(
    engine: Engine, till: SyncedTill
) -> None:
    shop = till.demo
    bananas = shop.till.catalogue.search("Bananas per kg")[0]
    checkout = shop.till.checkout(shop.cashier)
    line = checkout.add(bananas, Decimal("1.234"))
    sale = checkout.complete([Tender(TenderType.CASH, Decimal("50.00"))])
    done = shop.till.refunds().refund(
        shop.cashier, sale.receipt_no, {line.line_id: Decimal("0.500")}, reason="bruised"
    )
    assert isinstance(push(engine, till, till.events()), PushOk)

    with engine.connect() as conn:
        sale_id = conn.execute(
            text("SELECT sale_id FROM sgpos.sale WHERE receipt_no = :r"), {"r": sale.receipt_no}
        ).scalar_one()
        detail = sale_detail(conn, Scope(None), sale_id)
    assert detail is not None
    (refund,) = detail.refunds
    assert refund.receipt_no == done.receipt_no
    assert [x.weighed for x in refund.lines] == [True]
    # The slip's item lines as the till printed them (the shop's heading is head office's).
    printed = [x for x in done.receipt_text.splitlines() if "kg" in x]
    assert printed and "0.500 kg" in "".join(printed)
    assert [x for x in refund.receipt_text.splitlines() if "kg" in x] == printed
