"""The shop's gift vouchers on real till stores and a real PostgreSQL head office: sold
(activated) as an out-of-scope line, redeemed by serial, counted once however often a day is
pushed again, a double redemption by two offline tills flagged, and the journal balanced."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text

from shared.cart import Discount, ProductSnapshot, SaleError
from shared.gift_vouchers import VoucherError
from shared.protocol import (
    PROTOCOL_VERSION,
    Event,
    EventOutcome,
    PushOk,
    PushRequest,
    TillReport,
)
from shared.tender import Tender, TenderType
from sync_service.central.admin.gift_vouchers import void_voucher
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import upgrade_central
from sync_service.central.reports.common import Period, Scope
from sync_service.central.reports.gift_vouchers import flags, liability, voucher_history
from sync_service.central.reports.journal import GIFT_VOUCHERS, SALES_REVENUE, sales_journal
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.gift_voucher_support import new_batch, pull_batches
from tests.integration.test_central_ingest import NOW
from till.app import Till
from till.services.context import CashierError
from till.services.staff import SignedIn
from till.store.models import GiftVoucherUse, Product, SaleLine, StockMovement

D = Decimal
DAY = date(2025, 3, 1)  # the demo tills' clock


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = create_engine(pg_url)
    yield eng
    eng.dispose()


def open_till(engine: Engine, path: Path, outlet_code: str | None = None) -> SyncedTill:
    outlet = add_outlet(engine, outlet_code)
    t = enrolled_till(engine, path, outlet, "T01")
    t.demo.till.shifts.open_shift(t.demo.cashier, D("200.00"))
    return t


@pytest.fixture
def till(engine: Engine, tmp_path: Path) -> Iterator[SyncedTill]:
    t = open_till(engine, tmp_path / "till")
    yield t
    t.demo.till.close()


def goods(till: Till, n: int = 0) -> Product:
    with till.store.read() as s:
        found = s.scalars(
            select(Product)
            .where(~Product.weighed, Product.tax_code == "SR", Product.price > D("0.00"))
            .order_by(Product.sku)
            .offset(n)
        ).first()
    assert found is not None
    return found


def sell_voucher(till: Till, cashier: SignedIn, serial: str) -> str:
    checkout = till.checkout(cashier)
    checkout.scan(serial)
    total = checkout.totals().total
    return checkout.complete([Tender(TenderType.CASH, total)]).receipt_no


def buy_with_voucher(
    till: Till, cashier: SignedIn, serial: str, product: Product, amount: Decimal | None = None
) -> tuple[str, Tender]:
    """Buy ``product`` paying what the voucher covers, the rest in cash."""
    checkout = till.checkout(cashier)
    checkout.add(snapshot(till, product))
    gift = checkout.gift_voucher_tender(serial, amount)
    rest = checkout.totals().total - gift.amount
    tenders = [gift] + ([Tender(TenderType.CASH, rest)] if rest > 0 else [])
    return checkout.complete(tenders).receipt_no, gift


def snapshot(till: Till, product: Product) -> ProductSnapshot:
    [found] = [p for p in till.catalogue.search(product.sku, limit=5) if p.sku == product.sku]
    return found


def push(engine: Engine, till: SyncedTill, events: list[Event]) -> PushOk:
    report = TillReport(
        app_version="test", store_revision="0010", backlog=0, oldest_pending_at=None, sent_at=NOW
    )
    request = PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events)
    result = apply_push(engine, till.auth, request, now=NOW)
    assert isinstance(result, PushOk), result
    return result


def test_a_voucher_sold_is_an_out_of_scope_line_that_moves_no_stock_and_earns_its_event(
    engine: Engine, till: SyncedTill
) -> None:
    prefix = new_batch(engine, face_value="50.00")
    assert pull_batches(engine, till) >= 1
    shop, cashier = till.demo.till, till.demo.cashier
    serial = f"{prefix}-000001"

    sell_voucher(shop, cashier, f" {serial.lower()} ")  # as typed: spaces and case forgiven

    with shop.store.read() as s:
        [line] = s.scalars(select(SaleLine).where(SaleLine.voucher_serial == serial)).all()
        moved = s.scalars(select(StockMovement).where(StockMovement.source_id == line.line_id))
        uses = s.scalars(select(GiftVoucherUse)).all()
    assert (line.tax_code, line.gst, line.amount) == ("OS", D("0.00"), D("50.00"))
    assert list(moved) == []
    assert [(u.serial, u.kind, u.amount) for u in uses] == [(serial, "sold", D("50.00"))]
    sold = [e for e in till.events() if e.kind == "voucher.sold"]
    assert [e.payload["serial"] for e in sold] == [serial]
    buy_with_voucher(shop, cashier, serial, goods(shop))
    sales = [e.payload for e in till.events() if e.kind == "sale.completed"]
    # Only the voucher's line names a serial: an ordinary line reads as before gift vouchers.
    assert [[line.get("voucher_serial") for line in p["lines"]] for p in sales] == [
        [serial],
        [None],
    ]
    assert "voucher_serial" not in sales[1]["lines"][0]

    checkout = shop.checkout(cashier)
    with pytest.raises(VoucherError, match="already sold at this till"):
        checkout.scan(serial)
    with pytest.raises(VoucherError, match=r"no gift voucher .*-000021 was issued"):
        checkout.scan(f"{prefix}-000021")  # the batch holds 20
    checkout.scan(f"{prefix}-000002")
    voucher_line = checkout.cart.lines[0]
    with pytest.raises(SaleError, match="never discounted"):
        checkout.discount_line(voucher_line.line_id, Discount(percent=D(10)))


def test_redeeming_takes_at_most_what_is_left_and_never_gives_change(
    engine: Engine, till: SyncedTill
) -> None:
    prefix = new_batch(engine, face_value="20.00")
    pull_batches(engine, till)
    shop, cashier = till.demo.till, till.demo.cashier
    serial = f"{prefix}-000003"
    sell_voucher(shop, cashier, serial)
    cheap = goods(shop)
    assert cheap.price < D("20.00")

    _, first = buy_with_voucher(shop, cashier, serial, cheap)  # all that is due
    assert first.amount == cheap.price and first.reference == serial
    left = D("20.00") - cheap.price

    checkout = shop.checkout(cashier)
    checkout.add(snapshot(shop, goods(shop, 1)))
    with pytest.raises(VoucherError, match=f"has \\${left:,.2f} left"):
        checkout.gift_voucher_tender(serial, left + D("0.01"))
    with pytest.raises(VoucherError, match="no gift voucher"):
        checkout.gift_voucher_tender("GZZZZZ-000001", None)


def test_a_day_pushed_again_after_lost_acknowledgements_counts_each_voucher_once(
    engine: Engine, till: SyncedTill
) -> None:
    prefix = new_batch(engine, face_value="30.00")
    pull_batches(engine, till)
    shop, cashier = till.demo.till, till.demo.cashier
    sell_voucher(shop, cashier, f"{prefix}-000001")
    sell_voucher(shop, cashier, f"{prefix}-000002")
    morning = till.events()
    push(engine, till, morning)  # applied; the answer is lost

    item = goods(shop)
    _, taken = buy_with_voucher(shop, cashier, f"{prefix}-000001", item)
    whole_day = till.events()
    again = push(engine, till, whole_day)
    lost = push(engine, till, whole_day)

    assert Counter(r.outcome for r in again.results) == {
        EventOutcome.DUPLICATE: len(morning),
        EventOutcome.APPLIED: len(whole_day) - len(morning),
    }
    assert {r.outcome for r in lost.results} == {EventOutcome.DUPLICATE}
    with engine.connect() as conn:
        counts = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM sgpos.gift_voucher_sale WHERE serial LIKE :p),"
                " (SELECT count(*) FROM sgpos.gift_voucher_redemption WHERE serial LIKE :p)"
            ),
            {"p": f"{prefix}-%"},
        ).one()
        report = liability(conn, DAY)
        history = voucher_history(conn, f"{prefix}-000001")
    assert tuple(counts) == (2, 1)
    [batch] = [b for b in report.batches if b.prefix == prefix]
    assert (batch.sold, batch.sold_value) == (2, D("60.00"))
    assert batch.redeemed_value == taken.amount
    assert batch.outstanding == D("60.00") - taken.amount
    assert history is not None and [r[2] for r in history.redemptions] == [taken.amount]


def test_the_journal_stays_balanced_with_vouchers_owed_not_counted_as_revenue(
    engine: Engine, till: SyncedTill
) -> None:
    prefix = new_batch(engine, face_value="40.00")
    pull_batches(engine, till)
    shop, cashier = till.demo.till, till.demo.cashier
    sell_voucher(shop, cashier, f"{prefix}-000001")
    item = goods(shop)
    _, taken = buy_with_voucher(shop, cashier, f"{prefix}-000001", item)
    push(engine, till, till.events())

    with engine.connect() as conn:
        journal = sales_journal(conn, Scope.everything(), Period(DAY, DAY), till.auth.outlet_id)
    [day] = journal.days
    assert day.balanced
    owed = [x for x in day.lines if x.account == GIFT_VOUCHERS]
    assert sorted((x.memo, x.debit, x.credit) for x in owed) == [
        ("gift vouchers redeemed", taken.amount, D("0.00")),
        ("gift vouchers sold", D("0.00"), D("40.00")),
    ]
    [revenue] = [x for x in day.lines if x.account == SALES_REVENUE]
    # Revenue is the goods alone, excluding GST: the voucher's $40 is not in it.
    assert revenue.credit < item.price


def test_a_voucher_redeemed_at_two_offline_tills_is_flagged_and_neither_sale_refused(
    engine: Engine, tmp_path: Path
) -> None:
    prefix = new_batch(engine, face_value="25.00")
    a = open_till(engine, tmp_path / "a")
    b = open_till(engine, tmp_path / "b")
    try:
        pull_batches(engine, a)
        pull_batches(engine, b)
        serial = f"{prefix}-000007"
        sell_voucher(a.demo.till, a.demo.cashier, serial)
        push(engine, a, a.events())
        # Both tills go offline; each takes the whole voucher for goods worth more.
        dear_a = next(p for n in range(40) if (p := goods(a.demo.till, n)).price > D("25"))
        dear_b = next(p for n in range(40) if (p := goods(b.demo.till, n)).price > D("25"))
        buy_with_voucher(a.demo.till, a.demo.cashier, serial, dear_a)
        buy_with_voucher(b.demo.till, b.demo.cashier, serial, dear_b)
        # Back online: both days arrive; every event is stored, none quarantined.
        for t in (a, b):
            answer = push(engine, t, t.events())
            assert EventOutcome.QUARANTINED not in {r.outcome for r in answer.results}
        with engine.connect() as conn:
            found, total = flags(conn)
            sales = conn.execute(
                text("SELECT count(*) FROM sgpos.sale WHERE till_id IN (:a, :b)"),
                {"a": a.auth.till_id, "b": b.auth.till_id},
            ).scalar_one()
        assert sales == 3
        [flag] = [f for f in found if f.serial == serial]
        assert (flag.kind, flag.tills, flag.redeemed, flag.over) == (
            "over-redeemed",
            2,
            D("50.00"),
            D("25.00"),  # bounded: one face value per till that took it offline
        )
        assert total >= 1
    finally:
        a.demo.till.close()
        b.demo.till.close()


def test_a_voided_or_expired_voucher_is_refused_at_the_till(
    engine: Engine, till: SyncedTill
) -> None:
    prefix = new_batch(engine)
    old = new_batch(engine, expires_on=date(2025, 2, 28))  # the day before the till's
    void_voucher(engine, "test@shop.sg", f"{prefix}-000004")
    pull_batches(engine, till)
    checkout = till.demo.till.checkout(till.demo.cashier)
    with pytest.raises(VoucherError, match="voided by head office"):
        checkout.scan(f"{prefix}-000004")
    with pytest.raises(VoucherError, match="expired on 28 Feb 2025"):
        checkout.scan(f"{old}-000001")


def test_a_voucher_sold_is_not_refunded_or_voided_at_the_till(
    engine: Engine, till: SyncedTill
) -> None:
    prefix = new_batch(engine)
    pull_batches(engine, till)
    shop, cashier = till.demo.till, till.demo.cashier
    number = sell_voucher(shop, cashier, f"{prefix}-000001")
    [line] = shop.refunds().lookup(number).lines
    with pytest.raises(CashierError, match="ask head office to void the voucher"):
        shop.refunds().refund(cashier, number, {line.line_id: D(1)}, reason="changed mind")
    with pytest.raises(CashierError, match="ask head office to void the voucher"):
        shop.refunds().void(cashier, number, reason="mistake", approved_by=till.demo.manager)


def test_a_voucher_line_has_no_cost_at_head_office_and_a_refund_of_one_moves_no_stock(
    engine: Engine, till: SyncedTill, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = new_batch(engine, face_value="30.00")
    pull_batches(engine, till)
    shop, cashier = till.demo.till, till.demo.cashier
    serial = f"{prefix}-000001"
    receipt = sell_voucher(shop, cashier, serial)
    # A till that refunds the voucher line anyway (one from before the rule, or altered): head
    # office stores the refund but moves no product, since a voucher is not goods.
    monkeypatch.setattr("till.services.refunds._not_a_gift_voucher", lambda line: None)
    with shop.store.read() as s:
        [line] = s.scalars(select(SaleLine).where(SaleLine.voucher_serial == serial)).all()
    shop.refunds().refund(cashier, receipt, {line.line_id: D(1)}, reason="test")
    results = push(engine, till, till.events()).results
    assert {r.outcome for r in results} == {EventOutcome.APPLIED}, results

    with engine.connect() as conn:
        cost = conn.execute(
            text("SELECT unit_cost, cost FROM sgpos.sale_line WHERE line_id = :l"),
            {"l": line.line_id},
        ).one()
        refunded = conn.execute(
            text(
                "SELECT r.refund_id, l.cost FROM sgpos.refund_line l JOIN sgpos.refund r "
                "USING (refund_id) WHERE l.line_id = :l"
            ),
            {"l": line.line_id},
        ).one()
        moved = conn.execute(
            text(
                "SELECT count(*) FROM sgpos.stock_movement WHERE source = :sale "
                "OR source LIKE :refund"
            ),
            {"sale": str(line.line_id), "refund": f"{refunded.refund_id}:%"},
        ).scalar_one()
        held = conn.execute(
            text("SELECT count(*) FROM sgpos.stock_on_hand WHERE product_id = :p"),
            {"p": line.product_id},
        ).scalar_one()
    assert tuple(cost) == (None, None)
    assert refunded.cost is None
    assert (moved, held) == (0, 0)
