"""Sales by item, category, outlet, till, staff, hour, day, week and month against sums
computed here, in plain SQL, from the facts two real tills synced (a refund of a 2023 sale made
in 2024 included); the scope of an outlet manager; top and bottom sellers; three-year periods."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from sync_service.central.reports.breakdown import DIMENSIONS, sales_breakdown
from sync_service.central.reports.common import Period, ReportError, Scope
from sync_service.central.reports.trend import daily_trend
from tests.dashboard.report_support import PERIOD, ReportShop, build_shop, one, rows

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def shop(
    dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportShop]:
    built = build_shop(dashboard_engine, tmp_path_factory.mktemp("report-breakdown"))
    yield built
    built.close()


# Each dimension's key, written independently of the report: (on a sale, on a refund).
SALE_KEY = {
    "item": ("l.product_id::text", "rl.product_id::text"),
    "category": (
        "(SELECT coalesce(category_id::text, '') FROM sgpos.product p "
        "WHERE p.product_id = l.product_id)",
        "(SELECT coalesce(category_id::text, '') FROM sgpos.product p "
        "WHERE p.product_id = rl.product_id)",
    ),
    "outlet": ("s.outlet_id::text", "r.outlet_id::text"),
    "till": ("s.till_id::text", "r.till_id::text"),
    "staff": ("s.cashier_id::text", "r.cashier_id::text"),
    "hour": (
        "to_char(s.sold_at AT TIME ZONE 'Asia/Singapore', 'HH24')",
        "to_char(r.refunded_at AT TIME ZONE 'Asia/Singapore', 'HH24')",
    ),
    "day": ("s.business_date::text", "r.business_date::text"),
    "week": (
        "(s.business_date - (extract(isodow FROM s.business_date)::int - 1))::text",
        "(r.business_date - (extract(isodow FROM r.business_date)::int - 1))::text",
    ),
    "month": ("to_char(s.business_date, 'YYYY-MM')", "to_char(r.business_date, 'YYYY-MM')"),
}


def _expected(
    engine: Engine, dimension: str, outlets: list[object], period: Period = PERIOD
) -> dict[str, tuple[Decimal, int, Decimal, Decimal, Decimal, Decimal]]:
    """key -> (items, transactions, revenue, discount, GST, refunds)."""
    on_sale, on_refund = SALE_KEY[dimension]
    found: dict[str, list] = {}
    for key, items, n, amount, discount, gst in rows(
        engine,
        f"SELECT {on_sale}, sum(CASE WHEN l.weighed THEN 1 ELSE l.quantity END), "
        "count(DISTINCT s.sale_id), sum(l.amount), sum(l.line_discount + l.cart_discount), "
        "sum(l.gst) FROM sgpos.sale s JOIN sgpos.sale_line l USING (sale_id) "
        "WHERE s.business_date BETWEEN :a AND :b AND s.outlet_id = ANY(:o) GROUP BY 1",
        a=period.start,
        b=period.end,
        o=outlets,
    ):
        found[key] = [items, n, amount, discount, gst, Decimal("0.00")]
    for key, refunded in rows(
        engine,
        f"SELECT {on_refund}, sum(rl.amount) FROM sgpos.refund r "
        "JOIN sgpos.refund_line rl USING (refund_id) "
        "WHERE r.business_date BETWEEN :a AND :b AND r.outlet_id = ANY(:o) GROUP BY 1",
        a=period.start,
        b=period.end,
        o=outlets,
    ):
        found.setdefault(key, [0, 0, Decimal(0), Decimal(0), Decimal(0), Decimal(0)])[5] = refunded
    return {k: tuple(v) for k, v in found.items()}  # type: ignore[misc]


@pytest.mark.parametrize("dimension", list(DIMENSIONS))
def test_every_breakdown_equals_sums_taken_straight_from_the_facts(
    shop: ReportShop, dimension: str
) -> None:
    with shop.engine.connect() as conn:
        report = sales_breakdown(conn, shop.both, PERIOD, dimension, "name")
    expected = _expected(shop.engine, dimension, list(shop.ids))
    shown = {
        r.key: (r.quantity, r.transactions, r.revenue, r.discount, r.gst, r.refunds)
        for r in report.rows
    }
    assert shown == expected
    assert report.count == len(expected) > 0
    t = report.total
    assert t.revenue == sum(r.revenue for r in report.rows)
    assert t.refunds == sum(r.refunds for r in report.rows) > 0  # the 2023 sale refunded
    assert t.quantity == sum(r.quantity for r in report.rows)
    (sales,) = one(
        shop.engine,
        "SELECT count(*) FROM sgpos.sale WHERE business_date BETWEEN :a AND :b "
        "AND outlet_id = ANY(:o)",
        a=PERIOD.start,
        b=PERIOD.end,
        o=list(shop.ids),
    )
    assert t.transactions == sales  # each sale once, even when its lines fall on two rows
    assert all(r.label for r in report.rows)  # a name on every row, never an empty cell


def test_rows_carry_names_not_ids(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        items = sales_breakdown(conn, shop.both, PERIOD, "item")
        outlets = sales_breakdown(conn, shop.both, PERIOD, "outlet")
        staff = sales_breakdown(conn, shop.both, PERIOD, "staff")
    product_names = dict(rows(shop.engine, "SELECT product_id::text, name FROM sgpos.product"))
    assert all(r.label == product_names[r.key] for r in items.rows)
    assert {r.label for r in outlets.rows} == {
        f"{o.code} · {o.name}" for o in (shop.outlet_a, shop.outlet_b)
    }
    names = dict(
        rows(
            shop.engine,
            "SELECT staff_id::text, display_name || ' (' || code || ')' FROM sgpos.staff",
        )
    )
    assert all(r.label == names[r.key] for r in staff.rows)


def test_top_and_bottom_sellers_are_the_same_rows_in_opposite_order(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        top = sales_breakdown(conn, shop.both, PERIOD, "item", "top")
        bottom = sales_breakdown(conn, shop.both, PERIOD, "item", "bottom")
        most = sales_breakdown(conn, shop.both, PERIOD, "item", "quantity")
    revenue = [r.revenue for r in top.rows]
    assert revenue == sorted(revenue, reverse=True) and revenue[0] > revenue[-1]
    assert [r.revenue for r in bottom.rows] == sorted(revenue)
    assert {r.key for r in bottom.rows} == {r.key for r in top.rows}
    quantities = [r.quantity for r in most.rows]
    assert quantities == sorted(quantities, reverse=True)
    assert top.total == bottom.total == most.total


def test_an_outlet_manager_sees_only_their_outlet(shop: ReportShop) -> None:
    _, b = shop.ids
    with shop.engine.connect() as conn:
        mine = sales_breakdown(conn, Scope.outlet(b), PERIOD, "outlet")
        items = sales_breakdown(conn, Scope.outlet(b), PERIOD, "item", "name")
    assert [r.key for r in mine.rows] == [str(b)]
    expected = _expected(shop.engine, "item", [b])
    assert {r.key: r.revenue for r in items.rows} == {k: v[2] for k, v in expected.items()}
    assert items.total.refunds == 0  # outlet A's refund is not theirs


def test_three_years_is_a_period_and_a_day_more_is_not(shop: ReportShop) -> None:
    three_years = Period(date(2022, 1, 3), date(2025, 1, 2))
    assert three_years.days == 3 * 365 + 1
    with shop.engine.connect() as conn:
        report = sales_breakdown(conn, shop.both, three_years, "month")
    whole = _expected(shop.engine, "month", list(shop.ids), three_years)
    assert {r.key: r.revenue for r in report.rows} == {k: v[2] for k, v in whole.items()}
    with pytest.raises(ReportError, match="at most 1096 days"):
        Period(date(2022, 1, 2), date(2025, 1, 2))


def test_an_unknown_breakdown_or_order_says_what_to_choose(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        with pytest.raises(ReportError, match="choose one of item, category"):
            sales_breakdown(conn, shop.both, PERIOD, "colour")
        with pytest.raises(ReportError, match="choose one of top, bottom"):
            sales_breakdown(conn, shop.both, PERIOD, "item", "random")


def _daily_sales(shop: ReportShop, period: Period) -> dict[date, Decimal]:
    return dict(
        rows(
            shop.engine,
            "SELECT business_date, sum(total) FROM sgpos.sale WHERE outlet_id = ANY(:o) "
            "AND business_date BETWEEN :a AND :b GROUP BY 1",
            o=list(shop.ids),
            a=period.start,
            b=period.end,
        )
    )


def test_the_daily_trend_sets_each_day_beside_last_week_and_last_year(shop: ReportShop) -> None:
    with shop.engine.connect() as conn:
        now = daily_trend(conn, shop.both, PERIOD)
        week_on = daily_trend(conn, shop.both, Period(date(2024, 1, 7), date(2024, 1, 9)))
        year_on = daily_trend(conn, shop.both, Period(date(2024, 12, 29), date(2024, 12, 31)))
    sold = _daily_sales(shop, PERIOD)
    assert len(sold) >= 2
    assert [d.business_date for d in now.current.days] == [
        PERIOD.start + timedelta(days=i) for i in range(PERIOD.days)
    ]
    assert {d.business_date: d.sales for d in now.current.days if d.sales} == sold
    (refunded,) = one(
        shop.engine,
        "SELECT sum(total) FROM sgpos.refund WHERE outlet_id = ANY(:o)",
        o=list(shop.ids),
    )
    assert now.current.sales - now.current.net == refunded
    # A week on, "last week" is this period, day by day; the week itself sold nothing.
    last_week, _ = week_on.earlier
    assert last_week.label == "last week" and last_week.period == PERIOD
    assert [d.sales for d in last_week.days] == [d.sales for d in now.current.days]
    assert week_on.current.sales == 0 and week_on.change(last_week) == Decimal("-100.0")
    # 364 days on (the same weekdays), "last year" is this period.
    assert year_on.earlier[1].period == PERIOD
    assert year_on.earlier[1].sales == sum(sold.values())
    assert now.change(now.earlier[0]) is None  # nothing to compare with
