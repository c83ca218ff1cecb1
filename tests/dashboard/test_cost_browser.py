"""Cost and margin at head office in a real browser: the demo company's tills received,
sold, refunded and transferred, and synced through ``sgpos-sync once``; Chromium reads the
margin columns of the sales breakdowns and the stock valuation, and downloads every stock
list, whose CSV and Excel files must sum to the page's totals.

The figures are checked against SQL written here: the cost of goods sold from the sale and
refund lines, and the moving average recomputed over each outlet's ledger.
"""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import text

from tests.dashboard.test_browser import DOWNLOAD_TIMEOUT_S, WIDTHS, fits, money
from tests.dashboard.test_browser import browser as browser
from tests.dashboard.test_browser import downloads as downloads
from tests.dashboard.test_browser import head_office as head_office
from tests.dashboard.test_browser import narrow_then_wide as narrow_then_wide

pytestmark = pytest.mark.postgres


def rows_of(conn_engine: Any, query: str, **params: object) -> list[Any]:
    with conn_engine.connect() as conn:
        return list(conn.execute(text(query), params).all())


def figures(row: Any) -> dict[str, str]:
    return {
        str(c.get_attribute("data-figure")): c.text
        for c in row.find_elements(By.CSS_SELECTOR, "td[data-figure]")
    }


@pytest.fixture
def fresh_downloads(downloads: Path) -> Path:
    """The downloads folder, emptied before each test (Chromium renames a repeated name)."""
    for old in downloads.iterdir():
        old.unlink()
    return downloads


def download(browser: WebDriver, folder: Path, link_text: str, name: str) -> Path:
    browser.find_element(By.LINK_TEXT, link_text).click()
    path = folder / name
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 0 and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.1)
    raise AssertionError(f"{name} was not downloaded; the folder holds {list(folder.iterdir())}")


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def xlsx_rows(path: Path) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in values[0]]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def total(rows: list[dict[str, Any]], column: str) -> Decimal:
    return sum((Decimal(str(r[column])) for r in rows if r[column] not in (None, "")), Decimal(0))


def test_every_sale_line_is_costed_at_its_outlets_moving_average(head_office: Any) -> None:
    """Independent of the projection's code: the average recomputed over each outlet's
    ledger in the order it was stored equals what head office holds, and every sale line's
    cost is its quantity times the average just before it went out."""
    recomputed = rows_of(
        head_office.engine,
        """
        WITH RECURSIVE ledger AS (
          SELECT outlet_id, product_id, movement_id, quantity, cost, reason,
                 row_number() OVER (PARTITION BY outlet_id, product_id ORDER BY movement_id) AS n
            FROM sgpos.stock_movement),
        walk(outlet_id, product_id, n, on_hand, average, ok) AS (
          SELECT DISTINCT outlet_id, product_id, 0::bigint, 0::numeric, NULL::numeric, true
            FROM ledger
          UNION ALL
          SELECT l.outlet_id, l.product_id, l.n, w.on_hand + l.quantity,
                 CASE WHEN l.quantity <= 0 OR l.cost IS NULL THEN w.average
                      WHEN w.average IS NULL OR w.on_hand <= 0 THEN l.cost
                      ELSE round((w.on_hand * w.average + l.quantity * l.cost)
                                 / (w.on_hand + l.quantity), 4) END,
                 -- goods out (and goods in without a cost of their own) go at the average
                 w.ok AND (l.quantity > 0 OR l.cost IS NOT DISTINCT FROM w.average)
            FROM walk w JOIN ledger l
              ON l.outlet_id = w.outlet_id AND l.product_id = w.product_id AND l.n = w.n + 1)
        SELECT DISTINCT ON (w.outlet_id, w.product_id) w.outlet_id, w.product_id, w.on_hand,
               w.average, w.ok, h.quantity, h.average_cost
          FROM walk w JOIN sgpos.stock_on_hand h USING (outlet_id, product_id)
         ORDER BY w.outlet_id, w.product_id, w.n DESC
        """,
    )
    assert len(recomputed) > 10
    for row in recomputed:
        assert (row.on_hand, row.average) == (row.quantity, row.average_cost), row
        assert row.ok, row
    lines = rows_of(
        head_office.engine,
        # A carton's line is costed per carton; its stock moved (and was booked) per unit.
        "SELECT l.quantity, l.unit_cost, l.cost, m.cost * coalesce(v.pack_units, 1) AS booked "
        "FROM sgpos.sale_line l "
        "JOIN sgpos.stock_movement m ON m.reason = 'sale' AND m.source = l.line_id::text "
        "LEFT JOIN sgpos.product_variant v ON v.product_id = l.product_id",
    )
    assert lines and all(line.unit_cost is not None for line in lines)
    for line in lines:
        assert line.unit_cost == line.booked
        assert line.cost == (line.quantity * line.unit_cost).quantize(Decimal("0.01"))
    refunds = rows_of(
        head_office.engine,
        "SELECT r.quantity, r.cost, l.unit_cost FROM sgpos.refund_line r "
        "JOIN sgpos.sale_line l USING (line_id)",
    )
    assert refunds
    for refund in refunds:
        assert refund.cost == (refund.quantity * refund.unit_cost).quantize(Decimal("0.01"))
    # Goods taken in came at the cost head office booked them out at, at the sender.
    halves = rows_of(
        head_office.engine,
        "SELECT i.cost AS taken_in, o.cost AS sent FROM sgpos.stock_movement i "
        "JOIN sgpos.stock_movement o ON o.reference = i.reference "
        "AND o.product_id = i.product_id AND o.detail LIKE 'out:%' "
        "WHERE i.detail LIKE 'in:%'",
    )
    assert halves and all(h.taken_in == h.sent is not None for h in halves)


@pytest.mark.parametrize("dimension", ["item", "outlet", "staff"])
def test_the_breakdowns_show_cost_and_margin_from_the_lines(
    browser: WebDriver,
    head_office: Any,
    dimension: str,
) -> None:
    day = head_office.day
    browser.get(f"{head_office.central.url}/ho/reports?by={dimension}&from={day}&to={day}")
    key = {"item": "l.product_id", "outlet": "s.outlet_id", "staff": "s.cashier_id"}[dimension]
    refund_key = {"item": "rl.product_id", "outlet": "r.outlet_id", "staff": "r.cashier_id"}[
        dimension
    ]
    sold = {
        str(k): (amount, gst, cost)
        for k, amount, gst, cost in rows_of(
            head_office.engine,
            f"SELECT {key}, sum(l.amount), sum(l.gst), sum(l.cost) FROM sgpos.sale s "
            "JOIN sgpos.sale_line l USING (sale_id) WHERE s.business_date = :d GROUP BY 1",
            d=day,
        )
    }
    back = {
        str(k): (amount, gst, cost)
        for k, amount, gst, cost in rows_of(
            head_office.engine,
            f"SELECT {refund_key}, sum(rl.amount), sum(rl.gst), sum(rl.cost) "
            "FROM sgpos.refund r JOIN sgpos.refund_line rl USING (refund_id) "
            "WHERE r.business_date = :d GROUP BY 1",
            d=day,
        )
    }
    zero = (Decimal(0), Decimal(0), Decimal(0))
    margins = Decimal(0)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.report tbody tr[data-row]")
    assert len(rows) == len(set(sold) | set(back)) > 0
    for row in rows:
        k = str(row.get_attribute("data-row"))
        amount, gst, cost = sold.get(k, zero)
        r_amount, r_gst, r_cost = back.get(k, zero)
        shown = figures(row)
        assert money(shown["cost"]) == cost - r_cost
        margin = (amount - gst) - (r_amount - r_gst) - (cost - r_cost)
        assert money(shown["margin"]) == margin
        net = (amount - gst) - (r_amount - r_gst)
        if net:
            percent = (margin * 100 / net).quantize(Decimal("0.1"))
            assert shown["margin-percent"] == f"{percent}%"
        margins += margin
    footer = figures(browser.find_element(By.CSS_SELECTOR, "tfoot tr[data-row='total']"))
    assert money(footer["margin"]) == margins
    assert money(browser.find_element(By.CSS_SELECTOR, "[data-figure='total-margin']").text) == (
        margins
    )
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-figure='uncosted']")


def test_items_by_highest_margin_first(browser: WebDriver, head_office: Any) -> None:
    day = head_office.day
    browser.get(f"{head_office.central.url}/ho/reports?by=item&order=margin&from={day}&to={day}")
    margins = [
        money(c.text)
        for c in browser.find_elements(By.CSS_SELECTOR, "tbody td[data-figure='margin']")
    ]
    assert len(margins) > 5 and margins == sorted(margins, reverse=True)


def test_the_breakdown_export_carries_cost_and_margin_summing_to_the_page(
    browser: WebDriver,
    head_office: Any,
    fresh_downloads: Path,
) -> None:
    day = head_office.day
    browser.get(f"{head_office.central.url}/ho/reports?by=item&from={day}&to={day}")
    footer = figures(browser.find_element(By.CSS_SELECTOR, "tfoot tr[data-row='total']"))
    book = download(
        browser,
        fresh_downloads,
        "Download Excel",
        f"sales-by-item-{day}-to-{day}.xlsx",
    )
    rows = xlsx_rows(book)
    lines, last = rows[:-1], rows[-1]
    assert last["Name"] == "Total"
    for column, figure in (("Cost of goods sold (S$)", "cost"), ("Margin (S$)", "margin")):
        assert total(lines, column) == Decimal(str(last[column])) == money(footer[figure])


def test_the_valuation_is_on_hand_times_the_moving_average_per_outlet_and_downloads(
    browser: WebDriver,
    head_office: Any,
    fresh_downloads: Path,
) -> None:
    browser.get(f"{head_office.central.url}/ho/stock")
    browser.find_element(By.LINK_TEXT, "Stock valuation at cost per outlet").click()
    expected = {
        code: (units, value)
        for code, units, value in rows_of(
            head_office.engine,
            "SELECT o.code, sum(h.quantity), sum(round(h.quantity * h.average_cost, 2)) "
            "FROM sgpos.stock_on_hand h JOIN sgpos.outlet o USING (outlet_id) GROUP BY 1",
        )
    }
    rows = browser.find_elements(By.CSS_SELECTOR, "table.report tbody tr[data-row]")
    shown = {
        str(r.get_attribute("data-row")): (money(figures(r)["units"]), money(figures(r)["value"]))
        for r in rows
    }
    assert shown == expected and all(value > 0 for _, value in shown.values())
    page_total = money(browser.find_element(By.CSS_SELECTOR, "p [data-figure='total-value']").text)
    assert page_total == sum(v for _, v in expected.values())
    for name in ("stock-valuation.csv", "stock-valuation.xlsx"):
        link = "Download CSV" if name.endswith("csv") else "Download Excel"
        path = download(browser, fresh_downloads, link, name)
        rows_out = csv_rows(path) if name.endswith("csv") else xlsx_rows(path)
        assert total(rows_out, "Value at cost (S$)") == page_total
        assert {r["Outlet"] for r in rows_out} == set(expected)


def test_stock_on_hand_downloads_every_row_summing_to_the_totals(
    browser: WebDriver,
    head_office: Any,
    fresh_downloads: Path,
) -> None:
    # A page of 20 rows: the totals and the downloads cover every page.
    browser.get(f"{head_office.central.url}/ho/stock?size=20")
    count = int(browser.find_element(By.CSS_SELECTOR, "[data-figure='count']").text)
    on_hand = money(browser.find_element(By.CSS_SELECTOR, "[data-figure='total-on-hand']").text)
    value = money(browser.find_element(By.CSS_SELECTOR, "[data-figure='total-value']").text)
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr[data-product]")) == 20 < count
    assert (count, on_hand) == tuple(
        rows_of(head_office.engine, "SELECT count(*), sum(quantity) FROM sgpos.stock_on_hand")[0]
    )
    for name, link in (
        ("stock-on-hand.csv", "Download CSV"),
        ("stock-on-hand.xlsx", "Download Excel"),
    ):
        path = download(browser, fresh_downloads, link, name)
        rows = csv_rows(path) if name.endswith("csv") else xlsx_rows(path)
        assert len(rows) == count
        assert total(rows, "On hand") == on_hand
        assert total(rows, "Value at cost (S$)") == value


def test_one_products_movements_download_with_their_costs(
    browser: WebDriver,
    head_office: Any,
    fresh_downloads: Path,
) -> None:
    browser.get(f"{head_office.central.url}/ho/stock")
    browser.find_element(By.CSS_SELECTOR, "tr[data-product] a[href^='/ho/stock/']").click()
    moved = money(browser.find_element(By.CSS_SELECTOR, "[data-figure='total-moved']").text)
    costs = [
        c.text for c in browser.find_elements(By.CSS_SELECTOR, "td[data-figure='cost']") if c.text
    ]
    assert costs  # a delivery at least
    browser.find_element(By.LINK_TEXT, "Download CSV").click()
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
    while time.monotonic() < deadline and not list(fresh_downloads.glob("movements-*.csv")):
        time.sleep(0.1)
    (path,) = fresh_downloads.glob("movements-*.csv")
    rows = csv_rows(path)
    assert total(rows, "Quantity") == moved
    assert sorted(r["Cost per unit (S$)"] for r in rows if r["Cost per unit (S$)"]) == sorted(costs)


def test_the_transfers_workbook_sums_to_the_value_in_transit(
    browser: WebDriver,
    head_office: Any,
    fresh_downloads: Path,
) -> None:
    browser.get(f"{head_office.central.url}/ho/stock/transfers")
    in_transit = money(
        browser.find_element(By.CSS_SELECTOR, "[data-figure='in-transit-value']").text
    )
    browser.find_element(By.ID, "transfers-xlsx").click()
    path = fresh_downloads / "transfers.xlsx"
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
    while time.monotonic() < deadline and not (path.exists() and path.stat().st_size > 0):
        time.sleep(0.1)
    rows = xlsx_rows(path)
    assert rows and total(rows, "Value in transit") == in_transit > 0
    # Valued at what head office booked them out at: the sender's moving average.
    booked = {
        (ref, name): cost
        for ref, name, cost in rows_of(
            head_office.engine,
            "SELECT m.reference, p.name, m.cost FROM sgpos.stock_movement m "
            "JOIN sgpos.product p USING (product_id) WHERE m.detail LIKE 'out:%'",
        )
    }
    assert {(r["Transfer"], r["Product"]): Decimal(str(r["Cost per unit"])) for r in rows} == (
        booked
    )


def test_the_low_stock_list_and_its_downloads_sum_to_its_totals(
    browser: WebDriver,
    head_office: Any,
    fresh_downloads: Path,
) -> None:
    browser.get(f"{head_office.central.url}/ho/stock")
    browser.find_element(By.LINK_TEXT, "5 or fewer").click()
    level = Decimal(browser.current_url.rsplit("low=", 1)[1])
    count = int(browser.find_element(By.CSS_SELECTOR, "[data-figure='count']").text)
    on_hand = money(browser.find_element(By.CSS_SELECTOR, "[data-figure='total-on-hand']").text)
    value = money(browser.find_element(By.CSS_SELECTOR, "[data-figure='total-value']").text)
    expected = rows_of(
        head_office.engine,
        "SELECT count(*), sum(h.quantity), sum(round(h.quantity * h.average_cost, 2)) "
        "FROM sgpos.stock_on_hand h WHERE h.quantity <= :level",
        level=level,
    )[0]
    assert (count, on_hand, value) == tuple(expected) and count > 0
    shown = [
        money(c.text) for c in browser.find_elements(By.CSS_SELECTOR, "td[data-figure='on-hand']")
    ]
    assert shown and max(shown) <= level
    for name, link in (
        ("stock-on-hand.csv", "Download CSV"),
        ("stock-on-hand.xlsx", "Download Excel"),
    ):
        path = download(browser, fresh_downloads, link, name)
        rows = csv_rows(path) if name.endswith("csv") else xlsx_rows(path)
        assert len(rows) == count
        assert total(rows, "On hand") == on_hand
        assert total(rows, "Value at cost (S$)") == value
        for old in fresh_downloads.iterdir():
            old.unlink()
    # A level that is not a quantity is refused in words, and nothing is listed.
    browser.get(f"{head_office.central.url}/ho/stock?low=five")
    assert "is not a quantity" in browser.find_element(By.TAG_NAME, "main").text
    assert not browser.find_elements(By.CSS_SELECTOR, "tr[data-product]")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_cost_pages_fit_a_phone_and_a_laptop(
    narrow_then_wide: WebDriver, head_office: Any, width: int
) -> None:
    browser, base, day = narrow_then_wide, head_office.central.url, head_office.day
    browser.set_window_size(width, 844 if width < 1000 else 768)
    browser.get(f"{base}/ho/stock")
    movements = browser.find_element(By.CSS_SELECTOR, "td a[href^='/ho/stock/']")
    pages = [
        "/ho/stock",
        "/ho/stock?low=5",
        "/ho/stock/valuation",
        str(movements.get_attribute("href")).removeprefix(base),
        f"/ho/reports?by=item&from={day}&to={day}",
        f"/ho/reports?by=outlet&from={day}&to={day}",
    ]
    too_wide = []
    for path in pages:
        browser.get(base + path)
        if not fits(browser):
            too_wide.append(path)
    assert too_wide == []


def test_the_reorder_point_list_is_what_its_rules_say_and_downloads(
    browser: WebDriver, head_office: Any, fresh_downloads: Path
) -> None:
    browser.get(f"{head_office.central.url}/ho/stock")
    browser.find_element(By.LINK_TEXT, "at or below the reorder point").click()
    expected = {
        (code, str(product))
        for code, product in rows_of(
            head_office.engine,
            "SELECT o.code, h.product_id FROM sgpos.stock_on_hand h "
            "JOIN sgpos.outlet o USING (outlet_id) JOIN sgpos.reorder_rule r "
            "USING (outlet_id, product_id) WHERE h.quantity <= r.reorder_point",
        )
    }
    shown = {
        (row.find_element(By.CSS_SELECTOR, "td").text, str(row.get_attribute("data-product")))
        for row in browser.find_elements(By.CSS_SELECTOR, "tr[data-product]")
    }
    assert shown == expected and shown
    assert browser.find_element(By.NAME, "reorder").is_selected()
    count = int(browser.find_element(By.CSS_SELECTOR, "[data-figure='count']").text)
    value = money(browser.find_element(By.CSS_SELECTOR, "[data-figure='total-value']").text)
    rows = csv_rows(download(browser, fresh_downloads, "Download CSV", "stock-on-hand.csv"))
    assert len(rows) == count == len(expected)
    assert total(rows, "Value at cost (S$)") == value
