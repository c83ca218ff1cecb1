"""Each read-only page, signed in, shows what the central store holds for the two outlets."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from decimal import Decimal
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from tests.dashboard.conftest import SCRIPT_NAME, Shop
from tests.dashboard.support import Visitor

pytestmark = pytest.mark.postgres

SignIn = Callable[[str], Visitor]


def figure(html: str, name: str, scope: str | None = None) -> Decimal:
    """The number in the element marked ``data-figure="name"`` (inside ``data-outlet=scope``)."""
    if scope is not None:
        start = html.index(f'data-outlet="{scope}"')
        html = html[start:]
    found = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert found, f"no figure {name!r} on the page"
    return Decimal(found.group(1).replace(",", "").strip())


def period(shop: Shop) -> dict[str, str]:
    return {"from": shop.day_a.date().isoformat(), "to": shop.day_b.date().isoformat()}


# The page's period, in SQL: other tests of the session may ring sales at these outlets on
# other days (today, say), which the page rightly leaves out.
IN_PERIOD = "AND business_date BETWEEN :first AND :last"


def days(shop: Shop) -> dict[str, object]:
    return {"first": shop.day_a.date(), "last": shop.day_b.date()}


def sql_one(shop: Shop, sql: str, **params: object) -> tuple:
    with shop.engine.connect() as conn:
        return tuple(conn.execute(text(sql), params).one())


def test_the_overview_shows_each_outlets_figures_as_the_sale_table_sums_them(
    signed_in: SignIn, shop: Shop
) -> None:
    page = signed_in("analyst").get("/ho/", **period(shop))
    assert page.status == 200, page.text
    assert "<svg" in page.text and "Sales by hour" in page.text
    for which in ("A", "B"):
        outlet = shop.outlet(which)
        sales, count, gst = sql_one(
            shop,
            "SELECT sum(total), count(*), sum(gst_total) FROM sgpos.sale WHERE outlet_id = :o "
            + IN_PERIOD,
            o=outlet.outlet_id,
            **days(shop),
        )
        refunds, refund_gst = sql_one(
            shop,
            "SELECT coalesce(sum(total), 0), coalesce(sum(gst_total), 0) FROM sgpos.refund "
            "WHERE outlet_id = :o " + IN_PERIOD,
            o=outlet.outlet_id,
            **days(shop),
        )
        assert figure(page.text, "sales", outlet.code) == sales
        assert figure(page.text, "transactions", outlet.code) == count
        assert figure(page.text, "gst", outlet.code) == gst - refund_gst
        assert figure(page.text, "refunds", outlet.code) == refunds
        assert figure(page.text, "average-basket", outlet.code) == (sales / count).quantize(
            Decimal("0.01")
        )


def test_the_sales_explorer_filters_by_outlet_and_payment_type_and_opens_a_sale(
    signed_in: SignIn, shop: Shop
) -> None:
    analyst = signed_in("analyst")
    outlet = shop.outlet("B")
    listed = analyst.get("/ho/sales", outlet=str(outlet.outlet_id), tender="cash", size="200")
    assert listed.status == 200, listed.text
    expected = sql_one(
        shop,
        "SELECT count(*) FROM sgpos.sale s WHERE outlet_id = :o AND EXISTS (SELECT 1 FROM "
        "sgpos.tender t WHERE t.document_id = s.sale_id AND t.type = 'cash')",
        o=outlet.outlet_id,
    )[0]
    shown = re.findall(r'data-sale="([0-9a-f-]+)"', listed.text)
    assert len(shown) == expected > 0
    opened = analyst.get(f"/ho/sales/{shown[0]}")
    assert opened.status == 200
    receipt_no, total = sql_one(
        shop, "SELECT receipt_no, total FROM sgpos.sale WHERE sale_id = :s", s=shown[0]
    )
    assert receipt_no in opened.text and figure(opened.text, "total") == total
    printed = re.search(r'<pre class="receipt" data-receipt="[^"]*">(.*?)</pre>', opened.text, re.S)
    assert printed and receipt_no in unescape(printed.group(1))


def test_a_receipt_number_finds_exactly_its_sale(signed_in: SignIn, shop: Shop) -> None:
    sale_id = shop.sale_ids("A")[3]
    (receipt_no,) = sql_one(shop, "SELECT receipt_no FROM sgpos.sale WHERE sale_id = :s", s=sale_id)
    listed = signed_in("admin").get("/ho/sales", receipt_no=receipt_no.lower())
    assert re.findall(r'data-sale="([0-9a-f-]+)"', listed.text) == [str(sale_id)]


def test_the_sales_explorer_pages_through_every_sale_once(signed_in: SignIn, shop: Shop) -> None:
    analyst, outlet = signed_in("analyst"), shop.outlet("A")
    seen: list[str] = []
    page = analyst.get("/ho/sales", outlet=str(outlet.outlet_id), size="25")
    while True:
        seen += re.findall(r'data-sale="([0-9a-f-]+)"', page.text)
        link = re.search(r'href="(/ho/sales\?[^"]*after=[^"]*)" rel="next"', page.text)
        if not link:
            break
        page = analyst.get(unescape(link.group(1)))
    assert len(seen) == len(set(seen)) == len(shop.sale_ids("A"))


def test_the_gst_report_and_its_exports_agree_with_the_sale_lines(
    signed_in: SignIn, shop: Shop
) -> None:
    analyst, outlet = signed_in("analyst"), shop.outlet("A")
    box1, box6 = sql_one(
        shop,
        "SELECT coalesce(sum(l.amount - l.gst) FILTER (WHERE l.tax_code = 'SR'), 0), "
        "coalesce(sum(l.gst), 0) FROM sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) "
        "WHERE s.outlet_id = :o " + IN_PERIOD,
        o=outlet.outlet_id,
        **days(shop),
    )
    refund_value, refund_gst = sql_one(
        shop,
        "SELECT coalesce(sum(l.amount - l.gst) FILTER (WHERE l.tax_code = 'SR'), 0), "
        "coalesce(sum(l.gst), 0) FROM sgpos.refund_line l JOIN sgpos.refund r USING (refund_id) "
        "WHERE r.outlet_id = :o " + IN_PERIOD,
        o=outlet.outlet_id,
        **days(shop),
    )
    page = analyst.get("/ho/gst", **period(shop))
    assert page.status == 200, page.text
    assert figure(page.text, f"{outlet.code}-box1", outlet.code) == box1 - refund_value
    assert figure(page.text, f"{outlet.code}-box6", outlet.code) == box6 - refund_gst

    exported = analyst.get("/ho/gst.csv", **period(shop))
    assert exported.status == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(exported.body.decode("utf-8-sig"))))
    mine = {r[2]: Decimal(r[4]) for r in rows[1:] if r[0].startswith(outlet.code) and r[2]}
    assert mine["1"] == box1 - refund_value and mine["6"] == box6 - refund_gst

    workbook = analyst.get("/ho/gst.xlsx", **period(shop))
    sheet = load_workbook(io.BytesIO(workbook.body)).worksheets[0]
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    in_book = {
        r[2]: Decimal(str(r[4])) for r in cells if str(r[0]).startswith(outlet.code) and r[2]
    }
    assert in_book == mine


def test_the_journal_balances_every_day_and_exports_the_same_lines(
    signed_in: SignIn, shop: Shop
) -> None:
    analyst, outlet = signed_in("analyst"), shop.outlet("A")
    page = analyst.get("/ho/journal", outlet=str(outlet.outlet_id), **period(shop))
    assert page.status == 200, page.text
    assert figure(page.text, "debits") == figure(page.text, "credits") > 0
    assert "does not balance" not in page.text
    exported = analyst.get("/ho/journal.csv", outlet=str(outlet.outlet_id), **period(shop))
    rows = list(csv.reader(io.StringIO(exported.body.decode("utf-8-sig"))))[1:]
    lines = [r for r in rows if r[2] != "Day total"]
    debits = sum(Decimal(r[4] or 0) for r in lines)
    credits = sum(Decimal(r[5] or 0) for r in lines)
    assert debits == credits == figure(page.text, "debits")


def test_stock_flags_negative_stock_and_shows_its_movements(signed_in: SignIn, shop: Shop) -> None:
    analyst, outlet = signed_in("analyst"), shop.outlet("A")
    page = analyst.get("/ho/stock", outlet=str(outlet.outlet_id), negative="1")
    assert page.status == 200, page.text
    negatives = sql_one(
        shop,
        "SELECT count(*) FROM sgpos.stock_on_hand WHERE outlet_id = :o AND quantity < 0",
        o=outlet.outlet_id,
    )[0]
    assert page.text.count('class="negative"') == negatives > 0
    moves = analyst.get(f"/ho/stock/{outlet.outlet_id}/{shop.script_product_id}")
    assert moves.status == 200
    assert figure(moves.text, "on-hand") == -2
    assert SCRIPT_NAME not in moves.text and "&lt;script&gt;" in moves.text


def test_the_audit_page_shows_each_tills_chain_verified_and_filters_records(
    signed_in: SignIn, shop: Shop
) -> None:
    admin = signed_in("admin")
    till_id = shop.tills["A"].till.auth.till_id
    page = admin.get("/ho/audit", till=str(till_id))
    assert page.status == 200, page.text
    chain = re.search(rf'data-till="{till_id}".*?data-chain="(\w+)"', page.text, re.S)
    assert chain and chain.group(1) == "verified"
    edits = admin.get("/ho/audit", source="head_office", actor="dashboard-tests")
    assert edits.status == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in edits.text
