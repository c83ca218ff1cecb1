"""Overview, GST report and sales journal against sums computed here, in plain SQL, from the
facts two real tills synced; refunds at the rate originally charged; replays change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from sync_service.central.reports import (
    NotInScope,
    Period,
    Scope,
    gst_report,
    overview,
    sales_journal,
)
from tests.dashboard.report_support import PERIOD, ReportShop, build_shop, one, push_all, rows

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def shop(
    dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportShop]:
    built = build_shop(dashboard_engine, tmp_path_factory.mktemp("report-figures"))
    yield built
    built.close()


def _sales(engine: Engine, outlet: object) -> tuple[int, Decimal, Decimal, Decimal]:
    n, total, gst, rounding = one(
        engine,
        "SELECT count(*), coalesce(sum(total), 0), coalesce(sum(gst_total), 0), "
        "coalesce(sum(rounding), 0) FROM sgpos.sale "
        "WHERE outlet_id = :o AND business_date BETWEEN :s AND :e",
        o=outlet,
        s=PERIOD.start,
        e=PERIOD.end,
    )
    return n, total, gst, rounding


def _refunds(engine: Engine, outlet: object) -> tuple[int, Decimal, Decimal, Decimal]:
    n, total, gst, rounding = one(
        engine,
        "SELECT count(*), coalesce(sum(total), 0), coalesce(sum(gst_total), 0), "
        "coalesce(sum(rounding), 0) FROM sgpos.refund "
        "WHERE outlet_id = :o AND business_date BETWEEN :s AND :e",
        o=outlet,
        s=PERIOD.start,
        e=PERIOD.end,
    )
    return n, total, gst, rounding


def _tenders(engine: Engine, outlet: object, start: date, end: date) -> dict[str, Decimal]:
    """Net money per tender type: taken (cash less change) less paid back."""
    taken = rows(
        engine,
        "SELECT t.type, sum(t.amount) FROM sgpos.tender t JOIN sgpos.sale s "
        "ON s.sale_id = t.document_id WHERE s.outlet_id = :o "
        "AND s.business_date BETWEEN :s AND :e GROUP BY t.type",
        o=outlet,
        s=start,
        e=end,
    )
    change = one(
        engine,
        "SELECT coalesce(sum(change), 0) FROM sgpos.sale WHERE outlet_id = :o "
        "AND business_date BETWEEN :s AND :e",
        o=outlet,
        s=start,
        e=end,
    )[0]
    paid = rows(
        engine,
        "SELECT t.type, sum(t.amount) FROM sgpos.tender t JOIN sgpos.refund r "
        "ON r.refund_id = t.document_id WHERE r.outlet_id = :o "
        "AND r.business_date BETWEEN :s AND :e GROUP BY t.type",
        o=outlet,
        s=start,
        e=end,
    )
    net: dict[str, Decimal] = {}
    for kind, amount in taken:
        net[kind] = net.get(kind, Decimal(0)) + amount
    net["cash"] = net.get("cash", Decimal(0)) - change
    for kind, amount in paid:
        net[kind] = net.get(kind, Decimal(0)) - amount
    return {k: v for k, v in net.items() if v}


def test_overview_per_outlet_and_total_equal_the_sums_of_the_synced_sales(
    shop: ReportShop,
) -> None:
    engine = shop.engine
    with engine.connect() as conn:
        report = overview(conn, shop.both, PERIOD)
    assert [f.outlet.outlet_id for f in report.outlets if f.outlet] == sorted(
        shop.ids,
        key=lambda i: next(o.code for o in (shop.outlet_a, shop.outlet_b) if o.outlet_id == i),
    )
    totals = [Decimal(0)] * 4
    for figures in report.outlets:
        assert figures.outlet is not None
        n, total, gst, rounding = _sales(engine, figures.outlet.outlet_id)
        rn, rtotal, rgst, rrounding = _refunds(engine, figures.outlet.outlet_id)
        assert n > 10 and figures.transactions == n
        assert figures.sales == total and figures.refunds == rtotal
        assert figures.refund_count == rn
        assert figures.gst == gst - rgst
        assert figures.rounding == rounding - rrounding
        assert figures.average_basket == (total / n).quantize(Decimal("0.01"))
        net = {t.tender_type: t.net for t in figures.tenders if t.net}
        assert net == _tenders(engine, figures.outlet.outlet_id, PERIOD.start, PERIOD.end)
        # Every dollar in the drawers and clearing accounts is goods, GST and rounding.
        assert sum(net.values()) == figures.takings == total + rounding - rtotal - rrounding
        assert sum(h.transactions for h in figures.by_hour) == n
        assert sum((h.sales for h in figures.by_hour), Decimal(0)) == total
        assert len(figures.by_hour) == 24
        totals = [a + b for a, b in zip(totals, (n, total, gst - rgst, rtotal), strict=True)]
    t = report.total
    assert [t.transactions, t.sales, t.gst, t.refunds] == totals


def test_the_till_and_head_office_agree_on_the_day_s_takings(shop: ReportShop) -> None:
    """What the till counted in its own store equals what the overview says it took."""
    till = shop.till_b.demo.till
    with till.store.read() as s:
        from sqlalchemy import text

        cents = s.execute(
            text(
                "SELECT (SELECT coalesce(sum(total + rounding), 0) FROM sale) - "
                "(SELECT coalesce(sum(total + rounding), 0) FROM refund)"
            )
        ).scalar_one()
    with shop.engine.connect() as conn:
        report = overview(conn, Scope.outlet(shop.outlet_b.outlet_id), PERIOD)
    assert report.total.takings * 100 == cents


def test_hours_are_singapore_hours(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        report = overview(
            conn, Scope.outlet(shop.outlet_a.outlet_id), Period.day(date(2023, 12, 31))
        )
    busy = {h.hour for h in report.total.by_hour if h.transactions}
    assert busy and busy <= {20, 21}  # rung from 20:00 Singapore time on New Year's Eve


def test_gst_boxes_equal_line_sums_with_refunds_at_the_rate_originally_charged(
    shop: ReportShop,
) -> None:
    engine = shop.engine
    with engine.connect() as conn:
        report = gst_report(conn, shop.both, PERIOD)
    for outlet_gst in report.outlets:
        o = outlet_gst.outlet.outlet_id
        per_code = {
            code: (value, gst)
            for code, value, gst in rows(
                engine,
                "SELECT tax_code, sum(value), sum(gst) FROM ("
                " SELECT l.tax_code, l.amount - l.gst AS value, l.gst FROM sgpos.sale_line l"
                " JOIN sgpos.sale s ON s.sale_id = l.sale_id"
                " WHERE s.outlet_id = :o AND s.business_date BETWEEN :s AND :e"
                " UNION ALL"
                " SELECT l.tax_code, -(l.amount - l.gst), -l.gst FROM sgpos.refund_line l"
                " JOIN sgpos.refund r ON r.refund_id = l.refund_id"
                " WHERE r.outlet_id = :o AND r.business_date BETWEEN :s AND :e"
                ") AS supplies GROUP BY tax_code",
                o=o,
                s=PERIOD.start,
                e=PERIOD.end,
            )
        }
        boxes = outlet_gst.boxes
        zero = (Decimal(0), Decimal(0))
        assert boxes.box1_standard_rated == per_code.get("SR", zero)[0] != 0
        assert boxes.box2_zero_rated == per_code.get("ZR", zero)[0]
        assert boxes.box3_exempt == per_code.get("ES", zero)[0]
        assert boxes.out_of_scope == per_code.get("OS", zero)[0]
        assert boxes.box6_output_tax == sum((g for _, g in per_code.values()), Decimal(0))
        assert boxes.box4_total_supplies == (
            boxes.box1_standard_rated + boxes.box2_zero_rated + boxes.box3_exempt
        )
    assert report.total.box6_output_tax == sum(
        (x.boxes.box6_output_tax for x in report.outlets), Decimal(0)
    )
    assert report.total.box1_standard_rated == sum(
        (x.boxes.box1_standard_rated for x in report.outlets), Decimal(0)
    )


def test_a_2023_sale_refunded_in_2024_is_adjusted_at_8_percent_in_2024(shop: ReportShop) -> None:
    engine = shop.engine
    refund_lines = rows(
        engine,
        "SELECT l.amount, l.gst, l.gst_rate, l.tax_code FROM sgpos.refund_line l "
        "JOIN sgpos.refund r ON r.refund_id = l.refund_id "
        "WHERE r.original_receipt_no = :no AND r.business_date = '2024-01-02'",
        no=shop.refunded_2023_receipt,
    )
    sr = [x for x in refund_lines if x.tax_code == "SR"]
    assert sr and {x.gst_rate for x in sr} == {Decimal(8)}
    with engine.connect() as conn:
        january = gst_report(
            conn, Scope.outlet(shop.outlet_a.outlet_id), Period(date(2024, 1, 1), date(2024, 1, 31))
        )
    [outlet_gst] = january.outlets
    at_8 = [x for x in outlet_gst.lines if x.tax_code == "SR" and x.gst_rate == 8]
    assert len(at_8) == 1
    line = at_8[0]
    # Nothing sold at 8% in 2024: the 8% line is only the refund, with the GST charged then.
    assert line.sales_value == 0 and line.sales_gst == 0
    assert line.refunds_gst == sum((x.gst for x in sr), Decimal(0)) > 0
    assert line.refunds_value == sum((x.amount - x.gst for x in sr), Decimal(0))
    expected_at_8 = sum(((x.amount * 8 / 108).quantize(Decimal("0.01")) for x in sr), Decimal(0))
    assert abs(line.refunds_gst - expected_at_8) <= Decimal("0.01") * len(sr)
    at_9 = [x for x in outlet_gst.lines if x.tax_code == "SR" and x.gst_rate == 9]
    assert at_9 and at_9[0].sales_gst > 0
    assert outlet_gst.boxes.box6_output_tax == at_9[0].net_gst - line.refunds_gst


def test_each_journal_day_balances_to_the_cent_and_matches_the_facts(shop: ReportShop) -> None:
    engine = shop.engine
    for outlet in (shop.outlet_a, shop.outlet_b):
        with engine.connect() as conn:
            journal = sales_journal(conn, shop.both, PERIOD, outlet.outlet_id)
        assert journal.days
        for day in journal.days:
            assert day.balanced and day.debits == day.credits > 0
            for line in day.lines:
                assert (line.debit == 0) != (line.credit == 0)
            revenue, gst = one(
                engine,
                "SELECT coalesce(sum(l.amount - l.gst), 0), coalesce(sum(l.gst), 0) "
                "FROM sgpos.sale_line l JOIN sgpos.sale s ON s.sale_id = l.sale_id "
                "WHERE s.outlet_id = :o AND s.business_date = :d",
                o=outlet.outlet_id,
                d=day.business_date,
            )
            credited = {(x.account, x.memo): x.credit for x in day.lines if x.credit}
            assert credited.get(("Sales revenue", "sales excluding GST"), Decimal(0)) == revenue
            assert credited.get(("GST output tax", "GST on sales"), Decimal(0)) == gst
            debited: dict[str, Decimal] = {}
            credited_by_account: dict[str, Decimal] = {}
            for x in day.lines:
                debited[x.account] = debited.get(x.account, Decimal(0)) + x.debit
                credited_by_account[x.account] = (
                    credited_by_account.get(x.account, Decimal(0)) + x.credit
                )
            tenders = _tenders(engine, outlet.outlet_id, day.business_date, day.business_date)
            accounts = {
                "cash": "Cash in drawers",
                "nets": "NETS clearing",
                "card": "Card clearing",
                "paynow": "PayNow clearing",
            }
            for kind, net in tenders.items():
                account = accounts[kind]
                assert debited.get(account, 0) - credited_by_account.get(account, 0) == net
        assert journal.debits == journal.credits


def test_the_refund_day_posts_sales_returns_and_gst_given_back(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        journal = sales_journal(
            conn, shop.both, Period.day(date(2024, 1, 2)), shop.outlet_a.outlet_id
        )
    [day] = journal.days
    refunds = one(
        shop.engine,
        "SELECT sum(total - gst_total), sum(gst_total) FROM sgpos.refund "
        "WHERE outlet_id = :o AND business_date = '2024-01-02'",
        o=shop.outlet_a.outlet_id,
    )
    debits = {x.account: x.debit for x in day.lines if x.debit and "refund" in x.memo.lower()}
    assert debits["Sales returns (refunds)"] == refunds[0]
    assert debits["GST output tax"] == refunds[1] > 0


def test_a_journal_for_an_outlet_outside_the_scope_is_refused(shop: ReportShop) -> None:
    with shop.engine.connect() as conn, pytest.raises(NotInScope):
        sales_journal(conn, Scope.outlet(shop.outlet_a.outlet_id), PERIOD, shop.outlet_b.outlet_id)


def test_pushing_everything_again_changes_no_figure(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        before = (overview(conn, shop.both, PERIOD), gst_report(conn, shop.both, PERIOD))
    for till in (shop.till_a, shop.till_b):
        outcomes = push_all(shop.engine, till, batch=500)
        assert set(outcomes) == {outcomes[0]} and outcomes[0].value == "duplicate"
    with shop.engine.connect() as conn:
        after = (overview(conn, shop.both, PERIOD), gst_report(conn, shop.both, PERIOD))
    assert after == before


def test_a_period_that_ends_before_it_starts_is_refused_in_plain_words() -> None:
    with pytest.raises(ValueError, match="swap the two dates"):
        Period(date(2024, 2, 1), date(2024, 1, 1))


def test_the_summaries_equal_a_rebuild_from_the_facts(shop: ReportShop) -> None:
    """What ingest added up row by row equals one GROUP BY over the stored facts."""
    engine = shop.engine
    kept = rows(
        engine,
        "SELECT business_date, hour, sales_count, sales_total, sales_gst, sales_rounding, "
        "refund_count, refund_total, refund_gst, refund_rounding FROM sgpos.sales_by_hour "
        "WHERE outlet_id = :o ORDER BY 1, 2",
        o=shop.outlet_a.outlet_id,
    )
    rebuilt = rows(
        engine,
        "SELECT business_date, hour, sum(sc), sum(st), sum(sg), sum(sr), sum(rc), sum(rt), "
        "sum(rg), sum(rr) FROM ("
        " SELECT business_date, extract(hour from sold_at AT TIME ZONE 'Asia/Singapore')::int"
        " AS hour, 1 sc, total st, gst_total sg, rounding sr, 0 rc, 0 rt, 0 rg, 0 rr"
        " FROM sgpos.sale WHERE outlet_id = :o UNION ALL"
        " SELECT business_date, extract(hour from refunded_at AT TIME ZONE 'Asia/Singapore')"
        "::int, 0, 0, 0, 0, 1, total, gst_total, rounding FROM sgpos.refund WHERE outlet_id = :o"
        ") f GROUP BY 1, 2 ORDER BY 1, 2",
        o=shop.outlet_a.outlet_id,
    )
    assert [tuple(r) for r in kept] == [tuple(r) for r in rebuilt]
