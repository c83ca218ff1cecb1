"""Sales explorer, sale detail with its receipt as printed, stock, audit trail and audit chains,
over two real tills' synced data; and an outlet manager's scope never reaching another
outlet's rows."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text

from shared.receipt import render_text
from sync_service.central.audit_chains import catch_up
from sync_service.central.reports import (
    AuditFilter,
    NotInScope,
    ReportError,
    SaleFilter,
    Scope,
    StockFilter,
    audit_chains,
    audit_trail,
    cashiers,
    gst_report,
    outlets,
    overview,
    sale_detail,
    search_sales,
    stock_levels,
    stock_movements,
    tills,
)
from tests.dashboard.report_support import PERIOD, ReportShop, build_shop, one, rows

pytestmark = pytest.mark.postgres
METACHARACTERS = ("'; DROP TABLE sgpos.sale; --", "%", "_", "\\", '" OR 1=1 --', "ORC-T01-%")


@pytest.fixture(scope="module")
def shop(
    dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportShop]:
    built = build_shop(dashboard_engine, tmp_path_factory.mktemp("report-views"))
    yield built
    built.close()


def _all_sales(engine: Engine, scope: Scope, f: SaleFilter, limit: int = 7) -> list:
    found, after = [], None
    with engine.connect() as conn:
        while True:
            page = search_sales(conn, scope, f, after=after, limit=limit)
            found += page.rows
            if page.next_cursor is None:
                return found
            after = page.next_cursor


def test_the_explorer_pages_through_every_sale_newest_first_once(shop: ReportShop) -> None:
    found = _all_sales(shop.engine, shop.both, SaleFilter(outlet_id=shop.outlet_a.outlet_id))
    stored = rows(
        shop.engine,
        "SELECT sale_id FROM sgpos.sale WHERE outlet_id = :o ORDER BY sold_at DESC, sale_id DESC",
        o=shop.outlet_a.outlet_id,
    )
    assert [r.sale_id for r in found] == [r[0] for r in stored]
    assert all(r.outlet_code == shop.outlet_a.code for r in found)


def test_explorer_filters_by_receipt_date_tender_cashier_and_till(shop: ReportShop) -> None:
    engine, scope = shop.engine, shop.both
    # A refund's number finds the sale it refunded; lower case and spaces are forgiven.
    refund_no = one(
        engine,
        "SELECT receipt_no FROM sgpos.refund WHERE original_receipt_no = :n",
        n=shop.refunded_2023_receipt,
    )[0]
    for typed in (shop.refunded_2023_receipt.lower(), f" {refund_no} "):
        [hit] = _all_sales(engine, scope, SaleFilter(receipt_no=typed))
        assert hit.receipt_no == shop.refunded_2023_receipt and hit.refunded > 0
    new_year = _all_sales(
        engine, scope, SaleFilter(date_from=date(2023, 12, 31), date_to=date(2023, 12, 31))
    )
    assert new_year and {r.business_date for r in new_year} == {date(2023, 12, 31)}
    paynow = _all_sales(engine, scope, SaleFilter(tender_type="paynow"))
    expected = one(
        engine,
        "SELECT count(DISTINCT t.document_id) FROM sgpos.tender t JOIN sgpos.sale s "
        "ON s.sale_id = t.document_id WHERE t.type = 'paynow' AND s.outlet_id IN (:a, :b)",
        a=shop.ids[0],
        b=shop.ids[1],
    )[0]
    assert len(paynow) == expected > 0 and all("paynow" in r.tender_types for r in paynow)
    cashier = shop.till_b.demo.cashier.staff_id
    by_cashier = _all_sales(engine, scope, SaleFilter(cashier_id=uuid.UUID(cashier)))
    assert {r.cashier_name for r in by_cashier} == {shop.till_b.demo.cashier.display_name}
    by_till = _all_sales(engine, scope, SaleFilter(till_id=shop.till_b.auth.till_id))
    assert by_till and {r.till_id for r in by_till} == {shop.till_b.auth.till_id}
    with pytest.raises(ReportError, match="unknown payment type"):
        SaleFilter(tender_type="bitcoin")


def test_sql_metacharacters_in_filters_match_nothing_and_break_nothing(shop: ReportShop) -> None:
    before = one(shop.engine, "SELECT count(*) FROM sgpos.sale")[0]
    with shop.engine.connect() as conn:
        for nasty in METACHARACTERS:
            assert (
                search_sales(conn, shop.both, SaleFilter(receipt_no=nasty), after=None).rows == ()
            )
            assert stock_levels(conn, shop.both, StockFilter(search=nasty), after=None).rows == ()
            page = audit_trail(conn, shop.both, AuditFilter(action=nasty, actor=nasty), after=None)
            assert page.rows == ()
        with pytest.raises(ReportError, match="page link is damaged"):
            search_sales(conn, shop.both, SaleFilter(), after="'; DROP TABLE x; --")
    assert one(shop.engine, "SELECT count(*) FROM sgpos.sale")[0] == before


def test_sale_detail_shows_the_receipt_exactly_as_the_till_printed_it(shop: ReportShop) -> None:
    for till in (shop.till_a, shop.till_b):
        service = till.demo.till.receipts()
        with till.demo.till.store.read() as s:
            numbers = s.execute(text("SELECT receipt_no, sale_id FROM sale")).all()
        assert len(numbers) > 10
        with shop.engine.connect() as conn:
            for receipt_no, sale_id in numbers:
                detail = sale_detail(conn, shop.both, uuid.UUID(sale_id))
                assert detail is not None
                assert detail.receipt_text == render_text(service.look_up(receipt_no))
                for refund in detail.refunds:
                    printed = render_text(service.look_up(refund.receipt_no))
                    assert refund.receipt_text == printed


def test_sale_detail_lists_lines_tenders_and_refunds(shop: ReportShop) -> None:
    sale_id = one(
        shop.engine,
        "SELECT sale_id FROM sgpos.sale WHERE receipt_no = :n",
        n=shop.refunded_2023_receipt,
    )[0]
    with shop.engine.connect() as conn:
        detail = sale_detail(conn, shop.both, sale_id)
    assert detail is not None
    assert sum((x.amount for x in detail.lines), Decimal(0)) == detail.total
    assert sum((t.amount for t in detail.tenders), Decimal(0)) - detail.change == detail.paid
    [refund] = detail.refunds
    assert refund.refunded_at.date() > detail.sold_at.date()
    assert {x.gst_rate for x in refund.lines if x.tax_code == "SR"} == {Decimal(8)}
    assert "REFUND" in refund.receipt_text and detail.receipt_no in refund.receipt_text


def test_an_outlet_manager_never_sees_another_outlet(shop: ReportShop) -> None:
    a, b = shop.ids
    mine = Scope.outlet(a)
    with shop.engine.connect() as conn:
        assert [o.outlet_id for o in outlets(conn, mine)] == [a]
        assert {t.outlet_id for t in tills(conn, mine)} == {a}
        assert overview(conn, mine, PERIOD).outlets[0].outlet.outlet_id == a  # type: ignore[union-attr]
        assert len(overview(conn, mine, PERIOD).outlets) == 1
        assert [x.outlet.outlet_id for x in gst_report(conn, mine, PERIOD).outlets] == [a]
        every = search_sales(conn, mine, SaleFilter(), after=None, limit=500).rows
        assert every and {r.outlet_id for r in every} == {a}
        # Asking for the other outlet by id (as an edited URL would) finds nothing.
        assert search_sales(conn, mine, SaleFilter(outlet_id=b), after=None).rows == ()
        b_sale = one(
            shop.engine, "SELECT sale_id FROM sgpos.sale WHERE outlet_id = :b LIMIT 1", b=b
        )[0]
        assert sale_detail(conn, mine, b_sale) is None
        assert sale_detail(conn, Scope.outlet(b), b_sale) is not None
        stock = stock_levels(conn, mine, StockFilter(), after=None, limit=500).rows
        assert stock and {r.outlet_id for r in stock} == {a}
        assert stock_levels(conn, mine, StockFilter(outlet_id=b), after=None).rows == ()
        product = stock[0].product_id
        with pytest.raises(NotInScope):
            stock_movements(conn, mine, b, product)
        trail = audit_trail(conn, mine, AuditFilter(), after=None, limit=500).rows
        assert trail and {r.outlet_code for r in trail} == {shop.outlet_a.code}
        assert {c.outlet_id for c in audit_chains(conn, mine)} == {a}
        assert cashiers(conn, mine)  # the demo staff work here
        assert cashiers(conn, Scope(frozenset())) == []


def test_stock_on_hand_is_the_movement_ledger_and_negative_stock_is_flagged(
    shop: ReportShop,
) -> None:
    a = shop.outlet_a.outlet_id
    with shop.engine.connect() as conn:
        levels = stock_levels(conn, shop.both, StockFilter(outlet_id=a), after=None, limit=500)
        ledger = dict(
            conn.execute(
                text(
                    "SELECT product_id, sum(quantity) FROM sgpos.stock_movement "
                    "WHERE outlet_id = :o GROUP BY product_id"
                ),
                {"o": a},
            ).all()
        )
        assert {r.product_id: r.quantity for r in levels.rows} == ledger
        negative = stock_levels(
            conn, shop.both, StockFilter(outlet_id=a, negative_only=True), after=None, limit=500
        ).rows
        # Tills sell without receiving stock first: everything sold is below zero.
        assert negative and all(r.negative and r.quantity < 0 for r in negative)
        row = negative[0]
        history = stock_movements(conn, shop.both, a, row.product_id, limit=500)
        assert sum((x.quantity for x in history), Decimal(0)) == row.quantity
        assert history[0].balance_after == row.quantity
        for newer, older in itertools.pairwise(history):
            assert older.balance_after == newer.balance_after - newer.quantity
        assert {x.reason for x in history} <= {"sale", "refund"}
        found = stock_levels(
            conn, shop.both, StockFilter(outlet_id=a, search=row.name[:5].lower()), after=None
        ).rows
        assert row.product_id in {r.product_id for r in found}


def test_audit_trail_lists_till_records_newest_first_with_filters(shop: ReportShop) -> None:
    till_id = shop.till_a.auth.till_id
    with shop.engine.connect() as conn:
        page = audit_trail(conn, shop.both, AuditFilter(till_id=till_id), after=None, limit=20)
        stored = one(
            shop.engine, "SELECT count(*) FROM sgpos.audit_record WHERE till_id = :t", t=till_id
        )[0]
        seen, after = list(page.rows), page.next_cursor
        while after:
            more = audit_trail(conn, shop.both, AuditFilter(till_id=till_id), after=after, limit=20)
            seen += more.rows
            after = more.next_cursor
        assert len(seen) == stored > 0
        assert [r.at for r in seen] == sorted((r.at for r in seen), reverse=True)
        refunds = audit_trail(
            conn, shop.both, AuditFilter(till_id=till_id, action="sale.refunded"), after=None
        ).rows
        assert [r.subject for r in refunds] == [shop.refunded_2023_receipt]


def test_audit_chains_verify_and_a_tampered_record_is_the_first_broken_link(
    shop: ReportShop,
) -> None:
    till_id = shop.till_a.auth.till_id
    with shop.engine.connect() as conn:
        [chain] = [c for c in audit_chains(conn, shop.both) if c.till_id == till_id]
    assert chain.verified and chain.verified_to_seq == chain.records >= 3
    target = chain.records // 2 + 1
    with shop.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE sgpos.audit_record SET subject = 'nothing to see' "
                "WHERE till_id = :t AND epoch = :e AND seq = :s"
            ),
            {"t": till_id, "e": chain.epoch, "s": target},
        )
    with shop.engine.connect() as conn:
        [broken] = [c for c in audit_chains(conn, shop.both) if c.till_id == till_id]
        [other] = [
            c for c in audit_chains(conn, shop.both) if c.till_id == shop.till_b.auth.till_id
        ]
    assert broken.status == "broken" and broken.first_broken_seq == target
    assert "tampered" in (broken.reason or "")
    assert broken.verified_to_seq == target - 1
    assert other.verified, other


def test_chains_left_unverified_by_the_upgrade_are_caught_up_but_never_past_a_broken_link(
    shop: ReportShop,
) -> None:
    till_id = shop.till_b.auth.till_id
    mark_sql = text("SELECT verified_seq, head_seq FROM sgpos.audit_chain_check WHERE till_id = :t")
    with shop.engine.begin() as conn:  # what the upgrade to revision 0003 leaves behind
        conn.execute(
            text(
                "UPDATE sgpos.audit_chain_check SET verified_seq = 0, "
                "verified_hash = repeat('0', 64) WHERE till_id = :t"
            ),
            {"t": till_id},
        )
    batches = 0
    while catch_up(shop.engine, limit=2):
        batches += 1
    with shop.engine.connect() as conn:
        verified, head = conn.execute(mark_sql, {"t": till_id}).one()
    assert verified == head >= 3
    assert batches == -(-head // 2)  # two records at a time, each batch kept

    record_2 = {"t": till_id, "s": 2}
    with shop.engine.begin() as conn:
        original = conn.execute(
            text("SELECT subject FROM sgpos.audit_record WHERE till_id = :t AND seq = :s"),
            record_2,
        ).scalar_one()
        conn.execute(
            text(
                "UPDATE sgpos.audit_record SET subject = 'nothing to see' "
                "WHERE till_id = :t AND seq = :s"
            ),
            record_2,
        )
    assert catch_up(shop.engine) == 0  # the mark stays before the tampered record
    with shop.engine.connect() as conn:
        assert conn.execute(mark_sql, {"t": till_id}).one().verified_seq == 1
        [chain] = [c for c in audit_chains(conn, shop.both) if c.till_id == till_id]
    assert chain.status == "broken" and chain.first_broken_seq == 2

    with shop.engine.begin() as conn:  # put it back: the chain verifies to its head again
        conn.execute(
            text("UPDATE sgpos.audit_record SET subject = :o WHERE till_id = :t AND seq = :s"),
            {**record_2, "o": original},
        )
    assert catch_up(shop.engine) == head - 1
