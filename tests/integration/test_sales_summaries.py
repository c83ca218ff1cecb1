"""The breakdown summaries (``sales_by_item``, ``sales_by_staff``) against sums computed here
from the facts, after a real till's day is pushed once, again, by four servers at once, with a
sale repeated in one push and with a receipt number replayed; and migration 0021's fill gives
exactly the rows ingest kept. Cost (each line's cost of goods sold, the cost refunds gave
back, the lines without one) is summed like every other figure."""

from __future__ import annotations

import importlib.util
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine, create_engine, text

from shared.protocol import PROTOCOL_VERSION, Event, EventOutcome, PushOk, PushRequest, TillReport
from shared.tender import Tender, TenderType
from shared.wire import payload_hash
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import MIGRATIONS_DIR, upgrade_central
from sync_service.central.summaries import recost_summaries
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.gift_voucher_support import new_batch, pull_batches
from tests.integration.test_gift_vouchers import goods, snapshot
from till.simulate import simulate

pytestmark = pytest.mark.postgres

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# Independently of ingest: per outlet, date and product, and per outlet, date, till, staff
# member and Singapore hour, from the sale and refund lines of goods (a gift voucher sold is
# not goods, nor a refund line naming its line).
GOODS_GIVEN_BACK = (
    "NOT EXISTS (SELECT 1 FROM sgpos.sale_line v WHERE v.line_id = rl.line_id "
    "AND v.voucher_serial IS NOT NULL)"
)
ITEMS_FROM_FACTS = f"""
SELECT outlet_id, business_date, product_id, sum(quantity), sum(sales), sum(amount),
       sum(discount), sum(gst), sum(refund_amount), sum(refund_gst), sum(cost),
       sum(refund_cost), sum(uncosted)
FROM (
    SELECT s.outlet_id, s.business_date, l.product_id,
           sum(CASE WHEN l.weighed THEN 1 ELSE l.quantity END) AS quantity, 1 AS sales,
           sum(l.amount) AS amount, sum(l.line_discount + l.cart_discount) AS discount,
           sum(l.gst) AS gst, 0 AS refund_amount, 0 AS refund_gst,
           sum(coalesce(l.cost, 0)) AS cost, 0 AS refund_cost,
           sum(CASE WHEN l.cost IS NULL THEN 1 ELSE 0 END) AS uncosted
    FROM sgpos.sale s JOIN sgpos.sale_line l USING (sale_id)
    WHERE l.voucher_serial IS NULL
    GROUP BY s.outlet_id, s.business_date, l.product_id, s.sale_id
    UNION ALL
    SELECT r.outlet_id, r.business_date, rl.product_id, 0, 0, 0, 0, 0, rl.amount, rl.gst,
           0, coalesce(rl.cost, 0), CASE WHEN rl.cost IS NULL THEN 1 ELSE 0 END
    FROM sgpos.refund r JOIN sgpos.refund_line rl USING (refund_id)
    WHERE {GOODS_GIVEN_BACK}
) f
WHERE outlet_id = :o
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
"""
ITEMS_KEPT = """
SELECT outlet_id, business_date, product_id, quantity, sales, amount, discount, gst,
       refund_amount, refund_gst, cost, refund_cost, uncosted
FROM sgpos.sales_by_item WHERE outlet_id = :o ORDER BY 1, 2, 3
"""
CATEGORIES_FROM_FACTS = """
SELECT coalesce(p.category_id::text, ''), count(DISTINCT s.sale_id)
FROM sgpos.sale s JOIN sgpos.sale_line l USING (sale_id)
LEFT JOIN sgpos.product p ON p.product_id = l.product_id
WHERE s.outlet_id = :o AND l.voucher_serial IS NULL GROUP BY 1 ORDER BY 1
"""
CATEGORIES_KEPT = """
SELECT coalesce(category_id::text, ''), sum(category_sales) FROM sgpos.sales_by_item
WHERE outlet_id = :o GROUP BY 1 HAVING sum(category_sales) > 0 ORDER BY 1
"""
MONTHS_FROM_DAYS = """
SELECT outlet_id, date_trunc('month', business_date)::date, product_id, sum(quantity),
       sum(sales), sum(category_sales), sum(amount), sum(discount), sum(gst),
       sum(refund_amount), sum(refund_gst), sum(cost), sum(refund_cost), sum(uncosted)
FROM sgpos.sales_by_item WHERE outlet_id = :o GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
MONTHS_KEPT = """
SELECT outlet_id, month, product_id, quantity, sales, category_sales, amount, discount, gst,
       refund_amount, refund_gst, cost, refund_cost, uncosted
FROM sgpos.sales_by_item_month WHERE outlet_id = :o ORDER BY 1, 2, 3
"""
STAFF_FROM_FACTS = f"""
SELECT outlet_id, business_date, till_id, cashier_id, hour, sum(quantity), sum(sales),
       sum(amount), sum(discount), sum(gst), sum(refund_amount), sum(refund_gst), sum(cost),
       sum(refund_cost), sum(uncosted)
FROM (
    SELECT s.outlet_id, s.business_date, s.till_id, s.cashier_id,
           to_char(s.sold_at AT TIME ZONE 'Asia/Singapore', 'HH24')::int AS hour,
           CASE WHEN l.weighed THEN 1 ELSE l.quantity END AS quantity,
           CASE WHEN l.position = (SELECT min(g.position) FROM sgpos.sale_line g
                                    WHERE g.sale_id = s.sale_id AND g.voucher_serial IS NULL)
                THEN 1 ELSE 0 END AS sales, l.amount,
           l.line_discount + l.cart_discount AS discount, l.gst,
           0 AS refund_amount, 0 AS refund_gst, coalesce(l.cost, 0) AS cost, 0 AS refund_cost,
           CASE WHEN l.cost IS NULL THEN 1 ELSE 0 END AS uncosted
    FROM sgpos.sale s JOIN sgpos.sale_line l USING (sale_id)
    WHERE l.voucher_serial IS NULL
    UNION ALL
    SELECT r.outlet_id, r.business_date, r.till_id, r.cashier_id,
           to_char(r.refunded_at AT TIME ZONE 'Asia/Singapore', 'HH24')::int,
           0, 0, 0, 0, 0, rl.amount, rl.gst, 0, coalesce(rl.cost, 0),
           CASE WHEN rl.cost IS NULL THEN 1 ELSE 0 END
    FROM sgpos.refund r JOIN sgpos.refund_line rl USING (refund_id)
    WHERE {GOODS_GIVEN_BACK}
) f
WHERE outlet_id = :o
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5
"""
STAFF_KEPT = """
SELECT outlet_id, business_date, till_id, cashier_id, hour, quantity, sales, amount, discount,
       gst, refund_amount, refund_gst, cost, refund_cost, uncosted
FROM sgpos.sales_by_staff WHERE outlet_id = :o ORDER BY 1, 2, 3, 4, 5
"""
SOLD_COST = "SELECT sum(cost), sum(uncosted) FROM sgpos.sales_by_item WHERE outlet_id = :o"


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
    # With its stock documents: deliveries before the sales give them a cost.
    simulate(t.demo.till, 30, seed=11, cashier=t.demo.cashier, manager=t.demo.manager, stock=True)
    yield t
    t.demo.till.close()


def push(engine: Engine, till: SyncedTill, events: list[Event]) -> PushOk:
    report = TillReport(
        app_version="test",
        store_revision="0002",
        backlog=len(events),
        oldest_pending_at=None,
        sent_at=NOW,
    )
    request = PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events)
    result = apply_push(engine, till.auth, request, now=NOW)
    assert isinstance(result, PushOk)
    return result


def _rows(engine: Engine, sql: str, outlet: uuid.UUID) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), {"o": outlet}).all()]


def assert_summaries_equal_the_facts(engine: Engine, outlet: uuid.UUID) -> None:
    items = _rows(engine, ITEMS_KEPT, outlet)
    assert items, "the till's sales reached no summary"
    assert items == _rows(engine, ITEMS_FROM_FACTS, outlet)
    assert _rows(engine, CATEGORIES_KEPT, outlet) == _rows(engine, CATEGORIES_FROM_FACTS, outlet)
    assert _rows(engine, STAFF_KEPT, outlet) == _rows(engine, STAFF_FROM_FACTS, outlet)
    assert _rows(engine, MONTHS_KEPT, outlet) == _rows(engine, MONTHS_FROM_DAYS, outlet)


def test_a_day_pushed_once_is_summed_exactly(engine: Engine, till: SyncedTill) -> None:
    events = till.events()
    assert any(e.kind == "refund.completed" for e in events)
    push(engine, till, events)
    assert_summaries_equal_the_facts(engine, till.auth.outlet_id)
    # The day's deliveries gave its sales a cost, and the summaries carry it.
    [(cost, uncosted)] = _rows(engine, SOLD_COST, till.auth.outlet_id)
    assert cost > 0, (cost, uncosted)


def test_replays_and_racing_servers_add_nothing_twice(engine: Engine, till: SyncedTill) -> None:
    events = till.events()
    half = len(events) // 2
    push(engine, till, events[:half])
    # The till did not hear the answer and sends everything again, through four servers.
    threads = [threading.Thread(target=push, args=(engine, till, events)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    again = push(engine, till, events)
    assert {r.outcome for r in again.results} == {EventOutcome.DUPLICATE}
    assert_summaries_equal_the_facts(engine, till.auth.outlet_id)


def test_a_sale_repeated_or_replayed_under_new_keys_is_never_summed(
    engine: Engine, till: SyncedTill
) -> None:
    events = till.events()
    sale = next(e for e in events if e.kind == "sale.completed")
    repeated = sale.model_copy(update={"seq": events[-1].seq + 1, "event_id": uuid.uuid4()})
    # A till restored from an old backup: a new epoch, a new sale, a receipt number reused.
    payload = {**sale.payload, "sale_id": str(uuid.uuid4())}
    replayed = sale.model_copy(
        update={
            "epoch": 2,
            "seq": 1,
            "event_id": uuid.uuid4(),
            "payload": payload,
            "payload_sha256": payload_hash(payload),
        }
    )
    result = push(engine, till, [*events, repeated])
    assert result.results[-1].outcome is EventOutcome.QUARANTINED
    assert push(engine, till, [replayed]).results[0].outcome is EventOutcome.QUARANTINED
    assert_summaries_equal_the_facts(engine, till.auth.outlet_id)


def _migration() -> ModuleType:
    path = MIGRATIONS_DIR / "versions" / "0021_goods_only_summaries.py"
    spec = importlib.util.spec_from_file_location("sales_summary_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_fills_exactly_what_ingest_keeps(engine: Engine, till: SyncedTill) -> None:
    push(engine, till, till.events())
    # The migration fills every outlet; this till's outlet is compared, since other tests of
    # the same database may have stored lines or summaries by other means.
    outlet = till.auth.outlet_id
    mine = "SELECT * FROM sgpos.{} WHERE outlet_id = :o ORDER BY {}"
    kept = [_rows(engine, mine.format(t, k), outlet) for t, k in TABLES]
    migration = _migration()
    with engine.begin() as conn:
        for table, _ in TABLES:
            conn.execute(text(f"DELETE FROM sgpos.{table}"))
        for fill in ("FILL_SALES_BY_ITEM", "FILL_SALES_BY_ITEM_MONTH", "FILL_SALES_BY_STAFF"):
            conn.execute(text(getattr(migration, fill).format_map(migration.EVERY)))
    filled = [_rows(engine, mine.format(t, k), outlet) for t, k in TABLES]
    assert filled == kept and all(filled)


# Every summary of every outlet, in key order.
TABLES = (
    ("sales_by_item", "1, 2, 3"),
    ("sales_by_item_month", "1, 2, 3"),
    ("sales_by_staff", "1, 2, 3, 4, 5"),
)


def _forged_voucher_refund(till: SyncedTill, sale: Event, line: dict[str, object]) -> Event:
    """A refund of a gift voucher's line, which no till makes (it refuses) but one may send:
    the till's own refund event with that line and its money instead."""
    events = till.events()
    template = next(e for e in events if e.kind == "refund.completed")
    receipt = str(template.payload["receipt_no"])
    payload = {
        **template.payload,
        "refund_id": str(uuid.uuid4()),
        "receipt_no": receipt[:-1] + ("9" if receipt[-1] != "9" else "8"),
        "original_sale_id": sale.payload["sale_id"],
        "original_receipt_no": sale.payload["receipt_no"],
        "lines": [
            {
                "line_id": line["line_id"],
                "product_id": line["product_id"],
                "name": line["name"],
                "quantity": "1.000",
                "amount": line["amount"],
                "gst": "0.00",
                "gst_rate": line["gst_rate"],
                "tax_code": "OS",
            }
        ],
        "tenders": [{"type": "cash", "amount": line["amount"]}],
        "total": line["amount"],
        "gst_total": "0.00",
        "rounding": "0.00",
    }
    return template.model_copy(
        update={
            "seq": events[-1].seq + 1,
            "event_id": uuid.uuid4(),
            "payload": payload,
            "payload_sha256": payload_hash(payload),
        }
    )


def test_a_gift_voucher_sold_is_not_goods_in_the_breakdown_summaries(
    engine: Engine, tmp_path: Path
) -> None:
    """A voucher sold alone, a voucher sold before goods on one sale, goods alone refunded at
    the till, and a refund of the voucher's line a till sent anyway: the item and staff
    summaries hold the goods only; the takings summaries every sale and refund."""
    t = enrolled_till(engine, tmp_path / "till", add_outlet(engine), "T01")
    shop, cashier = t.demo.till, t.demo.cashier
    try:
        prefix = new_batch(engine, face_value="50.00")
        pull_batches(engine, t)
        shop.shifts.open_shift(cashier, Decimal("200.00"))
        product = goods(shop)
        price = product.price

        def sell(*serials: str, items: int = 0) -> str:
            checkout = shop.checkout(cashier)
            for serial in serials:
                checkout.scan(serial)
            for _ in range(items):
                checkout.add(snapshot(shop, product))
            due = checkout.totals().total
            return checkout.complete([Tender(TenderType.CARD, due, reference="V1")]).receipt_no

        sell(f"{prefix}-000001")
        sell(f"{prefix}-000002", items=1)
        alone = sell(items=1)
        sold = shop.refunds().lookup(alone)
        shop.refunds().refund(
            cashier, alone, {ln.line_id: ln.left for ln in sold.lines}, reason="x"
        )
        sales = [e for e in t.events() if e.kind == "sale.completed"]
        mixed = sales[1]
        voucher_line = mixed.payload["lines"][0]
        assert voucher_line["voucher_serial"] == f"{prefix}-000002"
        answer = push(engine, t, [*t.events(), _forged_voucher_refund(t, mixed, voucher_line)])
        assert {r.outcome for r in answer.results} == {EventOutcome.APPLIED}
    finally:
        shop.close()

    outlet = t.auth.outlet_id
    assert_summaries_equal_the_facts(engine, outlet)
    # By hand: two of the product sold (two sales) and one refunded; no voucher anywhere.
    [item] = _rows(engine, ITEMS_KEPT, outlet)
    assert str(item[2]) == product.product_id and item[3:6] == (Decimal(2), 2, 2 * price)
    assert item[8] == price  # the till's refund; not the voucher's $50.00
    [(quantity, transactions, amount, refunded)] = _rows(
        engine,
        "SELECT sum(quantity), sum(sales), sum(amount), sum(refund_amount) "
        "FROM sgpos.sales_by_staff WHERE outlet_id = :o",
        outlet,
    )
    assert (quantity, transactions, amount, refunded) == (Decimal(2), 2, 2 * price, price)
    # The money taken and paid back is all in the takings.
    [(count, total, refunds, refund_total)] = _rows(
        engine,
        "SELECT sum(sales_count), sum(sales_total), sum(refund_count), sum(refund_total) "
        "FROM sgpos.sales_by_hour WHERE outlet_id = :o",
        outlet,
    )
    voucher = Decimal("50.00")
    assert (count, total) == (3, 2 * voucher + 2 * price)
    assert (refunds, refund_total) == (2, voucher + price)
    # ``recost`` sets the cost columns again from the lines by the same rule.
    with engine.begin() as conn:
        recost_summaries(conn)
    assert_summaries_equal_the_facts(engine, outlet)
