"""The reports pages over HTTP, signed in: figures as the facts sum them, the count and totals
shown, CSV and Excel downloads that sum to the page's totals, period presets, plain 400s for
bad choices and an outlet manager kept to their outlet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.dashboard.conftest import Shop
from tests.dashboard.support import Visitor
from tests.dashboard.test_web_pages import figure, period, sql_one

pytestmark = pytest.mark.postgres

SignIn = Callable[[str], Visitor]
MONEY_COLUMNS = ("Revenue incl. GST (S$)", "GST (S$)", "Refunds incl. GST (S$)")


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr[^>]* data-row="([^"]+)"', html)


def test_sales_by_item_shows_the_count_and_totals_the_facts_hold(
    signed_in: SignIn, shop: Shop
) -> None:
    outlet = shop.outlet_a.outlet_id
    page = signed_in("analyst").get("/ho/reports", by="item", outlet=str(outlet), **period(shop))
    assert page.status == 200, page.text
    start, end = shop.day_a.date(), shop.day_b.date()
    products, revenue, gst = sql_one(
        shop,
        "SELECT count(DISTINCT l.product_id), sum(l.amount), sum(l.gst) FROM sgpos.sale_line l "
        "JOIN sgpos.sale s USING (sale_id) WHERE s.business_date BETWEEN :a AND :b "
        "AND s.outlet_id = :o",
        o=outlet,
        a=start,
        b=end,
    )
    (refunds,) = sql_one(
        shop,
        "SELECT coalesce(sum(total), 0) FROM sgpos.refund WHERE business_date BETWEEN :a AND :b "
        "AND outlet_id = :o",
        o=outlet,
        a=start,
        b=end,
    )
    rows = _rows(page.text)
    assert rows[-1] == "total" and len(rows) - 1 == products
    assert figure(page.text, "count") == products
    assert figure(page.text, "total-revenue") == revenue
    assert figure(page.text, "total-net") == revenue - refunds
    footer = page.text[page.text.index('data-row="total"') :]
    assert figure(footer, "gst") == gst
    assert "/ho/catalogue/products/" in page.text  # each item links to its product


@pytest.mark.parametrize("by", ["outlet", "staff", "day", "hour", "category", "till", "month"])
def test_each_download_sums_to_the_pages_totals(signed_in: SignIn, shop: Shop, by: str) -> None:
    analyst = signed_in("analyst")
    page = analyst.get("/ho/reports", by=by, **period(shop))
    assert page.status == 200, page.text
    footer = page.text[page.text.index('data-row="total"') :]
    on_page = {
        "Revenue incl. GST (S$)": figure(footer, "revenue"),
        "GST (S$)": figure(footer, "gst"),
        "Refunds incl. GST (S$)": figure(footer, "refunds"),
    }
    count = int(figure(page.text, "count"))

    answer = analyst.get("/ho/reports.csv", by=by, **period(shop))
    assert answer.status == 200
    assert f"sales-by-{by}-" in answer.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(answer.body.decode("utf-8-sig"))))
    body, total = table[:-1], table[-1]
    assert len(body) == count and total["Name"] == "Total"
    for column in MONEY_COLUMNS:
        assert sum(Decimal(r[column]) for r in body) == Decimal(total[column]) == on_page[column]

    book = analyst.get("/ho/reports.xlsx", by=by, **period(shop))
    sheet = load_workbook(io.BytesIO(book.body)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header, body_x, total_x = values[0], values[1:-1], values[-1]
    assert len(body_x) == count and total_x[1] == "Total"
    for column in MONEY_COLUMNS:
        i = header.index(column)
        assert sum(Decimal(str(r[i])) for r in body_x) == Decimal(str(total_x[i]))
        assert Decimal(str(total_x[i])) == on_page[column]


def test_presets_link_to_their_periods_and_mark_the_one_shown(
    signed_in: SignIn, shop: Shop
) -> None:
    analyst = signed_in("analyst")
    page = analyst.get("/ho/reports", by="day")
    presets = dict(re.findall(r'<a href="(/ho/reports\?[^"]+)"[^>]*>([^<]+)</a>', page.text))
    labels = set(presets.values())
    assert {"Today", "Yesterday", "This week", "Last month", "This quarter"} <= labels
    today_link = next(link for link, label in presets.items() if label == "Today")
    query = dict(p.split("=") for p in today_link.split("?")[1].split("&amp;"))
    assert query["by"] == "day" and query["from"] == query["to"]
    today = analyst.get("/ho/reports", **query)
    assert 'class="here" aria-current="true">Today<' in today.text


def test_three_years_open_and_a_longer_period_is_a_plain_400(signed_in: SignIn, shop: Shop) -> None:
    analyst = signed_in("analyst")
    end = shop.day_b.date()
    start = end - timedelta(days=3 * 365)
    for path in ("/ho/reports", "/ho/", "/ho/gst", "/ho/journal"):
        page = analyst.get(path, **{"from": start.isoformat(), "to": end.isoformat()})
        assert page.status == 200, (path, page.text[:300])
    too_long = analyst.get(
        "/ho/reports", **{"from": (start - timedelta(days=1)).isoformat(), "to": end.isoformat()}
    )
    assert too_long.status == 400 and "at most 1096 days" in too_long.text


def test_bad_choices_are_refused_in_plain_words(signed_in: SignIn, shop: Shop) -> None:
    analyst = signed_in("analyst")
    wrong = analyst.get("/ho/reports", by="colour")
    assert wrong.status == 400 and "Show sales by one of" in wrong.text
    wrong = analyst.get("/ho/reports", order="random")
    assert wrong.status == 400 and "Choose the order" in wrong.text


def test_an_outlet_manager_sees_their_outlet_only(signed_in: SignIn, shop: Shop) -> None:
    manager = signed_in("manager_a")
    page = manager.get("/ho/reports", by="outlet", **period(shop))
    assert page.status == 200
    assert _rows(page.text) == [str(shop.outlet_a.outlet_id), "total"]
    assert shop.outlet_b.code not in page.text
    theirs = manager.get(
        "/ho/reports.csv", by="outlet", outlet=str(shop.outlet_b.outlet_id), **period(shop)
    )
    assert theirs.status == 404


def test_shifts_page_and_downloads_show_every_shift_and_the_same_totals(
    signed_in: SignIn, shop: Shop
) -> None:
    analyst = signed_in("analyst")
    outlet = shop.outlet_a.outlet_id
    wanted = {"outlet": str(outlet), **period(shop)}
    page = analyst.get("/ho/shifts", **wanted)
    assert page.status == 200, page.text
    # The page's period only: other tests trade at this shop's outlets on other days.
    count, floats = sql_one(
        shop,
        "SELECT count(*), coalesce(sum(opening_float), 0) FROM sgpos.shift WHERE outlet_id = :o "
        "AND (opened_at AT TIME ZONE 'Asia/Singapore')::date BETWEEN :a AND :b",
        o=outlet,
        a=shop.day_a.date(),
        b=shop.day_b.date(),
    )
    assert count > 0
    assert figure(page.text, "count") == count
    assert len(_rows(page.text)) == count + 1  # and the total row
    footer = page.text[page.text.index('data-row="total"') :]
    assert figure(footer, "float") == floats
    assert shop.tills["A"].till.demo.cashier.display_name in page.text  # a name, not an id

    answer = analyst.get("/ho/shifts.csv", **wanted)
    table = list(csv.DictReader(io.StringIO(answer.body.decode("utf-8-sig"))))
    assert len(table) == count + 1 and table[-1]["Outlet"] == "Total"
    assert sum(Decimal(r["Float (S$)"]) for r in table[:-1]) == Decimal(table[-1]["Float (S$)"])
    assert Decimal(table[-1]["Float (S$)"]) == floats
    book = analyst.get("/ho/shifts.xlsx", **wanted)
    values = list(load_workbook(io.BytesIO(book.body)).worksheets[0].iter_rows(values_only=True))
    i = values[0].index("Float (S$)")
    assert sum(Decimal(str(r[i])) for r in values[1:-1]) == Decimal(str(values[-1][i])) == floats


def test_exceptions_page_and_downloads_agree_on_every_kinds_total(
    signed_in: SignIn, shop: Shop
) -> None:
    analyst = signed_in("analyst")
    outlet = shop.outlet_a.outlet_id
    wanted = {"outlet": str(outlet), **period(shop)}
    page = analyst.get("/ho/exceptions", **wanted)
    assert page.status == 200, page.text
    # The page's period only: other tests trade at this shop's outlets on other days.
    days = {"a": shop.day_a.date(), "b": shop.day_b.date()}
    discounts, discounted = sql_one(
        shop,
        "SELECT count(*), coalesce(sum(discount_total), 0) FROM sgpos.sale "
        "WHERE outlet_id = :o AND discount_total <> 0 AND business_date BETWEEN :a AND :b",
        o=outlet,
        **days,
    )
    refunds, refunded = sql_one(
        shop,
        "SELECT count(*), coalesce(sum(total), 0) FROM sgpos.refund WHERE outlet_id = :o "
        "AND business_date BETWEEN :a AND :b",
        o=outlet,
        **days,
    )
    assert discounts > 0
    assert figure(page.text, "discount-count") == discounts
    assert figure(page.text, "discount-amount") == discounted
    assert figure(page.text, "refund-amount") + figure(page.text, "void-amount") == refunded
    assert figure(page.text, "count") == discounts + refunds + figure(page.text, "override-count")

    answer = analyst.get("/ho/exceptions.csv", **wanted)
    table = list(csv.DictReader(io.StringIO(answer.body.decode("utf-8-sig"))))
    events = [r for r in table if r["When"]]
    totals = {r["Kind"].split(" ")[1]: Decimal(r["Amount (S$)"]) for r in table if not r["When"]}
    assert len(events) == figure(page.text, "count")
    for kind in ("discount", "override", "void", "refund"):
        mine = sum((Decimal(r["Amount (S$)"]) for r in events if r["Kind"] == kind), Decimal(0))
        assert mine == totals[f"{kind}s"] == figure(page.text, f"{kind}-amount"), kind
    book = load_workbook(io.BytesIO(analyst.get("/ho/exceptions.xlsx", **wanted).body))
    by_staff = list(book["By staff"].iter_rows(values_only=True))
    i = by_staff[0].index("Discounts (S$)")
    assert sum(Decimal(str(r[i])) for r in by_staff[1:-1]) == Decimal(str(by_staff[-1][i]))
    assert Decimal(str(by_staff[-1][i])) == discounted


@pytest.mark.parametrize(
    "filters",
    [
        {},  # from the hourly summary
        {"tender": "cash"},  # counted from the sales themselves
    ],
)
def test_the_sales_explorer_shows_its_count_and_totals_and_downloads_them(
    signed_in: SignIn, shop: Shop, filters: dict[str, str]
) -> None:
    analyst = signed_in("analyst")
    outlet = shop.outlet_b.outlet_id
    wanted = {"outlet": str(outlet), "size": "10", **filters}
    page = analyst.get("/ho/sales", **wanted)
    assert page.status == 200, page.text
    cash_only = (
        "AND EXISTS (SELECT 1 FROM sgpos.tender t WHERE t.document_id = s.sale_id "
        "AND t.type = 'cash')"
        if filters
        else ""
    )
    count, total, gst = sql_one(
        shop,
        "SELECT count(*), sum(total), sum(gst_total) FROM sgpos.sale s "
        f"WHERE s.outlet_id = :o {cash_only}",
        o=outlet,
    )
    assert figure(page.text, "count") == count > 10  # more than the page shows
    assert figure(page.text, "sales-total") == total
    assert figure(page.text, "sales-gst") == gst
    answer = analyst.get("/ho/sales.csv", **wanted)
    table = list(csv.DictReader(io.StringIO(answer.body.decode("utf-8-sig"))))
    assert len(table) == count + 1 and table[-1]["Receipt"] == f"Total of {count} sales"
    listed = sum(Decimal(r["Total (S$)"]) for r in table[:-1])
    assert listed == Decimal(table[-1]["Total (S$)"]) == total
    book = analyst.get("/ho/sales.xlsx", **wanted)
    values = list(load_workbook(io.BytesIO(book.body)).worksheets[0].iter_rows(values_only=True))
    i = values[0].index("GST (S$)")
    assert sum(Decimal(str(r[i])) for r in values[1:-1]) == Decimal(str(values[-1][i])) == gst


@pytest.mark.parametrize("path", ["/ho/", "/ho/gst", "/ho/journal", "/ho/shifts", "/ho/exceptions"])
def test_every_period_page_offers_the_presets(signed_in: SignIn, shop: Shop, path: str) -> None:
    page = signed_in("analyst").get(path)
    assert page.status == 200, page.text
    labels = re.findall(r'<nav class="presets"[^>]*>(.*?)</nav>', page.text, re.S)
    assert labels, path
    for label in ("Today", "Yesterday", "This week", "Last month", "This quarter", "Last quarter"):
        assert f">{label}</a>" in labels[0], (path, label)
